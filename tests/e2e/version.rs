//! End-to-end: `keyturn --version` names the version and the commit the
//! binary was built from (this checkout's HEAD), and `--verbose` adds the
//! target and the features, so a bug report says exactly what ran.

use crate::common::*;
use std::process::Command;

fn keyturn(args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_keyturn"))
        .args(args)
        .env_clear()
        .env("HOME", dir.path())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .current_dir(dir.path())
        .output()
        .expect("run keyturn");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// This checkout's HEAD, as `build.rs` abbreviates it.
fn head() -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo())
        .args(["rev-parse", "--short=9", "HEAD"])
        .output()
        .expect("git runs (the tests run in a git checkout)");
    assert!(out.status.success(), "git rev-parse HEAD failed");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// `keyturn 0.1.0 (1a2b3c4d5)` or `(1a2b3c4d5-dirty)` for a build from
/// edited sources.
fn assert_names_head(line: &str) {
    let version = env!("CARGO_PKG_VERSION");
    let commit = line
        .strip_prefix(&format!("keyturn {version} ("))
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("not `keyturn {version} (COMMIT)`: {line:?}"));
    let head = head();
    assert!(
        commit == head || commit == format!("{head}-dirty"),
        "--version names {commit:?}, HEAD is {head}"
    );
}

#[test]
fn version_names_the_commit() {
    for flag in ["--version", "-V"] {
        let run = keyturn(&[flag]);
        run.expect_code(0);
        assert_eq!(run.stdout.lines().count(), 1, "{flag}: {}", run.stdout);
        assert_names_head(run.stdout.trim_end());
    }
}

#[test]
fn verbose_version_adds_target_and_features() {
    let runs = [
        keyturn(&["-vV"]),
        keyturn(&["--version", "--verbose"]),
        keyturn(&["--verbose", "--version"]),
    ];
    let first = &runs[0];
    for run in &runs {
        run.expect_code(0);
        assert_eq!(run.stdout, first.stdout, "the three spellings differ");
    }
    let lines: Vec<&str> = first.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", first.stdout);
    assert_names_head(lines[0]);
    let commit = lines[0].rsplit_once('(').unwrap().1.trim_end_matches(')');
    assert_eq!(lines[1], format!("commit: {commit}"));
    let target = lines[2].strip_prefix("target: ").unwrap();
    assert!(
        target.starts_with(std::env::consts::ARCH) && target.contains(std::env::consts::OS),
        "{target}"
    );
    assert!(lines[3].starts_with("features: "), "{}", lines[3]);
}
