//! Replaying a stream recording through tasks: each point goes to the tasks whose dbrps match,
//! in file order, with its recorded time; at the end every task and the outbox are flushed.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::delivery::threaded::ThreadedOutbox;
use crate::delivery::Outbox;
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

/// The tasks of one replay, started together with the outbox their handlers deliver through.
pub(super) struct Session {
    outbox: Arc<ThreadedOutbox>,
    pub(super) running: Vec<(TaskDescriptor, Box<dyn Task>)>,
}

impl Session {
    pub(super) fn start(tasks: &[TaskDescriptor]) -> Session {
        let outbox = Arc::new(ThreadedOutbox::new());
        let running = tasks
            .iter()
            .map(|d| {
                let ctx = TaskContext::new(d.id, outbox.clone());
                (*d, (d.new)(&ctx))
            })
            .collect();
        Session { outbox, running }
    }

    /// Flushes every task, then waits until the outbox has delivered everything.
    pub(super) fn finish(mut self) {
        for (_, task) in &mut self.running {
            task.flush();
        }
        self.outbox.flush();
    }
}

/// Replays the recording at `path` through `tasks`.
pub fn replay_file(tasks: &[TaskDescriptor], path: &Path, options: &Options) -> Result<Summary, SrplError> {
    let reader = SrplReader::open(path, Precision::Nanosecond)?;
    let mut session = Session::start(tasks);
    let summary = feed(&mut session.running, reader, options)?;
    session.finish();
    Ok(summary)
}

fn feed(
    running: &mut [(TaskDescriptor, Box<dyn Task>)],
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
        dispatch(running, point);
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
}
