//! Replaying batch tasks: their queries run against InfluxDB as if the tasks had been scheduled
//! over `[start, stop)` (Kapacitor's replay-live, data times kept), or their batches come from
//! a batch recording (`.brpl`). At the end every task and the outbox are flushed. The schedule
//! rules themselves are the query node's ([`QueryNode`]), shared with the live scheduler.

use std::fmt;
use std::path::Path;

use std::sync::Arc;

use super::replay::Session;
use crate::config::ProgramConfig;
use crate::influxdb::{InfluxDbClient, InfluxDbError};
use crate::node::query::{QueryConfigError, QueryNode, QueryWindow, ReplayWindows};
use crate::point::Time;
use crate::replay::brpl::{BrplArchive, BrplError};
use crate::task::TaskDescriptor;

/// Why a batch replay stopped.
#[derive(Debug)]
pub enum BatchReplayError {
    /// A query node the runtime cannot run (Kapacitor refuses such a task when it starts).
    Rejected {
        task: String,
        query: usize,
        error: QueryConfigError,
    },
    /// A query failed (InfluxDB unreachable, or it refused the query).
    Query {
        task: String,
        query: usize,
        error: InfluxDbError,
    },
    /// The batch recording cannot be read on.
    Recording(BrplError),
}

impl fmt::Display for BatchReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BatchReplayError::Rejected { task, query, error } => {
                write!(f, "task {task}: query node {query} cannot run: {error}")
            }
            BatchReplayError::Query { task, query, error } => {
                write!(f, "task {task}: query node {query} failed: {error}")
            }
            BatchReplayError::Recording(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for BatchReplayError {}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchSummary {
    /// Queries sent (InfluxDB replay) or batches read (recording).
    pub runs: u64,
    pub batches: u64,
    /// Recorded batches skipped because they are not batches.
    pub bad_batches: u64,
}

/// The query nodes of every task, built from their configurations.
fn query_nodes(tasks: &[TaskDescriptor]) -> Result<Vec<Vec<QueryNode>>, BatchReplayError> {
    tasks.iter().map(task_query_nodes).collect()
}

/// A task's query nodes in node order, built from their configurations: a replay and the live
/// scheduler run the same nodes.
pub(super) fn task_query_nodes(task: &TaskDescriptor) -> Result<Vec<QueryNode>, BatchReplayError> {
    (task.queries)()
        .iter()
        .enumerate()
        .map(|(query, config)| {
            QueryNode::new(config).map_err(|error| BatchReplayError::Rejected {
                task: task.id.to_owned(),
                query,
                error,
            })
        })
        .collect()
}

/// One query node's pending windows, with the task and query number its batches go to.
struct Schedule<'a> {
    task: usize,
    query: usize,
    windows: std::iter::Peekable<ReplayWindows<'a>>,
}

/// Runs the tasks' queries for every window of a schedule over `[start, stop)`, in time order
/// across all queries (a window's stop is when the task would have run it), leaving out
/// windows that end after `now`.
pub fn replay_influxdb(
    tasks: &[TaskDescriptor],
    client: &InfluxDbClient,
    config: Arc<ProgramConfig>,
    start: Time,
    stop: Time,
    now: Time,
) -> Result<BatchSummary, BatchReplayError> {
    let nodes = query_nodes(tasks)?;
    let mut schedules: Vec<Schedule<'_>> = nodes
        .iter()
        .enumerate()
        .flat_map(|(task, queries)| {
            queries.iter().enumerate().map(move |(query, node)| Schedule {
                task,
                query,
                windows: node.replay_windows(start, stop, now).peekable(),
            })
        })
        .collect();
    let mut session = Session::start(tasks, config);
    let mut summary = BatchSummary::default();
    while let Some((schedule, window)) = next_window(&mut schedules) {
        let (task, query) = (schedule.task, schedule.query);
        let node = nodes.get(task).and_then(|q| q.get(query));
        let (Some(node), Some((descriptor, running))) = (node, session.running.get_mut(task))
        else {
            continue;
        };
        let batches = node
            .run(client, window)
            .map_err(|error| BatchReplayError::Query {
                task: descriptor.id.to_owned(),
                query,
                error,
            })?;
        summary.runs += 1;
        for batch in batches {
            summary.batches += 1;
            running.push_batch(query, batch);
        }
        session.feed_loopback();
    }
    session.finish();
    Ok(summary)
}

