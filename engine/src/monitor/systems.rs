//! The speaker and system simulations: each is a short cascade of RBJ
//! sections ([`crate::dsp::biquad`]) and, beside it, the response it is
//! documented to have ([`System::documented_db`], the table in the README
//! and `docs/engine.md`). The tables were computed once from the sections'
//! closed-form magnitude and are kept as numbers, so that a change to a
//! curve must change its documentation too (a unit test holds them
//! together; `tests/tests/monitor_checks.rs` measures the live path
//! against the table).
//!
//! The curves are deliberately simple, typical shapes, not measurements of
//! one product: what each system loses (the low end on a phone), where it
//! honks or hypes, and where its top rolls off.

use serde::{Deserialize, Serialize};

use crate::dsp::biquad::{Coeffs, Shape};

/// Sections per system at most.
pub const MAX_SECTIONS: usize = 6;

/// The frequencies of the documented tables, Hz (octaves from 31.5 Hz).
pub const CURVE_HZ: [f64; 10] = [31.5, 63.0, 125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0];

/// A playback system to hear the mix through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum System {
    /// A phone's own speaker: nothing below about 300 Hz, a presence hump, no air.
    Phone,
    /// Laptop speakers: thin below 200 Hz, a boxy mid hump, soft top.
    Laptop,
    /// Cheap earbuds: some bass lift, a sharp ear-canal peak near 3.5 kHz.
    Earbuds,
    /// A flat TV's speakers: little below 150 Hz, forward upper mids.
    Tv,
    /// A car: cabin gain below 100 Hz, a mud dip, dull top.
    Car,
    /// A club PA: big sub and low end, a scooped low mid, tamed highs.
    ClubPa,
}

impl System {
    /// Every system, in the order the window lists them.
    pub const ALL: [System; 6] =
        [System::Phone, System::Laptop, System::Earbuds, System::Tv, System::Car, System::ClubPa];

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            System::Phone => "Phone speaker",
            System::Laptop => "Laptop",
            System::Earbuds => "Earbuds",
            System::Tv => "TV",
            System::Car => "Car",
            System::ClubPa => "Club PA",
        }
    }

    /// The word for it in a `--monitor` profile.
    pub fn key(self) -> &'static str {
        match self {
            System::Phone => "phone",
            System::Laptop => "laptop",
            System::Earbuds => "earbuds",
            System::Tv => "tv",
            System::Car => "car",
            System::ClubPa => "club",
        }
    }

    /// The sections (shape and frequency in Hz), in the order they run.
    pub fn sections(self) -> &'static [(Shape, f64)] {
        const BW: f64 = std::f64::consts::FRAC_1_SQRT_2;
        match self {
            System::Phone => &[
                (Shape::HighPass { q: BW }, 300.0),
                (Shape::HighPass { q: BW }, 300.0),
                (Shape::Peak { gain_db: 4.0, q: 1.0 }, 2500.0),
                (Shape::LowPass { q: BW }, 9000.0),
            ],
            System::Laptop => &[
                (Shape::HighPass { q: BW }, 180.0),
                (Shape::HighPass { q: BW }, 180.0),
                (Shape::Peak { gain_db: 3.0, q: 1.2 }, 1200.0),
                (Shape::LowPass { q: BW }, 14000.0),
            ],
            System::Earbuds => &[
                (Shape::HighPass { q: BW }, 40.0),
                (Shape::LowShelf { gain_db: 3.0, q: BW }, 120.0),
                (Shape::Peak { gain_db: 5.0, q: 1.5 }, 3500.0),
                (Shape::LowPass { q: BW }, 16000.0),
            ],
            System::Tv => &[
                (Shape::HighPass { q: BW }, 140.0),
                (Shape::HighPass { q: BW }, 140.0),
                (Shape::Peak { gain_db: 2.5, q: 1.0 }, 3000.0),
                (Shape::LowPass { q: BW }, 12000.0),
            ],
            System::Car => &[
                (Shape::HighPass { q: BW }, 30.0),
                (Shape::LowShelf { gain_db: 6.0, q: BW }, 80.0),
                (Shape::Peak { gain_db: -4.0, q: 1.0 }, 250.0),
                (Shape::HighShelf { gain_db: -3.0, q: BW }, 8000.0),
            ],
            System::ClubPa => &[
                (Shape::HighPass { q: BW }, 35.0),
                (Shape::HighPass { q: BW }, 35.0),
                (Shape::LowShelf { gain_db: 6.0, q: BW }, 100.0),
                (Shape::Peak { gain_db: -2.0, q: 1.0 }, 400.0),
                (Shape::HighShelf { gain_db: -4.0, q: BW }, 10000.0),
            ],
        }
    }

    /// The sections designed at `rate` Hz.
    pub fn coeffs(self, rate: u32) -> impl Iterator<Item = Coeffs> {
        self.sections().iter().map(move |(shape, f)| Coeffs::design(*shape, *f, f64::from(rate)))
    }

    /// The response in dB at `freq` Hz for `rate` Hz, in closed form.
    pub fn response_db(self, freq: f64, rate: u32) -> f64 {
        let m: f64 = self.coeffs(rate).map(|c| c.magnitude(freq, f64::from(rate))).product();
        20.0 * m.log10()
    }

    /// The documented response in dB at each of [`CURVE_HZ`] (at 48 kHz).
    pub fn documented_db(self) -> [f64; 10] {
        match self {
            System::Phone => [-78.3, -54.2, -30.7, -9.7, -0.9, 0.7, 3.3, 1.9, -1.6, -16.6],
            System::Laptop => [-60.6, -36.6, -14.5, -2.0, 0.3, 2.5, 1.1, 0.2, -0.1, -6.1],
            System::Earbuds => [-2.6, 2.1, 1.3, 0.2, 0.1, 0.2, 1.2, 4.2, 0.4, -3.0],
            System::Tv => [-51.8, -28.1, -8.2, -0.8, 0.0, 0.3, 1.4, 1.8, -0.1, -10.0],
            System::Car => [3.2, 3.8, -0.4, -3.9, -1.2, -0.3, -0.1, -0.2, -1.5, -3.0],
            System::ClubPa => [-2.1, 4.3, 1.5, -0.9, -1.7, -0.4, -0.1, -0.1, -1.0, -3.8],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_tables_are_the_curves() {
        for s in System::ALL {
            assert!(s.sections().len() <= MAX_SECTIONS);
            let got: Vec<f64> = CURVE_HZ.iter().map(|f| s.response_db(*f, 48_000)).collect();
            for ((f, want), got) in CURVE_HZ.iter().zip(s.documented_db()).zip(&got) {
                assert!(
                    (want - got).abs() <= 0.051,
                    "{s:?} at {f} Hz: documented {want} dB, curve {got:.2} dB"
                );
            }
        }
    }
}
