//! `mixdesk bench render --tracks N --seconds S`: decode and render speed and
//! peak memory on a synthetic session of N stereo 48 kHz tracks. (`bench
//! realtime` lives in `bench_realtime`, `bench timeline` in `bench_timeline`.)

use std::path::{Path, PathBuf};
use std::time::Instant;

use mixdesk_engine::bounce::prepare;
use mixdesk_engine::graph::Rayon;
use mixdesk_engine::media::MediaPool;
use mixdesk_engine::session::{Session, Track};
use mixdesk_engine::units::SampleTime;
use rayon::prelude::*;

use super::out::{CliError, errln, outln};

/// Benchmarks.
#[derive(Debug, clap::Subcommand)]
pub enum Bench {
    /// Offline render: decode, gain/pan/sum, x-realtime, peak memory.
    #[command(after_help = super::examples::BENCH_RENDER)]
    Render {
        /// Number of stereo tracks.
        #[arg(long, default_value_t = 32)]
        tracks: usize,
        /// Length of each track in seconds.
        #[arg(long, default_value_t = 60.0)]
        seconds: f64,
        /// Frames per block.
        #[arg(long, default_value_t = 4096)]
        block: usize,
    },
    /// The mixing chain on every track (high-pass, three EQ bands, compressor,
    /// fader, pan) bounced from stereo stems: `mixdesk render` as a process,
    /// each stage's CPU time, and ffmpeg running the equivalent graph.
    #[command(after_help = super::examples::BENCH_CHAIN)]
    Chain {
        /// Number of generated stereo 24-bit stems (ignored with --stems).
        #[arg(long, default_value_t = 32)]
        tracks: usize,
        /// Length of each generated stem in seconds (ignored with --stems).
        #[arg(long, default_value_t = 60.0)]
        seconds: f64,
        /// Mix the audio files in this folder instead (one track each).
        #[arg(long, value_name = "DIR")]
        stems: Option<PathBuf>,
        /// Where generated stems are kept for later runs (default: a folder
        /// under the system's temporary folder).
        #[arg(long, value_name = "DIR", conflicts_with = "stems")]
        dir: Option<PathBuf>,
        /// Frames per block.
        #[arg(long, default_value_t = 4096)]
        block: usize,
        /// Run each measurement this many times and show the fastest.
        #[arg(long, default_value_t = 1)]
        runs: usize,
        /// Also send every track to a reverb bus and a delay bus (post-fader).
        #[arg(long)]
        sends: bool,
        /// Skip the ffmpeg comparison.
        #[arg(long)]
        no_ffmpeg: bool,
    },
    /// Hosting LV2 plugins: the scan (cold and cached) and the time per
    /// callback of hosted plugins beside the built-in utility.
    #[command(after_help = super::examples::BENCH_PLUGINS)]
    Plugins {
        /// Callbacks timed per plugin.
        #[arg(long, default_value_t = 200_000)]
        callbacks: usize,
    },
    /// Live DSP load (callback time over buffer time), median and 99th percentile.
    #[command(after_help = super::examples::BENCH_REALTIME)]
    Realtime {
        /// Number of stereo tracks.
        #[arg(long, default_value_t = 64)]
        tracks: usize,
        /// Post-fader sends per track, each to its own bus.
        #[arg(long, default_value_t = 0)]
        sends: usize,
        /// Seconds of audio per measurement.
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Frames per callback.
        #[arg(long, default_value_t = 256)]
        buffer: u32,
        /// Search for the largest track count under 70 % load (99th percentile),
        /// starting from --tracks.
        #[arg(long)]
        find: bool,
        /// Give every track the chain bench's inserts (high-pass, three EQ bands, compressor).
        #[arg(long)]
        chain: bool,
        /// Also put this hosted plugin on every track (a kind as `mixdesk plugins` lists it).
        #[arg(long, value_name = "KIND")]
        plugin: Option<String>,
    },
    /// What the monitor section costs per audio callback (checks, systems, a reference A/B).
    #[command(after_help = super::examples::BENCH_MONITOR)]
    Monitor {
        /// Number of stereo tracks.
        #[arg(long, default_value_t = 64)]
        tracks: usize,
        /// Seconds of audio per profile.
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Frames per callback.
        #[arg(long, default_value_t = 256)]
        buffer: u32,
    },
    /// Live playback from disk on a long many-track session: time to the first
    /// sound, memory, under-fed reads, seek and loop response.
    #[command(after_help = super::examples::BENCH_STREAM)]
    Stream {
        /// Number of stereo tracks.
        #[arg(long, default_value_t = 64)]
        tracks: usize,
        /// Length of each track in minutes.
        #[arg(long, default_value_t = 10.0)]
        minutes: f64,
        /// Sample rate of the session and its files.
        #[arg(long, default_value_t = 48_000)]
        rate: u32,
        /// Seconds `mixdesk play` plays.
        #[arg(long, default_value_t = 60.0)]
        seconds: f64,
        /// Frames per callback.
        #[arg(long, default_value_t = 256)]
        buffer: u32,
        /// Where the generated session is kept (default: a folder under the system's temporary folder).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Output device (default: the engine's clock-driven silent output).
        #[arg(long, value_name = "NAME")]
        device: Option<String>,
        /// Also time opening the session in the window (needs a display).
        #[arg(long)]
        window: bool,
        /// Drop the media from the kernel's page cache before the first sound and
        /// before every seek, so each is timed from the disk (no root needed).
        #[arg(long)]
        cold: bool,
    },
    /// What one fader move costs the window's document on a big session,
    /// beside one copy of that session.
    #[command(after_help = super::examples::BENCH_EDITS)]
    Edits {
        /// Number of tracks (each with an EQ, a compressor and two lanes).
        #[arg(long, default_value_t = 128)]
        tracks: usize,
        /// Points per automation lane.
        #[arg(long, default_value_t = 2000)]
        points: usize,
        /// Fader moves to time.
        #[arg(long, default_value_t = 10_000)]
        moves: usize,
    },
    /// Redraw time of the window's timeline while it scrolls (software renderer).
    #[command(after_help = super::examples::BENCH_TIMELINE)]
    Timeline {
        /// Number of tracks.
        #[arg(long, default_value_t = 64)]
        tracks: usize,
        /// Clips per track.
        #[arg(long, default_value_t = 20)]
        clips: usize,
        /// Frames to time.
        #[arg(long, default_value_t = 60)]
        frames: usize,
    },
}

