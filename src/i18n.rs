//! The language of keyturn's messages, and the one place every
//! user-facing message is looked up: `locales/en.ftl` and `locales/ja.ftl`
//! (Fluent), embedded in the binary, English the fallback.
//!
//! The language is chosen once per process by [`crate::run`] (and, for help
//! and usage errors, by `main` before clap parses): `--lang`, else the
//! first non-empty of `LC_ALL`, `LC_MESSAGES`, `LANGUAGE`, `LANG` (a value
//! starting with `ja` gives Japanese), else English. Until then, and in
//! unit tests, it is English.
//!
//! Invariants:
//! - Every message exists in both files with the same variables; every id
//!   the source looks up with [`tr`] or [`trf`] exists and is looked up with
//!   the variables its text has, and every message is used (the unit tests
//!   read `src/` and both files to check all of it, so a missing message
//!   fails the tests, never shows the user a raw id).
//! - Ids are string literals at the call site (`area.what`, which is the
//!   Fluent id `area-what`: Fluent ids have no dots), never built at run
//!   time, so those checks see every lookup.
//! - Counted nouns are one message with a plural selector on `$count`.
//! - Fluent's Unicode isolation marks are off: the output is a terminal or
//!   a log, where the marks show up as garbage or break `grep`.
//! - Only prose is translated. Machine-facing text stays English in both
//!   languages: JSON keys and codes, the `error:` / `warning:` / `note:`
//!   prefixes scripts grep for, AWS API names, flags, paths and command
//!   lines (kept verbatim inside Japanese sentences).
//! - Secrets never pass through here any more than elsewhere: callers hand
//!   in masked key ids ([`crate::secret::mask`]).

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::collections::HashMap;
use std::fmt::Display;
use std::sync::OnceLock;

/// A language keyturn speaks (`--lang`'s names are the command layer's
/// `crate::cli::LangArg`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    Ja,
}

/// The English messages (the fallback for any id Japanese lacks).
pub const EN_FTL: &str = include_str!("../locales/en.ftl");
/// The Japanese messages.
pub const JA_FTL: &str = include_str!("../locales/ja.ftl");

static CURRENT: OnceLock<Lang> = OnceLock::new();

/// The language the locale variables ask for, in the order users rank
/// them for messages: `LC_ALL`, `LC_MESSAGES`, `LANGUAGE` (a `:` list,
/// whose first entry counts), `LANG`. The first that is set and not empty
/// decides, and only a `ja…` value (`ja`, `ja_JP.UTF-8`) means Japanese.
pub fn detect(
    lc_all: Option<&str>,
    lc_messages: Option<&str>,
    language: Option<&str>,
    lang: Option<&str>,
) -> Lang {
    let language = language.map(|l| l.split(':').next().unwrap_or(""));
    match [lc_all, lc_messages, language, lang]
        .into_iter()
        .flatten()
        .find(|v| !v.is_empty())
    {
        Some(v) => parse_lang(v).unwrap_or(Lang::En),
        None => Lang::En,
    }
}

/// `ja`, `ja_JP.UTF-8`, `ja-JP` are Japanese, `en…`, `C`, `POSIX` English;
/// anything else is a language keyturn does not speak (`None`).
pub fn parse_lang(v: &str) -> Option<Lang> {
    let base = v
        .split(['_', '-', '.', '@'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match base.as_str() {
        "ja" => Some(Lang::Ja),
        "en" | "c" | "posix" => Some(Lang::En),
        _ => None,
    }
}

/// The language `--lang` asks for in a raw command line, read before clap
/// parses so that help and usage errors speak it too: `--lang ja` or
/// `--lang=ja`, anywhere before a `--`. The last one wins, as with clap.
pub fn lang_in_args<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Option<Lang> {
    let mut found = None;
    let mut it = args.iter().map(|a| a.as_ref().to_string_lossy());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        let value = if a == "--lang" {
            it.next().map(|v| v.into_owned())
        } else {
            a.strip_prefix("--lang=").map(str::to_string)
        };
        if let Some(l) = value.as_deref().and_then(parse_lang) {
            found = Some(l);
        }
    }
    found
}

/// Fixes the process's language. Only the first call counts: a message
/// must not change language halfway through a run.
pub fn set(lang: Lang) {
    let _ = CURRENT.set(lang);
}

/// The process's language (English until [`set`] is called).
pub fn current() -> Lang {
    CURRENT.get().copied().unwrap_or_default()
}

/// The message `id` in the process's language.
pub fn tr(id: &str) -> &'static str {
    tr_in(current(), id)
}

