//! `mixdesk play SESSION`: headless playback through the real engine, with a
//! one-line live meter (position, master peak, DSP load, xruns), following
//! the device through losses and changes of rate and buffer size. The media
//! streams from disk (`engine::streaming`): playback starts once the first
//! chunks are loaded, not after decoding the session, and memory holds a
//! few seconds of each track. At the end it prints how long the first sound
//! took, the peak memory and any under-fed audio.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use mixdesk_engine::analysis::LoudnessReading;
use mixdesk_engine::realtime::{BUFFER_FRAMES, DeviceEvent, Engine, EngineConfig, EngineEvent};
use mixdesk_engine::session::{Session, StripRef};
use mixdesk_engine::streaming::{StreamConfig, Streamer, prepare_live};
use mixdesk_engine::units::{Gain, SampleTime};

use super::out::{CliError, errln, out, outln};

/// Arguments of `mixdesk play`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The session file.
    pub session: PathBuf,
    /// Output device by id or name (see `mixdesk devices`); default: the system's.
    #[arg(long, value_name = "NAME")]
    pub device: Option<String>,
    /// Frames per audio callback (64 to 4096).
    #[arg(long, value_name = "FRAMES", default_value_t = 256)]
    pub buffer: u32,
    /// Where to start, in seconds.
    #[arg(long, value_name = "SEC", default_value_t = 0.0)]
    pub start: f64,
    /// How long to play, in seconds (default: to the end of the last clip).
    #[arg(long, value_name = "N")]
    pub seconds: Option<f64>,
}

/// Time after the start during which xruns count as start-up, not steady state.
const SETTLE_SECONDS: f64 = 0.5;

