//! The batch conformance cases against a real InfluxDB: each case's `input.lp` is loaded into a
//! fresh database, the query node runs its windows over the case's `[start, stop]`, and the
//! batches must be what the reference Kapacitor posted (cases whose query feeds `httpPost`
//! directly, or through `count`) or put in its alerts' data (the getting-started case).
//!
//! Needs `INFLUXDB_URL` (the test command starts one with `tests/influxdb.sh`); without it the
//! test says so and passes. Everything here is test scaffolding: a regex reading of the simple
//! scripts and the comparison rules of the conformance README.

use std::path::{Path, PathBuf};

use regex::Regex;
use serde_json::Value;

use super::{InfluxDbClient, InfluxDbConfig};
use crate::expr::duration::parse_duration;
use crate::node::query::{Fill, GroupByDimension, QueryConfig, QueryNode};
use crate::output::row::result_json;
use crate::point::{Batch, Message, Time};
use crate::time::{Precision, parse_rfc3339};

/// The conformance cases: `CONFORMANCE_DIR`, or `../shared/conformance` beside the checkout.
fn conformance_dir() -> PathBuf {
    std::env::var_os("CONFORMANCE_DIR").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/conformance"
            ))
        },
        PathBuf::from,
    )
}

/// What a case checks the query node's batches against.
enum Check {
    /// `query|httpPost`: every post is one batch, in order.
    Posts,
    /// `query|count('field')|httpPost`: every post is a batch's time and point count.
    Count(String),
    /// `query|alert()`: every alert's data is one of the batches.
    AlertData,
}

struct Case {
    name: String,
    database: String,
    start: Time,
    stop: Time,
    config: QueryConfig,
    check: Check,
}

fn toml_string(text: &str, key: &str) -> Option<String> {
    let pattern = Regex::new(&format!(r#"(?m)^{key}\s*=\s*"([^"]*)""#)).ok()?;
    Some(pattern.captures(text)?.get(1)?.as_str().to_owned())
}

fn duration(text: &str) -> i64 {
    parse_duration(text.trim()).unwrap_or_else(|e| panic!("duration {text:?}: {e:?}"))
}

fn unquote(text: &str) -> String {
    text.trim().trim_matches('\'').to_owned()
}

/// Reads the query node of a script with one `|query(...)` and simple properties, and what
/// follows it; none for scripts this test does not cover.
fn read_script(script: &str) -> Option<(QueryConfig, Check)> {
    let query = Regex::new(r"(?s)\|query\(\s*(?:'''(.*?)'''|'((?:[^'\\]|\\.)*)')\s*\)").unwrap();
    let captures = query.captures(script)?;
    let text = captures.get(1).or(captures.get(2))?.as_str();
    let after = &script[captures.get(0)?.end()..];
    if after.contains("|query(") {
        return None;
    }
    let chain_start = after.find('|')?;
    let (properties, chain) = after.split_at(chain_start);
    let check = if chain.starts_with("|httpPost(") {
        Check::Posts
    } else if chain.starts_with("|alert(") {
        Check::AlertData
    } else if let Some(rest) = chain.strip_prefix("|count('") {
        let field = rest.split('\'').next()?.to_owned();
        let next_chain = rest.find('|').map(|i| &rest[i..])?;
        if !next_chain.starts_with("|httpPost(") {
            return None;
        }
        Check::Count(field)
    } else {
        return None;
    };
    let mut config = QueryConfig {
        query: text.to_owned(),
        ..QueryConfig::default()
    };
    let time = Regex::new(r"time\(([^,()]+)(?:,([^()]+))?\)").unwrap();
    let property = Regex::new(r"\.(\w+)\(((?:[^()]|\([^()]*\))*)\)").unwrap();
    for p in property.captures_iter(properties) {
        let args = p.get(2).map_or("", |a| a.as_str());
        match &p[1] {
            "period" => config.period = duration(args),
            "every" => config.every = duration(args),
            "offset" => config.offset = duration(args),
            "cron" => config.cron = Some(unquote(args)),
            "align" => config.align = true,
            "alignGroup" => config.align_group = true,
            "groupByMeasurement" => config.group_by_measurement = true,
            "fill" => {
                let arg = args.trim();
                config.fill = Some(if arg.starts_with('\'') {
                    unquote(arg).parse().ok()?
                } else if let Ok(n) = arg.parse::<i64>() {
                    Fill::Int(n)
                } else {
                    Fill::Float(arg.parse().ok()?)
                });
            }
            "groupBy" => {
                if let Some(t) = time.captures(args) {
                    config.group_by.push(GroupByDimension::Time {
                        length: duration(&t[1]),
                        offset: t.get(2).map_or(0, |o| duration(o.as_str())),
                    });
                }
                let rest = time.replace(args, "");
                for arg in rest.split(',').map(str::trim).filter(|a| !a.is_empty()) {
                    config.group_by.push(if arg == "*" {
                        GroupByDimension::AllTags
                    } else {
                        GroupByDimension::Tag(unquote(arg))
                    });
                }
            }
            _ => return None,
        }
    }
    Some((config, check))
}

fn read_case(dir: &Path) -> Option<Case> {
    let name = dir.file_name()?.to_str()?.to_owned();
    if dir.join("expected/error.txt").exists() {
        return None;
    }
    let case = std::fs::read_to_string(dir.join("case.toml")).ok()?;
    if toml_string(&case, "type").as_deref() != Some("batch") {
        return None;
    }
    let script = std::fs::read_to_string(dir.join(format!("{name}.tick"))).ok()?;
    let (config, check) = read_script(&script)?;
    Some(Case {
        database: toml_string(&case, "database")?,
        start: parse_rfc3339(&toml_string(&case, "start")?).ok()?,
        stop: parse_rfc3339(&toml_string(&case, "stop")?).ok()?,
        name,
        config,
        check,
    })
}

/// Numbers equal within a relative 1e-9 (an integer and a float alike); objects in any member
/// order; arrays in order.
fn json_matches(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs())
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_matches(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_matches(v, w)))
        }
        _ => a == b,
    }
}

