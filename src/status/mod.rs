//! `keyturn status`'s domain: one [`Line`] per profile, built from the
//! parsed files, the journals and (online) what AWS said about each key,
//! and the table those lines make ([`table`]).
//!
//! Pure but for [`probe`], which asks AWS through the [`Aws`] trait: no
//! file, environment or terminal access (the command layer,
//! `crate::cmd::status`, reads the files and journals, probes the journal
//! locks, and prints).
//!
//! Invariants:
//! - Lines come out in the order of the names given, one per name.
//! - A line holds the full key id (JSON is for programs); the table masks
//!   every key id, also inside AWS's messages.
//! - Journal secrets never reach a line: only profile, state and start.
//! - Linear in the number of profiles: every cross-line lookup is indexed.

pub mod table;

use crate::aws::{partition_region, Aws, AwsError, Creds, ErrorKind, KeyMeta, LastUsed, Principal};
use crate::i18n::trf;
use crate::profile::{self, FileKind, Files, Place, StaticKey};
use crate::rotate::{Journal, Paths};
use crate::util::time::rfc3339;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use table::{table, Labels};

/// A profile's name and how its key pair resolved.
pub type Resolved = (String, Result<StaticKey, profile::Refusal>);

/// The profiles to show: those `asked` for, each once, else every profile
/// of both files and then every journal's whose profile is gone from them.
pub fn profile_names(files: &Files, journals: &[Journal], asked: &[String]) -> Vec<String> {
    if asked.is_empty() {
        let mut names = profile::profile_names(files);
        if journals.is_empty() {
            return names;
        }
        // A journal whose profile is gone from the files still matters.
        let gone: Vec<String> = {
            let mut known: HashSet<&str> = names.iter().map(String::as_str).collect();
            journals
                .iter()
                .filter(|j| known.insert(j.profile.as_str()))
                .map(|j| j.profile.clone())
                .collect()
        };
        names.extend(gone);
        names
    } else {
        let mut seen = HashSet::new();
        asked
            .iter()
            .filter(|p| seen.insert(p.as_str()))
            .cloned()
            .collect()
    }
}

/// Resolves each name as `rotate` would.
pub fn resolve_all(files: &Files, names: Vec<String>) -> Vec<Resolved> {
    names
        .into_iter()
        .map(|n| {
            let r = profile::resolve(files, &n);
            (n, r)
        })
        .collect()
}

/// A profile asked for by name is in neither file.
pub fn unknown_named(asked: &[String], resolved: &[Resolved]) -> bool {
    !asked.is_empty()
        && resolved
            .iter()
            .any(|(_, r)| matches!(r, Err(profile::Refusal::NotFound { .. })))
}

