//! The AWS calls of the AWS destination types (`secretsmanager`, `ssm`),
//! with the official SDK, behind [`DestAws`]: the destinations name no SDK
//! type. The same HTTP client setup as IAM's (CA bundle, proxies,
//! timeouts, standard retries for throttling and 5xx).
//!
//! Who signs: a destination's own `profile` through the SDK's profile
//! provider (static keys, role: `role_arn` + `source_profile` or
//! `credential_source`, web identity, SSO with the `sso` feature,
//! `credential_process`), read from keyturn's two files, or the rotated
//! profile's key the rotation hands in (its new key once verified). The
//! endpoint override (`--endpoint-url`/`AWS_ENDPOINT_URL`) applies to
//! both, so tests reach the emulator.
//!
//! Errors are [`AwsError`]s (the IAM calls' conversion): their message is
//! the service's, which never holds the value sent (AWS does not echo
//! secret strings), and the destination scrubs it again anyway.

use super::{convert, http_client, timeouts, Endpoint, READ_TIMEOUT};
use crate::aws::{AwsError, Creds};
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_smithy_types::retry::RetryConfig;
use std::path::Path;
use std::time::Duration;

/// Who signs a destination's requests.
pub enum Signer<'a> {
    /// A named profile, through the SDK's profile provider, from these
    /// files (credentials, config: keyturn's, so `--credentials-file` and
    /// `--config-file` apply; None: the SDK's defaults).
    Profile {
        name: &'a str,
        files: Option<(&'a Path, &'a Path)>,
    },
    /// An explicit key pair (the rotated profile's).
    Key(&'a Creds),
}

/// The credentials of profile `name`: the profile's own provider, not
/// the default chain (that would prefer AWS_ACCESS_KEY_ID from the
/// environment). It follows the profile as the SDK does: static keys, a
/// role (`role_arn` with `source_profile` or `credential_source`, assumed
/// through STS), web identity, SSO, `credential_process`.
pub(super) fn profile_provider(
    name: &str,
    files: Option<(&Path, &Path)>,
    region: &str,
    http: aws_smithy_runtime_api::client::http::SharedHttpClient,
) -> aws_config::profile::ProfileFileCredentialsProvider {
    let pc = aws_config::provider_config::ProviderConfig::without_region()
        .with_region(Some(Region::new(region.to_string())))
        .with_http_client(http);
    let mut b = aws_config::profile::ProfileFileCredentialsProvider::builder()
        .configure(&pc)
        .profile_name(name);
    if let Some(pf) = profile_files(files) {
        b = b.profile_files(pf);
    }
    b.build()
}

/// Keyturn's two files for the SDK (None: the SDK's defaults). A missing
/// file is an empty one (as botocore and keyturn read it); the SDK
/// refuses a named file it cannot read.
#[allow(deprecated)]
pub(super) fn profile_files(
    files: Option<(&Path, &Path)>,
) -> Option<aws_config::profile::profile_file::ProfileFiles> {
    use aws_config::profile::profile_file::{ProfileFileKind, ProfileFiles};
    let (credentials, config) = files?;
    let mut pf = ProfileFiles::builder()
        .include_default_credentials_file(false)
        .include_default_config_file(false);
    for (kind, path) in [
        (ProfileFileKind::Credentials, credentials),
        (ProfileFileKind::Config, config),
    ] {
        pf = if path.exists() {
            pf.with_file(kind, path)
        } else {
            pf.with_contents(kind, "")
        };
    }
    Some(pf.build())
}

/// Clients for one destination's region and signer.
pub struct DestAws {
    sm: aws_sdk_secretsmanager::Client,
    ssm: aws_sdk_ssm::Client,
}

/// A setup failure (unreadable CA bundle, a profile the chain cannot
/// load), in words.
pub type SetupFailed = String;

impl DestAws {
    pub async fn new(
        endpoint: &Endpoint,
        signer: Signer<'_>,
        region: &str,
    ) -> Result<DestAws, SetupFailed> {
        let http = http_client(endpoint.ca_bundle.as_deref()).map_err(|e| e.to_string())?;
        let read = endpoint.read_timeout.unwrap_or(READ_TIMEOUT);
        let retry = RetryConfig::standard()
            .with_max_attempts(5)
            .with_initial_backoff(Duration::from_millis(200));
        let conf: SdkConfig = match signer {
            Signer::Key(creds) => {
                let provider = Credentials::new(
                    creds.access_key_id.clone(),
                    creds.secret.expose().to_string(),
                    creds.session_token.as_ref().map(|t| t.expose().to_string()),
                    None,
                    "keyturn",
                );
                let mut b = SdkConfig::builder()
                    .behavior_version(BehaviorVersion::latest())
                    .region(Region::new(region.to_string()))
                    .credentials_provider(SharedCredentialsProvider::new(provider))
                    .http_client(http)
                    .retry_config(retry)
                    .timeout_config(timeouts(read));
                if let Some(url) = &endpoint.url {
                    b = b.endpoint_url(url);
                }
                b.build()
            }
            Signer::Profile { name, files } => {
                let provider = profile_provider(name, files, region, http.clone());
                let mut l = aws_config::defaults(BehaviorVersion::latest());
                #[allow(deprecated)] // the loader's only way to name the files
                if let Some(pf) = profile_files(files) {
                    l = l.profile_files(pf);
                }
                let mut l = l
                    .profile_name(name)
                    .credentials_provider(provider)
                    .region(Region::new(region.to_string()))
                    .http_client(http)
                    .retry_config(retry)
                    .timeout_config(timeouts(read));
                if let Some(url) = &endpoint.url {
                    l = l.endpoint_url(url);
                }
                l.load().await
            }
        };
        Ok(DestAws {
            sm: aws_sdk_secretsmanager::Client::new(&conf),
            ssm: aws_sdk_ssm::Client::new(&conf),
        })
    }

