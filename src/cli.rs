//! The command line, as clap derive types, and its validation into a
//! [`Config`] by one pure function ([`Config::from_cli`]): no environment,
//! terminal or file is consulted here except through [`Env`].
//!
//! Messages come from [`crate::i18n`]; clap's own help and usage output
//! (the doc comments below, [`AFTER_HELP`]) stays English.

use crate::i18n::{tr, trf, Lang};
use crate::rotate::{Paths, Retire, Settings};
use crate::sdk::Endpoint;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

/// Documented exit codes.
pub mod exit {
    pub const OK: u8 = 0;
    pub const FAILURE: u8 = 1;
    pub const USAGE: u8 = 2;
    /// Refused before changing anything (bad profile, two keys, ...).
    pub const REFUSED: u8 = 3;
    /// `keyturn audit` found stale keys.
    pub const FINDINGS: u8 = 4;
    /// Nothing to do (e.g. every key is younger than --max-age).
    pub const NOTHING_TO_DO: u8 = 5;
}

/// Reference text under `--help`, kept English in every language like the
/// rest of clap's help: it documents flags, variables and exit codes that
/// are the same words everywhere, and the man page is built from it.
const AFTER_HELP: &str = "\
Examples:
  keyturn rotate                       rotate the AWS CLI's profile (below)
  keyturn rotate dev prod              rotate two profiles
  keyturn --profile dev rotate         --profile before or after the subcommand
  keyturn rotate --dry-run             show the plan, change nothing
  keyturn rotate --retire deactivate   keep the old key, Inactive
  keyturn recover                      finish or undo interrupted rotations

Exit codes:
  0  success
  1  failure (the message says what state things are in)
  2  usage error
  3  refused: nothing was changed (a bad profile, or AWS said no before
     any change: a dead key, AccessDenied, LimitExceeded)
  4  audit found stale keys
  5  nothing to do (`status`: no profile in either file)
  `status` exits 1 when a named profile is missing or a key could not be
  checked (network, AWS error).

Profile: --profile, else AWS_DEFAULT_PROFILE or AWS_PROFILE (refused, exit 2,
when both are set and differ: the AWS CLI reads the first, other SDKs the
second), else `default`.

Environment: AWS_PROFILE, AWS_DEFAULT_PROFILE, AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE,
AWS_ENDPOINT_URL, AWS_CA_BUNDLE, HTTPS_PROXY/NO_PROXY. keyturn always signs
with the profile's own key, never with AWS_ACCESS_KEY_ID.";

#[derive(Debug, Parser)]
#[command(name = "keyturn", version, about = "Rotate AWS IAM user access keys safely, in one command", after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Shared credentials file [env: AWS_SHARED_CREDENTIALS_FILE] [default: ~/.aws/credentials]
    #[arg(long, global = true, value_name = "PATH")]
    pub credentials_file: Option<PathBuf>,

    /// Shared config file [env: AWS_CONFIG_FILE] [default: ~/.aws/config]
    #[arg(long, global = true, value_name = "PATH")]
    pub config_file: Option<PathBuf>,

    /// Send IAM and STS requests here (an emulator) [env: AWS_ENDPOINT_URL]
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Seconds a request waits for AWS's answer before it is retried or fails (0: no limit) [default: 20]
    #[arg(long, global = true, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub cli_read_timeout: Option<u64>,

    /// Profile to use (repeatable where a command takes several) [env: AWS_DEFAULT_PROFILE, AWS_PROFILE] [default: `default`]
    #[arg(long = "profile", global = true, value_name = "PROFILE")]
    pub profile: Vec<String>,

    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = Output::Text)]
    pub output: Output,

    /// More detail on stderr (never secrets)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Language of messages [default: from LC_ALL, LC_MESSAGES or LANG; `ja*` is Japanese]
    #[arg(long, global = true, value_enum)]
    pub lang: Option<Lang>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Text,
    Json,
    /// CSV (`audit` only)
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Rotate the access key of one or more profiles
    #[command(after_help = AFTER_HELP)]
    Rotate(RotateArgs),
    /// Finish or undo rotations a crash interrupted, starting no new ones
    Recover(CommonArgs),
    /// Show every profile's key: age, user, last use, pending rotations
    Status(crate::cmd::status::StatusArgs),
    /// Check a whole account (or many) for stale access keys
    Audit(crate::cmd::audit::AuditArgs),
    /// Install, show or remove a periodic rotation (systemd, launchd, cron)
    Schedule(crate::cmd::schedule::ScheduleArgs),
    /// Print shell completions
    Completions(crate::cmd::shell::CompletionsArgs),
    /// Print the man page
    Man,
}

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

