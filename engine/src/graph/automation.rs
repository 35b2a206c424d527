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
//! - Lanes of switches and choices (mute, on/off) hold each point's value
//!   until the next; a mute lane's steps follow the declick rule above.
//! - Every lane is evaluated at the time its audio is heard: a track's trim
//!   and inserts read ahead by the track's delay compensation, a bus's or the
//!   master's controls lag by the latency of what feeds them (see
//!   [`Graph::attach_automation`](super::Graph)).
//! - While the transport is stopped nothing is evaluated: controls hold.
//!
//! Touch, Latch, Write and Trim (the live engine only; the bounce plays every
//! lane as Read) are [`record::Control`](super::record::Control)'s business.

use std::sync::Arc;

use super::record::Control;
use crate::session::{Lane, Point, SendId, SendParam, Shape, StripParam};
use crate::smooth::ramp_samples;

/// Samples a step in a strip gain takes to arrive.
pub(crate) const STEP_DECLICK: u64 = 16;

/// Samples between evaluations of insert parameters.
pub(crate) const PROCESSOR_STRIDE: u64 = 32;

/// A lane being played: its points and where playback last was.
#[derive(Debug, Clone)]
pub(crate) struct Cursor {
    lane: Arc<Lane>,
    at: usize,
    /// A switch or choice: every point holds its value until the next.
    held: bool,
}

impl Cursor {
    /// A cursor over a lane with at least one point; `held` for switches and choices.
    pub fn new(lane: Arc<Lane>, held: bool) -> Option<Cursor> {
        (!lane.points.is_empty()).then_some(Cursor { lane, at: 0, held })
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
        if self.held { p[self.at].value } else { self.lane.segment_value(self.at, t) }
    }

    /// Whether the segment ending at point `i` is a step.
    fn steps_into(&self, i: usize) -> bool {
        i >= 1 && (self.held || self.lane.points[i - 1].shape == Shape::Step)
    }

