//! `|sideload()`: the runtime's `SideloadNode`, reading its source's files when the task
//! starts (a source it cannot read means the task cannot start).

use quote::quote;

use super::reshape::field_value;
use super::{NodeCode, properties};
use crate::ir::{Node, Value};

pub(super) fn generate(node: &Node) -> NodeCode {
    let source = properties::string(node, "source").unwrap_or_default();
    let order = node
        .property("order")
        .map(|p| properties::strings(&p.args))
        .unwrap_or_default();
    let fields = node.properties_named("field").filter_map(|p| match p.args.as_slice() {
        [Value::String(name), default] => {
            let default = field_value(default)?;
            Some(quote!((String::from(#name), #default)))
        }
        _ => None,
    });
    let tags = properties::string_pairs(node, "tag")
        .into_iter()
        .map(|(name, default)| quote!((String::from(#name), String::from(#default))));
    let name = &node.name;
    let init = quote! {
        rt::valid(#name, rt::SideloadNode::start(rt::SideloadConfig {
            source: String::from(#source),
            order: vec![#(String::from(#order)),*],
            fields: vec![#(#fields),*],
            tags: vec![#(#tags),*],
        }))
    };
    NodeCode::plain(quote!(rt::SideloadNode), init)
}
