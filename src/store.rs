//! Every file-system effect keyturn has: the lock, the backup, the atomic
//! replace of the shared files, and the journal files.
//!
//! Invariants:
//! - The user's files are only ever replaced whole, by rename, from a temp
//!   file in the same directory that was fsynced first; the directory is
//!   fsynced after the rename. A crash leaves the old or the new file,
//!   never a mix. The one exception: a file the kernel will not let a
//!   rename replace (`EBUSY`/`EXDEV`: it, or its folder, is a mount
//!   point) is written in place under the lock, its old and new bytes
//!   recorded first in `.keyturn/in-place/`, so a write a crash tore is
//!   finished on the next lock ([`in_place`]); the file is again the old
//!   one or the new one before anything reads it.
//! - The replaced file keeps its mode and owner, and a symlink stays a
//!   symlink: we write to its target.
//! - A file the user did not have is never created ([`rewrite`] refuses).
//! - keyturn's own files (lock, backups, journals) live in a `.keyturn`
//!   folder (0700) beside the real file; backups and journals are 0600.
//! - A rewrite re-reads the file under the lock and re-applies the edit if
//!   someone changed it since keyturn first read it.
//! - Trust: `.keyturn`, its folders and every file in them must be real
//!   (not symlinks), owned by the running user and not writable by group
//!   or others; anything else is refused ([`StoreError::Untrusted`])
//!   before keyturn reads or writes it, so another user can neither plant
//!   a journal nor receive our backups.
//! - Only regular files are read: a FIFO, socket, device or directory is
//!   refused from its `stat` before it is opened, and the open itself is
//!   non-blocking, so a FIFO swapped in between never hangs keyturn.
//! - Temp files are registered with [`crate::signals`] (removed on
//!   SIGINT/SIGTERM), and stale ones of keyturn's own naming are swept
//!   under the lock on the next run.

use crate::i18n::{tr, trf};
use crate::platform::{self, Open, Special};
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use zeroize::{Zeroize, Zeroizing};

/// Name of keyturn's folder beside the files it manages.
pub const STATE_DIR: &str = ".keyturn";
/// How many backups of each file are kept by default.
pub const DEFAULT_KEEP_BACKUPS: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}", trf("store.locked", &[("file", &file.display()), ("lock", &lock.display())]))]
    Locked { file: PathBuf, lock: PathBuf },
    #[error("{}", trf("store.missing", &[("path", &path.display())]))]
    Missing { path: PathBuf },
    #[error("{}", trf("store.unstable", &[("path", &path.display())]))]
    Unstable { path: PathBuf },
    #[error("{}", trf("store.owner", &[("path", &path.display()), ("uid", uid), ("gid", gid), ("error", source)]))]
    Owner {
        path: PathBuf,
        uid: u32,
        gid: u32,
        #[source]
        source: io::Error,
    },
    /// keyturn's own folder or file is not safely ours.
    #[error("{}", trf("store.untrusted", &[("path", &path.display()), ("reason", reason)]))]
    Untrusted { path: PathBuf, reason: String },
    /// The user's file is a FIFO, socket, device or directory.
    #[error("{}", trf("store.not_regular", &[("path", &path.display()), ("what", what)]))]
    NotRegular { path: PathBuf, what: &'static str },
    /// The user's file lacks its owner's write bit: a deliberate "keep".
    #[error("{}", trf("store.read_only", &[("path", &path.display()), ("mode", &format!("{mode:04o}"))]))]
    ReadOnly { path: PathBuf, mode: u32 },
    /// The user's file is on a read-only mount: no write can reach it.
    #[error("{}", trf("store.read_only_mount", &[("path", &path.display())]))]
    ReadOnlyMount { path: PathBuf },
}

