//! Missing media and relinking: finding files that moved, by name and then by
//! content.
//!
//! A session whose media moved still opens: a missing clip plays as silence
//! and [`missing_media`] lists it for the app to mark. [`plan`] searches a
//! folder (recursively, not following symbolic links to folders) and matches
//! each missing file:
//!
//! 1. by file name: the same name, else the same name ignoring ASCII case.
//!    Among several files of that name, those whose content matches the
//!    clip's fingerprint win, then the one whose folders match more of the
//!    stored path's folders; a tie is reported as ambiguous, not guessed.
//! 2. by content, when no file has the name (it was renamed): a file of the
//!    same size and XXH64 as the clip's fingerprint.
//!
//! [`apply`] rewrites the clips (paths relative to the session) and records
//! each found file's fingerprint; the caller saves the session atomically.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::media::fingerprint;
use crate::session::{ClipId, Fingerprint, Session};

/// A media file the session refers to that is not where it says.
#[derive(Debug, Clone, PartialEq)]
pub struct Missing {
    /// The path as stored (relative to the session folder, or absolute).
    pub media: PathBuf,
    /// The clips that play it.
    pub clips: Vec<ClipId>,
    /// Its fingerprint, if one was recorded.
    pub fingerprint: Option<Fingerprint>,
}

/// Every media file of `session` not found from `session_dir`, in the order
/// clips first use them.
pub fn missing_media(session: &Session, session_dir: &Path) -> Vec<Missing> {
    let mut out: Vec<Missing> = Vec::new();
    for c in session.tracks.iter().flat_map(|t| t.clips.iter()) {
        if session_dir.join(&c.media).is_file() {
            continue;
        }
        match out.iter_mut().find(|m| m.media == c.media) {
            Some(m) => {
                m.clips.push(c.id);
                m.fingerprint = m.fingerprint.or(c.fingerprint);
            }
            None => {
                out.push(Missing { media: c.media.clone(), clips: vec![c.id], fingerprint: c.fingerprint })
            }
        }
    }
    out
}

/// How a file was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// By its file name.
    Name,
    /// By its size and content hash (it was renamed).
    Content,
}

/// A missing file found again.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The path as stored in the session.
    pub media: PathBuf,
    /// The file found.
    pub file: PathBuf,
    /// The path to store instead (relative to the session folder).
    pub new_media: PathBuf,
    /// How it was recognised.
    pub how: How,
    /// The found file's fingerprint (None if it could not be read).
    pub fingerprint: Option<Fingerprint>,
    /// Found by name, but its content differs from the recorded fingerprint
    /// (re-exported since, or another file of the same name).
    pub content_differs: bool,
}

/// What a search found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// Media files missing before the search.
    pub missing: usize,
    /// Files found, one per missing path.
    pub found: Vec<Found>,
    /// Missing paths with several equally good candidates, left alone.
    pub ambiguous: Vec<(PathBuf, Vec<PathBuf>)>,
    /// Missing paths with no candidate.
    pub not_found: Vec<PathBuf>,
    /// Files looked at in the search folder.
    pub searched: usize,
}

