//! `|derivative(field)`: the runtime's `DerivativeNode`, per second unless `.unit()` says.

use quote::quote;

use super::{NodeCode, properties};
use crate::codegen::literal;
use crate::ir::Node;

const SECOND: i64 = 1_000_000_000;

pub(super) fn generate(node: &Node) -> NodeCode {
    let field = properties::string_arg(node, 0).unwrap_or_default();
    let as_name = properties::string(node, "as").unwrap_or(field);
    let unit = literal::int(properties::duration(node, "unit").unwrap_or(SECOND));
    let non_negative = properties::flag(node, "nonNegative");
    NodeCode::plain(
        quote!(rt::DerivativeNode),
        quote!(rt::DerivativeNode::new(rt::DerivativeConfig {
            field: String::from(#field),
            as_name: String::from(#as_name),
            unit: #unit,
            non_negative: #non_negative,
        })),
    )
}
