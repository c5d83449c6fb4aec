//! End-to-end in a real terminal: the built binary runs in a tmux pane
//! (80 or 120 columns) against moto through the fault proxy, and the test
//! reads the screen back with `tmux capture-pane`, as a user would see it.
//!
//! What it proves: the progress line of `keyturn rotate` stays on one row
//! while IAM propagation is awaited (cut to the width, never wrapped or
//! stacked, in Japanese and English), is cleared at the end, and leaves a
//! clean result; `keyturn status` fits its table to 80 and 120 columns
//! (no row wider than the pane: long Japanese notes wrap inside the NOTE
//! column).
//!
//! No timing is assumed: the new key is held back by the proxy
//! (propagation delay) until the test has seen the verify line on screen,
//! and every wait polls the screen for an event, with generous bounds.
//! tmux is required (installed by `.ci/run` from Debian): without it the
//! tests fail, they do not skip.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn pair(k: &Key) -> String {
    format!(
        "aws_access_key_id = {}\naws_secret_access_key = {}\n",
        k.id, k.secret
    )
}

/// Spinner frames the progress line starts with.
pub(crate) const FRAMES: &[char] = &['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// A profile name long enough that the verify line (prefix, name and
/// message) is wider than 80 columns in both languages.
const LONG: &str = "team-platform-ci-runner-eu-west-1-deploy";

/// Display columns of a screen row (CJK characters take two).
fn columns(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let c = c as u32;
            let wide = matches!(c, 0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF
                | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
                | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6);
            if wide {
                2
            } else {
                1
            }
        })
        .sum()
}

/// One tmux server on its own socket, with one pane running a script;
/// killed on drop.
pub(crate) struct Pane {
    socket: PathBuf,
}

impl Pane {
    pub(crate) fn tmux(&self) -> Command {
        let mut c = Command::new("tmux");
        // -u: UTF-8 whatever the locale; -f /dev/null: no user config.
        c.arg("-u")
            .arg("-f")
            .arg("/dev/null")
            .arg("-S")
            .arg(&self.socket)
            .env("LANG", "C.UTF-8");
        c
    }

    /// Starts `script` (a shell script) in a detached pane of `width` x 40.
    pub(crate) fn start(dir: &Path, width: u16, script: &str) -> Pane {
        let path = dir.join(format!("pane-{width}.sh"));
        std::fs::write(&path, script).unwrap();
        let pane = Pane {
            socket: dir.join(format!("tmux-{width}.sock")),
        };
        let st = pane
            .tmux()
            .args([
                "new-session",
                "-d",
                "-s",
                "t",
                "-x",
                &width.to_string(),
                "-y",
                "40",
            ])
            .arg(format!("sh {}", path.display()))
            .status()
            .expect("run tmux (apt-get install tmux)");
        assert!(st.success(), "tmux new-session failed");
        pane
    }

    /// The screen, one string per row (trailing blanks cut); `joined`
    /// joins rows the terminal wrapped.
    pub(crate) fn screen(&self, joined: bool) -> Vec<String> {
        let mut c = self.tmux();
        c.args(["capture-pane", "-p", "-t", "t"]);
        if joined {
            c.arg("-J");
        }
        let out = c.output().expect("tmux capture-pane");
        assert!(out.status.success(), "capture-pane failed");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut rows: Vec<String> = text.lines().map(|l| l.trim_end().to_string()).collect();
        while rows.last().is_some_and(|r| r.is_empty()) {
            rows.pop();
        }
        rows
    }

