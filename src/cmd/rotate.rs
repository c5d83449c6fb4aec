//! `keyturn rotate`: rotate the named profiles (or `--all`) and report one
//! line, or one JSON object, per profile. Lines are in the user's language
//! ([`crate::i18n`]); JSON keys and status values are English in all.

use crate::cli::{exit, Config, Output};
use crate::i18n::{tr, trf};
use crate::ini::Document;
use crate::profile::{self, FileKind, Files, Place};
use crate::rotate::{self, Ctx, Outcome, Results, RotateError, Settings};
use crate::sdk::SdkAws;
use crate::secret::mask;
use crate::store;
use crate::ui::TermUi;
use serde_json::{json, Value};

pub async fn run(
    cfg: &Config,
    profiles: &[String],
    all: bool,
    settings: &Settings,
) -> anyhow::Result<u8> {
    let aws = SdkAws::new(&cfg.endpoint)?;
    let ui = TermUi::new(cfg.spinner);
    let locks = rotate::lock_files(&cfg.paths, settings)?;
    let names = if all {
        every_profile(cfg)?
    } else {
        profiles.to_vec()
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
    drop(ui);
    report(cfg, &results);
    Ok(exit_code(&results))
}

/// Every profile either file defines (`--all`).
fn every_profile(cfg: &Config) -> anyhow::Result<Vec<String>> {
    let parse = |p: &std::path::Path| -> anyhow::Result<Option<Document>> {
        Ok(match store::read(p)?.bytes.as_deref() {
            Some(b) => Some(
                Document::parse_bytes(b).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?,
            ),
            None => None,
        })
    };
    let (c, f) = (parse(&cfg.paths.credentials)?, parse(&cfg.paths.config)?);
    Ok(profile::profile_names(&Files {
        credentials: c.as_ref(),
        credentials_path: &cfg.paths.credentials,
        config: f.as_ref(),
        config_path: &cfg.paths.config,
    }))
}

/// Any failure wins; then a refusal; then, if nothing rotated or was
/// planned, "nothing to do"; else success.
pub fn exit_code(results: &Results) -> u8 {
    let mut refused = false;
    let mut acted = false;
    for (_, r) in results {
        match r {
            Err(e) if e.nothing_changed() => refused = true,
            Err(_) => return exit::FAILURE,
            Ok(Outcome::Rotated(_) | Outcome::Planned(_) | Outcome::SharedWith { .. }) => {
                acted = true
            }
            Ok(Outcome::Fresh(_) | Outcome::Skipped { .. }) => {}
        }
    }
    match (refused, acted) {
        (true, _) => exit::REFUSED,
        (false, true) => exit::OK,
        (false, false) => exit::NOTHING_TO_DO,
    }
}

pub fn place_text(cfg: &Config, p: &Place) -> String {
    let file = match p.file {
        FileKind::Credentials => &cfg.paths.credentials,
        FileKind::Config => &cfg.paths.config,
    };
    crate::term::clean(&format!("{} [{}]", file.display(), p.section)).into_owned()
}

fn report(cfg: &Config, results: &Results) {
    if cfg.output == Output::Json {
        let items: Vec<Value> = results.iter().map(|(p, r)| json_item(p, r)).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&Value::Array(items)).unwrap_or_default()
        );
        return;
    }
    for (p, r) in results {
        // Names and paths come from the files: no terminal escapes.
        let p = &crate::term::clean(p).into_owned();
        match r {
            Ok(Outcome::Rotated(s)) => {
                let retired = match s.retired {
                    rotate::Retire::Delete => tr("out.retired_delete"),
                    rotate::Retire::Deactivate => tr("out.retired_deactivate"),
                };
                println!(
                    "{}",
                    trf(
                        "out.rotated",
                        &[
                            ("profile", p),
                            ("old", &mask(&s.old_key_id)),
                            ("new", &mask(&s.new_key_id)),
                            ("arn", &s.user_arn),
                            ("resumed", &if s.resumed { tr("out.resumed") } else { "" }),
                            ("retired", &retired),
                        ],
                    )
                );
                for place in &s.updated {
                    let place = place_text(cfg, place);
                    println!("{}", trf("out.updated", &[("place", &place)]));
                }
                for b in &s.backups {
                    let b = crate::term::clean(&b.display().to_string()).into_owned();
                    println!("{}", trf("out.backup", &[("path", &b)]));
                }
            }
            Ok(Outcome::Planned(plan)) => {
                println!(
                    "{}",
                    trf("out.plan", &[("profile", p), ("arn", &plan.user_arn)])
                );
                for id in &plan.would_delete {
                    println!("{}", trf("out.plan_delete_other", &[("key", &mask(id))]));
                }
                println!("{}", tr("out.plan_create"));
                for place in &plan.updated {
                    let place = place_text(cfg, place);
                    println!("{}", trf("out.plan_write", &[("place", &place)]));
                }
                let old = mask(&plan.old_key_id);
                let line = match plan.retire {
                    rotate::Retire::Delete => trf("out.plan_verify_delete", &[("key", &old)]),
                    rotate::Retire::Deactivate => {
                        trf("out.plan_verify_deactivate", &[("key", &old)])
                    }
                };
                println!("{line}");
            }
            Ok(Outcome::Fresh(f)) => println!(
                "{}",
                trf(
                    "out.fresh",
                    &[
                        ("profile", p),
                        ("key", &mask(&f.key_id)),
                        ("days", &f.age_days)
                    ],
                )
            ),
            Ok(Outcome::Skipped { reason, .. }) => println!(
                "{}",
                trf(
                    "out.skipped",
                    &[("profile", p), ("reason", &crate::term::clean_text(reason))]
                )
            ),
            Ok(Outcome::SharedWith { with }) => {
                let with = crate::term::clean(with);
                println!("{}", trf("out.shared", &[("profile", p), ("with", &with)]))
            }
            // `error:` stays English in every language (see main.rs).
            Err(e) => eprintln!("error: {}", crate::term::clean_text(&e.to_string())),
        }
    }
}

fn json_item(profile: &str, r: &Result<Outcome, RotateError>) -> Value {
    match r {
        Ok(Outcome::Rotated(s)) => json!({
            "profile": profile,
            "status": "rotated",
            "user_arn": s.user_arn,
            "old_key_id": s.old_key_id,
            "new_key_id": s.new_key_id,
            "retired": s.retired,
            "resumed": s.resumed,
            "updated": s.updated,
            "backups": s.backups,
        }),
        Ok(Outcome::Planned(p)) => json!({
            "profile": profile,
            "status": "planned",
            "user_arn": p.user_arn,
            "old_key_id": p.old_key_id,
            "would_delete": p.would_delete,
            "retire": p.retire,
            "updated": p.updated,
        }),
        Ok(Outcome::Fresh(f)) => json!({
            "profile": profile,
            "status": "fresh",
            "key_id": f.key_id,
            "age_days": f.age_days,
        }),
        Ok(Outcome::Skipped { reason, code }) => json!({
            "profile": profile,
            "status": "skipped",
            "reason": { "code": code, "message": reason },
        }),
        Ok(Outcome::SharedWith { with }) => json!({
            "profile": profile,
            "status": "rotated",
            "shared_with": with,
        }),
        Err(e) => json!({
            "profile": profile,
            "status": if e.nothing_changed() { "refused" } else { "failed" },
            "error": { "code": e.code(), "message": e.to_string() },
        }),
    }
}
