//! Waveform overviews: the minimum and maximum of each channel over blocks of
//! samples, at several block sizes, so the timeline draws any zoom from a few
//! thousand numbers instead of the samples.
//!
//! Level `k` holds one (min, max) pair per [`BASE_BLOCK`]·[`LEVEL_RATIO`]^k
//! frames; a pixel column picks the coarsest level whose block still fits in
//! it. Values are stored as `i16` (full scale = ±32767, clamped), which is
//! finer than a pixel at any row height.
//!
//! Overviews are made while reading each file once, in flat memory
//! ([`PeaksBuilder`]), and cached beside the session in `peaks/` (one file per
//! media file and session rate, named after the media file and a hash of its
//! path, size and modification time), written atomically, so reopening a
//! session draws at once without reading any audio.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::{MediaError, Xxh64};

/// Frames per block at the finest level.
pub const BASE_BLOCK: u64 = 32;
/// Each level's blocks are this many times longer than the previous level's.
pub const LEVEL_RATIO: u64 = 4;
/// Levels kept: 32, 128, ... 131,072 frames per block.
pub const LEVELS: usize = 7;

/// The folder beside a session where overviews are cached.
pub const CACHE_DIR: &str = "peaks";

const MAGIC: &[u8; 8] = b"MXPEAKS1";

/// One channel's (min, max) per block at one level.
pub type Blocks = Vec<(i16, i16)>;

/// Levels below this stay in the cache file when an overview is loaded from
/// it, read a page at a time when the timeline is zoomed in that far: they
/// hold 15/16 of an overview's size (about 9 MB of a 10-minute stereo file
/// at 48 kHz), and are drawn only when a pixel covers under 512 frames.
pub const FINE_LEVELS: usize = 2;

/// Blocks per page of a fine level read from the cache file (8 KiB).
const PAGE_BLOCKS: usize = 2048;

/// Pages of fine levels kept per overview.
const MAX_PAGES: usize = 64;

/// The overview of one media file.
#[derive(Debug)]
pub struct Peaks {
    /// Frames in the media (at the session rate).
    pub frames: u64,
    /// `levels[k][channel]`: blocks of [`block_frames`]`(k)` frames. In an
    /// overview loaded from its cache file, the levels under
    /// [`FINE_LEVELS`] are empty here and read from the file on demand.
    pub levels: Vec<Vec<Blocks>>,
    fine: Option<Fine>,
}

/// A page of a fine level read from the file: ((level, channel, page), blocks).
type Page = ((usize, usize, usize), std::sync::Arc<Blocks>);

/// The fine levels of an overview, left in its cache file.
#[derive(Debug)]
struct Fine {
    file: std::fs::File,
    /// `offsets[k][channel]`: where level `k`'s blocks of that channel start.
    offsets: Vec<Vec<u64>>,
    /// Recently read pages: ((level, channel, page), blocks), newest last.
    pages: std::sync::Mutex<Vec<Page>>,
}

impl PartialEq for Peaks {
    /// Equal overviews have the same blocks at every level, wherever they are kept.
    fn eq(&self, other: &Peaks) -> bool {
        self.frames == other.frames
            && self.channels() == other.channels()
            && (0..LEVELS).all(|k| (0..self.channels()).all(|c| self.blocks(k, c) == other.blocks(k, c)))
    }
}

/// Builds an overview from audio fed a block at a time (any block lengths),
/// so a file's overview is made while reading it once, in flat memory.
#[derive(Debug)]
pub struct PeaksBuilder {
    base: Vec<Blocks>,
    /// The (min, max) of the base block being filled, per channel.
    open: Vec<(f32, f32)>,
    /// Frames in the open block.
    filled: u64,
    frames: u64,
}

impl PeaksBuilder {
    /// A builder for 1 or 2 channels.
    pub fn new(channels: usize) -> PeaksBuilder {
        let channels = channels.clamp(1, 2);
        PeaksBuilder {
            base: vec![Vec::new(); channels],
            open: vec![(f32::INFINITY, f32::NEG_INFINITY); channels],
            filled: 0,
            frames: 0,
        }
    }

