//! `type = "github"`: GitHub Actions secrets of a repository
//! (`repository = "owner/repo"`), of one of its environments
//! (`environment`), or of an organization (`organization`).
//!
//! Written as GitHub's REST API documents it (version 2022-11-28): the
//! scope's public key is read (`…/secrets/public-key`), each value is
//! sealed to it (libsodium `crypto_box_seal`: X25519 + XSalsa20-Poly1305,
//! the `crypto_box` crate) and sent base64-encoded with `PUT
//! …/secrets/{name}` and the key's id. GitHub Enterprise Server: `api_url`
//! or `GITHUB_API_URL` (`https://HOST/api/v3`). Token: `GITHUB_TOKEN`,
//! `GH_TOKEN` or `token_command`, sent only as `Authorization: Bearer`.
//!
//! Invariants:
//! - Only the two secrets are written. An organization secret keeps its
//!   visibility and, for `selected`, its selected repositories (read
//!   before each write and sent back); a new one gets `visibility`
//!   [default: `private`].
//! - The plaintext leaves the process only sealed: GitHub never sees it
//!   in the clear, and neither does anything between.
//! - GitHub secrets cannot be read back: confirm checks that each secret's
//!   `updated_at` moved past what it was before the write (the [`Mark`]),
//!   or is no earlier than the write's start (one-second resolution).

use super::rest::{self, Auth, Conn, Service};
use super::{Ctx, DestError, Destination, DestinationSpec, Mark, Pair};
use crate::http::Client;
use crate::i18n::{tr, trf};
use crate::secret::Secret;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The API version keyturn's requests are written for.
const API_VERSION: &str = "2022-11-28";
const DEFAULT_API: &str = "https://api.github.com";

/// GitHub's REST API: a bearer token, the media type and API version it
/// documents on every call.
static GITHUB: Service = Service {
    auth: Auth::Bearer,
    headers: &[
        ("Accept", "application/vnd.github+json"),
        ("X-GitHub-Api-Version", API_VERSION),
    ],
    says: github_says,
};

/// keyturn's explanation of a GitHub refusal (the service's answer follows it).
fn github_says(status: u16, what: &str) -> Option<String> {
    match status {
        401 => Some(tr("dest.github_token_refused").into()),
        403 => Some(tr("dest.github_forbidden").into()),
        404 => Some(trf("dest.github_not_found", &[("what", &what)])),
        _ => None,
    }
}

/// The settings of a `github` destination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// `owner/repo`: the repository's secrets (or its environment's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// An environment of `repository`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// An organization's secrets (instead of `repository`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// An organization secret's visibility when keyturn creates it
    /// (`all`, `private`) [default: `private`]; an existing one keeps its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
    /// The API root; absent: `GITHUB_API_URL`, else `https://api.github.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
}

impl Spec {
    pub(super) fn validate(&self, spec: &DestinationSpec) -> Result<(), String> {
        match (&self.repository, &self.organization) {
            (Some(r), None) => {
                let ok = r
                    .split_once('/')
                    .is_some_and(|(o, n)| !o.is_empty() && !n.is_empty() && !n.contains('/'));
                if !ok {
                    return Err(trf("dest.github_bad_repository", &[("repository", r)]));
                }
            }
            (None, Some(o)) if !o.is_empty() && !o.contains('/') => {
                if self.environment.is_some() {
                    return Err(tr("dest.github_environment_needs_repository").into());
                }
            }
            _ => return Err(tr("dest.github_scope").into()),
        }
        if let Some(v) = &self.visibility {
            if self.organization.is_none() || !matches!(v.as_str(), "all" | "private") {
                return Err(trf("dest.github_visibility", &[("visibility", v)]));
            }
        }
        if let Some(u) = &self.api_url {
            if !(u.starts_with("https://") || u.starts_with("http://")) {
                return Err(trf("dest.bad_url", &[("url", u)]));
            }
        }
        // GitHub's rule for secret names.
        for n in [spec.id_name(), spec.secret_name()] {
            let ok = !n.is_empty()
                && !n.starts_with(|c: char| c.is_ascii_digit())
                && !n.to_ascii_uppercase().starts_with("GITHUB_")
                && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ok {
                return Err(trf("dest.github_bad_name", &[("name", &n)]));
            }
        }
        Ok(())
    }

    fn where_(&self) -> String {
        match (&self.repository, &self.environment, &self.organization) {
            (Some(r), Some(e), _) => format!("{r}, environment {e}"),
            (Some(r), None, _) => r.clone(),
            (None, _, Some(o)) => format!("organization {o}"),
            _ => String::new(),
        }
    }

