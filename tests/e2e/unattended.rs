//! Issue 18, "unattended, for real" (items 1, 2, 6 and 7): ways a hostile
//! environment broke "never lose a credential, never lock anyone out",
//! replayed with the real binary against moto through the fault proxy.
//! Every wait is on an event (an exit, a log entry), never on time.

use crate::common::*;
use serde_json::{json, Value};
use std::path::PathBuf;

fn pair(k: &Key) -> String {
    format!(
        "aws_access_key_id = {}\naws_secret_access_key = {}\n",
        k.id, k.secret
    )
}

/// One user, `alice`, one key, `[default]` holding it.
fn one_user(sb: &Sandbox) -> Key {
    let old = sb.user("alice");
    write_private(&sb.credentials(), &format!("[default]\n{}", pair(&old)));
    old
}

fn state_dir(sb: &Sandbox) -> PathBuf {
    sb.home.join(".aws/.keyturn")
}

fn files_in(dir: PathBuf) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default()
}

fn count(sb: &Sandbox, action: &str) -> usize {
    sb.proxy_log()
        .iter()
        .filter(|e| e["action"] == action)
        .count()
}

fn key_ids(sb: &Sandbox, user: &str) -> Vec<String> {
    sb.keys_of(user).into_iter().map(|(id, _)| id).collect()
}

/// The (id, secret) `[default]` holds now.
fn file_pair(sb: &Sandbox) -> (String, String) {
    let text = std::fs::read_to_string(sb.credentials()).unwrap();
    let value = |name: &str| {
        text.lines()
            .find_map(|l| {
                let (k, v) = l.split_once('=')?;
                (k.trim() == name).then(|| v.trim().to_string())
            })
            .unwrap()
    };
    (value("aws_access_key_id"), value("aws_secret_access_key"))
}

/// The one journal keyturn left, as JSON.
fn the_journal(sb: &Sandbox) -> (PathBuf, Value) {
    let js = files_in(state_dir(sb).join("journal"));
    assert_eq!(js.len(), 1, "{js:?}");
    let v = serde_json::from_str(&std::fs::read_to_string(&js[0]).unwrap()).unwrap();
    (js[0].clone(), v)
}

/// A rotation killed at `point`, leaving its journal.
fn crash_at(sb: &Sandbox, point: &str) {
    let run = sb
        .keyturn()
        .args(["rotate"])
        .env("KEYTURN_FAILPOINT", point)
        .run();
    assert_eq!(run.code, None, "keyturn must abort at {point}: {run:?}");
}

// ---------------------------------------------------------------------------
// 1. A key keyturn did not make is never deleted.

#[test]
fn a_key_made_by_hand_after_a_settled_lost_reply_is_never_deleted() {
    let sb = Sandbox::new();
    let old = one_user(&sb);
    // IAM makes the key, the reply is lost: the rotation finds that key,
    // deletes it, creates again and finishes.
    sb.proxy(
        "POST",
        "rules",
        r#"[{"action": "CreateAccessKey", "fault": "drop_response", "times": 1}]"#,
    );
    let run = sb.keyturn().args(["rotate"]).run();
    run.expect_code(0);
    assert!(run.stderr.contains("orphaned key"), "{}", run.stderr);
    // The unanswered call is settled: its one key was found and deleted.
    assert!(files_in(state_dir(&sb).join("attempts")).is_empty());
    let (current, _) = file_pair(&sb);
    assert_eq!(key_ids(&sb, "alice"), vec![current.clone()]);
    assert_ne!(current, old.id);
    let deletes = count(&sb, "DeleteAccessKey");
    assert_eq!(deletes, 2, "the orphan and the old key");

    // Minutes later the user makes a key for CI by hand.
    let ci = sb.add_key("alice");
    let status = sb.keyturn().args(["status"]).run();
    status.expect_code(0);
    let recover = sb.keyturn().args(["recover"]).run();
    recover.expect_code(5);
    for run in [&status, &recover] {
        assert!(!run.stderr.contains("deleting"), "{run:?}");
    }
    let mut keys = key_ids(&sb, "alice");
    keys.sort();
    let mut want = vec![current, ci.id.clone()];
    want.sort();
    assert_eq!(keys, want, "the hand-made key stays");
    assert_eq!(count(&sb, "DeleteAccessKey"), deletes);
    assert!(sb.works(&ci.id, &ci.secret));
}

