//! The rotation of one profile's access key: an explicit state machine
//! whose every state is persisted in a journal before the step that
//! leaves it, so a crash at any instant can be finished or undone. The
//! key is reached only through its home ([`crate::home::KeyHome`]): this
//! module never names a file format.
//!
//! ```text
//!   (resolve home, identify, list keys, make room)        [`Ctx::prepare`]
//!        │ journal written: Started (old pair, keys before)
//!        ▼
//!   Started ──CreateAccessKey──▶ Created ──home write──▶ Written
//!      │ (refused: journal removed)  │                      │ verify N× with new key
//!      ▼                             │ (home lost old pair) ▼
//!    (none)                          └──▶ RollingBack ◀── Verified ──(hooks_done)──▶
//!                                           ▲  (bad key,    │ hooks ran
//!                                           │   timeout)    ▼
//!                                           └─(hook fails, confirm in home,
//!                                              --on-hook-failure rollback)  retire old
//!                                                                │
//!                                                                ▼ journal removed: done
//! ```
//!
//! Transitions (each in its own function, journal saved after each):
//! - Started → Created: [`Ctx::create_key`] (CreateAccessKey, each
//!   attempt recorded in `create_attempts` before it is sent, and what came
//!   of it after: refused, the key it made, or unknown), then the new pair
//!   in the journal.
//! - Created → Written: [`Ctx::write_new`] ([`KeyHome::write`]); a home
//!   that no longer held the old pair → RollingBack.
//! - Written → Verified: [`Ctx::verify_new`] ([`verify`]); the key not
//!   working in time → RollingBack.
//! - Verified, a destination not `Confirmed` → all confirmed:
//!   `Ctx::dests_step` ([`dests`]: each destination's progress in the
//!   journal, written then confirmed; a failure stops with both keys live,
//!   `DestinationFailed`, or with `--on-destination-failure rollback` →
//!   RollingBack, which first writes the old pair back to them).
//! - Verified, `hooks_done` false → true: [`Ctx::hooks_step`]; a failed
//!   hook stops with both keys live (`HookFailed`, `rotate --resume`
//!   finishes) or, with `--on-hook-failure rollback`, → RollingBack.
//! - Verified → done: [`Ctx::confirm_in_place`] (the home still holds the
//!   new pair; re-applied up to twice), [`Ctx::retire_old`], the journal
//!   removed.
//! - any → RollingBack → none: [`Ctx::rollback`], [`Ctx::undo`].
//!
//! Recovery rule of each state ([`Ctx::recover_journal`]) is written next
//! to its variant in [`State`]. Before any of them acts, the journal is
//! checked against IAM ([`Ctx::check_owner`]: its user owns its old key),
//! and a journal the user made obsolete is set aside
//! ([`Ctx::set_aside_if_obsolete`]). Errors of a recovery are never
//! "nothing changed" ([`RotateError::Recovering`]).
//!
//! Unattended conditions: CreateAccessKey is retried only on definite
//! rejections (throttling); verification polls at short, capped spacing
//! while the key propagates; MFA is used only when IAM denies the plain
//! key, with one session per user per run; `--jobs` bounds requests in
//! flight, not rotations waiting.
//!
//! Invariants: the journal (0600, fsynced) holds the old and the new pair,
//! so no key whose secret is lost survives recovery, and the home always
//! holds a pair that works or is about to be verified.
//!
//! Who signs: the rotated key itself, or, in admin mode ([`admin`]:
//! `rotate --user`/`--managed`, a journal whose home is
//! [`crate::home::managed`]), an operator ([`Aws::operator_creds`]) for
//! every IAM call and AWS destination, the new key signing only its own
//! verification (STS). The states and their recovery rules are the same.
//!
//! Layout: [`admin`] admin mode; [`batch`] runs many profiles in rounds; [`journal`] stores
//! journals and attempt records; [`verify`] polls; [`mfa`] holds the
//! run's MFA sessions; [`policy`] the run's settings; [`error`] the
//! errors.

mod admin;
mod batch;
mod dests;
mod drains;
mod error;
mod journal;
mod mfa;
mod policy;
mod verify;

pub use admin::{entry_for as managed_entry_for, user_settings};
pub use admin::{label as admin_label, recover_managed, rotate_users, UserOutcome};
pub use batch::{rotate, rotate_many, Results};
pub use drains::{advance_drains, advance_managed_drains, drain_dir, pending_drains, DrainReport};
pub use error::RotateError;
pub use journal::{
    journals, journals_in, sweep_attempts, sweep_attempts_unlocked, Attempt, Came, Journal, Sent,
};
pub use mfa::MfaSessions;
pub use policy::{OnDestinationFailure, OnHookFailure, Retire, Settings};

use error::*;
use journal::*;
use verify::*;