#[derive(Debug, clap::Args)]
pub struct RotateArgs {
    /// Profiles to rotate (or --profile) [default: AWS_DEFAULT_PROFILE or AWS_PROFILE, else `default`]
    #[arg(value_name = "PROFILE")]
    pub profiles: Vec<String>,

    /// Every profile of both files; those that cannot rotate are skipped
    #[arg(long, conflicts_with = "profiles")]
    pub all: bool,

    /// Rotate only keys older than this, e.g. 60d (else: "fresh", exit 5)
    #[arg(long, value_name = "DURATION")]
    pub max_age: Option<String>,

    /// IAM users rotated at once [default: 4]
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,

    /// What to do with the old key once the new one works [default: delete]
    #[arg(long, value_enum)]
    pub retire: Option<Retire>,

    /// If a hook fails: keep the old key (stop) or undo (rollback) [default: stop]
    #[arg(long, value_enum)]
    pub on_hook_failure: Option<crate::rotate::OnHookFailure>,

    /// Only finish interrupted rotations of these profiles; start none
    #[arg(long)]
    pub resume: bool,

    /// Consecutive successful checks that prove the new key
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub verify_count: u32,

    /// Delete a second, Inactive key without asking
    #[arg(short, long)]
    pub yes: bool,

    /// Delete a second, Active key to make room (shows its last use)
    #[arg(long)]
    pub delete_other_active: bool,

    /// Only read: print what would be created, retired and rewritten
    #[arg(long)]
    pub dry_run: bool,

    /// Rewrite only the named profile, not other profiles sharing its key
    #[arg(long)]
    pub only_named: bool,

    #[command(flatten)]
    pub common: CommonArgs,
}

/// What the environment contributes, captured once by `main`.
#[derive(Clone, Debug, Default)]
pub struct Env {
    pub home: Option<PathBuf>,
    pub aws_profile: Option<String>,
    pub aws_default_profile: Option<String>,
    pub credentials_file: Option<PathBuf>,
    pub config_file: Option<PathBuf>,
    pub endpoint_url: Option<String>,
    pub ca_bundle: Option<PathBuf>,
    pub stdin_is_tty: bool,
    pub stderr_is_tty: bool,
    /// `NO_COLOR` set (any value) or `TERM=dumb`: no spinner, no colour.
    pub plain_terminal: bool,
    /// The settings file's path and text, if it exists.
    pub settings: Option<(PathBuf, String)>,
    /// Why the settings file (or its folder) cannot be trusted, if so:
    /// another user could put hooks in it (see [`crate::hooks::settings_trust`]).
    pub settings_untrusted: Option<String>,
    /// `LC_ALL`, `LC_MESSAGES`, `LANGUAGE` and `LANG`, which choose the
    /// language.
    pub lc_all: Option<String>,
    pub lc_messages: Option<String>,
    pub language: Option<String>,
    pub lang: Option<String>,
}

impl Env {
    pub fn from_process() -> Env {
        use std::io::IsTerminal;
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        let settings = crate::hooks::settings_path(
            var("XDG_CONFIG_HOME").map(PathBuf::from).as_deref(),
            var("HOME").map(PathBuf::from).as_deref(),
        );
        Env {
            home: var("HOME").map(PathBuf::from),
            // Set but empty is not unset: botocore then looks for a
            // profile named "" (and fails), so keyturn must not pick one.
            aws_profile: std::env::var_os("AWS_PROFILE").map(|v| v.to_string_lossy().into_owned()),
            aws_default_profile: std::env::var_os("AWS_DEFAULT_PROFILE")
                .map(|v| v.to_string_lossy().into_owned()),
            credentials_file: var("AWS_SHARED_CREDENTIALS_FILE").map(PathBuf::from),
            config_file: var("AWS_CONFIG_FILE").map(PathBuf::from),
            endpoint_url: var("AWS_ENDPOINT_URL").map(|v| v.to_string_lossy().into_owned()),
            ca_bundle: var("AWS_CA_BUNDLE").map(PathBuf::from),
            stdin_is_tty: std::io::stdin().is_terminal(),
            stderr_is_tty: std::io::stderr().is_terminal(),
            plain_terminal: var("NO_COLOR").is_some()
                || std::env::var_os("TERM").is_some_and(|t| t == "dumb"),
            settings: settings
                .as_ref()
                .and_then(|p| std::fs::read_to_string(p).ok().map(|t| (p.clone(), t))),
            settings_untrusted: settings
                .as_deref()
                .and_then(|p| crate::hooks::settings_trust(p).err()),
            lc_all: var("LC_ALL").map(|v| v.to_string_lossy().into_owned()),
            lc_messages: var("LC_MESSAGES").map(|v| v.to_string_lossy().into_owned()),
            language: var("LANGUAGE").map(|v| v.to_string_lossy().into_owned()),
            lang: var("LANG").map(|v| v.to_string_lossy().into_owned()),
        }
    }

