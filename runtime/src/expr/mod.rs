//! Lambda expressions at run time: the values, operators and builtin functions that
//! tickc-generated code calls, with Kapacitor's typing rules and error messages.
//!
//! Regex literals are compiled once with [`compile_regex`] (Go's regex meaning) and lent to
//! values as [`Value::Regex`]. Generated code reads references with [`reference()`], combines
//! them with [`binary`], [`predicate`] (comparisons straight to a bool, the fast path when one
//! side is a literal), [`logical_operand`] (short-circuit `AND`/`OR`) and [`unary`], calls
//! builtins through [`functions`] and [`stateful`], and ends with [`Value::into_predicate`]
//! (where, alert levels) or [`Value::into_field`] (eval).

pub mod duration;
mod error;
pub mod functions;
mod go_regex;
mod lambda;
mod ops;
mod scope;
pub mod stateful;
mod value;

pub use error::{EvalError, Side, Signature};
pub use go_regex::compile_regex;
pub use lambda::Lambda;
pub use ops::{BinaryOp, UnaryOp, binary, logical_operand, predicate, unary};
pub use scope::{Scope, reference};
pub use value::{Type, Value};

/// Lambdas of the conformance cases, evaluated the way generated code will, against the outputs
/// the reference Kapacitor recorded.
#[cfg(test)]
mod tests {
    use super::functions::{FLOAT, HUMAN_BYTES, IF, INT, STRING, call};
    use super::*;
    use crate::point::{BatchPoint, FieldValue, Fields, Tags};

    fn point(fields: &[(&str, FieldValue)], tags: &[(&str, &str)]) -> BatchPoint {
        BatchPoint {
            time: 1_700_000_000_000_000_000,
            fields: Fields::from_iter(fields.iter().map(|(k, v)| (k.to_string(), v.clone()))),
            tags: Tags::from_iter(tags.iter().map(|(k, v)| (k.to_string(), v.to_string()))),
        }
    }

    /// eval_string_concat: `'n=' + string("n") + ' f=' + string("f")` and `"host" + ':' + "svc"`.
    #[test]
    fn string_concat() {
        let p = point(
            &[
                ("n", FieldValue::Int(-20)),
                ("f", FieldValue::Float(3.0)),
                ("svc", FieldValue::String("".into())),
            ],
            &[("host", "b")],
        );
        let run = || -> Result<(FieldValue, FieldValue), EvalError> {
            let n = STRING.call(&[reference(&p, "n")?])?;
            let f = STRING.call(&[reference(&p, "f")?])?;
            let desc = binary(
                BinaryOp::Add,
                binary(BinaryOp::Add, Value::str("n="), n)?,
                Value::str(" f="),
            )?;
            let desc = binary(BinaryOp::Add, desc, f)?;
            let id = binary(BinaryOp::Add, reference(&p, "host")?, Value::str(":"))?;
            let id = binary(BinaryOp::Add, id, reference(&p, "svc")?)?;
            Ok((desc.into_field()?, id.into_field()?))
        };
        assert_eq!(
            run(),
            Ok((
                FieldValue::String("n=-20 f=3".into()),
                FieldValue::String("b:".into())
            ))
        );
    }

    /// eval_int_plus_float_error: `"i" + 1.5` drops int points and keeps float ones.
    #[test]
    fn int_plus_float() {
        let eval = |v: FieldValue| {
            let p = point(&[("i", v)], &[]);
            binary(BinaryOp::Add, reference(&p, "i")?, Value::Float(1.5))?.into_field()
        };
        assert!(eval(FieldValue::Int(1)).is_err());
        assert_eq!(eval(FieldValue::Float(2.0)), Ok(FieldValue::Float(3.5)));
    }

