//! An audit's three renderings: the table for people (in their language,
//! key ids masked), JSON and CSV for programs (English keys, full ids).
//!
//! Pure: an [`Audit`] in, text out.

use super::*;
use crate::i18n::{tr, trf, width};
use crate::secret::mask;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;

fn account_label(a: &AccountResult) -> String {
    match (a.account.is_empty(), a.name.is_empty()) {
        (true, _) => a.via.clone(),
        (false, true) => a.account.clone(),
        (false, false) => trf(
            "audit.account_named",
            &[("account", &a.account), ("name", &a.name)],
        ),
    }
}

fn key_cell(f: &Finding) -> String {
    match (&f.key_id, f.key_slot) {
        (Some(id), _) => mask(id),
        (None, Some(slot)) => trf("audit.key_slot", &[("slot", &slot)]),
        (None, None) if f.rule == Rule::TwoActiveKeys => {
            let ids: Vec<String> = f.other_keys.iter().map(|k| mask(k)).collect();
            if ids.is_empty() {
                tr("audit.two_keys").into()
            } else {
                ids.join(" ")
            }
        }
        (None, None) => "-".into(),
    }
}

fn last_used_cell(f: &Finding, now: i64) -> String {
    match (f.rule, f.last_used) {
        (Rule::TwoActiveKeys, _) => "-".into(),
        (_, Some(t)) => trf("audit.ago", &[("span", &human_span(now - t))]),
        (_, None) if f.key_slot.is_none() && f.key_id.is_none() => "-".into(),
        (_, None) => tr("status.never").into(),
    }
}

/// The human table: findings by severity then age, a legend of the rules
/// that fired with their standards, the fixes for local keys, and a
/// summary. Key ids are masked.
pub fn render_table(a: &Audit) -> String {
    let mut out = String::new();
    if !a.findings.is_empty() {
        findings_table(a, &mut out);
        rules_legend(a, &mut out);
        fixes_list(a, &mut out);
        drains_list(a, &mut out);
        out.push('\n');
    }
    summary_line(a, &mut out);
    account_lines(a, &mut out);
    out
}

/// One row per finding, columns aligned in terminal columns.
fn findings_table(a: &Audit, out: &mut String) {
    let now = a.policy.now;
    let header = [
        tr("audit.col_severity"),
        tr("audit.col_rule"),
        tr("audit.col_account"),
        tr("status.col_user"),
        tr("status.col_key"),
        tr("status.col_age"),
        tr("status.col_last_used"),
        tr("audit.col_local_profile"),
    ];
    let rows: Vec<[String; 8]> = a
        .findings
        .iter()
        .map(|f| {
            [
                f.severity().label().to_string(),
                f.rule.id().to_string(),
                f.account.clone(),
                f.user.clone(),
                key_cell(f),
                f.age.map(human_span).unwrap_or_else(|| "-".into()),
                last_used_cell(f, now),
                {
                    let p: Vec<&str> = f
                        .local
                        .iter()
                        .filter_map(|l| l.profile.as_deref())
                        .collect();
                    if p.is_empty() {
                        "-".into()
                    } else {
                        p.join(",")
                    }
                },
            ]
        })
        .collect();
    // Terminal columns, not chars: Japanese headers are double width.
    let mut widths = header.map(width);
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r.iter()) {
            *w = (*w).max(width(c));
        }
    }
    let mut line = |cells: &[&str]| {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                l.push_str(c);
            } else {
                let pad = widths[i].saturating_sub(width(c));
                l.push_str(c);
                l.push_str(&" ".repeat(pad + 2));
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&header);
    for r in &rows {
        let cells: Vec<&str> = r.iter().map(String::as_str).collect();
        line(&cells);
    }
}

/// The rules found, each with the standards its findings here fail.
fn rules_legend(a: &Audit, out: &mut String) {
    let _ = writeln!(out, "\n{}", tr("audit.rules_heading"));
    for rule in Rule::ALL {
        // The standards its findings here fail (CIS 1.11 only for a
        // user with a console password).
        let mut standards: Vec<&str> = Vec::new();
        let mut any = false;
        for f in a.findings.iter().filter(|f| f.rule == rule) {
            any = true;
            for s in f.standards() {
                if !standards.contains(s) {
                    standards.push(s);
                }
            }
        }
        if any && standards.is_empty() {
            let _ = writeln!(out, "  {:<16} {}", rule.id(), rule.describe(&a.policy));
        } else if any {
            let _ = writeln!(
                out,
                "  {:<16} {}: {}",
                rule.id(),
                rule.describe(&a.policy),
                standards.join(", ")
            );
        }
    }
}

