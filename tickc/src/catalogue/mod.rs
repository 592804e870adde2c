//! The catalogue: every node, property, alert handler and lambda function of TICKscript
//! (Kapacitor 1.5), with argument types and edge kinds. It is the single source of truth that
//! the checker, the formatter and the code generator read; nothing else lists names.
//!
//! The tables themselves live in `nodes.rs`, `handlers.rs` and `functions.rs`; this module
//! holds their schema and the lookups.

mod functions;
mod handlers;
mod nodes;
#[cfg(test)]
mod tests;

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

/// A required positional parameter (keeps the tables short).
const fn p(name: &'static str, ty: ArgType) -> Param {
    Param { name, ty, optional: false }
}

/// An optional (trailing) positional parameter.
const fn opt(name: &'static str, ty: ArgType) -> Param {
    Param { name, ty, optional: true }
}

impl Signature {
    pub const NONE: Signature = Signature { params: &[], rest: None };

    /// Exactly these parameters.
    pub const fn of(params: &'static [Param]) -> Signature {
        Signature { params, rest: None }
    }

    /// One required argument of type `ty`. A `const fn` cannot borrow a slice built from its
    /// argument for `'static`, so each type gets its own literal slice.
    pub const fn single(ty: ArgType) -> Signature {
        macro_rules! one_of {
            ($($variant:ident),*) => {
                match ty {
                    $(ArgType::$variant => Signature::of(&[Param {
                        name: "value",
                        ty: ArgType::$variant,
                        optional: false,
                    }]),)*
                }
            };
        }
        one_of!(
            Int,
            Float,
            Number,
            String,
            Bool,
            Duration,
            Lambda,
            Regex,
            Star,
            StringOrStar,
            Dimension,
            Fill,
            Node,
            Scalar,
            IntOrDuration
        )
    }

    /// These parameters, then any number of `rest` arguments.
    pub const fn variadic(params: &'static [Param], rest: ArgType) -> Signature {
        Signature { params, rest: Some(rest) }
    }

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

/// The Kapacitor release that introduced an entry. The reference is 1.5.7; entries added later
/// (up to 1.7) are catalogued too, so scripts written for newer releases check, and the checker
/// can say when a script goes beyond the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Since {
    /// Present in Kapacitor 1.5.7.
    V1_5,
    /// Added in 1.6 (all such entries are in 1.6.6 and later).
    V1_6,
}

/// Which nodes a chain method may follow. Kapacitor defines most chain methods on its
/// `chainnode`, which the roots (`stream`, `batch`) and the terminal nodes (`influxDBOut`,
/// `kapacitorLoopback`) do not embed, while `stats` and `deadman` are methods of every node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parents {
    /// Any chain node: neither a root nor a terminal node.
    Chain,
    /// Any node, roots and terminal nodes included.
    Any,
    /// Only the named nodes (`from` after `stream` or `from`, `query` after `batch`).
    Only(&'static [&'static str]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PropertySpec {
    /// The TICKscript name (`period`, `uRL`, `stateChangesOnly`).
    pub name: &'static str,
    pub sig: Signature,
    pub repeat: Repeat,
    pub since: Since,
    pub doc: &'static str,
}

impl PropertySpec {
    /// A property taking `sig`; the last call wins.
    pub const fn new(name: &'static str, sig: Signature, doc: &'static str) -> PropertySpec {
        PropertySpec { name, sig, repeat: Repeat::Replace, since: Since::V1_5, doc }
    }

    /// A property without arguments (`.align()`).
    pub const fn flag(name: &'static str, doc: &'static str) -> PropertySpec {
        PropertySpec::new(name, Signature::NONE, doc)
    }

    /// A property with one argument of type `ty` (`.period(10s)`).
    pub const fn value(name: &'static str, ty: ArgType, doc: &'static str) -> PropertySpec {
        PropertySpec::new(name, Signature::single(ty), doc)
    }

    /// Every call adds to what earlier calls set.
    pub const fn accumulating(self) -> PropertySpec {
        PropertySpec { repeat: Repeat::Accumulate, ..self }
    }

