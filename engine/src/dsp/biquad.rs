//! Second-order (and first-order) IIR sections: RBJ "Audio EQ Cookbook"
//! designs in f64, their exact magnitude response, and a transposed direct
//! form II runner whose state is f64.

use std::f64::consts::PI;

use super::simd::MulAdd;

/// The shape of one filter section.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    /// First-order high-pass (6 dB/octave).
    HighPass1,
    /// First-order low-pass (6 dB/octave).
    LowPass1,
    /// Second-order high-pass with quality `q`.
    HighPass { q: f64 },
    /// Second-order low-pass with quality `q`.
    LowPass { q: f64 },
    /// Low shelf of `gain_db` with quality `q`.
    LowShelf { gain_db: f64, q: f64 },
    /// High shelf of `gain_db` with quality `q`.
    HighShelf { gain_db: f64, q: f64 },
    /// Peaking band of `gain_db` with quality `q`.
    Peak { gain_db: f64, q: f64 },
}

/// Normalised coefficients: `y = b0 x + b1 x[-1] + b2 x[-2] - a1 y[-1] - a2 y[-2]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coeffs {
    /// Feed-forward coefficients.
    pub b: [f64; 3],
    /// Feedback coefficients `a1`, `a2` (`a0` is 1).
    pub a: [f64; 2],
}

impl Coeffs {
    /// The identity filter.
    pub const IDENTITY: Coeffs = Coeffs { b: [1.0, 0.0, 0.0], a: [0.0, 0.0] };

    /// Designs `shape` at `freq` Hz for `rate` Hz (the frequency is kept below Nyquist).
    pub fn design(shape: Shape, freq: f64, rate: f64) -> Coeffs {
        let f = freq.clamp(1.0, rate * 0.49);
        let w0 = 2.0 * PI * f / rate;
        let (sin, cos) = w0.sin_cos();
        let alpha = |q: f64| sin / (2.0 * q.max(0.01));
        let norm = |b: [f64; 3], a: [f64; 3]| Coeffs {
            b: [b[0] / a[0], b[1] / a[0], b[2] / a[0]],
            a: [a[1] / a[0], a[2] / a[0]],
        };
        match shape {
            Shape::HighPass1 | Shape::LowPass1 => {
                let k = (w0 / 2.0).tan();
                let a1 = (k - 1.0) / (k + 1.0);
                let (b0, b1) = if shape == Shape::LowPass1 {
                    (k / (1.0 + k), k / (1.0 + k))
                } else {
                    (1.0 / (1.0 + k), -1.0 / (1.0 + k))
                };
                Coeffs { b: [b0, b1, 0.0], a: [a1, 0.0] }
            }
            Shape::LowPass { q } => {
                let al = alpha(q);
                norm([(1.0 - cos) / 2.0, 1.0 - cos, (1.0 - cos) / 2.0], [1.0 + al, -2.0 * cos, 1.0 - al])
            }
            Shape::HighPass { q } => {
                let al = alpha(q);
                norm([(1.0 + cos) / 2.0, -(1.0 + cos), (1.0 + cos) / 2.0], [1.0 + al, -2.0 * cos, 1.0 - al])
            }
            Shape::Peak { gain_db, q } => {
                let a = 10f64.powf(gain_db / 40.0);
                let al = alpha(q);
                norm([1.0 + al * a, -2.0 * cos, 1.0 - al * a], [1.0 + al / a, -2.0 * cos, 1.0 - al / a])
            }
            Shape::LowShelf { gain_db, q } => {
                let a = 10f64.powf(gain_db / 40.0);
                let t = 2.0 * a.sqrt() * alpha(q);
                norm(
                    [
                        a * ((a + 1.0) - (a - 1.0) * cos + t),
                        2.0 * a * ((a - 1.0) - (a + 1.0) * cos),
                        a * ((a + 1.0) - (a - 1.0) * cos - t),
                    ],
                    [
                        (a + 1.0) + (a - 1.0) * cos + t,
                        -2.0 * ((a - 1.0) + (a + 1.0) * cos),
                        (a + 1.0) + (a - 1.0) * cos - t,
                    ],
                )
            }
            Shape::HighShelf { gain_db, q } => {
                let a = 10f64.powf(gain_db / 40.0);
                let t = 2.0 * a.sqrt() * alpha(q);
                norm(
                    [
                        a * ((a + 1.0) + (a - 1.0) * cos + t),
                        -2.0 * a * ((a - 1.0) + (a + 1.0) * cos),
                        a * ((a + 1.0) + (a - 1.0) * cos - t),
                    ],
                    [
                        (a + 1.0) - (a - 1.0) * cos + t,
                        2.0 * ((a - 1.0) - (a + 1.0) * cos),
                        (a + 1.0) - (a - 1.0) * cos - t,
                    ],
                )
            }
        }
    }

