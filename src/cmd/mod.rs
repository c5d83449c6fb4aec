//! The command layer: one module per subcommand, each owning its clap
//! `Args`, a pure `validate` into plain options (no I/O: only the parsed
//! arguments and the captured [`Env`]) and a `run` that calls the domain
//! modules and reports through [`crate::report`]. A new subcommand is one
//! file plus one variant of [`Command`].
//!
//! Dependencies run one way: `main` → [`run`] → `cmd::<name>` → domain.
//! No domain module imports this layer or clap.

pub mod audit;
pub mod recover;
pub mod rotate;
pub mod schedule;
pub mod shell;
pub mod status;
pub mod status_managed;

use crate::cli::{GlobalArgs, Output, AFTER_HELP};
use crate::duration::{parse_duration_max, too_large, MAX_JOBS, MAX_KEEP_BACKUPS, MAX_TIMEOUT};
use crate::env::Env;
use crate::exit::{Exit, UsageError};
use crate::i18n::{self, tr, trf};
use crate::rotate::{Paths, Retire, Settings};
use crate::sdk::Endpoint;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// The whole command line: the flags every subcommand takes
/// ([`GlobalArgs`]) + the subcommand.
#[derive(Debug, Parser)]
#[command(name = "keyturn", version = crate::version::short(), about = "Rotate AWS IAM user access keys safely, in one command", after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub global: GlobalArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Rotate the access key of one or more profiles
    #[command(after_help = AFTER_HELP)]
    Rotate(rotate::Args),
    /// Finish or undo rotations a crash interrupted, starting no new ones
    Recover(recover::Args),
    /// Show every profile's key: age, user, last use, pending rotations
    Status(status::StatusArgs),
    /// Check a whole account (or many) for stale access keys
    Audit(audit::AuditArgs),
    /// Install, show or remove a periodic rotation (systemd, launchd, Task Scheduler, cron)
    Schedule(schedule::ScheduleArgs),
    /// Print shell completions
    Completions(shell::CompletionsArgs),
    /// Print the man page
    Man,
}

/// The flags `rotate` and `recover` share.
#[derive(Debug, clap::Args)]
pub struct CommonArgs {
    /// Verification timeout, e.g. 90s, 2m [default: 120s]
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,

    /// MFA code, sent only if IAM demands MFA (else asked on a terminal)
    #[arg(long, value_name = "CODE")]
    pub mfa_code: Option<String>,

    /// Backups of each file to keep
    #[arg(long, default_value_t = crate::store::DEFAULT_KEEP_BACKUPS, value_name = "N")]
    pub keep_backups: usize,
}

impl CommonArgs {
    /// The rotation settings these flags, the settings file and the
    /// terminal give; `rotate` then applies its own flags.
    pub fn settings(&self, env: &Env) -> Result<Settings, UsageError> {
        let file = env.settings_file()?;
        let defaults = file.as_ref().map(|f| &f.defaults);
        let c = self;
        let timeout = match c
            .timeout
            .as_deref()
            .or(defaults.and_then(|d| d.timeout.as_deref()))
        {
            Some(t) => parse_duration_max(t, "--timeout", MAX_TIMEOUT)?,
            None => Settings::default().timeout,
        };
        if timeout.is_zero() {
            return Err(UsageError(tr("usage.timeout_zero").into()));
        }
        if c.keep_backups > MAX_KEEP_BACKUPS {
            return Err(too_large(
                "--keep-backups",
                &c.keep_backups,
                &MAX_KEEP_BACKUPS,
            ));
        }
        if let Some(j) = defaults.and_then(|d| d.jobs).filter(|j| *j > MAX_JOBS) {
            return Err(too_large("jobs", &j, &MAX_JOBS));
        }
        Ok(Settings {
            timeout,
            interactive: env.stdin_is_tty,
            mfa_code: c.mfa_code.clone(),
            keep_backups: c.keep_backups.max(1),
            hooks: file.as_ref().map(|f| f.hooks.clone()).unwrap_or_default(),
            on_hook_failure: defaults.and_then(|d| d.on_hook_failure).unwrap_or_default(),
            jobs: defaults.and_then(|d| d.jobs).unwrap_or(4),
            retire: defaults.and_then(|d| d.retire).unwrap_or(Retire::Delete),
            retire_named: defaults.and_then(|d| d.retire).is_some(),
            keystores: env.keystore.clone().map(|env| crate::home::Keystores {
                env,
                choice: Default::default(),
                lock_wait: Settings::default().lock_wait,
            }),
            env_access_key_id: env.aws_access_key_id.clone(),
            destinations: file
                .as_ref()
                .map(|f| f.destinations.clone())
                .unwrap_or_default(),
            on_destination_failure: defaults
                .and_then(|d| d.on_destination_failure)
                .unwrap_or_default(),
            dest_env: env.dest.clone(),
            ..Settings::default()
        })
    }
}

