//! End to end on the wall clock: programs built by tickc run with `serve` against the real
//! InfluxDB at `INFLUXDB_URL` (tests/run.sh starts one; for a local run,
//! `bash tests/influxdb.sh start /tmp/some-dir` prints it). The getting-started batch task
//! queries InfluxDB on its schedule and logs its alert; a point written into InfluxDB reaches
//! the getting-started stream task through the subscription `serve` creates, which is gone
//! again after a clean shutdown. Without `INFLUXDB_URL` the tests say they are skipped.

use std::path::Path;
use std::time::{Duration, Instant};

use tick_runtime::influxdb::{InfluxDbClient, InfluxDbConfig};
use tick_runtime::time::{wall_clock_now, Precision};
use tickc_tests::serving::{Serving, build, example};

/// How long the tests wait for what `serve` should do within a few seconds.
const PATIENCE: Duration = Duration::from_secs(30);
const SECOND: i64 = 1_000_000_000;

/// The InfluxDB of `INFLUXDB_URL`, or None after saying the test is skipped.
fn influxdb(test: &str) -> Option<(String, InfluxDbClient)> {
    let Some(url) = std::env::var("INFLUXDB_URL").ok().filter(|u| !u.is_empty()) else {
        println!("skipped {test}: it needs an InfluxDB: set INFLUXDB_URL (tests/run.sh starts one)");
        return None;
    };
    let client = InfluxDbClient::new(&InfluxDbConfig::new(&url)).expect("INFLUXDB_URL is an http:// URL");
    Some((url, client))
}

/// Polls `check` until it gives a value, or PATIENCE is over.
fn wait_for<T>(mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(value) = check() {
            return Some(value);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A fresh database for one test run.
fn fresh_database(client: &InfluxDbClient, name: &str) {
    client
        .execute(&format!("DROP DATABASE \"{name}\"; CREATE DATABASE \"{name}\""))
        .unwrap_or_else(|e| panic!("cannot create database {name}: {e}"));
}

/// The lines of `path` that hold a critical alert, once there are some.
fn critical_alerts(path: &Path) -> Option<Vec<String>> {
    let log = std::fs::read_to_string(path).ok()?;
    let lines: Vec<String> = log.lines().filter(|l| l.contains(r#""level":"CRITICAL""#)).map(str::to_owned).collect();
    (!lines.is_empty()).then_some(lines)
}

/// The value of `column` in the first row of an alert's data (its JSON log line).
fn alert_value(line: &str, column: &str) -> Option<f64> {
    let alert: serde_json::Value = serde_json::from_str(line).ok()?;
    let series = alert.pointer("/data/series/0")?;
    let index = series.get("columns")?.as_array()?.iter().position(|c| c == column)?;
    series.pointer(&format!("/values/0/{index}"))?.as_f64()
}

#[test]
fn the_getting_started_batch_task_queries_influxdb_on_its_schedule() {
    let Some((url, client)) = influxdb("the batch task test") else { return };
    let scratch = tempfile::tempdir().unwrap();
    let log = scratch.path().join("batch_alerts.log");
    let database = format!("live_batch_{}", std::process::id());
    let source = example(
        "batch_cpu_alert.tick",
        &[
            ("\"telegraf\"", &format!("\"{database}\"")),
            (".every(5m)", ".every(1s)"),
            ("/tmp/batch_alerts.log", &log.to_string_lossy()),
        ],
    );
    let binary = build("live_batch", "batch_cpu_alert", &source);
    fresh_database(&client, &database);
    // One busy cpu and one idle one, half a minute ago: inside the 5m the task queries.
    let time = wall_clock_now() - 30 * SECOND;
    let points = format!("cpu,cpu=cpu0 usage_idle=42 {time}\ncpu,cpu=cpu1 usage_idle=99 {time}\n");
    client.write(&database, None, Precision::Nanosecond, points.as_bytes()).unwrap();

    let serving = Serving::start(&binary, &["--influxdb", &url]);
    let alerts = wait_for(|| critical_alerts(&log));
    let stderr = serving.stderr();
    let status = serving.terminate();
    let alerts = alerts.unwrap_or_else(|| panic!("no critical alert in {} within {PATIENCE:?}:\n{stderr}", log.display()));
    assert!(alerts.iter().all(|a| a.contains("cpu0") && !a.contains("cpu1")), "{alerts:?}");
    assert_eq!(alert_value(&alerts[0], "mean"), Some(42.0), "{}", alerts[0]);
    assert!(status.success(), "serve exited with {status}:\n{stderr}");
    let _ = client.execute(&format!("DROP DATABASE \"{database}\""));
}

/// The names of the subscriptions on `database`.
fn subscriptions_on(client: &InfluxDbClient, database: &str) -> Vec<String> {
    let series = client.select("SHOW SUBSCRIPTIONS", None).expect("SHOW SUBSCRIPTIONS");
    series
        .iter()
        .filter(|s| s.name == database)
        .flat_map(|s| {
            let name = s.columns.iter().position(|c| c == "name");
            s.values.iter().filter_map(move |row| row.get(name?)?.as_str().map(str::to_owned))
        })
        .collect()
}

#[test]
fn a_point_written_into_influxdb_reaches_a_stream_task_through_the_subscription() {
    let Some((url, client)) = influxdb("the subscription test") else { return };
    let scratch = tempfile::tempdir().unwrap();
    let log = scratch.path().join("alerts.log");
    let database = format!("live_stream_{}", std::process::id());
    let source = example(
        "cpu_alert.tick",
        &[("\"telegraf\"", &format!("\"{database}\"")), ("/tmp/alerts.log", &log.to_string_lossy())],
    );
    let binary = build("live_stream", "cpu_alert", &source);
    fresh_database(&client, &database);
    let name = format!("tickc-live-test-{}", std::process::id());

    let serving = Serving::start(&binary, &["--influxdb", &url, "--subscription-name", &name]);
    let subscribed = wait_for(|| subscriptions_on(&client, &database).contains(&name).then_some(()));
    assert!(subscribed.is_some(), "no subscription {name} on {database}:\n{}", serving.stderr());
    // InfluxDB takes up a new subscription shortly after it is created: write until the
    // task has seen a point.
    let alerts = wait_for(|| {
        let point = format!("cpu,cpu=cpu-total,host=h usage_idle=12 {}\n", wall_clock_now());
        client.write(&database, None, Precision::Nanosecond, point.as_bytes()).unwrap();
        critical_alerts(&log)
    });
    let stderr = serving.stderr();
    let status = serving.terminate();
    let alerts = alerts.unwrap_or_else(|| panic!("no critical alert in {} within {PATIENCE:?}:\n{stderr}", log.display()));
    assert_eq!(alert_value(&alerts[0], "usage_idle"), Some(12.0), "{}", alerts[0]);
    assert!(status.success(), "serve exited with {status}:\n{stderr}");
    assert!(!subscriptions_on(&client, &database).contains(&name), "the subscription outlived a clean shutdown");
    let _ = client.execute(&format!("DROP DATABASE \"{database}\""));
}