/// The `keyturn rotate` commands that fix findings, each with what it fixes.
fn fixes_list(a: &Audit, out: &mut String) {
    let mut fixes: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for f in &a.findings {
        if let Some(fix) = &f.fix {
            let what = format!("{} {}", f.rule.id(), key_cell(f));
            let v = fixes.entry(fix.as_str()).or_default();
            if !v.contains(&what) {
                v.push(what);
            }
        }
    }
    if !fixes.is_empty() {
        let _ = writeln!(out, "\n{}", tr("audit.fixes_heading"));
        let w = fixes.keys().map(|c| c.chars().count()).max().unwrap_or(0);
        for (cmd, what) in &fixes {
            let _ = writeln!(out, "  {cmd:<w$}  # {}", what.join(", "));
        }
    }
}

/// The keys of findings keyturn is draining: why each is still there.
fn drains_list(a: &Audit, out: &mut String) {
    let mut seen = Vec::new();
    for f in &a.findings {
        let Some(d) = &f.drain else { continue };
        if seen.contains(&&d.old_key_id) {
            continue;
        }
        seen.push(&d.old_key_id);
        if seen.len() == 1 {
            let _ = writeln!(out, "\n{}", tr("audit.drains_heading"));
        }
        let _ = writeln!(
            out,
            "  {} ({}): {}",
            crate::secret::mask(&d.old_key_id),
            crate::term::clean(&f.user),
            drain_text(d)
        );
    }
}

/// The counts: findings by severity, accounts, users and keys audited.
fn summary_line(a: &Audit, out: &mut String) {
    let audited: Vec<&AccountResult> = a
        .accounts
        .iter()
        .filter(|r| matches!(r.status, AccountStatus::Audited(_)))
        .collect();
    let users: usize = audited
        .iter()
        .map(|r| match &r.status {
            AccountStatus::Audited(c) => c.users,
            _ => 0,
        })
        .sum();
    let keys: usize = audited
        .iter()
        .map(|r| match &r.status {
            AccountStatus::Audited(c) => c.keys,
            _ => 0,
        })
        .sum();
    let counts: Vec<String> = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ]
    .iter()
    .filter(|s| a.count(**s) > 0)
    .map(|s| {
        trf(
            "audit.severity_count",
            &[("count", &a.count(*s)), ("severity", &s.label())],
        )
    })
    .collect();
    let counts = if counts.is_empty() {
        String::new()
    } else {
        trf(
            "audit.summary_counts",
            &[("counts", &counts.join(tr("audit.list_separator")))],
        )
    };
    let n = a.findings.len();
    let findings = trf("audit.findings", &[("count", &n)]);
    let n = audited.len();
    let accounts = trf("audit.accounts", &[("count", &n)]);
    let users = trf("audit.users", &[("count", &users)]);
    let keys = trf("audit.keys", &[("count", &keys)]);
    out.push_str(&trf(
        "audit.summary",
        &[
            ("findings", &findings),
            ("counts", &counts),
            ("accounts", &accounts),
            ("users", &users),
            ("keys", &keys),
        ],
    ));
    if a.failed() > 0 {
        out.push_str(&trf("audit.summary_failed", &[("count", &a.failed())]));
    }
    out.push('\n');
}

/// Each account's notes, and the accounts skipped or failed.
fn account_lines(a: &Audit, out: &mut String) {
    for r in &a.accounts {
        match &r.status {
            AccountStatus::Audited(c) => {
                for n in &c.notes {
                    let note = format!("{}: {n}", account_label(r));
                    let _ = writeln!(
                        out,
                        "{}",
                        crate::report::line(crate::report::Level::Note, &note)
                    );
                }
            }
            AccountStatus::Skipped(why) => {
                let line = trf(
                    "audit.skipped_line",
                    &[("account", &account_label(r)), ("reason", why)],
                );
                let _ = writeln!(out, "{line}");
            }
            AccountStatus::Failed(err) => {
                let line = trf(
                    "audit.failed_line",
                    &[
                        ("account", &account_label(r)),
                        ("via", &r.via),
                        ("error", err),
                    ],
                );
                let _ = writeln!(out, "{line}");
            }
        }
    }
}

