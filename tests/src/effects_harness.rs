//! The harness the effect tests share (`dsp_effects.rs`, `dsp_utility.rs`):
//! processors built at a rate and tempo with some parameters set, run in
//! blocks, and the measurements the closed forms are checked with.

use std::f64::consts::TAU;

use mixdesk_engine::dsp::{self, Dsp, DspContext};

pub const RATE: u32 = 48_000;
pub const FS: f64 = 48_000.0;
pub const BLOCK: usize = 512;

pub fn ctx_at(rate: u32, bpm: f64) -> DspContext {
    DspContext { sample_rate: rate, max_block: BLOCK, bpm }
}

/// Builds `kind` for `ctx` with its defaults overridden by `params`.
pub fn build_with(ctx: &DspContext, kind: &str, params: &[(&str, f64)]) -> Box<dyn Dsp> {
    let spec = dsp::kind(kind).unwrap();
    let mut values: Vec<f64> = spec.params.iter().map(|p| p.default).collect();
    for (key, v) in params {
        values[spec.param_index(key).unwrap_or_else(|| panic!("{kind} has no {key}"))] = *v;
    }
    (spec.build)(ctx, &values)
}

/// Builds `kind` at 48 kHz, 120 BPM.
pub fn build(kind: &str, params: &[(&str, f64)]) -> Box<dyn Dsp> {
    build_with(&ctx_at(RATE, 120.0), kind, params)
}

pub fn index(kind: &str, key: &str) -> usize {
    dsp::kind(kind).unwrap().param_index(key).unwrap()
}

/// Runs a stereo signal through `d` in blocks of `block`.
pub fn stereo(d: &mut dyn Dsp, l: &[f32], r: &[f32], block: usize) -> (Vec<f32>, Vec<f32>) {
    let (mut l, mut r) = (l.to_vec(), r.to_vec());
    for (bl, br) in l.chunks_mut(block).zip(r.chunks_mut(block)) {
        d.process(&mut [bl, br], None);
    }
    (l, r)
}

/// Runs a mono signal through `d` in blocks of `block`.
pub fn mono(d: &mut dyn Dsp, x: &[f32], block: usize) -> Vec<f32> {
    let mut x = x.to_vec();
    for b in x.chunks_mut(block) {
        d.process(&mut [b], None);
    }
    x
}

pub fn impulse(n: usize, at: usize, amp: f32) -> Vec<f32> {
    let mut x = vec![0.0; n];
    x[at] = amp;
    x
}

pub fn assert_close(got: &[f32], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((f64::from(*g) - w).abs() <= tol, "{what}: sample {i}: got {g}, want {w}");
    }
}

pub fn finite_and_bounded(x: &[f32], bound: f32) -> bool {
    x.iter().all(|v| v.is_finite() && v.abs() <= bound)
}

/// T30 in seconds: Schroeder backward integration of `energy`, a least-squares
/// line through the decay curve from -5 to -35 dB, extrapolated to 60 dB.
pub fn t30(energy: &[f64], rate: f64) -> f64 {
    let mut edc = vec![0.0; energy.len()];
    let mut acc = 0.0;
    for i in (0..energy.len()).rev() {
        acc += energy[i];
        edc[i] = acc;
    }
    let total = edc[0];
    let (mut n, mut sx, mut sy, mut sxx, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, e) in edc.iter().enumerate() {
        let db = 10.0 * (e / total).log10();
        if (-35.0..=-5.0).contains(&db) {
            let t = i as f64 / rate;
            n += 1.0;
            sx += t;
            sy += db;
            sxx += t * t;
            sxy += t * db;
        }
    }
    let slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    -60.0 / slope
}

/// The T30 of `d`'s wet stereo impulse response (energy of both channels).
pub fn reverb_t30(d: &mut dyn Dsp, decay: f64, rate: u32) -> f64 {
    let n = (decay * 1.6 * f64::from(rate)) as usize + rate as usize / 2;
    let x = impulse(n, 0, 1.0);
    let (l, r) = stereo(d, &x, &x, BLOCK);
    let e: Vec<f64> = l.iter().zip(&r).map(|(a, b)| f64::from(*a).powi(2) + f64::from(*b).powi(2)).collect();
    t30(&e, f64::from(rate))
}

pub fn correlation(a: &[f32], b: &[f32]) -> f64 {
    let dot = |x: &[f32], y: &[f32]| x.iter().zip(y).map(|(p, q)| f64::from(*p) * f64::from(*q)).sum::<f64>();
    dot(a, b) / (dot(a, a) * dot(b, b)).sqrt()
}

/// Amplitude of the `freq` Hz component of `x` (a whole number of periods long).
pub fn amplitude(x: &[f32], freq: f64) -> f64 {
    let (mut s, mut c) = (0.0, 0.0);
    for (i, v) in x.iter().enumerate() {
        let (si, ci) = (TAU * freq * i as f64 / FS).sin_cos();
        s += f64::from(*v) * si;
        c += f64::from(*v) * ci;
    }
    2.0 * (s * s + c * c).sqrt() / x.len() as f64
}
