//! End-to-end: `keyturn audit`, the real binary against moto (IAM, STS and
//! Organizations, authentication enforced) through the fault proxy.
//!
//! moto cannot backdate a key, so the age rules are exercised here with
//! `--max-age 0d` / `--unused 0d` (every active key qualifies, whatever the
//! clock), and on recorded credential reports in `src/audit.rs`'s unit
//! tests (root keys, 500-day-old keys). No assertion depends on timing.

use crate::common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Command;

/// Runs `tests/support/awsctl.py` signed by the sandbox's admin.
fn ctl(sb: &Sandbox, cmd: &str, args: &[&str]) -> Value {
    let out = Command::new(python())
        .arg(repo().join("tests/support/awsctl.py"))
        .arg(cmd)
        .args(["--endpoint", &sb.moto_url()])
        .args([
            "--admin-id",
            &sb.admin.id,
            "--admin-secret",
            &sb.admin.secret,
        ])
        .args(args)
        .output()
        .expect("run awsctl.py");
    assert!(
        out.status.success(),
        "awsctl.py {cmd} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("awsctl.py {cmd}: {e}"))
}

fn profile(name: &str, k: &Key) -> String {
    format!(
        "[{name}]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        k.id, k.secret
    )
}

fn key(v: &Value) -> Key {
    Key {
        id: v["id"].as_str().unwrap().into(),
        secret: v["secret"].as_str().unwrap().into(),
    }
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr))
}

