//! A stream recording read on a thread of its own, up to two thousand points ahead of the
//! replay that takes them: reading and decoding a point costs about as much as a simple task's work
//! on it, so with a core each a replay goes faster.
//!
//! What crosses from one core to the other is what costs, so the reader hands over little: per
//! point its series' identity, timestamp and fields, in batches laid out in a row; the series'
//! name and tags only when they change, the database and retention policy once per batch
//! (unless they change). The replaying thread puts each point together in its own memory.

use std::collections::VecDeque;
use std::io;
use std::ops::Range;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use super::srpl::{PartsRead, PointParts, SrplError, SrplReader};
use crate::lineproto::{SeriesId, SeriesTable};
use crate::point::{Dimensions, FieldValue, Fields, GroupKey, Message, Point, Str, Tags, Time};

/// What reading a point gave, as [`SrplReader::next_parts`] gives it, put together.
pub type ReadPoint = Result<(Point, SeriesId), SrplError>;

/// Points handed over at a time: enough that handing over (which may wake the reader, a
/// system call) costs nothing per point, few enough that a batch stays about a hundred
/// kilobytes.
const BATCH_POINTS: usize = 1024;

/// Batches read and not yet taken, at most: the reader stays a bounded distance ahead.
const BATCHES_AHEAD: usize = 2;

/// A point as handed over.
struct Handed {
    series: SeriesId,
    /// The series' name and tags, when they are not those of its last point.
    names: Option<Box<(Str, Tags)>>,
    /// Its database and retention policy: a position in [`Batch::dbrps`].
    dbrp: usize,
    /// Its fields: positions in [`Batch::fields`].
    fields: Range<usize>,
    time: Time,
}

/// Points handed over together; the batch goes back to the reader to be filled again.
#[derive(Default)]
struct Batch {
    /// A bad point's error is boxed: a batch's points stay small.
    points: VecDeque<Result<Handed, Box<SrplError>>>,
    dbrps: Vec<(Str, Str)>,
    fields: Vec<(Str, FieldValue)>,
}

impl Batch {
    /// Adds a point, its fields taken from `fields`.
    fn push(&mut self, read: PartsRead, fields: &mut Fields) {
        let PartsRead { parts: PointParts { database, retention_policy, name, tags, time }, series, series_changed } = read;
        if self.dbrps.last().is_none_or(|(d, r)| *d != database || *r != retention_policy) {
            self.dbrps.push((database, retention_policy));
        }
        let start = self.fields.len();
        fields.drain_into(&mut self.fields);
        self.points.push_back(Ok(Handed {
            series,
            names: series_changed.then(|| Box::new((name, tags))),
            dbrp: self.dbrps.len() - 1,
            fields: start..self.fields.len(),
            time,
        }));
    }

    fn clear(&mut self) {
        self.points.clear();
        self.dbrps.clear();
        self.fields.clear();
    }
}

/// The points of a recording, in file order, read by a thread of their own.
pub struct ReadAhead {
    /// `None` once dropped: the reader's next hand-over fails, and it ends.
    batches: Option<Receiver<Batch>>,
    /// Taken batches go back to be filled again.
    taken: SyncSender<Batch>,
    current: Batch,
    /// The name and tags of each series, as last handed over.
    series: SeriesTable<(Str, Tags)>,
    reader: Option<JoinHandle<()>>,
}

impl ReadAhead {
    /// Starts reading `reader` on a new thread.
    pub fn start(reader: SrplReader<'static>) -> io::Result<ReadAhead> {
        let (full, batches) = sync_channel(BATCHES_AHEAD);
        // Room for every batch there is, so giving one back never waits.
        let (taken, to_fill) = sync_channel(BATCHES_AHEAD + 2);
        let thread = std::thread::Builder::new()
            .name("read recording".into())
            .spawn(move || read(reader, &full, &to_fill))?;
        Ok(ReadAhead {
            batches: Some(batches),
            taken,
            current: Batch::default(),
            series: SeriesTable::default(),
            reader: Some(thread),
        })
    }

    /// Reads the next point into `msg`: into the point it holds when it holds one (what a
    /// task left of the last point: its memory is used again, and the names the two points
    /// share are kept rather than copied), else into a new one. `None` at the end of the
    /// recording; a bad point's error leaves `msg` as it was.
    pub fn next_into(&mut self, msg: &mut Message) -> Option<Result<SeriesId, SrplError>> {
        let handed = match self.next_handed()? {
            Ok(handed) => handed,
            Err(error) => return Some(Err(*error)),
        };
        let series = handed.series;
        match msg {
            Message::Point(point) => self.fill(point, handed),
            _ => *msg = Message::Point(self.new_point(handed)),
        }
        Some(Ok(series))
    }

    /// The point `handed` stands for, in memory of its own.
    fn new_point(&mut self, handed: Handed) -> Point {
        let mut point = Point::default();
        self.fill(&mut point, handed);
        point
    }

    /// The next point as handed over, from the current batch or the next one.
    fn next_handed(&mut self) -> Option<Result<Handed, Box<SrplError>>> {
        loop {
            if let Some(handed) = self.current.points.pop_front() {
                return Some(handed);
            }
            let batch = self.batches.as_ref()?.recv().ok()?;
            let taken = std::mem::replace(&mut self.current, batch);
            // A batch not given back is made anew.
            let _ = self.taken.try_send(taken);
        }
    }

