//! Time as Kapacitor prints and reads it: RFC 3339 with Go's nanosecond rule, Go's two duration
//! spellings, and the timestamp precisions of InfluxDB's line protocol.
//!
//! Everything is hand-rolled on `i64` nanoseconds: the formats are small, and matching Go byte for
//! byte (trailing zeros trimmed, `1h0m0s`, `µs`) is easier to get exact than to coax from a
//! general date library.

use std::fmt;
use std::str::FromStr;

use crate::point::Time;

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// The unit of a line-protocol timestamp (`precision=` on `/write`, the precision of a recording).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Precision {
    #[default]
    Nanosecond,
    Microsecond,
    Millisecond,
    Second,
    Minute,
    Hour,
}

impl Precision {
    /// Nanoseconds in one unit.
    pub const fn nanos(self) -> i64 {
        match self {
            Precision::Nanosecond => 1,
            Precision::Microsecond => 1_000,
            Precision::Millisecond => 1_000_000,
            Precision::Second => NANOS_PER_SECOND,
            Precision::Minute => 60 * NANOS_PER_SECOND,
            Precision::Hour => 3_600 * NANOS_PER_SECOND,
        }
    }

    /// The canonical spelling, as InfluxDB 1.x writes it in URLs.
    pub const fn as_str(self) -> &'static str {
        match self {
            Precision::Nanosecond => "ns",
            Precision::Microsecond => "u",
            Precision::Millisecond => "ms",
            Precision::Second => "s",
            Precision::Minute => "m",
            Precision::Hour => "h",
        }
    }

    /// The precision of a `/write?precision=` parameter as Kapacitor reads it: any spelling it
    /// does not know (`us`, `S`, an empty value...) silently means nanoseconds.
    pub fn from_write_param(param: &str) -> Precision {
        param.parse().unwrap_or(Precision::Nanosecond)
    }

    /// `timestamp` units in nanoseconds, or `None` when that overflows an `i64`.
    pub fn to_nanos(self, timestamp: i64) -> Option<Time> {
        timestamp.checked_mul(self.nanos())
    }

    /// Rounds `time` down to a whole unit, as InfluxDB does to the server time it gives a line
    /// without a timestamp.
    pub fn truncate(self, time: Time) -> Time {
        time - time.rem_euclid(self.nanos())
    }
}

impl fmt::Display for Precision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A precision spelling that is none of `n`, `ns`, `u`, `µ`, `ms`, `s`, `m`, `h`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPrecision(pub String);

impl fmt::Display for UnknownPrecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown precision {:?}: expected one of n, ns, u, µ, ms, s, m, h",
            self.0
        )
    }
}

impl std::error::Error for UnknownPrecision {}

impl FromStr for Precision {
    type Err = UnknownPrecision;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "n" | "ns" => Ok(Precision::Nanosecond),
            // U+00B5 MICRO SIGN, and U+03BC GREEK SMALL LETTER MU which keyboards often give.
            "u" | "µ" | "μ" => Ok(Precision::Microsecond),
            "ms" => Ok(Precision::Millisecond),
            "s" => Ok(Precision::Second),
            "m" => Ok(Precision::Minute),
            "h" => Ok(Precision::Hour),
            other => Err(UnknownPrecision(other.to_owned())),
        }
    }
}

/// Displays a time as Go's `time.RFC3339Nano` in UTC: `2023-11-14T22:13:20Z`,
/// `2023-11-14T22:13:20.5Z` (the fraction loses its trailing zeros, and disappears when zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rfc3339Nano(pub Time);

impl Rfc3339Nano {
    /// The longest text: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
    const MAX_LEN: usize = 30;