/// (rule, user, key id or "") of every finding.
fn findings(v: &Value) -> BTreeSet<(String, String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["user"].as_str().unwrap().to_string(),
                f["key_id"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn set(items: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    items
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

fn finding<'a>(v: &'a Value, rule: &str, user: &str) -> &'a Value {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule && f["user"] == user)
        .unwrap_or_else(|| panic!("no {rule} finding for {user} in {v:#}"))
}

/// Users for one account: alice's key used, bob's two keys never used,
/// carol's only key inactive, dave without keys, erin's key never used.
struct Team {
    alice: Key,
    bob: Vec<Key>,
    carol: Key,
    erin: Key,
}

fn team(sb: &Sandbox) -> Team {
    let alice = sb.user("alice");
    assert!(sb.works(&alice.id, &alice.secret));
    let bob = sb.user_with_keys("bob", 2);
    let carol = sb.user("carol");
    sb.set_status("carol", &carol.id, "Inactive");
    sb.user_with_keys("dave", 0);
    let erin = sb.user("erin");
    Team {
        alice,
        bob,
        carol,
        erin,
    }
}

#[test]
fn audit_account_rules_outputs_local_fixes_and_exit_codes() {
    let sb = Sandbox::new();
    let t = team(&sb);
    let admin = sb.admin.clone();
    write_private(
        &sb.credentials(),
        &format!(
            "{}{}{}",
            profile("default", &admin),
            profile("alice", &t.alice),
            profile("erin", &t.erin)
        ),
    );
    let secrets = [
        admin.secret.as_str(),
        t.alice.secret.as_str(),
        t.erin.secret.as_str(),
        t.bob[0].secret.as_str(),
        t.carol.secret.as_str(),
    ];

    // Default thresholds: nothing is old, so the findings are about use
    // and count, from the credential report.
    let run = sb.keyturn().args(["audit", "--output", "json"]).run();
    run.expect_code(4);
    run.assert_no_secret(&secrets);
    let v = json(&run);
    assert_eq!(
        findings(&v),
        set(&[
            ("two-active-keys", "bob", ""),
            ("key-never-used", "bob", &t.bob[0].id),
            ("key-never-used", "bob", &t.bob[1].id),
            ("key-never-used", "erin", &t.erin.id),
        ])
    );
    let acct = &v["accounts"][0];
    assert_eq!(acct["status"], "audited", "{v:#}");
    assert_eq!(acct["source"], "credential_report");
    assert_eq!(acct["account"], "123456789012");
    assert_eq!(acct["via"], "profile default");
    // keyturn-admin, alice, bob, carol, dave, erin; carol's inactive key
    // counts as a key checked, never as a finding.
    assert_eq!(acct["users"], 6);
    assert_eq!(acct["keys"], 6);
    // Sorted by severity: the medium user-level finding first.
    assert_eq!(v["findings"][0]["rule"], "two-active-keys");
    assert_eq!(v["findings"][0]["standards"][0], "CIS 1.13");
    let two: BTreeSet<&str> = v["findings"][0]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(
        two,
        BTreeSet::from([t.bob[0].id.as_str(), t.bob[1].id.as_str()])
    );
    let e = finding(&v, "key-never-used", "erin");
    assert_eq!(e["local"][0]["profile"], "erin");
    assert_eq!(e["fix"], "keyturn rotate erin");
    assert_eq!(e["severity"], "low");
    assert!(finding(&v, "key-never-used", "bob")["fix"].is_null());
    // The report was polled: moto answers STARTED first, then COMPLETE.
    // Every audit request was signed with the profile's own key, for
    // IAM's region.
    let log = sb.proxy_log();
    let generate = log
        .iter()
        .filter(|e| e["action"] == "GenerateCredentialReport")
        .count();
    assert!(generate >= 2, "{log:?}");
    assert!(
        log.iter().all(|e| e["key_id"] == admin.id.as_str()),
        "{log:?}"
    );
    assert!(log.iter().all(|e| e["region"] == "us-east-1"), "{log:?}");
    // Key ids came from ListAccessKeys for bob and erin only (the users
    // with findings), not for every user.
    let listed = log
        .iter()
        .filter(|e| e["action"] == "ListAccessKeys")
        .count();
    assert_eq!(listed, 2, "{log:?}");

    // --max-age 0d: every active key is "old"; carol's inactive one never.
    let run = sb
        .keyturn()
        .args(["audit", "--max-age", "0d", "--output", "json"])
        .run();
    run.expect_code(4);
    let v = json(&run);
    let stale: BTreeSet<(String, String, String)> = findings(&v)
        .into_iter()
        .filter(|f| f.0 == "key-not-rotated")
        .collect();
    assert_eq!(
        stale,
        set(&[
            ("key-not-rotated", "keyturn-admin", &admin.id),
            ("key-not-rotated", "alice", &t.alice.id),
            ("key-not-rotated", "bob", &t.bob[0].id),
            ("key-not-rotated", "bob", &t.bob[1].id),
            ("key-not-rotated", "erin", &t.erin.id),
        ])
    );
    let a = finding(&v, "key-not-rotated", "alice");
    assert_eq!(a["severity"], "high");
    assert_eq!(
        a["standards"],
        serde_json::json!([
            "Security Hub IAM.3",
            "CIS 1.14",
            "Config access-keys-rotated"
        ])
    );
    assert_eq!(a["fix"], "keyturn rotate alice");
    assert_eq!(
        finding(&v, "key-not-rotated", "keyturn-admin")["fix"],
        "keyturn rotate default"
    );
    // High findings sort before medium and low ones.
    assert_eq!(v["findings"][0]["severity"], "high");

    // --unused 0d: every active key is unused, used or not; none is
    // "never used" any more (it is unused since its creation).
    let run = sb
        .keyturn()
        .args(["audit", "--unused", "0d", "--output", "json"])
        .run();
    run.expect_code(4);
    let v = json(&run);
    let rules: BTreeSet<String> = findings(&v).into_iter().map(|f| f.0).collect();
    assert_eq!(
        rules,
        BTreeSet::from(["key-unused".to_string(), "two-active-keys".to_string()])
    );
    assert_eq!(
        findings(&v).iter().filter(|f| f.0 == "key-unused").count(),
        5
    );

    // The table: masked ids, the rules' standards, the fix.
    let run = sb.keyturn().args(["audit"]).run();
    run.expect_code(4);
    run.assert_no_secret(&secrets);
    assert!(run.stdout.starts_with("SEVERITY  RULE"), "{}", run.stdout);
    assert!(
        !run.stdout.contains(&t.erin.id),
        "ids are masked: {}",
        run.stdout
    );
    // moto's users have no console password: CIS 1.11 does not apply.
    assert!(
        run.stdout
            .contains("key-never-used   active key never used\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("  keyturn rotate erin  # key-never-used"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .ends_with("\n4 findings (1 medium, 3 low) in 1 account (6 users, 6 keys checked)\n"),
        "{}",
        run.stdout
    );

    // The same table in Japanese: translated headers, severities, legend,
    // fix heading and summary, columns aligned by display width; rule ids,
    // standards, flags and commands verbatim; the same exit code.
    let run = japanese(&sb).args(["audit"]).run();
    run.expect_code(4);
    run.assert_no_secret(&secrets);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines[0].starts_with("重大度  ルール           アカウント    ユーザー"),
        "{}",
        run.stdout
    );
    // `中` is two columns wide: padded to the six of `重大度`.
    assert!(
        lines[1].starts_with("中      two-active-keys  123456789012"),
        "{}",
        run.stdout
    );
    for want in [
        "\nルール:\n",
        "key-never-used   一度も使われていないアクティブなアクセスキー\n",
        "two-active-keys  アクティブなアクセスキーを 2 つ持つユーザー: CIS 1.13",
        "\nローカルのアクセスキーは次のコマンドで修正できます:\n",
        "  keyturn rotate erin  # key-never-used",
    ] {
        assert!(run.stdout.contains(want), "{want:?} in {}", run.stdout);
    }
    assert!(
        run.stdout.ends_with(
            "\n1 アカウント（ユーザー 6 人、アクセスキー 6 個）を確認しました: 検出結果 4 件（中 1、低 3）\n"
        ),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("SEVERITY"), "{}", run.stdout);
    // Machine formats stay English whatever the language.
    let run = japanese(&sb).args(["audit", "--output", "json"]).run();
    run.expect_code(4);
    let v = json(&run);
    assert_eq!(v["findings"][0]["severity"], "medium");
    assert_eq!(v["findings"][0]["rule"], "two-active-keys");
    let run = japanese(&sb).args(["audit", "--output", "csv"]).run();
    run.expect_code(4);
    assert!(run.stdout.starts_with("severity,rule,standards,account"));

    // CSV: a header and one line per finding.
    let run = sb.keyturn().args(["audit", "--output", "csv"]).run();
    run.expect_code(4);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1 + 4, "{}", run.stdout);
    assert!(lines[0].starts_with("severity,rule,standards,account"));
    assert!(lines
        .iter()
        .any(|l| l.contains(&t.erin.id) && l.contains("keyturn rotate erin")));

    // The fix works: rotating erin's profile leaves a key that was used
    // (keyturn verified it), so her finding is gone; bob's remain.
    sb.keyturn().args(["rotate", "erin"]).run().expect_code(0);
    let run = sb.keyturn().args(["audit", "--output", "json"]).run();
    run.expect_code(4);
    let v = json(&run);
    assert!(findings(&v).iter().all(|f| f.1 != "erin"), "{v:#}");
    assert_eq!(findings(&v).len(), 3);
}

