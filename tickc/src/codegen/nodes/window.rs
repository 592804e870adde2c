//! `|window()`: the runtime's `WindowNode` with the script's period, every and counts.

use quote::quote;

use super::{NodeCode, invalid, properties};
use crate::codegen::literal;
use crate::diagnostic::Diagnostic;
use crate::ir::Node;

pub(super) fn generate(node: &Node) -> Result<NodeCode, Box<Diagnostic>> {
    // The checker enforces the combinations (a length, period xor count, ...); negative values
    // are the runtime's remaining refusal.
    for name in ["period", "every"] {
        if properties::duration(node, name).is_some_and(|d| d < 0) {
            return Err(invalid(
                properties::span(node, name),
                format!("a window's `.{name}` cannot be negative"),
            ));
        }
    }
    for name in ["periodCount", "everyCount"] {
        if properties::int(node, name).is_some_and(|n| n < 0) {
            return Err(invalid(
                properties::span(node, name),
                format!("a window's `.{name}` cannot be negative"),
            ));
        }
    }
    let period = literal::int(properties::duration(node, "period").unwrap_or(0));
    let every = literal::int(properties::duration(node, "every").unwrap_or(0));
    let period_count = literal::int(properties::int(node, "periodCount").unwrap_or(0));
    let every_count = literal::int(properties::int(node, "everyCount").unwrap_or(0));
    let align = properties::flag(node, "align");
    let fill_period = properties::flag(node, "fillPeriod");
    let name = &node.name;
    Ok(NodeCode::plain(
        quote!(rt::WindowNode),
        quote!(rt::valid(#name, rt::WindowNode::new(&rt::WindowConfig {
            period: #period,
            every: #every,
            align: #align,
            fill_period: #fill_period,
            period_count: #period_count,
            every_count: #every_count,
        }))),
    ))
}
