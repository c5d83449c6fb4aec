//! The compact JWE that 99designs/keyring's file backend writes (through
//! jose2go): `PBES2-HS256+A128KW` key management, `A256GCM` content
//! encryption (RFC 7516, RFC 7518 §4.8 and §5.3).
//!
//! Invariants:
//! - [`encrypt`] writes what jose2go writes: a protected header with
//!   sorted members `alg`, `created`, `enc`, `p2c` (8192), `p2s` (12
//!   random bytes), a random 32-byte content key wrapped with AES-128-KW
//!   under PBKDF2-HMAC-SHA256(passphrase, alg || 0x00 || p2s), a random
//!   12-byte IV, and the header segment as the GCM associated data.
//! - [`decrypt`] accepts only that algorithm pair, and an iteration count
//!   in `1..=MAX_P2C` (a file must not make keyturn spin for minutes).
//!   A key-unwrap integrity failure means the passphrase is wrong; a GCM
//!   tag failure after a good unwrap means the file was altered.
//! - Keys and plaintexts live in zeroized buffers.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::Aes256Gcm;
use aes_kw::KwAes128;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use serde::Deserialize;
use zeroize::Zeroizing;

pub const ALG: &str = "PBES2-HS256+A128KW";
pub const ENC: &str = "A256GCM";
/// jose2go's iteration count.
pub const P2C: u32 = 8192;
/// The largest iteration count [`decrypt`] runs (newer jose2go refuses
/// more than about 1.3 million too).
pub const MAX_P2C: u64 = 1_310_000;

/// Why a token did not decrypt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JweError {
    #[error("wrong passphrase")]
    WrongPassphrase,
    #[error("{0}")]
    Malformed(String),
}

fn bad(what: impl Into<String>) -> JweError {
    JweError::Malformed(what.into())
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    enc: String,
    p2c: u64,
    p2s: String,
}

/// Fills `buf` from the OS's random source.
fn random(buf: &mut [u8]) -> Result<(), JweError> {
    getrandom::fill(buf).map_err(|e| bad(format!("random source: {e}")))
}

fn kek(passphrase: &[u8], p2s: &[u8], p2c: u32) -> Zeroizing<[u8; 16]> {
    let mut salt = Vec::with_capacity(ALG.len() + 1 + p2s.len());
    salt.extend_from_slice(ALG.as_bytes());
    salt.push(0);
    salt.extend_from_slice(p2s);
    let mut out = Zeroizing::new([0u8; 16]);
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(passphrase, &salt, p2c, &mut *out);
    out
}

/// Encrypts `plaintext` the way aws-vault's file backend does. `created`
/// is the header's `created` member (Go's `time.Now().String()`).
pub fn encrypt(plaintext: &[u8], passphrase: &[u8], created: &str) -> Result<String, JweError> {
    let mut p2s = [0u8; 12];
    random(&mut p2s)?;
    let mut cek = Zeroizing::new([0u8; 32]);
    random(&mut *cek)?;
    let mut iv = [0u8; 12];
    random(&mut iv)?;
    encrypt_with(plaintext, passphrase, created, &p2s, &cek, &iv)
}

fn encrypt_with(
    plaintext: &[u8],
    passphrase: &[u8],
    created: &str,
    p2s: &[u8; 12],
    cek: &[u8; 32],
    iv: &[u8; 12],
) -> Result<String, JweError> {
    // Members in sorted order, as Go marshals a map.
    let header = format!(
        "{{\"alg\":{},\"created\":{},\"enc\":{},\"p2c\":{P2C},\"p2s\":\"{}\"}}",
        super::item::go_quote(ALG),
        super::item::go_quote(created),
        super::item::go_quote(ENC),
        B64.encode(p2s)
    );
    let header_b64 = B64.encode(header.as_bytes());
    let kek = kek(passphrase, p2s, P2C);
    let kw = KwAes128::new_from_slice(&*kek).map_err(|_| bad("key length"))?;
    let mut wrapped = [0u8; 40];
    kw.wrap_key(cek, &mut wrapped)
        .map_err(|e| bad(format!("key wrap: {e:?}")))?;
    let gcm = Aes256Gcm::new_from_slice(cek).map_err(|_| bad("key length"))?;
    let sealed = gcm
        .encrypt(
            &(*iv).into(),
            Payload {
                msg: plaintext,
                aad: header_b64.as_bytes(),
            },
        )
        .map_err(|_| bad("encryption failed"))?;
    let (ct, tag) = sealed.split_at(sealed.len() - 16);
    Ok(format!(
        "{header_b64}.{}.{}.{}.{}",
        B64.encode(wrapped),
        B64.encode(iv),
        B64.encode(ct),
        B64.encode(tag)
    ))
}

