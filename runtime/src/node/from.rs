//! `|from()`: selects the stream's points by database, retention policy, measurement and a
//! `.where()` lambda, rounds their times, and gives them their group.

use super::{InPlace, Node, push_in_place};
use super::go_time;
use super::group::GroupBy;
use super::group_keys::GroupKeys;
use super::idle_groups::IdleGroups;
use crate::expr::{EvalError, Lambda, Scope, Value};
use crate::point::Message;

/// What a script sets on `|from()`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FromConfig {
    pub database: Option<String>,
    pub retention_policy: Option<String>,
    pub measurement: Option<String>,
    pub group_by: GroupBy,
    pub group_by_measurement: bool,
    /// `.truncate(d)`: nanoseconds, applied before rounding.
    pub truncate: Option<i64>,
    /// `.round(d)`: nanoseconds.
    pub round: Option<i64>,
}

/// The lambda type of a `|from()` without `.where()`: it has no values, so `Option<NoLambda>`
/// is always `None` and the node carries no lambda state.
#[derive(Debug, Clone, Copy)]
pub enum NoLambda {}

impl Lambda for NoLambda {
    type State = ();

    fn eval<'a, S: Scope + ?Sized>(&'a self, _: &'a S, _: &mut ()) -> Result<Value<'a>, EvalError> {
        match *self {}
    }
}

/// `|from()`. Points only: a stream node.
#[derive(Debug)]
pub struct FromNode<W: Lambda = NoLambda> {
    config: FromConfig,
    /// Repeated `.where()` calls arrive ANDed into one lambda.
    filter: Option<W>,
    /// Kapacitor evaluates from's lambda with one state for the whole node, not per group.
    state: W::State,
    /// The groups it gives points, to forget those whose series stopped (when grouping).
    idle_groups: IdleGroups,
    group_keys: GroupKeys,
    errors: u64,
}

impl<W: Lambda> FromNode<W> {
    pub fn new(config: FromConfig, filter: Option<W>) -> Self {
        FromNode {
            config,
            filter,
            state: W::State::default(),
            idle_groups: IdleGroups::new(0),
            group_keys: GroupKeys::default(),
            errors: 0,
        }
    }

    /// Sends a delete-group down for every group silent longer than `timeout` nanoseconds of
    /// data time (see [`IdleGroups`]); 0 never does. An ungrouped stream has one group, which
    /// is never silent while data flows, so it is not tracked.
    pub fn forgetting_idle_groups(mut self, timeout: i64) -> Self {
        let grouped = self.config.group_by != GroupBy::Nothing || self.config.group_by_measurement;
        self.idle_groups = IdleGroups::new(if grouped { timeout } else { 0 });
        self
    }

    fn selects(&mut self, point: &crate::point::Point) -> bool {
        let differs =
            |wanted: &Option<String>, actual: &str| wanted.as_deref().is_some_and(|w| w != actual);
        if differs(&self.config.database, &point.database)
            || differs(&self.config.retention_policy, &point.retention_policy)
            || differs(&self.config.measurement, &point.name)
        {
            return false;
        }
        let Some(filter) = &self.filter else {
            return true;
        };
        match filter.test(point, &mut self.state) {
            Ok(keep) => keep,
            Err(_) => {
                self.errors += 1;
                false
            }
        }
    }
}

impl<W: Lambda> InPlace for FromNode<W> {
    fn process(&mut self, msg: &mut Message, after: &mut Vec<Message>) -> bool {
        let point = match msg {
            Message::Point(p) => p,
            // The checker only puts from() on a stream; a batch here is a wiring error.
            Message::Batch(_) => {
                self.errors += 1;
                return false;
            }
            Message::Barrier { .. } | Message::DeleteGroup { .. } => return true,
        };
        if !self.selects(point) {
            return false;
        }
        if let Some(d) = self.config.truncate {
            point.time = go_time::truncate(point.time, d);
        }
        if let Some(d) = self.config.round {
            point.time = go_time::round(point.time, d);
        }
        self.group_keys.regroup(point, &self.config.group_by, self.config.group_by_measurement);
        if self.idle_groups.saw(&point.group, point.time) {
            self.idle_groups.evict(after);
        }
        true
    }
}

impl<W: Lambda> Node for FromNode<W> {
    fn push(&mut self, msg: Message, out: &mut Vec<Message>) {
        push_in_place(self, msg, out);
    }

    fn groups(&self) -> usize {
        self.idle_groups.len()
    }

