//! The compiler's front end on any text: lexing, parsing, checking and rendering the
//! diagnostics must not panic, and where a script parses, `tickc fmt`'s output must parse to
//! the same tree and format to itself.

use tickc::check::{CheckOptions, check_source};
use tickc::diagnostic::render::{Format, render};
use tickc::fmt::format;
use tickc::fmt::meaning::without_spans;
use tickc::lexer::lex;
use tickc::parser::parse;

/// Runs `tickc check` and `tickc fmt` on `input` (when it is UTF-8, as scripts are read).
pub fn frontend(input: &[u8]) {
    let Ok(source) = std::str::from_utf8(input) else {
        return;
    };
    lex(source);
    let checked = check_source(source, &CheckOptions::default());
    for diagnostic in &checked.diagnostics {
        render(diagnostic, "fuzz.tick", source, Format::Human);
        render(diagnostic, "fuzz.tick", source, Format::Json);
    }
    let (program, diagnostics) = parse(source);
    if diagnostics.iter().any(|d| d.is_error()) {
        return;
    }
    let formatted = format(&program, source);
    let (reparsed, problems) = parse(&formatted);
    let errors: Vec<_> = problems.iter().filter(|d| d.is_error()).collect();
    assert!(
        errors.is_empty(),
        "the formatted script does not parse: {errors:?}\nsource: {source:?}\nformatted: {formatted:?}"
    );
    assert!(
        without_spans(&reparsed) == without_spans(&program),
        "formatting changed the meaning\nsource: {source:?}\nformatted: {formatted:?}"
    );
    assert_eq!(
        format(&reparsed, &formatted),
        formatted,
        "formatting is not idempotent\nsource: {source:?}"
    );
}
