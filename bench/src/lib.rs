//! tickc-bench: the whole-process benchmark of tickc task programs, measured the way
//! ../shared/bench/REFERENCE.md measured Kapacitor 1.5.7: a load generator posting line protocol
//! over keep-alive connections, and a driver that serves each case's program fresh, waits until
//! the task's own counts show every point has passed every node, and reads the server's CPU time
//! and peak memory from /proc.

pub mod bodies;
pub mod cases;
pub mod completion;
pub mod data;
pub mod driver;
pub mod http;
pub mod loadgen;
pub mod procfs;
pub mod program;
pub mod summary;
pub mod table;
