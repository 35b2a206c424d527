//! `mixdesk masking SESSION TRACK TRACK [--json]`: where two tracks compete
//! in the same 1/3-octave band at the same time (the rule is in
//! `mixdesk_engine::analysis::masking`), rendered offline after their faders.

use std::path::PathBuf;

use mixdesk_engine::analysis::masking::{CLOSE_DB, MIN_SHARE, STRONG_DB, session_masking};
use mixdesk_engine::session::{Session, TrackId};

use super::out::{CliError, outln};

/// Arguments of `mixdesk masking`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The session file.
    pub session: PathBuf,
    /// One track (its name, or its id as a number).
    pub a: String,
    /// The other track.
    pub b: String,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

/// The track named `word` (or with that id).
fn track(s: &Session, word: &str) -> Result<(TrackId, String), CliError> {
    s.tracks
        .iter()
        .find(|t| t.name == word)
        .or_else(|| word.parse().ok().and_then(|id| s.track(TrackId(id))))
        .map(|t| (t.id, t.name.clone()))
        .ok_or_else(|| {
            let names: Vec<&str> = s.tracks.iter().map(|t| t.name.as_str()).collect();
            format!("the session has no track '{word}'; its tracks are: {}", names.join(", ")).into()
        })
}

pub fn run(args: Args) -> Result<(), CliError> {
    let session = super::load(&args.session)?;
    let (a, a_name) = track(&session, &args.a)?;
    let (b, b_name) = track(&session, &args.b)?;
    let dir = super::session_dir(&args.session);
    let hints = session_masking(&session, &dir, a, b).map_err(|e| e.to_string())?;
    if args.json {
        let v = serde_json::json!({ "a": a_name, "b": b_name, "bands": hints });
        outln!("{}", serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?);
        return Ok(());
    }
    outln!("{a_name} against {b_name}, per 1/3-octave band and 171 ms window:");
    if hints.is_empty() {
        outln!("  no band where both are strong and close in level for long enough");
    }
    for h in &hints {
        let hz = if h.hz >= 1000.0 { format!("{} kHz", h.hz / 1000.0) } else { format!("{} Hz", h.hz) };
        outln!("  {hz:>9}: both compete {:.0}% of the time they play together", 100.0 * h.share);
    }
    outln!(
        "(a band competes where it is within {STRONG_DB} dB of each track's loudest band and the two are within {CLOSE_DB} dB; flagged from {:.0}% of the time)",
        100.0 * MIN_SHARE
    );
    Ok(())
}
