//! `keyturn schedule install|show|remove`: a daily job that runs
//! `keyturn rotate --max-age <EVERY>` unattended, as a systemd user timer
//! (Linux), a launchd agent (macOS), or a crontab line printed for the user
//! to install where neither fits.
//!
//! Split in two: pure functions turn a [`Job`] into file contents (unit
//! files, plist, crontab line) and say which files are keyturn's; [`run`]
//! alone reads the environment, writes, deletes and runs `systemctl` /
//! `launchctl`.
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
//! - Nothing touches systemd or launchd unless `--enable` / `--disable`
//!   asks; the crontab is never edited.
//! - What it prints is in the user's language ([`crate::i18n`]); the files
//!   it writes, JSON keys and values, and the `note:` / `warning:` /
//!   `error:` prefixes are English in every language.

use crate::cli::{exit, parse_duration, Config, Output, UsageError};
use crate::i18n::{tr, trf};
use anyhow::Context;
use serde_json::{json, Value};
use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Marks a file (or crontab line) as keyturn's own. Contains no `--`, so
/// it is also a valid XML comment.
pub const MARKER: &str = "keyturn-schedule:";
const MARKER_TEXT: &str =
    "keyturn-schedule: written by `keyturn schedule install`; `keyturn schedule remove` deletes it";
/// systemd unit names (service and timer share the stem).
pub const SYSTEMD_SERVICE: &str = "keyturn-rotate.service";
pub const SYSTEMD_TIMER: &str = "keyturn-rotate.timer";
/// launchd label, and the plist's file name.
pub const LAUNCHD_LABEL: &str = "dev.keyturn.rotate";
const DAY: u64 = 86_400;

/// Arguments of `keyturn schedule`.
#[derive(Debug, clap::Args)]
pub struct ScheduleArgs {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Install (or update) a daily job running `keyturn rotate --max-age EVERY`
    Install(InstallArgs),
    /// Print the installed schedule
    Show(ShowArgs),
    /// Delete the files `schedule install` wrote
    Remove(RemoveArgs),
}

#[derive(Debug, clap::Args)]
pub struct InstallArgs {
    /// Profiles the job rotates [default: $AWS_PROFILE, else `default`, fixed now]
    #[arg(value_name = "PROFILE")]
    pub profiles: Vec<String>,

    /// Rotate every profile that has a static key
    #[arg(long, conflicts_with = "profiles")]
    pub all: bool,

    /// Rotate each key once it is this old (at least 1d), e.g. 30d, 90d
    #[arg(long, value_name = "DURATION")]
    pub every: String,

    /// Where to install [default: launchd on macOS, systemd where it runs, else cron]
    #[arg(long, value_enum)]
    pub backend: Option<Backend>,

    /// Also load and start the job now (systemctl --user / launchctl)
    #[arg(long)]
    pub enable: bool,

    /// Where the keys are: files, aws-vault or granted [default: detected]
    #[arg(long, value_name = "STORE", value_parser = crate::home::keystore::StoreChoice::parse_arg)]
    pub store: Option<crate::home::keystore::StoreChoice>,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Look only here [default: everywhere]
    #[arg(long, value_enum)]
    pub backend: Option<Backend>,
}

#[derive(Debug, clap::Args)]
pub struct RemoveArgs {
    /// Remove only from here [default: everywhere]
    #[arg(long, value_enum)]
    pub backend: Option<Backend>,

    /// Also stop and unload the job first (systemctl --user / launchctl)
    #[arg(long)]
    pub disable: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    /// systemd user timer + service in $XDG_CONFIG_HOME/systemd/user
    Systemd,
    /// launchd agent in ~/Library/LaunchAgents
    Launchd,
    /// a crontab line, printed (keyturn never edits the crontab)
    Cron,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Systemd => "systemd",
            Backend::Launchd => "launchd",
            Backend::Cron => "cron",
        }
    }
}

// ---------------------------------------------------------------------------
// Pure part: what the job runs, and the files that run it.

/// Which profiles the job rotates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Targets {
    All,
    Profiles(Vec<String>),
}

/// The scheduled `keyturn rotate` run, validated: absolute UTF-8 paths and
/// names without control characters, so every renderer can quote them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    exe: String,
    max_age: Duration,
    targets: Targets,
    credentials_file: Option<String>,
    config_file: Option<String>,
}

