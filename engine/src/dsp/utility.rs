//! Utility: gain, mid/side width, mono, channel swap and per-channel polarity.
//!
//! On a stereo signal the stages run in this order, each a 2x2 matrix, so the
//! whole utility is one matrix per sample:
//! 1. polarity: `L *= -1` (invert left), `R *= -1` (invert right);
//! 2. swap: `(L, R) = (R, L)`;
//! 3. mid/side: `M = (L+R)/2`, `S = (L-R)/2 * width/100` (0 if mono), `L = M+S`, `R = M-S`;
//! 4. gain.
//!
//! Combined: with `a = ±L`, `b = ±R` and `k = w * (1 - 2 swap)` (w = width/100,
//! or 0 when mono), `L' = g((1+k)a + (1-k)b)/2` and `R' = g((1-k)a + (1+k)b)/2`.
//!
//! On a mono track width, mono and swap do nothing; the track's one channel is
//! both left and right, so it is inverted when either polarity switch is on.
//!
//! Gain glides in dB and width linearly over [`crate::smooth::SMOOTHING_SECONDS`];
//! every switch ramps over [`crate::smooth::DECLICK_SECONDS`] (polarity passes
//! through 0, swap through mono), so nothing clicks.

use super::{Dsp, DspContext, KindSpec, db_to_gain, on};
use crate::session::{ParamInfo, Unit};
use crate::smooth::{DECLICK_SECONDS, Declick, SMOOTHING_SECONDS, Smoother, ramp_samples};

/// Parameter indices.
pub mod p {
    pub const GAIN: usize = 0;
    pub const WIDTH: usize = 1;
    pub const MONO: usize = 2;
    pub const SWAP: usize = 3;
    pub const INVERT_LEFT: usize = 4;
    pub const INVERT_RIGHT: usize = 5;
}

const PARAMS: &[ParamInfo] = &[
    ParamInfo::new("gain", "Gain", Unit::Decibels, -96.0, 24.0, 0.0),
    ParamInfo::new("width", "Width (M/S)", Unit::Percent, 0.0, 200.0, 100.0),
    ParamInfo::toggle("mono", "Mono", false),
    ParamInfo::toggle("swap", "Swap channels", false),
    ParamInfo::toggle("invert_left", "Invert left polarity", false),
    ParamInfo::toggle("invert_right", "Invert right polarity", false),
];

/// The utility's registry entry.
pub const SPEC: KindSpec = KindSpec {
    kind: "utility",
    name: "Utility",
    short: "Utility",
    description: "Gain, mid/side width, mono, channel swap and polarity",
    params: PARAMS,
    sidechain: false,
    structural: &[],
    build,
};

/// Builds a utility settled at `values`.
fn build(ctx: &DspContext, values: &[f64]) -> Box<dyn Dsp> {
    let smooth = ramp_samples(SMOOTHING_SECONDS, ctx.sample_rate);
    let declick = ramp_samples(DECLICK_SECONDS, ctx.sample_rate);
    let v = |i: usize| values.get(i).copied().unwrap_or(PARAMS[i].default);
    let gain_db = Smoother::new(v(p::GAIN), smooth);
    Box::new(Utility {
        gain: db_to_gain(gain_db.value()),
        gain_db,
        width: Smoother::new(v(p::WIDTH) * 0.01, smooth),
        mono: Declick::new(on(v(p::MONO)), declick),
        swap: Declick::new(on(v(p::SWAP)), declick),
        invert: [Declick::new(on(v(p::INVERT_LEFT)), declick), Declick::new(on(v(p::INVERT_RIGHT)), declick)],
    })
}

/// The running utility.
#[derive(Debug)]
pub struct Utility {
    /// Gain in dB.
    gain_db: Smoother,
    /// The linear gain of `gain_db`'s current value.
    gain: f64,
    /// Width as a factor on the side signal (1 = unchanged).
    width: Smoother,
    mono: Declick,
    swap: Declick,
    /// Left and right polarity switches (gain 1 = inverted).
    invert: [Declick; 2],
}

