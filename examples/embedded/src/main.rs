//! Kapacitor's getting-started `cpu_alert` task (`examples/cpu_alert.tick`), compiled into this
//! program by `tick!` and fed a recording of 10 cpus over 10 minutes (`examples/data/cpu.srpl`,
//! or the recording named as the first argument), then a few points of its own. The alerts come
//! back through a channel to a printing thread; the script's log handler is turned off, so
//! nothing is written to `/tmp/alerts.log`.
//!
//! `cargo run -p tick-embedded-example [RECORDING.srpl]`

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc::sync_channel;
use std::thread;

use tick_macros::tick;
use tick_runtime::embed::{EmbedConfig, Handlers, Output};
use tick_runtime::replay::srpl::SrplReader;
use tick_runtime::time::{Precision, format_rfc3339_nano};

tick!(
    /// The getting-started task: a critical alert whenever a cpu is less than 70% idle.
    mod cpu_alert,
    path = "../cpu_alert.tick"
);

/// How many outputs may wait for the printer before the task waits for it.
const PENDING_OUTPUTS: usize = 1024;

fn main() -> ExitCode {
    let recording = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/cpu.srpl"), PathBuf::from);
    let points = match SrplReader::open(&recording, Precision::Nanosecond) {
        Ok(points) => points,
        Err(error) => {
            eprintln!("error: cannot open {}: {error}", recording.display());
            return ExitCode::FAILURE;
        }
    };

    let (sender, outputs) = sync_channel(PENDING_OUTPUTS);
    let printer = thread::spawn(move || -> std::io::Result<usize> {
        let mut stdout = std::io::stdout().lock();
        let mut alerts = 0_usize;
        // When stdout closes, the printer returns and drops the receiver: the task's sends
        // then fail and are ignored, rather than waiting for a reader that is gone.
        for output in outputs {
            if let Output::Alert(alert) = output {
                writeln!(stdout, "{}  {:<8}  {}", format_rfc3339_nano(alert.time), alert.level.as_str(), alert.message)?;
                alerts += 1;
            }
        }
        writeln!(stdout, "{alerts} alerts")?;
        Ok(alerts)
    });

    let mut task = cpu_alert::Task::new(EmbedConfig::new().handlers(Handlers::Off).channel(sender));
    let mut last_time = 0;
    for point in points {
        match point {
            Ok(point) => {
                last_time = point.time;
                task.push_point(point);
            }
            Err(error) => {
                eprintln!("error: {}: {error}", recording.display());
                return ExitCode::FAILURE;
            }
        }
    }

    // Points of this program's own: one built by hand, one as line protocol.
    let busy = task.point("cpu", last_time + 1_000_000_000).tag("cpu", "cpu-embedded").field("usage_idle", 5.0).build();
    task.push_point(busy);
    let idle = format!("cpu,cpu=cpu-embedded usage_idle=99 {}\n", last_time + 2_000_000_000);
    if let Err(error) = task.push_line_protocol("telegraf", "autogen", &idle) {
        eprintln!("error: {error}");
        return ExitCode::FAILURE;
    }

    // Dropping the task flushes it and closes the channel, which ends the printer.
    drop(task);
    match printer.join() {
        Ok(Ok(_)) => ExitCode::SUCCESS,
        Ok(Err(error)) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Ok(Err(error)) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
        Err(_) => ExitCode::FAILURE,
    }
}
