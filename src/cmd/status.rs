//! `keyturn status`: one line (or one JSON object) per profile of both
//! files, saying where its key lives, whose it is, how old it is, when it
//! was last used, whether it is stale, and whether a crash left a rotation
//! of it half done.
//!
//! Read-only but for one thing (deleting a key a late CreateAccessKey made
//! inside an earlier rotation's window, as `rotate` and `recover` do):
//! nothing is written, no lock is held (one is only probed to
//! tell a rotation in flight from an interrupted one). Online, each
//! distinct key pair is asked about itself, signed with its own pair:
//! GetAccessKeyLastUsed, GetCallerIdentity, then ListAccessKeys of its
//! user. `--offline` sends nothing and shows what the files and journals
//! say. Journal secrets are never read into the output.
//!
//! The table is in the user's language ([`crate::i18n`]), its columns
//! aligned by terminal width; JSON keys and machine values (codes, IAM's
//! `Active`/`Inactive`, journal states) are English in every language.

use crate::aws::{
    partition_of_region, partition_region, Aws, AwsError, Creds, ErrorKind, KeyMeta, LastUsed,
    Principal,
};
use crate::cli::{exit, parse_duration, Config, Output};
use crate::i18n::{tr, trf};
use crate::ini::Document;
use crate::profile::{self, FileKind, Files, Place, StaticKey};
use crate::rotate::{self, Journal};
use crate::sdk::SdkAws;
use crate::secret::mask;
use crate::store::{self, StoreError};
use futures_util::stream::{self, StreamExt};
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Arguments of `keyturn status`.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Profiles to show [default: every profile of both files]
    #[arg(value_name = "PROFILE")]
    pub profiles: Vec<String>,

    /// Only what the files and journals say: no network request at all
    #[arg(long)]
    pub offline: bool,

    /// Mark keys at least this old STALE, e.g. 60d (90d is Security Hub's IAM.3 threshold)
    #[arg(long, value_name = "DURATION", default_value = "90d")]
    pub max_age: String,

    /// Where the keys are: files, aws-vault or granted [default: detected]
    #[arg(long, value_name = "STORE", value_parser = crate::home::keystore::StoreChoice::parse_arg)]
    pub store: Option<crate::home::keystore::StoreChoice>,
}

/// Key pairs asked about at once. Each costs three read calls; IAM's
/// request quotas are per account, so a handful in flight is plenty.
const JOBS: usize = 4;

pub async fn run(cfg: &Config, args: &StatusArgs) -> anyhow::Result<u8> {
    let max_age = parse_duration(&args.max_age)?;
    let now = now_secs();

    let (creds_doc, conf_doc) = match (
        read_doc(&cfg.paths.credentials),
        read_doc(&cfg.paths.config),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {}", crate::term::clean_text(&e.to_string()));
            return Ok(exit::FAILURE);
        }
    };
    let files = Files {
        credentials: creds_doc.as_ref(),
        credentials_path: &cfg.paths.credentials,
        config: conf_doc.as_ref(),
        config_path: &cfg.paths.config,
    };
    // One unparsable file makes every profile unusable to the AWS CLI:
    // say so once instead of once per profile.
    for (doc, path) in [
        (&creds_doc, &cfg.paths.credentials),
        (&conf_doc, &cfg.paths.config),
    ] {
        if let Some(doc) = doc {
            if let Err(refusal) = profile::check_parsable(doc, path) {
                eprintln!("error: {}", crate::term::clean_text(&refusal.to_string()));
                return Ok(exit::FAILURE);
            }
        }
    }

    // A bad journal must not hide the rest of the status; `recover` is
    // where it gets dealt with.
    let journals: Vec<Journal> = match rotate::journals(&cfg.paths) {
        Ok(js) => js.into_iter().map(|(_, j)| j).collect(),
        Err(e) => {
            eprintln!("warning: {}", crate::term::clean_text(&e.to_string()));
            Vec::new()
        }
    };

    let names = if args.profiles.is_empty() {
        let mut names = profile::profile_names(&files);
        // A journal whose profile is gone from the files still matters.
        for j in &journals {
            if !names.contains(&j.profile) {
                names.push(j.profile.clone());
            }
        }
        names
    } else {
        let mut seen = std::collections::HashSet::new();
        args.profiles
            .iter()
            .filter(|p| seen.insert(p.as_str()))
            .cloned()
            .collect()
    };

    let resolved: Vec<(String, Result<StaticKey, profile::Refusal>)> = names
        .into_iter()
        .map(|n| {
            let r = profile::resolve(&files, &n);
            (n, r)
        })
        .collect();
    // Keys kept in aws-vault's or granted's keyring (issue 13).
    let (resolved, stores) = keystore_lines(cfg, &files, resolved, args.store).await;
    let unknown_named = !args.profiles.is_empty()
        && resolved
            .iter()
            .any(|(_, r)| matches!(r, Err(profile::Refusal::NotFound { .. })));

    let lives = if args.offline {
        vec![None; resolved.len()]
    } else {
        probe_all(cfg, &resolved).await?
    };

    let in_progress: Vec<bool> = journals.iter().map(rotation_in_progress).collect();
    let mut lines: Vec<Line> = resolved
        .iter()
        .zip(lives)
        .zip(&stores)
        .map(|(((name, r), live), store)| {
            let mut line = build_line(cfg, name, r, live.as_ref(), now);
            if let Some((tool, place)) = store {
                line.store = tool;
                line.file = None;
                line.kind = None;
                line.section = Some(place.clone());
            }
            line
        })
        .collect();
    cross_reference(&mut lines, now);
    find_holders(&mut lines);
    for line in &mut lines {
        line.interrupted = interrupted_for(line, &journals, &in_progress);
        line.stale = line.age_secs.map(|a| a >= max_age.as_secs());
    }

    // Any other format (one only `audit` has) gets the table.
    if cfg.output == Output::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&lines).unwrap_or_default()
        );
    } else if lines.is_empty() {
        let (c, f) = (cfg.paths.credentials.display(), cfg.paths.config.display());
        let text = if creds_doc.is_none() && conf_doc.is_none() {
            trf("status.no_files", &[("credentials", &c), ("config", &f)])
        } else {
            trf("status.no_profiles", &[("credentials", &c), ("config", &f)])
        };
        println!("{text}");
    } else {
        let labels = Labels::new(&cfg.paths.credentials, &cfg.paths.config);
        // Profile names come from the files: no terminal escapes.
        let text = table(&lines, &labels, max_age, args.offline);
        print!("{}", crate::term::clean_text(&text));
    }
    // Stale keys are not a failure of `status` (that is `audit`'s exit 4);
    // asking for a profile that does not exist is, and so is a key that
    // could not be checked (no answer, or AWS failing): a script must not
    // read that table as "all is well". No profile at all is "nothing to do".
    let unchecked = lines
        .iter()
        .any(|l| l.error.as_ref().is_some_and(|e| !e.answered));
    Ok(if unknown_named || unchecked {
        exit::FAILURE
    } else if lines.is_empty() {
        exit::NOTHING_TO_DO
    } else {
        exit::OK
    })
}

