//! End-to-end: keyturn in Japanese. The real binary against moto (IAM auth
//! enforced) through the fault proxy, with the language chosen by `LANG`,
//! `LC_ALL`, `LC_MESSAGES` or `--lang`. Machine output (JSON keys, codes,
//! the `error:` prefix) must stay English whatever the language.

use crate::common::*;
use serde_json::Value;

const JA: &str = "ja_JP.UTF-8";
const EN: &str = "en_US.UTF-8";

fn pair(k: &Key) -> String {
    format!(
        "aws_access_key_id = {}\naws_secret_access_key = {}\n",
        k.id, k.secret
    )
}

/// keyturn's masking of a key id (`AKIA…MPLE`), computed test-side.
fn masked(id: &str) -> String {
    format!("{}…{}", &id[..4], &id[id.len() - 4..])
}

/// Some kana or kanji: the text is Japanese, not English that slipped by.
fn has_japanese(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c as u32, 0x3041..=0x30FF | 0x4E00..=0x9FFF))
}

#[test]
fn a_japanese_run_rotates_and_reports_in_japanese() {
    let sb = Sandbox::new();
    let old = sb.user("alice");
    write_private(&sb.credentials(), &format!("[default]\n{}", pair(&old)));

    let run = sb.keyturn().env("LANG", JA).args(["rotate"]).run();
    run.expect_code(0);
    run.assert_no_secret(&[&old.secret]);

    // The rotation itself is the same as in English.
    let keys = sb.keys_of("alice");
    assert_eq!(keys.len(), 1, "{keys:?}");
    let new_id = &keys[0].0;
    assert_ne!(new_id, &old.id);
    assert!(!sb.works(&old.id, &old.secret), "old key must be dead");

    // Progress, one plain line per step on stderr (no TTY), in Japanese,
    // AWS API names verbatim.
    for step in [
        "keyturn: default: アクセスキーの所有者を確認しています（STS GetCallerIdentity）",
        "keyturn: default: アクセスキーを一覧しています（IAM ListAccessKeys）",
        "keyturn: default: 新しいアクセスキーを作成しています（IAM CreateAccessKey）",
        "keyturn: default: 新しいアクセスキーを検証しています（IAM への反映待ち）",
        "keyturn: default: 古いアクセスキーを削除しています",
    ] {
        assert!(run.stderr.contains(step), "no {step:?} in:\n{}", run.stderr);
    }
    assert!(
        !run.stderr.contains("creating the new key"),
        "{}",
        run.stderr
    );

    // The summary: Japanese sentence, masked ids, paths verbatim.
    let summary = format!(
        "default のアクセスキーをローテーションしました: {} -> {}",
        masked(&old.id),
        masked(new_id)
    );
    assert!(run.stdout.contains(&summary), "{}", run.stdout);
    assert!(
        run.stdout.contains("古いアクセスキーは削除しました"),
        "{}",
        run.stdout
    );
    let updated = format!("  更新: {} [default]", sb.credentials().display());
    assert!(run.stdout.contains(&updated), "{}", run.stdout);
    assert!(run.stdout.contains("  バックアップ: "), "{}", run.stdout);
    assert!(!run.stdout.contains("rotated"), "{}", run.stdout);
    assert!(!run.stdout.contains(new_id.as_str()), "ids are masked");

    // `status` speaks Japanese too, its columns aligned by display width
    // (each Japanese character takes two columns).
    let run = sb.keyturn().env("LANG", JA).args(["status"]).run();
    run.expect_code(0);
    let mut lines = run.stdout.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("プロファイル  キー"),
        "header: {header:?}\n{}",
        run.stdout
    );
    for col in ["場所", "ユーザー", "経過", "状態", "最終使用", "備考"] {
        assert!(header.contains(col), "no {col} in {header:?}");
    }
    let row = lines.find(|l| l.starts_with("default")).unwrap();
    assert!(row.contains("alice") && row.contains("0 日"), "{row}");
    // The key's state in the IAM console's Japanese (ja-style.md); JSON
    // keeps IAM's `Active`.
    assert!(row.contains("アクティブ"), "{row}");
    let width = |s: &str| -> usize {
        s.chars()
            .map(|c| if has_japanese(&c.to_string()) { 2 } else { 1 })
            .sum()
    };
    let key_col = |s: &str, needle: &str| s.find(needle).map(|b| width(&s[..b]));
    assert_eq!(
        key_col(header, "キー"),
        key_col(row, &masked(new_id)),
        "KEY column misaligned:\n{}",
        run.stdout
    );
}

