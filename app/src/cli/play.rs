//! `mixdesk play SESSION`: headless playback through the real engine, with a
//! one-line live meter (position, master peak, DSP load, xruns).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use mixdesk_engine::analysis::LoudnessReading;
use mixdesk_engine::bounce::prepare_allowing_missing;
use mixdesk_engine::media::MediaPool;
use mixdesk_engine::realtime::{BUFFER_FRAMES, Engine, EngineConfig, EngineEvent};
use mixdesk_engine::session::StripRef;
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

pub fn run(args: Args) -> Result<(), CliError> {
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
    let status = engine.status();
    let rate = status.sample_rate;
    let session = session.resampled_to(rate);
    let (graph, unplayable) =
        prepare_allowing_missing(&session, &dir, &MediaPool::new(), 4096).map_err(|e| e.to_string())?;
    for e in &unplayable {
        errln!("mixdesk: warning: {e} Its clips play as silence.");
    }

    let start = SampleTime::from_seconds(args.start.max(0.0), rate).0;
    let end = match args.seconds {
        Some(s) => start + SampleTime::from_seconds(s.max(0.0), rate).0,
        None => session.content_end().0.max(start),
    };
    engine.swap_graph(graph).map_err(|e| e.to_string())?;
    engine.seek(start);
    engine.play();

    let tty = std::io::stdout().is_terminal();
    let mut meter = LiveMeter::default();
    let settle = start + SampleTime::from_seconds(SETTLE_SECONDS, rate).0;
    let mut xruns_at_settle = None;
    let mut last_line = Instant::now();
    let mut position = start;
    let mut started = false;
    loop {
        std::thread::sleep(Duration::from_millis(10));
        engine.poll(|e| match e {
            EngineEvent::Tick { position: p, playing, load, xruns, dropped_events } => {
                started |= playing && p >= start;
                if started {
                    position = p;
                }
                meter.load(load);
                meter.xruns = xruns;
                meter.dropped = dropped_events;
            }
            EngineEvent::Meter { strip: StripRef::Master, reading } => {
                meter.peak(reading.peak[0].max(reading.peak[1]))
            }
            EngineEvent::Device(d) => errln!("{d}"),
            EngineEvent::NonFinite { strip, samples } => {
                errln!("{strip} produced {samples} NaN/Inf samples (replaced with silence)")
            }
            _ => {}
        });
        meter.loudness = engine.analysis().loudness().reading();
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
    Ok(())
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
