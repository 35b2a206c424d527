//! How a parameter's value maps to a control's travel (0 at the bottom or
//! left, 1 at the top or right): decided once, from the parameter's
//! declaration ([`ParamInfo`]), for every control that shows it (faders,
//! the generic editor's sliders, automation lanes).
//!
//! The fader taper gives most of the travel to the range that matters when
//! mixing: +12 to 0 dB takes the top fifth, 0 to -10 dB the next quarter,
//! and everything below -40 dB the bottom fifth, ending at the minimum.

use super::{ParamInfo, Unit};

/// (position 0..1, dB) breakpoints of the fader taper, bottom to top.
const FADER: [(f64, f64); 6] =
    [(0.0, -90.0), (0.2, -40.0), (0.4, -20.0), (0.55, -10.0), (0.8, 0.0), (1.0, 12.0)];

/// The shape of a parameter's travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taper {
    /// A console fader's (gains that reach from silence to boost).
    Fader,
    /// Logarithmic (frequencies, times and ratios over a decade or more).
    Log,
    /// Even steps of the value.
    Linear,
}

/// The fader position (0..1) of a level in dB.
pub fn fader_position(db: f64) -> f64 {
    if db <= FADER[0].1 {
        return 0.0;
    }
    for w in FADER.windows(2) {
        let ((p0, d0), (p1, d1)) = (w[0], w[1]);
        if db <= d1 {
            return p0 + (db - d0) / (d1 - d0) * (p1 - p0);
        }
    }
    1.0
}

/// The level in dB at a fader position (0..1); the bottom is `min_db`.
pub fn fader_db(position: f64, min_db: f64) -> f64 {
    if position <= 0.0 {
        return min_db;
    }
    for w in FADER.windows(2) {
        let ((p0, d0), (p1, d1)) = (w[0], w[1]);
        if position <= p1 {
            return d0 + (position - p0) / (p1 - p0) * (d1 - d0);
        }
    }
    FADER[FADER.len() - 1].1
}

impl ParamInfo {
    /// The shape of this parameter's travel.
    pub fn taper(&self) -> Taper {
        if self.unit == Unit::Decibels && self.max >= 6.0 && self.min <= -60.0 {
            Taper::Fader
        } else if self.is_log_scale() && self.min > 0.0 {
            Taper::Log
        } else {
            Taper::Linear
        }
    }

    /// Where `value` sits on a control's travel, 0 to 1.
    pub fn position(&self, value: f64) -> f64 {
        match self.taper() {
            Taper::Fader => fader_position(value),
            Taper::Log => {
                ((value.max(self.min) / self.min).ln() / (self.max / self.min).ln()).clamp(0.0, 1.0)
            }
            Taper::Linear => {
                let span = self.max - self.min;
                if span <= 0.0 { 0.5 } else { ((value - self.min) / span).clamp(0.0, 1.0) }
            }
        }
    }

    /// The value at position `p` (0 to 1) of a control's travel, clamped and
    /// rounded as the parameter requires: the inverse of [`ParamInfo::position`].
    pub fn at_position(&self, p: f64) -> f64 {
        let p = p.clamp(0.0, 1.0);
        let v = match self.taper() {
            Taper::Fader => fader_db(p, self.min),
            Taper::Log => self.min * (self.max / self.min).powf(p),
            Taper::Linear => self.min + p * (self.max - self.min),
        };
        self.clamp(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::StripParam;

    #[test]
    fn every_taper_round_trips_and_unity_sits_at_four_fifths() {
        let fader = StripParam::Fader.info();
        assert_eq!(fader.taper(), Taper::Fader);
        assert!((fader.position(0.0) - 0.8).abs() < 1e-12);
        let hz = ParamInfo::new("f", "Frequency", Unit::Hertz, 20.0, 20_000.0, 1000.0);
        assert_eq!(hz.taper(), Taper::Log);
        assert!((hz.at_position(0.5) - 632.455_532).abs() < 1e-3);
        let pan = StripParam::Pan.info();
        assert_eq!(pan.taper(), Taper::Linear);
        for (info, v) in [(fader, -6.0), (fader, 7.5), (hz, 440.0), (pan, -0.25)] {
            assert!((info.at_position(info.position(v)) - v).abs() < 1e-9, "{} {v}", info.name);
        }
    }
}
