//! `keyturn status`: one line (or one JSON object) per profile of both
//! files, saying where its key lives, whose it is, how old it is, when it
//! was last used, whether it is stale, and whether a crash left a rotation
//! of it half done.
//!
//! Read-only but for one thing (deleting a key a late CreateAccessKey made
//! inside an earlier rotation's window, as `rotate` and `recover` do):
//! nothing is written, no lock is held (one is only probed to
//! tell a rotation in flight from an interrupted one). Online, each
//! distinct key pair is asked about itself, signed with its own pair:
//! GetAccessKeyLastUsed, GetCallerIdentity, then ListAccessKeys of its
//! user. `--offline` sends nothing and shows what the files and journals
//! say. Journal secrets are never read into the output.
//!
//! The table is in the user's language ([`crate::i18n`]), its columns
//! aligned by terminal width; JSON keys and machine values (codes, IAM's
//! `Active`/`Inactive`, journal states) are English in every language.

use crate::aws::{partition_of_region, partition_region, Creds};
use crate::cli::{GlobalArgs, Output};
use crate::cmd::Config;
use crate::duration::parse_duration;
use crate::exit::{Exit, UsageError};
use crate::i18n::trf;
use crate::profile::{self, Docs, DocsError, Files};
use crate::rotate::{self, Journal};
use crate::sdk::SdkAws;
use crate::status::{self, probe, Labels, Live, Resolved};
use crate::store::{self, StoreError};
use futures_util::stream::{self, StreamExt};
use std::time::Duration;

/// Arguments of `keyturn status`.
#[derive(Clone, Debug, clap::Args)]
pub struct StatusArgs {
    /// Profiles to show [default: every profile of both files]
    #[arg(value_name = "PROFILE")]
    pub profiles: Vec<String>,

    /// Only what the files and journals say: no network request at all
    #[arg(long)]
    pub offline: bool,

    /// Mark keys at least this old STALE, e.g. 60d (90d is Security Hub's IAM.3 threshold)
    #[arg(long, value_name = "DURATION", default_value = "90d")]
    pub max_age: String,

    /// Where the keys are: files, aws-vault or granted [default: detected]
    #[arg(long, value_name = "STORE", value_parser = crate::home::keystore::StoreChoice::parse_arg)]
    pub store: Option<crate::home::keystore::StoreChoice>,

    /// One line per managed user ([[users]]), signed by the operator (--profile, AWS_PROFILE...)
    #[arg(long, conflicts_with = "profiles")]
    pub managed: bool,

    /// `--managed`'s users and operator (not a flag: filled by `validate`).
    #[arg(skip)]
    pub managed_args: Option<crate::cmd::status_managed::ManagedArgs>,

    /// The settings file's destinations (not a flag: filled by `validate`).
    #[arg(skip)]
    pub destinations: Vec<crate::dest::DestinationSpec>,
}

/// Key pairs asked about at once. Each costs three read calls; IAM's
/// request quotas are per account, so a handful in flight is plenty.
const JOBS: usize = 4;

/// Pure: `--profile` adds to the names. Without names `status` shows every
/// profile; the variables choose nothing here.
pub fn validate(
    a: &StatusArgs,
    g: &GlobalArgs,
    env: &crate::env::Env,
) -> Result<StatusArgs, UsageError> {
    crate::cmd::accept(g, "status", true, false)?;
    let mut a = a.clone();
    if a.managed {
        // `--profile` names the operator here.
        let (operator, state_dir) = crate::cmd::rotate::operator_and_state(g, env)?;
        a.managed_args = Some(crate::cmd::status_managed::ManagedArgs {
            users: env.settings_file()?.map(|f| f.users).unwrap_or_default(),
            operator,
            state_dir,
        });
        return Ok(a);
    }
    a.profiles.extend(g.profile.iter().cloned());
    a.destinations = env
        .settings_file()?
        .map(|f| f.destinations)
        .unwrap_or_default();
    Ok(a)
}