impl StoreError {
    /// Refused before anything was changed.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            StoreError::Untrusted { .. }
                | StoreError::NotRegular { .. }
                | StoreError::ReadOnly { .. }
                | StoreError::ReadOnlyMount { .. }
        )
    }

    /// The OS error behind an I/O failure (ENOSPC, EROFS, ...), if any.
    pub fn os_error(&self) -> Option<i32> {
        match self {
            StoreError::Io { source, .. } | StoreError::Owner { source, .. } => {
                source.raw_os_error()
            }
            _ => None,
        }
    }

    /// The rename that replaces a file failed because the file is a
    /// mount point (`EBUSY`: a bind-mounted file) or the temp file is on
    /// another mount (`EXDEV`: the folder is a mount point): only a
    /// write in place can change it ([`write_in_place`]).
    pub fn rename_impossible(&self) -> bool {
        match self {
            StoreError::Io { source, .. } => rename_impossible(source),
            _ => false,
        }
    }

    /// A full disk, a read-only or quota-limited file system, or a
    /// permission the file system denies: the environment's fault, to be
    /// fixed before the rotation can finish.
    pub fn is_disk_trouble(&self) -> bool {
        match self {
            StoreError::Io { source, .. } | StoreError::Owner { source, .. } => {
                platform::is_disk_trouble(source)
            }
            _ => false,
        }
    }
}

/// The effective uid keyturn runs as: the only owner it trusts.
pub fn euid() -> u32 {
    platform::euid()
}

/// What a non-regular file is, in words (for [`StoreError::NotRegular`]).
fn kind_of(m: &fs::Metadata) -> &'static str {
    match platform::special(m) {
        Special::Fifo => tr("store.kind_fifo"),
        Special::Socket => tr("store.kind_socket"),
        Special::Device => tr("store.kind_device"),
        Special::Dir => tr("store.kind_dir"),
        Special::Other => tr("store.kind_other"),
    }
}

/// lstat of one of keyturn's own paths, refusing anything not safely
/// ours. None when it does not exist.
fn trusted_meta(path: &Path, dir: bool) -> Result<Option<platform::Stat>, StoreError> {
    let m = match platform::lstat(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err(path)(e)),
    };
    let untrusted = |reason: String| StoreError::Untrusted {
        path: path.to_path_buf(),
        reason,
    };
    if m.file_type().is_symlink() {
        return Err(untrusted(tr("store.why_symlink").into()));
    }
    if dir && !m.is_dir() {
        return Err(untrusted(tr("store.why_not_dir").into()));
    }
    if !dir && !m.is_file() {
        return Err(untrusted(tr("store.why_not_file").into()));
    }
    let (me, (uid, _)) = (euid(), platform::owner(&m));
    if uid != me {
        return Err(untrusted(trf(
            "store.why_owner",
            &[("uid", &uid), ("me", &me)],
        )));
    }
    if platform::writable_by_others(&m) {
        return Err(untrusted(trf(
            "store.why_writable",
            &[("mode", &format!("{:04o}", platform::mode(&m)))],
        )));
    }
    Ok(Some(m))
}

/// Checks, without creating anything, that `dir` (and the `.keyturn`
/// folder above it, if `dir` is inside one) is safely ours when present.
pub fn check_private_dir(dir: &Path) -> Result<(), StoreError> {
    if let Some(parent) = dir.parent() {
        if parent.file_name() == Some(STATE_DIR.as_ref()) {
            check_private_dir(parent)?;
        }
    }
    trusted_meta(dir, true).map(|_| ())
}

