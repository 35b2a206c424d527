//! Gate / downward expander: removes background noise between phrases.
//!
//! Below the threshold the gain falls by `ratio` (an expander; a large ratio is
//! a gate) down to at most `range` dB; the gate opens when the key rises above
//! the threshold and closes only when it falls below threshold minus
//! hysteresis and the hold time has passed. Attack is how fast it opens,
//! release how fast it closes. The key is the input, or the external sidechain,
//! through an optional high-pass.

use super::biquad::{Coeffs, Shape, run, run_stereo};
use super::dynamics::{amp_to_db, db_to_amp};
use super::limiter::SlidingMax;
use super::{Dsp, DspContext, KindSpec, db_to_gain, on, one_pole_coeff};
use crate::session::{ParamInfo, Unit};
use crate::smooth::{SMOOTHING_SECONDS, Smoother, ramp_samples};

/// Parameter indices.
pub mod p {
    pub const THRESHOLD: usize = 0;
    pub const HYSTERESIS: usize = 1;
    pub const RANGE: usize = 2;
    pub const RATIO: usize = 3;
    pub const ATTACK: usize = 4;
    pub const HOLD: usize = 5;
    pub const RELEASE: usize = 6;
    pub const SC_HPF_ON: usize = 7;
    pub const SC_HPF_FREQ: usize = 8;
}

const PARAMS: &[ParamInfo] = &[
    ParamInfo::new("threshold", "Threshold", Unit::Decibels, -80.0, 0.0, -40.0),
    ParamInfo::new("hysteresis", "Hysteresis", Unit::Decibels, 0.0, 20.0, 3.0),
    ParamInfo::new("range", "Range", Unit::Decibels, -80.0, 0.0, -80.0),
    ParamInfo::new("ratio", "Ratio", Unit::CompressionRatio, 1.0, 50.0, 50.0),
    ParamInfo::new("attack", "Attack", Unit::Milliseconds, 0.01, 100.0, 1.0),
    ParamInfo::new("hold", "Hold", Unit::Milliseconds, 0.0, 2000.0, 50.0),
    ParamInfo::new("release", "Release", Unit::Milliseconds, 5.0, 4000.0, 200.0),
    ParamInfo::toggle("sc_hpf_on", "Sidechain high-pass", false),
    ParamInfo::new("sc_hpf_freq", "Sidechain high-pass frequency", Unit::Hertz, 20.0, 1000.0, 100.0),
];

/// The gate's registry entry.
pub const SPEC: KindSpec = KindSpec {
    kind: "gate",
    name: "Gate / Expander",
    short: "Gate",
    description: "Downward expander and gate with hysteresis and hold, keyable from any strip",
    params: PARAMS,
    sidechain: true,
    structural: &[],
    build,
};

/// How far back (ms) the key's level looks: its peak over this window, so a
/// steady tone down to 50 Hz reads as a steady level.
const LEVEL_WINDOW_MS: f64 = 20.0;
/// Gains closer than this (dB) to their target snap to it.
const SNAP_DB: f64 = 1e-5;
/// Linear gains closer than this (relative) to their target snap to it.
const SNAP_LIN: f64 = 1e-7;
/// Biquad state below this is flushed to zero between blocks.
const TINY: f64 = 1e-25;

/// Builds a gate settled at `values`: closed, as after silence.
fn build(ctx: &DspContext, values: &[f64]) -> Box<dyn Dsp> {
    Box::new(Gate::new(ctx, values))
}

/// Threshold, hysteresis, range and ratio as the detector uses them.
#[derive(Debug, Clone, Copy)]
struct Levels {
    /// Open threshold, dB and linear.
    threshold_db: f32,
    open_above: f32,
    /// Close threshold (threshold - hysteresis), linear.
    close_below: f32,
    /// Deepest gain, dB (<= 0).
    range_db: f32,
    /// `ratio - 1`: dB of gain lost per dB the key is under the threshold.
    slope: f32,
}

