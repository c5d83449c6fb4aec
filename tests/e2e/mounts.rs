//! Files a rename cannot replace, for real: a credentials file that is a
//! bind mount (Docker's `-v ~/.aws/credentials:/root/.aws/credentials`),
//! an aws-vault keyring folder that is a mount point, and a keyring item
//! file that is one. keyturn writes them in place (as the AWS CLI does),
//! and a crash mid-write is repaired by the next run. Also the trust
//! rules of keyring folders and `status` on a corrupted item.
//!
//! The mounts are real `mount --bind`s, so these tests run as root (CI
//! and the dev containers do); where a bind mount cannot be made the test
//! fails and says so, it never skips.

use crate::common::*;
use crate::keystore_rotate::{
    assert_crash_invariants, assert_rotated, jwe_read, snapshot, vault_files, VaultFiles,
    PASSPHRASE,
};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A bind mount of `src` on `dst`, unmounted on drop (declare it after
/// the sandbox, so it goes first).
struct Mount(PathBuf);

impl Mount {
    #[track_caller]
    fn bind(src: &Path, dst: &Path) -> Mount {
        let out = Command::new("mount")
            .arg("--bind")
            .arg(src)
            .arg(dst)
            .output()
            .expect("run mount(8)");
        assert!(
            out.status.success(),
            "tests/e2e/mounts.rs needs a real bind mount and cannot make one here: \
             `mount --bind {} {}` failed ({}): {}. Run the suite as root where mount(8) \
             works (CI and the dev containers do); these tests never skip",
            src.display(),
            dst.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
        Mount(dst.to_path_buf())
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Whether `p` is a mount point now (its own line in the mount table).
fn is_mount_point(p: &Path) -> bool {
    let table = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let p = p.to_string_lossy();
    table
        .lines()
        .any(|l| l.split(' ').nth(4) == Some(p.as_ref()))
}

/// A rename from folder `from` onto `target` fails as it would for
/// keyturn's temp file there (the mount is real).
#[track_caller]
fn assert_rename_refused(from: &Path, target: &Path) {
    let tmp = from.join(".probe.tmp");
    std::fs::write(&tmp, b"x").unwrap();
    let e = std::fs::rename(&tmp, target).expect_err("rename onto a mount point");
    std::fs::remove_file(&tmp).unwrap();
    assert!(
        matches!(e.raw_os_error(), Some(16 | 18)),
        "EBUSY/EXDEV expected: {e}"
    );
}

// ------------------------------------------------ a bind-mounted credentials file

struct Mounted {
    sb: Sandbox,
    old: Key,
    before: String,
    /// The host's file, bind-mounted on `~/.aws/credentials`.
    host: PathBuf,
    _mount: Mount,
}

fn mounted_credentials(user: &str) -> Mounted {
    let sb = Sandbox::new();
    let old = sb.user(user);
    let before = format!(
        "# shared with the container\n[work]\naws_access_key_id = {}\naws_secret_access_key = {}\nregion = ap-northeast-1\n\n[other]\naws_access_key_id = AKIAUNRELATEDUNRELAT\naws_secret_access_key = unrelated\n",
        old.id, old.secret
    );
    let host = sb.dir.path().join("host-credentials");
    write_private(&host, &before);
    write_private(&sb.credentials(), "");
    let mount = Mount::bind(&host, &sb.credentials());
    assert!(is_mount_point(&sb.credentials()));
    assert_rename_refused(&sb.home.join(".aws"), &sb.credentials());
    Mounted {
        sb,
        old,
        before,
        host,
        _mount: mount,
    }
}

/// One working key in IAM, that key in the file (the host's file, through
/// the mount), the rest of the file byte for byte, no journal, no record
/// of a write in place, no temp file.
#[track_caller]
fn assert_mounted_rotated(m: &Mounted, user: &str) -> String {
    let keys = m.sb.keys_of(user);
    assert_eq!(keys.len(), 1, "exactly one key must remain: {keys:?}");
    let id = keys[0].0.clone();
    assert_ne!(id, m.old.id, "the key must have been rotated");
    let text = std::fs::read_to_string(m.sb.credentials()).unwrap();
    assert_eq!(text, std::fs::read_to_string(&m.host).unwrap());
    let secret = text
        .lines()
        .find_map(|l| l.strip_prefix("aws_secret_access_key = "))
        .unwrap()
        .to_string();
    assert!(m.sb.works(&id, &secret), "the file's key must work");
    assert_text_eq(
        &text,
        &m.before
            .replace(&m.old.id, &id)
            .replace(&m.old.secret, &secret),
    );
    let state = m.sb.home.join(".aws/.keyturn");
    for sub in ["journal", "in-place"] {
        let left = std::fs::read_dir(state.join(sub))
            .map(|d| d.count())
            .unwrap_or(0);
        assert_eq!(left, 0, "{sub}: nothing may be left");
    }
    let temps: Vec<_> = std::fs::read_dir(m.sb.home.join(".aws"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(temps.is_empty(), "{temps:?}");
    id
}

#[test]
fn a_bind_mounted_credentials_file_is_rotated_in_place() {
    let m = mounted_credentials("mount1");
    let ino = std::fs::metadata(&m.host).unwrap().ino();
    let r = m.sb.keyturn().args(["rotate", "work"]).run();
    r.expect_code(0);
    r.assert_no_secret(&[&m.old.secret]);
    assert_mounted_rotated(&m, "mount1");
    // The same inode, mode and mount: written where it is.
    assert_eq!(std::fs::metadata(&m.host).unwrap().ino(), ino);
    assert_eq!(mode(&m.host), 0o600);
    assert!(is_mount_point(&m.sb.credentials()));
    // The backup of the old file is kept as for any rewrite.
    let backups: Vec<PathBuf> = std::fs::read_dir(m.sb.home.join(".aws/.keyturn/backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert_eq!(std::fs::read_to_string(&backups[0]).unwrap(), m.before);
    assert_eq!(mode(&backups[0]), 0o600);
}

#[test]
fn a_write_in_place_a_crash_tore_is_repaired_by_the_next_run() {
    let m = mounted_credentials("mount2");
    let r =
        m.sb.keyturn()
            .args(["rotate", "work"])
            .env("KEYTURN_FAILPOINT", "torn-in-place")
            .run();
    assert_eq!(r.code, None, "keyturn should have died mid-write: {r:?}");
    // Torn for real: neither the old file nor any whole new one.
    let torn = std::fs::read_to_string(&m.host).unwrap_or_default();
    assert_ne!(
        torn, m.before,
        "the crash left the old file: no tear to repair"
    );
    assert_eq!(
        std::fs::read_dir(m.sb.home.join(".aws/.keyturn/in-place"))
            .unwrap()
            .count(),
        1,
        "the record of the write must be there"
    );
    // Every command that reads the file first repairs it: rotate does.
    let rerun = m.sb.keyturn().args(["rotate", "work"]).run();
    rerun.expect_code(0);
    rerun.assert_no_secret(&[&m.old.secret]);
    assert_mounted_rotated(&m, "mount2");
}

#[test]
fn a_read_only_bind_mount_is_refused_before_any_change() {
    let m = mounted_credentials("mount3");
    // A Kubernetes secret mounted as a file: read-only.
    let out = Command::new("mount")
        .args(["-o", "remount,bind,ro"])
        .arg(m.sb.credentials())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "remount read-only: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (lang, words) in [
        ("C.UTF-8", "read-only file system or mount"),
        ("ja_JP.UTF-8", "読み取り専用"),
    ] {
        let r =
            m.sb.keyturn()
                .env("LANG", lang)
                .args(["rotate", "work"])
                .run();
        r.expect_code(3);
        assert!(r.stderr.contains(words), "{}", r.stderr);
        r.assert_no_secret(&[&m.old.secret]);
    }
    // Refused before the first change: no request, no .keyturn.
    assert!(m.sb.proxy_log().is_empty(), "{:?}", m.sb.proxy_log());
    assert!(!m.sb.home.join(".aws/.keyturn").exists());
    assert_eq!(std::fs::read_to_string(&m.host).unwrap(), m.before);
    assert_eq!(
        m.sb.keys_of("mount3"),
        [(m.old.id.clone(), "Active".to_string())]
    );
}

// ------------------------------------------------ aws-vault's keyring folder

fn rotate_vault(v: &VaultFiles) -> Keyturn {
    v.sb.keyturn()
        .args(["rotate", "dev"])
        .env("AWS_VAULT_BACKEND", "file")
        .env("AWS_VAULT_FILE_PASSPHRASE", PASSPHRASE)
}

#[test]
fn an_aws_vault_keyring_folder_that_is_a_mount_point_is_rotated() {
    let v = vault_files("[profile dev]\nregion = us-east-1\n");
    let host = v.sb.dir.path().join("host-keys");
    // The host's keyring, mounted on ~/.awsvault/keys.
    assert!(Command::new("cp")
        .arg("-a")
        .arg(&v.dir)
        .arg(&host)
        .status()
        .unwrap()
        .success());
    let _mount = Mount::bind(&host, &v.dir);
    assert!(is_mount_point(&v.dir));
    // keyturn's temp file is beside the folder, never in it.
    assert_rename_refused(&v.sb.home.join(".awsvault"), &v.dir.join("dev"));
    let before_item = jwe_read(&v.dir.join("dev"), PASSPHRASE);
    let before = snapshot(&v.sb.home);
    let r = rotate_vault(&v).run();
    r.expect_code(0);
    r.assert_no_secret(&[&v.old.secret, PASSPHRASE]);
    let after_item = jwe_read(&host.join("dev"), PASSPHRASE);
    assert_rotated(&v.sb, "vera", &v.old, &before_item, &after_item);
    // Only the item changed and the profile's session went: no temp file
    // or record in the keyring folder.
    assert_crash_invariants(&v, &before_item, &before);
    assert_eq!(mode(&host.join("dev")), 0o600);
}

#[test]
fn a_bind_mounted_keyring_item_survives_a_torn_write() {
    let v = vault_files("[profile dev]\nregion = us-east-1\n");
    let item = v.dir.join("dev");
    let host = v.sb.dir.path().join("host-dev");
    std::fs::copy(&item, &host).unwrap();
    let _mount = Mount::bind(&host, &item);
    assert_rename_refused(&v.sb.home.join(".awsvault"), &item);
    let before_item = jwe_read(&item, PASSPHRASE);
    let before = snapshot(&v.sb.home);
    let r = rotate_vault(&v)
        .env("KEYTURN_FAILPOINT", "torn-in-place")
        .run();
    assert_eq!(r.code, None, "keyturn should have died mid-write: {r:?}");
    let torn = std::fs::read(&host).unwrap();
    assert_ne!(torn, before[&item], "the crash left the old item");
    let rerun = rotate_vault(&v).run();
    rerun.expect_code(0);
    rerun.assert_no_secret(&[&v.old.secret, PASSPHRASE]);
    assert_crash_invariants(&v, &before_item, &before);
    assert_ne!(
        jwe_read(&host, PASSPHRASE),
        before_item,
        "the rerun must have rotated"
    );
}

// ------------------------------------------------ keyring folders are trusted like .keyturn

#[test]
fn a_keyring_folder_others_can_write_or_another_user_owns_is_refused() {
    let v = vault_files("[profile dev]\nregion = us-east-1\n");
    let before = snapshot(&v.sb.home);
    for (how, uid) in [(0o770, None), (0o702, None), (0o700, Some(4321))] {
        std::fs::set_permissions(&v.dir, std::fs::Permissions::from_mode(how)).unwrap();
        if let Some(uid) = uid {
            std::os::unix::fs::chown(&v.dir, Some(uid), None)
                .expect("chown needs root (CI runs the suite as root)");
        }
        let r = rotate_vault(&v).run();
        r.expect_code(3);
        assert!(
            r.stderr.contains(&v.dir.display().to_string()) && r.stderr.contains("keyring folder"),
            "{how:o} {uid:?}: {}",
            r.stderr
        );
        // status names it too, in the table, and fails.
        let s =
            v.sb.keyturn()
                .args(["status", "--offline"])
                .env("AWS_VAULT_BACKEND", "file")
                .env("AWS_VAULT_FILE_PASSPHRASE", PASSPHRASE)
                .run();
        s.expect_code(1);
        assert!(s.stdout.contains("keyring folder"), "{}", s.stdout);
        let after: std::collections::BTreeMap<_, _> = snapshot(&v.sb.home)
            .into_iter()
            .filter(|(p, _)| !p.starts_with(v.sb.home.join(".aws/.keyturn")))
            .collect();
        assert_eq!(after, before, "a refusal changed files");
        assert_eq!(v.sb.keys_of("vera").len(), 1);
        std::os::unix::fs::chown(&v.dir, Some(0), None).unwrap();
    }
    // Japanese.
    std::fs::set_permissions(&v.dir, std::fs::Permissions::from_mode(0o770)).unwrap();
    let r = rotate_vault(&v).env("LANG", "ja_JP.UTF-8").run();
    r.expect_code(3);
    assert!(r.stderr.contains("キーリングフォルダー"), "{}", r.stderr);
    // Put right, it rotates.
    std::fs::set_permissions(&v.dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    rotate_vault(&v).run().expect_code(0);
}

#[test]
fn status_with_a_corrupted_keyring_item_fails_and_says_why_in_the_table() {
    let v = vault_files("[profile dev]\nregion = us-east-1\n");
    std::fs::write(v.dir.join("dev"), "not.a.jwe.at-all").unwrap();
    let s =
        v.sb.keyturn()
            .args(["status", "--offline"])
            .env("AWS_VAULT_BACKEND", "file")
            .env("AWS_VAULT_FILE_PASSPHRASE", PASSPHRASE)
            .run();
    s.expect_code(1);
    assert!(!s.stdout.contains("--output json"), "{}", s.stdout);
    assert!(
        s.stdout.contains("not a keyring item keyturn can read"),
        "{}",
        s.stdout
    );
    assert!(s.stdout.contains("dev"), "{}", s.stdout);
}
