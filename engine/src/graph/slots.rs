//! Fixed slot addresses for every live parameter of a compiled graph (see
//! [`crate::control`]): assigned once by `compile`, resolved on the audio
//! thread by indexing, never by searching the graph.

use super::Graph;
use super::record::{Control, Gesture};
use crate::control::ParamMap;
use crate::session::{ParamId, SendParam, Session, StripParam, StripRef};

/// Whose parameter a slot is: a track or bus by its index in the graph, or the master.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    Track(usize),
    Bus(usize),
    Master,
    /// A VCA by its index among the graph's VCAs: its slots move its members.
    Vca(usize),
}

/// What a slot moves on its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Strip(StripParam),
    /// The send at this index of the strip's sends.
    Send(usize, SendParam),
    /// Parameter `param` of the insert at index `insert` of the strip's
    /// chain; `control` indexes the chain's automation when it is automated.
    Processor {
        insert: usize,
        param: usize,
        control: Option<usize>,
    },
}

/// One slot: where its parameter lives in the graph.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slot {
    pub owner: Owner,
    pub target: Target,
}

/// The strip parameters every strip has a slot for.
const STRIP_PARAMS: [StripParam; 5] =
    [StripParam::Trim, StripParam::Fader, StripParam::Pan, StripParam::Width, StripParam::Mute];

impl Graph {
    /// Gives every live parameter of the compiled graph its slot (after the
    /// automation is attached). Not realtime: runs in `compile`.
    pub(crate) fn assign_slots(&mut self, session: &Session) {
        let mut slots = Vec::new();
        let mut params = Vec::new();
        let owners = (0..self.tracks.len())
            .map(|i| (Owner::Track(i), StripRef::Track(self.tracks[i].id)))
            .chain((0..self.buses.len()).map(|i| (Owner::Bus(i), StripRef::Bus(self.buses[i].id))))
            .chain([(Owner::Master, StripRef::Master)])
            .collect::<Vec<_>>();
        for (owner, r) in owners {
            let strip = session.strip(r);
            for p in STRIP_PARAMS {
                let value = strip.map_or(p.info().default, |s| p.get(s));
                slots.push(Slot { owner, target: Target::Strip(p) });
                params.push((ParamId::Strip(r, p), value));
            }
            let (gains, chain) = self.parts(owner);
            for (j, send) in gains.sends.iter().enumerate() {
                for p in [SendParam::Level, SendParam::Pan] {
                    let id = ParamId::Send(send.id, p);
                    slots.push(Slot { owner, target: Target::Send(j, p) });
                    params.push((id, session.param_value(id).unwrap_or(p.info().default)));
                }
            }
            for (k, ins) in chain.inserts.iter().enumerate() {
                for (i, v) in ins.values.iter().enumerate() {
                    let control = chain.auto.iter().position(|(a, b, _)| (*a, *b) == (k, i));
                    slots.push(Slot { owner, target: Target::Processor { insert: k, param: i, control } });
                    params.push((ParamId::Processor(ins.id, i as u16), *v));
                }
            }
        }
        for (k, v) in self.vcas.iter().enumerate() {
            let r = StripRef::Bus(v.id);
            let strip = session.strip(r);
            for p in super::vca::VCA_PARAMS {
                slots.push(Slot { owner: Owner::Vca(k), target: Target::Strip(p) });
                params.push((ParamId::Strip(r, p), strip.map_or(p.info().default, |s| p.get(s))));
            }
        }
        self.params = ParamMap::new(&params);
        self.slots = slots;
    }

    /// The slots of this graph's parameters and the plane to write them into
    /// (for the app; the handle keeps the one of the graph it sent last).
    pub fn param_map(&self) -> ParamMap {
        self.params.clone()
    }

    /// Applies every value written into the plane since the last call.
    /// Realtime-safe: indexes, never searches or allocates.
    pub fn apply_params(&mut self) {
        for w in 0..self.params.plane().words() {
            let mut bits = self.params.plane().take_word(w);
            while bits != 0 {
                let slot = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let v = self.params.plane().value(slot);
                self.set_slot(slot, v);
            }
        }
    }

    /// Moves the parameter in `slot` to `value` (smoothed); an empty lane in
    /// a writing mode stands for this value from now on. False if there is
    /// no such slot. Realtime-safe.
    pub fn set_slot(&mut self, slot: usize, value: f64) -> bool {
        let Some(s) = self.slots.get(slot).copied() else { return false };
        if let (Owner::Vca(k), Target::Strip(p)) = (s.owner, s.target) {
            self.set_vca_base(k, p, value);
            self.set_vca_value(k, p, value);
            return true;
        }
        if let Some(c) = self.control(s) {
            c.set_base(value);
        }
        self.set_value_at(s, value);
        true
    }

    /// Applies a gesture on the parameter in `slot` at transport position
    /// `pos`: through its lane in a writing mode, else like a value. False if
    /// there is no such slot. Realtime-safe.
    pub(crate) fn gesture_slot(&mut self, slot: usize, g: Gesture, pos: u64, rolling: bool) -> bool {
        let Some(s) = self.slots.get(slot).copied() else { return false };
        if let (Owner::Vca(k), Target::Strip(p)) = (s.owner, s.target) {
            let now = self.vca_gesture(k, p, g, pos, rolling).unwrap_or(match g {
                Gesture::Begin(v) | Gesture::Value(v) => Some(v),
                Gesture::End => None,
            });
            if let Some(v) = now {
                self.set_vca_value(k, p, v);
            }
            return true;
        }
        let now = match self.control(s).filter(|c| c.takes_gestures()) {
            Some(c) => c.gesture(g, pos, rolling),
            None => match g {
                Gesture::Begin(v) | Gesture::Value(v) => Some(v),
                Gesture::End => None,
            },
        };
        if let Some(v) = now {
            self.set_value_at(s, v);
        }
        true
    }

    /// The automation of the parameter in `s`, if it is automated.
    fn control(&mut self, s: Slot) -> Option<&mut Control> {
        let (gains, chain) = self.parts(s.owner);
        match s.target {
            Target::Strip(p) => gains.auto.strip_slot(p).as_mut(),
            Target::Send(j, p) => gains.auto.send_slot(j, p).as_mut(),
            Target::Processor { control, .. } => chain.auto.get_mut(control?).map(|(_, _, c)| c),
        }
    }

    /// Moves the parameter in `s` towards `value` without touching its lane.
    fn set_value_at(&mut self, s: Slot, value: f64) {
        let (gains, chain) = self.parts(s.owner);
        match s.target {
            Target::Strip(p) => gains.set_param(p, value),
            Target::Send(j, p) => gains.set_send_at(j, p, value),
            Target::Processor { insert, param, .. } => chain.set_param_at(insert, param, value),
        }
    }

    /// The gains and chain of a strip (a VCA has neither: its slots never
    /// come here, see [`Graph::set_slot`]).
    pub(super) fn parts(&mut self, owner: Owner) -> (&mut super::StripGains, &mut super::Chain) {
        match owner {
            Owner::Track(i) => {
                let t = &mut self.tracks[i];
                (&mut t.gains, &mut t.chain)
            }
            Owner::Bus(i) => {
                let b = &mut self.buses[i];
                (&mut b.gains, &mut b.chain)
            }
            Owner::Master => (&mut self.master, &mut self.master_chain),
            Owner::Vca(_) => unreachable!("a VCA has no strip of its own"),
        }
    }
}
