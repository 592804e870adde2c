//! The task kind (stream or batch), read from the root identifier of every pipeline, as
//! Kapacitor infers it before evaluating anything.

use crate::ast::{Expr, ExprKind, Program, Statement};
use crate::catalogue::Edge;
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// The kind every top-level chain starts from, or why there is none.
pub(super) fn infer(program: &Program, source: &str) -> Result<Edge, Box<Diagnostic>> {
    let roots: Vec<(Edge, Span)> = program
        .statements
        .iter()
        .filter_map(|statement| match statement {
            Statement::Var { value, .. } => root_of(value),
            Statement::Expr(expr) if matches!(expr.kind, ExprKind::Chain { .. }) => root_of(expr),
            _ => None,
        })
        .collect();
    let Some(&(kind, first_span)) = roots.first() else {
        let span = Span::new(
            0,
            source.len().min(source.find('\n').unwrap_or(source.len())),
        );
        let message = if program.statements.is_empty() {
            "the script is empty"
        } else {
            "the script has no pipeline: a task starts from `stream` or `batch`"
        };
        return Err(Box::new(Diagnostic::error("no-root", span, message)
            .with_hint("a stream task reads `stream|from()...`, a batch task `batch|query('SELECT ...')...`")));
    };
    if let Some(&(other, span)) = roots.iter().find(|(k, _)| *k != kind) {
        return Err(Box::new(
            Diagnostic::error(
                "mixed-task-kind",
                span,
                format!(
                    "this `{}` pipeline is in a `{}` task: a task is either stream or batch",
                    other.as_str(),
                    kind.as_str()
                ),
            )
            .with_label(format!("a {} pipeline", other.as_str()))
            .with_secondary(
                first_span,
                format!("the task is a {} task from here", kind.as_str()),
            )
            .with_hint("split the pipelines into two tasks"),
        ));
    }
    Ok(kind)
}

/// The leftmost identifier of a chain, when it is `stream` or `batch`.
fn root_of(expr: &Expr) -> Option<(Edge, Span)> {
    let mut expr = expr;
    while let ExprKind::Chain { target, .. } = &expr.kind {
        expr = target;
    }
    match &expr.kind {
        ExprKind::Ident(name) if name == "stream" => Some((Edge::Stream, expr.span)),
        ExprKind::Ident(name) if name == "batch" => Some((Edge::Batch, expr.span)),
        _ => None,
    }
}
