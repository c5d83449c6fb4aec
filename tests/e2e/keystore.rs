//! The keystore backends against the real stores, each checked by a reader
//! that is not keyturn's: aws-vault's and granted's JWE file backend with
//! Python's jwcrypto (both directions), `pass` with a throwaway gpg key
//! (read back with gpg itself), and the Secret Service through gnome-keyring
//! inside `dbus-run-session` (inspected with Python secretstorage).
//!
//! Items are written the way the tools write them (the Go JSON of the
//! keyring item, spelled out here by hand, not by keyturn), read back with
//! keyturn's stores, patched with a new pair, and checked: new pair in,
//! every other field and item unchanged, session items purged. Nothing
//! skips: a missing tool fails the test and names the install step.

use crate::common;

use base64::Engine as _;
use keyturn::keystore::file::FileStore;
use keyturn::keystore::pass::PassStore;
use keyturn::keystore::secret_service::SecretServiceStore;
use keyturn::keystore::settings::{self, KeystoreEnv, Platform, StoreConfig};
use keyturn::keystore::{awsvault, granted, ItemStore, KeyPair, KeystoreError};
use keyturn::secret::Secret;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

const OLD_ID: &str = "AKIAOLDKEY0000000001";
const OLD_SECRET: &str = "oldSecret/Key+0000000000000000000000001";
const NEW_ID: &str = "AKIANEWKEY0000000002";
const NEW_SECRET: &str = "newSecret/Key+0000000000000000000000002";

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// The credentials JSON aws-sdk-go-v2 marshals (the `AccountID` member is
/// what the newer SDKs add; it must survive a rotation).
pub(crate) fn creds(id: &str, secret: &str) -> String {
    format!(
        r#"{{"AccessKeyID":"{id}","SecretAccessKey":"{secret}","SessionToken":"","Source":"","CanExpire":false,"Expires":"0001-01-01T00:00:00Z","AccountID":"123456789012"}}"#
    )
}

/// The keyring item JSON Go's encoding/json writes.
pub(crate) fn go_item(
    key: &str,
    data: &str,
    label: &str,
    description: &str,
    not_trust: bool,
) -> String {
    format!(
        r#"{{"Key":"{key}","Data":"{}","Label":"{label}","Description":"{description}","KeychainNotTrustApplication":{not_trust},"KeychainNotSynchronizable":false}}"#,
        b64(data.as_bytes())
    )
}

fn aws_vault_item(key: &str, id: &str, secret: &str) -> String {
    go_item(
        key,
        &creds(id, secret),
        &format!("aws-vault ({key})"),
        "",
        true,
    )
}

pub(crate) fn granted_item(key: &str, id: &str, secret: &str) -> String {
    go_item(key, &creds(id, secret), "", "", false)
}

fn session_item(key: &str) -> String {
    let data = r#"{"AccessKeyId":"ASIASESSION000000001","SecretAccessKey":"s","SessionToken":"tok","Expiration":"2030-01-01T00:00:00Z"}"#;
    go_item(
        key,
        data,
        "aws-vault session for dev (expires 2030-01-01T00:00:00Z)",
        "aws-vault session",
        true,
    )
}

fn new_pair() -> KeyPair {
    KeyPair {
        access_key_id: NEW_ID.to_string(),
        secret_access_key: Secret::new(NEW_SECRET),
    }
}

fn old_pair() -> KeyPair {
    KeyPair {
        access_key_id: OLD_ID.to_string(),
        secret_access_key: Secret::new(OLD_SECRET),
    }
}

fn session_key(profile: &str) -> String {
    awsvault::SessionKey {
        kind: "sts.GetSessionToken".into(),
        profile: profile.into(),
        mfa_serial: String::new(),
        expiry: 1_900_000_000,
    }
    .to_key()
}

/// Runs a tool to success and returns its stdout (also used by
/// `keystore_rotate`).
pub(crate) fn run(cmd: &mut Command, stdin: Option<&str>) -> String {
    let what = format!("{cmd:?}");
    let mut child = cmd
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: {e} (is it installed? see .ci/run)"));
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{what}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
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

/// Asserts that `after` is `before` with exactly the paths in `changed`
/// changed and those in `gone` removed.
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
            assert_ne!(
                after.get(p),
                Some(bytes),
                "{} should have changed",
                p.display()
            );
        } else {
            assert_eq!(after.get(p), Some(bytes), "{} changed", p.display());
        }
    }
    let extra: Vec<_> = after.keys().filter(|p| !before.contains_key(*p)).collect();
    assert!(extra.is_empty(), "new files appeared: {extra:?}");
}

