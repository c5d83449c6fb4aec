//! The settings file (`$XDG_CONFIG_HOME/keyturn/config.toml`): where it is,
//! reading it (the one file read of the command layer, done once by
//! [`crate::env::Env::from_process`]), and turning its text into the
//! defaults and hooks a run uses ([`load`], pure given an `Env`).
//!
//! Invariants: a file that another user could write is refused before
//! anything runs (its hooks would get the new secret); a file that does
//! not parse, or a hook that is not valid, is a usage error naming the
//! file; a file that does not exist means "no defaults, no hooks".
//!
//! The file's serde model ([`SettingsFile`], [`Defaults`], hook specs) and
//! the trust rule still live in [`crate::hooks`] beside the hooks; they
//! are re-exported here so that callers name this module.

use crate::exit::UsageError;
pub use crate::hooks::{
    parse_settings, settings_path, settings_trust, Defaults, Hook, SettingsFile,
};
use std::path::{Path, PathBuf};

/// The settings file's path and text (if it exists and is readable) and
/// why it cannot be trusted (if so).
pub fn read(
    xdg_config_home: Option<&Path>,
    home: Option<&Path>,
) -> (Option<(PathBuf, String)>, Option<String>) {
    let path = settings_path(xdg_config_home, home);
    let text = path
        .as_ref()
        .and_then(|p| std::fs::read_to_string(p).ok().map(|t| (p.clone(), t)));
    let untrusted = path.as_deref().and_then(|p| settings_trust(p).err());
    (text, untrusted)
}

/// A settings file, checked.
#[derive(Debug)]
pub struct Loaded {
    pub defaults: Defaults,
    pub hooks: Vec<Hook>,
}

/// The settings file of `env`, checked: `None` when there is none.
pub fn load(env: &crate::env::Env) -> Result<Option<Loaded>, UsageError> {
    if let Some(refusal) = &env.settings_untrusted {
        return Err(UsageError(refusal.clone()));
    }
    match &env.settings {
        Some((path, text)) => {
            let f = parse_settings(path, text).map_err(|e| UsageError(e.to_string()))?;
            let hooks = crate::hooks::validate_hooks(path, &f.hooks)
                .map_err(|e| UsageError(e.to_string()))?;
            Ok(Some(Loaded {
                defaults: f.defaults,
                hooks,
            }))
        }
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Env;

    #[test]
    fn absent_untrusted_and_broken_files() {
        assert!(load(&Env::default()).unwrap().is_none());
        let e = Env {
            settings_untrusted: Some("bad owner".into()),
            ..Env::default()
        };
        assert_eq!(load(&e).unwrap_err().0, "bad owner");
        let e = Env {
            settings: Some(("c.toml".into(), "[defaults]\nnope = 1\n".into())),
            ..Env::default()
        };
        assert!(load(&e).unwrap_err().0.starts_with("c.toml: "));
        let e = Env {
            settings: Some((
                "c.toml".into(),
                "[defaults]\njobs = 2\n[[hooks]]\nname = \"ci\"\ncommand = \"true\"\n".into(),
            )),
            ..Env::default()
        };
        let l = load(&e).unwrap().unwrap();
        assert_eq!(l.defaults.jobs, Some(2));
        assert_eq!(l.hooks.len(), 1);
    }

    #[test]
    fn path_follows_xdg() {
        let p = settings_path(Some(Path::new("/x")), Some(Path::new("/h")));
        assert_eq!(p.unwrap(), PathBuf::from("/x/keyturn/config.toml"));
        let p = settings_path(None, Some(Path::new("/h")));
        assert_eq!(p.unwrap(), PathBuf::from("/h/.config/keyturn/config.toml"));
    }
}
