//! The Windows platform module against the real Win32 API (run under Wine
//! by scripts/windows): private creation, the trust verdicts, the DACL a
//! rewrite keeps, the retried rename, reparse points and Job Objects.

use super::*;
use std::io::Write;
use std::os::windows::fs::OpenOptionsExt;

/// The DACL of `path` in SDDL (`D:P(A;;FA;;;S-1-5-21-...)`).
fn dacl_sddl(path: &Path) -> String {
    let name = wide(path.as_os_str());
    let mut sd: ws::PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    let mut out: windows_sys::core::PWSTR = std::ptr::null_mut();
    // SAFETY: test helper; both buffers LocalAlloc'd and freed.
    unsafe {
        let rc = wa::GetNamedSecurityInfoW(
            name.as_ptr(),
            wa::SE_FILE_OBJECT,
            ws::DACL_SECURITY_INFORMATION,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut sd,
        );
        assert_eq!(rc, 0, "GetNamedSecurityInfoW {}", path.display());
        let ok = wa::ConvertSecurityDescriptorToStringSecurityDescriptorW(
            sd,
            wa::SDDL_REVISION_1,
            ws::DACL_SECURITY_INFORMATION,
            &mut out,
            std::ptr::null_mut(),
        );
        assert_ne!(ok, 0);
        let mut n = 0;
        while *out.add(n) != 0 {
            n += 1;
        }
        let s = String::from_utf16_lossy(std::slice::from_raw_parts(out, n));
        wf::LocalFree(out.cast());
        wf::LocalFree(sd);
        s
    }
}

/// Puts the DACL of `sddl` (`D:...`) on `path`, as another program or an
/// administrator would.
fn set_dacl(path: &Path, sddl: &str) {
    let w = wide(OsStr::new(sddl));
    let name = wide(path.as_os_str());
    let mut sd: ws::PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    // SAFETY: test helper; the DACL points into `sd`, freed after the set.
    unsafe {
        let ok = wa::ConvertStringSecurityDescriptorToSecurityDescriptorW(
            w.as_ptr(),
            wa::SDDL_REVISION_1,
            &mut sd,
            std::ptr::null_mut(),
        );
        assert_ne!(ok, 0, "{sddl}");
        let (mut dacl, mut present, mut defaulted) = (std::ptr::null_mut(), 0, 0);
        assert_ne!(
            ws::GetSecurityDescriptorDacl(sd, &mut present, &mut dacl, &mut defaulted),
            0
        );
        let mut control = 0u16;
        let mut rev = 0u32;
        ws::GetSecurityDescriptorControl(sd, &mut control, &mut rev);
        let keep = if control & ws::SE_DACL_PROTECTED != 0 {
            ws::PROTECTED_DACL_SECURITY_INFORMATION
        } else {
            ws::UNPROTECTED_DACL_SECURITY_INFORMATION
        };
        let rc = wa::SetNamedSecurityInfoW(
            name.as_ptr(),
            wa::SE_FILE_OBJECT,
            ws::DACL_SECURITY_INFORMATION | keep,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            dacl,
            std::ptr::null(),
        );
        wf::LocalFree(sd);
        assert_eq!(rc, 0, "SetNamedSecurityInfoW {sddl}");
    }
}

/// An allow-ACE for the running user with full control, as SDDL.
fn me_full() -> String {
    format!(";FA;;;{})", user_sid())
}

#[test]
fn the_user_sid_is_read_from_the_token() {
    assert!(user_sid().starts_with("S-1-5-"), "{}", user_sid());
    assert_ne!(euid(), u32::MAX);
}

