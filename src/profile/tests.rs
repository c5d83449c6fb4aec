//! Resolution rules and the pair edit, on byte-exact fixtures.

use super::*;
use std::path::Path;

const ID: &str = "AKIAOLDOLDOLDOLD0001";
const SECRET: &str = "oldsecretoldsecretoldsecretoldsecret0001";

fn resolve_in(
    creds: Option<&str>,
    config: Option<&str>,
    profile: &str,
) -> Result<StaticKey, Refusal> {
    let c = creds.map(Document::parse);
    let f = config.map(Document::parse);
    let files = Files {
        credentials: c.as_ref(),
        credentials_path: Path::new("/h/.aws/credentials"),
        config: f.as_ref(),
        config_path: Path::new("/h/.aws/config"),
    };
    resolve(&files, profile)
}

fn pair(section: &str) -> String {
    format!("[{section}]\naws_access_key_id = {ID}\naws_secret_access_key = {SECRET}\n")
}

#[test]
fn finds_pair_in_credentials_file() {
    let k = resolve_in(Some(&pair("default")), None, "default").unwrap();
    assert_eq!(k.access_key_id, ID);
    assert_eq!(k.secret.expose(), SECRET);
    assert_eq!(k.home.file, FileKind::Credentials);
    assert!(k.sharers.is_empty());
}

#[test]
fn credentials_section_name_is_the_profile_name_as_written() {
    let k = resolve_in(Some(&pair("profile dev")), None, "profile dev").unwrap();
    assert_eq!(k.home.section, "profile dev");
    assert!(matches!(
        resolve_in(Some(&pair("profile dev")), None, "dev"),
        Err(Refusal::NotFound { .. })
    ));
}

#[test]
fn finds_pair_in_config_file_under_profile_prefix() {
    let k = resolve_in(None, Some(&pair("profile dev")), "dev").unwrap();
    assert_eq!(k.home.file, FileKind::Config);
    assert_eq!(k.home.section, "profile dev");
    // A bare [dev] in the config file is not a profile.
    assert!(matches!(
        resolve_in(None, Some(&pair("dev")), "dev"),
        Err(Refusal::NotFound { .. })
    ));
}

#[test]
fn credentials_file_wins_over_config_file() {
    let conf = "[profile dev]\naws_access_key_id = AKIACONF\naws_secret_access_key = x\nregion = eu-west-1\nmfa_serial = arn:aws:iam::1:mfa/u\n";
    let k = resolve_in(Some(&pair("dev")), Some(conf), "dev").unwrap();
    assert_eq!(k.access_key_id, ID);
    assert_eq!(k.region.as_deref(), Some("eu-west-1"));
    assert_eq!(k.mfa_serial.as_deref(), Some("arn:aws:iam::1:mfa/u"));
}

#[test]
fn sharers_in_both_files_are_found() {
    let creds = format!("{}{}", pair("a"), pair("b"));
    let conf = pair("profile c");
    let k = resolve_in(Some(&creds), Some(&conf), "a").unwrap();
    let names: Vec<_> = k
        .sharers
        .iter()
        .map(|p| (p.file, p.section.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            (FileKind::Credentials, "b"),
            (FileKind::Config, "profile c")
        ]
    );
}

fn refusal(creds: Option<&str>, config: Option<&str>, profile: &str) -> Refusal {
    resolve_in(creds, config, profile).unwrap_err()
}

#[test]
fn refuses_missing_profile() {
    let r = refusal(Some(&pair("a")), None, "b");
    assert_eq!(r.code(), "profile_not_found");
    assert!(r
        .to_string()
        .contains("profile `b` is not in /h/.aws/credentials"));
}

#[test]
fn refuses_temporary_credentials() {
    let creds = format!("{}aws_session_token = tok\n", pair("a"));
    assert_eq!(
        refusal(Some(&creds), None, "a").code(),
        "temporary_credentials"
    );
    let creds = format!("{}aws_security_token = tok\n", pair("a"));
    assert_eq!(
        refusal(Some(&creds), None, "a").code(),
        "temporary_credentials"
    );
}

#[test]
fn refuses_role_profiles_from_either_file() {
    let conf = "[profile a]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = b\n";
    let r = refusal(Some(&pair("a")), Some(conf), "a");
    assert_eq!(r.code(), "role_profile");
    assert!(r.to_string().contains("rotate `b` instead"), "{r}");
    let creds = format!("{}role_arn = arn:aws:iam::1:role/r\n", pair("a"));
    let r = refusal(
        Some(&creds),
        Some("[profile a]\ncredential_source = Environment\n"),
        "a",
    );
    assert_eq!(r.code(), "role_profile");
    assert!(r.to_string().contains("Environment"), "{r}");
}

