//! `|changeDetect(field...)`: passes a point only when one of the fields differs from the last
//! point it passed in the group (the first point always passes). Values of different types
//! differ (`1` and `1.0`). On batches the comparison restarts with every batch.

use super::Node;
use super::group::GroupStates;
use super::pass_control;
use crate::point::{FieldValue, Fields, Message};

/// The watched fields' values of the last point passed (`None` where it lacked the field).
type Previous = Option<Vec<Option<FieldValue>>>;

/// `|changeDetect()`.
#[derive(Debug)]
pub struct ChangeDetectNode {
    fields: Vec<String>,
    previous: GroupStates<Previous>,
    errors: u64,
}

impl ChangeDetectNode {
    pub fn new(fields: Vec<String>) -> Self {
        ChangeDetectNode {
            fields,
            previous: GroupStates::default(),
            errors: 0,
        }
    }
}

/// Whether `current` changed from `previous`; remembers it when it did. A watched field the
/// point lacks is an error and is skipped (Kapacitor logs it and compares the others).
fn detect(watched: &[String], previous: &mut Previous, current: &Fields, errors: &mut u64) -> bool {
    let mut changed = false;
    for (i, name) in watched.iter().enumerate() {
        let Some(value) = current.get(name) else {
            *errors += 1;
            continue;
        };
        let before = previous
            .as_ref()
            .and_then(|p| p.get(i))
            .and_then(Option::as_ref);
        if before != Some(value) {
            changed = true;
            break;
        }
    }
    if changed {
        *previous = Some(
            watched
                .iter()
                .map(|name| current.get(name).cloned())
                .collect(),
        );
    }
    changed
}

impl Node for ChangeDetectNode {
    fn push(&mut self, msg: Message, out: &mut Vec<Message>) {
        match msg {
            Message::Point(point) => {
                let mut previous = self.previous.get(&point.group);
                if detect(&self.fields, &mut previous, &point.fields, &mut self.errors) {
                    out.push(Message::Point(point));
                }
            }
            Message::Batch(mut batch) => {
                let mut previous = None;
                batch
                    .points
                    .retain(|p| detect(&self.fields, &mut previous, &p.fields, &mut self.errors));
                out.push(Message::Batch(batch));
            }
            control @ (Message::DeleteGroup { .. } | Message::Barrier { .. }) => {
                pass_control(control, out, |group| {
                    self.previous.remove(group);
                })
            }
        }
    }

    fn groups(&self) -> usize {
        self.previous.len()
    }

    fn errors(&self) -> u64 {
        self.errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::testing::{batch, batches, fields, point_with, points, run};
    use crate::point::{BatchPoint, GroupKey, Tags};

    fn status(host: &str, value: FieldValue, t: i64) -> crate::point::Point {
        let mut p = point_with("svc", &[("host", host)], fields(&[("status", value)]), t);
        p.group = GroupKey(format!("host={host}").into());
        p
    }

    fn s(v: &str) -> FieldValue {
        FieldValue::String(v.into())
    }

    #[test]
    fn passes_changes_per_group() {
        let mut node = ChangeDetectNode::new(vec!["status".into()]);
        let out = points(run(
            &mut node,
            [
                status("a", s("up"), 1),
                status("b", s("up"), 2),
                status("a", s("up"), 3),
                status("a", s("down"), 4),
                status("b", s("up"), 5),
                status("a", s("up"), 6),
            ],
        ));
        assert_eq!(out.iter().map(|p| p.time).collect::<Vec<_>>(), [1, 2, 4, 6]);
    }

    #[test]
    fn types_differ_and_missing_fields_are_errors() {
        let mut node = ChangeDetectNode::new(vec!["status".into()]);
        let missing = point_with("svc", &[], Fields::new(), 3);
        let out = points(run(
            &mut node,
            [
                status("", FieldValue::Int(1), 1),
                status("", FieldValue::Float(1.0), 2),
                missing,
            ],
        ));
        assert_eq!(out.iter().map(|p| p.time).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(node.errors(), 1);
    }

    #[test]
    fn batches_restart_the_comparison() {
        let mut node = ChangeDetectNode::new(vec!["status".into()]);
        let bp = |v: &str, t| BatchPoint {
            time: t,
            fields: fields(&[("status", s(v))]),
            tags: Tags::new(),
        };
        let b = || batch("svc", &[], vec![bp("up", 1), bp("up", 2), bp("down", 3)]);
        let out = batches(run(&mut node, [b(), b()]));
        for b in out {
            assert_eq!(b.points.iter().map(|p| p.time).collect::<Vec<_>>(), [1, 3]);
        }
    }
}
