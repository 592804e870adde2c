//! Reading recorded data back: Kapacitor's recording formats.

mod block_lines;
pub mod brpl;
pub mod read_ahead;
pub mod srpl;
