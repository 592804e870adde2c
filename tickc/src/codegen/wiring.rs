//! The pipeline: a struct with one field per node, and one method per node that pushes a message
//! into it and hands each message it emits to every child in order (a clone to all but the
//! last). Each node's field is the runtime's `Wired`, which counts what the node collected and
//! emitted and lends out one reusable output buffer, so the steady state allocates nothing for
//! the wiring itself. A node that hands on at most the message it was given (the root, `from`,
//! `where`, `eval`, `groupBy`) changes it where it lies instead, and the message goes to the
//! children from there.
//!
//! A node with several parents (union, join) must know which parent a message comes from: its
//! method takes the index of the parent in the node's `parents` (Kapacitor's order) and calls
//! the node's `push_from(parent, msg)`, the entry point of the runtime's multi-input nodes.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use super::literal;
use super::nodes::NodeCode;
use crate::catalogue::Edge;
use crate::ir::{Node, NodeId, Task};

pub(super) fn pipeline(task: &Task, codes: &[NodeCode]) -> TokenStream {
    let fields: Vec<Ident> = task.nodes.iter().map(|n| literal::ident(&n.name)).collect();
    let names: Vec<&str> = task.nodes.iter().map(|n| n.name.as_str()).collect();
    let types = codes.iter().map(|c| &c.ty);
    let inits = codes.iter().map(|c| &c.init);
    let multi: Vec<bool> = codes.iter().map(|c| c.multi_input).collect();
    let per_node = |single: &str, multiple: &str| -> Vec<Ident> {
        multi
            .iter()
            .map(|&m| format_ident!("{}", if m { multiple } else { single }))
            .collect()
    };
    let stats = per_node("stats", "multi_input_stats");
    // Alert nodes add their event counts to the counts every node has.
    let alert_stats = task.nodes.iter().zip(&fields).map(|(node, field)| {
        (node.spec.name == "alert").then(|| quote!(.with_alert(&self.#field.node)))
    });
    let snapshot = per_node("snapshot", "multi_input_snapshot");
    let restore = per_node("restore", "multi_input_restore");
    let methods = task.nodes.iter().map(|node| push_method(task, codes, node));
    let (push_point, push_batch) = entry_points(task, codes);
    let tick = tick_method(task, codes);
    let inhibitors = codes
        .iter()
        .any(|c| c.uses_inhibitors)
        .then(|| quote!(let inhibitors = rt::Arc::new(rt::Inhibitors::new());));
    quote! {
        /// The task's nodes, in the order the script creates them.
        pub struct Pipeline {
            tap: Option<rt::Arc<dyn rt::Tap>>,
            #(#fields: rt::Wired<#types>,)*
        }

        impl Pipeline {
            fn start(context: &rt::TaskContext) -> Box<dyn rt::Task> {
                #inhibitors
                Box::new(Pipeline {
                    tap: context.tap.clone(),
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
                Vec::from([#(self.#fields.#stats(#names) #alert_stats),*])
            }

            #tick

            fn snapshot(&self) -> Vec<rt::NodeState> {
                [#(self.#fields.#snapshot(#names)),*].into_iter().flatten().collect()
            }

            fn restore(&mut self, states: &[rt::NodeState]) -> Result<(), rt::RestoreError> {
                let mut failures = Vec::new();
                #(self.#fields.#restore(#names, states, &mut failures);)*
                if failures.is_empty() {
                    Ok(())
                } else {
                    Err(rt::RestoreError { failures })
                }
            }
        }
    }
}

/// `tick` tells the nodes that act on the wall clock the time, in node order, and hands what
/// they emit to their children.
fn tick_method(task: &Task, codes: &[NodeCode]) -> TokenStream {
    let clocked: Vec<&Node> = task
        .nodes
        .iter()
        .zip(codes)
        .filter(|(_, code)| code.clocked)
        .map(|(node, _)| node)
        .collect();
    if clocked.is_empty() {
        return quote!(fn tick(&mut self, _now: rt::Time) {});
    }
    let fields = clocked.iter().map(|n| literal::ident(&n.name));
    let emits = clocked.iter().map(|n| emit_method_name(n));
    quote! {
        fn tick(&mut self, now: rt::Time) {
            #(
                let out = self.#fields.tick(now);
                self.#emits(out);
            )*
        }
    }
}

fn method_name(node: &Node) -> Ident {
    format_ident!("push_{}", literal::ident(&node.name))
}

/// Whether the node's method borrows the message rather than taking it: a node that changes
/// the message where it lies (single-input, in place). Messages are large, and each move of
/// one from frame to frame is a copy the optimiser does not always remove: lent, a message
/// goes down a chain of such nodes without being copied at all.
fn lent_to(codes: &[NodeCode], node: NodeId) -> bool {
    codes.get(node).is_some_and(|c| c.in_place && !c.multi_input)
}

/// Whether the node's method takes the index of the parent the message comes from.
fn takes_parent(codes: &[NodeCode], node: NodeId) -> bool {
    codes.get(node).is_some_and(|c| c.multi_input)
}

fn emit_method_name(node: &Node) -> Ident {
    format_ident!("emit_{}", literal::ident(&node.name))
}

/// `push_<node>` feeds the node one message; `emit_<node>` shows what it emitted to the tap and
/// hands it to the node's children (pushes and clock ticks both end there).
fn push_method(task: &Task, codes: &[NodeCode], node: &Node) -> TokenStream {
    let method = method_name(node);
    let emit = emit_method_name(node);
    let field = literal::ident(&node.name);
    let name = &node.name;
    let (parent_param, push) = if takes_parent(codes, node.id) {
        (
            quote!(parent: usize,),
            quote!(self.#field.push_from(parent, msg)),
        )
    } else {
        (quote!(), quote!(self.#field.push(msg)))
    };
    let calls = child_calls(task, codes, node);
    // The message the in-place method hands on is the one it was lent; the buffer's are owned.
    let hand_over_lent = hand_over(&calls, Holding::Lent);
    let hand_over_owned = hand_over(&calls, Holding::Owned);
    let drain = if calls.is_empty() {
        quote!()
    } else {
        let binding = if calls.last().is_some_and(|c| c.lend) { quote!(mut msg) } else { quote!(msg) };
        quote! {
            for #binding in out.drain(..) {
                #(#hand_over_owned)*
            }
        }
    };
    let observers = observers(task, codes, node);
    let code = codes.get(node.id);
    // A node that is shown its parent's output (stats) is never pushed to.
    let fed = code.is_none_or(|c| c.observes.is_none());
    let push_method = if lent_to(codes, node.id) {
        // The message that goes on is shown and handed on where it lies, no buffer in
        // between; what the node emitted after or instead of it follows through the buffer.
        Some(quote! {
            fn #method(&mut self, msg: &mut rt::Message) {
                if self.#field.process(msg) {
                    let out = ::core::slice::from_ref(&*msg);
                    #(self.#observers.node.observe(out);)*
                    if let Some(tap) = &self.tap {
                        tap.emitted(#name, out);
                    }
                    #(#hand_over_lent)*
                }
                if let Some(after) = self.#field.after() {
                    self.#emit(after);
                }
            }
        })
    } else {
        fed.then(|| {
            quote! {
                fn #method(&mut self, #parent_param msg: rt::Message) {
                    let out = #push;
                    self.#emit(out);
                }
            }
        })
    };
    let out_binding = if calls.is_empty() { quote!(out) } else { quote!(mut out) };
    quote! {
        #push_method

        fn #emit(&mut self, #out_binding: Vec<rt::Message>) {
            #(self.#observers.node.observe(&out);)*
            if let Some(tap) = &self.tap {
                tap.emitted(#name, &out);
            }
            #drain
            self.#field.recycle(out);
        }
    }
}

/// The fields of the nodes shown what `node` emits (its `stats`).
fn observers(task: &Task, codes: &[NodeCode], node: &Node) -> Vec<Ident> {
    task.nodes
        .iter()
        .zip(codes)
        .filter(|(_, code)| code.observes == Some(node.id))
        .map(|(observer, _)| literal::ident(&observer.name))
        .collect()
}

/// How a node's method reaches one of its children.
struct ChildCall {
    /// The child's method.
    method: Ident,
    /// For a multi-input child, the number the parent has among the child's parents.
    parent: Option<usize>,
    /// The child borrows the message (see [`lent_to`]).
    lend: bool,
}

/// For each child edge of `node`, in order, how to call the child. A child reached twice from
/// the same parent (`a|union(a)`) gets the parent's successive numbers.
fn child_calls(task: &Task, codes: &[NodeCode], node: &Node) -> Vec<ChildCall> {
    let mut calls = Vec::with_capacity(node.children.len());
    for (edge, &child_id) in node.children.iter().enumerate() {
        let Some(child) = task.nodes.get(child_id) else {
            continue;
        };
        let parent = takes_parent(codes, child_id).then(|| {
            let earlier = node
                .children
                .iter()
                .take(edge)
                .filter(|&&c| c == child_id)
                .count();
            parent_slot(child, node.id, earlier)
        });
        calls.push(ChildCall {
            method: method_name(child),
            parent,
            lend: lent_to(codes, child_id),
        });
    }
    calls
}

/// How the code handing a message over holds it, as `msg`.
#[derive(Clone, Copy)]
enum Holding {
    Owned,
    /// `&mut rt::Message`: the message an in-place node was lent.
    Lent,
}

/// The calls handing `msg` to each child in order: a copy to all but the last, which gets the
/// message itself (a child that takes it from a lent message leaves a placeholder behind, never
/// read again).
fn hand_over(calls: &[ChildCall], holding: Holding) -> Vec<TokenStream> {
    let last = calls.len().saturating_sub(1);
    calls
        .iter()
        .enumerate()
        .map(|(i, call)| {
            let msg = match (i == last, call.lend, holding) {
                (false, false, _) => quote!(msg.clone()),
                (false, true, _) => quote!(&mut msg.clone()),
                (true, false, Holding::Owned) | (true, true, Holding::Lent) => quote!(msg),
                (true, true, Holding::Owned) => quote!(&mut msg),
                (true, false, Holding::Lent) => quote!(msg.take()),
            };
            let method = &call.method;
            match call.parent {
                Some(parent) => {
                    let parent = Literal::usize_unsuffixed(parent);
                    quote!(self.#method(#parent, #msg);)
                }
                None => quote!(self.#method(#msg);),
            }
        })
        .collect()
}

/// The position of the `nth` occurrence of `parent` among the child's parents.
fn parent_slot(child: &Node, parent: NodeId, nth: usize) -> usize {
    child
        .parents
        .iter()
        .enumerate()
        .filter(|&(_, &p)| p == parent)
        .nth(nth)
        .map_or(0, |(slot, _)| slot)
}

/// `push_point` feeds a stream task's root; `push_batch` feeds a batch task's query number
/// `query` (its queries counted in node order).
fn entry_points(task: &Task, codes: &[NodeCode]) -> (TokenStream, TokenStream) {
    let ignore_points = quote!(
        fn push_point(&mut self, _point: rt::Point) {}
    );
    let ignore_batches = quote!(
        fn push_batch(&mut self, _query: usize, _batch: rt::Batch) {}
    );
    let Some(root) = task.nodes.first() else {
        return (ignore_points, ignore_batches);
    };
    match task.kind {
        Edge::Stream => {
            let method = method_name(root);
            // A root that borrows the message lends the caller's: what the pipeline leaves of
            // it, the caller may reuse.
            let push_point = if lent_to(codes, root.id) {
                quote! {
                    fn push_point(&mut self, point: rt::Point) {
                        self.#method(&mut rt::Message::Point(point));
                    }

                    fn lend_point(&mut self, msg: &mut rt::Message) {
                        self.#method(msg);
                    }
                }
            } else {
                quote! {
                    fn push_point(&mut self, point: rt::Point) {
                        self.#method(rt::Message::Point(point));
                    }
                }
            };
            (push_point, ignore_batches)
        }
        Edge::Batch => {
            let query_nodes = query_nodes(task);
            let queries: Vec<Ident> = query_nodes.iter().map(|&q| method_name(q)).collect();
            let lend = query_nodes.iter().map(|q| lent_to(codes, q.id).then(|| quote!(&mut)));
            if queries.is_empty() {
                return (ignore_points, ignore_batches);
            }
            let numbers = 0..queries.len();
            let push_batch = quote! {
                fn push_batch(&mut self, query: usize, batch: rt::Batch) {
                    match query {
                        #(#numbers => self.#queries(#lend rt::Message::Batch(batch)),)*
                        _ => {}
                    }
                }
            };
            (ignore_points, push_batch)
        }
    }
}

/// A batch task's query nodes, numbered as `push_batch` and the descriptor's queries number
/// them: the root's children in the order they were added.
pub(super) fn query_nodes(task: &Task) -> Vec<&Node> {
    match (task.kind, task.nodes.first()) {
        (Edge::Batch, Some(root)) => root.children.iter().filter_map(|&c| task.nodes.get(c)).collect(),
        _ => Vec::new(),
    }
}
