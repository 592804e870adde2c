//! Formatter: the canonical layout of a TICKscript, as Kapacitor's formatter prints it.
//!
//! Four-space indent; each `|node` and `@udf` link on its own line one step in from its
//! statement, each `.property` link two steps in; one blank line between statements; comments
//! normalised to `// text` and kept where they were relative to the code; literals in canonical
//! spelling. Line breaks inside call arguments and binary expressions follow the source.
//! Formatting is idempotent and keeps the script's meaning.

mod comments;
mod layout;
mod literal;
pub mod meaning;
mod printer;

use crate::ast::Program;

/// Formats a parsed script. `source` is the text it was parsed from: comment blocks and
/// line breaks inside expressions are read from it by span.
pub fn format(program: &Program, source: &str) -> String {
    printer::Printer::new(program, source).program(&program.statements)
}

#[cfg(test)]
mod tests;
