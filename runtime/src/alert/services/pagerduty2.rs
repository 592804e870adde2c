//! `.pagerDuty2()`: an event for PagerDuty's v2 events API; a recovery resolves the incident.

use serde::Deserialize;

use super::json_object::JsonObject;
use super::{
    NANOS_PER_SECOND, PropertyTemplate, SendError, ServicesConfig, check_enabled, json_post,
    level_word, or, result_json, rfc3339_seconds, template_data,
};
use crate::alert::event::Event;
use crate::alert::handlers::HandlerError;
use crate::alert::level::Level;
use crate::delivery::Delivery;

/// The `[pagerduty2]` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct PagerDuty2Config {
    pub enabled: bool,
    pub url: String,
    pub routing_key: String,
    pub global: bool,
}

impl Default for PagerDuty2Config {
    fn default() -> Self {
        PagerDuty2Config {
            enabled: false,
            url: "https://events.pagerduty.com/v2/enqueue".to_owned(),
            routing_key: String::new(),
            global: false,
        }
    }
}

/// `.link(href, text)`: both are templates; without a text the link shows its href.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PagerDutyLink {
    pub href: String,
    pub text: String,
}

/// `.pagerDuty2()` with its properties (`.serviceKey()` is another name for `.routingKey()`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PagerDuty2 {
    pub routing_key: String,
    pub links: Vec<PagerDutyLink>,
}

#[derive(Debug, Clone, PartialEq)]
struct LinkTemplate {
    href: PropertyTemplate,
    text: Option<PropertyTemplate>,
}

/// `.pagerDuty2()` bound to `[pagerduty2]`, its link templates parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct PagerDuty2Handler {
    routing_key: String,
    links: Vec<LinkTemplate>,
    config: PagerDuty2Config,
    client_url: String,
}

impl PagerDuty2Handler {
    pub fn new(properties: PagerDuty2, services: &ServicesConfig) -> Result<Self, HandlerError> {
        let links = properties
            .links
            .iter()
            .map(|link| {
                Ok(LinkTemplate {
                    href: PropertyTemplate::parse("pagerDuty2", "link", &link.href)?,
                    text: match link.text.as_str() {
                        "" => None,
                        text => Some(PropertyTemplate::parse("pagerDuty2", "link", text)?),
                    },
                })
            })
            .collect::<Result<_, HandlerError>>()?;
        Ok(PagerDuty2Handler {
            routing_key: properties.routing_key,
            links,
            config: services.pagerduty2.clone(),
            client_url: services.kapacitor_url.clone(),
        })
    }

    pub(super) fn delivery(&self, event: &Event<'_>) -> Result<Delivery, SendError> {
        let c = &self.config;
        check_enabled(c.enabled)?;
        let routing_key = or(&self.routing_key, &c.routing_key);
        let headers = vec![(
            "Accept".to_owned(),
            "application/vnd.pagerduty+json;version=2".to_owned(),
        )];
        if event.level == Level::Ok {
            let body = JsonObject::new()
                .string("routing_key", routing_key)
                .string("dedup_key", &event.id)
                .string("event_action", "resolve")
                .finish_line();
            return Ok(json_post(c.url.clone(), headers, body));
        }
        let links = self.links_json(event)?;
        let custom_details = format!("{{\"result\":{}}}", result_json(event)?);
        let nanos = event.time.rem_euclid(NANOS_PER_SECOND);
        let whole_seconds = rfc3339_seconds(event.time);
        let timestamp = format!("{}.{nanos:09}Z", whole_seconds.trim_end_matches('Z'));
        let payload = JsonObject::new()
            .string("summary", &event.message)
            .string(
                "source",
                event.tags.get("host").map_or("unknown", crate::point::Str::as_str),
            )
            .string(
                "severity",
                level_word(event.level, "", "info", "warning", "critical"),
            )
            .string("timestamp", &timestamp)
            .string("class", event.task_name)
            .string("component", "")
            .string("group", "")
            .raw("custom_details", &custom_details)
            .finish();
        let body = JsonObject::new()
            .string("routing_key", routing_key)
            .string("event_action", "trigger")
            .string("dedup_key", &event.id)
            .raw("payload", &payload)
            .raw("images", "null")
            .raw("links", &links)
            .string("client", "kapacitor")
            .string("client_url", &self.client_url)
            .finish_line();
        Ok(json_post(c.url.clone(), headers, body))
    }

    /// The links rendered for the event, `null` when there are none.
    fn links_json(&self, event: &Event<'_>) -> Result<String, SendError> {
        if self.links.is_empty() {
            return Ok("null".to_owned());
        }
        let data = template_data(event);
        let mut out = String::from("[");
        for (i, link) in self.links.iter().enumerate() {
            let href = link.href.render(&data)?;
            let text = match &link.text {
                Some(text) => text.render(&data)?,
                None => href.clone(),
            };
            if i > 0 {
                out.push(',');
            }
            out.push_str(
                &JsonObject::new()
                    .string("href", &href)
                    .string("text", &text)
                    .finish(),
            );
        }
        out.push(']');
        Ok(out)
    }
}
