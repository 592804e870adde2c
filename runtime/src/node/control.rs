//! What nodes ask of any message, barriers and delete-groups included: its group and time.
//!
//! Kapacitor's rules for the two control messages, which every node follows:
//! - a barrier promises that no older data of its group follows; nodes pass it on, and those
//!   that wait for later data to close something (window, join) treat it as that later time;
//! - a delete-group makes every node that keeps per-group state forget the group, and passes on.
//!
//! Nodes fed by several parents (join, union) never pass a delete-group on: Kapacitor's
//! multi-parent consumer drops them, since one parent's group leaving says nothing of the
//! others'.

use crate::point::{GroupKey, Message, Time};

impl Message {
    /// The group the message belongs to.
    pub fn group(&self) -> &GroupKey {
        match self {
            Message::Point(p) => &p.group,
            Message::Batch(b) => &b.group,
            Message::Barrier { group, .. } | Message::DeleteGroup { group } => group,
        }
    }

    /// The message's data time; a delete-group has none.
    pub fn time(&self) -> Option<Time> {
        match self {
            Message::Point(p) => Some(p.time),
            Message::Batch(b) => Some(b.time),
            Message::Barrier { time, .. } => Some(*time),
            Message::DeleteGroup { .. } => None,
        }
    }

    /// Whether the message carries data (a point or batch) rather than a barrier or a
    /// delete-group; Kapacitor's node counts and outputs see data only.
    pub fn is_data(&self) -> bool {
        matches!(self, Message::Point(_) | Message::Batch(_))
    }
}
