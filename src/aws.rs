//! Every AWS call keyturn makes, behind the small [`Aws`] trait, so the
//! rotation state machine can run against a fake in unit tests and against
//! the official AWS SDK for Rust ([`crate::sdk`]) everywhere else.
//!
//! Invariants: every call names the credentials it is signed with; nothing
//! here reads credentials from the environment. Errors keep the AWS error
//! code and say whether the request may have executed, because a
//! CreateAccessKey whose reply was lost must never be blindly retried.

use crate::secret::Secret;
use std::fmt;

/// A key pair (and, for an MFA session, its token) to sign with, and the
/// region to sign for (IAM's region in the key's partition).
#[derive(Clone)]
pub struct Creds {
    pub access_key_id: String,
    pub secret: Secret,
    pub session_token: Option<Secret>,
    pub region: String,
}

impl Creds {
    pub fn new(access_key_id: &str, secret: &Secret, region: &str) -> Creds {
        Creds {
            access_key_id: access_key_id.to_string(),
            secret: secret.clone(),
            session_token: None,
            region: region.to_string(),
        }
    }
}

impl fmt::Debug for Creds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Creds")
            .field("access_key_id", &crate::secret::mask(&self.access_key_id))
            .field("session", &self.session_token.is_some())
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

/// STS GetCallerIdentity's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub arn: String,
    pub account: String,
}

/// What kind of principal an ARN names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    User { partition: String, name: String },
    Root,
    AssumedRole,
    Federated,
    Other,
}

impl Identity {
    pub fn principal(&self) -> Principal {
        // arn:PARTITION:iam::ACCOUNT:user/PATH/NAME, :root,
        // arn:PARTITION:sts::ACCOUNT:assumed-role/..., :federated-user/...
        let parts: Vec<&str> = self.arn.splitn(6, ':').collect();
        let (partition, service, resource) = match parts.as_slice() {
            [_, p, s, _, _, r] => (*p, *s, *r),
            _ => return Principal::Other,
        };
        match (service, resource) {
            ("iam", "root") => Principal::Root,
            ("iam", r) if r.starts_with("user/") => Principal::User {
                partition: partition.to_string(),
                name: r.rsplit('/').next().unwrap_or_default().to_string(),
            },
            ("sts", r) if r.starts_with("assumed-role/") => Principal::AssumedRole,
            ("sts", r) if r.starts_with("federated-user/") => Principal::Federated,
            _ => Principal::Other,
        }
    }
}

/// The region IAM and STS are signed for in a partition. IAM is global per
/// partition, so the user never has to configure a region for keyturn.
pub fn partition_region(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "cn-north-1",
        "aws-us-gov" => "us-gov-west-1",
        _ => "us-east-1",
    }
}

/// The partition a configured region belongs to, used before the caller's
/// ARN is known.
pub fn partition_of_region(region: Option<&str>) -> &'static str {
    match region {
        Some(r) if r.starts_with("cn-") => "aws-cn",
        Some(r) if r.starts_with("us-gov-") => "aws-us-gov",
        _ => "aws",
    }
}

/// One entry of ListAccessKeys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyMeta {
    pub id: String,
    pub active: bool,
    /// Seconds since the epoch.
    pub created: Option<i64>,
}

/// A key CreateAccessKey just returned.
#[derive(Clone, Debug)]
pub struct NewKey {
    pub id: String,
    pub secret: Secret,
}

/// GetAccessKeyLastUsed's answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LastUsed {
    /// RFC 3339.
    pub date: Option<String>,
    pub service: Option<String>,
    pub region: Option<String>,
}

impl fmt::Display for LastUsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.date {
            None => f.write_str("never used"),
            Some(d) => write!(
                f,
                "last used {d} ({} in {})",
                self.service.as_deref().unwrap_or("unknown service"),
                self.region.as_deref().unwrap_or("unknown region")
            ),
        }
    }
}

/// How a call failed, as far as the request's fate is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// AWS answered with an error: the action did not happen.
    Service,
    /// The request never left (bad endpoint, DNS, refused connection).
    NotSent,
    /// The request may have reached AWS but no answer came back (timeout,
    /// reset, 5xx): the action may or may not have happened.
    Unknown,
}

#[derive(Clone, Debug, thiserror::Error)]
#[error("{op}: {}{message}", code.as_deref().map(|c| format!("{c}: ")).unwrap_or_default())]
pub struct AwsError {
    pub op: &'static str,
    pub kind: ErrorKind,
    pub code: Option<String>,
    pub status: Option<u16>,
    pub message: String,
}

