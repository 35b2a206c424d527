//! Autosave and crash recovery.
//!
//! Rule: while a session has unsaved changes, it is written every
//! [`DEFAULT_INTERVAL`] (30 s, configurable) to a hidden sidecar beside it,
//! `.NAME.autosave` (`song.mixdesk` -> `.song.mixdesk.autosave`), atomically
//! (temporary, fsync, rename), so a crash or a kill at any moment leaves the
//! previous autosave or the new one, never half of one. A normal save, and a
//! close that discards the changes, remove the sidecar.
//!
//! On the next open, [`find_recovery`] offers the sidecar when it is newer
//! than the session file and holds something different, with the difference
//! in words. No thread is needed: the app calls [`Autosaver::tick`] from its
//! timer (or [`Autosaver::is_due`] and [`write_autosave`] on a worker with a
//! copy of the session).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use crate::atomic::{remove_stale_temporaries, write_replacing_links};
use crate::diff::{Change, diff};
use crate::session::{self, Session, SessionError};

/// How often unsaved changes are autosaved unless configured otherwise.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);

/// The sidecar of `session_path`: `.NAME.autosave` in the same folder.
pub fn sidecar_path(session_path: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(session_path.file_name().unwrap_or_default());
    name.push(".autosave");
    session_path.with_file_name(name)
}

/// Writes `session` to the sidecar of `session_path`, atomically.
pub fn write_autosave(session_path: &Path, session: &Session) -> Result<(), SessionError> {
    let sidecar = sidecar_path(session_path);
    let text = session::text_for(session, &sidecar)?;
    write_replacing_links(&sidecar, |w| w.write_all(text.as_bytes())).map_err(|source| SessionError::Io {
        path: sidecar,
        action: "cannot write the autosave",
        source,
    })
}

/// Removes the sidecar of `session_path`, if there is one.
pub fn remove_autosave(session_path: &Path) -> Result<(), SessionError> {
    let sidecar = sidecar_path(session_path);
    match std::fs::remove_file(&sidecar) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(SessionError::Io { path: sidecar, action: "cannot remove the autosave", source: e })
        }
        _ => Ok(()),
    }
}

/// Decides when to autosave one session. The app marks it dirty on every
/// change and ticks it from a timer.
#[derive(Debug)]
pub struct Autosaver {
    session_path: PathBuf,
    interval: Duration,
    dirty: bool,
    last: Instant,
}

impl Autosaver {
    /// An autosaver for the session at `session_path`, clean, with its clock
    /// starting at `now`.
    pub fn new(session_path: &Path, interval: Duration, now: Instant) -> Autosaver {
        Autosaver { session_path: session_path.to_owned(), interval, dirty: false, last: now }
    }

    /// The session file this autosaves.
    pub fn session_path(&self) -> &Path {
        &self.session_path
    }

    /// The sidecar it writes.
    pub fn sidecar(&self) -> PathBuf {
        sidecar_path(&self.session_path)
    }

    /// How often it writes.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Changes how often it writes.
    pub fn set_interval(&mut self, interval: Duration) {
        self.interval = interval;
    }

    /// Notes an unsaved change.
    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// Whether there are changes not yet autosaved or saved.
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// Whether an autosave should be written now: there are unsaved changes
    /// and the interval has passed since the last write (or save).
    pub fn is_due(&self, now: Instant) -> bool {
        self.dirty && now.saturating_duration_since(self.last) >= self.interval
    }

    /// Writes the autosave if it is due; true if it wrote. On an error the
    /// changes stay dirty and the next attempt waits another interval.
    pub fn tick(&mut self, session: &Session, now: Instant) -> Result<bool, SessionError> {
        if !self.is_due(now) {
            return Ok(false);
        }
        self.write(session, now).map(|()| true)
    }

    /// Writes the autosave now.
    pub fn write(&mut self, session: &Session, now: Instant) -> Result<(), SessionError> {
        self.last = now;
        write_autosave(&self.session_path, session)?;
        self.dirty = false;
        Ok(())
    }

    /// Notes a normal save of the session: the sidecar is removed and the
    /// clock restarts.
    pub fn saved(&mut self, now: Instant) -> Result<(), SessionError> {
        self.dirty = false;
        self.last = now;
        remove_autosave(&self.session_path)
    }

    /// Notes a "save as": the old sidecar goes, the new path is autosaved from now on.
    pub fn moved_to(&mut self, session_path: &Path, now: Instant) -> Result<(), SessionError> {
        let old = std::mem::replace(&mut self.session_path, session_path.to_owned());
        remove_autosave(&old)?;
        self.saved(now)
    }

    /// Closes without keeping the changes: the sidecar is removed.
    pub fn discard(self) -> Result<(), SessionError> {
        remove_autosave(&self.session_path)
    }
}

/// An autosave worth offering after a crash.
#[derive(Debug, Clone)]
pub struct Recovery {
    /// The sidecar file.
    pub autosave: PathBuf,
    /// What it holds.
    pub session: Session,
    /// The session file as saved, when it could be read.
    pub saved: Option<Session>,
    /// What the autosave changes relative to the saved session (empty when
    /// the saved session could not be read).
    pub changes: Vec<Change>,
    /// When the autosave was written.
    pub autosaved_at: Option<SystemTime>,
}

impl Recovery {
    /// Throws the autosave away (the user chose the saved session).
    pub fn discard(self) -> Result<(), SessionError> {
        match std::fs::remove_file(&self.autosave) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(SessionError::Io { path: self.autosave, action: "cannot remove the autosave", source: e })
            }
            _ => Ok(()),
        }
    }
}

/// The autosave of `session_path` if it should be offered: it exists, it is
/// newer than the session file (or there is none), and it differs from it.
/// Leftover temporaries of interrupted saves beside the session are removed.
/// An autosave that cannot be read is an error naming it.
pub fn find_recovery(session_path: &Path) -> Result<Option<Recovery>, SessionError> {
    let sidecar = sidecar_path(session_path);
    let saved = crate::atomic::target_of(session_path);
    for p in [session_path, &sidecar, &saved, &crate::atomic::backup_path(&saved)] {
        remove_stale_temporaries(p);
    }
    let autosaved_at = match std::fs::metadata(&sidecar) {
        Ok(m) => m.modified().ok(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(SessionError::Io { path: sidecar, action: "cannot read", source }),
    };
    let saved_at = std::fs::metadata(session_path).and_then(|m| m.modified()).ok();
    if let (Some(a), Some(s)) = (autosaved_at, saved_at)
        && a < s
    {
        return Ok(None);
    }
    let recovered = session::load(&sidecar)?;
    let saved = session::load(session_path).ok();
    let changes = match &saved {
        Some(s) if *s == recovered => return Ok(None),
        Some(s) => diff(s, &recovered),
        None => Vec::new(),
    };
    Ok(Some(Recovery { autosave: sidecar, session: recovered, saved, changes, autosaved_at }))
}
