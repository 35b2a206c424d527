//! `mixdesk render SESSION -o OUT.wav [...]`: the offline bounce.

use std::path::PathBuf;

use clap::ValueEnum;
use mixdesk_engine::bounce::{BitDepth, BounceError, BounceOptions, Dither, NormalizeTarget, bounce};
use mixdesk_engine::deliver::{DeliverOptions, Format, WavBits};
use mixdesk_engine::media::{MediaError, MediaPool};
use mixdesk_engine::report::Status;
use mixdesk_engine::units::SampleTime;

use super::out::{CliError, errln, outln};
use super::progress::Progress;

/// Arguments of `mixdesk render`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The session file.
    pub session: PathBuf,
    /// The file to write: its extension picks the format (.wav, .flac, .mp3;
    /// any other is WAV) unless --format says.
    #[arg(short, long, value_name = "OUT.wav|.flac|.mp3")]
    pub output: PathBuf,
    /// The format: wav, flac, mp3 (320 kbit/s CBR), mp3-192, mp3-v0 ... mp3-v9
    /// (LAME VBR), or with the depth: wav16, wav24, wav32f, flac16, flac24.
    /// Stems are written in the same format.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Deliver at this sample rate (converted after the render, dither after
    /// the conversion): 44100, 48000, 88200, 96000, 176400 or 192000.
    #[arg(long, value_name = "HZ")]
    pub rate: Option<u32>,
    /// Sample format (default 24; WAV and FLAC).
    #[arg(long, value_enum)]
    pub bits: Option<Bits>,
    /// Dither when reducing word length (default: TPDF at 16 bit only).
    #[arg(long, value_enum)]
    pub dither: Option<DitherArg>,
    /// Start of the range in seconds.
    #[arg(long, value_name = "SEC", default_value_t = 0.0)]
    pub start: f64,
    /// End of the range in seconds (default: the end of the last clip).
    #[arg(long, value_name = "SEC")]
    pub end: Option<f64>,
    /// Extra seconds rendered after the end, for effect tails.
    #[arg(long, value_name = "SEC", default_value_t = 0.0)]
    pub tail: f64,
    /// Also write one WAV per track and bus into this folder.
    #[arg(long, value_name = "DIR")]
    pub stems: Option<PathBuf>,
    /// Normalize the mix to this integrated loudness (two passes: measure, then
    /// render with gain; no limiter). For reference and delivery files.
    #[arg(long, value_name = "LUFS", allow_negative_numbers = true)]
    pub normalize_lufs: Option<f64>,
    /// With --normalize-lufs: never raise the true peak above this (the gain is held back instead).
    #[arg(long, value_name = "DBTP", allow_negative_numbers = true, requires = "normalize_lufs")]
    pub true_peak_ceiling: Option<f64>,
    /// Do not write OUT.report.json/.txt/.png beside the mix.
    #[arg(long)]
    pub no_report: bool,
    /// Render clips whose media is missing or unreadable as silence (with a
    /// warning) instead of refusing.
    #[arg(long)]
    pub allow_missing: bool,
    /// Which review notes go out with the bounce: into the report and onto a
    /// share page beside it (OUT.review.html). Default: all, when the session has notes.
    #[arg(long, value_enum, value_name = "WHICH")]
    pub notes: Option<NotesArg>,
    /// Print where the time went (loading, each phase of the bounce) on stderr.
    #[arg(long)]
    pub timings: bool,
    /// Render what the monitor section would play instead of the mix: a
    /// profile such as mono, side, phone, car,dim or spotify (see the
    /// README's Monitor section). Writes a 32-bit float WAV; a normal render
    /// never includes the monitor.
    #[arg(long, value_name = "PROFILE")]
    pub monitor: Option<String>,
    #[command(flatten)]
    pub tags: super::deliver::TagArgs,
}

/// `--bits`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Bits {
    /// 16-bit integer.
    #[value(name = "16")]
    B16,
    /// 24-bit integer.
    #[value(name = "24")]
    B24,
    /// 32-bit float.
    #[value(name = "32f")]
    F32,
}

