//! Secret values and key-id masking.
//!
//! Invariants: a [`Secret`] never appears in `Debug` or `Display` output,
//! its memory is zeroed when dropped, and the only way to read it is the
//! explicit [`Secret::expose`]. Access key ids are not secret, but human
//! output shows them masked ([`mask`]) so a screenshot or a shared log does
//! not pin the key.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use zeroize::Zeroizing;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(Zeroizing::new(s.into()))
    }

    /// The secret itself: call only where it must leave the process (a
    /// signed request, the credentials file, the journal, a hook's stdin).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Serialised only into the journal, which is 0600 in a 0700 folder.
impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.expose())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
        Ok(Secret::new(
            Zeroizing::new(String::deserialize(d)?).as_str(),
        ))
    }
}

/// `AKIAIOSFODNN7EXAMPLE` becomes `AKIA…MPLE`: the prefix says the kind of
/// key, the suffix is what the IAM console shows, the rest stays hidden.
pub fn mask(key_id: &str) -> String {
    let chars: Vec<char> = key_id.chars().collect();
    if chars.len() <= 8 {
        return "…".repeat(chars.len().min(1));
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// `text` (typically an error body a service echoed back) made safe to
/// show: every occurrence of each of `secrets` (non-empty ones; the token
/// and the secret keys a request carried) becomes `<redacted>`, every word
/// that looks like an access key id is [`mask`]ed, control characters
/// become spaces, and at most `max` characters are kept.
pub fn scrub(text: &str, secrets: &[&str], max: usize) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(s, "<redacted>");
    }
    let words: Vec<String> = out
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() == 20 && (w.starts_with("AKIA") || w.starts_with("ASIA")))
        .map(str::to_string)
        .collect();
    for w in words {
        out = out.replace(&w, &mask(&w));
    }
    let mut line: String = out
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max)
        .collect();
    if out.chars().count() > max {
        line.push('…');
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let s = Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert_eq!(format!("{:?}", Some(&s)), "Some(Secret(<redacted>))");
    }

    #[test]
    fn mask_keeps_prefix_and_suffix_only() {
        assert_eq!(mask("AKIAIOSFODNN7EXAMPLE"), "AKIA…MPLE");
        assert_eq!(mask("short"), "…");
        assert_eq!(mask(""), "");
    }

    #[test]
    fn scrub_hides_secrets_and_key_ids() {
        let body = "{\"message\":\"bad value wJalrXUtnFEMI/K7MDENG for AKIAIOSFODNN7EXAMPLE\ntoken ghp_abc\"}";
        let out = scrub(body, &["wJalrXUtnFEMI/K7MDENG", "ghp_abc", ""], 200);
        assert!(!out.contains("wJalr") && !out.contains("ghp_abc"), "{out}");
        assert!(out.contains("AKIA…MPLE") && !out.contains("AKIAIOSFODNN7EXAMPLE"));
        assert!(!out.contains('\n'), "{out}");
        assert_eq!(scrub("abcdef", &[], 3), "abc…");
    }

    #[test]
    fn serde_round_trip() {
        let s = Secret::new("abc");
        let j = serde_json::to_string(&s).unwrap();
        let back: Secret = serde_json::from_str(&j).unwrap();
        assert_eq!(back.expose(), "abc");
    }
}
