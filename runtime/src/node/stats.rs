//! `|stats(interval)`: every `interval` of wall-clock time, one point per group of the node it
//! observes, measurement `stats`, with field `emitted`: how many points that node has emitted
//! in the group since the task started (a batch counts its points). Nothing flows into it: the
//! generated pipeline shows it what the observed node emits ([`StatsNode::observe`]) and
//! ticks it with the wall clock.
//!
//! Like Kapacitor's ticker, the clock starts at the first tick. With `.align()` the first point
//! comes at the next multiple of the interval, stamped with the start time rounded to the
//! interval (as Kapacitor stamps it), and later ones at each multiple, stamped with it.

use std::collections::BTreeMap;

use super::Node;
use super::group::group_key;
use crate::point::{Dimensions, FieldValue, Fields, GroupKey, Message, Point, Str, Tags, Time};

/// `|stats()`.
#[derive(Debug)]
pub struct StatsNode {
    interval: Time,
    align: bool,
    groups: BTreeMap<GroupKey, GroupCount>,
    schedule: Schedule,
}

#[derive(Debug)]
struct GroupCount {
    tags: Tags,
    dimensions: Dimensions,
    emitted: i64,
}

#[derive(Debug, Clone, Copy)]
enum Schedule {
    /// No tick yet.
    Unstarted,
    /// Aligned: the first emission is due at `due`, stamped `stamp`.
    First { due: Time, stamp: Time },
    /// The next emission is due at this time, and stamped with it.
    Next(Time),
}

impl StatsNode {
    /// `interval` in nanoseconds; the checker makes sure it is positive.
    pub fn new(interval: Time, align: bool) -> StatsNode {
        StatsNode {
            interval: interval.max(1),
            align,
            groups: BTreeMap::new(),
            schedule: Schedule::Unstarted,
        }
    }

    /// Counts what the observed node emitted for one input.
    pub fn observe(&mut self, messages: &[Message]) {
        for message in messages {
            match message {
                Message::Point(p) => self.observe_point(p),
                Message::Batch(b) => {
                    self.count(&b.group, || (b.tags.clone(), b.dimensions.clone()), b.points.len() as i64)
                }
                Message::Barrier { .. } | Message::DeleteGroup { .. } => {}
            }
        }
    }

    /// Counts one point the observed node emitted.
    pub fn observe_point(&mut self, p: &Point) {
        // A point's group is named by its dimension tags only.
        let group_tags = || {
            let tags = p
                .dimensions
                .tag_names
                .iter()
                .map(|name| (name.clone(), p.tags.get(name).cloned().unwrap_or_default()))
                .collect();
            (tags, p.dimensions.clone())
        };
        self.count(&p.group, group_tags, 1);
    }

    /// Adds `count` to the group's total; `first_seen` names a group seen for the first time.
    fn count(&mut self, group: &GroupKey, first_seen: impl FnOnce() -> (Tags, Dimensions), count: i64) {
        match self.groups.get_mut(group) {
            Some(counted) => counted.emitted += count,
            None => {
                let (tags, dimensions) = first_seen();
                self.groups.insert(group.clone(), GroupCount { tags, dimensions, emitted: count });
            }
        }
    }

    /// The points of one emission at `time`; one zero count when no group was seen yet.
    fn emit(&self, time: Time, out: &mut Vec<Message>) {
        let point = |tags: Tags, dimensions: Dimensions, emitted: i64| {
            let group = group_key("stats", &tags, &dimensions);
            Message::Point(Point {
                database: Default::default(),
                retention_policy: Default::default(),
                name: Str::from_static("stats"),
                tags,
                fields: Fields::from_pairs([(Str::from_static("emitted"), FieldValue::Int(emitted))]),
                time,
                dimensions,
                group,
            })
        };
        if self.groups.is_empty() {
            out.push(point(Tags::new(), Dimensions::default(), 0));
        }
        for counted in self.groups.values() {
            out.push(point(counted.tags.clone(), counted.dimensions.clone(), counted.emitted));
        }
    }

    /// The first multiple of the interval after `time`.
    fn next_multiple(&self, time: Time) -> Time {
        time - time.rem_euclid(self.interval) + self.interval
    }

    /// `time` rounded to the nearest multiple of the interval, halves up (Go's `Time.Round`).
    fn round(&self, time: Time) -> Time {
        let rest = time.rem_euclid(self.interval);
        if rest >= self.interval - rest {
            time - rest + self.interval
        } else {
            time - rest
        }
    }
}

