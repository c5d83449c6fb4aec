# keyturn messages: Japanese. Ids are `area-what` (looked up as `area.what`).
# Generated from the old catalogue by catalogue2ftl.py, then edited.


## cli: usage errors (exit 2)
usage-not_a_duration = `{ $value }` は期間として読めません。90s、2m、12h、60d のように指定してください
usage-unknown_unit = `{ $value }`: 単位 `{ $unit }` は使えません。s、m、h、d のいずれかを使ってください
usage-too_long = `{ $value }` は長すぎます
usage-no_home = HOME が設定されていません。--credentials-file と --config-file を指定してください
usage-endpoint_scheme = --endpoint-url `{ $url }` は http:// か https:// で始めてください
usage-timeout_zero = --timeout には 0s より長い時間を指定してください
usage-verify_count_zero = --verify-count は 1 以上にしてください
usage-jobs_zero = --jobs は 1 以上にしてください

## profile: refusals (exit 3)
refusal-not_found = プロファイル `{ $profile }` は { $credentials } にも { $config } にもありません。名前を確認するか（`keyturn status` でプロファイルを一覧できます）、--credentials-file/--config-file を指定してください
refusal-unparsable = { $path }: AWS CLI はこのファイルを解析できません（{ $detail }）。先に修正してください。何も変更していません
refusal-temporary = { $path } のプロファイル `{ $profile }` は一時的な認証情報（aws_session_token）を持っています。一時的な認証情報は自然に失効するので、発行元の長期キーをローテーションしてください
refusal-role = { $path } のプロファイル `{ $profile }` はロールを引き受けます（{ $key }）。認証情報は別のプロファイルから来るので、そのソースプロファイルをローテーションしてください
refusal-web_identity = { $path } のプロファイル `{ $profile }` はウェブ ID フェデレーション（{ $key }）を使います。ローテーションするアクセスキーがありません
refusal-sso = { $path } のプロファイル `{ $profile }` は IAM Identity Center（SSO、{ $key }）を使います。認証情報は短期間で失効するため、ローテーションするものはありません
refusal-process = { $path } のプロファイル `{ $profile }` は credential_process から認証情報を取得します。そのプロセスが認証情報を保管している場所でローテーションしてください
refusal-inherited = プロファイル `{ $profile }` は { $path } の [DEFAULT] から { $key } を継承しています。ローテーションするとすべてのプロファイルが変わってしまうので、先にこのプロファイル専用のキーペアを設定してください
refusal-half_pair = { $path } のプロファイル `{ $profile }` には { $present } がありますが { $missing } がありません。足りない方を追加するか、余分な方を削除してください
refusal-not_a_token = { $path }:{ $line }: プロファイル `{ $profile }` の { $key } が単一のトークンではありません（空白または継続行を含みます）。先に値を修正してください
refusal-no_keys = プロファイル `{ $profile }` には { $credentials } にも { $config } にも静的なアクセスキーがありません。ローテーションするものはありません

## ini: why the AWS CLI would refuse a file
ini-bom = 1 行目: ファイルが UTF-8 のバイトオーダーマーク（BOM）で始まっており、AWS CLI はこれを読めません。BOM なしで保存してください
ini-missing_header = { $line } 行目: 最初の [section] ヘッダーより前にテキストがあります
ini-duplicate_section = { $line } 行目: セクション [{ $section }] が 2 回出てきます
ini-duplicate_key = { $line } 行目: [{ $section }] にキー `{ $key }` が 2 回出てきます
ini-syntax = { $line } 行目: `key = value` の行でも [section] ヘッダーでもコメントでもありません
ini-not_utf8 = { $line } 行目: ファイルが正しい UTF-8 ではありません
ini-no_such_line = 内部エラー: 行インデックス { $line } が範囲外です
ini-not_an_entry = { $line } 行目は `key = value` の行ではありません
ini-not_a_token = { $line } 行目: 新しい値が単一のトークンではありません

## store: file-system errors
store-locked = { $file }: 別の keyturn の実行がロック { $lock } を保持しています。終了を待つか、止まったままのプロセスがないか確認してください
store-missing = { $path } が存在しません。keyturn がこのファイルを作成することはありません
store-unstable = keyturn の書き込み中に { $path } が変更され続けています。別のプログラムが編集しているので、やり直してください
store-owner = { $path }: ファイルの所有者 { $uid }:{ $gid } を維持できません（{ $error }）。そのユーザーとして keyturn を実行してください

