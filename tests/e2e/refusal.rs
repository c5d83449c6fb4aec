//! Every refusal: a clear message, the documented exit code (3), and
//! proof that nothing changed: the files' bytes and modes, and IAM (no
//! mutating request reached the server).

use crate::common::*;

const MUTATING: &[&str] = &["CreateAccessKey", "DeleteAccessKey", "UpdateAccessKey"];

struct Before {
    creds: Option<(Vec<u8>, u32)>,
    config: Option<(Vec<u8>, u32)>,
}

fn snapshot(sb: &Sandbox) -> Before {
    let read = |p: std::path::PathBuf| std::fs::read(&p).ok().map(|b| (b, mode(&p)));
    Before {
        creds: read(sb.credentials()),
        config: read(sb.config()),
    }
}

#[track_caller]
fn refuse(sb: &Sandbox, args: &[&str], message: &str) {
    let before = snapshot(sb);
    let run = sb.keyturn().args(args).run();
    run.expect_code(3);
    assert!(
        run.stderr.contains(message),
        "expected {message:?} in:\n{}",
        run.stderr
    );
    let after = snapshot(sb);
    assert_eq!(before.creds, after.creds, "credentials file changed");
    assert_eq!(before.config, after.config, "config file changed");
    for e in sb.proxy_log() {
        assert!(
            !MUTATING.contains(&e["action"].as_str().unwrap_or("")),
            "mutating call made: {e}"
        );
    }
    assert!(!sb
        .home
        .join(".aws/.keyturn/journal")
        .read_dir()
        .is_ok_and(|mut d| d.next().is_some()));
}

fn pair(k: &Key) -> String {
    format!(
        "aws_access_key_id = {}\naws_secret_access_key = {}\n",
        k.id, k.secret
    )
}

#[test]
fn refusals_for_profiles_that_cannot_be_rotated() {
    let sb = Sandbox::new();
    let k = sb.user("dave");
    let creds = format!(
        "[temp]\n{}aws_session_token = tok\n[half]\naws_access_key_id = {}\n[DEFAULT]\n{}[inherits]\nregion = x\n[spaced]\naws_access_key_id = {} x\naws_secret_access_key = s\n",
        pair(&k),
        k.id,
        pair(&k),
        k.id
    );
    write_private(&sb.credentials(), &creds);
    let config = "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = temp\n\
[profile sso]\nsso_session = corp\n[profile proc]\ncredential_process = /bin/false\n\
[profile webid]\nweb_identity_token_file = /tmp/t\nrole_arn = x\n[profile empty]\nregion = eu-west-1\n[profile halfc]\naws_secret_access_key = s\n";
    write_private(&sb.config(), config);
    refuse(&sb, &["rotate", "nosuch"], "profile `nosuch` is not in");
    refuse(&sb, &["rotate", "temp"], "temporary credentials");
    // [DEFAULT] supplies the missing secret, as botocore would.
    refuse(
        &sb,
        &["rotate", "half"],
        "inherits aws_secret_access_key from [DEFAULT]",
    );
    refuse(
        &sb,
        &["rotate", "halfc"],
        "has aws_secret_access_key but no aws_access_key_id",
    );
    refuse(
        &sb,
        &["rotate", "inherits"],
        "inherits aws_access_key_id from [DEFAULT]",
    );
    refuse(&sb, &["rotate", "spaced"], "is not a single token");
    refuse(&sb, &["rotate", "role"], "assumes a role");
    refuse(&sb, &["rotate", "sso"], "IAM Identity Center");
    refuse(&sb, &["rotate", "proc"], "credential_process");
    // role_arn with web_identity_token_file: botocore's web identity
    // provider, not its assume-role one.
    refuse(&sb, &["rotate", "webid"], "web identity");
    refuse(&sb, &["rotate", "empty"], "no static access key");
    // Not one request reached AWS for any of these.
    assert!(sb.proxy_log().is_empty(), "{:?}", sb.proxy_log());
}