use crate::aws::{
    partition_of_region, partition_region, Aws, AwsError, Creds, LastUsed, Principal,
};
use crate::home::{Found, Home, HomeLock, HomeRef, Homes, KeyHome};
use crate::i18n::{tr, trf};
use crate::profile::{Place, Refusal, StaticKey};
use crate::secret::{mask, Secret};
use crate::store::{self, FileLock, StoreError};
use futures_util::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The persisted state of one rotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// The old pair and the keys before are journaled; CreateAccessKey may
    /// have been sent. Recovery: no secret of a new key exists on disk.
    /// Each CreateAccessKey sent without a readable answer
    /// (`create_attempts`, [`Came::Unknown`]) made at most one key, inside
    /// its window (its sending plus [`journal::LATE_S`], widened by the
    /// skew): a key of the user made there, not there before
    /// (`keys_before`) and tied to such a call alone ([`tie`]), is an
    /// orphan whose secret is lost: delete it, signing with the old key,
    /// and the call is settled. Any other key is reported, never deleted.
    /// The home was never written. A call still unsettled when the journal
    /// goes leaves an [`Attempt`] record, so a key IAM makes later still
    /// goes (and only one per call).
    Started,
    /// The new secret is durable in the journal; the home holds the old or
    /// the new pair (the write is atomic). Recovery: finish forward: write
    /// the new pair, delete orphans, verify, hooks, retire.
    Created,
    /// The home holds the new pair. Recovery: delete orphans, verify, then
    /// hooks and retire.
    Written,
    /// The new key worked N times in a row. Recovery: carry the new pair
    /// to each destination not yet `Confirmed` (see
    /// [`crate::dest::DestState`] for each one's rule), run the hooks
    /// unless `hooks_done`, confirm the home, retire the old key (already
    /// gone counts as done), signing with the new key; under `drain`,
    /// write its drain record instead (one already there is kept).
    Verified,
    /// Undoing (`rollback_reason` says why). Recovery: put the old pair back
    /// in every destination that may hold the new one, then in the home,
    /// delete the new key signing with the old one, delete orphans.
    RollingBack,
}

pub use crate::home::Paths;

/// How the rotation talks to the person (or the log) watching it.
pub trait Ui {
    /// The step now under way (a spinner on a TTY, a line otherwise).
    fn step(&self, profile: &str, msg: &str);
    fn warn(&self, msg: &str);
    /// Only called when `Settings::interactive`.
    fn confirm(&self, question: &str) -> bool;
    /// Only called when `Settings::interactive`.
    fn mfa_code(&self, serial: &str) -> Option<String>;
}

/// The result of one profile's rotation.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub profile: String,
    pub user_arn: String,
    pub old_key_id: String,
    pub new_key_id: String,
    pub retired: Retire,
    pub updated: Vec<Place>,
    pub backups: Vec<PathBuf>,
    /// The rotation was one a crash had interrupted.
    pub resumed: bool,
    /// Each destination serving the profile, all `confirmed`.
    pub destinations: Vec<crate::dest::DestReport>,
}

/// What `--dry-run` would do.
#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    pub profile: String,
    pub user_arn: String,
    pub old_key_id: String,
    pub would_delete: Vec<String>,
    pub retire: Retire,
    /// Under `drain`: the earliest the old key could be deactivated
    /// (RFC 3339): one grace after the write, if nothing uses it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drain_until: Option<String>,
    pub updated: Vec<Place>,
    /// Each destination serving the profile and its preflight result
    /// (`ready` or `refused`, with the error).
    pub destinations: Vec<crate::dest::DestReport>,
}

/// A key younger than `--max-age`: nothing to do.
#[derive(Clone, Debug, Serialize)]
pub struct Fresh {
    pub profile: String,
    pub key_id: String,
    pub age_days: u64,
}

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Outcome {
    Rotated(Summary),
    Planned(Plan),
    Fresh(Fresh),
    /// `--all` skipped a profile that cannot be rotated.
    Skipped {
        reason: String,
        code: &'static str,
    },
    /// The profile holds the same key as `with`, rotated together.
    SharedWith {
        with: String,
    },
}

/// The old key's owner, from STS GetCallerIdentity.
struct Identified {
    identity: crate::aws::Identity,
    user: String,
    old: Creds,
}

/// How far [`Ctx::prepare`] got.
enum Prepared {
    Created(Box<(Journal, Creds)>),
    Planned(Plan),
    Fresh(Fresh),
}

/// Who a key that is not an IAM user's belongs to, and what to do about
/// it: the words of [`RotateError::NotIamUser`], which `status` shows too.
pub fn principal_text(p: &Principal) -> (&'static str, &'static str) {
    match p {
        Principal::Root => (tr("principal.root"), tr("principal.root_hint")),
        Principal::AssumedRole => (
            tr("principal.assumed_role"),
            tr("principal.assumed_role_hint"),
        ),
        Principal::Federated => (tr("principal.federated"), tr("principal.federated_hint")),
        _ => (tr("principal.unknown"), tr("principal.unknown_hint")),
    }
}

/// A key's last use in words, for the messages about a second key.
pub fn last_used_text(l: &LastUsed) -> String {
    match &l.date {
        None => tr("last_used.never").to_string(),
        Some(date) => trf(
            "last_used.at",
            &[
                ("date", date),
                (
                    "service",
                    &l.service
                        .as_deref()
                        .unwrap_or(tr("last_used.unknown_service")),
                ),
                (
                    "region",
                    &l.region
                        .as_deref()
                        .unwrap_or(tr("last_used.unknown_region")),
                ),
            ],
        ),
    }
}

/// Test hook: `KEYTURN_FAILPOINT=<name>` aborts the process at that point,
/// the way a kill -9 or a power cut would, so end-to-end tests can check
/// recovery from states that no network request marks.
fn failpoint(name: &str) {
    if store::failpoint_is(name) {
        std::process::abort();
    }
}

pub(crate) use crate::util::time::now_secs;

/// Locks both files (existing ones only: a lock must not create
/// `~/.aws`) for the whole run, so two keyturn runs never interleave.
pub fn lock_files(paths: &Paths, s: &Settings) -> Result<Vec<FileLock>, RotateError> {
    Ok(crate::home::files::lock_files(paths, s.lock_wait)?)
}

/// What every step of a rotation needs; the locks prove the files are ours.
pub struct Ctx<'a, A> {
    pub aws: &'a A,
    pub ui: &'a dyn Ui,
    pub paths: &'a Paths,
    pub s: &'a Settings,
    pub locks: &'a [FileLock],
    /// The run's MFA sessions (`&Default::default()` to start a run).
    pub mfa: &'a MfaSessions,
}

