//! Compressor: feed-forward, with the gain computer and the attack/release
//! ballistics in the log domain (Giannoulis, Massberg and Reiss, "Digital
//! Dynamic Range Compressor Design", JAES 2012: the smooth branching detector
//! placed after the gain computer).
//!
//! Per sample: the key's level in dB (peak: |x|; RMS: a 10 ms mean square),
//! stereo-linked by `stereo_link`; the static curve (threshold, ratio, soft knee
//! of width `knee` dB centred on the threshold) gives the wanted gain reduction;
//! a one-pole smoother rises with the attack and falls with the release time
//! constant (each is the time to 1 - 1/e of a step in dB). The key is the input,
//! or an external sidechain routed from any track or bus, through an optional
//! 12 dB/oct high-pass. Auto makeup adds the gain reduction the static curve
//! applies at 0 dBFS, so a full-scale peak comes out at full scale.

use super::biquad::{self, Coeffs, Shape};
use super::dynamics::{amp_to_db, db_to_amp, time_coeff};
use super::{Dsp, DspContext, KindSpec, on};
use crate::session::{ParamInfo, Unit};
use crate::smooth::{SMOOTHING_SECONDS, Smoother, ramp_samples};

/// Parameter indices.
pub mod p {
    pub const THRESHOLD: usize = 0;
    pub const RATIO: usize = 1;
    pub const KNEE: usize = 2;
    pub const ATTACK: usize = 3;
    pub const RELEASE: usize = 4;
    pub const MAKEUP: usize = 5;
    pub const AUTO_MAKEUP: usize = 6;
    pub const DETECTION: usize = 7;
    pub const STEREO_LINK: usize = 8;
    pub const SC_HPF_ON: usize = 9;
    pub const SC_HPF_FREQ: usize = 10;
    pub const MIX: usize = 11;
}

const PARAMS: &[ParamInfo] = &[
    ParamInfo::new("threshold", "Threshold", Unit::Decibels, -60.0, 0.0, -18.0),
    ParamInfo::new("ratio", "Ratio", Unit::CompressionRatio, 1.0, 20.0, 4.0),
    ParamInfo::new("knee", "Knee", Unit::Decibels, 0.0, 24.0, 6.0),
    ParamInfo::new("attack", "Attack", Unit::Milliseconds, 0.05, 250.0, 10.0),
    ParamInfo::new("release", "Release", Unit::Milliseconds, 5.0, 3000.0, 120.0),
    ParamInfo::new("makeup", "Makeup gain", Unit::Decibels, 0.0, 24.0, 0.0),
    ParamInfo::toggle("auto_makeup", "Auto makeup", false),
    ParamInfo::choice("detection", "Detection", &["Peak", "RMS"], 0),
    ParamInfo::new("stereo_link", "Stereo link", Unit::Percent, 0.0, 100.0, 100.0),
    ParamInfo::toggle("sc_hpf_on", "Sidechain high-pass", false),
    ParamInfo::new("sc_hpf_freq", "Sidechain high-pass frequency", Unit::Hertz, 20.0, 1000.0, 100.0),
    ParamInfo::new("mix", "Mix (parallel)", Unit::Percent, 0.0, 100.0, 100.0),
];

/// The compressor's registry entry.
pub const SPEC: KindSpec = KindSpec {
    kind: "compressor",
    name: "Compressor",
    description: "Soft-knee compressor with peak/RMS detection, stereo link, auto makeup and an external sidechain",
    params: PARAMS,
    sidechain: true,
    structural: &[],
    build,
};

fn build(ctx: &DspContext, values: &[f64]) -> Box<dyn Dsp> {
    Box::new(Compressor::new(ctx, values))
}

/// The averaging time of RMS detection.
const RMS_MS: f64 = 10.0;

/// The static curve: output level in dB for input level `x` dB.
pub fn static_curve(x: f64, threshold: f64, ratio: f64, knee: f64) -> f64 {
    let over = x - threshold;
    if 2.0 * over < -knee {
        x
    } else if knee > 0.0 && 2.0 * over.abs() <= knee {
        x + (1.0 / ratio - 1.0) * (over + knee / 2.0).powi(2) / (2.0 * knee)
    } else {
        threshold + over / ratio
    }
}

