# keyturn messages: English (the fallback). Ids are `area-what` (looked up as `area.what`).
# Generated from the old catalogue by catalogue2ftl.py, then edited.


## cli: usage errors (exit 2)
usage-not_a_duration = `{ $value }` is not a duration; use e.g. 90s, 2m, 12h or 60d
usage-unknown_unit = `{ $value }`: unknown unit `{ $unit }`; use s, m, h or d
usage-too_long = `{ $value }` is too long
usage-no_home = HOME is not set; pass --credentials-file and --config-file
usage-endpoint_scheme = --endpoint-url `{ $url }` must start with http:// or https://
usage-timeout_zero = --timeout must be more than 0s
usage-verify_count_zero = --verify-count must be at least 1
usage-jobs_zero = --jobs must be at least 1

## profile: refusals (exit 3)
refusal-not_found = profile `{ $profile }` is not in { $credentials } or { $config }; check the name (`keyturn status` lists profiles) or pass --credentials-file/--config-file
refusal-unparsable = { $path }: the AWS CLI cannot parse this file ({ $detail }); fix it first, nothing was changed
refusal-temporary = profile `{ $profile }` in { $path } holds temporary credentials (aws_session_token); they expire on their own, rotate the long-term key they came from instead
refusal-role = profile `{ $profile }` in { $path } assumes a role ({ $key }); its credentials come from another profile: rotate that source profile instead
refusal-web_identity = profile `{ $profile }` in { $path } uses web identity ({ $key }); it has no access key to rotate
refusal-sso = profile `{ $profile }` in { $path } uses IAM Identity Center (SSO, { $key }); its credentials are short-lived, nothing to rotate
refusal-process = profile `{ $profile }` in { $path } gets its credentials from credential_process; rotate them where that process keeps them
refusal-inherited = profile `{ $profile }` inherits { $key } from [DEFAULT] in { $path }; rotating it would change every profile; give the profile its own key pair first
refusal-half_pair = profile `{ $profile }` in { $path } has { $present } but no { $missing }; add the missing half or remove the stray one
refusal-not_a_token = { $path }:{ $line }: { $key } of profile `{ $profile }` is not a single token (spaces or continuation lines); fix the value first
refusal-no_keys = profile `{ $profile }` has no static access key in { $credentials } or { $config }; nothing to rotate

## ini: why the AWS CLI would refuse a file
ini-bom = line 1: the file starts with a UTF-8 byte-order mark, which the AWS CLI cannot read; save it without a BOM
ini-missing_header = line { $line }: text before the first [section] header
ini-duplicate_section = line { $line }: section [{ $section }] appears twice
ini-duplicate_key = line { $line }: key `{ $key }` appears twice in [{ $section }]
ini-syntax = line { $line }: not a `key = value` line, a [section] header or a comment
ini-not_utf8 = line { $line }: the file is not valid UTF-8
ini-no_such_line = internal: line index { $line } is out of range
ini-not_an_entry = line { $line } is not a `key = value` line
ini-not_a_token = line { $line }: the new value is not a single token

## store: file-system errors
store-locked = { $file }: another keyturn run holds the lock { $lock }; wait for it to finish, or check for a stuck process
store-missing = { $path } does not exist; keyturn never creates it
store-unstable = { $path } keeps changing while keyturn writes it; another program is editing it, try again
store-owner = { $path }: cannot keep the owner { $uid }:{ $gid } of the file ({ $error }); run keyturn as that user

## rotate: errors
rotate-not_iam_user = profile `{ $profile }`: the key belongs to { $what } ({ $arn }), not an IAM user; { $hint }
rotate-two_keys = profile `{ $profile }`: IAM user { $user } already has two keys; { $detail }
rotate-needs_mfa = profile `{ $profile }`: { $what } needs an MFA code; pass --mfa-code or run in a terminal
rotate-unknown_key = profile `{ $profile }`: the key in the file is not the one IAM knows for { $user } ({ $key }); nothing was changed
rotate-aws = profile `{ $profile }`: { $step }: { $error }
rotate-profile = profile `{ $profile }`: { $detail }
rotate-bad_journal = { $path }: cannot read the journal ({ $detail }); move it aside and run `keyturn recover` again
principal-root = the root user
principal-assumed_role = an assumed role
principal-federated = a federated user
principal-unknown = an unknown principal
principal-root_hint = root access keys should be deleted, not rotated: use an IAM user instead
principal-assumed_role_hint = role sessions are temporary: nothing to rotate
principal-federated_hint = federated sessions are temporary: nothing to rotate
principal-unknown_hint = only IAM user access keys can be rotated
aws_step-list_orphans = IAM ListAccessKeys (looking for orphaned keys)
aws_step-delete_orphan = IAM DeleteAccessKey (orphaned key)
aws_step-delete_new = IAM DeleteAccessKey (new key, rolling back)
aws_step-delete_other = IAM DeleteAccessKey (other key)
aws_step-retire = retiring the old key (the new key is in place and works; run `keyturn recover` to retry)

## rotate: progress
step-resume = finishing a rotation that was interrupted
step-undo = undoing an interrupted rotation
step-finish = finishing an interrupted rotation
step-mfa_session = getting an MFA session (STS GetSessionToken)
step-identify = identifying the key's owner (STS GetCallerIdentity)
step-list_keys = listing the user's access keys (IAM ListAccessKeys)
step-delete_other = deleting the user's other key to make room
step-create = creating the new key (IAM CreateAccessKey)
step-write = writing the new key to the file
step-verify = verifying the new key (IAM is eventually consistent)
step-hook = running hook `{ $name }`
step-retire =
    { $mode ->
        [deactivate] deactivating the old key
       *[other] retiring the old key
    }

