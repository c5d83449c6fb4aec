//! Every file-system effect keyturn has: the lock, the backup, the atomic
//! replace of the shared files, and the journal files.
//!
//! Invariants:
//! - The user's files are only ever replaced whole, by rename, from a temp
//!   file in the same directory that was fsynced first; the directory is
//!   fsynced after the rename. A crash leaves the old or the new file,
//!   never a mix.
//! - The replaced file keeps its mode and owner, and a symlink stays a
//!   symlink: we write to its target.
//! - A file the user did not have is never created ([`rewrite`] refuses).
//! - keyturn's own files (lock, backups, journals) live in a `.keyturn`
//!   folder (0700) beside the real file; backups and journals are 0600.
//! - A rewrite re-reads the file under the lock and re-applies the edit if
//!   someone changed it since keyturn first read it.

use crate::i18n::trf;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
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
        Ok(p) => Ok(p),
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

/// Creates `dir` (and parents) and makes sure it is 0700, since backups
/// and journals inside it hold secrets.
pub fn ensure_private_dir(dir: &Path) -> Result<(), StoreError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io_err(dir))?;
    let meta = fs::metadata(dir).map_err(io_err(dir))?;
    if meta.permissions().mode() & 0o077 != 0 {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(io_err(dir))?;
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

pub fn lock(real: &Path, wait: Duration) -> Result<FileLock, StoreError> {
    let name = real
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let path = state_dir(real)?.join(format!("{name}.lock"));
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&path)
        .map_err(io_err(&path))?;
    let deadline = Instant::now() + wait;
    loop {
        match file.try_lock() {
            Ok(()) => {
                return Ok(FileLock {
                    _file: file,
                    path,
                    target: real.to_path_buf(),
                })
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
    let bytes = match fs::read(&real) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_err(&real)(e)),
    };
    Ok(Snapshot { real, bytes })
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
        let current = Zeroizing::new(fs::read(real).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => StoreError::Missing { path: real.clone() },
            _ => io_err(real)(e),
        })?);
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
        let meta = fs::metadata(real).map_err(io_err(real))?;
        let tmp = write_temp(
            real,
            &new,
            meta.permissions().mode() & 0o7777,
            Some((meta.uid(), meta.gid())),
        )?;
        let still = Zeroizing::new(fs::read(real).map_err(io_err(real))?);
        if still != current {
            let _ = fs::remove_file(&tmp);
            reapplied = true;
            continue;
        }
        commit(&tmp, real)?;
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
        ".{name}.keyturn-{}-{nonce}.tmp",
        std::process::id()
    ));
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(io_err(&tmp))?;
    let result = (|| {
        if let Some((uid, gid)) = owner {
            let m = f.metadata().map_err(io_err(&tmp))?;
            if (m.uid(), m.gid()) != (uid, gid) {
                std::os::unix::fs::fchown(&f, Some(uid), Some(gid)).map_err(|source| {
                    StoreError::Owner {
                        path: real.to_path_buf(),
                        uid,
                        gid,
                        source,
                    }
                })?;
            }
        }
        // Mode after chown: chown may clear set-id bits.
        f.set_permissions(fs::Permissions::from_mode(mode))
            .map_err(io_err(&tmp))?;
        f.write_all(bytes).map_err(io_err(&tmp))?;
        f.sync_all().map_err(io_err(&tmp))
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(tmp)
}

fn commit(tmp: &Path, real: &Path) -> Result<(), StoreError> {
    if let Err(e) = fs::rename(tmp, real) {
        let _ = fs::remove_file(tmp);
        return Err(io_err(real)(e));
    }
    sync_dir(real.parent().unwrap_or(Path::new(".")))
}

fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err(dir))
}

/// Atomically writes one of keyturn's own private files (journal, marker):
/// 0600, fsynced, renamed into place, directory fsynced.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    if let Some(dir) = path.parent() {
        ensure_private_dir(dir)?;
    }
    let tmp = write_temp(path, bytes, 0o600, None)?;
    commit(&tmp, path)
}

/// Removes a private file and makes the removal durable.
pub fn remove_private(path: &Path) -> Result<(), StoreError> {
    match fs::remove_file(path) {
        Ok(()) => sync_dir(path.parent().unwrap_or(Path::new("."))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_err(path)(e)),
    }
}

/// Reads a private file, None if absent.
pub fn read_private(path: &Path) -> Result<Option<Vec<u8>>, StoreError> {
    let mut buf = Vec::new();
    match File::open(path) {
        Ok(mut f) => {
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
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (y, m, day) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{y:04}{m:02}{day:02}T{:02}{:02}{:02}.{:09}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_nanos()
    )
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests;
