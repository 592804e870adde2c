//! The data Kapacitor's alert node gives its templates, laid out field for field as
//! Kapacitor 1.5.7's `idInfo`, `messageInfo` and `detailsInfo` structs: the order matters
//! for `{{ . }}` and for the JSON of the default details template.

use std::sync::Arc;

use crate::json::{
    HTML_QUOTE, HTML_QUOTE_IN_JSON, UnsupportedFloat, write_f64, write_i64, write_object,
    write_str_in_html, write_str_in_html_in_json,
};
use crate::point::{FieldValue, Fields, Tags};
use crate::time::write_rfc3339_nano;

use super::Template;
use super::flat::FlatPiece;
use super::value::{MapValue, StructValue, Value};

/// The server identity shown as `.ServerInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerInfo {
    pub hostname: String,
    pub cluster_id: String,
    pub server_id: String,
}

/// No identity, for tests' events.
#[cfg(test)]
pub(crate) static NO_SERVER: ServerInfo =
    ServerInfo { hostname: String::new(), cluster_id: String::new(), server_id: String::new() };

/// What the `.id()` template sees.
#[derive(Debug, Clone, Copy)]
pub struct IdData<'a> {
    /// The measurement.
    pub name: &'a str,
    pub task_name: &'a str,
    /// The group in Kapacitor's spelling (`dc=ams,host=web01`); empty when ungrouped,
    /// which templates see as `nil`.
    pub group: &'a str,
    pub tags: &'a Tags,
    pub server: &'a ServerInfo,
}

impl<'a> IdData<'a> {
    /// The group as the templates see it: `nil` when ungrouped.
    fn group_text(&self) -> &'a str {
        if self.group.is_empty() { "nil" } else { self.group }
    }
}

/// What the `.message()` template adds.
#[derive(Debug, Clone, Copy)]
pub struct EventData<'a> {
    pub id: &'a str,
    pub fields: &'a Fields,
    /// `OK`, `INFO`, `WARNING` or `CRITICAL`.
    pub level: &'a str,
    /// Nanoseconds since the epoch.
    pub time: i64,
    /// Nanoseconds.
    pub duration: i64,
}

/// Which of the data's maps the templates rendering it may read (see [`Template::may_read`]).
/// A map no template can reach is given as nil, which none can tell: the maps are most of what
/// building the data costs, and Kapacitor's default message and details read neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapsRead {
    pub tags: bool,
    pub fields: bool,
}

impl MapsRead {
    /// Both maps, for templates not looked at.
    pub const ALL: MapsRead = MapsRead { tags: true, fields: true };

    /// The maps any of `templates` may read.
    pub fn of<'t>(templates: impl IntoIterator<Item = &'t Template>) -> MapsRead {
        templates.into_iter().fold(
            MapsRead { tags: false, fields: false },
            |read, template| MapsRead {
                tags: read.tags || template.may_read("Tags"),
                fields: read.fields || template.may_read("Fields"),
            },
        )
    }
}

fn id_info(d: &IdData<'_>, maps: MapsRead) -> StructValue {
    let server = StructValue::new("kapacitor.serverInfo")
        .field("Hostname", d.server.hostname.as_str())
        .field("ClusterID", d.server.cluster_id.as_str())
        .field("ServerID", d.server.server_id.as_str());
    StructValue::new("kapacitor.idInfo")
        .field("Name", d.name)
        .field("TaskName", d.task_name)
        .field("Group", d.group_text())
        .field("Tags", if maps.tags { Value::from_tags(d.tags) } else { Value::Nil })
        .field("ServerInfo", server)
}

fn message_info(d: &IdData<'_>, e: &EventData<'_>, maps: MapsRead) -> StructValue {
    let fields = if maps.fields { Value::from_fields(e.fields) } else { Value::Nil };
    StructValue::new("kapacitor.messageInfo")
        .embed(id_info(d, maps))
        .field("ID", e.id)
        .field("Fields", fields)
        .field("Level", e.level)
        .field("Time", Value::Time(e.time))
        .field("Duration", Value::Duration(e.duration))
}

