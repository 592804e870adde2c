//! The conversions `bool()`, `int()`, `float()`, `string()` and `duration()`, with Go's
//! `strconv` parsing rules and error texts.

use std::borrow::Cow;
use std::num::IntErrorKind;

use super::{Body, CallError, Function, sig};
use crate::expr::duration::parse_duration;
use crate::time::format_influxql_duration;
use crate::expr::error::go_quote;
use crate::expr::ops::truncate_to_i64;
use crate::expr::value::{Type, Value};

pub static BOOL: Function = Function::new(
    "bool",
    Body::Custom {
        signatures: &[
            sig(&[Type::Bool], Type::Bool),
            sig(&[Type::String], Type::Bool),
            sig(&[Type::Int], Type::Bool),
            sig(&[Type::Float], Type::Bool),
        ],
        call: to_bool,
    },
);

pub static INT: Function = Function::new(
    "int",
    Body::Custom {
        signatures: &[
            sig(&[Type::Bool], Type::Int),
            sig(&[Type::String], Type::Int),
            sig(&[Type::Int], Type::Int),
            sig(&[Type::Float], Type::Int),
        ],
        call: to_int,
    },
);

pub static FLOAT: Function = Function::new(
    "float",
    Body::Custom {
        signatures: &[
            sig(&[Type::Bool], Type::Float),
            sig(&[Type::String], Type::Float),
            sig(&[Type::Int], Type::Float),
            sig(&[Type::Float], Type::Float),
        ],
        call: to_float,
    },
);

pub static STRING: Function = Function::new(
    "string",
    Body::Custom {
        signatures: &[
            sig(&[Type::Bool], Type::String),
            sig(&[Type::String], Type::String),
            sig(&[Type::Int], Type::String),
            sig(&[Type::Float], Type::String),
            sig(&[Type::Duration], Type::String),
        ],
        call: to_string,
    },
);

// Kapacitor's table has no one-argument string form: `duration('1h')` is a signature error while
// `duration('1h', 1s)` parses and ignores the unit.
pub static DURATION: Function = Function::new(
    "duration",
    Body::Custom {
        signatures: &[
            sig(&[Type::Duration], Type::Duration),
            sig(&[Type::Int, Type::Duration], Type::Duration),
            sig(&[Type::Float, Type::Duration], Type::Duration),
            sig(&[Type::String, Type::Duration], Type::Duration),
        ],
        call: to_duration,
    },
);

fn to_bool<'a>(args: &[Value<'a>]) -> Result<Value<'a>, CallError> {
    let b = match args {
        [Value::Bool(b)] => *b,
        [Value::String(s)] => parse_go_bool(s)?,
        [Value::Int(0)] => false,
        [Value::Int(1)] => true,
        [Value::Int(n)] => return Err(CallError::Failed(format!("cannot convert {n} to boolean"))),
        [Value::Float(x)] if *x == 0.0 => false,
        [Value::Float(x)] if *x == 1.0 => true,
        [Value::Float(x)] => {
            return Err(CallError::Failed(format!(
                "cannot convert {} to boolean",
                format_float_go_v(*x)
            )));
        }
        _ => return Err(CallError::Signature),
    };
    Ok(Value::Bool(b))
}

fn to_int<'a>(args: &[Value<'a>]) -> Result<Value<'a>, CallError> {
    let n = match args {
        [Value::Int(n)] => *n,
        [Value::Float(x)] => truncate_to_i64(*x),
        [Value::String(s)] => parse_go_int(s)?,
        [Value::Bool(b)] => i64::from(*b),
        _ => return Err(CallError::Signature),
    };
    Ok(Value::Int(n))
}

fn to_float<'a>(args: &[Value<'a>]) -> Result<Value<'a>, CallError> {
    let x = match args {
        [Value::Int(n)] => *n as f64,
        [Value::Float(x)] => *x,
        [Value::String(s)] => parse_go_float(s)?,
        [Value::Bool(b)] => f64::from(u8::from(*b)),
        _ => return Err(CallError::Signature),
    };
    Ok(Value::Float(x))
}

