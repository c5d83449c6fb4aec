//! `keyturn audit`: find stale access keys in one account, several (one
//! per `--profile`) or a whole organization (`--org-role`), the way a
//! security checker would, and say which `keyturn rotate` fixes the keys
//! that live in the local credential files.
//!
//! Gathers the data ([`crate::aws::AuditAws`]) and hands it to the pure
//! [`crate::audit`] module, which judges and renders it.
//!
//! Invariants:
//! - Read-only: every call is a List, Get or GenerateCredentialReport, so
//!   any of them may be retried after throttling or a lost reply.
//! - Signs with each profile's own static key, resolved exactly as
//!   `keyturn rotate` resolves it, never with the environment's chain;
//!   organization accounts with the role credentials AssumeRole returns
//!   for that key.
//! - One account's failure is reported, never stops the others, and makes
//!   the exit code 1 (an incomplete audit must not look clean).
//! - Bounded: at most `--account-concurrency` accounts, each with at most
//!   `--concurrency` requests in flight.
//! - Exit code: 1 if an account failed, else 4 (`Exit::Findings`) if there
//!   are findings, else 0.

use crate::audit::{
    self, AccountRef, AccountResult, AccountStatus, Audit, Checked, Finding, KeyInfo, ListedKey,
    LocalPlace, Policy, Rule, Source, UserKeys,
};
use crate::aws::{
    partition_of_region, partition_region, AuditAws, AwsError, Creds, RawReport, ReportState,
};
use crate::cli::{GlobalArgs, Output};
use crate::cmd::Config;
use crate::duration::parse_duration;
use crate::exit::{Exit, UsageError};
use crate::i18n::{tr, trf};
use crate::ini::Document;
use crate::profile::{self, Files};
use crate::rotate::Paths;
use crate::sdk::SdkAws;
use crate::store;
use futures_util::stream::{self, StreamExt, TryStreamExt};
use std::collections::HashMap;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Arguments of `keyturn audit`.
#[derive(Clone, Debug, clap::Args)]
#[command(after_help = "\
Rules (each finding names its rule and the standards it comes from):
  root-access-key   the root user has an access key     CIS 1.4, Security Hub IAM.4
  key-not-rotated   active key older than --max-age     Security Hub IAM.3, CIS 1.14
  key-unused        active key unused for --unused      CIS 1.12, Security Hub IAM.22
  two-active-keys   a user with two active keys         CIS 1.13
  key-never-used    active key never used               CIS 1.11 (console users)
  root-used         root signed in or used a key today  CIS 1.7
Inactive keys are never age findings.

Exit codes: 0 clean, 4 findings, 1 an account could not be audited, 2 usage.

Examples:
  keyturn audit                                 the account of $AWS_PROFILE, else `default`
  keyturn audit --profile dev --profile prod    two accounts, concurrently
  keyturn audit --profile mgmt --org-role OrganizationAccountAccessRole
  keyturn audit --max-age 0d --output csv       every active key, as CSV")]
pub struct AuditArgs {
    /// Profiles whose own keys sign the audit: the global `--profile`
    /// (repeatable; audited concurrently), else the AWS CLI's profile.
    /// Filled in by [`validate`].
    #[arg(skip)]
    pub profiles: Vec<String>,

    /// Also audit every account of the profile's organization, assuming
    /// this role in each (e.g. OrganizationAccountAccessRole)
    #[arg(long, value_name = "ROLE")]
    pub org_role: Option<String>,

    /// Flag active keys at least this old (Security Hub IAM.3, CIS 1.14)
    #[arg(long, default_value = "90d", value_name = "DURATION")]
    pub max_age: String,

    /// Flag active keys unused for at least this long (CIS 1.12)
    #[arg(long, default_value = "45d", value_name = "DURATION")]
    pub unused: String,

    /// IAM requests in flight per account
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub concurrency: usize,

    /// Accounts audited at once
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub account_concurrency: usize,

    /// Do not use the credential report: list users and keys instead
    #[arg(long)]
    pub no_report: bool,