fn batch_json(batch: &Batch) -> Value {
    let text = result_json(&Message::Batch(batch.clone())).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn expected_lines(dir: &Path, file: &str) -> Vec<Value> {
    std::fs::read_to_string(dir.join("expected").join(file))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Loads the case's data into a fresh database and returns the batches of its query windows.
fn run_case(client: &InfluxDbClient, dir: &Path, case: &Case) -> Vec<Batch> {
    let db = &case.database;
    client
        .execute(&format!("DROP DATABASE \"{db}\"; CREATE DATABASE \"{db}\""))
        .unwrap();
    let input = std::fs::read(dir.join("input.lp")).unwrap();
    client
        .write(db, None, Precision::Nanosecond, &input)
        .unwrap();
    let node = QueryNode::new(&case.config).unwrap_or_else(|e| panic!("{}: {e}", case.name));
    // Kapacitor leaves out windows that end after now; the cases lie in the past.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(Time::MAX, |d| {
            Time::try_from(d.as_nanos()).unwrap_or(Time::MAX)
        });
    node.replay_windows(case.start, case.stop, now)
        .flat_map(|window| {
            node.run(client, window)
                .unwrap_or_else(|e| panic!("{}: {e}\n{}", case.name, node.query_text(window)))
        })
        .collect()
}