fn to_string<'a>(args: &[Value<'a>]) -> Result<Value<'a>, CallError> {
    let s = match args {
        [Value::String(s)] => return Ok(Value::String(s.clone())),
        [Value::Int(n)] => n.to_string(),
        [Value::Float(x)] => format_float(*x),
        [Value::Bool(b)] => b.to_string(),
        [Value::Duration(d)] => format_influxql_duration(*d),
        _ => return Err(CallError::Signature),
    };
    Ok(Value::String(Cow::Owned(s)))
}

fn to_duration<'a>(args: &[Value<'a>]) -> Result<Value<'a>, CallError> {
    let nanos = match args {
        [Value::Duration(d)] => *d,
        [Value::Int(n), Value::Duration(unit)] => n.wrapping_mul(*unit),
        [Value::Float(x), Value::Duration(unit)] => truncate_to_i64(x * *unit as f64),
        [Value::String(s), Value::Duration(_)] => parse_duration(s)
            .map_err(|_| CallError::Failed(format!("invalid duration string {}", go_quote(s))))?,
        _ => return Err(CallError::Signature),
    };
    Ok(Value::Duration(nanos))
}

/// Formats a float as Go's `strconv.FormatFloat(x, 'f', -1, 64)`: the shortest digits that read
/// back as the same float, never in exponent form (`3`, `0.1`, `1000000000000000000000`).
pub fn format_float(x: f64) -> String {
    if x.is_infinite() {
        return if x > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    // Rust's Display is already shortest-round-trip without an exponent, and prints NaN as Go does.
    x.to_string()
}

/// Formats a float as Go's `%v` does (shortest digits, exponent form below 1e-4 and from 1e6:
/// `2.5`, `1e+06`), for error messages that quote a value.
fn format_float_go_v(x: f64) -> String {
    if !x.is_finite() {
        return format_float(x);
    }
    let scientific = format!("{x:e}");
    let Some((mantissa, exponent)) = scientific.split_once('e') else {
        return scientific;
    };
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if (-4..6).contains(&exponent) {
        return x.to_string();
    }
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
}

fn strconv_error(func: &str, input: &str, reason: &str) -> CallError {
    CallError::Failed(format!(
        "strconv.{func}: parsing {}: {reason}",
        go_quote(input)
    ))
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(s: &str) -> Result<bool, CallError> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(strconv_error("ParseBool", s, "invalid syntax")),
    }
}

/// Go's `strconv.ParseInt(s, 10, 64)`: an optional sign and decimal digits.
fn parse_go_int(s: &str) -> Result<i64, CallError> {
    s.parse::<i64>().map_err(|e| match e.kind() {
        IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => {
            strconv_error("ParseInt", s, "value out of range")
        }
        _ => strconv_error("ParseInt", s, "invalid syntax"),
    })
}