/// `--notes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NotesArg {
    /// Every note.
    All,
    /// Open notes only.
    Open,
    /// No notes, no share page.
    None,
}

/// `--dither`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DitherArg {
    /// Triangular-PDF dither of ±1 LSB.
    Tpdf,
    /// No dither (plain rounding).
    None,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let loading = std::time::Instant::now();
    let session = super::load(&args.session)?;
    let loaded = loading.elapsed();
    let rate = session.sample_rate;
    for (name, v) in [("--start", args.start), ("--tail", args.tail)] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(format!("{name} must be zero or more seconds, not {v}").into());
        }
    }
    for (name, v) in
        [("--normalize-lufs", args.normalize_lufs), ("--true-peak-ceiling", args.true_peak_ceiling)]
    {
        if let Some(v) = v.filter(|v| !(v.is_finite() && (-70.0..=0.0).contains(v))) {
            return Err(format!("{name} must be between -70 and 0, not {v}").into());
        }
    }
    let opts = BounceOptions {
        start: SampleTime::from_seconds(args.start, rate),
        end: args.end.map(|e| SampleTime::from_seconds(e, rate)),
        tail: SampleTime::from_seconds(args.tail, rate),
        depth: match args.bits {
            Some(Bits::B16) => BitDepth::Int16,
            None | Some(Bits::B24) => BitDepth::Int24,
            Some(Bits::F32) => BitDepth::Float32,
        },
        dither: match args.dither {
            None => Dither::Auto,
            Some(DitherArg::Tpdf) => Dither::Tpdf,
            Some(DitherArg::None) => Dither::None,
        },
        stems_dir: args.stems.clone(),
        normalize: args
            .normalize_lufs
            .map(|lufs| NormalizeTarget { lufs, ceiling_dbtp: args.true_peak_ceiling }),
        report: !args.no_report,
        session_name: args.session.file_name().map(|n| n.to_string_lossy().into_owned()),
        allow_missing: args.allow_missing,
        session_file: Some(args.session.clone()),
        ..BounceOptions::default()
    };
    if let Some(dir) = args.output.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create the folder {} for the mix: {e}", dir.display()))?;
    }
    if let Some(profile) = &args.monitor {
        return super::monitor_render::run(&args, &session, opts, profile);
    }
    let format =
        super::deliver::format_of(&args.output, args.format.as_deref(), args.bits.map(|_| opts.depth))?;
    let tags = args.tags.tags();
    if format.is_some() || args.rate.is_some_and(|r| r != rate) || !tags.is_empty() {
        let format = format.unwrap_or(Format::Wav(match opts.depth {
            BitDepth::Int16 => WavBits::Int16,
            BitDepth::Int24 => WavBits::Int24,
            BitDepth::Float32 => WavBits::Float32,
        }));
        let deliver = DeliverOptions { format, rate: args.rate, tags, peak_headroom_dbfs: None };
        return super::deliver::run(
            &args.session,
            &session,
            &args.output,
            &opts,
            &deliver,
            args.timings,
            loaded,
        );
    }
    let mut bar = Progress::new("rendering");
    let started = std::time::Instant::now();
    let result = bounce(
        &session,
        &super::session_dir(&args.session),
        &MediaPool::new(),
        &args.output,
        &opts,
        &mut |f| {
            bar.update(f);
            true
        },
    );
    bar.finish();
    let summary = result.map_err(|e| bounce_error(&args.session, &e))?;
    print_summary_lines(&summary, opts.depth, started)?;
    if let Some(report) = &summary.report {
        print_report(report)?;
    }
    if let Some(paths) = &summary.report_paths {
        outln!("report: {} (.json, .png)", paths.text.display());
    }
    if let Some(e) = &summary.report_error {
        errln!("mixdesk: warning: {e}");
    }
    super::notes::with_the_bounce(&session, args.notes, &summary, &opts)?;
    if !summary.stems.is_empty() {
        outln!("wrote {} stems into {}", summary.stems.len(), args.stems.unwrap_or_default().display());
    }
    print_warnings(&summary);
    if args.timings {
        print_timings(&summary, loaded, started);
    }
    Ok(())
}

