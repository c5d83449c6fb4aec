//! `type = "vault"`: one HashiCorp Vault / OpenBao KV version 2 secret
//! (`mount`, `path`) whose data holds the pair beside any other fields.
//!
//! The server is `address` or `VAULT_ADDR`; `VAULT_NAMESPACE` (or
//! `namespace`) goes in `X-Vault-Namespace`; `VAULT_CACERT` is trusted on
//! top of the platform's roots; the token is `VAULT_TOKEN` or the
//! `token_command`'s, sent only in `X-Vault-Token`.
//!
//! Invariants:
//! - Preflight asks the server itself what the token may do on the path
//!   (`sys/capabilities-self`): `read` and `create`/`update` (or `root`)
//!   are needed, as the write reads the data to merge into it.
//! - A write reads the current version, merges the two fields into its
//!   data (every other field kept) and writes with check-and-set on that
//!   version, so a concurrent writer's change is never overwritten: a CAS
//!   mismatch rereads and merges again. A secret that already holds the
//!   pair is not written again (a retried write adds no version).
//! - Confirm reads the secret back and compares both fields.

use super::rest;
use super::{Ctx, DestError, Destination, DestinationSpec, Mark, Pair};
use crate::http::{Client, Request};
use crate::i18n::trf;
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// The settings of a `vault` destination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The KV v2 mount [default: `secret`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount: Option<String>,
    /// The secret's path under the mount (`ci/aws`).
    pub path: String,
    /// The server (`https://vault.example:8200`); absent: `VAULT_ADDR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The namespace (Vault Enterprise, OpenBao); absent: `VAULT_NAMESPACE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl Spec {
    pub(super) fn validate(&self, _spec: &DestinationSpec) -> Result<(), String> {
        let clean = |s: &str| {
            !s.trim_matches('/').is_empty()
                && s.trim_matches('/')
                    .split('/')
                    .all(|p| !p.is_empty() && p != "." && p != "..")
        };
        if !clean(&self.path) || !clean(self.mount()) {
            return Err(trf("dest.vault_bad_path", &[("path", &self.full())]));
        }
        if let Some(a) = &self.address {
            if !(a.starts_with("https://") || a.starts_with("http://")) {
                return Err(trf("dest.bad_url", &[("url", a)]));
            }
        }
        Ok(())
    }

    fn mount(&self) -> &str {
        self.mount.as_deref().unwrap_or("secret")
    }

    /// `mount/path` as the user knows it.
    fn full(&self) -> String {
        format!(
            "{}/{}",
            self.mount().trim_matches('/'),
            self.path.trim_matches('/')
        )
    }

    /// The API path of the data (`secret/data/ci/aws`), segments encoded.
    fn data_path(&self) -> String {
        let enc = |s: &str| {
            s.trim_matches('/')
                .split('/')
                .map(rest::seg)
                .collect::<Vec<_>>()
                .join("/")
        };
        format!("{}/data/{}", enc(self.mount()), enc(&self.path))
    }
}

/// An opened `vault` destination.
pub struct VaultDest<'s> {
    spec: &'s DestinationSpec,
    k: &'s Spec,
    client: OnceLock<Client>,
}

impl std::fmt::Debug for VaultDest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VaultDest({})", self.spec.name)
    }
}

/// The secret as read: its data and version (0: none yet).
struct Current {
    data: Map<String, Value>,
    version: u64,
}

