//! Progress, warnings and prompts on the terminal.
//!
//! Invariants: everything here goes to stderr (stdout carries results, so
//! `--output json` stays parseable); a spinner only when stderr is a TTY,
//! plain lines otherwise; prompts only when stdin is a TTY (the caller
//! checks). No secret is ever passed to this module: callers hand it
//! masked key ids. Texts come translated from [`crate::i18n`]; the
//! `keyturn:` and `warning:` line prefixes stay as they are in every
//! language, for the logs and scripts that grep them.

use crate::rotate::Ui;
use std::io::{BufRead, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct TermUi {
    spinner: Option<Spinner>,
}

struct Spinner {
    msg: Arc<Mutex<Option<String>>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TermUi {
    pub fn new(spinner: bool) -> TermUi {
        TermUi {
            spinner: spinner.then(Spinner::start),
        }
    }

    /// Clears the spinner line so a result or prompt prints cleanly.
    pub fn clear(&self) {
        if let Some(s) = &self.spinner {
            *s.msg.lock().unwrap_or_else(|p| p.into_inner()) = None;
            eprint!("\r\x1b[2K");
        }
    }
}

impl Spinner {
    fn start() -> Spinner {
        let msg: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (m, st) = (msg.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
            let mut i = 0;
            while !st.load(std::sync::atomic::Ordering::Relaxed) {
                if let Some(text) = m.lock().unwrap_or_else(|p| p.into_inner()).as_deref() {
                    let mut err = std::io::stderr().lock();
                    let _ = write!(err, "\r\x1b[2K{} {text}", frames[i % frames.len()]);
                    let _ = err.flush();
                }
                i += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        Spinner {
            msg,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        eprint!("\r\x1b[2K");
    }
}

impl Ui for TermUi {
    fn step(&self, profile: &str, msg: &str) {
        // Profile names and paths come from the files: no escapes.
        let profile = crate::term::clean(profile);
        let msg = crate::term::clean_text(msg);
        match &self.spinner {
            Some(s) => {
                *s.msg.lock().unwrap_or_else(|p| p.into_inner()) = Some(format!("{profile}: {msg}"))
            }
            None => eprintln!("keyturn: {profile}: {msg}"),
        }
    }

    fn warn(&self, msg: &str) {
        self.clear();
        eprintln!("warning: {}", crate::term::clean_text(msg));
    }

    fn confirm(&self, question: &str) -> bool {
        self.clear();
        // `[y/N]` and the answers are the same in every language: the
        // convention is universal and `y` is one key on every layout.
        eprint!("{question} [y/N] ");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        matches!(line.trim(), "y" | "Y" | "yes" | "Yes")
    }

    fn mfa_code(&self, serial: &str) -> Option<String> {
        self.clear();
        eprint!(
            "{}",
            crate::i18n::trf("ui.mfa_prompt", &[("serial", &serial)])
        );
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).ok()?;
        let code = line.trim().to_string();
        (!code.is_empty()).then_some(code)
    }
}
