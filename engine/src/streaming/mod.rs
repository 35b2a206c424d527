//! Disk streaming for live playback: clip players read their media from
//! chunks a disk thread loads ahead of the playhead, so a session of any
//! length plays in flat memory and starts at once.
//!
//! ```text
//! app:   Streamer::open_media (probe, or convert once into cache/) -> StreamedFile
//!        Streamer::set_plan   (every clip: file, timeline span, read-ahead)
//!        Streamer::want(pos)  (a seek is coming: load there first)
//! disk thread: every 10 ms, or when woken, loads the chunks of the window
//!        [playhead - behind, playhead + ahead] (wrapping at the loop's end)
//!        into the ChunkPool, soonest first, reusing slots no longer needed
//! audio thread: StreamedFile::read copies from loaded chunks (atomics only);
//!        what is not loaded plays as silence and is counted, never waited for;
//!        playback starts (play, seek, loop) wait up to 0.5 s for their media
//!        (`Graph::media_ready`), silent, so a start never clicks in late
//! ```
//!
//! The offline bounce does not use this: it reads WAV files sequentially
//! itself ([`crate::media::StreamedWav`]), which is faster for one pass.

mod cache;
mod chunks;
mod disk;
mod file;
mod live;
mod page_cache;
mod plan;
mod reader;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cache::layout_for;
pub use cache::{CACHE_DIR, Prepared, existing_copy, prepare_file, read_through};
pub use chunks::CHUNK_FRAMES;
pub use file::StreamedFile;
pub use live::{LiveSession, prepare_live};
pub use page_cache::forget as forget_cached_pages;
pub use plan::{Plan, PlanClip};

use self::chunks::ChunkPool;
use self::disk::{Inner, NO_WANT, lock};
use crate::media::{AudioSource, MediaError};
use crate::realtime::TransportClock;
use crate::session::{Session, TrackId};

/// How much the disk thread keeps loaded around the playhead.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StreamConfig {
    /// Seconds ahead of the playhead (plus the tracks' read-ahead).
    pub ahead_seconds: f64,
    /// Seconds behind it.
    pub behind_seconds: f64,
    /// Chunk slots at most (each 2 x [`CHUNK_FRAMES`] samples once used).
    pub max_slots: usize,
}

impl Default for StreamConfig {
    fn default() -> StreamConfig {
        StreamConfig { ahead_seconds: 2.0, behind_seconds: 0.25, max_slots: 16_384 }
    }
}

/// What streaming has done so far, for the app and `mixdesk bench stream`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamStats {
    /// Files registered.
    pub files: usize,
    /// Reads by the audio thread that found audio missing, over all files.
    pub underruns: u64,
    /// Frames played as silence for want of data.
    pub underrun_frames: u64,
    /// Files that can no longer be read, with why (their clips are silent).
    pub failures: Vec<(PathBuf, String)>,
    /// Bytes of sample memory the chunk pool holds.
    pub resident_bytes: u64,
    /// Chunks read from disk, and their bytes.
    pub chunks_read: u64,
    pub bytes_read: u64,
}

/// The disk streamer: registers files, keeps the plan, runs the disk thread.
#[derive(Debug)]
pub struct Streamer {
    inner: Arc<Inner>,
    thread: Option<JoinHandle<()>>,
    /// Registered files by the path they stream from and their identity.
    by_path: Mutex<HashMap<(PathBuf, PathBuf), Arc<StreamedFile>>>,
}

impl Streamer {
    /// Starts the disk thread, following the transport `clock` at `rate` Hz.
    pub fn start(clock: Arc<TransportClock>, rate: u32, config: StreamConfig) -> Streamer {
        let frames = |s: f64| (s.max(0.0) * f64::from(rate)) as u64;
        let inner = Arc::new(Inner {
            pool: Arc::new(ChunkPool::new(config.max_slots.max(16))),
            files: Mutex::new(Vec::new()),
            plan: Mutex::new(Arc::new(Plan::default())),
            clock,
            want: AtomicU64::new(NO_WANT),
            wake: Mutex::new(false),
            cond: Condvar::new(),
            stop: AtomicBool::new(false),
            ahead: frames(config.ahead_seconds).max(CHUNK_FRAMES as u64),
            behind: frames(config.behind_seconds),
            chunks_read: AtomicU64::new(0),
            bytes_read: AtomicU64::new(0),
        });
        let thread = {
            let inner = Arc::clone(&inner);
            std::thread::Builder::new().name("mixdesk-disk".into()).spawn(move || disk::run(inner)).ok()
        };
        Streamer { inner, thread, by_path: Mutex::new(HashMap::new()) }
    }

