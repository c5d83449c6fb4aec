//! Audit targeting and gathering: which accounts to audit (each
//! `--profile`'s, merged by account, plus its organization's with
//! `--org-role`), how keyturn gets into each (the profile's own key, or
//! AssumeRole with it), and every user and key of one account (from the
//! credential report, or by listing), judged by [`super::evaluate`].
//!
//! Effects only through [`AuditAws`] (read-only calls, so each may be
//! retried after throttling or a lost reply, with capped, jittered
//! backoff) and the clock for the report's deadline. One account's failure
//! is a result, never a stop.

use super::{
    AccountRef, AccountResult, AccountStatus, Checked, Finding, KeyInfo, ListedKey, Policy, Rule,
    Source, UserKeys,
};
use crate::aws::{
    partition_of_region, partition_region, AuditAws, AwsError, Creds, RawReport, ReportState,
};
use crate::i18n::trf;
use crate::profile::{self, Files};
use futures_util::stream::{self, StreamExt, TryStreamExt};
use std::collections::HashMap;
use std::future::Future;
use std::time::{Duration, Instant};

/// How hard and how long to work, from the command's flags.
#[derive(Clone, Debug)]
pub struct Limits {
    /// IAM requests in flight per account.
    pub concurrency: usize,
    /// Accounts audited at once.
    pub account_concurrency: usize,
    /// Try the credential report before listing.
    pub use_report: bool,
    /// How long to wait for IAM to generate the report.
    pub report_timeout: Duration,
    /// Log each step on stderr (`-v`).
    pub verbose: bool,
}

impl Limits {
    pub fn log(&self, msg: impl FnOnce() -> String) {
        if self.verbose {
            crate::report::err_line(&format!("audit: {}", crate::term::clean_text(&msg())));
        }
    }
}

/// Why one account could not be audited.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Aws(#[from] AwsError),
    #[error("{}", trf("audit.after_fallback", &[("error", source), ("why", why)]))]
    AfterFallback { source: AwsError, why: String },
}

/// How keyturn gets into an account.
pub enum Access {
    Direct(Creds),
    Assume { from: Creds, role_arn: String },
}

pub struct Target {
    pub account: String,
    pub name: String,
    pub via: String,
    pub access: Access,
}

// ---------------------------------------------------------------------------
// Retries: the SDK already retries each call a few times; a whole-account
// audit makes thousands, so throttling that outlasts those is waited out
// here too, with capped, jittered exponential backoff.

const MAX_TRIES: u32 = 6;
const FIRST_DELAY: Duration = Duration::from_millis(200);
const MAX_DELAY: Duration = Duration::from_secs(8);

pub async fn retry<T, F, Fut>(mut call: F) -> Result<T, AwsError>
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
                tokio::time::sleep(crate::util::backoff::jitter(delay)).await;
                delay = (delay * 2).min(MAX_DELAY);
                tries += 1;
            }
            r => return r,
        }
    }
}

/// The partition of an ARN (`arn:PARTITION:...`).
pub fn arn_partition(arn: &str) -> Option<&str> {
    arn.split(':').nth(1).filter(|p| !p.is_empty())
}

/// Resolves and identifies each profile (concurrently), merges profiles
/// of the same account, and adds the organization's accounts. Returns the
/// accounts to audit and the accounts already settled (failed or skipped).
pub async fn targets<A: AuditAws>(
    aws: &A,
    s: &Limits,
    files: &Files<'_>,
    profiles: &[String],
    org_role: Option<&str>,
) -> (Vec<Target>, Vec<AccountResult>) {
    let (mut targets, mut settled, orgs) = profile_targets(aws, s, files, profiles).await;
    if let Some(role) = org_role {
        org_targets(aws, s, role, orgs, &mut targets, &mut settled).await;
    }
    (targets, settled)
}

/// One (profile, creds, account, partition) per account, to list its
/// organization with --org-role.
type OrgSeed = (String, Creds, String, String);

/// Each profile's account, audited once however many profiles share it.
async fn profile_targets<A: AuditAws>(
    aws: &A,
    s: &Limits,
    files: &Files<'_>,
    profiles: &[String],
) -> (Vec<Target>, Vec<AccountResult>, Vec<OrgSeed>) {
    let mut settled = Vec::new();
    let idents: Vec<(String, Result<Identified, String>)> = stream::iter(profiles)
        .map(|p| async move { (p.clone(), identify(aws, files, p).await) })
        .buffered(s.account_concurrency)
        .collect()
        .await;
    let mut targets: Vec<Target> = Vec::new();
    // One (profile, creds, account, partition) per account, to list its
    // organization with --org-role.
    let mut orgs: Vec<OrgSeed> = Vec::new();
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
    (targets, settled, orgs)
}

