//! Every environment read of a run, captured once by `main` into [`Env`]
//! and passed down as plain data: the command layer's validation is pure
//! given an `Env`, and tests build one by hand.
//!
//! Invariants: nothing else in keyturn reads a process variable, except
//! the test-only failpoints (`KEYTURN_FAILPOINT`, read where they fire),
//! the drain test clock (`KEYTURN_TEST_NOW`, debug builds only, read by
//! [`crate::drain::now`])
//! and the help-key dump of the unit tests (`KEYTURN_DUMP_HELP_KEYS`).
//! A variable set but empty is unset, except the two profile variables
//! (botocore then looks for a profile named "", so keyturn must not pick
//! one).

use crate::i18n::Lang;
use std::ffi::OsString;
use std::path::PathBuf;

/// What the environment contributes, captured once by `main`.
#[derive(Clone, Debug, Default)]
pub struct Env {
    pub home: Option<PathBuf>,
    pub aws_profile: Option<String>,
    pub aws_default_profile: Option<String>,
    /// The caller's `AWS_ACCESS_KEY_ID`: keyturn never signs with it, but
    /// warns when the key it rotates is the one the environment exports.
    pub aws_access_key_id: Option<String>,
    pub credentials_file: Option<PathBuf>,
    pub config_file: Option<PathBuf>,
    pub endpoint_url: Option<String>,
    pub ca_bundle: Option<PathBuf>,
    /// `XDG_CONFIG_HOME`, `XDG_STATE_HOME` and `PATH`, for `schedule`.
    pub xdg_config_home: Option<PathBuf>,
    pub xdg_state_home: Option<PathBuf>,
    pub path: Option<OsString>,
    pub stdin_is_tty: bool,
    pub stderr_is_tty: bool,
    /// `NO_COLOR` set (any value) or `TERM=dumb`: no spinner, no colour.
    pub plain_terminal: bool,
    /// The settings file's path and text, if it exists.
    pub settings: Option<(PathBuf, String)>,
    /// Why the settings file (or its folder) cannot be trusted, if so:
    /// another user could put hooks in it (see [`crate::settings::settings_trust`]).
    pub settings_untrusted: Option<String>,
    /// `LC_ALL`, `LC_MESSAGES`, `LANGUAGE` and `LANG`, which choose the
    /// language.
    pub lc_all: Option<String>,
    pub lc_messages: Option<String>,
    pub language: Option<String>,
    pub lang: Option<String>,
    /// aws-vault's and granted's variables (`Debug` shows names only: they
    /// include passphrases); `None` without a HOME.
    pub keystore: Option<crate::keystore::settings::KeystoreEnv>,
    /// The destinations' variables: tokens (`GITHUB_TOKEN`, `VAULT_TOKEN`,
    /// ...), service addresses, CA bundles (`Debug` shows names only).
    pub dest: crate::dest::DestEnv,
}

/// The home folder and the two bases settings and state go under.
/// Unix: `HOME`, `XDG_CONFIG_HOME`, `XDG_STATE_HOME`.
#[cfg(not(windows))]
fn homes(
    var: &dyn Fn(&str) -> Option<OsString>,
) -> (Option<PathBuf>, Option<PathBuf>, Option<PathBuf>) {
    (
        var("HOME").map(PathBuf::from),
        var("XDG_CONFIG_HOME").map(PathBuf::from),
        var("XDG_STATE_HOME").map(PathBuf::from),
    )
}

/// Windows, as the AWS CLI and Windows tools do: the home is
/// `%USERPROFILE%` (else `%HOMEDRIVE%%HOMEPATH%`, Python's
/// `expanduser`, which botocore uses for `~\.aws`); settings go under
/// `%APPDATA%` (roaming) and state under `%LOCALAPPDATA%`, unless the XDG
/// variables say otherwise.
#[cfg(windows)]
fn homes(
    var: &dyn Fn(&str) -> Option<OsString>,
) -> (Option<PathBuf>, Option<PathBuf>, Option<PathBuf>) {
    let home = var("USERPROFILE").map(PathBuf::from).or_else(|| {
        let mut p = var("HOMEDRIVE")?;
        p.push(var("HOMEPATH")?);
        Some(PathBuf::from(p))
    });
    (
        home,
        var("XDG_CONFIG_HOME")
            .or_else(|| var("APPDATA"))
            .map(PathBuf::from),
        var("XDG_STATE_HOME")
            .or_else(|| var("LOCALAPPDATA"))
            .map(PathBuf::from),
    )
}

