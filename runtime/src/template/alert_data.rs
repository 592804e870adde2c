//! The data Kapacitor's alert node gives its templates, laid out field for field as
//! Kapacitor 1.5.7's `idInfo`, `messageInfo` and `detailsInfo` structs: the order matters
//! for `{{ . }}` and for the JSON of the default details template.

use std::sync::Arc;

use crate::point::{Fields, Tags};

use super::value::{MapValue, StructValue, Value};

/// The server identity shown as `.ServerInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerInfo {
    pub hostname: String,
    pub cluster_id: String,
    pub server_id: String,
}

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

fn id_info(d: &IdData<'_>) -> StructValue {
    let group = if d.group.is_empty() { "nil" } else { d.group };
    let server = StructValue::new("kapacitor.serverInfo")
        .field("Hostname", d.server.hostname.as_str())
        .field("ClusterID", d.server.cluster_id.as_str())
        .field("ServerID", d.server.server_id.as_str());
    StructValue::new("kapacitor.idInfo")
        .field("Name", d.name)
        .field("TaskName", d.task_name)
        .field("Group", group)
        .field("Tags", Value::from_tags(d.tags))
        .field("ServerInfo", server)
}

fn message_info(d: &IdData<'_>, e: &EventData<'_>) -> StructValue {
    StructValue::new("kapacitor.messageInfo")
        .embed(id_info(d))
        .field("ID", e.id)
        .field("Fields", Value::from_fields(e.fields))
        .field("Level", e.level)
        .field("Time", Value::Time(e.time))
        .field("Duration", Value::Duration(e.duration))
}

/// The data of the `.id()` template.
pub fn id_data(d: &IdData<'_>) -> Value {
    id_info(d).into()
}

/// The data of the `.message()` template (a `Value::Struct`), which the details data embeds.
pub fn message_data(d: &IdData<'_>, e: &EventData<'_>) -> Arc<StructValue> {
    Arc::new(message_info(d, e))
}

/// The data of the `.details()` template: the message data, shared rather than built again
/// (each event renders both), plus the rendered message.
pub fn details_data(message_data: &Arc<StructValue>, message: &str) -> Value {
    StructValue::new("kapacitor.detailsInfo")
        .embed(message_data.clone())
        .field("Message", message)
        .into()
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
