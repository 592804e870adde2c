//! The values a lambda computes with, and how they come from and go back to point fields.
//!
//! A value borrows what it can: strings read from a point or written as literals stay
//! borrowed until an operation builds a new one, and a regex is a reference to the compiled
//! literal (cloning a `regex::Regex` would give it a fresh match cache on every point).

use std::borrow::Cow;
use std::fmt;

use regex::Regex;

use super::error::EvalError;
use crate::point::FieldValue;

/// A value's type, named as Kapacitor names it in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    Float,
    Int,
    String,
    Bool,
    Regex,
    Time,
    Duration,
    Missing,
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Type::Float => "float",
            Type::Int => "int",
            Type::String => "string",
            Type::Bool => "boolean",
            Type::Regex => "regex",
            Type::Time => "time",
            Type::Duration => "duration",
            Type::Missing => "missing",
        })
    }
}

/// A lambda value.
#[derive(Debug, Clone)]
pub enum Value<'a> {
    Float(f64),
    Int(i64),
    String(Cow<'a, str>),
    Bool(bool),
    /// Nanoseconds since the Unix epoch; time functions read it in the server's local zone.
    Time(i64),
    /// Nanoseconds.
    Duration(i64),
    Regex(&'a Regex),
    /// A reference the point has neither as a field nor as a tag; carries the reference's name.
    Missing(&'a str),
}

impl<'a> Value<'a> {
    pub fn ty(&self) -> Type {
        match self {
            Value::Float(_) => Type::Float,
            Value::Int(_) => Type::Int,
            Value::String(_) => Type::String,
            Value::Bool(_) => Type::Bool,
            Value::Regex(_) => Type::Regex,
            Value::Time(_) => Type::Time,
            Value::Duration(_) => Type::Duration,
            Value::Missing(_) => Type::Missing,
        }
    }

    /// A string literal or any borrowed text.
    pub fn str(s: &'a str) -> Self {
        Value::String(Cow::Borrowed(s))
    }

    /// Reads a field value, borrowing its string.
    pub fn from_field(field: &'a FieldValue) -> Self {
        match field {
            FieldValue::Float(x) => Value::Float(*x),
            FieldValue::Int(x) => Value::Int(*x),
            FieldValue::String(s) => Value::str(s),
            FieldValue::Bool(b) => Value::Bool(*b),
        }
    }

    /// Turns an `eval` result into a field value. A duration is stored as its nanoseconds (what
    /// Kapacitor's JSON output shows for it); a time or a regex cannot be stored, and a missing
    /// reference fails as Kapacitor fails it.
    pub fn into_field(self) -> Result<FieldValue, EvalError> {
        match self {
            Value::Float(x) => Ok(FieldValue::Float(x)),
            Value::Int(x) | Value::Duration(x) => Ok(FieldValue::Int(x)),
            Value::String(s) => Ok(FieldValue::String(s.into_owned())),
            Value::Bool(b) => Ok(FieldValue::Bool(b)),
            Value::Missing(name) => Err(EvalError::MissingReference {
                name: name.to_owned(),
            }),
            other => Err(EvalError::UnstorableResult { ty: other.ty() }),
        }
    }

    /// The result of a lambda used as a predicate (where, alert levels...): it must be a bool.
    pub fn into_predicate(self) -> Result<bool, EvalError> {
        match self {
            Value::Bool(b) => Ok(b),
            Value::Missing(name) => Err(EvalError::MissingReference {
                name: name.to_owned(),
            }),
            other => Err(EvalError::UnexpectedType {
                actual: other.ty(),
                expected: Type::Bool,
            }),
        }
    }
}

impl PartialEq for Value<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Time(a), Value::Time(b)) => a == b,
            (Value::Duration(a), Value::Duration(b)) => a == b,
            (Value::Regex(a), Value::Regex(b)) => a.as_str() == b.as_str(),
            (Value::Missing(a), Value::Missing(b)) => a == b,
            _ => false,
        }
    }
}

impl From<f64> for Value<'_> {
    fn from(x: f64) -> Self {
        Value::Float(x)
    }
}

impl From<i64> for Value<'_> {
    fn from(x: i64) -> Self {
        Value::Int(x)
    }
}

impl From<bool> for Value<'_> {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(s: &'a str) -> Self {
        Value::str(s)
    }
}

impl From<String> for Value<'_> {
    fn from(s: String) -> Self {
        Value::String(Cow::Owned(s))
    }
}

impl<'a> From<&'a FieldValue> for Value<'a> {
    fn from(field: &'a FieldValue) -> Self {
        Value::from_field(field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_values_round_trip() {
        for field in [
            FieldValue::Float(1.5),
            FieldValue::Int(-3),
            FieldValue::String("s".into()),
            FieldValue::Bool(true),
        ] {
            assert_eq!(Value::from_field(&field).into_field(), Ok(field.clone()));
        }
    }

    #[test]
    fn a_duration_result_is_stored_as_nanoseconds() {
        assert_eq!(
            Value::Duration(90_000_000_000).into_field(),
            Ok(FieldValue::Int(90_000_000_000))
        );
    }

    #[test]
    fn times_regexes_and_missing_values_cannot_be_stored() {
        let re = Regex::new("a").unwrap();
        assert_eq!(
            Value::Time(0).into_field().unwrap_err().to_string(),
            "expression returned unexpected type time"
        );
        assert_eq!(
            Value::Regex(&re).into_field().unwrap_err().to_string(),
            "expression returned unexpected type regex"
        );
        assert_eq!(
            Value::Missing("x").into_field().unwrap_err().to_string(),
            r#"reference "x" is missing value"#
        );
    }

    #[test]
    fn a_predicate_must_be_a_bool() {
        assert_eq!(Value::Bool(true).into_predicate(), Ok(true));
        assert_eq!(
            Value::Float(1.0).into_predicate().unwrap_err().to_string(),
            "TypeGuard: expression returned unexpected type float, expected boolean"
        );
    }

    #[test]
    fn type_names_are_kapacitors() {
        let names: Vec<String> = [
            Type::Float,
            Type::Int,
            Type::String,
            Type::Bool,
            Type::Duration,
        ]
        .iter()
        .map(Type::to_string)
        .collect();
        assert_eq!(names, ["float", "int", "string", "boolean", "duration"]);
    }
}
