//! Help and usage errors in the user's language, without touching the
//! clap derive types in [`crate::cli`] (their doc comments stay the English
//! source of truth, and other work edits them).
//!
//! [`command`] takes `Cli::command()`, builds it (so global arguments are
//! propagated and clap's own `help` flag and subcommand exist) and, for a
//! language other than English, replaces every about, argument help and
//! after-help by the catalogue entry keyed by the command path and argument
//! id: `help.rotate` (the subcommand's summary), `help.rotate-timeout`,
//! `help.rotate-after` (examples and exit codes), `help.keyturn-lang` (a
//! global argument, keyed where it is defined), `help.value-retire-delete`
//! (a possible value). [`parse`] parses through that command and renders
//! clap's common errors through the catalogue, keeping exit code 2.
//!
//! Invariants:
//! - English is the derive's own text, byte for byte (the unit tests check
//!   that `locales/en.ftl` holds exactly that text for every key, so the
//!   catalogue is complete and Japanese can be checked against it).
//! - Option names, values, value names and environment variable names are
//!   never translated: only the prose around them is.
//! - A help key missing from the catalogue keeps clap's English text, so a
//!   new argument can never show a raw id.

use crate::cmd::Cli;
use crate::exit::Exit;
use crate::i18n::{self, tr, trf, Lang};
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgMatches, Command, CommandFactory, FromArgMatches};
use std::ffi::OsString;

/// The command line parser, with its help in `lang`.
pub fn command(lang: Lang) -> Command {
    let mut cmd = Cli::command();
    cmd.build();
    if lang == Lang::En {
        return cmd;
    }
    localize(cmd, "keyturn", lang)
}

/// Parses `args` with help in `lang`. `Err` carries the exit code after
/// help, the version or a usage error has been printed.
pub fn parse(args: Vec<OsString>, lang: Lang) -> Result<Cli, Exit> {
    let matches = command(lang).try_get_matches_from(args);
    let result = matches.and_then(|m: ArgMatches| Cli::from_arg_matches(&m));
    result.map_err(|e| report(e, lang))
}

/// Prints a clap error (or help/version) and returns the exit code.
fn report(e: clap::Error, lang: Lang) -> Exit {
    let code = Exit::of_clap(&e);
    if lang != Lang::En && e.use_stderr() {
        if let Some(text) = render_error(&e) {
            eprint!("{text}");
            return code;
        }
    }
    let _ = e.print();
    code
}

