//! The TICKscript grammar as chumsky parsers over the lexer's tokens.
//!
//! ```text
//! program    := { statement }
//! statement  := 'var' IDENT '=' expression | 'var' IDENT IDENT | 'dbrp' REF '.' REF | expression
//! expression := 'lambda:' binary | '[' [ item { ',' item } [','] ] ']' | binary
//! binary     := unary { OP unary }            six left-associative levels (Pratt)
//! unary      := { '-' | '!' } atom
//! atom       := primary { ('|' | '.' | '@') IDENT [ '(' args ')' ] }
//! primary    := '(' binary ')' | literal | IDENT '(' args ')' | IDENT
//! ```
//! There are no statement separators: a statement ends where its expression cannot go on.
//! Chains and unary runs are loops, not recursion, so a 30,000-link pipeline parses in constant
//! stack; only parentheses recurse, and [`ParseState`] bounds how deep.
//!
//! The grammar is slightly more permissive than Kapacitor's where that yields a better message:
//! a chain used as an operand parses and is then reported as such.

use chumsky::input::{InputRef, MapExtra, ValueInput};
use chumsky::pratt::{Operator, infix, left};
use chumsky::prelude::*;

use super::errors::SyntaxError;
use super::state::ParseState;
use crate::ast::{BinaryOp, ChainOp, Expr, ExprKind, Ident, Reference, Statement, UnaryOp};
use crate::diagnostic::Diagnostic;
use crate::lexer::Token;
use crate::span::Span;

pub(super) type Extra<'src> = extra::Full<SyntaxError, ParseState<'src>, ()>;

fn span(s: SimpleSpan) -> Span {
    Span::new(s.start, s.end)
}

/// Every statement of a script. Statements that fail to parse are skipped up to the next
/// statement boundary, their error kept, so one run reports every error.
pub(super) fn program<'src, I>() -> impl Parser<'src, I, Vec<Statement>, Extra<'src>>
where
    I: ValueInput<'src, Token = Token, Span = SimpleSpan>,
{
    statement()
        .map(Some)
        .recover_with(via_parser(skip_to_next_statement().to(None)))
        .repeated()
        .collect::<Vec<_>>()
        .map(|statements| statements.into_iter().flatten().collect())
        .then_ignore(end())
}

fn statement<'src, I>() -> impl Parser<'src, I, Statement, Extra<'src>> + Clone
where
    I: ValueInput<'src, Token = Token, Span = SimpleSpan>,
{
    let expr = expression();

    enum VarTail {
        Value(Expr),
        Type(Ident),
    }
    let var = just(Token::Var)
        .map_with(|_, e| span(e.span()))
        .then(ident())
        .then(choice((
            just(Token::Assign)
                .ignore_then(expr.clone())
                .map(VarTail::Value),
            ident().labelled("a type name").map(VarTail::Type),
        )))
        .map(|((start, name), tail)| match tail {
            VarTail::Value(value) => {
                let span = start.to(value.span);
                Statement::Var { name, value, span }
            }
            VarTail::Type(ty) => {
                let span = start.to(ty.span);
                Statement::TypedVar { name, ty, span }
            }
        });

    let dbrp = just(Token::Dbrp)
        .map_with(|_, e| span(e.span()))
        .then(reference())
        .then_ignore(just(Token::Dot))
        .then(reference())
        .map(|((start, database), retention_policy)| {
            let span = start.to(retention_policy.span);
            Statement::Dbrp {
                database,
                retention_policy,
                span,
            }
        });

    choice((var, dbrp, expr.map(Statement::Expr))).labelled("a statement")
}

