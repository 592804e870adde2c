//! `|where(lambda)`: the runtime's `WhereNode` over the compiled predicate.

use quote::quote;

use super::{NodeCode, node_lambda, properties, unsupported};
use crate::diagnostic::Diagnostic;
use crate::ir::Node;

pub(super) fn generate(node: &Node) -> Result<NodeCode, Box<Diagnostic>> {
    let Some(lambda) = properties::lambda_args(node).into_iter().next() else {
        return Err(unsupported(node));
    };
    let code = node_lambda(node, "predicate", lambda)?;
    let (ty, init) = (&code.ty, &code.init);
    let node_code = NodeCode::plain(
        quote!(rt::WhereNode<#ty>),
        quote!(rt::WhereNode::new(#init)),
    )
    .in_place();
    Ok(node_code.with_lambdas([code]))
}
