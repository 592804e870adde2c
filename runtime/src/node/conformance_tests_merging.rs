//! End-to-end checks of the nodes that merge points (join, combine, flatten) against the
//! reference Kapacitor's recorded outputs, with the replay and comparison of
//! [`super::conformance_tests`]. A join's parents are branches of stages fed the same stream.

use std::path::Path;
use std::sync::Arc;

use super::Node;
use super::combine::{CombineConfig, CombineNode};
use super::conformance_tests::{
    CONFORMANCE, Dbrps, Pipeline, S, TELEGRAF, check_case, from, measurement, post, replay_case,
    run_stages,
};
use super::flatten::{FlattenConfig, FlattenNode};
use super::from::FromConfig;
use super::group::GroupBy;
use super::join::{JoinConfig, JoinFill, JoinNode};
use super::testing::{FieldCompare, True};
use super::window::{WindowConfig, WindowNode};
use crate::delivery::RecordingOutbox;
use crate::expr::BinaryOp;
use crate::point::{FieldValue, Message};

/// The stages of one parent of a join.
type Branch = Vec<Box<dyn Node>>;

/// Parent branches into a join, then the stages after it (the last an httpPost).
struct JoinPipeline {
    branches: Vec<Branch>,
    join: JoinNode,
    after: Vec<Box<dyn Node>>,
}

impl JoinPipeline {
    fn push(&mut self, msg: &Message) {
        let mut joined = Vec::new();
        for (parent, branch) in self.branches.iter_mut().enumerate() {
            for m in run_stages(branch, msg.clone()) {
                self.join.push_from(parent, m, &mut joined);
            }
        }
        for m in joined {
            run_stages(&mut self.after, m);
        }
    }
}

fn window_4s() -> Box<dyn Node> {
    let config = WindowConfig {
        period: 4 * S,
        every: 4 * S,
        align: true,
        ..WindowConfig::default()
    };
    Box::new(WindowNode::new(&config).expect("a valid window"))
}

fn grouped(name: &str, tags: &[&str]) -> FromConfig {
    FromConfig {
        group_by: GroupBy::tags(tags.iter().copied()),
        ..measurement(name)
    }
}

