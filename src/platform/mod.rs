//! Platform specifics, in one place: who we run as, file modes and owners,
//! opens that never follow a link or block on a FIFO, fsync of a folder,
//! private folders, the errors that mean "fix the disk", and killing a
//! process group. [`store`](crate::store) (every write of the user's
//! files), [`hooks`](crate::hooks), [`signals`](crate::signals) and
//! [`schedule::host`](crate::schedule::host) call these instead of
//! `libc` or `std::os::unix`, so a port is one file beside `unix.rs`.
//!
//! Invariants every implementation keeps:
//! - [`euid`] is the only owner a private file or folder may have;
//!   [`mode`] reports the permission bits as Unix spells them.
//! - [`private_open`] never follows a final symlink and never blocks on a
//!   FIFO; files it creates start at 0600 (no window where a secret is
//!   readable by others).
//! - [`sync_dir`] makes a rename or removal in `dir` durable.
//!
//! - Ownership and "writable by others" come from [`lstat`], [`stat`] or
//!   [`fstat`] (a [`Stat`]): plain metadata on Unix; on Windows the
//!   metadata plus the verdict of the file's owner SID and DACL, which
//!   `std::fs::Metadata` cannot carry.
//! - [`replace`] is the atomic rename; [`copy_access`] gives the file
//!   about to replace the user's the same access (its DACL on Windows;
//!   mode and owner travel separately on Unix).
//!
//! `windows.rs` implements the same functions on Windows: the token's
//! user SID in place of a uid, a protected DACL granting only that user
//! in place of 0600/0700 (set at creation), `FILE_FLAG_OPEN_REPARSE_POINT`
//! in place of `O_NOFOLLOW`, `MoveFileExW` with
//! `MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH` (retried on
//! sharing violations) for the rename, `FlushFileBuffers` for fsync (a
//! folder cannot be flushed: the write-through rename stands in), a Job
//! Object per hook in place of a process group (`track_tree` there,
//! [`forget_group`]), and `SetConsoleCtrlHandler` for Ctrl-C and the
//! console's close (`on_interrupt` there). Locks are std's
//! `File::try_lock` (`LockFileEx`) on both.
//!
//! A macOS-specific refinement would live in `unix.rs` under
//! `cfg(target_os = "macos")`: `fcntl(F_FULLFSYNC)` in [`sync_file`], since
//! `fsync` there does not flush the drive's cache.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub use unix::*;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use self::windows::*;

/// What a path that is not a regular file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    Fifo,
    Socket,
    Device,
    Dir,
    Other,
}
