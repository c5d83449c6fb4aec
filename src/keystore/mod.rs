//! Keystores: where aws-vault and granted keep a long-term access key
//! instead of `~/.aws/credentials`, read and written so the tool keeps
//! working with the rotated pair.
//!
//! Layout:
//! - [`item`]: the keyring item and the credentials JSON inside it (pure).
//! - [`ItemStore`]: get / put / delete / list items, one implementation per
//!   backend: [`file::FileStore`] (JWE files, [`jwe`]), [`pass::PassStore`]
//!   (the `pass` command), [`secret_service::SecretServiceStore`] (D-Bus),
//!   [`wincred::WinCredStore`] (the Windows Credential Manager).
//! - [`awsvault`] and [`granted`]: each tool's naming and lookup rules
//!   (pure): which item holds a profile's key, which cached sessions to
//!   purge after a rotation, how its `credential_process` line reads.
//! - [`settings`]: each tool's settings, resolved from a [`settings::KeystoreEnv`]
//!   exactly as the tool resolves them (pure).
//! - [`passphrase`]: a file keyring's passphrase asked once on a terminal
//!   when aws-vault's variable is unset.
//!
//! Invariants:
//! - A store writes only the item it is given and deletes only the key it
//!   is given: the rest of the keyring is never touched.
//! - Every backend stores the whole item JSON byte-for-byte as the tool
//!   writes it ([`Item::to_json`]), except the Windows credential manager,
//!   which keeps only `Data` as aws-vault writes it there; the macOS
//!   keychain (`Data` plus native attributes) is refused by name until
//!   implemented.
//! - Secrets (the passphrase, `Data`) live in zeroized memory and never
//!   appear in errors or `Debug`.

pub mod awsvault;
pub mod file;
pub mod granted;
pub mod item;
pub mod jwe;
pub mod pass;
pub mod passphrase;
#[cfg(unix)]
pub mod secret_service;
// No D-Bus on Windows: the same type, refusing every call.
#[cfg(not(unix))]
#[path = "secret_service_none.rs"]
pub mod secret_service;
pub mod settings;
pub mod wincred;

use crate::i18n::trf;
use std::io;
use std::path::PathBuf;

pub use item::{Item, KeyPair};

/// A keyring backend keyturn can read and write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    File,
    Pass,
    SecretService,
    /// The Windows Credential Manager (aws-vault on Windows).
    WinCred,
}

impl Backend {
    /// The name the tools give it (`AWS_VAULT_BACKEND`, granted's
    /// `[Keyring] Backend`).
    pub fn name(self) -> &'static str {
        match self {
            Backend::File => "file",
            Backend::Pass => "pass",
            Backend::SecretService => "secret-service",
            Backend::WinCred => "wincred",
        }
    }
}

/// The tool whose keyring holds the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    AwsVault,
    Granted,
}

impl Tool {
    pub fn name(self) -> &'static str {
        match self {
            Tool::AwsVault => "aws-vault",
            Tool::Granted => "granted",
        }
    }
}

/// What a [`ItemStore::put`] left for the caller to report (nothing
/// today: duplicate secret-service items are refused, not left behind).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PutOutcome {}

/// A store of keyring items, as 99designs/keyring's `Keyring` sees one.
///
/// The rotation drives it on its one current-thread runtime; futures need
/// not be `Send`.
#[allow(async_fn_in_trait)]
pub trait ItemStore {
    fn backend(&self) -> Backend;
    /// The item named `key`, `None` if there is none.
    async fn get(&self, key: &str) -> Result<Option<Item>, KeystoreError>;
    /// Stores `item` under `item.key`, replacing the item of that key.
    async fn put(&self, item: &Item) -> Result<PutOutcome, KeystoreError>;
    /// Deletes the item named `key`; `false` if there was none.
    async fn delete(&self, key: &str) -> Result<bool, KeystoreError>;
    /// Every item key in the store, sorted.
    async fn keys(&self) -> Result<Vec<String>, KeystoreError>;
}

