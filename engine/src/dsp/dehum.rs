//! De-hum: removes mains hum, a 50 or 60 Hz fundamental and its harmonics,
//! with one notch filter per harmonic that follows the hum's small drift.
//!
//! How it works, per sample (both channels share the frequency; each has its
//! own filter state):
//!
//! 1. The mains frequency: `mains` is 50 Hz, 60 Hz, or Auto. In Auto nothing
//!    is removed until hum has been heard: the mean of the channels is
//!    demodulated at 50, 100, 150 Hz and at 60, 120, 180 Hz (each product
//!    through two one-poles of [`DEMOD_MS`]); once the louder set is within
//!    [`FOUND_DB`] of the signal and above -100 dBFS, that mains frequency
//!    is chosen, and it switches later only when the other set is 6 dB
//!    louder. The choice survives a reset (bypass and back).
//! 2. Tracking (`track` on): the signal is demodulated at every harmonic of
//!    the tracked fundamental `f` (up to the 8th); every [`UPDATE_MS`] the
//!    phase each demodulated harmonic `k` advanced, `dphi_k`, gives the
//!    fundamental's error `dphi_k / (2 pi k T)`; their mean weighted by
//!    `k^2 |z_k|^2` moves `f` a tenth of the way, kept within 2 % of the
//!    mains frequency. Without tracking `f` is the mains frequency exactly.
//! 3. Harmonic `k` (of `harmonics`, below 0.45 of the sample rate) gets an
//!    RBJ notch at `k f` whose -3 dB bandwidth is `k` times `bandwidth`
//!    (constant Q), mixed as `y + g (notch(y) - y)` with
//!    `g = 1 - 10^(depth/20)`: at the centre of each notch the hum is lowered
//!    by exactly `depth`; `g` glides over 5 ms (a harmonic switched off
//!    glides out, then its filter stops and starts again from silence).
//! 4. `listen` crossfades (5 ms) to what was removed, `input - output`.
//!
//! Latency 0; every step is per sample, so the output does not depend on how
//! the host splits blocks. A notch needs about `1.5 / bandwidth` seconds to
//! reach 40 dB on a steady hum. Limits: a steady instrument note within a
//! few hertz of a harmonic pulls the tracking (set the mains frequency and
//! switch tracking off); hum above the 16th harmonic (buzz) is left alone.

use realfft::num_complex::Complex64;

use super::{Dsp, DspContext, FrameByFrame, KindSpec, on, one_pole_coeff};
use crate::session::{ParamInfo, Unit};
use crate::smooth::{DECLICK_SECONDS, Declick, SMOOTHING_SECONDS, Smoother, ramp_samples};

/// Parameter indices.
pub mod p {
    pub const MAINS: usize = 0;
    pub const HARMONICS: usize = 1;
    pub const DEPTH: usize = 2;
    pub const BANDWIDTH: usize = 3;
    pub const TRACK: usize = 4;
    pub const LISTEN: usize = 5;
}

/// The most harmonics notched (the fundamental is the first).
pub const MAX_HARMONICS: usize = 16;
/// Harmonics demodulated for tracking.
const TRACKED: usize = 8;
/// Harmonics demodulated for the 50 / 60 Hz decision.
const DECIDING: usize = 3;

const MAINS_CHOICES: &[&str] = &["Auto", "50 Hz", "60 Hz"];
const HARMONIC_CHOICES: &[&str] =
    &["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16"];

const PARAMS: &[ParamInfo] = &[
    ParamInfo::choice("mains", "Mains frequency", MAINS_CHOICES, 0),
    ParamInfo::choice("harmonics", "Harmonics (with the fundamental)", HARMONIC_CHOICES, 5),
    ParamInfo::new("depth", "Depth", Unit::Decibels, -80.0, 0.0, -60.0),
    ParamInfo::new("bandwidth", "Notch bandwidth (fundamental)", Unit::Hertz, 0.5, 10.0, 3.0),
    ParamInfo::toggle("track", "Track drift", true),
    ParamInfo::toggle("listen", "Output hum only", false),
];

