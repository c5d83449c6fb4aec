//! Retirement policies in one place: what happens to the old key once the
//! new pair is confirmed everywhere it must be. Pure: each policy is a
//! function of (the key's state in IAM, its last use, the policy, the
//! clock) returning what to do now and why; the effects (UpdateAccessKey,
//! DeleteAccessKey, the drain record) are [`crate::drain`]'s and
//! `rotate`'s.
//!
//! - `delete`: delete it now ([`immediate`]).
//! - `deactivate`: make it Inactive now; a later rotate deletes it without
//!   asking ([`immediate`]).
//! - `drain` ([`drain`]): keep it Active until it has gone unused for the
//!   grace. The grace starts when the destinations were written (without
//!   destinations: when the new pair was confirmed in its home), and every
//!   use IAM records for the old key after that starts it again. Then
//!   deactivate; one grace later, still unused, delete. A key still in use
//!   once `drain_max` has passed since the write is kept Active and
//!   reported (the straggler's service and region), unless `--force-drain`,
//!   which deactivates it anyway.
//!
//! Invariants: no decision ever deletes an Active key under `drain`; a
//! use recorded at or after the start of a phase restarts its grace; time
//! is whole Unix seconds (IAM's last-used dates are no finer).

use crate::rotate::Retire;
use serde::{Deserialize, Serialize};

/// The default grace: IAM's last-used data (GetAccessKeyLastUsed's
/// `LastUsedDate`) is documented to lag a request by up to four hours (see
/// the README, "Retiring a key others still use"). A grace shorter than
/// that could retire a key whose last use IAM has not shown yet; a day
/// covers the lag several times over and a daily scheduled run.
pub const DEFAULT_GRACE_S: u64 = 24 * 3600;
/// The default `drain_max`: 7 days.
pub const DEFAULT_MAX_S: u64 = 7 * 24 * 3600;

/// A drain's limits and the run's `--force-drain`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DrainPolicy {
    /// How long the old key must go unused before each step (seconds).
    pub grace_s: u64,
    /// After this long since the write, a key still in use is a
    /// straggler (seconds).
    pub max_s: u64,
    /// `--force-drain`: a straggler past `max_s` is deactivated anyway.
    pub force: bool,
}

impl Default for DrainPolicy {
    fn default() -> DrainPolicy {
        DrainPolicy {
            grace_s: DEFAULT_GRACE_S,
            max_s: DEFAULT_MAX_S,
            force: false,
        }
    }
}

/// Where a drain stands: the old key Active, or already Inactive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Active,
    Inactive,
}

/// What the drain knows when it decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DrainFacts {
    /// When the destinations were written (the drain's start).
    pub written_at: u64,
    /// The key's status in IAM now.
    pub phase: Phase,
    /// When the key was made Inactive (phase `Inactive`).
    pub deactivated_at: Option<u64>,
    /// IAM's last use of the old key (Unix seconds), if any.
    pub last_used: Option<u64>,
    pub now: u64,
}

/// What to do with the old key now, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Decision {
    /// Keep it as it is until `until` (the grace counted from `since`:
    /// the write, the deactivation, or a use after them, `used`).
    Wait { since: u64, until: u64, used: bool },
    /// Make it Inactive (`forced`: a straggler past `drain_max`, with
    /// `--force-drain`).
    Deactivate { forced: bool },
    /// Delete it: Inactive and unused for the grace.
    Delete,
    /// Still used past `drain_max` without `--force-drain`: kept Active,
    /// reported every run.
    Straggler { since: u64 },
}

/// `delete` and `deactivate`: what the old key becomes at once.
pub fn immediate(retire: Retire) -> Option<Decision> {
    match retire {
        Retire::Delete => Some(Decision::Delete),
        Retire::Deactivate => Some(Decision::Deactivate { forced: false }),
        Retire::Drain => None,
    }
}

