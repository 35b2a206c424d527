//! Parametric EQ: high-pass and low-pass (6 to 48 dB/octave Butterworth), low
//! and high shelf, and four peaking bands.
//!
//! Coefficients are designed in f64 (RBJ cookbook) and the filter state is f64.
//! While a band's frequency, gain or Q glides (frequency and Q in octaves, gain
//! in dB; see [`crate::smooth`]), its coefficients are redesigned every
//! [`CHUNK`] samples, so sweeps and automation do not zipper. Switching a band
//! on or off glides it in or out (gain to 0 dB, or cutoff to the edge of the
//! audio band) before it drops out of the chain. [`magnitude_db`] gives the
//! exact response of the sections the processor runs, for drawing the curve.

use super::biquad::{self, Coeffs, Shape};
use super::cascade_lanes;
use super::{Dsp, DspContext, KindSpec, on};
use crate::session::{ParamInfo, Unit};
use crate::smooth::{SMOOTHING_SECONDS, Smoother, ramp_samples};

/// Samples between coefficient updates while a band glides.
const CHUNK: usize = 16;

/// Filter slopes offered for the high-pass and low-pass, and the Butterworth order of each.
pub const SLOPES: [(&str, usize); 6] = [
    ("6 dB/oct", 1),
    ("12 dB/oct", 2),
    ("18 dB/oct", 3),
    ("24 dB/oct", 4),
    ("36 dB/oct", 6),
    ("48 dB/oct", 8),
];

const SLOPE_NAMES: [&str; 6] = [SLOPES[0].0, SLOPES[1].0, SLOPES[2].0, SLOPES[3].0, SLOPES[4].0, SLOPES[5].0];

/// The eight bands, in processing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    /// High-pass (low cut).
    HighPass,
    /// Low-pass (high cut).
    LowPass,
    /// Low shelf.
    LowShelf,
    /// Peaking band 1 to 4 (index 0 to 3).
    Peak(usize),
    /// High shelf.
    HighShelf,
}

impl Band {
    /// Every band, in processing order.
    pub const ALL: [Band; 8] = [
        Band::HighPass,
        Band::LowPass,
        Band::LowShelf,
        Band::Peak(0),
        Band::Peak(1),
        Band::Peak(2),
        Band::Peak(3),
        Band::HighShelf,
    ];

    /// Index of the band's on/off parameter; frequency follows it, then slope
    /// (pass filters) or gain and Q (shelves and peaks).
    pub fn base(self) -> usize {
        match self {
            Band::HighPass => 0,
            Band::LowPass => 3,
            Band::LowShelf => 6,
            Band::Peak(i) => 10 + 4 * i,
            Band::HighShelf => 26,
        }
    }

    /// The band's (gain dB, Q, slope index) in parameter `values`; pass filters
    /// have no gain or Q, shelves and peaks no slope.
    fn settings(self, values: &[f64]) -> (f64, f64, usize) {
        let b = self.base();
        if self.is_pass() { (0.0, 0.707, values[b + 2] as usize) } else { (values[b + 2], values[b + 3], 0) }
    }

    fn is_pass(self) -> bool {
        matches!(self, Band::HighPass | Band::LowPass)
    }
}

macro_rules! gain_band {
    ($on:literal, $freq:literal, $gain:literal, $q:literal, $label:literal, $f:expr, $qd:expr) => {
        [
            ParamInfo::toggle($on, concat!($label, " on"), true),
            ParamInfo::new($freq, concat!($label, " frequency"), Unit::Hertz, 20.0, 20000.0, $f),
            ParamInfo::new($gain, concat!($label, " gain"), Unit::Decibels, -24.0, 24.0, 0.0),
            ParamInfo::new($q, concat!($label, " Q"), Unit::Ratio, 0.1, 18.0, $qd),
        ]
    };
}