/// Where each profile's key is kept when a keyring holds it: the files'
/// answers, with those of keystore-held keys replaced, and per line the
/// tool and the item (`None`: the files).
#[allow(clippy::type_complexity)]
async fn keystore_lines(
    cfg: &Config,
    files: &Files<'_>,
    mut resolved: Vec<(String, Result<StaticKey, profile::Refusal>)>,
    store: Option<crate::home::keystore::StoreChoice>,
) -> (
    Vec<(String, Result<StaticKey, profile::Refusal>)>,
    Vec<Option<(&'static str, String)>>,
) {
    use crate::home::keystore as ks;
    let mut stores = vec![None; resolved.len()];
    let Some(env) = cfg.keystore.clone() else {
        return (resolved, stores);
    };
    let k = crate::home::Keystores {
        env,
        choice: store.unwrap_or_default(),
        lock_wait: std::time::Duration::ZERO,
    };
    let anchor = ks::anchor_of(
        &store::real_path(&cfg.paths.credentials).unwrap_or_else(|_| cfg.paths.credentials.clone()),
    );
    for (i, (name, r)) in resolved.iter_mut().enumerate() {
        let unparsable = matches!(r, Err(profile::Refusal::Unparsable { .. }));
        if !ks::worth_asking(r.is_ok(), unparsable, k.choice) {
            continue;
        }
        match ks::find_one(files, name, &k, &anchor).await {
            None => {}
            Some(Ok((key, home))) => {
                stores[i] = Some((home.store_name(), home.describe()));
                *r = Ok(key);
            }
            Some(Err(refusal)) => *r = Err(refusal),
        }
    }
    (resolved, stores)
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// One shared file, parsed; None if it does not exist.
fn read_doc(path: &Path) -> Result<Option<Document>, String> {
    let snap = store::read(path).map_err(|e| e.to_string())?;
    match snap.bytes.as_deref() {
        None => Ok(None),
        Some(b) => Document::parse_bytes(b).map(Some).map_err(|e| {
            trf(
                "status.unparsable",
                &[("path", &path.display()), ("error", &e)],
            )
        }),
    }
}

// ---------------------------------------------------------------------------
// Asking AWS.

/// What AWS said about one key pair.
#[derive(Clone, Debug, Default)]
struct Live {
    user_arn: Option<String>,
    /// The principal is not an IAM user: (what it is, what to do).
    not_user: Option<(&'static str, &'static str)>,
    /// Every key of the user, the profile's own included.
    keys: Option<Vec<KeyMeta>>,
    last_used: Option<LastUsed>,
    error: Option<Failure>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
struct Failure {
    code: String,
    message: String,
    /// AWS gave a definite answer about the key (InvalidClientTokenId,
    /// AccessDenied): the key was checked. False for no answer, a 5xx or
    /// throttling.
    #[serde(skip)]
    answered: bool,
}

impl Failure {
    fn from_aws(e: &AwsError) -> Failure {
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

/// Asks about every distinct (key id, secret, signing region) once, a few
/// at a time, and hands each profile its answer (None when refused).
async fn probe_all(
    cfg: &Config,
    resolved: &[(String, Result<StaticKey, profile::Refusal>)],
) -> anyhow::Result<Vec<Option<Live>>> {
    // Profiles sharing a key share one probe; a sharer with a different
    // secret (a stale copy) is probed on its own, so it shows its error.
    let mut distinct: Vec<Creds> = Vec::new();
    let mut slot: Vec<Option<usize>> = Vec::new();
    // (key id, region) -> candidates in `distinct`: secrets are compared
    // there, never used as a map key (no extra copy of them).
    let mut by_id: std::collections::HashMap<(String, String), Vec<usize>> =
        std::collections::HashMap::new();
    for (_, r) in resolved {
        slot.push(r.as_ref().ok().map(|k| {
            let creds = Creds::new(
                &k.access_key_id,
                &k.secret,
                partition_region(partition_of_region(k.region.as_deref())),
            );
            let candidates = by_id
                .entry((creds.access_key_id.clone(), creds.region.clone()))
                .or_default();
            match candidates
                .iter()
                .copied()
                .find(|&i| distinct[i].secret == creds.secret)
            {
                Some(i) => i,
                None => {
                    distinct.push(creds);
                    candidates.push(distinct.len() - 1);
                    distinct.len() - 1
                }
            }
        }));
    }
    if distinct.is_empty() {
        return Ok(vec![None; resolved.len()]);
    }
    let aws = SdkAws::new(&cfg.endpoint)?;
    // The one write online status makes: a key that a CreateAccessKey of
    // an earlier run made after that run gave up is deleted (see
    // `rotate::Attempt`); nothing else.
    rotate::sweep_attempts_unlocked(&aws, &crate::ui::TermUi::new(false), &cfg.paths).await;
    let ui = cfg.spinner.then(|| crate::ui::TermUi::new(true));
    if let Some(ui) = &ui {
        use crate::rotate::Ui;
        ui.step(
            "status",
            &trf("status.asking", &[("count", &distinct.len())]),
        );
    }
    let mut answers: Vec<(usize, Live)> = stream::iter(distinct.iter().enumerate())
        .map(|(i, c)| {
            let aws = &aws;
            async move { (i, probe(aws, c).await) }
        })
        .buffer_unordered(JOBS)
        .collect()
        .await;
    drop(ui);
    answers.sort_by_key(|(i, _)| *i);
    Ok(slot
        .into_iter()
        .map(|s| s.and_then(|i| answers.get(i).map(|(_, l)| l.clone())))
        .collect())
}

/// Three read calls signed with the key itself.
async fn probe<A: Aws>(aws: &A, creds: &Creds) -> Live {
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
struct Interrupted {
    /// The profile the rotation was started for.
    profile: String,
    state: Value,
    /// RFC 3339, UTC.
    started_at: String,
    /// Another keyturn run holds the lock: it is running, not interrupted.
    in_progress: bool,
}

/// A journal whose file's lock is held belongs to a run still going.
/// Probing the lock is the one file effect of `status`, and only happens
/// when a journal exists (so its `.keyturn` folder does too).
fn rotation_in_progress(j: &Journal) -> bool {
    let Some(home) = j.home.lock_target() else {
        return false;
    };
    let locked = store::real_path(home).and_then(|real| store::lock(&real, Duration::ZERO));
    matches!(locked, Err(StoreError::Locked { .. }))
}

/// The journal of this profile, else one rewriting its key as a sharer.
fn interrupted_for(line: &Line, journals: &[Journal], in_progress: &[bool]) -> Option<Interrupted> {
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

fn rfc3339(secs: u64) -> String {
    let secs = i64::try_from(secs).unwrap_or(i64::MAX);
    aws_smithy_types::DateTime::from_secs(secs)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_else(|_| secs.to_string())
}

// ---------------------------------------------------------------------------
// The report: one [`Line`] per profile, serialised as is for JSON.

#[derive(Clone, Debug, Serialize)]
struct Reason {
    code: &'static str,
    message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
struct LastUsedJson {
    date: Option<String>,
    service: Option<String>,
    region: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
struct Line {
    profile: String,
    /// Full id: JSON is for programs; the table masks it.
    key_id: Option<String>,
    file: Option<PathBuf>,
    section: Option<String>,
    /// Other profiles (or `DEFAULT`) holding the same key id.
    shared_with: Vec<String>,
    user_arn: Option<String>,
    user: Option<String>,
    /// RFC 3339, UTC.
    created: Option<String>,
    age_days: Option<u64>,
    /// `Active` or `Inactive`, as IAM spells it.
    status: Option<&'static str>,
    last_used: Option<LastUsedJson>,
    /// Null when the age is unknown (offline, or AWS did not answer).
    stale: Option<bool>,
    inactive_keys: Vec<String>,
    other_active_keys: Vec<String>,
    interrupted: Option<Interrupted>,
    error: Option<Failure>,
    rotatable: bool,
    reason: Option<Reason>,
    /// Where the key is kept: `files`, `aws-vault` or `granted`.
    store: &'static str,
    #[serde(skip)]
    kind: Option<FileKind>,
    #[serde(skip)]
    age_secs: Option<u64>,
    #[serde(skip)]
    mfa: bool,
    /// The key itself is Inactive, learnt from another key's listing.
    #[serde(skip)]
    inactive_seen_by: Option<String>,
    /// Every key of the user, as this line's own key listed them.
    #[serde(skip)]
    listing: Option<Vec<KeyMeta>>,
    /// (key id, profile) for the user's other keys that a profile holds.
    #[serde(skip)]
    holders: Vec<(String, String)>,
}

impl Line {
    fn empty(profile: &str) -> Line {
        Line {
            profile: profile.to_string(),
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
            kind: None,
            age_secs: None,
            mfa: false,
            inactive_seen_by: None,
            listing: None,
            holders: Vec::new(),
        }
    }

    /// Fills in what one ListAccessKeys said about this line's key.
    fn apply_keys(&mut self, keys: &[KeyMeta], now: u64) {
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

fn place_file<'a>(cfg: &'a Config, p: &Place) -> &'a Path {
    match p.file {
        FileKind::Credentials => &cfg.paths.credentials,
        FileKind::Config => &cfg.paths.config,
    }
}

fn build_line(
    cfg: &Config,
    name: &str,
    resolved: &Result<StaticKey, profile::Refusal>,
    live: Option<&Live>,
    now: u64,
) -> Line {
    let mut line = Line::empty(name);
    let key = match resolved {
        Ok(k) => k,
        Err(refusal) => {
            line.reason = Some(Reason {
                code: refusal.code(),
                message: refusal.to_string(),
            });
            return line;
        }
    };
    line.rotatable = true;
    line.key_id = Some(key.access_key_id.clone());
    line.file = Some(place_file(cfg, &key.home).to_path_buf());
    line.section = Some(key.home.section.clone());
    line.kind = Some(key.home.file);
    line.mfa = key.mfa_serial.is_some();
    line.shared_with = key
        .sharers
        .iter()
        .map(|p| p.profile.clone().unwrap_or_else(|| p.section.clone()))
        .collect();
    let Some(live) = live else { return line };
    line.user_arn = live.user_arn.clone();
    line.user = live.user_arn.as_deref().map(user_name);
    line.error = live.error.clone();
    if let Some((what, hint)) = live.not_user {
        line.rotatable = false;
        line.reason = Some(Reason {
            code: "not_an_iam_user",
            message: trf("status.not_user", &[("what", &what), ("hint", &hint)]),
        });
    }
    line.last_used = live.last_used.as_ref().map(|l| LastUsedJson {
        date: l.date.clone(),
        service: l.service.clone(),
        region: l.region.clone(),
    });
    if let Some(keys) = &live.keys {
        line.apply_keys(keys, now);
        line.listing = Some(keys.clone());
    }
    line
}

/// IAM user name: the ARN's last path segment (`user/team/alice` → alice).
fn user_name(arn: &str) -> String {
    match arn.split_once(":user/") {
        Some((_, path)) => path.rsplit('/').next().unwrap_or(path).to_string(),
        None => arn.rsplit([':', '/']).next().unwrap_or(arn).to_string(),
    }
}

/// An Inactive key cannot sign, so its own probe only says the token is
/// invalid; another profile's key of the same user may list it. Then the
/// line shows the truth (Inactive, its age, its user) instead of an error.
fn cross_reference(lines: &mut [Line], now: u64) {
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
fn find_holders(lines: &mut [Line]) {
    let held: Vec<(String, String)> = lines
        .iter()
        .filter_map(|l| Some((l.key_id.clone()?, l.profile.clone())))
        .collect();
    // Key id -> positions in `held`: linear in the number of profiles.
    let mut by_id: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
    for (i, (id, _)) in held.iter().enumerate() {
        by_id.entry(id.as_str()).or_default().push(i);
    }
    for line in lines.iter_mut() {
        let mut at: Vec<usize> = line
            .inactive_keys
            .iter()
            .chain(&line.other_active_keys)
            .flat_map(|id| by_id.get(id.as_str()).into_iter().flatten().copied())
            .collect();
        // In `held`'s order, each once, as before.
        at.sort_unstable();
        at.dedup();
        line.holders = at.into_iter().map(|i| held[i].clone()).collect();
    }
}

// ---------------------------------------------------------------------------
// The table.

/// How the two files are named in the WHERE column: by file name, unless
/// both have the same name.
struct Labels {
    credentials: String,
    config: String,
}

impl Labels {
    fn new(credentials: &Path, config: &Path) -> Labels {
        let name = |p: &Path| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| p.display().to_string())
        };
        let (a, b) = (name(credentials), name(config));
        if a == b {
            Labels {
                credentials: credentials.display().to_string(),
                config: config.display().to_string(),
            }
        } else {
            Labels {
                credentials: a,
                config: b,
            }
        }
    }

    fn of(&self, kind: FileKind) -> &str {
        match kind {
            FileKind::Credentials => &self.credentials,
            FileKind::Config => &self.config,
        }
    }
}

/// The column titles, each with whether only AWS can fill it (offline,
/// those columns are left out).
fn header() -> [(&'static str, bool); 8] {
    [
        (tr("status.col_profile"), false),
        (tr("status.col_key"), false),
        (tr("status.col_where"), false),
        (tr("status.col_user"), true),
        (tr("status.col_age"), true),
        (tr("status.col_status"), true),
        (tr("status.col_last_used"), true),
        (tr("status.col_note"), false),
    ]
}

fn days(n: u64) -> String {
    if n == 1 {
        tr("status.one_day").into()
    } else {
        trf("status.days", &[("count", &n)])
    }
}

/// `--max-age` as people write it back.
fn duration_text(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        _ if s.is_multiple_of(86_400) => days(s / 86_400),
        _ if s.is_multiple_of(3600) => format!("{}h", s / 3600),
        _ if s.is_multiple_of(60) => format!("{}m", s / 60),
        _ => format!("{s}s"),
    }
}

/// `2024-05-01 sts us-east-1`, `never`, or `-` when unknown.
fn last_used_text(l: Option<&LastUsedJson>) -> String {
    let Some(l) = l else { return "-".into() };
    let Some(date) = &l.date else {
        return tr("status.never").into();
    };
    let day = date.get(..10).unwrap_or(date);
    let mut out = day.to_string();
    for part in [&l.service, &l.region].into_iter().flatten() {
        out.push(' ');
        out.push_str(part);
    }
    out
}

/// A refusal code in a few words, for the table (JSON has the sentence).
fn short_reason(code: &str) -> &'static str {
    match code {
        "profile_not_found" => tr("reason.profile_not_found"),
        "file_unparsable" => tr("reason.file_unparsable"),
        "temporary_credentials" => tr("reason.temporary"),
        "role_profile" => tr("reason.role"),
        "web_identity_profile" => tr("reason.web_identity"),
        "sso_profile" => tr("reason.sso"),
        "credential_process_profile" => tr("reason.process"),
        "inherited_from_default" => tr("reason.inherited"),
        "half_key_pair" => tr("reason.half_pair"),
        "value_not_a_token" => tr("reason.not_a_token"),
        "no_static_key" => tr("reason.no_keys"),
        "not_an_iam_user" => tr("reason.not_iam_user"),
        _ => tr("reason.other"),
    }
}

/// Well-known failures in plain words.
fn error_hint(code: &str) -> Option<&'static str> {
    match code {
        "InvalidClientTokenId" => Some(tr("hint.invalid_token")),
        "SignatureDoesNotMatch" => Some(tr("hint.bad_signature")),
        "AccessDenied" | "AccessDeniedException" => Some(tr("hint.access_denied")),
        _ => None,
    }
}

/// The NOTE column: everything worth acting on, most urgent first.
fn notes(line: &Line, max_age: Duration) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(i) = &line.interrupted {
        let state = i.state.as_str().unwrap_or("?");
        let whose = if i.profile == line.profile {
            String::new()
        } else {
            trf("status.whose", &[("profile", &i.profile)])
        };
        out.push(if i.in_progress {
            trf(
                "status.in_progress",
                &[
                    ("whose", &whose),
                    ("state", &state),
                    ("started", &i.started_at),
                ],
            )
        } else {
            trf(
                "status.interrupted",
                &[
                    ("whose", &whose),
                    ("state", &state),
                    ("started", &i.started_at),
                ],
            )
        });
    }
    if let Some(r) = &line.reason {
        out.push(trf(
            "status.not_rotatable",
            &[("reason", &short_reason(r.code))],
        ));
    }
    if let Some(e) = &line.error {
        let mut text = match error_hint(&e.code) {
            Some(h) => trf("status.error_hint", &[("code", &e.code), ("hint", &h)]),
            None => trf("status.error", &[("message", &e.message)]),
        };
        // AWS messages may quote the key id; the table never shows it whole.
        if let Some(id) = &line.key_id {
            text = text.replace(id.as_str(), &mask(id));
        }
        if line.mfa && (e.code == "AccessDenied" || e.code == "AccessDeniedException") {
            text.push_str(tr("status.mfa_hint"));
        }
        out.push(text);
    }
    if line.status == Some("Inactive") {
        let by = match &line.inactive_seen_by {
            Some(by) => trf("status.listed_by", &[("profile", by)]),
            None => String::new(),
        };
        out.push(trf("status.inactive", &[("by", &by)]));
    }
    if line.stale == Some(true) {
        out.push(trf(
            "status.stale",
            &[("max", &duration_text(max_age)), ("profile", &line.profile)],
        ));
    }
    // Say which profile holds the user's other key, if one does: that
    // "leftover" may be a key someone still means to use.
    let held = |id: &str| match line.holders.iter().find(|(k, _)| k == id) {
        Some((_, p)) => trf("status.held_by", &[("profile", p)]),
        None => String::new(),
    };
    for id in &line.inactive_keys {
        out.push(trf(
            "status.leftover",
            &[("key", &mask(id)), ("held", &held(id))],
        ));
    }
    for id in &line.other_active_keys {
        out.push(trf(
            "status.second_active",
            &[("key", &mask(id)), ("held", &held(id))],
        ));
    }
    if !line.shared_with.is_empty() {
        let names = line.shared_with.join(", ");
        out.push(trf("status.same_key", &[("profiles", &names)]));
    }
    out
}

/// One table row. Offline, the columns only AWS can fill are left out.
fn cells(line: &Line, labels: &Labels, max_age: Duration, offline: bool) -> Vec<String> {
    let dash = || "-".to_string();
    let mut row = vec![
        line.profile.clone(),
        line.key_id.as_deref().map(mask).unwrap_or_else(dash),
        match (&line.kind, &line.section) {
            (Some(k), Some(s)) => format!("{} [{s}]", labels.of(*k)),
            // A keyring item: `aws-vault (file) item dev`.
            (None, Some(s)) => s.clone(),
            _ => dash(),
        },
    ];
    if !offline {
        row.extend([
            line.user.clone().unwrap_or_else(dash),
            line.age_days.map(days).unwrap_or_else(dash),
            match line.status {
                // IAM's words, as the IAM console shows them in Japanese.
                Some("Active") => tr("status.value_active").to_string(),
                Some("Inactive") => tr("status.value_inactive").to_string(),
                other => other.map(str::to_string).unwrap_or_else(dash),
            },
            last_used_text(line.last_used.as_ref()),
        ]);
    }
    row.push(notes(line, max_age).join(tr("status.note_separator")));
    row
}

/// Left-aligned columns two spaces apart, widths in terminal columns
/// (masked ids hold a multi-byte `…`, Japanese text is double width:
/// comfy-table measures display width); the last column is not padded.
///
/// Without a terminal `width` (a pipe, a file) rows are never wrapped.
/// With one, no row is wider than the terminal: the columns of several
/// words (WHERE, LAST USED) wrap at word boundaries first, the short
/// one-word columns stay whole, and NOTE (the last column, sentences)
/// takes the rest; if that rest is narrower than [`MIN_NOTE`], each note
/// goes under its row instead, indented, across the whole width.
fn render(rows: &[Vec<String>], width: Option<usize>) -> String {
    let Some(width) = width else {
        return render_table(rows, None);
    };
    let Some(header) = rows.first() else {
        return String::new();
    };
    let last = header.len().saturating_sub(1);
    let cols = |i: usize, f: &dyn Fn(&str) -> usize| {
        rows.iter()
            .filter_map(|r| r.get(i))
            .map(|c| f(c))
            .max()
            .unwrap_or(0)
    };
    let longest_word = |c: &str| c.split(' ').map(crate::i18n::width).max().unwrap_or(0);
    // Widths (with the two-space gap) of the columns before NOTE: each
    // whole, then the widest multi-word one shrunk a column at a time.
    let full: Vec<usize> = (0..last)
        .map(|i| cols(i, &|c| crate::i18n::width(c)) + 2)
        .collect();
    let min: Vec<usize> = (0..last)
        .map(|i| {
            let word = cols(i, &longest_word) + 2;
            if full[i] <= 14 {
                full[i]
            } else {
                word
            }
        })
        .collect();
    // Shrinks the widest column that can still wrap until the columns
    // fit in `room`; false if they cannot.
    let fit = |w: &mut Vec<usize>, room: usize| {
        while w.iter().sum::<usize>() > room {
            let Some(i) = (0..last).filter(|&i| w[i] > min[i]).max_by_key(|&i| w[i]) else {
                return false;
            };
            w[i] -= 1;
        }
        true
    };
    let mut w = full.clone();
    if fit(&mut w, width.saturating_sub(MIN_NOTE)) {
        let used: usize = w.iter().sum();
        w.push(width - used);
        return render_table(rows, Some(&w));
    }
    // Too narrow for a NOTE column: notes under their rows.
    let mut w = full;
    fit(&mut w, width);
    if let Some(lastw) = w.last_mut() {
        *lastw = lastw.saturating_sub(2); // the last shown column has no gap
    }
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row.iter().take(last).cloned().collect();
        out.push_str(&render_table(&[cells], Some(&w)));
        if let Some(note) = row.get(last).filter(|n| !n.is_empty() && n.as_str() != "-") {
            let indent = 2;
            let body = render_table(
                &[vec![note.clone()]],
                Some(&[width.saturating_sub(indent).max(1)]),
            );
            for line in body.lines() {
                out.push_str(&" ".repeat(indent));
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// Columns narrower than this leave NOTE under its row (see [`render`]).
const MIN_NOTE: usize = 24;

/// One comfy-table: the first row is the header; `widths` (each with its
/// gap) fix every column and wrap cells inside them, `None` never wraps.
fn render_table(rows: &[Vec<String>], widths: Option<&[usize]>) -> String {
    use comfy_table::{presets, ColumnConstraint, ContentArrangement, Table, Width};
    let Some((header, body)) = rows.split_first() else {
        return String::new();
    };
    let mut t = Table::new();
    t.load_style(presets::NOTHING);
    t.set_content_arrangement(match widths {
        Some(_) => ContentArrangement::Dynamic,
        None => ContentArrangement::Disabled,
    });
    if let Some(ws) = widths {
        t.set_width(u16::try_from(ws.iter().sum::<usize>()).unwrap_or(u16::MAX));
    }
    t.set_header(header.clone());
    for row in body {
        t.add_row(row.clone());
    }
    let last = header.len().saturating_sub(1);
    for (i, col) in t.column_iter_mut().enumerate() {
        col.set_padding((0, if i == last { 0 } else { 2 }));
        if let Some(w) = widths.and_then(|ws| ws.get(i)) {
            let w = u16::try_from(*w).unwrap_or(u16::MAX);
            col.set_constraint(ColumnConstraint::Absolute(Width::Fixed(w)));
        }
    }
    let mut out = String::new();
    for line in t.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn table(lines: &[Line], labels: &Labels, max_age: Duration, offline: bool) -> String {
    let header: Vec<String> = header()
        .iter()
        .filter(|(_, online_only)| !offline || !online_only)
        .map(|(h, _)| h.to_string())
        .collect();
    let mut rows = vec![header];
    rows.extend(lines.iter().map(|l| cells(l, labels, max_age, offline)));
    render(&rows, crate::ui::stdout_width())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key_line() -> Line {
        Line {
            key_id: Some("AKIAIOSFODNN7EXAMPLE".into()),
            file: Some("/h/.aws/credentials".into()),
            section: Some("default".into()),
            kind: Some(FileKind::Credentials),
            rotatable: true,
            ..Line::empty("default")
        }
    }

    fn labels() -> Labels {
        Labels::new(
            Path::new("/h/.aws/credentials"),
            Path::new("/h/.aws/config"),
        )
    }

    #[test]
    fn user_names_from_arns() {
        assert_eq!(user_name("arn:aws:iam::123456789012:user/alice"), "alice");
        assert_eq!(user_name("arn:aws:iam::1:user/team/dev/bob"), "bob");
        assert_eq!(user_name("arn:aws:iam::1:root"), "root");
    }

    #[test]
    fn ages_and_durations_read_naturally() {
        assert_eq!(days(0), "0 days");
        assert_eq!(days(1), "1 day");
        assert_eq!(days(91), "91 days");
        assert_eq!(duration_text(Duration::from_secs(90 * 86_400)), "90 days");
        assert_eq!(duration_text(Duration::from_secs(0)), "0 days");
        assert_eq!(duration_text(Duration::from_secs(7200)), "2h");
        assert_eq!(duration_text(Duration::from_secs(90)), "90s");
    }

    #[test]
    fn last_used_shows_day_service_region() {
        let l = LastUsedJson {
            date: Some("2024-05-01T10:11:12Z".into()),
            service: Some("s3".into()),
            region: Some("eu-west-1".into()),
        };
        assert_eq!(last_used_text(Some(&l)), "2024-05-01 s3 eu-west-1");
        let never = LastUsedJson {
            date: None,
            service: None,
            region: None,
        };
        assert_eq!(last_used_text(Some(&never)), "never");
        assert_eq!(last_used_text(None), "-");
    }

    #[test]
    fn keys_from_a_listing_give_age_status_and_leftovers() {
        let mut l = key_line();
        let now = 1_000 * 86_400;
        l.apply_keys(
            &[
                KeyMeta {
                    id: "AKIAIOSFODNN7EXAMPLE".into(),
                    active: true,
                    created: Some(900 * 86_400 - 5),
                },
                KeyMeta {
                    id: "AKIAOTHERKEYINACTIVE".into(),
                    active: false,
                    created: None,
                },
                KeyMeta {
                    id: "AKIAOTHERKEYACTIVE00".into(),
                    active: true,
                    created: None,
                },
            ],
            now,
        );
        assert_eq!(l.status, Some("Active"));
        assert_eq!(l.age_days, Some(100));
        assert_eq!(l.inactive_keys, ["AKIAOTHERKEYINACTIVE"]);
        assert_eq!(l.other_active_keys, ["AKIAOTHERKEYACTIVE00"]);
        l.stale = Some(true);
        let n = notes(&l, Duration::from_secs(90 * 86_400)).join("; ");
        assert!(n.contains("STALE (max 90 days)"), "{n}");
        assert!(n.contains("leftover inactive key AKIA…TIVE"), "{n}");
        assert!(!n.contains("AKIAOTHERKEYINACTIVE"), "{n}");
    }

    #[test]
    fn table_masks_ids_and_aligns_by_characters() {
        let mut a = key_line();
        a.user = Some("alice".into());
        a.age_days = Some(3);
        a.status = Some("Active");
        a.error = Some(Failure {
            code: "Weird".into(),
            message: "about AKIAIOSFODNN7EXAMPLE".into(),
            answered: true,
        });
        let mut b = Line::empty("a-much-longer-profile");
        b.reason = Some(Reason {
            code: "role_profile",
            message: "long sentence".into(),
        });
        let out = table(&[a, b], &labels(), Duration::from_secs(86_400), false);
        assert!(!out.contains("AKIAIOSFODNN7EXAMPLE"), "{out}");
        let rows: Vec<&str> = out.lines().collect();
        assert_eq!(rows.len(), 3, "{out}");
        assert!(rows[0].starts_with("PROFILE"), "{out}");
        // KEY starts at the same character column on every row.
        let col = |r: &str, needle: &str| {
            r.chars()
                .collect::<String>()
                .find(needle)
                .map(|b| r[..b].chars().count())
        };
        assert_eq!(col(rows[0], "KEY"), col(rows[1], "AKIA…MPLE"));
        assert!(rows[1].contains("credentials [default]"), "{out}");
        assert!(
            rows[1].contains("alice") && rows[1].contains("3 days") && rows[1].contains("Active")
        );
        assert!(rows[1].contains("error: about AKIA…MPLE"), "{out}");
        assert!(rows[2].contains("not rotatable: role profile"), "{out}");
    }

    #[test]
    fn offline_table_leaves_out_what_only_aws_knows() {
        let out = table(&[key_line()], &labels(), Duration::from_secs(1), true);
        let header: Vec<&str> = out.lines().next().unwrap().split_whitespace().collect();
        assert_eq!(header, ["PROFILE", "KEY", "WHERE", "NOTE"]);
        assert!(out.contains("AKIA…MPLE  credentials [default]"), "{out}");
    }

    #[test]
    fn other_keys_say_which_profile_holds_them() {
        let mut a = key_line();
        a.inactive_keys = vec!["AKIAOTHERKEYINACTIVE".into()];
        let mut b = key_line();
        b.profile = "old".into();
        b.key_id = Some("AKIAOTHERKEYINACTIVE".into());
        b.status = Some("Inactive");
        let mut lines = [a, b];
        find_holders(&mut lines);
        let n = notes(&lines[0], Duration::from_secs(1)).join("; ");
        assert!(
            n.contains("leftover inactive key AKIA…TIVE (in profile old)"),
            "{n}"
        );
        let n = notes(&lines[1], Duration::from_secs(1)).join("; ");
        assert!(
            n.contains("the key is Inactive: the AWS CLI cannot use it"),
            "{n}"
        );
    }

    #[test]
    fn same_file_names_show_full_paths() {
        let l = Labels::new(Path::new("/a/aws"), Path::new("/b/aws"));
        assert_eq!(l.of(FileKind::Config), "/b/aws");
        assert_eq!(labels().of(FileKind::Config), "config");
    }

    #[test]
    fn json_has_stable_keys_and_full_ids() {
        let mut l = key_line();
        l.interrupted = Some(Interrupted {
            profile: "default".into(),
            state: json!("created"),
            started_at: rfc3339(0),
            in_progress: false,
        });
        let v = json!(l);
        for k in [
            "profile",
            "key_id",
            "file",
            "section",
            "user_arn",
            "age_days",
            "status",
            "last_used",
            "stale",
            "inactive_keys",
            "interrupted",
            "error",
            "rotatable",
            "reason",
        ] {
            assert!(v.get(k).is_some(), "missing {k}: {v}");
        }
        assert_eq!(v["key_id"], "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(v["interrupted"]["started_at"], "1970-01-01T00:00:00Z");
        assert!(v.get("kind").is_none() && v.get("age_secs").is_none());
    }

    #[test]
    fn interrupted_rotation_note_suggests_recover() {
        let mut l = key_line();
        l.interrupted = Some(Interrupted {
            profile: "other".into(),
            state: json!("written"),
            started_at: "2024-01-01T00:00:00Z".into(),
            in_progress: false,
        });
        let n = notes(&l, Duration::from_secs(1)).join("; ");
        assert!(
            n.contains("interrupted rotation of `other` (same key)"),
            "{n}"
        );
        assert!(n.contains("keyturn recover"), "{n}");
    }

    #[test]
    fn an_inactive_key_is_explained_by_another_listing() {
        let mut dead = key_line();
        dead.profile = "old".into();
        dead.key_id = Some("AKIAOTHERKEYINACTIVE".into());
        dead.error = Some(Failure {
            code: "InvalidClientTokenId".into(),
            message: "invalid".into(),
            answered: true,
        });
        let mut live = key_line();
        live.user = Some("alice".into());
        live.listing = Some(vec![
            KeyMeta {
                id: "AKIAIOSFODNN7EXAMPLE".into(),
                active: true,
                created: Some(0),
            },
            KeyMeta {
                id: "AKIAOTHERKEYINACTIVE".into(),
                active: false,
                created: Some(86_400),
            },
        ]);
        let mut lines = [live, dead];
        cross_reference(&mut lines, 3 * 86_400);
        assert_eq!(lines[1].status, Some("Inactive"));
        assert_eq!(lines[1].age_days, Some(2));
        assert_eq!(lines[1].other_active_keys, ["AKIAIOSFODNN7EXAMPLE"]);
        assert_eq!(lines[1].user.as_deref(), Some("alice"));
        assert!(lines[1].error.is_none());
    }
}
