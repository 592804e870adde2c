//! `.on(tag...)`: joining messages of parents grouped by different dimensions.
//!
//! Messages meet under the key of their `.on()` tags (their group's values of them, empty when
//! not a dimension; the measurement too when grouped by it). A message grouped by more tags
//! than `.on()` names is *specific*; any other is a *match*. Each specific message is paired
//! with the match of the same (rounded) time and key: the match takes the specific one's group
//! tags and dimensions, and both go to the specific one's join group. A match waits to serve
//! every specific message of its time; a specific message waits for its match until every
//! parent has moved past its time for that key, and then goes on alone (for a fill to complete,
//! or an inner join to drop). When every parent is grouped exactly by `.on()`, nothing is
//! specific and nothing is ever joined, as in Kapacitor.
//!
//! How far the parents have moved (the key's *low mark*), as Kapacitor computes it: the oldest
//! of the parents' last times, where a parent that has sent nothing for the key hides the
//! parents before it and, if it is the last parent, makes the mark unknown. Until every parent
//! has sent something at all, the mark is unknown and nothing counts as passed.

use std::collections::VecDeque;

use super::Arrival;
use crate::node::group::{group_key, group_tags, regroup_point, set_batch_tags};
use crate::point::{Dimensions, GroupKey, GroupMap, Message, Str, TagNames, Tags, Time};

/// At most this many matches, and as many specific messages, wait under one key; beyond it the
/// oldest match is forgotten and the oldest specific message goes on alone.
const MAX_WAITING: usize = 10_000;

#[derive(Debug)]
pub(super) struct OnMatcher {
    on: TagNames,
    /// Which parents have sent anything yet.
    reported: Vec<bool>,
    keys: GroupMap<KeyState>,
}

#[derive(Debug)]
struct KeyState {
    /// Each parent's last (rounded) time under this key.
    marks: Vec<Option<Time>>,
    matches: VecDeque<Arrival>,
    specifics: VecDeque<Arrival>,
}

static NO_DIMENSIONS: std::sync::LazyLock<Dimensions> = std::sync::LazyLock::new(Dimensions::default);

/// The group tags of a message (a point's dimension values; a batch's tags).
fn group_info_tags(msg: &Message) -> Tags {
    match msg {
        Message::Point(p) => group_tags(&p.tags, &p.dimensions),
        Message::Batch(b) => b.tags.clone(),
        // The join routes data only (see `JoinNode::push_from`).
        Message::Barrier { .. } | Message::DeleteGroup { .. } => Tags::new(),
    }
}

fn dimensions(msg: &Message) -> &Dimensions {
    match msg {
        Message::Point(p) => &p.dimensions,
        Message::Batch(b) => &b.dimensions,
        Message::Barrier { .. } | Message::DeleteGroup { .. } => &NO_DIMENSIONS,
    }
}

fn name(msg: &Message) -> &str {
    match msg {
        Message::Point(p) => &p.name,
        Message::Batch(b) => &b.name,
        Message::Barrier { .. } | Message::DeleteGroup { .. } => "",
    }
}

/// The match `matched`, given the group of `specific`.
fn retagged(matched: &Arrival, specific: &Arrival) -> Arrival {
    let tags = group_info_tags(&specific.msg);
    let msg = match matched.msg.clone() {
        Message::Point(mut p) => {
            p.tags = tags;
            p.dimensions = dimensions(&specific.msg).clone();
            regroup_point(&mut p);
            Message::Point(p)
        }
        Message::Batch(mut b) => {
            set_batch_tags(&mut b, tags);
            Message::Batch(b)
        }
        control @ (Message::Barrier { .. } | Message::DeleteGroup { .. }) => control,
    };
    Arrival {
        parent: matched.parent,
        time: matched.time,
        group: specific.group.clone(),
        msg,
    }
}

