//! The disk thread: keeps the chunks the playback window reads loaded, the
//! soonest first, reusing the slots of chunks no longer needed.
//!
//! It wakes every 10 ms (or at once when told: a seek, a new plan), reads
//! where the transport is from the [`TransportClock`] (or the position a seek
//! is about to jump to), works out the window's chunks ([`super::plan::needs`])
//! and loads the missing ones into the pool. A seek that arrives while it
//! loads makes it start over from the new position. Once a second it checks
//! that every file it streams is still the file it opened; one that was
//! removed, cut or replaced is marked failed, its chunks are dropped and its
//! clips play silence from then on (the app names it).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::chunks::{CHUNK_FRAMES, ChunkPool, tag};
use super::file::StreamedFile;
use super::plan::{Need, Plan, Window, add_after, needs};
use super::reader::Reader;
use crate::realtime::TransportClock;

/// No seek is pending.
pub(crate) const NO_WANT: u64 = u64::MAX;

/// How often the disk thread looks again when nobody wakes it.
const TICK: Duration = Duration::from_millis(10);

/// How often the streamed files are checked for changes on disk.
const CHECK_EVERY: Duration = Duration::from_secs(1);

/// Open files kept at most (a file descriptor each).
const MAX_OPEN: usize = 256;

/// Missing chunks announced to the kernel before reading them one by one
/// (about two per file of a 128-track session; 48 KB each at 24-bit stereo).
const ANNOUNCE: usize = 256;

/// What the app's side and the disk thread share.
#[derive(Debug)]
pub(crate) struct Inner {
    pub pool: Arc<ChunkPool>,
    /// Every file registered, by id.
    pub files: Mutex<Vec<Arc<StreamedFile>>>,
    pub plan: Mutex<Arc<Plan>>,
    pub clock: Arc<TransportClock>,
    /// Where a seek is about to jump ([`NO_WANT`]: none).
    pub want: AtomicU64,
    pub wake: Mutex<bool>,
    pub cond: Condvar,
    pub stop: AtomicBool,
    /// Frames to keep loaded ahead of and behind the playhead.
    pub ahead: u64,
    pub behind: u64,
    pub chunks_read: AtomicU64,
    pub bytes_read: AtomicU64,
}

/// Locks `m`, carrying on past a poisoned lock (the data is plain values).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Inner {
    /// Wakes the disk thread now.
    pub fn nudge(&self) {
        *lock(&self.wake) = true;
        self.cond.notify_one();
    }
}

/// The disk thread's own bookkeeping.
struct Disk {
    /// Per slot: the (file, chunk) it holds.
    owner: Vec<Option<(u32, u32)>>,
    loaded: HashMap<u64, usize>,
    /// Slots never used yet (no memory), lowest last.
    fresh: Vec<usize>,
    readers: HashMap<u32, Reader>,
    scratch: [Vec<f32>; 2],
    /// Failed files whose chunks are already dropped.
    forgotten: HashSet<u32>,
}

/// The disk thread's whole life.
pub(crate) fn run(inner: Arc<Inner>) {
    let capacity = inner.pool.capacity();
    let mut disk = Disk {
        owner: vec![None; capacity],
        loaded: HashMap::new(),
        fresh: (0..capacity).rev().collect(),
        readers: HashMap::new(),
        scratch: [vec![0.0; CHUNK_FRAMES], vec![0.0; CHUNK_FRAMES]],
        forgotten: HashSet::new(),
    };
    let mut wanted = Vec::new();
    let mut current = Vec::new();
    let mut last_check = Instant::now();
    loop {
        {
            let mut woken = lock(&inner.wake);
            if !*woken {
                woken = inner.cond.wait_timeout(woken, TICK).map_or_else(|e| e.into_inner().0, |r| r.0);
            }
            *woken = false;
        }
        if inner.stop.load(Acquire) {
            return;
        }
        let files = lock(&inner.files).clone();
        let plan = Arc::clone(&lock(&inner.plan));
        if last_check.elapsed() >= CHECK_EVERY {
            last_check = Instant::now();
            for f in files.iter().filter(|f| !f.failed.load(Relaxed)) {
                if let Some(why) = changed_on_disk(f) {
                    f.fail(why);
                }
            }
        }
        for f in files.iter().filter(|f| f.failed.load(Relaxed)) {
            if disk.forgotten.insert(f.id) {
                disk.forget_file(f);
            }
        }
        let want = inner.want.load(Acquire);
        let now = inner.clock.position();
        let anchor = if want == NO_WANT { now } else { want };
        let loop_range = inner.clock.loop_range();
        let window = Window { anchor, ahead: inner.ahead, behind: inner.behind, loop_range };
        let skip = |id: u32| files.get(id as usize).is_none_or(|f| f.failed.load(Relaxed));
        needs(&plan, &window, &skip, &mut wanted);
        if want != NO_WANT {
            // Until the jump, playback goes on (and fades out) where it is:
            // keep that loaded too, after the seek's target.
            let here =
                Window { anchor: now, ahead: inner.behind.max(CHUNK_FRAMES as u64), behind: 0, loop_range };
            needs(&plan, &here, &skip, &mut current);
            add_after(&mut wanted, &current);
        }
        let complete = disk.fill(&inner, &files, &wanted, want);
        if complete && want != NO_WANT {
            let _ = inner.want.compare_exchange(want, NO_WANT, Release, Relaxed);
        }
        if disk.readers.len() > MAX_OPEN {
            let keep: HashSet<u32> = wanted.iter().map(|n| n.file).collect();
            disk.readers.retain(|id, _| keep.contains(id));
        }
    }
}

