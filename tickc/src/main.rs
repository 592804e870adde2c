//! The `tickc` command line: parses arguments and hands over to `tickc::cli`.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = tickc::cli::Cli::parse();
    ExitCode::from(tickc::cli::run(args))
}
