//! `|delete()`: removes fields and tags. Deleting a tag the data is grouped by removes it from
//! the dimensions too, merging the groups that differed only by it.

use super::Node;
use super::group::{regroup_point, set_batch_tags};
use crate::point::{Fields, Message, Tags};

/// What a script sets on `|delete()`: `.field(name)` and `.tag(name)` calls.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeleteConfig {
    pub fields: Vec<String>,
    pub tags: Vec<String>,
}

/// `|delete()`, with Kapacitor's `fields_deleted` and `tags_deleted` counts.
#[derive(Debug)]
pub struct DeleteNode {
    config: DeleteConfig,
    fields_deleted: u64,
    tags_deleted: u64,
}

impl DeleteNode {
    pub fn new(config: DeleteConfig) -> Self {
        DeleteNode {
            config,
            fields_deleted: 0,
            tags_deleted: 0,
        }
    }

    pub fn fields_deleted(&self) -> u64 {
        self.fields_deleted
    }

    pub fn tags_deleted(&self) -> u64 {
        self.tags_deleted
    }

    fn delete_fields(&mut self, fields: &mut Fields) {
        for name in &self.config.fields {
            if fields.remove(name).is_some() {
                self.fields_deleted += 1;
            }
        }
    }

    /// Whether any tag was there to delete.
    fn delete_tags(&mut self, tags: &mut Tags) -> bool {
        let before = self.tags_deleted;
        for name in &self.config.tags {
            if tags.remove(name).is_some() {
                self.tags_deleted += 1;
            }
        }
        self.tags_deleted != before
    }
}

impl Node for DeleteNode {
    fn push(&mut self, msg: Message, out: &mut Vec<Message>) {
        match msg {
            Message::Point(mut point) => {
                self.delete_fields(&mut point.fields);
                let tags_deleted = self.delete_tags(&mut point.tags);
                let dimensions = &mut point.dimensions.tag_names;
                let before = dimensions.len();
                if dimensions.iter().any(|d| self.config.tags.iter().any(|t| t == d)) {
                    *dimensions = dimensions
                        .iter()
                        .filter(|d| !self.config.tags.iter().any(|t| t == *d))
                        .cloned()
                        .collect();
                }
                if tags_deleted || dimensions.len() != before {
                    regroup_point(&mut point);
                }
                out.push(Message::Point(point));
            }
            Message::Batch(mut batch) => {
                let mut tags = std::mem::take(&mut batch.tags);
                self.delete_tags(&mut tags);
                // Kapacitor resets a batch's dimensions to its tags whenever it sets them.
                set_batch_tags(&mut batch, tags);
                for point in &mut batch.points {
                    self.delete_fields(&mut point.fields);
                    self.delete_tags(&mut point.tags);
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

    fn node() -> DeleteNode {
        DeleteNode::new(DeleteConfig {
            fields: vec!["secret".into(), "nope".into()],
            tags: vec!["host".into()],
        })
    }

    #[test]
    fn removes_fields_tags_and_the_dimension() {
        let mut node = node();
        let mut p = point(
            "m",
            &[("host", "a"), ("dc", "e")],
            &[("v", 1.0), ("secret", 2.0)],
            0,
        );
        p.dimensions.tag_names = ["dc", "host"].map(crate::point::Str::from).into();
        let out = points(run(&mut node, [p]));
        assert_eq!(
            format!("{:?} {:?}", out[0].tags, out[0].fields),
            r#"{"dc": "e"} {"v": Float(1.0)}"#
        );
        assert_eq!(*out[0].dimensions.tag_names, ["dc"]);
        assert_eq!(out[0].group.as_str(), "dc=e");
        assert_eq!((node.fields_deleted(), node.tags_deleted()), (1, 1));
    }

    #[test]
    fn batches_lose_the_tag_from_their_group() {
        let mut node = node();
        let b = batch(
            "m",
            &[("host", "a"), ("dc", "e")],
            vec![batch_point(&[("host", "a")], &[("secret", 1.0)], 1)],
        );
        let out = batches(run(&mut node, [b]));
        assert_eq!(out[0].group.as_str(), "dc=e");
        assert!(out[0].points[0].tags.is_empty() && out[0].points[0].fields.is_empty());
        assert_eq!((node.fields_deleted(), node.tags_deleted()), (1, 2));
    }
}
