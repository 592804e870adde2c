//! `POST /write` and `POST /kapacitor/v1/write`: InfluxDB 1.x line protocol in (`db`, `rp`,
//! `precision`, gzip bodies), points out to the executing tasks that can use them (by the
//! write's database and retention policy and the point's measurement and tags: see
//! [`crate::route`]), each task's in body order. A point no task can use is counted, and
//! decoded only when a recording takes it.
//!
//! Where this differs from Kapacitor 1.5.7, it does as InfluxDB documents or better:
//! - a bad line does not sink the body: the good lines are processed and the answer is 400 with
//!   InfluxDB's partial-write JSON error, listing each bad line (number, reason, its start) up
//!   to a bound, so the error stays small whatever the body (Kapacitor drops every point and
//!   echoes every bad line whole);
//! - bodies have a size limit, 413 past it, checked again after gzip decompression (Kapacitor
//!   reads any size, at about 24 times its size in memory);
//! - an unknown `precision` is a 400 (Kapacitor silently reads it as nanoseconds);
//! - a missing `rp` means the database's default retention policy, `autogen` unless configured,
//!   so the points reach the tasks of `"db"."autogen"` (Kapacitor gives them an empty rp that no
//!   task reads);
//! - `db` is checked before the body is read, as InfluxDB does.
//!
//! A 204 means every point is queued to every task that can use it; a full queue makes the
//! write wait rather than buffer without bound.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::read::MultiGzDecoder;
use http_body_util::{BodyExt, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_ENCODING, CONTENT_LENGTH};
use hyper::{Request, Response, StatusCode};
use serde::Serialize;

use super::live::{Chunk, Target, Targets, deliver};
use super::recording::Recording;
use super::recordings::record;
use super::query::Query;
use super::response::{Body, empty, error, json};
use super::server::State;
use crate::time::wall_clock_now;
use crate::lineproto::{BadLine, LineView, parse_body};
use crate::point::{FieldValue, Point, Time};
use crate::route::Scratch;
use crate::time::Precision;

/// How many bad lines an error answer lists; the rest are counted.
const LISTED_BAD_LINES: usize = 50;
/// A chunk handed to a task (or to the recordings) holds at most this many points...
const CHUNK_POINTS: usize = 1_000;
/// ...and about this many bytes of names, tags and fields, so a task's queue has a memory
/// bound whatever the points look like.
const CHUNK_BYTES: usize = 1 << 20;

/// Ingest counts for `/metrics`.
#[derive(Debug, Default)]
pub(crate) struct IngestCounters {
    pub(crate) requests: AtomicU64,
    pub(crate) points: AtomicU64,
    pub(crate) bad_lines: AtomicU64,
}

pub(crate) async fn handle(
    request: Request<Incoming>,
    query: &Query,
    state: &State,
) -> Response<Body> {
    state.ingest.requests.fetch_add(1, Ordering::Relaxed);
    let Some(database) = query.first("db").filter(|db| !db.is_empty()) else {
        return error(StatusCode::BAD_REQUEST, "database is required");
    };
    let retention_policy = match query.first("rp") {
        Some(rp) if !rp.is_empty() => rp,
        _ => &state.config.default_retention_policy,
    };
    let precision = match query.first("precision") {
        None | Some("") => Precision::Nanosecond,
        Some(p) => match p.parse::<Precision>() {
            Ok(precision) => precision,
            Err(unknown) => return error(StatusCode::BAD_REQUEST, &unknown.to_string()),
        },
    };
    let max = state.config.max_body_bytes;
    let declared_length = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > max as u64) {
        return too_large(max);
    }
    let gzip = request
        .headers()
        .get(CONTENT_ENCODING)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"gzip"));
    let body = match Limited::new(request.into_body(), max).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => return too_large(max),
        Err(e) => return error(StatusCode::BAD_REQUEST, &format!("reading the body: {e}")),
    };
    let write = Write {
        database: database.to_owned(),
        retention_policy: retention_policy.to_owned(),
        precision,
        now: wall_clock_now(),
    };
    let targets = state.tasks.targets(database, retention_policy);
    let recordings = state.recordings.recording(database, retention_policy);
    // Decompressing, parsing and waiting on full task queues block: keep them off the async
    // workers so other connections keep being served.
    let ingested = tokio::task::spawn_blocking(move || {
        let text = if gzip {
            let inflated = gunzip(&body, max)?;
            // Hold one copy of the body, not two, while its lines are read.
            drop(body);
            inflated
        } else {
            body
        };
        Ok(write.ingest(&text, &targets, &recordings))
    })
    .await;
    let outcome = match ingested {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(Refusal::TooLarge)) => return too_large(max),
        Ok(Err(Refusal::Gzip(e))) => return error(StatusCode::BAD_REQUEST, &format!("gzip: {e}")),
        Err(e) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("the write failed: {e}"),
            );
        }
    };
    state
        .ingest
        .points
        .fetch_add(outcome.points, Ordering::Relaxed);
    state
        .ingest
        .bad_lines
        .fetch_add(outcome.bad_lines.total, Ordering::Relaxed);
    outcome.into_response()
}