## rotate: warnings, questions, details
warn-env_key = AWS_ACCESS_KEY_ID in this shell holds the key being rotated ({ $key }); it stops working once the old key is retired: reload your shell's credentials afterwards
warn-delete_other_active = the other Active key { $key } will be deleted ({ $last })
warn-sharers = other profiles hold the same key and will stop working: { $profiles }
warn-create_failed = CreateAccessKey failed: { $error }
warn-orphan = deleting orphaned key { $key } (its secret was never saved)
warn-rolling_back = rolling back: { $reason }
ask-delete_inactive = IAM user { $user } has a second, Inactive key { $key }. Delete it to make room?
detail-partition = the key belongs to partition { $partition }; set `region` in the profile to a region of that partition
detail-other_active = the other key { $key } is Active ({ $last }) and may be in use elsewhere; rerun with --delete-other-active to delete it, or delete it yourself
detail-other_inactive = the other key { $key } is Inactive; rerun with --yes to delete it
detail-no_new_key = this state needs the new key but the journal has none
detail-hook_failed = { $detail }; the new key { $new } is in the file and works, the old key { $old } is still active: fix the hook, then run `keyturn rotate --resume { $profile }` (or `keyturn recover`) to finish
detail-rolled_back = { $reason }; rolled back: the old key { $key } is still in place and works, the new key was deleted
detail-no_result = internal: no result
detail-not_processed = internal: profile was not processed
reason-file_changed = the profile no longer holds the old key (was the file edited meanwhile?)
reason-write_failed = writing the file failed: { $error }
reason-no_interrupted = no interrupted rotation
verify-wrong_user = the new key belongs to { $actual }, not { $expected }
verify-timeout = the new key did not work within { $secs }s (last error: { $error })
verify-refused = the new key was refused: { $error }
last_used-never = never used
last_used-at = last used { $date } ({ $service } in { $region })
last_used-unknown = last use unknown
last_used-unknown_service = unknown service
last_used-unknown_region = unknown region

## hooks and the settings file
hooks-settings_hook = { $path }: hook `{ $name }`: { $message }
hooks-empty_command = command is empty
hooks-spawn_failed = hook `{ $name }` could not start: { $error }
hooks-timed_out = hook `{ $name }` timed out after { $secs }s
hooks-wait_failed = hook `{ $name }`: { $error }
hooks-failed = hook `{ $name }` failed ({ $status })
hooks-zero_timeout = timeout must be at least 1s
hooks-line_cut = {" "}[line cut: { $bytes } more bytes not shown]
hooks-output_held = hook `{ $name }` ended but a process it started still holds its output; keyturn stopped reading it

## ui: prompts
ui-mfa_prompt = MFA code for { $serial }:{" "}

## rotate / recover: results
out-rotated = rotated { $profile }: { $old } -> { $new } ({ $arn }){ $resumed }; old key { $retired }
out-resumed = , finishing an interrupted rotation
out-retired_delete = deleted
out-retired_deactivate = deactivated
out-updated = {"  "}updated { $place }
out-backup = {"  "}backup  { $path }
out-plan = plan for { $profile } (dry run, nothing changed): user { $arn }
out-plan_delete_other = {"  "}delete the user's other key { $key }
out-plan_create = {"  "}create a new key
out-plan_write = {"  "}write it to { $place }
out-plan_verify_delete = {"  "}verify it, then delete the old key { $key }
out-plan_verify_deactivate = {"  "}verify it, then deactivate the old key { $key }
out-fresh = fresh { $profile }: { $key } is { $days } days old, nothing to do
out-skipped = skipped { $profile }: { $reason }
out-shared = rotated { $profile } together with { $with } (same key)
out-recovered = recovered { $profile }: finished the rotation, now using { $key }
out-recovered_rolled_back = recovered { $profile }: rolled back, the old key is in place
out-nothing_to_recover = nothing to recover

## status
status-unparsable = { $path }: the AWS CLI cannot parse this file ({ $error }); fix it first
status-asking =
    { $count ->
        [one] asking AWS about { $count } key
       *[other] asking AWS about { $count } keys
    }
status-no_profiles = no profiles in { $credentials } or { $config }
status-not_user = the key belongs to { $what }; { $hint }
status-col_profile = PROFILE
status-col_key = KEY
status-col_where = WHERE
status-col_user = USER
status-col_age = AGE
status-col_status = STATUS
status-col_last_used = LAST USED
status-col_note = NOTE
status-value_active = Active
status-value_inactive = Inactive
status-one_day = 1 day
status-days = { $count } days
status-never = never
status-whose = {" "}of `{ $profile }` (same key)
status-in_progress = rotation{ $whose } in progress (state { $state }, started { $started })
status-interrupted = interrupted rotation{ $whose } (state { $state }, started { $started }): run `keyturn recover`
status-not_rotatable = not rotatable: { $reason }
status-error_hint = error: { $code }: { $hint }
status-error = error: { $message }
status-mfa_hint = {" "}(the profile has mfa_serial; `keyturn rotate` asks for a code)
status-listed_by = {" "}(listed by `{ $profile }`)
status-inactive = the key is Inactive{ $by }: the AWS CLI cannot use it
status-stale = STALE (max { $max }): run `keyturn rotate { $profile }`
status-held_by = {" "}(in profile { $profile })
status-leftover = leftover inactive key { $key }{ $held }
status-second_active = second active key { $key }{ $held }
status-same_key = same key as { $profiles }
status-note_separator = ;{" "}
reason-profile_not_found = no such profile
reason-file_unparsable = the AWS CLI cannot parse the file
reason-temporary = temporary credentials (aws_session_token)
reason-role = role profile
reason-web_identity = web identity profile
reason-sso = SSO profile
reason-process = credential_process profile
reason-inherited = key inherited from [DEFAULT]
reason-half_pair = half a key pair
reason-not_a_token = key value is not a single token
reason-no_keys = no access key
reason-not_iam_user = not an IAM user's key
reason-other = see --output json
hint-invalid_token = AWS does not know this key (deleted, or a typo)
hint-bad_signature = the secret does not match the key id
hint-access_denied = the user may not read its own key details

## schedule
schedule-every_min = --every must be at least 1d: the job runs once a day
schedule-no_targets = name at least one profile, or --all
schedule-bad_profile = profile name { $name } cannot be scheduled (empty or has control characters)
schedule-path_not_utf8 = { $what } path { $path } is not UTF-8; it cannot be scheduled
schedule-path_bad = { $what } path { $path } cannot be scheduled (not absolute, or has control characters)
schedule-binary = the keyturn binary
schedule-log_file = log file
schedule-log_dir = log folder
schedule-no_home = HOME is not set (or not absolute)
schedule-endpoint_note = the endpoint URL is not passed to the scheduled job; it talks to AWS
schedule-cron_hint =
    keyturn does not edit your crontab: add the line above with `crontab -e`.
    It runs daily and rotates a key once it is older than { $every }; output goes to { $log }.
schedule-not_ours = { $path } exists and was not written by keyturn; move it away first
schedule-wrote = wrote { $path }
schedule-unchanged = unchanged { $path }
schedule-updated = updated { $path }
schedule-runs_daily = runs daily: { $command }
schedule-journal = the journal (journalctl --user -u keyturn-rotate)
schedule-rotates_when = it rotates a key once it is older than { $every }; output goes to { $out }
schedule-start_with =
    start it with:
    {"  "}{ $command }
