//! `|join(node...)`: joins the messages of several parents that share a group and a time.
//!
//! Times are rounded to `.tolerance()` (halves up, as Go rounds), and the joined message carries
//! the rounded time. Without `.on()`, messages meet in the group they already have; with it,
//! messages grouped more finely are matched with those grouped by the `.on()` tags alone (see
//! [`on`]). Within a group, sets of one message per parent wait in time order until complete or
//! until every parent has moved past their time (see [`waiting`]); the fields of the joined
//! message are the members' fields renamed `<as><delimiter><field>` (see [`set`]). Points join
//! into a point, batches into a batch (whose points are joined by time in turn).
//!
//! Unlike other nodes a join is fed per parent ([`JoinNode::push_from`]), so it does not
//! implement [`super::Node`].

mod on;
mod set;
mod waiting;

use std::fmt;

use self::on::OnMatcher;
use self::waiting::WaitingSets;
use super::go_time::round;
use crate::point::{FieldValue, GroupKey, GroupMap, Message, Time};

/// `.fill()`: what a set missing a parent's member becomes.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum JoinFill {
    /// `none` (the default): an inner join, the set is dropped.
    #[default]
    None,
    /// `null`: the missing fields are left out (Kapacitor gives them a null value, which the
    /// point model cannot hold).
    Null,
    /// A number: the missing member's fields take it.
    Value(FieldValue),
}

/// What a script sets on `|join()`.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinConfig {
    /// `.as()`: one prefix per parent, the node it is chained from first.
    pub names: Vec<String>,
    /// `.on()`: the tags to join on, when the parents are grouped differently.
    pub on: Vec<String>,
    /// `.delimiter()` between the prefix and the field name (default `.`).
    pub delimiter: String,
    /// `.tolerance()` in nanoseconds (0: exact times).
    pub tolerance: i64,
    pub fill: JoinFill,
    /// `.streamName()`: the joined messages' name (default: the first member's).
    pub stream_name: Option<String>,
}

impl Default for JoinConfig {
    fn default() -> Self {
        JoinConfig {
            names: Vec::new(),
            on: Vec::new(),
            delimiter: ".".into(),
            tolerance: 0,
            fill: JoinFill::None,
            stream_name: None,
        }
    }
}

/// Why a join configuration cannot run (the checks of Kapacitor's pipeline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinConfigError {
    NoNames,
    EmptyName,
    NameContainsDelimiter { name: String, delimiter: String },
    DuplicateName(String),
}

impl fmt::Display for JoinConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinConfigError::NoNames => {
                f.write_str("join needs .as() to name the prefix of each joined stream")
            }
            JoinConfigError::EmptyName => f.write_str("a join prefix in .as() cannot be empty"),
            JoinConfigError::NameContainsDelimiter { name, delimiter } => write!(
                f,
                "the join prefix {name:?} contains the delimiter {delimiter:?}"
            ),
            JoinConfigError::DuplicateName(name) => {
                write!(f, "the join prefix {name:?} is given twice in .as()")
            }
        }
    }
}

impl std::error::Error for JoinConfigError {}

/// `<prefix><delimiter><name>`: a joined or combined field (or tag) name.
pub(super) fn prefixed(prefix: &str, delimiter: &str, name: &str) -> String {
    let mut joined = String::with_capacity(prefix.len() + delimiter.len() + name.len());
    joined.push_str(prefix);
    joined.push_str(delimiter);
    joined.push_str(name);
    joined
}

/// A message on its way to a join group: from which parent, at which rounded time.
#[derive(Debug, Clone)]
struct Arrival {
    parent: usize,
    time: Time,
    /// The join group it goes to.
    group: GroupKey,
    msg: Message,
}

/// `|join()`.
#[derive(Debug)]
pub struct JoinNode {
    config: JoinConfig,
    /// Set when joining `.on()` tags.
    matcher: Option<OnMatcher>,
    groups: GroupMap<WaitingSets>,
    /// Reused between messages.
    routed: Vec<Arrival>,
    errors: u64,
}

