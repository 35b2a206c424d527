//! Algorithmic stereo reverb: pre-delay, input diffusion, and an 8-line
//! feedback delay network whose loop gains give the set decay time (RT60).
//!
//! Signal flow and parameters:
//! - **Pre-delay** (both channels): the wet signal starts this long after the
//!   dry one. A change crossfades from the old tap to the new one over 20 ms.
//! - **Diffusion**: four Schroeder allpasses per channel (1.9 to 7.3 ms, other
//!   lengths on the right than on the left) smear the input before it enters
//!   the network; their gains are 0.75, 0.75, 0.625, 0.625 times `diffusion`.
//!   At 0 % they are plain delays, so the wet onset then comes 16.4 ms (left)
//!   and 18 ms (right) after the pre-delay.
//! - **Network**: 8 delay lines, prime sample counts from 20-39 ms (size 0) to
//!   50-98 ms (size 100 %), mixed by a Hadamard matrix (orthogonal, so the
//!   loop is lossless but for the gains below). The left input feeds the even
//!   lines and the right the odd ones; the left output is taken from the even
//!   lines' inputs and the right from the odd ones', so the two sides are
//!   decorrelated and the wet signal starts right at the pre-delay.
//! - **Decay** (RT60): each line's loop gain is `g = 10^(-3 len / (rate T))`,
//!   so every path loses 60 dB in `T`. Without damping `T` is the setting;
//!   with damping, `T` (the low-frequency decay) is solved so that the
//!   broadband T30 of the impulse response (Schroeder integral, -5 to -35 dB)
//!   equals the setting (see `Design`).
//! - **Damping**: a one-pole low-pass in each loop, designed per line so the
//!   decay time at 10 kHz is `1 - 0.8 damping` times the low-frequency one
//!   (100 %: a fifth), adding at most 12 dB per pass at 10 kHz.
//! - **Width**: the wet outputs' side signal `(L-R)/2` scaled by `width`
//!   (0 % = mono wet, 100 % = the decorrelated pair).
//! - **Mix**: `dry * (1 - mix) + wet * mix`. On a mono track the wet signal is
//!   the stereo wet of the track fed to both inputs, folded to `(L+R)/2`.
//!
//! Decay and damping glide over 50 ms (the loop is redesigned once per block
//! while they move), size moves the line lengths over 0.2 s (read with linear
//! interpolation meanwhile), diffusion, width and mix glide over 5 ms.
//!
//! All state below 1e-15 (-300 dB) is flushed to exact zero, so a tail ends in
//! silence instead of subnormal floats, with or without flush-to-zero.

use std::f64::consts::{LN_10, PI};

use super::delay::{Tap, block_ramp};
use super::{Dsp, DspContext, KindSpec, MonoOrStereo, run_mono_or_stereo};
use crate::session::{ParamInfo, Unit};
use crate::smooth::{SMOOTHING_SECONDS, Smoother, ramp_samples};

/// Parameter indices.
pub mod p {
    pub const PREDELAY: usize = 0;
    pub const DECAY: usize = 1;
    pub const SIZE: usize = 2;
    pub const DAMPING: usize = 3;
    pub const DIFFUSION: usize = 4;
    pub const WIDTH: usize = 5;
    pub const MIX: usize = 6;
}

const PARAMS: &[ParamInfo] = &[
    ParamInfo::new("predelay", "Pre-delay", Unit::Milliseconds, 0.0, 250.0, 20.0),
    ParamInfo::new("decay", "Decay time (RT60)", Unit::Seconds, 0.1, 20.0, 2.0),
    ParamInfo::new("size", "Size", Unit::Percent, 0.0, 100.0, 50.0),
    ParamInfo::new("damping", "Damping", Unit::Percent, 0.0, 100.0, 40.0),
    ParamInfo::new("diffusion", "Diffusion", Unit::Percent, 0.0, 100.0, 70.0),
    ParamInfo::new("width", "Width", Unit::Percent, 0.0, 100.0, 100.0),
    ParamInfo::new("mix", "Mix", Unit::Percent, 0.0, 100.0, 30.0),
];

