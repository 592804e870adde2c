//! The conformance runner: every case of ../shared/conformance through tickc, compared with the
//! outputs the reference Kapacitor produced (rules in that folder's README).
//!
//! Stream and batch cases are compiled together into one program (one cargo build for all of
//! them), then each is replayed on its own with the HTTP and TCP sinks recording what it
//! delivers: a stream case over its recording, a batch case with its queries against the
//! InfluxDB at `INFLUXDB_URL` (`tests/run.sh` starts one), after its `input.lp` is loaded into a
//! fresh database. Without `INFLUXDB_URL` the batch cases are skipped. Cases that
//! the reference rejects must be rejected by the checker. A case that does not pass yet may be
//! listed, with a reason, in `allowlist.txt`; that list only shrinks.
//!
//! `cargo test -p tickc-tests --test conformance [-- NAME...]` runs all cases, or those whose name
//! contains one of the NAMEs. `TICKC_CONFORMANCE_DIR` points at another case folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use tickc::build::cache::{Cache, CACHE_DIR_ENV};
use tickc_tests::{compare, sinks};
use tickc::build::profile::Profile;
use tickc::build::program::{build_program, CompiledTask};
use tickc::check::{check_source, CheckOptions};
use tickc::diagnostic::render::to_text;
use tick_runtime::influxdb::{InfluxDbClient, InfluxDbConfig};
use tick_runtime::time::Precision;

/// Where the scripts write and post, as the reference ran them.
const SCRATCH_LITERAL: &str = "/tmp/conformance/";
const HTTP_SINK: &str = "127.0.0.1:19111";
const TCP_SINK: &str = "127.0.0.1:19112";
const REPLAY_TIMEOUT: Duration = Duration::from_secs(120);
/// How long deliveries may take to reach the sinks after a replay has ended.
const SINK_PATIENCE: Duration = Duration::from_secs(2);
const INFLUXDB_URL_ENV: &str = "INFLUXDB_URL";

/// What `case.toml` says of a batch case: the database its data goes into and the range its
/// queries are scheduled over.
#[derive(Debug)]
struct BatchCase {
    database: String,
    start: String,
    stop: String,
}

#[derive(Debug)]
struct Case {
    name: String,
    dir: PathBuf,
    batch: Option<BatchCase>,
    rejected_by_reference: bool,
}

fn batch_case(case_toml: &str) -> Result<Option<BatchCase>, String> {
    let table: toml::Table = case_toml.parse().map_err(|e| format!("case.toml: {e}"))?;
    if table.get("type").and_then(|t| t.as_str()) != Some("batch") {
        return Ok(None);
    }
    let field = |name: &str| {
        table.get(name).and_then(|v| v.as_str()).map(str::to_owned).ok_or_else(|| format!("case.toml of a batch case has no {name}"))
    };
    Ok(Some(BatchCase { database: field("database")?, start: field("start")?, stop: field("stop")? }))
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

fn find_cases(dir: &Path, filters: &[String]) -> std::io::Result<Vec<Case>> {
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_string) else { continue };
        if !path.join(format!("{name}.tick")).is_file() {
            continue;
        }
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let case_toml = std::fs::read_to_string(path.join("case.toml")).unwrap_or_default();
        let batch = batch_case(&case_toml).map_err(|e| std::io::Error::other(format!("{name}: {e}")))?;
        let rejected_by_reference = path.join("expected/error.txt").is_file();
        cases.push(Case { name, dir: path, batch, rejected_by_reference });
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(cases)
}

