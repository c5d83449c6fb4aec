//! Admin mode's signer: the operator's credentials, resolved by the AWS
//! SDK's standard chain (aws-config) for the profile chosen as the AWS CLI
//! chooses it, and the `[[users]]` entries' roles assumed with them.
//!
//! - `--profile NAME`: that profile alone, through the SDK's profile
//!   provider (static keys, `role_arn` + `source_profile` or
//!   `credential_source`, web identity, SSO, `credential_process`), as the
//!   AWS CLI ignores the environment's keys when `--profile` is given.
//! - otherwise the default chain: the environment's keys, then the profile
//!   named by `AWS_PROFILE` (else `AWS_DEFAULT_PROFILE`, else `default`),
//!   then web identity (`AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE`,
//!   what a GitHub Actions job with OIDC has), then the container and
//!   instance providers.
//!
//! The chain's own STS requests (AssumeRole, AssumeRoleWithWebIdentity)
//! take their endpoint from `AWS_ENDPOINT_URL`(`_STS`) or the profile's
//! `endpoint_url`, as the SDK's do.
//!
//! Invariants: the operator's credentials live only in memory, resolved
//! once per run (and once per role); they are never written to a file, a
//! destination or a journal, and never rotated.

use super::{dest::profile_files, SdkAws};
use crate::aws::{AwsError, Creds, ErrorKind};
use crate::secret::Secret;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::provider::ProvideCredentials;
use std::path::PathBuf;

/// Which operator the run signs as.
#[derive(Clone, Debug, Default)]
pub struct OperatorSpec {
    /// `--profile`: this profile only.
    pub profile: Option<String>,
    /// `AWS_PROFILE`, else `AWS_DEFAULT_PROFILE`: the default chain's profile.
    pub env_profile: Option<String>,
    /// keyturn's two files (credentials, config).
    pub files: Option<(PathBuf, PathBuf)>,
}

fn chain_error(e: impl std::error::Error + 'static) -> AwsError {
    AwsError {
        op: "operator credentials",
        kind: ErrorKind::NotSent,
        code: None,
        status: None,
        message: crate::i18n::trf(
            "managed.operator_failed",
            &[(
                "error",
                &aws_smithy_types::error::display::DisplayErrorContext(&e).to_string(),
            )],
        ),
    }
}

/// The operator's own credentials, from the chain, signing for `region`.
pub(super) async fn resolve(
    aws: &SdkAws,
    spec: &OperatorSpec,
    region: &str,
) -> Result<Creds, AwsError> {
    let files = spec.files.as_ref().map(|(c, f)| (c.as_path(), f.as_path()));
    let provider = match &spec.profile {
        Some(name) => aws_credential_types::provider::SharedCredentialsProvider::new(
            super::dest::profile_provider(name, files, region, aws.http.clone()),
        ),
        None => {
            let mut l = aws_config::defaults(BehaviorVersion::latest())
                .region(Region::new(region.to_string()))
                .http_client(aws.http.clone());
            #[allow(deprecated)] // the loader's only way to name the files
            if let Some(pf) = profile_files(files) {
                l = l.profile_files(pf);
            }
            if let Some(p) = &spec.env_profile {
                l = l.profile_name(p);
            }
            if let Some(url) = &aws.endpoint {
                l = l.endpoint_url(url);
            }
            l.load()
                .await
                .credentials_provider()
                .ok_or_else(|| chain_error(NoProvider))?
        }
    };
    let c = provider.provide_credentials().await.map_err(chain_error)?;
    Ok(Creds {
        access_key_id: c.access_key_id().to_string(),
        secret: Secret::new(c.secret_access_key()),
        session_token: c.session_token().map(Secret::new),
        region: region.to_string(),
    })
}

#[derive(Debug, thiserror::Error)]
#[error("no credentials provider")]
struct NoProvider;
