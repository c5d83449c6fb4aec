//! Why a rotation did not happen or did not finish, and which of those
//! changed nothing (the documented "refused" exit code).

use super::*;

/// Why a rotation did not happen or did not finish. Messages are in the
/// process's language ([`crate::i18n`]); [`RotateError::code`] is not.
#[derive(Debug, thiserror::Error)]
pub enum RotateError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("{}", trf("rotate.not_iam_user", &[("profile", profile), ("what", what), ("arn", arn), ("hint", hint)]))]
    NotIamUser {
        profile: String,
        arn: String,
        what: &'static str,
        hint: &'static str,
    },
    #[error("{}", trf("rotate.two_keys", &[("profile", profile), ("user", user), ("detail", detail)]))]
    TwoKeys {
        profile: String,
        user: String,
        detail: String,
    },
    #[error("{}", trf("rotate.needs_mfa", &[("profile", profile), ("what", what)]))]
    NeedsMfa { profile: String, what: String },
    /// Admin mode: the managed user has no Active key to rotate.
    #[error("{}", trf("rotate.no_active_key", &[("profile", profile), ("user", user)]))]
    NoActiveKey { profile: String, user: String },
    #[error("{}", trf("rotate.unknown_key", &[("profile", profile), ("user", user), ("key", key)]))]
    UnknownKey {
        profile: String,
        user: String,
        key: String,
    },
    #[error("{0}")]
    Store(#[from] StoreError),
    /// aws-vault's or granted's keyring refused or failed (issue 13).
    #[error("{0}")]
    Keystore(#[from] crate::keystore::KeystoreError),
    // The step names the call, so the error is shown without its op.
    #[error("{}", trf("rotate.aws", &[("profile", profile), ("step", step), ("error", &source.detail())]))]
    Aws {
        profile: String,
        step: &'static str,
        #[source]
        source: AwsError,
    },
    #[error("{}", trf("rotate.profile", &[("profile", profile), ("detail", detail)]))]
    RolledBack { profile: String, detail: String },
    #[error("{}", trf("rotate.profile", &[("profile", profile), ("detail", detail)]))]
    Stuck { profile: String, detail: String },
    #[error("{}", trf("rotate.profile", &[("profile", profile), ("detail", detail)]))]
    HookFailed { profile: String, detail: String },
    /// A destination's preflight failed: nothing was changed.
    #[error("{}", trf("rotate.dest_refused", &[("profile", profile), ("detail", detail)]))]
    DestinationRefused { profile: String, detail: String },
    /// A destination could not be written or confirmed (or restored):
    /// both keys live, the journal kept; the detail names each
    /// destination's state and how to finish.
    #[error("{}", trf("rotate.profile", &[("profile", profile), ("detail", detail)]))]
    DestinationFailed { profile: String, detail: String },
    #[error("{}", trf("rotate.bad_journal", &[("path", &path.display()), ("detail", detail)]))]
    BadJournal { path: PathBuf, detail: String },
    /// The journal names another IAM user than the one owning its key
    /// (it was edited): nothing is deleted or deactivated by it.
    #[error("{}", trf("rotate.journal_other_user", &[("path", &path.display()), ("key", key), ("owner", owner), ("user", user)]))]
    JournalOtherUser {
        path: PathBuf,
        key: String,
        owner: String,
        user: String,
    },
    /// The disk or file system failed mid-rotation: both keys live, the
    /// journal holds both; `keyturn recover` finishes once it is fixed.
    #[error("{}", trf("rotate.disk_left", &[("profile", profile), ("error", source), ("old", old), ("new", new), ("journal", &journal.display())]))]
    DiskLeft {
        profile: String,
        old: String,
        new: String,
        journal: PathBuf,
        #[source]
        source: Box<StoreError>,
    },
    /// An error while finishing or undoing an interrupted rotation: state
    /// changed before (the journal exists), so even a refusal (a refused
    /// STS GetSessionToken, MFA needed) is a failure, not "nothing
    /// changed". Shown and coded as the error it wraps.
    #[error(transparent)]
    Recovering(Box<RotateError>),
}

impl RotateError {
    /// An error of a recovery: never "nothing changed" (see
    /// [`RotateError::Recovering`]).
    pub(crate) fn after_change(self) -> RotateError {
        if self.nothing_changed() {
            RotateError::Recovering(Box::new(self))
        } else {
            self
        }
    }

    /// Refused before any change: the documented "refused" exit code.
    pub fn nothing_changed(&self) -> bool {
        match self {
            RotateError::Recovering(_) => false,
            RotateError::Refused(_)
            | RotateError::NotIamUser { .. }
            | RotateError::TwoKeys { .. }
            | RotateError::NeedsMfa { .. }
            | RotateError::UnknownKey { .. }
            | RotateError::NoActiveKey { .. }
            | RotateError::DestinationRefused { .. } => true,
            // A call made before any change failed: these steps only run
            // before the journal exists. The reads changed nothing however
            // they failed (AWS said no, or no answer came: the network
            // line says "nothing was changed"); a CreateAccessKey only
            // when its outcome is known (a refusal such as LimitExceeded,
            // or a request that never left), since its orphans are
            // cleaned and its journal removed first.
            RotateError::Aws { step, source, .. } => match *step {
                "STS GetCallerIdentity"
                | "STS GetSessionToken"
                | "IAM ListAccessKeys"
                | "IAM GetUser"
                | "operator credentials" => true,
                "IAM CreateAccessKey" => !source.outcome_unknown(),
                _ => false,
            },
            RotateError::Store(e) => e.is_refusal(),
            RotateError::Keystore(e) => e.is_refusal(),
            _ => false,
        }
    }

    /// A short, stable name for `--output json`.
    pub fn code(&self) -> &'static str {
        match self {
            RotateError::Recovering(e) => e.code(),
            RotateError::Refused(r) => r.code(),
            RotateError::NotIamUser { .. } => "not_an_iam_user",
            RotateError::TwoKeys { .. } => "two_keys",
            RotateError::NeedsMfa { .. } => "mfa_required",
            RotateError::UnknownKey { .. } => "unknown_key",
            RotateError::NoActiveKey { .. } => "no_active_key",
            RotateError::Store(_) => "file_error",
            RotateError::Keystore(e) => e.code(),
            RotateError::Aws { .. } => "aws_error",
            RotateError::RolledBack { .. } => "rolled_back",
            RotateError::Stuck { .. } => "interrupted",
            RotateError::HookFailed { .. } => "hook_failed",
            RotateError::DestinationRefused { .. } => "destination_refused",
            RotateError::DestinationFailed { .. } => "destination_failed",
            RotateError::BadJournal { .. } => "bad_journal",
            RotateError::JournalOtherUser { .. } => "journal_other_user",
            RotateError::DiskLeft { .. } => "disk_error",
        }
    }
}

