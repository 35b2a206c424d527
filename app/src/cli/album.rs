//! `mixdesk album render ALBUM.ron --out DIR`: the album as one file with a
//! cue sheet, one file per song, transition previews and the loudness table.

use std::path::PathBuf;

use mixdesk_engine::deliver::Format;
use mixdesk_engine::deliver::album::{self, AlbumOptions};

use super::out::{CliError, outln};

/// `mixdesk album`.
#[derive(Debug, clap::Subcommand)]
pub enum Album {
    /// Render an album file (RON: title, artist, songs with source, gap,
    /// crossfade, gain_db, isrc) into a folder.
    #[command(after_help = super::examples::ALBUM_RENDER)]
    Render(RenderArgs),
}

/// Arguments of `mixdesk album render`.
#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// The album file.
    pub album: PathBuf,
    /// The folder to write into (created if missing).
    #[arg(short, long, value_name = "DIR")]
    pub out: PathBuf,
    /// The format (as `render --format`; default wav24).
    #[arg(long, value_name = "FORMAT", default_value = "wav24")]
    pub format: String,
    /// Deliver at this sample rate.
    #[arg(long, value_name = "HZ")]
    pub rate: Option<u32>,
    /// Album normalisation: one gain for every song so the album reads this loudness.
    #[arg(long, value_name = "LUFS", allow_negative_numbers = true)]
    pub normalize_lufs: Option<f64>,
    /// With --normalize-lufs: the true peak the album gain may not pass.
    #[arg(long, value_name = "DBTP", allow_negative_numbers = true, requires = "normalize_lufs")]
    pub true_peak_ceiling: Option<f64>,
    /// Also write each transition, this many seconds either side, to listen to.
    #[arg(long, value_name = "SEC")]
    pub transitions: Option<f64>,
}

pub fn run(cmd: Album) -> Result<(), CliError> {
    let Album::Render(args) = cmd;
    let fail = |e: String| format!("{}: {e}", args.album.display());
    let a = album::load(&args.album).map_err(|e| e.to_string())?;
    let opts = AlbumOptions {
        format: Format::parse(&args.format).map_err(fail)?,
        rate: args.rate,
        normalize_lufs: args.normalize_lufs,
        true_peak_ceiling: args.true_peak_ceiling,
        transitions: args.transitions,
    };
    let started = std::time::Instant::now();
    let done = album::render(&a, &args.album, &args.out, &opts).map_err(|e| fail(e.to_string()))?;
    outln!("wrote {} and {}", done.album.path.display(), done.cue.display());
    for t in &done.tracks {
        outln!("track {:02} at {:.3} s: {}", t.track, t.start_seconds, t.file.path.display());
    }
    for t in &done.transitions {
        outln!("transition preview: {}", t.display());
    }
    outln!("{}", done.table);
    outln!("in {:.2} s", started.elapsed().as_secs_f64());
    Ok(())
}