    /// `|H(e^jw)|` at `freq` Hz for `rate` Hz, in closed form.
    pub fn magnitude(&self, freq: f64, rate: f64) -> f64 {
        let w = 2.0 * PI * freq / rate;
        let (s1, c1) = w.sin_cos();
        let (s2, c2) = (2.0 * w).sin_cos();
        let [b0, b1, b2] = self.b;
        let [a1, a2] = self.a;
        let (nr, ni) = (b0 + b1 * c1 + b2 * c2, -(b1 * s1 + b2 * s2));
        let (dr, di) = (1.0 + a1 * c1 + a2 * c2, -(a1 * s1 + a2 * s2));
        ((nr * nr + ni * ni) / (dr * dr + di * di)).sqrt()
    }
}

/// The quality factors of the second-order sections of an `order`-th order
/// Butterworth filter, and whether it needs one first-order section (odd orders).
pub fn butterworth_qs(order: usize) -> (Vec<f64>, bool) {
    let qs = (1..=order / 2)
        .map(|k| -1.0 / (2.0 * ((2 * k + order - 1) as f64 * PI / (2 * order) as f64).cos()))
        .collect();
    (qs, order % 2 == 1)
}

/// Runs one section over a block in place. `s` is the section's f64 state.
#[inline]
pub fn run(c: &Coeffs, s: &mut [f64; 2], buf: &mut [f32]) {
    let [b0, b1, b2] = c.b;
    let [a1, a2] = c.a;
    let [mut s1, mut s2] = *s;
    for x in buf {
        let xi = f64::from(*x);
        let y = b0 * xi + s1;
        s1 = b1 * xi - a1 * y + s2;
        s2 = b2 * xi - a2 * y;
        *x = y as f32;
    }
    *s = [s1, s2];
}

/// Runs one section over a stereo block in place, both channels in one loop so
/// their two recursions overlap in the CPU.
#[inline]
pub fn run_stereo(c: &Coeffs, s: &mut [[f64; 2]; 2], l: &mut [f32], r: &mut [f32]) {
    let [b0, b1, b2] = c.b;
    let [a1, a2] = c.a;
    let [[mut l1, mut l2], [mut r1, mut r2]] = *s;
    for (xl, xr) in l.iter_mut().zip(r.iter_mut()) {
        let (il, ir) = (f64::from(*xl), f64::from(*xr));
        let yl = b0 * il + l1;
        let yr = b0 * ir + r1;
        l1 = b1 * il - a1 * yl + l2;
        r1 = b1 * ir - a1 * yr + r2;
        l2 = b2 * il - a2 * yl;
        r2 = b2 * ir - a2 * yr;
        *xl = yl as f32;
        *xr = yr as f32;
    }
    *s = [[l1, l2], [r1, r2]];
}

/// Runs up to 16 sections in cascade over a mono or stereo block, all
/// sections within one pass per sample so their recursions overlap in the CPU
/// (a cascade run section by section is bound by each recursion's latency).
/// `state[k][channel]` is section `k`'s state. Uses fused multiply-adds where
/// the CPU has them (see [`super::simd`]).
#[allow(unsafe_code)]
pub fn run_cascade(coeffs: &[Coeffs], state: &mut [[[f64; 2]; 2]], io: &mut [&mut [f32]]) {
    #[cfg(target_arch = "x86_64")]
    if super::simd::fma() {
        // SAFETY: the CPU has AVX2 and FMA (checked just above).
        unsafe { run_cascade_fma(coeffs, state, io) };
        return;
    }
    run_cascade_with::<false>(coeffs, state, io);
}

