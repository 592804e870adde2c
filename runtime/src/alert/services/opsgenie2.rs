//! `.opsGenie2()`: an alert for OpsGenie's v2 API, aliased by the base64 of the alert ID; a
//! recovery adds a note to the alert or closes it.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE;
use serde::Deserialize;

use super::json_object::JsonObject;
use super::{
    SendError, ServicesConfig, check_enabled, json_post, level_word, or_list, result_json, url_path,
};
use crate::alert::event::Event;
use crate::alert::level::Level;
use crate::delivery::Delivery;

/// The recovery actions OpsGenie offers; anything else means the configured one, or notes.
const RECOVERY_ACTIONS: [&str; 2] = ["notes", "close"];

/// The `[opsgenie2]` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct OpsGenie2Config {
    pub enabled: bool,
    pub api_key: String,
    pub teams: Vec<String>,
    pub recipients: Vec<String>,
    pub url: String,
    /// `notes` or `close`.
    #[serde(rename = "recovery_action")]
    pub recovery_action: String,
    pub global: bool,
}

impl Default for OpsGenie2Config {
    fn default() -> Self {
        OpsGenie2Config {
            enabled: false,
            api_key: String::new(),
            teams: Vec::new(),
            recipients: Vec::new(),
            url: "https://api.opsgenie.com/v2/alerts".to_owned(),
            recovery_action: "notes".to_owned(),
            global: false,
        }
    }
}

/// `.opsGenie2()` with its properties.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OpsGenie2 {
    pub teams: Vec<String>,
    pub recipients: Vec<String>,
    pub recovery_action: String,
}

/// `.opsGenie2()` bound to `[opsgenie2]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpsGenie2Handler {
    properties: OpsGenie2,
    config: OpsGenie2Config,
}

impl OpsGenie2Handler {
    pub fn new(properties: OpsGenie2, services: &ServicesConfig) -> Self {
        OpsGenie2Handler {
            properties,
            config: services.opsgenie2.clone(),
        }
    }

    pub(super) fn delivery(&self, event: &Event<'_>) -> Result<Delivery, SendError> {
        let c = &self.config;
        check_enabled(c.enabled)?;
        let alias = URL_SAFE.encode(event.id.as_bytes());
        let headers = vec![(
            "Authorization".to_owned(),
            format!("GenieKey {}", c.api_key),
        )];
        if event.level == Level::Ok {
            let action = [&self.properties.recovery_action, &c.recovery_action]
                .into_iter()
                .find(|a| RECOVERY_ACTIONS.contains(&a.as_str()))
                .map_or("notes", String::as_str);
            let url = url_path::map_path(&c.url, |path| url_path::join(path, &[&alias, action]));
            let url = url_path::with_query(&url, "identifierType=alias");
            let body = JsonObject::new()
                .string("note", &event.message)
                .finish_line();
            return Ok(json_post(url, headers, body));
        }
        // Kapacitor encodes maps: keys come out sorted. Tags may replace the first two
        // details; the task name (the series' name, in fact) replaces any tag of its name.
        let mut details: BTreeMap<&str, &str> = BTreeMap::new();
        details.insert("Monitoring Tool", "Kapacitor");
        details.insert("Level", event.level.as_str());
        details.extend(event.tags.iter().map(|(k, v)| (k, v.as_str())));
        details.insert("Kapacitor Task Name", event.name);
        let mut details_json = JsonObject::new();
        for (k, v) in details {
            details_json.string(k, v);
        }
        let mut body = JsonObject::new();
        body.string("alias", &alias)
            .string("description", &result_json(event)?)
            .raw("details", &details_json.finish())
            .string("entity", &event.id)
            .string("message", &event.message)
            .string("note", "")
            .string("priority", level_word(event.level, "", "P5", "P3", "P1"));
        let responders = self.responders();
        if !responders.is_empty() {
            body.raw("responders", &format!("[{}]", responders.join(",")));
        }
        Ok(json_post(c.url.clone(), headers, body.finish_line()))
    }

    /// Teams, then users, each as OpsGenie's responder object.
    fn responders(&self) -> Vec<String> {
        let c = &self.config;
        let teams = or_list(&self.properties.teams, &c.teams)
            .iter()
            .map(|team| {
                JsonObject::new()
                    .string("name", team)
                    .string("type", "team")
                    .finish()
            });
        let users = or_list(&self.properties.recipients, &c.recipients)
            .iter()
            .map(|user| {
                JsonObject::new()
                    .string("type", "user")
                    .string("username", user)
                    .finish()
            });
        teams.chain(users).collect()
    }
}
