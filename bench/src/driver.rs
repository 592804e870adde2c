//! Running the cases: each run serves a fresh program (or replays a recording), posts the
//! workload, waits until the tasks' counts show every point has passed every node, and reads
//! the program's CPU time and peak memory before stopping it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::StatusCode;
use hyper::body::Bytes;

use crate::bodies::split_bodies;
use crate::cases::{Case, TaskSet, Workload};
use crate::completion::{Expect, TaskCounts, is_complete, parse_tasks};
use crate::data::{DATABASE, DataFiles, RETENTION_POLICY};
use crate::http::Connection;
use crate::loadgen::{Target, post_all};
use crate::procfs::{self, CpuTicks};
use crate::program::{self, Served};

/// How the cases run.
#[derive(Debug, Clone)]
pub struct Settings {
    pub runs: usize,
    pub tickc: PathBuf,
    /// Build the programs with `tickc build --lto` (the driver's default; `--no-lto` turns it
    /// off to measure the plain release build).
    pub lto: bool,
    /// The shared bench's task scripts (../shared/bench/tasks).
    pub tasks_dir: PathBuf,
    /// Scripts, programs, alert logs and the programs' data folders go here.
    pub work_dir: PathBuf,
    pub lines_per_body: usize,
    pub connections: usize,
}

/// What one run measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunResult {
    pub points: u64,
    /// From the first post (or the replay's start) until every point had passed every node.
    pub wall: Duration,
    /// The server's CPU time for the whole run, startup included.
    pub cpu_seconds: f64,
    /// Of which spent starting, until it answered its first ping (0 for a replay).
    pub startup_cpu_seconds: f64,
    pub peak_rss_bytes: u64,
    pub alert_lines: u64,
}

/// The shortest and longest wait between two polls of the tasks' counts.
const MIN_POLL: Duration = Duration::from_millis(10);
const MAX_POLL: Duration = Duration::from_secs(1);

/// How long a run may go without any count moving before it is given up.
const STALL: Duration = Duration::from_secs(60);

/// Builds each task set the cases need, once, and runs the cases.
pub struct Driver {
    settings: Settings,
    data: DataFiles,
    runtime: tokio::runtime::Runtime,
    tick: Duration,
    built: BTreeMap<&'static str, PathBuf>,
    bodies: BTreeMap<PathBuf, Arc<[Bytes]>>,
}

/// A case's program built and its workload read.
pub struct Prepared {
    binary: PathBuf,
    bodies: Option<Arc<[Bytes]>>,
}

impl Driver {
    pub fn new(settings: Settings, data: DataFiles) -> Result<Driver, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the async runtime: {e}"))?;
        Ok(Driver {
            settings,
            data,
            runtime,
            tick: procfs::clock_tick(),
            built: BTreeMap::new(),
            bodies: BTreeMap::new(),
        })
    }

    fn log_dir(&self, tasks: TaskSet) -> PathBuf {
        self.settings.work_dir.join("logs").join(tasks.name())
    }

    /// The program of `tasks`, built on first use.
    fn program(&mut self, tasks: TaskSet) -> Result<PathBuf, String> {
        if let Some(path) = self.built.get(tasks.name()) {
            return Ok(path.clone());
        }
        let work = &self.settings.work_dir;
        let output = work.join("programs").join(tasks.name());
        let scripts = work.join("scripts").join(tasks.name());
        let settings = &self.settings;
        tasks.build(&settings.tickc, &settings.tasks_dir, &scripts, &self.log_dir(tasks), &output, settings.lto)?;
        self.built.insert(tasks.name(), output.clone());
        Ok(output)
    }

    /// Builds `case`'s program, if no case built it before, and reads its workload.
    pub fn prepare(&mut self, case: &Case) -> Result<Prepared, String> {
        let binary = self.program(case.tasks)?;
        let bodies = match case.workload {
            Workload::Dips => Some(self.bodies(&self.data.dips.clone())?),
            Workload::NoDips => Some(self.bodies(&self.data.no_dips.clone())?),
            Workload::Replay => {
                warm(&self.data.recording)?;
                None
            }
        };
        Ok(Prepared { binary, bodies })
    }

    /// One run of `case`, prepared by [`Driver::prepare`] (`run` counts from 0), logged as it
    /// ends.
    pub fn run_once(&self, case: &Case, prepared: &Prepared, run: usize) -> Result<RunResult, String> {
        let log_dir = self.log_dir(case.tasks);
        reset_dir(&log_dir)?;
        let result = match &prepared.bodies {
            Some(bodies) => self.serve_run(&prepared.binary, bodies.clone(), case.tasks.expect()),
            None => self.replay_run(&prepared.binary),
        };
        let result = result.map(|r| RunResult { alert_lines: count_lines_in(&log_dir), ..r })?;
        eprintln!(
            "  {} run {}: {} points, {:.3} s, {:.3} CPU-s ({:.3} starting), {:.1} MiB, {} alert lines",
            case.name,
            run + 1,
            result.points,
            result.wall.as_secs_f64(),
            result.cpu_seconds,
            result.startup_cpu_seconds,
            result.peak_rss_bytes as f64 / MIB,
            result.alert_lines
        );
        Ok(result)
    }

    /// The file read once and cut into request bodies, shared by the cases posting it.
    fn bodies(&mut self, path: &Path) -> Result<Arc<[Bytes]>, String> {
        if let Some(bodies) = self.bodies.get(path) {
            return Ok(bodies.clone());
        }
        let data = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let bodies: Arc<[Bytes]> = split_bodies(&Bytes::from(data), self.settings.lines_per_body).into();
        self.bodies.insert(path.to_owned(), bodies.clone());
        Ok(bodies)
    }

    fn serve_run(&self, binary: &Path, bodies: Arc<[Bytes]>, expect: Expect) -> Result<RunResult, String> {
        let data_dir = tempfile::tempdir_in(&self.settings.work_dir).map_err(|e| format!("cannot make a data folder: {e}"))?;
        let served = Served::start(binary, data_dir.path())?;
        let target = Target {
            address: served.address,
            database: DATABASE.to_owned(),
            retention_policy: RETENTION_POLICY.to_owned(),
            connections: self.settings.connections,
        };
        self.runtime.block_on(wait_for_ping(&target))?;
        let (startup, _) = served.usage()?;
        let (points, wall) = self.runtime.block_on(async {
            let started = Instant::now();
            let report = post_all(&target, bodies).await;
            if report.failed > 0 {
                return Err(format!("{} post(s) failed", report.failed));
            }
            let done = wait_until_done(&target, expect, report.points, started).await?;
            Ok((report.points, done.duration_since(started)))
        })?;
        let (cpu, peak_rss_bytes) = served.usage()?;
        let status = served.stop()?;
        if !status.success() {
            return Err(format!("the program exited with {status}"));
        }
        Ok(RunResult {
            points,
            wall,
            cpu_seconds: self.seconds(cpu),
            startup_cpu_seconds: self.seconds(startup),
            peak_rss_bytes,
            alert_lines: 0,
        })
    }

    fn replay_run(&self, binary: &Path) -> Result<RunResult, String> {
        let usage = program::replay(binary, &self.data.recording)?;
        Ok(RunResult {
            points: self.data.points,
            wall: usage.elapsed,
            cpu_seconds: self.seconds(usage.cpu),
            startup_cpu_seconds: 0.0,
            peak_rss_bytes: usage.peak_rss,
            alert_lines: 0,
        })
    }

    fn seconds(&self, cpu: CpuTicks) -> f64 {
        procfs::seconds(cpu.total(), self.tick)
    }
}

