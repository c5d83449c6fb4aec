//! `keyturn completions` and `keyturn man`: placeholder wiring (issue 4).

/// Arguments of `keyturn completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {}

pub fn completions(_args: &CompletionsArgs) -> anyhow::Result<u8> {
    anyhow::bail!("not available yet")
}

pub fn man() -> anyhow::Result<u8> {
    anyhow::bail!("not available yet")
}