/// The running gate.
///
/// Per sample, with `a` the loudest key channel's magnitude (after the
/// optional 12 dB/octave high-pass):
/// - the gate opens as soon as `a` exceeds the threshold and, while open,
///   re-arms its hold every sample `a` exceeds `threshold - hysteresis`; it
///   closes when `hold` has passed since the last such sample;
/// - open, the target gain is 0 dB; closed, it is the expander's
///   `-(ratio - 1) * (threshold - level)` (0 when the level is above the
///   threshold), never below `range`, where `level` is the key's peak over the
///   last 20 ms (so a closed gate whose key is between the two thresholds stays
///   closed, and a hold shorter than 20 ms still waits for the key's level to
///   fall under the threshold);
/// - the gain glides to its target: opening as a one-pole on the linear gain
///   with time constant `attack` (within 0.1 dB of unity after 4.5 attack
///   times from fully closed), closing as a one-pole in dB with time constant
///   `release` (`range * (1 - e^(-t/release))`);
/// - both channels get the same gain.
#[derive(Debug)]
pub struct Gate {
    rate: f64,
    /// The key, one block at a time (one buffer per channel).
    key: [Vec<f32>; 2],
    hpf_on: bool,
    hpf_freq: Smoother,
    hpf: Coeffs,
    hpf_state: [[f64; 2]; 2],
    threshold: Smoother,
    hysteresis: Smoother,
    range: Smoother,
    ratio: Smoother,
    levels: Levels,
    attack_coeff: f64,
    release_coeff: f64,
    hold_samples: u32,

    /// The key's peak over the last [`LEVEL_WINDOW_MS`].
    level: SlidingMax,
    open: bool,
    /// Samples left before an open gate closes.
    hold_left: u32,
    /// The gain now, in dB and linear (f64, so that slow glides never stall
    /// short of their target).
    gain_db: f64,
    gain: f64,
}

impl Gate {
    /// A gate for `ctx` settled at `values` (by parameter index).
    pub fn new(ctx: &DspContext, values: &[f64]) -> Gate {
        let rate = f64::from(ctx.sample_rate.max(1));
        let value = |i: usize| values.get(i).copied().unwrap_or(PARAMS[i].default);
        let ramp = ramp_samples(SMOOTHING_SECONDS, ctx.sample_rate.max(1));
        let block = ctx.max_block.max(1);
        let mut g = Gate {
            rate,
            key: [vec![0.0; block], vec![0.0; block]],
            hpf_on: on(value(p::SC_HPF_ON)),
            hpf_freq: Smoother::new(value(p::SC_HPF_FREQ), ramp),
            hpf: Coeffs::IDENTITY,
            hpf_state: [[0.0; 2]; 2],
            threshold: Smoother::new(value(p::THRESHOLD), ramp),
            hysteresis: Smoother::new(value(p::HYSTERESIS), ramp),
            range: Smoother::new(value(p::RANGE), ramp),
            ratio: Smoother::new(value(p::RATIO), ramp),
            levels: Levels {
                threshold_db: 0.0,
                open_above: 1.0,
                close_below: 1.0,
                range_db: 0.0,
                slope: 0.0,
            },
            attack_coeff: one_pole_coeff(value(p::ATTACK), rate),
            release_coeff: one_pole_coeff(value(p::RELEASE), rate),
            hold_samples: ms_to_samples(value(p::HOLD), rate),
            level: SlidingMax::new(ms_to_samples(LEVEL_WINDOW_MS, rate) as usize),
            open: false,
            hold_left: 0,
            gain_db: 0.0,
            gain: 1.0,
        };
        g.hpf = g.design_hpf();
        g.levels = g.current_levels();
        g.settle_closed();
        g
    }

    fn design_hpf(&self) -> Coeffs {
        Coeffs::design(
            Shape::HighPass { q: std::f64::consts::FRAC_1_SQRT_2 },
            self.hpf_freq.value(),
            self.rate,
        )
    }