    /// How long to wait for IAM to generate the credential report before
    /// listing users and keys instead
    #[arg(long, default_value = "120s", value_name = "DURATION")]
    pub report_timeout: String,
}

/// The validated arguments.
struct Settings {
    max_age: i64,
    unused: i64,
    concurrency: usize,
    account_concurrency: usize,
    use_report: bool,
    report_timeout: Duration,
    verbose: bool,
}

impl Settings {
    fn from_args(a: &AuditArgs, verbose: u8) -> Result<Settings, UsageError> {
        let secs = |flag: &str, v: &str| -> Result<i64, UsageError> {
            let d = parse_duration(v).map_err(|e| UsageError(format!("{flag}: {e}")))?;
            i64::try_from(d.as_secs()).map_err(|_| {
                UsageError(trf(
                    "audit.flag_too_long",
                    &[("flag", &flag), ("value", &v)],
                ))
            })
        };
        if a.concurrency == 0 || a.account_concurrency == 0 {
            return Err(UsageError(tr("audit.concurrency_zero").into()));
        }
        let report_timeout = crate::duration::parse_duration_max(
            &a.report_timeout,
            "--report-timeout",
            crate::duration::MAX_TIMEOUT,
        )
        .map_err(|e| UsageError(format!("--report-timeout: {e}")))?;
        if let Some(role) = &a.org_role {
            if role.trim_matches('/').is_empty() || role.contains(char::is_whitespace) {
                return Err(UsageError(trf("audit.bad_org_role", &[("role", role)])));
            }
        }
        Ok(Settings {
            max_age: secs("--max-age", &a.max_age)?,
            unused: secs("--unused", &a.unused)?,
            concurrency: a.concurrency,
            account_concurrency: a.account_concurrency,
            use_report: !a.no_report,
            report_timeout,
            verbose: verbose > 0,
        })
    }

    fn log(&self, msg: impl FnOnce() -> String) {
        if self.verbose {
            eprintln!("audit: {}", crate::term::clean_text(&msg()));
        }
    }
}

/// Why a whole run (not one account) could not start.
#[derive(Debug, thiserror::Error)]
enum AuditError {
    #[error("{}", trf("audit.file_not_utf8", &[("path", &path.display()), ("line", line)]))]
    NotUtf8 {
        path: std::path::PathBuf,
        line: usize,
    },
}

/// Why one account could not be audited.
#[derive(Debug, thiserror::Error)]
enum AccountError {
    #[error(transparent)]
    Aws(#[from] AwsError),
    #[error("{}", trf("audit.after_fallback", &[("error", source), ("why", why)]))]
    AfterFallback { source: AwsError, why: String },
}

/// Both shared files, parsed once: for signing keys and to mark findings
/// whose key lives here.
struct LocalFiles {
    paths: Paths,
    credentials: Option<Document>,
    config: Option<Document>,
}

impl LocalFiles {
    fn load(paths: &Paths) -> anyhow::Result<LocalFiles> {
        let parse = |p: &Path| -> anyhow::Result<Option<Document>> {
            match store::read(p)?.bytes.as_deref() {
                None => Ok(None),
                Some(b) => Ok(Some(Document::parse_bytes(b).map_err(|e| {
                    AuditError::NotUtf8 {
                        path: p.to_path_buf(),
                        line: e.line,
                    }
                })?)),
            }
        };
        Ok(LocalFiles {
            credentials: parse(&paths.credentials)?,
            config: parse(&paths.config)?,
            paths: paths.clone(),
        })
    }

    fn files(&self) -> Files<'_> {
        Files {
            credentials: self.credentials.as_ref(),
            credentials_path: &self.paths.credentials,
            config: self.config.as_ref(),
            config_path: &self.paths.config,
        }
    }
}

/// How keyturn gets into an account.
enum Access {
    Direct(Creds),
    Assume { from: Creds, role_arn: String },
}

struct Target {
    account: String,
    name: String,
    via: String,
    access: Access,
}

// ---------------------------------------------------------------------------
// Retries: the SDK already retries each call a few times; a whole-account
// audit makes thousands, so throttling that outlasts those is waited out
// here too, with capped, jittered exponential backoff.