/// Checks that a folder keyturn reads secrets from but does not own (an
/// aws-vault or granted keyring folder) is trusted as `.keyturn` is: a
/// real directory, owned by us, not writable by group or others. Creates
/// and changes nothing; `false` when it does not exist.
pub fn check_trusted_dir(dir: &Path) -> Result<bool, StoreError> {
    trusted_meta(dir, true).map(|m| m.is_some())
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The file a path finally names, following symlinks, so the lock, the
/// temp file and the rename all happen beside the real file. A path that
/// does not exist is returned as given.
pub fn real_path(path: &Path) -> Result<PathBuf, StoreError> {
    match fs::canonicalize(path) {
        Ok(p) => Ok(platform::plain_path(p)),
        Err(e) if e.kind() == io::ErrorKind::NotFound && fs::symlink_metadata(path).is_err() => {
            Ok(path.to_path_buf())
        }
        Err(e) => Err(io_err(path)(e)),
    }
}

/// `.keyturn` beside `real`, created 0700 if missing.
pub fn state_dir(real: &Path) -> Result<PathBuf, StoreError> {
    let parent = match real.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let dir = parent.join(STATE_DIR);
    ensure_private_dir(&dir)?;
    Ok(dir)
}

/// Creates `dir` if missing and makes sure it is 0700, since backups
/// and journals inside it hold secrets. `dir` (and the `.keyturn` above
/// it) must be a real directory owned by us and not writable by others:
/// checked before anything is created inside or its mode is changed.
pub fn ensure_private_dir(dir: &Path) -> Result<(), StoreError> {
    if let Some(parent) = dir.parent() {
        if parent.file_name() == Some(STATE_DIR.as_ref()) {
            ensure_private_dir(parent)?;
        }
    }
    let meta = match trusted_meta(dir, true)? {
        Some(m) => m,
        None => {
            match platform::create_private_dir(dir, false) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                // A parent outside `.keyturn` is missing: make it as before.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    platform::create_private_dir(dir, true).map_err(io_err(dir))?
                }
                Err(e) => return Err(io_err(dir)(e)),
            }
            // Whatever is there now (ours, or a racer's) is checked again.
            trusted_meta(dir, true)?.ok_or_else(|| StoreError::Missing {
                path: dir.to_path_buf(),
            })?
        }
    };
    if platform::open_to_others(&meta) {
        platform::set_mode(dir, 0o700).map_err(io_err(dir))?;
    }
    Ok(())
}

/// An exclusive advisory lock on `<state dir>/<file name>.lock`. A
/// separate lock file is needed because the atomic rename swaps the data
/// file's inode. Released on drop.
#[derive(Debug)]
pub struct FileLock {
    _file: File,
    /// The lock file.
    pub path: PathBuf,
    /// The real data file it guards.
    pub target: PathBuf,
}

impl FileLock {
    /// The `.keyturn` folder the lock file is in.
    pub fn state_dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }
}

/// Takes the lock on `real` (and releases it) only to finish a write in
/// place to it that a crash interrupted ([`finish_in_place`]), so a torn
/// file is repaired before anyone parses it. Creates nothing when no
/// such write is pending.
pub fn finish_interrupted_write(real: &Path, wait: Duration) -> Result<(), StoreError> {
    let dir = match real.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if in_place_pending(&dir.join(STATE_DIR), real) {
        drop(lock(real, wait)?);
    }
    Ok(())
}

/// Takes the exclusive lock guarding `real`, waiting up to `wait` for
/// another keyturn run. Under it, stale temp files are swept and an
/// interrupted write in place to `real` is finished.
pub fn lock(real: &Path, wait: Duration) -> Result<FileLock, StoreError> {
    let name = real
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let path = state_dir(real)?.join(format!("{name}.lock"));
    trusted_meta(&path, false)?;
    let file = platform::private_open(&path, Open::CreateNoFollow).map_err(io_err(&path))?;
    check_opened(&path, &file)?;
    let deadline = deadline_after(wait);
    loop {
        match file.try_lock() {
            Ok(()) => {
                // Under the lock no other keyturn writes this file: any
                // temp of ours beside it is a dead run's, and so is a
                // write in place left unfinished.
                sweep_stale_temps(real);
                let lock = FileLock {
                    _file: file,
                    target: real.to_path_buf(),
                    path,
                };
                finish_in_place(lock.state_dir(), real)?;
                return Ok(lock);
            }
            Err(fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(fs::TryLockError::WouldBlock) => {
                return Err(StoreError::Locked {
                    file: real.to_path_buf(),
                    lock: path,
                })
            }
            Err(fs::TryLockError::Error(e)) => return Err(io_err(&path)(e)),
        }
    }
}

/// What a file held when keyturn read it. Its bytes are wiped on drop.
#[derive(Clone)]
pub struct Snapshot {
    /// The real path (symlinks followed).
    pub real: PathBuf,
    /// None when the file does not exist.
    pub bytes: Option<Vec<u8>>,
}

impl Drop for Snapshot {
    fn drop(&mut self) {
        if let Some(b) = &mut self.bytes {
            b.zeroize();
        }
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("real", &self.real)
            .field("bytes", &self.bytes.as_ref().map(Vec::len))
            .finish()
    }
}

pub fn read(path: &Path) -> Result<Snapshot, StoreError> {
    let real = real_path(path)?;
    let bytes = read_regular(&real)?;
    Ok(Snapshot { real, bytes })
}

/// The bytes of a regular file, None if it does not exist. Anything else
/// (FIFO, socket, device, directory) is refused from its `stat` before it
/// is opened; the open is non-blocking and re-checked with `fstat`, so a
/// FIFO swapped in between cannot hang us either.
fn read_regular(real: &Path) -> Result<Option<Vec<u8>>, StoreError> {
    match fs::metadata(real) {
        Ok(m) if !m.is_file() => {
            return Err(StoreError::NotRegular {
                path: real.to_path_buf(),
                what: kind_of(&m),
            })
        }
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err(real)(e)),
    }
    let mut f = match platform::private_open(real, Open::Read) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err(real)(e)),
    };
    let m = f.metadata().map_err(io_err(real))?;
    if !m.is_file() {
        return Err(StoreError::NotRegular {
            path: real.to_path_buf(),
            what: kind_of(&m),
        });
    }
    let mut buf = Vec::with_capacity(m.len() as usize);
    f.read_to_end(&mut buf).map_err(io_err(real))?;
    Ok(Some(buf))
}

