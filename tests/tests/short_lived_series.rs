//! A million series that each send once and go quiet (containers, pods, per-request tags) through
//! a grouped window → mean → alert task: with idle groups forgotten (`[groups] idle-timeout`), the
//! served program's memory stays flat; with forgetting turned off, as in Kapacitor, it grows with
//! every series. Memory is the program's resident set (`VmRSS`), read at pauses in the writing
//! once the task has taken every point posted so far.

use std::path::Path;
use std::time::{Duration, Instant};

use tickc_tests::serving::{PATIENCE, Serving, build, get, post};

const LINES_PER_BODY: u64 = 5_000;

fn script(log: &Path) -> String {
    format!(
        "dbrp \"telegraf\".\"autogen\"\n\nstream\n    |from()\n        .measurement('cpu')\n        \
         .groupBy('host')\n    |window()\n        .period(10s)\n        .every(10s)\n    \
         |mean('usage_idle')\n    |alert()\n        .crit(lambda: \"mean\" < 0)\n        .log('{}')\n",
        log.display()
    )
}

/// Body `index`: series `host{n}` for the next 5,000 `n`, one point each, 10 ms of data time apart
/// (so with a 10 s idle timeout about a thousand hosts are live at any time).
fn body(index: u64) -> String {
    (index * LINES_PER_BODY..(index + 1) * LINES_PER_BODY)
        .map(|n| format!("cpu,host=host{n} usage_idle=50 {}\n", 1_700_000_000_000 + n * 10))
        .collect()
}

fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no VmRSS in {status}"))
}

/// What the task's window node has collected.
fn window_collected(serving: &Serving) -> u64 {
    let (status, body) = get(serving.address, "/kapacitor/v1/tasks/series");
    assert_eq!(status, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    json["stats"]["node-stats"]["window2"]["collected"].as_u64().unwrap_or(0)
}

/// Posts `bodies` bodies, waiting after every `every` of them until the task has taken all the
/// points so far (so what is measured is the task's state, not points still queued: queues are
/// bounded on their own), and returns the resident memory (KiB) at each of those pauses.
fn post_series(serving: &Serving, bodies: u64, every: u64) -> Vec<u64> {
    let mut resident = Vec::new();
    for index in 0..bodies {
        let status = post(serving.address, "/write?db=telegraf&rp=autogen&precision=ms", &body(index));
        assert_eq!(status, 204);
        if (index + 1) % every == 0 {
            let points = (index + 1) * LINES_PER_BODY;
            let deadline = Instant::now() + PATIENCE * 3;
            while window_collected(serving) < points {
                assert!(Instant::now() < deadline, "the task is still short of {points} points");
                std::thread::sleep(Duration::from_millis(20));
            }
            resident.push(resident_kib(serving.pid()));
        }
    }
    resident
}

/// How much memory grew over the second half of the pauses: the program's bounded caches
/// (series, routes, group keys) fill during the first half, so flat means flat from there on.
fn growth(resident: &[u64]) -> u64 {
    match (resident.get(resident.len() / 2), resident.last()) {
        (Some(middle), Some(last)) => last.saturating_sub(*middle),
        _ => 0,
    }
}

fn serve(binary: &Path, dir: &Path, idle_timeout: &str) -> Serving {
    let config = dir.join(format!("forget-{}.toml", idle_timeout.trim_matches('"')));
    std::fs::write(&config, format!("[groups]\nidle-timeout = {idle_timeout}\n")).unwrap();
    Serving::start(binary, &["--config", config.to_str().unwrap()])
}

#[test]
fn a_million_short_lived_series_keep_memory_flat() {
    let scratch = tempfile::tempdir().unwrap();
    let log = scratch.path().join("alerts.log");
    let binary = build("short_lived_series", "series", &script(&log));

    // Forgetting after 10 s of silence: 200 bodies are a million series.
    let serving = serve(&binary, scratch.path(), "\"10s\"");
    let resident = post_series(&serving, 200, 20);
    assert!(serving.terminate().success());
    let grown = growth(&resident);
    eprintln!("forgetting, KiB at every 100k series: {resident:?}");
    assert!(grown < 8 * 1024, "memory grew by {grown} KiB from 500k to 1M series: {resident:?}");

    // Kapacitor's behaviour (nothing forgotten) on a fifth of the series: memory follows them.
    let serving = serve(&binary, scratch.path(), "\"0s\"");
    let resident = post_series(&serving, 40, 4);
    assert!(serving.terminate().success());
    let kept = growth(&resident);
    eprintln!("keeping, KiB at every 20k series: {resident:?}");
    assert!(kept > 2 * grown.max(1024), "keeping every group grew by only {kept} KiB: {resident:?}");
}
