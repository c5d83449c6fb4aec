//! keyturn behaves like the AWS CLI (issue 10): which profile it picks,
//! how it reads the files, what it says when files or the network are
//! missing, its exit codes, and HTTPS through a real TLS terminator (socat,
//! with a CA the test makes with openssl) and a real proxy (tinyproxy).
//! botocore (the venv's) is the reference wherever it has an answer.

use crate::common::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

fn pair(k: &Key) -> String {
    format!(
        "aws_access_key_id = {}\naws_secret_access_key = {}\n",
        k.id, k.secret
    )
}

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
    serde_json::from_slice(&out.stdout).unwrap()
}

const MUTATING: &[&str] = &["CreateAccessKey", "DeleteAccessKey", "UpdateAccessKey"];

fn mutations(sb: &Sandbox) -> Vec<Value> {
    sb.proxy_log()
        .into_iter()
        .filter(|e| MUTATING.contains(&e["action"].as_str().unwrap_or("")))
        .collect()
}

/// A tool the test needs: fails loudly (never skips) when it is missing.
pub(crate) fn tool(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("`{name}` is not installed: .ci/run installs it (apt-get install socat tinyproxy openssl)")
        })
}

/// What botocore (the AWS CLI's reader) picks for each environment: the
/// access key id it would sign with, or the exception it raises.
fn botocore_choices(sb: &Sandbox, combos: &[Value]) -> Vec<Value> {
    const ORACLE: &str = r#"
import json, os, sys
import botocore.session
out = []
for c in json.load(sys.stdin):
    for k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        os.environ.pop(k, None)
    os.environ.update(c["env"])
    s = botocore.session.Session()
    if c["flag"] is not None:
        s.set_config_variable("profile", c["flag"])
    try:
        cr = s.get_credentials()
        out.append({"key": cr.access_key if cr else None})
    except Exception as e:
        out.append({"error": type(e).__name__})
print(json.dumps(out))
"#;
    let mut child = Command::new(python())
        .args(["-c", ORACLE])
        .env_clear()
        .env("HOME", &sb.home)
        .env("AWS_SHARED_CREDENTIALS_FILE", sb.credentials())
        .env("AWS_CONFIG_FILE", sb.config())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(Value::Array(combos.to_vec()).to_string().as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap()
}

/// Every combination of `--profile` (absent, before the subcommand, after
/// it) and the two variables (unset, `dev`, `prod`, set but empty):
/// keyturn rotates the key botocore would sign with, or, where the two
/// variables disagree or the chosen one is empty, refuses (exit 2) before
/// any request, naming both values and `--profile`.
#[test]
fn profile_selection_matches_botocore_in_every_combination() {
    let sb = Sandbox::new();
    let (dev, prod, def, flag) = (
        sb.user("dev"),
        sb.user("prod"),
        sb.user("def"),
        sb.user("flag"),
    );
    write_private(
        &sb.credentials(),
        &format!(
            "[default]\n{}[dev]\n{}[prod]\n{}[flagged]\n{}",
            pair(&def),
            pair(&dev),
            pair(&prod),
            pair(&flag)
        ),
    );
    let values = [None, Some("dev"), Some("prod"), Some("")];
    let mut combos = Vec::new();
    for place in ["none", "before", "after"] {
        for d in values {
            for p in values {
                let mut env = serde_json::Map::new();
                if let Some(d) = d {
                    env.insert("AWS_DEFAULT_PROFILE".into(), json!(d));
                }
                if let Some(p) = p {
                    env.insert("AWS_PROFILE".into(), json!(p));
                }
                let flag = (place != "none").then_some("flagged");
                combos.push(json!({"place": place, "env": env, "flag": flag}));
            }
        }
    }
    let theirs = botocore_choices(&sb, &combos);
    assert_eq!(theirs.len(), 48);
    let mut tested = Vec::new();
    for (c, b) in combos.iter().zip(&theirs) {
        let before = sb.proxy_log().len();
        let mut k = sb.keyturn();
        for (name, v) in c["env"].as_object().unwrap() {
            k = k.env(name, v.as_str().unwrap());
        }
        let args: Vec<&str> = match c["place"].as_str().unwrap() {
            "before" => vec![
                "--profile",
                "flagged",
                "rotate",
                "--dry-run",
                "--output",
                "json",
            ],
            "after" => vec![
                "rotate",
                "--dry-run",
                "--output",
                "json",
                "--profile",
                "flagged",
            ],
            _ => vec!["rotate", "--dry-run", "--output", "json"],
        };
        let run = k.args(&args).run();
        let env = &c["env"];
        let (d, p) = (
            env["AWS_DEFAULT_PROFILE"].as_str(),
            env["AWS_PROFILE"].as_str(),
        );
        let flagged = !c["flag"].is_null();
        let conflict = !flagged && matches!((d, p), (Some(d), Some(p)) if d != p);
        let empty = !flagged && !conflict && (d == Some("") || (d.is_none() && p == Some("")));
        let label = format!("{} ADP={d:?} AP={p:?}", c["place"]);
        if conflict || empty {
            run.expect_code(2);
            assert!(run.stderr.contains("--profile"), "{label}: {}", run.stderr);
            if conflict {
                assert!(
                    run.stderr.contains(&format!("`{}`", d.unwrap()))
                        && run.stderr.contains(&format!("`{}`", p.unwrap())),
                    "{label}: {}",
                    run.stderr
                );
                // The AWS CLI would have used AWS_DEFAULT_PROFILE's key.
                let want = [("dev", &dev), ("prod", &prod), ("", &def)]
                    .into_iter()
                    .find(|(n, _)| Some(*n) == d)
                    .map(|(_, k)| k.id.clone());
                if d != Some("") {
                    assert_eq!(b["key"].as_str(), want.as_deref(), "{label}: {b}");
                }
            } else {
                assert_eq!(b["error"], "ProfileNotFound", "{label}: {b}");
            }
            assert_eq!(sb.proxy_log().len(), before, "{label}: a request was sent");
            tested.push(format!("{label}: refused (botocore: {b})"));
        } else {
            run.expect_code(0);
            let items: Value = serde_json::from_str(&run.stdout).unwrap();
            let ours = items[0]["old_key_id"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            assert_eq!(
                Some(ours.as_str()),
                b["key"].as_str(),
                "{label}: {}",
                run.stdout
            );
            tested.push(format!("{label}: {}", items[0]["profile"]));
        }
    }
    assert!(mutations(&sb).is_empty(), "dry runs changed IAM");
    eprintln!(
        "profile selection, {} combinations:\n{}",
        tested.len(),
        tested.join("\n")
    );

    // `--profile` before or after `status` limits the table the same way.
    for args in [
        &["--profile", "dev", "status", "--offline"][..],
        &["status", "--offline", "--profile", "dev"],
    ] {
        let run = sb.keyturn().args(args).run();
        run.expect_code(0);
        let rows: Vec<&str> = run.stdout.lines().skip(1).collect();
        assert!(
            rows.len() == 1 && rows[0].starts_with("dev "),
            "{}",
            run.stdout
        );
    }
    // `--output csv` is audit's only: a usage error elsewhere.
    for cmd in ["rotate", "status", "recover"] {
        let run = sb.keyturn().args([cmd, "--output", "csv"]).run();
        run.expect_code(2);
        assert!(run.stderr.contains("audit"), "{}", run.stderr);
    }
}

/// The three shapes botocore reads differently from a naive reader.
#[test]
fn files_read_as_botocore_reads_them() {
    let sb = Sandbox::new();
    let (base, ci, dev) = (sb.user("base"), sb.user("ci"), sb.user("devu"));
    // Static keys plus source_profile or credential_source but no
    // role_arn: botocore serves the static keys, so keyturn rotates them.
    let creds = format!(
        "[base]\n{}[dev]\n{}source_profile = base\n[ci]\n{}credential_source = Environment\n",
        pair(&base),
        pair(&dev),
        pair(&ci)
    );
    write_private(&sb.credentials(), &creds);
    write_private(
        &sb.config(),
        "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = base\n",
    );

    // A role profile names the profile to rotate instead.
    let run = sb.keyturn().args(["rotate", "admin"]).run();
    run.expect_code(3);
    assert!(
        run.stderr.contains("rotate `base` instead"),
        "{}",
        run.stderr
    );

    let run = sb
        .keyturn()
        .args(["rotate", "dev", "ci", "--output", "json"])
        .run();
    run.expect_code(0);
    let items: Value = serde_json::from_str(&run.stdout).unwrap();
    for (i, (k, name)) in [(&dev, "dev"), (&ci, "ci")].into_iter().enumerate() {
        assert_eq!(items[i]["profile"], name);
        assert_eq!(items[i]["status"], "rotated", "{}", run.stdout);
        assert_eq!(items[i]["old_key_id"], k.id.as_str());
        let keys = sb.keys_of(if name == "dev" { "devu" } else { "ci" });
        assert_eq!(keys.len(), 1, "{keys:?}");
        assert_ne!(keys[0].0, k.id);
    }
    // The other keys of the sections are left as they were.
    let text = std::fs::read_to_string(sb.credentials()).unwrap();
    assert!(
        text.contains("source_profile = base\n")
            && text.contains("credential_source = Environment\n")
    );
    assert!(!text.contains(&dev.id) && !text.contains(&ci.id));

    // A nested block with a line without `=` makes botocore refuse the
    // whole file (ConfigParseError): keyturn refuses too, changing nothing.
    let bad = "[default]\nregion = us-east-1\ns3 =\n    bad_syntax @ s3v4\n";
    write_private(&sb.config(), bad);
    let oracle = Command::new(python())
        .arg(repo().join("tests/support/botocore_parse.py"))
        .arg(sb.config())
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&oracle.stdout).contains("error"),
        "botocore reads it?"
    );
    let creds_before = std::fs::read(sb.credentials()).unwrap();
    let n = mutations(&sb).len();
    let run = sb.keyturn().args(["rotate", "base"]).run();
    run.expect_code(3);
    assert!(run.stderr.contains("line 4"), "{}", run.stderr);
    assert_eq!(std::fs::read(sb.credentials()).unwrap(), creds_before);
    assert_eq!(std::fs::read_to_string(sb.config()).unwrap(), bad);
    assert_eq!(mutations(&sb).len(), n);
    let run = sb.keyturn().args(["status", "--offline"]).run();
    run.expect_code(1);
    assert!(run.stderr.contains("line 4"), "{}", run.stderr);
}