const fn flatten() -> [ParamInfo; 30] {
    let hp = [
        ParamInfo::toggle("hp_on", "High-pass on", false),
        ParamInfo::new("hp_freq", "High-pass frequency", Unit::Hertz, 20.0, 20000.0, 80.0),
        ParamInfo::choice("hp_slope", "High-pass slope", &SLOPE_NAMES, 1),
    ];
    let lp = [
        ParamInfo::toggle("lp_on", "Low-pass on", false),
        ParamInfo::new("lp_freq", "Low-pass frequency", Unit::Hertz, 20.0, 20000.0, 16000.0),
        ParamInfo::choice("lp_slope", "Low-pass slope", &SLOPE_NAMES, 1),
    ];
    let groups: [[ParamInfo; 4]; 6] = [
        gain_band!("low_on", "low_freq", "low_gain", "low_q", "Low shelf", 100.0, 0.707),
        gain_band!("p1_on", "p1_freq", "p1_gain", "p1_q", "Band 1", 200.0, 1.0),
        gain_band!("p2_on", "p2_freq", "p2_gain", "p2_q", "Band 2", 800.0, 1.0),
        gain_band!("p3_on", "p3_freq", "p3_gain", "p3_q", "Band 3", 2500.0, 1.0),
        gain_band!("p4_on", "p4_freq", "p4_gain", "p4_q", "Band 4", 6000.0, 1.0),
        gain_band!("high_on", "high_freq", "high_gain", "high_q", "High shelf", 10000.0, 0.707),
    ];
    let mut out = [hp[0]; 30];
    let mut i = 0;
    while i < 3 {
        out[i] = hp[i];
        out[3 + i] = lp[i];
        i += 1;
    }
    let mut g = 0;
    while g < 6 {
        let mut k = 0;
        while k < 4 {
            out[6 + 4 * g + k] = groups[g][k];
            k += 1;
        }
        g += 1;
    }
    out
}

const PARAMS: &[ParamInfo] = &flatten();

/// The EQ's registry entry.
pub const SPEC: KindSpec = KindSpec {
    kind: "eq",
    name: "EQ",
    short: "EQ",
    description: "Parametric EQ: 6-48 dB/oct high- and low-pass, two shelves and four peaking bands",
    params: PARAMS,
    sidechain: false,
    structural: &[],
    build,
};

fn build(ctx: &DspContext, values: &[f64]) -> Box<dyn Dsp> {
    Box::new(Eq::new(ctx, values))
}

/// The cutoff (Hz) a pass filter glides to when it is switched off.
fn off_freq(band: Band, rate: f64) -> f64 {
    match band {
        Band::HighPass => 5.0,
        _ => (rate * 0.49).min(40_000.0),
    }
}

/// A band's sections at given values.
fn design(band: Band, rate: f64, amount: f64, freq: f64, gain_db: f64, q: f64, slope: usize) -> Vec<Coeffs> {
    let mut out = Vec::with_capacity(4);
    design_into(band, rate, amount, freq, gain_db, q, slope, &mut out);
    out
}

/// Up to four sections, without allocating.
#[derive(Debug, Clone, Copy, Default)]
struct Sections {
    c: [Coeffs; 4],
    n: usize,
}

impl Default for Coeffs {
    fn default() -> Coeffs {
        Coeffs::IDENTITY
    }
}

trait Push {
    fn push_coeffs(&mut self, c: Coeffs);
}

impl Push for Sections {
    fn push_coeffs(&mut self, c: Coeffs) {
        self.c[self.n] = c;
        self.n += 1;
    }
}

impl Push for Vec<Coeffs> {
    fn push_coeffs(&mut self, c: Coeffs) {
        self.push(c);
    }
}

