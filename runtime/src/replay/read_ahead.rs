//! A stream recording read on a thread of its own, a few hundred points ahead of the replay
//! that takes them: reading and decoding a point costs about as much as a simple task's work
//! on it, so with a core each a replay goes faster.
//!
//! Memory stays with the thread that allocated it: a point's fields are moved into memory of
//! the replaying thread as it takes the point, and the reader's goes back to it to be filled
//! again. Freeing on one thread what another allocated costs both of them more than the copy.

use std::collections::VecDeque;
use std::io;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use super::srpl::{SrplError, SrplReader};
use crate::lineproto::SeriesId;
use crate::point::{Fields, Point};

/// What reading a point gave, as [`SrplReader::next_with_series`] gives it.
pub type ReadPoint = Result<(Point, SeriesId), SrplError>;

/// Points handed over at a time: enough that handing over costs nothing per point, few
/// enough that a batch stays a few tens of kilobytes.
const BATCH_POINTS: usize = 256;

/// Batches read and not yet taken, at most: the reader stays a bounded distance ahead.
const BATCHES_AHEAD: usize = 4;

/// Points handed over together, and on the way back the reader's field maps they held.
#[derive(Default)]
struct Batch {
    points: VecDeque<ReadPoint>,
    emptied_fields: Vec<Fields>,
}

/// The points of a recording, in file order, read by a thread of their own.
pub struct ReadAhead {
    /// `None` once dropped: the reader's next hand-over fails, and it ends.
    batches: Option<Receiver<Batch>>,
    /// Taken batches go back to be filled again.
    taken: SyncSender<Batch>,
    current: Batch,
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
        Ok(ReadAhead { batches: Some(batches), taken, current: Batch::default(), reader: Some(thread) })
    }
}

/// Reads `reader` to its end in batches, handing each to `full`; stops early once nobody
/// takes them.
fn read(mut reader: SrplReader<'static>, full: &SyncSender<Batch>, to_fill: &Receiver<Batch>) {
    loop {
        let mut batch = to_fill.try_recv().unwrap_or_default();
        while batch.points.len() < BATCH_POINTS {
            let fields = batch.emptied_fields.pop().unwrap_or_default();
            match reader.next_with_series(fields) {
                Some(point) => batch.points.push_back(point),
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
            if let Some(mut read) = self.current.points.pop_front() {
                if let Ok((point, _)) = &mut read {
                    let fields = point.fields.move_out();
                    self.current.emptied_fields.push(std::mem::replace(&mut point.fields, fields));
                }
                return Some(read);
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

    fn recording(points: usize) -> String {
        (0..points).map(|i| format!("db\nrp\nm,host=h{} v={i},w=\"s{i}\" {i}\n", i % 3)).collect()
    }

    fn reader(text: String) -> SrplReader<'static> {
        SrplReader::new(io::Cursor::new(text.into_bytes()), Precision::Nanosecond).unwrap()
    }

    #[test]
    fn gives_what_the_reader_gives_in_order() {
        let text = format!("{}db\nrp\nm v=oops 1\n{}", recording(1000), recording(300));
        let direct: Vec<String> = std::iter::from_fn({
            let mut reader = reader(text.clone());
            move || reader.next_with_series(Fields::default())
        })
        .map(|read| format!("{read:?}"))
        .collect();
        let ahead: Vec<String> = ReadAhead::start(reader(text)).unwrap().map(|read| format!("{read:?}")).collect();
        assert_eq!(direct.len(), 1301);
        assert_eq!(ahead, direct);
    }

    #[test]
    fn dropping_it_early_ends_the_reader() {
        let mut points = ReadAhead::start(reader(recording(100_000))).unwrap();
        assert!(points.next().is_some_and(|read| read.is_ok()));
        // Joins the reader, which would otherwise wait for its next batch to be taken.
        drop(points);
    }
}
