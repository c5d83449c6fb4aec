//! Destinations: the other places a profile's key pair is used (a CI
//! secret, a secret store, a teammate's `.env`), carried by the rotation
//! itself with the credentials file's guarantees (issue 19). One module
//! per type behind one small trait, [`Destination`]; the rotation reaches
//! a destination only through [`Dest`], an enum with one variant per type
//! (async traits are not dyn-compatible), as it reaches key homes through
//! [`crate::home::Home`]. Adding a type is one new file, one variant of
//! [`Kind`] (its settings) and one of [`Dest`] (its dispatch).
//!
//! # The contract
//!
//! ```text
//! #[allow(async_fn_in_trait)]
//! pub trait Destination {
//!     fn describe(&self) -> String;
//!     async fn preflight(&self, cx: &Ctx<'_>) -> Result<(), DestError>;
//!     async fn write(&self, cx: &Ctx<'_>, pair: &Pair<'_>) -> Result<Mark, DestError>;
//!     async fn confirm(&self, cx: &Ctx<'_>, pair: &Pair<'_>, mark: &Mark) -> Result<bool, DestError>;
//! }
//! ```
//!
//! - `describe`: the destination in messages: its type, its `name` and
//!   where it is (`dotenv ci (/srv/app/.env)`). Never a token or a value.
//! - `preflight`: checks, before any change anywhere, that the
//!   destination is reachable, that the token is accepted and allowed to
//!   write (GitHub: the public key readable; Vault: `capabilities-self`
//!   on the path; AWS: the secret/parameter describable; a file:
//!   writable, not another user's, not a FIFO or a symlink it may not
//!   follow). It changes nothing, anywhere. Err names what to fix.
//! - `write`: stores `pair` under its two names, keeping everything else
//!   stored there (other JSON fields, other variables, flags, a file's
//!   other bytes). Idempotent: writing the same pair twice leaves the
//!   same state as once, and a write whose reply was lost may be sent
//!   again ([`Ctx::request_token`] is stable per rotation, destination
//!   and pair: Secrets Manager's `ClientRequestToken`). The returned
//!   [`Mark`] is what `confirm` needs (GitHub: the secret's `updated_at`
//!   after the write); it is stored in the journal, so it holds no secret.
//! - `confirm`: whether the destination now holds `pair`. A readable
//!   destination is read back and compared; one that cannot be read
//!   (GitHub) compares `updated_at` with the mark. Changes nothing.
//!
//! Every error is a [`DestError`] naming the destination; an error body a
//! service echoes is passed through [`scrub`] first, so neither the
//! secret nor the token ever reaches a message, a log, Debug or JSON.
//!
//! # Tokens
//!
//! Tokens are never in the settings file. A type that needs one calls
//! [`token`] with its ecosystem's usual variables (`GITHUB_TOKEN`,
//! `GH_TOKEN`; `GITLAB_TOKEN`; `VAULT_TOKEN`), captured once by
//! [`crate::env`] into [`DestEnv`]; or, when the destination has a
//! `token_command` (e.g. `["gh", "auth", "token"]`), runs it without a
//! shell (argv as given, stdin closed, stderr discarded), its stdout
//! trimmed the token. The token is a [`Secret`]: never logged, never in
//! argv of anything keyturn runs, never in an error.
//!
//! # Progress
//!
//! The journal stores, per destination, a [`DestProgress`]: the
//! destination's settings as they were when the rotation started (so
//! `recover` writes the same places even if the settings file changed;
//! they hold no secret), its [`DestState`], and the [`Mark`] of the last
//! write. The recovery rule of each state is written beside it.

mod aws_common;
pub mod dotenv;
pub mod github;
pub mod gitlab;
mod rest;
pub mod secretsmanager;
pub mod ssm;
pub mod vault;

use crate::i18n::{tr, trf};
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// The name the key id is stored under unless `id_name` says otherwise.
pub const DEFAULT_ID_NAME: &str = "AWS_ACCESS_KEY_ID";
/// The name the secret is stored under unless `secret_name` says otherwise.
pub const DEFAULT_SECRET_NAME: &str = "AWS_SECRET_ACCESS_KEY";

