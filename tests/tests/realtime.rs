//! The live engine through its real callback path, driven by hand so every
//! sample can be checked: declicking, parameter latency, and graph swaps.

use std::sync::Arc;

use mixdesk_engine::media::Media;
use mixdesk_engine::realtime::{AudioCore, EngineEvent};
use mixdesk_engine::realtime::{Engine, EngineHandle};
use mixdesk_engine::session::{
    Bus, BusId, Decibels, Output, Pan, PanLaw, ParamId, Send, SendId, SendParam, Session, StripParam,
    StripRef, TrackId,
};
use mixdesk_tests::{compile_with, media, noise, run_callback, sine_wave, track};

const RATE: usize = 48_000;
const BUFFER: usize = 256;
/// The smoothing and declick time, 5 ms, in samples.
const RAMP: usize = 240;

/// One mono track playing `signal`, panned centre with the 0 dB law so it
/// reaches both outputs at full scale.
fn single(signal: Vec<f32>) -> (Session, Vec<(&'static str, Arc<Media>)>) {
    let mut s = Session::new(48_000);
    s.pan_law = PanLaw::ZeroDb;
    let len = signal.len() as u64;
    s.tracks.push(track(1, "s", 0, len));
    (s, vec![("s", media(vec![signal]))])
}

fn start(session: &Session, sources: &[(&str, Arc<Media>)]) -> (EngineHandle, AudioCore) {
    let (mut handle, core) = Engine::manual(48_000, BUFFER as u32);
    handle.swap_graph(compile_with(session, sources)).unwrap();
    (handle, core)
}

fn largest_step(x: &[f32]) -> f32 {
    x.windows(2).map(|w| (w[1] - w[0]).abs()).fold(0.0, f32::max)
}

#[test]
fn seek_stop_and_loop_wrap_add_no_step_larger_than_the_signal_has() {
    let signal = sine_wave(1000.0, 1.0, 10 * RATE);
    let own = largest_step(&signal);
    let (s, src) = single(signal);
    let (mut h, mut core) = start(&s, &src);
    let mut out = Vec::new();
    let mut go = |core: &mut AudioCore, secs: f64| {
        out.extend(run_callback(core, (secs * 48_000.0) as usize, BUFFER)[0].clone())
    };

    h.play();
    go(&mut core, 0.25);
    h.seek(2 * RATE as u64 + 7); // a different phase of the sine
    go(&mut core, 0.25);
    let (a, b) = (3 * RATE as u64 + 3, 3 * RATE as u64 + 12_011);
    h.seek(a);
    h.set_loop(Some((a, b)), true);
    go(&mut core, 1.0); // four wraps
    h.stop();
    go(&mut core, 0.1);

    let step = largest_step(&out);
    assert!(step <= own * 1.01, "largest step {step} vs the sine's own {own}");
    assert!(out.iter().fold(0.0f32, |m, x| m.max(x.abs())) > 0.999, "the sine was played");
    assert!(out[out.len() - 2400..].iter().all(|&x| x == 0.0), "silence after stop");
    // The loop really wrapped: the phase right after each wrap repeats the loop start's.
    let mut wraps = 0;
    h.poll(|e| {
        if let EngineEvent::Tick { position, .. } = e {
            wraps += usize::from(position < a + BUFFER as u64 && position >= a);
        }
    });
    assert!(wraps >= 3, "saw {wraps} wraps");
}

#[test]
fn a_fader_move_is_heard_within_one_buffer_plus_the_smoothing_time() {
    let (s, src) = single(vec![0.5; 2 * RATE]);
    let (mut h, mut core) = start(&s, &src);
    h.play();
    let before = run_callback(&mut core, 20 * BUFFER, BUFFER)[0].clone();
    assert!(before[RAMP..].iter().all(|&x| x == 0.5));
    h.set_param(ParamId::Strip(StripRef::Track(TrackId(1)), StripParam::Fader), -12.0);
    let after = run_callback(&mut core, 10 * BUFFER, BUFFER)[0].clone();
    let target = (0.5 * 10f64.powf(-12.0 / 20.0)) as f32;
    for (i, &x) in after.iter().enumerate().skip(BUFFER + RAMP) {
        assert!((x - target).abs() < 1e-6, "sample {i} after the change: {x}, want {target}");
    }
    // It glides there: monotonic, no jump bigger than an even share of the ramp
    // (in dB the steps are even; in amplitude the first is the largest).
    let glide = &after[..BUFFER + RAMP];
    assert!(glide.windows(2).all(|w| w[1] <= w[0]));
    let first_step = 0.5 * (1.0 - 10f32.powf(-12.0 / 20.0 / RAMP as f32));
    assert!(largest_step(glide) <= first_step * 1.2, "{} vs {first_step}", largest_step(glide));
    assert!(after[0] > 0.49, "the change is smoothed, not instant");
}

/// A session that exercises every live gain: mono and stereo tracks, a group
/// bus, pre- and post-fader sends to an effects bus.
fn rich_session() -> (Session, Vec<(&'static str, Arc<Media>)>) {
    let n = 4 * RATE;
    let mut s = Session::new(48_000);
    let mut a = track(1, "a", 0, n as u64);
    a.output = Output::Bus(BusId(10));
    a.strip.sends.push(Send {
        id: SendId(20),
        target: BusId(11),
        level_db: Decibels(-6.0),
        pan: Pan(0.3),
        pre_fader: false,
    });
    let mut b = track(2, "b", 1000, (n - 1000) as u64);
    b.strip.pan = Pan(-0.4);
    b.strip.sends.push(Send {
        id: SendId(21),
        target: BusId(11),
        level_db: Decibels(-3.0),
        pan: Pan::CENTRE,
        pre_fader: true,
    });
    let c = track(3, "c", 0, n as u64);
    s.tracks = vec![a, b, c];
    for (id, name, out) in [(10, "group", Output::Master), (11, "fx", Output::Master)] {
        s.buses.push(Bus {
            id: BusId(id),
            name: name.into(),
            colour: Default::default(),
            comment: String::new(),
            strip: Default::default(),
            output: out,
            vca: None,
        });
    }
    let src = vec![
        ("a", media(vec![noise(1, n, 0.5), noise(2, n, 0.5)])),
        ("b", media(vec![sine_wave(220.0, 0.7, n)])),
        ("c", media(vec![noise(3, n, 0.3)])),
    ];
    (s, src)
}

#[test]
fn swapping_in_an_equivalent_graph_while_playing_and_gliding_changes_nothing() {
    let (mut session, src) = rich_session();
    let (mut plain, mut core_plain) = start(&session, &src);
    let (mut swapped, mut core_swapped) = start(&session, &src);
    let moves: [(usize, ParamId, f64); 5] = [
        (10, ParamId::Strip(StripRef::Track(TrackId(1)), StripParam::Fader), -9.0),
        (12, ParamId::Strip(StripRef::Track(TrackId(2)), StripParam::Pan), 0.8),
        (30, ParamId::Send(SendId(20), SendParam::Level), -20.0),
        (31, ParamId::Strip(StripRef::Bus(BusId(10)), StripParam::Width), 0.4),
        (50, ParamId::Strip(StripRef::Master, StripParam::Fader), -2.0),
    ];
    plain.play();
    swapped.play();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut swaps = 0;
    for block in 0..200 {
        for &(at, id, v) in &moves {
            if at == block {
                plain.set_param(id, v);
                swapped.set_param(id, v);
                session.set_param(id, v);
            }
        }
        if block == 60 {
            for h in [&mut plain, &mut swapped] {
                h.set_solo(StripRef::Track(TrackId(3)), true);
            }
            session.tracks[2].strip.solo = true;
        }
        // Swap mid-glide and at rest: every block from 10 to 33, then every tenth.
        if (10..34).contains(&block) || block % 10 == 5 {
            swapped.swap_graph(compile_with(&session, &src)).unwrap();
            swaps += 1;
        }
        let [l, r] = run_callback(&mut core_plain, BUFFER, BUFFER);
        a.extend(l.into_iter().zip(r));
        let [l, r] = run_callback(&mut core_swapped, BUFFER, BUFFER);
        b.extend(l.into_iter().zip(r));
        swapped.poll(|_| {});
        plain.poll(|_| {});
    }
    assert!(swaps >= 20);
    let (mut err, mut sig) = (0.0f64, 0.0f64);
    for ((al, ar), (bl, br)) in a.iter().zip(&b) {
        err += f64::from(al - bl).powi(2) + f64::from(ar - br).powi(2);
        sig += f64::from(*al).powi(2) + f64::from(*ar).powi(2);
    }
    assert!(sig > 0.0);
    let residual = 10.0 * (err.max(1e-300) / sig).log10();
    assert!(residual < -120.0, "residual {residual:.1} dB");
}

#[test]
fn a_track_added_by_a_swap_fades_in_instead_of_clicking() {
    let (mut session, src) = rich_session();
    let keep = session.tracks.remove(2);
    let (mut h, mut core) = start(&session, &src);
    h.play();
    run_callback(&mut core, 10 * BUFFER, BUFFER);
    // Silence everything else so the new track is heard alone (the fx bus too:
    // track 2's pre-fader send keeps feeding it through the track's mute).
    for t in [1, 2] {
        h.set_mute(StripRef::Track(TrackId(t)), true);
        session.tracks.iter_mut().find(|x| x.id == TrackId(t)).unwrap().strip.mute = true;
    }
    h.set_mute(StripRef::Bus(BusId(11)), true);
    session.buses[1].strip.mute = true;
    run_callback(&mut core, 10 * BUFFER, BUFFER);
    session.tracks.push(keep);
    h.swap_graph(compile_with(&session, &src)).unwrap();
    let [l, _] = run_callback(&mut core, 4 * BUFFER, BUFFER);
    // The noise track is up to 0.3 at -3 dB: without a fade the first sample would jump by up to 0.21.
    assert!(l[0].abs() < 0.3 * 0.7072 / RAMP as f32 * 1.01, "first sample {}", l[0]);
    assert!(l[RAMP..].iter().any(|x| x.abs() > 0.1), "the new track plays");
}

#[test]
fn nan_from_one_track_is_silenced_and_reported_with_that_track() {
    let (mut s, mut src) = single(vec![0.25; RATE]);
    let mut bad = vec![0.1f32; RATE];
    bad[3000] = f32::NAN;
    bad[3001] = f32::INFINITY;
    s.tracks.push(track(2, "bad", 0, RATE as u64));
    src.push(("bad", media(vec![bad])));
    let (mut h, mut core) = start(&s, &src);
    h.play();
    let [l, r] = run_callback(&mut core, 8192, BUFFER);
    assert!(l.iter().chain(&r).all(|x| x.is_finite()), "non-finite samples reached the output");
    // The good track plays on through the bad block.
    assert!(l[RAMP..].iter().all(|&x| x >= 0.25 - 1e-6), "the good track was silenced too");
    let mut reports = Vec::new();
    h.poll(|e| {
        if let EngineEvent::NonFinite { strip, samples } = e {
            reports.push((strip, samples));
        }
    });
    assert!(!reports.is_empty(), "nothing reported");
    assert!(reports.iter().all(|(strip, n)| *strip == StripRef::Track(TrackId(2)) && *n > 0), "{reports:?}");
}

#[test]
fn full_queues_count_overflows_instead_of_failing() {
    let (s, src) = single(vec![0.25; RATE]);
    let (mut h, mut core) = start(&s, &src);
    // Commands: far more than the queue holds, with no callback draining it.
    let mut refused = 0;
    for i in 0..10_000 {
        if h.send(mixdesk_engine::realtime::EngineCommand::Seek(i)).is_err() {
            refused += 1;
        }
    }
    assert!(refused > 0);
    assert_eq!(h.counters().command_overflows, refused);
    // Events: run far more callbacks than the event queue holds without polling.
    for _ in 0..20_000 {
        run_callback(&mut core, 64, 64);
    }
    // A graph swap still gets its garbage back through the reserved room.
    h.swap_graph(compile_with(&s, &src)).unwrap();
    run_callback(&mut core, 64, 64);
    let mut dropped = 0;
    h.poll(|_| {});
    run_callback(&mut core, 64, 64);
    h.poll(|e| {
        if let EngineEvent::Tick { dropped_events, .. } = e {
            dropped = dropped_events;
        }
    });
    assert!(dropped > 0, "overflowing events were not counted");
    assert_eq!(h.graphs_in_flight(), 0, "the replaced graph did not come back");
}
