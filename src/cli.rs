//! The flags every subcommand takes ([`GlobalArgs`]), the output formats
//! and the reference text under `--help`. Only clap types live here;
//! validation is each command's pure `validate` (in `crate::cmd`).
//! The whole command line (`crate::cmd::Cli`: these flags + the
//! subcommand) lives in `crate::cmd`, so that the dependency runs one
//! way, `cmd` → `cli`.
//!
//! clap's own help and usage output (the doc comments below,
//! [`AFTER_HELP`]) is English here; [`crate::help`] translates it.

use crate::i18n::Lang;
use clap::ValueEnum;
use std::path::PathBuf;

/// Reference text under `--help`, kept English in every language like the
/// rest of clap's help: it documents flags, variables and exit codes that
/// are the same words everywhere, and the man page is built from it.
pub const AFTER_HELP: &str = "\
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
  3  refused: nothing was changed (a bad profile; AWS said no before any
     change: a dead key, AccessDenied, LimitExceeded; or no answer came
     before any change: refused connection, DNS, timeout, TLS)
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

/// The flags every subcommand accepts, before or after its name.
#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
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
    pub lang: Option<LangArg>,
}

/// `--lang`: the command line's names for [`Lang`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    En,
    Ja,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::En => Lang::En,
            LangArg::Ja => Lang::Ja,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Text,
    Json,
    /// CSV (`audit` only)
    Csv,
}
