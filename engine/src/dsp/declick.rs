//! De-click / de-crackle: finds impulsive clicks (edits, vinyl, digital
//! glitches) and replaces them by what the surrounding audio predicts.
//!
//! The signal is worked on in fixed rounds of [`HOP`] samples, whatever
//! blocks the host passes, so the output does not depend on how it splits
//! them. Each round, per channel, looks at a window of [`WINDOW`] samples:
//! [`HOP`] already finished (context), the [`HOP`] being finished, and
//! [`HOP`] ahead. The latency is therefore `2 * HOP` = 1024 samples
//! (21.3 ms at 48 kHz), reported to the graph, which compensates it.
//!
//! 1. An autoregressive model of order [`ORDER`] is fitted to the window
//!    (autocorrelation method, Hann window, a -60 dB white-noise floor so a
//!    pure tone still gives a usable model; see [`super::ar`]).
//! 2. A sample is a click candidate where both the model's forward
//!    prediction error (from the samples before) and its backward one (from
//!    the samples after) exceed `K` times the forward error's robust spread
//!    over the window (1.4826 times its median magnitude), and -80 dB of the
//!    window's RMS: a click from `n0` to `n1` disturbs the forward error up
//!    to `n1 + order` and the backward one from `n0 - order`, so together
//!    they mark the click itself. `K` falls from 20 at sensitivity 0 % to 3
//!    at 100 % (7.7 at the default 50 %; raise the sensitivity for crackle).
//! 3. Candidates closer than [`MERGE`] samples join into one click, widened
//!    by [`MARGIN`] samples each side; a click starting in the stretch being
//!    finished and no longer than `max_length` is replaced by least-squares
//!    AR interpolation from the samples around it (it may reach into the
//!    look-ahead; those samples stay replaced). Longer events are not
//!    clicks (drums, consonants) and are left alone.
//! 4. `listen` crossfades (5 ms) to what was taken away (`input - output`):
//!    the clicks alone. The crossfade is kept with the audio it was made on
//!    and heard with it, a latency later.
//!
//! Limits: clicks longer than 2 ms (scratches, long pops) and clicks in
//! the first `ORDER` samples after silence are not repaired; very sharp
//! transients (castanets, a snare's first millisecond) can read as clicks
//! at high sensitivity.

use super::ar::{ArModel, ArScratch, interpolate};
use super::{Dsp, DspContext, KindSpec, on};
use crate::session::{ParamInfo, Unit};
use crate::smooth::{DECLICK_SECONDS, Declick, ramp_samples};

/// Parameter indices.
pub mod p {
    pub const SENSITIVITY: usize = 0;
    pub const MAX_LENGTH: usize = 1;
    pub const LISTEN: usize = 2;
}

const PARAMS: &[ParamInfo] = &[
    ParamInfo::new("sensitivity", "Sensitivity", Unit::Percent, 0.0, 100.0, 50.0),
    ParamInfo::new("max_length", "Longest click", Unit::Milliseconds, 0.1, 2.0, 1.0),
    ParamInfo::toggle("listen", "Output clicks only", false),
];

/// The de-click's registry entry.
pub const SPEC: KindSpec = KindSpec {
    kind: "declick",
    name: "De-click / De-crackle",
    short: "De-click",
    description: "Finds clicks and crackle and replaces them by interpolation from the audio around them",
    params: PARAMS,
    sidechain: false,
    structural: &[],
    build,
};

/// Samples finished per round.
pub const HOP: usize = 512;
/// The window each round looks at: context, the stretch being finished, look-ahead.
pub const WINDOW: usize = 3 * HOP;
/// Where the stretch being finished starts in the window.
const START: usize = HOP;
/// The model's order.
pub const ORDER: usize = 24;
/// Disturbed samples this close are one event.
const MERGE: usize = ORDER;
/// Samples added each side of a click.
const MARGIN: usize = 2;
/// The model's white-noise floor (relative power).
const NOISE_FLOOR: f64 = 1e-10;
/// Statistic values under this share (amplitude) of the window's RMS are never clicks.
const ABSOLUTE_FLOOR: f64 = 1e-4;
/// A filled gap takes in the samples after it while they depart from it by
/// more than this share of the detection threshold.
const TAIL: f64 = 0.25;
/// Samples a gap grows by while the audio after it still departs from it.
const GROW: usize = 2;
/// The longest `max_length`, ms.
const MAX_LENGTH_MS: f64 = 2.0;