/// What every command gets from the global flags and the environment.
#[derive(Debug)]
pub struct Config {
    pub paths: Paths,
    /// Files named by `--credentials-file`/`--config-file` (flag, path):
    /// unlike the AWS CLI's defaults, these must exist.
    pub named_files: Vec<(&'static str, PathBuf)>,
    pub endpoint: Endpoint,
    pub output: Output,
    pub verbose: u8,
    pub spinner: bool,
    /// aws-vault's and granted's settings, for `status` and `schedule`.
    pub keystore: Option<crate::keystore::settings::KeystoreEnv>,
}

impl Config {
    /// Pure: the files, the endpoint and the output of a run. Also checks
    /// the settings file, which every command refuses when untrusted.
    pub fn new(g: &GlobalArgs, env: &Env) -> Result<Config, UsageError> {
        let home = || {
            env.home
                .clone()
                .ok_or_else(|| UsageError(tr("usage.no_home").into()))
        };
        let named_files: Vec<(&'static str, PathBuf)> = [
            ("--credentials-file", &g.credentials_file),
            ("--config-file", &g.config_file),
        ]
        .into_iter()
        .filter_map(|(flag, p)| p.clone().map(|p| (flag, expand_tilde(p, env))))
        .collect();
        let credentials = match g
            .credentials_file
            .clone()
            .or_else(|| env.credentials_file.clone())
        {
            Some(p) => expand_tilde(p, env),
            None => home()?.join(".aws").join("credentials"),
        };
        let config = match g.config_file.clone().or_else(|| env.config_file.clone()) {
            Some(p) => expand_tilde(p, env),
            None => home()?.join(".aws").join("config"),
        };
        let endpoint_from = match (&g.endpoint_url, &env.endpoint_url) {
            (Some(_), _) => Some("--endpoint-url"),
            (None, Some(_)) => Some("AWS_ENDPOINT_URL"),
            (None, None) => None,
        };
        let endpoint_url = g.endpoint_url.clone().or_else(|| env.endpoint_url.clone());
        if let Some(u) = &endpoint_url {
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                return Err(UsageError(trf("usage.endpoint_scheme", &[("url", u)])));
            }
        }
        env.settings_file()?;
        Ok(Config {
            paths: Paths {
                credentials,
                config,
            },
            named_files,
            endpoint: Endpoint {
                url: endpoint_url,
                url_from: endpoint_from,
                ca_bundle: env.ca_bundle.clone(),
                verbose: g.verbose > 0,
                read_timeout: g.cli_read_timeout.map(std::time::Duration::from_secs),
            },
            spinner: env.stderr_is_tty && !env.plain_terminal && g.output == Output::Text,
            keystore: env.keystore.clone(),
            output: g.output,
            verbose: g.verbose,
        })
    }

    /// A file named on the command line must exist; the default paths (and
    /// the variables, as in botocore) may be absent.
    fn check_named_files(&self) -> Result<(), UsageError> {
        for (flag, path) in &self.named_files {
            if std::fs::symlink_metadata(path).is_err() {
                return Err(UsageError(i18n::trf(
                    "usage.file_missing",
                    &[("flag", flag), ("path", &path.display())],
                )));
            }
        }
        Ok(())
    }
}

/// What a command accepts of the global flags: `--output csv` only where
/// CSV is produced, `--profile` only where a profile is chosen; anything
/// else would be silently ignored.
pub fn accept(
    g: &GlobalArgs,
    name: &str,
    takes_profile: bool,
    writes_csv: bool,
) -> Result<(), UsageError> {
    if g.output == Output::Csv && !writes_csv {
        return Err(UsageError(trf("usage.csv_not_here", &[("command", &name)])));
    }
    if !g.profile.is_empty() && !takes_profile {
        return Err(UsageError(trf(
            "usage.profile_not_here",
            &[("command", &name)],
        )));
    }
    Ok(())
}