#[test]
fn the_language_comes_from_the_locale_and_lang_flag_wins() {
    let sb = Sandbox::new();
    let k = sb.user("bob");
    write_private(&sb.credentials(), &format!("[dev]\n{}", pair(&k)));
    let japanese = "error: プロファイル `nosuch` が";
    let english = "error: profile `nosuch` is not in";

    // A refusal in Japanese: same exit code, `error:` kept for scripts,
    // the path and the flags verbatim.
    let run = sb
        .keyturn()
        .env("LANG", JA)
        .args(["rotate", "nosuch"])
        .run();
    run.expect_code(3);
    assert!(run.stderr.contains(japanese), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "{} にも {} にも見つかりません",
            sb.credentials().display(),
            sb.config().display()
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--credentials-file/--config-file"),
        "{}",
        run.stderr
    );

    // `--lang en` beats LANG, before or after the subcommand.
    for args in [
        ["--lang", "en", "rotate", "nosuch"],
        ["rotate", "nosuch", "--lang", "en"],
    ] {
        let run = sb.keyturn().env("LANG", JA).args(args).run();
        run.expect_code(3);
        assert!(run.stderr.contains(english), "{args:?}: {}", run.stderr);
        assert!(!has_japanese(&run.stderr), "{}", run.stderr);
    }
    // ... and `--lang ja` beats an English locale.
    let run = sb
        .keyturn()
        .env("LC_ALL", EN)
        .args(["rotate", "nosuch", "--lang", "ja"])
        .run();
    run.expect_code(3);
    assert!(run.stderr.contains(japanese), "{}", run.stderr);

    // POSIX precedence: LC_ALL, then LC_MESSAGES, then LANG.
    let cases: [(&[(&str, &str)], bool); 6] = [
        (&[("LC_ALL", JA), ("LANG", EN)], true),
        (&[("LC_ALL", "C"), ("LANG", JA)], false),
        (&[("LC_MESSAGES", JA), ("LANG", EN)], true),
        (&[("LC_ALL", EN), ("LC_MESSAGES", JA)], false),
        // An empty variable counts as unset.
        (&[("LC_ALL", ""), ("LANG", JA)], true),
        // No locale at all: English.
        (&[], false),
    ];
    for (vars, is_ja) in cases {
        let mut kt = sb.keyturn();
        for (k, v) in vars {
            kt = kt.env(k, v);
        }
        let run = kt.args(["rotate", "nosuch"]).run();
        run.expect_code(3);
        let want = if is_ja { japanese } else { english };
        assert!(run.stderr.contains(want), "{vars:?}: {}", run.stderr);
    }

    // The language is set before the arguments are checked, so a usage
    // error (exit 2) is Japanese too.
    let run = sb
        .keyturn()
        .env("LANG", JA)
        .args(["rotate", "dev", "--timeout", "soon"])
        .run();
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("error: `soon` は期間として解釈できません（例: 90s、2m、12h、60d）"),
        "{}",
        run.stderr
    );
    // Nothing of bob's changed in all that.
    assert_eq!(sb.keys_of("bob").len(), 1);
    assert_eq!(sb.keys_of("bob")[0].0, k.id);
}

#[test]
fn json_under_japanese_keeps_english_keys_and_codes() {
    let sb = Sandbox::new();
    let old = sb.user("carol");
    write_private(&sb.credentials(), &format!("[default]\n{}", pair(&old)));

    let run = sb
        .keyturn()
        .env("LANG", JA)
        .args(["rotate", "default", "nosuch", "--output", "json"])
        .run();
    // One refusal among the results: exit 3, as in English.
    run.expect_code(3);
    run.assert_no_secret(&[&old.secret]);
    let v: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.stdout));
    let items = v.as_array().unwrap();
    assert_eq!(items.len(), 2, "{v}");

    let done = &items[0];
    let keys: Vec<&str> = done
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for k in [
        "profile",
        "status",
        "user_arn",
        "old_key_id",
        "new_key_id",
        "retired",
        "resumed",
        "updated",
        "backups",
    ] {
        assert!(keys.contains(&k), "no {k} in {done}");
    }
    assert_eq!(done["profile"], "default");
    assert_eq!(done["status"], "rotated");
    assert_eq!(done["retired"], "delete");
    assert_eq!(done["resumed"], false);
    assert_eq!(done["old_key_id"], old.id.as_str());
    assert_eq!(done["updated"][0]["file"], "credentials");
    assert_eq!(done["updated"][0]["section"], "default");
    let new_id = done["new_key_id"].as_str().unwrap();
    assert_eq!(sb.keys_of("carol")[0].0, new_id);

    // The refusal: English key names, status and code; the message is for
    // people and is the Japanese one.
    let refused = &items[1];
    assert_eq!(refused["profile"], "nosuch");
    assert_eq!(refused["status"], "refused");
    assert_eq!(refused["error"]["code"], "profile_not_found");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("プロファイル `nosuch` が"), "{message}");
    // Progress still goes to stderr only; stdout is nothing but the JSON.
    assert!(
        run.stderr.contains("アクセスキーの所有者を確認しています"),
        "{}",
        run.stderr
    );

    // `status --output json` in Japanese: the same English keys and IAM
    // values as in English.
    let run = sb
        .keyturn()
        .env("LANG", JA)
        .args(["status", "--output", "json"])
        .run();
    run.expect_code(0);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let line = &v[0];
    assert_eq!(line["profile"], "default");
    assert_eq!(line["key_id"], new_id);
    assert_eq!(line["status"], "Active");
    assert_eq!(line["stale"], false);
    assert_eq!(line["rotatable"], true);
    assert!(!has_japanese(&run.stdout), "{}", run.stdout);
}
