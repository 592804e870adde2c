//! `|barrier()`: tells the nodes below that a group's data has stopped, on the wall clock.
//!
//! As Kapacitor's `barrier.go`, per group:
//! - `.idle(d)`: once no data of the group arrived for `d` of wall-clock time, a barrier at
//!   the group's last data time + `d` goes down, and again every `d` while the group stays
//!   quiet, each `d` later in data time than the one before;
//! - `.period(d)`: every `d` of wall-clock time since the group's first data, a barrier at
//!   the current wall-clock time goes down.
//!
//! Data older than the last barrier of its group is dropped: the barrier promised none would
//! follow. With `.delete(true)` every barrier is followed by a delete-group, and the node
//! forgets the group until its data comes again.
//!
//! The node sees the wall clock only through [`Node::tick`] (about once a second while
//! serving): a group's data is taken to have arrived at the last tick before it, so barriers
//! leave within a tick of when Kapacitor's timers would fire.

use std::fmt;

use super::Node;
use crate::point::{GroupKey, GroupMap, Message, Time};

/// The properties of `|barrier()`; durations are nanoseconds, 0 when not set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BarrierConfig {
    pub idle: i64,
    pub period: i64,
    pub delete: bool,
}

/// Why a barrier configuration cannot run (Kapacitor's checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BarrierConfigError {
    IdleAndPeriod,
    IdleNotPositive,
    PeriodNotPositive,
}

impl fmt::Display for BarrierConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BarrierConfigError::IdleAndPeriod => "cannot specify both idle and period",
            BarrierConfigError::IdleNotPositive => "idle must be greater than zero",
            BarrierConfigError::PeriodNotPositive => "period must be greater than zero",
        })
    }
}

impl std::error::Error for BarrierConfigError {}

/// When barriers go.
#[derive(Debug, Clone, Copy)]
enum Trigger {
    Idle(i64),
    Period(i64),
}

/// `|barrier()`.
#[derive(Debug)]
pub struct BarrierNode {
    trigger: Trigger,
    delete: bool,
    groups: GroupMap<GroupClock>,
    /// The wall clock at the last tick; `None` before the first.
    now: Option<Time>,
}

/// One group's clocks.
#[derive(Debug)]
struct GroupClock {
    /// The data time of the group's last data or barrier (Kapacitor's `lastPointT`).
    last_data: Time,
    /// The time of the last barrier: older data is dropped.
    last_barrier: Option<Time>,
    /// The wall-clock time the next barrier is due; `None` until the first tick after the
    /// group's data started the count.
    due: Option<Time>,
}

impl BarrierNode {
    pub fn new(config: BarrierConfig) -> Result<Self, BarrierConfigError> {
        let trigger = match config {
            BarrierConfig { idle, period, .. } if idle != 0 && period != 0 => {
                return Err(BarrierConfigError::IdleAndPeriod);
            }
            BarrierConfig { period: 0, idle, .. } if idle <= 0 => {
                return Err(BarrierConfigError::IdleNotPositive);
            }
            BarrierConfig { period: 0, idle, .. } => Trigger::Idle(idle),
            BarrierConfig { period, .. } if period < 0 => {
                return Err(BarrierConfigError::PeriodNotPositive);
            }
            BarrierConfig { period, .. } => Trigger::Period(period),
        };
        Ok(BarrierNode {
            trigger,
            delete: config.delete,
            groups: GroupMap::default(),
            now: None,
        })
    }

    /// The wall-clock time at which a count started now ends.
    fn due_from(&self, start: Option<Time>) -> Option<Time> {
        let wait = match self.trigger {
            Trigger::Idle(d) | Trigger::Period(d) => d,
        };
        start.map(|t| t.saturating_add(wait))
    }

