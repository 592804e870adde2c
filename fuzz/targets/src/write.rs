//! The `/write` handler in process: any query string, `Content-Encoding` and body, against a
//! server with one task that counts what reaches it.
//!
//! An input is three parts split at the first two newlines: the query string, the
//! `Content-Encoding` header's value (absent when empty), and the body. When the encoding is
//! gzip and the body is not already gzip (it does not start with gzip's magic bytes), the body
//! is compressed first, so the fuzzer reaches the line parser through the decompressor too.
//!
//! The oracle: the answer is 204, 400 or 413 with Kapacitor's JSON; a refusal (no database, an
//! unknown precision, a broken or oversized gzip body) delivers nothing; otherwise every
//! point-carrying line is either delivered to the tasks of the write's database and retention
//! policy or reported bad, exactly once, and the error answer stays small.

use std::io::{Read, Write as _};
use std::sync::{Arc, Condvar, LazyLock, Mutex, MutexGuard};
use std::time::Duration;

use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Request, StatusCode};
use percent_encoding::percent_decode_str;
use serde_json::Value;
use tick_runtime::delivery::RecordingOutbox;
use tick_runtime::http::{Config, Server};
use tick_runtime::lineproto::lines;
use tick_runtime::point::{Batch, FieldValue, Point};
use tick_runtime::task::{Dbrp, NodeStats, Routes, Task, TaskContext, TaskDescriptor, TaskKind};
use tick_runtime::time::Precision;

/// The largest body the server takes, small enough for a fuzzed gzip body to pass it.
const MAX_BODY_BYTES: usize = 256 * 1024;
/// How many bad lines an error answer lists (the handler's bound).
const LISTED_BAD_LINES: usize = 50;
/// An error answer's bound: 50 listed lines of at most ~100 characters (up to 6 bytes each
/// once JSON-escaped), twice (message and list), and the reasons.
const MAX_ERROR_BYTES: usize = 2 * LISTED_BAD_LINES * (101 * 6 + 200) + 1_000;
/// How long the counting task may take to see a write's points.
const PATIENCE: Duration = Duration::from_secs(30);

const DATABASE: &str = "telegraf";
const RETENTION_POLICY: &str = "autogen";
/// A point written after each fuzzed write, so the task's count covers exactly that write.
const SENTINEL: &str = "fuzz_write_sentinel";

/// Sends one fuzzed write and checks the answer and what reached the task.
pub fn write(input: &[u8]) {
    let (query, encoding, body) = split_input(input);
    // A header value cannot hold every byte: such an encoding is simply not sent.
    let encoding = hyper::header::HeaderValue::from_bytes(encoding)
        .ok()
        .filter(|value| !value.is_empty());
    let gzip = encoding
        .as_ref()
        .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"gzip"));
    let body = if gzip && !body.starts_with(&[0x1f, 0x8b]) {
        compress(body)
    } else {
        body.to_vec()
    };
    let mut request = Request::post(format!("/write?{query}"));
    if let Some(value) = encoding {
        request = request.header(hyper::header::CONTENT_ENCODING, value);
    }
    let expected = Expected::of(&request, gzip, &body);
    let Ok(request) = request.body(Full::new(Bytes::from(body))) else {
        // Not a URI (the query holds bytes a URI cannot): nothing an HTTP client could send.
        return;
    };
    let harness = &*HARNESS;
    let (status, answer) = harness.send(request);
    let delivered = harness.delivered();

    let accepted = match status {
        StatusCode::NO_CONTENT => {
            assert!(answer.is_empty(), "a 204 with a body: {answer:?}");
            Some(expected.lines)
        }
        StatusCode::BAD_REQUEST | StatusCode::PAYLOAD_TOO_LARGE => {
            let error = error_answer(&answer);
            error
                .get("dropped")
                .map(|dropped| expected.lines - bad_lines(&error, dropped, expected.lines))
        }
        other => panic!("answered {other}: {}", String::from_utf8_lossy(&answer)),
    };
    match (expected.refusal, accepted) {
        (Some(reason), Some(_)) => panic!("{reason}, yet the body was read (answered {status})"),
        (None, None) => panic!(
            "a readable write was refused ({status}): {}",
            String::from_utf8_lossy(&answer)
        ),
        _ => {}
    }
    let reaching_task = if expected.reaches_task { accepted.unwrap_or(0) } else { 0 };
    assert_eq!(delivered, reaching_task, "points that reached the task ({status})");
}

