//! Runtime choice of the CPU's fused multiply-add and 256-bit vectors for the
//! hottest loops (the EQ cascade, the compressor).
//!
//! The build targets the x86-64 baseline (SSE2), so a packaged binary runs on
//! any 64-bit PC. Loops that dominate a mix are written once, generic over
//! `FMA: bool`, and compiled twice: plain, and inside a function with the
//! `avx2` and `fma` target features, chosen per call with [`fma`] (a cached
//! flag: no lock, no allocation, safe on the audio thread). A CPU decides the
//! path once for the process, so live playback and the bounce take the same one.

/// Whether this CPU has AVX2 and FMA.
#[inline]
pub fn fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Whether this CPU also has AVX-512 (512-bit vectors: eight f64 lanes).
#[inline]
pub fn avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        fma() && std::arch::is_x86_feature_detected!("avx512f")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// `a * b + c`, fused (one rounding) when `FMA` is set. Only use `FMA = true`
/// inside code compiled with the `fma` feature: elsewhere it is a slow libm call.
pub trait MulAdd: Copy {
    /// `self * b + c`.
    fn madd<const FMA: bool>(self, b: Self, c: Self) -> Self;
}

impl MulAdd for f32 {
    #[inline(always)]
    fn madd<const FMA: bool>(self, b: f32, c: f32) -> f32 {
        if FMA { self.mul_add(b, c) } else { self * b + c }
    }
}

impl MulAdd for f64 {
    #[inline(always)]
    fn madd<const FMA: bool>(self, b: f64, c: f64) -> f64 {
        if FMA { self.mul_add(b, c) } else { self * b + c }
    }
}

/// The four f64 lanes of `v`, lowest first.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
pub(crate) fn lanes_f64x4(v: std::arch::x86_64::__m256d) -> [f64; 4] {
    use std::arch::x86_64::{_mm_cvtsd_f64, _mm_unpackhi_pd, _mm256_castpd256_pd128, _mm256_extractf128_pd};
    let (lo, hi) = (_mm256_castpd256_pd128(v), _mm256_extractf128_pd::<1>(v));
    [
        _mm_cvtsd_f64(lo),
        _mm_cvtsd_f64(_mm_unpackhi_pd(lo, lo)),
        _mm_cvtsd_f64(hi),
        _mm_cvtsd_f64(_mm_unpackhi_pd(hi, hi)),
    ]
}

/// Transposes eight rows of eight f32: row `j` of the result holds element
/// `j` of every input row.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
pub(crate) fn transpose8(r: [std::arch::x86_64::__m256; 8]) -> [std::arch::x86_64::__m256; 8] {
    use std::arch::x86_64::{
        _mm256_permute2f128_ps, _mm256_shuffle_ps, _mm256_unpackhi_ps, _mm256_unpacklo_ps,
    };
    let (t0, t1) = (_mm256_unpacklo_ps(r[0], r[1]), _mm256_unpackhi_ps(r[0], r[1]));
    let (t2, t3) = (_mm256_unpacklo_ps(r[2], r[3]), _mm256_unpackhi_ps(r[2], r[3]));
    let (t4, t5) = (_mm256_unpacklo_ps(r[4], r[5]), _mm256_unpackhi_ps(r[4], r[5]));
    let (t6, t7) = (_mm256_unpacklo_ps(r[6], r[7]), _mm256_unpackhi_ps(r[6], r[7]));
    let (u0, u1) = (_mm256_shuffle_ps::<0x44>(t0, t2), _mm256_shuffle_ps::<0xEE>(t0, t2));
    let (u2, u3) = (_mm256_shuffle_ps::<0x44>(t1, t3), _mm256_shuffle_ps::<0xEE>(t1, t3));
    let (u4, u5) = (_mm256_shuffle_ps::<0x44>(t4, t6), _mm256_shuffle_ps::<0xEE>(t4, t6));
    let (u6, u7) = (_mm256_shuffle_ps::<0x44>(t5, t7), _mm256_shuffle_ps::<0xEE>(t5, t7));
    [
        _mm256_permute2f128_ps::<0x20>(u0, u4),
        _mm256_permute2f128_ps::<0x20>(u1, u5),
        _mm256_permute2f128_ps::<0x20>(u2, u6),
        _mm256_permute2f128_ps::<0x20>(u3, u7),
        _mm256_permute2f128_ps::<0x31>(u0, u4),
        _mm256_permute2f128_ps::<0x31>(u1, u5),
        _mm256_permute2f128_ps::<0x31>(u2, u6),
        _mm256_permute2f128_ps::<0x31>(u3, u7),
    ]
}