/// `name  reason` lines; `#` starts a comment.
fn read_allowlist(path: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((name, reason)) => (name.to_string(), reason.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

/// What the first stage decided for a case: done already (rejected as expected, or failed),
/// skipped (a batch case without an InfluxDB), or a task to build and replay.
enum Compiled {
    Done(Result<(), String>),
    Skipped(&'static str),
    Task(CompiledTask),
}

fn compile(case: &Case, scratch: &Path, influxdb: Option<&str>) -> Compiled {
    let path = case.dir.join(format!("{}.tick", case.name));
    let source = match std::fs::read_to_string(&path) {
        Ok(s) => s.replace(SCRATCH_LITERAL, &format!("{}/", scratch.display())),
        Err(e) => return Compiled::Done(Err(format!("cannot read {}: {e}", path.display()))),
    };
    let checked = check_source(&source, &CheckOptions::default());
    let first_error = checked.diagnostics.iter().find(|d| d.is_error());
    if case.rejected_by_reference {
        return Compiled::Done(match first_error {
            Some(_) => Ok(()),
            None => Err("accepted a task the reference rejects".into()),
        });
    }
    if let Some(d) = first_error {
        return Compiled::Done(Err(format!("rejected a task the reference accepts:\n{}", to_text(d, &path.display().to_string(), &source))));
    }
    if case.batch.is_some() && influxdb.is_none() {
        return Compiled::Skipped("a batch case needs an InfluxDB: set INFLUXDB_URL");
    }
    let Some(task) = checked.task else { return Compiled::Done(Err("the checker returned no task".into())) };
    match tickc::codegen::generate_file(&task, &case.name, &source) {
        Ok(code) => Compiled::Task(CompiledTask { id: case.name.clone(), source_name: format!("{}.tick", case.name), code }),
        Err(diagnostics) => Compiled::Done(Err(diagnostics.iter().map(|d| d.message.clone()).collect::<Vec<_>>().join("; "))),
    }
}

/// Waits for the child, killing it after `timeout`.
fn wait_with_timeout(mut child: std::process::Child, timeout: Duration) -> Result<std::process::Output, String> {
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => return child.wait_with_output().map_err(|e| e.to_string()),
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                return Err(format!("timed out after {}s", timeout.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// Loads a batch case's `input.lp` into a fresh database, as the reference was run.
fn load_batch_input(client: &InfluxDbClient, case: &Case, batch: &BatchCase) -> Result<(), String> {
    let database = batch.database.replace('\\', "\\\\").replace('"', "\\\"");
    client
        .execute(&format!("DROP DATABASE \"{database}\"; CREATE DATABASE \"{database}\""))
        .map_err(|e| format!("cannot create database {}: {e}", batch.database))?;
    let input = case.dir.join("input.lp");
    if input.is_file() {
        let body = std::fs::read(&input).map_err(|e| format!("cannot read {}: {e}", input.display()))?;
        client
            .write(&batch.database, None, Precision::Nanosecond, &body)
            .map_err(|e| format!("cannot load {}: {e}", input.display()))?;
    }
    Ok(())
}

/// The program's arguments for a case: its recording, or its queries against InfluxDB.
fn replay_args(case: &Case, influxdb: Option<(&str, &InfluxDbClient)>) -> Result<Vec<std::ffi::OsString>, String> {
    let mut args: Vec<std::ffi::OsString> = vec!["replay".into(), "--task".into(), case.name.clone().into()];
    match (&case.batch, influxdb) {
        (Some(batch), Some((url, client))) => {
            load_batch_input(client, case, batch)?;
            for (flag, value) in [("--influxdb", url), ("--start", &batch.start), ("--stop", &batch.stop)] {
                args.extend([flag.into(), value.into()]);
            }
        }
        (Some(_), None) => return Err("a batch case needs an InfluxDB".into()),
        (None, _) => args.extend(["--recording".into(), case.dir.join("input.srpl").into_os_string()]),
    }
    Ok(args)
}

fn run_case(
    binary: &Path,
    case: &Case,
    scratch: &Path,
    sinks: &(sinks::Recorded, sinks::Recorded),
    influxdb: Option<(&str, &InfluxDbClient)>,
) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(scratch);
    std::fs::create_dir_all(scratch).map_err(|e| e.to_string())?;
    sinks.0.take();
    sinks.1.take();
    let child = Command::new(binary)
        .args(replay_args(case, influxdb)?)
        .current_dir(scratch)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let output = wait_with_timeout(child, REPLAY_TIMEOUT)?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("replay failed ({}): {}", output.status, stderr.lines().last().unwrap_or("")));
    }
    let actual = scratch.join("actual");
    std::fs::create_dir_all(&actual).map_err(|e| e.to_string())?;
    let write_lines = |file: &str, lines: Vec<String>| {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(actual.join(file), text).map_err(|e| e.to_string())
    };
    if let Ok(log) = std::fs::read_to_string(scratch.join("alerts.log")) {
        std::fs::write(actual.join("alerts.jsonl"), log).map_err(|e| e.to_string())?;
    }
    // The replay has ended, but a delivery it made may still be on its way into a sink: wait
    // (briefly) for as many as the case expects; fewer still fail the comparison.
    let expected_lines = |file: &str| {
        std::fs::read_to_string(case.dir.join("expected").join(file))
            .map(|text| text.lines().filter(|l| !l.trim().is_empty()).count())
            .unwrap_or(0)
    };
    write_lines("posts.jsonl", sinks.0.take_when(expected_lines("posts.jsonl"), SINK_PATIENCE))?;
    write_lines("tcp.jsonl", sinks.1.take_when(expected_lines("tcp.jsonl"), SINK_PATIENCE))?;
    compare::compare(&case.dir.join("expected"), &actual)
}

/// Waits (up to ten minutes) until every address in `addrs` can be listened on: the sinks'
/// ports are fixed by the cases, so a second run on the machine waits for the first to end
/// rather than failing.
fn wait_for_free_ports(addrs: &[&str]) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
    let mut told = false;
    while !addrs.iter().all(|addr| std::net::TcpListener::bind(addr).is_ok()) && std::time::Instant::now() < deadline {
        if !told {
            eprintln!("conformance: {} in use (another run going on?); waiting for it to end", addrs.join(" or "));
            told = true;
        }
        std::thread::sleep(std::time::Duration::from_secs(2));
    }
}

fn main() -> ExitCode {
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let root = workspace_root();
    let cases_dir = std::env::var_os("TICKC_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/conformance"));
    let cases = match find_cases(&cases_dir, &filters) {
        Ok(c) => c,
        Err(e) => {
            println!("conformance: no cases at {} ({e}); nothing to run", cases_dir.display());
            return ExitCode::SUCCESS;
        }
    };
    // The tests keep their build cache inside target/, so a clean checkout starts clean.
    let cache = match std::env::var_os(CACHE_DIR_ENV) {
        Some(dir) => Cache::at(PathBuf::from(dir)),
        None => Cache::at(root.join("target/tickc-cache")),
    };
    let allowlist = read_allowlist(&root.join("tests/conformance/allowlist.txt"));
    let scratch_root = root.join("target/conformance");

    wait_for_free_ports(&[HTTP_SINK, TCP_SINK]);
    let sinks = match (sinks::start_http(HTTP_SINK), sinks::start_tcp(TCP_SINK)) {
        (Ok(h), Ok(t)) => (h, t),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("conformance: cannot listen on {HTTP_SINK} and {TCP_SINK} (another run going on?): {e}");
            return ExitCode::FAILURE;
        }
    };

    let influxdb_url = std::env::var(INFLUXDB_URL_ENV).ok().filter(|u| !u.is_empty());
    let influxdb = match influxdb_url.as_deref().map(|url| InfluxDbClient::new(&InfluxDbConfig::new(url)).map(|c| (url, c))) {
        None => None,
        Some(Ok(client)) => Some(client),
        Some(Err(e)) => {
            eprintln!("conformance: {INFLUXDB_URL_ENV}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let influxdb = influxdb.as_ref().map(|(url, client)| (*url, client));

    let mut outcomes: BTreeMap<String, Result<(), String>> = BTreeMap::new();
    let mut skipped: BTreeMap<String, &str> = BTreeMap::new();
    let mut to_run = Vec::new();
    let mut tasks = Vec::new();
    for case in &cases {
        match compile(case, &scratch_root.join(&case.name), influxdb.map(|(url, _)| url)) {
            Compiled::Done(outcome) => {
                outcomes.insert(case.name.clone(), outcome);
            }
            Compiled::Skipped(why) => {
                skipped.insert(case.name.clone(), why);
            }
            Compiled::Task(task) => {
                tasks.push(task);
                to_run.push(case);
            }
        }
    }
    if !tasks.is_empty() {
        let started = Instant::now();
        match build_program(&cache, "conformance", &tasks, Profile::Release) {
            Ok(binary) => {
                println!("conformance: built {} tasks in {:.1}s", tasks.len(), started.elapsed().as_secs_f64());
                for case in to_run {
                    let outcome = run_case(&binary, case, &scratch_root.join(&case.name), &sinks, influxdb);
                    outcomes.insert(case.name.clone(), outcome);
                }
            }
            Err(e) => {
                println!("conformance: the build of {} tasks failed:\n{e}", tasks.len());
                for case in to_run {
                    outcomes.insert(case.name.clone(), Err("the program failed to build".into()));
                }
            }
        }
    }

    let (mut passed, mut failed, mut allowed) = (0, 0, 0);
    for (name, outcome) in &outcomes {
        match (outcome, allowlist.get(name)) {
            (Ok(()), None) => passed += 1,
            (Ok(()), Some(_)) => {
                passed += 1;
                println!("note: {name} passes now; remove it from tests/conformance/allowlist.txt");
            }
            (Err(_), Some(_)) => allowed += 1,
            (Err(why), None) => {
                failed += 1;
                println!("FAIL {name}: {why}");
            }
        }
    }
    if let Some((name, why)) = skipped.iter().next() {
        println!("skipped {} case(s) ({name}, ...): {why}", skipped.len());
    }
    allowed += skipped.len();
    for name in allowlist.keys().filter(|n| filters.is_empty() && !outcomes.contains_key(*n) && !skipped.contains_key(*n)) {
        println!("note: the allowlist names {name}, which is not a case");
    }
    println!("{passed} passed, {failed} failed, {allowed} skipped");
    if failed > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
