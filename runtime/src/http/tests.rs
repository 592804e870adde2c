//! End to end over loopback: a server with recording tasks, real HTTP requests. Each test
//! names its own tasks, so tests share the recording log without seeing each other's points.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Condvar, LazyLock, Mutex, MutexGuard};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{HeaderMap, Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::{BatchSink, Config, Credentials, Server, TaskStopped};
use crate::delivery::{Delivery, DeliveryPolicy, FailureCount, Outbox, RecordingOutbox};
use crate::point::{Batch, FieldValue, Message, Point};
use crate::task::{
    Dbrp, NodeStats, Route, Routes, Task, TaskContext, TaskDescriptor, TaskKind,
};

/// How long a test waits for something that should happen at once.
pub(super) const PATIENCE: Duration = Duration::from_secs(10);
/// How long a test watches for something that must not happen.
const GLANCE: Duration = Duration::from_millis(50);

/// What the recording tasks of one id have seen.
#[derive(Default)]
pub(super) struct TaskLog {
    pub(super) points: Vec<Point>,
    /// (query, number of points) of each batch.
    batches: Vec<(usize, usize)>,
    pub(super) instances: u32,
    flushes: u32,
    /// While set, the task waits before taking a point (a stand-in for a slow pipeline).
    gate_closed: bool,
    /// Points the task has begun to take (gate or not).
    entered: u32,
}

static LOGS: LazyLock<Mutex<HashMap<String, TaskLog>>> = LazyLock::new(Mutex::default);
static CHANGED: Condvar = Condvar::new();

fn logs() -> MutexGuard<'static, HashMap<String, TaskLog>> {
    LOGS.lock().unwrap_or_else(|e| e.into_inner())
}

fn update(id: &str, change: impl FnOnce(&mut TaskLog)) {
    change(logs().entry(id.to_owned()).or_default());
    CHANGED.notify_all();
}

pub(super) fn read<T>(id: &str, look: impl FnOnce(&TaskLog) -> T) -> T {
    look(logs().entry(id.to_owned()).or_default())
}

/// Waits until the log of `id` satisfies `done`.
pub(super) fn wait_until(id: &str, done: impl Fn(&TaskLog) -> bool) {
    let mut guard = logs();
    let deadline = std::time::Instant::now() + PATIENCE;
    while !done(guard.entry(id.to_owned()).or_default()) {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        assert!(!left.is_zero(), "task {id}: timed out waiting");
        guard = CHANGED
            .wait_timeout(guard, left)
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
}

fn values(id: &str) -> Vec<f64> {
    read(id, |log| {
        log.points
            .iter()
            .map(|p| match p.fields.get("v") {
                Some(FieldValue::Float(v)) => *v,
                other => panic!("unexpected field {other:?}"),
            })
            .collect()
    })
}

/// A task that records every point it gets.
pub(super) struct Recorder {
    id: String,
    seen: u64,
}

impl Recorder {
    fn boxed(context: &TaskContext) -> Box<dyn Task> {
        update(&context.task_id, |log| log.instances += 1);
        Box::new(Recorder {
            id: context.task_id.clone(),
            seen: 0,
        })
    }
}

impl Task for Recorder {
    fn push_point(&mut self, point: Point) {
        update(&self.id, |log| log.entered += 1);
        wait_until(&self.id, |log| !log.gate_closed);
        self.seen += 1;
        update(&self.id, |log| log.points.push(point));
    }
    /// Records a copy and leaves the point, as a pipeline whose nodes work in place does: the
    /// writes then read later points' fields into its memory, which every test here exercises.
    fn lend_point(&mut self, msg: &mut Message) {
        if let Message::Point(point) = msg {
            self.push_point(point.clone());
        }
    }
    fn push_batch(&mut self, query: usize, batch: Batch) {
        update(&self.id, |log| log.batches.push((query, batch.points.len())));
    }
    fn flush(&mut self) {
        update(&self.id, |log| log.flushes += 1);
    }
    fn stats(&self) -> Vec<NodeStats> {
        vec![
            NodeStats {
                name: "stream0".into(),
                collected: self.seen,
                emitted: self.seen,
                errors: 0,
                ..NodeStats::default()
            },
            NodeStats {
                name: "record1".into(),
                collected: self.seen,
                emitted: 0,
                errors: 0,
                ..NodeStats::default()
            },
        ]
    }
}

struct Panicker;

impl Task for Panicker {
    fn push_point(&mut self, _: Point) {
        panic!("deliberately");
    }
    fn push_batch(&mut self, _: usize, _: Batch) {}
    fn flush(&mut self) {}
    fn stats(&self) -> Vec<NodeStats> {
        Vec::new()
    }
}

pub(super) const TELEGRAF: &[Dbrp] = &[Dbrp {
    database: "telegraf",
    retention_policy: "autogen",
}];

pub(super) fn recorder(id: &'static str) -> TaskDescriptor {
    TaskDescriptor {
        id,
        kind: TaskKind::Stream,
        dbrps: TELEGRAF,
        script: "stream\n    |from()\n        .measurement('cpu')\n",
        nodes: &["stream0", "record1"],
        edges: &[(0, 1)],
        queries: Vec::new,
        new: Recorder::boxed,
        enabled: true,
        routes: Routes::Dbrps,
    }
}

pub(super) struct Running {
    pub(super) address: SocketAddr,
    batches: BatchSink,
    stop: oneshot::Sender<()>,
    done: JoinHandle<()>,
}

pub(super) async fn start(tasks: &[TaskDescriptor], config: Config) -> Running {
    start_with(tasks, Arc::new(RecordingOutbox::new()), config).await
}

/// [`start`] with the deliveries going to `outbox`.
async fn start_with(tasks: &[TaskDescriptor], outbox: Arc<dyn Outbox>, config: Config) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = Server::new(tasks, outbox, config);
    let batches = server.batch_sink();
    let (stop, stopped) = oneshot::channel::<()>();
    let done = tokio::spawn(server.run(listener, async move {
        let _ = stopped.await;
    }));
    Running {
        address,
        batches,
        stop,
        done,
    }
}