/// Why a search could not run.
#[derive(Debug, Error)]
pub enum RelinkError {
    /// The search folder could not be read.
    #[error("cannot search {path}: {source}. Check that the folder exists and that you may read it.", path = .path.display())]
    Search {
        /// The folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Searches `search_dir` for the missing media of `session` (whose paths are
/// relative to `session_dir`). Reads only; see [`apply`].
pub fn plan(session: &Session, session_dir: &Path, search_dir: &Path) -> Result<Plan, RelinkError> {
    let missing = missing_media(session, session_dir);
    let mut index = Index::build(search_dir)?;
    let mut plan = Plan { missing: missing.len(), searched: index.files.len(), ..Plan::default() };
    for m in &missing {
        match index.find(m) {
            Choice::One(i, how) => {
                let file = index.files[i].path.clone();
                let fp = index.fingerprint(i);
                plan.found.push(Found {
                    media: m.media.clone(),
                    new_media: crate::stems::relative_to(&file, session_dir),
                    file,
                    how,
                    fingerprint: fp,
                    content_differs: how == How::Name && m.fingerprint.is_some() && fp != m.fingerprint,
                });
            }
            Choice::Several(c) => {
                let paths = c.iter().map(|i| index.files[*i].path.clone()).collect();
                plan.ambiguous.push((m.media.clone(), paths));
            }
            Choice::None => plan.not_found.push(m.media.clone()),
        }
    }
    Ok(plan)
}

/// Points every clip of each found file at its new place and records its
/// fingerprint. Returns how many clips changed.
pub fn apply(session: &mut Session, plan: &Plan) -> usize {
    let mut n = 0;
    for f in &plan.found {
        for c in session.tracks.iter_mut().flat_map(|t| t.clips.iter_mut()).filter(|c| c.media == f.media) {
            c.media = f.new_media.clone();
            c.fingerprint = f.fingerprint.or(c.fingerprint);
            n += 1;
        }
    }
    n
}

/// Records the fingerprint of every present media file whose clips have none,
/// so it can be found by content if it is renamed later. Returns how many
/// clips got one.
pub fn record_fingerprints(session: &mut Session, session_dir: &Path) -> usize {
    let mut known: HashMap<PathBuf, Option<Fingerprint>> = HashMap::new();
    let mut n = 0;
    for c in session.tracks.iter_mut().flat_map(|t| t.clips.iter_mut()).filter(|c| c.fingerprint.is_none()) {
        let fp = *known.entry(c.media.clone()).or_insert_with(|| {
            let p = session_dir.join(&c.media);
            if p.is_file() { fingerprint(&p).ok() } else { None }
        });
        if fp.is_some() {
            c.fingerprint = fp;
            n += 1;
        }
    }
    n
}

/// The most files a search indexes (a search of a whole disk stops there).
const MAX_FILES: usize = 1_000_000;

struct File {
    path: PathBuf,
    name: OsString,
    size: u64,
}

/// The files under the search folder, by name and by size, with their
/// fingerprints computed on demand.
struct Index {
    files: Vec<File>,
    by_name: HashMap<OsString, Vec<usize>>,
    by_lower_name: HashMap<String, Vec<usize>>,
    by_size: HashMap<u64, Vec<usize>>,
    fingerprints: HashMap<usize, Option<Fingerprint>>,
}

enum Choice {
    One(usize, How),
    Several(Vec<usize>),
    None,
}

impl Index {
    fn build(root: &Path) -> Result<Index, RelinkError> {
        let mut files = Vec::new();
        let top = std::fs::read_dir(root)
            .map_err(|source| RelinkError::Search { path: root.to_owned(), source })?;
        let mut pending = vec![top];
        while let Some(dir) = pending.pop() {
            for entry in dir.flatten() {
                if files.len() >= MAX_FILES {
                    break;
                }
                let Ok(kind) = entry.file_type() else { continue };
                let path = entry.path();
                if kind.is_dir() {
                    // Unreadable subfolders are skipped: the search is best effort below the top.
                    if let Ok(sub) = std::fs::read_dir(&path) {
                        pending.push(sub);
                    }
                } else if let Ok(meta) = std::fs::metadata(&path)
                    && meta.is_file()
                {
                    files.push(File { name: entry.file_name(), path, size: meta.len() });
                }
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let mut index = Index {
            by_name: HashMap::new(),
            by_lower_name: HashMap::new(),
            by_size: HashMap::new(),
            fingerprints: HashMap::new(),
            files: Vec::new(),
        };
        for (i, f) in files.iter().enumerate() {
            index.by_name.entry(f.name.clone()).or_default().push(i);
            index.by_lower_name.entry(f.name.to_string_lossy().to_ascii_lowercase()).or_default().push(i);
            index.by_size.entry(f.size).or_default().push(i);
        }
        index.files = files;
        Ok(index)
    }

    fn fingerprint(&mut self, i: usize) -> Option<Fingerprint> {
        let path = &self.files[i].path;
        *self.fingerprints.entry(i).or_insert_with(|| fingerprint(path).ok())
    }

    fn find(&mut self, m: &Missing) -> Choice {
        let name = m.media.file_name().unwrap_or_default();
        let mut candidates = self.by_name.get(name).cloned().unwrap_or_default();
        if candidates.is_empty() {
            let lower = name.to_string_lossy().to_ascii_lowercase();
            candidates = self.by_lower_name.get(&lower).cloned().unwrap_or_default();
        }
        if !candidates.is_empty() {
            if candidates.len() > 1
                && let Some(fp) = m.fingerprint
            {
                let same: Vec<usize> =
                    candidates.iter().copied().filter(|i| self.fingerprint(*i) == Some(fp)).collect();
                if !same.is_empty() {
                    candidates = same;
                }
            }
            if candidates.len() > 1 {
                let score = |i: &usize| common_suffix(&self.files[*i].path, &m.media);
                let best = candidates.iter().map(score).max().unwrap_or(0);
                candidates.retain(|i| score(i) == best);
            }
            return match candidates.as_slice() {
                [one] => Choice::One(*one, How::Name),
                _ => Choice::Several(candidates),
            };
        }
        let Some(fp) = m.fingerprint else { return Choice::None };
        let same_size = self.by_size.get(&fp.bytes).cloned().unwrap_or_default();
        match same_size.into_iter().find(|i| self.fingerprint(*i) == Some(fp)) {
            Some(i) => Choice::One(i, How::Content),
            None => Choice::None,
        }
    }
}

/// How many trailing path components two paths share ("a/media/x.wav" and
/// "b/media/x.wav" share 2).
fn common_suffix(a: &Path, b: &Path) -> usize {
    a.components().rev().zip(b.components().rev()).take_while(|(x, y)| x == y).count()
}
