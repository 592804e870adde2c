//! Turns chumsky's syntax errors into diagnostics that say what was found, what would fit, and
//! which unclosed `(` or `[` a missing `)` or `]` belongs to.

use chumsky::error::{Rich, RichPattern, RichReason};
use chumsky::span::SimpleSpan;

use super::grammar::TOO_DEEP;
use super::state::MAX_NESTING;
use crate::diagnostic::Diagnostic;
use crate::lexer::Token;
use crate::span::Span;

pub(super) fn to_diagnostic(error: &Rich<'_, Token, SimpleSpan>, tokens: &[(Token, Span)]) -> Diagnostic {
    let at = Span::new(error.span().start, error.span().end);
    match error.reason() {
        RichReason::Custom(message) if message == TOO_DEEP => {
            Diagnostic::error("nesting-too-deep", at, TOO_DEEP)
                .with_label(format!("more than {MAX_NESTING} levels of parentheses"))
                .with_hint("split the expression, e.g. into several vars")
        }
        RichReason::Custom(message) => Diagnostic::error("syntax", at, message.clone()),
        RichReason::ExpectedFound { expected, found } => {
            let found = found.as_deref().map_or_else(|| "end of script".to_owned(), Token::to_string);
            let expected = describe_expected(expected);
            let closer = expected_closer(error, tokens);
            let message = match &closer {
                Some(open) => format!("expected `{}` to close {}, found {found}", open.closer, open.what),
                None => format!("unexpected {found}"),
            };
            let label = if expected.is_empty() { "unexpected here".to_owned() } else { format!("expected {expected}") };
            let diagnostic = Diagnostic::error("syntax", at, message).with_label(label);
            match closer {
                Some(open) => diagnostic.with_secondary(open.span, format!("{} opened here", open.what)),
                None => diagnostic,
            }
        }
    }
}

/// "`,` or `)`", "expression, `|`, `.` or `@`".
fn describe_expected(expected: &[RichPattern<'_, Token>]) -> String {
    let mut names: Vec<String> = expected
        .iter()
        .filter_map(|pattern| match pattern {
            RichPattern::Token(token) => Some(token.to_string()),
            RichPattern::Label(label) => Some(label.to_string()),
            RichPattern::Identifier(name) => Some(format!("`{name}`")),
            RichPattern::EndOfInput => Some("end of script".to_owned()),
            RichPattern::Any => Some("more input".to_owned()),
            _ => None,
        })
        .collect();
    names.sort();
    names.dedup();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// An unclosed bracket that the error is waiting to see closed.
struct Unclosed {
    closer: char,
    /// "the call to `window`", "the list", "the parenthesis".
    what: String,
    span: Span,
}

/// When the error expected `)` or `]` (and found something else), the innermost bracket left
/// open before it.
fn expected_closer(error: &Rich<'_, Token, SimpleSpan>, tokens: &[(Token, Span)]) -> Option<Unclosed> {
    let before = tokens.iter().take_while(|(_, at)| at.start < error.span().start);
    let mut open: Vec<usize> = Vec::new();
    for (index, (token, _)) in before.enumerate() {
        match token {
            Token::LParen | Token::LBracket => open.push(index),
            Token::RParen | Token::RBracket => {
                open.pop();
            }
            _ => {}
        }
    }
    let index = *open.last()?;
    let (token, span) = tokens.get(index)?;
    let callee = index.checked_sub(1).and_then(|i| tokens.get(i));
    let (closer, closing, what) = match (token, callee) {
        (Token::LBracket, _) => (']', Token::RBracket, "the list".to_owned()),
        (_, Some((Token::Ident(name), _))) => (')', Token::RParen, format!("the call to `{name}`")),
        _ => (')', Token::RParen, "the parenthesis".to_owned()),
    };
    let expected = error.expected().any(|p| matches!(p, RichPattern::Token(t) if **t == closing));
    if !expected {
        return None;
    }
    Some(Unclosed { closer, what, span: *span })
}
