//! `/kapacitor/v1/recordings`: record what reaches a task (`POST .../recordings/stream`), list,
//! show and delete recordings, in Kapacitor's JSON shapes and status codes. Recordings are
//! files in `DATA_DIR/recordings`; those found there at start are listed as finished.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::Deserialize;

use super::ids::{check_id, new_id};
use super::json_body::read_json;
use super::listing;
use super::query::Query;
use super::recording::{EXTENSION, Recording, Status};
use super::response::{Body, empty, error, json as json_response};
use super::server::State;
use crate::expr::duration::parse_duration;
use crate::point::{Point, Time};
use crate::task::TaskKind;
use crate::time::{parse_rfc3339, wall_clock_now};

/// At most this many recordings run at once (each holds a file open).
const MAX_RUNNING: usize = 16;

/// Every recording the server knows, oldest first.
pub(crate) struct Recordings {
    /// `DATA_DIR/recordings`; recordings are refused without a data directory.
    dir: Option<PathBuf>,
    all: Mutex<Vec<Arc<Recording>>>,
}

impl Recordings {
    /// The recordings kept in `data_dir`, if any.
    pub(crate) fn open(data_dir: Option<&Path>) -> Recordings {
        let dir = data_dir.map(|d| d.join("recordings"));
        let mut found: Vec<Arc<Recording>> = dir.as_deref().map(scan).unwrap_or_default();
        found.sort_by_key(|r| r.date());
        Recordings {
            dir,
            all: Mutex::new(found),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Arc<Recording>>> {
        self.all.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn get(&self, id: &str) -> Option<Arc<Recording>> {
        self.lock().iter().find(|r| r.id == id).cloned()
    }

    /// The running recordings of what is written to `database`.`retention_policy`.
    pub(crate) fn recording(&self, database: &str, retention_policy: &str) -> Vec<Arc<Recording>> {
        self.lock()
            .iter()
            .filter(|r| r.wants(database, retention_policy))
            .cloned()
            .collect()
    }

    /// Ends every running recording, leaving whole files (the server is stopping).
    pub(crate) fn finish_all(&self, now: Time) {
        for recording in self.lock().iter() {
            recording.finish(now);
        }
    }
}

/// The recordings in `dir`, as finished ones.
fn scan(dir: &Path) -> Vec<Arc<Recording>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let id = name.strip_suffix(EXTENSION)?;
            check_id(id).ok()?;
            let metadata = entry.metadata().ok()?;
            let modified = metadata.modified().ok()?;
            let date = modified
                .duration_since(std::time::UNIX_EPOCH)
                .ok()
                .and_then(|d| Time::try_from(d.as_nanos()).ok())
                .unwrap_or(0);
            Some(Arc::new(Recording::found(
                id.to_owned(),
                entry.path(),
                metadata.len(),
                date,
            )))
        })
        .collect()
}

/// `POST /kapacitor/v1/recordings/stream`: `stop` is a time (the `kapacitor` CLI sends now +
/// its `-duration`); `duration` from now is accepted too.
#[derive(Deserialize)]
struct StreamRecordingRequest {
    task: String,
    stop: Option<String>,
    duration: Option<String>,
    id: Option<String>,
}

/// Records the points that reach a stream task's databases and retention policies until the
/// stop time: 201 with the running recording.
pub(crate) async fn record_stream(request: Request<Incoming>, state: &State) -> Response<Body> {
    let wanted: StreamRecordingRequest = match read_json(request).await {
        Ok(wanted) => wanted,
        Err(refused) => return refused,
    };
    let Some(task) = state.tasks.get(&wanted.task) else {
        return error(StatusCode::NOT_FOUND, "no task exists");
    };
    let descriptor = *task.descriptor();
    if descriptor.kind != TaskKind::Stream {
        let message = format!("task {} is a batch task: only stream recordings are supported", descriptor.id);
        return error(StatusCode::BAD_REQUEST, &message);
    }
    let now = wall_clock_now();
    let stop = match stop_time(&wanted, now) {
        Ok(stop) => stop,
        Err(message) => return error(StatusCode::BAD_REQUEST, &message),
    };
    let recordings = &state.recordings;
    let Some(dir) = &recordings.dir else {
        return error(
            StatusCode::BAD_REQUEST,
            "recordings are kept in the data directory: start the program with --data-dir",
        );
    };
    let id = match wanted.id.filter(|id| !id.is_empty()) {
        Some(id) => match check_id(&id) {
            Ok(()) => id,
            Err(message) => return error(StatusCode::BAD_REQUEST, &message),
        },
        None => new_id(),
    };
    let recording = {
        let mut all = recordings.lock();
        if all.iter().any(|r| r.id == id) {
            return error(StatusCode::BAD_REQUEST, &format!("a recording {id} already exists"));
        }
        if all.iter().filter(|r| r.status() == Status::Running).count() >= MAX_RUNNING {
            let message = format!("{MAX_RUNNING} recordings are running already: wait for one to finish");
            return error(StatusCode::SERVICE_UNAVAILABLE, &message);
        }
        let path = dir.join(format!("{id}{EXTENSION}"));
        match Recording::start(id, path, descriptor.dbrps, stop, now) {
            Ok(recording) => {
                let recording = Arc::new(recording);
                all.push(recording.clone());
                recording
            }
            Err(e) => {
                let message = format!("cannot create the recording in {}: {e}", dir.display());
                return error(StatusCode::INTERNAL_SERVER_ERROR, &message);
            }
        }
    };
    tokio::spawn(finish_at_stop(recording.clone(), now));
    json_response(StatusCode::CREATED, &recording.json())
}

