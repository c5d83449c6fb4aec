//! Admin mode (issue 20), for real: the built binary rotates a service
//! user's key on moto (IAM auth on, through the fault proxy) signed by an
//! operator, the key living only in a `.env` file (read back with
//! python-dotenv), a Secrets Manager secret and two SSM parameters (read
//! back with boto3). Each test checks the new pair in every destination
//! with every other field kept, the old key retired, the operator's own key
//! untouched and never in a destination or journal, and no secret in the
//! output.

use crate::common::*;
use serde_json::{json, Value};
use std::path::PathBuf;

const ENV_TEXT: &str =
    "# deployer\nAWS_ACCESS_KEY_ID={ID}\nDB_URL=\"postgres://db/app\"\nAWS_SECRET_ACCESS_KEY={SECRET}\n";

struct Bed {
    sb: Sandbox,
    /// Each managed user and its key before the run.
    old: Vec<(String, Key)>,
    creds_before: String,
}

fn set_mode(p: &std::path::Path, m: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
}

/// The settings' `[defaults]` of the beds that check a rotation's end
/// state at once: `retire = "delete"` named, so the old key goes in the
/// run (a managed user's default is `drain`, tested with [`drain_bed`]).
const DELETE_NOW: &str = "[defaults]\nretire = \"delete\"\n";

/// Users `names`, each with one key held only in `NAME.env`, the secret
/// `NAME/aws` and the parameters `/NAME/id` and `/NAME/secret`; the
/// operator's static key in `[ops]`; `extra` appended to each
/// `[[users]]` entry; `retire = "delete"` named in `[defaults]`.
fn bed(names: &[&str], extra: &str) -> Bed {
    bed_with(names, extra, DELETE_NOW)
}

/// [`bed`] with the policy left to the default (`drain`).
fn drain_bed(names: &[&str], extra: &str) -> Bed {
    bed_with(names, extra, "")
}

fn bed_with(names: &[&str], extra: &str, defaults: &str) -> Bed {
    let sb = Sandbox::new();
    let creds = format!(
        "[ops]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        sb.admin.id, sb.admin.secret
    );
    write_private(&sb.credentials(), &creds);
    let mut b = Bed {
        sb,
        old: Vec::new(),
        creds_before: creds,
    };
    let mut settings = defaults.to_string();
    for name in names {
        let k = b.sb.user(name);
        let env = b.env_file(name);
        std::fs::write(
            &env,
            ENV_TEXT
                .replace("{ID}", &k.id)
                .replace("{SECRET}", &k.secret),
        )
        .unwrap();
        set_mode(&env, 0o640);
        let secret = json!({"db_password": "keep-me", "AWS_ACCESS_KEY_ID": k.id, "AWS_SECRET_ACCESS_KEY": k.secret});
        b.ctl(&[
            "sm-create",
            "--name",
            &format!("{name}/aws"),
            "--value",
            &secret.to_string(),
        ]);
        b.ctl(&[
            "ssm-put",
            "--name",
            &format!("/{name}/id"),
            "--value",
            &k.id,
        ]);
        b.ctl(&[
            "ssm-put",
            "--name",
            &format!("/{name}/secret"),
            "--value",
            &k.secret,
        ]);
        settings.push_str(&format!(
            "[[destinations]]\nname = \"{name}-env\"\ntype = \"dotenv\"\npath = \"{}\"\n\
             [[destinations]]\nname = \"{name}-sm\"\ntype = \"secretsmanager\"\nsecret_id = \"{name}/aws\"\n\
             [[destinations]]\nname = \"{name}-ssm\"\ntype = \"ssm\"\nid_parameter = \"/{name}/id\"\nsecret_parameter = \"/{name}/secret\"\n\
             [[users]]\nname = \"{name}\"\ndestinations = [\"{name}-env\", \"{name}-sm\", \"{name}-ssm\"]\n{extra}\n",
            env.display()
        ));
        b.old.push((name.to_string(), k));
    }
    let dir = b.sb.home.join(".config/keyturn");
    std::fs::create_dir_all(&dir).unwrap();
    set_mode(&b.sb.home.join(".config"), 0o700);
    set_mode(&dir, 0o700);
    write_private(&dir.join("config.toml"), &settings);
    b
}

