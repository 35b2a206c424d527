//! Two or four tracks' stereo EQ cascades side by side in one register
//! (see [`super::group`]): each channel gets exactly the fused operations of
//! [`run_cascade`]'s packed stereo path, in a lane of its own, so the results
//! are the same to the bit (tested there).

use super::biquad::{Coeffs, run_cascade};

/// Runs two stereo cascades of the same number of sections (two tracks'
/// EQs), each exactly as [`run_cascade`] runs it: with AVX2 and FMA both
/// tracks' channels share one 256-bit register, so each step of the
/// recursion is one packed fused multiply-add for four channels (the same
/// operations per channel, so the same results to the bit: tested). Other
/// CPUs, or different section counts, run them one after the other.
#[allow(unsafe_code)]
pub fn run_cascade_pair(
    coeffs: [&[Coeffs]; 2],
    state: [&mut [[[f64; 2]; 2]]; 2],
    a: [&mut [f32]; 2],
    b: [&mut [f32]; 2],
) {
    let [ca, cb] = coeffs;
    let [sa, sb] = state;
    let ([al, ar], [bl, br]) = (a, b);
    #[cfg(target_arch = "x86_64")]
    if super::simd::fma() && ca.len() == cb.len() && al.len() == bl.len() {
        // SAFETY: the CPU has AVX2 and FMA (checked just above).
        unsafe { run_pair_fma([ca, cb], [sa, sb], [al, ar, bl, br]) };
        return;
    }
    run_cascade(ca, sa, &mut [al, ar]);
    run_cascade(cb, sb, &mut [bl, br]);
}

/// [`run_cascade_pair`] with AVX2 and FMA: groups of up to eight sections,
/// as [`run_cascade`] groups them (the signal stays f64 within a group).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn run_pair_fma(coeffs: [&[Coeffs]; 2], state: [&mut [[[f64; 2]; 2]]; 2], io: [&mut [f32]; 4]) {
    let [sa, sb] = state;
    let [al, ar, bl, br] = io;
    let mut k = 0;
    while k < coeffs[0].len() {
        let take = (coeffs[0].len() - k).min(8);
        let c = [&coeffs[0][k..k + take], &coeffs[1][k..k + take]];
        let s = [&mut sa[k..k + take], &mut sb[k..k + take]];
        let io = [&mut *al, &mut *ar, &mut *bl, &mut *br];
        match take {
            1 => pair_packed::<1>(c, s, io),
            2 => pair_packed::<2>(c, s, io),
            3 => pair_packed::<3>(c, s, io),
            4 => pair_packed::<4>(c, s, io),
            5 => pair_packed::<5>(c, s, io),
            6 => pair_packed::<6>(c, s, io),
            7 => pair_packed::<7>(c, s, io),
            _ => pair_packed::<8>(c, s, io),
        }
        k += take;
    }
}

/// Two stereo cascades of `K` sections in the four lanes of 256-bit
/// registers (first track's left and right, then the second's): the
/// operations of `biquad::stereo_packed` on each lane.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn pair_packed<const K: usize>(
    coeffs: [&[Coeffs]; 2],
    state: [&mut [[[f64; 2]; 2]]; 2],
    io: [&mut [f32]; 4],
) {
    use std::arch::x86_64::{
        __m256d, _mm_cvtss_f32, _mm_set_ps, _mm_shuffle_ps, _mm256_cvtpd_ps, _mm256_cvtps_pd,
        _mm256_fmadd_pd, _mm256_fnmadd_pd, _mm256_mul_pd, _mm256_set_pd,
    };
    let [ca, cb] = coeffs;
    let lane = |f: fn(&Coeffs) -> f64| -> [__m256d; K] {
        std::array::from_fn(|k| {
            let (x, y) = (f(&ca[k]), f(&cb[k]));
            _mm256_set_pd(y, y, x, x)
        })
    };
    let (b0, b1, b2) = (lane(|c| c.b[0]), lane(|c| c.b[1]), lane(|c| c.b[2]));
    let (a1, a2) = (lane(|c| c.a[0]), lane(|c| c.a[1]));
    let [sa, sb] = state;
    // Lanes 0 and 1: the first track's left and right; 2 and 3: the second's.
    let mut s1: [__m256d; K] =
        std::array::from_fn(|k| _mm256_set_pd(sb[k][1][0], sb[k][0][0], sa[k][1][0], sa[k][0][0]));
    let mut s2: [__m256d; K] =
        std::array::from_fn(|k| _mm256_set_pd(sb[k][1][1], sb[k][0][1], sa[k][1][1], sa[k][0][1]));
    let [al, ar, bl, br] = io;
    let n = al.len().min(ar.len()).min(bl.len()).min(br.len());
    for i in 0..n {
        // f32 to f64 is exact, however it is done.
        let mut v = _mm256_cvtps_pd(_mm_set_ps(br[i], bl[i], ar[i], al[i]));
        for k in 0..K {
            let y = _mm256_fmadd_pd(b0[k], v, s1[k]);
            s1[k] = _mm256_fnmadd_pd(a1[k], y, _mm256_fmadd_pd(b1[k], v, s2[k]));
            s2[k] = _mm256_fnmadd_pd(a2[k], y, _mm256_mul_pd(b2[k], v));
            v = y;
        }
        // Rounded to f32 as `as f32` rounds (to nearest, under the same MXCSR).
        let o = _mm256_cvtpd_ps(v);
        al[i] = _mm_cvtss_f32(o);
        ar[i] = _mm_cvtss_f32(_mm_shuffle_ps::<0b01>(o, o));
        bl[i] = _mm_cvtss_f32(_mm_shuffle_ps::<0b10>(o, o));
        br[i] = _mm_cvtss_f32(_mm_shuffle_ps::<0b11>(o, o));
    }
    let lanes = super::simd::lanes_f64x4;
    for k in 0..K {
        let (p, q) = (lanes(s1[k]), lanes(s2[k]));
        sa[k] = [[p[0], q[0]], [p[1], q[1]]];
        sb[k] = [[p[2], q[2]], [p[3], q[3]]];
    }
}

