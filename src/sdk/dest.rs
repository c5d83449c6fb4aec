//! The AWS calls of the AWS destination types (`secretsmanager`, `ssm`),
//! with the official SDK, behind [`DestAws`]: the destinations name no SDK
//! type. The same HTTP client setup as IAM's (CA bundle, proxies,
//! timeouts, standard retries for throttling and 5xx).
//!
//! Who signs: a destination's own `profile` through the SDK's standard
//! credential chain (static, role, web-identity profiles), or the rotated
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
use std::time::Duration;

/// Who signs a destination's requests.
pub enum Signer<'a> {
    /// A named profile, through the SDK's standard chain.
    Profile(&'a str),
    /// An explicit key pair (the rotated profile's).
    Key(&'a Creds),
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
            Signer::Profile(name) => {
                // The profile's own provider, not the default chain: that
                // would prefer AWS_ACCESS_KEY_ID from the environment.
                // It resolves static, role (`role_arn` + `source_profile`)
                // and web-identity profiles.
                let pc = aws_config::provider_config::ProviderConfig::without_region()
                    .with_region(Some(Region::new(region.to_string())))
                    .with_http_client(http.clone());
                let provider = aws_config::profile::ProfileFileCredentialsProvider::builder()
                    .configure(&pc)
                    .profile_name(name)
                    .build();
                let mut l = aws_config::defaults(BehaviorVersion::latest())
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