impl Bed {
    fn env_file(&self, name: &str) -> PathBuf {
        self.sb.dir.path().join(format!("{name}.env"))
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

    fn run(&self, args: &[&str]) -> Run {
        self.sb.keyturn().args(args).run()
    }

    /// What each destination of `name` holds: (.env, secret, parameters).
    fn held(&self, name: &str) -> [(String, String); 3] {
        let env = self.ctl(&["dotenv", "--path", self.env_file(name).to_str().unwrap()]);
        assert_eq!(env["DB_URL"], "postgres://db/app");
        let sm = self.ctl(&["sm-get", "--name", &format!("{name}/aws")]);
        let sm: Value = serde_json::from_str(sm["value"].as_str().unwrap()).unwrap();
        assert_eq!(sm["db_password"], "keep-me", "other fields kept");
        let id = self.ctl(&["ssm-get", "--name", &format!("/{name}/id")]);
        let secret = self.ctl(&["ssm-get", "--name", &format!("/{name}/secret")]);
        let s = |v: &Value| v.as_str().unwrap().to_string();
        [
            (
                s(&env["AWS_ACCESS_KEY_ID"]),
                s(&env["AWS_SECRET_ACCESS_KEY"]),
            ),
            (s(&sm["AWS_ACCESS_KEY_ID"]), s(&sm["AWS_SECRET_ACCESS_KEY"])),
            (s(&id["value"]), s(&secret["value"])),
        ]
    }

    /// `name` was rotated: one key left in IAM, not the old one, working,
    /// and the same new pair in all three destinations. Returns it.
    #[track_caller]
    fn rotated(&self, name: &str) -> (String, String) {
        let old = &self.old.iter().find(|(n, _)| n == name).unwrap().1;
        let held = self.held(name);
        let new = held[0].clone();
        assert!(held.iter().all(|p| *p == new), "one pair everywhere");
        assert_ne!(new.0, old.id, "{name} must have been rotated");
        let keys = self.sb.keys_of(name);
        assert_eq!(keys.len(), 1, "the old key is deleted: {keys:?}");
        assert_eq!(keys[0].0, new.0);
        assert!(self.sb.works(&new.0, &new.1));
        // The .env keeps its other bytes and its mode.
        let text = std::fs::read_to_string(self.env_file(name)).unwrap();
        assert_text_eq(
            &text,
            &ENV_TEXT.replace("{ID}", &new.0).replace("{SECRET}", &new.1),
        );
        assert_eq!(mode(&self.env_file(name)), 0o640);
        new
    }

    /// `name` was not touched: its old key alone in IAM and everywhere.
    #[track_caller]
    fn untouched(&self, name: &str, keys: usize) {
        let old = &self.old.iter().find(|(n, _)| n == name).unwrap().1;
        for p in self.held(name) {
            assert_eq!(p, (old.id.clone(), old.secret.clone()));
        }
        assert_eq!(self.sb.keys_of(name).len(), keys);
    }

    /// The operator's key: still its only Active key, the credentials file
    /// byte for byte as before, in no destination and no state file.
    #[track_caller]
    fn operator_untouched(&self) {
        let keys = self.sb.keys_of("keyturn-admin");
        assert_eq!(keys, vec![(self.sb.admin.id.clone(), "Active".to_string())]);
        assert_eq!(
            std::fs::read_to_string(self.sb.credentials()).unwrap(),
            self.creds_before
        );
        for (name, _) in &self.old {
            for (id, secret) in self.held(name) {
                assert_ne!(id, self.sb.admin.id);
                assert_ne!(secret, self.sb.admin.secret);
            }
        }
        let state = self.sb.home.join(".local/state/keyturn");
        for f in walk(&state) {
            let bytes = std::fs::read(&f).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains(&self.sb.admin.secret) && !text.contains(&self.sb.admin.id),
                "the operator's key in {}",
                f.display()
            );
        }
    }

    /// No journal left in the state folder.
    #[track_caller]
    fn no_journal(&self) {
        let dir = self.sb.home.join(".local/state/keyturn/journal");
        let left: Vec<_> = walk(&dir);
        assert!(left.is_empty(), "journals left: {left:?}");
    }

