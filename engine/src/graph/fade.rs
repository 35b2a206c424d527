//! Fade curves. `x` is the fade's progress from 0 (silent end) to 1 (full level).
//!
//! | shape        | gain(x)                                   |
//! |--------------|-------------------------------------------|
//! | Linear       | x                                         |
//! | EqualPower   | sin(x·π/2)                                |
//! | Exponential  | (10^(3(x-1)) - 10^-3) / (1 - 10^-3)       |
//! | SCurve       | (1 - cos(x·π)) / 2                        |
//!
//! Exponential rises linearly in dB over its top 60 dB and is shifted to reach
//! exact silence at x = 0.
//!
//! Sample placement: a fade-in of N samples on a clip starting at S gives the
//! sample at S + i the gain `gain(i/N)` (so the first sample is silent for every
//! shape); a fade-out of N samples on a clip ending at E (exclusive) gives the
//! sample at s the gain `gain((E - s)/N)` (so the last sample has `gain(1/N)`
//! and the first sample after the clip would be silent).

use crate::session::FadeShape;

/// The gain of `shape` at progress `x` in [0, 1].
pub fn fade_gain(shape: FadeShape, x: f64) -> f64 {
    let x = x.clamp(0.0, 1.0);
    match shape {
        FadeShape::Linear => x,
        FadeShape::EqualPower => (x * std::f64::consts::FRAC_PI_2).sin(),
        FadeShape::Exponential => {
            const FLOOR: f64 = 1e-3;
            ((10f64.powf(3.0 * (x - 1.0)) - FLOOR) / (1.0 - FLOOR)).max(0.0)
        }
        FadeShape::SCurve => (1.0 - (x * std::f64::consts::PI).cos()) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_runs_from_silence_to_unity_monotonically() {
        for shape in [FadeShape::Linear, FadeShape::EqualPower, FadeShape::Exponential, FadeShape::SCurve] {
            assert_eq!(fade_gain(shape, 0.0), 0.0, "{shape:?}");
            assert!((fade_gain(shape, 1.0) - 1.0).abs() < 1e-12, "{shape:?}");
            let mut last = 0.0;
            for i in 1..=100 {
                let g = fade_gain(shape, f64::from(i) / 100.0);
                assert!(g > last, "{shape:?} at {i}");
                last = g;
            }
        }
    }

    #[test]
    fn equal_power_crossfade_keeps_power() {
        for i in 0..=10 {
            let x = f64::from(i) / 10.0;
            let a = fade_gain(FadeShape::EqualPower, x);
            let b = fade_gain(FadeShape::EqualPower, 1.0 - x);
            assert!((a * a + b * b - 1.0).abs() < 1e-12);
        }
    }
}
