//! Time, written once: the clock and RFC 3339 date-times, in whole seconds
//! since the Unix epoch, UTC. Calendars and RFC 3339 are the `time`
//! crate's (its well-known `Rfc3339` format); what is written here is only
//! what keyturn reads beyond RFC 3339, and why:
//!
//! - ISO 8601's basic offset (`2025-05-31T19:30:00-0430`) and a date-time
//!   without an offset (taken as UTC, as AWS means it): dates reach
//!   `audit` from credential reports and tools that are not all strict.
//! - Words instead of dates (`N/A`, `no_information`, `not_supported`):
//!   IAM's credential report puts them where there is no date; they parse
//!   to `None`, never to an error that would stop an audit.
//!
//! Invariants: [`format_rfc3339`] and [`parse_rfc3339`] round-trip every
//! second from year 0 to 9999 (a count outside that range formats as the
//! nearest end, since RFC 3339 has four-digit years); parsing never
//! panics on any input; only [`now_secs`] reads the clock.

use std::time::{SystemTime, UNIX_EPOCH};
use time::format_description::well_known::Rfc3339;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// `0000-01-01T00:00:00Z` and `9999-12-31T23:59:59Z`: RFC 3339's range.
const FIRST: i64 = -62_167_219_200;
const LAST: i64 = 253_402_300_799;

/// ISO 8601 with a basic offset (`-0430`): not RFC 3339, read all the same.
const BASIC_OFFSET: &[BorrowedFormatItem<'_>] = format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]][offset_hour sign:mandatory][offset_minute]"
);

/// A date-time without an offset: UTC.
const NO_OFFSET: &[BorrowedFormatItem<'_>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]");

/// A sortable UTC stamp with nanoseconds and no `:` (legal in every file
/// name): `20261129T190501.123456789Z`.
const STAMP: &[BorrowedFormatItem<'_>] =
    format_description!("[year][month][day]T[hour][minute][second].[subsecond digits:9]Z");

/// The clock, in whole seconds since the epoch (0 before 1970).
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// [`now_secs`] as a signed count, for arithmetic with dates AWS sends.
pub fn now_secs_i64() -> i64 {
    i64::try_from(now_secs()).unwrap_or(i64::MAX)
}

/// [`format_rfc3339`] of an unsigned count of seconds (a journal's).
pub fn rfc3339(secs: u64) -> String {
    format_rfc3339(i64::try_from(secs).unwrap_or(i64::MAX))
}

/// Parses `2014-09-01T22:28:48+00:00`, `2024-01-02T03:04:05Z` or
/// `2024-01-02T03:04:05.123456+02:00` (RFC 3339), and the two forms beyond
/// it in the module doc, to seconds since the epoch. Anything else
/// (`N/A`, `no_information`, `not_supported`, garbage) is None.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let s = s.trim();
    OffsetDateTime::parse(s, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(s, BASIC_OFFSET))
        .or_else(|_| PrimitiveDateTime::parse(s, NO_OFFSET).map(PrimitiveDateTime::assume_utc))
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}

/// RFC 3339 in UTC, to the second: `2024-01-02T03:04:05Z`.
pub fn format_rfc3339(secs: i64) -> String {
    utc(secs.clamp(FIRST, LAST))
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// The UTC date-time of `secs`, already clamped to RFC 3339's range.
fn utc(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// `20261129T190501.123456789Z`: UTC, sortable, no `:` (backups' and
/// temporary files' names).
pub fn file_stamp(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = i64::try_from(d.as_secs()).unwrap_or(LAST).min(LAST);
    let t = utc(secs);
    t.replace_nanosecond(d.subsec_nanos())
        .unwrap_or(t)
        .format(STAMP)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn rfc3339_formats_as_aws_does() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_827_696), "2000-02-29T12:34:56Z");
        assert_eq!(format_rfc3339(-1), "1969-12-31T23:59:59Z");
        assert_eq!(
            parse_rfc3339("2000-02-29T12:34:56+00:00"),
            Some(951_827_696)
        );
        assert_eq!(parse_rfc3339("N/A"), None);
    }

    #[test]
    fn every_form_keyturn_reads_parses() {
        let t = 951_827_696;
        for s in [
            "2000-02-29T12:34:56Z",
            "2000-02-29t12:34:56z",
            "2000-02-29 12:34:56Z",
            "2000-02-29T12:34:56.999999Z",
            "2000-02-29T14:34:56+02:00",
            "2000-02-29T08:04:56-0430",
            "2000-02-29T12:34:56",
            "  2000-02-29T12:34:56Z\n",
        ] {
            assert_eq!(parse_rfc3339(s), Some(t), "{s}");
        }
        for bad in [
            "2000-02-30T12:34:56Z",
            "2000-02-29T24:00:00Z",
            "2000-02-29T12:34:56+02",
            "2000-02-29T12:34:56Zjunk",
            "2000-02-29",
            "no_information",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_ends_of_rfc3339_round_trip_and_beyond_clamps() {
        assert_eq!(format_rfc3339(FIRST), "0000-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(LAST), "9999-12-31T23:59:59Z");
        for t in [FIRST, -1, 0, 1, LAST] {
            assert_eq!(parse_rfc3339(&format_rfc3339(t)), Some(t), "{t}");
        }
        assert_eq!(rfc3339(u64::MAX), "9999-12-31T23:59:59Z");
        assert_eq!(format_rfc3339(i64::MIN), "0000-01-01T00:00:00Z");
    }

    #[test]
    fn file_stamps_sort_and_hold_nanoseconds() {
        let t = UNIX_EPOCH + Duration::new(1_764_443_101, 123_456_789);
        assert_eq!(file_stamp(t), "20251129T190501.123456789Z");
        assert_eq!(file_stamp(UNIX_EPOCH), "19700101T000000.000000000Z");
    }

    #[test]
    fn the_clock_is_after_this_code_was_written() {
        assert!(now_secs() > 1_700_000_000);
        assert!(now_secs_i64() > 1_700_000_000);
    }
}
