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
//! - [`hooks`]: running the hooks the settings file defines.
//! - [`home`]: where a profile's key lives ([`home::KeyHome`]: the
//!   credentials/config files, or an aws-vault/granted keyring item via
//!   [`keystore`]); the rotation reaches keys only so.
//! - [`status`], [`schedule`]: `status`'s lines and table, `schedule`'s
//!   unit files and host interaction; [`util`]: time, quoting, jitter.
//! - [`dest`]: the other places a key is used (a `.env` file, a secret
//!   store, CI secrets), one module per type behind [`dest::Destination`].
//! - [`rotate`]: the rotation state machine and its persisted journal.
//! - [`cli`] and [`cmd`]: the top-level parser and one file per
//!   subcommand (its `Args`, a pure `validate`, `run`); [`help`]: help and
//!   usage errors in the user's language.
//! - [`env`]: every environment read, captured once; [`settings`]: the
//!   settings file; [`duration`]: durations as typed and the flags' bounds.
//! - [`exit`]: the exit codes, decided only there; [`report`]: the only
//!   writer of `error:`/`warning:`/`note:` and of JSON output.
//! - [`i18n`]: the one catalogue of messages, in English and Japanese.
//! - [`term`]: file-derived text made safe to print; [`signals`]: cleanup
//!   on SIGINT/SIGTERM.
//! - [`version`]: what `--version` says (version, commit, target, features).

pub mod audit;
pub mod aws;
pub mod cli;
pub mod cmd;
pub mod dest;
pub mod drain;
pub mod duration;
pub mod env;
pub mod exit;
pub mod help;
pub mod home;
pub mod hooks;
pub mod http;
pub mod i18n;
pub mod ini;
pub mod keystore;
pub mod managed;
pub mod platform;
pub mod profile;
pub mod report;
pub mod retire;
pub mod rotate;
pub mod schedule;
pub mod sdk;
pub mod secret;
pub mod settings;
pub mod signals;
pub mod status;
pub mod store;
pub mod term;
#[cfg(test)]
pub(crate) mod testing;
pub mod ui;
pub mod util;
pub mod version;