#[test]
fn created_files_are_owned_by_me_and_private() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("journal");
    let f = private_open(&p, Open::CreateNew).unwrap();
    let a = access(&fstat(&f).unwrap());
    // (Wine keeps DACLs as mode bits: it cannot show "protected".)
    assert!(a.mine && !a.others_any && !a.others_write, "{a:?}");
    assert_eq!(owner(&fstat(&f).unwrap()).0, euid());
    assert!(dacl_sddl(&p).contains(&me_full()), "{}", dacl_sddl(&p));
    drop(f);
    assert!(
        private_open(&p, Open::CreateNew).is_err(),
        "CreateNew never reuses a file"
    );
}

#[test]
fn private_folders_carry_an_explicit_dacl() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a").join(".keyturn");
    create_private_dir(&p, true).unwrap();
    for d in [&p, &dir.path().join("a")] {
        let s = lstat(d).unwrap();
        assert!(s.is_dir());
        let a = access(&s);
        assert!(
            a.mine && !a.others_any && !a.others_write,
            "{}: {a:?}",
            d.display()
        );
        assert_eq!(mode(&s), 0o700);
        assert!(dacl_sddl(d).contains(&me_full()), "{}", dacl_sddl(d));
    }
}

/// A folder Everyone may write (as another program could leave it).
fn folder_open_to_everyone() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(".keyturn");
    std::fs::create_dir(&p).unwrap();
    set_dacl(
        &p,
        &format!("D:P(A;OICI;FA;;;{})(A;OICI;FA;;;WD)", user_sid()),
    );
    (dir, p)
}

#[test]
fn a_folder_others_may_write_is_reported() {
    let (_dir, p) = folder_open_to_everyone();
    let s = lstat(&p).unwrap();
    assert!(writable_by_others(&s) && open_to_others(&s));
    assert_eq!(mode(&s) & 0o022, 0o022);
}

#[test]
fn a_folder_others_may_write_is_made_private() {
    let (_dir, p) = folder_open_to_everyone();
    set_mode(&p, 0o700).unwrap();
    let s = lstat(&p).unwrap();
    assert!(
        !writable_by_others(&s) && !access(&s).others_any,
        "{}",
        dacl_sddl(&p)
    );
}

#[test]
fn read_only_for_others_is_not_writable_by_them() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("credentials");
    std::fs::write(&p, "x").unwrap();
    // Users may read; SYSTEM and Administrators may do anything.
    set_dacl(
        &p,
        &format!(
            "D:P(A;;FA;;;{})(A;;FR;;;BU)(A;;FA;;;SY)(A;;FA;;;BA)",
            user_sid()
        ),
    );
    let s = stat(&p).unwrap();
    assert!(!writable_by_others(&s) && access(&s).others_any);
    // Everyone may append: writable.
    set_dacl(&p, &format!("D:P(A;;FA;;;{})(A;;0x4;;;WD)", user_sid()));
    assert!(writable_by_others(&stat(&p).unwrap()));
}

#[test]
fn a_rewrite_keeps_the_replaced_files_dacl() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("credentials");
    std::fs::write(&real, "old\r\n").unwrap();
    set_dacl(&real, &format!("D:P(A;;FA;;;{})(A;;FR;;;BU)", user_sid()));
    // As the system keeps it (Wine: as mode bits).
    let kept = dacl_sddl(&real);
    let tmp = dir.path().join(".credentials.keyturn-1-2.tmp");
    let mut f = private_open(&tmp, Open::CreateNew).unwrap();
    assert_ne!(dacl_sddl(&tmp), kept, "the temp file starts private");
    copy_access(&real, &f).unwrap();
    f.write_all(b"new\r\n").unwrap();
    sync_file(&f).unwrap();
    drop(f);
    replace(&tmp, &real).unwrap();
    assert_eq!(std::fs::read(&real).unwrap(), b"new\r\n");
    assert_eq!(dacl_sddl(&real), kept);
    assert!(!tmp.exists());
}

