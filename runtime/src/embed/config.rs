//! How an embedded task is set up: its id, the program configuration its handlers read, where
//! its handlers deliver, and where its outputs go.

use std::sync::Arc;
use std::sync::mpsc::SyncSender;

use super::output::{Output, OutputRef, Sink};
use crate::config::ProgramConfig;
use crate::delivery::Outbox;
use crate::tap::Tap;

/// What the alert handlers a script declares (`.log()`, `.post()`, `.tcp()`, `.exec()`, ...)
/// do in an embedded task.
#[derive(Clone, Default)]
pub enum Handlers {
    /// Deliver, as a task program does: each target has its own ordered, bounded queue and
    /// thread, and [`EmbeddedTask::flush`](super::EmbeddedTask::flush) waits for them.
    #[default]
    Deliver,
    /// Do nothing: the program reads alerts from the task's outputs instead.
    Off,
    /// Hand every delivery to this outbox, e.g. a
    /// [`RecordingOutbox`](crate::delivery::RecordingOutbox) to look at them in a test.
    Outbox(Arc<dyn Outbox>),
}

impl std::fmt::Debug for Handlers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Handlers::Deliver => "Deliver",
            Handlers::Off => "Off",
            Handlers::Outbox(_) => "Outbox(..)",
        })
    }
}

/// The configuration of an [`EmbeddedTask`](super::EmbeddedTask), built with chained calls:
///
/// ```
/// use tick_runtime::embed::{EmbedConfig, Handlers};
///
/// let (sender, outputs) = std::sync::mpsc::sync_channel(1024);
/// let config = EmbedConfig::new().handlers(Handlers::Off).channel(sender);
/// # drop(outputs);
/// # let _ = config;
/// ```
pub struct EmbedConfig {
    pub(super) task_id: Option<String>,
    pub(super) program: Arc<ProgramConfig>,
    pub(super) handlers: Handlers,
    pub(super) sink: Sink,
}

impl Default for EmbedConfig {
    fn default() -> Self {
        EmbedConfig::new()
    }
}

impl std::fmt::Debug for EmbedConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbedConfig")
            .field("task_id", &self.task_id)
            .field("handlers", &self.handlers)
            .finish_non_exhaustive()
    }
}

impl EmbedConfig {
    /// Handlers deliver, nothing is reported back, the task's id is the script's.
    pub fn new() -> EmbedConfig {
        EmbedConfig {
            task_id: None,
            program: Arc::default(),
            handlers: Handlers::Deliver,
            sink: Sink::None,
        }
    }

    /// The id the task goes by in its alerts (`{{ .TaskName }}`) instead of the one it was
    /// compiled with.
    pub fn task_id(mut self, id: impl Into<String>) -> EmbedConfig {
        self.task_id = Some(id.into());
        self
    }

    /// The configuration handlers and services read (Kapacitor's `kapacitor.conf` sections),
    /// e.g. from [`ProgramConfig::load`].
    pub fn program(mut self, config: ProgramConfig) -> EmbedConfig {
        self.program = Arc::new(config);
        self
    }

    /// What the script's alert handlers do.
    pub fn handlers(mut self, handlers: Handlers) -> EmbedConfig {
        self.handlers = handlers;
        self
    }

    /// Calls `callback` with every alert event and with what the pipeline's last nodes emit,
    /// on the thread that pushes, before the push returns. Replaces an earlier `channel`,
    /// `on_output` or `tap`.
    pub fn on_output(mut self, callback: impl Fn(OutputRef<'_>) + Send + Sync + 'static) -> EmbedConfig {
        self.sink = Sink::Callback(Box::new(callback));
        self
    }

    /// Sends every alert event and what the pipeline's last nodes emit to `sender`, owned.
    /// The channel is bounded: when it is full, the push waits for the receiver, so read it
    /// on another thread (or use [`EmbedConfig::on_output`] to collect on this one).
    pub fn channel(mut self, sender: SyncSender<Output>) -> EmbedConfig {
        self.sink = Sink::channel(sender);
        self
    }

    /// Hands what every node emits, and every alert event, to `tap`.
    pub fn tap(mut self, tap: Arc<dyn Tap>) -> EmbedConfig {
        self.sink = Sink::Tap(tap);
        self
    }
}
