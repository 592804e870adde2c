//! `tickc test`: unit tests for tasks without a server. A test file (`NAME.test.toml`) gives a
//! task inputs in a compact notation and says which alerts must (not) fire and what nodes
//! emit; each test runs in the task program on a virtual clock, and the outcome is compared
//! with the expectations. The CLI side (finding, building, reporting) is `cli::test`.

pub mod discover;
pub mod duration;
pub mod events;
pub mod expect;
pub mod file;
pub mod notation;
pub mod outcome;
pub mod report;
pub mod run;
