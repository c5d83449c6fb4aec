//! Running many profiles: recover interrupted rotations first, resolve
//! each profile's home, one rotation per distinct key, rounds so each IAM
//! user has at most one rotation in flight, one write per home file per
//! round; `--jobs` bounds requests in flight ([`Limited`]).

use super::*;
use std::collections::HashMap;

/// `--jobs` bounds requests in flight, not rotations: every AWS call of a
/// fleet run holds a permit only while it is on the wire, so a rotation
/// waiting for its key to propagate leaves room for the others. Where the
/// client can count HTTP attempts itself ([`Aws::bound_in_flight`], the
/// SDK) the permits here are unbounded and the bound sits there instead,
/// so an SDK retry's backoff after a throttle holds no slot either.
pub(crate) struct Limited<'a, A> {
    pub(super) inner: &'a A,
    pub(super) permits: tokio::sync::Semaphore,
}

impl<A: Aws> Limited<'_, A> {
    pub(crate) async fn permit(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        // Never closed; a closed semaphore would only lift the bound.
        self.permits.acquire().await.ok()
    }
}

impl<A: Aws> Aws for Limited<'_, A> {
    async fn caller_identity(&self, c: &Creds) -> Result<crate::aws::Identity, AwsError> {
        let _p = self.permit().await;
        self.inner.caller_identity(c).await
    }
    async fn list_access_keys(
        &self,
        c: &Creds,
        user: &str,
    ) -> Result<Vec<crate::aws::KeyMeta>, AwsError> {
        let _p = self.permit().await;
        self.inner.list_access_keys(c, user).await
    }
    async fn create_access_key(
        &self,
        c: &Creds,
        user: &str,
    ) -> Result<crate::aws::NewKey, AwsError> {
        let _p = self.permit().await;
        self.inner.create_access_key(c, user).await
    }
    async fn delete_access_key(&self, c: &Creds, user: &str, id: &str) -> Result<(), AwsError> {
        let _p = self.permit().await;
        self.inner.delete_access_key(c, user, id).await
    }
    async fn set_key_active(
        &self,
        c: &Creds,
        user: &str,
        id: &str,
        active: bool,
    ) -> Result<(), AwsError> {
        let _p = self.permit().await;
        self.inner.set_key_active(c, user, id, active).await
    }
    async fn key_last_used(&self, c: &Creds, id: &str) -> Result<LastUsed, AwsError> {
        let _p = self.permit().await;
        self.inner.key_last_used(c, id).await
    }
    async fn session_token(&self, c: &Creds, serial: &str, code: &str) -> Result<Creds, AwsError> {
        let _p = self.permit().await;
        self.inner.session_token(c, serial, code).await
    }
    async fn mfa_devices(&self, c: &Creds, user: &str) -> Result<Vec<String>, AwsError> {
        let _p = self.permit().await;
        self.inner.mfa_devices(c, user).await
    }
    async fn operator_creds(&self, role: Option<&str>, region: &str) -> Result<Creds, AwsError> {
        // The chain's own requests go through the SDK's bounded client.
        self.inner.operator_creds(role, region).await
    }
    async fn user_arn(&self, c: &Creds, user: &str) -> Result<String, AwsError> {
        let _p = self.permit().await;
        self.inner.user_arn(c, user).await
    }
    fn bound_in_flight(&self, n: usize) -> bool {
        self.inner.bound_in_flight(n)
    }
}

/// Rotates one profile (see [`rotate_many`]).
pub async fn rotate<A: Aws>(cx: &Ctx<'_, A>, profile: &str) -> Result<Outcome, RotateError> {
    let mut out = rotate_many(cx, &[profile.to_string()]).await?;
    match out.pop() {
        Some((_, r)) => r,
        None => Err(RotateError::Stuck {
            profile: profile.to_string(),
            detail: tr("detail.no_result").into(),
        }),
    }
}

/// One result per profile, in the order asked.
pub type Results = Vec<(String, Result<Outcome, RotateError>)>;

/// Each profile's result so far.
type Done = HashMap<String, Result<Outcome, RotateError>>;

/// The rotations of one round: at most one per IAM user.
type Round<'h> = Vec<(Found<'h>, Identified)>;

