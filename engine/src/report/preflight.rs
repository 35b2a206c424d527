//! The mastering preflight: one pass/warn line per thing a mastering engineer
//! checks before accepting a mix.

use serde::{Deserialize, Serialize};

use crate::analysis::Analysis;

/// Pass or warn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Nothing to fix.
    Pass,
    /// Look at this before sending the file.
    Warn,
}

/// One line of the preflight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// A stable key (`headroom`, `clipping`, ...).
    pub key: String,
    /// Pass or warn.
    pub status: Status,
    /// What was found, in words, and what to do when it warns.
    pub detail: String,
}

/// Thresholds the preflight applies.
pub mod limits {
    /// Sample peak above this warns (dBFS).
    pub const SAMPLE_PEAK_DBFS: f64 = -3.0;
    /// True peak above this warns (dBTP).
    pub const TRUE_PEAK_DBTP: f64 = -1.0;
    /// A first or last sample above this means a cut start or tail (dBFS).
    pub const EDGE_DBFS: f64 = -60.0;
    /// A 3 s correlation below this is sustained negative correlation.
    pub const CORRELATION: f64 = -0.2;
}

/// What the preflight needs besides the analysis: how the file was made.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Production {
    /// The session's sample rate.
    pub session_rate: u32,
    /// Bits per sample written (`None` for float).
    pub bits: Option<u32>,
    /// Whether the file is 32-bit float.
    pub float: bool,
    /// Whether dither was applied.
    pub dithered: bool,
    /// Active (not bypassed) limiting processors on the master, described.
    pub master_limiters: Vec<String>,
}

fn check(key: &str, warn: bool, detail: String) -> Check {
    Check { key: key.into(), status: if warn { Status::Warn } else { Status::Pass }, detail }
}

fn fmt_db(x: Option<f64>, unit: &str) -> String {
    x.map_or_else(|| "silence".into(), |v| format!("{v:.2} {unit}"))
}

/// The preflight lines for a file measured as `a` and made as `p`.
pub fn run(a: &Analysis, p: &Production) -> Vec<Check> {
    let sp = a.sample_peak_dbfs;
    let tp = a.true_peak_dbtp;
    let hot =
        sp.is_some_and(|v| v > limits::SAMPLE_PEAK_DBFS) || tp.is_some_and(|v| v > limits::TRUE_PEAK_DBTP);
    let mut out = vec![check(
        "headroom",
        hot,
        if hot {
            format!(
                "sample peak {}, true peak {}: leave headroom for mastering (sample peak at most {} dBFS, true peak at most {} dBTP); lower the master fader",
                fmt_db(sp, "dBFS"),
                fmt_db(tp, "dBTP"),
                limits::SAMPLE_PEAK_DBFS,
                limits::TRUE_PEAK_DBTP
            )
        } else {
            format!("sample peak {}, true peak {}", fmt_db(sp, "dBFS"), fmt_db(tp, "dBTP"))
        },
    )];
    out.push(check(
        "clipping",
        a.clipped_samples > 0,
        if a.clipped_samples > 0 {
            format!(
                "{} samples at or beyond full scale; lower the level before the bounce",
                a.clipped_samples
            )
        } else {
            "no clipped samples".into()
        },
    ));
    let limiters = !p.master_limiters.is_empty();
    out.push(check(
        "master-limiter",
        limiters,
        if limiters {
            format!(
                "{} on the master: mastering engineers want the mix unlimited; bypass it for this bounce",
                p.master_limiters.join(", ")
            )
        } else {
            "no limiter or clipper on the master".into()
        },
    ));
    let deep = p.float || p.bits.is_some_and(|b| b >= 24);
    let needless_dither = p.dithered && deep;
    out.push(check(
        "dither",
        needless_dither,
        if needless_dither {
            "dither was added at 24 bit or more: leave dithering to the final master; bounce without dither"
                .into()
        } else if p.dithered {
            "dithered (TPDF) to 16 bit".into()
        } else {
            "no dither".into()
        },
    ));
    let rate_differs = p.session_rate != 0 && a.sample_rate != p.session_rate;
    out.push(check(
        "sample-rate",
        rate_differs,
        if rate_differs {
            format!(
                "the file is {} Hz but the session runs at {} Hz; deliver at the session's rate",
                a.sample_rate, p.session_rate
            )
        } else {
            format!("{} Hz, as the session", a.sample_rate)
        },
    ));
    let loud_edge = |x: Option<f64>| x.is_some_and(|v| v > limits::EDGE_DBFS);
    let (cut_start, cut_end) = (loud_edge(a.first_sample_dbfs), loud_edge(a.last_sample_dbfs));
    out.push(check(
        "edges",
        cut_start || cut_end,
        match (cut_start, cut_end) {
            (false, false) => format!(
                "starts at {} and ends at {} (under {} dBFS)",
                fmt_db(a.first_sample_dbfs, "dBFS"),
                fmt_db(a.last_sample_dbfs, "dBFS"),
                limits::EDGE_DBFS
            ),
            _ => format!(
                "{}{}: extend the range or add a tail so the file starts and ends in silence",
                if cut_start {
                    format!("first sample at {} (cut start)", fmt_db(a.first_sample_dbfs, "dBFS"))
                } else {
                    String::new()
                },
                if cut_end {
                    format!(
                        "{}last sample at {} (cut tail)",
                        if cut_start { ", " } else { "" },
                        fmt_db(a.last_sample_dbfs, "dBFS")
                    )
                } else {
                    String::new()
                }
            ),
        },
    ));
    let negative = a.worst_correlation.filter(|w| w.correlation < limits::CORRELATION);
    out.push(check(
        "correlation",
        negative.is_some(),
        match (negative, a.worst_correlation) {
            (Some(w), _) => format!(
                "correlation {:.2} over 3 s from {}: parts of the mix cancel in mono; check polarity and stereo wideners",
                w.correlation,
                clock(w.at_seconds)
            ),
            (None, Some(w)) => format!("lowest 3 s correlation {:.2}", w.correlation),
            (None, None) => "no stereo signal long enough to judge".into(),
        },
    ));
    out
}

/// Seconds as m:ss.s.
pub fn clock(seconds: f64) -> String {
    let m = (seconds / 60.0).floor();
    format!("{}:{:04.1}", m as u64, seconds - m * 60.0)
}
