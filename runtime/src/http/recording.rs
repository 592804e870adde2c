//! One stream recording: the points written to a task's databases and retention policies,
//! streamed as they arrive into a gzip `.srpl` file (three lines per point: database,
//! retention policy, line protocol with a nanosecond timestamp), which `replay` and the
//! runtime's `SrplReader` read. Nothing is held in memory beyond the compressor's window.
//!
//! A recording ends at its stop time: when a point stamped after it arrives (Kapacitor's only
//! rule; that point is not recorded) or when the wall clock reaches it, whichever comes first,
//! so a recording of a quiet stream still ends.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use flate2::Compression;
use flate2::write::GzEncoder;
use serde::Serialize;

use crate::lineproto::write_line;
use crate::point::{Point, Time};
use crate::task::Dbrp;
use crate::time::{Precision, format_rfc3339_nano};

pub(crate) const RECORDINGS_PATH: &str = "/kapacitor/v1/recordings";
/// The file name of a stream recording is its id with this extension.
pub(crate) const EXTENSION: &str = ".srpl.gz";

type Writer = GzEncoder<BufWriter<File>>;

/// Where a recording or replay stands, as Kapacitor names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    Running,
    Finished,
    Failed,
}

/// A recording, running or done.
pub(crate) struct Recording {
    pub(crate) id: String,
    path: PathBuf,
    /// The databases and retention policies recorded (none for a recording found on disk).
    dbrps: &'static [Dbrp],
    stop: Time,
    state: Mutex<RecordingState>,
}

struct RecordingState {
    /// Present while the recording runs.
    writer: Option<Writer>,
    status: Status,
    /// The size of the finished file.
    size: u64,
    /// When it started, then when it finished.
    date: Time,
    error: String,
}

/// A recording as Kapacitor's API shows it, fields in its order.
#[derive(Serialize)]
pub(crate) struct RecordingJson {
    link: super::tasks_api::Link,
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    size: u64,
    date: String,
    error: String,
    status: Status,
    progress: f64,
}

