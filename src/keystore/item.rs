//! The keyring item both aws-vault and granted store (99designs/keyring's
//! `Item`), and the AWS SDK credentials JSON inside its `Data`.
//!
//! Invariants:
//! - [`Item::to_json`] writes what Go's `encoding/json` writes for the item:
//!   the six fields in their Go order, Go's string escaping (HTML-safe
//!   `\u003c`, `\u003e`, `\u0026`, `\u2028`, `\u2029`), `Data` as standard
//!   padded base64. So an item keyturn rewrites is byte-for-byte the item
//!   the tool itself would have written.
//! - [`Item::with_key_pair`] replaces only the string values of
//!   `AccessKeyID` and `SecretAccessKey` inside `Data`: every other byte of
//!   the credentials JSON (fields a newer SDK added, their order, spacing)
//!   and every other field of the item stays as it was.
//! - `Data` holds the secret: it lives in zeroized memory and never shows
//!   in `Debug`.

use super::KeystoreError;
use crate::secret::Secret;
use base64::Engine as _;
use serde::Deserialize;
use std::fmt;
use zeroize::Zeroizing;

/// One keyring item.
#[derive(Clone, PartialEq, Eq)]
pub struct Item {
    pub key: String,
    /// The credentials JSON (for a long-term key item).
    pub data: Zeroizing<Vec<u8>>,
    pub label: String,
    pub description: String,
    pub keychain_not_trust_application: bool,
    pub keychain_not_synchronizable: bool,
}

impl fmt::Debug for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Item")
            .field("key", &self.key)
            .field(
                "data",
                &format_args!("<{} bytes redacted>", self.data.len()),
            )
            .field("label", &self.label)
            .field("description", &self.description)
            .field(
                "keychain_not_trust_application",
                &self.keychain_not_trust_application,
            )
            .field(
                "keychain_not_synchronizable",
                &self.keychain_not_synchronizable,
            )
            .finish()
    }
}

/// A long-term access key pair read from an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPair {
    pub access_key_id: String,
    pub secret_access_key: Secret,
}

/// The item as Go's decoder sees it. Unknown fields are ignored, as Go does.
#[derive(Deserialize)]
struct RawItem {
    #[serde(rename = "Key", default)]
    key: String,
    #[serde(rename = "Data", default)]
    data: Option<String>,
    #[serde(rename = "Label", default)]
    label: String,
    #[serde(rename = "Description", default)]
    description: String,
    #[serde(rename = "KeychainNotTrustApplication", default)]
    not_trust: bool,
    #[serde(rename = "KeychainNotSynchronizable", default)]
    not_sync: bool,
}

/// The credentials inside `Data` (aws-sdk-go-v2's `aws.Credentials`).
#[derive(Deserialize)]
struct RawCredentials {
    #[serde(rename = "AccessKeyID", default)]
    access_key_id: String,
    #[serde(rename = "SecretAccessKey", default)]
    secret_access_key: Option<String>,
    #[serde(rename = "SessionToken", default)]
    session_token: Option<String>,
    #[serde(rename = "CanExpire", default)]
    can_expire: bool,
}

impl Item {
    /// The item aws-vault's `add P` stores.
    pub fn aws_vault(profile: &str, pair: &KeyPair) -> Item {
        Item {
            key: profile.to_string(),
            data: credentials_json(pair),
            label: format!("aws-vault ({profile})"),
            description: String::new(),
            keychain_not_trust_application: true,
            keychain_not_synchronizable: false,
        }
    }

    /// The item granted's `credentials add P` stores.
    pub fn granted(profile: &str, pair: &KeyPair) -> Item {
        Item {
            key: profile.to_string(),
            data: credentials_json(pair),
            label: String::new(),
            description: String::new(),
            keychain_not_trust_application: false,
            keychain_not_synchronizable: false,
        }
    }

