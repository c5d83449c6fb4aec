//! aws-vault's rules for its keyring (ByteNess aws-vault v7, same as
//! 99designs v7): which item holds a profile's long-term key, what its
//! cached-session items are called, and how a `credential_process =
//! aws-vault export …` line names the profile and the backend.
//!
//! Invariants (all pure):
//! - The item for profile P is P itself if an item named P exists, else
//!   the first of P's `source_profile` chain that has one. Names compare
//!   exactly; session items and `oidc:` token items are never credentials.
//! - A session item is `TYPE,B64(profile),B64(mfa_serial),UNIX_EXPIRY`
//!   with unpadded base64url, as aws-vault's `SessionMetadata.String()`;
//!   the older formats aws-vault still recognises count as sessions too.
//! - After a rotation, every session item of P and of every profile in its
//!   source chain goes ([`sessions_to_purge`]), as aws-vault's own
//!   `rotate` does, or aws-vault keeps serving sessions of the old key.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;

/// The session types aws-vault caches.
pub const SESSION_TYPES: &[&str] = &[
    "sts.GetSessionToken",
    "sts.AssumeRole",
    "sts.AssumeRoleWithWebIdentity",
    "sso.GetRoleCredentials",
    "credential_process",
];

/// A cached session's item key, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionKey {
    pub kind: String,
    pub profile: String,
    pub mfa_serial: String,
    pub expiry: u64,
}

impl SessionKey {
    /// The item key aws-vault writes for this session.
    pub fn to_key(&self) -> String {
        format!(
            "{},{},{},{}",
            self.kind,
            B64.encode(self.profile.as_bytes()),
            B64.encode(self.mfa_serial.as_bytes()),
            self.expiry
        )
    }

    /// Parses a current-format session key (aws-vault's
    /// `^([^,]+),([^,]+),([^,]*),([0-9]+)$` with base64url parts).
    pub fn parse(key: &str) -> Option<SessionKey> {
        let parts: Vec<&str> = key.split(',').collect();
        let [kind, profile, mfa, expiry] = parts[..] else {
            return None;
        };
        if kind.is_empty() || profile.is_empty() || expiry.is_empty() {
            return None;
        }
        if !expiry.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let text = |s: &str| B64.decode(s).ok().and_then(|b| String::from_utf8(b).ok());
        Some(SessionKey {
            kind: kind.to_string(),
            profile: text(profile)?,
            mfa_serial: text(mfa)?,
            expiry: expiry.parse().ok()?,
        })
    }
}

/// aws-vault's older session key formats (it deletes them on sight).
fn is_old_session_key(key: &str) -> bool {
    let digits = |s: &str, min: usize| s.len() >= min && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = key.strip_prefix("session,") {
        let p: Vec<&str> = rest.split(',').collect();
        if let [profile, _mfa, exp] = p[..] {
            return !profile.is_empty() && digits(exp, 2);
        }
    }
    if let Some(rest) = key.strip_prefix("session:") {
        let p: Vec<&str> = rest.split(':').collect();
        if let [profile, mfa, exp] = p[..] {
            return !profile.is_empty()
                && !profile.contains(' ')
                && !mfa.contains(' ')
                && !exp.is_empty();
        }
    }
    // `NAME session (DIGITS)`
    if let Some(open) = key.rfind(" session (") {
        let tail = &key[open + " session (".len()..];
        if open > 0 {
            if let Some(num) = tail.strip_suffix(')') {
                return digits(num, 1);
            }
        }
    }
    false
}

/// Whether `key` names a cached session (any format) rather than a
/// long-term key.
pub fn is_session_key(key: &str) -> bool {
    SessionKey::parse(key).is_some() || is_old_session_key(key)
}

/// Whether item `key` can hold a profile's long-term key.
pub fn is_credentials_key(key: &str) -> bool {
    !key.is_empty() && !is_session_key(key) && !key.starts_with("oidc:")
}

