//! The audio thread never allocates or frees: the demo session played through
//! the real callback while parameters move, strips are muted and soloed, the
//! playhead seeks, the loop wraps, meters and analysis taps are switched,
//! graphs are swapped (with sidechain keys delayed into time among them) and
//! automation is written in every mode, the monitor section switches checks,
//! systems and platform gains, with `assert_no_alloc` counting every
//! (de)allocation inside the callback.
//!
//! This file is its own test binary so that its global allocator (which does
//! the counting) does not affect the other tests. It counts in release
//! builds too (`assert_no_alloc` with its `warn_release` feature), since the
//! release build is what users run: `./test.sh` runs it both ways.

use mixdesk_engine::analysis::tap::TAP_SLOTS;
use mixdesk_engine::bounce::prepare;
use mixdesk_engine::demo;
use mixdesk_engine::media::MediaPool;
use mixdesk_engine::monitor::{Check, Measured, MonitorSettings, Platform, ReferenceSlot, System};
use mixdesk_engine::realtime::{Engine, EngineEvent};
use mixdesk_engine::session::{
    AutoMode, MeterOptions, MeterPoint, ParamId, Point, Shape, StripParam, StripRef,
};
use mixdesk_tests::{demo_in_tempdir, run_callback};

#[global_allocator]
static ALLOCATOR: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

#[test]
fn the_counter_sees_an_allocation_when_there_is_one() {
    let before = assert_no_alloc::violation_count();
    assert_no_alloc::assert_no_alloc(|| drop(std::hint::black_box(Vec::<u8>::with_capacity(64))));
    assert!(assert_no_alloc::violation_count() > before, "assert_no_alloc is not counting");
}

