//! Values spelled as Kapacitor's CLI (a Go program) prints them, so that tickc's output reads the
//! same: RFC 822 dates, `humanize.Bytes` sizes, `%q` strings, `time.Duration` and `%v` floats.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::client::Dbrp;

/// Go's zero time, which Kapacitor sends for "never" (a task never enabled), in RFC 822.
const ZERO_TIME: &str = "01 Jan 01 00:00 UTC";

/// `time.RFC822` (`25 Nov 26 21:48 UTC`) in `zone`; a missing time is Go's zero time.
pub fn rfc822(time: Option<Timestamp>, zone: &TimeZone) -> String {
    match time {
        Some(time) => time
            .to_zoned_datetime(zone.clone())
            .strftime("%d %b %y %H:%M %Z")
            .to_string(),
        None => ZERO_TIME.to_owned(),
    }
}

/// A size as `humanize.Bytes` writes it: SI units, one decimal below 10 (`137 B`, `1.5 kB`).
pub fn bytes(size: i64) -> String {
    const UNITS: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let size = u64::try_from(size).unwrap_or(0);
    if size < 10 {
        return format!("{size} B");
    }
    let mut exponent = 0;
    let mut scaled = size as f64;
    while scaled >= 1000.0 && exponent + 1 < UNITS.len() {
        scaled /= 1000.0;
        exponent += 1;
    }
    let rounded = (scaled * 10.0 + 0.5).floor() / 10.0;
    let unit = UNITS.get(exponent).copied().unwrap_or("EB");
    if rounded < 10.0 {
        format!("{rounded:.1} {unit}")
    } else {
        format!("{rounded:.0} {unit}")
    }
}

/// Go's `%q`: a double-quoted string with Go escapes.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", u32::from(c)))
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A task's databases and retention policies as Go prints the slice: `["telegraf"."autogen"]`.
pub fn dbrps(dbrps: &[Dbrp]) -> String {
    let items: Vec<String> = dbrps
        .iter()
        .map(|d| format!("{}.{}", quote(&d.db), quote(&d.rp)))
        .collect();
    format!("[{}]", items.join(" "))
}

/// A float as Go's `%v` prints it: the shortest digits, with an exponent (`1e+06`) from a
/// million up and below 0.0001.
pub fn float(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    let scientific = format!("{value:e}");
    let Some((mantissa, exponent)) = scientific.split_once('e') else {
        return value.to_string();
    };
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if value == 0.0 || (-4..6).contains(&exponent) {
        return value.to_string();
    }
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc822() {
        let utc = TimeZone::UTC;
        let created: Timestamp = "2026-11-25T21:48:22.828682919Z".parse().unwrap();
        assert_eq!(rfc822(Some(created), &utc), "25 Nov 26 21:48 UTC");
        let zero: Timestamp = "0001-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(rfc822(Some(zero), &utc), ZERO_TIME);
        assert_eq!(rfc822(None, &utc), ZERO_TIME);
    }

    #[test]
    fn sizes_are_humanized_in_si_units() {
        let sizes: Vec<String> = [0, 9, 137, 999, 1000, 1500, 12_345, 999_999, 2_500_000, -1]
            .map(bytes)
            .to_vec();
        insta::assert_snapshot!(sizes.join(" | "), @"0 B | 9 B | 137 B | 999 B | 1.0 kB | 1.5 kB | 12 kB | 1000 kB | 2.5 MB | 0 B");
    }

    #[test]
    fn strings_are_quoted_with_go_escapes() {
        assert_eq!(quote("telegraf"), "\"telegraf\"");
        assert_eq!(quote("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\x01\"");
        let pairs = [
            Dbrp {
                db: "telegraf".into(),
                rp: "autogen".into(),
            },
            Dbrp {
                db: "db2".into(),
                rp: "rp2".into(),
            },
        ];
        assert_eq!(dbrps(&pairs), r#"["telegraf"."autogen" "db2"."rp2"]"#);
        assert_eq!(dbrps(&[]), "[]");
    }

    #[test]
    fn floats_read_as_go_prints_them() {
        let texts: Vec<String> = [
            70.0,
            0.5,
            123_456.0,
            1_000_000.0,
            1.5e-5,
            0.0001,
            0.0,
            -2.25e21,
        ]
        .map(float)
        .to_vec();
        insta::assert_snapshot!(texts.join(" "), @"70 0.5 123456 1e+06 1.5e-05 0.0001 0 -2.25e+21");
    }
}
