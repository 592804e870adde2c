//! A task embedded with `tick!` and the same script built into a task program the way
//! `tickc build` and the conformance runner build it give the same alerts for the same input:
//! the getting-started `cpu_alert` over `examples/data/cpu.srpl`, compared line for line as the
//! log handler writes them.
//!
//! The program is built in release mode in the build cache the conformance runner uses
//! (`target/tickc-cache`, or `TICKC_CACHE_DIR`): seconds when the runtime is already compiled
//! there, minutes when the cache is cold.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use tick_macros::tick;
use tick_runtime::delivery::{Delivery, RecordingOutbox};
use tick_runtime::embed::{EmbedConfig, Handlers};
use tick_runtime::replay::srpl::SrplReader;
use tick_runtime::time::Precision;
use tickc::build::cache::{CACHE_DIR_ENV, Cache};
use tickc::build::profile::Profile;
use tickc::build::program::{CompiledTask, build_program};
use tickc::check::{CheckOptions, check_source};
use tickc::codegen::generate_file;

tick!(mod cpu_alert, path = "../examples/cpu_alert.tick");

/// Where the script logs its alerts, as Kapacitor's guide has it.
const SCRIPT_LOG: &str = "/tmp/alerts.log";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn recording() -> PathBuf {
    workspace_root().join("examples/data/cpu.srpl")
}

/// The lines the embedded task's log handler writes, recorded instead of written.
fn embedded_alerts() -> Vec<String> {
    let outbox = Arc::new(RecordingOutbox::new());
    let mut task = cpu_alert::Task::new(EmbedConfig::new().handlers(Handlers::Outbox(outbox.clone())));
    let points = SrplReader::open(&recording(), Precision::Nanosecond).expect("the recording opens");
    for point in points {
        task.push_point(point.expect("the recording is well formed"));
    }
    task.flush();
    outbox
        .take()
        .into_iter()
        .map(|delivery| match delivery {
            Delivery::Append { path, line, .. } => {
                assert_eq!(path, Path::new(SCRIPT_LOG));
                String::from_utf8(line).expect("alert lines are UTF-8")
            }
            other => panic!("the script only logs: {other:?}"),
        })
        .collect()
}

/// The lines the task program built from the same script writes, replaying the same recording.
/// Only the log's path differs, so that the program writes into a scratch folder.
fn built_alerts() -> Vec<String> {
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let log = scratch.path().join("alerts.log");
    let script = cpu_alert::DESCRIPTOR.script.replace(SCRIPT_LOG, &log.to_string_lossy());
    assert_ne!(script, cpu_alert::DESCRIPTOR.script, "the script logs to {SCRIPT_LOG}");
    let checked = check_source(&script, &CheckOptions::default());
    let task = checked.task.unwrap_or_else(|| panic!("the script checks: {:?}", checked.diagnostics));
    let code = generate_file(&task, "cpu_alert", &script).unwrap_or_else(|d| panic!("the script generates: {d:?}"));
    let cache = match std::env::var_os(CACHE_DIR_ENV) {
        Some(dir) => Cache::at(PathBuf::from(dir)),
        None => Cache::at(workspace_root().join("target/tickc-cache")),
    };
    let compiled = CompiledTask { id: "cpu_alert".into(), source_name: "cpu_alert.tick".into(), code };
    let binary = build_program(&cache, "tick-embed-equivalence", &[compiled], Profile::Release).unwrap_or_else(|e| panic!("{e}"));
    let run = Command::new(&binary)
        .args(["replay", "--task", "cpu_alert", "--recording"])
        .arg(recording())
        .output()
        .expect("the program runs");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let written = std::fs::read_to_string(&log).expect("the program logs alerts");
    written.split_inclusive('\n').map(str::to_owned).collect()
}

#[test]
fn embedded_and_built_tasks_raise_the_same_alerts() {
    let embedded = embedded_alerts();
    assert!(embedded.len() > 1, "the recording raises alerts: {embedded:?}");
    let built = built_alerts();
    assert_eq!(embedded.len(), built.len());
    for (number, (embedded, built)) in embedded.iter().zip(&built).enumerate() {
        assert_eq!(embedded, built, "alert {number}");
    }
}
