//! Destinations (issue 19), for real: the built binary rotates a key on
//! moto (IAM auth on, through the fault proxy) and carries the new pair to
//! a `.env` file (re-read by python-dotenv), a Secrets Manager secret and
//! SSM parameters (read back with boto3). Each test checks the new pair in
//! every destination, every other stored field unchanged, and the old key
//! retired only after the last destination was confirmed; crashes at each
//! destination request, a failing destination, rollback and preflight
//! refusals included.

use crate::common::*;
use serde_json::{json, Value};
use std::path::PathBuf;

struct Bed {
    sb: Sandbox,
    old: Key,
    env_file: PathBuf,
    env_before: String,
}

const ENV_TEXT: &str = "# app settings\nexport AWS_ACCESS_KEY_ID='{ID}'  # rotated by keyturn\nDB_URL=\"postgres://db/app\"\n\nAWS_SECRET_ACCESS_KEY={SECRET}\nLOG=debug # verbose\n";

/// A user `carol` with one key in `[work]`, a `.env` holding the same
/// pair (mode 0640), and the settings file naming `destinations`.
fn bed(destinations: &str) -> Bed {
    let sb = Sandbox::new();
    let old = sb.user("carol");
    write_private(
        &sb.credentials(),
        &format!(
            "[work]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            old.id, old.secret
        ),
    );
    let env_file = sb.dir.path().join("app.env");
    let env_before = ENV_TEXT
        .replace("{ID}", &old.id)
        .replace("{SECRET}", &old.secret);
    std::fs::write(&env_file, &env_before).unwrap();
    set_mode(&env_file, 0o640);
    let b = Bed {
        sb,
        old,
        env_file,
        env_before,
    };
    b.settings(destinations);
    b
}

fn set_mode(p: &std::path::Path, m: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
}

impl Bed {
    fn settings(&self, destinations: &str) {
        let dir = self.sb.home.join(".config/keyturn");
        std::fs::create_dir_all(&dir).unwrap();
        set_mode(&self.sb.home.join(".config"), 0o700);
        set_mode(&dir, 0o700);
        let text = destinations.replace("{ENV}", self.env_file.to_str().unwrap());
        write_private(&dir.join("config.toml"), &text);
    }

    fn ctl(&self, args: &[&str]) -> Value {
        let mut all: Vec<String> = vec![args[0].into()];
        if args[0] != "dotenv" {
            all.extend([
                "--endpoint".into(),
                self.sb.moto_url(),
                "--admin-id".into(),
                self.sb.admin.id.clone(),
                "--admin-secret".into(),
                self.sb.admin.secret.clone(),
            ]);
        }
        all.extend(args[1..].iter().map(|s| s.to_string()));
        let out = std::process::Command::new(python())
            .arg(repo().join("tests/support/destctl.py"))
            .args(&all)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "destctl {}: {}",
            args[0],
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn rotate(&self, extra: &[&str]) -> Run {
        let mut args = vec!["rotate", "work"];
        args.extend_from_slice(extra);
        self.sb.keyturn().args(args).run()
    }

    /// The key in the credentials file now (id, secret).
    fn file_pair(&self) -> (String, String) {
        let text = std::fs::read_to_string(self.sb.credentials()).unwrap();
        let get = |k: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(k))
                .unwrap()
                .to_string()
        };
        (get("aws_access_key_id = "), get("aws_secret_access_key = "))
    }

    /// python-dotenv's reading of the `.env` file.
    fn dotenv(&self) -> Value {
        self.ctl(&["dotenv", "--path", self.env_file.to_str().unwrap()])
    }

    /// The `.env` holds `pair` and every other byte is as before.
    #[track_caller]
    fn env_holds(&self, id: &str, secret: &str) {
        let v = self.dotenv();
        assert_eq!(v["AWS_ACCESS_KEY_ID"], id);
        assert_eq!(v["AWS_SECRET_ACCESS_KEY"], secret);
        assert_eq!(v["DB_URL"], "postgres://db/app");
        let expected = self
            .env_before
            .replace(&self.old.id, id)
            .replace(&self.old.secret, secret);
        assert_text_eq(&std::fs::read_to_string(&self.env_file).unwrap(), &expected);
        assert_eq!(mode(&self.env_file), 0o640);
    }

    /// One key left in IAM, the file's; it works.
    #[track_caller]
    fn one_working_key(&self) -> (String, String) {
        let keys = self.sb.keys_of("carol");
        let (id, secret) = self.file_pair();
        assert_eq!(keys.len(), 1, "one key must remain: {keys:?}");
        assert_eq!(keys[0].0, id);
        assert!(self.sb.works(&id, &secret));
        assert_ne!(id, self.old.id, "the key must have been rotated");
        assert!(
            !self.sb.home.join(".aws/.keyturn/journal").exists()
                || std::fs::read_dir(self.sb.home.join(".aws/.keyturn/journal"))
                    .unwrap()
                    .count()
                    == 0,
            "no journal may be left"
        );
        (id, secret)
    }

    fn secret_json(&self, name: &str) -> (Value, u64) {
        let v = self.ctl(&["sm-get", "--name", name]);
        let obj: Value = serde_json::from_str(v["value"].as_str().unwrap()).unwrap();
        (obj, v["versions"].as_u64().unwrap())
    }

    /// The sequence number of the proxy's last entry for `action`.
    fn last_seq(&self, action: &str) -> Option<u64> {
        self.sb
            .proxy_log()
            .iter()
            .filter(|e| e["action"] == action)
            .filter_map(|e| e["seq"].as_u64())
            .max()
    }

    fn first_seq(&self, action: &str) -> Option<u64> {
        self.sb
            .proxy_log()
            .iter()
            .filter(|e| e["action"] == action)
            .filter_map(|e| e["seq"].as_u64())
            .min()
    }
}

