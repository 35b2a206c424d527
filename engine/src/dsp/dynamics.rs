//! Shared pieces of the dynamics processors: fast dB conversions accurate to
//! far better than 0.01 dB, and attack/release ballistics.

/// `log2(x)` for `x > 0` (error below 1e-5), cheap enough to run per sample.
#[inline]
pub fn fast_log2(x: f32) -> f32 {
    let bits = x.max(1e-30).to_bits();
    let exp = ((bits >> 23) & 0xff) as i32 - 127;
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000); // mantissa in [1, 2)
    // log2(m) on [1, 2): least-squares polynomial in t = m - 1 (max error 4.4e-6).
    let t = m - 1.0;
    let p = t
        * (1.442_517
            + t * (-0.717_898_4
                + t * (0.456_894_2 + t * (-0.277_365_05 + t * (0.121_914_14 + t * -0.026_066_3)))));
    exp as f32 + p
}

/// `2^x` (relative error below 1e-6), cheap enough to run per sample.
#[inline]
pub fn fast_exp2(x: f32) -> f32 {
    let x = x.clamp(-126.0, 126.0);
    let fl = x.floor();
    let f = x - fl;
    // 2^f on [0, 1): least-squares polynomial (max relative error 1.4e-7).
    let p = 1.0
        + f * (0.693_152_7
            + f * (0.240_153_2 + f * (0.055_828_18 + f * (0.008_988_955 + f * 0.001_876_643))));
    f32::from_bits(((fl as i32 + 127) as u32) << 23) * p
}

/// dB per log2 unit: `20 log10(2)`.
pub const DB_PER_LOG2: f32 = 6.020_6;

/// An amplitude in dB (-600 dB for zero).
#[inline]
pub fn amp_to_db(x: f32) -> f32 {
    DB_PER_LOG2 * fast_log2(x)
}

/// A dB value as an amplitude factor.
#[inline]
pub fn db_to_amp(db: f32) -> f32 {
    fast_exp2(db * (1.0 / DB_PER_LOG2))
}

/// The coefficient of a one-pole filter whose step response reaches 1 - 1/e
/// after `ms` milliseconds at `rate` Hz.
pub fn time_coeff(ms: f64, rate: f64) -> f32 {
    super::one_pole_coeff(ms, rate) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_log_and_exp_agree_with_std_to_a_thousandth_of_a_db() {
        let mut x = 1e-6f32;
        while x < 1e3 {
            assert!((fast_log2(x) - x.log2()).abs() < 2e-5, "log2({x})");
            x *= 1.0137;
        }
        let mut y = -40.0f32;
        while y < 10.0 {
            let rel = fast_exp2(y) / y.exp2() - 1.0;
            assert!(rel.abs() < 2e-6, "exp2({y}): {rel}");
            y += 0.0731;
        }
    }
}