    /// The language the locale variables ask for (`--lang` overrides it).
    pub fn lang(&self) -> Lang {
        crate::i18n::detect(
            self.lc_all.as_deref(),
            self.lc_messages.as_deref(),
            self.language.as_deref(),
            self.lang.as_deref(),
        )
    }
}

/// A validated run.
#[derive(Debug)]
pub struct Config {
    pub job: Job,
    pub paths: Paths,
    /// Files named by `--credentials-file`/`--config-file` (flag, path):
    /// unlike the AWS CLI's defaults, these must exist.
    pub named_files: Vec<(&'static str, PathBuf)>,
    pub endpoint: Endpoint,
    pub output: Output,
    pub verbose: u8,
    pub spinner: bool,
}

#[derive(Debug)]
pub enum Job {
    Rotate {
        profiles: Vec<String>,
        all: bool,
        settings: Settings,
    },
    Recover {
        settings: Settings,
    },
    Status(crate::cmd::status::StatusArgs),
    Audit(crate::cmd::audit::AuditArgs),
    Schedule(crate::cmd::schedule::ScheduleArgs),
    Completions(crate::cmd::shell::CompletionsArgs),
    Man,
}

/// Wrong arguments: exit code 2, nothing touched.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The longest verification or hook timeout: anything longer is a typo,
/// and bounding it keeps every `Instant + timeout` far from overflow.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(30 * 86_400);
/// The longest `--max-age` (100 years).
pub const MAX_AGE: Duration = Duration::from_secs(36_500 * 86_400);
/// Upper bounds of the numeric flags.
pub const MAX_JOBS: usize = 256;
pub const MAX_VERIFY_COUNT: u32 = 1000;
pub const MAX_KEEP_BACKUPS: usize = 100_000;

/// [`parse_duration`], refused above `max` (a usage error naming `what`).
pub fn parse_duration_max(s: &str, what: &str, max: Duration) -> Result<Duration, UsageError> {
    let d = parse_duration(s)?;
    if d > max {
        return Err(too_large(
            what,
            &s.trim(),
            &format!("{}d", max.as_secs() / 86_400),
        ));
    }
    Ok(d)
}

fn too_large(what: &str, value: &dyn std::fmt::Display, max: &dyn std::fmt::Display) -> UsageError {
    UsageError(trf(
        "usage.too_large",
        &[("what", &what), ("value", value), ("max", max)],
    ))
}

/// `90s`, `2m`, `12h`, `60d`, or plain seconds.
pub fn parse_duration(s: &str) -> Result<Duration, UsageError> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| UsageError(trf("usage.not_a_duration", &[("value", &s)])))?;
    let mult = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(UsageError(trf(
                "usage.unknown_unit",
                &[("value", &s), ("unit", &unit)],
            )))
        }
    };
    n.checked_mul(mult)
        .map(Duration::from_secs)
        .ok_or_else(|| UsageError(trf("usage.too_long", &[("value", &s)])))
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

