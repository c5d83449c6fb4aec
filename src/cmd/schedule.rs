//! `keyturn schedule install|show|remove`: a daily job that runs
//! `keyturn rotate --max-age <EVERY>` unattended, as a systemd user timer
//! (Linux), a launchd agent (macOS), or a crontab line printed for the user
//! to install where neither fits.
//!
//! The arguments and what is printed; the job, its files and the host
//! interaction are [`crate::schedule`]'s (invariants there).
//! What it prints is in the user's language ([`crate::i18n`]); JSON keys
//! and values, and the `note:` / `warning:` / `error:` prefixes are
//! English in every language.

use crate::cli::{GlobalArgs, Output};
use crate::cmd::Config;
use crate::duration::parse_duration;
use crate::exit::{Exit, UsageError};
use crate::i18n::{tr, trf};
use crate::schedule::host::{self, Found, Host};
use crate::schedule::render::{cron_line, sh_word, start_commands};
use crate::schedule::{self, backends, Invalid, Job, Targets, LAUNCHD_LABEL, MARKER};
use anyhow::Context;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Arguments of `keyturn schedule`.
#[derive(Clone, Debug, clap::Args)]
pub struct ScheduleArgs {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Clone, Debug, clap::Subcommand)]
pub enum Action {
    /// Install (or update) a daily job running `keyturn rotate --max-age EVERY`
    Install(InstallArgs),
    /// Print the installed schedule
    Show(ShowArgs),
    /// Delete the files `schedule install` wrote
    Remove(RemoveArgs),
}

#[derive(Clone, Debug, clap::Args)]
pub struct InstallArgs {
    /// Profiles the job rotates [default: $AWS_PROFILE, else `default`, fixed now]
    #[arg(value_name = "PROFILE")]
    pub profiles: Vec<String>,

    /// Rotate every profile that has a static key
    #[arg(long, conflicts_with = "profiles")]
    pub all: bool,

    /// Rotate every managed user (`[[users]]`) instead: `keyturn rotate --managed`, signed by the operator (--profile, else the job's AWS credentials)
    #[arg(long, conflicts_with_all = ["profiles", "all"])]
    pub managed: bool,

    /// With `--managed`: the operator's profile (the global `--profile`),
    /// filled in by [`validate`].
    #[arg(skip)]
    pub operator: Option<String>,

    /// Rotate each key once it is this old (at least 1d), e.g. 30d, 90d
    #[arg(long, value_name = "DURATION")]
    pub every: String,

    /// Where to install [default: launchd on macOS, Task Scheduler on Windows, systemd where it runs, else cron]
    #[arg(long, value_enum)]
    pub backend: Option<Backend>,

    /// Also load and start the job now (systemctl --user / launchctl / schtasks)
    #[arg(long)]
    pub enable: bool,

    /// Task Scheduler: run whether or not you are logged on (no password is stored)
    #[arg(long)]
    pub logged_off: bool,

    /// Where the keys are: files, aws-vault or granted [default: detected]
    #[arg(long, value_name = "STORE", value_parser = crate::home::keystore::StoreChoice::parse_arg)]
    pub store: Option<crate::home::keystore::StoreChoice>,
}

#[derive(Clone, Debug, clap::Args)]
pub struct ShowArgs {
    /// Look only here [default: everywhere]
    #[arg(long, value_enum)]
    pub backend: Option<Backend>,
}

#[derive(Clone, Debug, clap::Args)]
pub struct RemoveArgs {
    /// Remove only from here [default: everywhere]
    #[arg(long, value_enum)]
    pub backend: Option<Backend>,

    /// Also stop and unload the job first (systemctl --user / launchctl / schtasks)
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
    /// a Task Scheduler task, its XML in %APPDATA%\keyturn (Windows)
    TaskScheduler,
}

impl From<Backend> for schedule::Backend {
    fn from(b: Backend) -> schedule::Backend {
        match b {
            Backend::Systemd => schedule::Backend::Systemd,
            Backend::Launchd => schedule::Backend::Launchd,
            Backend::Cron => schedule::Backend::Cron,
            Backend::TaskScheduler => schedule::Backend::TaskScheduler,
        }
    }
}

/// A job that cannot be scheduled as asked is a usage error (exit 2).
fn usage(e: Invalid) -> UsageError {
    UsageError(e.0)
}

