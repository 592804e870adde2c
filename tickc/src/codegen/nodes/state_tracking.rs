//! `|stateDuration(lambda)` and `|stateCount(lambda)`: the runtime's state tracking nodes over
//! the compiled predicate, writing `.as()` (and, for durations, in `.unit()`s).

use quote::quote;

use super::{NodeCode, node_lambda, properties, unsupported};
use crate::codegen::literal;
use crate::diagnostic::Diagnostic;
use crate::ir::Node;

const SECOND: i64 = 1_000_000_000;

pub(super) fn generate(node: &Node) -> Result<NodeCode, Box<Diagnostic>> {
    let Some(lambda) = properties::lambda_args(node).into_iter().next() else {
        return Err(unsupported(node));
    };
    let code = node_lambda(node, "predicate", lambda)?;
    let (ty, init) = (&code.ty, &code.init);
    let node_code = if node.spec.name == "stateDuration" {
        let field = properties::string(node, "as").unwrap_or("state_duration");
        let unit = literal::int(properties::duration(node, "unit").unwrap_or(SECOND));
        NodeCode::plain(
            quote!(rt::StateDurationNode<#ty>),
            quote!(rt::StateDurationNode::state_duration(
                rt::StateDurationConfig { field: String::from(#field), unit: #unit },
                #init,
            )),
        )
    } else {
        let field = properties::string(node, "as").unwrap_or("state_count");
        NodeCode::plain(
            quote!(rt::StateCountNode<#ty>),
            quote!(rt::StateCountNode::state_count(rt::StateCountConfig { field: String::from(#field) }, #init)),
        )
    };
    Ok(node_code.with_lambdas([code]))
}
