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
//! A Windows port (`windows.rs`) would need:
//! - ownership: the file's owner SID against the process token's user SID
//!   (`GetSecurityInfo` / `GetTokenInformation`) in place of uids, and a
//!   DACL granting only that user in place of 0600/0700; "not writable by
//!   others" becomes "no ACE granting write to anyone else";
//! - opens: `FILE_FLAG_OPEN_REPARSE_POINT` to refuse links (no
//!   `O_NOFOLLOW`), no FIFOs to fear; `ReplaceFileW`/`MoveFileExW` with
//!   `MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH` for the atomic
//!   rename (an open file cannot be renamed over: retry on sharing
//!   violations), and `FlushFileBuffers` for fsync (folders cannot be
//!   fsynced: the write-through rename stands in);
//! - locks: `LockFileEx` (std's `File::try_lock` already maps to it);
//! - hooks: a Job Object per hook instead of a process group, closed to
//!   kill the tree; signals: `SetConsoleCtrlHandler` for Ctrl-C;
//! - `schedule`: the Task Scheduler (`schtasks` or its COM API) as a
//!   fourth backend beside systemd, launchd and cron.
//!
//! A macOS-specific refinement would live in `unix.rs` under
//! `cfg(target_os = "macos")`: `fcntl(F_FULLFSYNC)` in [`sync_file`], since
//! `fsync` there does not flush the drive's cache.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub use unix::*;

/// What a path that is not a regular file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    Fifo,
    Socket,
    Device,
    Dir,
    Other,
}
