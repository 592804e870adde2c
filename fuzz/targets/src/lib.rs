//! The bodies of tickc's fuzz targets. Each takes one input and panics when an invariant of
//! the code under test breaks; the libFuzzer binaries (`fuzz/fuzz_targets/`) call them under
//! `cargo fuzz`, and `tests/corpora.rs` replays the checked-in corpora through them on stable.

mod frontend;
mod lineproto;
mod write;

pub use frontend::frontend;
pub use lineproto::lineproto;
pub use write::write;
