//! End-to-end: `keyturn status`, the real binary against moto (IAM auth
//! enforced) through the fault proxy.

use crate::common::*;
use serde_json::Value;

fn pair(k: &Key) -> String {
    format!(
        "aws_access_key_id = {}\naws_secret_access_key = {}\n",
        k.id, k.secret
    )
}

/// keyturn's masking of a key id (`AKIA…MPLE`), computed test-side.
fn masked(id: &str) -> String {
    format!("{}…{}", &id[..4], &id[id.len() - 4..])
}

/// The table row of a profile.
fn row<'a>(out: &'a str, profile: &str) -> &'a str {
    out.lines()
        .find(|l| l.split_whitespace().next() == Some(profile))
        .unwrap_or_else(|| panic!("no row for {profile} in:\n{out}"))
}

fn json_of(run: &Run) -> Vec<Value> {
    serde_json::from_str::<Value>(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.stdout))
        .as_array()
        .cloned()
        .unwrap()
}

fn item<'a>(items: &'a [Value], profile: &str) -> &'a Value {
    items
        .iter()
        .find(|i| i["profile"] == profile)
        .unwrap_or_else(|| panic!("no item for {profile}: {items:?}"))
}

const DEAD_ID: &str = "AKIADEADDEADDEADDEAD";
const DEAD_SECRET: &str = "deadsecretdeadsecretdeadsecretdeadsecret";

/// Several kinds of profile in both files:
/// - `a` and `b` share alice's first key; her second key is Inactive and
///   also sits in `old`;
/// - `dead` holds a key AWS never issued;
/// - `role` assumes a role; `cfg` lives only in the config file (bob).
struct Bed {
    sb: Sandbox,
    alice: Vec<Key>,
    bob: Key,
}

fn bed() -> Bed {
    let sb = Sandbox::new();
    let alice = sb.user_with_keys("alice", 2);
    sb.set_status("alice", &alice[1].id, "Inactive");
    let bob = sb.user("bob");
    write_private(
        &sb.credentials(),
        &format!(
            "[a]\n{}[b]\n{}[dead]\naws_access_key_id = {DEAD_ID}\naws_secret_access_key = {DEAD_SECRET}\n[old]\n{}",
            pair(&alice[0]),
            pair(&alice[0]),
            pair(&alice[1]),
        ),
    );
    write_private(
        &sb.config(),
        &format!(
            "[profile a]\nregion = eu-west-1\n[profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = a\n[profile cfg]\n{}",
            pair(&bob)
        ),
    );
    Bed { sb, alice, bob }
}

impl Bed {
    fn secrets(&self) -> Vec<&str> {
        vec![
            &self.alice[0].secret,
            &self.alice[1].secret,
            &self.bob.secret,
            DEAD_SECRET,
        ]
    }
}

#[test]
fn table_shows_every_profile_masked_with_user_age_status_and_notes() {
    let b = bed();
    let run = b.sb.keyturn().args(["status"]).run();
    run.expect_code(0);
    run.assert_no_secret(&b.secrets());
    let out = &run.stdout;
    for id in [
        &b.alice[0].id,
        &b.alice[1].id,
        &b.bob.id,
        &DEAD_ID.to_string(),
    ] {
        assert!(
            !out.contains(id.as_str()),
            "a full key id in text output:\n{out}"
        );
        assert!(!run.stderr.contains(id.as_str()), "{}", run.stderr);
    }
    let header = out.lines().next().unwrap();
    for col in [
        "PROFILE",
        "KEY",
        "WHERE",
        "USER",
        "AGE",
        "STATUS",
        "LAST USED",
        "NOTE",
    ] {
        assert!(header.contains(col), "{header}");
    }
    // Profile order: the credentials file's, then the config file's.
    let order: Vec<&str> = out
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(order, ["a", "b", "dead", "old", "role", "cfg"], "{out}");

    let a = row(out, "a");
    assert!(a.contains(&masked(&b.alice[0].id)), "{a}");
    assert!(a.contains("credentials [a]"), "{a}");
    assert!(
        a.contains("alice") && a.contains("0 days") && a.contains("Active"),
        "{a}"
    );
    assert!(
        a.contains(&format!(
            "leftover inactive key {} (in profile old)",
            masked(&b.alice[1].id)
        )),
        "{a}"
    );
    assert!(a.contains("same key as b"), "{a}");
    assert!(!a.contains("STALE"), "{a}");
    // moto records a use at once (AWS lags by hours), so even the first
    // status sees one: a date, the service and the region.
    let when = a.split("Active").nth(1).unwrap_or_default();
    assert!(
        when.contains(" iam us-east-1") || when.contains(" sts us-east-1"),
        "{a}"
    );

    let cfg = row(out, "cfg");
    assert!(
        cfg.contains(&masked(&b.bob.id)) && cfg.contains("config [profile cfg]"),
        "{cfg}"
    );
    assert!(cfg.contains("bob") && cfg.contains("Active"), "{cfg}");

    let dead = row(out, "dead");
    assert!(dead.contains("error: InvalidClientTokenId"), "{dead}");
    assert!(dead.contains(&masked(DEAD_ID)), "{dead}");

    // An Inactive key cannot sign; alice's listing explains it.
    let old = row(out, "old");
    assert!(old.contains("Inactive") && old.contains("alice"), "{old}");
    assert!(!old.contains("error"), "{old}");

    let role = row(out, "role");
    assert!(role.contains("not rotatable: role profile"), "{role}");

    // One probe per distinct key: a and b share theirs.
    let log = b.sb.proxy_log();
    let idents: Vec<&Value> = log
        .iter()
        .filter(|e| e["action"] == "GetCallerIdentity")
        .collect();
    assert_eq!(idents.len(), 4, "a/b, dead, old, cfg: {log:?}");
    for e in &log {
        assert_eq!(e["region"], "us-east-1", "{e}");
    }
}