/// A validated `schedule`: its arguments, the profiles of `install`
/// fixed now, and the environment the host side needs.
#[derive(Debug)]
pub struct Options {
    pub args: ScheduleArgs,
    pub env: crate::env::Env,
}

/// Pure: `--profile` only for `install`, where it adds to the names; no
/// names and no `--all` fix the AWS CLI's profile now (the job's
/// environment has no profile variables of its own).
pub fn validate(
    a: &ScheduleArgs,
    g: &GlobalArgs,
    env: &crate::env::Env,
) -> Result<Options, UsageError> {
    crate::cmd::accept(g, "schedule", matches!(a.action, Action::Install(_)), false)?;
    let mut a = a.clone();
    if let Action::Install(i) = &mut a.action {
        if i.managed {
            // `--profile` names the operator, not a key to rotate.
            if g.profile.len() > 1 {
                return Err(UsageError(tr("schedule.managed_one_operator").into()));
            }
            i.operator = g.profile.first().cloned();
            return Ok(Options {
                args: a,
                env: env.clone(),
            });
        }
        i.profiles.extend(g.profile.iter().cloned());
        if i.all && !i.profiles.is_empty() {
            return Err(UsageError(tr("usage.all_and_profiles").into()));
        }
        if i.profiles.is_empty() && !i.all {
            i.profiles = crate::cmd::chosen_profile(env)?;
        }
    }
    Ok(Options {
        args: a,
        env: env.clone(),
    })
}

pub fn run(cfg: &Config, o: &Options) -> anyhow::Result<Exit> {
    let (args, host) = (&o.args, Host::from_env(&o.env).map_err(usage)?);
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
    // Files that cannot be read or parsed: no note (the job's `rotate`
    // will say what is wrong).
    let Ok(loaded) = crate::home::files::load(&cfg.paths) else {
        return;
    };
    let files = loaded.files(&cfg.paths);
    for p in profiles {
        if let Some(var) = crate::home::keystore::schedule_needs(&files, p, choice, env) {
            crate::report::note(&trf(
                "keystore.schedule_passphrase",
                &[("profile", p), ("var", &var)],
            ));
        }
    }
}

fn install(cfg: &Config, host: &Host, a: &InstallArgs) -> anyhow::Result<Exit> {
    let job = job(cfg, host, a)?;
    if cfg.endpoint.url.is_some() {
        crate::report::note(tr("schedule.endpoint_note"));
    }
    let backend = a
        .backend
        .map(schedule::Backend::from)
        .unwrap_or_else(|| host.default_backend());
    let places = &host.places;
    if a.logged_off && backend != schedule::Backend::TaskScheduler {
        return Err(UsageError(tr("schedule.logged_off_backend").into()).into());
    }
    if backend == schedule::Backend::Cron {
        return print_cron(cfg, &job, &places.log_file);
    }
    let files = host::unit_files(backend, &job, places).map_err(usage)?;
    let states = match host::plan_writes(&files)? {
        Ok(states) => states,
        Err(path) => {
            crate::report::error(&trf("schedule.not_ours", &[("path", &path.display())]));
            return Ok(Exit::Refused);
        }
    };
    host::write_files(backend, places, &files, &states)?;
    print_installed(cfg, a, &job, backend, places, &files, &states);
    if a.enable {
        host::enable(backend, places)?;
        if cfg.output == Output::Text {
            crate::report::out(tr("schedule.enabled_now"));
        }
    }
    Ok(Exit::Ok)
}