/// Designs a band blended in by `amount` (0 = off, 1 = fully on) into `out`.
#[allow(clippy::too_many_arguments)]
fn design_into(
    band: Band,
    rate: f64,
    amount: f64,
    freq: f64,
    gain_db: f64,
    q: f64,
    slope: usize,
    out: &mut impl Push,
) {
    if band.is_pass() {
        // Glide the cutoff (in octaves) towards the edge of the band as it switches off.
        let off = off_freq(band, rate).log2();
        let f = (off + (freq.log2() - off) * amount).exp2();
        let order = SLOPES[slope.min(SLOPES.len() - 1)].1;
        let (qs, odd) = butterworth_qs_fixed(order);
        let hp = band == Band::HighPass;
        if odd {
            out.push_coeffs(Coeffs::design(if hp { Shape::HighPass1 } else { Shape::LowPass1 }, f, rate));
        }
        for &q in &qs[..order / 2] {
            let shape = if hp { Shape::HighPass { q } } else { Shape::LowPass { q } };
            out.push_coeffs(Coeffs::design(shape, f, rate));
        }
    } else {
        let gain_db = gain_db * amount;
        let shape = match band {
            Band::LowShelf => Shape::LowShelf { gain_db, q },
            Band::HighShelf => Shape::HighShelf { gain_db, q },
            _ => Shape::Peak { gain_db, q },
        };
        out.push_coeffs(Coeffs::design(shape, freq, rate));
    }
}

/// Butterworth section Qs for orders up to 8 without allocating.
fn butterworth_qs_fixed(order: usize) -> ([f64; 4], bool) {
    let mut qs = [0.0; 4];
    for (k, q) in qs.iter_mut().enumerate().take(order / 2) {
        let theta = (2 * (k + 1) + order - 1) as f64 * std::f64::consts::PI / (2 * order) as f64;
        *q = -1.0 / (2.0 * theta.cos());
    }
    (qs, order % 2 == 1)
}

/// The sections the EQ runs for parameter `values` at `rate`, bypassed bands left out.
pub fn sections(values: &[f64], rate: f64) -> Vec<Coeffs> {
    let mut out = Vec::new();
    for band in Band::ALL {
        let b = band.base();
        if !on(values[b]) {
            continue;
        }
        let (gain, q, slope) = band.settings(values);
        out.extend(design(band, rate, 1.0, values[b + 1], gain, q, slope));
    }
    out
}

/// The EQ's magnitude response in dB at `freq` Hz, for parameter `values` at
/// `rate` Hz: exactly the response of the running filter once settled.
pub fn magnitude_db(values: &[f64], rate: f64, freq: f64) -> f64 {
    let mag: f64 = sections(values, rate).iter().map(|c| c.magnitude(freq, rate)).product();
    20.0 * mag.max(1e-30).log10()
}

/// The response of one band alone (for drawing each band's own curve).
pub fn band_magnitude_db(values: &[f64], band: Band, rate: f64, freq: f64) -> f64 {
    let b = band.base();
    let (gain, q, slope) = band.settings(values);
    let mag: f64 = design(band, rate, 1.0, values[b + 1], gain, q, slope)
        .iter()
        .map(|c| c.magnitude(freq, rate))
        .product();
    20.0 * mag.max(1e-30).log10()
}

/// One band's live state.
#[derive(Debug, Clone)]
struct BandState {
    band: Band,
    /// 0 (off) to 1 (on), gliding.
    amount: Smoother,
    /// log2 of the frequency.
    freq: Smoother,
    gain: Smoother,
    /// log2 of Q.
    q: Smoother,
    slope: usize,
    sections: Sections,
    /// Per section, per channel: TDF-II state.
    state: [[[f64; 2]; 2]; 4],
    /// Whether the band ran in the last block (a band coming back starts from silence).
    live: bool,
}

impl BandState {
    fn moving(&self) -> bool {
        self.amount.is_moving() || self.freq.is_moving() || self.gain.is_moving() || self.q.is_moving()
    }

    /// Whether the band changes the signal at all.
    fn active(&self) -> bool {
        self.moving() || (self.amount.value() > 0.0 && (self.band.is_pass() || self.gain.value() != 0.0))
    }

    fn redesign(&mut self, rate: f64) {
        let n_before = self.sections.n;
        let mut s = Sections::default();
        design_into(
            self.band,
            rate,
            self.amount.value(),
            self.freq.value().exp2(),
            self.gain.value(),
            self.q.value().exp2(),
            self.slope,
            &mut s,
        );
        if s.n != n_before {
            self.state = [[[0.0; 2]; 2]; 4];
        }
        self.sections = s;
    }

