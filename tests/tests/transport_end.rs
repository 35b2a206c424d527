//! Playback stops by itself at the session's end when it is not looping, and
//! loops on when it is: the live engine through its real callback path,
//! driven by hand (`Engine::manual` + `AudioCore::render`).

use mixdesk_engine::realtime::{Engine, EngineEvent, EngineHandle};
use mixdesk_engine::session::{PanLaw, Session};
use mixdesk_tests::{compile_with, media, run_callback, track};

const RATE: u64 = 48_000;
const BUFFER: usize = 256;

/// One second of a constant 0.5 on one centred track: the session ends at 48,000.
fn start() -> (EngineHandle, mixdesk_engine::realtime::AudioCore, u64) {
    let mut s = Session::new(48_000);
    s.pan_law = PanLaw::ZeroDb;
    s.tracks.push(track(1, "s", 0, RATE));
    let end = s.content_end().0;
    let (mut h, core) = Engine::manual(48_000, BUFFER as u32);
    h.swap_graph(compile_with(&s, &[("s", media(vec![vec![0.5; RATE as usize]]))])).unwrap();
    (h, core, end)
}

/// The last position and playing state the engine reported.
fn last_tick(h: &mut EngineHandle) -> (u64, bool) {
    let mut last = (0, false);
    h.poll(|e| {
        if let EngineEvent::Tick { position, playing, .. } = e {
            last = (position, playing);
        }
    });
    last
}

#[test]
fn playback_stops_at_the_session_end_when_not_looping() {
    let (mut h, mut core, end) = start();
    assert_eq!(end, RATE);
    h.set_end(Some(end));
    h.seek(end - 4_800); // 100 ms before the end
    h.play();
    let out = run_callback(&mut core, 9_600, BUFFER);
    // Audio up to the end (fading out over its last 5 ms), then silence.
    assert!((out[0][2_000] - 0.5).abs() < 1e-6, "{}", out[0][2_000]);
    assert!(out[0][4_800..].iter().all(|&x| x == 0.0), "silence after the end");
    assert_eq!(last_tick(&mut h), (end, false), "stopped, holding the playhead at the end");

    // Without an end it rolls on past the media.
    let (mut h, mut core, end) = start();
    h.set_end(None);
    h.seek(end - 4_800);
    h.play();
    let _ = run_callback(&mut core, 9_600, BUFFER);
    let (position, playing) = last_tick(&mut h);
    assert!(playing && position > end + 4_000, "{position} {playing}");
}

#[test]
fn a_loop_before_the_end_plays_on_without_stopping() {
    let (mut h, mut core, end) = start();
    h.set_end(Some(end));
    let (a, b) = (end - 9_600, end - 2_400);
    h.set_loop(Some((a, b)), true);
    h.seek(a);
    h.play();
    let out = run_callback(&mut core, 48_000, BUFFER); // a second: more than six wraps
    let (position, playing) = last_tick(&mut h);
    assert!(playing, "still playing after a second of looping");
    assert!((a..b).contains(&position), "{position}");
    assert!(out[0][47_000..].iter().any(|&x| x > 0.4), "still sounding");
}
