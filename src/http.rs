//! The one small JSON-over-HTTPS client of the non-AWS services the
//! destinations write to (GitHub, GitLab, Vault/OpenBao).
//!
//! It sends through the very connector the AWS clients use
//! ([`crate::sdk::connector`]: hyper + rustls with ring), so it honours the
//! same variables: the platform's roots (`SSL_CERT_FILE`/`SSL_CERT_DIR`)
//! plus the service's own CA bundle (`VAULT_CACERT`, ...), and
//! `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`. No crate beyond the SDK's.
//!
//! Invariants:
//! - Tokens travel only in headers, never in a URL; nothing here logs a
//!   request, and [`Request`]'s `Debug` shows no header value or body.
//! - Every request has one deadline ([`Client::timeout`]) and an answer is
//!   read up to [`MAX_BODY`] bytes, so a hung or hostile server cannot hold
//!   or fill the run.
//! - An error never carries the token or a secret: a service's error body
//!   is [`crate::secret::scrub`]bed of every secret the request carried
//!   before it is kept.
//! - Request and answer bodies live in zeroized buffers on our side.

use crate::sdk::SetupError;
use crate::secret::Secret;
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_runtime_api::client::http::HttpConnector;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use std::path::Path;
use std::time::Duration;
use zeroize::Zeroizing;

/// The most of an answer that is read: JSON documents of a few KiB are
/// expected; anything larger is refused rather than buffered.
pub const MAX_BODY: usize = 1 << 20;

/// How long one request may take, connection and answer included.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// At most this much of a service's error body is kept (scrubbed).
const DETAIL_MAX: usize = 300;

pub struct Client {
    connector: aws_smithy_http_client::Connector,
    timeout: Duration,
}

