//! The settings file (`$XDG_CONFIG_HOME/keyturn/config.toml`): where it is,
//! reading it (the one file read of the command layer, done once by
//! `crate::env::Env::from_process` through [`read`]), and turning its text
//! into the defaults, hooks and destinations a run uses ([`load`], pure).
//! This module names no other effect module: `env` calls it, not back.
//!
//! Invariants: a file that another user could write is refused before
//! anything runs (its hooks would get the new secret); a file that does
//! not parse, or a hook that is not valid, is a usage error naming the
//! file; a file that does not exist means "no defaults, no hooks".
//!
//! The file's serde model ([`SettingsFile`], [`Defaults`], [`HookSpec`])
//! and the trust rule ([`settings_trust`]) live here too; the hooks it
//! yields are run by [`crate::hooks`].

use crate::dest::DestinationSpec;
use crate::exit::UsageError;
use crate::hooks::{CommandSpec, Hook};
use crate::i18n::{tr, trf};
use crate::rotate::{OnDestinationFailure, OnHookFailure, Retire};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `config.toml`, as written by the user.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsFile {
    #[serde(default)]
    pub defaults: Defaults,
    #[serde(default)]
    pub hooks: Vec<HookSpec>,
    /// Where each profile's key is also used (see [`crate::dest`]).
    #[serde(default)]
    pub destinations: Vec<DestinationSpec>,
    /// Managed users: IAM users whose keys live only in destinations
    /// (see [`crate::managed`]).
    #[serde(default)]
    pub users: Vec<crate::managed::UserSpec>,
}

/// Defaults for flags not given on the command line.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    pub max_age: Option<String>,
    pub retire: Option<Retire>,
    pub timeout: Option<String>,
    pub jobs: Option<usize>,
    pub on_hook_failure: Option<OnHookFailure>,
    pub on_destination_failure: Option<OnDestinationFailure>,
    /// `--drain-grace`'s default (`retire = "drain"`).
    pub drain_grace: Option<String>,
    /// `--drain-max`'s default.
    pub drain_max: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HookSpec {
    pub name: String,
    /// Profiles this hook serves; absent means every profile.
    #[serde(default)]
    pub profiles: Vec<String>,
    pub command: CommandSpec,
    /// e.g. "5m"; default 300 s.
    pub timeout: Option<String>,
}
/// A settings file keyturn cannot use. toml's own detail (with the line
/// and column) is passed through as it is, in English.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    #[error("{}", trf("hooks.settings_hook", &[("path", &path.display()), ("name", name), ("message", message)]))]
    Hook {
        path: PathBuf,
        name: String,
        message: String,
    },
    #[error("{}", trf("dest.settings_destination", &[("path", &path.display()), ("name", name), ("message", message)]))]
    Destination {
        path: PathBuf,
        name: String,
        message: String,
    },
    #[error("{}", trf("managed.settings_user", &[("path", &path.display()), ("name", name), ("message", message)]))]
    User {
        path: PathBuf,
        name: String,
        message: String,
    },
}

/// Where the settings file lives.
pub fn settings_path(xdg_config_home: Option<&Path>, home: Option<&Path>) -> Option<PathBuf> {
    let base = match xdg_config_home {
        Some(x) if x.is_absolute() => x.to_path_buf(),
        _ => home?.join(".config"),
    };
    Some(base.join("keyturn").join("config.toml"))
}

/// ssh's rule for its config, applied to the settings file and its
/// folder: each must be owned by the running user or root and not
/// writable by group or others (symlinks followed, as ssh does). Err is
/// the refusal to show. A file that does not exist is fine.
pub fn settings_trust(path: &Path) -> Result<(), String> {
    let me = crate::store::euid();
    let check = |p: &Path| -> Result<(), String> {
        let m = match crate::platform::stat(p) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(format!("{}: {e}", p.display())),
        };
        let uid = crate::platform::owner(&m).0;
        let reason = if uid != me && uid != 0 {
            trf("store.why_owner", &[("uid", &uid), ("me", &me)])
        } else if crate::platform::writable_by_others(&m) {
            trf(
                "store.why_writable",
                &[("mode", &format!("{:04o}", crate::platform::mode(&m)))],
            )
        } else {
            return Ok(());
        };
        Err(trf(
            "hooks.settings_untrusted",
            &[("path", &p.display()), ("reason", &reason)],
        ))
    };
    if std::fs::metadata(path).is_err() {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        check(dir)?;
    }
    check(path)
}

