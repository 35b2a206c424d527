//! The readable form of a [`Report`].

use std::fmt::Write;

use super::Report;
use super::preflight::{Status, clock};

fn opt(x: Option<f64>, unit: &str) -> String {
    x.map_or_else(|| "-".into(), |v| format!("{v:.2} {unit}"))
}

/// The measurements of an analysis as aligned lines (also what `mixdesk analyze` prints).
pub fn analysis_lines(a: &crate::analysis::Analysis) -> String {
    let mut s = String::new();
    let format = match (a.float, a.bit_depth) {
        (true, _) => "32-bit float".to_string(),
        (false, Some(b)) => format!("{b}-bit"),
        (false, None) => "lossy".to_string(),
    };
    let rows: Vec<(&str, String)> = vec![
        ("Length", format!("{} ({} frames)", clock(a.seconds), a.frames)),
        ("Format", format!("{} Hz, {}, {} channel(s)", a.sample_rate, format, a.channels)),
        ("Integrated loudness", opt(a.integrated_lufs, "LUFS")),
        ("Loudness range", opt(a.loudness_range_lu, "LU")),
        ("Max short-term", opt(a.max_short_term_lufs, "LUFS")),
        ("Max momentary", opt(a.max_momentary_lufs, "LUFS")),
        ("True peak", opt(a.true_peak_dbtp, "dBTP")),
        ("Sample peak", opt(a.sample_peak_dbfs, "dBFS")),
        ("RMS", opt(a.rms_dbfs, "dBFS")),
        ("DC offset", a.dc_offset.iter().map(|d| format!("{:+.5}", d)).collect::<Vec<_>>().join(" / ")),
        ("Clipped samples", a.clipped_samples.to_string()),
        ("Correlation", a.correlation.map_or_else(|| "-".into(), |c| format!("{c:+.2}"))),
        ("Balance (L-R)", opt(a.balance_db, "dB")),
    ];
    for (k, v) in rows {
        let _ = writeln!(s, "  {k:<20} {v}");
    }
    s
}

pub(super) fn render(r: &Report) -> String {
    let mut s = String::new();
    let a = &r.analysis;
    let _ = writeln!(s, "Mixdesk bounce report");
    if let Some(f) = &a.file {
        let _ = writeln!(s, "File: {}", f.display());
    }
    if let Some(name) = &r.session {
        let _ = writeln!(s, "Session: {name}");
    }
    let _ = writeln!(s, "Written by {}\n", r.generator);
    let _ = writeln!(s, "Measurements");
    s.push_str(&analysis_lines(a));
    if let Some(n) = &r.normalization {
        let _ = writeln!(s, "\nNormalization\n  {}", n.describe());
    }
    let _ = writeln!(s, "\nMastering preflight");
    for c in &r.preflight {
        let tag = match c.status {
            Status::Pass => "PASS",
            Status::Warn => "WARN",
        };
        let _ = writeln!(s, "  [{tag}] {:<15} {}", c.key, c.detail);
    }
    let _ = writeln!(s, "\nStreaming normalization (gain each service applies at playback)");
    if r.platforms.is_empty() {
        let _ = writeln!(s, "  the file is silent; nothing to normalize");
    } else {
        let _ = writeln!(
            s,
            "  {:<14} {:>8} {:>9} {:>9} {:>11}",
            "Service", "Target", "Gain", "Plays at", "True peak"
        );
        for p in &r.platforms {
            let _ = writeln!(
                s,
                "  {:<14} {:>8} {:>9} {:>9} {:>11}{}",
                p.service,
                format!("{:.0} LUFS", p.target_lufs),
                format!("{:+.1} dB", p.gain_db),
                format!("{:.1} LUFS", p.played_lufs),
                p.played_true_peak_dbtp.map_or_else(|| "-".into(), |t| format!("{t:.1} dBTP")),
                if p.over_peak_limit {
                    format!("  over its {:.0} dBTP limit", p.peak_limit_dbtp)
                } else {
                    String::new()
                }
            );
        }
        let _ = writeln!(
            s,
            "  (all turn loud masters down; Spotify and Apple Music turn quiet ones up only within their peak limit)"
        );
    }
    systems(&mut s, r);
    s
}

/// The per-system section: what the mono sum and each simulated system keep.
fn systems(s: &mut String, r: &Report) {
    if r.systems.is_empty() {
        return;
    }
    let db = |x: Option<f64>| x.map_or_else(|| "-".into(), |v| format!("{v:+.1} dB"));
    let _ = writeln!(s, "\nOn other systems (the monitor's curves applied to the mix's octave bands)");
    let _ = writeln!(s, "  {:<14} {:>9} {:>11}  Loses most", "System", "Overall", "Below 180");
    for row in &r.systems {
        let worst = row.worst_band.map_or_else(
            || "-".into(),
            |(hz, d)| if d < -1.0 { format!("{d:+.1} dB at {hz} Hz") } else { "nothing over 1 dB".into() },
        );
        let _ =
            writeln!(s, "  {:<14} {:>9} {:>11}  {worst}", row.system, db(row.overall_db), db(row.low_end_db));
    }
    if let Some(mono) = r.systems.iter().find(|x| x.system == "Mono sum").and_then(|x| x.overall_db)
        && mono < -3.0
    {
        let _ =
            writeln!(s, "  the mono sum loses {:.1} dB: check for out-of-phase or very wide parts", -mono);
    }
}
