//! The nodes of a pipeline as Rust: for each node of the IR, the runtime type that implements
//! it and the expression that builds it from the script's properties (written out as literals,
//! so nothing of the script is read at run time), plus the lambdas it holds.
//!
//! One file per kind of node. A node the runtime does not have yet is reported as an
//! `unsupported` error at the node, never compiled into something that behaves differently.

mod derivative;
mod influxql;
mod properties;
mod source;
mod window;

use proc_macro2::TokenStream;

use super::lambda::LambdaCode;
use crate::catalogue::NodeFamily;
use crate::diagnostic::Diagnostic;
use crate::ir::Node;

/// A node as the pipeline struct holds it.
#[derive(Debug, Clone)]
pub(super) struct NodeCode {
    /// The node's type (it implements the runtime's `Node`).
    pub ty: TokenStream,
    /// An expression of that type.
    pub init: TokenStream,
    /// The lambdas the node holds.
    pub lambdas: Vec<LambdaCode>,
}

impl NodeCode {
    fn plain(ty: TokenStream, init: TokenStream) -> NodeCode {
        NodeCode { ty, init, lambdas: Vec::new() }
    }
}

/// The code of one node, or why it cannot be compiled.
pub(super) fn generate(node: &Node) -> Result<NodeCode, Vec<Diagnostic>> {
    match (node.spec.family, node.spec.name) {
        (NodeFamily::Source, _) => Ok(source::generate()),
        (NodeFamily::InfluxQl, _) => influxql::generate(node).map_err(|d| vec![d]),
        (_, "window") => window::generate(node).map_err(|d| vec![d]),
        (_, "derivative") => Ok(derivative::generate(node)),
        _ => Err(vec![unsupported(node)]),
    }
}

/// The names of the nodes this compiler generates (besides the InfluxQL family), for reports.
pub const SUPPORTED: &[&str] = &["stream", "batch", "window", "derivative"];

fn unsupported(node: &Node) -> Diagnostic {
    Diagnostic::error("unsupported", node.span, format!("node {} is not supported by tickc yet", node.spec.name))
        .with_label("not implemented in the runtime yet")
}

/// A node property whose value the runtime cannot run with.
fn invalid(span: crate::span::Span, message: String) -> Diagnostic {
    Diagnostic::error("invalid-node", span, message)
}
