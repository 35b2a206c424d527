//! The parameter control plane: how a continuous value (a fader, a pan, a
//! send level, any processor parameter) gets from the window to the audio
//! thread.
//!
//! When a graph is compiled, every parameter it can change live gets a fixed
//! **slot** (an index, see `graph::slots`); the graph owns a [`ParamPlane`] with
//! one value cell per slot and a dirty bit per slot. The app writes a value
//! into its slot ([`ParamMap::set`]) and the audio thread, at the start of
//! each callback, applies every slot whose bit is set
//! (`Graph::apply_params`): a direct index, no search. A later value for a
//! slot replaces an earlier one the audio thread has not read yet (latest
//! wins), so a fast drag never fills a queue and never lags behind the hand:
//! what plays is always the newest value. Ordered, discrete things (play,
//! gestures that write automation, a new graph) still travel through the
//! command queue.
//!
//! The plane is lock-free and allocation-free on both sides: a value is an
//! `AtomicU64` holding the `f64`'s bits, written before its dirty bit is set
//! (release) and read after the bit is taken (acquire), so the audio thread
//! never sees a dirty bit without the value that set it.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::session::ParamId;

/// One value cell and one dirty bit per slot. See the module documentation.
#[derive(Debug)]
pub struct ParamPlane {
    values: Box<[AtomicU64]>,
    dirty: Box<[AtomicU64]>,
}

impl ParamPlane {
    /// A plane of `slots` cells holding 0, none dirty.
    pub fn new(slots: usize) -> ParamPlane {
        ParamPlane::with_values(&vec![0.0; slots])
    }

    /// A plane with a cell per value, holding it, none dirty.
    pub fn with_values(values: &[f64]) -> ParamPlane {
        ParamPlane {
            values: values.iter().map(|v| AtomicU64::new(v.to_bits())).collect(),
            dirty: (0..values.len().div_ceil(64)).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// How many slots.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the plane has no slots.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Writes `value` into `slot` (replacing a value not yet read); false if
    /// there is no such slot. Lock-free; any thread.
    pub fn write(&self, slot: usize, value: f64) -> bool {
        let Some(cell) = self.values.get(slot) else { return false };
        cell.store(value.to_bits(), Ordering::Relaxed);
        self.dirty[slot / 64].fetch_or(1 << (slot % 64), Ordering::Release);
        true
    }

    /// The dirty bits of word `word` (slots `64 * word ..`), cleared. Realtime-safe.
    pub(crate) fn take_word(&self, word: usize) -> u64 {
        self.dirty[word].swap(0, Ordering::Acquire)
    }

    /// How many words of dirty bits.
    pub(crate) fn words(&self) -> usize {
        self.dirty.len()
    }

    /// The value last written into `slot` (at first, the value it was made
    /// with). Realtime-safe.
    pub fn value(&self, slot: usize) -> f64 {
        f64::from_bits(self.values[slot].load(Ordering::Relaxed))
    }

    /// Calls `f(slot, value)` for every slot written since the last call.
    /// Realtime-safe.
    pub fn drain(&self, mut f: impl FnMut(usize, f64)) {
        for w in 0..self.words() {
            let mut bits = self.take_word(w);
            while bits != 0 {
                let slot = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                f(slot, self.value(slot));
            }
        }
    }
}

/// The app's view of one compiled graph's parameters: which slot each
/// parameter has, the value it was compiled with, and the plane to write
/// into. Cheap to clone (shared); built off the audio thread with the graph.
#[derive(Debug, Clone)]
pub struct ParamMap {
    slots: Arc<HashMap<ParamId, u32>>,
    compiled: Arc<[f64]>,
    plane: Arc<ParamPlane>,
}

impl ParamMap {
    /// A map of `params` (in slot order) with the values they were compiled with.
    pub(crate) fn new(params: &[(ParamId, f64)]) -> ParamMap {
        let compiled: Arc<[f64]> = params.iter().map(|(_, v)| *v).collect();
        ParamMap {
            slots: Arc::new(params.iter().enumerate().map(|(i, (id, _))| (*id, i as u32)).collect()),
            plane: Arc::new(ParamPlane::with_values(&compiled)),
            compiled,
        }
    }

    /// The slot of `id` in this graph.
    pub fn slot(&self, id: ParamId) -> Option<usize> {
        self.slots.get(&id).map(|s| *s as usize)
    }

    /// Moves `id` to `value` (smoothed; latest wins); false if this graph has
    /// no such parameter.
    pub fn set(&self, id: ParamId, value: f64) -> bool {
        self.slot(id).is_some_and(|s| self.plane.write(s, value))
    }

    /// The value `id` was compiled with.
    pub fn compiled(&self, id: ParamId) -> Option<f64> {
        self.slot(id).map(|s| self.compiled[s])
    }

    /// The newest value of `id` the engine has been given (written, or compiled).
    pub fn latest(&self, id: ParamId) -> Option<f64> {
        self.slot(id).map(|s| self.plane.value(s))
    }

    /// Every parameter and its slot, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (ParamId, usize)> + '_ {
        self.slots.iter().map(|(id, s)| (*id, *s as usize))
    }

    /// How many parameters.
    pub fn len(&self) -> usize {
        self.compiled.len()
    }

    /// Whether the graph has no live parameters.
    pub fn is_empty(&self) -> bool {
        self.compiled.is_empty()
    }

    /// The plane the values travel on.
    pub fn plane(&self) -> &Arc<ParamPlane> {
        &self.plane
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_later_value_replaces_one_not_yet_read() {
        let plane = ParamPlane::new(130);
        for v in 0..10_000 {
            assert!(plane.write(129, f64::from(v)));
        }
        plane.write(3, -6.0);
        assert!(!plane.write(130, 1.0));
        let mut got = Vec::new();
        plane.drain(|s, v| got.push((s, v)));
        assert_eq!(got, vec![(3, -6.0), (129, 9999.0)]);
        plane.drain(|s, v| got.push((s, v)));
        assert_eq!(got.len(), 2, "a drained slot is clean until written again");
    }

    #[test]
    fn values_cross_threads_with_their_bits() {
        let plane = Arc::new(ParamPlane::new(64));
        let writer = {
            let p = Arc::clone(&plane);
            std::thread::spawn(move || {
                for i in 1..=100_000u32 {
                    p.write((i % 64) as usize, f64::from(i));
                }
            })
        };
        let mut last = [0.0f64; 64];
        while !writer.is_finished() {
            plane.drain(|s, v| {
                assert!(v >= last[s], "slot {s} went back from {} to {v}", last[s]);
                last[s] = v;
            });
        }
        writer.join().unwrap();
        plane.drain(|s, v| last[s] = v);
        assert_eq!(last[0], 99_968.0);
        assert_eq!(last[63], 99_967.0);
    }
}