impl Node for StatsNode {
    fn push(&mut self, _msg: Message, _out: &mut Vec<Message>) {}

    fn tick(&mut self, now: Time, out: &mut Vec<Message>) {
        let (due, stamp) = match self.schedule {
            Schedule::Unstarted => {
                self.schedule = if self.align {
                    Schedule::First { due: self.next_multiple(now), stamp: self.round(now) }
                } else {
                    Schedule::Next(now.saturating_add(self.interval))
                };
                return;
            }
            Schedule::First { due, stamp } => (due, stamp),
            Schedule::Next(due) => (due, due),
        };
        if now < due {
            return;
        }
        self.emit(stamp, out);
        // A ticker drops the ticks a slow receiver missed: the next one is the first due
        // after now.
        let missed = (now - due) / self.interval;
        self.schedule = Schedule::Next(due.saturating_add((missed + 1).saturating_mul(self.interval)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::testing::{batch, batch_point, point};

    const S: Time = 1_000_000_000;

    fn grouped(host: &str) -> Message {
        let mut p = point("cpu", &[("host", host), ("cpu", "0")], &[("v", 1.0)], 0);
        p.dimensions = Dimensions { by_measurement: false, tag_names: ["host"].map(crate::point::Str::from).into() };
        p.group = group_key(&p.name, &p.tags, &p.dimensions);
        Message::Point(p)
    }

    /// `(time, tags, emitted)` of each point a tick at `now` emits.
    fn tick(node: &mut StatsNode, now: Time) -> Vec<String> {
        let mut out = Vec::new();
        node.tick(now, &mut out);
        out.iter()
            .map(|m| match m {
                Message::Point(p) => format!("{} {:?} {:?} {}", p.time / S, p.tags, p.fields.get("emitted"), p.group.as_str()),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn counts_per_group_on_the_wall_clock() {
        let mut node = StatsNode::new(10 * S, false);
        assert!(tick(&mut node, 1003 * S).is_empty(), "the first tick starts the clock");
        // Nothing observed yet: one zero count for the empty group.
        assert!(tick(&mut node, 1012 * S).is_empty());
        insta::assert_snapshot!(tick(&mut node, 1013 * S).join("\n"), @"1013 {} Some(Int(0))");
        node.observe(&[grouped("a"), grouped("b"), grouped("a")]);
        node.observe(&[Message::Batch(batch("cpu", &[("host", "c")], vec![batch_point(&[], &[("v", 1.0)], 0); 3]))]);
        assert!(tick(&mut node, 1022 * S).is_empty());
        insta::assert_snapshot!(tick(&mut node, 1023 * S).join("\n"), @r#"
1023 {"host": "a"} Some(Int(2)) host=a
1023 {"host": "b"} Some(Int(1)) host=b
1023 {"host": "c"} Some(Int(3)) host=c
"#);
        // Counts are totals since the start; a late tick skips the emissions it missed.
        node.observe(&[grouped("a")]);
        insta::assert_snapshot!(tick(&mut node, 1051 * S).join("\n"), @r#"
1033 {"host": "a"} Some(Int(3)) host=a
1033 {"host": "b"} Some(Int(1)) host=b
1033 {"host": "c"} Some(Int(3)) host=c
"#);
        assert!(tick(&mut node, 1052 * S).is_empty());
        assert_eq!(tick(&mut node, 1053 * S).len(), 3);
    }

    #[test]
    fn aligned_emissions_fall_on_multiples_of_the_interval() {
        let mut node = StatsNode::new(10 * S, true);
        assert!(tick(&mut node, 1003 * S).is_empty());
        // Kapacitor stamps the first emission with the start rounded: 1003s → 1000s.
        let first = tick(&mut node, 1010 * S);
        assert!(first[0].starts_with("1000 "), "{first:?}");
        assert!(tick(&mut node, 1019 * S).is_empty());
        let second = tick(&mut node, 1021 * S);
        assert!(second[0].starts_with("1020 "), "{second:?}");
        let mut late = StatsNode::new(10 * S, true);
        late.tick(1006 * S, &mut Vec::new());
        assert!(tick(&mut late, 1010 * S)[0].starts_with("1010 "), "1006s rounds up");
    }
}
