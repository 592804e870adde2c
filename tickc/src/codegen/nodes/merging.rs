//! The nodes that merge points of equal time: `join` (of several parents, on tags), `combine`
//! (pairs of one stream's points matching lambdas) and `flatten` (one point per time).

use proc_macro2::TokenStream;
use quote::quote;

use super::eval::expressions;
use super::{NodeCode, node_lambda, properties, unsupported_property};
use crate::codegen::literal;
use crate::diagnostic::Diagnostic;
use crate::ir::{Node, Value};

/// Kapacitor's default `.max()` of combine.
const DEFAULT_MAX_COMBINATIONS: i64 = 1_000_000;

/// The string arguments of every call of property `name`.
fn names(node: &Node, name: &str) -> Vec<TokenStream> {
    node.properties_named(name)
        .flat_map(|p| properties::strings(&p.args))
        .map(|s| quote!(String::from(#s)))
        .collect()
}

fn delimiter(node: &Node) -> &str {
    properties::string(node, "delimiter").unwrap_or(".")
}

fn tolerance(node: &Node) -> TokenStream {
    literal::int(properties::duration(node, "tolerance").unwrap_or(0))
}

/// `|join(node...)`: a multi-input node told which parent each message comes from.
pub(super) fn join(node: &Node) -> Result<NodeCode, Box<Diagnostic>> {
    if let Some(p) = node.property("deleteAll") {
        return Err(unsupported_property(node, "`.deleteAll()`", p.span));
    }
    let fill = match node.property("fill").and_then(|p| p.args.first()) {
        Some(Value::String(option)) if option == "null" => quote!(rt::JoinFill::Null),
        Some(Value::Int(i)) => {
            let i = literal::int(*i);
            quote!(rt::JoinFill::Value(rt::FieldValue::Int(#i)))
        }
        Some(Value::Float(f)) => {
            let f = literal::float(*f);
            quote!(rt::JoinFill::Value(rt::FieldValue::Float(#f)))
        }
        _ => quote!(rt::JoinFill::None),
    };
    let stream_name = match properties::string(node, "streamName") {
        Some(name) => quote!(Some(String::from(#name))),
        None => quote!(None),
    };
    let (names, on, delimiter, tolerance) = (
        names(node, "as"),
        names(node, "on"),
        delimiter(node),
        tolerance(node),
    );
    let name = &node.name;
    let init = quote! {
        rt::valid(#name, rt::JoinNode::new(rt::JoinConfig {
            names: vec![#(#names),*],
            on: vec![#(#on),*],
            delimiter: String::from(#delimiter),
            tolerance: #tolerance,
            fill: #fill,
            stream_name: #stream_name,
        }))
    };
    Ok(NodeCode {
        multi_input: true,
        ..NodeCode::plain(quote!(rt::JoinNode), init)
    })
}

/// `|combine(lambda...)`: the lambdas as an expression list, one prefix each.
pub(super) fn combine(node: &Node) -> Result<NodeCode, Box<Diagnostic>> {
    let codes = properties::lambda_args(node)
        .iter()
        .enumerate()
        .map(|(i, lambda)| node_lambda(node, &format!("expr{i}"), lambda))
        .collect::<Result<Vec<_>, _>>()?;
    let (ty, expressions_init, items) = expressions(node, &codes);
    let max = properties::int(node, "max")
        .unwrap_or(DEFAULT_MAX_COMBINATIONS)
        .max(0);
    let max = proc_macro2::Literal::u64_unsuffixed(max.unsigned_abs());
    let (names, delimiter, tolerance) = (names(node, "as"), delimiter(node), tolerance(node));
    let name = &node.name;
    let init = quote! {
        rt::valid(#name, rt::CombineNode::new(
            rt::CombineConfig {
                names: vec![#(#names),*],
                delimiter: String::from(#delimiter),
                tolerance: #tolerance,
                max: #max,
            },
            #expressions_init,
        ))
    };
    let mut code = NodeCode::plain(quote!(rt::CombineNode<#ty>), init).with_lambdas(codes);
    code.items.extend(items);
    Ok(code)
}

/// `|flatten()`.
pub(super) fn flatten(node: &Node) -> NodeCode {
    let drop_original_field_name = match node
        .property("dropOriginalFieldName")
        .map(|p| p.args.as_slice())
    {
        None => false,
        Some([Value::Bool(drop)]) => *drop,
        Some(_) => true,
    };
    let (on, delimiter, tolerance) = (names(node, "on"), delimiter(node), tolerance(node));
    NodeCode::plain(
        quote!(rt::FlattenNode),
        quote!(rt::FlattenNode::new(rt::FlattenConfig {
            on: vec![#(#on),*],
            delimiter: String::from(#delimiter),
            tolerance: #tolerance,
            drop_original_field_name: #drop_original_field_name,
        })),
    )
}
