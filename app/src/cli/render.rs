//! `mixdesk render SESSION -o OUT.wav [...]`: the offline bounce.

use std::path::PathBuf;

use clap::ValueEnum;
use mixdesk_engine::bounce::{BitDepth, BounceOptions, Dither, bounce};
use mixdesk_engine::media::MediaPool;
use mixdesk_engine::units::SampleTime;

use super::progress::Progress;

/// Arguments of `mixdesk render`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The session file.
    pub session: PathBuf,
    /// The WAV file to write.
    #[arg(short, long, value_name = "OUT.wav")]
    pub output: PathBuf,
    /// Sample format.
    #[arg(long, value_enum, default_value = "24")]
    pub bits: Bits,
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
}

impl Args {
    /// Default render settings for `session` into `output`.
    pub fn for_file(session: PathBuf, output: PathBuf) -> Args {
        Args { session, output, bits: Bits::B24, dither: None, start: 0.0, end: None, tail: 0.0, stems: None }
    }
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

/// `--dither`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DitherArg {
    /// Triangular-PDF dither of ±1 LSB.
    Tpdf,
    /// No dither (plain rounding).
    None,
}

pub fn run(args: Args) -> Result<(), String> {
    let session = super::load(&args.session)?;
    let rate = session.sample_rate;
    for (name, v) in [("--start", args.start), ("--tail", args.tail)] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(format!("{name} must be zero or more seconds, not {v}"));
        }
    }
    let opts = BounceOptions {
        start: SampleTime::from_seconds(args.start, rate),
        end: args.end.map(|e| SampleTime::from_seconds(e, rate)),
        tail: SampleTime::from_seconds(args.tail, rate),
        depth: match args.bits {
            Bits::B16 => BitDepth::Int16,
            Bits::B24 => BitDepth::Int24,
            Bits::F32 => BitDepth::Float32,
        },
        dither: match args.dither {
            None => Dither::Auto,
            Some(DitherArg::Tpdf) => Dither::Tpdf,
            Some(DitherArg::None) => Dither::None,
        },
        stems_dir: args.stems.clone(),
        ..BounceOptions::default()
    };
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
    let summary = result.map_err(|e| format!("{}: {e}", args.session.display()))?;
    let seconds = summary.frames as f64 / f64::from(summary.sample_rate);
    let peak_db = if summary.peak > 0.0 { 20.0 * f64::from(summary.peak).log10() } else { f64::NEG_INFINITY };
    println!(
        "wrote {} ({:.3} s, {} Hz, {}{}), peak {:.2} dBFS, in {:.2} s",
        summary.output.display(),
        seconds,
        summary.sample_rate,
        match opts.depth {
            BitDepth::Int16 => "16-bit",
            BitDepth::Int24 => "24-bit",
            BitDepth::Float32 => "32-bit float",
        },
        if summary.dithered { ", TPDF dither" } else { "" },
        peak_db,
        started.elapsed().as_secs_f64()
    );
    if !summary.stems.is_empty() {
        println!("wrote {} stems into {}", summary.stems.len(), args.stems.unwrap_or_default().display());
    }
    if summary.peak > 1.0 {
        eprintln!(
            "mixdesk: warning: the mix peaks above 0 dBFS and was clipped in the integer file; lower the master fader"
        );
    }
    if summary.non_finite_samples > 0 {
        eprintln!(
            "mixdesk: warning: {} NaN/Inf samples were replaced by silence",
            summary.non_finite_samples
        );
    }
    Ok(())
}
