//! Automation on the render graph: lanes compiled into cursors that the strip
//! gains and insert chains read while rendering.
//!
//! Rules (the same live and in the bounce, since both call [`Lane::value_at`]'s
//! arithmetic through [`Cursor::value_at`]):
//! - Strip gains (trim, fader, pan, width, send level and pan) are evaluated
//!   at the end of every chunk of at most 16 samples, chunks aligned to
//!   absolute multiples of 16 and cut at every breakpoint; the gain matrices
//!   are interpolated per sample in between. Automation replaces the 5 ms
//!   smoothing of manual moves, so the curve is followed without lag.
//! - A step takes effect at its exact sample `s` (the declick rule): sample
//!   `s - 1` still has the old value; from `s` the value rises or falls
//!   monotonically, without overshoot, and has the new value exactly from
//!   sample `s + 15` on (a 16-sample declick, [`STEP_DECLICK`]; the glide is
//!   linear in the parameter's unit at the evaluated samples and linear in
//!   amplitude between them).
//! - Insert parameters are set every 32 samples (aligned to absolute
//!   multiples of 32) to the lane's value at the end of that stretch; each
//!   processor glides to it with its own smoothing.
//! - While the transport is stopped nothing is evaluated: controls hold.

use std::sync::Arc;

use crate::session::{Lane, Point, SendId, SendParam, StripParam};

/// Samples a step in a strip gain takes to arrive.
pub(crate) const STEP_DECLICK: u64 = 16;

/// Samples between evaluations of insert parameters.
pub(crate) const PROCESSOR_STRIDE: u64 = 32;

/// A lane being played: its points and where playback last was.
#[derive(Debug, Clone)]
pub(crate) struct Cursor {
    lane: Arc<Lane>,
    at: usize,
}

impl Cursor {
    /// A cursor over a lane with at least one point.
    pub fn new(lane: Arc<Lane>) -> Option<Cursor> {
        (!lane.points.is_empty()).then_some(Cursor { lane, at: 0 })
    }

    /// The lane's value at `t`. Realtime-safe (no allocation; O(1) while
    /// playback moves forward).
    pub fn value_at(&mut self, t: u64) -> f64 {
        let p: &[Point] = &self.lane.points;
        if t <= p[0].time {
            self.at = 0;
            return p[0].value;
        }
        self.at = self.lane.segment_from(self.at, t);
        self.lane.segment_value(self.at, t)
    }

    /// The value at `t` with steps declicked: within [`STEP_DECLICK`] samples
    /// after a step, the value glides from the old one to the lane's.
    /// Realtime-safe.
    pub fn declicked_at(&mut self, t: u64) -> f64 {
        let v = self.value_at(t);
        let p: &[Point] = &self.lane.points;
        if self.at >= 1 && t >= p[0].time {
            let (before, s) = (p[self.at - 1], p[self.at].time);
            if before.shape == crate::session::Shape::Step && t - s < STEP_DECLICK {
                let x = (t - s + 1) as f64 / STEP_DECLICK as f64;
                return before.value + (v - before.value) * x;
            }
        }
        v
    }

    /// Where the next chunk must end after `t`: the first breakpoint strictly
    /// after it, or the end of a step's declick in progress.
    pub fn next_after(&mut self, t: u64) -> Option<u64> {
        let p: &[Point] = &self.lane.points;
        if t < p[0].time {
            return Some(p[0].time);
        }
        self.at = self.lane.segment_from(self.at, t);
        let s = p[self.at].time;
        if self.at >= 1 && p[self.at - 1].shape == crate::session::Shape::Step && t < s + STEP_DECLICK {
            return Some(s + STEP_DECLICK);
        }
        p.get(self.at + 1).map(|q| q.time)
    }
}

/// The automated controls of one strip.
#[derive(Debug, Clone, Default)]
pub(crate) struct StripAuto {
    pub trim: Option<Cursor>,
    pub fader: Option<Cursor>,
    pub pan: Option<Cursor>,
    pub width: Option<Cursor>,
    /// Per send (in the strip's send order): level and pan.
    pub sends: Vec<[Option<Cursor>; 2]>,
}

