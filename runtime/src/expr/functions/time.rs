//! The time builtins: parts of a time read in the server's local zone (as Kapacitor reads
//! `"time"`), `unixNano` and `now()`.

use std::sync::LazyLock;

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

use super::{Body, CallError, Function, sig};
use crate::expr::value::{Type, Value};

pub static MINUTE: Function = Function::new("minute", Body::TimePart(|t| i64::from(t.minute())));
pub static HOUR: Function = Function::new("hour", Body::TimePart(|t| i64::from(t.hour())));
/// 0 is Sunday.
pub static WEEKDAY: Function = Function::new(
    "weekday",
    Body::TimePart(|t| i64::from(t.weekday().to_sunday_zero_offset())),
);
pub static DAY: Function = Function::new("day", Body::TimePart(|t| i64::from(t.day())));
pub static MONTH: Function = Function::new("month", Body::TimePart(|t| i64::from(t.month())));
pub static YEAR: Function = Function::new("year", Body::TimePart(|t| i64::from(t.year())));
pub static UNIX_NANO: Function = Function::new(
    "unixNano",
    Body::Custom {
        signatures: &[sig(&[Type::Time], Type::Int)],
        call: unix_nano,
    },
);
/// The wall clock, not data time.
pub static NOW: Function = Function::new(
    "now",
    Body::Custom {
        signatures: &[sig(&[], Type::Time)],
        call: now,
    },
);

/// The server's zone: the system's, or UTC when it cannot be determined.
pub fn local_zone() -> &'static TimeZone {
    static ZONE: LazyLock<TimeZone> =
        LazyLock::new(|| TimeZone::try_system().unwrap_or(TimeZone::UTC));
    &ZONE
}

/// The civil time of `nanos` (since the epoch) in `zone`.
pub(super) fn civil_in(zone: &TimeZone, nanos: i64) -> DateTime {
    // Every i64 of nanoseconds (years 1677 to 2262) is within jiff's range.
    let at = Timestamp::from_nanosecond(i128::from(nanos)).unwrap_or(Timestamp::UNIX_EPOCH);
    zone.to_datetime(at)
}

fn unix_nano<'a>(args: &[Value<'a>]) -> Result<Value<'a>, CallError> {
    match args {
        [Value::Time(t)] => Ok(Value::Int(*t)),
        _ => Err(CallError::Signature),
    }
}

fn now<'a>(args: &[Value<'a>]) -> Result<Value<'a>, CallError> {
    match args {
        [] => Ok(Value::Time(
            i64::try_from(Timestamp::now().as_nanosecond()).unwrap_or(i64::MAX),
        )),
        _ => Err(CallError::Signature),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Body, call};
    use super::*;

    /// Reads a part the way a call does, but in a zone the test chooses.
    fn part(f: &Function, zone: &TimeZone, nanos: i64) -> i64 {
        match f.body {
            Body::TimePart(read) => read(&civil_in(zone, nanos)),
            _ => panic!("{} is not a time part", f.name()),
        }
    }

    #[test]
    fn parts_match_the_reference_in_utc() {
        // Conformance case eval_time_functions (the reference ran in UTC).
        let utc = TimeZone::UTC;
        let rows: &[(i64, [i64; 6])] = &[
            (1_700_000_000_000_000_000, [13, 22, 2, 14, 11, 2023]),
            (1_700_435_599_000_000_000, [13, 23, 0, 19, 11, 2023]),
            (1_704_147_200_123_456_789, [13, 22, 1, 1, 1, 2024]),
        ];
        for (nanos, expected) in rows {
            let got =
                [&MINUTE, &HOUR, &WEEKDAY, &DAY, &MONTH, &YEAR].map(|f| part(f, &utc, *nanos));
            assert_eq!(&got, expected, "{nanos}");
        }
    }

    #[test]
    fn parts_follow_the_zone() {
        let tokyo = TimeZone::fixed(jiff::tz::offset(9));
        // 2023-11-14T22:13:20Z is Wednesday 07:13 in UTC+9.
        assert_eq!(part(&HOUR, &tokyo, 1_700_000_000_000_000_000), 7);
        assert_eq!(part(&WEEKDAY, &tokyo, 1_700_000_000_000_000_000), 3);
        assert_eq!(part(&DAY, &tokyo, 1_700_000_000_000_000_000), 15);
    }

    #[test]
    fn calls_take_a_time_only() {
        assert_eq!(call("unixNano", &[Value::Time(42)]), Ok(Value::Int(42)));
        assert!(call("hour", &[Value::Time(0)]).is_ok());
        assert!(call("hour", &[Value::Int(0)]).is_err());
        assert!(matches!(call("now", &[]), Ok(Value::Time(t)) if t > 1_700_000_000_000_000_000));
    }
}
