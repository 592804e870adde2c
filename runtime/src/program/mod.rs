//! The command line of a generated task program: what `main` of a crate written by tickc runs.

mod batch;
mod live_influxdb;
mod schedule;
mod replay;
mod serve;
mod test;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::config::ProgramConfig;
use crate::influxdb::{InfluxDbClient, InfluxDbConfig};
use crate::point::Time;
use crate::task::TaskDescriptor;
use crate::time::parse_rfc3339;

#[derive(Debug, Parser)]
#[command(about = "A TICKscript task program built by tickc")]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the tasks over a recording, or their queries against InfluxDB, as fast as possible,
    /// keeping the data times; exit once everything is processed and every handler has
    /// delivered.
    Replay {
        /// A stream recording (.srpl, plain or gzip: three lines per point, database, retention
        /// policy, line protocol with nanosecond timestamps), or a batch recording (.brpl).
        #[arg(long, required_unless_present = "influxdb")]
        recording: Option<PathBuf>,
        /// Run the batch tasks' queries against this InfluxDB (`http://host:port`) as if they
        /// had been scheduled over [--start, --stop); with a stream recording, the InfluxDB
        /// `influxDBOut` writes to.
        #[arg(long)]
        influxdb: Option<String>,
        /// The start of the scheduled range (RFC 3339), with --influxdb.
        #[arg(long, requires_all = ["influxdb", "stop"], conflicts_with = "recording", value_parser = parse_rfc3339)]
        start: Option<Time>,
        /// The end of the scheduled range (RFC 3339), with --influxdb.
        #[arg(long, requires_all = ["influxdb", "start"], conflicts_with = "recording", value_parser = parse_rfc3339)]
        stop: Option<Time>,
        /// Only this task (by id); every task of the program when absent.
        #[arg(long)]
        task: Option<String>,
        /// Deliver points at the pace of their timestamps instead of as fast as possible
        /// (stream recordings).
        #[arg(long)]
        real_clock: bool,
    },
    /// List the tasks this program holds.
    List,
    /// Serve the tasks on the live stream: `/write` and a Kapacitor-compatible API.
    Serve(serve::ServeArgs),
    /// Run one task over scripted inputs on a virtual clock and report what happened, as JSON
    /// lines (what `tickc test` runs).
    Test(test::TestArgs),
}

/// Exit codes of a task program.
pub mod exit {
    pub const OK: u8 = 0;
    /// The run could not complete: unreadable or corrupt recording.
    pub const FAILED: u8 = 1;
    /// Bad arguments (an unknown task id), or a task that cannot run (a query node InfluxDB
    /// cannot be asked with): what `tickc replay` reports as a rejected task.
    pub const USAGE: u8 = 2;
}

/// Runs the program with the process's arguments.
pub fn program_main(tasks: &[TaskDescriptor]) -> ExitCode {
    let args = Args::parse();
    ExitCode::from(run(tasks, args.command))
}

fn run(tasks: &[TaskDescriptor], command: Command) -> u8 {
    match command {
        Command::List => {
            for t in tasks {
                let dbrps: Vec<String> =
                    t.dbrps.iter().map(|d| format!("\"{}\".\"{}\"", d.database, d.retention_policy)).collect();
                println!("{}\t{}\t{}", t.id, t.kind.as_str(), dbrps.join(","));
            }
            exit::OK
        }
        Command::Serve(args) => serve::serve(tasks, args),
        Command::Test(args) => test::run(tasks, args),
        Command::Replay { recording, influxdb, start, stop, task, real_clock } => {
            let selected: Vec<TaskDescriptor> = match &task {
                Some(id) => match tasks.iter().find(|t| t.id == id.as_str()) {
                    Some(t) => vec![*t],
                    None => {
                        let known: Vec<&str> = tasks.iter().map(|t| t.id).collect();
                        eprintln!("error: no task {id:?} in this program (it has: {})", known.join(", "));
                        return exit::USAGE;
                    }
                },
                None => tasks.to_vec(),
            };
            let config = Arc::new(influxdb.as_deref().map(ProgramConfig::with_influxdb_url).unwrap_or_default());
            match (recording, influxdb, start, stop) {
                (None, Some(url), Some(start), Some(stop)) => replay_influxdb(&selected, &url, config, start, stop),
                (Some(recording), ..) if is_batch_recording(&recording) => replay_batch_recording(&selected, &recording),
                (Some(recording), ..) => replay_stream_recording(&selected, &recording, config, real_clock),
                _ => {
                    eprintln!("error: --influxdb without --recording needs --start and --stop");
                    exit::USAGE
                }
            }
        }
    }
}

/// Kapacitor names its batch recordings `.brpl`.
fn is_batch_recording(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("brpl"))
}

fn replay_stream_recording(tasks: &[TaskDescriptor], recording: &Path, config: Arc<ProgramConfig>, real_clock: bool) -> u8 {
    let options = replay::Options { real_clock, progress: std::io::stderr().is_terminal(), config };
    match replay::replay_file(tasks, recording, &options) {
        Ok(summary) => {
            if summary.bad_points > 0 {
                eprintln!("warning: skipped {} bad point(s) in {}", summary.bad_points, recording.display());
            }
            exit::OK
        }
        Err(e) => {
            eprintln!("error: {}: {e}", recording.display());
            exit::FAILED
        }
    }
}

fn replay_batch_recording(tasks: &[TaskDescriptor], recording: &Path) -> u8 {
    match batch::replay_recording(tasks, recording) {
        Ok(summary) => {
            if summary.bad_batches > 0 {
                eprintln!("warning: skipped {} bad batch(es) in {}", summary.bad_batches, recording.display());
            }
            exit::OK
        }
        Err(e) => batch_failure(&e),
    }
}

fn replay_influxdb(tasks: &[TaskDescriptor], url: &str, config: Arc<ProgramConfig>, start: Time, stop: Time) -> u8 {
    if start > stop {
        eprintln!("error: --start must not be after --stop");
        return exit::USAGE;
    }
    let client = match InfluxDbClient::new(&InfluxDbConfig::new(url)) {
        Ok(client) => client,
        Err(e) => {
            eprintln!("error: --influxdb: {e}");
            return exit::USAGE;
        }
    };
    match batch::replay_influxdb(tasks, &client, config, start, stop, crate::time::wall_clock_now()) {
        Ok(_) => exit::OK,
        Err(e) => batch_failure(&e),
    }
}

fn batch_failure(error: &batch::BatchReplayError) -> u8 {
    eprintln!("error: {error}");
    match error {
        batch::BatchReplayError::Rejected { .. } => exit::USAGE,
        _ => exit::FAILED,
    }
}