    /// Takes the next frames, one slice per channel (equal lengths).
    pub fn add(&mut self, channels: &[&[f32]]) {
        let n = channels.first().map_or(0, |c| c.len());
        let mut at = 0;
        while at < n {
            let block = BASE_BLOCK as usize;
            if self.filled == 0 && n - at >= block {
                // Whole blocks, the usual case: see `block_min_max`.
                let whole = (n - at) / block * block;
                for (c, blocks) in self.base.iter_mut().enumerate() {
                    let x = &channels[c.min(channels.len() - 1)][at..at + whole];
                    blocks.extend(x.chunks_exact(block).map(|b| {
                        let (lo, hi) = block_min_max(b.try_into().expect("a whole block"));
                        (quantise(lo), quantise(hi))
                    }));
                }
                at += whole;
                continue;
            }
            let take = ((BASE_BLOCK - self.filled) as usize).min(n - at);
            for (c, open) in self.open.iter_mut().enumerate() {
                let x = &channels[c.min(channels.len() - 1)][at..at + take];
                *open = x.iter().fold(*open, |(l, h), &v| (l.min(v), h.max(v)));
            }
            self.filled += take as u64;
            at += take;
            if self.filled == BASE_BLOCK {
                self.close_block();
            }
        }
        self.frames += n as u64;
    }

    fn close_block(&mut self) {
        for (blocks, open) in self.base.iter_mut().zip(&mut self.open) {
            blocks.push((quantise(open.0), quantise(open.1)));
            *open = (f32::INFINITY, f32::NEG_INFINITY);
        }
        self.filled = 0;
    }

    /// The overview of everything added.
    pub fn finish(mut self) -> Peaks {
        if self.filled > 0 {
            self.close_block();
        }
        let mut levels = vec![self.base];
        while levels.len() < LEVELS {
            let prev = levels.last().expect("at least the base level");
            let next = prev
                .iter()
                .map(|blocks| {
                    blocks
                        .chunks(LEVEL_RATIO as usize)
                        .map(|b| {
                            b.iter().fold((i16::MAX, i16::MIN), |(l, h), &(lo, hi)| (l.min(lo), h.max(hi)))
                        })
                        .collect()
                })
                .collect();
            levels.push(next);
        }
        Peaks { frames: self.frames, levels, fine: None }
    }
}

/// The least and greatest sample of a base block: eight running minima and
/// maxima side by side, then halved three times, so the compiler keeps them
/// in vector registers (a fold over `f32::min` stays scalar, and was 60 % of
/// the instructions of computing an overview). Samples are never NaN here
/// (converted integers, or floats the decoder sanitised); for them this is
/// exactly the fold's result, up to the sign of a zero, which quantises alike.
fn block_min_max(x: &[f32; BASE_BLOCK as usize]) -> (f32, f32) {
    let mut lo: [f32; 8] = x[..8].try_into().expect("8 samples");
    let mut hi = lo;
    for c in x[8..].chunks_exact(8) {
        for i in 0..8 {
            lo[i] = if c[i] < lo[i] { c[i] } else { lo[i] };
            hi[i] = if c[i] > hi[i] { c[i] } else { hi[i] };
        }
    }
    for w in [4, 2, 1] {
        for i in 0..w {
            lo[i] = if lo[i + w] < lo[i] { lo[i + w] } else { lo[i] };
            hi[i] = if hi[i + w] > hi[i] { hi[i + w] } else { hi[i] };
        }
    }
    (lo[0], hi[0])
}

/// Frames per block at level `k`.
pub fn block_frames(level: usize) -> u64 {
    BASE_BLOCK * LEVEL_RATIO.pow(level as u32)
}

fn quantise(x: f32) -> i16 {
    (x.clamp(-1.0, 1.0) * 32767.0).round() as i16
}

impl Peaks {
    /// The overview of decoded audio, one slice per channel.
    pub fn compute(channels: &[&[f32]]) -> Peaks {
        let mut b = PeaksBuilder::new(channels.len());
        b.add(channels);
        b.finish()
    }

    /// Channels (1 or 2).
    pub fn channels(&self) -> usize {
        self.levels.first().map_or(0, Vec::len)
    }