/// The stop time a request asks for.
fn stop_time(wanted: &StreamRecordingRequest, now: Time) -> Result<Time, String> {
    match (&wanted.stop, &wanted.duration) {
        (Some(stop), _) => parse_rfc3339(stop).map_err(|e| format!("invalid stop {stop:?}: {e}")),
        (None, Some(duration)) => match parse_duration(duration) {
            Ok(ns) if ns > 0 => Ok(now.saturating_add(ns)),
            _ => Err(format!("invalid duration {duration:?}: expected a positive duration such as 10s or 5m")),
        },
        (None, None) => Err("a recording needs a stop time (\"stop\") or a \"duration\"".into()),
    }
}

/// Ends the recording when the wall clock reaches its stop time, if no point after it did.
async fn finish_at_stop(recording: Arc<Recording>, started: Time) {
    let wait = u64::try_from(recording.stop().saturating_sub(started)).unwrap_or(0);
    tokio::time::sleep(Duration::from_nanos(wait)).await;
    // Closing the file may block on the disk.
    let _ = tokio::task::spawn_blocking(move || recording.finish(wall_clock_now())).await;
}

/// `GET /kapacitor/v1/recordings?pattern=&fields=&offset=&limit=`, in the order they started.
pub(crate) fn list(query: &Query, state: &State) -> Response<Body> {
    let recordings: Vec<Arc<Recording>> = state.recordings.lock().iter().cloned().collect();
    listing::respond(query, "recordings", recordings, |r| &r.id, |r| r.json())
}

/// `GET /kapacitor/v1/recordings/ID`: 202 while it runs, 200 once done; an unknown id is a
/// 500, as in Kapacitor.
pub(crate) fn show(id: &str, state: &State) -> Response<Body> {
    match state.recordings.get(id) {
        Some(recording) => {
            let status = match recording.status() {
                Status::Running => StatusCode::ACCEPTED,
                Status::Finished | Status::Failed => StatusCode::OK,
            };
            json_response(status, &recording.json())
        }
        None => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "error finding recording: no recording exists",
        ),
    }
}

/// `DELETE /kapacitor/v1/recordings/ID`: stops it if it runs and removes its file; 204 whether
/// or not it existed.
pub(crate) async fn delete(id: &str, state: &State) -> Response<Body> {
    let removed = {
        let mut all = state.recordings.lock();
        let position = all.iter().position(|r| r.id == id);
        position.map(|p| all.remove(p))
    };
    if let Some(recording) = removed {
        let deleted = tokio::task::spawn_blocking(move || {
            recording.finish(wall_clock_now());
            std::fs::remove_file(recording.path())
        })
        .await;
        if let Ok(Err(e)) = deleted
            && e.kind() != std::io::ErrorKind::NotFound
        {
            let message = format!("deleting the recording: {e}");
            return error(StatusCode::INTERNAL_SERVER_ERROR, &message);
        }
    }
    empty(StatusCode::NO_CONTENT)
}

/// Hands the points of one write to the recordings of their database and retention policy.
pub(crate) fn record(recordings: &[Arc<Recording>], points: &[Point]) {
    if recordings.is_empty() || points.is_empty() {
        return;
    }
    let now = wall_clock_now();
    for recording in recordings {
        recording.record(points, now);
    }
}
