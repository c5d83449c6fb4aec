//! The fake AWS every unit test shares: an in-memory IAM/STS with users,
//! keys with secrets, the 2-keys-per-user limit, signature checking (an
//! unknown, wrong or Inactive key gets InvalidClientTokenId), IAM's
//! eventual consistency (a new key fails the first N calls signed with
//! it, and optionally again later), MFA-guarded IAM, scripted faults per
//! operation and a log of every call with the key that signed it.
//!
//! Test-only (`#[cfg(test)]`): never part of the binary.

use crate::aws::{Aws, AwsError, Creds, ErrorKind, Identity, KeyMeta, LastUsed, NewKey};
use crate::rotate::now_secs;
use crate::secret::Secret;
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// The account every fake user lives in.
pub(crate) const ACCOUNT: &str = "123456789012";

pub(crate) const GCI: &str = "STS GetCallerIdentity";
pub(crate) const GST: &str = "STS GetSessionToken";
pub(crate) const LAK: &str = "IAM ListAccessKeys";
pub(crate) const CAK: &str = "IAM CreateAccessKey";
pub(crate) const DAK: &str = "IAM DeleteAccessKey";
pub(crate) const UAK: &str = "IAM UpdateAccessKey";
pub(crate) const LU: &str = "IAM GetAccessKeyLastUsed";
pub(crate) const WRITES: [&str; 3] = [CAK, DAK, UAK];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// The operation executes but its reply is lost (a timeout).
    LoseReply,
    /// 503 before executing.
    Unavailable,
    AccessDenied,
    LimitExceeded,
    /// 400 Throttling: refused before executing.
    Throttle,
    /// No answer, and the operation did not run (yet): a test may make
    /// it run "late" with [`FakeAws::mint_key`].
    Timeout,
}

impl Fault {
    pub(crate) fn error(self, op: &'static str) -> AwsError {
        match self {
            Fault::LoseReply => AwsError {
                op,
                kind: ErrorKind::Unknown,
                code: None,
                status: None,
                message: "operation timeout: no response".into(),
            },
            Fault::Unavailable => service(op, "ServiceUnavailable", 503, "try again later"),
            Fault::AccessDenied => service(
                op,
                "AccessDenied",
                403,
                "User is not authorized to perform this action",
            ),
            Fault::LimitExceeded => service(
                op,
                "LimitExceeded",
                409,
                "Cannot exceed quota for AccessKeysPerUser: 2",
            ),
            Fault::Throttle => service(op, "Throttling", 400, "Rate exceeded"),
            Fault::Timeout => AwsError {
                op,
                kind: ErrorKind::Unknown,
                code: None,
                status: None,
                message: "operation timeout: no response".into(),
            },
        }
    }
}

pub(crate) fn service(op: &'static str, code: &str, status: u16, message: &str) -> AwsError {
    AwsError {
        op,
        kind: ErrorKind::Service,
        code: Some(code.into()),
        status: Some(status),
        message: message.into(),
    }
}

pub(crate) fn invalid_token(op: &'static str) -> AwsError {
    service(
        op,
        "InvalidClientTokenId",
        403,
        "The security token included in the request is invalid",
    )
}

/// Which calls signed with a key fail as not-yet-propagated: the first
/// `first`, and the calls numbered in `again` (1-based, per key).
#[derive(Clone, Debug, Default)]
pub(crate) struct Flaky {
    pub(crate) first: u32,
    pub(crate) again: Vec<u32>,
}

impl Flaky {
    pub(crate) fn delay(n: u32) -> Flaky {
        Flaky {
            first: n,
            again: Vec::new(),
        }
    }

    pub(crate) fn never() -> Flaky {
        Flaky::delay(u32::MAX)
    }

    pub(crate) fn fails(&self, nth: u32) -> bool {
        nth <= self.first || self.again.contains(&nth)
    }
}

#[derive(Clone, Debug)]
pub(crate) struct FakeKey {
    pub(crate) id: String,
    pub(crate) secret: String,
    pub(crate) user: String,
    pub(crate) active: bool,
    pub(crate) created: i64,
    pub(crate) signed: u32,
    pub(crate) flaky: Flaky,
}

pub(crate) struct FakeUser {
    pub(crate) name: String,
    pub(crate) arn: String,
    /// (serial, code): IAM calls need an MFA session.
    pub(crate) mfa: Option<(String, String)>,
}

pub(crate) struct Session {
    pub(crate) id: String,
    pub(crate) secret: String,
    pub(crate) token: String,
    pub(crate) user: String,
}

/// One call as the fake saw it.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub(crate) op: &'static str,
    /// The access key id the request was signed with.
    pub(crate) signer: String,
    /// The key the call acts on, if any.
    pub(crate) target: Option<String>,
    /// None on success, else the error code ("no-reply" for a lost reply).
    pub(crate) failed: Option<String>,
}