#[test]
fn playing_the_demo_with_every_kind_of_command_allocates_nothing_on_the_audio_thread() {
    let (dir, _) = demo_in_tempdir();
    let mut s = demo::session();
    // Automation plays too: a stepped and curved fader lane on the first track.
    let first = StripRef::Track(s.tracks[0].id);
    let lane = s.lane_mut(ParamId::Strip(first, StripParam::Fader));
    for (i, shape) in [Shape::Linear, Shape::Step, Shape::SCurve, Shape::Bezier(0.5)].into_iter().enumerate()
    {
        lane.add_point(Point { time: i as u64 * 24_000 + 7, value: -6.0 * i as f64, shape });
    }
    let pool = MediaPool::new();
    let (mut h, mut core) = Engine::manual(48_000, 256);
    h.swap_graph(prepare(&s, dir.path(), &pool, 4096).unwrap()).unwrap();
    // The demo is its own reference track too (the monitor plays it, aligned
    // or free-running, and crossfades to and from it).
    h.set_reference(Some(prepare(&s, dir.path(), &pool, 4096).unwrap())).unwrap();
    let slot =
        ReferenceSlot { path: "ref.wav".into(), integrated_lufs: Some(-14.0), max_short_term_lufs: None };

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
        if i % 41 == 0 {
            // Meter points, true-peak meters and analysis taps move too.
            let point = if i % 82 == 0 { MeterPoint::PreFader } else { MeterPoint::PostFader };
            h.set_meter(strip, MeterOptions { point, true_peak: i % 3 == 0 });
            h.set_tap((i / 41) % TAP_SLOTS, if i % 5 == 0 { None } else { Some(strip) });
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
        if i % 19 == 0 {
            // The monitor switches (crossfading, some switches mid-fade).
            let settings = MonitorSettings {
                check: Check::ALL[(i / 19) % Check::ALL.len()],
                dim: i % 38 == 0,
                mute: i % 95 == 0,
                system: (i % 3 != 0).then(|| System::ALL[(i / 19) % System::ALL.len()]),
                platform: (i % 4 == 0).then(|| Platform::ALL[(i / 19) % Platform::ALL.len()]),
                references: vec![slot.clone()],
                reference: (i % 2 == 0).then_some(0),
                free_running: i % 3 == 0,
                ..MonitorSettings::default()
            };
            let measured = Measured {
                integrated_lufs: -9.0,
                true_peak_dbtp: Some(-0.5),
                max_short_term_lufs: Some(-8.0),
            };
            assert!(h.set_monitor(settings.program(48_000, Some(measured))));
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

#[test]
fn writing_automation_in_every_mode_allocates_nothing_on_the_audio_thread() {
    let (dir, _) = demo_in_tempdir();
    let mut s = demo::session();
    let ids: Vec<_> = s.tracks.iter().map(|t| t.id).collect();
    let strip = |i: usize| StripRef::Track(ids[i % ids.len()]);
    let first_eq = s.add_processor(strip(0), "eq", usize::MAX).unwrap();
    // A VCA over two tracks: its lane is written through its own control
    // while each member plays a mirror of it.
    let vca = mixdesk_engine::session::BusId(s.next_id());
    let mut bus = mixdesk_engine::session::Bus::new(vca, "VCA");
    bus.vca = Some(mixdesk_engine::session::Vca { members: vec![strip(1), strip(5)] });
    s.buses.push(bus);
    let vca = StripRef::Bus(vca);
    let params = [
        (ParamId::Strip(strip(0), StripParam::Fader), AutoMode::Touch),
        (ParamId::Strip(strip(1), StripParam::Pan), AutoMode::Latch),
        (ParamId::Strip(strip(2), StripParam::Fader), AutoMode::Write),
        (ParamId::Strip(strip(3), StripParam::Trim), AutoMode::Trim),
        (ParamId::Strip(strip(4), StripParam::Mute), AutoMode::Touch),
        (s.processor_param(first_eq, "p1_gain").unwrap(), AutoMode::Touch),
        (ParamId::Strip(vca, StripParam::Fader), AutoMode::Latch),
    ];
    for (i, (p, mode)) in params.iter().enumerate() {
        let info = s.param_info(*p).unwrap();
        let lane = s.lane_mut(*p);
        lane.mode = *mode;
        if i % 2 == 0 {
            lane.add_point(Point { time: 10_007, value: info.clamp(0.0), shape: Shape::Linear });
            lane.add_point(Point { time: 90_011, value: info.clamp(-1.0), shape: Shape::SCurve });
        }
    }
    let pool = MediaPool::new();
    let (mut h, mut core) = Engine::manual(48_000, 256);
    h.swap_graph(prepare(&s, dir.path(), &pool, 4096).unwrap()).unwrap();
    let rate = 48_000u64;
    let mut passes = 0;
    h.play();
    for i in 0..3000usize {
        let (p, _) = params[i % params.len()];
        match i % 40 {
            0 => h.touch_begin(p, 0.0),
            5..=25 => h.touch_value(p, -((i % 13) as f64) / 13.0),
            30 => h.touch_end(p),
            _ => {}
        }
        if i % 90 == 45 {
            h.set_mute(vca, i % 180 == 45);
        }
        if i % 250 == 125 {
            h.seek((i as u64 * 4099) % (30 * rate));
        }
        if i % 400 == 399 {
            h.stop();
        }
        if i % 400 == 20 {
            h.play();
        }
        if i == 1500 {
            h.set_loop(Some((10 * rate, 10 * rate + rate / 3)), true);
        }
        if i % 600 == 300 {
            h.swap_graph(prepare(&s, dir.path(), &pool, 4096).unwrap()).unwrap();
        }
        run_callback(&mut core, 256, 256);
        h.poll(|_| {});
        if i % 400 == 398 || i % 400 == 10 {
            // The app merges finished passes into its session.
            for edit in h.take_lane_edits(&s) {
                edit.apply(&mut s);
                passes += 1;
            }
        }
    }
    let c = h.counters();
    assert!(passes >= 20, "{passes} lanes written");
    let vca_lane = s.automation.iter().find(|l| l.param == ParamId::Strip(vca, StripParam::Fader));
    assert!(vca_lane.is_some_and(|l| l.points.len() > 2), "the VCA's lane was written: {vca_lane:?}");
    assert_eq!(c.record_overflows, 0);
    assert_eq!(c.alloc_violations, 0, "the audio thread allocated or freed {} times", c.alloc_violations);
}

#[test]
fn every_processor_kind_runs_live_without_allocating() {
    use mixdesk_engine::session::ParamId as P;
    let (dir, _) = demo_in_tempdir();
    let mut s = demo::session();
    let t = |i: usize, s: &mixdesk_engine::session::Session| StripRef::Track(s.tracks[i].id);
    let mut ids = Vec::new();
    // Every registered kind, so a new one cannot be left out.
    for (i, spec) in mixdesk_engine::dsp::kinds().iter().enumerate() {
        let strip = t(i % s.tracks.len(), &s);
        ids.push(s.add_processor(strip, spec.kind, usize::MAX).unwrap());
    }
    let keyed = s.add_processor(t(1, &s), "compressor", 0).unwrap();
    s.set_sidechain(keyed, Some(t(0, &s))).unwrap();
    ids.push(s.add_processor(StripRef::Master, "limiter", usize::MAX).unwrap());
    ids.push(s.add_processor(StripRef::Master, "eq", 0).unwrap());
    let pool = MediaPool::new();
    let (mut h, mut core) = Engine::manual(48_000, 256);
    h.swap_graph(prepare(&s, dir.path(), &pool, 4096).unwrap()).unwrap();
    h.play();
    let mut reductions = 0;
    for i in 0..2000usize {
        let p = ids[i % ids.len()];
        let kind = mixdesk_engine::dsp::kind(&s.processor(p).unwrap().kind).unwrap();
        let index = (i * 7) % kind.params.len();
        let info = kind.params[index];
        let v = info.min + (info.max - info.min) * ((i % 13) as f64 / 12.0);
        h.set_param(P::Processor(p, index as u16), v);
        if i % 23 == 0 {
            h.set_bypass(p, i % 46 == 0);
        }
        if i % 150 == 75 {
            s.set_param(P::Processor(p, index as u16), v);
            h.swap_graph(prepare(&s, dir.path(), &pool, 4096).unwrap()).unwrap();
        }
        run_callback(&mut core, 256, 256);
        h.poll(|e| {
            if let EngineEvent::GainReduction { .. } = e {
                reductions += 1;
            }
        });
    }
    let c = h.counters();
    assert!(reductions > 100, "gain reduction is reported for metering ({reductions} events)");
    assert_eq!(c.alloc_violations, 0, "the audio thread allocated or freed {} times", c.alloc_violations);
}

#[test]
fn no_processor_allocates_while_processing_or_taking_parameters() {
    use mixdesk_engine::dsp::{DspContext, kinds};
    for spec in kinds() {
        let values: Vec<f64> = spec.params.iter().map(|p| p.default).collect();
        let ctx = DspContext { sample_rate: 48_000, max_block: 512, bpm: 120.0 };
        let mut dsp = (spec.build)(&ctx, &values);
        let (mut l, mut r) = (vec![0.1f32; 512], vec![-0.1f32; 512]);
        let key = vec![0.5f32; 512];
        let before = assert_no_alloc::violation_count();
        assert_no_alloc::assert_no_alloc(|| {
            for k in 0..8 {
                for (i, p) in spec.params.iter().enumerate() {
                    dsp.set_param(i, p.min + (p.max - p.min) * f64::from(k) / 7.0);
                }
                dsp.process(&mut [&mut l, &mut r], spec.sidechain.then_some([&key[..], &key[..]]));
                dsp.process(&mut [&mut l], None);
            }
        });
        let n = assert_no_alloc::violation_count() - before;
        assert_eq!(n, 0, "{} allocated {n} times", spec.kind);
    }
}

#[test]
fn sidechain_keys_kept_in_time_play_live_without_allocating() {
    use mixdesk_engine::session::{ParamId as P, Session};
    // Every delay that lines a key up runs: the drums' key read early for a
    // compressor before a limiter on the bass, a track keyed by a limited
    // reverb bus (delayed before its compressor, so it plays late), and
    // compressors on the delay bus and the master keyed by the drums (their
    // keys delayed), two of them post-fader while the drums' fader moves and
    // the percussion is soloed and unsoloed (solo keeps a key bus's feed
    // playing). Graphs are swapped with the bass limiter's lookahead
    // changed (delays of new lengths) and unchanged (delays carried over).
    let (dir, _) = demo_in_tempdir();
    let mut s = demo::session();
    let track =
        |s: &Session, name: &str| StripRef::Track(s.tracks.iter().find(|t| t.name == name).unwrap().id);
    let bus = |s: &Session, name: &str| StripRef::Bus(s.buses.iter().find(|b| b.name == name).unwrap().id);
    let (drums, bass, perc) = (track(&s, "Drums"), track(&s, "Bass"), track(&s, "Percussion"));
    let (reverb, delay) = (bus(&s, "Reverb"), bus(&s, "Delay"));
    let keyed_compressor = |s: &mut Session, strip: StripRef, key: StripRef| {
        let id = s.add_processor(strip, "compressor", usize::MAX).unwrap();
        s.set_sidechain(id, Some(key)).unwrap();
        id
    };
    let mut keyed = vec![keyed_compressor(&mut s, bass, drums)];
    let bass_limiter = s.add_processor(bass, "limiter", usize::MAX).unwrap();
    let lookahead = s.processor_param(bass_limiter, "lookahead").unwrap();
    s.add_processor(reverb, "limiter", usize::MAX).unwrap();
    keyed.push(keyed_compressor(&mut s, perc, reverb));
    keyed.push(keyed_compressor(&mut s, delay, drums));
    // Two keys post-fader: the drums' fader and the reverb's feed them.
    for &p in &keyed[1..] {
        s.set_sidechain_post_fader(p, true).unwrap();
    }
    keyed.push(keyed_compressor(&mut s, StripRef::Master, drums));
    let pool = MediaPool::new();
    let g = prepare(&s, dir.path(), &pool, 4096).unwrap();
    let late = g.track_ids().iter().position(|&id| StripRef::Track(id) == perc).unwrap();
    assert!(g.track_latency(late) > 0, "the track keyed by the limited bus plays late");
    let (mut h, mut core) = Engine::manual(48_000, 256);
    h.swap_graph(g).unwrap();
    h.play();
    let mut swaps = 0;
    for i in 0..2000usize {
        let p = keyed[i % keyed.len()];
        if i % 29 == 0 {
            h.set_bypass(p, i % 58 == 0);
        }
        if i % 13 == 0 {
            h.set_param(P::Processor(p, 0), -40.0 + (i % 30) as f64);
        }
        if i % 100 == 50 {
            if i % 300 == 50 {
                s.set_param(lookahead, if i % 600 == 50 { 3.0 } else { 5.0 });
            }
            h.swap_graph(prepare(&s, dir.path(), &pool, 4096).unwrap()).unwrap();
            swaps += 1;
        }
        if i % 333 == 0 {
            h.seek((i as u64 * 4099) % (30 * 48_000));
        }
        if i % 17 == 0 {
            h.set_param(P::Strip(drums, mixdesk_engine::session::StripParam::Fader), -((i % 20) as f64));
        }
        if i % 41 == 0 {
            // Solo the track keyed by the reverb bus: the reverb's feed plays into it.
            h.set_solo(perc, i % 82 == 0);
        }
        run_callback(&mut core, 256, 256);
        h.poll(|_| {});
    }
    let c = h.counters();
    assert_eq!(swaps, 20);
    assert_eq!(c.alloc_violations, 0, "the audio thread allocated or freed {} times", c.alloc_violations);
}

/// Hosted LV2 plugins (packaging/setup.sh --test installs them) and the
/// workspace's CLAP test plugin (built by the test helper) played live
/// with their parameters swept, bypassed and graphs swapped: the host side
/// (port connection, parameter writes, the chain around them) allocates
/// nothing. A plugin's own C allocations go through libc's `malloc`, not
/// Rust's allocator, so this counter cannot see them (see docs/engine.md).
#[test]
fn hosted_plugins_run_live_without_allocating() {
    use mixdesk_engine::session::ParamId as P;
    mixdesk_tests::clap_plugin::test_plugin_dir();
    const KINDS: [&str; 9] = [
        "lv2:http://lv2plug.in/plugins/eg-amp",
        // Sidechain inputs, keyed from the next track (below).
        "lv2:http://lsp-plug.in/plugins/lv2/sc_compressor_stereo",
        "lv2:http://lsp-plug.in/plugins/lv2/sc_compressor_mono",
        // Needs blocks of at least 64: runs through the fixed-block adapter.
        "lv2:http://gareus.org/oss/lv2/convoLV2#Mono",
        "lv2:http://lsp-plug.in/plugins/lv2/compressor_mono",
        "lv2:http://lsp-plug.in/plugins/lv2/compressor_stereo",
        "lv2:http://gareus.org/oss/lv2/fil4#mono",
        "lv2:http://gareus.org/oss/lv2/nodelay",
        mixdesk_tests::clap_plugin::TEST_GAIN,
    ];
    for k in KINDS {
        assert!(mixdesk_engine::plugins::hosted(k).is_some(), "{k}: run packaging/setup.sh --test");
    }
    let (dir, _) = demo_in_tempdir();
    let mut s = demo::session();
    let mut ids = Vec::new();
    for (i, kind) in KINDS.iter().enumerate() {
        let strip = StripRef::Track(s.tracks[i % s.tracks.len()].id);
        let id = s.add_processor(strip, kind, usize::MAX).unwrap();
        if kind.contains("/sc_") {
            s.set_sidechain(id, Some(StripRef::Track(s.tracks[(i + 1) % s.tracks.len()].id))).unwrap();
        }
        ids.push(id);
    }
    ids.push(s.add_processor(StripRef::Master, KINDS[5], usize::MAX).unwrap());
    ids.push(s.add_processor(StripRef::Master, KINDS[0], usize::MAX).unwrap());
    let pool = MediaPool::new();
    let (mut h, mut core) = Engine::manual(48_000, 256);
    h.swap_graph(prepare(&s, dir.path(), &pool, 4096).unwrap()).unwrap();
    h.play();
    let mut latency_changes = 0;
    for i in 0..1500usize {
        let p = ids[i % ids.len()];
        let kind = mixdesk_engine::dsp::kind(&s.processor(p).unwrap().kind).unwrap();
        let index = (i * 7) % kind.params.len();
        let info = kind.params[index];
        // Keep the delay line short: a swept 192000-sample delay only slows the test.
        let v = if info.key == "delay" || info.name == "Delay" {
            100.0
        } else {
            info.min + (info.max - info.min) * ((i % 13) as f64 / 12.0)
        };
        h.set_param(P::Processor(p, index as u16), v);
        // The document takes the value too (the app compiles from it).
        s.processor_mut(p).unwrap().params.insert(info.key.to_owned(), info.clamp(v));
        if i % 23 == 0 {
            h.set_bypass(p, i % 46 == 0);
        }
        if i % 300 == 150 {
            h.swap_graph(prepare(&s, dir.path(), &pool, 4096).unwrap()).unwrap();
        }
        run_callback(&mut core, 256, 256);
        // A plugin whose latency followed its parameter (nodelay's and the
        // CLAP plugin's delay) is answered as the app answers it: a new
        // graph, taking over the LV2 instance that changed.
        let mut changed = false;
        h.poll(|e| changed |= matches!(e, EngineEvent::LatencyChanged(_)));
        if changed {
            latency_changes += 1;
            h.swap_graph(prepare(&s, dir.path(), &pool, 4096).unwrap()).unwrap();
        }
    }
    let c = h.counters();
    assert!(latency_changes > 0, "a latency change was reported and answered");
    assert_eq!(c.alloc_violations, 0, "the audio thread allocated or freed {} times", c.alloc_violations);
}
