//! De-noise: broadband noise reduction (hiss, air conditioning, hum's
//! broadband bed) by spectral gating against a learned noise profile.
//!
//! The signal is cut into frames of 2048 samples every 512 (see [`stft`]),
//! whatever blocks the host passes, so the output does not depend on how it
//! splits them; the latency is one frame, 2048 samples (42.7 ms at 48 kHz),
//! reported to the graph, which compensates it.
//!
//! Per frame and bin `k`, with `X` the spectrum (stereo: both channels get
//! one gain, computed from their mean power `P`, so the image stays put):
//!
//! - the noise power `N` is the learned profile (see [`profile`]; the
//!   processor's learned parameters `noise_01`..`noise_32`) raised by
//!   `threshold` dB, or, with `adaptive` on, the minimum of the smoothed
//!   power over the last 1.5 s (minimum statistics) times 2, raised the same;
//! - the a-priori signal-to-noise ratio is estimated decision-directed
//!   (Ephraim and Malah): `xi = a G_prev^2 P_prev / N + (1 - a) max(P / N - 1, 0)`,
//!   with `a` from 0.9 (smoothing 0 %) to 0.99 (100 %): a bin must stay
//!   above the noise for a few frames to open, which is what keeps isolated
//!   noise peaks from warbling ("musical noise");
//! - the gain is Wiener's, `xi / (1 + xi)`, never under `-reduction` dB.
//!
//! `listen` plays what is taken away instead, `(1 - G) X`: the noise alone.
//! A switch, like every parameter, takes effect at the next frame (the
//! overlapping windows crossfade it). With nothing learned and `adaptive`
//! off the output is the input (within rounding), delayed.
//!
//! Learning: [`profile::learn`] analyses noise alone (a pause, room tone)
//! exactly as the processor does; `crate::restore::learn_noise` does it for
//! a time range of a session, at the processor's own input.
//!
//! Limits: noise that changes character over time needs `adaptive` (or a
//! new profile); tonal noise narrower than a band (whistles) is smeared
//! across its band; at reductions past about 20 dB on low signal-to-noise
//! material some warble remains.

pub mod profile;
pub mod stft;

use realfft::num_complex::Complex32;

use super::{Dsp, DspContext, KindSpec, db_to_gain, on};
use crate::session::{ParamInfo, Unit};
use profile::{BANDS, FLOOR_DB, NoiseProfile};
use stft::{BINS, HOP, SIZE, Transforms};

/// Parameter indices.
pub mod p {
    pub const REDUCTION: usize = 0;
    pub const THRESHOLD: usize = 1;
    pub const SMOOTHING: usize = 2;
    pub const ADAPTIVE: usize = 3;
    pub const LISTEN: usize = 4;
    /// The first of the learned profile's bands.
    pub const PROFILE: usize = 5;
}