/// Runs four stereo cascades (four tracks' EQs), each exactly as
/// [`run_cascade`] runs it: where [`super::simd::avx512`] says so and the
/// section counts and block lengths agree, in the eight f64 lanes of 512-bit
/// registers (the same operations per channel: tested); otherwise one after
/// the other.
#[allow(unsafe_code)]
pub fn run_cascade_quad(coeffs: [&[Coeffs]; 4], state: [&mut [[[f64; 2]; 2]]; 4], io: [[&mut [f32]; 2]; 4]) {
    let n = io[0][0].len();
    let together =
        coeffs.iter().all(|c| c.len() == coeffs[0].len()) && io.iter().flatten().all(|x| x.len() == n);
    #[cfg(target_arch = "x86_64")]
    if together && super::simd::avx512() {
        // SAFETY: the CPU has AVX-512F, AVX2 and FMA (checked just above).
        unsafe { run_quad_avx512(coeffs, state, io) };
        return;
    }
    let _ = together;
    for ((c, s), [l, r]) in coeffs.into_iter().zip(state).zip(io) {
        run_cascade(c, s, &mut [l, r]);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
fn run_quad_avx512(coeffs: [&[Coeffs]; 4], state: [&mut [[[f64; 2]; 2]]; 4], io: [[&mut [f32]; 2]; 4]) {
    let [s0, s1, s2, s3] = state;
    let [[l0, r0], [l1, r1], [l2, r2], [l3, r3]] = io;
    let mut k = 0;
    while k < coeffs[0].len() {
        let take = (coeffs[0].len() - k).min(8);
        let c = coeffs.map(|c| &c[k..k + take]);
        let s = [&mut s0[k..k + take], &mut s1[k..k + take], &mut s2[k..k + take], &mut s3[k..k + take]];
        let io = [&mut *l0, &mut *r0, &mut *l1, &mut *r1, &mut *l2, &mut *r2, &mut *l3, &mut *r3];
        match take {
            1 => quad_packed::<1>(c, s, io),
            2 => quad_packed::<2>(c, s, io),
            3 => quad_packed::<3>(c, s, io),
            4 => quad_packed::<4>(c, s, io),
            5 => quad_packed::<5>(c, s, io),
            6 => quad_packed::<6>(c, s, io),
            7 => quad_packed::<7>(c, s, io),
            _ => quad_packed::<8>(c, s, io),
        }
        k += take;
    }
}

/// Four stereo cascades of `K` sections in the eight lanes of 512-bit
/// registers (track t's left in lane 2t, its right in 2t + 1): the
/// operations of `biquad::stereo_packed` on each lane.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
#[allow(unsafe_code)]
fn quad_packed<const K: usize>(
    coeffs: [&[Coeffs]; 4],
    mut state: [&mut [[[f64; 2]; 2]]; 4],
    io: [&mut [f32]; 8],
) {
    use std::arch::x86_64::{
        __m512d, _mm256_loadu_ps, _mm256_set_ps, _mm256_setzero_ps, _mm256_storeu_ps, _mm512_cvtpd_ps,
        _mm512_cvtps_pd, _mm512_fmadd_pd, _mm512_fnmadd_pd, _mm512_mul_pd, _mm512_set_pd, _mm512_storeu_pd,
    };
    // Lane j is channel j % 2 of track j / 2.
    let lanes = |f: &dyn Fn(usize) -> f64| -> __m512d {
        _mm512_set_pd(f(7), f(6), f(5), f(4), f(3), f(2), f(1), f(0))
    };
    let coeff =
        |f: fn(&Coeffs) -> f64| -> [__m512d; K] { std::array::from_fn(|k| lanes(&|j| f(&coeffs[j / 2][k]))) };
    let (b0, b1, b2) = (coeff(|c| c.b[0]), coeff(|c| c.b[1]), coeff(|c| c.b[2]));
    let (a1, a2) = (coeff(|c| c.a[0]), coeff(|c| c.a[1]));
    let mut s1: [__m512d; K] = std::array::from_fn(|k| lanes(&|j| state[j / 2][k][j % 2][0]));
    let mut s2: [__m512d; K] = std::array::from_fn(|k| lanes(&|j| state[j / 2][k][j % 2][1]));
    let [x0, x1, x2, x3, x4, x5, x6, x7] = io;
    let n = x0.len();
    let (x1, x2, x3, x4, x5, x6, x7) =
        (&mut x1[..n], &mut x2[..n], &mut x3[..n], &mut x4[..n], &mut x5[..n], &mut x6[..n], &mut x7[..n]);
    // Eight samples at a time: each channel's eight loaded as a row, the
    // rows transposed so each register holds one sample of every channel.
    let full = n / 8 * 8;
    let x = [&mut *x0, &mut *x1, &mut *x2, &mut *x3, &mut *x4, &mut *x5, &mut *x6, &mut *x7];
    let ptr: [*mut f32; 8] = std::array::from_fn(|j| x[j].as_mut_ptr());
    for i0 in (0..full).step_by(8) {
        let mut rows = [_mm256_setzero_ps(); 8];
        for (row, p) in rows.iter_mut().zip(ptr) {
            // SAFETY: every channel holds `n >= i0 + 8` samples.
            *row = unsafe { _mm256_loadu_ps(p.add(i0)) };
        }
        let mut steps = super::simd::transpose8(rows);
        for step in steps.iter_mut() {
            let mut v = _mm512_cvtps_pd(*step);
            for k in 0..K {
                let y = _mm512_fmadd_pd(b0[k], v, s1[k]);
                s1[k] = _mm512_fnmadd_pd(a1[k], y, _mm512_fmadd_pd(b1[k], v, s2[k]));
                s2[k] = _mm512_fnmadd_pd(a2[k], y, _mm512_mul_pd(b2[k], v));
                v = y;
            }
            *step = _mm512_cvtpd_ps(v);
        }
        for (row, p) in super::simd::transpose8(steps).into_iter().zip(ptr) {
            // SAFETY: as for the loads.
            unsafe { _mm256_storeu_ps(p.add(i0), row) };
        }
    }
    let mut out = [0.0f32; 8];
    for i in full..n {
        // f32 to f64 is exact, however it is done.
        let mut v = _mm512_cvtps_pd(_mm256_set_ps(x7[i], x6[i], x5[i], x4[i], x3[i], x2[i], x1[i], x0[i]));
        for k in 0..K {
            let y = _mm512_fmadd_pd(b0[k], v, s1[k]);
            s1[k] = _mm512_fnmadd_pd(a1[k], y, _mm512_fmadd_pd(b1[k], v, s2[k]));
            s2[k] = _mm512_fnmadd_pd(a2[k], y, _mm512_mul_pd(b2[k], v));
            v = y;
        }
        // Rounded to f32 as `as f32` rounds (to nearest, under the same MXCSR).
        // SAFETY: `out` holds eight f32.
        unsafe { _mm256_storeu_ps(out.as_mut_ptr(), _mm512_cvtpd_ps(v)) };
        (x0[i], x1[i], x2[i], x3[i]) = (out[0], out[1], out[2], out[3]);
        (x4[i], x5[i], x6[i], x7[i]) = (out[4], out[5], out[6], out[7]);
    }
    let (mut p, mut q) = ([0.0f64; 8], [0.0f64; 8]);
    for k in 0..K {
        // SAFETY: `p` and `q` hold eight f64 each.
        unsafe {
            _mm512_storeu_pd(p.as_mut_ptr(), s1[k]);
            _mm512_storeu_pd(q.as_mut_ptr(), s2[k]);
        }
        for (t, s) in state.iter_mut().enumerate() {
            s[k] = [[p[2 * t], q[2 * t]], [p[2 * t + 1], q[2 * t + 1]]];
        }
    }
}