/// Parses the settings file's text. toml's messages carry the line and
/// column of the mistake.
pub fn parse_settings(path: &Path, text: &str) -> Result<SettingsFile, SettingsError> {
    toml::from_str(text).map_err(|e| SettingsError::Parse {
        path: path.to_path_buf(),
        message: e.to_string().trim_end().to_string(),
    })
}

pub fn validate_hooks(path: &Path, specs: &[HookSpec]) -> Result<Vec<Hook>, SettingsError> {
    specs
        .iter()
        .map(|h| {
            let err = |message: String| SettingsError::Hook {
                path: path.to_path_buf(),
                name: h.name.clone(),
                message,
            };
            match &h.command {
                CommandSpec::Argv(v) if v.is_empty() => {
                    return Err(err(tr("hooks.empty_command").into()))
                }
                CommandSpec::Shell(s) if s.trim().is_empty() => {
                    return Err(err(tr("hooks.empty_command").into()))
                }
                _ => {}
            }
            let timeout = match &h.timeout {
                Some(t) => {
                    crate::duration::parse_duration_max(t, "timeout", crate::duration::MAX_TIMEOUT)
                        .map_err(|e| err(e.0))?
                }
                None => Duration::from_secs(300),
            };
            // A zero timeout would fail every rotation at its hook, after
            // the new key exists: refused before anything runs.
            if timeout.is_zero() {
                return Err(err(tr("hooks.zero_timeout").into()));
            }
            Ok(Hook {
                name: h.name.clone(),
                profiles: h.profiles.clone(),
                command: h.command.clone(),
                timeout,
            })
        })
        .collect()
}

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
    pub destinations: Vec<DestinationSpec>,
    pub users: Vec<crate::managed::ManagedUser>,
}