impl<'s> VaultDest<'s> {
    pub fn new(spec: &'s DestinationSpec, k: &'s Spec) -> VaultDest<'s> {
        VaultDest {
            spec,
            k,
            client: OnceLock::new(),
        }
    }

    /// The server and where it came from (for network errors).
    fn addr(&self, cx: &Ctx<'_>) -> Result<(String, &'static str), DestError> {
        if let Some(a) = &self.k.address {
            return Ok((rest::base(a), "address"));
        }
        match cx.env.get("VAULT_ADDR") {
            Some(a) => Ok((rest::base(a), "VAULT_ADDR")),
            None => Err(DestError::Invalid {
                dest: self.describe(),
                detail: crate::i18n::tr("dest.vault_no_addr").into(),
            }),
        }
    }

    /// Everything a call needs: the client, the server, the token.
    async fn open(&self, cx: &Ctx<'_>) -> Result<Conn<'_>, DestError> {
        let dest = self.describe();
        let (addr, from) = self.addr(cx)?;
        let ca = cx.env.get("VAULT_CACERT").map(std::path::Path::new);
        let client = rest::client(&self.client, ca, "VAULT_CACERT", &dest)?;
        let token = super::token(self.spec, cx.env, &["VAULT_TOKEN"], &dest).await?;
        let namespace = self
            .k
            .namespace
            .clone()
            .or_else(|| cx.env.get("VAULT_NAMESPACE").map(str::to_string));
        Ok(Conn {
            client,
            addr,
            from,
            token,
            namespace,
            dest,
        })
    }

    async fn read(&self, c: &Conn<'_>) -> Result<Current, DestError> {
        let url = format!("{}/v1/{}", c.addr, self.k.data_path());
        let resp = c.send(c.req("GET", url)).await?;
        if resp.status == 404 {
            return Ok(Current {
                data: Map::new(),
                version: 0,
            });
        }
        let resp = resp.ok().map_err(|e| rest::error(&c.dest, e))?;
        let v: Value = resp.json().map_err(|e| rest::error(&c.dest, e))?;
        // A deleted (soft) latest version reads as data null: writing on
        // top of it with its version as CAS is what Vault expects.
        let version = v["data"]["metadata"]["version"].as_u64().ok_or_else(|| {
            rest::unexpected(&c.dest, crate::i18n::tr("dest.vault_not_kv2").into())
        })?;
        let data = match &v["data"]["data"] {
            Value::Object(m) => m.clone(),
            Value::Null => Map::new(),
            _ => {
                return Err(rest::unexpected(
                    &c.dest,
                    crate::i18n::tr("dest.vault_not_kv2").into(),
                ))
            }
        };
        Ok(Current { data, version })
    }
}

/// One call's connection: the client, the server, the token.
struct Conn<'c> {
    client: &'c Client,
    addr: String,
    from: &'static str,
    token: Secret,
    namespace: Option<String>,
    dest: String,
}

impl Conn<'_> {
    fn req(&self, method: &'static str, url: String) -> Request {
        let mut r = Request::new(method, url).secret_header("X-Vault-Token", &self.token);
        if let Some(ns) = &self.namespace {
            r = r.header("X-Vault-Namespace", ns.clone());
        }
        r
    }

    async fn send(&self, req: Request) -> Result<crate::http::Response, DestError> {
        self.client
            .send(req, self.from)
            .await
            .map_err(|e| rest::error(&self.dest, e))
    }
}

/// Whether `data` holds the pair.
fn holds(data: &Map<String, Value>, pair: &Pair<'_>) -> bool {
    data.get(pair.id_name).and_then(Value::as_str) == Some(pair.key_id)
        && data.get(pair.secret_name).and_then(Value::as_str) == Some(pair.secret.expose())
}

/// How many times a write rereads after another writer's change.
const CAS_ATTEMPTS: usize = 5;

