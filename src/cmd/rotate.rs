//! `keyturn rotate`: rotate the named profiles (or `--all`) and report one
//! line, or one JSON object, per profile. Lines are in the user's language
//! ([`crate::i18n`]); JSON keys and status values are English in all.

use super::{accept, chosen_profile, Config};
use crate::cli::{GlobalArgs, Output};
use crate::duration::{parse_duration_max, too_large, MAX_AGE, MAX_JOBS, MAX_VERIFY_COUNT};
use crate::env::Env;
use crate::exit::{Exit, UsageError};
use crate::i18n::{tr, trf};
use crate::profile::{FileKind, Place};
use crate::report;
use crate::rotate::{
    self, Ctx, OnDestinationFailure, OnHookFailure, Outcome, Results, Retire, RotateError, Settings,
};
use crate::sdk::SdkAws;
use crate::secret::mask;
use crate::ui::TermUi;
use serde::Serialize;
use std::path::PathBuf;

/// Arguments of `keyturn rotate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Profiles to rotate (or --profile) [default: AWS_DEFAULT_PROFILE or AWS_PROFILE, else `default`]
    #[arg(value_name = "PROFILE")]
    pub profiles: Vec<String>,

    /// Every profile of both files; those that cannot rotate are skipped
    #[arg(long, conflicts_with = "profiles")]
    pub all: bool,

    /// Admin mode: rotate this managed user's key (a [[users]] entry) into its destinations, signed by the operator (--profile, AWS_PROFILE...); repeatable
    #[arg(long = "user", value_name = "NAME", conflicts_with_all = ["profiles", "all"])]
    pub users: Vec<String>,

    /// Admin mode: every [[users]] entry of the settings file
    #[arg(long, conflicts_with_all = ["profiles", "all", "users"])]
    pub managed: bool,

    /// Rotate only keys older than this, e.g. 60d (else: "fresh", exit 5)
    #[arg(long, value_name = "DURATION")]
    pub max_age: Option<String>,

    /// AWS requests in flight at once, across all rotations [default: 4]
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,

    /// What to do with the old key once the new one works [default: delete]
    #[arg(long, value_enum)]
    pub retire: Option<RetireArg>,

    /// `--retire drain`: how long the old key must go unused before each step [default: 1d]
    #[arg(long, value_name = "DURATION")]
    pub drain_grace: Option<String>,

    /// `--retire drain`: a key still used this long after the write is reported [default: 7d]
    #[arg(long, value_name = "DURATION")]
    pub drain_max: Option<String>,

    /// Deactivate a draining key still in use past its drain_max
    #[arg(long)]
    pub force_drain: bool,

    /// If a hook fails: keep the old key (stop) or undo (rollback) [default: stop]
    #[arg(long, value_enum)]
    pub on_hook_failure: Option<OnHookFailureArg>,

    /// If a destination fails: keep both keys (stop) or undo (rollback) [default: stop]
    #[arg(long, value_enum)]
    pub on_destination_failure: Option<OnDestinationFailureArg>,

    /// Only finish interrupted rotations of these profiles; start none
    #[arg(long)]
    pub resume: bool,

    /// Consecutive successful checks that prove the new key
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub verify_count: u32,

    /// Delete a second, Inactive key without asking
    #[arg(short, long)]
    pub yes: bool,

    /// Delete a second, Active key to make room (shows its last use)
    #[arg(long)]
    pub delete_other_active: bool,

    /// Only read: print what would be created, retired and rewritten
    #[arg(long)]
    pub dry_run: bool,

    /// Rewrite only the named profile, not other profiles sharing its key
    #[arg(long)]
    pub only_named: bool,

    /// Where the keys are: files, aws-vault or granted [default: detected]
    #[arg(long, value_name = "STORE", value_parser = crate::home::keystore::StoreChoice::parse_arg)]
    pub store: Option<crate::home::keystore::StoreChoice>,

    #[command(flatten)]
    pub common: super::CommonArgs,
}

/// `--retire`: the command line's names for [`Retire`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RetireArg {
    /// Delete it (like the classic script).
    Delete,
    /// Make it Inactive; a later rotate deletes it without asking.
    Deactivate,
    /// Keep it Active until IAM shows it unused for --drain-grace, then deactivate, then delete.
    Drain,
}

