//! True peak as ITU-R BS.1770-4 Annex 2 measures it: the largest magnitude of
//! the signal oversampled 4x by the standard's 48-tap polyphase interpolator.
//!
//! [`TruePeak`] is cheap enough for the audio thread (48 multiply-adds per
//! sample and channel, no allocation after `new`) and reads never less than
//! the sample peak: its result is the larger of the sample peak and the
//! interpolated peak, so a meter never shows a true peak under the sample peak.
//!
//! It is the one true-peak measure of the project: the strip meters, the
//! loudness meter (`mixdesk analyze`, the bounce report, the analyzer panel)
//! and the limiter's detector all use [`interpolated_peak`].

/// ITU-R BS.1770-4 Annex 2 interpolator: phase `p`, tap `k` multiplies the
/// sample `k` before the newest; the four phases land 1/8, 3/8, 5/8 and 7/8 of
/// a sample after the sample 6 before the newest.
pub(crate) const BS1770: [[f32; 12]; 4] = [
    [
        0.001_708_984_4,
        0.010_986_328,
        -0.019_653_32,
        0.033_203_125,
        -0.059_448_242,
        0.137_329_1,
        0.972_167_97,
        -0.102_294_92,
        0.047_607_42,
        -0.026_611_328,
        0.014_892_578,
        -0.008_300_781,
    ],
    [
        -0.029_174_805,
        0.029_296_875,
        -0.051_757_812,
        0.089_111_33,
        -0.166_503_9,
        0.465_087_9,
        0.779_785_16,
        -0.200_317_38,
        0.101_562_5,
        -0.058_227_54,
        0.033_081_055,
        -0.018_920_898,
    ],
    [
        -0.018_920_898,
        0.033_081_055,
        -0.058_227_54,
        0.101_562_5,
        -0.200_317_38,
        0.779_785_16,
        0.465_087_9,
        -0.166_503_9,
        0.089_111_33,
        -0.051_757_812,
        0.029_296_875,
        -0.029_174_805,
    ],
    [
        -0.008_300_781,
        0.014_892_578,
        -0.026_611_328,
        0.047_607_42,
        -0.102_294_92,
        0.972_167_97,
        0.137_329_1,
        -0.059_448_242,
        0.033_203_125,
        -0.019_653_32,
        0.010_986_328,
        0.001_708_984_4,
    ],
];

/// The BS.1770 taps by sample (oldest first), the four phases side by side,
/// so that one window's four interpolated points are four lanes of one sum.
const TAPS: [[f32; 4]; 12] = {
    let mut t = [[0.0; 4]; 12];
    let mut k = 0;
    while k < 12 {
        let mut p = 0;
        while p < 4 {
            t[k][p] = BS1770[p][11 - k];
            p += 1;
        }
        k += 1;
    }
    t
};

