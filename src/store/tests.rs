//! The store's promises, checked on a real temp directory.

use super::*;
use std::os::unix::fs::symlink;
use std::os::unix::fs::{MetadataExt, PermissionsExt};

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

fn upper(b: &[u8]) -> Result<Option<Vec<u8>>, ()> {
    Ok(Some(b.to_ascii_uppercase()))
}

#[test]
fn rewrite_keeps_mode_and_backs_up_privately() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    fs::write(&file, b"[a]\nk = v\n").unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o640)).unwrap();
    let snap = read(&file).unwrap();
    let lock = lock(&snap.real, Duration::ZERO).unwrap();
    let out = rewrite(&lock, &snap, 5, &upper).unwrap().unwrap();
    assert_eq!(fs::read(&file).unwrap(), b"[A]\nK = V\n");
    assert_eq!(mode(&file), 0o640);
    assert!(!out.reapplied);
    let backup = out.backup.unwrap();
    assert_eq!(fs::read(&backup).unwrap(), b"[a]\nk = v\n");
    assert_eq!(mode(&backup), 0o600);
    assert_eq!(mode(backup.parent().unwrap()), 0o700);
    assert_eq!(mode(&dir.path().join(STATE_DIR)), 0o700);
    // No temp file is left behind.
    let stray: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("tmp"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

#[test]
fn rewrite_keeps_owner() {
    // Only root can give a file away; CI and the dev machines run as root.
    if unsafe_geteuid() != 0 {
        panic!("this test must run as root to check owner preservation");
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    fs::write(&file, b"x").unwrap();
    std::os::unix::fs::chown(&file, Some(4321), Some(4322)).unwrap();
    let snap = read(&file).unwrap();
    let lock = lock(&snap.real, Duration::ZERO).unwrap();
    rewrite(&lock, &snap, 5, &upper).unwrap().unwrap();
    let m = fs::metadata(&file).unwrap();
    assert_eq!((m.uid(), m.gid()), (4321, 4322));
}

fn unsafe_geteuid() -> u32 {
    // The owner of a freshly created file is our effective uid.
    let f = tempfile::NamedTempFile::new().unwrap();
    f.as_file().metadata().unwrap().uid()
}

#[test]
fn rewrite_follows_symlink_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let target_dir = dir.path().join("dotfiles");
    fs::create_dir(&target_dir).unwrap();
    let target = target_dir.join("creds");
    fs::write(&target, b"abc").unwrap();
    let link = dir.path().join("credentials");
    symlink(&target, &link).unwrap();
    let snap = read(&link).unwrap();
    assert_eq!(snap.real, fs::canonicalize(&target).unwrap());
    let lock = lock(&snap.real, Duration::ZERO).unwrap();
    rewrite(&lock, &snap, 5, &upper).unwrap().unwrap();
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read(&target).unwrap(), b"ABC");
}

#[test]
fn rewrite_reapplies_edit_when_file_changed_since_read() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    fs::write(&file, b"old").unwrap();
    let snap = read(&file).unwrap();
    fs::write(&file, b"changed by aws configure").unwrap();
    let lock = lock(&snap.real, Duration::ZERO).unwrap();
    let out = rewrite(&lock, &snap, 5, &upper).unwrap().unwrap();
    assert!(out.reapplied);
    assert_eq!(fs::read(&file).unwrap(), b"CHANGED BY AWS CONFIGURE");
}

#[test]
fn rewrite_never_creates_a_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    let snap = read(&file).unwrap();
    assert!(snap.bytes.is_none());
    let lock = lock(&snap.real, Duration::ZERO).unwrap();
    let err = rewrite(&lock, &snap, 5, &upper).unwrap_err();
    assert!(matches!(err, StoreError::Missing { .. }), "{err}");
    assert!(!file.exists());
}

#[test]
fn rewrite_with_nothing_to_change_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    fs::write(&file, b"same").unwrap();
    let snap = read(&file).unwrap();
    let lock = lock(&snap.real, Duration::ZERO).unwrap();
    let out = rewrite(&lock, &snap, 5, &|_| Ok::<_, ()>(None))
        .unwrap()
        .unwrap();
    assert!(out.unchanged && out.backup.is_none());
}