    /// Secrets Manager DescribeSecret: the secret exists and may be read.
    pub async fn describe_secret(&self, id: &str) -> Result<(), AwsError> {
        self.sm
            .describe_secret()
            .secret_id(id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| convert("SecretsManager DescribeSecret", e))
    }

    /// The secret's current string; None when it has no current value.
    pub async fn get_secret(
        &self,
        id: &str,
    ) -> Result<Option<zeroize::Zeroizing<String>>, AwsError> {
        match self.sm.get_secret_value().secret_id(id).send().await {
            Ok(out) => Ok(out.secret_string.map(zeroize::Zeroizing::new)),
            Err(e) => {
                let e = convert("SecretsManager GetSecretValue", e);
                // A secret created without a value has no AWSCURRENT yet.
                if e.code.as_deref() == Some("ResourceNotFoundException")
                    && self.describe_secret(id).await.is_ok()
                {
                    return Ok(None);
                }
                Err(e)
            }
        }
    }

    /// PutSecretValue with a client token: the same token twice is one
    /// version (a retried write is the same write).
    pub async fn put_secret(&self, id: &str, value: &str, token: &str) -> Result<(), AwsError> {
        self.sm
            .put_secret_value()
            .secret_id(id)
            .secret_string(value)
            .client_request_token(token)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| convert("SecretsManager PutSecretValue", e))
    }

    /// GetParameter with decryption: the value, None if there is no such
    /// parameter.
    pub async fn get_parameter(
        &self,
        name: &str,
    ) -> Result<Option<zeroize::Zeroizing<String>>, AwsError> {
        match self
            .ssm
            .get_parameter()
            .name(name)
            .with_decryption(true)
            .send()
            .await
        {
            Ok(out) => Ok(out
                .parameter
                .and_then(|p| p.value)
                .map(zeroize::Zeroizing::new)),
            Err(e) => {
                let e = convert("SSM GetParameter", e);
                if e.code.as_deref() == Some("ParameterNotFound") {
                    return Ok(None);
                }
                Err(e)
            }
        }
    }

    /// The KMS key an existing parameter is encrypted with (to keep it on
    /// overwrite); None when the parameter does not exist or names none.
    pub async fn parameter_key(&self, name: &str) -> Result<Option<String>, AwsError> {
        use aws_sdk_ssm::types::ParameterStringFilter;
        let filter = ParameterStringFilter::builder()
            .key("Name")
            .option("Equals")
            .values(name)
            .build()
            .map_err(|e| AwsError {
                op: "SSM DescribeParameters",
                kind: crate::aws::ErrorKind::NotSent,
                code: None,
                status: None,
                message: e.to_string(),
            })?;
        let out = self
            .ssm
            .describe_parameters()
            .parameter_filters(filter)
            .send()
            .await
            .map_err(|e| convert("SSM DescribeParameters", e))?;
        Ok(out
            .parameters
            .unwrap_or_default()
            .into_iter()
            .find(|p| p.name.as_deref() == Some(name))
            .and_then(|p| p.key_id))
    }

    /// PutParameter as a SecureString, overwriting, with `key_id` if given.
    pub async fn put_parameter(
        &self,
        name: &str,
        value: &str,
        key_id: Option<&str>,
    ) -> Result<(), AwsError> {
        self.ssm
            .put_parameter()
            .name(name)
            .value(value)
            .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
            .overwrite(true)
            .set_key_id(key_id.map(str::to_string))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| convert("SSM PutParameter", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::provider::ProvideCredentials;
    use std::io::{Read, Write};

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    /// Both files in a temp folder (never ~/.aws): (dir, credentials, config).
    fn files(creds: &str, conf: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let (c, f) = (dir.path().join("credentials"), dir.path().join("config"));
        std::fs::write(&c, creds).unwrap();
        std::fs::write(&f, conf).unwrap();
        (dir, c, f)
    }
    use std::path::PathBuf;

    #[test]
    fn a_credential_process_profile_is_served_from_keyturn_s_files() {
        let (_d, c, f) = files(
            "",
            "[profile proc]\ncredential_process = printf '{\"Version\":1,\"AccessKeyId\":\"AKIAPROCESS000000001\",\"SecretAccessKey\":\"s\"}'\n",
        );
        let http = http_client(None).unwrap();
        let p = profile_provider("proc", Some((&c, &f)), "eu-west-1", http);
        let creds = block_on(p.provide_credentials()).unwrap();
        assert_eq!(creds.access_key_id(), "AKIAPROCESS000000001");
    }

    #[test]
    fn an_sso_profile_is_understood() {
        // No cached SSO token for this start URL: the provider fails
        // loading it (no request is sent), not for a missing feature.
        let (_d, c, f) = files(
            "",
            "[profile sso]\nsso_session = s\nsso_account_id = 123456789012\nsso_role_name = r\n[sso-session s]\nsso_region = us-east-1\nsso_start_url = https://keyturn-test.invalid/start\n",
        );
        let http = http_client(None).unwrap();
        let p = profile_provider("sso", Some((&c, &f)), "eu-west-1", http);
        let err = block_on(p.provide_credentials()).unwrap_err();
        let text = format!(
            "{}",
            aws_smithy_types::error::display::DisplayErrorContext(&err)
        );
        assert!(!text.contains("cargo feature"), "{text}");
        assert!(text.to_lowercase().contains("token"), "{text}");
    }

    /// A loopback stand-in for STS and Secrets Manager: answers
    /// AssumeRole with a role session and DescribeSecret with a secret;
    /// hands back each request's text. One request per connection.
    fn stand_in(n: usize) -> (String, std::thread::JoinHandle<Vec<String>>) {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", l.local_addr().unwrap());
        let h = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for _ in 0..n {
                let (mut s, _) = l.accept().unwrap();
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let text = loop {
                    let got = s.read(&mut chunk).unwrap();
                    buf.extend_from_slice(&chunk[..got]);
                    let t = String::from_utf8_lossy(&buf).to_string();
                    if let Some(end) = t.find("\r\n\r\n") {
                        let len = t[..end]
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse::<usize>().ok())?
                            })
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + len {
                            break t;
                        }
                    }
                    assert!(got > 0, "connection closed early");
                };
                let (ctype, body) = if text.contains("Action=AssumeRole") {
                    ("text/xml", "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult><Credentials><AccessKeyId>ASIAROLESESSION00001</AccessKeyId><SecretAccessKey>roleSecret</SecretAccessKey><SessionToken>roleToken</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA1:s</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/deployer/s</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>".to_string())
                } else {
                    ("application/x-amz-json-1.1", r#"{"ARN":"arn:aws:secretsmanager:eu-west-1:123456789012:secret:ci/aws-abc","Name":"ci/aws"}"#.to_string())
                };
                let reply = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                s.write_all(reply.as_bytes()).unwrap();
                seen.push(text);
            }
            seen
        });
        (url, h)
    }

    #[test]
    fn a_role_profile_signs_with_the_role_it_assumes_from_its_source_profile() {
        let (url, server) = stand_in(2);
        // The role profile's endpoint_url sends the SDK's AssumeRole to
        // the stand-in (never to AWS).
        let (_d, c, f) = files(
            "[base]\naws_access_key_id = AKIASOURCEPROFILE001\naws_secret_access_key = sourceSecret\n",
            &format!("[profile deployer]\nrole_arn = arn:aws:iam::123456789012:role/deployer\nsource_profile = base\nendpoint_url = {url}\n"),
        );
        let endpoint = Endpoint {
            url: Some(url.clone()),
            ..Endpoint::default()
        };
        block_on(async {
            let aws = DestAws::new(
                &endpoint,
                Signer::Profile {
                    name: "deployer",
                    files: Some((&c, &f)),
                },
                "eu-west-1",
            )
            .await
            .unwrap();
            aws.describe_secret("ci/aws").await.unwrap();
        });
        let seen = server.join().unwrap();
        assert!(seen[0].contains("Action=AssumeRole"), "{}", seen[0]);
        assert!(
            seen[0].contains("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdeployer"),
            "{}",
            seen[0]
        );
        assert!(
            seen[0].contains("Credential=AKIASOURCEPROFILE001/"),
            "{}",
            seen[0]
        );
        assert!(
            seen[1].contains("secretsmanager.DescribeSecret"),
            "{}",
            seen[1]
        );
        assert!(
            seen[1].contains("Credential=ASIAROLESESSION00001/"),
            "{}",
            seen[1]
        );
        assert!(
            seen[1]
                .to_lowercase()
                .contains("x-amz-security-token: roletoken"),
            "{}",
            seen[1]
        );
    }
}