/// The one profile used when none is named. Called only where it would
/// choose, so that conflicting variables only matter there.
pub fn chosen_profile(env: &Env) -> Result<Vec<String>, UsageError> {
    choose_profile(
        None,
        env.aws_default_profile.as_deref(),
        env.aws_profile.as_deref(),
    )
    .map(|(p, _)| vec![p])
}

/// Where the chosen profile came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileSource {
    Flag,
    AwsDefaultProfile,
    AwsProfile,
    Default,
}

/// The profile a command without profile arguments uses: botocore's order
/// (`--profile`, `AWS_DEFAULT_PROFILE`, `AWS_PROFILE`, `default`) with one
/// safety rule. The AWS CLI reads `AWS_DEFAULT_PROFILE` first while the other
/// SDKs read only `AWS_PROFILE`, so when both are set and differ no choice
/// is the key every tool uses: refuse, and let `--profile` settle it.
/// Pure; `None` stands for an unset variable. A chosen variable that is
/// set but empty is refused: botocore would look for a profile named "".
pub fn choose_profile(
    flag: Option<&str>,
    aws_default_profile: Option<&str>,
    aws_profile: Option<&str>,
) -> Result<(String, ProfileSource), UsageError> {
    if let Some(p) = flag {
        return Ok((p.to_string(), ProfileSource::Flag));
    }
    match (aws_default_profile, aws_profile) {
        (Some(d), Some(p)) if d != p => Err(UsageError(trf(
            "usage.profile_env_conflict",
            &[("default_profile", &d), ("profile", &p)],
        ))),
        (Some(""), _) => Err(UsageError(trf(
            "usage.profile_env_empty",
            &[("variable", &"AWS_DEFAULT_PROFILE")],
        ))),
        (None, Some("")) => Err(UsageError(trf(
            "usage.profile_env_empty",
            &[("variable", &"AWS_PROFILE")],
        ))),
        (Some(d), _) => Ok((d.to_string(), ProfileSource::AwsDefaultProfile)),
        (None, Some(p)) => Ok((p.to_string(), ProfileSource::AwsProfile)),
        (None, None) => Ok(("default".to_string(), ProfileSource::Default)),
    }
}

fn expand_tilde(p: PathBuf, env: &Env) -> PathBuf {
    match (p.strip_prefix("~"), &env.home) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => p,
    }
}

/// A validated command line: each command's own options.
#[derive(Debug)]
pub enum Job {
    Rotate(rotate::Options),
    Recover(recover::Options),
    Status(status::StatusArgs),
    Audit(audit::AuditArgs),
    /// Boxed: it carries the whole [`Env`].
    Schedule(Box<schedule::Options>),
    Completions(shell::CompletionsArgs),
    Man,
}

/// Pure: the whole command line checked, in the order a user sees the
/// errors (files and endpoint, settings file, then the command's flags).
pub fn validate(cli: &Cli, env: &Env) -> Result<(Config, Job), UsageError> {
    let g = &cli.global;
    let cfg = Config::new(g, env)?;
    let job = match &cli.command {
        Command::Rotate(a) => {
            let mut o = rotate::validate(a, g, env)?;
            o.settings.dest_endpoint = cfg.endpoint.clone();
            Job::Rotate(o)
        }
        Command::Recover(a) => {
            let mut o = recover::validate(a, g, env)?;
            o.settings.dest_endpoint = cfg.endpoint.clone();
            Job::Recover(o)
        }
        Command::Status(a) => Job::Status(status::validate(a, g, env)?),
        Command::Audit(a) => Job::Audit(audit::validate(a, g, env)?),
        Command::Schedule(a) => Job::Schedule(Box::new(schedule::validate(a, g, env)?)),
        Command::Completions(a) => {
            accept(g, "completions", false, false)?;
            Job::Completions(a.clone())
        }
        Command::Man => {
            accept(g, "man", false, false)?;
            Job::Man
        }
    };
    Ok((cfg, job))
}