#[test]
fn a_clean_account_exits_0_and_bad_arguments_exit_2() {
    let sb = Sandbox::new();
    let admin = sb.admin.clone();
    write_private(&sb.credentials(), &profile("default", &admin));
    let run = sb.keyturn().args(["audit"]).run();
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "0 findings in 1 account (1 user, 1 key checked)\n"
    );
    for bad in [
        &["audit", "--max-age", "soon"][..],
        &["audit", "--unused", "3w"],
        &["audit", "--concurrency", "0"],
        &["audit", "--org-role", " "],
    ] {
        let run = sb.keyturn().args(bad).run();
        run.expect_code(2);
    }
    // A profile that is not there is a failed account (exit 1), not a
    // crash, and the message says what to do.
    let run = sb.keyturn().args(["audit", "--profile", "nosuch"]).run();
    run.expect_code(1);
    assert!(
        run.stdout.contains("FAILED profile nosuch"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("profile `nosuch` is not in"),
        "{}",
        run.stdout
    );

    // In Japanese: the same exit codes, Japanese summary and failure line.
    let run = japanese(&sb).args(["audit"]).run();
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "1 アカウント（ユーザー 1 人、アクセスキー 1 個）を確認しました: 検出結果 0 件\n"
    );
    let run = japanese(&sb).args(["audit", "--concurrency", "0"]).run();
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("--concurrency と --account-concurrency は 1 以上にしてください"),
        "{}",
        run.stderr
    );
    let run = japanese(&sb).args(["audit", "--profile", "nosuch"]).run();
    run.expect_code(1);
    assert!(
        run.stdout.contains("監査失敗: profile nosuch"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("1 アカウントの監査に失敗しました（下記参照）"),
        "{}",
        run.stdout
    );
}

