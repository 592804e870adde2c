//! `|stateDuration(lambda)` and `|stateCount(lambda)`: add a field telling for how long, or for
//! how many points in a row, the group has been in the state the predicate describes; `-1`
//! when it is not. A point whose predicate fails to evaluate is dropped. On batches the
//! tracking restarts with every batch (the lambda's own state does not).

use super::Node;
use super::filter::predicate_result;
use super::group::GroupStates;
use super::pass_control;
use crate::expr::Lambda;
use crate::point::{FieldValue, Message, Time};

/// What a state-tracking node measures.
pub trait Tracker: Clone {
    /// The field value for a point at `time`, in the state or not.
    fn track(&mut self, time: Time, in_state: bool) -> FieldValue;
    /// Forgets the current state (a new batch).
    fn reset(&mut self);
}

/// `stateDuration`: the time since the state began, in units, as a float.
#[derive(Debug, Clone)]
pub struct DurationTracker {
    /// Nanoseconds per unit (`.unit()`, 1s by default).
    unit: i64,
    start: Option<Time>,
}

impl DurationTracker {
    pub fn new(unit: i64) -> Self {
        DurationTracker { unit, start: None }
    }
}

impl Tracker for DurationTracker {
    fn track(&mut self, time: Time, in_state: bool) -> FieldValue {
        if !in_state {
            self.start = None;
            return FieldValue::Float(-1.0);
        }
        let start = *self.start.get_or_insert(time);
        FieldValue::Float(time.saturating_sub(start) as f64 / self.unit as f64)
    }

    fn reset(&mut self) {
        self.start = None;
    }
}

/// `stateCount`: how many points in a row have been in the state, as an int.
#[derive(Debug, Clone, Default)]
pub struct CountTracker {
    count: i64,
}

impl Tracker for CountTracker {
    fn track(&mut self, _: Time, in_state: bool) -> FieldValue {
        if !in_state {
            self.count = 0;
            return FieldValue::Int(-1);
        }
        self.count = self.count.wrapping_add(1);
        FieldValue::Int(self.count)
    }

    fn reset(&mut self) {
        self.count = 0;
    }
}

/// What a script sets on `|stateDuration()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateDurationConfig {
    /// `.as()`, `state_duration` by default.
    pub field: String,
    /// `.unit()` in nanoseconds, 1s by default.
    pub unit: i64,
}

impl Default for StateDurationConfig {
    fn default() -> Self {
        StateDurationConfig {
            field: "state_duration".into(),
            unit: 1_000_000_000,
        }
    }
}

/// What a script sets on `|stateCount()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateCountConfig {
    /// `.as()`, `state_count` by default.
    pub field: String,
}

impl Default for StateCountConfig {
    fn default() -> Self {
        StateCountConfig {
            field: "state_count".into(),
        }
    }
}

/// A group's lambda state and tracker.
#[derive(Debug)]
struct Group<S, T> {
    lambda: S,
    tracker: T,
}

/// The node behind both: a predicate, a tracker per group, the field it writes.
#[derive(Debug)]
pub struct StateTrackingNode<L: Lambda, T: Tracker> {
    predicate: L,
    field: String,
    /// A tracker in its initial state, copied for each new group.
    initial: T,
    groups: GroupStates<Group<L::State, T>>,
    errors: u64,
}

pub type StateDurationNode<L> = StateTrackingNode<L, DurationTracker>;
pub type StateCountNode<L> = StateTrackingNode<L, CountTracker>;

impl<L: Lambda> StateTrackingNode<L, DurationTracker> {
    pub fn state_duration(config: StateDurationConfig, predicate: L) -> Self {
        StateTrackingNode::new(predicate, config.field, DurationTracker::new(config.unit))
    }
}

impl<L: Lambda> StateTrackingNode<L, CountTracker> {
    pub fn state_count(config: StateCountConfig, predicate: L) -> Self {
        StateTrackingNode::new(predicate, config.field, CountTracker::default())
    }
}

impl<L: Lambda, T: Tracker> StateTrackingNode<L, T> {
    pub fn new(predicate: L, field: String, initial: T) -> Self {
        StateTrackingNode {
            predicate,
            field,
            initial,
            groups: GroupStates::default(),
            errors: 0,
        }
    }
}

