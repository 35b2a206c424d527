//! One export running several delivery presets, then the delivery sheet.
//!
//! Each preset renders the session once (with the master's limiters
//! bypassed when it says so) and writes `SESSION - PRESET.ext` into the
//! output folder (stems into `SESSION - PRESET stems/`), with its report.
//! The session's open review notes go on the sheet, and the share page
//! (`crate::review::page`) is written beside the first WAV mix delivered, so
//! whoever receives the files can play it and answer the notes.

use std::path::{Path, PathBuf};

use super::preset::DeliveryPreset;
use super::sheet::{DeliverySheet, SheetRow};
use super::{DeliverError, DeliverOptions, Tags, deliver};
use crate::bounce::{BounceOptions, Dither, NormalizeTarget};
use crate::media::MediaPool;
use crate::review::page::Which;
use crate::session::Session;

/// What a multi-preset export wrote.
#[derive(Debug, Clone)]
pub struct BatchSummary {
    /// The sheet (also written as text and HTML).
    pub sheet: DeliverySheet,
    /// The sheet's files.
    pub sheet_paths: [PathBuf; 2],
    /// The review notes' share page, when the session has open notes and a WAV mix was delivered.
    pub review_page: Option<crate::review::page::Written>,
    /// Why the share page could not be written (the files and the sheet were).
    pub review_error: Option<String>,
}

/// A file name for `preset` of the session `stem`.
fn file_name(stem: &str, preset: &DeliveryPreset) -> String {
    let safe: String = preset
        .name
        .chars()
        .map(|c| if c.is_control() || "/\\:*?\"<>|".contains(c) { '_' } else { c })
        .collect();
    format!("{stem} - {}", safe.trim())
}

/// Runs `presets` on `session` into `dir` and writes the delivery sheet
/// there. `session_file` is never overwritten; `tags` go into every file.
#[allow(clippy::too_many_arguments)]
pub fn run_presets(
    session: &Session,
    session_file: &Path,
    dir: &Path,
    presets: &[DeliveryPreset],
    tags: &Tags,
    notes: &str,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<BatchSummary, DeliverError> {
    if presets.is_empty() {
        return Err(DeliverError::Invalid("no delivery preset to run".into()));
    }
    for p in presets {
        p.check().map_err(DeliverError::Invalid)?;
    }
    std::fs::create_dir_all(dir).map_err(|source| DeliverError::Write { path: dir.to_owned(), source })?;
    let session_dir = match session_file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let stem = session_file.file_stem().map_or_else(|| "mix".into(), |s| s.to_string_lossy().into_owned());
    let pool = MediaPool::new();
    let mut rows = Vec::new();
    let mut first_wav = None;
    let n = presets.len() as f64;
    for (i, p) in presets.iter().enumerate() {
        let mut s = session.clone();
        if p.bypass_master_limiter {
            for proc in s.master.processors.iter_mut().filter(|x| x.kind == "limiter") {
                proc.bypassed = true;
            }
        }
        let name = file_name(&stem, p);
        let output = dir.join(format!("{name}.{}", p.format.extension()));
        let bounce = BounceOptions {
            dither: if p.dither { Dither::Tpdf } else { Dither::Auto },
            stems_dir: p.stems.then(|| dir.join(format!("{name} stems"))),
            normalize: p
                .normalize_lufs
                .map(|lufs| NormalizeTarget { lufs, ceiling_dbtp: p.true_peak_ceiling }),
            session_name: session_file.file_name().map(|n| n.to_string_lossy().into_owned()),
            session_file: Some(session_file.to_owned()),
            ..BounceOptions::default()
        };
        let opts = DeliverOptions {
            format: p.format,
            rate: p.rate,
            tags: tags.clone(),
            peak_headroom_dbfs: p.peak_headroom_dbfs,
        };
        let summary =
            deliver(&s, &session_dir, &pool, &output, &bounce, &opts, &mut |f| progress((i as f64 + f) / n))?;
        let warnings: Vec<String> = summary
            .report
            .as_ref()
            .map(|r| r.warnings().map(|w| format!("{}: {}", w.key, w.detail)).collect())
            .unwrap_or_default();
        let mut notes = p.notes.clone();
        if let Some(norm) = &summary.bounce.normalization {
            notes = format!("{notes} {}", norm.describe()).trim().to_owned();
        }
        if summary.mix.gain_db < 0.0 {
            notes = format!("{notes} Lowered {:.2} dB for the peak headroom.", -summary.mix.gain_db)
                .trim()
                .to_owned();
        }
        let row = |f, pf, notes: &str| {
            SheetRow::of(f, dir, &p.name, pf, notes)
                .map_err(|source| DeliverError::Write { path: dir.to_owned(), source })
        };
        if first_wav.is_none() && matches!(summary.mix.format, super::Format::Wav(_)) {
            first_wav = Some(summary.mix.path.clone());
        }
        rows.push(row(&summary.mix, warnings, &notes)?);
        for stem in &summary.stems {
            rows.push(row(stem, Vec::new(), "")?);
        }
    }
    let name = session_file.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let sheet =
        DeliverySheet { session: name.clone(), notes: notes.to_owned(), review: open_notes(session), rows };
    let sheet_paths =
        sheet.write(dir).map_err(|source| DeliverError::Write { path: dir.to_owned(), source })?;
    let (mut review_page, mut review_error) = (None, None);
    if !sheet.review.is_empty() {
        match &first_wav {
            Some(wav) => match crate::review::page::write(session, &name, wav, 0.0, Which::Open) {
                Ok(w) => review_page = Some(w),
                Err(e) => {
                    review_error = Some(format!("cannot write the review page beside {}: {e}", wav.display()))
                }
            },
            None => {
                review_error = Some(
                    "no WAV was delivered, so there is no review page to play it (tick a WAV preset)".into(),
                )
            }
        }
    }
    Ok(BatchSummary { sheet, sheet_paths, review_page, review_error })
}

/// The session's open review notes as the sheet lists them.
fn open_notes(session: &Session) -> Vec<String> {
    let (text, _) = crate::review::page::report_section(session, 0.0, f64::INFINITY, Which::Open);
    // The section's first lines are a blank and its heading; the notes follow, indented.
    text.lines().skip(2).filter(|l| !l.trim().is_empty()).map(|l| l.trim().to_owned()).collect()
}
