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
//! - Every byte keyturn prints goes through [`out`], [`out_text`],
//!   [`err_text`] (or [`json`]) here, never `print!`/`eprint!`, which panic
//!   when a write fails: a closed pipe (`| head`, a log reader that died)
//!   or a full disk must not stop a rotation between two of its steps. A
//!   stream that fails once is not written again; a failed stdout is said
//!   once on stderr (unless the reader just closed it: `| head` is not
//!   news to the user), and the run exits [`crate::exit::Exit::Output`]
//!   (6) unless something worse happened ([`output_lost`]).

use serde::Serialize;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once a write to stdout failed: nothing more is written there.
static STDOUT_LOST: AtomicBool = AtomicBool::new(false);
/// Set once a write to stderr failed: nothing more is written there.
static STDERR_LOST: AtomicBool = AtomicBool::new(false);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stream {
    Out,
    Err,
}

impl Stream {
    fn lost(self) -> &'static AtomicBool {
        match self {
            Stream::Out => &STDOUT_LOST,
            Stream::Err => &STDERR_LOST,
        }
    }
}

/// Writes `bytes` to the stream (whole, under its lock, so lines of
/// concurrent rotations never interleave) and flushes; a failure is
/// recorded by [`lost`], never raised.
fn write(stream: Stream, bytes: &[u8]) {
    if stream.lost().load(Ordering::Relaxed) {
        return;
    }
    let result = match stream {
        Stream::Out => {
            let mut o = std::io::stdout().lock();
            o.write_all(bytes).and_then(|()| o.flush())
        }
        Stream::Err => std::io::stderr().lock().write_all(bytes),
    };
    if let Err(e) = result {
        lost(stream, &e);
    }
}

/// Records that `stream` failed with `e`; the first failure of stdout is
/// said on stderr, where possible, unless the reader closed the pipe.
fn lost(stream: Stream, e: &std::io::Error) {
    if stream.lost().swap(true, Ordering::Relaxed) {
        return;
    }
    if stream == Stream::Out && e.kind() != std::io::ErrorKind::BrokenPipe {
        let msg = crate::i18n::trf("out.stdout_failed", &[("error", e)]);
        write(
            Stream::Err,
            format!("{}\n", line(Level::Error, &msg)).as_bytes(),
        );
    }
}

/// Whether some output could not be written (the run then exits
/// [`crate::exit::Exit::Output`] unless something worse happened).
pub fn output_lost() -> bool {
    STDOUT_LOST.load(Ordering::Relaxed) || STDERR_LOST.load(Ordering::Relaxed)
}

/// Prints `text` and a newline on stdout (a command's result).
pub fn out(text: &str) {
    write(Stream::Out, format!("{text}\n").as_bytes());
}

/// Prints `text` as it is on stdout (a table, CSV).
pub fn out_text(text: &str) {
    write(Stream::Out, text.as_bytes());
}

/// Prints `bytes` as they are on stdout (a completion script, the man page).
pub fn out_bytes(bytes: &[u8]) {
    write(Stream::Out, bytes);
}

/// Prints `text` and a newline on stderr (a progress line, a `-v` line);
/// the caller has cleaned what came from files.
pub fn err_line(text: &str) {
    write(Stream::Err, format!("{text}\n").as_bytes());
}

/// Prints `text` as it is on stderr (progress lines, prompts, hook
/// output); the caller has cleaned what came from files.
pub fn err_text(text: &str) {
    write(Stream::Err, text.as_bytes());
}

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
    err_text(&format!("{}\n", line(Level::Error, msg)));
}

/// Prints `warning: msg` on stderr.
pub fn warning(msg: &str) {
    err_text(&format!("{}\n", line(Level::Warning, msg)));
}

/// Prints `note: msg` on stderr.
pub fn note(msg: &str) {
    err_text(&format!("{}\n", line(Level::Note, msg)));
}

/// The JSON text of `v`, as `--output json` prints it.
pub fn json_text<T: Serialize + ?Sized>(v: &T) -> String {
    // Serializing plain derive structs cannot fail (no maps with
    // non-string keys, no custom serializers that error).
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// Prints `v` as the command's JSON document on stdout: the same bytes as
/// [`json_text`] and a newline, streamed through one buffer (a 10,000-profile
/// `status` is megabytes: no second copy in memory); a failed write is
/// recorded as every other ([`output_lost`]).
pub fn json<T: Serialize + ?Sized>(v: &T) {
    if STDOUT_LOST.load(Ordering::Relaxed) {
        return;
    }
    // 64 KiB, a pipe's capacity: `status --output json` over 10,000
    // profiles is ~5 MB, written in 75 calls instead of 600.
    let mut w = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let result = serde_json::to_writer_pretty(&mut w, v)
        .map_err(std::io::Error::from)
        .and_then(|()| w.write_all(b"\n"))
        .and_then(|()| w.flush());
    // The buffer's own drop would flush again into a failed stream.
    let _ = w.into_parts();
    if let Err(e) = result {
        lost(Stream::Out, &e);
    }
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
