//! Scripts whose errors are compile errors pointing at the script, as the macro's users meet
//! them (expected output in the `.stderr` files; after an intended change,
//! `TRYBUILD=overwrite cargo test -p tick-macros --test ui` rewrites them).
//!
//! Only failing cases live here: trybuild then only checks its project (`cargo check`, no
//! linking), a few hundred megabytes less of build in the test run. Scripts that compile and run
//! are ordinary tests beside this one (`embedded_window_alert.rs`, `equivalence.rs`).

#[test]
fn ui() {
    trybuild::TestCases::new().compile_fail("tests/ui/fail/*.rs");
}
