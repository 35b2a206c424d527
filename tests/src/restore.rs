//! Helpers for the restoration processors' tests: running one processor kind
//! on a signal in blocks of a chosen size, and measuring tones, residuals and
//! band energies against closed forms.

use mixdesk_engine::dsp::{DspContext, kind};

/// The rate every signal here is made at.
pub const RATE: f64 = 48_000.0;

/// Runs processor `kind` with `settings` (by key; the rest at defaults) over
/// `channels` (1 or 2) in blocks of `block` frames, and returns the output
/// and the processor's latency.
pub fn run_kind(
    kind_name: &str,
    settings: &[(&str, f64)],
    channels: &[Vec<f32>],
    block: usize,
) -> (Vec<Vec<f32>>, usize) {
    let spec = kind(kind_name).expect("a registered kind");
    let mut values: Vec<f64> = spec.params.iter().map(|p| p.default).collect();
    for (k, v) in settings {
        let i = spec.param_index(k).unwrap_or_else(|| panic!("{kind_name} has no parameter {k}"));
        values[i] = spec.params[i].clamp(*v);
    }
    let ctx = DspContext { sample_rate: RATE as u32, max_block: block.max(1), bpm: 120.0 };
    let mut dsp = (spec.build)(&ctx, &values);
    let mut out: Vec<Vec<f32>> = channels.to_vec();
    let n = out[0].len();
    let mut start = 0;
    while start < n {
        let end = (start + block).min(n);
        let mut io: Vec<&mut [f32]> = out.iter_mut().map(|c| &mut c[start..end]).collect();
        dsp.process(&mut io, None);
        start = end;
    }
    (out, dsp.latency())
}

/// `x` delayed back by `latency` samples (the processor's output on the input's time), padded with zeros.
pub fn realign(x: &[f32], latency: usize) -> Vec<f32> {
    let mut y: Vec<f32> = x.iter().skip(latency).copied().collect();
    y.resize(x.len(), 0.0);
    y
}

/// A sine of `freq` Hz at amplitude `amp` and phase `phase`, `n` samples.
pub fn sine(freq: f64, amp: f64, phase: f64, n: usize) -> Vec<f64> {
    (0..n).map(|i| amp * (std::f64::consts::TAU * freq * i as f64 / RATE + phase).sin()).collect()
}

/// The least-squares amplitude and phase of the `freq` Hz component of `x`
/// (with a DC term), and the residual once that sine and the DC are removed.
pub fn fit_sine(x: &[f32], freq: f64) -> (f64, Vec<f64>) {
    let w = std::f64::consts::TAU * freq / RATE;
    // Normal equations for [sin, cos, 1].
    let mut m = [[0.0f64; 3]; 3];
    let mut b = [0.0f64; 3];
    for (i, v) in x.iter().enumerate() {
        let basis = [(w * i as f64).sin(), (w * i as f64).cos(), 1.0];
        for r in 0..3 {
            b[r] += basis[r] * f64::from(*v);
            for c in 0..3 {
                m[r][c] += basis[r] * basis[c];
            }
        }
    }
    let coef = solve3(m, b);
    let residual = x
        .iter()
        .enumerate()
        .map(|(i, v)| {
            f64::from(*v) - coef[0] * (w * i as f64).sin() - coef[1] * (w * i as f64).cos() - coef[2]
        })
        .collect();
    ((coef[0] * coef[0] + coef[1] * coef[1]).sqrt(), residual)
}

fn solve3(mut m: [[f64; 3]; 3], mut b: [f64; 3]) -> [f64; 3] {
    for col in 0..3 {
        let piv = (col..3).max_by(|&a, &c| m[a][col].abs().total_cmp(&m[c][col].abs())).unwrap_or(col);
        m.swap(col, piv);
        b.swap(col, piv);
        for r in col + 1..3 {
            let f = m[r][col] / m[col][col];
            for c in col..3 {
                m[r][c] -= f * m[col][c];
            }
            b[r] -= f * b[col];
        }
    }
    let mut x = [0.0; 3];
    for r in (0..3).rev() {
        let s: f64 = (r + 1..3).map(|c| m[r][c] * x[c]).sum();
        x[r] = (b[r] - s) / m[r][r];
    }
    x
}

/// The amplitude of the `freq` Hz component of `x` (a projection: exact for
/// tones with whole cycles in `x`).
pub fn tone_amplitude(x: &[f32], freq: f64) -> f64 {
    let w = std::f64::consts::TAU * freq / RATE;
    let (mut s, mut c) = (0.0, 0.0);
    for (i, v) in x.iter().enumerate() {
        s += f64::from(*v) * (w * i as f64).sin();
        c += f64::from(*v) * (w * i as f64).cos();
    }
    2.0 * (s * s + c * c).sqrt() / x.len() as f64
}

/// THD+N in dB: the energy left once the best-fitting `freq` Hz sine (and
/// DC) is removed, relative to that sine's energy.
pub fn thd_n_db(x: &[f32], freq: f64) -> f64 {
    let (amp, residual) = fit_sine(x, freq);
    let noise: f64 = residual.iter().map(|r| r * r).sum::<f64>() / residual.len() as f64;
    10.0 * (noise / (amp * amp / 2.0)).log10()
}

/// Sum of squares.
pub fn energy(x: &[f32]) -> f64 {
    x.iter().map(|v| f64::from(*v) * f64::from(*v)).sum()
}

/// `10 log10(a / b)`.
pub fn ratio_db(a: f64, b: f64) -> f64 {
    10.0 * (a / b).log10()
}

/// A signal's energy between `lo` and `hi` Hz (a rectangular-window DFT of
/// the whole slice, bins summed; Parseval-scaled so a full band equals
/// [`energy`]).
pub fn band_energy(x: &[f32], lo: f64, hi: f64) -> f64 {
    use realfft::RealFftPlanner;
    let n = x.len();
    let fft = RealFftPlanner::<f64>::new().plan_fft_forward(n);
    let mut input: Vec<f64> = x.iter().map(|v| f64::from(*v)).collect();
    let mut spec = fft.make_output_vec();
    fft.process(&mut input, &mut spec).expect("sizes match");
    let df = RATE / n as f64;
    spec.iter()
        .enumerate()
        .filter(|(k, _)| {
            let f = *k as f64 * df;
            f >= lo && f < hi
        })
        .map(|(k, c)| {
            let twice = k != 0 && !(n.is_multiple_of(2) && k == n / 2);
            c.norm_sqr() * if twice { 2.0 } else { 1.0 }
        })
        .sum::<f64>()
        / n as f64
}
