//! Literal tokens: the logos callbacks that scan quoted text and turn number, duration, string,
//! reference and regex text into values, reporting bad literals as diagnostics while still
//! producing a token so that parsing carries on.

use logos::Lexer;

use super::token::{DurationLit, IntLit, StrLit, Token, current_span};
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// `_name`: Kapacitor rejects a leading underscore; keep it as an identifier after saying so.
pub(super) fn underscore_ident(lex: &mut Lexer<'_, Token>) -> String {
    let name = lex.slice().to_owned();
    let span = current_span(lex);
    lex.extras.push(
        Diagnostic::error(
            "invalid-identifier",
            span,
            format!("identifier `{name}` starts with `_`"),
        )
        .with_label("identifiers must start with a letter")
        .with_hint(
            "TICKscript names start with a letter; `_` may only appear after the first letter",
        ),
    );
    name
}

/// Digits; a leading `0` makes them octal, as in Kapacitor (`0644` is 420).
pub(super) fn int(lex: &mut Lexer<'_, Token>) -> IntLit {
    let text = lex.slice();
    let octal = text.len() > 1 && text.starts_with('0');
    let parsed = if octal {
        i64::from_str_radix(&text[1..], 8)
    } else {
        text.parse::<i64>()
    };
    match parsed {
        Ok(value) => IntLit { value, octal },
        Err(err) => {
            let span = current_span(lex);
            let diagnostic = if octal && text.bytes().any(|b| b == b'8' || b == b'9') {
                Diagnostic::error(
                    "invalid-number",
                    span,
                    format!("illegal number syntax: `{text}`"),
                )
                .with_label("a leading 0 makes this an octal number, which cannot contain 8 or 9")
                .with_hint("remove the leading zeros to write a decimal number")
            } else {
                Diagnostic::error(
                    "invalid-number",
                    span,
                    format!("integer `{text}` is out of range"),
                )
                .with_label(err.to_string())
                .with_hint(format!("integers are 64-bit: the largest is {}", i64::MAX))
            };
            lex.extras.push(diagnostic);
            IntLit { value: 0, octal }
        }
    }
}

/// Digits with one `.` (`1.5`, `1.`, `.5`).
pub(super) fn float(lex: &mut Lexer<'_, Token>) -> f64 {
    let text = lex.slice();
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() => value,
        _ => {
            let span = current_span(lex);
            lex.extras.push(Diagnostic::error(
                "invalid-number",
                span,
                format!("number `{text}` is out of range"),
            ));
            0.0
        }
    }
}

/// `1.2.3`: Kapacitor stops at the second `.` with "multiple decimals in number".
pub(super) fn float_with_extra_dots(lex: &mut Lexer<'_, Token>) -> f64 {
    let text = lex.slice();
    let span = current_span(lex);
    lex.extras.push(
        Diagnostic::error(
            "invalid-number",
            span,
            format!("multiple decimals in number `{text}`"),
        )
        .with_label("a number has at most one `.`"),
    );
    let second_dot = text
        .match_indices('.')
        .nth(1)
        .map_or(text.len(), |(i, _)| i);
    text[..second_dot].parse().unwrap_or(0.0)
}

/// Nanoseconds per duration unit, as influxql.ParseDuration reads them.
fn unit_nanos(unit: &str) -> i64 {
    const SECOND: i64 = 1_000_000_000;
    match unit {
        "u" | "µ" => 1_000,
        "ms" => 1_000_000,
        "s" => SECOND,
        "m" => 60 * SECOND,
        "h" => 3_600 * SECOND,
        "d" => 86_400 * SECOND,
        _ => 604_800 * SECOND, // "w", the only unit left in the token's pattern
    }
}

/// Digits and one unit (`10s`, `5m`, `100ms`, `3µ`). Leading zeros are decimal here.
pub(super) fn duration(lex: &mut Lexer<'_, Token>) -> DurationLit {
    let literal = lex.slice().to_owned();
    let unit_start = literal
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(literal.len());
    let (digits, unit) = literal.split_at(unit_start);
    let nanos = digits
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(unit_nanos(unit)));
    let nanos = nanos.unwrap_or_else(|| {
        let span = current_span(lex);
        lex.extras.push(
            Diagnostic::error(
                "invalid-duration",
                span,
                format!("invalid duration `{literal}`"),
            )
            .with_label("out of range")
            .with_hint("durations must fit in 64-bit nanoseconds (about 292 years)"),
        );
        0
    });
    DurationLit { nanos, literal }
}