fn names(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// The join cases: each parent's stages and the join's configuration.
fn join_case(case: &str) -> Option<(Vec<Branch>, JoinConfig)> {
    let two = |a: &str, b: &str| vec![vec![from(measurement(a))], vec![from(measurement(b))]];
    Some(match case {
        "join_fill_number" => (
            two("a", "b"),
            JoinConfig {
                names: names(&["A", "B"]),
                fill: JoinFill::Value(FieldValue::Float(0.0)),
                delimiter: "_".into(),
                ..JoinConfig::default()
            },
        ),
        "join_grouped_by_host" => (
            vec![
                vec![from(grouped("cpu", &["host"]))],
                vec![from(grouped("mem", &["host"]))],
            ],
            JoinConfig {
                names: names(&["cpu", "mem"]),
                ..JoinConfig::default()
            },
        ),
        "join_on_same_dims_no_output" => (
            vec![
                vec![from(grouped("cpu", &["host"]))],
                vec![from(grouped("mem", &["host"]))],
            ],
            JoinConfig {
                names: names(&["cpu", "mem"]),
                on: names(&["host"]),
                ..JoinConfig::default()
            },
        ),
        "join_on_subset_groups" => (
            vec![
                vec![from(grouped("cpu", &["host", "cpu"]))],
                vec![from(grouped("load", &["host"]))],
            ],
            JoinConfig {
                names: names(&["c", "l"]),
                on: names(&["host"]),
                ..JoinConfig::default()
            },
        ),
        "join_three_way_delimiter_empty" => (
            vec![
                vec![from(measurement("a"))],
                vec![from(measurement("b"))],
                vec![from(measurement("c"))],
            ],
            JoinConfig {
                names: names(&["x", "y", "z"]),
                delimiter: String::new(),
                ..JoinConfig::default()
            },
        ),
        "join_tolerance" => (
            two("a", "b"),
            JoinConfig {
                names: names(&["A", "B"]),
                tolerance: 2 * S,
                ..JoinConfig::default()
            },
        ),
        "join_windowed_batches" => (
            vec![
                vec![from(measurement("a")), window_4s()],
                vec![from(measurement("b")), window_4s()],
            ],
            JoinConfig {
                names: names(&["a", "b"]),
                ..JoinConfig::default()
            },
        ),
        _ => return None,
    })
}

fn check_join_case(dir: &Path, case: &str) -> Result<(), String> {
    let (branches, config) = join_case(case).ok_or("no pipeline")?;
    let outbox = Arc::new(RecordingOutbox::new());
    let mut pipeline = JoinPipeline {
        branches,
        join: JoinNode::new(config).map_err(|e| e.to_string())?,
        after: vec![post(&outbox, "/j")],
    };
    replay_case(dir, TELEGRAF, &outbox, |msg| pipeline.push(&msg))
}

/// The linear cases: combine and flatten.
fn linear_case(case: &str) -> Option<Pipeline> {
    let outbox = Arc::new(RecordingOutbox::new());
    let o = &outbox;
    let combine_config = |prefixes: &[&str], max: Option<u64>| CombineConfig {
        names: names(prefixes),
        max: max.unwrap_or(CombineConfig::default().max),
        ..CombineConfig::default()
    };
    let flatten = |on: &[&str], config: FlattenConfig| -> Box<dyn Node> {
        Box::new(FlattenNode::new(FlattenConfig {
            on: names(on),
            ..config
        }))
    };
    let stages: (Dbrps, Vec<Box<dyn Node>>) = match case {
        "combine_max" => (
            TELEGRAF,
            vec![
                from(measurement("m")),
                Box::new(
                    CombineNode::new(combine_config(&["p", "q"], Some(3)), (True, True)).ok()?,
                ),
                post(o, "/c"),
            ],
        ),
        "combine_pairs" => (
            TELEGRAF,
            vec![
                from(measurement("req")),
                Box::new(
                    CombineNode::new(
                        combine_config(&["f", "any"], None),
                        (FieldCompare::new("svc", BinaryOp::Eq, "front"), True),
                    )
                    .ok()?,
                ),
                post(o, "/c"),
            ],
        ),
        "combine_triples" => (
            TELEGRAF,
            vec![
                from(measurement("m")),
                Box::new(
                    CombineNode::new(
                        combine_config(&["a", "b", "c"], None),
                        (
                            FieldCompare::new("role", BinaryOp::Eq, "x"),
                            FieldCompare::new("role", BinaryOp::Eq, "y"),
                            FieldCompare::new("role", BinaryOp::Eq, "y"),
                        ),
                    )
                    .ok()?,
                ),
                post(o, "/c"),
            ],
        ),
        "flatten_drop_original" => (
            TELEGRAF,
            vec![
                from(measurement("m")),
                flatten(
                    &["host", "dc"],
                    FlattenConfig {
                        delimiter: "_".into(),
                        drop_original_field_name: true,
                        ..FlattenConfig::default()
                    },
                ),
                post(o, "/f"),
            ],
        ),
        "flatten_on" => (
            TELEGRAF,
            vec![
                from(measurement("m")),
                flatten(&["host"], FlattenConfig::default()),
                post(o, "/f"),
            ],
        ),
        "flatten_tolerance_window" => (
            TELEGRAF,
            vec![
                from(measurement("m")),
                flatten(
                    &["host"],
                    FlattenConfig {
                        tolerance: S,
                        ..FlattenConfig::default()
                    },
                ),
                post(o, "/f"),
            ],
        ),
        "flatten_windowed_batch" => (
            TELEGRAF,
            vec![
                from(measurement("m")),
                window_4s(),
                flatten(&["host"], FlattenConfig::default()),
                post(o, "/f"),
            ],
        ),
        _ => return None,
    };
    Some(Pipeline::new(stages.0, stages.1, outbox))
}

#[test]
fn join_combine_and_flatten_cases_match_the_reference() {
    if !Path::new(CONFORMANCE).is_dir() {
        eprintln!("conformance cases not found under {CONFORMANCE}; skipped");
        return;
    }
    let mut cases: Vec<String> = std::fs::read_dir(CONFORMANCE)
        .expect("the conformance folder lists")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| {
            ["join_", "combine_", "flatten_"]
                .iter()
                .any(|p| name.starts_with(p))
        })
        .collect();
    cases.sort();
    assert!(!cases.is_empty());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let dir = Path::new(CONFORMANCE).join(case);
            let result = if case.starts_with("join_") {
                check_join_case(&dir, case)
            } else {
                linear_case(case)
                    .ok_or_else(|| "no pipeline".to_owned())
                    .and_then(|pipeline| check_case(&dir, pipeline))
            };
            result.err().map(|e| format!("{case}: {e}"))
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
