//! Reusing ingest's large buffers (request bodies, chunks of points) rather than allocating
//! them for every write.
//!
//! A write allocates its body (about 0.5 MB for 5,000 lines) and a chunk of points per task,
//! on one thread, and they are freed later, the chunks on another thread. With glibc's
//! allocator, buffers that size land in the heap between the small allocations that outlive
//! them (the points a window holds), and the heap cannot shrink around those: measured on the
//! p95 benchmark task, the peak resident memory went to 84 MiB where the data needs about 22.
//! Kept and reused, the same few buffers serve every write, and allocating them costs nothing.
//!
//! The same goes for the fields of points: a write reads each point's fields into the memory
//! of a point the tasks are done with ([`SpareFields`]), not into a new allocation.
//!
//! What is kept is bounded: at most `keep` buffers, each at most `max_bytes`, so a pool holds
//! what a few writes in flight need and never what one huge body needed once.

use std::sync::{Mutex, PoisonError};

use super::write::CHUNK_POINTS;
use crate::point::Fields;

/// A buffer a [`Pool`] can keep: readied before it is kept, sized by what it can hold.
pub(crate) trait Reusable: Default {
    /// Readies the buffer to be kept: emptied, or for a stack of spare memory, left as it is.
    fn clear(&mut self);
    fn capacity_bytes(&self) -> usize;
}

/// Emptied fields of points the tasks are done with, whose memory the next points' fields are
/// read into: at most a chunk's worth of maps, of at most [`SpareFields::MAX_MAP_BYTES`] in all.
#[derive(Default)]
pub(crate) struct SpareFields {
    stack: Vec<Fields>,
    /// The memory of the kept maps' entries.
    map_bytes: usize,
}

impl SpareFields {
    /// The most maps a stack keeps: what one chunk leaves.
    const MAX_MAPS: usize = CHUNK_POINTS;
    /// The most memory the kept maps' entries take: a chunk of points of a few fields each.
    const MAX_MAP_BYTES: usize = 192 << 10;
    /// The most a stack holds in all, its own slots included.
    pub(crate) const MAX_BYTES: usize = Self::MAX_MAP_BYTES + Self::MAX_MAPS * std::mem::size_of::<Fields>();

    /// Keeps the memory of `fields`, emptied, if there is room for it.
    pub(crate) fn keep(&mut self, mut fields: Fields) {
        let bytes = fields.capacity_bytes();
        if bytes > 0 && self.stack.len() < Self::MAX_MAPS && self.map_bytes + bytes <= Self::MAX_MAP_BYTES {
            if self.stack.capacity() == 0 {
                self.stack.reserve_exact(Self::MAX_MAPS);
            }
            fields.clear();
            self.map_bytes += bytes;
            self.stack.push(fields);
        }
    }

    /// Empty fields with room to fill, if any are kept.
    pub(crate) fn take(&mut self) -> Option<Fields> {
        let fields = self.stack.pop()?;
        self.map_bytes -= fields.capacity_bytes();
        Some(fields)
    }
}

impl Reusable for SpareFields {
    /// What the stack holds is what it is kept for.
    fn clear(&mut self) {}

    fn capacity_bytes(&self) -> usize {
        self.map_bytes + self.stack.capacity() * std::mem::size_of::<Fields>()
    }
}

/// Where a write takes memory for its points' fields: a stack of spare fields, refilled from
/// `pool`. The tasks give memory back a chunk at a time, so an empty pool is asked again only
/// after `patience` more points, not for every point (each asking takes the pool's lock).
pub(crate) struct FieldsSource<'p> {
    pool: &'p Pool<SpareFields>,
    patience: usize,
    spare: SpareFields,
    /// Points to go before the pool is asked again.
    wait: usize,
}

impl<'p> FieldsSource<'p> {
    pub(crate) fn new(pool: &'p Pool<SpareFields>, patience: usize) -> Self {
        FieldsSource { pool, patience, spare: SpareFields::default(), wait: 0 }
    }

    /// Empty fields: spare memory when there is some, else new.
    pub(crate) fn fields(&mut self) -> Fields {
        if let Some(fields) = self.spare.take() {
            return fields;
        }
        if self.wait == 0 {
            self.spare = self.pool.take();
            if let Some(fields) = self.spare.take() {
                return fields;
            }
            self.wait = self.patience;
        }
        self.wait -= 1;
        Fields::default()
    }
}

impl Drop for FieldsSource<'_> {
    /// What is left goes back to the pool.
    fn drop(&mut self) {
        self.pool.give(std::mem::take(&mut self.spare));
    }
}

impl<T> Reusable for Vec<T> {
    fn clear(&mut self) {
        Vec::clear(self);
    }

    fn capacity_bytes(&self) -> usize {
        self.capacity().saturating_mul(std::mem::size_of::<T>())
    }
}

