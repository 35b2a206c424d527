//! Automation modes on the audio thread: one [`Control`] per automated
//! parameter decides, at every evaluation, whether the lane or the person
//! holding the control is heard, and records what was heard while writing.
//!
//! Rules (the live engine only; the bounce plays every lane as Read):
//! - Read: the lane plays; gestures move the control as `set_param` does
//!   (while playing the lane wins again at the next evaluation).
//! - Touch: while the control is held its value plays and is written; on
//!   release the value glides back to the lane over
//!   [`TOUCH_GLIDE_SECONDS`](crate::session::pass::TOUCH_GLIDE_SECONDS),
//!   linearly in the parameter's unit, and the glide is written too.
//!   Switches and choices return at once.
//! - Latch: from the first touch while playing until stop, the control's
//!   last value plays and is written.
//! - Write: from play to stop the control's value plays and is written (the
//!   lane's value at the first evaluation until the control is touched);
//!   after the pass the mode falls back to Touch.
//! - Trim: the lane plays with the control's offset (in the parameter's unit)
//!   added; while held and during the glide of the offset back to 0 after
//!   release, the offset is written.
//! - A gesture is applied when the audio thread reads it, at the transport's
//!   position then (the first sample of a callback). While stopped a gesture
//!   sets the control's value at once (Trim: lane plus offset) and nothing
//!   is written.
//!
//! Recording follows playback's own evaluations (every chunk of at most 16
//! samples for strip gains, every 32 samples for insert parameters), so a
//! lane made of the recorded samples plays back what was heard. A sample is
//! only kept when the value changed (the last unchanged one is kept when it
//! starts to move again, so a hold stays a hold). Samples wait in a buffer
//! sized at compile time until the engine drains it after each block; a full
//! buffer drops samples and counts them, it never allocates.

use std::sync::Arc;

use super::automation::Cursor;
use crate::session::pass::Sample;
use crate::session::{AutoMode, Lane, ParamId, ParamInfo};

/// A person's hand on a control, as the GUI reports it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Gesture {
    /// The control was grabbed, at this value (Trim mode: this offset).
    Begin(f64),
    /// The held control moved to this value (outside a gesture it begins one).
    Value(f64),
    /// The control was let go.
    End,
}

/// What the audio thread hands out while recording.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Record {
    /// One sample of a run; `start` begins a new run.
    Sample {
        /// The parameter written.
        param: ParamId,
        /// The lane's mode while it was written.
        mode: AutoMode,
        /// Whether this sample starts a run.
        start: bool,
        /// The sample.
        sample: Sample,
    },
    /// The transport stopped: every pass in progress is complete.
    PassEnd,
}

/// A released control gliding back.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Glide {
    /// The value (Trim: the offset) at release.
    from: f64,
    /// Samples played since release.
    done: u32,
}

/// Gesture and recording state; carried over when a graph is swapped.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct State {
    held: bool,
    /// The control's value (Trim: its offset); `None` while it follows the lane.
    value: Option<f64>,
    /// Latch: touched during this pass.
    latched: bool,
    glide: Option<Glide>,
    writing: bool,
    /// The last evaluation: where it ended and what it recorded or would have.
    prev: Option<(u64, Sample)>,
    /// The last sample handed out, and a later equal one held back.
    sent: Option<Sample>,
    pending: Option<Sample>,
}

/// One automated parameter on the audio thread.
#[derive(Debug, Clone)]
pub(crate) struct Control {
    pub param: ParamId,
    mode: AutoMode,
    /// The lane's points; `None` for an empty lane (it stands for `base`).
    cursor: Option<Cursor>,
    /// The control's manual value: what an empty lane plays.
    base: f64,
    info: ParamInfo,
    /// Samples from a block's position to the time its audio is heard.
    shift: i64,
    /// Strip gains: steps are declicked and values not rounded (mute glides).
    declick: bool,
    /// Samples of the glide back after a Touch release.
    glide_len: u32,
    /// Modes other than Read apply (the live engine); off in the bounce.
    live: bool,
    state: State,
    out: Vec<Record>,
    lost: u64,
    /// A copy that plays and follows gestures but never records (a VCA's
    /// lane played on a member strip; the VCA's own control records).
    mirror: bool,
}