/// Rules for the device (see README "Live playback"): without `--device`, no
/// usable device plays silently on the internal clock (a machine without
/// sound is normal); a device named with `--device` that cannot be used is an
/// error before anything plays; a device that comes back with another rate or
/// buffer size is reopened with them (the session is compiled again at the
/// new rate); a device that was playing and is gone at the end fails the
/// command (exit status 1) after the summary, since part of it was not heard.
pub fn run(args: Args) -> Result<(), CliError> {
    let began = Instant::now();
    if !BUFFER_FRAMES.contains(&args.buffer) {
        return Err(format!("--buffer {} is not possible; choose 64 to 4096 frames", args.buffer).into());
    }
    let session = super::load(&args.session)?;
    let dir = super::session_dir(&args.session);
    let config = EngineConfig {
        device: args.device.clone(),
        buffer_frames: args.buffer,
        sample_rate: session.sample_rate,
        null_output: false,
    };
    let mut engine = Engine::start(config).map_err(|e| e.to_string())?;
    let mut device = DeviceState::default();
    let mut news = Vec::new();
    engine.poll(|e| {
        if let EngineEvent::Device(d) = e {
            news.push(d);
        }
    });
    for d in news {
        if let (Some(name), DeviceEvent::NoDevice { reason }) = (&args.device, &d) {
            return Err(format!(
                "cannot play through '{name}': {reason}. `mixdesk devices` lists the devices; without \
                 --device Mixdesk uses the system default."
            )
            .into());
        }
        device.heard(&d, 0.0);
        errln!("{d}");
    }
    let mut rate = engine.status().sample_rate;
    let mut streamer = Streamer::start(engine.transport_clock(), rate, StreamConfig::default());
    let graph = compile_at(&session, &dir, &streamer, rate, true)?;

    let seconds = |s: f64, rate: u32| SampleTime::from_seconds(s.max(0.0), rate).0;
    let mut start = seconds(args.start, rate);
    let mut end = match args.seconds {
        Some(s) => start + seconds(s, rate),
        None => session.resampled_to(rate).content_end().0.max(start),
    };
    streamer.want(start);
    engine.swap_graph(graph).map_err(|e| e.to_string())?;
    engine.seek(start);
    engine.play();

    let tty = std::io::stdout().is_terminal();
    let mut meter = LiveMeter::default();
    let mut settle = start + seconds(SETTLE_SECONDS, rate);
    let mut xruns_at_settle = None;
    let mut last_line = Instant::now();
    let mut position = start;
    let mut started = false;
    let mut first_sound = None;
    let mut reported = 0;
    loop {
        std::thread::sleep(Duration::from_millis(10));
        let mut news = Vec::new();
        engine.poll(|e| match e {
            EngineEvent::Tick { position: p, sample_rate, playing, load, xruns, dropped_events } => {
                // Ticks from before a change of rate count in the old one.
                let p = (u128::from(p) * u128::from(rate) / u128::from(sample_rate.max(1))) as u64;
                started |= playing && p > start;
                if started {
                    position = p;
                    first_sound.get_or_insert_with(|| began.elapsed());
                }
                meter.load(load);
                meter.xruns = xruns;
                meter.dropped = dropped_events;
            }
            EngineEvent::Meter { strip: StripRef::Master, reading } => {
                meter.peak(reading.peak[0].max(reading.peak[1]))
            }
            EngineEvent::Device(d) => news.push(d),
            EngineEvent::NonFinite { strip, samples } => {
                errln!("{strip} produced {samples} NaN/Inf samples (replaced with silence)")
            }
            _ => {}
        });
        let seconds_in = (position - start.min(position)) as f64 / f64::from(rate);
        for d in news {
            device.heard(&d, seconds_in);
            errln!("{d}");
        }
        let now_rate = engine.status().sample_rate;
        if now_rate != rate {
            // The device came back at another rate: the engine holds the
            // transport (converted to the new rate) in silence until a graph
            // compiled at it arrives.
            streamer = Streamer::start(engine.transport_clock(), now_rate, StreamConfig::default());
            let graph = compile_at(&session, &dir, &streamer, now_rate, false)?;
            engine.swap_graph(graph).map_err(|e| e.to_string())?;
            let at = |x: u64| (u128::from(x) * u128::from(now_rate) / u128::from(rate)) as u64;
            (start, end, settle, position) = (at(start), at(end), at(settle), at(position));
            errln!("mixdesk: the session now plays at the device's {now_rate} Hz (resampled)");
            rate = now_rate;
        }
        meter.loudness = engine.analysis().loudness().reading();
        let failures = streamer.stats().failures;
        for (_, why) in &failures[reported.min(failures.len())..] {
            errln!("\nmixdesk: {why}");
        }
        reported = failures.len();
        if xruns_at_settle.is_none() && position >= settle {
            xruns_at_settle = Some(meter.xruns);
        }
        let done = position >= end;
        if tty {
            out!("\r{}", meter.line(position, rate));
        } else if last_line.elapsed() >= Duration::from_secs(1) || done {
            outln!("{}", meter.line(position, rate));
            last_line = Instant::now();
        }
        if done {
            break;
        }
    }
    engine.stop();
    std::thread::sleep(Duration::from_millis(50));
    if tty {
        outln!();
    }
    let counters = engine.counters();
    let startup = xruns_at_settle.unwrap_or(counters.xruns);
    outln!(
        "played {:.3} s from {:.3} s at {rate} Hz; xruns: {} steady-state, {} during start-up; DSP load median {:.1} %, max {:.1} %; dropped events {}",
        (end - start) as f64 / f64::from(rate),
        start as f64 / f64::from(rate),
        counters.xruns - startup,
        startup,
        100.0 * meter.median_load(),
        100.0 * meter.max_load,
        meter.dropped,
    );
    let stats = streamer.stats();
    outln!(
        "streamed {} file(s): first sound {:.2} s after the command, peak memory {} MB, CPU {:.1} s, {} under-fed reads ({} frames of silence), {} failed",
        stats.files,
        first_sound.unwrap_or_default().as_secs_f64(),
        peak_rss_kib() / 1024,
        super::cpu_time::cpu_seconds(),
        stats.underruns,
        stats.underrun_frames,
        stats.failures.len(),
    );
    for (file, frames) in streamer.underfed() {
        outln!("  under-fed: {} ({frames} frames)", file.display());
    }
    match device.lost_at {
        Some(at) => Err(format!(
            "the audio device stopped {at:.1} s into playback and did not come back; the rest played \
             silently on the internal clock. Check the device (`mixdesk devices`) and play again."
        )
        .into()),
        None => Ok(()),
    }
}

