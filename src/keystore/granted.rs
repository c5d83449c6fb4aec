//! granted's names for its secure storage, its `[Keyring]` settings in
//! `~/.granted/config`, and its `credential_process` line.
//!
//! Invariants (all pure):
//! - Long-term keys live in the store named `granted-aws-iam-credentials`
//!   (service, Secret Service collection and pass prefix; file folder
//!   `GRANTED_DIR/secure-storage-aws-iam-credentials`), item key = profile.
//! - Its session cache `granted-aws-session-credentials` holds the
//!   long-term key itself, marked as never expiring, under the same
//!   profile name: after a rotation that item must go, or granted keeps
//!   serving the old key (fwdcloudsec/granted#505).
//! - granted's folder is `~/.granted`, or `$XDG_CONFIG_HOME/granted` when
//!   `~/.granted` does not exist and `XDG_CONFIG_HOME` is set.
//! - `[Keyring]` keys match case-insensitively, as BurntSushi/toml matches
//!   struct fields.

use super::KeystoreError;
use std::path::{Path, PathBuf};

/// The store of long-term keys.
pub const IAM_CREDENTIALS: &str = "granted-aws-iam-credentials";
/// The session cache (which holds the long-term key too).
pub const SESSION_CREDENTIALS: &str = "granted-aws-session-credentials";

/// The file-backend folder name of a store (`secure-storage-` + the part
/// after `granted-`).
pub fn file_dir_name(store: &str) -> String {
    format!(
        "secure-storage-{}",
        store.strip_prefix("granted-").unwrap_or(store)
    )
}

/// granted's own folder.
pub fn granted_dir(
    home: &Path,
    xdg_config_home: Option<&str>,
    dot_granted_exists: bool,
) -> PathBuf {
    match xdg_config_home.filter(|x| !x.is_empty()) {
        Some(xdg) if !dot_granted_exists => Path::new(xdg).join("granted"),
        _ => home.join(".granted"),
    }
}

/// The `[Keyring]` table of granted's config.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyringConfig {
    pub backend: Option<String>,
    pub keychain_name: Option<String>,
    pub file_dir: Option<String>,
    pub libsecret_collection_name: Option<String>,
    pub pass_dir: Option<String>,
}

/// Reads the `[Keyring]` table of granted's `config` (TOML). A file with
/// no such table gives the defaults; a file that is not TOML is an error
/// naming `path`.
pub fn parse_config(text: &str, path: &Path) -> Result<KeyringConfig, KeystoreError> {
    let bad = |reason: String| KeystoreError::BadConfig {
        path: path.to_path_buf(),
        reason,
    };
    let table: toml::Table = toml::from_str(text).map_err(|e| bad(e.message().to_string()))?;
    let find = |t: &toml::Table, name: &str| {
        t.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let Some(keyring) = find(&table, "Keyring") else {
        return Ok(KeyringConfig::default());
    };
    let Some(keyring) = keyring.as_table() else {
        return Err(bad("Keyring is not a table".to_string()));
    };
    let string = |name: &str| -> Result<Option<String>, KeystoreError> {
        match find(keyring, name) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(bad(format!("Keyring.{name} is not a string"))),
        }
    };
    Ok(KeyringConfig {
        backend: string("Backend")?,
        keychain_name: string("KeychainName")?,
        file_dir: string("FileDir")?,
        libsecret_collection_name: string("LibSecretCollectionName")?,
        pass_dir: string("PassDir")?,
    })
}

/// The profile a `credential_process = granted credential-process
/// --profile P` line serves; `None` for any other command.
pub fn parse_process_line(line: &str) -> Option<String> {
    let words = shlex::split(line)?;
    let (program, args) = words.split_first()?;
    let base = program.rsplit(['/', '\\']).next().unwrap_or(program);
    if base != "granted" && base != "granted.exe" {
        return None;
    }
    if args.first().map(String::as_str) != Some("credential-process") {
        return None;
    }
    let mut it = args[1..].iter();
    while let Some(a) = it.next() {
        if let Some(p) = a.strip_prefix("--profile=") {
            return Some(p.to_string());
        }
        if a == "--profile" {
            return it.next().cloned();
        }
    }
    None
}

/// The session-cache items to delete after rotating the key of `chain[0]`
/// (the profile and its `source_profile` chain): granted caches each under
/// the profile name.
pub fn sessions_to_purge(chain: &[String], session_keys: &[String]) -> Vec<String> {
    session_keys
        .iter()
        .filter(|k| chain.contains(k))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_folders() {
        assert_eq!(
            file_dir_name(IAM_CREDENTIALS),
            "secure-storage-aws-iam-credentials"
        );
        assert_eq!(
            file_dir_name(SESSION_CREDENTIALS),
            "secure-storage-aws-session-credentials"
        );
        let home = Path::new("/home/me");
        assert_eq!(
            granted_dir(home, None, false),
            Path::new("/home/me/.granted")
        );
        assert_eq!(
            granted_dir(home, Some("/x"), true),
            Path::new("/home/me/.granted")
        );
        assert_eq!(
            granted_dir(home, Some("/x"), false),
            Path::new("/x/granted")
        );
        assert_eq!(
            granted_dir(home, Some(""), false),
            Path::new("/home/me/.granted")
        );
    }

    #[test]
    fn keyring_table() {
        let p = Path::new("/c");
        let c = parse_config(
            "DefaultBrowser = \"STDOUT\"\n[Keyring]\nBackend = \"file\"\nfiledir = \"~/k\"\n",
            p,
        )
        .unwrap();
        assert_eq!(c.backend.as_deref(), Some("file"));
        assert_eq!(c.file_dir.as_deref(), Some("~/k"));
        assert_eq!(parse_config("", p).unwrap(), KeyringConfig::default());
        assert!(matches!(
            parse_config("[Keyring\n", p),
            Err(KeystoreError::BadConfig { .. })
        ));
        assert!(parse_config("[Keyring]\nBackend = 3\n", p).is_err());
    }

    #[test]
    fn process_lines_and_purge() {
        assert_eq!(
            parse_process_line("granted credential-process --profile=dev").as_deref(),
            Some("dev")
        );
        assert_eq!(
            parse_process_line(
                "/opt/bin/granted credential-process --auto-login --profile 'my dev'"
            )
            .as_deref(),
            Some("my dev")
        );
        assert_eq!(parse_process_line("granted sso login"), None);
        assert_eq!(parse_process_line("aws-vault export dev"), None);
        let chain = vec!["dev".to_string()];
        let keys = vec!["dev".to_string(), "devx".to_string()];
        assert_eq!(sessions_to_purge(&chain, &keys), ["dev"]);
    }
}
