//! A summary of a session for `mixdesk info`: tracks, clips, length, rate and
//! which media files are missing.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::session::{Output, Session};

/// What `mixdesk info` prints.
#[derive(Debug, Clone, Serialize)]
pub struct SessionInfo {
    /// Session sample rate in Hz.
    pub sample_rate: u32,
    /// End of the last clip, in samples.
    pub length_samples: u64,
    /// End of the last clip, in seconds.
    pub length_seconds: f64,
    /// Tempo in BPM.
    pub bpm: f64,
    /// Time signature, e.g. "4/4".
    pub time_signature: String,
    /// Tracks in order.
    pub tracks: Vec<TrackInfo>,
    /// Buses in order.
    pub buses: Vec<String>,
    /// Media files referenced but not found, resolved against the session folder.
    pub missing_media: Vec<PathBuf>,
    /// Media paths (as stored) outside the session folder: they do not move
    /// with it (see `session::media_paths`).
    pub media_outside_folder: Vec<PathBuf>,
}

/// One track in [`SessionInfo`].
#[derive(Debug, Clone, Serialize)]
pub struct TrackInfo {
    /// Stable id.
    pub id: u32,
    /// Name.
    pub name: String,
    /// Number of clips.
    pub clips: usize,
    /// Fader in dB.
    pub fader_db: f64,
    /// Pan position.
    pub pan: f64,
    /// "master" or the bus name.
    pub output: String,
    /// Media files of its clips, as stored (relative to the session).
    pub media: Vec<PathBuf>,
}

/// Summarises `session`, checking media against `session_dir`.
pub fn session_info(session: &Session, session_dir: &Path) -> SessionInfo {
    let rate = session.sample_rate;
    let end = session.content_end();
    let mut missing: Vec<PathBuf> = session
        .tracks
        .iter()
        .flat_map(|t| t.clips.iter())
        .map(|c| session_dir.join(&c.media))
        .filter(|p| !p.is_file())
        .collect();
    missing.sort();
    missing.dedup();
    SessionInfo {
        sample_rate: rate,
        length_samples: end.0,
        length_seconds: end.to_seconds(rate),
        bpm: session.tempo.bpm,
        time_signature: format!("{}/{}", session.tempo.beats_per_bar, session.tempo.beat_unit),
        tracks: session
            .tracks
            .iter()
            .map(|t| TrackInfo {
                id: t.id.0,
                name: t.name.clone(),
                clips: t.clips.len(),
                fader_db: t.strip.fader_db.0,
                pan: t.strip.pan.0,
                output: match t.output {
                    Output::Master => "master".into(),
                    Output::Bus(b) => session.bus(b).map_or_else(|| b.to_string(), |b| b.name.clone()),
                },
                media: t.clips.iter().map(|c| c.media.clone()).collect(),
            })
            .collect(),
        buses: session.buses.iter().map(|b| b.name.clone()).collect(),
        missing_media: missing,
        media_outside_folder: session.media_outside_folder(),
    }
}
