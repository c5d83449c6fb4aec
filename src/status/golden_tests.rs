//! The whole `status --output json` document, built from fixed inputs
//! through [`super::lines`] as the command builds it, against
//! `tests/golden/status.json` (README "JSON output").
#![cfg(test)]

use super::*;
use crate::ini::Document;

const CREDENTIALS: &str = "\
[default]
aws_access_key_id = AKIADEFAULTDEFAULT01
aws_secret_access_key = s1

[dev]
aws_access_key_id = AKIADEFAULTDEFAULT01
aws_secret_access_key = s1

[old]
aws_access_key_id = AKIAOLDOLDOLDOLDOLD2
aws_secret_access_key = s2
";

const CONFIG: &str = "\
[profile role]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = default

[profile vaulted]
aws_access_key_id = AKIAVAULTVAULTVAULT3
aws_secret_access_key = s3
";

const DAY: u64 = 86_400;
/// 2024-06-01T00:00:00Z.
const NOW: u64 = 1_717_200_000;

fn key(id: &str, active: bool, age_days: u64) -> KeyMeta {
    KeyMeta {
        id: id.into(),
        active,
        created: Some(i64::try_from(NOW - age_days * DAY).unwrap()),
    }
}

#[test]
fn json_matches_its_golden_file() {
    let paths = Paths {
        credentials: "/h/.aws/credentials".into(),
        config: "/h/.aws/config".into(),
    };
    let (creds, conf) = (Document::parse(CREDENTIALS), Document::parse(CONFIG));
    let files = Files {
        credentials: Some(&creds),
        credentials_path: &paths.credentials,
        config: Some(&conf),
        config_path: &paths.config,
    };
    let names = ["default", "old", "role", "vaulted"]
        .map(String::from)
        .to_vec();
    let resolved = resolve_all(&files, names);
    let user = "arn:aws:iam::123456789012:user/team/alice";
    let default = Live {
        user_arn: Some(user.into()),
        keys: Some(vec![
            key("AKIADEFAULTDEFAULT01", true, 100),
            key("AKIAOLDOLDOLDOLDOLD2", false, 400),
        ]),
        last_used: Some(LastUsed {
            date: Some("2024-05-30T08:00:00Z".into()),
            service: Some("s3".into()),
            region: Some("eu-west-1".into()),
        }),
        ..Live::default()
    };
    // An Inactive key cannot sign: its own probe fails, `default`'s
    // listing says what it is.
    let failed = |code: &str, message: &str, answered| Live {
        error: Some(Failure {
            code: code.into(),
            message: message.into(),
            answered,
        }),
        ..Live::default()
    };
    let message = "The security token included in the request is invalid.";
    let old = failed("InvalidClientTokenId", message, true);
    let vaulted = failed("network_error", "no answer from sts.amazonaws.com", false);
    let lives = vec![
        (Some(default), None),
        (Some(old), None),
        (None, None),
        (
            Some(vaulted),
            Some(("aws-vault", "vaulted (login keychain)".into())),
        ),
    ];
    let mut out = lines(
        &paths,
        resolved,
        lives,
        &[],
        &[],
        NOW,
        Duration::from_secs(90 * DAY),
    );
    out[1].interrupted = Some(Box::new(Interrupted {
        profile: "old".into(),
        state: serde_json::to_value(crate::rotate::State::Written).unwrap(),
        started_at: rfc3339(NOW - 3600),
        in_progress: false,
    }));
    let specs: Vec<crate::dest::DestinationSpec> = toml::from_str::<crate::settings::SettingsFile>(
        "[[destinations]]\nname = \"app-env\"\ntype = \"dotenv\"\nprofiles = [\"default\"]\npath = \"/srv/app/.env\"\n",
    )
    .unwrap()
    .destinations;
    attach_destinations(&mut out, &specs);
    crate::report::assert_golden("status.json", &crate::report::json_text(&out));
}
