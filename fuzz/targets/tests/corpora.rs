//! Replays the checked-in corpora (the seeds, and every crash input kept as a regression)
//! through the fuzz targets' bodies. It runs on stable in the test command, where a libFuzzer
//! run cannot be assumed; longer runs are `cargo fuzz`'s (docs/fuzzing.md).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

/// Feeds every file of `fuzz/corpus/<target>` to `body`, and fails naming each input that
/// panics.
fn replay(target: &str, body: fn(&[u8])) {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus").join(target);
    let mut inputs: Vec<_> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()));
    inputs.sort();
    assert!(!inputs.is_empty(), "{} is empty", folder.display());
    let failed: Vec<String> = inputs
        .iter()
        .filter(|path| {
            let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            catch_unwind(AssertUnwindSafe(|| body(&data))).is_err()
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} inputs failed (rerun one with `cargo fuzz run {target} FILE`):\n{}",
        failed.len(),
        inputs.len(),
        failed.join("\n")
    );
}

#[test]
fn lineproto_corpus() {
    replay("lineproto", tickc_fuzz_targets::lineproto);
}

#[test]
fn write_corpus() {
    replay("write", tickc_fuzz_targets::write);
}

#[test]
fn frontend_corpus() {
    replay("frontend", tickc_fuzz_targets::frontend);
}
