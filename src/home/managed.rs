//! A managed user's "home": none. Admin mode (`rotate --user`,
//! `--managed`) writes a service user's new pair only to its
//! destinations, never to a local file, so this home holds nothing, writes
//! nothing, and is only where the rotation's journal lives
//! (`$XDG_STATE_HOME/keyturn/`, the same 0700, owned-by-us rules as
//! `.keyturn`) and what it locks (one lock per user there, so two runs
//! never rotate one user at once).
//!
//! Invariants: `read` is None and `holding` empty (no local place ever
//! holds the key); `write` changes nothing and says it wrote, so the state
//! machine moves on to verification and the destinations, which are where
//! the key is confirmed before the old one is retired.

use super::{HomeError, HomeLock, HomeRef, KeyHome, Written};
use crate::profile::Place;
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

/// What the journal stores of a managed user's rotation (no secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedRef {
    pub managed: ManagedLocator,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedLocator {
    /// The IAM user.
    pub user: String,
    /// The role assumed with the operator's credentials to reach the
    /// user's account (the `[[users]]` entry's `role_arn`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// `$XDG_STATE_HOME/keyturn` when the rotation began.
    pub state_dir: PathBuf,
}

impl ManagedRef {
    pub fn state_dir(&self) -> PathBuf {
        self.managed.state_dir.clone()
    }
}

/// `$XDG_STATE_HOME/keyturn`, else `~/.local/state/keyturn`.
pub fn state_dir(
    xdg_state_home: Option<&std::path::Path>,
    home: Option<&std::path::Path>,
) -> Option<PathBuf> {
    match xdg_state_home.filter(|p| p.is_absolute()) {
        Some(x) => Some(x.join("keyturn")),
        None => Some(home?.join(".local").join("state").join("keyturn")),
    }
}

/// A managed user's home (see the module doc).
#[derive(Debug)]
pub struct ManagedHome {
    pub r: ManagedRef,
    pub lock_wait: Duration,
}

impl KeyHome for ManagedHome {
    fn describe(&self) -> String {
        crate::i18n::trf("managed.home", &[("user", &self.r.managed.user)])
    }
    fn locator(&self) -> HomeRef {
        HomeRef::Managed(self.r.clone())
    }
    fn lock(&self) -> Result<HomeLock, HomeError> {
        let dir = self.r.state_dir();
        crate::store::ensure_private_dir(&dir)?;
        // The lock file is `.keyturn/user-NAME.lock` under the folder.
        let target = dir.join(format!("user-{}", self.r.managed.user));
        Ok(HomeLock::of(vec![crate::store::lock(
            &target,
            self.lock_wait,
        )?]))
    }
    async fn read(&self) -> Result<Option<(String, Secret)>, HomeError> {
        Ok(None)
    }
    async fn write(&self, _from: &str, _to: &str, _secret: &Secret) -> Result<Written, HomeError> {
        Ok(Written {
            changed: true,
            backups: Vec::new(),
        })
    }
    async fn holding(&self, _key_id: &str) -> Result<Vec<Place>, HomeError> {
        Ok(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_state_folder_follows_xdg_else_home() {
        let home = Some(Path::new("/home/u"));
        assert_eq!(
            state_dir(Some(Path::new("/x/state")), home),
            Some(PathBuf::from("/x/state/keyturn"))
        );
        // A relative XDG_STATE_HOME is ignored, as the XDG spec says.
        assert_eq!(
            state_dir(Some(Path::new("rel")), home),
            Some(PathBuf::from("/home/u/.local/state/keyturn"))
        );
        assert_eq!(state_dir(None, None), None);
    }

    #[test]
    fn a_managed_locator_round_trips_and_files_journals_still_read_as_files() {
        let r = HomeRef::Managed(ManagedRef {
            managed: ManagedLocator {
                user: "ci".into(),
                role_arn: Some("arn:aws:iam::111111111111:role/op".into()),
                state_dir: "/s/keyturn".into(),
            },
        });
        let text = serde_json::to_string(&r).unwrap();
        let back: HomeRef = serde_json::from_str(&text).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.state_dir(), PathBuf::from("/s/keyturn"));
        assert!(back.managed().is_some() && !back.update_shared());
        let files = r#"{"home": {"file": "credentials", "section": "dev", "profile": "dev"},
            "update_shared": true, "credentials_file": "/h/.aws/credentials",
            "config_file": "/h/.aws/config"}"#;
        let f: HomeRef = serde_json::from_str(files).unwrap();
        assert!(matches!(f, HomeRef::Files(_)) && f.managed().is_none());
    }
}
