//! The policy of a run: what happens to the old key, how patient
//! verification is, what a failed hook leads to. Plain data, validated by
//! the command layer. No argument parsing here: the command line's names for
//! [`Retire`] and [`OnHookFailure`] are `crate::cmd::rotate`'s
//! `RetireArg` / `OnHookFailureArg`, which map onto these; the serde names
//! are the settings file's and the journal's words.

use super::*;

/// What happens to the old key once the new one is verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Retire {
    /// Delete it (like the classic script).
    Delete,
    /// Make it Inactive; a later rotate deletes it without asking.
    Deactivate,
    /// Keep it Active until IAM shows it unused for the drain's grace,
    /// then deactivate, then delete (see [`crate::retire`]).
    Drain,
}

/// The policy of a run, from the validated configuration.
#[derive(Clone, Debug)]
pub struct Settings {
    pub retire: Retire,
    /// `retire` was named (`--retire` or `[defaults] retire`), not the
    /// built-in default: managed users drain unless it was.
    pub retire_named: bool,
    pub verify_successes: u32,
    pub timeout: Duration,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    pub yes: bool,
    pub delete_other_active: bool,
    /// stdin is a terminal: prompts are allowed.
    pub interactive: bool,
    pub dry_run: bool,
    pub update_shared: bool,
    pub keep_backups: usize,
    pub mfa_code: Option<String>,
    pub lock_wait: Duration,
    /// Rotate only keys older than this (`--max-age`).
    pub max_age: Option<Duration>,
    /// How many IAM users are rotated at once (`--jobs`).
    pub jobs: usize,
    /// Commands that carry the new key elsewhere before the old one dies.
    pub hooks: Vec<crate::hooks::Hook>,
    pub on_hook_failure: OnHookFailure,
    /// `--resume`: only finish interrupted rotations, start none.
    pub resume_only: bool,
    /// `--all`: profiles that cannot rotate are skipped, not refused.
    pub skip_unrotatable: bool,
    /// aws-vault's and granted's keyrings (`--store`); None: files only.
    pub keystores: Option<crate::home::Keystores>,
    /// `AWS_ACCESS_KEY_ID` of the environment, if set: a rotation of that
    /// key warns that the variable will hold a dead key. Read by the
    /// command layer (the domain reads no environment).
    pub env_access_key_id: Option<String>,
    /// Where keys are also used (the settings file's `[[destinations]]`);
    /// each rotation writes those serving its profile.
    pub destinations: Vec<crate::dest::DestinationSpec>,
    pub on_destination_failure: OnDestinationFailure,
    /// The destinations' variables (tokens, addresses), captured by the
    /// command layer.
    pub dest_env: crate::dest::DestEnv,
    /// How the AWS destination types reach AWS (the run's endpoint and
    /// CA bundle), set by the command layer.
    pub dest_endpoint: crate::sdk::Endpoint,
    /// `--retire drain`'s limits and `--force-drain`.
    pub drain: crate::retire::DrainPolicy,
}

/// What a failed hook leads to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnHookFailure {
    /// Keep the old key active; finish later with `rotate --resume`.
    #[default]
    Stop,
    /// Undo the rotation: old pair back, new key deleted.
    Rollback,
}

/// What a destination that cannot be written or confirmed leads to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnDestinationFailure {
    /// Keep both keys live; say which destinations hold which pair;
    /// `keyturn recover` / `rotate --resume` finishes.
    #[default]
    Stop,
    /// Write the old pair back to the destinations already written, put
    /// it back in the home, delete the new key.
    Rollback,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            retire: Retire::Delete,
            retire_named: false,
            verify_successes: 3,
            timeout: Duration::from_secs(120),
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(4),
            yes: false,
            delete_other_active: false,
            interactive: false,
            dry_run: false,
            update_shared: true,
            keep_backups: store::DEFAULT_KEEP_BACKUPS,
            mfa_code: None,
            lock_wait: Duration::from_secs(10),
            max_age: None,
            jobs: 4,
            hooks: Vec::new(),
            on_hook_failure: OnHookFailure::Stop,
            resume_only: false,
            skip_unrotatable: false,
            keystores: None,
            env_access_key_id: None,
            destinations: Vec::new(),
            on_destination_failure: OnDestinationFailure::Stop,
            dest_env: crate::dest::DestEnv::default(),
            dest_endpoint: crate::sdk::Endpoint::default(),
            drain: crate::retire::DrainPolicy::default(),
        }
    }
}
