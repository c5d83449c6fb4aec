//! `keyturn status --managed`: one line (or one JSON object) per managed
//! user (`[[users]]`): its Active key and age, `STALE` past its
//! `max_age` (else `--max-age`), when and where IAM last saw it used, its
//! destinations with what an interrupted rotation's journal says of each
//! (`-` when no rotation of it is pending), and its old key's drain
//! (`drain`: phase, since when, IAM's last use of the old key as the last
//! run read it: the straggler's service and region), from the drain
//! records in the state folder (`drain/`); null when none is pending.
//!
//! Read-only: ListAccessKeys and GetAccessKeyLastUsed signed by the
//! operator (as `rotate --user` signs); `--offline` sends nothing and
//! shows the settings and journals only. No secret is read into the output.

use crate::aws::{partition_of_region, partition_region, Aws, LastUsed};
use crate::cmd::Config;
use crate::exit::Exit;
use crate::i18n::{tr, trf};
use crate::managed::ManagedUser;
use crate::rotate::Journal;
use crate::sdk::operator::OperatorSpec;
use crate::sdk::SdkAws;
use crate::secret::mask;
use serde::Serialize;
use std::path::Path;
use std::time::Duration;

/// What `status --managed` needs beyond `status`'s own arguments.
#[derive(Clone, Debug, Default)]
pub struct ManagedArgs {
    pub users: Vec<ManagedUser>,
    pub operator: OperatorSpec,
    pub state_dir: std::path::PathBuf,
}