#[derive(Default)]
pub(crate) struct World {
    pub(crate) users: Vec<FakeUser>,
    pub(crate) keys: Vec<FakeKey>,
    pub(crate) sessions: Vec<Session>,
    pub(crate) minted: u32,
    pub(crate) clock: i64,
    /// Applied to every key CreateAccessKey makes.
    pub(crate) new_key_flaky: Flaky,
    pub(crate) scripted: HashMap<&'static str, VecDeque<Option<Fault>>>,
    pub(crate) sticky: HashMap<&'static str, Fault>,
    pub(crate) log: Vec<Call>,
    pub(crate) peak: HashMap<String, usize>,
    pub(crate) secrets: Vec<String>,
}

pub(crate) type Probe = Box<dyn Fn(&'static str, &str, Option<&str>)>;

#[derive(Default)]
pub(crate) struct FakeAws {
    pub(crate) w: Mutex<World>,
    /// Called before each call is served, without the world locked.
    pub(crate) probe: RefCell<Option<Probe>>,
}

impl World {
    pub(crate) fn user(&self, name: &str) -> &FakeUser {
        self.users.iter().find(|u| u.name == name).unwrap()
    }

    pub(crate) fn count(&self, user: &str) -> usize {
        self.keys.iter().filter(|k| k.user == user).count()
    }

    pub(crate) fn mint(&mut self, user: &str, flaky: Flaky) -> (String, String) {
        self.minted += 1;
        self.clock += 1;
        let n = self.minted;
        let id = format!("AKIANEWKEY{n:010}");
        let secret = format!("mintedSecret{n:03}+{}", "Kp7".repeat(8));
        self.secrets.push(secret.clone());
        self.keys.push(FakeKey {
            id: id.clone(),
            secret: secret.clone(),
            user: user.to_string(),
            active: true,
            // Real time: orphan cleanup compares it with the journal's.
            created: i64::try_from(now_secs()).unwrap() + self.clock,
            signed: 0,
            flaky,
        });
        let count = self.count(user);
        let peak = self.peak.entry(user.to_string()).or_default();
        *peak = (*peak).max(count);
        (id, secret)
    }

    /// The user the request is signed as, or InvalidClientTokenId.
    pub(crate) fn authenticate(
        &mut self,
        op: &'static str,
        creds: &Creds,
    ) -> Result<String, AwsError> {
        if let Some(token) = &creds.session_token {
            return self
                .sessions
                .iter()
                .find(|s| {
                    s.id == creds.access_key_id
                        && s.secret == creds.secret.expose()
                        && s.token == token.expose()
                })
                .map(|s| s.user.clone())
                .ok_or_else(|| invalid_token(op));
        }
        let key = self
            .keys
            .iter_mut()
            .find(|k| k.id == creds.access_key_id && k.secret == creds.secret.expose())
            .filter(|k| k.active)
            .ok_or_else(|| invalid_token(op))?;
        key.signed += 1;
        if key.flaky.fails(key.signed) {
            return Err(invalid_token(op));
        }
        Ok(key.user.clone())
    }

    /// A user may manage its own keys only (the usual self-service policy).
    pub(crate) fn own(&self, op: &'static str, caller: &str, user: &str) -> Result<(), AwsError> {
        if !self.users.iter().any(|u| u.name == user) {
            return Err(service(op, "NoSuchEntity", 404, "The user cannot be found"));
        }
        if caller != user {
            return Err(Fault::AccessDenied.error(op));
        }
        Ok(())
    }

    pub(crate) fn serve<T>(
        &mut self,
        op: &'static str,
        creds: &Creds,
        run: impl FnOnce(&mut World, &str) -> Result<T, AwsError>,
    ) -> Result<T, AwsError> {
        let caller = self.authenticate(op, creds)?;
        if op.starts_with("IAM ")
            && creds.session_token.is_none()
            && self.user(&caller).mfa.is_some()
        {
            return Err(service(
                op,
                "AccessDenied",
                403,
                "explicit deny in an identity-based policy: no multi-factor authentication (MFA)",
            ));
        }
        let fault = match self.scripted.get_mut(op).and_then(VecDeque::pop_front) {
            Some(f) => f,
            None => self.sticky.get(op).copied(),
        };
        match fault {
            None => run(self, &caller),
            Some(Fault::LoseReply) => {
                let _ = run(self, &caller);
                Err(Fault::LoseReply.error(op))
            }
            Some(f) => Err(f.error(op)),
        }
    }
}

impl FakeAws {
    pub(crate) fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.w.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn add_user(&self, name: &str, arn: &str) {
        self.world().users.push(FakeUser {
            name: name.into(),
            arn: arn.into(),
            mfa: None,
        });
    }

    pub(crate) fn add_key(&self, user: &str, id: &str, secret: &str, active: bool) {
        let mut w = self.world();
        w.clock += 1;
        let created = 1_600_000_000 + w.clock;
        w.secrets.push(secret.into());
        w.keys.push(FakeKey {
            id: id.into(),
            secret: secret.into(),
            user: user.into(),
            active,
            created,
            signed: 0,
            flaky: Flaky::default(),
        });
    }

    /// A key made as CreateAccessKey would, outside the log (crash setups).
    pub(crate) fn mint_key(&self, user: &str) -> (String, String) {
        let mut w = self.world();
        assert!(w.count(user) < 2, "setup exceeds the 2-key limit");
        w.mint(user, Flaky::default())
    }

    /// Moves a key's CreateDate `secs` into the past.
    pub(crate) fn backdate(&self, id: &str, secs: i64) {
        let mut w = self.world();
        let k = w.keys.iter_mut().find(|k| k.id == id).unwrap();
        k.created -= secs;
    }

    pub(crate) fn remove_key(&self, id: &str) {
        self.world().keys.retain(|k| k.id != id);
    }

    pub(crate) fn require_mfa(&self, user: &str, serial: &str, code: &str) {
        let mut w = self.world();
        let u = w.users.iter_mut().find(|u| u.name == user).unwrap();
        u.mfa = Some((serial.into(), code.into()));
    }

    pub(crate) fn set_new_key_flaky(&self, f: Flaky) {
        self.world().new_key_flaky = f;
    }

    /// The next calls of `op` meet these faults in turn (None: no fault).
    pub(crate) fn script(&self, op: &'static str, faults: &[Option<Fault>]) {
        self.world()
            .scripted
            .entry(op)
            .or_default()
            .extend(faults.iter().copied());
    }

    /// Every call of `op` meets `fault` until [`FakeAws::clear_faults`].
    pub(crate) fn always(&self, op: &'static str, fault: Fault) {
        self.world().sticky.insert(op, fault);
    }

    pub(crate) fn clear_faults(&self) {
        let mut w = self.world();
        w.scripted.clear();
        w.sticky.clear();
    }

    pub(crate) fn keys(&self, user: &str) -> Vec<FakeKey> {
        self.world()
            .keys
            .iter()
            .filter(|k| k.user == user)
            .cloned()
            .collect()
    }

    pub(crate) fn key_ids(&self, user: &str) -> Vec<String> {
        self.keys(user).into_iter().map(|k| k.id).collect()
    }

    pub(crate) fn key(&self, id: &str) -> Option<FakeKey> {
        self.world().keys.iter().find(|k| k.id == id).cloned()
    }

    pub(crate) fn log(&self) -> Vec<Call> {
        self.world().log.clone()
    }

    pub(crate) fn clear_log(&self) {
        self.world().log.clear();
    }

    pub(crate) fn count(&self, op: &str) -> usize {
        self.log().iter().filter(|c| c.op == op).count()
    }

    /// The ops of the calls signed with `key_id`, in order.
    pub(crate) fn signed_with(&self, key_id: &str) -> Vec<&'static str> {
        self.log()
            .iter()
            .filter(|c| c.signer == key_id)
            .map(|c| c.op)
            .collect()
    }

    pub(crate) fn peak(&self, user: &str) -> usize {
        self.world().peak.get(user).copied().unwrap_or(0)
    }

    /// Every secret and session token the fake knows.
    pub(crate) fn all_secrets(&self) -> Vec<String> {
        self.world().secrets.clone()
    }

    pub(crate) fn set_probe(&self, p: impl Fn(&'static str, &str, Option<&str>) + 'static) {
        *self.probe.borrow_mut() = Some(Box::new(p));
    }

    pub(crate) fn call<T>(
        &self,
        op: &'static str,
        creds: &Creds,
        target: Option<&str>,
        run: impl FnOnce(&mut World, &str) -> Result<T, AwsError>,
    ) -> Result<T, AwsError> {
        if let Some(p) = self.probe.borrow().as_ref() {
            p(op, &creds.access_key_id, target);
        }
        let mut w = self.world();
        w.log.push(Call {
            op,
            signer: creds.access_key_id.clone(),
            target: target.map(str::to_string),
            failed: None,
        });
        let r = w.serve(op, creds, run);
        if let Err(e) = &r {
            w.log.last_mut().unwrap().failed =
                Some(e.code.clone().unwrap_or_else(|| "no-reply".into()));
        }
        r
    }
}

impl Aws for FakeAws {
    async fn caller_identity(&self, creds: &Creds) -> Result<Identity, AwsError> {
        self.call(GCI, creds, None, |w, caller| {
            Ok(Identity {
                arn: w.user(caller).arn.clone(),
                account: ACCOUNT.into(),
            })
        })
    }

    async fn list_access_keys(&self, creds: &Creds, user: &str) -> Result<Vec<KeyMeta>, AwsError> {
        self.call(LAK, creds, None, |w, caller| {
            w.own(LAK, caller, user)?;
            Ok(w.keys
                .iter()
                .filter(|k| k.user == user)
                .map(|k| KeyMeta {
                    id: k.id.clone(),
                    active: k.active,
                    created: Some(k.created),
                })
                .collect())
        })
    }

    async fn create_access_key(&self, creds: &Creds, user: &str) -> Result<NewKey, AwsError> {
        self.call(CAK, creds, None, |w, caller| {
            w.own(CAK, caller, user)?;
            if w.count(user) >= 2 {
                return Err(Fault::LimitExceeded.error(CAK));
            }
            let flaky = w.new_key_flaky.clone();
            let (id, secret) = w.mint(user, flaky);
            Ok(NewKey {
                id,
                secret: Secret::new(secret),
            })
        })
    }

    async fn delete_access_key(
        &self,
        creds: &Creds,
        user: &str,
        key_id: &str,
    ) -> Result<(), AwsError> {
        self.call(DAK, creds, Some(key_id), |w, caller| {
            w.own(DAK, caller, user)?;
            let before = w.keys.len();
            w.keys.retain(|k| !(k.id == key_id && k.user == user));
            if w.keys.len() == before {
                return Err(service(
                    DAK,
                    "NoSuchEntity",
                    404,
                    "The Access Key cannot be found",
                ));
            }
            Ok(())
        })
    }

    async fn set_key_active(
        &self,
        creds: &Creds,
        user: &str,
        key_id: &str,
        active: bool,
    ) -> Result<(), AwsError> {
        self.call(UAK, creds, Some(key_id), |w, caller| {
            w.own(UAK, caller, user)?;
            match w.keys.iter_mut().find(|k| k.id == key_id && k.user == user) {
                Some(k) => {
                    k.active = active;
                    Ok(())
                }
                None => Err(service(
                    UAK,
                    "NoSuchEntity",
                    404,
                    "The Access Key cannot be found",
                )),
            }
        })
    }

    async fn key_last_used(&self, creds: &Creds, key_id: &str) -> Result<LastUsed, AwsError> {
        self.call(LU, creds, Some(key_id), |w, caller| {
            match w.keys.iter().find(|k| k.id == key_id) {
                Some(k) if k.user == caller => Ok(LastUsed {
                    date: Some("2024-05-01T10:00:00Z".into()),
                    service: Some("s3".into()),
                    region: Some("eu-west-1".into()),
                }),
                _ => Err(Fault::AccessDenied.error(LU)),
            }
        })
    }

    async fn mfa_devices(&self, creds: &Creds, user: &str) -> Result<Vec<String>, AwsError> {
        // Listing one's MFA devices is allowed without MFA (AWS's own
        // force-MFA policy), so this op name avoids the fake's IAM gate.
        self.call("IAM-MFA ListMFADevices", creds, None, |w, _| {
            Ok(w.users
                .iter()
                .filter(|u| u.name == user)
                .filter_map(|u| u.mfa.as_ref().map(|(s, _)| s.clone()))
                .collect())
        })
    }

    async fn session_token(
        &self,
        creds: &Creds,
        mfa_serial: &str,
        code: &str,
    ) -> Result<Creds, AwsError> {
        let region = creds.region.clone();
        self.call(GST, creds, None, |w, caller| {
            if creds.session_token.is_some() {
                return Err(Fault::AccessDenied.error(GST));
            }
            match &w.user(caller).mfa {
                Some((s, c)) if s == mfa_serial && c == code => {}
                _ => {
                    return Err(service(
                        GST,
                        "AccessDenied",
                        403,
                        "MultiFactorAuthentication failed with invalid MFA one time pass code",
                    ))
                }
            }
            w.minted += 1;
            let n = w.minted;
            let s = Session {
                id: format!("ASIASESSION{n:09}"),
                secret: format!("sessionSecret{n:03}/{}", "Vv5".repeat(8)),
                token: format!("sessionToken{n:03}/{}", "Tt4".repeat(30)),
                user: caller.to_string(),
            };
            w.secrets.push(s.secret.clone());
            w.secrets.push(s.token.clone());
            let out = Creds {
                access_key_id: s.id.clone(),
                secret: Secret::new(s.secret.as_str()),
                session_token: Some(Secret::new(s.token.as_str())),
                region,
            };
            w.sessions.push(s);
            Ok(out)
        })
    }
}