const DOTENV: &str = "[[destinations]]\nname = \"app-env\"\ntype = \"dotenv\"\nprofiles = [\"work\"]\npath = \"{ENV}\"\n";

fn with_secret(b: &Bed) {
    let initial = json!({"db_password": "keep-me", "port": 5432, "AWS_ACCESS_KEY_ID": b.old.id, "AWS_SECRET_ACCESS_KEY": b.old.secret});
    b.ctl(&[
        "sm-create",
        "--name",
        "ci/aws",
        "--value",
        &initial.to_string(),
    ]);
}

const SECRET: &str = "[[destinations]]\nname = \"ci-secret\"\ntype = \"secretsmanager\"\nprofiles = [\"work\"]\nsecret_id = \"ci/aws\"\n";

#[test]
fn dotenv_gets_the_new_pair_and_keeps_every_other_byte() {
    let b = bed(DOTENV);
    let run = b.rotate(&[]);
    run.expect_code(0);
    run.assert_no_secret(&[&b.old.secret]);
    assert!(
        run.stdout
            .contains("destination app-env (dotenv): confirmed"),
        "{}",
        run.stdout
    );
    let (id, secret) = b.one_working_key();
    run.assert_no_secret(&[&secret]);
    b.env_holds(&id, &secret);
    let status = b.sb.keyturn().args(["status", "--offline"]).run();
    status.expect_code(0);
    assert!(
        status.stdout.contains("destinations: app-env (dotenv)"),
        "{}",
        status.stdout
    );
}

#[test]
fn a_destination_signs_with_its_own_profile() {
    let b = bed(&format!("{SECRET}profile = \"secrets-admin\"\n"));
    with_secret(&b);
    let creds = std::fs::read_to_string(b.sb.credentials()).unwrap();
    let admin = format!(
        "\n[secrets-admin]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        b.sb.admin.id, b.sb.admin.secret
    );
    write_private(&b.sb.credentials(), &(creds + &admin));
    // Not the environment's key: the destination's profile signs.
    b.sb.keyturn()
        .args(["rotate", "work"])
        .env("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENTKEY01")
        .env("AWS_SECRET_ACCESS_KEY", "environment-secret")
        .run()
        .expect_code(0);
    let puts: Vec<Value> =
        b.sb.proxy_log()
            .into_iter()
            .filter(|e| e["action"] == "PutSecretValue")
            .collect();
    assert_eq!(puts.len(), 1);
    assert_eq!(puts[0]["key_id"], b.sb.admin.id.as_str(), "{puts:?}");
    let (obj, _) = b.secret_json("ci/aws");
    assert_eq!(
        obj["AWS_ACCESS_KEY_ID"],
        b.sb.keys_of("carol")[0].0.as_str()
    );
}

#[test]
fn secretsmanager_merges_the_pair_and_keeps_other_fields() {
    let b = bed(&format!("{DOTENV}{SECRET}"));
    with_secret(&b);
    let run = b.rotate(&["--output", "json"]);
    run.expect_code(0);
    let out: Value = serde_json::from_str(&run.stdout).unwrap();
    let dests = out[0]["destinations"].as_array().unwrap();
    assert_eq!(dests.len(), 2, "{out}");
    assert!(dests.iter().all(|d| d["state"] == "confirmed"), "{out}");
    assert_eq!(dests[1]["type"], "secretsmanager");
    let (id, secret) = b.one_working_key();
    let (obj, versions) = b.secret_json("ci/aws");
    assert_eq!(obj["AWS_ACCESS_KEY_ID"], id.as_str());
    assert_eq!(obj["AWS_SECRET_ACCESS_KEY"], secret.as_str());
    assert_eq!(obj["db_password"], "keep-me");
    assert_eq!(obj["port"], 5432);
    assert_eq!(obj.as_object().unwrap().len(), 4);
    assert_eq!(versions, 2, "one new version");
    b.env_holds(&id, &secret);
    // The old key was retired after the last destination was confirmed.
    assert!(b.last_seq("GetSecretValue") < b.first_seq("DeleteAccessKey"));
}

