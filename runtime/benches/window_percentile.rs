//! The p95 task's hot path as its generated code wires it: groupBy(service, datacenter), a
//! 1m/1m window, then percentile(95) over 400 series sending a point a second.

// Each bench uses part of the shared data helpers.
#[allow(dead_code)]
#[path = "common/bench_data.rs"]
mod bench_data;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use tick_runtime::__private as rt;
use tick_runtime::__private::Node;

/// Two and a half minutes of data: two windows close per group.
const POINTS: usize = bench_data::SERIES * 150;
const MINUTE_NS: i64 = 60_000_000_000;

struct Pipeline {
    group_by: rt::GroupByNode,
    window: rt::WindowNode,
    percentile: rt::InfluxQlNode,
}

impl Pipeline {
    fn new() -> Pipeline {
        let window = rt::WindowNode::new(&rt::WindowConfig {
            period: MINUTE_NS,
            every: MINUTE_NS,
            align: false,
            fill_period: false,
            period_count: 0,
            every_count: 0,
        });
        let percentile = rt::InfluxQlNode::new(rt::InfluxQlConfig {
            method: rt::Method::Percentile(95.0),
            field: String::from("usage_idle"),
            as_name: String::from("percentile"),
            use_point_times: false,
        });
        Pipeline {
            group_by: rt::GroupByNode::new(rt::GroupByConfig {
                group_by: rt::GroupBy::tags(["datacenter", "service"]),
                by_measurement: false,
            }),
            window: window.unwrap_or_else(|e| panic!("window: {e}")),
            percentile: percentile.unwrap_or_else(|e| panic!("percentile: {e}")),
        }
    }

    /// Pushes every point through; how many percentiles came out.
    fn run(&mut self, points: Vec<rt::Point>) -> usize {
        let (mut grouped, mut windows, mut results) = (Vec::new(), Vec::new(), Vec::new());
        for point in points {
            self.group_by.push(rt::Message::Point(point), &mut grouped);
            for msg in grouped.drain(..) {
                self.window.push(msg, &mut windows);
            }
            for batch in windows.drain(..) {
                self.percentile.push(batch, &mut results);
            }
        }
        results.len()
    }
}

fn bench_window_percentile(c: &mut Criterion) {
    let points = bench_data::points(POINTS, bench_data::Dips::None);
    assert_eq!(points.len(), POINTS);
    // 15 groups (3 datacenters × 5 services), each closing its first two windows.
    assert_eq!(Pipeline::new().run(points.clone()), 30);

    let mut group = c.benchmark_group("window_percentile");
    group.throughput(Throughput::Elements(POINTS as u64));
    group.bench_function("groupBy, window 1m, percentile 95 over 400 series", |b| {
        b.iter_batched(|| (Pipeline::new(), points.clone()), |(mut pipeline, points)| pipeline.run(points), BatchSize::LargeInput)
    });
    group.finish();
}

criterion_group!(benches, bench_window_percentile);
criterion_main!(benches);
