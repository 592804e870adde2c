//! The test file (`NAME.test.toml`, beside `NAME.tick`): its TOML schema, read with spans so a
//! mistake is reported at its line and column. docs/testing.md is the user's reference.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;

use super::duration::parse_duration;
use super::notation::{parse_steps, Steps};
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// The most steps one field's notation may expand to (inputs stay bounded).
pub const MAX_STEPS: usize = 100_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestFile {
    /// The script under test, relative to the test file (default: `NAME.tick` beside
    /// `NAME.test.toml`).
    pub script: Option<Spanned<String>>,
    /// The virtual time every offset counts from (default: the Unix epoch).
    #[serde(default)]
    pub start: Start,
    /// How far apart two numbers may be and still be equal, relative to the larger one.
    #[serde(default = "default_tolerance")]
    pub tolerance: f64,
    #[serde(rename = "test", default)]
    pub tests: Vec<Spanned<TestCase>>,
}

fn default_tolerance() -> f64 {
    1e-9
}

/// One test: inputs, a clock, and what must (not) happen.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    pub name: Spanned<String>,
    /// Stream inputs: series of points, or line protocol.
    #[serde(default)]
    pub input: Vec<Spanned<PointsInput>>,
    /// Batch inputs: what a query returns, one group each.
    #[serde(default)]
    pub batch: Vec<Spanned<BatchInput>>,
    /// The virtual clock also ticks at every multiple of this (it always ticks at each input's
    /// time).
    pub clock: Option<Offset>,
    /// The clock runs on to this offset after the last input.
    pub until: Option<Offset>,
    #[serde(default)]
    pub alert: Vec<Spanned<AlertExpectation>>,
    #[serde(default)]
    pub absent_alert: Vec<Spanned<AlertExpectation>>,
    /// No alert event at all.
    #[serde(default)]
    pub no_alerts: bool,
    /// Every alert event must be one of the `[[test.alert]]`s.
    #[serde(default)]
    pub only_listed_alerts: bool,
    #[serde(default)]
    pub output: Vec<Spanned<OutputExpectation>>,
    #[serde(default)]
    pub absent_output: Vec<Spanned<OutputExpectation>>,
}

/// Points of one series (`measurement`, `tags`, `fields` in the notation) or line protocol.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointsInput {
    pub measurement: Option<String>,
    /// Default: the script's first `dbrp`.
    pub db: Option<String>,
    pub rp: Option<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The first step's offset.
    #[serde(default)]
    pub start: Offset,
    /// The time between steps.
    pub every: Option<Offset>,
    #[serde(default)]
    pub fields: BTreeMap<String, Series>,
    /// Line protocol, one point a line, each ending with its offset instead of a timestamp.
    pub lines: Option<Spanned<String>>,
}

/// One group of a query's result: its points as series, the batch's time `at`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchInput {
    /// Which query node of the task returns it (0: the first).
    #[serde(default)]
    pub query: usize,
    pub measurement: String,
    /// The group's tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub start: Offset,
    pub every: Option<Offset>,
    pub fields: BTreeMap<String, Series>,
    /// The batch's time (the query's stop); default: one step after the last point.
    pub at: Option<Offset>,
}

/// An alert event, described by any subset of its properties.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertExpectation {
    pub at: Option<Offset>,
    pub level: Option<Level>,
    pub previous_level: Option<Level>,
    pub id: Option<String>,
    pub message: Option<String>,
    /// The alert node (`alert2`), when the task has several.
    pub node: Option<Spanned<String>>,
    /// A subset of the tags of the data that set the level.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// A subset of the fields of the data that set the level.
    #[serde(default)]
    pub fields: BTreeMap<String, Value>,
}

/// A message a node emits, described by any subset of its properties.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputExpectation {
    /// The node's name as the DOT graph shows it (`window4`).
    pub node: Spanned<String>,
    pub at: Option<Offset>,
    pub measurement: Option<String>,
    /// A point's tags, or a batch's group tags (a subset).
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// A point's fields (a subset); a batch never matches them (describe its `points`).
    #[serde(default)]
    pub fields: BTreeMap<String, Value>,
    /// A batch's number of points.
    pub count: Option<usize>,
    /// A batch's points, all of them, in order.
    pub points: Option<Vec<PointExpectation>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointExpectation {
    pub at: Option<Offset>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub fields: BTreeMap<String, Value>,
}

/// An offset from the test's start, written as a duration (`1m30s`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Offset(pub i64);

impl TryFrom<String> for Offset {
    type Error = String;
    fn try_from(text: String) -> Result<Offset, String> {
        parse_duration(&text).map(Offset)
    }
}

/// An alert level, in Kapacitor's spelling (`OK`, `INFO`, `WARNING`, `CRITICAL`; any case).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Level(pub String);

impl TryFrom<String> for Level {
    type Error = String;
    fn try_from(text: String) -> Result<Level, String> {
        let upper = text.to_ascii_uppercase();
        match upper.as_str() {
            "OK" | "INFO" | "WARNING" | "CRITICAL" => Ok(Level(upper)),
            _ => Err(format!("unknown level `{text}`: write OK, INFO, WARNING or CRITICAL")),
        }
    }
}