#[test]
fn ssm_two_parameters_and_one_json_parameter() {
    let b = bed(concat!(
        "[[destinations]]\nname = \"params\"\ntype = \"ssm\"\nprofiles = [\"work\"]\n",
        "id_parameter = \"/ci/aws/id\"\nsecret_parameter = \"/ci/aws/secret\"\n",
        "[[destinations]]\nname = \"json-param\"\ntype = \"ssm\"\nprofiles = [\"work\"]\n",
        "parameter = \"/ci/aws/json\"\nid_name = \"key\"\nsecret_name = \"secret\"\n",
    ));
    b.ctl(&[
        "ssm-put",
        "--name",
        "/ci/aws/id",
        "--value",
        "old",
        "--key-id",
        "alias/ci-key",
    ]);
    b.ctl(&[
        "ssm-put",
        "--name",
        "/ci/aws/secret",
        "--value",
        "old",
        "--key-id",
        "alias/ci-key",
    ]);
    b.ctl(&[
        "ssm-put",
        "--name",
        "/ci/aws/json",
        "--value",
        r#"{"region":"eu-west-1","key":"old"}"#,
    ]);
    let run = b.rotate(&[]);
    run.expect_code(0);
    let (id, secret) = b.one_working_key();
    let p = b.ctl(&["ssm-get", "--name", "/ci/aws/id"]);
    assert_eq!(p["value"], id.as_str());
    assert_eq!(p["type"], "SecureString");
    assert_eq!(p["key_id"], "alias/ci-key", "the KMS key is kept: {p}");
    let p = b.ctl(&["ssm-get", "--name", "/ci/aws/secret"]);
    assert_eq!(p["value"], secret.as_str());
    assert_eq!(p["key_id"], "alias/ci-key");
    let p = b.ctl(&["ssm-get", "--name", "/ci/aws/json"]);
    let obj: Value = serde_json::from_str(p["value"].as_str().unwrap()).unwrap();
    assert_eq!(
        obj,
        json!({"region": "eu-west-1", "key": id, "secret": secret})
    );
    assert!(b.last_seq("GetParameter") < b.first_seq("DeleteAccessKey"));
}

#[test]
fn a_throttled_and_a_lost_reply_write_make_one_version() {
    let b = bed(SECRET);
    with_secret(&b);
    b.sb.proxy(
        "POST",
        "rules",
        &json!([
            {"action": "PutSecretValue", "times": 1, "fault": "throttle"},
            {"action": "PutSecretValue", "times": 1, "fault": "drop_response"},
        ])
        .to_string(),
    );
    let run = b.rotate(&[]);
    run.expect_code(0);
    let (id, secret) = b.one_working_key();
    let (obj, versions) = b.secret_json("ci/aws");
    assert_eq!(obj["AWS_ACCESS_KEY_ID"], id.as_str());
    assert_eq!(obj["AWS_SECRET_ACCESS_KEY"], secret.as_str());
    assert_eq!(versions, 2, "the retried write is the same version");
    let puts =
        b.sb.proxy_log()
            .iter()
            .filter(|e| e["action"] == "PutSecretValue")
            .count();
    assert!(puts >= 3, "throttled, lost, then answered: {puts}");
}

#[test]
fn a_failing_destination_leaves_both_keys_live_and_recover_finishes() {
    let b = bed(&format!("{DOTENV}{SECRET}"));
    with_secret(&b);
    b.sb.proxy(
        "POST",
        "rules",
        &json!([{"action": "PutSecretValue", "fault": "unavailable"}]).to_string(),
    );
    let run = b.rotate(&[]);
    run.expect_code(1);
    run.assert_no_secret(&[&b.old.secret]);
    assert!(
        run.stderr.contains("app-env (holds the new key)")
            && run.stderr.contains("ci-secret (may hold either key)")
            && run.stderr.contains("keyturn rotate --resume work"),
        "{}",
        run.stderr
    );
    assert_eq!(b.sb.keys_of("carol").len(), 2, "both keys live");
    assert!(b.sb.works(&b.old.id, &b.old.secret));
    let (obj, _) = b.secret_json("ci/aws");
    assert_eq!(obj["AWS_ACCESS_KEY_ID"], b.old.id.as_str());
    b.sb.proxy("POST", "rules", "[]");
    let rec = b.sb.keyturn().args(["recover"]).run();
    rec.expect_code(0);
    let (id, secret) = b.one_working_key();
    let (obj, _) = b.secret_json("ci/aws");
    assert_eq!(obj["AWS_ACCESS_KEY_ID"], id.as_str());
    assert_eq!(obj["AWS_SECRET_ACCESS_KEY"], secret.as_str());
    b.env_holds(&id, &secret);
}

/// A destination that never answers (a timeout) mid-way: every attempt
/// of the secret's write hangs until keyturn's read timeout gives up on
/// it. Both keys stay live, the message names each destination's state,
/// and `recover` finishes once the service answers again.
#[test]
fn a_destination_that_times_out_leaves_both_keys_live_and_recover_finishes() {
    let b = bed(&format!("{DOTENV}{SECRET}"));
    with_secret(&b);
    b.sb.proxy(
        "POST",
        "rules",
        &json!([{"action": "PutSecretValue", "fault": "hang"}]).to_string(),
    );
    let run = b.rotate(&["--cli-read-timeout", "2"]);
    run.expect_code(1);
    run.assert_no_secret(&[&b.old.secret]);
    assert!(
        run.stderr.contains("app-env (holds the new key)")
            && run.stderr.contains("ci-secret (may hold either key)")
            && run.stderr.contains("keyturn rotate --resume work"),
        "{}",
        run.stderr
    );
    let hung =
        b.sb.proxy_log()
            .iter()
            .filter(|e| e["action"] == "PutSecretValue" && e["fault"] == "hang")
            .count();
    assert!(hung >= 1, "the write must have hung: {hung}");
    assert_eq!(b.sb.keys_of("carol").len(), 2, "both keys live");
    assert!(b.sb.works(&b.old.id, &b.old.secret));
    let (obj, _) = b.secret_json("ci/aws");
    assert_eq!(obj["AWS_ACCESS_KEY_ID"], b.old.id.as_str());
    b.sb.proxy("POST", "rules", "[]");
    let rec = b.sb.keyturn().args(["recover"]).run();
    rec.expect_code(0);
    let (id, secret) = b.one_working_key();
    let (obj, _) = b.secret_json("ci/aws");
    assert_eq!(obj["AWS_ACCESS_KEY_ID"], id.as_str());
    assert_eq!(obj["AWS_SECRET_ACCESS_KEY"], secret.as_str());
    b.env_holds(&id, &secret);
}

