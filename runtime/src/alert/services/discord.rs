//! `.discord()`: a message with one colored embed, posted to a workspace's webhook.

use serde::Deserialize;

use super::json_object::JsonObject;
use super::workspaces::{self, Workspace};
use super::{
    PropertyTemplate, SendError, ServicesConfig, check_enabled, json_post, or, rfc3339_seconds,
    template_data,
};
use crate::alert::event::Event;
use crate::alert::handlers::HandlerError;
use crate::alert::level::Level;
use crate::delivery::Delivery;

/// One `[[discord]]` workspace.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct DiscordConfig {
    pub enabled: bool,
    /// The workspace handlers that name none use.
    pub default: bool,
    pub workspace: String,
    /// The channel's webhook URL.
    pub url: String,
    /// Whether the embed shows the event's time.
    pub timestamp: bool,
    pub username: String,
    pub avatar_url: String,
    /// Read, but unused: Kapacitor 1.5.7 titles embeds with the handler's `.embedTitle()` only.
    pub embed_title: String,
    pub global: bool,
    pub state_changes_only: bool,
    pub ssl_ca: String,
    pub ssl_cert: String,
    pub ssl_key: String,
    pub insecure_skip_verify: bool,
}

impl Workspace for DiscordConfig {
    fn id(&self) -> &str {
        &self.workspace
    }
    fn is_default(&self) -> bool {
        self.default
    }
}

/// `.discord()` with its properties; `embed_title` is a template.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Discord {
    pub workspace: String,
    pub username: String,
    pub avatar_url: String,
    pub embed_title: String,
}

/// `.discord()` bound to its workspace, its title template parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct DiscordHandler {
    workspace: String,
    username: String,
    avatar_url: String,
    embed_title: PropertyTemplate,
    config: Option<DiscordConfig>,
}

impl DiscordHandler {
    pub fn new(properties: Discord, services: &ServicesConfig) -> Result<Self, HandlerError> {
        let config = workspaces::find(&services.discord, &properties.workspace).cloned();
        Ok(DiscordHandler {
            embed_title: PropertyTemplate::parse("discord", "embedTitle", &properties.embed_title)?,
            workspace: properties.workspace,
            username: properties.username,
            avatar_url: properties.avatar_url,
            config,
        })
    }

    pub(super) fn delivery(&self, event: &Event<'_>) -> Result<Delivery, SendError> {
        let c = self
            .config
            .as_ref()
            .ok_or_else(|| SendError::UnknownWorkspace(self.workspace.clone()))?;
        let title = self.embed_title.render(&template_data(event))?;
        check_enabled(c.enabled)?;
        let color = match event.level {
            Level::Critical => 0xF9_5F_53,
            Level::Warning => 0xF4_8D_38,
            Level::Ok | Level::Info => 0x7A_65_F2,
        };
        let timestamp = if c.timestamp {
            rfc3339_seconds(event.time)
        } else {
            String::new()
        };
        let embed = JsonObject::new()
            .int("color", color)
            .string("title", &title)
            .string("description", &event.message)
            .string("timestamp", &timestamp)
            .finish();
        // Kapacitor encodes a map: its keys come out sorted.
        let body = JsonObject::new()
            .string("avatar_url", or(&self.avatar_url, &c.avatar_url))
            .raw("embeds", &format!("[{embed}]"))
            .string("username", or(&self.username, &c.username))
            .finish_line();
        Ok(json_post(c.url.clone(), Vec::new(), body))
    }
}
