//! The report of `tickc test`, shaped like `cargo test`'s: a line per test, then each failure
//! with a column-aligned diff of what was expected against the nearest thing that happened
//! (carets under the properties that differ), and a summary line.

use std::fmt::Write;

use super::expect::{Check, Context, Failure, FailureKind};
use super::outcome::Outcome;
use crate::span::line_col;

/// How many events of a kind a failure lists before cutting the list short.
const LISTED: usize = 20;

#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Passed,
    /// The report of its failures.
    Failed(String),
    /// The test could not run (its script or test file is wrong); the problem was printed.
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TestResult {
    /// `file::test`.
    pub name: String,
    pub verdict: Verdict,
}

/// The expectation line and the event line of a failure, cell by cell, with a caret line
/// under the cells that differ.
fn diff(out: &mut String, expected_label: &str, actual_label: &str, checks: &[Check]) {
    let mut want = format!("  {expected_label:<9}");
    let mut got = format!("  {actual_label:<9}");
    let mut marks = " ".repeat(11);
    for c in checks {
        let w = format!("{}={}", c.key, c.expected);
        let g = format!("{}={}", c.key, c.actual);
        let width = w.chars().count().max(g.chars().count());
        let _ = write!(want, " {w:<width$}");
        let _ = write!(got, " {g:<width$}");
        marks.push(' ');
        marks.push_str(&if c.ok { " ".repeat(width) } else { "^".repeat(width) });
    }
    let differs = checks.iter().any(|c| !c.ok);
    for line in [Some(want), Some(got), differs.then_some(marks)].into_iter().flatten() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// An expectation of what must not happen, and the event that did.
fn offender(out: &mut String, checks: &[Check], event: Option<&str>) {
    let absent: Vec<String> = checks.iter().map(|c| format!("{}={}", c.key, c.expected)).collect();
    let _ = writeln!(out, "  absent    {}", absent.join(" "));
    let _ = writeln!(out, "  happened  {}", event.unwrap_or(""));
}

fn list(out: &mut String, title: &str, items: impl ExactSizeIterator<Item = String>) {
    let total = items.len();
    let _ = writeln!(out, "{title} ({total}):");
    if total == 0 {
        out.push_str("    (none)\n");
    }
    for item in items.take(LISTED) {
        let _ = writeln!(out, "    {item}");
    }
    if total > LISTED {
        let _ = writeln!(out, "    … {} more", total - LISTED);
    }
}

/// The failures of one test as the report shows them, followed by the alerts raised and the
/// output of each node a failure is about.
pub fn render_failures(file_name: &str, source: &str, failures: &[Failure], outcome: &Outcome, ctx: &Context) -> String {
    let mut out = String::new();
    for f in failures {
        let at = line_col(source, f.span.start);
        let place = format!("{file_name}:{}:{}", at.line, at.column);
        let node = f.node.as_deref().unwrap_or("");
        match f.kind {
            FailureKind::MissingAlert => {
                let _ = writeln!(out, "expected alert was not raised ({place})");
                diff(&mut out, "expected", if f.event.is_some() { "nearest" } else { "raised" }, &f.checks);
            }
            FailureKind::UnwantedAlert => {
                let _ = writeln!(out, "an alert that must not be raised was ({place})");
                offender(&mut out, &f.checks, f.event.as_deref());
            }
            FailureKind::UnlistedAlert => {
                let _ = writeln!(out, "unexpected alert: {}", f.event.as_deref().unwrap_or(""));
            }
            FailureKind::MissingOutput if f.event.is_none() => {
                let _ = writeln!(out, "expected output of {node} was not emitted: {node} emitted nothing ({place})");
            }
            FailureKind::MissingOutput => {
                let _ = writeln!(out, "expected output of {node} was not emitted ({place})");
                diff(&mut out, "expected", "nearest", &f.checks);
            }
            FailureKind::UnwantedOutput => {
                let _ = writeln!(out, "{node} emitted what it must not ({place})");
                offender(&mut out, &f.checks, f.event.as_deref());
            }
        }
    }
    out.push('\n');
    if failures.iter().any(|f| matches!(f.kind, FailureKind::MissingAlert | FailureKind::UnwantedAlert)) {
        list(&mut out, "alerts raised", outcome.alerts.iter().map(|a| ctx.describe_alert(a)));
    }
    let mut nodes: Vec<&str> = failures.iter().filter_map(|f| f.node.as_deref()).collect();
    nodes.dedup();
    for node in nodes {
        let emitted = outcome.emitted.iter().filter(|m| m.node == node).map(|m| ctx.describe_message(&m.message));
        list(&mut out, &format!("{node} emitted"), emitted.collect::<Vec<_>>().into_iter());
    }
    out
}

/// The line printed as a test finishes.
pub fn result_line(result: &TestResult) -> String {
    let word = match result.verdict {
        Verdict::Passed => "ok",
        Verdict::Failed(_) => "FAILED",
        Verdict::Error => "ERROR",
    };
    format!("test {} ... {word}", result.name)
}

/// The failures section and the summary line, after every test ran.
pub fn summary(results: &[TestResult]) -> String {
    let mut out = String::new();
    let failed: Vec<&TestResult> = results.iter().filter(|r| matches!(r.verdict, Verdict::Failed(_))).collect();
    if !failed.is_empty() {
        out.push_str("\nfailures:\n\n");
        for r in &failed {
            if let Verdict::Failed(text) = &r.verdict {
                let _ = write!(out, "---- {} ----\n{text}\n", r.name);
            }
        }
        out.push_str("failures:\n");
        for r in &failed {
            let _ = writeln!(out, "    {}", r.name);
        }
    }
    let passed = results.iter().filter(|r| r.verdict == Verdict::Passed).count();
    let errors = results.iter().filter(|r| r.verdict == Verdict::Error).count();
    let ok = failed.is_empty() && errors == 0;
    let _ = write!(out, "\ntest result: {}. {passed} passed; {} failed", if ok { "ok" } else { "FAILED" }, failed.len());
    if errors > 0 {
        let _ = write!(out, "; {errors} could not run");
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::expect::check;
    use crate::testing::file::parse_test_file;

    #[test]
    fn output_failures_show_the_nearest_message_and_what_the_node_emitted() {
        let source = r#"
[[test]]
name = "t"
[[test.input]]
measurement = "m"
fields = { v = 1 }
[[test.output]]
node = "window2"
at = "1m"
count = 3
points = [{ fields = { v = 1.0 } }, { at = "20s" }]
[[test.absent_output]]
node = "window2"
tags = { host = "b" }
"#;
        let file = parse_test_file(source).unwrap();
        let window = |time: i64, host: &str, n: usize| {
            let points: Vec<String> = (0..n).map(|i| format!(r#"{{"time":{},"tags":{{}},"fields":{{"v":{}.0}}}}"#, i as i64 * 10_000_000_000, i + 1)).collect();
            format!(r#"{{"emitted":{{"node":"window2","message":{{"batch":{{"name":"m","time":{time},"tags":{{"host":"{host}"}},"points":[{}]}}}}}}}}"#, points.join(","))
        };
        let outcome = Outcome::parse(&[window(60_000_000_000, "a", 2), window(60_000_000_000, "b", 3)].join("\n")).unwrap();
        let ctx = Context { start: 0, tolerance: 1e-9 };
        let failures = check(file.tests[0].get_ref(), &outcome, &ctx);
        insta::assert_snapshot!(render_failures("t.test.toml", source, &failures, &outcome, &ctx), @r#"
        expected output of window2 was not emitted (t.test.toml:7:1)
          expected  at=1m count=3 points=[{fields.v=1.0}, {at=20s}]
          nearest   at=1m count=3 points=[{fields.v=1.0}, {at=10s}, … 1 more]
                                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        window2 emitted what it must not (t.test.toml:12:1)
          absent    tags.host="b"
          happened  1m batch m,host=b 3 point(s)

        window2 emitted (2):
            1m batch m,host=a 2 point(s)
            1m batch m,host=b 3 point(s)
        "#);
    }
}
