//! A long-term key kept in aws-vault's keyring or granted's secure storage
//! instead of the AWS files: where a profile's key lives ([`detect`], pure,
//! then [`resolve`], which looks into the keyring), and [`KeystoreHome`],
//! which reads and writes that one item and purges the tool's cached
//! sessions after a rotation.
//!
//! Detection (`--store auto`, the default), in order:
//! 1. the files, when they hold a key the AWS CLI would use (as today);
//! 2. aws-vault, when the profile's `credential_process` runs `aws-vault
//!    export …` (its flags, `--backend=` included, choose the keyring);
//! 3. granted, when it runs `granted credential-process`;
//! 4. aws-vault, when the files hold no key for the profile (no section, no
//!    keys, or a role whose `source_profile` chain has none) and aws-vault's
//!    keyring holds an item for the profile or its `source_profile` chain.
//!    A keyring that cannot be opened here leaves the files' refusal.
//!
//! `--store files|aws-vault|granted` forces one of them.
//!
//! Invariants:
//! - Only the one item holding the key is written, and only the two values
//!   inside its credentials JSON change ([`crate::keystore::Item::with_key_pair`]);
//!   the purge deletes only session items of the profile and its source
//!   chain. Nothing else in the keyring is touched.
//! - [`KeystoreRef`], what the journal keeps to reopen the home after a
//!   crash, holds no secret: a file keyring's passphrase is read again from
//!   the tool's variable, or asked again on the terminal
//!   ([`crate::keystore::passphrase`], once per run).

use super::{Found, Home, HomeError, HomeLock, HomeRef, KeyHome, Paths, Written};
use crate::ini::Document;
use crate::keystore::awsvault::{self, ProcessLine};
use crate::keystore::file::FileStore;
use crate::keystore::granted::{self, KeyringConfig};
use crate::keystore::pass::PassStore;
use crate::keystore::passphrase::Passphrases;
use crate::keystore::secret_service::SecretServiceStore;
use crate::keystore::settings::{self, KeystoreEnv, StoreConfig};
use crate::keystore::{Backend, Item, ItemStore, KeyPair, KeystoreError, PutOutcome, Tool};
use crate::profile::{self, FileKind, Files, Place, Refusal, StaticKey};
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where `--store` says a profile's key lives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StoreChoice {
    /// Detect it (the default).
    #[default]
    Auto,
    Files,
    AwsVault,
    Granted,
}

impl StoreChoice {
    /// `--store`'s value names.
    pub const NAMES: &'static [&'static str] = &["auto", "files", "aws-vault", "granted"];

    /// `--store`'s parser (clap's `value_parser`); says which names exist.
    pub fn parse_arg(s: &str) -> Result<StoreChoice, String> {
        StoreChoice::parse(s).ok_or_else(|| format!("one of {}", StoreChoice::NAMES.join(", ")))
    }

    pub fn name(self) -> &'static str {
        match self {
            StoreChoice::Auto => "auto",
            StoreChoice::Files => "files",
            StoreChoice::AwsVault => "aws-vault",
            StoreChoice::Granted => "granted",
        }
    }

    pub fn parse(s: &str) -> Option<StoreChoice> {
        match s {
            "auto" => Some(StoreChoice::Auto),
            "files" => Some(StoreChoice::Files),
            "aws-vault" => Some(StoreChoice::AwsVault),
            "granted" => Some(StoreChoice::Granted),
            _ => None,
        }
    }
}

/// What the files alone say about where a profile's key lives.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Detection {
    /// In the files (today's rotation).
    Files(Box<StaticKey>),
    /// In aws-vault's keyring. `line`: the `credential_process` line, when
    /// it runs `aws-vault export`. `lookup`: the profile whose item (or
    /// whose `source_profile` chain's item) holds the key. `chain`: the
    /// profiles whose cached sessions go after a rotation. `otherwise`:
    /// the files' refusal, given when the keyring holds no item (detection
    /// by probing); `None` when the files point at aws-vault.
    AwsVault {
        line: Option<ProcessLine>,
        lookup: String,
        chain: Vec<String>,
        otherwise: Option<Refusal>,
    },
    /// In granted's storage, item `item` (the profile its
    /// `credential_process` line names).
    Granted { item: String, chain: Vec<String> },
    /// Nowhere keyturn can rotate.
    Refused(Refusal),
}

/// `key` of `profile`'s own config-file section (aws-vault reads the config
/// file only).
fn config_value(files: &Files, profile: &str, key: &str) -> Option<String> {
    let doc = files.config?;
    doc.config_section(profile)
        .and_then(|s| s.get(key))
        .map(|e| e.value.clone())
}

/// `credential_process` as botocore sees it: the credentials file's section
/// over the config file's, `[DEFAULT]` included.
fn process_value(files: &Files, profile: &str) -> Option<String> {
    let get = |doc: Option<&Document>, config: bool| -> Option<String> {
        let doc = doc?;
        let section = if config {
            doc.config_section(profile)?
        } else {
            doc.section(profile)?
        };
        doc.lookup(section, "credential_process")
            .map(|(e, _)| e.value.clone())
    };
    get(files.credentials, false).or_else(|| get(files.config, true))
}

