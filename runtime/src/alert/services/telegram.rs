//! `.telegram()`: a message sent through a Telegram bot.

use serde::Deserialize;

use super::json_object::JsonObject;
use super::{SendError, ServicesConfig, check_enabled, json_post, or, url_path};
use crate::alert::event::Event;
use crate::delivery::Delivery;

/// The `[telegram]` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct TelegramConfig {
    pub enabled: bool,
    /// The bot API URL; the token follows it directly.
    pub url: String,
    pub token: String,
    pub chat_id: String,
    /// `Markdown` or `HTML`.
    pub parse_mode: String,
    pub disable_web_page_preview: bool,
    pub disable_notification: bool,
    pub global: bool,
    pub state_changes_only: bool,
}

impl Default for TelegramConfig {
    fn default() -> Self {
        TelegramConfig {
            enabled: false,
            url: "https://api.telegram.org/bot".to_owned(),
            token: String::new(),
            chat_id: String::new(),
            parse_mode: String::new(),
            disable_web_page_preview: false,
            disable_notification: false,
            global: false,
            state_changes_only: false,
        }
    }
}

/// `.telegram()` with its properties; a flag set in either place is set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Telegram {
    pub chat_id: String,
    pub parse_mode: String,
    pub disable_web_page_preview: bool,
    pub disable_notification: bool,
}

/// `.telegram()` bound to `[telegram]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelegramHandler {
    properties: Telegram,
    config: TelegramConfig,
}

impl TelegramHandler {
    pub fn new(properties: Telegram, services: &ServicesConfig) -> Self {
        TelegramHandler {
            properties,
            config: services.telegram.clone(),
        }
    }

    pub(super) fn delivery(&self, event: &Event<'_>) -> Result<Delivery, SendError> {
        let (p, c) = (&self.properties, &self.config);
        check_enabled(c.enabled)?;
        let parse_mode = or(&p.parse_mode, &c.parse_mode);
        if !parse_mode.is_empty()
            && !parse_mode.eq_ignore_ascii_case("markdown")
            && !parse_mode.eq_ignore_ascii_case("html")
        {
            return Err(SendError::Refused(format!(
                "parseMode {parse_mode} is not valid, please use 'Markdown' or 'HTML'"
            )));
        }
        // Kapacitor encodes a map: its keys come out sorted, and unset options are left out.
        let mut body = JsonObject::new();
        body.string("chat_id", or(&p.chat_id, &c.chat_id));
        if p.disable_notification || c.disable_notification {
            body.bool("disable_notification", true);
        }
        if p.disable_web_page_preview || c.disable_web_page_preview {
            body.bool("disable_web_page_preview", true);
        }
        if !parse_mode.is_empty() {
            body.string("parse_mode", parse_mode);
        }
        body.string("text", &event.message);
        let url = url_path::map_path(&c.url, |path| {
            url_path::join(&format!("{path}{}", c.token), &["sendMessage"])
        });
        Ok(json_post(url, Vec::new(), body.finish_line()))
    }
}