/// Rotates several profiles: first finishes or undoes any interrupted
/// rotation of them (or of the key they hold), and does not rotate those a
/// second time; then one rotation per distinct key, keys of distinct IAM
/// users concurrently (`--jobs`), every new pair written to each file in
/// one lock-read-write cycle. The caller holds the file locks.
pub async fn rotate_many<A: Aws>(
    cx: &Ctx<'_, A>,
    profiles: &[String],
) -> Result<Results, RotateError> {
    // Bounded per HTTP attempt where the client can (the SDK), else per call.
    let whole_calls = if cx.aws.bound_in_flight(cx.s.jobs.max(1)) {
        tokio::sync::Semaphore::MAX_PERMITS
    } else {
        cx.s.jobs.max(1)
    };
    let limited = Limited {
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
    let mut done = Done::new();

    if !cx.s.dry_run {
        // 0. Keys a CreateAccessKey of an earlier run made after it gave up.
        sweep_attempts(cx).await;
        // 1. Interrupted rotations of these profiles or of their keys.
        recover_interrupted(cx, profiles, &mut done).await?;
    }
    if cx.s.resume_only {
        return Ok(resume_only_results(profiles, done));
    }
    // 2. What is left: one rotation per distinct key, each home locked.
    let (homes, _locks) = distinct_homes(cx, profiles, &mut done).await?;
    // 3. Who owns each key, the first round started as they are known,
    // then the later rounds.
    let (first, later) = start_rounds(cx, homes, &mut done).await;
    finish_round(cx, first, &mut done).await;
    for round in later {
        run_round(cx, round, &mut done).await;
    }
    Ok(in_order(profiles, done)
        .into_iter()
        .map(|(p, r)| {
            let r = r.map_err(|e| say_left(cx.paths, &p, e));
            (p, r)
        })
        .collect())
}

/// Finishes or undoes the interrupted rotations of these profiles, or of
/// the keys they hold (a sharer's rerun must not strand its twin's
/// journal). Every profile a finished one updated is done.
async fn recover_interrupted<A: Aws>(
    cx: &Ctx<'_, A>,
    profiles: &[String],
    done: &mut Done,
) -> Result<(), RotateError> {
    let held: Vec<String> = cx
        .homes()
        .find_all(profiles)
        .await?
        .into_iter()
        .filter_map(|(_, f)| f.ok().map(|f| f.key.access_key_id))
        .collect();
    for (_, j) in journals(cx.paths)? {
        let ours = profiles.contains(&j.profile)
            || held.contains(&j.old_key_id)
            || j.new_key_id.as_ref().is_some_and(|n| held.contains(n));
        if !ours {
            continue;
        }
        let profile = j.profile.clone();
        cx.ui.step(&profile, tr("step.resume"));
        // A journal the user made obsolete is set aside (said, copied
        // without secrets): the profile's rotation goes on with its key.
        match cx.set_aside_if_obsolete(&j).await {
            Ok(Some(_)) => continue,
            Ok(None) => {}
            Err(e) => {
                done.insert(profile, Err(e.after_change()));
                continue;
            }
        }
        match cx.recover_journal(j).await {
            Ok(Some(summary)) => {
                for p in summary
                    .updated
                    .iter()
                    .filter_map(|pl| pl.profile.clone())
                    .chain([profile.clone()])
                {
                    done.insert(p, Ok(Outcome::Rotated(summary.clone())));
                }
            }
            Ok(None) => {}
            Err(e) => {
                done.insert(profile, Err(e));
            }
        }
    }
    Ok(())
}

/// `--resume`: what recovery did, "nothing to resume" for the rest.
fn resume_only_results(profiles: &[String], mut done: Done) -> Results {
    profiles
        .iter()
        .map(|p| {
            let r = done.remove(p).unwrap_or(Ok(Outcome::Skipped {
                reason: tr("reason.no_interrupted").into(),
                code: "nothing_to_resume",
            }));
            (p.clone(), r)
        })
        .collect()
}

/// Finds the home of every profile not yet done; a profile holding the
/// same key as an earlier one is rotated with it (`SharedWith`). Each
/// home kept is locked for the rest of the run.
async fn distinct_homes<'h, A>(
    cx: &'h Ctx<'_, A>,
    profiles: &[String],
    done: &mut Done,
) -> Result<(Vec<Found<'h>>, Vec<HomeLock>), RotateError> {
    let left: Vec<String> = profiles
        .iter()
        .filter(|p| !done.contains_key(*p))
        .cloned()
        .collect();
    let mut homes: Vec<Found> = Vec::new();
    let mut locks: Vec<HomeLock> = Vec::new();
    for (p, found) in cx.homes().find_all(&left).await? {
        match found {
            Ok(f) => match homes
                .iter()
                .find(|h| h.key.access_key_id == f.key.access_key_id)
            {
                Some(h) => {
                    done.insert(
                        p,
                        Ok(Outcome::SharedWith {
                            with: h.key.profile.clone(),
                        }),
                    );
                }
                None => match f.home.lock() {
                    Ok(l) => {
                        locks.push(l);
                        homes.push(f);
                    }
                    Err(e) => {
                        done.insert(p, Err(e.into()));
                    }
                },
            },
            // A file the AWS CLI cannot read is never "skipped": it is the
            // user's to fix before anything rotates.
            Err(r) if cx.s.skip_unrotatable && !matches!(r, Refusal::Unparsable { .. }) => {
                done.insert(
                    p,
                    Ok(Outcome::Skipped {
                        code: r.code(),
                        reason: r.to_string(),
                    }),
                );
            }
            Err(r) => {
                done.insert(p, Err(r.into()));
            }
        }
    }
    Ok((homes, locks))
}