    /// The lowest and highest sample of `channel` in frames `start..end`, as
    /// -1..1, from the coarsest level whose blocks fit in the range (so the
    /// answer covers at most one block more than asked on each side). `None`
    /// if the range is empty or outside the media.
    pub fn range(&self, channel: usize, start: u64, end: u64) -> Option<(f32, f32)> {
        let end = end.min(self.frames);
        if start >= end || channel >= self.channels() {
            return None;
        }
        let span = end - start;
        let level = (0..LEVELS).rev().find(|&k| block_frames(k) <= span).unwrap_or(0);
        let size = block_frames(level);
        let count = self.frames.div_ceil(size) as usize;
        let first = (start / size) as usize;
        let last = (end.div_ceil(size) as usize).min(count);
        let fold = |blocks: &[(i16, i16)]| {
            blocks.iter().fold((i16::MAX, i16::MIN), |(l, h), &(lo, hi)| (l.min(lo), h.max(hi)))
        };
        let (lo, hi) = match &self.fine {
            Some(fine) if level < FINE_LEVELS => {
                let mut acc = (i16::MAX, i16::MIN);
                for page in first / PAGE_BLOCKS..=(last - 1) / PAGE_BLOCKS {
                    let blocks = fine.page(level, channel, page, count)?;
                    let base = page * PAGE_BLOCKS;
                    let (a, b) = (first.max(base) - base, (last - base).min(blocks.len()));
                    let (l, h) = fold(&blocks[a..b]);
                    acc = (acc.0.min(l), acc.1.max(h));
                }
                acc
            }
            _ => fold(&self.levels[level][channel][first..last]),
        };
        (lo <= hi).then(|| (f32::from(lo) / 32767.0, f32::from(hi) / 32767.0))
    }

    /// Every block of `channel` at `level`, wherever it is kept (tests, equality).
    fn blocks(&self, level: usize, channel: usize) -> std::borrow::Cow<'_, [(i16, i16)]> {
        match &self.fine {
            Some(fine) if level < FINE_LEVELS => {
                let count = self.frames.div_ceil(block_frames(level)) as usize;
                let mut all = Vec::with_capacity(count);
                for page in 0..count.div_ceil(PAGE_BLOCKS) {
                    all.extend_from_slice(&fine.page(level, channel, page, count).unwrap_or_default());
                }
                std::borrow::Cow::Owned(all)
            }
            _ => std::borrow::Cow::Borrowed(&self.levels[level][channel]),
        }
    }

    /// Whether the fine levels are read from the cache file on demand.
    pub fn fine_levels_on_disk(&self) -> bool {
        self.fine.is_some()
    }

    /// Opens a cache file, keeping the fine levels in it (see [`FINE_LEVELS`]).
    fn open(path: &Path) -> io::Result<Peaks> {
        let mut file = crate::files::open_regular(path)?;
        let len = file.metadata()?.len();
        let mut input = io::BufReader::new(&mut file);
        let (frames, channels) = read_header(&mut input)?;
        let mut at = 8 + 8 + 4 + 4u64;
        let mut levels = Vec::with_capacity(LEVELS);
        let mut offsets = Vec::with_capacity(FINE_LEVELS);
        for k in 0..LEVELS {
            let expected = frames.div_ceil(block_frames(k));
            let mut level = Vec::with_capacity(channels);
            let mut level_offsets = Vec::with_capacity(channels);
            for _ in 0..channels {
                let n = read_count(&mut input, expected)?;
                at += 8;
                if k < FINE_LEVELS {
                    level_offsets.push(at);
                    input.seek_relative((n * 4) as i64)?;
                    level.push(Vec::new());
                } else {
                    level.push(read_blocks(&mut input, n)?);
                }
                at += n * 4;
            }
            if k < FINE_LEVELS {
                offsets.push(level_offsets);
            }
            levels.push(level);
        }
        if at != len {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "the peak file's length does not match"));
        }
        drop(input);
        let fine = Fine { file, offsets, pages: std::sync::Mutex::new(Vec::new()) };
        Ok(Peaks { frames, levels, fine: Some(fine) })
    }

    fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
        out.write_all(MAGIC)?;
        out.write_all(&self.frames.to_le_bytes())?;
        out.write_all(&(self.channels() as u32).to_le_bytes())?;
        out.write_all(&(self.levels.len() as u32).to_le_bytes())?;
        for level in &self.levels {
            for blocks in level {
                out.write_all(&(blocks.len() as u64).to_le_bytes())?;
                let mut bytes = Vec::with_capacity(blocks.len() * 4);
                for &(lo, hi) in blocks {
                    bytes.extend_from_slice(&lo.to_le_bytes());
                    bytes.extend_from_slice(&hi.to_le_bytes());
                }
                out.write_all(&bytes)?;
            }
        }
        Ok(())
    }

    #[cfg(test)]
    fn read_from(input: &mut impl Read) -> io::Result<Peaks> {
        let (frames, channels) = read_header(input)?;
        let mut out = Vec::with_capacity(LEVELS);
        for k in 0..LEVELS {
            let expected = frames.div_ceil(block_frames(k));
            let mut level = Vec::with_capacity(channels);
            for _ in 0..channels {
                let n = read_count(input, expected)?;
                level.push(read_blocks(input, n)?);
            }
            out.push(level);
        }
        Ok(Peaks { frames, levels: out, fine: None })
    }
}

