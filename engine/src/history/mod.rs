//! Undo and redo for every edit of the session, with bounded memory, and each
//! step named in words from what it changed (for the history panel).
//!
//! The app owns the one editable `Session`; `History` keeps snapshots of it
//! (sharing unchanged tracks, buses and automation lanes between neighbouring
//! snapshots, see `snapshot`). Every edit is bracketed:
//!
//! - a one-shot edit: [`History::edit`] (`begin` + change + `commit`);
//! - a continuous gesture (a fader drag, a freehand automation stroke):
//!   [`History::begin`] when it starts, any number of changes while it moves,
//!   [`History::commit`] when it ends: one step. [`History::cancel`] restores
//!   the state at `begin` (Escape during a drag). Nested `begin`s join the
//!   outer gesture.
//!
//! Each step's wording is [`diff`](crate::diff::diff) of its before and after:
//! one change reads as the change itself (`Bass fader -3.0 dB -> -4.5 dB`),
//! several read as the gesture's label and their count.
//!
//! Memory bound ([`HistoryLimits`]): at most 500 steps and about 128 MiB of
//! snapshots (sizes estimated per track, bus, lane and head); the oldest steps
//! are dropped first, and the most recent step is always kept.
//!
//! A change made to the session without going through `History` is not lost:
//! the next `begin`, `undo` or `redo` records it first as a step labelled
//! "Edit". Steps whose label matches the step before and which end within the
//! merge window of it (off by default) join it: for mouse-wheel or
//! arrow-key nudges of one control.

mod snapshot;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use snapshot::Snapshot;

use crate::diff::{Change, diff};
use crate::edit::StepEdits;
use crate::session::Session;

/// How much history is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryLimits {
    /// Most undo steps kept.
    pub max_steps: usize,
    /// Most bytes of snapshots kept (estimated).
    pub max_bytes: usize,
}

impl Default for HistoryLimits {
    fn default() -> HistoryLimits {
        HistoryLimits { max_steps: 500, max_bytes: 128 << 20 }
    }
}

/// One undoable step.
#[derive(Debug, Clone)]
pub struct Step {
    label: String,
    /// Steps merge only with a step of the same key (see [`History::begin_keyed`]).
    key: String,
    /// The typed edits the step is made of, for the engine.
    edits: StepEdits,
    changes: Vec<Change>,
    before: Snapshot,
    after: Snapshot,
    /// Bytes of `after` not shared with `before`.
    bytes: usize,
    ended: Instant,
}

impl Step {
    /// The label the edit was made under (e.g. "Move fader").
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The typed edits of the step (replayed to the engine on undo and redo).
    pub fn edits(&self) -> &StepEdits {
        &self.edits
    }

    /// What the step changed.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// The step in words for the history panel: the change itself when there
    /// is one, otherwise the label and how many changes it made.
    pub fn description(&self) -> String {
        match self.changes.as_slice() {
            [one] => one.text.clone(),
            [] => self.label.clone(),
            many => format!("{} ({} changes)", self.label, many.len()),
        }
    }
}

#[derive(Debug)]
struct Gesture {
    label: String,
    key: String,
    /// Whether the step may merge with the one before (same key, within the window).
    merge: bool,
    /// The typed edits made so far; `None`: untyped (the graph is rebuilt).
    edits: Option<StepEdits>,
    depth: usize,
}

/// The undo history of one session. See the module documentation.
#[derive(Debug)]
pub struct History {
    limits: HistoryLimits,
    merge_window: Duration,
    /// Undoable steps, oldest first.
    done: VecDeque<Step>,
    /// Redoable steps, the next to redo last.
    undone: Vec<Step>,
    /// The session as of the last recorded change, undo or redo.
    current: Snapshot,
    /// Size of the oldest snapshot kept (the first step's before, or `current`).
    base_bytes: usize,
    gesture: Option<Gesture>,
    saved: Option<Snapshot>,
    revision: u64,
    dropped: usize,
    /// See [`History::set_trusted`].
    trusted: bool,
}

/// The label of a step recording changes made without `History`.
pub const UNTRACKED_LABEL: &str = "Edit";

impl History {
    /// An empty history for `session` with the default limits; `session` counts
    /// as saved.
    pub fn new(session: &Session) -> History {
        History::with_limits(session, HistoryLimits::default())
    }

    /// An empty history for `session` with `limits`.
    pub fn with_limits(session: &Session, limits: HistoryLimits) -> History {
        let current = Snapshot::take(session, None);
        History {
            limits,
            merge_window: Duration::ZERO,
            done: VecDeque::new(),
            undone: Vec::new(),
            base_bytes: current.bytes(),
            saved: Some(current.clone()),
            current,
            gesture: None,
            revision: 0,
            dropped: 0,
            trusted: false,
        }
    }

