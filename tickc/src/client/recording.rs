//! A recording of a task's input (`/kapacitor/v1/recordings`), and the request that starts one.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{JobStatus, Link, TaskType};

/// A recording. List entries hold only `id`, `link` and the requested fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Recording {
    pub link: Link,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: TaskType,
    /// Bytes of the stored recording.
    pub size: i64,
    pub date: Option<Timestamp>,
    pub error: String,
    pub status: JobStatus,
    pub progress: f64,
}

/// `POST /kapacitor/v1/recordings/stream`: record what a task's databases receive until `stop`.
#[derive(Debug, Clone, Serialize)]
pub struct RecordStream {
    /// Empty lets the server choose an id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub task: String,
    pub stop: Timestamp,
}
