//! The harness the DSP unit tests share (`dsp_dynamics.rs`, `dsp_gate.rs`):
//! a processor of a kind built with some parameters set, run over planar
//! channels in blocks, and the small signal helpers they measure with.

use std::f64::consts::PI;

use mixdesk_engine::dsp::{Dsp, DspContext, kind};

pub fn ctx(rate: u32) -> DspContext {
    DspContext { sample_rate: rate, max_block: 512, bpm: 120.0 }
}

/// A processor of `kind_name` with default parameters except `set` (by key).
pub fn build(kind_name: &str, rate: u32, set: &[(&str, f64)]) -> Box<dyn Dsp> {
    let spec = kind(kind_name).unwrap();
    let mut values: Vec<f64> = spec.params.iter().map(|p| p.default).collect();
    for (key, v) in set {
        let i = spec.param_index(key).unwrap_or_else(|| panic!("{kind_name} has no {key}"));
        values[i] = *v;
    }
    (spec.build)(&ctx(rate), &values)
}

/// The index of parameter `key` of `kind_name`.
pub fn index(kind_name: &str, key: &str) -> usize {
    kind(kind_name).unwrap().param_index(key).unwrap()
}

/// Runs `dsp` over `chans` in blocks of `block`, with an optional stereo key.
/// Returns the output and the gain reduction reported after each block.
pub fn run(
    dsp: &mut dyn Dsp,
    chans: &[Vec<f32>],
    key: Option<&[Vec<f32>; 2]>,
    block: usize,
) -> (Vec<Vec<f32>>, Vec<f32>) {
    let mut out: Vec<Vec<f32>> = chans.to_vec();
    let n = chans[0].len();
    let mut gr = Vec::new();
    let mut start = 0;
    while start < n {
        let end = (start + block).min(n);
        let mut io: Vec<&mut [f32]> = out.iter_mut().map(|c| &mut c[start..end]).collect();
        let k = key.map(|k| [&k[0][start..end], &k[1][start..end]]);
        dsp.process(&mut io, k);
        gr.push(dsp.gain_reduction_db().unwrap());
        start = end;
    }
    (out, gr)
}

pub fn db(x: f64) -> f64 {
    10f64.powf(x / 20.0)
}

pub fn to_db(x: f64) -> f64 {
    20.0 * x.log10()
}

pub fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
}

pub fn sine(n: usize, rate: u32, freq: f64, amp: f64, phase: f64) -> Vec<f32> {
    (0..n).map(|i| (amp * (2.0 * PI * freq * i as f64 / f64::from(rate) + phase).sin()) as f32).collect()
}

/// A small deterministic generator (xorshift64*), uniform in [-1, 1).
#[derive(Debug)]
pub struct Noise(pub u64);

impl Noise {
    pub fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let r = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d);
        (r >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }

    /// Roughly Gaussian (sum of four uniforms), unit variance.
    pub fn gauss(&mut self) -> f64 {
        (self.uniform() + self.uniform() + self.uniform() + self.uniform()) * (3.0f64 / 4.0).sqrt()
    }
}
