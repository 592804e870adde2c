//! Lambda operators with Kapacitor's typing: strict arithmetic (no int/float promotion), mixed
//! int/float comparisons, Go's integer semantics (wrapping, truncating division, `%` taking the
//! dividend's sign) and its duration arithmetic.

use std::borrow::Cow;
use std::fmt;

use super::error::{EvalError, Side};
use super::value::{Type, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `=~`
    RegexMatch,
    /// `!~`
    RegexNotMatch,
    And,
    Or,
}

impl BinaryOp {
    /// The family Kapacitor names in "invalid `<kind>` operator" errors.
    pub fn kind(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Add | Sub | Mul | Div | Mod => "math",
            Eq | Ne | Lt | Le | Gt | Ge | RegexMatch | RegexNotMatch => "comparison",
            And | Or => "logical",
        }
    }

    fn is_arithmetic(self) -> bool {
        self.kind() == "math"
    }
}

impl fmt::Display for BinaryOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use BinaryOp::*;
        f.write_str(match self {
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Mod => "%",
            Eq => "==",
            Ne => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            RegexMatch => "=~",
            RegexNotMatch => "!~",
            And => "AND",
            Or => "OR",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-`
    Neg,
    /// `!`
    Not,
}

impl fmt::Display for UnaryOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UnaryOp::Neg => "-",
            UnaryOp::Not => "!",
        })
    }
}

/// Whether some operand pairing gives `ty` the operator: Kapacitor's first check when an
/// operation has no implementation, deciding between "invalid operator" and "mismatched types".
fn type_has_operator(ty: Type, op: BinaryOp) -> bool {
    use BinaryOp::*;
    let comparison = matches!(op, Eq | Ne | Lt | Le | Gt | Ge);
    match ty {
        Type::Bool => matches!(op, And | Or | Eq | Ne),
        Type::Int => comparison || op.is_arithmetic(),
        Type::Float | Type::Duration => comparison || matches!(op, Add | Sub | Mul | Div),
        Type::String => comparison || matches!(op, Add | RegexMatch | RegexNotMatch),
        Type::Regex => matches!(op, RegexMatch | RegexNotMatch),
        Type::Time | Type::Missing => false,
    }
}

fn type_error(op: BinaryOp, left: Type, right: Type) -> EvalError {
    if type_has_operator(left, op) {
        EvalError::MismatchedTypes { left, op, right }
    } else {
        EvalError::InvalidOperator { op, ty: left }
    }
}

/// The error for a boolean-valued operator (comparison, regex match, logic) whose operands do not
/// fit: a missing reference is named first, as Kapacitor does for these operators.
#[cold]
fn predicate_error(op: BinaryOp, left: &Value, right: &Value) -> EvalError {
    match (left, right) {
        (Value::Missing(name), _) => EvalError::MissingOperand {
            side: Side::Left,
            name: (*name).to_owned(),
        },
        (_, Value::Missing(name)) => EvalError::MissingOperand {
            side: Side::Right,
            name: (*name).to_owned(),
        },
        _ => type_error(op, left.ty(), right.ty()),
    }
}

/// Evaluates any binary operator. `AND`/`OR` here evaluate both sides; callers that can skip the
/// right side use [`logical_operand`] instead.
pub fn binary<'a>(op: BinaryOp, left: Value<'a>, right: Value<'a>) -> Result<Value<'a>, EvalError> {
    if op.is_arithmetic() {
        arithmetic(op, left, right)
    } else {
        predicate(op, &left, &right).map(Value::Bool)
    }
}

/// Evaluates an operator whose result is a bool (comparisons, `=~`/`!~`, eager `AND`/`OR`)
/// without building a value. Given an arithmetic operator it computes it and requires a bool, so
/// it fails as a predicate such as `where(lambda: "a" + "b")` fails.
// Inlined into generated lambdas, where the operator and usually one operand are constants,
// so the comparison folds down to the operand types the data can bring.
#[inline]
pub fn predicate(op: BinaryOp, left: &Value, right: &Value) -> Result<bool, EvalError> {
    use BinaryOp::*;
    use std::cmp::Ordering;
    let ordering = match (left, right) {
        _ if op.is_arithmetic() => {
            return arithmetic(op, left.clone(), right.clone())?.into_predicate();
        }
        (Value::Bool(a), Value::Bool(b)) => {
            return match op {
                And => Ok(*a && *b),
                Or => Ok(*a || *b),
                Eq => Ok(a == b),
                Ne => Ok(a != b),
                _ => Err(predicate_error(op, left, right)),
            };
        }
        (Value::String(s), Value::Regex(re)) => {
            return match op {
                RegexMatch => Ok(re.is_match(s)),
                RegexNotMatch => Ok(!re.is_match(s)),
                _ => Err(predicate_error(op, left, right)),
            };
        }
        (Value::Int(a), Value::Int(b)) | (Value::Duration(a), Value::Duration(b)) => Some(a.cmp(b)),
        (Value::Float(a), Value::Float(b)) => a.partial_cmp(b),
        (Value::Int(a), Value::Float(b)) => (*a as f64).partial_cmp(b),
        (Value::Float(a), Value::Int(b)) => a.partial_cmp(&(*b as f64)),
        (Value::String(a), Value::String(b)) => Some(a.as_ref().cmp(b.as_ref())),
        _ => return Err(predicate_error(op, left, right)),
    };
    // A NaN compares unordered: every comparison but `!=` is false, as in Go.
    match op {
        Eq => Ok(ordering == Some(Ordering::Equal)),
        Ne => Ok(ordering != Some(Ordering::Equal)),
        Lt => Ok(ordering == Some(Ordering::Less)),
        Le => Ok(matches!(ordering, Some(Ordering::Less | Ordering::Equal))),
        Gt => Ok(ordering == Some(Ordering::Greater)),
        Ge => Ok(matches!(
            ordering,
            Some(Ordering::Greater | Ordering::Equal)
        )),
        _ => Err(predicate_error(op, left, right)),
    }
}

/// Reads one operand of `AND`/`OR` for a caller that short-circuits: evaluate the left side, stop
/// if it decides the result, else evaluate the right side.
pub fn logical_operand(op: BinaryOp, side: Side, operand: &Value) -> Result<bool, EvalError> {
    match (operand, side) {
        (Value::Bool(b), _) => Ok(*b),
        (Value::Missing(name), _) => Err(EvalError::MissingOperand {
            side,
            name: (*name).to_owned(),
        }),
        // The left side was a bool when the right one is read.
        (other, Side::Right) => Err(type_error(op, Type::Bool, other.ty())),
        (other, Side::Left) => Err(type_error(op, other.ty(), Type::Bool)),
    }
}

fn arithmetic<'a>(op: BinaryOp, left: Value<'a>, right: Value<'a>) -> Result<Value<'a>, EvalError> {
    use BinaryOp::*;
    use Value::{Duration, Float, Int};
    Ok(match (op, left, right) {
        (Add, Float(a), Float(b)) => Float(a + b),
        (Sub, Float(a), Float(b)) => Float(a - b),
        (Mul, Float(a), Float(b)) => Float(a * b),
        (Div, Float(a), Float(b)) => Float(a / b),
        (Add, Int(a), Int(b)) => Int(a.wrapping_add(b)),
        (Sub, Int(a), Int(b)) => Int(a.wrapping_sub(b)),
        (Mul, Int(a), Int(b)) => Int(a.wrapping_mul(b)),
        (Div, Int(a), Int(b)) => Int(go_div(a, b)?),
        (Mod, Int(a), Int(b)) => Int(go_rem(a, b)?),
        (Add, Duration(a), Duration(b)) => Duration(a.wrapping_add(b)),
        (Sub, Duration(a), Duration(b)) => Duration(a.wrapping_sub(b)),
        (Div, Duration(a), Duration(b)) => Int(go_div(a, b)?),
        (Mul, Duration(d), Int(n)) | (Mul, Int(n), Duration(d)) => Duration(d.wrapping_mul(n)),
        (Div, Duration(d), Int(n)) => Duration(go_div(d, n)?),
        (Mul, Duration(d), Float(x)) | (Mul, Float(x), Duration(d)) => {
            Duration(truncate_to_i64(d as f64 * x))
        }
        (Div, Duration(d), Float(x)) => Duration(truncate_to_i64(d as f64 / x)),
        (Add, Value::String(a), Value::String(b)) => Value::String(Cow::Owned(a.into_owned() + &b)),
        (op, left, right) => return Err(type_error(op, left.ty(), right.ty())),
    })
}

/// Integer division truncating toward zero; `i64::MIN / -1` wraps as in Go. Go panics on a zero
/// divisor and Kapacitor turns the panic into an error.
fn go_div(a: i64, b: i64) -> Result<i64, EvalError> {
    if b == 0 {
        Err(EvalError::DivideByZero)
    } else {
        Ok(a.wrapping_div(b))
    }
}

/// The remainder of [`go_div`]: it takes the dividend's sign (`-7 % 3 == -1`).
fn go_rem(a: i64, b: i64) -> Result<i64, EvalError> {
    if b == 0 {
        Err(EvalError::DivideByZero)
    } else {
        Ok(a.wrapping_rem(b))
    }
}

/// Converts a float to an int as Go does on amd64: truncating toward zero, and giving
/// `i64::MIN` for NaN and for values out of range (where Rust's `as` would saturate).
pub(crate) fn truncate_to_i64(x: f64) -> i64 {
    // 2^63 is exact as a float; every float in [-2^63, 2^63) converts exactly after truncation.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if x.is_nan() || !(-LIMIT..LIMIT).contains(&x) {
        i64::MIN
    } else {
        x as i64
    }
}

/// Evaluates a unary operator.
pub fn unary<'a>(op: UnaryOp, operand: Value<'a>) -> Result<Value<'a>, EvalError> {
    match (op, operand) {
        (UnaryOp::Neg, Value::Float(x)) => Ok(Value::Float(-x)),
        (UnaryOp::Neg, Value::Int(x)) => Ok(Value::Int(x.wrapping_neg())),
        (UnaryOp::Neg, Value::Duration(x)) => Ok(Value::Duration(x.wrapping_neg())),
        (UnaryOp::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
        (_, Value::Missing(name)) => Err(EvalError::MissingReference {
            name: name.to_owned(),
        }),
        (UnaryOp::Not, other) => Err(EvalError::UnexpectedType {
            actual: other.ty(),
            expected: Type::Bool,
        }),
        (UnaryOp::Neg, other) => Err(EvalError::InvalidUnaryOperator { op, ty: other.ty() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    const S: i64 = 1_000_000_000;
    const MIN: i64 = 60 * S;

    fn bin<'a>(op: BinaryOp, l: Value<'a>, r: Value<'a>) -> Result<Value<'a>, EvalError> {
        binary(op, l, r)
    }

    fn err(op: BinaryOp, l: Value, r: Value) -> String {
        binary(op, l, r).unwrap_err().to_string()
    }

    #[test]
    fn float_arithmetic() {
        use BinaryOp::*;
        assert_eq!(bin(Add, 1.5.into(), 2.0.into()), Ok(Value::Float(3.5)));
        assert_eq!(bin(Sub, 1.5.into(), 2.0.into()), Ok(Value::Float(-0.5)));
        assert_eq!(bin(Mul, (-2.5).into(), 2.0.into()), Ok(Value::Float(-5.0)));
        assert_eq!(bin(Div, 7.0.into(), 2.0.into()), Ok(Value::Float(3.5)));
        assert_eq!(
            bin(Div, 1.0.into(), 0.0.into()),
            Ok(Value::Float(f64::INFINITY))
        );
        assert_eq!(
            err(Mod, 7.0.into(), 2.0.into()),
            "invalid math operator % for type float"
        );
    }

    #[test]
    fn int_arithmetic_follows_go() {
        use BinaryOp::*;
        let int = |op, a: i64, b: i64| bin(op, Value::Int(a), Value::Int(b));
        assert_eq!(int(Add, 7, 1), Ok(Value::Int(8)));
        assert_eq!(int(Div, 7, 3), Ok(Value::Int(2)));
        assert_eq!(int(Div, -7, 3), Ok(Value::Int(-2)));
        assert_eq!(int(Mod, -7, 3), Ok(Value::Int(-1)));
        assert_eq!(int(Mod, 7, -3), Ok(Value::Int(1)));
        assert_eq!(int(Mul, i64::MAX, 2), Ok(Value::Int(-2)));
        assert_eq!(int(Add, i64::MAX, 1), Ok(Value::Int(i64::MIN)));
        assert_eq!(int(Div, i64::MIN, -1), Ok(Value::Int(i64::MIN)));
        assert_eq!(int(Mod, i64::MIN, -1), Ok(Value::Int(0)));
        assert_eq!(
            int(Div, 1, 0).unwrap_err().to_string(),
            "runtime error: integer divide by zero"
        );
        assert_eq!(int(Mod, 1, 0), Err(EvalError::DivideByZero));
    }

    #[test]
    fn no_int_float_promotion_in_arithmetic() {
        use BinaryOp::*;
        assert_eq!(
            err(Add, Value::Int(7), Value::Float(1.0)),
            "mismatched type to binary operator. got int + float. see bool(), int(), float(), string(), duration()"
        );
        assert_eq!(
            err(Mul, Value::Float(1.0), Value::Int(2)),
            "mismatched type to binary operator. got float * int. see bool(), int(), float(), string(), duration()"
        );
        assert_eq!(
            err(Add, Value::Bool(true), Value::Bool(true)),
            "invalid math operator + for type boolean"
        );
        assert_eq!(
            err(Sub, Value::str("a"), Value::str("b")),
            "invalid math operator - for type string"
        );
    }

    #[test]
    fn a_missing_arithmetic_operand_is_a_type_error() {
        use BinaryOp::*;
        assert_eq!(
            err(Add, Value::Missing("x"), Value::Int(1)),
            "invalid math operator + for type missing"
        );
        assert_eq!(
            err(Add, Value::Int(1), Value::Missing("x")),
            "mismatched type to binary operator. got int + missing. see bool(), int(), float(), string(), duration()"
        );
    }

    #[test]
    fn string_concatenation() {
        assert_eq!(
            bin(BinaryOp::Add, Value::str("a:"), Value::str("web")),
            Ok(Value::str("a:web"))
        );
    }

    #[test]
    fn duration_arithmetic() {
        use BinaryOp::*;
        let d = Value::Duration;
        assert_eq!(bin(Add, d(MIN), d(S)), Ok(d(MIN + S)));
        assert_eq!(bin(Sub, d(MIN), d(S)), Ok(d(MIN - S)));
        assert_eq!(bin(Div, d(5 * MIN), d(2 * MIN)), Ok(Value::Int(2)));
        assert_eq!(
            bin(Mul, d(5 * MIN), Value::Float(1.5)),
            Ok(d(7 * MIN + 30 * S))
        );
        assert_eq!(
            bin(Mul, Value::Float(1.5), d(5 * MIN)),
            Ok(d(7 * MIN + 30 * S))
        );
        assert_eq!(bin(Mul, d(MIN), Value::Int(3)), Ok(d(3 * MIN)));
        assert_eq!(bin(Mul, Value::Int(3), d(MIN)), Ok(d(3 * MIN)));
        assert_eq!(bin(Div, d(MIN), Value::Int(4)), Ok(d(15 * S)));
        assert_eq!(bin(Div, d(MIN), Value::Float(0.5)), Ok(d(2 * MIN)));
        assert_eq!(bin(Div, d(MIN), d(0)), Err(EvalError::DivideByZero));
        assert_eq!(
            bin(Div, d(MIN), Value::Int(0)),
            Err(EvalError::DivideByZero)
        );
        assert_eq!(
            err(Mul, d(MIN), d(MIN)),
            "mismatched type to binary operator. got duration * duration. see bool(), int(), float(), string(), duration()"
        );
        assert_eq!(
            err(Add, d(MIN), Value::Int(1)),
            "mismatched type to binary operator. got duration + int. see bool(), int(), float(), string(), duration()"
        );
    }

    #[test]
    fn float_to_int_truncation_is_gos() {
        assert_eq!(truncate_to_i64(2.9), 2);
        assert_eq!(truncate_to_i64(-2.9), -2);
        assert_eq!(truncate_to_i64(f64::NAN), i64::MIN);
        assert_eq!(truncate_to_i64(1e19), i64::MIN);
        assert_eq!(truncate_to_i64(-(2f64.powi(63))), i64::MIN);
        assert_eq!(truncate_to_i64(9.2e18), 9_200_000_000_000_000_000);
    }

    #[test]
    fn comparisons_mix_ints_and_floats() {
        use BinaryOp::*;
        let cmp = |op, l: Value, r: Value| predicate(op, &l, &r);
        assert_eq!(cmp(Gt, Value::Int(7), Value::Float(6.0)), Ok(true));
        assert_eq!(cmp(Eq, Value::Int(7), Value::Float(7.0)), Ok(true));
        assert_eq!(cmp(Ge, Value::Float(2.5), Value::Int(3)), Ok(false));
        assert_eq!(cmp(Le, Value::Int(2), Value::Int(2)), Ok(true));
        assert_eq!(cmp(Lt, Value::str("alpha"), Value::str("m")), Ok(true));
        assert_eq!(cmp(Ne, Value::Int(3), Value::Int(3)), Ok(false));
        assert_eq!(cmp(Lt, Value::Duration(S), Value::Duration(MIN)), Ok(true));
        assert_eq!(cmp(Eq, Value::Bool(true), Value::Bool(true)), Ok(true));
        assert_eq!(cmp(Ne, Value::Bool(true), Value::Bool(false)), Ok(true));
        assert_eq!(
            cmp(Lt, Value::Float(f64::NAN), Value::Float(1.0)),
            Ok(false)
        );
        assert_eq!(
            cmp(Ne, Value::Float(f64::NAN), Value::Float(f64::NAN)),
            Ok(true)
        );
    }

    #[test]
    fn comparison_type_errors() {
        use BinaryOp::*;
        let cmp_err = |op, l: Value, r: Value| predicate(op, &l, &r).unwrap_err().to_string();
        assert_eq!(
            cmp_err(Lt, Value::Bool(true), Value::Bool(false)),
            "invalid comparison operator < for type boolean"
        );
        assert_eq!(
            cmp_err(Eq, Value::str("1"), Value::Int(1)),
            "mismatched type to binary operator. got string == int. see bool(), int(), float(), string(), duration()"
        );
        assert_eq!(
            cmp_err(Gt, Value::Time(1), Value::Time(0)),
            "invalid comparison operator > for type time"
        );
        assert_eq!(
            cmp_err(Eq, Value::Duration(1), Value::Int(1)),
            "mismatched type to binary operator. got duration == int. see bool(), int(), float(), string(), duration()"
        );
    }

    #[test]
    fn a_missing_comparison_operand_is_named() {
        use BinaryOp::*;
        assert_eq!(
            predicate(Gt, &Value::Missing("missing"), &Value::Int(1))
                .unwrap_err()
                .to_string(),
            r#"left reference value "missing" is missing value"#
        );
        assert_eq!(
            predicate(Lt, &Value::Int(1), &Value::Missing("m"))
                .unwrap_err()
                .to_string(),
            r#"right reference value "m" is missing value"#
        );
    }

    #[test]
    fn regex_matching_needs_a_regex_on_the_right() {
        use BinaryOp::*;
        let re = Regex::new("^x").unwrap();
        assert_eq!(
            predicate(RegexMatch, &Value::str("xy"), &Value::Regex(&re)),
            Ok(true)
        );
        assert_eq!(
            predicate(RegexNotMatch, &Value::str("xy"), &Value::Regex(&re)),
            Ok(false)
        );
        assert_eq!(
            predicate(RegexNotMatch, &Value::str("yx"), &Value::Regex(&re)),
            Ok(true)
        );
        assert_eq!(
            predicate(RegexMatch, &Value::str("s"), &Value::str("b"))
                .unwrap_err()
                .to_string(),
            "mismatched type to binary operator. got string =~ string. see bool(), int(), float(), string(), duration()"
        );
        assert_eq!(
            predicate(RegexMatch, &Value::Int(1), &Value::Regex(&re))
                .unwrap_err()
                .to_string(),
            "invalid comparison operator =~ for type int"
        );
        assert_eq!(
            predicate(Lt, &Value::Regex(&re), &Value::Regex(&re))
                .unwrap_err()
                .to_string(),
            "invalid comparison operator < for type regex"
        );
    }

    #[test]
    fn logic() {
        use BinaryOp::*;
        let t = Value::Bool(true);
        let f = Value::Bool(false);
        assert_eq!(predicate(And, &t, &f), Ok(false));
        assert_eq!(predicate(Or, &t, &f), Ok(true));
        assert_eq!(binary(And, t.clone(), t.clone()), Ok(Value::Bool(true)));
        assert_eq!(
            predicate(And, &Value::Float(1.0), &t)
                .unwrap_err()
                .to_string(),
            "invalid logical operator AND for type float"
        );
        assert_eq!(
            predicate(Or, &t, &Value::Int(1)).unwrap_err().to_string(),
            "mismatched type to binary operator. got boolean OR int. see bool(), int(), float(), string(), duration()"
        );
    }

    #[test]
    fn short_circuit_operands() {
        use BinaryOp::*;
        assert_eq!(
            logical_operand(And, Side::Left, &Value::Bool(false)),
            Ok(false)
        );
        assert_eq!(
            logical_operand(And, Side::Left, &Value::Float(1.0))
                .unwrap_err()
                .to_string(),
            "invalid logical operator AND for type float"
        );
        assert_eq!(
            logical_operand(Or, Side::Right, &Value::str("s"))
                .unwrap_err()
                .to_string(),
            "mismatched type to binary operator. got boolean OR string. see bool(), int(), float(), string(), duration()"
        );
        assert_eq!(
            logical_operand(And, Side::Right, &Value::Missing("b"))
                .unwrap_err()
                .to_string(),
            r#"right reference value "b" is missing value"#
        );
    }

    #[test]
    fn arithmetic_as_a_predicate_fails_on_its_type() {
        assert_eq!(
            predicate(BinaryOp::Add, &Value::Int(1), &Value::Int(2))
                .unwrap_err()
                .to_string(),
            "TypeGuard: expression returned unexpected type int, expected boolean"
        );
        assert_eq!(
            predicate(BinaryOp::Add, &Value::Int(1), &Value::Float(2.0))
                .unwrap_err()
                .to_string(),
            "mismatched type to binary operator. got int + float. see bool(), int(), float(), string(), duration()"
        );
    }

    #[test]
    fn unary_operators() {
        assert_eq!(unary(UnaryOp::Neg, Value::Int(7)), Ok(Value::Int(-7)));
        assert_eq!(
            unary(UnaryOp::Neg, Value::Int(i64::MIN)),
            Ok(Value::Int(i64::MIN))
        );
        assert_eq!(
            unary(UnaryOp::Neg, Value::Float(0.5)),
            Ok(Value::Float(-0.5))
        );
        assert_eq!(
            unary(UnaryOp::Neg, Value::Duration(S)),
            Ok(Value::Duration(-S))
        );
        assert_eq!(
            unary(UnaryOp::Not, Value::Bool(true)),
            Ok(Value::Bool(false))
        );
        assert_eq!(
            unary(UnaryOp::Neg, Value::str("s"))
                .unwrap_err()
                .to_string(),
            "invalid unary operator - for type string"
        );
        assert_eq!(
            unary(UnaryOp::Not, Value::Int(1)).unwrap_err().to_string(),
            "TypeGuard: expression returned unexpected type int, expected boolean"
        );
        assert_eq!(
            unary(UnaryOp::Neg, Value::Missing("x"))
                .unwrap_err()
                .to_string(),
            r#"reference "x" is missing value"#
        );
    }

    /// Conformance case eval_unary_and_precedence: `-"i" + 2 * 3 - 4 / 3 % 2` with i = 1, 5, 3.
    #[test]
    fn a_composed_expression_matches_the_reference() {
        use BinaryOp::*;
        let eval = |i: i64| -> Result<Value<'static>, EvalError> {
            let neg = unary(UnaryOp::Neg, Value::Int(i))?;
            let product = binary(Mul, Value::Int(2), Value::Int(3))?;
            let quotient = binary(Div, Value::Int(4), Value::Int(3))?;
            let rem = binary(Mod, quotient, Value::Int(2))?;
            binary(Sub, binary(Add, neg, product)?, rem)
        };
        assert_eq!(
            [1, 5, 3].map(|i| eval(i).unwrap()),
            [Value::Int(4), Value::Int(0), Value::Int(2)]
        );
    }
}
