//! Journal storage: one 0600 file per interrupted rotation in its home's
//! state folder, written before every step that leaves a state; attempt
//! records of CreateAccessKey calls whose outcome is unknown (they outlive
//! the journal), and the list of keys keyturn made Inactive.
//!
//! Invariants: a journal holds both pairs, so it is written only by
//! [`store::write_private`] and its serialised copy is wiped. Each
//! CreateAccessKey a rotation sends is in the journal with what came of
//! it ([`Sent`]); one whose answer never came (or could not be read) made
//! at most one key, and only a key tied to such a call alone ([`tie`]) is
//! ever deleted as an orphan. Anything else is reported, never deleted.

use super::*;

/// Everything needed to finish or undo a rotation after a crash. Holds
/// secrets: written only by [`store::write_private`] (0600, 0700 folder).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Journal {
    pub version: u32,
    pub state: State,
    pub profile: String,
    /// Where the key lives (see [`crate::home`]); flattened, so a files
    /// home keeps journal version 1's field names (`home`,
    /// `update_shared`, `credentials_file`, `config_file`).
    #[serde(flatten)]
    pub home: HomeRef,
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
    /// Each CreateAccessKey this rotation sent, and what came of it: an
    /// unanswered one may have made one key, which only an orphan
    /// cleanup inside its window may delete ([`tie`]).
    #[serde(default)]
    pub create_attempts: Vec<Sent>,
    /// Each destination serving the profile and how far it got (absent in
    /// journals written before destinations existed: none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destinations: Vec<crate::dest::DestProgress>,
}

/// One CreateAccessKey a rotation sent. Journal version 1 stored only the
/// time (a number): read as [`Came::Unknown`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "SentRepr")]
pub struct Sent {
    /// When it was sent (Unix seconds, this machine's clock).
    pub at: u64,
    pub came: Came,
}

/// What came of one CreateAccessKey.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Came {
    /// No answer that could be read (or none recorded before a crash): it
    /// may have made at most one key, whose secret nobody has.
    #[default]
    Unknown,
    /// A definite AWS refusal, or it never left: it made no key.
    Refused,
    /// The key it made: named by its answer, or the orphan tied to it
    /// and deleted. Settled either way.
    Key(String),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum SentRepr {
    At(u64),
    Sent {
        at: u64,
        #[serde(default)]
        came: Came,
    },
}

impl From<SentRepr> for Sent {
    fn from(r: SentRepr) -> Sent {
        match r {
            SentRepr::At(at) => Sent {
                at,
                came: Came::Unknown,
            },
            SentRepr::Sent { at, came } => Sent { at, came },
        }
    }
}

impl Journal {
    pub(crate) fn old_creds(&self) -> Creds {
        Creds::new(&self.old_key_id, &self.old_secret, &self.region)
    }

    pub(crate) fn new_creds(&self) -> Option<Creds> {
        Some(Creds::new(
            self.new_key_id.as_deref()?,
            self.new_secret.as_ref()?,
            &self.region,
        ))
    }
}

/// Where journals live inside a home's state folder.
pub(crate) fn journal_dir(state_dir: &Path) -> PathBuf {
    state_dir.join("journal")
}

/// The journal's file: readable slug of the profile plus a hash of the
/// exact name, so distinct profiles never share a journal.
pub(crate) fn journal_path(j: &Journal) -> PathBuf {
    journal_dir(&j.home.state_dir()).join(journal_file(&j.profile))
}

fn journal_file(profile: &str) -> String {
    let slug: String = profile
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
    let hash = profile.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{slug}-{hash:016x}.journal")
}

/// Writes the journal durably, on the calling thread (tests; the state
/// machine uses [`persist`]).
#[cfg(test)]
pub(crate) fn save(j: &Journal) -> Result<(), RotateError> {
    store::write_private(&journal_path(j), &serialized(j)?)?;
    Ok(())
}

/// The journal as written; it holds both secrets, so the copy is wiped.
fn serialized(j: &Journal) -> Result<zeroize::Zeroizing<Vec<u8>>, RotateError> {
    let bytes = serde_json::to_vec_pretty(j).map_err(|e| RotateError::BadJournal {
        path: journal_path(j),
        detail: e.to_string(),
    })?;
    Ok(zeroize::Zeroizing::new(bytes))
}