schedule-linger = (on a server, `loginctl enable-linger` keeps it running while you are logged out)
schedule-enabled_now = enabled
schedule-show_systemd = systemd user timer ({ $state }), daily
schedule-show_enabled = enabled
schedule-show_not_enabled = not enabled
schedule-show_launchd = launchd agent { $label }, daily
schedule-show_cron = crontab line
schedule-show_file = {"  "}file: { $path }
schedule-show_runs = {"  "}runs: { $command }
schedule-show_runs_unknown = {"  "}runs: (unreadable; see the files)
schedule-show_log = {"  "}log:  { $path }
schedule-none = no schedule installed
schedule-foreign = { $path } was not written by keyturn; left alone
schedule-cron_remove = keyturn does not edit your crontab: run `crontab -e` and delete the line ending in `# { $marker } keyturn schedule remove`
schedule-systemd_unload = if it was running, unload it: systemctl --user stop { $timer } && systemctl --user daemon-reload
schedule-launchd_unload = if it was loaded, unload it: launchctl bootout gui/$(id -u)/{ $label }
schedule-show_task = Task Scheduler task { $name } ({ $state }), daily
schedule-task_unload = if it was registered, delete it: schtasks /Delete /TN { $name } /F
schedule-task_percent = { $arg } holds a %, which the Task Scheduler expands; it cannot be scheduled there
schedule-task_history = the task's history (Task Scheduler, task { $name })
schedule-logged_off_backend = --logged-off is for the Task Scheduler only (--backend task-scheduler)
schedule-removed = removed { $path }
schedule-tool_failed = `{ $command }` failed ({ $status })
schedule-no_uid = `id -u` did not print a user id
ctx-find_binary = finding the keyturn binary
ctx-absolute = making { $path } absolute
ctx-read = reading { $path }
ctx-remove = removing { $path }
ctx-create = creating { $path }
ctx-no_parent = { $path } has no parent folder
ctx-write = writing { $path }
ctx-run = running { $program }
out-stdout_failed = cannot write to stdout: { $error }; keyturn carried on without printing (`keyturn status` shows the keys)
audit-col_severity = SEVERITY
audit-col_rule = RULE
audit-col_account = ACCOUNT
audit-col_local_profile = LOCAL PROFILE
audit-sev_critical = critical
audit-sev_high = high
audit-sev_medium = medium
audit-sev_low = low
audit-key_slot = key { $slot }
audit-two_keys = 2 keys
audit-ago = { $span } ago
audit-rules_heading = rules:
audit-rule_root_access_key = the root user has an access key
audit-rule_key_not_rotated = active key { $limit } old or more (--max-age)
audit-rule_key_unused = active key unused for { $limit } or more (--unused)
audit-rule_two_active_keys = user with two active keys
audit-rule_key_never_used = active key never used
audit-fixes_heading = local keys, fixed by:
audit-findings =
    { $count ->
        [one] { $count } finding
       *[other] { $count } findings
    }
audit-accounts =
    { $count ->
        [one] { $count } account
       *[other] { $count } accounts
    }
audit-users =
    { $count ->
        [one] { $count } user
       *[other] { $count } users
    }
audit-keys =
    { $count ->
        [one] { $count } key
       *[other] { $count } keys
    }
audit-severity_count = { $count } { $severity }
audit-list_separator = ,{" "}
audit-summary_counts = {" "}({ $counts })
audit-summary = { $findings }{ $counts } in { $accounts } ({ $users }, { $keys } checked)
audit-summary_failed =
    { $count ->
        [one] ; { $count } account FAILED, see below
       *[other] ; { $count } accounts FAILED, see below
    }
audit-account_named = { $account } ({ $name })
audit-skipped_line = skipped { $account }: { $reason }
audit-failed_line = FAILED { $account } ({ $via }): { $error }
audit-csv_failed = account { $account } ({ $via }): { $error }

## audit: the credential report
audit-report_not_utf8 = the credential report is not UTF-8 (at byte { $byte })
audit-report_empty = the credential report is empty
audit-report_missing_column = the credential report has no `{ $column }` column
audit-report_bad_csv = line { $line } of the credential report is not valid CSV: { $detail }
audit-report_bad_row = row { $row } of the credential report: { $detail }
audit-csv_quote_in_field = a quote inside an unquoted field
audit-csv_text_after_quote = text after a closing quote
audit-csv_quote_not_closed = a quoted field is never closed
audit-row_field_count = { $count } fields, the header has { $header }
audit-row_bad_active = access_key_{ $slot }_active is `{ $value }`

## audit: the command
audit-flag_too_long = { $flag } `{ $value }` is too long
audit-concurrency_zero = --concurrency and --account-concurrency must be at least 1
audit-bad_org_role = --org-role `{ $role }` is not a role name (e.g. OrganizationAccountAccessRole)
audit-file_not_utf8 = { $path }:{ $line }: not UTF-8; the AWS CLI cannot read this file either
audit-after_fallback = { $error }; and before that, { $why }
audit-account_state = the account is { $state }
audit-report_denied = the credential report is not permitted ({ $error })
audit-report_not_ready = the credential report was not ready within { $seconds }s
audit-note_listed_instead = { $why }; listed users and keys instead
audit-note_keys_denied =
    { $count ->
        [one] ListAccessKeys was denied for { $count } user: its findings name key slots, not key ids
       *[other] ListAccessKeys was denied for { $count } users: their findings name key slots, not key ids
    }
audit-note_root_unknown = could not tell whether the root user has access keys ({ $error })
audit-log_listing_org = listing the organization's accounts with profile { $profile }
audit-log_assuming = { $account }: assuming { $role_arn }
audit-log_fallback = { $account }: { $why }; listing users and keys
audit-log_listing_keys = { $account }: listing the keys of { $count } users

## clap: usage errors and help words (clap prints these in English)
help-usage_heading = Usage:
help-commands_heading = Commands
help-arguments_heading = Arguments
help-options_heading = Options
help-values_heading = Possible values:
help-values_label = possible values
help-default_label = default
clap-usage_heading = Usage:
clap-more_info = For more information, try '--help'.
clap-unknown_subcommand = unrecognized subcommand '{ $name }'
clap-tip_subcommand = tip: a similar subcommand exists: '{ $suggestion }'
clap-unknown_argument = unexpected argument '{ $name }' found
clap-tip_argument = tip: a similar argument exists: '{ $suggestion }'
clap-tip_separator = tip: to pass '{ $name }' as a value, use '-- { $name }'
clap-missing_value = a value is required for '{ $arg }' but none was supplied
clap-invalid_value = invalid value '{ $value }' for '{ $arg }'
clap-tip_values = [possible values: { $values }]
clap-missing_required = the following required arguments were not provided: { $args }
clap-conflict = the argument '{ $arg }' cannot be used with '{ $other }'
clap-missing_subcommand = '{ $name }' requires a subcommand but one was not provided

