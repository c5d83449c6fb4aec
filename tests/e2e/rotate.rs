//! End-to-end: the real keyturn binary against moto (IAM auth enforced)
//! through the fault proxy, checked with boto3/botocore.

use crate::common::*;

#[test]
fn rotate_default_profile_replaces_key_and_deletes_old() {
    let sb = Sandbox::new();
    let old = sb.user("alice");
    let before = format!(
        "# my keys\r\n[other]\r\naws_access_key_id = AKIAOTHEROTHEROTHER1\r\naws_secret_access_key = othersecret\r\n\r\n[default]\r\naws_access_key_id=  {}\r\naws_secret_access_key : {}   \r\nregion = eu-west-1\r\n; trailing comment",
        old.id, old.secret
    );
    write_private(&sb.credentials(), &before);
    let run = sb.keyturn().args(["rotate"]).run();
    run.expect_code(0);
    run.assert_no_secret(&[&old.secret]);

    let keys = sb.keys_of("alice");
    assert_eq!(keys.len(), 1, "{keys:?}");
    let new_id = &keys[0].0;
    assert_ne!(new_id, &old.id);
    assert!(!sb.works(&old.id, &old.secret), "old key must be dead");

    let after = std::fs::read_to_string(sb.credentials()).unwrap();
    let profiles = sb.botocore_profiles();
    let creds = &profiles["default"]["creds"];
    assert_eq!(creds[0].as_str().unwrap(), new_id);
    // The file is identical except the two values.
    let new_secret_line = after
        .lines()
        .find(|l| l.starts_with("aws_secret_access_key :"))
        .unwrap();
    let new_secret = new_secret_line
        .trim_end_matches([' ', '\r'])
        .rsplit(' ')
        .next()
        .unwrap();
    assert!(sb.works(new_id, new_secret), "new key must work");
    let expected = before
        .replace(&old.id, new_id)
        .replace(&old.secret, new_secret);
    assert_text_eq(&after, &expected);
    assert_eq!(mode(&sb.credentials()), 0o600);
    assert!(!run.stdout.contains(new_secret) && !run.stderr.contains(new_secret));
    assert_eq!(profiles["default"]["region"], "eu-west-1");
    assert_eq!(profiles["other"]["creds"][0], "AKIAOTHEROTHEROTHER1");
    // Every request was signed for us-east-1 although the profile's
    // region is eu-west-1: IAM is global in the aws partition.
    let log = sb.proxy_log();
    assert!(!log.is_empty());
    for entry in &log {
        assert_eq!(entry["region"], "us-east-1", "{entry}");
    }
}

fn pair(k: &Key) -> String {
    format!(
        "aws_access_key_id = {}\naws_secret_access_key = {}\n",
        k.id, k.secret
    )
}

/// The secret the file now holds for a key id (test-side reading).
fn secret_in(text: &str, id: &str) -> String {
    let doc: Vec<&str> = text.lines().collect();
    let at = doc.iter().position(|l| l.contains(id)).unwrap();
    doc[at..]
        .iter()
        .find_map(|l| {
            l.split_once("aws_secret_access_key")
                .map(|(_, v)| v.trim_start_matches([' ', '=', ':']).trim())
        })
        .unwrap()
        .to_string()
}

