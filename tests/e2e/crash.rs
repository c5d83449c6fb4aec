//! Crash safety, for real: keyturn is killed (SIGKILL of its process group,
//! or an abort at a failpoint) at each step of a rotation, then rerun; the
//! invariants of the rotate issue must hold afterwards.

use crate::common::*;
use serde_json::json;

struct Case {
    sb: Sandbox,
    old: Key,
    before: String,
}

fn setup() -> Case {
    let sb = Sandbox::new();
    let old = sb.user("carol");
    let before = format!(
        "[work]\naws_access_key_id = {}\naws_secret_access_key = {}\nregion = ap-northeast-1\n\n[unrelated]\naws_access_key_id = AKIAUNRELATEDUNRELAT\naws_secret_access_key = unrelated\n",
        old.id, old.secret
    );
    write_private(&sb.credentials(), &before);
    Case { sb, old, before }
}

fn creates(sb: &Sandbox) -> usize {
    sb.proxy_log()
        .iter()
        .filter(|e| e["action"] == "CreateAccessKey")
        .count()
}

fn journals(sb: &Sandbox) -> usize {
    std::fs::read_dir(sb.home.join(".aws/.keyturn/journal"))
        .map(|d| d.count())
        .unwrap_or(0)
}

/// One working key in IAM, that key in the file, the rest of the file
/// untouched, no journal left.
#[track_caller]
fn assert_invariants(c: &Case) -> String {
    let keys = c.sb.keys_of("carol");
    assert_eq!(keys.len(), 1, "exactly one key must remain: {keys:?}");
    let id = keys[0].0.clone();
    let text = std::fs::read_to_string(c.sb.credentials()).unwrap();
    let secret = text
        .lines()
        .find_map(|l| l.strip_prefix("aws_secret_access_key = "))
        .unwrap()
        .to_string();
    assert!(c.sb.works(&id, &secret), "the file's key must work");
    let expected = c
        .before
        .replace(&c.old.id, &id)
        .replace(&c.old.secret, &secret);
    assert_text_eq(&text, &expected);
    assert_eq!(mode(&c.sb.credentials()), 0o600);
    assert_eq!(journals(&c.sb), 0, "no journal may be left");
    id
}

fn crash_at_failpoint_then_rerun(point: &str, expect_no_new_create: bool) {
    let c = setup();
    let run =
        c.sb.keyturn()
            .args(["rotate", "work"])
            .env("KEYTURN_FAILPOINT", point)
            .run();
    assert_eq!(
        run.code, None,
        "keyturn should have died at {point}: {run:?}"
    );
    let created_before = creates(&c.sb);
    let rerun = c.sb.keyturn().args(["rotate", "work"]).run();
    rerun.expect_code(0);
    rerun.assert_no_secret(&[&c.old.secret]);
    let id = assert_invariants(&c);
    assert_ne!(id, c.old.id, "the rotation must have happened");
    if expect_no_new_create {
        assert_eq!(
            creates(&c.sb),
            created_before,
            "the rerun must not rotate a second time"
        );
        assert!(
            rerun.stdout.contains("finishing an interrupted rotation"),
            "{}",
            rerun.stdout
        );
    }
}

#[test]
fn crash_after_journal_started() {
    crash_at_failpoint_then_rerun("after-journal-started", false);
}

#[test]
fn crash_after_create_before_secret_saved_leaves_no_orphan() {
    // The key exists in IAM but its secret died with the process: the
    // rerun must delete it, then rotate.
    crash_at_failpoint_then_rerun("after-create", false);
}

#[test]
fn crash_after_journal_created_finishes_forward() {
    crash_at_failpoint_then_rerun("after-journal-created", true);
}

#[test]
fn crash_after_file_written_finishes_forward() {
    crash_at_failpoint_then_rerun("after-file-written", true);
}

#[test]
fn crash_after_verify_finishes_forward() {
    crash_at_failpoint_then_rerun("after-verify", true);
}

#[test]
fn crash_after_confirm_before_retire_finishes_forward() {
    // The new pair was confirmed in the file; the old key still lives.
    crash_at_failpoint_then_rerun("after-confirm", true);
}

#[test]
fn crash_after_retire_before_journal_removed() {
    crash_at_failpoint_then_rerun("after-retire", true);
}