/// [`save`] off the runtime's thread, done (durable) when it returns: a
/// journal write is a file and a folder fsync (~10 ms on a busy disk), and
/// on the one current-thread runtime every other rotation of a fleet, its
/// requests included, would stand still behind each of them.
pub(crate) async fn persist(j: &Journal) -> Result<(), RotateError> {
    let (path, bytes) = (journal_path(j), serialized(j)?);
    off_thread(move || store::write_private(&path, &bytes)).await
}

/// Removes a finished rotation's journal (and syncs its folder), off the
/// runtime's thread like [`persist`].
pub(crate) async fn discard(j: &Journal) -> Result<(), RotateError> {
    let path = journal_path(j);
    off_thread(move || store::remove_private(&path)).await
}

async fn off_thread<F>(f: F) -> Result<(), RotateError>
where
    F: FnOnce() -> Result<(), store::StoreError> + Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => Ok(r?),
        // Only a panic in the write, or a runtime shutting down under the
        // rotation awaiting it: neither is the user's input.
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => std::panic::resume_unwind(Box::new(e.to_string())),
    }
}

/// Every interrupted rotation recorded beside either file.
pub fn journals(paths: &Paths) -> Result<Vec<(PathBuf, Journal)>, RotateError> {
    journals_in(&crate::home::files::state_dirs(paths)?)
}

