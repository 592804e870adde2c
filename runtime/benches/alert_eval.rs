//! cpu_alert's alert node evaluating `crit(lambda: "usage_idle" < 70)`, as its generated code
//! builds it: points that stay OK (no event), and points that flip between CRITICAL and OK so
//! each one makes an event for its log handler (deliveries are dropped, not written).

// Each bench uses part of the shared data helpers.
#[allow(dead_code)]
#[path = "common/bench_data.rs"]
mod bench_data;

use std::sync::Arc;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use tick_runtime::__private as rt;
use tick_runtime::__private::Node;
use tick_runtime::delivery::{Delivery, Outbox};

const POINTS: usize = bench_data::SERIES * 10;

/// `"usage_idle" < 70`.
struct Crit;

impl rt::Lambda for Crit {
    type State = ();

    fn eval<'a, S: rt::Scope + ?Sized>(&'a self, scope: &'a S, _state: &mut ()) -> Result<rt::Value<'a>, rt::EvalError> {
        rt::predicate(rt::BinaryOp::Lt, &rt::reference(scope, "usage_idle")?, &rt::Value::Int(70)).map(rt::Value::Bool)
    }

    fn test<S: rt::Scope + ?Sized>(&self, scope: &S, _state: &mut ()) -> Result<bool, rt::EvalError> {
        rt::predicate(rt::BinaryOp::Lt, &rt::reference(scope, "usage_idle")?, &rt::Value::Int(70))
    }
}

struct Levels {
    crit: rt::LevelLambda<Crit>,
}

impl rt::AlertLevels for Levels {
    fn test<S: rt::Scope + ?Sized>(&mut self, check: rt::LevelCheck, scope: &S) -> Option<Result<bool, rt::EvalError>> {
        match check {
            rt::LevelCheck::Enter(rt::Level::Critical) => Some(self.crit.test(scope)),
            _ => None,
        }
    }
}

/// An outbox that drops what it is sent: the bench measures the node, not the disk.
struct Discard;

impl Outbox for Discard {
    fn send(&self, _delivery: Delivery) {}

    fn flush(&self) {}
}

fn alert_node() -> rt::AlertNode<Levels> {
    let log = rt::LogHandler::new("/dev/null", Some(0o600)).unwrap_or_else(|e| panic!("log handler: {e}"));
    let config = rt::AlertConfig { handlers: vec![rt::Handler::Log(log)], ..rt::AlertConfig::new("bench") };
    let levels = Levels { crit: rt::LevelLambda::new(Crit) };
    rt::AlertNode::new(config, levels, Arc::new(Discard), Arc::new(rt::Inhibitors::new()))
        .unwrap_or_else(|e| panic!("alert node: {e}"))
}

/// Pushes every point through `node`; how many messages it emitted.
fn run(node: &mut rt::AlertNode<Levels>, points: Vec<rt::Point>) -> usize {
    let mut out = Vec::new();
    for point in points {
        node.push(rt::Message::Point(point), &mut out);
    }
    out.len()
}

fn bench_alert(c: &mut Criterion) {
    let mut group = c.benchmark_group("alert_eval");
    group.throughput(Throughput::Elements(POINTS as u64));
    for (name, dips, events) in [
        ("crit lambda, no event", bench_data::Dips::None, 0),
        ("crit lambda, an event per point", bench_data::Dips::EveryOther, POINTS as u64 - 1),
    ] {
        let points = bench_data::points(POINTS, dips);
        let mut node = alert_node();
        run(&mut node, points.clone());
        assert_eq!(node.stats().alerts_triggered, events, "{name}");
        group.bench_function(name, |b| {
            b.iter_batched(|| (alert_node(), points.clone()), |(mut node, points)| run(&mut node, points), BatchSize::LargeInput)
        });
    }
    group.finish();
}

criterion_group!(benches, bench_alert);
criterion_main!(benches);
