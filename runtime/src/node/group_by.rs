//! `|groupBy(...)`: regroups the data by tags (and optionally by measurement).
//!
//! A point only gets new dimensions and group; it keeps every tag. Batches are split into one
//! batch per new group, whose tags are the group's; the points of all batches with the same
//! time are merged per group, and these merged batches leave when a batch with another time
//! arrives (Kapacitor's behaviour: a batch query's series all share the query's time).


use super::{InPlace, Node, push_in_place};
use super::group::{GroupBy, group_key, set_batch_dimensions};
use super::group_keys::GroupKeys;
use super::idle_groups::IdleGroups;
use crate::point::{Batch, Dimensions, GroupKey, GroupMap, Message, Time};

/// At most this many batch points wait for their batch time to end; beyond it the merged
/// batches leave early rather than let one endless time grow memory without bound.
const MAX_PENDING_POINTS: usize = 1_000_000;

/// What a script sets on `|groupBy()`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupByConfig {
    pub group_by: GroupBy,
    /// `.byMeasurement()`; a parent's grouping by measurement is kept either way.
    pub by_measurement: bool,
}

/// `|groupBy()`.
#[derive(Debug, Default)]
pub struct GroupByNode {
    config: GroupByConfig,
    /// The time of the batches being merged.
    merging_time: Option<Time>,
    /// Merged batches in order of their groups' first points.
    pending: Vec<Batch>,
    pending_index: GroupMap<usize>,
    pending_points: usize,
    /// The groups it gives data, to forget those whose series stopped.
    idle_groups: IdleGroups,
    group_keys: GroupKeys,
}

impl GroupByNode {
    pub fn new(config: GroupByConfig) -> Self {
        GroupByNode {
            config,
            ..GroupByNode::default()
        }
    }

    /// Sends a delete-group down for every group silent longer than `timeout` nanoseconds of
    /// data time (see [`IdleGroups`]); 0 never does.
    pub fn forgetting_idle_groups(mut self, timeout: i64) -> Self {
        self.idle_groups = IdleGroups::new(timeout);
        self
    }

    fn flush(&mut self, out: &mut Vec<Message>) {
        self.pending_index.clear();
        self.pending_points = 0;
        let mut evict = false;
        for mut batch in self.pending.drain(..) {
            // Points of several batches were appended; a stable sort keeps arrival order on ties.
            batch.points.sort_by_key(|p| p.time);
            evict |= self.idle_groups.saw(&batch.group, batch.time);
            out.push(Message::Batch(batch));
        }
        if evict {
            self.idle_groups.evict(out);
        }
    }

    fn regroup_batch(&mut self, batch: Batch, out: &mut Vec<Message>) {
        if self.merging_time != Some(batch.time) {
            self.flush(out);
            self.merging_time = Some(batch.time);
        }
        let by_measurement = batch.dimensions.by_measurement || self.config.by_measurement;
        for point in batch.points {
            let dimensions = Dimensions {
                by_measurement,
                tag_names: self.config.group_by.tag_names(&point.tags),
            };
            let group = group_key(&batch.name, &point.tags, &dimensions);
            let index = match self.pending_index.get(&group) {
                Some(&index) => index,
                None => {
                    let mut merged = Batch {
                        name: batch.name.clone(),
                        time: batch.time,
                        tags: Default::default(),
                        dimensions: Dimensions::default(),
                        group: GroupKey::default(),
                        points: Vec::new(),
                    };
                    set_batch_dimensions(&mut merged, &point.tags, dimensions);
                    self.pending.push(merged);
                    self.pending_index.insert(group, self.pending.len() - 1);
                    self.pending.len() - 1
                }
            };
            if let Some(merged) = self.pending.get_mut(index) {
                merged.points.push(point);
                self.pending_points += 1;
            }
        }
        if self.pending_points > MAX_PENDING_POINTS {
            self.flush(out);
        }
    }
}

impl InPlace for GroupByNode {
    fn process(&mut self, msg: &mut Message, after: &mut Vec<Message>) -> bool {
        match msg {
            Message::Point(point) => {
                let by_measurement = point.dimensions.by_measurement || self.config.by_measurement;
                self.group_keys.regroup(point, &self.config.group_by, by_measurement);
                if self.idle_groups.saw(&point.group, point.time) {
                    self.idle_groups.evict(after);
                }
                true
            }
            // Batches of one time are merged by their new group: what comes of this one
            // follows, now or with a later message.
            Message::Batch(batch) => {
                self.regroup_batch(std::mem::take(batch), after);
                false
            }
            // A barrier ends the batch time being merged (unless it is that very time), as in
            // Kapacitor, then passes, after what that emits.
            Message::Barrier { group, time } => {
                let emitted = after.len();
                if self.merging_time != Some(*time) {
                    self.flush(after);
                    self.merging_time = Some(*time);
                }
                if after.len() == emitted {
                    return true;
                }
                after.push(Message::Barrier { group: group.clone(), time: *time });
                false
            }
            Message::DeleteGroup { .. } => true,
        }
    }
}

impl Node for GroupByNode {
    fn groups(&self) -> usize {
        self.idle_groups.len()
    }

