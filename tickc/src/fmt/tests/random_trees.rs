//! Random small trees that TICKscript's grammar can produce: formatting one must read back to
//! the same tree, and formatting the result (with comments sprinkled in) keeps the contract.

use proptest::prelude::*;

use crate::fmt::meaning::without_spans;
use super::{assert_contract, format, parse_clean};
use crate::ast::{BinaryOp, ChainOp, Expr, ExprKind, Ident, Program, Reference, Statement, UnaryOp};
use crate::span::Span;

fn expr(kind: ExprKind) -> Expr {
    Expr::new(kind, Span::default())
}

fn ident(name: &str) -> Ident {
    Ident { name: name.to_owned(), span: Span::default() }
}

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["x", "cpu", "host_1", "aB", "stream", "batch", "if2"]).prop_map(String::from)
}

fn duration() -> impl Strategy<Value = ExprKind> {
    const UNITS: &[(&str, i64)] = &[
        ("u", 1_000),
        ("ms", 1_000_000),
        ("s", 1_000_000_000),
        ("m", 60_000_000_000),
        ("h", 3_600_000_000_000),
        ("d", 86_400_000_000_000),
        ("w", 604_800_000_000_000),
    ];
    (1i64..10_000, prop::sample::select(UNITS))
        .prop_map(|(n, (unit, scale))| ExprKind::Duration { nanos: n * scale, literal: format!("{n}{unit}") })
}

/// A literal, reference or identifier: what stands alone inside a lambda expression.
fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        (0..=i64::MAX, any::<bool>()).prop_map(|(value, octal)| ExprKind::Int { value, octal }),
        (0.0f64..1e9).prop_map(ExprKind::Float),
        duration(),
        "[a-z '/.\"]{0,6}".prop_map(|value| ExprKind::Str { value, triple: false }),
        "[a-z /.\"]{1,6}".prop_map(|value| ExprKind::Str { value, triple: true }),
        "[a-z .\"]{1,6}".prop_map(ExprKind::Reference),
        any::<bool>().prop_map(ExprKind::Bool),
        Just(ExprKind::Star),
        name().prop_map(ExprKind::Ident),
    ]
    .prop_map(expr)
}

fn regex() -> impl Strategy<Value = Expr> {
    prop::sample::select(vec!["a.*", "^/root/", r"x\d+$", "[a/b]"]).prop_map(|p| expr(ExprKind::Regex(p.into())))
}

const BINARY_OPS: &[BinaryOp] = &[
    BinaryOp::Or,
    BinaryOp::And,
    BinaryOp::Eq,
    BinaryOp::Ne,
    BinaryOp::Lt,
    BinaryOp::Le,
    BinaryOp::Gt,
    BinaryOp::Ge,
    BinaryOp::Add,
    BinaryOp::Sub,
    BinaryOp::Mul,
    BinaryOp::Div,
    BinaryOp::Mod,
];

/// An expression as a lambda holds it: operators, unary operators, calls, parentheses.
fn lambda_body() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(3, 24, 3, |inner| {
        prop_oneof![
            (prop::sample::select(BINARY_OPS), inner.clone(), inner.clone(), any::<bool>()).prop_map(
                |(op, lhs, rhs, parens)| expr(ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs), parens })
            ),
            (prop::sample::select(vec![BinaryOp::RegexMatch, BinaryOp::RegexNotMatch]), inner.clone(), regex())
                .prop_map(|(op, lhs, rhs)| expr(ExprKind::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                    parens: false
                })),
            (prop::sample::select(vec![UnaryOp::Neg, UnaryOp::Not]), inner.clone()).prop_map(|(op, operand)| {
                // A unary operator applies to one primary: never directly to another unary.
                let operand = match operand.kind {
                    ExprKind::Unary { operand, .. } => *operand,
                    _ => operand,
                };
                expr(ExprKind::Unary { op, operand: Box::new(operand) })
            }),
            (name(), prop::collection::vec(inner, 0..3))
                .prop_map(|(name, args)| expr(ExprKind::Call { name: ident(&name), args })),
        ]
    })
}

/// A chain: an identifier or call, then links.
fn chain(args: BoxedStrategy<Vec<Expr>>) -> impl Strategy<Value = Expr> {
    let target = prop_oneof![
        name().prop_map(|n| expr(ExprKind::Ident(n))),
        (name(), args.clone()).prop_map(|(n, args)| expr(ExprKind::Call { name: ident(&n), args })),
    ];
    let link = (prop::sample::select(vec![ChainOp::Pipe, ChainOp::Dot, ChainOp::At]), name(), prop::option::of(args));
    (target, prop::collection::vec(link, 1..4)).prop_map(|(target, links)| {
        links.into_iter().fold(target, |target, (op, name, args)| {
            // `|` links are always calls.
            let args = if op == ChainOp::Pipe { Some(args.unwrap_or_default()) } else { args };
            expr(ExprKind::Chain { target: Box::new(target), op, name: ident(&name), args })
        })
    })
}

