//! End-to-end checks against the reference Kapacitor's recorded outputs: stream conformance
//! cases that use only the nodes of this folder are replayed from their `input.srpl` through
//! pipelines built by hand (what codegen will build from the script), with hand-written lambdas,
//! and the posts the httpPost node sends are compared with `expected/posts.jsonl` under the
//! README's rules (JSON values, numbers within a relative 1e-9).

use std::path::Path;
use std::sync::Arc;

use regex::Regex;
use serde_json::Value as Json;

use super::Node;
use super::change_detect::ChangeDetectNode;
use super::delete::{DeleteConfig, DeleteNode};
use super::eval::{EvalConfig, EvalNode, Keep};
use super::filter::WhereNode;
use super::from::{FromConfig, FromNode, NoLambda};
use super::group::GroupBy;
use super::http_post::{HttpPostConfig, HttpPostNode};
use super::log::{LogConfig, LogLevel, LogNode};
use super::sample::{SampleNode, SampleRate};
use super::shift::ShiftNode;
use super::state_tracking::{StateDurationConfig, StateTrackingNode};
use super::testing::{Arith, Call1, FieldCompare, Ref};
use crate::delivery::{Delivery, RecordingOutbox};
use crate::expr::functions::STR_TO_UPPER;
use crate::expr::{
    BinaryOp, EvalError, Lambda, Scope, Side, Value, binary, compile_regex, logical_operand,
    predicate, reference,
};
use crate::point::Message;
use crate::replay::srpl::SrplReader;
use crate::time::Precision;

pub(super) const CONFORMANCE: &str = "/work/shared/conformance";
pub(super) const SINK: &str = "http://127.0.0.1:19111";
pub(super) const S: i64 = 1_000_000_000;

/// A case's pipeline: stages in order, the last an httpPost into `outbox`.
pub(super) struct Pipeline {
    dbrps: Vec<(&'static str, &'static str)>,
    stages: Vec<Box<dyn Node>>,
    outbox: Arc<RecordingOutbox>,
}

impl Pipeline {
    pub(super) fn new(
        dbrps: &[(&'static str, &'static str)],
        stages: Vec<Box<dyn Node>>,
        outbox: Arc<RecordingOutbox>,
    ) -> Self {
        Pipeline {
            dbrps: dbrps.to_vec(),
            stages,
            outbox,
        }
    }

    fn push(&mut self, msg: Message) {
        run_stages(&mut self.stages, msg);
    }
}

/// Runs `msg` through `stages` in order, returning what the last one emitted.
pub(super) fn run_stages(stages: &mut [Box<dyn Node>], msg: Message) -> Vec<Message> {
    let mut current = vec![msg];
    for stage in stages {
        let mut next = Vec::new();
        for m in current {
            stage.push(m, &mut next);
        }
        current = next;
    }
    current
}

pub(super) fn from(config: FromConfig) -> Box<dyn Node> {
    Box::new(FromNode::<NoLambda>::new(config, None))
}

pub(super) fn measurement(name: &str) -> FromConfig {
    FromConfig {
        measurement: Some(name.into()),
        ..FromConfig::default()
    }
}

pub(super) fn post(outbox: &Arc<RecordingOutbox>, path: &str) -> Box<dyn Node> {
    Box::new(HttpPostNode::new(
        HttpPostConfig {
            url: format!("{SINK}{path}"),
            ..HttpPostConfig::default()
        },
        outbox.clone(),
    ))
}

/// The databases and retention policies a task reads.
pub(super) type Dbrps = &'static [(&'static str, &'static str)];

pub(super) const TELEGRAF: Dbrps = &[("telegraf", "autogen")];

/// `lambda: "a" <op> "b"`.
struct RefOpRef(&'static str, BinaryOp, &'static str);

impl Lambda for RefOpRef {
    type State = ();
    fn eval<'a, S: Scope + ?Sized>(
        &'a self,
        scope: &'a S,
        _: &mut (),
    ) -> Result<Value<'a>, EvalError> {
        binary(self.1, reference(scope, self.0)?, reference(scope, self.2)?)
    }
}

/// `lambda: "host" =~ /^web[0-9]+$/ AND "dc" != 'east' AND "latency" >= 10.0`.
struct WebNotEast(Regex);

impl Lambda for WebNotEast {
    type State = ();
    fn eval<'a, S: Scope + ?Sized>(
        &'a self,
        scope: &'a S,
        _: &mut (),
    ) -> Result<Value<'a>, EvalError> {
        let web = predicate(
            BinaryOp::RegexMatch,
            &reference(scope, "host")?,
            &Value::Regex(&self.0),
        )?;
        if !logical_operand(BinaryOp::And, Side::Left, &Value::Bool(web))? {
            return Ok(Value::Bool(false));
        }
        let not_east = predicate(BinaryOp::Ne, &reference(scope, "dc")?, &Value::str("east"))?;
        if !logical_operand(BinaryOp::And, Side::Left, &Value::Bool(not_east))? {
            return Ok(Value::Bool(false));
        }
        predicate(
            BinaryOp::Ge,
            &reference(scope, "latency")?,
            &Value::Float(10.0),
        )
        .map(Value::Bool)
    }
}

