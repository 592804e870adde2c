//! The command line of a generated task program: what `main` of a crate written by tickc runs.

mod replay;
mod serve;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::task::TaskDescriptor;

#[derive(Debug, Parser)]
#[command(about = "A TICKscript task program built by tickc")]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the tasks over a recording as fast as possible, keeping the data times; exit once
    /// every point is processed and every handler has delivered.
    Replay {
        /// A stream recording (.srpl, plain or gzip): three lines per point (database,
        /// retention policy, line protocol with nanosecond timestamps).
        #[arg(long)]
        recording: PathBuf,
        /// Only this task (by id); every task of the program when absent.
        #[arg(long)]
        task: Option<String>,
        /// Deliver points at the pace of their timestamps instead of as fast as possible.
        #[arg(long)]
        real_clock: bool,
    },
    /// List the tasks this program holds.
    List,
    /// Serve the tasks on the live stream: `/write` and a Kapacitor-compatible API.
    Serve(serve::ServeArgs),
}

/// Exit codes of a task program.
pub mod exit {
    pub const OK: u8 = 0;
    /// The run could not complete: unreadable or corrupt recording.
    pub const FAILED: u8 = 1;
    /// Bad arguments (an unknown task id).
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
        Command::Replay { recording, task, real_clock } => {
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
            let options = replay::Options { real_clock, progress: std::io::stderr().is_terminal() };
            match replay::replay_file(&selected, &recording, &options) {
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
    }
}
