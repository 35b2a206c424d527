//! Chorus / flanger: modulated short delays. Long base delays and no feedback
//! give a chorus; short base delays with feedback give a flanger.
//!
//! - Each voice reads the delay memory at `delay + depth * sin(phase)` (ms),
//!   by linear interpolation; the voices' LFO phases are spread evenly
//!   (voice `v` of `n` at `v/n` of a cycle). The modulation depth is held below
//!   the base delay so the delay never drops under one sample: the instantaneous
//!   delay always lies in `[delay - depth, delay + depth]`.
//! - Stereo: each channel has its own delay memory. One voice is heard on
//!   both sides; with more, even voices make the left wet signal and odd
//!   voices the right (each side the average of its voices), so alternate
//!   voices are panned left and right and the input's stereo image is kept.
//! - Feedback (signed, for flanging) returns each side's wet signal into its
//!   delay memory.
//! - Mix: `dry * (1 - mix) + wet * mix`. On a mono track the wet signal is the
//!   stereo wet folded to mono, `(L+R)/2`.
//! - Changing the voice count glides the voices' phases and side gains over
//!   50 ms; delay and depth glide over 50 ms, feedback and mix over 5 ms.

use std::f64::consts::TAU;

use super::delay::block_ramp;
use super::{Dsp, DspContext, KindSpec, MonoOrStereo, run_mono_or_stereo};
use crate::session::{ParamInfo, Unit};
use crate::smooth::{SMOOTHING_SECONDS, Smoother, ramp_samples};

/// Parameter indices.
pub mod p {
    pub const RATE: usize = 0;
    pub const DEPTH: usize = 1;
    pub const DELAY: usize = 2;
    pub const VOICES: usize = 3;
    pub const FEEDBACK: usize = 4;
    pub const MIX: usize = 5;
}

const PARAMS: &[ParamInfo] = &[
    ParamInfo::new("rate", "Rate", Unit::Hertz, 0.01, 10.0, 0.8),
    ParamInfo::new("depth", "Depth", Unit::Milliseconds, 0.0, 10.0, 2.0),
    ParamInfo::new("delay", "Base delay", Unit::Milliseconds, 0.5, 30.0, 7.0),
    ParamInfo::choice("voices", "Voices", &["1", "2", "3", "4"], 1),
    ParamInfo::new("feedback", "Feedback", Unit::Percent, -95.0, 95.0, 0.0),
    ParamInfo::new("mix", "Mix", Unit::Percent, 0.0, 100.0, 50.0),
];

/// The chorus's registry entry.
pub const SPEC: KindSpec = KindSpec {
    kind: "chorus",
    name: "Chorus / Flanger",
    short: "Chorus",
    description: "Modulated delay voices; short delay plus feedback makes it a flanger",
    params: PARAMS,
    sidechain: false,
    structural: &[],
    build,
};

/// How long delay, depth and voice-count changes glide.
const GLIDE_SECONDS: f64 = 0.05;

/// The most voices.
const VOICES: usize = 4;

/// Feedback below this magnitude is flushed to zero (no subnormal tails).
const FLUSH: f32 = 1e-20;

/// The registry entry's build: a chorus settled at `values`.
fn build(ctx: &DspContext, values: &[f64]) -> Box<dyn Dsp> {
    Box::new(Chorus::new(ctx, values))
}

/// Each voice's gain on the left and right wet signal for `n` voices.
fn side_gains(n: usize) -> [[f64; 2]; VOICES] {
    let mut g = [[0.0; 2]; VOICES];
    if n <= 1 {
        g[0] = [1.0, 1.0];
        return g;
    }
    let left = n.div_ceil(2) as f64;
    let right = (n / 2) as f64;
    for (v, gv) in g.iter_mut().enumerate().take(n) {
        *gv = if v % 2 == 0 { [1.0 / left, 0.0] } else { [0.0, 1.0 / right] };
    }
    g
}

/// A unit phasor `(cos, sin)` at `angle`.
fn phasor(angle: f64) -> (f64, f64) {
    let (s, c) = angle.sin_cos();
    (c, s)
}

/// `a` rotated by `b`.
#[inline]
fn rotate(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    (a.0 * b.0 - a.1 * b.1, a.1 * b.0 + a.0 * b.1)
}

/// `a` scaled back towards unit length (one Newton step, for slow drift).
fn renormalize(a: (f64, f64)) -> (f64, f64) {
    let k = 1.5 - 0.5 * (a.0 * a.0 + a.1 * a.1);
    (a.0 * k, a.1 * k)
}