/// keyturn in a Japanese locale, whatever the test runner's.
fn japanese(sb: &Sandbox) -> Keyturn {
    sb.keyturn()
        .env("LC_ALL", "")
        .env("LC_MESSAGES", "")
        .env("LANG", "ja_JP.UTF-8")
}

#[test]
fn listing_fallback_matches_the_report_and_rides_out_throttling() {
    let sb = Sandbox::new();
    let t = team(&sb);
    // An auditor that may do everything except read the credential
    // report; its key is used once so both runs see the same account.
    let auditor = sb.user("auditor");
    ctl(
        &sb,
        "deny",
        &[
            "--name",
            "auditor",
            "--actions",
            "iam:GenerateCredentialReport,iam:GetCredentialReport",
        ],
    );
    assert!(sb.works(&auditor.id, &auditor.secret));
    write_private(
        &sb.credentials(),
        &format!(
            "{}{}",
            profile("default", &sb.admin),
            profile("auditor", &auditor)
        ),
    );

    let by_report = sb
        .keyturn()
        .args(["audit", "--max-age", "0d", "--output", "json"])
        .run();
    by_report.expect_code(4);
    let report = json(&by_report);
    assert_eq!(report["accounts"][0]["source"], "credential_report");

    // Throttle the listing calls more than the SDK's own retries absorb.
    sb.proxy(
        "POST",
        "rules",
        r#"[{"action": "ListUsers", "fault": "throttle", "times": 2},
            {"action": "ListAccessKeys", "fault": "throttle", "times": 5},
            {"action": "GetAccessKeyLastUsed", "fault": "throttle", "times": 4},
            {"action": "GetAccountSummary", "fault": "throttle", "times": 1}]"#,
    );
    let by_listing = sb
        .keyturn()
        .args([
            "audit",
            "--profile",
            "auditor",
            "--max-age",
            "0d",
            "--concurrency",
            "3",
            "--output",
            "json",
        ])
        .run();
    by_listing.expect_code(4);
    by_listing.assert_no_secret(&[&auditor.secret, &t.erin.secret]);
    let listing = json(&by_listing);
    let acct = &listing["accounts"][0];
    assert_eq!(acct["source"], "listing", "{listing:#}");
    assert!(
        acct["notes"][0]
            .as_str()
            .unwrap()
            .starts_with("the credential report is not permitted"),
        "{listing:#}"
    );
    // The same findings, key ids included, both ways.
    assert_eq!(findings(&listing), findings(&report));
    // carol's only key is inactive: never an age finding.
    assert!(findings(&listing).iter().all(|f| f.1 != "carol"));
    // Every throttle fired, and was waited out.
    let rules = sb.proxy("GET", "rules", "");
    for r in rules.as_array().unwrap() {
        assert_eq!(r["hits"], r["times"], "{rules:#}");
    }
    let throttled = sb
        .proxy_log()
        .iter()
        .filter(|e| e["fault"] == "throttle")
        .count();
    assert_eq!(throttled, 2 + 5 + 4 + 1);

    // --no-report lists even when the report is allowed.
    sb.proxy("POST", "reset", "");
    let run = sb
        .keyturn()
        .args([
            "audit",
            "--no-report",
            "--max-age",
            "0d",
            "--output",
            "json",
        ])
        .run();
    run.expect_code(4);
    let v = json(&run);
    assert_eq!(v["accounts"][0]["source"], "listing");
    assert_eq!(findings(&v), findings(&report));
    assert!(sb
        .proxy_log()
        .iter()
        .all(|e| e["action"] != "GenerateCredentialReport"));

    // Real ages at the default thresholds: the proxy makes ListAccessKeys
    // date keys back (moto cannot), and the listing judges what IAM says.
    sb.proxy(
        "POST",
        "config",
        &format!(
            r#"{{"backdate_days": {{"{}": 120, "{}": 50, "{}": 400}}}}"#,
            t.alice.id, t.bob[0].id, t.carol.id
        ),
    );
    let run = sb
        .keyturn()
        .args(["audit", "--no-report", "--output", "json"])
        .run();
    run.expect_code(4);
    let v = json(&run);
    assert_eq!(
        findings(&v),
        set(&[
            // 120 days old, used today: stale, not unused.
            ("key-not-rotated", "alice", &t.alice.id),
            // Never used in its 50 days: unused since creation.
            ("key-unused", "bob", &t.bob[0].id),
            ("key-never-used", "bob", &t.bob[1].id),
            ("two-active-keys", "bob", ""),
            ("key-never-used", "erin", &t.erin.id),
            // carol's 400-day-old key is inactive: nothing.
        ])
    );
    let a = finding(&v, "key-not-rotated", "alice");
    assert_eq!(a["key_age_days"], 120);
    assert_eq!(a["message"], "active key is 120d old (limit 90d)");
    assert_eq!(v["findings"][0]["rule"], "key-not-rotated");
}

