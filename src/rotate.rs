//! The rotation of one profile's access key: an explicit state machine
//! whose every state is persisted in a journal before the step that
//! leaves it, so a crash at any instant can be finished or undone.
//!
//! ```text
//!   (resolve, identify, make room)
//!        │ journal written: Started (old pair, keys before)
//!        ▼
//!   Started ──CreateAccessKey──▶ Created ──file write──▶ Written
//!                                  │                        │ verify N× with new key
//!                                  │ (timeout / bad key)    ▼
//!                                  └──────▶ RollingBack ◀── Verified ──retire old──▶ done
//! ```
//!
//! Recovery rule of each state (see [`recover_journal`]):
//! - `Started`: no secret of a new key exists on disk. Any key that was
//!   not there before (`keys_before`) and was made inside the rotation's
//!   window (`started_at` to the last `create_attempts` entry, plus a
//!   skew margin) is an orphan whose secret is lost: delete it, signing
//!   with the old key; a key made outside the window is reported, never
//!   deleted. The file was never written. A create sent before the crash
//!   leaves an [`Attempt`] record, so a key IAM makes later still goes.
//! - `Created`: the new secret is durable in the journal; the file holds the
//!   old or the new pair (the write is atomic). Finish forward: write the
//!   new pair, delete orphans, verify, retire.
//! - `Written`: verify, then retire.
//! - `Verified`: retire the old key (already gone counts as done).
//! - `RollingBack`: put the old pair back in the file, delete the new key
//!   signing with the old one, delete orphans.
//!
//! Unattended conditions: CreateAccessKey is retried only on definite
//! rejections (throttling); verification polls at short, capped spacing
//! while the key propagates; MFA is used only when IAM denies the plain
//! key, with one session per user per run; `--jobs` bounds requests in
//! flight, not rotations waiting.
//!
//! Invariants: the journal (0600, fsynced) holds the old and the new pair,
//! so no key whose secret is lost survives recovery, and the file always
//! holds a pair that works or is about to be verified.

use crate::aws::{
    partition_of_region, partition_region, Aws, AwsError, Creds, LastUsed, Principal,
};
use crate::i18n::{tr, trf};
use crate::ini::Document;
use crate::profile::{self, FileKind, Files, Place, Refusal, StaticKey};
use crate::secret::{mask, Secret};
use crate::store::{self, FileLock, Snapshot, StoreError};
use futures_util::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// What happens to the old key once the new one is verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Retire {
    /// Delete it (like the classic script).
    Delete,
    /// Make it Inactive; a later rotate deletes it without asking.
    Deactivate,
}

/// The persisted state of one rotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Started,
    Created,
    Written,
    Verified,
    RollingBack,
}

/// Everything needed to finish or undo a rotation after a crash. Holds
/// secrets: written only by [`store::write_private`] (0600, 0700 folder).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Journal {
    pub version: u32,
    pub state: State,
    pub profile: String,
    pub home: Place,
    pub update_shared: bool,
    pub credentials_file: PathBuf,
    pub config_file: PathBuf,
    pub user_arn: String,
    pub user_name: String,
    pub region: String,
    pub mfa_serial: Option<String>,
    pub retire: Retire,
    pub started_at: u64,
    pub old_key_id: String,
    pub old_secret: Secret,
    pub keys_before: Vec<String>,
    pub new_key_id: Option<String>,
    pub new_secret: Option<Secret>,
    #[serde(default)]
    pub rollback_reason: Option<String>,
    /// The hooks ran after verification (state `Verified`).
    #[serde(default)]
    pub hooks_done: bool,
    /// When each CreateAccessKey attempt was sent (Unix seconds): with
    /// `started_at` the rotation's own window, the only keys an orphan
    /// cleanup may delete.
    #[serde(default)]
    pub create_attempts: Vec<u64>,
}

impl Journal {
    fn old_creds(&self) -> Creds {
        Creds::new(&self.old_key_id, &self.old_secret, &self.region)
    }

    fn new_creds(&self) -> Option<Creds> {
        Some(Creds::new(
            self.new_key_id.as_deref()?,
            self.new_secret.as_ref()?,
            &self.region,
        ))
    }
}

/// The policy of a run, from the validated configuration.
#[derive(Clone, Debug)]
pub struct Settings {
    pub retire: Retire,
    pub verify_successes: u32,
    pub timeout: Duration,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    pub yes: bool,
    pub delete_other_active: bool,
    /// stdin is a terminal: prompts are allowed.
    pub interactive: bool,
    pub dry_run: bool,
    pub update_shared: bool,
    pub keep_backups: usize,
    pub mfa_code: Option<String>,
    pub lock_wait: Duration,
    /// Rotate only keys older than this (`--max-age`).
    pub max_age: Option<Duration>,
    /// How many IAM users are rotated at once (`--jobs`).
    pub jobs: usize,
    /// Commands that carry the new key elsewhere before the old one dies.
    pub hooks: Vec<crate::hooks::Hook>,
    pub on_hook_failure: OnHookFailure,
    /// `--resume`: only finish interrupted rotations, start none.
    pub resume_only: bool,
    /// `--all`: profiles that cannot rotate are skipped, not refused.
    pub skip_unrotatable: bool,
}

/// What a failed hook leads to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum OnHookFailure {
    /// Keep the old key active; finish later with `rotate --resume`.
    #[default]
    Stop,
    /// Undo the rotation: old pair back, new key deleted.
    Rollback,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            retire: Retire::Delete,
            verify_successes: 3,
            timeout: Duration::from_secs(120),
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(4),
            yes: false,
            delete_other_active: false,
            interactive: false,
            dry_run: false,
            update_shared: true,
            keep_backups: store::DEFAULT_KEEP_BACKUPS,
            mfa_code: None,
            lock_wait: Duration::from_secs(10),
            max_age: None,
            jobs: 4,
            hooks: Vec::new(),
            on_hook_failure: OnHookFailure::Stop,
            resume_only: false,
            skip_unrotatable: false,
        }
    }
}

/// The two shared files, as the user named them.
#[derive(Clone, Debug)]
pub struct Paths {
    pub credentials: PathBuf,
    pub config: PathBuf,
}

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
}

/// What `--dry-run` would do.
#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    pub profile: String,
    pub user_arn: String,
    pub old_key_id: String,
    pub would_delete: Vec<String>,
    pub retire: Retire,
    pub updated: Vec<Place>,
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

/// One pair to swap in the files: wherever `from` is the key id, write
/// (`to`, `secret`); only in the home section when the journal says so.
struct Swap<'a> {
    from: &'a str,
    to: &'a str,
    secret: &'a Secret,
    only: Option<&'a str>,
    home: FileKind,
    profile: &'a str,
}

impl<'a> Swap<'a> {
    fn of(j: &'a Journal, from: &'a str, to: &'a str, secret: &'a Secret) -> Swap<'a> {
        Swap {
            from,
            to,
            secret,
            only: (!j.update_shared).then_some(j.home.section.as_str()),
            home: j.home.file,
            profile: &j.profile,
        }
    }
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

/// Why a rotation did not happen or did not finish. Messages are in the
/// process's language ([`crate::i18n`]); [`RotateError::code`] is not.
#[derive(Debug, thiserror::Error)]
pub enum RotateError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("{}", trf("rotate.not_iam_user", &[("profile", profile), ("what", what), ("arn", arn), ("hint", hint)]))]
    NotIamUser {
        profile: String,
        arn: String,
        what: &'static str,
        hint: &'static str,
    },
    #[error("{}", trf("rotate.two_keys", &[("profile", profile), ("user", user), ("detail", detail)]))]
    TwoKeys {
        profile: String,
        user: String,
        detail: String,
    },
    #[error("{}", trf("rotate.needs_mfa", &[("profile", profile), ("what", what)]))]
    NeedsMfa { profile: String, what: String },
    #[error("{}", trf("rotate.unknown_key", &[("profile", profile), ("user", user), ("key", key)]))]
    UnknownKey {
        profile: String,
        user: String,
        key: String,
    },
    #[error("{0}")]
    Store(#[from] StoreError),
    // The step names the call, so the error is shown without its op.
    #[error("{}", trf("rotate.aws", &[("profile", profile), ("step", step), ("error", &source.detail())]))]
    Aws {
        profile: String,
        step: &'static str,
        #[source]
        source: AwsError,
    },
    #[error("{}", trf("rotate.profile", &[("profile", profile), ("detail", detail)]))]
    RolledBack { profile: String, detail: String },
    #[error("{}", trf("rotate.profile", &[("profile", profile), ("detail", detail)]))]
    Stuck { profile: String, detail: String },
    #[error("{}", trf("rotate.profile", &[("profile", profile), ("detail", detail)]))]
    HookFailed { profile: String, detail: String },
    #[error("{}", trf("rotate.bad_journal", &[("path", &path.display()), ("detail", detail)]))]
    BadJournal { path: PathBuf, detail: String },
    /// The disk or file system failed mid-rotation: both keys live, the
    /// journal holds both; `keyturn recover` finishes once it is fixed.
    #[error("{}", trf("rotate.disk_left", &[("profile", profile), ("error", source), ("old", old), ("new", new), ("journal", &journal.display())]))]
    DiskLeft {
        profile: String,
        old: String,
        new: String,
        journal: PathBuf,
        #[source]
        source: Box<StoreError>,
    },
}

