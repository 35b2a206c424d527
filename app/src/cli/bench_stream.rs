//! `mixdesk bench stream --tracks N --minutes M`: live playback from disk at
//! the sizes users have, on a generated session of N stereo 24-bit tracks of
//! M minutes made from the demo's instruments (`demo::LongSession`; written
//! once into a folder the next run reuses).
//!
//! 1. `mixdesk play` of the session, as a fresh process: the time from the
//!    command to the first sound, its peak memory, its CPU time, under-fed
//!    reads and xruns over the seconds played.
//! 2. In this process, on the engine's clock-driven output (or the device
//!    given): seeks to random places, each timed from the command to the
//!    first callback playing at the target, and a 2 s loop played for ten
//!    seconds, with the under-fed reads over both.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use mixdesk_engine::demo::LongSession;
use mixdesk_engine::realtime::{Engine, EngineConfig, EngineEvent};
use mixdesk_engine::streaming::{StreamConfig, Streamer, prepare_live};

use super::out::{CliError, outln};

/// What to measure.
#[derive(Debug, Clone)]
pub struct Setup {
    pub tracks: usize,
    pub minutes: f64,
    pub rate: u32,
    /// Seconds `mixdesk play` plays.
    pub seconds: f64,
    pub buffer: u32,
    pub dir: Option<PathBuf>,
    pub device: Option<String>,
    /// Also open the session in the window (needs a display), first with no
    /// caches, then again.
    pub window: bool,
    /// Time the first sound and every seek with the media out of the page cache.
    pub cold: bool,
}

pub fn run(setup: Setup) -> Result<(), CliError> {
    let spec = LongSession { tracks: setup.tracks, seconds: setup.minutes * 60.0, rate: setup.rate };
    let dir = setup.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir()
            .join("mixdesk-bench-stream")
            .join(format!("{}x{}min-{}", setup.tracks, setup.minutes, setup.rate))
    });
    outln!(
        "bench stream: {} stereo 24-bit tracks x {} min at {} Hz ({:.1} GB of WAV) in {}",
        setup.tracks,
        setup.minutes,
        setup.rate,
        spec.media_bytes() as f64 / 1e9,
        dir.display()
    );
    let t = Instant::now();
    let session = spec.write(&dir, "long.mixdesk").map_err(|e| format!("{}: {e}", dir.display()))?;
    outln!("  session ready in {:.1} s (files already there are reused)", t.elapsed().as_secs_f64());

    if setup.window {
        window_open(&session, &dir)?;
    }
    if setup.cold {
        forget_media(&session, &dir)?;
    }
    play_child(&session, &setup)?;
    seek_and_loop(&session, &dir, &setup)
}

/// Opens the session in the window twice (the first time with no waveform
/// cache, the second from it), each time from the command until the
/// timeline has every waveform, and prints the times and peak memory.
fn window_open(session: &Path, dir: &Path) -> Result<(), CliError> {
    use std::io::BufRead;
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        return Err("--window needs a display (run under Xvfb: see packaging/screenshot.sh)".into());
    }
    let _ = std::fs::remove_dir_all(dir.join(mixdesk_engine::media::peaks::CACHE_DIR));
    for label in ["first open (no waveform cache)", "second open (from the cache)"] {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let t = Instant::now();
        let mut child = Command::new(exe)
            .arg(session)
            .env("MIXDESK_REPORT_OPEN", "1")
            .env("MIXDESK_EXIT_WHEN_READY", "1")
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start the window: {e}"))?;
        let pid = child.id();
        let stderr = child.stderr.take().expect("piped");
        let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let watcher = {
            let peak = std::sync::Arc::clone(&peak);
            std::thread::spawn(move || {
                while let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
                    if let Some(kib) = s
                        .lines()
                        .find(|l| l.starts_with("VmHWM:"))
                        .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                    {
                        peak.fetch_max(kib, std::sync::atomic::Ordering::Relaxed);
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            })
        };
        let mut ready = None;
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("window ready") {
                ready = Some((t.elapsed(), line));
                break;
            }
        }
        let _ = child.wait();
        let _ = watcher.join();
        let (took, line) = ready.ok_or("the window closed before its waveforms were ready")?;
        outln!(
            "  window, {label}: usable after {:.2} s from the command, peak memory {} MB ({})",
            took.as_secs_f64(),
            peak.load(std::sync::atomic::Ordering::Relaxed) / 1024,
            line.trim_start_matches("mixdesk: ")
        );
    }
    Ok(())
}

