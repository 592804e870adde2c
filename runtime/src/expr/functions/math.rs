//! The math builtins: Go's `math` package on floats (an int argument is a signature error, as in
//! Kapacitor: users write `abs(float("x"))`). Functions std lacks come from `libm`, which ports
//! the same FreeBSD code Go's versions derive from.

use super::{Body, CallError, Function, sig};
use crate::expr::value::{Type, Value};

pub static ABS: Function = Function::new("abs", Body::Float1(f64::abs));
pub static ACOS: Function = Function::new("acos", Body::Float1(f64::acos));
pub static ACOSH: Function = Function::new("acosh", Body::Float1(f64::acosh));
pub static ASIN: Function = Function::new("asin", Body::Float1(f64::asin));
pub static ASINH: Function = Function::new("asinh", Body::Float1(f64::asinh));
pub static ATAN: Function = Function::new("atan", Body::Float1(f64::atan));
pub static ATAN2: Function = Function::new("atan2", Body::Float2(f64::atan2));
pub static ATANH: Function = Function::new("atanh", Body::Float1(f64::atanh));
pub static CBRT: Function = Function::new("cbrt", Body::Float1(f64::cbrt));
pub static CEIL: Function = Function::new("ceil", Body::Float1(f64::ceil));
pub static COS: Function = Function::new("cos", Body::Float1(f64::cos));
pub static COSH: Function = Function::new("cosh", Body::Float1(f64::cosh));
pub static ERF: Function = Function::new("erf", Body::Float1(libm::erf));
pub static ERFC: Function = Function::new("erfc", Body::Float1(libm::erfc));
pub static EXP: Function = Function::new("exp", Body::Float1(f64::exp));
pub static EXP2: Function = Function::new("exp2", Body::Float1(f64::exp2));
pub static EXPM1: Function = Function::new("expm1", Body::Float1(f64::exp_m1));
pub static FLOOR: Function = Function::new("floor", Body::Float1(f64::floor));
pub static GAMMA: Function = Function::new("gamma", Body::Float1(libm::tgamma));
pub static HYPOT: Function = Function::new("hypot", Body::Float2(f64::hypot));
pub static J0: Function = Function::new("j0", Body::Float1(libm::j0));
pub static J1: Function = Function::new("j1", Body::Float1(libm::j1));
pub static JN: Function = Function::new(
    "jn",
    Body::Custom {
        signatures: INT_FLOAT,
        call: jn,
    },
);
pub static LOG: Function = Function::new("log", Body::Float1(f64::ln));
pub static LOG10: Function = Function::new("log10", Body::Float1(f64::log10));
pub static LOG1P: Function = Function::new("log1p", Body::Float1(f64::ln_1p));
pub static LOG2: Function = Function::new("log2", Body::Float1(f64::log2));
pub static LOGB: Function = Function::new("logb", Body::Float1(logb));
pub static MAX: Function = Function::new("max", Body::Float2(go_max));
pub static MIN: Function = Function::new("min", Body::Float2(go_min));
// Go's Mod is C's fmod, which is what `%` does on Rust floats: the result takes x's sign.
pub static MOD: Function = Function::new("mod", Body::Float2(|x, y| x % y));
pub static POW: Function = Function::new("pow", Body::Float2(f64::powf));
pub static POW10: Function = Function::new(
    "pow10",
    Body::Custom {
        signatures: &[sig(&[Type::Int], Type::Float)],
        call: pow10,
    },
);
pub static SIN: Function = Function::new("sin", Body::Float1(f64::sin));
pub static SINH: Function = Function::new("sinh", Body::Float1(f64::sinh));
pub static SQRT: Function = Function::new("sqrt", Body::Float1(f64::sqrt));
pub static TAN: Function = Function::new("tan", Body::Float1(f64::tan));
pub static TANH: Function = Function::new("tanh", Body::Float1(f64::tanh));
pub static TRUNC: Function = Function::new("trunc", Body::Float1(f64::trunc));
pub static Y0: Function = Function::new("y0", Body::Float1(libm::y0));
pub static Y1: Function = Function::new("y1", Body::Float1(libm::y1));
pub static YN: Function = Function::new(
    "yn",
    Body::Custom {
        signatures: INT_FLOAT,
        call: yn,
    },
);