impl JoinNode {
    /// A join of as many parents as `config.names` has prefixes.
    pub fn new(config: JoinConfig) -> Result<Self, JoinConfigError> {
        if config.names.is_empty() {
            return Err(JoinConfigError::NoNames);
        }
        for (i, name) in config.names.iter().enumerate() {
            if name.is_empty() {
                return Err(JoinConfigError::EmptyName);
            }
            if !config.delimiter.is_empty() && name.contains(&config.delimiter) {
                return Err(JoinConfigError::NameContainsDelimiter {
                    name: name.clone(),
                    delimiter: config.delimiter.clone(),
                });
            }
            if config.names[..i].contains(name) {
                return Err(JoinConfigError::DuplicateName(name.clone()));
            }
        }
        let matcher =
            (!config.on.is_empty()).then(|| OnMatcher::new(config.on.clone(), config.names.len()));
        Ok(JoinNode {
            config,
            matcher,
            groups: GroupMap::default(),
            routed: Vec::new(),
            errors: 0,
        })
    }

    /// How many parents the join has.
    pub fn parents(&self) -> usize {
        self.config.names.len()
    }

    /// Processes a message from parent number `parent` (the node it is chained from is 0).
    pub fn push_from(&mut self, parent: usize, msg: Message, out: &mut Vec<Message>) {
        if parent >= self.parents() {
            self.errors += 1;
            return;
        }
        let (time, group) = match &msg {
            Message::Point(p) => (p.time, &p.group),
            Message::Batch(b) => (b.time, &b.group),
            Message::Barrier { group, time } => {
                self.barrier(parent, group, *time, out);
                out.push(msg);
                return;
            }
            // Kapacitor's joins drop them: one parent's group leaving says nothing of the
            // other parents' (the join keeps its groups, as Kapacitor's does).
            Message::DeleteGroup { .. } => return,
        };
        let arrival = Arrival {
            parent,
            time: round(time, self.config.tolerance),
            group: group.clone(),
            msg,
        };
        let Some(matcher) = &mut self.matcher else {
            self.collect(arrival, out);
            return;
        };
        let mut routed = std::mem::take(&mut self.routed);
        matcher.arrive(arrival, &mut routed);
        for arrival in routed.drain(..) {
            self.collect(arrival, out);
        }
        self.routed = routed;
    }

    /// Sends every set still waiting, group by group in time order (when the task stops).
    pub fn drain(&mut self, out: &mut Vec<Message>) {
        let mut groups: Vec<_> = self.groups.drain().collect();
        groups.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (_, mut waiting) in groups {
            waiting.drain(|set| emit(&self.config, &mut self.errors, set, out));
        }
    }

    /// Messages from an unknown parent, and sets mixing points and batches.
    pub fn errors(&self) -> u64 {
        self.errors
    }

    /// How many groups the join holds (Kapacitor's `working_cardinality`).
    pub fn cardinality(&self) -> usize {
        self.groups.len()
    }

    /// A barrier goes to its group as it is, past any `.on()` matching, as in Kapacitor; a
    /// group the join does not hold yet has nothing to release.
    fn barrier(&mut self, parent: usize, group: &GroupKey, time: Time, out: &mut Vec<Message>) {
        let time = round(time, self.config.tolerance);
        if let Some(waiting) = self.groups.get_mut(group) {
            waiting.barrier(parent, time, |set| emit(&self.config, &mut self.errors, set, out));
        }
    }

    fn collect(&mut self, arrival: Arrival, out: &mut Vec<Message>) {
        let parents = self.parents();
        let waiting = self
            .groups
            .entry(arrival.group)
            .or_insert_with(|| WaitingSets::new(parents));
        waiting.collect(arrival.parent, arrival.msg, arrival.time, |set| {
            emit(&self.config, &mut self.errors, set, out);
        });
    }
}

