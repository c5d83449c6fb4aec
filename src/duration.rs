//! Durations as the user types them (`90s`, `2m`, `12h`, `60d`, plain
//! seconds) and the bounds of keyturn's numeric flags. Pure.

use crate::exit::UsageError;
use crate::i18n::trf;
use std::time::Duration;

/// The longest verification or hook timeout: anything longer is a typo,
/// and bounding it keeps every `Instant + timeout` far from overflow.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(30 * 86_400);
/// The longest `--max-age` (100 years).
pub const MAX_AGE: Duration = Duration::from_secs(36_500 * 86_400);
/// Upper bounds of the numeric flags.
pub const MAX_JOBS: usize = 256;
pub const MAX_VERIFY_COUNT: u32 = 1000;
pub const MAX_KEEP_BACKUPS: usize = 100_000;

/// [`parse_duration`], refused above `max` (a usage error naming `what`).
pub fn parse_duration_max(s: &str, what: &str, max: Duration) -> Result<Duration, UsageError> {
    let d = parse_duration(s)?;
    if d > max {
        return Err(too_large(
            what,
            &s.trim(),
            &format!("{}d", max.as_secs() / 86_400),
        ));
    }
    Ok(d)
}

pub fn too_large(
    what: &str,
    value: &dyn std::fmt::Display,
    max: &dyn std::fmt::Display,
) -> UsageError {
    UsageError(trf(
        "usage.too_large",
        &[("what", &what), ("value", value), ("max", max)],
    ))
}

/// `90s`, `2m`, `12h`, `60d`, or plain seconds.
pub fn parse_duration(s: &str) -> Result<Duration, UsageError> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| UsageError(trf("usage.not_a_duration", &[("value", &s)])))?;
    let mult = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(UsageError(trf(
                "usage.unknown_unit",
                &[("value", &s), ("unit", &unit)],
            )))
        }
    };
    n.checked_mul(mult)
        .map(Duration::from_secs)
        .ok_or_else(|| UsageError(trf("usage.too_long", &[("value", &s)])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(
            parse_duration("60d").unwrap(),
            Duration::from_secs(60 * 86_400)
        );
        assert_eq!(parse_duration("15").unwrap(), Duration::from_secs(15));
        assert!(parse_duration("1w").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("18446744073709551615d").is_err());
        assert!(parse_duration_max("30d", "t", MAX_TIMEOUT).is_ok());
        assert!(parse_duration_max("31d", "t", MAX_TIMEOUT).is_err());
    }
}