/// The low mark of a key from its parents' marks (see the module's notes).
fn low_mark(marks: &[Option<Time>]) -> Option<Time> {
    marks.iter().fold(None, |low, mark| {
        mark.map(|m| low.map_or(m, |l: Time| l.min(m)))
    })
}

/// The front of `queue` if it satisfies `pred`.
fn pop_front_if(
    queue: &mut VecDeque<Arrival>,
    pred: impl FnOnce(&Arrival) -> bool,
) -> Option<Arrival> {
    if queue.front().is_some_and(pred) {
        queue.pop_front()
    } else {
        None
    }
}

impl OnMatcher {
    pub(super) fn new(on: Vec<String>, parents: usize) -> Self {
        let on: TagNames = on.into_iter().map(Str::from).collect();
        OnMatcher {
            on,
            reported: vec![false; parents],
            keys: GroupMap::default(),
        }
    }

    fn key_of(&self, msg: &Message) -> GroupKey {
        let by = Dimensions {
            by_measurement: dimensions(msg).by_measurement,
            tag_names: self.on.clone(),
        };
        group_key(name(msg), &group_info_tags(msg), &by)
    }

    /// Takes an arrival; pushes onto `routed` what may go to the join groups now, in order.
    pub(super) fn arrive(&mut self, arrival: Arrival, routed: &mut Vec<Arrival>) {
        if let Some(reported) = self.reported.get_mut(arrival.parent) {
            *reported = true;
        }
        let all_reported = self.reported.iter().all(|&r| r);
        let key = self.key_of(&arrival.msg);
        let parents = self.reported.len();
        let state = self.keys.entry(key).or_insert_with(|| KeyState {
            marks: vec![None; parents],
            matches: VecDeque::new(),
            specifics: VecDeque::new(),
        });
        if let Some(mark) = state.marks.get_mut(arrival.parent) {
            *mark = Some(arrival.time);
        }
        let low_mark = if all_reported {
            low_mark(&state.marks)
        } else {
            None
        };
        let passed = |time| low_mark.is_some_and(|low| time < low);

        // Specific messages whose match can no longer come go on alone.
        while let Some(alone) = pop_front_if(&mut state.specifics, |s| passed(s.time)) {
            routed.push(alone);
        }

        if dimensions(&arrival.msg).tag_names.len() > self.on.len() {
            // Matches older than the low mark are looked through (and then forgotten); the
            // first one that is not, is the last one looked at.
            let looked = state
                .matches
                .iter()
                .position(|m| !passed(m.time))
                .map_or(state.matches.len(), |i| i + 1);
            let mut matched = false;
            for m in state.matches.iter().take(looked) {
                if m.time == arrival.time {
                    routed.push(arrival.clone());
                    routed.push(retagged(m, &arrival));
                    matched = true;
                }
            }
            if all_reported {
                let forgotten = state.matches.iter().take_while(|m| passed(m.time)).count();
                state.matches.drain(..forgotten);
            }
            if !matched {
                if passed(arrival.time) {
                    routed.push(arrival);
                } else {
                    state.specifics.push_back(arrival);
                    if state.specifics.len() > MAX_WAITING {
                        routed.extend(state.specifics.pop_front());
                    }
                }
            }
        } else {
            while let Some(specific) =
                pop_front_if(&mut state.specifics, |s| s.time == arrival.time)
            {
                let matched = retagged(&arrival, &specific);
                routed.push(specific);
                routed.push(matched);
            }
            state.matches.push_back(arrival);
            if state.matches.len() > MAX_WAITING {
                state.matches.pop_front();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_silent_parent_hides_those_before_it() {
        assert_eq!(low_mark(&[Some(5), Some(3)]), Some(3));
        assert_eq!(low_mark(&[None, Some(3)]), Some(3));
        assert_eq!(low_mark(&[Some(3), None, Some(7)]), Some(7));
        assert_eq!(low_mark(&[Some(3), Some(1), None]), None);
        assert_eq!(low_mark(&[]), None);
    }
}