const MIB: f64 = 1024.0 * 1024.0;

/// Reads `path` once, so that replays read it from the page cache: the posting cases send
/// bodies read into memory beforehand, and a run should not pay for the disk either (a
/// recording pushed out of the cache by the cases before it took a first replay 4 s).
fn warm(path: &Path) -> Result<(), String> {
    let mut file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    std::io::copy(&mut file, &mut std::io::sink()).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(())
}

/// Waits until `/kapacitor/v1/ping` answers 204.
async fn wait_for_ping(target: &Target) -> Result<(), String> {
    for _ in 0..100 {
        if let Ok(mut connection) = Connection::open(target.address).await
            && let Ok((StatusCode::NO_CONTENT, _)) = connection.get("/kapacitor/v1/ping").await
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err("the program does not answer /kapacitor/v1/ping".into())
}

/// Polls the tasks' counts until every point has passed every node (confirmed by the next
/// poll finding the counts unchanged), checks the server took in all `sent` points, and
/// returns when the counts were first seen complete.
///
/// Each poll costs the server CPU (milliseconds for a hundred tasks), which the run is charged
/// for: polls are spaced by a fiftieth of the run so far, which keeps the wall time within 2%
/// and the number of polls small however long the run.
async fn wait_until_done(target: &Target, expect: Expect, sent: u64, started: Instant) -> Result<Instant, String> {
    let mut connection = Connection::open(target.address).await.map_err(|e| format!("cannot connect: {e}"))?;
    let mut previous: Vec<TaskCounts> = Vec::new();
    let mut last_change = Instant::now();
    let mut complete_since = None;
    let done = loop {
        let tasks = parse_tasks(&get(&mut connection, "/kapacitor/v1/tasks?fields=dot&fields=stats&limit=10000").await?)?;
        let polled = Instant::now();
        if tasks != previous {
            last_change = polled;
            complete_since = is_complete(&tasks, expect, sent).then_some(polled);
        } else if let Some(done) = complete_since {
            break done;
        } else if last_change.elapsed() > STALL {
            return Err(format!("the counts stopped short of {sent} points: {tasks:?}"));
        }
        previous = tasks;
        tokio::time::sleep((started.elapsed() / 50).clamp(MIN_POLL, MAX_POLL)).await;
    };
    let metrics = get(&mut connection, "/metrics").await?;
    let received = ingested_points(&String::from_utf8_lossy(&metrics));
    if received != Some(sent) {
        return Err(format!("the server counted {received:?} points written, not {sent}"));
    }
    Ok(done)
}

async fn get(connection: &mut Connection, path: &str) -> Result<Bytes, String> {
    match connection.get(path).await {
        Ok((StatusCode::OK, body)) => Ok(body),
        Ok((status, _)) => Err(format!("GET {path}: {status}")),
        Err(e) => Err(format!("GET {path}: {e}")),
    }
}

/// The points the server's `/write` took in, from its Prometheus text.
pub fn ingested_points(metrics: &str) -> Option<u64> {
    metrics.lines().find_map(|line| line.strip_prefix("tick_write_points_total ")?.trim().parse().ok())
}

/// Empties (or makes) `dir`.
fn reset_dir(dir: &Path) -> Result<(), String> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("cannot empty {}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

/// The lines of every file in `dir` (the alert logs of one run).
fn count_lines_in(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| std::fs::read(entry.path()).ok())
        .map(|text| crate::bodies::count_lines(&text))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ingest_count_is_read_from_the_metrics() {
        let metrics = "# TYPE tick_write_requests_total counter\ntick_write_requests_total 200\n\
                       # TYPE tick_write_points_total counter\ntick_write_points_total 1000000\n";
        assert_eq!(ingested_points(metrics), Some(1_000_000));
        assert_eq!(ingested_points("tick_write_requests_total 3\n"), None);
    }
}
