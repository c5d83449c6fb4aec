//! A key in aws-vault's file keyring, end to end, with what users combine
//! with a rotation: the passphrase typed at keyturn's prompt in a real
//! terminal (a tmux pane), the settings file's hooks, `--max-age` and
//! `--dry-run`. The keyring is written and read back with Python's
//! jwcrypto (not keyturn's code); the new key is checked against moto.

use crate::common::*;
use crate::keystore_rotate::{
    assert_rotated, jwe_read, snapshot, vault_files, VaultFiles, PASSPHRASE,
};
use crate::terminal::{exit_code, script, Pane, FRAMES};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The profile as aws-vault users write it: the backend in the
/// `credential_process` line, so the pane needs no aws-vault variable.
const FILE_LINE: &str =
    "[profile dev]\ncredential_process = aws-vault --backend=file export --format=json --no-session dev\n";

const PROMPT: &str = "Enter passphrase to unlock";

/// Everything under HOME but keyturn's own state folder.
fn home_files(v: &VaultFiles) -> BTreeMap<PathBuf, Vec<u8>> {
    snapshot(&v.sb.home)
        .into_iter()
        .filter(|(p, _)| !p.starts_with(v.sb.home.join(".aws/.keyturn")))
        .collect()
}

#[test]
fn the_passphrase_is_asked_once_on_a_terminal_and_never_shown() {
    let v = vault_files(FILE_LINE);
    let before_item = jwe_read(&v.dir.join("dev"), PASSPHRASE);
    // No AWS_VAULT_FILE_PASSPHRASE: keyturn must ask, as aws-vault does.
    let pane = Pane::start(
        v.sb.dir.path(),
        120,
        &script(&v.sb, "C.UTF-8", &["rotate", "dev", "--timeout", "600s"]),
    );
    let screen = wait_prompt(&pane);
    let row = screen.iter().find(|r| r.contains(PROMPT)).unwrap();
    assert!(
        row.contains(&v.dir.display().to_string()),
        "the prompt names the keyring folder: {row:?}"
    );
    // The spinner is off the prompt's line while keyturn waits.
    assert!(!row.contains(FRAMES), "spinner on the prompt: {row:?}");
    type_line(&pane, PASSPHRASE);
    let screen = pane.wait_for("the exit code", |s| exit_code(s).is_some());
    let text = screen.join("\n");
    assert_eq!(exit_code(&screen).as_deref(), Some("0"), "{text}");
    assert_eq!(
        text.matches(PROMPT).count(),
        1,
        "asked more than once:\n{text}"
    );
    assert!(
        !text.contains(PASSPHRASE),
        "the passphrase was echoed:\n{text}"
    );
    assert!(!text.contains(&v.old.secret), "{text}");
    assert!(text.contains("rotated dev"), "{text}");
    // jwcrypto reads the new pair with the typed passphrase; it works.
    let after_item = jwe_read(&v.dir.join("dev"), PASSPHRASE);
    let new = assert_rotated(&v.sb, "vera", &v.old, &before_item, &after_item);
    assert!(!text.contains(&new.secret), "{text}");
    assert!(!v.dir.join(&v.sess_dev).exists(), "the session was kept");
}

/// `status` asks for the passphrase the same way (once) and shows which
/// keyring holds the key.
#[test]
fn status_asks_for_the_passphrase_once_on_a_terminal() {
    let v = vault_files(FILE_LINE);
    let before = home_files(&v);
    let pane = Pane::start(
        v.sb.dir.path(),
        120,
        &script(&v.sb, "C.UTF-8", &["status", "--offline"]),
    );
    wait_prompt(&pane);
    type_line(&pane, PASSPHRASE);
    let screen = pane.wait_for("the exit code", |s| exit_code(s).is_some());
    let text = screen.join("\n");
    assert_eq!(exit_code(&screen).as_deref(), Some("0"), "{text}");
    assert_eq!(text.matches(PROMPT).count(), 1, "asked twice:\n{text}");
    assert!(!text.contains(PASSPHRASE), "echoed:\n{text}");
    assert!(
        !text.contains(&v.old.secret) && !text.contains(&v.old.id),
        "{text}"
    );
    let masked = format!("…{}", &v.old.id[v.old.id.len() - 4..]);
    assert!(text.contains(&masked), "the key's masked id:\n{text}");
    assert!(text.contains("aws-vault"), "the keyring:\n{text}");
    assert_eq!(home_files(&v), before, "status changed a file");
}

