//! Durations as Kapacitor reads them in vars (InfluxQL's duration syntax): one or more
//! `<digits><unit>` parts, units `u`/`µ`, `ms`, `s`, `m`, `h`, `d`, `w`, an optional leading
//! `-`; no `ns`, no fractions.

const MICROSECOND: i64 = 1_000;
const MILLISECOND: i64 = 1_000_000;
const SECOND: i64 = 1_000_000_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const WEEK: i64 = 7 * DAY;

/// Nanoseconds of `text` (`"5m"`, `"1h30m"`, `"-10s"`), or why it is not a duration.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let invalid = || format!("{text:?} is not a duration (such as \"90s\", \"5m\" or \"1h30m\")");
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if text.chars().count() < 2 || rest.is_empty() {
        return Err(invalid());
    }
    let mut total: i64 = 0;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let count: i64 = rest[..digits].parse().map_err(|_| invalid())?;
        let after = &rest[digits..];
        let (unit, len) = if after.starts_with("ms") {
            (MILLISECOND, 2)
        } else {
            match after.chars().next() {
                Some(c @ ('u' | 'µ')) => (MICROSECOND, c.len_utf8()),
                Some('s') => (SECOND, 1),
                Some('m') => (MINUTE, 1),
                Some('h') => (HOUR, 1),
                Some('d') => (DAY, 1),
                Some('w') => (WEEK, 1),
                _ => return Err(invalid()),
            }
        };
        total = count
            .checked_mul(unit)
            .and_then(|part| total.checked_add(part))
            .ok_or_else(|| format!("{text:?} is too long a duration"))?;
        rest = &after[len..];
    }
    Ok(if negative { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_sums() {
        assert_eq!(parse_duration("5m"), Ok(5 * MINUTE));
        assert_eq!(parse_duration("1h30m"), Ok(HOUR + 30 * MINUTE));
        assert_eq!(parse_duration("250ms"), Ok(250 * MILLISECOND));
        assert_eq!(parse_duration("3µ"), Ok(3 * MICROSECOND));
        assert_eq!(parse_duration("2w"), Ok(2 * WEEK));
        assert_eq!(parse_duration("-10s"), Ok(-10 * SECOND));
    }

    #[test]
    fn rejects_what_influxql_rejects() {
        for bad in ["", "5", "m", "10ns", "1.5m", "5x", "-", "-m", "5m3"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} parsed");
        }
        assert!(parse_duration("9999999999999w").is_err());
    }
}
