//! The Windows implementation of [`crate::platform`]: the process token's
//! user SID in place of a uid, a protected DACL granting only that user in
//! place of 0600/0700, `FILE_FLAG_OPEN_REPARSE_POINT` in place of
//! `O_NOFOLLOW`, `MoveFileExW` with write-through for the atomic rename,
//! Job Objects in place of process groups, and the console control handler
//! in place of SIGINT/SIGTERM.
//!
//! Invariants:
//! - Every file or folder keyturn creates gets, at creation (no window),
//!   the owner "me" and a protected DACL with one ACE: me, full control.
//!   Nothing is inherited from the folder above.
//! - "Mine" means owned by the token's user SID. "Writable by others"
//!   means some allow ACE that applies to the object itself grants a
//!   write, delete or re-permission right to a SID other than me, SYSTEM
//!   or the Administrators group (the two that are Windows' root); a
//!   missing (NULL) DACL grants everyone everything. What cannot be read
//!   (a security descriptor denied to us) counts as not mine and
//!   writable: the checks fail closed.
//! - A reparse point (symlink, junction) is never followed by the opens
//!   that Unix makes with `O_NOFOLLOW`: it is opened as itself and refused.
//! - Windows has no uids: [`euid`] is the last sub-authority (the RID) of
//!   the user's SID, and [`owner`] reports that same number for a file
//!   owned by that exact SID, the owner's own RID otherwise (never equal
//!   to [`euid`]), so messages still name something a user can look up.

use super::Special;
use std::ffi::OsStr;
use std::fs::{self, File, Metadata};
use std::io;
use std::os::windows::ffi::OsStrExt;
use std::os::windows::fs::MetadataExt;
use std::os::windows::io::{AsRawHandle, FromRawHandle, RawHandle};
use std::path::Path;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};
use windows_sys::Win32::Foundation as wf;
use windows_sys::Win32::Security as ws;
use windows_sys::Win32::Security::Authorization as wa;
use windows_sys::Win32::Storage::FileSystem as wfs;

/// A file's metadata together with what its security descriptor says (the
/// one thing `std::fs::Metadata` cannot carry on Windows). Derefs to the
/// metadata, so callers use it as they use a `Metadata` on Unix.
#[derive(Debug, Clone)]
pub struct Stat {
    meta: Metadata,
    access: Access,
}

impl std::ops::Deref for Stat {
    type Target = Metadata;
    fn deref(&self) -> &Metadata {
        &self.meta
    }
}

/// The verdict of one security descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    /// Owned by the token's user SID.
    pub mine: bool,
    /// The owner SID's last sub-authority.
    pub owner_rid: u32,
    /// Some ACE lets another SID write, delete or re-permission it.
    pub others_write: bool,
    /// Some ACE grants another SID anything at all.
    pub others_any: bool,
    /// The DACL is protected (nothing inherited from the folder above).
    pub protected: bool,
}

/// What cannot be read is treated as the worst case.
const UNKNOWN: Access = Access {
    mine: false,
    owner_rid: u32::MAX,
    others_write: true,
    others_any: true,
    protected: false,
};

fn wide(p: &OsStr) -> Vec<u16> {
    p.encode_wide().chain(Some(0)).collect()
}

fn last_error() -> io::Error {
    io::Error::last_os_error()
}

/// A SID as its string form (`S-1-5-21-...`).
fn sid_string(sid: ws::PSID) -> Option<String> {
    let mut out: windows_sys::core::PWSTR = std::ptr::null_mut();
    // SAFETY: `sid` points into a live security descriptor or token
    // buffer; on success `out` is a NUL-terminated LocalAlloc'd string,
    // read once and freed.
    unsafe {
        if wa::ConvertSidToStringSidW(sid, &mut out) == 0 {
            return None;
        }
        let mut n = 0;
        while *out.add(n) != 0 {
            n += 1;
        }
        let s = String::from_utf16_lossy(std::slice::from_raw_parts(out, n));
        wf::LocalFree(out.cast());
        Some(s)
    }
}

