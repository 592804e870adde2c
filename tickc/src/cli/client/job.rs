//! Waiting for a recording or a replay the server runs in the background, then printing its id
//! as Kapacitor's CLI does.

use std::time::Duration;

use crate::client::{ClientError, JobStatus, Link, Recording, Replay, Resource};

/// How often Kapacitor's CLI asks again.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// A recording or a replay.
pub trait Job: Resource {
    fn status(&self) -> JobStatus;
    fn error(&self) -> &str;
    /// What to say when a failed job gives no reason.
    const UNKNOWN_FAILURE: &'static str;
}

impl Job for Recording {
    fn status(&self) -> JobStatus {
        self.status
    }
    fn error(&self) -> &str {
        &self.error
    }
    const UNKNOWN_FAILURE: &'static str = "recording failed: unknown reason";
}

impl Job for Replay {
    fn status(&self) -> JobStatus {
        self.status
    }
    fn error(&self) -> &str {
        &self.error
    }
    const UNKNOWN_FAILURE: &'static str = "replay failed: unknown reason";
}

/// Asks for `job` again (with `refresh`) until it is no longer running, unless `no_wait`; then
/// prints its id, and fails with its error when it failed.
pub fn finish<J: Job>(
    mut job: J,
    no_wait: bool,
    refresh: impl Fn(&Link) -> Result<J, ClientError>,
) -> Result<(), ClientError> {
    if !no_wait {
        while job.status() == JobStatus::Running {
            std::thread::sleep(POLL_INTERVAL);
            job = refresh(job.link())?;
        }
    }
    println!("{}", job.id());
    if !no_wait && job.status() == JobStatus::Failed {
        let reason = match job.error() {
            "" => J::UNKNOWN_FAILURE,
            reason => reason,
        };
        return Err(ClientError::JobFailed(reason.to_owned()));
    }
    Ok(())
}