#[test]
fn rollback_puts_the_old_pair_back_everywhere() {
    let b = bed(&format!("{DOTENV}{SECRET}"));
    with_secret(&b);
    b.sb.proxy(
        "POST",
        "rules",
        &json!([{"action": "GetSecretValue", "skip": 1, "times": 1, "fault": "invalid_token"}])
            .to_string(),
    );
    let run = b.rotate(&["--on-destination-failure", "rollback"]);
    run.expect_code(1);
    assert!(run.stderr.contains("rolled back"), "{}", run.stderr);
    b.sb.proxy("POST", "rules", "[]");
    let keys = b.sb.keys_of("carol");
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_eq!(keys[0].0, b.old.id, "the new key was deleted");
    assert_eq!(b.file_pair(), (b.old.id.clone(), b.old.secret.clone()));
    b.env_holds(&b.old.id, &b.old.secret);
    let (obj, _) = b.secret_json("ci/aws");
    assert_eq!(obj["AWS_ACCESS_KEY_ID"], b.old.id.as_str());
    assert_eq!(obj["AWS_SECRET_ACCESS_KEY"], b.old.secret.as_str());
}

#[test]
fn preflight_refusals_change_nothing() {
    // An unknown secret, then a missing .env file: exit 3, no key made,
    // no file written, no journal.
    let b = bed(&format!(
        "{DOTENV}[[destinations]]\nname = \"ci-secret\"\ntype = \"secretsmanager\"\nprofiles = [\"work\"]\nsecret_id = \"no/such\"\n"
    ));
    let creds_before = std::fs::read_to_string(b.sb.credentials()).unwrap();
    let run = b.rotate(&[]);
    run.expect_code(3);
    assert!(
        run.stderr.contains("ci-secret") && run.stderr.contains("nothing was changed"),
        "{}",
        run.stderr
    );
    let dry = b.rotate(&["--dry-run"]);
    dry.expect_code(0);
    assert!(
        dry.stdout.contains("app-env (dotenv): preflight ready")
            && dry
                .stdout
                .contains("ci-secret (secretsmanager): preflight refused"),
        "{}",
        dry.stdout
    );
    b.settings(&DOTENV.replace("{ENV}", "/nonexistent/app.env"));
    b.rotate(&[]).expect_code(3);
    assert_eq!(b.first_seq("CreateAccessKey"), None, "no key created");
    assert_eq!(b.sb.keys_of("carol").len(), 1);
    assert_eq!(
        std::fs::read_to_string(b.sb.credentials()).unwrap(),
        creds_before
    );
    assert_eq!(std::fs::read_to_string(&b.env_file).unwrap(), b.env_before);
    assert!(
        !b.sb.home.join(".aws/.keyturn/journal").exists()
            || std::fs::read_dir(b.sb.home.join(".aws/.keyturn/journal"))
                .unwrap()
                .count()
                == 0
    );
}

/// Dies at `point` (an abort, as kill -9), then a rerun finishes.
fn crash_then_rerun(point: &str) {
    let b = bed(&format!("{DOTENV}{SECRET}"));
    with_secret(&b);
    let run =
        b.sb.keyturn()
            .args(["rotate", "work"])
            .env("KEYTURN_FAILPOINT", point)
            .run();
    assert_eq!(
        run.code, None,
        "keyturn should have died at {point}: {run:?}"
    );
    let rerun = b.rotate(&[]);
    rerun.expect_code(0);
    let (id, secret) = b.one_working_key();
    b.env_holds(&id, &secret);
    let (obj, versions) = b.secret_json("ci/aws");
    assert_eq!(obj["AWS_ACCESS_KEY_ID"], id.as_str());
    assert_eq!(obj["db_password"], "keep-me");
    assert!(versions <= 3, "{versions}");
}

#[test]
fn crash_before_a_destination_write() {
    crash_then_rerun("before-destination-write");
}

#[test]
fn crash_after_a_destination_write_is_answered() {
    crash_then_rerun("after-destination-write");
}

#[test]
fn crash_after_a_destination_is_confirmed() {
    crash_then_rerun("after-destination-confirm");
}

