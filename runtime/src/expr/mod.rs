//! Lambda expressions at run time: the values, operators and builtin functions that
//! tickc-generated code calls, with Kapacitor's typing rules and error messages.
//!
//! Generated code reads references with [`reference`], combines them with [`binary`],
//! [`predicate`] (comparisons straight to a bool), [`logical_operand`] (short-circuit
//! `AND`/`OR`) and [`unary`], calls builtins through [`functions`] and [`stateful`], and ends with
//! [`Value::into_predicate`] (where, alert levels) or [`Value::into_field`] (eval).

pub mod duration;
mod error;
pub mod functions;
mod ops;
mod scope;
pub mod stateful;
mod value;

pub use error::{EvalError, Side, Signature};
pub use ops::{BinaryOp, UnaryOp, binary, logical_operand, predicate, unary};
pub use scope::{Scope, reference};
pub use value::{Type, Value};