    /// The thresholds and curve at the smoothers' current values.
    fn current_levels(&self) -> Levels {
        let threshold_db = self.threshold.value();
        Levels {
            threshold_db: threshold_db as f32,
            open_above: db_to_gain(threshold_db) as f32,
            close_below: db_to_gain(threshold_db - self.hysteresis.value()) as f32,
            range_db: self.range.value() as f32,
            slope: (self.ratio.value() - 1.0) as f32,
        }
    }

    fn params_moving(&self) -> bool {
        self.threshold.is_moving()
            || self.hysteresis.is_moving()
            || self.range.is_moving()
            || self.ratio.is_moving()
    }

    /// Closed, at the gain of a silent key, with no signal history.
    fn settle_closed(&mut self) {
        self.level.clear();
        self.open = false;
        self.hold_left = 0;
        self.gain_db = f64::from(closed_target(&self.levels, 0.0));
        self.gain = db_to_gain(self.gain_db);
    }

    /// Fills the key buffers with `n` frames from `start` and returns how many
    /// key channels there are.
    fn load_key(&mut self, io: &[&mut [f32]], key: Option<[&[f32]; 2]>, start: usize, n: usize) -> usize {
        let fill = |dst: &mut [f32], src: &[f32]| {
            let have = src.len().saturating_sub(start).min(n);
            dst[..have].copy_from_slice(&src[start..start + have]);
            dst[have..n].fill(0.0);
        };
        match key {
            Some(k) => {
                for c in 0..2 {
                    fill(&mut self.key[c], k[c]);
                }
                2
            }
            None => {
                let nch = io.len().min(2);
                for c in 0..nch {
                    fill(&mut self.key[c], io[c]);
                }
                nch
            }
        }
    }

    /// Runs the key buffers through the side-chain high-pass when it is on.
    fn filter_key(&mut self, channels: usize, n: usize) {
        if !self.hpf_on {
            return;
        }
        if self.hpf_freq.is_moving() {
            self.hpf_freq.advance(n as u32);
            self.hpf = self.design_hpf();
        }
        let [l, r] = &mut self.key;
        if channels == 2 {
            run_stereo(&self.hpf, &mut self.hpf_state, &mut l[..n], &mut r[..n]);
        } else {
            run(&self.hpf, &mut self.hpf_state[0], &mut l[..n]);
        }
        for s in self.hpf_state.iter_mut().flatten() {
            if s.abs() < TINY {
                *s = 0.0;
            }
        }
    }

    /// Advances the detector and the gain by one key sample `a` (a magnitude)
    /// and returns the linear gain.
    #[inline]
    fn step(&mut self, a: f32) -> f32 {
        let lv = self.levels;
        let level = self.level.push(a);
        if a > lv.close_below && (self.open || a > lv.open_above) {
            self.open = true;
            self.hold_left = self.hold_samples;
        } else if self.open {
            if self.hold_left == 0 {
                self.open = false;
            } else {
                self.hold_left -= 1;
            }
        }
        let target = if self.open { 0.0 } else { f64::from(closed_target(&lv, level)) };
        if target > self.gain_db {
            // Opening: a one-pole on the linear gain.
            let t = if target == 0.0 { 1.0 } else { f64::from(db_to_amp(target as f32)) };
            self.gain = t + self.attack_coeff * (self.gain - t);
            if (t - self.gain).abs() <= t * SNAP_LIN {
                self.gain = t;
                self.gain_db = target;
            } else {
                self.gain_db = f64::from(amp_to_db(self.gain as f32)).min(target);
            }
        } else if target < self.gain_db {
            // Closing: a one-pole in dB.
            self.gain_db = target + self.release_coeff * (self.gain_db - target);
            if self.gain_db - target < SNAP_DB {
                self.gain_db = target;
            }
            self.gain = f64::from(db_to_amp(self.gain_db as f32));
        }
        self.gain as f32
    }
}

/// The gain (dB) of a closed gate whose key's level is `level` (linear).
#[inline]
fn closed_target(lv: &Levels, level: f32) -> f32 {
    if lv.range_db >= 0.0 || lv.slope <= 0.0 {
        return 0.0;
    }
    let under = lv.threshold_db - amp_to_db(level);
    if under <= 0.0 { 0.0 } else { (-lv.slope * under).max(lv.range_db) }
}

