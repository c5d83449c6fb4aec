//! Secret values and key-id masking.
//!
//! Invariants: a [`Secret`] never appears in `Debug` or `Display` output,
//! its memory is zeroed when dropped, and the only way to read it is the
//! explicit [`Secret::expose`]. Access key ids are not secret, but human
//! output shows them masked ([`mask`]) so a screenshot or a shared log does
//! not pin the key.
//!
//! [`redact`] finds a secret in text another program printed (a hook's
//! output) as that program may have written it: plainly, JSON-escaped
//! (`\/`, `\u002f`), URL-encoded (`%2F`, `%2b`) or base64-encoded (as
//! `aws --debug`, curl or kubectl print it), so masking does not depend on
//! how the tool chose to quote it.

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

/// The ways a tool may write one byte of a secret: JSON escapes and URL
/// percent-encoding (either case) of the few non-alphanumerics a secret
/// access key or a session token holds; every other byte only as itself.
fn forms(c: u8) -> &'static [&'static [u8]] {
    match c {
        b'/' => &[b"/", b"\\/", b"%2F", b"%2f", b"\\u002f", b"\\u002F"],
        b'+' => &[b"+", b"%2B", b"%2b", b"\\u002b", b"\\u002B"],
        b'=' => &[b"=", b"%3D", b"%3d", b"\\u003d", b"\\u003D"],
        _ => &[],
    }
}

/// How `secret` (in any of its [`forms`]) matches `hay` from `at`.
#[derive(Debug, PartialEq, Eq)]
enum Match {
    /// The whole secret, ending at this index.
    Full(usize),
    /// The text ends inside the secret: `hay[at..]` is its beginning.
    Partial,
    None,
}

fn match_at(hay: &[u8], at: usize, secret: &[u8]) -> Match {
    let mut i = at;
    for &c in secret {
        let rest = &hay[i..];
        if rest.is_empty() {
            return Match::Partial;
        }
        let alts = forms(c);
        if alts.is_empty() {
            if rest[0] != c {
                return Match::None;
            }
            i += 1;
            continue;
        }
        // The forms of one byte are prefix-free: at most one can match.
        match alts.iter().find(|a| rest.starts_with(a)) {
            Some(a) => i += a.len(),
            None if alts.iter().any(|a| a.starts_with(rest)) => return Match::Partial,
            None => return Match::None,
        }
    }
    Match::Full(i)
}

/// The parts of `secret`'s base64 encoding that depend on its bytes alone,
/// for each of the three alignments it can have inside a longer encoded
/// text, in the standard and the URL-safe alphabets. The one or two
/// characters at each end mix in neighbouring bytes and are left as they
/// are: they cannot rebuild the secret.
fn base64_cores(secret: &[u8]) -> Vec<String> {
    use base64::Engine as _;
    let mut cores = Vec::new();
    for skip in 0..3 {
        let Some(rest) = secret.get(skip..) else {
            continue;
        };
        let whole = &rest[..rest.len() / 3 * 3];
        if whole.len() < 3 {
            continue;
        }
        let std = base64::engine::general_purpose::STANDARD_NO_PAD.encode(whole);
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(whole);
        if url != std {
            cores.push(url);
        }
        cores.push(std);
    }
    cores
}

/// `text` with every secret of `secrets` ([`forms`], [`base64_cores`])
/// replaced by `****`. Empty secrets are ignored.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        out = redact_one(&out, s.as_bytes());
        for core in base64_cores(s.as_bytes()) {
            out = out.replace(&core, "****");
        }
    }
    out
}

fn redact_one(text: &str, secret: &[u8]) -> String {
    let hay = text.as_bytes();
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        match match_at(hay, i, secret) {
            Match::Full(end) => {
                out.extend_from_slice(b"****");
                i = end;
            }
            _ => {
                out.push(hay[i]);
                i += 1;
            }
        }
    }
    // Only ASCII runs were replaced, so the bytes are still UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Where a secret of `secrets` begins and `text` ends before it does (a
/// line cut short in the middle of one): `text[..i]` holds no beginning
/// of a secret. None when `text` does not end inside one.
pub fn secret_tail(text: &str, secrets: &[&str]) -> Option<usize> {
    let hay = text.as_bytes();
    let mut first: Option<usize> = None;
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        // The longest form of a secret: six bytes per byte (`\u002f`).
        let from = hay.len().saturating_sub(s.len() * 6);
        let plain = (from..hay.len()).find(|&i| match_at(hay, i, s.as_bytes()) == Match::Partial);
        // A base64 tail of under 4 characters holds under 3 bytes of the
        // secret; a shorter match would also cut lines ending in any
        // letter.
        let encoded = base64_cores(s.as_bytes()).into_iter().filter_map(|core| {
            let from = hay.len().saturating_sub(core.len());
            (from..hay.len().saturating_sub(3)).find(|&i| core.as_bytes().starts_with(&hay[i..]))
        });
        for i in plain.into_iter().chain(encoded) {
            if text.is_char_boundary(i) {
                first = Some(first.map_or(i, |f| f.min(i)));
            }
        }
    }
    first
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
    // The forms a service may echo a secret in (JSON-escaped,
    // URL-encoded, base64) as hooks' output is masked.
    let mut out = redact(&out, secrets);
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

    const KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLE+KEY";

    #[test]
    fn redact_catches_every_way_a_tool_writes_the_secret() {
        use base64::Engine as _;
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let cases = [
            KEY.to_string(),
            KEY.replace('/', "\\/"),
            KEY.replace('/', "%2F").replace('+', "%2B"),
            KEY.replace('/', "%2f").replace('+', "%2b"),
            KEY.replace('+', "%2B"),
            KEY.replace('/', "\\u002f"),
            format!("SecretAccessKey={}&x=1", KEY.replace('/', "%2F")),
            b64(KEY),
            b64(&format!("{{\"secret\":\"{KEY}\"}}")),
            b64(&format!("a{KEY}")),
            b64(&format!("ab{KEY}")),
            base64::engine::general_purpose::URL_SAFE.encode(format!("ab{KEY}")),
        ];
        for case in cases {
            let line = format!("debug: body={case} end");
            let out = redact(&line, &[KEY]);
            assert!(out.contains("****"), "{line} -> {out}");
            assert!(!out.contains("EXAMPLE") && !out.contains("MDENG"), "{out}");
            assert!(
                out.starts_with("debug: body=") && out.ends_with(" end"),
                "{out}"
            );
        }
        assert_eq!(redact("nothing here", &[KEY, ""]), "nothing here");
        assert_eq!(redact("ünï/cödé %2F", &[KEY]), "ünï/cödé %2F");
    }

    #[test]
    fn a_cut_secret_is_found_at_the_end() {
        for cut in 1..KEY.len() {
            let text = format!("x={}", &KEY[..cut]);
            assert_eq!(secret_tail(&text, &[KEY]), Some(2), "{text}");
        }
        let escaped = KEY.replace('/', "%2F");
        let text = format!("x={}", &escaped[..14]); // ends inside `%2F`
        assert_eq!(secret_tail(&text, &[KEY]), Some(2), "{text}");
        assert_eq!(secret_tail(&format!("x={KEY} done"), &[KEY]), None);
        assert_eq!(secret_tail("plain text", &[KEY]), None);
    }
}
