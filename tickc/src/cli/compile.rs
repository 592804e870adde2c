//! Compiling tasks for the commands that build programs: read each script and its vars, check
//! it, generate its code, and print every diagnostic on the way.

use std::io::Write;

use super::tasks::check_options;
use crate::build::program::CompiledTask;
use crate::check::check_source;
use crate::codegen::{generate_task_file, TaskHeader};
use crate::diagnostic::has_errors;
use crate::diagnostic::render::{render, Format};
use crate::manifest::TaskSpec;

/// Why tasks could not be compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompileFailure {
    /// A script could not be read (usage error).
    Unreadable,
    /// A script, or its vars, has errors (already printed).
    Rejected,
}

/// Checks and generates code for every task, printing diagnostics to standard error; fails
/// after all tasks were looked at, so one run reports every problem.
pub fn compile_tasks(specs: &[TaskSpec], deny_warnings: bool) -> Result<Vec<CompiledTask>, CompileFailure> {
    let mut out = std::io::stderr().lock();
    let mut tasks = Vec::new();
    let mut failure = None;
    for spec in specs {
        match compile_task(spec, deny_warnings, &mut out) {
            Ok(task) => tasks.push(task),
            Err(f) => {
                failure.get_or_insert(f);
            }
        }
    }
    match failure {
        Some(f) => Err(f),
        None => Ok(tasks),
    }
}

/// Checks and generates code for one task, writing its diagnostics to `out`.
pub fn compile_task(spec: &TaskSpec, deny_warnings: bool, out: &mut dyn Write) -> Result<CompiledTask, CompileFailure> {
    let name = spec.script.display().to_string();
    let source = std::fs::read_to_string(&spec.script).map_err(|e| {
        let _ = writeln!(out, "error: cannot read {name}: {e}");
        CompileFailure::Unreadable
    })?;
    let options = check_options(spec).map_err(|e| {
        let _ = writeln!(out, "error: task {}: {e}", spec.id);
        CompileFailure::Rejected
    })?;
    let checked = check_source(&source, &options);
    for d in &checked.diagnostics {
        let _ = write!(out, "{}", render(d, &name, &source, Format::Human));
    }
    let task = match checked.task {
        Some(task) if !has_errors(&checked.diagnostics, deny_warnings) => task,
        _ => return Err(CompileFailure::Rejected),
    };
    if let Some(kind) = spec.kind.filter(|k| *k != task.kind) {
        let _ = writeln!(
            out,
            "error: task {} is listed as a {} task, but {name} is a {} script",
            spec.id,
            kind.as_str(),
            task.kind.as_str()
        );
        return Err(CompileFailure::Rejected);
    }
    let header = TaskHeader { id: &spec.id, script: &source, enabled: spec.enabled };
    match generate_task_file(&task, &header) {
        Ok(code) => Ok(CompiledTask { id: spec.id.clone(), source_name: name, code }),
        Err(diagnostics) => {
            for d in &diagnostics {
                let _ = write!(out, "{}", render(d, &name, &source, Format::Human));
            }
            Err(CompileFailure::Rejected)
        }
    }
}