const INT_FLOAT: &[crate::expr::error::Signature] = &[sig(&[Type::Int, Type::Float], Type::Float)];

/// The Bessel order as libm takes it; an order beyond `i32` only pushes the result further to
/// its limit (0, or an infinity for `yn`), which the clamped order already reaches.
fn order(n: i64) -> i32 {
    n.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

fn jn<'a>(args: &[Value<'a>]) -> Result<Value<'a>, CallError> {
    match args {
        [Value::Int(n), Value::Float(x)] => Ok(Value::Float(libm::jn(order(*n), *x))),
        _ => Err(CallError::Signature),
    }
}

fn yn<'a>(args: &[Value<'a>]) -> Result<Value<'a>, CallError> {
    match args {
        [Value::Int(n), Value::Float(x)] => Ok(Value::Float(libm::yn(order(*n), *x))),
        _ => Err(CallError::Signature),
    }
}

/// 10^n, exact where a float can hold it: Go's Pow10 is 0 below 1e-323 and +Inf above 1e308,
/// which is also where a decimal `1e<n>` literal rounds to.
fn pow10<'a>(args: &[Value<'a>]) -> Result<Value<'a>, CallError> {
    match args {
        [Value::Int(n)] => Ok(Value::Float(match *n {
            n if n < -323 => 0.0,
            n if n > 308 => f64::INFINITY,
            n => format!("1e{n}").parse().unwrap_or(f64::NAN),
        })),
        _ => Err(CallError::Signature),
    }
}

/// The binary exponent of x, as Go's Logb: -Inf for 0, +Inf for infinities.
fn logb(x: f64) -> f64 {
    if x == 0.0 {
        f64::NEG_INFINITY
    } else if x.is_infinite() {
        f64::INFINITY
    } else if x.is_nan() {
        x
    } else {
        // frexp's mantissa is in [0.5, 1); Logb's is in [1, 2).
        f64::from(libm::frexp(x).1 - 1)
    }
}

/// Go's Max: an infinity wins over NaN, NaN over everything else, and +0 over -0 (Rust's `max`
/// ignores NaN instead).
fn go_max(x: f64, y: f64) -> f64 {
    if x == f64::INFINITY || y == f64::INFINITY {
        f64::INFINITY
    } else if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == 0.0 && y == 0.0 {
        if x.is_sign_negative() { y } else { x }
    } else if x > y {
        x
    } else {
        y
    }
}

/// Go's Min, the mirror of [`go_max`].
fn go_min(x: f64, y: f64) -> f64 {
    if x == f64::NEG_INFINITY || y == f64::NEG_INFINITY {
        f64::NEG_INFINITY
    } else if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == 0.0 && y == 0.0 {
        if x.is_sign_negative() { x } else { y }
    } else if x < y {
        x
    } else {
        y
    }
}

#[cfg(test)]
mod tests {
    use super::super::call;
    use super::*;

    fn f1(name: &str, x: f64) -> f64 {
        match call(name, &[Value::Float(x)]) {
            Ok(Value::Float(y)) => y,
            other => panic!("{name}({x}) gave {other:?}"),
        }
    }

    fn f2(name: &str, args: &[Value]) -> f64 {
        match call(name, args) {
            Ok(Value::Float(y)) => y,
            other => panic!("{name}{args:?} gave {other:?}"),
        }
    }

    fn close(a: f64, b: f64) -> bool {
        a == b || (a - b).abs() <= 1e-12 * b.abs().max(1.0)
    }

