//! The operator type rules of the lambda language (Kapacitor's evaluation matrix): which
//! operand types each operator accepts and what it yields. No implicit int↔float promotion
//! except in comparisons.

use crate::ast::{BinaryOp, UnaryOp};
use crate::catalogue::ValueType::{self, *};
use crate::ir::StaticType;

/// The type of `lhs op rhs`, or `None` when Kapacitor has no evaluation for those types.
pub(super) fn binary(op: BinaryOp, lhs: ValueType, rhs: ValueType) -> Option<ValueType> {
    use BinaryOp::*;
    let numbers = |l, r| {
        matches!(
            (l, r),
            (Int, Int) | (Float, Float) | (Int, Float) | (Float, Int)
        )
    };
    match op {
        And | Or => (lhs == Bool && rhs == Bool).then_some(Bool),
        Eq | Ne => (numbers(lhs, rhs) || (lhs == rhs && matches!(lhs, Bool | String | Duration)))
            .then_some(Bool),
        Lt | Le | Gt | Ge => {
            (numbers(lhs, rhs) || (lhs == rhs && matches!(lhs, String | Duration))).then_some(Bool)
        }
        RegexMatch | RegexNotMatch => (lhs == String && rhs == Regex).then_some(Bool),
        Add => match (lhs, rhs) {
            (Int, Int) | (Float, Float) | (Duration, Duration) | (String, String) => Some(lhs),
            _ => None,
        },
        Sub => match (lhs, rhs) {
            (Int, Int) | (Float, Float) | (Duration, Duration) => Some(lhs),
            _ => None,
        },
        Mul => match (lhs, rhs) {
            (Int, Int) | (Float, Float) => Some(lhs),
            (Duration, Int | Float) | (Int | Float, Duration) => Some(Duration),
            _ => None,
        },
        Div => match (lhs, rhs) {
            (Int, Int) | (Float, Float) => Some(lhs),
            (Duration, Int | Float) => Some(Duration),
            (Duration, Duration) => Some(Int),
            _ => None,
        },
        Mod => (lhs == Int && rhs == Int).then_some(Int),
    }
}

/// The type of `op operand`, or `None` when the operator does not apply.
pub(super) fn unary(op: UnaryOp, operand: ValueType) -> Option<ValueType> {
    match (op, operand) {
        (UnaryOp::Neg, Int | Float | Duration) => Some(operand),
        (UnaryOp::Not, Bool) => Some(Bool),
        _ => None,
    }
}

/// True for the operators whose result is a bool whatever their operands.
pub(super) fn yields_bool(op: BinaryOp) -> bool {
    use BinaryOp::*;
    matches!(
        op,
        And | Or | Eq | Ne | Lt | Le | Gt | Ge | RegexMatch | RegexNotMatch
    )
}

/// A hint for a mismatch users commonly make.
pub(super) fn mismatch_hint(
    op: BinaryOp,
    lhs: StaticType,
    rhs: StaticType,
) -> Option<&'static str> {
    use BinaryOp::*;
    use StaticType::Known;
    match (op, lhs, rhs) {
        (Add | Sub | Mul | Div, Known(Int), Known(Float))
        | (Add | Sub | Mul | Div, Known(Float), Known(Int)) => Some(
            "ints and floats do not mix in arithmetic: write the int as a float (`2.0`) or convert with float()",
        ),
        (Mod, _, _) => Some("`%` takes two ints"),
        (RegexMatch | RegexNotMatch, _, Known(String)) => {
            Some("the right side of a regex match is a /regex/, not a 'string'")
        }
        (And | Or, _, _) => Some("AND and OR take bools: compare the values first"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_does_not_promote_but_comparison_does() {
        assert_eq!(binary(BinaryOp::Add, Int, Float), None);
        assert_eq!(binary(BinaryOp::Gt, Int, Float), Some(Bool));
        assert_eq!(binary(BinaryOp::Div, Duration, Duration), Some(Int));
        assert_eq!(binary(BinaryOp::Mul, Float, Duration), Some(Duration));
        assert_eq!(binary(BinaryOp::Mod, Float, Float), None);
        assert_eq!(binary(BinaryOp::RegexMatch, String, String), None);
        assert_eq!(unary(UnaryOp::Neg, Duration), Some(Duration));
        assert_eq!(unary(UnaryOp::Not, Int), None);
    }
}