impl RotateError {
    /// Refused before any change: the documented "refused" exit code.
    pub fn nothing_changed(&self) -> bool {
        match self {
            RotateError::Refused(_)
            | RotateError::NotIamUser { .. }
            | RotateError::TwoKeys { .. }
            | RotateError::NeedsMfa { .. }
            | RotateError::UnknownKey { .. } => true,
            // AWS said no (LimitExceeded, AccessDenied, a dead key) to a
            // call made before any change: these steps only run before the
            // journal exists, and a refused CreateAccessKey minted nothing
            // (its orphans are cleaned and its journal removed first).
            RotateError::Aws { step, source, .. } => {
                matches!(
                    *step,
                    "STS GetCallerIdentity"
                        | "STS GetSessionToken"
                        | "IAM ListAccessKeys"
                        | "IAM CreateAccessKey"
                ) && source.kind == crate::aws::ErrorKind::Service
                    && !source.outcome_unknown()
            }
            RotateError::Store(e) => e.is_refusal(),
            _ => false,
        }
    }

    /// A short, stable name for `--output json`.
    pub fn code(&self) -> &'static str {
        match self {
            RotateError::Refused(r) => r.code(),
            RotateError::NotIamUser { .. } => "not_an_iam_user",
            RotateError::TwoKeys { .. } => "two_keys",
            RotateError::NeedsMfa { .. } => "mfa_required",
            RotateError::UnknownKey { .. } => "unknown_key",
            RotateError::Store(_) => "file_error",
            RotateError::Aws { .. } => "aws_error",
            RotateError::RolledBack { .. } => "rolled_back",
            RotateError::Stuck { .. } => "interrupted",
            RotateError::HookFailed { .. } => "hook_failed",
            RotateError::BadJournal { .. } => "bad_journal",
            RotateError::DiskLeft { .. } => "disk_error",
        }
    }
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
    if std::env::var_os("KEYTURN_FAILPOINT").is_some_and(|v| v == name) {
        std::process::abort();
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// Both files as read and parsed.
struct Loaded {
    creds: Snapshot,
    conf: Snapshot,
    creds_doc: Option<Document>,
    conf_doc: Option<Document>,
}

impl Loaded {
    fn files<'a>(&'a self, paths: &'a Paths) -> Files<'a> {
        Files {
            credentials: self.creds_doc.as_ref(),
            credentials_path: &paths.credentials,
            config: self.conf_doc.as_ref(),
            config_path: &paths.config,
        }
    }
}

fn parse(snap: &Snapshot, shown: &Path) -> Result<Option<Document>, Refusal> {
    match &snap.bytes {
        None => Ok(None),
        Some(b) => Document::parse_bytes(b)
            .map(Some)
            .map_err(|e| Refusal::Unparsable {
                path: shown.to_path_buf(),
                line: e.line,
                detail: e.to_string(),
            }),
    }
}

/// Locks both files (existing ones only: a lock must not create
/// `~/.aws`) for the whole run, so two keyturn runs never interleave.
pub fn lock_files(paths: &Paths, s: &Settings) -> Result<Vec<FileLock>, RotateError> {
    let mut locks: Vec<FileLock> = Vec::new();
    // First make sure each file is one keyturn will write: a regular,
    // writable file the AWS CLI can parse. Only then may `.keyturn` (the
    // lock's folder) appear beside it.
    for p in [&paths.credentials, &paths.config] {
        let snap = store::read(p)?;
        if let Some(doc) = parse(&snap, p)? {
            profile::check_parsable(&doc, p)?;
            store::check_writable(&snap.real)?;
        }
    }
    for p in [&paths.credentials, &paths.config] {
        let real = store::real_path(p)?;
        if real.exists() && !locks.iter().any(|l| l.target == real) {
            locks.push(store::lock(&real, s.lock_wait)?);
        }
    }
    Ok(locks)
}

fn load(paths: &Paths) -> Result<Loaded, RotateError> {
    let creds = store::read(&paths.credentials)?;
    let conf = store::read(&paths.config)?;
    Ok(Loaded {
        creds_doc: parse(&creds, &paths.credentials)?,
        conf_doc: parse(&conf, &paths.config)?,
        creds,
        conf,
    })
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

/// MFA sessions of one run, per IAM user: a TOTP code is asked for and
/// sent at most once per run (a second GetSessionToken with the same code
/// in its 30-second window is refused by STS), and a session is only
/// fetched when IAM answers a plain-key call with an MFA-required denial.
#[derive(Default)]
pub struct MfaSessions {
    // An async lock: two rotations of the same user that meet the denial
    // at once must share one prompt, so the lock is held across it.
    state: tokio::sync::Mutex<MfaState>,
}

#[derive(Default)]
struct MfaState {
    /// user ARN -> (session, device serial)
    by_user: std::collections::HashMap<String, (Creds, String)>,
    /// `--mfa-code` was sent once already.
    code_used: bool,
}

impl MfaSessions {
    async fn cached(&self, user_arn: &str) -> Option<(Creds, String)> {
        self.state.lock().await.by_user.get(user_arn).cloned()
    }
}

/// `--jobs` bounds requests in flight, not rotations: every AWS call of a
/// fleet run holds a permit only while it is on the wire, so a rotation
/// waiting for its key to propagate leaves room for the others.
struct Limited<'a, A> {
    inner: &'a A,
    permits: tokio::sync::Semaphore,
}

impl<A: Aws> Limited<'_, A> {
    async fn permit(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        // Never closed; a closed semaphore would only lift the bound.
        self.permits.acquire().await.ok()
    }
}

impl<A: Aws> Aws for Limited<'_, A> {
    async fn caller_identity(&self, c: &Creds) -> Result<crate::aws::Identity, AwsError> {
        let _p = self.permit().await;
        self.inner.caller_identity(c).await
    }
    async fn list_access_keys(
        &self,
        c: &Creds,
        user: &str,
    ) -> Result<Vec<crate::aws::KeyMeta>, AwsError> {
        let _p = self.permit().await;
        self.inner.list_access_keys(c, user).await
    }
    async fn create_access_key(
        &self,
        c: &Creds,
        user: &str,
    ) -> Result<crate::aws::NewKey, AwsError> {
        let _p = self.permit().await;
        self.inner.create_access_key(c, user).await
    }
    async fn delete_access_key(&self, c: &Creds, user: &str, id: &str) -> Result<(), AwsError> {
        let _p = self.permit().await;
        self.inner.delete_access_key(c, user, id).await
    }
    async fn set_key_active(
        &self,
        c: &Creds,
        user: &str,
        id: &str,
        active: bool,
    ) -> Result<(), AwsError> {
        let _p = self.permit().await;
        self.inner.set_key_active(c, user, id, active).await
    }
    async fn key_last_used(&self, c: &Creds, id: &str) -> Result<LastUsed, AwsError> {
        let _p = self.permit().await;
        self.inner.key_last_used(c, id).await
    }
    async fn session_token(&self, c: &Creds, serial: &str, code: &str) -> Result<Creds, AwsError> {
        let _p = self.permit().await;
        self.inner.session_token(c, serial, code).await
    }
    async fn mfa_devices(&self, c: &Creds, user: &str) -> Result<Vec<String>, AwsError> {
        let _p = self.permit().await;
        self.inner.mfa_devices(c, user).await
    }
}