/// The string of a context value, if it is one.
fn context(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join(", ")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn context_list(e: &clap::Error, kind: ContextKind) -> Vec<String> {
    match e.get(kind) {
        Some(ContextValue::Strings(v)) => v.clone(),
        Some(ContextValue::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// A clap error in the current language, laid out like clap's own
/// (`error:` stays English for the scripts that grep it), or `None` for
/// kinds left to clap.
fn render_error(e: &clap::Error) -> Option<String> {
    let arg = || context(e, ContextKind::InvalidArg).unwrap_or_default();
    let (message, tip) = match e.kind() {
        ErrorKind::InvalidSubcommand => {
            let sub = context(e, ContextKind::InvalidSubcommand)?;
            let tip = context_list(e, ContextKind::SuggestedSubcommand)
                .first()
                .map(|s| trf("clap.tip_subcommand", &[("suggestion", s)]));
            (trf("clap.unknown_subcommand", &[("name", &sub)]), tip)
        }
        ErrorKind::UnknownArgument => {
            let name = arg();
            let tip = context_list(e, ContextKind::SuggestedArg)
                .first()
                .map(|s| trf("clap.tip_argument", &[("suggestion", s)]))
                .or_else(|| {
                    name.starts_with('-')
                        .then(|| trf("clap.tip_separator", &[("name", &name)]))
                });
            (trf("clap.unknown_argument", &[("name", &name)]), tip)
        }
        ErrorKind::InvalidValue => {
            let value = context(e, ContextKind::InvalidValue).unwrap_or_default();
            if value.is_empty() {
                (trf("clap.missing_value", &[("arg", &arg())]), None)
            } else {
                let valid = context_list(e, ContextKind::ValidValue);
                let tip = (!valid.is_empty())
                    .then(|| trf("clap.tip_values", &[("values", &valid.join(", "))]));
                (
                    trf("clap.invalid_value", &[("value", &value), ("arg", &arg())]),
                    tip,
                )
            }
        }
        ErrorKind::MissingRequiredArgument => {
            let missing = context_list(e, ContextKind::InvalidArg).join(", ");
            (trf("clap.missing_required", &[("args", &missing)]), None)
        }
        ErrorKind::ArgumentConflict => {
            let other = context(e, ContextKind::PriorArg).unwrap_or_default();
            (
                trf("clap.conflict", &[("arg", &arg()), ("other", &other)]),
                None,
            )
        }
        ErrorKind::ValueValidation => {
            let value = context(e, ContextKind::InvalidValue).unwrap_or_default();
            (
                trf("clap.invalid_value", &[("value", &value), ("arg", &arg())]),
                None,
            )
        }
        ErrorKind::MissingSubcommand => {
            let name = context(e, ContextKind::InvalidSubcommand).unwrap_or_default();
            (trf("clap.missing_subcommand", &[("name", &name)]), None)
        }
        _ => return None,
    };
    let mut out = format!(
        "{}\n",
        crate::report::line(crate::report::Level::Error, &message)
    );
    if let Some(tip) = tip {
        out.push_str(&format!("\n  {tip}\n"));
    }
    if let Some(usage) = context(e, ContextKind::Usage) {
        let usage = usage
            .strip_prefix("Usage:")
            .map(|rest| format!("{}{rest}", tr("clap.usage_heading")))
            .unwrap_or(usage);
        out.push_str(&format!("\n{usage}\n"));
    }
    out.push_str(&format!("\n{}\n", tr("clap.more_info")));
    Some(out)
}

/// The catalogue text of help key `key` in `lang` (English if `lang`
/// lacks it), or `None` if neither file has it.
fn text(lang: Lang, key: &str) -> Option<&'static str> {
    i18n::try_tr_in(lang, key)
}

/// The key of a command's own texts: `keyturn` for the top, else its path
/// below the top (`schedule-install`).
fn key_of(path: &str) -> String {
    path.strip_prefix("keyturn-").unwrap_or(path).to_string()
}

/// Replaces the texts of `cmd` (at `path`) and of everything below it.
fn localize(mut cmd: Command, path: &str, lang: Lang) -> Command {
    let key = key_of(path);
    let heading = |k: &str| text(lang, k).unwrap_or_default();
    cmd = cmd
        .help_template(format!(
            "{{before-help}}{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
            heading("help.usage_heading")
        ))
        .subcommand_help_heading(heading("help.commands_heading"));
    if let Some(t) = text(lang, &format!("help.{key}")) {
        cmd = cmd.about(t).long_about(None::<&str>);
    }
    if cmd.get_after_help().is_some() || cmd.get_after_long_help().is_some() {
        if let Some(t) = text(lang, &format!("help.{key}-after")) {
            cmd = cmd.after_help(t).after_long_help(None::<&str>);
        }
    }
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        cmd = cmd.mut_arg(&id, |a| localize_arg(a, &key, lang));
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subs {
        let sub_path = format!("{path}-{name}");
        cmd = cmd.mut_subcommand(&name, |s| {
            if name == "help" {
                // clap's own `help` subcommand: one text for every level.
                match text(lang, "help.help_subcommand") {
                    Some(t) => s.about(t),
                    None => s,
                }
            } else {
                localize(s, &sub_path, lang)
            }
        });
    }
    cmd
}

/// The help key of argument `id` of the command keyed `key`: clap's own
/// `help`/`version` flags and global arguments have one key everywhere.
pub fn arg_key(key: &str, arg: &Arg) -> String {
    let id = arg.get_id().as_str();
    match id {
        "help" | "version" => format!("help.flag-{id}"),
        _ if arg.is_global_set() => format!("help.keyturn-{id}"),
        _ => format!("help.{key}-{id}"),
    }
}

fn localize_arg(mut a: Arg, key: &str, lang: Lang) -> Arg {
    let k = arg_key(key, &a);
    let heading = if a.is_positional() {
        text(lang, "help.arguments_heading")
    } else {
        text(lang, "help.options_heading")
    };
    a = a.help_heading(heading);
    let Some(help) = text(lang, &k) else {
        return a;
    };
    let mut help = help.to_string();
    let mut long = String::new();
    // clap's `[default: …]` and `[possible values: …]` are English: show
    // them ourselves, keeping the values as typed.
    let values: Vec<clap::builder::PossibleValue> = a
        .get_possible_values()
        .into_iter()
        .filter(|v| !v.is_hide_set())
        .collect();
    let id = a.get_id().to_string();
    if !values.is_empty() && !a.is_hide_possible_values_set() {
        let names: Vec<&str> = values.iter().map(|v| v.get_name()).collect();
        if values.iter().any(|v| v.get_help().is_some()) {
            long.push_str(&format!(
                "\n\n{}",
                heading_line(lang, "help.values_heading")
            ));
            for v in &values {
                let vk = format!("help.value-{id}-{}", v.get_name());
                match text(lang, &vk) {
                    Some(t) => long.push_str(&format!("\n- {}: {t}", v.get_name())),
                    None => long.push_str(&format!("\n- {}", v.get_name())),
                }
            }
        }
        help.push_str(&format!(
            " [{}: {}]",
            heading_line(lang, "help.values_label"),
            names.join(", ")
        ));
        a = a.hide_possible_values(true);
    }
    let defaults: Vec<String> = a
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && !a.is_hide_default_value_set() && a.get_action().takes_values() {
        help.push_str(&format!(
            " [{}: {}]",
            heading_line(lang, "help.default_label"),
            defaults.join(", ")
        ));
        a = a.hide_default_value(true);
    }
    let a = if long.is_empty() {
        a.long_help(None::<&str>)
    } else {
        a.long_help(format!("{help}{long}"))
    };
    a.help(help)
}

fn heading_line(lang: Lang, key: &str) -> &'static str {
    text(lang, key).unwrap_or_default()
}

/// Every help key the command tree has, with the derive's English text:
/// what `locales/en.ftl` must hold (checked by the unit tests, and printed
/// by `KEYTURN_DUMP_HELP_KEYS=1 cargo test --lib help::tests::dump` when an
/// argument is added).
pub fn english_keys() -> Vec<(String, String)> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut out = Vec::new();
    collect(&cmd, "keyturn", &mut out);
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

fn collect(cmd: &Command, path: &str, out: &mut Vec<(String, String)>) {
    let key = key_of(path);
    let about = cmd
        .get_long_about()
        .or(cmd.get_about())
        .map(|s| s.to_string())
        .unwrap_or_default();
    out.push((format!("help.{key}"), about));
    if let Some(after) = cmd.get_after_long_help().or(cmd.get_after_help()) {
        out.push((format!("help.{key}-after"), after.to_string()));
    }
    for a in cmd.get_arguments() {
        let k = arg_key(&key, a);
        let help = a
            .get_long_help()
            .or(a.get_help())
            .map(|s| s.to_string())
            .unwrap_or_default();
        out.push((k, help));
        for v in a.get_possible_values() {
            if let Some(h) = v.get_help() {
                out.push((
                    format!("help.value-{}-{}", a.get_id(), v.get_name()),
                    h.to_string(),
                ));
            }
        }
    }
    for s in cmd.get_subcommands() {
        if s.get_name() == "help" {
            let about = s.get_about().map(|s| s.to_string()).unwrap_or_default();
            out.push(("help.help_subcommand".to_string(), about));
        } else {
            collect(s, &format!("{path}-{}", s.get_name()), out);
        }
    }
}

/// The keys of clap's own words that [`localize`] uses (headings and
/// labels), which have no English counterpart in the derive.
pub const FIXED_KEYS: &[&str] = &[
    "help.usage_heading",
    "help.commands_heading",
    "help.arguments_heading",
    "help.options_heading",
    "help.values_heading",
    "help.values_label",
    "help.default_label",
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn dump() {
        // Prints what en.ftl needs when asked; otherwise a no-op check that
        // the tree has keys at all.
        let keys = english_keys();
        assert!(keys.len() > 50, "only {} help keys", keys.len());
        if std::env::var_os("KEYTURN_DUMP_HELP_KEYS").is_some() {
            for (k, v) in &keys {
                println!("{k}\t{v:?}");
            }
        }
    }

    #[test]
    fn english_catalogue_holds_the_derive_text_for_every_key() {
        for (k, v) in english_keys() {
            let en = i18n::try_tr_in(Lang::En, &k)
                .unwrap_or_else(|| panic!("{k} is not in locales/en.ftl"));
            assert_eq!(en, v.trim_end(), "{k}: en.ftl differs from the doc comment");
        }
    }

    #[test]
    fn every_help_entry_is_a_key_of_the_tree() {
        let mut wanted: BTreeSet<String> = english_keys().into_iter().map(|(k, _)| k).collect();
        wanted.extend(FIXED_KEYS.iter().map(|k| k.to_string()));
        let present: BTreeSet<String> = i18n::ids_of(i18n::EN_FTL)
            .into_iter()
            .map(|id| id.replacen('-', ".", 1))
            .filter(|id| id.starts_with("help."))
            .collect();
        let unused: Vec<_> = present.difference(&wanted).collect();
        assert!(
            unused.is_empty(),
            "help entries no argument uses: {unused:?}"
        );
        for k in FIXED_KEYS {
            assert!(i18n::try_tr_in(Lang::Ja, k).is_some(), "{k}");
        }
    }

    #[test]
    fn english_help_is_the_derive_help() {
        for args in [
            vec!["keyturn", "--help"],
            vec!["keyturn", "rotate", "--help"],
        ] {
            let ours = command(Lang::En).try_get_matches_from(&args).unwrap_err();
            let theirs = Cli::command().try_get_matches_from(&args).unwrap_err();
            assert_eq!(ours.to_string(), theirs.to_string());
        }
    }

    fn help_of(lang: Lang, args: &[&str]) -> String {
        let e = command(lang).try_get_matches_from(args).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::DisplayHelp);
        e.to_string()
    }

    #[test]
    fn japanese_help_keeps_flags_values_and_env_names() {
        let h = help_of(Lang::Ja, &["keyturn", "rotate", "--help"]);
        assert!(
            h.contains("使い方: keyturn rotate [OPTIONS] [PROFILE]..."),
            "{h}"
        );
        for kept in [
            "--max-age <DURATION>",
            "--retire <RETIRE>",
            "delete",
            "deactivate",
            "AWS_PROFILE",
        ] {
            assert!(h.contains(kept), "{kept} missing in {h}");
        }
        for english in [
            "Options:",
            "Possible values",
            "[default:",
            "Print help",
            "Exit codes",
        ] {
            assert!(!h.contains(english), "{english} in {h}");
        }
        let top = help_of(Lang::Ja, &["keyturn", "--help"]);
        assert!(
            top.contains("コマンド:") && !top.contains("Print this message"),
            "{top}"
        );
    }

    #[test]
    fn clap_errors_are_rendered_from_the_catalogue_with_their_tips() {
        // Unit tests run in English (the e2e tests check Japanese): the
        // catalogue's English reads like clap's own message.
        let err = |args: &[&str]| command(Lang::Ja).try_get_matches_from(args).unwrap_err();
        let e = err(&["keyturn", "statuss"]);
        let t = render_error(&e).unwrap();
        assert!(
            t.starts_with("error: unrecognized subcommand 'statuss'\n"),
            "{t}"
        );
        assert!(t.contains("similar subcommand exists: 'status'"), "{t}");
        assert!(t.ends_with("For more information, try '--help'.\n"), "{t}");
        let e = err(&["keyturn", "rotate", "--dry-runn"]);
        let t = render_error(&e).unwrap();
        assert!(
            t.contains("'--dry-runn'") && t.contains("'--dry-run'"),
            "{t}"
        );
        let e = err(&["keyturn", "rotate", "--timeout"]);
        let t = render_error(&e).unwrap();
        assert!(t.contains("'--timeout <DURATION>'"), "{t}");
        let e = err(&["keyturn", "rotate", "--retire", "shred"]);
        let t = render_error(&e).unwrap();
        assert!(
            t.contains("'shred'") && t.contains("delete, deactivate"),
            "{t}"
        );
        assert_eq!(e.exit_code(), 2);
        // Help and version are not errors to translate.
        let e = err(&["keyturn", "--help"]);
        assert!(render_error(&e).is_none());
    }
}
