//! `|kapacitorLoopback()` while serving: points a task writes back go into a bounded channel, and
//! a thread of their own hands them to the tasks that can use them, as a `/write` would. A task never waits on its own loopback: when the channel is full the point
//! is dropped and counted (a full channel means tasks loop back faster than they are fed, most
//! likely a cycle between tasks).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Weak};

use super::live::deliver;
use super::server::State;
use crate::loopback::Loopback;
use crate::point::Point;
use crate::route::Scratch;

/// How many looped-back points wait for delivery at most.
const CAPACITY: usize = 10_000;

/// The tasks' end of the loopback channel.
#[derive(Debug)]
pub(crate) struct LiveLoopback {
    sender: SyncSender<Point>,
    dropped: AtomicU64,
}

impl LiveLoopback {
    /// The loopback and the receiving end its delivery thread reads.
    pub(crate) fn new() -> (Arc<LiveLoopback>, Receiver<Point>) {
        let (sender, receiver) = sync_channel(CAPACITY);
        let loopback = LiveLoopback {
            sender,
            dropped: AtomicU64::new(0),
        };
        (Arc::new(loopback), receiver)
    }
}

impl Loopback for LiveLoopback {
    fn write(&self, point: Point) {
        match self.sender.try_send(point) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => {}
            Err(TrySendError::Full(_)) => {
                if self.dropped.fetch_add(1, Ordering::Relaxed) == 0 {
                    eprintln!(
                        "error: the loopback queue is full ({CAPACITY} points): dropping looped-back points (a cycle between tasks?)"
                    );
                }
            }
        }
    }
}

/// Starts the thread that delivers looped-back points; it ends when the server's state is gone.
pub(crate) fn start_delivery(state: Weak<State>, points: Receiver<Point>) {
    let spawned = std::thread::Builder::new()
        .name("loopback".into())
        .spawn(move || {
            let mut scratch = Scratch::default();
            for point in points {
                let Some(state) = state.upgrade() else {
                    return;
                };
                let targets = state.tasks.targets(&point.database, &point.retention_policy);
                let mut wanting = targets
                    .tasks_for(&mut scratch, &point.database, &point.retention_policy, &point)
                    .filter_map(|task| targets.get(task))
                    .peekable();
                while let Some(target) = wanting.next() {
                    // A stopped task simply misses the point, as with /write.
                    if wanting.peek().is_some() {
                        let _ = deliver(target, vec![point.clone()]);
                    } else {
                        let _ = deliver(target, vec![point]);
                        break;
                    }
                }
            }
        });
    if let Err(e) = spawned {
        eprintln!("error: cannot start the loopback thread: {e}; kapacitorLoopback points are lost");
    }
}