/// Who owns each key, asked concurrently, with the first round prepared
/// as the answers come: the first key of each IAM user to be identified
/// goes on to CreateAccessKey at once, so one throttled
/// GetCallerIdentity does not hold back every other key's creation (and
/// a key created earlier propagates earlier). The other keys of a user
/// make the later rounds: each IAM user has at most one rotation in
/// flight (two keys is IAM's limit). Every rotation of a round runs at
/// once: `Limited` bounds the requests.
async fn start_rounds<'h, A: Aws>(
    cx: &Ctx<'_, A>,
    homes: Vec<Found<'h>>,
    done: &mut Done,
) -> (PreparedRound, Vec<Round<'h>>) {
    enum Step<'h> {
        First(String, Result<Prepared, RotateError>),
        Later(usize, Box<(Found<'h>, Identified)>),
        Failed(String, RotateError),
    }
    let claimed = std::cell::RefCell::new(std::collections::HashSet::new());
    let steps: Vec<Step> = stream::iter(homes.into_iter().enumerate())
        .map(|(i, k)| {
            let claimed = &claimed;
            async move {
                let id = match cx.identify(&k.key).await {
                    Ok(id) => id,
                    Err(e) => return Step::Failed(k.key.profile.clone(), e),
                };
                if claimed.borrow_mut().insert(id.identity.arn.clone()) {
                    let p = k.key.profile.clone();
                    Step::First(p, cx.prepare(k, id).await)
                } else {
                    Step::Later(i, Box::new((k, id)))
                }
            }
        })
        .buffer_unordered(usize::MAX)
        .collect()
        .await;
    let mut first = Vec::new();
    let mut later = Vec::new();
    for step in steps {
        match step {
            Step::First(p, r) => first.push((p, r)),
            Step::Later(i, item) => later.push((i, *item)),
            Step::Failed(p, e) => {
                done.insert(p, Err(e));
            }
        }
    }
    // The later rounds in the order asked, as before.
    later.sort_by_key(|(i, _)| *i);
    let mut chains: Vec<(String, Round<'h>)> = Vec::new();
    for (_, (k, id)) in later {
        match chains.iter_mut().find(|(arn, _)| *arn == id.identity.arn) {
            Some((_, chain)) => chain.push((k, id)),
            None => chains.push((id.identity.arn.clone(), vec![(k, id)])),
        }
    }
    let mut rounds: Vec<Round<'h>> = Vec::new();
    for (_, chain) in chains {
        for (i, item) in chain.into_iter().enumerate() {
            if rounds.len() <= i {
                rounds.push(Vec::new());
            }
            rounds[i].push(item);
        }
    }
    (first, rounds)
}

/// A round's rotations prepared (to `Created`, or planned, fresh, failed).
type PreparedRound = Vec<(String, Result<Prepared, RotateError>)>;

/// One later round: prepare every rotation, then as [`finish_round`].
async fn run_round<A: Aws>(cx: &Ctx<'_, A>, round: Round<'_>, done: &mut Done) {
    let prepared: PreparedRound = stream::iter(round)
        .map(|(k, id)| async move {
            let p = k.key.profile.clone();
            (p, cx.prepare(k, id).await)
        })
        .buffer_unordered(usize::MAX)
        .collect()
        .await;
    finish_round(cx, prepared, done).await;
}

/// The rest of a round: write all new pairs at once, then verify, run
/// hooks and retire concurrently.
async fn finish_round<A: Aws>(cx: &Ctx<'_, A>, prepared: PreparedRound, done: &mut Done) {
    let mut created: Vec<(Journal, Creds)> = Vec::new();
    for (p, r) in prepared {
        match r {
            Ok(Prepared::Created(c)) => created.push(*c),
            Ok(Prepared::Planned(plan)) => {
                done.insert(p, Ok(Outcome::Planned(plan)));
            }
            Ok(Prepared::Fresh(f)) => {
                done.insert(p, Ok(Outcome::Fresh(f)));
            }
            Err(e) => {
                done.insert(p, Err(e));
            }
        }
    }
    if created.is_empty() {
        return;
    }
    // 4. One write per file for the whole round.
    for (j, _) in &created {
        cx.ui.step(&j.profile, tr("step.write"));
    }
    let (written, backups) = match cx.write_batch(&created).await {
        Ok(w) => w,
        Err(e) => {
            let reason = e.to_string();
            for (j, iam) in created {
                let p = j.profile.clone();
                let left = j.clone();
                let r = cx
                    .rollback(j, &iam, &trf("reason.write_failed", &[("error", &reason)]))
                    .await
                    .map_err(|e| disk_left(&left, e));
                done.insert(p, r.map(Outcome::Rotated));
            }
            return;
        }
    };
    // 5. Verify, run hooks and retire, concurrently.
    let finished: Vec<(String, Result<Summary, RotateError>)> =
        stream::iter(created.into_iter().zip(written))
            .map(|((j, iam), landed)| finish_written(cx, j, iam, landed, backups.clone()))
            .buffer_unordered(usize::MAX)
            .collect()
            .await;
    for (p, r) in finished {
        done.insert(p, r.map(Outcome::Rotated));
    }
}

/// After the round's write: `Written` (or a rollback if the new pair did
/// not land), then forward to the end.
async fn finish_written<A: Aws>(
    cx: &Ctx<'_, A>,
    mut j: Journal,
    iam: Creds,
    landed: bool,
    backups: Vec<PathBuf>,
) -> (String, Result<Summary, RotateError>) {
    let p = j.profile.clone();
    if !landed {
        let r = cx.rollback(j, &iam, tr("reason.file_changed")).await;
        return (p, r);
    }
    failpoint("after-file-written");
    j.state = State::Written;
    if let Err(e) = persist(&j).await {
        return (p, Err(e));
    }
    let r = cx.forward(j, &iam, false).await.map(|mut s| {
        s.backups = backups;
        s
    });
    (p, r)
}

/// The results in the order asked; a profile nothing answered for is
/// reported, never dropped.
fn in_order(profiles: &[String], mut done: Done) -> Results {
    profiles
        .iter()
        .map(|p| {
            let r = done.remove(p).unwrap_or_else(|| {
                Err(RotateError::Stuck {
                    profile: p.clone(),
                    detail: tr("detail.not_processed").into(),
                })
            });
            (p.clone(), r)
        })
        .collect()
}

impl<A: Aws> Ctx<'_, A> {
    /// Writes every new pair of a round, one lock-read-write cycle per
    /// file. Returns, per journal, whether its new key is now in its home
    /// (false: the profile no longer held the old key), and the backups.
    pub(crate) async fn write_batch(
        &self,
        created: &[(Journal, Creds)],
    ) -> Result<(Vec<bool>, Vec<PathBuf>), RotateError> {
        let homes: Vec<Home> = created.iter().map(|(j, _)| self.home_of(j)).collect();
        let mut files = Vec::new();
        for ((j, _), home) in created.iter().zip(&homes) {
            let (Some(to), Some(secret)) = (j.new_key_id.as_deref(), j.new_secret.as_ref()) else {
                continue;
            };
            match home {
                Home::Files(h) => files.push((h, j.old_key_id.as_str(), to, secret)),
                // One item each: written (and its sessions purged) alone.
                Home::Keystore(_) | Home::Managed(_) => {
                    self.write_home(home, &j.old_key_id, to, secret).await?;
                }
            }
        }
        let backups = crate::home::FilesHome::write_together(&files)?;
        let mut landed = Vec::new();
        for ((j, _), home) in created.iter().zip(&homes) {
            landed.push(match j.new_key_id.as_deref() {
                Some(id) => !home.holding(id).await?.is_empty(),
                None => false,
            });
        }
        Ok((landed, backups))
    }
}
