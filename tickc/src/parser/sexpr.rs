//! A compact, fully parenthesised rendering of the tree for tests: `((1 + (2 * 3)) - 4)`,
//! `[[a|b(1)].c]`, `{a + b}` for a binary the source parenthesised.

use crate::ast::{Expr, ExprKind, Program, Statement};

pub(super) fn program(program: &Program) -> String {
    program
        .statements
        .iter()
        .map(statement)
        .collect::<Vec<_>>()
        .join("; ")
}

pub(super) fn statement(statement: &Statement) -> String {
    match statement {
        Statement::Var { name, value, .. } => format!("var {} = {}", name.name, expr(value)),
        Statement::TypedVar { name, ty, .. } => format!("var {} {}", name.name, ty.name),
        Statement::Dbrp {
            database,
            retention_policy,
            ..
        } => {
            format!("dbrp {:?}.{:?}", database.name, retention_policy.name)
        }
        Statement::Expr(e) => expr(e),
    }
}

fn list(items: &[Expr]) -> String {
    items.iter().map(expr).collect::<Vec<_>>().join(", ")
}

pub(super) fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Int { value, octal: true } => format!("0{value:o}"),
        ExprKind::Int { value, .. } => value.to_string(),
        ExprKind::Float(x) => format!("{x:?}"),
        ExprKind::Duration { literal, .. } => literal.clone(),
        ExprKind::Str {
            value,
            triple: true,
        } => format!("'''{value}'''"),
        ExprKind::Str { value, .. } => format!("'{value}'"),
        ExprKind::Reference(name) => format!("{name:?}"),
        ExprKind::Regex(pattern) => format!("/{pattern}/"),
        ExprKind::Bool(b) => (if *b { "TRUE" } else { "FALSE" }).to_owned(),
        ExprKind::Star => "*".to_owned(),
        ExprKind::Ident(name) => name.clone(),
        ExprKind::List(items) => format!("[{}]", list(items)),
        ExprKind::Lambda(body) => format!("(lambda: {})", expr(body)),
        ExprKind::Unary { op, operand } => format!("({}{})", op.as_str(), expr(operand)),
        ExprKind::Binary {
            op,
            lhs,
            rhs,
            parens,
        } => {
            let (open, close) = if *parens { ('{', '}') } else { ('(', ')') };
            format!("{open}{} {} {}{close}", expr(lhs), op.as_str(), expr(rhs))
        }
        ExprKind::Call { name, args } => format!("{}({})", name.name, list(args)),
        ExprKind::Chain {
            target,
            op,
            name,
            args,
        } => {
            let args = args
                .as_ref()
                .map(|a| format!("({})", list(a)))
                .unwrap_or_default();
            format!("[{}{}{}{args}]", expr(target), op.as_str(), name.name)
        }
    }
}