impl Env {
    pub fn from_process() -> Env {
        use std::io::IsTerminal;
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        let (home, xdg_config_home, xdg_state_home) = homes(&var);
        let keystore_home = home.clone();
        let (settings, settings_untrusted) =
            crate::settings::read(xdg_config_home.as_deref(), home.as_deref());
        Env {
            home,
            // Set but empty is not unset: botocore then looks for a
            // profile named "" (and fails), so keyturn must not pick one.
            aws_profile: std::env::var_os("AWS_PROFILE").map(|v| v.to_string_lossy().into_owned()),
            aws_default_profile: std::env::var_os("AWS_DEFAULT_PROFILE")
                .map(|v| v.to_string_lossy().into_owned()),
            aws_access_key_id: var("AWS_ACCESS_KEY_ID").map(|v| v.to_string_lossy().into_owned()),
            credentials_file: var("AWS_SHARED_CREDENTIALS_FILE").map(PathBuf::from),
            config_file: var("AWS_CONFIG_FILE").map(PathBuf::from),
            endpoint_url: var("AWS_ENDPOINT_URL").map(|v| v.to_string_lossy().into_owned()),
            ca_bundle: var("AWS_CA_BUNDLE").map(PathBuf::from),
            xdg_config_home,
            xdg_state_home,
            path: var("PATH"),
            stdin_is_tty: std::io::stdin().is_terminal(),
            stderr_is_tty: std::io::stderr().is_terminal(),
            plain_terminal: var("NO_COLOR").is_some()
                || std::env::var_os("TERM").is_some_and(|t| t == "dumb"),
            settings,
            settings_untrusted,
            lc_all: var("LC_ALL").map(|v| v.to_string_lossy().into_owned()),
            lc_messages: var("LC_MESSAGES").map(|v| v.to_string_lossy().into_owned()),
            language: var("LANGUAGE").map(|v| v.to_string_lossy().into_owned()),
            lang: var("LANG").map(|v| v.to_string_lossy().into_owned()),
            dest: crate::dest::DestEnv::capture(|k| {
                var(k).map(|v| v.to_string_lossy().into_owned())
            }),
            keystore: keystore_home.map(|home| {
                crate::keystore::settings::KeystoreEnv::new(
                    home,
                    crate::keystore::settings::Platform::current(),
                    std::env::vars_os()
                        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
                )
                // A file keyring's passphrase may be asked only on a terminal.
                .on_terminal(std::io::stdin().is_terminal() && std::io::stderr().is_terminal())
            }),
        }
    }

    /// The settings file read at capture, checked: `None` when there is
    /// none (see [`crate::settings::load`]).
    pub fn settings_file(
        &self,
    ) -> Result<Option<crate::settings::Loaded>, crate::exit::UsageError> {
        crate::settings::load(self.settings.as_ref(), self.settings_untrusted.as_deref())
    }

    /// The language the locale variables ask for (`--lang` overrides it).
    pub fn lang(&self) -> Lang {
        crate::i18n::detect(
            self.lc_all.as_deref(),
            self.lc_messages.as_deref(),
            self.language.as_deref(),
            self.lang.as_deref(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_comes_from_the_locale() {
        let e = Env {
            lang: Some("ja_JP.UTF-8".into()),
            ..Env::default()
        };
        assert_eq!(e.lang(), Lang::Ja);
        let e = Env {
            lc_all: Some("en_US.UTF-8".into()),
            ..e
        };
        assert_eq!(e.lang(), Lang::En);
        assert_eq!(Env::default().lang(), Lang::En);
    }
}