impl Utility {
    fn moving(&self) -> bool {
        self.gain_db.is_moving()
            || self.width.is_moving()
            || self.mono.is_moving()
            || self.swap.is_moving()
            || self.invert[0].is_moving()
            || self.invert[1].is_moving()
    }

    /// The stereo matrix `[[ll, rl], [lr, rr]]` (`L' = ll L + rl R`, `R' = lr L + rr R`)
    /// and the mono track's gain, at the current state.
    fn matrix(&self) -> ([f32; 4], f32) {
        let g = self.gain;
        let k = self.width.value() * (1.0 - self.mono.gain()) * (1.0 - 2.0 * self.swap.gain());
        let (il, ir) = (self.invert[0].gain(), self.invert[1].gain());
        let (pl, pr) = (1.0 - 2.0 * il, 1.0 - 2.0 * ir);
        let h = 0.5 * g;
        let m = [h * (1.0 + k) * pl, h * (1.0 - k) * pr, h * (1.0 - k) * pl, h * (1.0 + k) * pr];
        (m.map(|x| x as f32), (g * (1.0 - 2.0 * il.max(ir))) as f32)
    }

    /// Advances every glide by one sample.
    fn step(&mut self) {
        if self.gain_db.is_moving() {
            self.gain = db_to_gain(self.gain_db.advance(1));
        }
        self.width.advance(1);
        self.mono.advance(1);
        self.swap.advance(1);
        self.invert[0].advance(1);
        self.invert[1].advance(1);
    }
}

impl Dsp for Utility {
    fn set_param(&mut self, index: usize, value: f64) {
        match index {
            p::GAIN => self.gain_db.set_target(value),
            p::WIDTH => self.width.set_target(value * 0.01),
            p::MONO => self.mono.set(on(value)),
            p::SWAP => self.swap.set(on(value)),
            p::INVERT_LEFT => self.invert[0].set(on(value)),
            p::INVERT_RIGHT => self.invert[1].set(on(value)),
            _ => {}
        }
    }

    fn process(&mut self, io: &mut [&mut [f32]], _key: Option<[&[f32]; 2]>) {
        match io {
            [x] => {
                let mut i = 0;
                while i < x.len() && self.moving() {
                    self.step();
                    x[i] *= self.matrix().1;
                    i += 1;
                }
                let g = self.matrix().1;
                if g != 1.0 {
                    x[i..].iter_mut().for_each(|s| *s *= g);
                }
            }
            [l, r, ..] => {
                let n = l.len().min(r.len());
                let (l, r) = (&mut l[..n], &mut r[..n]);
                let mut i = 0;
                while i < n && self.moving() {
                    self.step();
                    let [ll, rl, lr, rr] = self.matrix().0;
                    let (a, b) = (l[i], r[i]);
                    l[i] = ll * a + rl * b;
                    r[i] = lr * a + rr * b;
                    i += 1;
                }
                let [ll, rl, lr, rr] = self.matrix().0;
                if [ll, rl, lr, rr] == [1.0, 0.0, 0.0, 1.0] {
                    return;
                }
                for (a, b) in l[i..].iter_mut().zip(r[i..].iter_mut()) {
                    let (x, y) = (*a, *b);
                    *a = ll * x + rl * y;
                    *b = lr * x + rr * y;
                }
            }
            [] => {}
        }
    }

    fn reset(&mut self) {
        // No signal state: only glides, which finish at once.
        self.gain_db.jump(self.gain_db.target());
        self.gain = db_to_gain(self.gain_db.value());
        self.width.jump(self.width.target());
        let [il, ir] = &mut self.invert;
        for d in [&mut self.mono, &mut self.swap, il, ir] {
            let on = d.is_on();
            d.jump(on);
        }
    }
}
