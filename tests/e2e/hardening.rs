//! Issue 8, "never lock the user out": each numbered way the landed binary
//! broke its first promise, replayed against moto through the fault proxy
//! with the real binary, showing the safe outcome.
//!
//! Root: several tests need a second uid (files another user owns), a
//! tmpfs (a real full disk) or ownership changes. They run as root, as the
//! dev machines and CI do, and fail loudly (never skip) when not root. The
//! second user is a throwaway account made here with `useradd`; files it
//! owns are made by running `mkdir`/`sh` as it with `setpriv`.
//!
//! Item 5 (the CreateAccessKey attempt record) is covered by its own
//! issue's tests.

use crate::common::*;
use serde_json::json;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

const OTHER_USER: &str = "keyturn-other";

fn require_root() {
    let me = Command::new("id").arg("-u").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&me.stdout).trim(),
        "0",
        "the hardening tests (tests/e2e/hardening.rs) must run as root (second uid, tmpfs, chown); CI runs them as root"
    );
}

/// (uid, gid) of the throwaway second user, created on first use.
fn other_user() -> (u32, u32) {
    require_root();
    static MADE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _g = MADE.lock().unwrap_or_else(|p| p.into_inner());
    let id = |flag: &str| {
        Command::new("id")
            .args([flag, OTHER_USER])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
    };
    if id("-u").is_none() {
        let st = Command::new("useradd")
            .args([
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
            ])
            .arg(OTHER_USER)
            .status()
            .expect("run useradd");
        // 9: made meanwhile by another process (another run of the suite).
        assert!(
            st.success() || st.code() == Some(9),
            "useradd {OTHER_USER} failed: {st}"
        );
    }
    (
        id("-u").expect("uid of the second user"),
        id("-g").expect("gid of the second user"),
    )
}

/// Runs `sh -c script` as the second user.
fn as_other(script: &str) {
    let (uid, gid) = other_user();
    let st = Command::new("setpriv")
        .args([
            &format!("--reuid={uid}"),
            &format!("--regid={gid}"),
            "--clear-groups",
            "sh",
            "-c",
            script,
        ])
        .status()
        .expect("run setpriv");
    assert!(st.success(), "as {OTHER_USER}: {script}: {st}");
}

struct Case {
    sb: Sandbox,
    old: Key,
    before: String,
}

fn setup(user: &str) -> Case {
    let sb = Sandbox::new();
    let old = sb.user(user);
    let before = format!(
        "[work]\naws_access_key_id = {}\naws_secret_access_key = {}\nregion = ap-northeast-1\n\n[other]\naws_access_key_id = AKIAUNRELATEDUNRELAT\naws_secret_access_key = unrelated\n",
        old.id, old.secret
    );
    write_private(&sb.credentials(), &before);
    Case { sb, old, before }
}

fn state_dir(sb: &Sandbox) -> PathBuf {
    sb.home.join(".aws/.keyturn")
}

fn journals(dir: &Path) -> usize {
    std::fs::read_dir(dir.join(".keyturn/journal"))
        .map(|d| d.count())
        .unwrap_or(0)
}

fn aws_requests(sb: &Sandbox) -> usize {
    sb.proxy_log().len()
}

/// The one key `user` has in IAM is in `file`, works, and the rest of
/// the file is as it was; no journal is left beside it.
#[track_caller]
fn assert_rotated(c: &Case, user: &str, file: &Path) -> (String, String) {
    let keys = c.sb.keys_of(user);
    assert_eq!(keys.len(), 1, "exactly one key must remain: {keys:?}");
    let id = keys[0].0.clone();
    assert_ne!(id, c.old.id, "the key must have been rotated");
    let text = std::fs::read_to_string(file).unwrap();
    let secret = text
        .lines()
        .find_map(|l| l.strip_prefix("aws_secret_access_key = "))
        .unwrap()
        .to_string();
    assert!(c.sb.works(&id, &secret), "the file's key must work");
    let expected = c
        .before
        .replace(&c.old.id, &id)
        .replace(&c.old.secret, &secret);
    assert_text_eq(&text, &expected);
    assert_eq!(
        journals(file.parent().unwrap()),
        0,
        "no journal may be left"
    );
    (id, secret)
}