// ---------------------------------------------------------------------------
// 2. A reply that cannot be read is an unknown outcome, never a refusal.

#[test]
fn an_html_page_instead_of_the_create_reply_is_an_unknown_outcome_cleaned_up() {
    let sb = Sandbox::new();
    let old = one_user(&sb);
    let before = std::fs::read_to_string(sb.credentials()).unwrap();
    // Every CreateAccessKey runs at IAM and is answered with a proxy's page.
    sb.proxy(
        "POST",
        "rules",
        r#"[{"action": "CreateAccessKey", "fault": "html_200_after"}]"#,
    );
    let run = sb.keyturn().args(["rotate"]).run();
    run.expect_code(1);
    run.assert_no_secret(&[&old.secret]);
    assert!(
        run.stderr.contains("HTTP 200") && run.stderr.contains("text/html"),
        "the message names what came: {}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("nothing was changed"),
        "{}",
        run.stderr
    );
    // Each key those calls made was found and deleted: one key, the old,
    // in IAM and in the file; nothing left to recover or to watch for.
    assert_eq!(key_ids(&sb, "alice"), vec![old.id.clone()]);
    assert!(count(&sb, "CreateAccessKey") >= 1);
    assert_eq!(count(&sb, "DeleteAccessKey"), count(&sb, "CreateAccessKey"));
    assert_text_eq(&std::fs::read_to_string(sb.credentials()).unwrap(), &before);
    assert!(files_in(state_dir(&sb).join("journal")).is_empty());
    assert!(files_in(state_dir(&sb).join("attempts")).is_empty());
    // Once the proxy is out of the way, the rotation goes through.
    sb.proxy("POST", "rules", "[]");
    sb.keyturn().args(["rotate"]).run().expect_code(0);
    let (id, secret) = file_pair(&sb);
    assert_eq!(key_ids(&sb, "alice"), vec![id.clone()]);
    assert!(sb.works(&id, &secret));
}

#[test]
fn a_truncated_create_reply_is_cleaned_up_and_the_rotation_finishes() {
    let sb = Sandbox::new();
    let old = one_user(&sb);
    sb.proxy(
        "POST",
        "rules",
        r#"[{"action": "CreateAccessKey", "fault": "truncated_after", "times": 1}]"#,
    );
    let run = sb.keyturn().args(["rotate"]).run();
    run.expect_code(0);
    assert!(run.stderr.contains("HTTP 200"), "{}", run.stderr);
    let (id, secret) = file_pair(&sb);
    assert_ne!(id, old.id);
    assert_eq!(key_ids(&sb, "alice"), vec![id.clone()]);
    assert!(sb.works(&id, &secret));
    assert_eq!(count(&sb, "CreateAccessKey"), 2);
    assert!(files_in(state_dir(&sb).join("attempts")).is_empty());
}

// ---------------------------------------------------------------------------
// 6. A journal the user made obsolete is settled, not stuck.

/// A rotation stopped with both keys live (journal `verified`), then the
/// user deleted both keys in the console and pasted a new one by hand.
/// Returns (the hand-made key, the journal's new secret).
fn journal_made_obsolete(sb: &Sandbox, old: &Key) -> (Key, String) {
    crash_at(sb, "after-confirm");
    let (_, j) = the_journal(sb);
    assert_eq!(j["state"], "verified");
    let new_secret = j["new_secret"].as_str().unwrap().to_string();
    for id in key_ids(sb, "alice") {
        sb.delete_key("alice", &id);
    }
    let by_hand = sb.add_key("alice");
    write_private(&sb.credentials(), &format!("[default]\n{}", pair(&by_hand)));
    assert!(!sb.works(&old.id, &old.secret));
    (by_hand, new_secret)
}