/// The query string, the encoding and the body of an input.
fn split_input(input: &[u8]) -> (&str, &[u8], &[u8]) {
    let mut parts = input.splitn(3, |&b| b == b'\n');
    let query = parts.next().unwrap_or_default();
    let encoding = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default();
    // A query string that is not text cannot be part of a URI.
    (std::str::from_utf8(query).unwrap_or_default(), encoding, body)
}

fn compress(body: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(body);
    encoder.finish().unwrap_or_default()
}

/// What the handler must do with a write, worked out without it.
struct Expected {
    /// Why the body must not be read, if it must not.
    refusal: Option<&'static str>,
    /// The point-carrying lines of the (decompressed) body.
    lines: u64,
    /// Whether the write's database and retention policy are the counting task's.
    reaches_task: bool,
}

impl Expected {
    fn of(request: &hyper::http::request::Builder, gzip: bool, body: &[u8]) -> Expected {
        // The query as the server will see it, after the URI is parsed.
        let query = request
            .uri_ref()
            .and_then(|uri| uri.query())
            .unwrap_or_default();
        let database = first_parameter(query, "db").unwrap_or_default();
        let retention_policy = first_parameter(query, "rp")
            .filter(|rp| !rp.is_empty())
            .unwrap_or_else(|| RETENTION_POLICY.to_owned());
        // `us` is InfluxDB 2's name for microseconds, accepted beside 1.x's values.
        let precision_known = first_parameter(query, "precision")
            .is_none_or(|p| p.is_empty() || p == "us" || p.parse::<Precision>().is_ok());
        let text = if gzip { gunzip(body) } else { Some(body.to_vec()) };
        let refusal = if database.is_empty() {
            Some("no database")
        } else if !precision_known {
            Some("an unknown precision")
        } else if text.is_none() {
            Some("a broken or oversized gzip body")
        } else {
            None
        };
        Expected {
            refusal,
            lines: text.map_or(0, |text| lines(&text).count() as u64),
            reaches_task: database == DATABASE && retention_policy == RETENTION_POLICY,
        }
    }
}

/// The first value of `name` in a query string, decoded (`+` is a space).
fn first_parameter(query: &str, name: &str) -> Option<String> {
    let decode = |s: &str| {
        percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .find(|(n, _)| decode(n) == name)
        .map(|(_, value)| decode(value))
}

/// The decompressed body, or none when it is not gzip or inflates past the size limit.
fn gunzip(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    MultiGzDecoder::new(body)
        .take(MAX_BODY_BYTES as u64 + 1)
        .read_to_end(&mut out)
        .ok()?;
    (out.len() <= MAX_BODY_BYTES).then_some(out)
}

/// The JSON of an error answer, checked for Kapacitor's shape and a bounded size.
fn error_answer(answer: &[u8]) -> Value {
    assert!(answer.len() <= MAX_ERROR_BYTES, "an error answer of {} bytes", answer.len());
    let error: Value = serde_json::from_slice(answer)
        .unwrap_or_else(|e| panic!("an error answer that is not JSON ({e}): {answer:?}"));
    assert!(error["error"].is_string(), "no error message: {error}");
    error
}

/// The number of bad lines a partial write reports, checked against its list and the body.
fn bad_lines(error: &Value, dropped: &Value, lines: u64) -> u64 {
    let dropped = dropped.as_u64().unwrap_or_else(|| panic!("dropped is {dropped}"));
    assert!(
        (1..=lines).contains(&dropped),
        "{dropped} bad lines of {lines}"
    );
    let listed = error["bad_lines"]
        .as_array()
        .unwrap_or_else(|| panic!("no bad_lines list: {error}"));
    assert_eq!(listed.len() as u64, dropped.min(LISTED_BAD_LINES as u64));
    let numbers: Vec<u64> = listed.iter().filter_map(|bad| bad["line"].as_u64()).collect();
    assert_eq!(numbers.len(), listed.len(), "a bad line without a number: {error}");
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "bad lines out of order: {numbers:?}");
    dropped
}

