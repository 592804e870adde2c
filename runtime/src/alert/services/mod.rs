//! The alert handlers that talk to a service in its own payload format (`.slack()`,
//! `.pagerDuty2()`, `.email()`...): each service's configuration section as Kapacitor reads it
//! (`[slack]`, `[smtp]`...), its handler's TICKscript properties, and the delivery it makes of
//! an event, byte for byte what Kapacitor 1.5.7 sends.
//!
//! A script's property overrides the configuration where Kapacitor lets it; an empty property
//! is unset, as in Kapacitor. Configuration problems that Kapacitor reports per event (a service
//! not enabled, an unknown workspace) are reported per event here too, as [`SendError`]s.

pub mod alerta;
pub mod bigpanda;
pub mod discord;
pub mod email;
pub(crate) mod global;
mod json_object;
pub mod opsgenie;
pub mod opsgenie2;
pub mod pagerduty;
pub mod pagerduty2;
pub mod pushover;
pub mod sensu;
pub mod slack;
pub mod teams;
pub mod telegram;
mod url_path;
pub mod victorops;
pub(crate) mod workspaces;

#[cfg(test)]
mod reference_tests;
#[cfg(test)]
mod transport_tests;

use std::fmt;

use super::event::{Event, EventSource};
use super::handlers::HandlerError;
use super::level::Level;
use crate::delivery::{Delivery, HttpPost};
use crate::json::UnsupportedFloat;
use crate::output::row::{write_batch_row, write_point_row};
use crate::point::Time;
use crate::template::alert_data::{HandlerData, handler_data};
use crate::template::{Template, TemplateError, Value};
use crate::time::format_rfc3339_nano;

pub use alerta::{Alerta, AlertaConfig, AlertaHandler};
pub use bigpanda::{BigPanda, BigPandaConfig, BigPandaHandler};
pub use discord::{Discord, DiscordConfig, DiscordHandler};
pub use email::{Email, EmailHandler, SmtpConfig};
pub use json_object::Scalar;
pub use opsgenie::{OpsGenie, OpsGenieConfig, OpsGenieHandler};
pub use opsgenie2::{OpsGenie2, OpsGenie2Config, OpsGenie2Handler};
pub use pagerduty::{PagerDuty, PagerDutyConfig, PagerDutyHandler};
pub use pagerduty2::{PagerDuty2, PagerDuty2Config, PagerDuty2Handler, PagerDutyLink};
pub use pushover::{Pushover, PushoverConfig, PushoverHandler};
pub use sensu::{Sensu, SensuConfig, SensuHandler};
pub use slack::{Slack, SlackConfig, SlackHandler};
pub use teams::{Teams, TeamsConfig, TeamsHandler};
pub use telegram::{Telegram, TelegramConfig, TelegramHandler};
pub use victorops::{VictorOps, VictorOpsConfig, VictorOpsHandler};
pub use crate::config::services::ServicesConfig;

/// A service handler, bound to its configuration.
#[derive(Debug, Clone, PartialEq)]
pub enum ServiceHandler {
    Slack(SlackHandler),
    PagerDuty(PagerDutyHandler),
    PagerDuty2(PagerDuty2Handler),
    VictorOps(VictorOpsHandler),
    OpsGenie(OpsGenieHandler),
    OpsGenie2(OpsGenie2Handler),
    Teams(TeamsHandler),
    Telegram(TelegramHandler),
    Discord(DiscordHandler),
    Alerta(AlertaHandler),
    Pushover(PushoverHandler),
    Sensu(SensuHandler),
    BigPanda(BigPandaHandler),
    Email(EmailHandler),
}

impl ServiceHandler {
    /// The service's name, as Kapacitor's logs give it.
    pub fn service(&self) -> &'static str {
        match self {
            ServiceHandler::Slack(_) => "slack",
            ServiceHandler::PagerDuty(_) => "pagerduty",
            ServiceHandler::PagerDuty2(_) => "pagerduty2",
            ServiceHandler::VictorOps(_) => "victorops",
            ServiceHandler::OpsGenie(_) => "opsgenie",
            ServiceHandler::OpsGenie2(_) => "opsgenie2",
            ServiceHandler::Teams(_) => "teams",
            ServiceHandler::Telegram(_) => "telegram",
            ServiceHandler::Discord(_) => "discord",
            ServiceHandler::Alerta(_) => "alerta",
            ServiceHandler::Pushover(_) => "pushover",
            ServiceHandler::Sensu(_) => "sensu",
            ServiceHandler::BigPanda(_) => "bigpanda",
            ServiceHandler::Email(_) => "smtp",
        }
    }

    /// What the service is sent for `event`.
    pub fn delivery(&self, event: &Event<'_>) -> Result<Delivery, SendError> {
        match self {
            ServiceHandler::Slack(h) => h.delivery(event),
            ServiceHandler::PagerDuty(h) => h.delivery(event),
            ServiceHandler::PagerDuty2(h) => h.delivery(event),
            ServiceHandler::VictorOps(h) => h.delivery(event),
            ServiceHandler::OpsGenie(h) => h.delivery(event),
            ServiceHandler::OpsGenie2(h) => h.delivery(event),
            ServiceHandler::Teams(h) => h.delivery(event),
            ServiceHandler::Telegram(h) => h.delivery(event),
            ServiceHandler::Discord(h) => h.delivery(event),
            ServiceHandler::Alerta(h) => h.delivery(event),
            ServiceHandler::Pushover(h) => h.delivery(event),
            ServiceHandler::Sensu(h) => h.delivery(event),
            ServiceHandler::BigPanda(h) => h.delivery(event),
            ServiceHandler::Email(h) => h.delivery(event),
        }
    }
}