/// The pipeline of each case this file knows, by case name.
fn pipeline(case: &str) -> Option<Pipeline> {
    let outbox = Arc::new(RecordingOutbox::new());
    let o = &outbox;
    let stages: (Dbrps, Vec<Box<dyn Node>>) = match case {
        "from_database_filter" => (
            &[("dba", "autogen"), ("dbb", "autogen")],
            vec![
                from(FromConfig {
                    database: Some("dbb".into()),
                    ..measurement("m")
                }),
                post(o, "/m"),
            ],
        ),
        "from_measurement_and_dbrp" => (TELEGRAF, vec![from(measurement("cpu")), post(o, "/cpu")]),
        "httppost_point_shape" => (TELEGRAF, vec![from(FromConfig::default()), post(o, "/p")]),
        "from_round" => (
            TELEGRAF,
            vec![
                from(FromConfig {
                    round: Some(10 * S),
                    ..measurement("m")
                }),
                post(o, "/m"),
            ],
        ),
        "from_truncate" => (
            TELEGRAF,
            vec![
                from(FromConfig {
                    truncate: Some(10 * S),
                    ..measurement("m")
                }),
                post(o, "/m"),
            ],
        ),
        "from_where_tag_regex_and" => (
            TELEGRAF,
            vec![
                Box::new(FromNode::new(
                    measurement("req"),
                    Some(WebNotEast(compile_regex("^web[0-9]+$").ok()?)),
                )),
                post(o, "/req"),
            ],
        ),
        "where_missing_field_drops" => (
            TELEGRAF,
            vec![
                from(measurement("m")),
                Box::new(WhereNode::new(FieldCompare::new("v", BinaryOp::Gt, 5_i64))),
                post(o, "/m"),
            ],
        ),
        "log_passthrough" => {
            let log = |level: &str, prefix: &str| -> Box<dyn Node> {
                Box::new(LogNode::new(
                    LogConfig {
                        level: LogLevel::from_name(level),
                        prefix: prefix.into(),
                        ..LogConfig::default()
                    },
                    std::io::sink(),
                    || 0,
                ))
            };
            (
                TELEGRAF,
                vec![
                    from(measurement("m")),
                    log("DEBUG", "P1"),
                    Box::new(WhereNode::new(FieldCompare::new("v", BinaryOp::Ne, 2_i64))),
                    log("INFO", ""),
                    post(o, "/m"),
                ],
            )
        }
        "eval_tags_keep" => (
            TELEGRAF,
            vec![
                from(measurement("m")),
                Box::new(
                    EvalNode::new(
                        EvalConfig {
                            names: vec!["host".into(), "v3".into()],
                            tags: vec!["host".into()],
                            keep: Keep::All,
                            quiet: false,
                        },
                        (
                            Call1 {
                                function: &STR_TO_UPPER,
                                name: "host",
                            },
                            Arith::new("v", BinaryOp::Mul, 3_i64),
                        ),
                    )
                    .ok()?,
                ),
                post(o, "/m"),
            ],
        ),
        "eval_chained_results" => (
            TELEGRAF,
            vec![
                from(measurement("m")),
                Box::new(
                    EvalNode::new(
                        EvalConfig {
                            names: ["double", "plus", "sq", "x_copy"]
                                .map(String::from)
                                .to_vec(),
                            ..EvalConfig::default()
                        },
                        (
                            Arith::new("x", BinaryOp::Mul, 2.0),
                            Arith::new("double", BinaryOp::Add, 1.0),
                            RefOpRef("plus", BinaryOp::Mul, "plus"),
                            Ref("x"),
                        ),
                    )
                    .ok()?,
                ),
                post(o, "/m"),
            ],
        ),
        "eval_division_by_zero" => (
            TELEGRAF,
            vec![
                from(measurement("m")),
                Box::new(
                    EvalNode::new(
                        EvalConfig {
                            names: vec!["q".into()],
                            ..EvalConfig::default()
                        },
                        (RefOpRef("n", BinaryOp::Div, "d"),),
                    )
                    .ok()?,
                ),
                post(o, "/m"),
            ],
        ),
        "delete_field_tag" => (
            TELEGRAF,
            vec![
                from(measurement("m")),
                Box::new(DeleteNode::new(DeleteConfig {
                    fields: vec!["secret".into(), "nope".into()],
                    tags: vec!["host".into()],
                })),
                post(o, "/m"),
            ],
        ),
        "shift_positive" => (
            TELEGRAF,
            vec![
                from(measurement("m")),
                Box::new(ShiftNode::new(300 * S)),
                post(o, "/m"),
            ],
        ),
        "sample_count" => (
            TELEGRAF,
            vec![
                from(FromConfig {
                    group_by: GroupBy::tags(["host"]),
                    ..measurement("m")
                }),
                Box::new(SampleNode::new(SampleRate::Count(3))),
                post(o, "/m"),
            ],
        ),
        "sample_duration" => (
            TELEGRAF,
            vec![
                from(measurement("m")),
                Box::new(SampleNode::new(SampleRate::Every(10 * S))),
                post(o, "/m"),
            ],
        ),
        "change_detect_single" => (
            TELEGRAF,
            vec![
                from(FromConfig {
                    group_by: GroupBy::tags(["host"]),
                    ..measurement("svc")
                }),
                Box::new(ChangeDetectNode::new(vec!["status".into()])),
                post(o, "/m"),
            ],
        ),
        "state_duration_as_unit" => (
            TELEGRAF,
            vec![
                from(FromConfig {
                    group_by: GroupBy::tags(["host"]),
                    ..measurement("m")
                }),
                Box::new(StateTrackingNode::state_duration(
                    StateDurationConfig {
                        field: "mins".into(),
                        unit: 60 * S,
                    },
                    FieldCompare::new("v", BinaryOp::Gt, 10_i64),
                )),
                post(o, "/m"),
            ],
        ),
        "state_duration_default" => (
            TELEGRAF,
            vec![
                from(measurement("m")),
                Box::new(StateTrackingNode::state_duration(
                    StateDurationConfig::default(),
                    FieldCompare::new("s", BinaryOp::Eq, "bad"),
                )),
                post(o, "/m"),
            ],
        ),
        _ => return None,
    };
    Some(Pipeline::new(stages.0, stages.1, outbox))
}

