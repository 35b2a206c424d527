//! Platform preview: the mix as a streaming service would play it. Each
//! service's normalisation rule is the bounce report's
//! ([`crate::report::platforms::SERVICES`]): the gain it applies follows from
//! the mix's measured integrated loudness (and true peak, for the services
//! that turn quiet masters up only as far as their peak limit allows). The
//! monitor applies that gain and shows it.
//!
//! Limiting: no service publishes a limiter for its default mode (Spotify's
//! limiter belongs to its optional "Loud" setting), so none is modelled;
//! the turn-up of Spotify and Apple Music is held back by the peak limit,
//! as they publish.

use serde::{Deserialize, Serialize};

use crate::report::platforms::{SERVICES, Service, gain_for};

/// A streaming service to preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Platform {
    /// Spotify (normal loudness setting).
    Spotify,
    /// Apple Music (Sound Check).
    AppleMusic,
    /// YouTube.
    YouTube,
    /// Amazon Music.
    Amazon,
    /// Tidal.
    Tidal,
    /// Deezer.
    Deezer,
}

/// What the gain of a platform preview is computed from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    /// Integrated loudness of the mix, LUFS.
    pub integrated_lufs: f64,
    /// Its true peak, dBTP, where measured.
    pub true_peak_dbtp: Option<f64>,
    /// Its loudest short-term loudness, LUFS (for references matched on it).
    pub max_short_term_lufs: Option<f64>,
}

impl Measured {
    /// The measurement from a loudness reading (the live analysis of the
    /// master, or a file's); `None` until there is integrated loudness.
    pub fn from_reading(r: &crate::analysis::LoudnessReading) -> Option<Measured> {
        Some(Measured {
            integrated_lufs: r.integrated?,
            true_peak_dbtp: r.true_peak,
            max_short_term_lufs: r.max_short_term,
        })
    }
}

impl Platform {
    /// Every platform, in the order the window lists them.
    pub const ALL: [Platform; 6] = [
        Platform::Spotify,
        Platform::AppleMusic,
        Platform::YouTube,
        Platform::Amazon,
        Platform::Tidal,
        Platform::Deezer,
    ];

    /// The service's rule, as the bounce report has it.
    pub fn service(self) -> &'static Service {
        let name = match self {
            Platform::Spotify => "Spotify",
            Platform::AppleMusic => "Apple Music",
            Platform::YouTube => "YouTube",
            Platform::Amazon => "Amazon Music",
            Platform::Tidal => "Tidal",
            Platform::Deezer => "Deezer",
        };
        SERVICES.iter().find(|s| s.name == name).expect("every platform is in the report's table")
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        self.service().name
    }

    /// The word for it in a `--monitor` profile.
    pub fn key(self) -> &'static str {
        match self {
            Platform::Spotify => "spotify",
            Platform::AppleMusic => "apple",
            Platform::YouTube => "youtube",
            Platform::Amazon => "amazon",
            Platform::Tidal => "tidal",
            Platform::Deezer => "deezer",
        }
    }

    /// The gain in dB the service applies to a mix measured as `m`.
    pub fn gain_db(self, m: Measured) -> f64 {
        gain_for(self.service(), m.integrated_lufs, m.true_peak_dbtp)
    }
}
