//! The `file` backend of aws-vault and granted: one JWE file per item in a
//! folder (`~/.awsvault/keys/`, `~/.granted/secure-storage-…`).
//!
//! Invariants:
//! - A file's name is the item key with only `%` and `/` escaped (`%25`,
//!   `%2F`), as 99designs/keyring names them; every file in the folder is
//!   an item to the tools, so keyturn never leaves anything else there: a
//!   new file is written beside the folder (same file system), synced,
//!   then renamed in, and the folder synced.
//! - Files are 0600; a missing folder is created 0700, as the tools do.
//! - A symlink in place of the folder or of an item is refused, never
//!   followed (it may point where another user controls).
//! - The folder is trusted as keyturn's own `.keyturn` is
//!   ([`crate::store::check_trusted_dir`]): another user's folder, or one
//!   group or others can write, is refused before any item is read or
//!   written (they could plant an item, or swap one under us).
//! - A folder that is a mount point (a keyring mounted into a container)
//!   takes no rename from beside it (`EXDEV`), and an item file that is
//!   itself bind-mounted takes none at all (`EBUSY`): then the item is
//!   written in place, under the rotation's lock, with its old and new
//!   bytes recorded in keyturn's state folder first
//!   ([`crate::store::write_in_place`]), so a crash mid-write is repaired
//!   when the lock is next taken. A new item there is created in the
//!   folder directly (`O_EXCL`): there is no old item to lose.
//! - The passphrase is held as a [`Secret`]; the caller reads it from the
//!   tool's variable or a prompt.

use super::{jwe, Backend, Item, ItemStore, KeystoreError, PutOutcome};
use crate::secret::Secret;
use crate::store::{self, StoreError};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// A file-backend keyring folder.
#[derive(Debug)]
pub struct FileStore {
    dir: PathBuf,
    passphrase: Secret,
    /// keyturn's state folder, where a write in place keeps its record;
    /// None: an item that cannot be renamed into place is not written.
    state: Option<PathBuf>,
}

/// `key` as a file name: `%` and `/` percent-escaped, upper-case hex.
pub fn escape(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for c in key.chars() {
        match c {
            '%' => out.push_str("%25"),
            '/' => out.push_str("%2F"),
            c => out.push(c),
        }
    }
    out
}

