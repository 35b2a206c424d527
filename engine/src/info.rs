//! A summary of a session for `mixdesk info`: tracks, clips, length, rate,
//! buses, VCAs and folders, which media files are missing and what is wrong with the others that
//! cannot be played (each is decoded to find out).

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Serialize, Serializer};

use crate::media::{MediaError, decode_file};
use crate::session::{Output, Session, StripRef};

/// A strip's plain name (its id if it is gone).
fn strip_name(s: &Session, r: StripRef) -> String {
    match r {
        StripRef::Track(id) => s.track(id).map_or_else(|| id.to_string(), |t| t.name.clone()),
        StripRef::Bus(id) => s.bus(id).map_or_else(|| id.to_string(), |b| b.name.clone()),
        StripRef::Master => "Master".to_owned(),
    }
}

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
    /// Buses that carry audio, in order.
    pub buses: Vec<String>,
    /// VCA faders (buses without audio that move their members' gain).
    pub vcas: Vec<VcaInfo>,
    /// Folders of tracks.
    pub folders: Vec<FolderInfo>,
    /// Media files referenced but not found, resolved against the session folder.
    #[serde(serialize_with = "lossy_paths")]
    pub missing_media: Vec<PathBuf>,
    /// Media files that are there but cannot be played (not a regular file,
    /// unreadable, not audio, damaged), each with what is wrong.
    pub unreadable_media: Vec<MediaProblem>,
    /// Media paths (as stored) outside the session folder: they do not move
    /// with it (see `session::media_paths`).
    #[serde(serialize_with = "lossy_paths")]
    pub media_outside_folder: Vec<PathBuf>,
    /// Hosted plugins (`lv2:<uri>`) the session uses that are not installed
    /// here: their inserts pass audio through and keep their saved settings.
    pub missing_plugins: Vec<String>,
}

/// A media file that cannot be played, in [`SessionInfo`].
#[derive(Debug, Clone, Serialize)]
pub struct MediaProblem {
    /// The file, resolved against the session folder.
    #[serde(serialize_with = "lossy_path")]
    pub path: PathBuf,
    /// What is wrong and what to do, naming the file.
    pub problem: String,
}

/// Paths in JSON, which holds only text: a name that is not UTF-8 has its
/// stray bytes shown as U+FFFD (the session file itself keeps them exactly).
fn lossy_path<S: Serializer>(path: &Path, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&path.to_string_lossy())
}

fn lossy_paths<S: Serializer>(paths: &[PathBuf], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(paths.iter().map(|p| p.to_string_lossy()))
}

/// One VCA in [`SessionInfo`].
#[derive(Debug, Clone, Serialize)]
pub struct VcaInfo {
    /// Name.
    pub name: String,
    /// Its fader in dB, added to every member's.
    pub fader_db: f64,
    /// Its members' names.
    pub members: Vec<String>,
}

/// One folder in [`SessionInfo`].
#[derive(Debug, Clone, Serialize)]
pub struct FolderInfo {
    /// Name.
    pub name: String,
    /// Its tracks' names.
    pub tracks: Vec<String>,
    /// The bus its tracks sum into, for a summing folder.
    pub bus: Option<String>,
    /// Whether it is collapsed.
    pub collapsed: bool,
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
    #[serde(serialize_with = "lossy_paths")]
    pub media: Vec<PathBuf>,
}

/// Summarises `session`, checking media against `session_dir`: every file is
/// decoded (in parallel) to find the ones that cannot be played.
pub fn session_info(session: &Session, session_dir: &Path) -> SessionInfo {
    let rate = session.sample_rate;
    let end = session.content_end();
    let mut files: Vec<PathBuf> =
        session.tracks.iter().flat_map(|t| t.clips.iter()).map(|c| session_dir.join(&c.media)).collect();
    files.sort();
    files.dedup();
    let errors: Vec<MediaError> = files.par_iter().filter_map(|p| decode_file(p).err()).collect();
    let (missing, unreadable): (Vec<MediaError>, Vec<MediaError>) =
        errors.into_iter().partition(|e| matches!(e, MediaError::Missing { .. }));
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
        buses: session.buses.iter().filter(|b| !b.is_vca()).map(|b| b.name.clone()).collect(),
        vcas: session
            .buses
            .iter()
            .filter_map(|b| {
                let members = &b.vca.as_ref()?.members;
                Some(VcaInfo {
                    name: b.name.clone(),
                    fader_db: b.strip.fader_db.0,
                    members: members.iter().map(|m| strip_name(session, *m)).collect(),
                })
            })
            .collect(),
        folders: session
            .folders
            .iter()
            .map(|f| FolderInfo {
                name: f.name.clone(),
                tracks: f.tracks.iter().map(|t| strip_name(session, StripRef::Track(*t))).collect(),
                bus: f.bus.map(|b| strip_name(session, StripRef::Bus(b))),
                collapsed: f.collapsed,
            })
            .collect(),
        missing_media: missing.iter().map(|e| e.path().to_owned()).collect(),
        unreadable_media: unreadable
            .iter()
            .map(|e| MediaProblem { path: e.path().to_owned(), problem: e.to_string() })
            .collect(),
        media_outside_folder: session.media_outside_folder(),
        missing_plugins: crate::plugins::missing_in(session),
    }
}