/// One `[[destinations]]` table of the settings file: the fields every
/// type has, and the type's own ([`Kind`], tagged by `type`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestinationSpec {
    /// Unique among the destinations; names it in every message.
    pub name: String,
    /// The profiles whose key goes there. Absent: none (a destination is
    /// never written for a profile it does not name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<String>,
    /// Where the key id is stored [default: `AWS_ACCESS_KEY_ID`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_name: Option<String>,
    /// Where the secret is stored [default: `AWS_SECRET_ACCESS_KEY`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_name: Option<String>,
    /// A command printing the token (argv, no shell), instead of the
    /// type's variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_command: Option<Vec<String>>,
    #[serde(flatten)]
    pub kind: Kind,
}

/// Each type's own fields, chosen by `type`. A new type adds a variant
/// (its fields struct lives in its own file, `deny_unknown_fields`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Kind {
    Dotenv(dotenv::Spec),
    Github(github::Spec),
    Gitlab(gitlab::Spec),
    Vault(vault::Spec),
    Secretsmanager(secretsmanager::Spec),
    Ssm(ssm::Spec),
}

impl DestinationSpec {
    /// Whether this destination carries `profile`'s key.
    pub fn serves(&self, profile: &str) -> bool {
        self.profiles.iter().any(|p| p == profile)
    }

    pub fn id_name(&self) -> &str {
        self.id_name.as_deref().unwrap_or(DEFAULT_ID_NAME)
    }

    pub fn secret_name(&self) -> &str {
        self.secret_name.as_deref().unwrap_or(DEFAULT_SECRET_NAME)
    }

    /// The `profile` an AWS type signs with, if it names one (its
    /// region is then that profile's, see [`default_region`]).
    pub fn aws_profile(&self) -> Option<&str> {
        match &self.kind {
            Kind::Secretsmanager(k) => k.profile.as_deref(),
            Kind::Ssm(k) => k.profile.as_deref(),
            _ => None,
        }
    }

    /// The `type` as written in the settings file.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            Kind::Dotenv(_) => "dotenv",
            Kind::Github(_) => "github",
            Kind::Gitlab(_) => "gitlab",
            Kind::Vault(_) => "vault",
            Kind::Secretsmanager(_) => "secretsmanager",
            Kind::Ssm(_) => "ssm",
        }
    }

    /// The checks that need no I/O; Err is the reason, in the user's
    /// language (the settings layer adds the file and the name).
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err(tr("dest.empty_name").into());
        }
        if self.id_name() == self.secret_name() {
            return Err(trf("dest.same_names", &[("name", &self.id_name())]));
        }
        for n in [self.id_name(), self.secret_name()] {
            if n.is_empty() || n.chars().any(char::is_control) {
                return Err(trf("dest.bad_value_name", &[("name", &n)]));
            }
        }
        if let Some(argv) = &self.token_command {
            if argv.is_empty() || argv[0].is_empty() {
                return Err(tr("dest.empty_token_command").into());
            }
        }
        match &self.kind {
            Kind::Dotenv(s) => s.validate(self),
            Kind::Github(s) => s.validate(self),
            Kind::Gitlab(s) => s.validate(self),
            Kind::Vault(s) => s.validate(self),
            Kind::Secretsmanager(s) => s.validate(self),
            Kind::Ssm(s) => s.validate(self),
        }
    }
}

/// Checks a whole `[[destinations]]` list: each valid, names unique.
/// Err: (the destination's name, why).
pub fn validate_all(specs: &[DestinationSpec]) -> Result<(), (String, String)> {
    let mut seen = std::collections::BTreeSet::new();
    for s in specs {
        s.validate().map_err(|why| (s.name.clone(), why))?;
        if !seen.insert(s.name.as_str()) {
            return Err((s.name.clone(), tr("dest.duplicate_name").into()));
        }
    }
    Ok(())
}

/// The pair a write stores, under the destination's names.
pub struct Pair<'a> {
    pub id_name: &'a str,
    pub key_id: &'a str,
    pub secret_name: &'a str,
    pub secret: &'a Secret,
}

