//! Admin mode (issue 20): `rotate --user NAME` and `rotate --managed`
//! rotate a managed user's key (a `[[users]]` entry: a CI deployer, an
//! integration) signed by an operator, writing the new pair only to the
//! user's destinations.
//!
//! The same state machine as a profile's rotation, through the same
//! states and recovery rules; only who signs and where the key lives
//! differ, and both are read from the journal's home
//! ([`crate::home::managed`]):
//! - IAM calls (list, create, orphans, retire) and the AWS destinations
//!   sign as the operator ([`Aws::operator_creds`], the entry's `role_arn`
//!   assumed with it), never with the rotated key;
//! - verification signs STS GetCallerIdentity with the new pair (no IAM
//!   permission needed), polling while it propagates;
//! - no local file is written; the journal (no operator credential in
//!   it, ever) lives in `$XDG_STATE_HOME/keyturn/journal/`;
//! - the old secret is never known (it is only in the destinations), so
//!   a failed destination always stops with both keys live
//!   (`rotate --user` again finishes), never rolls back;
//! - the old key is retired by the user's `retire`, else a `retire` the
//!   run named (`--retire`, `[defaults] retire`), else `drain` (issue 20:
//!   a service user's consumers are out of sight, so its old key goes
//!   only once IAM shows nothing uses it), chosen in [`retire_policy`]
//!   alone; the entry's `drain_grace`/`drain_max` override the run's
//!   ([`user_settings`]). A managed user's drain record lives in the
//!   state folder (`drain/`, see [`super::drains`]) and every admin-mode
//!   run advances it, signed by the operator.
//!
//! A user's interrupted rotation is finished first (under its lock), and
//! a user is never rotated twice in a run.

use super::*;
use crate::home::managed::{ManagedHome, ManagedLocator, ManagedRef};
use crate::managed::ManagedUser;

/// One managed user's result: its label and what happened.
pub type UserOutcome = (String, Result<Outcome, RotateError>);

/// The name a managed user is shown and journaled under: the IAM user,
/// with its account when the entry names one.
pub fn label(u: &ManagedUser) -> String {
    match &u.spec.account {
        Some(a) => format!("{}@{a}", u.spec.name),
        None => u.spec.name.clone(),
    }
}

/// How the old key of a managed user is retired: the entry's `retire`,
/// else the run's when it was named (`--retire`, `[defaults] retire`),
/// else `drain`. The one place the policy is chosen.
pub fn retire_policy(u: &ManagedUser, s: &Settings) -> Retire {
    match (u.spec.retire, s.retire_named) {
        (Some(r), _) => r,
        (None, true) => s.retire,
        (None, false) => Retire::Drain,
    }
}

/// The run's settings for one managed user: its entry's `drain_grace` /
/// `drain_max` over the run's (the drain record keeps them from then on).
pub fn user_settings(u: &ManagedUser, s: &Settings) -> Settings {
    let mut out = s.clone();
    if let Some(g) = u.drain_grace {
        out.drain.grace_s = g.as_secs();
    }
    if let Some(m) = u.drain_max {
        out.drain.max_s = m.as_secs();
    }
    out
}

/// The `[[users]]` entry a journal or drain record belongs to (by user
/// name and account), if the settings still have it.
pub fn entry_for<'u>(
    users: &'u [ManagedUser],
    user: &str,
    account: Option<&str>,
) -> Option<&'u ManagedUser> {
    users
        .iter()
        .find(|u| u.spec.name == user && u.spec.account.as_deref() == account)
}

/// Rotates each user (concurrently, at most `--jobs` rotations and
/// `--jobs` requests in flight), in the order given.
pub async fn rotate_users<A: Aws>(
    cx: &Ctx<'_, A>,
    users: &[ManagedUser],
    state_dir: &Path,
) -> Result<Vec<UserOutcome>, RotateError> {
    let jobs = cx.s.jobs.max(1);
    let whole_calls = if cx.aws.bound_in_flight(jobs) {
        tokio::sync::Semaphore::MAX_PERMITS
    } else {
        jobs
    };
    let limited = batch::Limited {
        inner: cx.aws,
        permits: tokio::sync::Semaphore::new(whole_calls),
    };
    let cx = &Ctx {
        aws: &limited,
        ui: cx.ui,
        paths: cx.paths,
        s: cx.s,
        locks: cx.locks,
        mfa: cx.mfa,
    };
    if !cx.s.dry_run {
        store::ensure_private_dir(state_dir)?;
    }
    Ok(stream::iter(users.iter().map(|u| async move {
        let s = user_settings(u, cx.s);
        let ucx = Ctx { s: &s, ..*cx };
        (label(u), ucx.rotate_user(u, state_dir).await)
    }))
    .buffered(jobs)
    .collect()
    .await)
}