const MAX_TRIES: u32 = 6;
const FIRST_DELAY: Duration = Duration::from_millis(200);
const MAX_DELAY: Duration = Duration::from_secs(8);

/// A delay in [d/2, d]: concurrent requests throttled together must not
/// come back together.
fn jitter(d: Duration) -> Duration {
    // RandomState is seeded randomly per process and bumped per instance:
    // enough randomness to spread retries, without a dependency.
    let r = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let half = d / 2;
    half + half.mul_f64((r % 1000) as f64 / 1000.0)
}

async fn retry<T, F, Fut>(mut call: F) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    let mut delay = FIRST_DELAY;
    let mut tries = 1;
    loop {
        match call().await {
            // Read-only calls: a lost reply or a 5xx is safe to repeat.
            Err(e) if e.is_transient() && tries < MAX_TRIES => {
                tokio::time::sleep(jitter(delay)).await;
                delay = (delay * 2).min(MAX_DELAY);
                tries += 1;
            }
            r => return r,
        }
    }
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

/// The partition of an ARN (`arn:PARTITION:...`).
fn arn_partition(arn: &str) -> Option<&str> {
    arn.split(':').nth(1).filter(|p| !p.is_empty())
}

/// Pure: the global `--profile`s, else the AWS CLI's profile.
pub fn validate(
    a: &AuditArgs,
    g: &GlobalArgs,
    env: &crate::env::Env,
) -> Result<AuditArgs, UsageError> {
    crate::cmd::accept(g, "audit", true, true)?;
    let mut a = a.clone();
    a.profiles = match &g.profile {
        p if p.is_empty() => crate::cmd::chosen_profile(env)?,
        p => p.clone(),
    };
    Ok(a)
}

pub async fn run(cfg: &Config, args: &AuditArgs) -> anyhow::Result<Exit> {
    let s = Settings::from_args(args, cfg.verbose)?;
    let policy = Policy {
        now: now_secs(),
        max_age: s.max_age,
        unused: s.unused,
    };
    let aws = SdkAws::new(&cfg.endpoint)?;
    let files = LocalFiles::load(&cfg.paths)?;
    // Never empty: the command line chose (`--profile`, else the
    // variables, else `default`).
    let mut profiles = args.profiles.clone();
    let mut seen = std::collections::HashSet::new();
    profiles.retain(|p| seen.insert(p.clone()));

    let mut results: Vec<AccountResult> = Vec::new();
    let (targets, mut early) = targets(&aws, &s, &files, &profiles, args.org_role.as_deref()).await;
    results.append(&mut early);

    let done: Vec<(AccountResult, Vec<Finding>)> = stream::iter(targets)
        .map(|t| audit_target(&aws, &s, &policy, t))
        .buffer_unordered(s.account_concurrency)
        .collect()
        .await;
    let mut findings = Vec::new();
    for (r, mut f) in done {
        results.push(r);
        findings.append(&mut f);
    }
    mark_local(cfg, &files, &mut findings);
    audit::sort_findings(&mut findings);
    // Failures first in the account list would bury the audited ones;
    // keep a stable, readable order instead.
    results.sort_by(|a, b| {
        (a.account.is_empty(), &a.account, &a.via).cmp(&(b.account.is_empty(), &b.account, &b.via))
    });
    let report = Audit {
        policy,
        accounts: results,
        findings,
    };
    match cfg.output {
        // Profile names in the fix hints come from the files: no escapes.
        Output::Text => print!("{}", crate::term::clean_text(&audit::render_table(&report))),
        Output::Json => crate::report::json(&audit::AuditJson::of(&report)),
        Output::Csv => {
            print!("{}", audit::render_csv(&report));
            // CSV holds findings only; failures must still be seen.
            for a in &report.accounts {
                if let AccountStatus::Failed(e) = &a.status {
                    let line = trf(
                        "audit.csv_failed",
                        &[("account", &a.account), ("via", &a.via), ("error", e)],
                    );
                    crate::report::error(&line);
                }
            }
        }
    }
    Ok(if report.failed() > 0 {
        Exit::Failure
    } else if !report.findings.is_empty() {
        Exit::Findings
    } else {
        Exit::Ok
    })
}

