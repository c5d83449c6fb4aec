//! The keyturn binary: choose the language, parse arguments (help and
//! usage errors in that language), run, map the outcome to an exit code
//! (documented in `keyturn --help`).

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let env = keyturn::cli::Env::from_process();
    // `--lang` is read before clap parses, so that help and usage errors
    // speak it too; `run` confirms the same choice from the parsed flag.
    let lang = keyturn::i18n::lang_in_args(&args).unwrap_or_else(|| env.lang());
    keyturn::i18n::set(lang);
    let cli = match keyturn::help::parse(args, lang) {
        Ok(cli) => cli,
        Err(code) => return ExitCode::from(code),
    };
    match keyturn::run(cli, env) {
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