/// The reverb's registry entry.
pub const SPEC: KindSpec = KindSpec {
    kind: "reverb",
    name: "Reverb",
    short: "Reverb",
    description: "Stereo feedback-delay-network reverb with pre-delay, decay time, damping and width",
    params: PARAMS,
    sidechain: false,
    structural: &[],
    build,
};

/// The eight delay lines' lengths in ms at size 100 %; size scales them by
/// 0.4 (size 0: 20-39 ms) to 1 (50-98 ms), rounded to distinct prime sample counts.
const LINE_MS: [f64; LINES] = [50.3, 56.1, 61.7, 67.9, 74.3, 81.1, 89.3, 97.7];

/// The input diffusers' lengths in ms: four allpasses per channel.
const DIFFUSER_MS: [f64; 8] = [1.9, 3.1, 4.7, 6.7, 2.2, 3.4, 5.1, 7.3];

/// Each diffuser's allpass gain at diffusion 100 %.
const DIFFUSER_GAIN: [f32; 4] = [0.75, 0.75, 0.625, 0.625];

/// The frequency where damping sets the decay-time ratio (clamped below Nyquist).
const DAMPING_HZ: f64 = 10_000.0;

/// At damping 100 % the decay time at [`DAMPING_HZ`] is this fraction of the
/// low-frequency one (0 % keeps it equal).
const DAMPING_MAX: f64 = 0.8;

/// The most attenuation damping adds to one pass through a line at
/// [`DAMPING_HZ`]: beyond it (short decays in large rooms) a pass would all
/// but erase the highs and the broadband decay would no longer follow the model.
const MAX_DAMPING_DB: f64 = 12.0;

/// How long size, decay and damping changes glide.
const GLIDE_SECONDS: f64 = 0.05;

/// How long a size change moves the delay lines' lengths (a slow glide, so the
/// tail bends in pitch only slightly).
const SIZE_GLIDE_SECONDS: f64 = 0.2;

/// How long a pre-delay change crossfades between the old and the new tap.
const PREDELAY_FADE_SECONDS: f64 = 0.02;

/// State smaller than this is flushed to exact zero (-300 dBFS): the tail ends
/// in silence instead of subnormal floats, with or without flush-to-zero.
const FLUSH: f32 = 1e-15;

/// Gain of the diffused input into each delay line.
const INPUT_GAIN: f32 = 0.5;

/// Gain of the four lines that make each output channel.
const OUTPUT_GAIN: f32 = 0.35;

/// Frequencies the decay model samples.
const MODEL_POINTS: usize = 16;

/// The registry entry's build: a reverb settled at `values`.
fn build(ctx: &DspContext, values: &[f64]) -> Box<dyn Dsp> {
    Box::new(Reverb::new(ctx, values))
}

const LINES: usize = 8;

#[inline]
fn flush(x: f32) -> f32 {
    if x.abs() < FLUSH { 0.0 } else { x }
}

fn is_prime(n: usize) -> bool {
    n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| !n.is_multiple_of(d))
}

/// The delay lines' lengths in samples for `size` (0 to 1): distinct primes.
fn line_lengths(size: f64, rate: f64) -> [usize; LINES] {
    let scale = 0.4 + 0.6 * size.clamp(0.0, 1.0);
    let mut out = [0; LINES];
    for i in 0..LINES {
        let mut n = ((LINE_MS[i] * scale * rate * 0.001).round() as usize).max(2);
        while !is_prime(n) || out[..i].contains(&n) {
            n += 1;
        }
        out[i] = n;
    }
    out
}

