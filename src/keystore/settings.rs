//! Each tool's keyring settings, resolved as the tool resolves them, from a
//! small snapshot of the environment ([`KeystoreEnv`]; the command layer
//! fills it, nothing here reads the process environment).
//!
//! aws-vault (kingpin flags with `Envar` defaults, so a flag inside the
//! `credential_process` line beats the variable, and an empty variable
//! counts as unset):
//! - backend: `--backend` / `AWS_VAULT_BACKEND`, else the first backend
//!   aws-vault registers on the platform: `wincred` (Windows), `keychain`
//!   (macOS), `secret-service` (Linux with a session bus), `keyctl` (Linux
//!   without one), `pass` (other Unix).
//! - file: `--file-dir` / `AWS_VAULT_FILE_DIR`, default `~/.awsvault/keys/`;
//!   passphrase `AWS_VAULT_FILE_PASSPHRASE` (set, even empty, wins), else a
//!   prompt.
//! - pass: `--pass-cmd` / `AWS_VAULT_PASS_CMD` (default `pass`),
//!   `--pass-dir` / `AWS_VAULT_PASS_PASSWORD_STORE_DIR`, else
//!   `PASSWORD_STORE_DIR` (if set), else `~/.password-store`;
//!   `--pass-prefix` / `AWS_VAULT_PASS_PREFIX` (default none).
//! - secret-service: `--secret-service-collection` /
//!   `AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME`, default `awsvault`.
//!
//! granted: `[Keyring] Backend` in its config; unset, the first backend
//! that opens (secret-service with a session bus, then pass, then file);
//! macOS defaults to its keychain. File passphrase `CF_KEYRING_FILE_PASSWORD`,
//! empty if unset (`keyring.FixedStringPrompt`: granted never prompts).

use super::awsvault::ProcessLine;
use super::granted::{self, KeyringConfig};
use super::passphrase::Passphrases;
use super::{Backend, KeystoreError, Tool};
use crate::secret::Secret;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The platform, for the tools' default backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Linux,
    MacOs,
    Windows,
    OtherUnix,
}

impl Platform {
    /// The platform keyturn was built for.
    pub fn current() -> Platform {
        if cfg!(target_os = "linux") {
            Platform::Linux
        } else if cfg!(target_os = "macos") {
            Platform::MacOs
        } else if cfg!(windows) {
            Platform::Windows
        } else {
            Platform::OtherUnix
        }
    }
}

/// What the keystore settings depend on.
#[derive(Clone)]
pub struct KeystoreEnv {
    pub home: PathBuf,
    pub platform: Platform,
    /// Whether a D-Bus session bus is there (aws-vault registers its
    /// secret-service backend only then).
    pub session_bus: bool,
    vars: BTreeMap<String, String>,
    /// The run's file-keyring passphrases asked on the terminal (shared
    /// by every clone).
    pub passphrases: Passphrases,
}

impl std::fmt::Debug for KeystoreEnv {
    // Variables include passphrases: only their names show.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeystoreEnv")
            .field("home", &self.home)
            .field("platform", &self.platform)
            .field("session_bus", &self.session_bus)
            .field("vars", &self.vars.keys().collect::<Vec<_>>())
            .field("passphrases", &self.passphrases)
            .finish()
    }
}

/// The variables [`KeystoreEnv::new`] keeps.
pub const VARS: &[&str] = &[
    "AWS_VAULT_BACKEND",
    "AWS_VAULT_FILE_DIR",
    "AWS_VAULT_FILE_PASSPHRASE",
    "AWS_VAULT_PASS_CMD",
    "AWS_VAULT_PASS_PASSWORD_STORE_DIR",
    "AWS_VAULT_PASS_PREFIX",
    "AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME",
    "PASSWORD_STORE_DIR",
    "CF_KEYRING_FILE_PASSWORD",
    "XDG_CONFIG_HOME",
    "DBUS_SESSION_BUS_ADDRESS",
];

