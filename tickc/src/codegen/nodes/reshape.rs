//! The nodes that edit data point by point without lambdas: `default`, `delete`, `shift`,
//! `sample` and `changeDetect`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{NodeCode, properties};
use crate::codegen::literal;
use crate::ir::{Node, Value};

/// `|default()`: `.field(name, value)` and `.tag(name, value)`, in script order.
pub(super) fn default(node: &Node) -> NodeCode {
    let fields = node
        .properties_named("field")
        .filter_map(|p| match p.args.as_slice() {
            [Value::String(name), value] => {
                let value = field_value(value)?;
                Some(quote!((String::from(#name), #value)))
            }
            _ => None,
        });
    let tags = node
        .properties_named("tag")
        .filter_map(|p| match p.args.as_slice() {
            [Value::String(name), Value::String(value)] => {
                Some(quote!((String::from(#name), String::from(#value))))
            }
            _ => None,
        });
    NodeCode::plain(
        quote!(rt::DefaultNode),
        quote!(rt::DefaultNode::new(rt::DefaultConfig {
            fields: vec![#(#fields),*],
            tags: vec![#(#tags),*]
        })),
    )
}

/// A scalar as a field value.
pub(super) fn field_value(value: &Value) -> Option<TokenStream> {
    Some(match value {
        Value::Float(f) => {
            let f = literal::float(*f);
            quote!(rt::FieldValue::Float(#f))
        }
        Value::Int(i) => {
            let i = literal::int(*i);
            quote!(rt::FieldValue::Int(#i))
        }
        Value::String(s) => quote!(rt::FieldValue::String(String::from(#s))),
        Value::Bool(b) => quote!(rt::FieldValue::Bool(#b)),
        _ => return None,
    })
}

/// `|delete()`: `.field(name)` and `.tag(name)`, in script order.
pub(super) fn delete(node: &Node) -> NodeCode {
    let named = |property: &str| -> Vec<TokenStream> {
        node.properties_named(property)
            .flat_map(|p| properties::strings(&p.args))
            .map(|name| quote!(String::from(#name)))
            .collect()
    };
    let (fields, tags) = (named("field"), named("tag"));
    NodeCode::plain(
        quote!(rt::DeleteNode),
        quote!(rt::DeleteNode::new(rt::DeleteConfig {
            fields: vec![#(#fields),*],
            tags: vec![#(#tags),*]
        })),
    )
}

/// `|shift(d)`.
pub(super) fn shift(node: &Node) -> NodeCode {
    let shift = literal::int(properties::duration_arg(node, 0).unwrap_or_default());
    NodeCode::plain(quote!(rt::ShiftNode), quote!(rt::ShiftNode::new(#shift)))
}

/// `|sample(n)` or `|sample(d)`.
pub(super) fn sample(node: &Node) -> NodeCode {
    let rate = match node.args.first() {
        Some(Value::Duration(d)) => {
            let d = literal::int(*d);
            quote!(rt::SampleRate::Every(#d))
        }
        other => {
            let n = literal::int(match other {
                Some(Value::Int(n)) => *n,
                _ => 0,
            });
            quote!(rt::SampleRate::Count(#n))
        }
    };
    NodeCode::plain(quote!(rt::SampleNode), quote!(rt::SampleNode::new(#rate)))
}

/// `|changeDetect(field...)`.
pub(super) fn change_detect(node: &Node) -> NodeCode {
    let fields = properties::strings(&node.args);
    NodeCode::plain(
        quote!(rt::ChangeDetectNode),
        quote!(rt::ChangeDetectNode::new(vec![#(String::from(#fields)),*])),
    )
}
