//! The window node: buffers a stream per group and emits it as batches, by time or by count.
//!
//! Time follows the data (Kapacitor's `window.go`): a window closes only when a later point of
//! the same group arrives, and nothing is flushed at the end of the stream.
//! - `every > 0`: the first point fixes the first emit time (`first + every`, truncated to
//!   `every` when aligned; `first + period` with fillPeriod). A point at or past the emit time
//!   emits the left-closed window `[emit - period, emit)` as a batch timed `emit`, then joins the
//!   buffer, and the next emit time restarts from *that point's* time, so a gap shifts the
//!   windows of an unaligned node.
//! - `every == 0`: each point joins the buffer and emits the right-closed window
//!   `(t - period, t]` timed `t` (late points only join).
//! - count windows keep the last `periodCount` points and emit every `everyCount` points
//!   (partial windows included unless fillPeriod), timed by their last point.
//!
//! A barrier closes a time window as a point of its time would (without joining it), and is
//! not passed on, as in Kapacitor; count windows pass barriers on untouched. A delete-group
//! drops the group's window unsent.
//!
//! Points stay in arrival order and expire only from the front, so a late point survives
//! behind newer ones until everything before it has expired, as in Kapacitor.
//!
//! The buffers and clocks of every group are the node's saved state, so a window that spans a
//! restart emits with the points of both sides. That is all the window keeps: barriers and
//! delete-groups act on it (a closed window's clock, a deleted group's absence), so the
//! snapshot covers them. The idle-group bookkeeping is not the window's: it lives in the
//! `from`/`groupBy` node above, which keeps no saved state and starts tracking groups anew
//! after a restart. So a group restored here whose data stopped before the restart and never
//! comes back is not forgotten after the idle timeout; one that sends again is tracked again.

use std::collections::VecDeque;
use std::fmt;

use crate::node::Node;
use crate::node::go_time::truncate;
use crate::node::group::group_tags;
use crate::point::{Batch, BatchPoint, Dimensions, GroupKey, GroupMap, Message, Point, Str, Tags, Time};

/// The properties of `|window()`; durations are nanoseconds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WindowConfig {
    pub period: i64,
    pub every: i64,
    pub align: bool,
    pub fill_period: bool,
    pub period_count: i64,
    pub every_count: i64,
}

/// Why a window configuration cannot run (Kapacitor's messages, where it has one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WindowConfigError {
    NoPeriod,
    PeriodAndPeriodCount,
    AlignedCount,
    EveryCountNotPositive,
    Negative(&'static str),
}

impl fmt::Display for WindowConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WindowConfigError::NoPeriod => f.write_str(
                "window node must have either a non zero period or non zero period count",
            ),
            WindowConfigError::PeriodAndPeriodCount => {
                f.write_str("cannot specify both period and periodCount")
            }
            WindowConfigError::AlignedCount => {
                f.write_str("can only align windows based off time, not count")
            }
            WindowConfigError::EveryCountNotPositive => {
                f.write_str("everyCount must be greater than zero")
            }
            WindowConfigError::Negative(property) => {
                write!(f, "window {property} must not be negative")
            }
        }
    }
}

impl std::error::Error for WindowConfigError {}

/// What decides a window's extent, validated.
#[derive(Debug, Clone, Copy)]
enum Shape {
    Time {
        period: i64,
        every: i64,
        align: bool,
        fill_period: bool,
    },
    Count {
        period: usize,
        every: u64,
        fill_period: bool,
    },
}

/// `|window()`: stream in, one batch per closed window and group out.
pub struct WindowNode {
    shape: Shape,
    groups: GroupMap<GroupWindow>,
    errors: u64,
}

/// One group's window: what every batch of the group shares, and the buffer.
#[derive(serde::Serialize, serde::Deserialize)]
struct GroupWindow {
    /// The measurement of the group's first point names all its batches.
    name: Str,
    tags: Tags,
    dimensions: Dimensions,
    group: GroupKey,
    buffer: VecDeque<BatchPoint>,
    clock: Clock,
}

