//! Helpers shared by the end-to-end tests: in-memory sources, one-call renders,
//! the `mixdesk` binary, and WAV reading; the crash test's scripted edits;
//! one processor's session rendered through the bounce and the live callback.

pub mod chain_render;
pub mod clap_plugin;
pub mod dsp_harness;
pub mod edit_script;
pub mod effects_harness;
pub mod jack;
pub mod restore;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use mixdesk_engine::graph::{Serial, compile};
use mixdesk_engine::media::{AudioSource, Media, SourceFormat};
use mixdesk_engine::session::{Clip, ClipId, SampleTime, Session, Track};

/// In-memory media from per-channel samples.
pub fn media(channels: Vec<Vec<f32>>) -> Arc<Media> {
    Arc::new(Media {
        sample_rate: 48_000,
        original: SourceFormat {
            sample_rate: 48_000,
            channels: channels.len(),
            bits_per_sample: None,
            codec: "test".into(),
        },
        channels: channels.into_iter().map(Vec::into_boxed_slice).collect(),
    })
}

/// A track with one clip of `media_name` spanning `[start, start + len)`.
pub fn track(id: u32, media_name: &str, start: u64, len: u64) -> Track {
    let mut t = Track::with_one_clip(id, format!("T{id}"), PathBuf::from(media_name), SampleTime(len));
    t.clips[0].id = ClipId(1000 + id);
    t.clips[0].start = SampleTime(start);
    t
}

/// Renders `frames` from position 0 with the media looked up by clip path in
/// `sources`, in blocks of `block`, on the serial (live) path.
pub fn render(
    session: &Session,
    sources: &[(&str, Arc<Media>)],
    frames: usize,
    block: usize,
) -> [Vec<f32>; 2] {
    let lookup = |c: &Clip| -> Option<Arc<dyn AudioSource>> {
        sources
            .iter()
            .find(|(n, _)| Path::new(n) == c.media)
            .map(|(_, m)| Arc::clone(m) as Arc<dyn AudioSource>)
    };
    let mut graph = compile(session, &lookup, block).expect("session compiles");
    let (mut l, mut r) = (vec![0.0; frames], vec![0.0; frames]);
    let mut pos = 0;
    while pos < frames {
        let n = (frames - pos).min(block);
        graph.process(pos as u64, &mut l[pos..pos + n], &mut r[pos..pos + n], &Serial);
        pos += n;
    }
    [l, r]
}

/// The `mixdesk` binary built beside the running test (target/<profile>/mixdesk).
pub fn mixdesk() -> Command {
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>/deps/<test>");
    let bin = profile_dir.join("mixdesk");
    assert!(
        bin.is_file(),
        "{} is not built: run `cargo build -p mixdesk` first (./test.sh does)",
        bin.display()
    );
    Command::new(bin)
}

/// Runs `mixdesk` with `args`; returns (exit success, stdout, stderr).
pub fn run(args: &[&str]) -> (bool, String, String) {
    let out = mixdesk().args(args).output().expect("mixdesk runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `mixdesk render SESSION -o OUT EXTRA...`, asserting success; returns stdout.
pub fn render_cli(session: &Path, out: &Path, extra: &[&str]) -> String {
    let mut args = vec!["render", session.to_str().unwrap(), "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let (ok, stdout, stderr) = run(&args);
    assert!(ok, "mixdesk {}: {stdout}{stderr}", args.join(" "));
    stdout
}

/// Reads a stereo WAV as f32 channels (float files exactly; integer files scaled to ±1).
pub fn read_wav(path: &Path) -> (hound::WavSpec, Vec<Vec<f32>>) {
    let mut r = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let spec = r.spec();
    let ch = usize::from(spec.channels);
    let samples: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => r.samples::<f32>().map(Result::unwrap).collect(),
        hound::SampleFormat::Int => {
            let scale = 1.0 / f64::from(1u32 << (spec.bits_per_sample - 1));
            r.samples::<i32>().map(|s| (f64::from(s.unwrap()) * scale) as f32).collect()
        }
    };
    let chans = (0..ch).map(|c| samples.iter().skip(c).step_by(ch).copied().collect()).collect();
    (spec, chans)
}

/// Writes a float WAV with the given channels.
pub fn write_wav_f32(path: &Path, rate: u32, channels: &[Vec<f32>]) {
    let spec = hound::WavSpec {
        channels: channels.len() as u16,
        sample_rate: rate,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..channels[0].len() {
        for c in channels {
            w.write_sample(c[i]).unwrap();
        }
    }
    w.finalize().unwrap();
}

/// A deterministic pseudo-random signal in [-amp, amp].
pub fn noise(seed: u64, n: usize, amp: f32) -> Vec<f32> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ((x >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * amp
        })
        .collect()
}

/// A sine of `freq` Hz at amplitude `amp`, `n` samples at 48 kHz.
pub fn sine_wave(freq: f64, amp: f64, n: usize) -> Vec<f32> {
    (0..n).map(|i| (amp * (std::f64::consts::TAU * freq * i as f64 / 48_000.0).sin()) as f32).collect()
}

/// Compiles `session` with media looked up by clip path in `sources` (live block size).
pub fn compile_with(session: &Session, sources: &[(&str, Arc<Media>)]) -> mixdesk_engine::graph::Graph {
    let lookup = |c: &Clip| -> Option<Arc<dyn AudioSource>> {
        sources
            .iter()
            .find(|(n, _)| Path::new(n) == c.media)
            .map(|(_, m)| Arc::clone(m) as Arc<dyn AudioSource>)
    };
    compile(session, &lookup, 4096).expect("session compiles")
}

/// Runs the audio callback `frames` frames in buffers of `buffer` (stereo,
/// interleaved, as a device would), returning the two channels.
pub fn run_callback(
    core: &mut mixdesk_engine::realtime::AudioCore,
    frames: usize,
    buffer: usize,
) -> [Vec<f32>; 2] {
    let mut out = [Vec::with_capacity(frames), Vec::with_capacity(frames)];
    let mut buf = vec![0.0f32; buffer * 2];
    let mut done = 0;
    while done < frames {
        let n = buffer.min(frames - done);
        core.render(&mut buf[..n * 2], 2);
        for f in buf[..n * 2].chunks_exact(2) {
            out[0].push(f[0]);
            out[1].push(f[1]);
        }
        done += n;
    }
    out
}

/// The demo session and its generated audio in a fresh temporary folder;
/// returns the folder (removed when dropped) and the session file.
pub fn demo_in_tempdir() -> (tempfile::TempDir, PathBuf) {
    use mixdesk_engine::{demo, session};
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join(demo::SESSION_FILE);
    session::save(&demo::session(), &path).expect("the demo session saves");
    demo::generate(dir.path()).expect("the demo audio generates");
    (dir, path)
}