/// The data of the `.id()` template.
pub fn id_data(d: &IdData<'_>) -> Value {
    id_info(d, MapsRead::ALL).into()
}

/// The data of the `.message()` template (a `Value::Struct`), which the details data embeds,
/// with the maps `maps` says the templates may read.
pub fn message_data(d: &IdData<'_>, e: &EventData<'_>, maps: MapsRead) -> Arc<StructValue> {
    Arc::new(message_info(d, e, maps))
}

/// A message template that joins text and the message data's string fields (`.ID`, `.Name`,
/// `.TaskName`, `.Group`, `.Level`), as Kapacitor's default does: rendered by joining those
/// strings, without building the data (most of what rendering the default message cost).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlatMessage(Vec<MessagePiece>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum MessagePiece {
    Text(String),
    Name,
    TaskName,
    Group,
    Id,
    Level,
}

impl FlatMessage {
    /// `template` as a flat message, when it is one (see [`Template::flat`]).
    pub fn of(template: &Template) -> Option<FlatMessage> {
        let pieces = template.flat()?.into_iter().map(|piece| {
            Some(match piece {
                FlatPiece::Text(text) => MessagePiece::Text(text.to_owned()),
                FlatPiece::Field("Name") => MessagePiece::Name,
                FlatPiece::Field("TaskName") => MessagePiece::TaskName,
                FlatPiece::Field("Group") => MessagePiece::Group,
                FlatPiece::Field("ID") => MessagePiece::Id,
                FlatPiece::Field("Level") => MessagePiece::Level,
                FlatPiece::Field(_) => return None,
            })
        });
        pieces.collect::<Option<_>>().map(FlatMessage)
    }

    /// The message, as the template renders it over [`message_data`].
    pub fn render(&self, d: &IdData<'_>, e: &EventData<'_>) -> String {
        let mut out = String::with_capacity(self.0.iter().map(|piece| piece.text(d, e).len()).sum());
        for piece in &self.0 {
            out.push_str(piece.text(d, e));
        }
        out
    }
}

impl MessagePiece {
    fn text<'a>(&'a self, d: &IdData<'a>, e: &EventData<'a>) -> &'a str {
        match self {
            MessagePiece::Text(text) => text,
            MessagePiece::Name => d.name,
            MessagePiece::TaskName => d.task_name,
            MessagePiece::Group => d.group_text(),
            MessagePiece::Id => e.id,
            MessagePiece::Level => e.level,
        }
    }
}

/// The data of the `.details()` template: the message data, shared rather than built again
/// (each event renders both), plus the rendered message.
pub fn details_data(message_data: &Arc<StructValue>, message: &str) -> Value {
    StructValue::new("kapacitor.detailsInfo")
        .embed(message_data.clone())
        .field("Message", message)
        .into()
}

/// Kapacitor's default `.details()`, `{{ json . }}` in html/template, written straight from
/// the data rather than through a [`Value`], the template and a second escaping pass: the
/// JSON of the details data, field for field as [`details_data`] lays it out, as html/template
/// escapes it (every quote `&#34;`). Every event renders its details, and this way costs a
/// fraction of the general one; the tests hold the two to the same bytes.
///
/// Empty when the data has no JSON (a NaN or infinite field), as Kapacitor leaves it when its
/// `json` function fails.
pub fn default_details(d: &IdData<'_>, e: &EventData<'_>, message: &str) -> String {
    let mut out = String::with_capacity(details_size(d, e, message));
    match write_details::<AsHtml>(&mut out, d, e, message) {
        Ok(()) => out,
        Err(UnsupportedFloat(_)) => String::new(),
    }
}

/// Appends [`default_details`]' text as the text of a JSON string (what [`crate::json::write_str`]
/// would write of it, without the quotes), in one pass: how an alert's JSON carries them.
/// Fails on a NaN or infinite field, as the alert's JSON would at its data.
pub fn write_default_details_in_json(
    out: &mut String,
    d: &IdData<'_>,
    e: &EventData<'_>,
    message: &str,
) -> Result<(), UnsupportedFloat> {
    // Escaped twice, the text's quotes take twice the room.
    out.reserve(2 * details_size(d, e, message));
    write_details::<InJson>(out, d, e, message)
}

