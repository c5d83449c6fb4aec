//! `type = "ssm"`: AWS Systems Manager Parameter Store, either two
//! `SecureString` parameters (`id_parameter`, `secret_parameter`) or one
//! (`parameter`) holding a JSON object whose two fields are replaced,
//! every other field kept.
//!
//! Invariants: parameters are written as `SecureString` with
//! `Overwrite`; the KMS key is `kms_key_id` when given, else the one the
//! parameter already uses (read with DescribeParameters), so an overwrite
//! never silently moves a value to another key. A write is idempotent (a
//! parameter set twice to the same value holds that value). Confirm reads
//! the values back with decryption. In the two-parameter form the secret
//! is written first and the key id last, so a reader never sees the new
//! id beside the old secret.

use super::aws_common::{aws_err, check_target, connect, holds, merged};
use super::{Ctx, DestError, Destination, DestinationSpec, Mark, Pair};
use crate::sdk::dest::DestAws;
use serde::{Deserialize, Serialize};

/// The settings of an `ssm` destination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The parameter holding the key id (two-parameter form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_parameter: Option<String>,
    /// The parameter holding the secret (two-parameter form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_parameter: Option<String>,
    /// One parameter holding a JSON object (one-parameter form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// The KMS key to encrypt with [default: the parameter's current one,
    /// else the account's `alias/aws/ssm`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
}

/// Where the pair goes.
enum Layout<'a> {
    Two { id: &'a str, secret: &'a str },
    Json(&'a str),
}

impl Spec {
    fn layout(&self) -> Option<Layout<'_>> {
        match (&self.id_parameter, &self.secret_parameter, &self.parameter) {
            (Some(id), Some(secret), None) if id != secret => Some(Layout::Two { id, secret }),
            (None, None, Some(p)) => Some(Layout::Json(p)),
            _ => None,
        }
    }

    pub(super) fn validate(&self, _spec: &DestinationSpec) -> Result<(), String> {
        let names = [&self.id_parameter, &self.secret_parameter, &self.parameter];
        if self.layout().is_none() || names.iter().any(|n| n.as_deref() == Some("")) {
            return Err(crate::i18n::tr("dest.ssm_layout").into());
        }
        check_target(self.region.as_deref(), self.profile.as_deref())
    }
}

#[derive(Debug)]
pub struct SsmDest<'s> {
    spec: &'s DestinationSpec,
    k: &'s Spec,
}

impl<'s> SsmDest<'s> {
    pub fn new(spec: &'s DestinationSpec, k: &'s Spec) -> SsmDest<'s> {
        SsmDest { spec, k }
    }

    async fn connect(&self, cx: &Ctx<'_>) -> Result<DestAws, DestError> {
        connect(
            cx,
            self.k.region.as_deref(),
            self.k.profile.as_deref(),
            &self.describe(),
        )
        .await
    }

    /// Writes one parameter, keeping its KMS key.
    async fn put(
        &self,
        aws: &DestAws,
        name: &str,
        value: &str,
        secrets: &[&str],
    ) -> Result<(), DestError> {
        let d = self.describe();
        let key = match &self.k.kms_key_id {
            Some(k) => Some(k.clone()),
            None => aws
                .parameter_key(name)
                .await
                .map_err(aws_err(&d, secrets))?,
        };
        aws.put_parameter(name, value, key.as_deref())
            .await
            .map_err(aws_err(&d, secrets))
    }
}

impl Destination for SsmDest<'_> {
    fn describe(&self) -> String {
        let where_ = match self.k.layout() {
            Some(Layout::Two { id, secret }) => format!("{id}, {secret}"),
            Some(Layout::Json(p)) => p.to_string(),
            None => String::new(),
        };
        format!("ssm {} ({where_})", self.spec.name)
    }

    async fn preflight(&self, cx: &Ctx<'_>) -> Result<(), DestError> {
        let d = self.describe();
        let aws = self.connect(cx).await?;
        match self.k.layout() {
            Some(Layout::Two { id, secret }) => {
                for name in [id, secret] {
                    aws.get_parameter(name).await.map_err(aws_err(&d, &[]))?;
                    aws.parameter_key(name).await.map_err(aws_err(&d, &[]))?;
                }
            }
            Some(Layout::Json(p)) => {
                let current = aws.get_parameter(p).await.map_err(aws_err(&d, &[]))?;
                merged(current.as_deref().map(String::as_str), &[], &d)?;
                aws.parameter_key(p).await.map_err(aws_err(&d, &[]))?;
            }
            None => {}
        }
        Ok(())
    }

    async fn write(&self, cx: &Ctx<'_>, pair: &Pair<'_>) -> Result<Mark, DestError> {
        let d = self.describe();
        let aws = self.connect(cx).await?;
        let secret = pair.secret.expose();
        match self.k.layout() {
            Some(Layout::Two {
                id,
                secret: secret_param,
            }) => {
                self.put(&aws, secret_param, secret, &[secret]).await?;
                self.put(&aws, id, pair.key_id, &[secret])
                    .await
                    .map_err(|e| DestError::Partial {
                        dest: d.clone(),
                        detail: e.to_string(),
                    })?;
            }
            Some(Layout::Json(p)) => {
                let current = aws.get_parameter(p).await.map_err(aws_err(&d, &[secret]))?;
                let fields = [(pair.id_name, pair.key_id), (pair.secret_name, secret)];
                let value = merged(current.as_deref().map(String::as_str), &fields, &d)?;
                self.put(&aws, p, &value, &[secret]).await?;
            }
            None => {}
        }
        Ok(None)
    }

    async fn confirm(
        &self,
        cx: &Ctx<'_>,
        pair: &Pair<'_>,
        _mark: &Mark,
    ) -> Result<bool, DestError> {
        let d = self.describe();
        let aws = self.connect(cx).await?;
        let secret = pair.secret.expose();
        Ok(match self.k.layout() {
            Some(Layout::Two {
                id,
                secret: secret_param,
            }) => {
                let got_id = aws
                    .get_parameter(id)
                    .await
                    .map_err(aws_err(&d, &[secret]))?;
                let got_secret = aws
                    .get_parameter(secret_param)
                    .await
                    .map_err(aws_err(&d, &[secret]))?;
                got_id.as_deref().map(String::as_str) == Some(pair.key_id)
                    && got_secret.as_deref().map(String::as_str) == Some(secret)
            }
            Some(Layout::Json(p)) => {
                let current = aws.get_parameter(p).await.map_err(aws_err(&d, &[secret]))?;
                holds(current.as_deref().map(String::as_str), pair)
            }
            None => false,
        })
    }
}