/// The message for a failed render of `session`, with what to do about missing media.
pub(super) fn bounce_error(session: &std::path::Path, e: &BounceError) -> String {
    let hint = match e {
        BounceError::Media(errors) => {
            let moved = errors.iter().any(|e| matches!(e, MediaError::Missing { .. }));
            let relink = format!("`mixdesk relink {} --search DIR` finds moved files; ", session.display());
            format!(
                "\n{}--allow-missing renders these clips as silence.",
                if moved { relink.as_str() } else { "" }
            )
        }
        _ => String::new(),
    };
    format!("{}: {e}{hint}", session.display())
}

fn print_summary_lines(
    summary: &mixdesk_engine::bounce::BounceSummary,
    depth: BitDepth,
    started: std::time::Instant,
) -> Result<(), CliError> {
    for e in &summary.silent_media {
        errln!("mixdesk: warning: {e} Its clips were rendered as silence.");
    }
    let seconds = summary.frames as f64 / f64::from(summary.sample_rate);
    let peak_db = if summary.peak > 0.0 { 20.0 * f64::from(summary.peak).log10() } else { f64::NEG_INFINITY };
    outln!(
        "wrote {} ({:.3} s, {} Hz, {}{}), peak {:.2} dBFS, in {:.2} s",
        summary.output.display(),
        seconds,
        summary.sample_rate,
        match depth {
            BitDepth::Int16 => "16-bit",
            BitDepth::Int24 => "24-bit",
            BitDepth::Float32 => "32-bit float",
        },
        if summary.dithered { ", TPDF dither" } else { "" },
        peak_db,
        started.elapsed().as_secs_f64()
    );
    if let Some(n) = &summary.normalization {
        outln!("{}", n.describe());
    }
    Ok(())
}

/// The report's loudness and preflight lines.
pub(super) fn print_report(report: &mixdesk_engine::report::Report) -> Result<(), CliError> {
    {
        let a = &report.analysis;
        let num = |x: Option<f64>| x.map_or_else(|| "-".into(), |v| format!("{v:.1}"));
        outln!(
            "loudness {} LUFS, LRA {} LU, true peak {} dBTP",
            num(a.integrated_lufs),
            num(a.loudness_range_lu),
            num(a.true_peak_dbtp)
        );
        let warnings: Vec<_> = report.warnings().collect();
        if warnings.is_empty() {
            outln!("mastering preflight: all {} checks pass", report.preflight.len());
        }
        for w in warnings {
            debug_assert_eq!(w.status, Status::Warn);
            outln!("preflight warning: {}: {}", w.key, w.detail);
        }
    }
    Ok(())
}

/// The warnings about clipping and NaN/Inf samples in the render.
pub(super) fn print_warnings(summary: &mixdesk_engine::bounce::BounceSummary) {
    if summary.peak > 1.0 {
        errln!(
            "mixdesk: warning: the mix peaks above 0 dBFS and was clipped in the integer file; lower the master fader"
        );
    }
    if summary.non_finite_samples > 0 {
        errln!("mixdesk: warning: {} NaN/Inf samples were replaced by silence", summary.non_finite_samples);
    }
}

/// Where the time went (`--timings`), on stderr.
pub(super) fn print_timings(
    summary: &mixdesk_engine::bounce::BounceSummary,
    loaded: std::time::Duration,
    started: std::time::Instant,
) {
    errln!("timings (wall):");
    errln!("  {:>8.1} ms  load the session", loaded.as_secs_f64() * 1000.0);
    for (what, took) in &summary.timings {
        errln!("  {:>8.1} ms  {what}", took.as_secs_f64() * 1000.0);
    }
    errln!(
        "  {:>8.1} ms  in all, from loading the session",
        (loaded + started.elapsed()).as_secs_f64() * 1000.0
    );
}