/// A field's values step by step: the notation (`"90 80x3 _"`) or one plain value.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "WrittenSeries")]
pub struct Series(pub Steps);

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum WrittenSeries {
    Notation(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl TryFrom<WrittenSeries> for Series {
    type Error = String;
    fn try_from(written: WrittenSeries) -> Result<Series, String> {
        // A plain TOML number is a float, as `90` is in the notation and in line protocol.
        let single = match written {
            WrittenSeries::Notation(text) => return parse_steps(&text, MAX_STEPS).map(Series),
            WrittenSeries::Int(i) => serde_json::Number::from_f64(i as f64).map(Value::Number),
            WrittenSeries::Float(f) => serde_json::Number::from_f64(f).map(Value::Number),
            WrittenSeries::Bool(b) => Some(Value::Bool(b)),
        };
        single.map(|v| Series(vec![Some(v)])).ok_or_else(|| "a field value must be a finite number".into())
    }
}

/// The virtual start: an RFC 3339 time, as a TOML date-time or a string; in Unix nanoseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "toml::Value")]
pub struct Start(pub i64);

impl TryFrom<toml::Value> for Start {
    type Error = String;
    fn try_from(value: toml::Value) -> Result<Start, String> {
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Datetime(d) => d.to_string(),
            other => return Err(format!("start must be a date and time like 2024-01-01T00:00:00Z, not a {}", other.type_str())),
        };
        let timestamp: jiff::Timestamp =
            text.parse().map_err(|e| format!("start must be a date and time with an offset, like 2024-01-01T00:00:00Z: {e}"))?;
        i64::try_from(timestamp.as_nanosecond()).map(Start).map_err(|_| "start is out of range".into())
    }
}

/// Reads a test file; a problem is an error diagnostic at its place in `text`.
// Reading stops at the first mistake, reported once: the size of the error is no cost.
#[allow(clippy::result_large_err)]
pub fn parse_test_file(text: &str) -> Result<TestFile, Diagnostic> {
    let file: TestFile = toml::from_str(text).map_err(|e| {
        let span = e.span().map(Span::from).unwrap_or_default();
        let message = e.message().trim_end().to_string();
        let misplaced = message.starts_with("unknown field");
        let d = Diagnostic::error("test-file", span, message);
        if misplaced {
            d.with_hint("TOML gives a key to the table above it: a test's own keys (`no_alerts`, `clock`, ...) go right after its `name`, before its first `[[test.…]]`")
        } else {
            d
        }
    })?;
    if file.tests.is_empty() {
        return Err(Diagnostic::error("test-file", Span::default(), "no tests: add a `[[test]]` with a name, inputs and expectations"));
    }
    Ok(file)
}

/// The span of a spanned value, as diagnostics take it.
pub fn span_of<T>(value: &Spanned<T>) -> Span {
    value.span().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::render::to_text;

    fn error(text: &str) -> String {
        match parse_test_file(text) {
            Ok(_) => "ok".into(),
            Err(d) => to_text(&d, "t.test.toml", text),
        }
    }

    #[test]
    fn reads_a_complete_test() {
        let file = parse_test_file(
            r#"
start = 2024-01-01T00:00:00Z
[[test]]
name = "fires"
clock = "1s"
[[test.input]]
measurement = "cpu"
tags = { host = "a" }
every = "10s"
fields = { usage_idle = "90 60x2", n = 3 }
[[test.alert]]
at = "10s"
level = "critical"
fields = { usage_idle = 60.0 }
[[test.output]]
node = "window4"
count = 2
"#,
        )
        .unwrap();
        assert_eq!(file.start, Start(1_704_067_200_000_000_000));
        let test = file.tests[0].get_ref();
        assert_eq!(test.name.get_ref(), "fires");
        assert_eq!(test.clock, Some(Offset(1_000_000_000)));
        let input = test.input[0].get_ref();
        assert_eq!(input.fields["usage_idle"].0.len(), 3);
        assert_eq!(input.fields["n"], Series(vec![Some(serde_json::json!(3.0))]));
        assert_eq!(test.alert[0].get_ref().level, Some(Level("CRITICAL".into())));
        assert_eq!(test.output[0].get_ref().node.get_ref(), "window4");
    }

    #[test]
    fn mistakes_are_reported_where_they_are() {
        insta::assert_snapshot!(error("[[test]]\nname = \"t\"\n[[test.alert]]\nlevel = \"CRIT\"\n"), @r#"
        error[test-file]: unknown level `CRIT`: write OK, INFO, WARNING or CRITICAL
          --> t.test.toml:4:9
          |
        4 | level = "CRIT"
          |         ^^^^^^
        "#);
        insta::assert_snapshot!(error("[[test]]\nname = \"t\"\n[[test.input]]\nevery = \"10\"\n"), @r#"
        error[test-file]: invalid duration `10`: write an integer and a unit, like `10s` or `1m30s` (units: ns, us, ms, s, m, h, d, w)
          --> t.test.toml:4:9
          |
        4 | every = "10"
          |         ^^^^
        "#);
        insta::assert_snapshot!(error("[[test]]\nname = \"t\"\n[[test.input]]\nfields = { v = \"1 2 x3\" }\n"), @r#"
        error[test-file]: `x3` is not a value: write a number (`90`, `-1.5`, `5i` for an integer), `true`/`false`, `_` for no value, `VxN` for N times V, or `V+DxN` for N values from V by D
          --> t.test.toml:4:16
          |
        4 | fields = { v = "1 2 x3" }
          |                ^^^^^^^^
        "#);
        insta::assert_snapshot!(error("[[test]]\nname = \"t\"\nalerts = 1\n"), @r#"
        error[test-file]: unknown field `alerts`, expected one of `name`, `input`, `batch`, `clock`, `until`, `alert`, `absent_alert`, `no_alerts`, `only_listed_alerts`, `output`, `absent_output`
          --> t.test.toml:3:1
          |
        3 | alerts = 1
          | ^^^^^^
          |
          = help: TOML gives a key to the table above it: a test's own keys (`no_alerts`, `clock`, ...) go right after its `name`, before its first `[[test.…]]`
        "#);
        assert!(error("script = \"x.tick\"\n").contains("no tests"));
    }
}
