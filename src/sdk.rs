//! The [`Aws`] trait implemented with the official AWS SDK for Rust.
//!
//! Invariants:
//! - Credentials are always the explicit ones passed in: the SDK's default
//!   chain would prefer `AWS_ACCESS_KEY_ID` from the environment over the
//!   profile being rotated. Clients are built from `SdkConfig::builder()`,
//!   which reads no profile files and never probes instance metadata.
//! - One HTTP client (connection pool, TLS roots from `AWS_CA_BUNDLE`,
//!   proxies from `HTTPS_PROXY`/`NO_PROXY`) is shared by every client.
//! - CreateAccessKey runs with retries disabled: a lost reply must be
//!   handled by the caller, never by a blind retry; the caller retries
//!   definite rejections itself ([`crate::aws::AwsError::is_definite_retryable`]).

pub mod dest;
pub mod operator;

use crate::aws::{Aws, AwsError, Creds, ErrorKind, Identity, KeyMeta, LastUsed, NewKey};
use crate::secret::Secret;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_smithy_http_client::{proxy::ProxyConfig, tls, Builder, ConnectorBuilder};
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How to reach AWS.
#[derive(Clone, Debug, Default)]
pub struct Endpoint {
    /// `--endpoint-url` / `AWS_ENDPOINT_URL`, for emulators and tests.
    pub url: Option<String>,
    /// Which of the two set `url` (`"--endpoint-url"`, `"AWS_ENDPOINT_URL"`),
    /// named in network errors.
    pub url_from: Option<&'static str>,
    /// `AWS_CA_BUNDLE`: extra PEM trust roots.
    pub ca_bundle: Option<std::path::PathBuf>,
    /// `-v`: one stderr line per request attempt (operation, status).
    pub verbose: bool,
    /// `--cli-read-timeout` (as the AWS CLI's): how long one request
    /// attempt may wait for its answer; None: [`READ_TIMEOUT`].
    pub read_timeout: Option<Duration>,
}

/// How long one attempt waits for its answer unless `--cli-read-timeout`
/// says otherwise.
pub const READ_TIMEOUT: Duration = Duration::from_secs(20);

/// `-v` logging: the operation and the HTTP status of every attempt.
/// Nothing of the request or response body is printed, so no secret can be.
#[derive(Debug)]
struct AttemptLog;

impl aws_smithy_runtime_api::client::interceptors::Intercept for AttemptLog {
    fn name(&self) -> &'static str {
        "keyturn-attempt-log"
    }

    fn read_after_attempt(
        &self,
        ctx: &aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextRef<
            '_,
        >,
        _rc: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        cfg: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        let op = cfg
            .load::<aws_smithy_runtime_api::client::orchestrator::Metadata>()
            .map(|m| format!("{} {}", m.service(), m.name()))
            .unwrap_or_else(|| "request".into());
        match ctx.response() {
            Some(r) => crate::report::err_line(&format!(
                "keyturn: [-v] {op}: HTTP {}",
                r.status().as_u16()
            )),
            None => crate::report::err_line(&format!("keyturn: [-v] {op}: no response")),
        }
        Ok(())
    }
}

/// An IAM or STS answer (the awsQuery protocol) the SDK read as a success
/// must be whole: a body cut short can still parse, its missing fields
/// filled with defaults (an empty secret). Refused here, it becomes an
/// answer that cannot be read ([`convert`]: the outcome is unknown).
#[derive(Debug)]
struct WholeAnswer;

impl aws_smithy_runtime_api::client::interceptors::Intercept for WholeAnswer {
    fn name(&self) -> &'static str {
        "keyturn-whole-answer"
    }

    fn read_after_deserialization(
        &self,
        ctx: &aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        cfg: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        let op = cfg.load::<aws_smithy_runtime_api::client::orchestrator::Metadata>();
        let (Ok(_), Some(op)) = (ctx.output_or_error(), op) else {
            return Ok(());
        };
        let Some(body) = ctx.response().body().bytes() else {
            return Ok(());
        };
        let end = format!("</{}Response>", op.name());
        if body.trim_ascii_end().ends_with(end.as_bytes()) {
            Ok(())
        } else {
            Err(format!("the answer ends before {end}").into())
        }
    }
}

/// Why no HTTP client could be built. `var` names the variable that gave
/// the CA bundle (`AWS_CA_BUNDLE` here; `VAULT_CACERT` and the like for
/// [`crate::http`]).
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("{}: cannot read the CA bundle ({var}): {source}", path.display())]
    CaRead {
        path: std::path::PathBuf,
        var: &'static str,
        source: std::io::Error,
    },
    #[error("{}: the CA bundle ({var}) holds no valid PEM certificate", path.display())]
    CaInvalid {
        path: std::path::PathBuf,
        var: &'static str,
    },
    #[error("cannot set up TLS: {0}")]
    Tls(String),
}

/// (access key id, has a session token, signing region).
type ClientKey = (String, bool, String);