/// kill -9 while a destination request waits for its answer (held by
/// the proxy), the request then let through; a rerun finishes.
fn kill_during(action: &str, skip: u64) {
    let b = bed(SECRET);
    with_secret(&b);
    b.sb.proxy(
        "POST",
        "rules",
        &json!([{"action": action, "times": 1, "fault": "hold", "skip": skip}]).to_string(),
    );
    let mut child = b.sb.keyturn().args(["rotate", "work"]).spawn();
    wait_until(120, "the request to be held", || {
        !b.sb.proxy("GET", "held", "").as_array().unwrap().is_empty()
    });
    kill_group(&mut child);
    b.sb.proxy("POST", "rules", "[]");
    b.sb.proxy("POST", "release", "");
    wait_until(60, "the released request to be answered", || {
        b.sb.proxy_log()
            .iter()
            .any(|e| e["action"] == action && e["status"].is_number() && e["fault"] == "hold")
    });
    let rerun = b.rotate(&[]);
    rerun.expect_code(0);
    let (id, secret) = b.one_working_key();
    let (obj, _) = b.secret_json("ci/aws");
    assert_eq!(obj["AWS_ACCESS_KEY_ID"], id.as_str());
    assert_eq!(obj["AWS_SECRET_ACCESS_KEY"], secret.as_str());
}

#[test]
fn kill_during_the_second_parameter_write_then_rerun() {
    // The secret parameter is written, the id parameter's request held:
    // a partial write the rerun completes.
    let b = bed(concat!(
        "[[destinations]]\nname = \"params\"\ntype = \"ssm\"\nprofiles = [\"work\"]\n",
        "id_parameter = \"/ci/id\"\nsecret_parameter = \"/ci/secret\"\n",
    ));
    b.ctl(&["ssm-put", "--name", "/ci/id", "--value", &b.old.id]);
    b.ctl(&["ssm-put", "--name", "/ci/secret", "--value", &b.old.secret]);
    b.sb.proxy(
        "POST",
        "rules",
        &json!([{"action": "PutParameter", "times": 1, "fault": "hold", "skip": 1}]).to_string(),
    );
    let mut child = b.sb.keyturn().args(["rotate", "work"]).spawn();
    wait_until(120, "the request to be held", || {
        !b.sb.proxy("GET", "held", "").as_array().unwrap().is_empty()
    });
    kill_group(&mut child);
    b.sb.proxy("POST", "rules", "[]");
    b.sb.proxy("POST", "release", "");
    b.rotate(&[]).expect_code(0);
    let (id, secret) = b.one_working_key();
    assert_eq!(
        b.ctl(&["ssm-get", "--name", "/ci/id"])["value"],
        id.as_str()
    );
    assert_eq!(
        b.ctl(&["ssm-get", "--name", "/ci/secret"])["value"],
        secret.as_str()
    );
}

#[test]
fn kill_during_the_secret_write_request() {
    kill_during("PutSecretValue", 0);
}

#[test]
fn kill_during_the_secret_read_back() {
    // The preflight's and the write's reads pass; the confirm's (after the
    // write was answered) is held.
    kill_during("GetSecretValue", 2);
}

#[test]
fn a_destination_without_region_uses_its_signing_profile_s_region() {
    // `work` is in eu-west-1, `secrets-admin` in ap-northeast-1: the secret
    // (no region, signed by the rotated key) is written in eu-west-1, the
    // parameter (signed by `secrets-admin`) in ap-northeast-1; the
    // same-named secret in us-east-1 (the IAM region) is left alone.
    let b = bed(&format!(
        "{SECRET}[[destinations]]\nname = \"admin-param\"\ntype = \"ssm\"\nprofiles = [\"work\"]\nparameter = \"/ci/aws/json\"\nprofile = \"secrets-admin\"\n"
    ));
    let creds = std::fs::read_to_string(b.sb.credentials()).unwrap();
    write_private(
        &b.sb.credentials(),
        &format!(
            "{creds}\n[secrets-admin]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            b.sb.admin.id, b.sb.admin.secret
        ),
    );
    write_private(
        &b.sb.config(),
        "[profile work]\nregion = eu-west-1\n\n[profile secrets-admin]\nregion = ap-northeast-1\n",
    );
    let initial = json!({"db_password": "keep-me", "AWS_ACCESS_KEY_ID": b.old.id});
    for region in ["eu-west-1", "us-east-1"] {
        b.ctl(&[
            "sm-create",
            "--name",
            "ci/aws",
            "--value",
            &initial.to_string(),
            "--region",
            region,
        ]);
    }
    b.ctl(&[
        "ssm-put",
        "--name",
        "/ci/aws/json",
        "--value",
        r#"{"team":"ci"}"#,
        "--region",
        "ap-northeast-1",
    ]);
    let run = b.rotate(&[]);
    run.expect_code(0);
    let (id, secret) = b.one_working_key();
    let sm = |region: &str| {
        let v = b.ctl(&["sm-get", "--name", "ci/aws", "--region", region]);
        serde_json::from_str::<Value>(v["value"].as_str().unwrap()).unwrap()
    };
    let eu = sm("eu-west-1");
    assert_eq!(eu["AWS_ACCESS_KEY_ID"], id.as_str());
    assert_eq!(eu["AWS_SECRET_ACCESS_KEY"], secret.as_str());
    assert_eq!(eu["db_password"], "keep-me");
    assert_eq!(
        sm("us-east-1"),
        initial,
        "the IAM region's secret is not the destination"
    );
    let p = b.ctl(&[
        "ssm-get",
        "--name",
        "/ci/aws/json",
        "--region",
        "ap-northeast-1",
    ]);
    let obj: Value = serde_json::from_str(p["value"].as_str().unwrap()).unwrap();
    assert_eq!(
        obj,
        json!({"team": "ci", "AWS_ACCESS_KEY_ID": id, "AWS_SECRET_ACCESS_KEY": secret})
    );
}