#[test]
fn edit_error_is_returned_and_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    fs::write(&file, b"same").unwrap();
    let snap = read(&file).unwrap();
    let lock = lock(&snap.real, Duration::ZERO).unwrap();
    let out = rewrite(&lock, &snap, 5, &|_| Err::<Option<Vec<u8>>, _>("no")).unwrap();
    assert_eq!(out.unwrap_err(), "no");
    assert_eq!(fs::read(&file).unwrap(), b"same");
}

#[test]
fn second_lock_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    fs::write(&file, b"x").unwrap();
    let _held = lock(&file, Duration::ZERO).unwrap();
    let err = lock(&file, Duration::from_millis(120)).unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err}");
    assert!(err
        .to_string()
        .contains("another keyturn run holds the lock"));
}

#[test]
fn backups_never_overwrite_and_keep_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    let mut made = Vec::new();
    for i in 0..6 {
        made.push(backup(&file, format!("v{i}").as_bytes(), 3).unwrap());
    }
    let left = list_private(&dir.path().join(STATE_DIR).join("backups"), ".bak").unwrap();
    assert_eq!(left, made[3..]);
    assert_eq!(fs::read(&left[2]).unwrap(), b"v5");
}

#[test]
fn private_dir_permissions_are_tightened() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("j");
    fs::create_dir(&p).unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
    write_private(&p.join("x.json"), b"{}").unwrap();
    assert_eq!(mode(&p), 0o700);
    assert_eq!(mode(&p.join("x.json")), 0o600);
    assert_eq!(read_private(&p.join("x.json")).unwrap().unwrap(), b"{}");
    remove_private(&p.join("x.json")).unwrap();
    assert!(read_private(&p.join("x.json")).unwrap().is_none());
}

#[test]
fn utc_stamp_is_sortable_and_correct() {
    let t = UNIX_EPOCH + Duration::new(1_795_000_000, 5);
    assert_eq!(utc_stamp(t), "20261118T110640.000000005Z");
    assert_eq!(utc_stamp(UNIX_EPOCH), "19700101T000000.000000000Z");
}

// --- hardening (issue 8) ---

fn root_only() {
    assert_eq!(
        euid(),
        0,
        "this test must run as root (to give files to another uid); CI and the dev machines run as root"
    );
}

#[test]
fn symlinked_state_dir_is_refused_and_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    fs::set_permissions(&elsewhere, fs::Permissions::from_mode(0o755)).unwrap();
    symlink(&elsewhere, dir.path().join(STATE_DIR)).unwrap();
    let file = dir.path().join("credentials");
    fs::write(&file, b"[a]\n").unwrap();
    let err = lock(&file, Duration::ZERO).unwrap_err();
    assert!(matches!(err, StoreError::Untrusted { .. }), "{err}");
    assert!(err.is_refusal());
    // Nothing was created or chmodded through the link.
    assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0);
    assert_eq!(mode(&elsewhere), 0o755);
}

#[test]
fn state_dir_of_another_user_or_world_writable_is_refused() {
    root_only();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join(STATE_DIR);
    fs::create_dir(&state).unwrap();
    std::os::unix::fs::chown(&state, Some(4321), Some(4321)).unwrap();
    fs::set_permissions(&state, fs::Permissions::from_mode(0o700)).unwrap();
    let err = ensure_private_dir(&state.join("journal")).unwrap_err();
    assert!(err.to_string().contains("4321"), "{err}");
    assert!(!state.join("journal").exists());
    std::os::unix::fs::chown(&state, Some(0), Some(0)).unwrap();
    fs::set_permissions(&state, fs::Permissions::from_mode(0o777)).unwrap();
    let err = ensure_private_dir(&state).unwrap_err();
    assert!(err.to_string().contains("0777"), "{err}");
    assert_eq!(mode(&state), 0o777, "a refused folder keeps its mode");
    // A planted journal folder is refused when listed, not read.
    fs::set_permissions(&state, fs::Permissions::from_mode(0o700)).unwrap();
    let journal = state.join("journal");
    fs::create_dir(&journal).unwrap();
    fs::set_permissions(&journal, fs::Permissions::from_mode(0o777)).unwrap();
    assert!(list_private(&journal, ".journal").is_err());
    fs::set_permissions(&journal, fs::Permissions::from_mode(0o700)).unwrap();
    let planted = journal.join("x.journal");
    fs::write(&planted, b"{}").unwrap();
    std::os::unix::fs::chown(&planted, Some(4321), Some(4321)).unwrap();
    assert!(matches!(
        read_private(&planted),
        Err(StoreError::Untrusted { .. })
    ));
}

