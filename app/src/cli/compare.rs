//! `mixdesk compare MIX REF [--short-term] [--json]`: a mix against a
//! reference track, loudness-matched: the gain that matches them, the tonal
//! difference and the stereo width per octave band, loudness side by side.

use std::path::PathBuf;

use mixdesk_engine::files::OpenError;
use mixdesk_engine::media::MediaError;
use mixdesk_engine::monitor::compare::{Comparison, Figures, Matching, compare_files};

use super::out::{CliError, outln};

/// Arguments of `mixdesk compare`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The mix (any format Mixdesk imports).
    pub mix: PathBuf,
    /// The reference track.
    pub reference: PathBuf,
    /// Match the loudest 3 s (short-term loudness) instead of the integrated loudness.
    #[arg(long)]
    pub short_term: bool,
    /// Machine-readable output (levels in dB; null where there is no signal).
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> Result<(), CliError> {
    for f in [&args.mix, &args.reference] {
        match mixdesk_engine::files::check_regular(f) {
            Err(OpenError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(format!("{}: no such file; check the path", f.display()).into());
            }
            Err(e) => return Err(MediaError::opening(f, e).to_string().into()),
            Ok(_) => {}
        }
    }
    let matching = if args.short_term { Matching::ShortTerm } else { Matching::Integrated };
    let c = compare_files(&args.mix, &args.reference, matching).map_err(|e| e.to_string())?;
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&c).map_err(|e| e.to_string())?);
    } else {
        print(&c)?;
    }
    Ok(())
}

fn print(c: &Comparison) -> Result<(), CliError> {
    let num = |x: Option<f64>, unit: &str| x.map_or_else(|| "-".into(), |v| format!("{v:.1} {unit}"));
    let signed = |x: Option<f64>| x.map_or_else(|| "-".into(), |v| format!("{v:+.1} dB"));
    outln!(
        "{:<11} {:>12} {:>14} {:>10} {:>11} {:>9}",
        "",
        "Integrated",
        "Max short-term",
        "LRA",
        "True peak",
        "Crest"
    );
    for (name, f) in [("mix", &c.mix), ("reference", &c.reference)] {
        let Figures {
            integrated_lufs, max_short_term_lufs, loudness_range_lu, true_peak_dbtp, crest_db, ..
        } = f;
        outln!(
            "{name:<11} {:>12} {:>14} {:>10} {:>11} {:>9}",
            num(*integrated_lufs, "LUFS"),
            num(*max_short_term_lufs, "LUFS"),
            num(*loudness_range_lu, "LU"),
            num(*true_peak_dbtp, "dBTP"),
            num(*crest_db, "dB")
        );
    }
    let by = match c.matching {
        Matching::Integrated => "integrated loudness",
        Matching::ShortTerm => "loudest 3 s",
    };
    match c.gain_db {
        Some(g) => outln!("loudness-matched gain ({by}): the reference plays at {g:+.1} dB to match the mix"),
        None => outln!("loudness-matched gain: - (one of them is silent)"),
    }
    outln!("{:>9} {:>9} {:>10} {:>10} {:>10}", "Band", "Tonal", "Width mix", "Width ref", "Width diff");
    for b in &c.bands {
        outln!(
            "{:>9} {:>9} {:>10} {:>10} {:>10}",
            if b.hz < 1000.0 { format!("{} Hz", b.hz) } else { format!("{} kHz", b.hz / 1000.0) },
            signed(b.tonal_db),
            signed(b.mix_width_db),
            signed(b.reference_width_db),
            signed(b.width_diff_db)
        );
    }
    outln!(
        "(tonal: band level against the total, mix minus reference, i.e. at equal level; width: side over mid; positive: the mix is wider)"
    );
    Ok(())
}
