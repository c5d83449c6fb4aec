# keyturn messages: Japanese. Ids are `area-what` (looked up as `area.what`).
# Generated from the old catalogue by catalogue2ftl.py, then edited.


## cli: usage errors (exit 2)
usage-not_a_duration = `{ $value }` は期間として解釈できません（例: 90s、2m、12h、60d）
usage-unknown_unit = `{ $value }` の単位 `{ $unit }` は使えません。s、m、h、d のいずれかを指定してください
usage-too_long = `{ $value }` は長すぎます。もっと短い期間を指定してください
usage-no_home = HOME が設定されていません。--credentials-file と --config-file を指定してください
usage-endpoint_scheme = --endpoint-url `{ $url }` は http:// または https:// で始めてください
usage-timeout_zero = --timeout には 0 秒より長い時間を指定してください
usage-verify_count_zero = --verify-count には 1 以上を指定してください
usage-jobs_zero = --jobs には 1 以上を指定してください

## profile: refusals (exit 3)
refusal-not_found = プロファイル `{ $profile }` が { $credentials } にも { $config } にも見つかりません。名前を確認するか（`keyturn status` でプロファイルを一覧できます）、--credentials-file/--config-file でパスを指定してください
refusal-unparsable = { $path }: AWS CLI はこのファイルを解析できません（{ $detail }）。ファイルを修正してから再実行してください。何も変更していません
refusal-temporary = { $path } のプロファイル `{ $profile }` は一時的な認証情報（aws_session_token）です。一時的な認証情報は有効期限で自動的に失効します。発行元の長期的なアクセスキーをローテーションしてください
refusal-role = { $path } のプロファイル `{ $profile }` はロールを引き受けるロールプロファイルです（{ $key }）。このプロファイルの認証情報はソースプロファイルから取得されます。ソースプロファイルをローテーションしてください
refusal-web_identity = { $path } のプロファイル `{ $profile }` はウェブ ID フェデレーション（{ $key }）を使用しています。ローテーションするアクセスキーはありません
refusal-sso = { $path } のプロファイル `{ $profile }` は IAM Identity Center（SSO、{ $key }）を使用しています。認証情報は短期間で失効するため、ローテーションは不要です
refusal-process = { $path } のプロファイル `{ $profile }` は credential_process から認証情報を取得しています。そのプロセスが認証情報を保管している場所でローテーションしてください
refusal-inherited = プロファイル `{ $profile }` は { $path } の [DEFAULT] から { $key } を継承しています。ローテーションするとすべてのプロファイルが変わるため、先にこのプロファイル専用のアクセスキーを設定してください
refusal-half_pair = { $path } のプロファイル `{ $profile }` には { $present } がありますが、{ $missing } がありません。足りない方を追加するか、不要な方を削除してください
refusal-not_a_token = { $path }:{ $line }: プロファイル `{ $profile }` の { $key } が 1 つの値になっていません（空白または継続行を含みます）。値を修正してから再実行してください
refusal-no_keys = プロファイル `{ $profile }` には { $credentials } にも { $config } にも長期的なアクセスキーがありません。ローテーションするものはありません

## ini: why the AWS CLI would refuse a file
ini-bom = 1 行目: ファイルが UTF-8 の BOM（バイトオーダーマーク）で始まっているため、AWS CLI が読み込めません。BOM なしで保存してください
ini-missing_header = { $line } 行目: 最初の [section] ヘッダーより前にテキストがあります
ini-duplicate_section = { $line } 行目: セクション [{ $section }] が重複しています
ini-duplicate_key = { $line } 行目: [{ $section }] のキー `{ $key }` が重複しています
ini-syntax = { $line } 行目: `key = value` の行、[section] ヘッダー、コメントのいずれでもありません
ini-not_utf8 = { $line } 行目: UTF-8 として正しくありません
ini-no_such_line = 内部エラー: 行インデックス { $line } が範囲外です
ini-not_an_entry = { $line } 行目は `key = value` の行ではありません
ini-not_a_token = { $line } 行目: 新しい値が 1 つの値になっていません

## store: file-system errors
store-locked = { $file }: 別の keyturn がロック { $lock } を保持しています。終了を待つか、停止したままのプロセスがないか確認してください
store-missing = { $path } が存在しません。keyturn はこのファイルを作成しません。パスを確認してください
store-unstable = keyturn の書き込み中に { $path } が変更され続けています。別のプログラムが編集中です。しばらくしてから再実行してください
store-owner = { $path }: ファイルの所有者 { $uid }:{ $gid } を維持できません（{ $error }）。そのユーザーで keyturn を実行してください

## rotate: errors
rotate-not_iam_user = プロファイル `{ $profile }`: このアクセスキーは IAM ユーザーではなく、{ $what }（{ $arn }）のものです。{ $hint }
rotate-two_keys = プロファイル `{ $profile }`: IAM ユーザー { $user } にはすでにアクセスキーが 2 つあります。{ $detail }
rotate-needs_mfa = プロファイル `{ $profile }`: { $what }には MFA コードが必要です。--mfa-code で指定するか、端末で実行してください
rotate-unknown_key = プロファイル `{ $profile }`: ファイルのアクセスキー（{ $key }）は、IAM ユーザー { $user } のものではありません。何も変更していません
rotate-aws = プロファイル `{ $profile }`: { $step }: { $error }
rotate-profile = プロファイル `{ $profile }`: { $detail }
rotate-bad_journal = { $path }: ローテーション記録（ジャーナル）を読み込めません（{ $detail }）。ファイルを別の場所へ移してから、`keyturn recover` を再実行してください
principal-root = ルートユーザー
principal-assumed_role = 引き受けたロール
principal-federated = フェデレーティッドユーザー
principal-unknown = 不明なプリンシパル
principal-root_hint = ルートユーザーのアクセスキーはローテーションせず、削除してください。代わりに IAM ユーザーを使用してください
principal-assumed_role_hint = ロールのセッションは一時的な認証情報です。ローテーションは不要です
principal-federated_hint = フェデレーティッドユーザーのセッションは一時的な認証情報です。ローテーションは不要です
principal-unknown_hint = ローテーションできるのは IAM ユーザーのアクセスキーだけです
aws_step-list_orphans = IAM ListAccessKeys（孤立したアクセスキーの確認）
aws_step-delete_orphan = IAM DeleteAccessKey（孤立したアクセスキー）
aws_step-delete_new = IAM DeleteAccessKey（新しいアクセスキー、ロールバック中）
aws_step-delete_other = IAM DeleteAccessKey（もう一方のアクセスキー）
aws_step-retire = 古いアクセスキーの削除または非アクティブ化（新しいアクセスキーは配置済みで、使用できます。`keyturn recover` で再試行してください）

## rotate: progress
step-resume = 中断されたローテーションを処理しています
step-undo = 中断されたローテーションを元に戻しています
step-finish = 中断されたローテーションを完了させています
step-mfa_session = MFA セッションを取得しています（STS GetSessionToken）
step-identify = アクセスキーの所有者を確認しています（STS GetCallerIdentity）
step-list_keys = アクセスキーを一覧しています（IAM ListAccessKeys）
step-delete_other = 空きを作るため、もう一方のアクセスキーを削除しています
step-create = 新しいアクセスキーを作成しています（IAM CreateAccessKey）
step-write = 新しいアクセスキーを認証情報ファイルに書き込んでいます
step-verify = 新しいアクセスキーを検証しています（IAM への反映待ち）
step-hook = フック `{ $name }` を実行しています
step-retire =
    { $mode ->
        [deactivate] 古いアクセスキーを非アクティブ化しています
       *[other] 古いアクセスキーを削除しています
    }

