//! True-peak limiter: keeps the output's inter-sample peaks under the ceiling.
//!
//! Peaks are detected on an oversampled copy of the signal (4x with the
//! BS.1770 filter, as BS.1770 measures true peak, and 8x finer); a lookahead
//! delay lets the gain come down smoothly before a peak arrives, so the
//! processor reports `lookahead` as its latency and the graph compensates it.
//!
//! How it works, per sample (both channels share one gain):
//!
//! 1. The input gain (glided in dB over 5 ms) is applied; the result goes into
//!    the lookahead delay of `latency()` samples, which is the audio path: when
//!    no limiting happens the output is exactly the input times the input gain,
//!    delayed by `latency()` samples.
//! 2. The detector estimates the true peak of each sample interval as the
//!    largest reading of:
//!    - the 4x polyphase FIR of ITU-R BS.1770-4 Annex 2 (12 taps per phase),
//!      the filter dBTP is defined with, so the standard meter's own reading
//!      is always covered;
//!    - up to three half-band interpolators of different lengths (the longest
//!      up to 64 samples a side, then half and a quarter of it, down to 8 a
//!      side), each giving a 2x signal that a 16-tap Kaiser-windowed sinc takes
//!      to an 8x grid, whose local extrema are refined by the parabola through
//!      their neighbours.
//!
//!    A 4x grid alone reads a sine near Nyquist up to 0.7 dB low; the 8x grid
//!    with the parabola misses its crest by less than 0.01 dB. Content close to
//!    Nyquist (above about 0.45 fs, as in full-band noise) is reconstructed
//!    differently by interpolators of different lengths, by up to a few tenths
//!    of a dB: taking the largest of several lengths covers meters from 12 to
//!    128 taps per phase, and the detector aims [`SAFETY_DB`] (0.05 dB) under
//!    the ceiling.
//! 3. The gain reduction needed to bring that peak to the ceiling, in dB,
//!    goes through an instant-attack, exponential-release stage (time constant
//!    `release`, in dB: after a peak the reduction decays as `e^(-t/release)`),
//!    then a sliding maximum over the attack window plus twice a margin, then a
//!    moving average over the attack window. An average of values that each
//!    cover a peak covers it too, so the gain has fully reached its target
//!    `margin` samples before the peak leaves the delay and stays there until
//!    `margin` samples after, and the gain curve has no steps (a ramp in dB
//!    over the attack window, then the exponential release).
//!
//! The lookahead (latency `L = round(lookahead * rate)` samples, at least 1)
//! is shared between the margin `M = min(4, L / 6)`, the detector's own
//! look-ahead `D` (the longest half-band's half length plus 4; about 70 % of
//! `L - M`, at most 68 samples) and the attack window of `L + 1 - D - M`
//! samples. Measured against a 16x, 96-tap-per-phase reference, the output
//! stays within 0.1 dB of the ceiling on adversarial signals from a 2 ms
//! lookahead at 44.1 and 48 kHz; shorter lookaheads leave the detector too short
//! for content near Nyquist (19-20 kHz tones, full-band noise, Nyquist trains
//! with phase slips), which can then exceed the ceiling by tenths of a dB (1 ms)
//! to several dB (0.5 ms), while the BS.1770 reading still stays under it.

use super::delay_line::DelayLine;
use super::dynamics::{amp_to_db, db_to_amp};
use super::{Dsp, DspContext, KindSpec, db_to_gain, one_pole_coeff};
use crate::analysis::true_peak::interpolated_peak;
use crate::session::{ParamInfo, Unit};
use crate::smooth::{SMOOTHING_SECONDS, Smoother, ramp_samples};

/// Parameter indices.
pub mod p {
    pub const CEILING: usize = 0;
    pub const GAIN: usize = 1;
    pub const RELEASE: usize = 2;
    pub const LOOKAHEAD: usize = 3;
}

const PARAMS: &[ParamInfo] = &[
    ParamInfo::new("ceiling", "Ceiling (dBTP)", Unit::Decibels, -20.0, 0.0, -1.0),
    ParamInfo::new("gain", "Input gain", Unit::Decibels, 0.0, 24.0, 0.0),
    ParamInfo::new("release", "Release", Unit::Milliseconds, 1.0, 1000.0, 50.0),
    ParamInfo::new("lookahead", "Lookahead", Unit::Milliseconds, 0.5, 10.0, 5.0),
];

