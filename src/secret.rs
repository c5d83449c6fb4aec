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
    fn serde_round_trip() {
        let s = Secret::new("abc");
        let j = serde_json::to_string(&s).unwrap();
        let back: Secret = serde_json::from_str(&j).unwrap();
        assert_eq!(back.expose(), "abc");
    }
}
