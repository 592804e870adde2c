//! End to end: generated modules built into a task program with the build path `tickc build`
//! uses (the cache workspace, the crate writer, cargo in release mode), then run over a
//! recording. Cold, this compiles the runtime in release mode, which takes minutes, so the test
//! is ignored by default: `cargo test -p tickc --lib codegen::end_to_end -- --ignored`. The
//! cache lives in the workspace's target folder and makes later runs take seconds.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::generate_file;
use crate::build::cache::Cache;
use crate::build::cargo::build_binary;
use crate::build::crate_writer::{CrateSpec, TaskModule, write_crate};
use crate::build::profile::Profile;
use crate::catalogue::{FUNCTIONS, ValueType};
use crate::check::{CheckOptions, check_source};

/// The getting-started tasks, found in `shared/bench/tasks` above the crate.
fn bench_scripts() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared/bench/tasks"))
        .find(|p| p.is_dir())
        .expect("shared/bench/tasks above the crate");
    ["cpu_alert", "cpu_alert_sigma", "cpu_p95"]
        .iter()
        .map(|name| {
            let script =
                std::fs::read_to_string(dir.join(format!("{name}.tick"))).expect("a bench task");
            (name.to_string(), script)
        })
        .collect()
}

/// A task calling every function of the catalogue (and an unknown one) on fields of matching
/// types, so every function the generator names must exist in the runtime.
fn every_function_script() -> String {
    let argument = |ty: ValueType| match ty {
        ValueType::Float => "\"f\"",
        ValueType::Int => "\"i\"",
        ValueType::String => "\"s\"",
        ValueType::Bool => "\"b\"",
        ValueType::Regex => "/x/",
        ValueType::Time => "\"time\"",
        ValueType::Duration => "1s",
        ValueType::Missing => "\"nothing\"",
    };
    let mut calls: Vec<String> = FUNCTIONS
        .iter()
        .filter_map(|f| {
            let sig = f.sigs.first()?;
            let args: Vec<&str> = sig.args.iter().map(|t| argument(*t)).collect();
            Some(format!("{}({})", f.name, args.join(", ")))
        })
        .collect();
    calls.push("noSuchFunction(\"f\")".to_owned());
    let mut script = String::from("dbrp \"db\".\"rp\"\nstream\n    |from()\n");
    for (chunk, calls) in calls.chunks(15).enumerate() {
        let lambdas: Vec<String> = calls.iter().map(|c| format!("lambda: {c}")).collect();
        let names: Vec<String> = (0..calls.len())
            .map(|i| format!("'r{chunk}_{i}'"))
            .collect();
        script.push_str(&format!(
            "    |eval({})\n        .as({})\n        .keep()\n",
            lambdas.join(", "),
            names.join(", ")
        ));
    }
    script
}

/// A task whose alert writes into `log`: the run's observable result.
fn alerting_script(log: &Path) -> String {
    format!(
        "dbrp \"telegraf\".\"autogen\"\n\
         stream\n    |from()\n        .measurement('cpu')\n        .groupBy('host')\n\
         \x20   |where(lambda: \"host\" =~ /^web/ AND \"usage_idle\" >= 0)\n\
         \x20   |eval(lambda: 100.0 - \"usage_idle\")\n        .as('used')\n        .keep()\n\
         \x20   |alert()\n        .crit(lambda: \"used\" > 90)\n        .log('{}')\n",
        log.display()
    )
}

/// The multi-input and merging nodes: a union and a join of two parents, combine, flatten.
const MERGING_SCRIPT: &str = "dbrp \"db\".\"rp\"
var a = stream
    |from()
        .measurement('a')
var b = stream
    |from()
        .measurement('b')
a
    |union(b)
        .rename('ab')
a
    |join(b)
        .as('a', 'b')
        .tolerance(1s)
        .fill(0)
    |combine(lambda: \"a.x\" > 1, lambda: TRUE)
        .as('p', 'q')
    |flatten()
        .on('host')
";

fn module(name: &str, script: &str) -> TaskModule {
    let checked = check_source(script, &CheckOptions::default());
    let task = checked
        .task
        .unwrap_or_else(|| panic!("{name} checks: {:?}", checked.diagnostics));
    let code =
        generate_file(&task, name, script).unwrap_or_else(|d| panic!("{name} generates: {d:?}"));
    TaskModule {
        module: name.to_owned(),
        code,
        source_name: format!("{name}.tick"),
    }
}

fn target_cache() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/tickc-codegen-e2e")
}

#[test]
#[ignore = "builds a task program with cargo in release mode (minutes when the cache is cold)"]
fn generated_tasks_build_and_raise_alerts() {
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let alerts = scratch.path().join("alerts.log");
    let mut tasks: Vec<TaskModule> = bench_scripts()
        .iter()
        .map(|(name, script)| module(name, script))
        .collect();
    tasks.push(module("every_function", &every_function_script()));
    tasks.push(module("web_alert", &alerting_script(&alerts)));
    tasks.push(module("merging", MERGING_SCRIPT));

    let cache = Cache::at(target_cache());
    let workspace = cache.workspace().expect("the cache workspace");
    let spec = CrateSpec {
        package: "tick-codegen-e2e".into(),
        bin: "codegen-e2e".into(),
        tasks,
    };
    write_crate(
        &workspace.join("tasks/codegen-e2e"),
        &spec,
        "../../runtime",
        false,
    )
    .expect("the crate is written");
    let binary = build_binary(
        &workspace.join("Cargo.toml"),
        &spec.package,
        &spec.bin,
        &cache.target_for(&workspace).expect("the cache's target folder"),
        Profile::Release,
    )
    .unwrap_or_else(|e| panic!("{e}"));

    let list = Command::new(&binary)
        .arg("list")
        .output()
        .expect("the program runs");
    let listed = String::from_utf8_lossy(&list.stdout);
    for task in [
        "cpu_alert",
        "cpu_alert_sigma",
        "cpu_p95",
        "every_function",
        "web_alert",
    ] {
        assert!(listed.contains(&format!("{task}\tstream")), "{listed}");
    }

    let recording = scratch.path().join("input.srpl");
    let points = [
        "cpu,host=web1 usage_idle=50 1700000000000000000",
        "cpu,host=db1 usage_idle=1 1700000001000000000",
        "cpu,host=web1 usage_idle=5 1700000002000000000",
        "cpu,host=web2 usage_idle=95 1700000003000000000",
    ];
    let srpl: String = points
        .iter()
        .map(|p| format!("telegraf\nautogen\n{p}\n"))
        .collect();
    std::fs::write(&recording, srpl).expect("the recording is written");
    let run = Command::new(&binary)
        .args(["replay", "--task", "web_alert", "--recording"])
        .arg(&recording)
        .output()
        .expect("the program runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let log = std::fs::read_to_string(&alerts).expect("the alert log is written");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 1, "{log}");
    assert!(
        lines[0].contains("\"level\":\"CRITICAL\"") && lines[0].contains("cpu:host=web1"),
        "{log}"
    );
}