    /// Every secret of the run: old, new and the operator's.
    fn secrets(&self) -> Vec<String> {
        let mut out = vec![self.sb.admin.secret.clone()];
        for (name, k) in &self.old {
            out.push(k.secret.clone());
            out.extend(self.held(name).into_iter().map(|p| p.1));
        }
        out
    }
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[track_caller]
fn no_secret(b: &Bed, r: &Run) {
    let secrets = b.secrets();
    r.assert_no_secret(&secrets.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn a_static_admin_profile_rotates_a_user_into_its_three_destinations() {
    let b = bed(&["svc-deployer"], "");
    let r = b.run(&["rotate", "--user", "svc-deployer", "--profile", "ops"]);
    r.expect_code(0);
    let (new_id, _) = b.rotated("svc-deployer");
    b.operator_untouched();
    b.no_journal();
    no_secret(&b, &r);
    assert!(r.stdout.contains("svc-deployer"), "{}", r.stdout);
    for d in ["svc-deployer-env", "svc-deployer-sm", "svc-deployer-ssm"] {
        assert!(r.stdout.contains(d), "{}", r.stdout);
    }
    // Every IAM request was signed by the operator; the new key signed
    // only STS (its verification).
    for e in b.sb.proxy_log() {
        if e["key_id"] == new_id.as_str() {
            assert_eq!(e["service"], "sts", "{e}");
        }
        if e["service"] == "iam" {
            assert_eq!(e["key_id"], b.sb.admin.id.as_str(), "{e}");
        }
    }
}

#[test]
fn the_operator_through_role_arn_and_source_profile() {
    let b = bed(&["svc-ci"], "");
    let arn = operator_role(&b);
    std::fs::write(
        b.sb.config(),
        format!("[profile op-role]\nrole_arn = {arn}\nsource_profile = ops\n"),
    )
    .unwrap();
    let r =
        b.sb.keyturn()
            .env("AWS_PROFILE", "op-role")
            .args(["rotate", "--user", "svc-ci", "--output", "json"])
            .run();
    r.expect_code(0);
    b.rotated("svc-ci");
    b.operator_untouched();
    b.no_journal();
    no_secret(&b, &r);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v[0]["user"], "svc-ci");
    assert_eq!(v[0]["status"], "rotated");
    assert_eq!(v[0]["destinations"].as_array().unwrap().len(), 3);
    let log = b.sb.proxy_log();
    assert!(
        log.iter().any(|e| e["action"] == "AssumeRole"),
        "role assumed"
    );
    let creates: Vec<_> = log
        .iter()
        .filter(|e| e["action"] == "CreateAccessKey")
        .collect();
    assert_eq!(creates.len(), 1);
    assert!(
        creates[0]["key_id"].as_str().unwrap().starts_with("ASIA"),
        "signed by the role's session: {}",
        creates[0]
    );
}

#[test]
fn two_managed_users_concurrently() {
    let b = bed(&["svc-a", "svc-b"], "");
    let r = b.run(&["rotate", "--managed", "--jobs", "2", "--profile", "ops"]);
    r.expect_code(0);
    b.rotated("svc-a");
    b.rotated("svc-b");
    b.operator_untouched();
    b.no_journal();
    no_secret(&b, &r);
}

#[test]
fn a_second_active_key_is_refused_naming_its_last_use_and_nothing_changes() {
    let b = bed(&["svc-two"], "");
    let second = b.sb.add_key("svc-two");
    // The key in the destinations was made first: the other, newer one
    // is "current" to IAM, so the refusal names the first's last use.
    let r = b.run(&["rotate", "--user", "svc-two", "--profile", "ops"]);
    r.expect_code(3);
    assert!(r.stderr.contains("--delete-other-active"), "{}", r.stderr);
    assert!(
        r.stderr.contains("never used") || r.stderr.contains("last used"),
        "{}",
        r.stderr
    );
    b.untouched("svc-two", 2);
    no_secret(&b, &r);
    let _ = second;
}

#[test]
fn an_inactive_second_key_goes_only_with_delete_inactive() {
    let b = bed(&["svc-old"], "");
    let extra = b.sb.add_key("svc-old");
    b.sb.set_status("svc-old", &extra.id, "Inactive");
    let r = b.run(&["rotate", "--user", "svc-old", "--profile", "ops"]);
    r.expect_code(3);
    b.untouched("svc-old", 2);
    // The entry's `delete_inactive = true` lets it go unattended.
    let dir = b.sb.home.join(".config/keyturn/config.toml");
    let text = std::fs::read_to_string(&dir).unwrap() + "delete_inactive = true\n";
    write_private(&dir, &text);
    let r = b.run(&["rotate", "--user", "svc-old", "--profile", "ops"]);
    r.expect_code(0);
    b.rotated("svc-old");
    b.operator_untouched();
}

#[test]
fn a_user_without_an_entry_is_a_usage_error_saying_how_to_add_one() {
    let b = bed(&["svc-x"], "");
    let r = b.run(&["rotate", "--user", "nobody", "--profile", "ops"]);
    r.expect_code(2);
    assert!(r.stderr.contains("[[users]]"), "{}", r.stderr);
    b.untouched("svc-x", 1);
    assert!(b.sb.proxy_log().is_empty(), "no request sent");
}

#[test]
fn dry_run_shows_keys_destinations_and_retirement_and_changes_nothing() {
    let b = bed(&["svc-plan"], "");
    let r = b.run(&[
        "rotate",
        "--user",
        "svc-plan",
        "--profile",
        "ops",
        "--dry-run",
    ]);
    r.expect_code(0);
    for d in ["svc-plan-env", "svc-plan-sm", "svc-plan-ssm"] {
        assert!(r.stdout.contains(d), "{}", r.stdout);
    }
    assert!(r.stdout.contains("ready"), "{}", r.stdout);
    b.untouched("svc-plan", 1);
    assert!(!b
        .sb
        .proxy_log()
        .iter()
        .any(|e| e["action"] == "CreateAccessKey"));
}

/// A role the operator may assume (its exact ARN trusted, as moto wants).
fn operator_role(b: &Bed) -> String {
    awsctl_raw(&[
        "role",
        "--endpoint",
        &b.sb.moto_url(),
        "--admin-id",
        &b.sb.admin.id,
        "--admin-secret",
        &b.sb.admin.secret,
        "--name",
        "keyturn-ci",
    ])["arn"]
        .as_str()
        .unwrap()
        .to_string()
}

/// What a scheduled GitHub Actions job with OIDC has: no key of its own,
/// a role and a token file. moto under IAM auth cannot answer an unsigned
/// AssumeRoleWithWebIdentity, so the fault proxy signs it for moto with a
/// bed key (`web_identity`, documented in faultproxy.py): moto then mints
/// the role's real temporary credentials, which sign everything after.
#[test]
fn the_operator_through_web_identity() {
    let b = bed(&["svc-oidc"], "");
    let arn = operator_role(&b);
    b.sb.proxy(
        "POST",
        "config",
        &json!({"web_identity": {"id": b.sb.admin.id, "secret": b.sb.admin.secret}}).to_string(),
    );
    let token = b.sb.dir.path().join("oidc-token");
    std::fs::write(
        &token,
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmtleXR1cm4ifQ.c2ln",
    )
    .unwrap();
    let r =
        b.sb.keyturn()
            .env("AWS_ROLE_ARN", &arn)
            .env("AWS_WEB_IDENTITY_TOKEN_FILE", &token)
            .env("AWS_ROLE_SESSION_NAME", "keyturn-ci")
            .args(["rotate", "--user", "svc-oidc"])
            .run();
    r.expect_code(0);
    b.rotated("svc-oidc");
    b.operator_untouched();
    b.no_journal();
    no_secret(&b, &r);
    let log = b.sb.proxy_log();
    assert!(
        log.iter()
            .any(|e| e["action"] == "AssumeRoleWithWebIdentity"
                && e["fault"] == "web_identity_signed"
                && e["status"] == 200),
        "the token was exchanged"
    );
    for e in log.iter().filter(|e| e["service"] == "iam") {
        assert!(
            e["key_id"].as_str().unwrap().starts_with("ASIA"),
            "IAM signed by the role's session: {e}"
        );
    }
}

// ---- The crash matrix in admin mode ----------------------------------------
// keyturn dies (an abort at a failpoint, as kill -9 would, or a SIGKILL of
// its process group while a request is held by the proxy, sent or not),
// then `rotate --user` runs again: every destination holds the new pair,
// one key in IAM (no orphan), the old key deleted (the default policy),
// no journal left, the operator untouched.

#[track_caller]
fn finished_after_rerun(b: &Bed) {
    let r = b.run(&["rotate", "--user", "svc-crash", "--profile", "ops"]);
    r.expect_code(0);
    no_secret(b, &r);
    b.rotated("svc-crash");
    b.no_journal();
    b.operator_untouched();
}

fn crash_at(point: &str) {
    let b = bed(&["svc-crash"], "");
    let r =
        b.sb.keyturn()
            .env("KEYTURN_FAILPOINT", point)
            .args(["rotate", "--user", "svc-crash", "--profile", "ops"])
            .run();
    assert_eq!(r.code, None, "keyturn should have died at {point}: {r:?}");
    b.operator_untouched();
    finished_after_rerun(&b);
}

/// SIGKILL while the `skip`+1-th `action` request is held by the proxy;
/// `sent`: the request is then let through (it ran, its answer lost),
/// else it never reaches moto.
fn kill_during(action: &str, skip: u64, sent: bool) {
    let b = bed(&["svc-crash"], "");
    b.sb.proxy(
        "POST",
        "rules",
        &json!([{"action": action, "times": 1, "fault": "hold", "skip": skip}]).to_string(),
    );
    let mut child =
        b.sb.keyturn()
            .args(["rotate", "--user", "svc-crash", "--profile", "ops"])
            .spawn();
    wait_until(120, "the request to be held", || {
        !b.sb.proxy("GET", "held", "").as_array().unwrap().is_empty()
    });
    kill_group(&mut child);
    b.sb.proxy("POST", "rules", "[]");
    if sent {
        b.sb.proxy("POST", "release", "");
        wait_until(60, "the released request to be answered", || {
            b.sb.proxy_log()
                .iter()
                .any(|e| e["action"] == action && e["status"].is_number() && e["fault"] == "hold")
        });
    }
    finished_after_rerun(&b);
}

#[test]
fn crash_after_journal_started() {
    crash_at("after-journal-started");
}

#[test]
fn crash_after_create_before_the_secret_is_journaled() {
    crash_at("after-create");
}

#[test]
fn crash_after_journal_created() {
    crash_at("after-journal-created");
}

#[test]
fn crash_after_verify() {
    crash_at("after-verify");
}

#[test]
fn crash_before_a_destination_write() {
    crash_at("before-destination-write");
}

#[test]
fn crash_after_a_destination_write() {
    crash_at("after-destination-write");
}

#[test]
fn crash_after_a_destination_confirm() {
    crash_at("after-destination-confirm");
}

#[test]
fn crash_after_retire() {
    crash_at("after-retire");
}

#[test]
fn kill_before_create_access_key_reaches_iam() {
    kill_during("CreateAccessKey", 0, false);
}

#[test]
fn kill_after_create_access_key_ran_its_answer_lost() {
    kill_during("CreateAccessKey", 0, true);
}

#[test]
fn kill_during_verification_sts() {
    kill_during("GetCallerIdentity", 0, false);
    kill_during("GetCallerIdentity", 0, true);
}

#[test]
fn kill_before_and_after_the_secret_write() {
    kill_during("PutSecretValue", 0, false);
    kill_during("PutSecretValue", 0, true);
}

#[test]
fn kill_before_and_after_a_parameter_write() {
    kill_during("PutParameter", 1, false);
    kill_during("PutParameter", 1, true);
}

#[test]
fn kill_before_and_after_the_old_key_s_deletion() {
    kill_during("DeleteAccessKey", 0, false);
    kill_during("DeleteAccessKey", 0, true);
}

#[test]
fn status_managed_shows_each_user_s_key_age_use_destinations_and_staleness() {
    let b = bed(&["svc-s1", "svc-s2"], "");
    let old1 = b.old[0].1.id.clone();
    b.sb.proxy(
        "POST",
        "config",
        &json!({"backdate_days": {old1.clone(): 100}}).to_string(),
    );
    let r = b.run(&[
        "status",
        "--managed",
        "--profile",
        "ops",
        "--output",
        "json",
    ]);
    r.expect_code(0);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v[0]["user"], "svc-s1");
    assert_eq!(v[0]["key_id"], old1.as_str());
    assert_eq!(v[0]["stale"], true);
    assert!(v[0]["age_days"].as_u64().unwrap() >= 100);
    assert_eq!(v[1]["user"], "svc-s2");
    assert_eq!(v[1]["stale"], false);
    for u in [&v[0], &v[1]] {
        assert_eq!(u["keys"], 1);
        assert!(u["drain"].is_null() && u["pending"].is_null());
        assert_eq!(u["destinations"].as_array().unwrap().len(), 3);
        assert!(u["last_used"].is_object());
    }
    // Text: the key masked, STALE with the command that fixes it.
    let r = b.run(&["status", "--managed", "--profile", "ops"]);
    r.expect_code(0);
    assert!(!r.stdout.contains(&old1), "key ids are masked");
    assert!(
        r.stdout
            .contains("STALE: run `keyturn rotate --user svc-s1`"),
        "{}",
        r.stdout
    );
    no_secret(&b, &r);
    // An interrupted rotation: its state and each destination's.
    let crash =
        b.sb.keyturn()
            .env("KEYTURN_FAILPOINT", "after-destination-confirm")
            .args(["rotate", "--user", "svc-s2", "--profile", "ops"])
            .run();
    assert_eq!(crash.code, None);
    let before = b.sb.proxy_log().len();
    let r = b.run(&["status", "--managed", "--offline", "--output", "json"]);
    r.expect_code(0);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v[1]["pending"], "verified");
    assert_eq!(v[1]["destinations"][0]["state"], "confirmed");
    assert_eq!(v[1]["destinations"][2]["state"], "pending");
    assert_eq!(b.sb.proxy_log().len(), before, "--offline sends nothing");
}

