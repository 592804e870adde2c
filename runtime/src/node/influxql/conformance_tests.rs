//! End-to-end checks against the reference Kapacitor's recorded outputs: the stream
//! conformance cases that use only from, groupBy, window, one InfluxQL method (or derivative)
//! and httpPost are replayed through the nodes, and what reaches httpPost is compared with
//! `expected/posts.jsonl` under the README's rules.
//!
//! Everything here is test scaffolding: a reader for the simple line protocol of the
//! recordings, a regex reading of the simple scripts, and the httpPost JSON shape.

use crate::replay::srpl::SrplReader;
use crate::time::Precision;
use std::path::{Path, PathBuf};

use regex::Regex;
use serde_json::{Value, json};

use super::{InfluxQlConfig, InfluxQlNode, Method};
use crate::node::Node;
use crate::node::derivative::{DerivativeConfig, DerivativeNode};
use crate::node::window::{WindowConfig, WindowNode};
use crate::point::{Batch, Dimensions, FieldValue, GroupKey, Message, Point, Tags, Time};

/// The conformance cases beside this repository (`../shared/conformance`).
const CONFORMANCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/conformance");

/// The points of a recording, with the database and retention policy of each, read with the
/// runtime's own recording reader.
fn read_recording(text: &str) -> Vec<(String, String, Point)> {
    SrplReader::new(text.as_bytes(), Precision::Nanosecond)
        .expect("a recording in memory can be read")
        .map(|p| p.expect("the conformance recordings are valid"))
        .map(|p| (p.database.to_string(), p.retention_policy.to_string(), p))
        .collect()
}

/// One `|node(args)` of a script with its `.property(args)` calls.
#[derive(Debug)]
struct Call {
    name: String,
    args: Vec<String>,
    properties: Vec<(String, Vec<String>)>,
}

fn read_script(text: &str) -> Vec<Call> {
    let call = Regex::new(r"([|.])(\w+)\(([^)]*)\)").unwrap();
    let mut calls: Vec<Call> = Vec::new();
    for c in call.captures_iter(text) {
        let args: Vec<String> = c[3]
            .split(',')
            .map(|a| a.trim().trim_matches('\'').to_string())
            .filter(|a| !a.is_empty())
            .collect();
        if &c[1] == "|" {
            calls.push(Call {
                name: c[2].to_string(),
                args,
                properties: Vec::new(),
            });
        } else if let Some(last) = calls.last_mut() {
            last.properties.push((c[2].to_string(), args));
        }
    }
    calls
}

fn duration(text: &str) -> i64 {
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (n, unit) = text.split_at(split);
    let n: i64 = n.parse().unwrap_or(0);
    n * match unit {
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => 1,
    }
}

/// The pipeline of a script, if it only uses what these tests can run.
struct Pipeline {
    measurement: String,
    group_by: Vec<String>,
    stages: Vec<Box<dyn Node>>,
}

fn build(calls: &[Call]) -> Option<Pipeline> {
    let mut measurement = None;
    let mut group_by = Vec::new();
    let mut stages: Vec<Box<dyn Node>> = Vec::new();
    let prop = |call: &Call, name: &str| {
        call.properties
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, a)| a.clone())
    };
    for call in calls {
        let arg = |i: usize| call.args.get(i).cloned().unwrap_or_default();
        let int = |i: usize| arg(i).parse::<i64>().unwrap_or(0);
        match call.name.as_str() {
            "from" => {
                measurement = prop(call, "measurement").and_then(|a| a.first().cloned());
                if let Some(tags) = prop(call, "groupBy") {
                    group_by = tags;
                }
            }
            "groupBy" => group_by = call.args.clone(),
            "window" => {
                let number = |name: &str| prop(call, name).and_then(|a| a.first().cloned());
                let config = WindowConfig {
                    period: number("period").map_or(0, |d| duration(&d)),
                    every: number("every").map_or(0, |d| duration(&d)),
                    align: prop(call, "align").is_some(),
                    fill_period: prop(call, "fillPeriod").is_some(),
                    period_count: number("periodCount")
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(0),
                    every_count: number("everyCount")
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(0),
                };
                stages.push(Box::new(WindowNode::new(&config).ok()?));
            }
            "httpPost" => break,
            "derivative" => {
                let mut config = DerivativeConfig::new(arg(0));
                if let Some(unit) = prop(call, "unit") {
                    config.unit = duration(unit.first()?);
                }
                config.non_negative = prop(call, "nonNegative").is_some();
                if let Some(name) = prop(call, "as") {
                    config.as_name = name.first()?.clone();
                }
                stages.push(Box::new(DerivativeNode::new(config)));
            }
            method => {
                let (method, field) = match method {
                    "count" => (Method::Count, arg(0)),
                    "distinct" => (Method::Distinct, arg(0)),
                    "mean" => (Method::Mean, arg(0)),
                    "median" => (Method::Median, arg(0)),
                    "mode" => (Method::Mode, arg(0)),
                    "spread" => (Method::Spread, arg(0)),
                    "sum" => (Method::Sum, arg(0)),
                    "stddev" => (Method::Stddev, arg(0)),
                    "first" => (Method::First, arg(0)),
                    "last" => (Method::Last, arg(0)),
                    "min" => (Method::Min, arg(0)),
                    "max" => (Method::Max, arg(0)),
                    "percentile" => (Method::Percentile(arg(1).parse().ok()?), arg(0)),
                    "top" => (
                        Method::Top {
                            n: int(0),
                            distinct_by: call.args.get(2..)?.to_vec(),
                        },
                        arg(1),
                    ),
                    "bottom" => (
                        Method::Bottom {
                            n: int(0),
                            distinct_by: call.args.get(2..)?.to_vec(),
                        },
                        arg(1),
                    ),
                    "elapsed" => (
                        Method::Elapsed {
                            unit: duration(&arg(1)),
                        },
                        arg(0),
                    ),
                    "difference" => (Method::Difference, arg(0)),
                    "movingAverage" => (Method::MovingAverage { window: int(1) }, arg(0)),
                    "cumulativeSum" => (Method::CumulativeSum, arg(0)),
                    "holtWinters" | "holtWintersWithFit" => {
                        let with_fit = method == "holtWintersWithFit";
                        (
                            Method::HoltWinters {
                                h: int(1),
                                m: int(2),
                                interval: duration(&arg(3)),
                                with_fit,
                            },
                            arg(0),
                        )
                    }
                    _ => return None,
                };
                let mut config = InfluxQlConfig::new(method, field);
                if let Some(name) = prop(call, "as") {
                    config = config.with_as(name.first()?.clone());
                }
                if prop(call, "usePointTimes").is_some() {
                    config = config.with_point_times();
                }
                stages.push(Box::new(InfluxQlNode::new(config).ok()?));
            }
        }
    }
    Some(Pipeline {
        measurement: measurement?,
        group_by,
        stages,
    })
}

