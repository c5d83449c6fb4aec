//! The `wincred` backend: the Windows Credential Manager, addressed as
//! 99designs/keyring addresses it for aws-vault.
//!
//! Invariants:
//! - An item is the generic credential whose target name is
//!   `aws-vault:aws-vault:KEY` (keyring's `WinCredPrefix` `aws-vault`,
//!   then its service name, then the item key); its blob is the item's
//!   `Data` alone (the credentials JSON), as aws-vault writes it. Label and
//!   description are not kept by this backend.
//! - A new credential is persisted for the local machine (keyring's
//!   default). An existing one is rewritten with only its blob changed:
//!   its comment, user name, attributes and persistence stay.
//! - Keys are the targets under the prefix (`CredEnumerateW` with
//!   `PREFIX*`), the prefix cut off.
//! - The blob lives in zeroized memory; errors carry the target name and
//!   the system's message, never the blob.
//! - Off Windows every call is refused before anything is read.

use super::{Backend, Item, ItemStore, KeystoreError, PutOutcome};

/// aws-vault's target prefix: keyring's `WinCredPrefix` and service name.
pub const AWS_VAULT_PREFIX: &str = "aws-vault:aws-vault:";

/// The Credential Manager entries under one prefix.
#[derive(Debug, Clone)]
pub struct WinCredStore {
    prefix: String,
}