/// Where journals for a file live.
fn journal_dir(real: &Path) -> PathBuf {
    real.parent()
        .unwrap_or(Path::new("."))
        .join(store::STATE_DIR)
        .join("journal")
}

/// The journal's file: readable slug of the profile plus a hash of the
/// exact name, so distinct profiles never share a journal.
fn journal_path(j: &Journal) -> PathBuf {
    let home = match j.home.file {
        FileKind::Credentials => &j.credentials_file,
        FileKind::Config => &j.config_file,
    };
    let slug: String = j
        .profile
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    let hash = j.profile.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    journal_dir(home).join(format!("{slug}-{hash:016x}.journal"))
}

fn save(j: &Journal) -> Result<(), RotateError> {
    // The journal holds both secrets: wipe the serialised copy.
    let bytes = zeroize::Zeroizing::new(serde_json::to_vec_pretty(j).map_err(|e| {
        RotateError::BadJournal {
            path: journal_path(j),
            detail: e.to_string(),
        }
    })?);
    store::write_private(&journal_path(j), &bytes)?;
    Ok(())
}

/// Every interrupted rotation recorded beside either file.
pub fn journals(paths: &Paths) -> Result<Vec<(PathBuf, Journal)>, RotateError> {
    let mut dirs = Vec::new();
    for p in [&paths.credentials, &paths.config] {
        let d = journal_dir(&store::real_path(p)?);
        if !dirs.contains(&d) {
            dirs.push(d);
        }
    }
    let mut out = Vec::new();
    for d in dirs {
        for path in store::list_private(&d, ".journal")? {
            let Some(bytes) = store::read_private(&path)? else {
                continue;
            };
            let j: Journal =
                serde_json::from_slice(&bytes).map_err(|e| RotateError::BadJournal {
                    path: path.clone(),
                    detail: e.to_string(),
                })?;
            out.push((path, j));
        }
    }
    Ok(out)
}

/// Rotates one profile (see [`rotate_many`]).
pub async fn rotate<A: Aws>(cx: &Ctx<'_, A>, profile: &str) -> Result<Outcome, RotateError> {
    let mut out = rotate_many(cx, &[profile.to_string()]).await?;
    match out.pop() {
        Some((_, r)) => r,
        None => Err(RotateError::Stuck {
            profile: profile.to_string(),
            detail: tr("detail.no_result").into(),
        }),
    }
}

/// One result per profile, in the order asked.
pub type Results = Vec<(String, Result<Outcome, RotateError>)>;

/// Rotates several profiles: first finishes or undoes any interrupted
/// rotation of them (or of the key they hold), and does not rotate those a
/// second time; then one rotation per distinct key, keys of distinct IAM
/// users concurrently (`--jobs`), every new pair written to each file in
/// one lock-read-write cycle. The caller holds the file locks.
pub async fn rotate_many<A: Aws>(
    cx: &Ctx<'_, A>,
    profiles: &[String],
) -> Result<Results, RotateError> {
    use std::collections::HashMap;
    let limited = Limited {
        inner: cx.aws,
        permits: tokio::sync::Semaphore::new(cx.s.jobs.max(1)),
    };
    let cx = &Ctx {
        aws: &limited,
        ui: cx.ui,
        paths: cx.paths,
        s: cx.s,
        locks: cx.locks,
        mfa: cx.mfa,
    };
    let mut done: HashMap<String, Result<Outcome, RotateError>> = HashMap::new();

    // 0. Keys a CreateAccessKey of an earlier run made after it gave up.
    if !cx.s.dry_run {
        sweep_attempts(cx).await;
    }

    // 1. Interrupted rotations of these profiles, or of the keys they hold
    //    (a sharer's rerun must not strand its twin's journal).
    if !cx.s.dry_run {
        let loaded = load(cx.paths)?;
        let files = loaded.files(cx.paths);
        let held: Vec<String> = profiles
            .iter()
            .filter_map(|p| profile::resolve(&files, p).ok().map(|k| k.access_key_id))
            .collect();
        for (_, j) in journals(cx.paths)? {
            let ours = profiles.contains(&j.profile)
                || held.contains(&j.old_key_id)
                || j.new_key_id.as_ref().is_some_and(|n| held.contains(n));
            if !ours {
                continue;
            }
            let profile = j.profile.clone();
            cx.ui.step(&profile, tr("step.resume"));
            match cx.recover_journal(j).await {
                Ok(Some(summary)) => {
                    for p in summary
                        .updated
                        .iter()
                        .filter_map(|pl| pl.profile.clone())
                        .chain([profile.clone()])
                    {
                        done.insert(p, Ok(Outcome::Rotated(summary.clone())));
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    done.insert(profile, Err(e));
                }
            }
        }
    }
    if cx.s.resume_only {
        return Ok(profiles
            .iter()
            .map(|p| {
                let r = done.remove(p).unwrap_or(Ok(Outcome::Skipped {
                    reason: tr("reason.no_interrupted").into(),
                    code: "nothing_to_resume",
                }));
                (p.clone(), r)
            })
            .collect());
    }

    // 2. Resolve what is left; one rotation per distinct key.
    let loaded = load(cx.paths)?;
    let files = loaded.files(cx.paths);
    let mut homes: Vec<StaticKey> = Vec::new();
    for p in profiles {
        if done.contains_key(p) {
            continue;
        }
        match profile::resolve(&files, p) {
            Ok(k) => match homes.iter().find(|h| h.access_key_id == k.access_key_id) {
                Some(h) => {
                    done.insert(
                        p.clone(),
                        Ok(Outcome::SharedWith {
                            with: h.profile.clone(),
                        }),
                    );
                }
                None => homes.push(k),
            },
            // A file the AWS CLI cannot read is never "skipped": it is the
            // user's to fix before anything rotates.
            Err(r) if cx.s.skip_unrotatable && !matches!(r, Refusal::Unparsable { .. }) => {
                done.insert(
                    p.clone(),
                    Ok(Outcome::Skipped {
                        code: r.code(),
                        reason: r.to_string(),
                    }),
                );
            }
            Err(r) => {
                done.insert(p.clone(), Err(r.into()));
            }
        }
    }

    // 3. Who owns each key (concurrently), then rounds: each IAM user has
    //    at most one rotation in flight (two keys is IAM's limit). Every
    //    rotation of a round runs at once: `limited` bounds the requests.
    let jobs = usize::MAX;
    let identified: Vec<(StaticKey, Result<Identified, RotateError>)> = stream::iter(homes)
        .map(|k| async move {
            let id = cx.identify(&k).await;
            (k, id)
        })
        .buffered(jobs)
        .collect()
        .await;
    let mut chains: Vec<(String, Vec<(StaticKey, Identified)>)> = Vec::new();
    for (k, id) in identified {
        match id {
            Ok(id) => match chains.iter_mut().find(|(arn, _)| *arn == id.identity.arn) {
                Some((_, chain)) => chain.push((k, id)),
                None => chains.push((id.identity.arn.clone(), vec![(k, id)])),
            },
            Err(e) => {
                done.insert(k.profile.clone(), Err(e));
            }
        }
    }
    let mut rounds: Vec<Vec<(StaticKey, Identified)>> = Vec::new();
    for (_, chain) in chains {
        for (i, item) in chain.into_iter().enumerate() {
            if rounds.len() <= i {
                rounds.push(Vec::new());
            }
            rounds[i].push(item);
        }
    }

    for round in rounds {
        // A later round reads the files the previous round rewrote.
        let loaded = load(cx.paths)?;
        let loaded = &loaded;
        let prepared: Vec<(String, Result<Prepared, RotateError>)> = stream::iter(round)
            .map(|(k, id)| async move {
                let p = k.profile.clone();
                (p, cx.prepare(loaded, k, id).await)
            })
            .buffer_unordered(jobs)
            .collect()
            .await;
        let mut created: Vec<(Journal, Creds)> = Vec::new();
        for (p, r) in prepared {
            match r {
                Ok(Prepared::Created(c)) => created.push(*c),
                Ok(Prepared::Planned(plan)) => {
                    done.insert(p, Ok(Outcome::Planned(plan)));
                }
                Ok(Prepared::Fresh(f)) => {
                    done.insert(p, Ok(Outcome::Fresh(f)));
                }
                Err(e) => {
                    done.insert(p, Err(e));
                }
            }
        }
        if created.is_empty() {
            continue;
        }
        // 4. One write per file for the whole round.
        for (j, _) in &created {
            cx.ui.step(&j.profile, tr("step.write"));
        }
        let (written, backups) = match cx.write_batch(&created) {
            Ok(w) => w,
            Err(e) => {
                let reason = e.to_string();
                for (j, iam) in created {
                    let p = j.profile.clone();
                    let left = j.clone();
                    let r = cx
                        .rollback(j, &iam, &trf("reason.write_failed", &[("error", &reason)]))
                        .await
                        .map_err(|e| disk_left(&left, e));
                    done.insert(p, r.map(Outcome::Rotated));
                }
                continue;
            }
        };
        // 5. Verify, run hooks and retire, concurrently.
        let finished: Vec<(String, Result<Summary, RotateError>)> =
            stream::iter(created.into_iter().zip(written))
                .map(|((mut j, iam), landed)| {
                    let backups = backups.clone();
                    async move {
                        let p = j.profile.clone();
                        if !landed {
                            let r = cx.rollback(j, &iam, tr("reason.file_changed")).await;
                            return (p, r);
                        }
                        failpoint("after-file-written");
                        j.state = State::Written;
                        if let Err(e) = save(&j) {
                            return (p, Err(e));
                        }
                        let r = cx.forward(j, &iam, false).await.map(|mut s| {
                            s.backups = backups;
                            s
                        });
                        (p, r)
                    }
                })
                .buffer_unordered(jobs)
                .collect()
                .await;
        for (p, r) in finished {
            done.insert(p, r.map(Outcome::Rotated));
        }
    }

    Ok(profiles
        .iter()
        .map(|p| {
            let r = done.remove(p).unwrap_or_else(|| {
                Err(RotateError::Stuck {
                    profile: p.clone(),
                    detail: tr("detail.not_processed").into(),
                })
            });
            (p.clone(), r.map_err(|e| say_left(cx.paths, p, e)))
        })
        .collect())
}

/// Clock skew allowed between this machine and IAM when comparing a key's
/// CreateDate with the journal's timestamps (SigV4 itself refuses
/// requests signed more than minutes off).
const CLOCK_SKEW_S: u64 = 300;
/// How long after it was sent a CreateAccessKey can still run at IAM: the
/// SDK gives an operation 60 s, so twice that is generous.
const LATE_S: u64 = 120;

/// The rotation's own window (Unix seconds, inclusive): from its start to
/// its last CreateAccessKey attempt plus [`LATE_S`], widened by the skew.
fn window(j: &Journal) -> (u64, u64) {
    let last = j
        .create_attempts
        .iter()
        .copied()
        .max()
        .unwrap_or(j.started_at)
        .max(j.started_at);
    (
        j.started_at.saturating_sub(CLOCK_SKEW_S),
        last.saturating_add(LATE_S + CLOCK_SKEW_S),
    )
}

fn date_text(secs: u64) -> String {
    aws_smithy_types::DateTime::from_secs(i64::try_from(secs).unwrap_or(i64::MAX))
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_else(|_| secs.to_string())
}

fn outside_window_text(k: &crate::aws::KeyMeta, user: &str, start: u64, end: u64) -> String {
    let date = k
        .created
        .and_then(|c| u64::try_from(c).ok())
        .map(date_text)
        .unwrap_or_else(|| "?".into());
    trf(
        "warn.outside_window",
        &[
            ("key", &mask(&k.id)),
            ("user", &user),
            ("date", &date),
            ("start", &date_text(start)),
            ("end", &date_text(end)),
        ],
    )
}

/// What outlives a rotation whose CreateAccessKey got no answer: IAM may
/// still run the request after keyturn gave up (and after the journal is
/// gone), making a key whose secret nobody has. The next `rotate`,
/// `recover` or `status` deletes a key made inside one of these windows,
/// and only such a key. Holds no secret.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Attempt {
    pub profile: String,
    pub user_arn: String,
    pub user_name: String,
    /// Inclusive (start, end) Unix-second windows (see [`window`]).
    pub windows: Vec<(u64, u64)>,
    /// Keys this run holds the secret of: never deleted.
    pub known: Vec<String>,
}

