//! The destinations step of the state machine (issue 19): after the new
//! key is verified and before the hooks and the old key's retirement,
//! each destination serving the profile gets the new pair and is
//! confirmed to hold it; the old key is retired only once every one is.
//!
//! Progress is in the journal, per destination ([`DestProgress`]; the
//! recovery rule of each [`DestState`] is beside it): `Pending` →
//! `Writing` (persisted before the request, so a crash mid-write is
//! known to have maybe written) → `Written` → `Confirmed`. A rerun
//! (`recover`, `rotate --resume`) redoes only what is not `Confirmed`;
//! writes are idempotent, so redoing one whose reply was lost is safe.
//!
//! A failure stops with both keys live and says which destinations hold
//! which pair (`--on-destination-failure stop`), or asks for a rollback
//! (`rollback`): [`Ctx::restore_dests`] writes the old pair back to each
//! destination that may hold the new one, before the home is restored
//! and the new key deleted.
//!
//! Preflight ([`Ctx::preflight_dests`]) runs before the journal exists:
//! any failure refuses the rotation with nothing changed.

use super::*;
use crate::dest::{
    self, Dest, DestError, DestProgress, DestReport, DestState, Destination, DestinationSpec, Pair,
};

impl<A: Aws> Ctx<'_, A> {
    /// The destinations a new rotation of `profile` writes, all pending,
    /// each with the region it is written in when it names none: its
    /// signing profile's as the AWS CLI resolves it ([`dest::default_region`];
    /// `profile_region` is the rotated profile's `region` setting),
    /// else `fallback` (the partition's region, where IAM is signed).
    pub(super) fn dests_for(
        &self,
        profile: &str,
        profile_region: Option<&str>,
        fallback: &str,
    ) -> Vec<DestProgress> {
        self.dests_where(|d| d.serves(profile), profile_region, fallback)
    }

    /// [`Self::dests_for`] for the destinations `pick` chooses (admin
    /// mode: those a `[[users]]` entry names, in the settings' order).
    pub(super) fn dests_where(
        &self,
        pick: impl Fn(&DestinationSpec) -> bool,
        profile_region: Option<&str>,
        fallback: &str,
    ) -> Vec<DestProgress> {
        let dests: Vec<&DestinationSpec> = self.s.destinations.iter().filter(|d| pick(d)).collect();
        // A destination's own profile: its region from the files, read
        // once (unreadable files: no region setting, as for a profile
        // that has none; the signing itself then says what is wrong).
        let loaded = if dests.iter().any(|d| d.aws_profile().is_some()) {
            crate::home::files::load(self.paths).ok()
        } else {
            None
        };
        let own_region = |p: &str| {
            let l = loaded.as_ref()?;
            crate::profile::setting(&l.files(self.paths), p, "region")
        };
        dests
            .into_iter()
            .map(|spec| {
                let region = match spec.aws_profile() {
                    Some(p) => own_region(p),
                    None => profile_region.map(str::to_string),
                };
                DestProgress {
                    spec: spec.clone(),
                    state: DestState::Pending,
                    mark: None,
                    region: Some(dest::default_region(
                        &self.s.dest_env,
                        region.as_deref(),
                        fallback,
                    )),
                }
            })
            .collect()
    }

    /// What every call on `spec` gets; `signer` signs the AWS types
    /// without a `profile`; `key_id` is the key being written (part of
    /// the idempotency token, so a rollback's write is a new request).
    fn dest_ctx<'c>(
        &'c self,
        j_started: u64,
        profile: &str,
        region: &'c str,
        spec: &DestinationSpec,
        signer: &'c Creds,
        key_id: &str,
    ) -> dest::Ctx<'c> {
        dest::Ctx {
            env: &self.s.dest_env,
            endpoint: &self.s.dest_endpoint,
            signer: Some(signer),
            aws_files: Some((&self.paths.credentials, &self.paths.config)),
            region,
            request_token: request_token(j_started, profile, &spec.name, key_id),
            keep_backups: self.s.keep_backups,
            lock_wait: self.s.lock_wait,
        }
    }

    /// Preflight of every destination serving `profile`, signing with its
    /// current key. Changes nothing. Returns each one's report (the error
    /// in it when it failed).
    pub(super) async fn preflight_dests(
        &self,
        profile: &str,
        old: &Creds,
        dests: &[DestProgress],
    ) -> Vec<DestReport> {
        let mut out = Vec::new();
        for p in dests {
            let d = Dest::open(&p.spec);
            self.ui.step(
                profile,
                &trf("step.dest_preflight", &[("dest", &d.describe())]),
            );
            let region = p.region.as_deref().unwrap_or(&old.region);
            let cx = self.dest_ctx(0, profile, region, &p.spec, old, &old.access_key_id);
            let mut r = DestReport::of(p);
            r.state = match d.preflight(&cx).await {
                Ok(()) => "ready",
                Err(e) => {
                    r.error = Some(e.to_string());
                    "refused"
                }
            };
            out.push(r);
        }
        out
    }

    /// `Verified`, some destination not `Confirmed` → all `Confirmed`.
    /// A failure: `stop` → Err([`RotateError::DestinationFailed`], both
    /// keys live, the journal kept); `rollback` → Ok(Err(reason)).
    pub(super) async fn dests_step(
        &self,
        j: &mut Journal,
        new: &Creds,
    ) -> Result<Result<(), String>, RotateError> {
        for i in 0..j.destinations.len() {
            if j.destinations[i].state == DestState::Confirmed {
                continue;
            }
            let Err(e) = self.carry(j, i, new).await? else {
                continue;
            };
            // Admin mode cannot put the old pair back (keyturn never had
            // its secret): a failed destination always stops, both keys live.
            if self.s.on_destination_failure == OnDestinationFailure::Rollback
                && j.home.managed().is_none()
            {
                return Ok(Err(e.to_string()));
            }
            return Err(RotateError::DestinationFailed {
                detail: trf(
                    "detail.dest_failed",
                    &[
                        ("error", &e),
                        ("states", &states_text(j)),
                        ("new", &mask(&new.access_key_id)),
                        ("old", &mask(&j.old_key_id)),
                        ("profile", &j.profile),
                    ],
                ),
                profile: j.profile.clone(),
            });
        }
        Ok(Ok(()))
    }

    /// Destination `i` to `Confirmed`: confirm first when it may already
    /// hold the new pair (a rerun), else write (journaled `Writing`
    /// before the request) and confirm.
    async fn carry(
        &self,
        j: &mut Journal,
        i: usize,
        new: &Creds,
    ) -> Result<Result<(), DestError>, RotateError> {
        let spec = j.destinations[i].spec.clone();
        let region = j.destinations[i].region.clone();
        let d = Dest::open(&spec);
        // Admin mode: the AWS types sign as the operator (the service
        // user's own key usually may do nothing), unless they name a profile.
        let operator = self.managed_signer(j).await?;
        let cx = self.dest_ctx(
            j.started_at,
            &j.profile,
            region.as_deref().unwrap_or(&new.region),
            &spec,
            operator.as_ref().unwrap_or(new),
            &new.access_key_id,
        );
        let pair = Pair::of(&spec, &new.access_key_id, &new.secret);
        self.ui.step(
            &j.profile,
            &trf("step.dest_write", &[("dest", &d.describe())]),
        );
        if j.destinations[i].state.may_hold_new() {
            match d.confirm(&cx, &pair, &j.destinations[i].mark).await {
                Ok(true) => return self.dest_state(j, i, DestState::Confirmed).await.map(Ok),
                Ok(false) => {}
                Err(e) => return Ok(Err(e)),
            }
        }
        self.dest_state(j, i, DestState::Writing).await?;
        failpoint("before-destination-write");
        let mark = match d.write(&cx, &pair).await {
            Ok(m) => m,
            Err(e) => {
                // Certainly not written: it still holds what it held, and
                // a rollback need not restore it.
                if e.nothing_written() {
                    self.dest_state(j, i, DestState::Pending).await?;
                }
                return Ok(Err(e));
            }
        };
        j.destinations[i].mark = mark;
        self.dest_state(j, i, DestState::Written).await?;
        failpoint("after-destination-write");
        match d.confirm(&cx, &pair, &j.destinations[i].mark).await {
            Ok(true) => {}
            Ok(false) => {
                return Ok(Err(DestError::Invalid {
                    dest: d.describe(),
                    detail: tr("dest.not_confirmed").into(),
                }))
            }
            Err(e) => return Ok(Err(e)),
        }
        self.dest_state(j, i, DestState::Confirmed).await?;
        failpoint("after-destination-confirm");
        Ok(Ok(()))
    }

    /// Admin mode's signer for the destinations: the operator (for the
    /// user's role, if any). None for a profile's rotation.
    pub(super) async fn managed_signer(&self, j: &Journal) -> Result<Option<Creds>, RotateError> {
        let Some(m) = j.home.managed() else {
            return Ok(None);
        };
        self.aws
            .operator_creds(m.role_arn.as_deref(), &j.region)
            .await
            .map(Some)
            .map_err(aws_error(&j.profile, "operator credentials"))
    }

    async fn dest_state(&self, j: &mut Journal, i: usize, s: DestState) -> Result<(), RotateError> {
        j.destinations[i].state = s;
        persist(j).await
    }

    /// Part of a rollback (`RollingBack`), before the home is restored:
    /// the old pair back in every destination that may hold the new one,
    /// each `Restored` once written. Signs with the old key (alive until
    /// the rollback ends). Idempotent; Err keeps the journal for a rerun.
    pub(super) async fn restore_dests(&self, j: &mut Journal) -> Result<(), RotateError> {
        let old = j.old_creds();
        for i in 0..j.destinations.len() {
            if !j.destinations[i].state.may_hold_new() {
                continue;
            }
            if j.home.managed().is_some() {
                // Never reached: admin mode stops on a failed destination
                // instead of rolling back. Refuse rather than write a pair
                // whose secret keyturn never had.
                return Err(RotateError::DestinationFailed {
                    profile: j.profile.clone(),
                    detail: trf(
                        "detail.dest_restore_failed",
                        &[
                            ("error", &tr("managed.no_old_secret")),
                            ("states", &states_text(j)),
                        ],
                    ),
                });
            }
            let spec = j.destinations[i].spec.clone();
            let region = j.destinations[i].region.clone();
            let d = Dest::open(&spec);
            self.ui.step(
                &j.profile,
                &trf("step.dest_restore", &[("dest", &d.describe())]),
            );
            let cx = self.dest_ctx(
                j.started_at,
                &j.profile,
                region.as_deref().unwrap_or(&old.region),
                &spec,
                &old,
                &old.access_key_id,
            );
            let pair = Pair::of(&spec, &old.access_key_id, &old.secret);
            d.write(&cx, &pair)
                .await
                .map_err(|e| RotateError::DestinationFailed {
                    profile: j.profile.clone(),
                    detail: trf(
                        "detail.dest_restore_failed",
                        &[("error", &e), ("states", &states_text(j))],
                    ),
                })?;
            self.dest_state(j, i, DestState::Restored).await?;
        }
        Ok(())
    }
}

