//! Evaluation of expressions outside lambdas, to the values Kapacitor computes when it
//! evaluates a script: literals, lists, vars, `time()` dimensions, constant operators, and
//! chains, which build nodes.

use super::{Checker, quoting};
use crate::ast::{Expr, ExprKind, Ident};
use crate::catalogue;
use crate::diagnostic::Diagnostic;
use crate::ir::Value;
use crate::span::Span;

impl Checker<'_> {
    /// The value of an expression; `None` after an error (reported).
    pub(super) fn eval(&mut self, expr: &Expr) -> Option<Value> {
        match &expr.kind {
            ExprKind::Int { value, .. } => Some(Value::Int(*value)),
            ExprKind::Float(value) => Some(Value::Float(*value)),
            ExprKind::Duration { nanos, .. } => Some(Value::Duration(*nanos)),
            ExprKind::Str { value, .. } => Some(Value::String(value.clone())),
            ExprKind::Bool(value) => Some(Value::Bool(*value)),
            ExprKind::Star => Some(Value::Star),
            // The parser has compiled it already.
            ExprKind::Regex(source) => Some(Value::Regex(source.clone())),
            ExprKind::Reference(name) => {
                self.report(quoting::reference_as_string(name, expr.span));
                None
            }
            ExprKind::Ident(name) => self.lookup(name, expr.span),
            ExprKind::List(items) => {
                let values: Vec<Option<Value>> = items.iter().map(|item| self.eval(item)).collect();
                values
                    .into_iter()
                    .collect::<Option<Vec<_>>>()
                    .map(Value::List)
            }
            ExprKind::Lambda(body) => self.lambda(body, expr.span).map(Value::Lambda),
            ExprKind::Unary { .. } | ExprKind::Binary { .. } => self.fold_constant(expr),
            ExprKind::Call { name, args } => self.global_call(name, args, expr.span),
            ExprKind::Chain { .. } => self.eval_chain(expr).map(|cursor| Value::Node(cursor.node)),
        }
    }

    /// A call outside a chain and outside a lambda: only `time(every[, offset])`, the
    /// dimension of a query's `groupBy`, exists there.
    fn global_call(&mut self, name: &Ident, args: &[Expr], span: Span) -> Option<Value> {
        let values: Vec<Option<Value>> = args.iter().map(|a| self.eval(a)).collect();
        if name.name != "time" {
            let mut diagnostic = Diagnostic::error(
                "undefined",
                name.span,
                format!("no function `{}` here", name.name),
            )
            .with_hint("outside a lambda the only function is time(), for a query's groupBy");
            if catalogue::function(&name.name).is_some() {
                diagnostic = diagnostic.with_hint(format!(
                    "`{}()` is a lambda function: use it inside `lambda: ...`",
                    name.name
                ));
            }
            self.report(diagnostic);
            return None;
        }
        let durations: Vec<i64> = values
            .iter()
            .zip(args)
            .filter_map(|(value, arg)| match value {
                Some(Value::Duration(d)) => Some(*d),
                Some(_) => {
                    self.report(Diagnostic::error(
                        "argument-type",
                        arg.span,
                        "time() takes durations: `time(1m)`, `time(1m, 30s)`",
                    ));
                    None
                }
                None => None,
            })
            .collect();
        if durations.len() != values.len() {
            return None;
        }
        match durations[..] {
            [every] => Some(Value::TimeDimension { every, offset: 0 }),
            [every, offset] => Some(Value::TimeDimension { every, offset }),
            _ => {
                self.report(Diagnostic::error(
                    "argument-count",
                    span,
                    format!("time() takes 1 or 2 durations, got {}", durations.len()),
                ));
                None
            }
        }
    }
}