pub struct SdkAws {
    http: SharedHttpClient,
    in_flight: Arc<InFlight>,
    endpoint: Option<String>,
    endpoint_from: Option<&'static str>,
    verbose: bool,
    read_timeout: Duration,
    clients: Mutex<HashMap<ClientKey, (aws_sdk_iam::Client, aws_sdk_sts::Client)>>,
    /// Admin mode: who signs ([`operator`]); None: no operator.
    operator: Option<operator::OperatorSpec>,
    /// The operator's credentials, and each role assumed with them, once
    /// per run (key: the role, None for the operator itself).
    operator_creds: tokio::sync::Mutex<HashMap<Option<String>, Creds>>,
}

fn http_client(ca: Option<&Path>) -> Result<SharedHttpClient, SetupError> {
    let ctx = tls_context(ca, "AWS_CA_BUNDLE")?;
    // The public builder disables proxies when given a TLS context; this is
    // the SDK's own default client, with our trust store.
    Ok(
        Builder::new().build_with_connector_fn(move |settings, components| {
            connector(&ctx, settings, components, ProxyConfig::from_env())
        }),
    )
}

/// The platform's roots (which honour `SSL_CERT_FILE`/`SSL_CERT_DIR`) plus
/// the PEM file at `ca`, if any; `var` names where `ca` came from.
pub(crate) fn tls_context(
    ca: Option<&Path>,
    var: &'static str,
) -> Result<tls::TlsContext, SetupError> {
    let mut trust = tls::TrustStore::default();
    if let Some(path) = ca {
        let pem = std::fs::read(path).map_err(|source| SetupError::CaRead {
            path: path.to_path_buf(),
            var,
            source,
        })?;
        // Check first: the TLS provider panics on a bad PEM.
        use rustls_pki_types::{pem::PemObject, CertificateDer};
        let certs: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(&pem).collect();
        if !certs.is_ok_and(|c| !c.is_empty()) {
            return Err(SetupError::CaInvalid {
                path: path.to_path_buf(),
                var,
            });
        }
        trust = trust.with_pem_certificate(pem);
    }
    tls::TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .map_err(|e| SetupError::Tls(e.to_string()))
}

/// The hyper + rustls (ring) connector every AWS client uses, through
/// `proxy` (always [`ProxyConfig::from_env`]: `HTTPS_PROXY`/`HTTP_PROXY`/
/// `NO_PROXY`, but in tests): [`crate::http`] sends through the same one,
/// so both honour the same variables.
pub(crate) fn connector(
    ctx: &tls::TlsContext,
    settings: Option<&HttpConnectorSettings>,
    components: Option<&RuntimeComponents>,
    proxy: ProxyConfig,
) -> aws_smithy_http_client::Connector {
    let mut b = ConnectorBuilder::default()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .tls_context(ctx.clone());
    b.set_connector_settings(settings.cloned());
    if let Some(c) = components {
        b.set_sleep_impl(c.sleep_impl());
    }
    b.set_proxy_config(Some(proxy));
    b.build()
}

/// `--jobs`' bound where a request is on the wire ([`Aws::bound_in_flight`]):
/// unset until a fleet run sets it, then every HTTP attempt of every
/// client holds one slot while it waits for its answer.
#[derive(Debug, Default)]
struct InFlight(std::sync::OnceLock<Arc<tokio::sync::Semaphore>>);

/// The SDK's HTTP client, each attempt through [`InFlight`].
#[derive(Debug)]
struct Bounded {
    inner: SharedHttpClient,
    slots: Arc<InFlight>,
}

impl HttpClient for Bounded {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(BoundedConnector {
            inner: self.inner.http_connector(settings, components),
            slots: self.slots.clone(),
        })
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.inner.connector_metadata()
    }
}

#[derive(Debug)]
struct BoundedConnector {
    inner: SharedHttpConnector,
    slots: Arc<InFlight>,
}

impl HttpConnector for BoundedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let Some(slots) = self.slots.0.get().cloned() else {
            return self.inner.call(request);
        };
        let inner = self.inner.clone();
        HttpConnectorFuture::new(async move {
            // Never closed; a closed semaphore would only lift the bound.
            let _slot = slots.acquire_owned().await.ok();
            inner.call(request).await
        })
    }
}

impl SdkAws {
    pub fn new(endpoint: &Endpoint) -> Result<SdkAws, SetupError> {
        let in_flight = Arc::new(InFlight::default());
        Ok(SdkAws {
            http: SharedHttpClient::new(Bounded {
                inner: http_client(endpoint.ca_bundle.as_deref())?,
                slots: in_flight.clone(),
            }),
            in_flight,
            endpoint: endpoint.url.clone(),
            endpoint_from: endpoint.url_from,
            verbose: endpoint.verbose,
            read_timeout: endpoint.read_timeout.unwrap_or(READ_TIMEOUT),
            clients: Mutex::new(HashMap::new()),
            operator: None,
            operator_creds: Default::default(),
        })
    }

    /// Admin mode: IAM calls for managed users sign as this operator.
    pub fn with_operator(mut self, spec: operator::OperatorSpec) -> SdkAws {
        self.operator = Some(spec);
        self
    }