/// The last sub-authority of a SID (the RID: 1001 for a user, 544 for
/// Administrators).
fn sid_rid(sid: ws::PSID) -> u32 {
    // SAFETY: a valid SID (checked by IsValidSid); the count and the
    // sub-authority are read inside it.
    unsafe {
        if ws::IsValidSid(sid) == 0 {
            return u32::MAX;
        }
        let n = *ws::GetSidSubAuthorityCount(sid);
        if n == 0 {
            return 0;
        }
        *ws::GetSidSubAuthority(sid, u32::from(n) - 1)
    }
}

/// The process token's user: its SID string and RID, read once.
fn me() -> &'static (String, u32) {
    static ME: OnceLock<(String, u32)> = OnceLock::new();
    ME.get_or_init(|| token_user().unwrap_or_else(|| (String::new(), u32::MAX)))
}

fn token_user() -> Option<(String, u32)> {
    use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};
    // SAFETY: the token handle is closed below; the buffer is sized by the
    // first call and holds a TOKEN_USER whose SID points into it.
    unsafe {
        let mut token: wf::HANDLE = std::ptr::null_mut();
        if OpenProcessToken(GetCurrentProcess(), ws::TOKEN_QUERY, &mut token) == 0 {
            return None;
        }
        let mut len = 0u32;
        ws::GetTokenInformation(token, ws::TokenUser, std::ptr::null_mut(), 0, &mut len);
        // u64 elements: the buffer is aligned for TOKEN_USER.
        let mut buf = vec![0u64; (len as usize).div_ceil(8) + 1];
        let ok =
            ws::GetTokenInformation(token, ws::TokenUser, buf.as_mut_ptr().cast(), len, &mut len);
        wf::CloseHandle(token);
        if ok == 0 {
            return None;
        }
        let user = &*(buf.as_ptr() as *const ws::TOKEN_USER);
        Some((sid_string(user.User.Sid)?, sid_rid(user.User.Sid)))
    }
}

/// The current user's SID, `S-1-5-21-...` (for messages and tests).
pub fn user_sid() -> &'static str {
    &me().0
}

/// SYSTEM and the Administrators group: Windows' root, which may write
/// anything anyway.
fn privileged(sid: &str) -> bool {
    sid == "S-1-5-18" || sid == "S-1-5-32-544"
}

/// ACE types (winnt.h), kept here rather than pulling in SystemServices.
const ACCESS_ALLOWED_ACE_TYPE: u32 = 0;
const ACCESS_DENIED_ACE_TYPE: u32 = 1;

/// Rights that let their holder change what a file says or who may.
const WRITE_RIGHTS: u32 = wfs::FILE_WRITE_DATA
    | wfs::FILE_APPEND_DATA
    | wfs::FILE_WRITE_EA
    | wfs::FILE_WRITE_ATTRIBUTES
    | wfs::FILE_DELETE_CHILD
    | wfs::DELETE
    | wfs::WRITE_DAC
    | wfs::WRITE_OWNER
    | wf::GENERIC_WRITE
    | wf::GENERIC_ALL;

/// Reads the owner and DACL of an open handle (`READ_CONTROL` needed).
fn access_of(handle: wf::HANDLE) -> Access {
    let mut owner: ws::PSID = std::ptr::null_mut();
    let mut dacl: *mut ws::ACL = std::ptr::null_mut();
    let mut sd: ws::PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    // SAFETY: on success `sd` is a LocalAlloc'd descriptor that `owner`
    // and `dacl` point into; it is freed after the last read of them.
    unsafe {
        let rc = wa::GetSecurityInfo(
            handle,
            wa::SE_FILE_OBJECT,
            ws::OWNER_SECURITY_INFORMATION | ws::DACL_SECURITY_INFORMATION,
            &mut owner,
            std::ptr::null_mut(),
            &mut dacl,
            std::ptr::null_mut(),
            &mut sd,
        );
        if rc != 0 || sd.is_null() {
            return UNKNOWN;
        }
        let a = judge(owner, dacl, sd);
        wf::LocalFree(sd);
        a
    }
}