impl WinCredStore {
    pub fn new(prefix: impl Into<String>) -> WinCredStore {
        WinCredStore {
            prefix: prefix.into(),
        }
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The target name of item `key`.
    pub fn target(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn err(&self, key: &str, e: std::io::Error) -> KeystoreError {
        KeystoreError::WinCred {
            target: self.target(key),
            detail: e.to_string(),
        }
    }
}

impl ItemStore for WinCredStore {
    fn backend(&self) -> Backend {
        Backend::WinCred
    }

    async fn get(&self, key: &str) -> Result<Option<Item>, KeystoreError> {
        let blob = sys::read(&self.target(key)).map_err(|e| self.err(key, e))?;
        Ok(blob.map(|data| Item {
            key: key.to_string(),
            data,
            label: String::new(),
            description: String::new(),
            keychain_not_trust_application: false,
            keychain_not_synchronizable: false,
        }))
    }

    async fn put(&self, item: &Item) -> Result<PutOutcome, KeystoreError> {
        sys::write(&self.target(&item.key), &item.data).map_err(|e| self.err(&item.key, e))?;
        Ok(PutOutcome {})
    }

    async fn delete(&self, key: &str) -> Result<bool, KeystoreError> {
        sys::delete(&self.target(key)).map_err(|e| self.err(key, e))
    }

    async fn keys(&self) -> Result<Vec<String>, KeystoreError> {
        let mut keys: Vec<String> = sys::targets(&self.prefix)
            .map_err(|e| self.err("*", e))?
            .into_iter()
            .filter_map(|t| t.strip_prefix(&self.prefix).map(String::from))
            .collect();
        keys.sort();
        Ok(keys)
    }
}

#[cfg(windows)]
mod sys {
    //! The four Credential Manager calls.
    use std::io;
    use windows_sys::Win32::Foundation::ERROR_NOT_FOUND;
    use windows_sys::Win32::Security::Credentials::{
        CredDeleteW, CredEnumerateW, CredFree, CredReadW, CredWriteW, CREDENTIALW,
        CRED_PERSIST_LOCAL_MACHINE, CRED_TYPE_GENERIC,
    };
    use zeroize::Zeroizing;

    fn wide(s: &str) -> Vec<u16> {
        s.encode_utf16().chain(Some(0)).collect()
    }

    fn not_found(e: &io::Error) -> bool {
        e.raw_os_error() == Some(ERROR_NOT_FOUND as i32)
    }

    /// A NUL-terminated UTF-16 string from the system, as text.
    ///
    /// # Safety
    /// `p` is null or points to a NUL-terminated string.
    unsafe fn text(p: *const u16) -> String {
        if p.is_null() {
            return String::new();
        }
        let mut n = 0;
        while *p.add(n) != 0 {
            n += 1;
        }
        String::from_utf16_lossy(std::slice::from_raw_parts(p, n))
    }

    pub fn read(target: &str) -> io::Result<Option<Zeroizing<Vec<u8>>>> {
        let t = wide(target);
        let mut c: *mut CREDENTIALW = std::ptr::null_mut();
        // SAFETY: on success `c` is a CredReadW allocation whose blob is
        // copied out before CredFree.
        unsafe {
            if CredReadW(t.as_ptr(), CRED_TYPE_GENERIC, 0, &mut c) == 0 {
                let e = io::Error::last_os_error();
                return if not_found(&e) { Ok(None) } else { Err(e) };
            }
            let blob = if (*c).CredentialBlob.is_null() {
                Zeroizing::new(Vec::new())
            } else {
                Zeroizing::new(
                    std::slice::from_raw_parts(
                        (*c).CredentialBlob,
                        (*c).CredentialBlobSize as usize,
                    )
                    .to_vec(),
                )
            };
            CredFree(c.cast());
            Ok(Some(blob))
        }
    }

    pub fn write(target: &str, blob: &[u8]) -> io::Result<()> {
        let t = wide(target);
        let size = u32::try_from(blob.len()).map_err(|_| io::Error::other("blob too large"))?;
        let mut existing: *mut CREDENTIALW = std::ptr::null_mut();
        // SAFETY: CredWriteW copies what it is given; `blob` and `t`
        // outlive the call; an existing credential is freed after it.
        unsafe {
            let ok = if CredReadW(t.as_ptr(), CRED_TYPE_GENERIC, 0, &mut existing) != 0 {
                // Everything the user (or aws-vault) set stays: only the blob.
                let mut c = *existing;
                c.CredentialBlob = blob.as_ptr().cast_mut();
                c.CredentialBlobSize = size;
                let ok = CredWriteW(&c, 0);
                CredFree(existing.cast());
                ok
            } else {
                let mut t = t.clone();
                let c = CREDENTIALW {
                    Type: CRED_TYPE_GENERIC,
                    TargetName: t.as_mut_ptr(),
                    CredentialBlobSize: size,
                    CredentialBlob: blob.as_ptr().cast_mut(),
                    Persist: CRED_PERSIST_LOCAL_MACHINE,
                    ..Default::default()
                };
                CredWriteW(&c, 0)
            };
            if ok == 0 {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(())
    }

    pub fn delete(target: &str) -> io::Result<bool> {
        let t = wide(target);
        // SAFETY: a NUL-terminated name, alive for the call.
        if unsafe { CredDeleteW(t.as_ptr(), CRED_TYPE_GENERIC, 0) } == 0 {
            let e = io::Error::last_os_error();
            return if not_found(&e) { Ok(false) } else { Err(e) };
        }
        Ok(true)
    }

    pub fn targets(prefix: &str) -> io::Result<Vec<String>> {
        let filter = wide(&format!("{prefix}*"));
        let mut count = 0u32;
        let mut list: *mut *mut CREDENTIALW = std::ptr::null_mut();
        // SAFETY: on success `list` holds `count` credential pointers,
        // read before the one CredFree of the whole list.
        unsafe {
            if CredEnumerateW(filter.as_ptr(), 0, &mut count, &mut list) == 0 {
                let e = io::Error::last_os_error();
                return if not_found(&e) {
                    Ok(Vec::new())
                } else {
                    Err(e)
                };
            }
            let mut out = Vec::with_capacity(count as usize);
            for i in 0..count as usize {
                let c = *list.add(i);
                if (*c).Type == CRED_TYPE_GENERIC {
                    out.push(text((*c).TargetName));
                }
            }
            CredFree(list.cast());
            Ok(out)
        }
    }
}

#[cfg(not(windows))]
mod sys {
    //! No Credential Manager here: refused before anything is read.
    use std::io;
    use zeroize::Zeroizing;

    fn none() -> io::Error {
        io::Error::new(
            io::ErrorKind::Unsupported,
            "the Windows Credential Manager exists only on Windows",
        )
    }

    pub fn read(_target: &str) -> io::Result<Option<Zeroizing<Vec<u8>>>> {
        Err(none())
    }

    pub fn write(_target: &str, _blob: &[u8]) -> io::Result<()> {
        Err(none())
    }

    pub fn delete(_target: &str) -> io::Result<bool> {
        Err(none())
    }

    pub fn targets(_prefix: &str) -> io::Result<Vec<String>> {
        Err(none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(windows)]
    use zeroize::Zeroizing;

    #[test]
    fn targets_are_aws_vaults() {
        let s = WinCredStore::new(AWS_VAULT_PREFIX);
        assert_eq!(s.target("work"), "aws-vault:aws-vault:work");
    }

    /// The real Credential Manager (Wine's, in the Windows test run): an
    /// item written is read back byte for byte, listed, rewritten with only
    /// its blob changed, and deleted.
    #[cfg(windows)]
    #[test]
    fn items_round_trip_through_the_credential_manager() {
        use crate::keystore::ItemStore;
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let s = WinCredStore::new("keyturn-test:wincred:");
            let _ = s.delete("p1").await;
            assert!(s.get("p1").await.unwrap().is_none());
            let mut item = s.get("p1").await.unwrap().unwrap_or(Item {
                key: "p1".into(),
                data: Zeroizing::new(br#"{"AccessKeyID":"AKIA1"}"#.to_vec()),
                label: String::new(),
                description: String::new(),
                keychain_not_trust_application: false,
                keychain_not_synchronizable: false,
            });
            s.put(&item).await.unwrap();
            assert_eq!(&*s.get("p1").await.unwrap().unwrap().data, &*item.data);
            assert_eq!(s.keys().await.unwrap(), ["p1"]);
            item.data = Zeroizing::new(br#"{"AccessKeyID":"AKIA2"}"#.to_vec());
            s.put(&item).await.unwrap();
            assert_eq!(&*s.get("p1").await.unwrap().unwrap().data, &*item.data);
            assert!(s.delete("p1").await.unwrap());
            assert!(!s.delete("p1").await.unwrap());
            assert!(s.keys().await.unwrap().is_empty());
        });
    }
}
