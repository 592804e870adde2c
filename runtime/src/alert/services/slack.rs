//! `.slack()`: a message with one colored attachment, posted to a workspace's webhook.

use serde::Deserialize;

use super::json_object::JsonObject;
use super::workspaces::{self, Workspace};
use super::{SendError, ServicesConfig, check_enabled, json_post, level_word, or};
use crate::alert::event::Event;
use crate::delivery::Delivery;

/// One `[[slack]]` workspace.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct SlackConfig {
    pub enabled: bool,
    /// The workspace handlers that name none use.
    pub default: bool,
    pub workspace: String,
    /// The incoming webhook URL.
    pub url: String,
    pub channel: String,
    pub username: String,
    pub icon_emoji: String,
    pub global: bool,
    pub state_changes_only: bool,
    pub ssl_ca: String,
    pub ssl_cert: String,
    pub ssl_key: String,
    pub insecure_skip_verify: bool,
}

impl Default for SlackConfig {
    fn default() -> Self {
        SlackConfig {
            enabled: false,
            default: false,
            workspace: String::new(),
            url: String::new(),
            channel: String::new(),
            username: "kapacitor".to_owned(),
            icon_emoji: String::new(),
            global: false,
            state_changes_only: false,
            ssl_ca: String::new(),
            ssl_cert: String::new(),
            ssl_key: String::new(),
            insecure_skip_verify: false,
        }
    }
}

impl Workspace for SlackConfig {
    fn id(&self) -> &str {
        &self.workspace
    }
    fn is_default(&self) -> bool {
        self.default
    }
}

/// `.slack()` with its properties; empty ones fall back to the workspace's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Slack {
    pub workspace: String,
    pub channel: String,
    pub username: String,
    pub icon_emoji: String,
}

/// `.slack()` bound to its workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlackHandler {
    properties: Slack,
    config: Option<SlackConfig>,
}

impl SlackHandler {
    pub fn new(properties: Slack, services: &ServicesConfig) -> Self {
        let config = workspaces::find(&services.slack, &properties.workspace).cloned();
        SlackHandler { properties, config }
    }

    pub(super) fn delivery(&self, event: &Event<'_>) -> Result<Delivery, SendError> {
        let p = &self.properties;
        let c = self
            .config
            .as_ref()
            .ok_or_else(|| SendError::UnknownWorkspace(p.workspace.clone()))?;
        check_enabled(c.enabled)?;
        let color = level_word(event.level, "good", "good", "warning", "danger");
        let attachment = JsonObject::new()
            .string("fallback", &event.message)
            .string("color", color)
            .string("text", &event.message)
            .raw("mrkdwn_in", "[\"text\"]")
            .finish();
        // Kapacitor encodes a map: its keys come out sorted.
        let body = JsonObject::new()
            .bool("as_user", false)
            .raw("attachments", &format!("[{attachment}]"))
            .string("channel", or(&p.channel, &c.channel))
            .string("icon_emoji", or(&p.icon_emoji, &c.icon_emoji))
            .string("text", "")
            .string("username", or(&p.username, &c.username))
            .finish_line();
        Ok(json_post(c.url.clone(), Vec::new(), body))
    }
}