    /// The secrets' collection under the API root.
    fn secrets_path(&self) -> String {
        match (&self.repository, &self.environment, &self.organization) {
            (Some(r), env, _) => {
                let (o, n) = r.split_once('/').unwrap_or((r, ""));
                match env {
                    Some(e) => format!(
                        "/repos/{}/{}/environments/{}/secrets",
                        rest::seg(o),
                        rest::seg(n),
                        rest::seg(e)
                    ),
                    None => format!("/repos/{}/{}/actions/secrets", rest::seg(o), rest::seg(n)),
                }
            }
            (None, _, Some(org)) => format!("/orgs/{}/actions/secrets", rest::seg(org)),
            _ => String::new(),
        }
    }
}

/// An opened `github` destination.
pub struct GithubDest<'s> {
    spec: &'s DestinationSpec,
    k: &'s Spec,
    client: OnceLock<Client>,
}

impl std::fmt::Debug for GithubDest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GithubDest({})", self.spec.name)
    }
}

/// The scope's public key.
struct PublicKey {
    id: String,
    key: crypto_box::PublicKey,
}

/// What confirm compares against, kept in the journal: the write's start
/// (Unix seconds), each secret's `updated_at` before it and right after
/// its PUT was answered.
#[derive(Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
struct WriteMark {
    start: i64,
    before: BTreeMap<String, Option<String>>,
    #[serde(default)]
    after: BTreeMap<String, Option<String>>,
}

/// Whether a secret whose `updated_at` is now `updated` holds what the
/// write of `mark` sent: it is what it was right after the write's PUT
/// (nobody wrote since), or it moved past what it was before the write,
/// or it is no earlier than the write's start (GitHub's one-second
/// resolution: a second write in the same second keeps the value).
fn confirmed(updated: Option<&str>, name: &str, mark: &WriteMark) -> bool {
    let Some(u) = updated else {
        return false;
    };
    let before = mark.before.get(name).cloned().flatten();
    let after = mark.after.get(name).cloned().flatten();
    after.as_deref() == Some(u)
        || before.as_deref() != Some(u)
        || crate::util::time::parse_rfc3339(u).is_some_and(|t| t >= mark.start)
}

