//! `|union(node...)`: merges several parents into one stream, in time order.
//!
//! Messages wait per parent until every parent has sent something; then whatever is not newer
//! than the oldest time any parent has shown leaves, parents in order on equal times. A parent
//! that has gone quiet holds the others back at the last time it showed, as in Kapacitor.
//! `.rename()` gives everything passing a new measurement name.

use std::collections::VecDeque;

use super::group::{group_key, regroup_point};
use crate::point::{Str, Message, Time};

/// At most this many messages wait in a union; beyond it the oldest leave without waiting for
/// the quiet parents, so that a parent that never sends cannot make memory grow without bound.
const MAX_WAITING: usize = 100_000;

/// Only timed messages wait in a union (see [`UnionNode::push_from`]).
fn time_of(msg: &Message) -> Time {
    msg.time().unwrap_or_default()
}

/// `|union()`. Unlike other nodes it is fed per parent ([`UnionNode::push_from`]), so it does
/// not implement [`super::Node`].
#[derive(Debug)]
pub struct UnionNode {
    rename: Option<Str>,
    /// Waiting messages, per parent.
    waiting: Vec<VecDeque<Message>>,
    /// The time each parent showed last (the front of its queue, or what left last).
    marks: Vec<Option<Time>>,
    errors: u64,
}

impl UnionNode {
    /// A union of `parents` parents (the node it is chained from is parent 0).
    pub fn new(parents: usize, rename: Option<String>) -> Self {
        let rename = rename.map(Str::from);
        UnionNode {
            rename,
            waiting: vec![VecDeque::new(); parents],
            marks: vec![None; parents],
            errors: 0,
        }
    }

    /// Processes a message from parent number `parent`.
    ///
    /// A barrier waits and leaves in time order like data; a delete-group is dropped, as
    /// Kapacitor's unions drop them.
    pub fn push_from(&mut self, parent: usize, msg: Message, out: &mut Vec<Message>) {
        if let Message::DeleteGroup { .. } = msg {
            return;
        }
        let msg = self.renamed(msg);
        let Some(queue) = self.waiting.get_mut(parent) else {
            self.errors += 1;
            return;
        };
        queue.push_back(msg);
        self.emit_ready(false, out);
        while self.waiting.iter().map(VecDeque::len).sum::<usize>() > MAX_WAITING {
            self.emit_oldest(out);
        }
    }

    /// Sends everything still waiting, in time order (when the task stops).
    pub fn drain(&mut self, out: &mut Vec<Message>) {
        self.emit_ready(true, out);
    }

    /// Messages from an unknown parent (a wiring error).
    pub fn errors(&self) -> u64 {
        self.errors
    }

    fn renamed(&self, msg: Message) -> Message {
        let Some(name) = &self.rename else { return msg };
        match msg {
            Message::Point(mut p) => {
                p.name.clone_from(name);
                regroup_point(&mut p);
                Message::Point(p)
            }
            Message::Batch(mut b) => {
                b.name.clone_from(name);
                b.group = group_key(&b.name, &b.tags, &b.dimensions);
                Message::Batch(b)
            }
            control @ (Message::Barrier { .. } | Message::DeleteGroup { .. }) => control,
        }
    }

    /// Sends what is not newer than every parent's mark, until nothing more can go. Unless
    /// draining, nothing goes before every parent has shown a time.
    fn emit_ready(&mut self, drain: bool, out: &mut Vec<Message>) {
        loop {
            let mut mark: Option<Time> = None;
            let mut shown = 0;
            for (queue, parent_mark) in self.waiting.iter().zip(&mut self.marks) {
                if let Some(front) = queue.front() {
                    let t = time_of(front);
                    mark = Some(mark.map_or(t, |m| m.min(t)));
                    *parent_mark = Some(t);
                }
                if let Some(t) = *parent_mark {
                    shown += 1;
                    if !drain {
                        mark = Some(mark.map_or(t, |m| m.min(t)));
                    }
                }
            }
            if !drain && shown != self.waiting.len() {
                return;
            }
            let Some(mark) = mark else { return };
            let before = out.len();
            for queue in &mut self.waiting {
                while queue.front().is_some_and(|m| time_of(m) <= mark) {
                    out.extend(queue.pop_front());
                }
            }
            if out.len() == before {
                return;
            }
        }
    }

    /// Sends the oldest waiting message (the first parent's on equal times).
    fn emit_oldest(&mut self, out: &mut Vec<Message>) {
        let oldest = self
            .waiting
            .iter()
            .enumerate()
            .filter_map(|(i, q)| q.front().map(|m| (time_of(m), i)))
            .min();
        if let Some((t, parent)) = oldest {
            if let Some(mark) = self.marks.get_mut(parent) {
                *mark = Some(t);
            }
            out.extend(self.waiting.get_mut(parent).and_then(VecDeque::pop_front));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::testing::{point, points};
    use crate::point::Point;

    fn feed(node: &mut UnionNode, inputs: &[(usize, &str, i64)]) -> Vec<Point> {
        let mut out = Vec::new();
        for &(parent, name, t) in inputs {
            node.push_from(parent, Message::Point(point(name, &[], &[], t)), &mut out);
        }
        points(out)
    }

    fn seen(points: &[Point]) -> Vec<(String, i64)> {
        points.iter().map(|p| (p.name.to_string(), p.time)).collect()
    }

    #[test]
    fn waits_for_every_parent_then_merges_in_time_order() {
        let mut node = UnionNode::new(2, None);
        let out = feed(&mut node, &[(0, "a", 1), (0, "a", 2), (0, "a", 3)]);
        assert!(out.is_empty());
        let out = feed(&mut node, &[(1, "b", 2)]);
        assert_eq!(
            seen(&out),
            [("a".into(), 1), ("a".into(), 2), ("b".into(), 2)]
        );
        // Parent 1 showed 2 last: a's 3 waits for it.
        let out = feed(&mut node, &[(0, "a", 4), (1, "b", 3)]);
        assert_eq!(seen(&out), [("a".into(), 3), ("b".into(), 3)]);
        let mut rest = Vec::new();
        node.drain(&mut rest);
        assert_eq!(seen(&points(rest)), [("a".into(), 4)]);
    }

    #[test]
    fn ties_go_in_parent_order() {
        let mut node = UnionNode::new(3, None);
        let out = feed(&mut node, &[(2, "c", 1), (1, "b", 1), (0, "a", 1)]);
        assert_eq!(
            seen(&out),
            [("a".into(), 1), ("b".into(), 1), ("c".into(), 1)]
        );
    }

    #[test]
    fn rename_and_unknown_parents() {
        let mut node = UnionNode::new(1, Some("both".into()));
        let out = feed(&mut node, &[(0, "cpu", 1), (5, "mem", 1)]);
        assert_eq!(seen(&out), [("both".into(), 1)]);
        assert_eq!(node.errors(), 1);
    }

    #[test]
    fn a_quiet_parent_cannot_hold_unbounded_data() {
        let mut node = UnionNode::new(2, None);
        let mut out = Vec::new();
        for t in 0..(MAX_WAITING as i64 + 10) {
            node.push_from(0, Message::Point(point("a", &[], &[], t)), &mut out);
        }
        assert_eq!(out.len(), 10);
        assert_eq!(time_of(&out[0]), 0);
    }
}
