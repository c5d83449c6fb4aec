//! `keyturn status`: placeholder wiring, being built (issue 4).

use crate::cli::Config;

/// Arguments of `keyturn status`.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {}

pub async fn run(_cfg: &Config, _args: &StatusArgs) -> anyhow::Result<u8> {
    anyhow::bail!("keyturn status is not available yet")
}
