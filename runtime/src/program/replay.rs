//! Replaying a stream recording through tasks: each point goes to the tasks whose dbrps match,
//! in file order, with its recorded time, then the points they looped back
//! (`|kapacitorLoopback()`) go to the tasks that read theirs; at the end every task and the
//! outbox are flushed.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::ProgramConfig;
use crate::delivery::threaded::ThreadedOutbox;
use crate::delivery::Outbox;
use crate::loopback::LoopbackQueue;
use crate::point::{Point, Time};
use crate::replay::srpl::{SrplError, SrplReader};
use crate::task::{Task, TaskContext, TaskDescriptor};
use crate::time::Precision;

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Pace points by their timestamps.
    pub real_clock: bool,
    /// Print a progress line to standard error about once a second.
    pub progress: bool,
    /// The program's configuration (the InfluxDB `influxDBOut` writes to).
    pub config: Arc<ProgramConfig>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub points: u64,
    pub bad_points: u64,
}

/// Sleeps so that data time advances no faster than the wall clock.
struct Pacer {
    start: Option<(Time, Instant)>,
}

impl Pacer {
    fn wait_for(&mut self, time: Time) {
        let (first, wall) = *self.start.get_or_insert((time, Instant::now()));
        let due = Duration::from_nanos(u64::try_from(time.saturating_sub(first)).unwrap_or(0));
        if let Some(wait) = due.checked_sub(wall.elapsed()) {
            std::thread::sleep(wait);
        }
    }
}

/// How many looped-back points may wait at once, and how many one recorded point may set off
/// (more means a cycle between tasks: the rest are dropped rather than replayed forever).
const LOOPBACK_CAPACITY: usize = 100_000;

/// The tasks of one replay, started together with the outbox their handlers deliver through
/// and the loopback they write back into.
pub(super) struct Session {
    outbox: Arc<ThreadedOutbox>,
    loopback: Arc<LoopbackQueue>,
    pub(super) running: Vec<(TaskDescriptor, Box<dyn Task>)>,
}

impl Session {
    pub(super) fn start(tasks: &[TaskDescriptor], config: Arc<ProgramConfig>) -> Session {
        let outbox = Arc::new(ThreadedOutbox::new());
        let loopback = Arc::new(LoopbackQueue::new(LOOPBACK_CAPACITY));
        let running = tasks
            .iter()
            .map(|d| {
                let mut ctx = TaskContext::new(d.id, outbox.clone());
                ctx.config = config.clone();
                ctx.loopback = Some(loopback.clone());
                (*d, d.start(&ctx))
            })
            .collect();
        Session { outbox, loopback, running }
    }

    /// Hands a point to the tasks that read its dbrp, then what they looped back.
    fn dispatch(&mut self, point: Point) {
        dispatch(&mut self.running, point);
        self.feed_loopback();
    }

    /// Hands the looped-back points, oldest first, to the tasks that read their dbrp (and what
    /// those loop back in turn), up to the queue's capacity.
    pub(super) fn feed_loopback(&mut self) {
        for _ in 0..LOOPBACK_CAPACITY {
            match self.loopback.take() {
                Some(point) => dispatch(&mut self.running, point),
                None => return,
            }
        }
        let mut dropped = 0;
        while self.loopback.take().is_some() {
            dropped += 1;
        }
        if dropped > 0 {
            eprintln!("error: a cycle of looped-back points between tasks: dropped {dropped} point(s)");
        }
    }

    /// Flushes every task, then waits until the outbox has delivered everything.
    pub(super) fn finish(mut self) {
        self.feed_loopback();
        for (_, task) in &mut self.running {
            task.flush();
        }
        self.outbox.flush();
    }
}

/// Replays the recording at `path` through `tasks`.
pub fn replay_file(tasks: &[TaskDescriptor], path: &Path, options: &Options) -> Result<Summary, SrplError> {
    let reader = SrplReader::open(path, Precision::Nanosecond)?;
    let mut session = Session::start(tasks, options.config.clone());
    let summary = feed(&mut session, reader, options)?;
    session.finish();
    Ok(summary)
}

fn feed(
    session: &mut Session,
    points: impl Iterator<Item = Result<Point, SrplError>>,
    options: &Options,
) -> Result<Summary, SrplError> {
    let mut summary = Summary::default();
    let mut pacer = Pacer { start: None };
    let mut last_report = Instant::now();
    for point in points {
        let point = match point {
            Ok(p) => p,
            Err(SrplError::BadPoint(bad)) => {
                eprintln!("warning: {bad}");
                summary.bad_points += 1;
                continue;
            }
            Err(fatal) => return Err(fatal),
        };
        if options.real_clock {
            pacer.wait_for(point.time);
        }
        summary.points += 1;
        session.dispatch(point);
        if options.progress && last_report.elapsed() >= Duration::from_secs(1) {
            eprint!("\rreplayed {} points", summary.points);
            last_report = Instant::now();
        }
    }
    if options.progress {
        eprintln!("\rreplayed {} points", summary.points);
    }
    Ok(summary)
}

