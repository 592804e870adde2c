//! Tasks running live. An executing task is an actor of the program's [`Executor`]: one thread
//! at a time runs its pipeline on the chunks of points in its bounded queue. A write hands an
//! idle task its chunk on the write's own thread, as Kapacitor's writes run its pipelines; a
//! chunk for a busy task waits in the queue for one of a few worker threads. A full queue makes
//! its writers wait (back-pressure) and never grows, and a slow task holds up only the writes
//! that reach it. The task publishes its node counts after each chunk, so the API reads them
//! without waiting on it.
//!
//! With a data directory, the task also keeps the task's state on disk: the states of its
//! nodes and the deliveries it sent that are not yet made. It restores them when the task
//! starts (the deliveries only at the program's start: later, the outbox still has them), saves
//! them at most [`SAVE_INTERVAL`] apart while the task runs (only when they changed, and also
//! in the middle of a long chunk), and once more when the task stops, after its final flush.
//! At the program's shutdown the outbox delivers what it can within the handler timeout
//! ([`Outbox::stop`]); that last save keeps the rest.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::executor::{Executor, Flow, Handler, Joiner, Sender, lock};
use super::recycle::{Pool, SpareFields};
use super::state_file::{LoadError, SavedState, StateFile};
use super::write::CHUNK_POINTS;
use crate::config::ProgramConfig;
use crate::delivery::{Outbox, TaskOutbox};
use crate::node::http_out::{HttpOutEndpoints, HttpOutResult};
use crate::point::{Batch, Message, Point, Str, Time};
use crate::route::{Routable, RouteIndex, Scratch, TaskIndex};
use crate::task::{NodeState, NodeStats, Task, TaskContext, TaskDescriptor};

/// Points handed to a task in one go: a slice of one write request.
pub(crate) type Chunk = Vec<Point>;

/// Emptied chunks, for the writes to fill again (see [`super::recycle`]): as many as a task's
/// queue holds, of at most a full chunk each (grown from a small one, its room is a power of two).
pub(crate) static CHUNKS: Pool<Chunk> = Pool::new(16, CHUNK_POINTS.next_power_of_two() * std::mem::size_of::<Point>());

/// The fields of points the tasks are done with, for the writes to read points into (see
/// [`super::recycle`]): one stack per chunk a task finished, a few chunks' worth in all.
pub(crate) static SPARE_FIELDS: Pool<SpareFields> = Pool::new(8, SpareFields::MAX_BYTES);

/// What a task is handed through its queue.
pub(crate) enum Work {
    /// Points of the stream.
    Points(Chunk),
    /// A batch the task's query number `query` produced.
    Batch { query: usize, batch: Batch },
}

/// The longest a running task goes without saving its state: what a SIGKILL can lose of what
/// the task had taken in.
const SAVE_INTERVAL: Duration = Duration::from_secs(1);
/// Points a task processes between looks at the clock inside a chunk, so a slow chunk does not
/// hold a save back.
const POINTS_BETWEEN_SAVE_CHECKS: usize = 256;

/// What every task of the program runs with.
pub(crate) struct Environment {
    pub(crate) outbox: Arc<dyn Outbox>,
    pub(crate) config: Arc<ProgramConfig>,
    /// How many chunks a task's queue holds.
    pub(crate) queue_chunks: usize,
    /// Where `|kapacitorLoopback()` writes.
    pub(crate) loopback: Arc<dyn crate::loopback::Loopback>,
    /// The threads the tasks run on.
    pub(crate) executor: Executor,
}

impl Environment {
    /// The context a new pipeline of task `task_id` is built with.
    pub(crate) fn context(&self, task_id: &str) -> TaskContext {
        TaskContext {
            config: self.config.clone(),
            loopback: Some(self.loopback.clone()),
            ..TaskContext::new(task_id, self.outbox.clone())
        }
    }

    /// The context of the live pipeline of task `task_id`: what it sends is marked as its
    /// own, so its pending deliveries can be saved with its state.
    fn live_context(&self, task_id: &str) -> TaskContext {
        TaskContext {
            outbox: Arc::new(TaskOutbox::new(task_id, self.outbox.clone())),
            ..self.context(task_id)
        }
    }

    /// What keeps the task's state, when the program has a data directory.
    fn keeper(&self, task_id: &str) -> Option<Keeper> {
        let data_dir = self.config.data_dir.as_ref()?;
        Some(Keeper {
            file: StateFile::new(&data_dir.join("state"), task_id),
            task: task_id.into(),
            outbox: self.outbox.clone(),
            next_save: Instant::now() + SAVE_INTERVAL,
        })
    }
}

