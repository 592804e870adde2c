//! One join group's sets waiting for their members, by time, and when they leave.
//!
//! A message joins the oldest set of its time that its parent has not filled yet (a parent that
//! sends twice for one time opens a second set). Each parent's head is the last time it sent.
//! While some parent's head has not passed the oldest waiting time, only complete sets of that
//! oldest time leave; once every head is past it, that time's sets leave complete or not (an
//! inner join then drops them, a fill completes them), and the next oldest time is looked at
//! the same way. So sets leave in time order, and a parent that never sends for a group holds
//! that group's incomplete sets back (up to [`MAX_WAITING_SETS`]).

use std::collections::{BTreeMap, VecDeque};

use super::set::JoinSet;
use crate::point::{Message, Time};

/// At most this many sets wait in one group; beyond it the oldest time's sets leave as they
/// are, so that a parent that never sends for a group cannot make memory grow without bound.
pub(super) const MAX_WAITING_SETS: usize = 10_000;

#[derive(Debug)]
pub(super) struct WaitingSets {
    sets: BTreeMap<Time, VecDeque<JoinSet>>,
    waiting: usize,
    /// The time each parent sent last.
    heads: Vec<Option<Time>>,
}

impl WaitingSets {
    pub(super) fn new(parents: usize) -> Self {
        WaitingSets {
            sets: BTreeMap::new(),
            waiting: 0,
            heads: vec![None; parents],
        }
    }

    /// Adds `msg` from `parent` at the (rounded) `time`; `leave` receives every set that may
    /// leave now, in order.
    pub(super) fn collect(
        &mut self,
        parent: usize,
        msg: Message,
        time: Time,
        mut leave: impl FnMut(JoinSet),
    ) {
        let parents = self.heads.len();
        let at_time = self.sets.entry(time).or_default();
        match at_time.iter_mut().find(|s| !s.has(parent)) {
            Some(set) => set.set(parent, msg),
            None => {
                let mut set = JoinSet::new(time, parents);
                set.set(parent, msg);
                at_time.push_back(set);
                self.waiting += 1;
            }
        }
        if let Some(head) = self.heads.get_mut(parent) {
            *head = Some(time);
        }
        self.release(&mut leave);
        while self.waiting > MAX_WAITING_SETS {
            self.release_oldest_time(&mut leave);
        }
    }

    /// A barrier from `parent` at the (rounded) `time`: the parent sends nothing older, so it
    /// counts as that parent's head and may let sets leave.
    pub(super) fn barrier(&mut self, parent: usize, time: Time, mut leave: impl FnMut(JoinSet)) {
        if let Some(head) = self.heads.get_mut(parent) {
            *head = Some(time);
        }
        self.release(&mut leave);
    }

    /// Lets every set leave, in time order (when the task stops).
    pub(super) fn drain(&mut self, mut leave: impl FnMut(JoinSet)) {
        while !self.sets.is_empty() {
            self.release_oldest_time(&mut leave);
        }
    }

    /// Whether every parent has sent something later than `time`.
    fn all_heads_past(&self, time: Time) -> bool {
        self.heads.iter().all(|head| head.is_some_and(|h| h > time))
    }

    fn release(&mut self, leave: &mut impl FnMut(JoinSet)) {
        while let Some(&oldest) = self.sets.keys().next() {
            if self.all_heads_past(oldest) {
                self.release_oldest_time(leave);
                continue;
            }
            // Only the complete sets at the front of the oldest time may go.
            if let Some(queue) = self.sets.get_mut(&oldest) {
                while queue.front().is_some_and(JoinSet::is_ready) {
                    if let Some(set) = queue.pop_front() {
                        self.waiting -= 1;
                        leave(set);
                    }
                }
                if queue.is_empty() {
                    self.sets.remove(&oldest);
                }
            }
            return;
        }
    }

    fn release_oldest_time(&mut self, leave: &mut impl FnMut(JoinSet)) {
        if let Some((_, queue)) = self.sets.pop_first() {
            self.waiting -= queue.len();
            queue.into_iter().for_each(&mut *leave);
        }
    }
}
