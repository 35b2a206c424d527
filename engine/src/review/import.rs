//! Notes coming in: from the file the share page saves (JSON, see
//! [`NotesFile`]) or from plain text with times ("1:23 vocal too quiet"),
//! matched to the session's timeline and added as one undo step.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::timestamps::{Skipped, parse_lines};
use crate::history::History;
use crate::session::{Note, NoteId, Reply, SampleTime, Session, TrackId, max_timeline};

/// The `format` field of a notes file.
pub const FORMAT: &str = "mixdesk-notes";
/// The notes file version this build writes and reads.
pub const FILE_VERSION: u32 = 1;
/// Largest notes file read (a year of feedback is far below this).
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// The small file the share page saves: the notes and replies the listener
/// wrote there. Times are seconds into the bounce; `start` is where the
/// bounce began on the session's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotesFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FILE_VERSION`].
    pub version: u32,
    /// The bounce's file name, for the reader.
    #[serde(default)]
    pub bounce: String,
    /// Seconds on the timeline of the bounce's first sample.
    #[serde(default)]
    pub start: f64,
    /// New notes.
    #[serde(default)]
    pub notes: Vec<FileNote>,
    /// Replies to notes the page showed.
    #[serde(default)]
    pub replies: Vec<FileReply>,
}

/// A note in a notes file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileNote {
    /// Seconds into the bounce.
    pub at: f64,
    /// End of the range, seconds into the bounce.
    #[serde(default)]
    pub end: Option<f64>,
    /// Who wrote it.
    #[serde(default)]
    pub author: String,
    /// What it says.
    pub text: String,
}

/// A reply in a notes file, to the note with id `note`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileReply {
    /// The note's id in the session.
    pub note: u32,
    /// Who wrote it.
    #[serde(default)]
    pub author: String,
    /// What it says.
    pub text: String,
}

/// Notes ready to add to a session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Incoming {
    /// New notes (ids are given when they are added).
    pub notes: Vec<Note>,
    /// Replies to existing notes.
    pub replies: Vec<(NoteId, Reply)>,
    /// Lines or entries that were left out, and why.
    pub skipped: Vec<Skipped>,
}

/// What adding [`Incoming`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Added {
    /// Notes added.
    pub notes: usize,
    /// Replies added.
    pub replies: usize,
    /// Notes and replies already in the session, not added again.
    pub duplicates: usize,
    /// Replies to notes the session does not have.
    pub orphans: usize,
}

/// Why notes could not be read.
#[derive(Debug, Error)]
pub enum ReviewError {
    /// The file could not be read.
    #[error("cannot read the notes file {path}: {source}. Check the path.", path = .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not notes.
    #[error("{path} is not a notes file: {why}. Give the .notes.json file the share page saved, or plain text with one \"1:23 words\" line per note.", path = .path.display())]
    NotNotes {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
}

/// Reads notes from `path`: the share page's JSON file when it starts with
/// `{`, plain text with times otherwise. `author` is used for plain text
/// (which has none) and for file notes without one.
pub fn read(path: &Path, session: &Session, author: &str) -> Result<Incoming, ReviewError> {
    let read_err = |source| ReviewError::Read { path: path.to_owned(), source };
    let file =
        crate::files::open_regular(path).map_err(|e| read_err(std::io::Error::other(e.to_string())))?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(file, MAX_FILE_BYTES + 1), &mut bytes)
        .map_err(read_err)?;
    let not_notes = |why: String| ReviewError::NotNotes { path: path.to_owned(), why };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(not_notes(format!("it is larger than {} MiB", MAX_FILE_BYTES >> 20)));
    }
    let text = String::from_utf8(bytes).map_err(|_| not_notes("it is not UTF-8 text".into()))?;
    if text.trim_start().starts_with('{') {
        let file: NotesFile = serde_json::from_str(&text).map_err(|e| not_notes(e.to_string()))?;
        if file.format != FORMAT {
            return Err(not_notes(format!("its format is \"{}\", not \"{FORMAT}\"", file.format)));
        }
        if file.version > FILE_VERSION {
            return Err(not_notes(format!(
                "it is version {} of the notes file; this Mixdesk reads version {FILE_VERSION}, update Mixdesk",
                file.version
            )));
        }
        Ok(from_file(&file, session, author))
    } else {
        Ok(from_text(&text, session, author))
    }
}