#[test]
fn botocore_reads_everything_the_same_except_the_rotated_pair() {
    let sb = Sandbox::new();
    let k = sb.user("judy");
    let creds = format!(
        "; header comment\n[DEFAULT]\nregion = eu-central-1\n\n[default]\n{}  # indented comment\ns3 =\n  max_concurrent_requests = 20\n[Shared]\nAWS_ACCESS_KEY_ID : {}\nAWS_SECRET_ACCESS_KEY:{}\n[other]\naws_access_key_id = AKIAOTHER00000000000\naws_secret_access_key = other\naws_session_token = tok\n",
        pair(&k),
        k.id,
        k.secret
    );
    let config = format!(
        "[default]\noutput = json\n[profile cfgonly]\n{}region = us-west-2\n[profile \"spaced name\"]\nregion = eu-west-1\n[sso-session corp]\nsso_region = us-east-1\n",
        pair(&k)
    );
    write_private(&sb.credentials(), &creds);
    write_private(&sb.config(), &config);
    let before = sb.botocore_profiles();
    sb.keyturn()
        .args(["rotate", "default"])
        .run()
        .expect_code(0);
    let after = sb.botocore_profiles();
    let new_id = sb.keys_of("judy")[0].0.clone();
    // Exactly the three profiles holding the old key changed, and only in
    // their key pair; botocore agrees with every other byte.
    let obj_b = before.as_object().unwrap();
    let obj_a = after.as_object().unwrap();
    assert_eq!(
        obj_b.keys().collect::<Vec<_>>(),
        obj_a.keys().collect::<Vec<_>>()
    );
    for (name, b) in obj_b {
        let a = &obj_a[name];
        if ["default", "Shared", "cfgonly"].contains(&name.as_str()) {
            assert_eq!(b["creds"][0], k.id.as_str());
            assert_eq!(a["creds"][0], new_id.as_str(), "{name}");
            assert_ne!(a["creds"][1], b["creds"][1], "{name}: secret must change");
            assert_eq!(a["region"], b["region"], "{name}");
            assert_eq!(a["method"], b["method"], "{name}");
        } else {
            assert_eq!(a, b, "{name} must read the same");
        }
    }
    // And byte for byte, only the values changed.
    let text = std::fs::read_to_string(sb.credentials()).unwrap();
    let secret = secret_in(&text, &new_id);
    assert!(sb.works(&new_id, &secret));
    assert_text_eq(
        &text,
        &creds.replace(&k.id, &new_id).replace(&k.secret, &secret),
    );
    assert_text_eq(
        &std::fs::read_to_string(sb.config()).unwrap(),
        &config.replace(&k.id, &new_id).replace(&k.secret, &secret),
    );
}

#[test]
fn key_in_config_file_is_rotated_there_and_nothing_added_elsewhere() {
    let sb = Sandbox::new();
    let k = sb.user("kim");
    let config = format!("[profile dev]\nregion = us-west-2\n{}", pair(&k));
    write_private(&sb.config(), &config);
    let run = sb.keyturn().args(["rotate", "dev"]).run();
    run.expect_code(0);
    assert!(
        !sb.credentials().exists(),
        "the credentials file must not be created"
    );
    let new_id = sb.keys_of("kim")[0].0.clone();
    let text = std::fs::read_to_string(sb.config()).unwrap();
    assert_text_eq(
        &text,
        &config
            .replace(&k.id, &new_id)
            .replace(&k.secret, &secret_in(&text, &new_id)),
    );
}

#[test]
fn only_named_leaves_sharers_alone_and_warns() {
    let sb = Sandbox::new();
    let k = sb.user("lee");
    let creds = format!("[a]\n{}[b]\n{}", pair(&k), pair(&k));
    write_private(&sb.credentials(), &creds);
    let run = sb
        .keyturn()
        .args(["rotate", "a", "--only-named", "--retire", "deactivate"])
        .run();
    run.expect_code(0);
    assert!(
        run.stderr.contains("other profiles hold the same key"),
        "{}",
        run.stderr
    );
    let text = std::fs::read_to_string(sb.credentials()).unwrap();
    assert_eq!(text.matches(&k.id).count(), 1, "b keeps the old key");
}

#[test]
fn json_output_and_dry_run_make_no_changes() {
    let sb = Sandbox::new();
    let k = sb.user("max");
    let creds = format!("[default]\n{}[twin]\n{}", pair(&k), pair(&k));
    write_private(&sb.credentials(), &creds);
    let run = sb
        .keyturn()
        .args(["rotate", "--dry-run", "--output", "json"])
        .run();
    run.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v[0]["status"], "planned");
    assert_eq!(v[0]["old_key_id"], k.id.as_str());
    assert_eq!(v[0]["updated"].as_array().unwrap().len(), 2);
    assert_text_eq(&std::fs::read_to_string(sb.credentials()).unwrap(), &creds);
    for e in sb.proxy_log() {
        let a = e["action"].as_str().unwrap();
        assert!(
            [
                "GetCallerIdentity",
                "ListAccessKeys",
                "GetAccessKeyLastUsed"
            ]
            .contains(&a),
            "{a}"
        );
    }
    let run = sb.keyturn().args(["rotate", "--output", "json"]).run();
    run.expect_code(0);
    run.assert_no_secret(&[&k.secret]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v[0]["status"], "rotated");
    assert_eq!(v[0]["new_key_id"], sb.keys_of("max")[0].0.as_str());
    assert_eq!(v[0]["retired"], "delete");
}

