//! Drains: the `--retire drain` end of a rotation (the record written
//! instead of retiring the old key) and the advance of every pending
//! drain: profiles' beside the files, signed by the profile's current key
//! ([`advance_drains`]); managed users' in the admin state folder, signed
//! by the operator as their rotation is, the entry's `role_arn` assumed
//! ([`advance_managed_drains`]). A managed drain whose `[[users]]` entry
//! is gone is reported and left alone: without the entry keyturn does not
//! know which role reaches the key, nor that anyone still wants it gone.
//! The engine and the record are [`crate::drain`]'s; this module only
//! finds the signer, stores the result and says what happened.
//!
//! Recovery rules: see [`crate::drain`]. A drain never blocks anything
//! else: each one's failure is reported in its own [`DrainReport`] and
//! the record stays for the next run.

use super::*;
use crate::drain::{self, Advanced, DrainRecord, LastUse};
use crate::retire::{Decision, Phase};

/// Where profiles' drain records live: beside the credentials file's
/// other state (`.keyturn/drain/`).
pub fn drain_dir(paths: &Paths) -> Option<PathBuf> {
    crate::home::files::retired_path(paths)
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .map(|state| drain::drain_dir(&state))
}

/// Every pending drain of the profiles (read-only: `status`, `audit`).
pub fn pending_drains(paths: &Paths) -> Vec<DrainRecord> {
    drain_dir(paths)
        .map(|d| drain::pending(&d))
        .unwrap_or_default()
}

/// What a run did with one drain, for the report.
#[derive(Clone, Debug, Serialize)]
pub struct DrainReport {
    pub profile: String,
    pub user_name: String,
    /// A managed user's account (its entry's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    pub old_key_id: String,
    /// `waiting`, `deactivated`, `deleted`, `straggler`, `gone` or
    /// `failed`.
    pub action: &'static str,
    /// The old key's status after this run.
    pub phase: Phase,
    /// When the grace being counted started (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// When it ends if the key stays unused (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// `deactivated` past `drain_max` with `--force-drain`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub forced: bool,
    /// IAM's last use of the old key (the straggler's service and region).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used: Option<LastUse>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl DrainReport {
    fn of(rec: &DrainRecord, action: &'static str) -> DrainReport {
        DrainReport {
            profile: rec.profile.clone(),
            user_name: rec.user_name.clone(),
            account: rec.account.clone(),
            old_key_id: rec.old_key_id.clone(),
            action,
            phase: rec.phase,
            since: None,
            until: None,
            forced: false,
            last_used: rec.last_used.clone(),
            error: None,
        }
    }

    /// Whose drain it is: the profile, or a managed user's label
    /// (`user@account`, as `rotate --user` shows it).
    pub fn who(&self) -> String {
        if !self.profile.is_empty() {
            return self.profile.clone();
        }
        match &self.account {
            Some(a) => format!("{}@{a}", self.user_name),
            None => self.user_name.clone(),
        }
    }

    /// The report's line, in the user's language.
    pub fn text(&self) -> String {
        let key = &mask(&self.old_key_id);
        let profile = &crate::term::clean(&self.who()).into_owned();
        let last = &self
            .last_used
            .as_ref()
            .map(|l| last_used_text(&LastUsed::from(l)))
            .unwrap_or_else(|| tr("last_used.unknown").into());
        let since = &self.since.as_deref().unwrap_or("-");
        let until = &self.until.as_deref().unwrap_or("-");
        match (self.action, self.forced) {
            ("deactivated", true) => trf(
                "drain.forced",
                &[("profile", profile), ("key", key), ("last", last)],
            ),
            ("deactivated", false) => trf(
                "drain.deactivated",
                &[
                    ("profile", profile),
                    ("key", key),
                    ("last", last),
                    ("until", until),
                ],
            ),
            ("deleted" | "gone", _) => trf("drain.deleted", &[("profile", profile), ("key", key)]),
            ("straggler", _) => trf(
                "drain.straggler",
                &[
                    ("profile", profile),
                    ("key", key),
                    ("since", since),
                    ("last", last),
                ],
            ),
            ("failed", _) => trf(
                "drain.failed",
                &[
                    ("profile", profile),
                    ("key", key),
                    (
                        "error",
                        &crate::term::clean_text(self.error.as_deref().unwrap_or("")),
                    ),
                ],
            ),
            _ if self.phase == Phase::Inactive => trf(
                "drain.waiting_delete",
                &[
                    ("profile", profile),
                    ("key", key),
                    ("until", until),
                    ("last", last),
                ],
            ),
            _ => trf(
                "drain.waiting",
                &[
                    ("profile", profile),
                    ("key", key),
                    ("until", until),
                    ("last", last),
                ],
            ),
        }
    }
}