## rotate: errors
rotate-not_iam_user = プロファイル `{ $profile }`: このキーは IAM ユーザーではなく{ $what }（{ $arn }）のものです。{ $hint }
rotate-two_keys = プロファイル `{ $profile }`: IAM ユーザー { $user } にはすでにキーが 2 つあります。{ $detail }
rotate-needs_mfa = プロファイル `{ $profile }`: { $what } のため MFA コードが必要です。--mfa-code を指定するか、端末で実行してください
rotate-unknown_key = プロファイル `{ $profile }`: ファイル内のキー（{ $key }）は、IAM がユーザー { $user } のキーとして把握しているものではありません。何も変更していません
rotate-aws = プロファイル `{ $profile }`: { $step }: { $error }
rotate-profile = プロファイル `{ $profile }`: { $detail }
rotate-bad_journal = { $path }: ジャーナルを読み込めません（{ $detail }）。別の場所へ移してから、もう一度 `keyturn recover` を実行してください
principal-root = ルートユーザー
principal-assumed_role = 引き受けたロール
principal-federated = フェデレーションユーザー
principal-unknown = 不明なプリンシパル
principal-root_hint = ルートユーザーのアクセスキーはローテーションではなく削除すべきです。代わりに IAM ユーザーを使ってください
principal-assumed_role_hint = ロールのセッションは一時的なものです。ローテーションするものはありません
principal-federated_hint = フェデレーションのセッションは一時的なものです。ローテーションするものはありません
principal-unknown_hint = ローテーションできるのは IAM ユーザーのアクセスキーだけです
aws_step-list_orphans = IAM ListAccessKeys（孤立したキーの確認）
aws_step-delete_orphan = IAM DeleteAccessKey（孤立したキー）
aws_step-delete_new = IAM DeleteAccessKey（新しいキー、ロールバック中）
aws_step-delete_other = IAM DeleteAccessKey（もう一方のキー）
aws_step-retire = 古いキーの廃止（新しいキーは配置済みで動作します。`keyturn recover` で再試行してください）

## rotate: progress
step-resume = 中断されたローテーションを処理しています
step-undo = 中断されたローテーションを元に戻しています
step-finish = 中断されたローテーションを完了させています
step-mfa_session = MFA セッションを取得しています（STS GetSessionToken）
step-identify = キーの所有者を確認しています（STS GetCallerIdentity）
step-list_keys = ユーザーのアクセスキーを一覧しています（IAM ListAccessKeys）
step-delete_other = 空きを作るため、ユーザーのもう一方のキーを削除しています
step-create = 新しいキーを作成しています（IAM CreateAccessKey）
step-write = 新しいキーをファイルに書き込んでいます
step-verify = 新しいキーを検証しています（IAM は結果整合性のため、反映に時間がかかることがあります）
step-hook = フック `{ $name }` を実行しています
step-retire = 古いキーを廃止しています

## rotate: warnings, questions, details
warn-env_key = このシェルの AWS_ACCESS_KEY_ID はローテーション中のキー（{ $key }）です。古いキーを廃止すると使えなくなるので、終わったらシェルの認証情報を読み込み直してください
warn-delete_other_active = もう一方の Active なキー { $key } を削除します（{ $last }）
warn-sharers = 同じキーを持つ他のプロファイルは使えなくなります: { $profiles }
warn-create_failed = CreateAccessKey が失敗しました: { $error }
warn-orphan = 孤立したキー { $key } を削除します（シークレットが保存されていませんでした）
warn-rolling_back = ロールバックします: { $reason }
ask-delete_inactive = IAM ユーザー { $user } には 2 つ目の Inactive なキー { $key } があります。空きを作るために削除しますか？
detail-partition = このキーはパーティション { $partition } のものです。プロファイルの `region` をそのパーティションのリージョンに設定してください
detail-other_active = もう一方のキー { $key } は Active で（{ $last }）、他の場所で使われているかもしれません。--delete-other-active を付けて再実行して削除するか、ご自身で削除してください
detail-other_inactive = もう一方のキー { $key } は Inactive です。削除するには --yes を付けて再実行してください
detail-no_new_key = この状態には新しいキーが必要ですが、ジャーナルにありません
detail-hook_failed = { $detail }。新しいキー { $new } はファイルに書き込まれて動作し、古いキー { $old } もまだ有効です。フックを直してから `keyturn rotate --resume { $profile }`（または `keyturn recover`）を実行して完了させてください
detail-rolled_back = { $reason }。ロールバックしました: 古いキー { $key } はそのまま残っていて動作します。新しいキーは削除しました
detail-no_result = 内部エラー: 結果がありません
detail-not_processed = 内部エラー: プロファイルが処理されませんでした
reason-file_changed = プロファイルにもう古いキーがありません（その間にファイルが編集されましたか？）
reason-write_failed = ファイルの書き込みに失敗しました: { $error }
reason-no_interrupted = 中断されたローテーションはありません
verify-wrong_user = 新しいキーは { $expected } ではなく { $actual } のものです
verify-timeout = 新しいキーが { $secs } 秒以内に使えるようになりませんでした（最後のエラー: { $error }）
verify-refused = 新しいキーが拒否されました: { $error }
last_used-never = 未使用
last_used-at = 最終使用 { $date }（{ $region } の { $service }）
last_used-unknown = 最終使用日時は不明
last_used-unknown_service = 不明なサービス
last_used-unknown_region = 不明なリージョン

