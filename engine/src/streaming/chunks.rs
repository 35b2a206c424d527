//! The chunk pool: fixed slots of audio the disk thread fills and the audio
//! thread reads, without locks.
//!
//! A slot holds one chunk ([`CHUNK_FRAMES`] frames, both channels) of one
//! file, named by its tag (`file id << 32 | chunk index`). Samples are stored
//! as `AtomicU32` bit patterns, so a slot can be rewritten while a reader
//! copies from it without undefined behaviour; a sequence number (a seqlock:
//! odd while the disk thread writes) tells the reader whether what it copied
//! is one consistent chunk. A reader that loses the race treats the chunk as
//! missing (silence, counted), never waits.
//!
//! A slot's sample memory is allocated by the disk thread the first time it
//! is used, so the pool's memory is what has been needed at once, not its
//! capacity.

use std::sync::OnceLock;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicU32, AtomicU64, fence};

/// Frames per chunk: 171 ms at 48 kHz, read from disk in one request (small
/// enough that a seek in a 128-track session has its first chunks in ~20 ms).
pub const CHUNK_FRAMES: usize = 8_192;

/// The tag of an empty slot.
const EMPTY: u64 = u64::MAX;

/// The tag naming chunk `chunk` of file `file`.
pub(crate) fn tag(file: u32, chunk: u32) -> u64 {
    (u64::from(file) << 32) | u64::from(chunk)
}

#[derive(Debug)]
struct Slot {
    /// Even while stable, odd while the disk thread writes.
    seq: AtomicU32,
    tag: AtomicU64,
    /// Frames of the chunk that exist (the file's last chunk is short).
    frames: AtomicU32,
    /// Two channels of [`CHUNK_FRAMES`] samples (f32 bits), channel after channel.
    data: OnceLock<Box<[AtomicU32]>>,
}

/// Every slot there is.
#[derive(Debug)]
pub(crate) struct ChunkPool {
    slots: Box<[Slot]>,
}

impl ChunkPool {
    /// A pool of `capacity` slots, none holding anything, no sample memory yet.
    pub fn new(capacity: usize) -> ChunkPool {
        let slots = (0..capacity)
            .map(|_| Slot {
                seq: AtomicU32::new(0),
                tag: AtomicU64::new(EMPTY),
                frames: AtomicU32::new(0),
                data: OnceLock::new(),
            })
            .collect();
        ChunkPool { slots }
    }

    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Slots that have sample memory.
    pub fn allocated(&self) -> usize {
        self.slots.iter().filter(|s| s.data.get().is_some()).count()
    }

    /// Copies frames `within..within + out.len()` of `channel` (0 or 1) from
    /// `slot` if it holds chunk `tag` with those frames; false (and `out`
    /// untouched or partly written) otherwise. Realtime-safe: atomic loads only.
    pub fn read(&self, slot: usize, tag: u64, channel: usize, within: usize, out: &mut [f32]) -> bool {
        let Some(s) = self.slots.get(slot) else { return false };
        let before = s.seq.load(Acquire);
        if before & 1 == 1 || s.tag.load(Relaxed) != tag {
            return false;
        }
        if within + out.len() > s.frames.load(Relaxed) as usize {
            return false;
        }
        let Some(data) = s.data.get() else { return false };
        let from = &data[channel * CHUNK_FRAMES + within..channel * CHUNK_FRAMES + within + out.len()];
        for (o, x) in out.iter_mut().zip(from) {
            *o = f32::from_bits(x.load(Relaxed));
        }
        fence(Acquire);
        s.seq.load(Relaxed) == before
    }

    /// Whether `slot` holds chunk `tag` now. Realtime-safe.
    pub fn holds(&self, slot: usize, tag: u64) -> bool {
        self.slots.get(slot).is_some_and(|s| s.seq.load(Acquire) & 1 == 0 && s.tag.load(Acquire) == tag)
    }