impl Running {
    pub(super) async fn shutdown(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(PATIENCE, self.done)
            .await
            .unwrap()
            .unwrap();
    }
}

pub(super) struct Reply {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
}

impl Reply {
    pub(super) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {:?}", self.body))
    }
}

pub(super) async fn send(
    address: SocketAddr,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Reply {
    try_send(address, method, uri, headers, body).await.unwrap()
}

/// Like [`send`], but a connection the server cut (say, answering a body it refuses before
/// the client has written all of it) is an error instead of a panic.
pub(super) async fn try_send(
    address: SocketAddr,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Result<Reply, hyper::Error> {
    let stream = TcpStream::connect(address).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "localhost");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = sender
        .send_request(request.body(Full::new(body.into())).unwrap())
        .await?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await?.to_bytes();
    Ok(Reply {
        status,
        headers,
        body,
    })
}

pub(super) async fn post(address: SocketAddr, uri: &str, body: &str) -> Reply {
    send(address, Method::POST, uri, &[], body.to_owned()).await
}

pub(super) async fn get(address: SocketAddr, uri: &str) -> Reply {
    send(address, Method::GET, uri, &[], Bytes::new()).await
}

async fn patch_status(address: SocketAddr, id: &str, status: &str) -> Reply {
    let body = format!("{{\"status\":\"{status}\"}}\n");
    send(
        address,
        Method::PATCH,
        &format!("/kapacitor/v1/tasks/{id}"),
        &[],
        body,
    )
    .await
}

/// Polls the task's JSON until `done` holds (the counts are published after each chunk).
async fn show_until(address: SocketAddr, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let task = get(address, &format!("/kapacitor/v1/tasks/{id}"))
            .await
            .json();
        if done(&task) {
            return task;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out; last answer: {task:#}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

pub(super) fn lines(values: impl IntoIterator<Item = u32>) -> String {
    values
        .into_iter()
        .map(|v| format!("cpu,host=h{v} v={v} {}\n", 1_700_000_000 + i64::from(v)))
        .collect()
}

/// Fields are read into the memory of points the task left: each point has its own fields and
/// no others, whatever the point before it in that memory had.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn points_read_into_left_memory_hold_only_their_own_fields() {
    let server = start(&[recorder("spare")], Config::default()).await;
    let wide: String = (0..3000).map(|i| format!("cpu,host=h{} a=1,b=\"{i}\",c=3i,d=t {i}\n", i % 7)).collect();
    let narrow: String = (0..3000).map(|i| format!("cpu,host=h{} b=\"n{i}\" {i}\n", i % 5)).collect();
    for body in [&wide, &narrow, &wide, &narrow] {
        let reply = post(server.address, "/write?db=telegraf", body).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT);
    }
    wait_until("spare", |log| log.points.len() == 12_000);
    read("spare", |log| {
        for (n, point) in log.points.iter().enumerate() {
            let i = n % 3000;
            let fields = format!("{:?}", point.fields);
            let expected = if (n / 3000) % 2 == 0 {
                format!(r#"{{"a": Float(1.0), "b": String("{i}"), "c": Int(3), "d": Bool(true)}}"#)
            } else {
                format!(r#"{{"b": String("n{i}")}}"#)
            };
            assert_eq!(fields, expected, "point {n}");
        }
    });
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_body_is_answered_204_and_reaches_the_task_in_order() {
    let server = start(&[recorder("valid")], Config::default()).await;
    let reply = post(
        server.address,
        "/write?db=telegraf&rp=autogen&precision=s",
        &lines(1..=5),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert!(reply.body.is_empty());
    assert!(
        reply.headers["x-kapacitor-version"]
            .to_str()
            .unwrap()
            .starts_with("tickc-")
    );
    assert_eq!(
        reply.headers["content-type"],
        "application/json; charset=utf-8"
    );
    // The exact request an InfluxDB subscription sends; Kapacitor's own path; a missing rp.
    let subscription = "/write?consistency=&db=telegraf&precision=ns&rp=autogen";
    assert_eq!(
        post(
            server.address,
            subscription,
            "cpu v=6 1700000006000000000\n"
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        post(
            server.address,
            "/kapacitor/v1/write?db=telegraf&precision=s",
            &lines(7..=7)
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    // Other databases and retention policies are not this task's.
    assert_eq!(
        post(server.address, "/write?db=other&precision=s", &lines(8..=8))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        post(
            server.address,
            "/write?db=telegraf&rp=short&precision=s",
            &lines(9..=9)
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    post(
        server.address,
        "/write?db=telegraf&precision=s",
        &lines(10..=10),
    )
    .await;
    wait_until("valid", |log| log.points.len() == 8);
    assert_eq!(values("valid"), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 10.0]);
    let first = read("valid", |log| log.points[0].clone());
    assert_eq!(
        (first.database.as_str(), first.retention_policy.as_str()),
        ("telegraf", "autogen")
    );
    assert_eq!(first.time, 1_700_000_001_000_000_000);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_write_reports_each_bad_line_and_keeps_the_good_ones() {
    let server = start(&[recorder("partial")], Config::default()).await;
    let body = "cpu v=1 1\ncpu,k=mid\n\ncpu v=2 2\ncpu v=1x 3\ncpu v=3 3\n";
    let reply = post(server.address, "/write?db=telegraf", body).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    insta::assert_snapshot!(String::from_utf8_lossy(&reply.body), @r#"
    {
        "error": "partial write: unable to parse 'cpu,k=mid': missing fields at byte 9 (line 2)\nunable to parse 'cpu v=1x 3': invalid number at byte 6 (line 5) dropped=2",
        "dropped": 2,
        "bad_lines": [
            {
                "line": 2,
                "reason": "missing fields at byte 9",
                "text": "cpu,k=mid"
            },
            {
                "line": 5,
                "reason": "invalid number at byte 6",
                "text": "cpu v=1x 3"
            }
        ]
    }
    "#);
    wait_until("partial", |log| log.points.len() == 3);
    assert_eq!(values("partial"), [1.0, 2.0, 3.0]);

    // With no good line at all, the error is InfluxDB's plain parse error.
    let reply = post(server.address, "/write?db=telegraf", "garbage\n").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.json()["error"],
        "unable to parse 'garbage': missing fields at byte 7 (line 1)"
    );

    // The answer stays small whatever the body: 50 lines listed, the rest counted.
    let many_bad = format!("{}\n", "x".repeat(1_000)).repeat(10_000);
    let reply = post(server.address, "/write?db=telegraf", &many_bad).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body.len() < 30_000, "{} bytes", reply.body.len());
    let error = reply.json();
    assert_eq!(error["dropped"], 10_000);
    assert_eq!(error["bad_lines"].as_array().map(Vec::len), Some(50));
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .ends_with("and 9950 more bad line(s)")
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gzip_bodies_are_read_and_bad_gzip_is_refused() {
    use std::io::Write;
    let server = start(&[recorder("gzip")], Config::default()).await;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(lines(1..=3).as_bytes()).unwrap();
    let compressed = encoder.finish().unwrap();
    let gzip = [("content-encoding", "gzip")];
    let reply = send(
        server.address,
        Method::POST,
        "/write?db=telegraf&precision=s",
        &gzip,
        compressed.clone(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    wait_until("gzip", |log| log.points.len() == 3);

    let plain = send(
        server.address,
        Method::POST,
        "/write?db=telegraf",
        &gzip,
        lines(4..=4),
    )
    .await;
    assert_eq!(plain.status, StatusCode::BAD_REQUEST);
    assert!(
        plain.json()["error"]
            .as_str()
            .unwrap()
            .starts_with("gzip: ")
    );
    let truncated = compressed[..compressed.len() / 2].to_vec();
    let reply = send(
        server.address,
        Method::POST,
        "/write?db=telegraf",
        &gzip,
        truncated,
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(values("gzip"), [1.0, 2.0, 3.0]);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_past_the_limit_get_413_before_and_after_decompression() {
    use std::io::Write;
    let config = Config {
        max_body_bytes: 1_000,
        ..Config::default()
    };
    let server = start(&[recorder("large")], config).await;
    let reply = post(
        server.address,
        "/write?db=telegraf&precision=s",
        &lines(1..=100),
    )
    .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        reply.json()["error"]
            .as_str()
            .unwrap()
            .contains("1000 bytes")
    );
    // A small gzip body that inflates past the limit.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(format!("cpu v=1 1\n{}", "# padding\n".repeat(200)).as_bytes())
        .unwrap();
    let bomb = encoder.finish().unwrap();
    assert!(bomb.len() < 1_000);
    let reply = send(
        server.address,
        Method::POST,
        "/write?db=telegraf",
        &[("content-encoding", "gzip")],
        bomb,
    )
    .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Just under the limit is fine.
    assert_eq!(
        post(
            server.address,
            "/write?db=telegraf&precision=s",
            &lines(1..=10)
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    wait_until("large", |log| log.points.len() == 10);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_parameters_are_refused() {
    let server = start(&[recorder("params")], Config::default()).await;
    for (uri, message) in [
        (
            "/write?db=telegraf&precision=S",
            "invalid precision \"S\" (use n, ns, u, us, ms, s, m or h)",
        ),
        (
            "/write?db=telegraf&precision=x",
            "invalid precision \"x\" (use n, ns, u, us, ms, s, m or h)",
        ),
        ("/write?precision=s", "database is required"),
        ("/write?db=&rp=autogen", "database is required"),
    ] {
        let reply = post(server.address, uri, &lines(1..=1)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(reply.json()["error"], message, "{uri}");
    }
    // Each known precision scales the timestamps; an empty one means nanoseconds.
    post(
        server.address,
        "/write?db=telegraf&precision=ms",
        "cpu v=1 1700000000000\n",
    )
    .await;
    post(
        server.address,
        "/write?db=telegraf&precision=",
        "cpu v=2 1700000000000000000\n",
    )
    .await;
    wait_until("params", |log| log.points.len() == 2);
    assert!(read("params", |log| log
        .points
        .iter()
        .all(|p| p.time == 1_700_000_000_000_000_000)));
    assert_eq!(
        get(server.address, "/write?db=telegraf").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(server.address, "/kapacitor/v1/nosuchpath").await.json()["error"],
        "Not Found"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_answers_204_with_the_version() {
    let server = start(&[], Config::default()).await;
    for method in [Method::GET, Method::HEAD] {
        let reply = send(
            server.address,
            method,
            "/kapacitor/v1/ping?verbose=true",
            &[],
            Bytes::new(),
        )
        .await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT);
        assert!(reply.headers.contains_key("x-kapacitor-version"));
    }
    server.shutdown().await;
}

/// The task JSON with what depends on the wall clock blanked out: its times, and the
/// throughput (sampled each second, so a slow run may see the points in it).
fn without_clock(mut task: Value) -> Value {
    for key in ["created", "modified", "last-enabled"] {
        if let Some(time) = task.get_mut(key) {
            assert!(
                time.as_str().is_some_and(|t| t.ends_with('Z')),
                "{key}: {time}"
            );
            *time = Value::from("<time>");
        }
    }
    if let Some(throughput) = task.pointer_mut("/stats/task-stats/throughput") {
        assert!(throughput.is_f64());
        *throughput = Value::from("<throughput>");
    }
    if let Some(Value::String(dot)) = task.get_mut("dot")
        && let Some((head, rest)) = dot.split_once("[throughput=\"")
        && let Some((_, tail)) = rest.split_once(" points/s\"]")
    {
        *dot = format!("{head}[throughput=\"<throughput> points/s\"]{tail}");
    }
    task
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_are_listed_and_shown_in_kapacitors_shape_with_live_counts() {
    let server = start(
        &[recorder("shape_b"), recorder("shape_a")],
        Config::default(),
    )
    .await;
    let list = get(
        server.address,
        "/kapacitor/v1/tasks?dot-view=attributes&fields=type&fields=status&fields=executing&fields=dbrps&limit=100&offset=0&pattern=&replay-id=&script-format=formatted",
    )
    .await;
    assert_eq!(list.status, StatusCode::OK);
    insta::assert_snapshot!(String::from_utf8_lossy(&list.body), @r#"
    {
        "tasks": [
            {
                "dbrps": [
                    {
                        "db": "telegraf",
                        "rp": "autogen"
                    }
                ],
                "executing": true,
                "id": "shape_a",
                "link": {
                    "href": "/kapacitor/v1/tasks/shape_a",
                    "rel": "self"
                },
                "status": "enabled",
                "type": "stream"
            },
            {
                "dbrps": [
                    {
                        "db": "telegraf",
                        "rp": "autogen"
                    }
                ],
                "executing": true,
                "id": "shape_b",
                "link": {
                    "href": "/kapacitor/v1/tasks/shape_b",
                    "rel": "self"
                },
                "status": "enabled",
                "type": "stream"
            }
        ]
    }
    "#);
    let paged = get(
        server.address,
        "/kapacitor/v1/tasks?fields=link&pattern=shape_*&offset=1&limit=1",
    )
    .await
    .json();
    assert_eq!(paged["tasks"].as_array().map(Vec::len), Some(1));
    assert_eq!(paged["tasks"][0]["id"], "shape_b");
    assert!(paged["tasks"][0].get("status").is_none());
    assert_eq!(
        get(server.address, "/kapacitor/v1/tasks?pattern=nope*")
            .await
            .json(),
        serde_json::json!({"tasks": []})
    );

    post(
        server.address,
        "/write?db=telegraf&precision=s",
        &lines(1..=3),
    )
    .await;
    let task = show_until(server.address, "shape_a", |t| {
        t["stats"]["node-stats"]["record1"]["collected"] == 3
    })
    .await;
    insta::assert_snapshot!(format!("{:#}", without_clock(task)), @r#"
    {
      "created": "<time>",
      "dbrps": [
        {
          "db": "telegraf",
          "rp": "autogen"
        }
      ],
      "dot": "digraph shape_a {\ngraph [throughput=\"<throughput> points/s\"];\n\nstream0 [avg_exec_time_ns=\"0s\" errors=\"0\" working_cardinality=\"0\" ];\nstream0 -> record1 [processed=\"3\"];\n\nrecord1 [avg_exec_time_ns=\"0s\" errors=\"0\" working_cardinality=\"0\" ];\n}",
      "error": "",
      "executing": true,
      "id": "shape_a",
      "last-enabled": "<time>",
      "link": {
        "href": "/kapacitor/v1/tasks/shape_a",
        "rel": "self"
      },
      "modified": "<time>",
      "script": "stream\n    |from()\n        .measurement('cpu')\n",
      "stats": {
        "node-stats": {
          "record1": {
            "avg_exec_time_ns": 0,
            "collected": 3,
            "emitted": 0,
            "errors": 0,
            "working_cardinality": 0
          },
          "stream0": {
            "avg_exec_time_ns": 0,
            "collected": 3,
            "emitted": 3,
            "errors": 0,
            "working_cardinality": 0
          }
        },
        "task-stats": {
          "throughput": "<throughput>"
        }
      },
      "status": "enabled",
      "template-id": "",
      "type": "stream",
      "vars": {}
    }
    "#);
    // A single task keeps Kapacitor's field order.
    let raw = get(server.address, "/kapacitor/v1/tasks/shape_a").await;
    let text = String::from_utf8_lossy(&raw.body);
    let order: Vec<usize> = [
        "\"link\"",
        "\"id\"",
        "\"template-id\"",
        "\"type\"",
        "\"dbrps\"",
        "\"script\"",
        "\"vars\"",
        "\"dot\"",
        "\"status\"",
        "\"executing\"",
        "\"error\"",
        "\"stats\"",
        "\"created\"",
        "\"modified\"",
        "\"last-enabled\"",
    ]
    .iter()
    .map(|key| text.find(key).unwrap())
    .collect();
    assert!(order.is_sorted(), "{text}");
    let missing = get(
        server.address,
        "/kapacitor/v1/tasks/nope?dot-view=attributes",
    )
    .await;
    assert_eq!(
        (missing.status, missing.json()),
        (
            StatusCode::NOT_FOUND,
            serde_json::json!({"error": "no task exists"})
        )
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabling_a_task_stops_its_delivery_and_enabling_starts_it_afresh() {
    let server = start(&[recorder("toggle")], Config::default()).await;
    post(
        server.address,
        "/write?db=telegraf&precision=s",
        &lines(1..=2),
    )
    .await;
    let disabled = patch_status(server.address, "toggle", "disabled").await;
    assert_eq!(disabled.status, StatusCode::OK);
    let disabled = disabled.json();
    assert_eq!(
        (
            &disabled["status"],
            &disabled["executing"],
            &disabled["stats"]
        ),
        (&"disabled".into(), &false.into(), &serde_json::json!({}))
    );
    assert_eq!(disabled["dot"], "digraph toggle {\nstream0 -> record1;\n}");
    // Disabling drained and flushed the task before answering.
    assert_eq!(
        read("toggle", |log| (log.points.len(), log.flushes)),
        (2, 1)
    );

    assert_eq!(
        post(
            server.address,
            "/write?db=telegraf&precision=s",
            &lines(3..=3)
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    let enabled = patch_status(server.address, "toggle", "enabled")
        .await
        .json();
    assert_eq!(
        (&enabled["status"], &enabled["executing"]),
        (&"enabled".into(), &true.into())
    );
    post(
        server.address,
        "/write?db=telegraf&precision=s",
        &lines(4..=4),
    )
    .await;
    wait_until("toggle", |log| log.points.len() == 3);
    assert_eq!(values("toggle"), [1.0, 2.0, 4.0]);
    assert_eq!(read("toggle", |log| log.instances), 2);

    // Enabling an enabled task changes nothing; a compiled task's script cannot change.
    assert_eq!(
        patch_status(server.address, "toggle", "enabled")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(read("toggle", |log| log.instances), 2);
    let script = send(
        server.address,
        Method::PATCH,
        "/kapacitor/v1/tasks/toggle",
        &[],
        r#"{"script":"stream|from()"}"#,
    )
    .await;
    assert_eq!(script.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        patch_status(server.address, "toggle", "running")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let missing = patch_status(server.address, "nope", "enabled").await;
    assert_eq!(
        (missing.status, missing.json()["error"].clone()),
        (
            StatusCode::NOT_FOUND,
            "task does not exist, cannot update".into()
        )
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_carry_the_node_counts() {
    let server = start(&[recorder("metrics")], Config::default()).await;
    post(
        server.address,
        "/write?db=telegraf&precision=s",
        &lines(1..=4),
    )
    .await;
    post(server.address, "/write?db=telegraf", "bad\n").await;
    show_until(server.address, "metrics", |t| {
        t["stats"]["node-stats"]["stream0"]["emitted"] == 4
    })
    .await;
    let reply = get(server.address, "/metrics").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.headers["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = String::from_utf8_lossy(&reply.body);
    for expected in [
        "# TYPE tick_node_collected_total counter\n",
        "tick_node_collected_total{task=\"metrics\",node=\"stream0\"} 4\n",
        "tick_node_emitted_total{task=\"metrics\",node=\"record1\"} 0\n",
        "tick_node_errors_total{task=\"metrics\",node=\"record1\"} 0\n",
        "tick_task_executing{task=\"metrics\"} 1\n",
        "tick_write_requests_total 2\n",
        "tick_write_points_total 4\n",
        "tick_write_bad_lines_total 1\n",
        "# TYPE tick_handler_failures_total counter\n",
        "tick_handler_failures_total 0\n",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    server.shutdown().await;
}

/// An address nothing listens on: a TCP delivery to it fails at once.
static REFUSED: LazyLock<String> = LazyLock::new(|| {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
});

/// A task whose node `post1` sends a TCP line per point to [`REFUSED`], counting its failures
/// as a handler node does.
struct FailingSender {
    outbox: Arc<dyn Outbox>,
    failures: FailureCount,
}

impl Task for FailingSender {
    fn push_point(&mut self, point: Point) {
        let line = format!("{}\n", point.name).into_bytes();
        let delivery = Delivery::Tcp { address: REFUSED.clone(), line };
        self.outbox.send_counted(delivery, &self.failures);
    }
    fn push_batch(&mut self, _: usize, _: Batch) {}
    fn flush(&mut self) {}
    fn stats(&self) -> Vec<NodeStats> {
        vec![NodeStats {
            name: "post1".into(),
            handler_failures: Some(self.failures.get()),
            ..NodeStats::default()
        }]
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handler_failures_count_per_node_in_the_stats_and_metrics() {
    let failing = TaskDescriptor {
        id: "failing",
        nodes: &["stream0", "post1"],
        new: |context: &TaskContext| -> Box<dyn Task> {
            Box::new(FailingSender {
                outbox: context.outbox.clone(),
                failures: FailureCount::new(),
            })
        },
        ..recorder("failing")
    };
    let policy = DeliveryPolicy {
        retries: 0,
        ..DeliveryPolicy::default()
    };
    let outbox = Arc::new(crate::delivery::threaded::ThreadedOutbox::with_policy(policy));
    let server = start_with(&[failing, recorder("succeeding")], outbox, Config::default()).await;
    post(server.address, "/write?db=telegraf&precision=s", &lines(1..=3)).await;
    let task = show_until(server.address, "failing", |t| {
        t["stats"]["node-stats"]["post1"]["handler_failures"] == 3
    })
    .await;
    let dot = task["dot"].as_str().unwrap_or_default();
    assert!(dot.contains("handler_failures=\"3\""), "{dot}");
    let text = String::from_utf8_lossy(&get(server.address, "/metrics").await.body).into_owned();
    for expected in [
        "tick_handler_failures_total 3\n",
        "tick_handler_failures_total{task=\"failing\",node=\"post1\"} 3\n",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    // A node that sends nothing has no such series, nor a generic node-stat one.
    assert!(!text.contains("tick_handler_failures_total{task=\"succeeding\""), "{text}");
    assert!(!text.contains("tick_node_handler_failures"), "{text}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_makes_writes_wait_and_shutdown_drains_every_accepted_point() {
    let config = Config {
        queue_chunks: 1,
        ..Config::default()
    };
    update("drain", |log| log.gate_closed = true);
    let server = start(&[recorder("drain")], config).await;
    let address = server.address;
    // The task holds the first write's chunk (stuck at the gate: that write waits, as its
    // thread runs the idle task), the queue the second's.
    let first = tokio::spawn(async move {
        post(address, "/write?db=telegraf&precision=s", &lines(1..=3))
            .await
            .status
    });
    let waited = tokio::task::spawn_blocking(|| wait_until("drain", |log| log.entered > 0));
    tokio::time::timeout(PATIENCE, waited).await.unwrap().unwrap();
    assert_eq!(
        post(address, "/write?db=telegraf&precision=s", &lines(4..=6))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let mut third = tokio::spawn(async move {
        post(address, "/write?db=telegraf&precision=s", &lines(7..=9))
            .await
            .status
    });
    assert!(
        tokio::time::timeout(GLANCE, &mut third).await.is_err(),
        "a write to a full queue must wait"
    );

    // Shutting down waits for the queued points too.
    let _ = server.stop.send(());
    let mut done = server.done;
    assert!(
        tokio::time::timeout(GLANCE, &mut done).await.is_err(),
        "shutdown must drain the queue"
    );
    update("drain", |log| log.gate_closed = false);
    assert_eq!(
        tokio::time::timeout(PATIENCE, first).await.unwrap().unwrap(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        tokio::time::timeout(PATIENCE, third)
            .await
            .unwrap()
            .unwrap(),
        StatusCode::NO_CONTENT
    );
    tokio::time::timeout(PATIENCE, done).await.unwrap().unwrap();
    assert_eq!(values("drain"), (1..=9).map(f64::from).collect::<Vec<_>>());
    assert_eq!(read("drain", |log| log.flushes), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_are_required_when_configured() {
    let credentials = Credentials {
        username: "kap".into(),
        password: "pw".into(),
    };
    let server = start(
        &[recorder("auth")],
        Config {
            credentials: Some(credentials),
            ..Config::default()
        },
    )
    .await;
    let refused = post(
        server.address,
        "/write?db=telegraf&precision=s",
        &lines(1..=1),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(refused.headers.contains_key("www-authenticate"));
    assert_eq!(
        get(server.address, "/kapacitor/v1/tasks").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get(server.address, "/kapacitor/v1/ping").await.status,
        StatusCode::NO_CONTENT
    );
    // "kap:pw" in base64.
    let basic = [("authorization", "Basic a2FwOnB3")];
    let reply = send(
        server.address,
        Method::POST,
        "/write?db=telegraf&precision=s",
        &basic,
        lines(2..=2),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let reply = post(
        server.address,
        "/write?db=telegraf&precision=s&u=kap&p=pw",
        &lines(3..=3),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    wait_until("auth", |log| log.points.len() == 2);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_that_panics_is_reported_and_its_writes_fail() {
    let panicker = TaskDescriptor {
        id: "panics",
        new: |_| Box::new(Panicker),
        ..recorder("panics")
    };
    let server = start(&[panicker, recorder("bystander")], Config::default()).await;
    post(
        server.address,
        "/write?db=telegraf&precision=s",
        &lines(1..=1),
    )
    .await;
    let task = show_until(server.address, "panics", |t| t["executing"] == false).await;
    assert_eq!(task["error"], "the task stopped: it panicked: deliberately");
    let reply = post(
        server.address,
        "/write?db=telegraf&precision=s",
        &lines(2..=2),
    )
    .await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(reply.json()["error"].as_str().unwrap().contains("panics"));
    // The other task got both points.
    wait_until("bystander", |log| log.points.len() == 2);
    server.shutdown().await;
}

#[test]
fn throughput_is_the_points_taken_since_the_last_sample() {
    use super::live::{Environment, LiveTasks, deliver};
    let environment = Arc::new(Environment {
        outbox: Arc::new(RecordingOutbox::new()),
        config: Arc::default(),
        queue_chunks: 4,
        loopback: super::loopback::LiveLoopback::new().0,
        executor: super::executor::Executor::for_this_machine(),
    });
    let tasks = LiveTasks::start(&[recorder("rate")], &environment, 0);
    let targets = tasks.targets("telegraf", "autogen");
    assert_eq!(targets.task_count(), 1);
    let point = crate::lineproto::parse_line(b"cpu v=1 1", crate::time::Precision::Second).unwrap();
    assert!(
        deliver(
            targets.get(0).unwrap(),
            vec![point.to_point("telegraf", "autogen", 0); 3]
        )
        .is_ok()
    );
    let task = tasks.get("rate").unwrap();
    let deadline = std::time::Instant::now() + PATIENCE;
    while task
        .snapshot()
        .execution
        .is_none_or(|e| e.stats.first().is_none_or(|s| s.collected < 3))
    {
        assert!(std::time::Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(5));
    }
    tasks.sample_throughput(Duration::from_secs(2));
    assert_eq!(task.snapshot().execution.map(|e| e.throughput), Some(1.5));
    tasks.sample_throughput(Duration::from_secs(1));
    assert_eq!(task.snapshot().execution.map(|e| e.throughput), Some(0.0));
    drop(targets);
    tasks.stop_all();
    assert_eq!(read("rate", |log| log.flushes), 1);
}

#[tokio::test]
async fn batches_reach_the_running_task_and_not_a_missing_one() {
    let running = start(&[recorder("batched")], Config::default()).await;
    let sink = running.batches.clone();
    let pushed = tokio::task::spawn_blocking(move || {
        let batch = Batch {
            name: "cpu".into(),
            time: 0,
            tags: Default::default(),
            dimensions: Default::default(),
            group: Default::default(),
            points: vec![],
        };
        (sink.push("batched", 1, batch.clone()), sink.push("nope", 0, batch))
    })
    .await
    .unwrap();
    assert_eq!(pushed, (Ok(()), Err(TaskStopped)));
    wait_until("batched", |log| !log.batches.is_empty());
    assert_eq!(read("batched", |log| log.batches.clone()), vec![(1, 0)]);
    running.shutdown().await;
}

/// A task that writes every point it gets back into the stream, into the database `looped`.
struct Looper {
    loopback: Option<Arc<dyn crate::loopback::Loopback>>,
}

impl Task for Looper {
    fn push_point(&mut self, mut point: Point) {
        if let Some(loopback) = &self.loopback {
            point.database = "looped".into();
            loopback.write(point);
        }
    }
    fn push_batch(&mut self, _: usize, _: Batch) {}
    fn flush(&mut self) {}
    fn stats(&self) -> Vec<NodeStats> {
        Vec::new()
    }
}

#[tokio::test]
async fn looped_back_points_reach_the_tasks_reading_their_database() {
    const LOOPED: &[Dbrp] = &[Dbrp {
        database: "looped",
        retention_policy: "autogen",
    }];
    let looper = TaskDescriptor {
        new: |context: &TaskContext| -> Box<dyn Task> {
            Box::new(Looper {
                loopback: context.loopback.clone(),
            })
        },
        ..recorder("looper")
    };
    let receiver = TaskDescriptor {
        dbrps: LOOPED,
        ..recorder("loop_receiver")
    };
    let running = start(&[looper, receiver], Config::default()).await;
    let reply = post(running.address, "/write?db=telegraf", &lines(1..=3)).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    wait_until("loop_receiver", |log| log.points.len() == 3);
    let databases: Vec<String> = read("loop_receiver", |log| {
        log.points.iter().map(|p| p.database.to_string()).collect()
    });
    assert_eq!(databases, vec!["looped"; 3]);
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_concurrent_writers_into_a_small_queue_lose_no_point() {
    const WRITERS: u32 = 8;
    const BODIES: u32 = 25;
    const LINES: u32 = 40;
    // A queue of two chunks under 8 writers: most writes wait for room (back-pressure).
    let config = Config {
        queue_chunks: 2,
        ..Config::default()
    };
    let server = start(&[recorder("crowded")], config).await;
    let address = server.address;
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            tokio::spawn(async move {
                for body in 0..BODIES {
                    let first = (writer * BODIES + body) * LINES;
                    let reply = post(address, "/write?db=telegraf&precision=s", &lines(first..first + LINES)).await;
                    assert_eq!(reply.status, StatusCode::NO_CONTENT);
                }
            })
        })
        .collect();
    for writer in writers {
        tokio::time::timeout(PATIENCE, writer).await.unwrap().unwrap();
    }
    server.shutdown().await;
    let mut seen = values("crowded");
    seen.sort_by(f64::total_cmp);
    let sent: Vec<f64> = (0..WRITERS * BODIES * LINES).map(f64::from).collect();
    assert_eq!(seen.len(), sent.len(), "points lost or duplicated");
    assert_eq!(seen, sent);
}

/// A recorder that can use only the points of `routes`.
fn host_recorder(id: &'static str, routes: &'static [Route]) -> TaskDescriptor {
    TaskDescriptor {
        routes: Routes::Only(routes),
        ..recorder(id)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_task_receives_only_the_points_its_routes_match() {
    const fn host(tags: &'static [(&'static str, &'static str)]) -> Route {
        Route {
            database: "telegraf",
            retention_policy: "autogen",
            measurement: Some("cpu"),
            tags,
        }
    }
    static H1: &[Route] = &[host(&[("host", "h1")])];
    static H2: &[Route] = &[host(&[("host", "h2")])];
    static H3: &[Route] = &[host(&[("host", "h3")])];
    let tasks = [
        host_recorder("route_h1", H1),
        host_recorder("route_h2", H2),
        host_recorder("route_h3", H3),
    ];
    let server = start(&tasks, Config::default()).await;
    // Hosts 1 to 3 in turn, 3 000 points (several chunks), then points no task can use.
    let body: String = (0..3_000u32)
        .map(|i| format!("cpu,host=h{} v={i} {}\n", i % 3 + 1, 1_700_000_000 + i64::from(i)))
        .chain(["cpu,host=h4 v=1 1700000000\n".into(), "mem,host=h1 v=1 1700000000\n".into()])
        .collect();
    let reply = post(server.address, "/write?db=telegraf&precision=s", &body).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    for (n, id) in ["route_h1", "route_h2", "route_h3"].into_iter().enumerate() {
        let shown = show_until(server.address, id, |task| {
            task["stats"]["node-stats"]["stream0"]["collected"] == 1_000
        })
        .await;
        assert_eq!(shown["stats"]["node-stats"]["record1"]["collected"], 1_000);
        let host = format!("h{}", n + 1);
        let (count, own, in_order) = read(id, |log| {
            let values: Vec<f64> = log.points.iter().filter_map(|p| p.fields.get("v")).filter_map(|v| match v {
                FieldValue::Float(v) => Some(*v),
                _ => None,
            }).collect();
            (
                log.points.len(),
                log.points.iter().all(|p| p.tags.get("host").is_some_and(|h| **h == *host) && *p.name == *"cpu"),
                values.windows(2).all(|w| w[0] < w[1]),
            )
        });
        assert_eq!((count, own, in_order), (1_000, true, true), "{id}");
    }

    // A disabled task gets nothing; the others keep getting theirs.
    assert_eq!(patch_status(server.address, "route_h2", "disabled").await.status, StatusCode::OK);
    let more = "cpu,host=h1 v=5000 1700005000\ncpu,host=h2 v=5001 1700005001\n";
    let reply = post(server.address, "/write?db=telegraf&precision=s", more).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    wait_until("route_h1", |log| log.points.len() == 1_001);
    assert_eq!(read("route_h2", |log| log.points.len()), 1_000);
    server.shutdown().await;
}
