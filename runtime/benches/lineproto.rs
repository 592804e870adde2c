//! The line-protocol parser on one 5000-line `/write` body of the bench data: checking every
//! line and reading the field a task tests, and building full points as ingest does.

// Each bench uses part of the shared data helpers.
#[allow(dead_code)]
#[path = "common/bench_data.rs"]
mod bench_data;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tick_runtime::lineproto::parse_body;
use tick_runtime::time::Precision;

const LINES: usize = 5000;

fn bench_lineproto(c: &mut Criterion) {
    let body = bench_data::lines(LINES, bench_data::Dips::None);
    let parsed = parse_body(body.as_bytes(), Precision::Nanosecond).filter(Result::is_ok).count();
    assert_eq!(parsed, LINES, "every line of the bench body parses");

    let mut group = c.benchmark_group("lineproto");
    group.throughput(Throughput::Elements(LINES as u64));
    group.bench_function("parse 5000 lines, read usage_idle", |b| {
        b.iter(|| {
            parse_body(black_box(body.as_bytes()), Precision::Nanosecond)
                .filter_map(Result::ok)
                .filter(|line| line.view.field("usage_idle").is_some())
                .count()
        })
    });
    group.bench_function("parse 5000 lines into points", |b| {
        b.iter(|| {
            parse_body(black_box(body.as_bytes()), Precision::Nanosecond)
                .filter_map(Result::ok)
                .map(|line| line.view.to_point("telegraf", "autogen", 0))
                .collect::<Vec<_>>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_lineproto);
criterion_main!(benches);