/// Refuses a file keyturn would rewrite when it is not a regular file,
/// lacks its owner's write bit (the user asked for it to be kept as is),
/// or is on a read-only mount. Nothing is created or changed.
pub fn check_writable(path: &Path) -> Result<(), StoreError> {
    match platform::stat(path) {
        Ok(m) if !m.is_file() => Err(StoreError::NotRegular {
            path: path.to_path_buf(),
            what: kind_of(&m),
        }),
        Ok(m) if platform::owner_read_only(&m) => Err(StoreError::ReadOnly {
            path: path.to_path_buf(),
            mode: platform::mode(&m),
        }),
        // A read-only mount (a Kubernetes secret, a `:ro` volume) takes
        // neither a rename nor a write in place: said before any change.
        Ok(_) if platform::on_read_only_mount(path) => Err(StoreError::ReadOnlyMount {
            path: path.to_path_buf(),
        }),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_err(path)(e)),
    }
}

/// Refuses a user's file owned by another user (root, running keyturn,
/// excepted): keyturn would write a secret into a file someone else
/// controls. Nothing is created or changed; a missing file passes.
pub fn check_owned(path: &Path) -> Result<(), StoreError> {
    match platform::stat(path) {
        Ok(m) => {
            let (me, (uid, _)) = (euid(), platform::owner(&m));
            if uid != me && me != 0 {
                return Err(StoreError::Untrusted {
                    path: path.to_path_buf(),
                    reason: trf("store.why_owner", &[("uid", &uid), ("me", &me)]),
                });
            }
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_err(path)(e)),
    }
}

/// `Instant::now() + d`, saturating far in the future instead of
/// panicking on overflow.
pub fn deadline_after(d: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 86_400)))
        .unwrap_or(now)
}

/// The result of [`rewrite`].
#[derive(Debug)]
pub struct Rewritten {
    pub backup: Option<PathBuf>,
    /// The file had changed since it was read and the edit was re-applied
    /// to its new content.
    pub reapplied: bool,
    /// The edit found nothing to change, so nothing was written.
    pub unchanged: bool,
}

/// Maps a file's current bytes to its new bytes, or to None (no change).
pub type Edit<'a, E> = dyn Fn(&[u8]) -> Result<Option<Vec<u8>>, E> + 'a;