/// The verdict on one descriptor's owner and DACL.
///
/// # Safety
/// `owner`, `dacl` and `sd` come from one live `GetSecurityInfo` result.
unsafe fn judge(owner: ws::PSID, dacl: *mut ws::ACL, sd: ws::PSECURITY_DESCRIPTOR) -> Access {
    let (my_sid, _) = me();
    let owner_sid = if owner.is_null() {
        None
    } else {
        sid_string(owner)
    };
    let mine = !my_sid.is_empty() && owner_sid.as_deref() == Some(my_sid.as_str());
    let mut control = 0u16;
    let mut rev = 0u32;
    ws::GetSecurityDescriptorControl(sd, &mut control, &mut rev);
    let mut a = Access {
        mine,
        owner_rid: if owner.is_null() {
            u32::MAX
        } else {
            sid_rid(owner)
        },
        others_write: false,
        others_any: false,
        protected: control & ws::SE_DACL_PROTECTED != 0,
    };
    if dacl.is_null() {
        // No DACL at all: everyone may do everything.
        a.others_write = true;
        a.others_any = true;
        return a;
    }
    for i in 0..u32::from((*dacl).AceCount) {
        let mut ace: *mut core::ffi::c_void = std::ptr::null_mut();
        if ws::GetAce(dacl, i, &mut ace) == 0 || ace.is_null() {
            a.others_write = true;
            a.others_any = true;
            continue;
        }
        let header = &*(ace as *const ws::ACE_HEADER);
        if u32::from(header.AceFlags) & ws::INHERIT_ONLY_ACE != 0 {
            continue; // applies to children only
        }
        match u32::from(header.AceType) {
            ACCESS_DENIED_ACE_TYPE => continue, // only takes away
            ACCESS_ALLOWED_ACE_TYPE => {
                let allowed = &*(ace as *const ws::ACCESS_ALLOWED_ACE);
                let sid = std::ptr::addr_of!(allowed.SidStart) as ws::PSID;
                let who = sid_string(sid).unwrap_or_default();
                if who == *my_sid || privileged(&who) {
                    continue;
                }
                if allowed.Mask != 0 {
                    a.others_any = true;
                }
                if allowed.Mask & WRITE_RIGHTS != 0 {
                    a.others_write = true;
                }
            }
            // Object and callback ACEs: not read here, so the worst case.
            _ => {
                a.others_write = true;
                a.others_any = true;
            }
        }
    }
    a
}

/// Opens a path for `READ_CONTROL` only (never its data), without
/// following a final reparse point when `no_follow`.
fn open_for_security(path: &Path, no_follow: bool) -> io::Result<File> {
    let mut flags = wfs::FILE_FLAG_BACKUP_SEMANTICS; // folders too
    if no_follow {
        flags |= wfs::FILE_FLAG_OPEN_REPARSE_POINT;
    }
    raw_open(path, wfs::READ_CONTROL, wfs::OPEN_EXISTING, flags, None)
}

fn raw_open(
    path: &Path,
    access: u32,
    disposition: u32,
    flags: u32,
    sd: Option<&PrivateSd>,
) -> io::Result<File> {
    let name = wide(path.as_os_str());
    let sa = sd.map(|sd| ws::SECURITY_ATTRIBUTES {
        nLength: std::mem::size_of::<ws::SECURITY_ATTRIBUTES>() as u32,
        lpSecurityDescriptor: sd.0,
        bInheritHandle: 0,
    });
    // SAFETY: `name` is NUL-terminated; `sa` (and the descriptor it
    // points to) outlive the call; the handle returned is owned by the
    // File from here on.
    unsafe {
        let h = wfs::CreateFileW(
            name.as_ptr(),
            access,
            wfs::FILE_SHARE_READ | wfs::FILE_SHARE_WRITE | wfs::FILE_SHARE_DELETE,
            sa.as_ref().map_or(std::ptr::null(), |s| s as *const _),
            disposition,
            flags,
            std::ptr::null_mut(),
        );
        if h == wf::INVALID_HANDLE_VALUE {
            return Err(last_error());
        }
        Ok(File::from_raw_handle(h as RawHandle))
    }
}

