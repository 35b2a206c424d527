//! Mix versions: named snapshots of a session ("Save version"), listed,
//! compared in words and switched to as one undoable step.
//!
//! Storage: a folder beside the session, `song.mixdesk` -> `song.versions/`,
//! one ordinary session file per version, `NNN-name.mixdesk` (NNN counts up
//! from 001). Not inside the session file, because then every version is a
//! complete session that `mixdesk diff`, `info` and `render` read as it is;
//! saving a version never rewrites (and so can never endanger) the session
//! file, which stays small enough to read in a text diff; a damaged version
//! costs only itself; and the session format needs no change. The version's
//! name and time are in comment lines at the top (`// name: "rough mix"`,
//! `// saved: SECONDS since 1970`), which the session parser skips. Media
//! paths are rewritten to point from the versions folder (`../media/a.wav`),
//! so a version renders on its own, and back when it is loaded.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use thiserror::Error;

use crate::atomic::write_atomically;
use crate::history::History;
use crate::session::{self, Session, SessionError};

/// A saved mix version.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    /// Its number: 1 for the first saved.
    pub number: u32,
    /// The name it was saved under.
    pub name: String,
    /// When it was saved.
    pub saved_at: Option<SystemTime>,
    /// Its file.
    pub path: PathBuf,
}

/// Why a version could not be saved or listed.
#[derive(Debug, Error)]
pub enum VersionError {
    /// The name is empty.
    #[error("a version needs a name; type one")]
    NoName,
    /// The versions folder could not be made or read.
    #[error("cannot use the versions folder {path}: {source}. Check that you may write beside the session.", path = .path.display())]
    Folder {
        /// The folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Writing or reading a version file failed.
    #[error(transparent)]
    Session(#[from] SessionError),
}

/// Where the versions of `session_path` are kept: `STEM.versions/` beside it.
pub fn versions_dir(session_path: &Path) -> PathBuf {
    let mut name = session_path.file_stem().unwrap_or_default().to_os_string();
    name.push(".versions");
    session_path.with_file_name(name)
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The versions of `session_path`, oldest first; none when the folder does
/// not exist. Files that are not versions are skipped.
pub fn list(session_path: &Path) -> Result<Vec<Version>, VersionError> {
    let dir = versions_dir(session_path);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(VersionError::Folder { path: dir, source }),
    };
    let mut out: Vec<Version> = entries.flatten().filter_map(|e| read_header(&e.path())).collect();
    out.sort_by_key(|v| v.number);
    Ok(out)
}

/// The number, name and time of the version file at `path` (None if it is not one).
fn read_header(path: &Path) -> Option<Version> {
    let file = path.file_name()?.to_str()?;
    let stem = file.strip_suffix(".mixdesk")?;
    let number: u32 = stem.split('-').next()?.parse().ok()?;
    let mut version = Version { number, name: stem.to_owned(), saved_at: None, path: path.to_owned() };
    let file = std::io::BufReader::new(crate::files::open_regular(path).ok()?);
    let header = std::io::BufRead::lines(file).map_while(Result::ok).take_while(|l| l.starts_with("//"));
    for line in header {
        if let Some(name) = line.strip_prefix("// name: ") {
            version.name = serde_json::from_str(name).unwrap_or_else(|_| name.to_owned());
        } else if let Some(secs) = line.strip_prefix("// saved: ").and_then(|s| s.trim().parse().ok()) {
            version.saved_at = UNIX_EPOCH.checked_add(Duration::from_secs(secs));
        }
    }
    Some(version)
}

/// A file-name-safe form of `name`: letters, digits, `-` and `_`, the rest as `-`.
fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() || c == '_' { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    s.chars().take(60).collect()
}

/// Saves `session` (the session of `session_path`) as a new version named `name`.
pub fn save(session_path: &Path, session: &Session, name: &str) -> Result<Version, VersionError> {
    let name: String = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(VersionError::NoName);
    }
    let dir = versions_dir(session_path);
    std::fs::create_dir_all(&dir).map_err(|source| VersionError::Folder { path: dir.clone(), source })?;
    let number = list(session_path)?.iter().map(|v| v.number).max().unwrap_or(0) + 1;
    let path = dir.join(format!("{number:03}-{}.mixdesk", slug(&name)));
    let saved_at = SystemTime::now();
    let secs = saved_at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let mut copy = session.clone();
    copy.rebase_media(folder_of(session_path), &dir);
    let source_name = session_path.file_name().unwrap_or_default().to_string_lossy();
    let text = format!(
        "// Mixdesk mix version of {source_name}\n// name: {}\n// saved: {secs}\n{}",
        serde_json::to_string(&name).unwrap_or_default(),
        session::text_for(&copy, &path)?
    );
    write_atomically(&path, false, |w| w.write_all(text.as_bytes())).map_err(|source| SessionError::Io {
        path: path.clone(),
        action: "cannot write",
        source,
    })?;
    Ok(Version { number, name, saved_at: Some(saved_at), path })
}

/// The session `version` holds, with media paths pointing from the session's folder again.
pub fn load(session_path: &Path, version: &Version) -> Result<Session, SessionError> {
    let mut s = session::load(&version.path)?;
    let from = folder_of(&version.path).to_owned();
    s.rebase_media(&from, folder_of(session_path));
    Ok(s)
}

/// Replaces `session` by `version` as one undoable step ("Switch to version
/// "rough mix"").
pub fn switch_to(
    session_path: &Path,
    version: &Version,
    session: &mut Session,
    history: &mut History,
) -> Result<(), SessionError> {
    let loaded = load(session_path, version)?;
    history.edit(session, &format!("Switch to version \"{}\"", version.name), |s| *s = loaded);
    Ok(())
}
