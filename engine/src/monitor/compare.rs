//! Comparing a mix with a reference, and how a mix translates to other
//! systems, from their long-term octave bands ([`crate::analysis::bands`]).
//!
//! - [`compare_files`] (`mixdesk compare MIX REF`): the gain that matches
//!   the reference's loudness to the mix's (integrated, or the loudest 3 s),
//!   then per band the tonal difference (the mix's band level minus the
//!   reference's, each against its own total: the balance at equal level,
//!   dB) and the stereo width (side over mid, dB) of each and their
//!   difference; loudness, LRA and crest side by side.
//! - [`translation`] (the bounce report's per-system section): how much of
//!   the mix, overall and below 180 Hz, each system of [`super::systems`]
//!   and the mono sum keep, and the band each loses most in.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::systems::System;
use crate::analysis::bands::BandLevel;
use crate::analysis::file::AnalyzeError;
use crate::analysis::{Analysis, AnalysisCurves, analyze_file};

/// What loudness matching compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Matching {
    /// Integrated loudness (the whole programme).
    #[default]
    Integrated,
    /// The loudest short-term (3 s) loudness: matches the loud parts.
    ShortTerm,
}

/// One programme's figures, side by side with the other's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// The file.
    pub file: Option<PathBuf>,
    /// Integrated loudness, LUFS.
    pub integrated_lufs: Option<f64>,
    /// Loudest short-term loudness, LUFS.
    pub max_short_term_lufs: Option<f64>,
    /// Loudness range, LU.
    pub loudness_range_lu: Option<f64>,
    /// True peak, dBTP.
    pub true_peak_dbtp: Option<f64>,
    /// Crest factor: sample peak over RMS, dB.
    pub crest_db: Option<f64>,
}

impl Figures {
    fn of(a: &Analysis) -> Figures {
        Figures {
            file: a.file.clone(),
            integrated_lufs: a.integrated_lufs,
            max_short_term_lufs: a.max_short_term_lufs,
            loudness_range_lu: a.loudness_range_lu,
            true_peak_dbtp: a.true_peak_dbtp,
            crest_db: a.sample_peak_dbfs.zip(a.rms_dbfs).map(|(p, r)| p - r),
        }
    }

    fn loudness(&self, m: Matching) -> Option<f64> {
        match m {
            Matching::Integrated => self.integrated_lufs,
            Matching::ShortTerm => self.max_short_term_lufs,
        }
    }
}

/// One band of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BandDiff {
    /// Band centre, Hz.
    pub hz: f64,
    /// The mix's level in the band minus the reference's, each taken against
    /// its own total over all bands, dB (positive: the mix has more here).
    pub tonal_db: Option<f64>,
    /// The mix's width (side over mid), dB.
    pub mix_width_db: Option<f64>,
    /// The reference's width, dB.
    pub reference_width_db: Option<f64>,
    /// Mix width minus reference width, dB (positive: the mix is wider here).
    pub width_diff_db: Option<f64>,
}

/// A mix against a reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The mix's figures.
    pub mix: Figures,
    /// The reference's figures.
    pub reference: Figures,
    /// How the loudness was matched.
    pub matching: Matching,
    /// Gain that brings the reference to the mix's loudness, dB.
    pub gain_db: Option<f64>,
    /// Per octave band.
    pub bands: Vec<BandDiff>,
}

/// Compares two measured programmes.
pub fn compare(
    mix: (&Analysis, &AnalysisCurves),
    reference: (&Analysis, &AnalysisCurves),
    matching: Matching,
) -> Comparison {
    let (m, r) = (Figures::of(mix.0), Figures::of(reference.0));
    let gain_db = m.loudness(matching).zip(r.loudness(matching)).map(|(a, b)| a - b);
    // Each band against its programme's total over all bands: the balance
    // of the two at equal level. (Against the loudness-matched reference
    // instead, quiet passages would show as a tilt: integrated loudness
    // gates them out, band averages do not.)
    let (mt, rt) = (total(&mix.1.bands), total(&reference.1.bands));
    let bands = mix
        .1
        .bands
        .iter()
        .filter_map(|mb| {
            let rb = reference.1.bands.iter().find(|b| b.hz == mb.hz)?;
            let (mw, rw) = (mb.width_db(), rb.width_db());
            Some(BandDiff {
                hz: mb.hz,
                tonal_db: mb
                    .total_db()
                    .zip(rb.total_db())
                    .zip(mt.zip(rt))
                    .map(|((a, b), (ma, rb))| (a - ma) - (b - rb)),
                mix_width_db: mw,
                reference_width_db: rw,
                width_diff_db: mw.zip(rw).map(|(a, b)| a - b),
            })
        })
        .collect();
    Comparison { mix: m, reference: r, matching, gain_db, bands }
}

/// The power of all bands together, dB.
fn total(bands: &[BandLevel]) -> Option<f64> {
    let e: f64 = bands.iter().filter_map(BandLevel::total_db).map(|d| 10f64.powf(d / 10.0)).sum();
    (e > 0.0).then(|| 10.0 * e.log10())
}

/// Decodes and measures both files (any format Mixdesk imports), then compares.
pub fn compare_files(mix: &Path, reference: &Path, matching: Matching) -> Result<Comparison, AnalyzeError> {
    let a = analyze_file(mix)?;
    let b = analyze_file(reference)?;
    Ok(compare((&a.0, &a.1), (&b.0, &b.1), matching))
}

/// Below this the report speaks of the low end, Hz (the 31.5 to 125 Hz octaves).
pub const LOW_END_HZ: f64 = 180.0;

/// How one system plays the mix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemRow {
    /// The system ("Mono sum" for the fold-down).
    pub system: String,
    /// Level change of the whole mix, dB.
    pub overall_db: Option<f64>,
    /// Level change of the mix below [`LOW_END_HZ`], dB.
    pub low_end_db: Option<f64>,
    /// The octave band that loses most, and by how much, dB.
    pub worst_band: Option<(f64, f64)>,
}

/// The per-system section of the report, from a mix's octave bands.
pub fn translation(bands: &[BandLevel]) -> Vec<SystemRow> {
    if bands.iter().all(|b| b.total_db().is_none()) {
        return Vec::new();
    }
    let power = |d: Option<f64>| d.map_or(0.0, |d| 10f64.powf(d / 10.0));
    // Each band's power before and after.
    let row = |name: &str, kept: &dyn Fn(&BandLevel) -> f64| {
        let ratio = |filter: &dyn Fn(&BandLevel) -> bool| {
            let (mut before, mut after) = (0.0, 0.0);
            for b in bands.iter().filter(|b| filter(b)) {
                before += power(b.total_db());
                after += kept(b);
            }
            (before > 0.0).then(|| 10.0 * (after / before).max(1e-30).log10())
        };
        let worst = bands
            .iter()
            .filter(|b| b.total_db().is_some())
            .map(|b| (b.hz, 10.0 * (kept(b) / power(b.total_db())).max(1e-30).log10()))
            .min_by(|x, y| x.1.total_cmp(&y.1));
        SystemRow {
            system: name.into(),
            overall_db: ratio(&|_| true),
            low_end_db: ratio(&|b| b.hz < LOW_END_HZ),
            worst_band: worst,
        }
    };
    let mut rows = vec![row("Mono sum", &|b| power(b.mid_db))];
    for s in System::ALL {
        rows.push(row(s.label(), &|b| power(b.total_db()) * 10f64.powf(s.response_db(b.hz, 48_000) / 10.0)));
    }
    rows
}
