//! The task program's HTTP server: line-protocol ingest (`/write`) feeding tasks that run on
//! threads of their own, and the part of Kapacitor's HTTP API its CLI uses to look at tasks
//! (list, show with a DOT graph of live counts, enable and disable), plus Prometheus metrics.

mod auth;
mod dot;
mod live;
mod metrics;
mod ping;
mod query;
mod response;
mod router;
mod server;
mod tasks_api;
mod write;

pub use auth::Credentials;
pub use live::TaskStopped;
pub use server::{BatchSink, Config, Server};

#[cfg(test)]
mod tests;