    /// Parses the item JSON a backend stored. `what` names the place for
    /// the error (a file, a pass entry, a collection).
    pub fn from_json(bytes: &[u8], what: &str) -> Result<Item, KeystoreError> {
        // serde would also take a JSON array for a struct; Go would not.
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(KeystoreError::Malformed {
                what: what.to_string(),
                reason: "not a JSON object".to_string(),
            });
        }
        let raw: RawItem = serde_json::from_slice(bytes).map_err(|e| KeystoreError::Malformed {
            what: what.to_string(),
            reason: e.to_string(),
        })?;
        let data_b64 = Zeroizing::new(raw.data.unwrap_or_default());
        let data = base64::engine::general_purpose::STANDARD
            .decode(data_b64.as_bytes())
            .map_err(|e| KeystoreError::Malformed {
                what: what.to_string(),
                reason: format!("Data: {e}"),
            })?;
        Ok(Item {
            key: raw.key,
            data: Zeroizing::new(data),
            label: raw.label,
            description: raw.description,
            keychain_not_trust_application: raw.not_trust,
            keychain_not_synchronizable: raw.not_sync,
        })
    }

    /// The item as Go's `json.Marshal` writes it.
    pub fn to_json(&self) -> Zeroizing<Vec<u8>> {
        let data = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(&*self.data));
        let mut out = Zeroizing::new(String::with_capacity(data.len() + 200));
        out.push_str("{\"Key\":");
        go_quote_into(&self.key, &mut out);
        out.push_str(",\"Data\":\"");
        out.push_str(&data);
        out.push_str("\",\"Label\":");
        go_quote_into(&self.label, &mut out);
        out.push_str(",\"Description\":");
        go_quote_into(&self.description, &mut out);
        out.push_str(",\"KeychainNotTrustApplication\":");
        out.push_str(bool_str(self.keychain_not_trust_application));
        out.push_str(",\"KeychainNotSynchronizable\":");
        out.push_str(bool_str(self.keychain_not_synchronizable));
        out.push('}');
        Zeroizing::new(out.as_bytes().to_vec())
    }

    /// The long-term key pair this item holds, or why it holds none.
    pub fn key_pair(&self) -> Result<KeyPair, KeystoreError> {
        let not_long_term = |reason: &str| KeystoreError::NotLongTermKey {
            key: self.key.clone(),
            reason: reason.to_string(),
        };
        if self.data.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(KeystoreError::Malformed {
                what: self.key.clone(),
                reason: "Data: not a JSON object".to_string(),
            });
        }
        let raw: RawCredentials =
            serde_json::from_slice(&self.data).map_err(|e| KeystoreError::Malformed {
                what: self.key.clone(),
                reason: format!("Data: {e}"),
            })?;
        let secret =
            Secret::new(Zeroizing::new(raw.secret_access_key.unwrap_or_default()).as_str());
        if raw.session_token.as_deref().is_some_and(|t| !t.is_empty()) {
            return Err(not_long_term("SessionToken"));
        }
        if raw.can_expire {
            return Err(not_long_term("CanExpire"));
        }
        if !raw.access_key_id.starts_with("AKIA") {
            return Err(not_long_term("AccessKeyID"));
        }
        if secret.expose().is_empty() {
            return Err(not_long_term("SecretAccessKey"));
        }
        Ok(KeyPair {
            access_key_id: raw.access_key_id,
            secret_access_key: secret,
        })
    }

    /// This item with `pair` in place of its key pair: only the values of
    /// `AccessKeyID` and `SecretAccessKey` in `Data` change.
    pub fn with_key_pair(&self, pair: &KeyPair) -> Result<Item, KeystoreError> {
        self.key_pair()?;
        let data =
            patch_credentials(&self.data, pair).map_err(|reason| KeystoreError::Malformed {
                what: self.key.clone(),
                reason,
            })?;
        Ok(Item {
            data,
            ..self.clone()
        })
    }
}

fn bool_str(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// The credentials JSON aws-sdk-go-v2 marshals for a fresh long-term key
/// (what aws-vault and granted write on `add`).
fn credentials_json(pair: &KeyPair) -> Zeroizing<Vec<u8>> {
    let mut s = Zeroizing::new(String::new());
    s.push_str("{\"AccessKeyID\":");
    go_quote_into(&pair.access_key_id, &mut s);
    s.push_str(",\"SecretAccessKey\":");
    go_quote_into(pair.secret_access_key.expose(), &mut s);
    s.push_str(
        ",\"SessionToken\":\"\",\"Source\":\"\",\"CanExpire\":false,\
         \"Expires\":\"0001-01-01T00:00:00Z\",\"AccountID\":\"\"}",
    );
    Zeroizing::new(s.as_bytes().to_vec())
}

/// Go's `encoding/json` quoting of a string (with its default HTML
/// escaping), appended to `out`.
pub fn go_quote_into(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{0}'..='\u{1f}' => {
                let b = c as u8;
                out.push_str("\\u00");
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 0xf) as usize] as char);
            }
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Go's quoting of `s` as a new string.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    go_quote_into(s, &mut out);
    out
}

