//! The IR: a checked task as a graph of nodes with resolved properties and typed lambdas.
//!
//! The checker builds it from the syntax tree; code generation reads nothing else. Vars are
//! gone (their values substituted, as Kapacitor does), every node knows its catalogue entry,
//! its parents and the edge kinds on both sides, and every lambda is a typed expression tree
//! whose functions are resolved.

use crate::ast::{BinaryOp, UnaryOp};
use crate::catalogue::{Edge, FunctionSpec, HandlerSpec, NodeSpec, PropertySpec, ValueType};
use crate::span::Span;

/// Index of a node in [`Task::nodes`].
pub type NodeId = usize;

#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub kind: Edge,
    pub dbrps: Vec<Dbrp>,
    /// In creation order, which is Kapacitor's: the root is node 0 (`stream0`/`batch0`).
    pub nodes: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dbrp {
    pub database: String,
    pub retention_policy: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub id: NodeId,
    pub spec: &'static NodeSpec,
    /// `desc` followed by the id: `window2`, `http_out5`, as Kapacitor names nodes.
    pub name: String,
    pub parents: Vec<NodeId>,
    pub children: Vec<NodeId>,
    /// The chain method's own arguments.
    pub args: Vec<Value>,
    /// Property calls in source order (a repeated property appears once per call).
    pub properties: Vec<Property>,
    /// Alert handlers in source order.
    pub handlers: Vec<Handler>,
    /// The edge the node receives (None for a root).
    pub input: Option<Edge>,
    /// The edge the node emits (None for a terminal node).
    pub output: Option<Edge>,
    /// The chain link that created the node (`|window()`).
    pub span: Span,
}

impl Node {
    /// The arguments of the last call of property `name`, if it was called.
    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().rev().find(|p| p.spec.name == name)
    }

    /// Every call of property `name`, in order (for accumulating properties).
    pub fn properties_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Property> + 'a {
        self.properties.iter().filter(move |p| p.spec.name == name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    pub spec: &'static PropertySpec,
    pub args: Vec<Value>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Handler {
    pub spec: &'static HandlerSpec,
    pub args: Vec<Value>,
    pub properties: Vec<Property>,
    pub span: Span,
}

/// A resolved argument value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i64),
    Float(f64),
    String(String),
    Bool(bool),
    /// Nanoseconds.
    Duration(i64),
    /// The regex source (already validated).
    Regex(String),
    Star,
    Lambda(Lambda),
    /// Another node of the pipeline (join, union, combine parents).
    Node(NodeId),
    /// A query's `time(d[, offset])` dimension.
    TimeDimension { every: i64, offset: i64 },
    List(Vec<Value>),
}

/// The static type of an expression: known at compile time, or only at run time (a field
/// reference: a field's type can change from one point to the next).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StaticType {
    Known(ValueType),
    Dynamic,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Lambda {
    pub body: TypedExpr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TypedExpr {
    pub kind: TypedExprKind,
    pub ty: StaticType,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypedExprKind {
    Int(i64),
    Float(f64),
    String(String),
    Bool(bool),
    Duration(i64),
    Regex(String),
    /// A field or tag of the point, or `"time"`.
    Reference(String),
    Unary { op: UnaryOp, operand: Box<TypedExpr> },
    Binary { op: BinaryOp, lhs: Box<TypedExpr>, rhs: Box<TypedExpr> },
    /// A builtin function. `state_slot` numbers the stateful calls of one lambda (sigma, count...)
    /// so generated code can give each its own state.
    Call { function: &'static FunctionSpec, args: Vec<TypedExpr>, state_slot: Option<usize> },
    /// A function the catalogue does not know: Kapacitor accepts the task and fails every
    /// evaluation, so it compiles to an evaluation error (and the checker warns).
    UnknownCall { name: String, args: Vec<TypedExpr> },
}
