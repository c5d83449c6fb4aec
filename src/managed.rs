//! Managed users: the `[[users]]` tables of the settings file, naming IAM
//! users whose keys no laptop holds (a CI deployer, an integration) and
//! the `[[destinations]]` their keys are carried to. This module is the
//! model and its checks only (pure); rotating such a key in admin mode,
//! signed by an operator, is built on top of it.
//!
//! Invariants checked here, before anything runs: each user is named once
//! and with a name IAM accepts; every destination it names exists and
//! serves no profile (a destination written for a managed user's key is
//! never also written for a profile's); a destination serves at most one
//! managed user; `account` is twelve digits and `role_arn` an IAM role
//! ARN (in `account`, when both are given); durations parse.

use crate::dest::DestinationSpec;
use crate::i18n::{tr, trf};
use crate::rotate::Retire;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// One `[[users]]` table, as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    /// The IAM user's name.
    pub name: String,
    /// Names of `[[destinations]]` holding this user's key.
    #[serde(default)]
    pub destinations: Vec<String>,
    /// The account the user is in (12 digits); absent: the operator's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// A role keyturn assumes, with the operator's credentials, to reach
    /// the user's account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retire: Option<Retire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drain_grace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drain_max: Option<String>,
    /// With two keys, an Inactive second key may be deleted unattended.
    #[serde(default)]
    pub delete_inactive: bool,
    /// With two keys, a second Active key may be deleted unattended.
    #[serde(default)]
    pub delete_other_active: bool,
}

/// A checked `[[users]]` entry: durations parsed, names kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManagedUser {
    pub spec: UserSpec,
    pub max_age: Option<Duration>,
    pub drain_grace: Option<Duration>,
    pub drain_max: Option<Duration>,
}

/// IAM's rule for user names: 1 to 64 of `[A-Za-z0-9+=,.@_-]`.
pub fn valid_user_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

