//! The order strips run in, and plugin delay compensation.
//!
//! Tracks and buses form a graph whose edges are outputs, sends and sidechain
//! routes. Strips run in topological order, grouped into stages: a stage of
//! tracks that depend on nothing not yet run (they render in parallel), or one
//! bus. Sidechains make a keyed strip run after its key's source.
//!
//! Latency: a track whose inserts add latency reads its clips that many
//! samples early, so every track's output is aligned with the timeline. A bus
//! with latency arrives late at whatever it feeds; every other input of that
//! destination is delayed to match (a delayed "virtual slot" per destination
//! and delay, flushed into the real slot before the destination runs), so all
//! inputs of every bus and of the master are sample-aligned. What remains is
//! the master output's own latency, which the bounce trims off. Sidechain
//! keys are not delay-compensated.

use std::collections::HashMap;
use std::ops::Range;

use crate::session::validate::feeds;
use crate::session::{Session, StripRef};

/// One step of a block.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Stage {
    /// Tracks (indices into the graph's track list) that may run in parallel.
    Tracks(Range<usize>),
    /// One bus (index into the graph's bus list).
    Bus(usize),
}

/// Processing order: session indices of tracks and buses in graph order, and stages.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub tracks: Vec<usize>,
    pub buses: Vec<usize>,
    pub stages: Vec<Stage>,
}

/// Orders a validated (loop-free) session's strips (Kahn's algorithm; ties keep
/// session order; all ready tracks go before the next ready bus).
pub(crate) fn plan(session: &Session) -> Plan {
    let nodes: Vec<StripRef> = session
        .tracks
        .iter()
        .map(|t| StripRef::Track(t.id))
        .chain(session.buses.iter().map(|b| StripRef::Bus(b.id)))
        .collect();
    let edges: HashMap<StripRef, Vec<StripRef>> = nodes.iter().map(|n| (*n, feeds(session, *n))).collect();
    let mut indegree: HashMap<StripRef, usize> = nodes.iter().map(|n| (*n, 0)).collect();
    for to in edges.values().flatten() {
        *indegree.entry(*to).or_default() += 1;
    }
    let mut placed: HashMap<StripRef, bool> = nodes.iter().map(|n| (*n, false)).collect();
    let mut plan = Plan { tracks: Vec::new(), buses: Vec::new(), stages: Vec::new() };
    let mut remaining = nodes.len();
    let release = |n: StripRef, indegree: &mut HashMap<StripRef, usize>| {
        for to in &edges[&n] {
            *indegree.get_mut(to).expect("validated routes name existing strips") -= 1;
        }
    };
    while remaining > 0 {
        let ready: Vec<usize> = session
            .tracks
            .iter()
            .enumerate()
            .filter(|(_, t)| !placed[&StripRef::Track(t.id)] && indegree[&StripRef::Track(t.id)] == 0)
            .map(|(i, _)| i)
            .collect();
        if !ready.is_empty() {
            let start = plan.tracks.len();
            for &i in &ready {
                let n = StripRef::Track(session.tracks[i].id);
                placed.insert(n, true);
                release(n, &mut indegree);
                plan.tracks.push(i);
            }
            plan.stages.push(Stage::Tracks(start..plan.tracks.len()));
            remaining -= ready.len();
            continue;
        }
        let (i, b) = session
            .buses
            .iter()
            .enumerate()
            .find(|(_, b)| !placed[&StripRef::Bus(b.id)] && indegree[&StripRef::Bus(b.id)] == 0)
            .expect("validated sessions have no routing loops");
        let n = StripRef::Bus(b.id);
        placed.insert(n, true);
        release(n, &mut indegree);
        plan.stages.push(Stage::Bus(plan.buses.len()));
        plan.buses.push(i);
        remaining -= 1;
    }
    plan
}

/// A strip that sums into slots, for delay compensation.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    /// The slot it reads (a bus's input), or None (a track: aligned by read-ahead).
    pub input: Option<usize>,
    /// The latency of its inserts (0 for tracks, which read ahead instead).
    pub latency: usize,
    /// The slots it sums into.
    pub targets: Vec<usize>,
}

/// Compensation for `sources` in processing order: when each slot's aligned
/// input arrives, when each source's output arrives, and for each source and
/// target the extra delay that lines it up with the slot's latest input.
pub(crate) fn compensate(slots: usize, sources: &[Source]) -> Compensation {
    let mut slot = vec![0usize; slots];
    let mut source = Vec::with_capacity(sources.len());
    for s in sources {
        let a = s.input.map_or(0, |i| slot[i]) + s.latency;
        for &t in &s.targets {
            slot[t] = slot[t].max(a);
        }
        source.push(a);
    }
    let delays =
        sources.iter().zip(&source).map(|(s, a)| s.targets.iter().map(|&t| slot[t] - a).collect()).collect();
    Compensation { slot, source, delays }
}

/// The result of [`compensate`].
#[derive(Debug, Clone)]
pub(crate) struct Compensation {
    /// Per slot: when its aligned input arrives, in samples after the timeline.
    pub slot: Vec<usize>,
    /// Per source: when its output arrives.
    pub source: Vec<usize>,
    /// Per source, per target: the delay to add.
    pub delays: Vec<Vec<usize>>,
}