## rotate: warnings, questions, details
warn-env_key = このシェルの AWS_ACCESS_KEY_ID はローテーション中のアクセスキー（{ $key }）です。古いアクセスキーを削除または非アクティブ化すると使えなくなります。完了後にシェルの認証情報を読み込み直してください
warn-delete_other_active = もう一方のアクティブなアクセスキー { $key } を削除します（{ $last }）
warn-sharers = 同じアクセスキーを使う次のプロファイルは使えなくなります: { $profiles }
warn-create_failed = CreateAccessKey が失敗しました: { $error }
warn-orphan = 孤立したアクセスキー { $key } を削除します（シークレットアクセスキーが保存されていませんでした）
warn-rolling_back = ロールバックしています: { $reason }
ask-delete_inactive = IAM ユーザー { $user } には 2 つ目の非アクティブなアクセスキー { $key } があります。空きを作るために削除しますか？
detail-partition = このアクセスキーはパーティション { $partition } のものです。プロファイルの `region` にそのパーティションのリージョンを設定してください
detail-other_active = もう一方のアクセスキー { $key } はアクティブで（{ $last }）、他の場所で使われている可能性があります。削除するには --delete-other-active を付けて再実行するか、IAM コンソールで削除してください
detail-other_inactive = もう一方のアクセスキー { $key } は非アクティブです。削除するには --yes を付けて再実行してください
detail-no_new_key = この状態には新しいアクセスキーが必要ですが、ローテーション記録にありません
detail-hook_failed = { $detail }。新しいアクセスキー { $new } はファイルに書き込み済みで使用でき、古いアクセスキー { $old } もまだ有効です。フックを修正してから `keyturn rotate --resume { $profile }`（または `keyturn recover`）を実行して完了してください
detail-rolled_back = { $reason }。ロールバックしました。古いアクセスキー { $key } はそのまま使用でき、新しいアクセスキーは削除しました
detail-no_result = 内部エラー: 結果がありません
detail-not_processed = 内部エラー: プロファイルが処理されませんでした
reason-file_changed = プロファイルに古いアクセスキーがなくなっています（実行中にファイルが編集された可能性があります）
reason-write_failed = ファイルの書き込みに失敗しました: { $error }
reason-no_interrupted = 中断されたローテーションはありません
verify-wrong_user = 新しいアクセスキーは { $expected } ではなく { $actual } のものです
verify-timeout = 新しいアクセスキーが { $secs } 秒以内に使用可能になりませんでした（最後のエラー: { $error }）
verify-refused = 新しいアクセスキーが拒否されました: { $error }
last_used-never = 未使用
last_used-at = 最終使用 { $date }（{ $region } の { $service }）
last_used-unknown = 最終使用日時不明
last_used-unknown_service = 不明なサービス
last_used-unknown_region = 不明なリージョン

## hooks and the settings file
hooks-settings_hook = { $path }: フック `{ $name }`: { $message }
hooks-empty_command = command が空です
hooks-spawn_failed = フック `{ $name }` を起動できませんでした: { $error }
hooks-timed_out = フック `{ $name }` が { $secs } 秒でタイムアウトしました
hooks-wait_failed = フック `{ $name }`: { $error }
hooks-failed = フック `{ $name }` が失敗しました（{ $status }）
hooks-zero_timeout = timeout は 1 秒以上にしてください
hooks-line_cut = {" "}［行を切り詰めました: 残りの { $bytes } バイトは表示しません］
hooks-output_held = フック `{ $name }` は終了しましたが、起動したプロセスが出力を開いたままです。keyturn はその出力の読み取りを打ち切りました

## ui: prompts
ui-mfa_prompt = { $serial } の MFA コード:{" "}

## rotate / recover: results
out-rotated = { $profile } のアクセスキーをローテーションしました: { $old } -> { $new }（{ $arn }）{ $resumed }。古いアクセスキーは{ $retired }
out-resumed = 、中断されたローテーションを完了
out-retired_delete = 削除しました
out-retired_deactivate = 非アクティブ化しました
out-updated = {"  "}更新: { $place }
out-backup = {"  "}バックアップ: { $path }
out-plan = { $profile } の計画（ドライラン、何も変更していません）: ユーザー { $arn }
out-plan_delete_other = {"  "}ユーザーのもう一方のアクセスキー { $key } を削除
out-plan_create = {"  "}新しいアクセスキーを作成
out-plan_write = {"  "}{ $place } に書き込み
out-plan_verify_delete = {"  "}検証してから、古いアクセスキー { $key } を削除
out-plan_verify_deactivate = {"  "}検証してから、古いアクセスキー { $key } を非アクティブ化
out-fresh = { $profile } は対象外です: アクセスキー { $key } は作成から { $days } 日のため、ローテーションは不要です
out-skipped = { $profile } をスキップしました: { $reason }
out-shared = { $profile } を { $with } と一緒にローテーションしました（同じアクセスキー）
out-recovered = { $profile } を復旧しました: ローテーションを完了し、{ $key } を使用しています
out-recovered_rolled_back = { $profile } を復旧しました: ロールバックし、古いアクセスキーを元に戻しました
out-nothing_to_recover = 復旧するものはありません

## status
status-unparsable = { $path }: AWS CLI はこのファイルを解析できません（{ $error }）。ファイルを修正してください
status-asking = { $count } 個のアクセスキーについて AWS に問い合わせています
status-no_profiles = { $credentials } にも { $config } にもプロファイルがありません。--credentials-file と --config-file でパスを確認してください
status-not_user = このアクセスキーは{ $what }のものです。{ $hint }
status-col_profile = プロファイル
status-col_key = キー
status-col_where = 場所
status-col_user = ユーザー
status-col_age = 経過
status-col_status = 状態
status-col_last_used = 最終使用
status-col_note = 備考
status-value_active = アクティブ
status-value_inactive = 非アクティブ
status-one_day = 1 日
status-days = { $count } 日
status-never = 未使用
status-whose = 同じアクセスキーを使う `{ $profile }` の
status-in_progress = { $whose }ローテーションが進行中です（状態 { $state }、開始 { $started }）
status-interrupted = { $whose }ローテーションが中断されています（状態 { $state }、開始 { $started }）。`keyturn recover` を実行してください
status-not_rotatable = ローテーション不可: { $reason }
status-error_hint = エラー: { $code }: { $hint }
status-error = エラー: { $message }
status-mfa_hint = （このプロファイルには mfa_serial があります。`keyturn rotate` の実行時に MFA コードを入力します）
status-listed_by = （`{ $profile }` の一覧による）
status-inactive = アクセスキーは非アクティブです{ $by }。AWS CLI では使用できません
status-stale = 期限超過（上限 { $max }）。`keyturn rotate { $profile }` を実行してください
status-held_by = （プロファイル { $profile } が保持）
status-leftover = 残っている非アクティブなアクセスキー { $key }{ $held }
status-second_active = 2 つ目のアクティブなアクセスキー { $key }{ $held }
status-same_key = { $profiles } と同じアクセスキー
status-note_separator = 。
reason-profile_not_found = プロファイルがありません
reason-file_unparsable = AWS CLI がファイルを解析できません
reason-temporary = 一時的な認証情報（aws_session_token）
reason-role = ロールプロファイル
reason-web_identity = ウェブ ID フェデレーションのプロファイル
reason-sso = SSO のプロファイル
reason-process = credential_process のプロファイル
reason-inherited = [DEFAULT] から継承したアクセスキー
reason-half_pair = アクセスキー ID とシークレットアクセスキーの片方だけ
reason-not_a_token = アクセスキーの値が 1 つの値になっていません
reason-no_keys = アクセスキーがありません
reason-not_iam_user = IAM ユーザーのアクセスキーではありません
reason-other = 詳細は --output json を参照してください
hint-invalid_token = AWS はこのアクセスキーを認識していません（削除済みか、値の誤り）
hint-bad_signature = シークレットアクセスキーがアクセスキー ID と一致しません
hint-access_denied = この IAM ユーザーには自分のアクセスキーの詳細を読む権限がありません

## schedule
schedule-every_min = --every には 1d 以上を指定してください。ジョブは 1 日 1 回実行されます
schedule-no_targets = プロファイルを 1 つ以上指定するか、--all を指定してください
schedule-bad_profile = プロファイル名 { $name } はスケジュールできません（空か、制御文字を含みます）
schedule-path_not_utf8 = { $what }のパス { $path } は UTF-8 ではないため、スケジュールできません
schedule-path_bad = { $what }のパス { $path } はスケジュールできません（絶対パスではないか、制御文字を含みます）
schedule-binary = keyturn の実行ファイル
schedule-log_file = ログファイル
schedule-log_dir = ログフォルダー
schedule-no_home = HOME が設定されていないか、絶対パスではありません
schedule-endpoint_note = エンドポイント URL はスケジュールされたジョブには渡されません。ジョブは AWS に接続します
schedule-cron_hint =
    keyturn は crontab を編集しません。上の行を `crontab -e` で追加してください。
    ジョブは毎日実行され、作成から { $every } を超えたアクセスキーをローテーションします。出力先は { $log } です。