/// One managed user's line.
#[derive(Debug, Serialize)]
pub struct UserLine {
    pub user: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The Active key in use (the newest), if IAM was asked and has one.
    pub key_id: Option<String>,
    pub age_days: Option<u64>,
    pub stale: bool,
    /// Every key of the user (`Active`/`Inactive`), as IAM lists them.
    pub keys: usize,
    pub last_used: Option<LastUse>,
    pub destinations: Vec<DestLine>,
    /// An interrupted rotation's state, if its journal is left.
    pub pending: Option<String>,
    /// The old key's drain, when the drain policy is retiring it.
    pub drain: Option<crate::status::DrainLine>,
    /// Why the user could not be checked (IAM, the operator).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct LastUse {
    pub date: Option<String>,
    pub service: Option<String>,
    pub region: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DestLine {
    pub name: String,
    /// The journal's state of it during an interrupted rotation, else `-`.
    pub state: String,
}

pub async fn run(
    cfg: &Config,
    m: &ManagedArgs,
    offline: bool,
    max_age: Duration,
) -> anyhow::Result<Exit> {
    let journals: Vec<Journal> = crate::rotate::journals_in(std::slice::from_ref(&m.state_dir))
        .map(|v| v.into_iter().map(|(_, j)| j).collect())
        .unwrap_or_default();
    let aws = SdkAws::new(&cfg.endpoint)?.with_operator(OperatorSpec {
        files: Some((cfg.paths.credentials.clone(), cfg.paths.config.clone())),
        ..m.operator.clone()
    });
    let now = crate::util::time::now_secs();
    let drains = crate::drain::pending(&crate::drain::drain_dir(&m.state_dir));
    let mut lines = Vec::new();
    for u in &m.users {
        let mut line = offline_line(u, &journals, &m.state_dir);
        line.drain = drain_line(u, &drains);
        if !offline {
            if let Err(e) = ask(&aws, u, &mut line, now, u.max_age.unwrap_or(max_age)).await {
                line.error = Some(e.to_string());
            }
        }
        lines.push(line);
    }
    if cfg.output == crate::cli::Output::Json {
        crate::report::json(&lines);
    } else {
        for l in &lines {
            crate::report::out(&text(l));
        }
    }
    Ok(if lines.iter().any(|l| l.error.is_some()) {
        Exit::Failure
    } else if lines.is_empty() {
        Exit::NothingToDo
    } else {
        Exit::Ok
    })
}

/// What the settings and the journals say.
fn offline_line(u: &ManagedUser, journals: &[Journal], state_dir: &Path) -> UserLine {
    let label = crate::rotate::admin_label(u);
    let j = journals
        .iter()
        .find(|j| j.profile == label && j.home.managed().is_some_and(|m| m.state_dir == state_dir));
    let destinations = u
        .spec
        .destinations
        .iter()
        .map(|name| DestLine {
            name: name.clone(),
            state: j
                .and_then(|j| j.destinations.iter().find(|d| &d.spec.name == name))
                .map(|d| crate::dest::DestReport::of(d).state.to_string())
                .unwrap_or_else(|| "-".into()),
        })
        .collect();
    UserLine {
        user: u.spec.name.clone(),
        account: u.spec.account.clone(),
        key_id: None,
        age_days: None,
        stale: false,
        keys: 0,
        last_used: None,
        destinations,
        pending: j.map(|j| {
            serde_json::to_value(j.state)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        }),
        drain: None,
        error: None,
    }
}

/// The user's pending drain (the oldest, should there be two).
fn drain_line(
    u: &ManagedUser,
    drains: &[crate::drain::DrainRecord],
) -> Option<crate::status::DrainLine> {
    let d = drains.iter().find(|d| {
        d.profile.is_empty() && d.user_name == u.spec.name && d.account == u.spec.account
    })?;
    Some(crate::status::DrainLine {
        old_key_id: d.old_key_id.clone(),
        phase: d.phase,
        since: crate::util::time::rfc3339(crate::audit::render::drain_since(d)),
        last_used: d.last_used.clone(),
        text: crate::audit::render::drain_text(d),
    })
}

/// IAM's view, signed by the operator.
async fn ask(
    aws: &SdkAws,
    u: &ManagedUser,
    line: &mut UserLine,
    now: u64,
    max_age: Duration,
) -> Result<(), crate::aws::AwsError> {
    let region = partition_region(partition_of_region(None));
    let op = aws
        .operator_creds(u.spec.role_arn.as_deref(), region)
        .await?;
    let keys = aws.list_access_keys(&op, &u.spec.name).await?;
    line.keys = keys.len();
    let Some(k) = keys
        .iter()
        .filter(|k| k.active)
        .max_by_key(|k| k.created.unwrap_or(i64::MIN))
    else {
        return Ok(());
    };
    line.key_id = Some(k.id.clone());
    if let Some(c) = k.created {
        let age = now.saturating_sub(u64::try_from(c).unwrap_or(0));
        line.age_days = Some(age / 86_400);
        line.stale = age >= max_age.as_secs();
    }
    let l: LastUsed = aws.key_last_used(&op, &k.id).await?;
    line.last_used = Some(LastUse {
        date: l.date,
        service: l.service,
        region: l.region,
    });
    Ok(())
}

/// One line in the user's language; names come from the settings file.
fn text(l: &UserLine) -> String {
    let user = crate::term::clean(&l.user).into_owned();
    if let Some(e) = &l.error {
        return trf(
            "status_managed.error",
            &[("user", &user), ("error", &crate::term::clean_text(e))],
        );
    }
    let key = l.key_id.as_deref().map(mask).unwrap_or_else(|| "-".into());
    let age = match l.age_days {
        Some(1) => tr("status.one_day").to_string(),
        Some(d) => trf("status.days", &[("count", &d)]),
        None => "-".into(),
    };
    let last = match &l.last_used {
        Some(lu) => crate::rotate::last_used_text(&LastUsed {
            date: lu.date.clone(),
            service: lu.service.clone(),
            region: lu.region.clone(),
        }),
        None => "-".into(),
    };
    let dests = l
        .destinations
        .iter()
        .map(|d| format!("{} ({})", crate::term::clean(&d.name), d.state))
        .collect::<Vec<_>>()
        .join(", ");
    let mut out = trf(
        "status_managed.line",
        &[
            ("user", &user),
            ("key", &key),
            ("age", &age),
            ("last", &last),
            ("dests", &dests),
        ],
    );
    if l.stale {
        out.push_str(&trf("status_managed.stale", &[("user", &user)]));
    }
    if let Some(d) = &l.drain {
        out.push_str(&trf(
            "status_managed.drain",
            &[("key", &mask(&d.old_key_id)), ("note", &d.text)],
        ));
    }
    if let Some(p) = &l.pending {
        out.push_str(&trf(
            "status_managed.pending",
            &[("state", p), ("user", &user)],
        ));
    }
    out
}
