//! Backoff with jitter for retried calls.
//!
//! Invariant: [`jitter`] of `d` lies in `[d/2, d]`, so capped exponential
//! delays stay capped and requests throttled together come back apart.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// A delay in [d/2, d]: concurrent requests throttled together must not
/// come back together.
pub fn jitter(d: Duration) -> Duration {
    // RandomState is seeded randomly per process and bumped per instance:
    // enough randomness to spread retries, without a dependency.
    let r = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let half = d / 2;
    half + half.mul_f64((r % 1000) as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_half_and_whole() {
        for ms in [0, 1, 200, 8_000] {
            let d = Duration::from_millis(ms);
            for _ in 0..50 {
                let j = jitter(d);
                assert!(j >= d / 2 && j <= d, "{ms}: {j:?}");
            }
        }
    }
}