#[test]
fn group_readable_own_state_dir_is_tightened() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join(STATE_DIR);
    fs::create_dir(&state).unwrap();
    fs::set_permissions(&state, fs::Permissions::from_mode(0o750)).unwrap();
    ensure_private_dir(&state.join("backups")).unwrap();
    assert_eq!(mode(&state), 0o700);
    assert_eq!(mode(&state.join("backups")), 0o700);
}

#[test]
fn special_files_are_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    // No writer ever opens the FIFO: a blocking open would hang here.
    let err = read(&fifo).unwrap_err();
    assert!(
        matches!(err, StoreError::NotRegular { .. }) && err.to_string().contains("FIFO"),
        "{err}"
    );
    let sock = dir.path().join("sock");
    let _l = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    assert!(matches!(read(&sock), Err(StoreError::NotRegular { .. })));
    assert!(matches!(
        read(Path::new("/dev/null")),
        Err(StoreError::NotRegular { .. })
    ));
    assert!(matches!(
        read(dir.path()),
        Err(StoreError::NotRegular { .. })
    ));
    assert!(check_writable(&fifo).is_err());
    // Nothing of keyturn's appeared.
    assert!(!dir.path().join(STATE_DIR).exists());
}

#[test]
fn read_only_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    fs::write(&file, b"[a]\n").unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o400)).unwrap();
    let err = check_writable(&file).unwrap_err();
    assert!(err.to_string().contains("0400"), "{err}");
    fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();
    check_writable(&file).unwrap();
    check_writable(&dir.path().join("absent")).unwrap();
}

#[test]
fn temp_naming_is_recognised_exactly() {
    assert!(is_our_temp(".credentials.keyturn-12-34.tmp", "credentials"));
    assert!(!is_our_temp(".credentials.keyturn-12-34.tmp", "config"));
    assert!(!is_our_temp(".credentials.keyturn-12.tmp", "credentials"));
    assert!(!is_our_temp(".credentials.keyturn-a-34.tmp", "credentials"));
    assert!(!is_our_temp("credentials.keyturn-12-34.tmp", "credentials"));
    assert!(!is_our_temp(
        ".credentials.keyturn-12-34.tmp.x",
        "credentials"
    ));
}

#[test]
fn stale_temps_are_swept_under_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    fs::write(&file, b"[a]\n").unwrap();
    let stale = dir.path().join(".credentials.keyturn-999999-1.tmp");
    let other = dir.path().join(".credentials.editor.tmp");
    fs::write(&stale, b"secret").unwrap();
    fs::write(&other, b"not ours").unwrap();
    let journal = dir.path().join(STATE_DIR).join("journal");
    ensure_private_dir(&journal).unwrap();
    let jtmp = journal.join(".p-1.journal.keyturn-5-6.tmp");
    fs::write(&jtmp, b"secret").unwrap();
    let _lock = lock(&file, Duration::ZERO).unwrap();
    assert!(!stale.exists() && !jtmp.exists());
    assert!(
        other.exists(),
        "a file not of keyturn's naming is left alone"
    );
}

#[test]
fn deadline_never_overflows() {
    let far = deadline_after(Duration::MAX);
    assert!(far > Instant::now());
    let _ = deadline_after(Duration::from_secs(u64::MAX));
}

