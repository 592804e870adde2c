//! The TICKscript token: what logos recognises context-free, plus the two kinds (`Mul`, `Regex`)
//! that only the position of a `*` or `/` decides (see [`super::lex`]).

use std::fmt;

use logos::{Lexer, Logos};

use super::literal;
use crate::diagnostic::Diagnostic;

/// An integer literal's value and whether it was written in octal (`0644`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntLit {
    pub value: i64,
    pub octal: bool,
}

/// A duration literal (`10s`): its value in nanoseconds and its text as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationLit {
    pub nanos: i64,
    pub literal: String,
}

/// A single- or triple-quoted string with escapes resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrLit {
    pub value: String,
    pub triple: bool,
}

/// Problems found while lexing a token are pushed here by the logos callbacks; the token itself
/// is still produced (with a best-effort value) so the parser does not cascade.
pub type LexExtras = Vec<Diagnostic>;

#[derive(Logos, Debug, Clone, PartialEq)]
#[logos(extras = LexExtras)]
#[logos(skip r"\s+")]
pub enum Token {
    // Keywords are case-sensitive: `and`, `true` are identifiers.
    #[token("var")]
    Var,
    #[token("dbrp")]
    Dbrp,
    /// `lambda:` with the colon immediately after; a bare `lambda` is an identifier.
    #[token("lambda:")]
    Lambda,
    #[token("AND")]
    And,
    #[token("OR")]
    Or,
    #[token("TRUE")]
    True,
    #[token("FALSE")]
    False,

    /// Starts with a Unicode letter; `_x` is lexed here too, with an error, so one typo does not
    /// derail the parse.
    #[regex(r"\p{L}[\p{L}\p{Nd}_]*", |lex| lex.slice().to_owned())]
    #[regex(r"_[\p{L}\p{Nd}_]*", literal::underscore_ident)]
    Ident(String),
    #[regex(r"[0-9]+", literal::int)]
    Int(IntLit),
    #[regex(r"[0-9]+\.[0-9]*|\.[0-9]+", literal::float)]
    #[regex(r"([0-9]+\.[0-9]*|\.[0-9]+)\.[0-9.]*", literal::float_with_extra_dots)]
    Float(f64),
    /// Digits and exactly one unit; `1.5s` and `10ns` are a number followed by an identifier.
    #[regex(r"[0-9]+(u|µ|ms|s|m|h|d|w)", literal::duration)]
    Duration(DurationLit),
    #[token("'", literal::string)]
    Str(StrLit),
    /// A "double-quoted" field or tag name.
    #[token("\"", literal::reference)]
    Reference(String),
    /// `/regex/`, its source with `\/` unescaped. Never produced by logos: a `/` in value
    /// position becomes one (see [`super::lex`]).
    Regex(String),
    /// `// text` up to the end of the line. Never reaches the parser: the lexer collects these
    /// into comment blocks.
    #[regex(r"//[^\n]*", allow_greedy = true)]
    Comment,

    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token(",")]
    Comma,
    #[token("|")]
    Pipe,
    #[token("@")]
    At,
    #[token(".")]
    Dot,
    #[token("=")]
    Assign,

    #[token("+")]
    Plus,
    /// Binary subtraction or unary negation: the parser tells them apart.
    #[token("-")]
    Minus,
    /// `*` in value position: "all tags" (`groupBy(*)`). Logos produces every `*` as this.
    #[token("*")]
    Star,
    /// `*` in operator position: multiplication.
    Mul,
    /// `/` in operator position: division.
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token("==")]
    Eq,
    #[token("!=")]
    Ne,
    #[token("=~")]
    RegexMatch,
    #[token("!~")]
    RegexNotMatch,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("!")]
    Not,
}

impl Token {
    /// True when the token ends a value, so that what follows is in operator position: a `*`
    /// there multiplies and a `/` divides.
    pub fn ends_value(&self) -> bool {
        matches!(
            self,
            Token::Ident(_)
                | Token::Int(_)
                | Token::Float(_)
                | Token::Duration(_)
                | Token::Str(_)
                | Token::Reference(_)
                | Token::Regex(_)
                | Token::True
                | Token::False
                | Token::Star
                | Token::RParen
                | Token::RBracket
        )
    }
}

/// How a token is named in messages: "`)`", "identifier `x`", "number `1.5`".
impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fixed = match self {
            Token::Ident(name) => return write!(f, "identifier `{name}`"),
            Token::Int(i) if i.octal => return write!(f, "number `0{:o}`", i.value),
            Token::Int(i) => return write!(f, "number `{}`", i.value),
            Token::Float(x) => return write!(f, "number `{x:?}`"),
            Token::Duration(d) => return write!(f, "duration `{}`", d.literal),
            Token::Str(_) => "string",
            Token::Reference(name) => return write!(f, "reference `\"{name}\"`"),
            Token::Regex(_) => "regex",
            Token::Comment => "comment",
            Token::Var => "`var`",
            Token::Dbrp => "`dbrp`",
            Token::Lambda => "`lambda:`",
            Token::And => "`AND`",
            Token::Or => "`OR`",
            Token::True => "`TRUE`",
            Token::False => "`FALSE`",
            Token::LParen => "`(`",
            Token::RParen => "`)`",
            Token::LBracket => "`[`",
            Token::RBracket => "`]`",
            Token::Comma => "`,`",
            Token::Pipe => "`|`",
            Token::At => "`@`",
            Token::Dot => "`.`",
            Token::Assign => "`=`",
            Token::Plus => "`+`",
            Token::Minus => "`-`",
            Token::Star | Token::Mul => "`*`",
            Token::Slash => "`/`",
            Token::Percent => "`%`",
            Token::Eq => "`==`",
            Token::Ne => "`!=`",
            Token::RegexMatch => "`=~`",
            Token::RegexNotMatch => "`!~`",
            Token::Lt => "`<`",
            Token::Le => "`<=`",
            Token::Gt => "`>`",
            Token::Ge => "`>=`",
            Token::Not => "`!`",
        };
        f.write_str(fixed)
    }
}

/// Lets the literal callbacks report at the current token's span.
pub(super) fn current_span(lex: &Lexer<'_, Token>) -> crate::span::Span {
    lex.span().into()
}