/// Where a keyring holds a line's key: the tool's name and the item as
/// [`crate::home::KeyHome::describe`] says it (`None`: the AWS files).
pub type Store = Option<(&'static str, String)>;

/// The report's lines: one per resolved profile, with AWS's answer
/// (`lives`, None offline or for a refused profile) and the keyring holding it
/// (a [`Store`]), the other lines'
/// listings, the holders of other keys, the journals (`in_progress[i]`:
/// journal `i`'s lock is held) and staleness at `max_age`.
pub fn lines(
    paths: &Paths,
    resolved: Vec<Resolved>,
    lives: impl IntoIterator<Item = (Option<Live>, Store)>,
    journals: &[Journal],
    in_progress: &[bool],
    now: u64,
    max_age: Duration,
) -> Vec<Line> {
    // Each line is filled where it lies (10,000 lines are megabytes: no
    // building elsewhere and moving).
    let mut lines: Vec<Line> = Vec::with_capacity(resolved.len());
    for ((name, r), (live, store)) in resolved.into_iter().zip(lives) {
        lines.push(Line::empty(name));
        let Some(line) = lines.last_mut() else { break };
        fill_line(line, paths, r, live.as_ref(), now);
        if let Some((tool, place)) = store {
            line.store = tool;
            line.file = None;
            line.kind = None;
            line.section = Some(place);
        }
    }
    cross_reference(&mut lines, now);
    find_holders(&mut lines);
    for line in &mut lines {
        line.interrupted = interrupted_for(line, journals, in_progress).map(Box::new);
        line.stale = line.age_secs.map(|a| a >= max_age.as_secs());
    }
    lines
}

/// Some key could not be checked (no answer, or AWS failing): `status`
/// must not let a script read its table as "all is well".
pub fn any_unchecked(lines: &[Line]) -> bool {
    lines
        .iter()
        .any(|l| l.error.as_ref().is_some_and(|e| !e.answered))
}

/// A refusal that means the keyring holding a profile's key could not be
/// read (a corrupted item, a wrong passphrase, an untrusted folder, no
/// item...): the key the tool serves is unknown. Not so for a key keyturn
/// merely cannot rotate (temporary credentials, a backend not supported).
pub fn keyring_unreadable(code: &str) -> bool {
    code.starts_with("keystore_")
        && !matches!(
            code,
            "keystore_not_long_term_key" | "keystore_unsupported_backend"
        )
}

/// Some line's keyring could not be read ([`keyring_unreadable`]):
/// `status` fails, as it does for a key AWS did not answer about.
pub fn any_unreadable_keyring(lines: &[Line]) -> bool {
    lines.iter().any(|l| {
        l.reason
            .as_ref()
            .is_some_and(|r| keyring_unreadable(r.code))
    })
}

// ---------------------------------------------------------------------------
// Asking AWS.

/// What AWS said about one key pair.
#[derive(Clone, Debug, Default)]
pub struct Live {
    pub user_arn: Option<String>,
    /// The principal is not an IAM user: (what it is, what to do).
    pub not_user: Option<(&'static str, &'static str)>,
    /// Every key of the user, the profile's own included.
    pub keys: Option<Vec<KeyMeta>>,
    pub last_used: Option<LastUsed>,
    pub error: Option<Failure>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub code: String,
    pub message: String,
    /// AWS gave a definite answer about the key (InvalidClientTokenId,
    /// AccessDenied): the key was checked. False for no answer, a 5xx or
    /// throttling.
    #[serde(skip)]
    pub answered: bool,
}

impl Failure {
    pub fn from_aws(e: &AwsError) -> Failure {
        let code = match (&e.code, e.kind) {
            (Some(c), _) => c.clone(),
            (None, ErrorKind::Service) => "aws_error".into(),
            (None, _) => "network_error".into(),
        };
        Failure {
            code,
            message: e.to_string(),
            answered: e.kind == ErrorKind::Service && !e.outcome_unknown() && !e.is_throttling(),
        }
    }
}

/// Three read calls signed with the key itself.
pub async fn probe<A: Aws>(aws: &A, creds: &Creds) -> Live {
    let mut live = Live::default();
    // Last use first (and alongside the identity call): AWS records this
    // very request as a use, and its record lags behind, so the answer
    // still predates keyturn's own calls.
    let (last, ident) = tokio::join!(
        aws.key_last_used(creds, &creds.access_key_id),
        aws.caller_identity(creds)
    );
    let ident = match ident {
        Ok(i) => i,
        Err(e) => {
            live.error = Some(Failure::from_aws(&e));
            return live;
        }
    };
    live.user_arn = Some(ident.arn.clone());
    let (name, partition) = match ident.principal() {
        Principal::User { name, partition } => (name, partition),
        other => {
            live.not_user = Some(crate::rotate::principal_text(&other));
            return live;
        }
    };
    match last {
        Ok(l) => live.last_used = Some(l),
        Err(e) => live.error = Some(Failure::from_aws(&e)),
    }
    // IAM is signed for the partition the ARN names, which the profile's
    // `region` only guessed.
    let iam = Creds {
        region: partition_region(&partition).to_string(),
        ..creds.clone()
    };
    match aws.list_access_keys(&iam, &name).await {
        Ok(keys) => live.keys = Some(keys),
        Err(e) => live.error = live.error.take().or(Some(Failure::from_aws(&e))),
    }
    live
}

// ---------------------------------------------------------------------------
// Journals.

/// A rotation a journal records, as shown for a profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Interrupted {
    /// The profile the rotation was started for.
    pub profile: String,
    pub state: Value,
    /// RFC 3339, UTC.
    pub started_at: String,
    /// Another keyturn run holds the lock: it is running, not interrupted.
    pub in_progress: bool,
}