impl<A: Aws> Ctx<'_, A> {
    async fn rotate_user(&self, u: &ManagedUser, state_dir: &Path) -> Result<Outcome, RotateError> {
        let label = label(u);
        let home = ManagedHome {
            r: ManagedRef {
                managed: ManagedLocator {
                    user: u.spec.name.clone(),
                    role_arn: u.spec.role_arn.clone(),
                    state_dir: state_dir.to_path_buf(),
                },
            },
            lock_wait: self.s.lock_wait,
        };
        if !self.s.dry_run {
            // An interrupted rotation of this user first (it takes the
            // user's lock itself); finished forward, that is this run's.
            let found = journals_in(&[state_dir.to_path_buf()])?
                .into_iter()
                .map(|(_, j)| j)
                // By name alone: a journal begun under another `role_arn`
                // is still this user's, finished as it began (a new one
                // would take its file).
                .find(|j| j.profile == label && j.home.managed().is_some());
            if let Some(j) = found {
                if let Some(summary) = self.recover_journal(j).await? {
                    return Ok(Outcome::Rotated(summary));
                }
            }
        }
        let _lock = if self.s.dry_run {
            None
        } else {
            Some(home.lock()?)
        };
        match self.prepare_user(u, &label, &home).await? {
            Prepared::Created(b) => {
                let (j, iam) = *b;
                self.forward(j, &iam, false).await.map(Outcome::Rotated)
            }
            Prepared::Planned(p) => Ok(Outcome::Planned(p)),
            Prepared::Fresh(f) => Ok(Outcome::Fresh(f)),
        }
    }

    /// Everything up to a durably journaled new key (`Created`), or the
    /// plan, or "fresh": [`Ctx::prepare`] with the operator signing.
    async fn prepare_user(
        &self,
        u: &ManagedUser,
        label: &str,
        home: &ManagedHome,
    ) -> Result<Prepared, RotateError> {
        let user = u.spec.name.clone();
        let aws_err = |step| aws_error(label, step);
        let region = partition_region(partition_of_region(None));
        self.ui.step(label, tr("step.operator"));
        let iam = self
            .aws
            .operator_creds(u.spec.role_arn.as_deref(), region)
            .await
            .map_err(aws_err("operator credentials"))?;
        if !self.s.dry_run {
            self.sweep_user_attempts(label, &home.r.state_dir(), &iam)
                .await?;
        }
        self.ui.step(label, tr("step.list_keys"));
        let keys = self
            .aws
            .list_access_keys(&iam, &user)
            .await
            .map_err(aws_err("IAM ListAccessKeys"))?;
        let user_arn = self
            .aws
            .user_arn(&iam, &user)
            .await
            .map_err(aws_err("IAM GetUser"))?;
        // The key in use: the newest Active one (a second Active key is
        // the two-key case below).
        let Some(current) = keys
            .iter()
            .filter(|k| k.active)
            .max_by_key(|k| k.created.unwrap_or(i64::MIN))
        else {
            return Err(RotateError::NoActiveKey {
                profile: label.to_string(),
                user,
            });
        };
        if let Some(fresh) = fresh_key(label, current, u.max_age.or(self.s.max_age)) {
            return Ok(Prepared::Fresh(fresh));
        }
        let to_delete = self
            .room_for(
                label,
                &user,
                &keys,
                &current.id,
                &iam,
                self.s.yes || u.spec.delete_inactive,
                self.s.delete_other_active || u.spec.delete_other_active,
            )
            .await?;
        let dests = self.dests_where(|d| u.spec.destinations.contains(&d.name), None, region);
        let destinations = self.preflight_dests(label, &iam, &dests).await;
        let retire = retire_policy(u, self.s);
        if self.s.dry_run {
            return Ok(Prepared::Planned(Plan {
                profile: label.to_string(),
                user_arn,
                old_key_id: current.id.clone(),
                would_delete: to_delete,
                retire,
                drain_until: drain_until(retire, self.s),
                updated: Vec::new(),
                destinations,
            }));
        }
        if let Some(detail) = destinations.iter().find_map(|d| d.error.clone()) {
            return Err(RotateError::DestinationRefused {
                profile: label.to_string(),
                detail,
            });
        }
        self.make_room(label, &user, &to_delete, &iam).await?;
        let j = Journal {
            version: 1,
            state: State::Started,
            profile: label.to_string(),
            home: home.locator(),
            user_arn,
            user_name: user.clone(),
            region: region.to_string(),
            mfa_serial: None,
            retire,
            started_at: now_secs(),
            old_key_id: current.id.clone(),
            // Never known in admin mode: the old secret is only in the
            // destinations (see the module doc).
            old_secret: Secret::new(""),
            keys_before: vec![current.id.clone()],
            new_key_id: None,
            new_secret: None,
            rollback_reason: None,
            // Hooks serve profiles; a managed user has none.
            hooks_done: true,
            create_attempts: Vec::new(),
            destinations: dests,
        };
        self.start_and_create(j, iam).await
    }
}

