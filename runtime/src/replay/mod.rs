//! Reading recorded data back: Kapacitor's recording formats.

pub mod srpl;