/// Replaces the values of the top-level `AccessKeyID` and
/// `SecretAccessKey` members of the JSON object `data`, keeping every
/// other byte. Errors say why the object cannot be patched.
fn patch_credentials(data: &[u8], pair: &KeyPair) -> Result<Zeroizing<Vec<u8>>, String> {
    let spans = top_level_members(data)?;
    let mut out = Zeroizing::new(Vec::with_capacity(data.len() + 16));
    let mut at = 0;
    let (mut saw_id, mut saw_secret) = (false, false);
    for (name, start, end) in spans {
        let new = match name.as_str() {
            "AccessKeyID" => {
                saw_id = true;
                go_quote(&pair.access_key_id)
            }
            "SecretAccessKey" => {
                saw_secret = true;
                go_quote(pair.secret_access_key.expose())
            }
            _ => continue,
        };
        if !data[start..end].starts_with(b"\"") {
            return Err(format!("{name} is not a string"));
        }
        let new = Zeroizing::new(new);
        out.extend_from_slice(&data[at..start]);
        out.extend_from_slice(new.as_bytes());
        at = end;
    }
    if !(saw_id && saw_secret) {
        return Err("AccessKeyID or SecretAccessKey is missing".to_string());
    }
    out.extend_from_slice(&data[at..]);
    Ok(out)
}

/// The members of the top-level JSON object in `s`: (decoded name, start
/// and end byte offsets of the value). `s` must be valid JSON.
fn top_level_members(s: &[u8]) -> Result<Vec<(String, usize, usize)>, String> {
    serde_json::from_slice::<serde::de::IgnoredAny>(s).map_err(|e| e.to_string())?;
    let mut p = Scan { s, i: 0 };
    p.ws();
    if !p.eat(b'{') {
        return Err("not a JSON object".to_string());
    }
    let mut out = Vec::new();
    p.ws();
    if p.eat(b'}') {
        return Ok(out);
    }
    loop {
        p.ws();
        let (ks, ke) = p.string()?;
        let name: String = serde_json::from_slice(&s[ks..ke]).map_err(|e| e.to_string())?;
        p.ws();
        if !p.eat(b':') {
            return Err("expected ':'".to_string());
        }
        p.ws();
        let vs = p.i;
        p.value()?;
        out.push((name, vs, p.i));
        p.ws();
        if p.eat(b',') {
            continue;
        }
        if p.eat(b'}') {
            return Ok(out);
        }
        return Err("expected ',' or '}'".to_string());
    }
}

/// A cursor over JSON already known to be valid: it only finds where
/// values start and end.
struct Scan<'a> {
    s: &'a [u8],
    i: usize,
}

