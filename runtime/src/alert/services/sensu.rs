//! `.sensu()`: a check result written to a Sensu client's socket, one JSON object a line.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::json_object::{JsonObject, Scalar};
use super::{
    PropertyTemplate, SendError, ServicesConfig, check_enabled, or, or_list, template_data,
};
use crate::alert::event::Event;
use crate::alert::handlers::HandlerError;
use crate::alert::level::Level;
use crate::delivery::Delivery;

/// The `[sensu]` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct SensuConfig {
    pub enabled: bool,
    /// The client's `host:port`.
    pub addr: String,
    pub source: String,
    pub handlers: Vec<String>,
}

impl Default for SensuConfig {
    fn default() -> Self {
        SensuConfig {
            enabled: false,
            addr: String::new(),
            source: "Kapacitor".to_owned(),
            handlers: Vec::new(),
        }
    }
}

/// `.sensu()` with its properties: `source` is a template, `metadata` the `.metadata(k, v)`
/// pairs in script order (a later key replaces an earlier one).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sensu {
    pub source: String,
    pub handlers: Vec<String>,
    pub metadata: Vec<(String, Scalar)>,
}

/// `.sensu()` bound to `[sensu]`, its source template parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct SensuHandler {
    source: PropertyTemplate,
    handlers: Vec<String>,
    metadata: BTreeMap<String, Scalar>,
    config: SensuConfig,
}

/// A member of the check result; metadata joins the result's own members.
enum Member<'a> {
    Text(&'a str),
    Int(i64),
    Names(&'a [String]),
    Metadata(&'a Scalar),
}

impl SensuHandler {
    pub fn new(properties: Sensu, services: &ServicesConfig) -> Result<Self, HandlerError> {
        Ok(SensuHandler {
            source: PropertyTemplate::parse("sensu", "source", &properties.source)?,
            handlers: properties.handlers,
            metadata: properties.metadata.into_iter().collect(),
            config: services.sensu.clone(),
        })
    }

    pub(super) fn delivery(&self, event: &Event<'_>) -> Result<Delivery, SendError> {
        let c = &self.config;
        let source = self.source.render(&template_data(event))?;
        if !is_valid_name(&event.id) {
            return Err(SendError::Refused(format!(
                "invalid name {:?} for sensu alert. Must match ^[\\w\\.-]+$",
                event.id
            )));
        }
        check_enabled(c.enabled)?;
        let status = match event.level {
            Level::Ok | Level::Info => 0,
            Level::Warning => 1,
            Level::Critical => 2,
        };
        let mut members: BTreeMap<&str, Member<'_>> = BTreeMap::from([
            ("name", Member::Text(&event.id)),
            ("source", Member::Text(or(&source, &c.source))),
            ("output", Member::Text(&event.message)),
            ("status", Member::Int(status)),
            (
                "handlers",
                Member::Names(or_list(&self.handlers, &c.handlers)),
            ),
        ]);
        for (key, value) in &self.metadata {
            members
                .entry(key.as_str())
                .or_insert(Member::Metadata(value));
        }
        // Kapacitor encodes a map: its keys come out sorted.
        let mut body = JsonObject::new();
        for (key, member) in &members {
            match member {
                Member::Text(text) => body.string(key, text),
                Member::Int(v) => body.int(key, *v),
                Member::Names(names) => body.strings_or_null(key, names),
                Member::Metadata(value) => body.scalar(key, value)?,
            };
        }
        Ok(Delivery::Tcp {
            address: c.addr.clone(),
            line: body.finish_line(),
        })
    }
}

/// Sensu's check names: `^[\w\.-]+$` (ASCII word characters, dots and dashes).
fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}
