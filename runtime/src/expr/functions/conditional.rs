//! `if(cond, a, b)` and `isPresent(x)`.

use super::{Body, CallError, Function, sig};
use crate::expr::value::{Type, Value};

/// Kapacitor evaluates all three arguments before choosing, so a missing reference in the branch
/// not taken still fails the call; both branches must have the same type.
pub static IF: Function = Function::new(
    "if",
    Body::Custom {
        signatures: &[
            sig(&[Type::Bool, Type::Float, Type::Float], Type::Float),
            sig(&[Type::Bool, Type::Int, Type::Int], Type::Int),
            sig(&[Type::Bool, Type::String, Type::String], Type::String),
            sig(&[Type::Bool, Type::Bool, Type::Bool], Type::Bool),
            sig(&[Type::Bool, Type::Regex, Type::Regex], Type::Regex),
            sig(&[Type::Bool, Type::Time, Type::Time], Type::Time),
            sig(
                &[Type::Bool, Type::Duration, Type::Duration],
                Type::Duration,
            ),
        ],
        call: if_,
    },
);

/// False only for a reference the point lacks. Times, durations and regexes are not in its
/// signatures, so `isPresent("time")` is an error, as in Kapacitor.
pub static IS_PRESENT: Function = Function::new(
    "isPresent",
    Body::Custom {
        signatures: &[
            sig(&[Type::Missing], Type::Bool),
            sig(&[Type::Bool], Type::Bool),
            sig(&[Type::String], Type::Bool),
            sig(&[Type::Int], Type::Bool),
            sig(&[Type::Float], Type::Bool),
        ],
        call: is_present,
    },
);

fn if_<'a>(args: &[Value<'a>]) -> Result<Value<'a>, CallError> {
    match args {
        [Value::Bool(cond), a, b] if a.ty() == b.ty() && a.ty() != Type::Missing => {
            Ok(if *cond { a.clone() } else { b.clone() })
        }
        _ => Err(CallError::Signature),
    }
}

fn is_present<'a>(args: &[Value<'a>]) -> Result<Value<'a>, CallError> {
    match args {
        [Value::Missing(_)] => Ok(Value::Bool(false)),
        [Value::Bool(_) | Value::String(_) | Value::Int(_) | Value::Float(_)] => {
            Ok(Value::Bool(true))
        }
        _ => Err(CallError::Signature),
    }
}

#[cfg(test)]
mod tests {
    use super::super::call;
    use super::*;

    #[test]
    fn if_picks_a_branch_of_the_same_type() {
        let pick = |c| call("if", &[Value::Bool(c), Value::Int(1), Value::Int(0)]);
        assert_eq!(pick(true), Ok(Value::Int(1)));
        assert_eq!(pick(false), Ok(Value::Int(0)));
        assert_eq!(
            call(
                "if",
                &[Value::Bool(false), Value::str("E"), Value::str("W")]
            ),
            Ok(Value::str("W"))
        );
        assert_eq!(
            call("if", &[Value::Bool(true), Value::Time(5), Value::Time(6)]),
            Ok(Value::Time(5))
        );
    }

    #[test]
    fn if_rejects_mixed_branches_and_non_bool_conditions() {
        let err = call("if", &[Value::Bool(true), Value::Int(1), Value::Float(1.0)])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("Cannot call function \"if\" with args (boolean,int,float), available signatures are [(boolean,float,float), "), "{err}");
        assert!(call("if", &[Value::Int(1), Value::Int(1), Value::Int(1)]).is_err());
    }

    #[test]
    fn if_fails_on_a_missing_branch_even_when_not_taken() {
        assert_eq!(
            call(
                "if",
                &[Value::Bool(false), Value::Missing("x"), Value::Float(-1.0)]
            )
            .unwrap_err()
            .to_string(),
            r#"Cannot call function "if" argument "x" is missing"#
        );
    }

    #[test]
    fn is_present_is_false_only_for_missing() {
        assert_eq!(
            call("isPresent", &[Value::Missing("x")]),
            Ok(Value::Bool(false))
        );
        assert_eq!(
            call("isPresent", &[Value::Float(0.0)]),
            Ok(Value::Bool(true))
        );
        assert_eq!(call("isPresent", &[Value::str("")]), Ok(Value::Bool(true)));
        assert!(call("isPresent", &[Value::Time(0)]).is_err());
    }
}
