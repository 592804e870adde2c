//! The contract over every script of the shared corpora: the conformance cases and the
//! benchmark tasks. Scripts the parser rejects are skipped.

use std::path::{Path, PathBuf};

use super::{assert_contract, parse};

/// Where the corpora live on the development machine; `TICKC_CORPUS` (a `:`-separated list of
/// folders) replaces them.
const DEFAULT_CORPORA: &[&str] = &["/work/shared/conformance", "/work/shared/bench/tasks"];

fn corpora() -> Vec<PathBuf> {
    match std::env::var("TICKC_CORPUS") {
        Ok(list) => list.split(':').map(PathBuf::from).collect(),
        Err(_) => DEFAULT_CORPORA.iter().map(PathBuf::from).collect(),
    }
}

/// Every `.tick` file under `dir`, sorted.
fn tick_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            tick_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "tick") {
            found.push(path);
        }
    }
}

#[test]
fn every_corpus_script_keeps_the_contract() {
    let dirs: Vec<PathBuf> = corpora().into_iter().filter(|d| d.is_dir()).collect();
    if dirs.is_empty() {
        eprintln!("no corpus folder found; set TICKC_CORPUS to run this test");
        return;
    }
    let mut files = Vec::new();
    for dir in &dirs {
        tick_files(dir, &mut files);
    }
    let mut checked = 0;
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        if !parse(&source).1.is_empty() {
            continue;
        }
        let outcome = std::panic::catch_unwind(|| assert_contract(&source));
        assert!(outcome.is_ok(), "contract broken for {}", file.display());
        checked += 1;
    }
    eprintln!("formatted {checked} of {} corpus scripts", files.len());
    assert!(checked > 0, "no corpus script parsed in {dirs:?}");
}
