//! The Unix implementation of [`crate::platform`] (Linux and macOS): uids,
//! mode bits, `O_NOFOLLOW | O_NONBLOCK`, `fchown`, `fsync` of a folder, and
//! `kill(-pgid)`.

use super::Special;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// What [`lstat`], [`stat`] and [`fstat`] return: on Unix the metadata
/// carries the owner and mode bits itself (Windows adds the DACL's verdict).
pub type Stat = Metadata;

/// `lstat`: a symlink is described as itself.
pub fn lstat(path: &Path) -> io::Result<Stat> {
    fs::symlink_metadata(path)
}

/// `stat`: symlinks followed.
pub fn stat(path: &Path) -> io::Result<Stat> {
    fs::metadata(path)
}

/// `fstat` of an open file.
pub fn fstat(f: &File) -> io::Result<Stat> {
    f.metadata()
}

/// The effective uid keyturn runs as: the only owner it trusts.
pub fn euid() -> u32 {
    // SAFETY: geteuid(2) cannot fail and touches no memory.
    unsafe { libc::geteuid() }
}

/// The owner (uid, gid) of a file.
pub fn owner(m: &Metadata) -> (u32, u32) {
    (m.uid(), m.gid())
}

/// The permission bits (`0o7777`) of a file.
pub fn mode(m: &Metadata) -> u32 {
    m.mode() & 0o7777
}

/// Writable by group or others: another user could change it.
pub fn writable_by_others(m: &Metadata) -> bool {
    m.mode() & 0o022 != 0
}

/// Readable, writable or searchable by group or others.
pub fn open_to_others(m: &Metadata) -> bool {
    m.mode() & 0o077 != 0
}

/// The owner's write bit is off: the user asked for the file to be kept.
pub fn owner_read_only(m: &Metadata) -> bool {
    m.mode() & 0o200 == 0
}

/// `path` is on a read-only file system or mount (a `:ro` volume, a
/// Kubernetes secret mounted as a file): no write can reach it, not even
/// root's. `access(2)` says so with `EROFS` for the very mount the path
/// is on (a bind mount's own flags included).
pub fn on_read_only_mount(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a NUL-terminated path that lives across the call; access(2)
    // only reads it.
    let rc = unsafe { libc::access(c.as_ptr(), libc::W_OK) };
    rc != 0 && io::Error::last_os_error().raw_os_error() == Some(libc::EROFS)
}

/// Some execute bit is set (a program `PATH` lookup may run).
pub fn executable(m: &Metadata) -> bool {
    m.mode() & 0o111 != 0
}

/// What a path that is not a regular file is.
pub fn special(m: &Metadata) -> Special {
    let t = m.file_type();
    if t.is_fifo() {
        Special::Fifo
    } else if t.is_socket() {
        Special::Socket
    } else if t.is_block_device() || t.is_char_device() {
        Special::Device
    } else if t.is_dir() {
        Special::Dir
    } else {
        Special::Other
    }
}

/// A full disk, a read-only or quota-limited file system, a permission
/// the file system denies, or an I/O error: the environment's fault.
pub fn is_disk_trouble(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(
            libc::ENOSPC
                | libc::EROFS
                | libc::EACCES
                | libc::EPERM
                | libc::EDQUOT
                | libc::EFBIG
                | libc::EIO
        )
    )
}

/// How [`private_open`] opens a path.
#[derive(Debug, Clone, Copy)]
pub enum Open {
    /// Read only; never blocks on a FIFO.
    Read,
    /// Read, never following a final symlink, never blocking.
    ReadNoFollow,
    /// Create if missing (0600), open for writing, never following a
    /// link, never blocking (lock files).
    CreateNoFollow,
    /// Create a new file (0600, `O_EXCL`), never following a link.
    CreateNew,
    /// Write an existing file where it is (no create, no truncate: the
    /// caller truncates after writing), never following a final link,
    /// never blocking on a FIFO. The in-place write of a file that
    /// cannot be replaced by rename (a mount point).
    WriteExisting,
}

/// Opens `path` as `how` says (see [`Open`]).
pub fn private_open(path: &Path, how: Open) -> io::Result<File> {
    let mut o = OpenOptions::new();
    match how {
        Open::Read => o.read(true).custom_flags(libc::O_NONBLOCK),
        Open::ReadNoFollow => o
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK),
        Open::CreateNoFollow => o
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK),
        Open::CreateNew => o
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW),
        Open::WriteExisting => o
            .write(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK),
    };
    o.open(path)
}

/// Gives an open file this owner (it keeps the user's file theirs when
/// root rewrites it).
pub fn set_owner(f: &File, uid: u32, gid: u32) -> io::Result<()> {
    std::os::unix::fs::fchown(f, Some(uid), Some(gid))
}

/// A canonical path as users write it: on Unix, the path itself (Windows
/// drops the `\\?\` prefix `canonicalize` adds).
pub fn plain_path(p: std::path::PathBuf) -> std::path::PathBuf {
    p
}

/// Unix keeps who may read a file in its mode and owner, which the caller
/// copies ([`set_file_mode`], [`set_owner`]): nothing more to carry over.
pub fn copy_access(_from: &Path, _to: &File) -> io::Result<()> {
    Ok(())
}

/// Atomically replaces `to` with `from` (rename(2)); the caller then
/// fsyncs the folder ([`sync_dir`]).
pub fn replace(from: &Path, to: &Path) -> io::Result<()> {
    fs::rename(from, to)
}

/// Sets an open file's permission bits.
pub fn set_file_mode(f: &File, mode: u32) -> io::Result<()> {
    f.set_permissions(fs::Permissions::from_mode(mode))
}

/// Sets a path's permission bits.
pub fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

/// Creates one folder with mode 0700 (`recursive`: and its missing
/// parents, also 0700).
pub fn create_private_dir(dir: &Path, recursive: bool) -> io::Result<()> {
    fs::DirBuilder::new()
        .recursive(recursive)
        .mode(0o700)
        .create(dir)
}

/// Flushes an open file's data and metadata to the disk.
pub fn sync_file(f: &File) -> io::Result<()> {
    f.sync_all()
}

/// Makes a rename or a removal inside `dir` durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir).and_then(|d| d.sync_all())
}

/// Kills a whole process group (a hook and everything it started).
pub fn kill_group(pgid: u32) {
    let Ok(pgid) = i32::try_from(pgid) else {
        return;
    };
    // SAFETY: kill(2) with a negative pid signals a process group; it
    // touches no memory, and a group already gone is ESRCH, ignored.
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
}

/// A hook's process group needs no bookkeeping on Unix (Windows closes
/// the hook's Job Object here).
pub fn forget_group(_pgid: u32) {}

/// Stdin's terminal settings, saved before a prompt turns echo off, so a
/// signal that ends the process mid-prompt can put them back
/// ([`crate::signals::restore_tty_on_signal`]).
#[derive(Clone, Copy)]
pub struct TtyState(libc::termios);

/// Stdin's terminal settings now; `None` when stdin is not a terminal.
pub fn tty_state() -> Option<TtyState> {
    let mut t = std::mem::MaybeUninit::<libc::termios>::uninit();
    // SAFETY: tcgetattr fills `t` when it returns 0; it is read only then.
    unsafe {
        if libc::tcgetattr(libc::STDIN_FILENO, t.as_mut_ptr()) != 0 {
            return None;
        }
        Some(TtyState(t.assume_init()))
    }
}

impl TtyState {
    /// Puts the saved settings back (echo on again).
    pub fn restore(&self) {
        // SAFETY: a termios that tcgetattr filled; errors leave it as is.
        unsafe {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &self.0);
        }
    }
}