/// A server with the counting task, and the runtime that drives it, made once per process.
struct Harness {
    runtime: tokio::runtime::Runtime,
    server: Server,
    /// The nonce of the last sentinel sent.
    nonce: Mutex<i64>,
}

static HARNESS: LazyLock<Harness> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap_or_else(|e| panic!("a tokio runtime: {e}"));
    let config = Config {
        max_body_bytes: MAX_BODY_BYTES,
        ..Config::default()
    };
    let server = {
        let _entered = runtime.enter();
        Server::new(&[counter()], Arc::new(RecordingOutbox::new()), config)
    };
    Harness {
        runtime,
        server,
        nonce: Mutex::new(0),
    }
});

impl Harness {
    fn send(&self, request: Request<Full<Bytes>>) -> (StatusCode, Bytes) {
        self.runtime.block_on(async {
            let response = self.server.write(request).await;
            let status = response.status();
            let body = response.into_body().collect().await.map(|b| b.to_bytes());
            (status, body.unwrap_or_default())
        })
    }

    /// How many points the task got from the last write: what it counted before the sentinel
    /// that this sends (points of one task arrive in the order they were written).
    fn delivered(&self) -> u64 {
        let mut nonce = lock(&self.nonce);
        *nonce += 1;
        let sentinel = format!("{SENTINEL} nonce={}i", *nonce);
        let request = Request::post(format!("/write?db={DATABASE}&rp={RETENTION_POLICY}"))
            .body(Full::new(Bytes::from(sentinel)))
            .unwrap_or_else(|e| panic!("the sentinel's request: {e}"));
        let (status, answer) = self.send(request);
        assert_eq!(status, StatusCode::NO_CONTENT, "the sentinel: {answer:?}");
        let tally = lock(&TALLY);
        let (tally, timeout) = SEEN
            .wait_timeout_while(tally, PATIENCE, |tally| tally.sentinel != *nonce)
            .unwrap_or_else(|e| e.into_inner());
        assert!(!timeout.timed_out(), "the task did not see the sentinel in {PATIENCE:?}");
        assert_eq!(tally.strays, 0, "points of another database reached the task");
        tally.before_sentinel
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// What the counting task has seen.
#[derive(Default)]
struct Tally {
    /// Points since the last sentinel.
    points: u64,
    /// Points between the last two sentinels.
    before_sentinel: u64,
    /// The nonce of the last sentinel.
    sentinel: i64,
    /// Points of another database or retention policy (a panic on the task's thread would
    /// only stop the task, so the harness asserts on this instead).
    strays: u64,
}

static TALLY: Mutex<Tally> = Mutex::new(Tally {
    points: 0,
    before_sentinel: 0,
    sentinel: 0,
    strays: 0,
});
static SEEN: Condvar = Condvar::new();

fn counter() -> TaskDescriptor {
    TaskDescriptor {
        id: "count",
        kind: TaskKind::Stream,
        dbrps: &[Dbrp {
            database: DATABASE,
            retention_policy: RETENTION_POLICY,
        }],
        script: "stream\n    |from()\n",
        nodes: &["stream0", "from1"],
        edges: &[(0, 1)],
        queries: Vec::new,
        new: Counter::boxed,
        enabled: true,
        routes: Routes::Dbrps,
    }
}

/// A task that counts the points it gets and checks that they are its database's.
struct Counter;

impl Counter {
    fn boxed(_: &TaskContext) -> Box<dyn Task> {
        Box::new(Counter)
    }
}

impl Task for Counter {
    fn push_point(&mut self, point: Point) {
        let mut tally = lock(&TALLY);
        if (&*point.database, &*point.retention_policy) != (DATABASE, RETENTION_POLICY) {
            tally.strays += 1;
        }
        let nonce = match point.fields.get("nonce") {
            Some(FieldValue::Int(n)) if &*point.name == SENTINEL => Some(*n),
            _ => None,
        };
        match nonce {
            Some(n) if n == tally.sentinel + 1 => {
                tally.before_sentinel = std::mem::take(&mut tally.points);
                tally.sentinel = n;
                SEEN.notify_all();
            }
            _ => tally.points += 1,
        }
    }

    fn push_batch(&mut self, _: usize, _: Batch) {}

    fn flush(&mut self) {}

    fn stats(&self) -> Vec<NodeStats> {
        Vec::new()
    }
}
