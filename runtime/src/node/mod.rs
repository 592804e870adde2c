//! Pipeline nodes: each is a plain synchronous state machine fed one message at a time.
//!
//! A node never blocks and never sees the clock directly: data time arrives with the messages.
//! What it emits goes into `out`, which the caller (generated wiring, a test) drains into the
//! node's children; reusing one buffer keeps the hot path free of allocation.

use crate::point::{GroupKey, Message, Time};

/// A node of a task's pipeline.
pub trait Node {
    /// Processes one message, pushing what the node emits (zero or more messages) onto `out`.
    fn push(&mut self, msg: Message, out: &mut Vec<Message>);

    /// Errors this node has met so far (bad types, missing fields...): Kapacitor logs these and
    /// drops the offending point; we do the same and count them for the task's stats.
    fn errors(&self) -> u64 {
        0
    }

    /// How many deliveries the node handed to the outbox failed for good or were dropped
    /// (see [`crate::delivery::FailureCount`]); `None` for a node that delivers nothing.
    fn handler_failures(&self) -> Option<u64> {
        None
    }

    /// How many groups the node keeps state for (Kapacitor's `working_cardinality`); 0 for a
    /// node that keeps none.
    fn groups(&self) -> usize {
        0
    }

    /// The wall clock reached `now` (see [`crate::task::Task::tick`]); only nodes that act on
    /// the clock override this.
    fn tick(&mut self, _now: Time, _out: &mut Vec<Message>) {}

    /// The node's state worth keeping across a restart, encoded (bincode); `None` for a node
    /// that keeps none.
    fn snapshot(&self) -> Option<Vec<u8>> {
        None
    }

    /// Puts back what [`Node::snapshot`] returned.
    fn restore(&mut self, _bytes: &[u8]) -> Result<(), String> {
        Ok(())
    }
}

pub mod barrier;
pub mod change_detect;
pub mod combine;
mod control;
#[cfg(test)]
mod conformance_tests;
#[cfg(test)]
mod conformance_tests_merging;
pub mod default;
pub mod delete;
pub mod derivative;
#[cfg(test)]
mod eviction_tests;
pub mod eval;
pub mod filter;
pub mod flatten;
pub mod from;
pub mod go_time;
pub mod group;
pub mod group_by;
pub mod group_keys;
pub mod http_out;
pub mod http_post;
pub mod idle_groups;
pub mod influxdb_out;
pub mod influxql;
pub mod join;
pub mod log;
pub mod loopback;
pub mod query;
pub mod sample;
pub mod shift;
pub mod sideload;
pub mod state_tracking;
pub mod stats;
#[cfg(test)]
mod testing;
pub mod union;
pub mod window;

/// A node that hands on at most the message it is given, changed where it lies, and emits
/// anything else after it (the root, `from`, `where`, `eval`, `groupBy`). The generated wiring
/// then passes that message to the children itself instead of moving it through the node's
/// buffer and out again: a point is 168 bytes, and every move of it is a copy the next read
/// waits on.
pub trait InPlace: Node {
    /// Processes `msg` where it lies; whether it goes on to the children. What the node emits
    /// after it, or instead of it (`from` forgetting idle groups, `groupBy` merging batches),
    /// goes onto `after`.
    fn process(&mut self, msg: &mut Message, after: &mut Vec<Message>) -> bool;
}

/// [`Node::push`] for an [`InPlace`] node: the message, when it goes on, then what came after.
pub(crate) fn push_in_place(node: &mut impl InPlace, mut msg: Message, out: &mut Vec<Message>) {
    let at = out.len();
    if node.process(&mut msg, out) {
        out.insert(at, msg);
    }
}

/// Passes a barrier or a delete-group on, as every node with group state does: a deleted
/// group's state is dropped first, by `forget`.
pub(crate) fn pass_control(control: Message, out: &mut Vec<Message>, forget: impl FnOnce(&GroupKey)) {
    if control_in_place(&control, forget) {
        out.push(control);
    }
}

/// [`pass_control`] for an [`InPlace`] node: a deleted group's state is dropped by `forget`,
/// and the barrier or delete-group goes on.
pub(crate) fn control_in_place(control: &Message, forget: impl FnOnce(&GroupKey)) -> bool {
    if let Message::DeleteGroup { group } = control {
        forget(group);
    }
    true
}