/// Hands a point to every task that reads its database and retention policy; the last one
/// takes it without a copy.
fn dispatch(running: &mut [(TaskDescriptor, Box<dyn Task>)], point: Point) {
    let mut wanting = running.iter_mut().filter(|(d, _)| d.wants(&point.database, &point.retention_policy)).peekable();
    while let Some((_, task)) = wanting.next() {
        if wanting.peek().is_some() {
            task.push_point(point.clone());
        } else {
            task.push_point(point);
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::point::Batch;
    use crate::task::{Dbrp, NodeStats, TaskKind};
    use std::sync::Mutex;

    static SEEN: Mutex<Vec<(String, i64)>> = Mutex::new(Vec::new());

    struct Recorder(String);

    impl Task for Recorder {
        fn push_point(&mut self, point: Point) {
            SEEN.lock().unwrap().push((self.0.clone(), point.time));
        }
        fn push_batch(&mut self, _: usize, _: Batch) {}
        fn flush(&mut self) {}
        fn stats(&self) -> Vec<NodeStats> {
            Vec::new()
        }
    }

    fn descriptor(id: &'static str, dbrps: &'static [Dbrp]) -> TaskDescriptor {
        TaskDescriptor { id, kind: TaskKind::Stream, dbrps, script: "", nodes: &[], edges: &[], queries: Vec::new, new: |ctx| Box::new(Recorder(ctx.task_id.clone())), enabled: true }
    }

    #[test]
    fn points_reach_the_tasks_of_their_dbrp_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.srpl");
        std::fs::write(&path, "db\nrp\nm v=1 10\nother\nrp\nm v=2 20\ndb\nrp\nm v=oops 25\ndb\nrp\nm v=3 30\n").unwrap();
        static A: &[Dbrp] = &[Dbrp { database: "db", retention_policy: "rp" }];
        static B: &[Dbrp] = &[Dbrp { database: "db", retention_policy: "rp" }, Dbrp { database: "other", retention_policy: "rp" }];
        let tasks = [descriptor("a", A), descriptor("b", B)];
        let summary = replay_file(&tasks, &path, &Options::default()).unwrap();
        assert_eq!(summary, Summary { points: 3, bad_points: 1 });
        let seen = SEEN.lock().unwrap().clone();
        assert_eq!(
            seen,
            vec![("a".into(), 10), ("b".into(), 10), ("b".into(), 20), ("a".into(), 30), ("b".into(), 30)]
        );
    }

    static LOOPED: Mutex<Vec<(String, String, i64)>> = Mutex::new(Vec::new());

    /// Loops every point back into "derived"."autogen", and records what it gets from there.
    struct Looper(String, Option<Arc<dyn crate::loopback::Loopback>>);

    impl Task for Looper {
        fn push_point(&mut self, mut point: Point) {
            LOOPED.lock().unwrap().push((self.0.clone(), point.database.to_string(), point.time));
            if point.database == "db"
                && let Some(loopback) = &self.1
            {
                point.database = "derived".into();
                point.retention_policy = "autogen".into();
                loopback.write(point);
            }
        }
        fn push_batch(&mut self, _: usize, _: Batch) {}
        fn flush(&mut self) {}
        fn stats(&self) -> Vec<NodeStats> {
            Vec::new()
        }
    }

    #[test]
    fn looped_back_points_reach_the_tasks_of_their_dbrp_after_the_current_point() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.srpl");
        std::fs::write(&path, "db\nrp\nm v=1 10\ndb\nrp\nm v=2 20\n").unwrap();
        static SOURCE: &[Dbrp] = &[Dbrp { database: "db", retention_policy: "rp" }];
        static DERIVED: &[Dbrp] = &[Dbrp { database: "derived", retention_policy: "autogen" }];
        let looper = |id, dbrps| TaskDescriptor {
            new: |ctx| Box::new(Looper(ctx.task_id.clone(), ctx.loopback.clone())),
            ..descriptor(id, dbrps)
        };
        let tasks = [looper("source", SOURCE), looper("sink", DERIVED)];
        replay_file(&tasks, &path, &Options::default()).unwrap();
        let seen = LOOPED.lock().unwrap().clone();
        let expected = [("source", "db", 10), ("sink", "derived", 10), ("source", "db", 20), ("sink", "derived", 20)];
        assert_eq!(seen, expected.map(|(t, d, time)| (t.to_owned(), d.to_owned(), time)));
    }
}
