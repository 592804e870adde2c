//! The alert state of one group: its level history, flapping, and the times an episode started
//! and last triggered, which decide whether a level becomes an event and its duration.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::level::Level;
use crate::point::Time;

/// The history length Kapacitor uses unless `.history(n)` says otherwise.
pub const DEFAULT_HISTORY: usize = 21;

/// Flap detection's weights: the newest change weighs `MAX_WEIGHT`, the oldest
/// `MAX_WEIGHT / WEIGHT_DIFF`. Kapacitor computes that quotient exactly (a Go constant), so it is
/// written out here rather than divided in floating point.
const MAX_WEIGHT: f64 = 1.2;
const MIN_WEIGHT: f64 = 0.8;

/// `.flapping(low, high)`: a group starts flapping when its history's weighted change ratio
/// exceeds `high` and stops when it falls below `low`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flapping {
    pub low: f64,
    pub high: f64,
}

/// The node properties that shape the state machine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StatePolicy {
    /// How many levels the history keeps (at least 2).
    pub history: usize,
    pub flapping: Option<Flapping>,
    /// `.stateChangesOnly()` is `Some(None)`; `.stateChangesOnly(d)` is `Some(Some(d))` in
    /// nanoseconds: an unchanged level is sent again once `d` has passed since the last event.
    pub state_changes_only: Option<Option<i64>>,
}

impl Default for StatePolicy {
    fn default() -> Self {
        StatePolicy {
            history: DEFAULT_HISTORY,
            flapping: None,
            state_changes_only: None,
        }
    }
}

/// What the level was computed from: a point and a batch treat a recovery while flapping
/// differently (a batch's recovery is always sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Point,
    Batch,
}

/// One group's state; serializable so it can be persisted across restarts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertState {
    /// The last `history` levels, oldest first; always full (it starts as all OK).
    history: VecDeque<Level>,
    flapping: bool,
    /// Whether the newest level differs from the one before it.
    changed: bool,
    /// Whether an unchanged level is due to be sent again (`.stateChangesOnly(d)`).
    expired: bool,
    /// When the current episode triggered first; `None` is "never" (Go's zero time).
    first_triggered: Option<Time>,
    last_triggered: Option<Time>,
}

impl AlertState {
    pub fn new(policy: &StatePolicy) -> Self {
        AlertState {
            history: std::iter::repeat_n(Level::Ok, policy.history.max(2)).collect(),
            flapping: false,
            changed: false,
            expired: false,
            first_triggered: None,
            last_triggered: None,
        }
    }

    /// The newest level.
    pub fn level(&self) -> Level {
        self.history.back().copied().unwrap_or_default()
    }

    /// Records the level determined at `time`.
    pub fn update(&mut self, time: Time, level: Level, policy: &StatePolicy) {
        self.changed = self.level() != level;
        self.history.pop_front();
        self.history.push_back(level);
        if let Some(flapping) = policy.flapping {
            let change = self.percent_change();
            if self.flapping && change < flapping.low {
                self.flapping = false;
            } else if !self.flapping && change > flapping.high {
                self.flapping = true;
            }
        }
        self.expired = match policy.state_changes_only {
            Some(Some(interval)) if interval != 0 && !self.changed => {
                since(time, self.last_triggered) >= interval
            }
            _ => false,
        };
    }

    /// Whether the level just recorded becomes an event.
    pub fn triggers(&self, level: Level, policy: &StatePolicy, input: Input) -> bool {
        let held_back = self.flapping
            || (policy.state_changes_only.is_some() && !self.changed && !self.expired);
        let recovery = level == Level::Ok && self.changed;
        match input {
            Input::Point => !held_back && (level != Level::Ok || self.changed),
            Input::Batch => recovery || (level != Level::Ok && !held_back),
        }
    }

    /// Records that an event triggered at `time` (a new episode starts when the level before
    /// the newest was OK) and returns the episode's duration.
    pub fn trigger(&mut self, time: Time) -> i64 {
        self.last_triggered = Some(time);
        let before_newest = self.history.len().checked_sub(2);
        let previous = before_newest.and_then(|i| self.history.get(i).copied());
        if previous.unwrap_or_default() == Level::Ok {
            self.first_triggered = Some(time);
        }
        since(time, self.first_triggered)
    }

    pub fn is_flapping(&self) -> bool {
        self.flapping
    }