const RATE: u32 = 48_000;

pub fn run(bench: Bench) -> Result<(), CliError> {
    match bench {
        Bench::Render { tracks, seconds, block } => render(tracks, seconds, block),
        Bench::Chain { tracks, seconds, stems, dir, block, runs, sends, no_ffmpeg } => {
            super::bench_chain::run(super::bench_chain::Setup {
                tracks,
                seconds,
                block,
                ffmpeg: !no_ffmpeg,
                stems,
                dir,
                runs,
                sends,
            })
        }
        Bench::Plugins { callbacks } => super::bench_plugins::run(callbacks),
        Bench::Realtime { tracks, sends, seconds, buffer, find, chain, plugin } => {
            let plugin = match plugin {
                Some(kind) => Some(mixdesk_engine::plugins::spec(&kind).ok_or_else(|| {
                    format!("plugin '{kind}' is not installed; `mixdesk plugins` lists the installed ones")
                })?),
                None => None,
            };
            super::bench_realtime::run(
                super::bench_realtime::Setup { tracks, sends, seconds, buffer, chain, plugin },
                find,
            )
        }
        Bench::Monitor { tracks, seconds, buffer } => super::bench_monitor::run(tracks, seconds, buffer),
        Bench::Timeline { tracks, clips, frames } => super::bench_timeline::run(tracks, clips, frames),
        Bench::Edits { tracks, points, moves } => super::bench_edits::run(tracks, points, moves),
        Bench::Stream { tracks, minutes, rate, seconds, buffer, dir, device, window, cold } => {
            super::bench_stream::run(super::bench_stream::Setup {
                tracks,
                minutes,
                rate,
                seconds,
                buffer,
                dir,
                device,
                window,
                cold,
            })
        }
    }
}