/// `profile` and its `source_profile` chain, from the config file.
pub fn chain_of(files: &Files, profile: &str) -> Vec<String> {
    awsvault::source_chain(profile, |p| config_value(files, p, "source_profile"))
}

fn union(mut a: Vec<String>, b: Vec<String>) -> Vec<String> {
    for p in b {
        if !a.contains(&p) {
            a.push(p);
        }
    }
    a
}

/// Where `profile`'s key lives, as far as the files tell (pure).
pub fn detect(files: &Files, profile: &str, choice: StoreChoice) -> Detection {
    let line = process_value(files, profile);
    let vault_line = line.as_deref().and_then(awsvault::parse_process_line);
    let granted_item = line.as_deref().and_then(granted::parse_process_line);
    let aws_vault = |otherwise: Option<Refusal>| {
        let lookup = vault_line
            .as_ref()
            .map(|l| l.profile.clone())
            .unwrap_or_else(|| profile.to_string());
        Detection::AwsVault {
            chain: union(chain_of(files, profile), chain_of(files, &lookup)),
            line: vault_line.clone(),
            lookup,
            otherwise,
        }
    };
    let granted = || {
        let item = granted_item.clone().unwrap_or_else(|| profile.to_string());
        Detection::Granted {
            chain: union(chain_of(files, profile), vec![item.clone()]),
            item,
        }
    };
    match choice {
        StoreChoice::Files => match profile::resolve(files, profile) {
            Ok(k) => Detection::Files(Box::new(k)),
            Err(r) => Detection::Refused(r),
        },
        StoreChoice::AwsVault => aws_vault(None),
        StoreChoice::Granted => granted(),
        StoreChoice::Auto => match profile::resolve(files, profile) {
            Ok(k) => Detection::Files(Box::new(k)),
            Err(r @ Refusal::Process { .. }) => {
                if vault_line.is_some() {
                    aws_vault(None)
                } else if granted_item.is_some() {
                    granted()
                } else {
                    Detection::Refused(r)
                }
            }
            Err(
                r @ (Refusal::NotFound { .. }
                | Refusal::NoKeys { .. }
                | Refusal::Role {
                    source_profile: Some(_),
                    ..
                }),
            ) => aws_vault(Some(r)),
            Err(r) => Detection::Refused(r),
        },
    }
}

/// A configured backend without its secret: what the journal keeps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "backend", rename_all = "kebab-case")]
pub enum StoreRef {
    File {
        dir: PathBuf,
    },
    Pass {
        cmd: String,
        dir: PathBuf,
        prefix: String,
    },
    SecretService {
        collection: String,
    },
}

impl StoreRef {
    fn of(c: &StoreConfig) -> StoreRef {
        match c {
            StoreConfig::File { dir, .. } => StoreRef::File { dir: dir.clone() },
            StoreConfig::Pass { cmd, dir, prefix } => StoreRef::Pass {
                cmd: cmd.clone(),
                dir: dir.clone(),
                prefix: prefix.clone(),
            },
            StoreConfig::SecretService { collection } => StoreRef::SecretService {
                collection: collection.clone(),
            },
        }
    }

    fn backend(&self) -> Backend {
        match self {
            StoreRef::File { .. } => Backend::File,
            StoreRef::Pass { .. } => Backend::Pass,
            StoreRef::SecretService { .. } => Backend::SecretService,
        }
    }
}

/// Where a keystore-held key lives, serde-able for the journal so that
/// `recover` reopens the same item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeystoreRef {
    pub tool: ToolName,
    pub profile: String,
    pub item: String,
    pub chain: Vec<String>,
    pub store: StoreRef,
    /// granted's session cache (aws-vault keeps sessions in `store`).
    #[serde(default)]
    pub sessions: Option<StoreRef>,
    /// The folder whose `.keyturn` holds the lock (the credentials file's).
    pub state_anchor: PathBuf,
}

/// [`Tool`], serde-able.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ToolName {
    AwsVault,
    Granted,
}

impl From<ToolName> for Tool {
    fn from(t: ToolName) -> Tool {
        match t {
            ToolName::AwsVault => Tool::AwsVault,
            ToolName::Granted => Tool::Granted,
        }
    }
}

impl From<Tool> for ToolName {
    fn from(t: Tool) -> ToolName {
        match t {
            Tool::AwsVault => ToolName::AwsVault,
            Tool::Granted => ToolName::Granted,
        }
    }
}

/// One opened backend.
pub enum AnyStore {
    File(FileKeyring),
    Pass(PassStore),
    SecretService(SecretServiceStore),
}

