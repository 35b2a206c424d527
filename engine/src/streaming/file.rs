//! A media file as the live engine's clip players see it while it streams:
//! an [`AudioSource`] whose `read` copies from the chunks the disk thread has
//! loaded, and plays silence (counted) for what is not there yet.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64};
use std::sync::{Arc, OnceLock};

use super::chunks::{CHUNK_FRAMES, ChunkPool, tag};
use super::reader::WavLayout;
use crate::media::AudioSource;

/// One streamed file.
#[derive(Debug)]
pub struct StreamedFile {
    pub(crate) id: u32,
    /// The media file the session names (for messages).
    media: PathBuf,
    pub(crate) layout: WavLayout,
    /// Per chunk: the slot holding it plus one (0: not loaded).
    pub(crate) table: Box<[AtomicU32]>,
    pub(crate) pool: Arc<ChunkPool>,
    /// Frames played as silence because they were not loaded in time.
    underrun_frames: AtomicU64,
    /// Reads that found something missing.
    underruns: AtomicU64,
    /// Why the file cannot be read any more (removed, cut, replaced).
    failure: OnceLock<String>,
    pub(crate) failed: AtomicBool,
}

impl StreamedFile {
    pub(crate) fn new(id: u32, media: &Path, layout: WavLayout, pool: Arc<ChunkPool>) -> StreamedFile {
        let chunks = layout.frames.div_ceil(CHUNK_FRAMES as u64) as usize;
        StreamedFile {
            id,
            media: media.to_owned(),
            layout,
            table: (0..chunks).map(|_| AtomicU32::new(0)).collect(),
            pool,
            underrun_frames: AtomicU64::new(0),
            underruns: AtomicU64::new(0),
            failure: OnceLock::new(),
            failed: AtomicBool::new(false),
        }
    }

    /// The media file the session names.
    pub fn media(&self) -> &Path {
        &self.media
    }

    /// The file actually read (the media, or its converted copy in the cache).
    pub fn streamed_from(&self) -> &Path {
        &self.layout.path
    }

    /// How many reads found audio missing, and how many frames played as silence.
    pub fn underruns(&self) -> (u64, u64) {
        (self.underruns.load(Relaxed), self.underrun_frames.load(Relaxed))
    }

    /// Why the file can no longer be read, if it cannot.
    pub fn failure(&self) -> Option<&str> {
        self.failure.get().map(String::as_str)
    }

    pub(crate) fn fail(&self, why: String) {
        let _ = self.failure.set(why);
        self.failed.store(true, Release);
    }

    /// The slot holding chunk `chunk`, if it is loaded. Realtime-safe.
    fn slot(&self, chunk: usize) -> Option<usize> {
        let s = self.table.get(chunk)?.load(Acquire);
        (s > 0).then(|| s as usize - 1)
    }

    /// Frames in chunk `chunk`.
    pub(crate) fn chunk_frames(&self, chunk: usize) -> usize {
        let start = (chunk * CHUNK_FRAMES) as u64;
        (self.layout.frames.saturating_sub(start)).min(CHUNK_FRAMES as u64) as usize
    }
}

impl AudioSource for StreamedFile {
    fn channel_count(&self) -> usize {
        self.layout.channels
    }

    fn frames(&self) -> u64 {
        self.layout.frames
    }

    /// Copies from the loaded chunks; what is not loaded plays as silence and
    /// is counted. A file marked failed (removed, cut, replaced) is silent
    /// from that moment, whatever chunks the disk thread has not dropped yet.
    /// Realtime-safe: atomic loads and stores only.
    fn read(&self, channel: usize, offset: u64, out: &mut [f32]) {
        if self.failed.load(Acquire) {
            out.fill(0.0);
            return;
        }
        let channel = channel.min(self.layout.channels - 1);
        let mut done = 0;
        let mut missed = 0u64;
        while done < out.len() {
            let at = offset + done as u64;
            if at >= self.layout.frames {
                out[done..].fill(0.0);
                break;
            }
            let chunk = (at / CHUNK_FRAMES as u64) as usize;
            let within = (at % CHUNK_FRAMES as u64) as usize;
            let n = (out.len() - done).min(CHUNK_FRAMES - within).min((self.layout.frames - at) as usize);
            let piece = &mut out[done..done + n];
            let ok = self
                .slot(chunk)
                .is_some_and(|s| self.pool.read(s, tag(self.id, chunk as u32), channel, within, piece));
            if !ok {
                piece.fill(0.0);
                missed += n as u64;
            }
            done += n;
        }
        if missed > 0 {
            self.underruns.fetch_add(1, Relaxed);
            self.underrun_frames.fetch_add(missed, Relaxed);
        }
    }

    /// Whether every chunk of `[offset, offset + len)` is loaded. Realtime-safe.
    fn ready(&self, offset: u64, len: u64) -> bool {
        let end = (offset + len).min(self.layout.frames);
        if offset >= end || self.failed.load(Relaxed) {
            return true;
        }
        let (first, last) = (offset / CHUNK_FRAMES as u64, (end - 1) / CHUNK_FRAMES as u64);
        (first..=last)
            .all(|c| self.slot(c as usize).is_some_and(|s| self.pool.holds(s, tag(self.id, c as u32))))
    }
}
