//! `keyturn audit`: placeholder wiring, being built (issue 5).

use crate::cli::Config;

/// Arguments of `keyturn audit`.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {}

pub async fn run(_cfg: &Config, _args: &AuditArgs) -> anyhow::Result<u8> {
    anyhow::bail!("keyturn audit is not available yet")
}