impl Control {
    /// A control for `lane`, or `None` when it has nothing to do (Off, or a
    /// Read lane without points). Allocates its record buffer: off the audio thread.
    pub fn new(
        lane: &Lane,
        info: ParamInfo,
        base: f64,
        shift: i64,
        declick: bool,
        glide_len: u32,
        max_block: usize,
    ) -> Option<Control> {
        let cursor = Cursor::new(Arc::new(lane.clone()), info.is_stepped());
        if lane.mode == AutoMode::Off || (lane.mode == AutoMode::Read && cursor.is_none()) {
            return None;
        }
        // Per block: at most one evaluation per 16-sample chunk and as many
        // again at breakpoints, each handing out up to three samples.
        let room = if lane.mode == AutoMode::Read { 0 } else { 3 * (2 * max_block.div_ceil(16) + 4) };
        Some(Control {
            param: lane.param,
            mode: lane.mode,
            cursor,
            base,
            info,
            shift,
            declick,
            glide_len,
            live: false,
            state: State::default(),
            out: Vec::with_capacity(room),
            lost: 0,
            mirror: false,
        })
    }

    /// This control as a mirror: it plays the lane and follows gestures but
    /// never records.
    pub fn mirrored(mut self) -> Control {
        self.mirror = true;
        self.out = Vec::new();
        self
    }

    /// Lets modes other than Read apply (the live engine) or not (the bounce).
    pub fn set_live(&mut self, on: bool) {
        self.live = on;
    }

    /// Continues the gestures and recording of the same parameter in the graph
    /// this one replaces. Realtime-safe.
    pub fn inherit(&mut self, old: &Control) {
        self.state = old.state;
    }

    /// The manual value (what an empty lane plays) moved. Realtime-safe.
    pub fn set_base(&mut self, v: f64) {
        self.base = self.limit(v);
    }

    /// Whether gestures go through this control (a writing mode, live).
    pub fn takes_gestures(&self) -> bool {
        self.live && !matches!(self.mode, AutoMode::Off | AutoMode::Read)
    }

    /// Applies a gesture at transport position `pos`. Returns a value to set
    /// at once when the transport is not rolling. Realtime-safe.
    pub fn gesture(&mut self, g: Gesture, pos: u64, rolling: bool) -> Option<f64> {
        let back = matches!(self.mode, AutoMode::Touch | AutoMode::Trim);
        let trim = self.mode == AutoMode::Trim;
        let v = match g {
            Gesture::Begin(v) | Gesture::Value(v) => Some(if trim { v } else { self.limit(v) }),
            Gesture::End => None,
        };
        let s = &mut self.state;
        match v {
            Some(v) => {
                s.held = true;
                s.value = Some(v);
                s.glide = None;
            }
            None if !s.held => return None,
            None => {
                s.held = false;
                // Touch and Trim let go of the value (gliding back while
                // playing); Latch and Write keep it.
                if back {
                    s.glide = s.value.take().filter(|_| rolling).map(|from| Glide { from, done: 0 });
                }
            }
        }
        if rolling {
            return None;
        }
        let lane = self.lane_at(pos.saturating_add_signed(self.shift));
        let s = &self.state;
        Some(match s.value {
            Some(offset) if trim => self.limit(lane + offset),
            Some(v) => v,
            None => lane,
        })
    }

    /// The lane's value at heard time `t` (an empty lane plays `base`).
    fn lane_at(&mut self, t: u64) -> f64 {
        match &mut self.cursor {
            Some(c) if self.declick => c.declicked_at(t),
            Some(c) => c.value_at(t),
            None => self.base,
        }
    }

    /// Clamps to the range; switches of strip gains are not rounded (the
    /// mute's declick glides through the values between).
    fn limit(&self, v: f64) -> f64 {
        if self.declick { v.clamp(self.info.min, self.info.max) } else { self.info.clamp(v) }
    }

    /// Where the lane's next breakpoint (or step declick end) lies after block
    /// time `t`, in block time. Realtime-safe.
    pub fn next_after(&mut self, t: u64) -> Option<u64> {
        let heard = t.saturating_add_signed(self.shift);
        let b = self.cursor.as_mut()?.next_after(heard)?;
        Some(b.saturating_add_signed(-self.shift).max(t + 1))
    }

