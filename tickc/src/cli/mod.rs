//! The commands of the `tickc` program; each returns the process exit code.

mod check;
mod client;
mod compile;
mod fmt;
mod import;
mod program;
mod tasks;
mod test;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::build::profile::Profile;
use crate::diagnostic::render::Format;

pub use client::kapacitor_flags;

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
        /// Scripts, folders searched for `.tick` files, or manifests (`tickc.toml`).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Check the one script given as a template with these vars files (Kapacitor's format).
        #[arg(long)]
        vars: Vec<PathBuf>,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
        /// Treat warnings (run-time-only problems Kapacitor would accept) as errors.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Build one program for the scripts (each a task; its id is the file's stem), for a
    /// template and its vars files (a task per vars file, named after it), or for manifests.
    Build {
        #[arg(required = true)]
        scripts: Vec<PathBuf>,
        /// Vars files (Kapacitor's format, JSON or TOML) for the one script given, a template.
        #[arg(long)]
        vars: Vec<PathBuf>,
        /// Where to write the program (default: ./NAME, after the first script).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Optimise the whole program (cargo profile `release-lto`: fat LTO, one codegen unit),
        /// so the runtime inlines into the tasks: about 9% less CPU per point on the cpu_alert
        /// benchmark, but a build takes about a minute instead of seconds, and the first one
        /// compiles the runtime's dependencies again (minutes).
        #[arg(long)]
        lto: bool,
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Write the generated crate for the scripts; it builds with a plain `cargo build`.
    Emit {
        #[arg(required = true)]
        scripts: Vec<PathBuf>,
        /// Vars files for the one script given, a template.
        #[arg(long)]
        vars: Vec<PathBuf>,
        /// The folder to write the crate into.
        #[arg(short, long)]
        output: PathBuf,
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Replay data through a task: a script over a recording file or InfluxDB, or (--task) a
    /// recording stored on a running program.
    ///
    /// `tickc replay TASK.tick --recording FILE` compiles the task (cached) and runs it over the
    /// recording; with `--influxdb URL --start T --stop T` instead, it runs the task's queries as
    /// if it had been scheduled over [--start, --stop), as fast as possible, data times kept.
    /// Exits 0 once everything is processed and every handler has delivered, 2 when the task is
    /// rejected.
    ///
    /// `tickc replay --task ID --recording RID` (no script) replays a recording stored on a
    /// running program (or Kapacitor) through one of its tasks, as `kapacitor replay` does, and
    /// prints the replay's id.
    Replay {
        #[arg(required_unless_present = "task")]
        script: Option<PathBuf>,
        /// The task's vars (Kapacitor's format, JSON or TOML), when the script is a template.
        #[arg(long)]
        vars: Option<PathBuf>,
        /// A stream recording (.srpl, plain or gzip) or a batch recording (.brpl); with --task,
        /// the id of a recording on the server.
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
        #[command(flatten)]
        on_server: client::ReplayTaskArgs,
    },
    /// Compile the tasks (cached) and serve them: /write ingest and the Kapacitor-compatible API.
    Run {
        #[arg(required = true)]
        scripts: Vec<PathBuf>,
        /// Vars files for the one script given, a template.
        #[arg(long)]
        vars: Vec<PathBuf>,
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
    /// Run the tests of tasks (`NAME.test.toml` beside `NAME.tick`) on a virtual clock, without a
    /// server. Exits 0 when all pass, 1 when one fails, 2 when a script or test file is wrong.
    Test {
        /// Test files, or folders searched for `*.test.toml`.
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        /// Only the tests whose name (`file::test`) contains this.
        #[arg(long)]
        filter: Option<String>,
    },
    /// Copy every task and template of a running Kapacitor into files: a script per task or
    /// template, a vars file per task with vars, and a manifest that `tickc build` takes.
    /// Reports every task that does not compile.
    Import {
        /// Kapacitor's address.
        #[arg(long, default_value = "http://localhost:9092")]
        url: String,
        /// The folder to write into.
        #[arg(short, long, default_value = "kapacitor-tasks")]
        output: PathBuf,
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
    #[command(flatten)]
    Operate(client::ClientCommand),
}

/// Exit codes shared by every command.
pub mod exit {
    pub const OK: u8 = 0;
    /// The scripts have errors (or, for `fmt --check`, are not formatted).
    pub const FAILED: u8 = 1;
    /// The command could not run: unreadable file, bad arguments.
    pub const USAGE: u8 = 2;
    /// The server could not be reached or answered with an error (Kapacitor's CLI exits 3 too).
    pub const SERVER: u8 = 3;
}

pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Check { paths, vars, format, deny_warnings } => check::run(&paths, &vars, format.into(), deny_warnings),
        Command::Fmt { paths, check, write } => fmt::run(&paths, check, write),
        Command::Test { paths, filter } => test::run(&paths, filter.as_deref()),
        Command::Build { scripts, vars, output, lto, deny_warnings } => {
            let profile = if lto { Profile::ReleaseLto } else { Profile::Release };
            with_tasks(&scripts, &vars, |specs| program::run_build(specs, output.as_deref(), profile, deny_warnings))
        }
        Command::Emit { scripts, vars, output, deny_warnings } => {
            with_tasks(&scripts, &vars, |specs| program::run_emit(specs, &output, deny_warnings))
        }
        Command::Import { url, output } => import::run(&url, &output),
        Command::Replay { script, vars, recording, influxdb, start, stop, real_clock, deny_warnings, on_server } => {
            let Some(script) = script else {
                return client::run_replay(&on_server, recording.as_deref(), real_clock);
            };
            let source = match (recording, influxdb, start, stop) {
                (_, Some(url), Some(start), Some(stop)) => program::ReplaySource::InfluxDb { url, start, stop },
                (Some(recording), ..) => program::ReplaySource::Recording { path: recording, real_clock },
                // clap requires a recording or an InfluxDB with its range.
                _ => return exit::USAGE,
            };
            let vars: Vec<PathBuf> = vars.into_iter().collect();
            with_tasks(std::slice::from_ref(&script), &vars, |specs| match specs {
                [task] => program::run_replay(task, &source, deny_warnings),
                _ => {
                    eprintln!("error: replay runs one task; build a manifest with `tickc build` and replay the program");
                    exit::USAGE
                }
            })
        }
        Command::Run { scripts, vars, bind, config, data_dir, deny_warnings, mut serve_args } => {
            let passed = [("--bind", bind.map(PathBuf::from)), ("--config", config), ("--data-dir", data_dir)];
            for (flag, value) in passed.into_iter().rev() {
                if let Some(value) = value {
                    serve_args.splice(0..0, [flag.to_string(), value.to_string_lossy().into_owned()]);
                }
            }
            with_tasks(&scripts, &vars, |specs| program::run_serve(specs, &serve_args, deny_warnings))
        }
        Command::Operate(command) => client::run(command),
    }
}

/// Runs `command` on the tasks `inputs` and `vars` name; a usage error when they name none.
fn with_tasks(inputs: &[PathBuf], vars: &[PathBuf], command: impl FnOnce(&[crate::manifest::TaskSpec]) -> u8) -> u8 {
    match tasks::task_specs(inputs, vars) {
        Ok(specs) => command(&specs),
        Err(e) => {
            eprintln!("error: {e}");
            exit::USAGE
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("tickc").chain(args.iter().copied()))
    }

    fn build_lto(args: &[&str]) -> bool {
        match parse(args).map(|cli| cli.command) {
            Ok(Command::Build { lto, .. }) => lto,
            other => panic!("not a build: {other:?}"),
        }
    }

    #[test]
    fn build_takes_lto_anywhere_and_defaults_to_without() {
        assert!(!build_lto(&["build", "a.tick"]));
        assert!(build_lto(&["build", "--lto", "a.tick"]));
        assert!(build_lto(&["build", "a.tick", "-o", "prog", "--lto"]));
    }

    #[test]
    fn lto_is_only_a_build_flag() {
        // `run` and `replay` build in the plain release profile: a flag they ignored would mislead.
        assert!(parse(&["run", "--lto", "a.tick"]).is_err());
        assert!(parse(&["replay", "--lto", "a.tick", "--recording", "r.srpl"]).is_err());
    }
}