impl<A> Ctx<'_, A> {
    /// The run's view of every key home.
    fn homes(&self) -> Homes<'_> {
        Homes {
            paths: self.paths,
            locks: self.locks,
            keep_backups: self.s.keep_backups,
            update_shared: self.s.update_shared,
            keystores: self.s.keystores.as_ref(),
        }
    }

    /// The home a journal names.
    fn home_of(&self, j: &Journal) -> Home<'_> {
        self.homes().open(&j.profile, &j.home)
    }
}

/// Finishes or undoes every interrupted rotation beside the files, without
/// starting new ones (`keyturn recover`).
pub async fn recover_all<A: Aws>(
    cx: &Ctx<'_, A>,
) -> Result<Vec<(String, Result<Recovered, RotateError>)>, RotateError> {
    sweep_attempts(cx).await;
    let mut out = Vec::new();
    for (_, j) in journals(cx.paths)? {
        let profile = j.profile.clone();
        let r = match cx.set_aside_if_obsolete(&j).await {
            Ok(Some(copy)) => Ok(Recovered::SetAside(copy)),
            Ok(None) => cx.recover_journal(j).await.map(|r| match r {
                Some(summary) => Recovered::Finished(summary),
                None => Recovered::Undone,
            }),
            Err(e) => Err(e.after_change()),
        };
        out.push((
            profile.clone(),
            r.map_err(|e| say_left(cx.paths, &profile, e)),
        ));
    }
    Ok(out)
}

/// What recovering one journal did.
#[derive(Debug)]
pub enum Recovered {
    /// Finished forward: the rotation is done.
    Finished(Summary),
    /// Undone: the old key is in place, the new one gone.
    Undone,
    /// The journal no longer applied (the user replaced both its keys):
    /// set aside, its copy without secrets at this path.
    SetAside(PathBuf),
}