/// [`run_cascade`] compiled with AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn run_cascade_fma(coeffs: &[Coeffs], state: &mut [[[f64; 2]; 2]], io: &mut [&mut [f32]]) {
    if let [l, r] = io {
        let mut k = 0;
        while k < coeffs.len() {
            let take = (coeffs.len() - k).min(8);
            let (c, s) = (&coeffs[k..k + take], &mut state[k..k + take]);
            match take {
                1 => stereo_packed::<1>(c, s, l, r),
                2 => stereo_packed::<2>(c, s, l, r),
                3 => stereo_packed::<3>(c, s, l, r),
                4 => stereo_packed::<4>(c, s, l, r),
                5 => stereo_packed::<5>(c, s, l, r),
                6 => stereo_packed::<6>(c, s, l, r),
                7 => stereo_packed::<7>(c, s, l, r),
                _ => stereo_packed::<8>(c, s, l, r),
            }
            k += take;
        }
        return;
    }
    if let [m] = io {
        // Up to eight sections per pass, as the scalar path groups them (the
        // signal stays f64 within a pass): four in one 256-bit register, the
        // rest scalar on each sample as it leaves the register.
        let mut k = 0;
        while k < coeffs.len() {
            let take = (coeffs.len() - k).min(8);
            let (c, s) = (&coeffs[k..k + take], &mut state[k..k + take]);
            match take {
                4 => mono_staggered::<0>(c, s, m),
                5 => mono_staggered::<1>(c, s, m),
                6 => mono_staggered::<2>(c, s, m),
                7 => mono_staggered::<3>(c, s, m),
                8 => mono_staggered::<4>(c, s, m),
                _ => run_cascade_with::<true>(c, s, &mut [&mut *m]),
            }
            k += take;
        }
        return;
    }
    run_cascade_with::<true>(coeffs, state, io);
}

/// Four sections of a mono cascade as the four lanes of one 256-bit register,
/// staggered: at step `n` section `j` works on sample `n - j`, taking the
/// output section `j - 1` produced one step earlier. The four recursions then
/// advance with one packed fused multiply-add each, bound by one section's
/// latency instead of by the scalar instruction count. `T` more sections run
/// scalar on each sample as it leaves the register. The first three steps and
/// the last three (where some lanes would be outside the block) run as scalar
/// steps with the same operations, so the output and the states are the
/// scalar fused path's to the bit (tested).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn mono_staggered<const T: usize>(coeffs: &[Coeffs], state: &mut [[[f64; 2]; 2]], m: &mut [f32]) {
    use std::arch::x86_64::{
        _mm_cvtsd_f64, _mm_unpackhi_pd, _mm256_blend_pd, _mm256_extractf128_pd, _mm256_fmadd_pd,
        _mm256_fnmadd_pd, _mm256_mul_pd, _mm256_permute4x64_pd, _mm256_set_pd, _mm256_set1_pd,
    };
    let c: [Coeffs; 4] = std::array::from_fn(|k| coeffs[k]);
    let tc: [Coeffs; T] = std::array::from_fn(|k| coeffs[4 + k]);
    let mut s: [[f64; 2]; 4] = std::array::from_fn(|k| state[k][0]);
    let mut ts: [[f64; 2]; T] = std::array::from_fn(|k| state[4 + k][0]);
    // The scalar sections after the register, on one sample.
    let tail = |mut v: f64, ts: &mut [[f64; 2]; T]| {
        for k in 0..T {
            (v, ts[k]) = step::<true>(&tc[k], ts[k], v);
        }
        v as f32
    };
    let n = m.len();
    if n < 4 {
        for x in m.iter_mut() {
            let mut v = f64::from(*x);
            for k in 0..4 {
                (v, s[k]) = step::<true>(&c[k], s[k], v);
            }
            *x = tail(v, &mut ts);
        }
    } else {
        let lanes = super::simd::lanes_f64x4;
        let pack = |f: &dyn Fn(usize) -> f64| _mm256_set_pd(f(3), f(2), f(1), f(0));
        // Prologue: section 0 runs samples 0, 1, 2; section 1 samples 0, 1; section 2 sample 0.
        let mut y0 = [0.0f64; 3];
        for (i, y) in y0.iter_mut().enumerate() {
            (*y, s[0]) = step::<true>(&c[0], s[0], f64::from(m[i]));
        }
        let mut y1 = [0.0f64; 2];
        for (i, y) in y1.iter_mut().enumerate() {
            (*y, s[1]) = step::<true>(&c[1], s[1], y0[i]);
        }
        let y2;
        (y2, s[2]) = step::<true>(&c[2], s[2], y1[0]);
        // Steady state: lane j holds section j at sample i - j.
        let (b0, b1, b2) = (pack(&|k| c[k].b[0]), pack(&|k| c[k].b[1]), pack(&|k| c[k].b[2]));
        let (a1, a2) = (pack(&|k| c[k].a[0]), pack(&|k| c[k].a[1]));
        let (mut s1, mut s2) = (pack(&|k| s[k][0]), pack(&|k| s[k][1]));
        let mut y = _mm256_set_pd(0.0, y2, y1[1], y0[2]);
        for i in 3..n {
            // [x[i], y0, y1, y2]: the new sample in lane 0, each lane's input from the lane below.
            let v = _mm256_blend_pd::<0b0001>(
                _mm256_permute4x64_pd::<0b10_01_00_00>(y),
                _mm256_set1_pd(f64::from(m[i])),
            );
            y = _mm256_fmadd_pd(b0, v, s1);
            s1 = _mm256_fnmadd_pd(a1, y, _mm256_fmadd_pd(b1, v, s2));
            s2 = _mm256_fnmadd_pd(a2, y, _mm256_mul_pd(b2, v));
            let hi = _mm256_extractf128_pd::<1>(y);
            m[i - 3] = tail(_mm_cvtsd_f64(_mm_unpackhi_pd(hi, hi)), &mut ts);
        }
        let (ys, p, q) = (lanes(y), lanes(s1), lanes(s2));
        for k in 0..4 {
            s[k] = [p[k], q[k]];
        }
        // Epilogue: section 1 runs sample n-1; section 2 samples n-2, n-1; section 3 samples n-3 .. n-1.
        let y1_last;
        (y1_last, s[1]) = step::<true>(&c[1], s[1], ys[0]);
        let mut y2_tail = [0.0f64; 2];
        for (y, v) in y2_tail.iter_mut().zip([ys[1], y1_last]) {
            (*y, s[2]) = step::<true>(&c[2], s[2], v);
        }
        for (i, v) in [ys[2], y2_tail[0], y2_tail[1]].into_iter().enumerate() {
            let out;
            (out, s[3]) = step::<true>(&c[3], s[3], v);
            m[n - 3 + i] = tail(out, &mut ts);
        }
    }
    for k in 0..4 {
        state[k][0] = s[k];
    }
    for k in 0..T {
        state[4 + k][0] = ts[k];
    }
}