/// Notes from plain text lines "TIME[-TIME] words" (times on the timeline).
pub fn from_text(text: &str, session: &Session, author: &str) -> Incoming {
    let (timed, mut skipped) = parse_lines(text, session.tempo);
    let mut notes = Vec::new();
    for t in timed {
        match note_at(session, t.at, t.end, author, &t.text) {
            Ok(n) => notes.push(n),
            Err(why) => skipped.push(Skipped { line: t.line, text: t.text, why }),
        }
    }
    Incoming { notes, replies: Vec::new(), skipped }
}

/// Notes and replies from the share page's file.
pub fn from_file(file: &NotesFile, session: &Session, author: &str) -> Incoming {
    let mut out = Incoming::default();
    let start = if file.start.is_finite() { file.start.max(0.0) } else { 0.0 };
    for (i, n) in file.notes.iter().enumerate() {
        let who = if n.author.trim().is_empty() { author } else { n.author.trim() };
        let end = n.end.map(|e| e + start);
        match note_at(session, n.at + start, end, who, n.text.trim()) {
            Ok(note) => out.notes.push(note),
            Err(why) => out.skipped.push(Skipped { line: i + 1, text: n.text.clone(), why }),
        }
    }
    for r in &file.replies {
        let who = if r.author.trim().is_empty() { author } else { r.author.trim() };
        out.replies.push((NoteId(r.note), Reply { author: who.to_owned(), text: r.text.trim().to_owned() }));
    }
    out
}

fn note_at(s: &Session, at: f64, end: Option<f64>, author: &str, text: &str) -> Result<Note, String> {
    let max = max_timeline(s.sample_rate) as f64 / f64::from(s.sample_rate);
    let ok = |t: f64| t.is_finite() && (0.0..=max).contains(&t);
    if !ok(at) || !end.is_none_or(ok) {
        return Err(format!("its time is not on the timeline (0 to {max:.0} s)"));
    }
    if text.is_empty() {
        return Err("it has no text".into());
    }
    let at_s = SampleTime::from_seconds(at, s.sample_rate);
    let end_s = end.map(|e| SampleTime::from_seconds(e, s.sample_rate)).filter(|e| *e > at_s);
    let mut n = Note::new(NoteId(0), at_s, author, text);
    n.end = end_s;
    n.track = match_track(s, text);
    Ok(n)
}

/// The one track whose name the text mentions as a whole word (any case),
/// if exactly one does: "vocal too quiet" pins to the track "Vocal".
pub fn match_track(s: &Session, text: &str) -> Option<TrackId> {
    let words: Vec<String> =
        text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    let mentioned = |name: &str| {
        let name: Vec<String> = name
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        !name.is_empty() && words.windows(name.len()).any(|w| w == name.as_slice())
    };
    let mut found = s.tracks.iter().filter(|t| mentioned(&t.name));
    match (found.next(), found.next()) {
        (Some(t), None) => Some(t.id),
        _ => None,
    }
}

/// Adds `incoming` to `session` (ids from [`Session::next_id`]); a note equal
/// in time, range, author and text to one the session has, or a reply the
/// note already has, is not added twice, so importing a file again changes nothing.
pub fn add(session: &mut Session, incoming: &Incoming) -> Added {
    let mut added = Added::default();
    for n in &incoming.notes {
        let same = |x: &Note| x.at == n.at && x.end == n.end && x.author == n.author && x.text == n.text;
        if session.notes.iter().any(same) {
            added.duplicates += 1;
            continue;
        }
        let mut note = n.clone();
        note.id = NoteId(session.next_id());
        session.add_note(note);
        added.notes += 1;
    }
    for (id, r) in &incoming.replies {
        match session.note_mut(*id) {
            Some(note) if note.replies.contains(r) => added.duplicates += 1,
            Some(note) if !r.text.is_empty() => {
                note.replies.push(r.clone());
                added.replies += 1;
            }
            Some(_) => {}
            None => added.orphans += 1,
        }
    }
    added
}

/// [`add`] as one undo step named `label` ("Import notes from mix.notes.json").
pub fn add_undoably(session: &mut Session, history: &mut History, label: &str, incoming: &Incoming) -> Added {
    history.edit(session, label, |s| add(s, incoming))
}
