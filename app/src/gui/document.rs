//! The open session as an editable document: the session itself, where it is
//! saved, whether it has unsaved changes, and its undo history.
//!
//! Every edit goes through [`Document::edit`] (one step) or a gesture
//! ([`Document::gesture`] while a control is dragged, [`Document::end_gesture`]
//! on release: one step for the whole drag). Steps hold the session before and
//! after, so undo and redo are exact; the history keeps the newest
//! [`MAX_STEPS`] steps.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mixdesk_engine::session::{self, Session, SessionError};

/// Steps kept for undo; older ones are dropped.
pub const MAX_STEPS: usize = 500;

/// Discrete edits to the same control within this time merge into one step
/// (scroll-wheel notches, arrow keys).
const MERGE_WINDOW: Duration = Duration::from_millis(800);

/// One undoable step.
#[derive(Debug, Clone)]
pub struct Step {
    /// What the user did, in words ("Bass fader -3.0 dB -> -4.5 dB").
    pub label: String,
    /// The control or object it touched, for merging.
    key: String,
    /// When it was last extended.
    at: Instant,
    before: Session,
    after: Session,
}

/// A session being edited.
#[derive(Debug)]
pub struct Document {
    /// The session as it is now.
    pub session: Session,
    /// The file it was loaded from or last saved to; `None` for a new, untitled session.
    pub path: Option<PathBuf>,
    /// The session as last saved, to tell whether there are unsaved changes.
    saved: Session,
    undo: Vec<Step>,
    redo: Vec<Step>,
    /// A drag in progress: its key and label, and the session before it began.
    gesture: Option<(String, String, Session)>,
    /// Counts changes to `session`, so the app can tell cheaply whether a
    /// message changed anything (no session copy per meter tick).
    revision: u64,
}

impl Document {
    /// A document for `session`, saved at `path` (or untitled).
    pub fn new(session: Session, path: Option<PathBuf>) -> Document {
        Document {
            saved: session.clone(),
            session,
            path,
            undo: Vec::new(),
            redo: Vec::new(),
            gesture: None,
            revision: 0,
        }
    }

    /// Opens a session file.
    pub fn open(path: &Path) -> Result<Document, SessionError> {
        Ok(Document::new(session::load(path)?, Some(path.to_owned())))
    }

    /// The name shown in the title bar.
    pub fn name(&self) -> String {
        self.path
            .as_deref()
            .and_then(Path::file_stem)
            .map_or_else(|| "Untitled".to_owned(), |s| s.to_string_lossy().into_owned())
    }

    /// Changes so far; any edit, gesture move, undo or redo increases it.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Whether the session differs from the saved file.
    pub fn is_dirty(&self) -> bool {
        self.session != self.saved || self.gesture.is_some()
    }

    /// The folder media paths are relative to.
    pub fn dir(&self) -> PathBuf {
        match self.path.as_deref().and_then(Path::parent) {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        }
    }

    /// Applies one edit as one undo step; nothing is recorded if it changed nothing.
    pub fn edit(&mut self, key: &str, label: impl Into<String>, f: impl FnOnce(&mut Session)) {
        self.apply(key, label.into(), false, f);
    }

    /// Like [`Document::edit`], but an edit with the same `key` within a moment
    /// of the last one extends it (typing a name, scroll-wheel notches).
    pub fn edit_merging(&mut self, key: &str, label: impl Into<String>, f: impl FnOnce(&mut Session)) {
        self.apply(key, label.into(), true, f);
    }

    fn apply(&mut self, key: &str, label: String, merge: bool, f: impl FnOnce(&mut Session)) {
        self.end_gesture();
        let before = self.session.clone();
        f(&mut self.session);
        if self.session == before {
            return;
        }
        self.revision += 1;
        let recent = |s: &&mut Step| merge && s.key == key && s.at.elapsed() < MERGE_WINDOW;
        if let Some(top) = self.undo.last_mut().filter(recent) {
            top.after = self.session.clone();
            top.label = label;
            top.at = Instant::now();
        } else {
            self.push(Step {
                label,
                key: key.to_owned(),
                at: Instant::now(),
                before,
                after: self.session.clone(),
            });
        }
        self.redo.clear();
    }

