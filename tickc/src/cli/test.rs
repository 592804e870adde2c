//! `tickc test`: find the test files, compile every script they test into one program (cached),
//! run each test in it on a virtual clock, and report like `cargo test`. Exits 0 when every
//! test passes, 1 when one fails, 2 when a script or test file is wrong (or nothing can run).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::compile::compile_tasks;
use crate::manifest::TaskSpec;
use super::exit;
use crate::build::cache::Cache;
use crate::build::profile::Profile;
use crate::build::program::{build_program, CompiledTask};
use crate::diagnostic::render::{render, Format};
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::testing::discover::{script_path, suite_name, test_files};
use crate::testing::events::{expand, to_json_lines, Placed};
use crate::testing::expect::{check, unknown_nodes, watched_nodes, Context};
use crate::testing::file::{parse_test_file, TestCase, TestFile};
use crate::testing::outcome::{InputError, Outcome};
use crate::testing::report::{render_failures, result_line, summary, TestResult, Verdict};
use crate::testing::run::run_test;

/// The program every tested script is built into.
const PROGRAM: &str = "tickc-test";

/// A test file read and parsed, with the script it tests.
struct Suite {
    name: String,
    path: PathBuf,
    source: String,
    file: TestFile,
    script: PathBuf,
}

/// Prints a diagnostic about a test file to standard error.
fn report(d: &Diagnostic, path: &Path, source: &str) {
    eprint!("{}", render(d, &path.display().to_string(), source, Format::Human));
}

fn read_suite(path: &Path) -> Result<Suite, ()> {
    let source = std::fs::read_to_string(path).map_err(|e| eprintln!("error: cannot read {}: {e}", path.display()))?;
    let file = parse_test_file(&source).map_err(|d| report(&d, path, &source))?;
    let script = script_path(path, file.script.as_ref().map(|s| s.get_ref().as_str()));
    Ok(Suite { name: suite_name(path), path: path.to_path_buf(), source, file, script })
}

/// Compiles each script once; a script that does not compile (its diagnostics printed) or
/// whose task id another script already has is left out.
fn compile_all(suites: &[Suite]) -> BTreeMap<PathBuf, CompiledTask> {
    let mut compiled: BTreeMap<PathBuf, CompiledTask> = BTreeMap::new();
    let mut ids: BTreeMap<String, PathBuf> = BTreeMap::new();
    for suite in suites {
        if compiled.contains_key(&suite.script) {
            continue;
        }
        let spec = TaskSpec::script(&suite.script);
        if let Some(other) = ids.get(&spec.id) {
            eprintln!(
                "error: {} and {} are both task `{}`: test them in separate runs",
                other.display(),
                suite.script.display(),
                spec.id
            );
            continue;
        }
        if let Ok(mut tasks) = compile_tasks(std::slice::from_ref(&spec), false)
            && let Some(task) = tasks.pop()
        {
            ids.insert(task.id.clone(), suite.script.clone());
            compiled.insert(suite.script.clone(), task);
        }
    }
    compiled
}

/// Where the program's complaint about input number `input` points in the test file.
fn refused_input(error: &InputError, events: &[Placed], test_span: Span) -> Diagnostic {
    let origin = events.get(error.input).map_or(test_span, |p| p.origin);
    let span = match error.offset {
        // The origin of a line of line protocol is the line itself.
        Some(offset) if origin.len() > offset => Span::new(origin.start + offset, origin.start + offset + 1),
        _ => origin,
    };
    Diagnostic::error("test-input", span, format!("the task refused this input: {}", error.message))
}

/// Runs one test; problems with the test itself are printed as diagnostics.
fn run_case(suite: &Suite, case: &TestCase, program: &Path, task: &str) -> Verdict {
    let fail = |d: &Diagnostic| {
        report(d, &suite.path, &suite.source);
        Verdict::Error
    };
    let start = suite.file.start.0;
    let events = match expand(case, start, &suite.source) {
        Ok(events) => events,
        Err(d) => return fail(&d),
    };
    let outcome: Outcome = match run_test(program, task, to_json_lines(&events), &watched_nodes(case)) {
        Ok(outcome) => outcome,
        Err(e) => {
            eprintln!("error: {}: {e}", suite.path.display());
            return Verdict::Error;
        }
    };
    if let Some(error) = &outcome.error {
        return fail(&refused_input(error, &events, case.name.span().into()));
    }
    let nodes = outcome.task.as_ref().map(|t| t.nodes.as_slice()).unwrap_or_default();
    let unknown = unknown_nodes(case, task, nodes);
    if !unknown.is_empty() {
        unknown.iter().for_each(|d| report(d, &suite.path, &suite.source));
        return Verdict::Error;
    }
    let ctx = Context { start, tolerance: suite.file.tolerance };
    let failures = check(case, &outcome, &ctx);
    if failures.is_empty() {
        Verdict::Passed
    } else {
        Verdict::Failed(render_failures(&suite.path.display().to_string(), &suite.source, &failures, &outcome, &ctx))
    }
}

/// `tickc test`: the tests under `paths` whose name contains `filter`.
pub fn run(paths: &[PathBuf], filter: Option<&str>) -> u8 {
    let files = match test_files(paths) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let mut results = Vec::new();
    let mut suites = Vec::new();
    for path in &files {
        match read_suite(path) {
            Ok(suite) => suites.push(suite),
            Err(()) => results.push(TestResult { name: suite_name(path), verdict: Verdict::Error }),
        }
    }
    let selected = |suite: &Suite, case: &TestCase| filter.is_none_or(|f| format!("{}::{}", suite.name, case.name.get_ref()).contains(f));
    let suites: Vec<Suite> =
        suites.into_iter().filter(|s| s.file.tests.iter().any(|t| selected(s, t.get_ref()))).collect();
    let compiled = compile_all(&suites);
    let program = if compiled.is_empty() {
        None
    } else {
        let tasks: Vec<CompiledTask> = compiled.values().cloned().collect();
        match Cache::from_env().map_err(|e| e.to_string()).and_then(|cache| build_program(&cache, PROGRAM, &tasks, Profile::Release).map_err(|e| e.to_string())) {
            Ok(program) => Some(program),
            Err(e) => {
                eprintln!("error: {e}");
                return exit::USAGE;
            }
        }
    };
    let count: usize = suites.iter().map(|s| s.file.tests.iter().filter(|t| selected(s, t.get_ref())).count()).sum();
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "\nrunning {count} test{}", if count == 1 { "" } else { "s" });
    for suite in &suites {
        let task = compiled.get(&suite.script).map(|t| t.id.as_str());
        for case in suite.file.tests.iter().map(|t| t.get_ref()).filter(|t| selected(suite, t)) {
            let verdict = match (&program, task) {
                (Some(program), Some(task)) => run_case(suite, case, program, task),
                _ => Verdict::Error,
            };
            let result = TestResult { name: format!("{}::{}", suite.name, case.name.get_ref()), verdict };
            let _ = writeln!(stdout, "{}", result_line(&result));
            results.push(result);
        }
    }
    let _ = write!(stdout, "{}", summary(&results));
    if results.iter().any(|r| r.verdict == Verdict::Error) {
        exit::USAGE
    } else if results.iter().any(|r| matches!(r.verdict, Verdict::Failed(_))) {
        exit::FAILED
    } else {
        exit::OK
    }
}
