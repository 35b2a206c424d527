//! `mixdesk learn-noise SESSION --start SEC --end SEC [--processor ID]`:
//! learn a de-noiser's noise profile from a stretch of the timeline where
//! only noise plays (heard at the de-noiser's own input), and save the
//! session atomically (the previous file stays as `SESSION.bak`).

use std::fmt::Write;
use std::path::PathBuf;

use mixdesk_engine::dsp::denoise::profile::centre;
use mixdesk_engine::media::MediaPool;
use mixdesk_engine::restore::{denoisers, learn_noise, set_profile};
use mixdesk_engine::session::{self, ProcessorId};

use super::out::CliError;

/// Arguments of `mixdesk learn-noise`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The session file.
    pub session: PathBuf,
    /// Where the noise alone starts, in seconds on the timeline.
    #[arg(long, value_name = "SEC")]
    pub start: f64,
    /// Where it ends, in seconds.
    #[arg(long, value_name = "SEC")]
    pub end: f64,
    /// The de-noiser's id (needed when the session has more than one; they are listed when it is missing).
    #[arg(long, value_name = "ID")]
    pub processor: Option<u32>,
    /// Show the profile without saving.
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let mut s = super::load(&args.session)?;
    let dir = super::session_dir(&args.session);
    let found = denoisers(&s);
    let list = || found.iter().map(|(id, strip)| format!("{id} on {strip}")).collect::<Vec<_>>().join(", ");
    let id = match (args.processor, found.as_slice()) {
        (Some(n), _) => ProcessorId(n),
        (None, [(id, _)]) => *id,
        (None, []) => {
            return Err(format!(
                "{} has no de-noiser; add a 'denoise' insert to the strip with the noise first",
                args.session.display()
            )
            .into());
        }
        (None, _) => {
            return Err(format!(
                "{} has several de-noisers ({}); choose one with --processor ID",
                args.session.display(),
                list()
            )
            .into());
        }
    };
    let rate = f64::from(s.sample_rate);
    if !(args.start.is_finite() && args.end.is_finite() && args.start >= 0.0 && args.end > args.start) {
        return Err(format!(
            "--start {} --end {}: give a range of seconds with the end after the start",
            args.start, args.end
        )
        .into());
    }
    let (start, end) = ((args.start * rate).round() as u64, (args.end * rate).round() as u64);
    let profile = learn_noise(&s, &dir, &MediaPool::new(), id, start, end)
        .map_err(|e| format!("{}: {e}", args.session.display()))?;
    let strip = found.iter().find(|(p, _)| *p == id).map_or_else(String::new, |(_, s)| format!(" on {s}"));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "learned the noise profile of de-noiser {id}{strip} from {:.2} s to {:.2} s:",
        args.start, args.end
    );
    let bands: Vec<String> = [4, 10, 16, 22, 28]
        .iter()
        .map(|&i| {
            let f = centre(i);
            let hz = if f >= 1000.0 { format!("{:.1} kHz", f / 1000.0) } else { format!("{f:.0} Hz") };
            format!("{hz} {:.1} dB", profile.0[i])
        })
        .collect();
    let _ = writeln!(out, "  {}", bands.join(", "));
    if args.dry_run {
        let _ = writeln!(out, "dry run: {} was not changed", args.session.display());
        return super::print_out(&out);
    }
    set_profile(&mut s, id, &profile);
    session::save(&s, &args.session).map_err(|e| e.to_string())?;
    let bak = mixdesk_engine::atomic::backup_path(&mixdesk_engine::atomic::target_of(&args.session));
    let _ = writeln!(out, "saved {} (the previous version is {})", args.session.display(), bak.display());
    super::print_out(&out)
}