/// botocore's AssumeRoleProvider needs role_arn: source_profile or
/// credential_source alone leave the profile to its static keys.
#[test]
fn source_profile_or_credential_source_without_role_arn_is_a_static_key() {
    for extra in ["source_profile = b\n", "credential_source = Environment\n"] {
        let creds = format!("{}{extra}", pair("a"));
        let k = resolve_in(Some(&creds), None, "a").unwrap();
        assert_eq!(k.access_key_id, ID);
        let conf = format!("[profile a]\n{extra}");
        assert!(resolve_in(Some(&pair("a")), Some(&conf), "a").is_ok());
    }
    // role_arn with web_identity_token_file is a web identity profile.
    let conf = "[profile a]\nrole_arn = arn:aws:iam::1:role/r\nweb_identity_token_file = /t\n";
    assert_eq!(
        refusal(Some(&pair("a")), Some(conf), "a").code(),
        "web_identity_profile"
    );
    // An sso_session alone does not make botocore's SSO provider run: the
    // static keys serve; without them it is still called an SSO profile.
    let conf = "[profile a]\nsso_session = corp\n";
    assert!(resolve_in(Some(&pair("a")), Some(conf), "a").is_ok());
    assert_eq!(refusal(None, Some(conf), "a").code(), "sso_profile");
}

#[test]
fn a_bad_nested_block_makes_the_file_unparsable() {
    let conf = "[profile a]\ns3 =\n    bad_syntax @ s3v4\n";
    assert_eq!(
        refusal(Some(&pair("a")), Some(conf), "a").code(),
        "file_unparsable"
    );
}

#[test]
fn refuses_web_identity_sso_and_process() {
    let conf = "[profile a]\nweb_identity_token_file = /t\n";
    assert_eq!(
        refusal(None, Some(conf), "a").code(),
        "web_identity_profile"
    );
    let conf = "[profile a]\nsso_session = corp\nsso_account_id = 1\n";
    assert_eq!(refusal(None, Some(conf), "a").code(), "sso_profile");
    let conf = "[profile a]\ncredential_process = /bin/get\n";
    assert_eq!(
        refusal(None, Some(conf), "a").code(),
        "credential_process_profile"
    );
}

#[test]
fn credentials_file_pair_beats_credential_process_like_botocore() {
    let conf = "[profile a]\ncredential_process = /bin/get\n";
    assert!(resolve_in(Some(&pair("a")), Some(conf), "a").is_ok());
}

#[test]
fn refuses_keys_inherited_from_default() {
    let creds = format!(
        "[DEFAULT]\naws_access_key_id = {ID}\naws_secret_access_key = {SECRET}\n[a]\nregion = x\n"
    );
    let r = refusal(Some(&creds), None, "a");
    assert_eq!(r.code(), "inherited_from_default");
    let creds =
        format!("[DEFAULT]\naws_secret_access_key = {SECRET}\n[a]\naws_access_key_id = {ID}\n");
    assert_eq!(
        refusal(Some(&creds), None, "a").code(),
        "inherited_from_default"
    );
}

#[test]
fn refuses_half_a_pair() {
    let r = refusal(Some(&format!("[a]\naws_access_key_id = {ID}\n")), None, "a");
    assert_eq!(
        r,
        Refusal::HalfPair {
            profile: "a".into(),
            path: "/h/.aws/credentials".into(),
            present: ACCESS_KEY_ID,
            missing: SECRET_ACCESS_KEY
        }
    );
    let r = refusal(
        Some(&format!("[a]\naws_secret_access_key = {SECRET}\n")),
        None,
        "a",
    );
    assert_eq!(r.code(), "half_key_pair");
}

#[test]
fn refuses_unparsable_file_with_line_number() {
    let creds = format!("{}{}", pair("a"), pair("a"));
    let r = refusal(Some(&creds), None, "a");
    assert_eq!(
        r,
        Refusal::Unparsable {
            path: "/h/.aws/credentials".into(),
            line: 4,
            detail: "line 4: section [a] appears twice".into()
        }
    );
    // A broken config file stops the CLI too, even if the pair is elsewhere.
    let r = refusal(Some(&pair("a")), Some("oops\n"), "a");
    assert_eq!(r.code(), "file_unparsable");
}

