//! Kapacitor's result rows (`{"series":[{"name","tags","columns","values"}]}`) as JSON text.
//!
//! A point is one row with all its tags and its fields as columns. A batch is one row whose
//! tags are the group's; its columns are `time`, then the first point's fields and the first
//! point's other tags, sorted together; a later point's extra fields are not shown, and a
//! value a point lacks is `null` (what Kapacitor's rows show, kapacitor-semantics.md).

use crate::json::{write_f64, write_i64, write_str, write_time, UnsupportedFloat};
use crate::point::{Batch, FieldValue, Message, Point, Tags};

fn write_field(out: &mut String, v: &FieldValue) -> Result<(), UnsupportedFloat> {
    match v {
        FieldValue::Float(f) => write_f64(out, *f)?,
        FieldValue::Int(i) => write_i64(out, *i),
        FieldValue::String(s) => write_str(out, s),
        FieldValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
    }
    Ok(())
}

fn write_tags(out: &mut String, tags: &Tags) {
    out.push_str(",\"tags\":{");
    for (i, (k, v)) in tags.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(out, k);
        out.push(':');
        write_str(out, v);
    }
    out.push('}');
}

fn write_columns<'a>(out: &mut String, names: impl Iterator<Item = &'a str>) {
    out.push_str(",\"columns\":[\"time\"");
    for name in names {
        out.push(',');
        write_str(out, name);
    }
    out.push(']');
}

/// Appends one point as a row object.
pub fn write_point_row(out: &mut String, p: &Point) -> Result<(), UnsupportedFloat> {
    out.push_str("{\"name\":");
    write_str(out, &p.name);
    if !p.tags.is_empty() {
        write_tags(out, &p.tags);
    }
    write_columns(out, p.fields.keys());
    out.push_str(",\"values\":[[");
    write_time(out, p.time);
    for (_, v) in p.fields.iter() {
        out.push(',');
        write_field(out, v)?;
    }
    out.push_str("]]}");
    Ok(())
}

/// The columns of a batch row after `time`: the first point's fields and non-group tags, sorted.
fn batch_columns(b: &Batch) -> Vec<&str> {
    let Some(first) = b.points.first() else { return Vec::new() };
    let mut columns: Vec<&str> = first
        .fields
        .keys()
        .chain(first.tags.keys().filter(|k| !b.tags.contains(k)))
        .collect();
    columns.sort_unstable();
    columns.dedup();
    columns
}

/// Appends one batch as a row object.
pub fn write_batch_row(out: &mut String, b: &Batch) -> Result<(), UnsupportedFloat> {
    out.push_str("{\"name\":");
    write_str(out, &b.name);
    if !b.tags.is_empty() {
        write_tags(out, &b.tags);
    }
    if b.points.is_empty() {
        out.push('}');
        return Ok(());
    }
    let columns = batch_columns(b);
    write_columns(out, columns.iter().copied());
    out.push_str(",\"values\":[");
    for (i, p) in b.points.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        write_time(out, p.time);
        for c in &columns {
            out.push(',');
            match (p.fields.get(c), p.tags.get(c)) {
                (Some(v), _) => write_field(out, v)?,
                (None, Some(tag)) => write_str(out, tag),
                (None, None) => out.push_str("null"),
            }
        }
        out.push(']');
    }
    out.push_str("]}");
    Ok(())
}

/// Appends a message as a result: `{"series":[row]}`; a barrier or delete-group has no row.
pub fn write_result(out: &mut String, msg: &Message) -> Result<(), UnsupportedFloat> {
    out.push_str("{\"series\":[");
    match msg {
        Message::Point(p) => write_point_row(out, p)?,
        Message::Batch(b) => write_batch_row(out, b)?,
        Message::Barrier { .. } | Message::DeleteGroup { .. } => {}
    }
    out.push_str("]}");
    Ok(())
}

/// A message as a result, or the error that prevents encoding it (a NaN or infinite field).
pub fn result_json(msg: &Message) -> Result<String, UnsupportedFloat> {
    let mut out = String::with_capacity(256);
    write_result(&mut out, msg)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::point::{BatchPoint, Dimensions, Fields, GroupKey};

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn point() -> Point {
        Point {
            database: "db".into(),
            retention_policy: "rp".into(),
            name: "cpu".into(),
            tags: tags(&[("host", "h1"), ("cpu", "cpu-total")]),
            fields: Fields::from_iter([
                ("usage_idle".to_string(), FieldValue::Float(50.0)),
                ("n".to_string(), FieldValue::Int(3)),
            ]),
            time: 1_700_000_000_000_000_001,
            dimensions: Dimensions::default(),
            group: GroupKey::default(),
        }
    }

    #[test]
    fn point_row_has_all_tags_and_sorted_fields() {
        let json = result_json(&Message::Point(point())).unwrap();
        assert_eq!(
            json,
            r#"{"series":[{"name":"cpu","tags":{"cpu":"cpu-total","host":"h1"},"columns":["time","n","usage_idle"],"values":[["2023-11-14T22:13:20.000000001Z",3,50]]}]}"#
        );
    }

    #[test]
    fn batch_row_shows_group_tags_and_first_point_columns() {
        let b = Batch {
            name: "disk".into(),
            time: 0,
            tags: tags(&[("host", "a")]),
            dimensions: Dimensions { by_measurement: false, tag_names: ["host"].map(crate::point::Str::from).into() },
            group: GroupKey("host=a".into()),
            points: vec![
                BatchPoint {
                    time: 1_700_000_000_000_000_000,
                    fields: Fields::from_iter([("used".to_string(), FieldValue::Float(10.5))]),
                    tags: tags(&[("host", "a"), ("path", "/")]),
                },
                BatchPoint {
                    time: 1_700_000_001_000_000_000,
                    fields: Fields::from_iter([("free".to_string(), FieldValue::Int(1))]),
                    tags: tags(&[("host", "a")]),
                },
            ],
        };
        let json = result_json(&Message::Batch(b)).unwrap();
        assert_eq!(
            json,
            r#"{"series":[{"name":"disk","tags":{"host":"a"},"columns":["time","path","used"],"values":[["2023-11-14T22:13:20Z","/",10.5],["2023-11-14T22:13:21Z",null,null]]}]}"#
        );
    }

    #[test]
    fn empty_batch_is_a_bare_row_and_nan_is_an_error() {
        let mut b = Batch {
            name: "m".into(),
            time: 0,
            tags: Tags::new(),
            dimensions: Dimensions::default(),
            group: GroupKey::default(),
            points: vec![],
        };
        assert_eq!(result_json(&Message::Batch(b.clone())).unwrap(), r#"{"series":[{"name":"m"}]}"#);
        b.points.push(BatchPoint { time: 0, fields: Fields::from_iter([("x".to_string(), FieldValue::Float(f64::NAN))]), tags: Tags::new() });
        assert!(result_json(&Message::Batch(b)).is_err());
    }
}