/// A disk or file-system failure while both keys live (before retire)
/// becomes [`RotateError::DiskLeft`], which names the state left and the
/// command that finishes it. Other errors pass unchanged.
pub(crate) fn disk_left(j: &Journal, e: RotateError) -> RotateError {
    match (e, &j.new_key_id) {
        (RotateError::Store(source), Some(new)) if source.is_disk_trouble() => {
            RotateError::DiskLeft {
                profile: j.profile.clone(),
                old: mask(&j.old_key_id),
                new: mask(new),
                journal: journal_path(j),
                source: Box::new(source),
            }
        }
        (e, _) => e,
    }
}

/// A call that got no answer says what it left: the journal when the
/// rotation is unfinished (`keyturn recover` finishes it), else nothing
/// changed; not after a CreateAccessKey whose fate is unknown (its warning
/// says what IAM may still make).
pub(crate) fn say_left(paths: &Paths, profile: &str, mut e: RotateError) -> RotateError {
    use crate::aws::Left;
    if let RotateError::Aws { step, source, .. } = &mut e {
        let journal = journals(paths)
            .ok()
            .and_then(|js| js.into_iter().find(|(_, j)| j.profile == profile));
        match journal {
            Some((path, _)) => source.note_left(Left::Journal(&path)),
            None if *step == "IAM CreateAccessKey" && source.outcome_unknown() => {}
            None => source.note_left(Left::Nothing),
        }
    }
    e
}

/// An AWS failure at `step` of `profile`'s rotation, for `map_err`.
pub(crate) fn aws_error(
    profile: &str,
    step: &'static str,
) -> impl FnOnce(crate::aws::AwsError) -> RotateError {
    let profile = profile.to_string();
    move |source| RotateError::Aws {
        profile,
        step,
        source,
    }
}

/// A home's error is the rotation's error of the same name: the same
/// message and exit code as before homes had an error type of their own.
impl From<crate::home::HomeError> for RotateError {
    fn from(e: crate::home::HomeError) -> RotateError {
        use crate::home::HomeError;
        match e {
            HomeError::Refused(r) => RotateError::Refused(r),
            HomeError::Store(e) => RotateError::Store(e),
            HomeError::Keystore(e) => RotateError::Keystore(e),
            HomeError::Stuck { profile, detail } => RotateError::Stuck { profile, detail },
        }
    }
}