/// A task's saved state as the task keeps it: the file, the outbox whose deliveries for the
/// task go with the node states, and when the next save is due.
struct Keeper {
    file: StateFile,
    task: Arc<str>,
    outbox: Arc<dyn Outbox>,
    next_save: Instant,
}

/// A task that has stopped, and its state still to be saved.
struct Stopped {
    keeper: Keeper,
    nodes: Vec<NodeState>,
}

impl Stopped {
    fn save(mut self) {
        self.keeper.save(self.nodes);
    }
}

impl Keeper {
    /// Puts the task's saved state back, and queues its saved deliveries again when
    /// `requeue`. What cannot be read is reported and left out: the task starts without it
    /// (an unreadable file is moved aside rather than overwritten).
    fn restore(&mut self, task: &mut dyn Task, requeue: bool) {
        match self.file.load() {
            Ok(saved) => {
                if !saved.nodes.is_empty()
                    && let Err(e) = task.restore(&saved.nodes)
                {
                    eprintln!("warning: task {}: {e}; those nodes start empty", self.task);
                }
                if requeue {
                    // The counts of the nodes that sent them are not saved: should they fail
                    // now, only the outbox's total counts them.
                    for delivery in saved.deliveries {
                        self.outbox.send_for(&self.task, delivery, None);
                    }
                }
            }
            Err(e) => {
                let aside = match &e {
                    LoadError::Unreadable(_) => self
                        .file
                        .set_aside()
                        .map(|aside| format!(" (moved to {})", aside.display()))
                        .unwrap_or_default(),
                    LoadError::Io(_) => String::new(),
                };
                eprintln!(
                    "warning: task {}: cannot read its saved state {}: {e}{aside}; the task starts empty",
                    self.task,
                    self.file.path().display()
                );
            }
        }
    }

    fn save_if_due(&mut self, task: &dyn Task) {
        if Instant::now() >= self.next_save {
            self.save(task.snapshot());
        }
    }

    fn save(&mut self, nodes: Vec<NodeState>) {
        let deliveries = self.outbox.pending(&self.task);
        self.file.save(&SavedState { nodes, deliveries });
        self.next_save = Instant::now() + SAVE_INTERVAL;
    }
}

/// Every task of the program, in the order the program lists them.
pub(crate) struct LiveTasks {
    tasks: Vec<LiveTask>,
    /// Which tasks can use a point, by position in `tasks`.
    routes: Arc<RouteIndex>,
    environment: Arc<Environment>,
}

/// One task of the program, executing or not.
pub(crate) struct LiveTask {
    descriptor: TaskDescriptor,
    environment: Arc<Environment>,
    created: Time,
    /// Held across a whole enable or disable, so a task never runs twice while one execution
    /// drains.
    lifecycle: tokio::sync::Mutex<()>,
    state: Mutex<TaskState>,
}

struct TaskState {
    enabled: bool,
    /// Whether an execution has put the saved deliveries back in the outbox (the first one
    /// does; later ones find them still there).
    deliveries_restored: bool,
    modified: Time,
    last_enabled: Option<Time>,
    execution: Option<Execution>,
    /// Why the task could not start or stopped on its own.
    error: String,
}

struct Execution {
    queue: Sender<Work>,
    progress: Arc<Progress>,
    running: Joiner<Execute>,
    http_out: HttpOutEndpoints,
}

/// What an executing task shares with the server.
#[derive(Default)]
struct Progress {
    stats: Mutex<Vec<NodeStats>>,
    points: AtomicU64,
    throughput: Mutex<Throughput>,
    /// Set when the pipeline panicked; the task is gone and its queue closed.
    failure: Mutex<Option<String>>,
}

/// Points per second into the task, sampled like Kapacitor's task throughput.
#[derive(Default, Clone, Copy)]
struct Throughput {
    points_at_last_sample: u64,
    per_second: f64,
}

/// Where a write sends points for one task.
#[derive(Clone)]
pub(crate) struct Target {
    pub(crate) task_id: &'static str,
    pub(crate) queue: Sender<Work>,
}

/// The executing tasks a write of one database and retention policy can reach, and which of
/// them can use each of its points.
pub(crate) struct Targets {
    routes: Arc<RouteIndex>,
    /// By task index; none for a task not executing.
    by_task: Vec<Option<Target>>,
}

