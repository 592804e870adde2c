//! Holding a test's expectations against what the task did: each expected alert or output
//! must match its own event (any subset of properties; an assignment is searched, so the
//! order of expectations does not matter), absent ones must match none, and `no_alerts` /
//! `only_listed_alerts` bound the rest. A failure keeps, key by key, what was expected and
//! what the nearest event had, for the report's diff.

use std::collections::BTreeMap;

use serde_json::Value;

use super::duration::format_offset;
use super::file::{span_of, AlertExpectation, OutputExpectation, PointExpectation, TestCase};
use super::outcome::{AlertEvent, Emission, Message, Outcome};
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// What the comparison needs besides the test: where offsets count from, and how close two
/// numbers must be.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    pub start: i64,
    pub tolerance: f64,
}

/// One property of an expectation next to the event's.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub key: String,
    pub expected: String,
    pub actual: String,
    pub ok: bool,
}

impl Check {
    fn new(key: impl Into<String>, expected: impl Into<String>, actual: impl Into<String>, ok: bool) -> Check {
        Check { key: key.into(), expected: expected.into(), actual: actual.into(), ok }
    }
}

fn all_ok(checks: &[Check]) -> bool {
    checks.iter().all(|c| c.ok)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// A `[[test.alert]]` no event matched.
    MissingAlert,
    /// An event matched a `[[test.absent_alert]]`.
    UnwantedAlert,
    /// An event under `no_alerts`, or one no `[[test.alert]]` lists under `only_listed_alerts`.
    UnlistedAlert,
    MissingOutput,
    UnwantedOutput,
}

/// One unmet expectation. `checks` are the expectation's properties next to the nearest
/// event's (the offending event's for unwanted ones); `event` describes that event in full.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub kind: FailureKind,
    pub span: Span,
    pub checks: Vec<Check>,
    pub event: Option<String>,
    /// The node whose output the report should list (output failures).
    pub node: Option<String>,
}

impl Context {
    fn offset(&self, time: i64) -> String {
        format_offset(time.saturating_sub(self.start))
    }

    fn numbers_equal(&self, expected: &Value, actual: &Value) -> bool {
        match (expected.as_f64(), actual.as_f64()) {
            (Some(e), Some(a)) => e == a || (e - a).abs() <= self.tolerance * e.abs().max(a.abs()),
            _ => expected == actual,
        }
    }

    fn time_check(&self, key: &str, expected: Option<super::file::Offset>, actual: i64, out: &mut Vec<Check>) {
        if let Some(at) = expected {
            let actual_offset = actual.saturating_sub(self.start);
            out.push(Check::new(key, format_offset(at.0), format_offset(actual_offset), at.0 == actual_offset));
        }
    }

    fn tag_checks(&self, expected: &BTreeMap<String, String>, actual: &BTreeMap<String, String>, out: &mut Vec<Check>) {
        for (name, value) in expected {
            let got = actual.get(name);
            out.push(Check::new(format!("tags.{name}"), quoted(value), got.map_or("(none)".into(), |v| quoted(v)), got == Some(value)));
        }
    }

    fn field_checks(&self, expected: &BTreeMap<String, Value>, actual: &BTreeMap<String, Value>, out: &mut Vec<Check>) {
        for (name, value) in expected {
            let got = actual.get(name);
            let ok = got.is_some_and(|g| self.numbers_equal(value, g));
            out.push(Check::new(format!("fields.{name}"), value.to_string(), got.map_or("(none)".into(), Value::to_string), ok));
        }
    }

    fn text_check(key: &str, expected: Option<&str>, actual: &str, out: &mut Vec<Check>) {
        if let Some(e) = expected {
            out.push(Check::new(key, quoted(e), quoted(actual), e == actual));
        }
    }

    /// An alert expectation next to an event.
    pub fn alert_checks(&self, e: &AlertExpectation, event: &AlertEvent) -> Vec<Check> {
        let mut out = Vec::new();
        if let Some(node) = &e.node {
            out.push(Check::new("node", node.get_ref(), &event.node, node.get_ref() == &event.node));
        }
        self.time_check("at", e.at, event.time, &mut out);
        for (key, level, actual) in [("level", &e.level, &event.level), ("previous_level", &e.previous_level, &event.previous_level)] {
            if let Some(level) = level {
                out.push(Check::new(key, &level.0, actual, &level.0 == actual));
            }
        }
        Self::text_check("id", e.id.as_deref(), &event.id, &mut out);
        Self::text_check("message", e.message.as_deref(), &event.message, &mut out);
        self.tag_checks(&e.tags, &event.tags, &mut out);
        self.field_checks(&e.fields, &event.fields, &mut out);
        out
    }

