//! The delivery sheet: what was sent, file by file (format, rate, bits,
//! length, loudness, true peak, preflight, SHA-256), with the notes for
//! whoever receives it; as plain text and as a self-contained HTML page.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::DeliveredFile;
use crate::atomic::write_atomically;

/// One delivered file on the sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetRow {
    /// The preset (or album part) it was made for.
    pub preset: String,
    /// The file's name, relative to the sheet's folder.
    pub file: String,
    /// "WAV 24-bit", "MP3 320 kbit/s CBR", ...
    pub format: String,
    /// Sample rate, Hz.
    pub rate: u32,
    /// Bits per sample (`None`: float or lossy).
    pub bits: Option<u32>,
    /// Length in seconds.
    pub seconds: f64,
    /// Integrated loudness, LUFS.
    pub integrated_lufs: Option<f64>,
    /// True peak, dBTP.
    pub true_peak_dbtp: Option<f64>,
    /// Sample peak, dBFS.
    pub sample_peak_dbfs: Option<f64>,
    /// Preflight warnings (empty: all checks pass).
    pub preflight: Vec<String>,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// The preset's notes.
    pub notes: String,
}

/// The whole sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliverySheet {
    /// The session delivered.
    pub session: String,
    /// Notes for the mastering engineer.
    pub notes: String,
    /// The session's open review notes, one per line ("0:12.5  open  [Vocal]
    /// Ann: too quiet"), for the mastering engineer too; empty when none.
    #[serde(default)]
    pub review: Vec<String>,
    /// The files.
    pub rows: Vec<SheetRow>,
}

/// The SHA-256 of the file at `path`, in hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = crate::files::open_regular(path).map_err(std::io::Error::other)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

impl SheetRow {
    /// The row for `file`, delivered into `dir` for `preset`, with its
    /// preflight warnings and notes.
    pub fn of(
        file: &DeliveredFile,
        dir: &Path,
        preset: &str,
        preflight: Vec<String>,
        notes: &str,
    ) -> std::io::Result<SheetRow> {
        let a = file.analysis.as_ref();
        Ok(SheetRow {
            preset: preset.into(),
            file: file.path.strip_prefix(dir).unwrap_or(&file.path).to_string_lossy().into_owned(),
            format: file.format.describe(),
            rate: file.rate,
            bits: file.format.bits(),
            seconds: file.frames as f64 / f64::from(file.rate),
            integrated_lufs: a.and_then(|a| a.integrated_lufs),
            true_peak_dbtp: a.and_then(|a| a.true_peak_dbtp),
            sample_peak_dbfs: a.and_then(|a| a.sample_peak_dbfs),
            preflight,
            sha256: sha256_file(&file.path)?,
            notes: notes.into(),
        })
    }
}

fn num(x: Option<f64>, digits: usize) -> String {
    x.map_or_else(|| "-".into(), |v| format!("{v:.digits$}"))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

impl DeliverySheet {
    /// The plain-text sheet.
    pub fn to_text(&self) -> String {
        let mut s =
            format!("Delivery sheet: {}\nMade by Mixdesk {}\n", self.session, env!("CARGO_PKG_VERSION"));
        if !self.notes.is_empty() {
            s.push_str(&format!("\nNotes for the mastering engineer:\n{}\n", self.notes));
        }
        if !self.review.is_empty() {
            s.push_str(&format!(
                "\nOpen review notes ({}; times on the session's timeline):\n",
                self.review.len()
            ));
            for line in &self.review {
                s.push_str(&format!("  {line}\n"));
            }
        }
        for r in &self.rows {
            s.push_str(&format!(
                "\n{} [{}]\n  format      {}, {} Hz{}\n  length      {:.3} s\n  loudness    {} LUFS integrated, true peak {} dBTP, sample peak {} dBFS\n  preflight   {}\n  sha256      {}\n",
                r.file,
                r.preset,
                r.format,
                r.rate,
                r.bits.map_or(String::new(), |b| format!(", {b} bit")),
                r.seconds,
                num(r.integrated_lufs, 1),
                num(r.true_peak_dbtp, 1),
                num(r.sample_peak_dbfs, 1),
                if r.preflight.is_empty() { "all checks pass".to_owned() } else { r.preflight.join("; ") },
                r.sha256,
            ));
            if !r.notes.is_empty() {
                s.push_str(&format!("  notes       {}\n", r.notes));
            }
        }
        s
    }

    /// The HTML sheet (one page, no outside resources).
    pub fn to_html(&self) -> String {
        let mut s = format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Delivery sheet: {t}</title>\n<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}td,th{{border:1px solid #999;padding:4px 8px;text-align:left;vertical-align:top}}code{{font-size:85%}}</style></head>\n<body><h1>Delivery sheet: {t}</h1>\n<p>Made by Mixdesk {v}</p>\n",
            t = escape(&self.session),
            v = env!("CARGO_PKG_VERSION")
        );
        if !self.notes.is_empty() {
            s.push_str(&format!(
                "<h2>Notes for the mastering engineer</h2>\n<p>{}</p>\n",
                escape(&self.notes)
            ));
        }
        if !self.review.is_empty() {
            s.push_str("<h2>Open review notes</h2>\n<ul>\n");
            for line in &self.review {
                s.push_str(&format!("<li>{}</li>\n", escape(line)));
            }
            s.push_str("</ul>\n");
        }
        s.push_str("<table>\n<tr><th>File</th><th>Preset</th><th>Format</th><th>Rate</th><th>Bits</th><th>Length</th><th>Integrated</th><th>True peak</th><th>Preflight</th><th>SHA-256</th><th>Notes</th></tr>\n");
        for r in &self.rows {
            s.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} Hz</td><td>{}</td><td>{:.3} s</td><td>{} LUFS</td><td>{} dBTP</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>\n",
                escape(&r.file),
                escape(&r.preset),
                escape(&r.format),
                r.rate,
                r.bits.map_or("-".into(), |b| b.to_string()),
                r.seconds,
                num(r.integrated_lufs, 1),
                num(r.true_peak_dbtp, 1),
                if r.preflight.is_empty() { "all checks pass".to_owned() } else { escape(&r.preflight.join("; ")) },
                r.sha256,
                escape(&r.notes),
            ));
        }
        s.push_str("</table>\n</body></html>\n");
        s
    }

    /// Writes `delivery-sheet.txt` and `.html` into `dir`, atomically.
    pub fn write(&self, dir: &Path) -> std::io::Result<[PathBuf; 2]> {
        use std::io::Write;
        let txt = dir.join("delivery-sheet.txt");
        let html = dir.join("delivery-sheet.html");
        write_atomically(&txt, false, |w| w.write_all(self.to_text().as_bytes()))?;
        write_atomically(&html, false, |w| w.write_all(self.to_html().as_bytes()))?;
        Ok([txt, html])
    }
}
