//! How patient delivery is: the bound on what may wait per target, the timeout of each attempt,
//! and the retries (with exponential backoff) of HTTP posts.

use std::time::Duration;

/// The limits of a [`super::threaded::ThreadedOutbox`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryPolicy {
    /// Deliveries one target may have waiting; more are dropped (and counted as failures), so a
    /// target that does not keep up never holds up the pipeline.
    pub queue_capacity: usize,
    /// The timeout of an attempt whose delivery does not name its own.
    pub timeout: Duration,
    /// How many more times a post is tried after a failure that may pass (no answer, a 5xx,
    /// a 429). Other deliveries are tried once: running a program or appending a line twice is
    /// not harmless.
    pub retries: u32,
    /// The wait before the first retry; each next one waits twice as long.
    pub backoff: Duration,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        DeliveryPolicy {
            queue_capacity: 4096,
            timeout: Duration::from_secs(10),
            retries: 3,
            backoff: Duration::from_millis(500),
        }
    }
}

impl DeliveryPolicy {
    /// The waits before each retry: `backoff`, twice that, and so on.
    pub fn backoffs(&self) -> impl Iterator<Item = Duration> + use<> {
        let first = self.backoff;
        (0..self.retries).map(move |n| first.saturating_mul(1u32.checked_shl(n).unwrap_or(u32::MAX)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_for_each_retry() {
        let policy = DeliveryPolicy {
            retries: 4,
            backoff: Duration::from_millis(100),
            ..DeliveryPolicy::default()
        };
        let waits: Vec<u128> = policy.backoffs().map(|d| d.as_millis()).collect();
        assert_eq!(waits, [100, 200, 400, 800]);
        let none = DeliveryPolicy {
            retries: 0,
            ..policy
        };
        assert_eq!(none.backoffs().count(), 0);
    }
}