#[test]
fn rollback_restores_a_secret_already_written() {
    // The secret is written and confirmed with the new pair; the next
    // destination (an SSM parameter) refuses its write: the rollback puts
    // the old pair back in the secret, every other field kept.
    let b = bed(&format!(
        "{SECRET}[[destinations]]\nname = \"param\"\ntype = \"ssm\"\nprofiles = [\"work\"]\nparameter = \"/ci/aws/json\"\n"
    ));
    with_secret(&b);
    let (before, _) = b.secret_json("ci/aws");
    b.ctl(&["ssm-put", "--name", "/ci/aws/json", "--value", "{}"]);
    b.sb.proxy(
        "POST",
        "rules",
        &json!([{"action": "PutParameter", "fault": "invalid_token"}]).to_string(),
    );
    let run = b.rotate(&["--on-destination-failure", "rollback"]);
    run.expect_code(1);
    run.assert_no_secret(&[&b.old.secret]);
    assert!(run.stderr.contains("rolled back"), "{}", run.stderr);
    b.sb.proxy("POST", "rules", "[]");
    let keys = b.sb.keys_of("carol");
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_eq!(keys[0].0, b.old.id, "the new key was deleted");
    assert_eq!(b.file_pair(), (b.old.id.clone(), b.old.secret.clone()));
    // Written with the new pair, then restored: two writes, three versions.
    let puts: Vec<Value> =
        b.sb.proxy_log()
            .into_iter()
            .filter(|e| e["action"] == "PutSecretValue")
            .collect();
    assert_eq!(puts.len(), 2, "{puts:?}");
    assert!(puts.iter().all(|e| e["status"] == 200), "{puts:?}");
    let (obj, versions) = b.secret_json("ci/aws");
    assert_eq!(obj, before, "the old pair back, every other field kept");
    assert_eq!(versions, 3);
    assert_eq!(
        b.ctl(&["ssm-get", "--name", "/ci/aws/json"])["value"],
        "{}",
        "the refused parameter was never written"
    );
}

#[test]
fn the_environment_s_region_wins_over_the_profile_s_as_for_the_aws_cli() {
    // `work` says eu-west-1, AWS_DEFAULT_REGION says ap-south-1: the AWS
    // CLI would use ap-south-1, and so does the destination.
    let b = bed(SECRET);
    write_private(&b.sb.config(), "[profile work]\nregion = eu-west-1\n");
    let initial = json!({"AWS_ACCESS_KEY_ID": b.old.id});
    for region in ["ap-south-1", "eu-west-1"] {
        b.ctl(&[
            "sm-create",
            "--name",
            "ci/aws",
            "--value",
            &initial.to_string(),
            "--region",
            region,
        ]);
    }
    b.sb.keyturn()
        .args(["rotate", "work"])
        .env("AWS_DEFAULT_REGION", "ap-south-1")
        .run()
        .expect_code(0);
    let (id, _) = b.one_working_key();
    let sm = |region: &str| {
        let v = b.ctl(&["sm-get", "--name", "ci/aws", "--region", region]);
        serde_json::from_str::<Value>(v["value"].as_str().unwrap()).unwrap()
    };
    assert_eq!(sm("ap-south-1")["AWS_ACCESS_KEY_ID"], id.as_str());
    assert_eq!(sm("eu-west-1"), initial);
}

// ------------------------------------------------- crash matrices, per type
//
// kill -9 at every step a destination takes, then a rerun: every
// destination holds the new pair, the other fields unchanged, one key in
// IAM (no orphan), the key before it retired, no journal left. One bed per
// type: each case rotates the key the previous case left.

/// The checks after each case: the rotation from `prev` finished.
#[track_caller]
fn rotated_from(b: &Bed, prev: &str, case: &str) -> (String, String) {
    let keys = b.sb.keys_of("carol");
    let (id, secret) = b.file_pair();
    assert_eq!(keys.len(), 1, "{case}: one key must remain: {keys:?}");
    assert_eq!(keys[0].0, id, "{case}");
    assert_ne!(id, prev, "{case}: the key must have been rotated");
    assert!(b.sb.works(&id, &secret), "{case}");
    let journal = b.sb.home.join(".aws/.keyturn/journal");
    assert!(
        !journal.exists() || std::fs::read_dir(&journal).unwrap().count() == 0,
        "{case}: no journal may be left"
    );
    (id, secret)
}

/// `service`'s requests in the proxy's log, in order.
fn requests_of(b: &Bed, service: &str) -> Vec<String> {
    b.sb.proxy_log()
        .iter()
        .filter(|e| e["service"] == service)
        .map(|e| e["action"].as_str().unwrap_or("?").to_string())
        .collect()
}