/// No files: say which file is missing and what to do; `status` exits 5;
/// a file named with a flag must exist. Then a definite CreateAccessKey
/// failure (AccessDenied), which changed nothing, exits 3.
#[test]
fn missing_files_and_definite_failures_say_what_to_do() {
    let sb = Sandbox::new();
    let run = sb.keyturn().args(["rotate"]).run();
    run.expect_code(3);
    let creds = sb.credentials().display().to_string();
    assert!(
        run.stderr.contains(&creds) && run.stderr.contains("aws configure"),
        "{}",
        run.stderr
    );
    let run = sb.keyturn().args(["status"]).run();
    run.expect_code(5);
    assert!(run.stdout.contains("aws configure"), "{}", run.stdout);
    let run = sb
        .keyturn()
        .args(["status", "--credentials-file", "~/nope"])
        .run();
    run.expect_code(2);
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
    assert!(run.stderr.contains("nope"), "{}", run.stderr);
    // Japanese too.
    let run = sb
        .keyturn()
        .env("LANG", "ja_JP.UTF-8")
        .args(["rotate"])
        .run();
    run.expect_code(3);
    assert!(run.stderr.contains("存在しません"), "{}", run.stderr);
    assert!(!sb.credentials().exists(), "a file was created");

    // Only the config file exists: the message still names the missing one.
    write_private(&sb.config(), "[profile other]\nregion = us-east-1\n");
    let run = sb.keyturn().args(["rotate"]).run();
    run.expect_code(3);
    assert!(
        run.stderr.contains(&creds) && run.stderr.contains("does not exist"),
        "{}",
        run.stderr
    );
    std::fs::remove_file(sb.config()).unwrap();

    let k = sb.user("denied");
    ctl(
        &sb,
        "deny",
        &["--name", "denied", "--actions", "iam:CreateAccessKey"],
    );
    let text = format!("[default]\n{}", pair(&k));
    write_private(&sb.credentials(), &text);
    let run = sb.keyturn().args(["rotate"]).run();
    run.expect_code(3);
    assert!(run.stderr.contains("AccessDenied"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(sb.credentials()).unwrap(), text);
    assert_eq!(sb.keys_of("denied").len(), 1);
    assert!(sb.works(&k.id, &k.secret));
}

/// A refused connection, as a user sees it: one line naming the endpoint
/// and where it came from, in their language; the SDK's chain only with
/// `-v`; `status` exits 1 when a key could not be checked.
#[test]
fn network_errors_are_one_clear_line() {
    let sb = Sandbox::new();
    let k = sb.user("net");
    let text = format!("[default]\n{}", pair(&k));
    write_private(&sb.credentials(), &text);
    let dead = format!("http://127.0.0.1:{}", free_port());
    let run = sb
        .keyturn()
        .env("AWS_ENDPOINT_URL", &dead)
        .args(["rotate"])
        .run();
    run.expect_code(3);
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap();
    assert!(
        line.contains(&dead) && line.contains("AWS_ENDPOINT_URL"),
        "{line}"
    );
    assert!(line.contains("connection refused"), "{line}");
    assert!(!run.stderr.contains("dispatch failure"), "{}", run.stderr);

    let run = sb
        .keyturn()
        .args(["rotate", "-v", "--endpoint-url", &dead])
        .run();
    run.expect_code(3);
    assert!(run.stderr.contains("--endpoint-url"), "{}", run.stderr);
    assert!(run.stderr.contains("dispatch failure"), "{}", run.stderr);

    let run = sb
        .keyturn()
        .env("LANG", "ja_JP.UTF-8")
        .env("AWS_ENDPOINT_URL", &dead)
        .args(["rotate"])
        .run();
    run.expect_code(3);
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap();
    assert!(
        line.contains("接続が拒否されました") && line.contains(&dead),
        "{line}"
    );
    assert!(!line.contains("Connection refused"), "{line}");

    let run = sb
        .keyturn()
        .env("AWS_ENDPOINT_URL", &dead)
        .args(["status"])
        .run();
    run.expect_code(1);
    assert!(run.stdout.contains("connection refused"), "{}", run.stdout);
    // Through the sandbox the same key checks fine: exit 0.
    sb.keyturn().args(["status"]).run().expect_code(0);
    assert_eq!(std::fs::read_to_string(sb.credentials()).unwrap(), text);
    assert_eq!(sb.keys_of("net").len(), 1);
}

/// The `error:` line of a run (there must be one).
#[track_caller]
fn error_line(run: &Run) -> String {
    run.stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| panic!("no error: line\n{}", run.stderr))
        .to_string()
}