/// Holds `action` in the proxy, SIGKILLs keyturn while it waits, lets
/// the request reach moto anyway, then reruns.
fn kill_during_request(action: &str, key: &str, skip: u64) {
    let c = setup();
    c.sb.proxy(
        "POST",
        "rules",
        &json!([{"action": action, "key": key, "skip": skip, "times": 1, "fault": "hold"}])
            .to_string(),
    );
    let mut child = c.sb.keyturn().args(["rotate", "work"]).spawn();
    wait_until(60, "the request to be held", || {
        !c.sb.proxy("GET", "held", "").as_array().unwrap().is_empty()
    });
    kill_group(&mut child);
    c.sb.proxy("POST", "rules", "[]");
    c.sb.proxy("POST", "release", "");
    // Let the released request reach moto (it executes with nobody to
    // read the reply: the worst case for CreateAccessKey).
    std::thread::sleep(std::time::Duration::from_millis(500));
    let rerun = c.sb.keyturn().args(["rotate", "work"]).run();
    rerun.expect_code(0);
    assert_invariants(&c);
}

#[test]
fn kill_during_create_access_key_request() {
    kill_during_request("CreateAccessKey", "*", 0);
}

#[test]
fn kill_during_verification_request() {
    kill_during_request("GetCallerIdentity", "new", 0);
}

#[test]
fn kill_during_retire_request() {
    kill_during_request("DeleteAccessKey", "*", 0);
}

#[test]
fn kill_during_first_list_request() {
    kill_during_request("ListAccessKeys", "*", 0);
}

#[test]
fn lost_create_reply_is_not_retried_blindly() {
    let c = setup();
    // IAM executes CreateAccessKey but the reply never arrives.
    c.sb.proxy(
        "POST",
        "rules",
        &json!([{"action": "CreateAccessKey", "times": 1, "fault": "drop_response"}]).to_string(),
    );
    let run = c.sb.keyturn().args(["rotate", "work"]).run();
    run.expect_code(0);
    assert!(run.stderr.contains("orphaned key"), "{}", run.stderr);
    assert_invariants(&c);
    // Never three keys at once: a blind retry would have hit LimitExceeded.
    assert!(!c.sb.proxy_log().iter().any(|e| e["status"] == 409));
}

#[test]
fn server_error_after_create_executed_cleans_up_and_retries() {
    let c = setup();
    c.sb.proxy(
        "POST",
        "rules",
        &json!([{"action": "CreateAccessKey", "times": 1, "fault": "error_500_after"}]).to_string(),
    );
    c.sb.keyturn().args(["rotate", "work"]).run().expect_code(0);
    assert_invariants(&c);
}

fn crash_during_rollback(point: &str) {
    let c = setup();
    // The new key never works: rollback starts, and keyturn dies in it.
    c.sb.proxy("POST", "config", r#"{"propagation_delay_s": 1000}"#);
    let run =
        c.sb.keyturn()
            .args(["rotate", "work", "--timeout", "2s"])
            .env("KEYTURN_FAILPOINT", point)
            .run();
    assert_eq!(run.code, None, "{run:?}");
    c.sb.proxy("POST", "config", r#"{"propagation_delay_s": 0}"#);
    let rec = c.sb.keyturn().args(["recover"]).run();
    rec.expect_code(0);
    assert!(rec.stdout.contains("rolled back"), "{}", rec.stdout);
    // Rolled back: the old key is the one key, in place, working.
    let keys = c.sb.keys_of("carol");
    assert_eq!(keys, vec![(c.old.id.clone(), "Active".to_string())]);
    assert_text_eq(
        &std::fs::read_to_string(c.sb.credentials()).unwrap(),
        &c.before,
    );
    assert!(c.sb.works(&c.old.id, &c.old.secret));
    assert_eq!(journals(&c.sb), 0);
}

#[test]
fn crash_during_rollback_after_journal() {
    crash_during_rollback("rollback-after-journal");
}

#[test]
fn crash_during_rollback_after_file_restored() {
    crash_during_rollback("rollback-after-file");
}

#[test]
fn recover_with_nothing_to_do() {
    let c = setup();
    c.sb.keyturn().args(["recover"]).run().expect_code(5);
    assert_text_eq(
        &std::fs::read_to_string(c.sb.credentials()).unwrap(),
        &c.before,
    );
}
