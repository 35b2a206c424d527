//! Units as types: decibels, linear gain, pan position and sample time.
//!
//! A function that takes an `f32` for three different units is a bug waiting;
//! these newtypes make the unit part of the signature.

use serde::{Deserialize, Serialize};

/// A level in decibels. Values at or below [`Decibels::SILENCE`] mean silence.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Decibels(pub f64);

impl Decibels {
    /// Unity gain.
    pub const ZERO: Decibels = Decibels(0.0);
    /// The floor of every fader and gain control: this and below is treated as -inf (silence).
    pub const SILENCE: Decibels = Decibels(-144.0);

    /// The linear amplitude factor; exactly 0 at or below [`Decibels::SILENCE`].
    pub fn to_gain(self) -> Gain {
        if self.0 <= Self::SILENCE.0 { Gain(0.0) } else { Gain(10f64.powf(self.0 / 20.0)) }
    }
}

/// A linear amplitude factor (1.0 is unity).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Gain(pub f64);

impl Gain {
    /// Unity gain.
    pub const UNITY: Gain = Gain(1.0);

    /// The level in decibels; [`Decibels::SILENCE`] for zero or negative factors.
    pub fn to_db(self) -> Decibels {
        if self.0 <= 0.0 {
            Decibels::SILENCE
        } else {
            Decibels((20.0 * self.0.log10()).max(Decibels::SILENCE.0))
        }
    }
}

/// A pan position from -1 (hard left) through 0 (centre) to +1 (hard right).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Pan(pub f64);

impl Pan {
    /// Centre.
    pub const CENTRE: Pan = Pan(0.0);

    /// The position clamped to [-1, 1].
    pub fn clamped(self) -> f64 {
        self.0.clamp(-1.0, 1.0)
    }
}

/// A position or a length on the timeline, in samples at the session rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct SampleTime(pub u64);

impl SampleTime {
    /// Sample position zero.
    pub const ZERO: SampleTime = SampleTime(0);

    /// Seconds at `rate` rounded to the nearest sample (negative seconds clamp to 0).
    pub fn from_seconds(seconds: f64, rate: u32) -> SampleTime {
        SampleTime((seconds * f64::from(rate)).round().max(0.0) as u64)
    }

    /// This time in seconds at `rate`.
    pub fn to_seconds(self, rate: u32) -> f64 {
        self.0 as f64 / f64::from(rate)
    }
}

impl std::ops::Add for SampleTime {
    type Output = SampleTime;
    fn add(self, rhs: SampleTime) -> SampleTime {
        SampleTime(self.0 + rhs.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decibels_round_trip_exactly_at_known_points() {
        assert_eq!(Decibels(0.0).to_gain(), Gain(1.0));
        assert!((Decibels(-6.0).to_gain().0 - 0.501_187_233_627_272_2).abs() < 1e-15);
        assert!((Decibels(20.0).to_gain().0 - 10.0).abs() < 1e-12);
        assert_eq!(Decibels(-200.0).to_gain(), Gain(0.0));
        assert_eq!(Gain(0.0).to_db(), Decibels::SILENCE);
        assert!((Gain(0.5).to_db().0 + 6.020_599_913_279_624).abs() < 1e-12);
    }

    #[test]
    fn sample_time_converts_seconds_at_rate() {
        assert_eq!(SampleTime::from_seconds(1.5, 48_000), SampleTime(72_000));
        assert_eq!(SampleTime::from_seconds(-1.0, 48_000), SampleTime(0));
        assert_eq!(SampleTime(24_000).to_seconds(48_000), 0.5);
    }
}
