//! Review notes: what an artist, producer or mastering engineer said about
//! the mix, pinned to a time or a range on the timeline and optionally to a
//! track, with who said it, whether it was dealt with, and the replies.
//!
//! Notes are part of the session (field `notes`, format version 3), so they
//! are saved, undone, compared by `mixdesk diff` and kept in mix versions like
//! every other edit. A note pinned to a track that was later removed keeps the
//! track's id and is shown as pinned to a removed track: nothing said is lost.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::validate::{ValidationError, max_timeline};
use super::{NoteId, SampleTime, Session, TrackId};

/// Most notes one session may hold.
pub const MAX_NOTES: usize = 100_000;
/// Most replies under one note.
pub const MAX_REPLIES: usize = 10_000;

/// One review note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// Stable id (in the session's one id space).
    pub id: NoteId,
    /// Where on the timeline it is pinned.
    pub at: SampleTime,
    /// The end of the range it is about, if it is about a range (after `at`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<SampleTime>,
    /// The track it is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<TrackId>,
    /// Who wrote it ("" when unknown).
    #[serde(default)]
    pub author: String,
    /// What it says.
    pub text: String,
    /// Whether it was dealt with.
    #[serde(default)]
    pub status: NoteStatus,
    /// The conversation under it, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replies: Vec<Reply>,
}

/// Whether a note still asks for something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum NoteStatus {
    /// Not dealt with yet.
    #[default]
    Open,
    /// Done.
    Done,
    /// Considered and declined.
    WontDo,
}

impl NoteStatus {
    /// Every status, in the order filters list them.
    pub const ALL: [NoteStatus; 3] = [NoteStatus::Open, NoteStatus::Done, NoteStatus::WontDo];

    /// The status in words: "open", "done", "won't do".
    pub fn label(self) -> &'static str {
        match self {
            NoteStatus::Open => "open",
            NoteStatus::Done => "done",
            NoteStatus::WontDo => "won't do",
        }
    }

    /// Parses a status as the CLI takes it: `open`, `done`, `wont-do` (also
    /// `won't do`, `wontdo`), any case.
    pub fn parse(s: &str) -> Option<NoteStatus> {
        let key: String = s.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase();
        match key.as_str() {
            "open" => Some(NoteStatus::Open),
            "done" => Some(NoteStatus::Done),
            "wontdo" => Some(NoteStatus::WontDo),
            _ => None,
        }
    }
}

/// One reply under a note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    /// Who wrote it ("" when unknown).
    #[serde(default)]
    pub author: String,
    /// What it says.
    pub text: String,
}

impl Note {
    /// An open note at `at` with no range, track or replies.
    pub fn new(id: NoteId, at: SampleTime, author: impl Into<String>, text: impl Into<String>) -> Note {
        Note {
            id,
            at,
            end: None,
            track: None,
            author: author.into(),
            text: text.into(),
            status: NoteStatus::Open,
            replies: Vec::new(),
        }
    }

    /// The first sample after what the note is about: `end`, or `at` for a point.
    pub fn last(&self) -> SampleTime {
        self.end.unwrap_or(self.at)
    }
}

impl Session {
    /// The note with this id.
    pub fn note(&self, id: NoteId) -> Option<&Note> {
        self.notes.iter().find(|n| n.id == id)
    }

    /// The note with this id, to change it.
    pub fn note_mut(&mut self, id: NoteId) -> Option<&mut Note> {
        self.notes.iter_mut().find(|n| n.id == id)
    }

    /// Adds `note` in time order (after notes at the same time) and returns its id.
    pub fn add_note(&mut self, note: Note) -> NoteId {
        let id = note.id;
        let at = self.notes.partition_point(|n| n.at <= note.at);
        self.notes.insert(at, note);
        id
    }

    /// Notes in the list's order (by time) whose status is in `filter`.
    pub fn notes_with<'a>(&'a self, filter: &'a [NoteStatus]) -> impl Iterator<Item = &'a Note> + 'a {
        self.notes.iter().filter(move |n| filter.contains(&n.status))
    }
}

/// The checks [`super::validate`] runs on notes: count, unique ids, times
/// inside the timeline, ranges that end after they start.
pub(super) fn check(s: &Session) -> Result<(), ValidationError> {
    let too_many = |holder: String, count, things, per, max| ValidationError::TooMany {
        holder,
        count,
        things,
        per,
        max,
    };
    if s.notes.len() > MAX_NOTES {
        return Err(too_many("the session".into(), s.notes.len(), "notes", "a session", MAX_NOTES));
    }
    let max = max_timeline(s.sample_rate);
    let mut seen = HashSet::new();
    for n in &s.notes {
        let who = || format!("note {} (\"{}\")", n.id, short(&n.text));
        if !seen.insert(n.id) {
            return Err(ValidationError::DuplicateId { kind: "note", id: n.id.0 });
        }
        if n.replies.len() > MAX_REPLIES {
            return Err(too_many(who(), n.replies.len(), "replies", "a note", MAX_REPLIES));
        }
        if n.at.0 > max || n.end.is_some_and(|e| e.0 > max) {
            return Err(ValidationError::Impossible {
                what: format!("{} is pinned past the end of the longest possible session", who()),
            });
        }
        if n.end.is_some_and(|e| e <= n.at) {
            return Err(ValidationError::Impossible {
                what: format!("{}'s range ends before it starts; the end must come after `at`", who()),
            });
        }
    }
    Ok(())
}

/// The first 40 characters of `text`, with "..." when cut.
pub fn short(text: &str) -> String {
    let first_line = text.lines().next().unwrap_or_default();
    let mut out: String = first_line.chars().take(40).collect();
    if out.len() < text.len() {
        out.push_str("...");
    }
    out
}
