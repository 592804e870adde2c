//! Constant expressions outside lambdas (`var m = 'cpu: ' + string(warn)`, `5m * 2`):
//! Kapacitor evaluates them once, when the script is evaluated, with the lambda engine and no
//! point. This evaluates them with the same rules (Go's integer arithmetic included).

use std::cmp::Ordering;

use super::{Checker, quoting};
use crate::ast::{BinaryOp, Expr, UnaryOp};
use crate::diagnostic::Diagnostic;
use crate::ir::{TypedExpr, TypedExprKind, Value};
use crate::span::Span;

impl Checker<'_> {
    /// The value of an operator expression outside a lambda.
    pub(super) fn fold_constant(&mut self, expr: &Expr) -> Option<Value> {
        let errors_before = self.error_count();
        let typed = self.type_expr(expr)?;
        // A type error is already reported; folding would only say it again.
        if self.error_count() > errors_before {
            return None;
        }
        match fold(&typed) {
            Ok(value) => Some(value),
            Err(diagnostic) => {
                self.report(*diagnostic);
                None
            }
        }
    }
}

fn fold(expr: &TypedExpr) -> Result<Value, Box<Diagnostic>> {
    let span = expr.span;
    Ok(match &expr.kind {
        TypedExprKind::Int(v) => Value::Int(*v),
        TypedExprKind::Float(v) => Value::Float(*v),
        TypedExprKind::String(v) => Value::String(v.clone()),
        TypedExprKind::Bool(v) => Value::Bool(*v),
        TypedExprKind::Duration(v) => Value::Duration(*v),
        TypedExprKind::Regex(v) => Value::Regex(v.clone()),
        TypedExprKind::Reference(name) => {
            return Err(Box::new(quoting::reference_as_string(name, span)));
        }
        TypedExprKind::Unary { op, operand } => match (op, fold(operand)?) {
            (UnaryOp::Neg, Value::Int(v)) => Value::Int(v.wrapping_neg()),
            (UnaryOp::Neg, Value::Float(v)) => Value::Float(-v),
            (UnaryOp::Neg, Value::Duration(v)) => Value::Duration(v.wrapping_neg()),
            (UnaryOp::Not, Value::Bool(v)) => Value::Bool(!v),
            (op, value) => {
                return Err(error(
                    span,
                    format!(
                        "`{}` does not apply to a {}",
                        op.as_str(),
                        super::scope::type_name(&value)
                    ),
                ));
            }
        },
        TypedExprKind::Binary { op, lhs, rhs } => binary(*op, fold(lhs)?, fold(rhs)?, span)?,
        TypedExprKind::Call { function, args, .. } => {
            let values = args.iter().map(fold).collect::<Result<Vec<_>, _>>()?;
            convert(function.name, &values, span)?
        }
        TypedExprKind::UnknownCall { name, .. } => {
            return Err(error(span, format!("unknown function `{name}`")));
        }
    })
}

fn error(span: Span, message: String) -> Box<Diagnostic> {
    Box::new(Diagnostic::error("constant", span, message))
}

fn binary(op: BinaryOp, lhs: Value, rhs: Value, span: Span) -> Result<Value, Box<Diagnostic>> {
    use BinaryOp::*;
    use Value::{Bool, Duration, Float, Int, Regex, String};
    let zero = || error(span, "division by zero".to_owned());
    Ok(match (op, lhs, rhs) {
        (And, Bool(a), Bool(b)) => Bool(a && b),
        (Or, Bool(a), Bool(b)) => Bool(a || b),
        (Eq, Bool(a), Bool(b)) => Bool(a == b),
        (Ne, Bool(a), Bool(b)) => Bool(a != b),
        (RegexMatch | RegexNotMatch, String(s), Regex(re)) => {
            let re =
                regex::Regex::new(&re).map_err(|e| error(span, format!("invalid regex: {e}")))?;
            Bool(re.is_match(&s) == (op == RegexMatch))
        }
        (Eq | Ne | Lt | Le | Gt | Ge, l, r) if compare(&l, &r).is_some() || is_nan_pair(&l, &r) => {
            let ordering = compare(&l, &r);
            Bool(match op {
                Eq => ordering == Some(Ordering::Equal),
                Ne => ordering != Some(Ordering::Equal),
                Lt => ordering == Some(Ordering::Less),
                Le => matches!(ordering, Some(Ordering::Less | Ordering::Equal)),
                Gt => ordering == Some(Ordering::Greater),
                _ => matches!(ordering, Some(Ordering::Greater | Ordering::Equal)),
            })
        }
        (Add, Int(a), Int(b)) => Int(a.wrapping_add(b)),
        (Sub, Int(a), Int(b)) => Int(a.wrapping_sub(b)),
        (Mul, Int(a), Int(b)) => Int(a.wrapping_mul(b)),
        (Div, Int(a), Int(b)) => Int(go_div(a, b).ok_or_else(zero)?),
        (Mod, Int(a), Int(b)) => Int((b != 0).then(|| a.wrapping_rem(b)).ok_or_else(zero)?),
        (Add, Float(a), Float(b)) => Float(a + b),
        (Sub, Float(a), Float(b)) => Float(a - b),
        (Mul, Float(a), Float(b)) => Float(a * b),
        (Div, Float(a), Float(b)) => Float(a / b),
        (Add, String(a), String(b)) => String(a + &b),
        (Add, Duration(a), Duration(b)) => Duration(a.wrapping_add(b)),
        (Sub, Duration(a), Duration(b)) => Duration(a.wrapping_sub(b)),
        (Mul, Duration(d), Int(n)) | (Mul, Int(n), Duration(d)) => Duration(d.wrapping_mul(n)),
        // Go converts through float64 and truncates toward zero.
        (Mul, Duration(d), Float(f)) | (Mul, Float(f), Duration(d)) => {
            Duration((d as f64 * f) as i64)
        }
        (Div, Duration(d), Int(n)) => Duration(go_div(d, n).ok_or_else(zero)?),
        (Div, Duration(d), Float(f)) => Duration((d as f64 / f) as i64),
        (Div, Duration(a), Duration(b)) => Int(go_div(a, b).ok_or_else(zero)?),
        (op, l, r) => {
            return Err(error(
                span,
                format!(
                    "`{}` does not apply to a {} and a {}",
                    op.as_str(),
                    super::scope::type_name(&l),
                    super::scope::type_name(&r)
                ),
            ));
        }
    })
}

