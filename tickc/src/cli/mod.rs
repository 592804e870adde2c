//! The commands of the `tickc` program; each returns the process exit code.

mod check;
mod files;
mod fmt;

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
    }
}
