//! `|kapacitorLoopback()`: the runtime's `LoopbackNode`, writing into the loopback the driver
//! offers; it refuses to start on one of the task's own dbrps, as Kapacitor does.

use quote::quote;

use super::{NodeCode, properties};
use crate::ir::Node;

pub(super) fn generate(node: &Node) -> NodeCode {
    let text = |name| properties::string(node, name).unwrap_or_default();
    let (database, retention_policy, measurement) =
        (text("database"), text("retentionPolicy"), text("measurement"));
    let tags = properties::string_pairs(node, "tag")
        .into_iter()
        .map(|(key, value)| quote!((String::from(#key), String::from(#value))));
    let name = &node.name;
    let init = quote! {
        rt::valid(#name, rt::LoopbackNode::start(
            rt::LoopbackConfig {
                database: String::from(#database),
                retention_policy: String::from(#retention_policy),
                measurement: String::from(#measurement),
                tags: vec![#(#tags),*],
            },
            DESCRIPTOR.dbrps,
            context.loopback.clone(),
        ))
    };
    NodeCode::plain(quote!(rt::LoopbackNode), init)
}