fn valid_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`: the account of the role.
fn role_arn_account(s: &str) -> Option<&str> {
    let mut parts = s.splitn(6, ':');
    let (arn, partition, service, region, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let ok = arn == "arn"
        && !partition.is_empty()
        && service == "iam"
        && region.is_empty()
        && valid_account(account)
        && resource.starts_with("role/")
        && resource.len() > "role/".len();
    ok.then_some(account)
}

/// Checks every `[[users]]` entry against the destinations. Err is the
/// offending user's name and why, for the settings error to wrap.
pub fn validate_all(
    users: &[UserSpec],
    destinations: &[DestinationSpec],
) -> Result<Vec<ManagedUser>, (String, String)> {
    let by_name: BTreeMap<&str, &DestinationSpec> =
        destinations.iter().map(|d| (d.name.as_str(), d)).collect();
    let mut seen = BTreeSet::new();
    let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
    let mut out = Vec::with_capacity(users.len());
    for u in users {
        let err = |why: String| (u.name.clone(), why);
        if !valid_user_name(&u.name) {
            return Err(err(tr("managed.bad_name").into()));
        }
        if !seen.insert((u.account.as_deref(), u.name.as_str())) {
            return Err(err(tr("managed.duplicate_name").into()));
        }
        for d in &u.destinations {
            let Some(spec) = by_name.get(d.as_str()) else {
                return Err(err(trf("managed.unknown_destination", &[("dest", d)])));
            };
            if !spec.profiles.is_empty() {
                return Err(err(trf("managed.destination_has_profiles", &[("dest", d)])));
            }
            if let Some(other) = owner.insert(d.as_str(), u.name.as_str()) {
                return Err(err(trf(
                    "managed.destination_shared",
                    &[("dest", d), ("other", &other)],
                )));
            }
        }
        if let Some(a) = &u.account {
            if !valid_account(a) {
                return Err(err(tr("managed.bad_account").into()));
            }
        }
        if let Some(r) = &u.role_arn {
            match role_arn_account(r) {
                None => return Err(err(tr("managed.bad_role_arn").into())),
                Some(ra) if u.account.as_deref().is_some_and(|a| a != ra) => {
                    return Err(err(tr("managed.role_other_account").into()))
                }
                Some(_) => {}
            }
        }
        let dur = |v: &Option<String>, what: &str| -> Result<Option<Duration>, (String, String)> {
            v.as_deref()
                .map(|s| {
                    crate::duration::parse_duration_max(s, what, crate::duration::MAX_AGE)
                        .map_err(|e| err(e.0))
                })
                .transpose()
        };
        out.push(ManagedUser {
            max_age: dur(&u.max_age, "max_age")?,
            drain_grace: dur(&u.drain_grace, "drain_grace")?,
            drain_max: dur(&u.drain_max, "drain_max")?,
            spec: u.clone(),
        });
    }
    Ok(out)
}

/// The destinations named by some managed user: never written for a
/// profile, whatever their `profiles` say (validation refuses both).
pub fn managed_destinations(users: &[ManagedUser]) -> BTreeSet<&str> {
    users
        .iter()
        .flat_map(|u| u.spec.destinations.iter().map(String::as_str))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dests(text: &str) -> Vec<DestinationSpec> {
        #[derive(Deserialize)]
        struct F {
            destinations: Vec<DestinationSpec>,
        }
        toml::from_str::<F>(text).unwrap().destinations
    }

    fn users(text: &str) -> Vec<UserSpec> {
        #[derive(Deserialize)]
        struct F {
            users: Vec<UserSpec>,
        }
        toml::from_str::<F>(text).unwrap().users
    }

    const DESTS: &str = r#"
[[destinations]]
name = "ci-env"
type = "dotenv"
path = "/srv/ci/.env"
[[destinations]]
name = "dev-env"
type = "dotenv"
profiles = ["dev"]
path = "/srv/dev/.env"
[[destinations]]
name = "other-env"
type = "dotenv"
path = "/srv/other/.env"
"#;

    #[test]
    fn a_full_entry_is_read_and_checked() {
        let u = users(
            r#"
[[users]]
name = "ci-deployer"
destinations = ["ci-env"]
account = "111111111111"
role_arn = "arn:aws:iam::111111111111:role/keyturn-operator"
max_age = "60d"
retire = "deactivate"
drain_grace = "6h"
drain_max = "7d"
delete_inactive = true
"#,
        );
        let m = validate_all(&u, &dests(DESTS)).unwrap();
        assert_eq!(m[0].max_age, Some(Duration::from_secs(60 * 86_400)));
        assert_eq!(m[0].drain_grace, Some(Duration::from_secs(6 * 3600)));
        assert!(m[0].spec.delete_inactive && !m[0].spec.delete_other_active);
        assert_eq!(
            managed_destinations(&m).into_iter().collect::<Vec<_>>(),
            ["ci-env"]
        );
    }

    #[test]
    fn each_mistake_names_the_user_and_the_reason() {
        let cases: [(&str, String); 6] = [
            ("name = \"bad name!\"", tr("managed.bad_name").into()),
            (
                "name = \"u\"\ndestinations = [\"nope\"]",
                trf("managed.unknown_destination", &[("dest", &"nope")]),
            ),
            (
                "name = \"u\"\ndestinations = [\"dev-env\"]",
                trf("managed.destination_has_profiles", &[("dest", &"dev-env")]),
            ),
            ("name = \"u\"\naccount = \"12\"", tr("managed.bad_account").into()),
            (
                "name = \"u\"\nrole_arn = \"arn:aws:iam::111111111111:user/x\"",
                tr("managed.bad_role_arn").into(),
            ),
            (
                "name = \"u\"\naccount = \"222222222222\"\nrole_arn = \"arn:aws:iam::111111111111:role/x\"",
                tr("managed.role_other_account").into(),
            ),
        ];
        for (body, want) in cases {
            let u = users(&format!("[[users]]\n{body}\n"));
            let (name, why) = validate_all(&u, &dests(DESTS)).unwrap_err();
            assert!(!name.is_empty());
            assert_eq!(why, want, "{body}");
        }
        let u = users("[[users]]\nname = \"u\"\nmax_age = \"soon\"\n");
        assert!(validate_all(&u, &dests(DESTS)).is_err());
    }

    #[test]
    fn a_destination_serves_one_user_and_names_are_unique_per_account() {
        let u = users(
            "[[users]]\nname = \"a\"\ndestinations = [\"ci-env\"]\n[[users]]\nname = \"b\"\ndestinations = [\"ci-env\"]\n",
        );
        let (name, _) = validate_all(&u, &dests(DESTS)).unwrap_err();
        assert_eq!(name, "b");
        let u = users("[[users]]\nname = \"a\"\n[[users]]\nname = \"a\"\n");
        assert!(validate_all(&u, &dests(DESTS)).is_err());
        let u =
            users("[[users]]\nname = \"a\"\n[[users]]\nname = \"a\"\naccount = \"111111111111\"\n");
        assert!(
            validate_all(&u, &dests(DESTS)).is_ok(),
            "same name, other account"
        );
    }

    #[test]
    fn unknown_fields_are_refused() {
        let r: Result<UserSpec, _> = toml::from_str("name = \"a\"\nbogus = 1\n");
        assert!(r.is_err());
    }
}