/// Skips a failed statement: at least one token, then up to a `var` or `dbrp`, or an
/// identifier that starts a line outside any bracket the skipped text opened.
fn skip_to_next_statement<'src, I>() -> impl Parser<'src, I, (), Extra<'src>> + Clone
where
    I: ValueInput<'src, Token = Token, Span = SimpleSpan>,
{
    custom(|inp: &mut InputRef<'src, '_, I, Extra<'src>>| {
        let mut depth = 0_i32;
        let mut skipped_any = false;
        loop {
            let before = inp.save();
            let Some(token) = inp.next() else { break };
            let at = inp.span_since(before.cursor());
            let starts_statement = match token {
                Token::Var | Token::Dbrp => true,
                Token::Ident(_) => depth <= 0 && inp.state().starts_line(at.start),
                _ => false,
            };
            if skipped_any && starts_statement {
                inp.rewind(before);
                break;
            }
            depth += match token {
                Token::LParen | Token::LBracket => 1,
                Token::RParen | Token::RBracket => -1,
                _ => 0,
            };
            skipped_any = true;
        }
        if skipped_any {
            Ok(())
        } else {
            let here = inp.span_since(&inp.cursor());
            Err(SyntaxError::Unexpected {
                span: here,
                expected: Vec::new(),
                found: None,
            })
        }
    })
}

fn ident<'src, I>() -> impl Parser<'src, I, Ident, Extra<'src>> + Clone
where
    I: ValueInput<'src, Token = Token, Span = SimpleSpan>,
{
    select! { Token::Ident(name) = e => Ident { name, span: span(e.span()) } }
        .labelled("an identifier")
}

fn reference<'src, I>() -> impl Parser<'src, I, Reference, Extra<'src>> + Clone
where
    I: ValueInput<'src, Token = Token, Span = SimpleSpan>,
{
    select! { Token::Reference(name) = e => Reference { name, span: span(e.span()) } }
        .labelled("a \"double-quoted\" name")
}

/// An opening parenthesis that counts against the nesting limit; yields its span.
fn open_paren<'src, I>() -> impl Parser<'src, I, SimpleSpan, Extra<'src>> + Clone
where
    I: ValueInput<'src, Token = Token, Span = SimpleSpan>,
{
    just(Token::LParen).try_map_with(|_, e: &mut MapExtra<'src, '_, I, Extra<'src>>| {
        let at = e.span();
        if e.state().enter() {
            Ok(at)
        } else {
            Err(SyntaxError::too_deep(at))
        }
    })
}

/// The closing parenthesis matching [`open_paren`]; yields its span.
fn close_paren<'src, I>() -> impl Parser<'src, I, SimpleSpan, Extra<'src>> + Clone
where
    I: ValueInput<'src, Token = Token, Span = SimpleSpan>,
{
    // try_map_with rather than map_with: it runs even when chumsky only checks the input, so
    // every enter is matched by a leave.
    just(Token::RParen).try_map_with(|_, e: &mut MapExtra<'src, '_, I, Extra<'src>>| {
        e.state().leave();
        Ok(e.span())
    })
}

/// One `|name(args)`, `.name(args)`, `.name` or `@name(args)` link of a chain.
struct Link {
    op: ChainOp,
    name: Ident,
    /// The arguments and the span of the link up to its closing parenthesis.
    args: Option<(Vec<Expr>, SimpleSpan)>,
}

/// Any expression: a lambda, a list, or an operator expression (chains included).
///
/// Built with [`recursive`], whose parsers refer to themselves weakly: parsers that hold
/// themselves through `Recursive::declare` are reference cycles, and since the grammar is built
/// for every script parsed, each parse leaked them (found by the `frontend` fuzz target).
fn expression<'src, I>() -> impl Parser<'src, I, Expr, Extra<'src>> + Clone
where
    I: ValueInput<'src, Token = Token, Span = SimpleSpan>,
{
    recursive(|expr| {
        let binary = operators(expr);

        let lambda = just(Token::Lambda)
            .map_with(|_, e| span(e.span()))
            .then(binary.clone())
            .map_with(|(start, body): (Span, Expr), e| {
                reject_chain(&body, "the body of a lambda", e.state());
                let span = start.to(body.span);
                Expr::new(ExprKind::Lambda(Box::new(body)), span)
            });

        let list_item = select! {
            Token::Ident(name) => ExprKind::Ident(name),
            Token::Str(s) => ExprKind::Str { value: s.value, triple: s.triple },
            Token::Star => ExprKind::Star,
        }
        .map_with(|kind, e| Expr::new(kind, span(e.span())))
        .labelled("a list item (identifier, 'string', `*`)");
        let list = list_item
            .separated_by(just(Token::Comma))
            .allow_trailing()
            .collect::<Vec<_>>()
            .delimited_by(just(Token::LBracket), just(Token::RBracket))
            .map_with(|items, e| Expr::new(ExprKind::List(items), span(e.span())));

        choice((lambda, list, binary)).labelled("an expression")
    })
}

