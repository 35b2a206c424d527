//! The waveform overviews the timeline draws, one per media file, loaded from
//! the session's `peaks/` cache or computed on a worker thread (never on the
//! GUI thread), and kept while the session is open.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use iced::Task;
use mixdesk_engine::media::peaks::{self, Peaks};
use mixdesk_engine::session::Session;

/// Overviews computed or read for one file.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The media file as the session names it, made absolute.
    pub path: PathBuf,
    /// The overview, or why there is none (missing or unreadable file).
    pub result: Result<Arc<Peaks>, String>,
    /// Whether it came from the cache.
    pub cached: bool,
}

/// Every overview of the open session.
#[derive(Debug, Default)]
pub struct Waveforms {
    ready: HashMap<PathBuf, Arc<Peaks>>,
    pending: HashSet<PathBuf>,
    failed: HashMap<PathBuf, String>,
    /// Files read from the cache (for the tests and the status line).
    pub from_cache: usize,
    /// When the current batch of requests began (cleared once it is done).
    batch_started: Option<std::time::Instant>,
}

impl Waveforms {
    /// The overview of `media` (absolute), if it is ready.
    pub fn get(&self, media: &Path) -> Option<&Arc<Peaks>> {
        self.ready.get(media)
    }

    /// Why `media` has no overview, if it failed (usually: the file is missing).
    pub fn failure(&self, media: &Path) -> Option<&str> {
        self.failed.get(media).map(String::as_str)
    }

    /// How many overviews are ready (drawings are redone when this changes).
    pub fn ready_count(&self) -> usize {
        self.ready.len() + self.failed.len()
    }

    /// Starts loading every clip's media that is neither ready nor on its way,
    /// one worker thread per batch.
    pub fn request(&mut self, session: &Session, dir: &Path) -> Task<Loaded> {
        let mut wanted: Vec<PathBuf> = session
            .tracks
            .iter()
            .flat_map(|t| t.clips.iter())
            .map(|c| dir.join(&c.media))
            .filter(|p| {
                !self.ready.contains_key(p) && !self.pending.contains(p) && !self.failed.contains_key(p)
            })
            .collect();
        wanted.sort();
        wanted.dedup();
        if wanted.is_empty() {
            return Task::none();
        }
        if self.pending.is_empty() {
            self.batch_started = Some(std::time::Instant::now());
        }
        self.pending.extend(wanted.iter().cloned());
        let rate = session.sample_rate;
        let tasks = wanted.into_iter().map(|path| {
            let dir = dir.to_owned();
            Task::perform(
                async move {
                    let (tx, rx) = iced::futures::channel::oneshot::channel();
                    let p = path.clone();
                    std::thread::spawn(move || {
                        let _turn = Turn::wait();
                        let r = peaks::load_or_compute(&dir, &p, rate);
                        let _ = tx.send(r);
                    });
                    let result = rx.await.unwrap_or_else(|_| {
                        Err(mixdesk_engine::media::MediaError::Unreadable {
                            path: path.clone(),
                            message: "the waveform worker stopped".into(),
                        })
                    });
                    match result {
                        Ok((p, source)) => {
                            Loaded { path, result: Ok(Arc::new(p)), cached: source == peaks::Source::Cache }
                        }
                        Err(e) => Loaded { path, result: Err(e.to_string()), cached: false },
                    }
                },
                |l| l,
            )
        });
        Task::batch(tasks)
    }

    /// Takes a finished overview.
    pub fn install(&mut self, loaded: Loaded) {
        self.pending.remove(&loaded.path);
        match loaded.result {
            Ok(p) => {
                self.from_cache += usize::from(loaded.cached);
                self.ready.insert(loaded.path, p);
            }
            Err(e) => {
                self.failed.insert(loaded.path, e);
            }
        }
    }

    /// Once every overview asked for is in: how long that took since the
    /// first request of the batch, how many there are and how many came from
    /// the cache (for `MIXDESK_REPORT_OPEN`, which `mixdesk bench stream
    /// --window` reads).
    #[cfg(feature = "bench")]
    pub fn take_finished(&mut self) -> Option<(std::time::Duration, usize, usize)> {
        if !self.pending.is_empty() {
            return None;
        }
        let started = self.batch_started.take()?;
        Some((started.elapsed(), self.ready.len() + self.failed.len(), self.from_cache))
    }

    /// Puts an overview in directly (tests and benchmarks).
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn insert(&mut self, media: PathBuf, peaks: Arc<Peaks>) {
        self.ready.insert(media, peaks);
    }
}

/// Overviews computed at once at most: each reads a whole file and holds its
/// finest level while it does (a 64-track session would otherwise read 64
/// files at once, seeking a disk back and forth, with 64 of those in memory).
const MAX_AT_ONCE: usize = 4;

static RUNNING: std::sync::Mutex<usize> = std::sync::Mutex::new(0);
static FREED: std::sync::Condvar = std::sync::Condvar::new();

/// A worker's turn to compute an overview; the next waits until it is dropped.
struct Turn;

impl Turn {
    fn wait() -> Turn {
        let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
        while *running >= MAX_AT_ONCE {
            running = FREED.wait(running).unwrap_or_else(|e| e.into_inner());
        }
        *running += 1;
        Turn
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        *RUNNING.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
        FREED.notify_one();
    }
}