#[test]
fn replace_waits_out_a_program_holding_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("credentials");
    let tmp = dir.path().join("new");
    std::fs::write(&real, "old").unwrap();
    std::fs::write(&tmp, "new").unwrap();
    // An editor holding the file without FILE_SHARE_DELETE: a rename over
    // it fails with a sharing violation until it lets go.
    let held = std::fs::OpenOptions::new()
        .read(true)
        .share_mode(0)
        .open(&real)
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        // Released once the first attempt has certainly been made.
        let _ = rx.recv();
        drop(held);
    });
    // SAFETY: both names NUL-terminated.
    let first = unsafe {
        wfs::MoveFileExW(
            wide(tmp.as_os_str()).as_ptr(),
            wide(real.as_os_str()).as_ptr(),
            wfs::MOVEFILE_REPLACE_EXISTING,
        )
    };
    assert_eq!(first, 0, "the held file cannot be replaced");
    let code = io::Error::last_os_error().raw_os_error().map(|c| c as u32);
    assert!(
        matches!(
            code,
            Some(wf::ERROR_SHARING_VIOLATION | wf::ERROR_ACCESS_DENIED)
        ),
        "{code:?}"
    );
    tx.send(()).unwrap();
    replace(&tmp, &real).unwrap();
    holder.join().unwrap();
    assert_eq!(std::fs::read(&real).unwrap(), b"new");
}

#[test]
fn reparse_points_are_refused_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("elsewhere");
    std::fs::write(&target, "secret").unwrap();
    let link = dir.path().join("journal");
    std::os::windows::fs::symlink_file(&target, &link).unwrap();
    assert!(lstat(&link).unwrap().file_type().is_symlink());
    assert!(private_open(&link, Open::ReadNoFollow).is_err());
    assert!(private_open(&link, Open::CreateNoFollow).is_err());
    assert!(private_open(&link, Open::CreateNew).is_err());
    assert_eq!(
        std::fs::read(&target).unwrap(),
        b"secret",
        "never written through"
    );
}

#[test]
fn a_job_object_ends_the_whole_tree() {
    use std::io::Read;
    use std::os::windows::io::AsRawHandle;
    use std::os::windows::process::CommandExt;
    use std::process::Stdio;
    // cmd starts find.exe, which waits for a stdin we never close; both
    // hold the stdout pipe, which ends only once every holder is gone.
    let mut child = std::process::Command::new("cmd.exe")
        .args(["/d", "/c"])
        .raw_arg("find \"never\"")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let id = track_tree(child.as_raw_handle());
    assert!(id > 1, "the hook got a job");
    let mut out = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = out.read_to_end(&mut sink);
        let _ = tx.send(());
    });
    kill_group(id.unsigned_abs());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "ended by TerminateJobObject(.., 1)");
    rx.recv_timeout(Duration::from_secs(120))
        .expect("the grandchild ended too: its stdout closed");
    forget_group(id.unsigned_abs());
    assert!(jobs().iter().all(|(i, _)| *i != id));
}

#[test]
fn disk_trouble_is_recognised() {
    assert!(is_disk_trouble(&io::Error::from_raw_os_error(
        wf::ERROR_DISK_FULL as i32
    )));
    assert!(!is_disk_trouble(&io::Error::from_raw_os_error(
        wf::ERROR_FILE_NOT_FOUND as i32
    )));
}

#[test]
fn canonical_paths_are_written_as_users_write_them() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("credentials");
    std::fs::write(&f, "x").unwrap();
    let canonical = std::fs::canonicalize(&f).unwrap();
    let plain = plain_path(canonical.clone());
    assert!(
        !plain.to_string_lossy().starts_with(r"\\?\"),
        "{}",
        plain.display()
    );
    // A missing sibling taken as given lands in the same folder.
    let missing = plain.parent().unwrap().join("config");
    assert_eq!(missing.parent(), plain.parent());
    assert_eq!(
        plain_path(std::path::PathBuf::from(r"\\?\UNC\srv\share\x")),
        std::path::PathBuf::from(r"\\?\UNC\srv\share\x")
    );
}
