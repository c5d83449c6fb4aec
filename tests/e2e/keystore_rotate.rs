//! `keyturn rotate` of keys kept in aws-vault's keyring and granted's
//! storage, end to end: moto (IAM auth on, through the fault proxy), the
//! real store, and a reader that is not keyturn's for each (Python's
//! jwcrypto for the JWE files, gpg for pass, Python secretstorage for
//! gnome-keyring). Each test checks: the new key works (boto3), the old one
//! is gone from IAM, the item's other fields and metadata are unchanged,
//! the tool's cached sessions of the profile are purged, and nothing else
//! in the store changed. Nothing skips: a missing tool fails the test.

use crate::common::*;
use crate::keystore::{
    assert_items, creds, go_item, granted_item, own_attrs, run, ss_item, Gpg, JWE_WRITE,
};
use base64::Engine as _;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

fn unb64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

pub(crate) fn aws_vault_item(key: &str, id: &str, secret: &str) -> String {
    go_item(
        key,
        &creds(id, secret),
        &format!("aws-vault ({key})"),
        "",
        true,
    )
}

fn session_item(key: &str) -> String {
    let data = r#"{"AccessKeyId":"ASIASESSION000000001","SecretAccessKey":"s","SessionToken":"tok","Expiration":"2030-01-01T00:00:00Z"}"#;
    go_item(key, data, "aws-vault session", "aws-vault session", true)
}

/// aws-vault's session item key (`TYPE,B64URL(profile),B64URL(mfa),EXPIRY`).
pub(crate) fn session_key(profile: &str) -> String {
    let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!("sts.GetSessionToken,{},{},1900000000", e(profile), e(""))
}

/// The pair inside an item JSON, and the item with that pair blanked (to
/// compare everything else).
fn split_item(item: &str) -> ((String, String), Value) {
    let mut v: Value = serde_json::from_str(item).unwrap();
    let data: Value = serde_json::from_slice(&unb64(v["Data"].as_str().unwrap())).unwrap();
    let pair = (
        data["AccessKeyID"].as_str().unwrap().to_string(),
        data["SecretAccessKey"].as_str().unwrap().to_string(),
    );
    let mut rest = data.clone();
    rest["AccessKeyID"] = json!("");
    rest["SecretAccessKey"] = json!("");
    v["Data"] = rest;
    (pair, v)
}

/// After a rotation: `after` holds a new pair that works, the old key is
/// gone from IAM, and every other field of the item is as it was.
#[track_caller]
pub(crate) fn assert_rotated(
    sb: &Sandbox,
    user: &str,
    old: &Key,
    before: &str,
    after: &str,
) -> Key {
    let ((id0, _), rest0) = split_item(before);
    let ((id, secret), rest) = split_item(after);
    assert_eq!(id0, old.id);
    assert_ne!(id, old.id, "the item still holds the old key");
    assert_eq!(rest, rest0, "the item's other fields changed");
    // Byte-exact apart from the two values (the item JSON as Go writes it).
    let data0 = String::from_utf8(unb64(
        serde_json::from_str::<Value>(before).unwrap()["Data"]
            .as_str()
            .unwrap(),
    ))
    .unwrap();
    let data = String::from_utf8(unb64(
        serde_json::from_str::<Value>(after).unwrap()["Data"]
            .as_str()
            .unwrap(),
    ))
    .unwrap();
    assert_eq!(
        data,
        data0.replace(&old.id, &id).replace(&old.secret, &secret)
    );
    assert!(sb.works(&id, &secret), "the new key must work");
    let keys = sb.keys_of(user);
    assert_eq!(keys, [(id.clone(), "Active".to_string())], "{keys:?}");
    Key { id, secret }
}