fn build(ctx: &DspContext, values: &[f64]) -> Box<dyn Dsp> {
    Box::new(DeClick::new(ctx, values))
}

/// One channel's windows and output.
#[derive(Debug)]
struct Channel {
    /// The window, repaired as it goes.
    work: Vec<f32>,
    /// The same window as it came in.
    raw: Vec<f32>,
    /// The last finished stretch, repaired and as it came in, played out over the next round.
    out: Vec<f32>,
    out_raw: Vec<f32>,
}

/// The listen crossfade's gain for each sample of the window, as it was when
/// the sample came in (so a switch is heard on the audio it was made on).
#[derive(Debug)]
struct ListenTrail {
    window: Vec<f32>,
    out: Vec<f32>,
}

impl Channel {
    fn new() -> Channel {
        Channel {
            work: vec![0.0; WINDOW],
            raw: vec![0.0; WINDOW],
            out: vec![0.0; HOP],
            out_raw: vec![0.0; HOP],
        }
    }

    fn clear(&mut self) {
        for b in [&mut self.work, &mut self.raw, &mut self.out, &mut self.out_raw] {
            b.fill(0.0);
        }
    }
}

/// The running de-click.
#[derive(Debug)]
pub struct DeClick {
    rate: f64,
    threshold: f64,
    max_gap: usize,
    listen: Declick,
    trail: ListenTrail,
    channels: [Channel; 2],
    /// Samples written into the current round.
    fill: usize,
    model: ArModel,
    scratch: ArScratch,
    windowed: Vec<f64>,
    r: Vec<f64>,
    tmp: Vec<f64>,
    /// The forward and backward prediction errors.
    e: Vec<f64>,
    d: Vec<f64>,
    sorted: Vec<f64>,
    /// Clicks repaired since the last reset.
    found: u64,
}

impl DeClick {
    /// A de-click for `ctx` at `values` (by parameter index).
    pub fn new(ctx: &DspContext, values: &[f64]) -> DeClick {
        let rate = f64::from(ctx.sample_rate.max(1));
        let v = |i: usize| values.get(i).copied().unwrap_or(PARAMS[i].default);
        let longest = ((MAX_LENGTH_MS * 0.001 * rate).ceil() as usize).max(1) + 2 * MARGIN;
        let mut d = DeClick {
            rate,
            threshold: 0.0,
            max_gap: 1,
            listen: Declick::new(on(v(p::LISTEN)), ramp_samples(DECLICK_SECONDS, ctx.sample_rate.max(1))),
            trail: ListenTrail { window: vec![0.0; WINDOW], out: vec![0.0; HOP] },
            channels: [Channel::new(), Channel::new()],
            fill: 0,
            model: ArModel::new(ORDER),
            scratch: ArScratch::new(longest, ORDER),
            windowed: vec![0.0; WINDOW],
            r: vec![0.0; ORDER + 1],
            tmp: vec![0.0; ORDER + 1],
            e: vec![0.0; WINDOW],
            d: vec![0.0; WINDOW],
            sorted: vec![0.0; WINDOW],
            found: 0,
        };
        d.set_param(p::SENSITIVITY, v(p::SENSITIVITY));
        d.set_param(p::MAX_LENGTH, v(p::MAX_LENGTH));
        d.reset();
        d
    }

    /// Clicks repaired since it was built or reset.
    pub fn clicks_found(&self) -> u64 {
        self.found
    }

    /// Finishes one round on the first `nch` channels.
    fn round(&mut self, nch: usize) {
        let t = &mut self.trail;
        t.out.copy_from_slice(&t.window[START..START + HOP]);
        t.window.copy_within(HOP.., 0);
        for c in 0..nch {
            self.repair(c);
            let ch = &mut self.channels[c];
            ch.out.copy_from_slice(&ch.work[START..START + HOP]);
            ch.out_raw.copy_from_slice(&ch.raw[START..START + HOP]);
            ch.work.copy_within(HOP.., 0);
            ch.raw.copy_within(HOP.., 0);
        }
    }