/// The limiter's registry entry.
pub const SPEC: KindSpec = KindSpec {
    kind: "limiter",
    name: "Limiter",
    short: "Limiter",
    description: "True-peak (4x oversampled) lookahead limiter with a ceiling in dBTP",
    params: PARAMS,
    sidechain: false,
    structural: &[p::LOOKAHEAD],
    build,
};

/// The longest half-band interpolator's largest half length, in samples.
const MAX_HALF_BAND: usize = 64;
/// How many half-band interpolators (each half as long as the one before, down
/// to 8 samples a side) the detector takes the largest reading of.
const STAGES: usize = 3;
/// The detector aims this far (dB) under the ceiling: a margin for meters whose
/// interpolators resolve content near Nyquist differently from its own.
const SAFETY_DB: f32 = 0.05;
/// Samples either side of a peak over which the gain is held fully down.
const MAX_MARGIN: usize = 4;
/// Kaiser window shape of both interpolation stages.
const KAISER_BETA: f64 = 6.0;
/// Gain reductions closer than this (dB) to where they are heading snap there.
const SNAP_DB: f64 = 1e-5;
/// The input after the input gain is kept within this, so nothing overflows.
const MAX_LEVEL: f32 = 1e30;

/// Builds a limiter settled at `values`.
fn build(ctx: &DspContext, values: &[f64]) -> Box<dyn Dsp> {
    Box::new(Limiter::new(ctx, values))
}

/// A running maximum over the last `window` values (a monotonic queue),
/// allocated once. Also used by the gate's key detector.
#[derive(Debug, Clone)]
pub(crate) struct SlidingMax {
    /// Ring of (value, time pushed), values decreasing from the front.
    ring: Vec<(f32, u64)>,
    head: usize,
    len: usize,
    now: u64,
    window: u64,
}

impl SlidingMax {
    /// An empty window of `window` values (at least 1).
    pub(crate) fn new(window: usize) -> SlidingMax {
        let window = window.max(1);
        SlidingMax { ring: vec![(0.0, 0); window], head: 0, len: 0, now: 0, window: window as u64 }
    }

    /// Adds `v` and returns the largest of the last `window` values.
    #[inline]
    pub(crate) fn push(&mut self, v: f32) -> f32 {
        let cap = self.ring.len();
        self.now += 1;
        if self.len > 0 && self.ring[self.head].1 + self.window <= self.now {
            self.head = if self.head + 1 == cap { 0 } else { self.head + 1 };
            self.len -= 1;
        }
        while self.len > 0 {
            let back = (self.head + self.len - 1) % cap;
            if self.ring[back].0 > v {
                break;
            }
            self.len -= 1;
        }
        let slot = (self.head + self.len) % cap;
        self.ring[slot] = (v, self.now);
        self.len += 1;
        self.ring[self.head].0
    }

    /// Forgets every value.
    pub(crate) fn clear(&mut self) {
        self.head = 0;
        self.len = 0;
        self.now = 0;
    }
}