/// The bodies the pipeline posts for the recording.
fn replay(mut pipeline: Pipeline, recording: Vec<(String, String, Point)>) -> Vec<Value> {
    let mut tag_names = pipeline.group_by.clone();
    tag_names.sort();
    let dimensions = Dimensions {
        by_measurement: false,
        tag_names: tag_names.into_iter().map(Into::into).collect(),
    };
    let mut posts = Vec::new();
    for (db, rp, mut point) in recording {
        if db != "telegraf" || rp != "autogen" || point.name != pipeline.measurement {
            continue;
        }
        let key: Vec<String> = dimensions
            .tag_names
            .iter()
            .map(|t| format!("{t}={}", point.tags.get(t).map_or("", crate::point::Str::as_str)))
            .collect();
        point.group = GroupKey(key.join(",").into());
        point.dimensions = dimensions.clone();
        let mut messages = vec![Message::Point(point)];
        for stage in &mut pipeline.stages {
            let mut next = Vec::new();
            for m in messages {
                stage.push(m, &mut next);
            }
            messages = next;
        }
        posts.extend(messages.iter().filter_map(post_body));
    }
    posts
}

/// The JSON httpPost sends for a message (kapacitor-semantics.md, "Output shapes"); `None`
/// when a value cannot be encoded (NaN, infinities), as the reference posts nothing then.
fn post_body(msg: &Message) -> Option<Value> {
    let mut row = serde_json::Map::new();
    let tags_json = |tags: &Tags| {
        Value::Object(
            tags.iter()
                .map(|(k, v)| (k.to_string(), json!(v)))
                .collect(),
        )
    };
    match msg {
        Message::Point(p) => {
            row.insert("name".into(), json!(p.name));
            if !p.tags.is_empty() {
                row.insert("tags".into(), tags_json(&p.tags));
            }
            let mut columns = vec![json!("time")];
            let mut values = vec![json!(rfc3339(p.time))];
            for (k, v) in &p.fields {
                columns.push(json!(k));
                values.push(field_json(v)?);
            }
            row.insert("columns".into(), Value::Array(columns));
            row.insert("values".into(), json!([values]));
        }
        Message::Batch(b) => batch_row(b, &mut row, tags_json)?,
        Message::Barrier { .. } | Message::DeleteGroup { .. } => return None,
    }
    Some(json!({ "series": [row] }))
}

fn batch_row(
    b: &Batch,
    row: &mut serde_json::Map<String, Value>,
    tags_json: impl Fn(&Tags) -> Value,
) -> Option<()> {
    row.insert("name".into(), json!(b.name));
    if !b.tags.is_empty() {
        row.insert("tags".into(), tags_json(&b.tags));
    }
    let Some(first) = b.points.first() else {
        return Some(());
    };
    let mut names: Vec<&str> = first.fields.keys().collect();
    names.extend(first.tags.keys().filter(|k| !b.tags.contains(k)));
    names.sort_unstable();
    let mut columns = vec![json!("time")];
    columns.extend(names.iter().map(|n| json!(n)));
    let mut values = Vec::new();
    for p in &b.points {
        let mut v = vec![json!(rfc3339(p.time))];
        for name in &names {
            v.push(match (p.fields.get(name), p.tags.get(name)) {
                (Some(f), _) => field_json(f)?,
                (None, Some(t)) => json!(t),
                (None, None) => Value::Null,
            });
        }
        values.push(Value::Array(v));
    }
    row.insert("columns".into(), Value::Array(columns));
    row.insert("values".into(), Value::Array(values));
    Some(())
}