impl Config {
    pub fn from_cli(cli: Cli, env: &Env) -> Result<Config, UsageError> {
        let home = || {
            env.home
                .clone()
                .ok_or_else(|| UsageError(tr("usage.no_home").into()))
        };
        let named_files: Vec<(&'static str, PathBuf)> = [
            ("--credentials-file", &cli.credentials_file),
            ("--config-file", &cli.config_file),
        ]
        .into_iter()
        .filter_map(|(flag, p)| p.clone().map(|p| (flag, expand_tilde(p, env))))
        .collect();
        let credentials = match cli
            .credentials_file
            .or_else(|| env.credentials_file.clone())
        {
            Some(p) => expand_tilde(p, env),
            None => home()?.join(".aws").join("credentials"),
        };
        let config = match cli.config_file.or_else(|| env.config_file.clone()) {
            Some(p) => expand_tilde(p, env),
            None => home()?.join(".aws").join("config"),
        };
        let endpoint_from = match (&cli.endpoint_url, &env.endpoint_url) {
            (Some(_), _) => Some("--endpoint-url"),
            (None, Some(_)) => Some("AWS_ENDPOINT_URL"),
            (None, None) => None,
        };
        let endpoint_url = cli.endpoint_url.or_else(|| env.endpoint_url.clone());
        if let Some(u) = &endpoint_url {
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                return Err(UsageError(trf("usage.endpoint_scheme", &[("url", u)])));
            }
        }
        if let Some(refusal) = &env.settings_untrusted {
            return Err(UsageError(refusal.clone()));
        }
        let file = match &env.settings {
            Some((path, text)) => {
                let f = crate::hooks::parse_settings(path, text)
                    .map_err(|e| UsageError(e.to_string()))?;
                let hooks = crate::hooks::validate_hooks(path, &f.hooks)
                    .map_err(|e| UsageError(e.to_string()))?;
                Some((f.defaults, hooks))
            }
            None => None,
        };
        let defaults = file.as_ref().map(|(d, _)| d);
        let settings = |c: &CommonArgs| -> Result<Settings, UsageError> {
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
                hooks: file.as_ref().map(|(_, h)| h.clone()).unwrap_or_default(),
                on_hook_failure: defaults.and_then(|d| d.on_hook_failure).unwrap_or_default(),
                jobs: defaults.and_then(|d| d.jobs).unwrap_or(4),
                retire: defaults.and_then(|d| d.retire).unwrap_or(Retire::Delete),
                ..Settings::default()
            })
        };
        // `--output csv` only where CSV is produced, `--profile` only where
        // a profile is chosen: anything else would be silently ignored.
        let (takes_profile, writes_csv, name) = match &cli.command {
            Command::Rotate(_) => (true, false, "rotate"),
            Command::Recover(_) => (false, false, "recover"),
            Command::Status(_) => (true, false, "status"),
            Command::Audit(_) => (true, true, "audit"),
            Command::Schedule(s) => (
                matches!(s.action, crate::cmd::schedule::Action::Install(_)),
                false,
                "schedule",
            ),
            Command::Completions(_) => (false, false, "completions"),
            Command::Man => (false, false, "man"),
        };
        if cli.output == Output::Csv && !writes_csv {
            return Err(UsageError(trf("usage.csv_not_here", &[("command", &name)])));
        }
        if !cli.profile.is_empty() && !takes_profile {
            return Err(UsageError(trf(
                "usage.profile_not_here",
                &[("command", &name)],
            )));
        }
        // The one profile used when none is named: checked lazily, so that
        // conflicting variables only matter where they would choose.
        let chosen = || -> Result<Vec<String>, UsageError> {
            choose_profile(
                None,
                env.aws_default_profile.as_deref(),
                env.aws_profile.as_deref(),
            )
            .map(|(p, _)| vec![p])
        };
        let job = match cli.command {
            Command::Rotate(a) => {
                let mut profiles: Vec<String> = a.profiles.into_iter().chain(cli.profile).collect();
                if a.all && !profiles.is_empty() {
                    return Err(UsageError(tr("usage.all_and_profiles").into()));
                }
                if profiles.is_empty() && !a.all {
                    profiles = chosen()?;
                }
                let mut seen = std::collections::HashSet::new();
                profiles.retain(|p| seen.insert(p.clone()));
                if a.verify_count == 0 {
                    return Err(UsageError(tr("usage.verify_count_zero").into()));
                }
                if a.jobs == Some(0) {
                    return Err(UsageError(tr("usage.jobs_zero").into()));
                }
                if a.verify_count > MAX_VERIFY_COUNT {
                    return Err(too_large(
                        "--verify-count",
                        &a.verify_count,
                        &MAX_VERIFY_COUNT,
                    ));
                }
                if let Some(j) = a.jobs.filter(|j| *j > MAX_JOBS) {
                    return Err(too_large("--jobs", &j, &MAX_JOBS));
                }
                let max_age = match a
                    .max_age
                    .as_deref()
                    .or(defaults.and_then(|d| d.max_age.as_deref()))
                {
                    Some(m) => Some(parse_duration_max(m, "--max-age", MAX_AGE)?),
                    None => None,
                };
                let base = settings(&a.common)?;
                Job::Rotate {
                    profiles,
                    all: a.all,
                    settings: Settings {
                        retire: a.retire.unwrap_or(base.retire),
                        verify_successes: a.verify_count,
                        yes: a.yes,
                        delete_other_active: a.delete_other_active,
                        dry_run: a.dry_run,
                        update_shared: !a.only_named,
                        max_age,
                        jobs: a.jobs.unwrap_or(base.jobs),
                        on_hook_failure: a.on_hook_failure.unwrap_or(base.on_hook_failure),
                        resume_only: a.resume,
                        skip_unrotatable: a.all,
                        ..base
                    },
                }
            }
            Command::Recover(c) => Job::Recover {
                settings: settings(&c)?,
            },
            Command::Status(mut a) => {
                // Without names `status` shows every profile; the
                // variables choose nothing here.
                a.profiles.extend(cli.profile);
                Job::Status(a)
            }
            Command::Audit(mut a) => {
                a.profiles = match cli.profile {
                    p if p.is_empty() => chosen()?,
                    p => p,
                };
                Job::Audit(a)
            }
            Command::Schedule(mut a) => {
                if let crate::cmd::schedule::Action::Install(i) = &mut a.action {
                    i.profiles.extend(cli.profile);
                    if i.all && !i.profiles.is_empty() {
                        return Err(UsageError(tr("usage.all_and_profiles").into()));
                    }
                    if i.profiles.is_empty() && !i.all {
                        // Fixed now: the job's environment has no profile
                        // variables of its own.
                        i.profiles = chosen()?;
                    }
                }
                Job::Schedule(a)
            }
            Command::Completions(a) => Job::Completions(a),
            Command::Man => Job::Man,
        };
        Ok(Config {
            job,
            paths: Paths {
                credentials,
                config,
            },
            named_files,
            endpoint: Endpoint {
                url: endpoint_url,
                url_from: endpoint_from,
                ca_bundle: env.ca_bundle.clone(),
                verbose: cli.verbose > 0,
                read_timeout: cli.cli_read_timeout.map(Duration::from_secs),
            },
            spinner: env.stderr_is_tty && !env.plain_terminal && cli.output == Output::Text,
            output: cli.output,
            verbose: cli.verbose,
        })
    }
}

