//! Shared pieces of the dynamics processors: fast dB conversions accurate to
//! far better than 0.01 dB, and attack/release ballistics.

use super::simd::MulAdd;

/// `log2(x)` for `x > 0` (error below 1e-5), cheap enough to run per sample.
#[inline]
pub fn fast_log2(x: f32) -> f32 {
    fast_log2_with::<false>(x)
}

/// [`fast_log2`], with fused multiply-adds when `FMA` (see [`super::simd`]).
#[inline(always)]
pub fn fast_log2_with<const FMA: bool>(x: f32) -> f32 {
    let bits = x.max(1e-30).to_bits();
    let exp = ((bits >> 23) & 0xff) as i32 - 127;
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000); // mantissa in [1, 2)
    // log2(m) on [1, 2): least-squares polynomial in t = m - 1 (max error 4.4e-6).
    let t = m - 1.0;
    let p = t.madd::<FMA>(-0.026_066_3, 0.121_914_14);
    let p = t.madd::<FMA>(p, -0.277_365_05);
    let p = t.madd::<FMA>(p, 0.456_894_2);
    let p = t.madd::<FMA>(p, -0.717_898_4);
    let p = t.madd::<FMA>(p, 1.442_517);
    t.madd::<FMA>(p, exp as f32)
}

/// `2^x` (relative error below 1e-6), cheap enough to run per sample.
#[inline]
pub fn fast_exp2(x: f32) -> f32 {
    fast_exp2_with::<false>(x)
}

/// [`fast_exp2`], with fused multiply-adds when `FMA` (see [`super::simd`]).
#[inline(always)]
pub fn fast_exp2_with<const FMA: bool>(x: f32) -> f32 {
    let x = x.clamp(-126.0, 126.0);
    // floor(x) without a libm call (SSE2 has no floor instruction, and a call
    // stops the loop vectorising): adding 1.5 * 2^23 rounds to the nearest
    // integer; one less if that went up. AVX2 code has the instruction.
    let fl = if FMA {
        x.floor()
    } else {
        const ROUND: f32 = 12_582_912.0;
        let r = (x + ROUND) - ROUND;
        if r > x { r - 1.0 } else { r }
    };
    let f = x - fl;
    // 2^23 + 127 + floor(x) is an exact float whose low mantissa bits are the
    // biased exponent: shifted up, they are the bits of 2^floor(x) (a float-to-int
    // conversion would need range checks here).
    let scale = f32::from_bits((fl + 8_388_735.0).to_bits() << 23);
    // 2^f on [0, 1): least-squares polynomial (max relative error 1.4e-7).
    let p = f.madd::<FMA>(0.001_876_643, 0.008_988_955);
    let p = f.madd::<FMA>(p, 0.055_828_18);
    let p = f.madd::<FMA>(p, 0.240_153_2);
    let p = f.madd::<FMA>(p, 0.693_152_7);
    let p = f.madd::<FMA>(p, 1.0);
    scale * p
}

/// dB per log2 unit: `20 log10(2)`.
pub const DB_PER_LOG2: f32 = 6.020_6;

/// An amplitude in dB (-600 dB for zero).
#[inline]
pub fn amp_to_db(x: f32) -> f32 {
    DB_PER_LOG2 * fast_log2(x)
}

/// [`amp_to_db`], with fused multiply-adds when `FMA`.
#[inline(always)]
pub fn amp_to_db_with<const FMA: bool>(x: f32) -> f32 {
    DB_PER_LOG2 * fast_log2_with::<FMA>(x)
}

/// A dB value as an amplitude factor.
#[inline]
pub fn db_to_amp(db: f32) -> f32 {
    fast_exp2(db * (1.0 / DB_PER_LOG2))
}

/// [`db_to_amp`], with fused multiply-adds when `FMA`.
#[inline(always)]
pub fn db_to_amp_with<const FMA: bool>(db: f32) -> f32 {
    fast_exp2_with::<FMA>(db * (1.0 / DB_PER_LOG2))
}

/// The coefficient of a one-pole filter whose step response reaches 1 - 1/e
/// after `ms` milliseconds at `rate` Hz.
pub fn time_coeff(ms: f64, rate: f64) -> f32 {
    super::one_pole_coeff(ms, rate) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    type Curve = fn(f32) -> f32;

    /// Both compiled forms (plain and fused; `mul_add` is exact wherever it runs).
    fn log_and_exp() -> [(Curve, Curve); 2] {
        [(fast_log2_with::<false>, fast_exp2_with::<false>), (fast_log2_with::<true>, fast_exp2_with::<true>)]
    }

    #[test]
    fn fast_log_and_exp_agree_with_std_to_a_thousandth_of_a_db() {
        for (log2, exp2) in log_and_exp() {
            let mut x = 1e-6f32;
            while x < 1e3 {
                assert!((log2(x) - x.log2()).abs() < 2e-5, "log2({x})");
                x *= 1.0137;
            }
            let mut y = -40.0f32;
            while y < 10.0 {
                let rel = exp2(y) / y.exp2() - 1.0;
                assert!(rel.abs() < 2e-6, "exp2({y}): {rel}");
                y += 0.0731;
            }
        }
    }

    #[test]
    fn fast_exp_is_right_at_and_around_integers_and_clamps_beyond_the_float_range() {
        for (_, exp2) in log_and_exp() {
            for k in -125..=125 {
                for y in [k as f32, k as f32 - 1e-4, k as f32 + 1e-4] {
                    let rel = exp2(y) / (y as f64).exp2() as f32 - 1.0;
                    assert!(rel.abs() < 2e-6, "exp2({y}): {rel}");
                }
            }
            assert_eq!(exp2(-1000.0), exp2(-126.0));
            assert_eq!(exp2(1000.0), exp2(126.0));
            assert!(exp2(f32::NEG_INFINITY) > 0.0 && exp2(f32::INFINITY).is_finite());
        }
    }
}
