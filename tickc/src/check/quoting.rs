//! The single- vs double-quote trap: `'text'` is a string, `"name"` a field or tag reference.
//! These build the diagnostics for the two ways it shows: a reference where a string value is
//! needed (an error, as in Kapacitor), and two references compared inside a lambda (a warning:
//! legal, but usually a value written with the wrong quotes).

use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// `name` as a single-quoted string literal.
pub(super) fn single_quoted(name: &str) -> String {
    format!("'{}'", name.replace('\'', "\\'"))
}

/// A `"name"` outside a lambda, where only values make sense.
pub(super) fn reference_as_string(name: &str, span: Span) -> Diagnostic {
    let literal = single_quoted(name);
    Diagnostic::error(
        "quoting",
        span,
        format!("a double-quoted \"{name}\" is a field reference; strings take single quotes"),
    )
    .with_label("a field or tag reference")
    .with_hint("double quotes name a field or tag inside a lambda; everywhere else they are a mistake")
    .with_fix(span, literal.clone(), format!("write {literal}"))
}

/// `"a" == "b"` inside a lambda: both sides are fields or tags of the point.
pub(super) fn compared_references(lhs: &str, rhs: &str, rhs_span: Span) -> Diagnostic {
    let literal = single_quoted(rhs);
    Diagnostic::warning(
        "quoting",
        rhs_span,
        format!("\"{lhs}\" is compared with the field or tag \"{rhs}\", not with the string {literal}"),
    )
    .with_label("a field or tag reference")
    .with_hint("double quotes name a field or tag; string values take single quotes")
    .with_fix(rhs_span, literal.clone(), format!("compare with the string {literal}"))
}
