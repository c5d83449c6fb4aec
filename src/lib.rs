//! keyturn: rotate AWS IAM user access keys in one command, safely enough
//! to run unattended.
//!
//! Layout (CLI wiring apart from the credential domain, as in aws-vault):
//! - [`ini`]: pure, lossless model of the shared credentials/config files.
//! - [`profile`]: where a profile's key pair lives, or why it can't rotate.
//! - [`store`]: every file-system effect (lock, backup, atomic write,
//!   journal files).
//! - [`aws`] + [`sdk`]: every AWS call, behind the [`aws::Aws`] and
//!   [`aws::AuditAws`] traits, implemented with the AWS SDK for Rust.
//! - [`audit`]: the account audit rules and their outputs (pure).
//! - [`hooks`]: the settings file and the hooks it defines.
//! - [`home`]: where a profile's key lives ([`home::KeyHome`]; the
//!   credentials/config files today); the rotation reaches keys only so.
//! - [`rotate`]: the rotation state machine and its persisted journal.
//! - [`cli`] and [`cmd`]: argument parsing and one file per subcommand;
//!   [`help`]: help and usage errors in the user's language.
//! - [`i18n`]: the one catalogue of messages, in English and Japanese.
//! - [`term`]: file-derived text made safe to print; [`signals`]: cleanup
//!   on SIGINT/SIGTERM.

pub mod audit;
pub mod aws;
pub mod cli;
pub mod cmd;
pub mod help;
pub mod home;
pub mod hooks;
pub mod i18n;
pub mod ini;
pub mod keystore;
pub mod profile;
pub mod rotate;
pub mod sdk;
pub mod secret;
pub mod signals;
pub mod store;
pub mod term;
#[cfg(test)]
pub(crate) mod testing;
pub mod ui;

use cli::{exit, Cli, Config, Env, Job, UsageError};

/// Runs one command line. Returns the exit code for outcomes the command
/// reports itself; an `Err` is printed by `main` as `error: ...`.
pub fn run(cli: Cli, env: Env) -> anyhow::Result<u8> {
    // First, so that even a usage error speaks the user's language.
    i18n::set(cli.lang.unwrap_or_else(|| env.lang()));
    let cfg = Config::from_cli(cli, &env)?;
    // A file named on the command line must exist; the default paths (and
    // the variables, as in botocore) may be absent.
    if matches!(
        cfg.job,
        Job::Rotate { .. } | Job::Recover { .. } | Job::Status(_) | Job::Audit(_)
    ) {
        for (flag, path) in &cfg.named_files {
            if std::fs::symlink_metadata(path).is_err() {
                return Err(UsageError(i18n::trf(
                    "usage.file_missing",
                    &[("flag", flag), ("path", &path.display())],
                ))
                .into());
            }
        }
    }
    // Offline jobs need no runtime.
    match &cfg.job {
        Job::Schedule(args) => return cmd::schedule::run(&cfg, args),
        Job::Completions(args) => return cmd::shell::completions(args),
        Job::Man => return cmd::shell::man(),
        _ => {}
    }
    // SIGINT/SIGTERM remove our temp files and kill hook groups first.
    signals::install();
    // One current-thread runtime for the whole run: keyturn waits on the
    // network, it does not need cores.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        match &cfg.job {
            Job::Rotate {
                profiles,
                all,
                settings,
            } => cmd::rotate::run(&cfg, profiles, *all, settings).await,
            Job::Recover { settings } => cmd::recover::run(&cfg, settings).await,
            Job::Status(args) => cmd::status::run(&cfg, args).await,
            Job::Audit(args) => cmd::audit::run(&cfg, args).await,
            Job::Schedule(_) | Job::Completions(_) | Job::Man => Ok(exit::OK),
        }
    })
}

/// The exit code for an error that reached `main`.
pub fn exit_code_of(err: &anyhow::Error) -> u8 {
    if err.downcast_ref::<UsageError>().is_some() {
        exit::USAGE
    } else if err
        .downcast_ref::<rotate::RotateError>()
        .is_some_and(|e| e.nothing_changed())
    {
        exit::REFUSED
    } else {
        exit::FAILURE
    }
}