impl From<RetireArg> for Retire {
    fn from(r: RetireArg) -> Retire {
        match r {
            RetireArg::Delete => Retire::Delete,
            RetireArg::Deactivate => Retire::Deactivate,
            RetireArg::Drain => Retire::Drain,
        }
    }
}

/// `--on-hook-failure`: the command line's names for [`OnHookFailure`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OnHookFailureArg {
    /// Keep the old key active; finish later with `rotate --resume`.
    Stop,
    /// Undo the rotation: old pair back, new key deleted.
    Rollback,
}

impl From<OnHookFailureArg> for OnHookFailure {
    fn from(o: OnHookFailureArg) -> OnHookFailure {
        match o {
            OnHookFailureArg::Stop => OnHookFailure::Stop,
            OnHookFailureArg::Rollback => OnHookFailure::Rollback,
        }
    }
}

/// `--on-destination-failure`: the command line's names for
/// [`OnDestinationFailure`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OnDestinationFailureArg {
    /// Keep both keys active; finish later with `rotate --resume`.
    Stop,
    /// Undo: the old pair back in every destination and the file, new key deleted.
    Rollback,
}

impl From<OnDestinationFailureArg> for OnDestinationFailure {
    fn from(o: OnDestinationFailureArg) -> OnDestinationFailure {
        match o {
            OnDestinationFailureArg::Stop => OnDestinationFailure::Stop,
            OnDestinationFailureArg::Rollback => OnDestinationFailure::Rollback,
        }
    }
}

/// A validated `rotate`.
#[derive(Debug)]
pub struct Options {
    /// The profiles to rotate, each once; empty with `all`.
    pub profiles: Vec<String>,
    pub all: bool,
    pub settings: Settings,
    /// Admin mode (`--user`, `--managed`): the users, who signs, and
    /// where the journals go. None: profiles are rotated.
    pub managed: Option<Managed>,
}

/// Admin mode's part of [`Options`].
#[derive(Debug)]
pub struct Managed {
    pub users: Vec<crate::managed::ManagedUser>,
    /// Every `[[users]]` entry: each pending managed drain is advanced
    /// whichever users were named.
    pub all: Vec<crate::managed::ManagedUser>,
    pub operator: crate::sdk::operator::OperatorSpec,
    /// `$XDG_STATE_HOME/keyturn`.
    pub state_dir: PathBuf,
}

/// Pure: `--user`/`--managed` into the users to rotate and the operator;
/// None without either. A `--user` with no `[[users]]` entry is a usage
/// error saying how to add one.
fn managed_options(a: &Args, g: &GlobalArgs, env: &Env) -> Result<Option<Managed>, UsageError> {
    if a.users.is_empty() && !a.managed {
        return Ok(None);
    }
    let file = env.settings_file()?;
    let all = file.map(|f| f.users).unwrap_or_default();
    let users = if a.managed {
        all.clone()
    } else {
        let mut picked = Vec::new();
        for name in &a.users {
            let found: Vec<_> = all.iter().filter(|u| &u.spec.name == name).collect();
            if found.is_empty() {
                return Err(UsageError(trf(
                    "usage.unknown_user",
                    &[("user", &crate::term::clean(name))],
                )));
            }
            for u in found {
                if !picked.contains(u) {
                    picked.push(u.clone());
                }
            }
        }
        picked
    };
    let (operator, state_dir) = operator_and_state(g, env)?;
    Ok(Some(Managed {
        users,
        all,
        operator,
        state_dir,
    }))
}

/// Pure: admin mode's operator (`--profile`, else the environment's
/// profile for the SDK's default chain) and its state folder
/// (`$XDG_STATE_HOME/keyturn`).
pub fn operator_and_state(
    g: &GlobalArgs,
    env: &Env,
) -> Result<(crate::sdk::operator::OperatorSpec, PathBuf), UsageError> {
    if g.profile.len() > 1 {
        return Err(UsageError(tr("usage.managed_one_profile").into()));
    }
    let state_dir =
        crate::home::managed::state_dir(env.xdg_state_home.as_deref(), env.home.as_deref())
            .ok_or_else(|| UsageError(tr("usage.no_home").into()))?;
    // The variables as every other command reads them (conflicting
    // values are refused); neither set: the chain's own default.
    let env_profile = match (
        env.aws_default_profile.as_deref(),
        env.aws_profile.as_deref(),
    ) {
        (None, None) => None,
        (d, p) => Some(super::choose_profile(None, d, p)?.0),
    };
    let operator = crate::sdk::operator::OperatorSpec {
        profile: g.profile.first().cloned(),
        env_profile,
        files: None,
    };
    Ok((operator, state_dir))
}