impl Fine {
    /// Page `page` of level `level`, channel `channel` (`count` blocks in
    /// all), from the recent pages or the file; `None` if the file cannot be read.
    fn page(
        &self,
        level: usize,
        channel: usize,
        page: usize,
        count: usize,
    ) -> Option<std::sync::Arc<Blocks>> {
        use std::os::unix::fs::FileExt;
        let key = (level, channel, page);
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = pages.iter().position(|(k, _)| *k == key) {
            let hit = pages.remove(i);
            let blocks = std::sync::Arc::clone(&hit.1);
            pages.push(hit);
            return Some(blocks);
        }
        let start = page * PAGE_BLOCKS;
        let n = PAGE_BLOCKS.min(count.checked_sub(start)?);
        let mut bytes = vec![0u8; n * 4];
        self.file.read_exact_at(&mut bytes, self.offsets[level][channel] + start as u64 * 4).ok()?;
        let blocks = std::sync::Arc::new(decode_blocks(&bytes));
        if pages.len() >= MAX_PAGES {
            pages.remove(0);
        }
        pages.push((key, std::sync::Arc::clone(&blocks)));
        Some(blocks)
    }
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

/// The magic, frames and channels of a peak file.
fn read_header(input: &mut impl Read) -> io::Result<(u64, usize)> {
    let mut magic = [0u8; 8];
    input.read_exact(&mut magic)?;
    if &magic != MAGIC {
        return Err(bad("not a Mixdesk peak file"));
    }
    let mut u64b = [0u8; 8];
    let mut u32b = [0u8; 4];
    input.read_exact(&mut u64b)?;
    let frames = u64::from_le_bytes(u64b);
    input.read_exact(&mut u32b)?;
    let channels = u32::from_le_bytes(u32b) as usize;
    input.read_exact(&mut u32b)?;
    let levels = u32::from_le_bytes(u32b) as usize;
    if !(1..=2).contains(&channels) || levels != LEVELS {
        return Err(bad("unexpected layout"));
    }
    Ok((frames, channels))
}

/// A level's block count, which must be `expected`.
fn read_count(input: &mut impl Read, expected: u64) -> io::Result<u64> {
    let mut u64b = [0u8; 8];
    input.read_exact(&mut u64b)?;
    let n = u64::from_le_bytes(u64b);
    if n != expected {
        return Err(bad("block count does not match the length"));
    }
    Ok(n)
}

fn read_blocks(input: &mut impl Read, n: u64) -> io::Result<Blocks> {
    let mut bytes = vec![0u8; n as usize * 4];
    input.read_exact(&mut bytes)?;
    Ok(decode_blocks(&bytes))
}

fn decode_blocks(bytes: &[u8]) -> Blocks {
    bytes
        .chunks_exact(4)
        .map(|b| (i16::from_le_bytes([b[0], b[1]]), i16::from_le_bytes([b[2], b[3]])))
        .collect()
}

/// Where the overview of `media` (a path as found, absolute or relative to
/// the working folder) at `rate` is cached for a session in `session_dir`.
/// The name changes whenever the file's size or modification time does, so a
/// replaced file is never drawn from a stale overview.
pub fn cache_path(session_dir: &Path, media: &Path, rate: u32) -> Result<PathBuf, MediaError> {
    let meta = std::fs::metadata(media).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => MediaError::Missing { path: media.to_owned() },
        _ => MediaError::Unreadable { path: media.to_owned(), message: e.to_string() },
    })?;
    let modified =
        meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
    let absolute = std::fs::canonicalize(media).unwrap_or_else(|_| media.to_owned());
    let mut hash = Xxh64::new();
    hash.update(absolute.to_string_lossy().as_bytes());
    hash.update(&meta.len().to_le_bytes());
    hash.update(&modified.to_le_bytes());
    hash.update(&rate.to_le_bytes());
    let stem = media.file_stem().map_or_else(|| "media".into(), |s| s.to_string_lossy());
    Ok(session_dir.join(CACHE_DIR).join(format!("{stem}-{:016x}.peaks", hash.digest())))
}

