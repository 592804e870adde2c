//! `|default()`: gives points the fields and tags they lack. A tag counts as lacking when it
//! is absent or empty; a field only when absent.

use super::Node;
use super::group::{regroup_point, set_batch_tags};
use crate::point::{FieldValue, Fields, Message, Tags};

/// What a script sets on `|default()`: `.field(name, value)` and `.tag(name, value)` calls.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DefaultConfig {
    pub fields: Vec<(String, FieldValue)>,
    pub tags: Vec<(String, String)>,
}

/// `|default()`, with Kapacitor's `fields_defaulted` and `tags_defaulted` counts.
#[derive(Debug)]
pub struct DefaultNode {
    config: DefaultConfig,
    fields_defaulted: u64,
    tags_defaulted: u64,
}

impl DefaultNode {
    pub fn new(config: DefaultConfig) -> Self {
        DefaultNode {
            config,
            fields_defaulted: 0,
            tags_defaulted: 0,
        }
    }

    pub fn fields_defaulted(&self) -> u64 {
        self.fields_defaulted
    }

    pub fn tags_defaulted(&self) -> u64 {
        self.tags_defaulted
    }

    fn default_fields(&mut self, fields: &mut Fields) {
        for (name, value) in &self.config.fields {
            if !fields.contains(name) {
                fields.insert(name.clone(), value.clone());
                self.fields_defaulted += 1;
            }
        }
    }

    /// Whether any tag was set.
    fn default_tags(&mut self, tags: &mut Tags) -> bool {
        let mut changed = false;
        for (name, value) in &self.config.tags {
            if tags.get(name).is_none_or(|v| v.is_empty()) {
                tags.insert(name.clone(), value.clone());
                self.tags_defaulted += 1;
                changed = true;
            }
        }
        changed
    }
}

impl Node for DefaultNode {
    fn push(&mut self, msg: Message, out: &mut Vec<Message>) {
        match msg {
            Message::Point(mut point) => {
                self.default_fields(&mut point.fields);
                if self.default_tags(&mut point.tags) {
                    regroup_point(&mut point);
                }
                out.push(Message::Point(point));
            }
            Message::Batch(mut batch) => {
                let mut tags = std::mem::take(&mut batch.tags);
                self.default_tags(&mut tags);
                // Kapacitor resets a batch's dimensions to its tags whenever it sets them.
                set_batch_tags(&mut batch, tags);
                for point in &mut batch.points {
                    self.default_fields(&mut point.fields);
                    self.default_tags(&mut point.tags);
                }
                out.push(Message::Batch(batch));
            }
            control @ (Message::Barrier { .. } | Message::DeleteGroup { .. }) => out.push(control),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::testing::{batch, batch_point, batches, point, points, run};

    fn node() -> DefaultNode {
        DefaultNode::new(DefaultConfig {
            fields: vec![
                ("v".into(), FieldValue::Int(0)),
                ("s".into(), FieldValue::String("none".into())),
            ],
            tags: vec![("zone".into(), "z0".into())],
        })
    }

    #[test]
    fn fills_absent_fields_and_absent_or_empty_tags() {
        let mut node = node();
        let mut grouped = point("m", &[("zone", "")], &[("v", 2.0)], 0);
        grouped.dimensions.tag_names = ["zone"].map(crate::point::Str::from).into();
        let out = points(run(
            &mut node,
            [point("m", &[("zone", "z1")], &[], 0), grouped],
        ));
        assert_eq!(
            format!("{:?} {:?}", out[0].tags, out[0].fields),
            r#"{"zone": "z1"} {"s": String("none"), "v": Int(0)}"#
        );
        assert_eq!(
            format!("{:?} {:?}", out[1].tags, out[1].fields),
            r#"{"zone": "z0"} {"s": String("none"), "v": Float(2.0)}"#
        );
        assert_eq!(out[1].group.as_str(), "zone=z0");
        assert_eq!((node.fields_defaulted(), node.tags_defaulted()), (3, 1));
    }

    #[test]
    fn batches_get_defaults_on_their_tags_and_points() {
        let mut node = node();
        let out = batches(run(
            &mut node,
            [batch(
                "m",
                &[("host", "a")],
                vec![batch_point(&[], &[("v", 1.0)], 1)],
            )],
        ));
        let b = &out[0];
        assert_eq!(format!("{:?}", b.tags), r#"{"host": "a", "zone": "z0"}"#);
        assert_eq!(*b.dimensions.tag_names, ["host", "zone"]);
        assert_eq!(b.group.as_str(), "host=a,zone=z0");
        assert_eq!(format!("{:?}", b.points[0].tags), r#"{"zone": "z0"}"#);
        assert_eq!((node.fields_defaulted(), node.tags_defaulted()), (1, 2));
    }
}