/// Every file under `dir` with its bytes.
pub(crate) fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// `after` is `before` with exactly `changed` changed and `gone` removed.
#[track_caller]
fn assert_only(
    before: &BTreeMap<PathBuf, Vec<u8>>,
    after: &BTreeMap<PathBuf, Vec<u8>>,
    changed: &[&Path],
    gone: &[&Path],
) {
    for (p, bytes) in before {
        if gone.contains(&p.as_path()) {
            assert!(!after.contains_key(p), "{} should be gone", p.display());
        } else if changed.contains(&p.as_path()) {
            assert_ne!(after.get(p), Some(bytes), "{} should change", p.display());
        } else {
            assert_eq!(after.get(p), Some(bytes), "{} changed", p.display());
        }
    }
    let extra: Vec<_> = after.keys().filter(|p| !before.contains_key(*p)).collect();
    assert!(extra.is_empty(), "new files appeared: {extra:?}");
}

// ------------------------------------------------------------ file (JWE)

const JWE_READ: &str = r#"
import sys
from jwcrypto import jwe, jwk
path, passphrase = sys.argv[1], sys.stdin.read()
tok = jwe.JWE(algs=["PBES2-HS256+A128KW", "A256GCM"])
tok.deserialize(open(path).read(), key=jwk.JWK.from_password(passphrase))
sys.stdout.write(tok.payload.decode())
"#;

pub(crate) fn jwe_write(dir: &Path, passphrase: &str, files: &[(&str, String)]) {
    let files: serde_json::Map<String, Value> = files
        .iter()
        .map(|(n, p)| (n.to_string(), Value::String(p.clone())))
        .collect();
    let spec = json!({"dir": dir, "passphrase": passphrase, "files": files});
    run(
        Command::new(python()).args(["-c", JWE_WRITE]),
        Some(&spec.to_string()),
    );
}

pub(crate) fn jwe_read(path: &Path, passphrase: &str) -> String {
    run(
        Command::new(python()).args(["-c", JWE_READ]).arg(path),
        Some(passphrase),
    )
}

pub(crate) const PASSPHRASE: &str = "correct horse";

/// An aws-vault file keyring: `dev` (the user's key), `other` and a
/// session of `dev` and of `other`; `~/.aws/config` as aws-vault users
/// have it (an empty profile, no key in the files).
pub(crate) struct VaultFiles {
    pub(crate) sb: Sandbox,
    pub(crate) old: Key,
    pub(crate) dir: PathBuf,
    pub(crate) sess_dev: String,
    pub(crate) config: String,
}

pub(crate) fn vault_files(config: &str) -> VaultFiles {
    let sb = Sandbox::new();
    let old = sb.user("vera");
    let dir = sb.home.join(".awsvault/keys");
    let sess_dev = session_key("dev");
    let sess_other = session_key("other");
    jwe_write(
        &dir,
        PASSPHRASE,
        &[
            ("dev", aws_vault_item("dev", &old.id, &old.secret)),
            (
                "other",
                aws_vault_item("other", "AKIAOTHER00000000003", "otherSecret"),
            ),
            (&sess_dev, session_item(&sess_dev)),
            (&sess_other, session_item(&sess_other)),
        ],
    );
    write_private(&sb.config(), config);
    VaultFiles {
        sb,
        old,
        dir,
        sess_dev,
        config: config.to_string(),
    }
}

#[test]
fn aws_vault_file_backend_rotates_in_place() {
    let v = vault_files("[profile dev]\nregion = us-east-1\n");
    let before_item = jwe_read(&v.dir.join("dev"), PASSPHRASE);
    let before = snapshot(&v.sb.home);
    let r =
        v.sb.keyturn()
            .args(["rotate", "dev"])
            .env("AWS_VAULT_BACKEND", "file")
            .env("AWS_VAULT_FILE_PASSPHRASE", PASSPHRASE)
            .run();
    r.expect_code(0);
    r.assert_no_secret(&[&v.old.secret, PASSPHRASE]);
    assert!(r.stdout.contains("aws-vault"), "{}", r.stdout);
    let after_item = jwe_read(&v.dir.join("dev"), PASSPHRASE);
    let new = assert_rotated(&v.sb, "vera", &v.old, &before_item, &after_item);
    r.assert_no_secret(&[&new.secret]);
    // Only the item changed and the profile's session went; the files,
    // the other item and the other profile's session are as they were.
    let after = snapshot(&v.sb.home);
    let after_keys: BTreeMap<_, _> = after
        .into_iter()
        .filter(|(p, _)| !p.starts_with(v.sb.home.join(".aws/.keyturn")))
        .collect();
    assert_only(
        &before,
        &after_keys,
        &[&v.dir.join("dev")],
        &[&v.dir.join(&v.sess_dev)],
    );
    assert_eq!(
        std::fs::read_to_string(v.sb.config()).unwrap(),
        v.config,
        "the config file changed"
    );
    assert_eq!(mode(&v.dir.join("dev")), 0o600);
    // And back: the status of the key says where it lives.
    let s =
        v.sb.keyturn()
            .args(["status", "dev", "--output", "json"])
            .env("AWS_VAULT_BACKEND", "file")
            .env("AWS_VAULT_FILE_PASSPHRASE", PASSPHRASE)
            .run();
    s.expect_code(0);
    assert!(
        s.stdout.contains("\"store\": \"aws-vault\""),
        "{}",
        s.stdout
    );
}