fn stat_of(path: &Path, meta: io::Result<Metadata>, no_follow: bool) -> io::Result<Stat> {
    let meta = meta?;
    let access = match open_for_security(path, no_follow) {
        Ok(f) => access_of(f.as_raw_handle() as wf::HANDLE),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(e),
        Err(_) => UNKNOWN,
    };
    Ok(Stat { meta, access })
}

/// `lstat`: a link is described as itself.
pub fn lstat(path: &Path) -> io::Result<Stat> {
    stat_of(path, fs::symlink_metadata(path), true)
}

/// `stat`: links followed.
pub fn stat(path: &Path) -> io::Result<Stat> {
    stat_of(path, fs::metadata(path), false)
}

/// `fstat` of an open file (opened with read or write access, both of
/// which include `READ_CONTROL`).
pub fn fstat(f: &File) -> io::Result<Stat> {
    Ok(Stat {
        meta: f.metadata()?,
        access: access_of(f.as_raw_handle() as wf::HANDLE),
    })
}

/// `\\?\C:\x` (what `canonicalize` returns) as `C:\x`, as users, the AWS
/// CLI and `%USERPROFILE%` write it, so two spellings of one folder (a
/// canonical existing file, a missing one taken as given) compare equal
/// and messages stay readable; any other path is returned as is.
pub fn plain_path(p: std::path::PathBuf) -> std::path::PathBuf {
    if let Some(rest) = p.to_str().and_then(|s| s.strip_prefix(r"\\?\")) {
        let b = rest.as_bytes();
        if b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\' {
            return std::path::PathBuf::from(rest);
        }
    }
    p
}

/// What a file's security descriptor says (for tests and messages).
pub fn access(m: &Stat) -> Access {
    m.access
}

/// The RID of the user keyturn runs as: the only owner it trusts.
pub fn euid() -> u32 {
    me().1
}

/// The owner of a file as (rid, rid): [`euid`] exactly when the owner is
/// the running user's SID.
pub fn owner(m: &Stat) -> (u32, u32) {
    let me = euid();
    let id = if m.access.mine {
        me
    } else if m.access.owner_rid == me {
        // Another domain's user with the same RID: never "me".
        u32::MAX
    } else {
        m.access.owner_rid
    };
    (id, id)
}

/// Unix-style bits for messages: owner rw(x) unless read-only, group and
/// others bits when the DACL grants other SIDs something.
pub fn mode(m: &Stat) -> u32 {
    let dir = m.meta.is_dir();
    let mut bits = if m.meta.permissions().readonly() {
        0o400
    } else {
        0o600
    };
    if dir {
        bits |= 0o100;
    }
    if m.access.others_any {
        bits |= if dir { 0o055 } else { 0o044 };
    }
    if m.access.others_write {
        bits |= 0o022;
    }
    bits
}

/// Another SID may write, delete or re-permission it.
pub fn writable_by_others(m: &Stat) -> bool {
    m.access.others_write
}

/// Another SID is granted anything, or the DACL is inherited (keyturn's
/// folders carry an explicit one).
pub fn open_to_others(m: &Stat) -> bool {
    m.access.others_any || !m.access.protected
}

/// The read-only attribute: the user asked for the file to be kept.
pub fn owner_read_only(m: &Stat) -> bool {
    m.meta.permissions().readonly()
}

/// Windows runs programs by extension, not by a bit: any regular file.
pub fn executable(m: &Metadata) -> bool {
    m.is_file()
}

/// What a path that is not a regular file is (Windows has no FIFOs,
/// sockets or devices in the file system namespace keyturn reads).
pub fn special(m: &Metadata) -> Special {
    if m.is_dir() {
        Special::Dir
    } else {
        Special::Other
    }
}