/// Every interrupted rotation recorded in these state folders.
pub fn journals_in(state_dirs: &[PathBuf]) -> Result<Vec<(PathBuf, Journal)>, RotateError> {
    let mut out = Vec::new();
    for d in state_dirs.iter().map(|d| journal_dir(d)) {
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

/// Clock skew allowed between this machine and IAM when comparing a key's
/// CreateDate with the journal's timestamps (SigV4 itself refuses
/// requests signed more than minutes off).
pub(crate) const CLOCK_SKEW_S: u64 = 300;

/// How long after it was sent a CreateAccessKey can still run at IAM: the
/// SDK gives an operation 60 s, so twice that is generous.
pub(crate) const LATE_S: u64 = 120;

/// The window (Unix seconds, inclusive) in which IAM can have made a key
/// for a CreateAccessKey sent at `at`: from its sending to [`LATE_S`]
/// after, widened by the skew.
pub(crate) fn attempt_window(at: u64) -> (u64, u64) {
    (
        at.saturating_sub(CLOCK_SKEW_S),
        at.saturating_add(LATE_S + CLOCK_SKEW_S),
    )
}

impl Journal {
    /// The windows of the attempts still unanswered, with their indexes.
    pub(crate) fn open_attempts(&self) -> Vec<(usize, (u64, u64))> {
        self.create_attempts
            .iter()
            .enumerate()
            .filter(|(_, s)| s.came == Came::Unknown)
            .map(|(i, s)| (i, attempt_window(s.at)))
            .collect()
    }

    /// A key this rotation made or knows: never an orphan.
    pub(crate) fn knows(&self, id: &str) -> bool {
        self.keys_before.iter().any(|k| k == id)
            || self.new_key_id.as_deref() == Some(id)
            || self
                .create_attempts
                .iter()
                .any(|s| matches!(&s.came, Came::Key(k) if k == id))
    }

    /// A journal written before attempts had outcomes, in a state past
    /// `Started`: its last unanswered attempt is the one that made the new
    /// key.
    pub(crate) fn settle_made(&mut self) {
        let Some(new) = self.new_key_id.clone() else {
            return;
        };
        if self.knows_made(&new) {
            return;
        }
        if let Some(s) = self
            .create_attempts
            .iter_mut()
            .rev()
            .find(|s| s.came == Came::Unknown)
        {
            s.came = Came::Key(new);
        }
    }

    fn knows_made(&self, id: &str) -> bool {
        self.create_attempts
            .iter()
            .any(|s| matches!(&s.came, Came::Key(k) if k == id))
    }
}

/// Which keys the unanswered CreateAccessKey calls made: each call made at
/// most one key, inside its window. `windows` are the calls', `keys` the
/// user's keys nobody accounts for (id, creation). A key inside no window
/// is none of ours. When every key inside a window can be given a window
/// of its own, each is tied to one (earliest creation to the window that
/// closes first, which ties as many as can be); otherwise keyturn cannot
/// tell which it made, and ties none.
pub(crate) fn tie(windows: &[(u64, u64)], keys: &[(String, Option<u64>)]) -> Tied {
    let inside =
        |c: Option<u64>| c.is_some_and(|c| windows.iter().any(|(s, e)| (*s..=*e).contains(&c)));
    let mut candidates: Vec<(u64, &str)> = keys
        .iter()
        .filter(|(_, c)| inside(*c))
        .filter_map(|(id, c)| Some(((*c)?, id.as_str())))
        .collect();
    candidates.sort();
    let mut used = vec![false; windows.len()];
    let mut pairs = Vec::new();
    for (created, id) in &candidates {
        let best = (0..windows.len())
            .filter(|&w| !used[w] && (windows[w].0..=windows[w].1).contains(created))
            .min_by_key(|&w| windows[w].1);
        match best {
            Some(w) => {
                used[w] = true;
                pairs.push((w, id.to_string()));
            }
            None => {
                return Tied {
                    pairs: Vec::new(),
                    ambiguous: candidates.iter().map(|(_, id)| id.to_string()).collect(),
                }
            }
        }
    }
    Tied {
        pairs,
        ambiguous: Vec::new(),
    }
}

/// What [`tie`] found.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Tied {
    /// (window index, key id): the key that call made.
    pub pairs: Vec<(usize, String)>,
    /// Keys inside the windows, more than the calls could have made.
    pub ambiguous: Vec<String>,
}

/// Says why each key of `others` that no call was tied to stays: made
/// outside every window, or too many made inside them.
pub(crate) fn report_untied(
    ui: &dyn Ui,
    user: &str,
    windows: &[(u64, u64)],
    others: &[&crate::aws::KeyMeta],
    tied: &Tied,
) {
    let start = windows.iter().map(|w| w.0).min().unwrap_or_default();
    let end = windows.iter().map(|w| w.1).max().unwrap_or_default();
    for k in others {
        if tied.pairs.iter().any(|(_, id)| *id == k.id) {
            continue;
        }
        if tied.ambiguous.contains(&k.id) {
            let date = k
                .created
                .and_then(|c| u64::try_from(c).ok())
                .map(date_text)
                .unwrap_or_default();
            ui.warn(&trf(
                "warn.untied",
                &[("key", &mask(&k.id)), ("user", &user), ("date", &date)],
            ));
        } else {
            ui.warn(&outside_window_text(k, user, start, end));
        }
    }
}

pub(crate) use crate::util::time::rfc3339 as date_text;

pub(crate) fn outside_window_text(
    k: &crate::aws::KeyMeta,
    user: &str,
    start: u64,
    end: u64,
) -> String {
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
/// gone), making a key whose secret nobody has. Each window is one such
/// call still unsettled: it made at most one key. The next `rotate` or
/// `recover` deletes a key it can tie to one window ([`tie`]), and only
/// such a key; `status` only reports. A window is done once its key is
/// found (and deleted) or it has closed. Holds no secret.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Attempt {
    pub profile: String,
    pub user_arn: String,
    pub user_name: String,
    /// Inclusive (start, end) Unix-second windows, one per unanswered
    /// call (see [`attempt_window`]).
    pub windows: Vec<(u64, u64)>,
    /// Keys this run holds the secret of, or made and deleted: never
    /// deleted (again).
    pub known: Vec<String>,
}

/// Attempt records live beside the journals, in their own folder: they
/// outlive the rotation, the journals do not.
pub(crate) fn attempt_dir(state_dir: &Path) -> PathBuf {
    state_dir.join("attempts")
}

pub(crate) fn attempt_path(j: &Journal) -> PathBuf {
    attempt_path_in(&j.home.state_dir(), &j.profile)
}

/// The attempt record of `profile`'s rotations in `state_dir`.
pub(crate) fn attempt_path_in(state_dir: &Path, profile: &str) -> PathBuf {
    attempt_dir(state_dir).join(Path::new(&journal_file(profile)).with_extension("attempt"))
}

pub(crate) fn read_attempt(path: &Path) -> Option<Attempt> {
    store::read_private(path)
        .ok()
        .flatten()
        .and_then(|b| serde_json::from_slice(&b).ok())
}

impl<A: Aws> Ctx<'_, A> {
    /// Makes the attempt record of `j`'s profile hold exactly the calls of
    /// `j` still unanswered (beside any of earlier rotations), or removes
    /// it when none is left. Called before the journal goes: the record
    /// outlives it. Best effort, with a warning naming it.
    pub(crate) fn sync_record(&self, j: &Journal) {
        let path = attempt_path(j);
        let mut a = read_attempt(&path).unwrap_or_default();
        let mine: Vec<(u64, u64)> = j
            .create_attempts
            .iter()
            .map(|s| attempt_window(s.at))
            .collect();
        let open: Vec<(u64, u64)> = j.open_attempts().into_iter().map(|(_, w)| w).collect();
        a.windows.retain(|w| !mine.contains(w));
        a.windows.extend(open.iter().copied());
        if a.windows.is_empty() {
            let _ = store::remove_private(&path);
            return;
        }
        a.profile = j.profile.clone();
        a.user_arn = j.user_arn.clone();
        a.user_name = j.user_name.clone();
        let made = j.create_attempts.iter().filter_map(|s| match &s.came {
            Came::Key(k) => Some(k.as_str()),
            _ => None,
        });
        for id in j.keys_before.iter().map(String::as_str).chain(made) {
            if !a.known.iter().any(|k| k == id) {
                a.known.push(id.to_string());
            }
        }
        if let Ok(bytes) = serde_json::to_vec_pretty(&a) {
            if store::write_private(&path, &bytes).is_ok() && !open.is_empty() {
                self.ui
                    .warn(&trf("warn.attempt_recorded", &[("path", &path.display())]));
            }
        }
    }
}

