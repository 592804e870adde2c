//! `.victorOps()`: an alert for VictorOps' REST endpoint, keyed in the URL.

use serde::Deserialize;

use super::json_object::JsonObject;
use super::{
    SendError, ServicesConfig, check_enabled, json_post, or, result_json, unix_seconds, url_path,
};
use crate::alert::event::Event;
use crate::alert::level::Level;
use crate::delivery::Delivery;

/// The `[victorops]` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct VictorOpsConfig {
    pub enabled: bool,
    pub api_key: String,
    pub routing_key: String,
    pub url: String,
    pub global: bool,
    /// Send the data as a JSON object rather than as a string holding its JSON.
    pub json_data: bool,
}

impl Default for VictorOpsConfig {
    fn default() -> Self {
        VictorOpsConfig {
            enabled: false,
            api_key: String::new(),
            routing_key: String::new(),
            url: "https://alert.victorops.com/integrations/generic/20131114/alert".to_owned(),
            global: false,
            json_data: false,
        }
    }
}

/// `.victorOps()` with its properties.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VictorOps {
    pub routing_key: String,
}

/// `.victorOps()` bound to `[victorops]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VictorOpsHandler {
    properties: VictorOps,
    config: VictorOpsConfig,
}

impl VictorOpsHandler {
    pub fn new(properties: VictorOps, services: &ServicesConfig) -> Self {
        VictorOpsHandler {
            properties,
            config: services.victorops.clone(),
        }
    }

    pub(super) fn delivery(&self, event: &Event<'_>) -> Result<Delivery, SendError> {
        let c = &self.config;
        check_enabled(c.enabled)?;
        let message_type = match event.level {
            Level::Ok => "RECOVERY",
            level => level.as_str(),
        };
        let data = result_json(event)?;
        let mut body = JsonObject::new();
        if c.json_data {
            body.raw("data", &data);
        } else {
            body.string("data", &data);
        }
        // Kapacitor encodes a map: its keys come out sorted.
        let body = body
            .string("entity_id", &event.id)
            .string("message_type", message_type)
            .string("monitoring_tool", "kapacitor")
            .string("state_message", &event.message)
            .int("timestamp", unix_seconds(event.time))
            .finish_line();
        let routing_key = or(&self.properties.routing_key, &c.routing_key);
        let url = url_path::map_path(&c.url, |path| {
            url_path::join(path, &[&c.api_key, routing_key])
        });
        Ok(json_post(url, Vec::new(), body))
    }
}