    fn clients(&self, creds: &Creds) -> (aws_sdk_iam::Client, aws_sdk_sts::Client) {
        let key = (
            creds.access_key_id.clone(),
            creds.session_token.is_some(),
            creds.region.clone(),
        );
        let mut map = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(key)
            .or_insert_with(|| {
                let conf = sdk_config(self, creds);
                let mut iam = aws_sdk_iam::config::Builder::from(&conf).interceptor(WholeAnswer);
                let mut sts = aws_sdk_sts::config::Builder::from(&conf).interceptor(WholeAnswer);
                if self.verbose {
                    iam = iam.interceptor(AttemptLog);
                    sts = sts.interceptor(AttemptLog);
                }
                (
                    aws_sdk_iam::Client::from_conf(iam.build()),
                    aws_sdk_sts::Client::from_conf(sts.build()),
                )
            })
            .clone()
    }
}

impl SdkAws {
    /// [`convert`], then a request that got no answer is said in one line
    /// of the user's language: the endpoint, where it came from, the kind
    /// of failure and its fix. The SDK's own chain only with `-v`.
    fn convert<E>(&self, op: &'static str, creds: &Creds, e: SdkError<E, HttpResponse>) -> AwsError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        // An answer came (readable or not): it is not a network failure.
        let net = e
            .raw_response()
            .is_none()
            .then(|| network_kind(&e))
            .flatten();
        let mut err = convert(op, e);
        if let Some(kind) = net {
            let service = op.split(' ').next().unwrap_or(op);
            let (endpoint, from) = match (&self.endpoint, self.endpoint_from) {
                (Some(url), from) => (url.clone(), from.unwrap_or("AWS_ENDPOINT_URL").to_string()),
                (None, _) => (
                    default_endpoint(service, &creds.region),
                    crate::i18n::tr("net.from_default").to_string(),
                ),
            };
            err.message = network_line(kind, &endpoint, &from, &err.message, self.verbose);
        }
        err
    }
}

/// Why a request got no answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NetKind {
    Refused,
    Dns,
    Timeout,
    TlsUnknownIssuer,
    Tls,
    Other,
}

/// The kind of a failure without an HTTP answer; None for AWS's answers
/// and for requests never built.
fn network_kind<E, R>(e: &SdkError<E, R>) -> Option<NetKind>
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let timeout = match e {
        SdkError::ServiceError(_) | SdkError::ConstructionFailure(_) => return None,
        SdkError::TimeoutError(_) => true,
        SdkError::DispatchFailure(d) => d.is_timeout(),
        _ => false,
    };
    let chain = error_chain(e).to_ascii_lowercase();
    Some(
        if chain.contains("unknownissuer") || chain.contains("unknown issuer") {
            NetKind::TlsUnknownIssuer
        } else if ["certificate", "tls", "handshake", "alert"]
            .iter()
            .any(|w| chain.contains(w))
        {
            NetKind::Tls
        } else if chain.contains("dns error") || chain.contains("failed to lookup address") {
            NetKind::Dns
        } else if io_kind(e) == Some(std::io::ErrorKind::ConnectionRefused) {
            NetKind::Refused
        } else if timeout
            || io_kind(e) == Some(std::io::ErrorKind::TimedOut)
            || chain.contains("timed out")
            || chain.contains("timeout")
        {
            NetKind::Timeout
        } else {
            NetKind::Other
        },
    )
}

/// The one line for a request without an answer; `chain` (the SDK's
/// error chain) is appended only when `verbose`.
fn network_line(kind: NetKind, endpoint: &str, from: &str, chain: &str, verbose: bool) -> String {
    use crate::i18n::trf;
    let mut line = match kind {
        NetKind::Refused => trf("net.refused", &[("endpoint", &endpoint), ("from", &from)]),
        NetKind::Dns => trf("net.dns", &[("endpoint", &endpoint), ("from", &from)]),
        NetKind::Timeout => trf("net.timeout", &[("endpoint", &endpoint), ("from", &from)]),
        NetKind::TlsUnknownIssuer => trf(
            "net.tls_unknown_issuer",
            &[("endpoint", &endpoint), ("from", &from)],
        ),
        NetKind::Tls => trf("net.tls", &[("endpoint", &endpoint), ("from", &from)]),
        NetKind::Other => trf("net.other", &[("endpoint", &endpoint), ("from", &from)]),
    };
    if verbose {
        line.push_str(&format!("{}{chain}]", crate::aws::CHAIN_MARK));
    }
    line
}

/// The endpoint the SDK resolves when none is configured (named in
/// messages only: nothing is sent anywhere by this).
fn default_endpoint(service: &str, region: &str) -> String {
    let dns = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    match service {
        "IAM" if region.starts_with("us-gov-") => format!("https://iam.us-gov.{dns}"),
        "IAM" if region.starts_with("cn-") => format!("https://iam.{region}.{dns}"),
        "IAM" => format!("https://iam.{dns}"),
        other => format!("https://{}.{region}.{dns}", other.to_ascii_lowercase()),
    }
}