/// A file keyring whose passphrase is known, or asked the first time an
/// item is decrypted or encrypted (listing and deleting item names needs
/// none, so a purge or a lookup never asks).
pub struct FileKeyring {
    names: FileStore,
    given: Option<Secret>,
    ask: Passphrases,
    opened: OnceCell<FileStore>,
    tool: &'static str,
    var: &'static str,
}

impl AnyStore {
    /// Opens `c` for `tool`.
    pub fn open(tool: Tool, c: &StoreConfig) -> AnyStore {
        match c {
            StoreConfig::File {
                dir,
                passphrase,
                passphrase_var,
                ask,
            } => AnyStore::File(FileKeyring {
                // Names only: the directory listing needs no passphrase.
                names: FileStore::new(dir, Secret::new("")),
                given: passphrase.clone(),
                ask: ask.clone(),
                opened: OnceCell::new(),
                tool: tool.name(),
                var: passphrase_var,
            }),
            StoreConfig::Pass { cmd, dir, prefix } => {
                AnyStore::Pass(PassStore::new(cmd, dir, prefix))
            }
            StoreConfig::SecretService { collection } => {
                AnyStore::SecretService(SecretServiceStore::new(collection))
            }
        }
    }
}

impl FileKeyring {
    /// The keyring with its passphrase: the tool's variable, else the
    /// run's answer on the terminal, else the refusal naming the variable.
    fn unlocked(&self) -> Result<&FileStore, KeystoreError> {
        if let Some(f) = self.opened.get() {
            return Ok(f);
        }
        let dir = self.names.dir();
        let passphrase = self.given.clone().or_else(|| self.ask.get(dir)).ok_or(
            KeystoreError::NoPassphrase {
                tool: self.tool,
                var: self.var,
            },
        )?;
        Ok(self.opened.get_or_init(|| FileStore::new(dir, passphrase)))
    }
}

impl ItemStore for AnyStore {
    fn backend(&self) -> Backend {
        match self {
            AnyStore::File(..) => Backend::File,
            AnyStore::Pass(_) => Backend::Pass,
            AnyStore::SecretService(_) => Backend::SecretService,
        }
    }
    async fn get(&self, key: &str) -> Result<Option<Item>, KeystoreError> {
        match self {
            AnyStore::File(f) => f.unlocked()?.get(key).await,
            AnyStore::Pass(s) => s.get(key).await,
            AnyStore::SecretService(s) => s.get(key).await,
        }
    }
    async fn put(&self, item: &Item) -> Result<PutOutcome, KeystoreError> {
        match self {
            AnyStore::File(f) => f.unlocked()?.put(item).await,
            AnyStore::Pass(s) => s.put(item).await,
            AnyStore::SecretService(s) => s.put(item).await,
        }
    }
    async fn delete(&self, key: &str) -> Result<bool, KeystoreError> {
        match self {
            AnyStore::File(f) => f.names.delete(key).await,
            AnyStore::Pass(s) => s.delete(key).await,
            AnyStore::SecretService(s) => s.delete(key).await,
        }
    }
    async fn keys(&self) -> Result<Vec<String>, KeystoreError> {
        match self {
            AnyStore::File(f) => f.names.keys().await,
            AnyStore::Pass(s) => s.keys().await,
            AnyStore::SecretService(s) => s.keys().await,
        }
    }
}

/// One profile's key in a keyring item.
pub struct KeystoreHome {
    pub tool: Tool,
    pub profile: String,
    /// The item holding the key (the profile, or one of its source chain).
    pub item: String,
    /// The profiles whose cached sessions go after a rotation.
    pub chain: Vec<String>,
    pub store: StoreConfig,
    /// granted's session cache.
    pub sessions: Option<StoreConfig>,
    pub state_anchor: PathBuf,
    /// How long [`KeyHome::lock`] waits for another keyturn run.
    pub lock_wait: Duration,
}

const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(10);

impl std::fmt::Debug for KeystoreHome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Why the key could not be found in a keystore.
fn no_item(tool: Tool, profile: &str, store: &StoreConfig) -> KeystoreError {
    KeystoreError::NoItem {
        tool: tool.name(),
        profile: profile.to_string(),
        backend: store.backend().name(),
    }
}

impl KeystoreHome {
    /// For messages: `aws-vault (file) item dev`.
    pub fn describe(&self) -> String {
        format!(
            "{} ({}) item {}",
            self.tool.name(),
            self.store.backend().name(),
            self.item
        )
    }