/// The static curve's gain reduction (dB, >= 0) in f32 for the audio path,
/// without branches: the knee's quadratic and the straight part above it are
/// each clamped to their own region and added.
#[inline]
fn reduction(x: f32, c: &Curve) -> f32 {
    let over = x - c.threshold;
    let t = (over + 0.5 * c.knee).clamp(0.0, c.knee);
    c.slope * (t * t * c.inv_2knee + (over - 0.5 * c.knee).max(0.0))
}

/// The static curve's constants in the form the audio path uses.
#[derive(Debug, Clone, Copy)]
struct Curve {
    threshold: f32,
    knee: f32,
    inv_2knee: f32,
    /// `1 - 1/ratio`.
    slope: f32,
}

/// The running compressor.
#[derive(Debug, Clone)]
pub struct Compressor {
    rate: f64,
    values: [f64; 12],
    curve: Curve,
    attack: f32,
    release: f32,
    rms_coeff: f32,
    makeup: Smoother,
    mix: Smoother,
    hpf: Coeffs,
    hpf_state: [[f64; 2]; 2],
    /// Smoothed gain reduction per channel (dB).
    gr: [f32; 2],
    /// Mean square per channel for RMS detection.
    ms: [f32; 2],
}

impl Compressor {
    fn new(ctx: &DspContext, values: &[f64]) -> Compressor {
        let ramp = ramp_samples(SMOOTHING_SECONDS, ctx.sample_rate);
        let mut c = Compressor {
            rate: f64::from(ctx.sample_rate),
            values: [0.0; 12],
            curve: Curve { threshold: 0.0, knee: 0.0, inv_2knee: 0.0, slope: 0.0 },
            attack: 0.0,
            release: 0.0,
            rms_coeff: 0.0,
            makeup: Smoother::new(0.0, ramp),
            mix: Smoother::new(1.0, ramp),
            hpf: Coeffs::IDENTITY,
            hpf_state: [[0.0; 2]; 2],
            gr: [0.0; 2],
            ms: [0.0; 2],
        };
        c.values.copy_from_slice(&values[..12]);
        c.update();
        c.makeup.jump(c.makeup_db());
        c.mix.jump(c.values[p::MIX] / 100.0);
        c
    }

    fn makeup_db(&self) -> f64 {
        let v = &self.values;
        let auto = if on(v[p::AUTO_MAKEUP]) {
            0.0 - static_curve(0.0, v[p::THRESHOLD], v[p::RATIO], v[p::KNEE])
        } else {
            0.0
        };
        v[p::MAKEUP] + auto
    }

    fn update(&mut self) {
        let v = self.values;
        let knee = v[p::KNEE] as f32;
        self.curve = Curve {
            threshold: v[p::THRESHOLD] as f32,
            knee,
            inv_2knee: if knee > 0.0 { 1.0 / (2.0 * knee) } else { 0.0 },
            slope: (1.0 - 1.0 / v[p::RATIO]) as f32,
        };
        self.attack = time_coeff(v[p::ATTACK], self.rate);
        self.release = time_coeff(v[p::RELEASE], self.rate);
        self.rms_coeff = time_coeff(RMS_MS, self.rate);
        self.hpf = if on(v[p::SC_HPF_ON]) {
            Coeffs::design(
                Shape::HighPass { q: std::f64::consts::FRAC_1_SQRT_2 },
                v[p::SC_HPF_FREQ],
                self.rate,
            )
        } else {
            Coeffs::IDENTITY
        };
        self.makeup.set_target(self.makeup_db());
        self.mix.set_target(v[p::MIX] / 100.0);
    }
}

/// Samples processed per pass: the level, curve and gain passes run over a
/// chunk at a time so they vectorise; only the attack/release recursion is serial.
const CHUNK: usize = 64;

