//! A task program under test: served on a free loopback port with its own data folder, its
//! CPU time and peak memory read while it still runs, stopped with SIGTERM; or run once over a
//! recording.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::procfs::{self, CpuTicks};

/// How long a program may take to start listening, or to exit once told to.
const PATIENCE: Duration = Duration::from_secs(30);

/// A program running `serve`.
pub struct Served {
    child: Child,
    pub address: SocketAddr,
}

impl Served {
    /// Runs `binary serve --bind 127.0.0.1:0 --data-dir DATA_DIR` and waits until it says
    /// where it listens.
    pub fn start(binary: &Path, data_dir: &Path) -> Result<Served, String> {
        let mut child = Command::new(binary)
            .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
        let stderr = child.stderr.take().ok_or("no standard error to read")?;
        let (found, listening) = mpsc::channel();
        // Keeps draining the program's standard error (echoing it) so it never blocks on a
        // full pipe; the first "listening on" line gives the address.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                match line.strip_prefix("listening on http://").map(str::parse::<SocketAddr>) {
                    Some(Ok(address)) => {
                        let _ = found.send(address);
                    }
                    _ => eprintln!("  program: {line}"),
                }
            }
        });
        match listening.recv_timeout(PATIENCE) {
            Ok(address) => Ok(Served { child, address }),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(format!("{} did not start listening", binary.display()))
            }
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// CPU time and peak resident memory (bytes) so far.
    pub fn usage(&self) -> Result<(CpuTicks, u64), String> {
        let pid = self.pid();
        let cpu = procfs::cpu(pid).ok_or_else(|| format!("cannot read /proc/{pid}/stat"))?;
        let rss = procfs::peak_rss(pid).ok_or_else(|| format!("cannot read /proc/{pid}/status"))?;
        Ok((cpu, rss))
    }

    /// Sends SIGTERM and waits for the graceful exit (killing it past the patience).
    pub fn stop(mut self) -> Result<ExitStatus, String> {
        let pid = self.pid().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().map_err(|e| format!("cannot run kill: {e}"))?;
        if !sent.success() {
            return Err(format!("kill -TERM {pid} failed"));
        }
        let deadline = Instant::now() + PATIENCE;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Ok(status),
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                _ => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    return Err(format!("program {pid} did not stop within {PATIENCE:?} of SIGTERM"));
                }
            }
        }
    }
}

impl Drop for Served {
    /// A run that ends early (an error) leaves no server behind.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// What one replay cost.
#[derive(Debug, Clone, Copy)]
pub struct ReplayUsage {
    pub elapsed: Duration,
    pub cpu: CpuTicks,
    /// Peak resident memory, sampled while it ran (bytes).
    pub peak_rss: u64,
}

/// How often a replay's memory high-water mark is read while it runs. The mark only grows, so
/// reading it seldom loses nothing but what the last moments add; reading it often would take
/// the replay's own cores (it runs on both).
const PEAK_RSS_EVERY: Duration = Duration::from_millis(10);

/// Runs `binary replay --recording RECORDING` to its end. Its CPU time is what this process's
/// reaped-children time grew by across the wait: the replay is the only child reaped then. Its
/// end is taken by a thread blocked waiting for it, so the time is not rounded up to a poll.
pub fn replay(binary: &Path, recording: &Path) -> Result<ReplayUsage, String> {
    let before = procfs::reaped_children_cpu().ok_or("cannot read /proc/self/stat")?;
    let started = Instant::now();
    let mut child = Command::new(binary)
        .arg("replay")
        .arg("--recording")
        .arg(recording)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let pid = child.id();
    let (ended, end) = mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let status = child.wait();
        let _ = ended.send(started.elapsed());
        status
    });
    let mut peak_rss = 0;
    let elapsed = loop {
        if let Some(rss) = procfs::peak_rss(pid) {
            peak_rss = peak_rss.max(rss);
        }
        match end.recv_timeout(PEAK_RSS_EVERY) {
            Ok(elapsed) => break elapsed,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break started.elapsed(),
        }
    };
    let status = match waiter.join() {
        Ok(Ok(status)) => status,
        Ok(Err(e)) => return Err(format!("cannot wait for the replay: {e}")),
        Err(_) => return Err("the thread waiting for the replay panicked".into()),
    };
    if !status.success() {
        return Err(format!("the replay failed: {status}"));
    }
    let after = procfs::reaped_children_cpu().ok_or("cannot read /proc/self/stat")?;
    let cpu = CpuTicks {
        user: after.user.saturating_sub(before.user),
        system: after.system.saturating_sub(before.system),
    };
    Ok(ReplayUsage { elapsed, cpu, peak_rss })
}
