//! Verification and retirement polling: the new key must work several
//! times in a row before the old one goes; waits are short and capped
//! while a key propagates ([`Patience`]) and back off on throttling.

use super::*;

/// The longest pause between two polls of a key that is propagating: the
/// first accepted request comes at most this (plus one request) after IAM
/// starts accepting the key.
pub(crate) const POLL_CAP: Duration = Duration::from_millis(400);

/// The first such pause.
pub(crate) const POLL_FIRST: Duration = Duration::from_millis(100);

/// The pause between the successes of a streak: short, yet each request
/// is its own (IAM can accept a new key on one request and reject it on
/// the next, from another server).
pub(crate) const STREAK_GAP: Duration = Duration::from_millis(50);

/// How a verification or a retirement waits: short, capped polls while
/// the new key propagates; the full backoff when AWS throttles or fails.
pub(crate) struct Patience {
    propagation: Backoff,
    trouble: Backoff,
    gap: Duration,
}

impl Patience {
    pub(crate) fn new(s: &Settings) -> Patience {
        Patience {
            propagation: Backoff::with(
                s.initial_backoff.min(POLL_FIRST),
                s.max_backoff.min(POLL_CAP),
            ),
            trouble: Backoff::new(s),
            gap: s.initial_backoff.min(STREAK_GAP),
        }
    }

    /// The wait after `e`, or None when `e` is not worth waiting out.
    pub(crate) fn after(&mut self, e: &AwsError) -> Option<Duration> {
        if e.is_propagation() {
            Some(self.propagation.next())
        } else if e.is_transient() {
            Some(self.trouble.next())
        } else {
            None
        }
    }
}

/// Polls until the new key has worked `verify_successes` times in a row:
/// STS GetCallerIdentity must name the same user each time and, unless
/// MFA guards IAM, an IAM read must succeed once per streak, as its last
/// success (IAM is where the key is used next, to retire the old one).
/// That read replaces the streak's last GetCallerIdentity when the streak
/// has one before it to check the user: one request per key instead of
/// N+1, which a fleet run pays right when every key has just propagated.
/// Propagation errors, throttling and transient failures reset the streak
/// and wait ([`Patience`]), within the timeout.
pub(crate) async fn verify<A: Aws>(
    aws: &A,
    new: &Creds,
    j: &Journal,
    iam_read: bool,
    s: &Settings,
) -> Result<(), String> {
    let deadline = store::deadline_after(s.timeout);
    let mut streak = 0;
    let mut patience = Patience::new(s);
    while streak < s.verify_successes {
        let last = streak + 1 >= s.verify_successes;
        let result: Result<(), AwsError> = async {
            if iam_read && last && streak > 0 {
                aws.list_access_keys(new, &j.user_name).await?;
                return Ok(());
            }
            let id = aws.caller_identity(new).await?;
            if id.arn != j.user_arn {
                return Err(AwsError {
                    op: "STS GetCallerIdentity",
                    kind: crate::aws::ErrorKind::Service,
                    code: Some("WrongUser".into()),
                    status: None,
                    message: trf(
                        "verify.wrong_user",
                        &[("actual", &id.arn), ("expected", &j.user_arn)],
                    ),
                });
            }
            if iam_read && last {
                aws.list_access_keys(new, &j.user_name).await?;
            }
            Ok(())
        }
        .await;
        match result {
            Ok(()) => {
                streak += 1;
                if streak < s.verify_successes {
                    tokio::time::sleep(patience.gap).await;
                }
            }
            Err(e) => {
                let Some(wait) = patience.after(&e) else {
                    return Err(trf("verify.refused", &[("error", &e)]));
                };
                streak = 0;
                if Instant::now()
                    .checked_add(wait)
                    .is_none_or(|t| t >= deadline)
                {
                    return Err(trf(
                        "verify.timeout",
                        &[("secs", &s.timeout.as_secs()), ("error", &e)],
                    ));
                }
                tokio::time::sleep(wait).await;
            }
        }
    }
    Ok(())
}

/// Capped exponential backoff with jitter, from `initial_backoff`.
pub(crate) struct Backoff {
    next: Duration,
    cap: Duration,
}

impl Backoff {
    pub(crate) fn new(s: &Settings) -> Backoff {
        Backoff::with(s.initial_backoff, s.max_backoff)
    }

    pub(crate) fn with(first: Duration, cap: Duration) -> Backoff {
        Backoff { next: first, cap }
    }

    /// Between half and all of the current step ([`crate::util::backoff::jitter`]),
    /// the step doubling up to the cap.
    pub(crate) fn next(&mut self) -> Duration {
        let base = self.next;
        self.next = (self.next * 2).min(self.cap);
        crate::util::backoff::jitter(base)
    }
}

/// Retires the old key with the verification's patience: a request
/// signed with the new key can still be rejected once while it
/// propagates, and throttling is waited out. Each wait is shown (the
/// error that caused it and how long `--timeout` still allows), never
/// silent.
pub(crate) async fn retire<A: Aws>(
    aws: &A,
    ui: &dyn Ui,
    signer: &Creds,
    j: &Journal,
    s: &Settings,
) -> Result<(), AwsError> {
    let deadline = store::deadline_after(s.timeout);
    let mut patience = Patience::new(s);
    loop {
        // The policy's decision is `crate::retire`'s; `drain` decides
        // nothing now (`Ctx::retire_old` records the drain instead).
        let r = match crate::retire::immediate(j.retire) {
            Some(crate::retire::Decision::Delete) => {
                aws.delete_access_key(signer, &j.user_name, &j.old_key_id)
                    .await
            }
            Some(crate::retire::Decision::Deactivate { .. }) => {
                aws.set_key_active(signer, &j.user_name, &j.old_key_id, false)
                    .await
            }
            _ => return Ok(()),
        };
        match r {
            Ok(()) => return Ok(()),
            Err(e) if e.is_no_such_entity() => return Ok(()),
            Err(e) => match patience.after(&e) {
                Some(wait)
                    if Instant::now()
                        .checked_add(wait)
                        .is_some_and(|t| t < deadline) =>
                {
                    ui.step(
                        &j.profile,
                        &trf("step.retire_waiting", &[("error", &e.detail())]),
                    );
                    tokio::time::sleep(wait).await;
                }
                _ => return Err(e),
            },
        }
    }
}
