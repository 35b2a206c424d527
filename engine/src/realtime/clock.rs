//! The transport as other threads may read it: where the playhead is, whether
//! it rolls, and the loop, published by the audio thread after every callback
//! in atomics (the disk thread reads them to stream ahead of the playhead).

use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicU64};

/// The transport's published state.
#[derive(Debug, Default)]
pub struct TransportClock {
    position: AtomicU64,
    rolling: AtomicBool,
    loop_on: AtomicBool,
    loop_start: AtomicU64,
    loop_end: AtomicU64,
}

impl TransportClock {
    /// The playhead, in samples at the engine's rate.
    pub fn position(&self) -> u64 {
        self.position.load(Relaxed)
    }

    /// Whether the transport rolls (or is fading in or out).
    pub fn is_rolling(&self) -> bool {
        self.rolling.load(Relaxed)
    }

    /// The loop range while looping is on.
    pub fn loop_range(&self) -> Option<(u64, u64)> {
        self.loop_on.load(Relaxed).then(|| (self.loop_start.load(Relaxed), self.loop_end.load(Relaxed)))
    }

    /// Publishes the transport's state. Realtime-safe.
    pub(crate) fn publish(&self, position: u64, rolling: bool, loop_range: Option<(u64, u64)>) {
        self.position.store(position, Relaxed);
        self.rolling.store(rolling, Relaxed);
        if let Some((s, e)) = loop_range {
            self.loop_start.store(s, Relaxed);
            self.loop_end.store(e, Relaxed);
        }
        self.loop_on.store(loop_range.is_some(), Relaxed);
    }

    /// Sets the published position (tests and tools that drive no transport).
    pub fn set_position(&self, position: u64) {
        self.position.store(position, Relaxed);
    }
}