#[test]
fn deactivate_then_next_rotation_deletes_the_key_keyturn_retired() {
    let sb = Sandbox::new();
    let k = sb.user("nia");
    write_private(&sb.credentials(), &format!("[default]\n{}", pair(&k)));
    sb.keyturn()
        .args(["rotate", "--retire", "deactivate"])
        .run()
        .expect_code(0);
    let keys = sb.keys_of("nia");
    assert_eq!(keys.len(), 2);
    assert!(
        keys.contains(&(k.id.clone(), "Inactive".into())),
        "{keys:?}"
    );
    // No --yes, no terminal: still deletes the inactive key, since keyturn
    // itself retired it.
    sb.keyturn()
        .args(["rotate", "--retire", "deactivate"])
        .run()
        .expect_code(0);
    let keys = sb.keys_of("nia");
    assert_eq!(keys.len(), 2);
    assert!(!keys.iter().any(|(id, _)| id == &k.id), "{keys:?}");
    assert_eq!(keys.iter().filter(|(_, s)| s == "Active").count(), 1);
}

#[test]
fn propagation_delay_is_waited_out() {
    let sb = Sandbox::new();
    let k = sb.user("omar");
    write_private(&sb.credentials(), &format!("[default]\n{}", pair(&k)));
    sb.proxy("POST", "config", r#"{"propagation_delay_s": 2.5}"#);
    // And the first success is followed by one more InvalidClientTokenId:
    // one success is not proof.
    sb.proxy(
        "POST",
        "rules",
        r#"[{"action": "ListAccessKeys", "key": "new", "skip": 1, "times": 1, "fault": "invalid_token"}]"#,
    );
    let run = sb.keyturn().args(["rotate", "--timeout", "60s"]).run();
    run.expect_code(0);
    let log = sb.proxy_log();
    let refused = log
        .iter()
        .filter(|e| e["fault"].as_str().is_some_and(|f| !f.is_empty()))
        .count();
    assert!(
        refused >= 2,
        "the new key should have been refused first: {log:?}"
    );
    assert_eq!(sb.keys_of("omar").len(), 1);
}

#[test]
fn new_key_that_never_works_is_rolled_back() {
    let sb = Sandbox::new();
    let k = sb.user("pia");
    let creds = format!("[default]\n{}", pair(&k));
    write_private(&sb.credentials(), &creds);
    sb.proxy("POST", "config", r#"{"propagation_delay_s": 1000}"#);
    let run = sb.keyturn().args(["rotate", "--timeout", "3s"]).run();
    run.expect_code(1);
    assert!(
        run.stderr.contains("is still in place and works"),
        "{}",
        run.stderr
    );
    assert_text_eq(&std::fs::read_to_string(sb.credentials()).unwrap(), &creds);
    assert_eq!(
        sb.keys_of("pia"),
        vec![(k.id.clone(), "Active".to_string())]
    );
    assert!(sb.works(&k.id, &k.secret));
    // The new key was deleted with the old key's signature.
    let del = sb
        .proxy_log()
        .into_iter()
        .find(|e| e["action"] == "DeleteAccessKey")
        .unwrap();
    assert_eq!(del["key_id"], k.id.as_str());
}

#[test]
fn throttling_and_server_errors_are_retried() {
    let sb = Sandbox::new();
    let k = sb.user("quinn");
    write_private(&sb.credentials(), &format!("[default]\n{}", pair(&k)));
    sb.proxy(
        "POST",
        "rules",
        r#"[{"action": "GetCallerIdentity", "times": 1, "fault": "throttle"},
            {"action": "ListAccessKeys", "times": 1, "fault": "unavailable"},
            {"action": "DeleteAccessKey", "times": 1, "fault": "throttle"},
            {"action": "GetCallerIdentity", "key": "new", "times": 1, "fault": "reset"}]"#,
    );
    sb.keyturn().args(["rotate"]).run().expect_code(0);
    assert_eq!(sb.keys_of("quinn").len(), 1);
}

#[test]
fn second_concurrent_run_is_refused_by_the_lock() {
    let sb = Sandbox::new();
    let k = sb.user("ray");
    write_private(&sb.credentials(), &format!("[default]\n{}", pair(&k)));
    sb.proxy(
        "POST",
        "rules",
        r#"[{"action": "CreateAccessKey", "times": 1, "fault": "hold"}]"#,
    );
    let mut first = sb.keyturn().args(["rotate"]).spawn();
    wait_until(60, "the first run to reach CreateAccessKey", || {
        !sb.proxy("GET", "held", "").as_array().unwrap().is_empty()
    });
    let second = sb.keyturn().args(["rotate"]).run();
    second.expect_code(1);
    assert!(
        second.stderr.contains("another keyturn run holds the lock"),
        "{}",
        second.stderr
    );
    sb.proxy("POST", "release", "");
    let status = first.wait().unwrap();
    assert!(status.success());
    assert_eq!(sb.keys_of("ray").len(), 1);
}

#[test]
fn signs_with_profile_key_not_environment_and_warns_about_shell_copy() {
    let sb = Sandbox::new();
    let k = sb.user("sam");
    let other = sb.user("tess");
    write_private(&sb.credentials(), &format!("[default]\n{}", pair(&k)));
    let run = sb
        .keyturn()
        .args(["rotate"])
        .env("AWS_ACCESS_KEY_ID", &other.id)
        .env("AWS_SECRET_ACCESS_KEY", &other.secret)
        .run();
    run.expect_code(0);
    assert!(!sb
        .proxy_log()
        .iter()
        .any(|e| e["key_id"] == other.id.as_str()));
    assert_eq!(
        sb.keys_of("tess").len(),
        1,
        "the environment's user is untouched"
    );
    let text = std::fs::read_to_string(sb.credentials()).unwrap();
    let new_id = sb.keys_of("sam")[0].0.clone();
    let run = sb
        .keyturn()
        .args(["rotate"])
        .env("AWS_ACCESS_KEY_ID", &new_id)
        .env("AWS_SECRET_ACCESS_KEY", secret_in(&text, &new_id))
        .run();
    run.expect_code(0);
    assert!(
        run.stderr
            .contains("AWS_ACCESS_KEY_ID in this shell holds the key being rotated"),
        "{}",
        run.stderr
    );
}

#[test]
fn env_selects_profile_and_files_and_symlink_is_kept() {
    let sb = Sandbox::new();
    let k = sb.user("uma");
    let real = sb.dir.path().join("dotfiles-creds");
    write_private(&real, &format!("[work]\n{}", pair(&k)));
    let link = sb.dir.path().join("creds-link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    sb.keyturn()
        .env("AWS_PROFILE", "work")
        .env("AWS_SHARED_CREDENTIALS_FILE", &link)
        .args(["rotate"])
        .run()
        .expect_code(0);
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(!std::fs::read_to_string(&real).unwrap().contains(&k.id));
    assert_eq!(mode(&real), 0o600);
}

#[test]
fn help_documents_examples_and_exit_codes() {
    let sb = Sandbox::new();
    let run = sb.keyturn().args(["rotate", "--help"]).run();
    run.expect_code(0);
    for s in [
        "Examples:",
        "Exit codes:",
        "3  refused: nothing was changed",
        "--retire",
        "--timeout",
    ] {
        assert!(run.stdout.contains(s), "{s} missing from help");
    }
}

#[test]
fn verbose_logs_each_attempt_without_secrets() {
    let sb = Sandbox::new();
    let k = sb.user("vera");
    write_private(&sb.credentials(), &format!("[default]\n{}", pair(&k)));
    sb.proxy(
        "POST",
        "rules",
        r#"[{"action": "ListAccessKeys", "times": 1, "fault": "throttle"}]"#,
    );
    let run = sb.keyturn().args(["rotate", "-v"]).run();
    run.expect_code(0);
    run.assert_no_secret(&[&k.secret]);
    assert!(
        run.stderr.contains("CreateAccessKey: HTTP 200"),
        "{}",
        run.stderr
    );
    // The throttled attempt and its retry are both visible.
    assert!(
        run.stderr.contains("ListAccessKeys: HTTP 400"),
        "{}",
        run.stderr
    );
    let quiet = sb.keyturn().args(["rotate"]).run();
    quiet.expect_code(0);
    assert!(!quiet.stderr.contains("[-v]"));
}
