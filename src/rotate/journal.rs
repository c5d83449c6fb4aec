//! Journal storage: one 0600 file per interrupted rotation in its home's
//! state folder, written before every step that leaves a state; attempt
//! records of CreateAccessKey calls whose outcome is unknown (they outlive
//! the journal), and the list of keys keyturn made Inactive.
//!
//! Invariant: a journal holds both pairs, so it is written only by
//! [`store::write_private`] and its serialised copy is wiped.

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
    /// When each CreateAccessKey attempt was sent (Unix seconds): with
    /// `started_at` the rotation's own window, the only keys an orphan
    /// cleanup may delete.
    #[serde(default)]
    pub create_attempts: Vec<u64>,
    /// Each destination serving the profile and how far it got (absent in
    /// journals written before destinations existed: none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destinations: Vec<crate::dest::DestProgress>,
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
    journal_dir(&j.home.state_dir()).join(format!("{slug}-{hash:016x}.journal"))
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
    let mut out = Vec::new();
    for d in crate::home::files::state_dirs(paths)?
        .iter()
        .map(|d| journal_dir(d))
    {
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

/// The rotation's own window (Unix seconds, inclusive): from its start to
/// its last CreateAccessKey attempt plus [`LATE_S`], widened by the skew.
pub(crate) fn window(j: &Journal) -> (u64, u64) {
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
pub(crate) fn attempt_dir(state_dir: &Path) -> PathBuf {
    state_dir.join("attempts")
}

pub(crate) fn attempt_path(j: &Journal) -> PathBuf {
    let journal = journal_path(j);
    attempt_dir(&j.home.state_dir()).join(
        journal
            .file_name()
            .map(|n| Path::new(n).with_extension("attempt"))
            .unwrap_or_else(|| PathBuf::from("profile.attempt")),
    )
}

impl<A: Aws> Ctx<'_, A> {
    /// Saves (or widens) the attempt record of `j`'s rotation. Best
    /// effort, with a warning naming it: the journal path is known.
    pub(crate) fn record_attempt(&self, j: &Journal, made: &[&str]) {
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

pub(crate) async fn sweep_one<A: Aws>(cx: &Ctx<'_, A>, a: &Attempt) -> Result<(), RotateError> {
    let key = match cx
        .homes()
        .find_all(std::slice::from_ref(&a.profile))
        .await?
        .pop()
    {
        Some((_, found)) => found?.key,
        None => return Ok(()),
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