/// The message `id` in the process's language with its `{ $name }`
/// variables filled from `args`.
pub fn trf(id: &str, args: &[(&str, &dyn Display)]) -> String {
    trf_in(current(), id, args)
}

/// The largest whole unit of `secs`: (count, `d`|`h`|`m`|`s`). One rule
/// for every place that shows a duration (flags, audit, schedule).
pub fn span_unit(secs: u64) -> (u64, char) {
    const DAY: u64 = 86_400;
    for (n, unit) in [(DAY, 'd'), (3600, 'h'), (60, 'm')] {
        if secs.is_multiple_of(n) {
            return (secs / n, unit);
        }
    }
    (secs, 's')
}

/// `90d`, `12h`: a duration the way the flags take it (the same in every
/// language: it is also written into unit files and command lines).
pub fn flag_span(secs: u64) -> String {
    let (n, unit) = span_unit(secs);
    format!("{n}{unit}")
}

/// A span of time for prose in the process's language: `90d` in English
/// (the way the flags take it), `90 日` in Japanese (ja-style: never `90d`
/// inside a Japanese sentence).
pub fn span(secs: u64) -> String {
    let (n, unit) = span_unit(secs);
    match unit {
        'd' => trf("span.days", &[("n", &n)]),
        'h' => trf("span.hours", &[("n", &n)]),
        'm' => trf("span.minutes", &[("n", &n)]),
        _ => trf("span.seconds", &[("n", &n)]),
    }
}

/// What an unknown id (which the unit tests rule out) shows instead of the
/// id: a rotation must not panic over a message.
const MISSING: &str = "(missing message)";

/// The message `id` in `lang`, or in English if `lang` lacks it. Messages
/// without variables are formatted once per process and kept, so this can
/// hand out `&'static str` as the old catalogue did.
pub fn tr_in(lang: Lang, id: &str) -> &'static str {
    try_tr_in(lang, id).unwrap_or(MISSING)
}

/// [`tr_in`], or `None` if neither `lang` nor English has `id` (for texts
/// such as help, where the caller has an English text of its own).
pub fn try_tr_in(lang: Lang, id: &str) -> Option<&'static str> {
    static PLAIN: [OnceLock<HashMap<String, &'static str>>; 2] = [OnceLock::new(), OnceLock::new()];
    let map = PLAIN[lang as usize].get_or_init(|| {
        let mut map = HashMap::new();
        for l in [Lang::En, lang] {
            let b = bundle(l);
            for id in ids_of(ftl_text(l)) {
                if let Some(text) = format(b, &id, None) {
                    map.insert(id, &*Box::leak(text.into_boxed_str()));
                }
            }
        }
        map
    });
    map.get(&fluent_id(id)).copied()
}

/// [`trf`] in a given language.
pub fn trf_in(lang: Lang, id: &str, args: &[(&str, &dyn Display)]) -> String {
    let mut fa = FluentArgs::new();
    for (name, value) in args {
        fa.set(*name, fluent_value(value.to_string()));
    }
    let fid = fluent_id(id);
    format(bundle(lang), &fid, Some(&fa))
        .or_else(|| format(bundle(Lang::En), &fid, Some(&fa)))
        .unwrap_or_else(|| MISSING.to_string())
}

/// A value as Fluent sees it: a plain integer is a number (so plural
/// selectors work), anything else a string, shown exactly as given.
fn fluent_value(s: String) -> FluentValue<'static> {
    match s.parse::<i64>() {
        Ok(n) if n.to_string() == s => FluentValue::from(n),
        _ => FluentValue::from(s),
    }
}

/// The Fluent id of a lookup id: `area.what` is `area-what`.
fn fluent_id(id: &str) -> String {
    id.replace('.', "-")
}

type Bundle = FluentBundle<FluentResource>;

