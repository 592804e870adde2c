//! A compiled task as the runtime drives it: a descriptor the generated code exports, and the
//! `Task` trait its pipeline implements.

use std::sync::Arc;

use crate::alert::{AlertLevels, AlertNode, AlertStats};
use crate::config::ProgramConfig;
use crate::delivery::Outbox;
use crate::global_deadman::GlobalDeadman;
use crate::loopback::Loopback;
use crate::node::http_out::HttpOutEndpoints;
use crate::node::query::QueryConfig;
use crate::point::{Batch, Message, Point, Time};
use crate::tap::Tap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskKind {
    Stream,
    Batch,
}

impl TaskKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::Stream => "stream",
            TaskKind::Batch => "batch",
        }
    }
}

/// A database and retention policy a task reads (`dbrp "telegraf"."autogen"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dbrp {
    pub database: &'static str,
    pub retention_policy: &'static str,
}

/// Which points of its dbrps a stream task can use, as the compiler derived them from the task's
/// `from()` nodes: the runtime hands a task only those (see [`crate::route`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routes {
    /// Every point of the task's dbrps (a descriptor written by hand).
    Dbrps,
    /// Only points that match one of these routes; none for a batch task, which takes no
    /// points from the stream.
    Only(&'static [Route]),
}

/// Points a task can use: those of one database and retention policy, of one measurement when
/// it is set, and whose tags equal `tags`. A route only ever narrows what a task's `from()`
/// would let through: a point outside every route of a task cannot pass its `from()` nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub database: &'static str,
    pub retention_policy: &'static str,
    pub measurement: Option<&'static str>,
    /// `(tag name, value)`: the tag equalities a `.where()` lambda requires (`"host" == 'a'`).
    /// A point without such a tag but with a field of that name still matches, as the lambda
    /// would read the field.
    pub tags: &'static [(&'static str, &'static str)],
}

/// What the runtime offers a task while it is built: its id, where its outputs go, the
/// program's configuration (services, InfluxDB), an optional tap on its nodes, and where its
/// httpOut nodes publish their results.
#[derive(Clone)]
pub struct TaskContext {
    pub task_id: String,
    pub outbox: Arc<dyn Outbox>,
    pub config: Arc<ProgramConfig>,
    pub tap: Option<Arc<dyn Tap>>,
    /// Where `|kapacitorLoopback()` writes; a driver without one cannot run such a task.
    pub loopback: Option<Arc<dyn Loopback>>,
    /// Generated code registers each httpOut node's result here, under its endpoint name.
    pub http_out: HttpOutEndpoints,
}

impl TaskContext {
    /// A context with the default configuration and no tap.
    pub fn new(task_id: impl Into<String>, outbox: Arc<dyn Outbox>) -> TaskContext {
        TaskContext {
            task_id: task_id.into(),
            outbox,
            config: Arc::default(),
            tap: None,
            loopback: None,
            http_out: HttpOutEndpoints::default(),
        }
    }
}

impl std::fmt::Debug for TaskContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskContext").field("task_id", &self.task_id).finish_non_exhaustive()
    }
}

/// Everything the runtime needs to know about a compiled task; generated code exports one as
/// `DESCRIPTOR`.
#[derive(Clone, Copy)]
pub struct TaskDescriptor {
    pub id: &'static str,
    pub kind: TaskKind,
    pub dbrps: &'static [Dbrp],
    /// The script, as written (shown by the API and `show`).
    pub script: &'static str,
    /// The pipeline's node names in node order (`stream0`, `from1`, ...), as `stats` names them.
    pub nodes: &'static [&'static str],
    /// The pipeline's edges, parent to child, as indices into `nodes`, in the order Kapacitor
    /// lists them (by parent, then in the order the children were added).
    pub edges: &'static [(usize, usize)],
    /// The configurations of the task's `query` nodes, in node order: query number `i` of
    /// [`Task::push_batch`] is the `i`-th of them (none for a stream task).
    pub queries: fn() -> Vec<QueryConfig>,
    pub new: fn(&TaskContext) -> Box<dyn Task>,
    /// Whether a serving program starts the task, as Kapacitor's task status `enabled` does; a
    /// disabled task is listed and can be enabled through the API.
    pub enabled: bool,
    /// Which points of its dbrps the task can use.
    pub routes: Routes,
}

impl std::fmt::Debug for TaskDescriptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskDescriptor").field("id", &self.id).field("kind", &self.kind).finish_non_exhaustive()
    }
}