impl KeystoreEnv {
    /// From the process's variables (any iterator of pairs; only [`VARS`]
    /// are kept). A session bus is assumed when `DBUS_SESSION_BUS_ADDRESS`
    /// is set; the caller may correct [`KeystoreEnv::session_bus`] (e.g.
    /// `$XDG_RUNTIME_DIR/bus` exists).
    pub fn new(
        home: impl Into<PathBuf>,
        platform: Platform,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> KeystoreEnv {
        let vars: BTreeMap<String, String> = vars
            .into_iter()
            .filter(|(k, _)| VARS.contains(&k.as_str()))
            .collect();
        let session_bus = vars
            .get("DBUS_SESSION_BUS_ADDRESS")
            .is_some_and(|v| !v.is_empty());
        KeystoreEnv {
            home: home.into(),
            platform,
            session_bus,
            vars,
            passphrases: Passphrases::default(),
        }
    }

    /// `terminal`: stdin and stderr are both terminals, so a file
    /// keyring's passphrase may be asked there ([`Passphrases`]).
    pub fn on_terminal(mut self, terminal: bool) -> KeystoreEnv {
        self.passphrases = Passphrases::on_terminal(terminal);
        self
    }

    /// A variable as `os.LookupEnv` sees it (set, even empty).
    pub fn lookup(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// A variable as kingpin's `Envar` sees it (empty = unset).
    pub fn var(&self, name: &str) -> Option<&str> {
        self.lookup(name).filter(|v| !v.is_empty())
    }

    /// `~` and `~/…` made absolute, as 99designs/keyring's `ExpandTilde`.
    pub fn expand(&self, path: &str) -> PathBuf {
        if path == "~" {
            self.home.clone()
        } else if let Some(rest) = path.strip_prefix("~/") {
            self.home.join(rest)
        } else {
            PathBuf::from(path)
        }
    }
}

/// One keyring backend, configured.
#[derive(Debug, Clone)]
pub enum StoreConfig {
    File {
        dir: PathBuf,
        /// `None`: the tool would prompt; keyturn asks on a terminal
        /// (`ask`) or refuses ([`KeystoreError::NoPassphrase`]).
        passphrase: Option<Secret>,
        passphrase_var: &'static str,
        /// Where an unset passphrase is asked (never, for granted).
        ask: Passphrases,
    },
    Pass {
        cmd: String,
        dir: PathBuf,
        prefix: String,
    },
    SecretService {
        collection: String,
    },
    /// The Windows Credential Manager: targets `PREFIX` + item key.
    WinCred {
        prefix: String,
    },
}

impl StoreConfig {
    pub fn backend(&self) -> Backend {
        match self {
            StoreConfig::File { .. } => Backend::File,
            StoreConfig::Pass { .. } => Backend::Pass,
            StoreConfig::SecretService { .. } => Backend::SecretService,
            StoreConfig::WinCred { .. } => Backend::WinCred,
        }
    }
}

/// A backend name as a tool spells it: supported, or refused by name.
/// `wincred` is aws-vault's on Windows only (granted's target names there
/// are not known to keyturn).
fn backend_named(tool: Tool, name: &str, platform: Platform) -> Result<Backend, KeystoreError> {
    match name {
        "wincred" if tool == Tool::AwsVault && platform == Platform::Windows => {
            Ok(Backend::WinCred)
        }
        "file" => Ok(Backend::File),
        "pass" => Ok(Backend::Pass),
        "secret-service" => Ok(Backend::SecretService),
        "keychain" | "wincred" | "kwallet" | "keyctl" | "op" | "op-connect" | "op-desktop"
        | "proton-pass" | "passage" | "winhello" => Err(KeystoreError::UnsupportedBackend {
            tool: tool.name(),
            backend: name.to_string(),
        }),
        _ => Err(KeystoreError::UnknownBackend {
            tool: tool.name(),
            backend: name.to_string(),
        }),
    }
}

fn pass_dir(env: &KeystoreEnv, explicit: Option<&str>) -> PathBuf {
    match explicit.filter(|d| !d.is_empty()) {
        Some(d) => env.expand(d),
        None => match env.lookup("PASSWORD_STORE_DIR") {
            Some(d) => env.expand(d),
            None => env.home.join(".password-store"),
        },
    }
}

/// aws-vault's keyring for a profile; `line` is its `credential_process`
/// line when it runs `aws-vault export` (its flags win over variables).
pub fn aws_vault(
    env: &KeystoreEnv,
    line: Option<&ProcessLine>,
) -> Result<StoreConfig, KeystoreError> {
    let flag = |f: fn(&ProcessLine) -> &Option<String>| -> Option<String> {
        line.and_then(|l| f(l).clone()).filter(|v| !v.is_empty())
    };
    let pick = |f: fn(&ProcessLine) -> &Option<String>, var: &str| -> Option<String> {
        flag(f).or_else(|| env.var(var).map(String::from))
    };
    let backend = match pick(|l| &l.backend, "AWS_VAULT_BACKEND") {
        Some(b) => b,
        None => match env.platform {
            Platform::Windows => "wincred".to_string(),
            Platform::MacOs => "keychain".to_string(),
            Platform::Linux if env.session_bus => "secret-service".to_string(),
            Platform::Linux => "keyctl".to_string(),
            Platform::OtherUnix => "pass".to_string(),
        },
    };
    Ok(
        match backend_named(Tool::AwsVault, &backend, env.platform)? {
            Backend::File => StoreConfig::File {
                dir: env.expand(
                    &pick(|l| &l.file_dir, "AWS_VAULT_FILE_DIR")
                        .unwrap_or_else(|| "~/.awsvault/keys/".to_string()),
                ),
                passphrase: env.lookup("AWS_VAULT_FILE_PASSPHRASE").map(Secret::new),
                passphrase_var: "AWS_VAULT_FILE_PASSPHRASE",
                ask: env.passphrases.clone(),
            },
            Backend::Pass => StoreConfig::Pass {
                cmd: pick(|l| &l.pass_cmd, "AWS_VAULT_PASS_CMD")
                    .unwrap_or_else(|| "pass".to_string()),
                dir: pass_dir(
                    env,
                    pick(|l| &l.pass_dir, "AWS_VAULT_PASS_PASSWORD_STORE_DIR").as_deref(),
                ),
                prefix: pick(|l| &l.pass_prefix, "AWS_VAULT_PASS_PREFIX").unwrap_or_default(),
            },
            Backend::SecretService => StoreConfig::SecretService {
                collection: pick(
                    |l| &l.secret_service_collection,
                    "AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME",
                )
                .unwrap_or_else(|| "awsvault".to_string()),
            },
            Backend::WinCred => StoreConfig::WinCred {
                prefix: super::wincred::AWS_VAULT_PREFIX.to_string(),
            },
        },
    )
}

/// granted's two stores on one backend.
#[derive(Debug, Clone)]
pub struct GrantedStores {
    /// `granted-aws-iam-credentials`: the long-term keys.
    pub credentials: StoreConfig,
    /// `granted-aws-session-credentials`: the cache to purge.
    pub sessions: StoreConfig,
}

/// granted's stores: one entry when `[Keyring] Backend` names one, else
/// the candidates in the order granted tries to open them (the caller
/// takes the first that opens). `granted_dir` is from
/// [`granted::granted_dir`].
pub fn granted(
    env: &KeystoreEnv,
    config: &KeyringConfig,
    granted_dir: &Path,
) -> Result<Vec<GrantedStores>, KeystoreError> {
    let backends = match config.backend.as_deref().filter(|b| !b.is_empty()) {
        Some(b) => vec![backend_named(Tool::Granted, b, env.platform)?],
        None if env.platform == Platform::MacOs => {
            return Err(KeystoreError::UnsupportedBackend {
                tool: Tool::Granted.name(),
                backend: "keychain".to_string(),
            })
        }
        None if env.platform == Platform::Windows => {
            return Err(KeystoreError::UnsupportedBackend {
                tool: Tool::Granted.name(),
                backend: "wincred".to_string(),
            })
        }
        None => {
            let mut v = Vec::new();
            if env.session_bus && env.platform == Platform::Linux {
                v.push(Backend::SecretService);
            }
            v.extend([Backend::Pass, Backend::File]);
            v
        }
    };
    let store = |backend: Backend, service: &str| match backend {
        Backend::File => StoreConfig::File {
            dir: match config.file_dir.as_deref().filter(|d| !d.is_empty()) {
                Some(d) => env.expand(d),
                None => granted_dir.join(granted::file_dir_name(service)),
            },
            passphrase: Some(Secret::new(
                env.lookup("CF_KEYRING_FILE_PASSWORD").unwrap_or_default(),
            )),
            passphrase_var: "CF_KEYRING_FILE_PASSWORD",
            ask: Passphrases::default(),
        },
        Backend::Pass => StoreConfig::Pass {
            cmd: "pass".to_string(),
            dir: pass_dir(env, config.pass_dir.as_deref()),
            prefix: service.to_string(),
        },
        Backend::SecretService => StoreConfig::SecretService {
            collection: config
                .libsecret_collection_name
                .clone()
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| service.to_string()),
        },
        // backend_named refuses wincred for granted.
        Backend::WinCred => unreachable!("granted has no wincred backend in keyturn"),
    };
    Ok(backends
        .into_iter()
        .map(|b| GrantedStores {
            credentials: store(b, granted::IAM_CREDENTIALS),
            sessions: store(b, granted::SESSION_CREDENTIALS),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keystore::awsvault::parse_process_line;

    fn env(platform: Platform, vars: &[(&str, &str)]) -> KeystoreEnv {
        KeystoreEnv::new(
            "/home/me",
            platform,
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())),
        )
    }

    #[test]
    fn aws_vault_defaults_per_platform() {
        let e = env(
            Platform::Linux,
            &[("DBUS_SESSION_BUS_ADDRESS", "unix:path=/x")],
        );
        assert!(
            matches!(aws_vault(&e, None).unwrap(), StoreConfig::SecretService { collection } if collection == "awsvault")
        );
        // aws-vault's Windows default is the Credential Manager, with its
        // target names; elsewhere wincred is refused by name.
        assert!(matches!(
            aws_vault(&env(Platform::Windows, &[]), None).unwrap(),
            StoreConfig::WinCred { prefix } if prefix == "aws-vault:aws-vault:"
        ));
        let granted_on_windows = granted(
            &env(Platform::Windows, &[]),
            &KeyringConfig::default(),
            Path::new("/g"),
        );
        assert!(matches!(
            granted_on_windows,
            Err(KeystoreError::UnsupportedBackend { ref backend, .. }) if backend == "wincred"
        ));
        for (p, name) in [
            (Platform::Linux, "keyctl"),
            (Platform::MacOs, "keychain"),
            (Platform::Linux, "wincred"),
        ] {
            let vars: &[(&str, &str)] = if name == "wincred" {
                &[("AWS_VAULT_BACKEND", "wincred")]
            } else {
                &[]
            };
            let err = aws_vault(&env(p, vars), None).unwrap_err();
            assert!(
                matches!(&err, KeystoreError::UnsupportedBackend { backend, .. } if backend == name),
                "{err:?}"
            );
            assert!(err.to_string().contains(name), "{err}");
        }
        assert!(matches!(
            aws_vault(&env(Platform::OtherUnix, &[]), None).unwrap(),
            StoreConfig::Pass { .. }
        ));
    }

    #[test]
    fn aws_vault_file_settings() {
        let e = env(
            Platform::Linux,
            &[
                ("AWS_VAULT_BACKEND", "file"),
                ("AWS_VAULT_FILE_PASSPHRASE", ""),
            ],
        );
        let StoreConfig::File {
            dir, passphrase, ..
        } = aws_vault(&e, None).unwrap()
        else {
            panic!()
        };
        assert_eq!(dir, Path::new("/home/me/.awsvault/keys/"));
        // Set but empty is a passphrase (os.LookupEnv).
        assert_eq!(passphrase.unwrap().expose(), "");
        let e = env(
            Platform::Linux,
            &[("AWS_VAULT_BACKEND", "file"), ("AWS_VAULT_FILE_DIR", "~/k")],
        );
        let StoreConfig::File {
            dir, passphrase, ..
        } = aws_vault(&e, None).unwrap()
        else {
            panic!()
        };
        assert_eq!((dir, passphrase), (PathBuf::from("/home/me/k"), None));
    }

    #[test]
    fn process_line_flags_beat_variables() {
        let e = env(
            Platform::Linux,
            &[
                ("AWS_VAULT_BACKEND", "secret-service"),
                ("AWS_VAULT_PASS_PREFIX", "env"),
                ("PASSWORD_STORE_DIR", "/ps"),
            ],
        );
        let line =
            parse_process_line("aws-vault export --backend=pass --pass-prefix=line dev").unwrap();
        let StoreConfig::Pass { cmd, dir, prefix } = aws_vault(&e, Some(&line)).unwrap() else {
            panic!()
        };
        assert_eq!(
            (cmd.as_str(), dir, prefix.as_str()),
            ("pass", PathBuf::from("/ps"), "line")
        );
        let e = env(
            Platform::Linux,
            &[
                ("AWS_VAULT_BACKEND", "pass"),
                ("AWS_VAULT_PASS_PASSWORD_STORE_DIR", "~/p"),
            ],
        );
        let StoreConfig::Pass { dir, prefix, .. } = aws_vault(&e, None).unwrap() else {
            panic!()
        };
        assert_eq!((dir, prefix.as_str()), (PathBuf::from("/home/me/p"), ""));
        let e = env(Platform::Linux, &[("AWS_VAULT_BACKEND", "nope")]);
        assert!(matches!(
            aws_vault(&e, None),
            Err(KeystoreError::UnknownBackend { .. })
        ));
        let e = env(
            Platform::Linux,
            &[
                ("AWS_VAULT_BACKEND", ""),
                ("AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME", "c"),
            ],
        );
        assert!(matches!(
            aws_vault(&e, None),
            Err(KeystoreError::UnsupportedBackend { .. })
        ));
    }

    #[test]
    fn granted_stores() {
        let dir = Path::new("/home/me/.granted");
        let e = env(Platform::Linux, &[]);
        let file = KeyringConfig {
            backend: Some("file".into()),
            ..Default::default()
        };
        let s = granted(&e, &file, dir).unwrap();
        assert_eq!(s.len(), 1);
        let StoreConfig::File {
            dir: d,
            passphrase,
            passphrase_var,
            ..
        } = &s[0].credentials
        else {
            panic!()
        };
        assert_eq!(
            d,
            Path::new("/home/me/.granted/secure-storage-aws-iam-credentials")
        );
        assert_eq!(
            (passphrase.as_ref().unwrap().expose(), *passphrase_var),
            ("", "CF_KEYRING_FILE_PASSWORD")
        );
        let StoreConfig::File { dir: d, .. } = &s[0].sessions else {
            panic!()
        };
        assert_eq!(
            d,
            Path::new("/home/me/.granted/secure-storage-aws-session-credentials")
        );
        let e = env(Platform::Linux, &[("DBUS_SESSION_BUS_ADDRESS", "x")]);
        let order: Vec<Backend> = granted(&e, &KeyringConfig::default(), dir)
            .unwrap()
            .iter()
            .map(|s| s.credentials.backend())
            .collect();
        assert_eq!(
            order,
            [Backend::SecretService, Backend::Pass, Backend::File]
        );
        let ss = granted(
            &e,
            &KeyringConfig {
                backend: Some("secret-service".into()),
                ..Default::default()
            },
            dir,
        )
        .unwrap();
        assert!(
            matches!(&ss[0].sessions, StoreConfig::SecretService { collection } if collection == "granted-aws-session-credentials")
        );
        let pass = granted(
            &e,
            &KeyringConfig {
                backend: Some("pass".into()),
                ..Default::default()
            },
            dir,
        )
        .unwrap();
        assert!(
            matches!(&pass[0].credentials, StoreConfig::Pass { prefix, .. } if prefix == "granted-aws-iam-credentials")
        );
        assert!(granted(&env(Platform::MacOs, &[]), &KeyringConfig::default(), dir).is_err());
    }

    #[test]
    fn debug_hides_variable_values() {
        let e = env(Platform::Linux, &[("AWS_VAULT_FILE_PASSPHRASE", "hunter2")]);
        assert!(!format!("{e:?}").contains("hunter2"));
    }
}