/// Whether the overview came from the cache or had to be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Read from `peaks/`.
    Cache,
    /// Decoded (or taken from the pool) and computed; then cached.
    Computed,
}

/// The overview of `media` at `rate`: from the session's cache if there is a
/// current one, otherwise computed by reading the file once (a WAV at `rate`
/// directly; anything else from its converted copy, which the streamer plays
/// from too, made now if there is none: see [`crate::streaming`]) and then
/// cached. Memory stays flat however long the file. A cache that cannot be
/// written (read-only folder, full disk) is not an error: the overview is
/// returned and the next open computes it again.
pub fn load_or_compute(session_dir: &Path, media: &Path, rate: u32) -> Result<(Peaks, Source), MediaError> {
    let cache = cache_path(session_dir, media, rate)?;
    if let Ok(peaks) = Peaks::open(&cache) {
        return Ok((peaks, Source::Cache));
    }
    let peaks =
        crate::streaming::read_through(media, rate, session_dir, PeaksBuilder::new, |b, block| b.add(block))?
            .finish();
    let written = std::fs::create_dir_all(session_dir.join(CACHE_DIR)).and_then(|()| {
        crate::atomic::write_replacing_links(&cache, |file| {
            let mut out = io::BufWriter::new(file);
            peaks.write_to(&mut out)?;
            out.flush()
        })
    });
    // Not caching only costs time on the next open; the overview is still
    // good. Cached, its fine levels stay in the file.
    if written.is_ok()
        && let Ok(lean) = Peaks::open(&cache)
    {
        return Ok((lean, Source::Computed));
    }
    Ok((peaks, Source::Computed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_level_bounds_the_samples_it_covers() {
        let n = 100_003;
        let left: Vec<f32> = (0..n).map(|i| ((i as f32) * 0.013).sin() * 0.8).collect();
        let right: Vec<f32> = (0..n).map(|i| if i == 54_321 { -1.0 } else { 0.1 }).collect();
        let p = Peaks::compute(&[&left, &right]);
        assert_eq!(p.frames, n as u64);
        for k in 0..LEVELS {
            assert_eq!(p.levels[k][0].len() as u64, (n as u64).div_ceil(block_frames(k)), "level {k}");
        }
        // An exact block range gives the exact extremes of those samples.
        for (start, end) in [(0u64, 32u64), (64, 4096), (50_000, 60_000), (99_000, 100_003)] {
            let (lo, hi) = p.range(1, start, end).unwrap();
            let want_lo = right[start as usize..end as usize].iter().copied().fold(f32::INFINITY, f32::min);
            assert!((lo - want_lo).abs() < 1e-4, "{start}..{end}: {lo} vs {want_lo}");
            assert!((hi - 0.1).abs() < 1e-4);
            let (lo, hi) = p.range(0, start, end).unwrap();
            let s = &left[start as usize..end as usize];
            let (wl, wh) =
                s.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), &x| (l.min(x), h.max(x)));
            // Coarse levels may widen the range by the neighbouring block, never narrow it.
            assert!(lo <= wl + 1e-4 && hi >= wh - 1e-4, "{start}..{end}");
        }
        assert_eq!(p.range(0, 200_000, 300_000), None);
    }

    fn write_wav(path: &Path, samples: &[f32]) {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 48_000,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        for &x in samples {
            w.write_sample(x).unwrap();
        }
        w.finalize().unwrap();
    }

    #[test]
    fn overviews_are_cached_beside_the_session_and_a_changed_file_is_computed_again() {
        let dir = tempfile::tempdir().unwrap();
        let media = dir.path().join("take.wav");
        let ramp: Vec<f32> = (0..48_000).map(|i| i as f32 / 48_000.0 - 0.5).collect();
        write_wav(&media, &ramp);
        let (first, how) = load_or_compute(dir.path(), &media, 48_000).unwrap();
        assert_eq!(how, Source::Computed);
        let top = (32767.0f64 * (0.5 - 1.0 / 48_000.0)).round() as f32 / 32767.0;
        // Stored as i16 at 32767 per full scale, rounded to the nearest step.
        let bottom = (32767.0f64 * -0.5).round() as f32 / 32767.0;
        assert_eq!(first.range(0, 0, 48_000), Some((bottom, top)));
        let cached = cache_path(dir.path(), &media, 48_000).unwrap();
        assert!(cached.starts_with(dir.path().join(CACHE_DIR)) && cached.exists());
        // Reopening reads the cache, even with nothing decoded in a new pool.
        let (again, how) = load_or_compute(dir.path(), &media, 48_000).unwrap();
        assert_eq!(how, Source::Cache);
        assert_eq!(again, first);
        // Loaded from the cache, the fine levels stay in the file and are
        // read a page at a time: every range reads the same.
        assert!(again.fine_levels_on_disk() && again.levels[0][0].is_empty());
        let whole = Peaks::compute(&[&ramp]);
        for (a, b) in [(0u64, 10u64), (31, 100), (5000, 5200), (47_000, 48_000), (100, 40_000)] {
            assert_eq!(again.range(0, a, b), whole.range(0, a, b), "{a}..{b}");
        }
        // A replaced file (another length) gets a new cache entry, not the stale one.
        write_wav(&media, &ramp[..24_000]);
        let (changed, how) = load_or_compute(dir.path(), &media, 48_000).unwrap();
        assert_eq!(how, Source::Computed);
        assert_eq!(changed.frames, 24_000);
        assert_ne!(cache_path(dir.path(), &media, 48_000).unwrap(), cached);
        // A missing file is an error that names it.
        let gone = dir.path().join("gone.wav");
        let err = load_or_compute(dir.path(), &gone, 48_000).unwrap_err().to_string();
        assert!(err.contains("gone.wav"), "{err}");
    }

    #[test]
    fn an_overview_built_block_by_block_equals_one_computed_at_once() {
        let x: Vec<f32> = (0..10_007).map(|i| ((i as f32) * 0.031).sin()).collect();
        let y: Vec<f32> = x.iter().map(|v| -v * 0.5).collect();
        let whole = Peaks::compute(&[&x, &y]);
        let mut b = PeaksBuilder::new(2);
        let mut at = 0;
        for n in [1, 31, 33, 1000, 4096, 7, 10_007] {
            let end = (at + n).min(x.len());
            b.add(&[&x[at..end], &y[at..end]]);
            at = end;
        }
        assert_eq!(b.finish(), whole);
    }

    #[test]
    fn the_base_level_is_each_blocks_exact_extremes() {
        // Noise with a lone extreme at every position within a block in turn,
        // against a plain fold over f32::min and f32::max.
        let mut seed = 0x9e37_79b9_u32;
        let mut x: Vec<f32> = (0..32 * 300 + 17)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                (seed as f32 / u32::MAX as f32 - 0.5) * 0.9
            })
            .collect();
        for k in 0..64 {
            x[k * 33 + 5] = if k % 2 == 0 { 0.97 } else { -0.99 };
        }
        let p = Peaks::compute(&[&x]);
        let want: Vec<(i16, i16)> = x
            .chunks(32)
            .map(|b| {
                let (lo, hi) =
                    b.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), &v| (l.min(v), h.max(v)));
                (quantise(lo), quantise(hi))
            })
            .collect();
        assert_eq!(p.levels[0][0], want);
    }

    #[test]
    fn the_file_format_round_trips_and_rejects_damage() {
        let x: Vec<f32> = (0..5000).map(|i| (i as f32 / 700.0).fract() - 0.5).collect();
        let p = Peaks::compute(&[&x]);
        let mut bytes = Vec::new();
        p.write_to(&mut bytes).unwrap();
        assert_eq!(Peaks::read_from(&mut &bytes[..]).unwrap(), p);
        assert!(Peaks::read_from(&mut &bytes[..bytes.len() - 3]).is_err());
        let mut wrong = bytes.clone();
        wrong[0] = b'X';
        assert!(Peaks::read_from(&mut &wrong[..]).is_err());
    }
}
