//! Where a schedule meets the machine: the environment it reads (HOME,
//! XDG folders, PATH), the unit files it writes and deletes, and the
//! service managers it runs (`systemctl --user`, `launchctl`, `schtasks`,
//! `crontab -l`, read-only).
//!
//! Invariants: `install` never overwrites and `remove` never deletes a file
//! without the [`super::MARKER`]; files are replaced atomically (temp file, fsync,
//! rename, fsync dir); nothing runs a service manager unless `--enable` /
//! `--disable` asks; the crontab is never edited.

use super::render::{
    file_text, installed_command, launchd_plist, systemd_service, systemd_timer, task_xml,
    utf16_file,
};
use super::{
    auto_backend, checked_path, is_ours, Backend, Invalid, Job, Places, LAUNCHD_LABEL,
    SYSTEMD_TIMER, TASK_NAME,
};
use crate::i18n::{tr, trf};
use anyhow::Context;
use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What `run` takes from the process environment ([`crate::env::Env`]).
pub struct Host {
    pub home: PathBuf,
    pub places: Places,
    path: Option<OsString>,
    pub aws_profile: Option<String>,
}

impl Host {
    pub fn from_env(env: &crate::env::Env) -> Result<Host, Invalid> {
        let home = env
            .home
            .clone()
            .filter(|h| h.is_absolute())
            .ok_or_else(|| Invalid(tr("schedule.no_home").into()))?;
        let places = Places::new(
            &home,
            env.xdg_config_home.clone(),
            env.xdg_state_home.clone(),
        );
        Ok(Host {
            home,
            places,
            path: env.path.clone(),
            aws_profile: env.aws_profile.clone(),
        })
    }

    pub fn has_program(&self, name: &str) -> bool {
        let Some(path) = &self.path else {
            return false;
        };
        std::env::split_paths(path).any(|d| {
            fs::metadata(d.join(name)).is_ok_and(|m| m.is_file() && crate::platform::executable(&m))
        })
    }
}

impl Host {
    /// Which backend `install` uses when none is named.
    pub fn default_backend(&self) -> Backend {
        auto_backend(
            std::env::consts::OS,
            self.has_program("systemctl"),
            // sd_booted(): systemctl exists in many containers and WSL
            // setups where no systemd runs.
            Path::new("/run/systemd/system").is_dir(),
        )
    }
}

/// The files `install` writes for `backend` (none for cron, whose line is
/// printed instead), with their contents.
pub fn unit_files(
    backend: Backend,
    job: &Job,
    places: &Places,
) -> Result<Vec<(PathBuf, String)>, Invalid> {
    Ok(match backend {
        Backend::Systemd => vec![
            (places.service(), systemd_service(job)),
            (places.timer(), systemd_timer(job)),
        ],
        Backend::Launchd => vec![(
            places.launchd_plist.clone(),
            launchd_plist(
                job,
                &checked_path(&places.log_file, tr("schedule.log_file"))?,
            ),
        )],
        Backend::TaskScheduler => {
            // The Task Scheduler expands %VAR% in a task's command line.
            if let Some(arg) = job.argv().into_iter().find(|a| a.contains('%')) {
                return Err(Invalid(trf("schedule.task_percent", &[("arg", &arg)])));
            }
            vec![(places.task_xml.clone(), task_xml(job))]
        }
        Backend::Cron => vec![],
    })
}

/// What `install` does to each file: `wrote`, `unchanged` or `updated`
/// (the JSON values). Checks every file before any is written, so a
/// refusal changes nothing: `Err(path)` names a file that is not ours.
pub fn plan_writes(
    files: &[(PathBuf, String)],
) -> anyhow::Result<Result<Vec<&'static str>, PathBuf>> {
    let mut states = Vec::new();
    for (path, content) in files {
        match read_existing(path)? {
            None => states.push("wrote"),
            Some(old) if !is_ours(&old) => return Ok(Err(path.clone())),
            Some(old) if old == *content => states.push("unchanged"),
            Some(_) => states.push("updated"),
        }
    }
    Ok(Ok(states))
}

/// Writes the files [`plan_writes`] found changed (and, for launchd, the
/// log's private folder first).
pub fn write_files(
    backend: Backend,
    places: &Places,
    files: &[(PathBuf, String)],
    states: &[&str],
) -> anyhow::Result<()> {
    if backend == Backend::Launchd {
        // launchd does not create the log's folder.
        if let Some(dir) = places.log_file.parent() {
            create_private_dir(dir)?;
        }
    }
    for ((path, content), state) in files.iter().zip(states) {
        if *state != "unchanged" {
            match backend {
                Backend::TaskScheduler => write_atomic(path, &utf16_file(content))?,
                _ => write_atomic(path, content.as_bytes())?,
            }
        }
    }
    Ok(())
}

