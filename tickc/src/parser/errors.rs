//! The parser's error type, and its conversion to diagnostics that say what was found, what
//! would fit, and which unclosed `(` or `[` a missing `)` or `]` belongs to.

use chumsky::DefaultExpected;
use chumsky::error::{Error, LabelError};
use chumsky::input::Input;
use chumsky::span::SimpleSpan;
use chumsky::util::MaybeRef;

use super::state::MAX_NESTING;
use crate::diagnostic::Diagnostic;
use crate::lexer::Token;
use crate::span::Span;

/// A syntax error as chumsky builds it while backtracking: merged with others at the same
/// position, and relabelled ("an expression") by the labelled parsers it passes through.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum SyntaxError {
    Unexpected {
        span: SimpleSpan,
        expected: Vec<Expected>,
        found: Option<Token>,
    },
    /// Nesting beyond [`MAX_NESTING`]. Never relabelled or merged away: it explains any other
    /// error at its position.
    TooDeep { span: SimpleSpan },
}

/// Something that would have fitted where a syntax error occurred.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Expected {
    Token(Token),
    Label(&'static str),
    End,
    Unspecified,
}

impl SyntaxError {
    pub(super) fn too_deep(span: SimpleSpan) -> Self {
        SyntaxError::TooDeep { span }
    }

    fn add_expected(&mut self, more: impl IntoIterator<Item = Expected>) {
        if let SyntaxError::Unexpected { expected, .. } = self {
            for item in more {
                if !expected.contains(&item) {
                    expected.push(item);
                }
            }
        }
    }
}

impl From<DefaultExpected<'_, Token>> for Expected {
    fn from(expected: DefaultExpected<'_, Token>) -> Self {
        match expected {
            DefaultExpected::Token(token) => Expected::Token((*token).clone()),
            DefaultExpected::EndOfInput => Expected::End,
            // "any token", "something else": nothing worth telling a reader.
            _ => Expected::Unspecified,
        }
    }
}

impl From<&'static str> for Expected {
    fn from(label: &'static str) -> Self {
        Expected::Label(label)
    }
}

impl<'src, I> Error<'src, I> for SyntaxError
where
    I: Input<'src, Token = Token, Span = SimpleSpan>,
{
    fn merge(mut self, other: Self) -> Self {
        match other {
            SyntaxError::TooDeep { .. } => other,
            SyntaxError::Unexpected { expected, .. } => {
                self.add_expected(expected);
                self
            }
        }
    }
}

impl<'src, I, L> LabelError<'src, I, L> for SyntaxError
where
    I: Input<'src, Token = Token, Span = SimpleSpan>,
    L: Into<Expected>,
{
    fn expected_found<E: IntoIterator<Item = L>>(
        expected: E,
        found: Option<MaybeRef<'src, Token>>,
        span: SimpleSpan,
    ) -> Self {
        let expected = expected.into_iter().map(Into::into).collect();
        SyntaxError::Unexpected {
            span,
            expected,
            found: found.map(|token| (*token).clone()),
        }
    }

    fn merge_expected_found<E: IntoIterator<Item = L>>(
        mut self,
        expected: E,
        _: Option<MaybeRef<'src, Token>>,
        _: SimpleSpan,
    ) -> Self {
        self.add_expected(expected.into_iter().map(Into::into));
        self
    }

    fn replace_expected_found<E: IntoIterator<Item = L>>(
        self,
        expected: E,
        found: Option<MaybeRef<'src, Token>>,
        span: SimpleSpan,
    ) -> Self {
        <Self as LabelError<'src, I, L>>::expected_found(expected, found, span)
    }

    fn label_with(&mut self, label: L) {
        if let SyntaxError::Unexpected { expected, .. } = self {
            *expected = vec![label.into()];
        }
    }
}

pub(super) fn to_diagnostic(error: &SyntaxError, tokens: &[(Token, Span)]) -> Diagnostic {
    match error {
        SyntaxError::TooDeep { span } => Diagnostic::error(
            "nesting-too-deep",
            Span::new(span.start, span.end),
            "expression nested too deeply",
        )
        .with_label(format!(
            "more than {MAX_NESTING} levels of parentheses and unary operators"
        ))
        .with_hint("split the expression, e.g. into several vars"),
        SyntaxError::Unexpected {
            span,
            expected,
            found,
        } => {
            let at = Span::new(span.start, span.end);
            let found_text = found
                .as_ref()
                .map_or_else(|| "end of script".to_owned(), Token::to_string);
            let open = innermost_open(at, expected, tokens);
            // Running into the end or the next statement means the bracket was never closed;
            // anything else is out of place inside it.
            let never_closed = matches!(found, None | Some(Token::Var | Token::Dbrp));
            let message = match &open {
                Some(open) if never_closed => {
                    format!(
                        "expected `{}` to close {}, found {found_text}",
                        open.closer, open.what
                    )
                }
                Some(open) => format!("unexpected {found_text} in {}", open.inside),
                None => format!("unexpected {found_text}"),
            };
            let expected = describe_expected(expected);
            let label = if expected.is_empty() {
                "unexpected here".to_owned()
            } else {
                format!("expected {expected}")
            };
            let diagnostic = Diagnostic::error("syntax", at, message).with_label(label);
            match open {
                Some(open) => {
                    diagnostic.with_secondary(open.span, format!("{} opened here", open.what))
                }
                None => diagnostic,
            }
        }
    }
}

/// "`)` or `,`", "`)`, `,` or an operator".
fn describe_expected(expected: &[Expected]) -> String {
    let mut names: Vec<String> = expected
        .iter()
        .filter_map(|item| match item {
            Expected::Token(token) => Some(token.to_string()),
            Expected::Label(label) => Some((*label).to_owned()),
            Expected::End => Some("end of script".to_owned()),
            Expected::Unspecified => None,
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

/// The bracket an error occurred inside of, when the error would accept its closer.
struct OpenBracket {
    closer: char,
    /// "the call to `window`", "the list", "the parenthesis".
    what: String,
    /// "the arguments of `window`", "the list", "the parentheses".
    inside: String,
    span: Span,
}

/// When the error expected `)` or `]`, the innermost bracket left open before it.
fn innermost_open(
    at: Span,
    expected: &[Expected],
    tokens: &[(Token, Span)],
) -> Option<OpenBracket> {
    let before = tokens.iter().take_while(|(_, span)| span.start < at.start);
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
    let (closing, what, inside) = match (token, callee) {
        (Token::LBracket, _) => (
            Token::RBracket,
            "the list".to_owned(),
            "the list".to_owned(),
        ),
        (_, Some((Token::Ident(name), _))) => (
            Token::RParen,
            format!("the call to `{name}`"),
            format!("the arguments of `{name}`"),
        ),
        _ => (
            Token::RParen,
            "the parenthesis".to_owned(),
            "the parentheses".to_owned(),
        ),
    };
    let closer = if closing == Token::RBracket { ']' } else { ')' };
    expected
        .contains(&Expected::Token(closing))
        .then_some(OpenBracket {
            closer,
            what,
            inside,
            span: *span,
        })
}
