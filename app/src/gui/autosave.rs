//! Autosave of the open session: the app's side of the engine's
//! [`Autosaver`]. While the document has unsaved changes it is written every
//! interval (30 s by default, set in Preferences, or off) to the sidecar
//! `.NAME.mixdesk.autosave` beside the session, atomically by the engine.
//!
//! - [`Autosave::follow`] runs after every message that changed the document:
//!   unsaved changes mark it dirty; a document back at its saved state (a save,
//!   or undo to it) removes the sidecar; a Save As moves it to the new name.
//! - [`Autosave::tick`] runs on the app's timer tick (at least once a second).
//! - "Don't save" when closing or replacing the session calls
//!   [`Autosave::discard`]; a crash or a kill leaves the sidecar for the next
//!   open to offer (see `recovery.rs`).
//!
//! An untitled session is autosaved too, as `untitled.mixdesk` in the data
//! folder (`$XDG_DATA_HOME/mixdesk/`, else `~/.local/share/mixdesk/`), and
//! offered when Mixdesk next starts without a session.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use mixdesk_engine::autosave::Autosaver;

use super::document::Document;

/// Where an untitled session is autosaved (its sidecar sits beside this name).
pub fn untitled_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(base.join("mixdesk").join("untitled.mixdesk"))
}

/// The autosave state of the open document.
#[derive(Debug)]
pub struct Autosave {
    saver: Option<Autosaver>,
    /// `None`: off.
    interval: Option<Duration>,
    /// The document revision last looked at.
    revision: u64,
    /// Added to the clock: tests move time forward instead of sleeping.
    pub skew: Duration,
    /// The last error, so a failing disk is reported once, not every interval.
    last_error: Option<String>,
}

impl Autosave {
    /// Autosave for `doc`, every `interval` (`None`: off).
    pub fn new(doc: &Document, interval: Option<Duration>) -> Autosave {
        let path = doc.path.clone().or_else(untitled_path);
        if doc.path.is_none()
            && let Some(dir) = path.as_deref().and_then(std::path::Path::parent)
        {
            let _ = std::fs::create_dir_all(dir);
        }
        let now = Instant::now();
        let mut saver = path.map(|p| Autosaver::new(&p, interval.unwrap_or(Duration::MAX), now));
        if doc.is_dirty()
            && let Some(s) = saver.as_mut()
        {
            s.mark_dirty();
        }
        Autosave { saver, interval, revision: doc.revision(), skew: Duration::ZERO, last_error: None }
    }

    /// The clock autosave runs on.
    pub fn now(&self) -> Instant {
        Instant::now() + self.skew
    }

    /// The sidecar written for the open document, if any.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn sidecar(&self) -> Option<PathBuf> {
        self.saver.as_ref().map(Autosaver::sidecar)
    }

    /// Changes the interval (`None`: off).
    pub fn set_interval(&mut self, interval: Option<Duration>) {
        self.interval = interval;
        if let Some(s) = self.saver.as_mut() {
            s.set_interval(interval.unwrap_or(Duration::MAX));
        }
    }

    /// Notes what the last message did to `doc`; returns an error to show.
    pub fn follow(&mut self, doc: &Document) -> Option<String> {
        if doc.revision() == self.revision {
            return None;
        }
        self.revision = doc.revision();
        let now = self.now();
        let saver = self.saver.as_mut()?;
        let result = match &doc.path {
            // Save As: the old sidecar goes, the new name is autosaved from now on.
            Some(p) if p != saver.session_path() => saver.moved_to(p, now),
            _ if doc.is_dirty() => {
                saver.mark_dirty();
                Ok(())
            }
            // Saved, or undone back to the saved state: nothing to recover.
            _ => saver.saved(now),
        };
        self.report(result.map(|_| ()))
    }

    /// Writes the autosave if it is due; returns an error to show.
    pub fn tick(&mut self, doc: &Document) -> Option<String> {
        let now = self.now();
        self.interval?;
        let saver = self.saver.as_mut()?;
        let result = saver.tick(&doc.session, now);
        self.report(result.map(|_| ()))
    }

    /// The user chose not to keep the changes: the sidecar is removed.
    pub fn discard(&mut self) -> Option<String> {
        let saver = self.saver.take()?;
        let path = saver.session_path().to_owned();
        let result = saver.discard();
        let interval = self.interval.unwrap_or(Duration::MAX);
        self.saver = Some(Autosaver::new(&path, interval, self.now()));
        self.report(result)
    }

    fn report(&mut self, result: Result<(), mixdesk_engine::session::SessionError>) -> Option<String> {
        match result {
            Ok(()) => {
                self.last_error = None;
                None
            }
            Err(e) => {
                let text = format!("Autosave failed: {e}");
                if self.last_error.as_ref() == Some(&text) {
                    return None;
                }
                self.last_error = Some(text.clone());
                Some(text)
            }
        }
    }
}
