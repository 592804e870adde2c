//! Support for the workspace-level tests in `tests/`: the conformance comparison rules, the
//! sinks that record what tasks deliver, and task programs served for end-to-end tests.

pub mod compare;
pub mod serving;
pub mod sinks;
