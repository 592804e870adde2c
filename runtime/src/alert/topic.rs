//! What an alert's topic remembers of its events: the last level and time of each event id.
//! It gives an event its `previousLevel` (tracked per id, while levels are tracked per group),
//! and a group that appears with a known id starts from that id's level, as Kapacitor restores
//! it.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::level::Level;
use crate::point::Time;

/// The last event of one id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastEvent {
    pub level: Level,
    pub time: Time,
}

/// The last event of every id the topic has seen; serializable so it can be persisted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TopicEvents {
    last: HashMap<String, LastEvent>,
}

impl TopicEvents {
    /// Records an event and returns the level of the previous one with its id (OK if none).
    pub fn record(&mut self, id: &str, event: LastEvent) -> Level {
        match self.last.get_mut(id) {
            Some(last) => std::mem::replace(last, event).level,
            None => {
                self.last.insert(id.to_owned(), event);
                Level::Ok
            }
        }
    }

    pub fn get(&self, id: &str) -> Option<LastEvent> {
        self.last.get(id).copied()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, LastEvent)> {
        self.last.iter().map(|(id, e)| (id.as_str(), *e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_previous_level_is_per_id() {
        let mut topic = TopicEvents::default();
        let ev = |level| LastEvent { level, time: 0 };
        assert_eq!(topic.record("a", ev(Level::Warning)), Level::Ok);
        assert_eq!(topic.record("b", ev(Level::Critical)), Level::Ok);
        assert_eq!(topic.record("a", ev(Level::Ok)), Level::Warning);
        assert_eq!(topic.get("b"), Some(ev(Level::Critical)));
    }
}
