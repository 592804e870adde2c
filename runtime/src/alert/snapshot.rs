//! What an alert node keeps across a restart: each group's state (levels, episode times) with
//! the tags of its inhibitors, and its topic's last event of each id, so the first event after
//! a restore has the right `previousLevel` and duration. Encoded with bincode.

use serde::{Deserialize, Serialize};

use super::state::AlertState;
use crate::point::Str;
use super::topic::TopicEvents;

/// An alert node's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct AlertSnapshot {
    pub groups: Vec<GroupSnapshot>,
    pub topic: Option<TopicEvents>,
}

/// One group's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct GroupSnapshot {
    /// The group key's text.
    pub key: Str,
    pub state: AlertState,
    /// The values of each `.inhibit()`'s equal tags in the group, in the node's order.
    pub inhibitor_tags: Vec<Vec<(String, String)>>,
}

impl AlertSnapshot {
    pub fn encode(&self) -> Result<Vec<u8>, String> {
        bincode::serde::encode_to_vec(self, bincode::config::standard()).map_err(|e| e.to_string())
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, String> {
        bincode::serde::decode_from_slice(bytes, bincode::config::standard())
            .map(|(snapshot, _)| snapshot)
            .map_err(|e| format!("not an alert node's state: {e}"))
    }
}
