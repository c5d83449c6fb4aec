//! A file keyring's passphrase when the tool's variable is unset
//! (aws-vault's `AWS_VAULT_FILE_PASSPHRASE`): asked on the terminal, as
//! aws-vault asks ("Enter passphrase to unlock DIR: "), once per keyring
//! folder and run, then kept for the whole run (read, write, re-read,
//! recovery of an interrupted rotation).
//!
//! granted never asks (its file backend takes `CF_KEYRING_FILE_PASSWORD`,
//! empty if unset: `keyring.FixedStringPrompt`), so only aws-vault's file
//! keyrings come here.
//!
//! Invariants:
//! - Asked only when stdin and stderr are both terminals (decided once by
//!   the environment snapshot, [`Passphrases::on_terminal`]) and the
//!   command layer has installed a [`Reader`] (the terminal UI's, which
//!   reads without echo and keeps the spinner off the line meanwhile).
//!   Otherwise nothing is asked and the caller refuses, naming the
//!   variable.
//! - Asked at most once per folder in a run: the answer (or the lack of
//!   one) is kept, so a wrong passphrase gives the wrong-passphrase
//!   refusal rather than a second prompt.
//! - The answer is a [`Secret`] (zeroized when the last copy goes); no
//!   `Debug` shows it.

use crate::secret::Secret;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Shows the prompt and reads one line without echo; `None`: no answer
/// (end of input, a read error).
pub type Reader = Box<dyn Fn(&str) -> Option<Secret> + Send + Sync>;

/// The run's passphrases, shared by every clone (one per run: the
/// environment snapshot holds it).
#[derive(Clone, Default)]
pub struct Passphrases(Arc<Inner>);

#[derive(Default)]
struct Inner {
    terminal: bool,
    reader: Mutex<Option<Reader>>,
    asked: Mutex<BTreeMap<PathBuf, Option<Secret>>>,
}

impl std::fmt::Debug for Passphrases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let asked: Vec<PathBuf> = match self.0.asked.lock() {
            Ok(a) => a.keys().cloned().collect(),
            Err(_) => Vec::new(),
        };
        f.debug_struct("Passphrases")
            .field("terminal", &self.0.terminal)
            .field("asked", &asked)
            .finish()
    }
}

impl Passphrases {
    /// `terminal`: stdin and stderr are both terminals.
    pub fn on_terminal(terminal: bool) -> Passphrases {
        Passphrases(Arc::new(Inner {
            terminal,
            ..Inner::default()
        }))
    }

    /// Whether a prompt may be shown at all.
    pub fn can_ask(&self) -> bool {
        self.0.terminal
    }

    /// Installs the reader (the command layer's terminal UI).
    pub fn set_reader(&self, reader: Reader) {
        if let Ok(mut r) = self.0.reader.lock() {
            *r = Some(reader);
        }
    }

    /// The passphrase of the file keyring in `dir`: asked the first time
    /// (on a terminal with a reader), the same answer afterwards.
    pub fn get(&self, dir: &Path) -> Option<Secret> {
        if !self.0.terminal {
            return None;
        }
        let mut asked = self.0.asked.lock().ok()?;
        if let Some(known) = asked.get(dir) {
            return known.clone();
        }
        let reader = self.0.reader.lock().ok()?;
        let read = reader.as_ref()?;
        let prompt = crate::i18n::trf(
            "keystore.passphrase_prompt",
            &[("dir", &crate::term::clean(&dir.display().to_string()))],
        );
        let answer = read(&prompt);
        asked.insert(dir.to_path_buf(), answer.clone());
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn counting(answer: &'static str) -> (Passphrases, Arc<AtomicUsize>) {
        let p = Passphrases::on_terminal(true);
        let n = Arc::new(AtomicUsize::new(0));
        let seen = n.clone();
        p.set_reader(Box::new(move |prompt| {
            assert!(prompt.contains("/k"), "{prompt}");
            seen.fetch_add(1, Ordering::SeqCst);
            Some(Secret::new(answer))
        }));
        (p, n)
    }

    #[test]
    fn asked_once_per_folder_and_shared_by_clones() {
        let (p, n) = counting("hunter2");
        let again = p.clone();
        assert_eq!(p.get(Path::new("/k")).unwrap().expose(), "hunter2");
        assert_eq!(again.get(Path::new("/k")).unwrap().expose(), "hunter2");
        assert_eq!(n.load(Ordering::SeqCst), 1);
        p.get(Path::new("/k2"));
        assert_eq!(n.load(Ordering::SeqCst), 2);
        assert!(!format!("{p:?}").contains("hunter2"));
    }

    #[test]
    fn never_asked_without_a_terminal_or_a_reader() {
        let (p, n) = counting("x");
        let off = Passphrases::on_terminal(false);
        off.set_reader(Box::new(|_| panic!("asked without a terminal")));
        assert!(off.get(Path::new("/k")).is_none());
        assert!(Passphrases::on_terminal(true)
            .get(Path::new("/k"))
            .is_none());
        assert!(Passphrases::default().get(Path::new("/k")).is_none());
        assert_eq!(n.load(Ordering::SeqCst), 0);
        drop(p);
    }

    #[test]
    fn no_answer_is_kept_too() {
        let p = Passphrases::on_terminal(true);
        let n = Arc::new(AtomicUsize::new(0));
        let seen = n.clone();
        p.set_reader(Box::new(move |_| {
            seen.fetch_add(1, Ordering::SeqCst);
            None
        }));
        assert!(p.get(Path::new("/k")).is_none());
        assert!(p.get(Path::new("/k")).is_none());
        assert_eq!(n.load(Ordering::SeqCst), 1);
    }
}