/// Turns an SDK error into ours, keeping the code and whether the request
/// may have executed. Only an answer that carries an AWS error code is a
/// definite refusal ([`ErrorKind::Service`]); an answer that cannot be
/// read (a proxy's HTML page, a truncated or empty body, a 200 the SDK
/// could not parse) may come after the action ran, so its outcome is
/// unknown, and the message says what came instead (never its body: it
/// may hold a secret).
fn convert<E>(op: &'static str, e: SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let status = e.raw_response().map(|r| r.status().as_u16());
    let (mut kind, mut code, mut message) = match &e {
        SdkError::ServiceError(se) => (
            ErrorKind::Service,
            se.err().code().map(str::to_string),
            se.err().message().unwrap_or_default().to_string(),
        ),
        SdkError::ConstructionFailure(_) => (ErrorKind::NotSent, None, error_chain(&e)),
        SdkError::DispatchFailure(d) if d.is_user() => (ErrorKind::NotSent, None, error_chain(&e)),
        SdkError::DispatchFailure(_)
            if io_kind(&e) == Some(std::io::ErrorKind::ConnectionRefused) =>
        {
            (ErrorKind::NotSent, None, error_chain(&e))
        }
        _ => (ErrorKind::Unknown, None, error_chain(&e)),
    };
    // moto wraps its auth errors as <Errors><Error>, a shape the SDK does
    // not parse: read the code from the raw body ourselves.
    if kind == ErrorKind::Service && code.is_none() {
        if let Some(body) = e.raw_response().and_then(|r| r.body().bytes()) {
            let text = String::from_utf8_lossy(body);
            code = xml_tag(&text, "Code");
            if message.is_empty() {
                message = xml_tag(&text, "Message").unwrap_or_default();
            }
        }
    }
    let unreadable = match &e {
        SdkError::ServiceError(_) => code.is_none(),
        SdkError::ResponseError(_) => true,
        _ => false,
    };
    if let (true, Some(r)) = (unreadable, e.raw_response()) {
        kind = ErrorKind::Unknown;
        message = unreadable_answer(
            r.status().as_u16(),
            r.headers().get("content-type"),
            r.body().bytes().map(<[u8]>::len),
        );
    }
    AwsError {
        op,
        kind,
        code,
        status,
        message,
    }
}

fn xml_tag(text: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = text.find(&open)? + open.len();
    let end = text[start..].find(&format!("</{tag}>"))? + start;
    Some(text[start..end].trim().to_string())
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(err) = cur {
        parts.push(err.to_string());
        cur = err.source();
    }
    parts.dedup();
    parts.join(": ")
}

fn io_kind(e: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        cur = err.source();
    }
    None
}

/// What came instead of an answer AWS gives: status, content type and
/// size, never the body.
fn unreadable_answer(status: u16, content_type: Option<&str>, len: Option<usize>) -> String {
    let ctype = content_type
        .map(|c| crate::term::clean(c).into_owned())
        .unwrap_or_else(|| crate::i18n::tr("net.no_content_type").to_string());
    let size = len.map_or_else(|| "?".to_string(), |n| n.to_string());
    crate::i18n::trf(
        "net.unreadable",
        &[("status", &status), ("type", &ctype), ("bytes", &size)],
    )
}

/// A 200 the SDK read but that lacks what the call returns: not AWS's
/// answer, so the request's outcome is unknown.
fn missing(op: &'static str, what: &str) -> AwsError {
    AwsError {
        op,
        kind: ErrorKind::Unknown,
        code: None,
        status: Some(200),
        message: crate::i18n::trf("net.incomplete", &[("what", &what)]),
    }
}

/// Temporary credentials from STS (GetSessionToken, AssumeRole), signing
/// for the same region as the credentials that asked for them.
fn session_creds(
    op: &'static str,
    c: Option<&aws_sdk_sts::types::Credentials>,
    region: &str,
) -> Result<Creds, AwsError> {
    let c = c.ok_or_else(|| missing(op, "Credentials"))?;
    Ok(Creds {
        access_key_id: c.access_key_id().to_string(),
        secret: Secret::new(c.secret_access_key()),
        session_token: Some(Secret::new(c.session_token())),
        region: region.to_string(),
    })
}

/// AWS's date, to the second, as every other RFC 3339 time keyturn shows
/// ([`crate::util::time`]).
fn rfc3339(dt: &aws_smithy_types::DateTime) -> String {
    crate::util::time::format_rfc3339(dt.secs())
}

impl Aws for SdkAws {
    fn bound_in_flight(&self, n: usize) -> bool {
        let slots = Arc::new(tokio::sync::Semaphore::new(n.max(1)));
        // One bound per process: a second fleet run in it keeps the first's.
        let _ = self.in_flight.0.set(slots);
        true
    }

