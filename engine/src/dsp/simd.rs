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