impl Disk {
    /// Loads what `wanted` lists and is not loaded, soonest first; false if
    /// it stopped early (a new seek, no slot to spare, shutting down).
    fn fill(&mut self, inner: &Inner, files: &[Arc<StreamedFile>], wanted: &[Need], want: u64) -> bool {
        let needed: HashMap<u64, u64> = wanted.iter().map(|n| (tag(n.file, n.chunk), n.soon)).collect();
        // Slots holding what no longer matters, then fresh ones, then those
        // holding what is needed latest.
        let mut spare: Vec<usize> =
            self.loaded.iter().filter(|(t, _)| !needed.contains_key(t)).map(|(_, &s)| s).collect();
        let mut late: Vec<(u64, usize)> =
            self.loaded.iter().filter_map(|(t, &s)| needed.get(t).map(|&soon| (soon, s))).collect();
        late.sort_unstable();
        // The soonest missing chunks are asked of the disk all at once, so a
        // cold seek waits for one round of reads rather than one per file.
        let missing: Vec<&Need> = wanted
            .iter()
            .filter(|n| !self.loaded.contains_key(&tag(n.file, n.chunk)))
            .take(ANNOUNCE)
            .collect();
        for need in missing {
            let Some(file) = files.get(need.file as usize) else { continue };
            // A file that cannot be opened is marked failed: start over without it.
            let Some(reader) = open_reader(&mut self.readers, file) else { return false };
            let offset = need.chunk as u64 * CHUNK_FRAMES as u64;
            reader.will_need(&file.layout, offset, file.chunk_frames(need.chunk as usize));
        }
        for need in wanted {
            let t = tag(need.file, need.chunk);
            if self.loaded.contains_key(&t) {
                continue;
            }
            if inner.want.load(Acquire) != want || inner.stop.load(Acquire) {
                return false;
            }
            let slot = match spare.pop().or_else(|| self.fresh.pop()) {
                Some(s) => s,
                None => match late.last() {
                    Some(&(soon, s)) if soon > need.soon => {
                        late.pop();
                        s
                    }
                    _ => return false,
                },
            };
            let Some(file) = files.get(need.file as usize) else { continue };
            self.evict(slot, files);
            if !self.load(inner, file, need.chunk, slot) {
                // The file is marked failed: start over without it.
                self.fresh.push(slot);
                return false;
            }
            self.owner[slot] = Some((need.file, need.chunk));
            self.loaded.insert(t, slot);
        }
        true
    }

    /// Reads chunk `chunk` of `file` into `slot` and maps it; false if the
    /// file cannot be read (it is marked failed).
    fn load(&mut self, inner: &Inner, file: &StreamedFile, chunk: u32, slot: usize) -> bool {
        let Some(reader) = open_reader(&mut self.readers, file) else { return false };
        let n = file.chunk_frames(chunk as usize);
        let offset = chunk as u64 * CHUNK_FRAMES as u64;
        if let Err(why) = reader.read(&file.layout, offset, n, &mut self.scratch) {
            file.fail(format!("{}: {why}", file.streamed_from().display()));
            return false;
        }
        let [l, r] = &self.scratch;
        let channels: [&[f32]; 2] = [&l[..n], &r[..n]];
        inner.pool.write(slot, tag(file.id, chunk), &channels[..file.layout.channels], n);
        file.table[chunk as usize].store(slot as u32 + 1, Release);
        inner.chunks_read.fetch_add(1, Relaxed);
        inner.bytes_read.fetch_add((n * file.layout.channels * file.layout.encoding.bytes()) as u64, Relaxed);
        true
    }

    /// Unmaps whatever `slot` holds (readers miss it from now on).
    fn evict(&mut self, slot: usize, files: &[Arc<StreamedFile>]) {
        if let Some((f, c)) = self.owner[slot].take() {
            if let Some(file) = files.get(f as usize) {
                file.table[c as usize].store(0, Release);
            }
            self.loaded.remove(&tag(f, c));
        }
    }

    /// Drops every chunk of `file` and its open handle.
    fn forget_file(&mut self, file: &StreamedFile) {
        self.readers.remove(&file.id);
        for (slot, owner) in self.owner.iter_mut().enumerate() {
            if let Some((f, c)) = *owner
                && f == file.id
            {
                file.table[c as usize].store(0, Release);
                self.loaded.remove(&tag(f, c));
                *owner = None;
                self.fresh.push(slot);
            }
        }
    }
}

/// `file`'s open reader, opened now if it is not; `None` (and the file
/// marked failed) if it cannot be opened.
fn open_reader<'a>(readers: &'a mut HashMap<u32, Reader>, file: &StreamedFile) -> Option<&'a mut Reader> {
    match readers.entry(file.id) {
        std::collections::hash_map::Entry::Occupied(e) => Some(e.into_mut()),
        std::collections::hash_map::Entry::Vacant(e) => match Reader::open(&file.layout) {
            Ok(r) => Some(e.insert(r)),
            Err(err) => {
                file.fail(err.to_string());
                None
            }
        },
    }
}

/// Why `file` is no longer the file that was opened, if it is not: removed,
/// cut or replaced on disk while streaming.
fn changed_on_disk(file: &StreamedFile) -> Option<String> {
    let layout = &file.layout;
    let gone = |p: &std::path::Path| {
        format!(
            "{} was removed or cannot be read any more; its clips are silent until it is back",
            p.display()
        )
    };
    if !file.media().exists() {
        return Some(gone(file.media()));
    }
    let Ok(meta) = std::fs::metadata(&layout.path) else { return Some(gone(&layout.path)) };
    if meta.len() != layout.size || meta.modified().ok() != layout.modified {
        return Some(format!(
            "{} changed on disk while playing (cut, replaced or rewritten); its clips are silent: reopen the session to play the new file",
            file.media().display()
        ));
    }
    None
}