/// In-place fast Walsh-Hadamard transform of 8 values (unnormalised: the
/// matrix is orthogonal once scaled by `1/sqrt(8)`).
#[inline]
fn hadamard(x: &mut [f32; LINES]) {
    let mut h = 1;
    while h < LINES {
        let mut i = 0;
        while i < LINES {
            for j in i..i + h {
                let (a, b) = (x[j], x[j + h]);
                x[j] = a + b;
                x[j + h] = a - b;
            }
            i += 2 * h;
        }
        h *= 2;
    }
}

/// Per-line loop coefficients: the damping one-pole `s = c y + b s`, whose DC
/// gain `c / (1 - b)` is the line's loop gain (with the Hadamard's `1/sqrt(8)`).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Loop {
    c: [f32; LINES],
    b: [f32; LINES],
}

/// The decay model: the low-frequency decay time `t_dc` and every line's
/// damping pole for a set decay, damping and line lengths.
///
/// Each line's low-frequency loop gain is `g = 10^(-3 len / (rate t_dc))`, and
/// its one-pole low-pass `(1-b) / (1 - b z^-1)` adds the attenuation that makes
/// the decay time at [`DAMPING_HZ`] `1 - 0.8 damping` times `t_dc`. A one-pole
/// damps everything above its corner, so the broadband decay (what the
/// Schroeder T30 of an impulse response measures) is shorter than `t_dc`:
/// `t_dc` is solved so that the modelled broadband T30 equals the set decay.
/// The model: at frequency `w` the energy decays at the lines' total
/// attenuation per pass over their total length (the network mixes every line
/// into every other), every frequency starts with equal energy (a diffuse,
/// white response) that arrives a pass ahead of its first loss, and T30 is
/// the least-squares slope of the backward-integrated energy from -5 to
/// -35 dB, as measured. The solve costs a few microseconds and runs only
/// when decay, damping or size change.
#[derive(Debug, Clone, Copy)]
struct Design {
    rate: f64,
    /// `sin^2(w/2)` at the model's frequencies and at the damping frequency.
    sin2: [f64; MODEL_POINTS],
    sin2_ref: f64,
    /// The last solution's `t_dc / decay`, to start the next solve from.
    ratio: f64,
}

impl Design {
    fn new(rate: f64) -> Design {
        let sin2 = std::array::from_fn(|k| {
            let w = PI * (k as f64 + 0.5) / MODEL_POINTS as f64;
            (w / 2.0).sin().powi(2)
        });
        let w_ref = 2.0 * PI * DAMPING_HZ.min(0.45 * rate) / rate;
        Design { rate, sin2, sin2_ref: (w_ref / 2.0).sin().powi(2), ratio: 1.0 }
    }

    /// Each line's damping pole and `q` (with `|H(w)|^-2 = 1 + q sin^2(w/2)`)
    /// when the low-frequency decay time is `t_dc`.
    fn poles(&self, t_dc: f64, alpha: f64, lens: &[f64; LINES]) -> ([f64; LINES], [f64; LINES]) {
        let mut b = [0.0; LINES];
        let mut q = [0.0; LINES];
        for i in 0..LINES {
            let atten = 60.0 * lens[i] / (self.rate * t_dc);
            let extra = (atten * (1.0 / alpha - 1.0)).min(MAX_DAMPING_DB);
            let qi = (10f64.powf(extra / 10.0) - 1.0) / self.sin2_ref;
            // The pole of 1 + q sin^2 = |1 - b e^-jw|^2 / (1-b)^2 inside the unit circle.
            let m = 1.0 + 2.0 / qi.max(1e-300);
            let bi = (1.0 / (m + (m * m - 1.0).sqrt())).min(0.995);
            b[i] = bi;
            q[i] = 4.0 * bi / ((1.0 - bi) * (1.0 - bi));
        }
        (b, q)
    }