/// A file name back to its item key: every `%XX` decoded (a malformed
/// escape stays as it is, as Go's decoder leaves it).
pub fn unescape(name: &str) -> String {
    let b = name.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> KeystoreError + '_ {
    move |source| KeystoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl FileStore {
    pub fn new(dir: impl Into<PathBuf>, passphrase: Secret) -> FileStore {
        FileStore {
            dir: dir.into(),
            passphrase,
            state: None,
        }
    }

    /// Lets [`ItemStore::put`] write an item in place when a rename
    /// cannot replace it, with its record in `state` (a `.keyturn`
    /// folder whose lock the caller holds while writing).
    pub fn with_state_dir(mut self, state: Option<PathBuf>) -> FileStore {
        self.state = state;
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of item `key`.
    pub fn path_of(&self, key: &str) -> PathBuf {
        self.dir.join(escape(key))
    }

    /// The folder, refused if it is a symlink or not a folder, or not
    /// trusted (another user's, or writable by group or others); `None`
    /// if it does not exist.
    fn checked_dir(&self) -> Result<Option<()>, KeystoreError> {
        match fs::symlink_metadata(&self.dir) {
            Ok(m) if m.file_type().is_symlink() || !m.is_dir() => Err(KeystoreError::NotAFolder {
                path: self.dir.clone(),
            }),
            Ok(_) => match store::check_trusted_dir(&self.dir) {
                Ok(_) => Ok(Some(())),
                Err(StoreError::Untrusted { path, reason }) => {
                    Err(KeystoreError::Untrusted { path, reason })
                }
                Err(e) => Err(KeystoreError::Store(e)),
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err(&self.dir)(e)),
        }
    }

    /// Writes `token` as item file `target` where it is, for a folder or
    /// an item file that is a mount point (see the module doc).
    fn put_in_place(
        &self,
        target: &Path,
        token: &[u8],
        why: io::Error,
    ) -> Result<(), KeystoreError> {
        let Some(state) = &self.state else {
            return Err(io_err(target)(why));
        };
        match self.read(target)?.map(Zeroizing::new) {
            Some(old) => {
                if store::write_in_place(state, target, &old, token)
                    .map_err(KeystoreError::Store)?
                {
                    Ok(())
                } else {
                    Err(KeystoreError::Store(StoreError::Unstable {
                        path: target.to_path_buf(),
                    }))
                }
            }
            None => {
                use crate::platform::{self, Open};
                let create = || -> io::Result<()> {
                    let mut f = platform::private_open(target, Open::CreateNew)?;
                    f.write_all(token)?;
                    platform::sync_file(&f)?;
                    platform::sync_dir(&self.dir)
                };
                create().map_err(io_err(target))
            }
        }
    }

    fn read(&self, path: &Path) -> Result<Option<Vec<u8>>, KeystoreError> {
        match fs::symlink_metadata(path) {
            Ok(m) if !m.is_file() => {
                return Err(KeystoreError::NotAFolder {
                    path: path.to_path_buf(),
                })
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err(path)(e)),
        }
        fs::read(path).map(Some).map_err(io_err(path))
    }
}

impl ItemStore for FileStore {
    fn backend(&self) -> Backend {
        Backend::File
    }

    async fn get(&self, key: &str) -> Result<Option<Item>, KeystoreError> {
        if self.checked_dir()?.is_none() {
            return Ok(None);
        }
        let path = self.path_of(key);
        let Some(token) = self.read(&path)? else {
            return Ok(None);
        };
        let plain =
            jwe::decrypt(&token, self.passphrase.expose().as_bytes()).map_err(|e| match e {
                jwe::JweError::WrongPassphrase => {
                    KeystoreError::WrongPassphrase { path: path.clone() }
                }
                jwe::JweError::Malformed(reason) => KeystoreError::Malformed {
                    what: path.display().to_string(),
                    reason,
                },
            })?;
        Item::from_json(&plain, &path.display().to_string()).map(Some)
    }

    async fn put(&self, item: &Item) -> Result<PutOutcome, KeystoreError> {
        if self.checked_dir()?.is_none() {
            crate::platform::create_private_dir(&self.dir, true).map_err(io_err(&self.dir))?;
        }
        let created = jwe::go_time_string(time::OffsetDateTime::now_utc());
        let token = jwe::encrypt(
            &item.to_json(),
            self.passphrase.expose().as_bytes(),
            &created,
        )
        .map_err(|e| KeystoreError::Malformed {
            what: self.dir.display().to_string(),
            reason: e.to_string(),
        })?;
        let target = self.path_of(&item.key);
        // Beside the folder, never inside it: the tools read every file
        // there as an item.
        let parent = self
            .dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut nonce = [0u8; 6];
        getrandom::fill(&mut nonce).map_err(|e| io_err(parent)(io::Error::other(e.to_string())))?;
        let tmp = parent.join(format!(
            ".keyturn-{}-{}.tmp",
            std::process::id(),
            nonce.iter().map(|b| format!("{b:02x}")).collect::<String>()
        ));
        let write = || -> io::Result<()> {
            use crate::platform::{self, Open};
            let mut f = platform::private_open(&tmp, Open::CreateNew)?;
            platform::set_file_mode(&f, 0o600)?;
            f.write_all(token.as_bytes())?;
            platform::sync_file(&f)?;
            fs::rename(&tmp, &target)?;
            platform::sync_dir(&self.dir)
        };
        if let Err(e) = write() {
            let _ = fs::remove_file(&tmp);
            if store::rename_impossible(&e) {
                self.put_in_place(&target, token.as_bytes(), e)?;
            } else {
                return Err(io_err(&target)(e));
            }
        }
        Ok(PutOutcome::default())
    }

    async fn delete(&self, key: &str) -> Result<bool, KeystoreError> {
        if self.checked_dir()?.is_none() {
            return Ok(false);
        }
        let path = self.path_of(key);
        match fs::remove_file(&path) {
            Ok(()) => {
                fs::File::open(&self.dir)
                    .and_then(|d| d.sync_all())
                    .map_err(io_err(&self.dir))?;
                Ok(true)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io_err(&path)(e)),
        }
    }

    async fn keys(&self) -> Result<Vec<String>, KeystoreError> {
        if self.checked_dir()?.is_none() {
            return Ok(Vec::new());
        }
        let mut keys = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(io_err(&self.dir))? {
            let entry = entry.map_err(io_err(&self.dir))?;
            keys.push(unescape(&entry.file_name().to_string_lossy()));
        }
        keys.sort();
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_escape_only_percent_and_slash() {
        assert_eq!(escape("a/b%c d:e,f"), "a%2Fb%25c d:e,f");
        assert_eq!(unescape("a%2Fb%25c d:e,f"), "a/b%c d:e,f");
        assert_eq!(unescape("a%2fb"), "a/b");
        assert_eq!(unescape("bad%zz%"), "bad%zz%");
        for k in [
            "plain",
            "x/y/z",
            "100%",
            "%2F",
            "sts.GetSessionToken,ZGV2,,1700000000",
        ] {
            assert_eq!(unescape(&escape(k)), k);
        }
    }
}
