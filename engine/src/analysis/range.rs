//! Loudness range (LRA) as EBU Tech 3342 defines it, from short-term (3 s)
//! loudness values taken ten times a second.
//!
//! Tech 3342 asks for the short-term loudness to be sampled at least ten
//! times a second; the `ebur128` crate (as libebur128) takes one value a
//! second, so a lone 1 s burst gives it a single value and an LRA of 0. Here
//! the meter feeds a value every 100 ms and the range is computed from them:
//! values under -70 LUFS are dropped (absolute gate), then those more than
//! 20 LU under the energy mean of the rest (relative gate), and the range is
//! the spread between the 10th and the 95th percentile of what is left.
//!
//! The values are kept in a histogram of 0.01 LU bins (about 44 KiB), so the
//! memory does not grow with the length of the programme and a reading costs
//! the same after an hour as after a minute; percentiles are exact to 0.01 LU.

/// Short-term values under this (LUFS) are not counted.
const ABSOLUTE_GATE: f64 = -70.0;
/// Values more than this (LU) under the mean of the rest are not counted.
const RELATIVE_GATE: f64 = 20.0;
/// The histogram's highest bin starts here (LUFS); louder values land in it.
const TOP: f64 = 40.0;
/// Bin width, LU.
const BIN: f64 = 0.01;
const BINS: usize = ((TOP - ABSOLUTE_GATE) / BIN) as usize + 1;

/// A running loudness range.
#[derive(Debug, Clone)]
pub struct LoudnessRange {
    counts: Vec<u32>,
    /// Sum of the mean squares (the energies) of the values over the absolute gate.
    energy: f64,
    /// How many values are over the absolute gate.
    count: u64,
}

impl Default for LoudnessRange {
    fn default() -> LoudnessRange {
        LoudnessRange::new()
    }
}

impl LoudnessRange {
    /// An empty range.
    pub fn new() -> LoudnessRange {
        LoudnessRange { counts: vec![0; BINS], energy: 0.0, count: 0 }
    }

    /// Takes in one short-term loudness value (LUFS; minus infinity for silence).
    pub fn add(&mut self, lufs: f64) {
        if lufs.is_nan() || lufs < ABSOLUTE_GATE {
            return;
        }
        let bin = (((lufs - ABSOLUTE_GATE) / BIN) as usize).min(BINS - 1);
        self.counts[bin] += 1;
        self.energy += 10f64.powf((lufs + 0.691) / 10.0);
        self.count += 1;
    }

    /// The loudness range in LU, `None` before any value passed the gates.
    pub fn range(&self) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let mean = 10.0 * (self.energy / self.count as f64).log10() - 0.691;
        let gate = ((mean - RELATIVE_GATE - ABSOLUTE_GATE) / BIN).ceil().max(0.0) as usize;
        let kept = &self.counts[gate.min(BINS)..];
        let n: u64 = kept.iter().map(|&c| u64::from(c)).sum();
        if n == 0 {
            return None;
        }
        let value = |rank: u64| {
            let mut seen = 0u64;
            for (i, &c) in kept.iter().enumerate() {
                seen += u64::from(c);
                if seen > rank {
                    return ABSOLUTE_GATE + (gate + i) as f64 * BIN + BIN / 2.0;
                }
            }
            TOP
        };
        let percentile = |p: f64| value(((n - 1) as f64 * p).round() as u64);
        Some(percentile(0.95) - percentile(0.10))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_levels_in_equal_shares_give_their_difference() {
        let mut r = LoudnessRange::new();
        for _ in 0..100 {
            r.add(-20.0);
            r.add(-30.0);
        }
        assert!((r.range().unwrap() - 10.0).abs() < 0.011, "{:?}", r.range());
    }

    #[test]
    fn values_under_the_gates_do_not_count() {
        let mut r = LoudnessRange::new();
        assert_eq!(r.range(), None);
        r.add(f64::NEG_INFINITY);
        r.add(-80.0);
        assert_eq!(r.range(), None);
        for _ in 0..50 {
            r.add(-20.0);
            r.add(-21.0);
            // More than 20 LU under the mean: gated out.
            r.add(-45.0);
        }
        assert!((r.range().unwrap() - 1.0).abs() < 0.011, "{:?}", r.range());
    }

    #[test]
    fn percentiles_are_the_nearest_ranks() {
        // 0..=100 LU above -60: the 10th percentile is -50, the 95th -5.
        let mut r = LoudnessRange::new();
        for i in 0..=100 {
            r.add(-60.0 + f64::from(i) * 0.5);
        }
        // Mean energy is near the loud end, so the relative gate (-20 LU)
        // drops the quietest values first: check against a sorted reference.
        let mean = 10.0
            * ((0..=100).map(|i| 10f64.powf((-60.0 + f64::from(i) * 0.5 + 0.691) / 10.0)).sum::<f64>()
                / 101.0)
                .log10()
            - 0.691;
        let kept: Vec<f64> =
            (0..=100).map(|i| -60.0 + f64::from(i) * 0.5).filter(|v| *v >= mean - 20.0).collect();
        let at = |p: f64| kept[((kept.len() - 1) as f64 * p).round() as usize];
        let want = at(0.95) - at(0.10);
        assert!((r.range().unwrap() - want).abs() < 0.011, "{:?} vs {want}", r.range());
    }
}