    /// Fills `slot` with chunk `tag`: `channels` (one or two, each `frames`
    /// long; a mono chunk is stored in both). Disk thread only: it allocates
    /// the slot's memory the first time.
    pub fn write(&self, slot: usize, tag: u64, channels: &[&[f32]], frames: usize) {
        let s = &self.slots[slot];
        let data = s.data.get_or_init(|| (0..2 * CHUNK_FRAMES).map(|_| AtomicU32::new(0)).collect());
        let seq = s.seq.load(Relaxed);
        s.seq.store(seq.wrapping_add(1), Relaxed);
        fence(Release);
        s.tag.store(tag, Relaxed);
        s.frames.store(frames.min(CHUNK_FRAMES) as u32, Relaxed);
        for c in 0..2 {
            let src = channels[c.min(channels.len() - 1)];
            for (d, x) in data[c * CHUNK_FRAMES..].iter().zip(&src[..frames.min(CHUNK_FRAMES)]) {
                d.store(x.to_bits(), Relaxed);
            }
        }
        s.seq.store(seq.wrapping_add(2), Release);
    }

    /// Empties `slot` (readers holding its old tag miss from now on). Disk thread only.
    #[cfg(test)]
    pub fn clear(&self, slot: usize) {
        let s = &self.slots[slot];
        let seq = s.seq.load(Relaxed);
        s.seq.store(seq.wrapping_add(1), Relaxed);
        fence(Release);
        s.tag.store(EMPTY, Relaxed);
        s.seq.store(seq.wrapping_add(2), Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_written_chunk_reads_back_and_another_tag_misses() {
        let pool = ChunkPool::new(2);
        let l: Vec<f32> = (0..100).map(|i| i as f32).collect();
        let r: Vec<f32> = (0..100).map(|i| -(i as f32)).collect();
        pool.write(1, tag(3, 7), &[&l, &r], 100);
        let mut out = [0.0; 10];
        assert!(pool.read(1, tag(3, 7), 1, 20, &mut out));
        assert_eq!(out[0], -20.0);
        assert!(!pool.read(1, tag(3, 8), 0, 0, &mut out), "another chunk's tag");
        assert!(!pool.read(1, tag(3, 7), 0, 95, &mut out), "past the chunk's frames");
        assert!(!pool.read(0, tag(3, 7), 0, 0, &mut out), "an empty slot");
        pool.clear(1);
        assert!(!pool.holds(1, tag(3, 7)));
        assert_eq!(pool.allocated(), 1, "memory only for the slot used");
    }

    #[test]
    fn a_reader_racing_the_writer_gets_a_whole_chunk_or_a_miss_never_a_mixture() {
        // The writer alternates two chunks whose samples all equal their tag's
        // chunk number; every successful read must be uniform.
        let pool = Arc::new(ChunkPool::new(1));
        let a = vec![1.0f32; CHUNK_FRAMES];
        let b = vec![2.0f32; CHUNK_FRAMES];
        pool.write(0, tag(0, 1), &[&a], CHUNK_FRAMES);
        let writer = {
            let pool = Arc::clone(&pool);
            std::thread::spawn(move || {
                for i in 0..2000 {
                    let (t, x) = if i % 2 == 0 { (tag(0, 2), &b) } else { (tag(0, 1), &a) };
                    pool.write(0, t, &[x], CHUNK_FRAMES);
                }
            })
        };
        let (mut hits, mut misses) = (0, 0);
        let mut out = vec![0.0f32; 4096];
        while !writer.is_finished() {
            for chunk in [1u32, 2] {
                if pool.read(0, tag(0, chunk), 0, 1000, &mut out) {
                    hits += 1;
                    assert!(out.iter().all(|&x| x == chunk as f32), "a torn read");
                } else {
                    misses += 1;
                }
            }
        }
        writer.join().unwrap();
        assert!(hits + misses > 0);
    }
}