/// Read-modify-write under a held lock. `edit` maps the file's current
/// content to the new content (or to None: nothing to change) and must be
/// a function of content, so that it can be re-applied when the file
/// changed since `expected` was read.
pub fn rewrite<E>(
    _lock: &FileLock,
    expected: &Snapshot,
    keep_backups: usize,
    edit: &Edit<'_, E>,
) -> Result<Result<Rewritten, E>, StoreError> {
    let real = &expected.real;
    let mut reapplied = false;
    // A writer that ignores our lock could slip in between our read and
    // our rename; re-check just before renaming, and retry a few times.
    for _ in 0..3 {
        // The file holds every secret the user has: wipe our copies.
        let current = Zeroizing::new(
            read_regular(real)?.ok_or_else(|| StoreError::Missing { path: real.clone() })?,
        );
        if expected.bytes.as_deref() != Some(&current[..]) {
            reapplied = true;
        }
        let new = match edit(&current) {
            Ok(Some(n)) => Zeroizing::new(n),
            Ok(None) => {
                return Ok(Ok(Rewritten {
                    backup: None,
                    reapplied,
                    unchanged: true,
                }))
            }
            Err(e) => return Ok(Err(e)),
        };
        let backup = backup(real, &current, keep_backups)?;
        let meta = platform::stat(real).map_err(io_err(real))?;
        let tmp = write_temp(
            real,
            &new,
            platform::mode(&meta),
            Some(platform::owner(&meta)),
        )?;
        let still = Zeroizing::new(read_regular(real)?.unwrap_or_default());
        if still != current {
            remove_temp(&tmp);
            reapplied = true;
            continue;
        }
        abort_point("before-rename", real);
        pausepoint("before-rename");
        match commit(&tmp, real) {
            Ok(()) => {}
            // A mount point (a bind-mounted file) cannot be replaced:
            // write it where it is, as the AWS CLI does.
            Err(e) if e.rename_impossible() => {
                let state = state_dir(real)?;
                if !write_in_place(&state, real, &current, &new)? {
                    reapplied = true;
                    continue;
                }
            }
            Err(e) => return Err(e),
        }
        abort_point("after-rename", real);
        return Ok(Ok(Rewritten {
            backup: Some(backup),
            reapplied,
            unchanged: false,
        }));
    }
    Err(StoreError::Unstable { path: real.clone() })
}

/// Writes `bytes` to a new temp file beside `real` with the given mode and
/// owner, fsynced. The caller renames it with [`commit`].
fn write_temp(
    real: &Path,
    bytes: &[u8],
    mode: u32,
    owner: Option<(u32, u32)>,
) -> Result<PathBuf, StoreError> {
    let dir = real.parent().unwrap_or(Path::new("."));
    let name = real.file_name().unwrap_or_default().to_string_lossy();
    let nonce = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let tmp = dir.join(format!(
        ".{name}{TEMP_MARK}{}-{nonce}{TEMP_SUFFIX}",
        std::process::id()
    ));
    let mut f = platform::private_open(&tmp, Open::CreateNew).map_err(io_err(&tmp))?;
    crate::signals::temp_created(&tmp);
    let result = (|| {
        if let Some((uid, gid)) = owner {
            // Who may read the replaced file (its DACL on Windows).
            platform::copy_access(real, &f).map_err(io_err(&tmp))?;
            let m = platform::fstat(&f).map_err(io_err(&tmp))?;
            if platform::owner(&m) != (uid, gid) {
                platform::set_owner(&f, uid, gid).map_err(|source| StoreError::Owner {
                    path: real.to_path_buf(),
                    uid,
                    gid,
                    source,
                })?;
            }
        }
        // Mode after chown: chown may clear set-id bits.
        platform::set_file_mode(&f, mode).map_err(io_err(&tmp))?;
        f.write_all(bytes).map_err(io_err(&tmp))?;
        platform::sync_file(&f).map_err(io_err(&tmp))
    })();
    if let Err(e) = result {
        remove_temp(&tmp);
        return Err(e);
    }
    Ok(tmp)
}

const TEMP_MARK: &str = ".keyturn-";
const TEMP_SUFFIX: &str = ".tmp";

fn remove_temp(tmp: &Path) {
    let _ = fs::remove_file(tmp);
    crate::signals::temp_gone(tmp);
}

