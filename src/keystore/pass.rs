//! The `pass` backend: each item is the pass entry `PREFIX/KEY` holding the
//! whole item JSON, read and written through the `pass` command itself so
//! that it handles `.gpg-id` recipients, gpg-agent and git as the user set
//! them up.
//!
//! Invariants:
//! - The commands are 99designs/keyring's: `pass insert -m -f NAME` with
//!   the item JSON on stdin (no trailing newline), `pass show NAME`,
//!   `pass rm -f NAME`, with `PASSWORD_STORE_DIR` set to the store folder.
//! - An item exists when `DIR/PREFIX/KEY.gpg` does, as the library checks;
//!   keys are the `.gpg` files under `DIR/PREFIX`.
//! - Secrets go through pipes only, never argv; pass's stdout is held in
//!   zeroized memory.

use super::{Backend, Item, ItemStore, KeystoreError, PutOutcome};
use std::io;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;
use zeroize::Zeroizing;

/// A password store reached through the `pass` command.
#[derive(Debug, Clone)]
pub struct PassStore {
    cmd: String,
    dir: PathBuf,
    prefix: String,
}

impl PassStore {
    pub fn new(
        cmd: impl Into<String>,
        dir: impl Into<PathBuf>,
        prefix: impl Into<String>,
    ) -> PassStore {
        PassStore {
            cmd: cmd.into(),
            dir: dir.into(),
            prefix: prefix.into(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The entry name of item `key` (Go's `filepath.Join(prefix, key)`).
    pub fn name_of(&self, key: &str) -> String {
        let prefix = self.prefix.trim_matches('/');
        if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}/{key}")
        }
    }

    fn gpg_path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{}.gpg", self.name_of(key)))
    }

    /// Runs `pass ARGS` with `stdin`; its stdout, or an error naming the
    /// action and pass's own first line of complaint.
    async fn run(
        &self,
        args: &[&str],
        stdin: Option<&[u8]>,
    ) -> Result<Zeroizing<Vec<u8>>, KeystoreError> {
        let mut child = Command::new(&self.cmd)
            .args(args)
            .env("PASSWORD_STORE_DIR", &self.dir)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                if e.kind() == io::ErrorKind::NotFound {
                    KeystoreError::PassMissing {
                        cmd: self.cmd.clone(),
                    }
                } else {
                    KeystoreError::PassFailed {
                        cmd: self.cmd.clone(),
                        action: args.join(" "),
                        detail: e.to_string(),
                    }
                }
            })?;
        if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
            // A failed write shows up as pass's own failure below.
            let _ = pipe.write_all(input).await;
            drop(pipe);
        }
        let out = child
            .wait_with_output()
            .await
            .map_err(|e| KeystoreError::PassFailed {
                cmd: self.cmd.clone(),
                action: args.join(" "),
                detail: e.to_string(),
            })?;
        let stdout = Zeroizing::new(out.stdout);
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let detail = stderr
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .to_string();
            return Err(KeystoreError::PassFailed {
                cmd: self.cmd.clone(),
                action: args.join(" "),
                detail: format!("{} {detail}", out.status),
            });
        }
        Ok(stdout)
    }
}

impl ItemStore for PassStore {
    fn backend(&self) -> Backend {
        Backend::Pass
    }

    async fn get(&self, key: &str) -> Result<Option<Item>, KeystoreError> {
        if !self.gpg_path(key).is_file() {
            return Ok(None);
        }
        let name = self.name_of(key);
        let out = self.run(&["show", &name], None).await?;
        Item::from_json(&out, &format!("pass {name}")).map(Some)
    }

    async fn put(&self, item: &Item) -> Result<PutOutcome, KeystoreError> {
        let name = self.name_of(&item.key);
        self.run(&["insert", "-m", "-f", &name], Some(&item.to_json()))
            .await?;
        Ok(PutOutcome::default())
    }

    async fn delete(&self, key: &str) -> Result<bool, KeystoreError> {
        if !self.gpg_path(key).is_file() {
            return Ok(false);
        }
        self.run(&["rm", "-f", &self.name_of(key)], None).await?;
        Ok(true)
    }

    async fn keys(&self) -> Result<Vec<String>, KeystoreError> {
        let root = self.dir.join(self.prefix.trim_matches('/'));
        let mut keys = Vec::new();
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            let entries = match std::fs::read_dir(&dir) {
                Ok(e) => e,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(source) => return Err(KeystoreError::Io { path: dir, source }),
            };
            for entry in entries {
                let entry = entry.map_err(|source| KeystoreError::Io {
                    path: dir.clone(),
                    source,
                })?;
                let path = entry.path();
                let ft = entry.file_type().map_err(|source| KeystoreError::Io {
                    path: path.clone(),
                    source,
                })?;
                if ft.is_dir() {
                    stack.push(path);
                } else if let Some(rel) = path
                    .strip_prefix(&root)
                    .ok()
                    .and_then(|r| r.to_str())
                    .and_then(|r| r.strip_suffix(".gpg"))
                {
                    keys.push(rel.to_string());
                }
            }
        }
        keys.sort();
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names_join_prefix_and_key() {
        assert_eq!(PassStore::new("pass", "/s", "").name_of("dev"), "dev");
        assert_eq!(
            PassStore::new("pass", "/s", "aws-vault/").name_of("dev"),
            "aws-vault/dev"
        );
        assert_eq!(
            PassStore::new("pass", "/s", "granted-aws-iam-credentials").gpg_path("dev"),
            PathBuf::from("/s/granted-aws-iam-credentials/dev.gpg")
        );
    }

    #[tokio::test]
    async fn a_missing_pass_command_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("dev.gpg"), b"x").unwrap();
        let store = PassStore::new("keyturn-no-such-pass", dir.path(), "");
        let err = store.get("dev").await.unwrap_err();
        assert!(matches!(err, KeystoreError::PassMissing { .. }), "{err:?}");
        assert!(err.to_string().contains("keyturn-no-such-pass"), "{err}");
    }
}
