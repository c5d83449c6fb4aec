//! Issue 18 ("Unattended, for real"), items 3-5, end to end: a fleet behind
//! a slow link (a request waiting for its `--jobs` slot is not a stalled
//! stream), output that cannot be written (closed pipes, full disks: no
//! panic, the rotation finishes, exit 6), and hooks that cannot hold
//! keyturn (a `setsid` daemon holding their output, a zero timeout, an
//! endless line, a secret printed encoded).

use crate::common::*;
use serde_json::{json, Value};
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

fn pair(k: &Key) -> String {
    format!(
        "aws_access_key_id = {}\naws_secret_access_key = {}\n",
        k.id, k.secret
    )
}

/// One user `user` whose key is profile `dev`.
fn one_profile(sb: &Sandbox, user: &str) -> Key {
    let k = sb.user(user);
    write_private(&sb.credentials(), &format!("[dev]\n{}", pair(&k)));
    k
}

/// The one key `user` has in IAM is the one the credentials file holds
/// for `dev`, it works, the old one is gone and no journal is left.
#[track_caller]
fn assert_rotated(sb: &Sandbox, user: &str, old: &Key) {
    let keys = sb.keys_of(user);
    assert_eq!(keys.len(), 1, "{user}: {keys:?}");
    let text = std::fs::read_to_string(sb.credentials()).unwrap();
    assert!(text.contains(&keys[0].0), "the file holds the new key");
    assert!(!text.contains(&old.id) && keys[0].0 != old.id);
    let secret = text
        .lines()
        .find_map(|l| l.strip_prefix("aws_secret_access_key = "))
        .unwrap();
    assert!(sb.works(&keys[0].0, secret));
    let journal = sb.home.join(".aws/.keyturn/journal");
    let left = std::fs::read_dir(&journal).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "journal left in {}", journal.display());
}

/// A pipe whose read end is already closed: every write to the returned
/// end fails with EPIPE (as `| true` or a log reader that died).
fn dead_pipe() -> OwnedFd {
    let (read, write) = pipe();
    drop(read);
    write
}

/// (read end, write end), close-on-exec so no other test's child
/// inherits them (the child gets its end through dup2).
fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills two fds we then own.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

fn dev_full() -> Stdio {
    Stdio::from(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap(),
    )
}

/// Waits (generously) for a spawned keyturn to exit: its exit code, or
/// Err after killing it.
fn wait_exit(mut child: Child, secs: u64) -> Result<Option<i32>, ()> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return Ok(status.code());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    kill_group(&mut child);
    Err(())
}

/// [`wait_exit`], failing the test if keyturn does not exit.
fn finish(child: Child, what: &str) -> Option<i32> {
    wait_exit(child, 240).unwrap_or_else(|()| panic!("keyturn did not exit: {what}"))
}

fn rules(sb: &Sandbox, rules: Value) {
    sb.proxy("POST", "rules", &rules.to_string());
}

// 3. Fleets behind a slow link.

/// Four users rotated with `--jobs 1` while the first three
/// GetCallerIdentity answers each take 3 s: the four identifications are
/// started together, so the fourth waits for its slot at least 9 s (the
/// proxy's own delays, a lower bound however loaded the machine is). The
/// SDK's stalled-stream check gives up on a request whose body did not
/// move for its 1 s window plus its 5 s grace: had the slot wait counted,
/// that attempt would end without an answer, which `-v` prints as "no
/// response". Nothing here depends on how fast anything runs: a slower
/// machine only makes the waits longer.
#[test]
fn item3_a_request_waiting_for_its_jobs_slot_is_not_a_stalled_stream() {
    let sb = Sandbox::new();
    let users: Vec<Key> = (0..4).map(|i| sb.user(&format!("slow{i}"))).collect();
    let creds: String = users
        .iter()
        .enumerate()
        .map(|(i, k)| format!("[p{i}]\n{}", pair(k)))
        .collect();
    write_private(&sb.credentials(), &creds);
    rules(
        &sb,
        json!([{"action": "GetCallerIdentity", "fault": "delay", "ms": 3000, "times": 3}]),
    );
    let run = sb
        .keyturn()
        .args(["-v", "rotate", "--all", "--jobs", "1", "--output", "json"])
        .run();
    assert!(
        !run.stderr.contains("no response"),
        "an attempt waiting for its slot was given up:\n{}",
        run.stderr
    );
    run.expect_code(0);
    let items: Value = serde_json::from_str(&run.stdout).unwrap();
    for item in items.as_array().unwrap() {
        assert_eq!(item["status"], "rotated", "{item}");
    }
    for i in 0..4 {
        assert_eq!(sb.keys_of(&format!("slow{i}")).len(), 1);
    }
    let delayed = sb
        .proxy_log()
        .iter()
        .filter(|e| e["fault"] == "delay")
        .count();
    assert_eq!(delayed, 3, "the delays happened");
}

// 4. Closed pipes never panic.