impl AwsError {
    /// `Code: message`, without the operation name.
    pub fn detail(&self) -> String {
        match &self.code {
            Some(c) if self.message.is_empty() => c.clone(),
            Some(c) => format!("{c}: {}", self.message),
            None => self.message.clone(),
        }
    }

    fn code_is(&self, codes: &[&str]) -> bool {
        self.code.as_deref().is_some_and(|c| codes.contains(&c))
    }

    /// A freshly created key is not known everywhere yet (IAM is
    /// eventually consistent): retry within the verification timeout.
    pub fn is_propagation(&self) -> bool {
        self.code_is(&[
            "InvalidClientTokenId",
            "SignatureDoesNotMatch",
            "AuthFailure",
        ])
    }

    pub fn is_throttling(&self) -> bool {
        self.status == Some(429)
            || self.code_is(&[
                "Throttling",
                "ThrottlingException",
                "RequestLimitExceeded",
                "TooManyRequestsException",
                "ThrottledException",
            ])
    }

    pub fn is_transient(&self) -> bool {
        self.kind != ErrorKind::Service
            || self.is_throttling()
            || self.status.is_some_and(|s| s >= 500)
    }

    pub fn is_no_such_entity(&self) -> bool {
        self.code_is(&["NoSuchEntity"])
    }

    pub fn is_access_denied(&self) -> bool {
        self.code_is(&["AccessDenied", "AccessDeniedException"])
    }

    /// An AccessDenied that a policy requiring MFA would produce.
    pub fn wants_mfa(&self) -> bool {
        self.is_access_denied() && {
            let m = self.message.to_ascii_lowercase();
            m.contains("multifactor") || m.contains("mfa")
        }
    }

    /// IAM refused the request without executing it, and the same request
    /// may succeed later: throttling, or a request that never left. Safe
    /// to retry even for CreateAccessKey (no key can have been made).
    pub fn is_definite_retryable(&self) -> bool {
        match self.kind {
            ErrorKind::NotSent => true,
            ErrorKind::Unknown => false,
            // A throttled request is rejected before the action runs
            // (IAM answers 400 Throttling; other AWS services 429 or these
            // codes), and so is PriorRequestNotComplete.
            ErrorKind::Service => {
                self.is_throttling()
                    || self.code_is(&[
                        "PriorRequestNotComplete",
                        "RequestThrottled",
                        "RequestThrottledException",
                        "SlowDown",
                        "EC2ThrottledException",
                        "BandwidthLimitExceeded",
                    ])
            }
        }
    }

    /// The request may have executed even though we got no success.
    pub fn outcome_unknown(&self) -> bool {
        self.kind == ErrorKind::Unknown
            || (self.kind == ErrorKind::Service && self.status.is_some_and(|s| s >= 500))
    }

    /// No answer came from AWS (refused, DNS, timeout, TLS, a reset): the
    /// message is the one line [`crate::sdk`] wrote for it.
    pub fn got_no_answer(&self) -> bool {
        self.kind != ErrorKind::Service
    }

    /// After a call that got no answer, says what state things are in: the
    /// caller knows (the SDK does not). The note goes after the line and
    /// before the SDK's chain (`-v`); said once; AWS's answers are left as
    /// they are.
    pub fn note_left(&mut self, left: Left<'_>) {
        if !self.got_no_answer() {
            return;
        }
        let note = match left {
            Left::Nothing => crate::i18n::tr("net.left_nothing").to_string(),
            Left::Journal(path) => {
                crate::i18n::trf("net.left_journal", &[("journal", &path.display())])
            }
        };
        if self.message.contains(&note) {
            return;
        }
        let at = self.message.find(CHAIN_MARK).unwrap_or(self.message.len());
        self.message.insert_str(at, &note);
    }
}

/// What [`crate::sdk`] writes between a network error's line and the SDK's
/// own error chain (shown with `-v` only).
pub const CHAIN_MARK: &str = " [SDK: ";

/// What a failed call left behind, for [`AwsError::note_left`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Left<'a> {
    /// Nothing was changed: no key made, no file written.
    Nothing,
    /// A rotation is unfinished; its journal (this file) keeps the state
    /// and `keyturn recover` finishes it.
    Journal(&'a std::path::Path),
}