    /// The source for `media` at `rate`, streaming from the file itself or
    /// from its converted copy in `session_dir`'s cache (converting it now if
    /// needed: slow for long compressed files, so call it off the GUI thread).
    /// The same file opened twice gives the same source.
    pub fn open_media(
        &self,
        media: &Path,
        rate: u32,
        session_dir: &Path,
    ) -> Result<(Arc<StreamedFile>, Prepared), MediaError> {
        let (layout, prepared) = layout_for(media, rate, session_dir)?;
        let key = (media.to_owned(), layout.path.clone());
        let mut by_path = lock(&self.by_path);
        if let Some(f) = by_path.get(&key)
            && f.layout.size == layout.size
            && f.layout.modified == layout.modified
            && f.failure().is_none()
        {
            return Ok((Arc::clone(f), prepared));
        }
        let mut files = lock(&self.inner.files);
        let file =
            Arc::new(StreamedFile::new(files.len() as u32, media, layout, Arc::clone(&self.inner.pool)));
        files.push(Arc::clone(&file));
        by_path.insert(key, Arc::clone(&file));
        Ok((file, prepared))
    }

    /// Streams what `plan` lists from now on.
    pub fn set_plan(&self, plan: Plan) {
        *lock(&self.inner.plan) = Arc::new(plan);
        self.inner.nudge();
    }

    /// The plan for `session` whose clips read `sources` (by clip media path
    /// as written in the session) and whose tracks read ahead by `read_aheads`
    /// (from the compiled graph): every clip whose source is a streamed file.
    pub fn plan_for(
        session: &Session,
        sources: &HashMap<PathBuf, Arc<StreamedFile>>,
        read_aheads: &[(TrackId, u64)],
    ) -> Plan {
        let ahead: HashMap<TrackId, u64> = read_aheads.iter().copied().collect();
        let mut clips = Vec::new();
        for t in &session.tracks {
            for c in &t.clips {
                if let Some(f) = sources.get(&c.media) {
                    clips.push(PlanClip {
                        file: f.id,
                        start: c.start.0,
                        end: c.end().0,
                        source_offset: c.source_offset.0,
                        read_ahead: ahead.get(&t.id).copied().unwrap_or(0),
                    });
                }
            }
        }
        Plan { clips }
    }

    /// A seek to `position` is coming: load there before anything else.
    pub fn want(&self, position: u64) {
        self.inner.want.store(position, Release);
        self.inner.nudge();
    }

    /// Whether every planned clip heard in the `len` frames from `position`
    /// is loaded.
    pub fn ready(&self, position: u64, len: u64) -> bool {
        let plan = Arc::clone(&lock(&self.inner.plan));
        let files = lock(&self.inner.files).clone();
        plan.clips.iter().all(|c| {
            let (a, b) = (position + c.read_ahead, position + c.read_ahead + len);
            if c.start >= b || c.end <= a {
                return true;
            }
            let from = a.max(c.start);
            files
                .get(c.file as usize)
                .is_none_or(|f| f.ready(c.source_offset + (from - c.start), b.min(c.end) - from))
        })
    }

    /// Asks for `position` and waits until its media is loaded, at most
    /// `timeout`; whether it got there.
    pub fn wait_ready(&self, position: u64, len: u64, timeout: Duration) -> bool {
        self.want(position);
        let started = Instant::now();
        while !self.ready(position, len) {
            if started.elapsed() >= timeout {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        true
    }

    /// What streaming has done so far.
    pub fn stats(&self) -> StreamStats {
        let files = lock(&self.inner.files).clone();
        let mut s = StreamStats {
            files: files.len(),
            resident_bytes: (self.inner.pool.allocated() * 2 * CHUNK_FRAMES * 4) as u64,
            chunks_read: self.inner.chunks_read.load(Relaxed),
            bytes_read: self.inner.bytes_read.load(Relaxed),
            ..StreamStats::default()
        };
        for f in &files {
            let (n, frames) = f.underruns();
            s.underruns += n;
            s.underrun_frames += frames;
            if let Some(why) = f.failure() {
                s.failures.push((f.media().to_owned(), why.to_owned()));
            }
        }
        s
    }

    /// Every registered file whose reads came up short, with the counts.
    pub fn underfed(&self) -> Vec<(PathBuf, u64)> {
        lock(&self.inner.files)
            .iter()
            .filter_map(|f| {
                let (_, frames) = f.underruns();
                (frames > 0).then(|| (f.media().to_owned(), frames))
            })
            .collect()
    }
}

impl Drop for Streamer {
    fn drop(&mut self) {
        self.inner.stop.store(true, Release);
        self.inner.nudge();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let _ = self.inner.stop.load(Acquire);
    }
}

/// The streamed source of a media file as the graph takes it.
pub fn as_source(file: &Arc<StreamedFile>) -> Arc<dyn AudioSource> {
    Arc::clone(file) as Arc<dyn AudioSource>
}