/// Nothing changed: the file, IAM, and (unless `state_ok`) no `.keyturn`.
#[track_caller]
fn assert_untouched(c: &Case, user: &str) {
    assert_text_eq(
        &std::fs::read_to_string(c.sb.credentials()).unwrap(),
        &c.before,
    );
    assert_eq!(
        c.sb.keys_of(user),
        vec![(c.old.id.clone(), "Active".to_string())]
    );
}

fn hold(sb: &Sandbox, action: &str, key: &str) {
    sb.proxy(
        "POST",
        "rules",
        &json!([{"action": action, "key": key, "times": 1, "fault": "hold"}]).to_string(),
    );
}

fn wait_held(sb: &Sandbox) {
    wait_until(120, "a request to be held by the proxy", || {
        !sb.proxy("GET", "held", "").as_array().unwrap().is_empty()
    });
}

fn release(sb: &Sandbox) {
    sb.proxy("POST", "rules", "[]");
    sb.proxy("POST", "release", "");
}

/// Waits (generously) for a spawned keyturn to exit; kills it and fails
/// if it does not.
fn finish(mut child: Child, what: &str) -> Run {
    let mut done = false;
    wait_until_or(300, || {
        done = child.try_wait().unwrap().is_some();
        done
    });
    if !done {
        kill_group(&mut child);
        panic!("keyturn did not exit: {what}");
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn wait_until_or(secs: u64, mut f: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    while std::time::Instant::now() < deadline {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn signal(child: &Child, sig: &str) {
    let st = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
}

/// Dead (gone or a zombie awaiting its reaper), waiting for it.
fn wait_dead(pid: i32, what: &str) {
    wait_until(60, what, || {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            Ok(s) => s
                .rsplit(')')
                .next()
                .is_some_and(|r| r.trim_start().starts_with('Z')),
        }
    });
}

fn temps(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".keyturn-") && n.ends_with(".tmp"))
        .collect()
}

/// Settings file with these hooks, 0600 in a 0700 folder.
fn settings(sb: &Sandbox, toml: &str) -> PathBuf {
    let dir = sb.home.join(".config/keyturn");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let file = dir.join("config.toml");
    write_private(&file, toml);
    file
}

// 1. Another program saves an old copy of the file during verification.

#[test]
fn item1_old_bytes_written_back_during_verification_are_undone_before_retire() {
    let c = setup("u1");
    hold(&c.sb, "GetCallerIdentity", "new");
    let child = c.sb.keyturn().args(["rotate", "work"]).spawn();
    wait_held(&c.sb);
    // An editor saves its pre-rotation buffer while keyturn verifies.
    std::fs::write(c.sb.credentials(), &c.before).unwrap();
    release(&c.sb);
    let run = finish(child, "rotation with a concurrent writer");
    run.expect_code(0);
    assert!(
        run.stderr.contains("rewritten by another program"),
        "{}",
        run.stderr
    );
    let (_, secret) = assert_rotated(&c, "u1", &c.sb.credentials());
    run.assert_no_secret(&[&c.old.secret, &secret]);
}

#[test]
fn item1_journal_outlives_the_confirmation_and_a_crash_there_finishes() {
    let c = setup("u1b");
    hold(&c.sb, "GetCallerIdentity", "new");
    let child =
        c.sb.keyturn()
            .args(["rotate", "work"])
            .env("KEYTURN_FAILPOINT", "after-confirm")
            .spawn();
    wait_held(&c.sb);
    std::fs::write(c.sb.credentials(), &c.before).unwrap();
    release(&c.sb);
    let run = finish(child, "rotation dying after confirm");
    assert_eq!(
        run.code, None,
        "keyturn should die at after-confirm: {run:?}"
    );
    // Confirmed (the new pair is back in the file), not yet retired: the
    // journal is still there and both keys live.
    assert_eq!(journals(&c.sb.home.join(".aws")), 1);
    assert_eq!(c.sb.keys_of("u1b").len(), 2);
    assert!(!std::fs::read_to_string(c.sb.credentials())
        .unwrap()
        .contains(&c.old.id));
    c.sb.keyturn().args(["rotate", "work"]).run().expect_code(0);
    assert_rotated(&c, "u1b", &c.sb.credentials());
}

// 2. A `.keyturn` made by another user, with a planted journal.

#[test]
fn item2_planted_state_dir_of_another_user_is_refused() {
    let c = setup("u2");
    let (_uid, _) = other_user();
    // A shared directory (like /tmp): everyone may create in it.
    let shared = c.sb.dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(c.sb.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let creds = shared.join("credentials");
    write_private(&creds, &c.before);
    let attacker = c.sb.user("mallory");
    let planted = json!({
        "version": 1, "state": "rolling_back", "profile": "work",
        "home": {"file": "credentials", "section": "work", "profile": "work"},
        "update_shared": true,
        "credentials_file": creds, "config_file": shared.join("config"),
        "user_arn": "arn:aws:iam::123456789012:user/u2", "user_name": "u2",
        "region": "us-east-1", "mfa_serial": null, "retire": "delete",
        "started_at": 1, "old_key_id": attacker.id, "old_secret": attacker.secret,
        "keys_before": [attacker.id], "new_key_id": c.old.id, "new_secret": c.old.secret,
    });
    let jdir = shared.join(".keyturn/journal");
    as_other(&format!(
        "mkdir -m 0777 -p {0} && chmod 0777 {1} && cat > {0}/work-0.journal <<'EOF'\n{2}\nEOF",
        jdir.display(),
        shared.join(".keyturn").display(),
        planted
    ));
    let before_mode = std::fs::metadata(shared.join(".keyturn")).unwrap().mode() & 0o7777;
    let run =
        c.sb.keyturn()
            .args(["rotate", "work", "--credentials-file"])
            .args([&creds])
            .run();
    run.expect_code(3);
    assert!(run.stderr.contains(".keyturn"), "{}", run.stderr);
    assert!(run.stderr.contains("owned by uid"), "{}", run.stderr);
    assert_text_eq(&std::fs::read_to_string(&creds).unwrap(), &c.before);
    assert_eq!(aws_requests(&c.sb), 0, "refused before any request");
    assert_eq!(
        std::fs::metadata(shared.join(".keyturn")).unwrap().mode() & 0o7777,
        before_mode,
        "the folder's mode is not changed"
    );
    assert_eq!(
        c.sb.keys_of("u2"),
        vec![(c.old.id.clone(), "Active".into())]
    );
    // Our own `.keyturn` but their journal folder: refused too.
    let ours = c.sb.home.join(".aws/.keyturn");
    std::fs::create_dir(&ours).unwrap();
    std::fs::set_permissions(&ours, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::set_permissions(
        c.sb.home.join(".aws"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    std::fs::set_permissions(&ours, std::fs::Permissions::from_mode(0o777)).unwrap();
    as_other(&format!("mkdir -m 0777 {}", ours.join("journal").display()));
    std::fs::set_permissions(&ours, std::fs::Permissions::from_mode(0o700)).unwrap();
    let run = c.sb.keyturn().args(["rotate", "work"]).run();
    run.expect_code(3);
    assert!(run.stderr.contains("journal"), "{}", run.stderr);
    assert_untouched(&c, "u2");
}

// 3. Hooks from a settings file others can write, or another user owns.

#[test]
fn item3_hooks_of_an_untrusted_settings_file_never_run() {
    let c = setup("u3");
    let marker = c.sb.dir.path().join("hook-ran");
    let file = settings(
        &c.sb,
        &format!(
            "[[hooks]]\nname = \"steal\"\ncommand = \"cat > {}\"\n",
            marker.display()
        ),
    );
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
    let run = c.sb.keyturn().args(["rotate", "work"]).run();
    run.expect_code(2);
    assert!(
        run.stderr.contains("refusing to run hooks"),
        "{}",
        run.stderr
    );
    assert!(!marker.exists());
    assert_eq!(aws_requests(&c.sb), 0);
    assert_untouched(&c, "u3");
    // Owned by another user (mode 0644: only they can write it).
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (uid, gid) = other_user();
    std::os::unix::fs::chown(&file, Some(uid), Some(gid)).unwrap();
    let run = c.sb.keyturn().args(["rotate", "work"]).run();
    run.expect_code(2);
    assert!(run.stderr.contains(&format!("uid {uid}")), "{}", run.stderr);
    assert!(!marker.exists());
    // A writable folder is refused as well.
    std::os::unix::fs::chown(&file, Some(0), Some(0)).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::set_permissions(
        file.parent().unwrap(),
        std::fs::Permissions::from_mode(0o777),
    )
    .unwrap();
    c.sb.keyturn().args(["rotate", "work"]).run().expect_code(2);
    assert!(!marker.exists());
    assert_untouched(&c, "u3");
}

// 4. A symlinked `.keyturn` pointing into another user's directory.

#[test]
fn item4_symlinked_state_dir_is_not_followed() {
    let c = setup("u4");
    let (uid, gid) = other_user();
    let theirs = c.sb.dir.path().join("theirs");
    std::fs::set_permissions(c.sb.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir(&theirs).unwrap();
    std::os::unix::fs::chown(&theirs, Some(uid), Some(gid)).unwrap();
    std::fs::set_permissions(&theirs, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::symlink(&theirs, state_dir(&c.sb)).unwrap();
    let run = c.sb.keyturn().args(["rotate", "work"]).run();
    run.expect_code(3);
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_dir(&theirs).unwrap().count(),
        0,
        "nothing written there"
    );
    assert_eq!(std::fs::metadata(&theirs).unwrap().mode() & 0o7777, 0o755);
    assert_eq!(aws_requests(&c.sb), 0);
    assert_untouched(&c, "u4");
}

// 6. A timeout so large it overflowed.

#[test]
fn item6_huge_durations_and_numbers_are_usage_errors_before_any_request() {
    let c = setup("u6");
    for args in [
        &["rotate", "work", "--timeout", "18446744073709551615"][..],
        &["rotate", "work", "--timeout", "18446744073709551615d"],
        &["rotate", "work", "--timeout", "31d"],
        &["rotate", "work", "--max-age", "99999999d"],
        &["rotate", "work", "--jobs", "18446744073709551615"],
        &["rotate", "work", "--verify-count", "99999"],
        &["recover", "--timeout", "18446744073709551615"],
        &["audit", "--report-timeout", "18446744073709551615"],
    ] {
        let run = c.sb.keyturn().args(args).run();
        run.expect_code(2);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
    assert_eq!(aws_requests(&c.sb), 0);
    assert!(!state_dir(&c.sb).exists());
    assert_untouched(&c, "u6");
    // The largest allowed timeout works end to end.
    c.sb.keyturn()
        .args(["rotate", "work", "--timeout", "30d"])
        .run()
        .expect_code(0);
    assert_rotated(&c, "u6", &c.sb.credentials());
}

// 7. A full disk mid-rotation.

/// A tmpfs of `size`, unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn new(at: PathBuf, size: &str) -> Tmpfs {
        require_root();
        std::fs::create_dir_all(&at).unwrap();
        let st = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(&at)
            .status()
            .expect("run mount");
        assert!(st.success(), "mount -t tmpfs failed (needs root): {st}");
        Tmpfs(at)
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Fills the file system holding `dir` until a write fails with ENOSPC.
fn fill(dir: &Path) -> PathBuf {
    use std::io::Write;
    let p = dir.join("filler");
    let mut f = std::fs::File::create(&p).unwrap();
    let chunk = vec![0u8; 4096];
    loop {
        if let Err(e) = f.write_all(&chunk).and_then(|_| f.sync_all()) {
            assert_eq!(e.raw_os_error(), Some(28), "expected ENOSPC: {e}");
            return p;
        }
    }
}

#[test]
fn item7_full_disk_names_the_state_left_and_recover_finishes() {
    let c = setup("u7");
    let disk = Tmpfs::new(c.sb.dir.path().join("disk"), "1m");
    let creds = disk.0.join("credentials");
    write_private(&creds, &c.before);
    hold(&c.sb, "GetCallerIdentity", "new");
    let child =
        c.sb.keyturn()
            .args(["rotate", "work", "--credentials-file"])
            .args([&creds])
            .spawn();
    wait_held(&c.sb);
    // The new pair is written and journaled; now the disk fills up.
    let filler = fill(&disk.0);
    release(&c.sb);
    let run = finish(child, "rotation on a full disk");
    run.expect_code(1);
    for needle in [
        "No space left on device",
        "two access keys",
        "keyturn recover",
        ".keyturn/journal/",
    ] {
        assert!(run.stderr.contains(needle), "{needle}: {}", run.stderr);
    }
    assert_eq!(
        c.sb.keys_of("u7").len(),
        2,
        "both keys live, as the message says"
    );
    std::fs::remove_file(filler).unwrap();
    let rec =
        c.sb.keyturn()
            .args(["recover", "--credentials-file"])
            .args([&creds])
            .run();
    rec.expect_code(0);
    assert_rotated(&c, "u7", &creds);
}

// 8. A FIFO as the credentials file.

#[test]
fn item8_fifo_credentials_file_is_refused_without_hanging() {
    let sb = Sandbox::new();
    let st = Command::new("mkfifo")
        .arg(sb.credentials())
        .status()
        .unwrap();
    assert!(st.success());
    let child = sb.keyturn().args(["rotate", "work"]).spawn();
    let run = finish(child, "a FIFO credentials file");
    run.expect_code(3);
    assert!(run.stderr.contains("FIFO"), "{}", run.stderr);
    assert!(
        !state_dir(&sb).exists(),
        "no .keyturn beside a refused file"
    );
    assert_eq!(aws_requests(&sb), 0);
    // recover refuses it as well, without hanging.
    let run = finish(sb.keyturn().args(["recover"]).spawn(), "recover on a FIFO");
    assert_eq!(run.code, Some(3), "{run:?}");
}

// 9. A signal between the temp-file write and the rename.

#[test]
fn item9_sigterm_before_rename_removes_the_temp_file() {
    let c = setup("u9");
    let aws_dir = c.sb.home.join(".aws");
    let child =
        c.sb.keyturn()
            .args(["rotate", "work"])
            .env("KEYTURN_FAILPOINT", "pause-before-rename")
            .spawn();
    wait_until(120, "the temp file to be written", || {
        !temps(&aws_dir).is_empty()
    });
    signal(&child, "-TERM");
    let run = finish(child, "SIGTERM at the rename");
    assert_eq!(run.code, None, "killed by its signal: {run:?}");
    assert_eq!(
        temps(&aws_dir),
        Vec::<String>::new(),
        "no temp with secrets left"
    );
    let rerun = c.sb.keyturn().args(["rotate", "work"]).run();
    rerun.expect_code(0);
    assert_rotated(&c, "u9", &c.sb.credentials());
    assert!(temps(&aws_dir).is_empty());
}

#[test]
fn item9_stale_temp_of_a_killed_run_is_swept_next_run() {
    let c = setup("u9b");
    let aws_dir = c.sb.home.join(".aws");
    let mut child =
        c.sb.keyturn()
            .args(["rotate", "work"])
            .env("KEYTURN_FAILPOINT", "pause-before-rename")
            .spawn();
    wait_until(120, "the temp file to be written", || {
        !temps(&aws_dir).is_empty()
    });
    // SIGKILL cannot be handled: the temp stays, holding the new secret.
    kill_group(&mut child);
    assert_eq!(temps(&aws_dir).len(), 1);
    let rerun = c.sb.keyturn().args(["rotate", "work"]).run();
    rerun.expect_code(0);
    assert!(temps(&aws_dir).is_empty(), "swept: {:?}", temps(&aws_dir));
    assert_rotated(&c, "u9b", &c.sb.credentials());
}

// 10. Hook timeouts and signals must kill the hook's whole group.

fn read_pid(p: &Path) -> i32 {
    std::fs::read_to_string(p).unwrap().trim().parse().unwrap()
}

#[test]
fn item10_hook_timeout_kills_what_the_hook_backgrounded() {
    let c = setup("u10");
    let bg = c.sb.dir.path().join("bg.pid");
    settings(
        &c.sb,
        &format!(
            "[[hooks]]\nname = \"slow\"\ntimeout = \"2s\"\ncommand = \"sleep 1000 & echo $! > {}; sleep 1000\"\n",
            bg.display()
        ),
    );
    // `.run()` reads keyturn's output to EOF, as `$(keyturn rotate)` does:
    // it returns only if nothing the hook started still holds it.
    let run = c.sb.keyturn().args(["rotate", "work"]).run();
    run.expect_code(1);
    assert!(run.stderr.contains("timed out"), "{}", run.stderr);
    wait_dead(read_pid(&bg), "the backgrounded process to die");
    // Stopped before retire: the old key is still active beside the new.
    assert!(c
        .sb
        .keys_of("u10")
        .iter()
        .any(|(id, s)| *id == c.old.id && s == "Active"));
}

#[test]
fn item10_sigterm_to_keyturn_kills_the_hook_group() {
    let c = setup("u10b");
    let (lead, bg) = (
        c.sb.dir.path().join("hook.pid"),
        c.sb.dir.path().join("bg.pid"),
    );
    settings(
        &c.sb,
        &format!(
            "[[hooks]]\nname = \"slow\"\ncommand = \"echo $$ > {0}; sleep 1000 & echo $! > {1}.part; mv {1}.part {1}; wait\"\n",
            lead.display(),
            bg.display()
        ),
    );
    let child = c.sb.keyturn().args(["rotate", "work"]).spawn();
    wait_until(120, "the hook to start", || bg.exists());
    signal(&child, "-TERM");
    let run = finish(child, "SIGTERM during a hook");
    assert_eq!(run.code, None, "{run:?}");
    wait_dead(read_pid(&lead), "the hook to die");
    wait_dead(read_pid(&bg), "the hook's background process to die");
}

// 11. A refused file gets no `.keyturn`; a read-only file is not rewritten.

#[test]
fn item11_refused_or_read_only_files_get_no_state_dir() {
    let c = setup("u11");
    let elsewhere = c.sb.dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let not_creds = elsewhere.join("package.json");
    std::fs::write(&not_creds, "{\"name\": \"x\"}\n").unwrap();
    let run =
        c.sb.keyturn()
            .args(["rotate", "work", "--credentials-file"])
            .args([&not_creds])
            .run();
    run.expect_code(3);
    assert!(
        !elsewhere.join(".keyturn").exists(),
        "no .keyturn beside it"
    );
    assert_eq!(
        std::fs::read_to_string(&not_creds).unwrap(),
        "{\"name\": \"x\"}\n"
    );

    std::fs::set_permissions(c.sb.credentials(), std::fs::Permissions::from_mode(0o400)).unwrap();
    let run = c.sb.keyturn().args(["rotate", "work"]).run();
    run.expect_code(3);
    assert!(run.stderr.contains("read-only"), "{}", run.stderr);
    assert!(!state_dir(&c.sb).exists());
    assert_eq!(aws_requests(&c.sb), 0);
    assert_eq!(mode(&c.sb.credentials()), 0o400);
    assert_untouched(&c, "u11");
}

// 12. Terminal escapes from the files and hook output; secrets in hook output.

#[test]
fn item12_escapes_are_neutralised_and_hook_output_is_masked() {
    let c = setup("u12");
    let evil = "evil\x1b]0;pwned\x07";
    // `--all` rotates `work` and skips the role profile, naming it.
    let text = format!(
        "[work]\naws_access_key_id = {}\naws_secret_access_key = {}\n\n[{evil}]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = work\n",
        c.old.id, c.old.secret
    );
    write_private(&c.sb.credentials(), &text);
    settings(
        &c.sb,
        "[[hooks]]\nname = \"echo\"\ncommand = \"cat; echo; printf 'title \\\\033]0;x\\\\007 done\\\\n' >&2\"\n",
    );
    let run = c.sb.keyturn().args(["rotate", "--all"]).run();
    run.expect_code(0);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(!all.contains('\x1b') && !all.contains('\x07'), "{all:?}");
    assert!(all.contains("evil\\x1b]0;pwned\\x07"), "{all}");
    assert!(all.contains("title \\x1b]0;x\\x07 done"), "{all}");
    let file = std::fs::read_to_string(c.sb.credentials()).unwrap();
    let secret = file
        .lines()
        .find_map(|l| l.strip_prefix("aws_secret_access_key = "))
        .unwrap()
        .to_string();
    assert_ne!(secret, c.old.secret);
    run.assert_no_secret(&[&secret, &c.old.secret]);
    assert!(
        run.stderr.contains("\"secret_access_key\":\"****\""),
        "{}",
        run.stderr
    );
}

#[test]
fn item12_status_table_neutralises_escapes_too() {
    let sb = Sandbox::new();
    write_private(
        &sb.credentials(),
        "[evil\x1b]0;pwned\x07]\naws_access_key_id = AKIAEVILEVILEVILEVIL\naws_secret_access_key = x\n",
    );
    let run = sb.keyturn().args(["status", "--offline"]).run();
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(!all.contains('\x1b') && !all.contains('\x07'), "{all:?}");
    assert!(all.contains("evil\\x1b]0;pwned\\x07"), "{all}");
}