/// The job the arguments ask for.
fn job(cfg: &Config, host: &Host, a: &InstallArgs) -> anyhow::Result<Job> {
    let max_age = parse_duration(&a.every)?;
    let targets = if a.managed {
        Targets::Managed {
            operator: a.operator.clone(),
        }
    } else if a.all {
        Targets::All
    } else if a.profiles.is_empty() {
        // Fixed now, like `rotate`'s default: the job's environment has
        // no AWS_PROFILE of its own.
        let p = host
            .aws_profile
            .clone()
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
    let mut job =
        Job::new(&exe, max_age, targets, creds.as_deref(), config.as_deref()).map_err(usage)?;
    job.logged_off = a.logged_off;
    Ok(job)
}

/// cron: the line alone on stdout (keyturn never edits the crontab).
fn print_cron(cfg: &Config, job: &Job, log: &Path) -> anyhow::Result<Exit> {
    let line = cron_line(job, log).map_err(usage)?;
    if cfg.output == Output::Json {
        crate::report::json(&CronJson::of(job, line, log));
    } else {
        // The line alone on stdout, so `(crontab -l; keyturn
        // schedule install ...) | crontab -` works.
        crate::report::out(&line);
        crate::report::err_line(&trf(
            "schedule.cron_hint",
            &[
                ("every", &crate::i18n::span(job.max_age.as_secs())),
                ("log", &log.display()),
            ],
        ));
    }
    Ok(Exit::Ok)
}

/// What `install` wrote, and how the job starts.
fn print_installed(
    cfg: &Config,
    a: &InstallArgs,
    job: &Job,
    backend: schedule::Backend,
    places: &schedule::Places,
    files: &[(PathBuf, String)],
    states: &[&str],
) {
    let command = job.argv().iter().map(|w| sh_word(w)).collect::<Vec<_>>();
    let command = command.join(" ");
    let start = start_commands(backend, places);
    if cfg.output == Output::Json {
        let installed = InstalledJson::of(job, backend, places, files, states, a.enable);
        crate::report::json(&installed);
    } else {
        for ((path, _), state) in files.iter().zip(states) {
            // `state` is the JSON value; the line says it in words.
            let path = path.display();
            crate::report::out(&match *state {
                "wrote" => trf("schedule.wrote", &[("path", &path)]),
                "unchanged" => trf("schedule.unchanged", &[("path", &path)]),
                _ => trf("schedule.updated", &[("path", &path)]),
            });
        }
        crate::report::out(&trf("schedule.runs_daily", &[("command", &command)]));
        let out = match backend {
            schedule::Backend::Systemd => tr("schedule.journal").to_owned(),
            schedule::Backend::TaskScheduler => {
                trf("schedule.task_history", &[("name", &schedule::TASK_NAME)])
            }
            _ => places.log_file.display().to_string(),
        };
        crate::report::out(&trf(
            "schedule.rotates_when",
            &[
                ("every", &crate::i18n::span(job.max_age.as_secs())),
                ("out", &out),
            ],
        ));
        if !a.enable {
            crate::report::out(&trf("schedule.start_with", &[("command", &start)]));
        }
        if backend == schedule::Backend::Systemd {
            crate::report::out(tr("schedule.linger"));
        }
    }
}

fn warn_foreign(f: &Found) {
    for p in &f.foreign {
        crate::report::warning(&trf("schedule.foreign", &[("path", &p.display())]));
    }
}

fn show(cfg: &Config, host: &Host, a: &ShowArgs) -> anyhow::Result<Exit> {
    let mut items = Vec::new();
    for b in backends(a.backend.map(Into::into)) {
        let f = host::find(host, b)?;
        warn_foreign(&f);
        if f.files.is_empty() && f.command.is_none() {
            continue;
        }
        if cfg.output == Output::Text {
            let title = match b {
                schedule::Backend::Systemd => {
                    let state = match f.enabled {
                        Some(true) => tr("schedule.show_enabled"),
                        _ => tr("schedule.show_not_enabled"),
                    };
                    trf("schedule.show_systemd", &[("state", &state)])
                }
                schedule::Backend::Launchd => {
                    trf("schedule.show_launchd", &[("label", &LAUNCHD_LABEL)])
                }
                schedule::Backend::Cron => tr("schedule.show_cron").to_owned(),
                schedule::Backend::TaskScheduler => {
                    let state = match f.enabled {
                        Some(true) => tr("schedule.show_enabled"),
                        _ => tr("schedule.show_not_enabled"),
                    };
                    trf(
                        "schedule.show_task",
                        &[("name", &schedule::TASK_NAME), ("state", &state)],
                    )
                }
            };
            crate::report::out(&title);
            for p in &f.files {
                crate::report::out(&trf("schedule.show_file", &[("path", &p.display())]));
            }
            match &f.command {
                Some(c) => crate::report::out(&trf("schedule.show_runs", &[("command", c)])),
                None => crate::report::out(tr("schedule.show_runs_unknown")),
            }
            if b == schedule::Backend::Launchd {
                let log = host.places.log_file.display();
                crate::report::out(&trf("schedule.show_log", &[("path", &log)]));
            }
        }
        items.push(ShownJson::of(b, f));
    }
    if cfg.output == Output::Json {
        crate::report::json(&items);
    } else if items.is_empty() {
        crate::report::out(tr("schedule.none"));
    }
    Ok(if items.is_empty() {
        Exit::NothingToDo
    } else {
        Exit::Ok
    })
}

fn remove(cfg: &Config, host: &Host, a: &RemoveArgs) -> anyhow::Result<Exit> {
    let mut removed: Vec<PathBuf> = Vec::new();
    let mut advice: Vec<String> = Vec::new();
    let mut refused = false;
    for b in backends(a.backend.map(Into::into)) {
        let f = host::find(host, b)?;
        warn_foreign(&f);
        refused |= !f.foreign.is_empty();
        match b {
            schedule::Backend::Cron => {
                if f.command.is_some() {
                    advice.push(trf("schedule.cron_remove", &[("marker", &MARKER)]));
                }
                continue;
            }
            _ if f.files.is_empty() => continue,
            _ => {}
        }
        let mut done = host::uninstall(host, b, &f, a.disable)?;
        removed.append(&mut done.removed);
        advice.append(&mut done.advice);
    }
    if cfg.output == Output::Json {
        crate::report::json(&RemovedJson {
            advice: &advice,
            removed: &removed,
        });
    } else {
        for p in &removed {
            crate::report::out(&trf("schedule.removed", &[("path", &p.display())]));
        }
        for line in &advice {
            crate::report::out(line);
        }
        if removed.is_empty() && advice.is_empty() && !refused {
            crate::report::out(tr("schedule.none"));
        }
    }
    Ok(if !removed.is_empty() || !advice.is_empty() {
        Exit::Ok
    } else if refused {
        Exit::Refused
    } else {
        Exit::NothingToDo
    })
}

// ---------------------------------------------------------------------------
// `--output json` (README "JSON output"; golden files in tests/golden/).
// Fields are in alphabetical order: the order these documents have always
// had (they were built as `serde_json::Value` maps, which sort their keys).

/// `schedule install` for systemd or launchd.
#[derive(Debug, Serialize)]
struct InstalledJson<'a> {
    backend: &'static str,
    command: Vec<String>,
    enabled: bool,
    files: Vec<FileJson<'a>>,
    /// Only launchd's job writes a log file keyturn names.
    log: Option<&'a Path>,
    start: String,
}

