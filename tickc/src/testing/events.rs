//! A test's inputs expanded into what the task program's `test` command reads: one JSON line
//! per point, line of line protocol, batch or clock tick, with absolute times, in the order
//! they happen. Each keeps where it came from in the test file, so the program's complaint
//! about one is reported there.

// An expansion stops at its first mistake, reported once: the size of the error is no cost.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::duration::parse_duration;
use super::file::{span_of, BatchInput, PointsInput, TestCase};
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// The most inputs one test may expand to (ticks included).
pub const MAX_EVENTS: usize = 200_000;

/// One input of the program, as its `test` command reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Point {
        #[serde(skip_serializing_if = "Option::is_none")]
        db: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        rp: Option<String>,
        name: String,
        tags: BTreeMap<String, String>,
        fields: BTreeMap<String, Value>,
        time: i64,
    },
    Line {
        #[serde(skip_serializing_if = "Option::is_none")]
        db: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        rp: Option<String>,
        text: String,
        time: i64,
    },
    Batch {
        query: usize,
        name: String,
        time: i64,
        tags: BTreeMap<String, String>,
        points: Vec<BatchPoint>,
    },
    Tick {
        time: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchPoint {
    pub time: i64,
    pub fields: BTreeMap<String, Value>,
}

impl Event {
    fn time(&self) -> i64 {
        match self {
            Event::Point { time, .. } | Event::Line { time, .. } | Event::Batch { time, .. } | Event::Tick { time } => *time,
        }
    }
}

/// An event and where the test file wrote it: for a line of line protocol, the line itself
/// (so a byte offset into it lands on the right character).
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub event: Event,
    pub origin: Span,
}

/// The events of a test, in time order: at each time the clock ticks first, then the inputs
/// of that time in the order the file lists them.
pub fn expand(case: &TestCase, start: i64, source: &str) -> Result<Vec<Placed>, Diagnostic> {
    let mut events = Vec::new();
    for input in &case.input {
        expand_points(input.get_ref(), span_of(input), start, source, &mut events)?;
    }
    for batch in &case.batch {
        expand_batch(batch.get_ref(), span_of(batch), start, &mut events)?;
    }
    let test_span = span_of(&case.name);
    if events.is_empty() {
        return Err(Diagnostic::error("test-file", test_span, "this test has no inputs")
            .with_hint("add `[[test.input]]` (stream tasks) or `[[test.batch]]` (batch tasks)"));
    }
    add_ticks(case, start, test_span, &mut events)?;
    if events.len() > MAX_EVENTS {
        return Err(Diagnostic::error(
            "test-file",
            test_span,
            format!("this test expands to {} inputs and clock ticks; at most {MAX_EVENTS} are allowed", events.len()),
        ));
    }
    events.sort_by_key(|p| (p.event.time(), !matches!(p.event, Event::Tick { .. })));
    Ok(events)
}

fn offset_time(start: i64, offset: i64, span: Span) -> Result<i64, Diagnostic> {
    start.checked_add(offset).ok_or_else(|| Diagnostic::error("test-file", span, "this time is out of range"))
}

/// The steps of a series: how many, and the time of step `k`.
struct Steps {
    count: usize,
    first: i64,
    every: i64,
}

impl Steps {
    fn new<'a>(
        fields: impl Iterator<Item = &'a super::file::Series>,
        first: i64,
        every: Option<i64>,
        span: Span,
    ) -> Result<Steps, Diagnostic> {
        let count = fields.map(|s| s.0.len()).max().unwrap_or(0);
        let every = match every {
            Some(e) if e > 0 => e,
            Some(_) => return Err(Diagnostic::error("test-file", span, "`every` must be longer than zero")),
            None if count > 1 => {
                return Err(Diagnostic::error("test-file", span, "these fields have several values but no `every`")
                    .with_hint("say how far apart the steps are, like `every = \"10s\"`"));
            }
            None => 0,
        };
        Ok(Steps { count, first, every })
    }

    fn time(&self, k: usize, span: Span) -> Result<i64, Diagnostic> {
        i64::try_from(k)
            .ok()
            .and_then(|k| self.every.checked_mul(k))
            .and_then(|d| self.first.checked_add(d))
            .ok_or_else(|| Diagnostic::error("test-file", span, "these steps run out of the time range"))
    }
}

/// The fields present at step `k` (a step where every field is `_` has none).
fn fields_at(fields: &BTreeMap<String, super::file::Series>, k: usize) -> BTreeMap<String, Value> {
    fields.iter().filter_map(|(name, series)| series.0.get(k).cloned().flatten().map(|v| (name.clone(), v))).collect()
}