/// Every attempt record beside either file.
pub(crate) fn attempt_records(paths: &Paths) -> Vec<(PathBuf, Attempt)> {
    let mut dirs = Vec::new();
    for p in [&paths.credentials, &paths.config] {
        if let Ok(real) = store::real_path(p) {
            let d = attempt_dir(
                &real
                    .parent()
                    .unwrap_or(Path::new("."))
                    .join(store::STATE_DIR),
            );
            if !dirs.contains(&d) {
                dirs.push(d);
            }
        }
    }
    let mut out = Vec::new();
    for d in dirs {
        for path in store::list_private(&d, ".attempt").unwrap_or_default() {
            if let Some(a) = read_attempt(&path) {
                out.push((path, a));
            }
        }
    }
    out
}

/// Deletes the keys earlier CreateAccessKey calls made late (each tied to
/// one unanswered call, [`tie`]), reports any other unknown key of those
/// users, and drops a call's window once its key is deleted or it has
/// closed (the record once none is left). Signs with the key the profile
/// holds now (or the run's MFA session). Best effort: a failure is a
/// warning and the record stays for the next run.
pub async fn sweep_attempts<A: Aws>(cx: &Ctx<'_, A>) {
    for (path, mut a) in attempt_records(cx.paths) {
        let settled = match sweep_one(cx, &a, true).await {
            Ok(s) => s,
            Err(e) => {
                cx.ui.warn(&e.to_string());
                continue;
            }
        };
        let now = now_secs();
        a.windows.retain(|w| !settled.contains(w) && now <= w.1);
        if a.windows.is_empty() {
            let _ = store::remove_private(&path);
        } else if !settled.is_empty() {
            if let Ok(bytes) = serde_json::to_vec_pretty(&a) {
                let _ = store::write_private(&path, &bytes);
            }
        }
    }
}