/// `ms` milliseconds in whole samples at `rate`.
fn ms_to_samples(ms: f64, rate: f64) -> u32 {
    (ms * 0.001 * rate).round().max(0.0) as u32
}

impl Dsp for Gate {
    fn set_param(&mut self, index: usize, value: f64) {
        match index {
            p::THRESHOLD => self.threshold.set_target(value),
            p::HYSTERESIS => self.hysteresis.set_target(value),
            p::RANGE => self.range.set_target(value),
            p::RATIO => self.ratio.set_target(value),
            p::ATTACK => self.attack_coeff = one_pole_coeff(value, self.rate),
            p::RELEASE => self.release_coeff = one_pole_coeff(value, self.rate),
            p::HOLD => {
                self.hold_samples = ms_to_samples(value, self.rate);
                self.hold_left = self.hold_left.min(self.hold_samples);
            }
            p::SC_HPF_ON => {
                self.hpf_on = on(value);
                if !self.hpf_on {
                    self.hpf_state = [[0.0; 2]; 2];
                }
            }
            p::SC_HPF_FREQ => self.hpf_freq.set_target(value),
            _ => {}
        }
    }

    fn process(&mut self, io: &mut [&mut [f32]], key: Option<[&[f32]; 2]>) {
        let nch = io.len().min(2);
        if nch == 0 {
            return;
        }
        let frames = io[..nch].iter().map(|c| c.len()).min().unwrap_or(0);
        let block = self.key[0].len();
        let mut start = 0;
        while start < frames {
            let n = (frames - start).min(block);
            let kch = self.load_key(io, key, start, n);
            self.filter_key(kch, n);
            for i in 0..n {
                if self.params_moving() {
                    self.threshold.advance(1);
                    self.hysteresis.advance(1);
                    self.range.advance(1);
                    self.ratio.advance(1);
                    self.levels = self.current_levels();
                }
                let a = if kch == 2 {
                    self.key[0][i].abs().max(self.key[1][i].abs())
                } else {
                    self.key[0][i].abs()
                };
                let g = self.step(a);
                for c in io[..nch].iter_mut() {
                    c[start + i] *= g;
                }
            }
            start += n;
        }
    }

    fn gain_reduction_db(&self) -> Option<f32> {
        Some((-self.gain_db).max(0.0) as f32)
    }

    fn reset(&mut self) {
        self.hpf_state = [[0.0; 2]; 2];
        self.settle_closed();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closed_curve_expands_by_ratio_minus_one_down_to_the_range() {
        let lv =
            Levels { threshold_db: -30.0, open_above: 0.0, close_below: 0.0, range_db: -40.0, slope: 2.0 };
        let at = |db: f32| closed_target(&lv, db_to_amp(db));
        assert_eq!(at(-20.0), 0.0);
        assert!((at(-35.0) + 10.0).abs() < 1e-3);
        assert!((at(-45.0) + 30.0).abs() < 1e-3);
        assert_eq!(at(-60.0), -40.0);
        assert_eq!(closed_target(&lv, 0.0), -40.0);
        assert_eq!(closed_target(&Levels { range_db: 0.0, ..lv }, 0.0), 0.0);
    }

    #[test]
    fn a_gate_opens_on_its_key_and_settles_at_exactly_unity() {
        let ctx = DspContext { sample_rate: 48_000, max_block: 64, bpm: 120.0 };
        let values: Vec<f64> = PARAMS.iter().map(|p| p.default).collect();
        let mut g = Gate::new(&ctx, &values);
        assert_eq!(g.gain_reduction_db(), Some(80.0));
        let mut x = vec![0.5f32; 4800];
        g.process(&mut [&mut x], None);
        assert_eq!(x[4799], 0.5);
        assert_eq!(g.gain_reduction_db(), Some(0.0));
        g.reset();
        assert_eq!(g.gain_reduction_db(), Some(80.0));
    }
}