/// `--enable`: loads and starts the installed job.
pub fn enable(backend: Backend, places: &Places) -> anyhow::Result<()> {
    match backend {
        Backend::Systemd => {
            run_tool("systemctl", &["--user", "daemon-reload"])?;
            run_tool("systemctl", &["--user", "enable", "--now", SYSTEMD_TIMER])?;
        }
        Backend::Launchd => {
            let domain = format!("gui/{}", uid()?);
            // Reload a changed plist: bootstrap refuses a loaded label.
            let _ = run_tool_quiet(
                "launchctl",
                &["bootout", &format!("{domain}/{LAUNCHD_LABEL}")],
            );
            let plist = places.launchd_plist.to_string_lossy();
            run_tool("launchctl", &["bootstrap", &domain, &plist])?;
        }
        Backend::TaskScheduler => {
            let xml = places.task_xml.to_string_lossy();
            run_tool(
                "schtasks",
                &["/Create", "/TN", TASK_NAME, "/XML", &xml, "/F"],
            )?;
        }
        Backend::Cron => {}
    }
    Ok(())
}

/// What [`uninstall`] did: the paths it removed and what the user still
/// has to do.
#[derive(Debug, Default)]
pub struct Removal {
    pub removed: Vec<PathBuf>,
    pub advice: Vec<String>,
}

/// Removes what `find` found of a systemd or launchd job: stops it first
/// with `disable`, then its files, then reloads or says how to unload.
pub fn uninstall(host: &Host, b: Backend, f: &Found, disable: bool) -> anyhow::Result<Removal> {
    let places = &host.places;
    let mut out = Removal::default();
    if disable {
        stop(b)?;
    }
    if b == Backend::Systemd {
        remove_timer_link(places, &mut out.removed)?;
    }
    for p in &f.files {
        remove_file(p)?;
        out.removed.push(p.clone());
    }
    match b {
        Backend::Systemd if disable => {
            warn_on_err(run_tool("systemctl", &["--user", "daemon-reload"]));
        }
        Backend::Systemd => out
            .advice
            .push(trf("schedule.systemd_unload", &[("timer", &SYSTEMD_TIMER)])),
        Backend::Launchd if !disable => out
            .advice
            .push(trf("schedule.launchd_unload", &[("label", &LAUNCHD_LABEL)])),
        Backend::TaskScheduler if !disable => out
            .advice
            .push(trf("schedule.task_unload", &[("name", &TASK_NAME)])),
        _ => {}
    }
    if b == Backend::Launchd {
        // The log folder goes too if the log never got written.
        if let Some(dir) = places.log_file.parent() {
            let _ = fs::remove_dir(dir);
        }
    }
    Ok(out)
}

/// `--disable`: stops and unloads the job; a failure of the service
/// manager is a warning, the files still go.
fn stop(b: Backend) -> anyhow::Result<()> {
    match b {
        Backend::Systemd => warn_on_err(run_tool(
            "systemctl",
            &["--user", "disable", "--now", SYSTEMD_TIMER],
        )),
        Backend::Launchd => {
            let target = format!("gui/{}/{LAUNCHD_LABEL}", uid()?);
            warn_on_err(run_tool("launchctl", &["bootout", &target]));
        }
        Backend::TaskScheduler => {
            warn_on_err(run_tool("schtasks", &["/Delete", "/TN", TASK_NAME, "/F"]));
        }
        Backend::Cron => {}
    }
    Ok(())
}

/// The link `systemctl --user enable` left, dangling once the timer is gone.
fn remove_timer_link(places: &Places, removed: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let link = places.timer_link();
    if fs::read_link(&link).is_ok_and(|t| t.file_name() == Some(SYSTEMD_TIMER.as_ref())) {
        remove_file(&link)?;
        removed.push(link.clone());
        // Only if empty: other timers may live there.
        if let Some(wants) = link.parent() {
            let _ = fs::remove_dir(wants);
        }
    }
    Ok(())
}

fn warn_on_err(r: anyhow::Result<()>) {
    if let Err(e) = r {
        crate::report::warning(&format!("{e:#}"));
    }
}

/// One backend's installed state.
pub struct Found {
    pub files: Vec<PathBuf>,
    pub foreign: Vec<PathBuf>,
    pub command: Option<String>,
    pub enabled: Option<bool>,
}