/// One case of an AWS destination's matrix: `service`'s request `n` of a
/// rotation is held by the fault proxy, before it runs upstream ("hold")
/// or after, its answer unread ("hold_after"); keyturn is SIGKILLed, the
/// request let go, and `rotate` run again.
fn kill_at_aws_request(b: &Bed, service: &str, n: usize, fault: &str) {
    let case = format!("{service} request {n}, {fault}");
    b.sb.proxy(
        "POST",
        "rules",
        &json!([{"service": service, "skip": n, "times": 1, "fault": fault}]).to_string(),
    );
    let mut child = b.sb.keyturn().args(["rotate", "work"]).spawn();
    let mut held = Vec::new();
    wait_until(300, &format!("{case} to be held"), || {
        held = b.sb.proxy("GET", "held", "").as_array().unwrap().clone();
        !held.is_empty()
    });
    kill_group(&mut child);
    b.sb.proxy("POST", "rules", "[]");
    b.sb.proxy("POST", "release", "");
    // The released request has run (or was answered to nobody) before
    // the rerun starts: no stale request lands in the middle of it.
    wait_until(120, &format!("{case} to be logged"), || {
        b.sb.proxy_log()
            .iter()
            .any(|e| e["seq"] == held[0] && e["status"].is_number())
    });
    let rerun = b.rotate(&[]);
    if rerun.code != Some(0) {
        eprintln!("{case}: {}", rerun.stderr);
    }
    rerun.expect_code(0);
}

/// Every Secrets Manager request of a rotation: the preflight's describe
/// and read, the write's read (to merge) and put, the confirm's read back.
#[test]
fn secretsmanager_kill_at_every_request_then_rerun() {
    let b = bed(SECRET);
    with_secret(&b);
    b.rotate(&[]).expect_code(0);
    let mut prev = rotated_from(&b, &b.old.id, "the clean run").0;
    let table = requests_of(&b, "secretsmanager");
    assert_eq!(
        table,
        [
            "DescribeSecret",
            "GetSecretValue",
            "GetSecretValue",
            "PutSecretValue",
            "GetSecretValue"
        ],
        "the requests the matrix covers"
    );
    for (n, action) in table.iter().enumerate() {
        for fault in ["hold", "hold_after"] {
            kill_at_aws_request(&b, "secretsmanager", n, fault);
            let case = format!("{action} ({n}), {fault}");
            let (id, secret) = rotated_from(&b, &prev, &case);
            let (obj, _) = b.secret_json("ci/aws");
            assert_eq!(
                obj,
                json!({"db_password": "keep-me", "port": 5432, "AWS_ACCESS_KEY_ID": id, "AWS_SECRET_ACCESS_KEY": secret}),
                "{case}"
            );
            prev = id;
        }
    }
}

/// Every SSM request of a rotation with two SecureString parameters (a
/// KMS key each, kept).
#[test]
fn ssm_kill_at_every_request_then_rerun() {
    let b = bed(concat!(
        "[[destinations]]\nname = \"params\"\ntype = \"ssm\"\nprofiles = [\"work\"]\n",
        "id_parameter = \"/ci/id\"\nsecret_parameter = \"/ci/secret\"\n",
    ));
    for (name, v) in [("/ci/id", &b.old.id), ("/ci/secret", &b.old.secret)] {
        b.ctl(&[
            "ssm-put",
            "--name",
            name,
            "--value",
            v,
            "--key-id",
            "alias/ci-key",
        ]);
    }
    b.rotate(&[]).expect_code(0);
    let mut prev = rotated_from(&b, &b.old.id, "the clean run").0;
    let table = requests_of(&b, "ssm");
    assert_eq!(
        table,
        [
            // Preflight: each parameter readable, its KMS key described.
            "GetParameter",
            "DescribeParameters",
            "GetParameter",
            "DescribeParameters",
            // The write: each parameter's KMS key, then its value.
            "DescribeParameters",
            "PutParameter",
            "DescribeParameters",
            "PutParameter",
            // The confirm: both read back.
            "GetParameter",
            "GetParameter"
        ],
        "the requests the matrix covers"
    );
    for (n, action) in table.iter().enumerate() {
        for fault in ["hold", "hold_after"] {
            kill_at_aws_request(&b, "ssm", n, fault);
            let case = format!("{action} ({n}), {fault}");
            let (id, secret) = rotated_from(&b, &prev, &case);
            for (name, want) in [("/ci/id", &id), ("/ci/secret", &secret)] {
                let p = b.ctl(&["ssm-get", "--name", name]);
                assert_eq!(p["value"], want.as_str(), "{case}: {name}");
                assert_eq!(p["type"], "SecureString", "{case}: {name}");
                assert_eq!(p["key_id"], "alias/ci-key", "{case}: {name}");
            }
            prev = id;
        }
    }
}