#[test]
fn aws_vault_process_line_with_its_flags() {
    // The backend and folder come from the credential_process line itself.
    let v = vault_files(
        "[profile dev]\ncredential_process = aws-vault --backend=file export --format=json --no-session dev\n",
    );
    let before_item = jwe_read(&v.dir.join("dev"), PASSPHRASE);
    let r =
        v.sb.keyturn()
            .args(["rotate", "dev"])
            .env("AWS_VAULT_FILE_PASSPHRASE", PASSPHRASE)
            .run();
    r.expect_code(0);
    let after_item = jwe_read(&v.dir.join("dev"), PASSPHRASE);
    assert_rotated(&v.sb, "vera", &v.old, &before_item, &after_item);
    assert!(!v.dir.join(&v.sess_dev).exists());
}

#[test]
fn aws_vault_file_backend_refusals() {
    let v = vault_files("[profile dev]\nregion = us-east-1\n[profile temp]\n");
    // An item holding temporary credentials under a profile's name.
    let temp = creds("ASIATEMP000000000001", "t")
        .replace("\"SessionToken\":\"\"", "\"SessionToken\":\"tok\"");
    jwe_write(
        &v.dir,
        PASSPHRASE,
        &[("temp", go_item("temp", &temp, "aws-vault (temp)", "", true))],
    );
    let before = snapshot(&v.sb.home);
    // Wrong passphrase: refused, names the variable, nothing changed.
    let r =
        v.sb.keyturn()
            .args(["rotate", "dev"])
            .env("AWS_VAULT_BACKEND", "file")
            .env("AWS_VAULT_FILE_PASSPHRASE", "wrong")
            .run();
    r.expect_code(3);
    assert!(
        r.stderr.contains("AWS_VAULT_FILE_PASSPHRASE"),
        "{}",
        r.stderr
    );
    // No passphrase and no terminal.
    let r =
        v.sb.keyturn()
            .args(["rotate", "dev"])
            .env("AWS_VAULT_BACKEND", "file")
            .run();
    r.expect_code(3);
    assert!(
        r.stderr.contains("AWS_VAULT_FILE_PASSPHRASE"),
        "{}",
        r.stderr
    );
    // Not supported yet: the backend is named.
    let r =
        v.sb.keyturn()
            .args(["rotate", "dev", "--store", "aws-vault"])
            .env("AWS_VAULT_BACKEND", "keychain")
            .run();
    r.expect_code(3);
    assert!(r.stderr.contains("keychain"), "{}", r.stderr);
    // Japanese.
    let r =
        v.sb.keyturn()
            .args(["rotate", "dev", "--store", "aws-vault"])
            .env("AWS_VAULT_BACKEND", "wincred")
            .env("LANG", "ja_JP.UTF-8")
            .run();
    r.expect_code(3);
    assert!(
        r.stderr.contains("wincred") && r.stderr.contains("まだ対応していません"),
        "{}",
        r.stderr
    );
    // A session item is not a long-term key.
    let r =
        v.sb.keyturn()
            .args(["rotate", "temp"])
            .env("AWS_VAULT_BACKEND", "file")
            .env("AWS_VAULT_FILE_PASSPHRASE", PASSPHRASE)
            .run();
    r.expect_code(3);
    assert!(r.stderr.contains("long-term"), "{}", r.stderr);
    let after: BTreeMap<_, _> = snapshot(&v.sb.home)
        .into_iter()
        .filter(|(p, _)| !p.starts_with(v.sb.home.join(".aws/.keyturn")))
        .collect();
    assert_eq!(after, before, "a refusal changed files");
    assert_eq!(v.sb.keys_of("vera").len(), 1);
}

