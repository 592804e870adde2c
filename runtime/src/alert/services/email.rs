//! `.email()`: the event's message as the subject and its details as the HTML body, sent
//! over SMTP as the `[smtp]` section says.

use std::time::Duration;

use serde::{Deserialize, Deserializer};

use super::{SendError, ServicesConfig, check_enabled, or_list};
use crate::alert::event::Event;
use crate::delivery::{Delivery, Mail, SmtpServer};
use crate::expr::duration::parse_duration;

/// The `[smtp]` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct SmtpConfig {
    pub enabled: bool,
    pub host: String,
    pub port: u16,
    pub username: String,
    pub password: String,
    /// Accept any certificate when the connection upgrades to TLS.
    pub no_verify: bool,
    pub global: bool,
    pub state_changes_only: bool,
    pub from: String,
    /// The recipients of handlers that name none.
    pub to: Vec<String>,
    /// How long an idle connection stays open, as a duration (`"30s"`).
    #[serde(deserialize_with = "duration_text")]
    pub idle_timeout: Duration,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            enabled: false,
            host: "localhost".to_owned(),
            port: 25,
            username: String::new(),
            password: String::new(),
            no_verify: false,
            global: false,
            state_changes_only: false,
            from: String::new(),
            to: Vec::new(),
            idle_timeout: Duration::from_secs(30),
        }
    }
}

/// Reads a duration written as text (`"30s"`, `"1m30s"`); a negative one is none.
fn duration_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(deserializer)?;
    let nanos = parse_duration(&text)
        .map_err(|_| serde::de::Error::custom(format!("invalid duration {text:?}")))?;
    Ok(Duration::from_nanos(u64::try_from(nanos).unwrap_or(0)))
}

/// `.email(to...)` with `.to(...)`: the addresses, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Email {
    pub to: Vec<String>,
}

/// `.email()` bound to `[smtp]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailHandler {
    properties: Email,
    config: SmtpConfig,
}

impl EmailHandler {
    pub fn new(properties: Email, services: &ServicesConfig) -> Self {
        EmailHandler {
            properties,
            config: services.smtp.clone(),
        }
    }

    pub(super) fn delivery(&self, event: &Event<'_>) -> Result<Delivery, SendError> {
        let c = &self.config;
        check_enabled(c.enabled)?;
        let to = or_list(&self.properties.to, &c.to);
        if to.is_empty() {
            return Err(SendError::Refused(
                "not sending email, no recipients defined".to_owned(),
            ));
        }
        Ok(Delivery::Email(Mail {
            server: SmtpServer {
                host: c.host.clone(),
                port: c.port,
                username: c.username.clone(),
                password: c.password.clone(),
                no_verify: c.no_verify,
                idle_timeout: c.idle_timeout,
            },
            from: c.from.clone(),
            to: to.to_vec(),
            subject: event.message.clone(),
            body: event.details().to_owned(),
        }))
    }
}
