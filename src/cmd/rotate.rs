//! `keyturn rotate`: rotate each named profile in turn and report.

use crate::cli::{exit, Config, Output};
use crate::profile::{FileKind, Place};
use crate::rotate::{self, Ctx, Outcome, RotateError, Settings};
use crate::sdk::SdkAws;
use crate::secret::mask;
use crate::ui::TermUi;
use serde_json::{json, Value};

pub async fn run(cfg: &Config, profiles: &[String], settings: &Settings) -> anyhow::Result<u8> {
    let aws = SdkAws::new(&cfg.endpoint)?;
    let ui = TermUi::new(cfg.spinner);
    let locks = rotate::lock_files(&cfg.paths, settings)?;
    let cx = Ctx {
        aws: &aws,
        ui: &ui,
        paths: &cfg.paths,
        s: settings,
        locks: &locks,
    };
    let mut results = Vec::new();
    for p in profiles {
        let r = rotate::rotate(&cx, p).await;
        ui.clear();
        results.push((p.clone(), r));
    }
    drop(ui);
    report(cfg, &results);
    Ok(exit_code(
        results.iter().map(|(_, r)| r.as_ref().map(|_| ())),
    ))
}

/// Any failure wins; then a refusal; else success.
pub fn exit_code<'a>(results: impl Iterator<Item = Result<(), &'a RotateError>>) -> u8 {
    let mut code = exit::OK;
    for r in results {
        match r {
            Ok(()) => {}
            Err(e) if e.nothing_changed() => code = code.max(exit::REFUSED).min(exit::REFUSED),
            Err(_) => return exit::FAILURE,
        }
    }
    code
}

pub fn place_text(cfg: &Config, p: &Place) -> String {
    let file = match p.file {
        FileKind::Credentials => &cfg.paths.credentials,
        FileKind::Config => &cfg.paths.config,
    };
    format!("{} [{}]", file.display(), p.section)
}

fn report(cfg: &Config, results: &[(String, Result<Outcome, RotateError>)]) {
    match cfg.output {
        Output::Json => {
            let items: Vec<Value> = results.iter().map(|(p, r)| json_item(p, r)).collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&Value::Array(items)).unwrap_or_default()
            );
        }
        Output::Text => {
            for (p, r) in results {
                match r {
                    Ok(Outcome::Rotated(s)) => {
                        println!(
                            "rotated {p}: {} -> {} ({}){}; old key {}",
                            mask(&s.old_key_id),
                            mask(&s.new_key_id),
                            s.user_arn,
                            if s.resumed {
                                ", finishing an interrupted rotation"
                            } else {
                                ""
                            },
                            match s.retired {
                                rotate::Retire::Delete => "deleted",
                                rotate::Retire::Deactivate => "deactivated",
                            }
                        );
                        for place in &s.updated {
                            println!("  updated {}", place_text(cfg, place));
                        }
                        for b in &s.backups {
                            println!("  backup  {}", b.display());
                        }
                    }
                    Ok(Outcome::Planned(plan)) => {
                        println!(
                            "plan for {p} (dry run, nothing changed): user {}",
                            plan.user_arn
                        );
                        for id in &plan.would_delete {
                            println!("  delete the user's other key {}", mask(id));
                        }
                        println!("  create a new key");
                        for place in &plan.updated {
                            println!("  write it to {}", place_text(cfg, place));
                        }
                        println!(
                            "  verify it, then {:?} the old key {}",
                            plan.retire,
                            mask(&plan.old_key_id)
                        );
                    }
                    Err(e) => eprintln!("error: {e}"),
                }
            }
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
        Err(e) => json!({
            "profile": profile,
            "status": if e.nothing_changed() { "refused" } else { "failed" },
            "error": { "code": e.code(), "message": e.to_string() },
        }),
    }
}