## help: keyed by command path and argument id (src/help.rs)
help-audit = Check a whole account (or many) for stale access keys
help-audit-account_concurrency = Accounts audited at once
help-audit-after =
    Rules (each finding names its rule and the standards it comes from):
    {"  "}root-access-key   the root user has an access key     CIS 1.4, Security Hub IAM.4
    {"  "}key-not-rotated   active key older than --max-age     Security Hub IAM.3, CIS 1.14
    {"  "}key-unused        active key unused for --unused      CIS 1.12, Security Hub IAM.22
    {"  "}two-active-keys   a user with two active keys         CIS 1.13
    {"  "}key-never-used    active key never used               CIS 1.11 (console users)
    {"  "}root-used         root signed in or used a key today  CIS 1.7
    Inactive keys are never age findings.

    Exit codes: 0 clean, 4 findings, 1 an account could not be audited, 2 usage.

    Examples:
    {"  "}keyturn audit                                 the account of $AWS_PROFILE, else `default`
    {"  "}keyturn audit --profile dev --profile prod    two accounts, concurrently
    {"  "}keyturn audit --profile mgmt --org-role OrganizationAccountAccessRole
    {"  "}keyturn audit --max-age 0d --output csv       every active key, as CSV
help-audit-concurrency = IAM requests in flight per account
help-audit-max_age = Flag active keys at least this old (Security Hub IAM.3, CIS 1.14)
help-audit-no_report = Do not use the credential report: list users and keys instead
help-audit-org_role = Also audit every account of the profile's organization, assuming this role in each (e.g. OrganizationAccountAccessRole)
help-audit-report_timeout = How long to wait for IAM to generate the credential report before listing users and keys instead
help-audit-unused = Flag active keys unused for at least this long (CIS 1.12)
help-completions = Print shell completions
help-completions-shell = The shell to print completions for
help-flag-help = Print help (see a summary with '-h')
help-flag-version = Print version
help-help_subcommand = Print this message or the help of the given subcommand(s)
help-keyturn = Rotate AWS IAM user access keys safely, in one command
help-keyturn-after =
    Examples:
    {"  "}keyturn rotate                       rotate the AWS CLI's profile (below)
    {"  "}keyturn rotate dev prod              rotate two profiles
    {"  "}keyturn --profile dev rotate         --profile before or after the subcommand
    {"  "}keyturn rotate --dry-run             show the plan, change nothing
    {"  "}keyturn rotate --retire deactivate   keep the old key, Inactive
    {"  "}keyturn recover                      finish or undo interrupted rotations

    Exit codes:
    {"  "}0  success
    {"  "}1  failure (the message says what state things are in)
    {"  "}2  usage error
    {"  "}3  refused: nothing was changed (a bad profile; AWS said no before any
    {"     "}change: a dead key, AccessDenied, LimitExceeded; or no answer came
    {"     "}before any change: refused connection, DNS, timeout, TLS)
    {"  "}4  audit found stale keys
    {"  "}5  nothing to do (`status`: no profile in either file)
    {"  "}6  output lost: stdout or stderr could not be written (a closed pipe,
    {"     "}a full disk); the work itself ran to its end
    {"  "}`status` exits 1 when a named profile is missing or a key could not be
    {"  "}checked (network, AWS error).

    Profile: --profile, else AWS_DEFAULT_PROFILE or AWS_PROFILE (refused, exit 2,
    when both are set and differ: the AWS CLI reads the first, other SDKs the
    second), else `default`.

    Environment: AWS_PROFILE, AWS_DEFAULT_PROFILE, AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE,
    AWS_ENDPOINT_URL, AWS_CA_BUNDLE, HTTPS_PROXY/NO_PROXY. keyturn always signs
    with the profile's own key, never with AWS_ACCESS_KEY_ID.
help-keyturn-config_file = Shared config file [env: AWS_CONFIG_FILE] [default: ~/.aws/config]
help-keyturn-credentials_file = Shared credentials file [env: AWS_SHARED_CREDENTIALS_FILE] [default: ~/.aws/credentials]
help-keyturn-endpoint_url = Send IAM and STS requests here (an emulator) [env: AWS_ENDPOINT_URL]
help-keyturn-lang = Language of messages [default: from LC_ALL, LC_MESSAGES or LANG; `ja*` is Japanese]
help-keyturn-output = Output format
help-keyturn-profile = Profile to use (repeatable where a command takes several) [env: AWS_DEFAULT_PROFILE, AWS_PROFILE] [default: `default`]
help-keyturn-verbose = More detail on stderr (never secrets)
help-man = Print the man page
help-recover = Finish or undo rotations a crash interrupted, starting no new ones
help-recover-keep_backups = Backups of each file to keep
help-recover-mfa_code = MFA code, sent only if IAM demands MFA (else asked on a terminal)
help-recover-timeout = Verification timeout, e.g. 90s, 2m [default: 120s]
help-rotate = Rotate the access key of one or more profiles
help-rotate-after =
    Examples:
    {"  "}keyturn rotate                       rotate the AWS CLI's profile (below)
    {"  "}keyturn rotate dev prod              rotate two profiles
    {"  "}keyturn --profile dev rotate         --profile before or after the subcommand
    {"  "}keyturn rotate --dry-run             show the plan, change nothing
    {"  "}keyturn rotate --retire deactivate   keep the old key, Inactive
    {"  "}keyturn recover                      finish or undo interrupted rotations

    Exit codes:
    {"  "}0  success
    {"  "}1  failure (the message says what state things are in)
    {"  "}2  usage error
    {"  "}3  refused: nothing was changed (a bad profile; AWS said no before any
    {"     "}change: a dead key, AccessDenied, LimitExceeded; or no answer came
    {"     "}before any change: refused connection, DNS, timeout, TLS)
    {"  "}4  audit found stale keys
    {"  "}5  nothing to do (`status`: no profile in either file)
    {"  "}6  output lost: stdout or stderr could not be written (a closed pipe,
    {"     "}a full disk); the work itself ran to its end
    {"  "}`status` exits 1 when a named profile is missing or a key could not be
    {"  "}checked (network, AWS error).

    Profile: --profile, else AWS_DEFAULT_PROFILE or AWS_PROFILE (refused, exit 2,
    when both are set and differ: the AWS CLI reads the first, other SDKs the
    second), else `default`.

    Environment: AWS_PROFILE, AWS_DEFAULT_PROFILE, AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE,
    AWS_ENDPOINT_URL, AWS_CA_BUNDLE, HTTPS_PROXY/NO_PROXY. keyturn always signs
    with the profile's own key, never with AWS_ACCESS_KEY_ID.