/// stderr's reader dies while the new key is being verified (a log pipe
/// that died): the rotation still finishes, and the run exits 6.
#[test]
fn item4_stderr_closed_mid_rotation_the_rotation_finishes() {
    let sb = Sandbox::new();
    let old = one_profile(&sb, "pipe1");
    rules(
        &sb,
        json!([{"action": "GetCallerIdentity", "key": "new", "times": 1, "fault": "hold"}]),
    );
    let (read, write) = pipe();
    let child = {
        let mut k = sb.keyturn().args(["rotate", "dev"]);
        use std::os::unix::process::CommandExt;
        k.cmd
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::from(write));
        k.cmd.spawn().unwrap()
    };
    wait_until(120, "the new key's verification to be held", || {
        !sb.proxy("GET", "held", "").as_array().unwrap().is_empty()
    });
    // CreateAccessKey is done, both keys are live: the reader goes away.
    drop(read);
    sb.proxy("POST", "rules", "[]");
    sb.proxy("POST", "release", "");
    let code = finish(child, "rotation with stderr closed");
    assert_eq!(code, Some(6), "exit 6: output lost, rotation done");
    assert_rotated(&sb, "pipe1", &old);
}

/// `rotate | true` and `rotate --output json | true`: done, exit 6, and
/// nothing said (the reader closed the pipe on purpose).
#[test]
fn item4_stdout_closed_rotate_finishes_and_exits_6() {
    let sb = Sandbox::new();
    for (user, json) in [("pipe2", false), ("pipe3", true)] {
        let old = one_profile(&sb, user);
        let mut k = sb.keyturn().args(["rotate", "dev"]);
        if json {
            k = k.args(["--output", "json"]);
        }
        k.cmd.stdout(Stdio::from(dead_pipe()));
        let run = k.run();
        run.expect_code(6);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert!(!run.stderr.contains("cannot write"), "{}", run.stderr);
        assert_rotated(&sb, user, &old);
    }
}

/// `status --offline | head -1` (the reader gone before the table) and
/// `status --offline > /dev/full`: no panic; a full disk is said once.
#[test]
fn item4_status_to_a_closed_pipe_or_a_full_disk() {
    let sb = Sandbox::new();
    let creds: String = (0..50)
        .map(|i| {
            format!("[p{i}]\naws_access_key_id = AKIAEXAMPLE{i:09}\naws_secret_access_key = s\n")
        })
        .collect();
    write_private(&sb.credentials(), &creds);
    let mut k = sb.keyturn().args(["status", "--offline"]);
    k.cmd.stdout(Stdio::from(dead_pipe()));
    let run = k.run();
    run.expect_code(6);
    assert_eq!(run.stderr, "", "a closed pipe is not news");

    for json in [false, true] {
        let mut k = sb.keyturn().args(["status", "--offline"]);
        if json {
            k = k.args(["--output", "json"]);
        }
        k.cmd.stdout(dev_full());
        let run = k.run();
        run.expect_code(6);
        let said: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.starts_with("error: cannot write to stdout"))
            .collect();
        assert_eq!(said.len(), 1, "said once:\n{}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
}

/// `rotate 2>/dev/full`: the rotation finishes, its result is on stdout,
/// exit 6.
#[test]
fn item4_stderr_to_a_full_disk_the_rotation_finishes() {
    let sb = Sandbox::new();
    let old = one_profile(&sb, "full1");
    let mut k = sb.keyturn().args(["rotate", "dev"]);
    k.cmd.stderr(dev_full());
    let out = k.cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(6));
    assert!(String::from_utf8_lossy(&out.stdout).contains("rotated dev"));
    assert_rotated(&sb, "full1", &old);
}

// 5. A hook cannot hold keyturn past its timeout.

/// Settings file with these hooks, 0600 in a 0700 folder.
fn settings(sb: &Sandbox, toml: &str) {
    use std::os::unix::fs::PermissionsExt;
    let dir = sb.home.join(".config/keyturn");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    write_private(&dir.join("config.toml"), toml);
}

fn toml_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}

