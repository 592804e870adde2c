//! Writing points as line protocol (influxDBOut, recordings, forwarding).
//!
//! Output follows InfluxDB's own writer: tags and fields in name order, floats in Go's shortest
//! `'f'` form (`1`, `0.5`, never an exponent), integers with `i`, strings quoted.
//! Unlike InfluxDB's writer it escapes every byte the reader unescapes, so names with `"` or `=`
//! survive, and it leads the field set with a field whose key does not start with a tab or a NUL
//! (the reader skips those before a field set; field order means nothing to it).
//! A few names cannot be written faithfully by any writer and are written as they are: a name
//! ending in a backslash, or holding a newline, or with a backslash right before a byte its
//! position escapes (`,`, ` `, `=`, and `"` outside tags); a measurement starting with `#`, a
//! tab or a NUL; and field keys that all start with a tab or a NUL.

use std::fmt::{self, Write};

use super::escape::{NAME_ESCAPES, STRING_ESCAPES, TAG_ESCAPES, push_escaped};
use super::whitespace::skip_whitespace;
use crate::point::{FieldValue, Point};
use crate::time::Precision;

/// Why a point has no line-protocol form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnwritablePoint {
    EmptyMeasurement,
    /// No field with a key and a finite value (line protocol has no NaN or infinity).
    NoFields,
}

impl fmt::Display for UnwritablePoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnwritablePoint::EmptyMeasurement => f.write_str("the point has no measurement name"),
            UnwritablePoint::NoFields => f.write_str("the point has no field that line protocol can carry"),
        }
    }
}

impl std::error::Error for UnwritablePoint {}

fn is_writable_field((key, value): &(&str, &FieldValue)) -> bool {
    !key.is_empty() && !matches!(value, FieldValue::Float(v) if !v.is_finite())
}

/// Appends `point` to `out` as one line ending in `\n`, its timestamp in `precision` units
/// (truncated toward zero, as Go does). Tags with an empty key or value are left out (InfluxDB
/// treats an empty tag as absent), and so are non-finite float fields. Nothing is appended when
/// the point cannot be written.
pub fn write_line(out: &mut String, point: &Point, precision: Precision) -> Result<(), UnwritablePoint> {
    if point.name.is_empty() {
        return Err(UnwritablePoint::EmptyMeasurement);
    }
    if !point.fields.iter().any(|field| is_writable_field(&field)) {
        return Err(UnwritablePoint::NoFields);
    }
    push_escaped(out, &point.name, NAME_ESCAPES);
    for (key, value) in point.tags.iter().filter(|(k, v)| !k.is_empty() && !v.is_empty()) {
        out.push(',');
        push_escaped(out, key, TAG_ESCAPES);
        out.push('=');
        push_escaped(out, value, TAG_ESCAPES);
    }
    let mut separator = ' ';
    for (key, value) in fields_in_writing_order(point) {
        out.push(separator);
        separator = ',';
        push_escaped(out, key, NAME_ESCAPES);
        out.push('=');
        push_value(out, value);
    }
    // Writing into a String cannot fail.
    let _ = writeln!(out, " {}", point.time / precision.nanos());
    Ok(())
}

/// The writable fields of `point` in name order, except that the first is one whose key the
/// reader will not mistake for whitespace before the field set, when there is one.
fn fields_in_writing_order(point: &Point) -> impl Iterator<Item = (&str, &FieldValue)> {
    let writable = || point.fields.iter().filter(is_writable_field);
    let lead = writable()
        .position(|(key, _)| skip_whitespace(key.as_bytes(), 0) == 0)
        .unwrap_or(0);
    let rest = writable()
        .enumerate()
        .filter(move |&(i, _)| i != lead)
        .map(|(_, field)| field);
    writable().nth(lead).into_iter().chain(rest)
}

fn push_value(out: &mut String, value: &FieldValue) {
    // Rust's float Display is the shortest text that reads back to the same value and never
    // uses an exponent: Go's `FormatFloat(v, 'f', -1, 64)`. Writing into a String cannot fail.
    let _ = match value {
        FieldValue::Float(v) => write!(out, "{v}"),
        FieldValue::Int(v) => write!(out, "{v}i"),
        FieldValue::Bool(v) => write!(out, "{v}"),
        FieldValue::String(v) => {
            out.push('"');
            push_escaped(out, v, STRING_ESCAPES);
            out.push('"');
            Ok(())
        }
    };
}