fn too_large(max: usize) -> Response<Body> {
    error(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("request body too large: the limit is {max} bytes"),
    )
}

/// Why a body was refused before any line was read.
enum Refusal {
    TooLarge,
    Gzip(std::io::Error),
}

/// Decompresses a gzip body (several members read as one, as Go does), refusing more than
/// `max` bytes of output.
fn gunzip(body: &[u8], max: usize) -> Result<Bytes, Refusal> {
    let mut out = Vec::new();
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    MultiGzDecoder::new(body)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(Refusal::Gzip)?;
    if out.len() > max {
        return Err(Refusal::TooLarge);
    }
    Ok(Bytes::from(out))
}

/// One write request's parameters.
struct Write {
    database: String,
    retention_policy: String,
    precision: Precision,
    /// The time of lines without a timestamp: one per request, as InfluxDB does.
    now: Time,
}

impl Write {
    /// Sends the good lines of `text` to the `targets` that can use them and to `recordings`,
    /// in order, and collects the bad ones.
    fn ingest(&self, text: &[u8], targets: &Targets, recordings: &[Arc<Recording>]) -> Outcome {
        let mut fanout = Fanout::new(targets, recordings);
        let mut outcome = Outcome::default();
        for line in parse_body(text, self.precision) {
            match line {
                Ok(line) => {
                    outcome.points += 1;
                    if !targets.is_empty() || !recordings.is_empty() {
                        fanout.push(&line.view, self);
                    }
                }
                Err(bad) => outcome.bad_lines.add(bad),
            }
        }
        fanout.send_all();
        outcome.stopped_tasks = fanout.stopped;
        outcome
    }
}

/// Gathers each task's points, and every point for the recordings, into chunks, and hands over
/// each chunk when it is full.
struct Fanout<'t> {
    targets: &'t Targets,
    recordings: &'t [Arc<Recording>],
    scratch: Scratch,
    /// By task index.
    pending: Vec<Pending>,
    recorded: Pending,
    /// Tasks that stopped while this write was being delivered.
    stopped: Vec<&'static str>,
}

/// A chunk being filled.
#[derive(Default)]
struct Pending {
    chunk: Chunk,
    bytes: usize,
}

impl Pending {
    /// Adds a point of about `size` bytes; true when the chunk is full.
    fn push(&mut self, point: Point, size: usize) -> bool {
        self.bytes += size;
        self.chunk.push(point);
        self.chunk.len() >= CHUNK_POINTS || self.bytes >= CHUNK_BYTES
    }

    fn take(&mut self) -> Chunk {
        self.bytes = 0;
        std::mem::take(&mut self.chunk)
    }
}

impl<'t> Fanout<'t> {
    fn new(targets: &'t Targets, recordings: &'t [Arc<Recording>]) -> Self {
        Fanout {
            targets,
            recordings,
            scratch: Scratch::default(),
            pending: std::iter::repeat_with(Pending::default)
                .take(targets.task_count())
                .collect(),
            recorded: Pending::default(),
            stopped: Vec::new(),
        }
    }

