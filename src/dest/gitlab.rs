//! `type = "gitlab"`: two CI/CD variables of a GitLab project (`project`)
//! or group (`group`), by number or full path, in one
//! `environment_scope` [default: `*`].
//!
//! Written as GitLab's REST API v4 documents it
//! (`/projects/:id/variables`, `/groups/:id/variables`): the server is
//! `url`, else `CI_SERVER_URL`, else `https://gitlab.com`; the token
//! `GITLAB_TOKEN` or the `token_command`'s, sent only in `PRIVATE-TOKEN`.
//!
//! Invariants:
//! - Every request about a variable names its scope
//!   (`filter[environment_scope]`), so a key defined in several scopes is
//!   never mistaken for another scope's.
//! - A new variable is created masked and protected (an AWS key qualifies
//!   for masking); an existing one gets only its `value` changed: its
//!   flags, type and description are kept (PUT sends the value alone).
//! - Idempotent: a variable already holding the value is not written; a
//!   create whose reply was lost is found by the retry and updated.
//! - Confirm reads both variables back and compares.

use super::rest::{self, Auth, Conn, Service};
use super::{Ctx, DestError, Destination, DestinationSpec, Mark, Pair};
use crate::http::{Client, Response};
use crate::i18n::{tr, trf};
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::OnceLock;

const DEFAULT_URL: &str = "https://gitlab.com";

/// GitLab's REST API: the token in `PRIVATE-TOKEN`.
static GITLAB: Service = Service {
    auth: Auth::Header("PRIVATE-TOKEN"),
    headers: &[],
    says: gitlab_says,
};

/// keyturn's explanation of a GitLab refusal (the service's answer follows it).
fn gitlab_says(status: u16, what: &str) -> Option<String> {
    match status {
        401 => Some(tr("dest.gitlab_token_refused").into()),
        403 => Some(tr("dest.gitlab_forbidden").into()),
        404 => Some(trf("dest.gitlab_not_found", &[("what", &what)])),
        _ => None,
    }
}

/// The settings of a `gitlab` destination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The project's number or full path (`group/project`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// The group's number or full path (instead of `project`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The variables' environment scope [default: `*`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment_scope: Option<String>,
    /// The GitLab server; absent: `CI_SERVER_URL`, else gitlab.com.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Spec {
    pub(super) fn validate(&self, spec: &DestinationSpec) -> Result<(), String> {
        match (&self.project, &self.group) {
            (Some(p), None) | (None, Some(p)) if !p.trim_matches('/').is_empty() => {}
            _ => return Err(tr("dest.gitlab_scope").into()),
        }
        if let Some(u) = &self.url {
            if !(u.starts_with("https://") || u.starts_with("http://")) {
                return Err(trf("dest.bad_url", &[("url", u)]));
            }
        }
        // GitLab's rule for variable keys.
        for n in [spec.id_name(), spec.secret_name()] {
            let ok = !n.is_empty()
                && n.len() <= 255
                && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ok {
                return Err(trf("dest.gitlab_bad_name", &[("name", &n)]));
            }
        }
        Ok(())
    }

    fn scope(&self) -> &str {
        self.environment_scope.as_deref().unwrap_or("*")
    }

    fn where_(&self) -> String {
        let (kind, id) = match (&self.project, &self.group) {
            (Some(p), _) => ("project", p.as_str()),
            (None, Some(g)) => ("group", g.as_str()),
            _ => ("", ""),
        };
        match self.environment_scope.as_deref() {
            Some(s) if s != "*" => format!("{kind} {id}, scope {s}"),
            _ => format!("{kind} {id}"),
        }
    }

    /// `/projects/:id` or `/groups/:id`, the id encoded.
    fn owner_path(&self) -> String {
        match (&self.project, &self.group) {
            (Some(p), _) => format!("/projects/{}", rest::seg(p.trim_matches('/'))),
            (None, Some(g)) => format!("/groups/{}", rest::seg(g.trim_matches('/'))),
            _ => String::new(),
        }
    }

    fn filter(&self) -> String {
        format!("filter%5Benvironment_scope%5D={}", rest::seg(self.scope()))
    }
}

/// An opened `gitlab` destination.
pub struct GitlabDest<'s> {
    spec: &'s DestinationSpec,
    k: &'s Spec,
    client: OnceLock<Client>,
}

impl std::fmt::Debug for GitlabDest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GitlabDest({})", self.spec.name)
    }
}