impl Destination for VaultDest<'_> {
    fn describe(&self) -> String {
        format!("vault {} ({})", self.spec.name, self.k.full())
    }

    async fn preflight(&self, cx: &Ctx<'_>) -> Result<(), DestError> {
        let c = self.open(cx).await?;
        let path = format!(
            "{}/data/{}",
            self.k.mount().trim_matches('/'),
            self.k.path.trim_matches('/')
        );
        let req = c
            .req("POST", format!("{}/v1/sys/capabilities-self", c.addr))
            .json(&serde_json::json!({ "paths": [path] }), &[]);
        let resp = c.send(req).await?;
        let resp = match resp.ok() {
            Ok(r) => r,
            Err(e) if matches!(e.status(), Some(401 | 403)) => {
                return Err(rest::refused(
                    &c.dest,
                    crate::i18n::tr("dest.vault_token_refused").into(),
                    &e,
                ))
            }
            Err(e) => return Err(rest::error(&c.dest, e)),
        };
        let v: Value = resp.json().map_err(|e| rest::error(&c.dest, e))?;
        let caps: Vec<&str> = v["data"][&path]
            .as_array()
            .or_else(|| v[&path].as_array())
            .or_else(|| v["capabilities"].as_array())
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let has = |c: &str| caps.contains(&c) || caps.contains(&"root");
        if !(has("read") && (has("update") || has("create"))) || caps.contains(&"deny") {
            return Err(DestError::Refused {
                dest: c.dest.clone(),
                detail: trf(
                    "dest.vault_cannot_write",
                    &[("path", &path), ("caps", &caps.join(", "))],
                ),
            });
        }
        // Reachable and readable: the mount is KV v2 (or the path empty).
        self.read(&c).await?;
        Ok(())
    }

    async fn write(&self, cx: &Ctx<'_>, pair: &Pair<'_>) -> Result<Mark, DestError> {
        let c = self.open(cx).await?;
        let url = format!("{}/v1/{}", c.addr, self.k.data_path());
        for _ in 0..CAS_ATTEMPTS {
            let mut cur = self.read(&c).await?;
            if holds(&cur.data, pair) {
                return Ok(Some(cur.version.to_string()));
            }
            cur.data
                .insert(pair.id_name.into(), Value::String(pair.key_id.into()));
            cur.data.insert(
                pair.secret_name.into(),
                Value::String(pair.secret.expose().into()),
            );
            let body = serde_json::json!({ "options": { "cas": cur.version }, "data": cur.data });
            let req = c.req("POST", url.clone()).json(&body, &[pair.secret]);
            let resp = c.send(req).await?;
            if resp.status == 400 && String::from_utf8_lossy(&resp.body).contains("check-and-set") {
                // Another writer got there first: merge into theirs.
                continue;
            }
            let resp = resp.ok().map_err(|e| rest::error(&c.dest, e))?;
            let v: Value = resp.json().map_err(|e| rest::error(&c.dest, e))?;
            return Ok(v["data"]["version"].as_u64().map(|n| n.to_string()));
        }
        Err(DestError::Unavailable {
            dest: c.dest.clone(),
            detail: crate::i18n::tr("dest.vault_cas_busy").into(),
        })
    }

    async fn confirm(
        &self,
        cx: &Ctx<'_>,
        pair: &Pair<'_>,
        _mark: &Mark,
    ) -> Result<bool, DestError> {
        let c = self.open(cx).await?;
        Ok(holds(&self.read(&c).await?.data, pair))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(mount: Option<&str>, path: &str) -> Spec {
        Spec {
            mount: mount.map(str::to_string),
            path: path.into(),
            address: None,
            namespace: None,
        }
    }

    #[test]
    fn paths_are_kv2_data_paths_with_encoded_segments() {
        assert_eq!(spec(None, "ci/aws").data_path(), "secret/data/ci/aws");
        assert_eq!(spec(Some("kv/"), "/a b/c").data_path(), "kv/data/a%20b/c");
        assert_eq!(spec(Some("kv"), "x").full(), "kv/x");
    }

    #[test]
    fn holds_compares_both_fields() {
        let s = Secret::new("sec");
        let pair = Pair {
            id_name: "ID",
            key_id: "AKIA1",
            secret_name: "SECRET",
            secret: &s,
        };
        let mut m = Map::new();
        m.insert("ID".into(), "AKIA1".into());
        assert!(!holds(&m, &pair));
        m.insert("SECRET".into(), "sec".into());
        m.insert("other".into(), "kept".into());
        assert!(holds(&m, &pair));
    }
}
