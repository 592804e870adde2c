//! `.teams()`: a MessageCard posted to a Microsoft Teams channel's incoming webhook.

use serde::Deserialize;

use super::json_object::JsonObject;
use super::{SendError, ServicesConfig, check_enabled, json_post, or};
use crate::alert::event::Event;
use crate::delivery::Delivery;

/// How many bytes of the title and message the card's summary keeps.
const SUMMARY_CUTOFF: usize = 70;

/// The `[teams]` section.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct TeamsConfig {
    pub enabled: bool,
    pub channel_url: String,
    pub global: bool,
    pub state_changes_only: bool,
}

/// `.teams()` with its properties.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Teams {
    pub channel_url: String,
}

/// `.teams()` bound to `[teams]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamsHandler {
    properties: Teams,
    config: TeamsConfig,
}

impl TeamsHandler {
    pub fn new(properties: Teams, services: &ServicesConfig) -> Self {
        TeamsHandler {
            properties,
            config: services.teams.clone(),
        }
    }

    pub(super) fn delivery(&self, event: &Event<'_>) -> Result<Delivery, SendError> {
        let c = &self.config;
        check_enabled(c.enabled)?;
        let level = event.level.as_str();
        let (title, summary) = if event.id.is_empty() {
            (level.to_owned(), format!("{level}: {}", event.message))
        } else {
            let title = format!("{level}: [{}]", event.id);
            let summary = format!("{title} - {}", event.message);
            (title, summary)
        };
        // Kapacitor marshals a struct, without the encoder's newline.
        let body = JsonObject::new()
            .string("@type", "MessageCard")
            .string("@context", "http://schema.org/extensions")
            .string("title", &title)
            .string("text", &event.message)
            .string(
                "summary",
                &format!("{}...", cut_bytes(&summary, SUMMARY_CUTOFF)),
            )
            .finish()
            .into_bytes();
        let url = or(&self.properties.channel_url, &c.channel_url);
        Ok(json_post(url.to_owned(), Vec::new(), body))
    }
}

/// The first `max` bytes of `text`. Kapacitor cuts bytes, so a character can be split: its
/// leftover bytes are invalid UTF-8, which Go's encoder writes as one U+FFFD each.
fn cut_bytes(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut cut = text[..end].to_owned();
    cut.extend(std::iter::repeat_n('\u{FFFD}', max - end));
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_cut_splits_characters_as_go_does() {
        assert_eq!(cut_bytes("abc", 70), "abc");
        assert_eq!(cut_bytes("abcdef", 4), "abcd");
        // "é" is two bytes: cutting after its first leaves one invalid byte.
        assert_eq!(cut_bytes("aé", 2), "a\u{FFFD}");
        // "€" is three bytes.
        assert_eq!(cut_bytes("a€", 3), "a\u{FFFD}\u{FFFD}");
    }
}
