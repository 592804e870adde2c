//! End to end over loopback, for what outlives a request: task state saved in the data
//! directory and restored, httpOut results, recordings and replays, and Kapacitor's per-node
//! stats in the DOT graph and the metrics.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Bytes;
use hyper::{Method, StatusCode};
use serde_json::Value;

use super::Config;
use super::tests::{PATIENCE, Reply, TELEGRAF, get, lines, post, read, recorder, send, start, wait_until};
use crate::alert::AlertStats;
use crate::config::ProgramConfig;
use crate::node::Node;
use crate::node::http_out::HttpOutNode;
use crate::point::{Batch, Message, Point};
use crate::replay::srpl::SrplReader;
use crate::task::{
    NodeState, NodeStats, RestoreError, Routes, Task, TaskContext, TaskDescriptor, TaskKind,
};
use crate::time::Precision;

fn with_data_dir(dir: &Path) -> Config {
    Config {
        program: Arc::new(ProgramConfig {
            data_dir: Some(dir.to_owned()),
            ..ProgramConfig::default()
        }),
        ..Config::default()
    }
}

/// A task whose state is the number of points it has counted, and which publishes its points
/// at the httpOut endpoint `latest`; it reports itself as an alert node so its stats carry
/// alert counts.
struct Counter {
    count: u64,
    latest: HttpOutNode,
}

impl Counter {
    fn boxed(context: &TaskContext) -> Box<dyn Task> {
        Box::new(Counter {
            count: 0,
            latest: HttpOutNode::registered(&context.http_out, "latest"),
        })
    }
}

impl Task for Counter {
    fn push_point(&mut self, point: Point) {
        self.count += 1;
        self.latest.push(Message::Point(point), &mut Vec::new());
    }
    fn push_batch(&mut self, _: usize, _: Batch) {}
    fn flush(&mut self) {}
    fn stats(&self) -> Vec<NodeStats> {
        let alert = AlertStats {
            alerts_triggered: self.count,
            crits_triggered: self.count,
            ..AlertStats::default()
        };
        vec![NodeStats {
            name: "count1".into(),
            collected: self.count,
            avg_exec_time_ns: 1500,
            alert: Some(alert),
            ..NodeStats::default()
        }]
    }
    fn snapshot(&self) -> Vec<NodeState> {
        vec![NodeState {
            node: "count1".into(),
            bytes: self.count.to_le_bytes().to_vec(),
        }]
    }
    fn restore(&mut self, states: &[NodeState]) -> Result<(), RestoreError> {
        for state in states.iter().filter(|s| s.node == "count1") {
            let bytes: [u8; 8] = state.bytes.as_slice().try_into().map_err(|_| RestoreError {
                failures: vec![("count1".into(), "not a count".into())],
            })?;
            self.count = u64::from_le_bytes(bytes);
        }
        Ok(())
    }
}

fn counter(id: &'static str) -> TaskDescriptor {
    TaskDescriptor {
        id,
        kind: TaskKind::Stream,
        dbrps: TELEGRAF,
        script: "stream\n    |from()\n",
        nodes: &["count1"],
        edges: &[],
        queries: Vec::new,
        new: Counter::boxed,
        enabled: true,
        routes: Routes::Dbrps,
    }
}

/// The task as the API shows it once it has built (and restored) its pipeline.
async fn task(address: std::net::SocketAddr, id: &str) -> Value {
    let uri = format!("/kapacitor/v1/tasks/{id}");
    poll(address, &uri, |reply| collected(&reply.json()) != u64::MAX).await.json()
}