    /// The store's name for `status`: `aws-vault` / `granted`.
    pub fn store_name(&self) -> &'static str {
        self.tool.name()
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// The variable a schedule must set for this home, if any (a file
    /// keyring's passphrase: asked on a terminal, and a job has none).
    pub fn needs_variable(&self) -> Option<&'static str> {
        match (&self.store, self.tool) {
            (StoreConfig::File { passphrase_var, .. }, Tool::AwsVault) => Some(passphrase_var),
            _ => None,
        }
    }

    pub fn keystore_ref(&self) -> KeystoreRef {
        KeystoreRef {
            tool: self.tool.into(),
            profile: self.profile.clone(),
            item: self.item.clone(),
            chain: self.chain.clone(),
            store: StoreRef::of(&self.store),
            sessions: self.sessions.as_ref().map(StoreRef::of),
            state_anchor: self.state_anchor.clone(),
        }
    }

    /// Reopens the home a journal names; the passphrase comes from the
    /// run's environment (none: a file keyring refuses to open).
    pub fn reopen(r: &KeystoreRef, k: Option<&Keystores>) -> KeystoreHome {
        let empty;
        let env = match k {
            Some(k) => &k.env,
            None => {
                empty = KeystoreEnv::new(
                    r.state_anchor.clone(),
                    settings::Platform::current(),
                    std::iter::empty(),
                );
                &empty
            }
        };
        let tool: Tool = r.tool.into();
        let config = |s: &StoreRef| match s {
            StoreRef::File { dir } => {
                let (var, passphrase, ask) = match tool {
                    Tool::AwsVault => (
                        "AWS_VAULT_FILE_PASSPHRASE",
                        env.lookup("AWS_VAULT_FILE_PASSPHRASE").map(Secret::new),
                        env.passphrases.clone(),
                    ),
                    Tool::Granted => (
                        "CF_KEYRING_FILE_PASSWORD",
                        Some(Secret::new(
                            env.lookup("CF_KEYRING_FILE_PASSWORD").unwrap_or_default(),
                        )),
                        Passphrases::default(),
                    ),
                };
                StoreConfig::File {
                    dir: dir.clone(),
                    passphrase,
                    passphrase_var: var,
                    ask,
                }
            }
            StoreRef::Pass { cmd, dir, prefix } => StoreConfig::Pass {
                cmd: cmd.clone(),
                dir: dir.clone(),
                prefix: prefix.clone(),
            },
            StoreRef::SecretService { collection } => StoreConfig::SecretService {
                collection: collection.clone(),
            },
        };
        KeystoreHome {
            tool,
            profile: r.profile.clone(),
            item: r.item.clone(),
            chain: r.chain.clone(),
            store: config(&r.store),
            sessions: r.sessions.as_ref().map(config),
            state_anchor: r.state_anchor.clone(),
            lock_wait: k.map_or(DEFAULT_LOCK_WAIT, |k| k.lock_wait),
        }
    }

    /// The path [`crate::store::lock`] locks for this home: a name under
    /// the credentials file's folder (the lock itself goes in its
    /// `.keyturn`), one per keyring.
    pub fn lock_target(&self) -> PathBuf {
        let r = StoreRef::of(&self.store);
        let text = serde_json::to_string(&r).unwrap_or_default();
        let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        self.state_anchor.join(format!(
            "keystore-{}-{}-{hash:016x}",
            self.tool.name(),
            r.backend().name()
        ))
    }

    fn open(&self) -> AnyStore {
        AnyStore::open(self.tool, &self.store)
    }

    /// The item, as stored.
    pub async fn read_item(&self) -> Result<Option<Item>, KeystoreError> {
        self.open().get(&self.item).await
    }

    /// The long-term key pair the item holds; `None` if there is no item.
    pub async fn read_pair(&self) -> Result<Option<KeyPair>, KeystoreError> {
        match self.read_item().await? {
            None => Ok(None),
            Some(item) => item.key_pair().map(Some),
        }
    }

    /// Replaces the pair `from` by (`to`, `secret`) if the item holds
    /// `from` (only the two values change); `None` if it holds another key
    /// (an item already holding (`to`, `secret`) counts as written).
    /// Returns what the store reports ([`PutOutcome`]).
    pub async fn write_pair(
        &self,
        from: &str,
        to: &str,
        secret: &Secret,
    ) -> Result<Option<PutOutcome>, KeystoreError> {
        let store = self.open();
        let Some(item) = store.get(&self.item).await? else {
            return Ok(None);
        };
        let pair = item.key_pair()?;
        // Already written (a rerun after a crash between the write and the
        // session purge): counts as written, so the purge runs again.
        if pair.access_key_id == to && pair.secret_access_key.expose() == secret.expose() {
            return Ok(Some(PutOutcome::default()));
        }
        if pair.access_key_id != from {
            return Ok(None);
        }
        let new = item.with_key_pair(&KeyPair {
            access_key_id: to.to_string(),
            secret_access_key: secret.clone(),
        })?;
        store.put(&new).await.map(Some)
    }

    /// Whether the item now holds exactly (`key_id`, `secret`) — the
    /// confirm-before-retire re-read.
    pub async fn holds(
        &self,
        key_id: &str,
        secret: Option<&Secret>,
    ) -> Result<bool, KeystoreError> {
        Ok(self.read_pair().await?.is_some_and(|p| {
            p.access_key_id == key_id
                && secret.is_none_or(|s| s.expose() == p.secret_access_key.expose())
        }))
    }

    /// Deletes the tool's cached sessions of the profile and its source
    /// chain; returns the keys deleted.
    pub async fn purge_sessions(&self) -> Result<Vec<String>, KeystoreError> {
        type Pick = fn(&[String], &[String]) -> Vec<String>;
        let (store, pick): (AnyStore, Pick) = match (&self.sessions, self.tool) {
            (Some(s), _) => (AnyStore::open(self.tool, s), granted::sessions_to_purge),
            (None, Tool::Granted) => return Ok(Vec::new()),
            (None, Tool::AwsVault) => (self.open(), awsvault::sessions_to_purge),
        };
        let keys = match store.keys().await {
            Ok(k) => k,
            // No session cache at all: nothing to purge.
            Err(KeystoreError::CollectionMissing { .. }) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut gone = Vec::new();
        for k in pick(&self.chain, &keys) {
            if store.delete(&k).await? {
                gone.push(k);
            }
        }
        Ok(gone)
    }
}

