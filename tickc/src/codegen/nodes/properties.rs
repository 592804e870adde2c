//! Reading a node's arguments and properties from the IR, with Kapacitor's defaults applied by
//! the callers. The checker has typed every value, so a value of another type cannot occur; it
//! reads as absent rather than failing.

use crate::ir::{Lambda, Node, Value};
use crate::span::Span;

/// The first argument of the last call of property `name`.
fn first<'a>(node: &'a Node, name: &str) -> Option<&'a Value> {
    node.property(name).and_then(|p| p.args.first())
}

pub(super) fn duration(node: &Node, name: &str) -> Option<i64> {
    match first(node, name) {
        Some(Value::Duration(d)) => Some(*d),
        _ => None,
    }
}

pub(super) fn int(node: &Node, name: &str) -> Option<i64> {
    match first(node, name) {
        Some(Value::Int(i)) => Some(*i),
        _ => None,
    }
}

pub(super) fn string<'a>(node: &'a Node, name: &str) -> Option<&'a str> {
    match first(node, name) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

pub(super) fn bool(node: &Node, name: &str) -> Option<bool> {
    match first(node, name) {
        Some(Value::Bool(b)) => Some(*b),
        _ => None,
    }
}

/// Whether a flag property (`.align()`) was called.
pub(super) fn flag(node: &Node, name: &str) -> bool {
    node.property(name).is_some()
}

/// The span of property `name` if it was called, else of the node.
pub(super) fn span(node: &Node, name: &str) -> Span {
    node.property(name).map_or(node.span, |p| p.span)
}

/// The node's own argument `index` as a string.
pub(super) fn string_arg(node: &Node, index: usize) -> Option<&str> {
    match node.args.get(index) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

pub(super) fn int_arg(node: &Node, index: usize) -> Option<i64> {
    match node.args.get(index) {
        Some(Value::Int(i)) => Some(*i),
        _ => None,
    }
}

pub(super) fn duration_arg(node: &Node, index: usize) -> Option<i64> {
    match node.args.get(index) {
        Some(Value::Duration(d)) => Some(*d),
        _ => None,
    }
}

/// A number argument (an int is taken as the float it denotes).
pub(super) fn float_arg(node: &Node, index: usize) -> Option<f64> {
    match node.args.get(index) {
        Some(Value::Float(f)) => Some(*f),
        Some(Value::Int(i)) => Some(*i as f64),
        _ => None,
    }
}

/// The string arguments from `index` on (`top(3, 'f', 'host', 'cpu')`).
pub(super) fn strings_from(node: &Node, index: usize) -> Vec<&str> {
    strings(node.args.get(index..).unwrap_or_default())
}

/// The strings among `values` (`.as('a', 'b')`).
pub(super) fn strings(values: &[Value]) -> Vec<&str> {
    values
        .iter()
        .filter_map(|v| match v {
            Value::String(s) => Some(s.as_str()),
            _ => None,
        })
        .collect()
}

/// The two strings of every call of property `name` (`.tag(key, value)`), in order.
pub(super) fn string_pairs<'a>(node: &'a Node, name: &'a str) -> Vec<(&'a str, &'a str)> {
    node.properties_named(name)
        .filter_map(|p| match p.args.as_slice() {
            [Value::String(a), Value::String(b)] => Some((a.as_str(), b.as_str())),
            _ => None,
        })
        .collect()
}

/// The lambdas among the node's own arguments (`eval(lambda: ..., lambda: ...)`).
pub(super) fn lambda_args(node: &Node) -> Vec<&Lambda> {
    node.args
        .iter()
        .filter_map(|v| match v {
            Value::Lambda(lambda) => Some(lambda),
            _ => None,
        })
        .collect()
}

/// The lambda of the last call of property `name`.
pub(super) fn lambda<'a>(node: &'a Node, name: &str) -> Option<&'a Lambda> {
    match first(node, name) {
        Some(Value::Lambda(lambda)) => Some(lambda),
        _ => None,
    }
}
