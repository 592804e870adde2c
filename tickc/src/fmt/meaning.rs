//! Comparing trees by meaning: spans and comments removed, everything else kept. The
//! formatter's contract is that its output parses to the same tree by this measure (its tests
//! and the `frontend` fuzz target check it).

use crate::ast::{Expr, ExprKind, Program, Statement};
use crate::span::Span;

/// A copy of `program` with every span zeroed and no comments, so that `==` compares what the
/// script means and how it is spelled, not where it sits.
pub fn without_spans(program: &Program) -> Program {
    let mut copy = program.clone();
    copy.comments.clear();
    for statement in &mut copy.statements {
        match statement {
            Statement::Var { name, value, span } => {
                name.span = Span::default();
                clear_expr(value);
                *span = Span::default();
            }
            Statement::TypedVar { name, ty, span } => {
                name.span = Span::default();
                ty.span = Span::default();
                *span = Span::default();
            }
            Statement::Dbrp { database, retention_policy, span } => {
                database.span = Span::default();
                retention_policy.span = Span::default();
                *span = Span::default();
            }
            Statement::Expr(expr) => clear_expr(expr),
        }
    }
    copy
}

fn clear_expr(expr: &mut Expr) {
    expr.span = Span::default();
    match &mut expr.kind {
        ExprKind::List(items) => items.iter_mut().for_each(clear_expr),
        ExprKind::Lambda(body) => clear_expr(body),
        ExprKind::Unary { operand, .. } => clear_expr(operand),
        ExprKind::Binary { lhs, rhs, .. } => {
            clear_expr(lhs);
            clear_expr(rhs);
        }
        ExprKind::Call { name, args } => {
            name.span = Span::default();
            args.iter_mut().for_each(clear_expr);
        }
        ExprKind::Chain { target, name, args, .. } => {
            clear_expr(target);
            name.span = Span::default();
            args.iter_mut().flatten().for_each(clear_expr);
        }
        ExprKind::Int { .. }
        | ExprKind::Float(_)
        | ExprKind::Duration { .. }
        | ExprKind::Str { .. }
        | ExprKind::Reference(_)
        | ExprKind::Regex(_)
        | ExprKind::Bool(_)
        | ExprKind::Star
        | ExprKind::Ident(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::parse_clean;
    use super::without_spans;

    #[test]
    fn layout_does_not_matter_but_content_does() {
        let a = parse_clean("var x = stream|from().measurement('cpu')");
        let b = parse_clean("// c\nvar   x =\n stream\n    |from()\n        .measurement('cpu')\n");
        let c = parse_clean("var x = stream|from().measurement('mem')");
        let d = parse_clean("var x = (1 + 2)");
        let e = parse_clean("var x = 1 + 2");
        assert_eq!(without_spans(&a), without_spans(&b));
        assert_ne!(without_spans(&a), without_spans(&c));
        assert_ne!(without_spans(&d), without_spans(&e));
    }
}
