//! `/kapacitor/v1/replays`: replay a recording through a task (`POST`), list, show and delete
//! replays, in Kapacitor's JSON shapes and status codes. Replays are kept in memory, the most
//! recent [`MAX_KEPT`] of them.

use std::sync::{Arc, Mutex, MutexGuard};

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::Deserialize;
use serde_json::Value;

use super::ids::{check_id, new_id};
use super::json_body::read_json;
use super::listing;
use super::query::Query;
use super::recording::Status;
use super::replay::Replay;
use super::response::{Body, empty, error, json as json_response};
use super::server::State;
use crate::time::wall_clock_now;

/// At most this many replays run at once, each on a thread of its own.
const MAX_RUNNING: usize = 4;
/// The replays remembered; past this the oldest finished ones are forgotten.
const MAX_KEPT: usize = 1000;

/// Every replay the server remembers, oldest first.
#[derive(Default)]
pub(crate) struct Replays {
    all: Mutex<Vec<Arc<Replay>>>,
}

impl Replays {
    fn lock(&self) -> MutexGuard<'_, Vec<Arc<Replay>>> {
        self.all.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, id: &str) -> Option<Arc<Replay>> {
        self.lock().iter().find(|r| r.id == id).cloned()
    }
}

/// What `POST /kapacitor/v1/replays` carries (the `kapacitor` CLI sends every field).
#[derive(Deserialize)]
struct ReplayRequest {
    #[serde(default)]
    id: String,
    task: String,
    recording: String,
    #[serde(default, rename = "recording-time")]
    recording_time: bool,
    clock: Option<String>,
}

/// Starts replaying a finished recording through a new instance of a task: 201 with the
/// running replay.
pub(crate) async fn create(request: Request<Incoming>, state: &Arc<State>) -> Response<Body> {
    let wanted: ReplayRequest = match read_json(request).await {
        Ok(wanted) => wanted,
        Err(refused) => return refused,
    };
    let Some(task) = state.tasks.get(&wanted.task) else {
        return error(StatusCode::NOT_FOUND, "task load: no task exists");
    };
    let descriptor = *task.descriptor();
    match wanted.clock.as_deref() {
        None | Some("" | "fast") => {}
        Some(other) => {
            let message = format!("clock {other:?} is not supported: replays run as fast as they can (\"fast\")");
            return error(StatusCode::BAD_REQUEST, &message);
        }
    }
    let Some(recording) = state.recordings.get(&wanted.recording) else {
        return error(StatusCode::NOT_FOUND, "recording load: no recording exists");
    };
    if recording.status() != Status::Finished {
        let message = format!("recording {} is not finished: only a finished recording can be replayed", recording.id);
        return error(StatusCode::BAD_REQUEST, &message);
    }
    let id = if wanted.id.is_empty() {
        new_id()
    } else if let Err(message) = check_id(&wanted.id) {
        return error(StatusCode::BAD_REQUEST, &message);
    } else {
        wanted.id
    };
    let replay = {
        let mut all = state.replays.lock();
        if all.iter().any(|r| r.id == id) {
            return error(StatusCode::BAD_REQUEST, &format!("a replay {id} already exists"));
        }
        if all.iter().filter(|r| r.status() == Status::Running).count() >= MAX_RUNNING {
            let message = format!("{MAX_RUNNING} replays are running already: wait for one to finish");
            return error(StatusCode::SERVICE_UNAVAILABLE, &message);
        }
        while all.len() >= MAX_KEPT {
            match all.iter().position(|r| r.status() != Status::Running) {
                Some(oldest) => all.remove(oldest),
                None => break,
            };
        }
        let replay = Arc::new(Replay::new(
            id,
            descriptor.id,
            recording.id.clone(),
            wanted.recording_time,
            wall_clock_now(),
        ));
        all.push(replay.clone());
        replay
    };
    let running = replay.clone();
    let environment = state.environment.clone();
    let started = std::thread::Builder::new()
        .name(format!("replay {}", replay.id))
        .spawn(move || running.run(&descriptor, &environment, recording.path()));
    if let Err(e) = started {
        state.replays.lock().retain(|r| !Arc::ptr_eq(r, &replay));
        let message = format!("cannot start the replay's thread: {e}");
        return error(StatusCode::INTERNAL_SERVER_ERROR, &message);
    }
    json_response(StatusCode::CREATED, &replay.json())
}

/// `GET /kapacitor/v1/replays?pattern=&fields=&offset=&limit=`, in the order they started.
pub(crate) fn list(query: &Query, state: &State) -> Response<Body> {
    let replays: Vec<Arc<Replay>> = state.replays.lock().iter().cloned().collect();
    listing::respond(query, "replays", replays, |r| &r.id, |r| {
        // A list entry leaves the replayed task's counts out, as Kapacitor's does.
        let mut entry = serde_json::to_value(r.json()).unwrap_or(Value::Null);
        if let Value::Object(map) = &mut entry {
            map.remove("stats");
        }
        entry
    })
}

/// `GET /kapacitor/v1/replays/ID`: 202 while it runs, 200 once done.
pub(crate) fn show(id: &str, state: &State) -> Response<Body> {
    match state.replays.get(id) {
        Some(replay) => {
            let status = match replay.status() {
                Status::Running => StatusCode::ACCEPTED,
                Status::Finished | Status::Failed => StatusCode::OK,
            };
            json_response(status, &replay.json())
        }
        None => error(StatusCode::NOT_FOUND, "could not find replay: no replay exists"),
    }
}

/// `DELETE /kapacitor/v1/replays/ID`: forgets it (a running replay runs to its end); 204
/// whether or not it existed.
pub(crate) fn delete(id: &str, state: &State) -> Response<Body> {
    state.replays.lock().retain(|r| r.id != id);
    empty(StatusCode::NO_CONTENT)
}