/// Room for the keys and the text with a few escapes, so the buffer does not grow (which, past
/// a kilobyte, costs more than writing it).
fn details_size(d: &IdData<'_>, e: &EventData<'_>, message: &str) -> usize {
    let server = &d.server;
    let strings = [
        d.name,
        d.task_name,
        d.group,
        e.id,
        message,
        &server.hostname,
        &server.cluster_id,
        &server.server_id,
    ];
    let tags: usize = d.tags.iter().map(|(k, v)| k.len() + v.len() + 24).sum();
    let fields: usize = e.fields.iter().map(|(k, _)| k.len() + 40).sum();
    400 + strings.iter().map(|s| s.len() * 5 / 4).sum::<usize>() + tags + fields
}

/// How the default details' text is written: as html/template shows it ([`AsHtml`]), or as
/// that text is inside a JSON string ([`InJson`]).
trait DetailsText {
    const IN_JSON: bool;

    /// `html` as html/template writes it, or its text in a JSON string.
    fn pick(html: &'static str, in_json: &'static str) -> &'static str {
        if Self::IN_JSON { in_json } else { html }
    }

    /// A string, quoted, as the details show it.
    fn string(out: &mut String, s: &str) {
        if Self::IN_JSON {
            write_str_in_html_in_json(out, s);
        } else {
            write_str_in_html(out, s);
        }
    }
}

struct AsHtml;

impl DetailsText for AsHtml {
    const IN_JSON: bool = false;
}

struct InJson;

impl DetailsText for InJson {
    const IN_JSON: bool = true;
}

fn write_details<W: DetailsText>(
    out: &mut String,
    d: &IdData<'_>,
    e: &EventData<'_>,
    message: &str,
) -> Result<(), UnsupportedFloat> {
    // A key and what precedes it, as one piece of text: `,&#34;Name&#34;:`.
    macro_rules! key {
        ($out:expr, $separator:literal, $name:literal) => {
            $out.push_str(W::pick(
                concat!($separator, "&#34;", $name, "&#34;:"),
                concat!($separator, "\\u0026#34;", $name, "\\u0026#34;:"),
            ))
        };
    }
    let string = W::string;
    key!(out, "{", "Name");
    string(out, d.name);
    key!(out, ",", "TaskName");
    string(out, d.task_name);
    key!(out, ",", "Group");
    string(out, d.group_text());
    key!(out, ",", "Tags");
    // Tags and fields are kept sorted by name, the order Go writes a map's keys in.
    write_object(out, d.tags.iter(), string, |out, value| {
        string(out, value.as_str());
        Ok(())
    })?;
    key!(out, ",", "ServerInfo");
    key!(out, "{", "Hostname");
    string(out, &d.server.hostname);
    key!(out, ",", "ClusterID");
    string(out, &d.server.cluster_id);
    key!(out, ",", "ServerID");
    string(out, &d.server.server_id);
    out.push('}');
    key!(out, ",", "ID");
    string(out, e.id);
    key!(out, ",", "Fields");
    write_object(out, e.fields.iter(), string, |out, value| {
        match value {
            FieldValue::Float(f) => {
                let start = out.len();
                write_f64(out, *f)?;
                // An exponent's sign is the one character of a number HTML escapes.
                if out[start..].contains('+') {
                    let escaped = out[start..].replace('+', W::pick("&#43;", "\\u0026#43;"));
                    out.truncate(start);
                    out.push_str(&escaped);
                }
            }
            FieldValue::Int(i) => write_i64(out, *i),
            FieldValue::String(s) => string(out, s),
            FieldValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        }
        Ok(())
    })?;
    key!(out, ",", "Level");
    string(out, e.level);
    key!(out, ",", "Time");
    // Go's encoder refuses years outside 0..=9999; a nanosecond time never has one.
    let quote = W::pick(HTML_QUOTE, HTML_QUOTE_IN_JSON);
    out.push_str(quote);
    write_rfc3339_nano(out, e.time);
    out.push_str(quote);
    key!(out, ",", "Duration");
    write_i64(out, e.duration);
    key!(out, ",", "Message");
    string(out, message);
    out.push_str(W::pick("}\n", "}\\n"));
    Ok(())
}