/// A stereo cascade with both channels in one 128-bit register, so every
/// step of the recursion is one packed fused multiply-add for the pair. The
/// same operations as the scalar fused path (`-a y + t` is `fnmadd`), so the
/// same results to the bit.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn stereo_packed<const K: usize>(
    coeffs: &[Coeffs],
    state: &mut [[[f64; 2]; 2]],
    l: &mut [f32],
    r: &mut [f32],
) {
    use std::arch::x86_64::{
        __m128d, _mm_cvtsd_f64, _mm_fmadd_pd, _mm_fnmadd_pd, _mm_mul_pd, _mm_set_pd, _mm_set1_pd,
        _mm_unpackhi_pd,
    };
    let splat =
        |f: fn(&Coeffs) -> f64| -> [__m128d; K] { std::array::from_fn(|k| _mm_set1_pd(f(&coeffs[k]))) };
    let (b0, b1, b2) = (splat(|c| c.b[0]), splat(|c| c.b[1]), splat(|c| c.b[2]));
    let (a1, a2) = (splat(|c| c.a[0]), splat(|c| c.a[1]));
    // Lane 0 is the left channel, lane 1 the right.
    let mut s1: [__m128d; K] = std::array::from_fn(|k| _mm_set_pd(state[k][1][0], state[k][0][0]));
    let mut s2: [__m128d; K] = std::array::from_fn(|k| _mm_set_pd(state[k][1][1], state[k][0][1]));
    for (xl, xr) in l.iter_mut().zip(r.iter_mut()) {
        let mut v = _mm_set_pd(f64::from(*xr), f64::from(*xl));
        for k in 0..K {
            let y = _mm_fmadd_pd(b0[k], v, s1[k]);
            s1[k] = _mm_fnmadd_pd(a1[k], y, _mm_fmadd_pd(b1[k], v, s2[k]));
            s2[k] = _mm_fnmadd_pd(a2[k], y, _mm_mul_pd(b2[k], v));
            v = y;
        }
        *xl = _mm_cvtsd_f64(v) as f32;
        *xr = _mm_cvtsd_f64(_mm_unpackhi_pd(v, v)) as f32;
    }
    for k in 0..K {
        let (p, q) = (s1[k], s2[k]);
        state[k] = [
            [_mm_cvtsd_f64(p), _mm_cvtsd_f64(q)],
            [_mm_cvtsd_f64(_mm_unpackhi_pd(p, p)), _mm_cvtsd_f64(_mm_unpackhi_pd(q, q))],
        ];
    }
}

