//! Live playback from disk: clip players read chunks a disk thread loads
//! ahead of the playhead (`engine::streaming`), through the real callback.
//!
//! - what plays equals the bounce of the same range, sample for sample, with
//!   nothing under-fed when the disk keeps up;
//! - a seek and a loop wait (silent) for their media instead of clicking in;
//! - a file that disappears while playing is named, its clips go silent and
//!   the rest plays on;
//! - compressed media is converted once into the session's `cache/` and
//!   reused;
//! - memory stays flat: the chunk pool holds the window, not the files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use mixdesk_engine::bounce::{BitDepth, BounceOptions, bounce};
use mixdesk_engine::graph::compile;
use mixdesk_engine::media::{AudioSource, MediaPool};
use mixdesk_engine::realtime::{AudioCore, Engine, EngineHandle};
use mixdesk_engine::session::{Clip, PanLaw, SampleTime, Session};
use mixdesk_engine::streaming::{Prepared, StreamConfig, StreamedFile, Streamer};
use mixdesk_tests::{noise, read_wav, run_callback, sine_wave, track};

const RATE: usize = 48_000;
const BUFFER: usize = 256;

// Counts (de)allocations inside the audio callback, in debug and release
// builds (see realtime_alloc.rs).
#[global_allocator]
static ALLOCATOR: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

/// Writes a 24-bit stereo WAV.
fn write_wav_24(path: &Path, l: &[f32], r: &[f32]) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: RATE as u32,
        bits_per_sample: 24,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for (a, b) in l.iter().zip(r) {
        w.write_sample((a * 8_388_607.0).round() as i32).unwrap();
        w.write_sample((b * 8_388_607.0).round() as i32).unwrap();
    }
    w.finalize().unwrap();
}

/// A session of `tracks` stereo tracks of `seconds` each (noise and tones),
/// written into `dir`.
fn session_in(dir: &Path, tracks: usize, seconds: usize) -> Session {
    let n = seconds * RATE;
    let mut s = Session::new(RATE as u32);
    s.pan_law = PanLaw::ZeroDb;
    std::fs::create_dir_all(dir.join("media")).unwrap();
    for i in 0..tracks {
        let name = format!("media/t{i}.wav");
        let l = noise(i as u64 + 1, n, 0.2);
        let r = sine_wave(110.0 * (i + 1) as f64, 0.2, n);
        write_wav_24(&dir.join(&name), &l, &r);
        s.tracks.push(track(i as u32 + 1, &name, 0, n as u64));
    }
    s
}

/// The engine, the disk streamer following it, and the graph's sources.
struct Live {
    handle: EngineHandle,
    core: AudioCore,
    streamer: Streamer,
    files: HashMap<PathBuf, Arc<StreamedFile>>,
}

fn live(session: &Session, dir: &Path) -> Live {
    let (mut handle, core) = Engine::manual(RATE as u32, 4096);
    let streamer = Streamer::start(handle.transport_clock(), RATE as u32, StreamConfig::default());
    let mut files = HashMap::new();
    for t in &session.tracks {
        for c in &t.clips {
            let (f, _) = streamer.open_media(&dir.join(&c.media), RATE as u32, dir).unwrap();
            files.insert(c.media.clone(), f);
        }
    }
    let lookup = |c: &Clip| files.get(&c.media).map(|f| Arc::clone(f) as Arc<dyn AudioSource>);
    let graph = compile(session, &lookup, 4096).unwrap();
    streamer.set_plan(Streamer::plan_for(session, &files, &graph.track_read_aheads()));
    handle.swap_graph(graph).unwrap();
    Live { handle, core, streamer, files }
}

/// How the test feeds the callback.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Pace {
    /// Before each callback, wait until the disk thread has the next second
    /// loaded (a disk faster than real time: deterministic).
    KeepUp,
    /// Call back at real-time pace, as a device would.
    RealTime,
}

impl Live {
    /// Plays `frames` in callbacks of [`BUFFER`]; returns the timeline
    /// position of the first callback and the output.
    fn play(&mut self, frames: usize, pace: Pace) -> (u64, [Vec<f32>; 2]) {
        let mut out = [Vec::new(), Vec::new()];
        let clock = self.handle.transport_clock();
        let start = clock.position();
        let begun = std::time::Instant::now();
        while out[0].len() < frames {
            match pace {
                Pace::KeepUp => assert!(
                    self.streamer.wait_ready(clock.position(), RATE as u64, Duration::from_secs(10)),
                    "the disk thread did not load {} in 10 s",
                    clock.position()
                ),
                Pace::RealTime => {
                    let due = Duration::from_secs_f64(out[0].len() as f64 / RATE as f64);
                    if let Some(wait) = due.checked_sub(begun.elapsed()) {
                        std::thread::sleep(wait);
                    }
                }
            }
            let n = BUFFER.min(frames - out[0].len());
            let [l, r] = run_callback(&mut self.core, n, n);
            out[0].extend(l);
            out[1].extend(r);
        }
        (start, out)
    }
}

