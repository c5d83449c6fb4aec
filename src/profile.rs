//! Where a profile's static access key lives, decided as botocore decides.
//!
//! Pure: works on parsed [`Document`]s and never reads the disk. The order
//! of botocore's credential chain is kept, because a profile that botocore
//! would serve from a role, SSO or a process is not one whose key we may
//! rotate even if it also carries a key pair:
//! environment, role_arn/source_profile, web identity, SSO, the credentials
//! file, credential_process, the config file.
//!
//! Invariant: [`resolve`] either names the exact lines holding a single,
//! complete, non-temporary key pair that the AWS CLI would use for the
//! profile, or returns a [`Refusal`] that says what to do.

use crate::ini::{config_profile_name, Document, EditError, Entry, Section};
use crate::secret::Secret;
use std::path::{Path, PathBuf};

// The key names are the files' own vocabulary, so they live with the file
// model (`ini`), which indexes sections by them; re-exported for callers.
pub use crate::ini::{ACCESS_KEY_ID, SECRET_ACCESS_KEY};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Credentials,
    Config,
    /// Not a file: a keyring item (aws-vault's, granted's), which the
    /// place's `section` names (`aws-vault (file) item dev`). Never read
    /// from a journal (a files home is in a file); `null` in JSON.
    #[serde(skip_deserializing)]
    Keystore,
}

/// The two shared files, each parsed if it exists.
pub struct Files<'a> {
    pub credentials: Option<&'a Document>,
    pub credentials_path: &'a Path,
    pub config: Option<&'a Document>,
    pub config_path: &'a Path,
}

impl Files<'_> {
    fn path(&self, kind: FileKind) -> &Path {
        match kind {
            FileKind::Credentials => self.credentials_path,
            // A keyring item is never looked for in the files.
            FileKind::Config | FileKind::Keystore => self.config_path,
        }
    }

    fn doc(&self, kind: FileKind) -> Option<&Document> {
        match kind {
            FileKind::Credentials => self.credentials,
            FileKind::Config => self.config,
            FileKind::Keystore => None,
        }
    }
}

/// Both shared files, parsed once; None where a file does not exist.
/// [`Docs::read`] is this module's one disk access (through
/// [`crate::store::read`]): everything else here works on the documents.
#[derive(Debug, Default)]
pub struct Docs {
    pub credentials: Option<Document>,
    pub config: Option<Document>,
}

/// Why [`Docs::read`] could not read or parse one of the files.
#[derive(Debug, thiserror::Error)]
pub enum DocsError {
    #[error(transparent)]
    Read(#[from] crate::store::StoreError),
    /// Not UTF-8 (`path` as given, `error.line` 1-based).
    #[error("{}: {error}", path.display())]
    NotUtf8 {
        path: PathBuf,
        error: crate::ini::NotUtf8,
    },
}

impl Docs {
    /// Reads and parses the credentials and config files.
    pub fn read(credentials: &Path, config: &Path) -> Result<Docs, DocsError> {
        let parse = |path: &Path| -> Result<Option<Document>, DocsError> {
            // The document keeps the bytes read (and wipes them).
            match crate::store::read(path)?.bytes.take() {
                None => Ok(None),
                Some(b) => Document::parse_vec(b)
                    .map(Some)
                    .map_err(|error| DocsError::NotUtf8 {
                        path: path.to_path_buf(),
                        error,
                    }),
            }
        };
        Ok(Docs {
            credentials: parse(credentials)?,
            config: parse(config)?,
        })
    }

    /// The documents with their paths, for [`resolve`] and friends.
    pub fn files<'a>(&'a self, credentials: &'a Path, config: &'a Path) -> Files<'a> {
        Files {
            credentials: self.credentials.as_ref(),
            credentials_path: credentials,
            config: self.config.as_ref(),
            config_path: config,
        }
    }
}

/// One section holding a key pair.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Place {
    #[serde(serialize_with = "file_or_null")]
    pub file: FileKind,
    /// The section name as written (`profile dev` in the config file).
    pub section: String,
    /// The profile it defines; None for `[DEFAULT]` and non-profile sections.
    pub profile: Option<String>,
}

