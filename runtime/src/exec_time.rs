//! A node's average execution time per message, as Kapacitor reports it (`avg_exec_time_ns`):
//! a moving average over a sample of the messages, so timing costs the hot path two clock
//! reads in every [`SAMPLE_EVERY`] messages rather than on each.

use std::time::Instant;

/// One message in this many is timed: a clock read costs about as much as a simple node's
/// whole work on a point, so timing one in ten would add a tenth to the pipeline.
const SAMPLE_EVERY: u32 = 64;
/// The moving average weighs about this many recent samples (Kapacitor keeps 100).
const AVERAGE_OVER: f64 = 100.0;

/// Times a sample of a node's messages.
#[derive(Debug, Clone, Default)]
pub struct ExecTime {
    /// Messages since the last timed one.
    since_sample: u32,
    average_ns: Option<f64>,
}

impl ExecTime {
    /// Call before the node takes a message: the start of the timing when this message is
    /// sampled.
    #[inline]
    pub fn start(&mut self) -> Option<Instant> {
        if self.since_sample == 0 {
            self.since_sample = SAMPLE_EVERY - 1;
            Some(Instant::now())
        } else {
            self.since_sample -= 1;
            None
        }
    }

    /// Call after the node took the message, with what [`ExecTime::start`] returned.
    #[inline]
    pub fn finish(&mut self, started: Option<Instant>) {
        if let Some(started) = started {
            self.record(started.elapsed().as_nanos() as f64);
        }
    }

    fn record(&mut self, nanos: f64) {
        // An exponential moving average: each sample moves the average by 1/AVERAGE_OVER of the
        // difference, so old samples fade as they would out of a window of AVERAGE_OVER.
        self.average_ns = Some(match self.average_ns {
            None => nanos,
            Some(average) => average + (nanos - average) / AVERAGE_OVER,
        });
    }

    /// The average, in nanoseconds (0 before any message).
    pub fn average_ns(&self) -> u64 {
        self.average_ns.map_or(0, |ns| ns.round() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_message_in_sample_every_is_timed() {
        let mut timer = ExecTime::default();
        let sampled: Vec<u32> = (0..3 * SAMPLE_EVERY)
            .filter(|_| {
                let started = timer.start();
                let sampled = started.is_some();
                timer.finish(started);
                sampled
            })
            .collect();
        assert_eq!(sampled, [0, SAMPLE_EVERY, 2 * SAMPLE_EVERY]);
    }

    #[test]
    fn the_average_starts_at_the_first_sample_and_moves_towards_later_ones() {
        let mut timer = ExecTime::default();
        assert_eq!(timer.average_ns(), 0);
        timer.record(1000.0);
        assert_eq!(timer.average_ns(), 1000);
        timer.record(2000.0);
        assert_eq!(timer.average_ns(), 1010);
        for _ in 0..2000 {
            timer.record(2000.0);
        }
        assert_eq!(timer.average_ns(), 2000);
    }
}
