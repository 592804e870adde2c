//! Lexer: TICKscript source text to tokens with byte spans, comments apart.
//!
//! logos recognises tokens context-free; this wrapper adds the two decisions that depend on the
//! previous token, as Kapacitor's lexer makes them: after a value (operator position) `*`
//! multiplies and `/` divides; elsewhere (value position) `*` is "all tags" and `/` opens a
//! `/regex/`. Problems become diagnostics and lexing goes on.

mod comments;
mod literal;
mod token;

pub use token::{DurationLit, IntLit, StrLit, Token};

use logos::Logos;

use crate::ast::Comment;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use comments::CommentBlocks;

/// The result of lexing a script.
#[derive(Debug, Clone, Default)]
pub struct Lexed {
    /// Every token but comments, in source order.
    pub tokens: Vec<(Token, Span)>,
    /// Comment blocks, in source order.
    pub comments: Vec<Comment>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Lexes a whole script. Never fails: bad input yields diagnostics beside the tokens.
pub fn lex(source: &str) -> Lexed {
    let mut lexer = Token::lexer_with_extras(source, Vec::new());
    let mut tokens: Vec<(Token, Span)> = Vec::new();
    let mut comments = CommentBlocks::default();
    let mut unknown: Vec<Diagnostic> = Vec::new();
    while let Some(next) = lexer.next() {
        let span: Span = lexer.span().into();
        let after_value = tokens.last().is_some_and(|(token, _)| token.ends_value());
        let token = match next {
            Ok(Token::Comment) => {
                comments.push(source, span);
                continue;
            }
            Ok(Token::Star) if after_value => Token::Mul,
            Ok(Token::Slash) if !after_value => {
                let pattern = literal::regex(&mut lexer);
                tokens.push((Token::Regex(pattern), lexer.span().into()));
                continue;
            }
            Ok(token) => token,
            Err(()) => {
                report_unknown(&mut unknown, source, span);
                continue;
            }
        };
        tokens.push((token, span));
    }
    let mut diagnostics = lexer.extras;
    diagnostics.append(&mut unknown);
    diagnostics.sort_by_key(|d| d.span.start);
    Lexed {
        tokens,
        comments: comments.finish(),
        diagnostics,
    }
}

/// Reports characters that start no token, one diagnostic per run of them.
fn report_unknown(reported: &mut Vec<Diagnostic>, source: &str, span: Span) {
    if let Some(last) = reported.last_mut()
        && last.span.end == span.start
    {
        last.span = last.span.to(span);
        last.message = format!(
            "unexpected characters `{}`",
            source.get(last.span.range()).unwrap_or_default()
        );
        return;
    }
    let text = source.get(span.range()).unwrap_or_default();
    reported.push(
        Diagnostic::error(
            "unknown-character",
            span,
            format!("unexpected character `{}`", text.escape_debug()),
        )
        .with_label("no TICKscript token starts with this"),
    );
}

#[cfg(test)]
mod tests;