// ---------------------------------------------------------------- pass

#[test]
fn aws_vault_pass_backend_rotates_in_place() {
    let gpg = Gpg::new();
    let sb = Sandbox::new();
    let old = sb.user("paul");
    let dir = sb.home.join(".password-store");
    run(gpg.pass(&dir).args(["init", &gpg.fingerprint]), None);
    let sess = session_key("dev");
    for (name, item) in [
        (
            "dev".to_string(),
            aws_vault_item("dev", &old.id, &old.secret),
        ),
        (
            "ops".to_string(),
            aws_vault_item("ops", "AKIAOPS0000000000005", "o"),
        ),
        (sess.clone(), session_item(&sess)),
    ] {
        run(
            gpg.pass(&dir).args(["insert", "-m", "-f", &name]),
            Some(&item),
        );
    }
    write_private(&sb.config(), "[profile dev]\nregion = us-east-1\n");
    let before_item = gpg.decrypt(&dir.join("dev.gpg"));
    let before = snapshot(&dir);
    let r = sb
        .keyturn()
        .args(["rotate", "dev"])
        .env("AWS_VAULT_BACKEND", "pass")
        .env("AWS_VAULT_PASS_CMD", &gpg.pass)
        .run();
    r.expect_code(0);
    r.assert_no_secret(&[&old.secret]);
    let after_item = gpg.decrypt(&dir.join("dev.gpg"));
    assert_rotated(&sb, "paul", &old, &before_item, &after_item);
    assert_only(
        &before,
        &snapshot(&dir),
        &[&dir.join("dev.gpg")],
        &[&dir.join(format!("{sess}.gpg"))],
    );

    // `pass` missing: refused, names the command.
    let r = sb
        .keyturn()
        .args(["rotate", "dev", "--store", "aws-vault"])
        .env("AWS_VAULT_BACKEND", "pass")
        .env("AWS_VAULT_PASS_CMD", "/nonexistent/bin/pass")
        .run();
    r.expect_code(3);
    assert!(r.stderr.contains("/nonexistent/bin/pass"), "{}", r.stderr);
}

// ---------------------------------------------------------- secret-service

struct Keyring {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    _home: tempfile::TempDir,
}

impl Keyring {
    fn start() -> Keyring {
        let script = repo().join("tests/support/keystore_ss.py");
        let home = tempfile::tempdir().unwrap();
        let runtime = home.path().join("run");
        std::fs::create_dir(&runtime).unwrap();
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
        let mut child = Command::new("dbus-run-session")
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("share"))
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_RUNTIME_DIR", &runtime)
            .arg("--")
            .arg(python())
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("dbus-run-session (Debian: dbus-daemon) must be installed: see .ci/run");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Keyring {
            child,
            stdin,
            stdout,
            _home: home,
        }
    }

    fn ask(&mut self, req: Value) -> Value {
        writeln!(self.stdin, "{req}").unwrap();
        self.stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        assert!(!line.is_empty(), "the keyring helper died on {req}");
        serde_json::from_str(&line).unwrap()
    }

    fn dump(&mut self, label: &str) -> Vec<Value> {
        self.ask(json!({"op": "dump", "label": label}))
            .as_array()
            .unwrap()
            .clone()
    }
}

impl Drop for Keyring {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "{}", json!({"op": "quit"}));
        let _ = self.stdin.flush();
        let mut line = String::new();
        let _ = self.stdout.read_line(&mut line);
        let _ = self.child.wait();
    }
}