/// P, then its `source_profile`, then that one's, … stopping before a
/// profile already seen (a loop in the config).
pub fn source_chain(profile: &str, source_of: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let mut chain = vec![profile.to_string()];
    while let Some(next) = chain.last().and_then(|p| source_of(p)) {
        if next.is_empty() || chain.contains(&next) {
            break;
        }
        chain.push(next);
    }
    chain
}

/// The item key holding `profile`'s long-term key among `keys`, if any.
pub fn credentials_item_for(
    profile: &str,
    source_of: impl Fn(&str) -> Option<String>,
    keys: &[String],
) -> Option<String> {
    source_chain(profile, source_of)
        .into_iter()
        .find(|p| is_credentials_key(p) && keys.iter().any(|k| k == p))
}

/// The session items to delete after rotating the key of `chain[0]`: those
/// of every profile in `chain` (see [`source_chain`]), any type or MFA.
pub fn sessions_to_purge(chain: &[String], keys: &[String]) -> Vec<String> {
    keys.iter()
        .filter(|k| SessionKey::parse(k).is_some_and(|s| chain.contains(&s.profile)))
        .cloned()
        .collect()
}

/// What a `credential_process = aws-vault …` line says: the profile it
/// exports and the global flags that choose the keyring.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessLine {
    pub profile: String,
    pub backend: Option<String>,
    pub file_dir: Option<String>,
    pub pass_dir: Option<String>,
    pub pass_cmd: Option<String>,
    pub pass_prefix: Option<String>,
    pub secret_service_collection: Option<String>,
    pub keychain: Option<String>,
}

/// aws-vault flags that take a value (global ones and `export`'s), so that
/// `--flag VALUE` is not read as the profile.
const VALUE_FLAGS: &[&str] = &[
    "--backend",
    "--prompt",
    "--keychain",
    "--secret-service-collection",
    "--pass-dir",
    "--pass-cmd",
    "--pass-prefix",
    "--file-dir",
    "--op-timeout",
    "--op-vault-id",
    "--op-item-title-prefix",
    "--op-item-tag",
    "--op-connect-host",
    "--op-desktop-account-id",
    "--proton-pass-share-id",
    "--proton-pass-item-title-prefix",
    "--proton-pass-api-base",
    "--proton-pass-timeout",
    "--duration",
    "-d",
    "--mfa-token",
    "-t",
    "--format",
    "--region",
];

