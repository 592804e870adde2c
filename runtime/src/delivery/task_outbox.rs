//! The outbox as one task sees it: everything the task sends is marked as the task's, so the
//! deliveries it has pending can be saved with its state.

use std::sync::Arc;

use super::{Delivery, FailureCount, Outbox};

/// A task's view of the program's outbox.
pub struct TaskOutbox {
    task: Arc<str>,
    outbox: Arc<dyn Outbox>,
}

impl TaskOutbox {
    pub fn new(task: &str, outbox: Arc<dyn Outbox>) -> Self {
        TaskOutbox { task: task.into(), outbox }
    }
}

impl std::fmt::Debug for TaskOutbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskOutbox").field("task", &self.task).finish_non_exhaustive()
    }
}

impl Outbox for TaskOutbox {
    fn send(&self, delivery: Delivery) {
        self.outbox.send_for(&self.task, delivery, None);
    }

    fn send_counted(&self, delivery: Delivery, failures: &FailureCount) {
        self.outbox.send_for(&self.task, delivery, Some(failures));
    }

    fn send_for(&self, origin: &Arc<str>, delivery: Delivery, failures: Option<&FailureCount>) {
        self.outbox.send_for(origin, delivery, failures);
    }

    fn flush(&self) {
        self.outbox.flush();
    }

    fn failures(&self) -> u64 {
        self.outbox.failures()
    }

    fn pending(&self, origin: &str) -> Vec<Delivery> {
        self.outbox.pending(origin)
    }

    fn stop(&self) {
        self.outbox.stop();
    }
}
