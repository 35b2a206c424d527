//! Session templates: a session's setup without its recordings, to start new
//! sessions from (the window's "New from template"). A template keeps the
//! rate, tempo, pan law, tracks (empty), buses, VCAs, folders, groups, the
//! master and the delivery presets; it drops clips, automation, markers, the
//! loop range, review notes and the monitor's reference tracks. Each is a
//! session file in a folder (the app uses
//! `$XDG_CONFIG_HOME/mixdesk/session-templates/`), saved atomically.

use std::path::{Path, PathBuf};

use crate::session::{self, Session, SessionError};

/// `s` as a template: its setup without its recordings.
pub fn of(s: &Session) -> Session {
    let mut t = s.clone();
    for track in &mut t.tracks {
        track.clips.clear();
    }
    t.automation.clear();
    t.markers.clear();
    t.loop_range = None;
    t.notes.clear();
    t.monitor.references.clear();
    t.monitor.reference = None;
    t
}

/// Saves `s` as template `name` in `dir` (created if needed); returns the file.
pub fn save(dir: &Path, name: &str, s: &Session) -> Result<PathBuf, SessionError> {
    let safe: String =
        name.chars().map(|c| if c.is_alphanumeric() || " -_".contains(c) { c } else { '_' }).collect();
    let path = dir.join(format!("{}.mixdesk", safe.trim()));
    std::fs::create_dir_all(dir).map_err(|source| SessionError::Io {
        path: dir.to_owned(),
        action: "cannot create the folder",
        source,
    })?;
    session::save(&of(s), &path)?;
    Ok(path)
}

/// The templates in `dir` by name (the file's stem), sorted; none if the
/// folder is missing.
pub fn list(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out: Vec<(String, PathBuf)> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "mixdesk") && p.is_file())
        .filter_map(|p| Some((p.file_stem()?.to_string_lossy().into_owned(), p)))
        .collect();
    out.sort();
    out
}

/// A new session from the template at `path` (what it keeps, see [`of`]).
pub fn start_from(path: &Path) -> Result<Session, SessionError> {
    session::load(path).map(|s| of(&s))
}