/// Why a keystore could not be read or written. Each refusal says what to
/// do; none carries a secret.
#[derive(Debug, thiserror::Error)]
pub enum KeystoreError {
    #[error("{}", trf("keystore.wrong_passphrase", &[("path", &path.display())]))]
    WrongPassphrase { path: PathBuf },
    #[error("{}", trf("keystore.no_passphrase", &[("tool", tool), ("var", var)]))]
    NoPassphrase {
        tool: &'static str,
        var: &'static str,
    },
    #[error("{}", trf("keystore.collection_locked", &[("collection", collection)]))]
    CollectionLocked { collection: String },
    #[error("{}", trf("keystore.duplicate_items", &[("collection", collection), ("key", key), ("count", count)]))]
    DuplicateItems {
        collection: String,
        key: String,
        count: usize,
    },
    #[error("{}", trf("keystore.collection_missing", &[("collection", collection)]))]
    CollectionMissing { collection: String },
    #[error("{}", trf("keystore.no_secret_service", &[("detail", detail)]))]
    NoSecretService { detail: String },
    #[error("{}", trf("keystore.secret_service", &[("collection", collection), ("detail", detail)]))]
    SecretService { collection: String, detail: String },
    #[error("{}", trf("keystore.wincred", &[("target", target), ("detail", detail)]))]
    WinCred { target: String, detail: String },
    #[error("{}", trf("keystore.pass_missing", &[("cmd", cmd)]))]
    PassMissing { cmd: String },
    #[error("{}", trf("keystore.pass_failed", &[("cmd", cmd), ("action", action), ("detail", detail)]))]
    PassFailed {
        cmd: String,
        action: String,
        detail: String,
    },
    #[error("{}", trf("keystore.unsupported_backend", &[("tool", tool), ("backend", backend)]))]
    UnsupportedBackend { tool: &'static str, backend: String },
    #[error("{}", trf("keystore.unknown_backend", &[("tool", tool), ("backend", backend)]))]
    UnknownBackend { tool: &'static str, backend: String },
    #[error("{}", trf("keystore.not_long_term", &[("key", key), ("reason", reason)]))]
    NotLongTermKey { key: String, reason: String },
    #[error("{}", trf("keystore.no_item", &[("tool", tool), ("profile", profile), ("backend", backend)]))]
    NoItem {
        tool: &'static str,
        profile: String,
        backend: &'static str,
    },
    #[error("{}", trf("keystore.malformed", &[("what", what), ("reason", reason)]))]
    Malformed { what: String, reason: String },
    #[error("{}", trf("keystore.unsafe_path", &[("path", &path.display())]))]
    NotAFolder { path: PathBuf },
    #[error("{}", trf("keystore.bad_config", &[("path", &path.display()), ("reason", reason)]))]
    BadConfig { path: PathBuf, reason: String },
    /// A keyring folder another user owns, or group or others can write.
    #[error("{}", trf("keystore.untrusted", &[("path", &path.display()), ("reason", reason)]))]
    Untrusted { path: PathBuf, reason: String },
    /// A write of keyturn's store (an item written in place).
    #[error(transparent)]
    Store(crate::store::StoreError),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl KeystoreError {
    /// Said before anything changed, and nothing will change until the
    /// user acts: the documented "refused" exit code.
    pub fn is_refusal(&self) -> bool {
        match self {
            KeystoreError::Store(e) => e.is_refusal(),
            KeystoreError::Io { .. }
            | KeystoreError::SecretService { .. }
            | KeystoreError::WinCred { .. }
            | KeystoreError::PassFailed { .. } => false,
            _ => true,
        }
    }

    /// A short, stable name for `--output json`.
    pub fn code(&self) -> &'static str {
        match self {
            KeystoreError::WrongPassphrase { .. } => "keystore_wrong_passphrase",
            KeystoreError::NoPassphrase { .. } => "keystore_no_passphrase",
            KeystoreError::CollectionLocked { .. } => "keystore_locked",
            KeystoreError::CollectionMissing { .. } => "keystore_collection_missing",
            KeystoreError::DuplicateItems { .. } => "keystore_duplicate_items",
            KeystoreError::WinCred { .. } => "keystore_wincred",
            KeystoreError::NoSecretService { .. } => "keystore_no_secret_service",
            KeystoreError::PassMissing { .. } => "keystore_pass_missing",
            KeystoreError::UnsupportedBackend { .. } => "keystore_unsupported_backend",
            KeystoreError::UnknownBackend { .. } => "keystore_unknown_backend",
            KeystoreError::NotLongTermKey { .. } => "keystore_not_long_term_key",
            KeystoreError::NoItem { .. } => "keystore_no_item",
            KeystoreError::Malformed { .. } => "keystore_malformed",
            KeystoreError::NotAFolder { .. } => "keystore_unsafe_path",
            KeystoreError::Untrusted { .. } => "keystore_untrusted",
            KeystoreError::BadConfig { .. } => "keystore_bad_config",
            KeystoreError::SecretService { .. }
            | KeystoreError::PassFailed { .. }
            | KeystoreError::Store(_)
            | KeystoreError::Io { .. } => "keystore_error",
        }
    }
}