/// When the group's window emits next, and what it then contains. Times wrap on overflow, as
/// Go's do, rather than failing on absurd timestamps.
#[derive(serde::Serialize, serde::Deserialize)]
enum Clock {
    /// `every == 0`: every point closes the right-closed window `(t - period, t]`.
    EveryPoint { period: i64, next_emit: Time },
    /// Left-closed windows `[emit - period, emit)`, the next emit `every` after the point
    /// that closed the last one.
    Periodic {
        period: i64,
        every: i64,
        align: bool,
        next_emit: Time,
    },
    /// The last `period` points, every `every` points.
    Count {
        period: usize,
        every: u64,
        seen: u64,
        next_emit: u64,
    },
}

impl WindowNode {
    pub fn new(config: &WindowConfig) -> Result<Self, WindowConfigError> {
        let shape = match config {
            WindowConfig {
                period: 0,
                period_count: 0,
                ..
            } => return Err(WindowConfigError::NoPeriod),
            WindowConfig {
                period,
                period_count,
                ..
            } if *period != 0 && *period_count != 0 => {
                return Err(WindowConfigError::PeriodAndPeriodCount);
            }
            WindowConfig {
                period_count: 0,
                period,
                every,
                align,
                fill_period,
                ..
            } => {
                if *period < 0 {
                    return Err(WindowConfigError::Negative("period"));
                }
                if *every < 0 {
                    return Err(WindowConfigError::Negative("every"));
                }
                Shape::Time {
                    period: *period,
                    every: *every,
                    align: *align,
                    fill_period: *fill_period,
                }
            }
            WindowConfig { align: true, .. } => return Err(WindowConfigError::AlignedCount),
            WindowConfig { every_count, .. } if *every_count <= 0 => {
                return Err(WindowConfigError::EveryCountNotPositive);
            }
            WindowConfig {
                period_count,
                every_count,
                fill_period,
                ..
            } => Shape::Count {
                period: usize::try_from(*period_count)
                    .map_err(|_| WindowConfigError::Negative("periodCount"))?,
                every: every_count.unsigned_abs(),
                fill_period: *fill_period,
            },
        };
        Ok(WindowNode {
            shape,
            groups: GroupMap::default(),
            errors: 0,
        })
    }

    fn push_point(&mut self, point: Point, out: &mut Vec<Message>) {
        let shape = self.shape;
        let window = self
            .groups
            .entry(point.group.clone())
            .or_insert_with(|| GroupWindow {
                name: point.name.clone(),
                tags: group_tags(&point.tags, &point.dimensions),
                dimensions: point.dimensions.clone(),
                group: point.group.clone(),
                buffer: VecDeque::new(),
                clock: first_clock(shape, point.time),
            });
        let entry = BatchPoint {
            time: point.time,
            fields: point.fields,
            tags: point.tags,
        };
        if let Some(batch) = window.push(entry) {
            out.push(Message::Batch(batch));
        }
    }
}

impl GroupWindow {
    /// Adds a point, returning the window it closes, if any.
    fn push(&mut self, entry: BatchPoint) -> Option<Batch> {
        let time = entry.time;
        match &mut self.clock {
            Clock::EveryPoint { .. } => {
                self.buffer.push_back(entry);
                self.close(time)
            }
            Clock::Periodic { .. } => {
                // The triggering point joins afterwards: it belongs to the next window.
                let batch = self.close(time);
                self.buffer.push_back(entry);
                batch
            }
            Clock::Count {
                period,
                every,
                seen,
                next_emit,
            } => {
                self.buffer.push_back(entry);
                if self.buffer.len() > *period {
                    self.buffer.pop_front();
                }
                *seen += 1;
                if *seen != *next_emit {
                    return None;
                }
                *next_emit = next_emit.saturating_add(*every);
                Some(self.batch(time))
            }
        }
    }

    /// Whether barriers close this window (time windows; Kapacitor's count windows pass them).
    fn closes_on_barriers(&self) -> bool {
        !matches!(self.clock, Clock::Count { .. })
    }