pub async fn run(cfg: &Config, args: &StatusArgs) -> anyhow::Result<Exit> {
    let max_age = parse_duration(&args.max_age)?;
    if let Some(m) = &args.managed_args {
        return crate::cmd::status_managed::run(cfg, m, args.offline, max_age).await;
    }
    let now = crate::util::time::now_secs();

    let docs = match read_docs(cfg) {
        Ok(docs) => docs,
        Err(exit) => return Ok(exit),
    };
    let files = docs.files(&cfg.paths.credentials, &cfg.paths.config);
    let journals = read_journals(cfg);

    let names = status::profile_names(&files, &journals, &args.profiles);
    let resolved = status::resolve_all(&files, names);
    // Keys kept in aws-vault's or granted's keyring (issue 13).
    let (resolved, stores) = keystore_lines(cfg, &files, resolved, args.store).await;
    let unknown_named = status::unknown_named(&args.profiles, &resolved);

    let lives = if args.offline {
        Vec::new()
    } else {
        probe_all(cfg, &resolved).await?
    };
    // Offline nothing was asked: every answer is None (no list of them).
    let lives = lives.into_iter().chain(std::iter::repeat_with(|| None));

    let in_progress: Vec<bool> = journals.iter().map(rotation_in_progress).collect();
    let mut lines = status::lines(
        &cfg.paths,
        resolved,
        lives.zip(stores),
        &journals,
        &in_progress,
        now,
        max_age,
    );
    status::attach_destinations(&mut lines, &args.destinations);
    status::attach_drains(&mut lines, &crate::rotate::pending_drains(&cfg.paths));
    print(cfg, args, &docs, &lines, max_age);
    // Stale keys are not a failure of `status` (that is `audit`'s exit 4);
    // asking for a profile that does not exist is, and so is a key that
    // could not be checked (no answer, or AWS failing): a script must not
    // read that table as "all is well". Nor when a keyring holding a key
    // cannot be read (a corrupted item). No profile at all is "nothing to do".
    let unchecked = status::any_unchecked(&lines) || status::any_unreadable_keyring(&lines);
    Ok(if unknown_named || unchecked {
        Exit::Failure
    } else if lines.is_empty() {
        Exit::NothingToDo
    } else {
        Exit::Ok
    })
}

/// Both files, read and parsed; an error (said here) when one cannot be
/// read, is not UTF-8, or is a file the AWS CLI cannot parse.
fn read_docs(cfg: &Config) -> Result<Docs, Exit> {
    let docs = match Docs::read(&cfg.paths.credentials, &cfg.paths.config) {
        Ok(docs) => docs,
        Err(e) => {
            let text = match &e {
                DocsError::NotUtf8 { path, error } => trf(
                    "status.unparsable",
                    &[("path", &path.display()), ("error", error)],
                ),
                DocsError::Read(e) => e.to_string(),
            };
            crate::report::error(&text);
            return Err(Exit::Failure);
        }
    };
    // One unparsable file makes every profile unusable to the AWS CLI:
    // say so once instead of once per profile.
    for (doc, path) in [
        (&docs.credentials, &cfg.paths.credentials),
        (&docs.config, &cfg.paths.config),
    ] {
        if let Some(doc) = doc {
            if let Err(refusal) = profile::check_parsable(doc, path) {
                crate::report::error(&refusal.to_string());
                return Err(Exit::Failure);
            }
        }
    }
    Ok(docs)
}

/// The journals of interrupted rotations. A bad journal must not hide the
/// rest of the status; `recover` is where it gets dealt with.
fn read_journals(cfg: &Config) -> Vec<Journal> {
    match rotate::journals(&cfg.paths) {
        Ok(js) => js.into_iter().map(|(_, j)| j).collect(),
        Err(e) => {
            crate::report::warning(&e.to_string());
            Vec::new()
        }
    }
}

/// The report on stdout: JSON, else the table (or why there is none).
fn print(cfg: &Config, args: &StatusArgs, docs: &Docs, lines: &[status::Line], max_age: Duration) {
    // Any other format (one only `audit` has) gets the table.
    if cfg.output == Output::Json {
        crate::report::json(lines);
    } else if lines.is_empty() {
        let (c, f) = (cfg.paths.credentials.display(), cfg.paths.config.display());
        let text = if docs.credentials.is_none() && docs.config.is_none() {
            trf("status.no_files", &[("credentials", &c), ("config", &f)])
        } else {
            trf("status.no_profiles", &[("credentials", &c), ("config", &f)])
        };
        crate::report::out(&text);
    } else {
        let labels = Labels::new(&cfg.paths.credentials, &cfg.paths.config);
        let width = crate::ui::stdout_width();
        // Profile names come from the files: no terminal escapes.
        let text = status::table(lines, &labels, max_age, args.offline, width);
        crate::report::out_text(&crate::term::clean_text(&text));
    }
}