#[test]
fn recover_finishes_an_interrupted_admin_rotation_signed_by_the_environment_s_operator() {
    let b = bed(&["svc-crash"], "");
    let r =
        b.sb.keyturn()
            .env("KEYTURN_FAILPOINT", "after-destination-write")
            .args(["rotate", "--user", "svc-crash", "--profile", "ops"])
            .run();
    assert_eq!(r.code, None);
    let r =
        b.sb.keyturn()
            .env("AWS_PROFILE", "ops")
            .args(["recover"])
            .run();
    r.expect_code(0);
    assert!(r.stdout.contains("recovered svc-crash"), "{}", r.stdout);
    no_secret(&b, &r);
    b.rotated("svc-crash");
    b.no_journal();
    b.operator_untouched();
}

/// A user in a second account (moto's 111111111111), reached through its
/// entry's `role_arn` assumed with the operator's credentials: IAM and its
/// secret and parameters there; the `.env` file local.
#[test]
fn a_second_account_through_the_entry_s_role_arn() {
    let sb = Sandbox::new();
    let ctl = |cmd: &str| {
        awsctl_raw(&[
            cmd,
            "--endpoint",
            &sb.moto_url(),
            "--admin-id",
            &sb.admin.id,
            "--admin-secret",
            &sb.admin.secret,
            "--name",
            "svc-far",
            "--role",
            "keyturn-operator",
        ])
    };
    let far = ctl("far-setup");
    let (old_id, old_secret) = (
        far["id"].as_str().unwrap().to_string(),
        far["secret"].as_str().unwrap().to_string(),
    );
    let role = far["role_arn"].as_str().unwrap().to_string();
    assert!(role.contains(":111111111111:"), "{role}");
    write_private(
        &sb.credentials(),
        &format!(
            "[ops]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            sb.admin.id, sb.admin.secret
        ),
    );
    let env = sb.dir.path().join("far.env");
    std::fs::write(
        &env,
        ENV_TEXT
            .replace("{ID}", &old_id)
            .replace("{SECRET}", &old_secret),
    )
    .unwrap();
    let dir = sb.home.join(".config/keyturn");
    std::fs::create_dir_all(&dir).unwrap();
    set_mode(&sb.home.join(".config"), 0o700);
    set_mode(&dir, 0o700);
    write_private(
        &dir.join("config.toml"),
        &format!(
            "[[destinations]]\nname = \"far-env\"\ntype = \"dotenv\"\npath = \"{}\"\n\
             [[destinations]]\nname = \"far-sm\"\ntype = \"secretsmanager\"\nsecret_id = \"svc-far/aws\"\n\
             [[destinations]]\nname = \"far-ssm\"\ntype = \"ssm\"\nid_parameter = \"/svc-far/id\"\nsecret_parameter = \"/svc-far/secret\"\n\
             [[users]]\nname = \"svc-far\"\naccount = \"111111111111\"\nrole_arn = \"{role}\"\n\
             retire = \"delete\"\n\
             destinations = [\"far-env\", \"far-sm\", \"far-ssm\"]\n",
            env.display()
        ),
    );
    let r = sb
        .keyturn()
        .args(["rotate", "--user", "svc-far", "--profile", "ops"])
        .run();
    r.expect_code(0);
    r.assert_no_secret(&[&old_secret, &sb.admin.secret]);
    let v = ctl("far-read");
    let keys = v["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "{keys:?}");
    let new_id = keys[0]["id"].as_str().unwrap().to_string();
    assert_ne!(new_id, old_id);
    let new_secret = v["secret_parameter"].as_str().unwrap().to_string();
    r.assert_no_secret(&[&new_secret]);
    assert_eq!(v["id_parameter"], new_id.as_str());
    assert_eq!(v["secret"]["AWS_ACCESS_KEY_ID"], new_id.as_str());
    assert_eq!(v["secret"]["AWS_SECRET_ACCESS_KEY"], new_secret.as_str());
    assert_eq!(v["secret"]["other"], 1);
    assert_text_eq(
        &std::fs::read_to_string(&env).unwrap(),
        &ENV_TEXT
            .replace("{ID}", &new_id)
            .replace("{SECRET}", &new_secret),
    );
    assert!(sb.works(&new_id, &new_secret));
    // The operator's own account and key are untouched.
    assert_eq!(
        sb.keys_of("keyturn-admin"),
        vec![(sb.admin.id.clone(), "Active".to_string())]
    );
    let log = sb.proxy_log();
    assert!(log.iter().any(|e| e["action"] == "AssumeRole"));
    for e in log.iter().filter(|e| e["service"] == "iam") {
        assert!(
            e["key_id"].as_str().unwrap().starts_with("ASIA"),
            "IAM in the second account signed by the role: {e}"
        );
    }
}

#[test]
fn a_destination_refused_at_preflight_changes_nothing() {
    let b = bed(&["svc-pre"], "");
    let path = b.sb.home.join(".config/keyturn/config.toml");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "secret_id = \"svc-pre/aws\"",
        "secret_id = \"no-such/secret\"",
    );
    write_private(&path, &text);
    let r = b.run(&["rotate", "--user", "svc-pre", "--profile", "ops"]);
    r.expect_code(3);
    assert!(r.stderr.contains("svc-pre-sm"), "{}", r.stderr);
    no_secret(&b, &r);
    b.untouched("svc-pre", 1);
    b.no_journal();
    assert!(!b
        .sb
        .proxy_log()
        .iter()
        .any(|e| e["action"] == "CreateAccessKey" || e["action"] == "PutParameter"));
}

