//! The `secret-service` backend where there is no D-Bus (Windows): the
//! same type, every call refused with [`KeystoreError::NoSecretService`]
//! before anything is read or written. The real one is `secret_service.rs`.

use super::{Backend, Item, ItemStore, KeystoreError, PutOutcome};

#[derive(Debug, Clone)]
pub struct SecretServiceStore {
    collection: String,
}

impl SecretServiceStore {
    pub fn new(collection: impl Into<String>) -> SecretServiceStore {
        SecretServiceStore {
            collection: collection.into(),
        }
    }

    pub fn collection(&self) -> &str {
        &self.collection
    }

    fn refused<T>(&self) -> Result<T, KeystoreError> {
        Err(KeystoreError::NoSecretService {
            detail: "D-Bus is not available on this platform".into(),
        })
    }
}

impl ItemStore for SecretServiceStore {
    fn backend(&self) -> Backend {
        Backend::SecretService
    }

    async fn get(&self, _key: &str) -> Result<Option<Item>, KeystoreError> {
        self.refused()
    }

    async fn put(&self, _item: &Item) -> Result<PutOutcome, KeystoreError> {
        self.refused()
    }

    async fn delete(&self, _key: &str) -> Result<bool, KeystoreError> {
        self.refused()
    }

    async fn keys(&self) -> Result<Vec<String>, KeystoreError> {
        self.refused()
    }
}
