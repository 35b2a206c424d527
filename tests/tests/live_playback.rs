//! End to end through the real audio API: `mixdesk play` on 5 s of the demo,
//! through cpal's ALSA backend into a JACK server running its dummy driver
//! (real-time paced, no sound card), recorded by an ALSA `file` tap, must
//! match `mixdesk render` of the same range, with no xruns in the steady state.
//!
//! Also: a device that dies mid-play is reported and reopened when it comes
//! back, and a device that cannot run at the session's rate plays the session
//! at its own rate, resampled.
//!
//! `.ci/run` installs jackd (packaging/setup.sh --test), so CI always runs
//! these; on a developer machine without jackd they are skipped, loudly.

use std::process::Stdio;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use mixdesk_engine::session;
use mixdesk_engine::session::{Session, Track};
use mixdesk_engine::units::SampleTime;
use mixdesk_tests::jack::{self, Jack, alsa_config, jack_available, read_f32_stereo};
use mixdesk_tests::{demo_in_tempdir, mixdesk, read_wav, render_cli, write_wav_f32};

/// The tests here run one at a time: each needs a real-time paced server and
/// both cores, and one counts xruns.
static SERIAL: Mutex<()> = Mutex::new(());

/// The transport's fade-in when playback starts (5 ms at 48 kHz): the only
/// samples where live playback and the bounce differ by design.
const DECLICK_FRAMES: usize = 240;

fn start_jack() -> Jack {
    jack::start_jack("mixdesk-test-a", 48_000, 256)
}

fn start_jack_named(server: String) -> Jack {
    jack::start_jack(&server, 48_000, 256)
}

/// Takes the demo's inserts and sends out. Live playback fades the transport
/// in over 5 ms (the declick) where the bounce starts at full level; stateful
/// processors (compressor envelopes, reverb and delay tails) carry that
/// difference for as long as they remember, so sample identity between a live
/// start and the bounce is defined for the plain mix. That processors run the
/// same code live and offline is tested block by block in their own tests.
fn without_processors(path: &std::path::Path) {
    let mut s = mixdesk_engine::session::load(path).unwrap();
    for strip in s.tracks.iter_mut().map(|t| &mut t.strip).chain(std::iter::once(&mut s.master)) {
        strip.processors.clear();
        strip.sends.clear();
    }
    s.buses.clear();
    mixdesk_engine::session::save(&s, path).unwrap();
}

#[test]
fn playing_through_the_audio_api_matches_the_bounce_with_no_steady_state_xruns() {
    if !jack_available() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let (dir, session_path) = demo_in_tempdir();
    without_processors(&session_path);
    let jack = start_jack();
    let tap = dir.path().join("tap.raw");
    let conf = alsa_config(dir.path(), &tap);

    let started = Instant::now();
    let out = mixdesk()
        .args(["play", session_path.to_str().unwrap(), "--start", "10", "--seconds", "5", "--buffer", "256"])
        .env("ALSA_CONFIG_PATH", &conf)
        .env("JACK_DEFAULT_SERVER", &jack.server)
        .output()
        .expect("mixdesk play runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "mixdesk play failed:\n{stdout}\n{stderr}");
    assert!(stderr.contains("playing through"), "did not open the device:\n{stderr}");
    // Real-time pace: 5 s of audio takes at least about 5 s.
    assert!(started.elapsed() >= Duration::from_millis(4900), "played too fast: {:?}", started.elapsed());
    let summary = stdout.lines().find(|l| l.starts_with("played")).expect("a summary line");
    let steady: u64 = summary
        .split("xruns: ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no xrun count in {summary:?}"));
    assert_eq!(steady, 0, "xruns in the steady state: {summary}");
    drop(jack);

    let reference = dir.path().join("ref.wav");
    render_cli(&session_path, &reference, &["--bits", "32f", "--start", "10", "--end", "15"]);
    let (_, want) = read_wav(&reference);
    let got = read_f32_stereo(&tap);

    // Align: playback starts at the first non-zero sample (the tap also holds the
    // silence the engine played while stopped before it).
    let first =
        got[0].iter().zip(&got[1]).position(|(l, r)| *l != 0.0 || *r != 0.0).expect("the tap holds sound");
    let n = want[0].len();
    assert_eq!(n, 5 * 48_000);
    assert!(
        got[0].len() >= first + n,
        "the tap holds {} frames after the start, want {n}",
        got[0].len() - first
    );
    let (mut err, mut sig) = (0.0f64, 0.0f64);
    for c in 0..2 {
        for i in DECLICK_FRAMES..n {
            let d = f64::from(got[c][first + i]) - f64::from(want[c][i]);
            err += d * d;
            sig += f64::from(want[c][i]).powi(2);
        }
    }
    assert!(sig > 0.0);
    let residual_db = 10.0 * (err.max(1e-30) / sig).log10();
    eprintln!("live vs bounce: residual {residual_db:.1} dB over {n} frames; {summary}");
    assert!(residual_db < -90.0, "live output differs from the bounce: residual {residual_db:.1} dB");
}