/// CreateAccessKey's answer lost three times: `rotate --user` gives up
/// (exit 1, no journal, an attempt record left); the held calls then run
/// late and one makes a key whose secret nobody has.
fn late_key_after_a_run_gave_up(b: &Bed, user: &str) {
    b.sb.proxy(
        "POST",
        "rules",
        &json!([{"action": "CreateAccessKey", "fault": "late", "times": 3}]).to_string(),
    );
    let r = b.run(&["rotate", "--user", user, "--profile", "ops"]);
    r.expect_code(1);
    b.no_journal();
    b.sb.proxy("POST", "rules", "[]");
    b.sb.proxy("POST", "release", "");
    wait_until(60, "the late calls to run", || {
        b.sb.proxy_log()
            .iter()
            .filter(|e| e["fault"] == "late_executed")
            .count()
            == 3
    });
    assert_eq!(b.sb.keys_of(user).len(), 2, "one late key was made");
}

/// CreateAccessKey's answer lost three times: keyturn gives up, its
/// journal goes, an attempt record stays. IAM then runs the calls late and
/// one makes a key whose secret nobody has: the next `rotate --user`
/// deletes it (signed by the operator) before rotating.
#[test]
fn a_key_made_late_after_keyturn_gave_up_is_deleted_by_the_next_run() {
    let b = bed(&["svc-late"], "");
    late_key_after_a_run_gave_up(&b, "svc-late");
    let r = b.run(&["rotate", "--user", "svc-late", "--profile", "ops"]);
    r.expect_code(0);
    no_secret(&b, &r);
    b.rotated("svc-late");
    b.no_journal();
    b.operator_untouched();
}