/// Resolves and identifies each profile (concurrently), merges profiles
/// of the same account, and adds the organization's accounts. Returns the
/// accounts to audit and the accounts already settled (failed or skipped).
async fn targets<A: AuditAws>(
    aws: &A,
    s: &Settings,
    files: &LocalFiles,
    profiles: &[String],
    org_role: Option<&str>,
) -> (Vec<Target>, Vec<AccountResult>) {
    let mut settled = Vec::new();
    let idents: Vec<(String, Result<Identified, String>)> = stream::iter(profiles)
        .map(|p| async move { (p.clone(), identify(aws, files, p).await) })
        .buffered(s.account_concurrency)
        .collect()
        .await;
    let mut targets: Vec<Target> = Vec::new();
    // One (profile, creds, account, partition) per account, to list its
    // organization with --org-role.
    let mut orgs: Vec<(String, Creds, String, String)> = Vec::new();
    for (profile, r) in idents {
        match r {
            Err(e) => settled.push(AccountResult {
                account: String::new(),
                name: String::new(),
                via: format!("profile {profile}"),
                status: AccountStatus::Failed(e),
            }),
            // Two profiles in one account: audit it once, say both.
            Ok((_, account, _)) if targets.iter().any(|t| t.account == account) => {
                if let Some(t) = targets.iter_mut().find(|t| t.account == account) {
                    t.via.push_str(&format!(", {profile}"));
                }
            }
            Ok((creds, account, partition)) => {
                orgs.push((profile.clone(), creds.clone(), account.clone(), partition));
                targets.push(Target {
                    account,
                    name: String::new(),
                    via: format!("profile {profile}"),
                    access: Access::Direct(creds),
                });
            }
        }
    }
    let Some(role) = org_role else {
        return (targets, settled);
    };
    let role = role.trim_matches('/');
    let mut listing_failed: Vec<(String, String, AwsError)> = Vec::new();
    let mut listed_accounts = std::collections::HashSet::new();
    for (profile, creds, own_account, partition) in orgs {
        s.log(|| trf("audit.log_listing_org", &[("profile", &profile)]));
        let accounts = match list_accounts(aws, &creds).await {
            Ok(a) => a,
            Err(e) => {
                listing_failed.push((profile, own_account, e));
                continue;
            }
        };
        for a in accounts {
            listed_accounts.insert(a.id.clone());
            if let Some(t) = targets.iter_mut().find(|t| t.account == a.id) {
                // Already audited directly (the management account, or a
                // profile of its own): just name it.
                if t.name.is_empty() {
                    t.name = a.name;
                }
                continue;
            }
            if !a.state.is_empty() && !a.state.eq_ignore_ascii_case("ACTIVE") {
                settled.push(AccountResult {
                    account: a.id,
                    name: a.name,
                    via: format!("organization of profile {profile}"),
                    status: AccountStatus::Skipped(trf(
                        "audit.account_state",
                        &[("state", &a.state)],
                    )),
                });
                continue;
            }
            targets.push(Target {
                via: format!("role {role} via profile {profile}"),
                access: Access::Assume {
                    from: creds.clone(),
                    role_arn: format!("arn:{partition}:iam::{}:role/{role}", a.id),
                },
                account: a.id,
                name: a.name,
            });
        }
    }
    // A member account's profile cannot list the organization; that is
    // no failure when another profile's listing covered it.
    for (profile, account, e) in listing_failed {
        if !listed_accounts.contains(&account) {
            settled.push(AccountResult {
                account,
                name: String::new(),
                via: format!("organization of profile {profile}"),
                status: AccountStatus::Failed(e.to_string()),
            });
        }
    }
    (targets, settled)
}

/// A profile's signing credentials, its account and its partition.
type Identified = (Creds, String, String);