/// Attempt records live beside the journals, in their own folder: they
/// outlive the rotation, the journals do not.
fn attempt_dir(real: &Path) -> PathBuf {
    real.parent()
        .unwrap_or(Path::new("."))
        .join(store::STATE_DIR)
        .join("attempts")
}

fn attempt_path(j: &Journal) -> PathBuf {
    let journal = journal_path(j);
    let home = match j.home.file {
        FileKind::Credentials => &j.credentials_file,
        FileKind::Config => &j.config_file,
    };
    attempt_dir(home).join(
        journal
            .file_name()
            .map(|n| Path::new(n).with_extension("attempt"))
            .unwrap_or_else(|| PathBuf::from("profile.attempt")),
    )
}

impl<A: Aws> Ctx<'_, A> {
    /// Saves (or widens) the attempt record of `j`'s rotation. Best
    /// effort, with a warning naming it: the journal path is known.
    fn record_attempt(&self, j: &Journal, made: &[&str]) {
        let path = attempt_path(j);
        let mut a: Attempt = store::read_private(&path)
            .ok()
            .flatten()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        a.profile = j.profile.clone();
        a.user_arn = j.user_arn.clone();
        a.user_name = j.user_name.clone();
        a.windows.push(window(j));
        for id in j
            .keys_before
            .iter()
            .map(String::as_str)
            .chain(made.iter().copied())
        {
            if !a.known.iter().any(|k| k == id) {
                a.known.push(id.to_string());
            }
        }
        if let Ok(bytes) = serde_json::to_vec_pretty(&a) {
            if store::write_private(&path, &bytes).is_ok() {
                self.ui
                    .warn(&trf("warn.attempt_recorded", &[("path", &path.display())]));
            }
        }
    }
}

/// Every attempt record beside either file.
fn attempt_records(paths: &Paths) -> Vec<(PathBuf, Attempt)> {
    let mut dirs = Vec::new();
    for p in [&paths.credentials, &paths.config] {
        if let Ok(real) = store::real_path(p) {
            let d = attempt_dir(&real);
            if !dirs.contains(&d) {
                dirs.push(d);
            }
        }
    }
    let mut out = Vec::new();
    for d in dirs {
        for path in store::list_private(&d, ".attempt").unwrap_or_default() {
            let a = store::read_private(&path)
                .ok()
                .flatten()
                .and_then(|b| serde_json::from_slice::<Attempt>(&b).ok());
            if let Some(a) = a {
                out.push((path, a));
            }
        }
    }
    out
}

/// Deletes the keys earlier CreateAccessKey attempts made late (inside
/// their windows), reports any other unknown key of those users, and
/// drops a record once its windows have closed. Signs with the key the
/// profile holds now (or the run's MFA session). Best effort: a failure
/// is a warning and the record stays for the next run.
pub async fn sweep_attempts<A: Aws>(cx: &Ctx<'_, A>) {
    for (path, a) in attempt_records(cx.paths) {
        if let Err(e) = sweep_one(cx, &a).await {
            cx.ui.warn(&e.to_string());
            continue;
        }
        let closed = a.windows.iter().all(|(_, end)| now_secs() > *end);
        if closed {
            let _ = store::remove_private(&path);
        }
    }
}

/// `keyturn status`'s share of [`sweep_attempts`]: it writes no file, so
/// it needs no lock, and it never prompts (no MFA code is asked for).
pub async fn sweep_attempts_unlocked<A: Aws>(aws: &A, ui: &dyn Ui, paths: &Paths) {
    let s = Settings::default();
    let cx = Ctx {
        aws,
        ui,
        paths,
        s: &s,
        locks: &[],
        mfa: &MfaSessions::default(),
    };
    sweep_attempts(&cx).await;
}