/// The de-hum's registry entry.
pub const SPEC: KindSpec = KindSpec {
    kind: "dehum",
    name: "De-hum",
    short: "De-hum",
    description: "Notches mains hum (50/60 Hz, found automatically) and its harmonics, following its drift",
    params: PARAMS,
    sidechain: false,
    structural: &[],
    build,
};

/// Time constant of each of the two one-poles after a demodulator (ms).
const DEMOD_MS: f64 = 50.0;
/// How often the frequency is updated (ms).
const UPDATE_MS: f64 = 50.0;
/// Hum this close (dB) to the signal's power counts as found in Auto.
const FOUND_DB: f64 = -50.0;
/// The demodulators need this long (ms) before Auto may decide.
const SETTLE_MS: f64 = 150.0;
/// How far the tracked fundamental may move from the mains frequency.
const MAX_DRIFT: f64 = 0.02;
/// The share of each measured error applied per update.
const LOOP_GAIN: f64 = 0.2;
/// The share of each measured error added to the drift rate per update (so
/// a steady drift is followed without lag).
const DRIFT_GAIN: f64 = 0.02;

fn build(ctx: &DspContext, values: &[f64]) -> Box<dyn Dsp> {
    Box::new(DeHum::new(ctx, values))
}

/// A quadrature demodulator: `x e^{-j k theta}` through two one-poles.
#[derive(Debug, Clone, Copy, Default)]
struct Demod {
    z1: Complex64,
    z2: Complex64,
    /// `z2` at the last update.
    prev: Complex64,
}

impl Demod {
    #[inline]
    fn push(&mut self, v: Complex64, a: f64) {
        self.z1 = v + (self.z1 - v) * a;
        self.z2 = self.z1 + (self.z2 - self.z1) * a;
    }
}

/// A phasor `e^{-j theta}` turning at a fixed rate, and demodulators at its harmonics.
#[derive(Debug, Clone)]
struct Bank<const N: usize> {
    phase: Complex64,
    step: Complex64,
    demods: [Demod; N],
}

impl<const N: usize> Bank<N> {
    fn new(freq: f64, rate: f64) -> Bank<N> {
        let mut b = Bank {
            phase: Complex64::new(1.0, 0.0),
            step: Complex64::new(1.0, 0.0),
            demods: [Demod::default(); N],
        };
        b.tune(freq, rate);
        b
    }

    fn tune(&mut self, freq: f64, rate: f64) {
        self.step = Complex64::from_polar(1.0, -std::f64::consts::TAU * freq / rate);
    }

    /// Demodulates `x` at the first `n` harmonics and advances the phase.
    #[inline]
    fn push(&mut self, x: f64, n: usize, a: f64) {
        let mut q = self.phase;
        for d in &mut self.demods[..n] {
            d.push(q * x, a);
            q *= self.phase;
        }
        self.phase *= self.step;
    }

    /// Keeps the phasor on the unit circle (rounding drifts it).
    fn renormalise(&mut self) {
        self.phase /= self.phase.norm();
    }

    /// The demodulated power of the first `n` harmonics (`|z|^2` is a quarter of a tone's peak squared).
    fn power(&self, n: usize) -> f64 {
        self.demods[..n].iter().map(|d| d.z2.norm_sqr()).sum()
    }

    fn clear(&mut self) {
        self.demods = [Demod::default(); N];
        self.phase = Complex64::new(1.0, 0.0);
    }
}

/// One harmonic's notch.
#[derive(Debug, Clone, Copy)]
struct Notch {
    b: [f64; 3],
    a: [f64; 2],
    state: [[f64; 2]; 2],
    /// The wet share `g` (0 = out of circuit).
    mix: Smoother,
    /// Whether the filter runs (it is in circuit or gliding out).
    running: bool,
}