/// Runs one command line. An `Err` is printed by `main` as `error: ...`
/// with the code [`Exit::of_error`] gives it.
pub fn run(cli: Cli, env: Env) -> anyhow::Result<Exit> {
    // First, so that even a usage error speaks the user's language.
    i18n::set(
        cli.global
            .lang
            .map(Into::into)
            .unwrap_or_else(|| env.lang()),
    );
    let (cfg, job) = validate(&cli, &env)?;
    if matches!(
        job,
        Job::Rotate(_) | Job::Recover(_) | Job::Status(_) | Job::Audit(_)
    ) {
        cfg.check_named_files()?;
    }
    // Offline jobs need no runtime.
    match &job {
        Job::Schedule(o) => return schedule::run(&cfg, o),
        Job::Completions(a) => return shell::completions(a),
        Job::Man => return shell::man(),
        _ => {}
    }
    // SIGINT/SIGTERM remove our temp files and kill hook groups first.
    crate::signals::install();
    // One current-thread runtime for the whole run: keyturn waits on the
    // network, it does not need cores.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        match &job {
            Job::Rotate(o) => rotate::run(&cfg, o).await,
            Job::Recover(o) => recover::run(&cfg, o).await,
            Job::Status(a) => status::run(&cfg, a).await,
            Job::Audit(a) => audit::run(&cfg, a).await,
            Job::Schedule(_) | Job::Completions(_) | Job::Man => Ok(Exit::Ok),
        }
    })
}
#[cfg(test)]
mod tests {
    use super::*;

    use crate::i18n::Lang;
    use std::time::Duration;

    #[test]
    fn lang_flag_parses() {
        let cli = Cli::try_parse_from(["keyturn", "status", "--lang", "ja"]).unwrap();
        assert_eq!(cli.global.lang.map(Lang::from), Some(Lang::Ja));
        let cli = Cli::try_parse_from(["keyturn", "--lang", "en", "status"]).unwrap();
        assert_eq!(cli.global.lang.map(Lang::from), Some(Lang::En));
        assert!(Cli::try_parse_from(["keyturn", "--lang", "fr", "status"]).is_err());
    }

    /// The common part and the command's options, as `run` gets them.
    #[derive(Debug)]
    struct Checked {
        paths: Paths,
        endpoint: Endpoint,
        job: Job,
    }

    fn cfg(args: &[&str], env: &Env) -> Result<Checked, UsageError> {
        let cli =
            Cli::try_parse_from(std::iter::once("keyturn").chain(args.iter().copied())).unwrap();
        let (c, job) = validate(&cli, env)?;
        Ok(Checked {
            paths: c.paths,
            endpoint: c.endpoint,
            job,
        })
    }

    fn env() -> Env {
        Env {
            home: Some("/home/u".into()),
            ..Env::default()
        }
    }

    #[test]
    fn defaults_follow_aws_cli_conventions() {
        let c = cfg(&["rotate"], &env()).unwrap();
        assert_eq!(
            c.paths.credentials,
            PathBuf::from("/home/u/.aws/credentials")
        );
        assert_eq!(c.paths.config, PathBuf::from("/home/u/.aws/config"));
        let Job::Rotate(rotate::Options {
            profiles, settings, ..
        }) = c.job
        else {
            panic!()
        };
        assert_eq!(profiles, ["default"]);
        assert_eq!(settings.timeout, Duration::from_secs(120));
        assert_eq!(settings.verify_successes, 3);
        assert!(!settings.interactive);
    }

