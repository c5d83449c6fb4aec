//! Test bed for end-to-end tests: a private moto server with IAM
//! authentication enforced, the fault-injecting proxy in front of it, a
//! temporary HOME, and one builder to run the real keyturn binary.
//!
//! Nothing here skips: if the Python tooling is missing the test fails
//! and says how to install it (`scripts/setup-test-env`).

#![allow(dead_code)]

use serde_json::Value;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The venv's Python (moto, boto3, botocore, awscli).
pub fn python() -> PathBuf {
    let p = std::env::var_os("KEYTURN_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv/bin/python"));
    assert!(
        p.exists(),
        "test Python not found at {}: run scripts/setup-test-env (or set KEYTURN_TEST_PYTHON)",
        p.display()
    );
    p
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn wait_port(port: u16, child: &mut Child, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited early with {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not start listening on {port}");
}

/// A minimal HTTP/1.0 client for the proxy's and moto's control APIs
/// (test plumbing only; keyturn itself talks through the AWS SDK).
pub fn http(port: u16, method: &str, path: &str, body: &str, ctype: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    assert!(head.contains(" 200 "), "{method} {path}: {head}");
    body.to_string()
}

#[derive(Clone, Debug)]
pub struct Key {
    pub id: String,
    pub secret: String,
}

pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub home: PathBuf,
    pub moto_port: u16,
    pub proxy_port: u16,
    pub admin: Key,
    moto: Child,
    proxy: Child,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.proxy.kill();
        let _ = self.moto.kill();
        let _ = self.proxy.wait();
        let _ = self.moto.wait();
    }
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let py = python();
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(home.join(".aws")).unwrap();
        let moto_port = free_port();
        let mut moto = Command::new(&py)
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &moto_port.to_string(),
            ])
            // IAM authentication from the first request: setup goes
            // through reset-auth, then an admin key.
            .env("INITIAL_NO_AUTH_ACTION_COUNT", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto server");
        wait_port(moto_port, &mut moto, "moto");
        let port_file = dir.path().join("proxy.port");
        let mut proxy = Command::new(&py)
            .arg(repo().join("tests/support/faultproxy.py"))
            .args(["--upstream", &format!("http://127.0.0.1:{moto_port}")])
            .arg("--port-file")
            .arg(&port_file)
            .arg("--log")
            .arg(dir.path().join("proxy.log"))
            .args(["--parent-pid", &std::process::id().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start fault proxy");
        let deadline = Instant::now() + Duration::from_secs(60);
        let proxy_port = loop {
            if let Ok(s) = std::fs::read_to_string(&port_file) {
                if let Ok(p) = s.trim().parse() {
                    break p;
                }
            }
            if let Ok(Some(st)) = proxy.try_wait() {
                panic!("proxy exited early with {st}");
            }
            assert!(Instant::now() < deadline, "proxy did not start");
            std::thread::sleep(Duration::from_millis(50));
        };
        let admin_json = awsctl_raw(&[
            "admin",
            "--endpoint",
            &format!("http://127.0.0.1:{moto_port}"),
        ]);
        let admin = Key {
            id: admin_json["id"].as_str().unwrap().into(),
            secret: admin_json["secret"].as_str().unwrap().into(),
        };
        Sandbox {
            dir,
            home,
            moto_port,
            proxy_port,
            admin,
            moto,
            proxy,
        }
    }

    pub fn moto_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.moto_port)
    }

    pub fn proxy_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.proxy_port)
    }

    pub fn credentials(&self) -> PathBuf {
        self.home.join(".aws/credentials")
    }

    pub fn config(&self) -> PathBuf {
        self.home.join(".aws/config")
    }

    fn admin_args(&self, cmd: &str, name: &str) -> Vec<String> {
        vec![
            cmd.into(),
            "--endpoint".into(),
            self.moto_url(),
            "--admin-id".into(),
            self.admin.id.clone(),
            "--admin-secret".into(),
            self.admin.secret.clone(),
            "--name".into(),
            name.into(),
        ]
    }

    /// An IAM user allowed everything, with `keys` access keys.
    pub fn user_with_keys(&self, name: &str, keys: usize) -> Vec<Key> {
        let mut args = self.admin_args("user", name);
        args.extend(["--keys".into(), keys.to_string()]);
        let v = awsctl_raw(&args.iter().map(String::as_str).collect::<Vec<_>>());
        v.as_array()
            .unwrap()
            .iter()
            .map(|k| Key {
                id: k["id"].as_str().unwrap().into(),
                secret: k["secret"].as_str().unwrap().into(),
            })
            .collect()
    }

    pub fn user(&self, name: &str) -> Key {
        self.user_with_keys(name, 1).remove(0)
    }

    /// (key id, status) of every key of `user`, as IAM lists them.
    pub fn keys_of(&self, user: &str) -> Vec<(String, String)> {
        let args = self.admin_args("keys", user);
        let v = awsctl_raw(&args.iter().map(String::as_str).collect::<Vec<_>>());
        v.as_array()
            .unwrap()
            .iter()
            .map(|k| {
                (
                    k["id"].as_str().unwrap().into(),
                    k["status"].as_str().unwrap().into(),
                )
            })
            .collect()
    }

    pub fn set_status(&self, user: &str, key: &str, status: &str) {
        let mut args = self.admin_args("set-status", user);
        args.extend(["--key".into(), key.into(), "--status".into(), status.into()]);
        awsctl_raw(&args.iter().map(String::as_str).collect::<Vec<_>>());
    }

    /// One more key for `user`, made as a person would in the console.
    pub fn add_key(&self, user: &str) -> Key {
        let args = self.admin_args("add-key", user);
        let v = awsctl_raw(&args.iter().map(String::as_str).collect::<Vec<_>>());
        Key {
            id: v["id"].as_str().unwrap().into(),
            secret: v["secret"].as_str().unwrap().into(),
        }
    }

    pub fn delete_key(&self, user: &str, key: &str) {
        let mut args = self.admin_args("delete-key", user);
        args.extend(["--key".into(), key.into()]);
        awsctl_raw(&args.iter().map(String::as_str).collect::<Vec<_>>());
    }

    /// One request signed with this pair from `region` (STS
    /// GetCallerIdentity): a caller still using a key.
    pub fn use_key(&self, key: &Key, region: &str) {
        awsctl_raw(&[
            "use",
            "--endpoint",
            &self.moto_url(),
            "--id",
            &key.id,
            "--secret",
            &key.secret,
            "--region",
            region,
        ]);
    }

    /// IAM's last use of `key` (GetAccessKeyLastUsed, as the admin):
    /// {"date": Unix seconds or null, "service", "region"}.
    pub fn last_used(&self, user: &str, key: &str) -> Value {
        let mut args = self.admin_args("last-used", user);
        args.extend(["--key".into(), key.into()]);
        awsctl_raw(&args.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// Whether boto3 can sign STS and IAM requests with this pair.
    pub fn works(&self, id: &str, secret: &str) -> bool {
        let v = awsctl_raw(&[
            "whoami",
            "--endpoint",
            &self.moto_url(),
            "--id",
            id,
            "--secret",
            secret,
        ]);
        v["ok"].as_bool().unwrap()
    }

    /// botocore's reading of the two files.
    pub fn botocore_profiles(&self) -> Value {
        awsctl_raw(&[
            "profiles",
            "--credentials-file",
            self.credentials().to_str().unwrap(),
            "--config-file",
            self.config().to_str().unwrap(),
        ])
    }

    pub fn proxy(&self, method: &str, path: &str, body: &str) -> Value {
        let out = http(
            self.proxy_port,
            method,
            &format!("/__proxy/{path}"),
            body,
            "application/json",
        );
        serde_json::from_str(&out).unwrap_or(Value::Null)
    }

    pub fn proxy_log(&self) -> Vec<Value> {
        self.proxy("GET", "log", "")
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Runs keyturn against the proxy, HOME in the sandbox, no ambient AWS
    /// configuration.
    pub fn keyturn(&self) -> Keyturn {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_keyturn"));
        cmd.env_clear()
            .env("HOME", &self.home)
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AWS_ENDPOINT_URL", self.proxy_url())
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .current_dir(self.dir.path())
            .stdin(Stdio::null());
        Keyturn { cmd }
    }
}

pub fn awsctl_raw(args: &[&str]) -> Value {
    let out = Command::new(python())
        .arg(repo().join("tests/support/awsctl.py"))
        .args(args)
        .output()
        .expect("run awsctl.py");
    assert!(
        out.status.success(),
        "awsctl.py {} failed: {}",
        args[0],
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("awsctl.py {}: {e}", args[0]))
}

/// The one builder every test runs keyturn through.
pub struct Keyturn {
    pub cmd: Command,
}

#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Keyturn {
    pub fn args<I, S>(mut self, args: I) -> Keyturn
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }

    pub fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> Keyturn {
        self.cmd.env(k, v);
        self
    }

    pub fn run(mut self) -> Run {
        let out: Output = self.cmd.output().expect("run keyturn");
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Starts keyturn in its own process group so a test can kill it.
    pub fn spawn(mut self) -> Child {
        use std::os::unix::process::CommandExt;
        self.cmd
            .process_group(0)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        self.cmd.spawn().expect("spawn keyturn")
    }
}

impl Run {
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code,
            Some(code),
            "keyturn exited {:?}, expected {code}\n--- stdout\n{}\n--- stderr\n{}",
            self.code,
            self.stdout,
            self.stderr
        );
        self
    }

    /// Nothing keyturn printed may contain a secret.
    #[track_caller]
    pub fn assert_no_secret(&self, secrets: &[&str]) {
        for s in secrets {
            assert!(
                !self.stdout.contains(s) && !self.stderr.contains(s),
                "a secret leaked into keyturn's output"
            );
        }
    }
}