/// Each item of `before` is still there (same path, label, attributes,
/// content type); `dev` holds a new working pair, the others their secret.
#[track_caller]
fn assert_items_rotated(sb: &Sandbox, user: &str, old: &Key, before: &[Value], after: &[Value]) {
    for b in before {
        let a = after.iter().find(|a| a["path"] == b["path"]).unwrap();
        for f in ["label", "content_type"] {
            assert_eq!(a[f], b[f], "{f}");
        }
        assert_eq!(own_attrs(&a["attrs"]), own_attrs(&b["attrs"]));
        if b["label"] == "dev" {
            assert_rotated(
                sb,
                user,
                old,
                b["secret"].as_str().unwrap(),
                a["secret"].as_str().unwrap(),
            );
        } else {
            assert_eq!(a["secret"], b["secret"]);
        }
    }
}

#[test]
fn aws_vault_secret_service_rotates_in_place() {
    let sb = Sandbox::new();
    let old = sb.user("sera");
    let mut kr = Keyring::start();
    let sess = session_key("dev");
    let setup = kr.ask(json!({"op": "setup", "collections": [
        {"label": "awsvault", "items": [
            ss_item("dev", aws_vault_item("dev", &old.id, &old.secret)),
            ss_item("other", aws_vault_item("other", "AKIAOTHER00000000003", "x")),
            ss_item(&sess, session_item(&sess)),
        ]},
    ]}));
    let bus = setup["bus"].as_str().unwrap().to_string();
    write_private(&sb.config(), "[profile dev]\nregion = us-east-1\n");
    let before = kr.dump("awsvault");
    let r = sb
        .keyturn()
        .args(["rotate", "dev"])
        .env("DBUS_SESSION_BUS_ADDRESS", &bus)
        .run();
    r.expect_code(0);
    r.assert_no_secret(&[&old.secret]);
    let after = kr.dump("awsvault");
    // The session is gone; the other items are untouched; dev is the same
    // item (path, label, attributes, content type) with the new pair.
    assert_eq!(after.len(), before.len() - 1, "{after:#?}");
    assert!(after.iter().all(|i| i["label"] != sess.as_str()));
    let kept: Vec<Value> = before
        .iter()
        .filter(|i| i["label"] != sess.as_str())
        .cloned()
        .collect();
    assert_items_rotated(&sb, "sera", &old, &kept, &after);

    // A locked collection is refused with a message that says what to do.
    kr.ask(json!({"op": "lock", "label": "awsvault"}));
    let r = sb
        .keyturn()
        .args(["rotate", "dev", "--store", "aws-vault"])
        .env("DBUS_SESSION_BUS_ADDRESS", &bus)
        .run();
    r.expect_code(3);
    assert!(r.stderr.contains("locked"), "{}", r.stderr);
}

#[test]
fn duplicate_secret_service_items_are_refused() {
    let sb = Sandbox::new();
    let old = sb.user("dora");
    let mut kr = Keyring::start();
    // Two items with the same attributes (profile = dev): which one the
    // tools read depends on the service's order.
    let setup = kr.ask(json!({"op": "setup", "collections": [
        {"label": "awsvault", "items": [
            ss_item("dev", aws_vault_item("dev", &old.id, &old.secret)),
            ss_item("dev", aws_vault_item("dev", "AKIASTALE00000000007", "stale")),
        ]},
    ]}));
    let bus = setup["bus"].as_str().unwrap().to_string();
    write_private(&sb.config(), "[profile dev]\nregion = us-east-1\n");
    let before = kr.dump("awsvault");
    assert_eq!(before.len(), 2);
    let r = sb
        .keyturn()
        .args(["rotate", "dev"])
        .env("AWS_VAULT_BACKEND", "secret-service")
        .env("DBUS_SESSION_BUS_ADDRESS", &bus)
        .run();
    r.expect_code(3);
    r.assert_no_secret(&[&old.secret]);
    for part in [
        "`awsvault` holds 2 items for `dev`",
        "secret-tool search --all profile dev",
        "changed nothing",
    ] {
        assert!(r.stderr.contains(part), "{part}: {}", r.stderr);
    }
    assert_eq!(kr.dump("awsvault"), before, "a refusal changed the keyring");
    assert_eq!(sb.keys_of("dora"), [(old.id.clone(), "Active".to_string())]);
    // JSON: the refusal's code.
    let r = sb
        .keyturn()
        .args(["rotate", "dev", "--output", "json"])
        .env("AWS_VAULT_BACKEND", "secret-service")
        .env("DBUS_SESSION_BUS_ADDRESS", &bus)
        .run();
    r.expect_code(3);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v[0]["error"]["code"], "keystore_duplicate_items",
        "{}",
        r.stdout
    );
}

