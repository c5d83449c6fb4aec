//! `--retire drain` end to end, against moto with IAM auth on through the
//! fault proxy. No assertion depends on the wall clock: the drain's grace
//! is counted on the test clock `KEYTURN_TEST_NOW` (Unix seconds; honoured
//! by debug builds only, see `src/drain.rs`), set from the drain record's
//! own `written_at` and IAM's recorded last use, which moto stamps with
//! the real clock. The one wait is for an event: the real clock's second
//! passing the record's, so that a straggler's use is recorded after the
//! write.

use crate::common::{write_private, Key, Run, Sandbox};
use serde_json::Value;
use std::path::PathBuf;

const HOUR: u64 = 3600;

fn pair(k: &Key) -> String {
    format!(
        "aws_access_key_id = {}\naws_secret_access_key = {}\n",
        k.id, k.secret
    )
}

fn drain_dir(sb: &Sandbox) -> PathBuf {
    sb.home.join(".aws/.keyturn/drain")
}

/// The drain record of `old`, if pending.
fn record(sb: &Sandbox, old: &str) -> Option<Value> {
    let text = std::fs::read_to_string(drain_dir(sb).join(format!("{old}.drain"))).ok()?;
    Some(serde_json::from_str(&text).unwrap())
}

fn written_at(sb: &Sandbox, old: &str) -> u64 {
    record(sb, old).expect("a drain record")["written_at"]
        .as_u64()
        .unwrap()
}

fn status_of(sb: &Sandbox, user: &str, key: &str) -> Option<String> {
    sb.keys_of(user)
        .into_iter()
        .find(|(id, _)| id == key)
        .map(|(_, s)| s)
}

/// `keyturn recover` (which advances every pending drain) at test time `now`.
fn recover_at(sb: &Sandbox, now: u64) -> Run {
    sb.keyturn()
        .args(["recover"])
        .env("KEYTURN_TEST_NOW", now.to_string())
        .run()
}

/// A user `name` whose key the profile `default` holds, rotated with
/// `--retire drain` and `extra` flags: (old key, new key id).
fn drained(sb: &Sandbox, name: &str, extra: &[&str]) -> (Key, String) {
    let k = sb.user(name);
    write_private(&sb.credentials(), &format!("[default]\n{}", pair(&k)));
    let run = sb
        .keyturn()
        .args(["rotate", "--retire", "drain"])
        .args(extra)
        .run();
    run.expect_code(0);
    run.assert_no_secret(&[&k.secret]);
    assert!(
        run.stdout.contains("kept Active while it drains"),
        "{run:?}"
    );
    let keys = sb.keys_of(name);
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(keys.iter().all(|(_, s)| s == "Active"), "{keys:?}");
    let new = keys.into_iter().find(|(id, _)| *id != k.id).unwrap().0;
    (k, new)
}

/// Waits for the event "the real clock is past `t`", so a request made
/// now is recorded by IAM (moto) strictly after `t`.
fn real_clock_past(t: u64) {
    crate::common::wait_until(30, "the clock to pass the drain's write", || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            > t
    });
}

#[test]
fn unused_for_the_grace_is_deactivated_then_deleted_one_grace_later() {
    let sb = Sandbox::new();
    let (old, new) = drained(&sb, "dora", &["--drain-grace", "1h"]);
    let w = written_at(&sb, &old.id);
    // Within the grace counted from the write: kept, and said so.
    let run = recover_at(&sb, w + HOUR - 1);
    run.expect_code(0);
    assert!(run.stdout.contains("stays Active until"), "{run:?}");
    assert_eq!(status_of(&sb, "dora", &old.id).as_deref(), Some("Active"));
    // The grace over, unused: deactivated.
    let run = recover_at(&sb, w + HOUR);
    assert!(run.stdout.contains("deactivated old key"), "{run:?}");
    assert_eq!(status_of(&sb, "dora", &old.id).as_deref(), Some("Inactive"));
    // Inactive, one grace not yet over: kept.
    let run = recover_at(&sb, w + 2 * HOUR - 1);
    assert!(run.stdout.contains("is Inactive; deleted after"), "{run:?}");
    assert_eq!(status_of(&sb, "dora", &old.id).as_deref(), Some("Inactive"));
    // One grace later, still unused: deleted, the drain over.
    let run = recover_at(&sb, w + 2 * HOUR);
    assert!(run.stdout.contains("deleted old key"), "{run:?}");
    assert_eq!(sb.keys_of("dora"), vec![(new, "Active".to_string())]);
    assert!(record(&sb, &old.id).is_none());
}