/// The AWS operations a rotation needs. Each is signed with `creds`.
#[allow(async_fn_in_trait)] // one current-thread runtime: no Send needed
pub trait Aws {
    async fn caller_identity(&self, creds: &Creds) -> Result<Identity, AwsError>;
    async fn list_access_keys(&self, creds: &Creds, user: &str) -> Result<Vec<KeyMeta>, AwsError>;
    /// Never retried automatically: see [`AwsError::outcome_unknown`].
    async fn create_access_key(&self, creds: &Creds, user: &str) -> Result<NewKey, AwsError>;
    async fn delete_access_key(
        &self,
        creds: &Creds,
        user: &str,
        key_id: &str,
    ) -> Result<(), AwsError>;
    async fn set_key_active(
        &self,
        creds: &Creds,
        user: &str,
        key_id: &str,
        active: bool,
    ) -> Result<(), AwsError>;
    async fn key_last_used(&self, creds: &Creds, key_id: &str) -> Result<LastUsed, AwsError>;
    async fn session_token(
        &self,
        creds: &Creds,
        mfa_serial: &str,
        code: &str,
    ) -> Result<Creds, AwsError>;
    /// Serial numbers (ARNs) of the user's MFA devices, for when a policy
    /// demands MFA and the profile names no `mfa_serial`. AWS's own
    /// "force MFA" policy lets a user list them without MFA.
    async fn mfa_devices(&self, creds: &Creds, user: &str) -> Result<Vec<String>, AwsError> {
        let _ = (creds, user);
        Ok(Vec::new())
    }
    /// Admin mode's signer: the operator's credentials (the AWS SDK's
    /// standard chain for the profile the AWS CLI would choose), or, with
    /// `role_arn`, that role assumed with them. Never a rotated key; never
    /// written anywhere. Signs for `region`. The default: no operator.
    async fn operator_creds(
        &self,
        role_arn: Option<&str>,
        region: &str,
    ) -> Result<Creds, AwsError> {
        let _ = (role_arn, region);
        Err(AwsError {
            op: "operator credentials",
            kind: ErrorKind::NotSent,
            code: None,
            status: None,
            message: crate::i18n::tr("managed.no_operator").into(),
        })
    }
    /// IAM GetUser: the user's ARN (with its path), signed by `creds`.
    async fn user_arn(&self, creds: &Creds, user: &str) -> Result<String, AwsError> {
        let _ = creds;
        Err(AwsError {
            op: "IAM GetUser",
            kind: ErrorKind::NotSent,
            code: None,
            status: None,
            message: user.to_string(),
        })
    }
    /// Bounds this client's requests in flight to `n`, counted per HTTP
    /// attempt: a retry's backoff holds no slot, so one throttled call
    /// does not stall the others. false: the implementation cannot, and
    /// the caller bounds whole calls instead (`rotate::batch::Limited`).
    fn bound_in_flight(&self, n: usize) -> bool {
        let _ = n;
        false
    }
}

// ---------------------------------------------------------------------------
// `keyturn audit`: read-only calls over a whole account or organization.
// Kept apart from [`Aws`] so the rotation's trait (and its fakes) stays
// small; every call here only reads, so any of them may be retried.

/// GenerateCredentialReport's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportState {
    Started,
    InProgress,
    Complete,
}

/// GetCredentialReport's answer: the CSV as IAM sent it (base64 already
/// decoded by the SDK).
#[derive(Clone, Debug)]
pub struct RawReport {
    pub csv: Vec<u8>,
    /// Seconds since the epoch. IAM serves a report up to 4 hours old.
    pub generated: Option<i64>,
}

/// One entry of ListUsers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserMeta {
    pub name: String,
    pub arn: String,
}

/// One page of a paginated listing; `next` is the marker or token to pass
/// for the following page, None on the last one.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// One entry of Organizations ListAccounts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgAccount {
    pub id: String,
    pub name: String,
    /// `State` (or the older `Status`) as AWS spells it, e.g. `ACTIVE`.
    pub state: String,
}