schedule-not_ours = { $path } はすでに存在し、keyturn が作成したものではありません。先に別の場所へ移してください
schedule-wrote = { $path } を作成しました
schedule-unchanged = { $path } は変更ありません
schedule-updated = { $path } を更新しました
schedule-runs_daily = 毎日実行: { $command }
schedule-journal = systemd ジャーナル（journalctl --user -u keyturn-rotate）
schedule-rotates_when = 作成から { $every } を超えたアクセスキーをローテーションします。出力先: { $out }
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
schedule-foreign = { $path } は keyturn が作成したものではないため、変更していません
schedule-cron_remove = keyturn は crontab を編集しません。`crontab -e` を実行し、`# { $marker } keyturn schedule remove` で終わる行を削除してください
schedule-systemd_unload = 実行中だった場合はアンロードしてください: systemctl --user stop { $timer } && systemctl --user daemon-reload
schedule-launchd_unload = ロード済みだった場合はアンロードしてください: launchctl bootout gui/$(id -u)/{ $label }
schedule-show_task = タスク スケジューラのタスク { $name }（{ $state }）、毎日
schedule-task_unload = 登録済みだった場合は削除してください: schtasks /Delete /TN { $name } /F
schedule-task_percent = { $arg } に % が含まれています。タスク スケジューラは % を環境変数として展開するため、このバックエンドではスケジュールできません
schedule-task_history = タスクの履歴（タスク スケジューラのタスク { $name }）
schedule-logged_off_backend = --logged-off はタスク スケジューラ（--backend task-scheduler）でのみ使えます
schedule-removed = { $path } を削除しました
schedule-tool_failed = `{ $command }` が失敗しました（{ $status }）
schedule-no_uid = `id -u` がユーザー ID を出力しませんでした
ctx-find_binary = keyturn の実行ファイルを特定できません
ctx-absolute = { $path } を絶対パスにできません
ctx-read = { $path } を読み込めません
ctx-remove = { $path } を削除できません
ctx-create = { $path } を作成できません
ctx-no_parent = { $path } には親フォルダーがありません
ctx-write = { $path } に書き込めません
ctx-run = { $program } を実行できません
out-stdout_failed = 標準出力に書き込めません: { $error }。keyturn は出力せずに処理を続けました（アクセスキーは `keyturn status` で確認できます）
audit-col_severity = 重大度
audit-col_rule = ルール
audit-col_account = アカウント
audit-col_local_profile = ローカルプロファイル
audit-sev_critical = 重大
audit-sev_high = 高
audit-sev_medium = 中
audit-sev_low = 低
audit-key_slot = アクセスキー { $slot }
audit-two_keys = アクセスキー 2 個
audit-ago = { $span } 前
audit-rules_heading = ルール:
audit-rule_root_access_key = ルートユーザーがアクセスキーを持っている
audit-rule_key_not_rotated = 作成から { $limit } 以上経過したアクティブなアクセスキー（--max-age）
audit-rule_key_unused = { $limit } 以上使われていないアクティブなアクセスキー（--unused）
audit-rule_two_active_keys = アクティブなアクセスキーを 2 つ持つユーザー
audit-rule_key_never_used = 一度も使われていないアクティブなアクセスキー
audit-fixes_heading = ローカルのアクセスキーは次のコマンドで修正できます:
audit-findings = 検出結果 { $count } 件
audit-accounts = { $count } アカウント
audit-users = ユーザー { $count } 人
audit-keys = アクセスキー { $count } 個
audit-severity_count = { $severity } { $count }
audit-list_separator = 、
audit-summary_counts = （{ $counts }）
audit-summary = { $accounts }（{ $users }、{ $keys }）を確認しました: { $findings }{ $counts }
audit-summary_failed = 。{ $count } アカウントの監査に失敗しました（下記参照）
audit-account_named = { $account }（{ $name }）
audit-skipped_line = スキップ: { $account }（{ $reason }）
audit-failed_line = 監査失敗: { $account }（{ $via }）: { $error }
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
audit-after_fallback = { $error }（その前のエラー: { $why }）
audit-account_state = アカウントの状態が { $state } です
audit-report_denied = 認証情報レポートの取得が許可されていません（{ $error }）
audit-report_not_ready = 認証情報レポートが { $seconds } 秒以内に生成されませんでした
audit-note_listed_instead = { $why }。代わりにユーザーとアクセスキーを一覧して監査しました
audit-note_keys_denied = { $count } 人のユーザーで ListAccessKeys が拒否されました。これらの検出結果はアクセスキー ID ではなくキーの番号（1 または 2）で示します
audit-note_root_unknown = ルートユーザーがアクセスキーを持っているか判定できませんでした（{ $error }）
audit-log_listing_org = プロファイル { $profile } で組織のアカウントを一覧しています
audit-log_assuming = { $account }: { $role_arn } を引き受けています
audit-log_fallback = { $account }: { $why }。ユーザーとアクセスキーを一覧します
audit-log_listing_keys = { $account }: { $count } 人のユーザーのアクセスキーを一覧しています

## clap: usage errors and help words (clap prints these in English)
help-usage_heading = 使い方:
help-commands_heading = コマンド
help-arguments_heading = 引数
help-options_heading = オプション
help-values_heading = 指定できる値:
help-values_label = 指定できる値
help-default_label = 既定値
clap-usage_heading = 使い方:
clap-more_info = 詳しくは `--help` を付けて実行してください。
clap-unknown_subcommand = サブコマンド '{ $name }' はありません
clap-tip_subcommand = ヒント: 似た名前のサブコマンドがあります: '{ $suggestion }'
clap-unknown_argument = 引数 '{ $name }' は使えません
clap-tip_argument = ヒント: 似た名前の引数があります: '{ $suggestion }'
clap-tip_separator = ヒント: '{ $name }' を値として渡すには '-- { $name }' と指定してください
clap-missing_value = '{ $arg }' には値が必要です。値を指定してください
clap-invalid_value = '{ $arg }' に値 '{ $value }' は指定できません
clap-tip_values = 指定できる値: { $values }
clap-missing_required = 次の必須の引数が指定されていません: { $args }
clap-conflict = 引数 '{ $arg }' は '{ $other }' と一緒に使えません
clap-missing_subcommand = '{ $name }' にはサブコマンドが必要です。サブコマンドを指定してください

## help: keyed by command path and argument id (src/help.rs)
help-audit = アカウント全体（または複数のアカウント）で古いアクセスキーを確認します
help-audit-account_concurrency = 同時に監査するアカウントの数
help-audit-after =
    ルール（各検出結果には、ルールとその出典の基準が示されます）:
    {"  "}root-access-key   ルートユーザーがアクセスキーを持っている             CIS 1.4、Security Hub IAM.4
    {"  "}key-not-rotated   --max-age より古いアクティブなアクセスキー           Security Hub IAM.3、CIS 1.14
    {"  "}key-unused        --unused の期間使われていないアクティブなアクセスキー CIS 1.12、Security Hub IAM.22
    {"  "}two-active-keys   アクティブなアクセスキーを 2 つ持つユーザー          CIS 1.13
    {"  "}key-never-used    一度も使われていないアクティブなアクセスキー         CIS 1.11（コンソールユーザー）
    {"  "}root-used         ルートユーザーが過去 1 日以内にサインインまたはアクセスキーを使用  CIS 1.7
    非アクティブなアクセスキーは、経過日数の検出結果になりません。

    終了コード: 0 問題なし、4 検出結果あり、1 監査できないアカウントがある、2 使い方の誤り。

    例:
    {"  "}keyturn audit                                 $AWS_PROFILE（なければ `default`）のアカウント
    {"  "}keyturn audit --profile dev --profile prod    2 つのアカウントを並行して監査
    {"  "}keyturn audit --profile mgmt --org-role OrganizationAccountAccessRole
    {"  "}keyturn audit --max-age 0d --output csv       すべてのアクティブなアクセスキーを CSV で出力
