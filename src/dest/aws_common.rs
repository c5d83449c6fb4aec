//! What the AWS destination types (`secretsmanager`, `ssm`) share: who
//! signs, how an AWS error becomes a [`DestError`], and the JSON merge of
//! a pair into an object that keeps every other field.

use super::{scrub, Ctx, DestError, Pair};
use crate::aws::{AwsError, ErrorKind};
use crate::sdk::dest::{DestAws, Signer};

/// The `region` and `profile` fields, checked.
pub(super) fn check_target(region: Option<&str>, profile: Option<&str>) -> Result<(), String> {
    for (field, v) in [("region", region), ("profile", profile)] {
        if v.is_some_and(|v| v.trim().is_empty()) {
            return Err(crate::i18n::trf("dest.empty_field", &[("field", &field)]));
        }
    }
    Ok(())
}

/// Clients signed by `profile` (standard chain) or else the rotated
/// profile's key, in `region` or else the rotated profile's.
pub(super) async fn connect(
    cx: &Ctx<'_>,
    region: Option<&str>,
    profile: Option<&str>,
    dest: &str,
) -> Result<DestAws, DestError> {
    let signer = match (profile, cx.signer) {
        (Some(p), _) => Signer::Profile {
            name: p,
            files: cx.aws_files,
        },
        (None, Some(k)) => Signer::Key(k),
        (None, None) => {
            return Err(DestError::Refused {
                dest: dest.to_string(),
                detail: crate::i18n::tr("dest.no_signer").into(),
            })
        }
    };
    DestAws::new(cx.endpoint, signer, region.unwrap_or(cx.region))
        .await
        .map_err(|detail| DestError::Unavailable {
            dest: dest.to_string(),
            detail,
        })
}

/// An AWS error as a destination error: AWS said no (a refusal to fix)
/// or no usable answer came (throttled after retries, 5xx, network: may
/// pass). The message is scrubbed of `secrets`.
pub(super) fn aws_err<'a>(
    dest: &'a str,
    secrets: &'a [&'a str],
) -> impl FnOnce(AwsError) -> DestError + 'a {
    move |e| {
        let detail = scrub(&e.to_string(), secrets);
        let dest = dest.to_string();
        let refused =
            e.kind == ErrorKind::Service && !e.is_throttling() && e.status.is_none_or(|s| s < 500);
        if refused {
            DestError::Refused { dest, detail }
        } else {
            DestError::Unavailable { dest, detail }
        }
    }
}

/// `current` (a JSON object, or nothing yet) with `fields` set, every
/// other field kept. Err when `current` is not a JSON object: keyturn
/// never replaces what it cannot merge into.
pub(super) fn merged(
    current: Option<&str>,
    fields: &[(&str, &str)],
    dest: &str,
) -> Result<zeroize::Zeroizing<String>, DestError> {
    let mut obj = match current.map(str::trim).filter(|s| !s.is_empty()) {
        None => serde_json::Map::new(),
        Some(text) => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => {
                return Err(DestError::Invalid {
                    dest: dest.to_string(),
                    detail: crate::i18n::tr("dest.not_json_object").into(),
                })
            }
        },
    };
    for (k, v) in fields {
        obj.insert(k.to_string(), serde_json::Value::String(v.to_string()));
    }
    let text =
        serde_json::to_string(&serde_json::Value::Object(obj)).map_err(|e| DestError::Invalid {
            dest: dest.to_string(),
            detail: e.to_string(),
        })?;
    Ok(zeroize::Zeroizing::new(text))
}

/// Whether the JSON object `current` holds `pair` under its names.
pub(super) fn holds(current: Option<&str>, pair: &Pair<'_>) -> bool {
    let Some(Ok(serde_json::Value::Object(m))) =
        current.map(serde_json::from_str::<serde_json::Value>)
    else {
        return false;
    };
    m.get(pair.id_name).and_then(|v| v.as_str()) == Some(pair.key_id)
        && m.get(pair.secret_name).and_then(|v| v.as_str()) == Some(pair.secret.expose())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    #[test]
    fn merge_keeps_other_fields_and_refuses_non_objects() {
        let out = merged(
            Some(r#"{"db":"x","n":3,"AWS_ACCESS_KEY_ID":"old"}"#),
            &[
                ("AWS_ACCESS_KEY_ID", "AKIANEW"),
                ("AWS_SECRET_ACCESS_KEY", "s"),
            ],
            "d",
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["db"], "x");
        assert_eq!(v["n"], 3);
        assert_eq!(v["AWS_ACCESS_KEY_ID"], "AKIANEW");
        let s = Secret::new("s");
        let pair = Pair {
            id_name: "AWS_ACCESS_KEY_ID",
            key_id: "AKIANEW",
            secret_name: "AWS_SECRET_ACCESS_KEY",
            secret: &s,
        };
        assert!(holds(Some(&out), &pair));
        assert!(merged(Some("[1]"), &[], "d").is_err());
        assert!(merged(Some("plain text"), &[], "d").is_err());
        assert_eq!(&*merged(None, &[("a", "b")], "d").unwrap(), r#"{"a":"b"}"#);
    }
}
