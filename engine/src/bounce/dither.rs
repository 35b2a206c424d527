//! TPDF dither and quantisation to integer PCM.
//!
//! Triangular-PDF dither of ±1 LSB peak (the sum of two independent uniform
//! values of ±0.5 LSB) decorrelates the quantisation error from the signal.
//! The generator is a seeded xorshift, so every bounce is bit-for-bit repeatable.

/// A quantiser from f32 (full scale ±1.0) to `bits`-bit signed integers.
#[derive(Debug, Clone)]
pub struct Quantizer {
    scale: f64,
    min: f64,
    max: f64,
    dither: bool,
    state: u64,
}

impl Quantizer {
    /// For `bits` (16 or 24), with or without TPDF dither; `seed` picks the noise sequence.
    pub fn new(bits: u32, dither: bool, seed: u64) -> Quantizer {
        let full = f64::from(1u32 << (bits - 1));
        Quantizer {
            scale: full,
            min: -full,
            max: full - 1.0,
            dither,
            state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
        }
    }

    /// One sample, scaled, dithered, rounded and clipped to the integer range.
    pub fn quantize(&mut self, x: f32) -> i32 {
        let mut v = f64::from(x) * self.scale;
        if self.dither {
            v += self.uniform() + self.uniform() - 1.0;
        }
        v.round().clamp(self.min, self.max) as i32
    }

    /// Uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.state = x;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_dither_rounds_and_clips() {
        let mut q = Quantizer::new(16, false, 1);
        assert_eq!(q.quantize(0.5), 16384);
        assert_eq!(q.quantize(1.0), 32767);
        assert_eq!(q.quantize(-1.0), -32768);
        assert_eq!(q.quantize(-2.0), -32768);
    }

    #[test]
    fn tpdf_noise_has_the_textbook_mean_and_variance() {
        // TPDF of ±1 LSB: mean 0, variance 1/6 LSB². Quantising a constant
        // half-way between two codes, the mean output must sit half-way too.
        let mut q = Quantizer::new(16, true, 7);
        let x = 100.5 / 32768.0;
        let n = 200_000;
        let outs: Vec<f64> = (0..n).map(|_| f64::from(q.quantize(x as f32))).collect();
        let mean = outs.iter().sum::<f64>() / f64::from(n);
        assert!((mean - 100.5).abs() < 0.01, "mean {mean}");
        let values: std::collections::BTreeSet<i64> = outs.iter().map(|v| *v as i64).collect();
        assert_eq!(values.into_iter().collect::<Vec<_>>(), vec![100, 101], "±1 LSB TPDF on a half code");
    }
}