#[inline(always)]
fn run_cascade_with<const FMA: bool>(coeffs: &[Coeffs], state: &mut [[[f64; 2]; 2]], io: &mut [&mut [f32]]) {
    let mut k = 0;
    while k < coeffs.len() {
        let take = (coeffs.len() - k).min(8);
        let (c, s) = (&coeffs[k..k + take], &mut state[k..k + take]);
        match take {
            1 => cascade::<1, FMA>(c, s, io),
            2 => cascade::<2, FMA>(c, s, io),
            3 => cascade::<3, FMA>(c, s, io),
            4 => cascade::<4, FMA>(c, s, io),
            5 => cascade::<5, FMA>(c, s, io),
            6 => cascade::<6, FMA>(c, s, io),
            7 => cascade::<7, FMA>(c, s, io),
            _ => cascade::<8, FMA>(c, s, io),
        }
        k += take;
    }
}

/// One transposed direct form II step: `(y, s1', s2')` for input `v`.
#[inline(always)]
fn step<const FMA: bool>(c: &Coeffs, s: [f64; 2], v: f64) -> (f64, [f64; 2]) {
    let y = c.b[0].madd::<FMA>(v, s[0]);
    let s1 = (-c.a[0]).madd::<FMA>(y, c.b[1].madd::<FMA>(v, s[1]));
    let s2 = (-c.a[1]).madd::<FMA>(y, c.b[2] * v);
    (y, [s1, s2])
}