impl<L: Lambda, T: Tracker> Node for StateTrackingNode<L, T> {
    fn push(&mut self, msg: Message, out: &mut Vec<Message>) {
        let initial = &self.initial;
        let new_group = || Group {
            lambda: L::State::default(),
            tracker: initial.clone(),
        };
        match msg {
            Message::Point(mut point) => {
                let group = self.groups.get_or_insert_with(&point.group, new_group);
                if let Some(in_state) =
                    predicate_result(&self.predicate, &point, &mut group.lambda, &mut self.errors)
                {
                    let value = group.tracker.track(point.time, in_state);
                    point.fields.insert(self.field.clone(), value);
                    out.push(Message::Point(point));
                }
            }
            Message::Batch(mut batch) => {
                let group = self.groups.get_or_insert_with(&batch.group, new_group);
                group.tracker.reset();
                batch.points.retain_mut(|p| {
                    match predicate_result(&self.predicate, p, &mut group.lambda, &mut self.errors)
                    {
                        Some(in_state) => {
                            let value = group.tracker.track(p.time, in_state);
                            p.fields.insert(self.field.clone(), value);
                            true
                        }
                        None => false,
                    }
                });
                out.push(Message::Batch(batch));
            }
            control @ (Message::DeleteGroup { .. } | Message::Barrier { .. }) => {
                pass_control(control, out, |group| {
                    self.groups.remove(group);
                })
            }
        }
    }

    fn groups(&self) -> usize {
        self.groups.len()
    }

    fn errors(&self) -> u64 {
        self.errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::BinaryOp;
    use crate::node::testing::{FieldCompare, batch, batch_point, batches, point, points, run};
    use crate::point::GroupKey;

    const S: i64 = 1_000_000_000;

    fn values(out: &[crate::point::Point], field: &str) -> Vec<String> {
        out.iter()
            .map(|p| format!("{:?}", p.fields.get(field)))
            .collect()
    }

    #[test]
    fn duration_in_units_since_the_state_began() {
        let mut node = StateTrackingNode::state_duration(
            StateDurationConfig {
                field: "mins".into(),
                unit: 60 * S,
            },
            FieldCompare::new("v", BinaryOp::Gt, 10.0),
        );
        let at = |v, t| point("m", &[], &[("v", v)], t);
        let out = points(run(
            &mut node,
            [
                at(5.0, 0),
                at(50.0, 15 * S),
                at(11.0, 45 * S),
                at(1.0, 60 * S),
                at(20.0, 75 * S),
            ],
        ));
        assert_eq!(
            values(&out, "mins"),
            [
                "Some(Float(-1.0))",
                "Some(Float(0.0))",
                "Some(Float(0.5))",
                "Some(Float(-1.0))",
                "Some(Float(0.0))"
            ]
        );
    }

    #[test]
    fn count_per_group_and_errors_drop_points() {
        let mut node = StateTrackingNode::state_count(
            StateCountConfig::default(),
            FieldCompare::new("v", BinaryOp::Gt, 10.0),
        );
        let at = |host: &str, v, t| {
            let mut p = point(
                "m",
                &[("host", host)],
                &[(if v < 0.0 { "w" } else { "v" }, v)],
                t,
            );
            p.group = GroupKey(format!("host={host}").into());
            p
        };
        let out = points(run(
            &mut node,
            [
                at("a", 20.0, 1),
                at("b", 20.0, 2),
                at("a", 30.0, 3),
                at("a", -1.0, 4),
                at("a", 5.0, 5),
                at("b", 40.0, 6),
            ],
        ));
        assert_eq!(
            values(&out, "state_count"),
            [
                "Some(Int(1))",
                "Some(Int(1))",
                "Some(Int(2))",
                "Some(Int(-1))",
                "Some(Int(2))"
            ]
        );
        assert_eq!(node.errors(), 1);
    }

    #[test]
    fn batches_restart_tracking() {
        let mut node = StateTrackingNode::state_count(
            StateCountConfig::default(),
            FieldCompare::new("v", BinaryOp::Gt, 10.0),
        );
        let b = || {
            batch(
                "m",
                &[],
                vec![
                    batch_point(&[], &[("v", 20.0)], 1),
                    batch_point(&[], &[("v", 30.0)], 2),
                ],
            )
        };
        let out = batches(run(&mut node, [b(), b()]));
        let counts: Vec<String> = out[1]
            .points
            .iter()
            .map(|p| format!("{:?}", p.fields.get("state_count")))
            .collect();
        assert_eq!(counts, ["Some(Int(1))", "Some(Int(2))"]);
    }
}
