//! An alert event, what handlers receive, and its JSON: the object Kapacitor's log, post, tcp
//! and exec handlers write (`alert.Data`), byte for byte.

use std::cell::OnceCell;

use super::level::Level;
use crate::json::{UnsupportedFloat, write_i64, write_str, write_time};
use crate::output::row::{write_batch_row, write_point_row};
use crate::point::{Batch, Fields, Point, Tags, Time};
use crate::template::alert_data::{
    EventData, IdData, ServerInfo, default_details, write_default_details_in_json,
};

/// One alert event. Text rendered for the event is owned; the data it is about is borrowed
/// from the point or batch that raised it.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub id: String,
    pub message: String,
    /// The `.details()` text: read it with [`Event::details`].
    pub details: Details,
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
    /// The identity the default details show as `.ServerInfo`.
    pub server: &'a ServerInfo,
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

/// An event's `.details()` text.
#[derive(Debug, Clone, PartialEq)]
pub enum Details {
    /// The script's `.details()` template's.
    Text(String),
    /// Kapacitor's default (the event's data as JSON, HTML-escaped), rendered from the event
    /// when first read. The alert JSON writes it without rendering it: see
    /// [`Event::alert_json`].
    Default(OnceCell<String>),
}

impl Details {
    /// Kapacitor's default, not rendered yet.
    pub fn default_json() -> Details {
        Details::Default(OnceCell::new())
    }
}

impl From<String> for Details {
    fn from(text: String) -> Self {
        Details::Text(text)
    }
}

impl From<&str> for Details {
    fn from(text: &str) -> Self {
        Details::Text(text.to_owned())
    }
}

impl Event<'_> {
    /// The `.details()` text (Kapacitor's default rendered now, the first time).
    pub fn details(&self) -> &str {
        match &self.details {
            Details::Text(text) => text,
            Details::Default(rendered) => {
                rendered.get_or_init(|| default_details(&self.id_data(), &self.event_data(), &self.message))
            }
        }
    }

    /// What the default details show of the node and the group.
    fn id_data(&self) -> IdData<'_> {
        IdData { name: self.name, task_name: self.task_name, group: self.group, tags: self.tags, server: self.server }
    }

    /// What the default details show of the event.
    fn event_data(&self) -> EventData<'_> {
        EventData {
            id: &self.id,
            fields: self.fields,
            level: self.level.as_str(),
            time: self.time,
            duration: self.duration,
        }
    }

    /// The event as the alert JSON line: `{"id",...,"recoverable"}` and a newline, as Go's
    /// `json.Encoder` writes `alert.Data`. Fails as Go's encoder does on a NaN or infinite field.
    pub fn alert_json(&self) -> Result<Vec<u8>, UnsupportedFloat> {
        // The details are escaped again here (the default details are HTML-escaped JSON, whose
        // every quote becomes `\u0026#34;`), and the data row follows: room for both, so the
        // buffer is not reallocated while it fills (the default details, not rendered yet,
        // make room for themselves).
        let rendered = match &self.details {
            Details::Text(text) => Some(text),
            Details::Default(rendered) => rendered.get(),
        };
        let mut out = String::with_capacity(512 + 2 * rendered.map_or(0, String::len) + self.message.len());
        out.push_str("{\"id\":");
        write_str(&mut out, &self.id);
        out.push_str(",\"message\":");
        write_str(&mut out, &self.message);
        out.push_str(",\"details\":");
        match rendered {
            Some(details) => write_str(&mut out, details),
            // Written as the JSON string the rendered text would make, in one pass.
            None => {
                out.push('"');
                write_default_details_in_json(&mut out, &self.id_data(), &self.event_data(), &self.message)?;
                out.push('"');
            }
        }
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
    use crate::template::alert_data::NO_SERVER;

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
            server: &NO_SERVER,
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

    /// The default details written straight into the JSON are the bytes their rendered text
    /// gives there, over tags, fields and texts that need escaping in both layers.
    #[test]
    fn default_details_written_into_the_json_are_their_rendered_text() {
        let mut p = point("cp\"u", &[("host", "<a&b>"), ("note", "it's a+b\\c\u{2028}")], ("v", FieldValue::Float(1e21)), 7);
        p.fields.insert("s", FieldValue::String("x\"y\n€".into()));
        p.fields.insert("i", FieldValue::Int(-3));
        p.fields.insert("b", FieldValue::Bool(true));
        p.fields.insert("tiny", FieldValue::Float(2.5e-10));
        let server = ServerInfo { hostname: "h\"1".into(), cluster_id: "c".into(), server_id: "s".into() };
        let mut e = event(&p);
        e.server = &server;
        e.message = "<b>it's</b> \"down\"".into();
        e.group = "host=<a&b>";
        e.details = Details::default_json();
        let written = e.alert_json().unwrap();
        assert!(matches!(&e.details, Details::Default(d) if d.get().is_none()), "rendered to write it");
        let rendered = e.details().to_owned();
        assert!(rendered.contains("&#34;Name&#34;:&#34;cp\\&#34;u&#34;"), "{rendered}");
        assert_eq!(String::from_utf8(written).unwrap(), String::from_utf8(e.alert_json().unwrap()).unwrap());
        e.details = Details::Text(rendered);
        assert_eq!(e.alert_json().unwrap(), {
            e.details = Details::default_json();
            e.alert_json().unwrap()
        });
    }

    #[test]
    fn a_nan_field_cannot_be_encoded() {
        let p = point("m", &[], ("v", FieldValue::Float(f64::NAN)), 0);
        assert!(event(&p).alert_json().is_err());
    }
}
