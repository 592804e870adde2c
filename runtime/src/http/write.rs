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
//! - an unknown `precision` is a 400 (Kapacitor silently reads it as nanoseconds), and `us`
//!   means microseconds, as InfluxDB 2 names them;
//! - a missing `rp` means the database's default retention policy, `autogen` unless configured,
//!   so the points reach the tasks of `"db"."autogen"` (Kapacitor gives them an empty rp that no
//!   task reads);
//! - `db` is checked before the body is read, as InfluxDB does.
//!
//! A 204 means every point is queued to every task that can use it; a full queue makes the
//! write wait rather than buffer without bound.
//!
//! Memory: the body is held once (read into a buffer sized by its `Content-Length`; a gzip body
//! is inflated into a second buffer and the compressed one dropped) and parsed in place; points
//! are built and handed to the tasks a bounded chunk at a time. So a write costs about its body
//! once over plus the tasks' bounded queues; see `memory_grows_by_about_the_body` in
//! `ingest_cases_tests.rs` for the measured figure. A point's fields are read into the memory
//! of a point the tasks are done with (a bounded pool, [`super::recycle::SpareFields`]), so
//! steady ingest allocates nothing per point for them.

use std::cell::RefCell;
use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::read::MultiGzDecoder;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Bytes;
use hyper::header::{CONTENT_ENCODING, CONTENT_LENGTH};
use hyper::{Request, Response, StatusCode};
use serde::Serialize;

use super::live::{CHUNKS, Chunk, SPARE_FIELDS, Target, Targets, deliver};
use super::query::Query;
use super::recording::Recording;
use super::recordings::record;
use super::recycle::{FieldsSource, Pool};
use super::response::{Body, empty, error, json};
use super::server::State;
use crate::lineproto::{BadLine, Line, LineError, SeriesCache, lines};
use crate::point::{Point, Str, Time, intern_str};
use crate::route::{RouteMemo, Scratch, TaskIndex};
use crate::time::Precision;
use crate::time::wall_clock_now;

/// How many bad lines an error answer lists; the rest are counted.
const LISTED_BAD_LINES: usize = 50;
/// A chunk handed to a task (or to the recordings) holds at most this many points...
pub(super) const CHUNK_POINTS: usize = 1_000;
/// ...and about this many bytes of lines, so a task's queue has a memory bound whatever the
/// points look like.
const CHUNK_BYTES: usize = 1 << 20;
/// Points a write reads into new memory before it asks the pool of spare fields again, when
/// the pool was empty: the tasks give a chunk's worth back at a time, so asking for every point
/// would take the pool's lock for nothing, and asking once a chunk would miss what comes back
/// meanwhile.
const SPARE_FIELDS_PATIENCE: usize = 64;
/// The room a new chunk starts with.
const FIRST_CHUNK_POINTS: usize = 64;

/// Request bodies, kept for the next writes (see [`super::recycle`]): one per write in flight
/// for a few concurrent writers, of the size Telegraf and InfluxDB subscriptions send.
static BODIES: Pool<Vec<u8>> = Pool::new(4, 4 << 20);

/// Ingest counts for `/metrics`.
#[derive(Debug, Default)]
pub(crate) struct IngestCounters {
    pub(crate) requests: AtomicU64,
    pub(crate) points: AtomicU64,
    pub(crate) bad_lines: AtomicU64,
}

