//! The alert templates (`.id()`, `.message()`, `.details()`) parsed with the runtime's own
//! template parser, so a template Kapacitor would refuse when the task starts is an error now,
//! at the string that holds it.

use tick_runtime::template::Template;

use super::Checker;
use crate::diagnostic::Diagnostic;
use crate::ir::Value;
use crate::span::Span;

/// The alert properties that are templates; `.details()` is an HTML template.
const TEMPLATES: [(&str, bool); 3] = [("id", false), ("message", false), ("details", true)];

impl Checker<'_> {
    pub(super) fn check_templates(&mut self) {
        let mut found = Vec::new();
        for node in self.nodes.iter().filter(|n| n.spec.name == "alert") {
            for property in &node.properties {
                let Some(&(name, html)) = TEMPLATES.iter().find(|(n, _)| *n == property.spec.name)
                else {
                    continue;
                };
                let Some(Value::String(text)) = property.args.first() else {
                    continue;
                };
                let parsed = if html {
                    Template::parse_html(text)
                } else {
                    Template::parse(text)
                };
                if let Err(error) = parsed {
                    let span = string_literal(self.source, property.span).unwrap_or(property.span);
                    found.push(
                        Diagnostic::error(
                            "bad-template",
                            span,
                            format!("the `.{name}()` template does not parse: {}", error.message),
                        )
                        .with_label("Kapacitor refuses to start the task")
                        .with_hint("templates are Go text/template: `{{ .ID }}`, `{{ index .Tags \"host\" }}`"),
                    );
                }
            }
        }
        for diagnostic in found {
            self.report(diagnostic);
        }
    }
}

/// The span of the string literal inside a property call (`.id('...')`), from its first quote
/// to its last; `None` when the argument is not a literal (a var).
fn string_literal(source: &str, call: Span) -> Option<Span> {
    let text = source.get(call.start..call.end)?;
    let first = text.find('\'')?;
    let last = text.rfind('\'')?;
    (last > first).then(|| Span::new(call.start + first, call.start + last + 1))
}

#[cfg(test)]
mod tests {
    use crate::check::{CheckOptions, check_source};
    use crate::span::line_col;

    fn diagnostics(script: &str) -> String {
        check_source(script, &CheckOptions::default())
            .diagnostics
            .iter()
            .filter(|d| d.code == "bad-template")
            .map(|d| {
                let at = line_col(script, d.span.start);
                let text = &script[d.span.start..d.span.end];
                format!("{}:{} {text}: {}\n", at.line, at.column, d.message)
            })
            .collect()
    }

    #[test]
    fn a_template_that_does_not_parse_is_an_error_at_its_string() {
        let script = "dbrp \"db\".\"rp\"\nstream\n    |from()\n    |alert()\n        .id('{{ .Name }')\n        .message('{{ if .Level }}x')\n        .details('{{ json . }}')\n        .crit(lambda: TRUE)\n";
        insta::assert_snapshot!(diagnostics(script), @r#"
        5:13 '{{ .Name }': the `.id()` template does not parse: unrecognized character in action: '}'
        6:18 '{{ if .Level }}x': the `.message()` template does not parse: unexpected EOF: missing {{end}}
        "#);
        assert!(check_source(script, &CheckOptions::default()).task.is_none());
    }

    #[test]
    fn good_templates_and_vars_pass() {
        let script = "dbrp \"db\".\"rp\"\nvar m = '{{ .ID }} is {{ .Level }}'\nstream\n    |from()\n    |alert()\n        .id('{{ index .Tags \"host\" }}')\n        .message(m)\n        .crit(lambda: TRUE)\n";
        assert_eq!(diagnostics(script), "");
        let bad_var = "dbrp \"db\".\"rp\"\nvar m = '{{ .ID '\nstream\n    |from()\n    |alert()\n        .message(m)\n";
        let found = diagnostics(bad_var);
        assert!(found.starts_with("6:9 .message(m): "), "{found}");
    }
}
