//! The keyturn binary: parse arguments, run, map the outcome to an exit
//! code (documented in `keyturn --help`).

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = keyturn::cli::Cli::parse();
    match keyturn::run(cli, keyturn::cli::Env::from_process()) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // `error:` stays English in every language: scripts and log
            // filters grep for it. The message after it is translated.
            // File-derived text in it must not drive the terminal.
            eprintln!("error: {}", keyturn::term::clean_text(&format!("{err:#}")));
            ExitCode::from(keyturn::exit_code_of(&err))
        }
    }
}