impl Targets {
    /// How many tasks the program has (executing or not): task indices are below it.
    pub(crate) fn task_count(&self) -> usize {
        self.by_task.len()
    }

    /// Whether no task can take a point.
    pub(crate) fn is_empty(&self) -> bool {
        self.by_task.iter().all(Option::is_none)
    }

    pub(crate) fn get(&self, task: TaskIndex) -> Option<&Target> {
        self.by_task.get(task)?.as_ref()
    }

    /// The executing tasks that can use `point`, written to `database`.`retention_policy`.
    pub(crate) fn tasks_for<'s, P: Routable + ?Sized>(
        &'s self,
        scratch: &'s mut Scratch,
        database: &Str,
        retention_policy: &Str,
        point: &P,
    ) -> impl Iterator<Item = TaskIndex> + use<'s, P> {
        self.routes
            .tasks_for(scratch, database, retention_policy, point)
            .filter(move |&task| self.get(task).is_some())
    }
}

/// A task as the API shows it at one moment.
pub(crate) struct TaskSnapshot {
    pub(crate) descriptor: TaskDescriptor,
    pub(crate) enabled: bool,
    /// Present while the task runs.
    pub(crate) execution: Option<ExecutionSnapshot>,
    pub(crate) error: String,
    pub(crate) created: Time,
    pub(crate) modified: Time,
    pub(crate) last_enabled: Option<Time>,
}

pub(crate) struct ExecutionSnapshot {
    pub(crate) stats: Vec<NodeStats>,
    pub(crate) throughput: f64,
}

impl LiveTasks {
    /// Starts every task that is enabled (the others wait for an enable through the API).
    pub(crate) fn start(
        descriptors: &[TaskDescriptor],
        environment: &Arc<Environment>,
        now: Time,
    ) -> Self {
        let tasks = descriptors
            .iter()
            .map(|descriptor| {
                let task = LiveTask {
                    descriptor: *descriptor,
                    environment: environment.clone(),
                    created: now,
                    lifecycle: tokio::sync::Mutex::new(()),
                    state: Mutex::new(TaskState {
                        enabled: false,
                        deliveries_restored: false,
                        modified: now,
                        last_enabled: None,
                        execution: None,
                        error: String::new(),
                    }),
                };
                if descriptor.enabled {
                    task.enable(&mut lock(&task.state), now);
                }
                task
            })
            .collect();
        LiveTasks {
            tasks,
            routes: Arc::new(RouteIndex::new(descriptors)),
            environment: environment.clone(),
        }
    }

    pub(crate) fn get(&self, id: &str) -> Option<&LiveTask> {
        self.tasks.iter().find(|t| t.descriptor.id == id)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &LiveTask> {
        self.tasks.iter()
    }

    /// The queues of the executing tasks that can use points of `database`.`retention_policy`.
    pub(crate) fn targets(&self, database: &str, retention_policy: &str) -> Targets {
        let by_task = if self.routes.reads(database, retention_policy) {
            self.tasks.iter().map(LiveTask::target).collect()
        } else {
            Vec::new()
        };
        Targets {
            routes: self.routes.clone(),
            by_task,
        }
    }

    /// Updates every executing task's throughput from the points it took in the last
    /// `elapsed`.
    pub(crate) fn sample_throughput(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        if seconds <= 0.0 {
            return;
        }
        for task in &self.tasks {
            let Some(progress) = lock(&task.state)
                .execution
                .as_ref()
                .map(|e| e.progress.clone())
            else {
                continue;
            };
            let points = progress.points.load(Ordering::Relaxed);
            let mut throughput = lock(&progress.throughput);
            let new_points = points.saturating_sub(throughput.points_at_last_sample);
            *throughput = Throughput {
                points_at_last_sample: points,
                per_second: new_points as f64 / seconds,
            };
        }
    }

    /// Stops every task: each drains its queue (every accepted point is processed), flushes
    /// its pipeline and ends. Blocks until they all have. Then the outbox delivers what it can
    /// within the handler timeout (so a slow endpoint holds the exit up no longer than one
    /// attempt may take), and tasks that keep state save their nodes with what is left
    /// undelivered.
    pub(crate) fn stop_all(&self) {
        let executions: Vec<Execution> = self
            .tasks
            .iter()
            .filter_map(|t| lock(&t.state).execution.take())
            .collect();
        // Close every queue first so the tasks drain side by side.
        let running: Vec<Joiner<Execute>> = executions.into_iter().map(|e| e.running).collect();
        let stopped: Vec<Stopped> = running.into_iter().filter_map(Joiner::join).collect();
        self.environment.outbox.stop();
        for task in stopped {
            task.save();
        }
    }
}

impl LiveTask {
    pub(crate) fn descriptor(&self) -> &TaskDescriptor {
        &self.descriptor
    }