/// Decrypts a token [`encrypt`] (or jose2go, or any JWE library using
/// the same algorithms) wrote.
pub fn decrypt(token: &[u8], passphrase: &[u8]) -> Result<Zeroizing<Vec<u8>>, JweError> {
    let token = std::str::from_utf8(token).map_err(|_| bad("not text"))?;
    let parts: Vec<&str> = token.trim_end().split('.').collect();
    let [h, ek, iv, ct, tag] = parts[..] else {
        return Err(bad(format!("{} parts, not 5", parts.len())));
    };
    let dec = |what: &str, s: &str| B64.decode(s).map_err(|e| bad(format!("{what}: {e}")));
    let header: Header =
        serde_json::from_slice(&dec("header", h)?).map_err(|e| bad(format!("header: {e}")))?;
    if header.alg != ALG || header.enc != ENC {
        return Err(bad(format!(
            "alg {} / enc {}, not {ALG} / {ENC}",
            header.alg, header.enc
        )));
    }
    if !(1..=MAX_P2C).contains(&header.p2c) {
        return Err(bad(format!("p2c {} out of range", header.p2c)));
    }
    let p2s = dec("p2s", &header.p2s)?;
    let ek = dec("encrypted key", ek)?;
    let iv = dec("iv", iv)?;
    let mut sealed = dec("ciphertext", ct)?;
    let tag = dec("tag", tag)?;
    if ek.len() != 40 || iv.len() != 12 || tag.len() != 16 {
        return Err(bad("wrong part lengths"));
    }
    let kek = kek(passphrase, &p2s, header.p2c as u32);
    let kw = KwAes128::new_from_slice(&*kek).map_err(|_| bad("key length"))?;
    let mut cek = Zeroizing::new([0u8; 32]);
    kw.unwrap_key(&ek, &mut *cek)
        .map_err(|_| JweError::WrongPassphrase)?;
    let gcm = Aes256Gcm::new_from_slice(&*cek).map_err(|_| bad("key length"))?;
    sealed.extend_from_slice(&tag);
    let iv: [u8; 12] = iv.try_into().map_err(|_| bad("iv"))?;
    let plain = gcm
        .decrypt(
            &iv.into(),
            Payload {
                msg: &sealed,
                aad: h.as_bytes(),
            },
        )
        .map_err(|_| bad("authentication tag mismatch: the file was altered"))?;
    Ok(Zeroizing::new(plain))
}

/// Go's `time.Time.String()` for `t` in UTC, without the monotonic clock
/// reading: `2006-01-02 15:04:05.999999999 +0000 UTC`.
pub fn go_time_string(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let mut s = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    let nanos = t.nanosecond();
    if nanos != 0 {
        let frac = format!("{nanos:09}");
        s.push('.');
        s.push_str(frac.trim_end_matches('0'));
    }
    s.push_str(" +0000 UTC");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_header_shape() {
        let tok = encrypt(br#"{"Key":"p"}"#, b"pw", "2026-01-02 03:04:05 +0000 UTC").unwrap();
        let parts: Vec<&str> = tok.split('.').collect();
        assert_eq!(parts.len(), 5);
        let header = String::from_utf8(B64.decode(parts[0]).unwrap()).unwrap();
        assert!(
            header.starts_with(
                r#"{"alg":"PBES2-HS256+A128KW","created":"2026-01-02 03:04:05 +0000 UTC","enc":"A256GCM","p2c":8192,"p2s":""#
            ),
            "{header}"
        );
        assert_eq!(B64.decode(parts[1]).unwrap().len(), 40);
        assert_eq!(&*decrypt(tok.as_bytes(), b"pw").unwrap(), br#"{"Key":"p"}"#);
    }

    #[test]
    fn wrong_passphrase_and_tampering_are_told_apart() {
        let tok = encrypt(b"hello", b"right", "x").unwrap();
        assert_eq!(
            decrypt(tok.as_bytes(), b"wrong"),
            Err(JweError::WrongPassphrase)
        );
        let mut parts: Vec<String> = tok.split('.').map(String::from).collect();
        let mut ct = B64.decode(&parts[3]).unwrap();
        ct[0] ^= 1;
        parts[3] = B64.encode(ct);
        let altered = parts.join(".");
        assert!(matches!(
            decrypt(altered.as_bytes(), b"right"),
            Err(JweError::Malformed(_))
        ));
    }

    #[test]
    fn known_answer_is_stable() {
        // Fixed salt, key and IV: the token must not change between builds
        // (the e2e test checks interoperability with jwcrypto both ways).
        let a = encrypt_with(b"x", b"pw", "c", &[1; 12], &[2; 32], &[3; 12]).unwrap();
        let b = encrypt_with(b"x", b"pw", "c", &[1; 12], &[2; 32], &[3; 12]).unwrap();
        assert_eq!(a, b);
        assert_eq!(&*decrypt(a.as_bytes(), b"pw").unwrap(), b"x");
    }

    #[test]
    fn refuses_other_algorithms_and_huge_counts() {
        let header = B64.encode(br#"{"alg":"PBES2-HS256+A128KW","enc":"A256GCM","p2c":99999999,"p2s":"AAAAAAAAAAAAAAAA"}"#);
        let tok = format!("{header}.AA.AA.AA.AA");
        assert!(
            matches!(decrypt(tok.as_bytes(), b"pw"), Err(JweError::Malformed(m)) if m.contains("p2c"))
        );
        let header = B64.encode(br#"{"alg":"dir","enc":"A256GCM","p2c":1,"p2s":""}"#);
        let tok = format!("{header}..AA.AA.AA");
        assert!(decrypt(tok.as_bytes(), b"pw").is_err());
        assert!(decrypt(b"a.b", b"pw").is_err());
    }

    #[test]
    fn go_time_strings() {
        let t = time::OffsetDateTime::from_unix_timestamp_nanos(1_767_323_045_120_000_000).unwrap();
        assert_eq!(go_time_string(t), "2026-01-02 03:04:05.12 +0000 UTC");
        let t = time::OffsetDateTime::from_unix_timestamp(1_767_323_045).unwrap();
        assert_eq!(go_time_string(t), "2026-01-02 03:04:05 +0000 UTC");
    }
}