impl<A: Aws> Ctx<'_, A> {
    /// STS GetCallerIdentity with the old key: it must be an IAM user.
    async fn identify(&self, key: &StaticKey) -> Result<Identified, RotateError> {
        let (aws, ui) = (self.aws, self.ui);
        let profile = key.profile.clone();
        let aws_err = |step| aws_error(&profile, step);
        if self.s.env_access_key_id.as_deref() == Some(key.access_key_id.as_str()) {
            ui.warn(&trf("warn.env_key", &[("key", &mask(&key.access_key_id))]));
        }
        let region = partition_region(partition_of_region(key.region.as_deref()));
        let old = Creds::new(&key.access_key_id, &key.secret, region);

        ui.step(&profile, tr("step.identify"));
        let identity = aws
            .caller_identity(&old)
            .await
            .map_err(aws_err("STS GetCallerIdentity"))?;
        let user = match identity.principal() {
            Principal::User { name, partition } if partition_region(&partition) == region => name,
            Principal::User { partition, .. } => {
                return Err(RotateError::Stuck {
                    profile,
                    detail: trf("detail.partition", &[("partition", &partition)]),
                })
            }
            other => {
                let (what, hint) = principal_text(&other);
                return Err(RotateError::NotIamUser {
                    profile,
                    arn: identity.arn,
                    what,
                    hint,
                });
            }
        };
        Ok(Identified {
            identity,
            user,
            old,
        })
    }

    /// Everything up to a durably journaled new key (state `Created`), or
    /// the plan (`--dry-run`), or "fresh" (`--max-age`).
    async fn prepare(&self, found: Found<'_>, id: Identified) -> Result<Prepared, RotateError> {
        let Found { key, home } = found;
        let profile = key.profile.clone();
        let (keys, iam, mfa_serial) = self.list_keys(&key, &id).await?;
        let Identified {
            identity,
            user,
            old,
        } = id;
        let Some(current) = keys.iter().find(|k| k.id == key.access_key_id) else {
            return Err(RotateError::UnknownKey {
                profile,
                user,
                key: mask(&key.access_key_id),
            });
        };
        if let Some(fresh) = self.fresh(&key, current) {
            return Ok(Prepared::Fresh(fresh));
        }
        let (yes, other_active) = (self.s.yes, self.s.delete_other_active);
        let to_delete = self
            .room_for(
                &profile,
                &user,
                &keys,
                &key.access_key_id,
                &iam,
                yes,
                other_active,
            )
            .await?;
        let updated = self.places_to_update(&key);
        // Every destination checked before any change (no key made, no
        // inactive key deleted, no journal): a failure changes nothing.
        let dests = self.dests_for(&profile, key.region.as_deref(), &old.region);
        let destinations = self.preflight_dests(&profile, &old, &dests).await;
        if self.s.dry_run {
            return Ok(Prepared::Planned(Plan {
                profile,
                user_arn: identity.arn,
                old_key_id: key.access_key_id,
                would_delete: to_delete,
                retire: self.s.retire,
                drain_until: admin::drain_until(self.s.retire, self.s),
                updated,
                destinations,
            }));
        }
        if let Some(detail) = destinations.iter().find_map(|d| d.error.clone()) {
            return Err(RotateError::DestinationRefused { profile, detail });
        }
        self.make_room(&profile, &user, &to_delete, &iam).await?;
        let j = Journal {
            version: 1,
            state: State::Started,
            profile: profile.clone(),
            home: home.locator(),
            user_arn: identity.arn.clone(),
            user_name: user.clone(),
            region: old.region.clone(),
            mfa_serial,
            retire: self.s.retire,
            started_at: now_secs(),
            old_key_id: key.access_key_id.clone(),
            old_secret: key.secret.clone(),
            keys_before: vec![key.access_key_id.clone()],
            new_key_id: None,
            new_secret: None,
            rollback_reason: None,
            hooks_done: false,
            create_attempts: Vec::new(),
            destinations: dests,
        };
        self.start_and_create(j, iam).await
    }

    /// The two states every rotation enters the same way, whoever signs:
    /// Started is persisted before CreateAccessKey (a crash after it finds
    /// the attempt records), then Created with the new secret. Recovery
    /// rule of the gap between the two: only memory holds the secret, so a
    /// failed persist deletes the new key at once.
    async fn start_and_create(&self, mut j: Journal, iam: Creds) -> Result<Prepared, RotateError> {
        persist(&j).await?;
        failpoint("after-journal-started");
        let new = self.create_key(&mut j, &iam).await?;
        failpoint("after-create");
        j.new_key_id = Some(new.id.clone());
        j.new_secret = Some(new.secret.clone());
        j.state = State::Created;
        if let Err(e) = persist(&j).await {
            let _ = self
                .aws
                .delete_access_key(&iam, &j.user_name, &new.id)
                .await;
            return Err(e);
        }
        failpoint("after-journal-created");
        Ok(Prepared::Created(Box::new((j, iam))))
    }

    /// The user's keys, and what IAM calls are signed with: the plain key
    /// first (`mfa_serial` only names the device, and most policies let a
    /// user manage their own keys without MFA); the run's MFA session when
    /// IAM demanded one. The serial returned goes in the journal.
    async fn list_keys(
        &self,
        key: &StaticKey,
        id: &Identified,
    ) -> Result<(Vec<crate::aws::KeyMeta>, Creds, Option<String>), RotateError> {
        let profile = &key.profile;
        let aws_err = |source| RotateError::Aws {
            profile: profile.clone(),
            step: "IAM ListAccessKeys",
            source,
        };
        let (mut iam, mut mfa_serial) = match self.mfa.cached(&id.identity.arn).await {
            Some((session, serial)) => (session, Some(serial)),
            None => (id.old.clone(), None),
        };
        self.ui.step(profile, tr("step.list_keys"));
        let keys = match self.aws.list_access_keys(&iam, &id.user).await {
            Ok(keys) => keys,
            Err(e) if e.is_access_denied() && iam.session_token.is_none() => {
                let (session, serial) = self
                    .mfa_after_denial(
                        e,
                        &id.old,
                        &id.identity.arn,
                        &id.user,
                        key.mfa_serial.as_deref(),
                        profile,
                    )
                    .await?;
                iam = session;
                mfa_serial = Some(serial);
                self.aws
                    .list_access_keys(&iam, &id.user)
                    .await
                    .map_err(aws_err)?
            }
            Err(e) => return Err(aws_err(e)),
        };
        Ok((keys, iam, mfa_serial))
    }

    /// `--max-age`: the key is younger than asked, nothing to do.
    fn fresh(&self, key: &StaticKey, current: &crate::aws::KeyMeta) -> Option<Fresh> {
        let (max, created) = (self.s.max_age?, current.created?);
        let age = now_secs().saturating_sub(u64::try_from(created).unwrap_or(0));
        (age < max.as_secs()).then(|| Fresh {
            profile: key.profile.clone(),
            key_id: key.access_key_id.clone(),
            age_days: age / 86_400,
        })
    }

    /// The user's other key, which must go to make room for the new one
    /// (IAM allows two): an active one only with `delete_other_active`
    /// (`--delete-other-active`, or a `[[users]]` entry's), an inactive
    /// one with `yes` (`--yes`, or the entry's `delete_inactive`), a
    /// confirmation, or when keyturn retired it itself. Err (TwoKeys,
    /// naming the other key's last use) when it may not go.
    #[allow(clippy::too_many_arguments)]
    async fn room_for(
        &self,
        profile: &str,
        user: &str,
        keys: &[crate::aws::KeyMeta],
        current: &str,
        iam: &Creds,
        yes: bool,
        delete_other_active: bool,
    ) -> Result<Vec<String>, RotateError> {
        let (aws, ui, s) = (self.aws, self.ui, self.s);
        let (profile, user) = (profile.to_string(), user.to_string());
        let mut to_delete = Vec::new();
        for other in keys.iter().filter(|k| k.id != current) {
            if other.active {
                let last = aws
                    .key_last_used(iam, &other.id)
                    .await
                    .map(|l| last_used_text(&l))
                    .unwrap_or_else(|_| tr("last_used.unknown").into());
                if !delete_other_active {
                    return Err(RotateError::TwoKeys {
                        profile: profile.clone(),
                        user: user.clone(),
                        detail: trf(
                            "detail.other_active",
                            &[("key", &mask(&other.id)), ("last", &last)],
                        ),
                    });
                }
                ui.warn(&trf(
                    "warn.delete_other_active",
                    &[("key", &mask(&other.id)), ("last", &last)],
                ));
            } else if !(yes || retired_by_us(&self.homes(), &other.id)) {
                let question = trf(
                    "ask.delete_inactive",
                    &[("user", &user), ("key", &mask(&other.id))],
                );
                if !(s.interactive && !s.dry_run && ui.confirm(&question)) {
                    return Err(RotateError::TwoKeys {
                        profile: profile.clone(),
                        user: user.clone(),
                        detail: trf("detail.other_inactive", &[("key", &mask(&other.id))]),
                    });
                }
            }
            to_delete.push(other.id.clone());
        }

        Ok(to_delete)
    }

    /// The places the write will update: the home, and the sections
    /// sharing its key unless `--only-named` (then a warning names them).
    fn places_to_update(&self, key: &StaticKey) -> Vec<Place> {
        let mut updated = vec![key.home.clone()];
        if self.s.update_shared {
            updated.extend(key.sharers.iter().cloned());
        } else if !key.sharers.is_empty() {
            let names = key
                .sharers
                .iter()
                .map(|p| p.section.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            self.ui.warn(&trf("warn.sharers", &[("profiles", &names)]));
        }
        updated
    }

    /// Deletes the keys [`Self::room_needed`] named.
    async fn make_room(
        &self,
        profile: &str,
        user: &str,
        to_delete: &[String],
        iam: &Creds,
    ) -> Result<(), RotateError> {
        for id in to_delete {
            self.ui.step(profile, tr("step.delete_other"));
            match self.aws.delete_access_key(iam, user, id).await {
                Ok(()) => forget_retired(&self.homes(), id),
                Err(e) if e.is_no_such_entity() => {}
                Err(source) => {
                    return Err(RotateError::Aws {
                        profile: profile.to_string(),
                        step: tr("aws_step.delete_other"),
                        source,
                    })
                }
            }
        }
        Ok(())
    }

    /// CreateAccessKey, each attempt recorded in the journal first.
    async fn create_key(
        &self,
        j: &mut Journal,
        iam: &Creds,
    ) -> Result<crate::aws::NewKey, RotateError> {
        let (aws, ui, s) = (self.aws, self.ui, self.s);
        let (profile, user) = (j.profile.clone(), j.user_name.clone());
        let aws_err = |step| aws_error(&profile, step);
        // CreateAccessKey is never retried blindly: a lost reply may have
        // minted a key whose secret nobody has. A definite rejection (IAM
        // throttled it, or it never left) is retried with capped, jittered
        // backoff inside `--timeout`; an unknown outcome is cleaned up
        // inside this rotation's window, then tried again (3 at most).
        let deadline = store::deadline_after(s.timeout);
        let mut backoff = Backoff::new(s);
        let mut unknown = 0;
        let new = loop {
            ui.step(&profile, tr("step.create"));
            j.create_attempts.push(Sent {
                at: now_secs(),
                came: Came::Unknown,
            });
            persist(j).await?;
            let answer = aws.create_access_key(iam, &user).await;
            let last = j.create_attempts.len() - 1;
            let e = match answer {
                Ok(k) => {
                    j.create_attempts[last].came = Came::Key(k.id.clone());
                    break k;
                }
                Err(e) => e,
            };
            if !e.outcome_unknown() {
                j.create_attempts[last].came = Came::Refused;
            }
            let wait = backoff.next();
            let in_time = Instant::now()
                .checked_add(wait)
                .is_some_and(|t| t < deadline);
            if e.is_definite_retryable() && in_time {
                ui.step(&profile, &trf("step.create_throttled", &[("error", &e)]));
                tokio::time::sleep(wait).await;
                continue;
            }
            ui.warn(&trf("warn.create_failed", &[("error", &e)]));
            if e.outcome_unknown() {
                unknown += 1;
            }
            if unknown > 0 {
                self.delete_orphans(iam, j).await?;
            }
            if !e.outcome_unknown() || unknown >= 3 || !in_time {
                self.sync_record(j);
                discard(j).await?;
                return Err(aws_err("IAM CreateAccessKey")(e));
            }
            tokio::time::sleep(wait).await;
        };
        Ok(new)
    }

    /// Writes the new pair, verifies it, retires the old key. Serves a
    /// fresh rotation and the recovery of `Created`/`Written`/`Verified`.
    async fn forward(
        &self,
        j: Journal,
        iam: &Creds,
        resumed: bool,
    ) -> Result<Summary, RotateError> {
        let mut retired = false;
        let left = j.clone();
        self.forward_steps(j, iam, resumed, &mut retired)
            .await
            .map_err(|e| if retired { e } else { disk_left(&left, e) })
    }

    async fn forward_steps(
        &self,
        mut j: Journal,
        iam: &Creds,
        resumed: bool,
        retired: &mut bool,
    ) -> Result<Summary, RotateError> {
        let new_creds = j.new_creds().ok_or_else(|| RotateError::BadJournal {
            path: journal_path(&j),
            detail: tr("detail.no_new_key").into(),
        })?;
        let home = self.home_of(&j);
        let mut backups = Vec::new();
        if j.state == State::Created {
            match self.write_new(&home, &mut j, &new_creds).await? {
                Ok(made) => backups = made,
                Err(reason) => return self.rollback(j, iam, reason).await,
            }
        }
        if j.state == State::Written {
            if let Err(reason) = self.verify_new(&mut j, &new_creds).await? {
                return self.rollback(j, iam, &reason).await;
            }
        }
        if j.destinations
            .iter()
            .any(|d| d.state != crate::dest::DestState::Confirmed)
        {
            if let Err(reason) = self.dests_step(&mut j, &new_creds).await? {
                // A recovery of `Verified` signs with the new key, which
                // the rollback deletes: sign with the old one, alive until
                // the destinations and hooks are done.
                let old_iam = self.iam_creds(&j.old_creds(), &j).await?;
                return self.rollback(j, &old_iam, &reason).await;
            }
        }
        if !j.hooks_done {
            if let Err(reason) = self.hooks_step(&home, &mut j, &new_creds).await? {
                return self.rollback(j, iam, &reason).await;
            }
        }
        // A managed user has no local home: its destinations, all
        // confirmed above, are where the key is.
        if j.home.managed().is_none() {
            self.confirm_in_place(&home, &j, &new_creds).await?;
        }
        failpoint("after-confirm");
        self.retire_old(&j, iam, &new_creds).await?;
        *retired = true;
        failpoint("after-retire");
        self.sync_record(&j);
        discard(&j).await?;
        Ok(Summary {
            updated: home.holding(&new_creds.access_key_id).await?,
            profile: j.profile.clone(),
            user_arn: j.user_arn.clone(),
            old_key_id: j.old_key_id.clone(),
            new_key_id: new_creds.access_key_id.clone(),
            retired: j.retire,
            backups,
            resumed,
            destinations: dests::dest_reports(&j),
        })
    }

    /// `Created` → `Written`: the new pair in its home. Ok(Err(reason))
    /// when the home no longer held the old pair (roll back).
    async fn write_new(
        &self,
        home: &Home<'_>,
        j: &mut Journal,
        new: &Creds,
    ) -> Result<Result<Vec<PathBuf>, &'static str>, RotateError> {
        self.ui.step(&j.profile, tr("step.write"));
        let written = self
            .write_home(home, &j.old_key_id, &new.access_key_id, &new.secret)
            .await?;
        let holds_new = !home.holding(&new.access_key_id).await?.is_empty();
        if !written.changed && !holds_new {
            return Ok(Err(tr("reason.file_changed")));
        }
        failpoint("after-file-written");
        j.state = State::Written;
        persist(j).await?;
        Ok(Ok(written.backups))
    }

    /// `Written` → `Verified`: the new key works N times in a row.
    /// Ok(Err(reason)) when it does not (roll back).
    async fn verify_new(
        &self,
        j: &mut Journal,
        new: &Creds,
    ) -> Result<Result<(), String>, RotateError> {
        self.ui.step(&j.profile, tr("step.verify"));
        // Under an MFA policy IAM reads need a session; STS
        // GetCallerIdentity alone still proves the key.
        // Admin mode: a service user's key may have no IAM permission at
        // all, and GetCallerIdentity needs none.
        let iam_read = j.mfa_serial.is_none() && j.home.managed().is_none();
        if let Err(reason) = verify(self.aws, new, j, iam_read, self.s).await {
            return Ok(Err(reason));
        }
        failpoint("after-verify");
        j.state = State::Verified;
        persist(j).await?;
        Ok(Ok(()))
    }

    /// `Verified`, hooks not done → done. A failed hook stops the rotation
    /// with both keys alive (Err HookFailed), or with `--on-hook-failure
    /// rollback` asks for a rollback (Ok(Err(reason))).
    async fn hooks_step(
        &self,
        home: &Home<'_>,
        j: &mut Journal,
        new: &Creds,
    ) -> Result<Result<(), String>, RotateError> {
        if let Err(detail) = self.run_hooks(home, j, new).await {
            if self.s.on_hook_failure == OnHookFailure::Rollback {
                return Ok(Err(detail));
            }
            return Err(RotateError::HookFailed {
                detail: trf(
                    "detail.hook_failed",
                    &[
                        ("detail", &detail),
                        ("new", &mask(&new.access_key_id)),
                        ("old", &mask(&j.old_key_id)),
                        ("profile", &j.profile),
                    ],
                ),
                profile: j.profile.clone(),
            });
        }
        j.hooks_done = true;
        persist(j).await?;
        failpoint("after-hooks");
        Ok(Ok(()))
    }

    /// Retires the old key, signing with the new key (the old one may be
    /// half-dead to other callers already); under MFA, with the MFA
    /// session.
    async fn retire_old(&self, j: &Journal, iam: &Creds, new: &Creds) -> Result<(), RotateError> {
        // Admin mode: the operator signs (a service user's key usually
        // has no IAM permission at all).
        let signer = if j.mfa_serial.is_some() || j.home.managed().is_some() {
            iam.clone()
        } else {
            new.clone()
        };
        let mode = match j.retire {
            Retire::Delete => "delete",
            Retire::Deactivate => "deactivate",
            // The old key stays Active: its drain is recorded, and this
            // and later runs advance it (`drains`).
            Retire::Drain => return self.begin_drain(j, new),
        };
        self.ui
            .step(&j.profile, &trf("step.retire", &[("mode", &mode)]));
        retire(self.aws, self.ui, &signer, j, self.s)
            .await
            .map_err(|source| RotateError::Aws {
                profile: j.profile.clone(),
                step: tr("aws_step.retire"),
                source,
            })?;
        if j.retire == Retire::Deactivate {
            remember_retired(&self.homes(), &j.old_key_id);
        }
        Ok(())
    }

    /// The confirm-before-retire rule: under the locks, re-read every file
    /// the rotation updated. If another program put the old pair back (an
    /// editor buffer, a dotfiles sync) or mangled the new one, write the
    /// new pair from the journal again, say so, and re-check. Err (the
    /// journal kept, the old key alive) if it will not stay.
    async fn confirm_in_place(
        &self,
        home: &Home<'_>,
        j: &Journal,
        new: &Creds,
    ) -> Result<(), RotateError> {
        for attempt in 0..3 {
            let pair = home.read().await?;
            let home_id = pair.as_ref().map(|(id, _)| id.as_str());
            let home_ok = pair.as_ref().is_some_and(|(id, secret)| {
                *id == new.access_key_id && secret.expose() == new.secret.expose()
            });
            // The home's scope: with --only-named, sharers keep the old key
            // on purpose and are not the home's.
            let stale = home_id == Some(j.old_key_id.as_str())
                || !home.holding(&j.old_key_id).await?.is_empty();
            if home_ok && !stale {
                return Ok(());
            }
            if attempt == 2 {
                break;
            }
            self.ui.warn(&trf(
                "warn.reapplied",
                &[
                    ("path", &home.describe()),
                    ("key", &mask(&new.access_key_id)),
                ],
            ));
            if stale {
                self.write_home(home, &j.old_key_id, &new.access_key_id, &new.secret)
                    .await?;
            } else if home_id == Some(new.access_key_id.as_str()) {
                // The new id with a wrong secret: the journal's is right.
                self.write_home(home, &new.access_key_id, &new.access_key_id, &new.secret)
                    .await?;
            }
        }
        Err(RotateError::Stuck {
            profile: j.profile.clone(),
            detail: trf(
                "detail.not_confirmed",
                &[
                    ("path", &home.describe()),
                    ("new", &mask(&new.access_key_id)),
                    ("old", &mask(&j.old_key_id)),
                ],
            ),
        })
    }

    /// Runs, in order, every hook serving a profile that now holds the
    /// new key. Err names the hook that failed.
    async fn run_hooks(&self, home: &Home<'_>, j: &Journal, new: &Creds) -> Result<(), String> {
        if self.s.hooks.is_empty() {
            return Ok(());
        }
        let mut profiles = vec![j.profile.clone()];
        if let Ok(places) = home.holding(&new.access_key_id).await {
            for p in places.into_iter().filter_map(|p| p.profile) {
                if !profiles.contains(&p) {
                    profiles.push(p);
                }
            }
        }
        let input = crate::hooks::HookInput {
            profile: &j.profile,
            profiles: &profiles,
            user_arn: &j.user_arn,
            user_name: &j.user_name,
            old_key_id: &j.old_key_id,
            new_key_id: &new.access_key_id,
            new_secret: &new.secret,
            old_secret: Some(&j.old_secret),
        };
        for hook in self
            .s
            .hooks
            .iter()
            .filter(|h| profiles.iter().any(|p| h.serves(p)))
        {
            self.ui
                .step(&j.profile, &trf("step.hook", &[("name", &hook.name)]));
            crate::hooks::run_hook(hook, &input).await?;
        }
        Ok(())
    }

    /// [`KeyHome::write`], then [`KeyHome::after_write`] if it wrote.
    async fn write_home(
        &self,
        home: &Home<'_>,
        from: &str,
        to: &str,
        secret: &Secret,
    ) -> Result<crate::home::Written, RotateError> {
        let w = home.write(from, to, secret).await?;
        if w.changed {
            home.after_write().await?;
        }
        Ok(w)
    }

    /// Deletes the keys this rotation's unanswered CreateAccessKey calls
    /// made (their secret is lost): each call made at most one, inside its
    /// window ([`tie`]); the call is then settled (`Came::Key`) and the
    /// journal saved. Any other key of the user is reported, never deleted.
    async fn delete_orphans(&self, iam: &Creds, j: &mut Journal) -> Result<usize, RotateError> {
        let profile = j.profile.clone();
        let aws_err = |step| aws_error(&profile, step);
        let keys = self
            .aws
            .list_access_keys(iam, &j.user_name)
            .await
            .map_err(aws_err(tr("aws_step.list_orphans")))?;
        let open = j.open_attempts();
        let windows: Vec<(u64, u64)> = open.iter().map(|(_, w)| *w).collect();
        let others: Vec<&crate::aws::KeyMeta> = keys.iter().filter(|k| !j.knows(&k.id)).collect();
        let tied = tie(&windows, &created_of(&others));
        report_untied(self.ui, &j.user_name, &windows, &others, &tied);
        let mut n = 0;
        for (w, id) in tied.pairs {
            self.ui.warn(&trf("warn.orphan", &[("key", &mask(&id))]));
            match self.aws.delete_access_key(iam, &j.user_name, &id).await {
                Ok(()) => n += 1,
                Err(e) if e.is_no_such_entity() => {}
                Err(e) => return Err(aws_err(tr("aws_step.delete_orphan"))(e)),
            }
            j.create_attempts[open[w].0].came = Came::Key(id);
        }
        if n > 0 {
            persist(j).await?;
        }
        Ok(n)
    }

    /// Puts the old pair back, deletes the new key signing with the old
    /// one, and reports failure with the old key still in place.
    async fn rollback(
        &self,
        mut j: Journal,
        iam: &Creds,
        reason: &str,
    ) -> Result<Summary, RotateError> {
        self.ui
            .warn(&trf("warn.rolling_back", &[("reason", &reason)]));
        j.state = State::RollingBack;
        j.rollback_reason = Some(reason.to_string());
        persist(&j).await?;
        failpoint("rollback-after-journal");
        self.undo(&j, iam).await?;
        Err(RotateError::RolledBack {
            profile: j.profile.clone(),
            detail: trf(
                "detail.rolled_back",
                &[("reason", &reason), ("key", &mask(&j.old_key_id))],
            ),
        })
    }

    /// The idempotent body of a rollback, and of recovering `Started`.
    async fn undo(&self, j: &Journal, iam: &Creds) -> Result<(), RotateError> {
        // Destinations first: while they are restored the new key still
        // exists, so a crash here leaves a rollback a rerun can finish.
        self.restore_dests(&mut j.clone()).await?;
        if let Some(new_id) = &j.new_key_id {
            let home = self.home_of(j);
            self.write_home(&home, new_id, &j.old_key_id, &j.old_secret)
                .await?;
            failpoint("rollback-after-file");
            match self.aws.delete_access_key(iam, &j.user_name, new_id).await {
                Ok(()) => {}
                Err(e) if e.is_no_such_entity() => {}
                Err(source) => {
                    return Err(RotateError::Aws {
                        profile: j.profile.clone(),
                        step: tr("aws_step.delete_new"),
                        source,
                    })
                }
            }
        }
        let mut settled = j.clone();
        self.delete_orphans(iam, &mut settled).await?;
        self.sync_record(&settled);
        discard(j).await?;
        Ok(())
    }

    /// Finishes or undoes one interrupted rotation. Returns the summary
    /// when it finished forward (the rotation is done), None when undone.
    pub async fn recover_journal(&self, j: Journal) -> Result<Option<Summary>, RotateError> {
        self.recover_steps(j)
            .await
            .map_err(RotateError::after_change)
    }

    async fn recover_steps(&self, mut j: Journal) -> Result<Option<Summary>, RotateError> {
        let profile = j.profile.clone();
        j.settle_made();
        self.check_owner(&j).await?;
        let old = j.old_creds();
        // Until the old key is retired it still signs; after Verified the
        // old key may already be gone (retired before the crash), so the
        // session, MFA or not, comes from the new key.
        let base = match j.state {
            State::Verified => j.new_creds().unwrap_or_else(|| old.clone()),
            _ => old.clone(),
        };
        let iam = self.iam_creds(&base, &j).await?;
        let _lock = self.home_of(&j).lock()?;
        match j.state {
            State::Started | State::RollingBack => {
                self.ui.step(&profile, tr("step.undo"));
                self.undo(&j, &iam).await?;
                Ok(None)
            }
            State::Created | State::Written | State::Verified => {
                self.ui.step(&profile, tr("step.finish"));
                if j.state != State::Verified {
                    self.delete_orphans(&iam, &mut j).await?;
                }
                match self.forward(j, &iam, true).await {
                    Ok(summary) => Ok(Some(summary)),
                    Err(RotateError::RolledBack { .. }) => Ok(None),
                    Err(e) => Err(e),
                }
            }
        }
    }

    /// Before a recovery deletes or deactivates any key: the journal's
    /// user must be the one who owns its old key (the key the home held),
    /// so a journal edited to name another user's keys is refused, not
    /// obeyed (every delete and deactivate names that user, and IAM
    /// refuses a key of anyone else). Asked of STS with the old key; once
    /// that is gone (retired), with the new one. Neither working: nothing
    /// can be signed, so nothing can be deleted.
    async fn check_owner(&self, j: &Journal) -> Result<(), RotateError> {
        // Past Verified the old key may be gone: the new one first.
        // Admin mode never knows the old secret (it lives only in the
        // destinations): the new key answers, and the journal's folder is
        // ours alone (`$XDG_STATE_HOME/keyturn`, 0700).
        let old = j.home.managed().is_none().then(|| j.old_creds());
        let keys = match j.state {
            State::Verified => [j.new_creds(), old],
            _ => [old, j.new_creds()],
        };
        for creds in keys.into_iter().flatten() {
            let id = match self.aws.caller_identity(&creds).await {
                Ok(id) => id,
                // This key is gone (or, a new one, not known everywhere yet).
                Err(e) if e.is_propagation() => continue,
                Err(e) => return Err(aws_error(&j.profile, "STS GetCallerIdentity")(e)),
            };
            let owner = match id.principal() {
                Principal::User { name, .. } => name,
                _ => id.arn.clone(),
            };
            if id.arn == j.user_arn && owner == j.user_name {
                return Ok(());
            }
            return Err(RotateError::JournalOtherUser {
                path: journal_path(j),
                key: mask(&creds.access_key_id),
                owner: id.arn,
                user: j.user_name.clone(),
            });
        }
        Ok(())
    }

    /// A journal the user made obsolete: neither of its keys exists in IAM
    /// any more and the home holds a pair the journal does not know (the
    /// user replaced the keys by hand). Its copy without secrets is kept
    /// (`obsolete/<journal>.<time>` in the state folder), the journal
    /// removed, and Some(the copy) returned; None when the journal still applies or that cannot
    /// be told (IAM not answering the home's key).
    pub async fn set_aside_if_obsolete(&self, j: &Journal) -> Result<Option<PathBuf>, RotateError> {
        let home = self.home_of(j);
        let _lock = home.lock()?;
        let Some((id, secret)) = home.read().await? else {
            return Ok(None);
        };
        if id == j.old_key_id || j.new_key_id.as_deref() == Some(id.as_str()) {
            return Ok(None);
        }
        let creds = Creds::new(&id, &secret, &j.region);
        let Ok(keys) = self.aws.list_access_keys(&creds, &j.user_name).await else {
            return Ok(None);
        };
        let journal_key = |k: &crate::aws::KeyMeta| {
            k.id == j.old_key_id || j.new_key_id.as_deref() == Some(k.id.as_str())
        };
        if keys.iter().any(journal_key) {
            return Ok(None);
        }
        let mut copy = j.clone();
        copy.old_secret = Secret::new("");
        copy.new_secret = None;
        let name = journal_path(j)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let path = j
            .home
            .state_dir()
            .join("obsolete")
            .join(format!("{name}.{}", now_secs()));
        let bytes = serde_json::to_vec_pretty(&copy).map_err(|e| RotateError::BadJournal {
            path: journal_path(j),
            detail: e.to_string(),
        })?;
        store::write_private(&path, &bytes)?;
        self.sync_record(j);
        discard(j).await?;
        self.ui.warn(&trf(
            "warn.journal_obsolete",
            &[
                ("profile", &j.profile),
                ("old", &mask(&j.old_key_id)),
                (
                    "new",
                    &j.new_key_id
                        .as_deref()
                        .map(mask)
                        .unwrap_or_else(|| "-".into()),
                ),
                ("key", &mask(&id)),
                ("copy", &path.display()),
            ],
        ));
        Ok(Some(path))
    }
}

// Unix modes in the fixtures; Windows runs the platform tests and the
// tests/windows subset instead.
#[cfg(all(test, unix))]
mod tests;
