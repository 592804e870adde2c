//! `|groupBy()` and the group-by dimensions `from` shares with it: tag names (sorted and
//! deduplicated here, as the runtime keeps them) or `*` minus excluded tags.

use proc_macro2::TokenStream;
use quote::quote;

use super::{NodeCode, properties};
use crate::ir::{Node, Value};

pub(super) fn generate(node: &Node) -> NodeCode {
    let dimensions: Vec<&Value> = node.args.iter().collect();
    let excluded: Vec<&str> = node
        .properties_named("exclude")
        .flat_map(|p| properties::strings(&p.args))
        .collect();
    let group_by = group_by(&dimensions, &excluded);
    let by_measurement = properties::flag(node, "byMeasurement");
    NodeCode::plain(
        quote!(rt::GroupByNode),
        quote!(
            rt::GroupByNode::new(rt::GroupByConfig { group_by: #group_by, by_measurement: #by_measurement })
                .forgetting_idle_groups(context.config.groups.idle_timeout)
        ),
    )
    .in_place()
}

/// The runtime's `GroupBy` for these dimensions.
pub(super) fn group_by(dimensions: &[&Value], excluded: &[&str]) -> TokenStream {
    if dimensions.iter().any(|d| matches!(d, Value::Star)) {
        let mut excluded: Vec<&str> = excluded.to_vec();
        excluded.sort_unstable();
        excluded.dedup();
        return quote!(rt::GroupBy::AllExcept(vec![#(String::from(#excluded)),*]));
    }
    let mut tags: Vec<&str> = dimensions
        .iter()
        .filter_map(|d| match d {
            Value::String(s) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    tags.sort_unstable();
    tags.dedup();
    if tags.is_empty() {
        quote!(rt::GroupBy::Nothing)
    } else {
        quote!(rt::GroupBy::tags([#(#tags),*]))
    }
}
