//! Talking to InfluxDB 1.x: the HTTP client batch queries and subscriptions use, and the
//! decoding of its query replies into batches.

pub mod client;
mod configured;
pub mod response;
pub mod subscriptions;
pub mod writer;

#[cfg(test)]
mod conformance_tests;

pub use client::{InfluxDbClient, InfluxDbConfig, InfluxDbError};
pub use response::{Series, batch_group, read_query_response, series_to_batch};
