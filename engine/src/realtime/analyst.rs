//! The analysis thread: takes in the audio the audio thread tapped (the
//! master and up to four strips) and runs the live loudness meter and the
//! 8192-point spectra on it, every 20 ms, so neither the audio thread nor
//! the app's (GUI) thread does that work. The app reads the results through
//! [`super::EngineHandle::analysis`], a lock held only while it copies them
//! out; the audio thread never touches the lock (it writes lock-free rings).
//! An engine driven by hand ([`super::Engine::manual`]) has no such thread:
//! its [`super::EngineHandle::poll`] drains the rings, so tests stay
//! deterministic.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::analysis::tap::LiveAnalysis;

/// How often the thread takes in what was tapped (the rings hold 2 s).
const EVERY: Duration = Duration::from_millis(20);

/// The live analysis, shared by the analysis thread and the app.
pub(crate) type Shared = Arc<Mutex<LiveAnalysis>>;

/// Locks the analysis, carrying on past a poisoned lock (a panic while
/// measuring leaves readings, not broken invariants).
pub(crate) fn lock(shared: &Shared) -> MutexGuard<'_, LiveAnalysis> {
    shared.lock().unwrap_or_else(|p| p.into_inner())
}

/// The running analysis thread; stopped and joined when dropped.
#[derive(Debug)]
pub(crate) struct Analyst {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Analyst {
    /// Starts the thread on `shared`; `None` if the system refuses a thread
    /// (then the handle's poll drains the rings itself).
    pub fn start(shared: &Shared) -> Option<Analyst> {
        let stop = Arc::new(AtomicBool::new(false));
        let (s, a) = (Arc::clone(&stop), Arc::clone(shared));
        let thread = std::thread::Builder::new()
            .name("mixdesk-analysis".into())
            .spawn(move || {
                while !s.load(Ordering::Acquire) {
                    lock(&a).drain();
                    std::thread::sleep(EVERY);
                }
            })
            .ok()?;
        Some(Analyst { stop, thread: Some(thread) })
    }
}

impl Drop for Analyst {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