    /// Closes the time window that data (or a barrier) at `time` closes, if any.
    fn close(&mut self, time: Time) -> Option<Batch> {
        match &mut self.clock {
            Clock::EveryPoint { period, next_emit } => {
                if time < *next_emit {
                    return None;
                }
                *next_emit = time;
                let oldest = time.wrapping_sub(*period);
                expire_front(&mut self.buffer, |t| t <= oldest);
                Some(self.batch(time))
            }
            Clock::Periodic {
                period,
                every,
                align,
                next_emit,
            } => {
                let emit_at = *next_emit;
                if time < emit_at {
                    return None;
                }
                *next_emit = time.wrapping_add(*every);
                if *align {
                    *next_emit = truncate(*next_emit, *every);
                }
                let oldest = emit_at.wrapping_sub(*period);
                expire_front(&mut self.buffer, |t| t < oldest);
                // The next close keeps only points from `next_emit - period` on. When no point
                // of this window reaches that far (tumbling windows: period <= every), every
                // one of them dies at the next close, as they sit at the front: they move into
                // the batch now instead of being copied into it and dropped later.
                let next_oldest = next_emit.wrapping_sub(*period);
                if self.buffer.iter().all(|p| p.time < next_oldest) {
                    let points = self.buffer.drain(..).collect();
                    return Some(self.batch_of(emit_at, points));
                }
                Some(self.batch(emit_at))
            }
            Clock::Count { .. } => None,
        }
    }

    /// The window's contents as a batch timed `time`; they stay in the window.
    fn batch(&self, time: Time) -> Batch {
        self.batch_of(time, self.buffer.iter().cloned().collect())
    }

    fn batch_of(&self, time: Time, points: Vec<BatchPoint>) -> Batch {
        Batch {
            name: self.name.clone(),
            time,
            tags: self.tags.clone(),
            dimensions: self.dimensions.clone(),
            group: self.group.clone(),
            points,
        }
    }
}

impl Node for WindowNode {
    fn push(&mut self, msg: Message, out: &mut Vec<Message>) {
        match msg {
            Message::Point(point) => self.push_point(point, out),
            // Kapacitor refuses batches here ("window does not support batch data").
            Message::Batch(_) => self.errors += 1,
            Message::Barrier { group, time } => match self.groups.get_mut(&group) {
                Some(window) if window.closes_on_barriers() => {
                    out.extend(window.close(time).map(Message::Batch));
                }
                // Kapacitor would open a window for an unknown group here, which stays empty
                // until data comes; none is opened until then.
                None if matches!(self.shape, Shape::Time { .. }) => {}
                _ => out.push(Message::Barrier { group, time }),
            },
            Message::DeleteGroup { group } => {
                self.groups.remove(&group);
                out.push(Message::DeleteGroup { group });
            }
        }
    }

    fn groups(&self) -> usize {
        self.groups.len()
    }

    fn errors(&self) -> u64 {
        self.errors
    }

    /// Every group's buffer and clock, in group order (so an unchanged window encodes to the
    /// same bytes and is not saved again).
    fn snapshot(&self) -> Option<Vec<u8>> {
        let mut groups: Vec<&GroupWindow> = self.groups.values().collect();
        groups.sort_unstable_by(|a, b| a.group.cmp(&b.group));
        match encode_exactly(&groups) {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                eprintln!("E! window node: cannot save its state: {e}");
                None
            }
        }
    }

    /// Puts back the saved groups under this node's own properties: a changed period or every
    /// applies from the next point on; a window changed between time and count starts empty.
    fn restore(&mut self, bytes: &[u8]) -> Result<(), String> {
        let (groups, _): (Vec<GroupWindow>, _) =
            bincode::serde::decode_from_slice(bytes, bincode::config::standard())
                .map_err(|e| format!("not a window node's state: {e}"))?;
        self.groups = groups
            .into_iter()
            .map(|mut window| {
                window.clock = window.clock.reshaped(self.shape)?;
                if let Clock::Count { period, .. } = window.clock {
                    while window.buffer.len() > period {
                        window.buffer.pop_front();
                    }
                }
                Ok((window.group.clone(), window))
            })
            .collect::<Result<_, String>>()?;
        Ok(())
    }
}