/// Reads a `credential_process` value that runs `aws-vault export`;
/// `None` for any other command. Split as botocore splits it (POSIX shell
/// words).
pub fn parse_process_line(line: &str) -> Option<ProcessLine> {
    let words = shlex::split(line)?;
    let (program, args) = words.split_first()?;
    let base = program.rsplit(['/', '\\']).next().unwrap_or(program);
    if base != "aws-vault" && base != "aws-vault.exe" {
        return None;
    }
    let mut out = ProcessLine::default();
    let mut positionals = Vec::new();
    let mut i = 0;
    let mut flags_done = false;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if flags_done || !a.starts_with('-') || a == "-" {
            positionals.push(a.clone());
            continue;
        }
        if a == "--" {
            flags_done = true;
            continue;
        }
        let (name, value) = match a.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None if VALUE_FLAGS.contains(&a.as_str()) => {
                let v = args.get(i).cloned();
                i += 1;
                (a.clone(), v)
            }
            None => (a.clone(), None),
        };
        let slot = match name.as_str() {
            "--backend" => &mut out.backend,
            "--file-dir" => &mut out.file_dir,
            "--pass-dir" => &mut out.pass_dir,
            "--pass-cmd" => &mut out.pass_cmd,
            "--pass-prefix" => &mut out.pass_prefix,
            "--secret-service-collection" => &mut out.secret_service_collection,
            "--keychain" => &mut out.keychain,
            _ => continue,
        };
        *slot = value;
    }
    let mut pos = positionals.into_iter();
    if pos.next()? != "export" {
        return None;
    }
    out.profile = pos.next()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn keys(k: &[&str]) -> Vec<String> {
        k.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn session_keys_round_trip_unpadded_base64url() {
        let s = SessionKey {
            kind: "sts.GetSessionToken".into(),
            profile: "dev".into(),
            mfa_serial: "arn:aws:iam::111122223333:mfa/me".into(),
            expiry: 1_700_000_000,
        };
        let k = s.to_key();
        assert_eq!(
            k,
            "sts.GetSessionToken,ZGV2,YXJuOmF3czppYW06OjExMTEyMjIyMzMzMzptZmEvbWU,1700000000"
        );
        assert!(!k.contains('='));
        assert_eq!(SessionKey::parse(&k), Some(s));
        assert_eq!(
            SessionKey::parse("sts.AssumeRole,ZGV2,,1")
                .unwrap()
                .mfa_serial,
            ""
        );
        for not in [
            "dev",
            "a,b,c",
            "sts.AssumeRole,,x,1",
            "t,ZGV2,,12a",
            "t,ZGV2,,",
        ] {
            assert!(SessionKey::parse(not).is_none(), "{not}");
        }
    }

    #[test]
    fn old_session_formats_are_not_credentials() {
        for k in [
            "session,ZGV2,,1234",
            "session:dev::1234",
            "dev session (1700000000)",
            "oidc:https://x",
        ] {
            assert!(!is_credentials_key(k), "{k}");
        }
        assert!(is_credentials_key("dev"));
        assert!(is_credentials_key("my session"));
    }

    #[test]
    fn lookup_follows_the_source_chain() {
        let src: HashMap<&str, &str> = HashMap::from([
            ("role", "mid"),
            ("mid", "base"),
            ("loop", "loop2"),
            ("loop2", "loop"),
        ]);
        let source_of = |p: &str| src.get(p).map(|s| s.to_string());
        let ks = keys(&["base", "sts.AssumeRole,cm9sZQ,,1700000000"]);
        assert_eq!(
            credentials_item_for("role", source_of, &ks),
            Some("base".into())
        );
        let ks = keys(&["base", "mid"]);
        assert_eq!(
            credentials_item_for("role", source_of, &ks),
            Some("mid".into())
        );
        assert_eq!(credentials_item_for("loop", source_of, &ks), None);
        assert_eq!(source_chain("loop", source_of), ["loop", "loop2"]);
        assert_eq!(credentials_item_for("other", source_of, &ks), None);
    }

    #[test]
    fn purge_takes_the_sessions_of_the_whole_chain_only() {
        let b = |p: &str| B64.encode(p);
        let ks = vec![
            "base".to_string(),
            format!("sts.GetSessionToken,{},,1700000000", b("base")),
            format!("sts.AssumeRole,{},{},1700000001", b("role"), b("arn:mfa")),
            format!("sts.AssumeRole,{},,1700000002", b("other")),
            format!("sso.GetRoleCredentials,{},,1700000003", b("baseline")),
        ];
        let chain = keys(&["role", "base"]);
        assert_eq!(
            sessions_to_purge(&chain, &ks),
            [ks[1].clone(), ks[2].clone()]
        );
    }

    #[test]
    fn process_lines() {
        let p = parse_process_line("aws-vault export --format=json --no-session dev").unwrap();
        assert_eq!(p.profile, "dev");
        assert_eq!(p.backend, None);
        let p = parse_process_line(
            "/usr/local/bin/aws-vault --backend=file --file-dir '/home/me/my keys' export --format json -d 1h prod",
        )
        .unwrap();
        assert_eq!(p.profile, "prod");
        assert_eq!(p.backend.as_deref(), Some("file"));
        assert_eq!(p.file_dir.as_deref(), Some("/home/me/my keys"));
        let p = parse_process_line("aws-vault export --backend pass --pass-prefix=aws x").unwrap();
        assert_eq!(
            (p.backend.as_deref(), p.pass_prefix.as_deref()),
            (Some("pass"), Some("aws"))
        );
        assert_eq!(parse_process_line("aws-vault exec dev -- env"), None);
        assert_eq!(
            parse_process_line("granted credential-process --profile=dev"),
            None
        );
        assert_eq!(parse_process_line("aws-vault export"), None);
        assert_eq!(parse_process_line("aws-vault 'unterminated"), None);
    }
}
