//! The open session as an editable document: the session itself, where it is
//! saved, whether it has unsaved changes, and its undo history.
//!
//! Every edit goes through [`Document::edit`] (one step) or a gesture
//! ([`Document::gesture`] while a control is dragged, [`Document::end_gesture`]
//! on release: one step for the whole drag). The steps live in the engine's
//! [`History`], which bounds memory (at most [`MAX_STEPS`] steps and about
//! 128 MiB of snapshots sharing unchanged tracks) and names each step in words
//! from what it changed ("Bass fader -3.0 dB -> -4.5 dB"); the label given
//! here names steps that change several things ("Add track (4 changes)").

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mixdesk_engine::history::{History, HistoryLimits, Step};
use mixdesk_engine::session::{self, Session, SessionError};

/// Steps kept for undo; older ones are dropped (the engine history's limit).
pub const MAX_STEPS: usize = 500;

/// Discrete edits to the same control within this time merge into one step
/// (scroll-wheel notches, arrow keys).
const MERGE_WINDOW: Duration = Duration::from_millis(800);

/// A session being edited.
#[derive(Debug)]
pub struct Document {
    /// The session as it is now.
    pub session: Session,
    /// The file it was loaded from or last saved to; `None` for a new, untitled session.
    pub path: Option<PathBuf>,
    history: History,
    /// Every step in words, oldest first (the first `history.position()` are done).
    steps: Vec<String>,
    /// The key of the newest step and when it was made, for merging.
    last: Option<(String, Instant)>,
    /// A drag in progress: its key and label, and the session before it began.
    gesture: Option<(String, String, Session)>,
    /// Counts changes to `session`, so the app can tell cheaply whether a
    /// message changed anything (no session copy per meter tick).
    revision: u64,
}

impl Document {
    /// A document for `session`, saved at `path` (or untitled).
    pub fn new(session: Session, path: Option<PathBuf>) -> Document {
        let limits = HistoryLimits { max_steps: MAX_STEPS, ..HistoryLimits::default() };
        Document {
            history: History::with_limits(&session, limits),
            session,
            path,
            steps: Vec::new(),
            last: None,
            gesture: None,
            revision: 0,
        }
    }

    /// A document for `session` recovered from an autosave of `path`: it has
    /// unsaved changes until it is saved.
    pub fn recovered(session: Session, path: Option<PathBuf>) -> Document {
        let mut doc = Document::new(session, path);
        doc.history.reset(&doc.session, false);
        doc
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
        self.gesture.is_some() || self.history.is_modified(&self.session)
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
        let recent = merge
            && self.history.redo_description().is_none()
            && self.last.as_ref().is_some_and(|(k, at)| k == key && at.elapsed() < MERGE_WINDOW);
        if recent {
            let before = self.session.clone();
            f(&mut self.session);
            if self.session != before {
                let after = std::mem::replace(&mut self.session, before);
                self.merge(&label, after);
            }
        } else {
            let revision = self.history.revision();
            self.history.edit(&mut self.session, &label, f);
            if self.history.revision() == revision {
                return;
            }
        }
        self.last = Some((key.to_owned(), Instant::now()));
        self.changed();
    }

    /// Replaces the newest step by one from its start to `after`.
    fn merge(&mut self, label: &str, after: Session) {
        self.history.undo(&mut self.session);
        if self.session == after {
            // Back where the step began: keep both steps rather than leave a stray redo.
            self.history.redo(&mut self.session);
        }
        self.history.edit(&mut self.session, label, |s| *s = after);
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
            let after = std::mem::replace(&mut self.session, before);
            self.history.edit(&mut self.session, &label, |s| *s = after);
            self.last = Some((key, Instant::now()));
            self.refresh_steps();
        }
    }

    /// Notes a change made through the history.
    fn changed(&mut self) {
        self.revision += 1;
        self.refresh_steps();
    }

    fn refresh_steps(&mut self) {
        self.steps = self.history.steps().map(Step::description).collect();
    }

    /// Undoes the last step; returns it in words.
    pub fn undo(&mut self) -> Option<String> {
        self.end_gesture();
        let done = self.history.undo(&mut self.session).map(Step::description)?;
        self.last = None;
        self.changed();
        Some(done)
    }

    /// Redoes the last undone step; returns it in words.
    pub fn redo(&mut self) -> Option<String> {
        self.end_gesture();
        let done = self.history.redo(&mut self.session).map(Step::description)?;
        self.last = None;
        self.changed();
        Some(done)
    }

    /// Undoes or redoes until `position` steps are done (the history panel).
    pub fn go_to(&mut self, position: usize) {
        self.end_gesture();
        if position == self.history.position() {
            return;
        }
        self.history.go_to(&mut self.session, position);
        self.last = None;
        self.changed();
    }

    /// The done steps in words, oldest first (what undo would walk back).
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn history(&self) -> impl Iterator<Item = &str> {
        self.steps[..self.position()].iter().map(String::as_str)
    }

    /// Every step in words, oldest first, done and undone (the history panel).
    pub fn steps(&self) -> &[String] {
        &self.steps
    }

    /// How many of [`Document::steps`] are done.
    pub fn position(&self) -> usize {
        self.history.position()
    }

    /// The step undo would revert.
    pub fn undo_label(&self) -> Option<&str> {
        self.position().checked_sub(1).and_then(|i| self.steps.get(i)).map(String::as_str)
    }

    /// The step redo would apply.
    pub fn redo_label(&self) -> Option<&str> {
        self.steps.get(self.position()).map(String::as_str)
    }

    /// Saves to the document's file (atomically: the previous file stays intact on failure).
    pub fn save(&mut self) -> Result<PathBuf, SessionError> {
        let path = self.path.clone().unwrap_or_else(|| PathBuf::from("untitled.mixdesk"));
        self.save_as(&path)
    }

    /// Saves to `path` and makes it the document's file. Media paths are
    /// rewritten so that they stay valid from the new folder; when that changes
    /// any, the undo history starts afresh, because its steps hold paths
    /// relative to the old folder.
    pub fn save_as(&mut self, path: &Path) -> Result<PathBuf, SessionError> {
        self.end_gesture();
        let new_dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        let old_dir = self.dir();
        let mut moved = None;
        if self.path.is_some() && new_dir != old_dir {
            let mut copy = self.session.clone();
            for clip in copy.tracks.iter_mut().flat_map(|t| t.clips.iter_mut()) {
                let absolute = old_dir.join(&clip.media);
                clip.media = mixdesk_engine::stems::relative_to(&absolute, &new_dir);
            }
            moved = (copy != self.session).then_some(copy);
        }
        session::save(moved.as_ref().unwrap_or(&self.session), path)?;
        self.revision += 1;
        self.path = Some(path.to_owned());
        if let Some(copy) = moved {
            self.session = copy;
            self.history.reset(&self.session, true);
            self.last = None;
        } else {
            self.history.mark_saved(&self.session);
        }
        self.refresh_steps();
        Ok(path.to_owned())
    }
}