    /// Values the reference Kapacitor produced (conformance cases eval_math_functions and
    /// eval_math_trig_misc).
    #[test]
    fn one_argument_functions_match_the_reference() {
        let cases: &[(&str, f64, f64)] = &[
            ("abs", -2.5, 2.5),
            ("sqrt", 2.5, 1.5811388300841898),
            ("floor", -2.5, -3.0),
            ("ceil", -2.5, -2.0),
            ("trunc", -2.5, -2.0),
            ("log", 3.5, 1.252762968495368),
            ("log10", 3.5, 0.5440680443502757),
            ("log2", 3.5, 1.8073549220576042),
            ("log2", 4.0, 2.0),
            ("exp", -0.25, 0.7788007830714049),
            ("cbrt", -2.5, -1.3572088082974534),
            ("cbrt", 3.0, 1.4422495703074083),
            ("sin", 1.5, 0.9974949866040544),
            ("cos", 1.5, 0.0707372016677029),
            ("exp2", 1.5, 2.82842712474619),
            ("exp2", -3.25, 0.10511205190671433),
            ("expm1", 1.5, 3.481689070338065),
            ("expm1", 10.0, 22025.465794806718),
            ("log1p", 1.5, 0.9162907318741551),
            ("erf", 0.5, 0.5204998778130465),
            ("erfc", 0.5, 0.4795001221869535),
            ("gamma", 5.0, 24.0),
            ("gamma", 0.5, 1.772453850905516),
            ("j0", 1.0, 0.7651976865579666),
            ("j1", 1.0, 0.44005058574493355),
            ("y0", 1.0, 0.08825696421567697),
            ("y1", 1.0, -0.7812128213002887),
            ("logb", 8.0, 3.0),
            ("logb", 0.75, -1.0),
            ("logb", 0.0, f64::NEG_INFINITY),
        ];
        for &(name, x, expected) in cases {
            let got = f1(name, x);
            assert!(close(got, expected), "{name}({x}) = {got}, want {expected}");
        }
    }

    #[test]
    fn two_argument_functions_match_the_reference() {
        let cases: &[(&str, f64, f64, f64)] = &[
            ("atan2", 1.5, 2.0, 0.6435011087932844),
            ("atan2", -3.25, 2.0, -1.0191413442663497),
            ("hypot", -2.5, 4.0, 4.716990566028302),
            ("pow", 7.75, 2.0, 60.0625),
            ("mod", -2.5, 2.0, -0.5),
            ("mod", 7.75, 2.0, 1.75),
            ("min", -2.5, 1.0, -2.5),
            ("max", -2.5, 1.0, 1.0),
        ];
        for &(name, x, y, expected) in cases {
            let got = f2(name, &[Value::Float(x), Value::Float(y)]);
            assert!(
                close(got, expected),
                "{name}({x}, {y}) = {got}, want {expected}"
            );
        }
        assert!(close(
            f2("jn", &[Value::Int(2), Value::Float(1.0)]),
            0.11490348493190049
        ));
        assert!(close(
            f2("yn", &[Value::Int(2), Value::Float(1.0)]),
            -1.6506826068162546
        ));
    }

    #[test]
    fn pow10_is_exact_and_saturates() {
        assert_eq!(f2("pow10", &[Value::Int(2)]), 100.0);
        assert_eq!(f2("pow10", &[Value::Int(-1)]), 0.1);
        assert_eq!(f2("pow10", &[Value::Int(23)]), 1e23);
        assert_eq!(f2("pow10", &[Value::Int(400)]), f64::INFINITY);
        assert_eq!(f2("pow10", &[Value::Int(-400)]), 0.0);
        assert!(call("pow10", &[Value::Float(2.0)]).is_err());
    }

    #[test]
    fn max_and_min_follow_go_on_nan_and_zero() {
        assert!(go_max(f64::NAN, 1.0).is_nan());
        assert_eq!(go_max(f64::NAN, f64::INFINITY), f64::INFINITY);
        assert!(go_max(-0.0, 0.0).is_sign_positive());
        assert!(go_min(f64::NAN, 1.0).is_nan());
        assert_eq!(go_min(f64::NAN, f64::NEG_INFINITY), f64::NEG_INFINITY);
        assert!(go_min(0.0, -0.0).is_sign_negative());
    }

    #[test]
    fn an_int_argument_is_a_signature_error() {
        assert_eq!(
            call("pow", &[Value::Int(2), Value::Float(2.0)])
                .unwrap_err()
                .to_string(),
            "Cannot call function \"pow\" with args (int,float), available signatures are [(float,float)]."
        );
    }
}
