//! Kapacitor's stateless builtin functions (conversions, math, strings, regex, time, `if`...).
//!
//! Each builtin is a [`Function`] static named after it in upper snake case (`strSubstring` is
//! [`STR_SUBSTRING`], `if` is [`IF`]), for generated code that knows the name at compile time;
//! [`lookup`] and [`call`] find one by its TICKscript name. A call checks the argument types
//! against the builtin's signatures the way Kapacitor does before every call, so the errors say
//! the same things: a missing reference, the accepted signatures, or the function's own failure.
//! The stateful builtins (`sigma`, `count`, `spread`, `rand`) live in [`super::stateful`].

mod conditional;
mod convert;
mod humanize;
mod math;
mod regex_replace;
mod strings;
mod time;

use std::borrow::Cow;

pub use conditional::{IF, IS_PRESENT};
pub use convert::{BOOL, DURATION, FLOAT, INT, STRING, format_float};
pub use humanize::{HUMAN_BYTES, human_bytes};
pub use math::*;
pub use regex_replace::REGEX_REPLACE;
pub use strings::*;
pub use time::{DAY, HOUR, MINUTE, MONTH, NOW, UNIX_NANO, WEEKDAY, YEAR, local_zone};

use super::error::{EvalError, Signature};
use super::value::{Type, Value};

/// A stateless builtin.
#[derive(Debug)]
pub struct Function {
    name: &'static str,
    body: Body,
}

/// How a builtin computes; the common shapes carry a plain Rust function and imply their
/// signature, the others match their arguments themselves.
#[derive(Debug)]
enum Body {
    Float1(fn(f64) -> f64),
    Float2(fn(f64, f64) -> f64),
    StrStrBool(fn(&str, &str) -> bool),
    StrStrInt(fn(&str, &str) -> i64),
    /// Returns a part of its first argument (the trims), so a borrowed string stays borrowed.
    StrStrSlice(for<'s> fn(&'s str, &str) -> &'s str),
    StrMap(fn(&str) -> String),
    /// A number read from a time's civil form in the server's zone.
    TimePart(fn(&jiff::civil::DateTime) -> i64),
    Custom {
        signatures: &'static [Signature],
        call: for<'a> fn(&[Value<'a>]) -> Result<Value<'a>, CallError>,
    },
}

/// Why a builtin's own code refused a call.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CallError {
    /// The argument types fit no signature.
    Signature,
    /// The function failed; the message follows Kapacitor's (often Go's strconv wording).
    Failed(String),
    /// What Kapacitor recovers from a Go panic inside the function, reported without the
    /// "error calling" prefix.
    Runtime(EvalError),
}

const fn sig(args: &'static [Type], returns: Type) -> Signature {
    Signature { args, returns }
}

const FLOAT1: &[Signature] = &[sig(&[Type::Float], Type::Float)];
const FLOAT2: &[Signature] = &[sig(&[Type::Float, Type::Float], Type::Float)];
const STR_STR_BOOL: &[Signature] = &[sig(&[Type::String, Type::String], Type::Bool)];
const STR_STR_INT: &[Signature] = &[sig(&[Type::String, Type::String], Type::Int)];
const STR_STR_STR: &[Signature] = &[sig(&[Type::String, Type::String], Type::String)];
const STR_STR: &[Signature] = &[sig(&[Type::String], Type::String)];
const TIME_INT: &[Signature] = &[sig(&[Type::Time], Type::Int)];

impl Function {
    const fn new(name: &'static str, body: Body) -> Self {
        Function { name, body }
    }

    /// The TICKscript name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The argument lists the builtin accepts.
    pub fn signatures(&self) -> &'static [Signature] {
        match self.body {
            Body::Float1(_) => FLOAT1,
            Body::Float2(_) => FLOAT2,
            Body::StrStrBool(_) => STR_STR_BOOL,
            Body::StrStrInt(_) => STR_STR_INT,
            Body::StrStrSlice(_) => STR_STR_STR,
            Body::StrMap(_) => STR_STR,
            Body::TimePart(_) => TIME_INT,
            Body::Custom { signatures, .. } => signatures,
        }
    }

    /// Calls the builtin on evaluated arguments.
    pub fn call<'a>(&self, args: &[Value<'a>]) -> Result<Value<'a>, EvalError> {
        self.apply(args)
            .map_err(|e| call_error(self.name, self.signatures(), args, e))
    }

    fn apply<'a>(&self, args: &[Value<'a>]) -> Result<Value<'a>, CallError> {
        use Value::{Float, Int, String as Str, Time};
        match (&self.body, args) {
            (Body::Float1(f), [Float(x)]) => Ok(Float(f(*x))),
            (Body::Float2(f), [Float(x), Float(y)]) => Ok(Float(f(*x, *y))),
            (Body::StrStrBool(f), [Str(a), Str(b)]) => Ok(Value::Bool(f(a, b))),
            (Body::StrStrInt(f), [Str(a), Str(b)]) => Ok(Int(f(a, b))),
            (Body::StrStrSlice(f), [Str(a), Str(b)]) => Ok(Str(match a {
                Cow::Borrowed(a) => Cow::Borrowed(f(a, b)),
                Cow::Owned(a) => Cow::Owned(f(a, b).to_owned()),
            })),
            (Body::StrMap(f), [Str(a)]) => Ok(Str(Cow::Owned(f(a)))),
            (Body::TimePart(f), [Time(t)]) => Ok(Int(f(&time::civil_in(local_zone(), *t)))),
            (Body::Custom { call, .. }, args) => call(args),
            _ => Err(CallError::Signature),
        }
    }
}