    /// Whether data (or an upstream barrier) of `group` at `time` may pass, noting it.
    fn admit(&mut self, group: &GroupKey, time: Time) -> bool {
        let restart = self.due_from(self.now);
        match self.groups.get_mut(group) {
            Some(clock) => {
                if clock.last_barrier.is_some_and(|b| time < b) {
                    return false;
                }
                // Data restarts the idle count; the period's schedule runs on regardless.
                if let Trigger::Idle(_) = self.trigger {
                    clock.last_data = time;
                    clock.due = restart;
                }
            }
            None => {
                let clock = GroupClock {
                    last_data: time,
                    last_barrier: None,
                    due: restart,
                };
                self.groups.insert(group.clone(), clock);
            }
        }
        true
    }

    /// A barrier from above: it passes if not older than the group's last, and counts as the
    /// group's last barrier and data time.
    fn pass_barrier(&mut self, group: GroupKey, time: Time, out: &mut Vec<Message>) {
        if !self.admit(&group, time) {
            return;
        }
        if let Some(clock) = self.groups.get_mut(&group) {
            clock.last_data = time;
            clock.last_barrier = Some(time);
        }
        out.push(Message::Barrier { group, time });
    }
}

impl Node for BarrierNode {
    fn push(&mut self, msg: Message, out: &mut Vec<Message>) {
        match msg {
            Message::Point(point) => {
                if self.admit(&point.group, point.time) {
                    out.push(Message::Point(point));
                }
            }
            Message::Batch(mut batch) => {
                let last_barrier = self.groups.get(&batch.group).and_then(|c| c.last_barrier);
                batch.points.retain(|p| last_barrier.is_none_or(|b| p.time >= b));
                let time = batch.points.last().map_or(batch.time, |p| p.time);
                self.admit(&batch.group, time);
                out.push(Message::Batch(batch));
            }
            Message::Barrier { group, time } => self.pass_barrier(group, time, out),
            Message::DeleteGroup { group } => {
                self.groups.remove(&group);
                out.push(Message::DeleteGroup { group });
            }
        }
    }

    fn groups(&self) -> usize {
        self.groups.len()
    }

