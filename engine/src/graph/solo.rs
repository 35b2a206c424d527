//! Solo-in-place: which strips stay audible while something is soloed.
//!
//! With anything soloed, a strip stays audible if it is soloed or solo-safe,
//! if it feeds a soloed bus (directly or through other buses), or, for buses,
//! if a soloed strip feeds it. A bus whose sidechain key an audible strip
//! hears keeps what feeds it playing into it, so a soloed strip still ducks
//! under a bus's key, but the bus's own output stays silent (its keys do not
//! follow solo; see `StripGains::keys`). Runs at compile time and on the audio
//! thread whenever a solo changes, on buffers allocated up front.

use super::Slot;

/// What the solo logic needs to know about one strip.
pub(crate) trait SoloNode {
    fn solo(&self) -> bool;
    fn solo_safe(&self) -> bool;
    /// Every slot this strip feeds: its output and its sends.
    fn targets(&self) -> &[Slot];
    /// The input slots of the buses whose sidechain keys its inserts hear.
    fn key_inputs(&self) -> &[Slot];
    fn set_audible(&mut self, on: bool);
}

/// Marks per summing slot, sized once per graph.
#[derive(Debug, Clone)]
pub(crate) struct SoloScratch {
    /// Slots downstream of a soloed strip.
    downstream: Vec<bool>,
    /// Slots whose input must play: they lead to a soloed strip, or key an audible one.
    needed: Vec<bool>,
    /// Bus input slots whose bus keys an audible strip.
    keying: Vec<bool>,
}

impl SoloScratch {
    pub fn new(slots: usize) -> SoloScratch {
        SoloScratch { downstream: vec![false; slots], needed: vec![false; slots], keying: vec![false; slots] }
    }
}

/// Sets every strip's audibility. `buses` must be in processing order (bus `i`
/// sums into slot `1 + i` and feeds only later buses). Realtime-safe.
pub(crate) fn update_audibility<T: SoloNode, B: SoloNode>(
    tracks: &mut [T],
    buses: &mut [B],
    s: &mut SoloScratch,
) {
    let any = tracks.iter().any(|t| t.solo()) || buses.iter().any(|b| b.solo());
    if !any {
        tracks.iter_mut().for_each(|t| t.set_audible(true));
        buses.iter_mut().for_each(|b| b.set_audible(true));
        return;
    }
    s.downstream.fill(false);
    s.keying.fill(false);
    for t in tracks.iter().filter(|t| t.solo()) {
        for &slot in t.targets() {
            s.downstream[slot] = true;
        }
    }
    for (i, b) in buses.iter().enumerate() {
        if b.solo() || s.downstream[1 + i] {
            for &slot in b.targets() {
                s.downstream[slot] = true;
            }
        }
    }
    let bus_on = |i: usize, b: &B, s: &SoloScratch| {
        b.solo() || b.solo_safe() || s.downstream[1 + i] || b.targets().iter().any(|&x| s.needed[x])
    };
    let track_on =
        |t: &T, s: &SoloScratch| t.solo() || t.solo_safe() || t.targets().iter().any(|&x| s.needed[x]);
    // Keys only add needed slots, so this settles within one pass per bus.
    loop {
        s.needed.fill(false);
        for (i, b) in buses.iter().enumerate().rev() {
            s.needed[1 + i] = b.solo() || s.keying[1 + i] || b.targets().iter().any(|&x| s.needed[x]);
        }
        let mut grew = false;
        let mut hear_keys = |keys: &[Slot], s: &mut SoloScratch| {
            for &k in keys {
                grew |= !s.keying[k];
                s.keying[k] = true;
            }
        };
        for (i, b) in buses.iter().enumerate() {
            if bus_on(i, b, s) {
                hear_keys(b.key_inputs(), s);
            }
        }
        for t in tracks.iter() {
            if track_on(t, s) {
                hear_keys(t.key_inputs(), s);
            }
        }
        if !grew {
            break;
        }
    }
    for (i, b) in buses.iter_mut().enumerate() {
        let on = bus_on(i, b, s);
        b.set_audible(on);
    }
    for t in tracks.iter_mut() {
        let on = track_on(t, s);
        t.set_audible(on);
    }
}