#[test]
fn organization_and_several_profiles_are_audited_concurrently() {
    let sb = Sandbox::new();
    // The management account (moto's default one) holds the admin; m1 and
    // m2 let the organization role in, m3 does not.
    let spec = r#"{"accounts": [
        {"name": "m1", "grant": true, "users": [
            {"name": "m1-admin", "keys": 1},
            {"name": "fresh", "keys": 1},
            {"name": "twice", "keys": 2}]},
        {"name": "m2", "grant": true, "users": [{"name": "retired", "keys": 1, "inactive": 1}]},
        {"name": "m3", "grant": false, "users": [{"name": "hidden", "keys": 1}]}
    ]}"#;
    let org = ctl(&sb, "org", &["--spec", spec]);
    let id = |name: &str| -> String {
        org["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (m1, m2, m3) = (id("m1"), id("m2"), id("m3"));
    let m1_admin = key(&org["keys"]["m1/m1-admin"][0]);
    let fresh = key(&org["keys"]["m1/fresh"][0]);
    assert!(sb.works(&m1_admin.id, &m1_admin.secret));
    write_private(
        &sb.credentials(),
        &format!(
            "{}{}{}",
            profile("default", &sb.admin),
            profile("m1", &m1_admin),
            profile("fresh", &fresh)
        ),
    );

    // Several profiles: each account with its own key, concurrently; a
    // missing profile fails alone.
    let run = sb
        .keyturn()
        .args([
            "audit",
            "--profile",
            "default",
            "--profile",
            "m1",
            "--profile",
            "nosuch",
            "--output",
            "json",
        ])
        .run();
    run.expect_code(1);
    let v = json(&run);
    let accounts: Vec<(String, String, String)> = v["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["account"].as_str().unwrap().to_string(),
                a["via"].as_str().unwrap().to_string(),
                a["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut expected = vec![
        (
            "123456789012".to_string(),
            "profile default".to_string(),
            "audited".to_string(),
        ),
        (m1.clone(), "profile m1".into(), "audited".into()),
    ];
    expected.sort();
    expected.push((String::new(), "profile nosuch".into(), "failed".into()));
    assert_eq!(accounts, expected);
    let f = finding(&v, "key-never-used", "fresh");
    assert_eq!(f["account"], m1.as_str());
    assert_eq!(f["key_id"], fresh.id.as_str());
    assert_eq!(f["fix"], "keyturn rotate fresh");
    assert!(findings(&v).contains(&("two-active-keys".into(), "twice".into(), String::new())));

    // The organization: every account, through the role, one failing.
    let run = sb
        .keyturn()
        .args([
            "audit",
            "--org-role",
            "OrganizationAccountAccessRole",
            "--account-concurrency",
            "2",
            "--output",
            "json",
        ])
        .run();
    run.expect_code(1);
    let v = json(&run);
    let status = |account: &str| -> &Value {
        v["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["account"] == account)
            .unwrap_or_else(|| panic!("no account {account} in {v:#}"))
    };
    assert_eq!(status("123456789012")["status"], "audited");
    assert_eq!(status("123456789012")["via"], "profile default");
    assert_eq!(status("123456789012")["name"], "master");
    for m in [&m1, &m2] {
        assert_eq!(status(m)["status"], "audited", "{v:#}");
        assert_eq!(
            status(m)["via"],
            "role OrganizationAccountAccessRole via profile default"
        );
    }
    assert_eq!(status(&m1)["name"], "m1");
    assert_eq!(status(&m3)["status"], "failed");
    assert!(
        status(&m3)["error"]
            .as_str()
            .unwrap()
            .contains("AccessDenied"),
        "{v:#}"
    );
    assert_eq!(v["summary"]["failed_accounts"], 1);
    // m1's findings are there, signed with role credentials; m2's only
    // key is inactive: no finding.
    let f = finding(&v, "key-never-used", "fresh");
    assert_eq!(f["account"], m1.as_str());
    assert_eq!(f["account_name"], "m1");
    assert_eq!(f["fix"], "keyturn rotate fresh");
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["account"] != m2.as_str()));
    let log = sb.proxy_log();
    let assumed = log.iter().filter(|e| e["action"] == "AssumeRole").count();
    assert_eq!(assumed, 3, "{log:?}");
    assert!(log.iter().any(|e| e["action"] == "ListAccounts"));

    // A member account's own profile alongside the organization: audited
    // once, with its own key, named from the listing.
    sb.proxy("POST", "reset", "");
    let run = sb
        .keyturn()
        .args([
            "audit",
            "--profile",
            "m1",
            "--profile",
            "default",
            "--org-role",
            "OrganizationAccountAccessRole",
            "--output",
            "json",
        ])
        .run();
    run.expect_code(1);
    let v = json(&run);
    let m1s: Vec<&Value> = v["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["account"] == m1.as_str())
        .collect();
    assert_eq!(m1s.len(), 1, "{v:#}");
    assert_eq!(m1s[0]["via"], "profile m1");
    assert_eq!(m1s[0]["name"], "m1");
    assert_eq!(v["summary"]["failed_accounts"], 1, "{v:#}");
    let assumed: BTreeSet<String> = sb
        .proxy_log()
        .iter()
        .filter(|e| e["action"] == "AssumeRole")
        .map(|e| e["key_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(assumed, BTreeSet::from([sb.admin.id.clone()]));

    // The table names the failure and still shows the rest.
    let run = sb
        .keyturn()
        .args(["audit", "--org-role", "OrganizationAccountAccessRole"])
        .run();
    run.expect_code(1);
    assert!(
        run.stdout.contains(&format!(
            "FAILED {m3} (m3) (role OrganizationAccountAccessRole via profile default)"
        )),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("in 3 accounts"), "{}", run.stdout);
}
