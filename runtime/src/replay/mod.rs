//! Reading recorded data back: Kapacitor's recording formats.

pub mod brpl;
pub mod srpl;
