//! Where one profile's long-term key lives: its *home*. The rotation
//! state machine (`crate::rotate`), its journal and its recovery reach a
//! key only through [`KeyHome`]; they never name a file format.
//!
//! # The contract
//!
//! ```text
//! #[allow(async_fn_in_trait)]
//! pub trait KeyHome {
//!     fn describe(&self) -> String;
//!     fn locator(&self) -> HomeRef;
//!     fn lock(&self) -> Result<HomeLock, HomeError>;
//!     async fn read(&self) -> Result<Option<(String, Secret)>, HomeError>;
//!     async fn write(&self, from: &str, to: &str, secret: &Secret) -> Result<Written, HomeError>;
//!     async fn holding(&self, key_id: &str) -> Result<Vec<Place>, HomeError>;
//!     async fn after_write(&self) -> Result<(), HomeError> { Ok(()) }
//! }
//! ```
//!
//! - `describe`: the home in messages ("the file was rewritten by another
//!   program"). Files: the home file's path as the user named it (the
//!   messages of the landed version say exactly that).
//! - `locator`: a serde-able [`HomeRef`], stored flattened in the journal,
//!   from which [`Homes::open`] reopens the same home for `recover`. Its
//!   [`HomeRef::state_dir`] is where the rotation's journal and attempt
//!   record live.
//! - `lock`: keeps other keyturn runs out while this run may write the
//!   home. Taken once per home by the run before its first write, held to
//!   the run's end. Files: the run's caller already holds both files'
//!   locks ([`files::lock_files`], before the files are first read), so
//!   this returns an empty [`HomeLock`].
//! - `read`: the key pair the profile uses now, None when the home no
//!   longer holds one (gone, or no longer resolvable).
//! - `write`: replace the pair whose id is `from` by (`to`, `secret`)
//!   wherever this home holds it (files: the home section, plus every
//!   section sharing the key when `update_shared`); only those bytes
//!   change. Backups are part of the write: a home backs up exactly what
//!   it replaces (files: `backups/` beside the file); a keystore makes
//!   none (the journal holds the old pair). `Written::changed` is false
//!   when the home no longer held `from` (nothing written).
//! - `holding`: the places of this home's scope holding `key_id` now (the
//!   confirm-before-retire re-read, and the places a summary reports).
//! - `after_write`: called after every successful `write` (keystore:
//!   purge the tool's cached sessions). Files: nothing.
//!
//! Async because a keystore home talks to other processes; the rotation
//! runs on one current-thread tokio runtime, so futures need not be Send.
//! Async traits are not dyn-compatible: the rotation holds a [`Home`],
//! an enum with one variant per implementation (a keystore home adds
//! `Keystore(KeystoreHome)` to [`Home`] and [`HomeRef`]).
//!
//! [`Homes`] is the run's view of every home: it finds each profile's home
//! ([`Homes::find_all`]), reopens one from a journal ([`Homes::open`]),
//! and names the folders holding journals ([`Homes::state_dirs`]).

pub mod files;
pub mod keystore;
pub mod managed;

pub use files::{FilesHome, FilesRef, Paths};
pub use keystore::{KeystoreHome, KeystoreLocator, Keystores};

use crate::profile::{Place, Refusal, StaticKey};
use crate::secret::Secret;
use crate::store::FileLock;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// One profile's key home. See the module doc for each method's contract.
#[allow(async_fn_in_trait)]
pub trait KeyHome {
    /// The home in messages.
    fn describe(&self) -> String;
    /// What the journal stores to reopen this home.
    fn locator(&self) -> HomeRef;
    /// Keeps other keyturn runs out; held until dropped.
    fn lock(&self) -> Result<HomeLock, HomeError>;
    /// The pair the profile uses now: (key id, secret).
    async fn read(&self) -> Result<Option<(String, Secret)>, HomeError>;
    /// Replaces the pair `from` with (`to`, `secret`) wherever this home
    /// holds it; only those bytes change.
    async fn write(&self, from: &str, to: &str, secret: &Secret) -> Result<Written, HomeError>;
    /// The places of this home holding `key_id` now.
    async fn holding(&self, key_id: &str) -> Result<Vec<Place>, HomeError>;
    /// After a successful write.
    async fn after_write(&self) -> Result<(), HomeError> {
        Ok(())
    }
}