#[test]
fn a_wrong_passphrase_at_the_prompt_is_refused_and_changes_nothing() {
    let v = vault_files(FILE_LINE);
    let before = home_files(&v);
    let pane = Pane::start(
        v.sb.dir.path(),
        120,
        &script(&v.sb, "C.UTF-8", &["rotate", "dev"]),
    );
    wait_prompt(&pane);
    type_line(&pane, "not it");
    let screen = pane.wait_for("the exit code", |s| exit_code(s).is_some());
    let text = pane.screen(true).join("\n");
    assert_eq!(exit_code(&screen).as_deref(), Some("3"), "{text}");
    assert!(text.contains("passphrase is wrong"), "{text}");
    assert_eq!(text.matches(PROMPT).count(), 1, "{text}");
    assert!(!text.contains("not it"), "{text}");
    assert_eq!(home_files(&v), before, "a refusal changed files");
    assert_eq!(v.sb.keys_of("vera").len(), 1);
}

/// The settings file in its own XDG_CONFIG_HOME.
fn settings(v: &VaultFiles, toml: &str) -> PathBuf {
    let xdg = v.sb.dir.path().join("xdg");
    std::fs::create_dir_all(xdg.join("keyturn")).unwrap();
    std::fs::write(xdg.join("keyturn/config.toml"), toml).unwrap();
    xdg
}

fn toml_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn vault_run(v: &VaultFiles) -> Keyturn {
    v.sb.keyturn().env("AWS_VAULT_FILE_PASSPHRASE", PASSPHRASE)
}