/// Finishes or undoes every interrupted admin-mode rotation journaled in
/// `state_dir` (`keyturn recover`), signed by the operator.
/// A journal whose entry is still in `users` finishes with the entry's
/// drain limits (see [`user_settings`]).
pub async fn recover_managed<A: Aws>(
    cx: &Ctx<'_, A>,
    users: &[ManagedUser],
    state_dir: &Path,
) -> Result<Vec<(String, Result<Recovered, RotateError>)>, RotateError> {
    sweep_managed_attempts(cx, users, state_dir).await;
    let mut out = Vec::new();
    for (_, j) in journals_in(&[state_dir.to_path_buf()])? {
        if j.home.managed().is_none() {
            continue;
        }
        let label = j.profile.clone();
        let s = match entry_for(users, &j.user_name, journal_account(&j)) {
            Some(u) => user_settings(u, cx.s),
            None => cx.s.clone(),
        };
        let ucx = Ctx { s: &s, ..*cx };
        let r = ucx.recover_journal(j).await.map(|r| match r {
            Some(summary) => Recovered::Finished(summary),
            None => Recovered::Undone,
        });
        out.push((label, r));
    }
    Ok(out)
}

/// `recover`'s share of the late-key sweep in admin mode (`rotate
/// --user` does its user's in [`Ctx::prepare_user`]): every managed
/// user's attempt record in the state folder, each under its user's lock
/// and signed by the operator through the user's entry (its `role_arn`).
/// A record whose entry is gone is left for a run that can reach the user,
/// with a warning. Best effort, as for profiles: a failure is a warning
/// and the record stays for the next run.
async fn sweep_managed_attempts<A: Aws>(cx: &Ctx<'_, A>, users: &[ManagedUser], state_dir: &Path) {
    let region = partition_region(partition_of_region(None));
    for path in store::list_private(&attempt_dir(state_dir), ".attempt").unwrap_or_default() {
        let Some(a) = read_attempt(&path) else {
            continue;
        };
        let account = a
            .profile
            .strip_prefix(a.user_name.as_str())
            .and_then(|rest| rest.strip_prefix('@'));
        let Some(u) = entry_for(users, &a.user_name, account) else {
            cx.ui.warn(&trf(
                "managed.attempt_without_entry",
                &[("user", &a.profile), ("path", &path.display())],
            ));
            continue;
        };
        let home = ManagedHome {
            r: ManagedRef {
                managed: ManagedLocator {
                    user: u.spec.name.clone(),
                    role_arn: u.spec.role_arn.clone(),
                    state_dir: state_dir.to_path_buf(),
                },
            },
            lock_wait: cx.s.lock_wait,
        };
        let swept = async {
            let _lock = home.lock()?;
            let iam = cx
                .aws
                .operator_creds(u.spec.role_arn.as_deref(), region)
                .await
                .map_err(aws_error(&a.profile, "operator credentials"))?;
            cx.sweep_user_attempts(&a.profile, state_dir, &iam).await
        };
        if let Err(e) = swept.await {
            cx.ui.warn(&e.to_string());
        }
    }
}

