//! The `secret-service` backend (GNOME Keyring, KeePassXC, …) over D-Bus,
//! addressed as 99designs/keyring addresses it.
//!
//! Invariants:
//! - The collection is the one whose object path, with gnome-keyring's
//!   `_XX` escapes decoded, is `/org/freedesktop/secrets/collection/NAME`;
//!   keyturn never creates one (a rotation needs the item to exist).
//! - An item is found by searching the attribute `profile` = key. It is
//!   updated in place (`SetSecret`), so its label, attributes and path
//!   stay. Two or more matches are refused ([`KeystoreError::DuplicateItems`])
//!   before anything is read or written: the tools take whichever the
//!   service lists first, so keyturn cannot know which one holds the key
//!   in use, and rotating one would leave the other serving a dead key.
//! - A new item gets the tool's shape: label = key, attributes
//!   `{profile: key}`, content type `application/json`.
//! - A locked collection is refused with a message, never unlocked through
//!   a prompt (keyturn runs unattended).
//! - The session is plain: the secret crosses the local session bus only,
//!   as with the tools' libsecret default.

use super::{Backend, Item, ItemStore, KeystoreError, PutOutcome};
use secret_service::{Collection, EncryptionType, SecretService};
use std::collections::HashMap;

/// Items in one Secret Service collection.
#[derive(Debug, Clone)]
pub struct SecretServiceStore {
    collection: String,
    /// A D-Bus address to use instead of the session bus of the
    /// environment (`DBUS_SESSION_BUS_ADDRESS`).
    bus: Option<String>,
}

/// gnome-keyring's object-path escaping undone: `_XX` is the byte 0xXX.
pub fn decode_path(path: &str) -> String {
    let b = path.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'_' && i + 2 < b.len() {
            if let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
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

fn ss_err(collection: &str, e: secret_service::Error) -> KeystoreError {
    match e {
        secret_service::Error::Locked => KeystoreError::CollectionLocked {
            collection: collection.to_string(),
        },
        secret_service::Error::Unavailable => KeystoreError::NoSecretService {
            detail: e.to_string(),
        },
        e => KeystoreError::SecretService {
            collection: collection.to_string(),
            detail: e.to_string(),
        },
    }
}

/// The one item matching `key`: `None` for no match, refused for more
/// than one.
fn only_one<T>(mut found: Vec<T>, collection: &str, key: &str) -> Result<Option<T>, KeystoreError> {
    match found.len() {
        0 | 1 => Ok(found.pop()),
        count => Err(KeystoreError::DuplicateItems {
            collection: collection.to_string(),
            key: key.to_string(),
            count,
        }),
    }
}

impl SecretServiceStore {
    pub fn new(collection: impl Into<String>) -> SecretServiceStore {
        SecretServiceStore {
            collection: collection.into(),
            bus: None,
        }
    }

    /// The same store on the session bus at `address` (a D-Bus address
    /// such as `unix:path=/run/user/1000/bus`).
    pub fn on_bus(collection: impl Into<String>, address: impl Into<String>) -> SecretServiceStore {
        SecretServiceStore {
            collection: collection.into(),
            bus: Some(address.into()),
        }
    }

    pub fn collection(&self) -> &str {
        &self.collection
    }

    async fn connect(&self) -> Result<SecretService<'static>, KeystoreError> {
        let no_service = |e: &dyn std::fmt::Display| KeystoreError::NoSecretService {
            detail: e.to_string(),
        };
        let connected = match &self.bus {
            None => SecretService::connect(EncryptionType::Plain).await,
            Some(address) => {
                let conn = zbus::connection::Builder::address(address.as_str())
                    .map_err(|e| no_service(&e))?
                    .build()
                    .await
                    .map_err(|e| no_service(&e))?;
                SecretService::connect_with_existing(EncryptionType::Plain, conn).await
            }
        };
        connected.map_err(|e| match e {
            secret_service::Error::Zbus(_) | secret_service::Error::Unavailable => {
                KeystoreError::NoSecretService {
                    detail: e.to_string(),
                }
            }
            e => ss_err(&self.collection, e),
        })
    }

    /// The collection, unlocked; `None` if it does not exist.
    async fn open<'a>(
        &self,
        ss: &'a SecretService<'a>,
    ) -> Result<Option<Collection<'a>>, KeystoreError> {
        let want = format!("/org/freedesktop/secrets/collection/{}", self.collection);
        let all = ss
            .get_all_collections()
            .await
            .map_err(|e| ss_err(&self.collection, e))?;
        let Some(c) = all
            .into_iter()
            .find(|c| decode_path(c.collection_path.as_str()) == want)
        else {
            return Ok(None);
        };
        if c.is_locked()
            .await
            .map_err(|e| ss_err(&self.collection, e))?
        {
            return Err(KeystoreError::CollectionLocked {
                collection: self.collection.clone(),
            });
        }
        Ok(Some(c))
    }
}