fn time_value(t: Option<i64>) -> Option<String> {
    t.map(format_time)
}

/// `audit --output json` (schema in the README).
#[derive(Debug, serde::Serialize)]
pub struct AuditJson<'a> {
    pub generated_at: String,
    pub max_age_seconds: i64,
    pub unused_seconds: i64,
    pub summary: SummaryJson,
    pub accounts: Vec<AccountJson<'a>>,
    pub findings: Vec<FindingJson<'a>>,
}

#[derive(Debug, serde::Serialize)]
pub struct SummaryJson {
    pub findings: usize,
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub accounts: usize,
    pub failed_accounts: usize,
}

#[derive(Debug, serde::Serialize)]
pub struct AccountJson<'a> {
    pub account: &'a str,
    pub name: &'a str,
    pub via: &'a str,
    #[serde(flatten)]
    pub status: AccountStatusJson<'a>,
}

/// An account's outcome, tagged by `status`.
#[derive(Debug, serde::Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AccountStatusJson<'a> {
    Audited {
        source: &'static str,
        report_generated_at: Option<String>,
        users: usize,
        keys: usize,
        notes: &'a [String],
    },
    Skipped {
        reason: &'a str,
    },
    Failed {
        error: &'a str,
    },
}

#[derive(Debug, serde::Serialize)]
pub struct FindingJson<'a> {
    pub severity: &'static str,
    pub rule: &'static str,
    pub standards: &'static [&'static str],
    pub account: &'a str,
    pub account_name: &'a str,
    pub user: &'a str,
    pub user_arn: &'a str,
    pub key_id: Option<&'a str>,
    pub key_slot: Option<u8>,
    pub keys: &'a [String],
    pub key_created: Option<String>,
    pub key_age_days: Option<i64>,
    pub last_used: Option<String>,
    pub last_used_service: Option<&'a str>,
    pub message: &'a str,
    pub local: Vec<LocalJson<'a>>,
    pub fix: Option<&'a str>,
    /// The key's drain in progress (`--retire drain`), when keyturn is
    /// draining it; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drain: Option<DrainJson<'a>>,
}

/// A drain as `audit` and `status` show it.
#[derive(Debug, serde::Serialize)]
pub struct DrainJson<'a> {
    pub profile: &'a str,
    pub phase: crate::retire::Phase,
    /// When its current phase began (RFC 3339): the write, or the
    /// deactivation.
    pub since: String,
    pub last_used: Option<&'a crate::drain::LastUse>,
}

impl<'a> DrainJson<'a> {
    pub fn of(r: &'a crate::drain::DrainRecord) -> DrainJson<'a> {
        DrainJson {
            profile: &r.profile,
            phase: r.phase,
            since: crate::util::time::rfc3339(drain_since(r)),
            last_used: r.last_used.as_ref(),
        }
    }
}

/// When a drain's current phase began.
pub fn drain_since(r: &crate::drain::DrainRecord) -> u64 {
    match r.phase {
        crate::retire::Phase::Active => r.written_at,
        crate::retire::Phase::Inactive => r.deactivated_at.unwrap_or(r.written_at),
    }
}

/// A drain in words: its phase, since when, and the old key's last use
/// (the straggler's service and region).
pub fn drain_text(r: &crate::drain::DrainRecord) -> String {
    let last = r
        .last_used
        .as_ref()
        .map(|l| crate::rotate::last_used_text(&l.into()))
        .unwrap_or_else(|| tr("last_used.unknown").into());
    let since = crate::util::time::rfc3339(drain_since(r));
    match r.phase {
        crate::retire::Phase::Active => {
            trf("drain.note_active", &[("since", &since), ("last", &last)])
        }
        crate::retire::Phase::Inactive => {
            trf("drain.note_inactive", &[("since", &since), ("last", &last)])
        }
    }
}

#[derive(Debug, serde::Serialize)]
pub struct LocalJson<'a> {
    pub profile: Option<&'a str>,
    pub place: &'a str,
}

