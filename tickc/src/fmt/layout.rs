//! Line-break decisions the formatter takes from the source: a call's arguments and a binary
//! expression's operands go on separate lines when the script wrote them that way.

use crate::ast::{Expr, ExprKind, Ident};

/// Whether the source has a line break somewhere in the byte range `from..to`.
pub(super) fn newline_between(source: &str, from: usize, to: usize) -> bool {
    source.as_bytes().get(from..to).is_some_and(|gap| gap.contains(&b'\n'))
}

/// Whether a call's arguments go one per line: the source broke the line between the call's
/// name and its last argument (Kapacitor's rule).
///
/// An argument other than the last that holds a chain also forces it: chain links always start
/// new lines, so printing the call on one line would not read back the same way.
pub(super) fn call_is_multiline(source: &str, name: &Ident, args: &[Expr]) -> bool {
    let Some((last, others)) = args.split_last() else {
        return false;
    };
    newline_between(source, name.span.start, last.span.start) || others.iter().any(contains_chain)
}

/// Whether a chain link appears anywhere in the expression.
fn contains_chain(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Chain { .. } => true,
        ExprKind::List(items) => items.iter().any(contains_chain),
        ExprKind::Call { args, .. } => args.iter().any(contains_chain),
        ExprKind::Lambda(body) => contains_chain(body),
        ExprKind::Unary { operand, .. } => contains_chain(operand),
        ExprKind::Binary { lhs, rhs, .. } => contains_chain(lhs) || contains_chain(rhs),
        ExprKind::Int { .. }
        | ExprKind::Float(_)
        | ExprKind::Duration { .. }
        | ExprKind::Str { .. }
        | ExprKind::Reference(_)
        | ExprKind::Regex(_)
        | ExprKind::Bool(_)
        | ExprKind::Star
        | ExprKind::Ident(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::ChainOp;
    use crate::span::Span;

    fn at(source: &str, text: &str, kind: ExprKind) -> Expr {
        let start = source.find(text).unwrap();
        Expr::new(kind, Span::new(start, start + text.len()))
    }

    fn ident(source: &str, name: &str) -> Ident {
        let start = source.find(name).unwrap();
        Ident { name: name.into(), span: Span::new(start, start + name.len()) }
    }

    #[test]
    fn newline_between_is_bounds_safe() {
        assert!(newline_between("a\nb", 0, 3));
        assert!(!newline_between("a\nb", 2, 3));
        assert!(!newline_between("a\nb", 2, 99));
        assert!(!newline_between("a\nb", 3, 1));
    }

    #[test]
    fn multiline_follows_the_break_before_the_last_argument() {
        let src = "f(1,\n 2)";
        let args = [
            at(src, "1", ExprKind::Int { value: 1, octal: false }),
            at(src, "2", ExprKind::Int { value: 2, octal: false }),
        ];
        assert!(call_is_multiline(src, &ident(src, "f"), &args));
        assert!(!call_is_multiline(src, &ident(src, "f"), &args[..1]));
        assert!(!call_is_multiline(src, &ident(src, "f"), &[]));
    }

    #[test]
    fn a_chain_before_the_last_argument_forces_multiline() {
        let src = "f(a|b(), c)";
        let target = at(src, "a", ExprKind::Ident("a".into()));
        let chain = at(
            src,
            "a|b()",
            ExprKind::Chain { target: Box::new(target), op: ChainOp::Pipe, name: ident(src, "b"), args: Some(vec![]) },
        );
        let last = at(src, "c", ExprKind::Ident("c".into()));
        assert!(call_is_multiline(src, &ident(src, "f"), &[chain.clone(), last.clone()]));
        assert!(!call_is_multiline(src, &ident(src, "f"), &[last, chain]));
    }
}