impl Clock {
    /// This clock's progress under the properties of `shape`.
    fn reshaped(self, shape: Shape) -> Result<Clock, String> {
        let next_emit = match self {
            Clock::EveryPoint { next_emit, .. } | Clock::Periodic { next_emit, .. } => {
                Progress::Time(next_emit)
            }
            Clock::Count { seen, next_emit, .. } => Progress::Count { seen, next_emit },
        };
        match (shape, next_emit) {
            (Shape::Time { period, every: 0, .. }, Progress::Time(next_emit)) => {
                Ok(Clock::EveryPoint { period, next_emit })
            }
            (Shape::Time { period, every, align, .. }, Progress::Time(next_emit)) => {
                Ok(Clock::Periodic { period, every, align, next_emit })
            }
            (Shape::Count { period, every, .. }, Progress::Count { seen, next_emit }) => {
                Ok(Clock::Count { period, every, seen, next_emit })
            }
            _ => Err("the saved window was kept by time and this one by count, or the reverse".into()),
        }
    }
}

/// How far a clock has gone, apart from the properties that shape it.
enum Progress {
    Time(Time),
    Count { seen: u64, next_emit: u64 },
}

fn first_clock(shape: Shape, first_time: Time) -> Clock {
    match shape {
        Shape::Time {
            period, every: 0, ..
        } => Clock::EveryPoint {
            period,
            next_emit: first_time,
        },
        Shape::Time {
            period,
            every,
            align,
            fill_period,
        } => {
            let next_emit = match (fill_period, align) {
                (false, false) => first_time.wrapping_add(every),
                (false, true) => truncate(first_time.wrapping_add(every), every),
                (true, false) => first_time.wrapping_add(period),
                (true, true) => {
                    // The first aligned emit strictly after a whole period.
                    let full = first_time.wrapping_add(period);
                    let aligned = truncate(full, every);
                    if aligned > full {
                        aligned
                    } else {
                        aligned.wrapping_add(every)
                    }
                }
            };
            Clock::Periodic {
                period,
                every,
                align,
                next_emit,
            }
        }
        Shape::Count {
            period,
            every,
            fill_period,
        } => Clock::Count {
            period,
            every,
            seen: 0,
            next_emit: if fill_period { period as u64 } else { every },
        },
    }
}

/// `value` encoded into a buffer of exactly its size: a window's contents are megabytes, and a
/// buffer grown by doubling would hold up to twice that at the moment the state is saved.
fn encode_exactly(value: &impl serde::Serialize) -> Result<Vec<u8>, bincode::error::EncodeError> {
    let config = bincode::config::standard();
    let size = bincode::serde::encode_into_std_write(value, &mut std::io::sink(), config)?;
    let mut bytes = Vec::with_capacity(size);
    bincode::serde::encode_into_std_write(value, &mut bytes, config)?;
    Ok(bytes)
}