/// Pure: the flags, the settings file's defaults and the environment's
/// profile choice, checked.
pub fn validate(a: &Args, g: &GlobalArgs, env: &Env) -> Result<Options, UsageError> {
    accept(g, "rotate", true, false)?;
    let managed = managed_options(a, g, env)?;
    // Admin mode: `--profile` names the operator, not a key to rotate.
    let global = if managed.is_some() {
        &[][..]
    } else {
        &g.profile[..]
    };
    let mut profiles: Vec<String> = a.profiles.iter().chain(global).cloned().collect();
    if a.all && !profiles.is_empty() {
        return Err(UsageError(tr("usage.all_and_profiles").into()));
    }
    if profiles.is_empty() && !a.all && managed.is_none() {
        profiles = chosen_profile(env)?;
    }
    let mut seen = std::collections::HashSet::new();
    profiles.retain(|p| seen.insert(p.clone()));
    if a.verify_count == 0 {
        return Err(UsageError(tr("usage.verify_count_zero").into()));
    }
    if a.jobs == Some(0) {
        return Err(UsageError(tr("usage.jobs_zero").into()));
    }
    if a.verify_count > MAX_VERIFY_COUNT {
        return Err(too_large(
            "--verify-count",
            &a.verify_count,
            &MAX_VERIFY_COUNT,
        ));
    }
    if let Some(j) = a.jobs.filter(|j| *j > MAX_JOBS) {
        return Err(too_large("--jobs", &j, &MAX_JOBS));
    }
    let file = env.settings_file()?;
    let defaults = file.as_ref().map(|f| &f.defaults);
    let max_age = match a
        .max_age
        .as_deref()
        .or(defaults.and_then(|d| d.max_age.as_deref()))
    {
        Some(m) => Some(parse_duration_max(m, "--max-age", MAX_AGE)?),
        None => None,
    };
    let drain = drain_policy(a, defaults)?;
    let mut base = a.common.settings(env)?;
    if let (Some(k), Some(choice)) = (&mut base.keystores, a.store) {
        k.choice = choice;
    }
    Ok(Options {
        managed,
        profiles,
        all: a.all,
        settings: Settings {
            retire: a.retire.map(Retire::from).unwrap_or(base.retire),
            retire_named: a.retire.is_some() || base.retire_named,
            verify_successes: a.verify_count,
            yes: a.yes,
            delete_other_active: a.delete_other_active,
            dry_run: a.dry_run,
            update_shared: !a.only_named,
            max_age,
            jobs: a.jobs.unwrap_or(base.jobs),
            on_hook_failure: a
                .on_hook_failure
                .map(OnHookFailure::from)
                .unwrap_or(base.on_hook_failure),
            on_destination_failure: a
                .on_destination_failure
                .map(OnDestinationFailure::from)
                .unwrap_or(base.on_destination_failure),
            resume_only: a.resume,
            skip_unrotatable: a.all,
            drain,
            ..base
        },
    })
}

/// `--drain-grace`, `--drain-max` (or `[defaults]`'s) and `--force-drain`.
/// A grace longer than the maximum is refused: the maximum would pass
/// before any key could be found unused.
fn drain_policy(
    a: &Args,
    defaults: Option<&crate::settings::Defaults>,
) -> Result<crate::retire::DrainPolicy, UsageError> {
    let base = crate::retire::DrainPolicy::default();
    let pick = |flag: &Option<String>, file: Option<&String>, what: &str, dflt: u64| match flag
        .as_ref()
        .or(file)
    {
        Some(v) => parse_duration_max(v, what, MAX_AGE).map(|d| d.as_secs()),
        None => Ok(dflt),
    };
    let grace_s = pick(
        &a.drain_grace,
        defaults.and_then(|d| d.drain_grace.as_ref()),
        "--drain-grace",
        base.grace_s,
    )?;
    let max_s = pick(
        &a.drain_max,
        defaults.and_then(|d| d.drain_max.as_ref()),
        "--drain-max",
        base.max_s,
    )?;
    if grace_s > max_s {
        return Err(UsageError(tr("usage.drain_grace_over_max").into()));
    }
    Ok(crate::retire::DrainPolicy {
        grace_s,
        max_s,
        force: a.force_drain,
    })
}