impl<'a> Pair<'a> {
    pub fn of(spec: &'a DestinationSpec, key_id: &'a str, secret: &'a Secret) -> Pair<'a> {
        Pair {
            id_name: spec.id_name(),
            key_id,
            secret_name: spec.secret_name(),
            secret,
        }
    }
}

/// What a write leaves for its confirm (GitHub: `updated_at`; a version
/// number). No secret: it is stored in the journal.
pub type Mark = Option<String>;

/// The environment variables destinations read (tokens, service
/// addresses, CA bundles), captured once by [`crate::env`]. `Debug`
/// shows names only: values include tokens.
#[derive(Clone, Default)]
pub struct DestEnv {
    vars: BTreeMap<String, Secret>,
}

/// Every variable a destination type may read. A type reading a new one
/// adds it here, so the environment is still read in one place.
pub const DEST_VARS: &[&str] = &[
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "GITHUB_API_URL",
    "GITLAB_TOKEN",
    "CI_SERVER_URL",
    "VAULT_ADDR",
    "VAULT_TOKEN",
    "VAULT_NAMESPACE",
    "VAULT_CACERT",
    "SSL_CERT_FILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
];

/// The region an AWS type without `region` writes to, as the AWS CLI
/// resolves its signing profile's: `AWS_REGION`, then
/// `AWS_DEFAULT_REGION`, then the profile's `region` setting
/// (`profile_region`, read from the files as botocore reads them); the
/// partition's default (`fallback`, where IAM is signed) only when none
/// is set.
pub fn default_region(env: &DestEnv, profile_region: Option<&str>, fallback: &str) -> String {
    env.get("AWS_REGION")
        .or_else(|| env.get("AWS_DEFAULT_REGION"))
        .or(profile_region.filter(|r| !r.trim().is_empty()))
        .unwrap_or(fallback)
        .trim()
        .to_string()
}

impl DestEnv {
    /// From a lookup (the process environment, or a test's map): the
    /// non-empty values of [`DEST_VARS`].
    pub fn capture(mut var: impl FnMut(&str) -> Option<String>) -> DestEnv {
        let vars = DEST_VARS
            .iter()
            .filter_map(|k| {
                Some((
                    k.to_string(),
                    Secret::new(var(k).filter(|v| !v.is_empty())?),
                ))
            })
            .collect();
        DestEnv { vars }
    }

    /// A variable's value, if set and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(Secret::expose)
    }
}

impl std::fmt::Debug for DestEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.vars.keys()).finish()
    }
}

/// What every destination call gets from the rotation.
pub struct Ctx<'a> {
    pub env: &'a DestEnv,
    /// How to reach AWS (the AWS types; `--endpoint-url` for emulators).
    pub endpoint: &'a crate::sdk::Endpoint,
    /// The rotated profile's key that may sign for the AWS types without
    /// a `profile` of their own: the old key at preflight, the new one
    /// once verified.
    pub signer: Option<&'a crate::aws::Creds>,
    /// The AWS files (credentials, config) a destination's `profile` is
    /// read from: the run's, so `--credentials-file`/`--config-file` apply.
    pub aws_files: Option<(&'a std::path::Path, &'a std::path::Path)>,
    /// The region for AWS types without `region`: the signing profile's
    /// ([`DestProgress::region`]).
    pub region: &'a str,
    /// Stable per rotation, destination and pair: a retried write is the
    /// same request (Secrets Manager's `ClientRequestToken`).
    pub request_token: String,
    /// Backups of a rewritten file to keep.
    pub keep_backups: usize,
    /// How long a file lock is waited for.
    pub lock_wait: Duration,
}