fn expand_tilde(p: PathBuf, env: &Env) -> PathBuf {
    match (p.strip_prefix("~"), &env.home) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(args: &[&str], env: &Env) -> Result<Config, UsageError> {
        let cli =
            Cli::try_parse_from(std::iter::once("keyturn").chain(args.iter().copied())).unwrap();
        Config::from_cli(cli, env)
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
        let Job::Rotate {
            profiles, settings, ..
        } = c.job
        else {
            panic!()
        };
        assert_eq!(profiles, ["default"]);
        assert_eq!(settings.timeout, Duration::from_secs(120));
        assert_eq!(settings.verify_successes, 3);
        assert!(!settings.interactive);
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
        let Job::Rotate { profiles, .. } = c.job else {
            panic!()
        };
        assert_eq!(profiles, ["dev"]);
        let c = cfg(&["rotate", "a", "--profile", "b", "a"], &e).unwrap();
        let Job::Rotate { profiles, .. } = c.job else {
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

    #[test]
    fn lang_comes_from_the_locale_and_the_flag_parses() {
        let e = Env {
            lang: Some("ja_JP.UTF-8".into()),
            ..env()
        };
        assert_eq!(e.lang(), Lang::Ja);
        let e = Env {
            lc_all: Some("en_US.UTF-8".into()),
            ..e
        };
        assert_eq!(e.lang(), Lang::En);
        assert_eq!(env().lang(), Lang::En);
        let cli = Cli::try_parse_from(["keyturn", "status", "--lang", "ja"]).unwrap();
        assert_eq!(cli.lang, Some(Lang::Ja));
        assert!(Cli::try_parse_from(["keyturn", "--lang", "fr", "status"]).is_err());
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
            Ok(Job::Rotate { profiles, .. }) => Ok(profiles),
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
        assert!(cfg(&["audit", "--output", "csv"], &env()).is_ok());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(
            parse_duration("60d").unwrap(),
            Duration::from_secs(60 * 86_400)
        );
        assert_eq!(parse_duration("15").unwrap(), Duration::from_secs(15));
        assert!(parse_duration("1w").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("18446744073709551615d").is_err());
        assert!(parse_duration_max("30d", "t", MAX_TIMEOUT).is_ok());
        assert!(parse_duration_max("31d", "t", MAX_TIMEOUT).is_err());
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
