//! A compiled task running inside another Rust program, the runtime side of `tick!`: the
//! program builds it from the descriptor the macro generated, pushes points (line protocol or
//! built by hand) and batches, moves its clock, and reads what it emits and its alerts through a
//! callback or a channel. The script's alert handlers still deliver, unless told not to.
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use tick_runtime::embed::{EmbedConfig, EmbeddedTask, Handlers, OutputRef};
//! # use tick_runtime::task::{Dbrp, NodeStats, Routes, Task, TaskDescriptor, TaskKind};
//! # use tick_runtime::point::{Batch, Point};
//! # struct Echo;
//! # impl Task for Echo {
//! #     fn push_point(&mut self, _: Point) {}
//! #     fn push_batch(&mut self, _: usize, _: Batch) {}
//! #     fn flush(&mut self) {}
//! #     fn stats(&self) -> Vec<NodeStats> { Vec::new() }
//! # }
//! # static DESCRIPTOR: TaskDescriptor = TaskDescriptor {
//! #     id: "cpu_alert", kind: TaskKind::Stream,
//! #     dbrps: &[Dbrp { database: "telegraf", retention_policy: "autogen" }],
//! #     script: "", nodes: &["stream0"], edges: &[], queries: Vec::new, new: |_| Box::new(Echo),
//! #     enabled: true, routes: Routes::Dbrps,
//! # };
//!
//! // DESCRIPTOR is what `tick!` generates for a script (`cpu_alert::DESCRIPTOR`).
//! let alerts = Arc::new(Mutex::new(Vec::new()));
//! let seen = Arc::clone(&alerts);
//! let config = EmbedConfig::new().handlers(Handlers::Off).on_output(move |output| {
//!     if let OutputRef::Alert { event, .. } = output {
//!         seen.lock().unwrap().push(event.message.clone());
//!     }
//! });
//! let mut task = EmbeddedTask::new(&DESCRIPTOR, config);
//! let pushed = task
//!     .push_line_protocol("telegraf", "autogen", "cpu,host=web1 usage_idle=12 1700000000000000000\n")
//!     .unwrap();
//! assert_eq!(pushed, 1);
//! task.flush();
//! # assert!(alerts.lock().unwrap().is_empty());
//! ```

mod config;
mod line_protocol;
mod output;
mod point_builder;

pub use config::{EmbedConfig, Handlers};
pub use line_protocol::BadLines;
pub use output::{Alert, AlertData, Output, OutputRef};
pub use point_builder::PointBuilder;

use std::sync::Arc;

use crate::delivery::threaded::ThreadedOutbox;
use crate::delivery::{Delivery, Outbox};
use crate::point::{Batch, Point, Time};
use crate::task::{NodeState, NodeStats, RestoreError, Task, TaskContext, TaskDescriptor};
use crate::time::{Precision, wall_clock_now};
use output::{LeafTap, Sink};

/// A compiled task driven by the program that embeds it. Everything runs on the caller's
/// thread, in the order of the calls; outputs reach the callback (or channel) before the call
/// that caused them returns. Dropping the task flushes it.
pub struct EmbeddedTask {
    descriptor: &'static TaskDescriptor,
    task_id: String,
    task: Box<dyn Task>,
    outbox: Arc<dyn Outbox>,
}

impl std::fmt::Debug for EmbeddedTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedTask").field("task_id", &self.task_id).finish_non_exhaustive()
    }
}

/// An outbox that drops every delivery: handlers turned off.
struct Discard;

impl Outbox for Discard {
    fn send(&self, _delivery: Delivery) {}

    fn flush(&self) {}
}

impl EmbeddedTask {
    /// Starts the task `descriptor` describes (the `DESCRIPTOR` a `tick!` module exports).
    pub fn new(descriptor: &'static TaskDescriptor, config: EmbedConfig) -> EmbeddedTask {
        let outbox: Arc<dyn Outbox> = match config.handlers {
            Handlers::Deliver => Arc::new(ThreadedOutbox::new()),
            Handlers::Off => Arc::new(Discard),
            Handlers::Outbox(outbox) => outbox,
        };
        let tap = match config.sink {
            Sink::None => None,
            Sink::Tap(tap) => Some(tap),
            Sink::Callback(callback) => Some(Arc::new(LeafTap { leaves: leaves(descriptor), callback }) as _),
        };
        let task_id = config.task_id.unwrap_or_else(|| descriptor.id.to_owned());
        let context = TaskContext {
            config: config.program,
            tap,
            ..TaskContext::new(task_id.clone(), Arc::clone(&outbox))
        };
        let task = descriptor.start(&context);
        EmbeddedTask { descriptor, task_id, task, outbox }
    }