async fn sweep_one<A: Aws>(cx: &Ctx<'_, A>, a: &Attempt) -> Result<(), RotateError> {
    let loaded = load(cx.paths)?;
    let key = profile::resolve(&loaded.files(cx.paths), &a.profile)?;
    let region = partition_region(partition_of_region(key.region.as_deref()));
    let plain = Creds::new(&key.access_key_id, &key.secret, region);
    let aws_err = |source| RotateError::Aws {
        profile: a.profile.clone(),
        step: tr("aws_step.list_orphans"),
        source,
    };
    let mut signer = match cx.mfa.cached(&a.user_arn).await {
        Some((session, _)) => session,
        None => plain.clone(),
    };
    let keys = match cx.aws.list_access_keys(&signer, &a.user_name).await {
        Ok(k) => k,
        Err(e) if e.is_access_denied() && signer.session_token.is_none() => {
            signer = cx
                .mfa_after_denial(
                    e,
                    &plain,
                    &a.user_arn,
                    &a.user_name,
                    key.mfa_serial.as_deref(),
                    &a.profile,
                )
                .await?
                .0;
            cx.aws
                .list_access_keys(&signer, &a.user_name)
                .await
                .map_err(aws_err)?
        }
        Err(e) => return Err(aws_err(e)),
    };
    for k in keys {
        if k.id == key.access_key_id || a.known.contains(&k.id) {
            continue;
        }
        let created = k.created.and_then(|c| u64::try_from(c).ok());
        let inside = a
            .windows
            .iter()
            .find(|(start, end)| created.is_some_and(|c| (*start..=*end).contains(&c)));
        let Some(_) = inside else {
            let (start, end) = a.windows.last().copied().unwrap_or_default();
            cx.ui
                .warn(&outside_window_text(&k, &a.user_name, start, end));
            continue;
        };
        cx.ui.warn(&trf(
            "warn.late_orphan",
            &[
                ("key", &mask(&k.id)),
                ("user", &a.user_name),
                ("date", &created.map(date_text).unwrap_or_default()),
            ],
        ));
        match cx.aws.delete_access_key(&signer, &a.user_name, &k.id).await {
            Ok(()) => {}
            Err(e) if e.is_no_such_entity() => {}
            Err(source) => {
                return Err(RotateError::Aws {
                    profile: a.profile.clone(),
                    step: tr("aws_step.delete_orphan"),
                    source,
                })
            }
        }
    }
    Ok(())
}

/// Finishes or undoes every interrupted rotation beside the files, without
/// starting new ones (`keyturn recover`).
pub async fn recover_all<A: Aws>(
    cx: &Ctx<'_, A>,
) -> Result<Vec<(String, Result<Option<Summary>, RotateError>)>, RotateError> {
    sweep_attempts(cx).await;
    let mut out = Vec::new();
    for (_, j) in journals(cx.paths)? {
        let profile = j.profile.clone();
        let r = cx.recover_journal(j).await;
        out.push((
            profile.clone(),
            r.map_err(|e| say_left(cx.paths, &profile, e)),
        ));
    }
    Ok(out)
}

