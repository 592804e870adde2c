//! The server itself: its configuration, the accept loop, and the graceful shutdown (stop
//! accepting, finish the requests in flight, close the running recordings, let every task
//! drain its queue, flush and save its state).

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use super::executor::Executor;
use super::auth::Credentials;
use super::query::Query;
use super::response::finish;
use super::loopback::{LiveLoopback, start_delivery};
use super::live::{Environment, LiveTasks, TaskStopped};
use super::recordings::Recordings;
use super::replays::Replays;
use super::router::route;
use super::write::{self, IngestCounters};
use crate::config::ProgramConfig;
use crate::delivery::Outbox;
use crate::point::Batch;
use crate::task::TaskDescriptor;
use crate::time::wall_clock_now;

/// How long a shutdown waits for the requests in flight (a client still sending a body)
/// before it drops them; a dropped request was never answered, so its points count as not
/// accepted.
const REQUEST_DRAIN_TIMEOUT: Duration = Duration::from_secs(30);
/// How often the tasks' throughput is sampled, as Kapacitor does.
const THROUGHPUT_PERIOD: Duration = Duration::from_secs(1);

/// How the server behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// The largest request body, in bytes, and the largest a gzip body may decompress to.
    pub max_body_bytes: usize,
    /// The retention policy of a write that names none: the database's default, as InfluxDB
    /// would apply it.
    pub default_retention_policy: String,
    /// When set, every request but the ping must present these.
    pub credentials: Option<Credentials>,
    /// How many chunks of points (up to 1,000 points or about 1 MiB each) a task's queue holds
    /// before writes to it wait. The default, 4, keeps a task that is slower than ingest busy
    /// (a worker takes the next chunk at once): a deeper queue only held more points in memory
    /// (16 chunks cost the p95 benchmark 4.5 MiB of peak memory, for no CPU).
    pub queue_chunks: usize,
    /// The program's configuration, which every task is built with; its data directory keeps
    /// the tasks' state and the recordings.
    pub program: Arc<ProgramConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            // InfluxDB's default `max-body-size`.
            max_body_bytes: 25_000_000,
            default_retention_policy: "autogen".to_owned(),
            credentials: None,
            queue_chunks: 4,
            program: Arc::default(),
        }
    }
}

/// What every request handler shares.
pub(crate) struct State {
    pub(crate) config: Config,
    pub(crate) environment: Arc<Environment>,
    pub(crate) tasks: LiveTasks,
    pub(crate) ingest: IngestCounters,
    pub(crate) recordings: Recordings,
    pub(crate) replays: Replays,
}

/// Hands batches to the server's running tasks (see [`Server::batch_sink`]).
#[derive(Clone)]
pub struct BatchSink {
    state: Arc<State>,
}

impl BatchSink {
    /// Hands `batch` to task `task_id` as the result of its query number `query`, waiting
    /// while the task's queue is full: call it from a thread that may block, not from an
    /// async task.
    pub fn push(&self, task_id: &str, query: usize, batch: Batch) -> Result<(), TaskStopped> {
        self.state.tasks.get(task_id).ok_or(TaskStopped)?.push_batch(query, batch)
    }
}

/// The HTTP server of a task program, with its tasks running.
pub struct Server {
    state: Arc<State>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("config", &self.state.config)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Starts every task on the program's worker threads; their deliveries go to `outbox`.
    pub fn new(tasks: &[TaskDescriptor], outbox: Arc<dyn Outbox>, config: Config) -> Server {
        let (loopback, looped_back) = LiveLoopback::new();
        let environment = Arc::new(Environment {
            outbox,
            config: config.program.clone(),
            queue_chunks: config.queue_chunks,
            loopback,
            executor: Executor::for_this_machine(),
        });
        let tasks = LiveTasks::start(tasks, &environment, wall_clock_now());
        let recordings = Recordings::open(config.program.data_dir.as_deref());
        let state = Arc::new(State {
            config,
            environment,
            tasks,
            ingest: IngestCounters::default(),
            recordings,
            replays: Replays::default(),
        });
        start_delivery(Arc::downgrade(&state), looped_back);
        Server { state }
    }

    /// Where a batch scheduler hands the batches of the program's batch tasks.
    pub fn batch_sink(&self) -> BatchSink {
        BatchSink {
            state: self.state.clone(),
        }
    }

    /// Answers one `POST /write` request in process, as the HTTP server answers it (the same
    /// checks, answer and delivery to the tasks) but without a socket or a credentials check:
    /// for harnesses such as the fuzz targets. The query string of `request`'s URI carries
    /// `db`, `rp` and `precision`; its path is not looked at.
    pub async fn write<B>(&self, request: hyper::Request<B>) -> hyper::Response<Full<Bytes>>
    where
        B: hyper::body::Body<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let query = Query::parse(request.uri().query());
        finish(write::handle(request, &query, &self.state).await)
    }

    /// Serves on `listener` until `shutdown` completes, then stops gracefully: no new
    /// connections, the requests in flight answered, every task's queue drained and the tasks
    /// flushed. The outbox is left to the caller to flush.
    pub async fn run(self, listener: TcpListener, shutdown: impl Future<Output = ()>) {
        let sampler = tokio::spawn(sample_throughput(self.state.clone()));
        let connections = GracefulShutdown::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _peer)) => self.serve_connection(stream, &connections),
                    Err(e) => {
                        // Out of file descriptors and the like: pause rather than spin.
                        eprintln!("warning: accepting a connection: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                () = &mut shutdown => break,
            }
        }
        drop(listener);
        if tokio::time::timeout(REQUEST_DRAIN_TIMEOUT, connections.shutdown())
            .await
            .is_err()
        {
            eprintln!(
                "warning: shutting down with requests still in flight after {REQUEST_DRAIN_TIMEOUT:?}"
            );
        }
        sampler.abort();
        let state = self.state;
        let stopped = tokio::task::spawn_blocking(move || {
            state.recordings.finish_all(wall_clock_now());
            state.tasks.stop_all();
        })
        .await;
        if let Err(e) = stopped {
            eprintln!("error: stopping the tasks: {e}");
        }
    }

    fn serve_connection(&self, stream: tokio::net::TcpStream, connections: &GracefulShutdown) {
        let state = self.state.clone();
        let service = service_fn(move |request| {
            let state = state.clone();
            async move { Ok::<_, std::convert::Infallible>(route(request, state).await) }
        });
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .serve_connection(TokioIo::new(stream), service);
        let connection = connections.watch(connection);
        tokio::spawn(async move {
            // A client that goes away mid-request is its own business.
            let _ = connection.await;
        });
    }
}

async fn sample_throughput(state: Arc<State>) {
    let mut ticks = tokio::time::interval_at(
        tokio::time::Instant::now() + THROUGHPUT_PERIOD,
        THROUGHPUT_PERIOD,
    );
    let mut last = Instant::now();
    loop {
        ticks.tick().await;
        let now = Instant::now();
        state.tasks.sample_throughput(now - last);
        last = now;
    }
}
