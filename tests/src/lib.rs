//! Support for the workspace-level tests in `tests/`: the conformance comparison rules and the
//! sinks that record what tasks deliver.

pub mod compare;
pub mod sinks;
