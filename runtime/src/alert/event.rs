//! An alert event, what handlers receive, and its JSON: the object Kapacitor's log, post, tcp
//! and exec handlers write (`alert.Data`), byte for byte.

use super::level::Level;
use crate::json::{UnsupportedFloat, write_i64, write_str, write_time};
use crate::output::row::{write_batch_row, write_point_row};
use crate::point::{Batch, Fields, Point, Tags, Time};

/// One alert event. Text rendered for the event is owned; the data it is about is borrowed
/// from the point or batch that raised it.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub id: String,
    pub message: String,
    pub details: String,
    pub time: Time,
    /// Nanoseconds since the episode's first event.
    pub duration: i64,
    pub level: Level,
    /// The level of the previous event with the same id (OK for the first).
    pub previous_level: Level,
    /// False under `.noRecoveries()`.
    pub recoverable: bool,
    /// The measurement.
    pub name: &'a str,
    pub task_name: &'a str,
    pub category: Option<&'a str>,
    /// The group as Kapacitor spells it (empty when ungrouped).
    pub group: &'a str,
    /// The point's tags (a batch's: its group's).
    pub tags: &'a Tags,
    /// The fields of the point that set the level.
    pub fields: &'a Fields,
    /// The whole point or batch, shown as the event's `data`.
    pub data: EventSource<'a>,
}

/// The point or batch that raised an event.
#[derive(Debug, Clone, Copy)]
pub enum EventSource<'a> {
    Point(&'a Point),
    Batch(&'a Batch),
}

impl Event<'_> {
    /// The event as the alert JSON line: `{"id",...,"recoverable"}` and a newline, as Go's
    /// `json.Encoder` writes `alert.Data`. Fails as Go's encoder does on a NaN or infinite field.
    pub fn alert_json(&self) -> Result<Vec<u8>, UnsupportedFloat> {
        // The details are escaped again here (the default details are HTML-escaped JSON, whose
        // every quote becomes `\u0026#34;`), and the data row follows: room for both, so the
        // buffer is not reallocated while it fills.
        let mut out = String::with_capacity(512 + 2 * self.details.len() + self.message.len());
        out.push_str("{\"id\":");
        write_str(&mut out, &self.id);
        out.push_str(",\"message\":");
        write_str(&mut out, &self.message);
        out.push_str(",\"details\":");
        write_str(&mut out, &self.details);
        out.push_str(",\"time\":");
        write_time(&mut out, self.time);
        out.push_str(",\"duration\":");
        write_i64(&mut out, self.duration);
        out.push_str(",\"level\":");
        write_str(&mut out, self.level.as_str());
        out.push_str(",\"data\":{\"series\":[");
        match self.data {
            EventSource::Point(p) => write_point_row(&mut out, p)?,
            EventSource::Batch(b) => write_batch_row(&mut out, b)?,
        }
        out.push_str("]},\"previousLevel\":");
        write_str(&mut out, self.previous_level.as_str());
        out.push_str(",\"recoverable\":");
        out.push_str(if self.recoverable { "true" } else { "false" });
        out.push_str("}\n");
        Ok(out.into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::point::{Dimensions, FieldValue, GroupKey};

    fn point(name: &str, tags: &[(&str, &str)], field: (&str, FieldValue), time: Time) -> Point {
        Point {
            database: "db".into(),
            retention_policy: "rp".into(),
            name: name.into(),
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            fields: Fields::from_iter([(field.0.to_owned(), field.1)]),
            time,
            dimensions: Dimensions::default(),
            group: GroupKey::default(),
        }
    }

    fn event(p: &Point) -> Event<'_> {
        Event {
            id: "id".into(),
            message: "message".into(),
            details: "details".into(),
            time: p.time,
            duration: 0,
            level: Level::Critical,
            previous_level: Level::Ok,
            recoverable: true,
            name: &p.name,
            task_name: "task",
            category: None,
            group: "",
            tags: &p.tags,
            fields: &p.fields,
            data: EventSource::Point(p),
        }
    }

    /// Kapacitor's own example (server/server_test.go): a post handler's body.
    #[test]
    fn matches_kapacitors_example_byte_for_byte() {
        let p = point("alert", &[], ("value", FieldValue::Int(1)), 0);
        let json = event(&p).alert_json().unwrap();
        assert_eq!(
            String::from_utf8(json).unwrap(),
            concat!(
                r#"{"id":"id","message":"message","details":"details","time":"1970-01-01T00:00:00Z","duration":0,"level":"CRITICAL","data":{"series":[{"name":"alert","columns":["time","value"],"values":[["1970-01-01T00:00:00Z",1]]}]},"previousLevel":"OK","recoverable":true}"#,
                "\n"
            )
        );
    }

    /// The second line of the getting-started log (kapacitor-observed.md), details aside.
    #[test]
    fn matches_an_observed_recovery_line() {
        let p = point(
            "cpu",
            &[("cpu", "cpu-total"), ("host", "h1")],
            ("usage_idle", FieldValue::Float(90.0)),
            1_795_640_201_681_235_065,
        );
        let mut e = event(&p);
        e.id = "cpu:nil".into();
        e.message = "cpu:nil is OK".into();
        e.details = "{&#34;Name&#34;}\n".into();
        e.duration = 1_000_000_000;
        e.level = Level::Ok;
        e.previous_level = Level::Critical;
        let json = String::from_utf8(e.alert_json().unwrap()).unwrap();
        insta::assert_snapshot!(json, @r#"{"id":"cpu:nil","message":"cpu:nil is OK","details":"{\u0026#34;Name\u0026#34;}\n","time":"2026-11-25T20:56:41.681235065Z","duration":1000000000,"level":"OK","data":{"series":[{"name":"cpu","tags":{"cpu":"cpu-total","host":"h1"},"columns":["time","usage_idle"],"values":[["2026-11-25T20:56:41.681235065Z",90]]}]},"previousLevel":"CRITICAL","recoverable":true}"#);
    }

    #[test]
    fn a_nan_field_cannot_be_encoded() {
        let p = point("m", &[], ("v", FieldValue::Float(f64::NAN)), 0);
        assert!(event(&p).alert_json().is_err());
    }
}
