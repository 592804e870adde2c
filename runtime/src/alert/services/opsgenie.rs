//! `.opsGenie()`: an alert for OpsGenie's v1 API; a recovery goes to the recovery URL.

use serde::Deserialize;

use super::json_object::JsonObject;
use super::{SendError, ServicesConfig, check_enabled, json_post, or_list, result_json};
use crate::alert::event::Event;
use crate::alert::level::Level;
use crate::delivery::Delivery;

/// The `[opsgenie]` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct OpsGenieConfig {
    pub enabled: bool,
    pub api_key: String,
    pub teams: Vec<String>,
    pub recipients: Vec<String>,
    pub url: String,
    #[serde(rename = "recovery_url")]
    pub recovery_url: String,
    pub global: bool,
}

impl Default for OpsGenieConfig {
    fn default() -> Self {
        OpsGenieConfig {
            enabled: false,
            api_key: String::new(),
            teams: Vec::new(),
            recipients: Vec::new(),
            url: "https://api.opsgenie.com/v1/json/alert".to_owned(),
            recovery_url: "https://api.opsgenie.com/v1/json/alert/note".to_owned(),
            global: false,
        }
    }
}

/// `.opsGenie()` with its properties; empty lists fall back to the configuration's.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OpsGenie {
    pub teams: Vec<String>,
    pub recipients: Vec<String>,
}

/// `.opsGenie()` bound to `[opsgenie]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpsGenieHandler {
    properties: OpsGenie,
    config: OpsGenieConfig,
}

impl OpsGenieHandler {
    pub fn new(properties: OpsGenie, services: &ServicesConfig) -> Self {
        OpsGenieHandler {
            properties,
            config: services.opsgenie.clone(),
        }
    }

    pub(super) fn delivery(&self, event: &Event<'_>) -> Result<Delivery, SendError> {
        let c = &self.config;
        check_enabled(c.enabled)?;
        let recovery = event.level == Level::Ok;
        let (message_type, note, url) = if recovery {
            ("RECOVERY", event.message.as_str(), &c.recovery_url)
        } else {
            (event.level.as_str(), "", &c.url)
        };
        let details = JsonObject::new()
            .string("Level", message_type)
            .string("Monitoring Tool", "Kapacitor")
            .finish();
        // Kapacitor encodes a map: its keys come out sorted, and empty lists are left out.
        let mut body = JsonObject::new();
        body.string("alias", &event.id)
            .string("apiKey", &c.api_key)
            .string("description", &result_json(event)?)
            .raw("details", &details)
            .string("entity", &event.id)
            .string("message", &event.message)
            .string("monitoring_tool", "kapacitor")
            .string("note", note);
        let recipients = or_list(&self.properties.recipients, &c.recipients);
        if !recipients.is_empty() {
            body.strings("recipients", recipients);
        }
        let teams = or_list(&self.properties.teams, &c.teams);
        if !teams.is_empty() {
            body.strings("teams", teams);
        }
        // Kapacitor adds the slash to both URLs.
        Ok(json_post(format!("{url}/"), Vec::new(), body.finish_line()))
    }
}