help-audit-concurrency = アカウントごとに同時に送る IAM リクエストの数
help-audit-max_age = この期間以上経過したアクティブなアクセスキーを検出します（Security Hub IAM.3、CIS 1.14）
help-audit-no_report = 認証情報レポートを使わず、ユーザーとアクセスキーを一覧して監査します
help-audit-org_role = プロファイルの組織に属するすべてのアカウントも、各アカウントでこのロールを引き受けて監査します（例: OrganizationAccountAccessRole）
help-audit-report_timeout = IAM が認証情報レポートを生成するのを待つ時間。超えると、ユーザーとアクセスキーの一覧に切り替えます
help-audit-unused = この期間以上使われていないアクティブなアクセスキーを検出します（CIS 1.12）
help-completions = シェル補完のスクリプトを出力します
help-completions-shell = 補完を出力するシェル
help-flag-help = ヘルプを表示します（-h で要約）
help-flag-version = バージョンを表示します
help-help_subcommand = このヘルプ、または指定したサブコマンドのヘルプを表示します
help-keyturn = AWS IAM ユーザーのアクセスキーを、1 つのコマンドで安全にローテーションします
help-keyturn-after =
    例:
    {"  "}keyturn rotate                       AWS CLI と同じプロファイル（下記）をローテーション
    {"  "}keyturn rotate dev prod              2 つのプロファイルをローテーション
    {"  "}keyturn --profile dev rotate         --profile はサブコマンドの前後どちらにも指定可能
    {"  "}keyturn rotate --dry-run             計画を表示するだけで、何も変更しない
    {"  "}keyturn rotate --retire deactivate   古いアクセスキーを非アクティブにして残す
    {"  "}keyturn recover                      中断されたローテーションを完了するか、元に戻す

    終了コード:
    {"  "}0  成功
    {"  "}1  失敗（どの状態にあるかをメッセージで示します）
    {"  "}2  使い方の誤り
    {"  "}3  拒否: 何も変更していません（プロファイルの誤り、変更前に AWS が
    {"     "}拒否した場合: 無効なアクセスキー、AccessDenied、LimitExceeded、または
    {"     "}変更前に応答がなかった場合: 接続拒否、DNS、タイムアウト、TLS）
    {"  "}4  audit が古いアクセスキーを検出
    {"  "}5  何もすることがない（`status`: どちらのファイルにもプロファイルがない）
    {"  "}6  出力の喪失: 標準出力または標準エラー出力に書き込めなかった（閉じたパイプ、
    {"     "}ディスクの空き不足）。処理そのものは最後まで実行しました
    {"  "}`status` は、指定したプロファイルがない場合やアクセスキーを確認できなかった
    {"  "}場合（ネットワーク、AWS のエラー）に 1 で終了します。

    プロファイル: --profile、なければ AWS_DEFAULT_PROFILE または AWS_PROFILE（両方が
    設定されていて値が異なる場合は拒否、終了コード 2。AWS CLI は前者を、他の SDK は
    後者を読みます）、どちらもなければ `default`。

    環境変数: AWS_PROFILE、AWS_DEFAULT_PROFILE、AWS_SHARED_CREDENTIALS_FILE、
    AWS_CONFIG_FILE、AWS_ENDPOINT_URL、AWS_CA_BUNDLE、HTTPS_PROXY/NO_PROXY。keyturn は
    常にプロファイル自身のアクセスキーで署名し、AWS_ACCESS_KEY_ID は使いません。
help-keyturn-config_file = 設定ファイル [env: AWS_CONFIG_FILE] [既定値: ~/.aws/config]
help-keyturn-credentials_file = 認証情報ファイル [env: AWS_SHARED_CREDENTIALS_FILE] [既定値: ~/.aws/credentials]
help-keyturn-endpoint_url = IAM と STS のリクエストの送信先（エミュレーターなど）[env: AWS_ENDPOINT_URL]
help-keyturn-lang = メッセージの言語 [既定値: LC_ALL、LC_MESSAGES、LANGUAGE、LANG から判定。`ja*` は日本語]
help-keyturn-profile = 使用するプロファイル（複数を受け付けるコマンドでは複数指定可）[env: AWS_DEFAULT_PROFILE, AWS_PROFILE] [既定値: `default`]
help-keyturn-output = 出力形式
help-keyturn-verbose = 標準エラー出力に詳細を表示します（シークレットは表示しません）
help-man = man ページを出力します
help-recover = クラッシュで中断されたローテーションを完了するか元に戻します。新しいローテーションは開始しません
help-recover-keep_backups = ファイルごとに残すバックアップの数
help-recover-mfa_code = MFA コード（IAM が MFA を要求した場合にだけ送信します。指定しなければ端末で尋ねます）
help-recover-timeout = 検証のタイムアウト（例: 90s、2m）[既定値: 120s]
help-rotate = 1 つ以上のプロファイルのアクセスキーをローテーションします
help-rotate-after =
    例:
    {"  "}keyturn rotate                       AWS CLI と同じプロファイル（下記）をローテーション
    {"  "}keyturn rotate dev prod              2 つのプロファイルをローテーション
    {"  "}keyturn --profile dev rotate         --profile はサブコマンドの前後どちらにも指定可能
    {"  "}keyturn rotate --dry-run             計画を表示するだけで、何も変更しない
    {"  "}keyturn rotate --retire deactivate   古いアクセスキーを非アクティブにして残す
    {"  "}keyturn recover                      中断されたローテーションを完了するか、元に戻す

    終了コード:
    {"  "}0  成功
    {"  "}1  失敗（どの状態にあるかをメッセージで示します）
    {"  "}2  使い方の誤り
    {"  "}3  拒否: 何も変更していません（プロファイルの誤り、変更前に AWS が
    {"     "}拒否した場合: 無効なアクセスキー、AccessDenied、LimitExceeded、または
    {"     "}変更前に応答がなかった場合: 接続拒否、DNS、タイムアウト、TLS）
    {"  "}4  audit が古いアクセスキーを検出
    {"  "}5  何もすることがない（`status`: どちらのファイルにもプロファイルがない）
    {"  "}6  出力の喪失: 標準出力または標準エラー出力に書き込めなかった（閉じたパイプ、
    {"     "}ディスクの空き不足）。処理そのものは最後まで実行しました
    {"  "}`status` は、指定したプロファイルがない場合やアクセスキーを確認できなかった
    {"  "}場合（ネットワーク、AWS のエラー）に 1 で終了します。

    プロファイル: --profile、なければ AWS_DEFAULT_PROFILE または AWS_PROFILE（両方が
    設定されていて値が異なる場合は拒否、終了コード 2。AWS CLI は前者を、他の SDK は
    後者を読みます）、どちらもなければ `default`。

    環境変数: AWS_PROFILE、AWS_DEFAULT_PROFILE、AWS_SHARED_CREDENTIALS_FILE、
    AWS_CONFIG_FILE、AWS_ENDPOINT_URL、AWS_CA_BUNDLE、HTTPS_PROXY/NO_PROXY。keyturn は
    常にプロファイル自身のアクセスキーで署名し、AWS_ACCESS_KEY_ID は使いません。