    /// The modelled broadband T30 (seconds) for the low-frequency decay time `t_dc`.
    fn t30(&self, t_dc: f64, alpha: f64, lens: &[f64; LINES]) -> f64 {
        let (_, q) = self.poles(t_dc, alpha, lens);
        let total: f64 = lens.iter().sum();
        let base = 60.0 / (self.rate * t_dc);
        // Energy decay rate in nepers per sample at each model frequency.
        let mut rho = [0.0; MODEL_POINTS];
        for (k, r) in rho.iter_mut().enumerate() {
            let extra: f64 = q.iter().map(|qi| (qi * self.sin2[k]).ln_1p()).sum();
            *r = base * LN_10 / 10.0 + extra / total;
        }
        // The energy left after time t at one frequency: the loop attenuates once
        // per pass, so a pass's worth of energy arrives before the first loss:
        // the staircase sum_k L e^(-r L k), i.e. e^(-r t) L / (1 - e^(-r L)).
        let pass = total / LINES as f64;
        let weight = rho.map(|r| pass / -(-r * pass).exp_m1());
        // ln of the backward-integrated energy at time t (samples), and its slope.
        let edc = |t: f64| -> (f64, f64) {
            let (mut e, mut de) = (0.0, 0.0);
            for (r, w) in rho.iter().zip(weight) {
                let x = (-r * t).exp() * w;
                e += x;
                de -= x * r;
            }
            (e.ln(), de / e)
        };
        let e0 = edc(0.0).0;
        // Newton from the left: ln EDC is convex, so the steps never overshoot.
        let solve = |db: f64, mut t: f64| {
            let target = e0 - db * LN_10 / 10.0;
            for _ in 0..30 {
                let (e, de) = edc(t);
                let step = (e - target) / de;
                t -= step;
                if step.abs() < 1e-3 * t.max(1.0) {
                    break;
                }
            }
            t
        };
        let t5 = solve(5.0, 0.0);
        let t35 = solve(35.0, t5);
        // Least-squares slope of the dB curve over [t5, t35].
        const FIT: usize = 9;
        let (mut sx, mut sy, mut sxx, mut sxy) = (0.0, 0.0, 0.0, 0.0);
        for j in 0..FIT {
            let t = t5 + (t35 - t5) * j as f64 / (FIT - 1) as f64;
            let y = edc(t).0 * 10.0 / LN_10;
            sx += t;
            sy += y;
            sxx += t * t;
            sxy += t * y;
        }
        let n = FIT as f64;
        let slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
        -60.0 / slope / self.rate
    }

    /// The loop coefficients for decay `t60` (s), `damping` (0 to 1) and line lengths in samples.
    fn solve(&mut self, t60: f64, damping: f64, lens: &[f64; LINES]) -> Loop {
        let alpha = 1.0 - DAMPING_MAX * damping.clamp(0.0, 1.0);
        let t_dc = if alpha >= 1.0 {
            t60
        } else {
            let mut ratio = self.ratio.clamp(1.0, 10.0);
            for _ in 0..8 {
                let got = self.t30(t60 * ratio, alpha, lens);
                if !(got.is_finite() && got > 0.0) {
                    // Never expected; keep the last good ratio rather than risk NaN in the loop.
                    break;
                }
                let next = (ratio * t60 / got).clamp(1.0, 10.0);
                let done = (next / ratio - 1.0).abs() < 2e-3;
                ratio = next;
                if done {
                    break;
                }
            }
            self.ratio = ratio;
            t60 * ratio
        };
        let b = if alpha >= 1.0 { [0.0; LINES] } else { self.poles(t_dc, alpha, lens).0 };
        let norm = 1.0 / (LINES as f64).sqrt();
        let mut l = Loop { c: [0.0; LINES], b: [0.0; LINES] };
        for i in 0..LINES {
            let g = 10f64.powf(-3.0 * lens[i] / (self.rate * t_dc));
            l.c[i] = (g * (1.0 - b[i]) * norm) as f32;
            l.b[i] = b[i] as f32;
        }
        l
    }
}

