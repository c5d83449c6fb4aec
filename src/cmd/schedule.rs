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
use serde_json::{json, Value};
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

impl From<Backend> for schedule::Backend {
    fn from(b: Backend) -> schedule::Backend {
        match b {
            Backend::Systemd => schedule::Backend::Systemd,
            Backend::Launchd => schedule::Backend::Launchd,
            Backend::Cron => schedule::Backend::Cron,
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
            println!("{}", tr("schedule.enabled_now"));
        }
    }
    Ok(Exit::Ok)
}

/// The job the arguments ask for.
fn job(cfg: &Config, host: &Host, a: &InstallArgs) -> anyhow::Result<Job> {
    let max_age = parse_duration(&a.every)?;
    let targets = if a.all {
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
    Ok(Job::new(&exe, max_age, targets, creds.as_deref(), config.as_deref()).map_err(usage)?)
}

/// cron: the line alone on stdout (keyturn never edits the crontab).
fn print_cron(cfg: &Config, job: &Job, log: &Path) -> anyhow::Result<Exit> {
    let line = cron_line(job, log).map_err(usage)?;
    if cfg.output == Output::Json {
        print_json(&json!({
            "backend": "cron",
            "crontab_line": line,
            "command": job.argv(),
            "log": log,
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
                    ("log", &log.display()),
                ],
            )
        );
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
    let start = start_commands(backend, &places.launchd_plist);
    if cfg.output == Output::Json {
        print_json(&json!({
            "backend": backend.name(),
            "files": files.iter().zip(states).map(|((p, _), s)| json!({"path": p, "state": s})).collect::<Vec<_>>(),
            "command": job.argv(),
            "log": (backend == schedule::Backend::Launchd).then_some(&places.log_file),
            "start": start,
            "enabled": a.enable,
        }));
    } else {
        for ((path, _), state) in files.iter().zip(states) {
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
            schedule::Backend::Systemd => tr("schedule.journal").to_owned(),
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
        if backend == schedule::Backend::Systemd {
            println!("{}", tr("schedule.linger"));
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
            };
            println!("{title}");
            for p in &f.files {
                println!("{}", trf("schedule.show_file", &[("path", &p.display())]));
            }
            match &f.command {
                Some(c) => println!("{}", trf("schedule.show_runs", &[("command", c)])),
                None => println!("{}", tr("schedule.show_runs_unknown")),
            }
            if b == schedule::Backend::Launchd {
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
        Exit::Ok
    } else if refused {
        Exit::Refused
    } else {
        Exit::NothingToDo
    })
}

fn print_json(v: &Value) {
    crate::report::json(v);
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
}
