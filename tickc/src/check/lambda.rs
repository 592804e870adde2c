//! Lambda expressions: typed into [`TypedExpr`] trees, with vars substituted by their values
//! and functions resolved against the catalogue.
//!
//! Kapacitor compiles a lambda when the task starts and rejects it only for an operator whose
//! operand types are fixed without looking at any point (literals, and operators over them);
//! everything that depends on a field fails point by point at run time. So such a mismatch is
//! an error here, and any other certain mismatch (a function's result, the time) a warning.

use super::types::{self, TypeSet};
use super::{Checker, operators, quoting};
use crate::ast::{BinaryOp, Expr, ExprKind, UnaryOp};
use crate::catalogue::{self, FUNCTIONS, FunctionSpec, ValueType, did_you_mean};
use crate::diagnostic::Diagnostic;
use crate::ir::{Lambda, StaticType, TypedExpr, TypedExprKind, Value};
use crate::span::Span;

/// Lambda-taking members whose lambda is a predicate: Kapacitor evaluates it as a bool.
/// (node name, member): the member is the node's own name for a chain method's arguments.
const PREDICATES: &[(&str, &str)] = &[
    ("where", "where"),
    ("from", "where"),
    ("alert", "info"),
    ("alert", "warn"),
    ("alert", "crit"),
    ("alert", "infoReset"),
    ("alert", "warnReset"),
    ("alert", "critReset"),
    ("deadman", "info"),
    ("deadman", "warn"),
    ("deadman", "crit"),
    ("deadman", "infoReset"),
    ("deadman", "warnReset"),
    ("deadman", "critReset"),
    ("deadman", "deadman"),
    ("stateDuration", "stateDuration"),
    ("stateCount", "stateCount"),
    ("combine", "combine"),
];

pub(super) fn is_predicate(node: &str, member: &str) -> bool {
    PREDICATES.contains(&(node, member))
}

