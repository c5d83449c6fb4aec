//! `keyturn recover`: finish or undo every interrupted rotation found in
//! the journals beside the shared files, without starting new ones. Lines
//! are in the user's language; JSON keys and status values are English.

use super::{accept, Config};
use crate::cli::{GlobalArgs, Output};
use crate::env::Env;
use crate::exit::{Exit, UsageError};
use crate::i18n::{tr, trf};
use crate::report;
use crate::rotate::{self, Ctx, Recovered, Settings};
use crate::sdk::SdkAws;
use crate::secret::mask;
use crate::ui::TermUi;
use serde::Serialize;

/// Arguments of `keyturn recover`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: super::CommonArgs,
}

/// A validated `recover`.
#[derive(Debug)]
pub struct Options {
    pub settings: Settings,
    /// Admin mode's journals (`$XDG_STATE_HOME/keyturn`) and the operator
    /// that finishes them (the environment's: `recover` takes no
    /// `--profile`). None without a HOME.
    pub managed: Option<(crate::sdk::operator::OperatorSpec, std::path::PathBuf)>,
    /// The settings' `[[users]]` entries: an admin journal finishes with
    /// its entry's drain limits; a managed drain advances through its
    /// entry (the `role_arn` that reaches it).
    pub users: Vec<crate::managed::ManagedUser>,
}

/// Pure: `recover` takes no profile (it finishes every journal).
pub fn validate(a: &Args, g: &GlobalArgs, env: &Env) -> Result<Options, UsageError> {
    accept(g, "recover", false, false)?;
    Ok(Options {
        settings: a.common.settings(env)?,
        managed: super::rotate::operator_and_state(g, env).ok(),
        users: env.settings_file()?.map(|f| f.users).unwrap_or_default(),
    })
}

/// One journal's result in `--output json` (schema in the README).
#[derive(Debug, Serialize)]
pub struct Item<'a> {
    pub profile: &'a str,
    #[serde(flatten)]
    pub result: ItemResult<'a>,
}

#[derive(Debug, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ItemResult<'a> {
    Completed {
        new_key_id: &'a str,
        old_key_id: &'a str,
    },
    RolledBack,
    /// The journal no longer applied (both its keys gone, the home holding
    /// another): set aside, `copy` its copy without secrets.
    SetAside {
        copy: String,
    },
    Failed {
        error: super::rotate::Reason<'a>,
    },
}

pub async fn run(cfg: &Config, o: &Options) -> anyhow::Result<Exit> {
    let settings = &o.settings;
    let mut aws = SdkAws::new(&cfg.endpoint)?;
    if let Some((operator, _)) = &o.managed {
        aws = aws.with_operator(crate::sdk::operator::OperatorSpec {
            files: Some((cfg.paths.credentials.clone(), cfg.paths.config.clone())),
            ..operator.clone()
        });
    }
    let ui = TermUi::new(cfg.spinner);
    if let Some(k) = &settings.keystores {
        k.env.passphrases.set_reader(ui.secret_reader());
    }
    let locks = rotate::lock_files(&cfg.paths, settings)?;
    let cx = Ctx {
        aws: &aws,
        ui: &ui,
        paths: &cfg.paths,
        s: settings,
        locks: &locks,
        mfa: &Default::default(),
    };
    let mut results = rotate::recover_all(&cx).await?;
    if let Some((_, state_dir)) = &o.managed {
        results.extend(rotate::recover_managed(&cx, &o.users, state_dir).await?);
    }
    // Pending drains advance too (profiles' and managed users'): each is
    // something done (0), or a failure (1) when it could not advance.
    let mut drains = rotate::advance_drains(&cx).await;
    if let Some((_, state_dir)) = &o.managed {
        drains.extend(rotate::advance_managed_drains(&cx, &o.users, state_dir).await);
    }
    drop(ui);
    let mut codes = Vec::new();
    let mut items = Vec::new();
    for (profile, r) in &results {
        let shown = crate::term::clean(profile);
        let profile_shown: &str = &shown;
        let result = match r {
            Ok(Recovered::Finished(s)) => {
                if cfg.output != Output::Json {
                    report::out(&trf(
                        "out.recovered",
                        &[("profile", &profile_shown), ("key", &mask(&s.new_key_id))],
                    ));
                }
                ItemResult::Completed {
                    new_key_id: &s.new_key_id,
                    old_key_id: &s.old_key_id,
                }
            }
            Ok(Recovered::Undone) => {
                if cfg.output != Output::Json {
                    report::out(&trf(
                        "out.recovered_rolled_back",
                        &[("profile", &profile_shown)],
                    ));
                }
                ItemResult::RolledBack
            }
            Ok(Recovered::SetAside(copy)) => {
                if cfg.output != Output::Json {
                    report::out(&trf(
                        "out.recovered_set_aside",
                        &[("profile", &profile_shown)],
                    ));
                }
                ItemResult::SetAside {
                    copy: copy.display().to_string(),
                }
            }
            Err(e) => {
                if cfg.output != Output::Json {
                    report::error(&e.to_string());
                }
                ItemResult::Failed {
                    error: super::rotate::Reason {
                        code: e.code(),
                        message: e.to_string(),
                    },
                }
            }
        };
        codes.push(match result {
            ItemResult::Failed { .. } => Exit::Failure,
            _ => Exit::Ok,
        });
        items.push(Item { profile, result });
    }
    print_all(cfg, &items, results.is_empty(), &drains);
    codes.extend(drains.iter().map(super::rotate::drain_exit));
    // No journal and no drain at all is "nothing to do".
    Ok(Exit::merge_all(codes))
}

/// The journals' items (printed as they came in text) and the drains'.
fn print_all(cfg: &Config, items: &[Item], no_journal: bool, drains: &[rotate::DrainReport]) {
    match cfg.output {
        Output::Json => {
            use super::rotate::{drain_item, Either};
            let mut all: Vec<Either<&Item, _>> = items.iter().map(Either::A).collect();
            all.extend(drains.iter().map(|d| Either::B(drain_item(d))));
            report::json(&all)
        }
        Output::Text | Output::Csv => {
            if no_journal && drains.is_empty() {
                report::out(tr("out.nothing_to_recover"))
            }
            for d in drains {
                report::out(&d.text());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_matches_its_golden_file() {
        let items = [
            Item {
                profile: "dev",
                result: ItemResult::Completed {
                    new_key_id: "AKIANEWNEWNEWNEWNEW1",
                    old_key_id: "AKIAOLDOLDOLDOLDOLD1",
                },
            },
            Item {
                profile: "prod",
                result: ItemResult::RolledBack,
            },
            Item {
                profile: "ci",
                result: ItemResult::Failed {
                    error: super::super::rotate::Reason {
                        code: "stuck",
                        message: "ci: run `keyturn recover` again".into(),
                    },
                },
            },
        ];
        crate::report::assert_golden("recover.json", &crate::report::json_text(&items));
    }
}
