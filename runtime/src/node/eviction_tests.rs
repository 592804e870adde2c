//! Series that come and go: `from().groupBy('host') |window().period(10s).every(10s)
//! |mean('usage_idle') |alert()` fed many short-lived hosts keeps its group state bounded when
//! idle groups are forgotten, and keeps every group without (Kapacitor's behaviour).

use std::sync::Arc;

use super::Node;
use super::from::{FromConfig, FromNode, NoLambda};
use super::group::GroupBy;
use super::influxql::{InfluxQlConfig, InfluxQlNode, Method};
use super::window::{WindowConfig, WindowNode};
use crate::alert::{AlertConfig, AlertNode, Inhibitors};
use crate::delivery::RecordingOutbox;
use crate::point::{Dimensions, FieldValue, Fields, GroupKey, Message, Point, Tags};

const S: i64 = 1_000_000_000;

/// The pipeline, built from the runtime's nodes as generated code builds it.
struct Pipeline {
    from: FromNode,
    window: WindowNode,
    mean: InfluxQlNode,
    alert: AlertNode<()>,
    /// Batches the mean got, to show windows did close.
    windows_closed: usize,
}

impl Pipeline {
    fn new(idle_timeout: i64) -> Pipeline {
        let from = FromNode::<NoLambda>::new(
            FromConfig {
                measurement: Some("cpu".into()),
                group_by: GroupBy::tags(["host"]),
                ..FromConfig::default()
            },
            None,
        )
        .forgetting_idle_groups(idle_timeout);
        let window = WindowNode::new(&WindowConfig {
            period: 10 * S,
            every: 10 * S,
            ..WindowConfig::default()
        })
        .unwrap();
        let mean = InfluxQlNode::new(InfluxQlConfig::new(Method::Mean, "usage_idle")).unwrap();
        let alert = AlertNode::new(
            AlertConfig::new("t"),
            (),
            Arc::new(RecordingOutbox::new()),
            Arc::new(Inhibitors::new()),
        )
        .unwrap();
        Pipeline {
            from,
            window,
            mean,
            alert,
            windows_closed: 0,
        }
    }

    fn push(&mut self, point: Point) {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        self.from.push(Message::Point(point), &mut a);
        for msg in a.drain(..) {
            self.window.push(msg, &mut b);
        }
        self.windows_closed += b.iter().filter(|m| matches!(m, Message::Batch(_))).count();
        for msg in b.drain(..) {
            self.mean.push(msg, &mut a);
        }
        for msg in a.drain(..) {
            self.alert.push(msg, &mut b);
        }
    }

    /// The most groups any node holds.
    fn groups(&self) -> usize {
        [
            self.from.groups(),
            self.window.groups(),
            self.mean.groups(),
            self.alert.groups(),
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
    }
}

fn cpu(host: u64, time: i64) -> Point {
    Point {
        database: "telegraf".into(),
        retention_policy: "autogen".into(),
        name: "cpu".into(),
        tags: Tags::from_pairs([("host".into(), format!("h{host}").into())]),
        fields: Fields::from_pairs([("usage_idle".into(), FieldValue::Float(90.0))]),
        time,
        dimensions: Dimensions::default(),
        group: GroupKey::default(),
    }
}

/// Host `k` starts at second `k` and sends at `k`, `k + 5` and `k + 10`: the last point
/// closes its first window, so every node below gets the group, and then it is gone for good.
/// Points go in time order. Returns the most groups any node held at any time.
fn run(pipeline: &mut Pipeline, hosts: u64) -> usize {
    let mut most = 0;
    let mut pending = std::collections::BTreeMap::new();
    for k in 0..hosts {
        let start = k as i64 * S;
        for offset in [0, 5, 10] {
            pending.entry(start + offset * S).or_insert_with(Vec::new).push(k);
        }
        // Everything before this host's start can go.
        while let Some(entry) = pending.first_entry() {
            if *entry.key() > start {
                break;
            }
            let (time, ks) = entry.remove_entry();
            for host in ks {
                pipeline.push(cpu(host, time));
            }
        }
        if k % 1000 == 0 {
            most = most.max(pipeline.groups());
        }
    }
    most.max(pipeline.groups())
}

#[test]
fn short_lived_series_leave_no_state_behind() {
    let mut pipeline = Pipeline::new(60 * S);
    let hosts = 200_000;
    let most = run(&mut pipeline, hosts);
    // About 11 hosts send at any time; each is kept for its 10 s, the 60 s timeout and at most
    // an eighth of it before a scan finds it.
    assert!(most <= 100, "a node held {most} groups");
    assert!(pipeline.windows_closed as u64 >= hosts - 20, "{}", pipeline.windows_closed);
}

#[test]
fn without_a_timeout_every_group_is_kept_as_kapacitor_does() {
    let mut pipeline = Pipeline::new(0);
    let hosts = 2_000;
    run(&mut pipeline, hosts);
    assert_eq!(pipeline.window.groups() as u64, hosts);
    assert!(pipeline.alert.groups() as u64 >= hosts - 20);
}
