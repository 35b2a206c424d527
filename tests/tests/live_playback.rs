//! End to end through the real audio API: `mixdesk play` on 5 s of the demo,
//! through cpal's ALSA backend into a JACK server running its dummy driver
//! (real-time paced, no sound card), recorded by an ALSA `file` tap, must
//! match `mixdesk render` of the same range, with no xruns in the steady state.
//!
//! `.ci/run` installs jackd (packaging/setup.sh --test), so CI always runs
//! this; on a developer machine without jackd it is skipped, loudly.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mixdesk_engine::{demo, session};
use mixdesk_tests::{mixdesk, read_wav, render_cli};

/// The transport's fade-in when playback starts (5 ms at 48 kHz): the only
/// samples where live playback and the bounce differ by design.
const DECLICK_FRAMES: usize = 240;

struct Jack {
    child: Child,
    server: String,
}

impl Drop for Jack {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn start_jack() -> Jack {
    let server = format!("mixdesk-test-{}", std::process::id());
    let child = Command::new("jackd")
        .args(["-n", &server, "--no-realtime", "-d", "dummy", "-r", "48000", "-p", "256"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("jackd starts");
    let jack = Jack { child, server };
    let ok = Command::new("jack_wait")
        .args(["-w", "-t", "10"])
        .env("JACK_DEFAULT_SERVER", &jack.server)
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "jackd did not come up within 10 s");
    jack
}

fn alsa_config(dir: &Path, tap: &Path) -> PathBuf {
    let conf = dir.join("asound.conf");
    let text = format!(
        "pcm.!default {{ type plug; slave.pcm \"tap\" }}\n\
         pcm.tap {{ type file; slave.pcm \"jackout\"; file \"{}\"; format \"raw\" }}\n\
         pcm.jackout {{ type jack; playback_ports {{ 0 system:playback_1 1 system:playback_2 }} }}\n",
        tap.display()
    );
    std::fs::write(&conf, text).unwrap();
    conf
}

fn read_f32_stereo(path: &Path) -> [Vec<f32>; 2] {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let samples: Vec<f32> =
        bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    [samples.iter().step_by(2).copied().collect(), samples.iter().skip(1).step_by(2).copied().collect()]
}

#[test]
fn playing_through_the_audio_api_matches_the_bounce_with_no_steady_state_xruns() {
    if !have("jackd") || !have("jack_wait") {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "jackd is missing in CI: packaging/setup.sh --test must install jackd2"
        );
        eprintln!(
            "\n*** SKIPPED live playback test: jackd is not installed (run packaging/setup.sh --test) ***\n"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let session_path = dir.path().join(demo::SESSION_FILE);
    session::save(&demo::session(), &session_path).unwrap();
    demo::generate(dir.path()).unwrap();
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
