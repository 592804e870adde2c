//! `tickc record stream`: asks the server to record what a task's databases receive for a
//! while, and prints the recording's id.

use jiff::{SignedDuration, Timestamp};

use super::job;
use crate::client::{Client, ClientError, RecordStream};

/// The end of a recording that lasts `duration` (InfluxQL's spelling) from now.
pub fn stop_after(duration: &str) -> Result<Timestamp, String> {
    let nanos = parse_duration(duration)
        .ok_or_else(|| format!("invalid duration {duration:?}: expected e.g. 60s, 10m or 1h30m"))?;
    Timestamp::now()
        .checked_add(SignedDuration::from_nanos(nanos))
        .map_err(|e| format!("cannot record for {duration}: {e}"))
}

pub fn run(client: &Client, request: &RecordStream, no_wait: bool) -> Result<(), ClientError> {
    let recording = client.record_stream(request)?;
    job::finish(recording, no_wait, |link| client.recording(link))
}

/// A duration as InfluxQL (and so Kapacitor's CLI) reads it, in nanoseconds: one or more
/// number-and-unit pairs (`90s`, `1h30m`, `100ms`, `5ns`, `3µs`), maybe negative.
fn parse_duration(text: &str) -> Option<i64> {
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if rest.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(digits);
        let number: i64 = number.parse().ok()?;
        let (unit_nanos, unit_len) = unit(after)?;
        total = total.checked_add(number.checked_mul(unit_nanos)?)?;
        rest = after.get(unit_len..)?;
    }
    Some(if negative { -total } else { total })
}

/// The unit at the start of `text`: its nanoseconds and its length in bytes.
fn unit(text: &str) -> Option<(i64, usize)> {
    const SECOND: i64 = 1_000_000_000;
    let units: [(&str, i64); 9] = [
        ("ns", 1),
        ("ms", 1_000_000),
        ("u", 1_000),
        ("µ", 1_000),
        ("s", SECOND),
        ("m", 60 * SECOND),
        ("h", 3_600 * SECOND),
        ("d", 86_400 * SECOND),
        ("w", 604_800 * SECOND),
    ];
    units
        .iter()
        .find(|(name, _)| text.starts_with(name))
        .map(|(name, nanos)| (*nanos, name.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_influxql_reads_them() {
        assert_eq!(parse_duration("60s"), Some(60_000_000_000));
        assert_eq!(parse_duration("1h30m"), Some(5_400_000_000_000));
        assert_eq!(parse_duration("100ms"), Some(100_000_000));
        assert_eq!(parse_duration("3µ"), Some(3_000));
        assert_eq!(parse_duration("5ns"), Some(5));
        assert_eq!(parse_duration("-2m"), Some(-120_000_000_000));
        assert_eq!(parse_duration("1w"), Some(604_800_000_000_000));
    }

    #[test]
    fn malformed_durations_are_refused() {
        for text in [
            "",
            "-",
            "s",
            "10",
            "10x",
            "1.5s",
            "10s5",
            "99999999999999999999s",
            "30000w",
        ] {
            assert_eq!(parse_duration(text), None, "{text}");
        }
    }
}