impl<A: Aws> Ctx<'_, A> {
    /// `--retire drain`: the old key stays Active; its drain starts now
    /// (after the destinations, hooks and home are confirmed, so never
    /// before the destinations were written). A record already there
    /// (a rerun after a crash) is kept.
    /// A managed user's record goes to the admin state folder the journal
    /// names, with `profile` empty and the entry's account.
    pub(crate) fn begin_drain(&self, j: &Journal, new: &Creds) -> Result<(), RotateError> {
        let (dir, profile, account) = match j.home.managed() {
            Some(m) => (
                drain::drain_dir(&m.state_dir),
                String::new(),
                super::admin::journal_account(j).map(str::to_string),
            ),
            None => match drain_dir(self.paths) {
                Some(dir) => (dir, j.profile.clone(), None),
                None => {
                    return Err(RotateError::Store(StoreError::Missing {
                        path: self.paths.credentials.clone(),
                    }))
                }
            },
        };
        let rec = DrainRecord {
            version: drain::VERSION,
            profile,
            user_name: j.user_name.clone(),
            account,
            user_arn: j.user_arn.clone(),
            region: j.region.clone(),
            old_key_id: j.old_key_id.clone(),
            new_key_id: new.access_key_id.clone(),
            written_at: drain::now(),
            grace_s: self.s.drain.grace_s,
            max_s: self.s.drain.max_s,
            phase: Phase::Active,
            deactivated_at: None,
            last_used: None,
            checked_at: None,
        };
        drain::begin(&dir, &rec)?;
        failpoint("after-drain-record");
        Ok(())
    }
}

/// Advances every pending drain of the profiles (see [`crate::drain`]),
/// one after another, each signed by its profile's current key. Never
/// fails: each drain's outcome, or why it could not advance, is in its
/// report.
pub async fn advance_drains<A: Aws>(cx: &Ctx<'_, A>) -> Vec<DrainReport> {
    let Some(dir) = drain_dir(cx.paths) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for mut rec in drain::pending(&dir) {
        let report = match advance_one(cx, &dir, &mut rec).await {
            Ok(r) => r,
            Err(e) => DrainReport {
                error: Some(e),
                ..DrainReport::of(&rec, "failed")
            },
        };
        out.push(report);
    }
    out
}

/// Advances every pending drain of managed users in `state_dir`'s
/// `drain/` (see [`crate::drain`]), one after another, each signed by the
/// operator (its entry's `role_arn` assumed, as the rotation does). Never
/// fails, never blocks a rotation: each drain's outcome, or why it could
/// not advance (its entry removed from the settings), is in its report.
pub async fn advance_managed_drains<A: Aws>(
    cx: &Ctx<'_, A>,
    users: &[crate::managed::ManagedUser],
    state_dir: &Path,
) -> Vec<DrainReport> {
    let dir = drain::drain_dir(state_dir);
    let mut out = Vec::new();
    for mut rec in drain::pending(&dir) {
        let report = match advance_managed_one(cx, users, &dir, &mut rec).await {
            Ok(r) => r,
            Err(e) => DrainReport {
                error: Some(e),
                ..DrainReport::of(&rec, "failed")
            },
        };
        out.push(report);
    }
    out
}

async fn advance_managed_one<A: Aws>(
    cx: &Ctx<'_, A>,
    users: &[crate::managed::ManagedUser],
    dir: &Path,
    rec: &mut DrainRecord,
) -> Result<DrainReport, String> {
    let Some(u) = super::admin::entry_for(users, &rec.user_name, rec.account.as_deref()) else {
        let who = DrainReport::of(rec, "failed").who();
        return Err(trf(
            "drain.no_entry",
            &[
                ("user", &crate::term::clean(&who).into_owned()),
                ("key", &mask(&rec.old_key_id)),
                (
                    "path",
                    &crate::term::clean(
                        &drain::record_path(dir, &rec.old_key_id)
                            .display()
                            .to_string(),
                    )
                    .into_owned(),
                ),
            ],
        ));
    };
    let region = partition_region(partition_of_region(Some(&rec.region)));
    let signer = cx
        .aws
        .operator_creds(u.spec.role_arn.as_deref(), region)
        .await
        .map_err(|e| e.detail())?;
    let advanced = drain::advance(cx.aws, &signer, rec, cx.s.drain.force, drain::now())
        .await
        .map_err(|e| e.detail())?;
    Ok(match advanced {
        Advanced::Gone { deleted_now } => {
            failpoint("after-drain-delete");
            drain::finish(dir, rec).map_err(|e| e.to_string())?;
            DrainReport::of(rec, if deleted_now { "deleted" } else { "gone" })
        }
        Advanced::Decided(d) => {
            if matches!(d, Decision::Deactivate { .. }) {
                failpoint("after-drain-deactivate");
            }
            drain::save(dir, rec).map_err(|e| e.to_string())?;
            decided_report(rec, d)
        }
    })
}

