//! `|union(node...)`: the runtime's `UnionNode`, told how many parents it has; the wiring tells
//! it which parent each message comes from.

use quote::quote;

use super::{NodeCode, properties};
use crate::ir::Node;

pub(super) fn generate(node: &Node) -> NodeCode {
    let parents = proc_macro2::Literal::usize_unsuffixed(node.parents.len());
    let rename = match properties::string(node, "rename") {
        Some(name) => quote!(Some(String::from(#name))),
        None => quote!(None),
    };
    NodeCode {
        multi_input: true,
        ..NodeCode::plain(
            quote!(rt::UnionNode),
            quote!(rt::UnionNode::new(#parents, #rename)),
        )
    }
}
