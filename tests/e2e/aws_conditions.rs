//! End-to-end: the real keyturn binary in real AWS conditions, emulated by
//! the fault proxy in front of moto (IAM auth enforced): throttling,
//! CreateAccessKey replies that are lost or that run late, and policies
//! that demand MFA. Timing figures live in `bench/`, never here: every
//! wait below is on an event (a log entry, a prompt, an exit).

use crate::common::*;
use serde_json::{json, Value};
use std::process::Command;

const SERIAL: &str = "arn:aws:iam::123456789012:mfa/alice";
const CODE: &str = "123456";

fn pair(k: &Key) -> String {
    format!(
        "aws_access_key_id = {}\naws_secret_access_key = {}\n",
        k.id, k.secret
    )
}

/// The pair botocore reads for `profile` now: (id, secret) with the secret
/// found in the file by the id.
fn file_key(sb: &Sandbox, profile: &str) -> (String, String) {
    let id = sb.botocore_profiles()[profile]["creds"][0]
        .as_str()
        .unwrap_or_else(|| panic!("no key for {profile}"))
        .to_string();
    let text = std::fs::read_to_string(sb.credentials()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| l.contains(&id)).unwrap();
    let secret = lines[at..]
        .iter()
        .find_map(|l| {
            l.split_once("aws_secret_access_key")
                .map(|(_, v)| v.trim_start_matches([' ', '=', ':']).trim().to_string())
        })
        .unwrap();
    (id, secret)
}

/// One user, one key, `[default]` holding it.
fn one_user(sb: &Sandbox) -> Key {
    let old = sb.user("alice");
    write_private(&sb.credentials(), &format!("[default]\n{}", pair(&old)));
    old
}

/// The rotation ended the way a user needs: one key in IAM, the file's,
/// and it works; the old key is dead.
#[track_caller]
fn assert_rotated(sb: &Sandbox, old: &Key, profile: &str) {
    let keys = sb.keys_of("alice");
    assert_eq!(keys.len(), 1, "{keys:?}");
    let (id, secret) = file_key(sb, profile);
    assert_eq!(keys[0].0, id);
    assert_ne!(id, old.id);
    assert!(sb.works(&id, &secret), "the file's new key must work");
    assert!(!sb.works(&old.id, &old.secret), "the old key must be dead");
}

fn count(log: &[Value], action: &str) -> usize {
    log.iter().filter(|e| e["action"] == action).count()
}

fn attempt_records(sb: &Sandbox) -> Vec<std::path::PathBuf> {
    let dir = sb.home.join(".aws/.keyturn/attempts");
    std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "attempt"))
                .collect()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Throttling and lost replies

#[test]
fn throttled_create_is_retried_as_the_definite_rejection_it_is() {
    let sb = Sandbox::new();
    let old = one_user(&sb);
    sb.proxy(
        "POST",
        "rules",
        r#"[{"action": "CreateAccessKey", "fault": "throttle", "times": 2}]"#,
    );
    let run = sb.keyturn().args(["rotate"]).run();
    run.expect_code(0);
    run.assert_no_secret(&[&old.secret]);
    assert_rotated(&sb, &old, "default");
    let log = sb.proxy_log();
    let creates: Vec<&Value> = log
        .iter()
        .filter(|e| e["action"] == "CreateAccessKey")
        .collect();
    assert_eq!(creates.len(), 3, "{creates:?}");
    assert_eq!(creates[0]["fault"], "throttle");
    assert_eq!(creates[1]["fault"], "throttle");
    assert_eq!(creates[2]["status"], 200);
    // A definite rejection makes no key: no orphan hunt, no record.
    assert_eq!(count(&log, "DeleteAccessKey"), 1, "only the old key");
    assert!(attempt_records(&sb).is_empty());
}

#[test]
fn lost_create_reply_deletes_the_orphan_and_creates_again() {
    let sb = Sandbox::new();
    let old = one_user(&sb);
    sb.proxy(
        "POST",
        "rules",
        r#"[{"action": "CreateAccessKey", "fault": "drop_response", "times": 1}]"#,
    );
    let run = sb.keyturn().args(["rotate"]).run();
    run.expect_code(0);
    assert_rotated(&sb, &old, "default");
    let log = sb.proxy_log();
    assert_eq!(count(&log, "CreateAccessKey"), 2);
    // The first key (executed, reply lost) was deleted as an orphan.
    assert_eq!(count(&log, "DeleteAccessKey"), 2, "orphan and old key");
    assert!(run.stderr.contains("orphaned"), "{}", run.stderr);
}