    /// Steps with the same label ending within `window` of the step before
    /// join it (zero, the default, never joins).
    pub fn set_merge_window(&mut self, window: Duration) {
        self.merge_window = window;
    }

    /// Starts a gesture named `label`; changes until the matching [`commit`]
    /// become one step. Inside a gesture, only counts the nesting.
    ///
    /// [`commit`]: History::commit
    pub fn begin(&mut self, session: &Session, label: &str) {
        self.begin_keyed(session, label, label, true);
    }

    /// Like [`History::begin`], with a key other than the label: the step
    /// merges with the step before only if `merge`, that step has the same
    /// key and it ended within the merge window (typing a name, wheel
    /// notches on one control).
    pub fn begin_keyed(&mut self, session: &Session, key: &str, label: &str, merge: bool) {
        if let Some(g) = &mut self.gesture {
            g.depth += 1;
            return;
        }
        self.sync(session);
        self.gesture =
            Some(Gesture { label: label.to_owned(), key: key.to_owned(), merge, edits: None, depth: 1 });
    }

    /// Renames the gesture in progress (a drag's label follows the value).
    pub fn relabel(&mut self, label: &str) {
        if let Some(g) = &mut self.gesture {
            label.clone_into(&mut g.label);
        }
    }

    /// Adds typed edits to the gesture in progress (see [`StepEdits`]).
    pub fn add_edits(&mut self, edits: StepEdits) {
        if let Some(g) = &mut self.gesture {
            g.edits = Some(match g.edits.take() {
                Some(e) => e.then(edits),
                None => edits,
            });
        }
    }

    /// Ends the gesture begun by [`begin`](History::begin) and records it as a
    /// step, unless it changed nothing. Returns the new (or extended) step.
    pub fn commit(&mut self, session: &Session) -> Option<&Step> {
        let g = self.gesture.as_mut()?;
        g.depth -= 1;
        if g.depth > 0 {
            return None;
        }
        let g = self.gesture.take()?;
        if self.record(g, session) { self.done.back() } else { None }
    }

    /// Abandons the gesture in progress: `session` goes back to how it was at
    /// its `begin`.
    pub fn cancel(&mut self, session: &mut Session) {
        if self.gesture.take().is_some() {
            *session = self.current.restore();
        }
    }

    /// Whether a gesture is in progress.
    pub fn in_gesture(&self) -> bool {
        self.gesture.is_some()
    }

    /// Makes one edit as one step: `begin`, `change`, `commit`.
    pub fn edit<R>(
        &mut self,
        session: &mut Session,
        label: &str,
        change: impl FnOnce(&mut Session) -> R,
    ) -> R {
        self.begin(session, label);
        let r = change(session);
        self.commit(session);
        r
    }

    /// Undoes the newest step (ending any gesture in progress first); returns
    /// it, or `None` when there is nothing to undo.
    pub fn undo(&mut self, session: &mut Session) -> Option<&Step> {
        self.settle(session);
        let step = self.done.pop_back()?;
        step.before.restore_into(&self.current, session);
        self.current = step.before.clone();
        if self.done.is_empty() {
            self.base_bytes = self.current.bytes();
        }
        self.undone.push(step);
        self.revision += 1;
        self.undone.last()
    }

    /// Redoes the step undone last; returns it, or `None` when there is none.
    pub fn redo(&mut self, session: &mut Session) -> Option<&Step> {
        self.settle(session);
        let step = self.undone.pop()?;
        step.after.restore_into(&self.current, session);
        self.current = step.after.clone();
        if self.done.is_empty() {
            self.base_bytes = step.before.bytes();
        }
        self.done.push_back(step);
        self.revision += 1;
        self.done.back()
    }

    /// Undoes or redoes until `position` steps are done (see [`History::position`]).
    pub fn go_to(&mut self, session: &mut Session, position: usize) {
        self.settle(session);
        while self.done.len() > position && self.undo(session).is_some() {}
        while self.done.len() < position && self.redo(session).is_some() {}
    }