impl TaskDescriptor {
    /// Builds the task's pipeline in `context`, with the deadman `[deadman] global = true`
    /// gives every task ([`GlobalDeadman`]). A global deadman that cannot be built (a global
    /// alert service misconfigured) stops the program, as a compiled alert node does.
    pub fn start(&self, context: &TaskContext) -> Box<dyn Task> {
        let task = (self.new)(context);
        let deadman = &context.config.deadman;
        if !deadman.global {
            return task;
        }
        Box::new(crate::__private::valid(self.id, GlobalDeadman::wrap(task, self, context, deadman)))
    }

    /// Whether a point written to `database`.`retention_policy` reaches this task.
    pub fn wants(&self, database: &str, retention_policy: &str) -> bool {
        self.dbrps.iter().any(|d| d.database == database && d.retention_policy == retention_policy)
    }
}

/// The processing counts of one node, for the task's DOT graph and stats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeStats {
    pub name: String,
    pub collected: u64,
    pub emitted: u64,
    pub errors: u64,
    /// How long the node takes per message, on a moving average of sampled messages.
    pub avg_exec_time_ns: u64,
    /// How many groups the node keeps state for.
    pub working_cardinality: u64,
    /// The event counts of an alert node.
    pub alert: Option<AlertStats>,
    /// How many of the deliveries of a node that sends them (alert handlers, httpPost) failed
    /// for good or were dropped.
    pub handler_failures: Option<u64>,
}

impl NodeStats {
    /// The node's stats by Kapacitor's names, sorted by name as Kapacitor lists them, apart
    /// from `collected` and `emitted` (which Kapacitor shows on edges).
    pub fn named_values(&self) -> Vec<(&'static str, u64)> {
        let mut values = vec![
            ("avg_exec_time_ns", self.avg_exec_time_ns),
            ("errors", self.errors),
            ("working_cardinality", self.working_cardinality),
        ];
        if let Some(failures) = self.handler_failures {
            values.push(("handler_failures", failures));
        }
        if let Some(alert) = &self.alert {
            values.extend([
                ("alerts_inhibited", alert.alerts_inhibited),
                ("alerts_triggered", alert.alerts_triggered),
                ("crits_triggered", alert.crits_triggered),
                ("infos_triggered", alert.infos_triggered),
                ("oks_triggered", alert.oks_triggered),
                ("warns_triggered", alert.warns_triggered),
            ]);
        }
        values.sort_by_key(|(name, _)| *name);
        values
    }

    /// These counts with an alert node's event counts and groups.
    pub fn with_alert<L: AlertLevels>(self, node: &AlertNode<L>) -> NodeStats {
        NodeStats {
            working_cardinality: node.states().count() as u64,
            alert: Some(node.stats()),
            ..self
        }
    }
}

/// A running task's pipeline.
pub trait Task: Send {
    /// A point of the stream (already matched against the task's dbrps).
    fn push_point(&mut self, point: Point);

    /// A point of the stream, lent as a message: the task takes what it keeps
    /// ([`Message::take`]) and leaves the rest, whose memory the caller may reuse (a replay
    /// reads the next point's fields into it). By default the point is taken.
    fn lend_point(&mut self, msg: &mut Message) {
        if let Message::Point(point) = msg.take() {
            self.push_point(point);
        }
    }

    /// A batch produced by the task's `query` node number `query` (batch tasks).
    fn push_batch(&mut self, query: usize, batch: Batch);

    /// Delivers everything pending (handlers, buffered writes); called before the task stops.
    fn flush(&mut self);

    /// The counts of every node, in node order.
    fn stats(&self) -> Vec<NodeStats>;

    /// The wall clock reached `now`: nodes that act on the clock rather than on data
    /// (deadman, stats, barrier) emit what is due. Called about once a second while serving,
    /// and with virtual times by tests.
    fn tick(&mut self, _now: Time) {}

    /// The state of every node that keeps state worth restoring after a restart (alert
    /// levels, window contents), by node name.
    fn snapshot(&self) -> Vec<NodeState> {
        Vec::new()
    }

    /// Puts back the state [`Task::snapshot`] took, on a freshly built pipeline. A state for a
    /// node the task no longer has is ignored (the script changed); one that cannot be read is
    /// an error naming the node, and the node starts empty.
    fn restore(&mut self, _states: &[NodeState]) -> Result<(), RestoreError> {
        Ok(())
    }
}

/// The saved state of one node.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NodeState {
    pub node: String,
    #[serde(with = "crate::bytes_serde")]
    pub bytes: Vec<u8>,
}

/// Nodes whose saved state could not be read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreError {
    /// Node name and why.
    pub failures: Vec<(String, String)>,
}

impl std::fmt::Display for RestoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.failures.iter().map(|(node, why)| format!("{node}: {why}")).collect();
        write!(f, "cannot restore the state of {}", parts.join("; "))
    }
}

impl std::error::Error for RestoreError {}