    /// An output expectation next to a message of its node.
    pub fn output_checks(&self, e: &OutputExpectation, message: &Message) -> Vec<Check> {
        let mut out = Vec::new();
        match message {
            Message::Point(p) => {
                self.time_check("at", e.at, p.time, &mut out);
                Self::text_check("measurement", e.measurement.as_deref(), &p.name, &mut out);
                self.tag_checks(&e.tags, &p.tags, &mut out);
                self.field_checks(&e.fields, &p.fields, &mut out);
                if let Some(count) = e.count {
                    out.push(Check::new("count", count.to_string(), "a point, not a batch", false));
                }
                if e.points.is_some() {
                    out.push(Check::new("points", "a batch", "a point", false));
                }
            }
            Message::Batch(b) => {
                self.time_check("at", e.at, b.time, &mut out);
                Self::text_check("measurement", e.measurement.as_deref(), &b.name, &mut out);
                self.tag_checks(&e.tags, &b.tags, &mut out);
                for name in e.fields.keys() {
                    out.push(Check::new(format!("fields.{name}"), "a point's field", "a batch (describe its `points`)", false));
                }
                if let Some(count) = e.count {
                    out.push(Check::new("count", count.to_string(), b.points.len().to_string(), count == b.points.len()));
                }
                if let Some(points) = &e.points {
                    out.push(self.points_check(points, b));
                }
            }
        }
        out
    }

    /// A batch's points against the expected list, as one property.
    fn points_check(&self, expected: &[PointExpectation], batch: &super::outcome::Batch) -> Check {
        let mut ok = expected.len() == batch.points.len();
        let mut want = Vec::new();
        let mut got = Vec::new();
        for (i, e) in expected.iter().enumerate() {
            let mut checks = Vec::new();
            match batch.points.get(i) {
                Some(p) => {
                    self.time_check("at", e.at, p.time, &mut checks);
                    self.tag_checks(&e.tags, &p.tags, &mut checks);
                    self.field_checks(&e.fields, &p.fields, &mut checks);
                    ok &= all_ok(&checks);
                    got.push(brace(&checks, |c| &c.actual));
                }
                None => {
                    // Described with an empty actual, so the expected side still shows.
                    self.time_check("at", e.at, 0, &mut checks);
                    self.tag_checks(&e.tags, &BTreeMap::new(), &mut checks);
                    self.field_checks(&e.fields, &BTreeMap::new(), &mut checks);
                }
            }
            want.push(brace(&checks, |c| &c.expected));
        }
        if batch.points.len() > expected.len() {
            got.push(format!("… {} more", batch.points.len() - expected.len()));
        }
        Check::new("points", format!("[{}]", want.join(", ")), format!("[{}]", got.join(", ")), ok)
    }

    /// An alert event on one line.
    pub fn describe_alert(&self, a: &AlertEvent) -> String {
        format!(
            "{} {} {} (was {}) id={} message={}",
            self.offset(a.time),
            a.node,
            a.level,
            a.previous_level,
            quoted(&a.id),
            quoted(&a.message)
        )
    }

    /// An emitted message on one line.
    pub fn describe_message(&self, m: &Message) -> String {
        match m {
            Message::Point(p) => format!("{} point {}{} {}", self.offset(p.time), p.name, tag_list(&p.tags), field_list(&p.fields)),
            Message::Batch(b) => format!("{} batch {}{} {} point(s)", self.offset(b.time), b.name, tag_list(&b.tags), b.points.len()),
        }
    }
}

fn quoted(s: &str) -> String {
    format!("{s:?}")
}

fn tag_list(tags: &BTreeMap<String, String>) -> String {
    let parts: Vec<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!(",{}", parts.join(",")).trim_end_matches(',').to_string()
}

fn field_list(fields: &BTreeMap<String, Value>) -> String {
    fields.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
}