    /// The value to play at block time `t`, the last sample of a stretch of
    /// `len` samples since the previous evaluation; records it while writing.
    /// Realtime-safe.
    pub fn play(&mut self, t: u64, len: u32) -> f64 {
        let heard = t.checked_add_signed(self.shift);
        let lane = self.lane_at(heard.unwrap_or(0));
        if !self.takes_gestures() {
            return self.limit(lane);
        }
        let glide_len = self.glide_len;
        let s = &mut self.state;
        if s.held {
            s.latched = true;
        }
        // How far a glide back has come (1 = arrived).
        let glide = |s: &mut State| -> Option<(f64, f64)> {
            let g = s.glide.as_mut()?;
            g.done = g.done.saturating_add(len);
            let x = if g.done >= glide_len { 1.0 } else { f64::from(g.done) / f64::from(glide_len) };
            let from = g.from;
            if x >= 1.0 {
                s.glide = None;
            }
            Some((from, x))
        };
        let (value, offset, writing) = match self.mode {
            AutoMode::Off | AutoMode::Read => (lane, 0.0, false),
            AutoMode::Touch => match (s.held, s.value) {
                (true, Some(v)) => (v, 0.0, true),
                _ => match glide(s) {
                    Some((from, x)) => (from + (lane - from) * x, 0.0, true),
                    None => (lane, 0.0, false),
                },
            },
            AutoMode::Latch => match s.value {
                Some(v) if s.held || s.latched => (v, 0.0, true),
                _ => (lane, 0.0, false),
            },
            AutoMode::Write => (*s.value.get_or_insert(lane), 0.0, true),
            AutoMode::Trim => {
                let (offset, writing) = match (s.held, s.value) {
                    (true, Some(v)) => (v, true),
                    _ => glide(s).map_or((0.0, false), |(from, x)| (from * (1.0 - x), true)),
                };
                (lane + offset, offset, writing)
            }
        };
        let value = self.limit(value);
        if let Some(heard) = heard {
            self.record(heard, len, value, offset, writing);
        }
        value
    }

    /// Records one evaluation ending at heard time `t`. Realtime-safe.
    fn record(&mut self, t: u64, len: u32, value: f64, offset: f64, writing: bool) {
        let chunk_start = t.saturating_sub(u64::from(len.max(1)) - 1);
        // Switches are written where the new value starts (their lanes step
        // there); continuous values where the evaluation put them.
        let sample = if self.info.is_stepped() {
            Sample { time: chunk_start, value: self.info.clamp(value), offset }
        } else {
            Sample { time: t, value, offset }
        };
        let s = self.state;
        let contiguous = s.prev.is_some_and(|(end, _)| end + u64::from(len) == t);
        if writing && (!s.writing || !contiguous) {
            self.end_run();
            // A touch starts from the value heard just before it; a pass or a
            // jump from the start of this stretch.
            let first = match s.prev {
                Some((_, p)) if contiguous => p,
                _ => Sample { time: chunk_start, ..sample },
            };
            self.emit(true, first);
            if sample.time > first.time {
                self.add(sample);
            }
        } else if writing {
            self.add(sample);
        } else if s.writing {
            self.end_run();
        }
        self.state.writing = writing;
        self.state.prev = Some((t, sample));
    }

    /// Hands out `sample` unless it repeats the last one (then it is held
    /// back until the value moves again or the run ends).
    fn add(&mut self, sample: Sample) {
        let s = &mut self.state;
        if s.sent.is_some_and(|x| x.value == sample.value && x.offset == sample.offset) {
            s.pending = Some(sample);
            return;
        }
        if let Some(p) = s.pending.take() {
            self.emit(false, p);
        }
        self.emit(false, sample);
    }

    fn end_run(&mut self) {
        if let Some(p) = self.state.pending.take() {
            self.emit(false, p);
        }
    }

    fn emit(&mut self, start: bool, sample: Sample) {
        if self.mirror {
            return;
        }
        self.state.sent = Some(sample);
        if start {
            self.state.pending = None;
        }
        if self.out.len() < self.out.capacity() {
            self.out.push(Record::Sample { param: self.param, mode: self.mode, start, sample });
        } else {
            self.lost += 1;
        }
    }

    /// The transport stopped: the run in progress ends, Latch lets go, a
    /// control not held follows its lane again, and Write falls back to
    /// Touch. Realtime-safe.
    pub fn end_pass(&mut self) {
        if self.state.writing {
            self.end_run();
        }
        let s = &mut self.state;
        s.writing = false;
        s.latched = false;
        s.glide = None;
        s.prev = None;
        s.sent = None;
        if !s.held {
            s.value = None;
        }
        if self.mode == AutoMode::Write && self.live {
            self.mode = AutoMode::Touch;
        }
    }

    /// Hands every recorded sample to `f`; returns how many were lost to a
    /// full buffer since the last call. Realtime-safe (the buffer keeps its capacity).
    pub fn drain(&mut self, f: &mut impl FnMut(Record)) -> u64 {
        for r in self.out.drain(..) {
            f(r);
        }
        std::mem::take(&mut self.lost)
    }
}