// ---------------------------------------------------------------- file

pub(crate) const JWE_WRITE: &str = r#"
import json, os, sys, base64
from jwcrypto import jwe, jwk
from jwcrypto.common import json_encode
spec = json.load(sys.stdin)
key = jwk.JWK.from_password(spec["passphrase"])
os.makedirs(spec["dir"], mode=0o700, exist_ok=True)
for name, payload in spec["files"].items():
    p2s = base64.urlsafe_b64encode(os.urandom(12)).rstrip(b"=").decode()
    hdr = {"alg": "PBES2-HS256+A128KW", "created": "2026-11-30 10:00:00.5 +0900 JST",
           "enc": "A256GCM", "p2c": 8192, "p2s": p2s}
    tok = jwe.JWE(payload.encode(), protected=json_encode(hdr),
                  algs=["PBES2-HS256+A128KW", "A256GCM"])
    tok.add_recipient(key)
    path = os.path.join(spec["dir"], name)
    with open(path, "w") as f:
        f.write(tok.serialize(compact=True))
    os.chmod(path, 0o600)
"#;

const JWE_READ: &str = r#"
import json, sys
from jwcrypto import jwe, jwk
from jwcrypto.common import base64url_decode
path, passphrase = sys.argv[1], sys.stdin.read()
raw = open(path).read()
tok = jwe.JWE(algs=["PBES2-HS256+A128KW", "A256GCM"])
tok.deserialize(raw, key=jwk.JWK.from_password(passphrase))
print(json.dumps({"header": base64url_decode(raw.split(".")[0]).decode(),
                  "payload": tok.payload.decode(), "newline": raw.endswith("\n")}))
"#;

fn jwe_write(dir: &Path, passphrase: &str, files: &[(&str, String)]) {
    let files: serde_json::Map<String, Value> = files
        .iter()
        .map(|(n, p)| (n.to_string(), Value::String(p.clone())))
        .collect();
    let spec = json!({"dir": dir, "passphrase": passphrase, "files": files});
    run(
        Command::new(common::python()).args(["-c", JWE_WRITE]),
        Some(&spec.to_string()),
    );
}

fn jwe_read(path: &Path, passphrase: &str) -> Value {
    let out = run(
        Command::new(common::python())
            .args(["-c", JWE_READ])
            .arg(path),
        Some(passphrase),
    );
    serde_json::from_str(&out).unwrap()
}

/// The header keyturn wrote is jose2go's: sorted members, p2c 8192, a
/// 12-byte salt, a `created` time.
fn assert_jose2go_header(header: &str) {
    let v: serde_json::Map<String, Value> = serde_json::from_str(header).unwrap();
    let names: Vec<&str> = v.keys().map(String::as_str).collect();
    assert_eq!(names, ["alg", "created", "enc", "p2c", "p2s"], "{header}");
    // serde_json's map is sorted too: check the raw text's order as well.
    let pos = |k: &str| header.find(&format!("\"{k}\"")).unwrap();
    assert!(
        pos("alg") < pos("created")
            && pos("created") < pos("enc")
            && pos("enc") < pos("p2c")
            && pos("p2c") < pos("p2s")
    );
    assert_eq!(v["alg"], "PBES2-HS256+A128KW");
    assert_eq!(v["enc"], "A256GCM");
    assert_eq!(v["p2c"], 8192);
    let salt = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(v["p2s"].as_str().unwrap())
        .unwrap();
    assert_eq!(salt.len(), 12);
    assert!(
        v["created"].as_str().unwrap().ends_with(" +0000 UTC"),
        "{header}"
    );
}

