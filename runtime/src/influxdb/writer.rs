//! A background writer to InfluxDB (what `influxDBOut` writes through): a thread that gathers
//! line protocol per database, retention policy and precision, and writes a target's lines when
//! `buffer` points are waiting or `flush_interval` has passed, as Kapacitor's write buffer does.
//!
//! The pipeline never waits for InfluxDB: lines go into a bounded queue, and when the writer
//! falls that far behind, what does not fit is dropped and counted as a write error rather
//! than held in memory without bound or stalling the task.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::client::InfluxDbClient;
use crate::time::Precision;

/// Where a write goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WriteTarget {
    pub database: String,
    /// Empty for the database's default retention policy.
    pub retention_policy: String,
    pub precision: Precision,
}

/// How the writer gathers and when it writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriterOptions {
    /// Points gathered for one target before they are written.
    pub buffer: usize,
    /// The longest a gathered point waits before it is written.
    pub flush_interval: Duration,
    /// Statements run once before the first write (`CREATE DATABASE ...`); a failure is
    /// logged, not fatal, as in Kapacitor.
    pub setup: Option<String>,
    /// A name for log lines (`task cpu, node influxdb_out3`).
    pub label: String,
}

/// The writer's counts, shared with the node that feeds it.
#[derive(Debug, Default)]
pub struct WriterStats {
    pub points_written: AtomicU64,
    /// Points that failed to be written, or were dropped because the queue was full.
    pub write_errors: AtomicU64,
}

enum Command {
    Lines { target: WriteTarget, text: String, points: usize },
    Flush(SyncSender<()>),
}

/// The feeding end of a writer thread. Dropping it writes what is gathered and waits for the
/// thread to finish.
pub struct BackgroundWriter {
    queue: Option<SyncSender<Command>>,
    thread: Option<JoinHandle<()>>,
    stats: Arc<WriterStats>,
}

impl std::fmt::Debug for BackgroundWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackgroundWriter").field("stats", &self.stats).finish_non_exhaustive()
    }
}

impl BackgroundWriter {
    /// Starts the writer thread. Up to `queue` sends may wait for it before sends are dropped.
    pub fn start(client: InfluxDbClient, options: WriterOptions, queue: usize) -> BackgroundWriter {
        let (sender, receiver) = mpsc::sync_channel(queue.max(1));
        let stats = Arc::new(WriterStats::default());
        let worker = Worker {
            client,
            options,
            stats: stats.clone(),
            gathered: HashMap::new(),
        };
        let thread = std::thread::Builder::new()
            .name("influxdb-writer".into())
            .spawn(move || worker.run(receiver));
        match thread {
            Ok(thread) => BackgroundWriter {
                queue: Some(sender),
                thread: Some(thread),
                stats,
            },
            Err(error) => {
                eprintln!("error: cannot start an InfluxDB writer thread: {error}");
                BackgroundWriter { queue: None, thread: None, stats }
            }
        }
    }

    /// Hands `points` points of line protocol (`text`, each line ending in `\n`) over for
    /// `target`, without waiting.
    pub fn send(&self, target: &WriteTarget, text: String, points: usize) {
        let command = Command::Lines { target: target.clone(), text, points };
        let sent = match &self.queue {
            Some(queue) => queue.try_send(command),
            None => Err(TrySendError::Disconnected(command)),
        };
        if let Err(error) = sent {
            let previous = self.stats.write_errors.fetch_add(points as u64, Ordering::Relaxed);
            if previous == 0 {
                let why = match error {
                    TrySendError::Full(_) => "InfluxDB is not keeping up, its queue is full",
                    TrySendError::Disconnected(_) => "the writer has stopped",
                };
                eprintln!("error: dropping points for InfluxDB: {why} (further drops are only counted)");
            }
        }
    }

    /// Writes everything gathered so far and waits until it is written (or has failed).
    pub fn flush(&self) {
        let (ack, done) = mpsc::sync_channel(1);
        if let Some(queue) = &self.queue
            && queue.send(Command::Flush(ack)).is_ok()
        {
            let _ = done.recv();
        }
    }

    pub fn stats(&self) -> &Arc<WriterStats> {
        &self.stats
    }
}

impl Drop for BackgroundWriter {
    fn drop(&mut self) {
        // Closing the queue tells the thread to write what it holds and stop.
        drop(self.queue.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The writer thread's state: lines gathered per target, with their point counts and the
/// time the first of them arrived.
struct Worker {
    client: InfluxDbClient,
    options: WriterOptions,
    stats: Arc<WriterStats>,
    gathered: HashMap<WriteTarget, Gathered>,
}

struct Gathered {
    text: String,
    points: usize,
}

impl Worker {
    fn run(mut self, queue: Receiver<Command>) {
        if let Some(setup) = self.options.setup.take()
            && let Err(error) = self.client.execute(&setup)
        {
            eprintln!("error: {}: {setup}: {error}", self.options.label);
        }
        let mut next_flush = Instant::now() + self.options.flush_interval;
        loop {
            let wait = next_flush.saturating_duration_since(Instant::now());
            match queue.recv_timeout(wait) {
                Ok(Command::Lines { target, text, points }) => self.gather(target, &text, points),
                Ok(Command::Flush(ack)) => {
                    self.write_all();
                    let _ = ack.send(());
                }
                Err(RecvTimeoutError::Timeout) => {
                    self.write_all();
                    next_flush = Instant::now() + self.options.flush_interval;
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.write_all();
                    return;
                }
            }
        }
    }

    fn gather(&mut self, target: WriteTarget, text: &str, points: usize) {
        let gathered = self.gathered.entry(target.clone()).or_insert_with(|| Gathered {
            text: String::new(),
            points: 0,
        });
        gathered.text.push_str(text);
        gathered.points += points;
        if gathered.points >= self.options.buffer
            && let Some(full) = self.gathered.remove(&target)
        {
            self.write(&target, full);
        }
    }

    fn write_all(&mut self) {
        for (target, gathered) in std::mem::take(&mut self.gathered) {
            self.write(&target, gathered);
        }
    }

    fn write(&self, target: &WriteTarget, gathered: Gathered) {
        let rp = Some(target.retention_policy.as_str()).filter(|rp| !rp.is_empty());
        let points = gathered.points as u64;
        match self.client.write(&target.database, rp, target.precision, gathered.text.as_bytes()) {
            Ok(()) => {
                self.stats.points_written.fetch_add(points, Ordering::Relaxed);
            }
            Err(error) => {
                self.stats.write_errors.fetch_add(points, Ordering::Relaxed);
                eprintln!(
                    "error: {}: cannot write {points} point(s) to {:?}.{:?}: {error}",
                    self.options.label, target.database, target.retention_policy
                );
            }
        }
    }
}