    /// Admin mode: `--profile` names the operator (not a key to rotate),
    /// the users come from `[[users]]`, an unknown one is a usage error
    /// saying how to add it, and the journals go under XDG_STATE_HOME.
    #[test]
    fn admin_mode_options() {
        let text = "[[destinations]]\nname = \"ci-env\"\ntype = \"dotenv\"\npath = \"/srv/.env\"\n\
                    [[users]]\nname = \"ci\"\ndestinations = [\"ci-env\"]\n[[users]]\nname = \"other\"\n";
        let e = Env {
            settings: Some(("c.toml".into(), text.into())),
            xdg_state_home: Some("/state".into()),
            aws_profile: Some("fallback".into()),
            ..env()
        };
        let c = cfg(&["rotate", "--user", "ci", "--profile", "ops"], &e).unwrap();
        let Job::Rotate(rotate::Options {
            profiles, managed, ..
        }) = c.job
        else {
            panic!()
        };
        assert!(profiles.is_empty(), "{profiles:?}");
        let m = managed.unwrap();
        assert_eq!(m.users.len(), 1);
        assert_eq!(m.users[0].spec.name, "ci");
        assert_eq!(m.operator.profile.as_deref(), Some("ops"));
        assert_eq!(m.operator.env_profile.as_deref(), Some("fallback"));
        assert_eq!(m.state_dir, PathBuf::from("/state/keyturn"));
        let c = cfg(&["rotate", "--managed"], &e).unwrap();
        let Job::Rotate(rotate::Options { managed, .. }) = c.job else {
            panic!()
        };
        assert_eq!(managed.unwrap().users.len(), 2);
        let err = cfg(&["rotate", "--user", "nobody"], &e).unwrap_err();
        assert!(
            err.0.contains("[[users]]") && err.0.contains("nobody"),
            "{}",
            err.0
        );
        assert!(cfg(
            &["rotate", "--user", "ci", "--profile", "a", "--profile", "b"],
            &e
        )
        .is_err());
    }

    #[test]
    fn environment_fills_in_and_flags_win() {
        let e = Env {
            aws_profile: Some("dev".into()),
            credentials_file: Some("~/creds".into()),
            endpoint_url: Some("http://127.0.0.1:5000".into()),
            ..env()
        };
        let c = cfg(&["rotate", "--config-file", "/x/config"], &e).unwrap();
        assert_eq!(c.paths.credentials, PathBuf::from("/home/u/creds"));
        assert_eq!(c.paths.config, PathBuf::from("/x/config"));
        assert_eq!(c.endpoint.url.as_deref(), Some("http://127.0.0.1:5000"));
        let Job::Rotate(rotate::Options { profiles, .. }) = c.job else {
            panic!()
        };
        assert_eq!(profiles, ["dev"]);
        let c = cfg(&["rotate", "a", "--profile", "b", "a"], &e).unwrap();
        let Job::Rotate(rotate::Options { profiles, .. }) = c.job else {
            panic!()
        };
        assert_eq!(profiles, ["a", "b"]);
    }

    #[test]
    fn bad_values_are_usage_errors() {
        assert!(cfg(&["rotate", "--timeout", "soon"], &env()).is_err());
        assert!(cfg(&["rotate", "--timeout", "0s"], &env()).is_err());
        assert!(cfg(&["rotate", "--verify-count", "0"], &env()).is_err());
        assert!(cfg(&["rotate", "--endpoint-url", "127.0.0.1:1"], &env()).is_err());
        assert!(cfg(&["rotate"], &Env::default()).is_err());
    }

    /// Every combination of the flag and the two variables (unset, one
    /// value, another value).
    #[test]
    fn profile_choice_follows_botocore_with_the_safety_rule() {
        use ProfileSource::*;
        let vals = [None, Some("dev"), Some("prod"), Some("")];
        for flag in vals {
            for d in vals {
                for p in vals {
                    let got = choose_profile(flag, d, p);
                    let want = match (flag, d, p) {
                        (Some(f), _, _) => Ok((f, Flag)),
                        (None, Some(d), Some(p)) if d != p => Err(()),
                        (None, Some(""), _) | (None, None, Some("")) => Err(()),
                        (None, Some(d), _) => Ok((d, AwsDefaultProfile)),
                        (None, None, Some(p)) => Ok((p, AwsProfile)),
                        (None, None, None) => Ok(("default", Default)),
                    };
                    match (got, want) {
                        (Ok((g, gs)), Ok((w, ws))) => {
                            assert_eq!((g.as_str(), gs), (w, ws), "{flag:?} {d:?} {p:?}")
                        }
                        (Err(e), Err(())) => {
                            let m = e.to_string();
                            let names = match (d, p) {
                                (Some(d), Some(p)) if d != p => [d, p, "--profile"],
                                (Some(_), _) => ["AWS_DEFAULT_PROFILE", "empty", "--profile"],
                                _ => ["AWS_PROFILE", "empty", "--profile"],
                            };
                            for needle in names {
                                assert!(m.contains(needle), "{m}");
                            }
                        }
                        (g, w) => panic!("{flag:?} {d:?} {p:?}: {g:?} vs {w:?}"),
                    }
                }
            }
        }
    }

