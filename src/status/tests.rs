use super::table::*;
use super::*;
use crate::aws::KeyMeta;
use serde_json::json;
use std::path::Path;
use std::time::Duration;

fn key_line() -> Line {
    Line {
        key_id: Some("AKIAIOSFODNN7EXAMPLE".into()),
        file: Some("/h/.aws/credentials".into()),
        section: Some("default".into()),
        kind: Some(FileKind::Credentials),
        rotatable: true,
        ..Line::empty("default")
    }
}

fn labels() -> Labels {
    Labels::new(
        Path::new("/h/.aws/credentials"),
        Path::new("/h/.aws/config"),
    )
}

#[test]
fn user_names_from_arns() {
    assert_eq!(user_name("arn:aws:iam::123456789012:user/alice"), "alice");
    assert_eq!(user_name("arn:aws:iam::1:user/team/dev/bob"), "bob");
    assert_eq!(user_name("arn:aws:iam::1:root"), "root");
}

#[test]
fn ages_and_durations_read_naturally() {
    assert_eq!(days(0), "0 days");
    assert_eq!(days(1), "1 day");
    assert_eq!(days(91), "91 days");
    assert_eq!(duration_text(Duration::from_secs(90 * 86_400)), "90 days");
    assert_eq!(duration_text(Duration::from_secs(0)), "0 days");
    assert_eq!(duration_text(Duration::from_secs(7200)), "2h");
    assert_eq!(duration_text(Duration::from_secs(90)), "90s");
}

#[test]
fn last_used_shows_day_service_region() {
    let l = LastUsedJson {
        date: Some("2024-05-01T10:11:12Z".into()),
        service: Some("s3".into()),
        region: Some("eu-west-1".into()),
    };
    assert_eq!(last_used_text(Some(&l)), "2024-05-01 s3 eu-west-1");
    let never = LastUsedJson {
        date: None,
        service: None,
        region: None,
    };
    assert_eq!(last_used_text(Some(&never)), "never");
    assert_eq!(last_used_text(None), "-");
}

#[test]
fn keys_from_a_listing_give_age_status_and_leftovers() {
    let mut l = key_line();
    let now = 1_000 * 86_400;
    l.apply_keys(
        &[
            KeyMeta {
                id: "AKIAIOSFODNN7EXAMPLE".into(),
                active: true,
                created: Some(900 * 86_400 - 5),
            },
            KeyMeta {
                id: "AKIAOTHERKEYINACTIVE".into(),
                active: false,
                created: None,
            },
            KeyMeta {
                id: "AKIAOTHERKEYACTIVE00".into(),
                active: true,
                created: None,
            },
        ],
        now,
    );
    assert_eq!(l.status, Some("Active"));
    assert_eq!(l.age_days, Some(100));
    assert_eq!(l.inactive_keys, ["AKIAOTHERKEYINACTIVE"]);
    assert_eq!(l.other_active_keys, ["AKIAOTHERKEYACTIVE00"]);
    l.stale = Some(true);
    let n = notes(&l, Duration::from_secs(90 * 86_400)).join("; ");
    assert!(n.contains("STALE (max 90 days)"), "{n}");
    assert!(n.contains("leftover inactive key AKIA…TIVE"), "{n}");
    assert!(!n.contains("AKIAOTHERKEYINACTIVE"), "{n}");
}

#[test]
fn table_masks_ids_and_aligns_by_characters() {
    let mut a = key_line();
    a.user = Some("alice".into());
    a.age_days = Some(3);
    a.status = Some("Active");
    a.error = Some(Box::new(Failure {
        code: "Weird".into(),
        message: "about AKIAIOSFODNN7EXAMPLE".into(),
        answered: true,
    }));
    let mut b = Line::empty("a-much-longer-profile");
    b.reason = Some(Reason {
        code: "role_profile",
        message: "long sentence".into(),
    });
    let out = table(&[a, b], &labels(), Duration::from_secs(86_400), false, None);
    assert!(!out.contains("AKIAIOSFODNN7EXAMPLE"), "{out}");
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), 3, "{out}");
    assert!(rows[0].starts_with("PROFILE"), "{out}");
    // KEY starts at the same character column on every row.
    let col = |r: &str, needle: &str| {
        r.chars()
            .collect::<String>()
            .find(needle)
            .map(|b| r[..b].chars().count())
    };
    assert_eq!(col(rows[0], "KEY"), col(rows[1], "AKIA…MPLE"));
    assert!(rows[1].contains("credentials [default]"), "{out}");
    assert!(rows[1].contains("alice") && rows[1].contains("3 days") && rows[1].contains("Active"));
    assert!(rows[1].contains("error: about AKIA…MPLE"), "{out}");
    assert!(rows[2].contains("not rotatable: role profile"), "{out}");
}

#[test]
fn offline_table_leaves_out_what_only_aws_knows() {
    let out = table(&[key_line()], &labels(), Duration::from_secs(1), true, None);
    let header: Vec<&str> = out.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["PROFILE", "KEY", "WHERE", "NOTE"]);
    assert!(out.contains("AKIA…MPLE  credentials [default]"), "{out}");
}

