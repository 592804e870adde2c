//! The TICKscript syntax tree, as the parser produces it: every node carries its byte span.
//!
//! The tree keeps what the formatter needs to reproduce a script faithfully (octal integers,
//! triple-quoted strings, duration literals as written, explicit parentheses) and nothing the
//! checker has to undo. Comments are not attached to nodes: the parser returns them beside the
//! tree, in source order, and the formatter interleaves them by position.

use crate::span::Span;

/// A parsed script: its statements in order and every comment in it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Program {
    pub statements: Vec<Statement>,
    pub comments: Vec<Comment>,
}

/// A run of `//` comment lines with nothing but whitespace between them (one block, as
/// Kapacitor's lexer merges them). `lines` holds each line's text after the `//`.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub lines: Vec<String>,
    pub span: Span,
}

/// A name as written in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A double-quoted name as written in the source (`"telegraf"` in a dbrp statement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// `var name = value`
    Var { name: Ident, value: Expr, span: Span },
    /// `var name type`: a template variable whose value the task's vars supply.
    TypedVar { name: Ident, ty: Ident, span: Span },
    /// `dbrp "db"."rp"`
    Dbrp { database: Reference, retention_policy: Reference, span: Span },
    /// A pipeline chain or any other expression standing alone.
    Expr(Expr),
}

impl Statement {
    pub fn span(&self) -> Span {
        match self {
            Statement::Var { span, .. }
            | Statement::TypedVar { span, .. }
            | Statement::Dbrp { span, .. } => *span,
            Statement::Expr(e) => e.span,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// An integer; `octal` when written with a leading 0 (`0644`), which the formatter keeps.
    Int { value: i64, octal: bool },
    Float(f64),
    /// A single-unit duration (`10s`, `5m`, `1w`), in nanoseconds, and its text as written.
    Duration { nanos: i64, literal: String },
    /// A 'string' (escapes resolved) or a '''raw triple-quoted string'''.
    Str { value: String, triple: bool },
    /// A "reference": a field or tag inside a lambda.
    Reference(String),
    /// A /regex/ literal, its source between the slashes with `\/` unescaped to `/`.
    Regex(String),
    Bool(bool),
    /// `*`: all tags, in groupBy and the like.
    Star,
    /// A bare identifier: a var, `stream`, `batch`, or a fill keyword.
    Ident(String),
    /// `[a, 'b', *]`
    List(Vec<Expr>),
    /// `lambda: expr`
    Lambda(Box<Expr>),
    Unary { op: UnaryOp, operand: Box<Expr> },
    /// A binary operation; `parens` when the source wrapped it in parentheses.
    Binary { op: BinaryOp, lhs: Box<Expr>, rhs: Box<Expr>, parens: bool },
    /// A function call that is not a chain link: `time(10s)` at statement level, `sigma("x")`
    /// inside a lambda.
    Call { name: Ident, args: Vec<Expr> },
    /// One link of a pipeline chain: `target|name(args)`, `target.name(args)`, `target@name(args)`.
    /// `args` is `None` for a property link written without parentheses (`.align` style reads).
    Chain { target: Box<Expr>, op: ChainOp, name: Ident, args: Option<Vec<Expr>> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChainOp {
    /// `|`: a new node.
    Pipe,
    /// `.`: a property of the node (or of the handler) on the left.
    Dot,
    /// `@`: a user-defined function (UDF) node.
    At,
}

impl ChainOp {
    pub fn as_str(self) -> &'static str {
        match self {
            ChainOp::Pipe => "|",
            ChainOp::Dot => ".",
            ChainOp::At => "@",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Neg,
    Not,
}

impl UnaryOp {
    pub fn as_str(self) -> &'static str {
        match self {
            UnaryOp::Neg => "-",
            UnaryOp::Not => "!",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    RegexMatch,
    RegexNotMatch,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl BinaryOp {
    /// Kapacitor's precedence: higher binds tighter; every level is left-associative.
    pub fn precedence(self) -> u8 {
        use BinaryOp::*;
        match self {
            Or => 0,
            And => 1,
            Eq | Ne | RegexMatch | RegexNotMatch => 2,
            Lt | Le | Gt | Ge => 3,
            Add | Sub => 4,
            Mul | Div | Mod => 5,
        }
    }

    pub fn as_str(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Or => "OR",
            And => "AND",
            Eq => "==",
            Ne => "!=",
            RegexMatch => "=~",
            RegexNotMatch => "!~",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Mod => "%",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(self, BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge)
    }
}
