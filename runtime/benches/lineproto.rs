//! The line-protocol reader on one 5000-line `/write` body of the bench data: checking every
//! line and reading the field a task tests, building full points from scratch, and the ingest
//! path (a series cache that knows the 400 series): checking only, and building points.

// Each bench uses part of the shared data helpers.
#[allow(dead_code)]
#[path = "common/bench_data.rs"]
mod bench_data;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tick_runtime::lineproto::{SeriesCache, lines, parse_body};
use tick_runtime::point::{Fields, Str};
use tick_runtime::time::Precision;

const LINES: usize = 5000;

/// Reads every line of `body` into a point through `cache`, as ingest does (each point's
/// fields read into the memory the one before left, as tasks give it back); how many points.
fn ingest(cache: &mut SeriesCache, body: &[u8], database: &Str, retention_policy: &Str) -> usize {
    let mut spare = Fields::default();
    lines(body)
        .filter_map(|line| {
            let fields = std::mem::take(&mut spare);
            let point = cache.read(line.text, Precision::Nanosecond).ok()?.point(fields, database, retention_policy, 0).ok()?;
            spare = black_box(point).fields;
            Some(())
        })
        .count()
}

/// Checks every line of `body` through `cache`, as ingest does for points no task takes.
fn check(cache: &mut SeriesCache, body: &[u8]) -> usize {
    lines(body)
        .filter(|line| cache.read(line.text, Precision::Nanosecond).is_ok_and(|mut l| l.check().is_ok()))
        .count()
}

fn bench_lineproto(c: &mut Criterion) {
    let body = bench_data::lines(LINES, bench_data::Dips::None);
    let body = body.as_bytes();
    let parsed = parse_body(body, Precision::Nanosecond).filter(Result::is_ok).count();
    assert_eq!(parsed, LINES, "every line of the bench body parses");
    let (database, retention_policy) = (Str::from("telegraf"), Str::from("autogen"));

    let mut group = c.benchmark_group("lineproto");
    group.throughput(Throughput::Elements(LINES as u64));
    group.bench_function("parse 5000 lines, read usage_idle", |b| {
        b.iter(|| {
            parse_body(black_box(body), Precision::Nanosecond)
                .filter_map(Result::ok)
                .filter(|line| line.view.field("usage_idle").is_some())
                .count()
        })
    });
    group.bench_function("parse 5000 lines into points", |b| {
        b.iter(|| {
            parse_body(black_box(body), Precision::Nanosecond)
                .filter_map(Result::ok)
                .map(|line| line.view.to_point("telegraf", "autogen", 0))
                .collect::<Vec<_>>()
        })
    });
    let mut cache = SeriesCache::default();
    group.bench_function("ingest: check 5000 lines of known series", |b| {
        b.iter(|| check(&mut cache, black_box(body)))
    });
    group.bench_function("ingest: 5000 lines of known series into points", |b| {
        b.iter(|| ingest(&mut cache, black_box(body), &database, &retention_policy))
    });
    group.finish();
}

criterion_group!(benches, bench_lineproto);
criterion_main!(benches);