/// Drops points from the front while `expired` holds for their time.
fn expire_front(buffer: &mut VecDeque<BatchPoint>, expired: impl Fn(Time) -> bool) {
    while buffer.front().is_some_and(|p| expired(p.time)) {
        buffer.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::point::{FieldValue, Fields};

    const S: i64 = 1_000_000_000;
    /// 2023-11-14T22:13:20Z, where the conformance data starts.
    const T0: i64 = 1_700_000_000 * S;

    fn point(host: &str, secs: i64, v: i64) -> Message {
        let dims = Dimensions {
            by_measurement: false,
            tag_names: ["host"].map(crate::point::Str::from).into(),
        };
        Message::Point(Point {
            database: "db".into(),
            retention_policy: "rp".into(),
            name: "m".into(),
            tags: Tags::from_pairs([("host".into(), host.into()), ("dc".into(), "x".into())]),
            fields: Fields::from_pairs([("v".into(), FieldValue::Int(v))]),
            time: T0 + secs * S,
            dimensions: dims,
            group: GroupKey(format!("host={host}").into()),
        })
    }

    /// Feeds points of host `a` at the given second offsets (value = offset) and describes each
    /// emitted batch as `emit_second:[point seconds]`.
    fn run(config: WindowConfig, seconds: &[i64]) -> Vec<String> {
        let mut node = WindowNode::new(&config).unwrap();
        let mut out = Vec::new();
        for &s in seconds {
            node.push(point("a", s, s), &mut out);
        }
        describe(&out)
    }

    fn describe(out: &[Message]) -> Vec<String> {
        out.iter()
            .map(|m| match m {
                Message::Batch(b) => {
                    let pts: Vec<String> = b
                        .points
                        .iter()
                        .map(|p| ((p.time - T0) / S).to_string())
                        .collect();
                    format!("{}:[{}]", (b.time - T0) / S, pts.join(","))
                }
                other => format!("{other:?}"),
            })
            .collect()
    }

    fn time_window(period: i64, every: i64) -> WindowConfig {
        WindowConfig {
            period: period * S,
            every: every * S,
            ..WindowConfig::default()
        }
    }

    /// Describes what a node emitted: `emit_second:[point seconds]` per batch, or the control
    /// message.
    fn shown(out: &[Message]) -> Vec<String> {
        out.iter()
            .map(|m| match m {
                Message::Batch(b) => {
                    let pts: Vec<String> =
                        b.points.iter().map(|p| ((p.time - T0) / S).to_string()).collect();
                    format!("{}:[{}]", (b.time - T0) / S, pts.join(","))
                }
                Message::Barrier { group, time } => {
                    format!("barrier {} {}", group.as_str(), (time - T0) / S)
                }
                Message::DeleteGroup { group } => format!("delete {}", group.as_str()),
                Message::Point(_) => "point".into(),
            })
            .collect()
    }

    fn barrier(host: &str, secs: i64) -> Message {
        Message::Barrier {
            group: GroupKey(format!("host={host}").into()),
            time: T0 + secs * S,
        }
    }

    /// A barrier closes a time window as a point of its time would, without joining it, and
    /// is not passed on; the next window restarts from the barrier's time.
    #[test]
    fn a_barrier_closes_the_window_it_is_past() {
        let mut node = WindowNode::new(&time_window(5, 5)).unwrap();
        let mut out = Vec::new();
        for s in [0, 1, 2] {
            node.push(point("a", s, s), &mut out);
        }
        node.push(barrier("a", 4), &mut out);
        assert!(out.is_empty(), "{:?}", shown(&out));
        node.push(barrier("a", 7), &mut out);
        node.push(point("a", 8, 8), &mut out);
        node.push(barrier("a", 12), &mut out);
        assert_eq!(shown(&out), ["5:[0,1,2]", "12:[8]"]);
        // A group the window does not know: nothing opens, nothing passes.
        out.clear();
        node.push(barrier("b", 12), &mut out);
        assert!(out.is_empty());
        assert_eq!(node.groups(), 1);
    }

    #[test]
    fn a_barrier_closes_a_right_closed_window_too() {
        let mut node = WindowNode::new(&time_window(4, 0)).unwrap();
        let mut out = Vec::new();
        node.push(point("a", 0, 0), &mut out);
        node.push(point("a", 2, 2), &mut out);
        out.clear();
        node.push(barrier("a", 5), &mut out);
        assert_eq!(shown(&out), ["5:[2]"]);
    }

    #[test]
    fn count_windows_pass_barriers_on() {
        let config = WindowConfig {
            period_count: 2,
            every_count: 2,
            ..WindowConfig::default()
        };
        let mut node = WindowNode::new(&config).unwrap();
        let mut out = Vec::new();
        node.push(point("a", 0, 0), &mut out);
        node.push(barrier("a", 5), &mut out);
        assert_eq!(shown(&out), ["barrier host=a 5"]);
    }

    #[test]
    fn a_deleted_group_loses_its_window_unsent() {
        let mut node = WindowNode::new(&time_window(5, 5)).unwrap();
        let mut out = Vec::new();
        node.push(point("a", 0, 0), &mut out);
        node.push(point("b", 0, 0), &mut out);
        node.push(
            Message::DeleteGroup {
                group: GroupKey("host=a".into()),
            },
            &mut out,
        );
        assert_eq!(node.groups(), 1);
        // `a` starts afresh: its first window is timed from its new first point.
        node.push(point("a", 3, 3), &mut out);
        node.push(point("a", 8, 8), &mut out);
        node.push(point("b", 6, 6), &mut out);
        assert_eq!(shown(&out), ["delete host=a", "8:[3]", "5:[0]"]);
    }

    #[test]
    fn tumbling_window_emits_when_a_later_point_arrives() {
        let got = run(time_window(5, 5), &[0, 1, 2, 4, 6, 7, 40, 41, 43, 46]);
        // The gap moves the next emit to 40 + 5; nothing is flushed after 46.
        assert_eq!(got, ["5:[0,1,2,4]", "11:[6,7]", "45:[40,41,43]"]);
    }

    /// A tumbling window hands its points to the batch: the window keeps only the point that
    /// closed it. An overlapping one keeps its points until the next close expires them.
    #[test]
    fn a_tumbling_window_keeps_nothing_it_has_sent() {
        let kept = |config: WindowConfig, seconds: &[i64]| {
            let mut node = WindowNode::new(&config).unwrap();
            let mut out = Vec::new();
            for &s in seconds {
                node.push(point("a", s, s), &mut out);
            }
            let window = node.groups.values().next().expect("one group");
            window.buffer.iter().map(|p| (p.time - T0) / S).collect::<Vec<_>>()
        };
        assert_eq!(kept(time_window(5, 5), &[0, 1, 4, 6]), [6]);
        assert_eq!(kept(time_window(3, 5), &[0, 1, 4, 6]), [6]);
        assert_eq!(kept(time_window(6, 4), &[3, 4, 5, 7]), [3, 4, 5, 7]);
        let aligned = WindowConfig { align: true, ..time_window(5, 5) };
        assert_eq!(kept(aligned, &[2, 4, 6]), [6]);
    }

    #[test]
    fn unaligned_overlap_restarts_from_the_triggering_point() {
        let got = run(time_window(6, 4), &[3, 4, 5, 7, 8, 9, 12, 13]);
        assert_eq!(got, ["7:[3,4,5]", "11:[5,7,8,9]"]);
    }

    #[test]
    fn aligned_windows_end_on_multiples_of_every() {
        let config = WindowConfig {
            align: true,
            ..time_window(10, 5)
        };
        // 1700000002 + 5 truncates to ...005; the gap jumps to the next boundary after 31.
        let got = run(config, &[2, 4, 6, 9, 10, 31, 36]);
        assert_eq!(got, ["5:[2,4]", "10:[2,4,6,9]", "15:[6,9,10]", "35:[31]"]);
    }

    #[test]
    fn every_zero_emits_a_right_closed_window_per_point() {
        let got = run(time_window(4, 0), &[0, 1, 3, 4, 9]);
        assert_eq!(got, ["0:[0]", "1:[0,1]", "3:[0,1,3]", "4:[1,3,4]", "9:[9]"]);
    }

    #[test]
    fn fill_period_waits_for_a_whole_period() {
        let got = run(
            WindowConfig {
                fill_period: true,
                ..time_window(6, 2)
            },
            &[1, 2, 3, 4, 5, 6, 7, 8, 9],
        );
        assert_eq!(got, ["7:[1,2,3,4,5,6]", "9:[3,4,5,6,7,8]"]);
    }

    #[test]
    fn aligned_fill_period_starts_after_the_first_full_period() {
        let config = WindowConfig {
            align: true,
            fill_period: true,
            ..time_window(8, 4)
        };
        // first + period = 9 → truncated 8 is not after 9 → 12.
        let got = run(config, &[1, 2, 5, 9, 11, 12, 13, 16]);
        assert_eq!(got, ["12:[5,9,11]", "16:[9,11,12,13]"]);
    }

    #[test]
    fn late_points_stay_behind_newer_ones() {
        // 3 arrives after 8: it is kept at the back and survives the purge at 10.
        let got = run(time_window(5, 5), &[0, 4, 8, 3, 11, 16]);
        assert_eq!(got, ["5:[0,4]", "13:[8,3,11]"]);
    }

    #[test]
    fn count_windows_emit_partial_windows_timed_by_their_last_point() {
        let config = WindowConfig {
            period_count: 3,
            every_count: 2,
            ..WindowConfig::default()
        };
        let got = run(config, &[0, 2, 3, 5, 7, 8]);
        assert_eq!(got, ["2:[0,2]", "5:[2,3,5]", "8:[5,7,8]"]);
    }

    #[test]
    fn count_windows_with_fill_period_and_every_beyond_period() {
        let fill = WindowConfig {
            period_count: 3,
            every_count: 1,
            fill_period: true,
            ..WindowConfig::default()
        };
        assert_eq!(run(fill, &[0, 1, 2, 3]), ["2:[0,1,2]", "3:[1,2,3]"]);
        let sparse = WindowConfig {
            period_count: 2,
            every_count: 3,
            ..WindowConfig::default()
        };
        assert_eq!(run(sparse, &[0, 1, 2, 3, 4, 5]), ["2:[1,2]", "5:[4,5]"]);
    }

    #[test]
    fn groups_are_independent_and_batches_carry_group_tags() {
        let mut node = WindowNode::new(&time_window(2, 2)).unwrap();
        let mut out = Vec::new();
        for (host, s) in [("a", 0), ("b", 1), ("a", 2), ("b", 2), ("b", 3)] {
            node.push(point(host, s, s), &mut out);
        }
        let Some(Message::Batch(first)) = out.first() else {
            panic!("expected a batch, got {out:?}")
        };
        assert_eq!(out.len(), 2);
        assert_eq!((first.time - T0) / S, 2);
        assert_eq!(format!("{:?}", first.tags), r#"{"host": "a"}"#);
        assert_eq!(first.group, GroupKey("host=a".into()));
        // Points keep all their own tags.
        assert_eq!(
            first.points[0].tags.get("dc").map(crate::point::Str::as_str),
            Some("x")
        );
        let Some(Message::Batch(second)) = out.get(1) else {
            panic!()
        };
        assert_eq!((second.time - T0) / S, 3);
    }

    /// Runs `seconds` through a node that is snapshotted after the first `split` points and
    /// restored into a fresh node, which takes the rest; for hosts `a` and `b` alike.
    fn run_across_restart(config: &WindowConfig, seconds: &[i64], split: usize) -> Vec<String> {
        let mut before = WindowNode::new(config).unwrap();
        let mut out = Vec::new();
        let (first, rest) = seconds.split_at(split);
        for &s in first {
            before.push(point("a", s, s), &mut out);
            before.push(point("b", s, -s), &mut out);
        }
        let saved = before.snapshot().expect("a window keeps state");
        assert_eq!(before.snapshot(), Some(saved.clone()), "the same state encodes the same");
        let mut after = WindowNode::new(config).unwrap();
        after.restore(&saved).unwrap();
        for &s in rest {
            after.push(point("a", s, s), &mut out);
            after.push(point("b", s, -s), &mut out);
        }
        describe(&out)
    }

    #[test]
    fn a_window_restored_mid_way_emits_what_an_uninterrupted_one_emits() {
        let seconds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 16, 31, 36];
        let configs = [
            time_window(5, 5),
            time_window(6, 4),
            time_window(4, 0),
            WindowConfig { align: true, fill_period: true, ..time_window(8, 4) },
            WindowConfig { period_count: 3, every_count: 2, ..WindowConfig::default() },
        ];
        for config in configs {
            let mut uninterrupted = WindowNode::new(&config).unwrap();
            let mut out = Vec::new();
            for &s in &seconds {
                uninterrupted.push(point("a", s, s), &mut out);
                uninterrupted.push(point("b", s, -s), &mut out);
            }
            let expected = describe(&out);
            assert!(expected.len() >= 4, "{config:?} emits too little to tell: {expected:?}");
            for split in 1..seconds.len() {
                assert_eq!(run_across_restart(&config, &seconds, split), expected, "{config:?} split at {split}");
            }
        }
    }

    #[test]
    fn the_batch_spanning_a_restart_keeps_points_and_tags_of_both_sides() {
        let mut node = WindowNode::new(&time_window(10, 10)).unwrap();
        let mut out = Vec::new();
        node.push(point("a", 0, 0), &mut out);
        node.push(point("a", 4, 4), &mut out);
        let mut restored = WindowNode::new(&time_window(10, 10)).unwrap();
        restored.restore(&node.snapshot().unwrap()).unwrap();
        restored.push(point("a", 7, 7), &mut out);
        restored.push(point("a", 10, 10), &mut out);
        let [Message::Batch(batch)] = &out[..] else { panic!("{out:?}") };
        let values: Vec<Option<&FieldValue>> = batch.points.iter().map(|p| p.fields.get("v")).collect();
        assert_eq!(values, [Some(&FieldValue::Int(0)), Some(&FieldValue::Int(4)), Some(&FieldValue::Int(7))]);
        assert_eq!((&*batch.name, batch.group.as_str()), ("m", "host=a"));
        assert_eq!(batch.points[0].tags.get("dc").map(|v| &**v), Some("x"));
    }

    #[test]
    fn barriers_and_deletions_before_a_snapshot_are_in_the_restored_window() {
        let config = time_window(10, 10);
        let script = |node: &mut WindowNode, out: &mut Vec<Message>, first: bool| {
            if first {
                for host in ["a", "b"] {
                    node.push(point(host, 1, 1), out);
                }
                // `a`'s window closes on the barrier; `b` is forgotten.
                node.push(barrier("a", 11), out);
                node.push(Message::DeleteGroup { group: GroupKey("host=b".into()) }, out);
            } else {
                for host in ["a", "b"] {
                    node.push(point(host, 15, 15), out);
                    node.push(point(host, 26, 26), out);
                }
            }
        };
        let mut uninterrupted = WindowNode::new(&config).unwrap();
        let mut expected = Vec::new();
        script(&mut uninterrupted, &mut expected, true);
        script(&mut uninterrupted, &mut expected, false);
        let mut before = WindowNode::new(&config).unwrap();
        let mut out = Vec::new();
        script(&mut before, &mut out, true);
        let mut after = WindowNode::new(&config).unwrap();
        after.restore(&before.snapshot().unwrap()).unwrap();
        assert_eq!(after.groups(), 1, "the deleted group is not saved");
        script(&mut after, &mut out, false);
        let by_group = |out: &[Message]| -> Vec<String> {
            out.iter()
                .map(|m| match m {
                    Message::Batch(b) => format!("{} {}", b.group.as_str(), shown(std::slice::from_ref(m))[0]),
                    other => shown(std::slice::from_ref(other))[0].clone(),
                })
                .collect()
        };
        // `a` closed [1] on the barrier and its next window opened at 11; `b` opened anew at 15.
        assert_eq!(by_group(&out), ["host=a 11:[1]", "delete host=b", "host=a 21:[15]", "host=b 25:[15]"]);
        assert_eq!(by_group(&out), by_group(&expected));
    }

    #[test]
    fn a_changed_window_takes_what_it_can_of_the_saved_state() {
        let mut node = WindowNode::new(&time_window(10, 10)).unwrap();
        node.push(point("a", 0, 0), &mut Vec::new());
        let saved = node.snapshot().unwrap();
        // A longer period keeps the buffer and the emit time.
        let mut longer = WindowNode::new(&time_window(20, 10)).unwrap();
        longer.restore(&saved).unwrap();
        let mut out = Vec::new();
        longer.push(point("a", 10, 10), &mut out);
        assert_eq!(describe(&out), ["10:[0]"]);
        // A count window cannot continue a time window.
        let mut counted = WindowNode::new(&WindowConfig { period_count: 2, every_count: 1, ..WindowConfig::default() }).unwrap();
        assert!(counted.restore(&saved).unwrap_err().contains("by count"));
        assert!(counted.restore(b"\xff\xff").unwrap_err().contains("not a window"));
    }

    #[test]
    fn invalid_configs_are_rejected() {
        let err = |c: WindowConfig| WindowNode::new(&c).err();
        assert_eq!(
            err(WindowConfig::default()),
            Some(WindowConfigError::NoPeriod)
        );
        assert_eq!(
            err(WindowConfig {
                period: S,
                period_count: 2,
                every_count: 1,
                ..Default::default()
            }),
            Some(WindowConfigError::PeriodAndPeriodCount)
        );
        assert_eq!(
            err(WindowConfig {
                period_count: 2,
                align: true,
                every_count: 1,
                ..Default::default()
            }),
            Some(WindowConfigError::AlignedCount)
        );
        assert_eq!(
            err(WindowConfig {
                period_count: 2,
                ..Default::default()
            }),
            Some(WindowConfigError::EveryCountNotPositive)
        );
        assert_eq!(
            err(WindowConfig {
                period: -S,
                ..Default::default()
            }),
            Some(WindowConfigError::Negative("period"))
        );
    }
}
