//! Arguments of chain methods, properties and handlers, checked against their catalogue
//! signature. Kapacitor sets them by reflection, so types must match exactly: an int is not
//! a float, a string is not a duration, and a "reference" is never a string.

use super::types::article;
use super::{Checker, lambda};
use crate::ast::{Expr, ExprKind};
use crate::catalogue::{ArgType, Signature};
use crate::diagnostic::Diagnostic;
use crate::ir::Value;
use crate::span::Span;

/// What is being called, for messages and for the predicate check.
#[derive(Debug, Clone, Copy)]
pub(super) struct Callee<'a> {
    /// The name of the node the call belongs to (`alert`), whose lambdas may be predicates.
    pub node: &'a str,
    /// The method, property or handler called (`crit`); the node's own name for its chain method.
    pub member: &'a str,
    /// How the call is written: `|` or `.`.
    pub op: &'a str,
}

impl Callee<'_> {
    fn display(&self) -> String {
        format!("`{}{}`", self.op, self.member)
    }
}

/// The fill options written as strings (a number is the other kind).
const FILL_OPTIONS: &[&str] = &["null", "none", "previous", "linear"];

impl Checker<'_> {
    /// Evaluates and checks a call's arguments; `None` when any is wrong (reported).
    pub(super) fn check_args(
        &mut self,
        callee: Callee<'_>,
        sig: &Signature,
        args: &[Expr],
        call_span: Span,
    ) -> Option<Vec<Value>> {
        let values = self.eval_args(args);
        let count = values.len();
        let min = sig.min_args();
        if count < min {
            let missing: Vec<&str> = sig.params[count..]
                .iter()
                .filter(|p| !p.optional)
                .map(|p| p.name)
                .collect();
            let all: Vec<&str> = sig.params.iter().map(|p| p.name).collect();
            self.report(
                Diagnostic::error(
                    "argument-count",
                    call_span,
                    format!(
                        "{} needs {min} argument{}, got {count}",
                        callee.display(),
                        if min == 1 { "" } else { "s" }
                    ),
                )
                .with_label(format!("missing {}", missing.join(", ")))
                .with_hint(format!(
                    "{}({})",
                    callee.display().trim_matches('`'),
                    all.join(", ")
                )),
            );
            return None;
        }
        if let Some(max) = sig.max_args()
            && count > max
        {
            let extra = values.get(max).map_or(call_span, |(_, span)| *span);
            self.report(Diagnostic::error(
                "argument-count",
                extra,
                format!(
                    "{} takes at most {max} argument{}, got {count}",
                    callee.display(),
                    if max == 1 { "" } else { "s" }
                ),
            ));
            return None;
        }
        let mut checked = Vec::with_capacity(count);
        let mut ok = true;
        for (index, (value, span)) in values.into_iter().enumerate() {
            let (name, ty) = match sig.params.get(index) {
                Some(param) => (param.name, param.ty),
                None => match sig.rest {
                    Some(ty) => ("", ty),
                    None => break,
                },
            };
            match value.and_then(|value| self.check_arg(callee, name, ty, value, span)) {
                Some(value) => checked.push(value),
                None => ok = false,
            }
        }
        ok.then_some(checked)
    }

    /// The arguments' values and spans. A single list argument spreads into the argument
    /// list, as in Kapacitor (`var tags = ['host', 'dc']` then `groupBy(tags)`).
    fn eval_args(&mut self, args: &[Expr]) -> Vec<(Option<Value>, Span)> {
        if let [only] = args {
            if let ExprKind::List(items) = &only.kind {
                return items
                    .iter()
                    .map(|item| (self.eval(item), item.span))
                    .collect();
            }
            return match self.eval(only) {
                Some(Value::List(items)) => items
                    .into_iter()
                    .map(|item| (Some(item), only.span))
                    .collect(),
                value => vec![(value, only.span)],
            };
        }
        args.iter().map(|arg| (self.eval(arg), arg.span)).collect()
    }

    fn check_arg(
        &mut self,
        callee: Callee<'_>,
        name: &str,
        ty: ArgType,
        value: Value,
        span: Span,
    ) -> Option<Value> {
        let fits = match (ty, &value) {
            (ArgType::Int, Value::Int(_))
            | (ArgType::Float, Value::Float(_))
            | (ArgType::Number, Value::Int(_) | Value::Float(_))
            | (ArgType::String, Value::String(_))
            | (ArgType::Bool, Value::Bool(_))
            | (ArgType::Duration, Value::Duration(_))
            | (ArgType::Lambda, Value::Lambda(_))
            | (ArgType::Regex, Value::Regex(_))
            | (ArgType::Star, Value::Star)
            | (ArgType::StringOrStar, Value::String(_) | Value::Star)
            | (ArgType::Dimension, Value::TimeDimension { .. } | Value::String(_) | Value::Star)
            | (ArgType::Fill, Value::Int(_) | Value::Float(_))
            | (ArgType::Node, Value::Node(_))
            | (
                ArgType::Scalar,
                Value::String(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_),
            )
            | (ArgType::IntOrDuration, Value::Int(_) | Value::Duration(_)) => true,
            (ArgType::Fill, Value::String(option)) => {
                if !FILL_OPTIONS.contains(&option.as_str()) {
                    self.report(
                        Diagnostic::error(
                            "argument-value",
                            span,
                            format!("`{option}` is not a fill option"),
                        )
                        .with_hint("fill takes 'null', 'none', 'previous', 'linear' or a number"),
                    );
                    return None;
                }
                true
            }
            _ => false,
        };
        if !fits {
            let diagnostic = self.mismatch(callee, name, ty, &value, span);
            self.report(diagnostic);
            return None;
        }
        if let Value::Lambda(lambda) = &value
            && lambda::is_predicate(callee.node, callee.member)
        {
            self.check_predicate(lambda, span, &callee.display());
        }
        Some(value)
    }

    fn mismatch(
        &self,
        callee: Callee<'_>,
        name: &str,
        ty: ArgType,
        value: &Value,
        span: Span,
    ) -> Diagnostic {
        let expected = describe(ty);
        let found = super::scope::type_name(value);
        // Single-argument properties call their parameter "value", which says nothing.
        let what = if name.is_empty() || name == "value" {
            String::new()
        } else {
            format!(" for `{name}`")
        };
        let diagnostic = Diagnostic::error(
            "argument-type",
            span,
            format!(
                "{} needs {expected}{what}, found {} {found}",
                callee.display(),
                article(found)
            ),
        )
        .with_label(format!("{} {found}", article(found)));
        let text = self.source.get(span.range()).unwrap_or("");
        match (ty, value) {
            (ArgType::Float, Value::Int(i)) => diagnostic
                .with_hint("Kapacitor does not turn an int into a float here")
                .with_fix(span, format!("{i}.0"), format!("write {i}.0")),
            (ArgType::Int, Value::Float(_)) => diagnostic.with_hint("a count is a whole number"),
            (ArgType::Lambda, Value::String(body)) if text.starts_with('\'') => diagnostic
                .with_hint("a lambda is written `lambda: expression`, without quotes")
                .with_fix(span, format!("lambda: {body}"), "write it as a lambda"),
            (ArgType::Duration, Value::String(literal))
                if is_duration_literal(literal) && text.starts_with('\'') =>
            {
                diagnostic
                    .with_hint("durations are written without quotes")
                    .with_fix(span, literal.clone(), format!("write {literal}"))
            }
            (ArgType::Duration, Value::Int(_)) => {
                diagnostic.with_hint("a duration needs a unit: `10s`, `5m`, `1h`")
            }
            (ArgType::String, Value::Lambda(_)) => {
                diagnostic.with_hint("strings take single quotes: 'text'")
            }
            _ => diagnostic,
        }
    }
}

