//! Parser: tokens to the syntax tree (chumsky), recovering at statement boundaries so that one
//! run reports every syntax error.

mod errors;
mod grammar;
mod state;

use chumsky::input::Input;
use chumsky::prelude::*;

use crate::ast::Program;
use crate::diagnostic::Diagnostic;
use crate::lexer;
use state::ParseState;

/// Parses a whole script. The program holds every statement that parsed (a statement with a
/// syntax error is left out); the diagnostics hold the lexer's and the parser's problems, in
/// source order. Never panics.
pub fn parse(source: &str) -> (Program, Vec<Diagnostic>) {
    let lexed = lexer::lex(source);
    let tokens: Vec<(lexer::Token, SimpleSpan)> = lexed
        .tokens
        .iter()
        .map(|(token, at)| (token.clone(), SimpleSpan::from(at.range())))
        .collect();
    let end = SimpleSpan::from(source.len()..source.len());
    let mut state = ParseState::new(source);
    let result =
        grammar::program().parse_with_state(tokens.as_slice().split_token_span(end), &mut state);
    let (statements, errors) = result.into_output_errors();

    let mut diagnostics = lexed.diagnostics;
    diagnostics.extend(
        errors
            .iter()
            .map(|error| errors::to_diagnostic(error, &lexed.tokens)),
    );
    diagnostics.append(&mut state.diagnostics);
    diagnostics.sort_by_key(|d| d.span.start);
    let program = Program {
        statements: statements.unwrap_or_default(),
        comments: lexed.comments,
    };
    (program, diagnostics)
}

#[cfg(test)]
mod sexpr;
#[cfg(test)]
mod tests;