/// The bundle of `lang`, parsed on first use. A syntax error (which the
/// unit tests rule out) loses only the entries it touches.
fn bundle(lang: Lang) -> &'static Bundle {
    static BUNDLES: [OnceLock<Bundle>; 2] = [OnceLock::new(), OnceLock::new()];
    BUNDLES[lang as usize].get_or_init(|| {
        let tag = match lang {
            Lang::En => "en",
            Lang::Ja => "ja",
        };
        let text = ftl_text(lang);
        let res = FluentResource::try_new(text.to_string()).unwrap_or_else(|(res, _)| res);
        let langid: unic_langid::LanguageIdentifier = tag.parse().unwrap_or_default();
        let mut b = FluentBundle::new_concurrent(vec![langid]);
        b.set_use_isolating(false);
        // Ids are unique in each file (a unit test checks): no overriding.
        let _ = b.add_resource(res);
        b
    })
}

/// The ftl text of `lang`.
fn ftl_text(lang: Lang) -> &'static str {
    match lang {
        Lang::En => EN_FTL,
        Lang::Ja => JA_FTL,
    }
}

/// The ids of the messages (not terms or comments) of an ftl text.
pub fn ids_of(ftl: &str) -> Vec<String> {
    ftl.lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once(" =").map(|(id, _)| id.trim().to_string()))
        .collect()
}

/// The message `id` of `b` formatted with `args`, if it exists and formats
/// without error (a missing variable is an error, so callers fall back).
fn format(b: &Bundle, id: &str, args: Option<&FluentArgs>) -> Option<String> {
    let pattern = b.get_message(id)?.value()?;
    let mut errors = Vec::new();
    let text = b.format_pattern(pattern, args, &mut errors).into_owned();
    errors.is_empty().then_some(text)
}