    /// The value at `t` with steps declicked: within [`STEP_DECLICK`] samples
    /// after a step, the value glides from the old one to the lane's.
    /// Realtime-safe.
    pub fn declicked_at(&mut self, t: u64) -> f64 {
        let v = self.value_at(t);
        let p: &[Point] = &self.lane.points;
        if t >= p[0].time && self.steps_into(self.at) {
            let (before, s) = (p[self.at - 1], p[self.at].time);
            if t - s < STEP_DECLICK {
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
        if self.steps_into(self.at) && t < s + STEP_DECLICK {
            return Some(s + STEP_DECLICK);
        }
        p.get(self.at + 1).map(|q| q.time)
    }
}

/// The automated controls of one strip.
#[derive(Debug, Clone, Default)]
pub(crate) struct StripAuto {
    pub trim: Option<Control>,
    pub fader: Option<Control>,
    pub pan: Option<Control>,
    pub width: Option<Control>,
    pub mute: Option<Control>,
    /// Per send (in the strip's send order): level and pan.
    pub sends: Vec<[Option<Control>; 2]>,
    /// The lanes of the VCA the strip answers to (fader, mute), played here
    /// at this strip's own times; mirrors that never record.
    pub vca: [Option<Control>; 2],
}

impl StripAuto {
    /// Whether anything on the strip is automated.
    pub fn any(&self) -> bool {
        self.trim.is_some()
            || self.fader.is_some()
            || self.pan.is_some()
            || self.width.is_some()
            || self.mute.is_some()
            || self.vca.iter().any(Option::is_some)
            || self.sends.iter().any(|s| s.iter().any(Option::is_some))
    }

    /// Every automated control of the strip. Realtime-safe.
    pub fn controls_mut(&mut self) -> impl Iterator<Item = &mut Control> {
        [&mut self.trim, &mut self.fader, &mut self.pan, &mut self.width, &mut self.mute]
            .into_iter()
            .chain(self.sends.iter_mut().flat_map(|s| s.iter_mut()))
            .chain(self.vca.iter_mut())
            .filter_map(Option::as_mut)
    }

    /// The slot for a strip control.
    pub fn strip_slot(&mut self, p: StripParam) -> &mut Option<Control> {
        match p {
            StripParam::Trim => &mut self.trim,
            StripParam::Fader => &mut self.fader,
            StripParam::Pan => &mut self.pan,
            StripParam::Width => &mut self.width,
            StripParam::Mute => &mut self.mute,
        }
    }

    /// The slot for a send control, given the send's position on the strip.
    pub fn send_slot(&mut self, index: usize, p: SendParam) -> &mut Option<Control> {
        &mut self.sends[index][match p {
            SendParam::Level => 0,
            SendParam::Pan => 1,
        }]
    }

    /// The first breakpoint of any lane strictly after block time `t`. Realtime-safe.
    pub fn next_after(&mut self, t: u64) -> Option<u64> {
        self.controls_mut().filter_map(|c| c.next_after(t)).min()
    }
}

/// Finds which send of a strip has `id`.
pub(crate) fn send_index(ids: impl Iterator<Item = SendId>, id: SendId) -> Option<usize> {
    ids.into_iter().position(|s| s == id)
}

/// Samples to add to a block's position to get the time its audio is heard
/// at, for one strip: before its inserts (trim and the first insert) and
/// after them (fader, pan, width, mute, sends).
#[derive(Debug, Clone, Copy)]
struct Shifts {
    input: i64,
    output: i64,
}

/// The timeline shift of each insert of a chain whose input is heard at `input`:
/// every insert hears its input later by the latency of the inserts before it
/// and the delays that line keys up before it and before itself.
fn insert_shift(chain: &super::chain::Chain, index: usize, input: i64) -> i64 {
    input - chain.input_offset(index) as i64
}

impl super::Graph {
    /// Hands every playing lane of `session` (not Off; Read lanes only with
    /// points) to the strip or chain that owns its parameter, with the shift
    /// that makes it play at the time its audio is heard:
    /// - a track reads its clips early by `L` (its inserts' latency, plus
    ///   how early its sidechain key is), so its trim is evaluated at
    ///   `pos + L`, its `i`-th insert at `pos + L` minus the latency (and key
    ///   delays) before it, and its fader, pan, width, mute and sends at
    ///   `pos`, or at `pos - O` when a key from a late bus makes its output
    ///   `O` late (a track without inserts applies its trim with the fader);
    /// - a bus (or the master) whose input arrives `I` samples late and whose
    ///   output `O` samples late evaluates its trim at `pos - I`, its inserts
    ///   at `pos - I` minus the latency (and key delays) before them, the
    ///   rest at `pos - O`.
    ///
    /// Lanes for parameters this graph does not have are skipped (the
    /// session validator refuses them).
    pub(crate) fn attach_automation(&mut self, session: &crate::session::Session) {
        use crate::session::{AutoMode, ParamId, StripRef};
        let glide = ramp_samples(crate::session::pass::TOUCH_GLIDE_SECONDS, session.sample_rate);
        let max_block = self.max_block;
        let master = Shifts {
            input: -((self.latency - self.master_chain.latency()) as i64),
            output: -(self.latency as i64),
        };
        for lane in session.automation.iter().filter(|l| l.mode != AutoMode::Off) {
            let Some(info) = session.param_info(lane.param) else { continue };
            let base = session.param_value(lane.param).unwrap_or(info.default);
            let glide = if info.is_stepped() { 0 } else { glide };
            let make =
                |shift: i64, declick: bool| Control::new(lane, info, base, shift, declick, glide, max_block);
            let track_shifts = |t: &super::TrackNode| {
                let output = -(t.latency as i64);
                Shifts { input: if t.chain.is_empty() { output } else { t.read_ahead as i64 }, output }
            };
            let bus_shifts = |b: &super::BusNode| Shifts {
                input: -((b.latency - b.chain.latency()) as i64),
                output: -(b.latency as i64),
            };
            match lane.param {
                ParamId::Strip(StripRef::Bus(id), p) if self.vca_position(id).is_some() => {
                    let (k, Some(j)) = (self.vca_position(id).expect("checked"), super::vca::vca_index(p))
                    else {
                        continue;
                    };
                    // The VCA's own control records; each member plays a
                    // mirror at the time its own fader is heard.
                    self.vcas[k].auto[j] = make(0, true);
                    for i in 0..self.vcas[k].members.len() {
                        let (shift, g) = match self.vcas[k].members[i] {
                            super::slots::Owner::Track(t) => {
                                let t = &mut self.tracks[t];
                                (track_shifts(t).output, &mut t.gains)
                            }
                            super::slots::Owner::Bus(b) => {
                                let b = &mut self.buses[b];
                                (bus_shifts(b).output, &mut b.gains)
                            }
                            _ => continue,
                        };
                        g.auto.vca[j] = make(shift, true).map(Control::mirrored);
                    }
                }
                ParamId::Strip(r, p) => {
                    let found = match r {
                        StripRef::Track(id) => self
                            .tracks
                            .iter_mut()
                            .find(|t| t.id == id)
                            .map(|t| (track_shifts(t), &mut t.gains)),
                        StripRef::Bus(id) => {
                            self.buses.iter_mut().find(|b| b.id == id).map(|b| (bus_shifts(b), &mut b.gains))
                        }
                        StripRef::Master => Some((master, &mut self.master)),
                    };
                    if let Some((shifts, g)) = found {
                        let shift = if p == StripParam::Trim { shifts.input } else { shifts.output };
                        *g.auto.strip_slot(p) = make(shift, true);
                    }
                }
                ParamId::Send(id, p) => {
                    let all = self
                        .tracks
                        .iter_mut()
                        .map(|t| (track_shifts(t), &mut t.gains))
                        .chain(self.buses.iter_mut().map(|b| (bus_shifts(b), &mut b.gains)));
                    for (shifts, g) in all {
                        if let Some(i) = send_index(g.sends.iter().map(|s| s.id), id) {
                            *g.auto.send_slot(i, p) = make(shifts.output, true);
                            break;
                        }
                    }
                }
                ParamId::Processor(id, index) => {
                    let chains = self
                        .tracks
                        .iter_mut()
                        .map(|t| (track_shifts(t).input, &mut t.chain))
                        .chain(self.buses.iter_mut().map(|b| (bus_shifts(b).input, &mut b.chain)))
                        .chain([(master.input, &mut self.master_chain)]);
                    for (input, c) in chains {
                        if let Some(i) = c.inserts.iter().position(|ins| ins.id == id) {
                            let shift = insert_shift(c, i, input);
                            if usize::from(index) < c.inserts[i].kind.params.len()
                                && let Some(control) = make(shift, false)
                            {
                                c.auto.push((i, usize::from(index), control));
                            }
                            break;
                        }
                    }
                }
            }
        }
    }
}