/// A host that cannot resolve (`.invalid` never does, RFC 6761: no
/// network or DNS server needed) and a server that never answers (a
/// listener that never accepts: the kernel completes the handshake, the
/// request waits, `--cli-read-timeout 1` bounds each attempt), in English
/// and Japanese: one line naming the endpoint, where it came from, the
/// kind, and that nothing was changed; no SDK chain without `-v`.
#[test]
fn dns_failure_and_timeout_say_the_kind_and_that_nothing_changed() {
    let sb = Sandbox::new();
    let k = sb.user("netkinds");
    let text = format!("[default]\n{}", pair(&k));
    write_private(&sb.credentials(), &text);
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hang = format!("http://127.0.0.1:{}", silent.local_addr().unwrap().port());
    let dns = "http://keyturn-test.invalid:1";
    let cases = [
        // (LANG, endpoint, via the flag?, the kind's words, "nothing changed")
        (
            "C.UTF-8",
            dns,
            true,
            "cannot resolve the host of",
            "nothing was changed",
        ),
        (
            "ja_JP.UTF-8",
            dns,
            true,
            "のホスト名を解決できません",
            "何も変更していません",
        ),
        (
            "C.UTF-8",
            hang.as_str(),
            false,
            "in time",
            "nothing was changed",
        ),
        (
            "ja_JP.UTF-8",
            hang.as_str(),
            false,
            "から時間内に応答がありません",
            "何も変更していません",
        ),
    ];
    for (lang, url, flag, kind, unchanged) in cases {
        let mut kt = sb.keyturn().env("LANG", lang);
        let from = if flag {
            kt = kt.args(["--endpoint-url", url]);
            "--endpoint-url"
        } else {
            kt = kt.env("AWS_ENDPOINT_URL", url);
            "AWS_ENDPOINT_URL"
        };
        let run = kt.args(["--cli-read-timeout", "1", "rotate"]).run();
        run.expect_code(3);
        let line = error_line(&run);
        assert!(line.contains(url) && line.contains(from), "{line}");
        assert!(line.contains(kind) && line.contains(unchanged), "{line}");
        assert!(!run.stderr.contains("[SDK:"), "{}", run.stderr);
        if lang.starts_with("ja") {
            for en in ["dns error", "timed out", "timeout", "nothing was changed"] {
                assert!(!line.contains(en), "English in a Japanese line: {line}");
            }
        }
        assert_eq!(std::fs::read_to_string(sb.credentials()).unwrap(), text);
        assert_eq!(sb.keys_of("netkinds").len(), 1);
    }
    // With -v, the SDK's chain follows, after the note.
    let run = sb
        .keyturn()
        .args(["-v", "--endpoint-url", dns, "rotate"])
        .run();
    run.expect_code(3);
    let line = error_line(&run);
    let note = line.find("nothing was changed").expect(&line);
    let chain = line.find("[SDK: ").expect(&line);
    assert!(note < chain, "{line}");
    drop(silent);
    assert!(mutations(&sb).is_empty());
    assert!(sb.works(&k.id, &k.secret));
}

