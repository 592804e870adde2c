//! Times in test files: offsets from the test's virtual start written as durations (`10s`,
//! `1m30s`, `250ms`), and the same offsets printed back in reports.

use std::fmt::Write;

/// Nanoseconds per unit, longest unit names first so `ms` is not read as `m`.
const UNITS: &[(&str, i64)] = &[
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
    ("d", 86_400_000_000_000),
    ("w", 604_800_000_000_000),
];

/// Reads a duration: one or more `<integer><unit>` parts (`1m30s`), optionally signed; `0` alone
/// is zero. Units: ns, us (µs), ms, s, m, h, d, w.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let invalid = || format!("invalid duration `{text}`: write an integer and a unit, like `10s` or `1m30s` (units: ns, us, ms, s, m, h, d, w)");
    let (negative, mut rest) = match text.trim().strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.trim()),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: i64 = 0;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let (number, after) = rest.split_at(digits);
        let number: i64 = number.parse().map_err(|_| invalid())?;
        let (unit, scale) = UNITS
            .iter()
            .filter(|(unit, _)| after.starts_with(unit))
            .max_by_key(|(unit, _)| unit.len())
            .ok_or_else(invalid)?;
        total = number
            .checked_mul(*scale)
            .and_then(|n| total.checked_add(n))
            .ok_or_else(|| format!("duration `{text}` does not fit in 64-bit nanoseconds"))?;
        rest = &after[unit.len()..];
    }
    Ok(if negative { -total } else { total })
}

/// An offset as a test file would write it: `1m30s`, `250ms`, `0s`.
pub fn format_offset(ns: i64) -> String {
    if ns == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    if ns < 0 {
        out.push('-');
    }
    let mut rest = ns.unsigned_abs();
    for (unit, scale) in [("h", 3_600_000_000_000u64), ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000), ("ns", 1)] {
        if rest >= scale {
            let _ = write!(out, "{}{unit}", rest / scale);
            rest %= scale;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_single_and_compound_units() {
        assert_eq!(parse_duration("10s"), Ok(10_000_000_000));
        assert_eq!(parse_duration("1m30s"), Ok(90_000_000_000));
        assert_eq!(parse_duration("250ms"), Ok(250_000_000));
        assert_eq!(parse_duration("-5m"), Ok(-300_000_000_000));
        assert_eq!(parse_duration("0"), Ok(0));
        assert_eq!(parse_duration("1d"), Ok(86_400_000_000_000));
        assert_eq!(parse_duration("3µs"), Ok(3_000));
    }

    #[test]
    fn refuses_what_is_not_a_duration() {
        for bad in ["", "10", "s", "1.5s", "10x", "1m 30s", "99999999999w"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats_offsets_back() {
        assert_eq!(format_offset(0), "0s");
        assert_eq!(format_offset(90_000_000_000), "1m30s");
        assert_eq!(format_offset(3_600_000_000_000 + 250_000_000), "1h250ms");
        assert_eq!(format_offset(-10_000_000_000), "-10s");
        for text in ["1m30s", "250ms", "2h5s"] {
            assert_eq!(format_offset(parse_duration(text).unwrap()), text);
        }
    }
}