/// Buffers given back after use, for the next write to take.
pub(crate) struct Pool<T> {
    free: Mutex<Vec<T>>,
    keep: usize,
    max_bytes: usize,
}

impl<T: Reusable> Pool<T> {
    pub(crate) const fn new(keep: usize, max_bytes: usize) -> Self {
        Pool {
            free: Mutex::new(Vec::new()),
            keep,
            max_bytes,
        }
    }

    /// An empty buffer: a kept one when there is one.
    pub(crate) fn take(&self) -> T {
        self.free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .unwrap_or_default()
    }

    /// Gives `buffer` back, emptied; it is kept if the pool has room and it is not too big.
    pub(crate) fn give(&self, mut buffer: T) {
        let size = buffer.capacity_bytes();
        if size == 0 || size > self.max_bytes {
            return;
        }
        buffer.clear();
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        if free.len() < self.keep {
            free.push(buffer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_come_back_empty_with_their_room() {
        let pool: Pool<Vec<u8>> = Pool::new(2, 1 << 20);
        let mut buffer = pool.take();
        buffer.extend_from_slice(&[1; 1000]);
        let room = buffer.capacity();
        pool.give(buffer);
        let again = pool.take();
        assert!(again.is_empty());
        assert_eq!(again.capacity(), room);
        assert_eq!(pool.take().capacity(), 0, "only one was given");
    }

    #[test]
    fn spare_fields_come_back_empty_with_their_room_and_are_bounded() {
        let mut spare = SpareFields::default();
        let mut used = Fields::with_capacity(3);
        used.insert("a", crate::point::FieldValue::Float(1.0));
        spare.keep(used);
        spare.keep(Fields::default());
        let pool: Pool<SpareFields> = Pool::new(2, SpareFields::MAX_BYTES);
        pool.give(spare);
        let mut again = pool.take();
        let fields = again.take().expect("the used fields are kept, the ones without memory not");
        assert!(fields.is_empty());
        assert_eq!(fields.capacity(), 3);
        assert!(again.take().is_none());
        assert_eq!(again.map_bytes, 0);

        let mut full = SpareFields::default();
        for _ in 0..100_000 {
            full.keep(Fields::with_capacity(2));
        }
        assert_eq!(full.stack.len(), CHUNK_POINTS, "a chunk's worth of narrow maps");
        let mut wide = SpareFields::default();
        for _ in 0..100_000 {
            wide.keep(Fields::with_capacity(64));
        }
        assert!(wide.stack.len() < CHUNK_POINTS && wide.map_bytes <= SpareFields::MAX_MAP_BYTES);
        for stack in [full, wide] {
            assert!(stack.capacity_bytes() <= SpareFields::MAX_BYTES);
            pool.give(stack);
        }
        assert!(pool.take().take().is_some(), "a full stack is not too big for the pool");
    }

    #[test]
    fn an_empty_pool_is_asked_again_only_after_patience_runs_out() {
        let pool: Pool<SpareFields> = Pool::new(2, SpareFields::MAX_BYTES);
        let mut source = FieldsSource::new(&pool, 3);
        assert_eq!(source.fields().capacity(), 0, "nothing spare yet");
        let mut spare = SpareFields::default();
        spare.keep(Fields::with_capacity(4));
        pool.give(spare);
        assert_eq!(source.fields().capacity(), 0, "the pool is not asked yet");
        assert_eq!(source.fields().capacity(), 0);
        assert_eq!(source.fields().capacity(), 4, "asked again after three points");
        let mut spare = SpareFields::default();
        spare.keep(Fields::with_capacity(5));
        spare.keep(Fields::with_capacity(6));
        pool.give(spare);
        assert_eq!(source.fields().capacity(), 6, "its stack used up, it asks the pool at once");
        assert_eq!(source.fields().capacity(), 5);
        assert_eq!(source.fields().capacity(), 0, "the pool is empty: it waits again");
        drop(source);

        let mut spare = SpareFields::default();
        spare.keep(Fields::with_capacity(7));
        spare.keep(Fields::with_capacity(8));
        pool.give(spare);
        let mut source = FieldsSource::new(&pool, 3);
        assert_eq!(source.fields().capacity(), 8);
        drop(source);
        let left = (0..2).find_map(|_| pool.take().take());
        assert_eq!(left.map(|fields| fields.capacity()), Some(7), "what was left went back");
    }

    #[test]
    fn keeps_a_bounded_number_of_buffers_of_bounded_size() {
        let pool: Pool<Vec<u64>> = Pool::new(2, 1024);
        pool.give(Vec::with_capacity(1024 / 8 + 1));
        assert_eq!(pool.take().capacity(), 0, "too big to keep");
        for _ in 0..3 {
            pool.give(Vec::with_capacity(16));
        }
        let kept = (0..3).filter(|_| pool.take().capacity() > 0).count();
        assert_eq!(kept, 2);
    }
}
