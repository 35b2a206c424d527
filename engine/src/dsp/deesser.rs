//! De-esser: turns down sibilance ("s", "sh", "t") when it passes a threshold.
//!
//! The sibilance band is what a 12 dB/octave Butterworth low-pass at
//! `frequency` (RBJ, Q = 1/sqrt 2) takes away: `band = x - lowpass(x)`, per
//! channel. Well above the frequency the band is the input itself, so a
//! reduction there is heard in full; well below it the band fades at
//! 6 dB/octave (at a tenth of the frequency it is 17 dB down, with a 1.7 dB
//! bump around the frequency itself). Per sample its
//! level is the louder channel's magnitude in dB (stereo linked); above the
//! threshold `T` the reduction is `(level - T)(1 - 1/ratio)` dB, at most
//! `range` dB, smoothed in dB with the attack coefficient while it rises and
//! the release one while it falls (each `exp(-1/(t fs))`, as the compressor's).
//! With `g` the linear gain of that reduction:
//!
//! - Split band: `y = x - (1 - g) band = g x + (1 - g) lowpass(x)`: only the
//!   band is turned down, and with no reduction the output is the input exactly;
//! - Wideband: `y = g x`: the whole signal is turned down while the band is loud.
//!
//! `listen` plays the band itself (what the detector hears, "Band") or what
//! the de-esser takes away (`x - y`, "Removed"); switching crossfades in 5 ms.
//! The frequency glides in octaves over 5 ms (the low-pass is redesigned
//! every 16 samples while it moves). Latency 0; per sample, so the output
//! does not depend on how the host splits blocks.

use super::biquad::{Coeffs, Shape};
use super::dynamics::{amp_to_db, db_to_amp};
use super::{Dsp, DspContext, FrameByFrame, KindSpec, one_pole_coeff};
use crate::session::{ParamInfo, Unit};
use crate::smooth::{DECLICK_SECONDS, Declick, SMOOTHING_SECONDS, Smoother, ramp_samples};

/// Parameter indices.
pub mod p {
    pub const FREQUENCY: usize = 0;
    pub const THRESHOLD: usize = 1;
    pub const RATIO: usize = 2;
    pub const RANGE: usize = 3;
    pub const ATTACK: usize = 4;
    pub const RELEASE: usize = 5;
    pub const MODE: usize = 6;
    pub const LISTEN: usize = 7;
}

/// `listen` values.
pub mod listen {
    pub const OFF: usize = 0;
    pub const BAND: usize = 1;
    pub const REMOVED: usize = 2;
}

const PARAMS: &[ParamInfo] = &[
    ParamInfo::new("frequency", "Frequency", Unit::Hertz, 2000.0, 16000.0, 6000.0),
    ParamInfo::new("threshold", "Threshold", Unit::Decibels, -60.0, 0.0, -30.0),
    ParamInfo::new("ratio", "Ratio", Unit::CompressionRatio, 1.0, 20.0, 4.0),
    ParamInfo::new("range", "Range", Unit::Decibels, 0.0, 30.0, 12.0),
    ParamInfo::new("attack", "Attack", Unit::Milliseconds, 0.05, 20.0, 0.5),
    ParamInfo::new("release", "Release", Unit::Milliseconds, 5.0, 500.0, 60.0),
    ParamInfo::choice("mode", "Mode", &["Split band", "Wideband"], 0),
    ParamInfo::choice("listen", "Listen", &["Off", "Band", "Removed"], 0),
];

/// The de-esser's registry entry.
pub const SPEC: KindSpec = KindSpec {
    kind: "deesser",
    name: "De-esser",
    short: "De-ess",
    description: "Turns down sibilance above a frequency when it passes a threshold (split band or wideband)",
    params: PARAMS,
    sidechain: false,
    structural: &[],
    build,
};

/// Samples between high-pass redesigns while the frequency glides.
const REDESIGN_EVERY: u32 = 16;
/// Reductions closer than this (dB) to their target snap to it.
const SNAP_DB: f64 = 1e-6;

fn build(ctx: &DspContext, values: &[f64]) -> Box<dyn Dsp> {
    Box::new(DeEsser::new(ctx, values))
}

/// The running de-esser.
#[derive(Debug)]
pub struct DeEsser {
    rate: f64,
    /// log2 of the frequency (glided in octaves).
    octave: Smoother,
    lpf: Coeffs,
    state: [[f64; 2]; 2],
    threshold: f32,
    slope: f32,
    range: f32,
    attack: f64,
    release: f64,
    wideband: bool,
    band: Declick,
    removed: Declick,
    /// The reduction now, dB (0 or more).
    reduction: f64,
    /// Samples until the next redesign while gliding.
    redesign_in: u32,
}

