//! Latency that changes while the graph plays: a hosted plugin whose
//! lookahead follows a parameter reports a new figure (an LV2 latency port
//! after `run`, a CLAP restart request) after its parameter moved through
//! the control plane. The graph was compensated for the latency each insert
//! had when it was compiled; this finds the first insert that no longer
//! matches, so the audio thread can tell the app (once per graph, see
//! `realtime::core`) and the bounce can refuse (see `bounce`). The app
//! answers by compiling a new graph, which measures the new latency and
//! compensates it (Ardour and REAPER do the same).

use super::Graph;
use super::chain::Chain;
use crate::session::ProcessorId;

/// An insert that now adds another delay than its graph compensates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatencyChange {
    /// The processor.
    pub processor: ProcessorId,
    /// The latency the graph compensates, in samples.
    pub compiled: usize,
}

impl Chain {
    fn stale_latency(&self) -> Option<LatencyChange> {
        self.inserts
            .iter()
            .find(|i| i.dsp.latency_changed(i.latency))
            .map(|i| LatencyChange { processor: i.id, compiled: i.latency })
    }
}

impl Graph {
    /// The first insert whose latency changed since this graph was compiled.
    /// Realtime-safe (a look at each insert; no allocation).
    pub fn stale_latency(&self) -> Option<LatencyChange> {
        self.tracks
            .iter()
            .map(|t| &t.chain)
            .chain(self.buses.iter().map(|b| &b.chain))
            .chain([&self.master_chain])
            .find_map(Chain::stale_latency)
    }
}