/// The running reverb.
pub struct Reverb {
    rate: f64,
    /// A running sample counter: every ring buffer below writes at `t & mask`.
    t: usize,
    /// Pre-delay memory, left then right, `pre_mask + 1` each.
    pre: Vec<f32>,
    pre_mask: usize,
    predelay: Tap,
    /// Diffuser memory, eight allpasses of `ap_mask + 1` each, and their lengths.
    ap: Vec<f32>,
    ap_mask: usize,
    ap_len: [usize; 8],
    diffusion: Smoother,
    /// Delay-line memory, eight lines of `line_mask + 1` each.
    lines: Vec<f32>,
    line_mask: usize,
    /// Each line's length in samples (gliding after a size change).
    len: [Smoother; LINES],
    /// The damping filters' states.
    state: [f32; LINES],
    coeffs: Loop,
    design: Design,
    /// Whether the loop must be redesigned before the next block.
    dirty: bool,
    decay: Smoother,
    damping: Smoother,
    width: Smoother,
    mix: Smoother,
}

impl Reverb {
    fn new(ctx: &DspContext, values: &[f64]) -> Reverb {
        let rate = f64::from(ctx.sample_rate.max(1));
        let v = |i: usize| values.get(i).copied().unwrap_or(PARAMS[i].default);
        let ms = rate * 0.001;
        let pre_size = ((PARAMS[p::PREDELAY].max * ms).ceil() as usize + 2).next_power_of_two();
        let ap_len = DIFFUSER_MS.map(|d| ((d * ms).round() as usize).max(1));
        let ap_size = (ap_len.iter().max().copied().unwrap_or(1) + 1).next_power_of_two();
        let longest = line_lengths(1.0, rate).iter().max().copied().unwrap_or(2);
        let line_size = (longest + 2).next_power_of_two();
        let smooth = ramp_samples(SMOOTHING_SECONDS, ctx.sample_rate);
        let glide = ramp_samples(GLIDE_SECONDS, ctx.sample_rate);
        let size_glide = ramp_samples(SIZE_GLIDE_SECONDS, ctx.sample_rate);
        let lens = line_lengths(v(p::SIZE) * 0.01, rate);
        let predelay = ((v(p::PREDELAY) * ms).round() as usize).min(pre_size - 1);
        let mut r = Reverb {
            rate,
            t: 0,
            pre: vec![0.0; 2 * pre_size],
            pre_mask: pre_size - 1,
            predelay: Tap::new(predelay, ramp_samples(PREDELAY_FADE_SECONDS, ctx.sample_rate)),
            ap: vec![0.0; 8 * ap_size],
            ap_mask: ap_size - 1,
            ap_len,
            diffusion: Smoother::new(v(p::DIFFUSION) * 0.01, smooth),
            lines: vec![0.0; LINES * line_size],
            line_mask: line_size - 1,
            len: lens.map(|l| Smoother::new(l as f64, size_glide)),
            state: [0.0; LINES],
            coeffs: Loop { c: [0.0; LINES], b: [0.0; LINES] },
            design: Design::new(rate),
            dirty: true,
            decay: Smoother::new(v(p::DECAY), glide),
            damping: Smoother::new(v(p::DAMPING) * 0.01, glide),
            width: Smoother::new(v(p::WIDTH) * 0.01, smooth),
            mix: Smoother::new(v(p::MIX) * 0.01, smooth),
        };
        r.redesign();
        r
    }

    fn redesign(&mut self) {
        let lens = self.len.map(|l| l.value());
        self.coeffs = self.design.solve(self.decay.value(), self.damping.value(), &lens);
        self.dirty =
            self.decay.is_moving() || self.damping.is_moving() || self.len.iter().any(|l| l.is_moving());
    }

    /// One allpass diffuser step: Schroeder allpass `(-g + z^-D) / (1 - g z^-D)`.
    #[inline]
    fn allpass(ap: &mut [f32], base: usize, read: usize, write: usize, g: f32, x: f32) -> f32 {
        let d = ap[base + read];
        let v = x + g * d;
        ap[base + write] = flush(v);
        d - g * v
    }
}