    async fn caller_identity(&self, creds: &Creds) -> Result<Identity, AwsError> {
        const OP: &str = "STS GetCallerIdentity";
        let (_, sts) = self.clients(creds);
        let out = sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| self.convert(OP, creds, e))?;
        Ok(Identity {
            arn: out.arn().ok_or_else(|| missing(OP, "Arn"))?.to_string(),
            account: out.account().unwrap_or_default().to_string(),
        })
    }

    async fn operator_creds(
        &self,
        role_arn: Option<&str>,
        region: &str,
    ) -> Result<Creds, AwsError> {
        let Some(spec) = &self.operator else {
            return Err(AwsError {
                op: "operator credentials",
                kind: ErrorKind::NotSent,
                code: None,
                status: None,
                message: crate::i18n::tr("managed.no_operator").into(),
            });
        };
        // Held across the resolution: concurrent users of one role wait
        // for one AssumeRole instead of each sending their own.
        let mut cache = self.operator_creds.lock().await;
        let key = role_arn.map(str::to_string);
        if let Some(c) = cache.get(&key).filter(|c| c.region == region) {
            return Ok(c.clone());
        }
        let base = match cache.get(&None).filter(|c| c.region == region) {
            Some(c) => c.clone(),
            None => {
                let c = operator::resolve(self, spec, region).await?;
                cache.insert(None, c.clone());
                c
            }
        };
        let creds = match role_arn {
            None => base,
            Some(arn) => {
                use crate::aws::AuditAws;
                self.assume_role(&base, arn, "keyturn-admin").await?
            }
        };
        cache.insert(key, creds.clone());
        Ok(creds)
    }

    async fn user_arn(&self, creds: &Creds, user: &str) -> Result<String, AwsError> {
        const OP: &str = "IAM GetUser";
        let (iam, _) = self.clients(creds);
        let out = iam
            .get_user()
            .user_name(user)
            .send()
            .await
            .map_err(|e| self.convert(OP, creds, e))?;
        out.user()
            .map(|u| u.arn().to_string())
            .ok_or_else(|| missing(OP, "User"))
    }

    async fn list_access_keys(&self, creds: &Creds, user: &str) -> Result<Vec<KeyMeta>, AwsError> {
        const OP: &str = "IAM ListAccessKeys";
        let (iam, _) = self.clients(creds);
        let out = iam
            .list_access_keys()
            .user_name(user)
            .send()
            .await
            .map_err(|e| self.convert(OP, creds, e))?;
        // An entry without its id is not IAM's answer: dropping it would
        // hide a key.
        out.access_key_metadata()
            .iter()
            .map(|m| {
                Ok(KeyMeta {
                    id: m
                        .access_key_id()
                        .ok_or_else(|| missing(OP, "AccessKeyId"))?
                        .to_string(),
                    active: m.status() == Some(&aws_sdk_iam::types::StatusType::Active),
                    created: m.create_date().map(|d| d.secs()),
                })
            })
            .collect()
    }

    async fn create_access_key(&self, creds: &Creds, user: &str) -> Result<NewKey, AwsError> {
        const OP: &str = "IAM CreateAccessKey";
        let (iam, _) = self.clients(creds);
        let out = iam
            .create_access_key()
            .user_name(user)
            .customize()
            .config_override(aws_sdk_iam::Config::builder().retry_config(RetryConfig::disabled()))
            .send()
            .await
            .map_err(|e| self.convert(OP, creds, e))?;
        let key = out.access_key().ok_or_else(|| missing(OP, "AccessKey"))?;
        // The SDK fills a missing required field with "": never a key.
        if key.access_key_id().is_empty() || key.secret_access_key().is_empty() {
            return Err(missing(OP, "AccessKeyId and SecretAccessKey"));
        }
        Ok(NewKey {
            id: key.access_key_id().to_string(),
            secret: Secret::new(key.secret_access_key()),
        })
    }

    async fn delete_access_key(
        &self,
        creds: &Creds,
        user: &str,
        key_id: &str,
    ) -> Result<(), AwsError> {
        let (iam, _) = self.clients(creds);
        iam.delete_access_key()
            .user_name(user)
            .access_key_id(key_id)
            .send()
            .await
            .map_err(|e| self.convert("IAM DeleteAccessKey", creds, e))?;
        Ok(())
    }

    async fn set_key_active(
        &self,
        creds: &Creds,
        user: &str,
        key_id: &str,
        active: bool,
    ) -> Result<(), AwsError> {
        use aws_sdk_iam::types::StatusType;
        let (iam, _) = self.clients(creds);
        iam.update_access_key()
            .user_name(user)
            .access_key_id(key_id)
            .status(if active {
                StatusType::Active
            } else {
                StatusType::Inactive
            })
            .send()
            .await
            .map_err(|e| self.convert("IAM UpdateAccessKey", creds, e))?;
        Ok(())
    }

    async fn key_last_used(&self, creds: &Creds, key_id: &str) -> Result<LastUsed, AwsError> {
        let (iam, _) = self.clients(creds);
        let out = iam
            .get_access_key_last_used()
            .access_key_id(key_id)
            .send()
            .await
            .map_err(|e| self.convert("IAM GetAccessKeyLastUsed", creds, e))?;
        let na = |s: &str| (!s.is_empty() && s != "N/A").then(|| s.to_string());
        Ok(match out.access_key_last_used() {
            None => LastUsed::default(),
            Some(l) => LastUsed {
                date: l.last_used_date().map(rfc3339),
                service: na(l.service_name()),
                region: na(l.region()),
            },
        })
    }

    async fn mfa_devices(&self, creds: &Creds, user: &str) -> Result<Vec<String>, AwsError> {
        let (iam, _) = self.clients(creds);
        let out = iam
            .list_mfa_devices()
            .user_name(user)
            .send()
            .await
            .map_err(|e| self.convert("IAM ListMFADevices", creds, e))?;
        Ok(out
            .mfa_devices()
            .iter()
            .map(|d| d.serial_number().to_string())
            .collect())
    }

    async fn session_token(
        &self,
        creds: &Creds,
        mfa_serial: &str,
        code: &str,
    ) -> Result<Creds, AwsError> {
        const OP: &str = "STS GetSessionToken";
        let (_, sts) = self.clients(creds);
        let out = sts
            .get_session_token()
            .serial_number(mfa_serial)
            .token_code(code)
            .duration_seconds(900)
            .send()
            .await
            .map_err(|e| self.convert(OP, creds, e))?;
        session_creds(OP, out.credentials(), &creds.region)
    }
}