    /// The task's id: the one it was compiled with, unless the configuration named another.
    pub fn id(&self) -> &str {
        &self.task_id
    }

    /// What the compiler knows of the task: its kind, databases, script, nodes and edges.
    pub fn descriptor(&self) -> &'static TaskDescriptor {
        self.descriptor
    }

    /// Whether points written to `database`.`retention_policy` reach the task: those its
    /// script names with `dbrp`, or any when it names none.
    pub fn wants(&self, database: &str, retention_policy: &str) -> bool {
        self.descriptor.dbrps.is_empty() || self.descriptor.wants(database, retention_policy)
    }

    /// Pushes a point of the stream, if the task reads its database and retention policy
    /// (see [`EmbeddedTask::wants`]); returns whether it did.
    pub fn push_point(&mut self, point: Point) -> bool {
        let wanted = self.wants(&point.database, &point.retention_policy);
        if wanted {
            self.task.push_point(point);
        }
        wanted
    }

    /// Pushes every line of `text` (InfluxDB line protocol, timestamps in nanoseconds; a line
    /// without one is stamped with the wall clock) as if written to
    /// `database`.`retention_policy`, and returns how many points reached the task. As
    /// InfluxDB's `/write` does, the good lines are pushed even when some are malformed; the
    /// malformed ones are then the error.
    pub fn push_line_protocol(&mut self, database: &str, retention_policy: &str, text: &str) -> Result<usize, BadLines> {
        self.push_line_protocol_with(database, retention_policy, text, Precision::Nanosecond)
    }

    /// [`EmbeddedTask::push_line_protocol`] with timestamps in `precision` units.
    pub fn push_line_protocol_with(
        &mut self,
        database: &str,
        retention_policy: &str,
        text: &str,
        precision: Precision,
    ) -> Result<usize, BadLines> {
        if !self.wants(database, retention_policy) {
            return line_protocol::check(text, precision).map(|()| 0);
        }
        let now = wall_clock_now();
        line_protocol::for_each_point(text, precision, database, retention_policy, now, |point| {
            self.task.push_point(point);
        })
    }

    /// Starts a point of `measurement` at `time` in the task's first database (a script with
    /// no `dbrp` gets an empty database name, which it reads all the same).
    pub fn point(&self, measurement: &str, time: Time) -> PointBuilder {
        let (database, retention_policy) =
            self.descriptor.dbrps.first().map_or(("", ""), |d| (d.database, d.retention_policy));
        PointBuilder::new(database, retention_policy, measurement, time)
    }

    /// Pushes a batch as the result of the task's `query` node number `query` (batch tasks;
    /// the order of `descriptor().queries`).
    pub fn push_batch(&mut self, query: usize, batch: Batch) {
        self.task.push_batch(query, batch);
    }

    /// Tells the task the wall clock reached `now`: nodes driven by the clock rather than by
    /// data (deadman, stats) emit what is due. A program calls it about once a second, a test
    /// with whatever times it needs.
    pub fn tick(&mut self, now: Time) {
        self.task.tick(now);
    }

    /// Delivers everything pending: the pipeline's buffered output, then every handler
    /// delivery (waiting for them when handlers deliver).
    pub fn flush(&mut self) {
        self.task.flush();
        self.outbox.flush();
    }

    /// The processing counts of every node, in node order.
    pub fn stats(&self) -> Vec<NodeStats> {
        self.task.stats()
    }

    /// The state worth keeping across a restart (alert levels, window contents), by node.
    pub fn snapshot(&self) -> Vec<NodeState> {
        self.task.snapshot()
    }

    /// Puts back what [`EmbeddedTask::snapshot`] took, on a task that has seen nothing yet.
    pub fn restore(&mut self, states: &[NodeState]) -> Result<(), RestoreError> {
        self.task.restore(states)
    }
}

impl Drop for EmbeddedTask {
    fn drop(&mut self) {
        self.flush();
    }
}

/// The names of the nodes without children: what they emit leaves the pipeline.
fn leaves(descriptor: &TaskDescriptor) -> Vec<&'static str> {
    descriptor
        .nodes
        .iter()
        .enumerate()
        .filter(|(index, _)| !descriptor.edges.iter().any(|(parent, _)| parent == index))
        .map(|(_, name)| *name)
        .collect()
}

#[cfg(test)]
mod tests;