pub async fn run(cfg: &Config, o: &Options) -> anyhow::Result<Exit> {
    if let Some(m) = &o.managed {
        return run_managed(cfg, &o.settings, m).await;
    }
    let settings = &o.settings;
    let aws = SdkAws::new(&cfg.endpoint)?;
    let ui = TermUi::new(cfg.spinner);
    if let Some(k) = &settings.keystores {
        k.env.passphrases.set_reader(ui.secret_reader());
    }
    let locks = rotate::lock_files(&cfg.paths, settings)?;
    let names = if o.all {
        crate::home::files::profile_names(&cfg.paths)?
    } else {
        o.profiles.clone()
    };
    let cx = Ctx {
        aws: &aws,
        ui: &ui,
        paths: &cfg.paths,
        s: settings,
        locks: &locks,
        mfa: &Default::default(),
    };
    let results = rotate::rotate_many(&cx, &names).await?;
    // Every pending drain advances, whatever the profiles named: a
    // scheduled run is what moves them on.
    let drains = if settings.dry_run {
        Vec::new()
    } else {
        rotate::advance_drains(&cx).await
    };
    drop(ui);
    report(cfg, &results, &drains);
    // A drain that could not advance is a failure; one that waits or
    // acted changes nothing of the profiles' verdict.
    let failed_drains = drains
        .iter()
        .map(drain_exit)
        .filter(|e| *e == Exit::Failure);
    Ok(Exit::merge_all(
        std::iter::once(exit_code(&results)).chain(failed_drains),
    ))
}

/// Admin mode: each managed user rotated, signed by the operator.
async fn run_managed(cfg: &Config, settings: &Settings, m: &Managed) -> anyhow::Result<Exit> {
    let operator = crate::sdk::operator::OperatorSpec {
        files: Some((cfg.paths.credentials.clone(), cfg.paths.config.clone())),
        ..m.operator.clone()
    };
    let aws = SdkAws::new(&cfg.endpoint)?.with_operator(operator);
    let ui = TermUi::new(cfg.spinner);
    let cx = Ctx {
        aws: &aws,
        ui: &ui,
        paths: &cfg.paths,
        s: settings,
        locks: &[],
        mfa: &Default::default(),
    };
    let results = rotate::rotate_users(&cx, &m.users, &m.state_dir).await?;
    // Every pending managed drain advances, whichever users were named:
    // a scheduled `rotate --managed` is what moves them on.
    let drains = if settings.dry_run {
        Vec::new()
    } else {
        rotate::advance_managed_drains(&cx, &m.all, &m.state_dir).await
    };
    drop(ui);
    report_managed(cfg, &results, &drains);
    let failed_drains = drains
        .iter()
        .map(drain_exit)
        .filter(|e| *e == Exit::Failure);
    Ok(Exit::merge_all(
        std::iter::once(exit_code(&results)).chain(failed_drains),
    ))
}

/// Admin mode's report: each user's result, then each managed drain
/// (`{"user", "status": "drain", "drain": {...}}` in JSON).
fn report_managed(cfg: &Config, results: &Results, drains: &[rotate::DrainReport]) {
    if cfg.output == Output::Json {
        let mut items: Vec<Either<UserItem, UserDrainItem>> = results
            .iter()
            .map(|(u, r)| {
                Either::A(UserItem {
                    user: u,
                    result: Item::of(u, r).result,
                })
            })
            .collect();
        items.extend(drains.iter().map(|d| Either::B(user_drain_item(d))));
        report::json(&items);
        return;
    }
    for (u, r) in results {
        print_text(cfg, u, r);
    }
    for d in drains {
        report::out(&d.text());
    }
}

/// A managed user's drain in `--output json`: `user` (its label) where a
/// profile's drain has `profile`.
#[derive(Debug, Serialize)]
pub struct UserDrainItem<'a> {
    pub user: String,
    pub status: &'static str,
    pub drain: &'a rotate::DrainReport,
}

pub fn user_drain_item(d: &rotate::DrainReport) -> UserDrainItem<'_> {
    UserDrainItem {
        user: d.who(),
        status: "drain",
        drain: d,
    }
}

/// One managed user's result in `--output json`: `user` where a
/// profile's has `profile`, the same fields otherwise.
#[derive(Debug, Serialize)]
pub struct UserItem<'a> {
    pub user: &'a str,
    #[serde(flatten)]
    pub result: ItemResult<'a>,
}