/// SIGKILLs a process group (keyturn spawned by [`Keyturn::spawn`]).
pub fn kill_group(child: &mut Child) {
    let pid = child.id() as i32;
    let status = Command::new("kill")
        .args(["-9", "--", &format!("-{pid}")])
        .status()
        .unwrap();
    assert!(status.success(), "kill -9 -{pid} failed");
    let _ = child.wait();
}

/// Asserts two texts are equal, showing a line diff if not.
#[track_caller]
pub fn assert_text_eq(actual: &str, expected: &str) {
    if actual == expected {
        return;
    }
    let a: Vec<&str> = actual.split_inclusive('\n').collect();
    let e: Vec<&str> = expected.split_inclusive('\n').collect();
    let mut diff = String::new();
    for i in 0..a.len().max(e.len()) {
        match (e.get(i), a.get(i)) {
            (Some(x), Some(y)) if x == y => diff.push_str(&format!("  {}", show(x))),
            (x, y) => {
                if let Some(x) = x {
                    diff.push_str(&format!("- {}", show(x)));
                }
                if let Some(y) = y {
                    diff.push_str(&format!("+ {}", show(y)));
                }
            }
        }
    }
    panic!("texts differ (- expected, + actual):\n{diff}");
}

fn show(line: &str) -> String {
    format!("{}\n", line.escape_debug())
}

/// Mode bits of a file.
pub fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

/// Writes a file with mode 0600, as the AWS CLI does.
pub fn write_private(p: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(p, text).unwrap();
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// Polls `f` until true or panics after `secs`.
#[track_caller]
pub fn wait_until(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting for {what}");
}