## hooks and the settings file
hooks-settings_hook = { $path }: フック `{ $name }`: { $message }
hooks-empty_command = command が空です
hooks-spawn_failed = フック `{ $name }` を起動できませんでした: { $error }
hooks-timed_out = フック `{ $name }` が { $secs } 秒でタイムアウトしました
hooks-wait_failed = フック `{ $name }`: { $error }
hooks-failed = フック `{ $name }` が失敗しました（{ $status }）

## ui: prompts
ui-mfa_prompt = { $serial } の MFA コード:{" "}

## rotate / recover: results
out-rotated = { $profile } をローテーションしました: { $old } -> { $new }（{ $arn }）{ $resumed }。古いキーは{ $retired }
out-resumed = 、中断されたローテーションを完了
out-retired_delete = 削除しました
out-retired_deactivate = 無効化しました
out-updated = {"  "}更新: { $place }
out-backup = {"  "}バックアップ: { $path }
out-plan = { $profile } の計画（ドライラン、何も変更していません）: ユーザー { $arn }
out-plan_delete_other = {"  "}ユーザーのもう一方のキー { $key } を削除
out-plan_create = {"  "}新しいキーを作成
out-plan_write = {"  "}{ $place } に書き込み
out-plan_verify_delete = {"  "}検証してから、古いキー { $key } を削除
out-plan_verify_deactivate = {"  "}検証してから、古いキー { $key } を無効化
out-fresh = { $profile } のキーはまだ新しいので何もしません: { $key } は作成から { $days } 日です
out-skipped = { $profile } をスキップしました: { $reason }
out-shared = { $profile } を { $with } と一緒にローテーションしました（同じキー）
out-recovered = { $profile } を復旧しました: ローテーションを完了し、{ $key } を使用しています
out-recovered_rolled_back = { $profile } を復旧しました: ロールバックし、古いキーが元どおり配置されています
out-nothing_to_recover = 復旧するものはありません

## status
status-unparsable = { $path }: AWS CLI はこのファイルを解析できません（{ $error }）。先に修正してください
status-asking = { $count } 個のキーについて AWS に問い合わせています
status-no_profiles = { $credentials } にも { $config } にもプロファイルがありません
status-not_user = このキーは{ $what }のものです。{ $hint }
status-col_profile = プロファイル
status-col_key = キー
status-col_where = 場所
status-col_user = ユーザー
status-col_age = 経過
status-col_status = 状態
status-col_last_used = 最終使用
status-col_note = 備考
status-one_day = 1 日
status-days = { $count } 日
status-never = 未使用
status-whose = 同じキーを持つ `{ $profile }` の
status-in_progress = { $whose }ローテーションが進行中です（状態 { $state }、開始 { $started }）
status-interrupted = { $whose }ローテーションが中断されています（状態 { $state }、開始 { $started }）: `keyturn recover` を実行してください
status-not_rotatable = ローテーション不可: { $reason }
status-error_hint = エラー: { $code }: { $hint }
status-error = エラー: { $message }
status-mfa_hint = （このプロファイルには mfa_serial があります。`keyturn rotate` はコードを尋ねます）
status-listed_by = （`{ $profile }` の一覧による）
status-inactive = キーは Inactive です{ $by }。AWS CLI では使えません
status-stale = 期限超過（上限 { $max }）: `keyturn rotate { $profile }` を実行してください
status-held_by = （プロファイル { $profile } が保持）
status-leftover = 残っている Inactive なキー { $key }{ $held }
status-second_active = 2 つ目の Active なキー { $key }{ $held }
status-same_key = { $profiles } と同じキー
reason-profile_not_found = プロファイルがありません
reason-file_unparsable = AWS CLI がファイルを解析できません
reason-temporary = 一時的な認証情報（aws_session_token）
reason-role = ロールのプロファイル
reason-web_identity = ウェブ ID のプロファイル
reason-sso = SSO のプロファイル
reason-process = credential_process のプロファイル
reason-inherited = [DEFAULT] から継承したキー
reason-half_pair = キーペアの片方だけ
reason-not_a_token = キーの値が単一のトークンではありません
reason-no_keys = アクセスキーがありません
reason-not_iam_user = IAM ユーザーのキーではありません
reason-other = --output json を参照してください
hint-invalid_token = AWS はこのキーを認識していません（削除済みか、入力ミス）
hint-bad_signature = シークレットがキー ID と一致しません
hint-access_denied = このユーザーには自分のキーの詳細を読む権限がありません
hint-network = AWS に接続できませんでした