/// The journal of this profile, else one rewriting its key as a sharer.
pub fn interrupted_for(
    line: &Line,
    journals: &[Journal],
    in_progress: &[bool],
) -> Option<Interrupted> {
    let own = journals.iter().position(|j| j.profile == line.profile);
    let shared = || {
        let id = line.key_id.as_deref()?;
        journals.iter().position(|j| {
            j.home.update_shared() && (j.old_key_id == id || j.new_key_id.as_deref() == Some(id))
        })
    };
    let i = own.or_else(shared)?;
    let j = journals.get(i)?;
    Some(Interrupted {
        profile: j.profile.clone(),
        state: serde_json::to_value(j.state).unwrap_or(Value::Null),
        started_at: rfc3339(j.started_at),
        in_progress: in_progress.get(i).copied().unwrap_or(false),
    })
}

// ---------------------------------------------------------------------------
// The report: one [`Line`] per profile, serialised as is for JSON.

#[derive(Clone, Debug, Serialize)]
pub struct Reason {
    pub code: &'static str,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LastUsedJson {
    pub date: Option<String>,
    pub service: Option<String>,
    pub region: Option<String>,
}

/// A destination as `status` shows it: its name and type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DestName {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// Each line's destinations: those of `specs` serving its profile.
/// A pending drain as `status` shows it (no secrets: ids and times).
#[derive(Clone, Debug, Serialize)]
pub struct DrainLine {
    pub old_key_id: String,
    pub phase: crate::retire::Phase,
    /// When its current phase began (RFC 3339).
    pub since: String,
    /// IAM's last use of the old key, as the last run read it.
    pub last_used: Option<crate::drain::LastUse>,
    /// The phase in words (the table's note).
    #[serde(skip)]
    pub text: String,
}

/// Each profile's pending drain, from the drain records.
pub fn attach_drains(lines: &mut [Line], drains: &[crate::drain::DrainRecord]) {
    for line in lines {
        line.drain = drains.iter().find(|d| d.profile == line.profile).map(|d| {
            Box::new(DrainLine {
                old_key_id: d.old_key_id.clone(),
                phase: d.phase,
                since: rfc3339(crate::audit::render::drain_since(d)),
                last_used: d.last_used.clone(),
                text: crate::audit::render::drain_text(d),
            })
        });
    }
}

