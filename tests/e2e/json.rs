//! End-to-end: every command's `--output json` from the real binary
//! against moto (IAM auth enforced) through the fault proxy. Each document
//! must parse and hold exactly the fields the README's "JSON output"
//! section documents, and nothing but the JSON may reach stdout.

use crate::common::*;
use serde_json::Value;
use std::collections::BTreeSet;

fn pair(k: &Key) -> String {
    format!(
        "aws_access_key_id = {}\naws_secret_access_key = {}\n",
        k.id, k.secret
    )
}

#[track_caller]
fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}):\n{}\n--- stderr\n{}",
            run.stdout, run.stderr
        )
    })
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[track_caller]
fn item<'a>(items: &'a Value, profile: &str) -> &'a Value {
    items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["profile"] == profile)
        .unwrap_or_else(|| panic!("no item for {profile}: {items}"))
}

const ROTATED: &[&str] = &[
    "profile",
    "status",
    "user_arn",
    "old_key_id",
    "new_key_id",
    "retired",
    "resumed",
    "updated",
    "backups",
    "destinations",
];
const PLACE: &[&str] = &["file", "section", "profile"];
const REASON: &[&str] = &["code", "message"];

#[test]
fn rotate_json_has_the_documented_fields() {
    let sb = Sandbox::new();
    let ann = sb.user("ann");
    std::fs::write(
        sb.credentials(),
        format!("[dev]\n{}\n[copy]\n{}", pair(&ann), pair(&ann)),
    )
    .unwrap();

    // A plan.
    let run = sb
        .keyturn()
        .args(["rotate", "dev", "--dry-run", "--output", "json"])
        .run();
    run.expect_code(0);
    let v = json(&run);
    let plan = item(&v, "dev");
    assert_eq!(plan["status"], "planned");
    assert_eq!(
        keys(plan),
        set(&[
            "profile",
            "status",
            "user_arn",
            "old_key_id",
            "would_delete",
            "retire",
            "updated",
            "destinations"
        ])
    );

    // A rotation, a profile sharing its key, and a refusal: exit 3.
    let run = sb
        .keyturn()
        .args(["rotate", "dev", "copy", "nope", "--output", "json"])
        .run();
    run.expect_code(3);
    run.assert_no_secret(&[&ann.secret]);
    let v = json(&run);
    assert_eq!(v.as_array().unwrap().len(), 3, "{v}");
    let dev = item(&v, "dev");
    assert_eq!(dev["status"], "rotated");
    assert_eq!(keys(dev), set(ROTATED));
    assert_eq!(dev["old_key_id"], ann.id.as_str());
    assert_eq!(dev["retired"], "delete");
    assert_eq!(dev["resumed"], false);
    for place in dev["updated"].as_array().unwrap() {
        assert_eq!(keys(place), set(PLACE));
        assert_eq!(place["file"], "credentials");
    }
    assert!(dev["backups"].as_array().unwrap()[0].is_string());
    let copy = item(&v, "copy");
    assert_eq!(keys(copy), set(&["profile", "status", "shared_with"]));
    assert_eq!(copy["status"], "rotated");
    assert_eq!(copy["shared_with"], "dev");
    let nope = item(&v, "nope");
    assert_eq!(keys(nope), set(&["profile", "status", "error"]));
    assert_eq!(nope["status"], "refused");
    assert_eq!(keys(&nope["error"]), set(REASON));

    // Fresh: nothing to do, exit 5.
    let run = sb
        .keyturn()
        .args(["rotate", "dev", "--max-age", "30d", "--output", "json"])
        .run();
    run.expect_code(5);
    let v = json(&run);
    let dev = item(&v, "dev");
    assert_eq!(dev["status"], "fresh");
    assert_eq!(keys(dev), set(&["profile", "status", "key_id", "age_days"]));
    assert_eq!(dev["age_days"], 0);
}

#[test]
fn recover_json_has_the_documented_fields() {
    let sb = Sandbox::new();
    let rex = sb.user("rex");
    std::fs::write(sb.credentials(), format!("[work]\n{}", pair(&rex))).unwrap();
    let run = sb
        .keyturn()
        .args(["rotate", "work"])
        .env("KEYTURN_FAILPOINT", "after-journal-created")
        .run();
    assert_eq!(run.code, None, "keyturn should have died: {run:?}");

    let run = sb.keyturn().args(["recover", "--output", "json"]).run();
    run.expect_code(0);
    run.assert_no_secret(&[&rex.secret]);
    let v = json(&run);
    let work = item(&v, "work");
    assert_eq!(work["status"], "completed");
    assert_eq!(
        keys(work),
        set(&["profile", "status", "new_key_id", "old_key_id"])
    );
    assert_eq!(work["old_key_id"], rex.id.as_str());

    // Nothing left: an empty list, exit 5.
    let run = sb.keyturn().args(["recover", "--output", "json"]).run();
    run.expect_code(5);
    assert_eq!(json(&run), serde_json::json!([]));
}