// ---------------------------------------------------------------------------
// `keyturn audit`: the read-only calls of [`crate::aws::AuditAws`]. IAM and
// STS reuse the cached clients above; Organizations is called a handful of
// times per run (ListAccounts pages), so its client is built per call from
// the same settings.

use crate::aws::{AuditAws, OrgAccount, Page, RawReport, ReportState, UserMeta};

/// The one SDK configuration every client is built from: explicit
/// credentials, the signing region, the shared HTTP client, our retry and
/// timeout policy; no profile files or instance metadata.
fn sdk_config(aws: &SdkAws, creds: &Creds) -> SdkConfig {
    let provider = Credentials::new(
        creds.access_key_id.clone(),
        creds.secret.expose().to_string(),
        creds.session_token.as_ref().map(|t| t.expose().to_string()),
        None,
        "keyturn",
    );
    let mut b = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(creds.region.clone()))
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .http_client(aws.http.clone())
        // Standard retries (throttling, 5xx, timeouts) for every call but
        // CreateAccessKey; 5 attempts ride out a burst of throttling (30%
        // of requests throttled fails a call 0.2% of the time), and a
        // 200 ms first backoff (the SDK's default is 1 s) keeps a throttled
        // verification close to the key's propagation.
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(5)
                .with_initial_backoff(Duration::from_millis(200)),
        )
        .timeout_config(timeouts(aws.read_timeout))
        .stalled_stream_protection(stalled_streams());
    if let Some(url) = &aws.endpoint {
        b = b.endpoint_url(url);
    }
    b.build()
}

/// Connect 5 s; an attempt waits `read` for its answer on the wire; the
/// retries (at most 5 attempts) bound the whole call. Only a zero `read`
/// (`--cli-read-timeout 0`, as the AWS CLI's) gets an operation limit of
/// 60 s, its one bound: the SDK's operation timer, like its attempt timer,
/// also runs while an attempt waits for a `--jobs` slot, so with a read
/// timeout it would fail a long queue (a fleet behind a slow link at
/// `--jobs 1`) that never waited on the wire.
///
/// The attempt's limit is the HTTP client's read timeout, which starts
/// when the request goes on the wire, and not the SDK's attempt timeout,
/// which starts when the attempt does: in a fleet run an attempt first
/// waits for a `--jobs` slot ([`BoundedConnector`]), and a request waiting
/// its turn has not gone unanswered. The answer's body is then watched by
/// the download check of [`stalled_streams`].
fn timeouts(read: Duration) -> TimeoutConfig {
    let b = TimeoutConfig::builder().connect_timeout(Duration::from_secs(5));
    if read.is_zero() {
        b.operation_timeout(Duration::from_secs(60)).build()
    } else {
        b.read_timeout(read).build()
    }
}

/// The SDK's stalled-stream protection for answers only (its default
/// grace, 5 s). Its upload check starts its clock before the connector is
/// called, so an attempt waiting for a `--jobs` slot ([`BoundedConnector`])
/// read as an upload that stalled: 120 users through a 0.25 s link failed
/// 6 with "no answer in time". IAM and STS requests are a few hundred
/// bytes written at once; a link that stalls while sending them is caught
/// by the read timeout ([`timeouts`]), which starts on the wire.
fn stalled_streams(
) -> aws_smithy_runtime_api::client::stalled_stream_protection::StalledStreamProtectionConfig {
    aws_smithy_runtime_api::client::stalled_stream_protection::StalledStreamProtectionConfig::enabled()
        .upload_enabled(false)
        .download_enabled(true)
        .grace_period(Duration::from_secs(5))
        .build()
}

impl AuditAws for SdkAws {
    async fn generate_credential_report(&self, creds: &Creds) -> Result<ReportState, AwsError> {
        use aws_sdk_iam::types::ReportStateType;
        const OP: &str = "IAM GenerateCredentialReport";
        let (iam, _) = self.clients(creds);
        let out = iam
            .generate_credential_report()
            .send()
            .await
            .map_err(|e| self.convert(OP, creds, e))?;
        match out.state() {
            Some(ReportStateType::Complete) => Ok(ReportState::Complete),
            Some(ReportStateType::Inprogress) => Ok(ReportState::InProgress),
            Some(ReportStateType::Started) => Ok(ReportState::Started),
            // An unknown state is treated as "not ready yet": the caller
            // polls with a deadline, so this cannot loop forever.
            Some(_) => Ok(ReportState::InProgress),
            None => Err(missing(OP, "State")),
        }
    }