impl Job {
    pub fn new(
        exe: &Path,
        max_age: Duration,
        targets: Targets,
        credentials_file: Option<&Path>,
        config_file: Option<&Path>,
    ) -> Result<Job, UsageError> {
        if max_age < Duration::from_secs(DAY) {
            return Err(UsageError(tr("schedule.every_min").into()));
        }
        if let Targets::Profiles(ps) = &targets {
            if ps.is_empty() {
                return Err(UsageError(tr("schedule.no_targets").into()));
            }
            for p in ps {
                if p.trim().is_empty() || p.chars().any(char::is_control) {
                    return Err(UsageError(trf(
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

fn checked_path(p: &Path, what: &str) -> Result<String, UsageError> {
    let s = p.to_str().ok_or_else(|| {
        UsageError(trf(
            "schedule.path_not_utf8",
            &[("what", &what), ("path", &p.display())],
        ))
    })?;
    if !p.is_absolute() || s.chars().any(char::is_control) {
        return Err(UsageError(trf(
            "schedule.path_bad",
            &[("what", &what), ("path", &format!("{s:?}"))],
        )));
    }
    Ok(s.to_owned())
}

/// `90d`, `36h`, `90m`, `45s`: always accepted by [`parse_duration`].
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

fn is_shell_safe(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:@+=,".contains(c))
}

/// One word of a systemd `ExecStart=` line: double-quoted when needed,
/// with `%` (specifiers) and `$` (variable expansion) doubled.
pub fn systemd_word(s: &str) -> String {
    if is_shell_safe(s) {
        return s.to_owned();
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '%' => out.push_str("%%"),
            '$' => out.push_str("$$"),
            c if c.is_control() && (c as u32) < 0x80 => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One `/bin/sh` word, single-quoted when needed.
pub fn sh_word(s: &str) -> String {
    if is_shell_safe(s) {
        return s.to_owned();
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// One `/bin/sh` word inside a crontab command. cron turns an unescaped
/// `%` into a newline and `\%` into `%` (even inside shell quotes), and a
/// backslash right before `%` cannot be expressed; so `%` becomes `\%` and
/// a backslash is written outside the quotes as `\\`, never next to a `%`.
pub fn cron_word(s: &str) -> String {
    if is_shell_safe(s) {
        return s.to_owned();
    }
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\'' => out.push_str("'\\''"),
            '\\' => out.push_str("'\\\\'"),
            '%' => out.push_str("\\%"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// XML character data / attribute text.
pub fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn xml_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// `keyturn-rotate.service`: one non-interactive run, output to the journal.
pub fn systemd_service(job: &Job) -> String {
    let exec: Vec<String> = job.argv().iter().map(|a| systemd_word(a)).collect();
    format!(
        "# {MARKER_TEXT}
[Unit]
Description=Rotate AWS IAM access keys older than {age} (keyturn)
Documentation=man:keyturn(1)

[Service]
Type=oneshot
ExecStart={exec}
StandardInput=null
StandardOutput=journal
StandardError=journal
# 5: every key was younger than --max-age, nothing to do.
SuccessExitStatus=5
# A hung run must not block the next day's.
TimeoutStartSec=30min
",
        age = job.max_age_arg(),
        exec = exec.join(" "),
    )
}

/// `keyturn-rotate.timer`: daily, caught up after downtime, spread over an
/// hour so many machines do not call IAM at once.
pub fn systemd_timer(job: &Job) -> String {
    format!(
        "# {MARKER_TEXT}
[Unit]
Description=Daily check for AWS IAM access keys older than {age} (keyturn)

[Timer]
OnCalendar=daily
Persistent=true
RandomizedDelaySec=1h

[Install]
WantedBy=timers.target
",
        age = job.max_age_arg(),
    )
}

/// The launchd agent: daily at [`Job::daily_slot`] and at load (login),
/// which stands in for systemd's Persistent=true; output appended to `log`.
pub fn launchd_plist(job: &Job, log: &str) -> String {
    let (hour, minute) = job.daily_slot();
    let args: String = job
        .argv()
        .iter()
        .map(|a| format!("\t\t<string>{}</string>\n", xml_text(a)))
        .collect();
    let log = xml_text(log);
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- {MARKER_TEXT} -->
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>{LAUNCHD_LABEL}</string>
	<key>ProgramArguments</key>
	<array>
{args}	</array>
	<key>StartCalendarInterval</key>
	<dict>
		<key>Hour</key>
		<integer>{hour}</integer>
		<key>Minute</key>
		<integer>{minute}</integer>
	</dict>
	<key>RunAtLoad</key>
	<true/>
	<key>ProcessType</key>
	<string>Background</string>
	<key>StandardInPath</key>
	<string>/dev/null</string>
	<key>StandardOutPath</key>
	<string>{log}</string>
	<key>StandardErrorPath</key>
	<string>{log}</string>
</dict>
</plist>
"#
    )
}

/// The crontab line: daily at [`Job::daily_slot`], output appended to
/// `log` (its folder created 0700 first), marked by a trailing comment.
pub fn cron_line(job: &Job, log: &Path) -> Result<String, UsageError> {
    let log_s = checked_path(log, tr("schedule.log_file"))?;
    let dir = log
        .parent()
        .map(|d| checked_path(d, tr("schedule.log_dir")))
        .transpose()?;
    let (hour, minute) = job.daily_slot();
    let cmd: Vec<String> = job.argv().iter().map(|a| cron_word(a)).collect();
    let mkdir = match dir {
        Some(d) => format!("mkdir -p -m 700 {} && ", cron_word(&d)),
        None => String::new(),
    };
    Ok(format!(
        "{minute} {hour} * * * {mkdir}{} </dev/null >>{} 2>&1 # {MARKER} keyturn schedule remove",
        cmd.join(" "),
        cron_word(&log_s),
    ))
}

/// The command an installed file runs, for `show`: the `ExecStart=` line
/// of a unit, or a plist's ProgramArguments as a shell line.
pub fn installed_command(text: &str) -> Option<String> {
    if let Some(l) = text.lines().find_map(|l| l.strip_prefix("ExecStart=")) {
        return Some(l.to_owned());
    }
    let (_, rest) = text.split_once("<key>ProgramArguments</key>")?;
    let (array, _) = rest.split_once("</array>")?;
    let words: Vec<String> = array
        .split("<string>")
        .skip(1)
        .filter_map(|s| s.split_once("</string>").map(|(w, _)| xml_unescape(w)))
        .map(|w| sh_word(&w))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// Which backend `install` uses when none is named.
pub fn auto_backend(os: &str, has_systemctl: bool, systemd_running: bool) -> Backend {
    if os == "macos" {
        Backend::Launchd
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
        Places {
            systemd_dir: xdg(xdg_config_home, ".config").join("systemd").join("user"),
            launchd_plist: home
                .join("Library")
                .join("LaunchAgents")
                .join(format!("{LAUNCHD_LABEL}.plist")),
            log_file: xdg(xdg_state_home, ".local/state")
                .join("keyturn")
                .join("rotate.log"),
        }
    }

    fn service(&self) -> PathBuf {
        self.systemd_dir.join(SYSTEMD_SERVICE)
    }

    fn timer(&self) -> PathBuf {
        self.systemd_dir.join(SYSTEMD_TIMER)
    }

    /// The link `systemctl --user enable` makes to the timer.
    fn timer_link(&self) -> PathBuf {
        self.systemd_dir
            .join("timers.target.wants")
            .join(SYSTEMD_TIMER)
    }

    fn files(&self, b: Backend) -> Vec<PathBuf> {
        match b {
            Backend::Systemd => vec![self.service(), self.timer()],
            Backend::Launchd => vec![self.launchd_plist.clone()],
            Backend::Cron => vec![],
        }
    }
}

// ---------------------------------------------------------------------------
// Effects.

/// What `run` reads from the process environment.
struct Host {
    home: PathBuf,
    places: Places,
    path: Option<OsString>,
}

impl Host {
    fn from_process() -> anyhow::Result<Host> {
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        let home = var("HOME")
            .map(PathBuf::from)
            .filter(|h| h.is_absolute())
            .ok_or_else(|| UsageError(tr("schedule.no_home").into()))?;
        let places = Places::new(
            &home,
            var("XDG_CONFIG_HOME").map(PathBuf::from),
            var("XDG_STATE_HOME").map(PathBuf::from),
        );
        Ok(Host {
            home,
            places,
            path: var("PATH"),
        })
    }

    fn has_program(&self, name: &str) -> bool {
        let Some(path) = &self.path else {
            return false;
        };
        std::env::split_paths(path).any(|d| {
            fs::metadata(d.join(name))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    }
}

pub fn run(cfg: &Config, args: &ScheduleArgs) -> anyhow::Result<u8> {
    let host = Host::from_process()?;
    match &args.action {
        Action::Install(a) => install(cfg, &host, a),
        Action::Show(a) => show(cfg, &host, a),
        Action::Remove(a) => remove(cfg, &host, a),
    }
}

/// A job for a key in aws-vault's file keyring needs its passphrase in
/// the job's environment (aws-vault would prompt; a job cannot): say so
/// (issue 13).
fn keystore_note(cfg: &Config, targets: &Targets, choice: crate::home::keystore::StoreChoice) {
    let (Some(env), Targets::Profiles(profiles)) = (&cfg.keystore, targets) else {
        return;
    };
    let doc = |p: &Path| {
        crate::store::read(p)
            .ok()
            .and_then(|s| crate::ini::Document::parse_bytes(s.bytes.as_deref()?).ok())
    };
    let (c, f) = (doc(&cfg.paths.credentials), doc(&cfg.paths.config));
    let files = crate::profile::Files {
        credentials: c.as_ref(),
        credentials_path: &cfg.paths.credentials,
        config: f.as_ref(),
        config_path: &cfg.paths.config,
    };
    for p in profiles {
        if let Some(var) = crate::home::keystore::schedule_needs(&files, p, choice, env) {
            eprintln!(
                "note: {}",
                trf(
                    "keystore.schedule_passphrase",
                    &[("profile", p), ("var", &var)]
                )
            );
        }
    }
}

fn install(cfg: &Config, host: &Host, a: &InstallArgs) -> anyhow::Result<u8> {
    let max_age = parse_duration(&a.every)?;
    let targets = if a.all {
        Targets::All
    } else if a.profiles.is_empty() {
        // Fixed now, like `rotate`'s default: the job's environment has
        // no AWS_PROFILE of its own.
        let p = std::env::var("AWS_PROFILE")
            .ok()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "default".into());
        Targets::Profiles(vec![p])
    } else {
        let mut seen = std::collections::HashSet::new();
        Targets::Profiles(
            a.profiles
                .iter()
                .filter(|p| seen.insert(p.as_str()))
                .cloned()
                .collect(),
        )
    };
    keystore_note(cfg, &targets, a.store.unwrap_or_default());
    let exe = std::env::current_exe().context(tr("ctx.find_binary"))?;
    // Name the AWS files only when they are not the defaults, so a job for
    // the defaults follows HOME like the AWS CLI does.
    let not_default = |p: &Path, name: &str| -> anyhow::Result<Option<PathBuf>> {
        if p == host.home.join(".aws").join(name) {
            Ok(None)
        } else {
            Ok(Some(std::path::absolute(p).with_context(|| {
                trf("ctx.absolute", &[("path", &p.display())])
            })?))
        }
    };
    let creds = not_default(&cfg.paths.credentials, "credentials")?;
    let config = not_default(&cfg.paths.config, "config")?;
    let job = Job::new(&exe, max_age, targets, creds.as_deref(), config.as_deref())?;
    if cfg.endpoint.url.is_some() {
        eprintln!("note: {}", tr("schedule.endpoint_note"));
    }
    let backend = a.backend.unwrap_or_else(|| {
        auto_backend(
            std::env::consts::OS,
            host.has_program("systemctl"),
            // sd_booted(): systemctl exists in many containers and WSL
            // setups where no systemd runs.
            Path::new("/run/systemd/system").is_dir(),
        )
    });
    let places = &host.places;
    let command = job.argv().iter().map(|w| sh_word(w)).collect::<Vec<_>>();
    let command = command.join(" ");

    let files: Vec<(PathBuf, String)> = match backend {
        Backend::Systemd => vec![
            (places.service(), systemd_service(&job)),
            (places.timer(), systemd_timer(&job)),
        ],
        Backend::Launchd => vec![(
            places.launchd_plist.clone(),
            launchd_plist(
                &job,
                &checked_path(&places.log_file, tr("schedule.log_file"))?,
            ),
        )],
        Backend::Cron => {
            let line = cron_line(&job, &places.log_file)?;
            if cfg.output == Output::Json {
                print_json(&json!({
                    "backend": "cron",
                    "crontab_line": line,
                    "command": job.argv(),
                    "log": places.log_file,
                }));
            } else {
                // The line alone on stdout, so `(crontab -l; keyturn
                // schedule install ...) | crontab -` works.
                println!("{line}");
                eprintln!(
                    "{}",
                    trf(
                        "schedule.cron_hint",
                        &[
                            ("every", &crate::i18n::span(job.max_age.as_secs())),
                            ("log", &places.log_file.display()),
                        ],
                    )
                );
            }
            return Ok(exit::OK);
        }
    };

    // Check every file before writing any, so a refusal changes nothing.
    let mut states = Vec::new();
    for (path, content) in &files {
        match read_existing(path)? {
            None => states.push("wrote"),
            Some(old) if !is_ours(&old) => {
                eprintln!(
                    "error: {}",
                    trf("schedule.not_ours", &[("path", &path.display())])
                );
                return Ok(exit::REFUSED);
            }
            Some(old) if old == *content => states.push("unchanged"),
            Some(_) => states.push("updated"),
        }
    }
    if backend == Backend::Launchd {
        // launchd does not create the log's folder.
        if let Some(dir) = places.log_file.parent() {
            create_private_dir(dir)?;
        }
    }
    for ((path, content), state) in files.iter().zip(&states) {
        if *state != "unchanged" {
            write_atomic(path, content.as_bytes())?;
        }
    }

    let start = start_commands(backend, &places.launchd_plist);
    if cfg.output == Output::Json {
        print_json(&json!({
            "backend": backend.name(),
            "files": files.iter().zip(&states).map(|((p, _), s)| json!({"path": p, "state": s})).collect::<Vec<_>>(),
            "command": job.argv(),
            "log": (backend == Backend::Launchd).then_some(&places.log_file),
            "start": start,
            "enabled": a.enable,
        }));
    } else {
        for ((path, _), state) in files.iter().zip(&states) {
            // `state` is the JSON value; the line says it in words.
            let path = path.display();
            println!(
                "{}",
                match *state {
                    "wrote" => trf("schedule.wrote", &[("path", &path)]),
                    "unchanged" => trf("schedule.unchanged", &[("path", &path)]),
                    _ => trf("schedule.updated", &[("path", &path)]),
                }
            );
        }
        println!("{}", trf("schedule.runs_daily", &[("command", &command)]));
        let out = match backend {
            Backend::Systemd => tr("schedule.journal").to_owned(),
            _ => places.log_file.display().to_string(),
        };
        println!(
            "{}",
            trf(
                "schedule.rotates_when",
                &[
                    ("every", &crate::i18n::span(job.max_age.as_secs())),
                    ("out", &out)
                ],
            )
        );
        if !a.enable {
            println!("{}", trf("schedule.start_with", &[("command", &start)]));
        }
        if backend == Backend::Systemd {
            println!("{}", tr("schedule.linger"));
        }
    }
    if a.enable {
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
            Backend::Cron => {}
        }
        if cfg.output == Output::Text {
            println!("{}", tr("schedule.enabled_now"));
        }
    }
    Ok(exit::OK)
}

/// The commands that load and start an installed job.
fn start_commands(backend: Backend, plist: &Path) -> String {
    match backend {
        Backend::Systemd => format!(
            "systemctl --user daemon-reload && systemctl --user enable --now {SYSTEMD_TIMER}"
        ),
        Backend::Launchd => format!(
            "launchctl bootstrap gui/$(id -u) {}",
            sh_word(&plist.to_string_lossy())
        ),
        Backend::Cron => "crontab -e".into(),
    }
}

/// Where to look for `show` and `remove`.
fn backends(only: Option<Backend>) -> Vec<Backend> {
    match only {
        Some(b) => vec![b],
        None => vec![Backend::Systemd, Backend::Launchd, Backend::Cron],
    }
}

/// One backend's installed state.
struct Found {
    files: Vec<PathBuf>,
    foreign: Vec<PathBuf>,
    command: Option<String>,
    enabled: Option<bool>,
}

fn find(host: &Host, backend: Backend) -> anyhow::Result<Found> {
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
    Ok(f)
}

fn warn_foreign(f: &Found) {
    for p in &f.foreign {
        eprintln!(
            "warning: {}",
            trf("schedule.foreign", &[("path", &p.display())])
        );
    }
}

fn show(cfg: &Config, host: &Host, a: &ShowArgs) -> anyhow::Result<u8> {
    let mut items = Vec::new();
    for b in backends(a.backend) {
        let f = find(host, b)?;
        warn_foreign(&f);
        if f.files.is_empty() && f.command.is_none() {
            continue;
        }
        if cfg.output == Output::Text {
            let title = match b {
                Backend::Systemd => {
                    let state = match f.enabled {
                        Some(true) => tr("schedule.show_enabled"),
                        _ => tr("schedule.show_not_enabled"),
                    };
                    trf("schedule.show_systemd", &[("state", &state)])
                }
                Backend::Launchd => trf("schedule.show_launchd", &[("label", &LAUNCHD_LABEL)]),
                Backend::Cron => tr("schedule.show_cron").to_owned(),
            };
            println!("{title}");
            for p in &f.files {
                println!("{}", trf("schedule.show_file", &[("path", &p.display())]));
            }
            match &f.command {
                Some(c) => println!("{}", trf("schedule.show_runs", &[("command", c)])),
                None => println!("{}", tr("schedule.show_runs_unknown")),
            }
            if b == Backend::Launchd {
                let log = host.places.log_file.display();
                println!("{}", trf("schedule.show_log", &[("path", &log)]));
            }
        }
        items.push(json!({
            "backend": b.name(),
            "files": f.files,
            "command": f.command,
            "enabled": f.enabled,
        }));
    }
    if cfg.output == Output::Json {
        print_json(&Value::Array(items.clone()));
    } else if items.is_empty() {
        println!("{}", tr("schedule.none"));
    }
    Ok(if items.is_empty() {
        exit::NOTHING_TO_DO
    } else {
        exit::OK
    })
}

fn remove(cfg: &Config, host: &Host, a: &RemoveArgs) -> anyhow::Result<u8> {
    let places = &host.places;
    let mut removed: Vec<PathBuf> = Vec::new();
    let mut advice: Vec<String> = Vec::new();
    let mut refused = false;
    for b in backends(a.backend) {
        let f = find(host, b)?;
        warn_foreign(&f);
        refused |= !f.foreign.is_empty();
        match b {
            Backend::Cron => {
                if f.command.is_some() {
                    advice.push(trf("schedule.cron_remove", &[("marker", &MARKER)]));
                }
                continue;
            }
            _ if f.files.is_empty() => continue,
            Backend::Systemd => {
                if a.disable {
                    warn_on_err(run_tool(
                        "systemctl",
                        &["--user", "disable", "--now", SYSTEMD_TIMER],
                    ));
                }
                // Left behind by `enable`; dangling once the timer is gone.
                let link = places.timer_link();
                if fs::read_link(&link).is_ok_and(|t| t.file_name() == Some(SYSTEMD_TIMER.as_ref()))
                {
                    remove_file(&link)?;
                    removed.push(link.clone());
                    // Only if empty: other timers may live there.
                    if let Some(wants) = link.parent() {
                        let _ = fs::remove_dir(wants);
                    }
                }
            }
            Backend::Launchd => {
                if a.disable {
                    let target = format!("gui/{}/{LAUNCHD_LABEL}", uid()?);
                    warn_on_err(run_tool("launchctl", &["bootout", &target]));
                }
            }
        }
        for p in &f.files {
            remove_file(p)?;
            removed.push(p.clone());
        }
        match b {
            Backend::Systemd if a.disable => {
                warn_on_err(run_tool("systemctl", &["--user", "daemon-reload"]));
            }
            Backend::Systemd => {
                advice.push(trf("schedule.systemd_unload", &[("timer", &SYSTEMD_TIMER)]))
            }
            Backend::Launchd if !a.disable => {
                advice.push(trf("schedule.launchd_unload", &[("label", &LAUNCHD_LABEL)]))
            }
            _ => {}
        }
        if b == Backend::Launchd {
            // The log folder goes too if the log never got written.
            if let Some(dir) = places.log_file.parent() {
                let _ = fs::remove_dir(dir);
            }
        }
    }
    if cfg.output == Output::Json {
        print_json(&json!({ "removed": removed, "advice": advice }));
    } else {
        for p in &removed {
            println!("{}", trf("schedule.removed", &[("path", &p.display())]));
        }
        for line in &advice {
            println!("{line}");
        }
        if removed.is_empty() && advice.is_empty() && !refused {
            println!("{}", tr("schedule.none"));
        }
    }
    Ok(if !removed.is_empty() || !advice.is_empty() {
        exit::OK
    } else if refused {
        exit::REFUSED
    } else {
        exit::NOTHING_TO_DO
    })
}

fn print_json(v: &Value) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

fn warn_on_err(r: anyhow::Result<()>) {
    if let Err(e) = r {
        eprintln!("warning: {e:#}");
    }
}

/// The file's text, None if absent; bytes that are not UTF-8 read as a
/// file that is not ours.
fn read_existing(path: &Path) -> anyhow::Result<Option<String>> {
    match fs::read(path) {
        Ok(b) => Ok(Some(String::from_utf8_lossy(&b).into_owned())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| trf("ctx.read", &[("path", &path.display())])),
    }
}

fn remove_file(path: &Path) -> anyhow::Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| trf("ctx.remove", &[("path", &path.display())])),
    }
}

/// The log folder: private, as a log of key ids is nobody else's business.
/// Its parents are created with the usual permissions.
fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    if let Some(parent) = dir.parent() {
        fs::create_dir_all(parent)
            .with_context(|| trf("ctx.create", &[("path", &parent.display())]))?;
    }
    match fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(e).with_context(|| trf("ctx.create", &[("path", &dir.display())])),
    }
}

/// Replaces `path` whole: a temp file beside it, fsynced, renamed over it,
/// the folder fsynced. Mode 0644 as systemd and launchd expect (no
/// secrets inside); folders are created with the usual permissions.
fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .with_context(|| trf("ctx.no_parent", &[("path", &path.display())]))?;
    fs::create_dir_all(dir).with_context(|| trf("ctx.create", &[("path", &dir.display())]))?;
    let nonce = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(
        ".{name}.keyturn-{}-{nonce}.tmp",
        std::process::id()
    ));
    let result = (|| -> io::Result<()> {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .open(&tmp)?;
        // Exactly 0644 whatever the umask.
        f.set_permissions(fs::Permissions::from_mode(0o644))?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.with_context(|| trf("ctx.write", &[("path", &path.display())]))
}

/// Runs a service-manager command, its output passed through.
fn run_tool(program: &str, args: &[&str]) -> anyhow::Result<()> {
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

fn run_tool_quiet(program: &str, args: &[&str]) -> io::Result<std::process::ExitStatus> {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
}

fn crontab_list() -> anyhow::Result<String> {
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
fn uid() -> anyhow::Result<String> {
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

    fn job(targets: Targets) -> Job {
        Job::new(
            Path::new("/opt/key turn/bin/keyturn"),
            Duration::from_secs(60 * DAY),
            targets,
            None,
            None,
        )
        .unwrap()
    }

    fn profiles(ps: &[&str]) -> Targets {
        Targets::Profiles(ps.iter().map(|p| p.to_string()).collect())
    }

    #[test]
    fn argv_is_exactly_the_rotate_command() {
        let j = job(Targets::All);
        assert_eq!(
            j.argv(),
            [
                "/opt/key turn/bin/keyturn",
                "rotate",
                "--max-age",
                "60d",
                "--all"
            ]
        );
        let j = Job::new(
            Path::new("/bin/keyturn"),
            Duration::from_secs(36 * 3600),
            profiles(&["dev", "prod"]),
            Some(Path::new("/c/creds")),
            Some(Path::new("/c/conf")),
        )
        .unwrap();
        assert_eq!(
            j.argv(),
            [
                "/bin/keyturn",
                "rotate",
                "--max-age",
                "36h",
                "--credentials-file",
                "/c/creds",
                "--config-file",
                "/c/conf",
                "dev",
                "prod"
            ]
        );
        // A profile that looks like a flag stays a profile.
        assert_eq!(
            job(profiles(&["-x"])).argv()[4..],
            ["--".to_string(), "-x".into()]
        );
    }

    /// The generated command line is one the real `rotate` accepts.
    #[test]
    fn argv_parses_as_rotate() {
        use crate::cli::{Cli, Command as Sub};
        use clap::Parser;
        let parse = |j: &Job| {
            let argv = j.argv();
            let cli = Cli::try_parse_from(
                std::iter::once("keyturn").chain(argv[1..].iter().map(|s| s.as_str())),
            )
            .unwrap();
            let Sub::Rotate(a) = cli.command else {
                panic!("not rotate: {argv:?}")
            };
            (a.all, a.max_age, a.profiles, cli.credentials_file)
        };
        assert_eq!(
            parse(&job(Targets::All)),
            (true, Some("60d".into()), vec![], None)
        );
        let j = Job::new(
            Path::new("/bin/keyturn"),
            Duration::from_secs(DAY),
            profiles(&["-x", "my prof"]),
            Some(Path::new("/c/creds")),
            None,
        )
        .unwrap();
        assert_eq!(
            parse(&j),
            (
                false,
                Some("1d".into()),
                vec!["-x".into(), "my prof".into()],
                Some(PathBuf::from("/c/creds"))
            )
        );
    }

    #[test]
    fn bad_jobs_are_usage_errors() {
        let ok = Path::new("/bin/keyturn");
        let day = Duration::from_secs(DAY);
        assert!(Job::new(ok, Duration::from_secs(3600), Targets::All, None, None).is_err());
        assert!(Job::new(ok, day, profiles(&[]), None, None).is_err());
        assert!(Job::new(ok, day, profiles(&["a\nb"]), None, None).is_err());
        assert!(Job::new(ok, day, profiles(&[" "]), None, None).is_err());
        assert!(Job::new(Path::new("keyturn"), day, Targets::All, None, None).is_err());
        assert!(Job::new(ok, day, Targets::All, Some(Path::new("rel/creds")), None).is_err());
        assert!(Job::new(ok, day, Targets::All, None, Some(Path::new("/a\tb"))).is_err());
        assert!(Job::new(ok, day, Targets::All, None, None).is_ok());
    }

    #[test]
    fn durations_round_trip_through_parse_duration() {
        for s in ["1d", "60d", "36h", "1441m", "86401s"] {
            let d = parse_duration(s).unwrap();
            assert_eq!(format_duration(d), s);
            assert_eq!(parse_duration(&format_duration(d)).unwrap(), d);
        }
        assert_eq!(format_duration(Duration::from_secs(2 * DAY)), "2d");
    }

    #[test]
    fn systemd_units() {
        let j = job(profiles(&["dev", "my prof", "100%$x\"y\\z"]));
        let s = systemd_service(&j);
        assert!(s.starts_with("# keyturn-schedule: "));
        assert!(s.contains(
            "\nExecStart=\"/opt/key turn/bin/keyturn\" rotate --max-age 60d dev \"my prof\" \"100%%$$x\\\"y\\\\z\"\n"
        ));
        for line in [
            "Type=oneshot",
            "StandardInput=null",
            "StandardOutput=journal",
            "SuccessExitStatus=5",
        ] {
            assert!(s.lines().any(|l| l == line), "{line} in\n{s}");
        }
        let t = systemd_timer(&j);
        for line in [
            "OnCalendar=daily",
            "Persistent=true",
            "RandomizedDelaySec=1h",
            "WantedBy=timers.target",
        ] {
            assert!(t.lines().any(|l| l == line), "{line} in\n{t}");
        }
        assert!(is_ours(&s) && is_ours(&t));
        assert_eq!(
            installed_command(&s).unwrap(),
            s.lines()
                .find_map(|l| l.strip_prefix("ExecStart="))
                .unwrap()
        );
    }

    #[test]
    fn systemd_words() {
        assert_eq!(systemd_word("plain-1.0_x@y:z"), "plain-1.0_x@y:z");
        assert_eq!(systemd_word(""), "\"\"");
        assert_eq!(systemd_word("a;b"), "\"a;b\"");
        assert_eq!(systemd_word("a'b"), "\"a'b\"");
        assert_eq!(systemd_word("%h"), "\"%%h\"");
        assert_eq!(systemd_word("${HOME}"), "\"$${HOME}\"");
        assert_eq!(systemd_word("\u{7}"), "\"\\x07\"");
    }

    #[test]
    fn launchd_plist_escapes_and_is_ours() {
        let j = job(profiles(&["a&b", "<x>", "it's"]));
        let p = launchd_plist(&j, "/h/.local/state/keyturn/rotate.log");
        assert!(p.contains("<string>dev.keyturn.rotate</string>"));
        assert!(p.contains("<string>a&amp;b</string>"));
        assert!(p.contains("<string>&lt;x&gt;</string>"));
        assert!(p.contains("<string>it&apos;s</string>"));
        assert!(p.contains("<string>/dev/null</string>"));
        assert!(p.contains("<key>RunAtLoad</key>\n\t<true/>"));
        assert!(p.contains("<string>/h/.local/state/keyturn/rotate.log</string>"));
        assert!(is_ours(&p));
        // No `--` inside a comment: that is not XML.
        for c in p.split("<!--").skip(1) {
            let body = c.split("-->").next().unwrap();
            assert!(!body.contains("--"), "{body}");
        }
        assert_eq!(
            installed_command(&p).unwrap(),
            "'/opt/key turn/bin/keyturn' rotate --max-age 60d 'a&b' '<x>' 'it'\\''s'"
        );
    }

    /// cron's own rule (cronie's do_command): `\%` is `%`, any other
    /// backslash pair is kept, an unescaped `%` ends the command.
    fn cron_unescape(s: &str) -> String {
        let mut out = String::new();
        let mut escaped = false;
        for c in s.chars() {
            if escaped {
                if c == '%' {
                    out.pop();
                }
                out.push(c);
                escaped = false;
                continue;
            }
            if c == '%' {
                break;
            }
            escaped = c == '\\';
            out.push(c);
        }
        out
    }

    #[test]
    fn cron_words_survive_cron_then_sh() {
        let words = [
            "plain",
            "with space",
            "it's",
            "100%",
            "a\\%b",
            "\\",
            "%\\",
            "'\\'%'",
            "$HOME `x` \"q\"",
            "\\\\%%",
        ];
        let mut script = String::from("printf \\%s\\\\n");
        for w in words {
            script.push(' ');
            script.push_str(&cron_word(w));
        }
        let out = Command::new("/bin/sh")
            .arg("-c")
            .arg(cron_unescape(&script))
            .output()
            .unwrap();
        assert!(out.status.success());
        let got: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
        assert_eq!(got, words);
    }

    #[test]
    fn cron_line_shape() {
        let j = job(profiles(&["dev"]));
        let line = cron_line(&j, Path::new("/h/.local/state/keyturn/rotate.log")).unwrap();
        let (hour, minute) = j.daily_slot();
        assert!((9..18).contains(&hour) && minute < 60);
        assert_eq!(
            line,
            format!(
                "{minute} {hour} * * * mkdir -p -m 700 /h/.local/state/keyturn && \
                 '/opt/key turn/bin/keyturn' rotate --max-age 60d dev </dev/null \
                 >>/h/.local/state/keyturn/rotate.log 2>&1 # keyturn-schedule: keyturn schedule remove"
            )
        );
        assert!(is_ours(&line));
        assert!(!is_ours("0 3 * * * backup.sh # mine"));
        // Same command, same slot; another command likely elsewhere.
        assert_eq!(j.daily_slot(), job(profiles(&["dev"])).daily_slot());
    }

    #[test]
    fn marker_detection() {
        assert!(!is_ours("[Unit]\nDescription=mine\n"));
        assert!(!is_ours("Description=keyturn-schedule: in a value\n"));
        assert!(is_ours("# keyturn-schedule: x\n[Unit]\n"));
        assert!(is_ours("<?xml?>\n<!-- keyturn-schedule: x -->\n"));
    }

    #[test]
    fn backend_choice() {
        assert_eq!(auto_backend("macos", true, true), Backend::Launchd);
        assert_eq!(auto_backend("linux", true, true), Backend::Systemd);
        assert_eq!(auto_backend("linux", true, false), Backend::Cron);
        assert_eq!(auto_backend("linux", false, true), Backend::Cron);
        assert_eq!(auto_backend("freebsd", true, true), Backend::Cron);
    }

    #[test]
    fn places_follow_xdg() {
        let p = Places::new(Path::new("/h"), None, None);
        assert_eq!(p.systemd_dir, Path::new("/h/.config/systemd/user"));
        assert_eq!(
            p.launchd_plist,
            Path::new("/h/Library/LaunchAgents/dev.keyturn.rotate.plist")
        );
        assert_eq!(p.log_file, Path::new("/h/.local/state/keyturn/rotate.log"));
        let p = Places::new(Path::new("/h"), Some("/c".into()), Some("/s".into()));
        assert_eq!(p.systemd_dir, Path::new("/c/systemd/user"));
        assert_eq!(p.log_file, Path::new("/s/keyturn/rotate.log"));
        // Relative XDG values are ignored, as the spec says.
        let p = Places::new(Path::new("/h"), Some("c".into()), Some("s".into()));
        assert_eq!(p.systemd_dir, Path::new("/h/.config/systemd/user"));
        assert_eq!(p.log_file, Path::new("/h/.local/state/keyturn/rotate.log"));
    }

    #[test]
    fn atomic_write_replaces_whole_and_leaves_no_temp() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("a/b/unit");
        write_atomic(&f, b"one").unwrap();
        write_atomic(&f, b"two").unwrap();
        assert_eq!(fs::read(&f).unwrap(), b"two");
        assert_eq!(
            fs::metadata(&f).unwrap().permissions().mode() & 0o777,
            0o644
        );
        assert_eq!(fs::read_dir(f.parent().unwrap()).unwrap().count(), 1);
    }
}