#[test]
fn a_use_after_the_write_keeps_the_key_past_the_grace_and_names_the_caller() {
    let sb = Sandbox::new();
    let (old, _) = drained(&sb, "ugo", &["--drain-grace", "1h"]);
    let w = written_at(&sb, &old.id);
    real_clock_past(w);
    sb.use_key(&old, "eu-west-1");
    let used = sb.last_used("ugo", &old.id);
    let l = used["date"].as_u64().unwrap();
    assert!(l > w, "the use must be recorded after the write: {used}");
    // Past the grace counted from the write, within it from the use.
    let run = recover_at(&sb, w + HOUR);
    run.expect_code(0);
    assert!(run.stdout.contains("stays Active until"), "{run:?}");
    assert!(
        run.stdout.contains("sts") && run.stdout.contains("eu-west-1"),
        "the straggler's service and region: {run:?}"
    );
    assert_eq!(status_of(&sb, "ugo", &old.id).as_deref(), Some("Active"));
    // Unused for a grace since that use: deactivated.
    let run = recover_at(&sb, l + HOUR);
    assert!(run.stdout.contains("deactivated old key"), "{run:?}");
    assert_eq!(status_of(&sb, "ugo", &old.id).as_deref(), Some("Inactive"));
}

#[test]
fn drain_max_keeps_a_straggler_unless_forced() {
    let sb = Sandbox::new();
    let (old, _) = drained(&sb, "max", &["--drain-grace", "1h", "--drain-max", "1h"]);
    let w = written_at(&sb, &old.id);
    real_clock_past(w);
    sb.use_key(&old, "ap-northeast-1");
    // drain_max over, the key used within the grace: kept and reported.
    let run = recover_at(&sb, w + HOUR);
    run.expect_code(0);
    assert!(
        run.stdout.contains("still in use past drain_max"),
        "{run:?}"
    );
    assert!(run.stdout.contains("ap-northeast-1"), "{run:?}");
    assert_eq!(status_of(&sb, "max", &old.id).as_deref(), Some("Active"));
    // JSON carries it too.
    let run = sb
        .keyturn()
        .args(["--output", "json", "recover"])
        .env("KEYTURN_TEST_NOW", (w + HOUR).to_string())
        .run();
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let d = &v[0]["drain"];
    assert_eq!(v[0]["status"], "drain", "{v}");
    assert_eq!(d["action"], "straggler", "{v}");
    assert_eq!(d["last_used"]["region"], "ap-northeast-1", "{v}");
    assert_eq!(status_of(&sb, "max", &old.id).as_deref(), Some("Active"));
    // --force-drain: deactivated anyway.
    let run = sb
        .keyturn()
        .args(["rotate", "--resume", "--force-drain"])
        .env("KEYTURN_TEST_NOW", (w + HOUR).to_string())
        .run();
    assert!(run.stdout.contains("although still in use"), "{run:?}");
    assert_eq!(status_of(&sb, "max", &old.id).as_deref(), Some("Inactive"));
}

/// Killed at each step of a drain (SIGABRT at a failpoint, as a kill -9
/// would), the next run finishes it.
#[test]
fn a_kill_at_each_drain_step_is_finished_by_the_next_run() {
    let sb = Sandbox::new();
    // In the rotation: the record written, the journal not yet removed.
    let k = sb.user("kim");
    write_private(&sb.credentials(), &format!("[default]\n{}", pair(&k)));
    let run = sb
        .keyturn()
        .args(["rotate", "--retire", "drain", "--drain-grace", "1h"])
        .env("KEYTURN_FAILPOINT", "after-drain-record")
        .run();
    assert_eq!(run.code, None, "killed at after-drain-record: {run:?}");
    let w = written_at(&sb, &k.id);
    let run = recover_at(&sb, w + 60);
    run.expect_code(0);
    assert_eq!(written_at(&sb, &k.id), w, "a rerun keeps the drain's start");
    assert!(!sb
        .home
        .join(".aws/.keyturn/journal")
        .read_dir()
        .is_ok_and(|mut d| d.next().is_some()));
    assert_eq!(status_of(&sb, "kim", &k.id).as_deref(), Some("Active"));
    // UpdateAccessKey done, the record not yet updated.
    let run = sb
        .keyturn()
        .args(["recover"])
        .env("KEYTURN_TEST_NOW", (w + HOUR).to_string())
        .env("KEYTURN_FAILPOINT", "after-drain-deactivate")
        .run();
    assert_eq!(run.code, None, "killed at after-drain-deactivate: {run:?}");
    assert_eq!(status_of(&sb, "kim", &k.id).as_deref(), Some("Inactive"));
    assert_eq!(record(&sb, &k.id).unwrap()["phase"], "active");
    // The next run adopts the deactivation, counting its grace from then.
    let run = recover_at(&sb, w + HOUR + 10);
    assert!(run.stdout.contains("is Inactive; deleted after"), "{run:?}");
    assert_eq!(record(&sb, &k.id).unwrap()["phase"], "inactive");
    // DeleteAccessKey done, the record not yet removed.
    let run = sb
        .keyturn()
        .args(["recover"])
        .env("KEYTURN_TEST_NOW", (w + 3 * HOUR).to_string())
        .env("KEYTURN_FAILPOINT", "after-drain-delete")
        .run();
    assert_eq!(run.code, None, "killed at after-drain-delete: {run:?}");
    assert_eq!(status_of(&sb, "kim", &k.id), None);
    assert!(record(&sb, &k.id).is_some());
    let run = recover_at(&sb, w + 3 * HOUR);
    run.expect_code(0);
    assert!(run.stdout.contains("the drain is over"), "{run:?}");
    assert!(record(&sb, &k.id).is_none());
    assert_eq!(sb.keys_of("kim").len(), 1);
}

