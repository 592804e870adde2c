//! The single- vs double-quote trap: `'text'` is a string, `"name"` a field or tag reference.
//! These build the diagnostics for the two ways it shows: a reference where a string value is
//! needed (an error, as in Kapacitor), and two references compared inside a lambda (a warning:
//! legal, but usually a value written with the wrong quotes). The warning is left out when
//! the right-hand name is used as a field elsewhere in the script (`"a" AND "b"`, then
//! `"a" == "b"`): then comparing two fields is what was meant.

use std::collections::BTreeSet;

use crate::ast::{BinaryOp, Expr, ExprKind, Program, Statement};
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// `name` as a single-quoted string literal.
pub(super) fn single_quoted(name: &str) -> String {
    format!("'{}'", name.replace('\'', "\\'"))
}

/// A `"name"` outside a lambda, where only values make sense.
pub(super) fn reference_as_string(name: &str, span: Span) -> Diagnostic {
    let literal = single_quoted(name);
    Diagnostic::error(
        "quoting",
        span,
        format!("a double-quoted \"{name}\" is a field reference; strings take single quotes"),
    )
    .with_label("a field or tag reference")
    .with_hint(
        "double quotes name a field or tag inside a lambda; everywhere else they are a mistake",
    )
    .with_fix(span, literal.clone(), format!("write {literal}"))
}

/// `"a" == "b"` inside a lambda: both sides are fields or tags of the point.
pub(super) fn compared_references(lhs: &str, rhs: &str, rhs_span: Span) -> Diagnostic {
    let literal = single_quoted(rhs);
    Diagnostic::warning(
        "quoting",
        rhs_span,
        format!(
            "\"{lhs}\" is compared with the field or tag \"{rhs}\", not with the string {literal}"
        ),
    )
    .with_label("a field or tag reference")
    .with_hint("double quotes name a field or tag; string values take single quotes")
    .with_fix(
        rhs_span,
        literal.clone(),
        format!("compare with the string {literal}"),
    )
}

/// The names the script uses as fields or tags, leaving out the right-hand side of
/// `"a" == "b"` comparisons, which are what the lint questions.
pub(super) fn field_names(program: &Program) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for statement in &program.statements {
        match statement {
            Statement::Var { value, .. } => collect(value, &mut names),
            Statement::Expr(expr) => collect(expr, &mut names),
            Statement::TypedVar { .. } | Statement::Dbrp { .. } => {}
        }
    }
    names
}

fn collect(expr: &Expr, names: &mut BTreeSet<String>) {
    match &expr.kind {
        ExprKind::Reference(name) => {
            names.insert(name.clone());
        }
        ExprKind::Binary {
            op: BinaryOp::Eq | BinaryOp::Ne,
            lhs,
            rhs,
            ..
        } if matches!(
            (&lhs.kind, &rhs.kind),
            (ExprKind::Reference(_), ExprKind::Reference(_))
        ) =>
        {
            collect(lhs, names);
        }
        ExprKind::Binary { lhs, rhs, .. } => {
            collect(lhs, names);
            collect(rhs, names);
        }
        ExprKind::Unary { operand, .. } => collect(operand, names),
        ExprKind::Lambda(body) => collect(body, names),
        ExprKind::List(items) => items.iter().for_each(|item| collect(item, names)),
        ExprKind::Call { args, .. } => args.iter().for_each(|arg| collect(arg, names)),
        ExprKind::Chain { target, args, .. } => {
            collect(target, names);
            args.iter().flatten().for_each(|arg| collect(arg, names));
        }
        _ => {}
    }
}
