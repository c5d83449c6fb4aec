//! `keyturn schedule`'s domain: a daily job that runs
//! `keyturn rotate --max-age <EVERY>` unattended, as a systemd user timer
//! (Linux), a launchd agent (macOS), a Task Scheduler task (Windows), or a
//! crontab line printed for the user to install where none fits.
//!
//! Split in three: this module validates a [`Job`] and says where each
//! backend's files live; [`render`] turns a job into file contents (unit
//! files, plist, crontab line) and quotes; [`host`] alone reads the
//! environment, writes, deletes and runs `systemctl` / `launchctl`.
//! The command (`crate::cmd::schedule`) parses arguments and prints.
//!
//! Invariants:
//! - Every file written carries the [`MARKER`] comment; `install` never
//!   overwrites and `remove` never deletes a file without it.
//! - The job runs daily and rotates a key only once it is older than
//!   `--every`, so missed or repeated runs cost nothing and a key is
//!   rotated about once per period.
//! - The job is non-interactive (stdin is `/dev/null`) and names its
//!   profiles (or `--all`) and any non-default credentials/config file on
//!   its command line, so it does not depend on the job's environment.
//! - Nothing secret is written: the job reads keys from the AWS files.
//! - Every argument is quoted for the format it lands in (systemd
//!   `ExecStart=`, plist XML, `/bin/sh` behind cron's `%` rule), and
//!   control characters are refused before rendering.
//! - Files are replaced atomically (temp file, fsync, rename, fsync dir).
//! - Nothing touches systemd, launchd or the Task Scheduler unless
//!   `--enable` / `--disable` asks; the crontab is never edited.
//! - A Windows task runs only while its user is logged on unless
//!   `--logged-off` asks for it to run regardless (S4U: no password is
//!   stored).
//! - What it prints is in the user's language ([`crate::i18n`]); the files
//!   it writes, JSON keys and values, and the `note:` / `warning:` /
//!   `error:` prefixes are English in every language.

pub mod host;
pub mod render;

use crate::i18n::{tr, trf};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Marks a file (or crontab line) as keyturn's own. Contains no `--`, so
/// it is also a valid XML comment.
pub const MARKER: &str = "keyturn-schedule:";
pub const MARKER_TEXT: &str =
    "keyturn-schedule: written by `keyturn schedule install`; `keyturn schedule remove` deletes it";
/// systemd unit names (service and timer share the stem).
pub const SYSTEMD_SERVICE: &str = "keyturn-rotate.service";
pub const SYSTEMD_TIMER: &str = "keyturn-rotate.timer";
/// launchd label, and the plist's file name.
pub const LAUNCHD_LABEL: &str = "dev.keyturn.rotate";
/// The Task Scheduler task's name (in the root folder), and its XML file's
/// stem.
pub const TASK_NAME: &str = "keyturn-rotate";
pub const DAY: u64 = 86_400;

/// Where a job is installed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// systemd user timer + service in $XDG_CONFIG_HOME/systemd/user
    Systemd,
    /// launchd agent in ~/Library/LaunchAgents
    Launchd,
    /// a crontab line, printed (keyturn never edits the crontab)
    Cron,
    /// a Task Scheduler task, its XML in %APPDATA%\keyturn (Windows)
    TaskScheduler,
}

impl Backend {
    /// The JSON value.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Systemd => "systemd",
            Backend::Launchd => "launchd",
            Backend::Cron => "cron",
            Backend::TaskScheduler => "task-scheduler",
        }
    }
}

/// A job that cannot be scheduled as asked (the command's usage error),
/// in the user's language.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

// ---------------------------------------------------------------------------
// Pure part: what the job runs, and the files that run it.

/// Which profiles the job rotates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Targets {
    All,
    Profiles(Vec<String>),
    /// Every managed user (`rotate --managed`), signed by the operator's
    /// profile when one was named (else the job's AWS SDK chain: the
    /// environment, `default`).
    Managed {
        operator: Option<String>,
    },
}

/// The scheduled `keyturn rotate` run, validated: absolute UTF-8 paths and
/// names without control characters, so every renderer can quote them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    exe: String,
    pub max_age: Duration,
    targets: Targets,
    credentials_file: Option<String>,
    config_file: Option<String>,
    /// Task Scheduler: run whether or not the user is logged on.
    pub logged_off: bool,
}

impl Job {
    pub fn new(
        exe: &Path,
        max_age: Duration,
        targets: Targets,
        credentials_file: Option<&Path>,
        config_file: Option<&Path>,
    ) -> Result<Job, Invalid> {
        if max_age < Duration::from_secs(DAY) {
            return Err(Invalid(tr("schedule.every_min").into()));
        }
        let names: &[String] = match &targets {
            Targets::Managed { operator } => operator.as_slice(),
            _ => &[],
        };
        for p in names {
            if p.trim().is_empty() || p.chars().any(char::is_control) {
                return Err(Invalid(trf(
                    "schedule.bad_profile",
                    &[("name", &format!("{p:?}"))],
                )));
            }
        }
        if let Targets::Profiles(ps) = &targets {
            if ps.is_empty() {
                return Err(Invalid(tr("schedule.no_targets").into()));
            }
            for p in ps {
                if p.trim().is_empty() || p.chars().any(char::is_control) {
                    return Err(Invalid(trf(
                        "schedule.bad_profile",
                        &[("name", &format!("{p:?}"))],
                    )));
                }
            }
        }
        Ok(Job {
            exe: checked_path(exe, tr("schedule.binary"))?,
            max_age,
            targets,
            credentials_file: credentials_file
                .map(|p| checked_path(p, "--credentials-file"))
                .transpose()?,
            config_file: config_file
                .map(|p| checked_path(p, "--config-file"))
                .transpose()?,
            logged_off: false,
        })
    }