fn bounced(session: &Session, dir: &Path) -> [Vec<f32>; 2] {
    let out = dir.join("bounce.wav");
    let opts = BounceOptions {
        depth: BitDepth::Float32,
        report: false,
        allow_missing: true,
        ..BounceOptions::default()
    };
    bounce(session, dir, &MediaPool::new(), &out, &opts, &mut |_| true).unwrap();
    let (_, mut ch) = read_wav(&out);
    let r = ch.pop().unwrap();
    [ch.pop().unwrap(), r]
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

#[test]
fn streamed_playback_equals_the_bounce_with_nothing_underfed() {
    let dir = tempfile::tempdir().unwrap();
    let s = session_in(dir.path(), 6, 8);
    let mix = bounced(&s, dir.path());
    let mut live = live(&s, dir.path());
    live.handle.play();
    let (_, out) = live.play(6 * RATE, Pace::KeepUp);
    // The transport's 5 ms fade-in is the only difference by design.
    let d = max_diff(&out[0][240..], &mix[0][240..6 * RATE])
        .max(max_diff(&out[1][240..], &mix[1][240..6 * RATE]));
    assert!(d < 1e-6, "live from disk differs from the bounce by {d}");
    let stats = live.streamer.stats();
    assert_eq!((stats.underruns, stats.underrun_frames), (0, 0), "{stats:?}");
    // Flat memory: the window (2.25 s of 6 stereo files), not 8 s of 6 files.
    let whole = (6 * 8 * RATE * 2 * 4) as u64;
    assert!(stats.resident_bytes < whole / 2, "{} of {whole} bytes resident", stats.resident_bytes);
    assert!(live.files.values().all(|f| f.failure().is_none()));
}

#[test]
fn a_seek_and_a_loop_wait_silently_for_their_media_then_play_what_the_bounce_has_there() {
    let dir = tempfile::tempdir().unwrap();
    let s = session_in(dir.path(), 4, 20);
    let mix = bounced(&s, dir.path());
    let mut live = live(&s, dir.path());
    live.handle.play();
    live.play(RATE / 2, Pace::KeepUp);
    // Seek 15 s ahead without giving the disk thread time: playback must
    // hold (silent) until the media there is loaded, never play silence
    // from under-fed clips.
    let target = 15 * RATE as u64 + 123;
    live.handle.seek(target);
    let (_, after) = live.play(RATE, Pace::RealTime);
    let stats = live.streamer.stats();
    assert_eq!(stats.underrun_frames, 0, "a seek played under-fed clips: {stats:?}");
    // The 5 ms fade out, silence while holding, then the target faded in:
    // find where the target starts (the bounce's samples there, past the
    // fade-in), check the hold was silent and short, and that everything
    // after the fade-in is the bounce.
    let t = target as usize;
    let matches = |k: usize| (300..364).all(|i| (after[0][k + i] - mix[0][t + i]).abs() < 1e-5);
    let start = (240..RATE / 2).find(|&k| matches(k)).expect("the seek's target is heard");
    assert!(after[0][240..start].iter().all(|x| x.abs() < 1e-6), "the hold was not silent");
    assert!(start - 240 < RATE / 20, "audio came {} ms after the fade out", (start - 240) * 1000 / RATE);
    let len = after[0].len() - start - 242;
    for c in 0..2 {
        let d = max_diff(&after[c][start + 242..], &mix[c][t + 242..t + 242 + len]);
        assert!(d < 1e-6, "channel {c} after the seek differs from the bounce by {d}");
    }
    // A 2 s loop far ahead wraps with its start already loaded.
    let (a, b) = (10 * RATE as u64, 12 * RATE as u64);
    live.handle.set_loop(Some((a, b)), true);
    live.handle.seek(a);
    live.play(5 * RATE, Pace::RealTime);
    let stats = live.streamer.stats();
    assert_eq!(stats.underrun_frames, 0, "the loop played under-fed clips: {stats:?}");
}

#[test]
fn a_file_removed_while_playing_is_named_its_clips_go_silent_and_the_rest_plays_on() {
    let dir = tempfile::tempdir().unwrap();
    let s = session_in(dir.path(), 2, 10);
    let mut live = live(&s, dir.path());
    live.handle.play();
    live.play(RATE, Pace::KeepUp);
    let gone = dir.path().join("media/t0.wav");
    std::fs::remove_file(&gone).unwrap();
    // The disk thread checks its files once a second.
    let (path, why) = (0..200)
        .find_map(|_| {
            live.play(BUFFER * 4, Pace::RealTime);
            live.streamer.stats().failures.first().cloned()
        })
        .expect("the removed file is reported");
    assert_eq!(path, gone);
    assert!(why.contains("t0.wav") && why.contains("removed"), "{why}");
    // From then on the mix is the other track alone (the bounce of the
    // session with the file missing), sample for sample.
    let (at, out) = live.play(2 * RATE, Pace::KeepUp);
    let alone = bounced(&s, dir.path());
    let at = at as usize;
    for c in 0..2 {
        let d = max_diff(&out[c], &alone[c][at..at + 2 * RATE]);
        assert!(d < 1e-6, "channel {c} differs from the other track alone by {d}");
    }
    assert!(out[1].iter().any(|x| x.abs() > 0.1), "the other track stopped");
}

#[test]
fn compressed_media_is_converted_once_into_the_cache_and_streams_equal_to_its_decode() {
    let dir = tempfile::tempdir().unwrap();
    // A 44.1 kHz file in a 48 kHz session needs converting too.
    let path = dir.path().join("tone.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 44_100,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&path, spec).unwrap();
    for i in 0..44_100 * 3 {
        w.write_sample(((i as f64 * 0.05).sin() * 10_000.0) as i16).unwrap();
    }
    w.finalize().unwrap();
    let clock = Arc::new(mixdesk_engine::realtime::TransportClock::default());
    let streamer = Streamer::start(Arc::clone(&clock), RATE as u32, StreamConfig::default());
    let (f, how) = streamer.open_media(&path, RATE as u32, dir.path()).unwrap();
    assert_eq!(how, Prepared::Converted);
    assert!(f.streamed_from().starts_with(dir.path().join("cache")), "{}", f.streamed_from().display());
    let (again, how) = streamer.open_media(&path, RATE as u32, dir.path()).unwrap();
    assert_eq!(how, Prepared::Cached);
    assert!(Arc::ptr_eq(&f, &again), "the same file gives the same source");
    // Through the disk thread, the samples are the pool's decode and resample.
    let media = MediaPool::new().load(&path, RATE as u32).unwrap();
    let mut s = Session::new(RATE as u32);
    s.tracks.push(track(1, "tone.wav", 0, media.frames()));
    let mut files = HashMap::new();
    files.insert(PathBuf::from("tone.wav"), Arc::clone(&f));
    streamer.set_plan(Streamer::plan_for(&s, &files, &[]));
    assert!(streamer.wait_ready(0, 2 * RATE as u64, Duration::from_secs(10)));
    let mut got = vec![0.0f32; 2 * RATE];
    f.read(0, 0, &mut got);
    let mut want = vec![0.0f32; 2 * RATE];
    media.read(0, 0, &mut want);
    assert_eq!(got, want);
    assert_eq!(f.frames(), media.frames());
    let _ = SampleTime(0);
}

#[test]
fn seeks_to_random_places_at_real_time_pace_under_feed_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = session_in(dir.path(), 8, 30);
    let mut live = live(&s, dir.path());
    live.handle.play();
    live.play(RATE / 4, Pace::KeepUp);
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for i in 0..12 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let target = x % (25 * RATE as u64);
        if i % 2 == 0 {
            // The app tells the streamer first (it loads there at once).
            live.streamer.want(target);
        }
        live.handle.seek(target);
        live.play(RATE / 4, Pace::RealTime);
        let stats = live.streamer.stats();
        assert_eq!(stats.underrun_frames, 0, "seek {i} to {target}: {stats:?}");
    }
}

#[test]
fn the_audio_thread_allocates_nothing_while_streaming_seeking_looping_and_losing_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let s = session_in(dir.path(), 6, 20);
    let mut live = live(&s, dir.path());
    live.handle.play();
    live.play(RATE / 2, Pace::RealTime);
    for target in [12 * RATE as u64, 3 * RATE as u64 + 77, 17 * RATE as u64] {
        live.streamer.want(target);
        live.handle.seek(target);
        live.play(RATE / 4, Pace::RealTime);
    }
    live.handle.set_loop(Some((5 * RATE as u64, 6 * RATE as u64)), true);
    live.handle.seek(5 * RATE as u64);
    live.play(RATE * 3, Pace::RealTime);
    std::fs::remove_file(dir.path().join("media/t2.wav")).unwrap();
    live.play(RATE * 2, Pace::RealTime);
    live.handle.poll(|_| {});
    let c = live.handle.counters();
    assert!(c.callbacks > 500, "{c:?}");
    assert_eq!(c.alloc_violations, 0, "the audio thread allocated while streaming");
    assert!(!live.streamer.stats().failures.is_empty(), "the removed file was noticed");
}
