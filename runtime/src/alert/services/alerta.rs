//! `.alerta()`: an alert for Alerta's API, its names rendered from templates.

use std::time::Duration;

use serde::Deserialize;

use super::json_object::JsonObject;
use super::{
    PropertyTemplate, SendError, ServicesConfig, check_enabled, json_post, level_word, or,
    result_json, template_data, url_path,
};
use crate::alert::event::Event;
use crate::alert::handlers::HandlerError;
use crate::delivery::Delivery;

/// How long Alerta keeps an alert unless `.timeout()` says otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// The `[alerta]` section.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct AlertaConfig {
    pub enabled: bool,
    /// The API's URL; alerts go to its `/alert`.
    pub url: String,
    pub insecure_skip_verify: bool,
    pub token: String,
    /// The authorization scheme before the token (`Bearer` when empty; `Key` for old Alertas).
    pub token_prefix: String,
    pub environment: String,
    pub origin: String,
    /// Read, but unused: Kapacitor 1.5.7 times alerts out by the handler's `.timeout()` only.
    pub timeout: String,
}

/// `.alerta()` with its properties. `resource`, `event`, `environment`, `group`, `value` and
/// each of `services` are templates; empty ones take Kapacitor's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Alerta {
    pub token: String,
    pub resource: String,
    pub event: String,
    pub environment: String,
    pub group: String,
    pub value: String,
    pub origin: String,
    pub services: Vec<String>,
    pub timeout: Option<Duration>,
}

/// `.alerta()` bound to `[alerta]`, its templates parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertaHandler {
    token: String,
    resource: PropertyTemplate,
    event: PropertyTemplate,
    environment: PropertyTemplate,
    group: PropertyTemplate,
    value: PropertyTemplate,
    origin: String,
    services: Vec<PropertyTemplate>,
    timeout: Duration,
    config: AlertaConfig,
}

impl AlertaHandler {
    pub fn new(properties: Alerta, services: &ServicesConfig) -> Result<Self, HandlerError> {
        let template = |property, source: &str, default| {
            PropertyTemplate::parse("alerta", property, or(source, default))
        };
        Ok(AlertaHandler {
            resource: template("resource", &properties.resource, "{{ .Name }}")?,
            event: template("event", &properties.event, "{{ .ID }}")?,
            environment: template("environment", &properties.environment, "")?,
            group: template("group", &properties.group, "{{ .Group }}")?,
            value: template("value", &properties.value, "")?,
            services: properties
                .services
                .iter()
                .map(|s| template("services", s, ""))
                .collect::<Result<_, _>>()?,
            token: properties.token,
            origin: properties.origin,
            timeout: properties
                .timeout
                .filter(|t| !t.is_zero())
                .unwrap_or(DEFAULT_TIMEOUT),
            config: services.alerta.clone(),
        })
    }

    pub(super) fn delivery(&self, event: &Event<'_>) -> Result<Delivery, SendError> {
        let c = &self.config;
        let data = template_data(event);
        let resource = self.resource.render(&data)?;
        let event_name = self.event.render(&data)?;
        let environment = self.environment.render(&data)?;
        let group = self.group.render(&data)?;
        let value = self.value.render(&data)?;
        let services = if self.services.is_empty() {
            vec![event.name.to_owned()]
        } else {
            self.services
                .iter()
                .map(|s| s.render(&data))
                .collect::<Result<_, _>>()?
        };
        if resource.is_empty() || event_name.is_empty() {
            return Err(SendError::Refused(
                "Resource and Event are required to send an alert".to_owned(),
            ));
        }
        check_enabled(c.enabled)?;
        let severity = level_word(event.level, "ok", "informational", "warning", "critical");
        // Kapacitor lists the tags from a Go map, in no set order: sorted here.
        let tags: Vec<String> = event.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        // Kapacitor encodes a map: its keys come out sorted.
        let body = JsonObject::new()
            .string("environment", or(&environment, &c.environment))
            .string("event", &event_name)
            .string("group", &group)
            .string("origin", or(&self.origin, &c.origin))
            .raw("rawData", &result_json(event)?)
            .string("resource", &resource)
            .strings("service", &services)
            .string("severity", severity)
            .strings("tags", &tags)
            .string("text", &event.message)
            .int(
                "timeout",
                i64::try_from(self.timeout.as_secs()).unwrap_or(i64::MAX),
            )
            .string("value", &value)
            .finish_line();
        let token = or(&self.token, &c.token);
        let prefix = or(&c.token_prefix, "Bearer");
        let url = url_path::map_path(&c.url, |path| url_path::join(path, &["alert"]));
        let headers = vec![("Authorization".to_owned(), format!("{prefix} {token}"))];
        Ok(json_post(url, headers, body))
    }
}