## schedule
schedule-every_min = --every は 1d 以上にしてください。ジョブは 1 日 1 回実行されます
schedule-no_targets = プロファイルを 1 つ以上指定するか、--all を指定してください
schedule-bad_profile = プロファイル名 { $name } はスケジュールできません（空か、制御文字を含みます）
schedule-path_not_utf8 = { $what } のパス { $path } は UTF-8 ではないため、スケジュールできません
schedule-path_bad = { $what } のパス { $path } はスケジュールできません（絶対パスでないか、制御文字を含みます）
schedule-binary = keyturn の実行ファイル
schedule-log_file = ログファイル
schedule-log_dir = ログフォルダー
schedule-no_home = HOME が設定されていません（または絶対パスではありません）
schedule-endpoint_note = エンドポイント URL はスケジュールされたジョブには渡されません。ジョブは AWS と通信します
schedule-cron_hint =
    keyturn は crontab を編集しません。上の行を `crontab -e` で追加してください。
    毎日実行され、{ $every } より古くなったキーをローテーションします。出力先は { $log } です。
schedule-not_ours = { $path } はすでに存在し、keyturn が書いたものではありません。先に別の場所へ移してください
schedule-wrote = { $path } を作成しました
schedule-unchanged = { $path } は変更ありません
schedule-updated = { $path } を更新しました
schedule-runs_daily = 毎日実行: { $command }
schedule-journal = ジャーナル（journalctl --user -u keyturn-rotate）
schedule-rotates_when = { $every } より古くなったキーをローテーションします。出力先: { $out }
schedule-start_with =
    開始するには:
    {"  "}{ $command }
