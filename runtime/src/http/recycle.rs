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
//! What is kept is bounded: at most `keep` buffers, each at most `max_bytes`, so a pool holds
//! what a few writes in flight need and never what one huge body needed once.

use std::sync::{Mutex, PoisonError};

/// A buffer a [`Pool`] can keep: emptied before it is kept, sized by what it can hold.
pub(crate) trait Reusable: Default {
    fn clear(&mut self);
    fn capacity_bytes(&self) -> usize;
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