impl<'s> GitlabDest<'s> {
    pub fn new(spec: &'s DestinationSpec, k: &'s Spec) -> GitlabDest<'s> {
        GitlabDest {
            spec,
            k,
            client: OnceLock::new(),
        }
    }

    async fn open(&self, cx: &Ctx<'_>) -> Result<Conn<'_>, DestError> {
        let dest = self.describe();
        let (url, from) = match (&self.k.url, cx.env.get("CI_SERVER_URL")) {
            (Some(u), _) => (rest::base(u), "url"),
            (None, Some(u)) => (rest::base(u), "CI_SERVER_URL"),
            (None, None) => (DEFAULT_URL.to_string(), "gitlab.com"),
        };
        let client = rest::client(&self.client, None, "SSL_CERT_FILE", &dest)?;
        let token = super::token(self.spec, cx.env, &["GITLAB_TOKEN"], &dest).await?;
        Ok(Conn {
            client,
            service: &GITLAB,
            api: format!("{url}/api/v4"),
            from,
            token,
            dest,
        })
    }

    fn var_path(&self, name: &str) -> String {
        format!(
            "{}/variables/{}?{}",
            self.k.owner_path(),
            rest::seg(name),
            self.k.filter()
        )
    }

    /// The variable's value in this scope; None if it does not exist.
    async fn value(&self, c: &Conn<'_>, name: &str) -> Result<Option<Secret>, DestError> {
        let resp = c.send("GET", &self.var_path(name), None).await?;
        if resp.status == 404 && !self.owner_missing(&resp) {
            return Ok(None);
        }
        let v: Value = c
            .ok(resp, &self.k.where_())?
            .json()
            .map_err(|e| rest::error(&c.dest, e))?;
        Ok(Some(Secret::new(v["value"].as_str().unwrap_or_default())))
    }

    /// A 404 about the project or group itself, not the variable.
    fn owner_missing(&self, resp: &Response) -> bool {
        let text = String::from_utf8_lossy(&resp.body);
        text.contains("Project Not Found") || text.contains("Group Not Found")
    }

    /// Sets one variable to `value`: created masked and protected if
    /// absent, else only its value changed.
    async fn set(&self, c: &Conn<'_>, name: &str, value: &Secret) -> Result<(), DestError> {
        match self.value(c, name).await? {
            Some(v) if v == *value => return Ok(()),
            Some(_) => return self.update(c, name, value).await,
            None => {}
        }
        let body = serde_json::json!({
            "key": name,
            "value": value.expose(),
            "environment_scope": self.k.scope(),
            "masked": true,
            "protected": true,
            "variable_type": "env_var",
        });
        let path = format!("{}/variables", self.k.owner_path());
        let resp = c.send("POST", &path, Some((&body, &[value]))).await?;
        if resp.status == 400 && String::from_utf8_lossy(&resp.body).contains("already been taken")
        {
            // Created meanwhile (a retried create whose reply was lost).
            return self.update(c, name, value).await;
        }
        c.ok(resp, name)?;
        Ok(())
    }

    async fn update(&self, c: &Conn<'_>, name: &str, value: &Secret) -> Result<(), DestError> {
        let body = serde_json::json!({ "value": value.expose() });
        let resp = c
            .send("PUT", &self.var_path(name), Some((&body, &[value])))
            .await?;
        c.ok(resp, name)?;
        Ok(())
    }
}

impl Destination for GitlabDest<'_> {
    fn describe(&self) -> String {
        format!("gitlab {} ({})", self.spec.name, self.k.where_())
    }

    async fn preflight(&self, cx: &Ctx<'_>) -> Result<(), DestError> {
        let c = self.open(cx).await?;
        let resp = c.send("GET", &self.k.owner_path(), None).await?;
        c.ok(resp, &self.k.where_())?;
        // The variables themselves must be readable (Maintainer role).
        for name in [self.spec.id_name(), self.spec.secret_name()] {
            self.value(&c, name).await?;
        }
        Ok(())
    }

    async fn write(&self, cx: &Ctx<'_>, pair: &Pair<'_>) -> Result<Mark, DestError> {
        let c = self.open(cx).await?;
        self.set(&c, pair.id_name, &Secret::new(pair.key_id))
            .await?;
        self.set(&c, pair.secret_name, pair.secret)
            .await
            .map_err(rest::partial)?;
        Ok(None)
    }

    async fn confirm(
        &self,
        cx: &Ctx<'_>,
        pair: &Pair<'_>,
        _mark: &Mark,
    ) -> Result<bool, DestError> {
        let c = self.open(cx).await?;
        let id = self.value(&c, pair.id_name).await?;
        let secret = self.value(&c, pair.secret_name).await?;
        Ok(id.is_some_and(|v| v.expose() == pair.key_id) && secret.as_ref() == Some(pair.secret))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_the_owner_encoded_and_the_scope_filter() {
        let k = Spec {
            project: Some("grp/sub/proj".into()),
            group: None,
            environment_scope: Some("prod/*".into()),
            url: None,
        };
        assert_eq!(k.owner_path(), "/projects/grp%2Fsub%2Fproj");
        assert_eq!(k.filter(), "filter%5Benvironment_scope%5D=prod%2F%2A");
        let g = Spec {
            project: None,
            group: Some("7".into()),
            environment_scope: None,
            url: None,
        };
        assert_eq!(g.owner_path(), "/groups/7");
        assert_eq!(g.scope(), "*");
    }
}