fn commit(tmp: &Path, real: &Path) -> Result<(), StoreError> {
    if let Err(e) = platform::replace(tmp, real) {
        remove_temp(tmp);
        return Err(io_err(real)(e));
    }
    crate::signals::temp_gone(tmp);
    sync_dir(real.parent().unwrap_or(Path::new(".")))
}

/// Whether `file_name` is a temp file keyturn names for `of`:
/// `.<of>.keyturn-<pid>-<nanos>.tmp`, digits only.
pub fn is_our_temp(file_name: &str, of: &str) -> bool {
    let Some(rest) = file_name
        .strip_prefix('.')
        .and_then(|r| r.strip_prefix(of))
        .and_then(|r| r.strip_prefix(TEMP_MARK))
        .and_then(|r| r.strip_suffix(TEMP_SUFFIX))
    else {
        return false;
    };
    let mut parts = rest.splitn(2, '-');
    let digits =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    digits(parts.next()) && digits(parts.next())
}

/// Removes temp files a killed run left beside `real` and in `.keyturn`
/// (journal and backup temps hold secrets too). Only regular files of our
/// exact naming, owned by us; best effort.
fn sweep_stale_temps(real: &Path) {
    let dir = real.parent().unwrap_or(Path::new("."));
    let name = real.file_name().unwrap_or_default().to_string_lossy();
    let state = dir.join(STATE_DIR);
    let mut spots: Vec<(PathBuf, Option<String>)> =
        vec![(dir.to_path_buf(), Some(name.into_owned()))];
    for sub in ["journal", "backups", "in-place"] {
        spots.push((state.join(sub), None));
    }
    spots.push((state.clone(), None));
    for (d, of) in spots {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let n = e.file_name();
            let n = n.to_string_lossy();
            let ours = match &of {
                Some(of) => is_our_temp(&n, of),
                // Inside `.keyturn` every file is ours: any name works.
                None => n.starts_with('.') && n.ends_with(TEMP_SUFFIX) && n.contains(TEMP_MARK),
            };
            if !ours {
                continue;
            }
            let p = e.path();
            if let Ok(m) = platform::lstat(&p) {
                if m.is_file() && platform::owner(&m).0 == euid() {
                    let _ = fs::remove_file(&p);
                }
            }
        }
    }
}

/// Test hooks: whether `KEYTURN_FAILPOINT` names `point`. The one read
/// of that variable; end-to-end tests set it to stop or abort the process
/// at an instant no network request marks. Unset in real use.
pub fn failpoint_is(point: &str) -> bool {
    std::env::var_os("KEYTURN_FAILPOINT").is_some_and(|v| v == point)
}

/// Test hook: `KEYTURN_FAILPOINT=abort-<name>:<file name>` aborts the
/// process here (as a kill -9 would) when rewriting that one file, so an
/// end-to-end test can crash a destination's write (`abort-before-rename:app.env`)
/// without crashing the credentials file's first.
fn abort_point(name: &str, real: &Path) {
    let file = real.file_name().unwrap_or_default().to_string_lossy();
    if failpoint_is(&format!("abort-{name}:{file}")) {
        std::process::abort();
    }
}

/// Test hook: `KEYTURN_FAILPOINT=pause-<name>` stops here until a signal
/// arrives, so an end-to-end test can deliver SIGTERM at this instant.
fn pausepoint(name: &str) {
    if failpoint_is(&format!("pause-{name}")) {
        crate::report::err_line(&format!("keyturn: paused at {name}"));
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
}

/// fstat of an opened private file: regular, ours, not writable by others.
fn check_opened(path: &Path, f: &File) -> Result<(), StoreError> {
    let m = platform::fstat(f).map_err(io_err(path))?;
    let bad = if !m.is_file() {
        Some(tr("store.why_not_file").to_string())
    } else if platform::owner(&m).0 != euid() {
        Some(trf(
            "store.why_owner",
            &[("uid", &platform::owner(&m).0), ("me", &euid())],
        ))
    } else if platform::writable_by_others(&m) {
        Some(trf(
            "store.why_writable",
            &[("mode", &format!("{:04o}", platform::mode(&m)))],
        ))
    } else {
        None
    };
    match bad {
        Some(reason) => Err(StoreError::Untrusted {
            path: path.to_path_buf(),
            reason,
        }),
        None => Ok(()),
    }
}

fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    platform::sync_dir(dir).map_err(io_err(dir))
}