impl<'s> GithubDest<'s> {
    pub fn new(spec: &'s DestinationSpec, k: &'s Spec) -> GithubDest<'s> {
        GithubDest {
            spec,
            k,
            client: OnceLock::new(),
        }
    }

    async fn open(&self, cx: &Ctx<'_>) -> Result<Conn<'_>, DestError> {
        let dest = self.describe();
        let (api, from) = match (&self.k.api_url, cx.env.get("GITHUB_API_URL")) {
            (Some(u), _) => (rest::base(u), "api_url"),
            (None, Some(u)) => (rest::base(u), "GITHUB_API_URL"),
            (None, None) => (DEFAULT_API.to_string(), "api.github.com"),
        };
        let client = rest::client(&self.client, None, "SSL_CERT_FILE", &dest)?;
        let token = super::token(self.spec, cx.env, &["GITHUB_TOKEN", "GH_TOKEN"], &dest).await?;
        Ok(Conn {
            client,
            service: &GITHUB,
            api,
            from,
            token,
            dest,
        })
    }

    async fn public_key(&self, c: &Conn<'_>) -> Result<PublicKey, DestError> {
        let path = format!("{}/public-key", self.k.secrets_path());
        let resp = c.send("GET", &path, None).await?;
        let resp = c.ok(resp, &self.k.where_())?;
        let v: Value = resp.json().map_err(|e| rest::error(&c.dest, e))?;
        let bad = || rest::unexpected(&c.dest, tr("dest.github_bad_key").into());
        let id = match &v["key_id"] {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return Err(bad()),
        };
        let raw = v["key"]
            .as_str()
            .and_then(|k| base64::engine::general_purpose::STANDARD.decode(k).ok())
            .ok_or_else(bad)?;
        let bytes: [u8; 32] = raw.try_into().map_err(|_| bad())?;
        Ok(PublicKey {
            id,
            key: crypto_box::PublicKey::from(bytes),
        })
    }

    /// A secret's metadata, None if it does not exist.
    async fn secret_meta(&self, c: &Conn<'_>, name: &str) -> Result<Option<Value>, DestError> {
        let path = format!("{}/{}", self.k.secrets_path(), rest::seg(name));
        let resp = c.send("GET", &path, None).await?;
        if resp.status == 404 {
            return Ok(None);
        }
        let resp = c.ok(resp, name)?;
        Ok(Some(resp.json().map_err(|e| rest::error(&c.dest, e))?))
    }

    /// An organization secret's visibility fields to send back: its own
    /// (and its selected repositories), or the default for a new one.
    async fn org_fields(
        &self,
        c: &Conn<'_>,
        name: &str,
        meta: Option<&Value>,
    ) -> Result<serde_json::Map<String, Value>, DestError> {
        let mut out = serde_json::Map::new();
        let visibility = match meta {
            Some(m) => m["visibility"]
                .as_str()
                .ok_or_else(|| rest::unexpected(&c.dest, tr("dest.github_no_visibility").into()))?
                .to_string(),
            None => self
                .k
                .visibility
                .clone()
                .unwrap_or_else(|| "private".into()),
        };
        if visibility == "selected" {
            out.insert(
                "selected_repository_ids".into(),
                Value::Array(self.selected_ids(c, name).await?),
            );
        }
        out.insert("visibility".into(), Value::String(visibility));
        Ok(out)
    }

    /// Every selected repository's id, page by page (100 a page).
    async fn selected_ids(&self, c: &Conn<'_>, name: &str) -> Result<Vec<Value>, DestError> {
        let mut ids = Vec::new();
        for page in 1..=1000 {
            let path = format!(
                "{}/{}/repositories?per_page=100&page={page}",
                self.k.secrets_path(),
                rest::seg(name)
            );
            let resp = c.send("GET", &path, None).await?;
            let v: Value = c
                .ok(resp, name)?
                .json()
                .map_err(|e| rest::error(&c.dest, e))?;
            let repos = v["repositories"]
                .as_array()
                .ok_or_else(|| rest::unexpected(&c.dest, tr("dest.github_no_visibility").into()))?;
            ids.extend(repos.iter().filter_map(|r| r.get("id").cloned()));
            let total = v["total_count"].as_u64().unwrap_or(0) as usize;
            if repos.is_empty() || ids.len() >= total {
                break;
            }
        }
        Ok(ids)
    }

    fn sealed(&self, key: &PublicKey, value: &str, c: &Conn<'_>) -> Result<String, DestError> {
        let mut rng = crypto_box::aead::OsRng;
        let boxed = key
            .key
            .seal(&mut rng, value.as_bytes())
            .map_err(|_| rest::unexpected(&c.dest, tr("dest.github_seal").into()))?;
        Ok(base64::engine::general_purpose::STANDARD.encode(boxed))
    }

    /// Seals `value` and PUTs it as secret `name`, noting its
    /// `updated_at` before in `mark`.
    async fn put(
        &self,
        c: &Conn<'_>,
        key: &PublicKey,
        name: &str,
        value: &str,
        secret: &Secret,
        mark: &mut WriteMark,
    ) -> Result<(), DestError> {
        let meta = self.secret_meta(c, name).await?;
        mark.before.insert(
            name.to_string(),
            meta.as_ref()
                .and_then(|m| m["updated_at"].as_str())
                .map(str::to_string),
        );
        let mut body = serde_json::Map::new();
        body.insert("encrypted_value".into(), self.sealed(key, value, c)?.into());
        body.insert("key_id".into(), key.id.clone().into());
        if self.k.organization.is_some() {
            body.extend(self.org_fields(c, name, meta.as_ref()).await?);
        }
        let path = format!("{}/{}", self.k.secrets_path(), rest::seg(name));
        let resp = c
            .send("PUT", &path, Some((&Value::Object(body), &[secret])))
            .await?;
        c.ok(resp, name)?;
        let after = self.secret_meta(c, name).await?;
        mark.after.insert(
            name.to_string(),
            after
                .as_ref()
                .and_then(|m| m["updated_at"].as_str())
                .map(str::to_string),
        );
        Ok(())
    }

    fn names<'p>(pair: &Pair<'p>) -> [(&'p str, &'p str); 2] {
        [
            (pair.id_name, pair.key_id),
            (pair.secret_name, pair.secret.expose()),
        ]
    }
}

