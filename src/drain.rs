//! Drains in progress: the `--retire drain` policy's state on disk and the
//! engine that advances it. A rotation with `--retire drain` ends, for the
//! old key, in a [`DrainRecord`] (ids and times, no secrets) in the state
//! folder (`.keyturn/drain/<old key id>.drain`, 0600 in a 0700 folder, the
//! same trust rules as the journals). Every later `rotate`, `recover` or
//! scheduled run advances every pending drain ([`advance`]), re-reading
//! the old key's status and last use from IAM and acting on
//! [`crate::retire::drain`]'s decision.
//!
//! The engine is independent of who signs: [`advance`] takes an [`Aws`]
//! handle, the credentials to sign with (a profile's current key, or an
//! operator's) and a record; its caller finds the signer and stores the
//! record (`rotate::drains`: profiles' records in `.keyturn/drain/`, each
//! signed by its profile's key; managed users' in the admin state folder
//! `$XDG_STATE_HOME/keyturn/drain/`, `profile` empty, signed by the
//! operator through the user's `[[users]]` entry).
//!
//! Steps and their recovery rules (a crash or kill at any instant is
//! finished by the next run):
//! - The record is written (atomically: the old or the new copy, never
//!   half) before the rotation's journal goes. Killed between the two: the
//!   journal's recovery writes the record again; a record already there is
//!   kept as it is ([`begin`]), so the grace counts from the first write.
//! - Decided to deactivate, killed before UpdateAccessKey: nothing
//!   changed; the next run decides again from fresh IAM data.
//! - UpdateAccessKey (Inactive) done, killed before the record says so:
//!   the next run reads the key Inactive in IAM and adopts that, counting
//!   the deletion's grace from that run ([`advance`]'s reconcile step):
//!   later than the truth, so it only delays the delete.
//! - DeleteAccessKey done, killed before the record is removed: the next
//!   run finds the key gone from ListAccessKeys and removes the record.
//! - The key made Active again by hand while Inactive: a person wants it;
//!   the drain starts over from that run.
//!
//! Test clock: `KEYTURN_TEST_NOW` (Unix seconds) replaces the clock of
//! drain decisions only, and only in debug builds (the end-to-end tests
//! run the debug binary); a release build ignores it, so a user cannot
//! trip it by accident. It exists because IAM's last-used dates are the
//! real clock's (moto records them), and a test cannot wait a grace.

use crate::aws::{Aws, AwsError, Creds, LastUsed};
use crate::retire::{self, Decision, DrainFacts, DrainPolicy, Phase};
use crate::store::{self, StoreError};
use crate::util::time::{now_secs, parse_rfc3339};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Current record format.
pub const VERSION: u32 = 1;

/// One old key being drained. No secrets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrainRecord {
    pub version: u32,
    /// The profile whose rotation started it (empty for a managed user).
    #[serde(default)]
    pub profile: String,
    /// The IAM user owning the key.
    pub user_name: String,
    /// A managed user's `[[users]]` entry's `account`, if it names one
    /// (with `user_name`, how its entry is found again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    pub user_arn: String,
    /// IAM's region in the key's partition (to sign for).
    pub region: String,
    pub old_key_id: String,
    pub new_key_id: String,
    /// When the destinations (or, without any, the home) were confirmed.
    pub written_at: u64,
    pub grace_s: u64,
    pub max_s: u64,
    /// The key's status at the last run.
    pub phase: Phase,
    /// When keyturn saw the key become Inactive.
    #[serde(default)]
    pub deactivated_at: Option<u64>,
    /// IAM's last use of the old key, as last read.
    #[serde(default)]
    pub last_used: Option<LastUse>,
    /// When a run last read IAM for this drain.
    #[serde(default)]
    pub checked_at: Option<u64>,
}

/// GetAccessKeyLastUsed's answer, as stored and reported.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastUse {
    pub date: Option<String>,
    pub service: Option<String>,
    pub region: Option<String>,
}

impl From<&LastUsed> for LastUse {
    fn from(l: &LastUsed) -> LastUse {
        LastUse {
            date: l.date.clone(),
            service: l.service.clone(),
            region: l.region.clone(),
        }
    }
}

impl From<&LastUse> for LastUsed {
    fn from(l: &LastUse) -> LastUsed {
        LastUsed {
            date: l.date.clone(),
            service: l.service.clone(),
            region: l.region.clone(),
        }
    }
}

impl DrainRecord {
    /// The limits the rotation chose, with the run's `--force-drain`.
    pub fn policy(&self, force: bool) -> DrainPolicy {
        DrainPolicy {
            grace_s: self.grace_s,
            max_s: self.max_s,
            force,
        }
    }
}

/// What one advance did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Advanced {
    /// The decision, carried out (Deactivate: the key is Inactive now).
    Decided(Decision),
    /// The key is gone from IAM (deleted now or before): the drain is
    /// over and its record should go.
    Gone { deleted_now: bool },
}

/// The clock of drain decisions (see the module doc's test clock).
pub fn now() -> u64 {
    if cfg!(debug_assertions) {
        if let Some(t) = std::env::var("KEYTURN_TEST_NOW")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            return t;
        }
    }
    now_secs()
}

/// Where drain records live in a state folder.
pub fn drain_dir(state_dir: &Path) -> PathBuf {
    state_dir.join("drain")
}

pub fn record_path(dir: &Path, old_key_id: &str) -> PathBuf {
    // Key ids are [A-Z0-9]; anything else is replaced, never a path.
    let safe: String = old_key_id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    dir.join(format!("{safe}.drain"))
}

