//! Kapacitor's loopback: points a task writes back into the program's own stream
//! (`|kapacitorLoopback()`), to be processed by the tasks that read their database and
//! retention policy as if they had arrived on `/write`.
//!
//! A driver offers a [`Loopback`] in the task's context. [`LoopbackQueue`] is the one replays
//! use and the live server can use too: writes go into a bounded queue and the driver takes
//! them out after the point being processed, so a task never re-enters the pipeline that is
//! writing.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::point::Point;

/// Where `|kapacitorLoopback()` writes.
pub trait Loopback: Send + Sync {
    fn write(&self, point: Point);
}

/// A bounded queue of looped-back points: what does not fit is dropped and counted (a full
/// queue means tasks loop back faster than they are fed, most likely a cycle between tasks).
#[derive(Debug)]
pub struct LoopbackQueue {
    points: Mutex<VecDeque<Point>>,
    /// How many points `points` holds, read without locking: a driver asks after every point,
    /// and mostly nothing is waiting.
    waiting: AtomicUsize,
    capacity: usize,
    dropped: AtomicU64,
}

impl LoopbackQueue {
    pub fn new(capacity: usize) -> LoopbackQueue {
        LoopbackQueue {
            points: Mutex::new(VecDeque::new()),
            waiting: AtomicUsize::new(0),
            capacity,
            dropped: AtomicU64::new(0),
        }
    }

    /// Whether no point waits.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.waiting.load(Ordering::Acquire) == 0
    }

    /// The oldest point waiting, if any.
    pub fn take(&self) -> Option<Point> {
        if self.is_empty() {
            return None;
        }
        let mut points = self.points.lock().unwrap_or_else(|e| e.into_inner());
        let point = points.pop_front();
        self.waiting.store(points.len(), Ordering::Release);
        point
    }

    /// Points dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

impl Loopback for LoopbackQueue {
    fn write(&self, point: Point) {
        let mut points = self.points.lock().unwrap_or_else(|e| e.into_inner());
        if points.len() < self.capacity {
            points.push_back(point);
            self.waiting.store(points.len(), Ordering::Release);
        } else if self.dropped.fetch_add(1, Ordering::Relaxed) == 0 {
            eprintln!(
                "error: the loopback queue is full ({} points): dropping looped-back points (a cycle between tasks?)",
                self.capacity
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::point::{Dimensions, Fields, GroupKey, Tags};

    fn point(time: i64) -> Point {
        Point {
            database: "db".into(),
            retention_policy: "rp".into(),
            name: "m".into(),
            tags: Tags::new(),
            fields: Fields::new(),
            time,
            dimensions: Dimensions::default(),
            group: GroupKey::default(),
        }
    }

    #[test]
    fn points_come_out_in_order_and_a_full_queue_drops() {
        let queue = LoopbackQueue::new(2);
        for time in 1..=3 {
            queue.write(point(time));
        }
        assert_eq!(queue.dropped(), 1);
        assert_eq!(queue.take().map(|p| p.time), Some(1));
        assert_eq!(queue.take().map(|p| p.time), Some(2));
        assert_eq!(queue.take(), None);
    }
}