/// Runs `mixdesk play` on the session and prints what it measured of itself.
fn play_child(session: &Path, setup: &Setup) -> Result<(), CliError> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(exe);
    cmd.arg("play").arg(session).args(["--seconds", &setup.seconds.to_string()]);
    cmd.args(["--buffer", &setup.buffer.to_string()]);
    if let Some(d) = &setup.device {
        cmd.args(["--device", d]);
    }
    let t = Instant::now();
    let out = cmd.output().map_err(|e| format!("cannot run mixdesk play: {e}"))?;
    let wall = t.elapsed().as_secs_f64();
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("mixdesk play failed: {}{}", text, String::from_utf8_lossy(&out.stderr)).into());
    }
    outln!(
        "  mixdesk play --seconds {} --buffer {} (a fresh process, {wall:.1} s in all):",
        setup.seconds,
        setup.buffer
    );
    for line in text
        .lines()
        .filter(|l| l.starts_with("played") || l.starts_with("streamed") || l.starts_with("  under-fed"))
    {
        outln!("    {line}");
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    // (ALSA's own complaints about a machine without a sound card are not news.)
    for line in stderr.lines().filter(|l| !l.trim().is_empty() && !l.starts_with("ALSA lib ")) {
        outln!("    (stderr) {line}");
    }
    Ok(())
}

/// Seeks and a loop on the live engine, timed.
fn seek_and_loop(session_path: &Path, dir: &Path, setup: &Setup) -> Result<(), CliError> {
    let session = mixdesk_engine::session::load(session_path).map_err(|e| e.to_string())?;
    let config = EngineConfig {
        device: setup.device.clone(),
        buffer_frames: setup.buffer,
        sample_rate: session.sample_rate,
        null_output: setup.device.is_none(),
    };
    let mut engine = Engine::start(config).map_err(|e| e.to_string())?;
    let rate = engine.status().sample_rate;
    let session = session.resampled_to(rate);
    let streamer = Streamer::start(engine.transport_clock(), rate, StreamConfig::default());
    let live = prepare_live(&session, dir, &streamer, 4096, &|_, _| {}).map_err(|e| e.to_string())?;
    engine.swap_graph(live.graph).map_err(|e| e.to_string())?;
    engine.play();
    let length = session.content_end().0;
    let mut xorshift = 0x2545_f491_4f6c_dd1du64;
    let mut delays = Vec::new();
    for _ in 0..20 {
        std::thread::sleep(Duration::from_millis(300));
        xorshift ^= xorshift << 13;
        xorshift ^= xorshift >> 7;
        xorshift ^= xorshift << 17;
        let target = xorshift % length.saturating_sub(u64::from(rate) * 5).max(1);
        if setup.cold {
            forget_media(session_path, dir)?;
        }
        let asked = Instant::now();
        streamer.want(target);
        engine.seek(target);
        delays.push(wait_for_position(&mut engine, target, rate, asked)?.as_secs_f64() * 1000.0);
    }
    delays.sort_by(f64::total_cmp);
    let cold = if setup.cold { " (each from a cold page cache)" } else { "" };
    let underfed_seeks = streamer.stats().underrun_frames;
    outln!(
        "  20 seeks to random places{cold}: audio at the target after {:.1} ms median, {:.1} ms worst (from the command); {} frames under-fed",
        delays[delays.len() / 2],
        delays[delays.len() - 1],
        underfed_seeks
    );
    let (a, b) = (length / 2, length / 2 + 2 * u64::from(rate));
    let xruns_before = engine.counters().xruns;
    engine.set_loop(Some((a, b)), true);
    streamer.want(a);
    engine.seek(a);
    std::thread::sleep(Duration::from_secs(10));
    let stats = streamer.stats();
    outln!(
        "  a 2 s loop played 10 s: {} frames under-fed, {} xruns; resident chunk memory {} MB, {} MB read from disk in all",
        stats.underrun_frames - underfed_seeks,
        engine.counters().xruns - xruns_before,
        stats.resident_bytes / 1_000_000,
        stats.bytes_read / 1_000_000
    );
    engine.stop();
    Ok(())
}

/// Drops every media file of the session at `path` from the page cache.
fn forget_media(path: &Path, dir: &Path) -> Result<(), CliError> {
    let session = mixdesk_engine::session::load(path).map_err(|e| e.to_string())?;
    for clip in session.tracks.iter().flat_map(|t| &t.clips) {
        let media = dir.join(&clip.media);
        mixdesk_engine::streaming::forget_cached_pages(&media)
            .map_err(|e| format!("cannot drop {} from the page cache: {e}", media.display()))?;
    }
    Ok(())
}

/// Polls the engine until a callback plays at or just past `target`; the
/// time since `asked`.
fn wait_for_position(
    engine: &mut mixdesk_engine::realtime::EngineHandle,
    target: u64,
    rate: u32,
    asked: Instant,
) -> Result<Duration, String> {
    loop {
        let mut there = false;
        engine.poll(|e| {
            if let EngineEvent::Tick { position, playing: true, .. } = e {
                there |= position > target && position < target + u64::from(rate);
            }
        });
        if there {
            return Ok(asked.elapsed());
        }
        if asked.elapsed() > Duration::from_secs(10) {
            return Err(format!("the seek to {target} did not play within 10 s"));
        }
        std::thread::sleep(Duration::from_micros(500));
    }
}
