//! The one writer of keyturn's diagnostics prefixes (`error:`, `warning:`,
//! `note:`) and of every `--output json` document.
//!
//! Invariants:
//! - The prefixes stay English in every language: scripts and log filters
//!   grep for them. The message after one is the caller's, already in the
//!   user's language.
//! - A message may hold file-derived text (profile names, paths, hook
//!   output): it is passed through [`crate::term::clean_text`] here, so no
//!   file can drive the terminal through a diagnostic.
//! - JSON goes to stdout, pretty-printed, from a `#[derive(Serialize)]`
//!   value; its schema per command is in the README ("JSON output") and
//!   checked by golden tests next to each command.

use serde::Serialize;

/// The kind of a diagnostic line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Note,
}

impl Level {
    fn prefix(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }
}

/// `msg` with its prefix, cleaned: `error: ...`. For text that is built
/// before it is printed (clap's errors, a report's notes).
pub fn line(level: Level, msg: &str) -> String {
    format!("{}: {}", level.prefix(), crate::term::clean_text(msg))
}

/// Prints `error: msg` on stderr.
pub fn error(msg: &str) {
    eprintln!("{}", line(Level::Error, msg));
}

/// Prints `warning: msg` on stderr.
pub fn warning(msg: &str) {
    eprintln!("{}", line(Level::Warning, msg));
}

/// Prints `note: msg` on stderr.
pub fn note(msg: &str) {
    eprintln!("{}", line(Level::Note, msg));
}

/// The JSON text of `v`, as `--output json` prints it.
pub fn json_text<T: Serialize + ?Sized>(v: &T) -> String {
    // Serializing plain derive structs cannot fail (no maps with
    // non-string keys, no custom serializers that error).
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// Prints `v` as the command's JSON document on stdout: the same bytes as
/// [`json_text`] and a newline, streamed through one buffer (a 10,000-profile
/// `status` is megabytes: no second copy in memory), and a closed pipe
/// (`| head`) is not keyturn's error.
pub fn json<T: Serialize + ?Sized>(v: &T) {
    use std::io::Write as _;
    // 64 KiB, a pipe's capacity: `status --output json` over 10,000
    // profiles is ~5 MB, written in 75 calls instead of 600.
    let mut w = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let _ = serde_json::to_writer_pretty(&mut w, v)
        .map_err(std::io::Error::from)
        .and_then(|()| w.write_all(b"\n"))
        .and_then(|()| w.flush());
}

/// Test support: `actual` must equal `tests/golden/NAME`. With
/// `KEYTURN_BLESS=1` the file is (re)written instead, to review in git.
#[cfg(test)]
pub fn assert_golden(name: &str, actual: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("KEYTURN_BLESS").is_some() {
        std::fs::write(&path, format!("{}\n", actual.trim_end())).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (KEYTURN_BLESS=1 writes it)", path.display()));
    assert_eq!(
        actual.trim_end(),
        want.trim_end(),
        "{name} differs from its golden file (KEYTURN_BLESS=1 rewrites it)"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_english_and_messages_cleaned() {
        assert_eq!(
            line(Level::Error, "プロファイル dev"),
            "error: プロファイル dev"
        );
        assert_eq!(line(Level::Warning, "a\nb"), "warning: a\nb");
        assert_eq!(line(Level::Note, "x\x1b[2Jy"), "note: x\\x1b[2Jy");
    }

    #[test]
    fn json_is_pretty() {
        #[derive(Serialize)]
        struct T {
            a: u8,
        }
        assert_eq!(json_text(&[T { a: 1 }]), "[\n  {\n    \"a\": 1\n  }\n]");
    }
}