/// The session's graph at `rate`, its unplayable media played as silence
/// (said once, the first time).
fn compile_at(
    session: &Session,
    dir: &std::path::Path,
    streamer: &Streamer,
    rate: u32,
    warn: bool,
) -> Result<mixdesk_engine::graph::Graph, CliError> {
    let tty = std::io::stderr().is_terminal();
    let progress = |done: usize, total: usize| {
        if tty && total > 8 {
            eprint!("\ropening media {done}/{total}");
        }
    };
    let live = prepare_live(&session.resampled_to(rate), dir, streamer, 4096, &progress)
        .map_err(|e| e.to_string())?;
    if tty && live.files.len() > 8 {
        errln!();
    }
    if warn {
        for e in &live.unplayable {
            errln!("mixdesk: warning: {e} Its clips play as silence.");
        }
    }
    if live.converted > 0 {
        errln!("converted {} file(s) for streaming into {}", live.converted, dir.join("cache").display());
    }
    Ok(live.graph)
}

/// Whether the device is playing, from its news.
#[derive(Debug, Default)]
struct DeviceState {
    /// A device has played at some point.
    opened: bool,
    /// Seconds into playback when it stopped, while it has not come back.
    lost_at: Option<f64>,
}

impl DeviceState {
    fn heard(&mut self, event: &DeviceEvent, seconds_in: f64) {
        match event {
            DeviceEvent::Opened { .. } => {
                self.opened = true;
                self.lost_at = None;
            }
            DeviceEvent::Lost { .. } if self.opened => {
                self.lost_at.get_or_insert(seconds_in);
            }
            _ => {}
        }
    }
}

/// The process's peak resident memory, KiB (0 where /proc is not there).
pub(super) fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// What the one-line meter shows.
#[derive(Debug, Default)]
struct LiveMeter {
    /// Master peak over the last half second, with its time.
    peak: f32,
    peak_at: Option<Instant>,
    loads: Vec<f32>,
    max_load: f32,
    xruns: u64,
    dropped: u64,
    /// The master's loudness from the engine's analysis tap.
    loudness: LoudnessReading,
}

impl LiveMeter {
    fn load(&mut self, l: f32) {
        self.loads.push(l);
        self.max_load = self.max_load.max(l);
    }

    fn peak(&mut self, p: f32) {
        let stale = self.peak_at.is_none_or(|t| t.elapsed() > Duration::from_millis(500));
        if stale || p >= self.peak {
            self.peak = p;
            self.peak_at = Some(Instant::now());
        }
    }

    fn median_load(&self) -> f32 {
        let mut v = self.loads.clone();
        v.sort_by(f32::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    }

    fn line(&self, position: u64, rate: u32) -> String {
        let secs = position as f64 / f64::from(rate);
        let recent = &self.loads[self.loads.len().saturating_sub(50)..];
        let load = recent.iter().copied().fold(0.0f32, f32::max);
        let lufs = |x: Option<f64>| x.map_or_else(|| "  -  ".into(), |v| format!("{v:>5.1}"));
        format!(
            "{:>2}:{:06.3}  master {:>6.1} dBFS  M {} S {} I {} LUFS  DSP {:>5.1} %  xruns {}",
            (secs / 60.0) as u64,
            secs % 60.0,
            Gain(f64::from(self.peak)).to_db().0.max(-99.9),
            lufs(self.loudness.momentary),
            lufs(self.loudness.short_term),
            lufs(self.loudness.integrated),
            100.0 * load,
            self.xruns
        )
    }
}
