//! `mixdesk render` when the output is not a plain WAV at the session rate:
//! FLAC, MP3, another sample rate (see `mixdesk_engine::deliver`).

use std::path::Path;
use std::time::{Duration, Instant};

use mixdesk_engine::bounce::{BitDepth, BounceOptions};
use mixdesk_engine::deliver::{DeliverOptions, DeliveredFile, Format, Tags, deliver};
use mixdesk_engine::media::MediaPool;
use mixdesk_engine::session::Session;

use super::out::{CliError, errln, outln};
use super::progress::Progress;

/// `mixdesk render`'s tag options (written as Vorbis comments in FLAC, ID3
/// in MP3, LIST/INFO in WAV; any of them makes a WAV a Broadcast WAV).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TagArgs {
    /// The title tag.
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// The artist tag.
    #[arg(long, value_name = "TEXT")]
    pub artist: Option<String>,
    /// The album tag.
    #[arg(long, value_name = "TEXT")]
    pub album: Option<String>,
    /// The ISRC (e.g. GB-AYE-24-00001).
    #[arg(long, value_name = "CODE")]
    pub isrc: Option<String>,
    /// The track number.
    #[arg(long, value_name = "N")]
    pub track: Option<u32>,
    /// A comment tag.
    #[arg(long, value_name = "TEXT")]
    pub comment: Option<String>,
}

impl TagArgs {
    /// The tags.
    pub fn tags(&self) -> Tags {
        Tags {
            title: self.title.clone(),
            artist: self.artist.clone(),
            album: self.album.clone(),
            isrc: self.isrc.clone(),
            track: self.track,
            comment: self.comment.clone(),
        }
    }
}

/// The format asked for by `--format` (checked against the extension) or
/// named by the output's extension, with `--bits` applied; `None` for a
/// WAV (or an extension Mixdesk does not know) without `--format`, which the
/// plain bounce writes.
pub(super) fn format_of(
    output: &Path,
    name: Option<&str>,
    depth: Option<BitDepth>,
) -> Result<Option<Format>, String> {
    let by_ext = Format::from_extension(output);
    let format = match name {
        Some(name) => {
            let f = Format::parse(name)?;
            if let Some(e) = by_ext.filter(|e| e.extension() != f.extension()) {
                return Err(format!(
                    "{} ends in .{} but --format is {name}: name the file .{} or drop --format",
                    output.display(),
                    e.extension(),
                    f.extension()
                ));
            }
            f
        }
        None => match by_ext {
            Some(f) => f,
            None => return Ok(None),
        },
    };
    let format = match depth {
        Some(d) => format.with_depth(d)?,
        None => format,
    };
    Ok((!matches!(format, Format::Wav(_)) || name.is_some()).then_some(format))
}

/// Renders and delivers, printing what was written.
pub(super) fn run(
    session_path: &Path,
    session: &Session,
    output: &Path,
    opts: &BounceOptions,
    deliver_opts: &DeliverOptions,
    timings: bool,
    loaded: Duration,
) -> Result<(), CliError> {
    let mut bar = Progress::new("rendering");
    let started = Instant::now();
    let result = deliver(
        session,
        &super::session_dir(session_path),
        &MediaPool::new(),
        output,
        opts,
        deliver_opts,
        &mut |f| {
            bar.update(f);
            true
        },
    );
    bar.finish();
    let summary = result.map_err(|e| match e {
        mixdesk_engine::deliver::DeliverError::Bounce(b) => super::render::bounce_error(session_path, &b),
        e => format!("{}: {e}", session_path.display()),
    })?;
    for e in &summary.bounce.silent_media {
        errln!("mixdesk: warning: {e} Its clips were rendered as silence.");
    }
    outln!("wrote {}, in {:.2} s", describe(&summary.mix), started.elapsed().as_secs_f64());
    if let Some(n) = &summary.bounce.normalization {
        outln!("{}", n.describe());
    }
    if let Some(report) = &summary.report {
        super::render::print_report(report)?;
    }
    if let Some(paths) = &summary.report_paths {
        outln!("report: {} (.json, .png)", paths.text.display());
    }
    if let Some(e) = &summary.report_error {
        errln!("mixdesk: warning: {e}");
    }
    if let Some(first) = summary.stems.first() {
        let dir = first.path.parent().unwrap_or(Path::new("."));
        outln!("wrote {} stems ({}) into {}", summary.stems.len(), first.format.describe(), dir.display());
    }
    super::render::print_warnings(&summary.bounce);
    if timings {
        super::render::print_timings(&summary.bounce, loaded, started);
    }
    Ok(())
}

/// "mix.flac (3.000 s, 44100 Hz, FLAC 16-bit, TPDF dither)".
fn describe(f: &DeliveredFile) -> String {
    format!(
        "{} ({:.3} s, {} Hz, {}{})",
        f.path.display(),
        f.frames as f64 / f64::from(f.rate),
        f.rate,
        f.format.describe(),
        if f.dithered { ", TPDF dither" } else { "" }
    )
}
