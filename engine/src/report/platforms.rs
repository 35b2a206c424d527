//! What streaming services would do to the file: each turns playback to its
//! loudness target; this table shows the gain each applies and the true peak
//! that results.
//!
//! The policies modelled (as the services publish them; they change, so the
//! report names them): every service turns loud masters down to its target.
//! Spotify and Apple Music also turn quiet masters up, but only as far as the
//! true peak stays at or under their peak limit; YouTube, Amazon Music,
//! Tidal and Deezer never turn up.

use serde::{Deserialize, Serialize};

/// One service's normalisation rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Service {
    /// Its name.
    pub name: &'static str,
    /// Playback loudness target, LUFS.
    pub target_lufs: f64,
    /// The true-peak level it asks masters to stay under, dBTP.
    pub peak_limit_dbtp: f64,
    /// Whether it turns quiet masters up (within the peak limit).
    pub turns_up: bool,
}

/// The services in the report.
pub const SERVICES: &[Service] = &[
    Service { name: "Spotify", target_lufs: -14.0, peak_limit_dbtp: -1.0, turns_up: true },
    Service { name: "Apple Music", target_lufs: -16.0, peak_limit_dbtp: -1.0, turns_up: true },
    Service { name: "YouTube", target_lufs: -14.0, peak_limit_dbtp: -1.0, turns_up: false },
    Service { name: "Amazon Music", target_lufs: -14.0, peak_limit_dbtp: -2.0, turns_up: false },
    Service { name: "Tidal", target_lufs: -14.0, peak_limit_dbtp: -1.0, turns_up: false },
    Service { name: "Deezer", target_lufs: -15.0, peak_limit_dbtp: -1.0, turns_up: false },
];

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlatformRow {
    /// The service.
    pub service: String,
    /// Its target, LUFS.
    pub target_lufs: f64,
    /// Its peak limit, dBTP.
    pub peak_limit_dbtp: f64,
    /// Gain it applies, dB (negative turns down).
    pub gain_db: f64,
    /// Loudness after its gain, LUFS.
    pub played_lufs: f64,
    /// True peak after its gain, dBTP.
    pub played_true_peak_dbtp: Option<f64>,
    /// Whether the played true peak is over its peak limit.
    pub over_peak_limit: bool,
}

/// The gain `s` applies to a master at `lufs` with true peak `tp` (dBTP).
pub fn gain_for(s: &Service, lufs: f64, tp: Option<f64>) -> f64 {
    let wanted = s.target_lufs - lufs;
    if wanted <= 0.0 {
        return wanted;
    }
    if !s.turns_up {
        return 0.0;
    }
    let room = tp.map_or(wanted, |tp| (s.peak_limit_dbtp - tp).max(0.0));
    wanted.min(room)
}

/// The table for a master at `lufs` integrated loudness and `tp` true peak.
pub fn table(lufs: f64, tp: Option<f64>) -> Vec<PlatformRow> {
    SERVICES
        .iter()
        .map(|s| {
            let gain = gain_for(s, lufs, tp);
            let played_tp = tp.map(|t| t + gain);
            PlatformRow {
                service: s.name.into(),
                target_lufs: s.target_lufs,
                peak_limit_dbtp: s.peak_limit_dbtp,
                gain_db: gain,
                played_lufs: lufs + gain,
                played_true_peak_dbtp: played_tp,
                over_peak_limit: played_tp.is_some_and(|t| t > s.peak_limit_dbtp + 1e-9),
            }
        })
        .collect()
}
