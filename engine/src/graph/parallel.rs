//! How [`Graph::process`](super::Graph::process) spreads work: serially on the
//! calling thread (the live callback) or over rayon's pool (the offline bounce).
//! The work and its order of summation are the same either way.

/// A way to run per-track work and two independent halves.
pub trait Parallelism {
    /// Calls `f` once for every item, possibly on several threads.
    fn for_each_mut<T: Send>(&self, items: &mut [T], f: impl Fn(&mut T) + Sync + Send);
    /// Calls `f` once for every run of `size` items (the last may be
    /// shorter), possibly on several threads.
    fn for_each_chunk_mut<T: Send>(&self, items: &mut [T], size: usize, f: impl Fn(&mut [T]) + Sync + Send);
    /// How many threads the work may spread over.
    fn threads(&self) -> usize;
    /// Runs `a` and `b`, possibly at the same time.
    fn join(&self, a: impl FnOnce() + Send, b: impl FnOnce() + Send);
}

/// Everything on the calling thread, in order. Realtime-safe.
#[derive(Debug, Clone, Copy, Default)]
pub struct Serial;

impl Parallelism for Serial {
    fn for_each_mut<T: Send>(&self, items: &mut [T], f: impl Fn(&mut T) + Sync + Send) {
        items.iter_mut().for_each(f);
    }

    fn for_each_chunk_mut<T: Send>(&self, items: &mut [T], size: usize, f: impl Fn(&mut [T]) + Sync + Send) {
        items.chunks_mut(size).for_each(f);
    }

    fn threads(&self) -> usize {
        1
    }

    fn join(&self, a: impl FnOnce() + Send, b: impl FnOnce() + Send) {
        a();
        b();
    }
}

/// rayon's global pool (offline only: rayon may allocate).
#[derive(Debug, Clone, Copy, Default)]
pub struct Rayon;

impl Parallelism for Rayon {
    fn for_each_mut<T: Send>(&self, items: &mut [T], f: impl Fn(&mut T) + Sync + Send) {
        use rayon::prelude::*;
        items.par_iter_mut().with_min_len(4).for_each(f);
    }

    fn for_each_chunk_mut<T: Send>(&self, items: &mut [T], size: usize, f: impl Fn(&mut [T]) + Sync + Send) {
        use rayon::prelude::*;
        items.par_chunks_mut(size).for_each(f);
    }

    fn threads(&self) -> usize {
        rayon::current_num_threads()
    }

    fn join(&self, a: impl FnOnce() + Send, b: impl FnOnce() + Send) {
        rayon::join(a, b);
    }
}