#[test]
fn a_device_that_dies_is_reported_and_reopened_when_it_comes_back() {
    if !jack_available() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let (dir, session_path) = demo_in_tempdir();
    let server = "mixdesk-test-b".to_owned();
    let jack = start_jack_named(server.clone());
    let conf = alsa_config(dir.path(), &dir.path().join("tap.raw"));
    let child = mixdesk()
        .args(["play", session_path.to_str().unwrap(), "--start", "10", "--seconds", "7"])
        .env("ALSA_CONFIG_PATH", &conf)
        .env("JACK_DEFAULT_SERVER", &server)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(2));
    drop(jack); // the audio server dies mid-play
    std::thread::sleep(Duration::from_millis(1500));
    let _jack = start_jack_named(server.clone()); // and comes back
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let lost = stderr.find("stopped").unwrap_or_else(|| panic!("the loss was not reported:\n{stderr}"));
    let reopened = stderr[lost..].find("playing through");
    assert!(reopened.is_some(), "the device was not reopened after it came back:\n{stderr}");
    assert!(stdout.contains("played 7.000 s from 10.000 s"), "playback did not run to the end:\n{stdout}");
}

#[test]
fn a_device_that_cannot_run_at_the_session_rate_plays_it_resampled() {
    if !jack_available() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    // A 1 kHz sine at 44.1 kHz; the JACK server runs at 48 kHz only.
    let n = 3 * 44_100;
    let sine: Vec<f32> =
        (0..n).map(|i| (0.5 * (std::f64::consts::TAU * 1000.0 * i as f64 / 44_100.0).sin()) as f32).collect();
    write_wav_f32(&dir.path().join("sine.wav"), 44_100, &[sine]);
    let mut s = Session::new(44_100);
    s.tracks.push(Track::with_one_clip(1, "Sine", "sine.wav".into(), SampleTime(n as u64)));
    let session_path = dir.path().join("s.mixdesk");
    session::save(&s, &session_path).unwrap();
    let server = "mixdesk-test-c".to_owned();
    let _jack = start_jack_named(server.clone());
    let tap = dir.path().join("tap.raw");
    let conf = alsa_config(dir.path(), &tap);
    let out = mixdesk()
        .args(["play", session_path.to_str().unwrap(), "--device", "tap", "--seconds", "2"])
        .env("ALSA_CONFIG_PATH", &conf)
        .env("JACK_DEFAULT_SERVER", &server)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("cannot run at the session's 44100 Hz; playing at 48000 Hz"), "{stderr}");
    // The tap runs at 48 kHz: a 1 kHz tone there proves the media were resampled
    // (played unresampled it would be 1088 Hz).
    let [l, _] = read_f32_stereo(&tap);
    let first = l.iter().position(|x| *x != 0.0).expect("sound was played");
    let seg = &l[first + 4800..first + 4800 + 48_000];
    let rising = seg.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
    assert!((999..=1001).contains(&rising), "{rising} cycles in one second at 48 kHz, want 1000");
}