#[test]
fn a_pending_drain_does_not_block_rotating_another_profile() {
    let sb = Sandbox::new();
    let a = sb.user("ann");
    let b = sb.user("bob");
    write_private(
        &sb.credentials(),
        &format!("[a]\n{}\n[b]\n{}", pair(&a), pair(&b)),
    );
    sb.keyturn()
        .args(["rotate", "a", "--retire", "drain"])
        .run()
        .expect_code(0);
    assert!(record(&sb, &a.id).is_some());
    let run = sb.keyturn().args(["rotate", "b"]).run();
    run.expect_code(0);
    assert!(run.stdout.contains("rotated b"), "{run:?}");
    assert!(
        run.stdout.contains("drain a"),
        "the drain is reported: {run:?}"
    );
    assert_eq!(sb.keys_of("bob").len(), 1);
    assert_eq!(status_of(&sb, "ann", &a.id).as_deref(), Some("Active"));
    // JSON: the profiles' items, then the drains', each `profile` and
    // `status` first.
    let run = sb.keyturn().args(["--output", "json", "rotate", "b"]).run();
    run.expect_code(0);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v[0]["status"], "rotated", "{v:#}");
    assert_eq!(
        (v[1]["profile"].as_str(), v[1]["status"].as_str()),
        (Some("a"), Some("drain"))
    );
    assert_eq!(v[1]["drain"]["action"], "waiting", "{v:#}");
    let first_keys: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("    \"") && !l.starts_with("     "))
        .map(|l| l.trim().split('"').nth(1).unwrap())
        .collect();
    assert_eq!(first_keys[..2], ["profile", "status"], "{}", run.stdout);
}

/// `status` and `audit` show a profile's pending drain (text and JSON).
#[test]
fn status_and_audit_show_a_pending_drain() {
    let sb = Sandbox::new();
    let a = sb.user("ann");
    let admin = sb.admin.clone();
    write_private(
        &sb.credentials(),
        &format!("[default]\n{}\n[a]\n{}", pair(&admin), pair(&a)),
    );
    sb.keyturn()
        .args(["rotate", "a", "--retire", "drain"])
        .run()
        .expect_code(0);
    // A later run reads the old key's last use into the record.
    sb.keyturn().args(["recover"]).run().expect_code(0);
    let run = sb.keyturn().args(["status", "a"]).run();
    assert!(run.stdout.contains("draining old key"), "{run:?}");
    assert!(run.stdout.contains("kept Active since"), "{run:?}");
    assert!(!run.stdout.contains(&a.id), "key ids masked: {run:?}");
    let run = sb.keyturn().args(["--output", "json", "status", "a"]).run();
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let line = v
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["profile"] == "a")
        .unwrap();
    assert_eq!(line["drain"]["old_key_id"], a.id.as_str(), "{v:#}");
    assert_eq!(line["drain"]["phase"], "active", "{v:#}");
    assert_eq!(line["drain"]["last_used"]["service"], "iam", "{v:#}");
    // audit: the user's two Active keys, one of them draining.
    let run = sb.keyturn().args(["audit", "--output", "json"]).run();
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let two = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "two-active-keys" && f["user"] == "ann")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(two["drain"]["phase"], "active", "{v:#}");
    assert_eq!(two["drain"]["profile"], "a", "{v:#}");
    let run = sb.keyturn().args(["audit"]).run();
    assert!(run.stdout.contains("Keys keyturn is draining"), "{run:?}");
}

/// A user with a `[[users]]` entry is fixed in admin mode: its findings
/// suggest `keyturn rotate --user NAME`, not the profile form.
#[test]
fn audit_suggests_the_user_form_for_managed_users() {
    let sb = Sandbox::new();
    sb.user_with_keys("deployer", 2);
    let erin = sb.user("erin");
    let admin = sb.admin.clone();
    write_private(
        &sb.credentials(),
        &format!("[default]\n{}\n[erin]\n{}", pair(&admin), pair(&erin)),
    );
    let dir = sb.home.join(".config/keyturn");
    std::fs::create_dir_all(&dir).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        for d in [sb.home.join(".config"), dir.clone()] {
            std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
    }
    write_private(&dir.join("config.toml"), "[[users]]\nname = \"deployer\"\n");
    let run = sb.keyturn().args(["audit", "--output", "json"]).run();
    run.expect_code(4);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let fix = |rule: &str, user: &str| -> Vec<String> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule && f["user"] == user)
            .map(|f| f["fix"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(
        fix("two-active-keys", "deployer"),
        ["keyturn rotate --user deployer --delete-other-active"]
    );
    assert_eq!(
        fix("key-never-used", "deployer"),
        [
            "keyturn rotate --user deployer",
            "keyturn rotate --user deployer"
        ]
    );
    // A profile's key keeps the profile form.
    assert_eq!(fix("key-never-used", "erin"), ["keyturn rotate erin"]);
    let run = sb.keyturn().args(["audit"]).run();
    assert!(
        run.stdout.contains("keyturn rotate --user deployer"),
        "{run:?}"
    );
}
