//! The language of keyturn's messages, and the one catalogue every
//! user-facing message comes from, in English and Japanese.
//!
//! The language is chosen once per process by [`crate::run`]: `--lang`, else
//! the first non-empty of `LC_ALL`, `LC_MESSAGES`, `LANG` (a value starting
//! with `ja` gives Japanese), else English. Until then, and in unit tests,
//! it is English.
//!
//! Invariants:
//! - Every entry of [`CATALOGUE`] has both languages, non-empty, with the
//!   same `{name}` placeholders; every id the source looks up with [`tr`] or
//!   [`trf`] exists, is looked up with the placeholders its text has, and
//!   every entry is used (the unit tests read `src/` to check all three, so
//!   a missing message fails the tests, not the user).
//! - Ids are string literals at the call site, never built at run time, so
//!   those checks see every lookup.
//! - Only prose is translated. Machine-facing text stays English in both
//!   languages: JSON keys and codes, the `error:` / `warning:` / `note:`
//!   prefixes scripts grep for, AWS API names, flags, paths and command
//!   lines (kept verbatim inside Japanese sentences), and clap's own help.
//! - Secrets never pass through here any more than elsewhere: callers hand
//!   in masked key ids ([`crate::secret::mask`]).

use std::fmt::{self, Display};
use std::sync::OnceLock;

/// A language keyturn speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    #[default]
    En,
    Ja,
}

static CURRENT: OnceLock<Lang> = OnceLock::new();

/// The language of `LC_ALL`, `LC_MESSAGES` and `LANG` (in that order, as
/// POSIX ranks them for messages): the first that is set and not empty
/// decides, and only a `ja…` value (`ja`, `ja_JP.UTF-8`) means Japanese.
pub fn detect(lc_all: Option<&str>, lc_messages: Option<&str>, lang: Option<&str>) -> Lang {
    match [lc_all, lc_messages, lang]
        .into_iter()
        .flatten()
        .find(|v| !v.is_empty())
    {
        Some(v) if v.starts_with("ja") => Lang::Ja,
        _ => Lang::En,
    }
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

/// The message `id` in the process's language with its `{name}`
/// placeholders filled from `args`.
pub fn trf(id: &str, args: &[(&str, &dyn Display)]) -> String {
    fill(tr(id), args)
}

/// The message `id` in `lang`. An unknown id (which the unit tests rule
/// out) gives a placeholder text rather than a panic mid-rotation.
pub fn tr_in(lang: Lang, id: &str) -> &'static str {
    match CATALOGUE.iter().find(|m| m.id == id) {
        Some(m) => match lang {
            Lang::En => m.en,
            Lang::Ja => m.ja,
        },
        None => "(missing message)",
    }
}

