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

use crate::point::Fields;

/// A buffer a [`Pool`] can keep: readied before it is kept, sized by what it can hold.
pub(crate) trait Reusable: Default {
    /// Readies the buffer to be kept: emptied, or for a stack of spare memory, left as it is.
    fn clear(&mut self);
    fn capacity_bytes(&self) -> usize;
}

/// Emptied fields of points the tasks are done with, whose memory the next points' fields are
/// read into. What a stack holds is bounded by [`SpareFields::MAX_BYTES`].
#[derive(Default)]
pub(crate) struct SpareFields {
    stack: Vec<Fields>,
    bytes: usize,
}

impl SpareFields {
    /// The most a stack keeps: the fields of a chunk of points of a few fields each.
    pub(crate) const MAX_BYTES: usize = 256 << 10;

    /// Keeps the memory of `fields`, emptied, if there is room for it.
    pub(crate) fn keep(&mut self, mut fields: Fields) {
        let bytes = fields.capacity_bytes() + std::mem::size_of::<Fields>();
        if fields.capacity() > 0 && self.bytes + bytes <= Self::MAX_BYTES {
            fields.clear();
            self.bytes += bytes;
            self.stack.push(fields);
        }
    }

    /// Empty fields with room to fill, if any are kept.
    pub(crate) fn take(&mut self) -> Option<Fields> {
        let fields = self.stack.pop()?;
        self.bytes -= fields.capacity_bytes() + std::mem::size_of::<Fields>();
        Some(fields)
    }
}

impl Reusable for SpareFields {
    /// What the stack holds is what it is kept for.
    fn clear(&mut self) {}

    fn capacity_bytes(&self) -> usize {
        self.bytes
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
        assert_eq!(again.capacity_bytes(), 0);

        let mut full = SpareFields::default();
        for _ in 0..100_000 {
            full.keep(Fields::with_capacity(2));
        }
        assert!(full.capacity_bytes() <= SpareFields::MAX_BYTES);
        assert!(full.stack.len() > 100, "{}", full.stack.len());
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