/// Operator expressions (`binary` of the grammar), whose arguments are any `expr`.
fn operators<'src, I, P>(expr: P) -> impl Parser<'src, I, Expr, Extra<'src>> + Clone
where
    I: ValueInput<'src, Token = Token, Span = SimpleSpan>,
    P: Parser<'src, I, Expr, Extra<'src>> + Clone + 'src,
{
    recursive(|binary| {
        // `(args)` with a trailing comma allowed; the span covers the parentheses.
        let args = open_paren()
            .then(
                expr.clone()
                    .separated_by(just(Token::Comma))
                    .allow_trailing()
                    .collect::<Vec<_>>(),
            )
            .then(close_paren())
            .map(
                |((open, args), close): ((SimpleSpan, Vec<Expr>), SimpleSpan)| {
                    (args, open.union(close))
                },
            );
        // Arguments where they are optional: once a `(` follows, they must parse, rather than
        // leaving the name alone and the `(` to start a confusing new statement.
        let maybe_args = args
            .clone()
            .map(Some)
            .or(just(Token::LParen).not().to(None));

        let literal = select! {
            Token::Int(i) => ExprKind::Int { value: i.value, octal: i.octal },
            Token::Float(x) => ExprKind::Float(x),
            Token::Duration(d) => ExprKind::Duration { nanos: d.nanos, literal: d.literal },
            Token::Str(s) => ExprKind::Str { value: s.value, triple: s.triple },
            Token::Reference(name) => ExprKind::Reference(name),
            Token::Regex(pattern) => ExprKind::Regex(pattern),
            Token::True => ExprKind::Bool(true),
            Token::False => ExprKind::Bool(false),
            Token::Star => ExprKind::Star,
        }
        .map_with(|kind, e| Expr::new(kind, span(e.span())));

        let parenthesised = open_paren()
            .then(binary.clone())
            .then(close_paren())
            .map_with(
                |((open, mut inner), close): ((SimpleSpan, Expr), SimpleSpan), e| {
                    reject_chain(&inner, "inside parentheses", e.state());
                    if let ExprKind::Binary { parens, .. } = &mut inner.kind {
                        *parens = true;
                        inner.span = Span::new(open.start, close.end);
                    }
                    inner
                },
            );

        let call_or_ident = ident()
            .then(maybe_args.clone())
            .map(|(name, args)| match args {
                Some((args, at)) => {
                    let span = name.span.to(span(at));
                    Expr::new(ExprKind::Call { name, args }, span)
                }
                None => Expr::new(ExprKind::Ident(name.name), name.span),
            });

        let primary = choice((literal, parenthesised, call_or_ident));

        let chain_op = select! {
            Token::Pipe => ChainOp::Pipe,
            Token::Dot => ChainOp::Dot,
            Token::At => ChainOp::At,
        }
        .labelled("a chain link (`|`, `.`, `@`)");
        let link = chain_op
            .then(ident())
            .then(maybe_args)
            .map(|((op, name), args)| Link { op, name, args });
        let atom = primary.foldl_with(link.repeated(), |target, link, e| {
            chain(target, link, e.state())
        });

        // Unary runs fold in a loop, but each operator still counts as a level of nesting: the
        // tree they build is as deep as the run is long.
        let unary_op = select! {
            Token::Minus => UnaryOp::Neg,
            Token::Not => UnaryOp::Not,
        }
        .try_map_with(|op, e: &mut MapExtra<'src, '_, I, Extra<'src>>| {
            let at = e.span();
            if e.state().enter() {
                Ok((op, span(at)))
            } else {
                Err(SyntaxError::too_deep(at))
            }
        });
        let unary = unary_op
            .repeated()
            .collect::<Vec<_>>()
            .then(atom)
            .try_map_with(
                |(ops, operand): (Vec<(UnaryOp, Span)>, Expr),
                 e: &mut MapExtra<'src, '_, I, Extra<'src>>| {
                    Ok(ops.into_iter().rev().fold(operand, |operand, (op, at)| {
                        e.state().leave();
                        reject_chain(
                            &operand,
                            &format!("an operand of `{}`", op.as_str()),
                            e.state(),
                        );
                        let span = at.to(operand.span);
                        Expr::new(
                            ExprKind::Unary {
                                op,
                                operand: Box::new(operand),
                            },
                            span,
                        )
                    }))
                },
            )
            .labelled("an expression");

        let binary_op = select! {
            Token::Or => BinaryOp::Or,
            Token::And => BinaryOp::And,
            Token::Eq => BinaryOp::Eq,
            Token::Ne => BinaryOp::Ne,
            Token::RegexMatch => BinaryOp::RegexMatch,
            Token::RegexNotMatch => BinaryOp::RegexNotMatch,
            Token::Lt => BinaryOp::Lt,
            Token::Le => BinaryOp::Le,
            Token::Gt => BinaryOp::Gt,
            Token::Ge => BinaryOp::Ge,
            Token::Plus => BinaryOp::Add,
            Token::Minus => BinaryOp::Sub,
            Token::Mul => BinaryOp::Mul,
            Token::Slash => BinaryOp::Div,
            Token::Percent => BinaryOp::Mod,
        }
        .labelled("an operator");
        // One left-associative Pratt level per precedence of `BinaryOp::precedence`.
        let levels: Vec<_> = (0..=5_u8)
            .map(|level| {
                let op = binary_op.filter(move |op: &BinaryOp| op.precedence() == level);
                let fold = |lhs, op, rhs, e: &mut MapExtra<'src, '_, I, Extra<'src>>| {
                    binary_node(lhs, op, rhs, e.state())
                };
                Operator::boxed(infix(left(u16::from(level)), op, fold))
            })
            .collect();
        unary.pratt(levels)
    })
}