// ---------------------------------------------------------------- granted

#[test]
fn granted_file_backend_rotates_and_drops_its_cached_key() {
    let sb = Sandbox::new();
    let old = sb.user("gina");
    let gdir = sb.home.join(".granted");
    std::fs::create_dir(&gdir).unwrap();
    std::fs::write(
        gdir.join("config"),
        "DefaultBrowser = \"STDOUT\"\n\n[Keyring]\n  Backend = \"file\"\n",
    )
    .unwrap();
    let cdir = gdir.join("secure-storage-aws-iam-credentials");
    let sdir = gdir.join("secure-storage-aws-session-credentials");
    // CF_KEYRING_FILE_PASSWORD unset: the empty passphrase.
    jwe_write(
        &cdir,
        "",
        &[
            ("dev", granted_item("dev", &old.id, &old.secret)),
            ("prod", granted_item("prod", "AKIAPROD000000000004", "p")),
        ],
    );
    jwe_write(
        &sdir,
        "",
        &[
            ("dev", granted_item("dev", &old.id, &old.secret)),
            ("prod", granted_item("prod", "AKIAPROD000000000004", "p")),
        ],
    );
    write_private(
        &sb.config(),
        "[profile dev]\ncredential_process = granted credential-process --profile=dev\n",
    );
    let before_item = jwe_read(&cdir.join("dev"), "");
    let before = snapshot(&gdir);
    let r = sb.keyturn().args(["rotate", "dev"]).run();
    r.expect_code(0);
    r.assert_no_secret(&[&old.secret]);
    let after_item = jwe_read(&cdir.join("dev"), "");
    assert_rotated(&sb, "gina", &old, &before_item, &after_item);
    assert_only(
        &before,
        &snapshot(&gdir),
        &[&cdir.join("dev")],
        &[&sdir.join("dev")],
    );
}

/// granted's `~/.granted/config` naming one backend.
fn granted_config(sb: &Sandbox, backend: &str) {
    let gdir = sb.home.join(".granted");
    std::fs::create_dir_all(&gdir).unwrap();
    std::fs::write(
        gdir.join("config"),
        format!("DefaultBrowser = \"STDOUT\"\n\n[Keyring]\n  Backend = \"{backend}\"\n"),
    )
    .unwrap();
    write_private(
        &sb.config(),
        "[profile dev]\ncredential_process = granted credential-process --profile=dev\n",
    );
}

#[test]
fn granted_pass_backend_rotates_and_drops_its_cached_key() {
    let gpg = Gpg::new();
    let sb = Sandbox::new();
    let old = sb.user("gpat");
    granted_config(&sb, "pass");
    // granted runs `pass` from PATH with the default store (~/.password-store).
    let dir = sb.home.join(".password-store");
    run(gpg.pass(&dir).args(["init", &gpg.fingerprint]), None);
    for (name, item) in [
        (
            "granted-aws-iam-credentials/dev",
            granted_item("dev", &old.id, &old.secret),
        ),
        (
            "granted-aws-iam-credentials/prod",
            granted_item("prod", "AKIAPROD000000000004", "p"),
        ),
        (
            "granted-aws-session-credentials/dev",
            granted_item("dev", &old.id, &old.secret),
        ),
        (
            "granted-aws-session-credentials/prod",
            granted_item("prod", "AKIAPROD000000000004", "p"),
        ),
    ] {
        run(
            gpg.pass(&dir).args(["insert", "-m", "-f", name]),
            Some(&item),
        );
    }
    let item = dir.join("granted-aws-iam-credentials/dev.gpg");
    let cached = dir.join("granted-aws-session-credentials/dev.gpg");
    let before_item = gpg.decrypt(&item);
    let before = snapshot(&dir);
    let r = sb
        .keyturn()
        .args(["rotate", "dev"])
        .env("GNUPGHOME", gpg.gnupghome())
        .run();
    r.expect_code(0);
    r.assert_no_secret(&[&old.secret]);
    let after_item = gpg.decrypt(&item);
    assert_rotated(&sb, "gpat", &old, &before_item, &after_item);
    // The cached copy of the old key is gone; prod's is untouched.
    assert_only(&before, &snapshot(&dir), &[&item], &[&cached]);
}

