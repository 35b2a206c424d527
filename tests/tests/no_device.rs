//! No audio device is a normal state: playback runs on the engine's clock, at
//! real-time pace, and says so; a device that does not exist is named.

use std::time::{Duration, Instant};

use mixdesk_engine::demo;
use mixdesk_tests::{demo_in_tempdir, mixdesk};

fn demo_dir() -> tempfile::TempDir {
    demo_in_tempdir().0
}

/// `mixdesk play` with an ALSA configuration that defines no device at all.
fn play_without_device(dir: &std::path::Path, extra: &[&str]) -> (bool, String, String, Duration) {
    let conf = dir.join("empty-asound.conf");
    std::fs::write(&conf, "# no devices\n").unwrap();
    let session = dir.join(demo::SESSION_FILE);
    let mut args = vec!["play", session.to_str().unwrap(), "--start", "5", "--seconds", "1"];
    args.extend_from_slice(extra);
    let t = Instant::now();
    let out = mixdesk().args(&args).env("ALSA_CONFIG_PATH", &conf).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        t.elapsed(),
    )
}

#[test]
fn with_no_device_playback_runs_on_the_clock_and_says_so() {
    let dir = demo_dir();
    let (ok, stdout, stderr, took) = play_without_device(dir.path(), &[]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(stderr.contains("no audio device"), "{stderr}");
    assert!(stdout.contains("played 1.000 s from 5.000 s"), "{stdout}");
    // Clock-driven: one second of audio takes about one second.
    assert!(took >= Duration::from_millis(950), "took {took:?}");
}

/// A device asked for by name that cannot be used is an error before
/// anything plays (without `--device`, no device is the normal silent case).
#[test]
fn a_device_that_does_not_exist_is_named_and_play_fails() {
    let dir = demo_dir();
    let (ok, stdout, stderr, _) = play_without_device(dir.path(), &["--device", "no-such-card"]);
    assert!(!ok, "{stdout}\n{stderr}");
    assert!(stderr.contains("no output device is called 'no-such-card'"), "{stderr}");
    assert!(stderr.contains("mixdesk devices"), "{stderr}");
    assert!(!stdout.contains("played"), "{stdout}");
}

/// The internal clock is not a device: a late wake-up of its thread (here
/// forced by keeping both cores busy, with 64-frame buffers, 1.3 ms apart)
/// is not an under-run, stopped or playing.
#[test]
fn the_internal_clock_counts_no_xruns() {
    use mixdesk_engine::realtime::{Engine, EngineConfig};
    let config = EngineConfig { buffer_frames: 64, null_output: true, ..EngineConfig::default() };
    let mut engine = Engine::start(config).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let busy: Vec<_> = (0..4)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut x = 0u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                }
                x
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    let stopped = engine.counters();
    engine.play();
    std::thread::sleep(Duration::from_millis(1000));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for b in busy {
        b.join().unwrap();
    }
    let c = engine.counters();
    assert!(c.callbacks > 1000, "the clock ran: {} callbacks", c.callbacks);
    assert_eq!((stopped.xruns, c.xruns), (0, 0), "xruns counted on the internal clock");
}

#[test]
fn an_impossible_buffer_size_is_refused_with_the_range() {
    let dir = demo_dir();
    let (ok, _, stderr, _) = play_without_device(dir.path(), &["--buffer", "32"]);
    assert!(!ok);
    assert!(stderr.contains("choose 64 to 4096 frames"), "{stderr}");
}
