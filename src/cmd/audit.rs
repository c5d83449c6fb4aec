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

use crate::audit::targets::{self, Limits};
use crate::audit::{self, AccountResult, AccountStatus, Audit, Finding, LocalPlace, Policy};
use crate::cli::{GlobalArgs, Output};
use crate::cmd::Config;
use crate::duration::parse_duration;
use crate::exit::{Exit, UsageError};
use crate::i18n::{tr, trf};
use crate::ini::Document;
use crate::profile::{self, Docs, DocsError, Files};
use crate::rotate::Paths;
use crate::sdk::SdkAws;
use futures_util::stream::{self, StreamExt};
use std::collections::HashMap;
use std::time::Duration;

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

    /// The settings file's managed users (name, account): their findings
    /// suggest `keyturn rotate --user NAME`. Filled in by [`validate`].
    #[arg(skip)]
    pub managed: Vec<(String, Option<String>)>,
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

/// Both shared files, parsed once: for signing keys and to mark findings
/// whose key lives here.
struct LocalFiles {
    paths: Paths,
    credentials: Option<Document>,
    config: Option<Document>,
}

impl LocalFiles {
    fn load(paths: &Paths) -> anyhow::Result<LocalFiles> {
        let docs = Docs::read(&paths.credentials, &paths.config).map_err(|e| match e {
            DocsError::NotUtf8 { path, error } => anyhow::Error::from(AuditError::NotUtf8 {
                path,
                line: error.line,
            }),
            DocsError::Read(e) => e.into(),
        })?;
        Ok(LocalFiles {
            credentials: docs.credentials,
            config: docs.config,
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
    // Only for the fixes' wording: a settings file `rotate` would refuse
    // does not stop an audit (it never did).
    a.managed = env
        .settings_file()
        .ok()
        .flatten()
        .map(|f| {
            f.users
                .iter()
                .map(|u| (u.spec.name.clone(), u.spec.account.clone()))
                .collect()
        })
        .unwrap_or_default();
    Ok(a)
}

pub async fn run(cfg: &Config, args: &AuditArgs) -> anyhow::Result<Exit> {
    let s = Settings::from_args(args, cfg.verbose)?;
    let policy = Policy {
        now: crate::util::time::now_secs_i64(),
        max_age: s.max_age,
        unused: s.unused,
    };
    let aws = SdkAws::new(&cfg.endpoint)?;
    let files = LocalFiles::load(&cfg.paths)?;
    let (accounts, mut findings) = audit_accounts(&aws, &s, &policy, &files, args).await;
    mark_local(cfg, &files, &mut findings);
    mark_managed(&args.managed, &mut findings);
    mark_drains(&crate::rotate::pending_drains(&cfg.paths), &mut findings);
    audit::sort_findings(&mut findings);
    let report = Audit {
        policy,
        accounts,
        findings,
    };
    print(cfg.output, &report);
    Ok(exit_code(&report))
}

/// Every account the profiles (and `--org-role`) reach, audited: the
/// accounts' results in a stable order and the findings, unsorted.
async fn audit_accounts(
    aws: &SdkAws,
    s: &Settings,
    policy: &Policy,
    files: &LocalFiles,
    args: &AuditArgs,
) -> (Vec<AccountResult>, Vec<Finding>) {
    // Never empty: the command line chose (`--profile`, else the
    // variables, else `default`).
    let mut profiles = args.profiles.clone();
    let mut seen = std::collections::HashSet::new();
    profiles.retain(|p| seen.insert(p.clone()));

    let mut results: Vec<AccountResult> = Vec::new();
    let limits = Limits {
        concurrency: s.concurrency,
        account_concurrency: s.account_concurrency,
        use_report: s.use_report,
        report_timeout: s.report_timeout,
        verbose: s.verbose,
    };
    let (targets, mut early) = targets::targets(
        aws,
        &limits,
        &files.files(),
        &profiles,
        args.org_role.as_deref(),
    )
    .await;
    results.append(&mut early);

    let done: Vec<(AccountResult, Vec<Finding>)> = stream::iter(targets)
        .map(|t| targets::audit_target(aws, &limits, policy, t))
        .buffer_unordered(s.account_concurrency)
        .collect()
        .await;
    let mut findings = Vec::new();
    for (r, mut f) in done {
        results.push(r);
        findings.append(&mut f);
    }
    // Failures first in the account list would bury the audited ones;
    // keep a stable, readable order instead.
    results.sort_by(|a, b| {
        (a.account.is_empty(), &a.account, &a.via).cmp(&(b.account.is_empty(), &b.account, &b.via))
    });
    (results, findings)
}

/// The report in the asked format, on stdout.
fn print(output: Output, report: &Audit) {
    match output {
        // Profile names in the fix hints come from the files: no escapes.
        Output::Text => {
            crate::report::out_text(&crate::term::clean_text(&audit::render_table(report)))
        }
        Output::Json => crate::report::json(&audit::AuditJson::of(report)),
        Output::Csv => {
            crate::report::out_text(&audit::render_csv(report));
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
}

/// An account that could not be audited is a failure; else findings
/// are exit 4.
fn exit_code(report: &Audit) -> Exit {
    if report.failed() > 0 {
        Exit::Failure
    } else if !report.findings.is_empty() {
        Exit::Findings
    } else {
        Exit::Ok
    }
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

/// Findings of a managed user (`[[users]]`, in its account when the
/// entry names one) are fixed in admin mode: `keyturn rotate --user NAME`.
fn mark_managed(managed: &[(String, Option<String>)], findings: &mut [Finding]) {
    for f in findings.iter_mut() {
        let is_managed = managed.iter().any(|(name, account)| {
            *name == f.user && account.as_ref().is_none_or(|a| *a == f.account)
        });
        if is_managed {
            f.fix = audit::managed_fix_command(f.rule, &f.user);
        }
    }
}

/// Findings about a key keyturn is draining carry that drain.
fn mark_drains(drains: &[crate::drain::DrainRecord], findings: &mut [Finding]) {
    for f in findings.iter_mut() {
        let ids = f.key_ids();
        f.drain = drains
            .iter()
            .find(|d| ids.contains(&d.old_key_id.as_str()))
            .cloned();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(user: &str, account: &str) -> Finding {
        Finding {
            rule: audit::Rule::KeyNotRotated,
            account: account.into(),
            account_name: String::new(),
            user: user.into(),
            user_arn: String::new(),
            key_slot: Some(1),
            key_id: Some("AKIAOLD".into()),
            other_keys: vec![],
            created: None,
            last_used: None,
            last_used_service: None,
            age: None,
            message: String::new(),
            local: vec![],
            fix: Some(format!("keyturn rotate {user}")),
            drain: None,
            password_enabled: None,
        }
    }

    /// A `[[users]]` entry turns the fix into `rotate --user`, in its
    /// account only when it names one; a pending drain of the finding's
    /// key is attached.
    #[test]
    fn managed_users_and_drains_are_marked() {
        let managed = vec![
            ("ci".to_string(), None),
            ("bot".to_string(), Some("111111111111".to_string())),
        ];
        let mut f = vec![
            finding("ci", "123456789012"),
            finding("bot", "123456789012"),
            finding("bot", "111111111111"),
            finding("dev", "123456789012"),
        ];
        mark_managed(&managed, &mut f);
        let fixes: Vec<&str> = f.iter().map(|x| x.fix.as_deref().unwrap()).collect();
        assert_eq!(
            fixes,
            [
                "keyturn rotate --user ci",
                "keyturn rotate bot",
                "keyturn rotate --user bot",
                "keyturn rotate dev"
            ]
        );
        let rec: crate::drain::DrainRecord = serde_json::from_value(serde_json::json!({
            "version": 1, "profile": "dev", "user_name": "dev", "user_arn": "a",
            "region": "us-east-1", "old_key_id": "AKIAOLD", "new_key_id": "AKIANEW",
            "written_at": 1, "grace_s": 2, "max_s": 3, "phase": "active"
        }))
        .unwrap();
        mark_drains(std::slice::from_ref(&rec), &mut f);
        assert!(f.iter().all(|x| x.drain.as_ref() == Some(&rec)));
        f[0].key_id = Some("AKIAOTHER".into());
        mark_drains(std::slice::from_ref(&rec), &mut f);
        assert!(f[0].drain.is_none());
    }

    #[test]
    fn failures_beat_findings_in_the_exit_code() {
        let mut report = Audit {
            policy: Policy {
                now: 0,
                max_age: 90 * 86_400,
                unused: 90 * 86_400,
            },
            accounts: vec![],
            findings: vec![],
        };
        assert_eq!(exit_code(&report), Exit::Ok);
        report.accounts.push(AccountResult {
            account: "111122223333".into(),
            name: "dev".into(),
            via: "profile dev".into(),
            status: AccountStatus::Failed("AccessDenied".into()),
        });
        assert_eq!(exit_code(&report), Exit::Failure);
    }
}
