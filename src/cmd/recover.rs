//! `keyturn recover`: finish or undo every interrupted rotation found in
//! the journals beside the shared files, without starting new ones. Lines
//! are in the user's language; JSON keys and status values are English.

use crate::cli::{exit, Config, Output};
use crate::i18n::{tr, trf};
use crate::rotate::{self, Ctx, Settings};
use crate::sdk::SdkAws;
use crate::secret::mask;
use crate::ui::TermUi;
use serde_json::json;

pub async fn run(cfg: &Config, settings: &Settings) -> anyhow::Result<u8> {
    let aws = SdkAws::new(&cfg.endpoint)?;
    let ui = TermUi::new(cfg.spinner);
    let locks = rotate::lock_files(&cfg.paths, settings)?;
    let cx = Ctx {
        aws: &aws,
        ui: &ui,
        paths: &cfg.paths,
        s: settings,
        locks: &locks,
        mfa: &Default::default(),
    };
    let results = rotate::recover_all(&cx).await?;
    drop(ui);
    let mut code = if results.is_empty() {
        exit::NOTHING_TO_DO
    } else {
        exit::OK
    };
    let mut items = Vec::new();
    for (profile, r) in &results {
        let shown = crate::term::clean(profile);
        let profile_shown: &str = &shown;
        match r {
            Ok(Some(s)) => {
                items.push(json!({"profile": profile, "status": "completed", "new_key_id": s.new_key_id, "old_key_id": s.old_key_id}));
                if cfg.output != Output::Json {
                    println!(
                        "{}",
                        trf(
                            "out.recovered",
                            &[("profile", &profile_shown), ("key", &mask(&s.new_key_id))],
                        )
                    );
                }
            }
            Ok(None) => {
                items.push(json!({"profile": profile, "status": "rolled_back"}));
                if cfg.output != Output::Json {
                    println!(
                        "{}",
                        trf("out.recovered_rolled_back", &[("profile", &profile_shown)])
                    );
                }
            }
            Err(e) => {
                code = exit::FAILURE;
                items.push(json!({"profile": profile, "status": "failed", "error": {"code": e.code(), "message": e.to_string()}}));
                if cfg.output != Output::Json {
                    eprintln!("error: {}", crate::term::clean_text(&e.to_string()));
                }
            }
        }
    }
    match cfg.output {
        Output::Json => println!(
            "{}",
            serde_json::to_string_pretty(&items).unwrap_or_default()
        ),
        Output::Text | Output::Csv if results.is_empty() => {
            println!("{}", tr("out.nothing_to_recover"))
        }
        Output::Text | Output::Csv => {}
    }
    Ok(code)
}
