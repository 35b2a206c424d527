//! Building a session from a folder of stems: one track per audio file, sorted
//! by name, named after the file, at unity gain and centred, each clip with
//! its media's content fingerprint. Files are made ready to stream in
//! parallel (only those that cannot stream directly are decoded, once, into
//! the session's `cache/`), never all held in memory.

use std::path::{Component, Path, PathBuf};

use thiserror::Error;

use rayon::prelude::*;

use crate::media::MediaError;
use crate::session::{Colour, SampleTime, Session, Track};

/// File extensions treated as audio.
pub const AUDIO_EXTENSIONS: [&str; 9] = ["wav", "wave", "bwf", "aif", "aiff", "aifc", "flac", "mp3", "ogg"];

/// Why a session could not be built from a folder.
#[derive(Debug, Error)]
pub enum StemsError {
    /// The folder could not be listed.
    #[error("cannot list {path}: {source}. Check the folder exists and is readable.", path = .path.display())]
    Folder {
        /// The folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// No audio files in the folder.
    #[error("{path} holds no audio files ({exts}); put the stems there or name another folder.", path = .path.display(), exts = AUDIO_EXTENSIONS.join(", "))]
    Empty {
        /// The folder.
        path: PathBuf,
    },
    /// A file could not be imported.
    #[error(transparent)]
    Media(#[from] MediaError),
}

/// A new session with one track per audio file in `dir`. Media paths are made
/// relative to `session_dir` (where the session will be saved). The session rate
/// is the most common rate among the files (48 kHz on a tie with it).
pub fn session_from_stems(dir: &Path, session_dir: &Path) -> Result<Session, StemsError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| StemsError::Folder { path: dir.to_owned(), source })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| AUDIO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(StemsError::Empty { path: dir.to_owned() });
    }
    // Read the rates from the headers first, so each file is decoded only once.
    let rates: Vec<u32> = files
        .iter()
        .map(|f| crate::media::probe_format(f).map(|d| d.sample_rate))
        .collect::<Result<_, _>>()?;
    let rate = most_common_rate(&rates);
    // Each file: its length at the session rate (converting it for streaming
    // if it must be) and its fingerprint, recorded now so a relink can find
    // the file even after it is renamed.
    let prepared: Vec<Result<(u64, _), MediaError>> = files
        .par_iter()
        .map(|f| {
            let (frames, _) = crate::streaming::prepare_file(f, rate, session_dir)?;
            Ok((frames, crate::media::fingerprint(f).ok()))
        })
        .collect();
    let mut session = Session::new(rate);
    for (i, (file, m)) in files.iter().zip(prepared).enumerate() {
        let (frames, fingerprint) = m?;
        let id = 1 + 2 * i as u32;
        let name =
            file.file_stem().map_or_else(|| format!("Track {}", i + 1), |s| s.to_string_lossy().into_owned());
        let mut track = Track::with_one_clip(id, name, relative_to(file, session_dir), SampleTime(frames));
        track.colour = palette(i);
        track.clips[0].fingerprint = fingerprint;
        session.tracks.push(track);
    }
    Ok(session)
}

fn most_common_rate(rates: &[u32]) -> u32 {
    let mut best = (0usize, 48_000u32);
    for r in rates {
        let count = rates.iter().filter(|x| *x == r).count();
        if count > best.0 || (count == best.0 && *r == 48_000) {
            best = (count, *r);
        }
    }
    best.1
}

/// Track and bus colours: pleasant and distinct.
const PALETTE: [Colour; 8] = [
    Colour(0xd9, 0x5f, 0x4c),
    Colour(0xe0, 0x9b, 0x3d),
    Colour(0x5f, 0xb0, 0x6e),
    Colour(0x4c, 0x9f, 0xc7),
    Colour(0x9b, 0x6c, 0xd1),
    Colour(0xe2, 0x6f, 0xa8),
    Colour(0xc7, 0xc2, 0x4c),
    Colour(0x7f, 0x8c, 0x99),
];

/// A pleasant, distinct colour per track index.
pub fn palette(i: usize) -> Colour {
    PALETTE[i % PALETTE.len()]
}

/// The colour for a new track or bus among strips coloured `used`: the first
/// palette colour used least, so new strips get colours no other strip has
/// while the palette lasts, whatever the user picked or deleted before.
pub fn least_used_colour(used: impl IntoIterator<Item = Colour>) -> Colour {
    let mut count = [0usize; PALETTE.len()];
    for c in used {
        if let Some(i) = PALETTE.iter().position(|&p| p == c) {
            count[i] += 1;
        }
    }
    let least = count.iter().min().copied().unwrap_or(0);
    PALETTE[count.iter().position(|&n| n == least).unwrap_or(0)]
}

/// The colours of every track and bus of `session`.
pub fn strip_colours(session: &Session) -> impl Iterator<Item = Colour> + '_ {
    session.tracks.iter().map(|t| t.colour).chain(session.buses.iter().map(|b| b.colour))
}

/// `path` relative to `base` when both are absolute (or both relative to the
/// current folder); otherwise `path` unchanged.
pub fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let abs = |p: &Path| {
        std::fs::canonicalize(p).unwrap_or_else(|_| std::path::absolute(p).unwrap_or(p.to_owned()))
    };
    let (path, base) = (abs(path), abs(base));
    let p: Vec<Component> = path.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return path;
    }
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c);
    }
    out
}

#[cfg(test)]
mod colour_tests {
    use super::*;

    #[test]
    fn a_new_strip_gets_the_first_colour_no_strip_has_then_the_least_used() {
        assert_eq!(least_used_colour([]), palette(0));
        // Picked by the user, out of order: the gaps are filled first.
        assert_eq!(least_used_colour([palette(0), palette(2), palette(3)]), palette(1));
        assert_eq!(least_used_colour([palette(1), palette(0), palette(2), palette(3)]), palette(4));
        // Every colour used once, one twice: the first of the others.
        let mut used: Vec<Colour> = (0..8).map(palette).collect();
        used.push(palette(0));
        assert_eq!(least_used_colour(used), palette(1));
        // A colour outside the palette counts for nothing.
        assert_eq!(least_used_colour([Colour(1, 2, 3), palette(0)]), palette(1));
    }
}
