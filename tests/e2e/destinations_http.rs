//! End-to-end: the HTTP destinations (issue 19) against real or
//! description-checked services: `vault` on a real OpenBao dev server,
//! `github` on a loopback server that checks every request against
//! GitHub's published OpenAPI description and opens the sealed boxes with
//! libsodium (PyNaCl), `gitlab` on a loopback server following GitLab's
//! documented variables API. The contract section calls each type through
//! the library; rotations of the real binary (moto, IAM auth on, through
//! the fault proxy) carry the key to them. Crash matrices kill keyturn
//! before and after each request of GitHub's, GitLab's and OpenBao's
//! (through vault_pass.py, a pass-through with the beds' holds and log);
//! the last section runs all three over HTTPS through a real tinyproxy.

use crate::common::*;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One HTTP/1.0 request to a bed on 127.0.0.1: (status, body).
fn call(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    write!(s, "{head}\r\n{body}").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, body.to_string())
}

/// Waits for a file a child writes once it is ready; panics if the child
/// exits first or after 120 s (a loaded machine).
fn wait_ready(file: &Path, child: &mut Child, what: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(s) = std::fs::read_to_string(file) {
            if !s.is_empty() {
                return s;
            }
        }
        if let Ok(Some(st)) = child.try_wait() {
            panic!("{what} exited early with {st}");
        }
        assert!(Instant::now() < deadline, "{what} did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A loopback bed (github_bed.py, gitlab_bed.py) with its control API.
struct Bed {
    port: u16,
    child: Child,
}

impl Drop for Bed {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Bed {
    fn start(dir: &Path, script: &str) -> Bed {
        Bed::start_with(dir, script, &[])
    }

    fn start_with(dir: &Path, script: &str, args: &[&str]) -> Bed {
        let port_file = dir.join(format!("{script}.port"));
        let mut child = Command::new(python())
            .arg(repo().join("tests/support").join(script))
            .args(args)
            .arg("--port-file")
            .arg(&port_file)
            .args(["--parent-pid", &std::process::id().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start bed");
        let port = wait_ready(&port_file, &mut child, script)
            .trim()
            .parse()
            .unwrap();
        Bed { port, child }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn control(&self, path: &str, body: &Value) -> Value {
        let (status, text) = call(self.port, "POST", path, &[], &body.to_string());
        assert_eq!(status, 200, "{path}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    fn state(&self) -> Value {
        let (status, text) = call(self.port, "GET", "/_bed/state", &[], "");
        assert_eq!(status, 200, "{text}");
        serde_json::from_str(&text).unwrap()
    }

    /// The bed saw only requests that match the service's description.
    #[track_caller]
    fn assert_no_violation(&self) {
        let v = &self.state()["violations"];
        assert_eq!(v, &json!([]), "requests outside the API description");
    }
}

/// A real OpenBao dev server (openbao_bed.py): root, read-only and
/// read-write tokens.
struct Bao {
    port: u16,
    addr: String,
    /// The CA's PEM file of a `--tls` server.
    ca: Option<String>,
    root: String,
    ro: String,
    rw: String,
    child: Child,
}

impl Drop for Bao {
    fn drop(&mut self) {
        // SIGTERM: the bed stops its bao server and exits.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

impl Bao {
    fn start_in(parent: &Path) -> Bao {
        Bao::launch(parent, false)
    }

    fn launch(parent: &Path, tls: bool) -> Bao {
        let dir = parent.join("bao");
        std::fs::create_dir_all(&dir).unwrap();
        let ready = dir.join("ready.json");
        let root = "root-token-for-tests-only".to_string();
        let mut child = Command::new(python())
            .arg(repo().join("tests/support/openbao_bed.py"))
            .arg("--ready-file")
            .arg(&ready)
            .args(["--root-token", &root])
            .args(["--parent-pid", &std::process::id().to_string()])
            .args(tls.then_some("--tls"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start openbao_bed.py");
        let v: Value = serde_json::from_str(&wait_ready(&ready, &mut child, "OpenBao")).unwrap();
        Bao {
            port: v["port"].as_u64().unwrap() as u16,
            addr: v["addr"].as_str().unwrap().into(),
            ca: v["ca"].as_str().map(str::to_string),
            ro: v["ro_token"].as_str().unwrap().into(),
            rw: v["rw_token"].as_str().unwrap().into(),
            root,
            child,
        }
    }

    fn addr(&self) -> String {
        self.addr.clone()
    }

    fn put(&self, path: &str, data: &Value) {
        let (s, t) = call(
            self.port,
            "POST",
            &format!("/v1/secret/data/{path}"),
            &[("X-Vault-Token", &self.root)],
            &json!({ "data": data }).to_string(),
        );
        assert_eq!(s, 200, "{t}");
    }

    /// The latest version's data and version number.
    fn get(&self, path: &str) -> (Value, u64) {
        let (s, t) = call(
            self.port,
            "GET",
            &format!("/v1/secret/data/{path}"),
            &[("X-Vault-Token", &self.root)],
            "",
        );
        assert_eq!(s, 200, "{t}");
        let v: Value = serde_json::from_str(&t).unwrap();
        (
            v["data"]["data"].clone(),
            v["data"]["metadata"]["version"].as_u64().unwrap(),
        )
    }
}

// ------------------------------------------------------------ the beds

fn github_bed(dir: &Path) -> Bed {
    let bed = Bed::start(dir, "github_bed.py");
    bed.control(
        "/_bed/seed",
        &json!({
            "tokens": {"ghp_writer0000000000000000000000000000": "write", "ghp_noperm00000000000000000000000000000": "none"},
            "repos": {"octo/app": {"id": 11, "environments": ["prod"]}, "octo/api": {"id": 12}, "octo/web": {"id": 13}},
            "orgs": ["octo"],
            "secrets": [
                {"scope": "repo:octo/app", "name": "OTHER", "value": "unchanged"},
                {"scope": "org:octo", "name": "AWS_SECRET_ACCESS_KEY", "value": "old", "visibility": "selected", "selected_repository_ids": [11, 13]}
            ]
        }),
    );
    bed
}

const GH_TOKEN: &str = "ghp_writer0000000000000000000000000000";

fn secret_of<'v>(state: &'v Value, scope: &str, name: &str) -> &'v Value {
    state["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["scope"] == scope && s["name"] == name)
        .unwrap_or_else(|| panic!("no secret {scope} {name} in {state}"))
}

const GL_TOKEN: &str = "glpat-maintainer-token-000";

fn gitlab_bed(dir: &Path) -> Bed {
    let bed = Bed::start(dir, "gitlab_bed.py");
    bed.control(
        "/_bed/seed",
        &json!({
            "tokens": {GL_TOKEN: "maintainer", "glpat-developer-token-000": "developer"},
            "projects": {"grp/app": 42},
            "groups": {"grp": 7},
            "variables": [
                {"owner": "project:42", "key": "AWS_ACCESS_KEY_ID", "value": "AKIAOLDOLDOLDOLDOLD1", "environment_scope": "production", "masked": false, "protected": false, "description": "kept"},
                {"owner": "project:42", "key": "AWS_ACCESS_KEY_ID", "value": "AKIASTAGINGSTAGING01", "environment_scope": "staging"},
                {"owner": "project:42", "key": "OTHER", "value": "unchanged"}
            ]
        }),
    );
    bed
}

fn var_of<'v>(state: &'v Value, owner: &str, key: &str, scope: &str) -> &'v Value {
    state["variables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["owner"] == owner && v["key"] == key && v["environment_scope"] == scope)
        .unwrap_or_else(|| panic!("no variable {owner} {key} {scope} in {state}"))
}

// ------------------------------------------------------------ rotations

impl Bao {
    fn start(sb: &Sandbox) -> Bao {
        Bao::start_in(sb.dir.path())
    }
}

fn settings(sb: &Sandbox, toml: &str) -> PathBuf {
    let xdg = sb.dir.path().join("xdg");
    std::fs::create_dir_all(xdg.join("keyturn")).unwrap();
    std::fs::write(xdg.join("keyturn/config.toml"), toml).unwrap();
    xdg
}

fn profile(sb: &Sandbox, name: &str, k: &Key) {
    write_private(
        &sb.credentials(),
        &format!(
            "[{name}]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            k.id, k.secret
        ),
    );
}

/// The pair the credentials file holds after a rotation (the profile is
/// the file's only one): the key id as botocore reads it, the secret from
/// its line.
fn new_pair(sb: &Sandbox, name: &str) -> (String, String) {
    let id = sb.botocore_profiles()[name]["creds"][0]
        .as_str()
        .unwrap()
        .to_string();
    let text = std::fs::read_to_string(sb.credentials()).unwrap();
    let secret = text
        .lines()
        .find_map(|l| l.strip_prefix("aws_secret_access_key = "))
        .unwrap()
        .trim()
        .to_string();
    (id, secret)
}

/// When the fault proxy answered DeleteAccessKey (its monotonic clock).
fn delete_time(sb: &Sandbox) -> f64 {
    sb.proxy_log()
        .iter()
        .filter(|e| e["action"] == "DeleteAccessKey")
        .filter_map(|e| e["t"].as_f64())
        .next()
        .expect("DeleteAccessKey in the proxy's log")
}

// ---------------------------------------------------------------- vault

fn vault_settings(sb: &Sandbox, extra: &str) -> PathBuf {
    settings(
        sb,
        &format!(
            "[[destinations]]\nname = \"bao\"\ntype = \"vault\"\nprofiles = [\"ci\"]\npath = \"ci/aws\"\n{extra}"
        ),
    )
}

#[test]
fn vault_gets_the_new_pair_merged_and_the_old_key_dies_after() {
    let sb = Sandbox::new();
    let bao = Bao::start(&sb);
    let old = sb.user("vaulted");
    profile(&sb, "ci", &old);
    bao.put(
        "ci/aws",
        &json!({"AWS_ACCESS_KEY_ID": old.id, "AWS_SECRET_ACCESS_KEY": old.secret, "region": "eu-west-1", "note": "kept"}),
    );
    let xdg = vault_settings(&sb, "");
    // Through the pass-through: its log orders OpenBao's requests against
    // the fault proxy's.
    let pass = vault_pass(&sb, &bao);
    let run = sb
        .keyturn()
        .env("XDG_CONFIG_HOME", &xdg)
        .env("VAULT_ADDR", pass.url())
        .env("VAULT_TOKEN", &bao.rw)
        .args(["rotate", "ci"])
        .run();
    run.expect_code(0);
    let (id, secret) = new_pair(&sb, "ci");
    run.assert_no_secret(&[&old.secret, &secret, &bao.rw]);
    // The old key was deleted only after the last destination, Vault,
    // was confirmed: its read back (the last OpenBao request) was
    // answered before IAM's DeleteAccessKey was.
    let reqs = pass.state()["requests"].as_array().unwrap().clone();
    let last = reqs.last().expect("OpenBao requests");
    assert_eq!(
        (
            last["method"].as_str(),
            last["path"].as_str(),
            last["status"].as_u64()
        ),
        (Some("GET"), Some("/v1/secret/data/ci/aws"), Some(200)),
        "the read back is the last request: {reqs:?}"
    );
    let deleted = delete_time(&sb);
    assert!(
        reqs.iter().all(|r| r["t_done"].as_f64().unwrap() < deleted),
        "an OpenBao request answered after the old key was deleted: {reqs:?}"
    );
    assert!(run.stdout.contains("bao"), "{}", run.stdout);
    let (data, version) = bao.get("ci/aws");
    assert_eq!(
        data,
        json!({"AWS_ACCESS_KEY_ID": id, "AWS_SECRET_ACCESS_KEY": secret, "region": "eu-west-1", "note": "kept"})
    );
    assert_eq!(version, 2, "one write");
    assert!(sb.works(&id, &secret));
    assert_eq!(sb.keys_of("vaulted").len(), 1);
    assert!(!sb.works(&old.id, &old.secret));
}

#[test]
fn vault_preflight_refusals_change_nothing() {
    let sb = Sandbox::new();
    let bao = Bao::start(&sb);
    let old = sb.user("vaultref");
    profile(&sb, "ci", &old);
    let creds = std::fs::read(sb.credentials()).unwrap();
    bao.put(
        "ci/aws",
        &json!({"AWS_ACCESS_KEY_ID": old.id, "AWS_SECRET_ACCESS_KEY": old.secret}),
    );
    let xdg = vault_settings(&sb, "");
    let dead = format!("http://127.0.0.1:{}", free_port());
    for (addr, token, want) in [
        (bao.addr(), bao.ro.as_str(), "may not read and write"),
        (bao.addr(), "s.not-a-token", "not accepted"),
        (dead.clone(), bao.rw.as_str(), &dead),
    ] {
        let run = sb
            .keyturn()
            .env("XDG_CONFIG_HOME", &xdg)
            .env("VAULT_ADDR", &addr)
            .env("VAULT_TOKEN", token)
            .args(["rotate", "ci"])
            .run();
        run.expect_code(3);
        assert!(run.stderr.contains("vault bao"), "{}", run.stderr);
        assert!(run.stderr.contains(want), "{want}: {}", run.stderr);
        run.assert_no_secret(&[&old.secret, token]);
        assert_eq!(
            sb.keys_of("vaultref"),
            vec![(old.id.clone(), "Active".to_string())]
        );
        assert_eq!(std::fs::read(sb.credentials()).unwrap(), creds);
        assert_eq!(bao.get("ci/aws").1, 1, "nothing written");
    }
}

#[test]
fn vault_unavailable_mid_rotation_keeps_both_keys_and_recover_finishes() {
    let sb = Sandbox::new();
    let bao = Bao::start(&sb);
    let old = sb.user("vaultfail");
    profile(&sb, "ci", &old);
    bao.put(
        "ci/aws",
        &json!({"AWS_ACCESS_KEY_ID": old.id, "AWS_SECRET_ACCESS_KEY": old.secret}),
    );
    // Preflight passes with a token that can write, then the token is
    // revoked before the write: the write is refused mid-way.
    let tok = {
        let (s, t) = call(
            bao.port,
            "POST",
            "/v1/auth/token/create",
            &[("X-Vault-Token", &bao.root)],
            &json!({"policies": ["keyturn-write"], "num_uses": 3}).to_string(),
        );
        assert_eq!(s, 200, "{t}");
        serde_json::from_str::<Value>(&t).unwrap()["auth"]["client_token"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let xdg = vault_settings(&sb, "");
    let run = sb
        .keyturn()
        .env("XDG_CONFIG_HOME", &xdg)
        .env("VAULT_ADDR", bao.addr())
        .env("VAULT_TOKEN", &tok)
        .args(["rotate", "ci"])
        .run();
    run.expect_code(1);
    run.assert_no_secret(&[&old.secret, &tok]);
    assert!(run.stderr.contains("vault bao"), "{}", run.stderr);
    let keys = sb.keys_of("vaultfail");
    assert_eq!(keys.len(), 2, "both keys live: {keys:?}");
    assert!(sb.works(&old.id, &old.secret), "the old key still works");
    assert_eq!(bao.get("ci/aws").0["AWS_ACCESS_KEY_ID"], old.id.as_str());
    let rec = sb
        .keyturn()
        .env("XDG_CONFIG_HOME", &xdg)
        .env("VAULT_ADDR", bao.addr())
        .env("VAULT_TOKEN", &bao.rw)
        .args(["recover"])
        .run();
    rec.expect_code(0);
    let (id, secret) = new_pair(&sb, "ci");
    let (data, _) = bao.get("ci/aws");
    assert_eq!(data["AWS_ACCESS_KEY_ID"], id.as_str());
    assert_eq!(data["AWS_SECRET_ACCESS_KEY"], secret.as_str());
    assert_eq!(sb.keys_of("vaultfail").len(), 1);
    assert!(!sb.works(&old.id, &old.secret));
}

/// The pass-through (vault_pass.py) in front of `bao`: httpbed's holds
/// and request log around the real OpenBao.
fn vault_pass(sb: &Sandbox, bao: &Bao) -> Bed {
    Bed::start_with(sb.dir.path(), "vault_pass.py", &["--upstream", &bao.addr()])
}

// ---------------------------------------------------------------- github

fn github_settings(sb: &Sandbox, bed: &Bed) -> PathBuf {
    settings(
        sb,
        &format!(
            "[[destinations]]\nname = \"app\"\ntype = \"github\"\nprofiles = [\"ci\"]\nrepository = \"octo/app\"\napi_url = \"{u}\"\n\n\
             [[destinations]]\nname = \"prod\"\ntype = \"github\"\nprofiles = [\"ci\"]\nrepository = \"octo/app\"\nenvironment = \"prod\"\napi_url = \"{u}\"\n\n\
             [[destinations]]\nname = \"org\"\ntype = \"github\"\nprofiles = [\"ci\"]\norganization = \"octo\"\napi_url = \"{u}\"\n",
            u = bed.url()
        ),
    )
}

#[test]
fn github_repo_environment_and_org_secrets_get_the_sealed_pair() {
    let sb = Sandbox::new();
    let bed = github_bed(sb.dir.path());
    let old = sb.user("gh");
    profile(&sb, "ci", &old);
    let xdg = github_settings(&sb, &bed);
    let run = sb
        .keyturn()
        .env("XDG_CONFIG_HOME", &xdg)
        .env("GITHUB_TOKEN", GH_TOKEN)
        .args(["rotate", "ci"])
        .run();
    run.expect_code(0);
    let (id, secret) = new_pair(&sb, "ci");
    run.assert_no_secret(&[&old.secret, &secret, GH_TOKEN]);
    bed.assert_no_violation();
    let st = bed.state();
    for scope in ["repo:octo/app", "env:octo/app:prod", "org:octo"] {
        // Opened with libsodium by the bed: the plaintext is the new pair.
        assert_eq!(
            secret_of(&st, scope, "AWS_ACCESS_KEY_ID")["value"],
            id.as_str()
        );
        assert_eq!(
            secret_of(&st, scope, "AWS_SECRET_ACCESS_KEY")["value"],
            secret.as_str()
        );
    }
    assert_eq!(
        secret_of(&st, "repo:octo/app", "OTHER")["value"],
        "unchanged"
    );
    assert_eq!(secret_of(&st, "repo:octo/app", "OTHER")["writes"], 0);
    // The org secret kept its visibility and repositories; a new one is private.
    let org = secret_of(&st, "org:octo", "AWS_SECRET_ACCESS_KEY");
    assert_eq!(org["visibility"], "selected");
    assert_eq!(org["selected_repository_ids"], json!([11, 13]));
    assert_eq!(
        secret_of(&st, "org:octo", "AWS_ACCESS_KEY_ID")["visibility"],
        "private"
    );
    // Every write (and its confirming read) came before the old key's deletion.
    let deleted = delete_time(&sb);
    let last = st["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["t"].as_f64())
        .fold(0.0, f64::max);
    assert!(
        last < deleted,
        "a GitHub request after the old key was deleted"
    );
    assert!(!sb.works(&old.id, &old.secret));
}

#[test]
fn github_preflight_refusals_change_nothing() {
    let sb = Sandbox::new();
    let bed = github_bed(sb.dir.path());
    let old = sb.user("ghref");
    profile(&sb, "ci", &old);
    let creds = std::fs::read(sb.credentials()).unwrap();
    let one = |repo: &str| {
        settings(
            &sb,
            &format!(
                "[[destinations]]\nname = \"app\"\ntype = \"github\"\nprofiles = [\"ci\"]\nrepository = \"{repo}\"\napi_url = \"{}\"\n",
                bed.url()
            ),
        )
    };
    for (repo, token, want) in [
        ("octo/app", "ghp_bad", "does not accept the token"),
        (
            "octo/app",
            "ghp_noperm00000000000000000000000000000",
            "may not manage",
        ),
        ("octo/nope", GH_TOKEN, "octo/nope is not found"),
    ] {
        let run = sb
            .keyturn()
            .env("XDG_CONFIG_HOME", one(repo))
            .env("GH_TOKEN", token)
            .args(["rotate", "ci"])
            .run();
        run.expect_code(3);
        assert!(run.stderr.contains("github app"), "{}", run.stderr);
        assert!(run.stderr.contains(want), "{want}: {}", run.stderr);
        run.assert_no_secret(&[&old.secret, token]);
        assert_eq!(sb.keys_of("ghref").len(), 1, "no key created");
        assert_eq!(std::fs::read(sb.credentials()).unwrap(), creds);
    }
    let st = bed.state();
    assert!(
        st["requests"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["method"] == "GET"),
        "only reads at preflight"
    );
    bed.assert_no_violation();
}

#[test]
fn github_500_mid_way_keeps_both_keys_and_recover_finishes() {
    let sb = Sandbox::new();
    let bed = github_bed(sb.dir.path());
    let old = sb.user("gh500");
    profile(&sb, "ci", &old);
    let xdg = github_settings(&sb, &bed);
    // The environment's secret write fails (after the repository's).
    bed.control(
        "/_bed/faults",
        &json!([{"method": "PUT", "path": "/environments/prod/secrets/", "status": 500}]),
    );
    let run = sb
        .keyturn()
        .env("XDG_CONFIG_HOME", &xdg)
        .env("GITHUB_TOKEN", GH_TOKEN)
        .args(["rotate", "ci"])
        .run();
    run.expect_code(1);
    run.assert_no_secret(&[&old.secret, GH_TOKEN]);
    assert!(run.stderr.contains("github prod"), "{}", run.stderr);
    assert_eq!(sb.keys_of("gh500").len(), 2, "both keys live");
    assert!(sb.works(&old.id, &old.secret));
    bed.control("/_bed/reset-faults", &json!(null));
    let rec = sb
        .keyturn()
        .env("XDG_CONFIG_HOME", &xdg)
        .env("GITHUB_TOKEN", GH_TOKEN)
        .args(["recover"])
        .run();
    rec.expect_code(0);
    let (id, secret) = new_pair(&sb, "ci");
    let st = bed.state();
    for scope in ["repo:octo/app", "env:octo/app:prod", "org:octo"] {
        assert_eq!(
            secret_of(&st, scope, "AWS_ACCESS_KEY_ID")["value"],
            id.as_str()
        );
        assert_eq!(
            secret_of(&st, scope, "AWS_SECRET_ACCESS_KEY")["value"],
            secret.as_str()
        );
    }
    assert_eq!(sb.keys_of("gh500").len(), 1);
    assert!(!sb.works(&old.id, &old.secret));
    bed.assert_no_violation();
}

/// `--on-destination-failure rollback`: the organization's first write
/// fails (once) after the repository's and the environment's; every
/// destination gets the old pair back (opened with libsodium), the new key
/// is deleted, the old one works.
#[test]
fn github_rollback_restores_the_old_pair_everywhere() {
    let sb = Sandbox::new();
    let bed = github_bed(sb.dir.path());
    let old = sb.user("ghroll");
    profile(&sb, "ci", &old);
    let xdg = github_settings(&sb, &bed);
    bed.control(
        "/_bed/faults",
        &json!([{"method": "PUT", "path": "^/orgs/", "status": 500, "times": 1}]),
    );
    let run = sb
        .keyturn()
        .env("XDG_CONFIG_HOME", &xdg)
        .env("GITHUB_TOKEN", GH_TOKEN)
        .args(["rotate", "ci", "--on-destination-failure", "rollback"])
        .run();
    run.expect_code(1);
    run.assert_no_secret(&[&old.secret, GH_TOKEN]);
    assert!(run.stderr.contains("github org"), "{}", run.stderr);
    let keys = sb.keys_of("ghroll");
    assert_eq!(
        keys,
        vec![(old.id.clone(), "Active".to_string())],
        "the new key deleted"
    );
    assert!(sb.works(&old.id, &old.secret));
    let st = bed.state();
    for scope in ["repo:octo/app", "env:octo/app:prod"] {
        assert_eq!(
            secret_of(&st, scope, "AWS_ACCESS_KEY_ID")["value"],
            old.id.as_str()
        );
        assert_eq!(
            secret_of(&st, scope, "AWS_SECRET_ACCESS_KEY")["value"],
            old.secret.as_str()
        );
        assert_eq!(
            secret_of(&st, scope, "AWS_ACCESS_KEY_ID")["writes"],
            2,
            "new, then old"
        );
    }
    // The organization may have held either pair: it gets the old one,
    // its visibility and repositories kept.
    let org = secret_of(&st, "org:octo", "AWS_SECRET_ACCESS_KEY");
    assert_eq!(org["value"], old.secret.as_str());
    assert_eq!(org["selected_repository_ids"], json!([11, 13]));
    assert_eq!(
        secret_of(&st, "org:octo", "AWS_ACCESS_KEY_ID")["value"],
        old.id.as_str()
    );
    bed.assert_no_violation();
}

// ---------------------------------------------------------------- gitlab

#[test]
fn gitlab_project_and_group_variables_get_the_pair_flags_kept() {
    let sb = Sandbox::new();
    let bed = gitlab_bed(sb.dir.path());
    let old = sb.user("gl");
    profile(&sb, "ci", &old);
    let xdg = settings(
        &sb,
        &format!(
            "[[destinations]]\nname = \"app\"\ntype = \"gitlab\"\nprofiles = [\"ci\"]\nproject = \"grp/app\"\nenvironment_scope = \"production\"\nurl = \"{u}\"\n\n\
             [[destinations]]\nname = \"grp\"\ntype = \"gitlab\"\nprofiles = [\"ci\"]\ngroup = \"7\"\nurl = \"{u}\"\n",
            u = bed.url()
        ),
    );
    let run = sb
        .keyturn()
        .env("XDG_CONFIG_HOME", &xdg)
        .env("GITLAB_TOKEN", GL_TOKEN)
        .args(["rotate", "ci"])
        .run();
    run.expect_code(0);
    let (id, secret) = new_pair(&sb, "ci");
    run.assert_no_secret(&[&old.secret, &secret, GL_TOKEN]);
    bed.assert_no_violation();
    let st = bed.state();
    // The existing production variable: value changed, flags and description kept.
    let v = var_of(&st, "project:42", "AWS_ACCESS_KEY_ID", "production");
    assert_eq!(v["value"], id.as_str());
    assert_eq!(
        (v["masked"].clone(), v["protected"].clone()),
        (json!(false), json!(false))
    );
    assert_eq!(v["description"], "kept");
    // The staging one, another scope, untouched.
    assert_eq!(
        var_of(&st, "project:42", "AWS_ACCESS_KEY_ID", "staging")["value"],
        "AKIASTAGINGSTAGING01"
    );
    assert_eq!(var_of(&st, "project:42", "OTHER", "*")["writes"], 0);
    // New variables: created masked and protected.
    let s = var_of(&st, "project:42", "AWS_SECRET_ACCESS_KEY", "production");
    assert_eq!(s["value"], secret.as_str());
    assert_eq!(
        (s["masked"].clone(), s["protected"].clone()),
        (json!(true), json!(true))
    );
    assert_eq!(
        var_of(&st, "group:7", "AWS_ACCESS_KEY_ID", "*")["value"],
        id.as_str()
    );
    assert_eq!(
        var_of(&st, "group:7", "AWS_SECRET_ACCESS_KEY", "*")["value"],
        secret.as_str()
    );
    let deleted = delete_time(&sb);
    assert!(
        st["requests"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["t"].as_f64().unwrap() < deleted),
        "a GitLab request after the old key was deleted"
    );
    assert!(!sb.works(&old.id, &old.secret));
}

#[test]
fn gitlab_refusals_and_a_lost_reply_mid_way() {
    let sb = Sandbox::new();
    let bed = gitlab_bed(sb.dir.path());
    let old = sb.user("glref");
    profile(&sb, "ci", &old);
    let xdg = settings(
        &sb,
        &format!(
            "[[destinations]]\nname = \"app\"\ntype = \"gitlab\"\nprofiles = [\"ci\"]\nproject = \"grp/app\"\nenvironment_scope = \"production\"\nurl = \"{}\"\n",
            bed.url()
        ),
    );
    for (token, want) in [
        ("glpat-bad", "does not accept the token"),
        ("glpat-developer-token-000", "Maintainer"),
    ] {
        let run = sb
            .keyturn()
            .env("XDG_CONFIG_HOME", &xdg)
            .env("GITLAB_TOKEN", token)
            .args(["rotate", "ci"])
            .run();
        run.expect_code(3);
        assert!(run.stderr.contains(want), "{want}: {}", run.stderr);
        run.assert_no_secret(&[&old.secret, token]);
        assert_eq!(sb.keys_of("glref").len(), 1, "no key created");
    }
    // The secret's variable write: the reply is lost (carried out, no
    // answer); the retry by `recover` finds it and finishes.
    bed.control(
        "/_bed/faults",
        &json!([{"method": "POST", "path": "/variables$", "drop": true}]),
    );
    let run = sb
        .keyturn()
        .env("XDG_CONFIG_HOME", &xdg)
        .env("GITLAB_TOKEN", GL_TOKEN)
        .args(["rotate", "ci"])
        .run();
    run.expect_code(1);
    run.assert_no_secret(&[&old.secret, GL_TOKEN]);
    assert_eq!(sb.keys_of("glref").len(), 2, "both keys live");
    bed.control("/_bed/reset-faults", &json!(null));
    sb.keyturn()
        .env("XDG_CONFIG_HOME", &xdg)
        .env("GITLAB_TOKEN", GL_TOKEN)
        .args(["recover"])
        .run()
        .expect_code(0);
    let (id, secret) = new_pair(&sb, "ci");
    let st = bed.state();
    assert_eq!(
        var_of(&st, "project:42", "AWS_ACCESS_KEY_ID", "production")["value"],
        id.as_str()
    );
    assert_eq!(
        var_of(&st, "project:42", "AWS_SECRET_ACCESS_KEY", "production")["value"],
        secret.as_str()
    );
    assert_eq!(sb.keys_of("glref").len(), 1);
    bed.assert_no_violation();
}

// ---------------------------------------------------------------- crashes

/// One working key in IAM, the credentials file's; every scope of the bed
/// holds that pair (GitHub: opened with libsodium).
#[track_caller]
fn assert_github_holds_the_files_pair(sb: &Sandbox, bed: &Bed, user: &str) {
    let keys = sb.keys_of(user);
    assert_eq!(keys.len(), 1, "one key must remain: {keys:?}");
    let (id, secret) = new_pair(sb, "ci");
    assert_eq!(keys[0].0, id);
    assert!(sb.works(&id, &secret));
    let st = bed.state();
    for scope in ["repo:octo/app", "env:octo/app:prod", "org:octo"] {
        assert_eq!(
            secret_of(&st, scope, "AWS_ACCESS_KEY_ID")["value"],
            id.as_str()
        );
        assert_eq!(
            secret_of(&st, scope, "AWS_SECRET_ACCESS_KEY")["value"],
            secret.as_str()
        );
    }
    assert!(
        !sb.home.join(".aws/.keyturn/journal").exists()
            || std::fs::read_dir(sb.home.join(".aws/.keyturn/journal"))
                .unwrap()
                .count()
                == 0,
        "no journal left"
    );
}

/// keyturn is SIGKILLed while each of the six secret writes (three
/// destinations, two secrets each) is held by the bed, before it is
/// carried out and after (its answer never read); the rerun finishes.
#[test]
fn github_kill_at_every_write_then_rerun_finishes() {
    let sb = Sandbox::new();
    let bed = github_bed(sb.dir.path());
    let old = sb.user("ghcrash");
    profile(&sb, "ci", &old);
    let xdg = github_settings(&sb, &bed);
    for n in 0..6 {
        for hold in ["before", "after"] {
            bed.control(
                "/_bed/faults",
                &json!([{"method": "PUT", "path": "/secrets/", "skip": n, "times": 1, "hold": hold}]),
            );
            let mut child = sb
                .keyturn()
                .env("XDG_CONFIG_HOME", &xdg)
                .env("GITHUB_TOKEN", GH_TOKEN)
                .args(["rotate", "ci"])
                .spawn();
            wait_until(300, "a held write", || {
                let (_, t) = call(bed.port, "GET", "/_bed/held", &[], "");
                serde_json::from_str::<Value>(&t).unwrap()["held"] == 1
            });
            kill_group(&mut child);
            bed.control("/_bed/release", &json!(null));
            wait_until(300, "the held write to finish", || {
                let (_, t) = call(bed.port, "GET", "/_bed/held", &[], "");
                serde_json::from_str::<Value>(&t).unwrap()["held"] == 0
            });
            bed.control("/_bed/reset-faults", &json!(null));
            let rerun = sb
                .keyturn()
                .env("XDG_CONFIG_HOME", &xdg)
                .env("GITHUB_TOKEN", GH_TOKEN)
                .args(["rotate", "ci"])
                .run();
            if rerun.code != Some(0) {
                eprintln!("write {n}, hold {hold}: {:#}", bed.state());
            }
            rerun.expect_code(0);
            rerun.assert_no_secret(&[GH_TOKEN]);
            assert_github_holds_the_files_pair(&sb, &bed, "ghcrash");
        }
    }
    bed.assert_no_violation();
}

// ------------------------------------------------- the contract, per type
//
// Each type's Destination (preflight, write, confirm) called through the
// library against the same beds, without a rotation around it: what a
// write keeps, that a second write changes nothing, that confirm tells a
// written pair from an unwritten one.

mod contract {
    use super::*;
    use keyturn::dest::{Ctx, Dest, DestEnv, DestError, Destination, DestinationSpec, Pair};
    use keyturn::secret::Secret;

    fn spec(toml: &str) -> DestinationSpec {
        #[derive(serde::Deserialize)]
        struct F {
            destinations: Vec<DestinationSpec>,
        }
        let mut f: F = toml::from_str(toml).unwrap();
        let s = f.destinations.remove(0);
        s.validate().unwrap();
        s
    }

    fn run<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    struct World {
        env: DestEnv,
        endpoint: keyturn::sdk::Endpoint,
    }

    impl World {
        fn new(vars: &[(&str, &str)]) -> World {
            let vars: Vec<(String, String)> = vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            World {
                env: DestEnv::capture(|k| {
                    vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
                }),
                endpoint: keyturn::sdk::Endpoint::default(),
            }
        }

        fn cx(&self) -> Ctx<'_> {
            Ctx {
                env: &self.env,
                endpoint: &self.endpoint,
                signer: None,
                region: "us-east-1",
                request_token: "keyturn-test-0000000000000000000000000".into(),
                keep_backups: 1,
                lock_wait: Duration::from_secs(5),
                aws_files: None,
            }
        }

        /// preflight, write, confirm; then a second write and confirm.
        fn round(&self, s: &DestinationSpec, id: &str, secret: &Secret) -> Result<(), DestError> {
            let d = Dest::open(s);
            let pair = Pair::of(s, id, secret);
            run(async {
                let cx = self.cx();
                d.preflight(&cx).await?;
                let mark = d.write(&cx, &pair).await?;
                assert!(
                    d.confirm(&cx, &pair, &mark).await?,
                    "confirmed after the write"
                );
                let mark = d.write(&cx, &pair).await?;
                assert!(d.confirm(&cx, &pair, &mark).await?);
                Ok(())
            })
        }

        fn confirms(&self, s: &DestinationSpec, id: &str, secret: &Secret) -> bool {
            let d = Dest::open(s);
            run(d.confirm(&self.cx(), &Pair::of(s, id, secret), &None)).unwrap()
        }
    }

    #[test]
    fn vault_merges_with_cas_and_reads_back() {
        let sb_dir = tempfile::tempdir().unwrap();
        let bao = Bao::start_in(sb_dir.path());
        bao.put(
            "app",
            &json!({"AWS_ACCESS_KEY_ID": "AKIAOLD", "keep": "me"}),
        );
        let w = World::new(&[("VAULT_ADDR", &bao.addr()), ("VAULT_TOKEN", &bao.rw)]);
        let s = spec("[[destinations]]\nname = \"b\"\ntype = \"vault\"\npath = \"app\"\n");
        let secret = Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYNEWSECRET1");
        assert!(!w.confirms(&s, "AKIANEW", &secret), "not there yet");
        w.round(&s, "AKIANEW", &secret).unwrap();
        let (data, version) = bao.get("app");
        assert_eq!(
            data,
            json!({"AWS_ACCESS_KEY_ID": "AKIANEW", "AWS_SECRET_ACCESS_KEY": secret.expose(), "keep": "me"})
        );
        assert_eq!(version, 2, "the second write added no version");
        // A path nothing is stored at yet is created (CAS 0).
        let s2 = spec("[[destinations]]\nname = \"b\"\ntype = \"vault\"\npath = \"fresh/one\"\n");
        w.round(&s2, "AKIANEW", &secret).unwrap();
        assert_eq!(bao.get("fresh/one").1, 1);
        // Read-only token: refused at preflight, naming the path.
        let ro = World::new(&[("VAULT_ADDR", &bao.addr()), ("VAULT_TOKEN", &bao.ro)]);
        let e = ro.round(&s, "AKIANEW", &secret).unwrap_err();
        assert!(matches!(e, DestError::Refused { .. }), "{e}");
        assert!(e.to_string().contains("secret/data/app"), "{e}");
        assert!(!e.to_string().contains(&bao.ro));
    }

    /// Over HTTPS, the server's CA is trusted through VAULT_CACERT (on top
    /// of the system's roots), and only so.
    #[test]
    fn vault_over_tls_trusts_vault_cacert() {
        let dir = tempfile::tempdir().unwrap();
        let bao = Bao::launch(dir.path(), true);
        assert!(bao.addr().starts_with("https://"));
        let ca = bao.ca.clone().unwrap();
        let s = spec("[[destinations]]\nname = \"b\"\ntype = \"vault\"\npath = \"tls/aws\"\n");
        let secret = Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYNEWSECRET4");
        let w = World::new(&[
            ("VAULT_ADDR", &bao.addr()),
            ("VAULT_TOKEN", &bao.rw),
            ("VAULT_CACERT", &ca),
        ]);
        w.round(&s, "AKIANEW", &secret).unwrap();
        let untrusted = World::new(&[("VAULT_ADDR", &bao.addr()), ("VAULT_TOKEN", &bao.rw)]);
        let e = untrusted.round(&s, "AKIANEW", &secret).unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, DestError::Unavailable { .. }), "{text}");
        assert!(
            text.contains("VAULT_CACERT") && text.contains(&bao.addr()),
            "{text}"
        );
    }

    #[test]
    fn github_seals_for_the_scope_and_confirms_by_updated_at() {
        let dir = tempfile::tempdir().unwrap();
        let bed = github_bed(dir.path());
        let w = World::new(&[("GITHUB_API_URL", &bed.url()), ("GITHUB_TOKEN", GH_TOKEN)]);
        let secret = Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYNEWSECRET2");
        for (toml, scope) in [
            ("repository = \"octo/app\"", "repo:octo/app"),
            (
                "repository = \"octo/app\"\nenvironment = \"prod\"",
                "env:octo/app:prod",
            ),
            ("organization = \"octo\"", "org:octo"),
        ] {
            let s = spec(&format!(
                "[[destinations]]\nname = \"g\"\ntype = \"github\"\n{toml}\n"
            ));
            w.round(&s, "AKIANEW", &secret).unwrap();
            let st = bed.state();
            assert_eq!(
                secret_of(&st, scope, "AWS_ACCESS_KEY_ID")["value"],
                "AKIANEW"
            );
            assert_eq!(
                secret_of(&st, scope, "AWS_SECRET_ACCESS_KEY")["value"],
                secret.expose()
            );
        }
        let st = bed.state();
        let org = secret_of(&st, "org:octo", "AWS_SECRET_ACCESS_KEY");
        assert_eq!(org["visibility"], "selected");
        assert_eq!(org["selected_repository_ids"], json!([11, 13]));
        bed.assert_no_violation();
    }

    #[test]
    fn gitlab_creates_masked_updates_value_only() {
        let dir = tempfile::tempdir().unwrap();
        let bed = gitlab_bed(dir.path());
        let w = World::new(&[("CI_SERVER_URL", &bed.url()), ("GITLAB_TOKEN", GL_TOKEN)]);
        let secret = Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYNEWSECRET3");
        let s = spec(
            "[[destinations]]\nname = \"l\"\ntype = \"gitlab\"\nproject = \"grp/app\"\nenvironment_scope = \"production\"\n",
        );
        assert!(!w.confirms(&s, "AKIANEWNEWNEWNEWNEW1", &secret));
        w.round(&s, "AKIANEWNEWNEWNEWNEW1", &secret).unwrap();
        let st = bed.state();
        let v = var_of(&st, "project:42", "AWS_ACCESS_KEY_ID", "production");
        assert_eq!(v["value"], "AKIANEWNEWNEWNEWNEW1");
        assert_eq!(v["description"], "kept");
        assert_eq!(v["masked"], false);
        assert_eq!(v["writes"], 1, "the second write changed nothing");
        let n = var_of(&st, "project:42", "AWS_SECRET_ACCESS_KEY", "production");
        assert_eq!(
            (n["masked"].clone(), n["protected"].clone()),
            (json!(true), json!(true))
        );
        bed.assert_no_violation();
    }
}

/// `(method, path)` of each service request the bed saw, in order.
fn bed_requests(bed: &Bed) -> Vec<(String, String)> {
    bed.state()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["method"].as_str().unwrap().to_string(),
                r["path"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// One case of an HTTP destination's matrix: the bed holds its request
/// `n` (every request matching `path`) `hold` ("before": not yet carried
/// out; "after": carried out, its answer unsent); keyturn is SIGKILLed,
/// the request let go and finished, then `rotate` is run again.
fn kill_at_bed_request(
    sb: &Sandbox,
    bed: &Bed,
    env: &[(&str, &str)],
    path: &str,
    n: usize,
    hold: &str,
) {
    bed.control(
        "/_bed/faults",
        &json!([{"method": "*", "path": path, "skip": n, "times": 1, "hold": hold}]),
    );
    let held = || {
        let (_, t) = call(bed.port, "GET", "/_bed/held", &[], "");
        serde_json::from_str::<Value>(&t).unwrap()["held"]
            .as_u64()
            .unwrap()
    };
    let mut k = sb.keyturn().args(["rotate", "ci"]);
    for (name, v) in env {
        k = k.env(name, v);
    }
    let mut child = k.spawn();
    wait_until(300, "a held request", || held() == 1);
    kill_group(&mut child);
    bed.control("/_bed/release", &json!(null));
    // Until the released request is finished: none of the killed run's
    // lands during the rerun.
    wait_until(300, "the held request to finish", || held() == 0);
    bed.control("/_bed/reset-faults", &json!(null));
    let mut k = sb.keyturn().args(["rotate", "ci"]);
    for (name, v) in env {
        k = k.env(name, v);
    }
    let rerun = k.run();
    if rerun.code != Some(0) {
        eprintln!("request {n}, hold {hold}: {}", rerun.stderr);
    }
    rerun.expect_code(0);
    rerun.assert_no_secret(&env.iter().map(|(_, v)| *v).collect::<Vec<_>>()[1..]);
}

/// After a case: one key in IAM, the credentials file's, not `prev`; it
/// works; no journal left. The file's pair.
#[track_caller]
fn rotated_from(sb: &Sandbox, user: &str, prev: &str, case: &str) -> (String, String) {
    let keys = sb.keys_of(user);
    assert_eq!(keys.len(), 1, "{case}: one key must remain: {keys:?}");
    let (id, secret) = new_pair(sb, "ci");
    assert_eq!(keys[0].0, id, "{case}");
    assert_ne!(id, prev, "{case}: the key must have been rotated");
    assert!(sb.works(&id, &secret), "{case}");
    let journal = sb.home.join(".aws/.keyturn/journal");
    assert!(
        !journal.exists() || std::fs::read_dir(&journal).unwrap().count() == 0,
        "{case}: no journal left"
    );
    (id, secret)
}

/// kill -9 before and after each OpenBao request (capabilities, reads,
/// the CAS write, the read back), through the pass-through; the rerun
/// finishes: the new pair merged, the other fields kept, the old key gone.
#[test]
fn vault_kill_at_every_request_then_rerun() {
    let sb = Sandbox::new();
    let bao = Bao::start(&sb);
    let pass = vault_pass(&sb, &bao);
    let old = sb.user("vaultcrash");
    profile(&sb, "ci", &old);
    bao.put(
        "ci/aws",
        &json!({"AWS_ACCESS_KEY_ID": old.id, "AWS_SECRET_ACCESS_KEY": old.secret, "region": "eu-west-1", "note": "kept"}),
    );
    let xdg = vault_settings(&sb, "");
    let xdg = xdg.to_str().unwrap().to_string();
    let addr = pass.url();
    let env = [
        ("XDG_CONFIG_HOME", xdg.as_str()),
        ("VAULT_ADDR", addr.as_str()),
        ("VAULT_TOKEN", bao.rw.as_str()),
    ];
    let mut k = sb.keyturn().args(["rotate", "ci"]);
    for (name, v) in env {
        k = k.env(name, v);
    }
    k.run().expect_code(0);
    let mut prev = rotated_from(&sb, "vaultcrash", &old.id, "the clean run").0;
    let table = bed_requests(&pass);
    let data = "/v1/secret/data/ci/aws";
    assert_eq!(
        table,
        [
            // Preflight: what the token may do on the path; a KV v2 read.
            ("POST", "/v1/sys/capabilities-self"),
            ("GET", data),
            // The write: the version to merge into, the check-and-set write.
            ("GET", data),
            ("POST", data),
            // The confirm: read back.
            ("GET", data),
        ]
        .map(|(m, p)| (m.to_string(), p.to_string())),
        "the requests the matrix covers"
    );
    for (n, (method, path)) in table.iter().enumerate() {
        for hold in ["before", "after"] {
            let case = format!("{method} {path} ({n}), hold {hold}");
            kill_at_bed_request(&sb, &pass, &env, "^/v1/", n, hold);
            let (id, secret) = rotated_from(&sb, "vaultcrash", &prev, &case);
            assert_eq!(
                bao.get("ci/aws").0,
                json!({"AWS_ACCESS_KEY_ID": id, "AWS_SECRET_ACCESS_KEY": secret, "region": "eu-west-1", "note": "kept"}),
                "{case}"
            );
            prev = id;
        }
    }
}

/// kill -9 before and after each request of a GitLab project destination
/// (the project, each variable read, its write, the read backs); the rerun
/// finishes: both variables hold the new pair, the existing one's flags
/// and description kept, the other variables untouched.
#[test]
fn gitlab_kill_at_every_request_then_rerun() {
    let sb = Sandbox::new();
    let bed = gitlab_bed(sb.dir.path());
    let old = sb.user("glcrash");
    profile(&sb, "ci", &old);
    let xdg = settings(
        &sb,
        &format!(
            "[[destinations]]\nname = \"app\"\ntype = \"gitlab\"\nprofiles = [\"ci\"]\nproject = \"grp/app\"\nenvironment_scope = \"production\"\nurl = \"{}\"\n",
            bed.url()
        ),
    );
    let xdg = xdg.to_str().unwrap().to_string();
    let env = [
        ("XDG_CONFIG_HOME", xdg.as_str()),
        ("GITLAB_TOKEN", GL_TOKEN),
    ];
    let mut k = sb.keyturn().args(["rotate", "ci"]);
    for (name, v) in env {
        k = k.env(name, v);
    }
    k.run().expect_code(0);
    let first = rotated_from(&sb, "glcrash", &old.id, "the clean run").0;
    // A second clean run: its requests are every case's (the secret's
    // variable exists now: updated, where the first run created it).
    let seen = bed_requests(&bed).len();
    let mut k = sb.keyturn().args(["rotate", "ci"]);
    for (name, v) in env {
        k = k.env(name, v);
    }
    k.run().expect_code(0);
    let mut prev = rotated_from(&sb, "glcrash", &first, "the second clean run").0;
    let table = bed_requests(&bed)[seen..].to_vec();
    let p = "/api/v4/projects/grp%2Fapp";
    let id = format!("{p}/variables/AWS_ACCESS_KEY_ID");
    let sec = format!("{p}/variables/AWS_SECRET_ACCESS_KEY");
    assert_eq!(
        table,
        [
            // Preflight: the project, each variable readable.
            ("GET", p),
            ("GET", id.as_str()),
            ("GET", sec.as_str()),
            // The write: each variable read, then updated.
            ("GET", id.as_str()),
            ("PUT", id.as_str()),
            ("GET", sec.as_str()),
            ("PUT", sec.as_str()),
            // The confirm: both read back.
            ("GET", id.as_str()),
            ("GET", sec.as_str()),
        ]
        .map(|(m, p)| (m.to_string(), p.to_string())),
        "the requests the matrix covers"
    );
    for (n, (method, path)) in table.iter().enumerate() {
        for hold in ["before", "after"] {
            let case = format!("{method} {path} ({n}), hold {hold}");
            kill_at_bed_request(&sb, &bed, &env, "^/api/v4/", n, hold);
            let (id, secret) = rotated_from(&sb, "glcrash", &prev, &case);
            let st = bed.state();
            let v = var_of(&st, "project:42", "AWS_ACCESS_KEY_ID", "production");
            assert_eq!(v["value"], id.as_str(), "{case}");
            assert_eq!(
                (
                    v["masked"].clone(),
                    v["protected"].clone(),
                    v["description"].clone()
                ),
                (json!(false), json!(false), json!("kept")),
                "{case}"
            );
            let s = var_of(&st, "project:42", "AWS_SECRET_ACCESS_KEY", "production");
            assert_eq!(s["value"], secret.as_str(), "{case}");
            assert_eq!(
                var_of(&st, "project:42", "AWS_ACCESS_KEY_ID", "staging")["value"],
                "AKIASTAGINGSTAGING01",
                "{case}"
            );
            assert_eq!(
                var_of(&st, "project:42", "OTHER", "*")["writes"],
                0,
                "{case}"
            );
            prev = id;
        }
    }
    bed.assert_no_violation();
}

// ------------------------------------------------- through a real proxy

/// socat terminating TLS (a certificate of the test's CA) on a free port,
/// forwarding to a bed's plain port.
fn tls_in_front(port: u16, cert: &Path) -> (crate::cli_compat::Daemon, u16) {
    let tls = free_port();
    let mut child = Command::new(crate::cli_compat::tool("socat"))
        .arg(format!(
            "OPENSSL-LISTEN:{tls},bind=127.0.0.1,reuseaddr,fork,cert={},verify=0",
            cert.display()
        ))
        .arg(format!("TCP:127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_port(tls, &mut child, "socat");
    (crate::cli_compat::Daemon(child), tls)
}

/// The three HTTP types over HTTPS through a real tinyproxy
/// (`HTTPS_PROXY`): GitHub and GitLab beds behind TLS with a CA of the
/// test in `SSL_CERT_FILE`, OpenBao behind TLS with another CA, named only
/// by `VAULT_CACERT`.
/// Every server's port is CONNECTed to in tinyproxy's log and each holds
/// the new pair; a second rotation with `NO_PROXY` naming the host goes
/// direct (no new CONNECT) and succeeds too.
#[test]
fn github_gitlab_and_vault_over_https_through_a_proxy_and_no_proxy() {
    use crate::cli_compat::{connects, http_proxy, make_certs};
    let sb = Sandbox::new();
    let certs = sb.dir.path().join("certs");
    std::fs::create_dir_all(&certs).unwrap();
    let (ca, cert) = make_certs(&certs);
    let gh = github_bed(sb.dir.path());
    let gl = gitlab_bed(sb.dir.path());
    let bao = Bao::start(&sb);
    let vault_certs = sb.dir.path().join("vault-certs");
    std::fs::create_dir_all(&vault_certs).unwrap();
    let (vault_ca, vault_cert) = make_certs(&vault_certs);
    let (_gh_tls, gh_port) = tls_in_front(gh.port, &cert);
    let (_gl_tls, gl_port) = tls_in_front(gl.port, &cert);
    let (_bao_tls, bao_port) = tls_in_front(bao.port, &vault_cert);
    let old = sb.user("proxied");
    profile(&sb, "ci", &old);
    bao.put("ci/aws", &json!({"note": "kept"}));
    let xdg = settings(
        &sb,
        &format!(
            "[[destinations]]\nname = \"app\"\ntype = \"github\"\nprofiles = [\"ci\"]\nrepository = \"octo/app\"\napi_url = \"https://127.0.0.1:{gh_port}\"\n\n\
             [[destinations]]\nname = \"lab\"\ntype = \"gitlab\"\nprofiles = [\"ci\"]\nproject = \"grp/app\"\nenvironment_scope = \"production\"\nurl = \"https://127.0.0.1:{gl_port}\"\n\n\
             [[destinations]]\nname = \"bao\"\ntype = \"vault\"\nprofiles = [\"ci\"]\npath = \"ci/aws\"\n"
        ),
    );
    let (_proxy, pport, log) = http_proxy(sb.dir.path());
    let rotate = |no_proxy: Option<&str>| {
        let mut k = sb
            .keyturn()
            .env("XDG_CONFIG_HOME", &xdg)
            .env("GITHUB_TOKEN", GH_TOKEN)
            .env("GITLAB_TOKEN", GL_TOKEN)
            .env("VAULT_ADDR", format!("https://127.0.0.1:{bao_port}"))
            .env("VAULT_TOKEN", &bao.rw)
            .env("VAULT_CACERT", &vault_ca)
            .env("SSL_CERT_FILE", &ca)
            .env("HTTPS_PROXY", format!("http://127.0.0.1:{pport}"));
        // The sandbox's NO_PROXY names 127.0.0.1: through the proxy, none.
        k.cmd.env_remove("NO_PROXY");
        if let Some(n) = no_proxy {
            k = k.env("NO_PROXY", n);
        }
        let run = k.args(["rotate", "ci"]).run();
        run.expect_code(0);
        run.assert_no_secret(&[GH_TOKEN, GL_TOKEN, &bao.rw]);
        let (id, secret) = new_pair(&sb, "ci");
        let st = gh.state();
        assert_eq!(
            secret_of(&st, "repo:octo/app", "AWS_ACCESS_KEY_ID")["value"],
            id.as_str()
        );
        assert_eq!(
            secret_of(&st, "repo:octo/app", "AWS_SECRET_ACCESS_KEY")["value"],
            secret.as_str()
        );
        let st = gl.state();
        assert_eq!(
            var_of(&st, "project:42", "AWS_SECRET_ACCESS_KEY", "production")["value"],
            secret.as_str()
        );
        assert_eq!(
            bao.get("ci/aws").0,
            json!({"note": "kept", "AWS_ACCESS_KEY_ID": id, "AWS_SECRET_ACCESS_KEY": secret})
        );
        assert_eq!(sb.keys_of("proxied").len(), 1);
    };
    rotate(None);
    let seen: Vec<usize> = [gh_port, gl_port, bao_port]
        .iter()
        .map(|p| connects(&log, *p))
        .collect();
    assert!(
        seen.iter().all(|n| *n > 0),
        "a server with no CONNECT in tinyproxy's log {seen:?}:\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    rotate(Some("127.0.0.1"));
    let after: Vec<usize> = [gh_port, gl_port, bao_port]
        .iter()
        .map(|p| connects(&log, *p))
        .collect();
    assert_eq!(after, seen, "NO_PROXY was not honoured");
    gh.assert_no_violation();
}
