//! Media the streamer cannot read directly (compressed, at another rate than
//! the engine's, folded down from surround, AIFF) is converted once into a
//! 32-bit float WAV in the session's `cache/` folder and streamed from there.
//!
//! The copy is named after the media file and a hash of its absolute path,
//! size, modification time and the rate, so a replaced file is converted
//! again and a copy is never used for the wrong file. It is written
//! atomically; a folder that cannot be written (read-only media, a full
//! disk) falls back to the user's cache folder (`$XDG_CACHE_HOME/mixdesk/`).
//! Decoding holds one file in memory at a time per converting thread, never
//! the session.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};
use std::time::UNIX_EPOCH;

use super::reader::{Reader, WavLayout};
use crate::media::{MediaError, Xxh64, decode_file, resample};

/// The folder beside a session that holds converted media.
pub const CACHE_DIR: &str = "cache";

/// How a media file came to stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prepared {
    /// Read from the media file itself (a WAV at the engine's rate).
    Direct,
    /// Read from a copy converted earlier.
    Cached,
    /// Converted now (decoded once, in full).
    Converted,
}

/// The media file's metadata, or why it is not a regular file there is, in
/// the words the decoder uses (a FIFO or a folder is called what it is).
fn check_file(media: &Path) -> Result<std::fs::Metadata, MediaError> {
    crate::files::check_regular(media).map_err(|e| MediaError::opening(media, e))
}

/// The name of `media`'s converted copy at `rate`.
fn copy_name(media: &Path, meta: &std::fs::Metadata, rate: u32) -> String {
    let modified =
        meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
    let absolute = std::fs::canonicalize(media).unwrap_or_else(|_| media.to_owned());
    let mut hash = Xxh64::new();
    hash.update(absolute.as_os_str().as_encoded_bytes());
    hash.update(&meta.len().to_le_bytes());
    hash.update(&modified.to_le_bytes());
    hash.update(&rate.to_le_bytes());
    let stem = media.file_stem().map_or_else(|| "media".into(), |s| s.to_string_lossy());
    format!("{stem}-{:016x}.f32.wav", hash.digest())
}

/// The user's cache folder for converted media (when the session's folder
/// cannot be written).
fn user_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("mixdesk").join("media"))
}

/// The layout to stream `media` from at `rate`: the file itself when the
/// streamer reads it directly, else its converted copy (made now if there is
/// none). `session_dir` holds the `cache/` folder.
pub(crate) fn layout_for(
    media: &Path,
    rate: u32,
    session_dir: &Path,
) -> Result<(WavLayout, Prepared), MediaError> {
    let meta = check_file(media)?;
    if let Some(l) = WavLayout::probe(media).filter(|l| l.rate == rate) {
        return Ok((l, Prepared::Direct));
    }
    let name = copy_name(media, &meta, rate);
    let places: Vec<PathBuf> =
        [Some(session_dir.join(CACHE_DIR)), user_cache_dir()].into_iter().flatten().collect();
    for dir in &places {
        if let Some(l) = WavLayout::probe(&dir.join(&name)).filter(|l| l.rate == rate) {
            return Ok((l, Prepared::Cached));
        }
    }
    // One conversion of a file at a time in this process: a graph build and
    // a waveform worker asking at once share it.
    let _converting = Converting::claim(&name);
    for dir in &places {
        if let Some(l) = WavLayout::probe(&dir.join(&name)).filter(|l| l.rate == rate) {
            return Ok((l, Prepared::Cached));
        }
    }
    let decoded = decode_file(media)?;
    let from = decoded.format.sample_rate;
    let channels = crate::media::decode::guarded(media, || {
        resample(decoded.channels, from, rate)
            .map_err(|message| MediaError::Corrupt { path: media.to_owned(), message })
    })?;
    let mut last_error = None;
    for dir in &places {
        let path = dir.join(&name);
        match std::fs::create_dir_all(dir).and_then(|()| write_float_wav(&path, rate, &channels)) {
            Ok(()) => {
                let layout = WavLayout::probe(&path).ok_or_else(|| MediaError::Unreadable {
                    path: path.clone(),
                    message: "the converted copy cannot be read back".into(),
                })?;
                return Ok((layout, Prepared::Converted));
            }
            Err(e) => last_error = Some((path, e)),
        }
    }
    let (path, e) =
        last_error.unwrap_or_else(|| (session_dir.join(CACHE_DIR), io::Error::other("no cache folder")));
    Err(MediaError::Unreadable {
        path: media.to_owned(),
        message: format!(
            "it must be converted to stream, and the copy could not be written to {}: {e}; free some disk space or make the session's folder writable",
            path.display()
        ),
    })
}