/// Shows the settings, not the (large) delay memory.
impl std::fmt::Debug for Reverb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reverb")
            .field("rate", &self.rate)
            .field("predelay", &self.predelay)
            .field("len", &self.len)
            .field("coeffs", &self.coeffs)
            .field("decay", &self.decay)
            .field("damping", &self.damping)
            .field("diffusion", &self.diffusion)
            .field("width", &self.width)
            .field("mix", &self.mix)
            .finish_non_exhaustive()
    }
}

impl Dsp for Reverb {
    fn set_param(&mut self, index: usize, value: f64) {
        match index {
            p::PREDELAY => {
                self.predelay.target = ((value * self.rate * 0.001).round() as usize).min(self.pre_mask);
            }
            p::DECAY => {
                self.decay.set_target(value);
                self.dirty = true;
            }
            p::SIZE => {
                let lens = line_lengths(value * 0.01, self.rate);
                for (s, l) in self.len.iter_mut().zip(lens) {
                    s.set_target(l as f64);
                }
                self.dirty = true;
            }
            p::DAMPING => {
                self.damping.set_target(value * 0.01);
                self.dirty = true;
            }
            p::DIFFUSION => self.diffusion.set_target(value * 0.01),
            p::WIDTH => self.width.set_target(value * 0.01),
            p::MIX => self.mix.set_target(value * 0.01),
            _ => {}
        }
    }

    fn process(&mut self, io: &mut [&mut [f32]], _key: Option<[&[f32]; 2]>) {
        run_mono_or_stereo(self, io);
    }

    fn reset(&mut self) {
        self.pre.fill(0.0);
        self.ap.fill(0.0);
        self.lines.fill(0.0);
        self.state = [0.0; LINES];
        self.predelay.settle();
        for s in self.len.iter_mut().chain([
            &mut self.decay,
            &mut self.damping,
            &mut self.diffusion,
            &mut self.width,
            &mut self.mix,
        ]) {
            s.jump(s.target());
        }
        self.redesign();
    }
}

