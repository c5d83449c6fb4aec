//! Unattended and fleet operation end to end: `--all` over many profiles
//! and users, the `--max-age` gate run like cron, hooks (success, failure,
//! rollback) and the settings file.

use crate::common::*;
use serde_json::Value;

fn pair(k: &Key) -> String {
    format!(
        "aws_access_key_id = {}\naws_secret_access_key = {}\n",
        k.id, k.secret
    )
}

fn json(run: &Run) -> Vec<Value> {
    serde_json::from_str::<Value>(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout))
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn all_over_fifty_profiles_in_ten_users() {
    let sb = Sandbox::new();
    let users: Vec<Key> = (0..10).map(|i| sb.user(&format!("fleet{i}"))).collect();
    let mut creds = String::from("# fleet\n");
    let mut config = String::from("[default]\nregion = eu-west-1\n");
    for (i, k) in users.iter().enumerate() {
        // Three profiles per key: two in the credentials file, one in the
        // config file.
        creds.push_str(&format!(
            "[u{i}-a]\n{}[u{i}-b]\n{}region = us-west-2\n",
            pair(k),
            pair(k)
        ));
        config.push_str(&format!("[profile u{i}-c]\noutput = json\n{}", pair(k)));
    }
    // Twenty that cannot be rotated.
    for i in 0..5 {
        creds.push_str(&format!(
            "[temp{i}]\naws_access_key_id = ASIATEMPTEMPTEMP000{i}\naws_secret_access_key = s\naws_session_token = t\n"
        ));
        config.push_str(&format!("[profile role{i}]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = u0-a\n"));
        config.push_str(&format!("[profile sso{i}]\nsso_session = corp\n"));
        config.push_str(&format!(
            "[profile proc{i}]\ncredential_process = /bin/true\n"
        ));
    }
    write_private(&sb.credentials(), &creds);
    write_private(&sb.config(), &config);
    let before = sb.botocore_profiles();
    assert_eq!(
        before.as_object().unwrap().len(),
        51,
        "50 profiles plus [default] in config"
    );

    let run = sb
        .keyturn()
        .args(["rotate", "--all", "--jobs", "4", "--output", "json"])
        .run();
    run.expect_code(0);
    let items = json(&run);
    let status = |p: &str| {
        items.iter().find(|i| i["profile"] == p).unwrap()["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    for i in 0..10 {
        assert_eq!(status(&format!("u{i}-a")), "rotated");
        assert_eq!(status(&format!("u{i}-b")), "rotated");
        assert_eq!(status(&format!("u{i}-c")), "rotated");
    }
    for i in 0..5 {
        assert_eq!(status(&format!("temp{i}")), "skipped");
        assert_eq!(status(&format!("role{i}")), "skipped");
    }
    assert_eq!(status("default"), "skipped");

    let after = sb.botocore_profiles();
    for (i, old) in users.iter().enumerate() {
        let keys = sb.keys_of(&format!("fleet{i}"));
        assert_eq!(keys.len(), 1, "fleet{i}: {keys:?}");
        assert_ne!(keys[0].0, old.id);
        for p in ["a", "b", "c"] {
            assert_eq!(
                after[format!("u{i}-{p}")]["creds"][0],
                keys[0].0.as_str(),
                "u{i}-{p}"
            );
        }
    }
    // Profiles that could not rotate read exactly as before.
    for i in 0..5 {
        for p in [
            format!("temp{i}"),
            format!("role{i}"),
            format!("sso{i}"),
            format!("proc{i}"),
        ] {
            assert_eq!(after[&p], before[&p], "{p}");
        }
    }
    // One rotation per key (10 creates), one write per file (2 backups).
    let creates = sb
        .proxy_log()
        .iter()
        .filter(|e| e["action"] == "CreateAccessKey")
        .count();
    assert_eq!(creates, 10);
    let backups = std::fs::read_dir(sb.home.join(".aws/.keyturn/backups"))
        .unwrap()
        .count();
    assert_eq!(backups, 2);
}

#[test]
fn one_failure_does_not_stop_the_others() {
    let sb = Sandbox::new();
    let good = sb.user("good");
    let creds = format!(
        "[dead]\naws_access_key_id = AKIADEADDEADDEADDEAD\naws_secret_access_key = x\n[good]\n{}",
        pair(&good)
    );
    write_private(&sb.credentials(), &creds);
    let run = sb
        .keyturn()
        .args(["rotate", "dead", "good", "--output", "json"])
        .run();
    // AWS refused the dead key before any change: "refused", exit 3.
    run.expect_code(3);
    let items = json(&run);
    assert_eq!(items[0]["status"], "refused");
    assert_eq!(items[0]["profile"], "dead");
    assert_eq!(items[1]["status"], "rotated");
    assert_eq!(sb.keys_of("good").len(), 1);
}

#[test]
fn max_age_run_like_cron_rotates_once_per_period() {
    let sb = Sandbox::new();
    let k = sb.user("cron");
    write_private(&sb.credentials(), &format!("[default]\n{}", pair(&k)));
    // moto cannot backdate a key: the proxy reports this one as 2 days old.
    sb.proxy(
        "POST",
        "config",
        &format!(r#"{{"backdate_days": {{"{}": 2}}}}"#, k.id),
    );
    let first = sb.keyturn().args(["rotate", "--max-age", "1d"]).run();
    first.expect_code(0);
    let rotated = sb.keys_of("cron")[0].0.clone();
    assert_ne!(rotated, k.id);
    for _ in 0..3 {
        let again = sb
            .keyturn()
            .args(["rotate", "--max-age", "1d", "--output", "json"])
            .run();
        again.expect_code(5);
        let items = json(&again);
        assert_eq!(items[0]["status"], "fresh");
        assert_eq!(items[0]["age_days"], 0);
    }
    assert_eq!(
        sb.keys_of("cron")[0].0,
        rotated,
        "no second rotation within the period"
    );
    let text = sb.keyturn().args(["rotate", "--max-age", "90d"]).run();
    text.expect_code(5);
    assert!(
        text.stdout.contains("is 0 days old, nothing to do"),
        "{}",
        text.stdout
    );
}

fn settings(sb: &Sandbox, toml: &str) -> std::path::PathBuf {
    let xdg = sb.dir.path().join("xdg");
    std::fs::create_dir_all(xdg.join("keyturn")).unwrap();
    std::fs::write(xdg.join("keyturn/config.toml"), toml).unwrap();
    xdg
}

#[test]
fn hook_gets_new_key_on_stdin_before_old_key_dies() {
    let sb = Sandbox::new();
    let k = sb.user("hooked");
    write_private(&sb.credentials(), &format!("[ci]\n{}", pair(&k)));
    let out = sb.dir.path().join("hook");
    let script = format!(
        "cat > {out}.stdin; env | grep ^KEYTURN_ > {out}.env; {py} {awsctl} whoami --endpoint {url} --id {id} --secret {secret} > {out}.old",
        out = out.display(),
        py = python().display(),
        awsctl = repo().join("tests/support/awsctl.py").display(),
        url = sb.moto_url(),
        id = k.id,
        secret = k.secret,
    );
    let xdg = settings(
        &sb,
        &format!(
            "[[hooks]]\nname = \"copy\"\nprofiles = [\"ci\"]\ncommand = {}\n",
            toml_str(&script)
        ),
    );
    let run = sb
        .keyturn()
        .env("XDG_CONFIG_HOME", &xdg)
        .args(["rotate", "ci"])
        .run();
    run.expect_code(0);
    let new_id = sb.keys_of("hooked")[0].0.clone();
    let stdin: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{}.stdin", out.display())).unwrap())
            .unwrap();
    assert_eq!(stdin["access_key_id"], new_id.as_str());
    assert!(sb.works(&new_id, stdin["secret_access_key"].as_str().unwrap()));
    let env = std::fs::read_to_string(format!("{}.env", out.display())).unwrap();
    assert!(
        env.contains("KEYTURN_PROFILE=ci")
            && env.contains(&format!("KEYTURN_ACCESS_KEY_ID={new_id}"))
    );
    assert!(
        !env.contains(stdin["secret_access_key"].as_str().unwrap()),
        "secret leaked into env"
    );
    // The old key still worked while the hook ran.
    let old: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{}.old", out.display())).unwrap())
            .unwrap();
    assert_eq!(old["ok"], true);
    assert!(!sb.works(&k.id, &k.secret), "and is dead now");
}

fn toml_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

#[test]
fn failing_hook_keeps_old_key_and_resume_finishes() {
    let sb = Sandbox::new();
    let k = sb.user("hookfail");
    write_private(&sb.credentials(), &format!("[default]\n{}", pair(&k)));
    let xdg = settings(
        &sb,
        "[[hooks]]\nname = \"push-to-ci\"\ncommand = [\"false\"]\n",
    );
    let run = sb
        .keyturn()
        .env("XDG_CONFIG_HOME", &xdg)
        .args(["rotate"])
        .run();
    run.expect_code(1);
    assert!(
        run.stderr.contains("hook `push-to-ci` failed"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("keyturn rotate --resume"),
        "{}",
        run.stderr
    );
    // Old key still active, new key in the file and working.
    let keys = sb.keys_of("hookfail");
    assert_eq!(keys.len(), 2);
    assert!(sb.works(&k.id, &k.secret));
    let fixed = settings(
        &sb,
        "[[hooks]]\nname = \"push-to-ci\"\ncommand = [\"true\"]\n",
    );
    let resume = sb
        .keyturn()
        .env("XDG_CONFIG_HOME", &fixed)
        .args(["rotate", "--resume"])
        .run();
    resume.expect_code(0);
    assert!(
        resume.stdout.contains("finishing an interrupted rotation"),
        "{}",
        resume.stdout
    );
    let keys = sb.keys_of("hookfail");
    assert_eq!(keys.len(), 1);
    assert_ne!(keys[0].0, k.id);
}

#[test]
fn failing_hook_with_rollback_restores_old_key() {
    let sb = Sandbox::new();
    let k = sb.user("hookrb");
    let creds = format!("[default]\n{}", pair(&k));
    write_private(&sb.credentials(), &creds);
    let xdg = settings(&sb, "[defaults]\non_hook_failure = \"rollback\"\n[[hooks]]\nname = \"x\"\ncommand = \"exit 3\"\n");
    let run = sb
        .keyturn()
        .env("XDG_CONFIG_HOME", &xdg)
        .args(["rotate"])
        .run();
    run.expect_code(1);
    assert!(run.stderr.contains("rolled back"), "{}", run.stderr);
    assert_text_eq(&std::fs::read_to_string(sb.credentials()).unwrap(), &creds);
    assert_eq!(
        sb.keys_of("hookrb"),
        vec![(k.id.clone(), "Active".to_string())]
    );
}

#[test]
fn bad_settings_file_is_a_usage_error_with_line_and_column() {
    let sb = Sandbox::new();
    let k = sb.user("badcfg");
    write_private(&sb.credentials(), &format!("[default]\n{}", pair(&k)));
    let xdg = settings(&sb, "[defaults]\njobs = \"lots\"\n");
    let run = sb
        .keyturn()
        .env("XDG_CONFIG_HOME", &xdg)
        .args(["rotate"])
        .run();
    run.expect_code(2);
    assert!(
        run.stderr.contains("config.toml") && run.stderr.contains("line 2, column 8"),
        "{}",
        run.stderr
    );
    assert!(sb.proxy_log().is_empty());
}