async fn advance_one<A: Aws>(
    cx: &Ctx<'_, A>,
    dir: &Path,
    rec: &mut DrainRecord,
) -> Result<DrainReport, String> {
    let (plain, serial) = profile_signer(cx, rec).await?;
    let now = drain::now();
    // The run's MFA session for this user if it has one; else the plain
    // key, and a session only when IAM denies it (as the rotation does).
    let signer = match cx.mfa.cached(&rec.user_arn).await {
        Some((session, _)) => session,
        None => plain.clone(),
    };
    let force = cx.s.drain.force;
    let advanced = match drain::advance(cx.aws, &signer, rec, force, now).await {
        Err(e) if e.is_access_denied() && signer.session_token.is_none() => {
            let (session, _) = cx
                .mfa_after_denial(
                    e,
                    &plain,
                    &rec.user_arn,
                    &rec.user_name,
                    serial.as_deref(),
                    &rec.profile,
                )
                .await
                .map_err(|e| e.to_string())?;
            drain::advance(cx.aws, &session, rec, force, now).await
        }
        r => r,
    }
    .map_err(|e| e.detail())?;
    let report = match advanced {
        Advanced::Gone { deleted_now } => {
            failpoint("after-drain-delete");
            forget_retired(&cx.homes(), &rec.old_key_id);
            drain::finish(dir, rec).map_err(|e| e.to_string())?;
            DrainReport::of(rec, if deleted_now { "deleted" } else { "gone" })
        }
        Advanced::Decided(d) => {
            if matches!(d, Decision::Deactivate { .. }) {
                failpoint("after-drain-deactivate");
                remember_retired(&cx.homes(), &rec.old_key_id);
            }
            drain::save(dir, rec).map_err(|e| e.to_string())?;
            decided_report(rec, d)
        }
    };
    Ok(report)
}

fn decided_report(rec: &DrainRecord, d: Decision) -> DrainReport {
    let base = DrainReport::of(rec, "waiting");
    match d {
        Decision::Wait { since, until, .. } => DrainReport {
            since: Some(rfc(since)),
            until: Some(rfc(until)),
            ..base
        },
        Decision::Deactivate { forced } => DrainReport {
            action: "deactivated",
            forced,
            since: rec.deactivated_at.map(rfc),
            until: rec
                .deactivated_at
                .map(|t| rfc(t.saturating_add(rec.grace_s))),
            ..base
        },
        Decision::Straggler { since } => DrainReport {
            action: "straggler",
            since: Some(rfc(since)),
            ..base
        },
        Decision::Delete => DrainReport {
            action: "deleted",
            ..base
        },
    }
}

fn rfc(t: u64) -> String {
    crate::util::time::rfc3339(t)
}

/// The profile's current key: it signs its own drain. Refused when the
/// profile holds the drained key again (someone put it back): keyturn
/// never retires the key a profile holds.
async fn profile_signer<A: Aws>(
    cx: &Ctx<'_, A>,
    rec: &DrainRecord,
) -> Result<(Creds, Option<String>), String> {
    let found = cx
        .homes()
        .find_all(std::slice::from_ref(&rec.profile))
        .await
        .map_err(|e| e.to_string())?
        .pop();
    let key = match found {
        Some((_, Ok(f))) => f.key,
        Some((_, Err(e))) => return Err(e.to_string()),
        None => return Err(trf("drain.no_profile", &[("profile", &rec.profile)])),
    };
    if key.access_key_id == rec.old_key_id {
        return Err(trf(
            "drain.holds_old",
            &[("profile", &rec.profile), ("key", &mask(&rec.old_key_id))],
        ));
    }
    let region = partition_region(partition_of_region(key.region.as_deref()));
    Ok((
        Creds::new(&key.access_key_id, &key.secret, region),
        key.mfa_serial.clone(),
    ))
}