/// The running chorus.
pub struct Chorus {
    rate: f64,
    /// Delay memory, left and right, a power of two long each.
    buf: [Vec<f32>; 2],
    mask: usize,
    /// Where the next sample is written.
    w: usize,
    /// The LFO: the phasor of the master phase and its rotation per sample.
    lfo: (f64, f64),
    step: (f64, f64),
    /// The voice count asked for.
    voices: usize,
    /// Each voice's phase offset (as a phasor) and its target angle.
    offset: [(f64, f64); VOICES],
    offset_target: [f64; VOICES],
    /// Per-sample rotation of each offset while it glides, and samples left.
    offset_step: [(f64, f64); VOICES],
    offset_left: u32,
    /// Each voice's gain on the left and right wet signal.
    gains: [[Smoother; 2]; VOICES],
    /// Base delay and depth, in samples.
    delay: Smoother,
    depth: Smoother,
    feedback: Smoother,
    mix: Smoother,
    glide: u32,
}

impl Chorus {
    fn new(ctx: &DspContext, values: &[f64]) -> Chorus {
        let rate = f64::from(ctx.sample_rate.max(1));
        let v = |i: usize| values.get(i).copied().unwrap_or(PARAMS[i].default);
        let longest = (PARAMS[p::DELAY].max + PARAMS[p::DEPTH].max) * 0.001 * rate;
        let size = (longest.ceil() as usize + 3).next_power_of_two();
        let smooth = ramp_samples(SMOOTHING_SECONDS, ctx.sample_rate);
        let glide = ramp_samples(GLIDE_SECONDS, ctx.sample_rate);
        let voices = v(p::VOICES).round().clamp(0.0, (VOICES - 1) as f64) as usize + 1;
        let g = side_gains(voices);
        let ms = rate * 0.001;
        let mut c = Chorus {
            rate,
            buf: [vec![0.0; size], vec![0.0; size]],
            mask: size - 1,
            w: 0,
            lfo: (1.0, 0.0),
            step: (1.0, 0.0),
            voices,
            offset: [(1.0, 0.0); VOICES],
            offset_target: [0.0; VOICES],
            offset_step: [(1.0, 0.0); VOICES],
            offset_left: 0,
            gains: g.map(|[l, r]| [Smoother::new(l, glide), Smoother::new(r, glide)]),
            delay: Smoother::new(v(p::DELAY) * ms, glide),
            depth: Smoother::new(v(p::DEPTH) * ms, glide),
            feedback: Smoother::new(v(p::FEEDBACK) * 0.01, smooth),
            mix: Smoother::new(v(p::MIX) * 0.01, smooth),
            glide,
        };
        c.set_rate(v(p::RATE));
        for i in 0..VOICES {
            c.offset_target[i] = TAU * i as f64 / voices as f64;
            c.offset[i] = phasor(c.offset_target[i]);
        }
        c
    }

    fn set_rate(&mut self, hz: f64) {
        self.step = phasor(TAU * hz / self.rate);
    }

    /// Retargets the voices for a new count: phases glide the short way round,
    /// except silent voices', which jump.
    fn set_voices(&mut self, n: usize) {
        self.voices = n;
        let g = side_gains(n);
        for v in 0..VOICES {
            let target = TAU * v as f64 / n as f64;
            let silent = self.gains[v].iter().all(|s| s.value() == 0.0 && !s.is_moving());
            let now = self.offset[v].1.atan2(self.offset[v].0);
            let mut turn = (target - now) % TAU;
            if turn > TAU / 2.0 {
                turn -= TAU;
            } else if turn < -TAU / 2.0 {
                turn += TAU;
            }
            self.offset_target[v] = target;
            if silent {
                self.offset[v] = phasor(target);
                self.offset_step[v] = (1.0, 0.0);
            } else {
                self.offset_step[v] = phasor(turn / f64::from(self.glide));
            }
            self.gains[v][0].set_target(g[v][0]);
            self.gains[v][1].set_target(g[v][1]);
        }
        self.offset_left = self.glide;
    }

    /// Voices that are heard now or are fading.
    fn active(&self) -> usize {
        (0..VOICES)
            .rev()
            .find(|&v| self.gains[v].iter().any(|s| s.value() != 0.0 || s.is_moving()))
            .map_or(1, |v| v + 1)
    }
}

/// Shows the settings, not the (large) delay memory.
impl std::fmt::Debug for Chorus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chorus")
            .field("rate", &self.rate)
            .field("voices", &self.voices)
            .field("delay", &self.delay)
            .field("depth", &self.depth)
            .field("feedback", &self.feedback)
            .field("mix", &self.mix)
            .finish_non_exhaustive()
    }
}

impl Dsp for Chorus {
    fn set_param(&mut self, index: usize, value: f64) {
        let ms = self.rate * 0.001;
        match index {
            p::RATE => self.set_rate(value),
            p::DEPTH => self.depth.set_target(value * ms),
            p::DELAY => self.delay.set_target(value * ms),
            p::VOICES => {
                let n = value.round().clamp(0.0, (VOICES - 1) as f64) as usize + 1;
                if n != self.voices {
                    self.set_voices(n);
                }
            }
            p::FEEDBACK => self.feedback.set_target(value * 0.01),
            p::MIX => self.mix.set_target(value * 0.01),
            _ => {}
        }
    }

