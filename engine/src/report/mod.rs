//! The report every bounce writes beside its file: `OUT.report.json`,
//! `OUT.report.txt` and `OUT.report.png` (loudness over time and the long-term
//! spectrum). It holds the file's [`Analysis`], the mastering [`preflight`] and
//! the streaming [`platforms`] table.

pub mod platforms;
mod plot;
pub mod preflight;
mod text;

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::analysis::{Analysis, AnalysisCurves};
use crate::atomic::write_atomically;
pub use platforms::PlatformRow;
pub use preflight::{Check, Production, Status};
pub use text::analysis_lines;

/// A loudness normalisation applied to the file (two passes: measure, then render with gain).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Normalization {
    /// The loudness asked for, LUFS.
    pub target_lufs: f64,
    /// The true-peak ceiling asked for, dBTP.
    pub ceiling_dbtp: Option<f64>,
    /// Integrated loudness of the first pass, LUFS.
    pub measured_lufs: f64,
    /// True peak of the first pass, dBTP.
    pub measured_true_peak_dbtp: Option<f64>,
    /// Gain applied in the second pass, dB.
    pub gain_db: f64,
    /// Whether the ceiling held the gain below what the target needed.
    pub limited_by_ceiling: bool,
}

impl Normalization {
    /// The gain that brings `lufs` to `target`, held so the true peak `tp` stays
    /// at or under `ceiling` (gain only, no limiting).
    pub fn plan(target: f64, ceiling: Option<f64>, lufs: f64, tp: Option<f64>) -> Normalization {
        let wanted = target - lufs;
        let room = match (ceiling, tp) {
            (Some(c), Some(t)) => c - t,
            _ => f64::INFINITY,
        };
        let gain = wanted.min(room);
        Normalization {
            target_lufs: target,
            ceiling_dbtp: ceiling,
            measured_lufs: lufs,
            measured_true_peak_dbtp: tp,
            gain_db: gain,
            limited_by_ceiling: room < wanted,
        }
    }

    /// The description in the report.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "normalized in two passes: measured {:.2} LUFS{}, applied {:+.2} dB of gain (target {:.1} LUFS{})",
            self.measured_lufs,
            self.measured_true_peak_dbtp.map_or(String::new(), |t| format!(" / {t:.2} dBTP")),
            self.gain_db,
            self.target_lufs,
            self.ceiling_dbtp.map_or(String::new(), |c| format!(", true-peak ceiling {c:.1} dBTP")),
        );
        if self.limited_by_ceiling {
            s.push_str(&format!(
                "; the ceiling held the gain, so the file reaches {:.2} LUFS, not the target (no limiter is used)",
                self.measured_lufs + self.gain_db
            ));
        }
        s
    }
}

/// Everything the report holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The program that wrote it.
    pub generator: String,
    /// The session bounced, if known.
    pub session: Option<String>,
    /// The measurements of the written file.
    pub analysis: Analysis,
    /// How the file was made.
    pub production: Production,
    /// The normalisation applied, if any.
    pub normalization: Option<Normalization>,
    /// Mastering preflight.
    pub preflight: Vec<Check>,
    /// Streaming services' normalisation.
    pub platforms: Vec<PlatformRow>,
    /// How the mix plays on other systems and in mono (from its octave bands).
    #[serde(default)]
    pub systems: Vec<crate::monitor::compare::SystemRow>,
    /// Loudness history and long-term spectrum.
    pub curves: AnalysisCurves,
}

/// The three files a report is written to.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportPaths {
    /// `OUT.report.json`.
    pub json: PathBuf,
    /// `OUT.report.txt`.
    pub text: PathBuf,
    /// `OUT.report.png`.
    pub png: PathBuf,
}

impl ReportPaths {
    /// The report files beside `output` (`mix.wav` -> `mix.report.json`, ...;
    /// a name that is not UTF-8 keeps its bytes).
    pub fn beside(output: &Path) -> ReportPaths {
        let stem = output.file_stem().map_or_else(|| "mix".into(), std::ffi::OsStr::to_os_string);
        let at = |ext: &str| {
            let mut name = stem.clone();
            name.push(format!(".report.{ext}"));
            output.with_file_name(name)
        };
        ReportPaths { json: at("json"), text: at("txt"), png: at("png") }
    }
}

impl Report {
    /// The report on a file measured as `analysis`.
    pub fn new(
        session: Option<String>,
        analysis: Analysis,
        curves: AnalysisCurves,
        production: Production,
        normalization: Option<Normalization>,
    ) -> Report {
        let preflight = preflight::run(&analysis, &production);
        let platforms =
            analysis.integrated_lufs.map_or_else(Vec::new, |i| platforms::table(i, analysis.true_peak_dbtp));
        Report {
            generator: format!("Mixdesk {}", env!("CARGO_PKG_VERSION")),
            session,
            analysis,
            production,
            normalization,
            preflight,
            platforms,
            systems: crate::monitor::compare::translation(&curves.bands),
            curves,
        }
    }

    /// The preflight lines that warn.
    pub fn warnings(&self) -> impl Iterator<Item = &Check> {
        self.preflight.iter().filter(|c| c.status == Status::Warn)
    }

    /// The readable report.
    pub fn to_text(&self) -> String {
        text::render(self)
    }

    /// Writes the three files beside `output`, each atomically.
    pub fn write_beside(&self, output: &Path) -> std::io::Result<ReportPaths> {
        self.files()?.write_beside(output)
    }

    /// The three files' contents.
    pub fn files(&self) -> std::io::Result<ReportFiles> {
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        let text = self.to_text().into_bytes();
        let png = plot::render_png(self).map_err(std::io::Error::other)?;
        Ok(ReportFiles { json, text, png })
    }
}

/// A report's files, made and ready to write.
#[derive(Debug, Clone)]
pub struct ReportFiles {
    /// `OUT.report.json`.
    pub json: Vec<u8>,
    /// `OUT.report.txt`.
    pub text: Vec<u8>,
    /// `OUT.report.png`.
    pub png: Vec<u8>,
}

impl ReportFiles {
    /// Writes the three files beside `output`, each atomically, at the same
    /// time (each waits for its own fsyncs, which a busy disk makes slow).
    /// The first error, in the order JSON, text, picture, is returned.
    pub fn write_beside(&self, output: &Path) -> std::io::Result<ReportPaths> {
        let paths = ReportPaths::beside(output);
        let files = [(&paths.json, &self.json), (&paths.text, &self.text), (&paths.png, &self.png)];
        let results: Vec<std::io::Result<()>> = std::thread::scope(|scope| {
            let writing: Vec<_> = files
                .iter()
                .map(|&(path, bytes)| {
                    scope.spawn(move || write_atomically(path, false, |w| w.write_all(bytes)))
                })
                .collect();
            writing
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err(std::io::Error::other("the report writer stopped"))))
                .collect()
        });
        results.into_iter().collect::<std::io::Result<()>>()?;
        Ok(paths)
    }
}
