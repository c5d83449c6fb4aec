//! `type = "secretsmanager"`: one AWS Secrets Manager secret (`secret_id`)
//! holding a JSON object; the pair's two fields are replaced and every
//! other field kept (values and types; JSON does not order an object's
//! fields, and the rewritten object lists them sorted).
//!
//! Invariants: the write is `PutSecretValue` with the rotation's
//! `ClientRequestToken` ([`super::Ctx::request_token`]), so a retry of a
//! write whose reply was lost is the same version, never a second one; a
//! secret whose current value is not a JSON object is refused, never
//! replaced; confirm reads the current value back. Requests go through
//! [`crate::sdk::dest`], signed by the destination's `profile` or by the
//! rotated profile's key.

use super::aws_common::{aws_err, check_target, connect, holds, merged};
use super::{Ctx, DestError, Destination, DestinationSpec, Mark, Pair};
use serde::{Deserialize, Serialize};

/// The settings of a `secretsmanager` destination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The secret's name or ARN.
    pub secret_id: String,
    /// The secret's region [default: the rotated profile's].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Sign with this profile (the SDK's standard chain) [default: the
    /// rotated profile's new key, once verified].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
}

impl Spec {
    pub(super) fn validate(&self, _spec: &DestinationSpec) -> Result<(), String> {
        if self.secret_id.trim().is_empty() {
            return Err(crate::i18n::trf(
                "dest.empty_field",
                &[("field", &"secret_id")],
            ));
        }
        check_target(self.region.as_deref(), self.profile.as_deref())
    }
}

#[derive(Debug)]
pub struct SecretsManagerDest<'s> {
    spec: &'s DestinationSpec,
    k: &'s Spec,
}

impl<'s> SecretsManagerDest<'s> {
    pub fn new(spec: &'s DestinationSpec, k: &'s Spec) -> SecretsManagerDest<'s> {
        SecretsManagerDest { spec, k }
    }
}

impl Destination for SecretsManagerDest<'_> {
    fn describe(&self) -> String {
        format!("secretsmanager {} ({})", self.spec.name, self.k.secret_id)
    }

    async fn preflight(&self, cx: &Ctx<'_>) -> Result<(), DestError> {
        let d = self.describe();
        let aws = connect(cx, self.k.region.as_deref(), self.k.profile.as_deref(), &d).await?;
        aws.describe_secret(&self.k.secret_id)
            .await
            .map_err(aws_err(&d, &[]))?;
        let current = aws
            .get_secret(&self.k.secret_id)
            .await
            .map_err(aws_err(&d, &[]))?;
        merged(current.as_deref().map(String::as_str), &[], &d)?;
        Ok(())
    }

    async fn write(&self, cx: &Ctx<'_>, pair: &Pair<'_>) -> Result<Mark, DestError> {
        let d = self.describe();
        let aws = connect(cx, self.k.region.as_deref(), self.k.profile.as_deref(), &d).await?;
        let secret = pair.secret.expose();
        let current = aws
            .get_secret(&self.k.secret_id)
            .await
            .map_err(aws_err(&d, &[secret]))?;
        let fields = [(pair.id_name, pair.key_id), (pair.secret_name, secret)];
        let value = merged(current.as_deref().map(String::as_str), &fields, &d)?;
        aws.put_secret(&self.k.secret_id, &value, &cx.request_token)
            .await
            .map_err(aws_err(&d, &[secret]))?;
        Ok(None)
    }

    async fn confirm(
        &self,
        cx: &Ctx<'_>,
        pair: &Pair<'_>,
        _mark: &Mark,
    ) -> Result<bool, DestError> {
        let d = self.describe();
        let aws = connect(cx, self.k.region.as_deref(), self.k.profile.as_deref(), &d).await?;
        let secret = pair.secret.expose();
        let current = aws
            .get_secret(&self.k.secret_id)
            .await
            .map_err(aws_err(&d, &[secret]))?;
        Ok(holds(current.as_deref().map(String::as_str), pair))
    }
}
