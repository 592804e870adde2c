//! A replay of a recording through a task (`/kapacitor/v1/replays`), and the request that starts one.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{JobStatus, Link};

/// A replay. List entries hold only `id`, `link` and the requested fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Replay {
    pub link: Link,
    pub id: String,
    pub task: String,
    pub recording: String,
    #[serde(rename = "recording-time")]
    pub recording_time: bool,
    pub clock: Clock,
    pub date: Option<Timestamp>,
    pub error: String,
    pub status: JobStatus,
    pub progress: f64,
}

/// The pace of a replay.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Clock {
    /// As fast as the task takes the points.
    #[default]
    Fast,
    /// At the pace of the points' timestamps.
    Real,
}

/// `POST /kapacitor/v1/replays`. Every member is sent, as Kapacitor's CLI sends them.
#[derive(Debug, Clone, Serialize)]
pub struct CreateReplay {
    /// Empty lets the server choose an id.
    pub id: String,
    pub recording: String,
    pub task: String,
    /// Keep the recorded times instead of shifting them to now.
    #[serde(rename = "recording-time")]
    pub recording_time: bool,
    pub clock: Clock,
}

impl Clock {
    pub fn as_str(self) -> &'static str {
        match self {
            Clock::Fast => "fast",
            Clock::Real => "real",
        }
    }
}

impl fmt::Display for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}
