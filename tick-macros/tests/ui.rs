//! The macro as its users meet it: scripts that compile and run, and scripts whose errors
//! are compile errors pointing at the script (expected output in the `.stderr` files; after an
//! intended change, `TRYBUILD=overwrite cargo test -p tick-macros --test ui` rewrites them).

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