#[test]
fn json_has_full_ids_and_stable_fields() {
    let b = bed();
    let run = b.sb.keyturn().args(["status", "--output", "json"]).run();
    run.expect_code(0);
    run.assert_no_secret(&b.secrets());
    let items = json_of(&run);
    assert_eq!(items.len(), 6);

    let a = item(&items, "a");
    assert_eq!(a["key_id"], b.alice[0].id.as_str());
    assert_eq!(a["file"], b.sb.credentials().to_str().unwrap());
    assert_eq!(a["section"], "a");
    assert!(
        a["user_arn"].as_str().unwrap().ends_with(":user/alice"),
        "{a}"
    );
    assert_eq!(a["age_days"], 0);
    assert_eq!(a["status"], "Active");
    assert_eq!(a["stale"], false);
    assert_eq!(a["inactive_keys"], serde_json::json!([b.alice[1].id]));
    assert!(a["interrupted"].is_null() && a["error"].is_null(), "{a}");
    assert_eq!(a["rotatable"], true);
    assert!(a["reason"].is_null());
    let lu = &a["last_used"];
    assert!(lu.is_object(), "{a}");
    for k in ["date", "service", "region"] {
        assert!(lu.get(k).is_some(), "last_used.{k}: {lu}");
    }

    let cfg = item(&items, "cfg");
    assert_eq!(cfg["file"], b.sb.config().to_str().unwrap());
    assert_eq!(cfg["section"], "profile cfg");
    assert!(cfg["user_arn"].as_str().unwrap().ends_with(":user/bob"));

    let dead = item(&items, "dead");
    assert_eq!(dead["error"]["code"], "InvalidClientTokenId", "{dead}");
    assert!(
        dead["stale"].is_null() && dead["status"].is_null(),
        "{dead}"
    );

    let old = item(&items, "old");
    assert_eq!(old["status"], "Inactive", "{old}");
    assert!(old["error"].is_null(), "{old}");

    let role = item(&items, "role");
    assert_eq!(role["rotatable"], false);
    assert_eq!(role["reason"]["code"], "role_profile");
    assert!(role["key_id"].is_null());
}

#[test]
fn max_age_marks_stale_keys_without_failing() {
    let sb = Sandbox::new();
    let k = sb.user("stan");
    write_private(&sb.credentials(), &format!("[default]\n{}", pair(&k)));
    let run = sb.keyturn().args(["status", "--max-age", "0d"]).run();
    run.expect_code(0);
    assert!(
        row(&run.stdout, "default").contains("STALE"),
        "{}",
        run.stdout
    );
    let run = sb
        .keyturn()
        .args(["status", "--max-age", "0d", "--output", "json"])
        .run();
    run.expect_code(0);
    assert_eq!(json_of(&run)[0]["stale"], true);
    let run = sb.keyturn().args(["status", "--max-age", "1d"]).run();
    assert!(!run.stdout.contains("STALE"), "{}", run.stdout);
    sb.keyturn()
        .args(["status", "--max-age", "soon"])
        .run()
        .expect_code(2);
}

#[test]
fn offline_sends_nothing_and_shows_the_files() {
    let b = bed();
    let run = b.sb.keyturn().args(["status", "--offline"]).run();
    run.expect_code(0);
    run.assert_no_secret(&b.secrets());
    assert!(b.sb.proxy_log().is_empty(), "{:?}", b.sb.proxy_log());
    let a = row(&run.stdout, "a");
    assert!(a.contains(&masked(&b.alice[0].id)), "{a}");
    let header: Vec<&str> = run
        .stdout
        .lines()
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(
        header,
        ["PROFILE", "KEY", "WHERE", "NOTE"],
        "only what the files say"
    );
    assert!(row(&run.stdout, "role").contains("not rotatable"));

    let run =
        b.sb.keyturn()
            .args(["status", "--offline", "--output", "json", "cfg", "a"])
            .run();
    run.expect_code(0);
    let items = json_of(&run);
    let names: Vec<&str> = items
        .iter()
        .map(|i| i["profile"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["cfg", "a"],
        "the named profiles, in the order given"
    );
    assert_eq!(items[0]["key_id"], b.bob.id.as_str());
    assert!(items[0]["user_arn"].is_null() && items[0]["stale"].is_null());
    assert!(b.sb.proxy_log().is_empty());
}

#[test]
fn named_profiles_limit_the_list_and_unknown_ones_fail() {
    let b = bed();
    let run = b.sb.keyturn().args(["status", "cfg"]).run();
    run.expect_code(0);
    assert_eq!(run.stdout.lines().count(), 2, "{}", run.stdout);
    let run = b.sb.keyturn().args(["status", "--offline", "nope"]).run();
    run.expect_code(1);
    assert!(
        row(&run.stdout, "nope").contains("no such profile"),
        "{}",
        run.stdout
    );
}

#[test]
fn unparsable_file_is_one_error() {
    let sb = Sandbox::new();
    write_private(&sb.credentials(), "junk before any section\n[a]\nx = 1\n");
    let run = sb.keyturn().args(["status"]).run();
    run.expect_code(1);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("cannot parse"), "{}", run.stderr);
    assert!(sb.proxy_log().is_empty());
}

