//! A JACK server with its dummy driver (real-time paced, no sound card) for
//! the tests that play through the real audio API, and the ALSA
//! configurations that route cpal's ALSA output into it (with a `file` tap
//! recording what was played) or into ALSA's null PCM (which does not pace).
//!
//! `.ci/run` installs jackd (packaging/setup.sh --test), so CI always runs
//! these tests; on a developer machine without jackd they are skipped, loudly.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `jackd -n NAME -d dummy`; stopped when dropped.
#[derive(Debug)]
pub struct Jack {
    child: Child,
    /// The server name (pass it as `JACK_DEFAULT_SERVER`).
    pub server: String,
}

impl Drop for Jack {
    /// Stops the server with SIGTERM so it unregisters itself (a killed jackd
    /// leaves its entry in JACK's shared registry, which holds only a few).
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        for _ in 0..200 {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
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

/// False (after saying so loudly) when jackd is not installed; never in CI.
pub fn jack_available() -> bool {
    if have("jackd") && have("jack_wait") {
        return true;
    }
    assert_ne!(
        std::env::var("CI").as_deref(),
        Ok("true"),
        "jackd is missing in CI: packaging/setup.sh --test must install jackd2"
    );
    eprintln!(
        "\n*** SKIPPED live playback test: jackd is not installed (run packaging/setup.sh --test) ***\n"
    );
    false
}

/// Starts `jackd -n server` on the dummy driver at `rate` Hz with `period`-frame periods.
pub fn start_jack(server: &str, rate: u32, period: u32) -> Jack {
    let child = Command::new("jackd")
        .args(["-n", server, "--no-realtime", "-d", "dummy", "-r", &rate.to_string()])
        .args(["-p", &period.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("jackd starts");
    let jack = Jack { child, server: server.to_owned() };
    let ok = Command::new("jack_wait")
        .args(["-w", "-t", "10"])
        .env("JACK_DEFAULT_SERVER", &jack.server)
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "jackd did not come up within 10 s");
    jack
}

/// An ALSA configuration in `dir` whose `default` (and `tap`) device plays into
/// JACK's system ports, recording interleaved F32LE samples into `tap`.
pub fn alsa_config(dir: &Path, tap: &Path) -> PathBuf {
    let conf = dir.join("asound.conf");
    let text = format!(
        "pcm.!default {{ type plug; slave.pcm \"tap\" }}\n\
         pcm.tap {{ type file; slave.pcm \"jackout\"; file \"{}\"; format \"raw\"; \
         hint {{ show on description \"test tap, JACK rate only\" }} }}\n\
         pcm.jackout {{ type jack; playback_ports {{ 0 system:playback_1 1 system:playback_2 }} }}\n",
        tap.display()
    );
    std::fs::write(&conf, text).unwrap();
    conf
}

/// An ALSA configuration in `dir` whose `default` device is the null PCM:
/// it takes samples as fast as they come, with no clock of its own.
pub fn null_alsa_config(dir: &Path) -> PathBuf {
    let conf = dir.join("null-asound.conf");
    std::fs::write(&conf, "pcm.!default { type null }\n").unwrap();
    conf
}

/// The two channels of a raw interleaved stereo F32LE file (the tap).
pub fn read_f32_stereo(path: &Path) -> [Vec<f32>; 2] {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let samples: Vec<f32> =
        bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    [samples.iter().step_by(2).copied().collect(), samples.iter().skip(1).step_by(2).copied().collect()]
}
