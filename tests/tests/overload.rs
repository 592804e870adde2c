//! Overload: eight writers flood a task whose pipeline cannot keep up (every point closes a
//! 2,000-point count window, and each window's count is posted to an endpoint that answers
//! slowly), while a probe writes to a second task on another database.
//! - No accepted point is lost: each task counts exactly the points it was acknowledged for.
//! - Memory stays bounded (VmHWM under `MEMORY_BOUND`): the slow task's queue is bounded, so
//!   writers wait (back-pressure) instead of the program buffering.
//! - The other database's writes are not held up by the backlog: their latency stays low.
//! - A task that reads both databases gets every point of both: writes that reach the slow
//!   task wait for it, and lose nothing.

mod support;

use std::time::{Duration, Instant};

use support::{Sink, Writer, get_json, peak_memory};
use tickc_tests::serving::{PATIENCE, Serving, build_tasks, post};

/// The program's peak resident memory may not pass this: what it holds is bounded by the task
/// queues (4 chunks of at most 1 MiB for each of the two tasks the flood reaches), the bodies
/// in flight (8 of 500 lines), the window's 2,000 points and the 4,096 posts one endpoint may
/// have waiting.
const MEMORY_BOUND: u64 = 100 << 20;
/// A write to the other database may take at most this long, backlog or not (loopback, on a
/// shared 2-core machine).
const PROBE_LATENCY_BOUND: Duration = Duration::from_millis(500);
/// The delivery timeout of a program served with the default configuration: how long the
/// outbox may go on delivering at shutdown.
const HANDLER_TIMEOUT: Duration = Duration::from_secs(10);
const WRITERS: usize = 8;
const POINTS_PER_WRITE: u64 = 500;

fn slow_task(sink: &Sink) -> String {
    format!(
        "dbrp \"flood\".\"autogen\"\n\nstream\n    |from()\n        .measurement('m')\n    \
         |window()\n        .periodCount(2000)\n        .everyCount(1)\n    |count('v')\n    \
         |httpPost('{}/slow')\n",
        sink.url()
    )
}

const OTHER_TASK: &str = "dbrp \"probe\".\"autogen\"\n\nstream\n    |from()\n        .measurement('m')\n    |httpOut('last')\n";
const BOTH_TASK: &str = "dbrp \"flood\".\"autogen\"\ndbrp \"probe\".\"autogen\"\n\nstream\n    |from()\n        .measurement('m')\n    |httpOut('last')\n";

/// What the node `node` of `task` has collected, as the API shows it.
fn collected(serving: &Serving, task: &str, node: &str) -> u64 {
    let json = get_json(serving.address, &format!("/kapacitor/v1/tasks/{task}"));
    json["stats"]["node-stats"][node]["collected"].as_u64().unwrap_or(0)
}

fn wait_for(what: &str, done: impl Fn() -> (u64, u64)) {
    let deadline = Instant::now() + PATIENCE * 3;
    loop {
        let (got, want) = done();
        if got == want {
            return;
        }
        assert!(Instant::now() < deadline, "{what}: {got} of {want}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_flooded_slow_task_loses_nothing_stays_bounded_and_does_not_hold_up_other_writes() {
    let sink = Sink::start(Duration::from_millis(50));
    let binary = build_tasks("overload", &[("slow", slow_task(&sink).as_str()), ("other", OTHER_TASK), ("both", BOTH_TASK)]);
    let serving = Serving::start(&binary, &[]);
    let flood = |writer: u64| {
        move |seq: u64| format!("m,writer={writer} v={seq}i {}\n", 1_795_640_000_000_000_000 + seq * 1_000)
    };
    let writers: Vec<Writer> = (0..WRITERS as u64)
        .map(|w| Writer::start(serving.address, "/write?db=flood", POINTS_PER_WRITE, Duration::ZERO, flood(w)))
        .collect();
    let probe = Writer::start(serving.address, "/write?db=probe", 1, Duration::from_millis(20), |seq| {
        format!("m v={seq}i {}\n", 1_795_640_000_000_000_000 + seq)
    });
    std::thread::sleep(Duration::from_secs(6));
    let probed = probe.stop();
    let flooded: Vec<_> = writers.into_iter().flat_map(Writer::stop).collect();

    let flood_points: u64 = flooded.iter().map(|a| a.count).sum();
    let probe_points = probed.len() as u64;
    let mut flood_latency: Vec<Duration> = flooded.iter().map(|a| a.latency).collect();
    let mut probe_latency: Vec<Duration> = probed.iter().map(|a| a.latency).collect();
    flood_latency.sort_unstable();
    probe_latency.sort_unstable();
    let percentile = |sorted: &[Duration], p: usize| sorted.get(sorted.len() * p / 100).copied().unwrap_or_default();
    eprintln!(
        "flood: {flood_points} points in {} writes, latency p50 {:?} max {:?}; probe: {probe_points} writes, p50 {:?} p99 {:?} max {:?}",
        flooded.len(),
        percentile(&flood_latency, 50),
        flood_latency.last(),
        percentile(&probe_latency, 50),
        percentile(&probe_latency, 99),
        probe_latency.last(),
    );
    // The flood was held back by the slow task, the probe was not.
    assert!(percentile(&flood_latency, 50) > percentile(&probe_latency, 99) * 2, "the slow task was not backlogged");
    assert!(
        probe_latency.last().is_some_and(|max| *max < PROBE_LATENCY_BOUND),
        "a write to the other database waited {:?}",
        probe_latency.last()
    );
    assert!(probe_points > 100, "the probe barely wrote: {probe_points}");

    wait_for("points in the slow task", || (collected(&serving, "slow", "from1"), flood_points));
    wait_for("points in the other task", || (collected(&serving, "other", "from1"), probe_points));
    wait_for("points in the task of both", || (collected(&serving, "both", "from1"), flood_points + probe_points));
    let peak = peak_memory(serving.pid());
    eprintln!("peak memory {} MiB", peak >> 20);
    assert!(peak < MEMORY_BOUND, "peak memory {} MiB", peak >> 20);
    assert_eq!(post(serving.address, "/write?db=probe", "m v=1i 1\n"), 204);
    // The posts still waiting for the slow endpoint hold the exit up no longer than the
    // handler timeout: they are delivered until then, and the rest is dropped.
    let stopping = Instant::now();
    assert!(serving.terminate().success());
    let bound = HANDLER_TIMEOUT + Duration::from_secs(5);
    assert!(stopping.elapsed() < bound, "stopping took {:?}", stopping.elapsed());
}