    fn run(&mut self, io: &mut [&mut [f32]]) {
        for k in 0..self.sections.n {
            let c = &self.sections.c[k];
            match io {
                [l, r] => biquad::run_stereo(c, &mut self.state[k], l, r),
                [m] => biquad::run(c, &mut self.state[k][0], m),
                _ => {}
            }
        }
    }
}

/// The running EQ.
#[derive(Debug, Clone)]
pub struct Eq {
    rate: f64,
    bands: [BandState; 8],
}

impl Eq {
    fn new(ctx: &DspContext, values: &[f64]) -> Eq {
        let rate = f64::from(ctx.sample_rate);
        let ramp = ramp_samples(SMOOTHING_SECONDS, ctx.sample_rate);
        let bands = Band::ALL.map(|band| {
            let b = band.base();
            let (gain, q, slope) = band.settings(values);
            let mut s = BandState {
                band,
                amount: Smoother::new(if on(values[b]) { 1.0 } else { 0.0 }, ramp),
                freq: Smoother::new(values[b + 1].log2(), ramp),
                gain: Smoother::new(gain, ramp),
                q: Smoother::new(q.log2(), ramp),
                slope,
                sections: Sections::default(),
                state: [[[0.0; 2]; 2]; 4],
                live: false,
            };
            s.redesign(rate);
            s
        });
        Eq { rate, bands }
    }
}

impl Eq {
    /// Nothing glides: every active section runs in one fused cascade.
    fn process_settled(&mut self, io: &mut [&mut [f32]]) {
        let mut cascade = Cascade::default();
        self.gather(&mut cascade);
        biquad::run_cascade(&cascade.coeffs[..cascade.n], &mut cascade.state[..cascade.n], io);
        self.scatter(&cascade);
    }

    /// The active sections' coefficients and states, in order (bands coming
    /// back start from silence).
    fn gather(&mut self, out: &mut Cascade) {
        out.n = 0;
        for band in self.bands.iter_mut() {
            if !band.active() {
                band.live = false;
                continue;
            }
            if !band.live {
                band.state = [[[0.0; 2]; 2]; 4];
                band.live = true;
            }
            for k in 0..band.sections.n {
                out.coeffs[out.n] = band.sections.c[k];
                out.state[out.n] = band.state[k];
                out.n += 1;
            }
        }
    }

    /// Puts the states [`Eq::gather`] took back in their bands.
    fn scatter(&mut self, from: &Cascade) {
        let mut i = 0;
        for band in self.bands.iter_mut().filter(|b| b.live) {
            band.state[..band.sections.n].copy_from_slice(&from.state[i..i + band.sections.n]);
            i += band.sections.n;
        }
    }

    /// Two tracks' EQs over their stereo blocks, each exactly as
    /// [`Dsp::process`] would run it; when neither glides, both cascades run
    /// side by side (see [`cascade_lanes::run_cascade_pair`]). Realtime-safe.
    pub fn process_pair(a: (&mut Eq, [&mut [f32]; 2]), b: (&mut Eq, [&mut [f32]; 2])) {
        let ((ea, [al, ar]), (eb, [bl, br])) = (a, b);
        if ea.bands.iter().chain(&eb.bands).any(BandState::moving) {
            ea.process(&mut [al, ar], None);
            eb.process(&mut [bl, br], None);
            return;
        }
        let (mut ca, mut cb) = (Cascade::default(), Cascade::default());
        ea.gather(&mut ca);
        eb.gather(&mut cb);
        let [sa, sb] = [&mut ca.state[..ca.n], &mut cb.state[..cb.n]];
        cascade_lanes::run_cascade_pair(
            [&ca.coeffs[..ca.n], &cb.coeffs[..cb.n]],
            [sa, sb],
            [al, ar],
            [bl, br],
        );
        ea.scatter(&ca);
        eb.scatter(&cb);
    }

