//! One line of line protocol: checked once, then read in place through a borrowed view.

use std::borrow::Cow;

use super::digits::leading_number;
use super::error::{LineError, LineErrorKind};
use super::escape::{NAME_ESCAPES, TAG_ESCAPES, unescape, unescaped_eq};
use super::field::{FieldValueRef, Fields, decode_value, read_fields};
use super::key::{RawTags, Tags, scan_key};
use super::whitespace::skip_whitespace;
use super::series::uncached_point;
use crate::point::{Point, Time};
use crate::time::Precision;

/// The earliest and latest times InfluxDB accepts: it keeps the two lowest and the highest
/// `i64` for itself.
const MIN_TIME: Time = i64::MIN + 2;
const MAX_TIME: Time = i64::MAX - 1;

/// A checked line, borrowing the input. Reading a tag or field decodes only that one, so a
/// task that reads two fields of a twenty-field line pays for two.
#[derive(Debug, Clone, Copy)]
pub struct LineView<'a> {
    /// The measurement and tags as written: what identifies the series.
    series_key: &'a [u8],
    measurement: &'a [u8],
    tags: &'a [u8],
    fields: &'a [u8],
    time: Option<Time>,
    precision: Precision,
}

/// Parses and checks one line (not blank, not a comment, without its line ending: see
/// [`super::parse_body`] for whole bodies). Every field value is checked, so a view's
/// accessors cannot fail; timestamps are read in `precision` units.
pub fn parse_line(line: &[u8], precision: Precision) -> Result<LineView<'_>, LineError> {
    let key = scan_key(line, skip_whitespace(line, 0))?;
    let fields_start = skip_whitespace(line, key.end);
    let fields_end = read_fields(line, fields_start, None, &mut ())?;
    let time = scan_timestamp(line, fields_end, precision)?;
    let slice = |(start, end): (usize, usize)| line.get(start..end).unwrap_or_default();
    Ok(LineView {
        series_key: slice((key.measurement.0, key.tags.1.max(key.measurement.1))),
        measurement: slice(key.measurement),
        tags: slice(key.tags),
        fields: slice((fields_start, fields_end)),
        time,
        precision,
    })
}

/// Reads the optional timestamp after the field set (which ends at `from`), in nanoseconds.
pub(crate) fn scan_timestamp(line: &[u8], from: usize, precision: Precision) -> Result<Option<Time>, LineError> {
    let start = skip_whitespace(line, from);
    let rest = line.get(start..).unwrap_or_default();
    let (negative, unsigned) = match rest.split_first() {
        Some((b'-', unsigned)) => (true, unsigned),
        _ => (false, rest),
    };
    let (digit_count, magnitude) = leading_number(unsigned);
    let after = unsigned.get(digit_count..).unwrap_or_default();
    let end = start + usize::from(negative) + digit_count;
    // Only a space may end the timestamp (`skip_whitespace` took any before it).
    if after.first().is_some_and(|&b| b != b' ') {
        return Err(LineError::new(LineErrorKind::BadTimestamp, end));
    }
    if end == start {
        return Ok(None);
    }
    if let Some(extra) = after.iter().position(|&b| b != b' ') {
        return Err(LineError::new(LineErrorKind::TrailingText, end + extra));
    }
    if digit_count == 0 {
        // A lone `-` is a syntax error.
        return Err(LineError::new(LineErrorKind::BadTimestamp, start));
    }
    let timestamp = magnitude.and_then(|m| {
        if negative { 0_i64.checked_sub_unsigned(m) } else { i64::try_from(m).ok() }
    });
    in_range(timestamp, precision, start).map(Some)
}

/// A timestamp's value (`None`: beyond `i64`) in nanoseconds, if InfluxDB's time range holds
/// it; errors point at the timestamp's `start`.
fn in_range(timestamp: Option<i64>, precision: Precision, start: usize) -> Result<Time, LineError> {
    let timestamp = timestamp.ok_or(LineError::new(LineErrorKind::TimestampOutOfRange, start))?;
    precision
        .to_nanos(timestamp)
        .filter(|t| (MIN_TIME..=MAX_TIME).contains(t))
        .ok_or(LineError::new(LineErrorKind::TimeOutsideRange, start))
}