/// What the case's expected output says about the batches, or why they differ.
fn check_case(dir: &Path, case: &Case, batches: &[Batch]) -> Result<(), String> {
    let got: Vec<Value> = batches.iter().map(batch_json).collect();
    match &case.check {
        Check::Posts => {
            let expected: Vec<Value> = expected_lines(dir, "posts.jsonl")
                .into_iter()
                .map(|p| p["body"].clone())
                .collect();
            if got.len() != expected.len() {
                return Err(format!(
                    "{} batches, expected {}:\n{got:#?}",
                    got.len(),
                    expected.len()
                ));
            }
            for (i, (got, expected)) in got.iter().zip(&expected).enumerate() {
                if !json_matches(got, expected) {
                    return Err(format!("batch {i}: got\n{got}\nexpected\n{expected}"));
                }
            }
        }
        Check::Count(field) => {
            let expected: Vec<Value> = expected_lines(dir, "posts.jsonl")
                .into_iter()
                .map(|p| p["body"].clone())
                .collect();
            let counted: Vec<(String, Value, Time, usize)> = batches
                .iter()
                .map(|b| {
                    let tags = serde_json::to_value(
                        b.tags.iter().collect::<std::collections::BTreeMap<_, _>>(),
                    )
                    .unwrap();
                    (
                        b.name.to_string(),
                        tags,
                        b.time,
                        b.points.iter().filter(|p| p.fields.contains(field)).count(),
                    )
                })
                .collect();
            if counted.len() != expected.len() {
                return Err(format!(
                    "{} batches, expected {} counts",
                    counted.len(),
                    expected.len()
                ));
            }
            for ((name, tags, time, count), expected) in counted.iter().zip(&expected) {
                let series = &expected["series"][0];
                let expected_tags = series
                    .get("tags")
                    .cloned()
                    .unwrap_or(Value::Object(Default::default()));
                let row = &series["values"][0];
                let expected_time = row[0].as_str().map(|t| parse_rfc3339(t).unwrap());
                if series["name"] != name.as_str()
                    || expected_tags != *tags
                    || expected_time != Some(*time)
                    || row[1].as_u64() != Some(*count as u64)
                {
                    return Err(format!(
                        "got {name} {tags} {time} count {count}, expected {series}"
                    ));
                }
            }
        }
        Check::AlertData => {
            // Alerts as the log, post and tcp handlers delivered them.
            let posted = expected_lines(dir, "posts.jsonl")
                .into_iter()
                .map(|p| p["body"].clone());
            let alerts: Vec<Value> = expected_lines(dir, "alerts.jsonl")
                .into_iter()
                .chain(posted)
                .chain(expected_lines(dir, "tcp.jsonl"))
                .filter(|alert| alert["data"]["series"].is_array())
                .collect();
            if alerts.is_empty() {
                return Err("the case has no alerts to check".to_owned());
            }
            for alert in alerts {
                let series = &alert["data"]["series"][0];
                let expected = serde_json::json!({ "series": [series] });
                if !got.iter().any(|g| json_matches(g, &expected)) {
                    return Err(format!("no batch matches the data of alert {alert}"));
                }
            }
        }
    }
    Ok(())
}

#[test]
fn batch_cases_against_a_real_influxdb() {
    let Some(url) = std::env::var("INFLUXDB_URL").ok().filter(|u| !u.is_empty()) else {
        eprintln!("skipped: INFLUXDB_URL is not set (tests/influxdb.sh start DIR prints one)");
        return;
    };
    let dir = conformance_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: no conformance cases at {}", dir.display());
        return;
    };
    let client = InfluxDbClient::new(&InfluxDbConfig::new(url)).unwrap();
    let mut dirs: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    dirs.sort();
    let mut checked = Vec::new();
    let mut failures = Vec::new();
    for dir in dirs {
        let Some(case) = read_case(&dir) else {
            continue;
        };
        let batches = run_case(&client, &dir, &case);
        match check_case(&dir, &case, &batches) {
            Ok(()) => checked.push(case.name),
            Err(why) => failures.push(format!("{}: {why}", case.name)),
        }
    }
    eprintln!(
        "checked {} batch cases: {}",
        checked.len(),
        checked.join(", ")
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    for required in [
        "batch_getting_started",
        "batch_fill_null",
        "batch_align",
        "batch_query_where_or_precedence",
    ] {
        assert!(
            checked.iter().any(|c| c == required),
            "{required} was not checked"
        );
    }
}

#[test]
fn reads_the_query_node_of_simple_scripts() {
    let script = "batch\n    |query('''\n        SELECT mean(usage_idle)\n        FROM \"telegraf\".\"autogen\".\"cpu\"\n    ''')\n        .period(5m)\n        .every(5m)\n        .groupBy(time(2m, 30s), 'cpu', *)\n        .fill(-1.5)\n        .align()\n    |alert()\n";
    let (config, check) = read_script(script).unwrap();
    assert!(matches!(check, Check::AlertData));
    assert_eq!(config.period, 300_000_000_000);
    assert!(config.align);
    assert_eq!(config.fill, Some(Fill::Float(-1.5)));
    assert_eq!(
        config.group_by,
        [
            GroupByDimension::Time {
                length: 120_000_000_000,
                offset: 30_000_000_000
            },
            GroupByDimension::Tag("cpu".into()),
            GroupByDimension::AllTags,
        ]
    );
    assert!(config.query.contains("FROM \"telegraf\""));
}
