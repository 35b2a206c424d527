//! Solo-in-place: which strips stay audible while something is soloed.
//!
//! With anything soloed, a strip stays audible if it is soloed or solo-safe,
//! if it feeds a soloed bus (directly or through other buses), or, for buses,
//! if a soloed strip feeds it. Runs at compile time and on the audio thread
//! whenever a solo changes, on buffers allocated up front.

use super::Slot;

/// What the solo logic needs to know about one strip.
pub(crate) trait SoloNode {
    fn solo(&self) -> bool;
    fn solo_safe(&self) -> bool;
    /// Every slot this strip feeds: its output and its sends.
    fn targets(&self) -> &[Slot];
    fn set_audible(&mut self, on: bool);
}

/// Marks per summing slot, sized once per graph.
#[derive(Debug, Clone)]
pub(crate) struct SoloScratch {
    downstream: Vec<bool>,
    feeding: Vec<bool>,
}

impl SoloScratch {
    pub fn new(slots: usize) -> SoloScratch {
        SoloScratch { downstream: vec![false; slots], feeding: vec![false; slots] }
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
    s.feeding.fill(false);
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
    for (i, b) in buses.iter().enumerate().rev() {
        s.feeding[1 + i] = b.solo() || b.targets().iter().any(|&x| s.feeding[x]);
    }
    for (i, b) in buses.iter_mut().enumerate() {
        let on = b.solo() || b.solo_safe() || s.downstream[1 + i] || s.feeding[1 + i];
        b.set_audible(on);
    }
    for t in tracks.iter_mut() {
        let on = t.solo() || t.solo_safe() || t.targets().iter().any(|&x| s.feeding[x]);
        t.set_audible(on);
    }
}
