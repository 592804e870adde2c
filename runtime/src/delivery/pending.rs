//! What an outbox has in hand: how many deliveries are sent and not finished (so `flush` can
//! wait for none), and how far the program's end has come: still running, ending (what is
//! queued is still delivered, but nothing is retried), or stopped (nothing more is attempted,
//! and every wait ends).

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

#[derive(Debug, Default)]
pub(crate) struct Pending {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct State {
    count: usize,
    phase: Phase,
    /// Threads waiting for the count to reach 0: only then does reaching it wake anyone (a
    /// system call saved per delivery when, as mostly, nobody waits).
    idle_waiters: usize,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Phase {
    #[default]
    Running,
    Ending,
    Stopped,
}

impl Pending {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn add(&self) {
        self.state().count += 1;
    }

    /// `count` deliveries are done with (made, failed, or kept aside for the save).
    pub(crate) fn finish(&self, count: usize) {
        let mut state = self.state();
        state.count = state.count.saturating_sub(count);
        if state.count == 0 && state.idle_waiters > 0 {
            self.changed.notify_all();
        }
    }

    /// Waits until nothing is pending, or the outbox stops.
    pub(crate) fn wait_idle(&self) {
        let mut state = self.state();
        state.idle_waiters += 1;
        let mut state = self
            .changed
            .wait_while(state, |s| s.count > 0 && s.phase != Phase::Stopped)
            .unwrap_or_else(|e| e.into_inner());
        state.idle_waiters -= 1;
    }

    /// Waits at most `timeout` until nothing is pending, or the outbox stops.
    pub(crate) fn wait_idle_for(&self, timeout: Duration) {
        let mut state = self.state();
        state.idle_waiters += 1;
        let (mut state, _) = self
            .changed
            .wait_timeout_while(state, timeout, |s| s.count > 0 && s.phase != Phase::Stopped)
            .unwrap_or_else(|e| e.into_inner());
        state.idle_waiters -= 1;
    }

    /// The program is ending: what is queued is still delivered, but a failure is no longer
    /// waited on and tried again.
    pub(crate) fn end(&self) {
        let mut state = self.state();
        if state.phase == Phase::Running {
            state.phase = Phase::Ending;
        }
        self.changed.notify_all();
    }

    pub(crate) fn stop(&self) {
        self.state().phase = Phase::Stopped;
        self.changed.notify_all();
    }

    /// Whether the program is ending or has stopped delivering.
    pub(crate) fn is_ending(&self) -> bool {
        self.state().phase != Phase::Running
    }

    pub(crate) fn is_stopped(&self) -> bool {
        self.state().phase == Phase::Stopped
    }

    /// Sleeps for `duration` unless the program starts ending meanwhile; whether it is still
    /// running.
    pub(crate) fn pause(&self, duration: Duration) -> bool {
        let state = self.state();
        let (state, _) = self
            .changed
            .wait_timeout_while(state, duration, |s| s.phase == Phase::Running)
            .unwrap_or_else(|e| e.into_inner());
        state.phase == Phase::Running
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Instant;

    #[test]
    fn stopping_ends_every_wait() {
        let pending = Arc::new(Pending::default());
        pending.add();
        let started = Instant::now();
        pending.wait_idle_for(Duration::from_millis(50));
        assert!(started.elapsed() >= Duration::from_millis(50));
        let stopper = {
            let pending = pending.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(50));
                pending.stop();
            })
        };
        assert!(!pending.pause(Duration::from_secs(20)), "the pause ends with the stop");
        pending.wait_idle();
        assert!(started.elapsed() < Duration::from_secs(10));
        stopper.join().unwrap();
        assert!(pending.is_stopped() && pending.is_ending());
    }

    #[test]
    fn ending_cuts_pauses_short_but_flush_still_waits() {
        let pending = Arc::new(Pending::default());
        pending.add();
        pending.end();
        assert!(pending.is_ending() && !pending.is_stopped());
        let started = Instant::now();
        assert!(!pending.pause(Duration::from_secs(20)), "no waiting to retry once ending");
        pending.wait_idle_for(Duration::from_millis(50));
        assert!(started.elapsed() >= Duration::from_millis(50), "the delivery is still awaited");
        pending.finish(3);
        pending.wait_idle();
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn flush_waits_for_the_last_finish() {
        let pending = Arc::new(Pending::default());
        pending.add();
        pending.add();
        let finisher = {
            let pending = pending.clone();
            std::thread::spawn(move || {
                pending.finish(1);
                std::thread::sleep(Duration::from_millis(30));
                pending.finish(1);
            })
        };
        let started = Instant::now();
        pending.wait_idle();
        assert!(started.elapsed() >= Duration::from_millis(25));
        finisher.join().unwrap();
        assert!(pending.pause(Duration::from_millis(1)), "not stopped");
    }
}