fn render(tracks: usize, seconds: f64, block: usize) -> Result<(), CliError> {
    let frames = (seconds * f64::from(RATE)) as usize;
    let dir = std::env::temp_dir().join(format!("mixdesk-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let _cleanup = Cleanup(dir.clone());
    errln!("writing {tracks} stereo 16-bit WAV files of {seconds} s into {} ...", dir.display());
    let t = Instant::now();
    let files: Vec<PathBuf> =
        (0..tracks).into_par_iter().map(|i| write_track(&dir, i, frames)).collect::<Result<_, _>>()?;
    errln!("  generated in {:.2} s", t.elapsed().as_secs_f64());

    let mut session = Session::new(RATE);
    for (i, f) in files.iter().enumerate() {
        let id = 1 + 2 * i as u32;
        let media = f.file_name().map(PathBuf::from).unwrap_or_default();
        session.tracks.push(Track::with_one_clip(
            id,
            format!("Track {}", i + 1),
            media,
            SampleTime(frames as u64),
        ));
    }

    let pool = MediaPool::new();
    let t = Instant::now();
    let mut graph = prepare(&session, &dir, &pool, block).map_err(|e| e.to_string())?;
    let decode = t.elapsed().as_secs_f64();

    let (mut l, mut r) = (vec![0.0f32; block], vec![0.0f32; block]);
    let t = Instant::now();
    let mut pos = 0u64;
    let mut checksum = 0.0f64;
    while (pos as usize) < frames {
        let n = (frames - pos as usize).min(block);
        graph.process(pos, &mut l[..n], &mut r[..n], &Rayon);
        checksum += f64::from(l[0]) + f64::from(r[n - 1]);
        pos += n as u64;
    }
    let render = t.elapsed().as_secs_f64();

    let raw = tracks * frames * 2 * std::mem::size_of::<f32>();
    let held = pool.sample_bytes();
    let read_gbs = raw as f64 / render / 1e9;
    let baseline = read_bandwidth(&pool, &session, &dir);
    outln!(
        "bench render: {tracks} stereo tracks x {seconds} s at {RATE} Hz, block {block}, {} threads",
        rayon::current_num_threads()
    );
    outln!(
        "  decode      {decode:>8.3} s  ({:.1} x realtime per track-second)",
        tracks as f64 * seconds / decode
    );
    outln!(
        "  render      {render:>8.3} s  ({:.1} x realtime; {:.0} track-seconds/s)",
        seconds / render,
        tracks as f64 * seconds / render
    );
    outln!(
        "  media read  {read_gbs:>8.2} GB/s during render; plain parallel read of the same media: {baseline:.2} GB/s ({:.0} %)",
        100.0 * read_gbs / baseline
    );
    outln!(
        "  media held  {:>8.1} MiB for {:.1} MiB of raw f32 ({:+.2} %)",
        held as f64 / 1048576.0,
        raw as f64 / 1048576.0,
        100.0 * (held as f64 / raw as f64 - 1.0)
    );
    outln!("  peak memory {:>8.1} MiB (VmHWM)", peak_rss_kib() as f64 / 1024.0);
    if checksum.is_nan() {
        outln!("  (checksum NaN)");
    }
    Ok(())
}

/// Removes a benchmark's scratch folder when dropped.
pub(super) struct Cleanup(pub(super) PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A stereo file of two detuned sines and a little noise, distinct per track.
fn write_track(dir: &Path, i: usize, frames: usize) -> Result<PathBuf, String> {
    let path = dir.join(format!("track{i:03}.wav"));
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let err = |e: hound::Error| format!("{}: {e}", path.display());
    let mut w = hound::WavWriter::create(&path, spec).map_err(err)?;
    let f = 110.0 * (1.0 + i as f64 * 0.07);
    let mut w16 = w.get_i16_writer((frames * 2) as u32);
    let step = std::f64::consts::TAU * f / f64::from(RATE);
    for n in 0..frames {
        let x = (n as f64 * step).sin() * 2000.0;
        let y = (n as f64 * step * 1.01).sin() * 2000.0;
        w16.write_sample(x as i16);
        w16.write_sample(y as i16);
    }
    w16.flush().map_err(err)?;
    w.finalize().map_err(err)?;
    Ok(path)
}

/// GB/s of summing every decoded sample once, spread over rayon's threads:
/// the memory-bandwidth ceiling the render is compared against.
fn read_bandwidth(pool: &MediaPool, session: &Session, dir: &Path) -> f64 {
    let media: Vec<_> =
        session.tracks.iter().filter_map(|t| pool.load(&dir.join(&t.clips[0].media), RATE).ok()).collect();
    let bytes: usize = media.iter().map(|m| m.sample_bytes()).sum();
    let t = Instant::now();
    let sum: f32 = media.par_iter().map(|m| m.channels.iter().map(|c| wide_sum(c)).sum::<f32>()).sum();
    let secs = t.elapsed().as_secs_f64();
    if sum.is_nan() {
        errln!("(NaN)");
    }
    bytes as f64 / secs / 1e9
}

/// A sum with 16 independent accumulators, so it vectorises and is limited by
/// memory, not by the latency of one chain of additions.
fn wide_sum(x: &[f32]) -> f32 {
    let mut acc = [0.0f32; 16];
    let chunks = x.chunks_exact(16);
    let tail: f32 = chunks.remainder().iter().sum();
    for c in chunks {
        for (a, v) in acc.iter_mut().zip(c) {
            *a += v;
        }
    }
    acc.iter().sum::<f32>() + tail
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

pub(super) use super::cpu_time::{child_cpu_seconds, cpu_seconds};