    /// Every step, oldest first: the first [`position`](History::position) are
    /// done (undoable), the rest undone (redoable).
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.done.iter().chain(self.undone.iter().rev())
    }

    /// How many steps are done.
    pub fn position(&self) -> usize {
        self.done.len()
    }

    /// What undo would undo, in words.
    pub fn undo_description(&self) -> Option<String> {
        self.done.back().map(Step::description)
    }

    /// What redo would redo, in words.
    pub fn redo_description(&self) -> Option<String> {
        self.undone.last().map(Step::description)
    }

    /// Estimated bytes held by the snapshots.
    pub fn memory_bytes(&self) -> usize {
        self.base_bytes + self.steps().map(|s| s.bytes).sum::<usize>()
    }

    /// How many old steps were dropped to stay within the limits.
    pub fn dropped_steps(&self) -> usize {
        self.dropped
    }

    /// A number that changes whenever the session changes through the history
    /// (a step, an undo, a redo): compare it to see whether to autosave.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Notes that `session` was just saved.
    pub fn mark_saved(&mut self, session: &Session) {
        self.sync(session);
        self.saved = Some(self.current.clone());
    }

    /// Whether `session` differs from what was last saved (undoing back to the
    /// saved state makes it unmodified again).
    pub fn is_modified(&self, session: &Session) -> bool {
        match &self.saved {
            Some(saved) => !(saved.same_as(&self.current) && (self.trusted || self.current.holds(session))),
            None => true,
        }
    }

    /// Forgets every step: for a session just opened or recovered.
    /// `saved` says whether `session` is what is on disk.
    pub fn reset(&mut self, session: &Session, saved: bool) {
        *self = History {
            merge_window: self.merge_window,
            trusted: self.trusted,
            ..History::with_limits(session, self.limits)
        };
        if !saved {
            self.saved = None;
        }
    }

    /// Promises (or takes back) that every change to the session goes
    /// through this history (a typed-edit document does): then `begin`,
    /// `undo`, `redo` and `mark_saved` no longer compare the whole session
    /// to find changes made around it, and `is_modified` compares snapshots
    /// (shared parts by address) instead of the session.
    pub fn set_trusted(&mut self, trusted: bool) {
        self.trusted = trusted;
    }

    /// Ends a gesture left open and records changes made outside the history.
    fn settle(&mut self, session: &Session) {
        if let Some(g) = self.gesture.take() {
            self.record(g, session);
        }
        self.sync(session);
    }

    /// Records changes made without `History` as a step of their own.
    fn sync(&mut self, session: &Session) {
        if !self.trusted && !self.current.holds(session) {
            let g = Gesture {
                label: UNTRACKED_LABEL.to_owned(),
                key: UNTRACKED_LABEL.to_owned(),
                merge: false,
                edits: None,
                depth: 0,
            };
            self.record(g, session);
        }
    }

    /// Records the change from `current` to `session` as the gesture `g`
    /// made it; false if there was none.
    fn record(&mut self, g: Gesture, session: &Session) -> bool {
        let Gesture { label, key, merge: may_merge, edits, .. } = g;
        let edits = edits.unwrap_or_else(|| StepEdits::untyped(true));
        let after = Snapshot::take(session, Some(&self.current));
        let changes = {
            let (before, now) = Snapshot::pair_for_diff(&self.current, &after);
            diff(&before, &now)
        };
        if changes.is_empty() {
            return false;
        }
        let now = Instant::now();
        let merge = may_merge
            && self.undone.is_empty()
            && self
                .done
                .back()
                .is_some_and(|last| last.key == key && now.duration_since(last.ended) <= self.merge_window);
        self.undone.clear();
        if merge && let Some(last) = self.done.back_mut() {
            last.changes = {
                let (before, now) = Snapshot::pair_for_diff(&last.before, &after);
                diff(&before, &now)
            };
            last.edits = std::mem::take(&mut last.edits).then(edits);
            last.label = label;
            last.bytes = after.bytes_not_in(&last.before);
            last.after = after.clone();
            last.ended = now;
            if last.changes.is_empty() {
                self.done.pop_back();
                if self.done.is_empty() {
                    self.base_bytes = after.bytes();
                }
            }
            self.current = after;
        } else {
            let bytes = after.bytes_not_in(&self.current);
            let before = std::mem::replace(&mut self.current, after.clone());
            if self.done.is_empty() {
                self.base_bytes = before.bytes();
            }
            self.done.push_back(Step { label, key, edits, changes, before, after, bytes, ended: now });
        }
        self.revision += 1;
        self.enforce_limits();
        true
    }

    /// Drops the oldest steps beyond the step count or the byte budget,
    /// always keeping the newest.
    fn enforce_limits(&mut self) {
        while self.done.len() > self.limits.max_steps.max(1) {
            self.drop_oldest();
        }
        while self.memory_bytes() > self.limits.max_bytes && self.done.len() > 1 {
            self.drop_oldest();
        }
    }

    fn drop_oldest(&mut self) {
        if let Some(old) = self.done.pop_front() {
            self.dropped += 1;
            self.base_bytes = old.after.bytes();
        }
    }
}