    async fn get_credential_report(&self, creds: &Creds) -> Result<RawReport, AwsError> {
        const OP: &str = "IAM GetCredentialReport";
        let (iam, _) = self.clients(creds);
        let out = iam
            .get_credential_report()
            .send()
            .await
            .map_err(|e| self.convert(OP, creds, e))?;
        let csv = out
            .content()
            .ok_or_else(|| missing(OP, "Content"))?
            .as_ref()
            .to_vec();
        Ok(RawReport {
            csv,
            generated: out.generated_time().map(|d| d.secs()),
        })
    }

    async fn list_users_page(
        &self,
        creds: &Creds,
        marker: Option<&str>,
    ) -> Result<Page<UserMeta>, AwsError> {
        const OP: &str = "IAM ListUsers";
        let (iam, _) = self.clients(creds);
        let out = iam
            .list_users()
            .set_marker(marker.map(str::to_string))
            .send()
            .await
            .map_err(|e| self.convert(OP, creds, e))?;
        let items = out
            .users()
            .iter()
            .map(|u| UserMeta {
                name: u.user_name().to_string(),
                arn: u.arn().to_string(),
            })
            .collect();
        // IAM pages with IsTruncated + Marker; a truncated page without a
        // marker would make us loop on page one, so it ends the listing.
        let next = if out.is_truncated() {
            Some(
                out.marker()
                    .ok_or_else(|| missing(OP, "Marker on a truncated page"))?
                    .to_string(),
            )
        } else {
            None
        };
        Ok(Page { items, next })
    }

    async fn root_keys_present(&self, creds: &Creds) -> Result<bool, AwsError> {
        use aws_sdk_iam::types::SummaryKeyType;
        const OP: &str = "IAM GetAccountSummary";
        let (iam, _) = self.clients(creds);
        let out = iam
            .get_account_summary()
            .send()
            .await
            .map_err(|e| self.convert(OP, creds, e))?;
        Ok(out
            .summary_map()
            .and_then(|m| m.get(&SummaryKeyType::AccountAccessKeysPresent))
            .is_some_and(|n| *n > 0))
    }

    async fn list_accounts_page(
        &self,
        creds: &Creds,
        token: Option<&str>,
    ) -> Result<Page<OrgAccount>, AwsError> {
        const OP: &str = "Organizations ListAccounts";
        let org = aws_sdk_organizations::Client::new(&sdk_config(self, creds));
        let out = org
            .list_accounts()
            .set_next_token(token.map(str::to_string))
            .send()
            .await
            .map_err(|e| self.convert(OP, creds, e))?;
        let items = out
            .accounts()
            .iter()
            .filter_map(|a| {
                // `Status` is being retired in favour of `State`; read the
                // new field first and fall back for older endpoints.
                #[allow(deprecated)]
                let state = a
                    .state()
                    .map(|s| s.as_str().to_string())
                    .or_else(|| a.status().map(|s| s.as_str().to_string()))
                    .unwrap_or_default();
                Some(OrgAccount {
                    id: a.id()?.to_string(),
                    name: a.name().unwrap_or_default().to_string(),
                    state,
                })
            })
            .collect();
        Ok(Page {
            items,
            next: out.next_token().map(str::to_string),
        })
    }