impl MonoOrStereo for Reverb {
    /// Runs one block in place: stereo when `STEREO` (`l`, `r` of equal
    /// length), else the mono track `l` (its wet signal is the stereo wet folded
    /// to mono, `r` is unused).
    fn run<const STEREO: bool>(&mut self, l: &mut [f32], r: &mut [f32]) {
        let n = l.len();
        if n == 0 {
            return;
        }
        // Loop coefficients for this block (they change only while something glides).
        let gliding = self.len.iter().any(|s| s.is_moving());
        let mut len0 = [0f32; LINES];
        let mut dlen = [0f32; LINES];
        let mut ilen = [0usize; LINES];
        for i in 0..LINES {
            (len0[i], dlen[i]) = block_ramp(&mut self.len[i], n);
            ilen[i] = len0[i] as usize;
        }
        if self.dirty {
            self.decay.advance(n as u32);
            self.damping.advance(n as u32);
            self.redesign();
        }
        let Loop { c, b } = self.coeffs;
        self.predelay.start();
        let (diff0, ddiff) = block_ramp(&mut self.diffusion, n);
        let (width0, dwidth) = block_ramp(&mut self.width, n);
        let (mix0, dmix) = block_ramp(&mut self.mix, n);

        let (pre_mask, ap_mask, line_mask) = (self.pre_mask, self.ap_mask, self.line_mask);
        let (pre_size, ap_size, line_size) = (pre_mask + 1, ap_mask + 1, line_mask + 1);
        let ap_len = self.ap_len;
        let mut s = self.state;
        let mut t = self.t;
        for i in 0..n {
            let k = (i + 1) as f32;
            let xl = l[i];
            let xr = if STEREO { r[i] } else { xl };

            // Pre-delay (written first, so 0 ms passes the input straight through).
            let pw = t & pre_mask;
            self.pre[pw] = xl;
            self.pre[pre_size + pw] = xr;
            let pr = t.wrapping_sub(self.predelay.cur) & pre_mask;
            let (mut dl, mut dr) = (self.pre[pr], self.pre[pre_size + pr]);
            if self.predelay.fading() {
                let pn = t.wrapping_sub(self.predelay.next) & pre_mask;
                let f = self.predelay.advance();
                dl += (self.pre[pn] - dl) * f;
                dr += (self.pre[pre_size + pn] - dr) * f;
            }

            // Input diffusion: four allpasses per channel.
            let diff = diff0 + ddiff * k;
            let aw = t & ap_mask;
            for a in 0..4 {
                let g = DIFFUSER_GAIN[a] * diff;
                let ra = t.wrapping_sub(ap_len[a]) & ap_mask;
                dl = Self::allpass(&mut self.ap, a * ap_size, ra, aw, g, dl);
                let rb = t.wrapping_sub(ap_len[a + 4]) & ap_mask;
                dr = Self::allpass(&mut self.ap, (a + 4) * ap_size, rb, aw, g, dr);
            }

            // The delay network.
            let mut y = [0f32; LINES];
            if gliding {
                for j in 0..LINES {
                    let d = (len0[j] + dlen[j] * k).max(1.0);
                    let di = d as usize;
                    let f = d - di as f32;
                    let a = self.lines[j * line_size + (t.wrapping_sub(di) & line_mask)];
                    let b2 = self.lines[j * line_size + (t.wrapping_sub(di + 1) & line_mask)];
                    y[j] = a + (b2 - a) * f;
                }
            } else {
                for j in 0..LINES {
                    y[j] = self.lines[j * line_size + (t.wrapping_sub(ilen[j]) & line_mask)];
                }
            }
            for j in 0..LINES {
                s[j] = flush(c[j] * y[j] + b[j] * s[j]);
            }
            let mut w = s;
            hadamard(&mut w);
            let (il, ir) = (dl * INPUT_GAIN, dr * INPUT_GAIN);
            w[0] += il;
            w[1] += ir;
            w[2] -= il;
            w[3] -= ir;
            w[4] += il;
            w[5] += ir;
            w[6] -= il;
            w[7] -= ir;
            let lw = t & line_mask;
            for j in 0..LINES {
                self.lines[j * line_size + lw] = w[j];
            }
            let ol = (w[0] - w[2] + w[4] - w[6]) * OUTPUT_GAIN;
            let or = (w[1] - w[3] + w[5] - w[7]) * OUTPUT_GAIN;
            t = t.wrapping_add(1);

            let mix = mix0 + dmix * k;
            let mid = 0.5 * (ol + or);
            if STEREO {
                let side = 0.5 * (ol - or) * (width0 + dwidth * k);
                l[i] = xl + (mid + side - xl) * mix;
                r[i] = xr + (mid - side - xr) * mix;
            } else {
                l[i] = xl + (mid - xl) * mix;
            }
        }
        self.state = s;
        self.t = t;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::denormal::without_denormals;

    fn reverb(decay: f64) -> Reverb {
        let ctx = DspContext { sample_rate: 48_000, max_block: 256, bpm: 120.0 };
        let mut values: Vec<f64> = PARAMS.iter().map(|p| p.default).collect();
        values[p::DECAY] = decay;
        values[p::MIX] = 100.0;
        Reverb::new(&ctx, &values)
    }

    /// Every value the reverb keeps between samples.
    fn state(r: &Reverb) -> impl Iterator<Item = f32> + '_ {
        r.pre.iter().chain(&r.ap).chain(&r.lines).chain(&r.state).copied()
    }