#[test]
fn granted_secret_service_rotates_and_drops_its_cached_key() {
    let sb = Sandbox::new();
    let old = sb.user("gsam");
    granted_config(&sb, "secret-service");
    let mut kr = Keyring::start();
    let iam = "granted-aws-iam-credentials";
    let sessions = "granted-aws-session-credentials";
    let setup = kr.ask(json!({"op": "setup", "collections": [
        {"label": iam, "items": [
            ss_item("dev", granted_item("dev", &old.id, &old.secret)),
            ss_item("prod", granted_item("prod", "AKIAPROD000000000004", "p")),
        ]},
        {"label": sessions, "items": [
            ss_item("dev", granted_item("dev", &old.id, &old.secret)),
            ss_item("prod", granted_item("prod", "AKIAPROD000000000004", "p")),
        ]},
    ]}));
    let bus = setup["bus"].as_str().unwrap().to_string();
    let (before, before_sessions) = (kr.dump(iam), kr.dump(sessions));
    let r = sb
        .keyturn()
        .args(["rotate", "dev"])
        .env("DBUS_SESSION_BUS_ADDRESS", &bus)
        .run();
    r.expect_code(0);
    r.assert_no_secret(&[&old.secret]);
    let after = kr.dump(iam);
    // dev is the same item (path, label, attributes, content type) with
    // the new pair; prod is untouched.
    assert_eq!(after.len(), before.len(), "{after:#?}");
    assert_items_rotated(&sb, "gsam", &old, &before, &after);
    // granted's cached copy of dev's old key is gone, prod's is kept.
    let after_sessions = kr.dump(sessions);
    // Compared as the rotated collection is: gnome-keyring may give an
    // item the generic schema attribute when it saves the keyring (seen on
    // a loaded run), everything else must be as it was.
    let kept: Vec<Value> = before_sessions
        .iter()
        .filter(|i| i["label"] != "dev")
        .cloned()
        .collect();
    assert_items(&kept, &after_sessions, &BTreeMap::new());
}

// ------------------------------------------------- crash matrix (file JWE)

/// One working key in IAM, that key in the item (every other field as it
/// was), the profile's session gone, nothing else in the keyring or the
/// files changed, no journal left.
#[track_caller]
pub(crate) fn assert_crash_invariants(
    v: &VaultFiles,
    before_item: &str,
    before: &BTreeMap<PathBuf, Vec<u8>>,
) {
    let after_item = jwe_read(&v.dir.join("dev"), PASSPHRASE);
    let ((id, _), _) = split_item(&after_item);
    if id == v.old.id {
        // Undone: the old key is the one key, the item as it was.
        assert_eq!(after_item, before_item);
        assert!(v.sb.works(&v.old.id, &v.old.secret));
        assert_eq!(
            v.sb.keys_of("vera"),
            [(v.old.id.clone(), "Active".to_string())]
        );
    } else {
        assert_rotated(&v.sb, "vera", &v.old, before_item, &after_item);
    }
    let after: BTreeMap<_, _> = snapshot(&v.sb.home)
        .into_iter()
        .filter(|(p, _)| !p.starts_with(v.sb.home.join(".aws/.keyturn")))
        .collect();
    let mut changed: Vec<&Path> = Vec::new();
    let dev = v.dir.join("dev");
    if after_item != before_item {
        changed.push(&dev);
    }
    let sess = v.dir.join(&v.sess_dev);
    let gone: Vec<&Path> = if after.contains_key(&sess) {
        Vec::new()
    } else {
        vec![&sess]
    };
    assert_only(before, &after, &changed, &gone);
    // A finished rotation purged the profile's session.
    if id != v.old.id {
        assert!(!sess.exists(), "the session of the old key survived");
    }
    let journal = v.sb.home.join(".aws/.keyturn/journal");
    let left = std::fs::read_dir(&journal).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "a journal was left");
}