    fn errors(&self) -> u64 {
        self.errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::BinaryOp;
    use crate::node::testing::{FieldCompare, point, points, run};

    const S: i64 = 1_000_000_000;

    #[test]
    fn filters_by_database_retention_policy_and_measurement() {
        let mut node = FromNode::<NoLambda>::new(
            FromConfig {
                database: Some("db".into()),
                retention_policy: Some("rp".into()),
                measurement: Some("cpu".into()),
                ..FromConfig::default()
            },
            None,
        );
        let mut other_db = point("cpu", &[], &[("v", 1.0)], 0);
        other_db.database = "other".into();
        let mut other_rp = point("cpu", &[], &[("v", 1.0)], 0);
        other_rp.retention_policy = "other".into();
        let out = points(run(
            &mut node,
            [
                point("cpu", &[], &[("v", 1.0)], 0),
                point("mem", &[], &[("v", 1.0)], 0),
                other_db,
                other_rp,
            ],
        ));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].name, "cpu");
    }

    /// A point that finds other groups idle goes on first, their delete-groups after it: in
    /// one buffer through `push`, through `after` when processed where it lies.
    #[test]
    fn a_point_that_finds_groups_idle_goes_on_before_their_deletes() {
        let grouped = || {
            FromNode::<NoLambda>::new(
                FromConfig { group_by: GroupBy::tags(["host"]), ..FromConfig::default() },
                None,
            )
            .forgetting_idle_groups(10 * S)
        };
        let host = |name: &str, time: i64| Message::Point(point("cpu", &[("host", name)], &[("v", 1.0)], time));
        let deleted = |msgs: &[Message]| -> Vec<String> {
            msgs.iter()
                .filter_map(|m| match m {
                    Message::DeleteGroup { group } => Some(group.as_str().to_owned()),
                    _ => None,
                })
                .collect()
        };

        let mut node = grouped();
        let mut out = Vec::new();
        for msg in [host("a", 0), host("b", 0), host("b", 20 * S)] {
            node.push(msg, &mut out);
        }
        assert_eq!(out.len(), 4, "{out:?}");
        assert!(matches!(&out[2], Message::Point(p) if p.time == 20 * S));
        assert_eq!(deleted(&out), ["host=a"]);

        let mut node = grouped();
        let mut after = Vec::new();
        for msg in [host("a", 0), host("b", 0)] {
            assert!(node.process(&mut { msg }, &mut after));
        }
        assert!(after.is_empty());
        let mut last = host("b", 20 * S);
        assert!(node.process(&mut last, &mut after));
        assert!(matches!(&last, Message::Point(p) if p.group.as_str() == "host=b"));
        assert_eq!(deleted(&after), ["host=a"]);
        assert_eq!(after.len(), 1);
    }

    #[test]
    fn where_drops_false_and_failing_points() {
        let mut node = FromNode::new(
            FromConfig::default(),
            Some(FieldCompare::new("v", BinaryOp::Gt, 5.0)),
        );
        let out = points(run(
            &mut node,
            [
                point("m", &[], &[("v", 10.0)], 0),
                point("m", &[], &[("v", 1.0)], 1),
                point("m", &[], &[("w", 10.0)], 2),
            ],
        ));
        assert_eq!(out.iter().map(|p| p.time).collect::<Vec<_>>(), [0]);
        assert_eq!(node.errors(), 1);
    }

    #[test]
    fn groups_by_tags_and_measurement_keeping_every_tag() {
        let mut node = FromNode::<NoLambda>::new(
            FromConfig {
                group_by: GroupBy::tags(["host"]),
                group_by_measurement: true,
                ..FromConfig::default()
            },
            None,
        );
        let out = points(run(
            &mut node,
            [point(
                "cpu",
                &[("host", "a"), ("dc", "x")],
                &[("v", 1.0)],
                0,
            )],
        ));
        assert_eq!(out[0].group.as_str(), "cpu\nhost=a");
        assert_eq!(*out[0].dimensions.tag_names, ["host"]);
        assert_eq!(out[0].tags.len(), 2);

        let mut star = FromNode::<NoLambda>::new(
            FromConfig {
                group_by: GroupBy::AllExcept(vec![]),
                ..FromConfig::default()
            },
            None,
        );
        let out = points(run(
            &mut star,
            [point(
                "cpu",
                &[("host", "a"), ("dc", "x")],
                &[("v", 1.0)],
                0,
            )],
        ));
        assert_eq!(out[0].group.as_str(), "dc=x,host=a");
    }

    #[test]
    fn truncates_then_rounds_after_filtering() {
        let mut node = FromNode::<NoLambda>::new(
            FromConfig {
                truncate: Some(10 * S),
                ..FromConfig::default()
            },
            None,
        );
        let out = points(run(&mut node, [point("m", &[], &[("v", 1.0)], 19 * S)]));
        assert_eq!(out[0].time, 10 * S);

        let mut node = FromNode::<NoLambda>::new(
            FromConfig {
                round: Some(10 * S),
                ..FromConfig::default()
            },
            None,
        );
        let out = points(run(
            &mut node,
            [
                point("m", &[], &[("v", 1.0)], 15 * S),
                point("m", &[], &[("v", 1.0)], 14 * S),
            ],
        ));
        assert_eq!(
            out.iter().map(|p| p.time).collect::<Vec<_>>(),
            [20 * S, 10 * S]
        );
    }

    #[test]
    fn batches_are_refused() {
        let mut node = FromNode::<NoLambda>::new(FromConfig::default(), None);
        let out = run(&mut node, [crate::node::testing::batch("m", &[], vec![])]);
        assert!(out.is_empty());
        assert_eq!(node.errors(), 1);
    }
}