#[test]
fn crash_left_journal_shows_as_interrupted_without_its_secrets() {
    let sb = Sandbox::new();
    let k = sb.user("pat");
    write_private(
        &sb.credentials(),
        &format!("[p]\n{}[q]\n{}", pair(&k), pair(&k)),
    );
    let run = sb
        .keyturn()
        .args(["rotate", "p"])
        .env("KEYTURN_FAILPOINT", "after-journal-created")
        .run();
    assert_eq!(run.code, None, "keyturn should have aborted: {run:?}");
    // The journal holds the new key's secret: it must never be shown.
    let dir = sb.home.join(".aws/.keyturn/journal");
    let journal = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "journal"))
        .expect("a journal");
    let j: Value = serde_json::from_slice(&std::fs::read(journal).unwrap()).unwrap();
    let new_secret = j["new_secret"].as_str().unwrap().to_string();
    let new_id = j["new_key_id"].as_str().unwrap().to_string();

    for offline in [false, true] {
        let args: &[&str] = if offline {
            &["status", "--offline"]
        } else {
            &["status"]
        };
        let run = sb.keyturn().args(args).run();
        run.expect_code(0);
        run.assert_no_secret(&[&k.secret, &new_secret]);
        assert!(!run.stdout.contains(&new_id), "{}", run.stdout);
        let p = row(&run.stdout, "p");
        assert!(p.contains("interrupted rotation (state created"), "{p}");
        assert!(p.contains("keyturn recover"), "{p}");
        // q shares the key, so the same rotation rewrites it.
        let q = row(&run.stdout, "q");
        assert!(q.contains("interrupted rotation of `p`"), "{q}");
    }
    let run = sb.keyturn().args(["status", "--output", "json"]).run();
    run.expect_code(0);
    run.assert_no_secret(&[&k.secret, &new_secret]);
    let items = json_of(&run);
    let i = &item(&items, "p")["interrupted"];
    assert_eq!(i["state"], "created", "{i}");
    assert_eq!(i["in_progress"], false);
    assert!(i["started_at"].as_str().unwrap().ends_with('Z'), "{i}");
    // The user now has two keys: the file's and the orphaned new one.
    let p = item(&items, "p");
    assert_eq!(p["status"], "Active");
    assert!(p["inactive_keys"].as_array().unwrap().is_empty());
    assert_eq!(p["other_active_keys"], serde_json::json!([new_id]));

    // Once recovered, nothing is interrupted any more.
    sb.keyturn().args(["recover"]).run().expect_code(0);
    let run = sb.keyturn().args(["status", "--offline"]).run();
    assert!(!run.stdout.contains("interrupted"), "{}", run.stdout);
}

#[test]
fn rotation_still_running_is_in_progress_not_interrupted() {
    let sb = Sandbox::new();
    let k = sb.user("rita");
    write_private(&sb.credentials(), &format!("[r]\n{}", pair(&k)));
    // Hold the first check of the new key: the journal exists and the
    // rotating keyturn holds the lock.
    sb.proxy(
        "POST",
        "rules",
        r#"[{"action": "GetCallerIdentity", "key": "new", "times": 1, "fault": "hold"}]"#,
    );
    let mut child = sb.keyturn().args(["rotate", "r"]).spawn();
    wait_until(60, "the request to be held", || {
        !sb.proxy("GET", "held", "").as_array().unwrap().is_empty()
    });
    let run = sb.keyturn().args(["status", "--offline"]).run();
    run.expect_code(0);
    let r = row(&run.stdout, "r");
    assert!(r.contains("rotation in progress"), "{r}");
    assert!(!r.contains("keyturn recover"), "{r}");
    sb.proxy("POST", "rules", "[]");
    sb.proxy("POST", "release", "");
    let status = child.wait().unwrap();
    assert!(status.success(), "the held rotation must finish: {status}");
    let run = sb.keyturn().args(["status", "--offline"]).run();
    assert!(!run.stdout.contains("rotation"), "{}", run.stdout);
}