#[test]
fn refuses_file_the_aws_cli_cannot_parse() {
    let sb = Sandbox::new();
    let k = sb.user("erin");
    write_private(
        &sb.credentials(),
        &format!("[default]\n{}[default]\nx = 1\n", pair(&k)),
    );
    refuse(&sb, &["rotate"], "line 4: section [default] appears twice");
    write_private(
        &sb.credentials(),
        &format!("\u{feff}[default]\n{}", pair(&k)),
    );
    refuse(&sb, &["rotate"], "byte-order mark");
    let mut bytes = format!("[default]\n{}", pair(&k)).into_bytes();
    bytes.extend(b"x = \xff\n");
    std::fs::write(sb.credentials(), &bytes).unwrap();
    refuse(&sb, &["rotate"], "line 4: the file is not valid UTF-8");
    assert!(sb.proxy_log().is_empty());
}

#[test]
fn refuses_second_key_unless_told() {
    let sb = Sandbox::new();
    let keys = sb.user_with_keys("frank", 2);
    write_private(&sb.credentials(), &format!("[default]\n{}", pair(&keys[0])));
    // Active other key: refused, with its last use shown.
    refuse(&sb, &["rotate"], "is Active (never used)");
    refuse(&sb, &["rotate", "--yes"], "--delete-other-active");
    // Inactive other key: refused without --yes (stdin is not a TTY, so
    // no prompt).
    sb.set_status("frank", &keys[1].id, "Inactive");
    refuse(&sb, &["rotate"], "is Inactive; rerun with --yes");
    assert_eq!(sb.keys_of("frank").len(), 2);
    // With --yes it goes ahead: the inactive key goes, then the rotation.
    sb.keyturn().args(["rotate", "--yes"]).run().expect_code(0);
    let left = sb.keys_of("frank");
    assert_eq!(left.len(), 1);
    assert!(left[0].0 != keys[0].id && left[0].0 != keys[1].id);
}

#[test]
fn delete_other_active_removes_it_and_rotates() {
    let sb = Sandbox::new();
    let keys = sb.user_with_keys("gina", 2);
    write_private(&sb.credentials(), &format!("[default]\n{}", pair(&keys[0])));
    let run = sb.keyturn().args(["rotate", "--delete-other-active"]).run();
    run.expect_code(0);
    assert!(run.stderr.contains("will be deleted"), "{}", run.stderr);
    assert_eq!(sb.keys_of("gina").len(), 1);
}

#[test]
fn usage_errors_exit_2_and_touch_nothing() {
    let sb = Sandbox::new();
    let k = sb.user("hank");
    write_private(&sb.credentials(), &format!("[default]\n{}", pair(&k)));
    let before = snapshot(&sb);
    for args in [
        &["rotate", "--timeout", "soon"][..],
        &["rotate", "--retire", "burn"],
        &["rotate", "--endpoint-url", "ftp://x"],
        &["frobnicate"],
    ] {
        let run = sb.keyturn().args(args).run();
        run.expect_code(2);
        assert!(run.stderr.contains("error"), "{}", run.stderr);
    }
    assert_eq!(before.creds, snapshot(&sb).creds);
    assert!(sb.proxy_log().is_empty());
}

#[test]
fn dead_key_fails_with_message_and_changes_nothing() {
    let sb = Sandbox::new();
    let _ = sb.user("ivy");
    write_private(
        &sb.credentials(),
        "[default]\naws_access_key_id = AKIANOTAREALKEY00000\naws_secret_access_key = nope\n",
    );
    let before = snapshot(&sb);
    let run = sb.keyturn().args(["rotate"]).run();
    // AWS said no before any change: refused, exit 3.
    run.expect_code(3);
    assert!(
        run.stderr.contains("InvalidClientTokenId"),
        "{}",
        run.stderr
    );
    assert_eq!(before.creds, snapshot(&sb).creds);
}