/// One [`Exit`] per profile, merged: any failure wins; then a refusal;
/// then, if nothing rotated or was planned, "nothing to do"; else success.
pub fn exit_code(results: &[(String, Result<Outcome, RotateError>)]) -> Exit {
    Exit::merge_all(results.iter().map(|(_, r)| match r {
        Err(e) if e.nothing_changed() => Exit::Refused,
        Err(_) => Exit::Failure,
        Ok(Outcome::Rotated(_) | Outcome::Planned(_) | Outcome::SharedWith { .. }) => Exit::Ok,
        Ok(Outcome::Fresh(_) | Outcome::Skipped { .. }) => Exit::NothingToDo,
    }))
}

pub fn place_text(cfg: &Config, p: &Place) -> String {
    let file = match p.file {
        FileKind::Credentials => &cfg.paths.credentials,
        FileKind::Config => &cfg.paths.config,
        // A keyring item: the section names it (`aws-vault (file) item dev`).
        FileKind::Keystore => return crate::term::clean(&p.section).into_owned(),
    };
    crate::term::clean(&format!("{} [{}]", file.display(), p.section)).into_owned()
}

fn report(cfg: &Config, results: &Results, drains: &[rotate::DrainReport]) {
    if cfg.output == Output::Json {
        let mut items: Vec<Either<Item, DrainItem>> = results
            .iter()
            .map(|(p, r)| Either::A(Item::of(p, r)))
            .collect();
        items.extend(drains.iter().map(|d| Either::B(drain_item(d))));
        report::json(&items);
        return;
    }
    for (p, r) in results {
        print_text(cfg, p, r);
    }
    for d in drains {
        report::out(&d.text());
    }
}

/// A drain's share of the exit code: Failure when it could not advance.
pub fn drain_exit(d: &rotate::DrainReport) -> Exit {
    if d.action == "failed" {
        Exit::Failure
    } else {
        Exit::Ok
    }
}

/// A drain's item in `--output json`: `{"profile", "status": "drain",
/// "drain": {...}}`, after the profiles' items.
#[derive(Debug, Serialize)]
pub struct DrainItem<'a> {
    /// The profile (or, in `recover`, a managed user's label).
    pub profile: String,
    pub status: &'static str,
    pub drain: &'a rotate::DrainReport,
}

pub fn drain_item(d: &rotate::DrainReport) -> DrainItem<'_> {
    DrainItem {
        profile: d.who(),
        status: "drain",
        drain: d,
    }
}

/// One list of two kinds of items, each serialised as itself (field
/// order kept).
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Either<A, B> {
    A(A),
    B(B),
}

/// One profile's result as lines in the user's language.
fn print_text(cfg: &Config, p: &str, r: &Result<Outcome, RotateError>) {
    // Names and paths come from the files: no terminal escapes.
    let p = &crate::term::clean(p).into_owned();
    match r {
        Ok(Outcome::Rotated(s)) => {
            let retired = match s.retired {
                rotate::Retire::Delete => tr("out.retired_delete"),
                rotate::Retire::Deactivate => tr("out.retired_deactivate"),
                rotate::Retire::Drain => tr("out.retired_drain"),
            };
            report::out(&trf(
                "out.rotated",
                &[
                    ("profile", p),
                    ("old", &mask(&s.old_key_id)),
                    ("new", &mask(&s.new_key_id)),
                    ("arn", &s.user_arn),
                    ("resumed", &if s.resumed { tr("out.resumed") } else { "" }),
                    ("retired", &retired),
                ],
            ));
            for place in &s.updated {
                let place = place_text(cfg, place);
                report::out(&trf("out.updated", &[("place", &place)]));
            }
            for b in &s.backups {
                let b = crate::term::clean(&b.display().to_string()).into_owned();
                report::out(&trf("out.backup", &[("path", &b)]));
            }
            for d in &s.destinations {
                report::out(&dest_line("out.destination", d));
            }
        }
        Ok(Outcome::Planned(plan)) => {
            report::out(&trf("out.plan", &[("profile", p), ("arn", &plan.user_arn)]));
            for id in &plan.would_delete {
                report::out(&trf("out.plan_delete_other", &[("key", &mask(id))]));
            }
            report::out(tr("out.plan_create"));
            for place in &plan.updated {
                let place = place_text(cfg, place);
                report::out(&trf("out.plan_write", &[("place", &place)]));
            }
            for d in &plan.destinations {
                report::out(&dest_line("out.plan_destination", d));
                if let Some(e) = &d.error {
                    report::out(&format!("    {}", crate::term::clean_text(e)));
                }
            }
            let old = mask(&plan.old_key_id);
            let line = match plan.retire {
                rotate::Retire::Delete => trf("out.plan_verify_delete", &[("key", &old)]),
                rotate::Retire::Deactivate => trf("out.plan_verify_deactivate", &[("key", &old)]),
                rotate::Retire::Drain => match &plan.drain_until {
                    Some(until) => trf(
                        "out.plan_verify_drain_until",
                        &[("key", &old), ("until", until)],
                    ),
                    None => trf("out.plan_verify_drain", &[("key", &old)]),
                },
            };
            report::out(&line);
        }
        Ok(Outcome::Fresh(f)) => report::out(&trf(
            "out.fresh",
            &[
                ("profile", p),
                ("key", &mask(&f.key_id)),
                ("days", &f.age_days),
            ],
        )),
        Ok(Outcome::Skipped { reason, .. }) => report::out(&trf(
            "out.skipped",
            &[("profile", p), ("reason", &crate::term::clean_text(reason))],
        )),
        Ok(Outcome::SharedWith { with }) => {
            let with = crate::term::clean(with);
            report::out(&trf("out.shared", &[("profile", p), ("with", &with)]))
        }
        Err(e) => report::error(&e.to_string()),
    }
}

