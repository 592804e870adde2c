//! `.pagerDuty()`: an event for PagerDuty's v1 generic events API.

use serde::Deserialize;

use super::json_object::JsonObject;
use super::{SendError, ServicesConfig, check_enabled, json_post, or};
use crate::alert::event::Event;
use crate::alert::level::Level;
use crate::delivery::Delivery;

/// The `[pagerduty]` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct PagerDutyConfig {
    pub enabled: bool,
    pub url: String,
    pub service_key: String,
    pub global: bool,
}

impl Default for PagerDutyConfig {
    fn default() -> Self {
        PagerDutyConfig {
            enabled: false,
            url: "https://events.pagerduty.com/generic/2010-04-15/create_event.json".to_owned(),
            service_key: String::new(),
            global: false,
        }
    }
}

/// `.pagerDuty()` with its properties.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PagerDuty {
    pub service_key: String,
}

/// `.pagerDuty()` bound to `[pagerduty]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagerDutyHandler {
    properties: PagerDuty,
    config: PagerDutyConfig,
    client_url: String,
}

impl PagerDutyHandler {
    pub fn new(properties: PagerDuty, services: &ServicesConfig) -> Self {
        PagerDutyHandler {
            properties,
            config: services.pagerduty.clone(),
            client_url: services.kapacitor_url.clone(),
        }
    }

    pub(super) fn delivery(&self, event: &Event<'_>) -> Result<Delivery, SendError> {
        let c = &self.config;
        check_enabled(c.enabled)?;
        let event_type = match event.level {
            Level::Warning | Level::Critical => "trigger",
            Level::Info => {
                return Err(SendError::Refused(
                    "AlertLevel 'info' is currently ignored by the PagerDuty service".to_owned(),
                ));
            }
            Level::Ok => "resolve",
        };
        // Kapacitor encodes a map: its keys come out sorted.
        let body = JsonObject::new()
            .string("client", "kapacitor")
            .string("client_url", &self.client_url)
            .string("description", &event.message)
            .string("details", event.details())
            .string("event_type", event_type)
            .string("incident_key", &event.id)
            .string(
                "service_key",
                or(&self.properties.service_key, &c.service_key),
            )
            .finish_line();
        Ok(json_post(c.url.clone(), Vec::new(), body))
    }
}
