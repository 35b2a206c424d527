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
    /// A left and right quantizer for `bits`, with independent noise from
    /// `seed` (`None` for 32-bit float, which is written unquantized).
    pub fn stereo(depth: super::BitDepth, dither: bool, seed: u64) -> Option<[Quantizer; 2]> {
        match depth {
            super::BitDepth::Float32 => None,
            d => Some([
                Quantizer::new(d.bits(), dither, seed * 2),
                Quantizer::new(d.bits(), dither, seed * 2 + 1),
            ]),
        }
    }

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

    /// A block of samples, each as [`Quantizer::quantize`] does it (with
    /// AVX2 where the CPU has it: rounding is then an instruction, not a
    /// library call; see [`crate::dsp::simd`]).
    #[allow(unsafe_code)]
    pub fn quantize_block(&mut self, x: &[f32], out: &mut [i32]) {
        #[cfg(target_arch = "x86_64")]
        if crate::dsp::simd::fma() {
            // SAFETY: the CPU has AVX2 and FMA (checked just above).
            unsafe { self.quantize_block_avx2(x, out) };
            return;
        }
        self.quantize_block_with(x, out);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn quantize_block_avx2(&mut self, x: &[f32], out: &mut [i32]) {
        self.quantize_block_with(x, out);
    }

    #[inline(always)]
    fn quantize_block_with(&mut self, x: &[f32], out: &mut [i32]) {
        for (o, x) in out.iter_mut().zip(x) {
            *o = self.quantize(*x);
        }
    }

    /// One sample, scaled, dithered, rounded (halves away from zero) and
    /// clipped to the integer range.
    #[inline(always)]
    pub fn quantize(&mut self, x: f32) -> i32 {
        let mut v = f64::from(x) * self.scale;
        if self.dither {
            v += self.uniform() + self.uniform() - 1.0;
        }
        v.round().clamp(self.min, self.max) as i32
    }

    /// Uniform in [0, 1).
    #[inline(always)]
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

    /// Both compiled paths quantise a block as sample by sample, halves
    /// (common at 24 bit: an f32 under 0.5 has bits below the 24-bit step)
    /// rounded away from zero.
    #[test]
    fn blocks_quantise_as_samples_do_with_halves_away_from_zero() {
        let mut x: Vec<f32> = (0..4000).map(|i| ((i as f32) * 0.37).sin() * 1.3).collect();
        x.extend([0.5 / 8_388_608.0, -0.5 / 8_388_608.0, 2.5 / 8_388_608.0, -2.5 / 8_388_608.0]);
        for (bits, dither) in [(16, false), (16, true), (24, false), (24, true)] {
            let (mut a, mut b, mut c) = (
                Quantizer::new(bits, dither, 9),
                Quantizer::new(bits, dither, 9),
                Quantizer::new(bits, dither, 9),
            );
            let one: Vec<i32> = x.iter().map(|v| a.quantize(*v)).collect();
            let (mut block, mut plain) = (vec![0; x.len()], vec![0; x.len()]);
            b.quantize_block(&x, &mut block);
            c.quantize_block_with(&x, &mut plain);
            assert_eq!(one, block, "{bits} bit, dither {dither}");
            assert_eq!(one, plain, "{bits} bit, dither {dither}");
            if bits == 24 && !dither {
                assert_eq!(one[4000..], [1, -1, 3, -3]);
            }
        }
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
