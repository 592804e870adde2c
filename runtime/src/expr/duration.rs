//! InfluxQL durations as `duration(string, unit)` reads them: sums like `1h30m`, and the units
//! `d` and `w` (they print with `crate::time::format_influxql_duration`).

const MICROSECOND: i64 = 1_000;
const MILLISECOND: i64 = 1_000_000;
const SECOND: i64 = 1_000_000_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const WEEK: i64 = 7 * DAY;

/// Why a duration string was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseDurationError {
    Invalid,
    /// The sum overflowed; InfluxQL names the last term it read.
    Overflow {
        last_term: String,
    },
}

/// Parses an InfluxQL duration: an optional `-`, then one or more `<digits><unit>` terms with
/// units `u`/`µ`, `ms`, `s`, `m`, `h`, `d`, `w`.
pub fn parse_duration(s: &str) -> Result<i64, ParseDurationError> {
    // InfluxQL rejects anything shorter than two bytes ("1", "s") up front.
    if s.len() < 2 {
        return Err(ParseDurationError::Invalid);
    }
    let (negative, mut rest) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let mut total: i64 = 0;
    let mut last_term = String::new();
    while !rest.is_empty() {
        let digits_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .ok_or(ParseDurationError::Invalid)?;
        if digits_end == 0 {
            return Err(ParseDurationError::Invalid);
        }
        let count: i64 = rest[..digits_end]
            .parse()
            .map_err(|_| ParseDurationError::Invalid)?;
        let after_digits = &rest[digits_end..];
        let (unit, unit_len) = if after_digits.starts_with("ms") {
            (MILLISECOND, 2)
        } else {
            let c = after_digits
                .chars()
                .next()
                .ok_or(ParseDurationError::Invalid)?;
            let unit = match c {
                'u' | 'µ' => MICROSECOND,
                's' => SECOND,
                'm' => MINUTE,
                'h' => HOUR,
                'd' => DAY,
                'w' => WEEK,
                _ => return Err(ParseDurationError::Invalid),
            };
            (unit, c.len_utf8())
        };
        // Go's duration arithmetic wraps; InfluxQL only notices an overflow that ends negative.
        total = total.wrapping_add(count.wrapping_mul(unit));
        last_term = rest[..digits_end + unit_len].to_owned();
        rest = &after_digits[unit_len..];
    }
    if total < 0 && !negative {
        return Err(ParseDurationError::Overflow { last_term });
    }
    Ok(if negative {
        total.wrapping_neg()
    } else {
        total
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_terms_and_sums() {
        assert_eq!(parse_duration("1h"), Ok(HOUR));
        assert_eq!(parse_duration("1h30m"), Ok(90 * MINUTE));
        assert_eq!(parse_duration("10ms"), Ok(10 * MILLISECOND));
        assert_eq!(parse_duration("3µ"), Ok(3 * MICROSECOND));
        assert_eq!(parse_duration("2w"), Ok(2 * WEEK));
        assert_eq!(parse_duration("-1d"), Ok(-DAY));
    }

    #[test]
    fn rejects_bad_strings() {
        for bad in ["", "1", "s", "1x", "h1", "1h30", "1.5h", "--1h", "1 h"] {
            assert_eq!(
                parse_duration(bad),
                Err(ParseDurationError::Invalid),
                "{bad:?}"
            );
        }
        assert_eq!(
            parse_duration("9999999999999w"),
            Err(ParseDurationError::Overflow {
                last_term: "9999999999999w".into()
            })
        );
    }
}
