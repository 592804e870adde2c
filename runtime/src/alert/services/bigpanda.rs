//! `.bigPanda()`: an alert for BigPanda's alerts API (Kapacitor 1.6; 1.5.7 has no BigPanda).
//! Tags, fields and the handler's attributes become top-level members of the alert.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::json_object::{JsonObject, Scalar};
use super::{
    PropertyTemplate, SendError, ServicesConfig, check_enabled, json_post, level_word, or,
    template_data, unix_seconds,
};
use crate::alert::event::Event;
use crate::alert::handlers::HandlerError;
use crate::delivery::Delivery;
use crate::json::{write_f64, write_i64};
use crate::point::FieldValue;

/// The `[bigpanda]` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct BigPandaConfig {
    pub enabled: bool,
    pub global: bool,
    /// The integration's application key.
    pub app_key: String,
    /// The bearer token of the API.
    pub token: String,
    pub state_changes_only: bool,
    pub insecure_skip_verify: bool,
    pub url: String,
    /// Which of the event's `tags` and `fields` become attributes of the alert.
    pub auto_attributes: String,
}

impl Default for BigPandaConfig {
    fn default() -> Self {
        BigPandaConfig {
            enabled: false,
            global: false,
            app_key: String::new(),
            token: String::new(),
            state_changes_only: false,
            insecure_skip_verify: false,
            url: "https://api.bigpanda.io/data/v2/alerts".to_owned(),
            auto_attributes: "tags,fields".to_owned(),
        }
    }
}

/// `.bigPanda()` with its properties: `host` and each text attribute are templates.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BigPanda {
    pub app_key: String,
    pub host: String,
    pub primary_property: String,
    pub secondary_property: String,
    /// `.attribute(k, v)` pairs in script order (a later key replaces an earlier one).
    pub attributes: Vec<(String, Scalar)>,
}

/// An attribute's value: text is a template; another value is sent as its JSON text.
#[derive(Debug, Clone, PartialEq)]
enum Attribute {
    Template(PropertyTemplate),
    Value(Scalar),
}

/// A member of the alert: all are text but its time.
enum Member {
    Text(String),
    Int(i64),
}

/// `.bigPanda()` bound to `[bigpanda]`, its templates parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct BigPandaHandler {
    app_key: String,
    primary_property: String,
    secondary_property: String,
    /// `host` first, as Kapacitor renders it even when empty, then the attributes.
    attributes: BTreeMap<String, Attribute>,
    config: BigPandaConfig,
}

impl BigPandaHandler {
    pub fn new(properties: BigPanda, services: &ServicesConfig) -> Result<Self, HandlerError> {
        let mut attributes = BTreeMap::new();
        attributes.insert(
            "host".to_owned(),
            Attribute::Template(PropertyTemplate::parse(
                "bigPanda",
                "host",
                &properties.host,
            )?),
        );
        for (key, value) in properties.attributes {
            let attribute = match value {
                Scalar::String(text) => {
                    Attribute::Template(PropertyTemplate::parse("bigPanda", "attribute", &text)?)
                }
                other => Attribute::Value(other),
            };
            attributes.insert(key, attribute);
        }
        Ok(BigPandaHandler {
            app_key: properties.app_key,
            primary_property: properties.primary_property,
            secondary_property: properties.secondary_property,
            attributes,
            config: services.bigpanda.clone(),
        })
    }

    pub(super) fn delivery(&self, event: &Event<'_>) -> Result<Delivery, SendError> {
        let data = template_data(event);
        let mut attributes = Vec::with_capacity(self.attributes.len());
        for (key, attribute) in &self.attributes {
            let value = match attribute {
                Attribute::Template(t) => t.render(&data)?,
                Attribute::Value(v) => {
                    let mut json = String::new();
                    v.write_json(&mut json)?;
                    json
                }
            };
            attributes.push((key.as_str(), Member::Text(value)));
        }
        let c = &self.config;
        check_enabled(c.enabled)?;
        // Kapacitor builds a map: later members replace earlier ones, keys come out sorted.
        let mut members: BTreeMap<&str, Member> = BTreeMap::new();
        if !event.message.is_empty() {
            members.insert("description", Member::Text(event.message.clone()));
        }
        // The default details are the event's JSON: not worth showing.
        let details = crate::template::escape::html_unescape(event.details());
        if !details.is_empty() && !details.starts_with('{') {
            members.insert("details", Member::Text(details));
        }
        if !event.id.is_empty() {
            members.insert("check", Member::Text(event.id.clone()));
        }
        let task = format!("{}:{}", event.task_name, event.name);
        members.insert("task", Member::Text(task));
        members.insert("timestamp", Member::Int(unix_seconds(event.time)));
        let status = level_word(event.level, "ok", "ok", "warning", "critical");
        members.insert("status", Member::Text(status.to_owned()));
        for (key, value) in [
            ("primary_property", &self.primary_property),
            ("secondary_property", &self.secondary_property),
        ] {
            if !value.is_empty() {
                members.insert(key, Member::Text(value.clone()));
            }
        }
        let app_key = or(&self.app_key, &c.app_key).to_owned();
        members.insert("app_key", Member::Text(app_key));
        let auto = c.auto_attributes.to_ascii_lowercase();
        if auto.contains("tags") {
            for (k, v) in event.tags.iter() {
                members.insert(k, Member::Text(v.to_string()));
            }
        }
        if auto.contains("fields") {
            for (k, v) in event.fields.iter() {
                members.insert(k, Member::Text(field_text(v)?));
            }
        }
        members.extend(attributes);
        let mut body = JsonObject::new();
        for (key, member) in &members {
            match member {
                Member::Text(text) => body.string(key, text),
                Member::Int(v) => body.int(key, *v),
            };
        }
        let headers = vec![("Authorization".to_owned(), format!("Bearer {}", c.token))];
        // Kapacitor compacts the encoder's output: no newline.
        Ok(json_post(
            c.url.clone(),
            headers,
            body.finish().into_bytes(),
        ))
    }
}

/// A field as BigPanda gets it: text as it is, anything else as its JSON.
fn field_text(value: &FieldValue) -> Result<String, SendError> {
    let mut out = String::new();
    match value {
        FieldValue::String(s) => out.push_str(s),
        FieldValue::Float(v) => write_f64(&mut out, *v)?,
        FieldValue::Int(v) => write_i64(&mut out, *v),
        FieldValue::Bool(v) => out.push_str(if *v { "true" } else { "false" }),
    }
    Ok(out)
}