/// What a `var` or an argument can hold.
fn value() -> impl Strategy<Value = Expr> {
    let simple = prop_oneof![
        4 => lambda_body(),
        2 => lambda_body().prop_map(|body| expr(ExprKind::Lambda(Box::new(body)))),
        1 => regex(),
        1 => prop::collection::vec(
            prop_oneof![
                name().prop_map(ExprKind::Ident),
                "[a-z ']{0,4}".prop_map(|value| ExprKind::Str { value, triple: false }),
                Just(ExprKind::Star),
            ]
            .prop_map(expr),
            0..4
        )
        .prop_map(|items| expr(ExprKind::List(items))),
    ];
    simple.prop_recursive(2, 16, 3, |inner| chain(prop::collection::vec(inner, 0..3).boxed()))
}

fn statement() -> impl Strategy<Value = Statement> {
    let span = Span::default();
    prop_oneof![
        (name(), value()).prop_map(move |(n, value)| Statement::Var { name: ident(&n), value, span }),
        (name(), prop::sample::select(vec!["int", "float", "duration", "lambda", "string", "list"]))
            .prop_map(move |(n, ty)| Statement::TypedVar { name: ident(&n), ty: ident(ty), span }),
        ("[a-z]{1,5}", "[a-z]{1,5}").prop_map(move |(db, rp)| Statement::Dbrp {
            database: Reference { name: db, span },
            retention_policy: Reference { name: rp, span },
            span
        }),
        chain(prop::collection::vec(value(), 0..3).boxed()).prop_map(Statement::Expr),
    ]
}

fn program() -> impl Strategy<Value = Program> {
    prop::collection::vec(statement(), 0..5).prop_map(|statements| {
        let mut program = Program { statements, comments: vec![] };
        program.statements.iter_mut().for_each(mark_needed_parens);
        program
    })
}

/// Marks the parentheses the grammar needs, as the parser would record them: around a binary
/// operand that binds more loosely than its operator (or as loosely, on the right) and around a
/// binary under a unary operator.
fn mark_needed_parens(statement: &mut Statement) {
    fn mark(e: &mut Expr, needed: bool) {
        match &mut e.kind {
            ExprKind::Binary { op, lhs, rhs, parens } => {
                *parens |= needed;
                let p = op.precedence();
                let lhs_needed = matches!(&lhs.kind, ExprKind::Binary { op, .. } if op.precedence() < p);
                let rhs_needed = matches!(&rhs.kind, ExprKind::Binary { op, .. } if op.precedence() <= p);
                mark(lhs, lhs_needed);
                mark(rhs, rhs_needed);
            }
            ExprKind::Unary { operand, .. } => mark(operand, true),
            ExprKind::Lambda(body) => mark(body, false),
            ExprKind::List(items) => items.iter_mut().for_each(|i| mark(i, false)),
            ExprKind::Call { args, .. } => args.iter_mut().for_each(|a| mark(a, false)),
            ExprKind::Chain { target, args, .. } => {
                mark(target, false);
                args.iter_mut().flatten().for_each(|a| mark(a, false));
            }
            _ => {}
        }
    }
    match statement {
        Statement::Var { value, .. } => mark(value, false),
        Statement::Expr(e) => mark(e, false),
        Statement::TypedVar { .. } | Statement::Dbrp { .. } => {}
    }
}

/// `text` with a comment before or after some of its lines (`choices` cycles over the lines:
/// 0 none, 1 a comment line before, 2 a comment at the end of the line).
fn with_comments(text: &str, choices: &[u8]) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let choice = if choices.is_empty() { 0 } else { choices[i % choices.len()] };
        if choice == 1 {
            out.push_str(&format!("// before {i}\n"));
        }
        out.push_str(line);
        if choice == 2 {
            out.push_str(&format!(" //after {i}  "));
        }
        out.push('\n');
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn formatted_trees_read_back_and_keep_the_contract(
        program in program(),
        choices in prop::collection::vec(0u8..3, 0..12),
    ) {
        let text = format(&program, "");
        let reparsed = parse_clean(&text);
        prop_assert_eq!(without_spans(&reparsed), without_spans(&program), "formatted:\n{}", text);
        assert_contract(&text);

        let commented = with_comments(&text, &choices);
        prop_assert_eq!(without_spans(&parse_clean(&commented)), without_spans(&program));
        assert_contract(&commented);
    }
}
