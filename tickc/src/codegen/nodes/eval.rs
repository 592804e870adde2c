//! `|eval(lambda...)`: the runtime's `EvalNode` over a tuple of the compiled expressions, with
//! the `.as()`, `.tags()` and `.keep()` names.

use quote::quote;

use super::{NodeCode, node_lambda, properties, unsupported_property};
use crate::diagnostic::Diagnostic;
use crate::ir::Node;

/// The runtime implements its expression list for tuples up to this length.
const MAX_EXPRESSIONS: usize = 12;

pub(super) fn generate(node: &Node) -> Result<NodeCode, Diagnostic> {
    let lambdas = properties::lambda_args(node);
    if lambdas.len() > MAX_EXPRESSIONS {
        return Err(unsupported_property(node, &format!("more than {MAX_EXPRESSIONS} expressions"), node.span));
    }
    let codes = lambdas
        .iter()
        .enumerate()
        .map(|(i, lambda)| node_lambda(node, &format!("expr{i}"), lambda))
        .collect::<Result<Vec<_>, _>>()?;
    let types = codes.iter().map(|c| &c.ty);
    let inits = codes.iter().map(|c| &c.init);
    let names = node.property("as").map(|p| properties::strings(&p.args)).unwrap_or_default();
    let tags: Vec<&str> = node.properties_named("tags").flat_map(|p| properties::strings(&p.args)).collect();
    let keep = match node.property("keep") {
        None => quote!(rt::Keep::NewFields),
        Some(p) if p.args.is_empty() => quote!(rt::Keep::All),
        Some(p) => {
            let kept = properties::strings(&p.args);
            quote!(rt::Keep::Only(vec![#(String::from(#kept)),*]))
        }
    };
    let quiet = properties::flag(node, "quiet");
    let name = &node.name;
    let init = quote! {
        rt::valid(#name, rt::EvalNode::new(
            rt::EvalConfig {
                names: vec![#(String::from(#names)),*],
                tags: vec![#(String::from(#tags)),*],
                keep: #keep,
                quiet: #quiet,
            },
            (#(#inits,)*),
        ))
    };
    Ok(NodeCode::plain(quote!(rt::EvalNode<(#(#types,)*)>), init).with_lambdas(codes))
}