pub fn attach_destinations(lines: &mut [Line], specs: &[crate::dest::DestinationSpec]) {
    for line in lines {
        line.destinations = specs
            .iter()
            .filter(|d| d.serves(&line.profile))
            .map(|d| DestName {
                name: d.name.clone(),
                kind: d.type_name(),
            })
            .collect();
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Line {
    pub profile: String,
    /// Full id: JSON is for programs; the table masks it.
    pub key_id: Option<String>,
    pub file: Option<PathBuf>,
    pub section: Option<String>,
    /// Other profiles (or `DEFAULT`) holding the same key id.
    pub shared_with: Vec<String>,
    pub user_arn: Option<String>,
    pub user: Option<String>,
    /// RFC 3339, UTC.
    pub created: Option<String>,
    pub age_days: Option<u64>,
    /// `Active` or `Inactive`, as IAM spells it.
    pub status: Option<&'static str>,
    /// Boxed, as are `interrupted` and `error`: mostly absent (always
    /// offline), and 10,000 lines are moved and kept at once.
    pub last_used: Option<Box<LastUsedJson>>,
    /// Null when the age is unknown (offline, or AWS did not answer).
    pub stale: Option<bool>,
    pub inactive_keys: Vec<String>,
    pub other_active_keys: Vec<String>,
    pub interrupted: Option<Box<Interrupted>>,
    pub error: Option<Box<Failure>>,
    pub rotatable: bool,
    pub reason: Option<Reason>,
    /// Where the key is kept: `files`, `aws-vault` or `granted`.
    pub store: &'static str,
    /// The destinations (settings file) a rotation of this profile writes;
    /// absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub destinations: Vec<DestName>,
    /// The drain of this profile's old key (`--retire drain`), if one is
    /// pending: its phase, since when, the straggler's last use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drain: Option<Box<DrainLine>>,
    #[serde(skip)]
    pub kind: Option<FileKind>,
    #[serde(skip)]
    pub age_secs: Option<u64>,
    #[serde(skip)]
    pub mfa: bool,
    /// The key itself is Inactive, learnt from another key's listing.
    #[serde(skip)]
    pub inactive_seen_by: Option<String>,
    /// Every key of the user, as this line's own key listed them.
    #[serde(skip)]
    pub listing: Option<Vec<KeyMeta>>,
    /// (key id, profile) for the user's other keys that a profile holds.
    #[serde(skip)]
    pub holders: Vec<(String, String)>,
}

impl Line {
    pub fn empty(profile: impl Into<String>) -> Line {
        Line {
            profile: profile.into(),
            key_id: None,
            file: None,
            section: None,
            shared_with: Vec::new(),
            user_arn: None,
            user: None,
            created: None,
            age_days: None,
            status: None,
            last_used: None,
            stale: None,
            inactive_keys: Vec::new(),
            other_active_keys: Vec::new(),
            interrupted: None,
            error: None,
            rotatable: false,
            reason: None,
            store: "files",
            destinations: Vec::new(),
            drain: None,
            kind: None,
            age_secs: None,
            mfa: false,
            inactive_seen_by: None,
            listing: None,
            holders: Vec::new(),
        }
    }

    /// Fills in what one ListAccessKeys said about this line's key.
    pub fn apply_keys(&mut self, keys: &[KeyMeta], now: u64) {
        let Some(id) = self.key_id.clone() else {
            return;
        };
        if let Some(own) = keys.iter().find(|k| k.id == id) {
            self.status = Some(if own.active { "Active" } else { "Inactive" });
            if let Some(created) = own.created {
                let age = now.saturating_sub(u64::try_from(created).unwrap_or(0));
                self.age_secs = Some(age);
                self.age_days = Some(age / 86_400);
                self.created = Some(rfc3339(u64::try_from(created).unwrap_or(0)));
            }
        }
        for k in keys.iter().filter(|k| k.id != id) {
            if k.active {
                self.other_active_keys.push(k.id.clone());
            } else {
                self.inactive_keys.push(k.id.clone());
            }
        }
    }
}

pub fn place_file<'a>(paths: &'a Paths, p: &Place) -> &'a Path {
    match p.file {
        FileKind::Credentials => &paths.credentials,
        // A keyring item's line shows no file (`lines` clears it).
        FileKind::Config | FileKind::Keystore => &paths.config,
    }
}

/// One profile's line; the names and the key id move into it (no copies).
pub fn build_line(
    paths: &Paths,
    name: String,
    resolved: Result<StaticKey, profile::Refusal>,
    live: Option<&Live>,
    now: u64,
) -> Line {
    let mut line = Line::empty(name);
    fill_line(&mut line, paths, resolved, live, now);
    line
}

/// [`build_line`] into a line that has only its profile name yet.
fn fill_line(
    line: &mut Line,
    paths: &Paths,
    resolved: Result<StaticKey, profile::Refusal>,
    live: Option<&Live>,
    now: u64,
) {
    let key = match resolved {
        Ok(k) => k,
        Err(refusal) => {
            line.reason = Some(Reason {
                code: refusal.code(),
                message: refusal.to_string(),
            });
            return;
        }
    };
    line.rotatable = true;
    line.file = Some(place_file(paths, &key.home).to_path_buf());
    line.kind = Some(key.home.file);
    line.mfa = key.mfa_serial.is_some();
    line.shared_with = key
        .sharers
        .into_iter()
        .map(|p| p.profile.unwrap_or(p.section))
        .collect();
    line.key_id = Some(key.access_key_id);
    line.section = Some(key.home.section);
    let Some(live) = live else { return };
    line.user_arn = live.user_arn.clone();
    line.user = live.user_arn.as_deref().map(user_name);
    line.error = live.error.clone().map(Box::new);
    if let Some((what, hint)) = live.not_user {
        line.rotatable = false;
        line.reason = Some(Reason {
            code: "not_an_iam_user",
            message: trf("status.not_user", &[("what", &what), ("hint", &hint)]),
        });
    }
    line.last_used = live.last_used.as_ref().map(|l| {
        Box::new(LastUsedJson {
            date: l.date.clone(),
            service: l.service.clone(),
            region: l.region.clone(),
        })
    });
    if let Some(keys) = &live.keys {
        line.apply_keys(keys, now);
        line.listing = Some(keys.clone());
    }
}

