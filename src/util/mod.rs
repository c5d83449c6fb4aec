//! Small helpers every part of keyturn shares, each written once:
//! [`time`] (the clock, civil dates, RFC 3339) [`quote`] (shell words) and [`backoff`] (jitter).

pub mod backoff;
pub mod quote;
pub mod time;