impl Notch {
    /// RBJ notch at `freq` with -3 dB bandwidth `bw` (Hz).
    fn design(&mut self, freq: f64, bw: f64, rate: f64) {
        let w0 = std::f64::consts::TAU * freq / rate;
        let q = freq / bw;
        let (sin, cos) = w0.sin_cos();
        let alpha = sin / (2.0 * q);
        let a0 = 1.0 + alpha;
        self.b = [1.0 / a0, -2.0 * cos / a0, 1.0 / a0];
        self.a = [-2.0 * cos / a0, (1.0 - alpha) / a0];
    }

    #[inline]
    fn run(&mut self, c: usize, x: f64) -> f64 {
        let s = &mut self.state[c];
        let y = self.b[0] * x + s[0];
        s[0] = self.b[1] * x - self.a[0] * y + s[1];
        s[1] = self.b[2] * x - self.a[1] * y;
        y
    }
}

/// The mains setting.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mains {
    Auto,
    Fixed(f64),
}

/// The running de-hum.
#[derive(Debug)]
pub struct DeHum {
    rate: f64,
    mains: Mains,
    /// The mains frequency in use (`None`: Auto has not heard hum yet).
    nominal: Option<f64>,
    /// The tracked fundamental.
    freq: f64,
    /// How far the fundamental moves per update (its drift).
    drift: f64,
    harmonics: usize,
    depth_db: f64,
    bandwidth: f64,
    track: bool,
    listen: Declick,
    notches: [Notch; MAX_HARMONICS],
    tracker: Bank<TRACKED>,
    at50: Bank<DECIDING>,
    at60: Bank<DECIDING>,
    demod_coeff: f64,
    /// The detector signal's power (same smoothing as the demodulators).
    power: f64,
    /// Samples until the next update, and the update period.
    countdown: usize,
    period: usize,
    /// Samples heard since the last reset (for Auto's settling), saturating.
    heard: usize,
}

impl DeHum {
    /// A de-hum for `ctx` at `values` (by parameter index).
    pub fn new(ctx: &DspContext, values: &[f64]) -> DeHum {
        let rate = f64::from(ctx.sample_rate.max(1));
        let v = |i: usize| values.get(i).copied().unwrap_or(PARAMS[i].default);
        let ramp = ramp_samples(SMOOTHING_SECONDS, ctx.sample_rate.max(1));
        let period = ((UPDATE_MS * 0.001 * rate).round() as usize).max(1);
        let notch = Notch {
            b: [1.0, 0.0, 0.0],
            a: [0.0, 0.0],
            state: [[0.0; 2]; 2],
            mix: Smoother::new(0.0, ramp),
            running: false,
        };
        let mut d = DeHum {
            rate,
            mains: mains_of(v(p::MAINS)),
            nominal: None,
            freq: 50.0,
            drift: 0.0,
            harmonics: harmonics_of(v(p::HARMONICS)),
            depth_db: v(p::DEPTH),
            bandwidth: v(p::BANDWIDTH),
            track: on(v(p::TRACK)),
            listen: Declick::new(on(v(p::LISTEN)), ramp_samples(DECLICK_SECONDS, ctx.sample_rate.max(1))),
            notches: [notch; MAX_HARMONICS],
            tracker: Bank::new(50.0, rate),
            at50: Bank::new(50.0, rate),
            at60: Bank::new(60.0, rate),
            demod_coeff: one_pole_coeff(DEMOD_MS, rate),
            power: 0.0,
            countdown: period,
            period,
            heard: 0,
        };
        if let Mains::Fixed(f) = d.mains {
            d.choose(f);
        }
        d.settle_mix();
        d
    }

    /// The fundamental being notched, if any (Auto before it has heard hum: none).
    pub fn fundamental(&self) -> Option<f64> {
        self.nominal.map(|_| self.freq)
    }

    /// Uses mains frequency `f`: the fundamental starts there.
    fn choose(&mut self, f: f64) {
        self.nominal = Some(f);
        self.freq = f;
        self.drift = 0.0;
        self.tracker.clear();
        self.tracker.tune(f, self.rate);
        self.design();
    }