#[test]
fn rename_impossible_means_a_mount_point() {
    let e = |n| io::Error::from_raw_os_error(n);
    assert!(rename_impossible(&e(libc::EBUSY)));
    assert!(rename_impossible(&e(libc::EXDEV)));
    assert!(!rename_impossible(&e(libc::ENOSPC)));
    assert!(!rename_impossible(&e(libc::EACCES)));
}

#[test]
fn torn_is_a_bytewise_mix_of_old_and_new() {
    use in_place::torn;
    let (old, new) = (
        &b"[a]\nk = OLDOLDOLD\nrest\n"[..],
        &b"[a]\nk = NEW\nrest\n"[..],
    );
    // A prefix of the new over the old; the new before the truncate.
    let mut half = new[..6].to_vec();
    half.extend_from_slice(&old[6..]);
    assert!(torn(&half, old, new));
    let mut untruncated = new.to_vec();
    untruncated.extend_from_slice(&old[new.len()..]);
    assert!(torn(&untruncated, old, new));
    // Someone else's content is not ours to finish.
    assert!(!torn(b"[a]\nk = THEIRS!!!\nrest\n", old, new));
    assert!(!torn(b"[a]\n", old, new));
}

#[test]
fn write_in_place_keeps_the_inode_mode_and_leaves_no_record() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    fs::write(&file, b"old content, longer than the new").unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o640)).unwrap();
    let ino = fs::metadata(&file).unwrap().ino();
    let l = lock(&file, Duration::ZERO).unwrap();
    let done = write_in_place(
        l.state_dir(),
        &file,
        b"old content, longer than the new",
        b"new",
    )
    .unwrap();
    assert!(done);
    assert_eq!(fs::read(&file).unwrap(), b"new");
    assert_eq!(fs::metadata(&file).unwrap().ino(), ino);
    assert_eq!(mode(&file), 0o640);
    assert!(!in_place_pending(l.state_dir(), &file));
    // A file that no longer holds `old` is not written.
    assert!(!write_in_place(l.state_dir(), &file, b"something else", b"x").unwrap());
    assert_eq!(fs::read(&file).unwrap(), b"new");
    assert!(!in_place_pending(l.state_dir(), &file));
}

/// A record as a crash leaves it (the write begun, never finished).
fn pending_record(state: &Path, target: &Path, old: &[u8], new: &[u8]) {
    in_place::plant_record(state, target, old, new);
    assert!(in_place_pending(state, target));
}

#[test]
fn a_torn_write_in_place_is_finished_on_the_next_lock() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    let (old, new) = (
        &b"[w]\nid = AKIAOLD0000000000000\n[x]\n"[..],
        &b"[w]\nid = AKIANEW1\n[x]\n"[..],
    );
    fs::write(&file, old).unwrap();
    let state = state_dir(&file).unwrap();
    pending_record(&state, &file, old, new);
    // Torn: the first new bytes (past where the two differ) over the old.
    let mut torn = new[..15].to_vec();
    torn.extend_from_slice(&old[15..]);
    assert!(torn[..] != *old && torn[..] != *new);
    fs::write(&file, &torn).unwrap();
    assert!(in_place_pending(&state, &file));
    finish_interrupted_write(&file, Duration::ZERO).unwrap();
    assert_eq!(fs::read(&file).unwrap(), new);
    assert!(!in_place_pending(&state, &file));
}

#[test]
fn an_unstarted_or_foreign_write_in_place_is_left_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    let (old, new) = (&b"old old old"[..], &b"new"[..]);
    fs::write(&file, old).unwrap();
    let state = state_dir(&file).unwrap();
    // Never started: the old file stays (the journal redoes the write).
    pending_record(&state, &file, old, new);
    drop(lock(&file, Duration::ZERO).unwrap());
    assert_eq!(fs::read(&file).unwrap(), old);
    assert!(!in_place_pending(&state, &file));
    // Rewritten by someone else since: theirs.
    pending_record(&state, &file, old, new);
    fs::write(&file, b"theirs, quite different").unwrap();
    drop(lock(&file, Duration::ZERO).unwrap());
    assert_eq!(fs::read(&file).unwrap(), b"theirs, quite different");
    assert!(!in_place_pending(&state, &file));
}
