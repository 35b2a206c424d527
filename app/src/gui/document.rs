//! The open session as an editable document: the session itself, where it is
//! saved, whether it has unsaved changes, and its undo history.
//!
//! Every change is a typed [`Edit`] ([`Document::apply`]: one step;
//! [`Document::gesture_edits`] while a control, a clip or a lane point is
//! dragged, [`Document::end_gesture`] on release: one step for the whole
//! drag). What the engine must
//! hear collects in the [`Outbox`]: the edits themselves (values go out on
//! the control plane), or a rebuild; the session is never compared or copied
//! to find out what changed. Undo and redo replay a step's inverse or forward
//! edits the same way. The steps live in the engine's
//! [`History`], which bounds memory (at most [`MAX_STEPS`] steps and about
//! 128 MiB of snapshots sharing unchanged tracks) and names each step in words
//! from what it changed ("Bass fader -3.0 dB -> -4.5 dB"); the label given
//! here names steps that change several things ("Add track (4 changes)").

use std::path::{Path, PathBuf};
use std::time::Duration;

use mixdesk_engine::edit::{Edit, Effect, StepEdits};
use mixdesk_engine::history::{History, HistoryLimits, Step};
use mixdesk_engine::session::{self, Session, SessionError};

/// Steps kept for undo; older ones are dropped (the engine history's limit).
pub const MAX_STEPS: usize = 500;

/// Discrete edits to the same control within this time merge into one step
/// (scroll-wheel notches, arrow keys, typing a name).
const MERGE_WINDOW: Duration = Duration::from_millis(800);

/// What changed since the app last asked: the typed edits applied, in
/// order (the engine hears those it can live), whether anything changed
/// without a typed edit, and whether the graph must be rebuilt.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Outbox {
    /// Typed edits applied (or replayed by undo and redo), oldest first.
    pub edits: Vec<Edit>,
    /// Something changed that no typed edit names: an undo of a step the
    /// history recorded without edits, or Save As rewriting media paths.
    pub untyped: bool,
    /// The graph's shape changed: compile a new one (it carries every value).
    pub rebuild: bool,
}

/// A gesture in progress: its key and its typed edits so far.
#[derive(Debug)]
struct Gesture {
    key: String,
    edits: StepEdits,
}

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
    gesture: Option<Gesture>,
    /// Counts changes to `session`, so the app can tell cheaply whether a
    /// message changed anything (no session copy per meter tick).
    revision: u64,
    outbox: Outbox,
}

