//! Restarts under load: a program with an alert task (examples/cpu_alert.tick) and a window
//! task, served with a data directory while a writer posts continuously, is stopped and started
//! again mid-stream.
//! - SIGTERM loses nothing: every accepted point reaches its window (the window open at the
//!   restart emits points of both sides), and the alert task raises exactly the alerts it would
//!   have raised had it never stopped.
//! - SIGKILL loses at most what the tasks took in after their last save, which is at most
//!   `SAVE_INTERVAL` (1 s) old: only points accepted within about a second of the kill are
//!   missing.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use support::{Accepted, Sink, Writer};
use tickc_tests::serving::{PATIENCE, Serving, build_tasks, example, post};

/// Data time of sequence number 0 (milliseconds, on a second boundary).
const T0_MS: u64 = 1_795_640_000_000;
/// Sequence numbers per one-second window (one point per millisecond of data time).
const PER_WINDOW: u64 = 1_000;
/// The alert task's level flips every this many sequence numbers.
const PER_LEVEL: u64 = 100;
/// How far a SIGKILL may reach back: the save interval, and as much again for the save to be
/// written and the points to be processed on a loaded machine.
const KILL_REACH: Duration = Duration::from_secs(2);

/// The lines of sequence number `seq`: a `load` point for the window task and a `cpu` point
/// for the alert task (critical for a block of `PER_LEVEL`, fine for the next...).
fn lines(seq: u64) -> String {
    let time = T0_MS + seq;
    let idle = if critical(seq) { 50 } else { 90 };
    format!("load seq={seq}i {time}\ncpu,cpu=cpu-total,host=h1 usage_idle={idle} {time}\n")
}

/// Whether the `cpu` point of `seq` is critical (usage_idle under 70).
fn critical(seq: u64) -> bool {
    (seq / PER_LEVEL).is_multiple_of(2)
}

fn program(name: &str, sink: &Sink, log: &Path) -> PathBuf {
    let alert = example("cpu_alert.tick", &[("/tmp/alerts.log", &log.display().to_string())]);
    let window = format!(
        "dbrp \"telegraf\".\"autogen\"\n\nstream\n    |from()\n        .measurement('load')\n    \
         |window()\n        .period(1s)\n        .every(1s)\n        .align()\n    |httpPost('{}/windows')\n",
        sink.url()
    );
    build_tasks(name, &[("cpu_alert", &alert), ("load_windows", &window)])
}

const WRITE: &str = "/write?db=telegraf&rp=autogen&precision=ms";

/// Seven sequence numbers a write, so writes rarely end on a window's edge.
fn writer(serving: &Serving) -> Writer {
    Writer::start(serving.address, WRITE, 7, Duration::from_millis(2), lines)
}

/// Ends the writes with a point an hour later, which closes the last window.
fn close_windows(serving: &Serving, next_seq: u64) {
    let late = T0_MS + next_seq + 3_600_000;
    assert_eq!(post(serving.address, WRITE, &format!("load seq=-1i {late}\n")), 204);
}

/// The sequence numbers each posted window holds, by the window's first second; a window
/// posted twice (re-emitted after a SIGKILL) is listed twice.
fn windows(sink: &Sink) -> Vec<(u64, Vec<u64>)> {
    sink.bodies()
        .iter()
        .map(|body| {
            let json: serde_json::Value = serde_json::from_str(body).unwrap();
            let series = &json["series"][0];
            let columns = series["columns"].as_array().unwrap();
            let at = columns.iter().position(|c| c == "seq").unwrap();
            let seqs: Vec<u64> = series["values"].as_array().unwrap().iter().filter_map(|row| row[at].as_u64()).collect();
            (seqs.first().map_or(u64::MAX, |s| s / PER_WINDOW), seqs)
        })
        .collect()
}