/// The same late key, finished by `recover` instead: it sweeps every
/// managed user's attempt record in the state folder, signed by the
/// operator from the environment (`recover` takes no `--profile`), and
/// deletes the key whose secret nobody has. Nothing orphaned in IAM.
#[test]
fn recover_deletes_a_key_made_late_after_an_admin_run_gave_up() {
    let b = bed(&["svc-late2"], "");
    let before = b.sb.keys_of("svc-late2");
    late_key_after_a_run_gave_up(&b, "svc-late2");
    let r =
        b.sb.keyturn()
            .env("AWS_PROFILE", "ops")
            .args(["recover"])
            .run();
    assert!(r.code.is_some(), "{r:?}");
    no_secret(&b, &r);
    assert_eq!(
        b.sb.keys_of("svc-late2"),
        before,
        "the late key is deleted, the user's own key kept"
    );
    for e in
        b.sb.proxy_log()
            .iter()
            .filter(|e| e["action"] == "DeleteAccessKey")
    {
        assert_eq!(
            e["key_id"],
            b.sb.admin.id.as_str(),
            "signed by the operator: {e}"
        );
    }
    b.operator_untouched();
}

#[test]
fn the_operator_from_environment_keys() {
    let b = bed(&["svc-envop"], "");
    let r =
        b.sb.keyturn()
            .env("AWS_ACCESS_KEY_ID", &b.sb.admin.id)
            .env("AWS_SECRET_ACCESS_KEY", &b.sb.admin.secret)
            .args(["rotate", "--user", "svc-envop"])
            .run();
    r.expect_code(0);
    no_secret(&b, &r);
    b.rotated("svc-envop");
    b.operator_untouched();
    for e in b.sb.proxy_log().iter().filter(|e| e["service"] == "iam") {
        assert_eq!(e["key_id"], b.sb.admin.id.as_str(), "{e}");
    }
}

// ---- Drain, the default policy of managed users (issue 20) ----
//
// No assertion depends on the wall clock: the drain's grace is counted on
// the test clock `KEYTURN_TEST_NOW` (debug builds only, see
// `src/drain.rs`), set from the drain record's own `written_at` and IAM's
// recorded last use, as tests/e2e/drain.rs does. Later runs are
// `rotate --managed --max-age 60d` (the scheduled job's command): the new
// key is fresh, so they only advance the drains, and exit 5 ("nothing to
// do" for the rotation, as a profile's `rotate` beside its drains).

const HOUR: u64 = 3600;

fn state_drain_dir(b: &Bed) -> PathBuf {
    b.sb.home.join(".local/state/keyturn/drain")
}

/// The managed drain record of `old`, if pending.
fn drain_record(b: &Bed, old: &str) -> Option<Value> {
    let text = std::fs::read_to_string(state_drain_dir(b).join(format!("{old}.drain"))).ok()?;
    Some(serde_json::from_str(&text).unwrap())
}

fn drain_written_at(b: &Bed, old: &str) -> u64 {
    drain_record(b, old).expect("a managed drain record")["written_at"]
        .as_u64()
        .unwrap()
}

fn key_status(b: &Bed, user: &str, key: &str) -> Option<String> {
    b.sb.keys_of(user)
        .into_iter()
        .find(|(id, _)| id == key)
        .map(|(_, s)| s)
}

/// The scheduled job's run at test time `now`, signed by `[ops]`.
fn managed_run_at(b: &Bed, now: u64, extra: &[&str]) -> Run {
    b.sb.keyturn()
        .args([
            "rotate",
            "--managed",
            "--max-age",
            "60d",
            "--profile",
            "ops",
        ])
        .args(extra)
        .env("KEYTURN_TEST_NOW", now.to_string())
        .run()
}