/// Go's integer division: truncates toward zero, wraps on overflow, fails on zero.
fn go_div(a: i64, b: i64) -> Option<i64> {
    (b != 0).then(|| a.wrapping_div(b))
}

/// Two floats of which one is NaN: comparable types, but unordered.
fn is_nan_pair(lhs: &Value, rhs: &Value) -> bool {
    matches!((lhs, rhs), (Value::Float(a), Value::Float(b)) if a.is_nan() || b.is_nan())
}

/// Ordering of two comparable values (numbers mix, as in Kapacitor's comparisons).
fn compare(lhs: &Value, rhs: &Value) -> Option<Ordering> {
    match (lhs, rhs) {
        (Value::Int(a), Value::Int(b)) | (Value::Duration(a), Value::Duration(b)) => Some(a.cmp(b)),
        (Value::Float(a), Value::Float(b)) => a.partial_cmp(b),
        (Value::Int(a), Value::Float(b)) => (*a as f64).partial_cmp(b),
        (Value::Float(a), Value::Int(b)) => a.partial_cmp(&(*b as f64)),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

/// The conversion functions, the builtins constant expressions use in practice.
fn convert(name: &str, args: &[Value], span: Span) -> Result<Value, Box<Diagnostic>> {
    let bad = |value: &Value| error(span, format!("cannot convert {value:?} with {name}()"));
    Ok(match (name, args) {
        ("string", [value]) => Value::String(match value {
            Value::String(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            // Rust prints floats like Go's 'f' format with the shortest precision: no exponent.
            Value::Float(f) => f.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Duration(d) => format_duration(*d),
            other => return Err(bad(other)),
        }),
        ("int", [value]) => Value::Int(match value {
            Value::Int(i) => *i,
            Value::Float(f) => *f as i64,
            Value::Bool(b) => i64::from(*b),
            Value::String(s) => s.parse().map_err(|_| bad(value))?,
            other => return Err(bad(other)),
        }),
        ("float", [value]) => Value::Float(match value {
            Value::Float(f) => *f,
            Value::Int(i) => *i as f64,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::String(s) => s.parse().map_err(|_| bad(value))?,
            other => return Err(bad(other)),
        }),
        ("bool", [value]) => Value::Bool(match value {
            Value::Bool(b) => *b,
            Value::String(s) => match s.as_str() {
                "1" | "t" | "T" | "TRUE" | "true" | "True" => true,
                "0" | "f" | "F" | "FALSE" | "false" | "False" => false,
                _ => return Err(bad(value)),
            },
            Value::Int(0) => false,
            Value::Int(1) => true,
            Value::Float(f) if *f == 0.0 => false,
            Value::Float(f) if *f == 1.0 => true,
            other => return Err(bad(other)),
        }),
        _ => {
            return Err(Box::new(Diagnostic::error(
                "unsupported",
                span,
                format!(
                    "tickc evaluates only string(), int(), float() and bool() outside a lambda, not {name}()"
                ),
            )));
        }
    })
}

/// A duration as InfluxQL writes it: the largest unit that divides it exactly.
fn format_duration(nanos: i64) -> String {
    const UNITS: &[(i64, &str)] = &[
        (7 * 24 * 3_600_000_000_000, "w"),
        (24 * 3_600_000_000_000, "d"),
        (3_600_000_000_000, "h"),
        (60_000_000_000, "m"),
        (1_000_000_000, "s"),
        (1_000_000, "ms"),
        (1_000, "u"),
    ];
    if nanos == 0 {
        return "0s".to_owned();
    }
    UNITS
        .iter()
        .find(|(unit, _)| nanos % unit == 0)
        .map_or_else(
            || format!("{nanos}ns"),
            |(unit, suffix)| format!("{}{suffix}", nanos / unit),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_format_with_their_largest_unit() {
        assert_eq!(format_duration(0), "0s");
        assert_eq!(format_duration(90_000_000_000), "90s");
        assert_eq!(format_duration(300_000_000_000), "5m");
        assert_eq!(format_duration(14 * 24 * 3_600_000_000_000), "2w");
        assert_eq!(format_duration(1_500), "1500ns");
    }

    #[test]
    fn integer_arithmetic_follows_go() {
        let span = Span::new(0, 0);
        assert_eq!(
            binary(BinaryOp::Div, Value::Int(-7), Value::Int(3), span),
            Ok(Value::Int(-2))
        );
        assert_eq!(
            binary(BinaryOp::Mod, Value::Int(-7), Value::Int(3), span),
            Ok(Value::Int(-1))
        );
        assert!(binary(BinaryOp::Div, Value::Int(1), Value::Int(0), span).is_err());
        assert_eq!(
            binary(
                BinaryOp::Div,
                Value::Duration(300),
                Value::Duration(120),
                span
            ),
            Ok(Value::Int(2))
        );
        assert_eq!(
            binary(BinaryOp::Gt, Value::Int(7), Value::Float(6.5), span),
            Ok(Value::Bool(true))
        );
    }
}
