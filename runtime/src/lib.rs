//! tick-runtime: what tickc-generated TICKscript tasks link against: the point model, ingest,
//! windows, aggregates, the lambda value semantics, templates, alerts and their handlers.

pub mod point;
pub mod node;
pub mod template;