fn expand_points(input: &PointsInput, span: Span, start: i64, source: &str, out: &mut Vec<Placed>) -> Result<(), Diagnostic> {
    if let Some(lines) = &input.lines {
        if input.measurement.is_some() || !input.fields.is_empty() || !input.tags.is_empty() || input.every.is_some() {
            return Err(Diagnostic::error("test-file", span, "an input has either `lines` or `measurement` and `fields`, not both"));
        }
        return expand_lines(input, lines, start, source, out);
    }
    let Some(measurement) = &input.measurement else {
        return Err(Diagnostic::error("test-file", span, "this input has no `measurement` (or `lines` of line protocol)"));
    };
    if input.fields.is_empty() {
        return Err(Diagnostic::error("test-file", span, "this input has no `fields`"));
    }
    let steps = Steps::new(input.fields.values(), offset_time(start, input.start.0, span)?, input.every.map(|e| e.0), span)?;
    for k in 0..steps.count {
        let fields = fields_at(&input.fields, k);
        if fields.is_empty() {
            continue;
        }
        let event = Event::Point {
            db: input.db.clone(),
            rp: input.rp.clone(),
            name: measurement.clone(),
            tags: input.tags.clone(),
            fields,
            time: steps.time(k, span)?,
        };
        out.push(Placed { event, origin: span });
    }
    Ok(())
}

/// Line protocol with an offset in place of each line's timestamp; blank lines and `#`
/// comments are skipped.
fn expand_lines(
    input: &PointsInput,
    lines: &toml::Spanned<String>,
    start: i64,
    source: &str,
    out: &mut Vec<Placed>,
) -> Result<(), Diagnostic> {
    let string_span = span_of(lines);
    // Where each line sits in the file: found in the string as written (exact for literal
    // strings; an escaped line falls back to the whole string).
    let written = source.get(string_span.range()).unwrap_or("");
    let mut cursor = 0;
    for line in lines.get_ref().lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let origin = match written.get(cursor..).and_then(|rest| rest.find(line)) {
            Some(at) => {
                let begin = string_span.start + cursor + at;
                cursor += at + line.len();
                Span::new(begin, begin + line.len())
            }
            None => string_span,
        };
        let (text, offset) = line.rsplit_once(char::is_whitespace).ok_or_else(|| {
            Diagnostic::error("test-file", origin, "this line has no offset").with_hint("end each line with its time, like `cpu,host=a usage_idle=90 10s`")
        })?;
        let offset = parse_duration(offset).map_err(|e| {
            Diagnostic::error("test-file", origin, e).with_hint("end each line with its time as an offset from the start, like `10s`, instead of a timestamp")
        })?;
        let event = Event::Line {
            db: input.db.clone(),
            rp: input.rp.clone(),
            text: text.trim_end().to_string(),
            time: offset_time(start, input.start.0.saturating_add(offset), origin)?,
        };
        out.push(Placed { event, origin });
    }
    Ok(())
}

fn expand_batch(batch: &BatchInput, span: Span, start: i64, out: &mut Vec<Placed>) -> Result<(), Diagnostic> {
    let steps = Steps::new(batch.fields.values(), offset_time(start, batch.start.0, span)?, batch.every.map(|e| e.0), span)?;
    let mut points = Vec::with_capacity(steps.count);
    for k in 0..steps.count {
        let fields = fields_at(&batch.fields, k);
        if !fields.is_empty() {
            points.push(BatchPoint { time: steps.time(k, span)?, fields });
        }
    }
    let time = match batch.at {
        Some(at) => offset_time(start, at.0, span)?,
        None => steps.time(steps.count, span)?,
    };
    let event = Event::Batch { query: batch.query, name: batch.measurement.clone(), time, tags: batch.tags.clone(), points };
    out.push(Placed { event, origin: span });
    Ok(())
}

