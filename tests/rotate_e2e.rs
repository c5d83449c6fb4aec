//! End-to-end: the real keyturn binary against moto (IAM auth enforced)
//! through the fault proxy, checked with boto3/botocore.

mod common;
use common::*;

fn creds_file(profile: &str, k: &Key, extra: &str) -> String {
    format!(
        "# my keys\n[{profile}]\naws_access_key_id = {}\naws_secret_access_key = {}\n{extra}",
        k.id, k.secret
    )
}

#[test]
fn rotate_default_profile_replaces_key_and_deletes_old() {
    let sb = Sandbox::new();
    let old = sb.user("alice");
    let before = format!(
        "# my keys\r\n[other]\r\naws_access_key_id = AKIAOTHEROTHEROTHER1\r\naws_secret_access_key = othersecret\r\n\r\n[default]\r\naws_access_key_id=  {}\r\naws_secret_access_key : {}   \r\nregion = eu-west-1\r\n; trailing comment",
        old.id, old.secret
    );
    write_private(&sb.credentials(), &before);
    let run = sb.keyturn().args(["rotate"]).run();
    run.expect_code(0);
    run.assert_no_secret(&[&old.secret]);

    let keys = sb.keys_of("alice");
    assert_eq!(keys.len(), 1, "{keys:?}");
    let new_id = &keys[0].0;
    assert_ne!(new_id, &old.id);
    assert!(!sb.works(&old.id, &old.secret), "old key must be dead");

    let after = std::fs::read_to_string(sb.credentials()).unwrap();
    let profiles = sb.botocore_profiles();
    let creds = &profiles["default"]["creds"];
    assert_eq!(creds[0].as_str().unwrap(), new_id);
    // The file is identical except the two values.
    let new_secret_line = after
        .lines()
        .find(|l| l.starts_with("aws_secret_access_key :"))
        .unwrap();
    let new_secret = new_secret_line
        .trim_end_matches([' ', '\r'])
        .rsplit(' ')
        .next()
        .unwrap();
    assert!(sb.works(new_id, new_secret), "new key must work");
    let expected = before
        .replace(&old.id, new_id)
        .replace(&old.secret, new_secret);
    assert_text_eq(&after, &expected);
    assert_eq!(mode(&sb.credentials()), 0o600);
    assert!(!run.stdout.contains(new_secret) && !run.stderr.contains(new_secret));
    assert_eq!(profiles["default"]["region"], "eu-west-1");
    assert_eq!(profiles["other"]["creds"][0], "AKIAOTHEROTHEROTHER1");
    // Every request was signed for us-east-1 although the profile's
    // region is eu-west-1: IAM is global in the aws partition.
    let log = sb.proxy_log();
    assert!(!log.is_empty());
    for entry in &log {
        assert_eq!(entry["region"], "us-east-1", "{entry}");
    }
    let _ = creds_file;
}
