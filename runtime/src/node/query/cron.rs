//! Cron schedules for batch queries, read as Kapacitor's cron library reads them and evaluated
//! in the machine's time zone, as Kapacitor does.
//!
//! croner does the matching; it searches over any type that tells it the wall clock, so the
//! runtime's own jiff provides that through [`LocalTime`].

use std::cmp::Ordering;

use croner::errors::CronError;
use croner::parser::{CronParser, Seconds, Year};
use croner::{CivilDate, CivilDateTime, CivilTime, Cron, CronDateTime, Resolution, Weekday};
use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp, ZonedDateTime};

use crate::point::Time;

/// A cron expression that could not be parsed; `reason` says why.
#[derive(Debug, Clone, PartialEq)]
pub struct BadCron {
    pub reason: String,
}

/// Parses a cron expression as Kapacitor's cron library reads it: five fields (minutes to
/// days of the week, seconds 0), six (a year added after them), seven (seconds first, then
/// the year last), or an `@` nickname such as `@hourly`.
pub fn parse_cron(expression: &str) -> Result<Cron, BadCron> {
    let trimmed = expression.trim();
    let pattern = match trimmed.split_whitespace().count() {
        _ if trimmed.starts_with('@') => trimmed.to_owned(),
        5 | 6 => format!("0 {trimmed}"),
        7 => trimmed.to_owned(),
        n => {
            return Err(BadCron {
                reason: format!("expected 5 to 7 fields, got {n}"),
            });
        }
    };
    CronParser::builder()
        .seconds(Seconds::Required)
        .year(Year::Optional)
        .build()
        .parse(&pattern)
        .map_err(|e| BadCron {
            reason: e.to_string(),
        })
}

/// The first match of `cron` strictly after `time`, in the machine's time zone; none when the
/// expression never matches again.
pub fn next_cron_match(cron: &Cron, time: Time) -> Option<Time> {
    let timestamp = Timestamp::from_nanosecond(i128::from(time)).ok()?;
    let start = LocalTime(timestamp.to_zoned_datetime(TimeZone::system()));
    let next = cron.find_next_occurrence(&start, false).ok()?;
    Time::try_from(next.0.timestamp().as_nanosecond()).ok()
}

/// A zoned time croner can search over.
#[derive(Debug, Clone)]
struct LocalTime(ZonedDateTime);

impl CronDateTime for LocalTime {
    fn to_civil(&self) -> CivilDateTime {
        let t = self.0.datetime();
        // jiff keeps every part in range, so croner's unchecked constructors are safe here.
        CivilDateTime::new(
            CivilDate::from_parts_unchecked(i32::from(t.year()), t.month() as u32, t.day() as u32),
            CivilTime::from_parts_unchecked(t.hour() as u32, t.minute() as u32, t.second() as u32),
        )
    }

    fn civil_weekday(&self) -> Weekday {
        Weekday::from_days_from_sunday(self.0.weekday().to_sunday_zero_offset() as u32)
    }

    fn resolve_civil(&self, civil: CivilDateTime) -> Result<Resolution<Self>, CronError> {
        let year = i16::try_from(civil.year()).map_err(|_| CronError::InvalidDate)?;
        let datetime = DateTime::new(
            year,
            civil.month() as i8,
            civil.day() as i8,
            civil.hour() as i8,
            civil.minute() as i8,
            civil.second() as i8,
            0,
        )
        .map_err(|_| CronError::InvalidDate)?;
        let ambiguous = self.0.time_zone().to_ambiguous_zoned_datetime(datetime);
        Ok(match ambiguous.offset() {
            AmbiguousOffset::Unambiguous { .. } => Resolution::Single(LocalTime(
                ambiguous
                    .unambiguous()
                    .map_err(|_| CronError::InvalidTime)?,
            )),
            AmbiguousOffset::Fold { .. } => {
                let earlier = ambiguous
                    .clone()
                    .earlier()
                    .map_err(|_| CronError::InvalidTime)?;
                let later = ambiguous.later().map_err(|_| CronError::InvalidTime)?;
                Resolution::Ambiguous(LocalTime(earlier), LocalTime(later))
            }
            AmbiguousOffset::Gap { .. } => Resolution::Gap,
        })
    }

    fn checked_add_seconds(&self, seconds: i64) -> Option<Self> {
        self.0
            .checked_add(SignedDuration::from_secs(seconds))
            .ok()
            .map(LocalTime)
    }

    fn cmp_instant(&self, other: &Self) -> Ordering {
        self.0.timestamp().cmp(&other.0.timestamp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_rfc3339;

    fn next(expression: &str, after: &str) -> Option<String> {
        let cron = parse_cron(expression).unwrap();
        let utc = TimeZone::UTC;
        let after = Timestamp::from_nanosecond(i128::from(parse_rfc3339(after).unwrap())).unwrap();
        let next = cron
            .find_next_occurrence(&LocalTime(after.to_zoned_datetime(utc)), false)
            .ok()?;
        Some(crate::time::format_rfc3339_nano(
            next.0.timestamp().as_nanosecond() as i64,
        ))
    }

    #[test]
    fn field_counts_follow_kapacitors_cron_library() {
        assert_eq!(
            next("*/15 * * * *", "2023-11-14T22:15:30Z").as_deref(),
            Some("2023-11-14T22:30:00Z")
        );
        assert_eq!(
            next("10 * * * * * *", "2023-11-14T22:15:30Z").as_deref(),
            Some("2023-11-14T22:16:10Z")
        );
        // Six fields end with a year.
        assert_eq!(
            next("0 0 1 1 * 2030", "2023-11-14T22:15:30Z").as_deref(),
            Some("2030-01-01T00:00:00Z")
        );
        assert_eq!(next("* * * * * 2020", "2023-11-14T22:15:30Z"), None);
        assert_eq!(
            next("@hourly", "2023-11-14T22:15:30Z").as_deref(),
            Some("2023-11-14T23:00:00Z")
        );
        assert_eq!(
            next("0 12 * * MON", "2023-11-14T22:15:30Z").as_deref(),
            Some("2023-11-20T12:00:00Z")
        );
    }

    #[test]
    fn bad_expressions() {
        assert_eq!(
            parse_cron("* * *").unwrap_err().reason,
            "expected 5 to 7 fields, got 3"
        );
        assert!(parse_cron("61 * * * *").is_err());
        assert!(parse_cron("* * * * * * * *").is_err());
    }
}