/// One request: method, absolute URL, headers (secret ones kept apart),
/// an optional JSON body.
pub struct Request {
    method: &'static str,
    url: String,
    headers: Vec<(&'static str, String)>,
    secret_headers: Vec<(&'static str, Secret)>,
    body: Option<(Zeroizing<Vec<u8>>, &'static str)>,
    /// Values scrubbed from any error text (the body's secrets).
    scrub: Vec<Secret>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Request({} {})", self.method, self.url)
    }
}

/// An answer: its status and body (any status; see [`Response::ok`]).
pub struct Response {
    pub status: u16,
    pub body: Zeroizing<Vec<u8>>,
    /// The request, for errors.
    what: String,
    scrub: Vec<Secret>,
}

/// Why a request got no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("{url}: {}", crate::i18n::tr("http.bad_url"))]
    Url { url: String },
    /// No answer: the line names the URL, where it came from and the fix.
    #[error("{line}")]
    Network { kind: NetKind, line: String },
    #[error("{what}: {}", crate::i18n::trf("http.too_large", &[("limit", &MAX_BODY)]))]
    TooLarge { what: String },
    /// An answer outside 2xx; `detail` is the scrubbed error body.
    #[error("{what}: HTTP {status}{}", if detail.is_empty() { String::new() } else { format!(": {detail}") })]
    Status {
        what: String,
        status: u16,
        detail: String,
    },
    #[error("{what}: {}", crate::i18n::trf("http.bad_json", &[("detail", detail)]))]
    Json { what: String, detail: String },
}

impl HttpError {
    /// The HTTP status of an answer outside 2xx.
    pub fn status(&self) -> Option<u16> {
        match self {
            HttpError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// True when the request surely never reached the service (refused,
    /// DNS, TLS, a bad URL): retrying cannot double anything.
    pub fn not_sent(&self) -> bool {
        match self {
            HttpError::Url { .. } => true,
            HttpError::Network { kind, .. } => !matches!(kind, NetKind::Timeout | NetKind::Other),
            _ => false,
        }
    }
}

/// Why a request got no answer (the same kinds as the AWS calls').
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetKind {
    Refused,
    Dns,
    Timeout,
    TlsUnknownIssuer,
    Tls,
    Other,
}

impl Request {
    pub fn new(method: &'static str, url: impl Into<String>) -> Request {
        Request {
            method,
            url: url.into(),
            headers: Vec::new(),
            secret_headers: Vec::new(),
            body: None,
            scrub: Vec::new(),
        }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Request {
        self.headers.push((name, value.into()));
        self
    }

    /// A header holding a token: scrubbed from error text too.
    pub fn secret_header(mut self, name: &'static str, value: &Secret) -> Request {
        self.scrub.push(value.clone());
        self.secret_headers.push((name, value.clone()));
        self
    }

    /// `value` is scrubbed from error text though the request does not
    /// carry it as is (a token inside `Bearer …`).
    pub fn scrubbing(mut self, value: &Secret) -> Request {
        self.scrub.push(value.clone());
        self
    }

    /// A JSON body; `secrets` are the values in it that must never reach an
    /// error (a service may echo the body back).
    pub fn json(self, value: &serde_json::Value, secrets: &[&Secret]) -> Request {
        self.json_as(value, secrets, "application/json")
    }

    /// [`Request::json`] with another content type (Vault's
    /// `application/merge-patch+json`).
    pub fn json_as(
        mut self,
        value: &serde_json::Value,
        secrets: &[&Secret],
        content_type: &'static str,
    ) -> Request {
        let mut buf = Zeroizing::new(Vec::with_capacity(256));
        // Writing a Value into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *buf, value);
        self.body = Some((buf, content_type));
        self.scrub.extend(secrets.iter().map(|s| (*s).clone()));
        self
    }

    fn what(&self) -> String {
        format!("{} {}", self.method, self.url)
    }
}

impl Response {
    /// The answer if its status is 2xx, else [`HttpError::Status`] with the
    /// scrubbed body.
    pub fn ok(self) -> Result<Response, HttpError> {
        if (200..300).contains(&self.status) {
            return Ok(self);
        }
        Err(self.error())
    }

    /// This answer as an error (for a status the caller does not accept).
    pub fn error(&self) -> HttpError {
        let text = String::from_utf8_lossy(&self.body);
        let secrets: Vec<&str> = self.scrub.iter().map(Secret::expose).collect();
        HttpError::Status {
            what: self.what.clone(),
            status: self.status,
            detail: crate::secret::scrub(text.trim(), &secrets, DETAIL_MAX),
        }
    }

    /// The body as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, HttpError> {
        serde_json::from_slice(&self.body).map_err(|e| HttpError::Json {
            what: self.what.clone(),
            // serde's message names a position and a type, never the text.
            detail: e.to_string(),
        })
    }
}

impl Client {
    /// A client trusting the platform's roots plus the PEM file at `ca`
    /// (named `ca_var` in errors).
    pub fn new(ca: Option<&Path>, ca_var: &'static str) -> Result<Client, SetupError> {
        Client::with_proxy(ca, ca_var, ProxyConfig::from_env())
    }

    /// [`Client::new`] through an explicit proxy configuration (tests: the
    /// process environment is shared by parallel tests).
    fn with_proxy(
        ca: Option<&Path>,
        ca_var: &'static str,
        proxy: ProxyConfig,
    ) -> Result<Client, SetupError> {
        let ctx = crate::sdk::tls_context(ca, ca_var)?;
        Ok(Client {
            connector: crate::sdk::connector(&ctx, None, None, proxy),
            timeout: TIMEOUT,
        })
    }

    /// The same client with another deadline per request.
    pub fn with_timeout(mut self, timeout: Duration) -> Client {
        self.timeout = timeout;
        self
    }

    /// Sends `req`; `from` names where its URL came from (`VAULT_ADDR`, the
    /// settings file, ...) in a network error's line.
    pub async fn send(&self, req: Request, from: &str) -> Result<Response, HttpError> {
        let what = req.what();
        let url = req.url.clone();
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(HttpError::Url { url });
        }
        let scrub = req.scrub.clone();
        let http = build(req).map_err(|()| HttpError::Url { url: url.clone() })?;
        let call = async {
            let resp = self.connector.call(http).await.map_err(|e| {
                let kind = if e.is_timeout() {
                    NetKind::Timeout
                } else {
                    net_kind(&e)
                };
                network(kind, &url, from)
            })?;
            let status = resp.status().as_u16();
            let body = read_body(resp.into_body(), &what).await?;
            Ok(Response {
                status,
                body,
                what: what.clone(),
                scrub,
            })
        };
        match tokio::time::timeout(self.timeout, call).await {
            Ok(r) => r,
            Err(_) => Err(network(NetKind::Timeout, &url, from)),
        }
    }
}

fn build(req: Request) -> Result<HttpRequest, ()> {
    let (body, ctype) = match req.body {
        Some((b, t)) => (Some(b), Some(t)),
        None => (None, None),
    };
    let len = body.as_ref().map_or(0, |b| b.len());
    let sdk_body = match body {
        // hyper needs its own copy; ours is wiped when `b` drops.
        Some(b) => SdkBody::from(b.as_slice().to_vec()),
        None => SdkBody::empty(),
    };
    let mut http = HttpRequest::new(sdk_body);
    http.set_method(req.method).map_err(|_| ())?;
    http.set_uri(req.url.as_str()).map_err(|_| ())?;
    let h = http.headers_mut();
    h.insert("user-agent", concat!("keyturn/", env!("CARGO_PKG_VERSION")));
    h.insert("accept", "application/json");
    if let Some(t) = ctype {
        h.insert("content-type", t);
        h.insert("content-length", len.to_string());
    } else if matches!(req.method, "POST" | "PUT" | "PATCH") {
        h.insert("content-length", "0");
    }
    for (k, v) in req.headers {
        h.try_insert(k, v).map_err(|_| ())?;
    }
    for (k, v) in req.secret_headers {
        h.try_insert(k, v.expose().to_string()).map_err(|_| ())?;
    }
    Ok(http)
}

async fn read_body(body: SdkBody, what: &str) -> Result<Zeroizing<Vec<u8>>, HttpError> {
    let mut stream = ByteStream::new(body);
    let mut buf = Zeroizing::new(Vec::new());
    while let Some(chunk) = stream.next().await {
        // A body cut off mid-way is an answer we cannot trust: the same
        // as none at all (the write may or may not have happened).
        let chunk = chunk.map_err(|_| HttpError::Network {
            kind: NetKind::Other,
            line: format!("{what}: {}", crate::i18n::tr("http.cut_off")),
        })?;
        if buf.len() + chunk.len() > MAX_BODY {
            return Err(HttpError::TooLarge {
                what: what.to_string(),
            });
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

fn net_kind(e: &(dyn std::error::Error + 'static)) -> NetKind {
    let mut chain = String::new();
    let mut io = None;
    let mut cur = Some(e);
    while let Some(err) = cur {
        chain.push_str(&err.to_string().to_ascii_lowercase());
        chain.push(' ');
        if let Some(i) = err.downcast_ref::<std::io::Error>() {
            io.get_or_insert(i.kind());
        }
        cur = err.source();
    }
    if chain.contains("unknownissuer") || chain.contains("unknown issuer") {
        NetKind::TlsUnknownIssuer
    } else if ["certificate", "tls", "handshake", "alert"]
        .iter()
        .any(|w| chain.contains(w))
    {
        NetKind::Tls
    } else if chain.contains("dns error") || chain.contains("failed to lookup address") {
        NetKind::Dns
    } else if io == Some(std::io::ErrorKind::ConnectionRefused) {
        NetKind::Refused
    } else if io == Some(std::io::ErrorKind::TimedOut) || chain.contains("timed out") {
        NetKind::Timeout
    } else {
        NetKind::Other
    }
}

fn network(kind: NetKind, url: &str, from: &str) -> HttpError {
    use crate::i18n::trf;
    let (e, f) = (&url, &from);
    let line = match kind {
        NetKind::Refused => trf("net.refused", &[("endpoint", e), ("from", f)]),
        NetKind::Dns => trf("net.dns", &[("endpoint", e), ("from", f)]),
        NetKind::Timeout => trf("net.timeout", &[("endpoint", e), ("from", f)]),
        NetKind::TlsUnknownIssuer => {
            trf("http.tls_unknown_issuer", &[("endpoint", e), ("from", f)])
        }
        NetKind::Tls => trf("http.tls", &[("endpoint", e), ("from", f)]),
        NetKind::Other => trf("net.other", &[("endpoint", e), ("from", f)]),
    };
    HttpError::Network { kind, line }
}

#[cfg(test)]
mod tests;