/// The accounts of each profile's organization, reached through `role`.
async fn org_targets<A: AuditAws>(
    aws: &A,
    s: &Limits,
    role: &str,
    orgs: Vec<OrgSeed>,
    targets: &mut Vec<Target>,
    settled: &mut Vec<AccountResult>,
) {
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
}

/// A profile's signing credentials, its account and its partition.
pub type Identified = (Creds, String, String);

/// Resolves a profile's key as `keyturn rotate` would, and asks STS whose
/// it is.
pub async fn identify<A: AuditAws>(
    aws: &A,
    files: &Files<'_>,
    profile: &str,
) -> Result<Identified, String> {
    let key = profile::resolve(files, profile).map_err(|e| e.to_string())?;
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

pub async fn list_accounts<A: AuditAws>(
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

pub async fn audit_target<A: AuditAws>(
    aws: &A,
    s: &Limits,
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
pub enum Report {
    Ready(RawReport),
    Denied(AwsError),
    NotReady,
}

/// GenerateCredentialReport until COMPLETE (with backoff, within
/// `--report-timeout`), then GetCredentialReport.
pub async fn credential_report<A: AuditAws>(
    aws: &A,
    s: &Limits,
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
pub async fn audit_account<A: AuditAws>(
    aws: &A,
    s: &Limits,
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
            Report::Ready(raw) => match super::parse_report(&raw.csv) {
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
    let findings = super::evaluate(account, &users, policy);
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

pub fn listed(keys: &[crate::aws::KeyMeta]) -> Vec<ListedKey> {
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
pub async fn resolve_ids<A: AuditAws>(
    aws: &A,
    s: &Limits,
    policy: &Policy,
    creds: &Creds,
    account: &AccountRef,
    users: &mut [UserKeys],
    notes: &mut Vec<String>,
) -> Result<(), AwsError> {
    let flagged: std::collections::HashSet<String> = super::evaluate(account, users, policy)
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
            super::assign_ids(u, keys);
        }
    }
    Ok(())
}

/// ListUsers (every page), then each user's keys and, for active ones,
/// their last use: the fallback when the credential report is denied.
pub async fn list_users_and_keys<A: AuditAws>(
    aws: &A,
    s: &Limits,
    creds: &Creds,
    account: &AccountRef,
    notes: &mut Vec<String>,
) -> Result<Vec<UserKeys>, AwsError> {
    let all = list_users(aws, creds).await?;
    s.log(|| {
        trf(
            "audit.log_listing_keys",
            &[("account", &account.id), ("count", &all.len())],
        )
    });
    let mut users: Vec<UserKeys> = stream::iter(all)
        .map(|u| listed_user(aws, creds, u))
        .buffer_unordered(s.concurrency)
        .try_filter_map(|u| async move { Ok(u) })
        .try_collect()
        .await?;
    users.sort_by(|a, b| a.user.cmp(&b.user));
    // ListUsers never shows the root user: GetAccountSummary says whether
    // it has keys.
    match retry(|| aws.root_keys_present(creds)).await {
        Ok(true) => users.insert(0, root_user(creds, account)),
        Ok(false) => {}
        Err(e) => notes.push(trf("audit.note_root_unknown", &[("error", &e)])),
    }
    Ok(users)
}

/// ListUsers, every page.
async fn list_users<A: AuditAws>(
    aws: &A,
    creds: &Creds,
) -> Result<Vec<crate::aws::UserMeta>, AwsError> {
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
    Ok(all)
}

/// One listed user's keys and, for active ones, their last use; None if
/// the user was deleted while we listed.
async fn listed_user<A: AuditAws>(
    aws: &A,
    creds: &Creds,
    u: crate::aws::UserMeta,
) -> Result<Option<UserKeys>, AwsError> {
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
                    info.last_used = l.date.as_deref().and_then(super::parse_time);
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
}

/// The root user, whose keys GetAccountSummary counts but never names.
fn root_user(creds: &Creds, account: &AccountRef) -> UserKeys {
    UserKeys {
        user: super::ROOT_USER.to_string(),
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
    }
}

/// The partition whose IAM region `creds` signs for.
pub fn partition_of_creds(creds: &Creds) -> &'static str {
    partition_of_region(Some(&creds.region))
}