    /// The `--max-age` value, in the largest whole unit.
    pub fn max_age_arg(&self) -> String {
        format_duration(self.max_age)
    }

    /// The full command line, binary first.
    pub fn argv(&self) -> Vec<String> {
        let mut v = vec![
            self.exe.clone(),
            "rotate".into(),
            "--max-age".into(),
            self.max_age_arg(),
        ];
        if let Some(p) = &self.credentials_file {
            v.extend(["--credentials-file".into(), p.clone()]);
        }
        if let Some(p) = &self.config_file {
            v.extend(["--config-file".into(), p.clone()]);
        }
        match &self.targets {
            Targets::All => v.push("--all".into()),
            Targets::Managed { operator } => {
                v.push("--managed".into());
                // `=`: an operator profile named like a flag stays a value.
                if let Some(p) = operator {
                    v.push(format!("--profile={p}"));
                }
            }
            Targets::Profiles(ps) => {
                // A profile named like a flag must not be read as one.
                if ps.iter().any(|p| p.starts_with('-')) {
                    v.push("--".into());
                }
                v.extend(ps.iter().cloned());
            }
        }
        v
    }

    /// A stable time of day (09:00-17:59, when laptops tend to be on) for
    /// the calendar-based backends, spread across users and commands like
    /// systemd's RandomizedDelaySec, but the same for the same command so a
    /// reinstall changes nothing.
    pub fn daily_slot(&self) -> (u32, u32) {
        // FNV-1a: std's hasher is not stable across Rust releases.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.argv().join("\0").bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        let minute = (h % 60) as u32;
        let hour = 9 + ((h / 60) % 9) as u32;
        (hour, minute)
    }
}

/// An absolute UTF-8 path without control characters, as text.
pub fn checked_path(p: &Path, what: &str) -> Result<String, Invalid> {
    let s = p.to_str().ok_or_else(|| {
        Invalid(trf(
            "schedule.path_not_utf8",
            &[("what", &what), ("path", &p.display())],
        ))
    })?;
    if !p.is_absolute() || s.chars().any(char::is_control) {
        return Err(Invalid(trf(
            "schedule.path_bad",
            &[("what", &what), ("path", &format!("{s:?}"))],
        )));
    }
    Ok(s.to_owned())
}

/// `90d`, `36h`, `90m`, `45s`: always accepted by `cli::parse_duration`.
pub fn format_duration(d: Duration) -> String {
    crate::i18n::flag_span(d.as_secs())
}

/// Is this file (or crontab line) one `schedule install` wrote?
pub fn is_ours(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with(&format!("# {MARKER}"))
            || l.starts_with(&format!("<!-- {MARKER}"))
            || l.contains(&format!(" # {MARKER}"))
    })
}

/// Which backend `install` uses when none is named.
pub fn auto_backend(os: &str, has_systemctl: bool, systemd_running: bool) -> Backend {
    if os == "macos" {
        Backend::Launchd
    } else if os == "windows" {
        Backend::TaskScheduler
    } else if os == "linux" && has_systemctl && systemd_running {
        Backend::Systemd
    } else {
        Backend::Cron
    }
}

/// Where each backend's files live, from the environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Places {
    pub systemd_dir: PathBuf,
    pub launchd_plist: PathBuf,
    pub log_file: PathBuf,
    /// The task's XML, kept with keyturn's settings (`%APPDATA%\keyturn`).
    pub task_xml: PathBuf,
}

impl Places {
    /// XDG base directories, which the spec says to ignore unless absolute.
    pub fn new(
        home: &Path,
        xdg_config_home: Option<PathBuf>,
        xdg_state_home: Option<PathBuf>,
    ) -> Places {
        let xdg = |v: Option<PathBuf>, default: &str| {
            v.filter(|p| p.is_absolute())
                .unwrap_or_else(|| home.join(default))
        };
        let config = xdg(xdg_config_home, ".config");
        Places {
            task_xml: config.join("keyturn").join(format!("{TASK_NAME}.xml")),
            systemd_dir: config.join("systemd").join("user"),
            launchd_plist: home
                .join("Library")
                .join("LaunchAgents")
                .join(format!("{LAUNCHD_LABEL}.plist")),
            log_file: xdg(xdg_state_home, ".local/state")
                .join("keyturn")
                .join("rotate.log"),
        }
    }

    pub fn service(&self) -> PathBuf {
        self.systemd_dir.join(SYSTEMD_SERVICE)
    }

    pub fn timer(&self) -> PathBuf {
        self.systemd_dir.join(SYSTEMD_TIMER)
    }

    /// The link `systemctl --user enable` makes to the timer.
    pub fn timer_link(&self) -> PathBuf {
        self.systemd_dir
            .join("timers.target.wants")
            .join(SYSTEMD_TIMER)
    }

    pub fn files(&self, b: Backend) -> Vec<PathBuf> {
        match b {
            Backend::Systemd => vec![self.service(), self.timer()],
            Backend::Launchd => vec![self.launchd_plist.clone()],
            Backend::TaskScheduler => vec![self.task_xml.clone()],
            Backend::Cron => vec![],
        }
    }
}

/// Where to look for `show` and `remove`.
pub fn backends(only: Option<Backend>) -> Vec<Backend> {
    match only {
        Some(b) => vec![b],
        None => vec![
            Backend::Systemd,
            Backend::Launchd,
            Backend::TaskScheduler,
            Backend::Cron,
        ],
    }
}

#[cfg(test)]
mod tests;