impl ItemStore for SecretServiceStore {
    fn backend(&self) -> Backend {
        Backend::SecretService
    }

    async fn get(&self, key: &str) -> Result<Option<Item>, KeystoreError> {
        let ss = self.connect().await?;
        let Some(c) = self.open(&ss).await? else {
            return Ok(None);
        };
        let found = c
            .search_items(HashMap::from([("profile", key)]))
            .await
            .map_err(|e| ss_err(&self.collection, e))?;
        let Some(item) = only_one(found, &self.collection, key)? else {
            return Ok(None);
        };
        let secret = zeroize::Zeroizing::new(
            item.get_secret()
                .await
                .map_err(|e| ss_err(&self.collection, e))?,
        );
        Item::from_json(&secret, &format!("{} / {key}", self.collection)).map(Some)
    }

    async fn put(&self, item: &Item) -> Result<PutOutcome, KeystoreError> {
        let ss = self.connect().await?;
        let Some(c) = self.open(&ss).await? else {
            return Err(KeystoreError::CollectionMissing {
                collection: self.collection.clone(),
            });
        };
        let json = item.to_json();
        let found = c
            .search_items(HashMap::from([("profile", item.key.as_str())]))
            .await
            .map_err(|e| ss_err(&self.collection, e))?;
        match only_one(found, &self.collection, &item.key)? {
            Some(existing) => {
                existing
                    .set_secret(&json, "application/json")
                    .await
                    .map_err(|e| ss_err(&self.collection, e))?;
                Ok(PutOutcome::default())
            }
            None => {
                c.create_item(
                    &item.key,
                    HashMap::from([("profile", item.key.as_str())]),
                    &json,
                    true,
                    "application/json",
                )
                .await
                .map_err(|e| ss_err(&self.collection, e))?;
                Ok(PutOutcome::default())
            }
        }
    }

    async fn delete(&self, key: &str) -> Result<bool, KeystoreError> {
        let ss = self.connect().await?;
        let Some(c) = self.open(&ss).await? else {
            return Ok(false);
        };
        let found = c
            .search_items(HashMap::from([("profile", key)]))
            .await
            .map_err(|e| ss_err(&self.collection, e))?;
        match found.first() {
            Some(item) => {
                item.delete()
                    .await
                    .map_err(|e| ss_err(&self.collection, e))?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn keys(&self) -> Result<Vec<String>, KeystoreError> {
        let ss = self.connect().await?;
        let Some(c) = self.open(&ss).await? else {
            return Ok(Vec::new());
        };
        let mut keys = Vec::new();
        for item in c
            .get_all_items()
            .await
            .map_err(|e| ss_err(&self.collection, e))?
        {
            // The tools list labels (the item key).
            if let Ok(label) = item.get_label().await {
                keys.push(label);
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
    fn gnome_keyring_path_escapes_decode() {
        assert_eq!(
            decode_path("/org/freedesktop/secrets/collection/granted_2daws_2diam_2dcredentials"),
            "/org/freedesktop/secrets/collection/granted-aws-iam-credentials"
        );
        assert_eq!(decode_path("/a/awsvault"), "/a/awsvault");
        assert_eq!(decode_path("/a/x_zz_"), "/a/x_zz_");
    }

    #[test]
    fn two_items_for_one_profile_are_refused() {
        assert_eq!(only_one(Vec::<u8>::new(), "awsvault", "dev").unwrap(), None);
        assert_eq!(only_one(vec![7], "awsvault", "dev").unwrap(), Some(7));
        let e = only_one(vec![1, 2], "awsvault", "dev").unwrap_err();
        assert!(
            matches!(&e, KeystoreError::DuplicateItems { count: 2, key, collection } if key == "dev" && collection == "awsvault"),
            "{e:?}"
        );
        assert!(e.is_refusal());
        assert_eq!(e.code(), "keystore_duplicate_items");
        let text = e.to_string();
        for part in [
            "awsvault",
            "`dev`",
            "2",
            "secret-tool search --all profile dev",
        ] {
            assert!(text.contains(part), "{part}: {text}");
        }
    }
}