impl<'a> LineView<'a> {
    /// The measurement and tags as written (escapes unresolved): equal for every line of one
    /// series, so it identifies the series without decoding it.
    pub fn series_key(&self) -> &'a [u8] {
        self.series_key
    }

    /// The measurement, unescaped.
    pub fn measurement(&self) -> Cow<'a, str> {
        unescape(self.measurement, NAME_ESCAPES)
    }

    /// Whether the measurement is `name`, without allocating.
    pub fn measurement_is(&self, name: &str) -> bool {
        unescaped_eq(self.measurement, NAME_ESCAPES, name)
    }

    /// The tags, unescaped, in the order written (no key appears twice).
    pub fn tags(&self) -> Tags<'a> {
        Tags::new(self.tags)
    }

    /// The value of tag `key`.
    pub fn tag(&self, key: &str) -> Option<Cow<'a, str>> {
        RawTags::new(self.tags)
            .find(|(raw_key, _, _)| unescaped_eq(raw_key, TAG_ESCAPES, key))
            .map(|(_, raw_value, _)| unescape(raw_value, TAG_ESCAPES))
    }

    /// The field set as written.
    pub(crate) fn raw_fields(&self) -> &'a [u8] {
        self.fields
    }

    /// The fields, unescaped, in the order written; a key written twice appears twice.
    pub fn fields(&self) -> Fields<'a> {
        Fields::new(self.fields)
    }

    /// The value of field `key` (the last one when the key is written twice).
    pub fn field(&self, key: &str) -> Option<FieldValueRef<'a>> {
        let mut fields = Fields::new(self.fields);
        let mut found = None;
        while let Some(field) = fields.next_raw() {
            if unescaped_eq(field.key, NAME_ESCAPES, key) {
                found = Some(field.value);
            }
        }
        decode_value(found?).ok()
    }

    /// The timestamp in nanoseconds, if the line has one.
    pub fn time(&self) -> Option<Time> {
        self.time
    }

    /// The timestamp, or `now` rounded down to the precision when the line has none (as
    /// InfluxDB stamps such lines with the server's time).
    pub fn time_or(&self, now: Time) -> Time {
        self.time.unwrap_or_else(|| self.precision.truncate(now))
    }

    /// The whole point, every tag and field decoded. A field written twice keeps its last value.
    /// Ingest builds points through a [`super::SeriesCache`] instead, which shares the names
    /// of each series between its points.
    pub fn to_point(&self, database: &str, retention_policy: &str, now: Time) -> Point {
        uncached_point(self, &database.into(), &retention_policy.into(), now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::point::FieldValue;

    const NOW: Time = 1_795_640_115_758_004_160;

    fn parse(line: &str) -> Result<LineView<'_>, LineError> {
        parse_line(line.as_bytes(), Precision::Nanosecond)
    }

    fn error(line: &str) -> String {
        parse(line).unwrap_err().to_string()
    }

    #[test]
    fn reads_a_line_in_place() {
        let view = parse(r#"cpu,host=a,region=eu value=1.5,n=3i,ok=t,msg="hi there" 1700000000000000000"#).unwrap();
        assert_eq!(view.measurement(), "cpu");
        assert!(view.measurement_is("cpu") && !view.measurement_is("mem"));
        assert_eq!(view.tag("region").as_deref(), Some("eu"));
        assert_eq!(view.tag("zone"), None);
        assert_eq!(view.field("n"), Some(FieldValueRef::Int(3)));
        assert_eq!(view.field("msg"), Some(FieldValueRef::String("hi there".into())));
        assert_eq!(view.field("missing"), None);
        assert_eq!(view.time(), Some(1_700_000_000_000_000_000));
        assert_eq!(view.fields().count(), 4);
        assert_eq!(view.tags().count(), 2);
    }

    #[test]
    fn builds_a_point() {
        let point = parse("cpu,z=1,a=2 value=2,value=5,k=\"s\" 1700000001000000000")
            .unwrap()
            .to_point("telegraf", "autogen", NOW);
        assert_eq!(point.database, "telegraf");
        assert_eq!(point.retention_policy, "autogen");
        assert_eq!(point.name, "cpu");
        assert_eq!(point.tags.keys().collect::<Vec<_>>(), ["a", "z"]);
        assert_eq!(point.fields.get("value"), Some(&FieldValue::Float(5.0)));
        assert_eq!(point.fields.get("k"), Some(&FieldValue::String("s".into())));
        assert_eq!(point.time, 1_700_000_001_000_000_000);
    }

    #[test]
    fn timestamps_and_precision() {
        let at = |line: &str, precision| parse_line(line.as_bytes(), precision).map(|v| v.time_or(NOW));
        assert_eq!(
            at("cpu v=1 1700000000", Precision::Second),
            Ok(1_700_000_000_000_000_000)
        );
        assert_eq!(at("cpu v=1 1700000000", Precision::Microsecond), Ok(1_700_000_000_000));
        assert_eq!(
            at("cpu v=1 1700000000", Precision::Millisecond),
            Ok(1_700_000_000_000_000)
        );
        assert_eq!(at("cpu v=1 -1000000000", Precision::Nanosecond), Ok(-1_000_000_000));
        assert_eq!(
            at("cpu v=1   1700000000   ", Precision::Second),
            Ok(1_700_000_000_000_000_000)
        );
        assert_eq!(at("cpu v=1", Precision::Nanosecond), Ok(NOW));
        assert_eq!(
            at("cpu v=1  ", Precision::Hour),
            Ok(NOW - NOW.rem_euclid(3_600_000_000_000))
        );
        assert_eq!(
            at("cpu v=1", Precision::Second),
            Ok(NOW - NOW.rem_euclid(1_000_000_000))
        );
        assert_eq!(
            at("cpu v=1 1700000000", Precision::Minute).unwrap_err().kind,
            LineErrorKind::TimeOutsideRange
        );
        assert_eq!(
            at("cpu v=1 1700000000", Precision::Hour).unwrap_err().kind,
            LineErrorKind::TimeOutsideRange
        );
        assert_eq!(
            at("cpu v=1 1700000000000000000", Precision::Second).unwrap_err().kind,
            LineErrorKind::TimeOutsideRange
        );
    }

    /// The timestamp rules written plainly: digits accumulated with overflow checks.
    fn reference_timestamp(line: &[u8], precision: Precision) -> Result<Option<Time>, LineError> {
        let start = skip_whitespace(line, 0);
        let negative = line.get(start) == Some(&b'-');
        let mut end = start + usize::from(negative);
        let mut below_zero = Some(0_i64);
        while let Some(&b) = line.get(end) {
            match b {
                b' ' => break,
                b'0'..=b'9' => {
                    below_zero = below_zero
                        .and_then(|v| v.checked_mul(10))
                        .and_then(|v| v.checked_sub(i64::from(b - b'0')));
                }
                _ => return Err(LineError::new(LineErrorKind::BadTimestamp, end)),
            }
            end += 1;
        }
        if end == start {
            return Ok(None);
        }
        if let Some(extra) = (end..line.len()).find(|&i| line[i] != b' ') {
            return Err(LineError::new(LineErrorKind::TrailingText, extra));
        }
        if end == start + 1 && negative {
            return Err(LineError::new(LineErrorKind::BadTimestamp, start));
        }
        let timestamp = if negative { below_zero } else { below_zero.and_then(i64::checked_neg) };
        in_range(timestamp, precision, start).map(Some)
    }

    fn precision() -> impl proptest::strategy::Strategy<Value = Precision> {
        proptest::sample::select(vec![Precision::Nanosecond, Precision::Second, Precision::Hour])
    }

    proptest::proptest! {
        /// Timestamp-like text (signs, leading zeros, up to 30 digits, trailing blanks or
        /// junk), and any text of those characters.
        #[test]
        fn timestamps_read_as_the_checked_reference_reads_them(
            text in proptest::prop_oneof![
                "[ \t]{0,2}-?(0{0,12}|[1-9])[0-9]{0,29}( {0,2}|[ x\t-]{0,3})",
                r"[0-9 \t\-x]{0,30}",
            ],
            precision in precision(),
        ) {
            proptest::prop_assert_eq!(
                scan_timestamp(text.as_bytes(), 0, precision),
                reference_timestamp(text.as_bytes(), precision),
                "{:?}", text
            );
        }
    }

    #[test]
    fn timestamps_at_the_edges_of_i64() {
        for text in [
            "9223372036854775806",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775806",
            "-9223372036854775808",
            "-9223372036854775809",
            "18446744073709551615",
            "18446744073709551616",
            "00000000000000000000000000042",
            "-0000000000000000000009223372036854775806",
            "9999999999999999999",
        ] {
            assert_eq!(
                scan_timestamp(text.as_bytes(), 0, Precision::Nanosecond),
                reference_timestamp(text.as_bytes(), Precision::Nanosecond),
                "{text}"
            );
        }
    }

    #[test]
    fn errors_say_what_and_where() {
        insta::assert_snapshot!(error("cpu,k=mid"), @"missing fields at byte 9");
        insta::assert_snapshot!(error("cpu,k=mid 1700000001000000000"), @"invalid field format (expected key=value) at byte 29");
        insta::assert_snapshot!(error("value=2 1700000001000000000"), @"invalid field format (expected key=value) at byte 27");
        insta::assert_snapshot!(error("cpu,k=mid value=1x 1700000001000000000"), @"invalid number at byte 16");
        insta::assert_snapshot!(error("cpu,k=mid value=2 abc"), @"bad timestamp (expected an integer) at byte 18");
        insta::assert_snapshot!(error("cpu,k=mid value=2 1.5"), @"bad timestamp (expected an integer) at byte 19");
        insta::assert_snapshot!(error("cpu,k=mid value=2 -"), @"bad timestamp (expected an integer) at byte 18");
        insta::assert_snapshot!(error("cpu,k=mid value=2 99999999999999999999"), @"timestamp out of range for a 64-bit integer at byte 18");
        insta::assert_snapshot!(error("cpu,k=mid value=2 9223372036854775807"), @"time outside range -9223372036854775806 - 9223372036854775806 at byte 18");
        insta::assert_snapshot!(error("cpu,k=mid value=2 -9223372036854775808"), @"time outside range -9223372036854775806 - 9223372036854775806 at byte 18");
        insta::assert_snapshot!(error("cpu,k=mid value=2 1700000001000000000 5"), @"point is invalid (unexpected text after the timestamp) at byte 38");
        insta::assert_snapshot!(error("cpu,k=mid value=2 1700000001000000000\t"), @"bad timestamp (expected an integer) at byte 37");
        insta::assert_snapshot!(error(r#"cpu,k=mid s="abc 1700000001000000000"#), @"unbalanced quotes at byte 12");
        insta::assert_snapshot!(error("cpu,k=mid,k=other value=2"), @r#"duplicate tags: "k" appears more than once at byte 10"#);
        insta::assert_snapshot!(error("cpu,k=mid value=1e400"), @"invalid float (out of range) at byte 16");
    }

    #[test]
    fn accepts_what_influxdb_accepts() {
        for line in [
            "  cpu,k=mid value=2 1700000001000000000",
            "\tcpu value=2",
            "cpu,k=mid value=2  1700000001000000000",
            "cpu,k=mid value=2 1700000001000000000   ",
            "cpu,k=mid \t value=2",
            "cpu,k=mid time=2 1700000001000000000",
            "cpu,k=mid,time=x value=2",
            r"\#cpu,k=esc v=1",
            "c=pu,k=esc v=1",
            "cpu,k=a\u{0}b v=1",
        ] {
            assert!(parse(line).is_ok(), "{line}");
        }
        assert_eq!(parse(r"\#cpu v=1").unwrap().measurement(), r"\#cpu");
        assert_eq!(parse(r"c\\pu v=1").unwrap().measurement(), r"c\\pu");
        assert_eq!(parse(r"c\,p\ u v=1").unwrap().measurement(), "c,p u");
        let view = parse_line(b"cpu,k=\xff\xfe v=1", Precision::Nanosecond).unwrap();
        assert_eq!(view.tag("k").as_deref(), Some("\u{fffd}\u{fffd}"));
    }
}
