//! Running one test in the task program: its inputs go to `PROGRAM test` on standard input,
//! the outcome comes back on standard output.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use super::outcome::Outcome;

/// Runs task `task_id` of `program` over `input` (JSON lines), reporting the output of `nodes`.
/// A refused input comes back in [`Outcome::error`]; any other failure of the program is an
/// error with what it printed.
pub fn run_test(program: &Path, task_id: &str, input: String, nodes: &[String]) -> Result<Outcome, String> {
    let mut command = Command::new(program);
    command.args(["test", "--task", task_id, "--input", "-"]);
    for node in nodes {
        command.args(["--node", node]);
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    // Written from another thread: the program may fill its output pipe before it has read
    // all of its input.
    let stdin = child.stdin.take();
    let writer = std::thread::spawn(move || stdin.map(|mut s| s.write_all(input.as_bytes())));
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut stdout).map_err(|e| format!("reading the task program's output: {e}"))?;
    }
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut stderr);
    }
    let status = child.wait().map_err(|e| format!("waiting for the task program: {e}"))?;
    // A write error means the program stopped reading early; its output says why.
    let _ = writer.join();
    let outcome = Outcome::parse(&stdout)?;
    if status.success() || outcome.error.is_some() {
        Ok(outcome)
    } else {
        Err(format!("the task program failed ({status}): {}", stderr.trim()))
    }
}