    /// Makes `point` the point `handed` stands for, put together from the current batch.
    fn fill(&mut self, point: &mut Point, handed: Handed) {
        let names = self.series.get(handed.series);
        if let Some(changed) = handed.names {
            *names = *changed;
        }
        let (name, tags) = &*names;
        let (database, retention_policy) = self.current.dbrps.get(handed.dbrp).map_or((&EMPTY, &EMPTY), |(d, r)| (d, r));
        // Every part is set: whatever the task did to the point is gone.
        let Point { database: d, retention_policy: r, name: n, tags: t, fields, time, dimensions, group } = point;
        keep_or_set(d, database);
        keep_or_set(r, retention_policy);
        keep_or_set(n, name);
        if !t.same(tags) {
            t.clone_from(tags);
        }
        // Copied, not moved out: the batch is left as the reader wrote it (writing to it would
        // take its memory from the reader's cache), and the reader frees what it allocated (a
        // string field's text) when it fills the batch again.
        fields.copy_sorted(self.current.fields.get(handed.fields).unwrap_or_default());
        *time = handed.time;
        *dimensions = Dimensions::default();
        *group = GroupKey::default();
    }
}

static EMPTY: Str = Str::from_static("");

/// Sets `slot` to `value` unless it holds that very string already (consecutive points share
/// their database, retention policy and mostly their measurement).
fn keep_or_set(slot: &mut Str, value: &Str) {
    if !slot.same(value) {
        slot.clone_from(value);
    }
}

impl Iterator for ReadAhead {
    type Item = ReadPoint;

    fn next(&mut self) -> Option<ReadPoint> {
        let handed = self.next_handed()?;
        Some(match handed {
            Ok(handed) => {
                let series = handed.series;
                Ok((self.new_point(handed), series))
            }
            Err(error) => Err(*error),
        })
    }
}

/// Reads `reader` to its end in batches, handing each to `full`; stops early once nobody
/// takes them.
fn read(mut reader: SrplReader<'static>, full: &SyncSender<Batch>, to_fill: &Receiver<Batch>) {
    let mut fields = Fields::default();
    loop {
        let mut batch = to_fill.try_recv().unwrap_or_default();
        batch.clear();
        while batch.points.len() < BATCH_POINTS {
            match reader.next_parts(&mut fields) {
                Some(Ok(read)) => batch.push(read, &mut fields),
                Some(Err(error)) => batch.points.push_back(Err(Box::new(error))),
                None => break,
            }
        }
        let ended = batch.points.len() < BATCH_POINTS;
        if batch.points.is_empty() || full.send(batch).is_err() || ended {
            return;
        }
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        self.batches = None;
        if let Some(reader) = self.reader.take() {
            // A reader that panicked has said so on standard error; its points end there.
            let _ = reader.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Precision;

    /// `points` points of `series` series, cycling through them.
    fn recording(points: usize, series: usize) -> String {
        (0..points).map(|i| format!("db\nrp\nm,host=h{} v={i},w=\"s{i}\" {i}\n", i % series)).collect()
    }

    fn reader(text: String) -> SrplReader<'static> {
        SrplReader::new(io::Cursor::new(text.into_bytes()), Precision::Nanosecond).unwrap()
    }

    #[test]
    fn gives_what_the_reader_gives_in_order() {
        // Series whose tags get interned, a point of another database, a bad point, and more
        // series than the reader's cache holds (it starts over, and numbers them anew).
        let text = format!(
            "{}other\nrp\nm,host=h1 v=1 1\ndb\nrp\nm v=oops 1\n{}{}",
            recording(1000, 3),
            recording(20_000, 20_000),
            recording(300, 3)
        );
        let direct: Vec<String> = std::iter::from_fn({
            let mut reader = reader(text.clone());
            move || {
                let mut fields = Fields::default();
                let read = reader.next_parts(&mut fields)?;
                Some(read.map(|read| (read.series, read.parts.point(fields))))
            }
        })
        .map(|read| format!("{:?}", read.map(|(series, point)| (point, series))))
        .collect();
        let ahead: Vec<String> = ReadAhead::start(reader(text)).unwrap().map(|read| format!("{read:?}")).collect();
        assert_eq!(direct.len(), 21_302);
        assert_eq!(ahead, direct);
    }

    /// A point read into what a task left of the one before is exactly the next point: every
    /// part the task changed is set again, and its memory is used again.
    #[test]
    fn the_next_point_is_read_into_what_the_task_left() {
        let text = format!("{}other\nrp2\nn,host=h9 v=5 9\n", recording(3, 2));
        let expected: Vec<Point> = ReadAhead::start(reader(text.clone())).unwrap().map(|read| read.unwrap().0).collect();
        let mut ahead = ReadAhead::start(reader(text)).unwrap();
        let mut msg = Message::Barrier { group: GroupKey::default(), time: 0 };
        let mut read = Vec::new();
        while let Some(series) = ahead.next_into(&mut msg) {
            series.unwrap();
            let Message::Point(point) = &mut msg else { panic!("a point is read") };
            read.push(point.clone());
            // What a pipeline may do to a point it leaves.
            point.fields.insert("zz", FieldValue::Bool(true));
            point.tags.insert("added", "x");
            point.name = Str::from("renamed");
            point.time += 1000;
            point.group = GroupKey(Str::from("host=h1"));
            point.dimensions = Dimensions { by_measurement: true, tag_names: [Str::from("host")].into() };
        }
        assert_eq!(read, expected);
        assert_eq!(read.len(), 4);
    }

    #[test]
    fn dropping_it_early_ends_the_reader() {
        let mut points = ReadAhead::start(reader(recording(100_000, 3))).unwrap();
        assert!(points.next().is_some_and(|read| read.is_ok()));
        // Joins the reader, which would otherwise wait for its next batch to be taken.
        drop(points);
    }
}