/// Go's `strconv.ParseFloat(s, 64)` for decimal input: a value too large for a float is an
/// error, not an infinity (only the words `inf`/`infinity` give one).
fn parse_go_float(s: &str) -> Result<f64, CallError> {
    let x: f64 = s
        .parse()
        .map_err(|_| strconv_error("ParseFloat", s, "invalid syntax"))?;
    if x.is_infinite() && !s.to_ascii_lowercase().contains("inf") {
        return Err(strconv_error("ParseFloat", s, "value out of range"));
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::super::call;
    use super::*;

    fn ok<'a>(name: &str, args: &[Value<'a>]) -> Value<'a> {
        call(name, args).unwrap()
    }

    fn err(name: &str, args: &[Value]) -> String {
        call(name, args).unwrap_err().to_string()
    }

    #[test]
    fn bool_conversions() {
        assert_eq!(ok("bool", &[Value::str("F")]), Value::Bool(false));
        assert_eq!(ok("bool", &[Value::str("True")]), Value::Bool(true));
        assert_eq!(ok("bool", &[Value::Int(1)]), Value::Bool(true));
        assert_eq!(ok("bool", &[Value::Float(0.0)]), Value::Bool(false));
        assert_eq!(
            err("bool", &[Value::Int(2)]),
            r#"error calling "bool": cannot convert 2 to boolean"#
        );
        assert_eq!(
            err("bool", &[Value::Float(2.5)]),
            r#"error calling "bool": cannot convert 2.5 to boolean"#
        );
        assert_eq!(
            err("bool", &[Value::Float(1e21)]),
            r#"error calling "bool": cannot convert 1e+21 to boolean"#
        );
        assert_eq!(
            err("bool", &[Value::str("yes")]),
            r#"error calling "bool": strconv.ParseBool: parsing "yes": invalid syntax"#
        );
    }

    #[test]
    fn int_conversions() {
        assert_eq!(ok("int", &[Value::Float(2.9)]), Value::Int(2));
        assert_eq!(ok("int", &[Value::Float(-2.9)]), Value::Int(-2));
        assert_eq!(ok("int", &[Value::Float(f64::NAN)]), Value::Int(i64::MIN));
        assert_eq!(ok("int", &[Value::str("-3")]), Value::Int(-3));
        assert_eq!(ok("int", &[Value::str("+3")]), Value::Int(3));
        assert_eq!(ok("int", &[Value::Bool(true)]), Value::Int(1));
        assert_eq!(
            err("int", &[Value::str("abc")]),
            r#"error calling "int": strconv.ParseInt: parsing "abc": invalid syntax"#
        );
        assert_eq!(
            err("int", &[Value::str("99999999999999999999")]),
            r#"error calling "int": strconv.ParseInt: parsing "99999999999999999999": value out of range"#
        );
        // A duration is not in int()'s signatures even though Kapacitor's code could convert it.
        assert_eq!(
            err("int", &[Value::Duration(1)]),
            "Cannot call function \"int\" with args (duration), available signatures are [(boolean), (string), (int), (float)]."
        );
    }

    #[test]
    fn float_conversions() {
        assert_eq!(ok("float", &[Value::Int(7)]), Value::Float(7.0));
        assert_eq!(ok("float", &[Value::Bool(true)]), Value::Float(1.0));
        assert_eq!(ok("float", &[Value::str("1e3")]), Value::Float(1000.0));
        assert_eq!(ok("float", &[Value::str("-0.125")]), Value::Float(-0.125));
        assert_eq!(
            ok("float", &[Value::str("-Inf")]),
            Value::Float(f64::NEG_INFINITY)
        );
        assert_eq!(
            err("float", &[Value::str("1e400")]),
            r#"error calling "float": strconv.ParseFloat: parsing "1e400": value out of range"#
        );
        assert_eq!(
            err("float", &[Value::str("x")]),
            r#"error calling "float": strconv.ParseFloat: parsing "x": invalid syntax"#
        );
    }

    #[test]
    fn string_conversions() {
        let cases = [
            (Value::Float(3.0), "3"),
            (Value::Float(2.9), "2.9"),
            (Value::Float(1e21), "1000000000000000000000"),
            (Value::Float(123456789.125), "123456789.125"),
            (Value::Float(1e-7), "0.0000001"),
            (Value::Float(f64::INFINITY), "+Inf"),
            (Value::Int(-20), "-20"),
            (Value::Bool(false), "false"),
            (Value::Duration(90_000_000_000), "90s"),
            (Value::str("s"), "s"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                ok("string", std::slice::from_ref(&input)),
                Value::str(expected),
                "{input:?}"
            );
        }
    }

    #[test]
    fn duration_conversions() {
        const S: i64 = 1_000_000_000;
        assert_eq!(ok("duration", &[Value::Duration(S)]), Value::Duration(S));
        assert_eq!(
            ok("duration", &[Value::Int(3), Value::Duration(S)]),
            Value::Duration(3 * S)
        );
        assert_eq!(
            ok("duration", &[Value::Float(1.5), Value::Duration(S)]),
            Value::Duration(1_500_000_000)
        );
        assert_eq!(
            ok("duration", &[Value::str("1h"), Value::Duration(S)]),
            Value::Duration(3600 * S)
        );
        assert_eq!(
            err("duration", &[Value::str("1h")]),
            "Cannot call function \"duration\" with args (string), available signatures are [(duration), (int,duration), (float,duration), (string,duration)]."
        );
        assert_eq!(
            err("duration", &[Value::str("soon"), Value::Duration(S)]),
            r#"error calling "duration": invalid duration string "soon""#
        );
    }
}
