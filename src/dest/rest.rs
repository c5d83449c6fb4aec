//! What the three HTTP destination types (`github`, `gitlab`, `vault`)
//! share on top of [`crate::http`]: one client per destination, one
//! call's connection for the token-in-a-header REST APIs ([`Conn`], the
//! service's auth header and refusal wording as parameters), the mapping
//! of the client's errors to [`DestError`], and path segments.
//!
//! Invariants: a service's "no" (4xx) is [`DestError::Refused`] (fix, then
//! rerun); no usable answer (network, timeout, 5xx, 429) is
//! [`DestError::Unavailable`] (may pass: `recover` finishes). The error
//! text comes from [`crate::http::HttpError`], already scrubbed of the
//! token and the secrets the request carried.

use super::DestError;
use crate::http::{Client, HttpError, Request, Response};
use crate::secret::Secret;
use serde_json::Value;
use std::path::Path;
use std::sync::OnceLock;

/// How a service takes its token: `Authorization: Bearer …` (GitHub) or
/// the token alone in a header of its own (GitLab's `PRIVATE-TOKEN`).
#[derive(Clone, Copy, Debug)]
pub(super) enum Auth {
    Bearer,
    Header(&'static str),
}

/// What a service is, for its calls: how it takes the token, the headers
/// every call carries, and keyturn's words for its refusals: `says(status,
/// what)` is the explanation of a 401/403/404 (None: the service's answer
/// alone).
pub(super) struct Service {
    pub auth: Auth,
    pub headers: &'static [(&'static str, &'static str)],
    pub says: fn(u16, &str) -> Option<String>,
}

/// One call's connection to a REST service: the client, the API base, the
/// token (never in Debug: [`Secret`]).
pub(super) struct Conn<'c> {
    pub client: &'c Client,
    pub service: &'static Service,
    pub api: String,
    /// Where the API base came from (the setting or variable), for errors.
    pub from: &'static str,
    pub token: Secret,
    pub dest: String,
}

impl Conn<'_> {
    /// `method` on the API's `path`, with `body` (and the secrets in it,
    /// scrubbed from any error) as JSON.
    pub async fn send(
        &self,
        method: &'static str,
        path: &str,
        body: Option<(&Value, &[&Secret])>,
    ) -> Result<Response, DestError> {
        let mut req = Request::new(method, format!("{}{path}", self.api));
        for (name, value) in self.service.headers {
            req = req.header(name, *value);
        }
        req = match self.service.auth {
            Auth::Bearer => req
                .secret_header(
                    "Authorization",
                    &Secret::new(format!("Bearer {}", self.token.expose())),
                )
                .scrubbing(&self.token),
            Auth::Header(name) => req.secret_header(name, &self.token),
        };
        if let Some((v, secrets)) = body {
            req = req.json(v, secrets);
        }
        self.client
            .send(req, self.from)
            .await
            .map_err(|e| error(&self.dest, e))
    }

    /// `resp` if 2xx; a refusal the service has words for is said in them.
    pub fn ok(&self, resp: Response, what: &str) -> Result<Response, DestError> {
        resp.ok().map_err(
            |e| match e.status().and_then(|s| (self.service.says)(s, what)) {
                Some(why) => refused(&self.dest, why, &e),
                None => error(&self.dest, e),
            },
        )
    }
}

/// The destination's client, built on first use (its CA bundle, if any,
/// is read then); `ca_var` names the variable in errors.
pub(super) fn client<'c>(
    cell: &'c OnceLock<Client>,
    ca: Option<&Path>,
    ca_var: &'static str,
    dest: &str,
) -> Result<&'c Client, DestError> {
    if let Some(c) = cell.get() {
        return Ok(c);
    }
    let c = Client::new(ca, ca_var).map_err(|e| DestError::Invalid {
        dest: dest.to_string(),
        detail: e.to_string(),
    })?;
    Ok(cell.get_or_init(|| c))
}

/// The client's error as the destination's: 4xx (but 408 and 429) is a
/// refusal, the rest no usable answer.
pub(super) fn error(dest: &str, e: HttpError) -> DestError {
    let dest = dest.to_string();
    let detail = e.to_string();
    match e.status() {
        Some(s) if (400..500).contains(&s) && s != 408 && s != 429 => {
            DestError::Refused { dest, detail }
        }
        _ => DestError::Unavailable { dest, detail },
    }
}

/// A refusal with keyturn's own explanation first, the service's answer
/// after it.
pub(super) fn refused(dest: &str, why: String, e: &HttpError) -> DestError {
    DestError::Refused {
        dest: dest.to_string(),
        detail: format!("{why} ({e})"),
    }
}

/// `e`, met after the first of the two values was written: the
/// destination holds neither pair whole (a rollback must restore it).
pub(super) fn partial(e: DestError) -> DestError {
    match e {
        DestError::Refused { dest, detail }
        | DestError::Unavailable { dest, detail }
        | DestError::Invalid { dest, detail } => DestError::Partial { dest, detail },
        other => other,
    }
}

/// An answer that is not what the service documents.
pub(super) fn unexpected(dest: &str, detail: String) -> DestError {
    DestError::Unavailable {
        dest: dest.to_string(),
        detail,
    }
}

/// `s` as one URL path segment: RFC 3986 unreserved characters kept,
/// every other byte percent-encoded (`group/project` → `group%2Fproject`).
pub(super) fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A base URL without its trailing slashes.
pub(super) fn base(url: &str) -> String {
    url.trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(seg("group/sub project"), "group%2Fsub%20project");
        assert_eq!(seg("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(seg("日"), "%E6%97%A5");
        assert_eq!(base("https://x/api/v3//"), "https://x/api/v3");
    }
}