/// The journal's destinations as reports show them.
pub(crate) fn dest_reports(j: &Journal) -> Vec<DestReport> {
    j.destinations.iter().map(DestReport::of).collect()
}

/// Which pair each destination holds, in words, for a failure message.
fn states_text(j: &Journal) -> String {
    j.destinations
        .iter()
        .map(|d| {
            let what = match d.state {
                DestState::Confirmed => tr("dest.holds_new"),
                DestState::Pending | DestState::Restored => tr("dest.holds_old"),
                DestState::Writing | DestState::Written => tr("dest.holds_either"),
            };
            format!("{} ({what})", d.spec.name)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A token that is the same for every write of one pair to one
/// destination in one rotation, and differs otherwise (Secrets Manager's
/// `ClientRequestToken`: 32-64 characters). No secret goes into it.
fn request_token(started_at: u64, profile: &str, dest: &str, key_id: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [&started_at.to_string(), profile, dest, key_id] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    let digest = h.finalize();
    let hex: String = digest.iter().take(20).map(|b| format!("{b:02x}")).collect();
    format!("keyturn-{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_tokens_are_stable_and_distinct() {
        let a = request_token(1, "dev", "app", "AKIANEW");
        assert_eq!(a, request_token(1, "dev", "app", "AKIANEW"));
        assert_ne!(a, request_token(1, "dev", "app", "AKIAOLD"));
        assert_ne!(a, request_token(2, "dev", "app", "AKIANEW"));
        assert!((32..=64).contains(&a.len()), "{}", a.len());
    }
}