/// One destination's contract. See the module doc for each method.
#[allow(async_fn_in_trait)]
pub trait Destination {
    /// The destination in messages; never a secret.
    fn describe(&self) -> String;
    /// Changes nothing; Err says what to fix.
    async fn preflight(&self, cx: &Ctx<'_>) -> Result<(), DestError>;
    /// Stores `pair`, keeping everything else; idempotent.
    async fn write(&self, cx: &Ctx<'_>, pair: &Pair<'_>) -> Result<Mark, DestError>;
    /// Whether the destination holds `pair` now; changes nothing.
    async fn confirm(&self, cx: &Ctx<'_>, pair: &Pair<'_>, mark: &Mark) -> Result<bool, DestError>;
}

/// A destination opened from its settings: one variant per type.
#[derive(Debug)]
pub enum Dest<'s> {
    Dotenv(dotenv::DotenvDest<'s>),
    Github(github::GithubDest<'s>),
    Gitlab(gitlab::GitlabDest<'s>),
    Vault(vault::VaultDest<'s>),
    SecretsManager(secretsmanager::SecretsManagerDest<'s>),
    Ssm(ssm::SsmDest<'s>),
}

impl<'s> Dest<'s> {
    pub fn open(spec: &'s DestinationSpec) -> Dest<'s> {
        match &spec.kind {
            Kind::Dotenv(k) => Dest::Dotenv(dotenv::DotenvDest::new(spec, k)),
            Kind::Github(k) => Dest::Github(github::GithubDest::new(spec, k)),
            Kind::Gitlab(k) => Dest::Gitlab(gitlab::GitlabDest::new(spec, k)),
            Kind::Vault(k) => Dest::Vault(vault::VaultDest::new(spec, k)),
            Kind::Secretsmanager(k) => {
                Dest::SecretsManager(secretsmanager::SecretsManagerDest::new(spec, k))
            }
            Kind::Ssm(k) => Dest::Ssm(ssm::SsmDest::new(spec, k)),
        }
    }
}

impl Destination for Dest<'_> {
    fn describe(&self) -> String {
        match self {
            Dest::Dotenv(d) => d.describe(),
            Dest::Github(d) => d.describe(),
            Dest::Gitlab(d) => d.describe(),
            Dest::Vault(d) => d.describe(),
            Dest::SecretsManager(d) => d.describe(),
            Dest::Ssm(d) => d.describe(),
        }
    }
    async fn preflight(&self, cx: &Ctx<'_>) -> Result<(), DestError> {
        match self {
            Dest::Dotenv(d) => d.preflight(cx).await,
            Dest::Github(d) => d.preflight(cx).await,
            Dest::Gitlab(d) => d.preflight(cx).await,
            Dest::Vault(d) => d.preflight(cx).await,
            Dest::SecretsManager(d) => d.preflight(cx).await,
            Dest::Ssm(d) => d.preflight(cx).await,
        }
    }
    async fn write(&self, cx: &Ctx<'_>, pair: &Pair<'_>) -> Result<Mark, DestError> {
        match self {
            Dest::Dotenv(d) => d.write(cx, pair).await,
            Dest::Github(d) => d.write(cx, pair).await,
            Dest::Gitlab(d) => d.write(cx, pair).await,
            Dest::Vault(d) => d.write(cx, pair).await,
            Dest::SecretsManager(d) => d.write(cx, pair).await,
            Dest::Ssm(d) => d.write(cx, pair).await,
        }
    }
    async fn confirm(&self, cx: &Ctx<'_>, pair: &Pair<'_>, mark: &Mark) -> Result<bool, DestError> {
        match self {
            Dest::Dotenv(d) => d.confirm(cx, pair, mark).await,
            Dest::Github(d) => d.confirm(cx, pair, mark).await,
            Dest::Gitlab(d) => d.confirm(cx, pair, mark).await,
            Dest::Vault(d) => d.confirm(cx, pair, mark).await,
            Dest::SecretsManager(d) => d.confirm(cx, pair, mark).await,
            Dest::Ssm(d) => d.confirm(cx, pair, mark).await,
        }
    }
}

/// Where one destination is in a rotation, as the journal stores it.
/// Each state's recovery rule (what `recover` / `rotate --resume` does)
/// is beside it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DestState {
    /// Not written yet: it still holds whatever it held (the old pair).
    /// Recovery: write the new pair, confirm.
    #[default]
    Pending,
    /// A write of the new pair was sent (persisted before sending), its
    /// outcome unknown: it holds the old or the new pair. Recovery: write
    /// again (idempotent), confirm; a rollback writes the old pair back.
    Writing,
    /// The write of the new pair was answered. Recovery: confirm (write
    /// again if it does not hold the new pair); a rollback writes the old
    /// pair back.
    Written,
    /// Read back (or `updated_at` checked): it holds the new pair.
    /// Recovery: nothing forward; a rollback writes the old pair back.
    Confirmed,
    /// Rolled back: the old pair was written back. Recovery: nothing.
    Restored,
}

impl DestState {
    /// The destination may hold the new pair (a rollback must restore it).
    pub fn may_hold_new(self) -> bool {
        matches!(
            self,
            DestState::Writing | DestState::Written | DestState::Confirmed
        )
    }

    /// The word for it in `--output json` and in messages.
    pub fn code(self) -> &'static str {
        match self {
            DestState::Pending => "pending",
            DestState::Writing => "writing",
            DestState::Written => "written",
            DestState::Confirmed => "confirmed",
            DestState::Restored => "restored",
        }
    }
}

/// One destination's progress in a rotation's journal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestProgress {
    /// The destination's settings when the rotation started (no secret).
    pub spec: DestinationSpec,
    #[serde(default)]
    pub state: DestState,
    /// The last write's [`Mark`].
    #[serde(default)]
    pub mark: Mark,
    /// Where an AWS type without `region` is written ([`default_region`]),
    /// resolved when the rotation started, so a rerun writes the same
    /// place. None (a journal from before): the rotation's IAM region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// A destination's state as reports show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DestReport {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub state: &'static str,
    /// Why it failed (preflight, write), when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl DestReport {
    pub fn of(p: &DestProgress) -> DestReport {
        DestReport {
            name: p.spec.name.clone(),
            kind: p.spec.type_name(),
            state: p.state.code(),
            error: None,
        }
    }
}

/// Why a destination could not be checked, written or confirmed. Each
/// names the destination (its `describe`); no variant holds a secret or
/// a token, and service text is [`scrub`]bed before it gets here.
#[derive(Debug, thiserror::Error)]
pub enum DestError {
    /// No token in the type's variables and no `token_command`.
    #[error("{}", trf("dest.no_token", &[("dest", dest), ("vars", vars)]))]
    NoToken { dest: String, vars: String },
    /// `token_command` could not run, failed, or printed nothing.
    #[error("{}", trf("dest.token_command", &[("dest", dest), ("detail", detail)]))]
    TokenCommand { dest: String, detail: String },
    /// The service answered no: the token refused, a permission missing,
    /// the secret/repository/path unknown. Fix it, then rerun.
    #[error("{}", trf("dest.refused", &[("dest", dest), ("detail", detail)]))]
    Refused { dest: String, detail: String },
    /// No usable answer (network, timeout, a 5xx, throttled after
    /// retries): may pass; rerun.
    #[error("{}", trf("dest.unavailable", &[("dest", dest), ("detail", detail)]))]
    Unavailable { dest: String, detail: String },
    /// What is stored there cannot take the pair (a secret that is not a
    /// JSON object, a `.env` line keyturn cannot edit).
    #[error("{}", trf("dest.invalid", &[("dest", dest), ("detail", detail)]))]
    Invalid { dest: String, detail: String },
    /// Part of the pair was written (SSM's two parameters: the secret,
    /// not the id): the destination holds neither pair whole.
    #[error("{}", trf("dest.partial", &[("dest", dest), ("detail", detail)]))]
    Partial { dest: String, detail: String },
    /// A file destination's file refused or failed (the credentials
    /// file's rules).
    #[error("{}", trf("dest.file", &[("dest", dest), ("error", source)]))]
    File {
        dest: String,
        #[source]
        source: crate::store::StoreError,
    },
}

impl DestError {
    /// The failed write certainly left the destination as it was: the
    /// service said no, or nothing was sent, or the file was refused
    /// before it was touched. (No answer, a partial write or a disk
    /// failure mid-write may have changed it.)
    pub fn nothing_written(&self) -> bool {
        match self {
            DestError::NoToken { .. }
            | DestError::TokenCommand { .. }
            | DestError::Refused { .. }
            | DestError::Invalid { .. } => true,
            DestError::File { source, .. } => {
                source.is_refusal() || matches!(source, crate::store::StoreError::Missing { .. })
            }
            DestError::Unavailable { .. } | DestError::Partial { .. } => false,
        }
    }

    /// A stable name for `--output json`.
    pub fn code(&self) -> &'static str {
        match self {
            DestError::NoToken { .. } => "destination_no_token",
            DestError::TokenCommand { .. } => "destination_token_command",
            DestError::Refused { .. } => "destination_refused",
            DestError::Unavailable { .. } => "destination_unavailable",
            DestError::Invalid { .. } => "destination_invalid",
            DestError::Partial { .. } => "destination_partial",
            DestError::File { .. } => "destination_file",
        }
    }
}

/// Text a service sent back, safe to show: [`crate::secret::scrub`]
/// (secrets in any encoding a tool writes, key ids masked, control
/// characters dropped), cut to 300 characters.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    crate::secret::scrub(text.trim(), secrets, 300)
}

/// How long a `token_command` may run.
const TOKEN_COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// The token of `spec`: its `token_command`'s stdout when it has one,
/// else the first of `vars` set in `env`. `dest` names it in errors.
pub async fn token(
    spec: &DestinationSpec,
    env: &DestEnv,
    vars: &[&str],
    dest: &str,
) -> Result<Secret, DestError> {
    if let Some(argv) = &spec.token_command {
        return run_token_command(argv, dest).await;
    }
    vars.iter()
        .find_map(|v| env.get(v))
        .map(Secret::new)
        .ok_or_else(|| DestError::NoToken {
            dest: dest.to_string(),
            vars: vars.join(", "),
        })
}

/// Runs `argv` without a shell; its trimmed stdout is the token. Its
/// stderr is discarded (it may echo the token), and so is its stdout on
/// failure.
async fn run_token_command(argv: &[String], dest: &str) -> Result<Secret, DestError> {
    use std::process::Stdio;
    let err = |detail: String| DestError::TokenCommand {
        dest: dest.to_string(),
        detail,
    };
    let (prog, args) = argv
        .split_first()
        .ok_or_else(|| err(tr("dest.empty_token_command").into()))?;
    let child = tokio::process::Command::new(prog)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| err(trf("dest.token_spawn", &[("program", prog), ("error", &e)])))?;
    let out = tokio::time::timeout(TOKEN_COMMAND_TIMEOUT, child.wait_with_output())
        .await
        .map_err(|_| {
            err(trf(
                "dest.token_timeout",
                &[("secs", &TOKEN_COMMAND_TIMEOUT.as_secs())],
            ))
        })?
        .map_err(|e| err(e.to_string()))?;
    let stdout = zeroize::Zeroizing::new(out.stdout);
    if !out.status.success() {
        return Err(err(trf("dest.token_failed", &[("status", &out.status)])));
    }
    let text = std::str::from_utf8(&stdout)
        .map(str::trim)
        .unwrap_or_default();
    if text.is_empty() {
        return Err(err(tr("dest.token_empty").into()));
    }
    Ok(Secret::new(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<DestinationSpec>, String> {
        #[derive(Deserialize)]
        struct F {
            destinations: Vec<DestinationSpec>,
        }
        toml::from_str::<F>(text)
            .map(|f| f.destinations)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_table_parses_by_type_and_typos_are_refused() {
        let d = parse(
            "[[destinations]]\nname = \"app\"\ntype = \"dotenv\"\nprofiles = [\"dev\"]\npath = \"/srv/.env\"\n",
        )
        .unwrap();
        assert_eq!(d[0].type_name(), "dotenv");
        assert!(d[0].serves("dev") && !d[0].serves("prod"));
        assert_eq!(d[0].id_name(), "AWS_ACCESS_KEY_ID");
        let typo = parse(
            "[[destinations]]\nname = \"app\"\ntype = \"dotenv\"\nprofile = [\"dev\"]\npath = \"/srv/.env\"\n",
        );
        assert!(typo.is_err(), "{typo:?}");
        let unknown = parse("[[destinations]]\nname = \"app\"\ntype = \"ftp\"\n");
        assert!(unknown.is_err());
    }

    #[test]
    fn aws_types_parse_and_ssm_needs_one_layout() {
        let d = parse(concat!(
            "[[destinations]]\nname = \"s\"\ntype = \"secretsmanager\"\nsecret_id = \"ci/aws\"\nregion = \"eu-west-1\"\n",
            "[[destinations]]\nname = \"p\"\ntype = \"ssm\"\nid_parameter = \"/a\"\nsecret_parameter = \"/b\"\nkms_key_id = \"alias/x\"\n",
            "[[destinations]]\nname = \"j\"\ntype = \"ssm\"\nparameter = \"/j\"\n",
        ))
        .unwrap();
        assert_eq!(
            d.iter().map(DestinationSpec::type_name).collect::<Vec<_>>(),
            ["secretsmanager", "ssm", "ssm"]
        );
        assert!(validate_all(&d).is_ok());
        for bad in [
            "id_parameter = \"/a\"\n",
            "id_parameter = \"/a\"\nsecret_parameter = \"/b\"\nparameter = \"/j\"\n",
            "id_parameter = \"/a\"\nsecret_parameter = \"/a\"\n",
        ] {
            let d = parse(&format!(
                "[[destinations]]\nname = \"p\"\ntype = \"ssm\"\n{bad}"
            ))
            .unwrap();
            assert!(validate_all(&d).is_err(), "{bad}");
        }
        let typo =
            parse("[[destinations]]\nname = \"s\"\ntype = \"secretsmanager\"\nsecret = \"x\"\n");
        assert!(typo.is_err());
    }

    #[test]
    fn default_region_is_the_cli_s_choice_for_the_profile() {
        let env = |vars: &[(&str, &str)]| {
            let vars: Vec<(String, String)> = vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            DestEnv::capture(|k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
        };
        let none = env(&[]);
        assert_eq!(
            default_region(&none, Some("eu-west-1"), "us-east-1"),
            "eu-west-1"
        );
        assert_eq!(default_region(&none, None, "us-east-1"), "us-east-1");
        assert_eq!(default_region(&none, Some(" "), "cn-north-1"), "cn-north-1");
        let dflt = env(&[("AWS_DEFAULT_REGION", "ap-south-1")]);
        assert_eq!(
            default_region(&dflt, Some("eu-west-1"), "us-east-1"),
            "ap-south-1"
        );
        let both = env(&[
            ("AWS_DEFAULT_REGION", "ap-south-1"),
            ("AWS_REGION", "sa-east-1"),
        ]);
        assert_eq!(
            default_region(&both, Some("eu-west-1"), "us-east-1"),
            "sa-east-1"
        );
    }

    #[test]
    fn progress_round_trips_through_json() {
        let spec = parse(
            "[[destinations]]\nname = \"app\"\ntype = \"dotenv\"\nprofiles = [\"dev\"]\npath = \"/srv/.env\"\nid_name = \"ID\"\n",
        )
        .unwrap()
        .remove(0);
        let p = DestProgress {
            spec,
            state: DestState::Written,
            mark: None,
            region: Some("eu-west-1".into()),
        };
        let text = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<DestProgress>(&text).unwrap(), p);
    }

    #[test]
    fn names_must_differ_and_be_unique() {
        let d = parse(
            "[[destinations]]\nname = \"a\"\ntype = \"dotenv\"\npath = \"/x/.env\"\nid_name = \"K\"\nsecret_name = \"K\"\n",
        )
        .unwrap();
        assert!(validate_all(&d).is_err());
        let d = parse(
            "[[destinations]]\nname = \"a\"\ntype = \"dotenv\"\npath = \"/x/.env\"\n[[destinations]]\nname = \"a\"\ntype = \"dotenv\"\npath = \"/y/.env\"\n",
        )
        .unwrap();
        assert_eq!(validate_all(&d).unwrap_err().0, "a");
    }

    #[test]
    fn scrub_hides_secrets_and_env_debug_hides_values() {
        let s = scrub(
            "bad value wJalrXUtnFEMI/K7MDENG\nend",
            &["wJalrXUtnFEMI/K7MDENG"],
        );
        assert_eq!(s, "bad value <redacted> end");
        let env = DestEnv::capture(|k| (k == "VAULT_TOKEN").then(|| "hvs.topsecret".into()));
        assert_eq!(env.get("VAULT_TOKEN"), Some("hvs.topsecret"));
        assert!(!format!("{env:?}").contains("topsecret"));
    }

    #[tokio::test]
    async fn token_from_command_or_variables() {
        let spec = |cmd: Option<Vec<String>>| DestinationSpec {
            name: "x".into(),
            profiles: vec![],
            id_name: None,
            secret_name: None,
            token_command: cmd,
            kind: Kind::Dotenv(dotenv::Spec { path: "/x".into() }),
        };
        let env = DestEnv::capture(|k| (k == "GH_TOKEN").then(|| "ghp_b".into()));
        let t = token(&spec(None), &env, &["GITHUB_TOKEN", "GH_TOKEN"], "x")
            .await
            .unwrap();
        assert_eq!(t.expose(), "ghp_b");
        let cmd = Some(vec!["printf".into(), "  tok\\n".into()]);
        assert_eq!(
            token(&spec(cmd), &env, &[], "x").await.unwrap().expose(),
            "tok"
        );
        let e = token(&spec(None), &DestEnv::default(), &["GITLAB_TOKEN"], "x")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("GITLAB_TOKEN"), "{e}");
        let fail = Some(vec!["false".into()]);
        assert!(token(&spec(fail), &env, &[], "x").await.is_err());
    }
}
