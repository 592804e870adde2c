//! The state of a recording or a replay, which the server works on in the background.

use std::fmt;

use serde::Deserialize;

/// Where a recording or replay is. A reply without a status reads as `Failed`, as in Kapacitor's
/// own client, so a server that leaves it out ends a wait instead of prolonging it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    #[default]
    Failed,
    Running,
    Finished,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Failed => "failed",
            JobStatus::Running => "running",
            JobStatus::Finished => "finished",
        }
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}