fn binary_node(lhs: Expr, op: BinaryOp, rhs: Expr, state: &mut ParseState<'_>) -> Expr {
    let context = format!("an operand of `{}`", op.as_str());
    reject_chain(&lhs, &context, state);
    reject_chain(&rhs, &context, state);
    let span = lhs.span.to(rhs.span);
    Expr::new(
        ExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
            parens: false,
        },
        span,
    )
}

/// Appends one link to a chain, reporting links Kapacitor's parser would reject.
fn chain(target: Expr, link: Link, state: &mut ParseState<'_>) -> Expr {
    let Link { op, name, args } = link;
    if !matches!(
        target.kind,
        ExprKind::Ident(_) | ExprKind::Call { .. } | ExprKind::Chain { .. }
    ) {
        state.report(
            Diagnostic::error(
                "syntax",
                name.span,
                format!(
                    "`{}{}` cannot follow this expression",
                    op.as_str(),
                    name.name
                ),
            )
            .with_secondary(target.span, "not a node")
            .with_hint(
                "a chain starts at a node: `stream`, `batch`, a var holding a node, or a call",
            ),
        );
    }
    if op == ChainOp::Pipe && args.is_none() {
        state.report(
            Diagnostic::error(
                "syntax",
                name.span,
                format!("`|{}` needs parentheses", name.name),
            )
            .with_label("`|` creates a node, which is a call")
            .with_fix(Span::new(name.span.end, name.span.end), "()", "add `()`"),
        );
    }
    let end = args.as_ref().map_or(name.span, |(_, at)| span(*at));
    let span = target.span.to(end);
    let args = args.map(|(args, _)| args);
    Expr::new(
        ExprKind::Chain {
            target: Box::new(target),
            op,
            name,
            args,
        },
        span,
    )
}

/// Chains build the pipeline; they are not values that operators, parentheses or lambdas take.
fn reject_chain(expr: &Expr, context: &str, state: &mut ParseState<'_>) {
    if let ExprKind::Chain { op, name, .. } = &expr.kind {
        state.report(
            Diagnostic::error(
                "syntax",
                expr.span,
                format!("a pipeline chain cannot be {context}"),
            )
            .with_label(format!(
                "the chain ends with `{}{}`",
                op.as_str(),
                name.name
            ))
            .with_hint("a chain is a statement of its own, or the value of a `var`"),
        );
    }
}