/// The settings file [`read`] found (its path and text, and why it cannot
/// be trusted), checked: `None` when there is none. Pure: the file was
/// read once, when the environment was captured.
pub fn load(
    found: Option<&(PathBuf, String)>,
    untrusted: Option<&str>,
) -> Result<Option<Loaded>, UsageError> {
    if let Some(refusal) = untrusted {
        return Err(UsageError(refusal.to_string()));
    }
    match found {
        Some((path, text)) => {
            let f = parse_settings(path, text).map_err(|e| UsageError(e.to_string()))?;
            let hooks = validate_hooks(path, &f.hooks).map_err(|e| UsageError(e.to_string()))?;
            crate::dest::validate_all(&f.destinations).map_err(|(name, message)| {
                UsageError(
                    SettingsError::Destination {
                        path: path.clone(),
                        name,
                        message,
                    }
                    .to_string(),
                )
            })?;
            let users = crate::managed::validate_all(&f.users, &f.destinations).map_err(
                |(name, message)| {
                    UsageError(
                        SettingsError::User {
                            path: path.clone(),
                            name,
                            message,
                        }
                        .to_string(),
                    )
                },
            )?;
            Ok(Some(Loaded {
                defaults: f.defaults,
                hooks,
                destinations: f.destinations,
                users,
            }))
        }
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_defaults_and_hooks() {
        let text = r#"
[defaults]
max_age = "60d"
retire = "deactivate"
jobs = 8

[[hooks]]
name = "ci"
profiles = ["ci"]
command = ["/usr/bin/env", "true"]

[[hooks]]
name = "all"
command = "cat > /dev/null"
timeout = "10s"
"#;
        let s = parse_settings(Path::new("c.toml"), text).unwrap();
        assert_eq!(s.defaults.retire, Some(Retire::Deactivate));
        assert_eq!(s.defaults.jobs, Some(8));
        let hooks = validate_hooks(Path::new("c.toml"), &s.hooks).unwrap();
        assert!(hooks[0].serves("ci") && !hooks[0].serves("dev"));
        assert!(hooks[1].serves("dev"));
        assert_eq!(hooks[1].timeout, Duration::from_secs(10));
    }

    #[test]
    fn bad_settings_name_line_and_column() {
        let err = parse_settings(Path::new("/x/config.toml"), "[defaults]\njobs = \"many\"\n")
            .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("/x/config.toml") && msg.contains("line 2"),
            "{msg}"
        );
        let err = parse_settings(Path::new("c"), "[defaults]\nbogus = 1\n").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
    }

    #[test]
    fn empty_hook_command_is_refused() {
        let s = parse_settings(Path::new("c"), "[[hooks]]\nname = \"x\"\ncommand = []\n").unwrap();
        assert!(validate_hooks(Path::new("c"), &s.hooks).is_err());
    }

    #[test]
    fn zero_hook_timeout_is_refused() {
        for zero in ["0s", "0", "0m"] {
            let text =
                format!("[[hooks]]\nname = \"x\"\ncommand = \"true\"\ntimeout = \"{zero}\"\n");
            let s = parse_settings(Path::new("c"), &text).unwrap();
            let e = validate_hooks(Path::new("c"), &s.hooks).unwrap_err();
            assert!(e.to_string().contains("at least 1s"), "{e}");
        }
    }

    #[test]
    #[cfg(unix)]
    fn untrusted_settings_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("keyturn");
        std::fs::create_dir(&conf).unwrap();
        std::fs::set_permissions(&conf, std::fs::Permissions::from_mode(0o700)).unwrap();
        let file = conf.join("config.toml");
        assert!(settings_trust(&file).is_ok(), "absent is fine");
        std::fs::write(&file, "").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(settings_trust(&file).is_ok());
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
        let err = settings_trust(&file).unwrap_err();
        assert!(err.contains("0666"), "{err}");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::set_permissions(&conf, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(
            settings_trust(&file).is_err(),
            "a writable folder is refused"
        );
    }

    #[test]
    fn absent_untrusted_and_broken_files() {
        assert!(load(None, None).unwrap().is_none());
        assert_eq!(load(None, Some("bad owner")).unwrap_err().0, "bad owner");
        let f = ("c.toml".into(), "[defaults]\nnope = 1\n".into());
        assert!(load(Some(&f), None).unwrap_err().0.starts_with("c.toml: "));
        let f = (
            "c.toml".into(),
            "[defaults]\njobs = 2\n[[hooks]]\nname = \"ci\"\ncommand = \"true\"\n".into(),
        );
        let l = load(Some(&f), None).unwrap().unwrap();
        assert_eq!(l.defaults.jobs, Some(2));
        assert_eq!(l.hooks.len(), 1);
    }

    #[test]
    fn destinations_are_read_and_checked() {
        let f = (
            "c.toml".into(),
            "[defaults]\non_destination_failure = \"rollback\"\n[[destinations]]\nname = \"app\"\ntype = \"dotenv\"\nprofiles = [\"dev\"]\npath = \"/srv/app/.env\"\n".into(),
        );
        let l = load(Some(&f), None).unwrap().unwrap();
        assert_eq!(l.destinations.len(), 1);
        assert_eq!(
            l.defaults.on_destination_failure,
            Some(OnDestinationFailure::Rollback)
        );
        let f = (
            "c.toml".into(),
            "[[destinations]]\nname = \"app\"\ntype = \"dotenv\"\npath = \"rel/.env\"\n".into(),
        );
        let e = load(Some(&f), None).unwrap_err().0;
        assert!(e.contains("c.toml") && e.contains("app"), "{e}");
    }

    #[test]
    fn path_follows_xdg() {
        let p = settings_path(Some(Path::new("/x")), Some(Path::new("/h")));
        assert_eq!(p.unwrap(), PathBuf::from("/x/keyturn/config.toml"));
        let p = settings_path(None, Some(Path::new("/h")));
        assert_eq!(p.unwrap(), PathBuf::from("/h/.config/keyturn/config.toml"));
    }
}