impl DeEsser {
    /// A de-esser for `ctx` at `values` (by parameter index).
    pub fn new(ctx: &DspContext, values: &[f64]) -> DeEsser {
        let rate = f64::from(ctx.sample_rate.max(1));
        let v = |i: usize| values.get(i).copied().unwrap_or(PARAMS[i].default);
        let smooth = ramp_samples(SMOOTHING_SECONDS, ctx.sample_rate.max(1));
        let declick = ramp_samples(DECLICK_SECONDS, ctx.sample_rate.max(1));
        let listen = v(p::LISTEN).round() as usize;
        let mut d = DeEsser {
            rate,
            octave: Smoother::new(v(p::FREQUENCY).log2(), smooth),
            lpf: Coeffs::IDENTITY,
            state: [[0.0; 2]; 2],
            threshold: v(p::THRESHOLD) as f32,
            slope: 0.0,
            range: v(p::RANGE) as f32,
            attack: one_pole_coeff(v(p::ATTACK), rate),
            release: one_pole_coeff(v(p::RELEASE), rate),
            wideband: v(p::MODE).round() as usize == 1,
            band: Declick::new(listen == listen::BAND, declick),
            removed: Declick::new(listen == listen::REMOVED, declick),
            reduction: 0.0,
            redesign_in: 0,
        };
        d.set_param(p::RATIO, v(p::RATIO));
        d.lpf = d.design();
        d
    }

    fn design(&self) -> Coeffs {
        Coeffs::design(
            Shape::LowPass { q: std::f64::consts::FRAC_1_SQRT_2 },
            self.octave.value().exp2(),
            self.rate,
        )
    }

    /// The reduction being applied, dB.
    pub fn reduction_db(&self) -> f64 {
        self.reduction
    }
}

impl FrameByFrame for DeEsser {
    /// One frame of `CH` channels.
    #[inline]
    fn frame<const CH: usize>(&mut self, x: [f32; CH]) -> [f32; CH] {
        if self.octave.is_moving() {
            self.octave.advance(1);
            if self.redesign_in == 0 || !self.octave.is_moving() {
                self.lpf = self.design();
                self.redesign_in = REDESIGN_EVERY;
            }
            self.redesign_in -= 1;
        }
        let [b0, b1, b2] = self.lpf.b;
        let [a1, a2] = self.lpf.a;
        let mut band = [0.0f64; CH];
        let mut peak = 0.0f32;
        for c in 0..CH {
            let xi = f64::from(x[c]);
            let s = &mut self.state[c];
            let low = b0 * xi + s[0];
            s[0] = b1 * xi - a1 * low + s[1];
            s[1] = b2 * xi - a2 * low;
            band[c] = xi - low;
            peak = peak.max((band[c] as f32).abs());
        }
        let over = amp_to_db(peak) - self.threshold;
        let target = if over > 0.0 { f64::from((over * self.slope).min(self.range)) } else { 0.0 };
        let coeff = if target > self.reduction { self.attack } else { self.release };
        self.reduction = target + coeff * (self.reduction - target);
        if (self.reduction - target).abs() < SNAP_DB {
            self.reduction = target;
        }
        let g = if self.reduction == 0.0 { 1.0 } else { f64::from(db_to_amp(-self.reduction as f32)) };
        let (lb, lr) = (self.band.advance(1), self.removed.advance(1));
        let mut out = [0.0f32; CH];
        for c in 0..CH {
            let xi = f64::from(x[c]);
            let y = if self.wideband { g * xi } else { xi - (1.0 - g) * band[c] };
            out[c] = (y + lb * (band[c] - y) + lr * (xi - 2.0 * y)) as f32;
        }
        out
    }
}

impl Dsp for DeEsser {
    fn set_param(&mut self, index: usize, value: f64) {
        match index {
            p::FREQUENCY => self.octave.set_target(value.log2()),
            p::THRESHOLD => self.threshold = value as f32,
            p::RATIO => self.slope = (1.0 - 1.0 / value.max(1.0)) as f32,
            p::RANGE => self.range = value as f32,
            p::ATTACK => self.attack = one_pole_coeff(value, self.rate),
            p::RELEASE => self.release = one_pole_coeff(value, self.rate),
            p::MODE => self.wideband = value.round() as usize == 1,
            p::LISTEN => {
                let l = value.round() as usize;
                self.band.set(l == listen::BAND);
                self.removed.set(l == listen::REMOVED);
            }
            _ => {}
        }
    }

    fn process(&mut self, io: &mut [&mut [f32]], _key: Option<[&[f32]; 2]>) {
        super::run_mono_or_stereo(self, io);
    }

    fn gain_reduction_db(&self) -> Option<f32> {
        Some(self.reduction as f32)
    }

    fn reset(&mut self) {
        self.state = [[0.0; 2]; 2];
        self.reduction = 0.0;
        let t = self.octave.target();
        self.octave.jump(t);
        self.lpf = self.design();
        for d in [&mut self.band, &mut self.removed] {
            let on = d.is_on();
            d.jump(on);
        }
    }
}