/// What `backend` has installed, and files in its places that are not ours.
pub fn find(host: &Host, backend: Backend) -> anyhow::Result<Found> {
    let mut f = Found {
        files: vec![],
        foreign: vec![],
        command: None,
        enabled: None,
    };
    if backend == Backend::Cron {
        // Read-only, and only where a crontab program exists.
        if host.has_program("crontab") {
            if let Some(line) = crontab_list()?.lines().find(|l| is_ours(l)) {
                f.command = Some(line.to_owned());
            }
        }
        return Ok(f);
    }
    for path in host.places.files(backend) {
        match read_existing(&path)? {
            Some(text) if is_ours(&text) => {
                if f.command.is_none() {
                    f.command = installed_command(&text);
                }
                f.files.push(path);
            }
            Some(_) => f.foreign.push(path),
            None => {}
        }
    }
    if backend == Backend::Systemd && !f.files.is_empty() {
        f.enabled = Some(fs::symlink_metadata(host.places.timer_link()).is_ok());
    }
    if backend == Backend::TaskScheduler && !f.files.is_empty() && cfg!(windows) {
        // Registered or not: `schtasks /Query` succeeds only for a task
        // that exists (read-only).
        f.enabled = run_tool_quiet("schtasks", &["/Query", "/TN", TASK_NAME])
            .ok()
            .map(|s| s.success());
    }
    Ok(f)
}

/// The file's text (a task's UTF-16 decoded), None if absent; bytes that
/// are not UTF-8 read as a file that is not ours.
pub fn read_existing(path: &Path) -> anyhow::Result<Option<String>> {
    match fs::read(path) {
        Ok(b) => Ok(Some(file_text(&b))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| trf("ctx.read", &[("path", &path.display())])),
    }
}

pub fn remove_file(path: &Path) -> anyhow::Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| trf("ctx.remove", &[("path", &path.display())])),
    }
}

/// The log folder: private, as a log of key ids is nobody else's business.
/// Its parents are created with the usual permissions.
pub fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    if let Some(parent) = dir.parent() {
        fs::create_dir_all(parent)
            .with_context(|| trf("ctx.create", &[("path", &parent.display())]))?;
    }
    match crate::platform::create_private_dir(dir, false) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(e).with_context(|| trf("ctx.create", &[("path", &dir.display())])),
    }
}

/// Replaces `path` whole with [`crate::store::write_atomic`] (a temp file
/// beside it, fsynced, renamed over it, the folder fsynced). Mode 0644 as
/// systemd and launchd expect (no secrets inside); folders are created
/// with the usual permissions.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .with_context(|| trf("ctx.no_parent", &[("path", &path.display())]))?;
    fs::create_dir_all(dir).with_context(|| trf("ctx.create", &[("path", &dir.display())]))?;
    crate::store::write_atomic(path, bytes, 0o644)
        .with_context(|| trf("ctx.write", &[("path", &path.display())]))
}

/// Runs a service-manager command, its output passed through.
pub fn run_tool(program: &str, args: &[&str]) -> anyhow::Result<()> {
    let status = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .status()
        .with_context(|| trf("ctx.run", &[("program", &program)]))?;
    anyhow::ensure!(
        status.success(),
        trf(
            "schedule.tool_failed",
            &[
                ("command", &format!("{program} {}", args.join(" "))),
                ("status", &status),
            ],
        )
    );
    Ok(())
}

pub fn run_tool_quiet(program: &str, args: &[&str]) -> io::Result<std::process::ExitStatus> {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
}

pub fn crontab_list() -> anyhow::Result<String> {
    let out = Command::new("crontab")
        .arg("-l")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .with_context(|| trf("ctx.run", &[("program", &"crontab -l")]))?;
    // `crontab -l` fails when the user has no crontab: nothing installed.
    Ok(if out.status.success() {
        String::from_utf8_lossy(&out.stdout).into_owned()
    } else {
        String::new()
    })
}

/// The user's id, for launchd's `gui/<uid>` domain (std has no getuid).
pub fn uid() -> anyhow::Result<String> {
    let out = Command::new("id")
        .arg("-u")
        .stdin(Stdio::null())
        .output()
        .with_context(|| trf("ctx.run", &[("program", &"id -u")]))?;
    let uid = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    anyhow::ensure!(
        out.status.success() && !uid.is_empty() && uid.bytes().all(|b| b.is_ascii_digit()),
        tr("schedule.no_uid")
    );
    Ok(uid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_and_leaves_no_temp() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("a/b/unit");
        write_atomic(&f, b"one").unwrap();
        write_atomic(&f, b"two").unwrap();
        assert_eq!(fs::read(&f).unwrap(), b"two");
        assert_eq!(
            crate::platform::mode(&crate::platform::stat(&f).unwrap()) & 0o777,
            0o644
        );
        assert_eq!(fs::read_dir(f.parent().unwrap()).unwrap().count(), 1);
    }
}