fn brace(checks: &[Check], side: impl Fn(&Check) -> &String) -> String {
    format!("{{{}}}", checks.iter().map(|c| format!("{}={}", c.key, side(c))).collect::<Vec<_>>().join(" "))
}

/// For each expectation, the candidate it is assigned (a maximum matching of expectations to
/// candidates, `matches[e]` listing the candidates expectation `e` accepts).
fn assign(matches: &[Vec<usize>], candidates: usize) -> Vec<Option<usize>> {
    fn augment(e: usize, matches: &[Vec<usize>], owner: &mut [Option<usize>], seen: &mut [bool]) -> bool {
        for &c in &matches[e] {
            if !seen[c] {
                seen[c] = true;
                if owner[c].is_none_or(|other| augment(other, matches, owner, seen)) {
                    owner[c] = Some(e);
                    return true;
                }
            }
        }
        false
    }
    let mut owner: Vec<Option<usize>> = vec![None; candidates];
    for e in 0..matches.len() {
        augment(e, matches, &mut owner, &mut vec![false; candidates]);
    }
    let mut assigned = vec![None; matches.len()];
    for (c, e) in owner.iter().enumerate() {
        if let Some(e) = e {
            assigned[*e] = Some(c);
        }
    }
    assigned
}

/// The candidate whose checks fail the fewest (the first on a tie).
fn nearest<T>(candidates: &[T], checks: impl Fn(&T) -> Vec<Check>) -> Option<(usize, Vec<Check>)> {
    candidates
        .iter()
        .enumerate()
        .map(|(i, c)| (i, checks(c)))
        .min_by_key(|(_, checks)| checks.iter().filter(|c| !c.ok).count())
}

/// Every unmet expectation of `case` in `outcome`.
pub fn check(case: &TestCase, outcome: &Outcome, ctx: &Context) -> Vec<Failure> {
    let mut failures = Vec::new();
    check_alerts(case, &outcome.alerts, ctx, &mut failures);
    check_outputs(case, &outcome.emitted, ctx, &mut failures);
    failures
}

fn check_alerts(case: &TestCase, alerts: &[AlertEvent], ctx: &Context, failures: &mut Vec<Failure>) {
    let matches: Vec<Vec<usize>> = case
        .alert
        .iter()
        .map(|e| (0..alerts.len()).filter(|&i| all_ok(&ctx.alert_checks(e.get_ref(), &alerts[i]))).collect())
        .collect();
    let assigned = assign(&matches, alerts.len());
    for (e, a) in case.alert.iter().zip(&assigned) {
        if a.is_none() {
            let near = nearest(alerts, |event| ctx.alert_checks(e.get_ref(), event));
            let event = near.as_ref().and_then(|(i, _)| alerts.get(*i)).map(|a| ctx.describe_alert(a));
            let checks = match near {
                Some((_, checks)) => checks,
                None => ctx.alert_checks(e.get_ref(), &no_alert()),
            };
            failures.push(Failure { kind: FailureKind::MissingAlert, span: span_of(e), checks, event, node: None });
        }
    }
    for e in &case.absent_alert {
        if let Some(a) = alerts.iter().find(|a| all_ok(&ctx.alert_checks(e.get_ref(), a))) {
            let checks = ctx.alert_checks(e.get_ref(), a);
            failures.push(Failure { kind: FailureKind::UnwantedAlert, span: span_of(e), checks, event: Some(ctx.describe_alert(a)), node: None });
        }
    }
    if case.no_alerts || case.only_listed_alerts {
        let listed: Vec<usize> = assigned.iter().flatten().copied().collect();
        for (i, a) in alerts.iter().enumerate().filter(|(i, _)| case.no_alerts || !listed.contains(i)) {
            failures.push(Failure {
                kind: FailureKind::UnlistedAlert,
                span: span_of(&case.name),
                checks: Vec::new(),
                event: Some(format!("{} (alert {} of {})", ctx.describe_alert(a), i + 1, alerts.len())),
                node: None,
            });
        }
    }
}

/// An event with nothing in it, to show an expectation's side when no alert happened at all.
fn no_alert() -> AlertEvent {
    AlertEvent {
        node: "(none)".into(),
        id: String::new(),
        message: String::new(),
        details: String::new(),
        time: i64::MIN,
        duration: 0,
        level: "(none)".into(),
        previous_level: "(none)".into(),
        tags: BTreeMap::new(),
        fields: BTreeMap::new(),
    }
}

