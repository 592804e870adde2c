//! Node-level behaviour of the InfluxQL node: edges, shapes, times, groups and errors.

use super::*;

const S: i64 = 1_000_000_000;

fn dims() -> Dimensions {
    Dimensions {
        by_measurement: false,
        tag_names: ["host"].map(crate::point::Str::from).into(),
    }
}

fn fields(pairs: &[(&str, FieldValue)]) -> Fields {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn tags(host: &str) -> Tags {
    Tags::from_iter([("host", host), ("dc", "east")])
}

fn point(name: &str, host: &str, secs: i64, f: &[(&str, FieldValue)]) -> Message {
    Message::Point(Point {
        database: "db".into(),
        retention_policy: "rp".into(),
        name: name.into(),
        tags: tags(host),
        fields: fields(f),
        time: secs * S,
        dimensions: dims(),
        group: GroupKey(format!("host={host}").into()),
    })
}

fn batch(secs: i64, points: Vec<(i64, &[(&str, FieldValue)])>) -> Message {
    Message::Batch(Batch {
        name: "m".into(),
        time: secs * S,
        tags: Tags::from_iter([("host", "a")]),
        dimensions: dims(),
        group: GroupKey("host=a".into()),
        points: points
            .into_iter()
            .map(|(t, f)| BatchPoint {
                time: t * S,
                fields: fields(f),
                tags: tags("a"),
            })
            .collect(),
    })
}

fn run(config: InfluxQlConfig, input: Vec<Message>) -> (Vec<Message>, u64) {
    let mut node = InfluxQlNode::new(config).expect("valid config");
    let mut out = Vec::new();
    for m in input {
        node.push(m, &mut out);
    }
    (out, node.errors())
}

fn only_point(out: &[Message]) -> &Point {
    match out {
        [Message::Point(p)] => p,
        other => panic!("expected one point, got {other:?}"),
    }
}

fn only_batch(out: &[Message]) -> &Batch {
    match out {
        [Message::Batch(b)] => b,
        other => panic!("expected one batch, got {other:?}"),
    }
}

fn f(x: f64) -> FieldValue {
    FieldValue::Float(x)
}

fn i(x: i64) -> FieldValue {
    FieldValue::Int(x)
}

#[test]
fn stream_steps_are_reduced_when_a_new_time_arrives() {
    let config = InfluxQlConfig::new(Method::Count, "v");
    let (out, _) = run(
        config,
        vec![
            point("m1", "a", 1, &[("v", f(1.0))]),
            point("m2", "a", 1, &[("v", f(2.0))]),
            point("m3", "b", 1, &[("v", f(2.0))]),
            point("m4", "a", 2, &[("v", f(3.0))]),
        ],
    );
    let p = only_point(&out);
    // The step's first point names it; aggregates carry the group's tags only.
    assert_eq!((p.name.as_str(), p.time), ("m1", S));
    assert_eq!(p.fields, fields(&[("count", i(2))]));
    assert_eq!(p.tags, Tags::from_iter([("host", "a")]));
    assert_eq!(p.group, GroupKey("host=a".into()));
}

#[test]
fn only_count_and_sum_report_an_empty_batch() {
    let empty = || batch(60, vec![]);
    let count = run(InfluxQlConfig::new(Method::Count, "v"), vec![empty()]).0;
    assert_eq!(only_point(&count).fields, fields(&[("count", i(0))]));
    assert_eq!(only_point(&count).time, 60 * S);
    let sum = run(InfluxQlConfig::new(Method::Sum, "v"), vec![empty()]).0;
    assert_eq!(only_point(&sum).fields, fields(&[("sum", f(0.0))]));
    assert!(
        run(InfluxQlConfig::new(Method::Mean, "v"), vec![empty()])
            .0
            .is_empty()
    );
}

#[test]
fn strings_count_but_do_not_sum() {
    let value = [("v", FieldValue::String("x".into()))];
    let rows: Vec<(i64, &[(&str, FieldValue)])> = vec![(1, &value), (2, &value)];
    let count = run(
        InfluxQlConfig::new(Method::Count, "v"),
        vec![batch(10, rows.clone())],
    )
    .0;
    assert_eq!(only_point(&count).fields, fields(&[("count", i(2))]));
    let (sum, errors) = run(
        InfluxQlConfig::new(Method::Sum, "v"),
        vec![batch(10, rows.clone())],
    );
    assert_eq!(only_point(&sum).fields, fields(&[("sum", f(0.0))]));
    assert_eq!(errors, 2);
    assert!(
        run(
            InfluxQlConfig::new(Method::Mean, "v"),
            vec![batch(10, rows)]
        )
        .0
        .is_empty()
    );
}

#[test]
fn the_first_value_fixes_the_type() {
    let (out, errors) = run(
        InfluxQlConfig::new(Method::Sum, "v"),
        vec![batch(
            10,
            vec![
                (1, &[("w", i(1))]),
                (2, &[("v", i(2))]),
                (3, &[("v", f(100.0))]),
                (4, &[("v", i(5))]),
            ],
        )],
    );
    assert_eq!(only_point(&out).fields, fields(&[("sum", i(7))]));
    assert_eq!(errors, 2);
}

#[test]
fn selectors_emit_the_selected_point_renamed() {
    let config = InfluxQlConfig::new(Method::Max, "v").with_as("peak");
    let input = || {
        batch(
            10,
            vec![
                (1, &[("v", f(1.0)), ("x", i(1))]),
                (2, &[("v", f(9.0)), ("x", i(2))]),
                (3, &[("v", f(3.0))]),
            ],
        )
    };
    let (out, _) = run(config.clone(), vec![input()]);
    let p = only_point(&out);
    assert_eq!(p.fields, fields(&[("peak", f(9.0)), ("x", i(2))]));
    assert_eq!(p.tags, tags("a"));
    assert_eq!(p.time, 10 * S);
    let (out, _) = run(config.with_point_times(), vec![input()]);
    assert_eq!(only_point(&out).time, 2 * S);
}

#[test]
fn sum_with_point_times_lands_on_the_epoch() {
    // InfluxQL's sum reducer starts from a point at time 0 and keeps that time.
    let (out, _) = run(
        InfluxQlConfig::new(Method::Sum, "v").with_point_times(),
        vec![batch(10, vec![(1, &[("v", i(2))])])],
    );
    assert_eq!(only_point(&out).time, 0);
}

#[test]
fn a_percentile_below_the_first_rank_emits_nothing() {
    let (out, _) = run(
        InfluxQlConfig::new(Method::Percentile(10.0), "v"),
        vec![batch(10, vec![(1, &[("v", i(1))]), (2, &[("v", i(2))])])],
    );
    assert!(out.is_empty());
}

#[test]
fn top_emits_a_batch_with_point_tags_merged() {
    let config = InfluxQlConfig::new(
        Method::Top {
            n: 2,
            distinct_by: vec![],
        },
        "v",
    )
    .with_point_times();
    let (out, _) = run(
        config,
        vec![batch(
            10,
            vec![
                (1, &[("v", f(5.0))]),
                (12, &[("v", f(9.0))]),
                (3, &[("v", f(7.0))]),
            ],
        )],
    );
    let b = only_batch(&out);
    let got: Vec<(i64, Option<&FieldValue>)> = b
        .points
        .iter()
        .map(|p| (p.time / S, p.fields.get("top")))
        .collect();
    assert_eq!(got, vec![(3, Some(&f(7.0))), (12, Some(&f(9.0)))]);
    assert_eq!(b.points[0].tags, tags("a"));
    assert_eq!(b.tags, Tags::from_iter([("host", "a")]));
    // The batch time moves up to the latest point time.
    assert_eq!(b.time, 12 * S);
}

#[test]
fn distinct_from_a_stream_step_is_a_batch_at_the_step_time() {
    let (out, _) = run(
        InfluxQlConfig::new(Method::Distinct, "v"),
        vec![
            point("m", "a", 1, &[("v", i(3))]),
            point("m", "a", 1, &[("v", i(1))]),
            point("m", "a", 1, &[("v", i(3))]),
            point("m", "a", 2, &[("v", i(0))]),
        ],
    );
    let b = only_batch(&out);
    assert_eq!(b.time, S);
    let values: Vec<_> = b
        .points
        .iter()
        .map(|p| (p.time, p.fields.get("distinct").cloned()))
        .collect();
    // Values first seen at the same time come out in value order.
    assert_eq!(values, vec![(S, Some(i(1))), (S, Some(i(3)))]);
}

#[test]
fn transformations_restart_with_every_batch_and_keep_its_frame() {
    let config = InfluxQlConfig::new(Method::Difference, "v");
    let (out, _) = run(
        config,
        vec![
            batch(10, vec![(1, &[("v", i(1))]), (2, &[("v", i(4))])]),
            batch(20, vec![(11, &[("v", i(10))])]),
        ],
    );
    let [Message::Batch(first), Message::Batch(second)] = out.as_slice() else {
        panic!("{out:?}")
    };
    assert_eq!((first.name.as_str(), first.time), ("m", 10 * S));
    let got: Vec<_> = first
        .points
        .iter()
        .map(|p| (p.time, p.fields.clone()))
        .collect();
    assert_eq!(got, vec![(2 * S, fields(&[("difference", i(3))]))]);
    assert_eq!(
        first.points[0].tags,
        Tags::from_iter([("host", "a")])
    );
    // Nothing to difference in the second batch, which still leaves (empty).
    assert!(second.points.is_empty());
}

#[test]
fn stream_transformations_run_per_group() {
    let config = InfluxQlConfig::new(Method::CumulativeSum, "v").with_as("total");
    let (out, _) = run(
        config,
        vec![
            point("m", "a", 1, &[("v", i(1))]),
            point("m", "b", 1, &[("v", i(10))]),
            point("other", "a", 2, &[("v", i(2))]),
        ],
    );
    let got: Vec<_> = out
        .iter()
        .map(|m| match m {
            Message::Point(p) => (
                p.name.to_string(),
                p.tags.get("host").map(|h| h.to_string()),
                p.fields.get("total").cloned(),
            ),
            other => panic!("a point was expected: {other:?}"),
        })
        .collect();
    // Transformed points are named after the group's first point.
    assert_eq!(
        got,
        vec![
            ("m".to_string(), Some("a".to_string()), Some(i(1))),
            ("m".to_string(), Some("b".to_string()), Some(i(10))),
            ("m".to_string(), Some("a".to_string()), Some(i(3))),
        ]
    );
}

#[test]
fn arguments_kapacitor_would_crash_on_are_refused() {
    let bad = |m: Method| {
        InfluxQlNode::new(InfluxQlConfig::new(m, "v"))
            .err()
            .map(|e| e.to_string())
    };
    assert_eq!(
        bad(Method::Elapsed { unit: 0 }).as_deref(),
        Some("invalid elapsed(): the unit must not be zero")
    );
    assert!(bad(Method::MovingAverage { window: 0 }).is_some());
    assert!(
        bad(Method::Top {
            n: -1,
            distinct_by: vec![]
        })
        .is_some()
    );
    assert!(
        bad(Method::HoltWinters {
            h: 1,
            m: 0,
            interval: 0,
            with_fit: false
        })
        .is_some()
    );
    assert!(bad(Method::Mean).is_none());
}

#[test]
fn default_names_follow_the_method() {
    assert_eq!(
        InfluxQlConfig::new(
            Method::HoltWinters {
                h: 1,
                m: 0,
                interval: S,
                with_fit: true
            },
            "v"
        )
        .as_name,
        "holtWinters"
    );
    assert_eq!(
        InfluxQlConfig::new(Method::MovingAverage { window: 2 }, "v").as_name,
        "movingAverage"
    );
}
