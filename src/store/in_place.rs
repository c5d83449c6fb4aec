//! Writing a file where it is, for the files a rename cannot replace: a
//! file that is itself a mount point (Docker's `-v
//! ~/.aws/credentials:/root/.aws/credentials`, a devcontainer, a
//! Kubernetes secret mounted as a file) or a file in a folder that is one
//! (an aws-vault keyring folder mounted into a container, where the temp
//! file beside the folder is on another mount).
//!
//! Detection: by the rename's own answer, `EBUSY` (the target is a mount
//! point) or `EXDEV` (the temp file is on another mount), never by a
//! mount-point check up front: a bind mount from the same file system has
//! the same `st_dev` as its folder, and the mount table is Linux-only. So
//! the atomic rename stays the rule, and this is the one exception,
//! taken only where the kernel says a rename cannot happen. The AWS CLI
//! writes such files in place too.
//!
//! The write, under the caller's lock:
//! 1. a record of the write (the target's old and new bytes, 0600,
//!    written atomically in `.keyturn/in-place/`, fsynced) — the file's
//!    own journal;
//! 2. the file is checked to still hold the old bytes;
//! 3. the new bytes at offset 0, then truncate to their length, then
//!    fsync. The inode stays, so its mode, owner and the mount stay;
//! 4. the record is removed.
//!
//! A crash during 3 leaves a torn file: a prefix of the new bytes over
//! the old ones, or the whole new content followed by the old tail
//! (crash before the truncate), or after a power cut any mix of the two
//! page by page. [`finish_in_place`], run under the lock before the file
//! is read again (every [`super::lock`], and
//! [`super::finish_interrupted_write`] before a file is parsed), repairs
//! it from the record: a file holding the new bytes or the old ones is
//! left as is (finished, or never started: the rotation's journal, which
//! holds both key pairs, redoes the write as after a crash before a
//! rename); a file that is a byte-wise mix of the two is torn by us and
//! gets the whole new content; anything else was written by someone else
//! since, and is theirs. Then the record goes. So after a crash the file
//! is the old one or the new one, as with a rename, and the rotation's
//! recovery rules are unchanged.

use super::{io_err, read_private, read_regular, remove_private, write_private, StoreError};
use crate::i18n::tr;
use crate::platform::{self, Open};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// The first line of a record: what it is, and its format's version.
const MAGIC: &[u8] = b"keyturn in-place write 1\n";

/// The rename failed because the target is a mount point (`EBUSY`) or
/// the temp file is on another mount (`EXDEV`).
pub fn rename_impossible(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ResourceBusy | io::ErrorKind::CrossesDevices
    )
}

/// Where the record of a write in place to `target` lives, in `state`
/// (a `.keyturn` folder): one per target, named by its file name and a
/// hash of its whole path.
fn record_path(state: &Path, target: &Path) -> PathBuf {
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let hash = target
        .as_os_str()
        .as_encoded_bytes()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
        });
    state
        .join("in-place")
        .join(format!("{name}.{hash:016x}.pending"))
}

/// Whether a write in place to `target` was interrupted (its record is
/// still in `state`). Creates nothing.
pub fn in_place_pending(state: &Path, target: &Path) -> bool {
    std::fs::symlink_metadata(record_path(state, target)).is_ok()
}

fn encode(target: &Path, old: &[u8], new: &[u8]) -> Zeroizing<Vec<u8>> {
    let name = target.to_string_lossy();
    let mut out = Zeroizing::new(Vec::with_capacity(
        MAGIC.len() + 24 + name.len() + old.len() + new.len(),
    ));
    out.extend_from_slice(MAGIC);
    for part in [name.as_bytes(), old, new] {
        out.extend_from_slice(&(part.len() as u64).to_le_bytes());
        out.extend_from_slice(part);
    }
    out
}

/// One length-prefixed part of a record, from the front of `rest`.
fn take<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let (len, tail) = rest.split_first_chunk::<8>()?;
    let len = usize::try_from(u64::from_le_bytes(*len)).ok()?;
    let (part, tail) = (tail.get(..len)?, tail.get(len..)?);
    *rest = tail;
    Some(part)
}

/// A record's (target, old, new), None unless it is exactly one of ours.
fn decode(raw: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let mut rest = raw.strip_prefix(MAGIC)?;
    let parts = (take(&mut rest)?, take(&mut rest)?, take(&mut rest)?);
    rest.is_empty().then_some(parts)
}