#[test]
fn recover_sets_aside_a_journal_whose_keys_the_user_replaced() {
    let sb = Sandbox::new();
    let old = one_user(&sb);
    let (by_hand, new_secret) = journal_made_obsolete(&sb, &old);
    let run = sb.keyturn().args(["recover"]).run();
    run.expect_code(0);
    run.assert_no_secret(&[&old.secret, &new_secret, &by_hand.secret]);
    assert!(run.stderr.contains("no longer applies"), "{}", run.stderr);
    assert!(run.stdout.contains("set aside"), "{}", run.stdout);
    // The journal is gone, a copy without secrets kept.
    assert!(files_in(state_dir(&sb).join("journal")).is_empty());
    let copies = files_in(state_dir(&sb).join("obsolete"));
    assert_eq!(copies.len(), 1, "{copies:?}");
    assert_eq!(mode(&copies[0]), 0o600);
    let copy = std::fs::read_to_string(&copies[0]).unwrap();
    assert!(copy.contains(&old.id), "{copy}");
    for s in [&old.secret, &new_secret, &by_hand.secret] {
        assert!(!copy.contains(s.as_str()), "a secret in the copy");
    }
    // The user's key is left alone, in IAM and in the file.
    assert_eq!(key_ids(&sb, "alice"), vec![by_hand.id.clone()]);
    assert_eq!(file_pair(&sb), (by_hand.id.clone(), by_hand.secret.clone()));
    assert_eq!(count(&sb, "DeleteAccessKey"), 0);
    // And the next rotation is an ordinary one.
    sb.keyturn().args(["recover"]).run().expect_code(5);
    sb.keyturn().args(["rotate"]).run().expect_code(0);
    let (id, secret) = file_pair(&sb);
    assert_eq!(key_ids(&sb, "alice"), vec![id.clone()]);
    assert!(sb.works(&id, &secret));
}

#[test]
fn rotate_goes_on_past_a_journal_whose_keys_the_user_replaced() {
    let sb = Sandbox::new();
    let old = one_user(&sb);
    let (by_hand, _) = journal_made_obsolete(&sb, &old);
    let run = sb.keyturn().args(["rotate"]).run();
    run.expect_code(0);
    assert!(run.stderr.contains("no longer applies"), "{}", run.stderr);
    let (id, secret) = file_pair(&sb);
    assert_ne!(id, by_hand.id);
    assert_eq!(key_ids(&sb, "alice"), vec![id.clone()]);
    assert!(sb.works(&id, &secret));
    assert!(files_in(state_dir(&sb).join("journal")).is_empty());
}

#[test]
fn recover_says_what_retiring_the_old_key_waits_for() {
    let sb = Sandbox::new();
    one_user(&sb);
    crash_at(&sb, "after-confirm");
    // IAM keeps rejecting the retirement (as it does while a key
    // propagates; the SDK does not retry this itself, so keyturn's own
    // wait starts at the first answer): recover waits, and says why.
    sb.proxy(
        "POST",
        "rules",
        r#"[{"action": "DeleteAccessKey", "fault": "invalid_token"}]"#,
    );
    let run = sb.keyturn().args(["recover", "--timeout", "3s"]).run();
    run.expect_code(1);
    assert!(
        run.stderr.contains("retrying after: InvalidClientTokenId"),
        "{}",
        run.stderr
    );
    assert_eq!(files_in(state_dir(&sb).join("journal")).len(), 1);
}

// ---------------------------------------------------------------------------
// 7. A journal is checked against IAM before it acts.

#[test]
fn recover_never_deletes_another_users_key_an_edited_journal_names() {
    let sb = Sandbox::new();
    let old = one_user(&sb);
    let bob = sb.user("bob");
    crash_at(&sb, "after-journal-started");
    // Someone edits the journal to aim the rollback at bob's key.
    let (path, mut j) = the_journal(&sb);
    let arn = j["user_arn"]
        .as_str()
        .unwrap()
        .replace("user/alice", "user/bob");
    let edits = json!({"state": "rolling_back", "user_name": "bob", "user_arn": arn,
        "new_key_id": bob.id, "new_secret": bob.secret});
    for (k, v) in edits.as_object().unwrap() {
        j[k] = v.clone();
    }
    write_private(&path, &serde_json::to_string_pretty(&j).unwrap());
    let run = sb.keyturn().args(["recover"]).run();
    run.expect_code(1);
    assert!(run.stderr.contains("belongs to"), "{}", run.stderr);
    assert_eq!(key_ids(&sb, "bob"), vec![bob.id.clone()]);
    assert_eq!(key_ids(&sb, "alice"), vec![old.id.clone()]);
    assert_eq!(count(&sb, "DeleteAccessKey"), 0);
    assert_eq!(count(&sb, "UpdateAccessKey"), 0);
    assert!(sb.works(&bob.id, &bob.secret));
}