/// Replaces each `{name}` of `template` with its value in `args`; a
/// placeholder without a value is left as written, so a mistake shows.
pub fn fill(template: &str, args: &[(&str, &dyn Display)]) -> String {
    use fmt::Write as _;
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = placeholder_at(after)
            .and_then(|name| args.iter().find(|(n, _)| *n == name).map(|a| (name, a.1)));
        match value {
            Some((name, v)) => {
                let _ = write!(out, "{v}");
                rest = &after[name.len() + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholder name at the start of `s` (just after a `{`), if `s`
/// continues with `name}`.
fn placeholder_at(s: &str) -> Option<&str> {
    let end = s.find('}')?;
    let name = &s[..end];
    (!name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'))
    .then_some(name)
}

/// Every placeholder name of a template, sorted, each once.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out: Vec<&str> = template
        .match_indices('{')
        .filter_map(|(i, _)| placeholder_at(&template[i + 1..]))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Terminal columns `s` takes: East Asian wide and fullwidth characters
/// (UAX #11; kana, kanji, fullwidth punctuation) count two, the rest one,
/// so tables line up in Japanese too.
pub fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let c = c as u32;
            let wide = matches!(
                c,
                0x1100..=0x115F
                    | 0x2E80..=0x303E
                    | 0x3041..=0x33FF
                    | 0x3400..=0x4DBF
                    | 0x4E00..=0x9FFF
                    | 0xA000..=0xA4CF
                    | 0xAC00..=0xD7A3
                    | 0xF900..=0xFAFF
                    | 0xFE30..=0xFE4F
                    | 0xFF00..=0xFF60
                    | 0xFFE0..=0xFFE6
                    | 0x1F300..=0x1F64F
                    | 0x1F900..=0x1F9FF
                    | 0x20000..=0x2FFFD
                    | 0x30000..=0x3FFFD
            );
            if wide {
                2
            } else {
                1
            }
        })
        .sum()
}

/// One message in both languages.
pub struct Msg {
    pub id: &'static str,
    pub en: &'static str,
    pub ja: &'static str,
}

const fn m(id: &'static str, en: &'static str, ja: &'static str) -> Msg {
    Msg { id, en, ja }
}

/// Every user-facing message. Grouped by the module that says it; ids are
/// `<area>.<what>`. Japanese keeps AWS names, flags, paths and commands
/// verbatim, and uses full-width brackets and stops around them.
pub static CATALOGUE: &[Msg] = &[
    // --- cli: usage errors (exit 2) ---
    m(
        "usage.not_a_duration",
        "`{value}` is not a duration; use e.g. 90s, 2m, 12h or 60d",
        "`{value}` は期間として読めません。90s、2m、12h、60d のように指定してください",
    ),
    m(
        "usage.unknown_unit",
        "`{value}`: unknown unit `{unit}`; use s, m, h or d",
        "`{value}`: 単位 `{unit}` は使えません。s、m、h、d のいずれかを使ってください",
    ),
    m(
        "usage.too_long",
        "`{value}` is too long",
        "`{value}` は長すぎます",
    ),
    m(
        "usage.no_home",
        "HOME is not set; pass --credentials-file and --config-file",
        "HOME が設定されていません。--credentials-file と --config-file を指定してください",
    ),
    m(
        "usage.endpoint_scheme",
        "--endpoint-url `{url}` must start with http:// or https://",
        "--endpoint-url `{url}` は http:// か https:// で始めてください",
    ),
    m(
        "usage.timeout_zero",
        "--timeout must be more than 0s",
        "--timeout には 0s より長い時間を指定してください",
    ),
    m(
        "usage.verify_count_zero",
        "--verify-count must be at least 1",
        "--verify-count は 1 以上にしてください",
    ),
    m(
        "usage.jobs_zero",
        "--jobs must be at least 1",
        "--jobs は 1 以上にしてください",
    ),
    // --- profile: refusals (exit 3) ---
    m(
        "refusal.not_found",
        "profile `{profile}` is not in {credentials} or {config}; check the name (`keyturn status` lists profiles) or pass --credentials-file/--config-file",
        "プロファイル `{profile}` は {credentials} にも {config} にもありません。名前を確認するか（`keyturn status` でプロファイルを一覧できます）、--credentials-file/--config-file を指定してください",
    ),
    m(
        "refusal.unparsable",
        "{path}: the AWS CLI cannot parse this file ({detail}); fix it first, nothing was changed",
        "{path}: AWS CLI はこのファイルを解析できません（{detail}）。先に修正してください。何も変更していません",
    ),
    m(
        "refusal.temporary",
        "profile `{profile}` in {path} holds temporary credentials (aws_session_token); they expire on their own, rotate the long-term key they came from instead",
        "{path} のプロファイル `{profile}` は一時的な認証情報（aws_session_token）を持っています。一時的な認証情報は自然に失効するので、発行元の長期キーをローテーションしてください",
    ),
    m(
        "refusal.role",
        "profile `{profile}` in {path} assumes a role ({key}); its credentials come from another profile: rotate that source profile instead",
        "{path} のプロファイル `{profile}` はロールを引き受けます（{key}）。認証情報は別のプロファイルから来るので、そのソースプロファイルをローテーションしてください",
    ),
    m(
        "refusal.web_identity",
        "profile `{profile}` in {path} uses web identity ({key}); it has no access key to rotate",
        "{path} のプロファイル `{profile}` はウェブ ID フェデレーション（{key}）を使います。ローテーションするアクセスキーがありません",
    ),
    m(
        "refusal.sso",
        "profile `{profile}` in {path} uses IAM Identity Center (SSO, {key}); its credentials are short-lived, nothing to rotate",
        "{path} のプロファイル `{profile}` は IAM Identity Center（SSO、{key}）を使います。認証情報は短期間で失効するため、ローテーションするものはありません",
    ),
    m(
        "refusal.process",
        "profile `{profile}` in {path} gets its credentials from credential_process; rotate them where that process keeps them",
        "{path} のプロファイル `{profile}` は credential_process から認証情報を取得します。そのプロセスが認証情報を保管している場所でローテーションしてください",
    ),
    m(
        "refusal.inherited",
        "profile `{profile}` inherits {key} from [DEFAULT] in {path}; rotating it would change every profile; give the profile its own key pair first",
        "プロファイル `{profile}` は {path} の [DEFAULT] から {key} を継承しています。ローテーションするとすべてのプロファイルが変わってしまうので、先にこのプロファイル専用のキーペアを設定してください",
    ),
    m(
        "refusal.half_pair",
        "profile `{profile}` in {path} has {present} but no {missing}; add the missing half or remove the stray one",
        "{path} のプロファイル `{profile}` には {present} がありますが {missing} がありません。足りない方を追加するか、余分な方を削除してください",
    ),
    m(
        "refusal.not_a_token",
        "{path}:{line}: {key} of profile `{profile}` is not a single token (spaces or continuation lines); fix the value first",
        "{path}:{line}: プロファイル `{profile}` の {key} が単一のトークンではありません（空白または継続行を含みます）。先に値を修正してください",
    ),
    m(
        "refusal.no_keys",
        "profile `{profile}` has no static access key in {credentials} or {config}; nothing to rotate",
        "プロファイル `{profile}` には {credentials} にも {config} にも静的なアクセスキーがありません。ローテーションするものはありません",
    ),
    // --- ini: why the AWS CLI would refuse a file ---
    m(
        "ini.bom",
        "line 1: the file starts with a UTF-8 byte-order mark, which the AWS CLI cannot read; save it without a BOM",
        "1 行目: ファイルが UTF-8 のバイトオーダーマーク（BOM）で始まっており、AWS CLI はこれを読めません。BOM なしで保存してください",
    ),
    m(
        "ini.missing_header",
        "line {line}: text before the first [section] header",
        "{line} 行目: 最初の [section] ヘッダーより前にテキストがあります",
    ),
    m(
        "ini.duplicate_section",
        "line {line}: section [{section}] appears twice",
        "{line} 行目: セクション [{section}] が 2 回出てきます",
    ),
    m(
        "ini.duplicate_key",
        "line {line}: key `{key}` appears twice in [{section}]",
        "{line} 行目: [{section}] にキー `{key}` が 2 回出てきます",
    ),
    m(
        "ini.syntax",
        "line {line}: not a `key = value` line, a [section] header or a comment",
        "{line} 行目: `key = value` の行でも [section] ヘッダーでもコメントでもありません",
    ),
    m(
        "ini.not_utf8",
        "line {line}: the file is not valid UTF-8",
        "{line} 行目: ファイルが正しい UTF-8 ではありません",
    ),
    m(
        "ini.no_such_line",
        "internal: line index {line} is out of range",
        "内部エラー: 行インデックス {line} が範囲外です",
    ),
    m(
        "ini.not_an_entry",
        "line {line} is not a `key = value` line",
        "{line} 行目は `key = value` の行ではありません",
    ),
    m(
        "ini.not_a_token",
        "line {line}: the new value is not a single token",
        "{line} 行目: 新しい値が単一のトークンではありません",
    ),
    // --- store: file-system errors ---
    m(
        "store.locked",
        "{file}: another keyturn run holds the lock {lock}; wait for it to finish, or check for a stuck process",
        "{file}: 別の keyturn の実行がロック {lock} を保持しています。終了を待つか、止まったままのプロセスがないか確認してください",
    ),
    m(
        "store.missing",
        "{path} does not exist; keyturn never creates it",
        "{path} が存在しません。keyturn がこのファイルを作成することはありません",
    ),
    m(
        "store.unstable",
        "{path} keeps changing while keyturn writes it; another program is editing it, try again",
        "keyturn の書き込み中に {path} が変更され続けています。別のプログラムが編集しているので、やり直してください",
    ),
    m(
        "store.owner",
        "{path}: cannot keep the owner {uid}:{gid} of the file ({error}); run keyturn as that user",
        "{path}: ファイルの所有者 {uid}:{gid} を維持できません（{error}）。そのユーザーとして keyturn を実行してください",
    ),
    // --- rotate: errors ---
    m(
        "rotate.not_iam_user",
        "profile `{profile}`: the key belongs to {what} ({arn}), not an IAM user; {hint}",
        "プロファイル `{profile}`: このキーは IAM ユーザーではなく{what}（{arn}）のものです。{hint}",
    ),
    m(
        "rotate.two_keys",
        "profile `{profile}`: IAM user {user} already has two keys; {detail}",
        "プロファイル `{profile}`: IAM ユーザー {user} にはすでにキーが 2 つあります。{detail}",
    ),
    m(
        "rotate.needs_mfa",
        "profile `{profile}`: {what} needs an MFA code; pass --mfa-code or run in a terminal",
        "プロファイル `{profile}`: {what} のため MFA コードが必要です。--mfa-code を指定するか、端末で実行してください",
    ),
    m(
        "rotate.unknown_key",
        "profile `{profile}`: the key in the file is not the one IAM knows for {user} ({key}); nothing was changed",
        "プロファイル `{profile}`: ファイル内のキー（{key}）は、IAM がユーザー {user} のキーとして把握しているものではありません。何も変更していません",
    ),
    m(
        "rotate.aws",
        "profile `{profile}`: {step}: {error}",
        "プロファイル `{profile}`: {step}: {error}",
    ),
    m(
        "rotate.profile",
        "profile `{profile}`: {detail}",
        "プロファイル `{profile}`: {detail}",
    ),
    m(
        "rotate.bad_journal",
        "{path}: cannot read the journal ({detail}); move it aside and run `keyturn recover` again",
        "{path}: ジャーナルを読み込めません（{detail}）。別の場所へ移してから、もう一度 `keyturn recover` を実行してください",
    ),
    // Who a key belongs to when it is not an IAM user's, and what to do.
    m(
        "principal.root",
        "the root user",
        "ルートユーザー",
    ),
    m(
        "principal.assumed_role",
        "an assumed role",
        "引き受けたロール",
    ),
    m(
        "principal.federated",
        "a federated user",
        "フェデレーションユーザー",
    ),
    m(
        "principal.unknown",
        "an unknown principal",
        "不明なプリンシパル",
    ),
    m(
        "principal.root_hint",
        "root access keys should be deleted, not rotated: use an IAM user instead",
        "ルートユーザーのアクセスキーはローテーションではなく削除すべきです。代わりに IAM ユーザーを使ってください",
    ),
    m(
        "principal.assumed_role_hint",
        "role sessions are temporary: nothing to rotate",
        "ロールのセッションは一時的なものです。ローテーションするものはありません",
    ),
    m(
        "principal.federated_hint",
        "federated sessions are temporary: nothing to rotate",
        "フェデレーションのセッションは一時的なものです。ローテーションするものはありません",
    ),
    m(
        "principal.unknown_hint",
        "only IAM user access keys can be rotated",
        "ローテーションできるのは IAM ユーザーのアクセスキーだけです",
    ),
    // The failing step of `rotate.aws` (AWS API names stay as they are).
    m(
        "aws_step.list_orphans",
        "IAM ListAccessKeys (looking for orphaned keys)",
        "IAM ListAccessKeys（孤立したキーの確認）",
    ),
    m(
        "aws_step.delete_orphan",
        "IAM DeleteAccessKey (orphaned key)",
        "IAM DeleteAccessKey（孤立したキー）",
    ),
    m(
        "aws_step.delete_new",
        "IAM DeleteAccessKey (new key, rolling back)",
        "IAM DeleteAccessKey（新しいキー、ロールバック中）",
    ),
    m(
        "aws_step.delete_other",
        "IAM DeleteAccessKey (other key)",
        "IAM DeleteAccessKey（もう一方のキー）",
    ),
    m(
        "aws_step.retire",
        "retiring the old key (the new key is in place and works; run `keyturn recover` to retry)",
        "古いキーの廃止（新しいキーは配置済みで動作します。`keyturn recover` で再試行してください）",
    ),
    // --- rotate: progress ---
    m(
        "step.resume",
        "finishing a rotation that was interrupted",
        "中断されたローテーションを処理しています",
    ),
    m(
        "step.undo",
        "undoing an interrupted rotation",
        "中断されたローテーションを元に戻しています",
    ),
    m(
        "step.finish",
        "finishing an interrupted rotation",
        "中断されたローテーションを完了させています",
    ),
    m(
        "step.mfa_session",
        "getting an MFA session (STS GetSessionToken)",
        "MFA セッションを取得しています（STS GetSessionToken）",
    ),
    m(
        "step.identify",
        "identifying the key's owner (STS GetCallerIdentity)",
        "キーの所有者を確認しています（STS GetCallerIdentity）",
    ),
    m(
        "step.list_keys",
        "listing the user's access keys (IAM ListAccessKeys)",
        "ユーザーのアクセスキーを一覧しています（IAM ListAccessKeys）",
    ),
    m(
        "step.delete_other",
        "deleting the user's other key to make room",
        "空きを作るため、ユーザーのもう一方のキーを削除しています",
    ),
    m(
        "step.create",
        "creating the new key (IAM CreateAccessKey)",
        "新しいキーを作成しています（IAM CreateAccessKey）",
    ),
    m(
        "step.write",
        "writing the new key to the file",
        "新しいキーをファイルに書き込んでいます",
    ),
    m(
        "step.verify",
        "verifying the new key (IAM is eventually consistent)",
        "新しいキーを検証しています（IAM は結果整合性のため、反映に時間がかかることがあります）",
    ),
    m(
        "step.hook",
        "running hook `{name}`",
        "フック `{name}` を実行しています",
    ),
    m(
        "step.retire",
        "retiring the old key",
        "古いキーを廃止しています",
    ),
    // --- rotate: warnings, questions, details ---
    m(
        "warn.env_key",
        "AWS_ACCESS_KEY_ID in this shell holds the key being rotated ({key}); it stops working once the old key is retired: reload your shell's credentials afterwards",
        "このシェルの AWS_ACCESS_KEY_ID はローテーション中のキー（{key}）です。古いキーを廃止すると使えなくなるので、終わったらシェルの認証情報を読み込み直してください",
    ),
    m(
        "warn.delete_other_active",
        "the other Active key {key} will be deleted ({last})",
        "もう一方の Active なキー {key} を削除します（{last}）",
    ),
    m(
        "warn.sharers",
        "other profiles hold the same key and will stop working: {profiles}",
        "同じキーを持つ他のプロファイルは使えなくなります: {profiles}",
    ),
    m(
        "warn.create_failed",
        "CreateAccessKey failed: {error}",
        "CreateAccessKey が失敗しました: {error}",
    ),
    m(
        "warn.orphan",
        "deleting orphaned key {key} (its secret was never saved)",
        "孤立したキー {key} を削除します（シークレットが保存されていませんでした）",
    ),
    m(
        "warn.rolling_back",
        "rolling back: {reason}",
        "ロールバックします: {reason}",
    ),
    m(
        "ask.delete_inactive",
        "IAM user {user} has a second, Inactive key {key}. Delete it to make room?",
        "IAM ユーザー {user} には 2 つ目の Inactive なキー {key} があります。空きを作るために削除しますか？",
    ),
    m(
        "detail.partition",
        "the key belongs to partition {partition}; set `region` in the profile to a region of that partition",
        "このキーはパーティション {partition} のものです。プロファイルの `region` をそのパーティションのリージョンに設定してください",
    ),
    m(
        "detail.other_active",
        "the other key {key} is Active ({last}) and may be in use elsewhere; rerun with --delete-other-active to delete it, or delete it yourself",
        "もう一方のキー {key} は Active で（{last}）、他の場所で使われているかもしれません。--delete-other-active を付けて再実行して削除するか、ご自身で削除してください",
    ),
    m(
        "detail.other_inactive",
        "the other key {key} is Inactive; rerun with --yes to delete it",
        "もう一方のキー {key} は Inactive です。削除するには --yes を付けて再実行してください",
    ),
    m(
        "detail.no_new_key",
        "this state needs the new key but the journal has none",
        "この状態には新しいキーが必要ですが、ジャーナルにありません",
    ),
    m(
        "detail.hook_failed",
        "{detail}; the new key {new} is in the file and works, the old key {old} is still active: fix the hook, then run `keyturn rotate --resume {profile}` (or `keyturn recover`) to finish",
        "{detail}。新しいキー {new} はファイルに書き込まれて動作し、古いキー {old} もまだ有効です。フックを直してから `keyturn rotate --resume {profile}`（または `keyturn recover`）を実行して完了させてください",
    ),
    m(
        "detail.rolled_back",
        "{reason}; rolled back: the old key {key} is still in place and works, the new key was deleted",
        "{reason}。ロールバックしました: 古いキー {key} はそのまま残っていて動作します。新しいキーは削除しました",
    ),
    m(
        "detail.no_result",
        "internal: no result",
        "内部エラー: 結果がありません",
    ),
    m(
        "detail.not_processed",
        "internal: profile was not processed",
        "内部エラー: プロファイルが処理されませんでした",
    ),
    m(
        "reason.file_changed",
        "the profile no longer holds the old key (was the file edited meanwhile?)",
        "プロファイルにもう古いキーがありません（その間にファイルが編集されましたか？）",
    ),
    m(
        "reason.write_failed",
        "writing the file failed: {error}",
        "ファイルの書き込みに失敗しました: {error}",
    ),
    m(
        "reason.no_interrupted",
        "no interrupted rotation",
        "中断されたローテーションはありません",
    ),
    m(
        "verify.wrong_user",
        "the new key belongs to {actual}, not {expected}",
        "新しいキーは {expected} ではなく {actual} のものです",
    ),
    m(
        "verify.timeout",
        "the new key did not work within {secs}s (last error: {error})",
        "新しいキーが {secs} 秒以内に使えるようになりませんでした（最後のエラー: {error}）",
    ),
    m(
        "verify.refused",
        "the new key was refused: {error}",
        "新しいキーが拒否されました: {error}",
    ),
    // A key's last use, as IAM GetAccessKeyLastUsed reports it.
    m(
        "last_used.never",
        "never used",
        "未使用",
    ),
    m(
        "last_used.at",
        "last used {date} ({service} in {region})",
        "最終使用 {date}（{region} の {service}）",
    ),
    m(
        "last_used.unknown",
        "last use unknown",
        "最終使用日時は不明",
    ),
    m(
        "last_used.unknown_service",
        "unknown service",
        "不明なサービス",
    ),
    m(
        "last_used.unknown_region",
        "unknown region",
        "不明なリージョン",
    ),
    // --- hooks and the settings file ---
    m(
        "hooks.settings_hook",
        "{path}: hook `{name}`: {message}",
        "{path}: フック `{name}`: {message}",
    ),
    m(
        "hooks.empty_command",
        "command is empty",
        "command が空です",
    ),
    m(
        "hooks.spawn_failed",
        "hook `{name}` could not start: {error}",
        "フック `{name}` を起動できませんでした: {error}",
    ),
    m(
        "hooks.timed_out",
        "hook `{name}` timed out after {secs}s",
        "フック `{name}` が {secs} 秒でタイムアウトしました",
    ),
    m(
        "hooks.wait_failed",
        "hook `{name}`: {error}",
        "フック `{name}`: {error}",
    ),
    m(
        "hooks.failed",
        "hook `{name}` failed ({status})",
        "フック `{name}` が失敗しました（{status}）",
    ),
    // --- ui: prompts ---
    m(
        "ui.mfa_prompt",
        "MFA code for {serial}: ",
        "{serial} の MFA コード: ",
    ),
    // --- rotate / recover: results ---
    m(
        "out.rotated",
        "rotated {profile}: {old} -> {new} ({arn}){resumed}; old key {retired}",
        "{profile} をローテーションしました: {old} -> {new}（{arn}）{resumed}。古いキーは{retired}",
    ),
    m(
        "out.resumed",
        ", finishing an interrupted rotation",
        "、中断されたローテーションを完了",
    ),
    m(
        "out.retired_delete",
        "deleted",
        "削除しました",
    ),
    m(
        "out.retired_deactivate",
        "deactivated",
        "無効化しました",
    ),
    m(
        "out.updated",
        "  updated {place}",
        "  更新: {place}",
    ),
    m(
        "out.backup",
        "  backup  {path}",
        "  バックアップ: {path}",
    ),
    m(
        "out.plan",
        "plan for {profile} (dry run, nothing changed): user {arn}",
        "{profile} の計画（ドライラン、何も変更していません）: ユーザー {arn}",
    ),
    m(
        "out.plan_delete_other",
        "  delete the user's other key {key}",
        "  ユーザーのもう一方のキー {key} を削除",
    ),
    m(
        "out.plan_create",
        "  create a new key",
        "  新しいキーを作成",
    ),
    m(
        "out.plan_write",
        "  write it to {place}",
        "  {place} に書き込み",
    ),
    m(
        "out.plan_verify_delete",
        "  verify it, then delete the old key {key}",
        "  検証してから、古いキー {key} を削除",
    ),
    m(
        "out.plan_verify_deactivate",
        "  verify it, then deactivate the old key {key}",
        "  検証してから、古いキー {key} を無効化",
    ),
    m(
        "out.fresh",
        "fresh {profile}: {key} is {days} days old, nothing to do",
        "{profile} のキーはまだ新しいので何もしません: {key} は作成から {days} 日です",
    ),
    m(
        "out.skipped",
        "skipped {profile}: {reason}",
        "{profile} をスキップしました: {reason}",
    ),
    m(
        "out.shared",
        "rotated {profile} together with {with} (same key)",
        "{profile} を {with} と一緒にローテーションしました（同じキー）",
    ),
    m(
        "out.recovered",
        "recovered {profile}: finished the rotation, now using {key}",
        "{profile} を復旧しました: ローテーションを完了し、{key} を使用しています",
    ),
    m(
        "out.recovered_rolled_back",
        "recovered {profile}: rolled back, the old key is in place",
        "{profile} を復旧しました: ロールバックし、古いキーが元どおり配置されています",
    ),
    m(
        "out.nothing_to_recover",
        "nothing to recover",
        "復旧するものはありません",
    ),
    // --- status ---
    m(
        "status.unparsable",
        "{path}: the AWS CLI cannot parse this file ({error}); fix it first",
        "{path}: AWS CLI はこのファイルを解析できません（{error}）。先に修正してください",
    ),
    m(
        "status.asking",
        "asking AWS about {count} key(s)",
        "{count} 個のキーについて AWS に問い合わせています",
    ),
    m(
        "status.no_profiles",
        "no profiles in {credentials} or {config}",
        "{credentials} にも {config} にもプロファイルがありません",
    ),
    m(
        "status.not_user",
        "the key belongs to {what}; {hint}",
        "このキーは{what}のものです。{hint}",
    ),
    m("status.col_profile", "PROFILE", "プロファイル"),
    m("status.col_key", "KEY", "キー"),
    m("status.col_where", "WHERE", "場所"),
    m("status.col_user", "USER", "ユーザー"),
    m("status.col_age", "AGE", "経過"),
    m("status.col_status", "STATUS", "状態"),
    m("status.col_last_used", "LAST USED", "最終使用"),
    m("status.col_note", "NOTE", "備考"),
    m("status.one_day", "1 day", "1 日"),
    m("status.days", "{count} days", "{count} 日"),
    m("status.never", "never", "未使用"),
    m(
        "status.whose",
        " of `{profile}` (same key)",
        "同じキーを持つ `{profile}` の",
    ),
    m(
        "status.in_progress",
        "rotation{whose} in progress (state {state}, started {started})",
        "{whose}ローテーションが進行中です（状態 {state}、開始 {started}）",
    ),
    m(
        "status.interrupted",
        "interrupted rotation{whose} (state {state}, started {started}): run `keyturn recover`",
        "{whose}ローテーションが中断されています（状態 {state}、開始 {started}）: `keyturn recover` を実行してください",
    ),
    m(
        "status.not_rotatable",
        "not rotatable: {reason}",
        "ローテーション不可: {reason}",
    ),
    m(
        "status.error_hint",
        "error: {code}: {hint}",
        "エラー: {code}: {hint}",
    ),
    m(
        "status.error",
        "error: {message}",
        "エラー: {message}",
    ),
    m(
        "status.mfa_hint",
        " (the profile has mfa_serial; `keyturn rotate` asks for a code)",
        "（このプロファイルには mfa_serial があります。`keyturn rotate` はコードを尋ねます）",
    ),
    m(
        "status.listed_by",
        " (listed by `{profile}`)",
        "（`{profile}` の一覧による）",
    ),
    m(
        "status.inactive",
        "the key is Inactive{by}: the AWS CLI cannot use it",
        "キーは Inactive です{by}。AWS CLI では使えません",
    ),
    m(
        "status.stale",
        "STALE (max {max}): run `keyturn rotate {profile}`",
        "期限超過（上限 {max}）: `keyturn rotate {profile}` を実行してください",
    ),
    m(
        "status.held_by",
        " (in profile {profile})",
        "（プロファイル {profile} が保持）",
    ),
    m(
        "status.leftover",
        "leftover inactive key {key}{held}",
        "残っている Inactive なキー {key}{held}",
    ),
    m(
        "status.second_active",
        "second active key {key}{held}",
        "2 つ目の Active なキー {key}{held}",
    ),
    m(
        "status.same_key",
        "same key as {profiles}",
        "{profiles} と同じキー",
    ),
    // Why a profile cannot rotate, in a few words (the table's NOTE).
    m(
        "reason.profile_not_found",
        "no such profile",
        "プロファイルがありません",
    ),
    m(
        "reason.file_unparsable",
        "the AWS CLI cannot parse the file",
        "AWS CLI がファイルを解析できません",
    ),
    m(
        "reason.temporary",
        "temporary credentials (aws_session_token)",
        "一時的な認証情報（aws_session_token）",
    ),
    m(
        "reason.role",
        "role profile",
        "ロールのプロファイル",
    ),
    m(
        "reason.web_identity",
        "web identity profile",
        "ウェブ ID のプロファイル",
    ),
    m(
        "reason.sso",
        "SSO profile",
        "SSO のプロファイル",
    ),
    m(
        "reason.process",
        "credential_process profile",
        "credential_process のプロファイル",
    ),
    m(
        "reason.inherited",
        "key inherited from [DEFAULT]",
        "[DEFAULT] から継承したキー",
    ),
    m(
        "reason.half_pair",
        "half a key pair",
        "キーペアの片方だけ",
    ),
    m(
        "reason.not_a_token",
        "key value is not a single token",
        "キーの値が単一のトークンではありません",
    ),
    m(
        "reason.no_keys",
        "no access key",
        "アクセスキーがありません",
    ),
    m(
        "reason.not_iam_user",
        "not an IAM user's key",
        "IAM ユーザーのキーではありません",
    ),
    m(
        "reason.other",
        "see --output json",
        "--output json を参照してください",
    ),
    // Well-known AWS failures in plain words.
    m(
        "hint.invalid_token",
        "AWS does not know this key (deleted, or a typo)",
        "AWS はこのキーを認識していません（削除済みか、入力ミス）",
    ),
    m(
        "hint.bad_signature",
        "the secret does not match the key id",
        "シークレットがキー ID と一致しません",
    ),
    m(
        "hint.access_denied",
        "the user may not read its own key details",
        "このユーザーには自分のキーの詳細を読む権限がありません",
    ),
    m(
        "hint.network",
        "AWS could not be reached",
        "AWS に接続できませんでした",
    ),
    // --- schedule ---
    m(
        "schedule.every_min",
        "--every must be at least 1d: the job runs once a day",
        "--every は 1d 以上にしてください。ジョブは 1 日 1 回実行されます",
    ),
    m(
        "schedule.no_targets",
        "name at least one profile, or --all",
        "プロファイルを 1 つ以上指定するか、--all を指定してください",
    ),
    m(
        "schedule.bad_profile",
        "profile name {name} cannot be scheduled (empty or has control characters)",
        "プロファイル名 {name} はスケジュールできません（空か、制御文字を含みます）",
    ),
    m(
        "schedule.path_not_utf8",
        "{what} path {path} is not UTF-8; it cannot be scheduled",
        "{what} のパス {path} は UTF-8 ではないため、スケジュールできません",
    ),
    m(
        "schedule.path_bad",
        "{what} path {path} cannot be scheduled (not absolute, or has control characters)",
        "{what} のパス {path} はスケジュールできません（絶対パスでないか、制御文字を含みます）",
    ),
    m(
        "schedule.binary",
        "the keyturn binary",
        "keyturn の実行ファイル",
    ),
    m(
        "schedule.log_file",
        "log file",
        "ログファイル",
    ),
    m(
        "schedule.log_dir",
        "log folder",
        "ログフォルダー",
    ),
    m(
        "schedule.no_home",
        "HOME is not set (or not absolute)",
        "HOME が設定されていません（または絶対パスではありません）",
    ),
    m(
        "schedule.endpoint_note",
        "the endpoint URL is not passed to the scheduled job; it talks to AWS",
        "エンドポイント URL はスケジュールされたジョブには渡されません。ジョブは AWS と通信します",
    ),
    m(
        "schedule.cron_hint",
        "keyturn does not edit your crontab: add the line above with `crontab -e`.\nIt runs daily and rotates a key once it is older than {every}; output goes to {log}.",
        "keyturn は crontab を編集しません。上の行を `crontab -e` で追加してください。\n毎日実行され、{every} より古くなったキーをローテーションします。出力先は {log} です。",
    ),
    m(
        "schedule.not_ours",
        "{path} exists and was not written by keyturn; move it away first",
        "{path} はすでに存在し、keyturn が書いたものではありません。先に別の場所へ移してください",
    ),
    m(
        "schedule.wrote",
        "wrote {path}",
        "{path} を作成しました",
    ),
    m(
        "schedule.unchanged",
        "unchanged {path}",
        "{path} は変更ありません",
    ),
    m(
        "schedule.updated",
        "updated {path}",
        "{path} を更新しました",
    ),
    m(
        "schedule.runs_daily",
        "runs daily: {command}",
        "毎日実行: {command}",
    ),
    m(
        "schedule.journal",
        "the journal (journalctl --user -u keyturn-rotate)",
        "ジャーナル（journalctl --user -u keyturn-rotate）",
    ),
    m(
        "schedule.rotates_when",
        "it rotates a key once it is older than {every}; output goes to {out}",
        "{every} より古くなったキーをローテーションします。出力先: {out}",
    ),
    m(
        "schedule.start_with",
        "start it with:\n  {command}",
        "開始するには:\n  {command}",
    ),
    m(
        "schedule.linger",
        "(on a server, `loginctl enable-linger` keeps it running while you are logged out)",
        "（サーバーでは `loginctl enable-linger` を実行しておくと、ログアウト中も動き続けます）",
    ),
    m(
        "schedule.enabled_now",
        "enabled",
        "有効にしました",
    ),
    m(
        "schedule.show_systemd",
        "systemd user timer ({state}), daily",
        "systemd ユーザータイマー（{state}）、毎日",
    ),
    m(
        "schedule.show_enabled",
        "enabled",
        "有効",
    ),
    m(
        "schedule.show_not_enabled",
        "not enabled",
        "無効",
    ),
    m(
        "schedule.show_launchd",
        "launchd agent {label}, daily",
        "launchd エージェント {label}、毎日",
    ),
    m(
        "schedule.show_cron",
        "crontab line",
        "crontab の行",
    ),
    m(
        "schedule.show_file",
        "  file: {path}",
        "  ファイル: {path}",
    ),
    m(
        "schedule.show_runs",
        "  runs: {command}",
        "  実行: {command}",
    ),
    m(
        "schedule.show_runs_unknown",
        "  runs: (unreadable; see the files)",
        "  実行: （読み取れません。ファイルを確認してください）",
    ),
    m(
        "schedule.show_log",
        "  log:  {path}",
        "  ログ: {path}",
    ),
    m(
        "schedule.none",
        "no schedule installed",
        "スケジュールはインストールされていません",
    ),
    m(
        "schedule.foreign",
        "{path} was not written by keyturn; left alone",
        "{path} は keyturn が書いたものではないため、そのままにしました",
    ),
    m(
        "schedule.cron_remove",
        "keyturn does not edit your crontab: run `crontab -e` and delete the line ending in `# {marker} keyturn schedule remove`",
        "keyturn は crontab を編集しません。`crontab -e` を実行し、`# {marker} keyturn schedule remove` で終わる行を削除してください",
    ),
    m(
        "schedule.systemd_unload",
        "if it was running, unload it: systemctl --user stop {timer} && systemctl --user daemon-reload",
        "実行中だった場合はアンロードしてください: systemctl --user stop {timer} && systemctl --user daemon-reload",
    ),
    m(
        "schedule.launchd_unload",
        "if it was loaded, unload it: launchctl bootout gui/$(id -u)/{label}",
        "ロード済みだった場合はアンロードしてください: launchctl bootout gui/$(id -u)/{label}",
    ),
    m(
        "schedule.removed",
        "removed {path}",
        "{path} を削除しました",
    ),
    m(
        "schedule.tool_failed",
        "`{command}` failed ({status})",
        "`{command}` が失敗しました（{status}）",
    ),
    m(
        "schedule.no_uid",
        "`id -u` did not print a user id",
        "`id -u` がユーザー ID を出力しませんでした",
    ),
    // What was being done when an I/O error struck (anyhow context: the
    // cause follows after `: `).
    m(
        "ctx.find_binary",
        "finding the keyturn binary",
        "keyturn の実行ファイルが見つかりません",
    ),
    m(
        "ctx.absolute",
        "making {path} absolute",
        "{path} を絶対パスにできません",
    ),
    m(
        "ctx.read",
        "reading {path}",
        "{path} を読み込めません",
    ),
    m(
        "ctx.remove",
        "removing {path}",
        "{path} を削除できません",
    ),
    m(
        "ctx.create",
        "creating {path}",
        "{path} を作成できません",
    ),
    m(
        "ctx.no_parent",
        "{path} has no parent folder",
        "{path} には親フォルダーがありません",
    ),
    m(
        "ctx.write",
        "writing {path}",
        "{path} に書き込めません",
    ),
    m(
        "ctx.run",
        "running {program}",
        "{program} を実行できません",
    ),
    m(
        "ctx.stdout",
        "writing to stdout",
        "標準出力に書き込めません",
    ),    // --- audit: the table, its legend and summary (JSON/CSV stay English) ---
    m("audit.col_severity", "SEVERITY", "重大度"),
    m("audit.col_rule", "RULE", "ルール"),
    m("audit.col_account", "ACCOUNT", "アカウント"),
    m("audit.col_local_profile", "LOCAL PROFILE", "ローカルプロファイル"),
    m("audit.sev_critical", "critical", "重大"),
    m("audit.sev_high", "high", "高"),
    m("audit.sev_medium", "medium", "中"),
    m("audit.sev_low", "low", "低"),
    m("audit.key_slot", "key {slot}", "キー {slot}"),
    m("audit.two_keys", "2 keys", "キー 2 個"),
    m("audit.ago", "{span} ago", "{span} 前"),
    m("audit.rules_heading", "rules:", "ルール:"),
    m(
        "audit.rule_root_access_key",
        "the root user has an access key",
        "ルートユーザーがアクセスキーを持っている",
    ),
    m(
        "audit.rule_key_not_rotated",
        "active key {limit} old or more (--max-age)",
        "作成から {limit} 以上経過した有効なキー（--max-age）",
    ),
    m(
        "audit.rule_key_unused",
        "active key unused for {limit} or more (--unused)",
        "{limit} 以上使われていない有効なキー（--unused）",
    ),
    m(
        "audit.rule_two_active_keys",
        "user with two active keys",
        "有効なキーを 2 つ持つユーザー",
    ),
    m(
        "audit.rule_key_never_used",
        "active key never used",
        "一度も使われていない有効なキー",
    ),
    m(
        "audit.fixes_heading",
        "local keys, fixed by:",
        "ローカルのキーは次のコマンドで修正できます:",
    ),
    m("audit.findings_one", "{count} finding", "検出 {count} 件"),
    m("audit.findings_many", "{count} findings", "検出 {count} 件"),
    m("audit.accounts_one", "{count} account", "{count} アカウント"),
    m("audit.accounts_many", "{count} accounts", "{count} アカウント"),
    m("audit.users_one", "{count} user", "ユーザー {count} 人"),
    m("audit.users_many", "{count} users", "ユーザー {count} 人"),
    m("audit.keys_one", "{count} key", "キー {count} 個"),
    m("audit.keys_many", "{count} keys", "キー {count} 個"),
    m("audit.severity_count", "{count} {severity}", "{severity} {count}"),
    m("audit.list_separator", ", ", "、"),
    m("audit.summary_counts", " ({counts})", "（{counts}）"),
    m(
        "audit.summary",
        "{findings}{counts} in {accounts} ({users}, {keys} checked)",
        "{accounts}（{users}、{keys}を確認）で{findings}{counts}",
    ),
    m(
        "audit.summary_failed",
        "; {count} account(s) FAILED, see below",
        "。{count} アカウントの監査に失敗しました（下記参照）",
    ),
    m("audit.account_named", "{account} ({name})", "{account}（{name}）"),
    m(
        "audit.skipped_line",
        "skipped {account}: {reason}",
        "スキップ {account}: {reason}",
    ),
    m(
        "audit.failed_line",
        "FAILED {account} ({via}): {error}",
        "監査失敗 {account}（{via}）: {error}",
    ),
    m(
        "audit.csv_failed",
        "account {account} ({via}): {error}",
        "アカウント {account}（{via}）を監査できませんでした: {error}",
    ),
    // --- audit: the credential report ---
    m(
        "audit.report_not_utf8",
        "the credential report is not UTF-8 (at byte {byte})",
        "認証情報レポートが UTF-8 ではありません（{byte} バイト目）",
    ),
    m(
        "audit.report_empty",
        "the credential report is empty",
        "認証情報レポートが空です",
    ),
    m(
        "audit.report_missing_column",
        "the credential report has no `{column}` column",
        "認証情報レポートに `{column}` 列がありません",
    ),
    m(
        "audit.report_bad_csv",
        "line {line} of the credential report is not valid CSV: {detail}",
        "認証情報レポートの {line} 行目は正しい CSV ではありません: {detail}",
    ),
    m(
        "audit.report_bad_row",
        "row {row} of the credential report: {detail}",
        "認証情報レポートの {row} 行目: {detail}",
    ),
    m(
        "audit.csv_quote_in_field",
        "a quote inside an unquoted field",
        "引用符で囲まれていないフィールドの中に引用符があります",
    ),
    m(
        "audit.csv_text_after_quote",
        "text after a closing quote",
        "閉じ引用符の後に文字があります",
    ),
    m(
        "audit.csv_quote_not_closed",
        "a quoted field is never closed",
        "引用符で始まるフィールドが閉じられていません",
    ),
    m(
        "audit.row_field_count",
        "{count} fields, the header has {header}",
        "フィールドが {count} 個ですが、ヘッダーは {header} 個です",
    ),
    m(
        "audit.row_bad_active",
        "access_key_{slot}_active is `{value}`",
        "access_key_{slot}_active の値 `{value}` は true でも false でもありません",
    ),
    // --- audit: the command ---
    m(
        "audit.flag_too_long",
        "{flag} `{value}` is too long",
        "{flag} `{value}` は長すぎます",
    ),
    m(
        "audit.concurrency_zero",
        "--concurrency and --account-concurrency must be at least 1",
        "--concurrency と --account-concurrency は 1 以上にしてください",
    ),
    m(
        "audit.bad_org_role",
        "--org-role `{role}` is not a role name (e.g. OrganizationAccountAccessRole)",
        "--org-role `{role}` はロール名ではありません（例: OrganizationAccountAccessRole）",
    ),
    m(
        "audit.file_not_utf8",
        "{path}:{line}: not UTF-8; the AWS CLI cannot read this file either",
        "{path}:{line}: UTF-8 ではありません。AWS CLI もこのファイルを読めません",
    ),
    m(
        "audit.after_fallback",
        "{error}; and before that, {why}",
        "{error}（その前に: {why}）",
    ),
    m(
        "audit.account_state",
        "the account is {state}",
        "アカウントの状態が {state} です",
    ),
    m(
        "audit.report_denied",
        "the credential report is not permitted ({error})",
        "認証情報レポートの取得が許可されていません（{error}）",
    ),
    m(
        "audit.report_not_ready",
        "the credential report was not ready within {seconds}s",
        "認証情報レポートが {seconds}s 以内に準備できませんでした",
    ),
    m(
        "audit.note_listed_instead",
        "{why}; listed users and keys instead",
        "{why}。代わりにユーザーとキーを一覧して監査しました",
    ),
    m(
        "audit.note_keys_denied",
        "ListAccessKeys was denied for {count} user(s): their findings name key slots, not key ids",
        "{count} ユーザーで ListAccessKeys が拒否されました。これらの検出はキー ID ではなくキーのスロット番号で示します",
    ),
    m(
        "audit.note_root_unknown",
        "could not tell whether the root user has access keys ({error})",
        "ルートユーザーがアクセスキーを持っているか判定できませんでした（{error}）",
    ),
    m(
        "audit.log_listing_org",
        "listing the organization's accounts with profile {profile}",
        "プロファイル {profile} で組織のアカウントを一覧しています",
    ),
    m(
        "audit.log_assuming",
        "{account}: assuming {role_arn}",
        "{account}: {role_arn} を引き受けています",
    ),
    m(
        "audit.log_fallback",
        "{account}: {why}; listing users and keys",
        "{account}: {why}。ユーザーとキーを一覧します",
    ),
    m(
        "audit.log_listing_keys",
        "{account}: listing the keys of {count} users",
        "{account}: {count} ユーザーのキーを一覧しています",
    ),
    // --- keystore ---
    m(
        "keystore.wrong_passphrase",
        "cannot decrypt {path}: the passphrase is wrong (aws-vault reads it from AWS_VAULT_FILE_PASSPHRASE, granted from CF_KEYRING_FILE_PASSWORD)",
        "{path} を復号できません。パスフレーズが違います（aws-vault は AWS_VAULT_FILE_PASSPHRASE、granted は CF_KEYRING_FILE_PASSWORD から読みます）",
    ),
    m(
        "keystore.no_passphrase",
        "the {tool} file keyring needs its passphrase and there is no terminal to ask on: set {var}",
        "{tool} のファイルキーリングにはパスフレーズが必要ですが、入力を求める端末がありません。{var} を設定してください",
    ),
    m(
        "keystore.collection_locked",
        "the Secret Service collection `{collection}` is locked: unlock it (log in to the desktop, or run `gnome-keyring-daemon --unlock`) and run keyturn again",
        "Secret Service のコレクション `{collection}` がロックされています。ロックを解除して（デスクトップにログインするか `gnome-keyring-daemon --unlock` を実行して）keyturn を再実行してください",
    ),
    m(
        "keystore.collection_missing",
        "the Secret Service collection `{collection}` does not exist: add the key with the tool first",
        "Secret Service のコレクション `{collection}` がありません。先にツールでアクセスキーを追加してください",
    ),
    m(
        "keystore.no_secret_service",
        "no Secret Service answers on the D-Bus session bus ({detail}): start one (such as gnome-keyring) or choose another backend",
        "D-Bus セッションバスで Secret Service が応答しません（{detail}）。gnome-keyring などを起動するか、別のバックエンドを選んでください",
    ),
    m(
        "keystore.secret_service",
        "Secret Service collection `{collection}`: {detail}",
        "Secret Service のコレクション `{collection}`: {detail}",
    ),
    m(
        "keystore.pass_missing",
        "the `{cmd}` command is not installed or not on PATH: install pass (Debian: `apt-get install pass`) or set AWS_VAULT_PASS_CMD",
        "`{cmd}` コマンドがインストールされていないか、PATH にありません。pass をインストールする（Debian: `apt-get install pass`）か、AWS_VAULT_PASS_CMD を設定してください",
    ),
    m(
        "keystore.pass_failed",
        "`{cmd} {action}` failed: {detail}",
        "`{cmd} {action}` が失敗しました: {detail}",
    ),
    m(
        "keystore.unsupported_backend",
        "{tool}'s `{backend}` backend is not supported yet: keyturn reads the file, pass and secret-service backends (see \"Keystores\" in the README)",
        "{tool} の `{backend}` バックエンドにはまだ対応していません。keyturn が扱えるのは file、pass、secret-service の各バックエンドです（README の「Keystores」を参照してください）",
    ),
    m(
        "keystore.unknown_backend",
        "`{backend}` is not a {tool} backend: use file, pass or secret-service",
        "`{backend}` は {tool} のバックエンドではありません。file、pass、secret-service のいずれかを使ってください",
    ),
    m(
        "keystore.not_long_term",
        "the keyring item `{key}` does not hold a long-term access key ({reason} shows temporary credentials): rotate the long-term access key they were issued from",
        "キーリングの項目 `{key}` は長期的なアクセスキーではありません（{reason} は一時的な認証情報を示します）。発行元の長期的なアクセスキーをローテーションしてください",
    ),
    m(
        "keystore.malformed",
        "{what}: not a keyring item keyturn can read ({reason})",
        "{what}: keyturn が読めるキーリングの項目ではありません（{reason}）",
    ),
    m(
        "keystore.unsafe_path",
        "{path} is a symbolic link or not what the keyring expects there: keyturn does not follow it",
        "{path} はシンボリックリンクか、キーリングが想定する種類のものではありません。keyturn はたどりません",
    ),
    m(
        "keystore.bad_config",
        "{path}: {reason}",
        "{path}: {reason}",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    #[test]
    fn detection_follows_posix_precedence() {
        assert_eq!(detect(None, None, None), Lang::En);
        assert_eq!(detect(None, None, Some("ja_JP.UTF-8")), Lang::Ja);
        assert_eq!(detect(None, None, Some("ja")), Lang::Ja);
        assert_eq!(detect(None, None, Some("en_US.UTF-8")), Lang::En);
        assert_eq!(detect(None, None, Some("C")), Lang::En);
        // LC_ALL wins over LANG, LC_MESSAGES over LANG.
        assert_eq!(
            detect(Some("ja_JP.UTF-8"), None, Some("en_US.UTF-8")),
            Lang::Ja
        );
        assert_eq!(
            detect(Some("C.UTF-8"), Some("ja_JP"), Some("ja_JP")),
            Lang::En
        );
        assert_eq!(detect(None, Some("ja_JP.eucJP"), Some("C")), Lang::Ja);
        // An empty variable is as good as unset.
        assert_eq!(detect(Some(""), Some(""), Some("ja_JP.UTF-8")), Lang::Ja);
        // Not every `j` is Japanese.
        assert_eq!(detect(None, None, Some("jv_ID")), Lang::En);
    }

    #[test]
    fn the_default_is_english() {
        // Unit tests never call `set`: every other test asserts English.
        assert_eq!(current(), Lang::En);
        assert_eq!(tr("usage.jobs_zero"), "--jobs must be at least 1");
    }

    #[test]
    fn fill_replaces_named_placeholders_only() {
        let n = 3;
        assert_eq!(
            fill("{a} and {b}, {a} again", &[("a", &"x"), ("b", &n)]),
            "x and 3, x again"
        );
        // Unknown or malformed placeholders stay visible.
        assert_eq!(fill("{zz} {A} {} {", &[("a", &1)]), "{zz} {A} {} {");
        assert_eq!(
            trf("usage.unknown_unit", &[("value", &"5w"), ("unit", &"w")]),
            "`5w`: unknown unit `w`; use s, m, h or d"
        );
        assert_eq!(
            fill(
                tr_in(Lang::Ja, "usage.unknown_unit"),
                &[("value", &"5w"), ("unit", &"w")]
            ),
            "`5w`: 単位 `w` は使えません。s、m、h、d のいずれかを使ってください"
        );
    }

    #[test]
    fn placeholder_names() {
        assert_eq!(placeholders("{b} {a} {b} {Not} {}"), ["a", "b"]);
        assert!(placeholders("no braces").is_empty());
    }

    #[test]
    fn width_counts_wide_characters_twice() {
        assert_eq!(width("KEY"), 3);
        assert_eq!(width("AKIA…MPLE"), 9);
        assert_eq!(width("キー"), 4);
        assert_eq!(width("最終使用 x"), 10);
        assert_eq!(width("（）、。"), 8);
    }

    #[test]
    fn every_entry_has_both_languages_and_the_same_placeholders() {
        let mut seen = BTreeSet::new();
        for m in CATALOGUE {
            assert!(seen.insert(m.id), "duplicate id {}", m.id);
            assert!(!m.en.trim().is_empty(), "{}: empty English", m.id);
            assert!(!m.ja.trim().is_empty(), "{}: empty Japanese", m.id);
            assert_eq!(
                placeholders(m.en),
                placeholders(m.ja),
                "{}: placeholders differ between English and Japanese",
                m.id
            );
            // A `{` that is not a placeholder would be a typo.
            for text in [m.en, m.ja] {
                assert_eq!(
                    text.matches('{').count(),
                    text.match_indices('{')
                        .filter(|(i, _)| placeholder_at(&text[i + 1..]).is_some())
                        .count(),
                    "{}: stray brace in {text:?}",
                    m.id
                );
            }
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

    #[test]
    fn every_lookup_in_the_source_exists_with_its_placeholders() {
        let by_id: BTreeMap<&str, &Msg> = CATALOGUE.iter().map(|m| (m.id, m)).collect();
        let calls = calls();
        assert!(
            calls.len() > 100,
            "the scan found only {} calls",
            calls.len()
        );
        for c in &calls {
            let Some(m) = by_id.get(c.id.as_str()) else {
                panic!("{}: `{}` is not in the catalogue", c.at, c.id);
            };
            let wanted: BTreeSet<String> =
                placeholders(m.en).into_iter().map(String::from).collect();
            match &c.names {
                None => assert!(
                    wanted.is_empty(),
                    "{}: `{}` has placeholders {wanted:?}: use trf",
                    c.at,
                    c.id
                ),
                Some(names) => assert_eq!(
                    names, &wanted,
                    "{}: `{}` is filled with other names than its placeholders",
                    c.at, c.id
                ),
            }
        }
    }

    #[test]
    fn every_entry_is_used() {
        let used: BTreeSet<String> = calls().into_iter().map(|c| c.id).collect();
        let unused: Vec<&str> = CATALOGUE
            .iter()
            .map(|m| m.id)
            .filter(|id| !used.contains(*id))
            .collect();
        assert!(
            unused.is_empty(),
            "catalogue entries nobody uses: {unused:?}"
        );
    }
}