impl StripAuto {
    /// Whether anything on the strip is automated.
    pub fn any(&self) -> bool {
        self.trim.is_some()
            || self.fader.is_some()
            || self.pan.is_some()
            || self.width.is_some()
            || self.sends.iter().any(|s| s.iter().any(Option::is_some))
    }

    /// The cursor for a strip control.
    pub fn strip_slot(&mut self, p: StripParam) -> &mut Option<Cursor> {
        match p {
            StripParam::Trim => &mut self.trim,
            StripParam::Fader => &mut self.fader,
            StripParam::Pan => &mut self.pan,
            StripParam::Width => &mut self.width,
        }
    }

    /// The cursor for a send control, given the send's position on the strip.
    pub fn send_slot(&mut self, index: usize, p: SendParam) -> &mut Option<Cursor> {
        &mut self.sends[index][match p {
            SendParam::Level => 0,
            SendParam::Pan => 1,
        }]
    }

    /// The first breakpoint of any lane strictly after `t`.
    pub fn next_after(&mut self, t: u64) -> Option<u64> {
        let mut next: Option<u64> = None;
        let sends = self.sends.iter_mut().flat_map(|s| s.iter_mut());
        for c in [&mut self.trim, &mut self.fader, &mut self.pan, &mut self.width].into_iter().chain(sends) {
            if let Some(b) = c.as_mut().and_then(|c| c.next_after(t)) {
                next = Some(next.map_or(b, |n| n.min(b)));
            }
        }
        next
    }
}

/// Finds which send of a strip has `id`.
pub(crate) fn send_index(ids: impl Iterator<Item = SendId>, id: SendId) -> Option<usize> {
    ids.into_iter().position(|s| s == id)
}

impl super::Graph {
    /// Hands every playing lane of `session` (not Off, with points) to the
    /// strip or chain that owns its parameter. Lanes for parameters this graph
    /// does not have are skipped (the session validator refuses them).
    pub(crate) fn attach_automation(&mut self, session: &crate::session::Session) {
        use crate::session::{AutoMode, ParamId, StripRef};
        for lane in session.automation.iter().filter(|l| l.mode != AutoMode::Off) {
            let Some(cursor) = Cursor::new(Arc::new(lane.clone())) else { continue };
            match lane.param {
                ParamId::Strip(r, p) => {
                    let gains = match r {
                        StripRef::Track(id) => {
                            self.tracks.iter_mut().find(|t| t.id == id).map(|t| &mut t.gains)
                        }
                        StripRef::Bus(id) => self.buses.iter_mut().find(|b| b.id == id).map(|b| &mut b.gains),
                        StripRef::Master => Some(&mut self.master),
                    };
                    if let Some(g) = gains {
                        *g.auto.strip_slot(p) = Some(cursor);
                    }
                }
                ParamId::Send(id, p) => {
                    let all = self
                        .tracks
                        .iter_mut()
                        .map(|t| &mut t.gains)
                        .chain(self.buses.iter_mut().map(|b| &mut b.gains));
                    for g in all {
                        if let Some(i) = send_index(g.sends.iter().map(|s| s.id), id) {
                            *g.auto.send_slot(i, p) = Some(cursor);
                            break;
                        }
                    }
                }
                ParamId::Processor(id, index) => {
                    let chains = self
                        .tracks
                        .iter_mut()
                        .map(|t| &mut t.chain)
                        .chain(self.buses.iter_mut().map(|b| &mut b.chain))
                        .chain([&mut self.master_chain]);
                    for c in chains {
                        if let Some(i) = c.inserts.iter().position(|ins| ins.id == id) {
                            if usize::from(index) < c.inserts[i].kind.params.len() {
                                c.auto.push((i, usize::from(index), cursor));
                            }
                            break;
                        }
                    }
                }
            }
        }
    }
}