impl Document {
    /// A document for `session`, saved at `path` (or untitled).
    pub fn new(session: Session, path: Option<PathBuf>) -> Document {
        let limits = HistoryLimits { max_steps: MAX_STEPS, ..HistoryLimits::default() };
        let mut history = History::with_limits(&session, limits);
        history.set_merge_window(MERGE_WINDOW);
        // Every change goes through `apply`/`gesture_edits`: the history need
        // not compare the whole session to find changes made around it.
        history.set_trusted(true);
        Document {
            history,
            session,
            path,
            steps: Vec::new(),
            gesture: None,
            revision: 0,
            outbox: Outbox::default(),
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

    /// What the engine must hear since the last call (see [`Outbox`]).
    pub fn take_outbox(&mut self) -> Outbox {
        std::mem::take(&mut self.outbox)
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

    /// Applies one typed edit as one undo step; nothing is recorded if it
    /// changed nothing.
    pub fn apply(&mut self, key: &str, label: impl Into<String>, edit: Edit) {
        self.step(key, &label.into(), false, vec![edit]);
    }

    /// Like [`Document::apply`] for several edits made as one step.
    pub fn apply_all(&mut self, key: &str, label: impl Into<String>, edits: Vec<Edit>) {
        self.step(key, &label.into(), false, edits);
    }

    /// Like [`Document::apply`], but an edit with the same `key` within a
    /// moment of the last one extends its step (typing a name, wheel notches).
    pub fn apply_merging(&mut self, key: &str, label: impl Into<String>, edit: Edit) {
        self.step(key, &label.into(), true, vec![edit]);
    }

    fn step(&mut self, key: &str, label: &str, merge: bool, edits: Vec<Edit>) {
        self.end_gesture();
        self.history.begin_keyed(&self.session, key, label, merge);
        let mut step = StepEdits::default();
        for e in edits {
            self.applied(&e, &mut step);
        }
        self.history.add_edits(step);
        self.commit();
    }

    /// Applies `e` to the session, notes it for the engine and in `step`.
    fn applied(&mut self, e: &Edit, step: &mut StepEdits) {
        if let Some(inverse) = e.apply(&mut self.session) {
            self.send(e);
            step.push(e.clone(), inverse);
            self.revision += 1;
        }
    }

    /// Tells the engine about an edit applied to the session.
    fn send(&mut self, e: &Edit) {
        if e.effect(&self.session) == Effect::Rebuild {
            self.outbox.rebuild = true;
        }
        self.outbox.edits.push(e.clone());
    }

    /// Ends the history's gesture; true if it recorded a step.
    fn commit(&mut self) -> bool {
        let recorded = self.history.commit(&self.session).is_some();
        if recorded {
            self.revision += 1;
            self.refresh_steps();
        }
        recorded
    }

    /// Starts (or continues) the gesture `key`, ending another one first.
    fn gesture_for(&mut self, key: &str, label: &str) -> &mut Gesture {
        if self.gesture.as_ref().is_some_and(|g| g.key != key) {
            self.end_gesture();
        }
        if self.gesture.is_none() {
            self.history.begin_keyed(&self.session, key, label, false);
            self.gesture = Some(Gesture { key: key.to_owned(), edits: StepEdits::default() });
        }
        self.history.relabel(label);
        self.gesture.as_mut().expect("just started")
    }

    /// One move of a continuous gesture (a fader drag) setting typed values;
    /// the whole gesture becomes one step when it ends. The session is never
    /// copied: each move is the edit itself.
    pub fn gesture_edits(&mut self, key: &str, label: impl Into<String>, edits: Vec<Edit>) {
        self.gesture_for(key, &label.into());
        let mut step = std::mem::take(&mut self.gesture.as_mut().expect("in a gesture").edits);
        for e in &edits {
            self.applied(e, &mut step);
        }
        if let Some(g) = self.gesture.as_mut() {
            g.edits = step;
        }
    }

    /// The value `param` had when the gesture `key` began, if that gesture
    /// is in progress and has moved it.
    pub fn gesture_from(&self, key: &str, param: mixdesk_engine::session::ParamId) -> Option<f64> {
        let g = self.gesture.as_ref().filter(|g| g.key == key)?;
        g.edits.inverse.iter().find_map(|e| match e {
            Edit::Param(p, v) if *p == param => Some(*v),
            _ => None,
        })
    }

    /// Ends the gesture in progress, recording it as one step if it changed anything.
    pub fn end_gesture(&mut self) {
        if let Some(g) = self.gesture.take() {
            self.history.add_edits(g.edits);
            self.commit();
        }
    }

    fn refresh_steps(&mut self) {
        self.steps = self.history.steps().map(Step::description).collect();
    }

    /// Undoes the last step; returns it in words.
    pub fn undo(&mut self) -> Option<String> {
        self.end_gesture();
        let step = self.history.undo(&mut self.session)?;
        let (done, edits) = (step.description(), step.edits().clone());
        self.replay(edits.inverse, edits.rebuild);
        Some(done)
    }

    /// Redoes the last undone step; returns it in words.
    pub fn redo(&mut self) -> Option<String> {
        self.end_gesture();
        let step = self.history.redo(&mut self.session)?;
        let (done, edits) = (step.description(), step.edits().clone());
        self.replay(edits.forward, edits.rebuild);
        Some(done)
    }

    /// Tells the engine what an undo or redo changed.
    fn replay(&mut self, edits: Vec<Edit>, rebuild: bool) {
        for e in &edits {
            self.send(e);
        }
        self.outbox.rebuild |= rebuild;
        // An untyped step: only the whole session says what it was.
        self.outbox.untyped |= edits.is_empty();
        self.revision += 1;
        self.refresh_steps();
    }

    /// Undoes or redoes until `position` steps are done (the history panel).
    pub fn go_to(&mut self, position: usize) {
        self.end_gesture();
        while self.history.position() > position && self.undo().is_some() {}
        while self.history.position() < position && self.redo().is_some() {}
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

    /// Saves to `path` and makes it the document's file. Media, reference
    /// and impulse-response paths are rewritten so that they stay valid from
    /// the new folder; when that changes
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
            for p in copy.paths_mut() {
                *p = mixdesk_engine::stems::relative_to(&old_dir.join(&*p), &new_dir);
            }
            moved = (copy != self.session).then_some(copy);
        }
        session::save(moved.as_ref().unwrap_or(&self.session), path)?;
        self.revision += 1;
        self.path = Some(path.to_owned());
        if let Some(copy) = moved {
            self.session = copy;
            self.history.reset(&self.session, true);
            // The media paths changed: the engine opens them anew.
            self.outbox.rebuild = true;
            self.outbox.untyped = true;
        } else {
            self.history.mark_saved(&self.session);
        }
        self.refresh_steps();
        Ok(path.to_owned())
    }
}
