//! `|flatten()`: merges the points of a group that share a time into one point whose field names
//! carry the `.on()` tag values: `host=a v=1` and `host=b v=2` become `a.v=1,b.v=2`.
//!
//! Times are first rounded to `.tolerance()`. On a stream, a group's merged point leaves when a
//! point of that group with another (rounded) time arrives, timed at the time it was merged for;
//! nothing is flushed at the end. In a batch, runs of consecutive points sharing a time merge into
//! one point of the batch. The merged point keeps only the group's tags and takes the name of the
//! group's first point. A point lacking an `.on()` tag is dropped and counted as an error; a
//! later point's field replaces an earlier one of the same flattened name.

use super::Node;
use super::go_time::round;
use super::group::{GroupStates, group_tags};
use super::pass_control;
use crate::point::{Str, Batch, BatchPoint, Dimensions, Fields, GroupKey, Message, Point, Tags, Time};

/// What a script sets on `|flatten()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlattenConfig {
    /// `.on()`: the tags whose values prefix the field names, in this order.
    pub on: Vec<String>,
    /// `.delimiter()`, between tag values and before the field name (default `.`).
    pub delimiter: String,
    /// `.tolerance()` in nanoseconds: times are rounded to it (0: exact times).
    pub tolerance: i64,
    /// `.dropOriginalFieldName()`: the field name is the tag values alone.
    pub drop_original_field_name: bool,
}

impl Default for FlattenConfig {
    fn default() -> Self {
        FlattenConfig {
            on: Vec::new(),
            delimiter: ".".into(),
            tolerance: 0,
            drop_original_field_name: false,
        }
    }
}

/// `|flatten()`.
#[derive(Debug)]
pub struct FlattenNode {
    config: FlattenConfig,
    groups: GroupStates<PendingPoint>,
    errors: u64,
}

/// A stream group's point being merged.
#[derive(Debug)]
struct PendingPoint {
    name: Str,
    dimensions: Dimensions,
    group: GroupKey,
    tags: Tags,
    time: Time,
    fields: Fields,
}

impl FlattenConfig {
    /// Adds the fields of a point with `tags` to `merged` under their flattened names; `false`
    /// when the point lacks one of the `.on()` tags.
    fn merge_into(&self, merged: &mut Fields, tags: &Tags, fields: &Fields) -> bool {
        let mut prefix = String::new();
        for (i, tag) in self.on.iter().enumerate() {
            let Some(value) = tags.get(tag) else {
                return false;
            };
            if i > 0 {
                prefix.push_str(&self.delimiter);
            }
            prefix.push_str(value);
        }
        for (name, value) in fields {
            let flat_name = if self.drop_original_field_name {
                prefix.clone()
            } else if prefix.is_empty() {
                name.to_owned()
            } else {
                format!("{prefix}{}{name}", self.delimiter)
            };
            merged.insert(flat_name, value.clone());
        }
        true
    }
}

impl FlattenNode {
    pub fn new(config: FlattenConfig) -> Self {
        FlattenNode {
            config,
            groups: GroupStates::default(),
            errors: 0,
        }
    }

    fn push_point(&mut self, point: Point, out: &mut Vec<Message>) {
        let time = round(point.time, self.config.tolerance);
        let pending = self
            .groups
            .get_or_insert_with(&point.group, || PendingPoint {
                name: point.name.clone(),
                tags: group_tags(&point.tags, &point.dimensions),
                dimensions: point.dimensions.clone(),
                group: point.group.clone(),
                time,
                fields: Fields::new(),
            });
        if pending.time != time {
            let fields = std::mem::replace(&mut pending.fields, Fields::new());
            if !fields.is_empty() {
                out.push(Message::Point(Point {
                    database: Default::default(),
                    retention_policy: Default::default(),
                    name: pending.name.clone(),
                    tags: pending.tags.clone(),
                    fields,
                    time: pending.time,
                    dimensions: pending.dimensions.clone(),
                    group: pending.group.clone(),
                }));
            }
            pending.time = time;
        }
        if !self
            .config
            .merge_into(&mut pending.fields, &point.tags, &point.fields)
        {
            self.errors += 1;
        }
    }

    fn flatten_batch(&mut self, mut batch: Batch) -> Batch {
        let mut flat: Vec<BatchPoint> = Vec::new();
        let mut current: Option<BatchPoint> = None;
        for point in std::mem::take(&mut batch.points) {
            let time = round(point.time, self.config.tolerance);
            let merged = match &mut current {
                Some(merged) if merged.time == time => merged,
                _ => {
                    flat.extend(current.take().filter(|p| !p.fields.is_empty()));
                    current.insert(BatchPoint {
                        time,
                        fields: Fields::new(),
                        tags: batch.tags.clone(),
                    })
                }
            };
            if !self
                .config
                .merge_into(&mut merged.fields, &point.tags, &point.fields)
            {
                self.errors += 1;
            }
        }
        flat.extend(current.filter(|p| !p.fields.is_empty()));
        batch.points = flat;
        batch
    }
}