/// Answers a write. Generic over the body so that in-process callers ([`Server::write`]) take
/// the same path as HTTP requests.
///
/// [`Server::write`]: super::Server::write
pub(crate) async fn handle<B>(request: Request<B>, query: &Query, state: &State) -> Response<Body>
where
    B: hyper::body::Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    state.ingest.requests.fetch_add(1, Ordering::Relaxed);
    let Some(database) = query.first("db").filter(|db| !db.is_empty()) else {
        return error(StatusCode::BAD_REQUEST, "database is required");
    };
    let retention_policy = match query.first("rp") {
        Some(rp) if !rp.is_empty() => rp,
        _ => &state.config.default_retention_policy,
    };
    let precision = match precision(query.first("precision")) {
        Ok(precision) => precision,
        Err(message) => return error(StatusCode::BAD_REQUEST, &message),
    };
    let max = state.config.max_body_bytes;
    let declared_length = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared_length.is_some_and(|length| length > max) {
        return too_large(max);
    }
    let gzip = request
        .headers()
        .get(CONTENT_ENCODING)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"gzip"));
    let body = match read_body(request.into_body(), max, declared_length).await {
        Ok(body) => body,
        Err(e) if e.is::<LengthLimitError>() => return too_large(max),
        Err(e) => return error(StatusCode::BAD_REQUEST, &format!("reading the body: {e}")),
    };
    let write = Write {
        database: intern_str(database),
        retention_policy: intern_str(retention_policy),
        precision,
        now: wall_clock_now(),
    };
    let targets = state.tasks.targets(database, retention_policy);
    let recordings = state.recordings.recording(database, retention_policy);
    // Decompressing, parsing and waiting on full task queues block: keep them off the async
    // workers so other connections keep being served.
    let ingested = tokio::task::spawn_blocking(move || {
        let text = if gzip {
            let inflated = gunzip(body.as_slice(), max);
            // Hold one copy of the body, not two, while its lines are read.
            BODIES.give(body);
            inflated?
        } else {
            body
        };
        let outcome = write.ingest(&text, &targets, &recordings);
        BODIES.give(text);
        Ok(outcome)
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

/// The `precision` parameter: InfluxDB 1.x's values (none or empty is nanoseconds), and `us`,
/// InfluxDB 2's name for microseconds, which some clients send.
pub(super) fn precision(parameter: Option<&str>) -> Result<Precision, String> {
    match parameter {
        None | Some("") => Ok(Precision::Nanosecond),
        Some("us") => Ok(Precision::Microsecond),
        Some(other) => other
            .parse()
            .map_err(|_| format!("invalid precision {other:?} (use n, ns, u, us, ms, s, m or h)")),
    }
}

/// Reads the whole body into one buffer, sized up front when the length is declared, so the
/// bytes are never held twice (collecting the frames and then joining them would).
async fn read_body<B>(
    body: B,
    max: usize,
    declared_length: Option<usize>,
) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>>
where
    B: hyper::body::Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut body = std::pin::pin!(Limited::new(body, max));
    let mut out = BODIES.take();
    out.reserve(declared_length.unwrap_or(0).min(max));
    while let Some(frame) = body.frame().await {
        if let Some(data) = frame?.data_ref() {
            out.extend_from_slice(data);
        }
    }
    Ok(out)
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
/// `max` bytes of output: inflating stops one byte past the limit, so a small body that
/// would inflate to gigabytes (a gzip bomb) costs no more than `max`.
fn gunzip(body: impl Read, max: usize) -> Result<Vec<u8>, Refusal> {
    let mut out = BODIES.take();
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    MultiGzDecoder::new(body)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(Refusal::Gzip)?;
    if out.len() > max {
        return Err(Refusal::TooLarge);
    }
    Ok(out)
}

thread_local! {
    /// The series this thread's writes saw lately: each checked and decoded once, shared by
    /// their points, with the tasks they go to.
    static SERIES: RefCell<SeriesCache<RouteMemo>> = RefCell::new(SeriesCache::default());
}

/// One write request's parameters.
struct Write {
    database: Str,
    retention_policy: Str,
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
        SERIES.with_borrow_mut(|series| {
            for line in lines(text) {
                match fanout.push(&line, self, series) {
                    Ok(()) => outcome.points += 1,
                    Err(error) => outcome.bad_lines.add(BadLine::new(line.number, line.text, error)),
                }
            }
        });
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
    /// The executing tasks that take the current point.
    takers: Vec<TaskIndex>,
    /// Memory for the points' fields, left by points the tasks are done with.
    spare: FieldsSource<'static>,
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
    #[inline]
    fn push(&mut self, point: Point, size: usize) -> bool {
        if self.chunk.capacity() == 0 {
            // A recycled chunk has room for a full one already. A new one starts small and
            // grows: when a write's points are shared out among many tasks, each gets a few.
            self.chunk = CHUNKS.take();
            self.chunk.reserve(FIRST_CHUNK_POINTS);
        }
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
            takers: Vec::new(),
            spare: FieldsSource::new(&SPARE_FIELDS, SPARE_FIELDS_PATIENCE),
            stopped: Vec::new(),
        }
    }

    /// Checks a line and, when a task or a recording takes it, decodes it into a point: each
    /// task that can use it gets a copy (the last taker the point itself).
    fn push(&mut self, line: &Line<'_>, write: &Write, series: &mut SeriesCache<RouteMemo>) -> Result<(), LineError> {
        let Fanout {
            targets,
            recordings,
            scratch,
            pending,
            recorded,
            takers,
            spare,
            stopped,
        } = self;
        let mut read = series.read(line.text, write.precision)?;
        takers.clear();
        if !targets.is_empty() {
            takers.extend(targets.tasks_for(scratch, &write.database, &write.retention_policy, &read));
        }
        if takers.is_empty() && recordings.is_empty() {
            return read.check();
        }
        let point = read.point(spare.fields(), &write.database, &write.retention_policy, write.now)?;
        let size = std::mem::size_of::<Point>() + line.text.len();
        // Every taker but the last gets a copy; the last takes the point itself (the recordings
        // are last when there are any). Not wrapped in an `Option`: a point is moved as little
        // as possible on this path.
        let (copied, last) = match takers.split_last() {
            Some((&last, others)) if recordings.is_empty() => (others, Some(last)),
            _ => (&takers[..], None),
        };
        for &task in copied {
            offer(pending, targets, stopped, task, point.clone(), size);
        }
        match last {
            Some(task) => offer(pending, targets, stopped, task, point, size),
            None => {
                if recorded.push(point, size) {
                    record(recordings, &recorded.take());
                }
            }
        }
        Ok(())
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

/// Adds `point` to `task`'s chunk, handing the chunk over when it is full.
fn offer(pending: &mut [Pending], targets: &Targets, stopped: &mut Vec<&'static str>, task: TaskIndex, point: Point, size: usize) {
    if let (Some(waiting), Some(target)) = (pending.get_mut(task), targets.get(task))
        && waiting.push(point, size)
    {
        hand_over(target, waiting.take(), stopped);
    }
}

/// Hands `chunk` to `target`, noting the task in `stopped` when it no longer runs.
fn hand_over(target: &Target, chunk: Chunk, stopped: &mut Vec<&'static str>) {
    if deliver(target, chunk).is_err() && !stopped.contains(&target.task_id) {
        stopped.push(target.task_id);
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::ingest_cases_tests::gzip_bomb;

    /// A reader that counts the bytes taken from it.
    struct Counting<'a> {
        inner: &'a [u8],
        taken: &'a AtomicU64,
    }

    impl Read for Counting<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.taken.fetch_add(n as u64, Ordering::Relaxed);
            Ok(n)
        }
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_limit_without_inflating_the_rest() {
        let bomb = gzip_bomb(10_000);
        let taken = AtomicU64::new(0);
        let reader = Counting {
            inner: &bomb,
            taken: &taken,
        };
        assert!(matches!(gunzip(reader, 4 << 20), Err(Refusal::TooLarge)));
        // 10,000 MiB in, refused after reading the members of about 4 MiB of output (and
        // the decoder's read-ahead buffer).
        let read = taken.load(Ordering::Relaxed);
        assert!(
            read < bomb.len() as u64 / 100,
            "read {read} of {} bytes",
            bomb.len()
        );

        let fits = gunzip(gzip_bomb(3).as_slice(), 4 << 20).map(|out| out.len());
        assert!(matches!(fits, Ok(n) if n == 3 << 20));
    }

    #[test]
    fn precision_is_influxdbs_and_us() {
        assert_eq!(precision(None), Ok(Precision::Nanosecond));
        assert_eq!(precision(Some("")), Ok(Precision::Nanosecond));
        assert_eq!(precision(Some("ns")), Ok(Precision::Nanosecond));
        assert_eq!(precision(Some("u")), Ok(Precision::Microsecond));
        assert_eq!(precision(Some("us")), Ok(Precision::Microsecond));
        assert_eq!(precision(Some("h")), Ok(Precision::Hour));
        assert_eq!(
            precision(Some("S")),
            Err(r#"invalid precision "S" (use n, ns, u, us, ms, s, m or h)"#.to_owned())
        );
    }
}