/// The network fails mid-rotation (every DeleteAccessKey of the old key
/// is reset after the new key is written and verified): the line says the
/// rotation is unfinished, that its journal keeps the state and that
/// `keyturn recover` finishes it; `recover` in Japanese says the same
/// while the network is still down, and finishes once it is back.
#[test]
fn a_network_failure_mid_rotation_says_the_journal_keeps_it() {
    let sb = Sandbox::new();
    let k = sb.user("midnet");
    write_private(&sb.credentials(), &format!("[default]\n{}", pair(&k)));
    sb.proxy(
        "POST",
        "rules",
        r#"[{"action": "DeleteAccessKey", "fault": "reset"}]"#,
    );
    // The timeout bounds the verification (generous: it must pass under
    // load) and then the retries of the retirement, which must fail.
    let run = sb.keyturn().args(["rotate", "--timeout", "20s"]).run();
    run.expect_code(1);
    let line = error_line(&run);
    assert!(line.contains(&sb.proxy_url()), "{line}");
    assert!(
        line.contains("the rotation is unfinished")
            && line.contains(".journal")
            && line.contains("`keyturn recover` finishes it"),
        "{line}"
    );
    assert!(!line.contains("nothing was changed"), "{line}");
    assert_eq!(sb.keys_of("midnet").len(), 2);

    let run = sb
        .keyturn()
        .env("LANG", "ja_JP.UTF-8")
        // From `Verified`, recover only retires: no verification to wait.
        .args(["recover", "--timeout", "2s"])
        .run();
    run.expect_code(1);
    let line = error_line(&run);
    assert!(
        line.contains("ローテーションは完了していません") && line.contains("keyturn recover"),
        "{line}"
    );
    assert!(!line.contains("何も変更していません"), "{line}");

    sb.proxy("POST", "rules", "[]");
    sb.keyturn().args(["recover"]).run().expect_code(0);
    let keys = sb.keys_of("midnet");
    assert_eq!(keys.len(), 1);
    assert_ne!(keys[0].0, k.id);
    let text = std::fs::read_to_string(sb.credentials()).unwrap();
    assert!(text.contains(&keys[0].0), "{text}");
}