    fn design(&mut self) {
        let (f, bw, rate) = (self.freq, self.bandwidth, self.rate);
        for (k, n) in self.notches.iter_mut().enumerate() {
            let h = (k + 1) as f64;
            if h * f < 0.45 * rate {
                n.design(h * f, h * bw, rate);
            }
        }
    }

    /// The wet share each notch should glide to.
    fn target_mix(&self, k: usize) -> f64 {
        let audible = (k + 1) as f64 * self.freq < 0.45 * self.rate;
        if self.nominal.is_some() && k < self.harmonics && audible {
            1.0 - 10f64.powf(self.depth_db / 20.0)
        } else {
            0.0
        }
    }

    fn retarget(&mut self) {
        for k in 0..MAX_HARMONICS {
            let t = self.target_mix(k);
            let n = &mut self.notches[k];
            n.mix.set_target(t);
            n.running |= t > 0.0;
        }
    }

    /// Jumps every notch's mix to its target.
    fn settle_mix(&mut self) {
        for k in 0..MAX_HARMONICS {
            let t = self.target_mix(k);
            let n = &mut self.notches[k];
            n.mix.jump(t);
            n.running = t > 0.0;
        }
    }

    /// The periodic decision and tracking step.
    fn update(&mut self) {
        self.tracker.renormalise();
        self.at50.renormalise();
        self.at60.renormalise();
        let floor = (self.power * 10f64.powf(FOUND_DB / 10.0)).max(1e-10);
        if self.mains == Mains::Auto && self.heard as f64 >= SETTLE_MS * 0.001 * self.rate {
            // Hum power is twice the demodulated power.
            let (e50, e60) = (2.0 * self.at50.power(DECIDING), 2.0 * self.at60.power(DECIDING));
            let pick = match self.nominal {
                None if e50.max(e60) > floor => Some(if e60 > e50 { 60.0 } else { 50.0 }),
                Some(f) if f == 50.0 && e60 > 4.0 * e50 && e60 > floor => Some(60.0),
                Some(f) if f == 60.0 && e50 > 4.0 * e60 && e50 > floor => Some(50.0),
                _ => None,
            };
            if let Some(f) = pick {
                self.choose(f);
                self.retarget();
                return;
            }
        }
        let Some(nominal) = self.nominal else { return };
        let n = self.harmonics.min(TRACKED);
        let (mut num, mut den) = (0.0, 0.0);
        for (k, d) in self.tracker.demods[..n].iter_mut().enumerate() {
            let h = (k + 1) as f64;
            let turn = (d.z2 * d.prev.conj()).arg();
            let w = h * h * d.z2.norm_sqr();
            if d.prev.norm_sqr() > 0.0 && d.z2.norm_sqr() > 0.0 {
                num += w * turn / (std::f64::consts::TAU * h * self.period as f64 / self.rate);
                den += w;
            }
            d.prev = d.z2;
        }
        if !self.track || den <= 0.0 || 2.0 * self.tracker.power(n) <= floor {
            return;
        }
        let err = num / den;
        self.drift += DRIFT_GAIN * err;
        let (lo, hi) = (nominal * (1.0 - MAX_DRIFT), nominal * (1.0 + MAX_DRIFT));
        let f = self.freq + LOOP_GAIN * err + self.drift;
        if !(lo..=hi).contains(&f) {
            // At the edge: stop drifting further out.
            self.drift = 0.0;
        }
        let f = f.clamp(lo, hi);
        if f != self.freq {
            self.freq = f;
            self.tracker.tune(f, self.rate);
            self.design();
        }
    }
}