/// Words a refused call as Kapacitor does: missing references first, then the signature list,
/// else the function's own error.
pub(crate) fn call_error(
    name: &'static str,
    signatures: &'static [Signature],
    args: &[Value],
    error: CallError,
) -> EvalError {
    match error {
        CallError::Failed(message) => EvalError::Call { name, message },
        CallError::Runtime(error) => error,
        CallError::Signature => {
            let missing: Vec<String> = args
                .iter()
                .filter_map(|a| match a {
                    Value::Missing(name) => Some((*name).to_owned()),
                    _ => None,
                })
                .collect();
            if missing.is_empty() {
                EvalError::WrongSignature {
                    name,
                    args: args.iter().map(Value::ty).collect(),
                    signatures,
                }
            } else {
                EvalError::MissingArguments {
                    name,
                    args: missing,
                }
            }
        }
    }
}

/// Every stateless builtin.
static ALL: &[&Function] = &[
    &BOOL,
    &INT,
    &FLOAT,
    &STRING,
    &DURATION,
    &ABS,
    &ACOS,
    &ACOSH,
    &ASIN,
    &ASINH,
    &ATAN,
    &ATAN2,
    &ATANH,
    &CBRT,
    &CEIL,
    &COS,
    &COSH,
    &ERF,
    &ERFC,
    &EXP,
    &EXP2,
    &EXPM1,
    &FLOOR,
    &GAMMA,
    &HYPOT,
    &J0,
    &J1,
    &JN,
    &LOG,
    &LOG10,
    &LOG1P,
    &LOG2,
    &LOGB,
    &MAX,
    &MIN,
    &MOD,
    &POW,
    &POW10,
    &SIN,
    &SINH,
    &SQRT,
    &TAN,
    &TANH,
    &TRUNC,
    &Y0,
    &Y1,
    &YN,
    &STR_CONTAINS,
    &STR_CONTAINS_ANY,
    &STR_COUNT,
    &STR_HAS_PREFIX,
    &STR_HAS_SUFFIX,
    &STR_INDEX,
    &STR_INDEX_ANY,
    &STR_LAST_INDEX,
    &STR_LAST_INDEX_ANY,
    &STR_LENGTH,
    &STR_REPLACE,
    &STR_SUBSTRING,
    &STR_TO_LOWER,
    &STR_TO_UPPER,
    &STR_TRIM,
    &STR_TRIM_LEFT,
    &STR_TRIM_PREFIX,
    &STR_TRIM_RIGHT,
    &STR_TRIM_SPACE,
    &STR_TRIM_SUFFIX,
    &REGEX_REPLACE,
    &IS_PRESENT,
    &UNIX_NANO,
    &MINUTE,
    &HOUR,
    &WEEKDAY,
    &DAY,
    &MONTH,
    &YEAR,
    &NOW,
    &HUMAN_BYTES,
    &IF,
];

/// Finds a stateless builtin by its TICKscript name.
pub fn lookup(name: &str) -> Option<&'static Function> {
    ALL.iter().copied().find(|f| f.name == name)
}

/// Calls a stateless builtin by name; an unknown name fails on every call, as in Kapacitor
/// (which accepts the task and fails each point).
pub fn call<'a>(name: &str, args: &[Value<'a>]) -> Result<Value<'a>, EvalError> {
    match lookup(name) {
        Some(f) => f.call(args),
        None => Err(EvalError::UndefinedFunction {
            name: name.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kapacitor 1.5.7's stateless builtins (tick/stateful/functions.go).
    const KAPACITOR_NAMES: &str = "bool int float string duration abs acos acosh asin asinh atan \
        atan2 atanh cbrt ceil cos cosh erf erfc exp exp2 expm1 floor gamma hypot j0 j1 jn log log10 \
        log1p log2 logb max min mod pow pow10 sin sinh sqrt tan tanh trunc y0 y1 yn strContains \
        strContainsAny strCount strHasPrefix strHasSuffix strIndex strIndexAny strLastIndex \
        strLastIndexAny strLength strReplace strSubstring strToLower strToUpper strTrim strTrimLeft \
        strTrimPrefix strTrimRight strTrimSpace strTrimSuffix regexReplace isPresent unixNano minute \
        hour weekday day month year now humanBytes if";

    #[test]
    fn every_kapacitor_builtin_is_here_under_its_name() {
        let names: Vec<&str> = KAPACITOR_NAMES.split_whitespace().collect();
        for name in &names {
            assert_eq!(lookup(name).map(Function::name), Some(*name));
        }
        assert_eq!(ALL.len(), names.len(), "a builtin Kapacitor does not have");
    }

    #[test]
    fn unknown_functions_fail_when_called() {
        assert_eq!(
            call("nosuch", &[]).unwrap_err().to_string(),
            r#"undefined function: "nosuch""#
        );
    }

    #[test]
    fn a_wrong_argument_type_lists_the_signatures() {
        assert_eq!(
            call("abs", &[Value::Int(-3)]).unwrap_err().to_string(),
            "Cannot call function \"abs\" with args (int), available signatures are [(float)]."
        );
        assert_eq!(
            call("abs", &[Value::Float(1.0), Value::Float(2.0)])
                .unwrap_err()
                .to_string(),
            "Cannot call function \"abs\" with args (float,float), available signatures are [(float)]."
        );
    }

    #[test]
    fn a_missing_argument_is_named() {
        assert_eq!(
            call("abs", &[Value::Missing("x")]).unwrap_err().to_string(),
            r#"Cannot call function "abs" argument "x" is missing"#
        );
    }
}