/// Why a home could not be found, read, locked or written. Homes have
/// their own error so that they never import the state machine; the
/// rotation turns each into the `RotateError` of the same
/// name (same message, same exit code).
#[derive(Debug, thiserror::Error)]
pub enum HomeError {
    /// The profile cannot rotate (or a file keyturn must write does not
    /// parse): nothing was changed.
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
    /// aws-vault's or granted's keyring refused or failed.
    #[error("{0}")]
    Keystore(#[from] crate::keystore::KeystoreError),
    /// A write that found the file changed under it in a way it cannot
    /// edit; the rotation's journal says what is left.
    #[error("{}", crate::i18n::trf("rotate.profile", &[("profile", profile), ("detail", detail)]))]
    Stuck { profile: String, detail: String },
}

/// What a [`KeyHome::write`] did.
#[derive(Debug, Default)]
pub struct Written {
    /// Something was written (false: the home no longer held `from`).
    pub changed: bool,
    /// Copies of what was replaced, where the home makes them.
    pub backups: Vec<PathBuf>,
}

/// A home's lock, released on drop.
#[derive(Debug, Default)]
pub struct HomeLock {
    _held: Vec<FileLock>,
}

impl HomeLock {
    /// Holds these file locks.
    pub fn of(locks: Vec<FileLock>) -> HomeLock {
        HomeLock { _held: locks }
    }
}

/// Where a home is, as the journal stores it (flattened into the
/// journal's fields). Untagged: each variant's fields must differ from
/// the others', and the files variant's are the field names journal
/// version 1 used, so a journal written before [`KeyHome`] existed still
/// reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum HomeRef {
    Files(FilesRef),
    Keystore(KeystoreLocator),
    /// A managed user's rotation (admin mode): no local home.
    Managed(managed::ManagedRef),
}

impl HomeRef {
    /// The folder holding this home's journals (`journal/`) and attempt
    /// records (`attempts/`).
    pub fn state_dir(&self) -> PathBuf {
        match self {
            HomeRef::Files(r) => r.state_dir(),
            HomeRef::Keystore(r) => r.state_dir(),
            HomeRef::Managed(r) => r.state_dir(),
        }
    }

    /// The home keeps sharers in step (files: `--only-named` was not given).
    pub fn update_shared(&self) -> bool {
        match self {
            HomeRef::Files(r) => r.update_shared,
            HomeRef::Keystore(_) | HomeRef::Managed(_) => false,
        }
    }

    /// The file whose lock a run writing this home holds, if any.
    pub fn lock_target(&self) -> Option<&std::path::Path> {
        match self {
            HomeRef::Files(r) => Some(r.home_file()),
            // A keystore home takes its own lock (`KeyHome::lock`).
            HomeRef::Keystore(_) => None,
            // Its own lock too, in the state folder.
            HomeRef::Managed(_) => None,
        }
    }

    /// A managed user's rotation (admin mode), signed by an operator.
    pub fn managed(&self) -> Option<&managed::ManagedLocator> {
        match self {
            HomeRef::Managed(r) => Some(&r.managed),
            _ => None,
        }
    }
}

/// The home of one profile, one variant per implementation.
#[derive(Debug)]
pub enum Home<'a> {
    Files(FilesHome<'a>),
    Keystore(Box<KeystoreHome>),
    Managed(managed::ManagedHome),
}