/// Makes `media` ready to stream at `rate` (converting it into the cache if
/// it must be) and returns its length in frames at that rate: what an import
/// does, once per file.
pub fn prepare_file(media: &Path, rate: u32, session_dir: &Path) -> Result<(u64, Prepared), MediaError> {
    layout_for(media, rate, session_dir).map(|(l, how)| (l.frames, how))
}

/// The converted copy of `media` at `rate` if one was made earlier (never
/// converts): the bounce streams it instead of decoding the file again.
pub fn existing_copy(media: &Path, rate: u32, session_dir: &Path) -> Option<PathBuf> {
    let meta = check_file(media).ok()?;
    let name = copy_name(media, &meta, rate);
    [Some(session_dir.join(CACHE_DIR)), user_cache_dir()]
        .into_iter()
        .flatten()
        .map(|d| d.join(&name))
        .find(|p| WavLayout::probe(p).is_some_and(|l| l.rate == rate))
}

/// Writes `channels` (1 or 2, equal lengths) as a 32-bit float WAV, atomically.
fn write_float_wav(path: &Path, rate: u32, channels: &[Vec<f32>]) -> io::Result<()> {
    let spec = hound::WavSpec {
        channels: channels.len().clamp(1, 2) as u16,
        sample_rate: rate,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    crate::atomic::write_atomically(path, false, |out| {
        let mut w = hound::WavWriter::new(out, spec).map_err(io::Error::other)?;
        let n = channels.first().map_or(0, Vec::len);
        for i in 0..n {
            for c in channels.iter().take(2) {
                w.write_sample(c[i]).map_err(io::Error::other)?;
            }
        }
        w.finalize().map_err(io::Error::other)
    })
}

/// Copies being converted now in this process, by name.
static CONVERTING: Mutex<Vec<String>> = Mutex::new(Vec::new());
static CONVERTED: Condvar = Condvar::new();

/// The right to convert one copy; others asking for it wait until it is dropped.
struct Converting(String);

impl Converting {
    fn claim(name: &str) -> Converting {
        let mut busy = CONVERTING.lock().unwrap_or_else(|e| e.into_inner());
        while busy.iter().any(|n| n == name) {
            busy = CONVERTED.wait(busy).unwrap_or_else(|e| e.into_inner());
        }
        busy.push(name.to_owned());
        Converting(name.to_owned())
    }
}

impl Drop for Converting {
    fn drop(&mut self) {
        CONVERTING.lock().unwrap_or_else(|e| e.into_inner()).retain(|n| *n != self.0);
        CONVERTED.notify_all();
    }
}

/// Reads `media` at `rate` once from start to end, a block at a time, as the
/// streamer would play it (from the file itself or its converted copy, made
/// now if needed), handing each block (one slice per channel) to `f` on the
/// value `init(channels)` makes; returns that value. Flat memory.
pub fn read_through<T>(
    media: &Path,
    rate: u32,
    session_dir: &Path,
    init: impl FnOnce(usize) -> T,
    mut f: impl FnMut(&mut T, &[&[f32]]),
) -> Result<T, MediaError> {
    const BLOCK: usize = 65_536;
    let (layout, _) = layout_for(media, rate, session_dir)?;
    let mut reader = Reader::open(&layout)?;
    let mut value = init(layout.channels);
    let mut buf = [vec![0.0f32; BLOCK], vec![0.0f32; BLOCK]];
    let mut at = 0u64;
    while at < layout.frames {
        let n = (layout.frames - at).min(BLOCK as u64) as usize;
        reader
            .read(&layout, at, n, &mut buf)
            .map_err(|message| MediaError::Unreadable { path: media.to_owned(), message })?;
        let [l, r] = &buf;
        let block: [&[f32]; 2] = [&l[..n], &r[..n]];
        f(&mut value, &block[..layout.channels]);
        at += n as u64;
    }
    Ok(value)
}