impl<'a> AuditJson<'a> {
    /// The whole audit as one JSON document (full key ids: they are not
    /// secrets, and tools need them).
    pub fn of(a: &'a Audit) -> AuditJson<'a> {
        let accounts = a
            .accounts
            .iter()
            .map(|r| AccountJson {
                account: &r.account,
                name: &r.name,
                via: &r.via,
                status: match &r.status {
                    AccountStatus::Audited(c) => AccountStatusJson::Audited {
                        source: c.source.as_str(),
                        report_generated_at: time_value(c.report_generated),
                        users: c.users,
                        keys: c.keys,
                        notes: &c.notes,
                    },
                    AccountStatus::Skipped(why) => AccountStatusJson::Skipped { reason: why },
                    AccountStatus::Failed(err) => AccountStatusJson::Failed { error: err },
                },
            })
            .collect();
        let findings = a
            .findings
            .iter()
            .map(|f| FindingJson {
                severity: f.severity().as_str(),
                rule: f.rule.id(),
                standards: f.standards(),
                account: &f.account,
                account_name: &f.account_name,
                user: &f.user,
                user_arn: &f.user_arn,
                key_id: f.key_id.as_deref(),
                key_slot: f.key_slot,
                keys: &f.other_keys,
                key_created: time_value(f.created),
                key_age_days: f.age.map(|s| s / DAY),
                last_used: time_value(f.last_used),
                last_used_service: f.last_used_service.as_deref(),
                message: &f.message,
                local: f
                    .local
                    .iter()
                    .map(|l| LocalJson {
                        profile: l.profile.as_deref(),
                        place: &l.place,
                    })
                    .collect(),
                fix: f.fix.as_deref(),
                drain: f.drain.as_ref().map(DrainJson::of),
            })
            .collect();
        AuditJson {
            generated_at: format_time(a.policy.now),
            max_age_seconds: a.policy.max_age,
            unused_seconds: a.policy.unused,
            summary: SummaryJson {
                findings: a.findings.len(),
                critical: a.count(Severity::Critical),
                high: a.count(Severity::High),
                medium: a.count(Severity::Medium),
                low: a.count(Severity::Low),
                accounts: a.accounts.len(),
                failed_accounts: a.failed(),
            },
            accounts,
            findings,
        }
    }
}

/// [`AuditJson`] as a value, for tests and callers that pick fields.
pub fn render_json(a: &Audit) -> Value {
    serde_json::to_value(AuditJson::of(a)).unwrap_or(Value::Null)
}

/// One CSV field, quoted when needed (RFC 4180), and defused for
/// spreadsheets: a field starting with `=`, `+`, `-` or `@` would be run
/// as a formula, and user names may start with `+`, `=` or `@`.
pub(super) fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub const CSV_HEADER: &str = "severity,rule,standards,account,account_name,user,user_arn,key_id,key_slot,key_created,key_age_days,last_used,local_profiles,fix,message";

/// Findings as CSV, one per line, in the table's order. Account failures
/// are not findings: the command reports them on stderr.
pub fn render_csv(a: &Audit) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for f in &a.findings {
        let key_id = f.key_id.clone().unwrap_or_else(|| f.other_keys.join(" "));
        let fields = [
            f.severity().as_str().to_string(),
            f.rule.id().to_string(),
            f.standards().join("; "),
            f.account.clone(),
            f.account_name.clone(),
            f.user.clone(),
            f.user_arn.clone(),
            key_id,
            f.key_slot.map(|s| s.to_string()).unwrap_or_default(),
            f.created.map(format_time).unwrap_or_default(),
            f.age.map(|s| (s / DAY).to_string()).unwrap_or_default(),
            f.last_used.map(format_time).unwrap_or_default(),
            f.local
                .iter()
                .filter_map(|l| l.profile.clone())
                .collect::<Vec<_>>()
                .join(" "),
            f.fix.clone().unwrap_or_default(),
            f.message.clone(),
        ];
        let line: Vec<String> = fields.iter().map(|s| csv_field(s)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}