    fn tick(&mut self, now: Time, out: &mut Vec<Message>) {
        self.now = Some(now);
        let (trigger, delete) = (self.trigger, self.delete);
        let mut deleted = Vec::new();
        for (group, clock) in &mut self.groups {
            let Some(due) = clock.due else {
                clock.due = Some(now.saturating_add(match trigger {
                    Trigger::Idle(d) | Trigger::Period(d) => d,
                }));
                continue;
            };
            if now < due {
                continue;
            }
            let time = match trigger {
                Trigger::Idle(idle) => {
                    clock.due = Some(now.saturating_add(idle));
                    clock.last_data.saturating_add(idle)
                }
                Trigger::Period(period) => {
                    // Like a Go ticker, ticks missed while the clock jumped are dropped.
                    let behind = now.saturating_sub(due) / period;
                    clock.due = Some(due.saturating_add(period.saturating_mul(behind + 1)));
                    now
                }
            };
            clock.last_data = time;
            clock.last_barrier = Some(time);
            out.push(Message::Barrier {
                group: group.clone(),
                time,
            });
            if delete {
                deleted.push(group.clone());
            }
        }
        for group in deleted {
            self.groups.remove(&group);
            out.push(Message::DeleteGroup { group });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::testing::point;

    const S: i64 = 1_000_000_000;

    fn host(name: &str, time: i64) -> Message {
        let mut p = point("cpu", &[("host", name)], &[("v", 1.0)], time);
        p.group = GroupKey(format!("host={name}").into());
        Message::Point(p)
    }

    /// What went out, briefly: `p host=a @t`, `barrier host=a @t`, `delete host=a`.
    fn shown(out: Vec<Message>) -> Vec<String> {
        out.into_iter()
            .map(|m| match m {
                Message::Point(p) => format!("p {} @{}", p.group.as_str(), p.time / S),
                Message::Batch(b) => format!("b {} @{}", b.group.as_str(), b.time / S),
                Message::Barrier { group, time } => {
                    format!("barrier {} @{}", group.as_str(), time / S)
                }
                Message::DeleteGroup { group } => format!("delete {}", group.as_str()),
            })
            .collect()
    }

    fn push(node: &mut BarrierNode, msg: Message) -> Vec<String> {
        let mut out = Vec::new();
        node.push(msg, &mut out);
        shown(out)
    }

    fn tick(node: &mut BarrierNode, now: i64) -> Vec<String> {
        let mut out = Vec::new();
        node.tick(now, &mut out);
        shown(out)
    }

    fn idle(d: i64, delete: bool) -> BarrierNode {
        BarrierNode::new(BarrierConfig {
            idle: d,
            delete,
            ..BarrierConfig::default()
        })
        .unwrap()
    }

    /// Wall clock at 1000 s; data at 10 s. Idle 5 s: a barrier at data time 15 s once 5 s of
    /// wall clock pass without data, then every 5 s, each 5 s later in data time.
    #[test]
    fn an_idle_group_gets_barriers_at_its_last_time_plus_idle() {
        let mut node = idle(5 * S, false);
        let wall = 1000 * S;
        assert!(tick(&mut node, wall).is_empty());
        assert_eq!(push(&mut node, host("a", 10 * S)), ["p host=a @10"]);
        assert!(tick(&mut node, wall + 4 * S).is_empty());
        assert_eq!(tick(&mut node, wall + 5 * S), ["barrier host=a @15"]);
        assert!(tick(&mut node, wall + 9 * S).is_empty());
        assert_eq!(tick(&mut node, wall + 10 * S), ["barrier host=a @20"]);
        // Data older than the last barrier is dropped; newer data restarts the count.
        assert!(push(&mut node, host("a", 19 * S)).is_empty());
        assert_eq!(push(&mut node, host("a", 21 * S)), ["p host=a @21"]);
        assert!(tick(&mut node, wall + 14 * S).is_empty());
        assert_eq!(tick(&mut node, wall + 15 * S), ["barrier host=a @26"]);
    }

    #[test]
    fn data_keeps_a_group_from_going_idle() {
        let mut node = idle(5 * S, false);
        let wall = 1000 * S;
        tick(&mut node, wall);
        push(&mut node, host("a", 0));
        push(&mut node, host("b", 0));
        for s in 1..10 {
            assert_eq!(push(&mut node, host("a", s * S)).len(), 1);
            let due = tick(&mut node, wall + s * S);
            assert_eq!(due, if s == 5 { vec!["barrier host=b @5"] } else { vec![] }, "{s}");
        }
        assert_eq!(node.groups(), 2);
    }

    /// Data before the first tick starts its count at that tick.
    #[test]
    fn the_count_starts_at_the_first_tick_after_data() {
        let mut node = idle(5 * S, false);
        push(&mut node, host("a", 10 * S));
        assert!(tick(&mut node, 100 * S).is_empty());
        assert!(tick(&mut node, 104 * S).is_empty());
        assert_eq!(tick(&mut node, 105 * S), ["barrier host=a @15"]);
    }

    #[test]
    fn delete_follows_each_barrier_and_forgets_the_group() {
        let mut node = idle(5 * S, true);
        tick(&mut node, 0);
        push(&mut node, host("a", 10 * S));
        assert_eq!(tick(&mut node, 5 * S), ["barrier host=a @15", "delete host=a"]);
        assert_eq!(node.groups(), 0);
        assert!(tick(&mut node, 20 * S).is_empty());
        // Forgotten: older data passes again, as it would for a new group.
        assert_eq!(push(&mut node, host("a", 11 * S)), ["p host=a @11"]);
    }

    /// Period 10 s: barriers at the wall-clock time, every 10 s from the group's first data;
    /// data older than the last barrier is dropped, and a period does not restart on data.
    #[test]
    fn a_period_sends_barriers_at_wall_clock_times() {
        let mut node = BarrierNode::new(BarrierConfig {
            period: 10 * S,
            ..BarrierConfig::default()
        })
        .unwrap();
        tick(&mut node, 100 * S);
        push(&mut node, host("a", S));
        assert!(tick(&mut node, 105 * S).is_empty());
        assert_eq!(push(&mut node, host("a", 2 * S)).len(), 1);
        assert_eq!(tick(&mut node, 110 * S), ["barrier host=a @110"]);
        assert!(push(&mut node, host("a", 3 * S)).is_empty());
        assert_eq!(push(&mut node, host("a", 111 * S)), ["p host=a @111"]);
        // The clock jumps over two periods: one barrier, and the schedule keeps its phase.
        assert_eq!(tick(&mut node, 135 * S), ["barrier host=a @135"]);
        assert!(tick(&mut node, 139 * S).is_empty());
        assert_eq!(tick(&mut node, 140 * S), ["barrier host=a @140"]);
    }

    #[test]
    fn barriers_and_deletes_from_above_pass() {
        let mut node = idle(5 * S, false);
        push(&mut node, host("a", 10 * S));
        let barrier = |t| Message::Barrier {
            group: GroupKey("host=a".into()),
            time: t,
        };
        assert_eq!(push(&mut node, barrier(12 * S)), ["barrier host=a @12"]);
        assert!(push(&mut node, barrier(11 * S)).is_empty());
        assert!(push(&mut node, host("a", 11 * S)).is_empty());
        let delete = Message::DeleteGroup {
            group: GroupKey("host=a".into()),
        };
        assert_eq!(push(&mut node, delete), ["delete host=a"]);
        assert_eq!(node.groups(), 0);
    }

    /// `|barrier().idle(5s).delete(TRUE) |window().period(10s).every(10s)`: the barrier
    /// closes the window of a group that went quiet, and the delete then frees it.
    #[test]
    fn a_window_below_closes_on_the_barrier_and_forgets_the_group() {
        use crate::node::window::{WindowConfig, WindowNode};
        let mut barrier = idle(5 * S, true);
        let mut window = WindowNode::new(&WindowConfig {
            period: 10 * S,
            every: 10 * S,
            ..WindowConfig::default()
        })
        .unwrap();
        let mut through = |msgs: Vec<Message>| {
            let mut out = Vec::new();
            for m in msgs {
                window.push(m, &mut out);
            }
            (shown(out), window.groups())
        };
        let mut out = Vec::new();
        barrier.tick(0, &mut out);
        for t in [100, 101, 103] {
            barrier.push(host("a", t * S), &mut out);
        }
        assert_eq!(through(std::mem::take(&mut out)), (vec![], 1));
        barrier.tick(5 * S, &mut out);
        // The barrier at 108 comes before the window's end (110): the window stays open, and
        // the delete drops it unsent.
        assert_eq!(shown(out.clone()), ["barrier host=a @108", "delete host=a"]);
        assert_eq!(through(std::mem::take(&mut out)), (vec!["delete host=a".into()], 0));

        // Idle 10 s: the barrier at 113 closes the window [100, 110).
        let mut barrier = idle(10 * S, false);
        barrier.tick(0, &mut out);
        for t in [100, 101, 103] {
            barrier.push(host("a", t * S), &mut out);
        }
        barrier.tick(10 * S, &mut out);
        assert_eq!(
            through(std::mem::take(&mut out)),
            (vec!["b host=a @110".into()], 1)
        );
    }

    #[test]
    fn exactly_one_positive_duration() {
        let config = |idle, period| BarrierConfig {
            idle,
            period,
            delete: false,
        };
        let error = |idle, period| BarrierNode::new(config(idle, period)).err();
        assert_eq!(error(1, 1), Some(BarrierConfigError::IdleAndPeriod));
        assert_eq!(error(0, 0), Some(BarrierConfigError::IdleNotPositive));
        assert_eq!(error(-1, 0), Some(BarrierConfigError::IdleNotPositive));
        assert_eq!(error(0, -1), Some(BarrierConfigError::PeriodNotPositive));
        assert_eq!(error(1, 0), None);
        assert_eq!(error(0, 1), None);
    }
}
