//! The tags that identify a point's group: the values of its dimensions.

use crate::point::{Dimensions, Tags};

/// The value of every dimension of `dimensions` in `tags` (what Kapacitor calls the group's
/// tags). A dimension the point lacks gets the empty string, as in Kapacitor's group info, so
/// a batch of such a group carries `tag=""`.
pub fn group_tags(tags: &Tags, dimensions: &Dimensions) -> Tags {
    dimensions
        .tag_names
        .iter()
        .map(|name| (name.clone(), tags.get(name).cloned().unwrap_or_default()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_dimension_tags_and_fills_missing_ones() {
        let tags = Tags::from_pairs([("host".into(), "a".into()), ("dc".into(), "east".into())]);
        let dims = Dimensions {
            by_measurement: false,
            tag_names: vec!["host".into(), "rack".into()],
        };
        let got = group_tags(&tags, &dims);
        assert_eq!(format!("{got:?}"), r#"{"host": "a", "rack": ""}"#);
    }
}