/// Ticks at every input's time, every `clock` from the start, and at `until`.
fn add_ticks(case: &TestCase, start: i64, span: Span, events: &mut Vec<Placed>) -> Result<(), Diagnostic> {
    let mut times: Vec<i64> = events.iter().map(|p| p.event.time()).collect();
    let last = times.iter().copied().max().unwrap_or(start);
    let end = match case.until {
        Some(until) => {
            let until = offset_time(start, until.0, span)?;
            times.push(until);
            until.max(last)
        }
        None => last,
    };
    if let Some(clock) = case.clock {
        if clock.0 <= 0 {
            return Err(Diagnostic::error("test-file", span, "`clock` must be longer than zero"));
        }
        let ticks = (end.saturating_sub(start) / clock.0).saturating_add(1);
        if usize::try_from(ticks).map_or(true, |n| n > MAX_EVENTS) {
            return Err(Diagnostic::error("test-file", span, format!("`clock` ticks more than {MAX_EVENTS} times before the end of this test")));
        }
        times.extend((0..ticks).map(|k| start + k * clock.0));
    }
    times.sort_unstable();
    times.dedup();
    events.extend(times.into_iter().map(|time| Placed { event: Event::Tick { time }, origin: span }));
    Ok(())
}

/// The events as the program reads them: one JSON object a line.
pub fn to_json_lines(events: &[Placed]) -> String {
    let mut out = String::new();
    for placed in events {
        // Serializing these plain types cannot fail.
        if let Ok(line) = serde_json::to_string(&placed.event) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::file::parse_test_file;

    fn expanded(text: &str) -> String {
        let file = parse_test_file(text).unwrap();
        match expand(file.tests[0].get_ref(), file.start.0, text) {
            Ok(events) => to_json_lines(&events),
            Err(d) => crate::diagnostic::render::to_text(&d, "t.test.toml", text),
        }
    }

    #[test]
    fn series_and_lines_interleave_by_time_after_the_clock() {
        let text = r#"
[[test]]
name = "t"
[[test.input]]
measurement = "cpu"
tags = { host = "a" }
start = "1s"
every = "2s"
fields = { idle = "90 _ 70", user = "1i _x2 4i" }
[[test.input]]
db = "other"
lines = '''
cpu,host=b idle=50 3s
# a comment
cpu,host=b idle=40 5s
'''
"#;
        insta::assert_snapshot!(expanded(text), @r#"
        {"tick":{"time":1000000000}}
        {"point":{"name":"cpu","tags":{"host":"a"},"fields":{"idle":90.0,"user":1},"time":1000000000}}
        {"tick":{"time":3000000000}}
        {"line":{"db":"other","text":"cpu,host=b idle=50","time":3000000000}}
        {"tick":{"time":5000000000}}
        {"point":{"name":"cpu","tags":{"host":"a"},"fields":{"idle":70.0},"time":5000000000}}
        {"line":{"db":"other","text":"cpu,host=b idle=40","time":5000000000}}
        {"tick":{"time":7000000000}}
        {"point":{"name":"cpu","tags":{"host":"a"},"fields":{"user":4},"time":7000000000}}
        "#);
    }

    #[test]
    fn batches_take_their_time_after_the_last_point_and_the_clock_runs_until_the_end() {
        let text = r#"
[[test]]
name = "t"
clock = "2m"
until = "6m"
[[test.batch]]
measurement = "cpu"
tags = { cpu = "cpu0" }
every = "1m"
fields = { mean = "90 65" }
"#;
        insta::assert_snapshot!(expanded(text), @r#"
        {"tick":{"time":0}}
        {"tick":{"time":120000000000}}
        {"batch":{"query":0,"name":"cpu","time":120000000000,"tags":{"cpu":"cpu0"},"points":[{"time":0,"fields":{"mean":90.0}},{"time":60000000000,"fields":{"mean":65.0}}]}}
        {"tick":{"time":240000000000}}
        {"tick":{"time":360000000000}}
        "#);
    }

    #[test]
    fn a_line_without_an_offset_is_reported_on_that_line() {
        let text = "[[test]]\nname = \"t\"\n[[test.input]]\nlines = '''\ncpu v=1 0s\ncpu v=2 1700000000000000000\n'''\n";
        insta::assert_snapshot!(expanded(text), @r#"
        error[test-file]: invalid duration `1700000000000000000`: write an integer and a unit, like `10s` or `1m30s` (units: ns, us, ms, s, m, h, d, w)
          --> t.test.toml:6:1
          |
        6 | cpu v=2 1700000000000000000
          | ^^^^^^^^^^^^^^^^^^^^^^^^^^^
          |
          = help: end each line with its time as an offset from the start, like `10s`, instead of a timestamp
        "#);
    }

    #[test]
    fn several_values_need_a_step() {
        let text = "[[test]]\nname = \"t\"\n[[test.input]]\nmeasurement = \"m\"\nfields = { v = \"1 2\" }\n";
        assert!(expanded(text).contains("no `every`"));
    }
}
