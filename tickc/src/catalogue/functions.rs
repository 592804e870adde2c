//! The lambda function table: every builtin function with its signatures.

use super::*;

pub static FUNCTIONS: &[FunctionSpec] = &[];