    /// The text, written into `buf`. Digits are placed directly, not
    /// through `write!`: every alert event formats three times, and the formatting machinery
    /// cost ten times the arithmetic. A nanosecond `Time` spans the years 1677 to 2262, so the
    /// year always has four digits.
    fn text(self, buf: &mut [u8; Self::MAX_LEN]) -> &str {
        fn digits<const N: usize>(buf: &mut [u8], at: usize, mut value: u64) {
            for i in (0..N).rev() {
                buf[at + i] = b'0' + (value % 10) as u8;
                value /= 10;
            }
        }
        let seconds = self.0.div_euclid(NANOS_PER_SECOND);
        let nanos = self.0.rem_euclid(NANOS_PER_SECOND).unsigned_abs();
        let (year, month, day) = civil_from_days(seconds.div_euclid(SECONDS_PER_DAY));
        let second_of_day = seconds.rem_euclid(SECONDS_PER_DAY).unsigned_abs();
        *buf = *b"0000-00-00T00:00:00.000000000Z";
        digits::<4>(buf, 0, year.unsigned_abs());
        digits::<2>(buf, 5, month.unsigned_abs());
        digits::<2>(buf, 8, day.unsigned_abs());
        digits::<2>(buf, 11, second_of_day / 3600);
        digits::<2>(buf, 14, second_of_day / 60 % 60);
        digits::<2>(buf, 17, second_of_day % 60);
        let len = if nanos == 0 {
            buf[19] = b'Z';
            20
        } else {
            digits::<9>(buf, 20, nanos);
            // Go drops the fraction's trailing zeros.
            let mut end = 29;
            while buf[end - 1] == b'0' {
                end -= 1;
            }
            buf[end] = b'Z';
            end + 1
        };
        // ASCII digits and separators.
        std::str::from_utf8(&buf[..len]).unwrap_or_default()
    }
}

impl fmt::Display for Rfc3339Nano {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text(&mut [0; Self::MAX_LEN]))
    }
}

/// Appends `ns` as Go's `time.RFC3339Nano` in UTC (see [`Rfc3339Nano`]).
pub fn write_rfc3339_nano(out: &mut String, ns: Time) {
    out.push_str(Rfc3339Nano(ns).text(&mut [0; Rfc3339Nano::MAX_LEN]));
}

/// `ns` as Go's `time.RFC3339Nano` in UTC (see [`Rfc3339Nano`]).
pub fn format_rfc3339_nano(ns: Time) -> String {
    let mut out = String::with_capacity(Rfc3339Nano::MAX_LEN);
    write_rfc3339_nano(&mut out, ns);
    out
}

/// Why a string is not an RFC 3339 time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeParseError {
    pub input: String,
    pub reason: &'static str,
}

impl fmt::Display for TimeParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid RFC 3339 time {:?}: {}", self.input, self.reason)
    }
}

impl std::error::Error for TimeParseError {}

/// Parses an RFC 3339 time (`2006-01-02T15:04:05Z`, an optional fraction of up to nine digits
/// after `.` or `,`, `Z` or a `±hh:mm` offset), as Go's `time.Parse(time.RFC3339Nano, ...)`
/// accepts it, into nanoseconds since the epoch.
pub fn parse_rfc3339(input: &str) -> Result<Time, TimeParseError> {
    let fail = |reason| TimeParseError {
        input: input.to_owned(),
        reason,
    };
    let mut cursor = Cursor {
        bytes: input.as_bytes(),
        pos: 0,
    };

    let year = cursor.digits(4).ok_or_else(|| fail("expected a four-digit year"))?;
    cursor
        .literal(b'-')
        .ok_or_else(|| fail("expected '-' after the year"))?;
    let month = cursor.digits(2).ok_or_else(|| fail("expected a two-digit month"))?;
    cursor
        .literal(b'-')
        .ok_or_else(|| fail("expected '-' after the month"))?;
    let day = cursor.digits(2).ok_or_else(|| fail("expected a two-digit day"))?;
    cursor
        .literal(b'T')
        .ok_or_else(|| fail("expected 'T' between the date and the time"))?;
    let hour = cursor.digits(2).ok_or_else(|| fail("expected a two-digit hour"))?;
    cursor
        .literal(b':')
        .ok_or_else(|| fail("expected ':' after the hour"))?;
    let minute = cursor.digits(2).ok_or_else(|| fail("expected two-digit minutes"))?;
    cursor
        .literal(b':')
        .ok_or_else(|| fail("expected ':' after the minutes"))?;
    let second = cursor.digits(2).ok_or_else(|| fail("expected two-digit seconds"))?;
    let nanos = cursor
        .fraction()
        .ok_or_else(|| fail("expected digits after the decimal point"))?;
    let offset_seconds = cursor.offset().ok_or_else(|| fail("expected 'Z' or a ±hh:mm offset"))?;
    if cursor.pos != cursor.bytes.len() {
        return Err(fail("unexpected text after the time"));
    }

    if !(1..=12).contains(&month) {
        return Err(fail("month out of range"));
    }
    if day < 1 || day > days_in_month(year, month) {
        return Err(fail("day out of range"));
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err(fail("time of day out of range"));
    }

    let seconds =
        days_from_civil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - offset_seconds;
    i128::from(seconds)
        .checked_mul(i128::from(NANOS_PER_SECOND))
        .map(|ns| ns + i128::from(nanos))
        .and_then(|ns| Time::try_from(ns).ok())
        .ok_or_else(|| fail("outside the range of nanosecond timestamps (years 1677 to 2262)"))
}

