//! The nodes of a pipeline as Rust: for each node of the IR, the runtime type that implements
//! it and the expression that builds it from the script's properties (written out as literals,
//! so nothing of the script is read at run time), plus the lambdas it holds.
//!
//! One file per kind of node. A node the runtime does not have yet is reported as an
//! `unsupported` error at the node, never compiled into something that behaves differently.

mod alert;
mod barrier;
mod derivative;
mod eval;
mod filter;
mod from;
mod grouping;
mod influxdb_out;
mod influxql;
mod loopback;
mod merging;
mod output;
mod properties;
mod query;
mod reshape;
mod sideload;
mod source;
mod state_tracking;
mod stats;
mod union;
mod window;

use proc_macro2::TokenStream;
use quote::format_ident;

pub(super) use query::config as query_config;

use super::lambda::{self, LambdaCode};
use super::literal;
use crate::catalogue::NodeFamily;
use crate::diagnostic::Diagnostic;
use crate::ir::{Lambda, Node, NodeId};
use crate::span::Span;

/// A node as the pipeline struct holds it.
#[derive(Debug, Clone)]
pub(super) struct NodeCode {
    /// The node's type (it implements the runtime's `Node`, or `MultiInput`).
    pub ty: TokenStream,
    /// An expression of that type; it may read `context`, the task's `TaskContext`.
    pub init: TokenStream,
    /// Lambdas and other items the node's type is made of.
    pub items: Vec<TokenStream>,
    /// Whether `init` reads `inhibitors`, the registry of the task's alert inhibitions.
    pub uses_inhibitors: bool,
    /// Whether the node takes messages with the number of the parent they come from.
    pub multi_input: bool,
    /// Whether the node acts on the wall clock (its `tick` emits).
    pub clocked: bool,
    /// The node whose output this node is shown rather than fed (`stats`): the observed
    /// node's emit calls this node's `observe` with everything it emits.
    pub observes: Option<NodeId>,
    /// Whether the node hands on at most the message it is given, changed where it lies (it
    /// implements the runtime's `InPlace`: the root, `from`, `where`, `eval`, `groupBy`): the
    /// pipeline then hands that message to the children itself, not through the node's buffer.
    pub in_place: bool,
}

impl NodeCode {
    fn plain(ty: TokenStream, init: TokenStream) -> NodeCode {
        NodeCode {
            ty,
            init,
            items: Vec::new(),
            uses_inhibitors: false,
            multi_input: false,
            clocked: false,
            observes: None,
            in_place: false,
        }
    }

    fn in_place(self) -> NodeCode {
        NodeCode { in_place: true, ..self }
    }

    fn with_lambdas(mut self, lambdas: impl IntoIterator<Item = LambdaCode>) -> NodeCode {
        self.items.extend(lambdas.into_iter().map(|l| l.items));
        self
    }
}

/// The code of one node, or why it cannot be compiled.
pub(super) fn generate(node: &Node) -> Result<NodeCode, Box<Diagnostic>> {
    match (node.spec.family, node.spec.name) {
        (NodeFamily::Source, _) | (_, "query") => Ok(source::generate()),
        (NodeFamily::InfluxQl, _) => influxql::generate(node),
        (_, "from") => from::generate(node),
        (_, "where") => filter::generate(node),
        (_, "eval") => eval::generate(node),
        (_, "groupBy") => Ok(grouping::generate(node)),
        (_, "window") => window::generate(node),
        (_, "derivative") => Ok(derivative::generate(node)),
        (_, "default") => Ok(reshape::default(node)),
        (_, "delete") => Ok(reshape::delete(node)),
        (_, "shift") => Ok(reshape::shift(node)),
        (_, "sample") => Ok(reshape::sample(node)),
        (_, "changeDetect") => Ok(reshape::change_detect(node)),
        (_, "stateDuration" | "stateCount") => state_tracking::generate(node),
        (_, "union") => Ok(union::generate(node)),
        (_, "join") => merging::join(node),
        (_, "combine") => merging::combine(node),
        (_, "flatten") => Ok(merging::flatten(node)),
        (_, "httpPost") => output::http_post(node),
        (_, "httpOut") => Ok(output::http_out(node)),
        (_, "influxDBOut") => Ok(influxdb_out::generate(node)),
        (_, "kapacitorLoopback") => Ok(loopback::generate(node)),
        (_, "sideload") => Ok(sideload::generate(node)),
        (_, "stats") => Ok(stats::generate(node)),
        (_, "barrier") => Ok(barrier::generate(node)),
        // What Kapacitor adds under a childless node that `stats` observes: a pass-through.
        (_, "noop") => Ok(source::generate()),
        (_, "log") => Ok(output::log(node)),
        (_, "alert") => alert::generate(node),
        _ => Err(unsupported(node)),
    }
}

fn unsupported(node: &Node) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(
            "unsupported",
            node.span,
            format!("node {} is not supported by tickc yet", node.spec.name),
        )
        .with_label("not implemented in the runtime yet"),
    )
}

/// A property (or handler) of a supported node that the runtime does not implement yet.
fn unsupported_property(node: &Node, what: &str, span: Span) -> Box<Diagnostic> {
    Box::new(Diagnostic::error(
        "unsupported",
        span,
        format!(
            "node {}: {what} is not supported by tickc yet",
            node.spec.name
        ),
    ))
}

/// A node property whose value the runtime cannot run with.
fn invalid(span: Span, message: String) -> Box<Diagnostic> {
    Box::new(Diagnostic::error("invalid-node", span, message))
}

/// Compiles a lambda of `node` given as `member` (a property or the node's own argument); the
/// type is named after both (`Alert4Crit`, `Eval2Expr0`).
fn node_lambda(node: &Node, member: &str, lambda: &Lambda) -> Result<LambdaCode, Box<Diagnostic>> {
    let ty = format_ident!("{}{}", literal::camel(&node.name), literal::camel(member));
    lambda::compile(ty, &node.name, lambda)
}