    async fn assume_role(
        &self,
        creds: &Creds,
        role_arn: &str,
        session_name: &str,
    ) -> Result<Creds, AwsError> {
        const OP: &str = "STS AssumeRole";
        let (_, sts) = self.clients(creds);
        let out = sts
            .assume_role()
            .role_arn(role_arn)
            .role_session_name(session_name)
            .send()
            .await
            .map_err(|e| self.convert(OP, creds, e))?;
        session_creds(OP, out.credentials(), &creds.region)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SDK's dates read as the SDK itself formats them, to the second.
    #[test]
    fn dates_format_as_the_sdk_does() {
        use aws_smithy_types::date_time::Format;
        for secs in [0, 951_782_400, 1_714_558_272, 4_102_444_799] {
            let dt = aws_smithy_types::DateTime::from_secs(secs);
            assert_eq!(rfc3339(&dt), dt.fmt(Format::DateTime).unwrap());
        }
        let fractional = aws_smithy_types::DateTime::from_fractional_secs(1_714_558_272, 0.5);
        assert_eq!(rfc3339(&fractional), "2024-05-01T10:11:12Z");
    }

    fn answer(status: u16, ctype: &str, body: &str) -> HttpResponse {
        let mut r = HttpResponse::new(
            status.try_into().unwrap(),
            aws_smithy_types::body::SdkBody::from(body),
        );
        r.headers_mut().insert("content-type", ctype.to_string());
        r
    }

    /// Issue 18, item 2: only an answer carrying an AWS error code is a
    /// refusal; any other answer (a proxy's page, a body the SDK could not
    /// read) may follow an action that ran.
    #[test]
    fn an_answer_without_an_aws_error_code_is_an_unknown_outcome() {
        use aws_sdk_iam::operation::create_access_key::CreateAccessKeyError as E;
        let html = "<html><body>SECRETISH</body></html>";
        let page =
            SdkError::service_error(E::unhandled("invalid root"), answer(200, "text/html", html));
        let e = convert("IAM CreateAccessKey", page);
        assert_eq!(e.kind, ErrorKind::Unknown);
        assert!(e.outcome_unknown() && !e.is_definite_retryable());
        assert!(
            e.message.contains("HTTP 200") && e.message.contains("text/html"),
            "{}",
            e.message
        );
        assert!(e.message.contains(&html.len().to_string()), "{}", e.message);
        assert!(!e.message.contains("SECRETISH"), "never the body");
        // A proxy's 403 page is no AWS refusal either.
        let denied = SdkError::service_error(E::unhandled("x"), answer(403, "text/html", html));
        assert_eq!(
            convert("IAM CreateAccessKey", denied).kind,
            ErrorKind::Unknown
        );
        // AWS's own error (here moto's shape) stays a definite refusal.
        let moto = "<ErrorResponse><Errors><Error><Code>LimitExceeded</Code><Message>no</Message></Error></Errors></ErrorResponse>";
        let limit = SdkError::service_error(E::unhandled("x"), answer(409, "text/xml", moto));
        let e = convert("IAM CreateAccessKey", limit);
        assert_eq!(
            (e.kind, e.code.as_deref()),
            (ErrorKind::Service, Some("LimitExceeded"))
        );
        // A 200 without the fields the call returns: unknown as well.
        assert!(missing("IAM CreateAccessKey", "AccessKey").outcome_unknown());
    }

    #[test]
    fn xml_tag_reads_moto_and_aws_shapes() {
        let moto = "<ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code><Message>bad</Message></Error></Errors></ErrorResponse>";
        assert_eq!(
            xml_tag(moto, "Code").as_deref(),
            Some("InvalidClientTokenId")
        );
        assert_eq!(xml_tag(moto, "Message").as_deref(), Some("bad"));
        assert_eq!(xml_tag("<x/>", "Code"), None);
    }

    #[test]
    fn network_lines_name_the_endpoint_its_source_and_the_fix() {
        let url = "https://127.0.0.1:9";
        for kind in [
            NetKind::Refused,
            NetKind::Dns,
            NetKind::Timeout,
            NetKind::TlsUnknownIssuer,
            NetKind::Tls,
            NetKind::Other,
        ] {
            let line = network_line(kind, url, "AWS_ENDPOINT_URL", "io error: boom", false);
            assert!(
                line.contains(url) && line.contains("(AWS_ENDPOINT_URL)"),
                "{line}"
            );
            assert!(!line.contains("boom") && !line.contains('\n'), "{line}");
            if matches!(kind, NetKind::TlsUnknownIssuer | NetKind::Tls) {
                assert!(line.contains("AWS_CA_BUNDLE"), "{line}");
            }
            let verbose = network_line(kind, url, "--endpoint-url", "io error: boom", true);
            assert!(verbose.contains("[SDK: io error: boom]"), "{verbose}");
        }
        // The default endpoint is named by partition (built, never called).
        assert!(default_endpoint("STS", "cn-north-1").ends_with(".cn"));
        assert!(default_endpoint("IAM", "us-gov-west-1").contains("iam.us-gov."));
        assert!(default_endpoint("STS", "eu-west-1").contains("sts.eu-west-1."));
    }

    #[test]
    fn the_read_timeout_bounds_each_attempt() {
        let secs = Duration::from_secs;
        let t = timeouts(READ_TIMEOUT);
        assert_eq!(t.connect_timeout(), Some(secs(5)));
        assert_eq!(t.read_timeout(), Some(secs(20)));
        // Not the SDK's attempt timeout: it would count a `--jobs` wait.
        assert_eq!(t.operation_attempt_timeout(), None);
        // Nor an operation timeout: it too would count a `--jobs` wait.
        assert_eq!(t.operation_timeout(), None);
        let t = timeouts(secs(1));
        assert_eq!(t.read_timeout(), Some(secs(1)));
        assert_eq!(t.operation_attempt_timeout(), None);
        assert_eq!(t.operation_timeout(), None);
        assert_eq!(timeouts(secs(100)).operation_timeout(), None);
        let t = timeouts(Duration::ZERO);
        assert_eq!(t.read_timeout(), None);
        assert_eq!(t.operation_attempt_timeout(), None);
        assert_eq!(t.operation_timeout(), Some(secs(60)));
    }

    #[test]
    fn only_answers_are_watched_for_stalls() {
        let c = stalled_streams();
        assert!(!c.upload_enabled(), "a --jobs wait is not a stalled upload");
        assert!(c.download_enabled());
        assert_eq!(c.grace_period(), Duration::from_secs(5));
    }

    #[test]
    fn bad_ca_bundle_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ca.pem");
        std::fs::write(&p, "not a certificate").unwrap();
        let err = http_client(Some(&p)).err().unwrap();
        assert!(matches!(err, SetupError::CaInvalid { .. }), "{err}");
        let err = http_client(Some(&dir.path().join("absent"))).err().unwrap();
        assert!(matches!(err, SetupError::CaRead { .. }), "{err}");
    }
}