#[test]
fn hooks_run_for_a_keystore_key_with_the_new_pair() {
    let v = vault_files(FILE_LINE);
    let before_item = jwe_read(&v.dir.join("dev"), PASSPHRASE);
    let out = v.sb.dir.path().join("hook");
    // The hook records its stdin and what the keyring held meanwhile (the
    // new pair is stored before hooks run), and checks the old key still
    // works (it is retired only after the hooks).
    let script = format!(
        "cat > {out}.stdin; env | grep ^KEYTURN_ > {out}.env; \
         {py} {awsctl} whoami --endpoint {url} --id {id} --secret {secret} > {out}.old",
        out = out.display(),
        py = python().display(),
        awsctl = repo().join("tests/support/awsctl.py").display(),
        url = v.sb.moto_url(),
        id = v.old.id,
        secret = v.old.secret,
    );
    let xdg = settings(
        &v,
        &format!(
            "[[hooks]]\nname = \"copy\"\nprofiles = [\"dev\"]\ncommand = {}\n",
            toml_str(&script)
        ),
    );
    let r = vault_run(&v)
        .env("XDG_CONFIG_HOME", &xdg)
        .args(["rotate", "dev"])
        .run();
    r.expect_code(0);
    r.assert_no_secret(&[&v.old.secret, PASSPHRASE]);
    // The summary names the keyring item it updated, not a file.
    assert!(
        r.stdout.contains("  updated aws-vault (file) item dev\n"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains(".aws/config"), "{}", r.stdout);
    let after_item = jwe_read(&v.dir.join("dev"), PASSPHRASE);
    let new = assert_rotated(&v.sb, "vera", &v.old, &before_item, &after_item);
    let stdin: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{}.stdin", out.display())).unwrap())
            .unwrap();
    assert_eq!(stdin["access_key_id"], new.id.as_str());
    assert_eq!(stdin["secret_access_key"], new.secret.as_str());
    let env = std::fs::read_to_string(format!("{}.env", out.display())).unwrap();
    assert!(env.contains("KEYTURN_PROFILE=dev"), "{env}");
    assert!(!env.contains(&new.secret), "secret leaked into env");
    let old = std::fs::read_to_string(format!("{}.old", out.display())).unwrap();
    assert!(
        !old.trim().is_empty(),
        "the old key did not work during the hook"
    );

    // A failing hook stops before the old key is retired; --resume
    // finishes once it is fixed, reading the keyring again.
    let v = vault_files(FILE_LINE);
    let before_item = jwe_read(&v.dir.join("dev"), PASSPHRASE);
    let failing = settings(
        &v,
        "[[hooks]]\nname = \"push-to-ci\"\ncommand = [\"false\"]\n",
    );
    let r = vault_run(&v)
        .env("XDG_CONFIG_HOME", &failing)
        .args(["rotate", "dev"])
        .run();
    r.expect_code(1);
    assert!(
        r.stderr.contains("hook `push-to-ci` failed"),
        "{}",
        r.stderr
    );
    assert_eq!(v.sb.keys_of("vera").len(), 2);
    assert!(v.sb.works(&v.old.id, &v.old.secret));
    let fixed = settings(
        &v,
        "[[hooks]]\nname = \"push-to-ci\"\ncommand = [\"true\"]\n",
    );
    let r = vault_run(&v)
        .env("XDG_CONFIG_HOME", &fixed)
        .args(["rotate", "dev", "--resume"])
        .run();
    r.expect_code(0);
    let after_item = jwe_read(&v.dir.join("dev"), PASSPHRASE);
    assert_rotated(&v.sb, "vera", &v.old, &before_item, &after_item);
}

#[test]
fn max_age_skips_a_young_keystore_key_and_rotates_an_old_one() {
    let v = vault_files(FILE_LINE);
    let before = home_files(&v);
    let before_item = jwe_read(&v.dir.join("dev"), PASSPHRASE);
    let r = vault_run(&v)
        .args(["rotate", "dev", "--max-age", "90d"])
        .run();
    r.expect_code(5);
    assert!(r.stdout.contains("nothing to do"), "{}", r.stdout);
    assert_eq!(home_files(&v), before, "a skipped key changed files");
    assert_eq!(v.sb.keys_of("vera").len(), 1);
    // Older than the age (moto's key was made seconds ago): rotated.
    let r = vault_run(&v)
        .args(["rotate", "dev", "--max-age", "0s"])
        .run();
    r.expect_code(0);
    let after_item = jwe_read(&v.dir.join("dev"), PASSPHRASE);
    assert_rotated(&v.sb, "vera", &v.old, &before_item, &after_item);
}

#[test]
fn dry_run_of_a_keystore_key_changes_nothing() {
    let v = vault_files(FILE_LINE);
    let before = home_files(&v);
    let r = vault_run(&v)
        .args(["rotate", "dev", "--dry-run", "--output", "json"])
        .run();
    r.expect_code(0);
    r.assert_no_secret(&[&v.old.secret, PASSPHRASE]);
    let out: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(out[0]["status"], "planned", "{}", r.stdout);
    assert_eq!(out[0]["old_key_id"], v.old.id.as_str());
    // The place is the keyring item, not a file.
    assert_eq!(
        out[0]["updated"],
        serde_json::json!([{"file": null, "section": "aws-vault (file) item dev", "profile": "dev"}]),
        "{}",
        r.stdout
    );
    // The item file's bytes, the session and everything else: identical.
    assert_eq!(home_files(&v), before, "a dry run changed files");
    assert_eq!(
        v.sb.keys_of("vera"),
        [(v.old.id.clone(), "Active".to_string())]
    );
    for e in v.sb.proxy_log() {
        let a = e["action"].as_str().unwrap();
        assert!(
            [
                "GetCallerIdentity",
                "ListAccessKeys",
                "GetAccessKeyLastUsed"
            ]
            .contains(&a),
            "a dry run called {a}"
        );
    }
    // In words too.
    let r = vault_run(&v).args(["rotate", "dev", "--dry-run"]).run();
    r.expect_code(0);
    assert!(
        r.stdout.contains(" aws-vault (file) item dev\n"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains(".aws/config"), "{}", r.stdout);
    assert_eq!(home_files(&v), before);
}

#[test]
fn ctrl_c_at_the_prompt_gives_the_terminal_its_echo_back() {
    let v = vault_files(FILE_LINE);
    let before = home_files(&v);
    // After keyturn ends, the pane's shell says whether echo is on.
    // (The shell outlives the Ctrl-C with a trap, which keyturn does not
    // inherit: a caught signal is reset on exec.)
    let sh = script(&v.sb, "C.UTF-8", &["rotate", "dev"])
        .replace("'\"$0\" \"$@\";", "'trap : INT; \"$0\" \"$@\";")
        .replace(
            "echo KEYTURN_EXIT=$?;",
            "echo KEYTURN_EXIT=$?; if stty -a | tr \" \" \"\\n\" | grep -qx -- -echo; \
             then echo TTY_ECHO=off; else echo TTY_ECHO=on; fi;",
        );
    assert!(sh.contains("TTY_ECHO") && sh.contains("trap : INT"), "{sh}");
    let pane = Pane::start(v.sb.dir.path(), 120, &sh);
    wait_prompt(&pane);
    // Interrupt once keyturn has turned echo off.
    wait_echo_off(&pane);
    let st = pane
        .tmux()
        .args(["send-keys", "-t", "t", "C-c"])
        .status()
        .unwrap();
    assert!(st.success());
    let screen = pane.wait_for("the echo state", |s| {
        s.iter().any(|r| r.starts_with("TTY_ECHO="))
    });
    let text = screen.join("\n");
    // Ended by the signal (128 + SIGINT), the prompt's line ended.
    assert_eq!(exit_code(&screen).as_deref(), Some("130"), "{text}");
    assert!(
        text.contains("TTY_ECHO=on"),
        "the terminal was left without echo:\n{text}"
    );
    assert_eq!(
        home_files(&v),
        before,
        "an interrupted prompt changed files"
    );
    assert_eq!(v.sb.keys_of("vera").len(), 1);
}

/// Waits for the passphrase prompt; keyturn must not have ended first.
#[track_caller]
fn wait_prompt(pane: &Pane) -> Vec<String> {
    let screen = pane.wait_for("the passphrase prompt", |s| {
        s.iter().any(|r| r.contains(PROMPT)) || exit_code(s).is_some()
    });
    assert_eq!(
        exit_code(&screen),
        None,
        "no prompt:\n{}",
        screen.join("\n")
    );
    screen
}

/// Waits until keyturn has turned the pane terminal's echo off (the
/// prompt is printed just before: keys typed in between would be echoed),
/// an event on the terminal, not a delay.
fn wait_echo_off(pane: &Pane) {
    let out = pane
        .tmux()
        .args(["display-message", "-p", "-t", "t", "#{pane_tty}"])
        .output()
        .unwrap();
    let tty = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(tty.starts_with("/dev/"), "{tty:?}");
    wait_until(240, "echo off at the prompt", || {
        let out = std::process::Command::new("stty")
            .args(["-F", &tty, "-a"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .any(|t| t == "-echo")
    });
}

/// Types `text` and Enter at the passphrase prompt, once echo is off.
fn type_line(pane: &Pane, text: &str) {
    wait_echo_off(pane);
    for keys in [&["-l", text][..], &["Enter"][..]] {
        let st = pane
            .tmux()
            .args(["send-keys", "-t", "t"])
            .args(keys)
            .status()
            .unwrap();
        assert!(st.success());
    }
}

#[test]
fn recover_asks_once_and_finishes_with_the_typed_passphrase() {
    let v = vault_files(FILE_LINE);
    let before_item = jwe_read(&v.dir.join("dev"), PASSPHRASE);
    let before = snapshot(&v.sb.home);
    // Dies after the new pair is in the keyring, before it is verified.
    let r = vault_run(&v)
        .args(["rotate", "dev"])
        .env("KEYTURN_FAILPOINT", "after-file-written")
        .run();
    assert_eq!(r.code, None, "keyturn should have died: {r:?}");
    // `recover` reads the item, re-reads it before retiring, and purges
    // the sessions: one prompt for all of it.
    let pane = Pane::start(
        v.sb.dir.path(),
        120,
        &script(&v.sb, "C.UTF-8", &["recover"]),
    );
    wait_prompt(&pane);
    type_line(&pane, PASSPHRASE);
    let screen = pane.wait_for("the exit code", |s| exit_code(s).is_some());
    let text = pane.screen(true).join("\n");
    assert_eq!(exit_code(&screen).as_deref(), Some("0"), "{text}");
    assert_eq!(
        text.matches(PROMPT).count(),
        1,
        "asked more than once:\n{text}"
    );
    assert!(
        !text.contains(PASSPHRASE),
        "the passphrase was echoed:\n{text}"
    );
    crate::keystore_rotate::assert_crash_invariants(&v, &before_item, &before);
    let after_item = jwe_read(&v.dir.join("dev"), PASSPHRASE);
    assert_rotated(&v.sb, "vera", &v.old, &before_item, &after_item);
}