/// `keyturn status`'s share of [`sweep_attempts`]: read-only. It reports
/// the keys a later `rotate` or `recover` would delete and why, deletes
/// nothing and writes no file (so it needs no lock), and never prompts.
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
    for (_, a) in attempt_records(paths) {
        if let Err(e) = sweep_one(&cx, &a, false).await {
            ui.warn(&e.to_string());
        }
    }
}

/// One record's sweep: the windows whose key was deleted (with `delete`;
/// without, the keys that would be are only reported).
pub(crate) async fn sweep_one<A: Aws>(
    cx: &Ctx<'_, A>,
    a: &Attempt,
    delete: bool,
) -> Result<Vec<(u64, u64)>, RotateError> {
    let key = match cx
        .homes()
        .find_all(std::slice::from_ref(&a.profile))
        .await?
        .pop()
    {
        Some((_, found)) => found?.key,
        None => return Ok(Vec::new()),
    };
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
    sweep_keys(cx, a, &signer, &keys, Some(&key.access_key_id), delete).await
}

/// The keys of `a`'s user tied to its windows ([`tie`]), deleted (or,
/// without `delete`, reported), signed by `signer`; `keep` (the key in
/// use) and the keys the record knows are never touched. Returns the
/// windows settled.
pub(crate) async fn sweep_keys<A: Aws>(
    cx: &Ctx<'_, A>,
    a: &Attempt,
    signer: &Creds,
    keys: &[crate::aws::KeyMeta],
    keep: Option<&str>,
    delete: bool,
) -> Result<Vec<(u64, u64)>, RotateError> {
    let others: Vec<&crate::aws::KeyMeta> = keys
        .iter()
        .filter(|k| Some(k.id.as_str()) != keep && !a.known.contains(&k.id))
        .collect();
    let tied = tie(&a.windows, &created_of(&others));
    report_untied(cx.ui, &a.user_name, &a.windows, &others, &tied);
    let mut settled = Vec::new();
    for (w, id) in &tied.pairs {
        let date = others
            .iter()
            .find(|k| k.id == *id)
            .and_then(|k| k.created)
            .and_then(|c| u64::try_from(c).ok())
            .map(date_text)
            .unwrap_or_default();
        let masked = mask(id);
        if !delete {
            cx.ui.warn(&trf(
                "warn.late_orphan_seen",
                &[("key", &masked), ("user", &a.user_name), ("date", &date)],
            ));
            continue;
        }
        cx.ui.warn(&trf(
            "warn.late_orphan",
            &[("key", &masked), ("user", &a.user_name), ("date", &date)],
        ));
        match cx.aws.delete_access_key(signer, &a.user_name, id).await {
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
        settled.push(a.windows[*w]);
    }
    Ok(settled)
}

/// (id, creation in Unix seconds) of each key, for [`tie`].
pub(crate) fn created_of(keys: &[&crate::aws::KeyMeta]) -> Vec<(String, Option<u64>)> {
    keys.iter()
        .map(|k| (k.id.clone(), k.created.and_then(|c| u64::try_from(c).ok())))
        .collect()
}

/// Keys keyturn itself made Inactive, so a later rotate may delete them
/// without asking. Ids only, no secrets.
pub(crate) fn retired_ids(homes: &Homes) -> Vec<String> {
    homes
        .retired_path()
        .and_then(|p| store::read_private(&p).ok().flatten())
        .map(|b| {
            String::from_utf8_lossy(&b)
                .lines()
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn retired_by_us(homes: &Homes, id: &str) -> bool {
    retired_ids(homes).iter().any(|k| k == id)
}

pub(crate) fn remember_retired(homes: &Homes, id: &str) {
    let mut ids = retired_ids(homes);
    ids.push(id.to_string());
    if let Some(p) = homes.retired_path() {
        // Best effort: losing this only means a later prompt.
        let _ = store::write_private(&p, (ids.join("\n") + "\n").as_bytes());
    }
}

pub(crate) fn forget_retired(homes: &Homes, id: &str) {
    let ids: Vec<String> = retired_ids(homes).into_iter().filter(|k| k != id).collect();
    if let Some(p) = homes.retired_path() {
        let _ = store::write_private(&p, (ids.join("\n") + "\n").as_bytes());
    }
}