impl<A: Aws> Ctx<'_, A> {
    /// Keys an earlier run's unanswered CreateAccessKey made after that
    /// run gave up (its journal gone, its attempt record left in the
    /// state folder): deleted, signed by the operator, as [`sweep_attempts`]
    /// does for profiles. Only a key tied to one window alone goes.
    async fn sweep_user_attempts(
        &self,
        label: &str,
        state_dir: &Path,
        iam: &Creds,
    ) -> Result<(), RotateError> {
        let path = attempt_path_in(state_dir, label);
        let Some(mut a) = read_attempt(&path) else {
            return Ok(());
        };
        let keys = self
            .aws
            .list_access_keys(iam, &a.user_name)
            .await
            .map_err(aws_error(label, "IAM ListAccessKeys"))?;
        let settled = sweep_keys(self, &a, iam, &keys, None, true).await?;
        let now = now_secs();
        a.windows.retain(|w| !settled.contains(w) && now <= w.1);
        if a.windows.is_empty() {
            let _ = store::remove_private(&path);
        } else if !settled.is_empty() {
            if let Ok(bytes) = serde_json::to_vec_pretty(&a) {
                let _ = store::write_private(&path, &bytes);
            }
        }
        Ok(())
    }
}

/// The account of a managed user's journal: its label is `user@account`
/// when the entry names one ([`label`]).
pub fn journal_account(j: &Journal) -> Option<&str> {
    j.profile
        .strip_prefix(j.user_name.as_str())
        .and_then(|rest| rest.strip_prefix('@'))
}

/// `--dry-run` under `drain`: the earliest the old key could be
/// deactivated (RFC 3339), were the destinations written now and the key
/// never used again.
pub fn drain_until(retire: Retire, s: &Settings) -> Option<String> {
    (retire == Retire::Drain)
        .then(|| crate::util::time::rfc3339(crate::drain::now().saturating_add(s.drain.grace_s)))
}

/// `--max-age` (or the entry's `max_age`): the key is younger, nothing to do.
fn fresh_key(label: &str, k: &crate::aws::KeyMeta, max: Option<Duration>) -> Option<Fresh> {
    let (max, created) = (max?, k.created?);
    let age = now_secs().saturating_sub(u64::try_from(created).unwrap_or(0));
    (age < max.as_secs()).then(|| Fresh {
        profile: label.to_string(),
        key_id: k.id.clone(),
        age_days: age / 86_400,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::managed::UserSpec;

    fn user(toml_text: &str) -> ManagedUser {
        let spec: UserSpec = toml::from_str(toml_text).unwrap();
        let secs = |v: &Option<String>| {
            v.as_deref()
                .map(|d| crate::duration::parse_duration(d).unwrap())
        };
        ManagedUser {
            max_age: None,
            drain_grace: secs(&spec.drain_grace),
            drain_max: secs(&spec.drain_max),
            spec,
        }
    }

    #[test]
    fn drain_is_the_default_unless_the_entry_or_the_run_names_a_policy() {
        let plain = user("name = \"u\"");
        let s = Settings::default();
        assert_eq!(retire_policy(&plain, &s), Retire::Drain);
        let named = Settings {
            retire: Retire::Delete,
            retire_named: true,
            ..Settings::default()
        };
        assert_eq!(retire_policy(&plain, &named), Retire::Delete);
        let entry = user("name = \"u\"\nretire = \"deactivate\"");
        assert_eq!(retire_policy(&entry, &named), Retire::Deactivate);
        assert_eq!(retire_policy(&entry, &s), Retire::Deactivate);
    }

    #[test]
    fn the_entry_s_drain_limits_override_the_run_s() {
        let s = Settings::default();
        let u = user("name = \"u\"\ndrain_grace = \"6h\"");
        let us = user_settings(&u, &s);
        assert_eq!(us.drain.grace_s, 6 * 3600);
        assert_eq!(us.drain.max_s, s.drain.max_s);
        let u = user("name = \"u\"\ndrain_max = \"2d\"");
        assert_eq!(user_settings(&u, &s).drain.max_s, 2 * 86_400);
    }

    #[test]
    fn entries_are_found_by_name_and_account() {
        let users = [
            user("name = \"u\""),
            user("name = \"u\"\naccount = \"111111111111\""),
        ];
        assert_eq!(
            entry_for(&users, "u", Some("111111111111")).map(label),
            Some("u@111111111111".into())
        );
        assert_eq!(entry_for(&users, "u", None).map(label), Some("u".into()));
        assert!(entry_for(&users, "u", Some("222222222222")).is_none());
        assert!(entry_for(&users, "v", None).is_none());
    }
}