/// Why a service handler sends nothing for an event (Kapacitor logs it and goes on).
#[derive(Debug, Clone, PartialEq)]
pub enum SendError {
    /// The service's section says `enabled = false` (or is missing).
    NotEnabled,
    /// No `[[slack]]`/`[[discord]]` entry answers to the workspace the handler names.
    UnknownWorkspace(String),
    /// A property's template failed on this event.
    Template(TemplateError),
    /// The event's data holds a NaN or an infinity, which JSON cannot carry.
    Unencodable(UnsupportedFloat),
    /// The service cannot take this event (Kapacitor's own message).
    Refused(String),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::NotEnabled => f.write_str("service is not enabled"),
            SendError::UnknownWorkspace(id) => write!(f, "workspace id not found: {id:?}"),
            SendError::Template(e) => write!(f, "failed to execute template: {e}"),
            SendError::Unencodable(e) => write!(f, "failed to marshal alert data json: {e}"),
            SendError::Refused(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for SendError {}

impl From<UnsupportedFloat> for SendError {
    fn from(e: UnsupportedFloat) -> Self {
        SendError::Unencodable(e)
    }
}

/// Fails with [`SendError::NotEnabled`] unless `enabled`.
fn check_enabled(enabled: bool) -> Result<(), SendError> {
    if enabled {
        Ok(())
    } else {
        Err(SendError::NotEnabled)
    }
}

/// The event's data as Kapacitor's `models.Result` JSON: `{"series":[...]}`.
fn result_json(event: &Event<'_>) -> Result<String, UnsupportedFloat> {
    let mut out = String::from("{\"series\":[");
    match event.data {
        EventSource::Point(p) => write_point_row(&mut out, p)?,
        EventSource::Batch(b) => write_batch_row(&mut out, b)?,
    }
    out.push_str("]}");
    Ok(out)
}

/// What a handler property's template sees: Kapacitor's `alert.TemplateData`.
fn template_data(event: &Event<'_>) -> Value {
    handler_data(&HandlerData {
        id: &event.id,
        message: &event.message,
        level: event.level.as_str(),
        time: event.time,
        duration: event.duration,
        details: event.details(),
        name: event.name,
        task_name: event.task_name,
        group: event.group,
        tags: event.tags,
        fields: event.fields,
    })
}

/// A handler property that is a text template (alerta's `.resource()`, discord's
/// `.embedTitle()`...), parsed when the handler is built.
#[derive(Debug, Clone, PartialEq)]
struct PropertyTemplate(Template);

impl PropertyTemplate {
    fn parse(
        handler: &'static str,
        property: &'static str,
        source: &str,
    ) -> Result<Self, HandlerError> {
        Template::parse(source)
            .map(PropertyTemplate)
            .map_err(|error| HandlerError::BadTemplate {
                handler,
                property,
                error,
            })
    }

    fn render(&self, data: &Value) -> Result<String, SendError> {
        self.0.render(data).map_err(SendError::Template)
    }
}

/// A JSON POST as Go's `http.Post(url, "application/json", body)` makes it, with `headers`
/// before the content type.
fn json_post(url: String, mut headers: Vec<(String, String)>, body: Vec<u8>) -> Delivery {
    headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
    Delivery::Post(HttpPost {
        url,
        headers,
        body,
        timeout: None,
    })
}

/// A service's word for each level (Slack's colors, PagerDuty's severities...).
fn level_word(
    level: Level,
    ok: &'static str,
    info: &'static str,
    warning: &'static str,
    critical: &'static str,
) -> &'static str {
    match level {
        Level::Ok => ok,
        Level::Info => info,
        Level::Warning => warning,
        Level::Critical => critical,
    }
}

/// `text` unless empty, else `fallback`: how Kapacitor lets a property override its config.
fn or<'a>(text: &'a str, fallback: &'a str) -> &'a str {
    if text.is_empty() { fallback } else { text }
}

/// `list` unless empty, else `fallback`.
fn or_list<'a>(list: &'a [String], fallback: &'a [String]) -> &'a [String] {
    if list.is_empty() { fallback } else { list }
}

const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// Seconds since the epoch, as Go's `Time.Unix` (rounding down).
fn unix_seconds(time: Time) -> i64 {
    time.div_euclid(NANOS_PER_SECOND)
}

/// The time in Go's `time.RFC3339` layout: whole seconds, UTC as `Z`.
fn rfc3339_seconds(time: Time) -> String {
    format_rfc3339_nano(unix_seconds(time) * NANOS_PER_SECOND)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_down_to_the_second_as_go_does() {
        assert_eq!(unix_seconds(1_500_000_000), 1);
        assert_eq!(unix_seconds(-500_000_000), -1);
        assert_eq!(
            rfc3339_seconds(1_700_000_000_999_999_999),
            "2023-11-14T22:13:20Z"
        );
        assert_eq!(rfc3339_seconds(-1), "1969-12-31T23:59:59Z");
    }
}