/// A place's `file` in JSON: `null` for a keyring item, as `status` has it.
fn file_or_null<S: serde::Serializer>(k: &FileKind, s: S) -> Result<S::Ok, S::Error> {
    match k {
        FileKind::Keystore => s.serialize_none(),
        k => s.serialize_some(k),
    }
}

/// A profile's key pair, ready to rotate.
#[derive(Debug)]
pub struct StaticKey {
    pub profile: String,
    pub access_key_id: String,
    pub secret: Secret,
    pub home: Place,
    /// Every other section, in either file, holding the same key id.
    pub sharers: Vec<Place>,
    /// From the config file, used to pick the partition's signing region.
    pub region: Option<String>,
    pub mfa_serial: Option<String>,
}

/// Why a profile cannot be rotated. Each message says what to do, in the
/// process's language ([`crate::i18n`]); [`Refusal::code`] is the same in all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Refusal {
    #[error("{}", not_found_text(profile, credentials, config, *credentials_exists, *config_exists))]
    NotFound {
        profile: String,
        credentials: PathBuf,
        config: PathBuf,
        /// Which files exist: a missing file is said so, with what to do.
        credentials_exists: bool,
        config_exists: bool,
    },
    #[error("{}", crate::i18n::trf("refusal.unparsable", &[("path", &path.display()), ("detail", detail)]))]
    Unparsable {
        path: PathBuf,
        line: usize,
        detail: String,
    },
    #[error("{}", crate::i18n::trf("refusal.temporary", &[("profile", profile), ("path", &path.display())]))]
    Temporary { profile: String, path: PathBuf },
    #[error("{}", role_text(profile, path, key, source_profile.as_deref(), credential_source.as_deref()))]
    Role {
        profile: String,
        path: PathBuf,
        key: &'static str,
        /// `source_profile`: the profile whose key to rotate instead.
        source_profile: Option<String>,
        /// `credential_source`: where the role's credentials come from.
        credential_source: Option<String>,
    },
    #[error("{}", crate::i18n::trf("refusal.web_identity", &[("profile", profile), ("path", &path.display()), ("key", key)]))]
    WebIdentity {
        profile: String,
        path: PathBuf,
        key: &'static str,
    },
    #[error("{}", crate::i18n::trf("refusal.sso", &[("profile", profile), ("path", &path.display()), ("key", key)]))]
    Sso {
        profile: String,
        path: PathBuf,
        key: String,
    },
    #[error("{}", crate::i18n::trf("refusal.process", &[("profile", profile), ("path", &path.display())]))]
    Process { profile: String, path: PathBuf },
    #[error("{}", crate::i18n::trf("refusal.inherited", &[("profile", profile), ("path", &path.display()), ("key", key)]))]
    InheritedFromDefault {
        profile: String,
        path: PathBuf,
        key: &'static str,
    },
    #[error("{}", crate::i18n::trf("refusal.half_pair", &[("profile", profile), ("path", &path.display()), ("present", present), ("missing", missing)]))]
    HalfPair {
        profile: String,
        path: PathBuf,
        present: &'static str,
        missing: &'static str,
    },
    #[error("{}", crate::i18n::trf("refusal.not_a_token", &[("path", &path.display()), ("line", line), ("key", key), ("profile", profile)]))]
    NotAToken {
        profile: String,
        path: PathBuf,
        line: usize,
        key: &'static str,
    },
    #[error("{}", crate::i18n::trf("refusal.no_keys", &[("profile", profile), ("credentials", &credentials.display()), ("config", &config.display())]))]
    NoKeys {
        profile: String,
        credentials: PathBuf,
        config: PathBuf,
    },
    /// The key lives in aws-vault's or granted's keyring, which refused
    /// (issue 13): `message` is the keyring's own words.
    #[error("{message}")]
    Keystore {
        profile: String,
        message: String,
        code: &'static str,
    },
}

