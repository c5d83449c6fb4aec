//! `keyturn schedule`: placeholder wiring, being built (issue 4).

use crate::cli::Config;

/// Arguments of `keyturn schedule`.
#[derive(Debug, clap::Args)]
pub struct ScheduleArgs {}

pub fn run(_cfg: &Config, _args: &ScheduleArgs) -> anyhow::Result<u8> {
    anyhow::bail!("keyturn schedule is not available yet")
}