    /// Where points for the task go, while it executes.
    fn target(&self) -> Option<Target> {
        let state = lock(&self.state);
        let execution = state.execution.as_ref()?;
        Some(Target {
            task_id: self.descriptor.id,
            queue: execution.queue.clone(),
        })
    }

    /// The result of the executing task's httpOut node at `endpoint`.
    pub(crate) fn http_out(&self, endpoint: &str) -> Option<HttpOutResult> {
        lock(&self.state).execution.as_ref()?.http_out.get(endpoint)
    }

    /// Hands a batch of the task's query number `query` to the executing task, waiting while
    /// its queue is full.
    pub(crate) fn push_batch(&self, query: usize, batch: Batch) -> Result<(), TaskStopped> {
        let queue = lock(&self.state).execution.as_ref().map(|e| e.queue.clone());
        let queue = queue.ok_or(TaskStopped)?;
        queue.send(Work::Batch { query, batch }).map_err(|_| TaskStopped)
    }

    pub(crate) fn snapshot(&self) -> TaskSnapshot {
        let state = lock(&self.state);
        let failure = state
            .execution
            .as_ref()
            .and_then(|e| lock(&e.progress.failure).clone());
        let execution = state
            .execution
            .as_ref()
            .filter(|_| failure.is_none())
            .map(|e| ExecutionSnapshot {
                stats: lock(&e.progress.stats).clone(),
                throughput: lock(&e.progress.throughput).per_second,
            });
        TaskSnapshot {
            descriptor: self.descriptor,
            enabled: state.enabled,
            execution,
            error: failure.unwrap_or_else(|| state.error.clone()),
            created: self.created,
            modified: state.modified,
            last_enabled: state.last_enabled,
        }
    }

    /// Enables or disables the task. Disabling waits until the task has processed every point
    /// it accepted and flushed; enabling starts a fresh pipeline, as Kapacitor starts a task
    /// anew. Either way the task counts as modified.
    pub(crate) async fn set_enabled(&self, enabled: bool, now: Time) {
        let _lifecycle = self.lifecycle.lock().await;
        let stopping = {
            let mut state = lock(&self.state);
            state.modified = now;
            match (state.enabled, enabled) {
                (false, true) => {
                    self.enable(&mut state, now);
                    None
                }
                (true, false) => {
                    state.enabled = false;
                    state.execution.take()
                }
                _ => None,
            }
        };
        if let Some(Execution { queue, running, .. }) = stopping {
            // Closing our end of the queue lets the task finish once it is drained.
            drop(queue);
            // Joining blocks until the queue drains: keep it off the async workers. The
            // outbox keeps delivering what the task sent; the save lists what it has left.
            let _ = tokio::task::spawn_blocking(move || {
                if let Some(stopped) = running.join() {
                    stopped.save();
                }
            })
            .await;
        }
    }

    fn enable(&self, state: &mut TaskState, now: Time) {
        state.enabled = true;
        state.last_enabled = Some(now);
        let requeue = !state.deliveries_restored;
        state.deliveries_restored = true;
        match self.spawn(requeue) {
            Ok(execution) => {
                state.execution = Some(execution);
                state.error.clear();
            }
            Err(e) => state.error = format!("cannot start a thread for the tasks: {e}"),
        }
    }

