//! One replay of a stream recording through a task, as Kapacitor runs it: a fresh instance of
//! the task (the live one, its state and its counts are untouched) takes the recorded points
//! in order, as fast as it can, delivering its alerts like the live task; the replay then
//! shows that instance's counts. Unless the replay keeps the recording's times, every point is
//! moved by the same amount so the first lands at the replay's start, as Kapacitor does.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use serde::Serialize;
use serde_json::{Value, json};

use super::live::Environment;
use super::recording::Status;
use super::tasks_api::{Link, stats_json};
use crate::point::Time;
use crate::replay::read_ahead::ReadAhead;
use crate::replay::srpl::{SrplError, SrplReader};
use crate::task::TaskDescriptor;
use crate::time::{Precision, format_rfc3339_nano, wall_clock_now};

pub(crate) const REPLAYS_PATH: &str = "/kapacitor/v1/replays";

/// A replay, running or done.
pub(crate) struct Replay {
    pub(crate) id: String,
    task: &'static str,
    recording: String,
    /// Keep the recorded times instead of moving them to now.
    recording_time: bool,
    state: Mutex<ReplayState>,
}

struct ReplayState {
    status: Status,
    /// When it started, then when it finished.
    date: Time,
    error: String,
    /// The replayed task's counts, once it is done.
    stats: Value,
}

/// A replay as Kapacitor's API shows it, fields in its order.
#[derive(Serialize)]
pub(crate) struct ReplayJson {
    link: Link,
    id: String,
    task: &'static str,
    recording: String,
    #[serde(rename = "recording-time")]
    recording_time: bool,
    clock: &'static str,
    date: String,
    error: String,
    status: Status,
    progress: f64,
    stats: Value,
}

impl Replay {
    pub(crate) fn new(
        id: String,
        task: &'static str,
        recording: String,
        recording_time: bool,
        now: Time,
    ) -> Replay {
        Replay {
            id,
            task,
            recording,
            recording_time,
            state: Mutex::new(ReplayState {
                status: Status::Running,
                date: now,
                error: String::new(),
                stats: json!({}),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, ReplayState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn status(&self) -> Status {
        self.lock().status
    }

    /// Replays the recording at `path` through a new instance of `task`; blocks until done.
    pub(crate) fn run(&self, task: &TaskDescriptor, environment: &Environment, path: &Path) {
        let ran = catch_unwind(AssertUnwindSafe(|| self.feed(task, environment, path)));
        let outcome = ran.unwrap_or_else(|_| Err("the task panicked".to_owned()));
        let mut state = self.lock();
        state.date = wall_clock_now();
        match outcome {
            Ok(stats) => {
                state.status = Status::Finished;
                state.stats = stats;
            }
            Err(why) => {
                state.status = Status::Failed;
                state.error = why;
            }
        }
    }

    /// Feeds every recorded point the task reads to a new instance of it; its stats at the end.
    fn feed(
        &self,
        descriptor: &TaskDescriptor,
        environment: &Environment,
        path: &Path,
    ) -> Result<Value, String> {
        let reader = SrplReader::open(path, Precision::Nanosecond)
            .and_then(ReadAhead::start)
            .map_err(|e| format!("opening the recording: {e}"))?;
        let mut task = descriptor.start(&environment.context(descriptor.id));
        let start = self.lock().date;
        let mut shift = None;
        for read in reader {
            let mut point = match read {
                Ok((point, _)) => point,
                Err(SrplError::BadPoint(_) | SrplError::MissingTimestamp { .. }) => continue,
                Err(fatal) => return Err(format!("reading the recording: {fatal}")),
            };
            if !self.recording_time {
                let shift = *shift.get_or_insert(start.saturating_sub(point.time));
                point.time = point.time.saturating_add(shift);
            }
            if descriptor.wants(&point.database, &point.retention_policy) {
                task.push_point(point);
            }
        }
        task.flush();
        Ok(stats_json(&task.stats(), 0.0))
    }

    pub(crate) fn json(&self) -> ReplayJson {
        let state = self.lock();
        ReplayJson {
            link: Link::to(REPLAYS_PATH, &self.id),
            id: self.id.clone(),
            task: self.task,
            recording: self.recording.clone(),
            recording_time: self.recording_time,
            clock: "fast",
            date: format_rfc3339_nano(state.date),
            error: state.error.clone(),
            status: state.status,
            progress: if state.status == Status::Running { 0.0 } else { 1.0 },
            stats: state.stats.clone(),
        }
    }
}