/// The read-only AWS operations `keyturn audit` adds to [`Aws`]
/// (whose ListAccessKeys, GetAccessKeyLastUsed and GetCallerIdentity it
/// reuses). Each is signed with `creds`.
#[allow(async_fn_in_trait)] // one current-thread runtime: no Send needed
pub trait AuditAws: Aws {
    /// IAM GenerateCredentialReport: starts a report, or says it is ready.
    async fn generate_credential_report(&self, creds: &Creds) -> Result<ReportState, AwsError>;
    /// IAM GetCredentialReport.
    async fn get_credential_report(&self, creds: &Creds) -> Result<RawReport, AwsError>;
    /// IAM ListUsers, one page from `marker`.
    async fn list_users_page(
        &self,
        creds: &Creds,
        marker: Option<&str>,
    ) -> Result<Page<UserMeta>, AwsError>;
    /// IAM GetAccountSummary's `AccountAccessKeysPresent`: whether the root
    /// user has access keys (the one thing ListUsers cannot show).
    async fn root_keys_present(&self, creds: &Creds) -> Result<bool, AwsError>;
    /// Organizations ListAccounts, one page from `token`.
    async fn list_accounts_page(
        &self,
        creds: &Creds,
        token: Option<&str>,
    ) -> Result<Page<OrgAccount>, AwsError>;
    /// STS AssumeRole: temporary credentials for `role_arn`, signing for
    /// the same region as `creds`.
    async fn assume_role(
        &self,
        creds: &Creds,
        role_arn: &str,
        session_name: &str,
    ) -> Result<Creds, AwsError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(arn: &str) -> Principal {
        Identity {
            arn: arn.into(),
            account: "1".into(),
        }
        .principal()
    }

    #[test]
    fn principals_from_arns() {
        assert_eq!(
            id("arn:aws:iam::123456789012:user/team/alice"),
            Principal::User {
                partition: "aws".into(),
                name: "alice".into()
            }
        );
        assert_eq!(
            id("arn:aws-cn:iam::1:user/bob"),
            Principal::User {
                partition: "aws-cn".into(),
                name: "bob".into()
            }
        );
        assert_eq!(id("arn:aws:iam::1:root"), Principal::Root);
        assert_eq!(
            id("arn:aws:sts::1:assumed-role/r/s"),
            Principal::AssumedRole
        );
        assert_eq!(id("arn:aws:sts::1:federated-user/f"), Principal::Federated);
        assert_eq!(id("garbage"), Principal::Other);
    }

    #[test]
    fn partitions_pick_their_signing_region() {
        assert_eq!(partition_region("aws"), "us-east-1");
        assert_eq!(partition_region("aws-cn"), "cn-north-1");
        assert_eq!(partition_region("aws-us-gov"), "us-gov-west-1");
        assert_eq!(partition_of_region(Some("cn-northwest-1")), "aws-cn");
        assert_eq!(partition_of_region(Some("us-gov-east-1")), "aws-us-gov");
        assert_eq!(partition_of_region(Some("eu-west-1")), "aws");
        assert_eq!(partition_of_region(None), "aws");
    }

    #[test]
    fn creds_debug_hides_secret_and_masks_id() {
        let c = Creds::new(
            "AKIAIOSFODNN7EXAMPLE",
            &Secret::new("topsecretvalue"),
            "us-east-1",
        );
        let d = format!("{c:?}");
        assert!(!d.contains("topsecret") && !d.contains("IOSFODNN7"), "{d}");
    }

    #[test]
    fn a_call_without_an_answer_says_what_it_left_once_before_the_chain() {
        let line = "connection refused by http://x (AWS_ENDPOINT_URL): check";
        let mut e = AwsError {
            op: "STS GetCallerIdentity",
            kind: ErrorKind::NotSent,
            code: None,
            status: None,
            message: format!("{line}{CHAIN_MARK}io error]"),
        };
        e.note_left(Left::Nothing);
        e.note_left(Left::Nothing);
        assert_eq!(
            e.message,
            format!("{line}; nothing was changed{CHAIN_MARK}io error]")
        );
        let mut j = AwsError {
            kind: ErrorKind::Unknown,
            message: line.into(),
            ..e.clone()
        };
        j.note_left(Left::Journal(std::path::Path::new("/h/.aws/p.journal")));
        assert!(
            j.message
                .starts_with(&format!("{line}; the rotation is unfinished"))
                && j.message.contains("/h/.aws/p.journal")
                && j.message.contains("keyturn recover"),
            "{}",
            j.message
        );
        // AWS's own answers are shown as AWS gave them.
        let mut s = AwsError {
            kind: ErrorKind::Service,
            code: Some("AccessDenied".into()),
            message: "denied".into(),
            ..e
        };
        s.note_left(Left::Nothing);
        assert_eq!(s.message, "denied");
    }
}