/// A destination's line: its name (from the settings file, so cleaned),
/// type and state.
fn dest_line(id: &str, d: &crate::dest::DestReport) -> String {
    let name = crate::term::clean(&d.name);
    match id {
        "out.plan_destination" => trf(
            "out.plan_destination",
            &[("name", &name), ("type", &d.kind), ("state", &d.state)],
        ),
        _ => trf(
            "out.destination",
            &[("name", &name), ("type", &d.kind), ("state", &d.state)],
        ),
    }
}

/// One profile's result in `--output json` (schema in the README).
#[derive(Debug, Serialize)]
pub struct Item<'a> {
    pub profile: &'a str,
    #[serde(flatten)]
    pub result: ItemResult<'a>,
}

/// What happened to one profile, tagged by `status`.
#[derive(Debug, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ItemResult<'a> {
    Rotated {
        user_arn: &'a str,
        old_key_id: &'a str,
        new_key_id: &'a str,
        retired: Retire,
        resumed: bool,
        updated: &'a [Place],
        backups: &'a [PathBuf],
        destinations: &'a [crate::dest::DestReport],
    },
    Planned {
        user_arn: &'a str,
        old_key_id: &'a str,
        would_delete: &'a [String],
        retire: Retire,
        updated: &'a [Place],
        destinations: &'a [crate::dest::DestReport],
    },
    Fresh {
        key_id: &'a str,
        age_days: u64,
    },
    Skipped {
        reason: Reason<'a>,
    },
    /// Rotated together with `shared_with`, which holds the same key.
    #[serde(rename = "rotated")]
    Shared {
        shared_with: &'a str,
    },
    Refused {
        error: Reason<'a>,
    },
    Failed {
        error: Reason<'a>,
    },
}

/// A machine code and its message (in the user's language).
#[derive(Debug, Serialize)]
pub struct Reason<'a> {
    pub code: &'a str,
    pub message: String,
}

impl<'a> Item<'a> {
    pub fn of(profile: &'a str, r: &'a Result<Outcome, RotateError>) -> Item<'a> {
        let result = match r {
            Ok(Outcome::Rotated(s)) => ItemResult::Rotated {
                user_arn: &s.user_arn,
                old_key_id: &s.old_key_id,
                new_key_id: &s.new_key_id,
                retired: s.retired,
                resumed: s.resumed,
                updated: &s.updated,
                backups: &s.backups,
                destinations: &s.destinations,
            },
            Ok(Outcome::Planned(p)) => ItemResult::Planned {
                user_arn: &p.user_arn,
                old_key_id: &p.old_key_id,
                would_delete: &p.would_delete,
                retire: p.retire,
                updated: &p.updated,
                destinations: &p.destinations,
            },
            Ok(Outcome::Fresh(f)) => ItemResult::Fresh {
                key_id: &f.key_id,
                age_days: f.age_days,
            },
            Ok(Outcome::Skipped { reason, code }) => ItemResult::Skipped {
                reason: Reason {
                    code,
                    message: reason.clone(),
                },
            },
            Ok(Outcome::SharedWith { with }) => ItemResult::Shared { shared_with: with },
            Err(e) => {
                let error = Reason {
                    code: e.code(),
                    message: e.to_string(),
                };
                if e.nothing_changed() {
                    ItemResult::Refused { error }
                } else {
                    ItemResult::Failed { error }
                }
            }
        };
        Item { profile, result }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rotate::{Fresh, Plan, Summary};