/// `I0(x)`, the modified Bessel function of the first kind (power series).
fn bessel_i0(x: f64) -> f64 {
    let (mut sum, mut term, q) = (1.0, 1.0, x * x / 4.0);
    for k in 1..100 {
        term *= q / (k * k) as f64;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

/// The Kaiser-windowed sinc interpolator of half length `half`: the weight of
/// the sample `i - half + 1` after an interval's start (`i` in `0..2 * half`)
/// for the point `frac` into the interval, every phase scaled to unity at DC.
fn windowed_sinc(half: usize, frac: f64) -> Vec<f64> {
    let mut taps: Vec<f64> = (0..2 * half)
        .map(|i| {
            let t = frac - (i as f64 - half as f64 + 1.0);
            let u = t / half as f64;
            let window = bessel_i0(KAISER_BETA * (1.0 - u * u).max(0.0).sqrt()) / bessel_i0(KAISER_BETA);
            let pt = std::f64::consts::PI * t;
            if pt == 0.0 { 1.0 } else { window * pt.sin() / pt }
        })
        .collect();
    let sum: f64 = taps.iter().sum();
    taps.iter_mut().for_each(|c| *c /= sum);
    taps
}

/// The peak of the parabola through three consecutive oversampled points when
/// the middle one is a local extremum, else the middle point's magnitude.
#[inline]
fn refine(y0: f32, y1: f32, y2: f32) -> f32 {
    let a = y1.abs();
    if a >= y0.abs() && a >= y2.abs() && y0 * y1 > 0.0 && y2 * y1 > 0.0 {
        let d = y0 - 2.0 * y1 + y2;
        if d * y1 < 0.0 {
            // The vertex is within half a step of the middle point and at most 1/8 above it.
            let off = 0.5 * (y0 - y2) / d;
            return (y1 - 0.25 * (y0 - y2) * off).abs();
        }
    }
    a
}

/// A history of the last `len` values, written twice so that they are always
/// contiguous (oldest first) at `buf[pos..pos + len]`.
#[derive(Debug, Clone)]
struct History {
    buf: Vec<f32>,
    pos: usize,
}

impl History {
    fn new(len: usize) -> History {
        History { buf: vec![0.0; 2 * len.max(1)], pos: 0 }
    }

    #[inline]
    fn push(&mut self, x: f32) {
        let len = self.buf.len() / 2;
        self.buf[self.pos] = x;
        self.buf[self.pos + len] = x;
        self.pos = if self.pos + 1 == len { 0 } else { self.pos + 1 };
    }

    /// The last `len` values, oldest first.
    #[inline]
    fn window(&self) -> &[f32] {
        &self.buf[self.pos..self.pos + self.buf.len() / 2]
    }

    fn clear(&mut self) {
        self.buf.fill(0.0);
        self.pos = 0;
    }
}

/// The detector's taps and sizes, shared by both channels.
#[derive(Debug)]
struct Taps {
    /// Half length of the half-band (2x) stage, in input samples.
    half_band: usize,
    /// Half length of the 4x stage, in 2x samples (even).
    quarter: usize,
    /// The detector's look-ahead `D` in input samples: `half_band + quarter / 2`.
    lookahead: usize,
    /// Length of the input history (a multiple of 8, at least `2 * half_band`
    /// and `lookahead + 6`).
    x_len: usize,
    /// The half-band interpolators, longest first: each gives the point halfway
    /// between the samples `half_band` and `half_band - 1` before the newest.
    stages: Vec<HalfBand>,
    /// 4x taps over the last `2 * quarter` 2x samples, lanes = points 0, 1/4,
    /// 2/4, 3/4 into the interval starting `quarter` 2x samples before the newest.
    quarters: Vec<[f32; 4]>,
    /// Whether the BS.1770 interpolator (the project's true-peak measure)
    /// runs too (needs `lookahead >= 6`).
    bs1770: bool,
}

impl Taps {
    fn new(half_band: usize, quarter: usize) -> Taps {
        let lookahead = half_band + quarter / 2;
        let x_len = (2 * half_band).max(lookahead + 6).div_ceil(8) * 8;
        let mut halves = vec![half_band];
        while halves.len() < STAGES && halves[halves.len() - 1] >= 16 {
            halves.push(halves[halves.len() - 1] / 2);
        }
        let stages = halves
            .into_iter()
            .map(|h| {
                // Taps for x[n - half_band - h + 1 ..= n - half_band + h], padded at the front to a multiple of 8.
                let len = (2 * h).div_ceil(8) * 8;
                let start = x_len - half_band - h - (len - 2 * h);
                let mut taps = vec![0f32; len];
                for (t, c) in taps[len - 2 * h..].iter_mut().zip(windowed_sinc(h, 0.5)) {
                    *t = c as f32;
                }
                HalfBand { start, taps }
            })
            .collect();
        let mut quarters = vec![[0f32; 4]; 2 * quarter];
        quarters[quarter - 1][0] = 1.0;
        for k in 1..4 {
            for (q, c) in quarters.iter_mut().zip(windowed_sinc(quarter, k as f64 / 4.0)) {
                q[k] = c as f32;
            }
        }
        Taps { half_band, quarter, lookahead, x_len, stages, quarters, bs1770: lookahead >= 6 }
    }
}

/// One half-band interpolator: `taps` over `x[start..start + taps.len()]` of the input history.
#[derive(Debug)]
struct HalfBand {
    start: usize,
    taps: Vec<f32>,
}

/// One channel's signal state.
#[derive(Debug, Clone)]
struct Channel {
    /// The audio path's lookahead delay.
    delay: DelayLine,
    /// The input (after the input gain).
    x: History,
    /// The 2x signals, one per half-band stage: input samples and the
    /// midpoints between them.
    z: Vec<History>,
    /// The last 8x point of the previous interval, per stage.
    prev: Vec<f32>,
}

impl Channel {
    fn new(latency: usize, taps: &Taps) -> Channel {
        Channel {
            delay: DelayLine::new(latency),
            x: History::new(taps.x_len),
            z: vec![History::new(2 * taps.quarter); taps.stages.len()],
            prev: vec![0.0; taps.stages.len()],
        }
    }

    /// Takes the next input sample and returns the true-peak estimate of the
    /// interval starting `taps.lookahead` samples before it.
    #[inline]
    fn detect(&mut self, x: f32, taps: &Taps) -> f32 {
        self.x.push(x);
        let xw = self.x.window();
        let n = taps.x_len - 1;
        let sample = xw[n - taps.half_band];
        let mut peak = 0f32;
        if taps.bs1770 {
            let start = n - taps.lookahead - 5;
            peak = interpolated_peak(&xw[start..start + 12]);
        }
        for ((stage, z), prev) in taps.stages.iter().zip(&mut self.z).zip(&mut self.prev) {
            let mut acc = [0f32; 8];
            for (c, s) in stage.taps.chunks_exact(8).zip(xw[stage.start..].chunks_exact(8)) {
                for k in 0..8 {
                    acc[k] += c[k] * s[k];
                }
            }
            let mid = acc.iter().sum::<f32>();
            // 8 points: the sample, 3 quarters, the midpoint, 3 quarters.
            let mut points = [0f32; 8];
            for (half, v) in [sample, mid].into_iter().enumerate() {
                z.push(v);
                let mut q = [0f32; 4];
                for (tap, &s) in taps.quarters.iter().zip(z.window()) {
                    for k in 0..4 {
                        q[k] += tap[k] * s;
                    }
                }
                points[4 * half..4 * half + 4].copy_from_slice(&q);
            }
            let next = z.window()[taps.quarter];
            peak = peak.max(refine(*prev, points[0], points[1]));
            for k in 1..7 {
                peak = peak.max(refine(points[k - 1], points[k], points[k + 1]));
            }
            peak = peak.max(refine(points[6], points[7], next));
            *prev = points[7];
        }
        peak
    }

    fn clear(&mut self) {
        self.delay.clear();
        self.x.clear();
        self.z.iter_mut().for_each(History::clear);
        self.prev.fill(0.0);
    }
}

/// The running limiter.
#[derive(Debug)]
pub struct Limiter {
    rate: f64,
    latency: usize,
    taps: Taps,
    chans: [Channel; 2],

    gain_db: Smoother,
    /// The input gain while it is not gliding, exact.
    gain: f32,
    ceiling_db: Smoother,
    /// The ceiling (linear) while it is not gliding, exact.
    ceiling: f32,
    release_coeff: f64,

    /// Reduction (dB, >= 0) after the release stage (f64, so that a slow
    /// release never stalls short of its target).
    env: f64,
    /// Sliding maximum of `env` over the attack window plus twice the margin.
    hold: SlidingMax,
    /// The attack window: the last `box_len` held reductions.
    boxcar: Vec<f32>,
    box_pos: usize,
    box_sum: f64,
    /// How many of the values in `boxcar` are not zero.
    box_nonzero: usize,
    /// The reduction applied to the last sample out, for metering.
    gr: f32,
}

impl Limiter {
    /// A limiter for `ctx` settled at `values` (by parameter index).
    pub fn new(ctx: &DspContext, values: &[f64]) -> Limiter {
        let rate = f64::from(ctx.sample_rate.max(1));
        let value = |i: usize| values.get(i).copied().unwrap_or(PARAMS[i].default);
        let latency = ((value(p::LOOKAHEAD) * 0.001 * rate).round() as usize).max(1);
        // 70 % of the lookahead (less the margin) to the detector, up to its
        // longest, the rest to the attack ramp.
        let margin = (latency / 6).min(MAX_MARGIN);
        let budget = ((latency - margin) * 7 / 10).max(1);
        let quarter = if budget >= 12 {
            8
        } else if budget >= 6 {
            4
        } else {
            2
        };
        let half_band = budget.saturating_sub(quarter / 2).clamp(1, MAX_HALF_BAND);
        let taps = Taps::new(half_band, quarter);
        let box_len = (latency + 1).saturating_sub(taps.lookahead + margin).max(1);
        let chan = Channel::new(latency, &taps);
        let ramp = ramp_samples(SMOOTHING_SECONDS, ctx.sample_rate.max(1));
        Limiter {
            rate,
            latency,
            taps,
            chans: [chan.clone(), chan],
            gain_db: Smoother::new(value(p::GAIN), ramp),
            gain: db_to_gain(value(p::GAIN)) as f32,
            ceiling_db: Smoother::new(value(p::CEILING), ramp),
            ceiling: db_to_gain(value(p::CEILING) - f64::from(SAFETY_DB)) as f32,
            release_coeff: one_pole_coeff(value(p::RELEASE), rate),
            env: 0.0,
            hold: SlidingMax::new(box_len + 2 * margin),
            boxcar: vec![0.0; box_len],
            box_pos: 0,
            box_sum: 0.0,
            box_nonzero: 0,
            gr: 0.0,
        }
    }

    /// Feeds one required reduction (dB) through release, hold and attack
    /// smoothing and returns the reduction to apply now.
    #[inline]
    fn smooth(&mut self, required: f32) -> f32 {
        let required = f64::from(required);
        if required >= self.env {
            self.env = required;
        } else {
            self.env = required + self.release_coeff * (self.env - required);
            if self.env - required < SNAP_DB {
                self.env = required;
            }
        }
        let held = self.hold.push(self.env as f32);
        let old = std::mem::replace(&mut self.boxcar[self.box_pos], held);
        self.box_pos = if self.box_pos + 1 == self.boxcar.len() { 0 } else { self.box_pos + 1 };
        self.box_nonzero = self.box_nonzero + usize::from(held != 0.0) - usize::from(old != 0.0);
        if self.box_nonzero == 0 {
            self.box_sum = 0.0;
            0.0
        } else {
            self.box_sum += f64::from(held) - f64::from(old);
            (self.box_sum / self.boxcar.len() as f64).max(0.0) as f32
        }
    }
}

impl Dsp for Limiter {
    fn set_param(&mut self, index: usize, value: f64) {
        match index {
            p::CEILING => {
                self.ceiling_db.set_target(value);
                self.ceiling = db_to_gain(value - f64::from(SAFETY_DB)) as f32;
            }
            p::GAIN => {
                self.gain_db.set_target(value);
                self.gain = db_to_gain(value) as f32;
            }
            p::RELEASE => self.release_coeff = one_pole_coeff(value, self.rate),
            // The lookahead is structural: it takes effect when the graph rebuilds the limiter.
            _ => {}
        }
    }

    fn process(&mut self, io: &mut [&mut [f32]], _key: Option<[&[f32]; 2]>) {
        let nch = io.len().min(2);
        if nch == 0 {
            return;
        }
        let frames = io[..nch].iter().map(|c| c.len()).min().unwrap_or(0);
        let latency = self.latency;
        for i in 0..frames {
            let gain =
                if self.gain_db.is_moving() { db_to_amp(self.gain_db.advance(1) as f32) } else { self.gain };
            let (ceiling, ceiling_db) = if self.ceiling_db.is_moving() {
                let db = self.ceiling_db.advance(1) as f32 - SAFETY_DB;
                (db_to_amp(db), db)
            } else {
                (self.ceiling, self.ceiling_db.value() as f32 - SAFETY_DB)
            };
            let mut delayed = [0f32; 2];
            let mut peak = 0f32;
            for c in 0..nch {
                let x = (io[c][i] * gain).clamp(-MAX_LEVEL, MAX_LEVEL);
                let ch = &mut self.chans[c];
                delayed[c] = ch.delay.push(x, latency);
                peak = peak.max(ch.detect(x, &self.taps));
            }
            let required = if peak > ceiling { (amp_to_db(peak) - ceiling_db).max(0.0) } else { 0.0 };
            let gr = self.smooth(required);
            let g = if gr == 0.0 { 1.0 } else { db_to_amp(-gr) };
            for c in 0..nch {
                io[c][i] = delayed[c] * g;
            }
            self.gr = gr;
        }
    }

    fn latency(&self) -> usize {
        self.latency
    }

    fn gain_reduction_db(&self) -> Option<f32> {
        Some(self.gr)
    }

    fn reset(&mut self) {
        for ch in &mut self.chans {
            ch.clear();
        }
        self.env = 0.0;
        self.hold.clear();
        self.boxcar.fill(0.0);
        self.box_pos = 0;
        self.box_sum = 0.0;
        self.box_nonzero = 0;
        self.gr = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_max_matches_a_brute_force_maximum() {
        let mut m = SlidingMax::new(7);
        let mut x = 0x1234_5678u32;
        let mut seen = Vec::new();
        for _ in 0..500 {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let v = (x >> 20) as f32 / 4096.0;
            seen.push(v);
            let want = seen.iter().rev().take(7).fold(f32::MIN, |a, b| a.max(*b));
            assert_eq!(m.push(v), want);
        }
    }

    #[test]
    fn refine_finds_the_vertex_of_a_parabola() {
        // y = 2 - (t - 0.3)^2 at t = -1, 0, 1: the vertex is 2.
        let y = |t: f32| 2.0 - (t - 0.3) * (t - 0.3);
        assert!((refine(y(-1.0), y(0.0), y(1.0)) - 2.0).abs() < 1e-6);
        assert!((refine(-y(-1.0), -y(0.0), -y(1.0)) - 2.0).abs() < 1e-6);
        // Not an extremum: the middle point as it is.
        assert_eq!(refine(1.0, 2.0, 3.0), 2.0);
    }

    #[test]
    fn every_interpolator_phase_has_unity_gain_at_dc_and_the_half_band_is_symmetric() {
        for half in [4, 9, 64] {
            for frac in [0.125, 0.25, 0.5, 0.875] {
                assert!((windowed_sinc(half, frac).iter().sum::<f64>() - 1.0).abs() < 1e-12);
            }
            let mid = windowed_sinc(half, 0.5);
            assert!(mid.iter().zip(mid.iter().rev()).all(|(a, b)| (a - b).abs() < 1e-15));
        }
    }

    #[test]
    fn the_detector_reads_a_tone_between_samples_at_or_just_over_its_crest() {
        let taps = Taps::new(64, 8);
        for (freq, phase) in [(0.25, std::f64::consts::FRAC_PI_4), (0.4535, 0.3), (0.02, 1.0)] {
            let mut ch = Channel::new(240, &taps);
            let mut worst = f32::MAX;
            let mut best = 0f32;
            for i in 0..2000 {
                let x = (0.5 * (2.0 * std::f64::consts::PI * freq * i as f64 + phase).sin()) as f32;
                let p = ch.detect(x, &taps);
                if i > 400 {
                    best = best.max(p);
                    // Over any 1 / freq samples, the largest reading is the crest.
                    if i % (1.0 / freq).ceil() as usize == 0 {
                        worst = worst.min(best);
                        best = 0.0;
                    }
                }
            }
            // Never under the crest; over it by at most the BS.1770 filter's
            // passband ripple (+0.25 dB, at fs/4), which the detector includes.
            assert!(worst / 0.5 > 0.998 && worst / 0.5 < 1.03, "{freq}: {worst}");
        }
    }
}
