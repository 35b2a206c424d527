//! Loading a reference for the monitor's A/B, off the audio and GUI threads:
//! an audio file (any format Mixdesk imports, such as an earlier bounce) or a
//! saved session (a mix version, `.mixdesk`) becomes a graph at the engine's
//! rate for [`crate::realtime::EngineHandle::set_reference`], measured by
//! rendering that same graph from its start, so the loudness matched is the
//! loudness heard.

use std::path::{Path, PathBuf};

use super::ReferenceSlot;
use crate::analysis::LoudnessMeter;
use crate::bounce::{BounceError, prepare};
use crate::graph::{Graph, Serial};
use crate::media::{MediaError, MediaPool};
use crate::session::{self, Session, SessionError, Track};
use crate::units::SampleTime;

/// Frames per block of the reference's graph (the live callback renders
/// the reference in runs no longer than the mix's).
const BLOCK: usize = 4096;

/// Why a reference could not be loaded; each names the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    /// The audio file is missing, unreadable or damaged (the error names it).
    #[error("cannot load the reference: {source}")]
    Media {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: MediaError,
    },
    /// The saved mix version could not be read (the error names it).
    #[error("cannot load the reference: {source}")]
    Session {
        /// The session file.
        path: PathBuf,
        /// What went wrong.
        source: SessionError,
    },
    /// The saved mix version could not be rendered.
    #[error("the reference {} cannot be played: {source}", .path.display())]
    Graph {
        /// The session file.
        path: PathBuf,
        /// What went wrong.
        source: BounceError,
    },
    /// There is nothing to hear in it.
    #[error("the reference {} is empty: choose a file with audio in it", .path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
}

/// Whether `path` names a saved session (a mix version) rather than audio.
pub fn is_session(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("mixdesk"))
}

/// The session that plays `path` at `rate` Hz, and the folder its media
/// paths are relative to: a saved session as saved (resampled), an audio
/// file as one track of it from the start at unity gain.
fn session_of(path: &Path, rate: u32, pool: &MediaPool) -> Result<(Session, PathBuf), ReferenceError> {
    let folder = path.parent().map_or_else(PathBuf::new, Path::to_owned);
    if is_session(path) {
        let s =
            session::load(path).map_err(|source| ReferenceError::Session { path: path.into(), source })?;
        return Ok((s.resampled_to(rate), folder));
    }
    let media =
        pool.load(path, rate).map_err(|source| ReferenceError::Media { path: path.into(), source })?;
    let frames = media.channels.first().map_or(0, |c| c.len());
    if frames == 0 {
        return Err(ReferenceError::Empty { path: path.into() });
    }
    let mut s = Session::new(rate);
    let name = path.file_stem().map_or_else(|| "reference".into(), |n| n.to_string_lossy().into_owned());
    s.tracks.push(Track::with_one_clip(1, name, path.to_owned(), SampleTime(frames as u64)));
    Ok((s, folder))
}

fn graph_of(path: &Path, s: &Session, folder: &Path, pool: &MediaPool) -> Result<Graph, ReferenceError> {
    prepare(s, folder, pool, BLOCK).map_err(|source| ReferenceError::Graph { path: path.into(), source })
}

/// The graph that plays the reference at `path` at `rate` Hz (for a slot
/// already measured).
pub fn reference_graph(path: &Path, rate: u32) -> Result<Graph, ReferenceError> {
    let pool = MediaPool::new();
    let (s, folder) = session_of(path, rate, &pool)?;
    graph_of(path, &s, &folder, &pool)
}

/// Loads the reference at `path` for an engine at `rate` Hz: the slot, with
/// the loudness of the reference as its graph plays it (rendered once from
/// the start to the end of its last clip), and a fresh graph for the engine.
pub fn load_reference(path: &Path, rate: u32) -> Result<(ReferenceSlot, Graph), ReferenceError> {
    let pool = MediaPool::new();
    let (s, folder) = session_of(path, rate, &pool)?;
    let end = s.content_end().0;
    if end == 0 {
        return Err(ReferenceError::Empty { path: path.into() });
    }
    let mut measuring = graph_of(path, &s, &folder, &pool)?;
    let mut meter = LoudnessMeter::new(rate);
    let (mut l, mut r) = (vec![0.0; BLOCK], vec![0.0; BLOCK]);
    measuring.prime(0);
    let mut pos = 0;
    while pos < end {
        let n = (end - pos).min(BLOCK as u64) as usize;
        measuring.process(pos, &mut l[..n], &mut r[..n], &Serial);
        meter.add(&l[..n], &r[..n]);
        pos += n as u64;
    }
    let reading = meter.reading();
    let slot = ReferenceSlot {
        path: path.to_owned(),
        integrated_lufs: reading.integrated,
        max_short_term_lufs: reading.max_short_term,
    };
    Ok((slot, graph_of(path, &s, &folder, &pool)?))
}