help-rotate-all = 両方のファイルのすべてのプロファイル。ローテーションできないものはスキップします
help-rotate-users = 管理者モード: この管理対象ユーザー（[[users]] のエントリ）のアクセスキーをオペレーターとして署名してローテーションし、書き込み先にだけ保存します（--profile、AWS_PROFILE など）。複数指定できます
help-rotate-managed = 管理者モード: 設定ファイルのすべての [[users]]
help-rotate-delete_other_active = 空きを作るため、2 つ目のアクティブなアクセスキーを削除します（最終使用日時を表示します）
help-rotate-dry_run = 読み取りのみ: 作成、削除、書き換えの予定を表示します
help-rotate-jobs = 全ローテーションで同時に送る AWS リクエストの数 [既定値: 4]
help-rotate-keep_backups = ファイルごとに残すバックアップの数
help-rotate-max_age = この期間より古いアクセスキーだけをローテーションします（例: 60d。対象がなければ終了コード 5）
help-rotate-mfa_code = MFA コード（IAM が MFA を要求した場合にだけ送信します。指定しなければ端末で尋ねます）
help-rotate-on_hook_failure = フックが失敗したとき: 古いアクセスキーを残す（stop）か、元に戻す（rollback）[既定値: stop]
help-rotate-only_named = 指定したプロファイルだけを書き換え、同じアクセスキーを持つ他のプロファイルは変更しません
help-rotate-profiles = ローテーションするプロファイル（--profile でも指定可）[既定値: AWS_DEFAULT_PROFILE または AWS_PROFILE、なければ `default`]
help-rotate-resume = これらのプロファイルの中断されたローテーションを完了するだけで、新しく開始しません
help-rotate-retire = 新しいアクセスキーが使えるようになった後の古いアクセスキーの扱い [既定値: delete]
help-rotate-store = アクセスキーの保存先: files、aws-vault、granted のいずれか [既定値: 自動検出]
help-rotate-timeout = 検証のタイムアウト（例: 90s、2m）[既定値: 120s]
help-rotate-verify_count = 新しいアクセスキーが使えると判断するまでに連続で成功させる確認の回数
help-rotate-yes = 2 つ目の非アクティブなアクセスキーを確認なしで削除します
help-schedule = 定期的なローテーションをインストール、表示、削除します（systemd、launchd、タスク スケジューラ、cron）
help-schedule-install = `keyturn rotate --max-age EVERY` を毎日実行するジョブをインストール（または更新）します
help-schedule-install-all = 長期的なアクセスキーを持つすべてのプロファイルをローテーションします
help-schedule-install-backend = インストール先 [既定値: macOS では launchd、Windows ではタスク スケジューラ、systemd が動いていれば systemd、それ以外は cron]
help-schedule-install-enable = ジョブを今すぐ読み込んで開始します（systemctl --user / launchctl / schtasks）
help-schedule-install-logged_off = タスク スケジューラ: ログオンしているかどうかにかかわらず実行します（パスワードは保存しません）
help-schedule-install-every = アクセスキーがこの期間を経過したらローテーションします（1d 以上。例: 30d、90d）
help-schedule-install-profiles = ジョブがローテーションするプロファイル [既定値: $AWS_PROFILE、なければ `default`。インストール時に確定]
help-schedule-install-store = アクセスキーの保存先: files、aws-vault、granted のいずれか [既定値: 自動検出]
help-schedule-remove = `schedule install` が作成したファイルを削除します
help-schedule-remove-backend = ここからだけ削除します [既定値: すべて]
help-schedule-remove-disable = 先にジョブを停止してアンロードします（systemctl --user / launchctl / schtasks）
help-schedule-show = インストール済みのスケジュールを表示します
help-schedule-show-backend = ここだけを確認します [既定値: すべて]
help-status = 各プロファイルのアクセスキーを表示します: 経過日数、ユーザー、最終使用、進行中のローテーション
help-status-max_age = この期間以上経過したアクセスキーを期限超過として示します（例: 60d。Security Hub IAM.3 のしきい値は 90d）
help-status-offline = ファイルとローテーション記録の内容だけを表示し、ネットワークには一切接続しません
help-status-profiles = 表示するプロファイル [既定値: 両方のファイルのすべてのプロファイル]
help-status-store = アクセスキーの保存先: files、aws-vault、granted のいずれか [既定値: 自動検出]
help-value-backend-cron = crontab の行を出力します（keyturn は crontab を編集しません）
help-value-backend-launchd = ~/Library/LaunchAgents の launchd エージェント
help-value-backend-systemd = $XDG_CONFIG_HOME/systemd/user の systemd ユーザータイマーとサービス
help-value-backend-task-scheduler = タスク スケジューラのタスク（XML は %APPDATA%\keyturn、Windows）
help-value-on_hook_failure-rollback = ローテーションを元に戻します: 古いキーペアを戻し、新しいアクセスキーを削除します
help-value-on_hook_failure-stop = 古いアクセスキーをアクティブのまま残します。後で `rotate --resume` で完了します
help-value-output-csv = CSV（`audit` のみ）
help-value-retire-deactivate = 非アクティブにします。次回のローテーションで確認なしに削除されます
help-value-retire-delete = 削除します（従来のスクリプトと同じ）