/// A child process killed when the test ends.
pub(crate) struct Daemon(pub(crate) Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A CA and a server certificate for 127.0.0.1, made with openssl.
pub(crate) fn make_certs(dir: &Path) -> (PathBuf, PathBuf) {
    let openssl = tool("openssl");
    let run = |args: &[&str]| {
        let out = Command::new(&openssl)
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=keyturn test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    let both = dir.join("server-both.pem");
    let mut pem = std::fs::read(dir.join("server.pem")).unwrap();
    pem.extend(std::fs::read(dir.join("server.key")).unwrap());
    std::fs::write(&both, pem).unwrap();
    (dir.join("ca.pem"), both)
}

/// socat terminating TLS on a free port, forwarding to the fault proxy.
fn tls_terminator(sb: &Sandbox, cert: &Path) -> (Daemon, u16) {
    let port = free_port();
    let mut child = Command::new(tool("socat"))
        .arg(format!(
            "OPENSSL-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork,cert={},verify=0",
            cert.display()
        ))
        .arg(format!("TCP:127.0.0.1:{}", sb.proxy_port))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_port(port, &mut child, "socat");
    (Daemon(child), port)
}

/// tinyproxy on a free port with its own config and log.
pub(crate) fn http_proxy(dir: &Path) -> (Daemon, u16, PathBuf) {
    let port = free_port();
    let log = dir.join("tinyproxy.log");
    let conf = dir.join("tinyproxy.conf");
    std::fs::write(
        &conf,
        format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 120\nLogFile \"{}\"\nLogLevel Info\nMaxClients 50\nAllow 127.0.0.1\nPidFile \"{}\"\n",
            log.display(),
            dir.join("tinyproxy.pid").display()
        ),
    )
    .unwrap();
    let mut child = Command::new(tool("tinyproxy"))
        .arg("-d")
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_port(port, &mut child, "tinyproxy");
    (Daemon(child), port, log)
}

pub(crate) fn connects(log: &Path, port: u16) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(&format!("CONNECT 127.0.0.1:{port}")))
        .count()
}