impl Recording {
    /// Starts recording what reaches `dbrps` until `stop` into a new file at `path`.
    pub(crate) fn start(
        id: String,
        path: PathBuf,
        dbrps: &'static [Dbrp],
        stop: Time,
        now: Time,
    ) -> io::Result<Recording> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = File::create_new(&path)?;
        let writer = GzEncoder::new(BufWriter::new(file), Compression::default());
        Ok(Recording {
            id,
            path,
            dbrps,
            stop,
            state: Mutex::new(RecordingState {
                writer: Some(writer),
                status: Status::Running,
                size: 0,
                date: now,
                error: String::new(),
            }),
        })
    }

    /// A finished recording found on disk.
    pub(crate) fn found(id: String, path: PathBuf, size: u64, date: Time) -> Recording {
        Recording {
            id,
            path,
            dbrps: &[],
            stop: date,
            state: Mutex::new(RecordingState {
                writer: None,
                status: Status::Finished,
                size,
                date,
                error: String::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, RecordingState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn stop(&self) -> Time {
        self.stop
    }

    pub(crate) fn status(&self) -> Status {
        self.lock().status
    }

    /// When it started, or when it finished once it has.
    pub(crate) fn date(&self) -> Time {
        self.lock().date
    }

    /// Whether points written to `database`.`retention_policy` are to be recorded now.
    pub(crate) fn wants(&self, database: &str, retention_policy: &str) -> bool {
        self.lock().status == Status::Running
            && self
                .dbrps
                .iter()
                .any(|d| d.database == database && d.retention_policy == retention_policy)
    }

    /// Appends `points` (all of one write, so of one database and retention policy) in order;
    /// the first stamped after the stop time finishes the recording instead.
    pub(crate) fn record(&self, points: &[Point], now: Time) {
        let mut state = self.lock();
        let mut text = String::new();
        let mut ended = false;
        for point in points {
            if point.time > self.stop {
                ended = true;
                break;
            }
            let start = text.len();
            text.push_str(&point.database);
            text.push('\n');
            text.push_str(&point.retention_policy);
            text.push('\n');
            if write_line(&mut text, point, Precision::Nanosecond).is_err() {
                // A point without a field cannot be written as line protocol, nor replayed.
                text.truncate(start);
            }
        }
        let written = match state.writer.as_mut() {
            Some(writer) => writer.write_all(text.as_bytes()),
            None => return,
        };
        if let Err(e) = written {
            state.fail(&e);
        } else if ended {
            state.finish(now);
        }
    }

    /// Ends the recording (the stop time came, or it is deleted or the server stops).
    pub(crate) fn finish(&self, now: Time) {
        self.lock().finish(now);
    }

    pub(crate) fn json(&self) -> RecordingJson {
        let state = self.lock();
        RecordingJson {
            link: super::tasks_api::Link::to(RECORDINGS_PATH, &self.id),
            id: self.id.clone(),
            kind: "stream",
            size: state.size,
            date: format_rfc3339_nano(state.date),
            error: state.error.clone(),
            status: state.status,
            progress: if state.status == Status::Running { 0.0 } else { 1.0 },
        }
    }
}

impl RecordingState {
    fn finish(&mut self, now: Time) {
        let Some(writer) = self.writer.take() else {
            return;
        };
        let closed = writer
            .finish()
            .and_then(|buffered| buffered.into_inner().map_err(io::IntoInnerError::into_error))
            .and_then(|file| {
                file.sync_all()?;
                file.metadata()
            });
        match closed {
            Ok(metadata) => {
                self.status = Status::Finished;
                self.size = metadata.len();
                self.date = now;
            }
            Err(e) => self.fail(&e),
        }
    }

    fn fail(&mut self, error: &io::Error) {
        self.writer = None;
        self.status = Status::Failed;
        self.error = format!("writing the recording: {error}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lineproto::parse_line;
    use crate::point::FieldValue;
    use crate::replay::srpl::SrplReader;

    const TELEGRAF: &[Dbrp] = &[Dbrp { database: "telegraf", retention_policy: "autogen" }];

    /// A point of `telegraf.autogen`; without a field value it has no field.
    fn point(time: Time, value: Option<f64>) -> Point {
        let line = match value {
            Some(v) => format!("cpu,host=a v={v} {time}"),
            None => format!("cpu,host=a v=0 {time}"),
        };
        let mut point = parse_line(line.as_bytes(), Precision::Nanosecond)
            .unwrap()
            .to_point("telegraf", "autogen", 0);
        if value.is_none() {
            point.fields.clear();
        }
        point
    }

    #[test]
    fn records_until_a_point_after_the_stop_and_reads_back_as_srpl() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r1.srpl.gz");
        let recording = Recording::start("r1".into(), path.clone(), TELEGRAF, 100, 7).unwrap();
        assert!(recording.wants("telegraf", "autogen"));
        assert!(!recording.wants("telegraf", "other"));
        recording.record(&[point(10, Some(1.0)), point(20, None), point(30, Some(2.5))], 8);
        assert_eq!(recording.status(), Status::Running);
        recording.record(&[point(100, Some(3.0)), point(101, Some(4.0)), point(50, Some(5.0))], 9);
        assert_eq!(recording.status(), Status::Finished);
        assert!(!recording.wants("telegraf", "autogen"));
        let json = serde_json::to_value(recording.json()).unwrap();
        assert_eq!(json["size"], std::fs::metadata(&path).unwrap().len());
        assert_eq!((json["status"].as_str(), json["progress"].as_f64()), (Some("finished"), Some(1.0)));

        let points: Vec<Point> = SrplReader::open(&path, Precision::Nanosecond)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let recorded: Vec<(Time, Option<&FieldValue>)> =
            points.iter().map(|p| (p.time, p.fields.get("v"))).collect();
        assert_eq!(
            recorded,
            [
                (10, Some(&FieldValue::Float(1.0))),
                (30, Some(&FieldValue::Float(2.5))),
                (100, Some(&FieldValue::Float(3.0)))
            ]
        );
        assert!(points.iter().all(|p| p.database == "telegraf" && p.retention_policy == "autogen"));
    }

    #[test]
    fn an_id_in_use_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.srpl.gz");
        let _first = Recording::start("r".into(), path.clone(), TELEGRAF, 1, 0).unwrap();
        assert!(Recording::start("r".into(), path, TELEGRAF, 1, 0).is_err());
    }
}