/// `name` (a [`drain_bed`] user) rotated with the default policy: the new
/// pair everywhere, the old key still Active beside it. Returns the old
/// key and the new key id.
#[track_caller]
fn drained_user(b: &Bed, name: &str) -> (Key, String) {
    let old = b.old.iter().find(|(n, _)| n == name).unwrap().1.clone();
    let r = b.run(&["rotate", "--user", name, "--profile", "ops"]);
    r.expect_code(0);
    no_secret(b, &r);
    assert!(r.stdout.contains("kept Active while it drains"), "{r:?}");
    let held = b.held(name);
    let new = held[0].clone();
    assert!(held.iter().all(|p| *p == new), "one pair everywhere");
    assert_ne!(new.0, old.id);
    assert!(b.sb.works(&new.0, &new.1));
    let mut keys = b.sb.keys_of(name);
    keys.sort();
    let mut want = vec![
        (old.id.clone(), "Active".to_string()),
        (new.0.clone(), "Active".to_string()),
    ];
    want.sort();
    assert_eq!(keys, want, "the old key is kept Active while it drains");
    (old, new.0)
}

/// Every IAM request since `from` in the proxy log was signed by the
/// operator, and `action` was among them.
#[track_caller]
fn iam_by_operator(b: &Bed, from: usize, action: &str) {
    let log = b.sb.proxy_log();
    let iam: Vec<&Value> = log[from..]
        .iter()
        .filter(|e| e["service"] == "iam")
        .collect();
    for e in &iam {
        assert_eq!(e["key_id"], b.sb.admin.id.as_str(), "{e}");
    }
    assert!(
        iam.iter().any(|e| e["action"] == action),
        "{action}: {iam:?}"
    );
}

#[test]
fn a_managed_user_drains_by_default_with_its_record_in_the_state_folder() {
    let b = drain_bed(&["svc-dr"], "drain_grace = \"1h\"");
    // --dry-run says the old key would be drained, and from when it
    // could be deactivated.
    let r = b.run(&[
        "rotate",
        "--user",
        "svc-dr",
        "--profile",
        "ops",
        "--dry-run",
    ]);
    r.expect_code(0);
    assert!(
        r.stdout.contains("drain the old key") && r.stdout.contains("deactivated at the earliest"),
        "{r:?}"
    );
    b.untouched("svc-dr", 1);
    let (old, new) = drained_user(&b, "svc-dr");
    b.operator_untouched();
    b.no_journal();
    // The record: in the admin state folder, no profile, the user named,
    // the entry's grace (1h) over the run's default (1d); none beside the
    // credentials file.
    let rec = drain_record(&b, &old.id).expect("a record in $XDG_STATE_HOME/keyturn/drain");
    assert_eq!(rec["profile"], "", "{rec}");
    assert_eq!(rec["user_name"], "svc-dr", "{rec}");
    assert_eq!(rec["new_key_id"], new.as_str(), "{rec}");
    assert_eq!(rec["grace_s"], HOUR, "{rec}");
    assert_eq!(mode(&state_drain_dir(&b)), 0o700);
    assert_eq!(
        mode(&state_drain_dir(&b).join(format!("{}.drain", old.id))),
        0o600
    );
    assert!(!b.sb.home.join(".aws/.keyturn/drain").exists());
    // status --managed shows it.
    let r = b.run(&[
        "status",
        "--managed",
        "--profile",
        "ops",
        "--output",
        "json",
    ]);
    r.expect_code(0);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v[0]["drain"]["phase"], "active", "{v}");
    assert_eq!(v[0]["drain"]["old_key_id"], old.id.as_str(), "{v}");
    assert!(v[0]["drain"]["since"].is_string(), "{v}");
    let r = b.run(&["status", "--managed", "--profile", "ops"]);
    assert!(r.stdout.contains("draining old key"), "{r:?}");
    assert!(!r.stdout.contains(&old.id), "key ids are masked");
    // The entry removed from the settings: the drain is reported with
    // what to do, and the key left alone.
    let path = b.sb.home.join(".config/keyturn/config.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let cut = text.find("[[users]]").unwrap();
    write_private(&path, &text[..cut]);
    let w = drain_written_at(&b, &old.id);
    let r = managed_run_at(&b, w + 10 * HOUR, &[]);
    r.expect_code(1);
    assert!(r.stdout.contains("is gone from the settings"), "{r:?}");
    assert!(r.stdout.contains("put the entry back"), "{r:?}");
    assert_eq!(key_status(&b, "svc-dr", &old.id).as_deref(), Some("Active"));
    assert!(drain_record(&b, &old.id).is_some());
}

#[test]
fn a_use_of_the_old_key_after_the_write_keeps_it_and_names_the_caller() {
    let b = drain_bed(&["svc-use"], "drain_grace = \"1h\"");
    let (old, _) = drained_user(&b, "svc-use");
    let w = drain_written_at(&b, &old.id);
    crate::common::wait_until(30, "the clock to pass the drain's write", || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            > w
    });
    b.sb.use_key(&old, "eu-west-1");
    let l = b.sb.last_used("svc-use", &old.id)["date"].as_u64().unwrap();
    assert!(l > w, "the use must be recorded after the write");
    // Past the grace from the write, within it from the use: kept.
    let from = b.sb.proxy_log().len();
    let r = managed_run_at(&b, w + HOUR, &[]);
    r.expect_code(5);
    assert!(r.stdout.contains("stays Active until"), "{r:?}");
    assert!(
        r.stdout.contains("sts") && r.stdout.contains("eu-west-1"),
        "the straggler's service and region: {r:?}"
    );
    assert_eq!(
        key_status(&b, "svc-use", &old.id).as_deref(),
        Some("Active")
    );
    iam_by_operator(&b, from, "GetAccessKeyLastUsed");
    // JSON: the user's drain item.
    let r = managed_run_at(&b, w + HOUR, &["--output", "json"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let d = v
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["status"] == "drain")
        .unwrap_or_else(|| panic!("a drain item: {v}"));
    assert_eq!(d["user"], "svc-use", "{v}");
    assert_eq!(d["drain"]["action"], "waiting", "{v}");
    assert_eq!(d["drain"]["last_used"]["region"], "eu-west-1", "{v}");
    // status --managed names the caller too.
    let r = b.run(&[
        "status",
        "--managed",
        "--profile",
        "ops",
        "--output",
        "json",
    ]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v[0]["drain"]["last_used"]["region"], "eu-west-1", "{v}");
    assert_eq!(v[0]["drain"]["last_used"]["service"], "sts", "{v}");
    // Unused for a grace since that use: deactivated.
    let r = managed_run_at(&b, l + HOUR, &[]);
    assert!(r.stdout.contains("deactivated old key"), "{r:?}");
    assert_eq!(
        key_status(&b, "svc-use", &old.id).as_deref(),
        Some("Inactive")
    );
}