/// What a scan for a closing delimiter found.
struct Quoted {
    /// The text between the delimiters, escapes not yet resolved.
    content: String,
    /// Bytes after the opening delimiter that belong to the token.
    consumed: usize,
    terminated: bool,
}

/// Finds the closing `quote` in `rest` (the text after the opening one), treating `\quote` as
/// escaped. Unterminated text stops at the end of the line, so lexing resumes on the next one.
fn scan_quoted(rest: &str, quote: char) -> Quoted {
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        if c == quote {
            return Quoted {
                content: rest[..i].to_owned(),
                consumed: i + c.len_utf8(),
                terminated: true,
            };
        }
        if c == '\\' && rest[i + 1..].starts_with(quote) {
            chars.next();
        }
    }
    let line_end = rest.find('\n').unwrap_or(rest.len());
    Quoted {
        content: rest[..line_end].trim_end_matches('\r').to_owned(),
        consumed: line_end,
        terminated: false,
    }
}

/// Resolves `\quote` to `quote`; every other backslash stays as written (Kapacitor's rule).
fn unescape(content: &str, quote: char) -> String {
    let mut out = String::with_capacity(content.len());
    let mut chars = content.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&quote) {
            continue;
        }
        out.push(c);
    }
    out
}

/// Scans a quoted token whose opening delimiter logos has matched, extends the token over it,
/// and reports it when unterminated.
fn quoted(lex: &mut Lexer<'_, Token>, quote: char, code: &'static str, what: &str) -> String {
    let scan = scan_quoted(lex.remainder(), quote);
    lex.bump(scan.consumed);
    if !scan.terminated {
        let span = current_span(lex);
        lex.extras.push(
            Diagnostic::error(code, span, format!("unterminated {what}"))
                .with_label(format!("this {what} has no closing `{quote}`"))
                .with_hint(format!("add a `{quote}` where the {what} should end")),
        );
    }
    unescape(&scan.content, quote)
}

/// `'text'` with `\'`, `''`, or `'''raw text'''` that may span lines.
pub(super) fn string(lex: &mut Lexer<'_, Token>) -> StrLit {
    let rest = lex.remainder();
    if let Some(after_open) = rest.strip_prefix("''") {
        let (value, consumed) = match after_open.find("'''") {
            Some(end) => (after_open[..end].to_owned(), 2 + end + 3),
            None => {
                let opening = Span::new(lex.span().start, lex.span().end + 2);
                lex.extras.push(
                    Diagnostic::error(
                        "unterminated-string",
                        opening,
                        "unterminated triple-quoted string",
                    )
                    .with_label("this string has no closing `'''`"),
                );
                (after_open.to_owned(), rest.len())
            }
        };
        lex.bump(consumed);
        return StrLit {
            value,
            triple: true,
        };
    }
    StrLit {
        value: quoted(lex, '\'', "unterminated-string", "string"),
        triple: false,
    }
}

/// `"name"` with `\"`.
pub(super) fn reference(lex: &mut Lexer<'_, Token>) -> String {
    quoted(lex, '"', "unterminated-reference", "field reference")
}

/// `/pattern/` with `\/`, lexed when a `/` is in value position: extends the current `/` token
/// over the pattern and checks the pattern with the `regex` crate (RE2 syntax, as Go's).
pub(super) fn regex(lex: &mut Lexer<'_, Token>) -> String {
    let pattern = quoted(lex, '/', "unterminated-regex", "regex");
    if let Err(err) = regex::Regex::new(&pattern) {
        let span = current_span(lex);
        lex.extras.push(
            Diagnostic::error(
                "invalid-regex",
                span,
                format!("invalid regex: {}", regex_error_reason(&err)),
            )
            .with_label("this regex does not compile"),
        );
    }
    pattern
}

/// The one-line reason inside the regex crate's multi-line error text.
fn regex_error_reason(err: &regex::Error) -> String {
    let text = err.to_string();
    let reason = text
        .lines()
        .rev()
        .find_map(|line| line.strip_prefix("error: "))
        .unwrap_or(text.as_str());
    reason.trim().to_owned()
}
