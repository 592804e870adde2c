//! The live batch scheduler of `serve`: every query node of every batch task runs its query at
//! the wall-clock ticks of its schedule (`every`, `align`, `cron`, `offset`, `period`: the
//! query node's rules, shared with replays) against InfluxDB, and hands the batches of each
//! reply to its task.
//!
//! Each query node has a thread of its own, as Kapacitor gives each a goroutine: a slow query
//! delays only its own node's next run, and ticks missed meanwhile are skipped rather than run
//! late in a burst. A failing query is logged and counted; the schedule goes on.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::batch::{BatchReplayError, task_query_nodes};
use crate::http::{BatchSink, TaskStopped};
use crate::influxdb::InfluxDbClient;
use crate::node::query::QueryNode;
use crate::point::{Batch, Time};
use crate::task::TaskDescriptor;
use crate::time::wall_clock_now;

/// Where the scheduler hands the batches: the server's running tasks, or a test's recorder.
pub trait BatchTarget: Send + Sync {
    /// Hands `batch` to task `task_id` as the result of its query number `query`; may block.
    fn push(&self, task_id: &str, query: usize, batch: Batch) -> Result<(), TaskStopped>;
}

impl BatchTarget for BatchSink {
    fn push(&self, task_id: &str, query: usize, batch: Batch) -> Result<(), TaskStopped> {
        BatchSink::push(self, task_id, query, batch)
    }
}

/// What the scheduler has done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScheduleCounts {
    /// Queries sent.
    pub runs: u64,
    /// Queries that failed (InfluxDB unreachable, or it refused the query).
    pub failures: u64,
    /// Batches handed to their task.
    pub batches: u64,
    /// Batches not handed over because their task was not running (disabled).
    pub dropped: u64,
}

#[derive(Default)]
struct Counters {
    runs: AtomicU64,
    failures: AtomicU64,
    batches: AtomicU64,
    dropped: AtomicU64,
}

impl Counters {
    fn snapshot(&self) -> ScheduleCounts {
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        ScheduleCounts {
            runs: load(&self.runs),
            failures: load(&self.failures),
            batches: load(&self.batches),
            dropped: load(&self.dropped),
        }
    }
}

/// Tells the query threads to stop, waking them from their wait for the next tick.
#[derive(Default)]
struct StopSignal {
    stopped: Mutex<bool>,
    wake: Condvar,
}

impl StopSignal {
    fn stop(&self) {
        *self.stopped.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.wake.notify_all();
    }

    /// Waits until the wall clock reaches `time`; false when told to stop first.
    fn wait_until(&self, time: Time) -> bool {
        let mut stopped = self.stopped.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if *stopped {
                return false;
            }
            // Re-read the wall clock after every wake: a wait may end early, and the clock may
            // have been stepped meanwhile.
            let remaining = time.saturating_sub(wall_clock_now());
            let Ok(nanos) = u64::try_from(remaining) else {
                return true;
            };
            if nanos == 0 {
                return true;
            }
            stopped = self
                .wake
                .wait_timeout(stopped, Duration::from_nanos(nanos))
                .map(|(guard, _)| guard)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }
}

/// One query node on its schedule, and where its batches go.
struct QueryJob {
    task_id: &'static str,
    query: usize,
    node: QueryNode,
}

/// The running scheduler: one thread per query node, until [`BatchScheduler::stop`].
pub struct BatchScheduler {
    stop: Arc<StopSignal>,
    counters: Arc<Counters>,
    threads: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for BatchScheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchScheduler")
            .field("queries", &self.threads.len())
            .field("counts", &self.counts())
            .finish()
    }
}

