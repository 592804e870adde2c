//! The commands of the `tickc` program; each returns the process exit code.

mod check;
mod compile;
mod files;
mod fmt;
mod program;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostic::render::Format;

#[derive(Debug, Parser)]
#[command(name = "tickc", version, about = "Compile TICKscript (Kapacitor's task language) to native programs")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Source line, line:column and a caret under the problem.
    Human,
    /// One JSON object per diagnostic per line, for editors.
    Json,
}

impl From<OutputFormat> for Format {
    fn from(f: OutputFormat) -> Format {
        match f {
            OutputFormat::Human => Format::Human,
            OutputFormat::Json => Format::Json,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check scripts and report every error and warning in them.
    Check {
        /// Scripts, or folders searched for `.tick` files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
        /// Treat warnings (run-time-only problems Kapacitor would accept) as errors.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Build one program for the scripts (each a task; its id is the file's stem).
    Build {
        #[arg(required = true)]
        scripts: Vec<PathBuf>,
        /// Where to write the program (default: ./NAME, after the first script).
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Write the generated crate for the scripts; it builds with a plain `cargo build`.
    Emit {
        #[arg(required = true)]
        scripts: Vec<PathBuf>,
        /// The folder to write the crate into.
        #[arg(short, long)]
        output: PathBuf,
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Compile a task (cached) and run it over a recording, or run its queries against InfluxDB
    /// as if it had been scheduled over [--start, --stop), as fast as possible, data times kept.
    /// Exits 0 once everything is processed and every handler has delivered, 2 when the task is
    /// rejected.
    Replay {
        script: PathBuf,
        /// A stream recording (.srpl, plain or gzip) or a batch recording (.brpl).
        #[arg(long, required_unless_present = "influxdb", conflicts_with = "influxdb")]
        recording: Option<PathBuf>,
        /// The InfluxDB a batch task queries (`http://host:port`); needs --start and --stop.
        #[arg(long, requires_all = ["start", "stop"])]
        influxdb: Option<String>,
        /// Start of the scheduled range, RFC 3339 (`2023-11-14T22:15:00Z`).
        #[arg(long, requires = "influxdb")]
        start: Option<String>,
        /// End of the scheduled range, RFC 3339.
        #[arg(long, requires = "influxdb")]
        stop: Option<String>,
        /// Deliver points at the pace of their timestamps (stream recordings).
        #[arg(long)]
        real_clock: bool,
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Compile the tasks (cached) and serve them: /write ingest and the Kapacitor-compatible API.
    Run {
        #[arg(required = true)]
        scripts: Vec<PathBuf>,
        /// The address to listen on [default: the configuration's, else 127.0.0.1:9092].
        #[arg(long)]
        bind: Option<String>,
        /// The program's configuration file (TOML in kapacitor.conf's names).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Where the tasks' state and the recordings are kept.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        #[arg(long)]
        deny_warnings: bool,
        /// Further options for the server (see the program's `serve --help`), after `--`.
        #[arg(last = true)]
        serve_args: Vec<String>,
    },
    /// Format scripts in Kapacitor's canonical style.
    Fmt {
        /// Scripts, or folders searched for `.tick` files; standard input when none.
        paths: Vec<PathBuf>,
        /// Do not write; exit 1 when a script is not formatted, listing it.
        #[arg(long, conflicts_with = "write")]
        check: bool,
        /// Rewrite the files in place instead of printing them.
        #[arg(short, long)]
        write: bool,
    },
}

/// Exit codes shared by every command.
pub mod exit {
    pub const OK: u8 = 0;
    /// The scripts have errors (or, for `fmt --check`, are not formatted).
    pub const FAILED: u8 = 1;
    /// The command could not run: unreadable file, bad arguments.
    pub const USAGE: u8 = 2;
}

pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Check { paths, format, deny_warnings } => check::run(&paths, format.into(), deny_warnings),
        Command::Fmt { paths, check, write } => fmt::run(&paths, check, write),
        Command::Build { scripts, output, deny_warnings } => program::run_build(&scripts, output.as_deref(), deny_warnings),
        Command::Emit { scripts, output, deny_warnings } => program::run_emit(&scripts, &output, deny_warnings),
        Command::Replay { script, recording, influxdb, start, stop, real_clock, deny_warnings } => {
            let source = match (recording, influxdb, start, stop) {
                (_, Some(url), Some(start), Some(stop)) => program::ReplaySource::InfluxDb { url, start, stop },
                (Some(recording), ..) => program::ReplaySource::Recording { path: recording, real_clock },
                // clap requires a recording or an InfluxDB with its range.
                _ => return exit::USAGE,
            };
            program::run_replay(&script, &source, deny_warnings)
        }
        Command::Run { scripts, bind, config, data_dir, deny_warnings, mut serve_args } => {
            let passed = [("--bind", bind.map(PathBuf::from)), ("--config", config), ("--data-dir", data_dir)];
            for (flag, value) in passed.into_iter().rev() {
                if let Some(value) = value {
                    serve_args.splice(0..0, [flag.to_string(), value.to_string_lossy().into_owned()]);
                }
            }
            program::run_serve(&scripts, &serve_args, deny_warnings)
        }
    }
}