#[test]
fn thirty_percent_of_every_call_throttled_still_rotates() {
    let sb = Sandbox::new();
    let old = one_user(&sb);
    // Every call of every kind: 3 in 10 throttled, the first create too.
    sb.proxy(
        "POST",
        "rules",
        r#"[{"action": "CreateAccessKey", "fault": "throttle", "times": 1},
            {"fault": "throttle", "ratio": 0.3}]"#,
    );
    let run = sb.keyturn().args(["rotate"]).run();
    run.expect_code(0);
    assert_rotated(&sb, &old, "default");
    let log = sb.proxy_log();
    let throttled = log.iter().filter(|e| e["fault"] == "throttle").count();
    assert!(
        throttled * 10 >= log.len() * 2,
        "{throttled} of {}",
        log.len()
    );
    assert!(
        log.iter()
            .any(|e| e["action"] == "CreateAccessKey" && e["fault"] == "throttle"),
        "the create itself met throttling: {log:?}"
    );
}

// ---------------------------------------------------------------------------
// MFA

fn mfa_files(sb: &Sandbox, old: &Key, profiles: &[&str]) -> (String, String) {
    let creds: String = profiles
        .iter()
        .map(|p| format!("[{p}]\n{}", pair(old)))
        .collect();
    let config: String = profiles
        .iter()
        .map(|p| format!("[profile {p}]\nregion = eu-west-1\nmfa_serial = {SERIAL}\n"))
        .collect();
    write_private(&sb.credentials(), &creds);
    write_private(&sb.config(), &config);
    (creds, config)
}

fn require_mfa(sb: &Sandbox) {
    let cfg = json!({"mfa": {"serial": SERIAL, "code": CODE,
        "resign_id": sb.admin.id, "resign_secret": sb.admin.secret}});
    sb.proxy("POST", "config", &cfg.to_string());
}

#[test]
fn mfa_serial_without_an_mfa_policy_rotates_non_interactively() {
    let sb = Sandbox::new();
    let old = sb.user("alice");
    mfa_files(&sb, &old, &["default"]);
    let run = sb.keyturn().args(["rotate"]).run();
    run.expect_code(0);
    assert_rotated(&sb, &old, "default");
    assert_eq!(count(&sb.proxy_log(), "GetSessionToken"), 0);
}

#[test]
fn mfa_policy_without_a_code_non_interactive_is_refused_changing_nothing() {
    let sb = Sandbox::new();
    let old = sb.user("alice");
    let (creds, config) = mfa_files(&sb, &old, &["default"]);
    require_mfa(&sb);
    let run = sb.keyturn().args(["rotate"]).run();
    run.expect_code(3);
    assert!(run.stderr.contains("--mfa-code"), "{}", run.stderr);
    assert_text_eq(&std::fs::read_to_string(sb.credentials()).unwrap(), &creds);
    assert_text_eq(&std::fs::read_to_string(sb.config()).unwrap(), &config);
    assert_eq!(sb.keys_of("alice"), vec![(old.id.clone(), "Active".into())]);
    let log = sb.proxy_log();
    assert_eq!(count(&log, "CreateAccessKey"), 0);
    assert_eq!(count(&log, "GetSessionToken"), 0);
    assert!(log.iter().any(|e| e["fault"] == "mfa_denied"), "{log:?}");
}

#[test]
fn mfa_policy_with_mfa_code_rotates_with_one_session() {
    let sb = Sandbox::new();
    let old = sb.user("alice");
    mfa_files(&sb, &old, &["default"]);
    require_mfa(&sb);
    let run = sb.keyturn().args(["rotate", "--mfa-code", CODE]).run();
    run.expect_code(0);
    assert_rotated(&sb, &old, "default");
    let log = sb.proxy_log();
    assert_eq!(count(&log, "GetSessionToken"), 1, "{log:?}");
    assert!(log.iter().any(|e| e["action"] == "CreateAccessKey"
        && e["fault"] == "mfa_session"
        && e["status"] == 200));
}

#[test]
fn mfa_prompt_on_a_terminal_is_shown_once_for_two_profiles_of_one_user() {
    let sb = Sandbox::new();
    let old = sb.user("alice");
    mfa_files(&sb, &old, &["a", "b"]);
    require_mfa(&sb);
    let k = sb.keyturn();
    let mut cmd = Command::new(python());
    cmd.arg(repo().join("tests/support/ptydrive.py"))
        .args(["MFA code for", CODE, "300", "--"])
        .arg(k.cmd.get_program())
        .args(["rotate", "--all"]);
    cmd.env_clear();
    for (key, value) in k.cmd.get_envs() {
        if let Some(v) = value {
            cmd.env(key, v);
        }
    }
    cmd.current_dir(sb.dir.path());
    let out = cmd.output().expect("run ptydrive.py");
    assert!(
        out.status.success(),
        "ptydrive: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rc"], 0, "{v}");
    assert_eq!(v["prompts"], 1, "{v}");
    let log = sb.proxy_log();
    assert_eq!(count(&log, "GetSessionToken"), 1);
    assert_rotated(&sb, &old, "a");
    assert_eq!(file_key(&sb, "a"), file_key(&sb, "b"));
}