const PARAMS: &[ParamInfo] = &[
    ParamInfo::new("reduction", "Reduction", Unit::Decibels, 0.0, 40.0, 12.0),
    ParamInfo::new("threshold", "Threshold (over the profile)", Unit::Decibels, -10.0, 20.0, 3.0),
    ParamInfo::new("smoothing", "Smoothing", Unit::Percent, 0.0, 100.0, 50.0),
    ParamInfo::toggle("adaptive", "Adapt to the noise floor", false),
    ParamInfo::toggle("listen", "Output noise only", false),
    ParamInfo::new("noise_01", "Noise profile band 1", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_02", "Noise profile band 2", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_03", "Noise profile band 3", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_04", "Noise profile band 4", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_05", "Noise profile band 5", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_06", "Noise profile band 6", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_07", "Noise profile band 7", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_08", "Noise profile band 8", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_09", "Noise profile band 9", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_10", "Noise profile band 10", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_11", "Noise profile band 11", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_12", "Noise profile band 12", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_13", "Noise profile band 13", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_14", "Noise profile band 14", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_15", "Noise profile band 15", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_16", "Noise profile band 16", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_17", "Noise profile band 17", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_18", "Noise profile band 18", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_19", "Noise profile band 19", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_20", "Noise profile band 20", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_21", "Noise profile band 21", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_22", "Noise profile band 22", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_23", "Noise profile band 23", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_24", "Noise profile band 24", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_25", "Noise profile band 25", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_26", "Noise profile band 26", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_27", "Noise profile band 27", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_28", "Noise profile band 28", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_29", "Noise profile band 29", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_30", "Noise profile band 30", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_31", "Noise profile band 31", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
    ParamInfo::new("noise_32", "Noise profile band 32", Unit::Decibels, FLOOR_DB, 0.0, FLOOR_DB).learned(),
];

/// The de-noiser's registry entry.
pub const SPEC: KindSpec = KindSpec {
    kind: "denoise",
    name: "De-noise",
    short: "De-noise",
    description: "Broadband noise reduction from a learned noise profile (or the noise floor it follows)",
    params: PARAMS,
    sidechain: false,
    structural: &[],
    build,
};

/// Frames in a minimum-statistics sub-window, and sub-windows kept (1.5 s at 48 kHz).
const SUB_FRAMES: usize = 24;
const SUBWINDOWS: usize = 6;
/// The minimum of a smoothed periodogram reads this much under the mean noise power.
const MIN_BIAS: f32 = 2.0;
/// Smoothing of the power for minimum statistics (per frame).
const MIN_SMOOTHING: f32 = 0.85;

fn build(ctx: &DspContext, values: &[f64]) -> Box<dyn Dsp> {
    Box::new(DeNoise::new(ctx, values))
}

/// One channel's frames.
#[derive(Debug)]
struct Channel {
    /// The last `SIZE` input samples (the newest `HOP` filling at the end).
    input: Vec<f32>,
    /// Overlap-add of resynthesised frames.
    acc: Vec<f32>,
    /// The finished `HOP` samples being played out.
    out: Vec<f32>,
    spec: Vec<Complex32>,
}

impl Channel {
    fn new() -> Channel {
        Channel {
            input: vec![0.0; SIZE],
            acc: vec![0.0; SIZE],
            out: vec![0.0; HOP],
            spec: vec![Complex32::new(0.0, 0.0); BINS],
        }
    }
}

/// Minimum statistics: the noise floor followed without a profile.
#[derive(Debug)]
struct FloorTracker {
    smoothed: Vec<f32>,
    current: Vec<f32>,
    past: Vec<f32>,
    frames: usize,
    next: usize,
    noise: Vec<f32>,
}

impl FloorTracker {
    fn new() -> FloorTracker {
        FloorTracker {
            smoothed: vec![0.0; BINS],
            current: vec![f32::MAX; BINS],
            past: vec![f32::MAX; BINS * SUBWINDOWS],
            frames: 0,
            next: 0,
            noise: vec![0.0; BINS],
        }
    }

    /// Forgets everything (without allocating: it runs on the audio thread).
    fn clear(&mut self) {
        self.smoothed.fill(0.0);
        self.current.fill(f32::MAX);
        self.past.fill(f32::MAX);
        self.noise.fill(0.0);
        self.frames = 0;
        self.next = 0;
    }

    /// Takes one frame's power and updates the noise estimate.
    fn push(&mut self, power: &[f32]) {
        let first = self.frames == 0 && self.next == 0 && self.current[0] == f32::MAX;
        for k in 0..BINS {
            let s = if first { power[k] } else { power[k] + MIN_SMOOTHING * (self.smoothed[k] - power[k]) };
            self.smoothed[k] = s;
            self.current[k] = self.current[k].min(s);
            let past = (0..SUBWINDOWS).map(|u| self.past[u * BINS + k]).fold(self.current[k], f32::min);
            self.noise[k] = MIN_BIAS * past;
        }
        self.frames += 1;
        if self.frames == SUB_FRAMES {
            self.past[self.next * BINS..(self.next + 1) * BINS].copy_from_slice(&self.current);
            self.current.fill(f32::MAX);
            self.next = (self.next + 1) % SUBWINDOWS;
            self.frames = 0;
        }
    }
}

/// The running de-noiser.
#[derive(Debug)]
pub struct DeNoise {
    rate: f64,
    transforms: Transforms,
    window: Vec<f32>,
    /// `sum w^2` of the analysis window: the profile's dB are per unit of it.
    energy: f32,
    channels: [Channel; 2],
    frame: Vec<f32>,
    /// Samples of the current hop written so far.
    fill: usize,
    floor: f32,
    threshold: f32,
    alpha: f32,
    adaptive: bool,
    listen: bool,
    profile: NoiseProfile,
    /// The profile per bin (power, in `|X|^2` units), rebuilt when a band changes.
    learned: Vec<f32>,
    stale: bool,
    tracker: FloorTracker,
    power: Vec<f32>,
    /// `G^2 P` of the previous frame.
    previous: Vec<f32>,
    gains: Vec<f32>,
}

impl DeNoise {
    /// A de-noiser for `ctx` at `values` (by parameter index).
    pub fn new(ctx: &DspContext, values: &[f64]) -> DeNoise {
        let window = stft::window();
        let energy = window.iter().map(|w| w * w).sum();
        let mut d = DeNoise {
            rate: f64::from(ctx.sample_rate.max(1)),
            transforms: Transforms::new(),
            window,
            energy,
            channels: [Channel::new(), Channel::new()],
            frame: vec![0.0; SIZE],
            fill: 0,
            floor: 1.0,
            threshold: 1.0,
            alpha: 0.9,
            adaptive: false,
            listen: false,
            profile: NoiseProfile::EMPTY,
            learned: vec![0.0; BINS],
            stale: true,
            tracker: FloorTracker::new(),
            power: vec![0.0; BINS],
            previous: vec![0.0; BINS],
            gains: vec![1.0; BINS],
        };
        for (i, info) in PARAMS.iter().enumerate() {
            d.set_param(i, values.get(i).copied().unwrap_or(info.default));
        }
        d
    }

    /// The profile in use (as learned).
    pub fn profile(&self) -> &NoiseProfile {
        &self.profile
    }

    fn rebuild_learned(&mut self) {
        let df = self.rate / SIZE as f64;
        for (k, n) in self.learned.iter_mut().enumerate() {
            *n = (10f64.powf(self.profile.at(k as f64 * df) / 10.0) * f64::from(self.energy)) as f32;
        }
        self.stale = false;
    }

    /// Analyses, gates and resynthesises one frame of the first `nch` channels.
    fn frame(&mut self, nch: usize) {
        if self.stale {
            self.rebuild_learned();
        }
        let share = 1.0 / nch as f32;
        self.power.fill(0.0);
        for ch in &mut self.channels[..nch] {
            for ((f, x), w) in self.frame.iter_mut().zip(&ch.input).zip(&self.window) {
                *f = x * w;
            }
            self.transforms.forward(&mut self.frame, &mut ch.spec);
            for (p, c) in self.power.iter_mut().zip(&ch.spec) {
                *p += c.norm_sqr() * share;
            }
        }
        let noise = if self.adaptive {
            self.tracker.push(&self.power);
            &self.tracker.noise
        } else {
            &self.learned
        };
        let (a, floor) = (self.alpha, self.floor);
        for k in 0..BINS {
            let n = (noise[k] * self.threshold).max(1e-30);
            let p = self.power[k];
            // The instantaneous estimate from the bin and its neighbours: a
            // lone noise peak in one bin does not open it.
            let (lo, hi) = (self.power[k.saturating_sub(1)], self.power[(k + 1).min(BINS - 1)]);
            let local = 0.5 * p + 0.25 * (lo + hi);
            let xi = a * self.previous[k] / n + (1.0 - a) * (local / n - 1.0).max(0.0);
            let g = (xi / (1.0 + xi)).max(floor);
            self.previous[k] = g * g * p;
            self.gains[k] = if self.listen { 1.0 - g } else { g };
        }
        // Halving undoes the windows' overlap (their product sums to 2); the
        // inverse transform is SIZE times too large.
        let scale = 0.5 / SIZE as f32;
        for ch in &mut self.channels[..nch] {
            for (c, g) in ch.spec.iter_mut().zip(&self.gains) {
                *c *= *g;
            }
            self.transforms.inverse(&mut ch.spec, &mut self.frame);
            for ((acc, f), w) in ch.acc.iter_mut().zip(&self.frame).zip(&self.window) {
                *acc += f * w * scale;
            }
            ch.out.copy_from_slice(&ch.acc[..HOP]);
            ch.acc.copy_within(HOP.., 0);
            ch.acc[SIZE - HOP..].fill(0.0);
            ch.input.copy_within(HOP.., 0);
        }
    }
}

impl Dsp for DeNoise {
    fn set_param(&mut self, index: usize, value: f64) {
        match index {
            p::REDUCTION => self.floor = db_to_gain(-value) as f32,
            p::THRESHOLD => self.threshold = 10f64.powf(value / 10.0) as f32,
            p::SMOOTHING => self.alpha = (0.9 + 0.09 * value.clamp(0.0, 100.0) / 100.0) as f32,
            p::ADAPTIVE => self.adaptive = on(value),
            p::LISTEN => self.listen = on(value),
            i if (p::PROFILE..p::PROFILE + BANDS).contains(&i) => {
                let v = value.clamp(FLOOR_DB, 0.0);
                if self.profile.0[i - p::PROFILE] != v {
                    self.profile.0[i - p::PROFILE] = v;
                    self.stale = true;
                }
            }
            _ => {}
        }
    }

    fn process(&mut self, io: &mut [&mut [f32]], _key: Option<[&[f32]; 2]>) {
        let nch = io.len().min(2);
        let frames = io[..nch].iter().map(|c| c.len()).min().unwrap_or(0);
        let write = SIZE - HOP;
        for i in 0..frames {
            for c in 0..nch {
                let ch = &mut self.channels[c];
                ch.input[write + self.fill] = io[c][i];
                io[c][i] = ch.out[self.fill];
            }
            self.fill += 1;
            if self.fill == HOP {
                self.fill = 0;
                self.frame(nch);
            }
        }
    }

    fn latency(&self) -> usize {
        SIZE
    }

    fn reset(&mut self) {
        for ch in &mut self.channels {
            ch.input.fill(0.0);
            ch.acc.fill(0.0);
            ch.out.fill(0.0);
        }
        self.fill = 0;
        self.previous.fill(0.0);
        self.tracker.clear();
    }
}