/// A full disk, a write-protected or quota-limited volume, a denied
/// access, or a device error: the environment's fault.
pub fn is_disk_trouble(e: &io::Error) -> bool {
    const DISK: [u32; 9] = [
        wf::ERROR_DISK_FULL,
        wf::ERROR_HANDLE_DISK_FULL,
        wf::ERROR_WRITE_PROTECT,
        wf::ERROR_ACCESS_DENIED,
        wf::ERROR_DISK_QUOTA_EXCEEDED,
        wf::ERROR_FILE_TOO_LARGE,
        wf::ERROR_CRC,
        wf::ERROR_IO_DEVICE,
        wf::ERROR_NOT_READY,
    ];
    e.raw_os_error().is_some_and(|c| DISK.contains(&(c as u32)))
}

/// How [`private_open`] opens a path.
#[derive(Debug, Clone, Copy)]
pub enum Open {
    /// Read only.
    Read,
    /// Read, refusing a final reparse point.
    ReadNoFollow,
    /// Create if missing (private), open for writing, refusing a reparse
    /// point (lock files).
    CreateNoFollow,
    /// Create a new file (private), refusing anything already there.
    CreateNew,
    /// Open an existing file for writing, refusing a reparse point: the
    /// in-place write of a file a rename cannot replace.
    WriteExisting,
}

/// A self-relative security descriptor: owner me, protected DACL, one
/// ACE for me (full control; `OICI` on folders, so children inherit it).
struct PrivateSd(ws::PSECURITY_DESCRIPTOR);

impl PrivateSd {
    fn new(dir: bool) -> io::Result<PrivateSd> {
        let sid = user_sid();
        if sid.is_empty() {
            return Err(io::Error::other("the process token's user SID is unknown"));
        }
        let inherit = if dir { "OICI" } else { "" };
        let sddl = format!("O:{sid}D:P(A;{inherit};FA;;;{sid})");
        let w = wide(OsStr::new(&sddl));
        let mut sd: ws::PSECURITY_DESCRIPTOR = std::ptr::null_mut();
        // SAFETY: `w` is NUL-terminated; on success `sd` is LocalAlloc'd
        // and freed by Drop.
        let ok = unsafe {
            wa::ConvertStringSecurityDescriptorToSecurityDescriptorW(
                w.as_ptr(),
                wa::SDDL_REVISION_1,
                &mut sd,
                std::ptr::null_mut(),
            )
        };
        if ok == 0 {
            return Err(last_error());
        }
        Ok(PrivateSd(sd))
    }
}

impl Drop for PrivateSd {
    fn drop(&mut self) {
        // SAFETY: allocated by ConvertStringSecurityDescriptor...W.
        unsafe {
            wf::LocalFree(self.0);
        }
    }
}

/// A handle opened on a reparse point itself is refused as `O_NOFOLLOW`
/// refuses a symlink.
fn refuse_reparse(f: File) -> io::Result<File> {
    let m = f.metadata()?;
    if m.file_attributes() & wfs::FILE_ATTRIBUTE_REPARSE_POINT != 0 {
        return Err(io::Error::from_raw_os_error(
            wf::ERROR_CANT_RESOLVE_FILENAME as i32,
        ));
    }
    Ok(f)
}

/// Opens `path` as `how` says (see [`Open`]).
pub fn private_open(path: &Path, how: Open) -> io::Result<File> {
    let rw = wf::GENERIC_READ | wf::GENERIC_WRITE;
    let nofollow = wfs::FILE_FLAG_OPEN_REPARSE_POINT | wfs::FILE_ATTRIBUTE_NORMAL;
    match how {
        Open::Read => fs::File::open(path),
        Open::ReadNoFollow => refuse_reparse(raw_open(
            path,
            wf::GENERIC_READ,
            wfs::OPEN_EXISTING,
            nofollow,
            None,
        )?),
        Open::CreateNoFollow => {
            let sd = PrivateSd::new(false)?;
            refuse_reparse(raw_open(path, rw, wfs::OPEN_ALWAYS, nofollow, Some(&sd))?)
        }
        Open::CreateNew => {
            let sd = PrivateSd::new(false)?;
            // WRITE_DAC: a rewrite copies the replaced file's DACL onto it.
            let access = rw | wfs::WRITE_DAC | wfs::DELETE;
            raw_open(path, access, wfs::CREATE_NEW, nofollow, Some(&sd))
        }
        Open::WriteExisting => refuse_reparse(raw_open(
            path,
            wf::GENERIC_WRITE,
            wfs::OPEN_EXISTING,
            nofollow,
            None,
        )?),
    }
}

