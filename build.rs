//! Build script: records what `keyturn --version` names, so a bug report
//! says exactly what ran (see `src/version.rs`).
//!
//! - `KEYTURN_COMMIT`: the short commit the sources come from, with
//!   `-dirty` when the files that go into the binary differ from it. Read
//!   from git when the crate's own directory is the top of a git checkout;
//!   else from `.cargo_vcs_info.json`, which `cargo package` writes into a
//!   published crate (`git.sha1`, `git.dirty`); else empty (a source tarball
//!   without either: the version alone).
//! - `KEYTURN_TARGET`: the target triple; `KEYTURN_FEATURES`: the enabled
//!   cargo features, comma-separated (empty when none).
//!
//! Invariants: never fails the build (no git, a shallow or broken checkout,
//! an odd JSON file: the commit is simply unknown); reruns when HEAD moves
//! (`.git/HEAD`, the branch it points to, packed refs) and when the sources
//! change, so the commit and its `-dirty` mark are never stale.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The paths whose changes make a build differ from its commit.
const SOURCES: &[&str] = &["src", "locales", "build.rs", "Cargo.toml", "Cargo.lock"];

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    for path in SOURCES {
        println!("cargo:rerun-if-changed={path}");
    }
    println!("cargo:rerun-if-changed=.cargo_vcs_info.json");
    let commit = git_commit(&manifest_dir)
        .or_else(|| packaged_commit(&manifest_dir))
        .unwrap_or_default();
    println!("cargo:rustc-env=KEYTURN_COMMIT={commit}");
    println!(
        "cargo:rustc-env=KEYTURN_TARGET={}",
        env::var("TARGET").unwrap_or_default()
    );
    println!("cargo:rustc-env=KEYTURN_FEATURES={}", features());
}

/// `git` run in `dir`, its trimmed stdout when it succeeds.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8(out.stdout).ok()?.trim().to_owned())
}

/// The checkout's commit, when `dir` is the top of a git work tree (a crate
/// unpacked somewhere inside another repository, such as
/// `target/package/`, is not that repository's commit).
fn git_commit(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same(Path::new(&top), dir) {
        return None;
    }
    // Rerun when HEAD moves: HEAD itself (a checkout), the branch it names
    // (a commit), and packed refs (a `git gc` or a fetch). `--git-path`
    // finds them in worktrees too, where `.git` is a file.
    for name in ["HEAD", "packed-refs"] {
        rerun_on_git_path(dir, name);
    }
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        rerun_on_git_path(dir, &branch);
    }
    let sha = git(dir, &["rev-parse", "--short=9", "HEAD"])?;
    let mut status = vec!["status", "--porcelain", "--untracked-files=no", "--"];
    status.extend_from_slice(SOURCES);
    let dirty = git(dir, &status).is_some_and(|s| !s.is_empty());
    Some(if dirty { format!("{sha}-dirty") } else { sha })
}

fn rerun_on_git_path(dir: &Path, name: &str) {
    if let Some(path) = git(dir, &["rev-parse", "--git-path", name]) {
        let path = dir.join(path);
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
}

/// The commit `cargo package` recorded: `{"git": {"sha1": "…", "dirty":
/// true}, …}`. A plain scan: the file is cargo's own, one known shape, and
/// a build dependency for it would be built for every user.
fn packaged_commit(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(".cargo_vcs_info.json")).ok()?;
    let rest = &text[text.find("\"sha1\"")? + "\"sha1\"".len()..];
    let rest = &rest[rest.find('"')? + 1..];
    let sha = &rest[..rest.find('"')?];
    if sha.len() < 9 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let dirty = text
        .split(['{', '}', ','])
        .any(|field| field.replace(char::is_whitespace, "") == "\"dirty\":true");
    let short = &sha[..9];
    Some(if dirty {
        format!("{short}-dirty")
    } else {
        short.to_owned()
    })
}

/// The enabled features, as cargo names them (`CARGO_FEATURE_FOO_BAR` is
/// `foo-bar` or `foo_bar`: the build script cannot tell, `-` is cargo's
/// usual spelling).
fn features() -> String {
    let mut names: Vec<String> = env::vars()
        .filter_map(|(k, _)| {
            k.strip_prefix("CARGO_FEATURE_")
                .map(|f| f.to_ascii_lowercase().replace('_', "-"))
        })
        .collect();
    names.sort();
    names.join(",")
}
