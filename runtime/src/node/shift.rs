//! `|shift(d)`: moves data in time by a fixed (possibly negative) duration.

use super::Node;
use crate::point::Message;

/// `|shift()`. Times wrap on overflow, as Go's time arithmetic does.
#[derive(Debug)]
pub struct ShiftNode {
    /// Nanoseconds added to every time.
    shift: i64,
}

impl ShiftNode {
    pub fn new(shift: i64) -> Self {
        ShiftNode { shift }
    }
}

impl Node for ShiftNode {
    fn push(&mut self, msg: Message, out: &mut Vec<Message>) {
        let msg = match msg {
            Message::Point(mut point) => {
                point.time = point.time.wrapping_add(self.shift);
                Message::Point(point)
            }
            Message::Batch(mut batch) => {
                batch.time = batch.time.wrapping_add(self.shift);
                for point in &mut batch.points {
                    point.time = point.time.wrapping_add(self.shift);
                }
                Message::Batch(batch)
            }
            // Kapacitor passes barriers on unshifted.
            control @ (Message::Barrier { .. } | Message::DeleteGroup { .. }) => control,
        };
        out.push(msg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::testing::{batch, batch_point, batches, point, points, run};

    #[test]
    fn shifts_points_batches_and_their_points() {
        let mut node = ShiftNode::new(-5);
        assert_eq!(
            points(run(&mut node, [point("m", &[], &[], 100)]))[0].time,
            95
        );
        let out = batches(run(
            &mut node,
            [batch(
                "m",
                &[],
                vec![batch_point(&[], &[], 10), batch_point(&[], &[], 20)],
            )],
        ));
        assert_eq!(out[0].time, 15);
        assert_eq!(
            out[0].points.iter().map(|p| p.time).collect::<Vec<_>>(),
            [5, 15]
        );
    }
}