/// Waits until `done` holds of the sequence numbers below `end` seen in the posted windows, or
/// patience runs out; how many times each was seen.
fn seen_until(sink: &Sink, end: u64, done: impl Fn(&BTreeMap<u64, usize>) -> bool) -> BTreeMap<u64, usize> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let mut seen = BTreeMap::new();
        for (_, seqs) in windows(sink) {
            for seq in seqs.into_iter().filter(|s| *s < end) {
                *seen.entry(seq).or_insert(0) += 1;
            }
        }
        if done(&seen) || Instant::now() > deadline {
            return seen;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn accepted_end(accepted: &[Accepted]) -> u64 {
    accepted.last().map_or(0, |a| a.first + a.count)
}

#[test]
fn sigterm_under_load_loses_nothing_and_windows_span_the_restart() {
    let scratch = tempfile::tempdir().unwrap();
    let sink = Sink::start(Duration::ZERO);
    let log = scratch.path().join("alerts.log");
    let binary = program("restart_sigterm", &sink, &log);
    let data_dir = scratch.path().join("data").display().to_string();

    let serving = Serving::start(&binary, &["--data-dir", &data_dir]);
    let writes = writer(&serving);
    std::thread::sleep(Duration::from_millis(1500));
    assert!(serving.terminate().success());
    let serving = Serving::start(&binary, &["--data-dir", &data_dir]);
    let restarted = Instant::now();
    writes.redirect(serving.address);
    std::thread::sleep(Duration::from_millis(1500));
    let accepted = writes.stop();
    let end = accepted_end(&accepted);
    close_windows(&serving, end);

    let seen = seen_until(&sink, end, |seen| seen.len() as u64 == end);
    let missing: Vec<u64> = (0..end).filter(|s| !seen.contains_key(s)).collect();
    let twice: Vec<u64> = seen.iter().filter(|(_, n)| **n > 1).map(|(s, _)| *s).collect();
    assert!(missing.is_empty(), "{} of {end} accepted points missing, from {:?}", missing.len(), missing.first());
    assert!(twice.is_empty(), "{} points counted twice, from {:?}", twice.len(), twice.first());
    // Each window holds exactly its second, and the one open at the restart holds points
    // accepted before and after it.
    let first_after = accepted.iter().find(|a| a.at > restarted).map(|a| a.first).unwrap();
    assert!(first_after > 0 && first_after < end, "the writes did not span the restart");
    for (second, seqs) in windows(&sink) {
        assert!(seqs.iter().all(|s| s / PER_WINDOW == second), "window {second} holds {seqs:?}");
    }
    let spanning = windows(&sink).into_iter().find(|(second, _)| *second == first_after / PER_WINDOW).unwrap().1;
    if first_after % PER_WINDOW != 0 {
        assert!(spanning.iter().any(|s| *s < first_after) && spanning.iter().any(|s| *s >= first_after));
    }

    // Every CRITICAL point alerts, and the first OK after them (the alert node's default):
    // the restart neither repeated nor skipped an alert, and the OK right after it still knew
    // the level before it.
    assert!(serving.terminate().success());
    let alerts = logged_alerts(&log);
    let levels: Vec<&str> = alerts.iter().map(|a| a["level"].as_str().unwrap_or("?")).collect();
    let expected: Vec<&str> = (0..end)
        .filter_map(|seq| match (critical(seq), seq.checked_sub(1).is_some_and(critical)) {
            (true, _) => Some("CRITICAL"),
            (false, true) => Some("OK"),
            (false, false) => None,
        })
        .collect();
    assert_eq!(levels.len(), expected.len(), "alerts logged");
    assert!(levels == expected, "the alerts differ from what an uninterrupted task raises");
}

fn logged_alerts(log: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn sigkill_under_load_loses_only_what_came_after_the_last_save() {
    let scratch = tempfile::tempdir().unwrap();
    let sink = Sink::start(Duration::ZERO);
    let log = scratch.path().join("alerts.log");
    let binary = program("restart_sigkill", &sink, &log);
    let data_dir = scratch.path().join("data").display().to_string();

    let serving = Serving::start(&binary, &["--data-dir", &data_dir]);
    let writes = writer(&serving);
    std::thread::sleep(Duration::from_millis(2500));
    serving.kill();
    let killed = Instant::now();
    let serving = Serving::start(&binary, &["--data-dir", &data_dir]);
    writes.redirect(serving.address);
    std::thread::sleep(Duration::from_millis(1500));
    let accepted = writes.stop();
    let end = accepted_end(&accepted);
    close_windows(&serving, end);

    // Everything accepted well before the kill, and everything after the restart, arrives.
    let safe = |a: &&Accepted| a.at + KILL_REACH < killed || a.at > killed;
    let must_see: Vec<u64> = accepted.iter().filter(safe).flat_map(|a| a.first..a.first + a.count).collect();
    let seen = seen_until(&sink, end, |seen| must_see.iter().all(|s| seen.contains_key(s)));
    let lost: Vec<&Accepted> = accepted
        .iter()
        .filter(|a| (a.first..a.first + a.count).any(|s| !seen.contains_key(&s)))
        .collect();
    let lost_points: u64 = (0..end).filter(|s| !seen.contains_key(s)).count() as u64;
    eprintln!(
        "SIGKILL: {lost_points} of {end} accepted points lost, accepted {:?} to {:?} before the kill",
        lost.first().map(|a| killed.duration_since(a.at)),
        lost.last().map(|a| killed.duration_since(a.at)),
    );
    for write in &lost {
        assert!(
            write.at <= killed && write.at + KILL_REACH >= killed,
            "points {}.. were accepted {:?} before the kill and lost",
            write.first,
            killed.duration_since(write.at)
        );
    }
    assert!(serving.terminate().success());
}
