//! `mixdesk analyze FILE [--json]`: loudness, peaks and more of an audio file.

use std::path::PathBuf;

use mixdesk_engine::analysis::analyze_file;
use mixdesk_engine::files::OpenError;
use mixdesk_engine::media::MediaError;
use mixdesk_engine::report::analysis_lines;

use super::out::{CliError, out, outln};

/// Arguments of `mixdesk analyze`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The audio file (WAV, FLAC, AIFF, MP3, Ogg Vorbis).
    pub file: PathBuf,
    /// Machine-readable output (levels in dB; null where there is no signal).
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> Result<(), CliError> {
    match mixdesk_engine::files::check_regular(&args.file) {
        Err(OpenError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!("{}: no such file; check the path", args.file.display()).into());
        }
        Err(e) => return Err(MediaError::opening(&args.file, e).to_string().into()),
        Ok(_) => {}
    }
    let (analysis, _) = analyze_file(&args.file).map_err(|e| e.to_string())?;
    if args.json {
        let text = serde_json::to_string_pretty(&analysis).map_err(|e| e.to_string())?;
        outln!("{text}");
    } else {
        outln!("{}", args.file.display());
        out!("{}", analysis_lines(&analysis));
    }
    Ok(())
}