    /// Applies one move of a continuous gesture (a fader drag); the whole
    /// gesture becomes one step when it ends. A gesture on another control
    /// ends the previous one first.
    pub fn gesture(&mut self, key: &str, label: impl Into<String>, f: impl FnOnce(&mut Session)) {
        if self.gesture.as_ref().is_some_and(|(k, _, _)| k != key) {
            self.end_gesture();
        }
        let label = label.into();
        match &mut self.gesture {
            Some((_, l, _)) => *l = label,
            None => self.gesture = Some((key.to_owned(), label, self.session.clone())),
        }
        f(&mut self.session);
        self.revision += 1;
    }

    /// The session as it was when the gesture `key` began, if that gesture is in progress.
    pub fn gesture_start(&self, key: &str) -> Option<&Session> {
        self.gesture.as_ref().filter(|(k, _, _)| k == key).map(|(_, _, s)| s)
    }

    /// Ends the gesture in progress, recording it as one step if it changed anything.
    pub fn end_gesture(&mut self) {
        if let Some((key, label, before)) = self.gesture.take()
            && before != self.session
        {
            self.push(Step { label, key, at: Instant::now(), before, after: self.session.clone() });
            self.redo.clear();
        }
    }

    fn push(&mut self, step: Step) {
        self.undo.push(step);
        if self.undo.len() > MAX_STEPS {
            self.undo.remove(0);
        }
    }

    /// Undoes the last step; returns its label.
    pub fn undo(&mut self) -> Option<String> {
        self.end_gesture();
        let step = self.undo.pop()?;
        self.session = step.before.clone();
        self.revision += 1;
        let label = step.label.clone();
        self.redo.push(step);
        Some(label)
    }

    /// Redoes the last undone step; returns its label.
    pub fn redo(&mut self) -> Option<String> {
        self.end_gesture();
        let step = self.redo.pop()?;
        self.session = step.after.clone();
        self.revision += 1;
        let label = step.label.clone();
        self.undo.push(step);
        Some(label)
    }

    /// The undo history, oldest first (for the history panel and tests).
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn history(&self) -> impl Iterator<Item = &str> {
        self.undo.iter().map(|s| s.label.as_str())
    }

    /// The step undo would revert.
    pub fn undo_label(&self) -> Option<&str> {
        self.undo.last().map(|s| s.label.as_str())
    }

    /// The step redo would apply.
    pub fn redo_label(&self) -> Option<&str> {
        self.redo.last().map(|s| s.label.as_str())
    }

    /// Saves to the document's file (atomically: the previous file stays intact on failure).
    pub fn save(&mut self) -> Result<PathBuf, SessionError> {
        let path = self.path.clone().unwrap_or_else(|| PathBuf::from("untitled.mixdesk"));
        self.save_as(&path)
    }

    /// Saves to `path` and makes it the document's file. Media paths are
    /// rewritten so that they stay valid from the new folder.
    pub fn save_as(&mut self, path: &Path) -> Result<PathBuf, SessionError> {
        self.end_gesture();
        let new_dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        let old_dir = self.dir();
        if self.path.is_some() && new_dir != old_dir {
            for clip in self.session.tracks.iter_mut().flat_map(|t| t.clips.iter_mut()) {
                let absolute = old_dir.join(&clip.media);
                clip.media = mixdesk_engine::stems::relative_to(&absolute, &new_dir);
            }
        }
        session::save(&self.session, path)?;
        self.revision += 1;
        self.path = Some(path.to_owned());
        self.saved = self.session.clone();
        Ok(path.to_owned())
    }
}