/// Resolves a profile's key as `keyturn rotate` would, and asks STS whose
/// it is.
async fn identify<A: AuditAws>(
    aws: &A,
    files: &LocalFiles,
    profile: &str,
) -> Result<Identified, String> {
    let key = profile::resolve(&files.files(), profile).map_err(|e| e.to_string())?;
    let mut creds = Creds::new(
        &key.access_key_id,
        &key.secret,
        partition_region(partition_of_region(key.region.as_deref())),
    );
    let id = retry(|| aws.caller_identity(&creds))
        .await
        .map_err(|e| e.to_string())?;
    let partition = arn_partition(&id.arn).unwrap_or("aws").to_string();
    // The key's ARN is the final word on its partition (a profile may
    // have no region, or one of another partition).
    creds.region = partition_region(&partition).to_string();
    Ok((creds, id.account, partition))
}

async fn list_accounts<A: AuditAws>(
    aws: &A,
    creds: &Creds,
) -> Result<Vec<crate::aws::OrgAccount>, AwsError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = retry(|| aws.list_accounts_page(creds, token.as_deref())).await?;
        out.extend(page.items);
        match page.next {
            // A token that does not move would loop forever.
            Some(t) if Some(&t) != token.as_ref() => token = Some(t),
            _ => return Ok(out),
        }
    }
}

async fn audit_target<A: AuditAws>(
    aws: &A,
    s: &Settings,
    policy: &Policy,
    t: Target,
) -> (AccountResult, Vec<Finding>) {
    let result = |status| AccountResult {
        account: t.account.clone(),
        name: t.name.clone(),
        via: t.via.clone(),
        status,
    };
    let creds = match &t.access {
        Access::Direct(c) => c.clone(),
        Access::Assume { from, role_arn } => {
            s.log(|| {
                trf(
                    "audit.log_assuming",
                    &[("account", &t.account), ("role_arn", role_arn)],
                )
            });
            match retry(|| aws.assume_role(from, role_arn, "keyturn-audit")).await {
                Ok(c) => c,
                Err(e) => return (result(AccountStatus::Failed(e.to_string())), Vec::new()),
            }
        }
    };
    let account = AccountRef {
        id: t.account.clone(),
        name: t.name.clone(),
    };
    match audit_account(aws, s, policy, &creds, &account).await {
        Ok((checked, findings)) => (result(AccountStatus::Audited(checked)), findings),
        Err(e) => (result(AccountStatus::Failed(e.to_string())), Vec::new()),
    }
}

/// What [`credential_report`] got.
enum Report {
    Ready(RawReport),
    Denied(AwsError),
    NotReady,
}