## hardening, AWS conditions, AWS CLI behaviour (merged from the old catalogue)
store-untrusted = { $path } は使用できません（{ $reason }）。keyturn はここにシークレットを保存するため、あなたが所有し、グループやその他のユーザーが書き込めない実体のディレクトリまたはファイルである必要があります。削除するか、所有者とモードを修正してください。何も変更していません
store-why_symlink = シンボリックリンクです
store-why_not_dir = ディレクトリではありません
store-why_not_file = 通常のファイルではありません
store-why_owner = 所有者が uid { $uid } であり、あなた（uid { $me }）ではありません
store-why_writable = グループまたはその他のユーザーが書き込めます（モード { $mode }）
store-why_bad_record = keyturn が書き込んだ上書き書き込みの記録ではありません
store-not_regular = { $path } は{ $what }であり、通常のファイルではありません。keyturn は通常のファイルだけを読み書きします。--credentials-file または --config-file で実際のファイルを指定してください。何も変更していません
store-kind_fifo = 名前付きパイプ（FIFO）
store-kind_socket = ソケット
store-kind_device = デバイスファイル
store-kind_dir = ディレクトリ
store-kind_other = 特殊ファイル
store-read_only = { $path } は読み取り専用です（モード { $mode }、所有者に書き込み権限がありません）。保護されたファイルを keyturn が書き換えることはありません。ローテーションするには書き込み可能にしてください（chmod u+w）。何も変更していません
store-read_only_mount = { $path } は読み取り専用のファイルシステムまたはマウント（Kubernetes のシークレット、`:ro` のボリュームなど）にあるため、新しいアクセスキーを書き込めません。ファイルの元（ホストのファイルやシークレット）でアクセスキーをローテーションするか、書き込み可能にマウントしてください。何も変更していません
rotate-disk_left = プロファイル `{ $profile }`: { $error }。ローテーションは完了していません。IAM ユーザーにはアクセスキーが 2 つあり（古い { $old }、新しい { $new }）、ローテーション記録（ジャーナル）{ $journal } に両方が保存されています。空き容量を確保するかファイルシステムを修正してから、`keyturn recover` を実行して完了させてください
warn-reapplied = 新しいアクセスキーの書き込み後に { $path } が別のプログラムによって書き換えられました（古いアクセスキーに戻っていました）。古いアクセスキーを削除または非アクティブ化する前に、新しいアクセスキー { $key } を書き直します
detail-not_confirmed = { $path } に新しいアクセスキー { $new } が残りません（別のプログラムが書き換え続けています）。古いアクセスキー { $old } はアクティブのまま、ローテーション記録（ジャーナル）も残しています。ファイルが書き換えられなくなったら `keyturn recover` を実行してください
hooks-settings_untrusted = { $path }: このファイルのフックは実行しません（{ $reason }）。ssh の設定ファイルと同じく、keyturn は設定ファイルとそのフォルダーがあなた（または root）の所有で、グループやその他のユーザーが書き込めないことを求めます（chmod go-w、chown）
usage-too_large = { $what } の値 `{ $value }` が大きすぎます（最大 { $max }）
step-create_throttled = CreateAccessKey の拒否（{ $error }）、再試行中
warn-attempt_recorded = CreateAccessKey の応答がありませんでした。IAM で遅れて実行された場合、次の `keyturn rotate` または `keyturn recover` が、そのリクエストで作成された 1 つのアクセスキーを削除します（記録: { $path }）
warn-late_orphan = { $user } のアクセスキー { $key } を削除します。応答のなかった CreateAccessKey により { $date } に作成されました（シークレットは受け取っていません）
warn-outside_window = { $user } のアクセスキー { $key } は { $date } に作成されました。keyturn のローテーション期間（{ $start } から { $end }）の外のため削除しません。作成者を確認してください
mfa-policy = MFA を要求する IAM ポリシー（デバイス { $serial }）
mfa-no_device = MFA を要求する IAM ポリシー（{ $user } の MFA デバイスが見つかりません。プロファイルに mfa_serial を設定してください）
usage-profile_env_conflict = AWS_DEFAULT_PROFILE は `{ $default_profile }`、AWS_PROFILE は `{ $profile }` です。AWS CLI は `{ $default_profile }` を、他の AWS SDK は `{ $profile }` を使います。--profile で指定するか、どちらかの環境変数を削除してください
usage-profile_env_empty = { $variable } が空の値で設定されています（AWS CLI は名前が空のプロファイルを探します）。プロファイル名を設定するか、環境変数を削除するか、--profile を指定してください
usage-csv_not_here = --output csv は `keyturn audit` 専用です。`{ $command }` では text か json を指定してください
usage-profile_not_here = `{ $command }` には --profile を指定できません
ini-nested_syntax = { $line } 行目: ネストされたブロック（値が空のキーに続くインデントされた行）の行は `key = value` の形式でなければなりません
refusal-role_source = { $path } のプロファイル `{ $profile }` はロールを引き受けるプロファイルで、認証情報はソースプロファイル `{ $source }` から取得されます。`{ $source }` をローテーションしてください（keyturn rotate { $source }）
refusal-role_credential_source = { $path } のプロファイル `{ $profile }` はロールを引き受けるプロファイルで、認証情報は { $source }（credential_source）から取得されます。これらのファイルにはローテーションするアクセスキーがありません。{ $source } の認証情報の提供元でローテーションしてください
refusal-not_found_no_credentials = プロファイル `{ $profile }` は { $config } にありません。{ $credentials } は存在しません。`aws configure --profile { $profile }` で作成するか、--credentials-file でパスを指定してください
refusal-no_files = プロファイル `{ $profile }` がありません。{ $credentials } も { $config } も存在しません。`aws configure` で作成するか、--credentials-file/--config-file でパスを指定してください
usage-file_missing = { $flag } { $path }: ファイルが存在しません。パスを確認してください（{ $flag } を指定しない場合は AWS CLI のファイルを読み込みます）
status-no_files = 表示するプロファイルがありません。{ $credentials } も { $config } も存在しません。`aws configure` で作成するか、--credentials-file/--config-file でパスを指定してください
net-refused = { $endpoint }（{ $from }）に接続が拒否されました。URL とサーバーが起動しているかを確認してください
net-dns = { $endpoint }（{ $from }）のホスト名を解決できません。名前と DNS の設定を確認してください
net-timeout = { $endpoint }（{ $from }）から時間内に応答がありません。ネットワークと HTTPS_PROXY/NO_PROXY を確認してください
net-tls_unknown_issuer = { $endpoint }（{ $from }）の証明書の発行者が不明です。その CA の PEM ファイル（TLS プロキシのものなど）を AWS_CA_BUNDLE に指定してください
net-tls = { $endpoint }（{ $from }）との TLS 接続に失敗しました。URL を確認してください。プライベート CA の場合は AWS_CA_BUNDLE を指定してください
net-other = { $endpoint }（{ $from }）から応答がありません。接続に失敗しました（-v で詳細を表示します）
net-from_default = パーティションのデフォルトのエンドポイント
audit-rule_root_used = ルートユーザーが過去 1 日以内にサインインしたか、アクセスキーを使用しました
usage-all_and_profiles = --all はすべてのプロファイルが対象です。プロファイル名と同時には指定できません

## keystore
keystore-wrong_passphrase = { $path } を復号できません。パスフレーズが違います（aws-vault は AWS_VAULT_FILE_PASSPHRASE、granted は CF_KEYRING_FILE_PASSWORD から読みます）
keystore-no_passphrase = { $tool } のファイルキーリングにはパスフレーズが必要ですが、入力されませんでした（入力を求める端末がないか、プロンプトに入力がありません）。{ $var } を設定してください
keystore-collection_locked = Secret Service のコレクション `{ $collection }` がロックされています。ロックを解除して（デスクトップにログインするか `gnome-keyring-daemon --unlock` を実行して）keyturn を再実行してください
keystore-collection_missing = Secret Service のコレクション `{ $collection }` がありません。先にツールでアクセスキーを追加してください
keystore-no_secret_service = D-Bus セッションバスで Secret Service が応答しません（{ $detail }）。gnome-keyring などを起動するか、別のバックエンドを選んでください
keystore-secret_service = Secret Service のコレクション `{ $collection }`: { $detail }
keystore-wincred = Windows 資格情報マネージャーのエントリ `{ $target }`: { $detail }
keystore-pass_missing = `{ $cmd }` コマンドがインストールされていないか、PATH にありません。pass をインストールする（Debian: `apt-get install pass`）か、AWS_VAULT_PASS_CMD を設定してください
keystore-pass_failed = `{ $cmd } { $action }` が失敗しました: { $detail }
keystore-unsupported_backend = { $tool } の `{ $backend }` バックエンドにはまだ対応していません。keyturn が扱えるのは file、pass、secret-service の各バックエンドです（README の「Keystores」を参照してください）
keystore-unknown_backend = `{ $backend }` は { $tool } のバックエンドではありません。file、pass、secret-service のいずれかを使ってください
keystore-not_long_term = キーリングの項目 `{ $key }` は長期的なアクセスキーではありません（{ $reason } は一時的な認証情報を示します）。発行元の長期的なアクセスキーをローテーションしてください
keystore-malformed = { $what }: keyturn が読めるキーリングの項目ではありません（{ $reason }）
keystore-unsafe_path = { $path } はシンボリックリンクか、キーリングが想定する種類のものではありません。keyturn はたどりません
keystore-untrusted = { $path } のキーリングフォルダーは使用できません（{ $reason }）。アクセスキーを保存する場所なので、keyturn は自身の .keyturn フォルダーと同じく、あなたが所有し、グループやその他のユーザーが書き込めない実体のディレクトリだけを信頼します（aws-vault と granted はモード 0700 で作成します）。所有者とモードを修正して（chown、chmod go-w）、もう一度実行してください。何も変更していません
keystore-bad_config = { $path }: { $reason }

## spans of time in prose (i18n::span)
span-days = { $n } 日
span-hours = { $n } 時間
span-minutes = { $n } 分
span-seconds = { $n } 秒

## keystore rotation (issue 13)
keystore-no_item = { $tool }（{ $backend }）にはプロファイル `{ $profile }` のアクセスキーがありません。先にツールでアクセスキーを追加するか、--store で別の保存先を選んでください
keystore-schedule_passphrase = プロファイル `{ $profile }` のアクセスキーは aws-vault のファイルキーリングにあります。ジョブの環境に { $var } が必要です（ジョブは aws-vault のパスフレーズ入力に答えられません）。ない場合は拒否されます

## network errors: what state a failed call left (appended to the net- line)
net-left_nothing = 。何も変更していません
net-left_journal = 。ローテーションは完了していません。ローテーション記録（ジャーナル）{ $journal } に状態が保存されています。ネットワークが復旧したら `keyturn recover` を実行して完了させてください

## help: --cli-read-timeout (src/cli.rs)
help-keyturn-cli_read_timeout = リクエストが AWS の応答を待つ秒数。超えると再試行するか失敗します（0: 無制限）[既定値: 20]

## keystore: the file keyring passphrase prompt, duplicate items (issue 13, vault3)
keystore-passphrase_prompt = { $dir } のロックを解除するパスフレーズを入力してください:{" "}
keystore-duplicate_items = Secret Service のコレクション `{ $collection }` に `{ $key }` の項目が { $count } 個あります（属性 profile = { $key }）。aws-vault と granted はサービスが最初に返した項目を読むため、どれが使用中のキーか keyturn には判断できず、何も変更していません。`secret-tool search --all profile { $key }` で一覧し、使用中のもの以外を（Seahorse などで）削除してから keyturn を再度実行してください