impl Scan<'_> {
    fn ws(&mut self) {
        while self.s.get(self.i).is_some_and(|b| b" \t\r\n".contains(b)) {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.s.get(self.i) == Some(&b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// A string token: its span including the quotes.
    fn string(&mut self) -> Result<(usize, usize), String> {
        let start = self.i;
        if !self.eat(b'"') {
            return Err("expected a string".to_string());
        }
        while let Some(&b) = self.s.get(self.i) {
            self.i += 1;
            match b {
                b'\\' => self.i += 1,
                b'"' => return Ok((start, self.i)),
                _ => {}
            }
        }
        Err("unterminated string".to_string())
    }

    fn value(&mut self) -> Result<(), String> {
        match self.s.get(self.i) {
            Some(b'"') => self.string().map(|_| ()),
            Some(b'{') | Some(b'[') => {
                let mut depth = 0usize;
                while let Some(&b) = self.s.get(self.i) {
                    match b {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.i += 1;
                                return Ok(());
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
                Err("unterminated value".to_string())
            }
            Some(_) => {
                while self
                    .s
                    .get(self.i)
                    .is_some_and(|b| !b",}] \t\r\n".contains(b))
                {
                    self.i += 1;
                }
                Ok(())
            }
            None => Err("expected a value".to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(id: &str, secret: &str) -> KeyPair {
        KeyPair {
            access_key_id: id.to_string(),
            secret_access_key: Secret::new(secret),
        }
    }

    #[test]
    fn aws_vault_item_json_is_what_go_marshals() {
        let item = Item::aws_vault("dev", &pair("AKIAOLD0000000000000", "s3cr/t+x"));
        let json = String::from_utf8(item.to_json().to_vec()).unwrap();
        let data = base64::engine::general_purpose::STANDARD.encode(
            br#"{"AccessKeyID":"AKIAOLD0000000000000","SecretAccessKey":"s3cr/t+x","SessionToken":"","Source":"","CanExpire":false,"Expires":"0001-01-01T00:00:00Z","AccountID":""}"#,
        );
        assert_eq!(
            json,
            format!(
                r#"{{"Key":"dev","Data":"{data}","Label":"aws-vault (dev)","Description":"","KeychainNotTrustApplication":true,"KeychainNotSynchronizable":false}}"#
            )
        );
        let back = Item::from_json(json.as_bytes(), "test").unwrap();
        assert_eq!(back, item);
    }

    #[test]
    fn go_quoting_escapes_html_and_controls() {
        assert_eq!(
            go_quote("a<b>&\"\\\n\u{1}\u{2028}é"),
            r#""a\u003cb\u003e\u0026\"\\\n\u0001\u2028é""#
        );
    }

    #[test]
    fn patch_keeps_every_other_byte() {
        let data = br#"{ "AccessKeyID" : "AKIAOLD0000000000000", "Extra": {"a": [1, "}"]}, "SecretAccessKey":"old\/secret", "SessionToken":"", "CanExpire":false, "Future": null }"#;
        let item = Item {
            data: Zeroizing::new(data.to_vec()),
            ..Item::granted("p", &pair("AKIAX000000000000000", "x"))
        };
        let new = item
            .with_key_pair(&pair("AKIANEW0000000000000", "new+secret/1"))
            .unwrap();
        assert_eq!(
            std::str::from_utf8(&new.data).unwrap(),
            r#"{ "AccessKeyID" : "AKIANEW0000000000000", "Extra": {"a": [1, "}"]}, "SecretAccessKey":"new+secret/1", "SessionToken":"", "CanExpire":false, "Future": null }"#
        );
        assert_eq!(
            new.key_pair().unwrap().secret_access_key.expose(),
            "new+secret/1"
        );
        assert_eq!(new.label, item.label);
    }

    #[test]
    fn session_credentials_are_not_a_long_term_key() {
        let mut item = Item::aws_vault("p", &pair("AKIAOLD0000000000000", "x"));
        item.data = Zeroizing::new(
            br#"{"AccessKeyID":"ASIAX","SecretAccessKey":"x","SessionToken":"tok","CanExpire":true}"#
                .to_vec(),
        );
        assert!(matches!(
            item.key_pair(),
            Err(KeystoreError::NotLongTermKey { .. })
        ));
        assert!(item.with_key_pair(&pair("AKIANEW", "y")).is_err());
    }

    #[test]
    fn debug_hides_data() {
        let item = Item::aws_vault("p", &pair("AKIAOLD0000000000000", "topsecret"));
        let dbg = format!("{item:?}");
        assert!(
            !dbg.contains("topsecret") && !dbg.contains("AKIAOLD"),
            "{dbg}"
        );
    }

    #[test]
    fn malformed_items_are_errors_not_panics() {
        for bad in [&b"not json"[..], br#"{"Key":"p","Data":"%%%"}"#, b"[]"] {
            assert!(Item::from_json(bad, "x").is_err());
        }
        let mut item = Item::granted("p", &pair("AKIAOLD0000000000000", "x"));
        item.data = Zeroizing::new(b"[1,2]".to_vec());
        assert!(item.key_pair().is_err());
    }
}