impl KeyHome for Home<'_> {
    fn describe(&self) -> String {
        match self {
            Home::Files(h) => h.describe(),
            Home::Keystore(h) => h.describe(),
            Home::Managed(h) => h.describe(),
        }
    }
    fn locator(&self) -> HomeRef {
        match self {
            Home::Files(h) => h.locator(),
            Home::Keystore(h) => h.locator(),
            Home::Managed(h) => h.locator(),
        }
    }
    fn lock(&self) -> Result<HomeLock, HomeError> {
        match self {
            Home::Files(h) => h.lock(),
            Home::Keystore(h) => h.lock(),
            Home::Managed(h) => h.lock(),
        }
    }
    async fn read(&self) -> Result<Option<(String, Secret)>, HomeError> {
        match self {
            Home::Files(h) => h.read().await,
            Home::Keystore(h) => h.read().await,
            Home::Managed(h) => h.read().await,
        }
    }
    async fn write(&self, from: &str, to: &str, secret: &Secret) -> Result<Written, HomeError> {
        match self {
            Home::Files(h) => h.write(from, to, secret).await,
            Home::Keystore(h) => h.write(from, to, secret).await,
            Home::Managed(h) => h.write(from, to, secret).await,
        }
    }
    async fn holding(&self, key_id: &str) -> Result<Vec<Place>, HomeError> {
        match self {
            Home::Files(h) => h.holding(key_id).await,
            Home::Keystore(h) => h.holding(key_id).await,
            Home::Managed(h) => h.holding(key_id).await,
        }
    }
    async fn after_write(&self) -> Result<(), HomeError> {
        match self {
            Home::Files(h) => h.after_write().await,
            Home::Keystore(h) => h.after_write().await,
            Home::Managed(h) => h.after_write().await,
        }
    }
}

/// A profile's key as found, with the home that holds it.
#[derive(Debug)]
pub struct Found<'a> {
    /// The pair, the profile's region and MFA device, and (files) the
    /// sections sharing it.
    pub key: StaticKey,
    pub home: Home<'a>,
}

/// A profile's home, or why it has none that can rotate.
pub type FoundOr<'a> = Result<Found<'a>, Refusal>;

/// The run's view of every home.
#[derive(Clone, Copy, Debug)]
pub struct Homes<'a> {
    pub paths: &'a Paths,
    /// The file locks the run holds.
    pub locks: &'a [FileLock],
    pub keep_backups: usize,
    /// Homes opened for a new rotation keep sharers in step.
    pub update_shared: bool,
    /// aws-vault's and granted's keyrings (`--store` and their settings);
    /// None: the files only.
    pub keystores: Option<&'a Keystores>,
}

impl<'a> Homes<'a> {
    /// Each profile's home, in order (one read of the files for all):
    /// the files, else a keystore ([`keystore::find_all`]). Async: finding
    /// a keystore item asks the keyring.
    pub async fn find_all(
        &self,
        profiles: &[String],
    ) -> Result<Vec<(String, FoundOr<'a>)>, HomeError> {
        let found = files::find_all(self, profiles)?;
        match self.keystores {
            None => Ok(found),
            Some(k) => keystore::find_all(self.paths, k, found).await,
        }
    }

    /// The home a journal names.
    pub fn open(&self, profile: &str, r: &HomeRef) -> Home<'a> {
        match r {
            HomeRef::Files(r) => Home::Files(FilesHome::open(self, profile, r.clone())),
            HomeRef::Keystore(r) => {
                Home::Keystore(Box::new(KeystoreHome::reopen(&r.keystore, self.keystores)))
            }
            HomeRef::Managed(r) => Home::Managed(managed::ManagedHome {
                r: r.clone(),
                lock_wait: std::time::Duration::from_secs(10),
            }),
        }
    }

    /// Every folder that may hold journals and attempt records.
    pub fn state_dirs(&self) -> Result<Vec<PathBuf>, HomeError> {
        files::state_dirs(self.paths)
    }

    /// The list of keys keyturn made Inactive (beside the credentials file).
    pub fn retired_path(&self) -> Option<PathBuf> {
        files::retired_path(self.paths)
    }
}
