//! VCAs in the graph (see `session::vca`): a VCA has no node of its own. Its
//! fader and mute are added to every member's gains (`StripGains::set_vca`),
//! its lanes are played by every member at that member's own chunk times
//! (mirrors of the VCA's controls, so a VCA lane moves the members exactly as
//! the same dB added to their own fader lanes would), and the VCA's own
//! controls take the gestures and record while a lane is being written.

use super::Graph;
use super::gains::CHUNK;
use super::record::{Control, Gesture};
use super::slots::Owner;
use crate::session::{BusId, Session, StripParam, StripRef};

/// The VCA controls that reach the members.
pub(crate) const VCA_PARAMS: [StripParam; 2] = [StripParam::Fader, StripParam::Mute];

/// Where a VCA control sits in `[fader, mute]`.
pub(crate) fn vca_index(p: StripParam) -> Option<usize> {
    VCA_PARAMS.iter().position(|q| *q == p)
}

/// One VCA: its members in the graph and its own lanes.
#[derive(Debug)]
pub(crate) struct VcaNode {
    pub id: BusId,
    pub members: Vec<Owner>,
    /// The fader and mute lanes (each member plays a mirror of these).
    pub auto: [Option<Control>; 2],
}

impl Graph {
    /// Finds every VCA's members among the compiled strips. Not realtime.
    pub(crate) fn attach_vcas(&mut self, session: &Session) {
        let owner = |r: StripRef| match r {
            StripRef::Track(id) => self.tracks.iter().position(|t| t.id == id).map(Owner::Track),
            StripRef::Bus(id) => self.buses.iter().position(|b| b.id == id).map(Owner::Bus),
            StripRef::Master => None,
        };
        self.vcas = session
            .buses
            .iter()
            .filter_map(|b| {
                let members = b.vca.as_ref()?.members.iter().filter_map(|m| owner(*m)).collect();
                Some(VcaNode { id: b.id, members, auto: [None, None] })
            })
            .collect();
    }

    /// The VCA with this id, by its index among the graph's VCAs.
    pub(crate) fn vca_position(&self, id: BusId) -> Option<usize> {
        self.vcas.iter().position(|v| v.id == id)
    }

    /// Moves VCA `k`'s control `p` to `value` on every member. Realtime-safe.
    pub(crate) fn set_vca_value(&mut self, k: usize, p: StripParam, value: f64) {
        for i in 0..self.vcas[k].members.len() {
            let m = self.vcas[k].members[i];
            self.parts(m).0.set_vca(p, value);
        }
    }

    /// The manual value of VCA `k`'s control `p` moved: its lane and every
    /// member's mirror stand for it where the lane is empty. Realtime-safe.
    pub(crate) fn set_vca_base(&mut self, k: usize, p: StripParam, value: f64) {
        let Some(j) = vca_index(p) else { return };
        if let Some(c) = &mut self.vcas[k].auto[j] {
            c.set_base(value);
        }
        for i in 0..self.vcas[k].members.len() {
            let m = self.vcas[k].members[i];
            if let Some(c) = &mut self.parts(m).0.auto.vca[j] {
                c.set_base(value);
            }
        }
    }

    /// Applies a gesture on VCA `k`'s control `p`: to its own control (which
    /// records) and to every member's mirror. Returns the value to set at
    /// once, as [`Control::gesture`] does, or `None` when no lane takes
    /// gestures. Realtime-safe.
    pub(crate) fn vca_gesture(
        &mut self,
        k: usize,
        p: StripParam,
        g: Gesture,
        pos: u64,
        rolling: bool,
    ) -> Option<Option<f64>> {
        let j = vca_index(p)?;
        let own = self.vcas[k].auto[j].as_mut().filter(|c| c.takes_gestures())?;
        let now = own.gesture(g, pos, rolling);
        for i in 0..self.vcas[k].members.len() {
            let m = self.vcas[k].members[i];
            if let Some(c) = &mut self.parts(m).0.auto.vca[j] {
                c.gesture(g, pos, rolling);
            }
        }
        Some(now)
    }

    /// Plays every VCA's own lanes over a block at timeline `pos` (the
    /// members play their mirrors; this only records what is being written,
    /// once per aligned chunk). Realtime-safe.
    pub(crate) fn play_vcas(&mut self, pos: Option<u64>, n: usize) {
        let Some(p) = pos else { return };
        for c in self.vcas.iter_mut().flat_map(|v| v.auto.iter_mut()).flatten() {
            if !c.takes_gestures() {
                continue;
            }
            let mut t = p;
            let end = p + n as u64;
            while t < end {
                let e = ((t / CHUNK as u64 + 1) * CHUNK as u64).min(end);
                c.play(e - 1, (e - t) as u32);
                t = e;
            }
        }
    }
}