/// Every step of a `.env` write, each an abort (as kill -9): after the
/// preflight's read, with the journal saying "writing", with the file's
/// lock taken, with the backup and the temp file written but not renamed,
/// right after the rename, after the write was journaled, after the
/// confirm. `recover` finishes.
#[test]
fn dotenv_kill_at_every_file_step_then_recover() {
    let b = bed(DOTENV);
    let mut prev = b.old.id.clone();
    for point in [
        "dotenv-after-preflight",
        "before-destination-write",
        "dotenv-after-lock",
        "abort-before-rename:app.env",
        "abort-after-rename:app.env",
        "after-destination-write",
        "after-destination-confirm",
    ] {
        let before = std::fs::read_to_string(&b.env_file).unwrap();
        let run =
            b.sb.keyturn()
                .args(["rotate", "work"])
                .env("KEYTURN_FAILPOINT", point)
                .run();
        assert_eq!(
            run.code, None,
            "keyturn should have died at {point}: {run:?}"
        );
        // Every point is at or before the destination's confirmation:
        // the key before it must still be Active (retired only after).
        let live = b.sb.keys_of("carol");
        assert!(
            live.iter().any(|(id, st)| *id == prev && st == "Active"),
            "{point}: the old key must stay Active until the .env is confirmed: {live:?}"
        );
        let renamed = std::fs::read_to_string(&b.env_file).unwrap() != before;
        assert_eq!(
            renamed,
            ![
                "dotenv-after-preflight",
                "before-destination-write",
                "dotenv-after-lock",
                "abort-before-rename:app.env"
            ]
            .contains(&point),
            "{point}: the file changed only once renamed"
        );
        // A crash in the preflight left no rotation to recover: rotate.
        let rerun = if point == "dotenv-after-preflight" {
            b.rotate(&[])
        } else {
            b.sb.keyturn().args(["recover"]).run()
        };
        if rerun.code != Some(0) {
            eprintln!("{point}: {}", rerun.stderr);
        }
        rerun.expect_code(0);
        let (id, secret) = rotated_from(&b, &prev, point);
        let v = b.dotenv();
        assert_eq!(v["AWS_ACCESS_KEY_ID"], id.as_str(), "{point}");
        assert_eq!(v["AWS_SECRET_ACCESS_KEY"], secret.as_str(), "{point}");
        let expected = ENV_TEXT.replace("{ID}", &id).replace("{SECRET}", &secret);
        assert_text_eq(&std::fs::read_to_string(&b.env_file).unwrap(), &expected);
        assert_eq!(mode(&b.env_file), 0o640, "{point}");
        // No temp file of an interrupted write left beside it.
        let strays: Vec<String> = std::fs::read_dir(b.sb.dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".app.env") && !n.contains("bak"))
            .collect();
        assert!(strays.is_empty(), "{point}: {strays:?}");
        prev = id;
    }
}

/// A `secretsmanager` destination whose `profile` is a role profile
/// (`role_arn` + `source_profile`): the SDK's credential chain assumes the
/// role with the source profile's key (moto, IAM auth on; the role trusts
/// that user's exact ARN), and the role's temporary credentials sign every
/// Secrets Manager request. The source user may only assume the role, so
/// its own key could not have written the secret.
#[test]
fn a_destination_signs_with_a_role_profile() {
    let b = bed(&format!("{SECRET}profile = \"dest-role\"\n"));
    with_secret(&b);
    let role = b.ctl(&["role", "--name", "dest-writer"]);
    let source_id = role["source_id"].as_str().unwrap();
    let creds = std::fs::read_to_string(b.sb.credentials()).unwrap();
    write_private(
        &b.sb.credentials(),
        &format!(
            "{creds}\n[dest-source]\naws_access_key_id = {source_id}\naws_secret_access_key = {}\n",
            role["source_secret"].as_str().unwrap()
        ),
    );
    write_private(
        &b.sb.config(),
        &format!(
            "[profile dest-role]\nrole_arn = {}\nsource_profile = dest-source\nrole_session_name = keyturn-dest\nregion = us-east-1\n",
            role["role_arn"].as_str().unwrap()
        ),
    );
    let run = b.rotate(&[]);
    run.expect_code(0);
    run.assert_no_secret(&[role["source_secret"].as_str().unwrap()]);
    let (id, secret) = b.one_working_key();
    let (obj, _) = b.secret_json("ci/aws");
    assert_eq!(
        obj,
        json!({"db_password": "keep-me", "port": 5432, "AWS_ACCESS_KEY_ID": id, "AWS_SECRET_ACCESS_KEY": secret})
    );
    let log = b.sb.proxy_log();
    // The source key signed one thing: the AssumeRole.
    let by_source: Vec<&str> = log
        .iter()
        .filter(|e| e["key_id"] == source_id)
        .map(|e| e["action"].as_str().unwrap_or("?"))
        .collect();
    assert!(
        !by_source.is_empty() && by_source.iter().all(|a| *a == "AssumeRole"),
        "{by_source:?}"
    );
    // Every Secrets Manager request: the role's temporary key (ASIA…).
    let sm: Vec<&Value> = log
        .iter()
        .filter(|e| e["service"] == "secretsmanager")
        .collect();
    assert!(sm.iter().any(|e| e["action"] == "PutSecretValue"), "{sm:?}");
    assert!(
        sm.iter()
            .all(|e| e["key_id"].as_str().is_some_and(|k| k.starts_with("ASIA"))),
        "{sm:?}"
    );
    // And moto says so: the source key was last used for STS.
    assert_eq!(b.ctl(&["last-used", "--name", source_id])["service"], "sts");
}
