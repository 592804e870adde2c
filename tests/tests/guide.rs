//! Kapacitor's getting-started workflow, with tickc: build the cpu_alert task, serve it, write
//! cpu data and see its alerts in the log, look at it with `tickc show`, record the stream for a
//! while with `tickc record stream`, replay the recording into the task with `tickc replay` and
//! see the same alerts again.

use std::path::PathBuf;
use std::process::Command;

use tick_runtime::time::wall_clock_now;
use tickc_tests::serving::{Serving, alerts, build, example};

/// The tickc binary cargo built beside this test.
fn tickc_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/debug/deps/guide-HASH → target/debug/tickc
    let debug = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let tickc = debug.join("tickc");
    assert!(tickc.is_file(), "{} is not built: run the tests with `cargo test --workspace`", tickc.display());
    tickc
}

/// Runs `tickc ARGS --url URL`; its standard output, asserting it succeeded.
fn tickc(url: &str, args: &[&str]) -> String {
    let output = Command::new(tickc_binary()).args(args).args(["--url", url]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "tickc {args:?} failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn the_getting_started_workflow_records_and_replays_the_stream() {
    let scratch = tempfile::tempdir().unwrap();
    let log = scratch.path().join("alerts.log");
    let data_dir = scratch.path().join("data").display().to_string();
    let binary = build("guide", "cpu_alert", &example("cpu_alert.tick", &[("/tmp/alerts.log", &log.display().to_string())]));
    let serving = Serving::start(&binary, &["--data-dir", &data_dir]);
    let url = serving.url();

    // Record the stream while the data arrives (kapacitor's words: -task, -duration).
    let recording = {
        let url = url.clone();
        std::thread::spawn(move || tickc(&url, &["record", "stream", "-task", "cpu_alert", "-duration", "5s"]))
    };
    // The data goes out once the recording runs: on a busy machine, starting the CLI and the
    // recording can take longer than any fixed wait.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !tickc(&url, &["list", "recordings"]).contains("running") {
        assert!(std::time::Instant::now() < deadline, "the recording never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let now = wall_clock_now() / 1_000_000_000;
    serving.write(&format!(
        "cpu,cpu=cpu-total,host=h1 usage_idle=95 {now}\n\
         cpu,cpu=cpu-total,host=h1 usage_idle=40 {}\n\
         cpu,cpu=cpu-total,host=h1 usage_idle=97 {}\n",
        now + 1,
        now + 2
    ));
    let live: Vec<(String, String)> = alerts(&log, 2)
        .iter()
        .map(|a| (a["id"].as_str().unwrap().to_owned(), a["level"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(live, [("cpu:nil".into(), "CRITICAL".into()), ("cpu:nil".into(), "OK".into())]);

    let shown = tickc(&url, &["show", "cpu_alert"]);
    assert!(shown.contains("Status: enabled"), "{shown}");
    assert!(shown.contains("alerts_triggered=\"2\""), "{shown}");
    assert!(shown.contains("from1 -> alert2 [processed=\"3\"]"), "{shown}");

    let recording_id = recording.join().unwrap().trim().to_owned();
    let listed = tickc(&url, &["list", "recordings"]);
    assert!(listed.contains(&recording_id) && listed.contains("finished"), "{listed}");

    tickc(&url, &["replay", "-recording", &recording_id, "-task", "cpu_alert"]);
    let replayed: Vec<(String, String)> = alerts(&log, 4)[2..]
        .iter()
        .map(|a| (a["id"].as_str().unwrap().to_owned(), a["level"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(replayed, live, "the replay raises the same alerts");
    assert!(serving.terminate().success());
}