    /// Kapacitor's weighted ratio of level changes in the history. It walks the ring starting
    /// at the newest entry, so its pairs are (newest, the one before), (oldest, newest), then
    /// oldest onwards; the lightest weight goes to the newest change. Reproduced as is: which
    /// points flap depends on it.
    fn percent_change(&self) -> f64 {
        let len = self.history.len();
        if len < 2 {
            return 0.0;
        }
        let span = (len - 1) as f64;
        let step = (MAX_WEIGHT - MIN_WEIGHT) / span;
        let newest = len - 1;
        let mut weight = MIN_WEIGHT;
        let mut changes = 0.0;
        for i in 0..len - 1 {
            let current = (i + newest) % len;
            let previous = current.checked_sub(1).unwrap_or(len - 1);
            if self.history.get(current) != self.history.get(previous) {
                changes += weight;
            }
            weight += step;
        }
        changes / span
    }
}

/// `time - earlier` as Go's `Time.Sub` gives it: saturated, and "never" (the zero time, year 1)
/// lies further back than any nanosecond timestamp can reach.
fn since(time: Time, earlier: Option<Time>) -> i64 {
    earlier.map_or(i64::MAX, |e| time.saturating_sub(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Level::{Critical as C, Ok as O, Warning as W};

    const S: i64 = 1_000_000_000;

    /// Feeds one level per second and returns, per step, the duration of each sent event.
    fn run(policy: &StatePolicy, input: Input, levels: &[Level]) -> Vec<Option<i64>> {
        let mut state = AlertState::new(policy);
        levels
            .iter()
            .enumerate()
            .map(|(i, &level)| {
                let t = i as i64 * S;
                state.update(t, level, policy);
                state
                    .triggers(level, policy, input)
                    .then(|| state.trigger(t) / S)
            })
            .collect()
    }

    #[test]
    fn every_non_ok_level_and_each_recovery_is_sent() {
        let sent = run(
            &StatePolicy::default(),
            Input::Point,
            &[O, W, C, C, O, O, W],
        );
        assert_eq!(
            sent,
            [None, Some(0), Some(1), Some(2), Some(3), None, Some(0)]
        );
    }

    #[test]
    fn state_changes_only_sends_changes() {
        let policy = StatePolicy {
            state_changes_only: Some(None),
            ..StatePolicy::default()
        };
        let sent = run(&policy, Input::Point, &[W, W, C, C, W, O, O]);
        assert_eq!(sent, [Some(0), None, Some(2), None, Some(4), Some(5), None]);
    }

    #[test]
    fn state_changes_only_with_interval_resends_unchanged_levels() {
        let policy = StatePolicy {
            state_changes_only: Some(Some(3 * S)),
            ..StatePolicy::default()
        };
        let sent = run(&policy, Input::Point, &[W, W, W, W, W, C, C, C, C]);
        assert_eq!(
            sent,
            [
                Some(0),
                None,
                None,
                Some(3),
                None,
                Some(5),
                None,
                None,
                Some(8)
            ]
        );
    }

    /// Alternating levels flap (from the third level on, by the weights of `percent_change`)
    /// until the history holds no change; a batch's recoveries are sent even while flapping.
    /// The episode that began at 0 never saw an OK event end it, so durations run from 0.
    #[test]
    fn flapping_holds_back_events() {
        let policy = StatePolicy {
            history: 6,
            flapping: Some(Flapping {
                low: 0.25,
                high: 0.5,
            }),
            state_changes_only: None,
        };
        let levels = [C, O, C, O, C, O, C, C, C, C, C, C, O];
        let mut expected = [None; 13];
        expected[0] = Some(0);
        expected[1] = Some(1);
        expected[11] = Some(11);
        expected[12] = Some(12);
        assert_eq!(run(&policy, Input::Point, &levels), expected);
        expected[3] = Some(3);
        expected[5] = Some(5);
        assert_eq!(run(&policy, Input::Batch, &levels), expected);
    }

    #[test]
    fn percent_change_weighs_the_ring_as_kapacitor_does() {
        let policy = StatePolicy {
            history: 4,
            ..StatePolicy::default()
        };
        let mut state = AlertState::new(&policy);
        // History OK OK OK CRITICAL: the pairs (newest, previous) and (oldest, newest) change.
        state.update(0, C, &policy);
        let step = (1.2 - 0.8) / 3.0;
        assert_eq!(state.percent_change(), (0.8 + (0.8 + step)) / 3.0);
    }

    #[test]
    fn a_first_trigger_after_a_suppressed_start_has_an_unbounded_duration() {
        let policy = StatePolicy::default();
        let mut state = AlertState::new(&policy);
        state.update(0, C, &policy);
        state.update(S, C, &policy);
        assert_eq!(state.trigger(S), i64::MAX);
    }

    #[test]
    fn the_state_round_trips_through_serde() {
        let policy = StatePolicy::default();
        let mut state = AlertState::new(&policy);
        state.update(5, W, &policy);
        state.trigger(5);
        let json = serde_json::to_string(&state).unwrap();
        assert!(json.contains("\"WARNING\""), "{json}");
        let back: AlertState = serde_json::from_str(&json).unwrap();
        assert_eq!(back, state);
    }
}