    /// Four tracks' EQs over their stereo blocks, each exactly as
    /// [`Dsp::process`] would run it: side by side in 512-bit registers when
    /// the CPU has them, none glides and their section counts agree (see
    /// [`cascade_lanes::run_cascade_quad`]), else as two pairs. Realtime-safe.
    pub fn process_quad(members: [(&mut Eq, [&mut [f32]; 2]); 4]) {
        let settled = members.iter().all(|(e, _)| !e.bands.iter().any(BandState::moving));
        if !(settled && crate::dsp::simd::avx512()) {
            let [a, b, c, d] = members;
            Eq::process_pair(a, b);
            Eq::process_pair(c, d);
            return;
        }
        let mut cascades: [Cascade; 4] = std::array::from_fn(|_| Cascade::default());
        let [(e0, io0), (e1, io1), (e2, io2), (e3, io3)] = members;
        let mut eqs = [e0, e1, e2, e3];
        for (e, c) in eqs.iter_mut().zip(cascades.iter_mut()) {
            e.gather(c);
        }
        let [c0, c1, c2, c3] = &mut cascades;
        let coeffs = [&c0.coeffs[..c0.n], &c1.coeffs[..c1.n], &c2.coeffs[..c2.n], &c3.coeffs[..c3.n]];
        let states =
            [&mut c0.state[..c0.n], &mut c1.state[..c1.n], &mut c2.state[..c2.n], &mut c3.state[..c3.n]];
        cascade_lanes::run_cascade_quad(coeffs, states, [io0, io1, io2, io3]);
        for (e, c) in eqs.into_iter().zip(&cascades) {
            e.scatter(c);
        }
    }
}

/// The sections of a settled EQ as one cascade (at most 14: four for each
/// pass filter, one for each other band).
struct Cascade {
    coeffs: [Coeffs; 16],
    state: [[[f64; 2]; 2]; 16],
    n: usize,
}

impl Default for Cascade {
    fn default() -> Cascade {
        Cascade { coeffs: [Coeffs::IDENTITY; 16], state: [[[0.0; 2]; 2]; 16], n: 0 }
    }
}

impl Dsp for Eq {
    fn set_param(&mut self, index: usize, value: f64) {
        let Some(band) = self.bands.iter_mut().rev().find(|b| b.band.base() <= index) else { return };
        match index - band.band.base() {
            0 => band.amount.set_target(if on(value) { 1.0 } else { 0.0 }),
            1 => band.freq.set_target(value.max(1.0).log2()),
            2 if band.band.is_pass() => {
                band.slope = value as usize;
                band.redesign(self.rate);
            }
            2 => band.gain.set_target(value),
            3 => band.q.set_target(value.max(0.01).log2()),
            _ => {}
        }
    }

    fn process(&mut self, io: &mut [&mut [f32]], _key: Option<[&[f32]; 2]>) {
        if self.bands.iter().all(|b| !b.moving()) {
            self.process_settled(io);
            return;
        }
        let n = io.first().map_or(0, |c| c.len());
        let rate = self.rate;
        for band in &mut self.bands {
            if !band.active() {
                band.live = false;
                continue;
            }
            if !band.live {
                band.state = [[[0.0; 2]; 2]; 4];
                band.live = true;
            }
            if !band.moving() {
                band.run(io);
                continue;
            }
            let mut done = 0;
            while done < n {
                let len = CHUNK.min(n - done);
                for s in [&mut band.amount, &mut band.freq, &mut band.gain, &mut band.q] {
                    s.advance(len as u32);
                }
                band.redesign(rate);
                match io {
                    [l, r] => band.run(&mut [&mut l[done..done + len], &mut r[done..done + len]]),
                    [m] => band.run(&mut [&mut m[done..done + len]]),
                    _ => {}
                }
                done += len;
            }
        }
    }

    fn reset(&mut self) {
        for b in self.bands.iter_mut() {
            b.state = [[[0.0; 2]; 2]; 4];
        }
    }

    fn grouped(&mut self) -> Option<super::group::Grouped<'_>> {
        Some(super::group::Grouped::Eq(self))
    }
}
