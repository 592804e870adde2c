//! `bench`: the whole-process benchmark. Builds each case's program with tickc, runs every
//! case a number of times on fresh servers, and prints one Markdown table of medians beside
//! Kapacitor 1.5.7's figures. Exits 1 if a case failed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use tickc_bench::cases::{Case, select};
use tickc_bench::data::DataFiles;
use tickc_bench::driver::{Driver, Prepared, RunResult, Settings};
use tickc_bench::table::{Measured, render};

/// The repository's root, where the default paths start.
fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

#[derive(Debug, Parser)]
#[command(about = "Benchmark tickc task programs against Kapacitor's figures (see BENCHMARKS.md)")]
struct Args {
    /// Points per run (the reference's workload is 1,000,000).
    #[arg(long, default_value_t = 1_000_000)]
    points: u64,
    /// Runs per case; the table shows medians.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Only these cases, comma-separated (none, cpu_alert, sigma, p95, cpu_alert_nodip,
    /// sigma_nodip, tasks100, replay).
    #[arg(long)]
    cases: Option<String>,
    /// The tickc that builds the programs [default: target/release/tickc].
    #[arg(long)]
    tickc: Option<PathBuf>,
    /// Build the programs with plain `tickc build` instead of `tickc build --lto` (whose
    /// programs use less CPU, but take about a minute each to build).
    #[arg(long)]
    no_lto: bool,
    /// The shared bench folder: gen.py and tasks/ [default: ../shared/bench].
    #[arg(long)]
    shared: Option<PathBuf>,
    /// Where generated data is cached [default: target/bench-data].
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Where scripts, programs, alert logs and server data go [default: target/bench-work].
    #[arg(long)]
    work_dir: Option<PathBuf>,
    /// Lines per POST body.
    #[arg(long, default_value_t = 5000)]
    lines: usize,
    /// Keep-alive connections posting at once.
    #[arg(long, default_value_t = 1)]
    connections: usize,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the chosen cases and prints the table; whether every case finished.
fn run(args: Args) -> Result<bool, String> {
    let root = repository();
    let cases = select(args.cases.as_deref())?;
    let shared = args.shared.unwrap_or_else(|| root.join("../shared/bench"));
    let absolute = |path: PathBuf| std::path::absolute(&path).map_err(|e| format!("{}: {e}", path.display()));
    let work_dir = absolute(args.work_dir.unwrap_or_else(|| root.join("target/bench-work")))?;
    std::fs::create_dir_all(&work_dir).map_err(|e| format!("cannot create {}: {e}", work_dir.display()))?;
    let data_dir = args.data_dir.unwrap_or_else(|| root.join("target/bench-data"));
    let data = DataFiles::prepare(&data_dir, &shared.join("gen.py"), args.points)?;
    let settings = Settings {
        runs: args.runs.max(1),
        tickc: absolute(args.tickc.unwrap_or_else(|| root.join("target/release/tickc")))?,
        lto: !args.no_lto,
        tasks_dir: shared.join("tasks"),
        work_dir,
        lines_per_body: args.lines,
        connections: args.connections,
    };
    let runs = settings.runs;
    let mut driver = Driver::new(settings, data)?;
    let prepared: Vec<(Case, Result<Prepared, String>)> = cases
        .into_iter()
        .map(|case| {
            eprintln!("preparing {}", case.name);
            (case, driver.prepare(&case))
        })
        .collect();
    // Rounds of one run per case rather than every run of a case in a row: the machine's speed
    // drifts over minutes, and this way the drift falls on every case alike, which keeps the
    // ratios between cases (100 tasks against one) and the medians fair.
    let mut outcomes: Vec<Result<Vec<RunResult>, String>> =
        prepared.iter().map(|(_, p)| p.as_ref().map(|_| Vec::new()).map_err(Clone::clone)).collect();
    for run in 0..runs {
        eprintln!("round {} of {runs}", run + 1);
        for ((case, prepared), outcome) in prepared.iter().zip(&mut outcomes) {
            let (Ok(prepared), Ok(results)) = (prepared, &mut *outcome) else { continue };
            match driver.run_once(case, prepared, run) {
                Ok(result) => results.push(result),
                Err(e) => {
                    eprintln!("  {} failed: {e}", case.name);
                    *outcome = Err(e);
                }
            }
        }
    }
    let measured: Vec<Measured> = prepared
        .into_iter()
        .zip(outcomes)
        .map(|((case, _), outcome)| Measured { case, outcome })
        .collect();
    let build = if args.no_lto { "tickc build" } else { "tickc build --lto" };
    println!("{} points per run, {} run(s) per case, medians; programs built with `{build}`\n", args.points, args.runs.max(1));
    print!("{}", render(&measured));
    Ok(measured.iter().all(|m| m.outcome.is_ok()))
}
