//! MFA on demand: a session is fetched only when IAM denies the plain
//! key, once per IAM user per run, with the TOTP code asked for or sent
//! at most once.

use super::*;

/// MFA sessions of one run, per IAM user: a TOTP code is asked for and
/// sent at most once per run (a second GetSessionToken with the same code
/// in its 30-second window is refused by STS), and a session is only
/// fetched when IAM answers a plain-key call with an MFA-required denial.
#[derive(Default)]
pub struct MfaSessions {
    // An async lock: two rotations of the same user that meet the denial
    // at once must share one prompt, so the lock is held across it.
    state: tokio::sync::Mutex<MfaState>,
}

#[derive(Default)]
pub(crate) struct MfaState {
    /// user ARN -> (session, device serial)
    by_user: std::collections::HashMap<String, (Creds, String)>,
    /// `--mfa-code` was sent once already.
    code_used: bool,
}

impl MfaSessions {
    pub(crate) async fn cached(&self, user_arn: &str) -> Option<(Creds, String)> {
        self.state.lock().await.by_user.get(user_arn).cloned()
    }
}

impl<A: Aws> Ctx<'_, A> {
    /// The credentials IAM calls are signed with after IAM demanded MFA:
    /// the run's session for this user, else one GetSessionToken (code from
    /// `--mfa-code` once per run, else a prompt on a terminal, else a
    /// refusal before any change). Returns the session and the device.
    pub(crate) async fn mfa_session(
        &self,
        key: &Creds,
        user_arn: &str,
        serial: &str,
        profile: &str,
    ) -> Result<(Creds, String), RotateError> {
        // Held across the prompt and the request: see [`MfaSessions`].
        let mut st = self.mfa.state.lock().await;
        if let Some(hit) = st.by_user.get(user_arn) {
            return Ok(hit.clone());
        }
        let serial = serial.to_string();
        let needs = || RotateError::NeedsMfa {
            profile: profile.to_string(),
            what: trf("mfa.policy", &[("serial", &serial)]),
        };
        let code = match (&self.s.mfa_code, self.s.interactive) {
            (Some(c), _) if !st.code_used => c.clone(),
            (_, true) => self.ui.mfa_code(&serial).ok_or_else(needs)?,
            _ => return Err(needs()),
        };
        st.code_used |= self.s.mfa_code.as_deref() == Some(code.as_str());
        self.ui.step(profile, tr("step.mfa_session"));
        let session = self
            .aws
            .session_token(key, &serial, &code)
            .await
            .map_err(|source| RotateError::Aws {
                profile: profile.to_string(),
                step: "STS GetSessionToken",
                source,
            })?;
        st.by_user
            .insert(user_arn.to_string(), (session.clone(), serial.clone()));
        Ok((session, serial))
    }

    /// IAM denied a plain-key call on the user's own keys. AWS's wording of
    /// a force-MFA deny ("... with an explicit deny in an identity-based
    /// policy") does not name MFA, so the denial is taken as MFA-required
    /// when the profile names a device or the user has one (the force-MFA
    /// policy lets a user list their devices without MFA); otherwise it is
    /// the plain AccessDenied it says it is.
    pub(crate) async fn mfa_after_denial(
        &self,
        e: AwsError,
        key: &Creds,
        user_arn: &str,
        user: &str,
        serial: Option<&str>,
        profile: &str,
    ) -> Result<(Creds, String), RotateError> {
        if let Some(hit) = self.mfa.cached(user_arn).await {
            return Ok(hit);
        }
        let serial = match serial {
            Some(s) => Some(s.to_string()),
            None => self
                .aws
                .mfa_devices(key, user)
                .await
                .ok()
                .and_then(|d| d.into_iter().next()),
        };
        match serial {
            Some(s) => self.mfa_session(key, user_arn, &s, profile).await,
            None if e.wants_mfa() => Err(RotateError::NeedsMfa {
                profile: profile.to_string(),
                what: trf("mfa.no_device", &[("user", &user)]),
            }),
            None => Err(RotateError::Aws {
                profile: profile.to_string(),
                step: "IAM ListAccessKeys",
                source: e,
            }),
        }
    }

    /// What a recovery signs IAM calls with: the key, or the run's MFA
    /// session when the journal says IAM demanded MFA.
    pub(crate) async fn iam_creds(&self, key: &Creds, j: &Journal) -> Result<Creds, RotateError> {
        // Admin mode: IAM calls sign as the operator, never with a key of
        // the rotated user.
        if let Some(operator) = self.managed_signer(j).await? {
            return Ok(operator);
        }
        match &j.mfa_serial {
            None => Ok(key.clone()),
            Some(serial) => Ok(self
                .mfa_session(key, &j.user_arn, serial, &j.profile)
                .await?
                .0),
        }
    }
}