    pub const fn since(self, since: Since) -> PropertySpec {
        PropertySpec { since, ..self }
    }
}

/// The family a node belongs to, which decides how code generation builds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeFamily {
    /// `stream`, `batch`: the roots.
    Source,
    /// An InfluxQL aggregate, selector or transformation (`mean`, `top`, `movingAverage`...).
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
    /// Which nodes it may be chained after.
    pub parents: Parents,
    pub properties: &'static [PropertySpec],
    /// Properties whose call starts a handler (alert and deadman), looked up in `HANDLERS`.
    pub has_handlers: bool,
    pub since: Since,
    pub doc: &'static str,
}

impl NodeSpec {
    /// A plain chain node without arguments or properties; the builders below add them.
    pub const fn chain(
        name: &'static str,
        desc: &'static str,
        wants: Wants,
        provides: Provides,
        doc: &'static str,
    ) -> NodeSpec {
        NodeSpec {
            name,
            desc,
            family: NodeFamily::Plain,
            args: Signature::NONE,
            wants,
            provides,
            parents: Parents::Chain,
            properties: &[],
            has_handlers: false,
            since: Since::V1_5,
            doc,
        }
    }

    pub const fn args(self, args: Signature) -> NodeSpec {
        NodeSpec { args, ..self }
    }

    pub const fn properties(self, properties: &'static [PropertySpec]) -> NodeSpec {
        NodeSpec { properties, ..self }
    }

    pub const fn parents(self, parents: Parents) -> NodeSpec {
        NodeSpec { parents, ..self }
    }

    pub const fn family(self, family: NodeFamily) -> NodeSpec {
        NodeSpec { family, ..self }
    }

    pub const fn with_handlers(self) -> NodeSpec {
        NodeSpec { has_handlers: true, ..self }
    }

    pub const fn since(self, since: Since) -> NodeSpec {
        NodeSpec { since, ..self }
    }

    /// Whether the ordinary chain methods (`|window()`, `|alert()`...) may follow this node:
    /// roots and terminal nodes only accept the methods of every node (`stats`, `deadman`).
    pub fn is_chain_node(&self) -> bool {
        self.family != NodeFamily::Source && self.provides != Provides::Nothing
    }

    /// Whether this node may be chained after `parent` (edge kinds aside).
    pub fn may_follow(&self, parent: &NodeSpec) -> bool {
        match self.parents {
            Parents::Chain => parent.is_chain_node(),
            Parents::Any => true,
            Parents::Only(names) => names.contains(&parent.name),
        }
    }
}

/// An alert handler (`.log(path)`, `.slack()`): its own arguments and the properties that may
/// follow it. Properties of the alert node stay available after a handler, as in Kapacitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandlerSpec {
    pub name: &'static str,
    pub args: Signature,
    pub properties: &'static [PropertySpec],
    pub since: Since,
    pub doc: &'static str,
}

impl HandlerSpec {
    pub const fn new(
        name: &'static str,
        args: Signature,
        properties: &'static [PropertySpec],
        doc: &'static str,
    ) -> HandlerSpec {
        HandlerSpec { name, args, properties, since: Since::V1_5, doc }
    }

    pub const fn since(self, since: Since) -> HandlerSpec {
        HandlerSpec { since, ..self }
    }
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
    pub since: Since,
    pub doc: &'static str,
}

impl FunctionSpec {
    /// A function of its arguments alone; `.stateful()` says otherwise.
    pub const fn new(
        name: &'static str,
        sigs: &'static [FunctionSig],
        doc: &'static str,
    ) -> FunctionSpec {
        FunctionSpec { name, sigs, stateful: false, since: Since::V1_5, doc }
    }

    /// A function whose result depends on earlier evaluations of the same expression.
    pub const fn stateful(self) -> FunctionSpec {
        FunctionSpec { stateful: true, ..self }
    }

    pub const fn since(self, since: Since) -> FunctionSpec {
        FunctionSpec { since, ..self }
    }
}

/// Properties every node has (`.quiet()`).
pub const COMMON_PROPERTIES: &[PropertySpec] =
    &[PropertySpec::flag("quiet", "Suppress the node's error logging.")];

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
