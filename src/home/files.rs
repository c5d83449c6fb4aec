//! The credentials and config files as a [`KeyHome`]: a profile's home
//! section, plus every section of either file holding the same key id
//! when sharers are kept in step (`update_shared`). Reads parse both
//! files as botocore does ([`crate::profile`]); writes go through
//! [`store::rewrite`] under the run's file locks, one lock-read-write
//! cycle per file, changing only the bytes of the rotated values, each
//! write backed up first.
//!
//! Invariant: nothing here writes a file the run holds no lock for (a
//! file that did not exist when the run began is never created).

use super::{Found, HomeError, HomeLock, HomeRef, Homes, KeyHome, Written};
use crate::ini::Document;
use crate::profile::{self, FileKind, Files, Place, Refusal};
use crate::secret::Secret;
use crate::store::{self, FileLock, Snapshot};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The two shared files, as the user named them.
#[derive(Clone, Debug)]
pub struct Paths {
    pub credentials: PathBuf,
    pub config: PathBuf,
}

/// Both files as read and parsed.
pub(crate) struct Loaded {
    pub(crate) creds: Snapshot,
    pub(crate) conf: Snapshot,
    creds_doc: Option<Document>,
    conf_doc: Option<Document>,
}

impl Loaded {
    pub(crate) fn files<'a>(&'a self, paths: &'a Paths) -> Files<'a> {
        Files {
            credentials: self.creds_doc.as_ref(),
            credentials_path: &paths.credentials,
            config: self.conf_doc.as_ref(),
            config_path: &paths.config,
        }
    }
}

fn parse(snap: &Snapshot, shown: &Path) -> Result<Option<Document>, Refusal> {
    match &snap.bytes {
        None => Ok(None),
        Some(b) => Document::parse_bytes(b)
            .map(Some)
            .map_err(|e| Refusal::Unparsable {
                path: shown.to_path_buf(),
                line: e.line,
                detail: e.to_string(),
            }),
    }
}

/// Locks both files (existing ones only: a lock must not create
/// `~/.aws`) for the whole run, so two keyturn runs never interleave.
pub fn lock_files(
    paths: &Paths,
    lock_wait: std::time::Duration,
) -> Result<Vec<FileLock>, HomeError> {
    let mut locks: Vec<FileLock> = Vec::new();
    // First make sure each file is one keyturn will write: a regular,
    // writable file the AWS CLI can parse. Only then may `.keyturn` (the
    // lock's folder) appear beside it.
    for p in [&paths.credentials, &paths.config] {
        let snap = store::read(p)?;
        if let Some(doc) = parse(&snap, p)? {
            profile::check_parsable(&doc, p)?;
            store::check_writable(&snap.real)?;
        }
    }
    for p in [&paths.credentials, &paths.config] {
        let real = store::real_path(p)?;
        if real.exists() && !locks.iter().any(|l| l.target == real) {
            locks.push(store::lock(&real, lock_wait)?);
        }
    }
    Ok(locks)
}

pub(crate) fn load(paths: &Paths) -> Result<Loaded, HomeError> {
    let creds = store::read(&paths.credentials)?;
    let conf = store::read(&paths.config)?;
    Ok(Loaded {
        creds_doc: parse(&creds, &paths.credentials)?,
        conf_doc: parse(&conf, &paths.config)?,
        creds,
        conf,
    })
}

/// Every profile either file defines (`rotate --all`), in botocore's
/// order, the files read and parsed as a rotation reads them.
pub fn profile_names(paths: &Paths) -> Result<Vec<String>, HomeError> {
    let loaded = load(paths)?;
    Ok(profile::profile_names(&loaded.files(paths)))
}

/// A files home as the journal stores it: the field names of journal
/// version 1 (`home`, `update_shared`, `credentials_file`, `config_file`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilesRef {
    /// The section the profile's key is read from.
    pub home: Place,
    /// Every section sharing the key is rewritten too.
    pub update_shared: bool,
    /// The real paths (symlinks followed) when the rotation began.
    pub credentials_file: PathBuf,
    pub config_file: PathBuf,
}

impl FilesRef {
    /// The real path of the file holding the home section.
    pub fn home_file(&self) -> &Path {
        match self.home.file {
            FileKind::Credentials => &self.credentials_file,
            // A files home is in a file (a journal never names a keyring).
            FileKind::Config | FileKind::Keystore => &self.config_file,
        }
    }

    pub(crate) fn state_dir(&self) -> PathBuf {
        self.home_file()
            .parent()
            .unwrap_or(Path::new("."))
            .join(store::STATE_DIR)
    }
}

/// One profile's key in the shared files.
#[derive(Clone, Debug)]
pub struct FilesHome<'a> {
    paths: &'a Paths,
    locks: &'a [FileLock],
    keep_backups: usize,
    profile: String,
    r: FilesRef,
}

/// One pair to swap in the files: wherever `from` is the key id, write
/// (`to`, `secret`); only in the home section when `only` is set.
struct Swap<'a> {
    from: &'a str,
    to: &'a str,
    secret: &'a Secret,
    only: Option<&'a str>,
    home: FileKind,
    profile: &'a str,
}