    /// Finds and replaces the clicks that start in channel `c`'s stretch being finished.
    fn repair(&mut self, c: usize) {
        let DeClick { channels, model, scratch, windowed, r, tmp, e, d, sorted, .. } = self;
        let x = &mut channels[c].work;
        if !model.fit(x, NOISE_FLOOR, windowed, r, tmp) {
            return;
        }
        let p = ORDER;
        for (f, v) in windowed.iter_mut().zip(x.iter()) {
            *f = f64::from(*v);
        }
        model.excitation(windowed, p..WINDOW, e);
        model.backward(windowed, 0..WINDOW - p, d);
        let n = WINDOW - p;
        for (s, v) in sorted[..n].iter_mut().zip(&e[p..]) {
            *s = v.abs();
        }
        let (_, median, _) = sorted[..n].select_nth_unstable_by(n / 2, f64::total_cmp);
        let spread = 1.4826 * *median;
        let rms = (x.iter().map(|v| f64::from(*v) * f64::from(*v)).sum::<f64>() / WINDOW as f64).sqrt();
        let tau = (self.threshold * spread).max(ABSOLUTE_FLOOR * rms);
        let limit = WINDOW - p;
        let fwd = |i: usize| i >= p && e[i].abs() > tau;
        let bwd = |i: usize| i < limit && d[i].abs() > tau;
        let any = |i: usize| fwd(i) || bwd(i);
        let mut i = START - p;
        while i < START + HOP {
            if !any(i) {
                i += 1;
                continue;
            }
            // A cluster of disturbed samples; the click runs from the first
            // whose forward error is disturbed to the last whose backward one is.
            let mut end = i + 1;
            let mut k = end;
            while k < limit && k - end < MERGE {
                if any(k) {
                    end = k + 1;
                }
                k += 1;
            }
            let cluster = i..end;
            i = end;
            let first = cluster.clone().find(|&n| fwd(n));
            let last = cluster.rev().find(|&n| bwd(n));
            let (Some(first), Some(last)) = (first, last) else { continue };
            if last < first || !(START..START + HOP).contains(&first) {
                continue;
            }
            let mut gap = (first - MARGIN).max(START)..(last + 1 + MARGIN).min(limit);
            if gap.len() > self.max_gap || !interpolate(model, x, gap.clone(), scratch) {
                continue;
            }
            self.found += 1;
            // A tail the model half predicts (a click decaying smoothly) can
            // outlast the disturbed errors: while the audio just after the
            // filled gap still departs from what the gap predicts, take it in.
            while gap.end + GROW <= limit && gap.len() + GROW <= self.max_gap {
                let departs = (gap.end..gap.end + GROW).any(|n| {
                    let err: f64 = (0..=p).map(|k| model.a[k] * f64::from(x[n - k])).sum();
                    err.abs() > tau * TAIL
                });
                if !departs {
                    break;
                }
                gap.end += GROW;
                interpolate(model, x, gap.clone(), scratch);
            }
        }
    }
}

impl Dsp for DeClick {
    fn set_param(&mut self, index: usize, value: f64) {
        match index {
            p::SENSITIVITY => self.threshold = 20.0 * (3.0f64 / 20.0).powf(value.clamp(0.0, 100.0) / 100.0),
            p::MAX_LENGTH => {
                let samples = (value.min(MAX_LENGTH_MS) * 0.001 * self.rate).round() as usize;
                self.max_gap = (samples.max(1) + 2 * MARGIN).min(self.scratch.max_gap());
            }
            p::LISTEN => self.listen.set(on(value)),
            _ => {}
        }
    }

    fn process(&mut self, io: &mut [&mut [f32]], _key: Option<[&[f32]; 2]>) {
        let nch = io.len().min(2);
        let frames = io[..nch].iter().map(|c| c.len()).min().unwrap_or(0);
        let write = WINDOW - HOP;
        for i in 0..frames {
            self.trail.window[write + self.fill] = self.listen.advance(1) as f32;
            let l = self.trail.out[self.fill];
            for c in 0..nch {
                let ch = &mut self.channels[c];
                let v = io[c][i];
                ch.work[write + self.fill] = v;
                ch.raw[write + self.fill] = v;
                let (y, raw) = (ch.out[self.fill], ch.out_raw[self.fill]);
                io[c][i] = y + l * (raw - 2.0 * y);
            }
            self.fill += 1;
            if self.fill == HOP {
                self.fill = 0;
                self.round(nch);
            }
        }
    }

    fn latency(&self) -> usize {
        2 * HOP
    }

    fn reset(&mut self) {
        self.channels.iter_mut().for_each(Channel::clear);
        self.fill = 0;
        self.found = 0;
        let on = self.listen.is_on();
        self.listen.jump(on);
        let g = if on { 1.0 } else { 0.0 };
        self.trail.window.fill(g);
        self.trail.out.fill(g);
    }
}