/// A missing profile, said differently when a file itself is missing: then
/// the fix is `aws configure` or `--credentials-file`, not a better name.
fn not_found_text(
    profile: &str,
    credentials: &Path,
    config: &Path,
    credentials_exists: bool,
    config_exists: bool,
) -> String {
    let (c, f) = (credentials.display(), config.display());
    match (credentials_exists, config_exists) {
        (true, _) => crate::i18n::trf(
            "refusal.not_found",
            &[("profile", &profile), ("credentials", &c), ("config", &f)],
        ),
        (false, true) => crate::i18n::trf(
            "refusal.not_found_no_credentials",
            &[("profile", &profile), ("credentials", &c), ("config", &f)],
        ),
        (false, false) => crate::i18n::trf(
            "refusal.no_files",
            &[("profile", &profile), ("credentials", &c), ("config", &f)],
        ),
    }
}

/// A role refusal says what to rotate instead: the `source_profile`, or
/// nothing in the files when `credential_source` names the environment.
fn role_text(
    profile: &str,
    path: &Path,
    key: &str,
    source: Option<&str>,
    credential_source: Option<&str>,
) -> String {
    let path = path.display();
    match (source, credential_source) {
        (Some(s), _) => crate::i18n::trf(
            "refusal.role_source",
            &[("profile", &profile), ("path", &path), ("source", &s)],
        ),
        (None, Some(c)) => crate::i18n::trf(
            "refusal.role_credential_source",
            &[("profile", &profile), ("path", &path), ("source", &c)],
        ),
        (None, None) => crate::i18n::trf(
            "refusal.role",
            &[("profile", &profile), ("path", &path), ("key", &key)],
        ),
    }
}

impl Refusal {
    /// A short, stable name for `--output json`.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NotFound { .. } => "profile_not_found",
            Refusal::Unparsable { .. } => "file_unparsable",
            Refusal::Temporary { .. } => "temporary_credentials",
            Refusal::Role { .. } => "role_profile",
            Refusal::WebIdentity { .. } => "web_identity_profile",
            Refusal::Sso { .. } => "sso_profile",
            Refusal::Process { .. } => "credential_process_profile",
            Refusal::InheritedFromDefault { .. } => "inherited_from_default",
            Refusal::HalfPair { .. } => "half_key_pair",
            Refusal::NotAToken { .. } => "value_not_a_token",
            Refusal::NoKeys { .. } => "no_static_key",
            Refusal::Keystore { code, .. } => code,
        }
    }
}

/// The config-file section that defines `profile`, as botocore's profile
/// map does: the last section that maps to the name wins.
fn config_section<'d>(doc: &'d Document, profile: &str) -> Option<&'d Section> {
    doc.config_section(profile)
}

/// Lines of one section's view, own keys first, then `[DEFAULT]`'s.
struct View<'d> {
    doc: &'d Document,
    section: &'d Section,
}

impl<'d> View<'d> {
    fn get(&self, key: &str) -> Option<(&'d Entry, bool)> {
        self.doc.lookup(self.section, key)
    }

    fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

/// Refuses a file botocore would refuse.
pub fn check_parsable(doc: &Document, path: &Path) -> Result<(), Refusal> {
    match doc.first_problem() {
        Some(p) => Err(Refusal::Unparsable {
            path: path.to_path_buf(),
            line: p.line(),
            detail: p.to_string(),
        }),
        None => Ok(()),
    }
}

/// Finds the key pair the AWS CLI would use for `profile`, or says why it
/// cannot be rotated.
pub fn resolve(files: &Files, profile: &str) -> Result<StaticKey, Refusal> {
    for kind in [FileKind::Credentials, FileKind::Config] {
        if let Some(doc) = files.doc(kind) {
            check_parsable(doc, files.path(kind))?;
        }
    }
    let cred = files
        .credentials
        .and_then(|d| d.section(profile).map(|s| View { doc: d, section: s }));
    let conf = files
        .config
        .and_then(|d| config_section(d, profile).map(|s| View { doc: d, section: s }));
    if cred.is_none() && conf.is_none() {
        return Err(Refusal::NotFound {
            profile: profile.to_string(),
            credentials: files.credentials_path.to_path_buf(),
            config: files.config_path.to_path_buf(),
            credentials_exists: files.credentials.is_some(),
            config_exists: files.config.is_some(),
        });
    }
    // botocore merges the credentials-file profile over the config-file
    // one for everything but the two file providers, so a role_arn in
    // either file makes this a role profile.
    let views = Views {
        files,
        profile,
        views: [
            cred.as_ref().map(|v| (v, FileKind::Credentials)),
            conf.as_ref().map(|v| (v, FileKind::Config)),
        ],
    };
    views.refuse_served_elsewhere()?;
    if let Some(view) = &cred {
        if let Some(found) = static_pair(view, FileKind::Credentials, &views)? {
            return Ok(found);
        }
    }
    if let Some(k) = views.refuse_if("credential_process") {
        return Err(Refusal::Process {
            profile: profile.to_string(),
            path: views.path_of(k),
        });
    }
    if let Some(view) = &conf {
        if let Some(found) = static_pair(view, FileKind::Config, &views)? {
            return Ok(found);
        }
    }
    Err(views.why_not_served())
}

/// A setting of `profile` (e.g. `region`) as botocore reads it: the
/// merged profile, its credentials-file section winning over its
/// config-file one. None when neither file has it.
pub fn setting(files: &Files, profile: &str, key: &str) -> Option<String> {
    let cred = files
        .credentials
        .and_then(|d| d.section(profile).map(|s| View { doc: d, section: s }));
    let conf = files
        .config
        .and_then(|d| config_section(d, profile).map(|s| View { doc: d, section: s }));
    Views {
        files,
        profile,
        views: [
            cred.as_ref().map(|v| (v, FileKind::Credentials)),
            conf.as_ref().map(|v| (v, FileKind::Config)),
        ],
    }
    .value(key)
}

/// A profile's sections in both files (credentials file first, None where
/// a file lacks it), for what [`resolve`] decides from the merged profile.
struct Views<'a, 'd> {
    files: &'a Files<'a>,
    profile: &'a str,
    views: [Option<(&'a View<'d>, FileKind)>; 2],
}

impl<'a, 'd> Views<'a, 'd> {
    fn iter(&self) -> impl Iterator<Item = &(&'a View<'d>, FileKind)> {
        self.views.iter().flatten()
    }

    /// The first file whose section (or its `[DEFAULT]`) has `key`.
    fn refuse_if(&self, key: &str) -> Option<FileKind> {
        self.iter().find(|(v, _)| v.has(key)).map(|(_, k)| *k)
    }

    fn path_of(&self, k: FileKind) -> PathBuf {
        self.files.path(k).to_path_buf()
    }

    /// The merged profile's value of `key`, credentials file first.
    fn value(&self, key: &str) -> Option<String> {
        self.iter()
            .find_map(|(v, _)| v.get(key).map(|(e, _)| e.value.clone()))
    }

    /// The providers botocore asks before the files: a role, a web
    /// identity, SSO. Any of them serving the profile is a refusal.
    fn refuse_served_elsewhere(&self) -> Result<(), Refusal> {
        let name = || self.profile.to_string();
        // botocore's AssumeRoleProvider runs only for a profile with role_arn
        // (and no web_identity_token_file, which makes it a web identity
        // profile); source_profile or credential_source alone are ignored and
        // the profile is served from its static keys.
        if let (Some(k), false) = (
            self.refuse_if("role_arn"),
            self.iter().any(|(v, _)| v.has("web_identity_token_file")),
        ) {
            return Err(Refusal::Role {
                profile: name(),
                path: self.path_of(k),
                key: "role_arn",
                source_profile: self.value("source_profile"),
                credential_source: self.value("credential_source"),
            });
        }
        if let Some(k) = self.refuse_if("web_identity_token_file") {
            return Err(Refusal::WebIdentity {
                profile: name(),
                path: self.path_of(k),
                key: "web_identity_token_file",
            });
        }
        // botocore's SSOProvider runs only for a profile naming a role or an
        // account; other sso_* keys (an sso_session alone) serve nothing.
        for (v, k) in self.iter() {
            if let Some(key) = ["sso_account_id", "sso_role_name"]
                .into_iter()
                .find(|key| v.has(key))
                .map(str::to_string)
            {
                return Err(Refusal::Sso {
                    profile: name(),
                    path: self.path_of(*k),
                    key,
                });
            }
        }
        Ok(())
    }

