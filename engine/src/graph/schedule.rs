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
//! the master output's own latency, which the bounce trims off.
//!
//! Sidechain keys are compensated too: every keyed insert hears its key at
//! the timeline time of its own input. A track's key is made as early as the
//! tracks it keys need (it reads further ahead and delays the rest of the
//! strip after its key tap), an early key is delayed on its way into the
//! insert, and a strip whose key comes from a late bus delays its audio
//! before the keyed insert and plays late itself (see [`compensate`]).

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
        .chain(session.buses.iter().filter(|b| !b.is_vca()).map(|b| StripRef::Bus(b.id)))
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
            .find(|(_, b)| {
                !b.is_vca() && !placed[&StripRef::Bus(b.id)] && indegree[&StripRef::Bus(b.id)] == 0
            })
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

/// One insert as delay compensation sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Timed {
    /// The processor's own latency.
    pub latency: usize,
    /// The source (an index into the sources) whose signal keys it.
    pub key: Option<usize>,
}

/// A strip that sums into slots, for delay compensation.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    /// The slot it reads (a bus's input), or None (a track, which reads clips).
    pub input: Option<usize>,
    /// Its inserts in order.
    pub inserts: Vec<Timed>,
    /// The slots it sums into.
    pub targets: Vec<usize>,
}

/// How one insert chain meets its keys.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ChainTiming {
    /// Per insert: a pure delay before it, because its key arrives late.
    pub pre: Vec<usize>,
    /// Per insert: the delay on its key, because the key arrives early.
    pub key: Vec<usize>,
}

/// When one source plays, and the delays that line it up.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StripTiming {
    /// How many samples early a track reads its clips (0 for buses).
    pub read_ahead: usize,
    /// How many samples early a track's key is: the delay between its key
    /// tap and the rest of the strip (fader, sends, output).
    pub early: usize,
    /// When its output arrives, in samples after the timeline.
    pub arrival: usize,
    /// Its inserts' delays.
    pub chain: ChainTiming,
    /// Per target: the delay that lines it up with the slot's latest input.
    pub delays: Vec<usize>,
}

/// The result of [`compensate`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Timing {
    /// Per slot: when its aligned input arrives, in samples after the timeline.
    pub slot: Vec<usize>,
    /// Per source, in processing order.
    pub strips: Vec<StripTiming>,
    /// The master's inserts.
    pub master: ChainTiming,
    /// When the master output arrives: the graph's latency.
    pub latency: usize,
}

/// Walks a chain whose input carries timeline sample `pos + input` at block
/// position `pos`, each keyed insert meeting its key, which carries `pos +
/// key_time(source)`: a key later than the insert's input delays that input
/// (a pure delay before the insert), an earlier one is delayed itself.
/// Returns the delays and the time the chain's output carries.
fn walk(input: i64, inserts: &[Timed], key_time: impl Fn(usize) -> i64) -> (ChainTiming, i64) {
    let mut t = input;
    let mut timing = ChainTiming { pre: vec![0; inserts.len()], key: vec![0; inserts.len()] };
    for (i, ins) in inserts.iter().enumerate() {
        if let Some(q) = ins.key {
            let k = key_time(q);
            if k < t {
                timing.pre[i] = (t - k) as usize;
                t = k;
            } else {
                timing.key[i] = (k - t) as usize;
            }
        }
        t -= ins.latency as i64;
    }
    (timing, t)
}

/// Per insert, the latency of it and every insert after it.
fn latency_from(inserts: &[Timed]) -> Vec<i64> {
    let mut v: Vec<i64> = inserts
        .iter()
        .rev()
        .scan(0, |acc, i| {
            *acc += i.latency as i64;
            Some(*acc)
        })
        .collect();
    v.reverse();
    v
}

