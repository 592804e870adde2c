//! Forgetting the groups of series that stopped: without it, every node keeps state for every
//! group it ever saw (Kapacitor does, and its memory grows with every short-lived series).
//!
//! The node that gives data its group (`from` with a grouping, `groupBy`) notes each group's
//! last data time. A group silent for longer than the timeout, in data time (the newest time
//! the node has seen minus the group's last), is sent down as a delete-group, so every node
//! below frees what it keeps for it: windows, aggregates, alert states, httpOut rows.
//!
//! Where this differs from Kapacitor, which never forgets a group: a group that comes back
//! after the timeout starts afresh. Its window restarts from its new first point (Kapacitor's
//! would emit the stale window it kept, timed long ago), its aggregates and derivatives have
//! no previous value, and its alert state starts from the level its id last had in the topic
//! (OK when the node keeps no topic). A single point far in the future makes every other
//! group look silent, and evicts them all.
//!
//! The check is amortized: it scans the groups only once data time has advanced by an eighth
//! of the timeout since the last scan and at least a quarter as many points as there are
//! groups have arrived, so each point pays a constant share of the scans, and a group is
//! forgotten at most about an eighth of the timeout late. The map holds only the groups seen
//! within about the timeout, so it is bounded by what the node must keep anyway.


use crate::point::{GroupKey, GroupMap, Message, Time};

/// The idle timeout used unless the program's configuration says otherwise: an hour.
pub const DEFAULT_IDLE_TIMEOUT: i64 = 3_600_000_000_000;

/// The groups a node has given data to, and when each last had data.
#[derive(Debug, Default)]
pub struct IdleGroups {
    /// Nanoseconds of data time; 0 keeps every group for ever.
    timeout: i64,
    last_data: GroupMap<Time>,
    /// The newest data time seen.
    newest: Option<Time>,
    /// The newest time at the last scan (or the first data).
    scanned_at: Time,
    since_scan: usize,
}

impl IdleGroups {
    /// Groups silent for longer than `timeout` nanoseconds of data time are evicted; 0 (or
    /// less) evicts nothing and tracks nothing.
    pub fn new(timeout: i64) -> Self {
        IdleGroups {
            timeout: timeout.max(0),
            ..IdleGroups::default()
        }
    }

    /// Notes data of `group` at `time`; true when a scan is due: the caller then passes the
    /// data on and calls [`IdleGroups::evict`].
    #[must_use]
    pub fn saw(&mut self, group: &GroupKey, time: Time) -> bool {
        if self.timeout == 0 {
            return false;
        }
        // A lookup first: most data belongs to a known group, and needs no key copy.
        match self.last_data.get_mut(group) {
            Some(last) => *last = (*last).max(time),
            None => {
                self.last_data.insert(group.clone(), time);
            }
        }
        self.since_scan += 1;
        let newest = match self.newest {
            Some(newest) if newest >= time => newest,
            _ => {
                if self.newest.is_none() {
                    self.scanned_at = time;
                }
                self.newest = Some(time);
                time
            }
        };
        let advanced = newest.saturating_sub(self.scanned_at) >= (self.timeout / 8).max(1);
        advanced && self.since_scan >= self.last_data.len() / 4
    }

    /// How many groups are tracked.
    pub fn len(&self) -> usize {
        self.last_data.len()
    }

    pub fn is_empty(&self) -> bool {
        self.last_data.is_empty()
    }

    /// Forgets every group silent for longer than the timeout, pushing a delete-group for
    /// each onto `out` (in key order, so runs repeat exactly).
    pub fn evict(&mut self, out: &mut Vec<Message>) {
        let Some(newest) = self.newest else { return };
        self.scanned_at = newest;
        self.since_scan = 0;
        let timeout = self.timeout;
        let mut silent = Vec::new();
        self.last_data.retain(|group, last| {
            let keep = newest.saturating_sub(*last) <= timeout;
            if !keep {
                silent.push(group.clone());
            }
            keep
        });
        silent.sort_unstable();
        out.extend(silent.into_iter().map(|group| Message::DeleteGroup { group }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    fn key(name: &str) -> GroupKey {
        GroupKey(name.into())
    }

    fn deleted(out: Vec<Message>) -> Vec<String> {
        out.into_iter()
            .map(|m| match m {
                Message::DeleteGroup { group } => group.0.to_string(),
                other => format!("{other:?}"),
            })
            .collect()
    }

    /// Notes data and evicts when due, as the grouping nodes do.
    fn see(groups: &mut IdleGroups, group: &str, time: Time, out: &mut Vec<Message>) {
        if groups.saw(&key(group), time) {
            groups.evict(out);
        }
    }

    #[test]
    fn a_group_silent_longer_than_the_timeout_is_deleted() {
        let mut groups = IdleGroups::new(80 * S);
        let mut out = Vec::new();
        see(&mut groups, "a", 0, &mut out);
        see(&mut groups, "b", 0, &mut out);
        see(&mut groups, "c", 5 * S, &mut out);
        // Data time passes with `b` alone sending; `a` and `c` go quiet.
        for t in (10..=80).step_by(10) {
            see(&mut groups, "b", t * S, &mut out);
        }
        assert!(out.is_empty(), "not silent longer than 80 s yet");
        for t in [85, 90] {
            see(&mut groups, "b", t * S, &mut out);
        }
        assert_eq!(deleted(std::mem::take(&mut out)), ["a", "c"]);
        assert_eq!(groups.len(), 1);
        // A forgotten group that comes back is tracked again.
        see(&mut groups, "a", 91 * S, &mut out);
        assert_eq!(groups.len(), 2);
        assert!(out.is_empty());
    }

    /// A group is deleted only once the scan comes round: at most an eighth of the timeout
    /// late, and never before it was silent for the whole timeout.
    #[test]
    fn scans_wait_for_an_eighth_of_the_timeout() {
        let mut groups = IdleGroups::new(80 * S);
        let mut out = Vec::new();
        see(&mut groups, "a", 0, &mut out);
        let mut deleted_at = None;
        for t in 1..=100 {
            see(&mut groups, "b", t * S, &mut out);
            if deleted_at.is_none() && !out.is_empty() {
                deleted_at = Some(t);
            }
        }
        let at = deleted_at.expect("a is deleted");
        assert!((81..=90).contains(&at), "{at}");
    }

    #[test]
    fn a_zero_timeout_keeps_everything_and_tracks_nothing() {
        let mut groups = IdleGroups::new(0);
        let mut out = Vec::new();
        see(&mut groups, "a", 0, &mut out);
        see(&mut groups, "b", 1_000_000 * S, &mut out);
        assert!(out.is_empty());
        assert!(groups.is_empty());
    }

    /// Short-lived series one after another: the tracker never holds more than the groups
    /// of about one timeout.
    #[test]
    fn the_tracker_stays_bounded_by_the_groups_of_one_timeout() {
        let mut groups = IdleGroups::new(60 * S);
        let mut out = Vec::new();
        let mut most = 0;
        let mut deletes = 0;
        for series in 0..50_000_i64 {
            // Each series sends 3 points a second apart; a new one starts every second.
            for i in 0..3 {
                see(&mut groups, &format!("host={series}"), (series + i) * S, &mut out);
            }
            deletes += out.len();
            out.clear();
            most = most.max(groups.len());
        }
        // 60 s of timeout, up to 7.5 s of scan delay, 3 s of life: under 75 groups.
        assert!(most <= 75, "{most}");
        assert!(deletes >= 50_000 - 75, "{deletes}");
    }
}