    /// `--retire` and `--on-hook-failure` take the settings file's words
    /// (the domain enums' serde names), and each maps onto its own value.
    #[test]
    fn policy_flags_are_the_settings_words() {
        use clap::ValueEnum;
        for r in RetireArg::value_variants() {
            let word = r.to_possible_value().unwrap().get_name().to_owned();
            assert_eq!(serde_json::to_value(Retire::from(*r)).unwrap(), word);
        }
        for h in OnHookFailureArg::value_variants() {
            let word = h.to_possible_value().unwrap().get_name().to_owned();
            assert_eq!(serde_json::to_value(OnHookFailure::from(*h)).unwrap(), word);
        }
        for d in OnDestinationFailureArg::value_variants() {
            let word = d.to_possible_value().unwrap().get_name().to_owned();
            assert_eq!(
                serde_json::to_value(OnDestinationFailure::from(*d)).unwrap(),
                word
            );
        }
        assert_eq!(RetireArg::value_variants().len(), 3);
        assert_eq!(OnHookFailureArg::value_variants().len(), 2);
    }

    fn drain_settings(args: &[&str], file: Option<&str>) -> Result<Settings, UsageError> {
        use clap::Parser;
        let env = Env {
            home: Some("/home/u".into()),
            settings: file.map(|t| ("/home/u/.config/keyturn/config.toml".into(), t.into())),
            ..Env::default()
        };
        let cli =
            super::super::Cli::try_parse_from(["keyturn", "rotate"].iter().chain(args).copied())
                .unwrap();
        let super::super::Cli {
            command: super::super::Command::Rotate(a),
            global,
        } = &cli
        else {
            panic!()
        };
        validate(a, global, &env).map(|o| o.settings)
    }

    /// `--retire drain`, its limits from the flags or `[defaults]`, the
    /// defaults (1 day, 7 days), `--force-drain`, and a grace longer than
    /// the maximum refused.
    #[test]
    fn drain_flags_and_defaults() {
        let s = drain_settings(&["--retire", "drain"], None).unwrap();
        assert_eq!(s.retire, Retire::Drain);
        assert_eq!(s.drain, crate::retire::DrainPolicy::default());
        assert_eq!((s.drain.grace_s, s.drain.max_s), (86_400, 7 * 86_400));
        let file = "[defaults]\nretire = \"drain\"\ndrain_grace = \"2h\"\ndrain_max = \"3d\"\n";
        let s = drain_settings(&[], Some(file)).unwrap();
        assert_eq!(s.retire, Retire::Drain);
        assert_eq!((s.drain.grace_s, s.drain.max_s), (7200, 3 * 86_400));
        let s = drain_settings(&["--drain-grace", "0s", "--force-drain"], Some(file)).unwrap();
        assert_eq!((s.drain.grace_s, s.drain.force), (0, true));
        assert!(drain_settings(&["--drain-grace", "8d"], None).is_err());
        assert!(drain_settings(&["--drain-max", "nonsense"], None).is_err());
    }