fn emit(config: &JoinConfig, errors: &mut u64, set: set::JoinSet, out: &mut Vec<Message>) {
    match set.join(config) {
        Ok(joined) => out.extend(joined),
        Err(set::MixedKinds) => *errors += 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::group::regroup_point;
    use crate::node::testing::{batch, batch_point, batches, point, points};
    use crate::point::{Dimensions, Point};

    const S: i64 = 1_000_000_000;

    fn config(names: &[&str]) -> JoinConfig {
        JoinConfig {
            names: names.iter().map(|s| s.to_string()).collect(),
            ..JoinConfig::default()
        }
    }

    fn grouped(mut p: Point, by: &[&str]) -> Point {
        p.dimensions = Dimensions {
            by_measurement: false,
            tag_names: by.iter().map(|s| crate::point::Str::from(*s)).collect(),
        };
        regroup_point(&mut p);
        p
    }

    fn feed(node: &mut JoinNode, inputs: impl IntoIterator<Item = (usize, Point)>) -> Vec<Point> {
        let mut out = Vec::new();
        for (parent, p) in inputs {
            node.push_from(parent, Message::Point(p), &mut out);
        }
        points(out)
    }

    /// `name tags fields @time` of each point, for compact comparisons.
    fn shown(points: &[Point]) -> Vec<String> {
        points
            .iter()
            .map(|p| {
                format!(
                    "{} {:?} {:?} @{} [{}]",
                    p.name,
                    p.tags,
                    p.fields,
                    p.time / S,
                    p.group.as_str()
                )
            })
            .collect()
    }

    #[test]
    fn joins_points_of_one_time_and_drops_unmatched_ones() {
        let mut node = JoinNode::new(config(&["a", "b"])).unwrap();
        let out = feed(
            &mut node,
            [
                (0, point("cpu", &[("host", "x")], &[("v", 1.0)], 0)),
                (1, point("mem", &[], &[("w", 2.0)], 0)),
                (0, point("cpu", &[], &[("v", 3.0)], S)),
                // Parent 1 skips 1s: that set leaves incomplete (dropped) once both moved on.
                (0, point("cpu", &[], &[("v", 4.0)], 2 * S)),
                (1, point("mem", &[], &[("w", 5.0)], 2 * S)),
            ],
        );
        assert_eq!(
            shown(&out),
            [
                r#"cpu {} {"a.v": Float(1.0), "b.w": Float(2.0)} @0 []"#,
                r#"cpu {} {"a.v": Float(4.0), "b.w": Float(5.0)} @2 []"#,
            ]
        );
    }

    #[test]
    fn the_first_parent_present_names_the_point_unless_stream_name_does() {
        let fill = JoinConfig {
            fill: JoinFill::Value(FieldValue::Int(0)),
            delimiter: "_".into(),
            ..config(&["a", "b"])
        };
        let inputs = || {
            [
                (1, point("mem", &[], &[("w", 2.0), ("x", 3.0)], 0)),
                (0, point("cpu", &[], &[("v", 1.0)], S)),
                (1, point("mem", &[], &[("w", 5.0)], S)),
            ]
        };
        let mut node = JoinNode::new(fill.clone()).unwrap();
        assert_eq!(
            shown(&feed(&mut node, inputs())),
            [
                r#"mem {} {"a_w": Int(0), "a_x": Int(0), "b_w": Float(2.0), "b_x": Float(3.0)} @0 []"#,
                r#"cpu {} {"a_v": Float(1.0), "b_w": Float(5.0)} @1 []"#,
            ]
        );

        let mut named = JoinNode::new(JoinConfig {
            stream_name: Some("both".into()),
            fill: JoinFill::Null,
            ..fill
        })
        .unwrap();
        assert_eq!(
            shown(&feed(&mut named, inputs())),
            [
                r#"both {} {"b_w": Float(2.0), "b_x": Float(3.0)} @0 []"#,
                r#"both {} {"a_v": Float(1.0), "b_w": Float(5.0)} @1 []"#,
            ]
        );
    }

    #[test]
    fn groups_join_separately_and_keep_only_group_tags() {
        let mut node = JoinNode::new(config(&["c", "m"])).unwrap();
        let p = |name: &str, host: &str, t: i64| {
            grouped(
                point(name, &[("host", host), ("extra", "e")], &[("v", 1.0)], t),
                &["host"],
            )
        };
        let out = feed(
            &mut node,
            [
                (0, p("cpu", "a", 0)),
                (0, p("cpu", "b", 0)),
                (1, p("mem", "b", 0)),
                (1, p("mem", "a", 0)),
            ],
        );
        assert_eq!(
            shown(&out),
            [
                r#"cpu {"host": "b"} {"c.v": Float(1.0), "m.v": Float(1.0)} @0 [host=b]"#,
                r#"cpu {"host": "a"} {"c.v": Float(1.0), "m.v": Float(1.0)} @0 [host=a]"#,
            ]
        );
        assert_eq!(node.cardinality(), 2);
    }

    #[test]
    fn tolerance_rounds_halves_up_and_the_point_takes_the_rounded_time() {
        let mut node = JoinNode::new(JoinConfig {
            tolerance: 2 * S,
            ..config(&["a", "b"])
        })
        .unwrap();
        let out = feed(
            &mut node,
            [
                (0, point("a", &[], &[("v", 1.0)], 4 * S)),
                (1, point("b", &[], &[("w", 2.0)], 3 * S)),
                (0, point("a", &[], &[("v", 3.0)], 8 * S)),
                (1, point("b", &[], &[("w", 4.0)], 9 * S)),
            ],
        );
        assert_eq!(
            shown(&out),
            [r#"a {} {"a.v": Float(1.0), "b.w": Float(2.0)} @4 []"#]
        );
    }

    #[test]
    fn a_parent_sending_twice_at_one_time_opens_a_second_set() {
        let mut node = JoinNode::new(config(&["a", "b"])).unwrap();
        let out = feed(
            &mut node,
            [
                (0, point("a", &[], &[("v", 1.0)], 0)),
                (0, point("a", &[], &[("v", 2.0)], 0)),
                (1, point("b", &[], &[("w", 1.0)], 0)),
                (1, point("b", &[], &[("w", 2.0)], 0)),
            ],
        );
        assert_eq!(
            shown(&out),
            [
                r#"a {} {"a.v": Float(1.0), "b.w": Float(1.0)} @0 []"#,
                r#"a {} {"a.v": Float(2.0), "b.w": Float(2.0)} @0 []"#,
            ]
        );
    }

    #[test]
    fn on_matches_specific_points_with_the_less_specific_one() {
        let mut node = JoinNode::new(JoinConfig {
            on: vec!["host".into()],
            fill: JoinFill::Value(FieldValue::Float(-1.0)),
            ..config(&["c", "l"])
        })
        .unwrap();
        let cpu = |host: &str, cpu: &str, t: i64| {
            grouped(
                point("cpu", &[("host", host), ("cpu", cpu)], &[("u", 1.0)], t),
                &["cpu", "host"],
            )
        };
        let load = |host: &str, t: i64| {
            grouped(
                point("load", &[("host", host)], &[("l", 2.0)], t),
                &["host"],
            )
        };
        let out = feed(
            &mut node,
            [
                (0, cpu("a", "0", 0)),
                (0, cpu("a", "1", 0)),
                (1, load("a", 0)),
                // cpu 1 misses its match at 1s: it goes alone (filled) once both parents
                // are past 1s for host a.
                (0, cpu("a", "1", S)),
                (1, load("a", 2 * S)),
                (0, cpu("a", "1", 2 * S)),
            ],
        );
        assert_eq!(
            shown(&out),
            [
                r#"cpu {"cpu": "0", "host": "a"} {"c.u": Float(1.0), "l.l": Float(2.0)} @0 [cpu=0,host=a]"#,
                r#"cpu {"cpu": "1", "host": "a"} {"c.u": Float(1.0), "l.l": Float(2.0)} @0 [cpu=1,host=a]"#,
                r#"cpu {"cpu": "1", "host": "a"} {"c.u": Float(1.0), "l.u": Float(-1.0)} @1 [cpu=1,host=a]"#,
                r#"cpu {"cpu": "1", "host": "a"} {"c.u": Float(1.0), "l.l": Float(2.0)} @2 [cpu=1,host=a]"#,
            ]
        );
    }

    #[test]
    fn on_the_parents_own_dimensions_joins_nothing_and_holds_bounded_data() {
        let mut node = JoinNode::new(JoinConfig {
            on: vec!["host".into()],
            ..config(&["a", "b"])
        })
        .unwrap();
        let p = |name: &str, t: i64| {
            grouped(point(name, &[("host", "h")], &[("v", 1.0)], t), &["host"])
        };
        let out = feed(
            &mut node,
            (0..20_050).flat_map(|t| [(0, p("a", t * S)), (1, p("b", t * S))]),
        );
        assert!(out.is_empty());
        let mut rest = Vec::new();
        node.drain(&mut rest);
        assert!(rest.is_empty());
    }

    #[test]
    fn drain_sends_what_waits_and_a_silent_parent_holds_bounded_data() {
        let mut node = JoinNode::new(JoinConfig {
            fill: JoinFill::Value(FieldValue::Float(0.0)),
            ..config(&["a", "b"])
        })
        .unwrap();
        let n = waiting::MAX_WAITING_SETS as i64 + 5;
        let out = feed(
            &mut node,
            (0..n).map(|t| (0, point("a", &[], &[("v", 1.0)], t))),
        );
        assert_eq!(out.len(), 5);
        assert_eq!(out[0].time, 0);
        let mut rest = Vec::new();
        node.drain(&mut rest);
        let rest = points(rest);
        assert_eq!(rest.len(), waiting::MAX_WAITING_SETS);
        assert_eq!(rest.last().map(|p| p.time), Some(n - 1));
    }

    #[test]
    fn batches_join_point_by_point_with_fill() {
        // batch_join_fill, host b: the `used` query misses the 22:16 bucket.
        let m = 60 * S;
        let used = batch(
            "mem",
            &[("host", "b")],
            vec![
                batch_point(&[("host", "b")], &[("used", 1311.0)], 0),
                batch_point(&[("host", "b")], &[("used", 1607.0)], 2 * m),
            ],
        );
        let total = batch(
            "memcap",
            &[("host", "b")],
            vec![
                batch_point(&[("host", "b")], &[("total", 8000.0)], 0),
                batch_point(&[("host", "b")], &[("total", 8000.0)], m),
                batch_point(&[("host", "b")], &[("total", 8000.0)], 2 * m),
            ],
        );
        for (fill, expected) in [
            (JoinFill::Value(FieldValue::Float(0.0)), 3),
            (JoinFill::None, 2),
        ] {
            let mut node = JoinNode::new(JoinConfig {
                fill,
                ..config(&["u", "t"])
            })
            .unwrap();
            let mut out = Vec::new();
            node.push_from(0, Message::Batch(used.clone()), &mut out);
            node.push_from(1, Message::Batch(total.clone()), &mut out);
            let out = batches(out);
            assert_eq!(out.len(), 1);
            let b = &out[0];
            assert_eq!((b.name.as_str(), b.group.as_str()), ("mem", "host=b"));
            assert_eq!(b.time, 2 * m);
            assert_eq!(b.points.len(), expected);
            if expected == 3 {
                assert_eq!(
                    format!("{:?} {:?}", b.points[1].fields, b.points[1].tags),
                    r#"{"t.total": Float(8000.0), "u.used": Float(0.0)} {"host": "b"}"#
                );
            }
        }
    }

    #[test]
    fn mixed_points_and_batches_and_unknown_parents_are_errors() {
        let mut node = JoinNode::new(config(&["a", "b"])).unwrap();
        let mut out = Vec::new();
        node.push_from(
            0,
            Message::Point(point("a", &[], &[("v", 1.0)], 0)),
            &mut out,
        );
        node.push_from(1, Message::Batch(batch("b", &[], vec![])), &mut out);
        node.push_from(2, Message::Point(point("c", &[], &[], 0)), &mut out);
        assert!(out.is_empty());
        assert_eq!(node.errors(), 2);
    }

    #[test]
    fn configurations_are_checked() {
        let err = |names: &[&str], delimiter: &str| {
            JoinNode::new(JoinConfig {
                delimiter: delimiter.into(),
                ..config(names)
            })
            .err()
        };
        assert_eq!(err(&[], "."), Some(JoinConfigError::NoNames));
        assert_eq!(err(&["a", ""], "."), Some(JoinConfigError::EmptyName));
        assert_eq!(
            err(&["a.b", "c"], ".").map(|e| e.to_string()),
            Some(r#"the join prefix "a.b" contains the delimiter ".""#.into())
        );
        assert_eq!(
            err(&["a", "a"], "."),
            Some(JoinConfigError::DuplicateName("a".into()))
        );
        assert_eq!(err(&["a.b", "c"], ""), None);
    }
}