/// `point` as one line of line protocol with a nanosecond timestamp, ending in `\n`.
pub fn to_line_protocol(point: &Point) -> Result<String, UnwritablePoint> {
    let mut line = String::new();
    write_line(&mut line, point, Precision::Nanosecond)?;
    Ok(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lineproto::{lines, parse_body};
    use crate::point::{Dimensions, Fields, GroupKey, Tags};
    use proptest::prelude::*;

    fn point(name: &str, tags: &[(&str, &str)], fields: Vec<(&str, FieldValue)>, time: i64) -> Point {
        Point {
            database: "db".into(),
            retention_policy: "rp".into(),
            name: name.into(),
            tags: tags.iter().map(|&(k, v)| (k.to_owned(), v.to_owned())).collect(),
            fields: fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            time,
            dimensions: Dimensions::default(),
            group: GroupKey::default(),
        }
    }

    #[test]
    fn writes_like_influxdb() {
        let p = point(
            "cpu",
            &[("host", "test host"), ("cpu", "cpu0"), ("empty", "")],
            vec![
                ("usage_idle", FieldValue::Float(95.0)),
                ("note", FieldValue::String(r#"a "q" \ str"#.to_owned())),
                ("n", FieldValue::Int(3)),
                ("ok", FieldValue::Bool(true)),
                ("tiny", FieldValue::Float(1e-7)),
                ("nan", FieldValue::Float(f64::NAN)),
            ],
            1_795_640_115_758_004_160,
        );
        insta::assert_snapshot!(
            to_line_protocol(&p).unwrap(),
            @r#"cpu,cpu=cpu0,host=test\ host n=3i,note="a \"q\" \\ str",ok=true,tiny=0.0000001,usage_idle=95 1795640115758004160"#
        );
        let mut out = String::new();
        write_line(
            &mut out,
            &point("m,x", &[], vec![("k=\"", FieldValue::Float(-0.5))], -1_500_000_000),
            Precision::Second,
        )
        .unwrap();
        assert_eq!(out, "m\\,x k\\=\\\"=-0.5 -1\n");
    }

    #[test]
    fn refuses_points_without_a_line() {
        let no_fields = point("cpu", &[], vec![("v", FieldValue::Float(f64::INFINITY))], 0);
        assert_eq!(to_line_protocol(&no_fields), Err(UnwritablePoint::NoFields));
        let no_name = point("", &[], vec![("v", FieldValue::Int(1))], 0);
        assert_eq!(to_line_protocol(&no_name), Err(UnwritablePoint::EmptyMeasurement));
        let mut out = String::from("kept\n");
        assert!(write_line(&mut out, &no_fields, Precision::Nanosecond).is_err());
        assert_eq!(out, "kept\n");
    }

    #[test]
    fn a_field_key_the_reader_would_skip_into_is_not_written_first() {
        // Found by the lineproto fuzz target: a key starting with NULs (or tabs) came first in
        // the field set, where the reader skips them as whitespace.
        let p = point("tr", &[], vec![("\0\0k", FieldValue::Int(70)), ("\tt", FieldValue::Int(1)), ("f", FieldValue::Float(1.0))], 5);
        let line = to_line_protocol(&p).unwrap();
        assert_eq!(line, "tr f=1,\0\0k=70i,\tt=1i 5\n");
        let parsed: Vec<Point> = parse_body(line.as_bytes(), Precision::Nanosecond)
            .map(|l| l.unwrap().view.to_point("db", "rp", 0))
            .collect();
        assert_eq!(parsed, [p]);
        // With no other field to lead, the key is written as it is (and read without its NULs).
        let alone = point("tr", &[], vec![("\0k", FieldValue::Int(1))], 5);
        assert_eq!(to_line_protocol(&alone).unwrap(), "tr \0k=1i 5\n");
    }

    /// A name that line protocol can carry (see the module docs for those it cannot).
    fn name(special: &'static [u8]) -> impl Strategy<Value = String> {
        "[a-z0-9_ ,=\"\\\\.#é温😀-]{1,12}".prop_filter("unwritable name", move |s| {
            let bytes = s.as_bytes();
            !s.starts_with('#')
                && !s.ends_with('\\')
                && !bytes.windows(2).any(|w| w[0] == b'\\' && special.contains(&w[1]))
        })
    }

    fn field_value() -> impl Strategy<Value = FieldValue> {
        prop_oneof![
            any::<f64>()
                .prop_filter("finite", |v| v.is_finite())
                .prop_map(FieldValue::Float),
            any::<i64>().prop_map(FieldValue::Int),
            any::<bool>().prop_map(FieldValue::Bool),
            any::<String>().prop_map(FieldValue::String),
            "[a\"\\\\\n\r ,=]{0,8}".prop_map(FieldValue::String),
        ]
    }

    fn any_point() -> impl Strategy<Value = Point> {
        (
            name(b", =\""),
            proptest::collection::vec((name(b", ="), name(b", =")), 0..4),
            proptest::collection::vec((name(b", =\"\\"), field_value()), 1..5),
            (i64::MIN + 2)..=(i64::MAX - 1),
        )
            .prop_map(|(name, tags, fields, time)| Point {
                database: "db".into(),
                retention_policy: "rp".into(),
                name: name.into(),
                tags: Tags::from_iter(tags),
                fields: Fields::from_iter(fields),
                time,
                dimensions: Dimensions::default(),
                group: GroupKey::default(),
            })
    }

    proptest! {
        #[test]
        fn points_survive_a_round_trip(points in proptest::collection::vec(any_point(), 1..4)) {
            let mut body = String::new();
            for p in &points {
                write_line(&mut body, p, Precision::Nanosecond).unwrap();
            }
            prop_assert_eq!(lines(body.as_bytes()).count(), points.len());
            let parsed: Vec<Point> = parse_body(body.as_bytes(), Precision::Nanosecond)
                .map(|line| line.map(|l| l.view.to_point("db", "rp", 0)).map_err(|bad| bad.to_string()))
                .collect::<Result<_, _>>()
                .map_err(|e| TestCaseError::fail(format!("{e}\nbody: {body:?}")))?;
            prop_assert_eq!(parsed, points);
        }
    }
}
