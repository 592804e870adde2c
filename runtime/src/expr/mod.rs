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
mod ops;
mod scope;
pub mod stateful;
mod value;

pub use error::{EvalError, Side, Signature};
pub use go_regex::compile_regex;
pub use ops::{BinaryOp, UnaryOp, binary, logical_operand, predicate, unary};
pub use scope::{Scope, reference};
pub use value::{Type, Value};