impl<A: Aws> Ctx<'_, A> {
    /// The credentials IAM calls are signed with after IAM demanded MFA:
    /// the run's session for this user, else one GetSessionToken (code from
    /// `--mfa-code` once per run, else a prompt on a terminal, else a
    /// refusal before any change). Returns the session and the device.
    async fn mfa_session(
        &self,
        key: &Creds,
        user_arn: &str,
        serial: &str,
        profile: &str,
    ) -> Result<(Creds, String), RotateError> {
        // Held across the prompt and the request: see [`MfaSessions`].
        let mut st = self.mfa.state.lock().await;
        if let Some(hit) = st.by_user.get(user_arn) {
            return Ok(hit.clone());
        }
        let serial = serial.to_string();
        let needs = || RotateError::NeedsMfa {
            profile: profile.to_string(),
            what: trf("mfa.policy", &[("serial", &serial)]),
        };
        let code = match (&self.s.mfa_code, self.s.interactive) {
            (Some(c), _) if !st.code_used => c.clone(),
            (_, true) => self.ui.mfa_code(&serial).ok_or_else(needs)?,
            _ => return Err(needs()),
        };
        st.code_used |= self.s.mfa_code.as_deref() == Some(code.as_str());
        self.ui.step(profile, tr("step.mfa_session"));
        let session = self
            .aws
            .session_token(key, &serial, &code)
            .await
            .map_err(|source| RotateError::Aws {
                profile: profile.to_string(),
                step: "STS GetSessionToken",
                source,
            })?;
        st.by_user
            .insert(user_arn.to_string(), (session.clone(), serial.clone()));
        Ok((session, serial))
    }

    /// IAM denied a plain-key call on the user's own keys. AWS's wording of
    /// a force-MFA deny ("... with an explicit deny in an identity-based
    /// policy") does not name MFA, so the denial is taken as MFA-required
    /// when the profile names a device or the user has one (the force-MFA
    /// policy lets a user list their devices without MFA); otherwise it is
    /// the plain AccessDenied it says it is.
    async fn mfa_after_denial(
        &self,
        e: AwsError,
        key: &Creds,
        user_arn: &str,
        user: &str,
        serial: Option<&str>,
        profile: &str,
    ) -> Result<(Creds, String), RotateError> {
        if let Some(hit) = self.mfa.cached(user_arn).await {
            return Ok(hit);
        }
        let serial = match serial {
            Some(s) => Some(s.to_string()),
            None => self
                .aws
                .mfa_devices(key, user)
                .await
                .ok()
                .and_then(|d| d.into_iter().next()),
        };
        match serial {
            Some(s) => self.mfa_session(key, user_arn, &s, profile).await,
            None if e.wants_mfa() => Err(RotateError::NeedsMfa {
                profile: profile.to_string(),
                what: trf("mfa.no_device", &[("user", &user)]),
            }),
            None => Err(RotateError::Aws {
                profile: profile.to_string(),
                step: "IAM ListAccessKeys",
                source: e,
            }),
        }
    }

    /// What a recovery signs IAM calls with: the key, or the run's MFA
    /// session when the journal says IAM demanded MFA.
    async fn iam_creds(&self, key: &Creds, j: &Journal) -> Result<Creds, RotateError> {
        match &j.mfa_serial {
            None => Ok(key.clone()),
            Some(serial) => Ok(self
                .mfa_session(key, &j.user_arn, serial, &j.profile)
                .await?
                .0),
        }
    }

    /// STS GetCallerIdentity with the old key: it must be an IAM user.
    async fn identify(&self, key: &StaticKey) -> Result<Identified, RotateError> {
        let (aws, ui) = (self.aws, self.ui);
        let profile = key.profile.clone();
        let aws_err = |step: &'static str| {
            let profile = profile.clone();
            move |source| RotateError::Aws {
                profile,
                step,
                source,
            }
        };
        if std::env::var("AWS_ACCESS_KEY_ID").is_ok_and(|v| v == key.access_key_id) {
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
    async fn prepare(
        &self,
        loaded: &Loaded,
        key: StaticKey,
        id: Identified,
    ) -> Result<Prepared, RotateError> {
        let (aws, ui, s) = (self.aws, self.ui, self.s);
        let profile = key.profile.clone();
        let aws_err = |step: &'static str| {
            let profile = profile.clone();
            move |source| RotateError::Aws {
                profile,
                step,
                source,
            }
        };
        let Identified {
            identity,
            user,
            old,
        } = id;
        let region = old.region.clone();
        // The plain key first: `mfa_serial` only names the device, and most
        // policies let a user manage their own keys without MFA. The
        // journal's `mfa_serial` records that IAM did demand it.
        let (mut iam, mut mfa_serial) = match self.mfa.cached(&identity.arn).await {
            Some((session, serial)) => (session, Some(serial)),
            None => (old.clone(), None),
        };

        ui.step(&profile, tr("step.list_keys"));
        let keys = match aws.list_access_keys(&iam, &user).await {
            Ok(keys) => keys,
            Err(e) if e.is_access_denied() && iam.session_token.is_none() => {
                let (session, serial) = self
                    .mfa_after_denial(
                        e,
                        &old,
                        &identity.arn,
                        &user,
                        key.mfa_serial.as_deref(),
                        &profile,
                    )
                    .await?;
                iam = session;
                mfa_serial = Some(serial);
                aws.list_access_keys(&iam, &user)
                    .await
                    .map_err(aws_err("IAM ListAccessKeys"))?
            }
            Err(e) => return Err(aws_err("IAM ListAccessKeys")(e)),
        };
        let Some(current) = keys.iter().find(|k| k.id == key.access_key_id) else {
            return Err(RotateError::UnknownKey {
                profile,
                user,
                key: mask(&key.access_key_id),
            });
        };
        if let (Some(max), Some(created)) = (s.max_age, current.created) {
            let age = now_secs().saturating_sub(u64::try_from(created).unwrap_or(0));
            if age < max.as_secs() {
                return Ok(Prepared::Fresh(Fresh {
                    profile,
                    key_id: key.access_key_id,
                    age_days: age / 86_400,
                }));
            }
        }
        let mut to_delete = Vec::new();
        for other in keys.iter().filter(|k| k.id != key.access_key_id) {
            if other.active {
                let last = aws
                    .key_last_used(&iam, &other.id)
                    .await
                    .map(|l| last_used_text(&l))
                    .unwrap_or_else(|_| tr("last_used.unknown").into());
                if !s.delete_other_active {
                    return Err(RotateError::TwoKeys {
                        profile,
                        user,
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
            } else if !(s.yes || retired_by_us(self.paths, &other.id)) {
                let question = trf(
                    "ask.delete_inactive",
                    &[("user", &user), ("key", &mask(&other.id))],
                );
                if !(s.interactive && !s.dry_run && ui.confirm(&question)) {
                    return Err(RotateError::TwoKeys {
                        profile,
                        user,
                        detail: trf("detail.other_inactive", &[("key", &mask(&other.id))]),
                    });
                }
            }
            to_delete.push(other.id.clone());
        }

        let mut updated = vec![key.home.clone()];
        if s.update_shared {
            updated.extend(key.sharers.iter().cloned());
        } else if !key.sharers.is_empty() {
            let names = key
                .sharers
                .iter()
                .map(|p| p.section.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            ui.warn(&trf("warn.sharers", &[("profiles", &names)]));
        }
        if s.dry_run {
            return Ok(Prepared::Planned(Plan {
                profile,
                user_arn: identity.arn,
                old_key_id: key.access_key_id,
                would_delete: to_delete,
                retire: s.retire,
                updated,
            }));
        }
        for id in &to_delete {
            ui.step(&profile, tr("step.delete_other"));
            match aws.delete_access_key(&iam, &user, id).await {
                Ok(()) => forget_retired(self.paths, id),
                Err(e) if e.is_no_such_entity() => {}
                Err(e) => return Err(aws_err(tr("aws_step.delete_other"))(e)),
            }
        }

        let mut j = Journal {
            version: 1,
            state: State::Started,
            profile: profile.clone(),
            home: key.home.clone(),
            update_shared: s.update_shared,
            credentials_file: loaded.creds.real.clone(),
            config_file: loaded.conf.real.clone(),
            user_arn: identity.arn.clone(),
            user_name: user.clone(),
            region: region.clone(),
            mfa_serial: mfa_serial.clone(),
            retire: s.retire,
            started_at: now_secs(),
            old_key_id: key.access_key_id.clone(),
            old_secret: key.secret.clone(),
            keys_before: vec![key.access_key_id.clone()],
            new_key_id: None,
            new_secret: None,
            rollback_reason: None,
            hooks_done: false,
            create_attempts: Vec::new(),
        };
        save(&j)?;
        failpoint("after-journal-started");

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
            j.create_attempts.push(now_secs());
            save(&j)?;
            let e = match aws.create_access_key(&iam, &user).await {
                Ok(k) => break k,
                Err(e) => e,
            };
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
                self.delete_orphans(&iam, &j).await?;
            }
            if !e.outcome_unknown() || unknown >= 3 || !in_time {
                if unknown > 0 {
                    self.record_attempt(&j, &[]);
                }
                store::remove_private(&journal_path(&j))?;
                return Err(aws_err("IAM CreateAccessKey")(e));
            }
            tokio::time::sleep(wait).await;
        };
        if unknown > 0 {
            self.record_attempt(&j, &[&new.id]);
        }
        failpoint("after-create");
        j.new_key_id = Some(new.id.clone());
        j.new_secret = Some(new.secret.clone());
        j.state = State::Created;
        if let Err(e) = save(&j) {
            // Only memory holds the secret: undo at once.
            let _ = aws.delete_access_key(&iam, &user, &new.id).await;
            return Err(e);
        }
        failpoint("after-journal-created");
        Ok(Prepared::Created(Box::new((j, iam))))
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
        let (aws, ui, s) = (self.aws, self.ui, self.s);
        let profile = j.profile.clone();
        let new_creds = j.new_creds().ok_or_else(|| RotateError::BadJournal {
            path: journal_path(&j),
            detail: tr("detail.no_new_key").into(),
        })?;
        let mut backups = Vec::new();
        if j.state == State::Created {
            ui.step(&profile, tr("step.write"));
            let (changed, made) = self.write_pair(
                &j,
                &j.old_key_id,
                &new_creds.access_key_id,
                &new_creds.secret,
            )?;
            backups = made;
            let holds_new = !places_now_holding(self.paths, &new_creds.access_key_id)?.is_empty();
            if changed == 0 && !holds_new {
                return self.rollback(j, iam, tr("reason.file_changed")).await;
            }
            failpoint("after-file-written");
            j.state = State::Written;
            save(&j)?;
        }
        if j.state == State::Written {
            ui.step(&profile, tr("step.verify"));
            // Under an MFA policy IAM reads need a session; STS
            // GetCallerIdentity alone still proves the key.
            let iam_read = j.mfa_serial.is_none();
            if let Err(reason) = verify(aws, &new_creds, &j, iam_read, s).await {
                return self.rollback(j, iam, &reason).await;
            }
            failpoint("after-verify");
            j.state = State::Verified;
            save(&j)?;
        }
        if !j.hooks_done {
            if let Err(detail) = self.run_hooks(&j, &new_creds).await {
                if self.s.on_hook_failure == OnHookFailure::Rollback {
                    return self.rollback(j, iam, &detail).await;
                }
                return Err(RotateError::HookFailed {
                    detail: trf(
                        "detail.hook_failed",
                        &[
                            ("detail", &detail),
                            ("new", &mask(&new_creds.access_key_id)),
                            ("old", &mask(&j.old_key_id)),
                            ("profile", &profile),
                        ],
                    ),
                    profile,
                });
            }
            j.hooks_done = true;
            save(&j)?;
            failpoint("after-hooks");
        }
        self.confirm_in_place(&j, &new_creds)?;
        failpoint("after-confirm");
        // Retire signing with the new key (the old one may be half-dead to
        // other callers already); under MFA, with the MFA session.
        let signer = if j.mfa_serial.is_some() {
            iam.clone()
        } else {
            new_creds.clone()
        };
        let mode = match j.retire {
            Retire::Delete => "delete",
            Retire::Deactivate => "deactivate",
        };
        ui.step(&profile, &trf("step.retire", &[("mode", &mode)]));
        retire(aws, &signer, &j, s)
            .await
            .map_err(|source| RotateError::Aws {
                profile: profile.clone(),
                step: tr("aws_step.retire"),
                source,
            })?;
        *retired = true;
        if j.retire == Retire::Deactivate {
            remember_retired(self.paths, &j.old_key_id);
        }
        failpoint("after-retire");
        store::remove_private(&journal_path(&j))?;
        Ok(Summary {
            updated: places_now_holding(self.paths, &new_creds.access_key_id)?,
            profile,
            user_arn: j.user_arn.clone(),
            old_key_id: j.old_key_id.clone(),
            new_key_id: new_creds.access_key_id.clone(),
            retired: j.retire,
            backups,
            resumed,
        })
    }

    /// The confirm-before-retire rule: under the locks, re-read every file
    /// the rotation updated. If another program put the old pair back (an
    /// editor buffer, a dotfiles sync) or mangled the new one, write the
    /// new pair from the journal again, say so, and re-check. Err (the
    /// journal kept, the old key alive) if it will not stay.
    fn confirm_in_place(&self, j: &Journal, new: &Creds) -> Result<(), RotateError> {
        for attempt in 0..3 {
            let loaded = load(self.paths)?;
            let files = loaded.files(self.paths);
            let home = profile::resolve(&files, &j.profile).ok();
            let home_id = home.as_ref().map(|k| k.access_key_id.as_str());
            let home_ok = home.as_ref().is_some_and(|k| {
                k.access_key_id == new.access_key_id && k.secret.expose() == new.secret.expose()
            });
            // With --only-named, sharers keep the old key on purpose.
            let stale = home_id == Some(j.old_key_id.as_str())
                || (j.update_shared && !profile::places_holding(&files, &j.old_key_id).is_empty());
            if home_ok && !stale {
                return Ok(());
            }
            if attempt == 2 {
                break;
            }
            let path = match j.home.file {
                FileKind::Credentials => &self.paths.credentials,
                FileKind::Config => &self.paths.config,
            };
            self.ui.warn(&trf(
                "warn.reapplied",
                &[
                    ("path", &path.display()),
                    ("key", &mask(&new.access_key_id)),
                ],
            ));
            if stale {
                self.write_pair(j, &j.old_key_id, &new.access_key_id, &new.secret)?;
            } else if home_id == Some(new.access_key_id.as_str()) {
                // The new id with a wrong secret: the journal's is right.
                self.write_pair(j, &new.access_key_id, &new.access_key_id, &new.secret)?;
            }
        }
        let path = match j.home.file {
            FileKind::Credentials => &self.paths.credentials,
            FileKind::Config => &self.paths.config,
        };
        Err(RotateError::Stuck {
            profile: j.profile.clone(),
            detail: trf(
                "detail.not_confirmed",
                &[
                    ("path", &path.display()),
                    ("new", &mask(&new.access_key_id)),
                    ("old", &mask(&j.old_key_id)),
                ],
            ),
        })
    }

    /// Runs, in order, every hook serving a profile that now holds the
    /// new key. Err names the hook that failed.
    async fn run_hooks(&self, j: &Journal, new: &Creds) -> Result<(), String> {
        if self.s.hooks.is_empty() {
            return Ok(());
        }
        let mut profiles = vec![j.profile.clone()];
        if let Ok(places) = places_now_holding(self.paths, &new.access_key_id) {
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

    /// Writes every new pair of a round, one lock-read-write cycle per
    /// file. Returns, per journal, whether its new key is now in the files
    /// (false: the profile no longer held the old key), and the backups.
    fn write_batch(
        &self,
        created: &[(Journal, Creds)],
    ) -> Result<(Vec<bool>, Vec<PathBuf>), RotateError> {
        let swaps: Vec<Swap> = created
            .iter()
            .filter_map(|(j, _)| {
                Some(Swap::of(
                    j,
                    &j.old_key_id,
                    j.new_key_id.as_deref()?,
                    j.new_secret.as_ref()?,
                ))
            })
            .collect();
        let (_, backups) = self.rewrite_files(&swaps)?;
        let loaded = load(self.paths)?;
        let files = loaded.files(self.paths);
        let landed = created
            .iter()
            .map(|(j, _)| {
                j.new_key_id
                    .as_deref()
                    .is_some_and(|id| !profile::places_holding(&files, id).is_empty())
            })
            .collect();
        Ok((landed, backups))
    }

    /// Replaces the pair whose id is `from` by (`to`, `secret`) in the
    /// file(s) the journal covers. Returns how many files changed, and
    /// their backups.
    fn write_pair(
        &self,
        j: &Journal,
        from: &str,
        to: &str,
        secret: &Secret,
    ) -> Result<(usize, Vec<PathBuf>), RotateError> {
        self.rewrite_files(&[Swap::of(j, from, to, secret)])
    }

    /// Applies pair swaps to both files, one lock-read-write cycle per file,
    /// under the locks held for the run. The edit is a function of the
    /// file's content, so the store can re-apply it if the file changed.
    fn rewrite_files(&self, swaps: &[Swap]) -> Result<(usize, Vec<PathBuf>), RotateError> {
        let mut changed = 0;
        let mut backups = Vec::new();
        for (kind, shown) in [
            (FileKind::Credentials, &self.paths.credentials),
            (FileKind::Config, &self.paths.config),
        ] {
            let snap = store::read(shown)?;
            let Some(lock) = self.locks.iter().find(|l| l.target == snap.real) else {
                // The file did not exist when the run began: nothing of ours.
                continue;
            };
            let edit = |bytes: &[u8]| -> Result<Option<Vec<u8>>, RotateError> {
                let mut doc = Document::parse_bytes(bytes).map_err(|e| Refusal::Unparsable {
                    path: shown.clone(),
                    line: e.line,
                    detail: e.to_string(),
                })?;
                let mut n = 0;
                for sw in swaps
                    .iter()
                    .filter(|sw| sw.only.is_none() || sw.home == kind)
                {
                    n += profile::replace_pair(&mut doc, sw.from, sw.to, sw.secret, sw.only)
                        .map_err(|e| RotateError::Stuck {
                            profile: sw.profile.to_string(),
                            detail: e.to_string(),
                        })?;
                }
                Ok((n > 0).then(|| doc.render().into_bytes()))
            };
            let out = store::rewrite(lock, &snap, self.s.keep_backups, &edit)??;
            if !out.unchanged {
                changed += 1;
                backups.extend(out.backup);
            }
        }
        Ok((changed, backups))
    }

    /// Deletes every key of the user that was not there before the
    /// rotation and is not the journal's new key: its secret is lost.
    async fn delete_orphans(&self, iam: &Creds, j: &Journal) -> Result<usize, RotateError> {
        let aws_err = |step: &'static str| {
            let profile = j.profile.clone();
            move |source| RotateError::Aws {
                profile,
                step,
                source,
            }
        };
        let keys = self
            .aws
            .list_access_keys(iam, &j.user_name)
            .await
            .map_err(aws_err(tr("aws_step.list_orphans")))?;
        let (start, end) = window(j);
        let mut n = 0;
        for k in keys {
            if j.keys_before.contains(&k.id) || j.new_key_id.as_deref() == Some(&k.id) {
                continue;
            }
            // Only a key made inside this rotation's window can be ours; any
            // other was made by someone else, who may hold its secret.
            let created = k.created.and_then(|c| u64::try_from(c).ok());
            if !created.is_some_and(|c| (start..=end).contains(&c)) {
                self.ui
                    .warn(&outside_window_text(&k, &j.user_name, start, end));
                continue;
            }
            self.ui.warn(&trf("warn.orphan", &[("key", &mask(&k.id))]));
            match self.aws.delete_access_key(iam, &j.user_name, &k.id).await {
                Ok(()) => n += 1,
                Err(e) if e.is_no_such_entity() => {}
                Err(e) => return Err(aws_err(tr("aws_step.delete_orphan"))(e)),
            }
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
        save(&j)?;
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
        if let Some(new_id) = &j.new_key_id {
            self.write_pair(j, new_id, &j.old_key_id, &j.old_secret)?;
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
        let mut before_only = j.clone();
        before_only.new_key_id = None;
        self.delete_orphans(iam, &before_only).await?;
        store::remove_private(&journal_path(j))?;
        Ok(())
    }

    /// Finishes or undoes one interrupted rotation. Returns the summary
    /// when it finished forward (the rotation is done), None when undone.
    pub async fn recover_journal(&self, j: Journal) -> Result<Option<Summary>, RotateError> {
        let profile = j.profile.clone();
        let old = j.old_creds();
        // Until the old key is retired it still signs; after Verified the
        // old key may already be gone, so sign with the new one.
        // After Verified the old key may be gone (retired before the crash),
        // so the session, MFA or not, comes from the new key.
        let base = match j.state {
            State::Verified => j.new_creds().unwrap_or_else(|| old.clone()),
            _ => old.clone(),
        };
        let iam = self.iam_creds(&base, &j).await?;
        match j.state {
            State::Started | State::RollingBack => {
                // A CreateAccessKey sent before the crash may still run at
                // IAM after this cleanup: keep its window for later runs.
                if j.state == State::Started && !j.create_attempts.is_empty() {
                    self.record_attempt(&j, &[]);
                }
                self.ui.step(&profile, tr("step.undo"));
                self.undo(&j, &iam).await?;
                Ok(None)
            }
            State::Created | State::Written | State::Verified => {
                self.ui.step(&profile, tr("step.finish"));
                if j.state != State::Verified {
                    self.delete_orphans(&iam, &j).await?;
                }
                match self.forward(j, &iam, true).await {
                    Ok(summary) => Ok(Some(summary)),
                    Err(RotateError::RolledBack { .. }) => Ok(None),
                    Err(e) => Err(e),
                }
            }
        }
    }
}

/// A disk or file-system failure while both keys live (before retire)
/// becomes [`RotateError::DiskLeft`], which names the state left and the
/// command that finishes it. Other errors pass unchanged.
fn disk_left(j: &Journal, e: RotateError) -> RotateError {
    match (e, &j.new_key_id) {
        (RotateError::Store(source), Some(new)) if source.is_disk_trouble() => {
            RotateError::DiskLeft {
                profile: j.profile.clone(),
                old: mask(&j.old_key_id),
                new: mask(new),
                journal: journal_path(j),
                source: Box::new(source),
            }
        }
        (e, _) => e,
    }
}

/// A call that got no answer says what it left: the journal when the
/// rotation is unfinished (`keyturn recover` finishes it), else nothing
/// changed; not after a CreateAccessKey whose fate is unknown (its warning
/// says what IAM may still make).
fn say_left(paths: &Paths, profile: &str, mut e: RotateError) -> RotateError {
    use crate::aws::Left;
    if let RotateError::Aws { step, source, .. } = &mut e {
        let journal = journals(paths)
            .ok()
            .and_then(|js| js.into_iter().find(|(_, j)| j.profile == profile));
        match journal {
            Some((path, _)) => source.note_left(Left::Journal(&path)),
            None if *step == "IAM CreateAccessKey" && source.outcome_unknown() => {}
            None => source.note_left(Left::Nothing),
        }
    }
    e
}

fn places_now_holding(paths: &Paths, key_id: &str) -> Result<Vec<Place>, RotateError> {
    let loaded = load(paths)?;
    Ok(profile::places_holding(&loaded.files(paths), key_id))
}

/// The longest pause between two polls of a key that is propagating: the
/// first accepted request comes at most this (plus one request) after IAM
/// starts accepting the key.
const POLL_CAP: Duration = Duration::from_millis(400);
/// The first such pause.
const POLL_FIRST: Duration = Duration::from_millis(100);
/// The pause between the successes of a streak: short, yet each request
/// is its own (IAM can accept a new key on one request and reject it on
/// the next, from another server).
const STREAK_GAP: Duration = Duration::from_millis(50);

/// How a verification or a retirement waits: short, capped polls while
/// the new key propagates; the full backoff when AWS throttles or fails.
struct Patience {
    propagation: Backoff,
    trouble: Backoff,
    gap: Duration,
}

impl Patience {
    fn new(s: &Settings) -> Patience {
        Patience {
            propagation: Backoff::with(
                s.initial_backoff.min(POLL_FIRST),
                s.max_backoff.min(POLL_CAP),
            ),
            trouble: Backoff::new(s),
            gap: s.initial_backoff.min(STREAK_GAP),
        }
    }

    /// The wait after `e`, or None when `e` is not worth waiting out.
    fn after(&mut self, e: &AwsError) -> Option<Duration> {
        if e.is_propagation() {
            Some(self.propagation.next())
        } else if e.is_transient() {
            Some(self.trouble.next())
        } else {
            None
        }
    }
}

/// Polls until the new key has worked `verify_successes` times in a row:
/// STS GetCallerIdentity must name the same user and, unless MFA guards
/// IAM, an IAM read must succeed. Propagation errors, throttling and
/// transient failures reset the streak and wait ([`Patience`]), within
/// the timeout.
async fn verify<A: Aws>(
    aws: &A,
    new: &Creds,
    j: &Journal,
    iam_read: bool,
    s: &Settings,
) -> Result<(), String> {
    let deadline = store::deadline_after(s.timeout);
    let mut streak = 0;
    let mut patience = Patience::new(s);
    while streak < s.verify_successes {
        let result: Result<(), AwsError> = async {
            let id = aws.caller_identity(new).await?;
            if id.arn != j.user_arn {
                return Err(AwsError {
                    op: "STS GetCallerIdentity",
                    kind: crate::aws::ErrorKind::Service,
                    code: Some("WrongUser".into()),
                    status: None,
                    message: trf(
                        "verify.wrong_user",
                        &[("actual", &id.arn), ("expected", &j.user_arn)],
                    ),
                });
            }
            if iam_read {
                aws.list_access_keys(new, &j.user_name).await?;
            }
            Ok(())
        }
        .await;
        match result {
            Ok(()) => {
                streak += 1;
                if streak < s.verify_successes {
                    tokio::time::sleep(patience.gap).await;
                }
            }
            Err(e) => {
                let Some(wait) = patience.after(&e) else {
                    return Err(trf("verify.refused", &[("error", &e)]));
                };
                streak = 0;
                if Instant::now()
                    .checked_add(wait)
                    .is_none_or(|t| t >= deadline)
                {
                    return Err(trf(
                        "verify.timeout",
                        &[("secs", &s.timeout.as_secs()), ("error", &e)],
                    ));
                }
                tokio::time::sleep(wait).await;
            }
        }
    }
    Ok(())
}

/// Capped exponential backoff with jitter, from `initial_backoff`.
struct Backoff {
    next: Duration,
    cap: Duration,
    seed: u64,
}

impl Backoff {
    fn new(s: &Settings) -> Backoff {
        Backoff::with(s.initial_backoff, s.max_backoff)
    }

    fn with(first: Duration, cap: Duration) -> Backoff {
        let seed = u64::from(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .subsec_nanos(),
        ) | 1;
        Backoff {
            next: first,
            cap,
            seed,
        }
    }

    fn next(&mut self) -> Duration {
        // xorshift: jitter needs no cryptographic randomness.
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        let base = self.next;
        self.next = (self.next * 2).min(self.cap);
        // Between half and all of the current step.
        let frac = (self.seed % 1000) as u32;
        base / 2 + base / 2 * frac / 1000
    }
}

/// Retires the old key with the verification's patience: a request
/// signed with the new key can still be rejected once while it
/// propagates, and throttling is waited out.
async fn retire<A: Aws>(
    aws: &A,
    signer: &Creds,
    j: &Journal,
    s: &Settings,
) -> Result<(), AwsError> {
    let deadline = store::deadline_after(s.timeout);
    let mut patience = Patience::new(s);
    loop {
        let r = match j.retire {
            Retire::Delete => {
                aws.delete_access_key(signer, &j.user_name, &j.old_key_id)
                    .await
            }
            Retire::Deactivate => {
                aws.set_key_active(signer, &j.user_name, &j.old_key_id, false)
                    .await
            }
        };
        match r {
            Ok(()) => return Ok(()),
            Err(e) if e.is_no_such_entity() => return Ok(()),
            Err(e) => match patience.after(&e) {
                Some(wait)
                    if Instant::now()
                        .checked_add(wait)
                        .is_some_and(|t| t < deadline) =>
                {
                    tokio::time::sleep(wait).await;
                }
                _ => return Err(e),
            },
        }
    }
}

/// Keys keyturn itself made Inactive, so a later rotate may delete them
/// without asking. Ids only, no secrets.
fn retired_path(paths: &Paths) -> Option<PathBuf> {
    let real = store::real_path(&paths.credentials).ok()?;
    Some(real.parent()?.join(store::STATE_DIR).join("retired-keys"))
}

fn retired_ids(paths: &Paths) -> Vec<String> {
    retired_path(paths)
        .and_then(|p| store::read_private(&p).ok().flatten())
        .map(|b| {
            String::from_utf8_lossy(&b)
                .lines()
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn retired_by_us(paths: &Paths, id: &str) -> bool {
    retired_ids(paths).iter().any(|k| k == id)
}

fn remember_retired(paths: &Paths, id: &str) {
    let mut ids = retired_ids(paths);
    ids.push(id.to_string());
    if let Some(p) = retired_path(paths) {
        // Best effort: losing this only means a later prompt.
        let _ = store::write_private(&p, (ids.join("\n") + "\n").as_bytes());
    }
}

fn forget_retired(paths: &Paths, id: &str) {
    let ids: Vec<String> = retired_ids(paths).into_iter().filter(|k| k != id).collect();
    if let Some(p) = retired_path(paths) {
        let _ = store::write_private(&p, (ids.join("\n") + "\n").as_bytes());
    }
}

#[cfg(test)]
mod tests;