/// Whether `path` is on a read-only volume. Windows reports that at write
/// time (`ERROR_WRITE_PROTECT`), which the rotation already handles as a
/// failed write; the up-front refusal Unix makes from `access(2)` has no
/// cheap equivalent here, so none is made.
pub fn on_read_only_mount(_path: &Path) -> bool {
    false
}

/// Windows has no (uid, gid) to give a file: the owner and DACL of the
/// file being replaced travel with [`copy_access`] instead.
pub fn set_owner(_f: &File, _uid: u32, _gid: u32) -> io::Result<()> {
    Ok(())
}

/// Mode bits on Windows: only the owner's write bit means something (the
/// read-only attribute); the DACL was set at creation.
pub fn set_file_mode(f: &File, mode: u32) -> io::Result<()> {
    let mut p = f.metadata()?.permissions();
    let ro = mode & 0o200 == 0;
    if p.readonly() != ro {
        p.set_readonly(ro);
        f.set_permissions(p)?;
    }
    Ok(())
}

/// A private mode (no group/other bits) puts the private, protected DACL
/// on `path`; other modes only set the read-only attribute.
pub fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    if mode & 0o077 != 0 {
        let mut p = fs::symlink_metadata(path)?.permissions();
        p.set_readonly(mode & 0o200 == 0);
        return fs::set_permissions(path, p);
    }
    let dir = fs::symlink_metadata(path)?.is_dir();
    let sd = PrivateSd::new(dir)?;
    let (mut dacl, mut present, mut defaulted) = (std::ptr::null_mut(), 0, 0);
    let name = wide(path.as_os_str());
    // SAFETY: the DACL points into `sd`, alive for the call.
    unsafe {
        if ws::GetSecurityDescriptorDacl(sd.0, &mut present, &mut dacl, &mut defaulted) == 0 {
            return Err(last_error());
        }
        let rc = wa::SetNamedSecurityInfoW(
            name.as_ptr(),
            wa::SE_FILE_OBJECT,
            ws::DACL_SECURITY_INFORMATION | ws::PROTECTED_DACL_SECURITY_INFORMATION,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            dacl,
            std::ptr::null(),
        );
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc as i32));
        }
    }
    Ok(())
}

/// Gives the new file `to` the DACL (and whether it is protected) of the
/// file `from` it is about to replace, so a rewrite keeps who may read the
/// user's credentials. `to` must be open with `WRITE_DAC`.
pub fn copy_access(from: &Path, to: &File) -> io::Result<()> {
    let name = wide(from.as_os_str());
    let mut dacl: *mut ws::ACL = std::ptr::null_mut();
    let mut sd: ws::PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    // SAFETY: `sd` is LocalAlloc'd by GetNamedSecurityInfoW and `dacl`
    // points into it; freed after SetSecurityInfo has copied it.
    unsafe {
        let rc = wa::GetNamedSecurityInfoW(
            name.as_ptr(),
            wa::SE_FILE_OBJECT,
            ws::DACL_SECURITY_INFORMATION,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut dacl,
            std::ptr::null_mut(),
            &mut sd,
        );
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc as i32));
        }
        let mut control = 0u16;
        let mut rev = 0u32;
        ws::GetSecurityDescriptorControl(sd, &mut control, &mut rev);
        let keep = if control & ws::SE_DACL_PROTECTED != 0 {
            ws::PROTECTED_DACL_SECURITY_INFORMATION
        } else {
            // Inherited ACEs are recomputed from the same folder.
            ws::UNPROTECTED_DACL_SECURITY_INFORMATION
        };
        let rc = wa::SetSecurityInfo(
            to.as_raw_handle() as wf::HANDLE,
            wa::SE_FILE_OBJECT,
            ws::DACL_SECURITY_INFORMATION | keep,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            dacl,
            std::ptr::null(),
        );
        wf::LocalFree(sd);
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc as i32));
        }
    }
    Ok(())
}