/// Where each profile's key is kept when a keyring holds it: the files'
/// answers, with those of keystore-held keys replaced, and per line the
/// tool and the item (`None`: the files).
async fn keystore_lines(
    cfg: &Config,
    files: &Files<'_>,
    mut resolved: Vec<Resolved>,
    store: Option<crate::home::keystore::StoreChoice>,
) -> (Vec<Resolved>, Vec<status::Store>) {
    use crate::home::keystore as ks;
    let mut stores = vec![None; resolved.len()];
    let Some(env) = cfg.keystore.clone() else {
        return (resolved, stores);
    };
    // A file keyring's passphrase, when its variable is unset, is asked
    // on a terminal as `rotate` asks it (no spinner is drawn yet).
    env.passphrases
        .set_reader(crate::ui::TermUi::new(false).secret_reader());
    let k = crate::home::Keystores {
        env,
        choice: store.unwrap_or_default(),
        lock_wait: std::time::Duration::ZERO,
    };
    let anchor = ks::anchor_of(
        &store::real_path(&cfg.paths.credentials).unwrap_or_else(|_| cfg.paths.credentials.clone()),
    );
    for (i, (name, r)) in resolved.iter_mut().enumerate() {
        let unparsable = matches!(r, Err(profile::Refusal::Unparsable { .. }));
        if !ks::worth_asking(r.is_ok(), unparsable, k.choice) {
            continue;
        }
        match ks::find_one(files, name, &k, &anchor).await {
            None => {}
            Some(Ok((key, home))) => {
                stores[i] = Some((home.store_name(), home.describe()));
                *r = Ok(key);
            }
            Some(Err(refusal)) => *r = Err(refusal),
        }
    }
    (resolved, stores)
}

/// Asks about every distinct (key id, secret, signing region) once, a few
/// at a time, and hands each profile its answer (None when refused).
async fn probe_all(cfg: &Config, resolved: &[Resolved]) -> anyhow::Result<Vec<Option<Live>>> {
    // Profiles sharing a key share one probe; a sharer with a different
    // secret (a stale copy) is probed on its own, so it shows its error.
    let mut distinct: Vec<Creds> = Vec::new();
    let mut slot: Vec<Option<usize>> = Vec::new();
    // (key id, region) -> candidates in `distinct`: secrets are compared
    // there, never used as a map key (no extra copy of them).
    let mut by_id: std::collections::HashMap<(String, String), Vec<usize>> =
        std::collections::HashMap::new();
    for (_, r) in resolved {
        slot.push(r.as_ref().ok().map(|k| {
            let creds = Creds::new(
                &k.access_key_id,
                &k.secret,
                partition_region(partition_of_region(k.region.as_deref())),
            );
            let candidates = by_id
                .entry((creds.access_key_id.clone(), creds.region.clone()))
                .or_default();
            match candidates
                .iter()
                .copied()
                .find(|&i| distinct[i].secret == creds.secret)
            {
                Some(i) => i,
                None => {
                    distinct.push(creds);
                    candidates.push(distinct.len() - 1);
                    distinct.len() - 1
                }
            }
        }));
    }
    if distinct.is_empty() {
        return Ok(vec![None; resolved.len()]);
    }
    let aws = SdkAws::new(&cfg.endpoint)?;
    // Read-only: a key that a CreateAccessKey of an earlier run may have
    // made after that run gave up is reported, never deleted (see
    // `rotate::Attempt`; `rotate` and `recover` delete it).
    rotate::sweep_attempts_unlocked(&aws, &crate::ui::TermUi::new(false), &cfg.paths).await;
    let ui = cfg.spinner.then(|| crate::ui::TermUi::new(true));
    if let Some(ui) = &ui {
        use crate::rotate::Ui;
        ui.step(
            "status",
            &trf("status.asking", &[("count", &distinct.len())]),
        );
    }
    let mut answers: Vec<(usize, Live)> = stream::iter(distinct.iter().enumerate())
        .map(|(i, c)| {
            let aws = &aws;
            async move { (i, probe(aws, c).await) }
        })
        .buffer_unordered(JOBS)
        .collect()
        .await;
    drop(ui);
    answers.sort_by_key(|(i, _)| *i);
    Ok(slot
        .into_iter()
        .map(|s| s.and_then(|i| answers.get(i).map(|(_, l)| l.clone())))
        .collect())
}

/// A journal whose file's lock is held belongs to a run still going.
/// Probing the lock is the one file effect of `status`, and only happens
/// when a journal exists (so its `.keyturn` folder does too).
fn rotation_in_progress(j: &Journal) -> bool {
    let Some(home) = j.home.lock_target() else {
        return false;
    };
    let locked = store::real_path(home).and_then(|real| store::lock(&real, Duration::ZERO));
    matches!(locked, Err(StoreError::Locked { .. }))
}