    /// where_int_float_compare_types: `"v" >= 2.5 AND "name" < 'm'`, short-circuited.
    #[test]
    fn where_compare_mixed_types() {
        let keep = |v: FieldValue, name: &str| -> Result<bool, EvalError> {
            let p = point(&[("v", v), ("name", FieldValue::String(name.into()))], &[]);
            let left = predicate(BinaryOp::Ge, &reference(&p, "v")?, &Value::Float(2.5))?;
            if !logical_operand(BinaryOp::And, Side::Left, &Value::Bool(left))? {
                return Ok(false);
            }
            predicate(BinaryOp::Lt, &reference(&p, "name")?, &Value::str("m"))
        };
        assert_eq!(keep(FieldValue::Int(1), "alpha"), Ok(false));
        assert_eq!(keep(FieldValue::Float(2.5), "beta"), Ok(true));
        assert_eq!(keep(FieldValue::Int(3), "zeta"), Ok(false));
        assert_eq!(keep(FieldValue::Int(10), "lima"), Ok(true));
    }

    /// eval_if_function: `if("v" < 0, -1.0, float("v") * 0.5)` and the nested string `if`.
    #[test]
    fn if_function() {
        let half = |v: i64| -> Result<FieldValue, EvalError> {
            let p = point(&[("v", FieldValue::Int(v))], &[]);
            let cond = binary(BinaryOp::Lt, reference(&p, "v")?, Value::Int(0))?;
            let scaled = binary(
                BinaryOp::Mul,
                FLOAT.call(&[reference(&p, "v")?])?,
                Value::Float(0.5),
            )?;
            IF.call(&[cond, Value::Float(-1.0), scaled])?.into_field()
        };
        assert_eq!(
            [12, 3, -4].map(|v| half(v).unwrap()),
            [
                FieldValue::Float(6.0),
                FieldValue::Float(1.5),
                FieldValue::Float(-1.0)
            ]
        );

        let code = |dc: &str| -> Result<FieldValue, EvalError> {
            let p = point(&[], &[("dc", dc)]);
            let is = |name| {
                predicate(BinaryOp::Eq, &reference(&p, "dc")?, &Value::str(name)).map(Value::Bool)
            };
            let inner = IF.call(&[is("west")?, Value::str("W"), Value::str("?")])?;
            IF.call(&[is("east")?, Value::str("E"), inner])?
                .into_field()
        };
        assert_eq!(code("east"), Ok(FieldValue::String("E".into())));
        assert_eq!(code("west"), Ok(FieldValue::String("W".into())));
        assert_eq!(code("north"), Ok(FieldValue::String("?".into())));
    }

    /// eval_duration_and_humanbytes and eval_type_conversions, one row each.
    #[test]
    fn durations_bytes_and_conversions() {
        const MIN: i64 = 60_000_000_000;
        let sum = binary(
            BinaryOp::Add,
            Value::Duration(60 * MIN),
            Value::Duration(30 * MIN),
        )
        .unwrap();
        assert_eq!(STRING.call(&[sum]), Ok(Value::str("90m")));
        assert_eq!(
            binary(
                BinaryOp::Div,
                Value::Duration(5 * MIN),
                Value::Duration(2 * MIN)
            ),
            Ok(Value::Int(2))
        );
        let b = FLOAT.call(&[Value::Int(1_000_000)]).unwrap();
        let b = binary(BinaryOp::Mul, b, Value::Float(1.5)).unwrap();
        assert_eq!(HUMAN_BYTES.call(&[b]), Ok(Value::str("1.5 MB")));

        let p = point(
            &[
                ("f", FieldValue::Float(123456789.125)),
                ("s", FieldValue::String("5".into())),
            ],
            &[],
        );
        assert_eq!(
            INT.call(&[reference(&p, "f").unwrap()]),
            Ok(Value::Int(123456789))
        );
        assert_eq!(INT.call(&[reference(&p, "s").unwrap()]), Ok(Value::Int(5)));
        assert_eq!(
            call("string", &[reference(&p, "f").unwrap()]),
            Ok(Value::str("123456789.125"))
        );
    }

    /// where_missing_field_drops: `"v" > 5` on a point without v fails (the point is dropped).
    #[test]
    fn missing_reference_fails_a_predicate() {
        let p = point(&[("other", FieldValue::Int(1))], &[]);
        let v = reference(&p, "v").unwrap();
        assert_eq!(
            predicate(BinaryOp::Gt, &v, &Value::Int(5))
                .unwrap_err()
                .to_string(),
            r#"left reference value "v" is missing value"#
        );
    }
}
