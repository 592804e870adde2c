//! The task program's HTTP server: line-protocol ingest (`/write`) feeding tasks that run on
//! a few shared worker threads (their state saved in the data directory), and the part of Kapacitor's
//! HTTP API its CLI uses: tasks (list, show with a DOT graph of live counts, enable and
//! disable, httpOut results), stream recordings and replays; plus Prometheus metrics.

mod auth;
mod dot;
mod executor;
mod ids;
mod json_body;
mod listing;
mod live;
mod loopback;
mod metrics;
mod ping;
mod query;
mod recording;
mod recordings;
mod recycle;
mod replay;
mod replays;
mod response;
mod router;
mod server;
mod state_file;
mod tasks_api;
mod write;

pub use auth::Credentials;
pub use live::TaskStopped;
pub use server::{BatchSink, Config, Server};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod durable_tests;
#[cfg(test)]
mod ingest_cases_tests;