fn describe(ty: ArgType) -> &'static str {
    match ty {
        ArgType::Int => "an int",
        ArgType::Float => "a float",
        ArgType::Number => "a number",
        ArgType::String => "a 'string'",
        ArgType::Bool => "TRUE or FALSE",
        ArgType::Duration => "a duration",
        ArgType::Lambda => "a lambda",
        ArgType::Regex => "a /regex/",
        ArgType::Star => "`*`",
        ArgType::StringOrStar => "a 'tag' name or `*`",
        ArgType::Dimension => "time(...), a 'tag' name or `*`",
        ArgType::Fill => "a fill option",
        ArgType::Node => "a node",
        ArgType::Scalar => "a string, int, float or bool",
        ArgType::IntOrDuration => "an int or a duration",
    }
}

/// `10s`, `5m`, `100ms`: what a duration literal looks like.
fn is_duration_literal(text: &str) -> bool {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0
        && matches!(
            &text[digits..],
            "u" | "µ" | "ms" | "s" | "m" | "h" | "d" | "w"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_literals_need_digits_and_one_unit() {
        assert!(is_duration_literal("5s"));
        assert!(is_duration_literal("100ms"));
        assert!(!is_duration_literal("s"));
        assert!(!is_duration_literal("5 s"));
        assert!(!is_duration_literal("1.5s"));
    }
}