    /// Polls the screen until `f` holds, returning that screen.
    #[track_caller]
    pub(crate) fn wait_for(&self, what: &str, mut f: impl FnMut(&[String]) -> bool) -> Vec<String> {
        let mut last = Vec::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(240);
        while std::time::Instant::now() < deadline {
            last = self.screen(false);
            if f(&last) {
                return last;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("timed out waiting for {what}; screen:\n{}", last.join("\n"));
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").status();
    }
}

/// A shell script running keyturn with `args` as the sandbox's builder
/// would (HOME in the sandbox, the proxy as endpoint), in `lang`, on the
/// pane's terminal; it prints the exit code and keeps the pane open.
pub(crate) fn script(sb: &Sandbox, lang: &str, args: &[&str]) -> String {
    let q = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let args: Vec<String> = args.iter().map(|a| q(a)).collect();
    format!(
        "cd {dir}\nexec env -i HOME={home} PATH={path} TERM=xterm-256color LANG={lang} \
         AWS_ENDPOINT_URL={url} AWS_EC2_METADATA_DISABLED=true NO_PROXY=127.0.0.1,localhost \
         sh -c '\"$0\" \"$@\"; echo KEYTURN_EXIT=$?; exec sleep 100000' {bin} {args}\n",
        dir = q(&sb.dir.path().display().to_string()),
        home = q(&sb.home.display().to_string()),
        path = q(&std::env::var("PATH").unwrap_or_default()),
        lang = q(lang),
        url = q(&sb.proxy_url()),
        bin = q(env!("CARGO_BIN_EXE_keyturn")),
        args = args.join(" "),
    )
}

fn non_empty(screen: &[String]) -> Vec<&String> {
    screen.iter().filter(|r| !r.is_empty()).collect()
}

pub(crate) fn exit_code(screen: &[String]) -> Option<String> {
    screen
        .iter()
        .find_map(|r| r.strip_prefix("KEYTURN_EXIT=").map(str::to_string))
}

/// `keyturn rotate LONG` in an 80-column pane with propagation held back:
/// the progress is one row, cut to the width, then cleared.
fn rotate_in_a_pane(lang: &str, verify: &str, steps: &[&str], done: &str) {
    let sb = Sandbox::new();
    let k = sb.user("tess");
    write_private(&sb.credentials(), &format!("[{LONG}]\n{}", pair(&k)));
    // The new key is refused until the test releases it.
    sb.proxy("POST", "config", r#"{"propagation_delay_s": 100000}"#);
    let pane = Pane::start(
        sb.dir.path(),
        80,
        &script(&sb, lang, &["rotate", LONG, "--timeout", "600s"]),
    );

    let screen = pane.wait_for("the verify line", |s| s.iter().any(|r| r.contains(verify)));
    let rows = non_empty(&screen);
    assert_eq!(
        rows.len(),
        1,
        "progress is not one row:\n{}",
        screen.join("\n")
    );
    let row = rows[0];
    assert!(row.starts_with(FRAMES), "no spinner frame: {row:?}");
    assert!(row.contains(LONG), "{row:?}");
    assert!(columns(row) <= 80, "{} columns: {row:?}", columns(row));
    // The terminal wrapped nothing: joining wrapped rows still gives one
    // row (the spinner may have turned between the two captures).
    let joined = pane.screen(true);
    assert_eq!(non_empty(&joined).len(), 1, "{joined:?}");
    assert!(joined.iter().any(|r| r.contains(LONG)), "{joined:?}");
    for step in steps {
        assert!(
            !row.contains(step),
            "an earlier step is still shown: {row:?}"
        );
    }

    // Let IAM "propagate", and wait for the end.
    sb.proxy("POST", "config", r#"{"propagation_delay_s": 0}"#);
    let screen = pane.wait_for("the exit code", |s| exit_code(s).is_some());
    let text = screen.join("\n");
    assert_eq!(exit_code(&screen).as_deref(), Some("0"), "{text}");
    assert!(text.contains(done), "no result line in:\n{text}");
    for (i, r) in screen.iter().enumerate() {
        assert!(!r.contains(verify), "progress left on row {i}:\n{text}");
        assert!(!r.contains(FRAMES), "spinner left on row {i}:\n{text}");
        for step in steps {
            assert!(!r.contains(step), "progress left on row {i}:\n{text}");
        }
    }
    let keys = sb.keys_of("tess");
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_ne!(keys[0].0, k.id);
}

#[test]
fn rotate_progress_is_one_row_in_japanese() {
    rotate_in_a_pane(
        "ja_JP.UTF-8",
        "新しいアクセスキーを検証",
        &["所有者を確認", "一覧しています", "作成しています"],
        "のアクセスキーをローテーションしました",
    );
}

#[test]
fn rotate_progress_is_one_row_in_english() {
    rotate_in_a_pane(
        "C.UTF-8",
        "verifying the new key",
        &[
            "identifying the key's owner",
            "listing the user's",
            "creating the new key",
        ],
        &format!("rotated {LONG}"),
    );
}

/// `keyturn status` with stale keys (long Japanese notes) in a pane of
/// `width` columns.
fn status_fits(width: u16) {
    let sb = Sandbox::new();
    let mut creds = String::new();
    for (profile, user) in [("dev", "dana"), ("prod-eu", "ernst"), ("ci", "cora")] {
        let k = sb.user(user);
        creds.push_str(&format!("[{profile}]\n{}\n", pair(&k)));
    }
    // `shared` holds dev's key too: one more note on that row.
    let dev = creds.lines().skip(1).take(2).collect::<Vec<_>>().join("\n");
    creds.push_str(&format!("[shared]\n{dev}\n"));
    write_private(&sb.credentials(), &creds);
    let pane = Pane::start(
        sb.dir.path(),
        width,
        &script(&sb, "ja_JP.UTF-8", &["status", "--max-age", "0d"]),
    );
    let screen = pane.wait_for("the exit code", |s| exit_code(s).is_some());
    let text = screen.join("\n");
    let code = exit_code(&screen).unwrap();
    assert!(code == "0" || code == "4", "exit {code}:\n{text}");
    // No row is wider than the pane, and the terminal wrapped nothing.
    assert_eq!(
        pane.screen(true),
        screen,
        "the terminal wrapped a row:\n{text}"
    );
    let table: Vec<&String> = non_empty(&screen)
        .into_iter()
        .filter(|r| !r.starts_with("KEYTURN_EXIT="))
        .collect();
    for r in &table {
        assert!(
            columns(r) <= width as usize,
            "{} columns: {r:?}",
            columns(r)
        );
        assert!(!r.contains(FRAMES), "spinner left: {r:?}");
    }
    assert!(table[0].starts_with("プロファイル"), "{text}");
    // Each row starts with its profile; a wrapped cell continues on rows
    // that start blank (inside its own column), never at column 0.
    let profiles = ["dev", "prod-eu", "ci", "shared"];
    for r in &table[1..] {
        let first = r.split_whitespace().next().unwrap_or("");
        assert!(
            r.starts_with(' ') || profiles.contains(&first),
            "row {r:?} is neither a profile nor a continuation:\n{text}"
        );
    }
    // Every profile has its row, and its NOTE is on it or on the rows
    // below it, before the next profile's row.
    for p in profiles {
        let at = table
            .iter()
            .position(|r| r.split_whitespace().next() == Some(p))
            .unwrap_or_else(|| panic!("no row for {p}:\n{text}"));
        let end = table[at + 1..]
            .iter()
            .position(|r| !r.starts_with(' '))
            .map_or(table.len(), |n| at + 1 + n);
        let cell: String = table[at..end].iter().map(|r| r.as_str()).collect();
        assert!(cell.contains("期限超過"), "{p}: no note in:\n{text}");
    }
}

#[test]
fn status_table_fits_80_columns() {
    status_fits(80);
}

#[test]
fn status_table_fits_120_columns() {
    status_fits(120);
}