/// Whether `current` is what an interrupted write of `new` over `old`
/// leaves: each byte from one of the two at its offset, and a length
/// between theirs (a prefix of `new` over `old`, `new` before the
/// truncate, or pages of each after a power cut).
pub(super) fn torn(current: &[u8], old: &[u8], new: &[u8]) -> bool {
    let (lo, hi) = (old.len().min(new.len()), old.len().max(new.len()));
    (lo..=hi).contains(&current.len())
        && current
            .iter()
            .enumerate()
            .all(|(i, b)| old.get(i) == Some(b) || new.get(i) == Some(b))
}

/// `bytes` over `target` where it is: offset 0, truncate, fsync. The
/// inode (mode, owner, the mount) stays.
fn overwrite(target: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let mut f = platform::private_open(target, Open::WriteExisting).map_err(io_err(target))?;
    let m = f.metadata().map_err(io_err(target))?;
    if !m.is_file() {
        return Err(StoreError::NotRegular {
            path: target.to_path_buf(),
            what: super::kind_of(&m),
        });
    }
    // Test hook: a crash halfway through the write (a torn file).
    if super::failpoint_is("torn-in-place") {
        let _ = f.write_all(&bytes[..bytes.len() / 2]);
        let _ = platform::sync_file(&f);
        std::process::abort();
    }
    f.write_all(bytes).map_err(io_err(target))?;
    f.set_len(bytes.len() as u64).map_err(io_err(target))?;
    platform::sync_file(&f).map_err(io_err(target))
}

/// Replaces `old` by `new` in `target` where it is, crash-safely (see the
/// module doc), the record kept in `state` (a trusted `.keyturn`). The
/// caller holds the lock that guards `target`. `Ok(false)`: the file no
/// longer holds `old` (another program wrote it): nothing was written.
pub fn write_in_place(
    state: &Path,
    target: &Path,
    old: &[u8],
    new: &[u8],
) -> Result<bool, StoreError> {
    let record = record_path(state, target);
    write_private(&record, &encode(target, old, new))?;
    let now = Zeroizing::new(read_regular(target)?.unwrap_or_default());
    if now[..] != *old {
        remove_private(&record)?;
        return Ok(false);
    }
    if let Err(e) = overwrite(target, new) {
        // Untouched (a read-only mount refuses the open), or the old
        // bytes put back: the record has nothing to finish. Else it
        // stays, and the next run repairs the file from it.
        let untouched = read_regular(target)
            .ok()
            .flatten()
            .map(Zeroizing::new)
            .is_some_and(|b| b[..] == *old);
        if untouched || overwrite(target, old).is_ok() {
            remove_private(&record)?;
        }
        return Err(e);
    }
    remove_private(&record)?;
    Ok(true)
}

/// Finishes a write in place to `target` that a crash interrupted, from
/// its record in `state` (see the module doc); nothing to do without
/// one. The caller holds the lock that guards `target`.
pub fn finish_in_place(state: &Path, target: &Path) -> Result<(), StoreError> {
    let record = record_path(state, target);
    let Some(raw) = read_private(&record)? else {
        return Ok(());
    };
    let raw = Zeroizing::new(raw);
    let Some((name, old, new)) = decode(&raw) else {
        return Err(StoreError::Untrusted {
            path: record,
            reason: tr("store.why_bad_record").into(),
        });
    };
    if name != target.to_string_lossy().as_bytes() {
        // Another path with the same hash: not this file's record.
        return Ok(());
    }
    if let Some(current) = read_regular(target)?.map(Zeroizing::new) {
        if current[..] != *new && current[..] != *old && torn(&current, old, new) {
            overwrite(target, new)?;
        }
    }
    remove_private(&record)
}

/// Test support: the record a crash after step 1 leaves.
#[cfg(test)]
pub(super) fn plant_record(state: &Path, target: &Path, old: &[u8], new: &[u8]) {
    write_private(&record_path(state, target), &encode(target, old, new)).unwrap();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_exactly_and_nothing_else_reads_as_one() {
        let raw = encode(Path::new("/h/.aws/credentials"), b"old", b"");
        assert_eq!(
            decode(&raw),
            Some((&b"/h/.aws/credentials"[..], &b"old"[..], &b""[..]))
        );
        assert_eq!(decode(&raw[..raw.len() - 1]), None);
        let mut longer = raw.to_vec();
        longer.push(0);
        assert_eq!(decode(&longer), None);
        assert_eq!(decode(b"keyturn in-place write 2\n"), None);
        assert_eq!(decode(b""), None);
    }
}