schedule-linger = （サーバーでは `loginctl enable-linger` を実行しておくと、ログアウト中も動き続けます）
schedule-enabled_now = 有効にしました
schedule-show_systemd = systemd ユーザータイマー（{ $state }）、毎日
schedule-show_enabled = 有効
schedule-show_not_enabled = 無効
schedule-show_launchd = launchd エージェント { $label }、毎日
schedule-show_cron = crontab の行
schedule-show_file = {"  "}ファイル: { $path }
schedule-show_runs = {"  "}実行: { $command }
schedule-show_runs_unknown = {"  "}実行: （読み取れません。ファイルを確認してください）
schedule-show_log = {"  "}ログ: { $path }
schedule-none = スケジュールはインストールされていません
schedule-foreign = { $path } は keyturn が書いたものではないため、そのままにしました
schedule-cron_remove = keyturn は crontab を編集しません。`crontab -e` を実行し、`# { $marker } keyturn schedule remove` で終わる行を削除してください
schedule-systemd_unload = 実行中だった場合はアンロードしてください: systemctl --user stop { $timer } && systemctl --user daemon-reload
schedule-launchd_unload = ロード済みだった場合はアンロードしてください: launchctl bootout gui/$(id -u)/{ $label }
schedule-removed = { $path } を削除しました
schedule-tool_failed = `{ $command }` が失敗しました（{ $status }）
schedule-no_uid = `id -u` がユーザー ID を出力しませんでした
ctx-find_binary = keyturn の実行ファイルが見つかりません
ctx-absolute = { $path } を絶対パスにできません
ctx-read = { $path } を読み込めません
ctx-remove = { $path } を削除できません
ctx-create = { $path } を作成できません
ctx-no_parent = { $path } には親フォルダーがありません
ctx-write = { $path } に書き込めません
ctx-run = { $program } を実行できません
ctx-stdout = 標準出力に書き込めません
audit-col_severity = 重大度
audit-col_rule = ルール
audit-col_account = アカウント
audit-col_local_profile = ローカルプロファイル
audit-sev_critical = 重大
audit-sev_high = 高
audit-sev_medium = 中
audit-sev_low = 低
audit-key_slot = キー { $slot }
audit-two_keys = キー 2 個
audit-ago = { $span } 前
audit-rules_heading = ルール:
audit-rule_root_access_key = ルートユーザーがアクセスキーを持っている
audit-rule_key_not_rotated = 作成から { $limit } 以上経過した有効なキー（--max-age）
audit-rule_key_unused = { $limit } 以上使われていない有効なキー（--unused）
audit-rule_two_active_keys = 有効なキーを 2 つ持つユーザー
audit-rule_key_never_used = 一度も使われていない有効なキー
audit-fixes_heading = ローカルのキーは次のコマンドで修正できます:
audit-findings = 検出 { $count } 件
audit-accounts = { $count } アカウント
audit-users = ユーザー { $count } 人
audit-keys = キー { $count } 個
audit-severity_count = { $severity } { $count }
audit-list_separator = 、
audit-summary_counts = （{ $counts }）
audit-summary = { $accounts }（{ $users }、{ $keys }を確認）で{ $findings }{ $counts }
audit-summary_failed = 。{ $count } アカウントの監査に失敗しました（下記参照）
audit-account_named = { $account }（{ $name }）
audit-skipped_line = スキップ { $account }: { $reason }
audit-failed_line = 監査失敗 { $account }（{ $via }）: { $error }
audit-csv_failed = アカウント { $account }（{ $via }）を監査できませんでした: { $error }

## audit: the credential report
audit-report_not_utf8 = 認証情報レポートが UTF-8 ではありません（{ $byte } バイト目）
audit-report_empty = 認証情報レポートが空です
audit-report_missing_column = 認証情報レポートに `{ $column }` 列がありません
audit-report_bad_csv = 認証情報レポートの { $line } 行目は正しい CSV ではありません: { $detail }
audit-report_bad_row = 認証情報レポートの { $row } 行目: { $detail }
audit-csv_quote_in_field = 引用符で囲まれていないフィールドの中に引用符があります
audit-csv_text_after_quote = 閉じ引用符の後に文字があります
audit-csv_quote_not_closed = 引用符で始まるフィールドが閉じられていません
audit-row_field_count = フィールドが { $count } 個ですが、ヘッダーは { $header } 個です
audit-row_bad_active = access_key_{ $slot }_active の値 `{ $value }` は true でも false でもありません

## audit: the command
audit-flag_too_long = { $flag } `{ $value }` は長すぎます
audit-concurrency_zero = --concurrency と --account-concurrency は 1 以上にしてください
audit-bad_org_role = --org-role `{ $role }` はロール名ではありません（例: OrganizationAccountAccessRole）
audit-file_not_utf8 = { $path }:{ $line }: UTF-8 ではありません。AWS CLI もこのファイルを読めません
audit-after_fallback = { $error }（その前に: { $why }）
audit-account_state = アカウントの状態が { $state } です
audit-report_denied = 認証情報レポートの取得が許可されていません（{ $error }）
audit-report_not_ready = 認証情報レポートが { $seconds }s 以内に準備できませんでした
audit-note_listed_instead = { $why }。代わりにユーザーとキーを一覧して監査しました
audit-note_keys_denied = { $count } ユーザーで ListAccessKeys が拒否されました。これらの検出はキー ID ではなくキーのスロット番号で示します
audit-note_root_unknown = ルートユーザーがアクセスキーを持っているか判定できませんでした（{ $error }）
audit-log_listing_org = プロファイル { $profile } で組織のアカウントを一覧しています
audit-log_assuming = { $account }: { $role_arn } を引き受けています
audit-log_fallback = { $account }: { $why }。ユーザーとキーを一覧します
audit-log_listing_keys = { $account }: { $count } ユーザーのキーを一覧しています