impl Node for FlattenNode {
    fn push(&mut self, msg: Message, out: &mut Vec<Message>) {
        match msg {
            Message::Point(point) => self.push_point(point, out),
            Message::Batch(batch) => {
                let batch = self.flatten_batch(batch);
                out.push(Message::Batch(batch));
            }
            // As in Kapacitor, a barrier does not flush the pending point, and a deleted group's
            // pending point is dropped unsent.
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
    use crate::node::group::regroup_point;
    use crate::node::testing::{batch, batch_point, batches, point, points, run};

    const S: i64 = 1_000_000_000;

    fn node(on: &[&str], config: FlattenConfig) -> FlattenNode {
        FlattenNode::new(FlattenConfig {
            on: on.iter().map(|s| s.to_string()).collect(),
            ..config
        })
    }

    fn shown(points: &[Point]) -> Vec<String> {
        points
            .iter()
            .map(|p| format!("{} {:?} {:?} @{}", p.name, p.tags, p.fields, p.time / S))
            .collect()
    }

    #[test]
    fn points_of_one_time_merge_when_the_next_time_arrives() {
        let mut flatten = node(&["host"], FlattenConfig::default());
        let out = points(run(
            &mut flatten,
            [
                point("m", &[("host", "a")], &[("v", 0.0), ("w", 0.5)], 0),
                point("m", &[("host", "b")], &[("v", 100.0)], 0),
                point("m", &[("host", "b")], &[("v", 101.0)], 0),
                point("m", &[("host", "a")], &[("v", 1.0)], 10 * S),
            ],
        ));
        assert_eq!(
            shown(&out),
            [r#"m {} {"a.v": Float(0.0), "a.w": Float(0.5), "b.v": Float(101.0)} @0"#]
        );
    }

    #[test]
    fn drop_original_field_name_and_several_tags() {
        let mut flatten = node(
            &["host", "dc"],
            FlattenConfig {
                delimiter: "_".into(),
                drop_original_field_name: true,
                ..FlattenConfig::default()
            },
        );
        let out = points(run(
            &mut flatten,
            [
                point("m", &[("host", "a"), ("dc", "x")], &[("v", 0.0)], 0),
                point("m", &[("host", "b"), ("dc", "y")], &[("v", 10.0)], 0),
                point("m", &[("host", "a"), ("dc", "x")], &[("v", 1.0)], S),
            ],
        ));
        assert_eq!(
            shown(&out),
            [r#"m {} {"a_x": Float(0.0), "b_y": Float(10.0)} @0"#]
        );
    }

    #[test]
    fn a_point_without_the_tag_is_an_error_and_groups_keep_their_tags() {
        let mut flatten = node(&["host"], FlattenConfig::default());
        let p = |tags: &[(&str, &str)], t: i64| {
            let mut p = point("m", tags, &[("v", 1.0)], t);
            p.dimensions.tag_names = ["dc"].map(crate::point::Str::from).into();
            regroup_point(&mut p);
            p
        };
        let out = points(run(
            &mut flatten,
            [
                p(&[("dc", "x"), ("host", "a")], 0),
                p(&[("dc", "x")], 0),
                p(&[("dc", "y"), ("host", "b")], 0),
                p(&[("dc", "x"), ("host", "a")], S),
                p(&[("dc", "y")], S),
                p(&[("dc", "y")], 2 * S),
            ],
        ));
        assert_eq!(
            shown(&out),
            [
                r#"m {"dc": "x"} {"a.v": Float(1.0)} @0"#,
                r#"m {"dc": "y"} {"b.v": Float(1.0)} @0"#
            ]
        );
        assert_eq!(out[1].group.as_str(), "dc=y");
        // The second dc=y point lacked host: nothing to emit for its time.
        assert_eq!(flatten.errors(), 3);
    }

    #[test]
    fn tolerance_rounds_times_and_without_on_names_stay() {
        let mut flatten = node(
            &[],
            FlattenConfig {
                tolerance: S,
                ..FlattenConfig::default()
            },
        );
        let out = points(run(
            &mut flatten,
            [
                point("m", &[], &[("v", 1.0)], 0),
                point("m", &[], &[("w", 2.0)], S * 4 / 10),
                point("m", &[], &[("v", 3.0)], S / 2),
            ],
        ));
        assert_eq!(
            shown(&out),
            [r#"m {} {"v": Float(1.0), "w": Float(2.0)} @0"#]
        );
    }

    #[test]
    fn batches_merge_runs_of_one_time() {
        // batch_flatten: raw query batches of two hosts regrouped into one batch.
        let mut flatten = node(&["host"], FlattenConfig::default());
        let mut pts = Vec::new();
        for (i, t) in [0, 20, 40].into_iter().enumerate() {
            let v = i as f64 * 3.5;
            pts.push(batch_point(&[("host", "a")], &[("v", v)], t * S));
            pts.push(batch_point(&[("host", "b")], &[("v", v + 10.0)], t * S));
        }
        pts.push(batch_point(&[], &[("v", 0.0)], 60 * S));
        let out = batches(run(&mut flatten, [batch("m", &[], pts)]));
        let b = &out[0];
        assert_eq!(b.points.len(), 3);
        assert_eq!(
            format!(
                "{:?} {:?} {}",
                b.points[1].fields,
                b.points[1].tags,
                b.points[1].time / S
            ),
            r#"{"a.v": Float(3.5), "b.v": Float(13.5)} {} 20"#
        );
        assert_eq!(flatten.errors(), 1);
    }
}