impl Destination for GithubDest<'_> {
    fn describe(&self) -> String {
        format!("github {} ({})", self.spec.name, self.k.where_())
    }

    async fn preflight(&self, cx: &Ctx<'_>) -> Result<(), DestError> {
        let c = self.open(cx).await?;
        self.public_key(&c).await?;
        if self.k.organization.is_some() {
            for name in [self.spec.id_name(), self.spec.secret_name()] {
                let meta = self.secret_meta(&c, name).await?;
                self.org_fields(&c, name, meta.as_ref()).await?;
            }
        }
        Ok(())
    }

    async fn write(&self, cx: &Ctx<'_>, pair: &Pair<'_>) -> Result<Mark, DestError> {
        let c = self.open(cx).await?;
        let key = self.public_key(&c).await?;
        let mut mark = WriteMark {
            start: crate::util::time::now_secs_i64(),
            before: BTreeMap::new(),
            after: BTreeMap::new(),
        };
        for (k, (name, value)) in Self::names(pair).into_iter().enumerate() {
            self.put(&c, &key, name, value, pair.secret, &mut mark)
                .await
                .map_err(|e| if k > 0 { rest::partial(e) } else { e })?;
        }
        Ok(serde_json::to_string(&mark).ok())
    }

    async fn confirm(&self, cx: &Ctx<'_>, pair: &Pair<'_>, mark: &Mark) -> Result<bool, DestError> {
        let Some(mark) = mark
            .as_deref()
            .and_then(|m| serde_json::from_str::<WriteMark>(m).ok())
        else {
            // No mark (a write whose answer was lost): only a new write
            // can be confirmed.
            return Ok(false);
        };
        let c = self.open(cx).await?;
        for (name, _) in Self::names(pair) {
            let meta = self.secret_meta(&c, name).await?;
            let updated = meta.as_ref().and_then(|m| m["updated_at"].as_str());
            if !confirmed(updated, name, &mark) {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_with_the_secret_key_only() {
        let mut rng = crypto_box::aead::OsRng;
        let sk = crypto_box::SecretKey::generate(&mut rng);
        let sealed = sk.public_key().seal(&mut rng, b"wJalrXUtnFEMI").unwrap();
        // libsodium's layout: ephemeral public key (32) + MAC (16) + text.
        assert_eq!(sealed.len(), 32 + 16 + 13);
        assert_eq!(sk.unseal(&sealed).unwrap(), b"wJalrXUtnFEMI");
        let other = crypto_box::SecretKey::generate(&mut rng);
        assert!(other.unseal(&sealed).is_err());
    }

    #[test]
    fn confirm_needs_the_secret_changed_by_this_write() {
        let t = |s: &str| Some(s.to_string());
        let mark = WriteMark {
            start: crate::util::time::parse_rfc3339("2026-01-01T00:00:10Z").unwrap(),
            before: [("A".to_string(), t("2026-01-01T00:00:05Z"))].into(),
            after: [("A".to_string(), t("2026-01-01T00:00:11Z"))].into(),
        };
        assert!(
            confirmed(Some("2026-01-01T00:00:11Z"), "A", &mark),
            "as after the PUT"
        );
        assert!(
            confirmed(Some("2026-01-01T00:00:12Z"), "A", &mark),
            "moved since"
        );
        assert!(
            !confirmed(Some("2026-01-01T00:00:05Z"), "A", &mark),
            "as before"
        );
        assert!(!confirmed(None, "A", &mark), "gone");
        // Same second as before, but no earlier than the write's start.
        let same = WriteMark {
            start: mark.start,
            before: [("A".to_string(), t("2026-01-01T00:00:10Z"))].into(),
            after: Default::default(),
        };
        assert!(confirmed(Some("2026-01-01T00:00:10Z"), "A", &same));
        // A mark without `after` (an older journal) still reads.
        let old: WriteMark = serde_json::from_str(r#"{"start":1,"before":{}}"#).unwrap();
        assert!(old.after.is_empty());
    }

    #[test]
    fn scopes_map_to_their_documented_paths() {
        let spec = |r: Option<&str>, e: Option<&str>, o: Option<&str>| Spec {
            repository: r.map(str::to_string),
            environment: e.map(str::to_string),
            organization: o.map(str::to_string),
            visibility: None,
            api_url: None,
        };
        assert_eq!(
            spec(Some("o/r"), None, None).secrets_path(),
            "/repos/o/r/actions/secrets"
        );
        assert_eq!(
            spec(Some("o/r"), Some("prod eu"), None).secrets_path(),
            "/repos/o/r/environments/prod%20eu/secrets"
        );
        assert_eq!(
            spec(None, None, Some("acme")).secrets_path(),
            "/orgs/acme/actions/secrets"
        );
    }
}
