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

#[test]
fn a_device_that_does_not_exist_is_named_and_playback_goes_on_silently() {
    let dir = demo_dir();
    let (ok, stdout, stderr, _) = play_without_device(dir.path(), &["--device", "no-such-card"]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(stderr.contains("no output device is called 'no-such-card'"), "{stderr}");
}

#[test]
fn an_impossible_buffer_size_is_refused_with_the_range() {
    let dir = demo_dir();
    let (ok, _, stderr, _) = play_without_device(dir.path(), &["--buffer", "32"]);
    assert!(!ok);
    assert!(stderr.contains("choose 64 to 4096 frames"), "{stderr}");
}
