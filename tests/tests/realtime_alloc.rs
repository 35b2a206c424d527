//! The audio thread never allocates or frees: the demo session played through
//! the real callback while parameters move, strips are muted and soloed, the
//! playhead seeks, the loop wraps and graphs are swapped, with
//! `assert_no_alloc` counting every (de)allocation inside the callback.
//!
//! This file is its own test binary so that its global allocator (which does
//! the counting) does not affect the other tests.

use mixdesk_engine::bounce::prepare;
use mixdesk_engine::demo;
use mixdesk_engine::media::MediaPool;
use mixdesk_engine::realtime::{Engine, EngineEvent};
use mixdesk_engine::session::{ParamId, StripParam, StripRef};
use mixdesk_tests::{demo_in_tempdir, run_callback};

#[cfg(debug_assertions)]
#[global_allocator]
static ALLOCATOR: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

#[cfg(debug_assertions)]
#[test]
fn the_counter_sees_an_allocation_when_there_is_one() {
    let before = assert_no_alloc::violation_count();
    assert_no_alloc::assert_no_alloc(|| drop(std::hint::black_box(Vec::<u8>::with_capacity(64))));
    assert!(assert_no_alloc::violation_count() > before, "assert_no_alloc is not counting");
}

#[cfg(debug_assertions)]
#[test]
fn playing_the_demo_with_every_kind_of_command_allocates_nothing_on_the_audio_thread() {
    let (dir, _) = demo_in_tempdir();
    let mut s = demo::session();
    let pool = MediaPool::new();
    let (mut h, mut core) = Engine::manual(48_000, 256);
    h.swap_graph(prepare(&s, dir.path(), &pool, 4096).unwrap()).unwrap();

    let tracks: Vec<_> = s.tracks.iter().map(|t| StripRef::Track(t.id)).collect();
    let rate = 48_000u64;
    let (mut swaps, mut seeks, mut wraps, mut garbage_free) = (0, 0, 0, true);
    h.play();
    for i in 0..3000usize {
        let strip = tracks[i % tracks.len()];
        if i % 7 == 0 {
            let v = -30.0 + (i % 37) as f64;
            h.set_param(ParamId::Strip(strip, StripParam::Fader), v);
            s.set_param(ParamId::Strip(strip, StripParam::Fader), v);
        }
        if i % 11 == 0 {
            h.set_param(ParamId::Strip(strip, StripParam::Pan), ((i % 21) as f64 - 10.0) / 10.0);
        }
        if i % 13 == 0 {
            h.set_mute(strip, i % 26 == 0);
        }
        if i % 17 == 0 {
            h.set_solo(strip, i % 34 == 0);
        }
        if i % 97 == 0 {
            h.seek((i as u64 * 4099) % (40 * rate));
            seeks += 1;
        }
        if i == 1500 {
            h.seek(20 * rate);
            h.set_loop(Some((20 * rate, 20 * rate + rate / 4)), true);
        }
        if i % 60 == 30 {
            h.swap_graph(prepare(&s, dir.path(), &pool, 4096).unwrap()).unwrap();
            swaps += 1;
        }
        run_callback(&mut core, 256, 256);
        h.poll(|e| match e {
            EngineEvent::Tick { position, .. } if i > 1500 && position < 20 * rate + 256 => wraps += 1,
            EngineEvent::Garbage(_) => garbage_free = false,
            _ => {}
        });
    }
    let c = h.counters();
    assert_eq!(c.callbacks, 3000);
    assert!(swaps >= 20 && seeks >= 20 && wraps >= 10, "swaps {swaps}, seeks {seeks}, loop wraps {wraps}");
    assert!(garbage_free, "poll hands garbage to the caller instead of dropping it");
    assert_eq!(c.alloc_violations, 0, "the audio thread allocated or freed {} times", c.alloc_violations);
}