#[inline(always)]
fn cascade<const K: usize, const FMA: bool>(
    coeffs: &[Coeffs],
    state: &mut [[[f64; 2]; 2]],
    io: &mut [&mut [f32]],
) {
    let c: [Coeffs; K] = std::array::from_fn(|k| coeffs[k]);
    match io {
        [m] => {
            let mut s: [[f64; 2]; K] = std::array::from_fn(|k| state[k][0]);
            for x in m.iter_mut() {
                let mut v = f64::from(*x);
                for k in 0..K {
                    (v, s[k]) = step::<FMA>(&c[k], s[k], v);
                }
                *x = v as f32;
            }
            for k in 0..K {
                state[k][0] = s[k];
            }
        }
        [l, r] => {
            let mut s: [[[f64; 2]; 2]; K] = std::array::from_fn(|k| state[k]);
            for (xl, xr) in l.iter_mut().zip(r.iter_mut()) {
                let (mut a, mut b) = (f64::from(*xl), f64::from(*xr));
                for k in 0..K {
                    (a, s[k][0]) = step::<FMA>(&c[k], s[k][0], a);
                    (b, s[k][1]) = step::<FMA>(&c[k], s[k][1], b);
                }
                *xl = a as f32;
                *xr = b as f32;
            }
            state[..K].copy_from_slice(&s);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn butterworth_sections_match_the_textbook_tables() {
        let (q4, odd4) = butterworth_qs(4);
        assert!(!odd4);
        assert!((q4[0] - 1.306_563).abs() < 1e-5 && (q4[1] - 0.541_196).abs() < 1e-5);
        let (q3, odd3) = butterworth_qs(3);
        assert!(odd3 && (q3[0] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_fused_cascade_matches_sections_run_one_after_another() {
        let cs: Vec<Coeffs> = (0..11)
            .map(|k| {
                Coeffs::design(
                    Shape::Peak { gain_db: 3.0 - k as f64, q: 0.7 + 0.2 * k as f64 },
                    100.0 * (k + 1) as f64,
                    48000.0,
                )
            })
            .collect();
        let x: Vec<f32> = (0..1000).map(|i| ((i * 7919) % 101) as f32 / 50.0 - 1.0).collect();
        let (mut l, mut r) = (x.clone(), x.iter().map(|v| -v * 0.5).collect::<Vec<_>>());
        let mut st = vec![[[0.0; 2]; 2]; cs.len()];
        run_cascade(&cs, &mut st, &mut [&mut l, &mut r]);
        let (mut l2, mut r2) = (x.clone(), x.iter().map(|v| -v * 0.5).collect::<Vec<_>>());
        for c in &cs {
            let mut s = [[0.0; 2]; 2];
            run_stereo(c, &mut s, &mut l2, &mut r2);
        }
        // The fused cascade keeps f64 between sections; one by one rounds to f32.
        let worst =
            l.iter().chain(&r).zip(l2.iter().chain(&r2)).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        assert!(worst < 1e-5, "{worst}");
    }

    /// The plain build and the AVX2/FMA build run the same filters, to rounding.
    #[test]
    fn plain_and_fused_cascades_agree() {
        let cs: Vec<Coeffs> = (0..11)
            .map(|k| {
                Coeffs::design(
                    Shape::Peak { gain_db: 6.0 - k as f64, q: 0.5 + 0.3 * k as f64 },
                    60.0 * (k + 1) as f64,
                    44100.0,
                )
            })
            .collect();
        let x: Vec<f32> = (0..4000).map(|i| ((i * 7919) % 101) as f32 / 50.0 - 1.0).collect();
        for channels in [1, 2] {
            let mut plain = vec![x.clone(); channels];
            let mut fused = vec![x.clone(); channels];
            let mut sp = vec![[[0.0; 2]; 2]; cs.len()];
            let mut sf = sp.clone();
            let mut io_p: Vec<&mut [f32]> = plain.iter_mut().map(|v| v.as_mut_slice()).collect();
            let mut io_f: Vec<&mut [f32]> = fused.iter_mut().map(|v| v.as_mut_slice()).collect();
            run_cascade_with::<false>(&cs, &mut sp, &mut io_p);
            run_cascade_with::<true>(&cs, &mut sf, &mut io_f);
            // What the CPU runs (packed stereo with AVX2/FMA) is the fused path to the bit.
            let mut best = vec![x.clone(); channels];
            let mut sb = vec![[[0.0; 2]; 2]; cs.len()];
            let mut io_b: Vec<&mut [f32]> = best.iter_mut().map(|v| v.as_mut_slice()).collect();
            run_cascade(&cs, &mut sb, &mut io_b);
            if super::super::simd::fma() {
                assert!(best == fused && sb == sf, "{channels} channels: the packed path differs");
            } else {
                assert!(best == plain && sb == sp);
            }
            let worst =
                plain.concat().iter().zip(fused.concat()).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
            assert!(worst < 1e-5, "{channels} channels: {worst}");
            assert!(plain.concat() != x.repeat(channels), "the filters change the signal");
        }
    }

    /// The staggered four-lane mono path equals the scalar fused cascade to the
    /// bit, for every section count (groups of four plus a scalar rest) and
    /// for blocks shorter than the stagger, block after block.
    #[test]
    fn the_staggered_mono_cascade_is_the_fused_one_exactly() {
        let cs: Vec<Coeffs> = (0..11)
            .map(|k| {
                let shape = if k == 0 {
                    Shape::HighPass { q: 0.7 }
                } else {
                    Shape::Peak { gain_db: 4.0 - k as f64, q: 0.8 }
                };
                Coeffs::design(shape, 50.0 * (k + 1) as f64, 48000.0)
            })
            .collect();
        let x: Vec<f32> = (0..3000).map(|i| ((i * 7919) % 113) as f32 / 56.0 - 1.0).collect();
        for sections in 1..=cs.len() {
            let (mut a, mut b) = (x.clone(), x.clone());
            let (mut sa, mut sb) = (vec![[[0.0; 2]; 2]; sections], vec![[[0.0; 2]; 2]; sections]);
            let mut at = 0;
            for len in [1, 2, 3, 4, 5, 7, 64, 1000, 1914].into_iter().cycle() {
                if at >= x.len() {
                    break;
                }
                let len = len.min(x.len() - at);
                run_cascade(&cs[..sections], &mut sa, &mut [&mut a[at..at + len]]);
                run_cascade_with::<true>(&cs[..sections], &mut sb, &mut [&mut b[at..at + len]]);
                at += len;
            }
            if super::super::simd::fma() {
                assert!(a == b && sa == sb, "{sections} sections");
            }
            assert!(a != x, "the filters change the signal");
        }
    }

    #[test]
    fn peak_has_its_gain_at_the_centre_and_unity_far_away() {
        let c = Coeffs::design(Shape::Peak { gain_db: 6.0, q: 1.0 }, 1000.0, 48000.0);
        assert!((20.0 * c.magnitude(1000.0, 48000.0).log10() - 6.0).abs() < 1e-9);
        assert!((20.0 * c.magnitude(10.0, 48000.0).log10()).abs() < 0.01);
    }
}
