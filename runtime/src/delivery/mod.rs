//! Delivery of what tasks send out of the process (alert handler posts, httpPost bodies, TCP
//! lines, log-file lines). Nodes hand each delivery to an [`Outbox`] and go on: how and when it
//! is delivered (ordered per target, bounded queues, timeouts, retries) is the outbox's job, so a
//! slow endpoint never stalls the pipeline.
//!
//! Deliveries are data (serde), so what a task sent and is not yet delivered can be saved with
//! the task's state and sent again after a restart ([`Outbox::pending`]).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// An HTTP POST to make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpPost {
    pub url: String,
    pub headers: Vec<(String, String)>,
    #[serde(with = "crate::bytes_serde")]
    pub body: Vec<u8>,
    pub timeout: Option<Duration>,
}

/// An SMTP server and how to talk to it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SmtpServer {
    pub host: String,
    pub port: u16,
    /// Empty for no authentication.
    pub username: String,
    pub password: String,
    /// Accept any certificate when the connection upgrades to TLS.
    pub no_verify: bool,
    /// How long an idle connection is kept open for the next mail.
    pub idle_timeout: Duration,
}

/// An HTML mail to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mail {
    pub server: SmtpServer,
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    /// HTML text.
    pub body: String,
}

/// One thing to deliver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delivery {
    Post(HttpPost),
    /// A line (with its newline) sent over a new TCP connection to `address`.
    Tcp { address: String, line: Vec<u8> },
    /// A line (with its newline) appended to a file, created with `mode` if missing.
    Append { path: PathBuf, mode: u32, line: Vec<u8> },
    /// A program to run with `stdin` as its standard input.
    Exec { program: String, args: Vec<String>, stdin: Vec<u8> },
    /// A mail to send over SMTP.
    Email(Mail),
}

/// Where nodes send deliveries. Deliveries to one target arrive in the order they were sent.
pub trait Outbox: Send + Sync {
    fn send(&self, delivery: Delivery);

    /// Sends `delivery` for a node: should it fail for good or be dropped, it counts in
    /// `failures` (the node's) as well as in [`Outbox::failures`].
    fn send_counted(&self, delivery: Delivery, failures: &FailureCount) {
        let _ = failures;
        self.send(delivery);
    }

    /// Sends `delivery` on behalf of task `origin`, so that [`Outbox::pending`] finds it, and
    /// counts its failure in `failures` when a node's count is given.
    fn send_for(&self, origin: &Arc<str>, delivery: Delivery, failures: Option<&FailureCount>) {
        let _ = (origin, failures);
        self.send(delivery);
    }

    /// Blocks until everything sent so far has been delivered or has failed for good.
    fn flush(&self);

    /// How many deliveries have failed for good or were dropped, so far.
    fn failures(&self) -> u64 {
        0
    }

    /// What task `origin` sent that is neither delivered nor failed for good yet (the one
    /// being attempted included), in order per target: what the task's saved state must keep
    /// so that a restart does not lose it.
    fn pending(&self, origin: &str) -> Vec<Delivery> {
        let _ = origin;
        Vec::new()
    }

    /// Winds delivery down before the program exits: what is queued goes on being delivered
    /// for as long as one attempt may take (the handler timeout), without retries, then
    /// delivery stops. What is left (not reached in time, or failed meanwhile) stays listed by
    /// [`Outbox::pending`], to be saved, and [`Outbox::flush`] no longer waits for it.
    fn stop(&self) {
        self.flush();
    }
}

pub use failure_count::FailureCount;
pub use task_outbox::TaskOutbox;

/// An outbox that keeps every delivery in memory: for tests, and for `tick!` users who want to
/// look at what a task sends.
#[derive(Debug, Default)]
pub struct RecordingOutbox {
    sent: Mutex<Vec<Delivery>>,
}

impl RecordingOutbox {
    pub fn new() -> Self {
        Self::default()
    }

    /// Everything sent so far, in order, leaving the outbox empty.
    pub fn take(&self) -> Vec<Delivery> {
        std::mem::take(&mut *self.sent.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Outbox for RecordingOutbox {
    fn send(&self, delivery: Delivery) {
        self.sent.lock().unwrap_or_else(|e| e.into_inner()).push(delivery);
    }

    fn flush(&self) {}
}
mod failure_count;
mod pending;
pub mod policy;
mod send;
pub mod smtp;
mod task_outbox;
pub mod threaded;

pub use policy::DeliveryPolicy;