impl BatchScheduler {
    /// Starts the schedules of every query node of `tasks` (stream tasks have none). A task
    /// with a query node that cannot run is left out and returned with why, as Kapacitor
    /// refuses to start it; the others run.
    pub fn start(
        tasks: &[TaskDescriptor],
        client: &InfluxDbClient,
        target: Arc<dyn BatchTarget>,
    ) -> (BatchScheduler, Vec<BatchReplayError>) {
        let mut scheduler = BatchScheduler {
            stop: Arc::new(StopSignal::default()),
            counters: Arc::new(Counters::default()),
            threads: Vec::new(),
        };
        let mut rejected = Vec::new();
        for task in tasks {
            let nodes = match task_query_nodes(task) {
                Ok(nodes) => nodes,
                Err(error) => {
                    rejected.push(error);
                    continue;
                }
            };
            for (query, node) in nodes.into_iter().enumerate() {
                let job = QueryJob {
                    task_id: task.id,
                    query,
                    node,
                };
                if let Err(e) = scheduler.spawn(job, client.clone(), target.clone()) {
                    eprintln!(
                        "error: task {}: cannot start the thread of query node {query}: {e}",
                        task.id
                    );
                }
            }
        }
        (scheduler, rejected)
    }

    fn spawn(
        &mut self,
        job: QueryJob,
        client: InfluxDbClient,
        target: Arc<dyn BatchTarget>,
    ) -> std::io::Result<()> {
        let stop = self.stop.clone();
        let counters = self.counters.clone();
        let thread = std::thread::Builder::new()
            .name(format!("query {} {}", job.task_id, job.query))
            .spawn(move || run_schedule(&job, &client, target.as_ref(), &stop, &counters))?;
        self.threads.push(thread);
        Ok(())
    }

    /// How many query nodes are scheduled.
    pub fn queries(&self) -> usize {
        self.threads.len()
    }

    pub fn counts(&self) -> ScheduleCounts {
        self.counters.snapshot()
    }

    /// Stops every schedule and waits for the threads: a query in flight completes and its
    /// batches are handed over first, so call this while the tasks still run.
    pub fn stop(mut self) -> ScheduleCounts {
        self.stop.stop();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
        self.counts()
    }
}