/// Creates one folder with the private DACL (`recursive`: and its missing
/// parents, also private).
pub fn create_private_dir(dir: &Path, recursive: bool) -> io::Result<()> {
    if recursive {
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            if fs::symlink_metadata(parent).is_err() {
                create_private_dir(parent, true)?;
            }
        }
    }
    let sd = PrivateSd::new(true)?;
    let sa = ws::SECURITY_ATTRIBUTES {
        nLength: std::mem::size_of::<ws::SECURITY_ATTRIBUTES>() as u32,
        lpSecurityDescriptor: sd.0,
        bInheritHandle: 0,
    };
    let name = wide(dir.as_os_str());
    // SAFETY: NUL-terminated name; `sa` and `sd` outlive the call.
    if unsafe { wfs::CreateDirectoryW(name.as_ptr(), &sa) } == 0 {
        let e = last_error();
        // recursive: a folder already there is fine, as with DirBuilder.
        if recursive && e.raw_os_error() == Some(wf::ERROR_ALREADY_EXISTS as i32) && dir.is_dir() {
            return Ok(());
        }
        return Err(e);
    }
    Ok(())
}

/// `FlushFileBuffers`: data and metadata on the disk.
pub fn sync_file(f: &File) -> io::Result<()> {
    f.sync_all()
}

/// Folders cannot be flushed on Windows; [`replace`] renames with
/// `MOVEFILE_WRITE_THROUGH`, which returns only once the rename is on disk.
pub fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

/// How long [`replace`] keeps retrying while another program (an editor,
/// an antivirus scan, a backup) holds the file open without sharing it.
const REPLACE_PATIENCE: Duration = Duration::from_secs(10);

/// Atomically replaces `to` with `from` (`MoveFileExW`, replace existing,
/// write-through), retrying on sharing and lock violations.
pub fn replace(from: &Path, to: &Path) -> io::Result<()> {
    use wfs::{MoveFileExW, MOVEFILE_REPLACE_EXISTING, MOVEFILE_WRITE_THROUGH};
    let (a, b) = (wide(from.as_os_str()), wide(to.as_os_str()));
    let deadline = Instant::now() + REPLACE_PATIENCE;
    let mut pause = Duration::from_millis(10);
    loop {
        // SAFETY: both names NUL-terminated, alive for the call.
        let ok = unsafe {
            MoveFileExW(
                a.as_ptr(),
                b.as_ptr(),
                MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH,
            )
        };
        if ok != 0 {
            return Ok(());
        }
        let e = last_error();
        let busy = matches!(
            e.raw_os_error().map(|c| c as u32),
            Some(wf::ERROR_SHARING_VIOLATION | wf::ERROR_LOCK_VIOLATION | wf::ERROR_ACCESS_DENIED)
        );
        if !busy || Instant::now() >= deadline {
            return Err(e);
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(250));
    }
}

/// Job Objects standing in for process groups: ids handed out by
/// [`track_tree`], each a job whose processes die with it.
static JOBS: Mutex<Vec<(i32, usize)>> = Mutex::new(Vec::new());

fn jobs() -> std::sync::MutexGuard<'static, Vec<(i32, usize)>> {
    JOBS.lock().unwrap_or_else(|p| p.into_inner())
}

