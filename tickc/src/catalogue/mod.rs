//! The catalogue: every node, property, alert handler and lambda function of TICKscript
//! (Kapacitor 1.5), with argument types and edge kinds. It is the single source of truth that
//! the checker, the formatter and the code generator read; nothing else lists names.
//!
//! The tables themselves live in `nodes.rs`, `handlers.rs` and `functions.rs`; this module
//! holds their schema and the lookups.

mod functions;
mod handlers;
mod nodes;

pub use functions::FUNCTIONS;
pub use handlers::HANDLERS;
pub use nodes::NODES;

/// The kind of data that flows on an edge between two nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Edge {
    /// Points, one at a time.
    Stream,
    /// Batches of points (a window's contents, a query's result).
    Batch,
}

impl Edge {
    pub fn as_str(self) -> &'static str {
        match self {
            Edge::Stream => "stream",
            Edge::Batch => "batch",
        }
    }
}

/// What a node accepts from its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wants {
    Stream,
    Batch,
    /// Either; the node then emits according to its `Provides`.
    Any,
    /// A root (`stream`, `batch`): it has no parent.
    Nothing,
}

/// What a node emits to its children.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provides {
    Stream,
    Batch,
    /// The same edge kind as its input.
    SameAsInput,
    /// A terminal node (influxDBOut, kapacitorLoopback): nothing can be chained after it.
    Nothing,
}

/// The static type of an argument or of a lambda value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArgType {
    Int,
    Float,
    /// An int or a float literal (Kapacitor converts).
    Number,
    String,
    Bool,
    Duration,
    Lambda,
    Regex,
    /// `*`.
    Star,
    /// A tag name as a string, or `*` (groupBy).
    StringOrStar,
    /// A query's groupBy dimension: `time(d[, offset])`, a tag string, or `*`.
    Dimension,
    /// `.fill()`: `'null'`, `'none'`, `'previous'`, `'linear'`, or a number.
    Fill,
    /// Another node of the pipeline (the other parents of join, union, combine).
    Node,
    /// A string, int, float or bool value (default's `.field(name, value)`).
    Scalar,
    /// An int count or a duration (sample).
    IntOrDuration,
}

/// One positional parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    pub ty: ArgType,
    /// May be left out (only trailing parameters are optional).
    pub optional: bool,
}

/// The arguments of a chain method, a property or a handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    pub params: &'static [Param],
    /// Type of any further arguments, if the call is variadic.
    pub rest: Option<ArgType>,
}

impl Signature {
    pub const NONE: Signature = Signature { params: &[], rest: None };

    pub fn min_args(&self) -> usize {
        self.params.iter().filter(|p| !p.optional).count()
    }

    pub fn max_args(&self) -> Option<usize> {
        if self.rest.is_some() { None } else { Some(self.params.len()) }
    }
}

/// What calling a property twice does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// The last call wins.
    Replace,
    /// Every call adds (`.where()` on from is ANDed, `.tag(k, v)`, `.header(k, v)`, handlers).
    Accumulate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PropertySpec {
    /// The TICKscript name (`period`, `uRL`, `stateChangesOnly`).
    pub name: &'static str,
    pub sig: Signature,
    pub repeat: Repeat,
    pub doc: &'static str,
}

/// The family a node belongs to, which decides how code generation builds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeFamily {
    /// `stream`, `batch`: the roots.
    Source,
    /// An InfluxQL aggregate, selector or transformation (`mean`, `top`, `derivative`...).
    InfluxQl,
    /// Any other node.
    Plain,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeSpec {
    /// The TICKscript chain method name (`window`, `httpOut`); for roots, the identifier.
    pub name: &'static str,
    /// The prefix of the node's name in DOT graphs and stats (`window` → `window2`,
    /// `httpOut` → `http_out3`).
    pub desc: &'static str,
    pub family: NodeFamily,
    /// The chain method's own arguments: `|percentile('used', 95.0)`.
    pub args: Signature,
    pub wants: Wants,
    pub provides: Provides,
    /// Only these parents may chain to it (`from` after `stream` or `from`); empty = any chain node.
    pub parents: &'static [&'static str],
    pub properties: &'static [PropertySpec],
    /// Properties whose call starts a handler (alert and deadman), looked up in `HANDLERS`.
    pub has_handlers: bool,
    pub doc: &'static str,
}

/// An alert handler (`.log(path)`, `.slack()`): its own arguments and the properties that may
/// follow it. Properties of the alert node stay available after a handler, as in Kapacitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandlerSpec {
    pub name: &'static str,
    pub args: Signature,
    pub properties: &'static [PropertySpec],
    pub doc: &'static str,
}

/// A value type of the lambda language (Kapacitor's `ast.ValueType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    Float,
    Int,
    String,
    Bool,
    Regex,
    Time,
    Duration,
    /// A reference to a field or tag that is absent from the point.
    Missing,
}

impl ValueType {
    pub fn as_str(self) -> &'static str {
        match self {
            ValueType::Float => "float",
            ValueType::Int => "int",
            ValueType::String => "string",
            ValueType::Bool => "bool",
            ValueType::Regex => "regex",
            ValueType::Time => "time",
            ValueType::Duration => "duration",
            ValueType::Missing => "missing",
        }
    }
}

/// One accepted argument list of a lambda function and what it returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionSig {
    pub args: &'static [ValueType],
    pub returns: ValueType,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionSpec {
    pub name: &'static str,
    pub sigs: &'static [FunctionSig],
    /// Keeps state across evaluations of the same expression (sigma, count, spread, rand).
    pub stateful: bool,
    pub doc: &'static str,
}

/// Properties every node has (`.quiet()`).
pub const COMMON_PROPERTIES: &[PropertySpec] = &[PropertySpec {
    name: "quiet",
    sig: Signature::NONE,
    repeat: Repeat::Replace,
    doc: "Suppress the node's error logging.",
}];

pub fn node(name: &str) -> Option<&'static NodeSpec> {
    NODES.iter().find(|n| n.name == name)
}

pub fn handler(name: &str) -> Option<&'static HandlerSpec> {
    HANDLERS.iter().find(|h| h.name == name)
}

pub fn function(name: &str) -> Option<&'static FunctionSpec> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

/// A property of a node, including the properties common to every node.
pub fn property(node: &NodeSpec, name: &str) -> Option<&'static PropertySpec> {
    node.properties.iter().chain(COMMON_PROPERTIES).find(|p| p.name == name)
}

/// The closest of `candidates` to `name`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let score = if c.to_ascii_lowercase() == lower {
                1.0
            } else {
                strsim::jaro_winkler(&lower, &c.to_ascii_lowercase())
            };
            (c, score)
        })
        .filter(|(_, s)| *s >= 0.8)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(c, _)| c)
}