/// The variable a scheduled job must have for `profile` when its key is in
/// a file keyring that would prompt (aws-vault's passphrase; granted's
/// defaults to empty), as far as the files and settings tell (pure).
pub fn schedule_needs(
    files: &Files,
    profile: &str,
    choice: StoreChoice,
    env: &KeystoreEnv,
) -> Option<&'static str> {
    match detect(files, profile, choice) {
        Detection::AwsVault { line, .. } => match settings::aws_vault(env, line.as_ref()) {
            Ok(StoreConfig::File { passphrase_var, .. }) => Some(passphrase_var),
            _ => None,
        },
        _ => None,
    }
}

/// What [`resolve`] found.
#[derive(Debug)]
pub enum Resolved {
    Files(Box<StaticKey>),
    Keystore(Box<KeystoreHome>),
    Refused(Refusal),
}

/// granted's `[Keyring]` settings and folder, read from disk.
fn granted_config(env: &KeystoreEnv) -> Result<(KeyringConfig, PathBuf), KeystoreError> {
    let dot = env.home.join(".granted");
    let gdir = granted::granted_dir(&env.home, env.var("XDG_CONFIG_HOME"), dot.is_dir());
    let path = gdir.join("config");
    let cfg = match std::fs::read_to_string(&path) {
        Ok(text) => granted::parse_config(&text, &path)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => KeyringConfig::default(),
        Err(source) => return Err(KeystoreError::Io { path, source }),
    };
    Ok((cfg, gdir))
}

/// Where `profile`'s key lives: [`detect`], then a look into the keyring
/// it points at. `state_anchor`: the credentials file's folder.
pub async fn resolve(
    files: &Files<'_>,
    profile: &str,
    choice: StoreChoice,
    env: &KeystoreEnv,
    state_anchor: &Path,
) -> Result<Resolved, KeystoreError> {
    let at = Lookup {
        files,
        profile,
        env,
        state_anchor,
    };
    match detect(files, profile, choice) {
        Detection::Files(k) => Ok(Resolved::Files(k)),
        Detection::Refused(r) => Ok(Resolved::Refused(r)),
        Detection::AwsVault {
            line,
            lookup,
            chain,
            otherwise,
        } => at.aws_vault(line, lookup, chain, otherwise).await,
        Detection::Granted { item, chain } => at.granted(item, chain).await,
    }
}

/// One profile's look into a keyring ([`resolve`]).
struct Lookup<'a, 'f> {
    files: &'a Files<'f>,
    profile: &'a str,
    env: &'a KeystoreEnv,
    state_anchor: &'a Path,
}

impl Lookup<'_, '_> {
    fn home(
        &self,
        tool: Tool,
        item: String,
        chain: Vec<String>,
        store: StoreConfig,
        sessions: Option<StoreConfig>,
    ) -> Resolved {
        Resolved::Keystore(Box::new(KeystoreHome {
            tool,
            profile: self.profile.to_string(),
            item,
            chain,
            store,
            sessions,
            state_anchor: self.state_anchor.to_path_buf(),
            lock_wait: DEFAULT_LOCK_WAIT,
        }))
    }

    /// aws-vault's keyring: the item of `lookup` or of its source chain.
    /// `otherwise`: the files' refusal when the keyring was only probed.
    async fn aws_vault(
        &self,
        line: Option<ProcessLine>,
        lookup: String,
        chain: Vec<String>,
        otherwise: Option<Refusal>,
    ) -> Result<Resolved, KeystoreError> {
        let (files, profile) = (self.files, self.profile);
        let probing = otherwise.is_some();
        let fallback = move |e: KeystoreError| match otherwise {
            Some(r) => Ok(Resolved::Refused(r)),
            None => Err(e),
        };
        let store = match settings::aws_vault(self.env, line.as_ref()) {
            Ok(s) => s,
            Err(e) => return fallback(e),
        };
        let keys = match AnyStore::open(Tool::AwsVault, &store).keys().await {
            Ok(k) => k,
            Err(e) => return fallback(e),
        };
        let item = awsvault::credentials_item_for(
            &lookup,
            |p| config_value(files, p, "source_profile"),
            &keys,
        );
        match item {
            Some(item) => Ok(self.home(Tool::AwsVault, item, chain, store, None)),
            None if probing => fallback(no_item(Tool::AwsVault, profile, &store)),
            None => Err(no_item(Tool::AwsVault, &lookup, &store)),
        }
    }