/// `drain`: the decision for one old key (see the module doc).
pub fn drain(f: &DrainFacts, p: &DrainPolicy) -> Decision {
    // The phase's own start: the write, or the deactivation (a
    // deactivation whose time was lost counts from the write).
    let start = match f.phase {
        Phase::Active => f.written_at,
        Phase::Inactive => f.deactivated_at.unwrap_or(f.written_at).max(f.written_at),
    };
    // A use at the phase's start or later restarts the grace.
    let used = f.last_used.is_some_and(|u| u >= start);
    let since = if used {
        f.last_used.unwrap_or(start)
    } else {
        start
    };
    let until = since.saturating_add(p.grace_s);
    if f.now >= until {
        return match f.phase {
            Phase::Active => Decision::Deactivate { forced: false },
            Phase::Inactive => Decision::Delete,
        };
    }
    if f.phase == Phase::Active && used && f.now >= f.written_at.saturating_add(p.max_s) {
        return if p.force {
            Decision::Deactivate { forced: true }
        } else {
            Decision::Straggler {
                since: f.written_at,
            }
        };
    }
    Decision::Wait { since, until, used }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: u64 = 3600;
    const T0: u64 = 1_800_000_000;

    fn pol(grace: u64, max: u64, force: bool) -> DrainPolicy {
        DrainPolicy {
            grace_s: grace,
            max_s: max,
            force,
        }
    }

    fn active(last_used: Option<u64>, now: u64) -> DrainFacts {
        DrainFacts {
            written_at: T0,
            phase: Phase::Active,
            deactivated_at: None,
            last_used,
            now,
        }
    }

    #[test]
    fn delete_and_deactivate_are_immediate() {
        assert_eq!(immediate(Retire::Delete), Some(Decision::Delete));
        assert_eq!(
            immediate(Retire::Deactivate),
            Some(Decision::Deactivate { forced: false })
        );
        assert_eq!(immediate(Retire::Drain), None);
    }

    #[test]
    fn the_grace_counts_from_the_write() {
        let p = pol(24 * H, 7 * 24 * H, false);
        // Used only before the write (keyturn's own calls): not a use.
        let f = active(Some(T0 - 10), T0 + 23 * H);
        assert_eq!(
            drain(&f, &p),
            Decision::Wait {
                since: T0,
                until: T0 + 24 * H,
                used: false
            }
        );
        let f = active(Some(T0 - 10), T0 + 24 * H);
        assert_eq!(drain(&f, &p), Decision::Deactivate { forced: false });
        let f = active(None, T0 + 24 * H);
        assert_eq!(drain(&f, &p), Decision::Deactivate { forced: false });
    }

    #[test]
    fn every_later_use_restarts_the_grace() {
        let p = pol(24 * H, 7 * 24 * H, false);
        // Past the grace counted from the write, within it from the use.
        let f = active(Some(T0 + 5 * H), T0 + 25 * H);
        assert_eq!(
            drain(&f, &p),
            Decision::Wait {
                since: T0 + 5 * H,
                until: T0 + 29 * H,
                used: true
            }
        );
        let f = active(Some(T0 + 5 * H), T0 + 29 * H);
        assert_eq!(drain(&f, &p), Decision::Deactivate { forced: false });
        // A use in the very second of the write counts.
        let f = active(Some(T0), T0 + 24 * H - 1);
        assert!(matches!(drain(&f, &p), Decision::Wait { used: true, .. }));
    }

    #[test]
    fn inactive_then_one_grace_later_unused_is_deleted() {
        let p = pol(24 * H, 7 * 24 * H, false);
        let d = T0 + 30 * H;
        let f = DrainFacts {
            written_at: T0,
            phase: Phase::Inactive,
            deactivated_at: Some(d),
            last_used: Some(T0 + 5 * H),
            now: d + 24 * H - 1,
        };
        assert_eq!(
            drain(&f, &p),
            Decision::Wait {
                since: d,
                until: d + 24 * H,
                used: false
            }
        );
        assert_eq!(
            drain(
                &DrainFacts {
                    now: d + 24 * H,
                    ..f
                },
                &p
            ),
            Decision::Delete
        );
        // A use recorded after the deactivation (an attempt IAM logged)
        // restarts the grace before the delete.
        let used = DrainFacts {
            last_used: Some(d + 2 * H),
            now: d + 24 * H,
            ..f
        };
        assert!(matches!(
            drain(&used, &p),
            Decision::Wait { used: true, .. }
        ));
        // A lost deactivation time counts from the write.
        let lost = DrainFacts {
            deactivated_at: None,
            last_used: None,
            now: T0 + 24 * H,
            ..f
        };
        assert_eq!(drain(&lost, &p), Decision::Delete);
    }

    #[test]
    fn drain_max_keeps_a_straggler_unless_forced() {
        let p = pol(24 * H, 7 * 24 * H, false);
        let f = active(Some(T0 + 7 * 24 * H - H), T0 + 7 * 24 * H);
        assert_eq!(drain(&f, &p), Decision::Straggler { since: T0 });
        let forced = pol(24 * H, 7 * 24 * H, true);
        assert_eq!(drain(&f, &forced), Decision::Deactivate { forced: true });
        // Before drain_max the straggler only waits, forced or not.
        let f = active(Some(T0 + 6 * 24 * H), T0 + 6 * 24 * H + H);
        assert!(matches!(drain(&f, &forced), Decision::Wait { .. }));
    }

    #[test]
    fn a_zero_grace_retires_at_once_and_never_deletes_an_active_key() {
        let p = pol(0, 0, false);
        assert_eq!(
            drain(&active(Some(T0), T0), &p),
            Decision::Deactivate { forced: false }
        );
        for now in [T0, T0 + H, T0 + 1000 * H] {
            for used in [None, Some(T0), Some(now)] {
                assert_ne!(drain(&active(used, now), &p), Decision::Delete);
            }
        }
    }
}