/// JSON equality under the conformance rules: numbers within a relative 1e-9.
pub(super) fn same_json(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs()),
            _ => false,
        },
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

/// Replays the case and compares its posts; the error says what differs.
pub(super) fn check_case(dir: &Path, mut pipeline: Pipeline) -> Result<(), String> {
    let dbrps = pipeline.dbrps.clone();
    let outbox = pipeline.outbox.clone();
    replay_case(dir, &dbrps, &outbox, |msg| pipeline.push(msg))
}

/// Replays the case's input into `push` (the points of `dbrps`), then compares the posts that
/// reached `outbox` with the expected ones; the error says what differs.
pub(super) fn replay_case(
    dir: &Path,
    dbrps: &[(&str, &str)],
    outbox: &RecordingOutbox,
    mut push: impl FnMut(Message),
) -> Result<(), String> {
    let reader = SrplReader::open(&dir.join("input.srpl"), Precision::Nanosecond)
        .map_err(|e| e.to_string())?;
    for point in reader {
        let point = point.map_err(|e| e.to_string())?;
        let wanted = dbrps
            .iter()
            .any(|(db, rp)| *db == point.database && *rp == point.retention_policy);
        if wanted {
            push(Message::Point(point));
        }
    }
    let got: Vec<Json> = outbox
        .take()
        .into_iter()
        .map(|d| match d {
            Delivery::Post(p) => serde_json::json!({
                "path": p.url.strip_prefix(SINK).unwrap_or(&p.url),
                "body": serde_json::from_slice::<Json>(&p.body).unwrap_or(Json::Null),
            }),
            other => serde_json::json!({ "unexpected": format!("{other:?}") }),
        })
        .collect();
    // A case whose reference posted nothing has no posts.jsonl.
    let expected_path = dir.join("expected/posts.jsonl");
    let expected_text = if expected_path.exists() {
        std::fs::read_to_string(expected_path).map_err(|e| e.to_string())?
    } else {
        String::new()
    };
    let expected: Vec<Json> = expected_text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    if got.len() != expected.len() {
        return Err(format!("{} posts, expected {}", got.len(), expected.len()));
    }
    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
        if !same_json(g, e) {
            return Err(format!("post {i}:\n  got      {g}\n  expected {e}"));
        }
    }
    Ok(())
}

#[test]
fn stream_cases_of_these_nodes_match_the_reference() {
    let cases = [
        "from_database_filter",
        "from_measurement_and_dbrp",
        "httppost_point_shape",
        "from_round",
        "from_truncate",
        "from_where_tag_regex_and",
        "where_missing_field_drops",
        "log_passthrough",
        "eval_tags_keep",
        "eval_chained_results",
        "eval_division_by_zero",
        "delete_field_tag",
        "shift_positive",
        "sample_count",
        "sample_duration",
        "change_detect_single",
        "state_duration_as_unit",
        "state_duration_default",
    ];
    if !Path::new(CONFORMANCE).is_dir() {
        eprintln!("conformance cases not found under {CONFORMANCE}; skipped");
        return;
    }
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let dir = Path::new(CONFORMANCE).join(case);
            let Some(pipeline) = pipeline(case) else {
                return Some(format!("{case}: no pipeline"));
            };
            check_case(&dir, pipeline)
                .err()
                .map(|e| format!("{case}: {e}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn the_comparison_can_fail() {
    let a: Json = serde_json::json!({"v": [1, 2.0000000001, "x"]});
    assert!(same_json(&a, &serde_json::json!({"v": [1.0, 2, "x"]})));
    assert!(!same_json(&a, &serde_json::json!({"v": [1, 2.1, "x"]})));
    assert!(!same_json(&a, &serde_json::json!({"v": [1, 2, "y"]})));
}