impl<'a> FilesHome<'a> {
    pub(crate) fn open(homes: &Homes<'a>, profile: &str, r: FilesRef) -> FilesHome<'a> {
        FilesHome {
            paths: homes.paths,
            locks: homes.locks,
            keep_backups: homes.keep_backups,
            profile: profile.to_string(),
            r,
        }
    }

    fn swap<'s>(&'s self, from: &'s str, to: &'s str, secret: &'s Secret) -> Swap<'s> {
        Swap {
            from,
            to,
            secret,
            only: (!self.r.update_shared).then_some(self.r.home.section.as_str()),
            home: self.r.home.file,
            profile: &self.profile,
        }
    }

    /// Writes the pairs of a whole round of rotations, one
    /// lock-read-write cycle per file (not one per profile). Returns the
    /// backups made.
    pub fn write_together(
        items: &[(&FilesHome<'_>, &str, &str, &Secret)],
    ) -> Result<Vec<PathBuf>, HomeError> {
        let Some((first, ..)) = items.first() else {
            return Ok(Vec::new());
        };
        let swaps: Vec<Swap> = items
            .iter()
            .map(|(h, from, to, secret)| h.swap(from, to, secret))
            .collect();
        let (_, backups) = first.rewrite_files(&swaps)?;
        Ok(backups)
    }

    /// Applies pair swaps to both files, one lock-read-write cycle per file,
    /// under the locks held for the run. The edit is a function of the
    /// file's content, so the store can re-apply it if the file changed.
    fn rewrite_files(&self, swaps: &[Swap]) -> Result<(usize, Vec<PathBuf>), HomeError> {
        let mut changed = 0;
        let mut backups = Vec::new();
        for (kind, shown) in [
            (FileKind::Credentials, &self.paths.credentials),
            (FileKind::Config, &self.paths.config),
        ] {
            let snap = store::read(shown)?;
            let Some(lock) = self.locks.iter().find(|l| l.target == snap.real) else {
                // The file did not exist when the run began: nothing of ours.
                continue;
            };
            let edit = |bytes: &[u8]| -> Result<Option<Vec<u8>>, HomeError> {
                let mut doc = Document::parse_bytes(bytes).map_err(|e| Refusal::Unparsable {
                    path: shown.clone(),
                    line: e.line,
                    detail: e.to_string(),
                })?;
                let mut n = 0;
                for sw in swaps
                    .iter()
                    .filter(|sw| sw.only.is_none() || sw.home == kind)
                {
                    n += profile::replace_pair(&mut doc, sw.from, sw.to, sw.secret, sw.only)
                        .map_err(|e| HomeError::Stuck {
                            profile: sw.profile.to_string(),
                            detail: e.to_string(),
                        })?;
                }
                Ok((n > 0).then(|| doc.render().into_bytes()))
            };
            let out = store::rewrite(lock, &snap, self.keep_backups, &edit)??;
            if !out.unchanged {
                changed += 1;
                backups.extend(out.backup);
            }
        }
        Ok((changed, backups))
    }

    fn shown_home_file(&self) -> &Path {
        match self.r.home.file {
            FileKind::Credentials => &self.paths.credentials,
            FileKind::Config | FileKind::Keystore => &self.paths.config,
        }
    }
}

impl KeyHome for FilesHome<'_> {
    fn describe(&self) -> String {
        self.shown_home_file().display().to_string()
    }

    fn locator(&self) -> HomeRef {
        HomeRef::Files(self.r.clone())
    }

    fn lock(&self) -> Result<HomeLock, HomeError> {
        // The run's caller locked both files before reading them.
        Ok(HomeLock::default())
    }

    async fn read(&self) -> Result<Option<(String, Secret)>, HomeError> {
        let loaded = load(self.paths)?;
        Ok(profile::resolve(&loaded.files(self.paths), &self.profile)
            .ok()
            .map(|k| (k.access_key_id, k.secret)))
    }

    async fn write(&self, from: &str, to: &str, secret: &Secret) -> Result<Written, HomeError> {
        let (changed, backups) = self.rewrite_files(&[self.swap(from, to, secret)])?;
        Ok(Written {
            changed: changed > 0,
            backups,
        })
    }

    async fn holding(&self, key_id: &str) -> Result<Vec<Place>, HomeError> {
        let loaded = load(self.paths)?;
        let mut places = profile::places_holding(&loaded.files(self.paths), key_id);
        // With --only-named, sharers keep the old key on purpose: they are
        // not this home's.
        if !self.r.update_shared {
            places.retain(|p| p.file == self.r.home.file && p.section == self.r.home.section);
        }
        Ok(places)
    }
}

#[allow(clippy::type_complexity)]
pub(crate) fn find_all<'a>(
    homes: &Homes<'a>,
    profiles: &[String],
) -> Result<Vec<(String, super::FoundOr<'a>)>, HomeError> {
    let loaded = load(homes.paths)?;
    let files = loaded.files(homes.paths);
    Ok(profiles
        .iter()
        .map(|p| {
            let found = profile::resolve(&files, p).map(|key| {
                let r = FilesRef {
                    home: key.home.clone(),
                    update_shared: homes.update_shared,
                    credentials_file: loaded.creds.real.clone(),
                    config_file: loaded.conf.real.clone(),
                };
                Found {
                    home: super::Home::Files(FilesHome::open(homes, p, r)),
                    key,
                }
            });
            (p.clone(), found)
        })
        .collect())
}

/// The folders beside either file holding keyturn's state.
pub(crate) fn state_dirs(paths: &Paths) -> Result<Vec<PathBuf>, HomeError> {
    let mut dirs = Vec::new();
    for p in [&paths.credentials, &paths.config] {
        let real = store::real_path(p)?;
        let d = real
            .parent()
            .unwrap_or(Path::new("."))
            .join(store::STATE_DIR);
        if !dirs.contains(&d) {
            dirs.push(d);
        }
    }
    Ok(dirs)
}

/// Keys keyturn itself made Inactive, so a later rotate may delete them
/// without asking. Ids only, no secrets.
pub(crate) fn retired_path(paths: &Paths) -> Option<PathBuf> {
    let real = store::real_path(&paths.credentials).ok()?;
    Some(real.parent()?.join(store::STATE_DIR).join("retired-keys"))
}