/// The one atomic write: `bytes` go to a new temp file beside `path`
/// (`O_EXCL`, `O_NOFOLLOW`, created 0600, then set to `mode`), fsynced,
/// renamed over `path`, and the folder fsynced, so a crash leaves the old
/// file or the new one, never a mix. The folder must already be one the
/// caller trusts. [`rewrite`] is this same write split at the rename (it
/// re-reads the file between the two, and keeps its owner).
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> Result<(), StoreError> {
    let tmp = write_temp(path, bytes, mode, None)?;
    commit(&tmp, path)
}

/// Atomically writes one of keyturn's own private files (journal, marker):
/// 0600, fsynced, renamed into place, directory fsynced.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    if let Some(dir) = path.parent() {
        ensure_private_dir(dir)?;
    }
    write_atomic(path, bytes, 0o600)
}

/// Removes a private file and makes the removal durable.
pub fn remove_private(path: &Path) -> Result<(), StoreError> {
    match fs::remove_file(path) {
        Ok(()) => sync_dir(path.parent().unwrap_or(Path::new("."))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_err(path)(e)),
    }
}

/// Reads a private file, None if absent. The file and its folder must be
/// safely ours (a planted journal is refused, not obeyed).
pub fn read_private(path: &Path) -> Result<Option<Vec<u8>>, StoreError> {
    if let Some(dir) = path.parent() {
        check_private_dir(dir)?;
    }
    if trusted_meta(path, false)?.is_none() {
        return Ok(None);
    }
    let mut buf = Vec::new();
    match platform::private_open(path, Open::ReadNoFollow) {
        Ok(mut f) => {
            check_opened(path, &f)?;
            f.read_to_end(&mut buf).map_err(io_err(path))?;
            Ok(Some(buf))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(path)(e)),
    }
}

/// Files in a private folder whose name ends with `suffix`, sorted.
pub fn list_private(dir: &Path, suffix: &str) -> Result<Vec<PathBuf>, StoreError> {
    let mut out = Vec::new();
    check_private_dir(dir)?;
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(io_err(dir)(e)),
    };
    for entry in entries {
        let entry = entry.map_err(io_err(dir))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.ends_with(suffix) && !name.starts_with('.') {
            out.push(entry.path());
        }
    }
    out.sort();
    Ok(out)
}

/// Saves `bytes` (the file as it is now) as a timestamped backup and keeps
/// the newest `keep`. Timestamps sort by name; a counter breaks ties, so a
/// backup never overwrites another (the seed script's `.bak` flaw).
pub fn backup(real: &Path, bytes: &[u8], keep: usize) -> Result<PathBuf, StoreError> {
    let dir = state_dir(real)?.join("backups");
    ensure_private_dir(&dir)?;
    let name = real
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let stamp = utc_stamp(SystemTime::now());
    let mut path = dir.join(format!("{name}.{stamp}.bak"));
    let mut n = 1;
    while path.exists() {
        path = dir.join(format!("{name}.{stamp}-{n}.bak"));
        n += 1;
    }
    write_private(&path, bytes)?;
    let prefix = format!("{name}.");
    let mut all: Vec<PathBuf> = list_private(&dir, ".bak")?
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|f| f.to_string_lossy().starts_with(&prefix))
        })
        .collect();
    all.sort();
    let excess = all.len().saturating_sub(keep.max(1));
    for old in &all[..excess] {
        remove_private(old)?;
    }
    Ok(path)
}

/// `20261129T190501.123456789Z`: UTC, sortable, no `:` (legal everywhere).
pub fn utc_stamp(t: SystemTime) -> String {
    crate::util::time::file_stamp(t)
}

mod in_place;
pub use in_place::{finish_in_place, in_place_pending, rename_impossible, write_in_place};

#[cfg(all(test, unix))]
mod tests;