    /// Feeds an impulse then silence; returns the block index from which the
    /// whole state was exactly zero, checking that no state or output value is
    /// ever subnormal.
    fn run_to_silence(r: &mut Reverb, blocks: usize) -> Option<usize> {
        let mut silent_from = None;
        for b in 0..blocks {
            let (mut l, mut rr) = ([0f32; 256], [0f32; 256]);
            if b == 0 {
                l[0] = 1.0;
                rr[0] = -0.5;
            }
            r.process(&mut [&mut l, &mut rr], None);
            assert!(l.iter().chain(&rr).all(|x| *x == 0.0 || x.is_normal()), "subnormal output in block {b}");
            assert!(state(r).all(|x| x == 0.0 || x.is_normal()), "subnormal state in block {b}");
            let zero = state(r).all(|x| x == 0.0);
            if zero {
                assert!(l.iter().chain(&rr).all(|x| *x == 0.0));
                silent_from.get_or_insert(b);
            } else {
                assert!(silent_from.is_none(), "state came back after reaching zero");
            }
        }
        silent_from
    }

    #[test]
    fn the_tail_reaches_exact_zero_with_and_without_flush_to_zero() {
        // 0.5 s RT60: -300 dB (the flush level) after about 2.5 s, a little
        // more for the damped-low end's longer decay; 8 s of blocks is plenty.
        let blocks = 8 * 48_000 / 256;
        let plain = run_to_silence(&mut reverb(0.5), blocks).expect("silent without FTZ");
        let ftz = without_denormals(|| run_to_silence(&mut reverb(0.5), blocks)).expect("silent with FTZ");
        let seconds = |b: usize| (b * 256) as f64 / 48_000.0;
        eprintln!("state exactly zero after {:.2} s (no FTZ) / {:.2} s (FTZ)", seconds(plain), seconds(ftz));
        assert!(seconds(plain) < 5.0 && seconds(ftz) < 5.0, "{} s / {} s", seconds(plain), seconds(ftz));
    }

    #[test]
    fn a_damped_loop_still_decays_at_the_set_rate_at_low_frequencies_and_faster_at_the_top() {
        // The designed poles: at DC each line loses exactly 60 dB per t_dc, and
        // at the damping frequency (1 - 0.8 damping) times faster (small losses).
        let mut d = Design::new(48_000.0);
        let lens = line_lengths(0.5, 48_000.0).map(|l| l as f64);
        let l = d.solve(2.0, 0.4, &lens);
        let t_dc = 2.0 * d.ratio;
        assert!(d.ratio > 1.0 && d.ratio < 1.5, "ratio {}", d.ratio);
        let norm = 1.0 / 8f64.sqrt();
        let w = 2.0 * PI * DAMPING_HZ / 48_000.0;
        for i in 0..LINES {
            let (c, b) = (f64::from(l.c[i]) / norm, f64::from(l.b[i]));
            let dc = c / (1.0 - b);
            let want = 10f64.powf(-3.0 * lens[i] / (48_000.0 * t_dc));
            assert!((dc / want - 1.0).abs() < 1e-5, "line {i}: {dc} vs {want}");
            let hf = c / (1.0 - 2.0 * b * w.cos() + b * b).sqrt();
            let db_per_s = |g: f64| -20.0 * g.log10() * 48_000.0 / lens[i];
            let ratio = db_per_s(dc) / db_per_s(hf);
            assert!((ratio - (1.0 - 0.8 * 0.4)).abs() < 1e-3, "line {i}: T60 ratio {ratio}");
        }
    }

    #[test]
    fn line_lengths_are_distinct_primes_from_about_20_to_100_ms() {
        for size in [0.0, 0.5, 1.0] {
            let l = line_lengths(size, 48_000.0);
            assert!(l.iter().all(|&n| is_prime(n)));
            for i in 1..LINES {
                assert!(l[i] > l[i - 1]);
            }
            let ms = |n: usize| n as f64 / 48.0;
            assert!(ms(l[0]) >= 19.0 && ms(l[LINES - 1]) <= 99.0, "{l:?}");
        }
    }
}
