//! Delivery presets: a named recipe for one delivered file (format, rate,
//! loudness, headroom, the master limiter, stems, notes). A session keeps
//! its own, editable list (`Session::delivery`, saved in the session file);
//! an empty list means [`defaults`], the five every studio sends.

use serde::{Deserialize, Serialize};

use super::format::{Format, Mp3Mode, WavBits};

/// A delivery recipe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryPreset {
    /// The preset's name (also in the delivered file's name).
    pub name: String,
    /// The file format.
    pub format: Format,
    /// The sample rate; `None` keeps the session's.
    #[serde(default)]
    pub rate: Option<u32>,
    /// Normalise to this integrated loudness (LUFS), with gain only.
    #[serde(default)]
    pub normalize_lufs: Option<f64>,
    /// With `normalize_lufs`: the true peak the gain may not pass (dBTP).
    #[serde(default)]
    pub true_peak_ceiling: Option<f64>,
    /// Lower the file so its sample peak is at most this (dBFS), never raise it.
    #[serde(default)]
    pub peak_headroom_dbfs: Option<f64>,
    /// Bypass every limiter on the master for this render.
    #[serde(default)]
    pub bypass_master_limiter: bool,
    /// TPDF dither at any integer depth (else only at 16 bit).
    #[serde(default)]
    pub dither: bool,
    /// Also write one file per track and bus.
    #[serde(default)]
    pub stems: bool,
    /// Notes for whoever receives the file (printed on the delivery sheet).
    #[serde(default)]
    pub notes: String,
}

impl DeliveryPreset {
    fn new(name: &str, format: Format) -> DeliveryPreset {
        DeliveryPreset {
            name: name.into(),
            format,
            rate: None,
            normalize_lufs: None,
            true_peak_ceiling: None,
            peak_headroom_dbfs: None,
            bypass_master_limiter: false,
            dither: false,
            stems: false,
            notes: String::new(),
        }
    }

    /// Checks the numbers, naming the preset.
    pub fn check(&self) -> Result<(), String> {
        let bad = |what: &str| Err(format!("delivery preset {:?}: {what}", self.name));
        if self.name.trim().is_empty() {
            return bad("it has no name");
        }
        if let Some(r) = self.rate.filter(|r| !super::RATES.contains(r)) {
            return bad(&format!(
                "{r} Hz is not a delivery rate (44100, 48000, 88200, 96000, 176400, 192000)"
            ));
        }
        for (what, v) in [
            ("normalize_lufs", self.normalize_lufs),
            ("true_peak_ceiling", self.true_peak_ceiling),
            ("peak_headroom_dbfs", self.peak_headroom_dbfs),
        ] {
            if let Some(v) = v.filter(|v| !(v.is_finite() && (-70.0..=0.0).contains(v))) {
                return bad(&format!("{what} must be between -70 and 0, not {v}"));
            }
        }
        Ok(())
    }
}

/// The five presets a session starts with.
pub fn defaults() -> Vec<DeliveryPreset> {
    vec![
        DeliveryPreset {
            bypass_master_limiter: true,
            peak_headroom_dbfs: Some(-6.0),
            notes: "Unlimited mix for mastering: 24-bit at the session rate, no limiter on the master, \
                    sample peaks at or under -6 dBFS."
                .into(),
            ..DeliveryPreset::new("Mastering", Format::Wav(WavBits::Int24))
        },
        DeliveryPreset {
            rate: Some(44_100),
            normalize_lufs: Some(-14.0),
            true_peak_ceiling: Some(-1.0),
            notes: "-14 LUFS integrated, true peak at or under -1 dBTP (gain only: if the ceiling holds the \
                    gain back the sheet says so), 44.1 kHz 24-bit."
                .into(),
            ..DeliveryPreset::new("Streaming master", Format::Wav(WavBits::Int24))
        },
        DeliveryPreset {
            rate: Some(44_100),
            dither: true,
            notes: "Red Book: 16-bit 44.1 kHz, TPDF dither after the rate conversion.".into(),
            ..DeliveryPreset::new("CD", Format::Wav(WavBits::Int16))
        },
        DeliveryPreset {
            stems: true,
            notes: "One 24-bit file per track and bus, all from the same sample, with the mix.".into(),
            ..DeliveryPreset::new("Stems pack", Format::Wav(WavBits::Int24))
        },
        DeliveryPreset {
            rate: Some(44_100),
            notes: "For listening on the phone: MP3 320 kbit/s CBR, 44.1 kHz.".into(),
            ..DeliveryPreset::new("Artist preview MP3 320", Format::Mp3(Mp3Mode::Cbr(320)))
        },
    ]
}

/// The presets a session delivers with: its own, or the defaults when it has none.
pub fn of_session(session: &crate::session::Session) -> Vec<DeliveryPreset> {
    if session.delivery.is_empty() { defaults() } else { session.delivery.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid_and_distinct() {
        let d = defaults();
        assert_eq!(d.len(), 5);
        for p in &d {
            p.check().unwrap();
        }
        let mut names: Vec<_> = d.iter().map(|p| p.name.as_str()).collect();
        names.dedup();
        assert_eq!(names.len(), 5);
        let bad = DeliveryPreset { rate: Some(12_345), ..d[0].clone() };
        assert!(bad.check().unwrap_err().contains("\"Mastering\": 12345 Hz"));
    }
}
