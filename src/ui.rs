//! Progress, warnings and prompts on the terminal.
//!
//! Invariants: everything here goes to stderr (stdout carries results, so
//! `--output json` stays parseable); a spinner (indicatif) only when
//! stderr is a TTY and neither `NO_COLOR` nor `TERM=dumb` is set, one line
//! cut to the terminal width, plain lines otherwise; prompts only when stdin is a TTY (the caller
//! checks). No secret is ever passed to this module: callers hand it
//! masked key ids. Texts come translated from [`crate::i18n`]; the
//! `keyturn:` and `warning:` line prefixes stay as they are in every
//! language, for the logs and scripts that grep them.

use crate::rotate::Ui;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::BufRead;
use std::time::Duration;

/// Progress on the terminal: an indicatif spinner on one line of stderr,
/// cut to the terminal's width (in display columns, a CJK character being
/// two) so it never wraps into a stack of rows, and cleared when the run
/// ends; or, without a spinner, one plain `keyturn: PROFILE: step` line per
/// step (not a TTY, `NO_COLOR`, `TERM=dumb`: decided by the caller).
pub struct TermUi {
    bar: Option<ProgressBar>,
}

impl TermUi {
    pub fn new(spinner: bool) -> TermUi {
        TermUi {
            bar: spinner.then(|| {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                // `wide_msg` is truncated to what is left of the line.
                let style = ProgressStyle::with_template("{spinner} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner())
                    .tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ ");
                bar.set_style(style);
                bar.enable_steady_tick(Duration::from_millis(100));
                bar
            }),
        }
    }

    /// Runs `f` with the spinner line cleared (and redrawn afterwards), so
    /// a warning or a prompt prints cleanly.
    fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    /// Reads a file keyring's passphrase on the terminal without echo, the
    /// spinner kept off the line meanwhile (installed into the run's
    /// [`crate::keystore::passphrase::Passphrases`], which decides when
    /// to ask).
    pub fn secret_reader(&self) -> crate::keystore::passphrase::Reader {
        let bar = self.bar.clone();
        Box::new(move |prompt: &str| {
            let read = || {
                let term = console::Term::stderr();
                term.write_str(prompt).ok()?;
                // A Ctrl-C while echo is off must not leave the terminal so.
                crate::signals::restore_tty_on_signal(crate::platform::tty_state());
                let line = term.read_secure_line();
                crate::signals::restore_tty_on_signal(None);
                line.ok().map(crate::secret::Secret::new)
            };
            match &bar {
                Some(bar) => bar.suspend(read),
                None => read(),
            }
        })
    }

    /// Clears the spinner line for good (also done on drop).
    pub fn clear(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for TermUi {
    fn drop(&mut self) {
        self.clear();
    }
}

/// The width of the terminal on stdout, if stdout is one (tables wrap to
/// it; a pipe or a file gets unwrapped lines).
pub fn stdout_width() -> Option<usize> {
    console::Term::stdout()
        .size_checked()
        .map(|(_rows, cols)| usize::from(cols))
        .filter(|c| *c > 0)
}

impl Ui for TermUi {
    fn step(&self, profile: &str, msg: &str) {
        // Profile names and paths come from the files: no escapes.
        let profile = crate::term::clean(profile);
        let msg = crate::term::clean_text(msg);
        match &self.bar {
            Some(bar) => bar.set_message(format!("{profile}: {msg}")),
            None => crate::report::err_line(&format!("keyturn: {profile}: {msg}")),
        }
    }

    fn warn(&self, msg: &str) {
        self.suspend(|| crate::report::warning(msg));
    }

    fn confirm(&self, question: &str) -> bool {
        self.suspend(|| {
            // `[y/N]` and the answers are the same in every language: the
            // convention is universal and `y` is one key on every layout.
            crate::report::err_text(&format!("{question} [y/N] "));
            let mut line = String::new();
            let _ = std::io::stdin().lock().read_line(&mut line);
            matches!(line.trim(), "y" | "Y" | "yes" | "Yes")
        })
    }

    fn mfa_code(&self, serial: &str) -> Option<String> {
        self.suspend(|| {
            crate::report::err_text(&crate::i18n::trf("ui.mfa_prompt", &[("serial", &serial)]));
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).ok()?;
            let code = line.trim().to_string();
            (!code.is_empty()).then_some(code)
        })
    }
}