/// GenerateCredentialReport until COMPLETE (with backoff, within
/// `--report-timeout`), then GetCredentialReport.
async fn credential_report<A: AuditAws>(
    aws: &A,
    s: &Settings,
    creds: &Creds,
) -> Result<Report, AwsError> {
    let deadline = crate::store::deadline_after(s.report_timeout);
    // IAM answers STARTED first; small reports are ready within a second,
    // large ones take longer, so start short and back off.
    let mut delay = Duration::from_millis(100);
    loop {
        match retry(|| aws.generate_credential_report(creds)).await {
            Ok(ReportState::Complete) => match retry(|| aws.get_credential_report(creds)).await {
                Ok(r) => return Ok(Report::Ready(r)),
                Err(e) if e.is_access_denied() => return Ok(Report::Denied(e)),
                // Expired or gone between the two calls: generate again.
                Err(e)
                    if matches!(
                        e.code.as_deref(),
                        Some("ReportNotPresent" | "ReportExpired" | "ReportInProgress")
                    ) => {}
                Err(e) => return Err(e),
            },
            Ok(ReportState::Started | ReportState::InProgress) => {}
            Err(e) if e.is_access_denied() => return Ok(Report::Denied(e)),
            Err(e) => return Err(e),
        }
        if Instant::now() + delay > deadline {
            return Ok(Report::NotReady);
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

/// Every user and key of one account, judged.
async fn audit_account<A: AuditAws>(
    aws: &A,
    s: &Settings,
    policy: &Policy,
    creds: &Creds,
    account: &AccountRef,
) -> Result<(Checked, Vec<Finding>), AccountError> {
    let mut notes = Vec::new();
    // Why the report was not used, if it was tried.
    let mut fallback: Option<String> = None;
    let mut from_report = None;
    if s.use_report {
        match credential_report(aws, s, creds).await? {
            Report::Ready(raw) => match audit::parse_report(&raw.csv) {
                Ok(users) => from_report = Some((users, raw.generated)),
                Err(e) => fallback = Some(e.to_string()),
            },
            Report::Denied(e) => fallback = Some(trf("audit.report_denied", &[("error", &e)])),
            Report::NotReady => {
                fallback = Some(trf(
                    "audit.report_not_ready",
                    &[("seconds", &s.report_timeout.as_secs())],
                ))
            }
        }
    }
    let (users, source, generated) = match from_report {
        Some((mut users, generated)) => {
            resolve_ids(aws, s, policy, creds, account, &mut users, &mut notes).await?;
            (users, Source::CredentialReport, generated)
        }
        None => {
            if let Some(why) = &fallback {
                s.log(|| {
                    trf(
                        "audit.log_fallback",
                        &[("account", &account.id), ("why", why)],
                    )
                });
                notes.push(trf("audit.note_listed_instead", &[("why", why)]));
            }
            match list_users_and_keys(aws, s, creds, account, &mut notes).await {
                Ok(users) => (users, Source::Listing, None),
                // Say why keyturn was listing at all: a denied report and
                // a denied listing are one permissions problem.
                Err(e) => match fallback {
                    Some(why) => return Err(AccountError::AfterFallback { source: e, why }),
                    None => return Err(e.into()),
                },
            }
        }
    };
    let findings = audit::evaluate(account, &users, policy);
    Ok((
        Checked {
            source,
            report_generated: generated,
            users: users.iter().filter(|u| !u.root).count(),
            keys: users.iter().map(|u| u.keys.len()).sum(),
            notes,
        },
        findings,
    ))
}

fn listed(keys: &[crate::aws::KeyMeta]) -> Vec<ListedKey> {
    keys.iter()
        .map(|k| ListedKey {
            id: k.id.clone(),
            active: k.active,
            created: k.created,
        })
        .collect()
}

/// The report has no key ids: list the keys of the users with findings
/// (only those: on a large account that is far fewer calls) and match
/// them to the report's slots.
async fn resolve_ids<A: AuditAws>(
    aws: &A,
    s: &Settings,
    policy: &Policy,
    creds: &Creds,
    account: &AccountRef,
    users: &mut [UserKeys],
    notes: &mut Vec<String>,
) -> Result<(), AwsError> {
    let flagged: std::collections::HashSet<String> = audit::evaluate(account, users, policy)
        .into_iter()
        .filter(|f| f.rule != Rule::RootAccessKey)
        .map(|f| f.user)
        .collect();
    let lists: Vec<(String, Result<Vec<crate::aws::KeyMeta>, AwsError>)> = stream::iter(flagged)
        .map(|u| async move {
            let r = retry(|| aws.list_access_keys(creds, &u)).await;
            (u, r)
        })
        .buffer_unordered(s.concurrency)
        .collect()
        .await;
    let mut by_user: HashMap<String, Vec<ListedKey>> = HashMap::new();
    let mut denied = 0;
    for (user, r) in lists {
        match r {
            Ok(keys) => {
                by_user.insert(user, listed(&keys));
            }
            // Deleted since the report: its findings keep no id.
            Err(e) if e.is_no_such_entity() => {}
            Err(e) if e.is_access_denied() => denied += 1,
            Err(e) => return Err(e),
        }
    }
    if denied > 0 {
        notes.push(trf("audit.note_keys_denied", &[("count", &denied)]));
    }
    for u in users.iter_mut() {
        if let Some(keys) = by_user.get(&u.user) {
            audit::assign_ids(u, keys);
        }
    }
    Ok(())
}

/// ListUsers (every page), then each user's keys and, for active ones,
/// their last use: the fallback when the credential report is denied.
async fn list_users_and_keys<A: AuditAws>(
    aws: &A,
    s: &Settings,
    creds: &Creds,
    account: &AccountRef,
    notes: &mut Vec<String>,
) -> Result<Vec<UserKeys>, AwsError> {
    let mut all = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = retry(|| aws.list_users_page(creds, marker.as_deref())).await?;
        all.extend(page.items);
        match page.next {
            Some(m) if Some(&m) != marker.as_ref() => marker = Some(m),
            _ => break,
        }
    }
    s.log(|| {
        trf(
            "audit.log_listing_keys",
            &[("account", &account.id), ("count", &all.len())],
        )
    });
    let mut users: Vec<UserKeys> = stream::iter(all)
        .map(|u| async move {
            let keys = match retry(|| aws.list_access_keys(creds, &u.name)).await {
                Ok(k) => k,
                // Deleted while we listed: not a user any more.
                Err(e) if e.is_no_such_entity() => return Ok(None),
                Err(e) => return Err(e),
            };
            let mut out = Vec::new();
            for (i, k) in keys.iter().enumerate() {
                let mut info = KeyInfo {
                    slot: u8::try_from(i + 1).unwrap_or(u8::MAX),
                    id: Some(k.id.clone()),
                    active: k.active,
                    created: k.created,
                    last_used: None,
                    last_used_service: None,
                };
                // Only active keys are judged on use: skip the call for
                // inactive ones.
                if k.active {
                    match retry(|| aws.key_last_used(creds, &k.id)).await {
                        Ok(l) => {
                            info.last_used = l.date.as_deref().and_then(audit::parse_time);
                            info.last_used_service = l.service;
                        }
                        Err(e) if e.is_no_such_entity() => continue,
                        Err(e) => return Err(e),
                    }
                }
                out.push(info);
            }
            Ok(Some(UserKeys {
                user: u.name,
                arn: u.arn,
                root: false,
                keys: out,
                // Not listed: no CIS 1.11 label without the report.
                password_enabled: None,
                password_last_used: None,
            }))
        })
        .buffer_unordered(s.concurrency)
        .try_filter_map(|u| async move { Ok(u) })
        .try_collect()
        .await?;
    users.sort_by(|a, b| a.user.cmp(&b.user));
    // ListUsers never shows the root user: GetAccountSummary says whether
    // it has keys.
    match retry(|| aws.root_keys_present(creds)).await {
        Ok(true) => users.insert(
            0,
            UserKeys {
                user: audit::ROOT_USER.to_string(),
                arn: format!("arn:{}:iam::{}:root", partition_of_creds(creds), account.id),
                root: true,
                keys: vec![KeyInfo {
                    slot: 1,
                    id: None,
                    active: true,
                    created: None,
                    last_used: None,
                    last_used_service: None,
                }],
                password_enabled: None,
                password_last_used: None,
            },
        ),
        Ok(false) => {}
        Err(e) => notes.push(trf("audit.note_root_unknown", &[("error", &e)])),
    }
    Ok(users)
}

/// The partition whose IAM region `creds` signs for.
fn partition_of_creds(creds: &Creds) -> &'static str {
    partition_of_region(Some(&creds.region))
}

/// Marks findings whose key is in the local files, with the `keyturn
/// rotate` command that fixes them (only when that profile would rotate
/// exactly this key).
fn mark_local(cfg: &Config, files: &LocalFiles, findings: &mut [Finding]) {
    let f = files.files();
    let mut resolved: HashMap<String, Option<String>> = HashMap::new();
    for finding in findings.iter_mut() {
        let ids: Vec<String> = finding.key_ids().into_iter().map(str::to_string).collect();
        let mut places = Vec::new();
        for id in &ids {
            for p in profile::places_holding(&f, id) {
                if !places.contains(&p) {
                    places.push(p);
                }
            }
        }
        finding.local = places
            .iter()
            .map(|p| LocalPlace {
                profile: p.profile.clone(),
                place: super::rotate::place_text(cfg, p),
            })
            .collect();
        finding.fix = places
            .iter()
            .filter_map(|p| p.profile.as_deref())
            .find(|name| {
                let key = resolved
                    .entry(name.to_string())
                    .or_insert_with(|| profile::resolve(&f, name).ok().map(|k| k.access_key_id));
                key.as_ref().is_some_and(|k| ids.contains(k))
            })
            .and_then(|name| audit::fix_command(finding.rule, name));
    }
}