/// A hook that starts a daemon in a session of its own (`ssh -f`, an ssh
/// control master) holding the hook's stdout and stderr: keyturn finishes
/// while the daemon still lives (it would live 10 minutes), so keyturn
/// did not wait for it; what the hook printed before it exited is shown.
#[test]
fn item5_a_setsid_daemon_holding_the_hook_output_does_not_hold_keyturn() {
    let sb = Sandbox::new();
    let old = one_profile(&sb, "hook1");
    let pidfile = sb.dir.path().join("daemon.pid");
    let script = format!(
        "cat >/dev/null; setsid sh -c 'echo $$ > {pid}.tmp; mv {pid}.tmp {pid}; exec sleep 600' & \
         while [ ! -s {pid} ]; do sleep 0.05; done; echo pushed-the-key",
        pid = pidfile.display()
    );
    settings(
        &sb,
        &format!(
            "[[hooks]]\nname = \"push\"\ncommand = {}\n",
            toml_str(&script)
        ),
    );
    let mut k = sb.keyturn().args(["rotate", "dev"]);
    k.cmd.stdout(Stdio::null());
    let (read, write) = pipe();
    k.cmd.stderr(Stdio::from(write));
    let child = {
        use std::os::unix::process::CommandExt;
        k.cmd.process_group(0).spawn().unwrap()
    };
    // Our copy of the write end goes, so the reader sees keyturn's end.
    drop(k);
    // Read keyturn's stderr on a thread (the daemon holds a copy of the
    // hook's pipe, not of this one).
    let reader = std::thread::spawn(move || {
        use std::io::Read;
        let mut s = String::new();
        let _ = std::fs::File::from(read).read_to_string(&mut s);
        s
    });
    // The hook waits for the daemon to be in its own session (as `ssh -f`
    // returns once it is), so the group kill cannot catch it.
    // 120 s: far past the hook's end, far short of the daemon's life.
    let code = wait_exit(child, 120);
    let stderr = reader.join().unwrap();
    wait_until(
        60,
        &format!("the daemon's pid; keyturn said:\n{stderr}"),
        || pidfile.exists(),
    );
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let daemon_alive = alive(pid);
    // SAFETY: the daemon is this test's (started by its hook).
    unsafe { libc::kill(pid, libc::SIGKILL) };
    let code = code.expect("keyturn waited for the daemon holding the hook's output");
    assert!(daemon_alive, "keyturn ended before the daemon did");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("pushed-the-key"), "{stderr}");
    assert!(stderr.contains("still holds its output"), "{stderr}");
    assert_rotated(&sb, "hook1", &old);
}

#[test]
fn item5_a_zero_hook_timeout_is_a_usage_error_that_changes_nothing() {
    let sb = Sandbox::new();
    let old = one_profile(&sb, "hook2");
    settings(
        &sb,
        "[[hooks]]\nname = \"push\"\ncommand = \"true\"\ntimeout = \"0s\"\n",
    );
    let run = sb.keyturn().args(["rotate", "dev"]).run();
    run.expect_code(2);
    assert!(
        run.stderr.contains("hook `push`") && run.stderr.contains("at least 1s"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.keys_of("hook2"), vec![(old.id.clone(), "Active".into())]);
    assert_eq!(sb.proxy_log().len(), 0, "no request was sent");
    let ja = sb.keyturn().args(["--lang", "ja", "rotate", "dev"]).run();
    ja.expect_code(2);
    assert!(ja.stderr.contains("1 秒以上"), "{}", ja.stderr);
}

/// The hook (Python, the test venv's) prints the new secret as tools do:
/// URL-encoded, JSON-escaped, base64 inside a longer blob; then a 4 MB
/// line with the secret straddling the cut. Nothing of it reaches
/// keyturn's stderr; the long line is cut and marked.
#[test]
fn item5_hook_output_lines_are_bounded_and_encoded_secrets_masked() {
    let sb = Sandbox::new();
    let old = one_profile(&sb, "hook3");
    let script = sb.dir.path().join("hook.py");
    std::fs::write(
        &script,
        r#"import base64, json, sys, urllib.parse
s = json.load(sys.stdin)["secret_access_key"]
print("url:", urllib.parse.quote(s, safe=""))
print("form:", urllib.parse.urlencode({"SecretAccessKey": s}))
print("json:", json.dumps({"k": s}).replace("/", "\\/"))
print("b64:", base64.b64encode(("{\"secret\": \"%s\"}" % s).encode()).decode())
print("b64url:", base64.urlsafe_b64encode(("x" + s).encode()).decode())
cut = 16 * 1024
pad = "y" * (cut - 20)
sys.stdout.write("long:" + pad + s + "z" * (4 * 1024 * 1024) + "\n")
print("after")
"#,
    )
    .unwrap();
    settings(
        &sb,
        &format!(
            "[[hooks]]\nname = \"py\"\ncommand = [{}, {}]\n",
            toml_str(&python().display().to_string()),
            toml_str(&script.display().to_string())
        ),
    );
    let run = sb.keyturn().args(["rotate", "dev"]).run();
    run.expect_code(0);
    assert_rotated(&sb, "hook3", &old);
    let text = std::fs::read_to_string(sb.credentials()).unwrap();
    let secret = text
        .lines()
        .find_map(|l| l.strip_prefix("aws_secret_access_key = "))
        .unwrap()
        .to_string();
    run.assert_no_secret(&[&secret, &old.secret]);
    for prefix in ["url: ", "form: ", "json: ", "b64: ", "b64url: "] {
        let line = run
            .stderr
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} line:\n{}", run.stderr));
        assert!(line.contains("****"), "{line}");
        let shown = &line[prefix.len()..];
        // What is left around the mask is a few characters, never a run
        // of the secret's.
        for piece in shown.split("****") {
            assert!(piece.len() < 24, "{prefix}{shown}");
        }
    }
    let long = run
        .stderr
        .lines()
        .find(|l| l.starts_with("long:"))
        .expect("the long line");
    assert!(long.len() < 17 * 1024, "cut: {} bytes", long.len());
    assert!(
        long.ends_with("**** [line cut: 4194329 more bytes not shown]"),
        "{}",
        &long[long.len() - 80..]
    );
    assert!(run.stderr.lines().any(|l| l == "after"));
}