    fn process(&mut self, io: &mut [&mut [f32]], _key: Option<[&[f32]; 2]>) {
        run_mono_or_stereo(self, io);
    }

    fn reset(&mut self) {
        for b in &mut self.buf {
            b.fill(0.0);
        }
        self.lfo = (1.0, 0.0);
        for v in 0..VOICES {
            self.offset[v] = phasor(self.offset_target[v]);
            self.offset_step[v] = (1.0, 0.0);
            for s in &mut self.gains[v] {
                s.jump(s.target());
            }
        }
        self.offset_left = 0;
        for s in [&mut self.delay, &mut self.depth, &mut self.feedback, &mut self.mix] {
            s.jump(s.target());
        }
    }
}

impl MonoOrStereo for Chorus {
    /// Runs one block in place: stereo when `STEREO` (`l`, `r` of equal
    /// length), else the mono track `l` (its wet signal is the stereo wet folded
    /// to mono, `r` is unused).
    #[inline]
    fn run<const STEREO: bool>(&mut self, l: &mut [f32], r: &mut [f32]) {
        let n = l.len();
        let active = self.active();
        let (delay0, ddelay) = block_ramp(&mut self.delay, n);
        let (depth0, ddepth) = block_ramp(&mut self.depth, n);
        let (fb0, dfb) = block_ramp(&mut self.feedback, n);
        let (mix0, dmix) = block_ramp(&mut self.mix, n);
        let mut g0 = [[0f32; 2]; VOICES];
        let mut dg = [[0f32; 2]; VOICES];
        for v in 0..active {
            for s in 0..2 {
                (g0[v][s], dg[v][s]) = block_ramp(&mut self.gains[v][s], n);
            }
        }
        let heard: [[bool; 2]; VOICES] =
            std::array::from_fn(|v| [0, 1].map(|s| g0[v][s] != 0.0 || dg[v][s] != 0.0));
        let glide = self.offset_left as usize;
        let mask = self.mask;
        let [bl, br] = &mut self.buf;
        let (mut lfo, step) = (self.lfo, self.step);
        let mut offset = self.offset;
        let mut w = self.w;
        let mut off32 = offset.map(|o| (o.0 as f32, o.1 as f32));
        for i in 0..n {
            let k = (i + 1) as f32;
            let delay = delay0 + ddelay * k;
            let depth = (depth0 + ddepth * k).min(delay - 1.0);
            let fb = fb0 + dfb * k;
            let mix = mix0 + dmix * k;
            let xl = l[i];
            let xr = if STEREO { r[i] } else { xl };
            lfo = rotate(lfo, step);
            if i < glide {
                for v in 0..active {
                    offset[v] = rotate(offset[v], self.offset_step[v]);
                }
            }
            let (mut yl, mut yr) = (0f32, 0f32);
            let (lc, ls) = (lfo.0 as f32, lfo.1 as f32);
            if i < glide {
                for v in 0..active {
                    off32[v] = (offset[v].0 as f32, offset[v].1 as f32);
                }
            }
            for v in 0..active {
                let sin = ls * off32[v].0 + lc * off32[v].1;
                let d = (delay + depth * sin).max(1.0);
                let j = d as usize;
                let f = d - j as f32;
                let (a, b) = (w.wrapping_sub(j) & mask, w.wrapping_sub(j + 1) & mask);
                // With more than one voice each is heard on one side only.
                if heard[v][0] {
                    yl += (g0[v][0] + dg[v][0] * k) * (bl[a] + (bl[b] - bl[a]) * f);
                }
                if heard[v][1] {
                    yr += (g0[v][1] + dg[v][1] * k) * (br[a] + (br[b] - br[a]) * f);
                }
            }
            let (wl, wr) = (xl + fb * yl, xr + fb * yr);
            bl[w] = if wl.abs() < FLUSH { 0.0 } else { wl };
            br[w] = if wr.abs() < FLUSH { 0.0 } else { wr };
            w = (w + 1) & mask;
            if STEREO {
                l[i] = xl + (yl - xl) * mix;
                r[i] = xr + (yr - xr) * mix;
            } else {
                l[i] = xl + (0.5 * (yl + yr) - xl) * mix;
            }
        }
        self.w = w;
        self.lfo = renormalize(lfo);
        if glide > 0 {
            self.offset_left -= glide.min(n) as u32;
            if self.offset_left == 0 {
                for v in 0..VOICES {
                    offset[v] = phasor(self.offset_target[v]);
                    self.offset_step[v] = (1.0, 0.0);
                }
            }
        }
        self.offset = offset.map(renormalize);
    }
}