/// A forward-only reader over the ASCII of an RFC 3339 string.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn literal(&mut self, expected: u8) -> Option<()> {
        (self.peek()? == expected).then(|| self.pos += 1)
    }

    /// Exactly `count` decimal digits.
    fn digits(&mut self, count: usize) -> Option<i64> {
        let digits = self.bytes.get(self.pos..self.pos + count)?;
        let mut value = 0;
        for &b in digits {
            if !b.is_ascii_digit() {
                return None;
            }
            value = value * 10 + i64::from(b - b'0');
        }
        self.pos += count;
        Some(value)
    }

    /// An optional `.ddd` (or `,ddd`) fraction of a second, in nanoseconds. Digits past the
    /// ninth are read and ignored, as Go does.
    fn fraction(&mut self) -> Option<i64> {
        if !matches!(self.peek(), Some(b'.' | b',')) {
            return Some(0);
        }
        self.pos += 1;
        let start = self.pos;
        let mut nanos = 0;
        while let Some(b) = self.peek().filter(u8::is_ascii_digit) {
            if self.pos - start < 9 {
                nanos = nanos * 10 + i64::from(b - b'0');
            }
            self.pos += 1;
        }
        let count = self.pos - start;
        if count == 0 {
            return None;
        }
        let missing_digits = 9 - count.min(9) as u32;
        Some(nanos * 10_i64.pow(missing_digits))
    }

    /// `Z` or `±hh:mm`, as seconds east of UTC.
    fn offset(&mut self) -> Option<i64> {
        let sign = match self.peek()? {
            b'Z' => {
                self.pos += 1;
                return Some(0);
            }
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        self.pos += 1;
        let hours = self.digits(2).filter(|h| *h < 24)?;
        self.literal(b':')?;
        let minutes = self.digits(2).filter(|m| *m < 60)?;
        Some(sign * (hours * 3600 + minutes * 60))
    }
}

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date of a day counted from 1970-01-01 (inverse of
/// [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Writes `.digits` for a fraction `value / 10^width` without its trailing zeros; nothing when
/// the fraction is zero. This is Go's rule for `Duration.String` (and RFC3339Nano's, which
/// [`Rfc3339Nano`] writes digit by digit).
fn write_fraction(out: &mut impl fmt::Write, mut value: u64, mut width: usize) -> fmt::Result {
    if value == 0 {
        return Ok(());
    }
    while value.is_multiple_of(10) {
        value /= 10;
        width -= 1;
    }
    write!(out, ".{value:0width$}")
}

/// A duration as Go's `time.Duration.String()` spells it (how Kapacitor prints durations in
/// logs, DOT graphs and `%v`): `1h0m0s`, `1m30s`, `1.5s`, `150ms`, `1.5µs`, `100ns`, `0s`.
pub fn format_go_duration(ns: i64) -> String {
    let mut out = String::new();
    let magnitude = ns.unsigned_abs();
    if ns < 0 {
        out.push('-');
    }
    // Writing into a String cannot fail.
    let _ = write_go_duration(&mut out, magnitude);
    out
}

fn write_go_duration(out: &mut String, magnitude: u64) -> fmt::Result {
    use fmt::Write;
    const SECOND: u64 = NANOS_PER_SECOND as u64;
    if magnitude == 0 {
        out.push_str("0s");
        return Ok(());
    }
    if magnitude < SECOND {
        // Below a second Go switches to the largest unit that keeps an integer part.
        let (unit, digits): (&str, u32) = match magnitude {
            0..1_000 => ("ns", 0),
            1_000..1_000_000 => ("µs", 3),
            _ => ("ms", 6),
        };
        let scale = 10_u64.pow(digits);
        write!(out, "{}", magnitude / scale)?;
        write_fraction(out, magnitude % scale, digits as usize)?;
        out.push_str(unit);
        return Ok(());
    }
    let whole_seconds = magnitude / SECOND;
    let minutes = whole_seconds / 60;
    let hours = minutes / 60;
    if hours > 0 {
        write!(out, "{hours}h")?;
    }
    if minutes > 0 {
        write!(out, "{}m", minutes % 60)?;
    }
    write!(out, "{}", whole_seconds % 60)?;
    write_fraction(out, magnitude % SECOND, 9)?;
    out.push('s');
    Ok(())
}

/// A duration as InfluxQL's `FormatDuration` spells it (TICKscript's `string(duration)`, the
/// durations in a task's JSON): the largest unit that divides it exactly, one number, from `w`
/// down to `u`: `5m`, `90s`, `2w`, `1500ms`, `0s`. Sub-microsecond parts are dropped.
pub fn format_influxql_duration(ns: i64) -> String {
    const UNITS: [(i64, &str); 6] = [
        (7 * 24 * 3600 * NANOS_PER_SECOND, "w"),
        (24 * 3600 * NANOS_PER_SECOND, "d"),
        (3600 * NANOS_PER_SECOND, "h"),
        (60 * NANOS_PER_SECOND, "m"),
        (NANOS_PER_SECOND, "s"),
        (1_000_000, "ms"),
    ];
    if ns == 0 {
        return "0s".to_owned();
    }
    let (unit_ns, suffix) = UNITS
        .iter()
        .copied()
        .find(|(unit_ns, _)| ns % unit_ns == 0)
        // Go ends with microseconds whether or not they divide exactly.
        .unwrap_or((1_000, "u"));
    format!("{}{suffix}", ns / unit_ns)
}

/// Now by the wall clock, in nanoseconds since the epoch (for what is stamped or scheduled by
/// the clock rather than by data time).
pub fn wall_clock_now() -> crate::point::Time {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    crate::point::Time::try_from(since_epoch.as_nanos()).unwrap_or(crate::point::Time::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: i64 = NANOS_PER_SECOND;

    #[test]
    fn rfc3339_nano_matches_go() {
        let cases = [
            (1_700_000_000 * SECOND, "2023-11-14T22:13:20Z"),
            (1_700_000_000 * SECOND + 500_000_000, "2023-11-14T22:13:20.5Z"),
            (1_700_000_000 * SECOND + 120_000, "2023-11-14T22:13:20.00012Z"),
            (1_700_000_000 * SECOND + 1, "2023-11-14T22:13:20.000000001Z"),
            (1_700_000_000 * SECOND + 123_456_789, "2023-11-14T22:13:20.123456789Z"),
            (0, "1970-01-01T00:00:00Z"),
            (1_700_000_000, "1970-01-01T00:00:01.7Z"),
            (-SECOND, "1969-12-31T23:59:59Z"),
            (-1, "1969-12-31T23:59:59.999999999Z"),
            (-500_000_000, "1969-12-31T23:59:59.5Z"),
            (951_782_400 * SECOND, "2000-02-29T00:00:00Z"),
            (i64::MAX, "2262-04-11T23:47:16.854775807Z"),
            (i64::MIN, "1677-09-21T00:12:43.145224192Z"),
            (-2_208_988_800 * SECOND, "1900-01-01T00:00:00Z"),
            (4_107_542_400 * SECOND, "2100-03-01T00:00:00Z"),
        ];
        for (ns, expected) in cases {
            assert_eq!(format_rfc3339_nano(ns), expected, "formatting {ns}");
            assert_eq!(parse_rfc3339(expected), Ok(ns), "parsing {expected}");
        }
    }

    proptest::proptest! {
        /// The digit-by-digit text equals the one spelled with `format!`, for any time.
        #[test]
        fn rfc3339_nano_agrees_with_formatting(ns in proptest::prelude::any::<i64>()) {
            let seconds = ns.div_euclid(SECOND);
            let (y, mo, d) = civil_from_days(seconds.div_euclid(SECONDS_PER_DAY));
            let s = seconds.rem_euclid(SECONDS_PER_DAY);
            let fraction = format!("{:09}", ns.rem_euclid(SECOND));
            let fraction = fraction.trim_end_matches('0');
            let dot = if fraction.is_empty() { "" } else { "." };
            let expected = format!(
                "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}{dot}{fraction}Z",
                s / 3600,
                s / 60 % 60,
                s % 60
            );
            proptest::prop_assert_eq!(format_rfc3339_nano(ns), expected.clone());
            proptest::prop_assert_eq!(Rfc3339Nano(ns).to_string(), expected);
        }
    }

    #[test]
    fn civil_dates_round_trip_across_eras() {
        for days in (-200_000..200_000).step_by(97) {
            let (y, m, d) = civil_from_days(days);
            assert!(
                (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m),
                "{days}: {y}-{m}-{d}"
            );
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn rfc3339_parses_offsets_and_fractions() {
        let base = 1_700_000_000 * SECOND;
        assert_eq!(parse_rfc3339("2023-11-14T23:13:20+01:00"), Ok(base));
        assert_eq!(parse_rfc3339("2023-11-14T17:43:20-04:30"), Ok(base));
        assert_eq!(parse_rfc3339("2023-11-14T22:13:20.5Z"), Ok(base + 500_000_000));
        assert_eq!(parse_rfc3339("2023-11-14T22:13:20,25Z"), Ok(base + 250_000_000));
        assert_eq!(parse_rfc3339("2023-11-14T22:13:20.1234567891Z"), Ok(base + 123_456_789));
        assert_eq!(parse_rfc3339("2023-11-14T22:13:20.000Z"), Ok(base));
    }

    #[test]
    fn rfc3339_rejects_malformed_times() {
        let cases = [
            ("", "expected a four-digit year"),
            ("2023-11-14", "expected 'T' between the date and the time"),
            ("2023-11-14 22:13:20Z", "expected 'T' between the date and the time"),
            ("2023-11-14T22:13:20", "expected 'Z' or a ±hh:mm offset"),
            ("2023-11-14t22:13:20Z", "expected 'T' between the date and the time"),
            ("2023-11-14T22:13:20z", "expected 'Z' or a ±hh:mm offset"),
            ("2023-11-14T22:13:20.Z", "expected digits after the decimal point"),
            ("2023-11-14T22:13:20+0100", "expected 'Z' or a ±hh:mm offset"),
            ("2023-11-14T22:13:20+25:00", "expected 'Z' or a ±hh:mm offset"),
            ("2023-13-14T22:13:20Z", "month out of range"),
            ("2023-02-29T22:13:20Z", "day out of range"),
            ("2023-11-00T22:13:20Z", "day out of range"),
            ("2023-11-14T24:00:00Z", "time of day out of range"),
            ("2023-11-14T22:13:60Z", "time of day out of range"),
            ("2023-11-14T22:13:20Zjunk", "unexpected text after the time"),
            (
                "2263-01-01T00:00:00Z",
                "outside the range of nanosecond timestamps (years 1677 to 2262)",
            ),
            (
                "1600-01-01T00:00:00Z",
                "outside the range of nanosecond timestamps (years 1677 to 2262)",
            ),
            ("２023-11-14T22:13:20Z", "expected a four-digit year"),
        ];
        for (input, reason) in cases {
            let err = parse_rfc3339(input).unwrap_err();
            assert_eq!(err.reason, reason, "{input}");
        }
        insta::assert_snapshot!(
            parse_rfc3339("2023-02-29T00:00:00Z").unwrap_err(),
            @r#"invalid RFC 3339 time "2023-02-29T00:00:00Z": day out of range"#
        );
    }

    #[test]
    fn go_duration_strings() {
        let cases = [
            (0, "0s"),
            (1, "1ns"),
            (999, "999ns"),
            (1_000, "1µs"),
            (1_500, "1.5µs"),
            (150_000_000, "150ms"),
            (1_500_000, "1.5ms"),
            (SECOND, "1s"),
            (1_500_000_000, "1.5s"),
            (90 * SECOND, "1m30s"),
            (3600 * SECOND, "1h0m0s"),
            (3661 * SECOND + 1, "1h1m1.000000001s"),
            (-90 * SECOND, "-1m30s"),
            (-1, "-1ns"),
            (100 * 3600 * SECOND, "100h0m0s"),
            (i64::MAX, "2562047h47m16.854775807s"),
            (i64::MIN, "-2562047h47m16.854775808s"),
        ];
        for (ns, expected) in cases {
            assert_eq!(format_go_duration(ns), expected, "{ns}");
        }
    }

    #[test]
    fn influxql_duration_strings() {
        let cases = [
            (0, "0s"),
            (5 * 60 * SECOND, "5m"),
            (90 * SECOND, "90s"),
            (3600 * SECOND, "1h"),
            (86_400 * SECOND, "1d"),
            (14 * 86_400 * SECOND, "2w"),
            (10 * 86_400 * SECOND, "10d"),
            (1_500_000_000, "1500ms"),
            (1_500, "1u"),
            (999, "0u"),
            (2_000, "2u"),
            (-60 * SECOND, "-1m"),
            (-90 * SECOND, "-90s"),
        ];
        for (ns, expected) in cases {
            assert_eq!(format_influxql_duration(ns), expected, "{ns}");
        }
    }

    #[test]
    fn precision_spellings() {
        for (text, precision) in [
            ("n", Precision::Nanosecond),
            ("ns", Precision::Nanosecond),
            ("u", Precision::Microsecond),
            ("µ", Precision::Microsecond),
            ("μ", Precision::Microsecond),
            ("ms", Precision::Millisecond),
            ("s", Precision::Second),
            ("m", Precision::Minute),
            ("h", Precision::Hour),
        ] {
            assert_eq!(text.parse::<Precision>(), Ok(precision), "{text}");
        }
        for text in ["", "us", "S", "x", "sec"] {
            assert!(text.parse::<Precision>().is_err(), "{text}");
            assert_eq!(Precision::from_write_param(text), Precision::Nanosecond);
        }
        assert_eq!(
            "us".parse::<Precision>().unwrap_err().to_string(),
            r#"unknown precision "us": expected one of n, ns, u, µ, ms, s, m, h"#
        );
    }

    #[test]
    fn precision_scales_and_truncates() {
        assert_eq!(Precision::Second.to_nanos(1_700_000_000), Some(1_700_000_000 * SECOND));
        assert_eq!(Precision::Hour.to_nanos(1_700_000_000), None);
        assert_eq!(Precision::Nanosecond.to_nanos(i64::MIN), Some(i64::MIN));
        assert_eq!(Precision::Hour.truncate(3 * 3600 * SECOND + 59), 3 * 3600 * SECOND);
        assert_eq!(Precision::Second.truncate(-1), -SECOND);
        assert_eq!(Precision::Microsecond.truncate(1_999), 1_000);
        assert_eq!(Precision::Nanosecond.truncate(-7), -7);
    }
}