    /// Nothing serves the profile. Say why in the words of what it has:
    /// sso_* keys (an incomplete SSO profile), or a lone secret.
    fn why_not_served(&self) -> Refusal {
        let name = || self.profile.to_string();
        for (v, k) in self.iter() {
            if let Some(e) = v
                .section
                .entries
                .iter()
                .chain(v.doc.defaults())
                .find(|e| e.key.starts_with("sso_"))
            {
                return Refusal::Sso {
                    profile: name(),
                    path: self.path_of(*k),
                    key: e.key.clone(),
                };
            }
        }
        for (v, k) in self.iter() {
            if v.has(SECRET_ACCESS_KEY) && !v.has(ACCESS_KEY_ID) {
                return Refusal::HalfPair {
                    profile: name(),
                    path: self.path_of(*k),
                    present: SECRET_ACCESS_KEY,
                    missing: ACCESS_KEY_ID,
                };
            }
        }
        Refusal::NoKeys {
            profile: name(),
            credentials: self.files.credentials_path.to_path_buf(),
            config: self.files.config_path.to_path_buf(),
        }
    }
}

/// The pair in one file's section, if that file's provider would serve it.
/// `views` is the whole profile: its other file's section matters for
/// the settings (`region`, `mfa_serial`).
fn static_pair(view: &View, kind: FileKind, views: &Views) -> Result<Option<StaticKey>, Refusal> {
    let (files, profile) = (views.files, views.profile);
    // Only a refusal needs the path (a copy per profile otherwise).
    let path = || files.path(kind).to_path_buf();
    let id = view.get(ACCESS_KEY_ID);
    let secret = view.get(SECRET_ACCESS_KEY);
    let (id, secret) = match (id, secret) {
        // botocore's file providers only look at a section with an
        // access key id: a lone secret leaves the profile to the next
        // provider; `resolve` names it if nothing else serves the profile.
        (None, _) => return Ok(None),
        (Some(_), None) => {
            return Err(Refusal::HalfPair {
                profile: profile.to_string(),
                path: path(),
                present: ACCESS_KEY_ID,
                missing: SECRET_ACCESS_KEY,
            });
        }
        (Some(id), Some(secret)) => (id, secret),
    };
    for ((entry, inherited), key) in [(id, ACCESS_KEY_ID), (secret, SECRET_ACCESS_KEY)] {
        if inherited {
            return Err(Refusal::InheritedFromDefault {
                profile: profile.to_string(),
                path: path(),
                key,
            });
        }
        if entry.multiline
            || entry.value.is_empty()
            // Printable ASCII (every key id and secret) holds no space:
            // only other text is looked at character by character.
            || (!entry.value.bytes().all(|b| b.is_ascii_graphic())
                && entry.value.contains(crate::ini::is_py_space))
        {
            return Err(Refusal::NotAToken {
                profile: profile.to_string(),
                path: path(),
                line: entry.line + 1,
                key,
            });
        }
    }
    if view.has("aws_session_token") || view.has("aws_security_token") {
        return Err(Refusal::Temporary {
            profile: profile.to_string(),
            path: path(),
        });
    }
    let home = Place {
        file: kind,
        section: view.section.name.clone(),
        profile: Some(profile.to_string()),
    };
    let sharers = places_holding_except(files, &id.0.value, Some(&home));
    // region and mfa_serial live in the config file (botocore reads the
    // merged profile, credentials file winning).
    let setting = |key: &str| views.value(key);
    Ok(Some(StaticKey {
        profile: profile.to_string(),
        access_key_id: id.0.value.clone(),
        secret: Secret::new(secret.0.value.as_str()),
        home,
        sharers,
        region: setting("region"),
        mfa_serial: setting("mfa_serial"),
    }))
}

/// Every section of either file that holds `key_id` as its own
/// `aws_access_key_id`, `[DEFAULT]` included (its heirs hold the key too).
pub fn places_holding(files: &Files, key_id: &str) -> Vec<Place> {
    places_holding_except(files, key_id, None)
}

/// [`places_holding`] without `except` (the profile's own section: no
/// copy of its names is made only to be dropped).
fn places_holding_except(files: &Files, key_id: &str, except: Option<&Place>) -> Vec<Place> {
    let mut out = Vec::new();
    for kind in [FileKind::Credentials, FileKind::Config] {
        let Some(doc) = files.doc(kind) else { continue };
        if doc
            .defaults()
            .iter()
            .any(|e| e.key == ACCESS_KEY_ID && e.value == key_id)
        {
            out.push(Place {
                file: kind,
                section: "DEFAULT".to_string(),
                profile: None,
            });
        }
        // Indexed: `status` asks this once per profile.
        for s in doc.sections_holding(key_id) {
            // The same file and section is the same place: the profile a
            // section defines follows from its name.
            if except.is_some_and(|p| p.file == kind && p.section == s.name) {
                continue;
            }
            let profile = match kind {
                FileKind::Credentials => Some(s.name.clone()),
                FileKind::Config | FileKind::Keystore => config_profile_name(&s.name),
            };
            out.push(Place {
                file: kind,
                section: s.name.clone(),
                profile,
            });
        }
    }
    out
}

/// Every profile name either file defines, credentials file first, each once.
pub fn profile_names(files: &Files) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(doc) = files.credentials {
        out.extend(doc.sections().iter().map(|s| s.name.clone()));
    }
    if let Some(doc) = files.config {
        out.extend(
            doc.sections()
                .iter()
                .filter_map(|s| config_profile_name(&s.name)),
        );
    }
    // Each once, first place kept; the set borrows the names (no copies).
    let first: Vec<bool> = {
        let mut seen = rustc_hash::FxHashSet::default();
        out.iter().map(|p| seen.insert(p.as_str())).collect()
    };
    let mut first = first.into_iter();
    out.retain(|_| first.next().unwrap_or(true));
    out
}

