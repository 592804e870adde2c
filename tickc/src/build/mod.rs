//! Building task programs: the generated crate is written into a cached cargo workspace that
//! holds the runtime, so the runtime is compiled once and a new task only compiles its own
//! thin crate.

pub mod cache;
pub mod cargo;
pub mod crate_writer;
pub mod profile;
pub mod program;
mod embedded;