## http: the client of the non-AWS services (destinations)
http-bad_url = http:// または https:// で始まる URL ではありません
http-too_large = 応答が { $limit } バイトを超えたため、受け付けませんでした
http-bad_json = 応答が想定した JSON ではありません（{ $detail }）
http-cut_off = 応答が途中で切れました
http-tls_unknown_issuer = { $endpoint }（{ $from }）の証明書の発行者が不明です。その CA の PEM ファイルを SSL_CERT_FILE（Vault の場合は VAULT_CACERT）で指定してください
http-tls = { $endpoint }（{ $from }）との TLS 接続に失敗しました。URL を確認してください。プライベート CA の場合は SSL_CERT_FILE（Vault の場合は VAULT_CACERT）を指定してください

## dest: the github, gitlab and vault destinations
dest-bad_url = `{ $url }` は https:// または http:// で始めてください
dest-vault_bad_path = `{ $path }` は KV のパスではありません（空の要素、`.`、`..` を含んでいます）
dest-vault_no_addr = Vault サーバーが指定されていません。VAULT_ADDR または送り先の address を設定してください
dest-vault_not_kv2 = 応答が KV バージョン 2 のシークレットではありません。マウントが KV v2 か確認してください
dest-vault_token_refused = トークンが受け付けられませんでした。VAULT_TOKEN（または token_command）と有効期限を確認してください
dest-vault_cannot_write = トークンに { $path } の読み取りと書き込みの権限がありません（権限: { $caps }）。ポリシーで read と create/update を許可してください
dest-vault_cas_busy = 別のプログラムがシークレットを変更し続けています（check-and-set が 5 回失敗しました）。keyturn をもう一度実行してください
dest-github_bad_repository = repository `{ $repository }` は owner/repo の形で指定してください
dest-github_environment_needs_repository = environment には repository が必要です（Organization には環境がありません）
dest-github_scope = repository（必要なら environment も）か organization のどちらか一方を指定してください
dest-github_visibility = visibility `{ $visibility }`: 指定できるのは Organization シークレットの `all` または `private` だけです（`selected` はシークレットの設定を引き継ぎます）
dest-github_bad_name = `{ $name }` は GitHub のシークレット名に使えません。英数字と _ だけを使い、数字や GITHUB_ で始めないでください
dest-github_token_refused = GitHub がトークンを受け付けませんでした。GITHUB_TOKEN/GH_TOKEN（または token_command）を確認してください
dest-github_forbidden = トークンにこの Actions シークレットを管理する権限がありません。Secrets の読み取りと書き込みの権限（または repo/admin:org スコープ）が必要です
dest-github_not_found = { $what } が見つからないか、トークンから見えません。名前とトークンのアクセス権を確認してください
dest-github_bad_key = GitHub の公開鍵が 32 バイトの base64 ではありません
dest-github_no_visibility = GitHub が Organization シークレットの公開範囲またはリポジトリを返しませんでした
dest-github_seal = 値を暗号化（sealed box）できませんでした
dest-gitlab_scope = project か group のどちらか一方を（番号またはフルパスで）指定してください
dest-gitlab_bad_name = `{ $name }` は GitLab の変数名に使えません。英数字と _ だけで、255 文字以内にしてください
dest-gitlab_token_refused = GitLab がトークンを受け付けませんでした。GITLAB_TOKEN（または token_command）を確認してください
dest-gitlab_forbidden = トークンにこの CI/CD 変数を管理する権限がありません。メンテナー（Maintainer）ロールと api スコープが必要です
dest-gitlab_not_found = { $what } が見つからないか、トークンから見えません。パスまたは番号を確認してください
## issue 18 (hard-core): unreadable answers, attempts tied to keys, obsolete and edited journals
net-unreadable = AWS の応答ではありませんでした（HTTP { $status }、{ $type }、{ $bytes } バイト）。リクエストは実行された可能性があります
net-no_content_type = Content-Type なし
net-incomplete = 応答（HTTP 200）に { $what } がありません。AWS の応答ではなく、リクエストは実行された可能性があります
warn-untied = { $user } のアクセスキー { $key } は、keyturn の CreateAccessKey に応答がなかった間（{ $date }）に作成されましたが、同じ間に作成されたアクセスキーがほかにもあります。そのリクエストがどれを作成したか判断できないため、どれも削除しません。作成者を確認し、誰も使っていないアクセスキーを削除してください
warn-late_orphan_seen = { $user } のアクセスキー { $key } は、応答のなかった keyturn の CreateAccessKey により { $date } に作成されました（シークレットは受け取っていません）。`keyturn rotate` または `keyturn recover` が削除します。`status` は何も変更しません
rotate-journal_other_user = { $path }: ローテーション記録（ジャーナル）は IAM ユーザー { $user } を示していますが、そのアクセスキー { $key } の所有者は { $owner } です。ジャーナルが書き換えられているため、keyturn はこれに従ってアクセスキーを削除・非アクティブ化しません。ファイルを確認してから削除してください
warn-journal_obsolete = プロファイル `{ $profile }` のローテーション記録（ジャーナル）はもう当てはまりません。古いアクセスキー { $old } も新しいアクセスキー { $new } も IAM に存在せず、プロファイルにはジャーナルにないアクセスキー { $key } が設定されています。ジャーナルは別に保管しました（シークレットを除いた写し: { $copy }）
out-recovered_set_aside = { $profile } を復旧しました: ジャーナルはもう当てはまらないため別に保管し、プロファイルのアクセスキーはそのままにしました
step-retire_waiting = 古いアクセスキーの処理を再試行します: { $error }
## destinations: settings, tokens, errors (issue 19)
dest-settings_destination = { $path }: 書き込み先 `{ $name }`: { $message }
dest-empty_name = name が空です
dest-duplicate_name = 同じ name の書き込み先がほかにもあります
managed-settings_user = { $path }: ユーザー `{ $name }`: { $message }
managed-bad_name = IAM ユーザー名として使えません（A-Z a-z 0-9 + = , . @ _ - の 1～64 文字）
managed-duplicate_name = 同じアカウントの同じユーザーを指す [[users]] がほかにもあります
managed-unknown_destination = 書き込み先 `{ $dest }` を指定していますが、その [[destinations]] は定義されていません
managed-destination_has_profiles = 書き込み先 `{ $dest }` を指定していますが、その書き込み先には profiles もあります。書き込み先に保存できるのは管理対象ユーザーのキーかプロファイルのキーのどちらかです。profiles を削除してください
managed-destination_shared = 書き込み先 `{ $dest }` はすでにユーザー `{ $other }` が指定しています。1 つの書き込み先に保存できるキーは 1 つです
managed-bad_account = account は 12 桁の数字で指定してください
managed-bad_role_arn = role_arn には IAM ロールの ARN（arn:aws:iam::123456789012:role/NAME）を指定してください
managed-role_other_account = role_arn のアカウントが account と異なります
managed-attempt_without_entry = { $user }: 応答のなかった CreateAccessKey が { $path } に記録されていますが、このユーザーを指す [[users]] がもうありません。エントリを戻して `keyturn recover` を再実行するか、IAM でこのユーザーのアクセスキーを確認してから記録を削除してください
dest-same_names = id_name と secret_name がどちらも `{ $name }` です。アクセスキーとシークレットアクセスキーには別々の名前が必要です
dest-bad_value_name = `{ $name }` はここでは名前として使えません
dest-empty_token_command = token_command が空です
dest-dotenv_relative = path `{ $path }` は絶対パスで指定してください
dest-dotenv_not_utf8 = ファイルが UTF-8 のテキストではありません
dest-dotenv_unterminated = `{ $name }` の値の引用符が閉じていません。その行を直してから keyturn を再度実行してください
dest-dotenv_bad_value = 値に .env の行に引用符なしで書けない文字が含まれています
dest-no_token = { $dest }: トークンがありません。{ $vars } のいずれかを設定するか、書き込み先に token_command を指定してください
dest-token_command = { $dest }: token_command: { $detail }
dest-token_spawn = `{ $program }` を起動できませんでした: { $error }
dest-token_timeout = { $secs } 秒待ってもトークンが得られませんでした
dest-token_failed = 失敗しました（{ $status }）
dest-token_empty = トークンが出力されませんでした
dest-refused = { $dest }: { $detail }
dest-unavailable = { $dest }: 有効な応答がありません: { $detail }
dest-invalid = { $dest }: { $detail }
dest-file = { $dest }: { $error }