/// Starts a drain: writes `rec` unless a record for its old key is
/// already there (a rerun after a crash keeps the first start).
pub fn begin(dir: &Path, rec: &DrainRecord) -> Result<(), StoreError> {
    let path = record_path(dir, &rec.old_key_id);
    if read_one(&path).is_some() {
        return Ok(());
    }
    save(dir, rec)
}

/// Writes the record (atomic, 0600).
pub fn save(dir: &Path, rec: &DrainRecord) -> Result<(), StoreError> {
    let bytes = serde_json::to_vec_pretty(rec).unwrap_or_default();
    store::write_private(&record_path(dir, &rec.old_key_id), &bytes)
}

/// Removes the record: the drain is over.
pub fn finish(dir: &Path, rec: &DrainRecord) -> Result<(), StoreError> {
    store::remove_private(&record_path(dir, &rec.old_key_id))
}

fn read_one(path: &Path) -> Option<DrainRecord> {
    store::read_private(path)
        .ok()
        .flatten()
        .and_then(|b| serde_json::from_slice(&b).ok())
}

/// Every drain recorded in `dir`, oldest write first. Unreadable records
/// are skipped (a later run rewrites or reports them).
pub fn pending(dir: &Path) -> Vec<DrainRecord> {
    let mut out: Vec<DrainRecord> = store::list_private(dir, ".drain")
        .unwrap_or_default()
        .iter()
        .filter_map(|p| read_one(p))
        .collect();
    out.sort_by_key(|r| (r.written_at, r.old_key_id.clone()));
    out
}

/// Reads IAM and advances one drain: the key's status and last use,
/// reconciled with the record (a step a crash interrupted is adopted),
/// then [`retire::drain`]'s decision carried out. `rec` is updated; the
/// caller saves it, or removes it on [`Advanced::Gone`]. Signs with
/// `signer` (a profile's current key or an operator), never with the old
/// key.
pub async fn advance<A: Aws>(
    aws: &A,
    signer: &Creds,
    rec: &mut DrainRecord,
    force: bool,
    now: u64,
) -> Result<Advanced, AwsError> {
    let keys = aws.list_access_keys(signer, &rec.user_name).await?;
    let Some(key) = keys.iter().find(|k| k.id == rec.old_key_id) else {
        return Ok(Advanced::Gone { deleted_now: false });
    };
    match (key.active, rec.phase) {
        // Made Inactive by us before a crash, or by hand: the deletion's
        // grace counts from now (never earlier than the truth).
        (false, Phase::Active) => {
            rec.phase = Phase::Inactive;
            rec.deactivated_at.get_or_insert(now);
        }
        // Made Active again by hand: start over.
        (true, Phase::Inactive) => {
            rec.phase = Phase::Active;
            rec.deactivated_at = None;
            rec.written_at = now;
        }
        _ => {}
    }
    let last = aws.key_last_used(signer, &rec.old_key_id).await?;
    rec.last_used = Some(LastUse::from(&last));
    rec.checked_at = Some(now);
    let facts = DrainFacts {
        written_at: rec.written_at,
        phase: rec.phase,
        deactivated_at: rec.deactivated_at,
        last_used: last
            .date
            .as_deref()
            .and_then(parse_rfc3339)
            .and_then(|t| u64::try_from(t).ok()),
        now,
    };
    let decision = retire::drain(&facts, &rec.policy(force));
    match decision {
        Decision::Deactivate { .. } => {
            match aws
                .set_key_active(signer, &rec.user_name, &rec.old_key_id, false)
                .await
            {
                Ok(()) => {}
                Err(e) if e.is_no_such_entity() => {
                    return Ok(Advanced::Gone { deleted_now: false })
                }
                Err(e) => return Err(e),
            }
            rec.phase = Phase::Inactive;
            rec.deactivated_at = Some(now);
        }
        Decision::Delete => {
            match aws
                .delete_access_key(signer, &rec.user_name, &rec.old_key_id)
                .await
            {
                Ok(()) => {}
                Err(e) if e.is_no_such_entity() => {}
                Err(e) => return Err(e),
            }
            return Ok(Advanced::Gone { deleted_now: true });
        }
        Decision::Wait { .. } | Decision::Straggler { .. } => {}
    }
    Ok(Advanced::Decided(decision))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec() -> DrainRecord {
        DrainRecord {
            version: VERSION,
            profile: "p".into(),
            user_name: "u".into(),
            account: None,
            user_arn: "arn:aws:iam::123456789012:user/u".into(),
            region: "us-east-1".into(),
            old_key_id: "AKIAOLD".into(),
            new_key_id: "AKIANEW".into(),
            written_at: 100,
            grace_s: 10,
            max_s: 50,
            phase: Phase::Active,
            deactivated_at: None,
            last_used: None,
            checked_at: None,
        }
    }

    #[test]
    fn begin_keeps_the_first_record_and_records_round_trip() {
        let t = tempfile::tempdir().unwrap();
        let dir = drain_dir(&t.path().join(".keyturn"));
        begin(&dir, &rec()).unwrap();
        let later = DrainRecord {
            written_at: 999,
            ..rec()
        };
        begin(&dir, &later).unwrap();
        assert_eq!(pending(&dir), vec![rec()]);
        finish(&dir, &rec()).unwrap();
        assert!(pending(&dir).is_empty());
    }

    #[test]
    fn a_key_id_never_escapes_the_folder() {
        let p = record_path(Path::new("/s/drain"), "../../x");
        assert_eq!(p, Path::new("/s/drain/______x.drain"));
    }
}