/// Terminal columns `s` takes (UAX #11: East Asian wide and fullwidth
/// characters, i.e. kana, kanji and fullwidth punctuation, count two), so
/// tables and progress lines line up in Japanese too.
pub fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_as_flags_in_english_and_as_words_in_japanese() {
        assert_eq!(span(90 * 86_400), "90d");
        assert_eq!(span(0), "0d");
        assert_eq!(span(7200), "2h");
        assert_eq!(span(120), "2m");
        assert_eq!(span(90), "90s");
        assert_eq!(trf_in(Lang::Ja, "span.days", &[("n", &90u64)]), "90 日");
        assert_eq!(trf_in(Lang::Ja, "span.seconds", &[("n", &90u64)]), "90 秒");
    }
    use fluent_syntax::ast;
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    #[test]
    fn detection_follows_the_documented_precedence() {
        assert_eq!(detect(None, None, None, None), Lang::En);
        assert_eq!(detect(None, None, None, Some("ja_JP.UTF-8")), Lang::Ja);
        assert_eq!(detect(None, None, None, Some("ja")), Lang::Ja);
        assert_eq!(detect(None, None, None, Some("en_US.UTF-8")), Lang::En);
        assert_eq!(detect(None, None, None, Some("C")), Lang::En);
        // LC_ALL wins over everything, LC_MESSAGES over LANGUAGE and LANG.
        assert_eq!(
            detect(Some("ja_JP.UTF-8"), None, Some("en"), Some("en_US.UTF-8")),
            Lang::Ja
        );
        assert_eq!(
            detect(Some("C.UTF-8"), Some("ja_JP"), Some("ja"), Some("ja_JP")),
            Lang::En
        );
        assert_eq!(
            detect(None, Some("ja_JP.eucJP"), Some("en"), Some("C")),
            Lang::Ja
        );
        // LANGUAGE over LANG, and its first entry counts.
        assert_eq!(detect(None, None, Some("ja:en"), Some("C")), Lang::Ja);
        assert_eq!(detect(None, None, Some("en:ja"), Some("ja_JP")), Lang::En);
        // An empty variable is as good as unset.
        assert_eq!(
            detect(Some(""), Some(""), Some(""), Some("ja_JP.UTF-8")),
            Lang::Ja
        );
        // Not every `j` is Japanese.
        assert_eq!(detect(None, None, None, Some("jv_ID")), Lang::En);
    }

    #[test]
    fn lang_flag_is_found_before_clap_parses() {
        let l = |a: &[&str]| lang_in_args(a);
        assert_eq!(
            l(&["keyturn", "--lang", "ja", "rotate", "--help"]),
            Some(Lang::Ja)
        );
        assert_eq!(l(&["keyturn", "rotate", "--lang=ja"]), Some(Lang::Ja));
        assert_eq!(l(&["keyturn", "--lang=ja", "--lang", "en"]), Some(Lang::En));
        assert_eq!(l(&["keyturn", "rotate", "--", "--lang=ja"]), None);
        assert_eq!(l(&["keyturn", "--lang"]), None);
        assert_eq!(l(&["keyturn", "status"]), None);
    }

    #[test]
    fn the_default_is_english() {
        // Unit tests never call `set`: every other test asserts English.
        assert_eq!(current(), Lang::En);
        assert_eq!(tr("usage.jobs_zero"), "--jobs must be at least 1");
    }

    #[test]
    fn variables_are_filled_without_isolation_marks() {
        assert_eq!(
            trf("usage.unknown_unit", &[("value", &"5w"), ("unit", &"w")]),
            "`5w`: unknown unit `w`; use s, m, h or d"
        );
        let ja = trf_in(
            Lang::Ja,
            "usage.unknown_unit",
            &[("value", &"5w"), ("unit", &"w")],
        );
        assert!(ja.contains("`5w`") && ja.contains("`w`"), "{ja}");
        assert!(!ja.contains(['\u{2068}', '\u{2069}']), "{ja:?}");
        // A number keeps its digits exactly as the caller gave them.
        let n = 7u64;
        let s = trf("usage.not_a_duration", &[("value", &"007")]);
        assert!(s.starts_with("`007`"), "{s}");
        assert_eq!(trf("audit.findings", &[("count", &n)]), "7 findings");
    }

    #[test]
    fn counted_nouns_use_plural_selectors() {
        let en = |n: usize| trf("audit.findings", &[("count", &n)]);
        assert_eq!(en(1), "1 finding");
        assert_eq!(en(0), "0 findings");
        assert_eq!(en(2), "2 findings");
        let keys = |n: usize| trf_in(Lang::Ja, "audit.keys", &[("count", &n)]);
        assert!(keys(1).contains('1') && keys(3).contains('3'));
    }

    #[test]
    fn an_unknown_id_shows_no_id() {
        // Not a literal, so the source scan below does not count it.
        let id = String::from("no.such_id");
        assert_eq!(tr_in(Lang::Ja, &id), MISSING);
        assert_eq!(trf(&id, &[("a", &1)]), MISSING);
    }

    #[test]
    fn width_counts_wide_characters_twice() {
        assert_eq!(width("KEY"), 3);
        assert_eq!(width("AKIA…MPLE"), 9);
        assert_eq!(width("キー"), 4);
        assert_eq!(width("最終使用 x"), 10);
        assert_eq!(width("（）、。"), 8);
    }

    /// The variables a pattern references: those it shows, and those
    /// that only select a variant (`$mode ->`).
    #[derive(Default)]
    struct Vars {
        shown: BTreeSet<String>,
        selectors: BTreeSet<String>,
    }

    fn pattern_vars(p: &ast::Pattern<&str>, out: &mut Vars) {
        for el in &p.elements {
            if let ast::PatternElement::Placeable { expression } = el {
                expr_vars(expression, out);
            }
        }
    }

    fn expr_vars(e: &ast::Expression<&str>, out: &mut Vars) {
        match e {
            ast::Expression::Select { selector, variants } => {
                if let ast::InlineExpression::VariableReference { id } = selector {
                    out.selectors.insert(id.name.to_string());
                }
                for v in variants {
                    pattern_vars(&v.value, out);
                }
            }
            ast::Expression::Inline(i) => inline_vars(i, out),
        }
    }

    fn inline_vars(i: &ast::InlineExpression<&str>, out: &mut Vars) {
        match i {
            ast::InlineExpression::VariableReference { id } => {
                out.shown.insert(id.name.to_string());
            }
            ast::InlineExpression::Placeable { expression } => expr_vars(expression, out),
            _ => {}
        }
    }

    /// Each message of an ftl text with its variables; panics on a syntax
    /// error, a duplicate id or a message without a value.
    fn messages(name: &str, text: &str) -> BTreeMap<String, BTreeSet<String>> {
        messages_vars(name, text)
            .into_iter()
            .map(|(id, v)| (id, v.shown.union(&v.selectors).cloned().collect()))
            .collect()
    }

    /// [`messages`] with the shown and the selecting variables apart.
    fn messages_vars(name: &str, text: &str) -> BTreeMap<String, Vars> {
        let res = fluent_syntax::parser::parse(text)
            .unwrap_or_else(|(_, errs)| panic!("{name}: syntax errors {errs:?}"));
        let mut out = BTreeMap::new();
        for entry in &res.body {
            match entry {
                ast::Entry::Message(m) => {
                    let value = m
                        .value
                        .as_ref()
                        .unwrap_or_else(|| panic!("{name}: {} has no value", m.id.name));
                    let mut vars = Vars::default();
                    pattern_vars(value, &mut vars);
                    let dup = out.insert(m.id.name.to_string(), vars);
                    assert!(dup.is_none(), "{name}: duplicate id {}", m.id.name);
                }
                ast::Entry::Junk { content } => panic!("{name}: junk {content:?}"),
                _ => {}
            }
        }
        assert_eq!(
            out.len(),
            ids_of(text).len(),
            "{name}: the runtime's id list disagrees with the parser"
        );
        out
    }

    #[test]
    fn every_message_is_in_both_files_with_the_same_variables() {
        let en = messages("en.ftl", EN_FTL);
        let ja = messages("ja.ftl", JA_FTL);
        assert!(en.len() > 200, "only {} English messages", en.len());
        let en_ids: BTreeSet<_> = en.keys().collect();
        let ja_ids: BTreeSet<_> = ja.keys().collect();
        assert_eq!(
            en_ids.symmetric_difference(&ja_ids).collect::<Vec<_>>(),
            Vec::<&&String>::new(),
            "ids in only one of en.ftl and ja.ftl"
        );
        for (id, vars) in &en {
            assert_eq!(vars, &ja[id], "{id}: variables differ between en and ja");
        }
    }

    #[test]
    fn every_message_formats_in_both_languages() {
        for (id, v) in messages_vars("en.ftl", EN_FTL) {
            let vars: BTreeSet<String> = v.shown.union(&v.selectors).cloned().collect();
            let values: Vec<(String, String)> =
                vars.iter().map(|v| (v.clone(), format!("<{v}>"))).collect();
            let args: Vec<(&str, &dyn Display)> = values
                .iter()
                .map(|(n, v)| (n.as_str(), v as &dyn Display))
                .collect();
            let lookup = id.replacen('-', ".", 1);
            for lang in [Lang::En, Lang::Ja] {
                let fa = {
                    let mut fa = FluentArgs::new();
                    for (n, v) in &args {
                        fa.set(*n, fluent_value(v.to_string()));
                    }
                    fa
                };
                let text = format(bundle(lang), &id, Some(&fa))
                    .unwrap_or_else(|| panic!("{id} does not format in {lang:?}"));
                assert!(!text.trim().is_empty(), "{id}: empty in {lang:?}");
                assert!(!text.contains(&id), "{id}: shows its id in {lang:?}");
                assert!(
                    !text.contains(['\u{2068}', '\u{2069}']),
                    "{id}: isolation marks in {lang:?}"
                );
                for n in &v.shown {
                    assert!(
                        text.contains(&format!("<{n}>")),
                        "{id}: {n} not shown in {lang:?}"
                    );
                }
                assert_eq!(trf_in(lang, &lookup, &args), text);
                if vars.is_empty() {
                    assert_eq!(tr_in(lang, &lookup), text);
                }
            }
        }
    }

    #[test]
    fn progress_lines_fit_80_columns_after_the_prefix() {
        // ja-style.md: `keyturn: PROFILE: step` fits 80 columns for a
        // short profile name (longer lines are cut by the spinner).
        for lang in [Lang::En, Lang::Ja] {
            for (id, vars) in messages("en.ftl", EN_FTL) {
                if !id.starts_with("step-") {
                    continue;
                }
                let values: Vec<(String, String)> = vars
                    .iter()
                    .map(|v| {
                        (
                            v.clone(),
                            if v == "mode" {
                                "deactivate".into()
                            } else {
                                "github-actions".into()
                            },
                        )
                    })
                    .collect();
                let args: Vec<(&str, &dyn Display)> = values
                    .iter()
                    .map(|(n, v)| (n.as_str(), v as &dyn Display))
                    .collect();
                let line = format!(
                    "keyturn: default: {}",
                    trf_in(lang, &id.replacen('-', ".", 1), &args)
                );
                assert!(width(&line) <= 80, "{} columns: {line}", width(&line));
            }
        }
    }

    #[test]
    fn lookup_ids_map_to_fluent_ids_one_to_one() {
        // `area.what` -> `area-what`: the first `-` is the area separator,
        // so no area may itself contain a `-`, and no id may have a dot.
        for id in ids_of(EN_FTL) {
            let (area, _) = id
                .split_once('-')
                .unwrap_or_else(|| panic!("{id}: no area"));
            assert!(!area.is_empty() && !id.contains('.'), "{id}");
        }
    }

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// One lookup found in the source.
    #[derive(Debug)]
    struct Call {
        at: String,
        id: String,
        /// The names a `trf` call fills (None for `tr`).
        names: Option<BTreeSet<String>>,
    }

    /// The argument names of a `trf` call whose argument list starts at
    /// `s` (just after `trf(`): the string literal that opens each tuple
    /// one level down, e.g. `("profile", profile)`.
    fn trf_names(s: &str) -> BTreeSet<String> {
        let mut names = BTreeSet::new();
        let mut depth = 1;
        let mut expect_name = false;
        let mut chars = s.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    let start = i + 1;
                    let mut end = start;
                    while let Some((j, c)) = chars.next() {
                        match c {
                            '\\' => {
                                chars.next();
                            }
                            '"' => {
                                end = j;
                                break;
                            }
                            _ => {}
                        }
                    }
                    if expect_name {
                        names.insert(s[start..end].to_string());
                    }
                    expect_name = false;
                }
                '(' => {
                    depth += 1;
                    expect_name = depth == 2;
                }
                ')' => {
                    depth -= 1;
                    expect_name = false;
                    if depth == 0 {
                        break;
                    }
                }
                c if c.is_whitespace() => {}
                _ => expect_name = false,
            }
        }
        names
    }

    /// Every lookup (`tr` or `trf` called with a string literal, which
    /// rustfmt may put on the next line) in the crate's source. Patterns
    /// are built at run time so that this file's own text does not match.
    fn calls() -> Vec<Call> {
        let mut files = Vec::new();
        rust_files(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        assert!(files.len() > 10, "found only {files:?}");
        let mut out = Vec::new();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            for func in ["tr", "trf"] {
                let pat = format!("{func}(");
                for (i, _) in text.match_indices(&pat) {
                    let before = text[..i].chars().next_back();
                    if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        continue;
                    }
                    // Only literal ids: `fn tr(id: &str)` is no lookup.
                    let Some(rest) = text[i + pat.len()..].trim_start().strip_prefix('"') else {
                        continue;
                    };
                    let id = &rest[..rest.find('"').unwrap()];
                    let line = text[..i].lines().count();
                    out.push(Call {
                        at: format!("{}:{line}", path.display()),
                        id: id.to_string(),
                        names: (func == "trf").then(|| trf_names(&text[i + func.len() + 1..])),
                    });
                }
            }
        }
        out
    }

    /// The English messages by lookup id (`area.what`), with variables.
    fn by_lookup_id() -> BTreeMap<String, BTreeSet<String>> {
        messages("en.ftl", EN_FTL)
            .into_iter()
            .map(|(id, vars)| (id.replacen('-', ".", 1), vars))
            .collect()
    }

    #[test]
    fn every_lookup_in_the_source_exists_with_its_placeholders() {
        let by_id = by_lookup_id();
        let calls = calls();
        assert!(
            calls.len() > 100,
            "the scan found only {} calls",
            calls.len()
        );
        for c in &calls {
            let Some(wanted) = by_id.get(c.id.as_str()) else {
                panic!("{}: `{}` is not in locales/en.ftl", c.at, c.id);
            };
            match &c.names {
                None => assert!(
                    wanted.is_empty(),
                    "{}: `{}` has variables {wanted:?}: use trf",
                    c.at,
                    c.id
                ),
                Some(names) => assert_eq!(
                    names, wanted,
                    "{}: `{}` is filled with other names than its variables",
                    c.at, c.id
                ),
            }
        }
    }

    #[test]
    fn every_entry_is_used() {
        let used: BTreeSet<String> = calls().into_iter().map(|c| c.id).collect();
        // Help texts are looked up by the command tree's keys, not by
        // literal ids: `help::tests` checks those.
        let unused: Vec<String> = by_lookup_id()
            .into_keys()
            .filter(|id| !id.starts_with("help.") && !used.contains(id))
            .collect();
        assert!(unused.is_empty(), "messages nobody uses: {unused:?}");
    }
}
