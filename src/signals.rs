//! keyturn's own SIGINT/SIGTERM: before the process dies, the temp files
//! it has open beside the user's files (which hold every secret of the
//! file) are removed and the process groups of running hooks are killed.
//!
//! On Windows the same cleanup runs for Ctrl-C, Ctrl-Break and the
//! console's close (`SetConsoleCtrlHandler`), and a hook's "group" is the
//! Job Object it was put in ([`crate::platform`]).
//!
//! Invariants: the handler runs on its own thread (signal-hook's
//! iterator), so it works while the runtime is busy in synchronous file
//! code; it only unlinks registered temp paths, kills registered process
//! groups and puts back the terminal settings a passphrase prompt changed
//! (echo off), then dies of the same signal (the exit status a shell
//! or systemd expects). Journals are left as they are: the next run
//! finishes the rotation from them.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

static TEMPS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static GROUPS: Mutex<Vec<i32>> = Mutex::new(Vec::new());
static TTY: Mutex<Option<crate::platform::TtyState>> = Mutex::new(None);
static INSTALL: Once = Once::new();

/// Installs the handler (idempotent). Called once by [`crate::run`].
pub fn install() {
    // Windows: Ctrl-C, Ctrl-Break and the console's close, on the thread
    // the system starts for them.
    #[cfg(windows)]
    INSTALL.call_once(|| crate::platform::on_interrupt(cleanup));
    #[cfg(unix)]
    INSTALL.call_once(|| {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(sig) = signals.forever().next() {
                cleanup();
                let _ = signal_hook::low_level::emulate_default_handler(sig);
                std::process::exit(128 + sig);
            }
        });
    });
}

/// Removes every registered temp file and kills every registered hook
/// process group.
pub fn cleanup() {
    for p in lock(&TEMPS).drain(..) {
        let _ = std::fs::remove_file(p);
    }
    for g in lock(&GROUPS).drain(..) {
        kill_group(g);
    }
    if let Some(tty) = lock(&TTY).take() {
        // A prompt was reading with echo off: echo back on, and end its
        // line so the shell's prompt starts on a fresh one.
        tty.restore();
        crate::report::err_line("");
    }
}

/// A prompt reads with echo off (`Some`: the settings to put back if a
/// signal ends the process meanwhile), or is done (`None`).
pub fn restore_tty_on_signal(state: Option<crate::platform::TtyState>) {
    *lock(&TTY) = state;
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A temp file now exists at `p` (until [`temp_gone`]).
pub fn temp_created(p: &Path) {
    lock(&TEMPS).push(p.to_path_buf());
}

/// The temp file at `p` was renamed into place or removed.
pub fn temp_gone(p: &Path) {
    lock(&TEMPS).retain(|t| t != p);
}

/// A hook runs as the leader of process group `pgid`.
pub fn group_started(pgid: i32) {
    lock(&GROUPS).push(pgid);
}

/// The hook's group was killed or is done.
pub fn group_gone(pgid: i32) {
    lock(&GROUPS).retain(|g| *g != pgid);
    crate::platform::forget_group(pgid.unsigned_abs());
}

/// SIGKILL to every process of group `pgid` (ESRCH: none left).
pub fn kill_group(pgid: i32) {
    if pgid > 1 {
        crate::platform::kill_group(pgid.unsigned_abs());
    }
}
