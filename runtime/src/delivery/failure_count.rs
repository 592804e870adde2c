//! A count of the deliveries one node sent that failed for good or were dropped, shared by the
//! node (which shows it in its stats) and the outbox (which counts into it).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A node's delivery failures. Clones count into the same total.
#[derive(Debug, Clone, Default)]
pub struct FailureCount(Arc<AtomicU64>);

impl FailureCount {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many deliveries have failed so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    pub(crate) fn add(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}
