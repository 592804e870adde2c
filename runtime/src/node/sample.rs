//! `|sample(n)` / `|sample(d)`: keeps every n-th point of each group (the first, the n+1-th...)
//! or the points whose time falls exactly on a multiple of a duration. On batches it samples
//! the points inside each batch, counting from the batch's first point.

use super::Node;
use super::go_time;
use super::group::GroupStates;
use super::pass_control;
use crate::point::{Message, Time};

/// What to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleRate {
    /// Every n-th point, counting from the first (the checker makes n positive; 0 keeps nothing).
    Count(i64),
    /// Points whose time is a multiple of this many nanoseconds (counted as Go counts them).
    Every(i64),
}

impl SampleRate {
    /// Whether the point numbered `count` (from 0) at time `t` is kept.
    fn keeps(self, count: i64, t: Time) -> bool {
        match self {
            SampleRate::Count(n) => count.checked_rem(n) == Some(0),
            SampleRate::Every(d) => go_time::truncate(t, d) == t,
        }
    }
}

/// `|sample()`.
#[derive(Debug)]
pub struct SampleNode {
    rate: SampleRate,
    /// Points seen per group of the stream.
    counts: GroupStates<i64>,
}

impl SampleNode {
    pub fn new(rate: SampleRate) -> Self {
        SampleNode {
            rate,
            counts: GroupStates::default(),
        }
    }
}

impl Node for SampleNode {
    fn push(&mut self, msg: Message, out: &mut Vec<Message>) {
        match msg {
            Message::Point(point) => {
                let mut count = self.counts.get(&point.group);
                let keep = self.rate.keeps(*count, point.time);
                *count = count.wrapping_add(1);
                if keep {
                    out.push(Message::Point(point));
                }
            }
            Message::Batch(mut batch) => {
                let mut count = 0_i64;
                batch.points.retain(|p| {
                    let keep = self.rate.keeps(count, p.time);
                    count = count.wrapping_add(1);
                    keep
                });
                out.push(Message::Batch(batch));
            }
            control @ (Message::DeleteGroup { .. } | Message::Barrier { .. }) => {
                pass_control(control, out, |group| {
                    self.counts.remove(group);
                })
            }
        }
    }

    fn groups(&self) -> usize {
        self.counts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::testing::{batch, batch_point, batches, point, points, run};
    use crate::point::GroupKey;

    const S: i64 = 1_000_000_000;

    #[test]
    fn every_nth_point_per_group() {
        let mut node = SampleNode::new(SampleRate::Count(2));
        let grouped = |host: &str, t| {
            let mut p = point("m", &[("host", host)], &[], t);
            p.group = GroupKey(format!("host={host}").into());
            p
        };
        let out = points(run(
            &mut node,
            [
                grouped("a", 1),
                grouped("b", 2),
                grouped("a", 3),
                grouped("a", 4),
                grouped("b", 5),
            ],
        ));
        assert_eq!(out.iter().map(|p| p.time).collect::<Vec<_>>(), [1, 2, 4]);
    }

    #[test]
    fn points_on_the_duration() {
        let mut node = SampleNode::new(SampleRate::Every(10 * S));
        let out = points(run(
            &mut node,
            [0, 3 * S, 10 * S, 10 * S + 1].map(|t| point("m", &[], &[], t)),
        ));
        assert_eq!(out.iter().map(|p| p.time).collect::<Vec<_>>(), [0, 10 * S]);
    }

    #[test]
    fn batches_count_from_their_first_point() {
        let mut node = SampleNode::new(SampleRate::Count(2));
        let b = || {
            batch(
                "m",
                &[],
                (1..=3).map(|t| batch_point(&[], &[], t)).collect(),
            )
        };
        let out = batches(run(&mut node, [b(), b()]));
        for b in out {
            assert_eq!(b.points.iter().map(|p| p.time).collect::<Vec<_>>(), [1, 3]);
        }
    }

    #[test]
    fn a_zero_count_keeps_nothing() {
        let mut node = SampleNode::new(SampleRate::Count(0));
        assert!(run(&mut node, [point("m", &[], &[], 0)]).is_empty());
    }
}
