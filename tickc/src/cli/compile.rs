//! Compiling scripts for the commands that build programs: check each script, generate its
//! code, and print every diagnostic on the way. A task's id is its file's stem.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::build::program::CompiledTask;
use crate::check::{check_source, CheckOptions};
use crate::diagnostic::has_errors;
use crate::diagnostic::render::{render, Format};

/// Why scripts could not be compiled.
#[derive(Debug)]
pub enum CompileFailure {
    /// A script could not be read (usage error).
    Unreadable,
    /// A script has errors (already printed).
    Rejected,
}

/// The task id of a script: its file name without the extension.
pub fn task_id(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "task".into())
}

/// Checks and generates code for every script, printing diagnostics to standard error; fails
/// after all scripts were looked at, so one run reports every problem.
pub fn compile_scripts(paths: &[PathBuf], deny_warnings: bool) -> Result<Vec<CompiledTask>, CompileFailure> {
    let mut out = std::io::stderr().lock();
    let mut tasks = Vec::new();
    let mut failure = None;
    for path in paths {
        let name = path.display().to_string();
        let source = match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) => {
                let _ = writeln!(out, "error: cannot read {name}: {e}");
                failure = Some(CompileFailure::Unreadable);
                continue;
            }
        };
        let checked = check_source(&source, &CheckOptions::default());
        for d in &checked.diagnostics {
            let _ = write!(out, "{}", render(d, &name, &source, Format::Human));
        }
        let task = match checked.task {
            Some(task) if !has_errors(&checked.diagnostics, deny_warnings) => task,
            _ => {
                failure.get_or_insert(CompileFailure::Rejected);
                continue;
            }
        };
        let id = task_id(path);
        match crate::codegen::generate_file(&task, &id, &source) {
            Ok(code) => tasks.push(CompiledTask { id, source_name: name, code }),
            Err(diagnostics) => {
                for d in &diagnostics {
                    let _ = write!(out, "{}", render(d, &name, &source, Format::Human));
                }
                failure.get_or_insert(CompileFailure::Rejected);
            }
        }
    }
    match failure {
        Some(f) => Err(f),
        None => Ok(tasks),
    }
}