    /// granted's storage: the first of its candidate backends holding `item`.
    async fn granted(&self, item: String, chain: Vec<String>) -> Result<Resolved, KeystoreError> {
        let env = self.env;
        let (cfg, gdir) = granted_config(env)?;
        let candidates = settings::granted(env, &cfg, &gdir)?;
        let mut first_err = None;
        for c in &candidates {
            match AnyStore::open(Tool::Granted, &c.credentials).keys().await {
                Ok(keys) if keys.contains(&item) => {
                    let (store, sessions) = (c.credentials.clone(), Some(c.sessions.clone()));
                    return Ok(self.home(Tool::Granted, item, chain, store, sessions));
                }
                Ok(_) => {}
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        match (candidates.len(), first_err) {
            (1, Some(e)) => Err(e),
            _ => Err(no_item(
                Tool::Granted,
                &item,
                &candidates.first().map(|c| c.credentials.clone()).unwrap_or(
                    StoreConfig::SecretService {
                        collection: granted::IAM_CREDENTIALS.to_string(),
                    },
                ),
            )),
        }
    }
}

/// What a run needs to find and open keystore homes: the tools' settings
/// (from the one environment snapshot), `--store`, and the lock wait.
#[derive(Clone, Debug)]
pub struct Keystores {
    pub env: KeystoreEnv,
    pub choice: StoreChoice,
    pub lock_wait: Duration,
}

/// A keystore home as the journal stores it (flattened into the journal:
/// one member, `keystore`, that no files home has).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeystoreLocator {
    pub keystore: KeystoreRef,
}

impl KeystoreLocator {
    /// Journals of a keystore rotation live beside the credentials file's.
    pub fn state_dir(&self) -> PathBuf {
        self.keystore.state_anchor.join(crate::store::STATE_DIR)
    }
}

/// Where a keystore home reports the key (rotate's `updated`, the
/// confirm-before-retire re-read): the item, named by [`KeystoreHome::describe`].
fn place_of(h: &KeystoreHome) -> Place {
    Place {
        file: FileKind::Keystore,
        section: h.describe(),
        profile: Some(h.profile.clone()),
    }
}

impl KeyHome for KeystoreHome {
    fn describe(&self) -> String {
        KeystoreHome::describe(self)
    }

    fn locator(&self) -> HomeRef {
        HomeRef::Keystore(KeystoreLocator {
            keystore: self.keystore_ref(),
        })
    }

    fn lock(&self) -> Result<HomeLock, HomeError> {
        let lock = crate::store::lock(&self.lock_target(), self.lock_wait)?;
        Ok(HomeLock::of(vec![lock]))
    }

    async fn read(&self) -> Result<Option<(String, Secret)>, HomeError> {
        Ok(self
            .read_pair()
            .await?
            .map(|p| (p.access_key_id, p.secret_access_key)))
    }

    async fn write(&self, from: &str, to: &str, secret: &Secret) -> Result<Written, HomeError> {
        Ok(Written {
            changed: self.write_pair(from, to, secret).await?.is_some(),
            // None: the journal holds the old pair.
            backups: Vec::new(),
        })
    }

    async fn holding(&self, key_id: &str) -> Result<Vec<Place>, HomeError> {
        Ok(if self.holds(key_id, None).await? {
            vec![place_of(self)]
        } else {
            Vec::new()
        })
    }

