//! `tickc build`, `tickc emit`, `tickc replay` and `tickc run`: tasks (scripts, a template with
//! vars files, or manifests) to a program, built in the shared cache, then written out or run.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::compile::{compile_tasks, CompileFailure};
use super::exit;
use crate::build::cache::Cache;
use crate::build::profile::Profile;
use crate::build::program::{build_program, emit_crate, module_name, CompiledTask};
use crate::manifest::TaskSpec;

/// Exit code of `replay` and `run` when the task is rejected (the conformance interface).
pub const REJECTED: u8 = 2;

fn compile(specs: &[TaskSpec], deny_warnings: bool, rejected: u8) -> Result<Vec<CompiledTask>, u8> {
    compile_tasks(specs, deny_warnings).map_err(|f| match f {
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

/// The program name for these tasks: the first one's id (several tasks share its program).
fn program_name(specs: &[TaskSpec]) -> String {
    specs.first().map(|s| module_name(&s.id)).unwrap_or_else(|| "tasks".into())
}

fn build(specs: &[TaskSpec], deny_warnings: bool, rejected: u8, profile: Profile) -> Result<PathBuf, u8> {
    let tasks = compile(specs, deny_warnings, rejected)?;
    let cache = cache()?;
    if profile == Profile::ReleaseLto {
        eprintln!("building with --lto: about a minute, longer the first time");
    }
    build_program(&cache, &program_name(specs), &tasks, profile).map_err(|e| {
        eprintln!("error: {e}");
        exit::FAILED
    })
}

fn code(result: Result<u8, u8>) -> u8 {
    result.unwrap_or_else(|c| c)
}

/// `tickc build`: one binary for all the tasks, built in `profile`, copied to `output` (default:
/// `./NAME`).
pub fn run_build(specs: &[TaskSpec], output: Option<&Path>, profile: Profile, deny_warnings: bool) -> u8 {
    code((|| {
        let binary = build(specs, deny_warnings, exit::FAILED, profile)?;
        let target = output.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from(program_name(specs)));
        std::fs::copy(&binary, &target).map_err(|e| {
            eprintln!("error: cannot write {}: {e}", target.display());
            exit::FAILED
        })?;
        eprintln!("built {}", target.display());
        Ok(exit::OK)
    })())
}

/// `tickc emit`: the generated crate, standalone, into `dir`.
pub fn run_emit(specs: &[TaskSpec], dir: &Path, deny_warnings: bool) -> u8 {
    code((|| {
        let tasks = compile(specs, deny_warnings, exit::FAILED)?;
        emit_crate(&cache()?, dir, &program_name(specs), &tasks).map_err(|e| {
            eprintln!("error: cannot write the crate to {}: {e}", dir.display());
            exit::FAILED
        })?;
        eprintln!("wrote {} (build it with `cargo build --release` there)", dir.display());
        Ok(exit::OK)
    })())
}

/// Builds the tasks and runs the program with `args`, passing its exit code through. Always the
/// plain release profile: these commands are for trying tasks, where a build of seconds matters
/// more than the CPU `--lto` saves (`tickc build --lto` makes the program to deploy).
fn build_and_run(specs: &[TaskSpec], deny_warnings: bool, args: &[std::ffi::OsString]) -> u8 {
    code((|| {
        let binary = build(specs, deny_warnings, REJECTED, Profile::Release)?;
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
pub fn run_replay(task: &TaskSpec, source: &ReplaySource, deny_warnings: bool) -> u8 {
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
    build_and_run(std::slice::from_ref(task), deny_warnings, &args)
}

/// `tickc run`: compile (cached) and serve the tasks.
pub fn run_serve(specs: &[TaskSpec], serve_args: &[String], deny_warnings: bool) -> u8 {
    let mut args: Vec<std::ffi::OsString> = vec!["serve".into()];
    args.extend(serve_args.iter().map(Into::into));
    build_and_run(specs, deny_warnings, &args)
}
