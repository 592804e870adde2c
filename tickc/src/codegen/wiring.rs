//! The pipeline: a struct with one field per node, and one method per node that pushes a message
//! into it and hands each message it emits to every child in order (a clone to all but the
//! last). Each node's field is the runtime's `Wired`, which counts what the node collected and
//! emitted and lends out one reusable output buffer, so the steady state allocates nothing for
//! the wiring itself.
//!
//! A node with several parents (union, join) must know which parent a message comes from: its
//! method takes the index of the parent in the node's `parents` (Kapacitor's order) and calls
//! the node's `push_from(parent, msg)`, the entry point of the runtime's multi-input nodes.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::literal;
use super::nodes::NodeCode;
use crate::catalogue::Edge;
use crate::ir::{Node, NodeId, Task};

pub(super) fn pipeline(task: &Task, codes: &[NodeCode]) -> TokenStream {
    let fields: Vec<Ident> = task.nodes.iter().map(|n| literal::ident(&n.name)).collect();
    let names = task.nodes.iter().map(|n| &n.name);
    let types = codes.iter().map(|c| &c.ty);
    let inits = codes.iter().map(|c| &c.init);
    let methods = task.nodes.iter().map(|node| push_method(task, node));
    let (push_point, push_batch) = entry_points(task);
    quote! {
        /// The task's nodes, in the order the script creates them.
        pub struct Pipeline {
            #(#fields: rt::Wired<#types>,)*
        }

        impl Pipeline {
            fn start(_context: &rt::TaskContext) -> Box<dyn rt::Task> {
                Box::new(Pipeline {
                    #(#fields: rt::Wired::new(#inits),)*
                })
            }

            #(#methods)*
        }

        impl rt::Task for Pipeline {
            #push_point
            #push_batch

            fn flush(&mut self) {}

            fn stats(&self) -> Vec<rt::NodeStats> {
                vec![#(self.#fields.stats(#names)),*]
            }
        }
    }
}

fn method_name(node: &Node) -> Ident {
    format_ident!("push_{}", literal::ident(&node.name))
}

/// Whether the node's method takes the index of the parent the message comes from.
fn takes_parent(node: &Node) -> bool {
    node.parents.len() > 1
}

fn push_method(task: &Task, node: &Node) -> TokenStream {
    let method = method_name(node);
    let field = literal::ident(&node.name);
    let (parent_param, push) = if takes_parent(node) {
        (quote!(parent: usize,), quote!(self.#field.push_from(parent, msg)))
    } else {
        (quote!(), quote!(self.#field.push(msg)))
    };
    let calls = child_calls(task, node);
    if calls.is_empty() {
        return quote! {
            fn #method(&mut self, #parent_param msg: rt::Message) {
                let out = #push;
                self.#field.recycle(out);
            }
        };
    }
    let last = calls.len() - 1;
    let hand_over = calls.iter().enumerate().map(|(i, call)| {
        let msg = if i == last { quote!(msg) } else { quote!(msg.clone()) };
        quote!(#call(#msg);)
    });
    quote! {
        fn #method(&mut self, #parent_param msg: rt::Message) {
            let mut out = #push;
            for msg in out.drain(..) {
                #(#hand_over)*
            }
            self.#field.recycle(out);
        }
    }
}

/// For each child edge of `node`, in order, the call that feeds the child without the message:
/// `self.push_window2` or, for a child with several parents, `self.push_union5(1, ...` minus
/// the message. A child reached twice from the same parent gets the parent's successive slots.
fn child_calls(task: &Task, node: &Node) -> Vec<TokenStream> {
    let mut calls = Vec::with_capacity(node.children.len());
    for (edge, &child_id) in node.children.iter().enumerate() {
        let Some(child) = task.nodes.get(child_id) else { continue };
        let method = method_name(child);
        if takes_parent(child) {
            let earlier = node.children.iter().take(edge).filter(|&&c| c == child_id).count();
            let parent = parent_slot(child, node.id, earlier);
            calls.push(quote!(self.#method(#parent,)));
        } else {
            calls.push(quote!(self.#method));
        }
    }
    calls
}

/// The position of the `nth` occurrence of `parent` among the child's parents.
fn parent_slot(child: &Node, parent: NodeId, nth: usize) -> usize {
    child.parents.iter().enumerate().filter(|&(_, &p)| p == parent).nth(nth).map_or(0, |(slot, _)| slot)
}

/// `push_point` feeds a stream task's root; `push_batch` feeds a batch task's query number
/// `query` (its queries counted in node order).
fn entry_points(task: &Task) -> (TokenStream, TokenStream) {
    let ignore_points = quote!(fn push_point(&mut self, _point: rt::Point) {});
    let ignore_batches = quote!(fn push_batch(&mut self, _query: usize, _batch: rt::Batch) {});
    let Some(root) = task.nodes.first() else {
        return (ignore_points, ignore_batches);
    };
    match task.kind {
        Edge::Stream => {
            let method = method_name(root);
            let push_point = quote! {
                fn push_point(&mut self, point: rt::Point) {
                    self.#method(rt::Message::Point(point));
                }
            };
            (push_point, ignore_batches)
        }
        Edge::Batch => {
            let queries: Vec<Ident> =
                root.children.iter().filter_map(|&c| task.nodes.get(c)).map(method_name).collect();
            if queries.is_empty() {
                return (ignore_points, ignore_batches);
            }
            let numbers = 0..queries.len();
            let push_batch = quote! {
                fn push_batch(&mut self, query: usize, batch: rt::Batch) {
                    match query {
                        #(#numbers => self.#queries(rt::Message::Batch(batch)),)*
                        _ => {}
                    }
                }
            };
            (ignore_points, push_batch)
        }
    }
}