fn vault_rotate(v: &VaultFiles) -> Keyturn {
    v.sb.keyturn()
        .args(["rotate", "dev"])
        .env("AWS_VAULT_BACKEND", "file")
        .env("AWS_VAULT_FILE_PASSPHRASE", PASSPHRASE)
}

#[test]
fn crash_at_every_failpoint_with_a_file_keyring_key() {
    for point in [
        "after-journal-started",
        "after-create",
        "after-journal-created",
        "after-file-written",
        "after-verify",
        "after-confirm",
        "after-retire",
    ] {
        let v = vault_files("[profile dev]\nregion = us-east-1\n");
        let before_item = jwe_read(&v.dir.join("dev"), PASSPHRASE);
        let before = snapshot(&v.sb.home);
        let r = vault_rotate(&v).env("KEYTURN_FAILPOINT", point).run();
        assert_eq!(r.code, None, "keyturn should have died at {point}: {r:?}");
        let rerun = vault_rotate(&v).run();
        rerun.expect_code(0);
        rerun.assert_no_secret(&[&v.old.secret, PASSPHRASE]);
        assert_crash_invariants(&v, &before_item, &before);
        let ((id, _), _) = split_item(&jwe_read(&v.dir.join("dev"), PASSPHRASE));
        assert_ne!(id, v.old.id, "{point}: the rerun must have rotated");
    }
}

#[test]
fn kill_at_every_request_with_a_file_keyring_key() {
    // The requests of one clean rotation, in order.
    let probe = vault_files("[profile dev]\nregion = us-east-1\n");
    vault_rotate(&probe).run().expect_code(0);
    let requests: Vec<String> = probe
        .sb
        .proxy_log()
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(
        requests.iter().any(|a| a == "CreateAccessKey"),
        "{requests:?}"
    );
    drop(probe);
    for (i, action) in requests.iter().enumerate() {
        let skip = requests[..i].iter().filter(|a| *a == action).count();
        let v = vault_files("[profile dev]\nregion = us-east-1\n");
        let before_item = jwe_read(&v.dir.join("dev"), PASSPHRASE);
        let before = snapshot(&v.sb.home);
        v.sb.proxy(
            "POST",
            "rules",
            &json!([{"action": action, "skip": skip, "times": 1, "fault": "hold"}]).to_string(),
        );
        let mut child = vault_rotate(&v).spawn();
        wait_until(120, "the request to be held", || {
            !v.sb.proxy("GET", "held", "").as_array().unwrap().is_empty()
        });
        kill_group(&mut child);
        v.sb.proxy("POST", "rules", "[]");
        v.sb.proxy("POST", "release", "");
        // The released request reaches moto with nobody to read the reply.
        wait_until(60, "the released request to be answered", || {
            v.sb.proxy_log()
                .iter()
                .filter(|e| e["action"] == action.as_str())
                .count()
                > skip
        });
        let rerun = vault_rotate(&v).run();
        rerun.expect_code(0);
        assert_crash_invariants(&v, &before_item, &before);
    }
}

#[test]
fn a_schedule_for_a_file_keyring_key_says_it_needs_the_passphrase() {
    let sb = Sandbox::new();
    write_private(
        &sb.config(),
        "[profile dev]\ncredential_process = aws-vault --backend=file export dev\n",
    );
    let r = sb
        .keyturn()
        .args([
            "schedule",
            "install",
            "dev",
            "--every",
            "30d",
            "--backend",
            "cron",
        ])
        .run();
    r.expect_code(0);
    assert!(
        r.stderr.contains("AWS_VAULT_FILE_PASSPHRASE") && r.stderr.contains("`dev`"),
        "{}",
        r.stderr
    );
}