/// A file `install` wrote (`state`: `wrote`, `unchanged` or `updated`).
#[derive(Debug, Serialize)]
struct FileJson<'a> {
    path: &'a Path,
    state: &'a str,
}

impl<'a> InstalledJson<'a> {
    fn of(
        job: &Job,
        backend: schedule::Backend,
        places: &'a schedule::Places,
        files: &'a [(PathBuf, String)],
        states: &'a [&str],
        enabled: bool,
    ) -> InstalledJson<'a> {
        InstalledJson {
            backend: backend.name(),
            command: job.argv(),
            enabled,
            files: files
                .iter()
                .zip(states)
                .map(|((path, _), state)| FileJson { path, state })
                .collect(),
            log: (backend == schedule::Backend::Launchd).then_some(places.log_file.as_path()),
            start: start_commands(backend, places),
        }
    }
}

/// `schedule install --backend cron`: the line to add to the crontab.
#[derive(Debug, Serialize)]
struct CronJson<'a> {
    backend: &'static str,
    command: Vec<String>,
    crontab_line: String,
    log: &'a Path,
}

impl<'a> CronJson<'a> {
    fn of(job: &Job, crontab_line: String, log: &'a Path) -> CronJson<'a> {
        CronJson {
            backend: schedule::Backend::Cron.name(),
            command: job.argv(),
            crontab_line,
            log,
        }
    }
}

/// One installed job `schedule show` found.
#[derive(Debug, Serialize)]
struct ShownJson {
    backend: &'static str,
    command: Option<String>,
    enabled: Option<bool>,
    files: Vec<PathBuf>,
}

impl ShownJson {
    fn of(backend: schedule::Backend, f: Found) -> ShownJson {
        ShownJson {
            backend: backend.name(),
            command: f.command,
            enabled: f.enabled,
            files: f.files,
        }
    }
}

/// `schedule remove`: what it deleted and what the user still has to do.
#[derive(Debug, Serialize)]
struct RemovedJson<'a> {
    advice: &'a [String],
    removed: &'a [PathBuf],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_flags_name_the_domain_backends() {
        for (flag, b) in [
            (Backend::Systemd, schedule::Backend::Systemd),
            (Backend::Launchd, schedule::Backend::Launchd),
            (Backend::Cron, schedule::Backend::Cron),
        ] {
            assert_eq!(schedule::Backend::from(flag), b);
        }
    }

    fn job() -> Job {
        let targets = schedule::Targets::Profiles(vec!["dev".into(), "prod".into()]);
        let exe = Path::new("/opt/key turn/bin/keyturn");
        let config = Path::new("/work/aws/config");
        let day = std::time::Duration::from_secs(schedule::DAY);
        Job::new(exe, 90 * day, targets, None, Some(config)).unwrap()
    }

    fn places() -> schedule::Places {
        schedule::Places::new(Path::new("/home/u"), None, None)
    }

    /// `install` of each backend that writes files, and of cron.
    #[test]
    fn install_json_matches_its_golden_files() {
        let (job, places) = (job(), places());
        for (backend, name, states) in [
            (
                schedule::Backend::Systemd,
                "systemd",
                &["wrote", "unchanged"][..],
            ),
            (schedule::Backend::Launchd, "launchd", &["updated"][..]),
        ] {
            let files = host::unit_files(backend, &job, &places).unwrap();
            let doc = InstalledJson::of(&job, backend, &places, &files, states, name == "systemd");
            let text = crate::report::json_text(&doc);
            crate::report::assert_golden(&format!("schedule-install-{name}.json"), &text);
        }
        let line = cron_line(&job, &places.log_file).unwrap();
        let text = crate::report::json_text(&CronJson::of(&job, line, &places.log_file));
        crate::report::assert_golden("schedule-install-cron.json", &text);
    }

    #[test]
    fn show_and_remove_json_match_their_golden_files() {
        let places = places();
        let systemd = Found {
            files: vec![places.service(), places.timer()],
            foreign: vec![],
            command: Some(job().argv().join(" ")),
            enabled: Some(true),
        };
        let cron = Found {
            files: vec![],
            foreign: vec![],
            command: None,
            enabled: None,
        };
        let shown = vec![
            ShownJson::of(schedule::Backend::Systemd, systemd),
            ShownJson::of(schedule::Backend::Cron, cron),
        ];
        let text = crate::report::json_text(&shown);
        crate::report::assert_golden("schedule-show.json", &text);
        let removed = [places.service(), places.timer()];
        let advice = [trf("schedule.cron_remove", &[("marker", &MARKER)])];
        let doc = RemovedJson {
            advice: &advice,
            removed: &removed,
        };
        let text = crate::report::json_text(&doc);
        crate::report::assert_golden("schedule-remove.json", &text);
    }

    fn all_job() -> Job {
        let day = std::time::Duration::from_secs(schedule::DAY);
        let exe = Path::new("/opt/key turn/bin/keyturn");
        Job::new(exe, 60 * day, schedule::Targets::All, None, None).unwrap()
    }

    /// The generated command line is one the real `rotate` accepts.
    #[test]
    fn argv_parses_as_rotate() {
        use crate::cmd::Cli;
        use crate::cmd::Command as Sub;
        use clap::Parser;
        use schedule::{Targets, DAY};
        use std::time::Duration;
        let parse = |j: &Job| {
            let argv = j.argv();
            let cli = Cli::try_parse_from(
                std::iter::once("keyturn").chain(argv[1..].iter().map(|s| s.as_str())),
            )
            .unwrap();
            let Sub::Rotate(a) = cli.command else {
                panic!("not rotate: {argv:?}")
            };
            (a.all, a.max_age, a.profiles, cli.global.credentials_file)
        };
        assert_eq!(parse(&all_job()), (true, Some("60d".into()), vec![], None));
        let j = Job::new(
            Path::new("/bin/keyturn"),
            Duration::from_secs(DAY),
            Targets::Profiles(vec!["-x".into(), "my prof".into()]),
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
}