    /// Builds the task's pipeline and starts it on the executor; it queues the saved
    /// deliveries again when `requeue`.
    fn spawn(&self, requeue: bool) -> std::io::Result<Execution> {
        let progress = Arc::new(Progress::default());
        let context = self.environment.live_context(self.descriptor.id);
        let http_out = context.http_out.clone();
        let keeper = self.environment.keeper(self.descriptor.id);
        // The task counts as started once its pipeline is built: its httpOut endpoints are
        // registered then, so a request right after the start finds them.
        let execute = Execute::start(self.descriptor.new, &context, progress.clone(), keeper, requeue);
        let (queue, running) = self.environment.executor.spawn(self.environment.queue_chunks, execute)?;
        Ok(Execution {
            queue,
            progress,
            running,
            http_out,
        })
    }
}

/// A live task's pipeline as the executor runs it: it takes the chunks and batches sent to
/// it, is told the time, keeps its state on disk (see the module's documentation) and
/// publishes its counts. A panic in the pipeline ends the task and is reported, not spread.
struct Execute {
    task: Box<dyn Task>,
    progress: Arc<Progress>,
    keeper: Option<Keeper>,
}

impl Execute {
    /// Builds the pipeline in `context`, restoring its saved state (and queuing its saved
    /// deliveries again when `requeue`); `None`, reported, when building it panicked.
    fn start(
        new: fn(&TaskContext) -> Box<dyn Task>,
        context: &TaskContext,
        progress: Arc<Progress>,
        mut keeper: Option<Keeper>,
        requeue: bool,
    ) -> Option<Execute> {
        let built = catch_unwind(AssertUnwindSafe(|| {
            let mut task = new(context);
            if let Some(keeper) = &mut keeper {
                keeper.restore(task.as_mut(), requeue);
            }
            *lock(&progress.stats) = task.stats();
            task
        }));
        match built {
            Ok(task) => Some(Execute { task, progress, keeper }),
            Err(panic) => {
                report_panic(&progress, panic.as_ref());
                None
            }
        }
    }

    /// Runs `step` on the pipeline, then saves its state when due and publishes its counts.
    fn guarded(&mut self, step: impl FnOnce(&mut Execute)) -> Flow {
        let run = catch_unwind(AssertUnwindSafe(|| {
            step(self);
            if let Some(keeper) = &mut self.keeper {
                keeper.save_if_due(self.task.as_ref());
            }
            *lock(&self.progress.stats) = self.task.stats();
        }));
        match run {
            Ok(()) => Flow::Continue,
            Err(panic) => {
                report_panic(&self.progress, panic.as_ref());
                Flow::Stop
            }
        }
    }

    /// Lends each point to the task and keeps the memory of the fields it left for the
    /// writes to come.
    fn push_chunk(&mut self, mut chunk: Chunk) {
        let count = chunk.len() as u64;
        let mut spare = SPARE_FIELDS.take();
        for (index, point) in chunk.drain(..).enumerate() {
            let mut lent = Message::Point(point);
            self.task.lend_point(&mut lent);
            if let Message::Point(left) = lent {
                spare.keep(left.fields);
            }
            if (index + 1) % POINTS_BETWEEN_SAVE_CHECKS == 0
                && let Some(keeper) = &mut self.keeper
            {
                keeper.save_if_due(self.task.as_ref());
            }
        }
        CHUNKS.give(chunk);
        SPARE_FIELDS.give(spare);
        self.progress.points.fetch_add(count, Ordering::Relaxed);
    }
}

impl Handler for Execute {
    type Message = Work;
    /// The task's state, still to be saved by whoever stopped it.
    type Outcome = Stopped;

    fn handle(&mut self, work: Work) -> Flow {
        self.guarded(|execute| match work {
            Work::Points(chunk) => execute.push_chunk(chunk),
            Work::Batch { query, batch } => execute.task.push_batch(query, batch),
        })
    }

    fn tick(&mut self) -> Flow {
        self.guarded(|execute| execute.task.tick(crate::time::wall_clock_now()))
    }

    fn finish(self) -> Option<Stopped> {
        let Execute { mut task, progress, keeper } = self;
        let flushed = catch_unwind(AssertUnwindSafe(|| {
            task.flush();
            *lock(&progress.stats) = task.stats();
            keeper.map(|keeper| Stopped {
                keeper,
                nodes: task.snapshot(),
            })
        }));
        match flushed {
            Ok(stopped) => stopped,
            Err(panic) => {
                report_panic(&progress, panic.as_ref());
                None
            }
        }
    }
}

/// Records that the task stopped because its pipeline panicked.
fn report_panic(progress: &Progress, panic: &(dyn Any + Send)) {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".to_owned());
    *lock(&progress.failure) = Some(format!("the task stopped: it panicked: {message}"));
}

/// The task is not executing (disabled, stopped by a failure, or not in the program).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskStopped;

impl std::fmt::Display for TaskStopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the task is not running")
    }
}

impl std::error::Error for TaskStopped {}

/// Hands `chunk` to a task, waiting while its queue is full.
pub(crate) fn deliver(target: &Target, chunk: Chunk) -> Result<(), TaskStopped> {
    target.queue.send(Work::Points(chunk)).map_err(|_| TaskStopped)
}