#[test]
fn other_keys_say_which_profile_holds_them() {
    let mut a = key_line();
    a.inactive_keys = vec!["AKIAOTHERKEYINACTIVE".into()];
    let mut b = key_line();
    b.profile = "old".into();
    b.key_id = Some("AKIAOTHERKEYINACTIVE".into());
    b.status = Some("Inactive");
    let mut lines = [a, b];
    find_holders(&mut lines);
    let n = notes(&lines[0], Duration::from_secs(1)).join("; ");
    assert!(
        n.contains("leftover inactive key AKIA…TIVE (in profile old)"),
        "{n}"
    );
    let n = notes(&lines[1], Duration::from_secs(1)).join("; ");
    assert!(
        n.contains("the key is Inactive: the AWS CLI cannot use it"),
        "{n}"
    );
}

#[test]
fn same_file_names_show_full_paths() {
    let l = Labels::new(Path::new("/a/aws"), Path::new("/b/aws"));
    assert_eq!(l.of(FileKind::Config), "/b/aws");
    assert_eq!(labels().of(FileKind::Config), "config");
}

#[test]
fn json_has_stable_keys_and_full_ids() {
    let mut l = key_line();
    l.interrupted = Some(Box::new(Interrupted {
        profile: "default".into(),
        state: json!("created"),
        started_at: rfc3339(0),
        in_progress: false,
    }));
    let v = json!(l);
    for k in [
        "profile",
        "key_id",
        "file",
        "section",
        "user_arn",
        "age_days",
        "status",
        "last_used",
        "stale",
        "inactive_keys",
        "interrupted",
        "error",
        "rotatable",
        "reason",
    ] {
        assert!(v.get(k).is_some(), "missing {k}: {v}");
    }
    assert_eq!(v["key_id"], "AKIAIOSFODNN7EXAMPLE");
    assert_eq!(v["interrupted"]["started_at"], "1970-01-01T00:00:00Z");
    assert!(v.get("kind").is_none() && v.get("age_secs").is_none());
}

#[test]
fn interrupted_rotation_note_suggests_recover() {
    let mut l = key_line();
    l.interrupted = Some(Box::new(Interrupted {
        profile: "other".into(),
        state: json!("written"),
        started_at: "2024-01-01T00:00:00Z".into(),
        in_progress: false,
    }));
    let n = notes(&l, Duration::from_secs(1)).join("; ");
    assert!(
        n.contains("interrupted rotation of `other` (same key)"),
        "{n}"
    );
    assert!(n.contains("keyturn recover"), "{n}");
}

#[test]
fn an_inactive_key_is_explained_by_another_listing() {
    let mut dead = key_line();
    dead.profile = "old".into();
    dead.key_id = Some("AKIAOTHERKEYINACTIVE".into());
    dead.error = Some(Box::new(Failure {
        code: "InvalidClientTokenId".into(),
        message: "invalid".into(),
        answered: true,
    }));
    let mut live = key_line();
    live.user = Some("alice".into());
    live.listing = Some(vec![
        KeyMeta {
            id: "AKIAIOSFODNN7EXAMPLE".into(),
            active: true,
            created: Some(0),
        },
        KeyMeta {
            id: "AKIAOTHERKEYINACTIVE".into(),
            active: false,
            created: Some(86_400),
        },
    ]);
    let mut lines = [live, dead];
    cross_reference(&mut lines, 3 * 86_400);
    assert_eq!(lines[1].status, Some("Inactive"));
    assert_eq!(lines[1].age_days, Some(2));
    assert_eq!(lines[1].other_active_keys, ["AKIAIOSFODNN7EXAMPLE"]);
    assert_eq!(lines[1].user.as_deref(), Some("alice"));
    assert!(lines[1].error.is_none());
}

#[test]
fn an_unreadable_keyring_says_why_in_the_table_and_fails_status() {
    let mut l = Line::empty("dev");
    l.store = "aws-vault";
    l.reason = Some(Reason {
        code: "keystore_malformed",
        message: "/h/.awsvault/keys/dev: not a keyring item keyturn can read (bad JWE)".into(),
    });
    let n = notes(&l, Duration::from_secs(1)).join("; ");
    assert!(
        n.contains("/h/.awsvault/keys/dev") && n.contains("bad JWE"),
        "{n}"
    );
    assert!(!n.contains("--output json"), "{n}");
    assert!(any_unreadable_keyring(std::slice::from_ref(&l)));
    // A key keyturn merely cannot rotate is no failure of status.
    for code in [
        "keystore_not_long_term_key",
        "keystore_unsupported_backend",
        "role_profile",
    ] {
        l.reason = Some(Reason {
            code,
            message: String::new(),
        });
        assert!(!any_unreadable_keyring(std::slice::from_ref(&l)), "{code}");
    }
}