/// Takes the earliest next window among the schedules (the first schedule on a tie, so the
/// queries of a task run in node order).
fn next_window<'s, 'a>(
    schedules: &'s mut [Schedule<'a>],
) -> Option<(&'s Schedule<'a>, QueryWindow)> {
    let earliest = schedules
        .iter_mut()
        .enumerate()
        .filter_map(|(i, s)| s.windows.peek().map(|w| (w.stop, i)))
        .min()?
        .1;
    let schedule = schedules.get_mut(earliest)?;
    let window = schedule.windows.next()?;
    Some((schedule, window))
}

/// Replays a batch recording: the `i`-th entry feeds every task's query node number `i`, in
/// recorded order, query after query.
pub fn replay_recording(
    tasks: &[TaskDescriptor],
    path: &Path,
) -> Result<BatchSummary, BatchReplayError> {
    let mut archive = BrplArchive::open(path).map_err(BatchReplayError::Recording)?;
    let mut session = Session::start(tasks, Arc::default());
    let mut summary = BatchSummary::default();
    for (descriptor, running) in &mut session.running {
        for query in 0..(descriptor.queries)().len() {
            let batches = archive
                .batches(query)
                .map_err(BatchReplayError::Recording)?;
            for batch in batches {
                summary.runs += 1;
                match batch {
                    Ok(batch) => {
                        summary.batches += 1;
                        running.push_batch(query, batch);
                    }
                    Err(bad @ BrplError::BadBatch { .. }) => {
                        eprintln!("warning: {bad}");
                        summary.bad_batches += 1;
                    }
                    Err(fatal) => return Err(BatchReplayError::Recording(fatal)),
                }
            }
        }
    }
    session.finish();
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::query::QueryConfig;
    use crate::point::{Batch, Point};
    use crate::task::{NodeStats, Routes, Task, TaskKind};
    use std::io::Write;
    use std::sync::Mutex;

    const MINUTE: i64 = 60_000_000_000;

    fn every(every: i64) -> QueryConfig {
        QueryConfig {
            query: "SELECT v FROM m".into(),
            period: every,
            every,
            ..QueryConfig::default()
        }
    }

    #[test]
    fn windows_of_several_queries_interleave_by_time() {
        let nodes = [QueryNode::new(&every(2 * MINUTE)).unwrap(), QueryNode::new(&every(3 * MINUTE)).unwrap()];
        let mut schedules: Vec<Schedule<'_>> = nodes
            .iter()
            .enumerate()
            .map(|(query, node)| Schedule { task: 0, query, windows: node.replay_windows(0, 6 * MINUTE, i64::MAX).peekable() })
            .collect();
        let mut order = Vec::new();
        while let Some((schedule, window)) = next_window(&mut schedules) {
            order.push((schedule.query, window.stop / MINUTE));
        }
        assert_eq!(order, vec![(0, 2), (1, 3), (0, 4), (0, 6), (1, 6)]);
    }

    static SEEN: Mutex<Vec<(usize, i64)>> = Mutex::new(Vec::new());

    struct Recorder;

    impl Task for Recorder {
        fn push_point(&mut self, _: Point) {}
        fn push_batch(&mut self, query: usize, batch: Batch) {
            SEEN.lock().unwrap().push((query, batch.time));
        }
        fn flush(&mut self) {}
        fn stats(&self) -> Vec<NodeStats> {
            Vec::new()
        }
    }

    #[test]
    fn a_recording_feeds_each_query_its_entry() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.brpl");
        let mut writer = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        let batch = |t: &str| {
            format!(r#"{{"name":"m","tmax":"{t}","points":[{{"fields":{{"v":1}},"time":"{t}"}}]}}"#)
        };
        for (entry, times) in [("0", ["1970-01-01T00:00:01Z", "1970-01-01T00:00:02Z"]), ("1", ["1970-01-01T00:00:03Z", "not a time"])] {
            writer.start_file(entry, zip::write::SimpleFileOptions::default()).unwrap();
            for t in times {
                writer.write_all(batch(t).as_bytes()).unwrap();
            }
        }
        writer.finish().unwrap();
        let task = TaskDescriptor {
            id: "t",
            kind: TaskKind::Batch,
            dbrps: &[],
            script: "",
            nodes: &[],
            edges: &[],
            queries: || vec![every(MINUTE), every(MINUTE)],
            new: |_| Box::new(Recorder),
            enabled: true,
            routes: Routes::Only(&[]),
        };
        let summary = replay_recording(&[task], &path).unwrap();
        assert_eq!(summary, BatchSummary { runs: 4, batches: 3, bad_batches: 1 });
        let second = 1_000_000_000;
        assert_eq!(*SEEN.lock().unwrap(), vec![(0, second), (0, 2 * second), (1, 3 * second)]);
    }
}