fn check_outputs(case: &TestCase, emitted: &[Emission], ctx: &Context, failures: &mut Vec<Failure>) {
    let accepts = |e: &OutputExpectation, m: &Emission| &m.node == e.node.get_ref() && all_ok(&ctx.output_checks(e, &m.message));
    let matches: Vec<Vec<usize>> =
        case.output.iter().map(|e| (0..emitted.len()).filter(|&i| accepts(e.get_ref(), &emitted[i])).collect()).collect();
    for (e, assigned) in case.output.iter().zip(assign(&matches, emitted.len())) {
        if assigned.is_some() {
            continue;
        }
        let node = e.get_ref().node.get_ref();
        let of_node: Vec<&Emission> = emitted.iter().filter(|m| &m.node == node).collect();
        let near = nearest(&of_node, |m| ctx.output_checks(e.get_ref(), &m.message));
        let (checks, event) = match near {
            Some((i, checks)) => (checks, of_node.get(i).map(|m| ctx.describe_message(&m.message))),
            None => (Vec::new(), None),
        };
        failures.push(Failure { kind: FailureKind::MissingOutput, span: span_of(e), checks, event, node: Some(node.clone()) });
    }
    for e in &case.absent_output {
        if let Some(m) = emitted.iter().find(|m| accepts(e.get_ref(), m)) {
            failures.push(Failure {
                kind: FailureKind::UnwantedOutput,
                span: span_of(e),
                checks: ctx.output_checks(e.get_ref(), &m.message),
                event: Some(ctx.describe_message(&m.message)),
                node: Some(m.node.clone()),
            });
        }
    }
}

/// The nodes whose output the test looks at.
pub fn watched_nodes(case: &TestCase) -> Vec<String> {
    let mut nodes: Vec<String> = case.output.iter().chain(&case.absent_output).map(|e| e.get_ref().node.get_ref().clone()).collect();
    nodes.sort();
    nodes.dedup();
    nodes
}

/// Node names the test uses that the task does not have, with the nearest real name.
pub fn unknown_nodes(case: &TestCase, task_id: &str, nodes: &[String]) -> Vec<Diagnostic> {
    let outputs = case.output.iter().chain(&case.absent_output).map(|e| &e.get_ref().node);
    let alerts = case.alert.iter().chain(&case.absent_alert).filter_map(|e| e.get_ref().node.as_ref());
    outputs
        .chain(alerts)
        .filter(|name| !nodes.contains(name.get_ref()))
        .map(|name| {
            let mut d = Diagnostic::error("test-file", span_of(name), format!("task {task_id} has no node `{}`", name.get_ref()))
                .with_hint(format!("its nodes are: {}", nodes.join(", ")));
            if let Some(close) = nodes.iter().min_by_key(|n| strsim::levenshtein(n, name.get_ref())).filter(|n| strsim::levenshtein(n, name.get_ref()) <= 2) {
                d = d.with_fix(span_of(name), format!("{close:?}"), format!("write {close:?}"));
            }
            d
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignment_finds_a_match_for_every_expectation_when_one_exists() {
        // Expectation 0 accepts both events, expectation 1 only the first: a greedy choice of
        // the first event for expectation 0 would leave expectation 1 without one.
        assert_eq!(assign(&[vec![0, 1], vec![0]], 2), vec![Some(1), Some(0)]);
        assert_eq!(assign(&[vec![0], vec![0]], 1), vec![Some(0), None]);
    }

    #[test]
    fn numbers_compare_within_the_tolerance_whatever_their_type() {
        let ctx = Context { start: 0, tolerance: 1e-6 };
        assert!(ctx.numbers_equal(&serde_json::json!(3), &serde_json::json!(3.0)));
        assert!(ctx.numbers_equal(&serde_json::json!(2.7386), &serde_json::json!(2.7386001)));
        assert!(!ctx.numbers_equal(&serde_json::json!(2.7386), &serde_json::json!(2.739)));
        assert!(!ctx.numbers_equal(&serde_json::json!("3"), &serde_json::json!(3)));
    }
}