/// Every real rotation goes over TLS: moto behind socat's TLS with a CA
/// the test makes. With AWS_CA_BUNDLE the rotation succeeds; without it,
/// it fails saying to set AWS_CA_BUNDLE, changing nothing. Through
/// tinyproxy with HTTPS_PROXY the requests are CONNECTs in its log; with
/// NO_PROXY naming the host they go direct.
#[test]
fn https_with_a_private_ca_and_through_a_proxy() {
    let sb = Sandbox::new();
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert) = make_certs(dir.path());
    let (_tls, port) = tls_terminator(&sb, &cert);
    let url = format!("https://127.0.0.1:{port}");
    let k = sb.user("tls");
    let text = format!("[default]\n{}", pair(&k));
    write_private(&sb.credentials(), &text);

    let run = sb
        .keyturn()
        .env("AWS_ENDPOINT_URL", &url)
        .args(["rotate"])
        .run();
    run.expect_code(3);
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap();
    assert!(
        line.contains("AWS_CA_BUNDLE") && line.contains(&url),
        "{line}"
    );
    assert!(line.contains("unknown issuer"), "{line}");
    assert_eq!(std::fs::read_to_string(sb.credentials()).unwrap(), text);
    assert!(mutations(&sb).is_empty());

    let run = sb
        .keyturn()
        .env("AWS_ENDPOINT_URL", &url)
        .env("AWS_CA_BUNDLE", &ca)
        .args(["rotate", "--output", "json"])
        .run();
    run.expect_code(0);
    let items: Value = serde_json::from_str(&run.stdout).unwrap();
    let new_id = items[0]["new_key_id"].as_str().unwrap().to_string();
    let keys = sb.keys_of("tls");
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].0, new_id);

    // Through the proxy.
    let (_proxy, pport, log) = http_proxy(dir.path());
    let proxied = |no_proxy: Option<&str>| {
        let mut k = sb
            .keyturn()
            .env("AWS_ENDPOINT_URL", &url)
            .env("AWS_CA_BUNDLE", &ca)
            .env("HTTPS_PROXY", format!("http://127.0.0.1:{pport}"));
        k.cmd.env_remove("NO_PROXY");
        if let Some(n) = no_proxy {
            k = k.env("NO_PROXY", n);
        }
        k.args(["rotate", "--output", "json"]).run()
    };
    let run = proxied(None);
    run.expect_code(0);
    let seen = connects(&log, port);
    assert!(
        seen > 0,
        "no CONNECT in tinyproxy's log:\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    let run = proxied(Some("127.0.0.1"));
    run.expect_code(0);
    assert_eq!(connects(&log, port), seen, "NO_PROXY was not honoured");
    assert_eq!(sb.keys_of("tls").len(), 1);
    let text = std::fs::read_to_string(sb.credentials()).unwrap();
    let items: Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(text.contains(items[0]["new_key_id"].as_str().unwrap()));
}
