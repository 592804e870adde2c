//! Replaying a stream recording through tasks: each point goes to the tasks that can use it
//! (their routes: dbrp, measurement, tags; see [`crate::route`]), in file order, with its recorded time, then the points they looped back
//! (`|kapacitorLoopback()`) go to the tasks that read theirs; at the end every task and the
//! outbox are flushed.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::ProgramConfig;
use crate::delivery::threaded::ThreadedOutbox;
use crate::delivery::Outbox;
use crate::loopback::LoopbackQueue;
use crate::point::{Message, Point, Time};
use crate::lineproto::{SeriesId, SeriesTable};
use crate::replay::read_ahead::ReadAhead;
use crate::replay::srpl::{SrplError, SrplReader};
use crate::route::{Memoized, RouteIndex, RouteMemo, Scratch};
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
    /// Which of `running` can use a point.
    routes: RouteIndex,
    scratch: Scratch,
    /// The routes of the series read so far.
    memos: SeriesTable<RouteMemo>,
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
        Session {
            outbox,
            loopback,
            running,
            routes: RouteIndex::new(tasks),
            scratch: Scratch::default(),
            memos: SeriesTable::default(),
        }
    }

    /// Hands a recorded point to the tasks that can use it (as its series' memo remembers
    /// them), then what they looped back. `msg` is left with what the last task left of it.
    fn dispatch_and_loopback(&mut self, msg: &mut Message, series: SeriesId) {
        self.dispatch(msg, Some(series));
        self.feed_loopback();
    }

    /// Hands the looped-back points, oldest first, to the tasks that can use them (and what
    /// those loop back in turn), up to the queue's capacity. Asked after every point, and
    /// mostly nothing waits: that case is one inlined load.
    #[inline]
    pub(super) fn feed_loopback(&mut self) {
        if !self.loopback.is_empty() {
            self.feed_waiting_loopback();
        }
    }

    fn feed_waiting_loopback(&mut self) {
        for _ in 0..LOOPBACK_CAPACITY {
            match self.loopback.take() {
                Some(point) => self.dispatch(&mut Message::Point(point), None),
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

    /// Hands the point `msg` holds to every task that can use it, in program order: each but
    /// the last a copy, the last the point itself, lent, so `msg` is left with what that task
    /// left of it (its memory is used again for the next point).
    fn dispatch(&mut self, msg: &mut Message, series: Option<SeriesId>) {
        let Message::Point(point) = msg else {
            return;
        };
        let (database, retention_policy) = (&point.database, &point.retention_policy);
        let wanting = match series {
            Some(series) => {
                let memo = self.memos.get(series);
                self.routes.tasks_for(&mut self.scratch, database, retention_policy, &Memoized { point, memo })
            }
            None => self.routes.tasks_for(&mut self.scratch, database, retention_policy, point),
        };
        let mut wanting = wanting.peekable();
        while let Some(index) = wanting.next() {
            let Some((_, task)) = self.running.get_mut(index) else {
                continue;
            };
            if wanting.peek().is_some() {
                task.push_point(point.clone());
            } else {
                task.lend_point(msg);
                return;
            }
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
    let points = ReadAhead::start(SrplReader::open(path, Precision::Nanosecond)?)?;
    let mut session = Session::start(tasks, options.config.clone());
    let summary = feed(&mut session, points, options)?;
    session.finish();
    Ok(summary)
}

fn feed(session: &mut Session, mut points: ReadAhead, options: &Options) -> Result<Summary, SrplError> {
    let mut summary = Summary::default();
    let mut pacer = Pacer { start: None };
    let mut last_report = Instant::now();
    // Each point is read into what the tasks left of the one before.
    let mut msg = Message::Point(Point::default());
    while let Some(read) = points.next_into(&mut msg) {
        let series = match read {
            Ok(series) => series,
            Err(SrplError::BadPoint(bad)) => {
                eprintln!("warning: {bad}");
                summary.bad_points += 1;
                continue;
            }
            Err(fatal) => return Err(fatal),
        };
        if options.real_clock
            && let Message::Point(point) = &msg
        {
            pacer.wait_for(point.time);
        }
        summary.points += 1;
        session.dispatch_and_loopback(&mut msg, series);
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


#[cfg(test)]
mod tests {
    use super::*;
    use crate::point::Batch;
    use crate::task::{Dbrp, NodeStats, Route, Routes, TaskKind};
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
        TaskDescriptor { id, kind: TaskKind::Stream, dbrps, script: "", nodes: &[], edges: &[], queries: Vec::new, new: |ctx| Box::new(Recorder(ctx.task_id.clone())), enabled: true, routes: Routes::Dbrps }
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

    static ROUTED: Mutex<Vec<(String, i64)>> = Mutex::new(Vec::new());

    struct RoutedRecorder(String);

    impl Task for RoutedRecorder {
        fn push_point(&mut self, point: Point) {
            ROUTED.lock().unwrap().push((self.0.clone(), point.time));
        }
        fn push_batch(&mut self, _: usize, _: Batch) {}
        fn flush(&mut self) {}
        fn stats(&self) -> Vec<NodeStats> {
            Vec::new()
        }
    }

    #[test]
    fn points_reach_only_the_tasks_whose_routes_they_match() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.srpl");
        let lines = ["cpu,host=a v=1 10", "cpu,host=b v=1 20", "mem,host=a v=1 30", "cpu,host=a v=1 40"];
        let recording: String = lines.iter().map(|line| format!("db\nrp\n{line}\n")).collect();
        std::fs::write(&path, recording).unwrap();
        static DB: &[Dbrp] = &[Dbrp { database: "db", retention_policy: "rp" }];
        static HOST_A: &[Route] = &[Route { database: "db", retention_policy: "rp", measurement: Some("cpu"), tags: &[("host", "a")] }];
        static HOST_B: &[Route] = &[Route { database: "db", retention_policy: "rp", measurement: Some("cpu"), tags: &[("host", "b")] }];
        let routed = |id, routes| TaskDescriptor {
            new: |ctx| Box::new(RoutedRecorder(ctx.task_id.clone())),
            routes,
            ..descriptor(id, DB)
        };
        let tasks = [routed("a", Routes::Only(HOST_A)), routed("b", Routes::Only(HOST_B)), routed("none", Routes::Only(&[]))];
        let summary = replay_file(&tasks, &path, &Options::default()).unwrap();
        assert_eq!(summary.points, 4);
        let seen = ROUTED.lock().unwrap().clone();
        assert_eq!(seen, [("a", 10), ("b", 20), ("a", 40)].map(|(t, time)| (t.to_owned(), time)));
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

    static LENT: Mutex<Vec<String>> = Mutex::new(Vec::new());

    /// Looks at the points it is lent and leaves them, as a generated pipeline does.
    struct Borrower;

    impl Task for Borrower {
        fn push_point(&mut self, point: Point) {
            self.lend_point(&mut Message::Point(point));
        }
        fn lend_point(&mut self, msg: &mut Message) {
            if let Message::Point(point) = msg {
                LENT.lock().unwrap().push(format!("{:?}", point.fields));
                point.fields.insert("annotation", crate::point::FieldValue::Bool(true));
            }
        }
        fn push_batch(&mut self, _: usize, _: Batch) {}
        fn flush(&mut self) {}
        fn stats(&self) -> Vec<NodeStats> {
            Vec::new()
        }
    }

    /// The memory of what a task leaves of a point is reused for the next one's fields: each
    /// point still has exactly its own.
    #[test]
    fn what_a_task_leaves_of_a_point_is_reused_for_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.srpl");
        std::fs::write(&path, "db\nrp\nm a=1 10\ndb\nrp\nm b=2i 20\ndb\nrp\nm a=3,c=\"x\" 30\n").unwrap();
        static DB: &[Dbrp] = &[Dbrp { database: "db", retention_policy: "rp" }];
        let tasks = [TaskDescriptor { new: |_| Box::new(Borrower), ..descriptor("borrower", DB) }];
        replay_file(&tasks, &path, &Options::default()).unwrap();
        let lent = LENT.lock().unwrap().clone();
        assert_eq!(lent, [r#"{"a": Float(1.0)}"#, r#"{"b": Int(2)}"#, r#"{"a": Float(3.0), "c": String("x")}"#]);
    }
}