impl Compressor {
    /// One chunk of `m` samples from `at`. `ramp` is (makeup, makeup step, mix, mix step).
    fn process_chunk(
        &mut self,
        io: &mut [&mut [f32]],
        key: Option<[&[f32]; 2]>,
        at: usize,
        m: usize,
        channels: usize,
        ramp: [f32; 4],
    ) {
        let rms = self.values[p::DETECTION] >= 0.5;
        let link = (self.values[p::STEREO_LINK] / 100.0) as f32;
        let filtered = self.hpf != Coeffs::IDENTITY;
        let key_channels = if key.is_some() { 2 } else { channels };
        // 1. The key's level per channel (linear; mean square for RMS).
        let mut level = [[0.0f32; CHUNK]; 2];
        for c in 0..key_channels {
            let src: &[f32] = match key {
                Some(k) => &k[c][at..at + m],
                None => &io[c][at..at + m],
            };
            let lv = &mut level[c][..m];
            lv.copy_from_slice(src);
            if filtered {
                biquad::run(&self.hpf, &mut self.hpf_state[c], lv);
            }
            if rms {
                let (k, ms) = (self.rms_coeff, &mut self.ms[c]);
                for x in lv.iter_mut() {
                    *ms = *x * *x + k * (*ms - *x * *x);
                    *x = *ms;
                }
                // 2. ... in dB (half, as these are squares).
                lv.iter_mut().for_each(|x| *x = 0.5 * amp_to_db(*x));
            } else {
                lv.iter_mut().for_each(|x| *x = amp_to_db(x.abs()));
            }
        }
        if key_channels == 1 {
            level[1] = level[0];
        }
        // 3. The wanted reduction from the static curve (branch-free), linked.
        let curve = self.curve;
        let linked = link >= 1.0 || channels == 1;
        let mut want = [[0.0f32; CHUNK]; 2];
        for i in 0..m {
            let (a, b) = (level[0][i], level[1][i]);
            let max = a.max(b);
            if linked {
                want[0][i] = reduction(max, &curve);
            } else {
                want[0][i] = reduction(max * link + a * (1.0 - link), &curve);
                want[1][i] = reduction(max * link + b * (1.0 - link), &curve);
            }
        }
        // 4. Attack/release (the one serial recursion), then 5. the gain to apply.
        let paths = if linked { 1 } else { 2 };
        let mut gain = [[0.0f32; CHUNK]; 2];
        for c in 0..paths {
            let (att, rel) = (self.attack, self.release);
            let mut g = self.gr[c];
            for i in 0..m {
                let target = want[c][i];
                let k = if target > g { att } else { rel };
                g = target + k * (g - target);
                want[c][i] = g;
            }
            self.gr[c] = g;
            let (mk, step) = (ramp[0], ramp[1]);
            for i in 0..m {
                gain[c][i] = db_to_amp(mk + step * (i + 1) as f32 - want[c][i]);
            }
        }
        if linked {
            self.gr[1] = self.gr[0];
            gain[1] = gain[0];
        }
        // 6. Apply, with the parallel mix.
        let (mx, step) = (ramp[2], ramp[3]);
        for c in 0..channels {
            let buf = &mut io[c][at..at + m];
            if mx >= 1.0 && step == 0.0 {
                for (x, g) in buf.iter_mut().zip(&gain[c][..m]) {
                    *x *= g;
                }
            } else {
                for (i, (x, g)) in buf.iter_mut().zip(&gain[c][..m]).enumerate() {
                    let mix = mx + step * (i + 1) as f32;
                    *x += (*x * g - *x) * mix;
                }
            }
        }
    }
}

impl Dsp for Compressor {
    fn set_param(&mut self, index: usize, value: f64) {
        if index < self.values.len() {
            self.values[index] = value;
            self.update();
        }
    }

    fn process(&mut self, io: &mut [&mut [f32]], key: Option<[&[f32]; 2]>) {
        let n = io.first().map_or(0, |c| c.len());
        let channels = io.len().min(2);
        let mk0 = self.makeup.value() as f32;
        let mx0 = self.mix.value() as f32;
        let mk1 = self.makeup.advance(n as u32) as f32;
        let mx1 = self.mix.advance(n as u32) as f32;
        let inv = 1.0 / n.max(1) as f32;
        let mut done = 0;
        while done < n {
            let m = CHUNK.min(n - done);
            let t0 = done as f32 * inv;
            let ramp = [mk0 + (mk1 - mk0) * t0, (mk1 - mk0) * inv, mx0 + (mx1 - mx0) * t0, (mx1 - mx0) * inv];
            self.process_chunk(io, key, done, m, channels, ramp);
            done += m;
        }
    }

    fn gain_reduction_db(&self) -> Option<f32> {
        Some(self.gr[0].max(self.gr[1]))
    }

    fn reset(&mut self) {
        self.gr = [0.0; 2];
        self.ms = [0.0; 2];
        self.hpf_state = [[0.0; 2]; 2];
    }
}