/// Polls `uri` until `done` holds on its JSON.
async fn poll(address: std::net::SocketAddr, uri: &str, done: impl Fn(&Reply) -> bool) -> Reply {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let reply = get(address, uri).await;
        if done(&reply) {
            return reply;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out; last answer: {:?}", reply.body);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn collected(task: &Value) -> u64 {
    task["stats"]["node-stats"]["count1"]["collected"].as_u64().unwrap_or(u64::MAX)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_is_saved_every_second_and_at_shutdown_and_restored_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let state_file = dir.path().join("state/durable.bin");
    let server = start(&[counter("durable")], with_data_dir(dir.path())).await;
    post(server.address, "/write?db=telegraf&precision=s", &lines(1..=3)).await;
    // Saved beside the clock tick, while the task runs.
    let deadline = std::time::Instant::now() + PATIENCE;
    while !state_file.exists() {
        assert!(std::time::Instant::now() < deadline, "no state saved while running");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    post(server.address, "/write?db=telegraf&precision=s", &lines(4..=5)).await;
    server.shutdown().await;

    // The final save holds all five; a new server's task starts from it.
    let server = start(&[counter("durable")], with_data_dir(dir.path())).await;
    assert_eq!(collected(&task(server.address, "durable").await), 5);
    post(server.address, "/write?db=telegraf&precision=s", &lines(6..=6)).await;
    server.shutdown().await;
    let server = start(&[counter("durable")], with_data_dir(dir.path())).await;
    assert_eq!(collected(&task(server.address, "durable").await), 6);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_state_file_is_set_aside_and_the_task_starts_empty() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("state")).unwrap();
    std::fs::write(dir.path().join("state/damaged.bin"), b"not a state").unwrap();
    let server = start(&[counter("damaged")], with_data_dir(dir.path())).await;
    let shown = task(server.address, "damaged").await;
    assert_eq!((shown["executing"].as_bool(), collected(&shown)), (Some(true), 0));
    assert_eq!(
        std::fs::read(dir.path().join("state/damaged.bin.unreadable")).unwrap(),
        b"not a state"
    );
    server.shutdown().await;
    assert!(dir.path().join("state/damaged.bin").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_data_dir_nothing_is_written() {
    let server = start(&[counter("forgetful")], Config::default()).await;
    post(server.address, "/write?db=telegraf&precision=s", &lines(1..=2)).await;
    server.shutdown().await;
    let server = start(&[counter("forgetful")], Config::default()).await;
    assert_eq!(collected(&task(server.address, "forgetful").await), 0);
    let reply = post(
        server.address,
        "/kapacitor/v1/recordings/stream",
        r#"{"task":"forgetful","duration":"10s"}"#,
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.json()["error"].as_str().unwrap().contains("--data-dir"));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_out_results_are_served_at_their_endpoint() {
    let server = start(&[counter("served")], Config::default()).await;
    let empty = get(server.address, "/kapacitor/v1/tasks/served/latest").await;
    assert_eq!((empty.status, empty.body.as_ref()), (StatusCode::OK, &b"{\"series\":null}"[..]));
    post(server.address, "/write?db=telegraf&precision=s", "cpu,host=a v=7 1700000000\n").await;
    let reply = poll(server.address, "/kapacitor/v1/tasks/served/latest", |r| r.body.len() > 20).await;
    assert_eq!(
        String::from_utf8_lossy(&reply.body),
        r#"{"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","v"],"values":[["2023-11-14T22:13:20Z",7]]}]}"#
    );
    assert_eq!(reply.headers["content-type"], "application/json; charset=utf-8");
    for unknown in ["/kapacitor/v1/tasks/served/nope", "/kapacitor/v1/tasks/nope/latest"] {
        let reply = get(server.address, unknown).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{unknown}");
        assert_eq!(reply.json()["error"], "no task exists");
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alert_counts_and_exec_time_reach_the_dot_graph_the_stats_and_the_metrics() {
    let server = start(&[counter("counted")], Config::default()).await;
    post(server.address, "/write?db=telegraf&precision=s", &lines(1..=2)).await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let shown = loop {
        let shown = task(server.address, "counted").await;
        if collected(&shown) == 2 || tokio::time::Instant::now() > deadline {
            break shown;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let dot = shown["dot"].as_str().unwrap();
    assert!(
        dot.contains(
            "count1 [alerts_inhibited=\"0\" alerts_triggered=\"2\" avg_exec_time_ns=\"1.5µs\" \
             crits_triggered=\"2\" errors=\"0\" infos_triggered=\"0\" oks_triggered=\"0\" \
             warns_triggered=\"0\" working_cardinality=\"0\" ];"
        ),
        "{dot}"
    );
    let stats = &shown["stats"]["node-stats"]["count1"];
    assert_eq!((stats["crits_triggered"].as_u64(), stats["avg_exec_time_ns"].as_u64()), (Some(2), Some(1500)));
    let metrics = get(server.address, "/metrics").await;
    let text = String::from_utf8_lossy(&metrics.body);
    for expected in [
        "# TYPE tick_node_crits_triggered_total counter\n",
        "tick_node_crits_triggered_total{task=\"counted\",node=\"count1\"} 2\n",
        "# TYPE tick_node_avg_exec_time_ns gauge\n",
        "tick_node_avg_exec_time_ns{task=\"counted\",node=\"count1\"} 1500\n",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    server.shutdown().await;
}

/// Starts a recording of `task`; its JSON.
async fn record(address: std::net::SocketAddr, body: &str) -> Value {
    let reply = post(address, "/kapacitor/v1/recordings/stream", body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_takes_the_tasks_points_until_one_after_its_stop_and_replays_into_a_fresh_task() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&[recorder("recorded")], with_data_dir(dir.path())).await;
    let created = record(server.address, r#"{"task":"recorded","duration":"1h","id":"rec1"}"#).await;
    assert_eq!(
        (created["id"].as_str(), created["type"].as_str(), created["status"].as_str(), created["size"].as_u64()),
        (Some("rec1"), Some("stream"), Some("running"), Some(0))
    );
    assert_eq!(created["link"]["href"], "/kapacitor/v1/recordings/rec1");
    assert_eq!(get(server.address, "/kapacitor/v1/recordings/rec1").await.status, StatusCode::ACCEPTED);

    post(server.address, "/write?db=telegraf&precision=s", &lines(1..=3)).await;
    post(server.address, "/write?db=other&precision=s", &lines(4..=4)).await;
    // A point stamped after the stop ends the recording and is not recorded.
    post(server.address, "/write?db=telegraf&precision=s", "cpu v=99 4102444800\n").await;
    let done = poll(server.address, "/kapacitor/v1/recordings/rec1", |r| r.status == StatusCode::OK).await.json();
    assert_eq!((done["status"].as_str(), done["progress"].as_f64()), (Some("finished"), Some(1.0)));
    let file = dir.path().join("recordings/rec1.srpl.gz");
    assert_eq!(done["size"].as_u64(), Some(std::fs::metadata(&file).unwrap().len()));
    let recorded: Vec<i64> = SrplReader::open(&file, Precision::Nanosecond)
        .unwrap()
        .map(|p| p.unwrap().time / 1_000_000_000)
        .collect();
    assert_eq!(recorded, [1_700_000_001, 1_700_000_002, 1_700_000_003]);

    let listed = get(
        server.address,
        "/kapacitor/v1/recordings?fields=type&fields=size&fields=date&fields=status&limit=100&offset=0&pattern=",
    )
    .await
    .json();
    let entry = &listed["recordings"][0];
    let mut keys: Vec<&str> = entry.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["date", "id", "link", "size", "status", "type"]);

    // The replay runs a new instance of the task with the recorded times kept.
    let live_points = read("recorded", |log| log.points.len());
    let reply = post(
        server.address,
        "/kapacitor/v1/replays",
        r#"{"id":"","recording":"rec1","task":"recorded","recording-time":true,"clock":"fast"}"#,
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    let replay = reply.json();
    assert_eq!((replay["task"].as_str(), replay["recording"].as_str()), (Some("recorded"), Some("rec1")));
    let uri = format!("/kapacitor/v1/replays/{}", replay["id"].as_str().unwrap());
    let finished = poll(server.address, &uri, |r| r.status == StatusCode::OK).await.json();
    assert_eq!((finished["status"].as_str(), finished["error"].as_str()), (Some("finished"), Some("")));
    assert_eq!(finished["stats"]["node-stats"]["stream0"]["collected"], 3);
    wait_until("recorded", |log| log.points.len() == live_points + 3);
    let replayed: Vec<i64> = read("recorded", |log| log.points[live_points..].iter().map(|p| p.time).collect());
    assert_eq!(replayed, [1_700_000_001_000_000_000, 1_700_000_002_000_000_000, 1_700_000_003_000_000_000]);
    assert_eq!(read("recorded", |log| log.instances), 2);
    let replays = get(server.address, "/kapacitor/v1/replays").await.json();
    assert!(replays["replays"][0].get("stats").is_none(), "{replays}");
    assert_eq!(replays["replays"][0]["recording-time"], true);

    // Deleting is idempotent; a deleted recording is gone from disk and from the API.
    for _ in 0..2 {
        let reply = send(server.address, Method::DELETE, "/kapacitor/v1/recordings/rec1", &[], Bytes::new()).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT);
    }
    assert!(!file.exists());
    let missing = get(server.address, "/kapacitor/v1/recordings/rec1").await;
    assert_eq!(missing.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(missing.json()["error"], "error finding recording: no recording exists");
    let reply = send(server.address, Method::DELETE, &uri, &[], Bytes::new()).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(get(server.address, &uri).await.status, StatusCode::NOT_FOUND);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_ends_at_its_stop_on_the_wall_clock_and_is_listed_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&[recorder("quiet")], with_data_dir(dir.path())).await;
    let created = record(server.address, r#"{"task":"quiet","duration":"1s"}"#).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let uri = format!("/kapacitor/v1/recordings/{id}");
    let done = poll(server.address, &uri, |r| r.status == StatusCode::OK).await.json();
    assert_eq!(done["status"], "finished");
    server.shutdown().await;

    let server = start(&[recorder("quiet")], with_data_dir(dir.path())).await;
    let found = get(server.address, &uri).await;
    assert_eq!(found.status, StatusCode::OK);
    assert_eq!((found.json()["status"].as_str(), found.json()["size"].as_u64()), (Some("finished"), done["size"].as_u64()));
    let listed = get(server.address, &format!("/kapacitor/v1/recordings?pattern={id}")).await.json();
    assert_eq!(listed["recordings"].as_array().map(Vec::len), Some(1));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recordings_and_replays_refuse_what_kapacitor_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&[recorder("refusing")], with_data_dir(dir.path())).await;
    let cases: [(&str, &str, StatusCode, &str); 7] = [
        ("/kapacitor/v1/recordings/stream", r#"{"task":"nope","stop":"2030-01-01T00:00:00Z"}"#, StatusCode::NOT_FOUND, "no task exists"),
        ("/kapacitor/v1/recordings/stream", r#"{"task":"refusing"}"#, StatusCode::BAD_REQUEST, "needs a stop time"),
        ("/kapacitor/v1/recordings/stream", r#"{"task":"refusing","stop":"soon"}"#, StatusCode::BAD_REQUEST, "invalid stop"),
        ("/kapacitor/v1/recordings/stream", r#"{"task":"refusing","duration":"1h","id":"../x"}"#, StatusCode::BAD_REQUEST, "invalid id"),
        ("/kapacitor/v1/replays", r#"{"recording":"nope","task":"nope"}"#, StatusCode::NOT_FOUND, "task load: no task exists"),
        ("/kapacitor/v1/replays", r#"{"recording":"nope","task":"refusing"}"#, StatusCode::NOT_FOUND, "no recording exists"),
        ("/kapacitor/v1/replays", r#"{"recording":"nope","task":"refusing","clock":"real"}"#, StatusCode::BAD_REQUEST, "not supported"),
    ];
    for (uri, body, status, message) in cases {
        let reply = post(server.address, uri, body).await;
        assert_eq!(reply.status, status, "{body}");
        let error = reply.json()["error"].as_str().unwrap_or_default().to_owned();
        assert!(error.contains(message), "{body}: {error}");
    }
    // A running recording cannot be replayed yet, nor its id reused.
    record(server.address, r#"{"task":"refusing","duration":"1h","id":"busy"}"#).await;
    let reply = post(server.address, "/kapacitor/v1/replays", r#"{"recording":"busy","task":"refusing"}"#).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = post(server.address, "/kapacitor/v1/recordings/stream", r#"{"task":"refusing","duration":"1h","id":"busy"}"#).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let missing = get(server.address, "/kapacitor/v1/replays/nope").await;
    assert_eq!((missing.status, missing.json()["error"].as_str()), (StatusCode::NOT_FOUND, Some("could not find replay: no replay exists")));
    assert_eq!(get(server.address, "/kapacitor/v1/replays").await.json(), serde_json::json!({"replays": []}));
    server.shutdown().await;
    // Shutting down closes the running recording into a whole file.
    let points = SrplReader::open(&dir.path().join("recordings/busy.srpl.gz"), Precision::Nanosecond).unwrap().count();
    assert_eq!(points, 0);
}

/// A task that posts each point's measurement name to the URL in its `url` field; it keeps no
/// node state, only deliveries.
struct Poster {
    outbox: Arc<dyn crate::delivery::Outbox>,
}

impl Task for Poster {
    fn push_point(&mut self, point: Point) {
        let Some(crate::point::FieldValue::String(url)) = point.fields.get("url") else { return };
        self.outbox.send(crate::delivery::Delivery::Post(crate::delivery::HttpPost {
            url: url.to_string(),
            headers: Vec::new(),
            body: point.name.as_bytes().to_vec(),
            timeout: None,
        }));
    }
    fn push_batch(&mut self, _: usize, _: Batch) {}
    fn flush(&mut self) {}
    fn stats(&self) -> Vec<NodeStats> {
        Vec::new()
    }
}

fn poster() -> TaskDescriptor {
    TaskDescriptor {
        new: |context| Box::new(Poster { outbox: context.outbox.clone() }),
        ..counter("poster")
    }
}

/// Reads one HTTP request from `listener` and answers 200; its body.
fn receive(listener: &std::net::TcpListener) -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let (stream, _) = listener.accept().unwrap();
    let mut reader = BufReader::new(stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap();
        }
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    reader.get_mut().write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").unwrap();
    String::from_utf8(body).unwrap()
}

#[test]
fn deliveries_pending_at_shutdown_are_saved_and_sent_after_the_restart() {
    use super::live::{Environment, LiveTasks, deliver};
    use crate::delivery::threaded::ThreadedOutbox;
    use crate::delivery::{DeliveryPolicy, Outbox};
    let dir = tempfile::tempdir().unwrap();
    // The endpoint is down: its port refuses connections until the restart.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let url = format!("http://{port}/alert");
    let patient = DeliveryPolicy { retries: 1000, backoff: Duration::from_millis(20), ..DeliveryPolicy::default() };
    let environment = |outbox: Arc<dyn Outbox>| {
        Arc::new(Environment {
            outbox,
            config: with_data_dir(dir.path()).program,
            queue_chunks: 4,
            loopback: super::loopback::LiveLoopback::new().0,
            executor: super::executor::Executor::for_this_machine(),
        })
    };
    let outbox = Arc::new(ThreadedOutbox::with_policy(patient.clone()));
    let tasks = LiveTasks::start(&[poster()], &environment(outbox.clone()), 0);
    let target = tasks.targets("telegraf", "autogen").get(0).cloned().unwrap();
    deliver(&target, posts_to(&url, &["first", "second", "third"])).unwrap();
    drop(target);
    let deadline = std::time::Instant::now() + PATIENCE;
    while outbox.pending("poster").len() < 3 {
        assert!(std::time::Instant::now() < deadline, "the posts were not queued");
        std::thread::sleep(Duration::from_millis(10));
    }
    tasks.stop_all();
    assert_eq!(outbox.pending("poster").len(), 3, "nothing got through");
    drop(tasks);
    drop(outbox);

    let endpoint = std::net::TcpListener::bind(port).unwrap();
    let outbox = Arc::new(ThreadedOutbox::with_policy(patient));
    let tasks = LiveTasks::start(&[poster()], &environment(outbox.clone()), 0);
    let received: Vec<String> = (0..3).map(|_| receive(&endpoint)).collect();
    assert_eq!(received, ["first", "second", "third"]);
    outbox.flush();
    tasks.stop_all();
    let saved = super::state_file::StateFile::new(&dir.path().join("state"), "poster").load().unwrap();
    assert!(saved.deliveries.is_empty(), "delivered, so no longer saved: {saved:?}");
}

/// The posts a poster task makes for `names`, to `url`.
fn posts_to(url: &str, names: &[&str]) -> Vec<Point> {
    names
        .iter()
        .map(|name| {
            let line = format!("{name} url=\"{url}\" 1");
            crate::lineproto::parse_line(line.as_bytes(), Precision::Second).unwrap().to_point("telegraf", "autogen", 0)
        })
        .collect()
}

/// The rule for a program that ends normally: it delivers what it can within the handler
/// timeout before exiting. An endpoint that answers each post in 1.2 s gets both posts (2.4 s
/// together, well within the 10 s timeout): a shutdown that gave deliveries a fixed 2 s left
/// the second one undelivered, to be dropped without a data directory.
#[test]
fn shutdown_delivers_what_a_slow_endpoint_takes_within_the_handler_timeout() {
    use super::live::{Environment, LiveTasks, deliver};
    use crate::delivery::Outbox;
    use crate::delivery::threaded::ThreadedOutbox;
    let endpoint = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/alert", endpoint.local_addr().unwrap());
    let answering = std::thread::spawn(move || {
        (0..2)
            .map(|_| {
                std::thread::sleep(Duration::from_millis(1200));
                receive(&endpoint)
            })
            .collect::<Vec<String>>()
    });
    let outbox = Arc::new(ThreadedOutbox::new());
    let environment = Arc::new(Environment {
        outbox: outbox.clone(),
        config: Arc::new(ProgramConfig::default()),
        queue_chunks: 4,
        loopback: super::loopback::LiveLoopback::new().0,
        executor: super::executor::Executor::for_this_machine(),
    });
    let tasks = LiveTasks::start(&[poster()], &environment, 0);
    let target = tasks.targets("telegraf", "autogen").get(0).cloned().unwrap();
    deliver(&target, posts_to(&url, &["first", "second"])).unwrap();
    drop(target);
    let started = std::time::Instant::now();
    tasks.stop_all();
    assert!(outbox.pending("poster").is_empty(), "the exit came before the endpoint answered: {:?}", started.elapsed());
    assert_eq!(outbox.failures(), 0);
    assert_eq!(answering.join().unwrap(), ["first", "second"]);
}