    /// The drains' items of `rotate` / `recover --output json`, one of
    /// each action, and their share of the exit code.
    #[test]
    fn drain_json_matches_its_golden_file() {
        use crate::retire::Phase;
        let base = rotate::DrainReport {
            profile: "ci".into(),
            user_name: "deployer".into(),
            account: None,
            old_key_id: "AKIAOLDOLDOLDOLDOLD1".into(),
            action: "waiting",
            phase: Phase::Active,
            since: Some("2026-12-07T09:00:00Z".into()),
            until: Some("2026-12-08T09:00:00Z".into()),
            forced: false,
            last_used: Some(crate::drain::LastUse {
                date: Some("2026-12-07T09:00:00Z".into()),
                service: Some("s3".into()),
                region: Some("eu-west-1".into()),
            }),
            error: None,
        };
        let drains = [
            base.clone(),
            rotate::DrainReport {
                action: "straggler",
                until: None,
                ..base.clone()
            },
            rotate::DrainReport {
                action: "deactivated",
                phase: Phase::Inactive,
                forced: true,
                ..base.clone()
            },
            rotate::DrainReport {
                action: "deleted",
                phase: Phase::Inactive,
                since: None,
                until: None,
                ..base.clone()
            },
            rotate::DrainReport {
                action: "failed",
                since: None,
                until: None,
                error: Some("AccessDenied".into()),
                ..base.clone()
            },
        ];
        let items: Vec<DrainItem> = drains.iter().map(drain_item).collect();
        crate::report::assert_golden("rotate-drain.json", &crate::report::json_text(&items));
        let exits: Vec<Exit> = drains.iter().map(drain_exit).collect();
        assert_eq!(
            exits,
            [Exit::Ok, Exit::Ok, Exit::Ok, Exit::Ok, Exit::Failure]
        );
    }

    fn place(file: FileKind, section: &str) -> Place {
        Place {
            file,
            section: section.into(),
            profile: Some(section.trim_start_matches("profile ").into()),
        }
    }

    /// One result of every kind, as `rotate --output json` prints them.
    #[test]
    fn json_matches_its_golden_file() {
        let arn = "arn:aws:iam::123456789012:user/alice".to_string();
        let results: Results = vec![
            (
                "dev".into(),
                Ok(Outcome::Rotated(Summary {
                    profile: "dev".into(),
                    user_arn: arn.clone(),
                    old_key_id: "AKIAOLDOLDOLDOLDOLD1".into(),
                    new_key_id: "AKIANEWNEWNEWNEWNEW1".into(),
                    retired: Retire::Delete,
                    updated: vec![place(FileKind::Credentials, "dev")],
                    backups: vec!["/h/.aws/backups/credentials.1".into()],
                    resumed: false,
                    destinations: vec![crate::dest::DestReport {
                        name: "app-env".into(),
                        kind: "dotenv",
                        state: "confirmed",
                        error: None,
                    }],
                })),
            ),
            (
                "dev-copy".into(),
                Ok(Outcome::SharedWith { with: "dev".into() }),
            ),
            (
                "plan".into(),
                Ok(Outcome::Planned(Plan {
                    profile: "plan".into(),
                    user_arn: arn.clone(),
                    old_key_id: "AKIAOLDOLDOLDOLDOLD2".into(),
                    would_delete: vec!["AKIAINACTIVEINACTIV3".into()],
                    retire: Retire::Deactivate,
                    drain_until: None,
                    updated: vec![place(FileKind::Config, "profile plan")],
                    destinations: vec![crate::dest::DestReport {
                        name: "ci-secret".into(),
                        kind: "secretsmanager",
                        state: "refused",
                        error: Some(
                            "secretsmanager ci-secret (ci/aws): AccessDeniedException".into(),
                        ),
                    }],
                })),
            ),
            (
                "young".into(),
                Ok(Outcome::Fresh(Fresh {
                    profile: "young".into(),
                    key_id: "AKIAYOUNGYOUNGYOUNG4".into(),
                    age_days: 12,
                })),
            ),
            (
                "role".into(),
                Ok(Outcome::Skipped {
                    reason: "a role profile".into(),
                    code: "role_profile",
                }),
            ),
            (
                "two".into(),
                Err(RotateError::TwoKeys {
                    profile: "two".into(),
                    user: "bob".into(),
                    detail: "both Active".into(),
                }),
            ),
            (
                "stuck".into(),
                Err(RotateError::Stuck {
                    profile: "stuck".into(),
                    detail: "run `keyturn recover`".into(),
                }),
            ),
        ];
        let items: Vec<Item> = results.iter().map(|(p, r)| Item::of(p, r)).collect();
        crate::report::assert_golden("rotate.json", &crate::report::json_text(&items));
        assert_eq!(exit_code(&results), Exit::Failure);
        assert_eq!(exit_code(&results[..5]), Exit::Ok);
        assert_eq!(exit_code(&results[3..5]), Exit::NothingToDo);
        assert_eq!(exit_code(&results[..6]), Exit::Refused);
    }
}
