//! Why a lambda failed on a point, worded as Kapacitor words it (its messages end up in logs
//! that users compare and search).

use std::fmt;

use super::ops::BinaryOp;
use super::value::Type;

/// Which operand of a binary operator an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Left,
    Right,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Left => "left",
            Side::Right => "right",
        })
    }
}

/// An evaluation failure: Kapacitor logs it and drops the point.
#[derive(Debug, Clone, PartialEq)]
pub enum EvalError {
    /// Both operand types support the operator, but not together (`int + float`).
    MismatchedTypes {
        left: Type,
        op: BinaryOp,
        right: Type,
    },
    /// The left operand's type has no such operator at all (`float % float`).
    InvalidOperator {
        op: BinaryOp,
        ty: Type,
    },
    /// A unary operator applied to a type it does not know (`-"string"`, `!1`).
    InvalidUnaryOperator {
        op: super::ops::UnaryOp,
        ty: Type,
    },
    /// A binary operand is a reference that the point does not have.
    MissingOperand {
        side: Side,
        name: String,
    },
    /// A reference the point does not have, used where a value is needed.
    MissingReference {
        name: String,
    },
    /// A field and a tag share the referenced name.
    FieldTagConflict {
        name: String,
    },
    /// Integer (or duration) division or remainder by zero: a Go runtime panic in Kapacitor.
    DivideByZero,
    /// A slice with its start after its end (`strSubstring(s, 3, 1)`): another Go runtime panic.
    SliceOutOfRange,
    /// The expression's result has a type the context cannot use (a predicate that is not a bool).
    UnexpectedType {
        actual: Type,
        expected: Type,
    },
    /// An `eval` result that cannot be stored in a field (a time or a regex).
    UnstorableResult {
        ty: Type,
    },
    UndefinedFunction {
        name: String,
    },
    /// The argument types match none of the function's signatures.
    WrongSignature {
        name: &'static str,
        args: Vec<Type>,
        signatures: &'static [Signature],
    },
    /// Some arguments are references the point does not have.
    MissingArguments {
        name: &'static str,
        args: Vec<String>,
    },
    /// The function ran and failed.
    Call {
        name: &'static str,
        message: String,
    },
}

/// One accepted argument list of a builtin and what it then returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    pub args: &'static [Type],
    pub returns: Type,
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_type_list(f, self.args)
    }
}

fn write_type_list(f: &mut fmt::Formatter<'_>, types: &[Type]) -> fmt::Result {
    f.write_str("(")?;
    for (i, t) in types.iter().enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        write!(f, "{t}")?;
    }
    f.write_str(")")
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::MismatchedTypes { left, op, right } => write!(
                f,
                "mismatched type to binary operator. got {left} {op} {right}. see bool(), int(), float(), string(), duration()"
            ),
            EvalError::InvalidOperator { op, ty } => {
                write!(f, "invalid {} operator {op} for type {ty}", op.kind())
            }
            EvalError::InvalidUnaryOperator { op, ty } => {
                write!(f, "invalid unary operator {op} for type {ty}")
            }
            EvalError::MissingOperand { side, name } => {
                write!(f, "{side} reference value \"{name}\" is missing value")
            }
            EvalError::MissingReference { name } => {
                write!(f, "reference \"{name}\" is missing value")
            }
            EvalError::FieldTagConflict { name } => {
                write!(
                    f,
                    "cannot have field and tags with same name {}",
                    go_quote(name)
                )
            }
            EvalError::DivideByZero => f.write_str("runtime error: integer divide by zero"),
            EvalError::SliceOutOfRange => f.write_str("runtime error: slice bounds out of range"),
            EvalError::UnexpectedType { actual, expected } => write!(
                f,
                "TypeGuard: expression returned unexpected type {actual}, expected {expected}"
            ),
            EvalError::UnstorableResult { ty } => {
                write!(f, "expression returned unexpected type {ty}")
            }
            EvalError::UndefinedFunction { name } => {
                write!(f, "undefined function: {}", go_quote(name))
            }
            EvalError::WrongSignature {
                name,
                args,
                signatures,
            } => {
                write!(f, "Cannot call function \"{name}\" with args ")?;
                write_type_list(f, args)?;
                f.write_str(", available signatures are [")?;
                for (i, s) in signatures.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{s}")?;
                }
                f.write_str("].")
            }
            EvalError::MissingArguments { name, args } => {
                let quoted: Vec<String> = args.iter().map(|a| format!("\"{a}\"")).collect();
                let (noun, verb) = if args.len() > 1 {
                    ("arguments", "are")
                } else {
                    ("argument", "is")
                };
                write!(
                    f,
                    "Cannot call function \"{name}\" {noun} {} {verb} missing",
                    quoted.join(", ")
                )
            }
            EvalError::Call { name, message } => write!(f, "error calling \"{name}\": {message}"),
        }
    }
}

impl std::error::Error for EvalError {}

/// Quotes like Go's `%q`: double quotes, with quotes, backslashes and control characters escaped.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_quote_escapes_like_go() {
        assert_eq!(go_quote("abc"), r#""abc""#);
        assert_eq!(go_quote("a\"b\\c\n\u{1}é"), r#""a\"b\\c\n\x01é""#);
    }

    #[test]
    fn missing_arguments_wording_depends_on_count() {
        let one = EvalError::MissingArguments {
            name: "abs",
            args: vec!["x".into()],
        };
        assert_eq!(
            one.to_string(),
            r#"Cannot call function "abs" argument "x" is missing"#
        );
        let two = EvalError::MissingArguments {
            name: "pow",
            args: vec!["x".into(), "y".into()],
        };
        assert_eq!(
            two.to_string(),
            r#"Cannot call function "pow" arguments "x", "y" are missing"#
        );
    }
}