/// The body of a query thread: wait for the next tick, query its window, hand over the
/// batches; until stopped or the schedule ends (a cron expression that never matches again).
fn run_schedule(
    job: &QueryJob,
    client: &InfluxDbClient,
    target: &dyn BatchTarget,
    stop: &StopSignal,
    counters: &Counters,
) {
    let mut previous = None;
    loop {
        let Some(tick) = job.node.next_live_tick(previous, wall_clock_now()) else {
            eprintln!(
                "warning: task {}: query node {}: its schedule has no further run",
                job.task_id, job.query
            );
            return;
        };
        if !stop.wait_until(tick) {
            return;
        }
        previous = Some(tick);
        let window = job.node.window_at(tick);
        counters.runs.fetch_add(1, Ordering::Relaxed);
        let batches = match job.node.run(client, window) {
            Ok(batches) => batches,
            Err(e) => {
                counters.failures.fetch_add(1, Ordering::Relaxed);
                eprintln!(
                    "warning: task {}: query node {} failed: {e}",
                    job.task_id, job.query
                );
                continue;
            }
        };
        let total = batches.len() as u64;
        let mut handed = 0;
        for batch in batches {
            // The task is not running (disabled): the rest of the reply has nowhere to go.
            if target.push(job.task_id, job.query, batch).is_err() {
                break;
            }
            handed += 1;
        }
        counters.batches.fetch_add(handed, Ordering::Relaxed);
        counters.dropped.fetch_add(total - handed, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::influxdb::InfluxDbConfig;
    use crate::node::query::QueryConfig;
    use crate::point::Point;
    use crate::task::{NodeStats, Routes, Task, TaskKind};
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::time::Instant;

    const MILLISECOND: i64 = 1_000_000;

    /// A fake InfluxDB: answers every query with one series, except the `fail`-th request
    /// (counting from 1), which gets a 500. Sends back each request line.
    fn fake_influxdb(fail: usize) -> (String, std::sync::mpsc::Receiver<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (requests, received) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                reader.read_line(&mut request_line).unwrap();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                        break;
                    }
                }
                let (status, body) = if n + 1 == fail {
                    ("500 Internal Server Error", r#"{"error":"boom"}"#.to_owned())
                } else {
                    ("200 OK", r#"{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","v"],"values":[[1,2]]}]}]}"#.to_owned())
                };
                let reply = format!(
                    "HTTP/1.1 {status}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(reply.as_bytes());
                if requests.send(request_line).is_err() {
                    return;
                }
            }
        });
        (url, received)
    }

    #[derive(Default)]
    struct Recorder {
        batches: Mutex<Vec<(String, usize, Time)>>,
    }

    impl BatchTarget for Recorder {
        fn push(&self, task_id: &str, query: usize, batch: Batch) -> Result<(), TaskStopped> {
            self.batches
                .lock()
                .unwrap()
                .push((task_id.to_owned(), query, batch.time));
            Ok(())
        }
    }

    struct Idle;

    impl Task for Idle {
        fn push_point(&mut self, _: Point) {}
        fn push_batch(&mut self, _: usize, _: Batch) {}
        fn flush(&mut self) {}
        fn stats(&self) -> Vec<NodeStats> {
            Vec::new()
        }
    }

    fn every(every: i64) -> QueryConfig {
        QueryConfig {
            query: "SELECT v FROM m".into(),
            period: every,
            every,
            ..QueryConfig::default()
        }
    }

    fn task(id: &'static str, queries: fn() -> Vec<QueryConfig>) -> TaskDescriptor {
        TaskDescriptor {
            id,
            kind: TaskKind::Batch,
            dbrps: &[],
            script: "",
            nodes: &[],
            edges: &[],
            queries,
            new: |_| Box::new(Idle),
            enabled: true,
            routes: Routes::Only(&[]),
        }
    }

    fn client(url: &str) -> InfluxDbClient {
        InfluxDbClient::new(&InfluxDbConfig::new(url)).unwrap()
    }

    #[test]
    fn queries_run_on_the_wall_clock_and_survive_a_failure() {
        let (url, requests) = fake_influxdb(2);
        let recorder = Arc::new(Recorder::default());
        let tasks = [
            task("fast", || vec![every(100 * MILLISECOND)]),
            task("bad", || {
                vec![QueryConfig {
                    every: 0,
                    ..every(MILLISECOND)
                }]
            }),
        ];
        let (scheduler, rejected) = BatchScheduler::start(&tasks, &client(&url), recorder.clone());
        assert_eq!(scheduler.queries(), 1);
        insta::assert_snapshot!(rejected.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"),
            @"task bad: query node 0 cannot run: must define one of 'every' or 'cron'");
        let deadline = Instant::now() + Duration::from_secs(10);
        while scheduler.counts().batches < 3 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let counts = scheduler.stop();
        assert_eq!(counts.failures, 1, "{counts:?}");
        assert!(counts.runs >= 4 && counts.batches == counts.runs - 1, "{counts:?}");
        let batches = recorder.batches.lock().unwrap().clone();
        // A batch's time is its window's stop: one tick after another on the `every` grid.
        for pair in batches.windows(2) {
            let step = pair[1].2 - pair[0].2;
            assert!(step > 0 && step % (100 * MILLISECOND) == 0, "{batches:?}");
        }
        assert!(batches.iter().all(|(task, query, _)| task == "fast" && *query == 0));
        let first = requests.recv().unwrap();
        assert!(
            first.starts_with("GET /query?q=SELECT%20v%20FROM%20m%20WHERE%20time%20%3E%3D%20"),
            "{first}"
        );
    }

    #[test]
    fn stopping_does_not_wait_for_the_next_tick() {
        let tasks = [task("hourly", || vec![every(3_600_000 * MILLISECOND)])];
        // Nothing listens there: no query is sent before the tick anyway.
        let recorder = Arc::new(Recorder::default());
        let (scheduler, _) =
            BatchScheduler::start(&tasks, &client("http://127.0.0.1:9"), recorder);
        let started = Instant::now();
        let counts = scheduler.stop();
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(counts, ScheduleCounts::default());
    }
}
