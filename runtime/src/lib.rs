//! tick-runtime: what tickc-generated TICKscript tasks link against: the point model, ingest,
//! windows, aggregates, the lambda value semantics, templates, alerts and their handlers.

pub mod alert;
pub mod config;
mod decimal;
pub mod delivery;
pub mod embed;
mod bytes_serde;
mod escape_runs;
pub mod exec_time;
pub mod expr;
pub mod global_deadman;
pub mod http;
pub mod influxdb;
pub mod json;
pub mod lineproto;
pub mod loopback;
pub mod node;
pub mod output;
pub mod point;
pub mod program;
pub mod replay;
pub mod route;
pub mod tap;
pub mod task;
pub mod template;
pub mod time;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
