//! `mixdesk analyze FILE [--json]`: loudness, peaks and more of an audio file.

use std::path::PathBuf;

use mixdesk_engine::analysis::analyze_file;
use mixdesk_engine::report::analysis_lines;

/// Arguments of `mixdesk analyze`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The audio file (WAV, FLAC, AIFF, MP3, Ogg Vorbis).
    pub file: PathBuf,
    /// Machine-readable output (levels in dB; null where there is no signal).
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> Result<(), String> {
    if !args.file.is_file() {
        return Err(format!("{}: no such file; check the path", args.file.display()));
    }
    let (analysis, _) = analyze_file(&args.file).map_err(|e| e.to_string())?;
    if args.json {
        let text = serde_json::to_string_pretty(&analysis).map_err(|e| e.to_string())?;
        println!("{text}");
    } else {
        println!("{}", args.file.display());
        print!("{}", analysis_lines(&analysis));
    }
    Ok(())
}