help-rotate-all = Every profile of both files; those that cannot rotate are skipped
help-rotate-users = Admin mode: rotate this managed user's key (a [[users]] entry) into its destinations, signed by the operator (--profile, AWS_PROFILE...); repeatable
help-rotate-managed = Admin mode: every [[users]] entry of the settings file
help-rotate-delete_other_active = Delete a second, Active key to make room (shows its last use)
help-rotate-dry_run = Only read: print what would be created, retired and rewritten
help-rotate-jobs = AWS requests in flight at once, across all rotations [default: 4]
help-rotate-keep_backups = Backups of each file to keep
help-rotate-max_age = Rotate only keys older than this, e.g. 60d (else: "fresh", exit 5)
help-rotate-mfa_code = MFA code, sent only if IAM demands MFA (else asked on a terminal)
help-rotate-on_hook_failure = If a hook fails: keep the old key (stop) or undo (rollback) [default: stop]
help-rotate-only_named = Rewrite only the named profile, not other profiles sharing its key
help-rotate-profiles = Profiles to rotate (or --profile) [default: AWS_DEFAULT_PROFILE or AWS_PROFILE, else `default`]
help-rotate-resume = Only finish interrupted rotations of these profiles; start none
help-rotate-retire = What to do with the old key once the new one works [default: delete]
help-rotate-store = Where the keys are: files, aws-vault or granted [default: detected]
help-rotate-timeout = Verification timeout, e.g. 90s, 2m [default: 120s]
help-rotate-verify_count = Consecutive successful checks that prove the new key
help-rotate-yes = Delete a second, Inactive key without asking
help-schedule = Install, show or remove a periodic rotation (systemd, launchd, Task Scheduler, cron)
help-schedule-install = Install (or update) a daily job running `keyturn rotate --max-age EVERY`
help-schedule-install-all = Rotate every profile that has a static key
help-schedule-install-backend = Where to install [default: launchd on macOS, Task Scheduler on Windows, systemd where it runs, else cron]
help-schedule-install-enable = Also load and start the job now (systemctl --user / launchctl / schtasks)
help-schedule-install-logged_off = Task Scheduler: run whether or not you are logged on (no password is stored)
help-schedule-install-every = Rotate each key once it is this old (at least 1d), e.g. 30d, 90d
help-schedule-install-profiles = Profiles the job rotates [default: $AWS_PROFILE, else `default`, fixed now]
help-schedule-install-store = Where the keys are: files, aws-vault or granted [default: detected]
help-schedule-remove = Delete the files `schedule install` wrote
help-schedule-remove-backend = Remove only from here [default: everywhere]
help-schedule-remove-disable = Also stop and unload the job first (systemctl --user / launchctl / schtasks)
help-schedule-show = Print the installed schedule
help-schedule-show-backend = Look only here [default: everywhere]
help-status = Show every profile's key: age, user, last use, pending rotations
help-status-max_age = Mark keys at least this old STALE, e.g. 60d (90d is Security Hub's IAM.3 threshold)
help-status-offline = Only what the files and journals say: no network request at all
help-status-profiles = Profiles to show [default: every profile of both files]
help-status-store = Where the keys are: files, aws-vault or granted [default: detected]
help-value-backend-cron = a crontab line, printed (keyturn never edits the crontab)
help-value-backend-launchd = launchd agent in ~/Library/LaunchAgents
help-value-backend-systemd = systemd user timer + service in $XDG_CONFIG_HOME/systemd/user
help-value-backend-task-scheduler = a Task Scheduler task, its XML in %APPDATA%\keyturn (Windows)
help-value-on_hook_failure-rollback = Undo the rotation: old pair back, new key deleted
help-value-on_hook_failure-stop = Keep the old key active; finish later with `rotate --resume`
help-value-output-csv = CSV (`audit` only)
help-value-retire-deactivate = Make it Inactive; a later rotate deletes it without asking
help-value-retire-delete = Delete it (like the classic script)

## hardening, AWS conditions, AWS CLI behaviour (merged from the old catalogue)
store-untrusted = { $path }: refusing to use it: { $reason }. keyturn keeps secrets there, so it must be a real directory or file owned by you and not writable by group or others; remove it or fix its owner and mode. Nothing was changed
store-why_symlink = it is a symbolic link
store-why_not_dir = it is not a directory
store-why_not_file = it is not a regular file
store-why_owner = it is owned by uid { $uid }, not by you (uid { $me })
store-why_writable = group or others can write it (mode { $mode })
store-why_bad_record = it is not a record of a write in place keyturn made
store-not_regular = { $path } is { $what }, not a regular file; keyturn reads and rewrites only regular files. Point --credentials-file or --config-file at the real file. Nothing was changed
store-kind_fifo = a named pipe (FIFO)
store-kind_socket = a socket
store-kind_device = a device
store-kind_dir = a directory
store-kind_other = a special file
store-read_only = { $path } is read-only (mode { $mode }: its owner has no write permission); keyturn does not rewrite a file you protected. Make it writable (chmod u+w) to rotate its key. Nothing was changed
store-read_only_mount = { $path } is on a read-only file system or mount (such as a Kubernetes secret or a `:ro` volume): keyturn cannot write the new key there. Rotate the key where the file comes from (the host's file, or the secret), or mount it writable. Nothing was changed
rotate-disk_left = profile `{ $profile }`: { $error }. The rotation is unfinished: the IAM user has two access keys (old { $old }, new { $new }) and the journal { $journal } holds both pairs. Free space or fix the file system, then run `keyturn recover` to finish it
warn-reapplied = { $path } was rewritten by another program after the new key was written (it held the old key again); writing the new key { $key } back before retiring the old one
detail-not_confirmed = { $path } does not keep the new key { $new } (another program keeps rewriting it); the old key { $old } stays active and the journal is kept: run `keyturn recover` once the file is left alone
hooks-settings_untrusted = { $path }: refusing to run hooks from it: { $reason }. Like ssh with its config, keyturn requires the settings file and its folder to be owned by you (or root) and not writable by group or others (chmod go-w, chown)
usage-too_large = { $what } `{ $value }` is too large: at most { $max }
step-create_throttled = CreateAccessKey refused ({ $error }); retrying
warn-attempt_recorded = a CreateAccessKey got no answer: if IAM runs it late, the next `keyturn rotate` or `keyturn recover` deletes the one key it makes (record: { $path })
warn-late_orphan = deleting key { $key } of { $user }: made at { $date } by a CreateAccessKey that got no answer (its secret was never received)
warn-outside_window = key { $key } of { $user } was made at { $date }, outside keyturn's rotation window ({ $start } to { $end }): not deleted; check who created it
mfa-policy = an IAM policy requiring MFA (device { $serial })
mfa-no_device = an IAM policy requiring MFA (no MFA device found for { $user }: set mfa_serial in the profile)
usage-profile_env_conflict = AWS_DEFAULT_PROFILE is `{ $default_profile }` but AWS_PROFILE is `{ $profile }`: the AWS CLI would use `{ $default_profile }`, the other AWS SDKs `{ $profile }`; pass --profile to choose, or unset one of them
usage-profile_env_empty = { $variable } is set but empty (the AWS CLI would look for a profile named ""): set it to a profile, unset it, or pass --profile
usage-csv_not_here = --output csv is only for `keyturn audit`; `{ $command }` prints text or json
usage-profile_not_here = `{ $command }` takes no --profile
ini-nested_syntax = line { $line }: a line of a nested block (a key with an empty value, then indented lines) must be `key = value`
refusal-role_source = profile `{ $profile }` in { $path } assumes a role with the key of source profile `{ $source }`: rotate `{ $source }` instead (keyturn rotate { $source })
refusal-role_credential_source = profile `{ $profile }` in { $path } assumes a role with credentials from { $source } (credential_source): they are not a key in these files; rotate them where { $source } gets them
refusal-not_found_no_credentials = profile `{ $profile }` is not in { $config }, and { $credentials } does not exist: create it with `aws configure --profile { $profile }`, or pass --credentials-file
refusal-no_files = no profile `{ $profile }`: neither { $credentials } nor { $config } exists; create them with `aws configure`, or pass --credentials-file/--config-file
usage-file_missing = { $flag } { $path }: the file does not exist; check the path (without { $flag }, keyturn reads the AWS CLI's files)
status-no_files = no profiles to show: neither { $credentials } nor { $config } exists; create them with `aws configure`, or pass --credentials-file/--config-file
net-refused = connection refused by { $endpoint } ({ $from }): check the URL and that the server runs
net-dns = cannot resolve the host of { $endpoint } ({ $from }): check the name and your DNS
net-timeout = no answer from { $endpoint } ({ $from }) in time: check the network and HTTPS_PROXY/NO_PROXY
net-tls_unknown_issuer = { $endpoint } ({ $from }) presented a certificate from an unknown issuer: set AWS_CA_BUNDLE to the PEM file of that CA (e.g. your TLS proxy's)
net-tls = TLS with { $endpoint } ({ $from }) failed: check the URL; for a private CA, set AWS_CA_BUNDLE
net-other = no answer from { $endpoint } ({ $from }): the connection failed (-v shows why)
net-from_default = the partition's default endpoint
audit-rule_root_used = the root user signed in or used an access key within the last day
usage-all_and_profiles = --all rotates every profile: name no profile with it

## keystore
keystore-wrong_passphrase = cannot decrypt { $path }: the passphrase is wrong (aws-vault reads it from AWS_VAULT_FILE_PASSPHRASE, granted from CF_KEYRING_FILE_PASSWORD)
keystore-no_passphrase = the { $tool } file keyring needs its passphrase and none was given (no terminal to ask on, or no answer at the prompt): set { $var }
keystore-collection_locked = the Secret Service collection `{ $collection }` is locked: unlock it (log in to the desktop, or run `gnome-keyring-daemon --unlock`) and run keyturn again
keystore-collection_missing = the Secret Service collection `{ $collection }` does not exist: add the key with the tool first
keystore-no_secret_service = no Secret Service answers on the D-Bus session bus ({ $detail }): start one (such as gnome-keyring) or choose another backend
keystore-secret_service = Secret Service collection `{ $collection }`: { $detail }
keystore-wincred = Windows Credential Manager entry `{ $target }`: { $detail }
keystore-pass_missing = the `{ $cmd }` command is not installed or not on PATH: install pass (Debian: `apt-get install pass`) or set AWS_VAULT_PASS_CMD
keystore-pass_failed = `{ $cmd } { $action }` failed: { $detail }
keystore-unsupported_backend = { $tool }'s `{ $backend }` backend is not supported yet: keyturn reads the file, pass and secret-service backends (see "Keystores" in the README)
keystore-unknown_backend = `{ $backend }` is not a { $tool } backend: use file, pass or secret-service
keystore-not_long_term = the keyring item `{ $key }` does not hold a long-term access key ({ $reason } shows temporary credentials): rotate the long-term access key they were issued from
keystore-malformed = { $what }: not a keyring item keyturn can read ({ $reason })
keystore-unsafe_path = { $path } is a symbolic link or not what the keyring expects there: keyturn does not follow it
keystore-untrusted = { $path }: refusing to use this keyring folder: { $reason }. It holds your access keys, so keyturn trusts it only as it trusts its own .keyturn folder: a real directory owned by you and not writable by group or others (aws-vault and granted create it 0700). Fix its owner and mode (chown, chmod go-w) and run keyturn again. Nothing was changed
keystore-bad_config = { $path }: { $reason }

## spans of time in prose (i18n::span)
span-days = { $n }d
span-hours = { $n }h
span-minutes = { $n }m
span-seconds = { $n }s

## keystore rotation (issue 13)
keystore-no_item = { $tool } ({ $backend }) holds no access key for profile `{ $profile }`: add it with the tool first, or choose another place with --store
keystore-schedule_passphrase = the key of profile `{ $profile }` is in aws-vault's file keyring: the job needs { $var } in its environment (a job cannot answer aws-vault's prompt), or it will refuse

## network errors: what state a failed call left (appended to the net- line)
net-left_nothing = ; nothing was changed
net-left_journal = ; the rotation is unfinished: its journal { $journal } keeps the state, and `keyturn recover` finishes it once the network is back

## help: --cli-read-timeout (src/cli.rs)
help-keyturn-cli_read_timeout = Seconds a request waits for AWS's answer before it is retried or fails (0: no limit) [default: 20]

## keystore: the file keyring passphrase prompt, duplicate items (issue 13, vault3)
keystore-passphrase_prompt = Enter passphrase to unlock { $dir }:{" "}
keystore-duplicate_items = the Secret Service collection `{ $collection }` holds { $count } items for `{ $key }` (attribute profile = { $key }): aws-vault and granted read whichever the service lists first, so keyturn cannot tell which holds the key in use and changed nothing; list them with `secret-tool search --all profile { $key }`, delete all but the one in use (for example in Seahorse), and run keyturn again

## http: the client of the non-AWS services (destinations)
http-bad_url = not an http:// or https:// URL
http-too_large = the answer is larger than { $limit } bytes; refused
http-bad_json = the answer is not the JSON expected ({ $detail })
http-cut_off = the answer was cut off before its end
http-tls_unknown_issuer = { $endpoint } ({ $from }) presented a certificate from an unknown issuer: add that CA's PEM file through SSL_CERT_FILE (for Vault, VAULT_CACERT)
http-tls = TLS with { $endpoint } ({ $from }) failed: check the URL; for a private CA, set SSL_CERT_FILE (for Vault, VAULT_CACERT)

## dest: the github, gitlab and vault destinations
dest-bad_url = `{ $url }` must start with https:// or http://
dest-vault_bad_path = `{ $path }` is not a KV path (empty parts, `.` or `..`)
dest-vault_no_addr = no Vault server: set VAULT_ADDR or the destination's address
dest-vault_not_kv2 = the answer is not a KV version 2 secret: check that the mount is KV v2
dest-vault_token_refused = the token is not accepted: check VAULT_TOKEN (or token_command) and that it has not expired
dest-vault_cannot_write = the token may not read and write { $path } (its capabilities: { $caps }); grant read plus create/update on it in a policy
dest-vault_cas_busy = another program kept changing the secret (check-and-set failed 5 times); run keyturn again
dest-github_bad_repository = repository `{ $repository }` must be written owner/repo
dest-github_environment_needs_repository = environment needs repository (an organization has no environments)
dest-github_scope = set either repository (with an optional environment) or organization
dest-github_visibility = visibility `{ $visibility }`: only an organization secret has one, `all` or `private` (`selected` is kept from the secret itself)
dest-github_bad_name = `{ $name }` cannot name a GitHub secret: letters, digits and _ only, not starting with a digit or GITHUB_
dest-github_token_refused = GitHub does not accept the token: check GITHUB_TOKEN/GH_TOKEN (or token_command)
dest-github_forbidden = the token may not manage these Actions secrets: it needs the Secrets permission (read and write), or the repo/admin:org scope
dest-github_not_found = { $what } is not found, or the token cannot see it: check the name and the token's access
dest-github_bad_key = GitHub's public key is not a 32-byte base64 key
dest-github_no_visibility = GitHub did not say the organization secret's visibility or repositories
dest-github_seal = the value could not be sealed
dest-gitlab_scope = set either project or group (a number or a full path)
dest-gitlab_bad_name = `{ $name }` cannot name a GitLab variable: letters, digits and _ only, at most 255
dest-gitlab_token_refused = GitLab does not accept the token: check GITLAB_TOKEN (or token_command)
dest-gitlab_forbidden = the token may not manage CI/CD variables here: it needs the Maintainer role and the api scope
dest-gitlab_not_found = { $what } is not found, or the token cannot see it: check the path or number
## issue 18 (hard-core): unreadable answers, attempts tied to keys, obsolete and edited journals
net-unreadable = the answer was not one AWS gives (HTTP { $status }, { $type }, { $bytes } bytes): the request may have run
net-no_content_type = no content type
net-incomplete = the answer (HTTP 200) has no { $what }: not one AWS gives, and the request may have run
warn-untied = key { $key } of { $user } was made at { $date }, while a CreateAccessKey of keyturn's got no answer, but so was another key: keyturn cannot tell which one that request made, so it deletes neither; check who created each and delete the one nobody holds
warn-late_orphan_seen = key { $key } of { $user } was made at { $date } by a CreateAccessKey of keyturn's that got no answer (its secret was never received): `keyturn rotate` or `keyturn recover` deletes it; `status` changes nothing
rotate-journal_other_user = { $path }: the journal names IAM user { $user }, but its key { $key } belongs to { $owner }: the journal was changed, and keyturn deletes and deactivates nothing by it; check the file, then remove it
warn-journal_obsolete = the journal of profile `{ $profile }` no longer applies: neither its old key { $old } nor its new key { $new } exists in IAM, and the profile holds key { $key }, which the journal does not know; it is set aside (a copy without secrets: { $copy })
out-recovered_set_aside = recovered { $profile }: its journal no longer applied and was set aside; the profile's key is left as it is
step-retire_waiting = retiring the old key; retrying after: { $error }
## destinations: settings, tokens, errors (issue 19)
dest-settings_destination = { $path }: destination `{ $name }`: { $message }
dest-empty_name = name is empty
dest-duplicate_name = another destination has the same name
managed-settings_user = { $path }: user `{ $name }`: { $message }
managed-bad_name = not a valid IAM user name (1 to 64 of A-Z a-z 0-9 + = , . @ _ -)
managed-duplicate_name = another [[users]] entry names the same user in the same account
managed-unknown_destination = names destination `{ $dest }`, which no [[destinations]] table defines
managed-destination_has_profiles = names destination `{ $dest }`, which also lists profiles: a destination holds either a managed user's key or profiles' keys; remove its `profiles`
managed-destination_shared = names destination `{ $dest }`, already named by user `{ $other }`: a destination holds one key
managed-bad_account = account must be twelve digits
managed-bad_role_arn = role_arn must be an IAM role ARN (arn:aws:iam::123456789012:role/NAME)
managed-role_other_account = role_arn is in another account than `account`
managed-attempt_without_entry = { $user }: an unanswered CreateAccessKey is recorded in { $path }, but no [[users]] entry names this user any more: put the entry back and run `keyturn recover` again, or check the user's keys in IAM and remove the record
dest-same_names = id_name and secret_name are both `{ $name }`: the pair needs two names
dest-bad_value_name = `{ $name }` cannot be used as a name here
dest-empty_token_command = token_command is empty
dest-dotenv_relative = path `{ $path }` must be absolute
dest-dotenv_not_utf8 = the file is not UTF-8 text
dest-dotenv_unterminated = the value of `{ $name }` opens a quote that never closes; fix the line, then run keyturn again
dest-dotenv_bad_value = the value has characters a .env line cannot hold unquoted
dest-no_token = { $dest }: no token: set one of { $vars }, or give the destination a token_command
dest-token_command = { $dest }: token_command: { $detail }
dest-token_spawn = `{ $program }` could not start: { $error }
dest-token_timeout = no token after { $secs }s
dest-token_failed = it failed ({ $status })
dest-token_empty = it printed no token
dest-refused = { $dest }: { $detail }
dest-unavailable = { $dest }: no usable answer: { $detail }
dest-invalid = { $dest }: { $detail }
dest-file = { $dest }: { $error }

## destinations: the rotation's step, outputs (issue 19)
step-dest_preflight = checking destination { $dest }
step-dest_write = writing the new key to { $dest }
step-dest_restore = writing the old key back to { $dest }
rotate-dest_refused = profile `{ $profile }`: { $detail }; nothing was changed: fix the destination (or remove it from the settings file), then run keyturn again
detail-dest_failed = { $error }. The new key { $new } works and the old key { $old } is still active; destinations: { $states }. Fix the destination, then run `keyturn rotate --resume { $profile }` (or `keyturn recover`) to finish, or use `--on-destination-failure rollback` to undo
detail-dest_restore_failed = { $error }; the rollback is not finished, destinations: { $states }. Fix the destination, then run `keyturn recover`
dest-holds_new = holds the new key
dest-holds_old = holds the old key
dest-holds_either = may hold either key
dest-not_confirmed = read back after the write, it does not hold the new pair (another program may have changed it)
dest-empty_field = `{ $field }` is empty
dest-no_signer = no key to sign with: give the destination a `profile`
dest-not_json_object = the stored value is not a JSON object, so the pair cannot be merged into it; keyturn changed nothing there
dest-ssm_layout = give either `id_parameter` and `secret_parameter` (two different parameters) or `parameter` (one JSON object), not both
out-destination = {"  "}destination { $name } ({ $type }): { $state }
out-plan_destination = {"  "}write it to destination { $name } ({ $type }): preflight { $state }
help-rotate-on_destination_failure = If a destination fails: keep both keys (stop) or undo (rollback) [default: stop]
help-value-on_destination_failure-rollback = Undo: the old pair back in every destination and the file, new key deleted
help-value-on_destination_failure-stop = Keep both keys active; finish later with `rotate --resume`
status-destinations = destinations: { $list }
dest-partial = { $dest }: written in part ({ $detail }); keyturn writes it again
## drain (issue 20): --retire drain
help-rotate-drain_grace = `--retire drain`: how long the old key must go unused before each step [default: 1d]
help-rotate-drain_max = `--retire drain`: a key still used this long after the write is reported [default: 7d]
help-rotate-force_drain = Deactivate a draining key still in use past its drain_max
help-value-retire-drain = Keep it Active until IAM shows it unused for --drain-grace, then deactivate, then delete
usage-drain_grace_over_max = --drain-grace must not be longer than --drain-max (or `drain_max` in the settings file)
out-retired_drain = kept Active while it drains
out-plan_verify_drain = {"  "}verify it, then drain the old key { $key } (deactivated once IAM shows it unused for the grace, then deleted)
out-plan_verify_drain_until = {"  "}verify it, then drain the old key { $key }: kept Active while in use, deactivated at the earliest { $until } if IAM shows it unused for the grace after the write, deleted one grace later
drain-waiting = drain { $profile }: old key { $key } stays Active until { $until } unless used again ({ $last })
drain-waiting_delete = drain { $profile }: old key { $key } is Inactive; deleted after { $until } unless used again ({ $last })
drain-deactivated = drain { $profile }: deactivated old key { $key }, unused for the grace ({ $last }); deleted after { $until } unless used again
drain-forced = drain { $profile }: deactivated old key { $key } although still in use (--force-drain past drain_max; { $last })
drain-deleted = drain { $profile }: deleted old key { $key }; the drain is over
drain-straggler = drain { $profile }: old key { $key } is still in use past drain_max (drained since { $since }; { $last }); kept Active: move that caller to the new key, or run with --force-drain
drain-failed = drain { $profile }: old key { $key } could not advance: { $error }; the next run tries again
drain-no_profile = profile `{ $profile }` no longer exists: nothing can sign its drain
drain-no_entry = the [[users]] entry of `{ $user }` is gone from the settings: keyturn leaves its old key { $key } as it is (it cannot tell which role reaches it, nor whether it should still go); put the entry back and the next run goes on, or retire the key by hand and remove { $path }
drain-holds_old = profile `{ $profile }` holds the draining key { $key } again: keyturn will not retire it
drain-note_active = draining: kept Active since { $since } until IAM shows it unused for the grace ({ $last })
drain-note_inactive = draining: Inactive since { $since }, deleted one grace later if unused ({ $last })
audit-drains_heading = Keys keyturn is draining (`--retire drain`):
status-drain = draining old key { $key }: { $note }
schedule-managed_one_operator = `schedule install --managed` takes at most one --profile: the operator's, which signs for every managed user
help-schedule-install-managed = Rotate every managed user (`[[users]]`) instead: `keyturn rotate --managed`, signed by the operator (--profile, else the job's AWS credentials)

# Admin mode (issue 20): managed users rotated by an operator.
managed-no_operator = no operator credentials for admin mode
managed-operator_failed = the operator's credentials could not be resolved (--profile, AWS_PROFILE, environment keys, web identity): { $error }
managed-home = managed user { $user } (no local file)
managed-no_old_secret = keyturn never holds a managed user's old secret, so it cannot be written back
step-operator = resolving the operator's credentials
rotate-no_active_key = user `{ $profile }`: IAM user { $user } has no Active access key to rotate; nothing was changed
usage-unknown_user = no [[users]] entry names `{ $user }`; add one to the settings file: [[users]] name = "{ $user }" destinations = ["..."]
usage-managed_one_profile = admin mode signs as one operator: give --profile at most once
help-status-managed = One line per managed user ([[users]]), signed by the operator (--profile, AWS_PROFILE...)
status_managed-line = { $user }: key { $key }, { $age }, { $last }; destinations: { $dests }
status_managed-stale = ; STALE: run `keyturn rotate --user { $user }`
status_managed-drain = ; draining old key { $key }: { $note }
status_managed-pending = ; interrupted rotation (state { $state }): run `keyturn rotate --user { $user }`
status_managed-error = { $user }: error: { $error }