    fn push(&mut self, msg: Message, out: &mut Vec<Message>) {
        push_in_place(self, msg, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::testing::{batch, batch_point, batches, point, points, run};

    #[test]
    fn points_keep_their_tags_and_get_a_new_group() {
        let mut node = GroupByNode::new(GroupByConfig {
            group_by: GroupBy::tags(["dc"]),
            by_measurement: false,
        });
        let mut p = point("m", &[("dc", "d0"), ("host", "h0")], &[("v", 1.0)], 0);
        p.dimensions.tag_names = ["host"].map(crate::point::Str::from).into();
        let out = points(run(&mut node, [p]));
        assert_eq!(out[0].group.as_str(), "dc=d0");
        assert_eq!(out[0].tags.len(), 2);
    }

    #[test]
    fn grouping_by_measurement_is_inherited() {
        let mut node = GroupByNode::new(GroupByConfig {
            group_by: GroupBy::tags(["host"]),
            by_measurement: false,
        });
        let mut p = point("cpu", &[("host", "h0")], &[("v", 1.0)], 0);
        p.dimensions.by_measurement = true;
        let out = points(run(&mut node, [p]));
        assert_eq!(out[0].group.as_str(), "cpu\nhost=h0");
    }

    #[test]
    fn star_with_exclusions() {
        let mut node = GroupByNode::new(GroupByConfig {
            group_by: GroupBy::AllExcept(vec!["host".into()]),
            by_measurement: false,
        });
        let out = points(run(
            &mut node,
            [point(
                "m",
                &[("dc", "d0"), ("host", "h0"), ("rack", "r0")],
                &[],
                0,
            )],
        ));
        assert_eq!(out[0].group.as_str(), "dc=d0,rack=r0");
    }

    #[test]
    fn batches_of_one_time_merge_per_group_and_leave_with_the_next_time() {
        let mut node = GroupByNode::new(GroupByConfig {
            group_by: GroupBy::tags(["dc"]),
            by_measurement: false,
        });
        let at = |t, hosts: &[(&str, &str)]| {
            let mut b = batch(
                "m",
                &[],
                hosts
                    .iter()
                    .enumerate()
                    .map(|(i, (dc, host))| {
                        batch_point(&[("dc", dc), ("host", host)], &[("v", 1.0)], t - i as i64)
                    })
                    .collect(),
            );
            b.time = t;
            b
        };
        let first = run(
            &mut node,
            [at(10, &[("a", "h0"), ("b", "h1")]), at(10, &[("a", "h2")])],
        );
        assert!(first.is_empty(), "nothing leaves before the time changes");
        let out = batches(run(&mut node, [at(20, &[("a", "h3")])]));
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].group.as_str(), "dc=a");
        assert_eq!(format!("{:?}", out[0].tags), r#"{"dc": "a"}"#);
        assert_eq!(out[0].time, 10);
        // Sorted by time: h2 (t=10) and h0 (t=10) keep arrival order, h0 first.
        let hosts: Vec<&str> = out[0]
            .points
            .iter()
            .map(|p| p.tags.get("host").unwrap().as_str())
            .collect();
        assert_eq!(hosts, ["h0", "h2"]);
        assert_eq!(out[1].group.as_str(), "dc=b");
        assert_eq!(out[1].points.len(), 1);
    }

    /// A barrier of a new time lets the merged batches out before it; one of the time being
    /// merged passes alone. Through `push` and processed where it lies alike.
    #[test]
    fn a_barrier_of_a_new_time_follows_the_batches_it_lets_out() {
        let node = || GroupByNode::new(GroupByConfig { group_by: GroupBy::tags(["dc"]), by_measurement: false });
        let at = |t: i64, dc: &str| {
            let mut b = batch("m", &[], vec![batch_point(&[("dc", dc)], &[("v", 1.0)], t)]);
            b.time = t;
            Message::Batch(b)
        };
        let barrier = |time| Message::Barrier { group: GroupKey::default(), time };
        let kinds = |msgs: &[Message]| -> Vec<String> {
            msgs.iter()
                .map(|m| match m {
                    Message::Batch(b) => format!("{}@{}", b.group.as_str(), b.time),
                    Message::Barrier { time, .. } => format!("barrier@{time}"),
                    other => format!("{other:?}"),
                })
                .collect()
        };

        let mut pushed = node();
        let out = run(&mut pushed, [at(10, "a"), at(10, "b"), barrier(10), barrier(20)]);
        assert_eq!(kinds(&out), ["barrier@10", "dc=a@10", "dc=b@10", "barrier@20"]);

        let mut in_place = node();
        let mut after = Vec::new();
        for msg in [at(10, "a"), at(10, "b")] {
            assert!(!in_place.process(&mut { msg }, &mut after));
        }
        assert!(after.is_empty(), "nothing leaves before the time changes");
        let mut same_time = barrier(10);
        assert!(in_place.process(&mut same_time, &mut after));
        assert!(after.is_empty());
        let mut new_time = barrier(20);
        assert!(!in_place.process(&mut new_time, &mut after));
        assert_eq!(kinds(&after), ["dc=a@10", "dc=b@10", "barrier@20"]);
    }

    #[test]
    fn a_missing_group_tag_is_empty() {
        let mut node = GroupByNode::new(GroupByConfig {
            group_by: GroupBy::tags(["dc"]),
            by_measurement: true,
        });
        run(
            &mut node,
            [batch("m", &[], vec![batch_point(&[("host", "h")], &[], 1)])],
        );
        let mut next = batch("m", &[], vec![]);
        next.time = 99;
        let out = batches(run(&mut node, [next]));
        assert_eq!(out[0].group.as_str(), "m\ndc=");
        assert_eq!(format!("{:?}", out[0].tags), r#"{"dc": ""}"#);
    }
}
