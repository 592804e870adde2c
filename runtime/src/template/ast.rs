//! The parsed form of a template.

use std::ops::Range;

use super::funcs::Func;

pub type Span = Range<usize>;

/// A sequence of nodes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct List(pub Vec<Node>);

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Text(String),
    /// `{{ pipeline }}`: prints the value unless the pipeline declares variables.
    Action(Pipe),
    /// `{{ if }}`, `{{ with }}`, `{{ range }}`; an `else if` is an `If` alone in `otherwise`.
    Control(Box<Control>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlKind {
    If,
    With,
    Range,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Control {
    pub kind: ControlKind,
    pub pipe: Pipe,
    pub body: List,
    pub otherwise: Option<List>,
}

/// Commands joined by `|`, each command's value feeding the next as its last argument.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipe {
    /// Variables declared (`$x :=`) or assigned (`$x =`) by the pipeline.
    pub decl: Vec<String>,
    pub is_assign: bool,
    pub cmds: Vec<Command>,
    pub span: Span,
}

/// A function or method call, or a single operand.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub args: Vec<Arg>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub kind: ArgKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ArgKind {
    /// `.A.B` (walks from dot).
    Field(Vec<String>),
    /// `$x.A.B` (walks from the variable; no fields for `$x`).
    Variable(String, Vec<String>),
    /// `(pipeline).A.B` or `func.A`.
    Chain(Box<Arg>, Vec<String>),
    Dot,
    Nil,
    Bool(bool),
    Number(Number),
    String(String),
    Func(Func),
    Pipe(Box<Pipe>),
}

/// A numeric constant: Go picks `float64` when the text has a point or exponent, else `int`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Int(i64),
    Float(f64),
}