    /// Decodes the line into a point when a task or a recording takes it: each task that can
    /// use it gets a copy (the last taker the point itself).
    fn push(&mut self, line: &LineView<'_>, write: &Write) {
        let Fanout {
            targets,
            recordings,
            scratch,
            pending,
            recorded,
            stopped,
        } = self;
        let mut tasks = targets
            .tasks_for(scratch, &write.database, &write.retention_policy, line)
            .peekable();
        if tasks.peek().is_none() && recordings.is_empty() {
            return;
        }
        let point = line.to_point(&write.database, &write.retention_policy, write.now);
        let size = approximate_size(&point);
        let mut point = Some(point);
        while let Some(task) = tasks.next() {
            let last = tasks.peek().is_none() && recordings.is_empty();
            let (Some(waiting), Some(target)) = (pending.get_mut(task), targets.get(task)) else {
                continue;
            };
            let Some(copy) = (if last { point.take() } else { point.clone() }) else {
                break;
            };
            if waiting.push(copy, size) {
                hand_over(target, waiting.take(), stopped);
            }
        }
        if let Some(point) = point
            && !recordings.is_empty()
            && recorded.push(point, size)
        {
            record(recordings, &recorded.take());
        }
    }

    /// Hands over every chunk not handed over yet.
    fn send_all(&mut self) {
        for (task, waiting) in self.pending.iter_mut().enumerate() {
            if let Some(target) = self.targets.get(task)
                && !waiting.chunk.is_empty()
            {
                hand_over(target, waiting.take(), &mut self.stopped);
            }
        }
        if !self.recorded.chunk.is_empty() {
            record(self.recordings, &self.recorded.take());
        }
    }
}

/// Hands `chunk` to `target`, noting the task in `stopped` when it no longer runs.
fn hand_over(target: &Target, chunk: Chunk, stopped: &mut Vec<&'static str>) {
    if deliver(target, chunk).is_err() && !stopped.contains(&target.task_id) {
        stopped.push(target.task_id);
    }
}

/// The bytes a point holds on the heap, roughly: enough to bound queues by memory.
fn approximate_size(point: &Point) -> usize {
    let tags: usize = point.tags.iter().map(|(k, v)| k.len() + v.len()).sum();
    let fields: usize = point
        .fields
        .iter()
        .map(|(k, v)| {
            k.len()
                + if let FieldValue::String(s) = v {
                    s.len()
                } else {
                    8
                }
        })
        .sum();
    std::mem::size_of::<Point>() + point.name.len() + tags + fields
}

/// What a write did.
#[derive(Default)]
struct Outcome {
    /// Good lines.
    points: u64,
    bad_lines: BadLines,
    stopped_tasks: Vec<&'static str>,
}

/// The bad lines of a body: the first few kept for the answer, all counted.
#[derive(Default)]
struct BadLines {
    listed: Vec<BadLine>,
    total: u64,
}

impl BadLines {
    fn add(&mut self, line: BadLine) {
        self.total += 1;
        if self.listed.len() < LISTED_BAD_LINES {
            self.listed.push(line);
        }
    }
}

/// InfluxDB's error answer (`error`), with each bad line also given apart.
#[derive(Serialize)]
struct WriteError {
    error: String,
    /// Bad lines not written.
    dropped: u64,
    bad_lines: Vec<BadLineJson>,
}

#[derive(Serialize)]
struct BadLineJson {
    line: usize,
    reason: String,
    text: String,
}

impl Outcome {
    fn into_response(self) -> Response<Body> {
        if !self.stopped_tasks.is_empty() {
            let message = format!(
                "task(s) {} stopped and did not take every point of this write",
                self.stopped_tasks.join(", ")
            );
            return error(StatusCode::INTERNAL_SERVER_ERROR, &message);
        }
        if self.bad_lines.total == 0 {
            return empty(StatusCode::NO_CONTENT);
        }
        json(StatusCode::BAD_REQUEST, &self.write_error())
    }

    /// `unable to parse '<line>': <reason>` per bad line, as InfluxDB words it, and when some
    /// lines were good, its `partial write: ... dropped=N` around them.
    fn write_error(&self) -> WriteError {
        let BadLines { listed, total } = &self.bad_lines;
        let mut message: Vec<String> = listed
            .iter()
            .map(|bad| {
                format!(
                    "unable to parse '{}': {} (line {})",
                    bad.excerpt, bad.error, bad.number
                )
            })
            .collect();
        let unlisted = *total - listed.len() as u64;
        if unlisted > 0 {
            message.push(format!("and {unlisted} more bad line(s)"));
        }
        let mut error = message.join("\n");
        if self.points > 0 {
            error = format!("partial write: {error} dropped={total}");
        }
        WriteError {
            error,
            dropped: *total,
            bad_lines: listed
                .iter()
                .map(|bad| BadLineJson {
                    line: bad.number,
                    reason: bad.error.to_string(),
                    text: bad.excerpt.clone(),
                })
                .collect(),
        }
    }
}
