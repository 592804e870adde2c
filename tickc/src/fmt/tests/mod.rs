//! Tests of the formatter: Kapacitor's own cases, comments in odd places, every script of the
//! project's corpora, snapshots, and random trees.

mod comment_placement;
mod corpus;
mod kapacitor_cases;
mod random_trees;
mod snapshots;

use super::{format, meaning};
use crate::ast::Program;
use crate::parser::parse;

/// Parses `source`, failing the test on any diagnostic.
pub(super) fn parse_clean(source: &str) -> Program {
    let (program, diagnostics) = parse(source);
    assert!(diagnostics.is_empty(), "diagnostics {diagnostics:?} for:\n{source}");
    program
}

/// Parses and formats `source`.
fn format_source(source: &str) -> String {
    format(&parse_clean(source), source)
}

/// Every comment line's text, in order, whatever blocks they fall in.
fn comment_lines(program: &Program) -> Vec<String> {
    program.comments.iter().flat_map(|c| c.lines.iter().map(|l| l.trim().to_owned())).collect()
}

/// The formatter's contract on one script: the output reads back to the same tree (spans
/// aside) with the same comments, and formatting it again changes nothing. Returns the output.
fn assert_contract(source: &str) -> String {
    let original = parse_clean(source);
    let formatted = format(&original, source);
    let reparsed = parse_clean(&formatted);
    assert_eq!(
        meaning::without_spans(&reparsed),
        meaning::without_spans(&original),
        "meaning changed; formatted:\n{formatted}"
    );
    assert_eq!(comment_lines(&reparsed), comment_lines(&original), "comments changed; formatted:\n{formatted}");
    let again = format(&reparsed, &formatted);
    assert_eq!(again, formatted, "not idempotent; first output:\n{formatted}");
    formatted
}