impl FrameByFrame for DeHum {
    /// Runs one frame of `CH` channels in place.
    #[inline]
    fn frame<const CH: usize>(&mut self, x: [f32; CH]) -> [f32; CH] {
        let det = x.iter().map(|v| f64::from(*v)).sum::<f64>() / CH as f64;
        let a = self.demod_coeff;
        self.power = det * det + (self.power - det * det) * a;
        if self.nominal.is_some() {
            self.tracker.push(det, self.harmonics.min(TRACKED), a);
        }
        if self.mains == Mains::Auto {
            self.at50.push(det, DECIDING, a);
            self.at60.push(det, DECIDING, a);
        }
        self.heard = self.heard.saturating_add(1);
        self.countdown -= 1;
        if self.countdown == 0 {
            self.countdown = self.period;
            self.update();
        }
        let mut y = x.map(f64::from);
        for n in self.notches.iter_mut().filter(|n| n.running) {
            let g = n.mix.advance(1);
            for (c, v) in y.iter_mut().enumerate() {
                let u = n.run(c, *v);
                *v += g * (u - *v);
            }
            if g == 0.0 && !n.mix.is_moving() {
                n.running = false;
                n.state = [[0.0; 2]; 2];
            }
        }
        let l = self.listen.advance(1);
        let mut out = [0.0f32; CH];
        for c in 0..CH {
            let removed = f64::from(x[c]) - y[c];
            out[c] = (y[c] + l * (removed - y[c])) as f32;
        }
        out
    }
}

fn mains_of(v: f64) -> Mains {
    match v.round() as usize {
        1 => Mains::Fixed(50.0),
        2 => Mains::Fixed(60.0),
        _ => Mains::Auto,
    }
}

fn harmonics_of(v: f64) -> usize {
    (v.round().max(0.0) as usize + 1).min(MAX_HARMONICS)
}

impl Dsp for DeHum {
    fn set_param(&mut self, index: usize, value: f64) {
        match index {
            p::MAINS => {
                let m = mains_of(value);
                if m != self.mains {
                    self.mains = m;
                    match m {
                        Mains::Fixed(f) => self.choose(f),
                        Mains::Auto => {}
                    }
                    self.retarget();
                }
            }
            p::HARMONICS => {
                self.harmonics = harmonics_of(value);
                self.retarget();
            }
            p::DEPTH => {
                self.depth_db = value;
                self.retarget();
            }
            p::BANDWIDTH => {
                self.bandwidth = value;
                self.design();
            }
            p::TRACK => {
                self.track = on(value);
                if !self.track
                    && let Some(f) = self.nominal
                {
                    self.freq = f;
                    self.drift = 0.0;
                    self.tracker.tune(f, self.rate);
                    self.design();
                }
            }
            p::LISTEN => self.listen.set(on(value)),
            _ => {}
        }
    }

    fn process(&mut self, io: &mut [&mut [f32]], _key: Option<[&[f32]; 2]>) {
        super::run_mono_or_stereo(self, io);
    }

    fn reset(&mut self) {
        // The mains frequency found is knowledge, not signal: it stays.
        for n in &mut self.notches {
            n.state = [[0.0; 2]; 2];
        }
        self.settle_mix();
        let on = self.listen.is_on();
        self.listen.jump(on);
        self.tracker.clear();
        self.at50.clear();
        self.at60.clear();
        self.power = 0.0;
        self.countdown = self.period;
        self.heard = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(d: &mut DeHum, x: &[f32]) -> Vec<f32> {
        let mut y = x.to_vec();
        d.process(&mut [&mut y], None);
        y
    }

    fn hum(freq: f64, amp: f64, n: usize, len: usize) -> Vec<f32> {
        (0..len)
            .map(|i| {
                let t = i as f64 / 48_000.0;
                (1..=n).map(|k| amp * (std::f64::consts::TAU * freq * k as f64 * t).sin()).sum::<f64>() as f32
            })
            .collect()
    }

    #[test]
    fn auto_finds_sixty_hertz_and_waits_until_it_hears_hum() {
        let ctx = DspContext { sample_rate: 48_000, max_block: 512, bpm: 120.0 };
        let values: Vec<f64> = PARAMS.iter().map(|p| p.default).collect();
        let mut d = DeHum::new(&ctx, &values);
        assert_eq!(d.fundamental(), None);
        let silence = vec![0.0f32; 48_000];
        assert_eq!(run(&mut d, &silence), silence);
        assert_eq!(d.fundamental(), None);
        run(&mut d, &hum(60.0, 0.01, 4, 48_000));
        assert_eq!(d.fundamental().map(f64::round), Some(60.0));
    }
}