#[test]
fn refuses_value_that_is_not_a_single_token() {
    let creds = format!("[a]\naws_access_key_id = {ID} extra\naws_secret_access_key = {SECRET}\n");
    let r = refusal(Some(&creds), None, "a");
    assert_eq!(r.code(), "value_not_a_token");
    assert!(r.to_string().contains("/h/.aws/credentials:2:"));
    let creds =
        format!("[a]\naws_access_key_id = {ID}\naws_secret_access_key = {SECRET}\n  more\n");
    assert_eq!(refusal(Some(&creds), None, "a").code(), "value_not_a_token");
}

#[test]
fn indented_secret_under_region_belongs_to_region_so_pair_is_half() {
    let creds =
        format!("[a]\naws_access_key_id = {ID}\nregion = x\n  aws_secret_access_key = {SECRET}\n");
    assert_eq!(refusal(Some(&creds), None, "a").code(), "half_key_pair");
}

#[test]
fn refuses_profile_without_keys() {
    let conf = "[profile a]\nregion = x\n";
    assert_eq!(refusal(None, Some(conf), "a").code(), "no_static_key");
}

#[test]
fn replace_pair_touches_only_value_bytes_of_every_holder() {
    let before = format!(
        "\u{feff}# keep me\r\n[a]\r\nAWS_ACCESS_KEY_ID:{ID}  \r\naws_secret_access_key\t=\t{SECRET}\r\n\r\n[other]\r\naws_access_key_id = AKIAOTHER\r\naws_secret_access_key = othersecret\r\n[b]\r\n; c\r\naws_secret_access_key = {SECRET}\r\naws_access_key_id = {ID}"
    );
    let mut doc = Document::parse(&before);
    let n = replace_pair(
        &mut doc,
        ID,
        "AKIANEWNEWNEWNEW0002",
        &Secret::new("NEWSECRET"),
        None,
    )
    .unwrap();
    assert_eq!(n, 2);
    let expected = "\u{feff}# keep me\r\n[a]\r\nAWS_ACCESS_KEY_ID:AKIANEWNEWNEWNEW0002  \r\naws_secret_access_key\t=\tNEWSECRET\r\n\r\n[other]\r\naws_access_key_id = AKIAOTHER\r\naws_secret_access_key = othersecret\r\n[b]\r\n; c\r\naws_secret_access_key = NEWSECRET\r\naws_access_key_id = AKIANEWNEWNEWNEW0002";
    assert_eq!(doc.render(), expected);

    let mut doc = Document::parse(&before);
    let n = replace_pair(&mut doc, ID, "AKIANEW", &Secret::new("S"), Some("b")).unwrap();
    assert_eq!(n, 1);
    assert!(doc.render().contains(&format!("AWS_ACCESS_KEY_ID:{ID}")));
}

#[test]
fn profile_names_cover_both_files_once() {
    let creds = Document::parse("[default]\n[a]\n[DEFAULT]\n");
    let conf = Document::parse("[default]\n[profile b]\n[sso-session s]\n[profile a]\n");
    let files = Files {
        credentials: Some(&creds),
        credentials_path: Path::new("c"),
        config: Some(&conf),
        config_path: Path::new("f"),
    };
    assert_eq!(profile_names(&files), ["default", "a", "b"]);
}

#[test]
fn a_setting_of_any_profile_is_read_as_botocore_merges_it() {
    // A role profile (no keys): its region is still found; the
    // credentials file's section wins; [default] is `[default]` in both.
    let conf = "[profile admin]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = dev\nregion = ap-northeast-1\n[default]\nregion = eu-west-1\n[profile dev]\nregion = eu-central-1\n";
    let creds = "[dev]\nregion = us-west-2\n";
    let c = Document::parse(creds);
    let f = Document::parse(conf);
    let files = Files {
        credentials: Some(&c),
        credentials_path: Path::new("/h/.aws/credentials"),
        config: Some(&f),
        config_path: Path::new("/h/.aws/config"),
    };
    assert_eq!(
        setting(&files, "admin", "region").as_deref(),
        Some("ap-northeast-1")
    );
    assert_eq!(
        setting(&files, "dev", "region").as_deref(),
        Some("us-west-2")
    );
    assert_eq!(
        setting(&files, "default", "region").as_deref(),
        Some("eu-west-1")
    );
    assert_eq!(setting(&files, "none", "region"), None);
}
