//! `.pushover()`: a notification for Pushover's messages API, as a form.

use serde::Deserialize;

use super::{SendError, ServicesConfig, check_enabled, or};
use crate::alert::event::Event;
use crate::alert::level::Level;
use crate::delivery::{Delivery, HttpPost};
use crate::template::escape::query_escape;

/// The `[pushover]` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct PushoverConfig {
    pub enabled: bool,
    /// The application's API token.
    pub token: String,
    /// The user or group notified.
    pub user_key: String,
    pub url: String,
}

impl Default for PushoverConfig {
    fn default() -> Self {
        PushoverConfig {
            enabled: false,
            token: String::new(),
            user_key: String::new(),
            url: "https://api.pushover.net/1/messages.json".to_owned(),
        }
    }
}

/// `.pushover()` with its properties; unset ones are left out of the form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pushover {
    pub user_key: String,
    pub device: String,
    pub title: String,
    pub url: String,
    pub url_title: String,
    pub sound: String,
}

/// `.pushover()` bound to `[pushover]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushoverHandler {
    properties: Pushover,
    config: PushoverConfig,
}

impl PushoverHandler {
    pub fn new(properties: Pushover, services: &ServicesConfig) -> Self {
        PushoverHandler {
            properties,
            config: services.pushover.clone(),
        }
    }

    pub(super) fn delivery(&self, event: &Event<'_>) -> Result<Delivery, SendError> {
        let (p, c) = (&self.properties, &self.config);
        check_enabled(c.enabled)?;
        let priority = match event.level {
            Level::Ok => "-2",
            Level::Info => "-1",
            Level::Warning => "0",
            Level::Critical => "1",
        };
        // Go's url.Values encodes its keys sorted.
        let fields = [
            ("device", p.device.as_str()),
            ("message", &event.message),
            ("priority", priority),
            ("sound", &p.sound),
            ("title", &p.title),
            ("token", &c.token),
            ("url", &p.url),
            ("url_title", &p.url_title),
            ("user", or(&p.user_key, &c.user_key)),
        ];
        const ALWAYS_SENT: [&str; 4] = ["message", "priority", "token", "user"];
        let form: Vec<String> = fields
            .iter()
            .filter(|(name, value)| !value.is_empty() || ALWAYS_SENT.contains(name))
            .map(|(name, value)| format!("{name}={}", query_escape(value)))
            .collect();
        Ok(Delivery::Post(HttpPost {
            url: c.url.clone(),
            headers: vec![(
                "Content-Type".to_owned(),
                "application/x-www-form-urlencoded".to_owned(),
            )],
            body: form.join("&").into_bytes(),
            timeout: None,
        }))
    }
}
