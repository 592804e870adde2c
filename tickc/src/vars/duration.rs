//! Durations as Kapacitor reads them in vars: InfluxQL's duration syntax (`5m`, `1h30m`, `-10s`;
//! no `ns`, no fractions), parsed by the runtime's InfluxQL duration parser so vars and
//! `duration()` in lambdas agree.

use tick_runtime::expr::duration::{ParseDurationError, parse_duration as parse_influxql};

/// Nanoseconds of `text` (`"5m"`, `"1h30m"`, `"-10s"`), or why it is not a duration.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    parse_influxql(text).map_err(|e| match e {
        ParseDurationError::Invalid => {
            format!("{text:?} is not a duration (such as \"90s\", \"5m\" or \"1h30m\")")
        }
        ParseDurationError::Overflow { .. } => format!("{text:?} is too long a duration"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: i64 = 1_000_000_000;

    #[test]
    fn units_and_sums() {
        assert_eq!(parse_duration("5m"), Ok(300 * SECOND));
        assert_eq!(parse_duration("1h30m"), Ok(5400 * SECOND));
        assert_eq!(parse_duration("250ms"), Ok(SECOND / 4));
        assert_eq!(parse_duration("3µ"), Ok(3_000));
        assert_eq!(parse_duration("2w"), Ok(14 * 86_400 * SECOND));
        assert_eq!(parse_duration("-10s"), Ok(-10 * SECOND));
    }

    #[test]
    fn rejects_what_influxql_rejects() {
        for bad in ["", "5", "m", "10ns", "1.5m", "5x", "-", "-m", "5m3"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} parsed");
        }
        assert!(parse_duration("9999999999999w").unwrap_err().contains("too long"));
    }
}