/// Delay compensation for `sources` in processing order (every key's source
/// before the strips it keys) and the master's inserts.
///
/// Times are in samples relative to the block position: a signal "at `t`"
/// carries timeline sample `pos + t` while the graph renders block `pos`.
/// Every keyed insert hears its key at the time of its own input:
/// - A track's key is as early as the tracks it keys need it (the key of
///   insert `i` of a track whose key is at `e` must be at `e + A`, `A` the
///   latency of insert `i` and those after it): the track reads its clips
///   that much earlier and delays everything after its key tap by as much,
///   so its output stays at 0. Reading ahead costs nothing, so this adds no
///   latency to the graph.
/// - A bus's key is at minus its lateness. A track keyed (directly, or
///   through other tracks) by a late bus cannot hear its audio earlier than
///   that key, so it plays late itself: it reads its clips as early as it can
///   (not before the timeline position) and delays its input before the
///   keyed insert by what is left; its output arrives late and the
///   destinations delay their other inputs to match, as for a bus.
/// - A bus (or the master) whose key arrives later than its audio delays its
///   audio before that insert (it becomes later by as much); an early key is
///   delayed instead.
///
/// Then every destination slot's inputs are lined up on the latest one.
pub(crate) fn compensate(slots: usize, sources: &[Source], master: &[Timed]) -> Timing {
    let n = sources.len();
    let is_track = |k: usize| sources[k].input.is_none();
    // A track's latest possible key time, set by late buses keying it
    // directly or through other tracks (None: it may be as early as needed).
    let mut bound: Vec<Option<i64>> = vec![None; n];
    // Every source's output time (tracks: their bound, never after 0).
    let mut out = vec![0i64; n];
    let mut slot = vec![0usize; slots];
    for (k, s) in sources.iter().enumerate() {
        out[k] = match s.input {
            None => {
                let after = latency_from(&s.inserts);
                bound[k] = s
                    .inserts
                    .iter()
                    .zip(&after)
                    .filter_map(|(ins, a)| {
                        let q = ins.key?;
                        let key = if is_track(q) { bound[q]? } else { out[q] };
                        Some(key - a)
                    })
                    .min();
                bound[k].map_or(0, |b| b.min(0))
            }
            // A track whose key time is not bound is at 0 or later: no bus
            // input (at 0 or earlier) waits for it.
            Some(input) => walk(-(slot[input] as i64), &s.inserts, |q| out[q]).1,
        };
        let arrival = (-out[k]) as usize;
        for &t in &s.targets {
            slot[t] = slot[t].max(arrival);
        }
    }
    // The time each key carries: a bus's output, a bound track's bound, and
    // for the other tracks the latest time the tracks they key need.
    let mut key = out.clone();
    for k in (0..n).rev().filter(|&k| is_track(k)) {
        let needed = || {
            let mut e = 0;
            for c in (k + 1..n).filter(|&c| is_track(c)) {
                let after = latency_from(&sources[c].inserts);
                for (ins, a) in sources[c].inserts.iter().zip(after) {
                    if ins.key == Some(k) {
                        e = e.max(key[c] + a);
                    }
                }
            }
            e
        };
        let e = bound[k].unwrap_or_else(needed);
        key[k] = e;
    }
    let strips = sources
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let arrival = (-out[k]) as usize;
            let delays = s.targets.iter().map(|&t| slot[t] - arrival).collect();
            let (read_ahead, early) = match s.input {
                None => {
                    let latency: i64 = s.inserts.iter().map(|i| i.latency as i64).sum();
                    ((key[k] + latency).max(0), key[k].max(0))
                }
                Some(_) => (0, 0),
            };
            let input = s.input.map_or(read_ahead, |i| -(slot[i] as i64));
            let (chain, end) = walk(input, &s.inserts, |q| key[q]);
            debug_assert_eq!(end, key[k], "source {k} ends where its key is");
            StripTiming { read_ahead: read_ahead as usize, early: early as usize, arrival, chain, delays }
        })
        .collect();
    let (master, end) = walk(-(slot[0] as i64), master, |q| key[q]);
    Timing { slot, strips, master, latency: (-end) as usize }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ins(latency: usize, key: Option<usize>) -> Timed {
        Timed { latency, key }
    }

    fn track(inserts: Vec<Timed>, targets: Vec<usize>) -> Source {
        Source { input: None, inserts, targets }
    }

    fn bus(input: usize, inserts: Vec<Timed>, targets: Vec<usize>) -> Source {
        Source { input: Some(input), inserts, targets }
    }

    fn chain(pre: &[usize], key: &[usize]) -> ChainTiming {
        ChainTiming { pre: pre.to_vec(), key: key.to_vec() }
    }

    #[test]
    fn a_key_for_a_track_with_latency_after_the_keyed_insert_is_read_early() {
        // 0: the key track; 1: [compressor keyed by 0, limiter 240].
        let t = compensate(
            1,
            &[track(vec![], vec![0]), track(vec![ins(0, Some(0)), ins(240, None)], vec![0])],
            &[],
        );
        let key = &t.strips[0];
        assert_eq!((key.read_ahead, key.early, key.arrival, &key.delays[..]), (240, 240, 0, &[0][..]));
        let keyed = &t.strips[1];
        assert_eq!((keyed.read_ahead, keyed.early, keyed.arrival), (240, 0, 0));
        assert_eq!(keyed.chain, chain(&[0, 0], &[0, 0]));
        assert_eq!(t.latency, 0, "reading ahead costs no latency");
    }

    #[test]
    fn keys_read_early_through_a_chain_of_tracks() {
        // 0 keys 1 keys 2; each keyed insert is followed by a limiter.
        let t = compensate(
            1,
            &[
                track(vec![], vec![0]),
                track(vec![ins(0, Some(0)), ins(50, None)], vec![0]),
                track(vec![ins(0, Some(1)), ins(100, None)], vec![0]),
            ],
            &[],
        );
        let got: Vec<_> = t.strips.iter().map(|s| (s.read_ahead, s.early, s.arrival)).collect();
        assert_eq!(got, [(150, 150, 0), (150, 100, 0), (100, 0, 0)]);
        assert!(t.strips.iter().all(|s| s.chain.pre.iter().chain(&s.chain.key).all(|&d| d == 0)));
    }

    #[test]
    fn a_track_keyed_by_a_late_bus_delays_its_audio_and_plays_late() {
        // 0 -> bus (slot 1) [limiter 240] -> master; track 2 [eq, compressor keyed by the bus].
        let t = compensate(
            2,
            &[
                track(vec![], vec![1]),
                bus(1, vec![ins(240, None)], vec![0]),
                track(vec![ins(0, None), ins(0, Some(1))], vec![0]),
            ],
            &[],
        );
        let keyed = &t.strips[2];
        assert_eq!((keyed.read_ahead, keyed.early, keyed.arrival), (0, 0, 240));
        assert_eq!(keyed.chain, chain(&[0, 240], &[0, 0]));
        assert_eq!((t.strips[1].arrival, &t.strips[1].delays[..], t.latency), (240, &[0][..], 240));
        // With latency of its own before the keyed insert, it reads ahead by that.
        let t = compensate(
            2,
            &[
                track(vec![], vec![1]),
                bus(1, vec![ins(240, None)], vec![0]),
                track(vec![ins(100, None), ins(0, Some(1)), ins(30, None)], vec![0]),
            ],
            &[],
        );
        let keyed = &t.strips[2];
        assert_eq!((keyed.read_ahead, keyed.arrival, t.latency), (0, 270, 270));
        assert_eq!(keyed.chain, chain(&[0, 140, 0], &[0, 0, 0]));
        assert_eq!(t.strips[1].delays, [30], "the bus waits for the late track");
    }

    #[test]
    fn a_late_bus_delays_an_early_key_and_waits_for_a_late_one() {
        // 0 -> bus A (slot 1) [limiter 240] -> bus B (slot 2) [compressor keyed by track 1] -> master;
        // bus C (slot 3, fed by track 1) [compressor keyed by bus A] -> master.
        let t = compensate(
            4,
            &[
                track(vec![], vec![1]),
                track(vec![], vec![3]),
                bus(1, vec![ins(240, None)], vec![2]),
                bus(2, vec![ins(0, Some(1))], vec![0]),
                bus(3, vec![ins(0, Some(2))], vec![0]),
            ],
            &[ins(0, Some(0))],
        );
        assert_eq!(t.strips[3].chain, chain(&[0], &[240]), "the track's key waits for the late bus");
        assert_eq!((t.strips[3].arrival, t.strips[4].arrival), (240, 240));
        assert_eq!(t.strips[4].chain, chain(&[240], &[0]), "the bus waits for its late key");
        assert_eq!(t.master, chain(&[0], &[240]), "the master's key from a track is delayed");
        assert_eq!(t.latency, 240);
    }
}
