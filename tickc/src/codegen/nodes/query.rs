//! `batch|query('SELECT …')`: its schedule and InfluxQL become a `QueryConfig` the task's
//! descriptor lists for the runtime, which runs the query and pushes its batches with
//! `push_batch`. In the pipeline the node is a pass-through that counts those batches.

use proc_macro2::TokenStream;
use quote::quote;

use super::properties;
use crate::codegen::literal;
use crate::ir::{Node, Value};

/// The runtime's `QueryConfig` for a query node, as an expression.
pub(in crate::codegen) fn config(node: &Node) -> TokenStream {
    let query = properties::string_arg(node, 0).unwrap_or_default();
    let duration = |name: &str| literal::int(properties::duration(node, name).unwrap_or(0));
    let (period, every, offset) = (duration("period"), duration("every"), duration("offset"));
    let cron = match properties::string(node, "cron") {
        Some(cron) => quote!(Some(String::from(#cron))),
        None => quote!(None),
    };
    let align = properties::flag(node, "align");
    let align_group = properties::flag(node, "alignGroup");
    let group_by_measurement = properties::flag(node, "groupByMeasurement");
    let group_by = node
        .property("groupBy")
        .map(|p| p.args.iter().filter_map(dimension).collect::<Vec<_>>())
        .unwrap_or_default();
    let fill = match node.property("fill").and_then(|p| p.args.first()) {
        Some(value) => match fill(value) {
            Some(fill) => quote!(Some(#fill)),
            None => quote!(None),
        },
        None => quote!(None),
    };
    quote! {
        rt::QueryConfig {
            query: String::from(#query),
            period: #period,
            every: #every,
            cron: #cron,
            offset: #offset,
            align: #align,
            align_group: #align_group,
            group_by: vec![#(#group_by),*],
            group_by_measurement: #group_by_measurement,
            fill: #fill,
        }
    }
}

/// One `.groupBy()` dimension (the checker admits only these kinds).
fn dimension(value: &Value) -> Option<TokenStream> {
    match value {
        Value::TimeDimension { every, offset } => {
            let (length, offset) = (literal::int(*every), literal::int(*offset));
            Some(quote!(rt::GroupByDimension::Time { length: #length, offset: #offset }))
        }
        Value::String(tag) => Some(quote!(rt::GroupByDimension::Tag(String::from(#tag)))),
        Value::Star => Some(quote!(rt::GroupByDimension::AllTags)),
        _ => None,
    }
}

/// `.fill(...)`: one of the option names the checker validated, or a number.
fn fill(value: &Value) -> Option<TokenStream> {
    match value {
        Value::String(option) => match option.as_str() {
            "null" => Some(quote!(rt::Fill::Null)),
            "none" => Some(quote!(rt::Fill::None)),
            "previous" => Some(quote!(rt::Fill::Previous)),
            "linear" => Some(quote!(rt::Fill::Linear)),
            _ => None,
        },
        Value::Int(n) => {
            let n = literal::int(*n);
            Some(quote!(rt::Fill::Int(#n)))
        }
        Value::Float(x) => {
            let x = literal::float(*x);
            Some(quote!(rt::Fill::Float(#x)))
        }
        _ => None,
    }
}