#[test]
fn unused_the_old_key_is_deactivated_then_deleted_by_later_operator_runs() {
    let b = drain_bed(&["svc-un"], "drain_grace = \"1h\"");
    let (old, new) = drained_user(&b, "svc-un");
    let w = drain_written_at(&b, &old.id);
    let r = managed_run_at(&b, w + HOUR - 1, &[]);
    r.expect_code(5);
    assert!(r.stdout.contains("stays Active until"), "{r:?}");
    assert_eq!(key_status(&b, "svc-un", &old.id).as_deref(), Some("Active"));
    let from = b.sb.proxy_log().len();
    let r = managed_run_at(&b, w + HOUR, &[]);
    r.expect_code(5);
    assert!(r.stdout.contains("deactivated old key"), "{r:?}");
    assert_eq!(
        key_status(&b, "svc-un", &old.id).as_deref(),
        Some("Inactive")
    );
    iam_by_operator(&b, from, "UpdateAccessKey");
    let r = managed_run_at(&b, w + 2 * HOUR - 1, &[]);
    assert!(r.stdout.contains("is Inactive; deleted after"), "{r:?}");
    let from = b.sb.proxy_log().len();
    let r = managed_run_at(&b, w + 2 * HOUR, &[]);
    r.expect_code(5);
    assert!(r.stdout.contains("deleted old key"), "{r:?}");
    iam_by_operator(&b, from, "DeleteAccessKey");
    assert_eq!(b.sb.keys_of("svc-un"), vec![(new, "Active".to_string())]);
    assert!(drain_record(&b, &old.id).is_none());
    b.operator_untouched();
}

/// Killed at each step of a managed drain (SIGABRT at a failpoint, as a
/// kill -9 would), the next run finishes it.
#[test]
fn a_kill_at_each_managed_drain_step_is_finished_by_the_next_run() {
    let b = drain_bed(&["svc-k"], "drain_grace = \"1h\"");
    let old = b.old[0].1.clone();
    // In the rotation: the record written, the journal not yet removed.
    let r =
        b.sb.keyturn()
            .env("KEYTURN_FAILPOINT", "after-drain-record")
            .args(["rotate", "--user", "svc-k", "--profile", "ops"])
            .run();
    assert_eq!(r.code, None, "killed at after-drain-record: {r:?}");
    let w = drain_written_at(&b, &old.id);
    let r = managed_run_at(&b, w + 60, &[]);
    r.expect_code(0);
    assert_eq!(drain_written_at(&b, &old.id), w, "a rerun keeps the start");
    b.no_journal();
    assert_eq!(key_status(&b, "svc-k", &old.id).as_deref(), Some("Active"));
    assert_eq!(b.sb.keys_of("svc-k").len(), 2);
    // UpdateAccessKey done, the record not yet updated.
    let r =
        b.sb.keyturn()
            .args([
                "rotate",
                "--managed",
                "--max-age",
                "60d",
                "--profile",
                "ops",
            ])
            .env("KEYTURN_TEST_NOW", (w + HOUR).to_string())
            .env("KEYTURN_FAILPOINT", "after-drain-deactivate")
            .run();
    assert_eq!(r.code, None, "killed at after-drain-deactivate: {r:?}");
    assert_eq!(
        key_status(&b, "svc-k", &old.id).as_deref(),
        Some("Inactive")
    );
    assert_eq!(drain_record(&b, &old.id).unwrap()["phase"], "active");
    // `recover` (admin journals and drains) adopts the deactivation.
    let r =
        b.sb.keyturn()
            .env("AWS_PROFILE", "ops")
            .env("KEYTURN_TEST_NOW", (w + HOUR + 10).to_string())
            .args(["recover"])
            .run();
    r.expect_code(0);
    assert!(r.stdout.contains("is Inactive; deleted after"), "{r:?}");
    assert_eq!(drain_record(&b, &old.id).unwrap()["phase"], "inactive");
    // DeleteAccessKey done, the record not yet removed.
    let r =
        b.sb.keyturn()
            .args([
                "rotate",
                "--managed",
                "--max-age",
                "60d",
                "--profile",
                "ops",
            ])
            .env("KEYTURN_TEST_NOW", (w + 3 * HOUR).to_string())
            .env("KEYTURN_FAILPOINT", "after-drain-delete")
            .run();
    assert_eq!(r.code, None, "killed at after-drain-delete: {r:?}");
    assert_eq!(key_status(&b, "svc-k", &old.id), None);
    assert!(drain_record(&b, &old.id).is_some());
    let r = managed_run_at(&b, w + 3 * HOUR, &[]);
    r.expect_code(5);
    assert!(r.stdout.contains("the drain is over"), "{r:?}");
    assert!(drain_record(&b, &old.id).is_none());
    assert_eq!(b.sb.keys_of("svc-k").len(), 1);
    b.operator_untouched();
}
