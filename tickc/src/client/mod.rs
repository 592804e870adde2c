//! A client for Kapacitor's HTTP API, as served by a task program built by tickc and by
//! Kapacitor itself: typed replies ([`Task`], [`Recording`], [`Replay`]) and errors that carry
//! the server's own message ([`ClientError`]).

mod api;
mod error;
mod job_status;
mod recording;
mod replay;
mod task;

use serde::Deserialize;
use serde::de::DeserializeOwned;

pub use api::Client;
pub use error::ClientError;
pub use job_status::JobStatus;
pub use recording::{RecordStream, Recording};
pub use replay::{Clock, CreateReplay, Replay};
pub use task::{Dbrp, Task, TaskStatus, TaskType, Var, VarType};

/// Where a resource lives: a path on the server (`/kapacitor/v1/tasks/cpu_alert`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Link {
    pub rel: String,
    pub href: String,
}

impl Link {
    fn to(href: String) -> Link {
        Link {
            rel: "self".to_owned(),
            href,
        }
    }
}

/// What can be listed and deleted by id pattern.
pub trait Resource: DeserializeOwned {
    /// The collection's name: its path under `/kapacitor/v1` and its key in a list reply.
    const COLLECTION: &'static str;
    fn id(&self) -> &str;
    fn link(&self) -> &Link;
}

impl Resource for Task {
    const COLLECTION: &'static str = "tasks";
    fn id(&self) -> &str {
        &self.id
    }
    fn link(&self) -> &Link {
        &self.link
    }
}

impl Resource for Recording {
    const COLLECTION: &'static str = "recordings";
    fn id(&self) -> &str {
        &self.id
    }
    fn link(&self) -> &Link {
        &self.link
    }
}

impl Resource for Replay {
    const COLLECTION: &'static str = "replays";
    fn id(&self) -> &str {
        &self.id
    }
    fn link(&self) -> &Link {
        &self.link
    }
}
