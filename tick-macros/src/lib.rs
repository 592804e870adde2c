//! The `tick!` macro: a thin shim over the tickc library's code generator (issue: tick! embedding).