// ---------------------------------------------------------------------------
// A CreateAccessKey that runs at IAM after keyturn gave up

/// A rotation whose first CreateAccessKey loses its reply and runs at IAM
/// only after the rotation finished; returns the late key's id.
fn late_create(sb: &Sandbox, old: &Key) -> String {
    sb.proxy(
        "POST",
        "rules",
        r#"[{"action": "CreateAccessKey", "fault": "late", "times": 1}]"#,
    );
    // IAM authenticates at receipt; the old key is gone when it runs.
    let resign = json!({"late_resign": {"id": sb.admin.id, "secret": sb.admin.secret}});
    sb.proxy("POST", "config", &resign.to_string());
    let run = sb.keyturn().args(["rotate"]).run();
    run.expect_code(0);
    assert!(run.stderr.contains("got no answer"), "{}", run.stderr);
    assert_rotated(sb, old, "default");
    assert_eq!(attempt_records(sb).len(), 1);
    let (held_by_file, _) = file_key(sb, "default");
    sb.proxy("POST", "release", "");
    wait_until(60, "the late CreateAccessKey to run", || {
        sb.proxy_log()
            .iter()
            .any(|e| e["fault"] == "late_executed" && e["status"] == 200)
    });
    let keys = sb.keys_of("alice");
    assert_eq!(keys.len(), 2, "{keys:?}");
    keys.into_iter()
        .map(|(id, _)| id)
        .find(|id| *id != held_by_file)
        .unwrap()
}

#[test]
fn a_key_made_late_inside_the_rotation_window_is_deleted_by_the_next_run() {
    let sb = Sandbox::new();
    let old = one_user(&sb);
    let late = late_create(&sb, &old);
    let (id, _) = file_key(&sb, "default");
    let run = sb.keyturn().args(["recover"]).run();
    assert!(run.code == Some(0) || run.code == Some(5), "{run:?}");
    assert!(run.stderr.contains("deleting key"), "{}", run.stderr);
    assert_eq!(sb.keys_of("alice"), vec![(id.clone(), "Active".into())]);
    // Exactly two deletions in all: the first run's old key, then the late key.
    assert_eq!(count(&sb.proxy_log(), "DeleteAccessKey"), 2);
    assert_ne!(late, id);
}

#[test]
fn a_key_made_outside_the_rotation_window_is_reported_never_deleted() {
    let sb = Sandbox::new();
    let old = one_user(&sb);
    let late = late_create(&sb, &old);
    // The same key, as if made a day earlier: not this rotation's.
    sb.proxy(
        "POST",
        "config",
        &json!({"backdate_days": {late.clone(): 1}}).to_string(),
    );
    let run = sb.keyturn().args(["recover"]).run();
    assert!(run.code == Some(0) || run.code == Some(5), "{run:?}");
    assert!(
        run.stderr.contains("outside keyturn's rotation window"),
        "{}",
        run.stderr
    );
    let keys = sb.keys_of("alice");
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(keys.iter().any(|(k, _)| *k == late));
    // One deletion in all: the first run's old key.
    assert_eq!(count(&sb.proxy_log(), "DeleteAccessKey"), 1);
}

/// `status` is read-only (issue 18, item 1): it reports the late key and
/// which command deletes it, and deletes nothing; `recover` then does.
#[test]
fn a_key_made_late_inside_the_window_is_reported_by_status_never_deleted() {
    let sb = Sandbox::new();
    let old = one_user(&sb);
    let late = late_create(&sb, &old);
    let (id, _) = file_key(&sb, "default");
    let deletes = count(&sb.proxy_log(), "DeleteAccessKey");
    let run = sb.keyturn().args(["status"]).run();
    run.expect_code(0);
    assert!(
        run.stderr.contains("got no answer") && run.stderr.contains("keyturn recover"),
        "{run:?}"
    );
    assert!(!run.stderr.contains("deleting key"), "{run:?}");
    assert_eq!(sb.keys_of("alice").len(), 2);
    assert_eq!(count(&sb.proxy_log(), "DeleteAccessKey"), deletes);
    assert_eq!(attempt_records(&sb).len(), 1, "status writes nothing");
    let run = sb.keyturn().args(["recover"]).run();
    assert!(run.stderr.contains("deleting key"), "{run:?}");
    assert_eq!(sb.keys_of("alice"), vec![(id.clone(), "Active".into())]);
    assert_ne!(late, id);
    assert!(
        attempt_records(&sb).is_empty(),
        "its one key found: settled"
    );
}
