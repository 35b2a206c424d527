//! `mixdesk new --from-stems DIR -o SESSION`.

use std::path::PathBuf;

use mixdesk_engine::session;
use mixdesk_engine::stems::session_from_stems;

use super::out::{CliError, outln};

/// Arguments of `mixdesk new`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A folder of audio files: one track per file, sorted by name.
    #[arg(long, value_name = "DIR")]
    pub from_stems: PathBuf,
    /// The session file to write.
    #[arg(short, long, value_name = "SESSION")]
    pub output: PathBuf,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let started = std::time::Instant::now();
    let dir = super::session_dir(&args.output);
    let s = session_from_stems(&args.from_stems, &dir).map_err(|e| e.to_string())?;
    session::save(&s, &args.output).map_err(|e| e.to_string())?;
    outln!(
        "wrote {} with {} tracks at {} Hz, {:.2} s, in {:.1} s",
        args.output.display(),
        s.tracks.len(),
        s.sample_rate,
        s.content_end().to_seconds(s.sample_rate),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