    #[test]
    fn profile_flag_is_global_and_variables_choose_the_default() {
        let names = |args: &[&str], e: &Env| match cfg(args, e).map(|c| c.job) {
            Ok(Job::Rotate(o)) => Ok(o.profiles),
            Ok(Job::Audit(a)) => Ok(a.profiles),
            Ok(Job::Status(a)) => Ok(a.profiles),
            Ok(other) => panic!("{other:?}"),
            Err(e) => Err(e.to_string()),
        };
        let both = Env {
            aws_default_profile: Some("dev".into()),
            aws_profile: Some("prod".into()),
            ..env()
        };
        assert_eq!(names(&["--profile", "x", "rotate"], &both).unwrap(), ["x"]);
        assert_eq!(names(&["rotate", "--profile", "x"], &both).unwrap(), ["x"]);
        assert_eq!(names(&["audit", "--profile", "x"], &both).unwrap(), ["x"]);
        assert_eq!(names(&["--profile", "x", "audit"], &both).unwrap(), ["x"]);
        assert_eq!(names(&["status", "--profile", "x"], &both).unwrap(), ["x"]);
        // Named profiles need no default, so the conflict does not matter.
        assert_eq!(names(&["rotate", "a"], &both).unwrap(), ["a"]);
        // `status` without names shows every profile: nothing is chosen.
        assert!(names(&["status"], &both).unwrap().is_empty());
        for args in [&["rotate"][..], &["audit"]] {
            let err = names(args, &both).unwrap_err();
            assert!(err.contains("AWS_DEFAULT_PROFILE") && err.contains("--profile"));
        }
        let only_default = Env {
            aws_default_profile: Some("dev".into()),
            ..env()
        };
        assert_eq!(names(&["rotate"], &only_default).unwrap(), ["dev"]);
        assert_eq!(names(&["audit"], &only_default).unwrap(), ["dev"]);
        let same = Env {
            aws_profile: Some("dev".into()),
            ..only_default
        };
        assert_eq!(names(&["rotate"], &same).unwrap(), ["dev"]);
        assert!(cfg(&["--profile", "x", "recover"], &env()).is_err());
        assert!(cfg(&["rotate", "--all", "--profile", "x"], &env()).is_err());
    }

    #[test]
    fn csv_only_where_csv_is_written() {
        for cmd in ["rotate", "recover", "status"] {
            let err = cfg(&[cmd, "--output", "csv"], &env()).unwrap_err();
            assert!(err.to_string().contains("audit"), "{err}");
        }
        for args in [
            &["schedule", "show"][..],
            &["completions", "bash"],
            &["man"],
        ] {
            let args: Vec<&str> = ["--output", "csv"].iter().chain(args).copied().collect();
            let err = cfg(&args, &env()).unwrap_err();
            assert!(err.to_string().contains("audit"), "{err}");
        }
        assert!(cfg(&["audit", "--output", "csv"], &env()).is_ok());
    }

    #[test]
    fn huge_numbers_are_usage_errors() {
        for args in [
            &["rotate", "--timeout", "18446744073709551615"][..],
            &["rotate", "--timeout", "18446744073709551615d"],
            &["rotate", "--timeout", "2592001"],
            &["recover", "--timeout", "99999999999"],
            &["rotate", "--max-age", "36501d"],
            &["rotate", "--jobs", "100000"],
            &["rotate", "--verify-count", "4000000000"],
            &["rotate", "--keep-backups", "18446744073709551615"],
        ] {
            assert!(cfg(args, &env()).is_err(), "{args:?}");
        }
        assert!(cfg(&["rotate", "--timeout", "30d", "--jobs", "256"], &env()).is_ok());
        let e = Env {
            settings: Some(("c.toml".into(), "[defaults]\ntimeout = \"99999d\"\n".into())),
            ..env()
        };
        assert!(cfg(&["rotate"], &e).is_err());
        let e = Env {
            settings_untrusted: Some("bad".into()),
            ..env()
        };
        assert!(cfg(&["status"], &e).is_err());
    }
}