/// IAM user name: the ARN's last path segment (`user/team/alice` → alice).
pub fn user_name(arn: &str) -> String {
    match arn.split_once(":user/") {
        Some((_, path)) => path.rsplit('/').next().unwrap_or(path).to_string(),
        None => arn.rsplit([':', '/']).next().unwrap_or(arn).to_string(),
    }
}

/// An Inactive key cannot sign, so its own probe only says the token is
/// invalid; another profile's key of the same user may list it. Then the
/// line shows the truth (Inactive, its age, its user) instead of an error.
pub fn cross_reference(lines: &mut [Line], now: u64) {
    // (profile, its user's ARN and name, every key of that user).
    type Listing = (String, Option<String>, Option<String>, Vec<KeyMeta>);
    let listings: Vec<Listing> = lines
        .iter()
        .filter_map(|l| {
            let keys = l.listing.clone()?;
            Some((l.profile.clone(), l.user_arn.clone(), l.user.clone(), keys))
        })
        .collect();
    for line in lines.iter_mut() {
        let Some(id) = line.key_id.clone() else {
            continue;
        };
        let invalid = line
            .error
            .as_ref()
            .is_some_and(|e| e.code == "InvalidClientTokenId");
        if !invalid || line.listing.is_some() {
            continue;
        }
        let Some((by, arn, user, keys)) = listings
            .iter()
            .find(|(_, _, _, keys)| keys.iter().any(|k| k.id == id && !k.active))
        else {
            continue;
        };
        line.error = None;
        line.user_arn = arn.clone();
        line.user = user.clone();
        line.apply_keys(keys, now);
        line.inactive_seen_by = Some(by.clone());
    }
}

/// Notes which profiles hold each line's other keys of the same user.
pub fn find_holders(lines: &mut [Line]) {
    let others = |l: &Line| !l.inactive_keys.is_empty() || !l.other_active_keys.is_empty();
    if !lines.iter().any(others) {
        // Nobody lists another key (always so offline): nothing to find.
        lines.iter_mut().for_each(|l| l.holders.clear());
        return;
    }
    // Per line, the positions of the lines holding its other keys, in
    // line order, each once. Only those are copied (offline: none).
    let found: Vec<Vec<usize>> = {
        // Key id -> positions of the lines holding it: linear.
        let mut by_id: rustc_hash::FxHashMap<&str, Vec<usize>> =
            rustc_hash::FxHashMap::with_capacity_and_hasher(lines.len(), Default::default());
        for (i, l) in lines.iter().enumerate() {
            if let Some(id) = &l.key_id {
                by_id.entry(id.as_str()).or_default().push(i);
            }
        }
        lines
            .iter()
            .map(|line| {
                let mut at: Vec<usize> = line
                    .inactive_keys
                    .iter()
                    .chain(&line.other_active_keys)
                    .flat_map(|id| by_id.get(id.as_str()).into_iter().flatten().copied())
                    .collect();
                at.sort_unstable();
                at.dedup();
                at
            })
            .collect()
    };
    for (i, at) in found.into_iter().enumerate() {
        let holders = at
            .into_iter()
            .filter_map(|j| Some((lines[j].key_id.clone()?, lines[j].profile.clone())))
            .collect();
        lines[i].holders = holders;
    }
}

mod golden_tests;
#[cfg(test)]
mod tests;
