//! End-to-end: help and clap's usage errors in the user's language, the
//! real binary, the language from `--lang`, `LC_ALL`, `LC_MESSAGES`,
//! `LANGUAGE` and `LANG` in that order.

use crate::common::*;

const JA: &str = "ja_JP.UTF-8";

/// Every command path with help of its own.
const COMMANDS: &[&[&str]] = &[
    &[],
    &["rotate"],
    &["recover"],
    &["status"],
    &["audit"],
    &["schedule"],
    &["schedule", "install"],
    &["schedule", "show"],
    &["schedule", "remove"],
    &["completions"],
    &["man"],
];

fn help(sb: &Sandbox, env: &[(&str, &str)], path: &[&str], flag: &str) -> Run {
    let mut k = sb.keyturn();
    for (n, v) in env {
        k = k.env(n, v);
    }
    let run = k.args(path).args([flag]).run();
    run.expect_code(0);
    run
}

fn has_kana(s: &str) -> bool {
    s.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c))
}

#[test]
fn help_is_japanese_for_every_subcommand_and_english_under_lang_c() {
    let sb = Sandbox::new();
    for path in COMMANDS {
        for flag in ["--help", "-h"] {
            let ja = help(&sb, &[("LANG", JA)], path, flag);
            let out = &ja.stdout;
            let first = out.lines().next().unwrap_or("");
            assert!(
                has_kana(first),
                "{path:?} {flag}: summary not Japanese:\n{out}"
            );
            assert!(out.contains("\n使い方: keyturn"), "{path:?} {flag}:\n{out}");
            for english in [
                "Usage:",
                "Options:",
                "Commands:",
                "Arguments:",
                "Print help",
                "Possible values",
                "[default:",
                "Examples:",
                "Exit codes:",
            ] {
                assert!(
                    !out.contains(english),
                    "{path:?} {flag}: {english:?} in:\n{out}"
                );
            }
            assert!(
                out.contains("-h, --help"),
                "{path:?}: flags are kept:\n{out}"
            );

            // `--lang ja` says the same under an English locale.
            let mut args: Vec<&str> = vec!["--lang", "ja"];
            args.extend(path.iter());
            let flagged = help(&sb, &[("LANG", "C")], &args, flag);
            assert_eq!(flagged.stdout, ja.stdout, "{path:?} {flag}");

            let en = help(&sb, &[("LANG", "C")], path, flag);
            assert!(
                en.stdout.contains("\nUsage: keyturn"),
                "{path:?}:\n{}",
                en.stdout
            );
            assert!(!has_kana(&en.stdout), "{path:?}: Japanese under LANG=C");
            let mut args: Vec<&str> = vec!["--lang=en"];
            args.extend(path.iter());
            let en_flag = help(&sb, &[("LANG", JA)], &args, flag);
            assert_eq!(en_flag.stdout, en.stdout, "{path:?} {flag}");
        }
    }
    // The exit-code table and examples of `rotate --help`, values as typed.
    let out = help(&sb, &[("LANG", JA)], &["rotate"], "--help").stdout;
    for want in [
        "終了コード:",
        "  3  拒否: 何も変更していません",
        "  keyturn rotate --retire deactivate",
        "--retire <RETIRE>",
        "- deactivate: ",
        "[既定値: 10]",
        "AWS_SHARED_CREDENTIALS_FILE",
    ] {
        assert!(out.contains(want), "{want:?} in:\n{out}");
    }
}

#[test]
fn the_locale_variables_are_ranked_as_documented() {
    let sb = Sandbox::new();
    let summary = |env: &[(&str, &str)]| {
        help(&sb, env, &["rotate"], "-h")
            .stdout
            .lines()
            .next()
            .unwrap_or("")
            .to_string()
    };
    let ja = summary(&[("LANG", JA)]);
    let en = summary(&[("LANG", "C")]);
    assert!(has_kana(&ja) && !has_kana(&en), "{ja} / {en}");
    assert_eq!(summary(&[("LANG", "ja")]), ja);
    assert_eq!(summary(&[("LANGUAGE", "ja:en"), ("LANG", "C")]), ja);
    assert_eq!(summary(&[("LC_MESSAGES", "ja_JP"), ("LANGUAGE", "en")]), ja);
    assert_eq!(
        summary(&[("LC_ALL", "C"), ("LC_MESSAGES", "ja_JP"), ("LANG", JA)]),
        en
    );
    assert_eq!(summary(&[("LC_ALL", JA), ("LANG", "C")]), ja);
    assert_eq!(summary(&[("LANG", "fr_FR.UTF-8")]), en);
}

#[test]
fn clap_usage_errors_are_japanese_and_exit_2() {
    let sb = Sandbox::new();
    let err = |args: &[&str]| {
        let run = sb.keyturn().env("LANG", JA).args(args).run();
        run.expect_code(2);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
        assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
        for english in [
            "Usage:",
            "tip:",
            "For more information",
            "unrecognized",
            "unexpected",
        ] {
            assert!(
                !run.stderr.contains(english),
                "{english:?} in:\n{}",
                run.stderr
            );
        }
        run.stderr
    };
    let e = err(&["statuss"]);
    assert!(
        e.contains("サブコマンド 'statuss' はありません") && e.contains("'status'"),
        "{e}"
    );
    let e = err(&["rotate", "--dry-runn"]);
    assert!(
        e.contains("'--dry-runn'") && e.contains("'--dry-run'"),
        "{e}"
    );
    assert!(e.contains("使い方: keyturn rotate"), "{e}");
    let e = err(&["rotate", "--timeout"]);
    assert!(e.contains("'--timeout <DURATION>' には値が必要です"), "{e}");
    let e = err(&["rotate", "--retire", "shred"]);
    assert!(
        e.contains("'shred'") && e.contains("指定できる値: delete, deactivate"),
        "{e}"
    );
    // English stays clap's own text.
    let run = sb.keyturn().env("LANG", "C").args(["statuss"]).run();
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("error: unrecognized subcommand 'statuss'"),
        "{}",
        run.stderr
    );
}
