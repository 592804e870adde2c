//! `tickc build`, `tickc emit`, `tickc replay` and `tickc run`: scripts to a program, built in
//! the shared cache, then written out or run.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::compile::{compile_scripts, task_id, CompileFailure};
use super::exit;
use crate::build::cache::Cache;
use crate::build::program::{build_program, emit_crate, module_name, CompiledTask};

/// Exit code of `replay` and `run` when the task is rejected (the conformance interface).
pub const REJECTED: u8 = 2;

fn compile(paths: &[PathBuf], deny_warnings: bool, rejected: u8) -> Result<Vec<CompiledTask>, u8> {
    compile_scripts(paths, deny_warnings).map_err(|f| match f {
        CompileFailure::Unreadable => exit::USAGE,
        CompileFailure::Rejected => rejected,
    })
}

fn cache() -> Result<Cache, u8> {
    Cache::from_env().map_err(|e| {
        eprintln!("error: {e}");
        exit::USAGE
    })
}

/// The program name for these scripts: the first one's id (several scripts share its program).
fn program_name(paths: &[PathBuf]) -> String {
    paths.first().map(|p| module_name(&task_id(p))).unwrap_or_else(|| "tasks".into())
}

fn build(paths: &[PathBuf], deny_warnings: bool, rejected: u8) -> Result<PathBuf, u8> {
    let tasks = compile(paths, deny_warnings, rejected)?;
    let cache = cache()?;
    build_program(&cache, &program_name(paths), &tasks).map_err(|e| {
        eprintln!("error: {e}");
        exit::FAILED
    })
}

fn code(result: Result<u8, u8>) -> u8 {
    result.unwrap_or_else(|c| c)
}

/// `tickc build`: one binary for all the scripts, copied to `output` (default: `./NAME`).
pub fn run_build(paths: &[PathBuf], output: Option<&Path>, deny_warnings: bool) -> u8 {
    code((|| {
        let binary = build(paths, deny_warnings, exit::FAILED)?;
        let target = output.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from(program_name(paths)));
        std::fs::copy(&binary, &target).map_err(|e| {
            eprintln!("error: cannot write {}: {e}", target.display());
            exit::FAILED
        })?;
        eprintln!("built {}", target.display());
        Ok(exit::OK)
    })())
}

/// `tickc emit`: the generated crate, standalone, into `dir`.
pub fn run_emit(paths: &[PathBuf], dir: &Path, deny_warnings: bool) -> u8 {
    code((|| {
        let tasks = compile(paths, deny_warnings, exit::FAILED)?;
        emit_crate(&cache()?, dir, &program_name(paths), &tasks).map_err(|e| {
            eprintln!("error: cannot write the crate to {}: {e}", dir.display());
            exit::FAILED
        })?;
        eprintln!("wrote {} (build it with `cargo build --release` there)", dir.display());
        Ok(exit::OK)
    })())
}

/// Builds the scripts and runs the program with `args`, passing its exit code through.
fn build_and_run(paths: &[PathBuf], deny_warnings: bool, args: &[std::ffi::OsString]) -> u8 {
    code((|| {
        let binary = build(paths, deny_warnings, REJECTED)?;
        let status = Command::new(&binary).args(args).status().map_err(|e| {
            eprintln!("error: cannot run {}: {e}", binary.display());
            exit::FAILED
        })?;
        Ok(status.code().and_then(|c| u8::try_from(c).ok()).unwrap_or(exit::FAILED))
    })())
}

/// What `tickc replay` runs the task over.
#[derive(Debug, Clone)]
pub enum ReplaySource {
    /// A stream (.srpl) or batch (.brpl) recording.
    Recording { path: PathBuf, real_clock: bool },
    /// The task's queries against this InfluxDB, scheduled over `[start, stop)` (RFC 3339 times,
    /// checked by the program).
    InfluxDb { url: String, start: String, stop: String },
}

/// `tickc replay`: compile (cached) and replay a recording, or the task's queries, through the
/// task.
pub fn run_replay(script: &Path, source: &ReplaySource, deny_warnings: bool) -> u8 {
    let mut args: Vec<std::ffi::OsString> = vec!["replay".into()];
    match source {
        ReplaySource::Recording { path, real_clock } => {
            args.extend(["--recording".into(), path.as_os_str().to_owned()]);
            if *real_clock {
                args.push("--real-clock".into());
            }
        }
        ReplaySource::InfluxDb { url, start, stop } => {
            for (flag, value) in [("--influxdb", url), ("--start", start), ("--stop", stop)] {
                args.extend([flag.into(), value.into()]);
            }
        }
    }
    build_and_run(&[script.to_path_buf()], deny_warnings, &args)
}

/// `tickc run`: compile (cached) and serve the tasks.
pub fn run_serve(paths: &[PathBuf], serve_args: &[String], deny_warnings: bool) -> u8 {
    let mut args: Vec<std::ffi::OsString> = vec!["serve".into()];
    args.extend(serve_args.iter().map(Into::into));
    build_and_run(paths, deny_warnings, &args)
}
