//! Go's `time.Time` and `time.Duration` text forms: `String()`, RFC 3339 for JSON, and
//! `Time.Format` with Go's reference-time layouts. Times are UTC (Kapacitor's data times are).

use std::fmt::Write;

const NANOS_PER_SEC: i64 = 1_000_000_000;
const SECS_PER_DAY: i64 = 86_400;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// A UTC instant broken down into calendar fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    /// 1..=12
    pub month: u32,
    /// 1..=31
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub nanosecond: u32,
    /// 0 = Sunday
    pub weekday: u32,
    /// 1..=366
    pub year_day: u32,
}

impl Civil {
    pub fn from_unix_nanos(ns: i64) -> Civil {
        let secs = ns.div_euclid(NANOS_PER_SEC);
        let nanosecond = ns.rem_euclid(NANOS_PER_SEC) as u32;
        let days = secs.div_euclid(SECS_PER_DAY);
        let sod = secs.rem_euclid(SECS_PER_DAY) as u32;
        let (year, month, day) = civil_from_days(days);
        let year_day = (days - days_from_civil(year, 1, 1) + 1) as u32;
        Civil {
            year,
            month,
            day,
            hour: sod / 3600,
            minute: sod / 60 % 60,
            second: sod % 60,
            nanosecond,
            // 1970-01-01 was a Thursday.
            weekday: (days + 4).rem_euclid(7) as u32,
            year_day,
        }
    }

    fn month_name(&self) -> &'static str {
        MONTHS
            .get(self.month as usize - 1)
            .copied()
            .unwrap_or("%!Month")
    }

    fn weekday_name(&self) -> &'static str {
        WEEKDAYS
            .get(self.weekday as usize)
            .copied()
            .unwrap_or("%!Weekday")
    }
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `time.Time.String()` for a UTC time: `2023-11-14 22:13:20.5 +0000 UTC`.
pub fn time_string(ns: i64) -> String {
    format_time(ns, "2006-01-02 15:04:05.999999999 -0700 MST")
}

