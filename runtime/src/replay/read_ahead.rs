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
use crate::point::{FieldValue, Fields, Point, Str, Tags, Time};

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
    /// Memory for the next point's fields: a point's, given back once it was replayed.
    spare_fields: Option<Fields>,
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
            spare_fields: None,
            reader: Some(thread),
        })
    }

    /// The point `handed` stands for, put together from the current batch.
    fn point(&mut self, handed: Handed) -> Point {
        let names = self.series.get(handed.series);
        if let Some(changed) = handed.names {
            *names = *changed;
        }
        let (name, tags) = names.clone();
        let (database, retention_policy) = self.current.dbrps.get(handed.dbrp).cloned().unwrap_or_default();
        // Copied, not moved out: the batch is left as the reader wrote it (writing to it would
        // take its memory from the reader's cache), and the reader frees what it allocated (a
        // string field's text) when it fills the batch again.
        let mut fields = self.spare_fields.take().unwrap_or_default();
        fields.copy_sorted(self.current.fields.get(handed.fields).unwrap_or_default());
        PointParts { database, retention_policy, name, tags, time: handed.time }.point(fields)
    }

    /// Gives back the fields of a point that was replayed: the next point's are read into
    /// their memory rather than a new allocation.
    pub fn reuse(&mut self, fields: Fields) {
        self.spare_fields = Some(fields);
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

impl Iterator for ReadAhead {
    type Item = ReadPoint;

    fn next(&mut self) -> Option<ReadPoint> {
        loop {
            if let Some(handed) = self.current.points.pop_front() {
                return Some(match handed {
                    Ok(handed) => {
                        let series = handed.series;
                        Ok((self.point(handed), series))
                    }
                    Err(error) => Err(*error),
                });
            }
            let batch = self.batches.as_ref()?.recv().ok()?;
            let taken = std::mem::replace(&mut self.current, batch);
            // A batch not given back is made anew.
            let _ = self.taken.try_send(taken);
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

    /// Fields given back hold the next point's, and only those.
    #[test]
    fn the_next_point_is_read_into_fields_given_back() {
        let mut ahead = ReadAhead::start(reader(recording(3, 2))).unwrap();
        let (first, _) = ahead.next().unwrap().unwrap();
        let mut left = first.fields.clone();
        left.insert("zz", FieldValue::Bool(true));
        ahead.reuse(left);
        let (second, _) = ahead.next().unwrap().unwrap();
        assert_eq!(format!("{:?}", second.fields), r#"{"v": Float(1.0), "w": String("s1")}"#);
    }

    #[test]
    fn dropping_it_early_ends_the_reader() {
        let mut points = ReadAhead::start(reader(recording(100_000, 3))).unwrap();
        assert!(points.next().is_some_and(|read| read.is_ok()));
        // Joins the reader, which would otherwise wait for its next batch to be taken.
        drop(points);
    }
}
