//! The `tickc` command line: parses arguments and hands over to `tickc::cli`.

use std::process::ExitCode;

use clap::Parser;

/// The compiler walks syntax trees recursively; a generous stack lets scripts of any realistic
/// size (a 30,000-link chain) through instead of overflowing the 8 MiB of the main thread. The
/// memory is only reserved, not touched.
const COMPILER_STACK_BYTES: usize = 1 << 30;

fn main() -> ExitCode {
    let args = tickc::cli::Cli::parse_from(tickc::cli::kapacitor_flags(std::env::args_os()));
    let worker = std::thread::Builder::new().name("tickc".into()).stack_size(COMPILER_STACK_BYTES);
    match worker.spawn(move || tickc::cli::run(args)).map(|h| h.join()) {
        Ok(Ok(code)) => ExitCode::from(code),
        Ok(Err(_)) => ExitCode::from(101),
        Err(e) => {
            eprintln!("error: cannot start the compiler thread: {e}");
            ExitCode::from(tickc::cli::exit::USAGE)
        }
    }
}