/// Rewrites, in one file, every pair whose key id is `old_id` to the new
/// pair, touching only the two values' bytes. `only` limits the edit to
/// one section. Returns how many sections changed.
///
/// This is a function of the file's content, not of line numbers taken
/// earlier, so the store can re-apply it to a file that changed under us.
pub fn replace_pair(
    doc: &mut Document,
    old_id: &str,
    new_id: &str,
    new_secret: &Secret,
    only: Option<&str>,
) -> Result<usize, EditError> {
    let mut targets: Vec<(usize, Option<usize>)> = Vec::new();
    let holds = |entries: &[Entry]| {
        let id = entries
            .iter()
            .find(|e| e.key == ACCESS_KEY_ID && e.value == old_id)?;
        let secret = entries
            .iter()
            .find(|e| e.key == SECRET_ACCESS_KEY && !e.multiline)
            .map(|e| e.line);
        Some((id.line, secret))
    };
    if only.is_none() {
        targets.extend(holds(doc.defaults()));
    }
    for s in doc.sections() {
        if only.is_none_or(|o| o == s.name) {
            targets.extend(holds(&s.entries));
        }
    }
    for (id_line, secret_line) in &targets {
        doc.set_value(*id_line, new_id)?;
        if let Some(line) = secret_line {
            doc.set_value(*line, new_secret.expose())?;
        }
    }
    Ok(targets.len())
}

#[cfg(test)]
mod tests;