impl Checker<'_> {
    /// `lambda: body`, typed, with its stateful calls numbered.
    pub(super) fn lambda(&mut self, body: &Expr, span: Span) -> Option<Lambda> {
        let mut body = self.type_expr(body)?;
        number_state_slots(&mut body, &mut 0);
        Some(Lambda { body, span })
    }

    /// Warns when a predicate lambda certainly does not yield a bool.
    pub(super) fn check_predicate(&mut self, lambda: &Lambda, span: Span, member: &str) {
        if let StaticType::Known(ty) = lambda.body.ty
            && ty != ValueType::Bool
        {
            self.report(
                Diagnostic::warning(
                    "runtime-error",
                    span,
                    format!("this lambda yields a {}, but {member} needs a bool", ty.as_str()),
                )
                .with_label(format!("a {}", ty.as_str()))
                .with_hint("Kapacitor accepts the task and fails this expression on every point; compare the value, e.g. `\"value\" > 10`"),
            );
        }
    }

    /// Types an expression of the lambda language.
    pub(super) fn type_expr(&mut self, expr: &Expr) -> Option<TypedExpr> {
        let span = expr.span;
        let known = |kind, ty| {
            Some(TypedExpr {
                kind,
                ty: StaticType::Known(ty),
                span,
            })
        };
        match &expr.kind {
            ExprKind::Int { value, .. } => known(TypedExprKind::Int(*value), ValueType::Int),
            ExprKind::Float(value) => known(TypedExprKind::Float(*value), ValueType::Float),
            ExprKind::Duration { nanos, .. } => {
                known(TypedExprKind::Duration(*nanos), ValueType::Duration)
            }
            ExprKind::Str { value, .. } => {
                known(TypedExprKind::String(value.clone()), ValueType::String)
            }
            ExprKind::Bool(value) => known(TypedExprKind::Bool(*value), ValueType::Bool),
            // The parser has compiled it already.
            ExprKind::Regex(source) => {
                known(TypedExprKind::Regex(source.clone()), ValueType::Regex)
            }
            ExprKind::Reference(name) => {
                let ty = if name == "time" {
                    StaticType::Known(ValueType::Time)
                } else {
                    StaticType::Dynamic
                };
                Some(TypedExpr {
                    kind: TypedExprKind::Reference(name.clone()),
                    ty,
                    span,
                })
            }
            ExprKind::Ident(name) => self.substitute(name, span),
            ExprKind::Lambda(inner) => self.type_expr(inner),
            ExprKind::Unary { op, operand } => self.type_unary(*op, operand, span),
            ExprKind::Binary { op, lhs, rhs, .. } => self.type_binary(*op, lhs, rhs, span),
            ExprKind::Call { name, args } => self.type_call(&name.name, name.span, args, span),
            ExprKind::Star | ExprKind::List(_) | ExprKind::Chain { .. } => {
                let what = match expr.kind {
                    ExprKind::Star => "`*`",
                    ExprKind::List(_) => "a list",
                    _ => "a pipeline",
                };
                self.report(Diagnostic::error(
                    "lambda-value",
                    span,
                    format!("{what} cannot be used inside a lambda expression"),
                ));
                None
            }
        }
    }

    /// A var inside a lambda stands for its value, written as a literal (a lambda var for
    /// its expression), as Kapacitor substitutes it.
    fn substitute(&mut self, name: &str, span: Span) -> Option<TypedExpr> {
        if self.scope.get(name).is_none() && !matches!(name, "stream" | "batch") {
            let close = did_you_mean(name, self.scope.names()).map(str::to_owned);
            let mut diagnostic =
                Diagnostic::error("undefined", span, format!("`{name}` is not defined"));
            diagnostic = match close {
                Some(close) => diagnostic.with_fix(
                    span,
                    close.clone(),
                    format!("did you mean the var `{close}`?"),
                ),
                None => diagnostic
                    .with_hint("inside a lambda, fields and tags are double-quoted")
                    .with_fix(
                        span,
                        format!("\"{name}\""),
                        format!("refer to the field or tag \"{name}\""),
                    ),
            };
            self.report(diagnostic);
            return None;
        }
        let value = self.lookup(name, span)?;
        let literal = |kind, ty| {
            Some(TypedExpr {
                kind,
                ty: StaticType::Known(ty),
                span,
            })
        };
        match value {
            Value::Int(v) => literal(TypedExprKind::Int(v), ValueType::Int),
            Value::Float(v) => literal(TypedExprKind::Float(v), ValueType::Float),
            Value::String(v) => literal(TypedExprKind::String(v), ValueType::String),
            Value::Bool(v) => literal(TypedExprKind::Bool(v), ValueType::Bool),
            Value::Duration(v) => literal(TypedExprKind::Duration(v), ValueType::Duration),
            Value::Regex(v) => literal(TypedExprKind::Regex(v), ValueType::Regex),
            Value::Lambda(lambda) => Some(lambda.body),
            other => {
                self.report(Diagnostic::error(
                    "lambda-value",
                    span,
                    format!(
                        "`{name}` holds a {}, which cannot be used inside a lambda expression",
                        super::scope::type_name(&other)
                    ),
                ));
                None
            }
        }
    }

    fn type_unary(&mut self, op: UnaryOp, operand: &Expr, span: Span) -> Option<TypedExpr> {
        let operand = self.type_expr(operand)?;
        let from = types::possible(&operand);
        let mut result = TypeSet::default();
        for t in from.iter().filter_map(|t| operators::unary(op, t)) {
            result = result.with(t);
        }
        if !from.is_empty() && result.is_empty() {
            self.report(
                Diagnostic::warning(
                    "runtime-error",
                    span,
                    format!("`{}` does not apply to {}", op.as_str(), from.describe()),
                )
                .with_hint("Kapacitor accepts the task and fails this expression on every point"),
            );
        }
        let ty = if op == UnaryOp::Not {
            StaticType::Known(ValueType::Bool)
        } else {
            result.static_type()
        };
        Some(TypedExpr {
            kind: TypedExprKind::Unary {
                op,
                operand: Box::new(operand),
            },
            ty,
            span,
        })
    }

    fn type_binary(
        &mut self,
        op: BinaryOp,
        lhs_expr: &Expr,
        rhs_expr: &Expr,
        span: Span,
    ) -> Option<TypedExpr> {
        let lhs = self.type_expr(lhs_expr);
        let rhs = self.type_expr(rhs_expr);
        let (lhs, rhs) = (lhs?, rhs?);
        if let (BinaryOp::Eq | BinaryOp::Ne, ExprKind::Reference(l), ExprKind::Reference(r)) =
            (op, &lhs_expr.kind, &rhs_expr.kind)
            && !self.field_names.contains(r)
        {
            self.report(quoting::compared_references(l, r, rhs_expr.span));
        }
        let (left, right) = (types::possible(&lhs), types::possible(&rhs));
        let result = types::binary(op, left, right);
        if !left.is_empty() && !right.is_empty() && result.is_empty() {
            // Kapacitor compiles the operator when the task starts if both operand types are
            // fixed, and rejects the task then; otherwise every evaluation fails.
            let fixed = constant_type(&lhs).is_some() && constant_type(&rhs).is_some();
            let message = format!(
                "`{}` does not apply to {} and {}",
                op.as_str(),
                left.describe(),
                right.describe()
            );
            let mut diagnostic = if fixed {
                Diagnostic::error("type-mismatch", span, message)
                    .with_hint("Kapacitor rejects this expression when the task starts")
            } else {
                Diagnostic::warning("runtime-error", span, message).with_hint(
                    "Kapacitor accepts the task and fails this expression on every point",
                )
            };
            diagnostic = diagnostic
                .with_secondary(lhs.span, left.describe())
                .with_secondary(rhs.span, right.describe());
            if let Some(hint) = operators::mismatch_hint(op, lhs.ty, rhs.ty) {
                diagnostic = diagnostic.with_hint(hint);
            }
            if let (BinaryOp::RegexMatch | BinaryOp::RegexNotMatch, ExprKind::Str { value, .. }) =
                (op, &rhs_expr.kind)
            {
                let regex = format!("/{}/", value.replace('/', "\\/"));
                diagnostic = diagnostic.with_fix(
                    rhs_expr.span,
                    regex.clone(),
                    format!("match the regex {regex}"),
                );
            }
            self.report(diagnostic);
        }
        let ty = if operators::yields_bool(op) {
            StaticType::Known(ValueType::Bool)
        } else {
            result.static_type()
        };
        Some(TypedExpr {
            kind: TypedExprKind::Binary {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
            ty,
            span,
        })
    }

    fn type_call(
        &mut self,
        name: &str,
        name_span: Span,
        args: &[Expr],
        span: Span,
    ) -> Option<TypedExpr> {
        let typed: Vec<Option<TypedExpr>> = args.iter().map(|a| self.type_expr(a)).collect();
        let args: Vec<TypedExpr> = typed.into_iter().collect::<Option<_>>()?;
        let Some(function) = catalogue::function(name) else {
            let mut diagnostic = Diagnostic::warning(
                "unknown-function",
                name_span,
                format!("unknown function `{name}`"),
            )
            .with_hint("Kapacitor accepts the task and fails this expression on every point");
            if let Some(close) = did_you_mean(name, FUNCTIONS.iter().map(|f| f.name)) {
                diagnostic =
                    diagnostic.with_fix(name_span, close, format!("did you mean `{close}`?"));
            }
            self.report(diagnostic);
            return Some(TypedExpr {
                kind: TypedExprKind::UnknownCall {
                    name: name.to_owned(),
                    args,
                },
                ty: StaticType::Dynamic,
                span,
            });
        };
        self.check_since(function.since, &format!("`{name}()`"), name_span);
        let ty = self.call_type(function, &args, span);
        Some(TypedExpr {
            kind: TypedExprKind::Call {
                function,
                args,
                state_slot: None,
            },
            ty,
            span,
        })
    }

    /// The result type of a call: the return types of the signatures its arguments may
    /// match. A call that can match none is a run-time failure in Kapacitor.
    fn call_type(
        &mut self,
        function: &'static FunctionSpec,
        args: &[TypedExpr],
        span: Span,
    ) -> StaticType {
        let given: Vec<TypeSet> = args.iter().map(types::possible).collect();
        let mut returns = TypeSet::default();
        for sig in function.sigs {
            if sig.args.len() == given.len()
                && sig.args.iter().zip(&given).all(|(p, a)| a.contains(*p))
            {
                returns = returns.with(sig.returns);
            }
        }
        if returns.is_empty() && given.iter().all(|g| !g.is_empty()) {
            let accepted: Vec<String> = function
                .sigs
                .iter()
                .map(|s| {
                    format!(
                        "({})",
                        s.args
                            .iter()
                            .map(|t| t.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
                .collect();
            let given: Vec<String> = given.iter().map(|g| g.describe()).collect();
            self.report(
                Diagnostic::warning(
                    "runtime-error",
                    span,
                    format!(
                        "`{}` cannot be called with ({})",
                        function.name,
                        given.join("; ")
                    ),
                )
                .with_hint(format!("it takes {}", accepted.join(" or ")))
                .with_hint("Kapacitor accepts the task and fails this expression on every point"),
            );
        }
        returns.static_type()
    }
}

/// The type Kapacitor fixes for an expression without looking at any point: literals and
/// the operators over them (comparisons are always bool). `None` means it depends on data.
fn constant_type(expr: &TypedExpr) -> Option<ValueType> {
    match &expr.kind {
        TypedExprKind::Int(_)
        | TypedExprKind::Float(_)
        | TypedExprKind::String(_)
        | TypedExprKind::Bool(_)
        | TypedExprKind::Duration(_)
        | TypedExprKind::Regex(_) => match expr.ty {
            StaticType::Known(t) => Some(t),
            StaticType::Dynamic => None,
        },
        TypedExprKind::Reference(_)
        | TypedExprKind::Call { .. }
        | TypedExprKind::UnknownCall { .. } => None,
        TypedExprKind::Unary {
            op: UnaryOp::Not, ..
        } => Some(ValueType::Bool),
        TypedExprKind::Unary {
            op: UnaryOp::Neg,
            operand,
        } => constant_type(operand),
        TypedExprKind::Binary { op, lhs, rhs } => {
            if operators::yields_bool(*op) {
                Some(ValueType::Bool)
            } else {
                operators::binary(*op, constant_type(lhs)?, constant_type(rhs)?)
            }
        }
    }
}

/// Numbers the stateful calls of one lambda, left to right, so each gets its own state.
fn number_state_slots(expr: &mut TypedExpr, next: &mut usize) {
    match &mut expr.kind {
        TypedExprKind::Unary { operand, .. } => number_state_slots(operand, next),
        TypedExprKind::Binary { lhs, rhs, .. } => {
            number_state_slots(lhs, next);
            number_state_slots(rhs, next);
        }
        TypedExprKind::Call {
            function,
            args,
            state_slot,
        } => {
            for arg in args.iter_mut() {
                number_state_slots(arg, next);
            }
            *state_slot = function.stateful.then(|| {
                let slot = *next;
                *next += 1;
                slot
            });
        }
        TypedExprKind::UnknownCall { args, .. } => {
            for arg in args.iter_mut() {
                number_state_slots(arg, next);
            }
        }
        _ => {}
    }
}