fn field_json(v: &FieldValue) -> Option<Value> {
    Some(match v {
        FieldValue::Float(x) => Value::Number(serde_json::Number::from_f64(*x)?),
        FieldValue::Int(i) => json!(i),
        FieldValue::String(s) => json!(s),
        FieldValue::Bool(b) => json!(b),
    })
}

/// Go's RFC 3339 with nanoseconds, trailing zeros dropped, in UTC.
fn rfc3339(t: Time) -> String {
    let (secs, nanos) = (t.div_euclid(1_000_000_000), t.rem_euclid(1_000_000_000));
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since the epoch (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let mut s = format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    );
    if nanos != 0 {
        s.push_str(format!(".{nanos:09}").trim_end_matches('0'));
    }
    s.push('Z');
    s
}

/// The README's comparison: numbers within a relative 1e-9, everything else exactly.
fn difference(expected: &Value, actual: &Value, path: &str) -> Option<String> {
    match (expected, actual) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64()?, b.as_f64()?);
            let close = a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-3);
            (!close).then(|| format!("{path}: {a} != {b}"))
        }
        (Value::Object(a), Value::Object(b)) => {
            let (mut ka, mut kb): (Vec<_>, Vec<_>) = (a.keys().collect(), b.keys().collect());
            ka.sort();
            kb.sort();
            if ka != kb {
                return Some(format!("{path}: keys {ka:?} != {kb:?}"));
            }
            a.iter()
                .find_map(|(k, v)| difference(v, &b[k], &format!("{path}.{k}")))
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (x, y))| difference(x, y, &format!("{path}[{i}]"))),
        _ => (expected != actual).then(|| format!("{path}: {expected} != {actual}")),
    }
}

/// Runs one case; `Ok(false)` when its script is outside what these tests can run.
fn check_case(dir: &Path) -> Result<bool, String> {
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let script =
        std::fs::read_to_string(dir.join(format!("{name}.tick"))).map_err(|e| e.to_string())?;
    let Ok(recording) = std::fs::read_to_string(dir.join("input.srpl")) else {
        return Ok(false);
    };
    let Some(pipeline) = build(&read_script(&script)) else {
        return Ok(false);
    };
    let actual = replay(pipeline, read_recording(&recording));
    let expected: Vec<Value> = std::fs::read_to_string(dir.join("expected/posts.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str::<Value>(l)
                .map(|v| v["body"].clone())
                .map_err(|e| e.to_string())
        })
        .collect::<Result<_, _>>()?;
    if expected.len() != actual.len() {
        let first_extra = actual.get(expected.len()).or(expected.get(actual.len()));
        return Err(format!(
            "{} posts expected, {} produced; first unmatched: {first_extra:?}",
            expected.len(),
            actual.len()
        ));
    }
    for (i, (e, a)) in expected.iter().zip(&actual).enumerate() {
        if let Some(diff) = difference(e, a, "$") {
            return Err(format!("post {i}: {diff}\n  expected {e}\n  actual   {a}"));
        }
    }
    Ok(true)
}

fn cases(prefixes: &[&str]) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(CONFORMANCE) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| prefixes.iter().any(|x| n.starts_with(x)))
        })
        .collect();
    dirs.sort();
    dirs
}

/// Runs every runnable case of the families, failing with all mismatches at once.
fn check_family(prefixes: &[&str], at_least: usize) {
    let dirs = cases(prefixes);
    if dirs.is_empty() {
        eprintln!("conformance cases not found under {CONFORMANCE}; skipped");
        return;
    }
    let mut ran = 0;
    let mut failures = Vec::new();
    for dir in &dirs {
        match check_case(dir) {
            Ok(true) => ran += 1,
            Ok(false) => {}
            Err(e) => failures.push(format!("{}: {e}", dir.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        ran + failures.len(),
        failures.join("\n")
    );
    assert!(ran >= at_least, "only {ran} cases ran");
}

#[test]
fn window_cases_match_the_reference() {
    check_family(&["window_"], 16);
}

#[test]
fn aggregate_cases_match_the_reference() {
    check_family(&["agg_"], 16);
}

#[test]
fn selector_cases_match_the_reference() {
    check_family(&["sel_"], 19);
}

#[test]
fn transformation_cases_match_the_reference() {
    check_family(&["trans_"], 12);
}

#[test]
fn time_format_matches_go() {
    assert_eq!(rfc3339(1_700_000_000_000_000_000), "2023-11-14T22:13:20Z");
    assert_eq!(
        rfc3339(1_700_000_002_000_000_001),
        "2023-11-14T22:13:22.000000001Z"
    );
    assert_eq!(rfc3339(500_000_000), "1970-01-01T00:00:00.5Z");
    assert_eq!(rfc3339(951_782_400_000_000_000), "2000-02-29T00:00:00Z");
}
