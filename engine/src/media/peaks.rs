//! Waveform overviews: the minimum and maximum of each channel over blocks of
//! samples, at several block sizes, so the timeline draws any zoom from a few
//! thousand numbers instead of the samples.
//!
//! Level `k` holds one (min, max) pair per [`BASE_BLOCK`]·[`LEVEL_RATIO`]^k
//! frames; a pixel column picks the coarsest level whose block still fits in
//! it. Values are stored as `i16` (full scale = ±32767, clamped), which is
//! finer than a pixel at any row height.
//!
//! Overviews are cached beside the session in `peaks/` (one file per media
//! file and session rate, named after the media file and a hash of its path,
//! size and modification time), written atomically, so reopening a session
//! draws at once without decoding anything.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::{Media, MediaError, MediaPool, Xxh64};

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

/// The overview of one media file.
#[derive(Debug, Clone, PartialEq)]
pub struct Peaks {
    /// Frames in the media (at the session rate).
    pub frames: u64,
    /// `levels[k][channel]`: blocks of [`block_frames`]`(k)` frames.
    pub levels: Vec<Vec<Blocks>>,
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
        let frames = channels.first().map_or(0, |c| c.len() as u64);
        let base: Vec<Blocks> = channels
            .iter()
            .map(|c| {
                c.chunks(BASE_BLOCK as usize)
                    .map(|b| {
                        let (lo, hi) = b
                            .iter()
                            .fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), &x| (l.min(x), h.max(x)));
                        (quantise(lo), quantise(hi))
                    })
                    .collect()
            })
            .collect();
        let mut levels = vec![base];
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
        Peaks { frames, levels }
    }

    /// The overview of media in the pool.
    pub fn of_media(media: &Media) -> Peaks {
        let channels: Vec<&[f32]> = media.channels.iter().map(|c| &c[..]).collect();
        Peaks::compute(&channels)
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
        let blocks = &self.levels[level][channel];
        let first = (start / size) as usize;
        let last = (end.div_ceil(size) as usize).min(blocks.len());
        let (lo, hi) =
            blocks[first..last].iter().fold((i16::MAX, i16::MIN), |(l, h), &(lo, hi)| (l.min(lo), h.max(hi)));
        (lo <= hi).then(|| (f32::from(lo) / 32767.0, f32::from(hi) / 32767.0))
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

    fn read_from(input: &mut impl Read) -> io::Result<Peaks> {
        let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_owned());
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
        let mut out = Vec::with_capacity(levels);
        for k in 0..levels {
            let expected = frames.div_ceil(block_frames(k));
            let mut level = Vec::with_capacity(channels);
            for _ in 0..channels {
                input.read_exact(&mut u64b)?;
                let n = u64::from_le_bytes(u64b);
                if n != expected {
                    return Err(bad("block count does not match the length"));
                }
                let mut bytes = vec![0u8; n as usize * 4];
                input.read_exact(&mut bytes)?;
                level.push(
                    bytes
                        .chunks_exact(4)
                        .map(|b| (i16::from_le_bytes([b[0], b[1]]), i16::from_le_bytes([b[2], b[3]])))
                        .collect(),
                );
            }
            out.push(level);
        }
        Ok(Peaks { frames, levels: out })
    }
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
/// current one, otherwise computed from the pool (decoding the file if the
/// pool does not hold it) and then cached. A cache that cannot be written
/// (read-only folder, full disk) is not an error: the overview is returned
/// and the next open computes it again.
pub fn load_or_compute(
    session_dir: &Path,
    media: &Path,
    rate: u32,
    pool: &MediaPool,
) -> Result<(Peaks, Source), MediaError> {
    let cache = cache_path(session_dir, media, rate)?;
    if let Ok(file) = crate::files::open_regular(&cache)
        && let Ok(peaks) = Peaks::read_from(&mut io::BufReader::new(file))
    {
        return Ok((peaks, Source::Cache));
    }
    let peaks = Peaks::of_media(&*pool.load(media, rate)?);
    let written = std::fs::create_dir_all(session_dir.join(CACHE_DIR)).and_then(|()| {
        crate::atomic::write_replacing_links(&cache, |file| {
            let mut out = io::BufWriter::new(file);
            peaks.write_to(&mut out)?;
            out.flush()
        })
    });
    // Not caching only costs time on the next open; the overview is still good.
    let _ = written;
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
        let pool = MediaPool::new();
        let (first, how) = load_or_compute(dir.path(), &media, 48_000, &pool).unwrap();
        assert_eq!(how, Source::Computed);
        let top = (32767.0f64 * (0.5 - 1.0 / 48_000.0)).round() as f32 / 32767.0;
        // Stored as i16 at 32767 per full scale, rounded to the nearest step.
        let bottom = (32767.0f64 * -0.5).round() as f32 / 32767.0;
        assert_eq!(first.range(0, 0, 48_000), Some((bottom, top)));
        let cached = cache_path(dir.path(), &media, 48_000).unwrap();
        assert!(cached.starts_with(dir.path().join(CACHE_DIR)) && cached.exists());
        // Reopening reads the cache, even with nothing decoded in a new pool.
        let (again, how) = load_or_compute(dir.path(), &media, 48_000, &MediaPool::new()).unwrap();
        assert_eq!(how, Source::Cache);
        assert_eq!(again, first);
        // A replaced file (another length) gets a new cache entry, not the stale one.
        write_wav(&media, &ramp[..24_000]);
        let (changed, how) = load_or_compute(dir.path(), &media, 48_000, &MediaPool::new()).unwrap();
        assert_eq!(how, Source::Computed);
        assert_eq!(changed.frames, 24_000);
        assert_ne!(cache_path(dir.path(), &media, 48_000).unwrap(), cached);
        // A missing file is an error that names it.
        let gone = dir.path().join("gone.wav");
        let err = load_or_compute(dir.path(), &gone, 48_000, &pool).unwrap_err().to_string();
        assert!(err.contains("gone.wav"), "{err}");
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