    async fn after_write(&self) -> Result<(), HomeError> {
        self.purge_sessions().await?;
        Ok(())
    }
}

/// A keystore refusal as the files' [`Refusal`] type (what
/// [`super::Homes::find_all`] returns per profile).
fn refusal(profile: &str, e: KeystoreError) -> Refusal {
    Refusal::Keystore {
        profile: profile.to_string(),
        code: e.code(),
        message: e.to_string(),
    }
}

/// The profile's region and MFA device, as the files' key carries them.
fn config_of(files: &Files, profile: &str, key: &str) -> Option<String> {
    let doc = files.config?;
    let section = doc.config_section(profile)?;
    doc.lookup(section, key).map(|(e, _)| e.value.clone())
}

/// One profile's keystore home and key, if the keyring holds it: `None`
/// when the key is the files' (as [`detect`] says), else the key or why
/// not. Used by [`find_all`] and by `status`.
pub async fn find_one(
    files: &Files<'_>,
    profile: &str,
    k: &Keystores,
    anchor: &Path,
) -> Option<Result<(StaticKey, Box<KeystoreHome>), Refusal>> {
    let p = profile;
    Some(match resolve(files, p, k.choice, &k.env, anchor).await {
        Ok(Resolved::Files(_)) => return None,
        Ok(Resolved::Refused(refused)) => Err(refused),
        Ok(Resolved::Keystore(mut home)) => {
            home.lock_wait = k.lock_wait;
            match home.read_pair().await {
                Ok(Some(pair)) => Ok((
                    StaticKey {
                        profile: p.to_string(),
                        access_key_id: pair.access_key_id,
                        secret: pair.secret_access_key,
                        home: place_of(&home),
                        sharers: Vec::new(),
                        region: config_of(files, p, "region"),
                        mfa_serial: config_of(files, p, "mfa_serial"),
                    },
                    home,
                )),
                Ok(None) => Err(refusal(p, no_item(home.tool, &home.item, &home.store))),
                Err(e) => Err(refusal(p, e)),
            }
        }
        Err(e) => Err(refusal(p, e)),
    })
}

/// Whether `find_one` is asked about a profile the files resolved as
/// `files_said` (a file the AWS CLI cannot parse is always the files').
pub fn worth_asking(files_ok: bool, unparsable: bool, choice: StoreChoice) -> bool {
    match choice {
        StoreChoice::Files => false,
        _ if unparsable => false,
        StoreChoice::Auto => !files_ok,
        StoreChoice::AwsVault | StoreChoice::Granted => true,
    }
}

/// The folder whose `.keyturn` holds a keystore home's journal and lock:
/// the credentials file's.
pub fn anchor_of(credentials_real: &Path) -> PathBuf {
    credentials_real
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// [`super::Homes::find_all`]'s keystore step: every profile the files do
/// not serve (or all of them under `--store aws-vault|granted`) is looked
/// up in the keyring [`detect`] points at.
#[allow(clippy::type_complexity)]
pub(crate) async fn find_all<'a>(
    paths: &Paths,
    k: &Keystores,
    found: Vec<(String, Result<Found<'a>, Refusal>)>,
) -> Result<Vec<(String, Result<Found<'a>, Refusal>)>, HomeError> {
    if k.choice == StoreChoice::Files {
        return Ok(found);
    }
    let loaded = super::files::load(paths)?;
    let files = loaded.files(paths);
    let anchor = anchor_of(&loaded.creds.real);
    let mut out = Vec::with_capacity(found.len());
    for (p, r) in found {
        let unparsable = matches!(r, Err(Refusal::Unparsable { .. }));
        if !worth_asking(r.is_ok(), unparsable, k.choice) {
            out.push((p, r));
            continue;
        }
        match find_one(&files, &p, k, &anchor).await {
            None => out.push((p, r)),
            Some(looked) => {
                let looked = looked.map(|(key, home)| Found {
                    key,
                    home: Home::Keystore(home),
                });
                out.push((p, looked));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn files<'a>(creds: Option<&'a Document>, conf: Option<&'a Document>) -> Files<'a> {
        Files {
            credentials: creds,
            credentials_path: Path::new("/h/.aws/credentials"),
            config: conf,
            config_path: Path::new("/h/.aws/config"),
        }
    }

    fn doc(s: &str) -> Document {
        Document::parse(s)
    }

    #[test]
    fn keys_in_the_files_stay_in_the_files() {
        let c = doc("[dev]\naws_access_key_id = AKIAEXAMPLE000000001\naws_secret_access_key = s\n");
        let f = files(Some(&c), None);
        assert!(matches!(
            detect(&f, "dev", StoreChoice::Auto),
            Detection::Files(_)
        ));
        // Forced: the keyring even so.
        assert!(matches!(
            detect(&f, "dev", StoreChoice::AwsVault),
            Detection::AwsVault {
                otherwise: None,
                ..
            }
        ));
    }

    #[test]
    fn an_aws_vault_process_line_with_its_flags() {
        let conf = doc(
            "[profile dev]\ncredential_process = aws-vault --backend=file --file-dir '/k k' export --format=json --no-session base\n\
             [profile base]\nregion = eu-west-1\n",
        );
        let f = files(None, Some(&conf));
        let Detection::AwsVault {
            line,
            lookup,
            chain,
            otherwise,
        } = detect(&f, "dev", StoreChoice::Auto)
        else {
            panic!()
        };
        let line = line.unwrap();
        assert_eq!(line.backend.as_deref(), Some("file"));
        assert_eq!(line.file_dir.as_deref(), Some("/k k"));
        assert_eq!(lookup, "base");
        assert_eq!(chain, ["dev", "base"]);
        assert!(otherwise.is_none());
    }

    #[test]
    fn a_granted_process_line() {
        let conf =
            doc("[profile dev]\ncredential_process = granted credential-process --profile=gdev\n");
        let f = files(None, Some(&conf));
        let Detection::Granted { item, chain } = detect(&f, "dev", StoreChoice::Auto) else {
            panic!()
        };
        assert_eq!(item, "gdev");
        assert_eq!(chain, ["dev", "gdev"]);
        // Forced to the files: the files' refusal.
        assert!(matches!(
            detect(&f, "dev", StoreChoice::Files),
            Detection::Refused(Refusal::Process { .. })
        ));
    }

    #[test]
    fn another_process_is_refused() {
        let conf = doc("[profile dev]\ncredential_process = /opt/bin/vault-helper dev\n");
        let f = files(None, Some(&conf));
        assert!(matches!(
            detect(&f, "dev", StoreChoice::Auto),
            Detection::Refused(Refusal::Process { .. })
        ));
    }

    #[test]
    fn no_key_in_the_files_probes_aws_vault_along_the_source_chain() {
        let conf = doc(
            "[profile role]\nrole_arn = arn:aws:iam::111122223333:role/r\nsource_profile = base\n\
             [profile base]\nregion = eu-west-1\n[profile empty]\n",
        );
        let f = files(None, Some(&conf));
        let Detection::AwsVault {
            lookup,
            chain,
            otherwise,
            line,
        } = detect(&f, "role", StoreChoice::Auto)
        else {
            panic!()
        };
        assert_eq!((lookup.as_str(), line), ("role", None));
        assert_eq!(chain, ["role", "base"]);
        assert!(matches!(otherwise, Some(Refusal::Role { .. })));
        for p in ["empty", "absent"] {
            assert!(matches!(
                detect(&f, p, StoreChoice::Auto),
                Detection::AwsVault {
                    otherwise: Some(_),
                    ..
                }
            ));
        }
        // A role with no source profile has no key to find.
        let conf =
            doc("[profile r]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n");
        assert!(matches!(
            detect(&files(None, Some(&conf)), "r", StoreChoice::Auto),
            Detection::Refused(_)
        ));
    }

    #[test]
    fn a_schedule_of_a_file_keyring_key_needs_the_passphrase_variable() {
        let conf = doc("[profile dev]\ncredential_process = aws-vault --backend=file export dev\n[profile pass]\ncredential_process = aws-vault --backend=pass export pass\n");
        let f = files(None, Some(&conf));
        let env = KeystoreEnv::new("/h", settings::Platform::Linux, std::iter::empty());
        assert_eq!(
            schedule_needs(&f, "dev", StoreChoice::Auto, &env),
            Some("AWS_VAULT_FILE_PASSPHRASE")
        );
        assert_eq!(schedule_needs(&f, "pass", StoreChoice::Auto, &env), None);
        assert_eq!(schedule_needs(&f, "dev", StoreChoice::Files, &env), None);
    }

    #[test]
    fn store_choice_names() {
        for n in StoreChoice::NAMES {
            assert!(StoreChoice::parse(n).is_some());
        }
        assert_eq!(StoreChoice::parse("keychain"), None);
    }

    #[test]
    fn the_locator_holds_no_secret_and_reopens_the_same_home() {
        let env = KeystoreEnv::new(
            "/h",
            settings::Platform::Linux,
            [(
                "AWS_VAULT_FILE_PASSPHRASE".to_string(),
                "hunter2".to_string(),
            )],
        );
        let home = KeystoreHome {
            tool: Tool::AwsVault,
            profile: "dev".into(),
            item: "base".into(),
            chain: vec!["dev".into(), "base".into()],
            store: StoreConfig::File {
                dir: "/h/.awsvault/keys".into(),
                passphrase: Some(Secret::new("hunter2")),
                passphrase_var: "AWS_VAULT_FILE_PASSPHRASE",
                ask: Passphrases::default(),
            },
            sessions: None,
            state_anchor: "/h/.aws".into(),
            lock_wait: DEFAULT_LOCK_WAIT,
        };
        let r = home.keystore_ref();
        let text = serde_json::to_string(&r).unwrap();
        assert!(!text.contains("hunter2"), "{text}");
        let back: KeystoreRef = serde_json::from_str(&text).unwrap();
        let k = Keystores {
            env,
            choice: StoreChoice::Auto,
            lock_wait: DEFAULT_LOCK_WAIT,
        };
        let again = KeystoreHome::reopen(&back, Some(&k));
        assert_eq!(again.keystore_ref(), r);
        assert!(matches!(
            again.store,
            StoreConfig::File { passphrase: Some(ref p), .. } if p.expose() == "hunter2"
        ));
        assert_eq!(home.describe(), "aws-vault (file) item base");
        // Where rotate reports it updated the key: the item, no file.
        assert_eq!(
            serde_json::to_value(place_of(&home)).unwrap(),
            serde_json::json!({"file": null, "section": "aws-vault (file) item base", "profile": "dev"})
        );
        assert_eq!(home.needs_variable(), Some("AWS_VAULT_FILE_PASSPHRASE"));
        assert!(home
            .lock_target()
            .to_string_lossy()
            .starts_with("/h/.aws/keystore-aws-vault-file-"));
    }
}