/// The largest magnitude of the four BS.1770-4 interpolated points between
/// the 7th and 6th newest of the 12 samples in `window` (oldest first).
///
/// This is the project's one true-peak interpolation: the meters, the
/// loudness meter (and so `mixdesk analyze` and the bounce report) and the
/// limiter's detector all call it, so they agree to the bit on the same
/// signal. Realtime-safe.
#[inline]
pub(crate) fn interpolated_peak(window: &[f32]) -> f32 {
    let mut acc = [0f32; 4];
    for (tap, &s) in TAPS.iter().zip(&window[..12]) {
        for p in 0..4 {
            acc[p] += tap[p] * s;
        }
    }
    acc.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// Samples interpolated per pass of [`TruePeak::process`]: each tap runs over
/// a whole pass, so the four phases of many windows are computed side by side
/// (the same operations in the same order as [`interpolated_peak`], so the
/// same values to the bit).
const PASS: usize = 64;

/// A running true-peak detector for one channel. Realtime-safe.
#[derive(Debug, Clone)]
pub struct TruePeak {
    /// The last 11 samples, oldest first.
    last: [f32; 11],
}

impl Default for TruePeak {
    fn default() -> TruePeak {
        TruePeak::new()
    }
}

impl TruePeak {
    /// A detector with silent history.
    pub fn new() -> TruePeak {
        TruePeak { last: [0.0; 11] }
    }

    /// Feeds `x` and returns the largest magnitude among its samples and the
    /// interpolated values between them (linear; 0 for silence). With AVX2
    /// where the CPU has it (see [`crate::dsp::simd`]). Realtime-safe.
    #[allow(unsafe_code)]
    pub fn process(&mut self, x: &[f32]) -> f32 {
        #[cfg(target_arch = "x86_64")]
        if crate::dsp::simd::fma() {
            // SAFETY: the CPU has AVX2 and FMA (checked just above).
            return unsafe { self.process_avx2(x) };
        }
        self.process_with(x)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn process_avx2(&mut self, x: &[f32]) -> f32 {
        self.process_with(x)
    }

    /// The windows of a pass lie side by side in `buf` (the 11 samples
    /// before it, then the pass): sample `i`'s window is `buf[i..i + 12]`.
    /// Eight windows at a time keep their four phases' sums in registers.
    #[inline(always)]
    fn process_with(&mut self, x: &[f32]) -> f32 {
        const LANES: usize = 8;
        // Room for a last group of lanes past the end of a short pass.
        let mut buf = [0f32; 11 + PASS + LANES];
        buf[..11].copy_from_slice(&self.last);
        // Each lane's peak (comparisons, not `f32::max`, so they vectorise;
        // the largest of finite values is the same either way).
        let mut lane_peak = [0.0f32; LANES];
        let larger = |a: f32, b: f32| if a > b { a } else { b };
        for pass in x.chunks(PASS) {
            let m = pass.len();
            buf[11..11 + m].copy_from_slice(pass);
            for g in (0..m).step_by(LANES) {
                let mut acc = [[0f32; LANES]; 4];
                for (k, tap) in TAPS.iter().enumerate() {
                    let w: &[f32; LANES] = buf[g + k..g + k + LANES].try_into().expect("LANES long");
                    for (p, acc) in acc.iter_mut().enumerate() {
                        for (a, s) in acc.iter_mut().zip(w) {
                            *a += tap[p] * s;
                        }
                    }
                }
                for (j, lane) in lane_peak.iter_mut().enumerate() {
                    let v = acc.iter().fold(buf[11 + g + j].abs(), |v, a| larger(a[j].abs(), v));
                    // Lanes past the end of the pass hold no sample.
                    *lane = if g + j < m { larger(v, *lane) } else { *lane };
                }
            }
            buf.copy_within(m..m + 11, 0);
        }
        self.last.copy_from_slice(&buf[..11]);
        lane_peak.iter().fold(0.0, |p, v| p.max(*v))
    }

    /// Forgets the history.
    pub fn reset(&mut self) {
        self.last = [0.0; 11];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The passes compute exactly what [`interpolated_peak`] computes on
    /// each window, whatever the block sizes, on both compiled paths.
    #[test]
    fn passes_equal_the_window_by_window_measure_to_the_bit() {
        let x: Vec<f32> =
            (0..5000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 8) as f32 / 8e6 - 1.0).collect();
        let mut history = vec![0.0f32; 11];
        history.extend_from_slice(&x);
        let mut want = Vec::new();
        for i in 0..x.len() {
            want.push(x[i].abs().max(interpolated_peak(&history[i..i + 12])));
        }
        for sizes in [[1, 7, 64, 65], [500, 3, 1000, 129]] {
            let (mut a, mut b) = (TruePeak::new(), TruePeak::new());
            let mut at = 0;
            for n in sizes.iter().cycle() {
                if at >= x.len() {
                    break;
                }
                let end = (at + n).min(x.len());
                let expected = want[at..end].iter().fold(0.0f32, |m, v| m.max(*v));
                assert_eq!(a.process(&x[at..end]).to_bits(), expected.to_bits(), "at {at}");
                assert_eq!(b.process_with(&x[at..end]).to_bits(), expected.to_bits(), "at {at}");
                at = end;
            }
        }
    }

    #[test]
    fn a_sine_between_samples_reads_its_amplitude_not_its_sample_peak() {
        // fs/4 with a 45 degree phase: every sample is at 0.707 of the crest.
        let x: Vec<f32> = (0..4800)
            .map(|i| {
                (0.5 * (std::f64::consts::FRAC_PI_2 * i as f64 + std::f64::consts::FRAC_PI_4).sin()) as f32
            })
            .collect();
        let sample_peak = x.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!((sample_peak - 0.5 * std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-4);
        let tp = TruePeak::new().process(&x);
        let db = 20.0 * (tp / 0.5).log10();
        // Tech 3341 (case 16) allows +0.2/-0.4 dB; the sample peak alone reads -3.01.
        assert!((-0.4..=0.2).contains(&db), "true peak {db} dB from the crest");
    }
}