const STATUS_LINE: &[&str] = &[
    "profile",
    "key_id",
    "file",
    "section",
    "shared_with",
    "user_arn",
    "user",
    "created",
    "age_days",
    "status",
    "last_used",
    "stale",
    "inactive_keys",
    "other_active_keys",
    "interrupted",
    "error",
    "rotatable",
    "reason",
    "store",
];

#[test]
fn status_json_has_the_documented_fields() {
    let sb = Sandbox::new();
    let sue = sb.user("sue");
    std::fs::write(sb.credentials(), format!("[dev]\n{}", pair(&sue))).unwrap();
    std::fs::write(
        sb.config(),
        "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = dev\n",
    )
    .unwrap();
    for offline in [false, true] {
        let mut args = vec!["status", "--output", "json"];
        if offline {
            args.push("--offline");
        }
        let run = sb.keyturn().args(&args).run();
        run.expect_code(0);
        let v = json(&run);
        let dev = item(&v, "dev");
        assert_eq!(keys(dev), set(STATUS_LINE), "offline={offline}");
        assert_eq!(dev["key_id"], sue.id.as_str());
        assert_eq!(dev["rotatable"], true);
        assert_eq!(dev["store"], "files");
        let role = item(&v, "role");
        assert_eq!(keys(role), set(STATUS_LINE));
        assert_eq!(role["rotatable"], false);
        assert_eq!(keys(&role["reason"]), set(REASON));
        if !offline {
            assert_eq!(dev["status"], "Active");
            assert_eq!(dev["stale"], false);
            assert_eq!(keys(&dev["last_used"]), set(&["date", "service", "region"]));
        } else {
            assert!(dev["stale"].is_null(), "{dev}");
        }
    }
}

#[test]
fn audit_json_has_the_documented_fields() {
    let sb = Sandbox::new();
    let ann = sb.user("ann");
    std::fs::write(sb.credentials(), format!("[dev]\n{}", pair(&ann))).unwrap();
    let run = sb
        .keyturn()
        .args([
            "audit",
            "--profile",
            "dev",
            "--max-age",
            "0d",
            "--output",
            "json",
        ])
        .run();
    // The admin and ann: keys at least 0 days old are findings.
    run.expect_code(4);
    let v = json(&run);
    assert_eq!(
        keys(&v),
        set(&[
            "generated_at",
            "max_age_seconds",
            "unused_seconds",
            "summary",
            "accounts",
            "findings"
        ])
    );
    assert_eq!(
        keys(&v["summary"]),
        set(&[
            "findings",
            "critical",
            "high",
            "medium",
            "low",
            "accounts",
            "failed_accounts"
        ])
    );
    let account = &v["accounts"][0];
    assert_eq!(account["status"], "audited");
    assert_eq!(
        keys(account),
        set(&[
            "account",
            "name",
            "via",
            "status",
            "source",
            "report_generated_at",
            "users",
            "keys",
            "notes"
        ])
    );
    let findings = v["findings"].as_array().unwrap();
    assert!(!findings.is_empty(), "{v}");
    for f in findings {
        assert_eq!(
            keys(f),
            set(&[
                "severity",
                "rule",
                "standards",
                "account",
                "account_name",
                "user",
                "user_arn",
                "key_id",
                "key_slot",
                "keys",
                "key_created",
                "key_age_days",
                "last_used",
                "last_used_service",
                "message",
                "local",
                "fix"
            ])
        );
    }
    let mine = findings
        .iter()
        .find(|f| f["key_id"] == ann.id.as_str() && f["rule"] == "key-not-rotated")
        .unwrap_or_else(|| panic!("no key-not-rotated for ann: {v}"));
    let local = mine["local"].as_array().unwrap();
    assert_eq!(keys(&local[0]), set(&["profile", "place"]));
    assert_eq!(local[0]["profile"], "dev");
}

#[test]
fn schedule_show_json_is_a_list() {
    let sb = Sandbox::new();
    let run = sb
        .keyturn()
        .args([
            "schedule",
            "show",
            "--backend",
            "systemd",
            "--output",
            "json",
        ])
        .run();
    run.expect_code(5);
    assert_eq!(json(&run), serde_json::json!([]));
}