## destinations: the rotation's step, outputs (issue 19)
step-dest_preflight = 書き込み先 { $dest } を確認しています
step-dest_write = 新しいアクセスキーを { $dest } に書き込んでいます
step-dest_restore = 古いアクセスキーを { $dest } に書き戻しています
rotate-dest_refused = プロファイル `{ $profile }`: { $detail }。何も変更していません。書き込み先を修正して（または設定ファイルから削除して）から keyturn を再度実行してください
detail-dest_failed = { $error }。新しいアクセスキー { $new } は使用でき、古いアクセスキー { $old } もまだ有効です。書き込み先: { $states }。書き込み先を修正してから `keyturn rotate --resume { $profile }`（または `keyturn recover`）を実行して完了するか、`--on-destination-failure rollback` で元に戻してください
detail-dest_restore_failed = { $error }。ロールバックは完了していません。書き込み先: { $states }。書き込み先を修正してから `keyturn recover` を実行してください
dest-holds_new = 新しいアクセスキーを保持
dest-holds_old = 古いアクセスキーを保持
dest-holds_either = どちらのアクセスキーか不明
dest-not_confirmed = 書き込み後に読み戻すと新しいアクセスキーになっていません（ほかのプログラムが変更した可能性があります）
dest-empty_field = `{ $field }` が空です
dest-no_signer = 署名に使うアクセスキーがありません。書き込み先に `profile` を指定してください
dest-not_json_object = 保存されている値が JSON オブジェクトではないため、アクセスキーを統合できません。そこは何も変更していません
dest-ssm_layout = `id_parameter` と `secret_parameter`（別々の 2 つのパラメータ）か、`parameter`（JSON オブジェクト 1 つ）のどちらか一方を指定してください
out-destination = {"  "}書き込み先 { $name }（{ $type }）: { $state }
out-plan_destination = {"  "}書き込み先 { $name }（{ $type }）に書き込み: 事前確認 { $state }
help-rotate-on_destination_failure = 書き込み先が失敗したとき: 両方のアクセスキーを残す（stop）か、元に戻す（rollback）[既定値: stop]
help-value-on_destination_failure-rollback = 元に戻します: すべての書き込み先とファイルに古いキーペアを戻し、新しいアクセスキーを削除します
help-value-on_destination_failure-stop = 両方のアクセスキーをアクティブのまま残します。後で `rotate --resume` で完了します
status-destinations = 書き込み先: { $list }
dest-partial = { $dest }: 一部だけ書き込まれました（{ $detail }）。keyturn がもう一度書き込みます
## drain (issue 20): --retire drain
help-rotate-drain_grace = `--retire drain`: 各段階の前に古いアクセスキーが使われていない必要がある期間 [既定値: 1d]
help-rotate-drain_max = `--retire drain`: 書き込みからこの期間を過ぎても使われているアクセスキーを報告します [既定値: 7d]
help-rotate-force_drain = drain_max を過ぎても使われている古いアクセスキーを非アクティブ化します
help-value-retire-drain = IAM で --drain-grace の間使われていないと確認できるまでアクティブのまま残し、その後非アクティブ化して削除します。
usage-drain_grace_over_max = --drain-grace は --drain-max（または設定ファイルの `drain_max`）より長くできません
out-retired_drain = 使われなくなるまでアクティブのまま残します
out-plan_verify_drain = {"  "}検証してから、古いアクセスキー { $key } を使われなくなるまで残します（猶予期間使われなければ非アクティブ化し、その後削除）
out-plan_verify_drain_until = {"  "}検証してから、古いアクセスキー { $key } を使われなくなるまで残します。書き込み後、猶予期間使われなければ早くて { $until } に非アクティブ化し、さらに猶予期間後に削除します
drain-waiting = { $profile } の古いアクセスキー { $key }: 再び使われなければ { $until } までアクティブのまま残します（{ $last }）
drain-waiting_delete = { $profile } の古いアクセスキー { $key } は非アクティブです。再び使われなければ { $until } 以降に削除します（{ $last }）
drain-deactivated = { $profile } の古いアクセスキー { $key } を非アクティブ化しました（猶予期間使われていません。{ $last }）。再び使われなければ { $until } 以降に削除します
drain-forced = { $profile } の古いアクセスキー { $key } は使用中ですが、非アクティブ化しました（drain_max を過ぎ、--force-drain が指定されました。{ $last }）
drain-deleted = { $profile } の古いアクセスキー { $key } を削除しました
drain-straggler = { $profile } の古いアクセスキー { $key } は drain_max を過ぎても使われています（{ $since } から待機中。{ $last }）。アクティブのまま残します。その呼び出し元を新しいアクセスキーに切り替えるか、--force-drain を指定してください
drain-failed = { $profile } の古いアクセスキー { $key } の処理を進められませんでした: { $error }。次回の実行で再試行します
drain-no_profile = プロファイル `{ $profile }` が見つからないため、古いアクセスキーの処理に署名できません
drain-no_entry = 設定ファイルから `{ $user }` の [[users]] エントリーがなくなったため、古いアクセスキー { $key } はそのままにします（どのロールで届くか、まだ削除すべきかが分かりません）。エントリーを戻せば次回の実行で処理を続けます。手動で無効化または削除する場合は { $path } も削除してください
drain-holds_old = プロファイル `{ $profile }` が古いアクセスキー { $key } を再び保持しています。keyturn はこのアクセスキーを削除も非アクティブ化もしません
drain-note_active = 使われなくなるまで待機中: { $since } からアクティブのまま残しています（{ $last }）
drain-note_inactive = 使われなくなるまで待機中: { $since } から非アクティブです。猶予期間使われなければ削除します（{ $last }）
audit-drains_heading = keyturn が使われなくなるまで待機している古いアクセスキー（`--retire drain`）:
status-drain = 古いアクセスキー { $key }: { $note }
schedule-managed_one_operator = `schedule install --managed` に指定できる --profile は 1 つだけです（すべての管理対象ユーザーに署名するオペレーターのプロファイル）
help-schedule-install-managed = 代わりにすべての管理対象ユーザー（`[[users]]`）をローテーションします: `keyturn rotate --managed`。署名はオペレーター（--profile、指定がなければジョブの AWS 認証情報）が行います

# Admin mode (issue 20): managed users rotated by an operator.
managed-no_operator = 管理者モードのオペレーターの認証情報がありません
managed-operator_failed = オペレーターの認証情報を取得できません（--profile、AWS_PROFILE、環境変数のキー、ウェブ ID）: { $error }
managed-home = 管理対象ユーザー { $user }（ローカルファイルなし）
managed-no_old_secret = 管理対象ユーザーの古いシークレットアクセスキーは keyturn が保持しないため、書き戻せません
step-operator = オペレーターの認証情報を取得しています
rotate-no_active_key = ユーザー `{ $profile }`: IAM ユーザー { $user } にはローテーションするアクティブなアクセスキーがありません。何も変更していません
usage-unknown_user = `{ $user }` を指す [[users]] がありません。設定ファイルに追加してください: [[users]] name = "{ $user }" destinations = ["..."]
usage-managed_one_profile = 管理者モードは 1 つのオペレーターとして署名します。--profile は 1 回だけ指定してください
help-status-managed = 管理対象ユーザー（[[users]]）ごとに 1 行表示します。オペレーターとして署名します（--profile、AWS_PROFILE など）
status_managed-line = { $user }: アクセスキー { $key }、{ $age }、{ $last }。書き込み先: { $dests }
status_managed-stale = 。STALE: `keyturn rotate --user { $user }` を実行してください
status_managed-drain = 。古いアクセスキー { $key }: { $note }
status_managed-pending = 。中断したローテーション（状態 { $state }）: `keyturn rotate --user { $user }` を実行してください
status_managed-error = { $user }: エラー: { $error }