/// One element of a Go time layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk<'a> {
    Literal(&'a str),
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    TzName,
    /// A numeric zone offset: the text printed for UTC.
    Offset(&'static str),
    /// `.000` (fixed digits) or `.999` (trailing zeros trimmed, omitted when zero).
    Fraction {
        digits: usize,
        trim: bool,
    },
}

/// Splits off the first layout element, following Go's `nextStdChunk` precedence.
fn next_chunk(layout: &str) -> Option<(Chunk<'_>, &str)> {
    if layout.is_empty() {
        return None;
    }
    for (i, _) in layout.char_indices() {
        let rest = &layout[i..];
        if let Some((chunk, len)) = std_chunk_at(rest) {
            if i > 0 {
                return Some((Chunk::Literal(&layout[..i]), rest));
            }
            return Some((chunk, &rest[len..]));
        }
    }
    Some((Chunk::Literal(layout), ""))
}

fn std_chunk_at(s: &str) -> Option<(Chunk<'static>, usize)> {
    const PREFIXED: &[(&str, Chunk<'static>)] = &[
        ("January", Chunk::LongMonth),
        ("Jan", Chunk::Month),
        ("Monday", Chunk::LongWeekDay),
        ("Mon", Chunk::WeekDay),
        ("MST", Chunk::TzName),
        ("01", Chunk::ZeroMonth),
        ("02", Chunk::ZeroDay),
        ("03", Chunk::ZeroHour12),
        ("04", Chunk::ZeroMinute),
        ("05", Chunk::ZeroSecond),
        ("06", Chunk::Year),
        ("15", Chunk::Hour),
        ("1", Chunk::NumMonth),
        ("2006", Chunk::LongYear),
        ("2", Chunk::Day),
        ("_2", Chunk::UnderDay),
        ("3", Chunk::Hour12),
        ("4", Chunk::Minute),
        ("5", Chunk::Second),
        ("PM", Chunk::PM),
        ("pm", Chunk::Pm),
        ("-070000", Chunk::Offset("+000000")),
        ("-07:00:00", Chunk::Offset("+00:00:00")),
        ("-0700", Chunk::Offset("+0000")),
        ("-07:00", Chunk::Offset("+00:00")),
        ("-07", Chunk::Offset("+00")),
        ("Z070000", Chunk::Offset("Z")),
        ("Z07:00:00", Chunk::Offset("Z")),
        ("Z0700", Chunk::Offset("Z")),
        ("Z07:00", Chunk::Offset("Z")),
        ("Z07", Chunk::Offset("Z")),
    ];
    // "_2006" is a literal underscore followed by a year, not a space-padded day.
    if s.starts_with("_2006") {
        return None;
    }
    // "Mon" is not a weekday when followed by a lower-case letter ("Month"), nor "Jan".
    for (text, chunk) in PREFIXED {
        if let Some(after) = s.strip_prefix(text) {
            let short_word = matches!(chunk, Chunk::Month | Chunk::WeekDay);
            if short_word && after.starts_with(|c: char| c.is_ascii_lowercase()) {
                continue;
            }
            return Some((*chunk, text.len()));
        }
    }
    let b = s.as_bytes();
    if b.first() == Some(&b'.')
        && let Some(&digit @ (b'0' | b'9')) = b.get(1)
    {
        let run = b.iter().skip(1).take_while(|&&c| c == digit).count();
        if !b.get(1 + run).is_some_and(u8::is_ascii_digit) {
            return Some((
                Chunk::Fraction {
                    digits: run,
                    trim: digit == b'9',
                },
                1 + run,
            ));
        }
    }
    None
}

/// `time.Time.Format(layout)` for a UTC time.
pub fn format_time(ns: i64, layout: &str) -> String {
    let c = Civil::from_unix_nanos(ns);
    let mut out = String::with_capacity(layout.len() + 10);
    let mut rest = layout;
    while let Some((chunk, after)) = next_chunk(rest) {
        rest = after;
        // Writing to a String cannot fail.
        let _ = match chunk {
            Chunk::Literal(s) => write!(out, "{s}"),
            Chunk::LongMonth => write!(out, "{}", c.month_name()),
            Chunk::Month => write!(out, "{}", c.month_name().get(..3).unwrap_or_default()),
            Chunk::NumMonth => write!(out, "{}", c.month),
            Chunk::ZeroMonth => write!(out, "{:02}", c.month),
            Chunk::LongWeekDay => write!(out, "{}", c.weekday_name()),
            Chunk::WeekDay => write!(out, "{}", c.weekday_name().get(..3).unwrap_or_default()),
            Chunk::Day => write!(out, "{}", c.day),
            Chunk::UnderDay => write!(out, "{:>2}", c.day),
            Chunk::ZeroDay => write!(out, "{:02}", c.day),
            Chunk::Hour => write!(out, "{:02}", c.hour),
            Chunk::Hour12 => write!(out, "{}", hour12(c.hour)),
            Chunk::ZeroHour12 => write!(out, "{:02}", hour12(c.hour)),
            Chunk::Minute => write!(out, "{}", c.minute),
            Chunk::ZeroMinute => write!(out, "{:02}", c.minute),
            Chunk::Second => write!(out, "{}", c.second),
            Chunk::ZeroSecond => write!(out, "{:02}", c.second),
            Chunk::LongYear => write_long_year(&mut out, c.year),
            Chunk::Year => write!(out, "{:02}", c.year.rem_euclid(100)),
            Chunk::PM => write!(out, "{}", if c.hour >= 12 { "PM" } else { "AM" }),
            Chunk::Pm => write!(out, "{}", if c.hour >= 12 { "pm" } else { "am" }),
            Chunk::TzName => write!(out, "UTC"),
            Chunk::Offset(text) => write!(out, "{text}"),
            Chunk::Fraction { digits, trim } => {
                write_fraction(&mut out, c.nanosecond, digits, trim)
            }
        };
    }
    out
}

fn hour12(hour: u32) -> u32 {
    match hour % 12 {
        0 => 12,
        h => h,
    }
}

fn write_long_year(out: &mut String, year: i64) -> std::fmt::Result {
    if year < 0 {
        write!(out, "-{:04}", -year)
    } else {
        write!(out, "{year:04}")
    }
}

fn write_fraction(out: &mut String, nanos: u32, digits: usize, trim: bool) -> std::fmt::Result {
    let all = format!("{nanos:09}");
    let shown = all.get(..digits.min(9)).unwrap_or_default();
    if trim {
        let trimmed = shown.trim_end_matches('0');
        if !trimmed.is_empty() {
            write!(out, ".{trimmed}")?;
        }
        Ok(())
    } else {
        // Go prints at most nine digits of a fixed fraction and pads nothing beyond.
        write!(out, ".{shown}")
    }
}

/// `time.Duration.String()`: `0s`, `1.5s`, `1m0s`, `2h3m4.005s`, `1.5ms`, `100ns`.
pub fn duration_string(d: i64) -> String {
    if d == 0 {
        return "0s".to_owned();
    }
    let mut u = d.unsigned_abs();
    let mut out = String::new();
    if u < NANOS_PER_SEC as u64 {
        let (scale, unit) = match u {
            0..1_000 => (1, "ns"),
            1_000..1_000_000 => (1_000, "µs"),
            _ => (1_000_000, "ms"),
        };
        push_with_fraction(&mut out, u / scale, u % scale, scale);
        out.push_str(unit);
    } else {
        let secs = u / NANOS_PER_SEC as u64;
        push_with_fraction(
            &mut out,
            secs % 60,
            u % NANOS_PER_SEC as u64,
            NANOS_PER_SEC as u64,
        );
        out.push('s');
        u = secs / 60;
        if u > 0 {
            out.insert_str(0, &format!("{}m", u % 60));
            u /= 60;
            if u > 0 {
                out.insert_str(0, &format!("{u}h"));
            }
        }
    }
    if d < 0 {
        out.insert(0, '-');
    }
    out
}

/// `whole.frac` with the fraction's trailing zeros (and a bare point) dropped.
fn push_with_fraction(out: &mut String, whole: u64, frac: u64, scale: u64) {
    let _ = write!(out, "{whole}");
    if frac > 0 {
        let width = scale.ilog10() as usize;
        let digits = format!("{frac:0width$}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_700_000_006_000_000_000; // 2023-11-14 22:13:26 UTC, a Tuesday

    #[test]
    fn time_string_matches_go() {
        assert_eq!(time_string(T), "2023-11-14 22:13:26 +0000 UTC");
        assert_eq!(
            time_string(T + 500_000_000),
            "2023-11-14 22:13:26.5 +0000 UTC"
        );
        assert_eq!(time_string(0), "1970-01-01 00:00:00 +0000 UTC");
        assert_eq!(time_string(-1), "1969-12-31 23:59:59.999999999 +0000 UTC");
    }

    #[test]
    fn layouts() {
        assert_eq!(format_time(T, "2006-01-02"), "2023-11-14");
        assert_eq!(
            format_time(T, "Mon Jan _2 15:04:05 MST 2006"),
            "Tue Nov 14 22:13:26 UTC 2023"
        );
        assert_eq!(
            format_time(T, "Monday, January 2, 2006 3:04PM"),
            "Tuesday, November 14, 2023 10:13PM"
        );
        assert_eq!(
            format_time(T + 1_000_000, "15:04:05.000 -07:00 Z07:00"),
            "22:13:26.001 +00:00 Z"
        );
        assert_eq!(format_time(T, "Month: 1/2/06 pm"), "Month: 11/14/23 pm");
        assert_eq!(format_time(T, "05.999"), "26");
    }

    #[test]
    fn civil_round_trips() {
        for days in [-800_000i64, -1, 0, 59, 60, 365, 11_016, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(Civil::from_unix_nanos(T).year_day, 318);
        assert_eq!(Civil::from_unix_nanos(T).weekday, 2);
    }

    #[test]
    fn duration_strings_match_go() {
        let s = NANOS_PER_SEC;
        let cases = [
            (0, "0s"),
            (1, "1ns"),
            (1_500, "1.5µs"),
            (1_500_000, "1.5ms"),
            (s, "1s"),
            (3 * s / 2, "1.5s"),
            (60 * s, "1m0s"),
            (3600 * s, "1h0m0s"),
            (2 * 3600 * s + 3 * 60 * s + 4 * s + 5_000_000, "2h3m4.005s"),
            (-90 * s, "-1m30s"),
            (i64::MIN, "-2562047h47m16.854775808s"),
        ];
        for (d, want) in cases {
            assert_eq!(duration_string(d), want, "{d}");
        }
    }
}
