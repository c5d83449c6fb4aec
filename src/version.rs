//! What `keyturn --version` says: the version and the commit it was built
//! from, and with `--verbose` (`-vV`) the target and the enabled features,
//! so a bug report names exactly what ran.
//!
//! The facts come from `build.rs` at compile time (`KEYTURN_COMMIT`: git,
//! else the packaged crate's `.cargo_vcs_info.json`, else empty;
//! `KEYTURN_TARGET`, `KEYTURN_FEATURES`). Invariant: pure text, no I/O;
//! clap prints [`short`] after the name (`keyturn 0.1.0 (1a2b3c4d5)`) and
//! [`crate::help`] prints [`long`] when `--verbose` is on the line.

use std::sync::LazyLock;

/// The crate's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The short commit (`1a2b3c4d5`, `1a2b3c4d5-dirty`), or empty when the
/// sources came with none.
pub const COMMIT: &str = env!("KEYTURN_COMMIT");

/// The target triple the binary was built for.
pub const TARGET: &str = env!("KEYTURN_TARGET");

/// The enabled cargo features, comma-separated, or empty.
pub const FEATURES: &str = env!("KEYTURN_FEATURES");

static SHORT: LazyLock<String> = LazyLock::new(|| short_of(VERSION, COMMIT));

/// `0.1.0 (1a2b3c4d5)`, or `0.1.0` without a commit: what clap prints
/// after `keyturn ` for `--version`.
pub fn short() -> &'static str {
    SHORT.as_str()
}

/// The `--version --verbose` text, one fact a line, ending in a newline.
pub fn long() -> String {
    long_of(VERSION, COMMIT, TARGET, FEATURES)
}

fn short_of(version: &str, commit: &str) -> String {
    if commit.is_empty() {
        version.to_owned()
    } else {
        format!("{version} ({commit})")
    }
}

fn long_of(version: &str, commit: &str, target: &str, features: &str) -> String {
    let or_unknown = |s: &str| if s.is_empty() { "unknown" } else { s }.to_owned();
    let features = if features.is_empty() {
        "none".to_owned()
    } else {
        features.to_owned()
    };
    format!(
        "keyturn {}\ncommit: {}\ntarget: {}\nfeatures: {features}\n",
        short_of(version, commit),
        or_unknown(commit),
        or_unknown(target),
    )
}

/// Whether `--verbose` (or a short cluster holding `v`, as in `-vV`) is on
/// the command line before `--`: clap stops at `--version`, so the flag is
/// looked for in the raw arguments.
pub fn verbose_in(args: &[std::ffi::OsString]) -> bool {
    args.iter()
        .skip(1)
        .filter_map(|a| a.to_str())
        .take_while(|a| *a != "--")
        .any(|a| {
            a == "--verbose"
                || a.strip_prefix('-').is_some_and(|cluster| {
                    !cluster.starts_with('-')
                        && cluster.bytes().all(|b| b.is_ascii_alphabetic())
                        && cluster.contains('v')
                })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn args(a: &[&str]) -> Vec<OsString> {
        a.iter().map(OsString::from).collect()
    }

    #[test]
    fn short_names_the_commit_when_there_is_one() {
        assert_eq!(short_of("0.1.0", "1a2b3c4d5"), "0.1.0 (1a2b3c4d5)");
        assert_eq!(
            short_of("0.1.0", "1a2b3c4d5-dirty"),
            "0.1.0 (1a2b3c4d5-dirty)"
        );
        assert_eq!(short_of("0.1.0", ""), "0.1.0");
        assert!(short().starts_with(VERSION));
    }

    #[test]
    fn long_adds_target_and_features() {
        assert_eq!(
            long_of("0.1.0", "1a2b3c4d5", "x86_64-unknown-linux-gnu", ""),
            "keyturn 0.1.0 (1a2b3c4d5)\ncommit: 1a2b3c4d5\n\
             target: x86_64-unknown-linux-gnu\nfeatures: none\n"
        );
        assert_eq!(
            long_of("0.1.0", "", "", "a,b"),
            "keyturn 0.1.0\ncommit: unknown\ntarget: unknown\nfeatures: a,b\n"
        );
        assert!(long().contains(&format!("target: {TARGET}\n")));
        assert!(TARGET.contains(std::env::consts::ARCH));
    }

    #[test]
    fn verbose_is_found_in_clusters_and_before_the_separator_only() {
        assert!(verbose_in(&args(&["keyturn", "-vV"])));
        assert!(verbose_in(&args(&["keyturn", "-Vv"])));
        assert!(verbose_in(&args(&["keyturn", "--version", "--verbose"])));
        assert!(verbose_in(&args(&["keyturn", "--verbose", "--version"])));
        assert!(!verbose_in(&args(&["keyturn", "--version"])));
        assert!(!verbose_in(&args(&["keyturn", "-V"])));
        assert!(!verbose_in(&args(&["keyturn", "-V", "--", "-v"])));
        assert!(!verbose_in(&args(&["-v", "-V"])), "argv[0] is not a flag");
    }
}