/// What handler-side templates see (Kapacitor's `alert.TemplateData`: alerta's resource and
/// friends, and the handlers that template their payloads).
#[derive(Debug, Clone, Copy)]
pub struct HandlerData<'a> {
    pub id: &'a str,
    pub message: &'a str,
    pub level: &'a str,
    pub time: i64,
    pub duration: i64,
    pub details: &'a str,
    pub name: &'a str,
    pub task_name: &'a str,
    /// Passed through as the event carries it.
    pub group: &'a str,
    pub tags: &'a Tags,
    pub fields: &'a Fields,
}

/// The data of a handler-side template.
pub fn handler_data(h: &HandlerData<'_>) -> Value {
    let retype = |v: Value, type_name| match v {
        Value::Map(m) => MapValue::clone(&m).with_type_name(type_name).into(),
        other => other,
    };
    StructValue::new("alert.TemplateData")
        .field("ID", h.id)
        .field("Message", h.message)
        .field("Level", h.level)
        .field("Time", Value::Time(h.time))
        .field("Duration", Value::Duration(h.duration))
        .field("Details", h.details)
        .field("Name", h.name)
        .field("TaskName", h.task_name)
        .field("Group", h.group)
        .field(
            "Tags",
            retype(Value::from_tags(h.tags), "map[string]string"),
        )
        .field(
            "Fields",
            retype(Value::from_fields(h.fields), "map[string]interface {}"),
        )
        .into()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Kapacitor's default details through the general path: the data as a value, the `json`
    /// function, html/template's escaping.
    fn through_the_template(d: &IdData<'_>, e: &EventData<'_>, message: &str) -> String {
        Template::parse_html("{{ json . }}")
            .unwrap()
            .render(&details_data(&message_data(d, e, MapsRead::ALL), message))
            .unwrap()
    }

    /// Text with every character either escaping changes, some multi-byte ones, and plain.
    fn text() -> impl Strategy<Value = String> {
        "([\"'+<>&\\\\\u{0}\u{1f}\u{2028}\u{2029}é€a-z ]|[a-z]{1,8}){0,6}"
    }

    fn field_value() -> impl Strategy<Value = FieldValue> {
        prop_oneof![
            any::<f64>().prop_map(FieldValue::Float),
            prop_oneof![Just(1e21), Just(-3.5e-7), Just(f64::NAN), Just(f64::INFINITY)]
                .prop_map(FieldValue::Float),
            any::<i64>().prop_map(FieldValue::Int),
            text().prop_map(FieldValue::String),
            any::<bool>().prop_map(FieldValue::Bool),
        ]
    }

    proptest! {
        #[test]
        fn default_details_are_the_templates_bytes(
            name in text(),
            group in prop_oneof![Just(String::new()), text()],
            tags in proptest::collection::btree_map(text(), text(), 0..4),
            fields in proptest::collection::btree_map(text(), field_value(), 0..4),
            server in (text(), text(), text()),
            id in text(),
            message in text(),
            time in any::<i64>(),
            duration in any::<i64>(),
        ) {
            let tags: Tags = tags.into_iter().collect();
            let fields = Fields::from_iter(fields);
            let server = ServerInfo { hostname: server.0, cluster_id: server.1, server_id: server.2 };
            let d = IdData { name: &name, task_name: "task's", group: &group, tags: &tags, server: &server };
            let e = EventData { id: &id, fields: &fields, level: "CRITICAL", time, duration };
            prop_assert_eq!(default_details(&d, &e, &message), through_the_template(&d, &e, &message));
        }
    }

    /// Text and the message data's strings, in any order, as a message template.
    fn flat_message_source() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            "[a-z :!<>&\"'-]{0,6}",
            Just("{{ .ID }}".to_owned()),
            Just("{{.Name}}".to_owned()),
            Just("{{ .TaskName -}} ".to_owned()),
            Just(" {{- .Group }}".to_owned()),
            Just("{{ .Level }}".to_owned()),
        ];
        proptest::collection::vec(piece, 0..6).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #[test]
        fn a_flat_message_renders_as_the_template(
            source in flat_message_source(),
            name in text(),
            group in prop_oneof![Just(String::new()), text()],
            id in text(),
        ) {
            let template = Template::parse(&source).unwrap();
            let flat = FlatMessage::of(&template).expect("text and string fields are flat");
            let tags = Tags::default();
            let fields = Fields::default();
            let d = IdData { name: &name, task_name: "t", group: &group, tags: &tags, server: &NO_SERVER };
            let e = EventData { id: &id, fields: &fields, level: "WARNING", time: 0, duration: 0 };
            let general = template.render(&Value::Struct(message_data(&d, &e, MapsRead::ALL))).unwrap();
            prop_assert_eq!(flat.render(&d, &e), general);
        }
    }

    #[test]
    fn messages_reading_other_data_are_not_flat() {
        for source in ["{{ .Time }}", "{{ .Duration }}", "{{ .Tags }}", "{{ .Fields }}", "{{ .ServerInfo }}", "{{ .Missing }}", "{{ .ID | len }}"] {
            assert_eq!(FlatMessage::of(&Template::parse(source).unwrap()), None, "{source}");
        }
    }

    /// Runs `f` over the data of an OK event of `cpu` with one tag and one field.
    fn one_event<R>(
        tag: (&str, &str),
        field: (&str, FieldValue),
        f: impl FnOnce(&IdData<'_>, &EventData<'_>) -> R,
    ) -> R {
        let tags: Tags = [(tag.0.to_owned(), tag.1.to_owned())].into_iter().collect();
        let fields = Fields::from_iter([(field.0.to_owned(), field.1)]);
        let server = ServerInfo::default();
        let d = IdData { name: "cpu", task_name: "cpu_alert", group: "", tags: &tags, server: &server };
        let e = EventData { id: "cpu:nil", fields: &fields, level: "OK", time: 0, duration: 1 };
        f(&d, &e)
    }

    /// Leaving out the maps a template cannot read changes nothing it renders.
    #[test]
    fn templates_render_the_same_without_the_maps_they_cannot_read() {
        let sources = [
            "{{ .ID }} is {{ .Level }}",
            r#"{{ index .Tags "host" }} {{ .Fields.v }}"#,
            "{{ range $k, $v := .Tags }}{{ $k }}{{ end }}",
            "{{ with $x := . }}{{ $x.Fields }}{{ end }}",
            "{{ . }}",
        ];
        for source in sources {
            let template = Template::parse(source).unwrap();
            let maps = MapsRead::of([&template]);
            let render = |maps| {
                one_event(("host", "a"), ("v", FieldValue::Int(7)), |d, e| {
                    template.render(&Value::Struct(message_data(d, e, maps))).unwrap()
                })
            };
            assert_eq!(render(maps), render(MapsRead::ALL), "{source}");
        }
        let default = Template::parse("{{ .ID }} is {{ .Level }}").unwrap();
        assert_eq!(MapsRead::of([&default]), MapsRead { tags: false, fields: false });
    }

    #[test]
    fn default_details_of_a_getting_started_event() {
        let details = one_event(("host", "server01"), ("usage_idle", FieldValue::Float(9.5e21)), |d, e| {
            default_details(d, e, "it's <ok>")
        });
        insta::assert_snapshot!(details, @r#"{&#34;Name&#34;:&#34;cpu&#34;,&#34;TaskName&#34;:&#34;cpu_alert&#34;,&#34;Group&#34;:&#34;nil&#34;,&#34;Tags&#34;:{&#34;host&#34;:&#34;server01&#34;},&#34;ServerInfo&#34;:{&#34;Hostname&#34;:&#34;&#34;,&#34;ClusterID&#34;:&#34;&#34;,&#34;ServerID&#34;:&#34;&#34;},&#34;ID&#34;:&#34;cpu:nil&#34;,&#34;Fields&#34;:{&#34;usage_idle&#34;:9.5e&#43;21},&#34;Level&#34;:&#34;OK&#34;,&#34;Time&#34;:&#34;1970-01-01T00:00:00Z&#34;,&#34;Duration&#34;:1,&#34;Message&#34;:&#34;it&#39;s \u003cok\u003e&#34;}"#);
    }
}