#[tokio::test]
async fn aws_vault_file_backend_round_trips_with_jwcrypto() {
    let home = tempfile::tempdir().unwrap();
    let env = KeystoreEnv::new(
        home.path(),
        Platform::Linux,
        [
            ("AWS_VAULT_BACKEND".to_string(), "file".to_string()),
            (
                "AWS_VAULT_FILE_PASSPHRASE".to_string(),
                "correct horse".to_string(),
            ),
        ],
    );
    let StoreConfig::File {
        dir, passphrase, ..
    } = settings::aws_vault(&env, None).unwrap()
    else {
        panic!("not the file backend")
    };
    assert_eq!(dir, home.path().join(".awsvault/keys/"));
    let sess = session_key("dev");
    jwe_write(
        &dir,
        "correct horse",
        &[
            ("dev", aws_vault_item("dev", OLD_ID, OLD_SECRET)),
            (
                "team%2Fops",
                aws_vault_item("team/ops", "AKIAOTHER00000000003", "other"),
            ),
            (&sess, session_item(&sess)),
        ],
    );
    let before = snapshot(home.path());
    let store = FileStore::new(&dir, passphrase.unwrap());

    let keys = store.keys().await.unwrap();
    let mut want = vec!["dev".to_string(), "team/ops".to_string(), sess.clone()];
    want.sort();
    assert_eq!(keys, want);
    assert_eq!(
        awsvault::credentials_item_for("dev", |_| None, &keys).as_deref(),
        Some("dev")
    );

    let item = store.get("dev").await.unwrap().expect("dev is there");
    assert_eq!(item.key_pair().unwrap(), old_pair());
    assert_eq!(item.label, "aws-vault (dev)");
    let session = store.get(&sess).await.unwrap().unwrap();
    let err = session.key_pair().unwrap_err();
    assert!(
        matches!(err, KeystoreError::NotLongTermKey { .. }),
        "{err:?}"
    );

    let wrong = FileStore::new(&dir, Secret::new("wrong"));
    let err = wrong.get("dev").await.unwrap_err();
    assert!(
        matches!(err, KeystoreError::WrongPassphrase { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("AWS_VAULT_FILE_PASSPHRASE"),
        "{err}"
    );
    assert!(!err.to_string().contains("correct horse"));
    assert_eq!(snapshot(home.path()), before, "a failed read changed files");

    store
        .put(&item.with_key_pair(&new_pair()).unwrap())
        .await
        .unwrap();
    let dev = dir.join("dev");
    let read = jwe_read(&dev, "correct horse");
    assert_jose2go_header(read["header"].as_str().unwrap());
    assert_eq!(read["payload"], aws_vault_item("dev", NEW_ID, NEW_SECRET));
    assert_eq!(read["newline"], false);
    assert_eq!(
        std::fs::metadata(&dev).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_only(&before, &snapshot(home.path()), &[&dev], &[]);

    // Purge aws-vault's sessions of the profile.
    let keys = store.keys().await.unwrap();
    let purge = awsvault::sessions_to_purge(&["dev".to_string()], &keys);
    assert_eq!(purge, std::slice::from_ref(&sess));
    let after_put = snapshot(home.path());
    for k in &purge {
        assert!(store.delete(k).await.unwrap());
    }
    assert!(!store.delete(&sess).await.unwrap());
    assert_only(&after_put, &snapshot(home.path()), &[], &[&dir.join(&sess)]);

    // And back: a fresh item keyturn writes, jwcrypto reads.
    let fresh = keyturn::keystore::Item::aws_vault("new/one", &new_pair());
    store.put(&fresh).await.unwrap();
    let read = jwe_read(&dir.join("new%2Fone"), "correct horse");
    assert_eq!(
        read["payload"],
        aws_vault_item("new/one", NEW_ID, NEW_SECRET).replace(
            &b64(creds(NEW_ID, NEW_SECRET).as_bytes()),
            &b64(creds(NEW_ID, NEW_SECRET)
                .replace("123456789012", "")
                .as_bytes()),
        )
    );
}

#[tokio::test]
async fn granted_file_backend_round_trips_and_drops_its_cached_key() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir(home.path().join(".granted")).unwrap();
    std::fs::write(
        home.path().join(".granted/config"),
        "DefaultBrowser = \"STDOUT\"\n\n[Keyring]\n  Backend = \"file\"\n",
    )
    .unwrap();
    let env = KeystoreEnv::new(home.path(), Platform::Linux, std::iter::empty());
    let gdir = granted::granted_dir(home.path(), None, true);
    let cfg_path = gdir.join("config");
    let cfg =
        granted::parse_config(&std::fs::read_to_string(&cfg_path).unwrap(), &cfg_path).unwrap();
    let stores = settings::granted(&env, &cfg, &gdir).unwrap();
    let [stores] = &stores[..] else {
        panic!("{stores:?}")
    };
    let (
        StoreConfig::File {
            dir, passphrase, ..
        },
        StoreConfig::File {
            dir: sdir,
            passphrase: spass,
            ..
        },
    ) = (&stores.credentials, &stores.sessions)
    else {
        panic!("{stores:?}")
    };
    // CF_KEYRING_FILE_PASSWORD unset: the empty passphrase.
    jwe_write(
        dir,
        "",
        &[
            ("dev", granted_item("dev", OLD_ID, OLD_SECRET)),
            ("prod", granted_item("prod", "AKIAPROD000000000004", "p")),
        ],
    );
    jwe_write(
        sdir,
        "",
        &[
            ("dev", granted_item("dev", OLD_ID, OLD_SECRET)),
            ("prod", granted_item("prod", "AKIAPROD000000000004", "p")),
        ],
    );
    let before = snapshot(home.path());

    let creds_store = FileStore::new(dir, passphrase.clone().unwrap());
    let item = creds_store.get("dev").await.unwrap().unwrap();
    assert_eq!(item.key_pair().unwrap(), old_pair());
    creds_store
        .put(&item.with_key_pair(&new_pair()).unwrap())
        .await
        .unwrap();
    let read = jwe_read(&dir.join("dev"), "");
    assert_jose2go_header(read["header"].as_str().unwrap());
    assert_eq!(read["payload"], granted_item("dev", NEW_ID, NEW_SECRET));

    let sessions = FileStore::new(sdir, spass.clone().unwrap());
    let keys = sessions.keys().await.unwrap();
    for k in granted::sessions_to_purge(&["dev".to_string()], &keys) {
        assert!(sessions.delete(&k).await.unwrap());
    }
    assert_only(
        &before,
        &snapshot(home.path()),
        &[&dir.join("dev")],
        &[&sdir.join("dev")],
    );
}

// ---------------------------------------------------------------- pass

/// A throwaway gpg home (short, for gpg-agent's socket path) with one key,
/// and a `pass` wrapper that uses it; the agent is stopped on drop (also
/// used by `keystore_rotate`).
pub(crate) struct Gpg {
    home: tempfile::TempDir,
    pub(crate) pass: PathBuf,
    pub(crate) fingerprint: String,
}

impl Gpg {
    pub(crate) fn new() -> Gpg {
        let home = tempfile::Builder::new()
            .prefix("ktg")
            .tempdir_in("/tmp")
            .unwrap();
        std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        run(
            Command::new("gpg")
                .arg("--homedir")
                .arg(home.path())
                .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
                .args([
                    "--quick-gen-key",
                    "keyturn test <keyturn-test@example.invalid>",
                    "default",
                    "default",
                    "never",
                ]),
            None,
        );
        let listing = run(
            Command::new("gpg").arg("--homedir").arg(home.path()).args([
                "--batch",
                "--with-colons",
                "--list-secret-keys",
            ]),
            None,
        );
        let fingerprint = listing
            .lines()
            .find_map(|l| l.strip_prefix("fpr:"))
            .and_then(|l| l.split(':').find(|f| !f.is_empty()))
            .expect("a fingerprint")
            .to_string();
        let pass = home.path().join("pass");
        std::fs::write(
            &pass,
            format!(
                "#!/bin/sh\nGNUPGHOME='{}' exec pass \"$@\"\n",
                home.path().display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&pass, std::fs::Permissions::from_mode(0o755)).unwrap();
        Gpg {
            home,
            pass,
            fingerprint,
        }
    }

    /// The GNUPGHOME holding the throwaway test key (for a `pass` that
    /// keyturn finds on PATH, as granted's backend runs it).
    pub(crate) fn gnupghome(&self) -> &Path {
        self.home.path()
    }

    pub(crate) fn pass(&self, store: &Path) -> Command {
        let mut c = Command::new(&self.pass);
        c.env("PASSWORD_STORE_DIR", store);
        c
    }

    /// The independent reader: gpg itself.
    pub(crate) fn decrypt(&self, file: &Path) -> String {
        run(
            Command::new("gpg")
                .arg("--homedir")
                .arg(self.home.path())
                .args([
                    "--batch",
                    "--quiet",
                    "--pinentry-mode",
                    "loopback",
                    "--passphrase",
                    "",
                    "--decrypt",
                ])
                .arg(file),
            None,
        )
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(self.home.path())
            .args(["--kill", "gpg-agent"])
            .status();
    }
}

#[tokio::test]
async fn pass_backend_through_the_pass_command() {
    let gpg = Gpg::new();
    let home = tempfile::tempdir().unwrap();
    let env = KeystoreEnv::new(
        home.path(),
        Platform::Linux,
        [
            ("AWS_VAULT_BACKEND".to_string(), "pass".to_string()),
            (
                "AWS_VAULT_PASS_CMD".to_string(),
                gpg.pass.display().to_string(),
            ),
        ],
    );
    let StoreConfig::Pass { cmd, dir, prefix } = settings::aws_vault(&env, None).unwrap() else {
        panic!()
    };
    assert_eq!(dir, home.path().join(".password-store"));
    run(gpg.pass(&dir).args(["init", &gpg.fingerprint]), None);
    // As aws-vault writes them: `pass insert -m -f NAME`, the JSON on stdin.
    let sess = session_key("dev");
    for (name, item) in [
        ("dev".to_string(), aws_vault_item("dev", OLD_ID, OLD_SECRET)),
        (
            "ops".to_string(),
            aws_vault_item("ops", "AKIAOPS0000000000005", "o"),
        ),
        (sess.clone(), session_item(&sess)),
        (
            format!("{}/dev", granted::IAM_CREDENTIALS),
            granted_item("dev", OLD_ID, OLD_SECRET),
        ),
    ] {
        run(
            gpg.pass(&dir).args(["insert", "-m", "-f", &name]),
            Some(&item),
        );
    }
    let before = snapshot(&dir);

    let store = PassStore::new(&cmd, &dir, &prefix);
    let keys = store.keys().await.unwrap();
    assert!(
        keys.contains(&"dev".to_string()) && keys.contains(&sess),
        "{keys:?}"
    );
    let item = store.get("dev").await.unwrap().unwrap();
    assert_eq!(item.key_pair().unwrap(), old_pair());
    assert!(store.get("absent").await.unwrap().is_none());
    store
        .put(&item.with_key_pair(&new_pair()).unwrap())
        .await
        .unwrap();
    assert_eq!(
        gpg.decrypt(&dir.join("dev.gpg")),
        aws_vault_item("dev", NEW_ID, NEW_SECRET)
    );
    assert_only(&before, &snapshot(&dir), &[&dir.join("dev.gpg")], &[]);

    let after_put = snapshot(&dir);
    for k in awsvault::sessions_to_purge(&["dev".to_string()], &store.keys().await.unwrap()) {
        assert!(store.delete(&k).await.unwrap());
    }
    assert_only(
        &after_put,
        &snapshot(&dir),
        &[],
        &[&dir.join(format!("{sess}.gpg"))],
    );

    // granted's entries live under its prefix.
    let g = PassStore::new(&cmd, &dir, granted::IAM_CREDENTIALS);
    assert_eq!(g.keys().await.unwrap(), ["dev"]);
    let item = g.get("dev").await.unwrap().unwrap();
    g.put(&item.with_key_pair(&new_pair()).unwrap())
        .await
        .unwrap();
    assert_eq!(
        gpg.decrypt(&dir.join(granted::IAM_CREDENTIALS).join("dev.gpg")),
        granted_item("dev", NEW_ID, NEW_SECRET)
    );

    // No `pass` at all: a refusal that names the command.
    let missing = PassStore::new("/nonexistent/bin/pass", &dir, "");
    let err = missing.get("dev").await.unwrap_err();
    assert!(matches!(err, KeystoreError::PassMissing { .. }), "{err:?}");
    assert!(err.to_string().contains("/nonexistent/bin/pass"), "{err}");
}

// ---------------------------------------------------------- secret-service

/// gnome-keyring on a private bus (`dbus-run-session`), driven by
/// tests/support/keystore_ss.py, with a private home: gnome-keyring keeps
/// its collections in `$XDG_DATA_HOME/keyrings` and finds them again on the
/// next start, so with the real home every run met the earlier runs'
/// collections (locked) under the names it wants, and its own got `_N`
/// suffixes.
struct Keyring {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    // Dropped after the child has been waited for (fields drop after
    // `Drop::drop`).
    _home: tempfile::TempDir,
}

impl Keyring {
    fn start() -> Keyring {
        let script = common::repo().join("tests/support/keystore_ss.py");
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
            .arg(common::python())
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
        assert!(
            !line.is_empty(),
            "the keyring helper died on {req} (its stderr is above)"
        );
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
        // No kill: dbus-run-session must stop its bus (and the helper its
        // gnome-keyring) itself; both end once the helper has quit.
        let _ = self.child.wait();
    }
}

/// An item's attributes without gnome-keyring's default
/// `xdg:schema = org.freedesktop.Secret.Generic`.
pub(crate) fn own_attrs(attrs: &Value) -> Value {
    let mut a = attrs.clone();
    if let Some(m) = a.as_object_mut() {
        if m.get("xdg:schema").and_then(Value::as_str) == Some("org.freedesktop.Secret.Generic") {
            m.remove("xdg:schema");
        }
    }
    a
}

pub(crate) fn ss_item(key: &str, secret: String) -> Value {
    json!({"label": key, "attrs": {"profile": key}, "secret": secret})
}

/// `before` and `after` hold the same items (same object paths, labels,
/// attributes, content types) and the same secrets except where `changed`
/// gives the new one.
pub(crate) fn assert_items(before: &[Value], after: &[Value], changed: &BTreeMap<String, String>) {
    assert_eq!(before.len(), after.len(), "{before:#?}\n{after:#?}");
    for (b, a) in before.iter().zip(after) {
        for field in ["path", "label", "content_type"] {
            assert_eq!(a[field], b[field], "{field} of {}", b["path"]);
        }
        // gnome-keyring itself may give an item without a schema the
        // generic one when it saves the keyring (keyturn only calls
        // SetSecret on existing items): every other attribute must match.
        assert_eq!(
            own_attrs(&a["attrs"]),
            own_attrs(&b["attrs"]),
            "attrs of {}",
            b["path"]
        );
        let path = b["path"].as_str().unwrap();
        match changed.get(path) {
            Some(secret) => assert_eq!(a["secret"], secret.as_str(), "{path}"),
            None => assert_eq!(a["secret"], b["secret"], "{path} changed"),
        }
    }
}

#[tokio::test]
async fn secret_service_through_gnome_keyring() {
    let mut kr = Keyring::start();
    let sess = session_key("dev");
    let setup = kr.ask(json!({"op": "setup", "collections": [
        {"label": "awsvault", "items": [
            ss_item("dev", aws_vault_item("dev", OLD_ID, OLD_SECRET)),
            ss_item("other", aws_vault_item("other", "AKIAOTHER00000000003", "x")),
            ss_item(&sess, session_item(&sess)),
            ss_item("dup", aws_vault_item("dup", OLD_ID, OLD_SECRET)),
            ss_item("dup", aws_vault_item("dup", OLD_ID, OLD_SECRET)),
        ]},
        {"label": granted::IAM_CREDENTIALS, "items": [
            ss_item("dev", granted_item("dev", OLD_ID, OLD_SECRET)),
        ]},
        {"label": granted::SESSION_CREDENTIALS, "items": [
            ss_item("dev", granted_item("dev", OLD_ID, OLD_SECRET)),
            ss_item("prod", granted_item("prod", "AKIAPROD000000000004", "p")),
        ]},
    ]}));
    let bus = setup["bus"].as_str().unwrap().to_string();
    // Each collection is at the path its name gives (the one keyturn looks
    // up), not a `_N`-suffixed one beside an older collection of that name.
    assert_eq!(
        setup["paths"]["awsvault"], "/org/freedesktop/secrets/collection/awsvault",
        "{setup}"
    );
    // gnome-keyring escapes the dashes in the object path.
    assert_eq!(
        setup["paths"][granted::IAM_CREDENTIALS],
        "/org/freedesktop/secrets/collection/granted_2daws_2diam_2dcredentials",
        "{setup}"
    );

    let before = kr.dump("awsvault");
    let store = SecretServiceStore::on_bus("awsvault", &bus);
    let keys = store.keys().await.unwrap();
    assert_eq!(keys, {
        let mut k = vec![
            "dev".to_string(),
            "dup".into(),
            "dup".into(),
            "other".into(),
            sess.clone(),
        ];
        k.sort();
        k
    });
    let item = store.get("dev").await.unwrap().unwrap();
    assert_eq!(item.key_pair().unwrap(), old_pair());
    let out = store
        .put(&item.with_key_pair(&new_pair()).unwrap())
        .await
        .unwrap();
    assert_eq!(out, Default::default());
    let dev_path = before.iter().find(|i| i["label"] == "dev").unwrap()["path"]
        .as_str()
        .unwrap()
        .to_string();
    let after = kr.dump("awsvault");
    assert_items(
        &before,
        &after,
        &BTreeMap::from([(dev_path.clone(), aws_vault_item("dev", NEW_ID, NEW_SECRET))]),
    );

    // Two items for one profile: refused on reading and on writing (the
    // tools read whichever comes first), and nothing changes.
    let e = store.get("dup").await.unwrap_err();
    assert!(
        matches!(e, KeystoreError::DuplicateItems { count: 2, ref key, .. } if key == "dup"),
        "{e:?}"
    );
    let e = store
        .put(&keyturn::keystore::Item::aws_vault("dup", &new_pair()))
        .await
        .unwrap_err();
    assert!(matches!(e, KeystoreError::DuplicateItems { .. }), "{e:?}");
    let after_dup = kr.dump("awsvault");
    assert_eq!(after_dup, after, "a refused duplicate changed the keyring");

    // Purge the profile's sessions.
    let purge = awsvault::sessions_to_purge(&["dev".to_string()], &store.keys().await.unwrap());
    assert_eq!(purge, std::slice::from_ref(&sess));
    for k in &purge {
        assert!(store.delete(k).await.unwrap());
    }
    let after_purge = kr.dump("awsvault");
    assert_eq!(after_purge.len(), after_dup.len() - 1);
    assert!(after_purge.iter().all(|i| i["label"] != sess.as_str()));

    // granted: its collections by their escaped paths, and its cache.
    let before_g = kr.dump(granted::IAM_CREDENTIALS);
    let g = SecretServiceStore::on_bus(granted::IAM_CREDENTIALS, &bus);
    let item = g.get("dev").await.unwrap().unwrap();
    g.put(&item.with_key_pair(&new_pair()).unwrap())
        .await
        .unwrap();
    let gpath = before_g[0]["path"].as_str().unwrap().to_string();
    assert_items(
        &before_g,
        &kr.dump(granted::IAM_CREDENTIALS),
        &BTreeMap::from([(gpath, granted_item("dev", NEW_ID, NEW_SECRET))]),
    );
    let cache = SecretServiceStore::on_bus(granted::SESSION_CREDENTIALS, &bus);
    for k in granted::sessions_to_purge(&["dev".to_string()], &cache.keys().await.unwrap()) {
        assert!(cache.delete(&k).await.unwrap());
    }
    let left = kr.dump(granted::SESSION_CREDENTIALS);
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["label"], "prod");

    // A collection that is not there: no item, and no creating one.
    let none = SecretServiceStore::on_bus("nope", &bus);
    assert!(none.get("dev").await.unwrap().is_none());
    let err = none.put(&item).await.unwrap_err();
    assert!(
        matches!(err, KeystoreError::CollectionMissing { .. }),
        "{err:?}"
    );

    // A locked collection is refused, not unlocked through a prompt.
    assert_eq!(
        kr.ask(json!({"op": "lock", "label": "awsvault"}))["locked"],
        true
    );
    let err = store.get("dev").await.unwrap_err();
    assert!(
        matches!(err, KeystoreError::CollectionLocked { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("awsvault"), "{err}");
}
