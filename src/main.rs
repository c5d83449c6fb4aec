//! The keyturn binary: choose the language, parse arguments (help and
//! usage errors in that language), run, and exit with the code
//! [`keyturn::exit::Exit`] decides (documented in `keyturn --help`).

use keyturn::exit::Exit;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let env = keyturn::env::Env::from_process();
    // `--lang` is read before clap parses, so that help and usage errors
    // speak it too; `run` confirms the same choice from the parsed flag.
    let lang = keyturn::i18n::lang_in_args(&args).unwrap_or_else(|| env.lang());
    keyturn::i18n::set(lang);
    let exit = match keyturn::help::parse(args, lang) {
        Ok(cli) => keyturn::cmd::run(cli, env).unwrap_or_else(|err| {
            // The message after `error:` is translated; `{err:#}` keeps
            // anyhow's context chain on one line.
            keyturn::report::error(&format!("{err:#}"));
            Exit::of_error(&err)
        }),
        Err(exit) => exit,
    };
    // Output that could not be written (a closed pipe, a full disk) was
    // said once where possible; the code tells scripts it is missing.
    let exit = if keyturn::report::output_lost() {
        exit.merge(Exit::Output)
    } else {
        exit
    };
    exit.into()
}