/// Puts a just-spawned hook (its process handle) into a new Job Object
/// that kills everything in it when closed; children it starts from now on
/// join the job. Returns the id [`kill_group`] takes (0: none, the hook
/// then runs untracked, as a hook whose group failed on Unix).
pub fn track_tree(process: RawHandle) -> i32 {
    use windows_sys::Win32::System::JobObjects as wj;
    static NEXT: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(2);
    // SAFETY: the job handle is kept in JOBS until `forget_group`;
    // `process` is the live child's handle, borrowed for the call.
    unsafe {
        let job = wj::CreateJobObjectW(std::ptr::null(), std::ptr::null());
        if job.is_null() {
            return 0;
        }
        let mut info: wj::JOBOBJECT_EXTENDED_LIMIT_INFORMATION = std::mem::zeroed();
        info.BasicLimitInformation.LimitFlags = wj::JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
        wj::SetInformationJobObject(
            job,
            wj::JobObjectExtendedLimitInformation,
            std::ptr::addr_of!(info).cast(),
            std::mem::size_of_val(&info) as u32,
        );
        if wj::AssignProcessToJobObject(job, process as wf::HANDLE) == 0 {
            wf::CloseHandle(job);
            return 0;
        }
        let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        jobs().push((id, job as usize));
        id
    }
}

/// Ends every process of the job `id` (a hook and all it started).
pub fn kill_group(id: u32) {
    use windows_sys::Win32::System::JobObjects::TerminateJobObject;
    for (i, job) in jobs().iter() {
        if i.unsigned_abs() == id {
            // SAFETY: a job handle we own (JOBS); terminating an empty
            // job is harmless.
            unsafe {
                TerminateJobObject(*job as wf::HANDLE, 1);
            }
        }
    }
}

/// Closes the job `id` (which also kills anything still in it).
pub fn forget_group(id: u32) {
    let mut j = jobs();
    j.retain(|(i, job)| {
        if i.unsigned_abs() == id {
            // SAFETY: the handle is ours and removed from JOBS here.
            unsafe {
                wf::CloseHandle(*job as wf::HANDLE);
            }
            false
        } else {
            true
        }
    });
}

/// The cleanup [`on_interrupt`] runs before the process ends.
static ON_INTERRUPT: OnceLock<fn()> = OnceLock::new();

unsafe extern "system" fn console_ctrl(kind: u32) -> windows_sys::core::BOOL {
    use windows_sys::Win32::System::Console as wc;
    let code = match kind {
        wc::CTRL_C_EVENT | wc::CTRL_BREAK_EVENT => 130,
        wc::CTRL_CLOSE_EVENT | wc::CTRL_LOGOFF_EVENT | wc::CTRL_SHUTDOWN_EVENT => 143,
        _ => return 0,
    };
    if let Some(f) = ON_INTERRUPT.get() {
        f();
    }
    std::process::exit(code)
}

/// Ctrl-C, Ctrl-Break and the console's close as SIGINT/SIGTERM are on
/// Unix: `cleanup` runs (on the handler's own thread), then the process
/// exits 130 (interrupted) or 143 (closed), as a shell reports a signal.
pub fn on_interrupt(cleanup: fn()) {
    use windows_sys::Win32::System::Console::SetConsoleCtrlHandler;
    if ON_INTERRUPT.set(cleanup).is_ok() {
        // SAFETY: a 'static handler function.
        unsafe {
            SetConsoleCtrlHandler(Some(console_ctrl), 1);
        }
    }
}

/// Stdin's console mode, saved before a prompt turns echo off.
#[derive(Clone, Copy)]
pub struct TtyState(u32);

/// Stdin's console mode now; `None` when stdin is not a console.
pub fn tty_state() -> Option<TtyState> {
    use windows_sys::Win32::System::Console::{GetConsoleMode, GetStdHandle, STD_INPUT_HANDLE};
    let mut mode = 0;
    // SAFETY: GetStdHandle returns a borrowed handle; GetConsoleMode fills
    // `mode` and fails on anything not a console.
    unsafe {
        if GetConsoleMode(GetStdHandle(STD_INPUT_HANDLE), &mut mode) == 0 {
            return None;
        }
    }
    Some(TtyState(mode))
}

impl TtyState {
    /// Puts the saved console mode back (echo on again).
    pub fn restore(&self) {
        use windows_sys::Win32::System::Console::{GetStdHandle, SetConsoleMode, STD_INPUT_HANDLE};
        // SAFETY: as above; a failure leaves the mode as is.
        unsafe {
            SetConsoleMode(GetStdHandle(STD_INPUT_HANDLE), self.0);
        }
    }
}

#[cfg(test)]
mod tests;
