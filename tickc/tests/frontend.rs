//! The whole front end (lex, parse, check, format) over arbitrary and real scripts: it never
//! panics, and formatting a script never changes what the checker says about it.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use tickc::check::{check_source, CheckOptions};
use tickc::diagnostic::Severity;

/// What the checker says about a script, without positions: its (severity, code) pairs, sorted
/// (formatting moves things, and diagnostics come in source order).
fn verdict(source: &str) -> Vec<(Severity, &'static str)> {
    let mut v: Vec<_> =
        check_source(source, &CheckOptions::default()).diagnostics.iter().map(|d| (d.severity, d.code)).collect();
    v.sort();
    v
}

fn format(source: &str) -> Option<String> {
    let (program, diagnostics) = tickc::parser::parse(source);
    if diagnostics.iter().any(|d| d.is_error()) {
        return None;
    }
    Some(tickc::fmt::format(&program, source))
}

/// Fragments of TICKscript, so random sequences often come close to valid scripts.
const VOCABULARY: &[&str] = &[
    "stream", "batch", "|from()", "|window()", "|alert()", "|eval(lambda: \"x\" * 2.0)", "|mean('x')",
    "|percentile('x', 95.0)", "|groupBy('host')", "|where(lambda: \"host\" == 'a')", ".measurement('cpu')",
    ".period(10s)", ".every(5m)", ".crit(lambda: \"v\" > 90)", ".as('y')", ".log('/tmp/a.log')", "var x = 5",
    "var y duration", "dbrp \"telegraf\".\"autogen\"", "lambda:", "(", ")", "[", "]", ",", "'str'", "\"ref\"",
    "/re+/", "10", "0.5", "010", "1h", "TRUE", "AND", "OR", "==", "!=", "<", "+", "-", "*", "/", "%", "!", "=~",
    "// comment\n", "\n", " ", ".", "|", "@udf()", "sigma(\"x\")", "x", "'''raw\n'''",
];

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(VOCABULARY), 0..40).prop_map(|parts| parts.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(source in "\\PC{0,200}") {
        let _ = verdict(&source);
        let _ = format(&source);
    }

    #[test]
    fn formatting_keeps_the_verdict(source in token_soup()) {
        let before = verdict(&source);
        if let Some(formatted) = format(&source) {
            let again = format(&formatted);
            prop_assert_eq!(again.as_deref(), Some(formatted.as_str()), "formatting is idempotent");
            prop_assert_eq!(verdict(&formatted), before);
        }
    }
}

fn scripts_under(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            scripts_under(&path, found);
        } else if path.extension().is_some_and(|e| e == "tick") {
            found.push(path);
        }
    }
}

#[test]
fn formatted_real_scripts_check_the_same() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut scripts = Vec::new();
    scripts_under(&root.join("examples"), &mut scripts);
    scripts_under(&root.join("../shared/conformance"), &mut scripts);
    scripts_under(&root.join("../shared/bench/tasks"), &mut scripts);
    assert!(!scripts.is_empty(), "the examples at least are always there");
    let mut formatted_count = 0;
    for path in &scripts {
        let source = std::fs::read_to_string(path).unwrap();
        let Some(formatted) = format(&source) else { continue };
        formatted_count += 1;
        assert_eq!(verdict(&formatted), verdict(&source), "{}", path.display());
        assert_eq!(format(&formatted).as_deref(), Some(formatted.as_str()), "{} formats idempotently", path.display());
    }
    assert!(formatted_count > 0);
}
