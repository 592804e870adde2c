//! Rendering of diagnostics: human text with the source line, line:column and a caret under the
//! span (codespan-reporting), or one JSON object per line for editors. The only place that
//! turns a [`Diagnostic`] into text.

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label as CsLabel};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, Config};
use serde_json::json;

use super::{Diagnostic, Severity};
use crate::span::{line_col, Span};

/// How `tickc` prints diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

/// The span clamped to the source and to char boundaries, so a stale or hand-made span can
/// never make rendering panic.
fn clamp(span: Span, source: &str) -> Span {
    let fix = |mut i: usize| {
        i = i.min(source.len());
        while !source.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = fix(span.start);
    Span::new(start, fix(span.end).max(start))
}

fn to_codespan(d: &Diagnostic, source: &str) -> CsDiagnostic<()> {
    let base = match d.severity {
        Severity::Error => CsDiagnostic::error(),
        Severity::Warning => CsDiagnostic::warning(),
    };
    let mut primary = CsLabel::primary((), clamp(d.span, source).range());
    if let Some(label) = &d.label {
        primary = primary.with_message(label);
    }
    let mut labels = vec![primary];
    labels.extend(
        d.labels.iter().map(|l| CsLabel::secondary((), clamp(l.span, source).range()).with_message(&l.message)),
    );
    let mut notes: Vec<String> = d.hints.iter().map(|h| format!("help: {h}")).collect();
    if let Some(fix) = &d.fix {
        // Most fix messages already quote their replacement ("write 'cpu'"); repeat it only when not.
        if fix.message.contains(fix.replacement.as_str()) {
            notes.push(format!("fix: {}", fix.message));
        } else {
            notes.push(format!("fix: {}: `{}`", fix.message, fix.replacement));
        }
    }
    base.with_code(d.code).with_message(&d.message).with_labels(labels).with_notes(notes)
}

/// The diagnostic as text: `error[code]: message`, then `┌─ file:line:col`, the source line and
/// a caret under the span, then hints.
pub fn to_text(d: &Diagnostic, file_name: &str, source: &str) -> String {
    let file = SimpleFile::new(file_name, source);
    let config = Config { chars: term::Chars::ascii(), ..Config::default() };
    // A clamped span always lies inside the file, the only thing rendering can fail on; keep a
    // plain fallback rather than trusting that with a panic.
    term::emit_into_string(&config, &file, &to_codespan(d, source)).unwrap_or_else(|_| {
        let at = line_col(source, d.span.start);
        format!("{}: {}:{}:{}: {}\n", severity_word(d.severity), file_name, at.line, at.column, d.message)
    })
}

/// The diagnostic as one line of JSON: file, severity, code, message, 1-based line/column of both
/// ends of the span, byte offsets, hints, labels and the fix-it.
pub fn to_json(d: &Diagnostic, file_name: &str, source: &str) -> String {
    let span = clamp(d.span, source);
    let (start, end) = (line_col(source, span.start), line_col(source, span.end));
    let value = json!({
        "file": file_name,
        "severity": d.severity,
        "code": d.code,
        "message": d.message,
        "line": start.line,
        "column": start.column,
        "end_line": end.line,
        "end_column": end.column,
        "start": span.start,
        "end": span.end,
        "label": d.label,
        "hints": d.hints,
        "labels": d.labels.iter().map(|l| {
            let s = clamp(l.span, source);
            let at = line_col(source, s.start);
            json!({"message": l.message, "line": at.line, "column": at.column, "start": s.start, "end": s.end})
        }).collect::<Vec<_>>(),
        "fix": d.fix.as_ref().map(|f| {
            let s = clamp(f.span, source);
            json!({"message": f.message, "replacement": f.replacement, "start": s.start, "end": s.end})
        }),
    });
    value.to_string()
}

pub fn render(d: &Diagnostic, file_name: &str, source: &str, format: Format) -> String {
    match format {
        Format::Human => to_text(d, file_name, source),
        Format::Json => to_json(d, file_name, source) + "\n",
    }
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "stream\n    |from()\n        .measurment('cpu')\n";

    fn sample() -> Diagnostic {
        let start = SRC.find("measurment").unwrap();
        Diagnostic::error("unknown-property", Span::new(start, start + "measurment".len()), "from has no property `measurment`")
            .with_label("unknown property")
            .with_hint("did you mean `measurement`?")
            .with_fix(Span::new(start, start + 10), "measurement", "rename it")
    }

    #[test]
    fn text_shows_line_column_source_and_caret() {
        insta::assert_snapshot!(to_text(&sample(), "cpu.tick", SRC), @r"
        error[unknown-property]: from has no property `measurment`
          --> cpu.tick:3:10
          |
        3 |         .measurment('cpu')
          |          ^^^^^^^^^^ unknown property
          |
          = help: did you mean `measurement`?
          = fix: rename it: `measurement`
        ");
    }

    #[test]
    fn json_is_one_line_with_positions() {
        let line = to_json(&sample(), "cpu.tick", SRC);
        assert!(!line.contains('\n'));
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["line"], 3);
        assert_eq!(v["column"], 10);
        assert_eq!(v["severity"], "error");
        assert_eq!(v["code"], "unknown-property");
        assert_eq!(v["fix"]["replacement"], "measurement");
    }

    #[test]
    fn out_of_range_spans_do_not_panic() {
        let d = Diagnostic::error("x", Span::new(500, 900), "past the end");
        assert!(to_text(&d, "f", SRC).contains("past the end"));
        assert!(to_json(&d, "f", SRC).contains("past the end"));
        let d = Diagnostic::error("x", Span::new(3, 1), "reversed");
        assert!(to_text(&d, "f", "aµb").contains("reversed"));
    }
}
