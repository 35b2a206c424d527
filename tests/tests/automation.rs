//! Automation playback: lanes drive strip gains exactly (against the analytic
//! curve at every sample, live and offline), steps land on their sample with
//! the documented declick, every shape matches its formula, thinning keeps a
//! recorded ride within tolerance, and processor lanes are heard in the bounce.

use std::sync::Arc;

use mixdesk_engine::bounce::{BounceOptions, bounce};
use mixdesk_engine::media::{Media, MediaPool};
use mixdesk_engine::realtime::Engine;
use mixdesk_engine::session::{
    self, AutoMode, Lane, ParamId, Point, Processor, ProcessorId, Session, Shape, StripParam, StripRef,
    TrackId,
};
use mixdesk_tests::{compile_with, media, read_wav, render, run_callback, sine_wave, track, write_wav_f32};

const RATE: usize = 48_000;

fn fader(track: u32) -> ParamId {
    ParamId::Strip(StripRef::Track(TrackId(track)), StripParam::Fader)
}

fn pt(time: u64, value: f64, shape: Shape) -> Point {
    Point { time, value, shape }
}

/// One stereo track of constant 1.0 (so the output is the strip's gain).
fn dc_session(frames: usize, points: Vec<Point>) -> (Session, Vec<(&'static str, Arc<Media>)>) {
    let mut s = Session::new(RATE as u32);
    s.tracks.push(track(1, "dc", 0, frames as u64));
    s.automation.push(Lane { param: fader(1), mode: AutoMode::Read, points });
    (s, vec![("dc", media(vec![vec![1.0; frames], vec![1.0; frames]]))])
}

fn db(x: f32) -> f64 {
    20.0 * f64::from(x).log10()
}

#[test]
fn a_fader_ramp_renders_the_analytic_curve_live_and_offline() {
    let frames = 4 * RATE;
    let (a, b) = (RATE as u64, 3 * RATE as u64);
    let (s, sources) = dc_session(frames, vec![pt(a, -20.0, Shape::Linear), pt(b, 0.0, Shape::Linear)]);
    let want = |t: u64| -> f64 {
        if t <= a {
            -20.0
        } else if t >= b {
            0.0
        } else {
            -20.0 + 20.0 * (t - a) as f64 / (b - a) as f64
        }
    };
    // Offline (bounce-sized blocks) and live (the callback, 256-frame buffers).
    let offline = render(&s, &sources, frames, 4096);
    let (mut handle, mut core) = Engine::manual(48_000, 256);
    handle.swap_graph(compile_with(&s, &sources)).unwrap();
    handle.play();
    let live = run_callback(&mut core, frames, 256);
    for (name, out) in [("offline", &offline), ("live", &live)] {
        // Skip the transport's 5 ms fade-in at the very start of live playback.
        for t in 480..frames {
            for c in 0..2 {
                let err = (db(out[c][t]) - want(t as u64)).abs();
                assert!(err < 0.01, "{name} sample {t}: {:.4} dB vs {:.4}", db(out[c][t]), want(t as u64));
            }
        }
    }
}

#[test]
fn a_step_lands_on_its_sample_and_arrives_16_samples_later() {
    let frames = RATE;
    let s_at = 20_003u64; // deliberately off the 16-sample grid
    let (s, sources) = dc_session(frames, vec![pt(0, -20.0, Shape::Step), pt(s_at, -6.0, Shape::Linear)]);
    let out = render(&s, &sources, frames, 512);
    let g = |d: f64| 10f64.powf(d / 20.0) as f32;
    let x = &out[0];
    let s_at = s_at as usize;
    assert!((x[s_at - 1] - g(-20.0)).abs() < 1e-6, "the sample before the step has the old value");
    assert!(x[s_at] > g(-20.0) * 1.01, "the step's own sample already moves: {}", x[s_at]);
    for k in s_at..s_at + 15 {
        assert!(x[k + 1] > x[k], "the declick rises monotonically at {k}");
    }
    for k in s_at + 15..s_at + 200 {
        assert!((x[k] - g(-6.0)).abs() < 1e-6, "arrived by sample s + 15 ({k}: {})", x[k]);
    }
    // No overshoot on the way.
    assert!(x[s_at..s_at + 15].iter().all(|v| *v < g(-6.0)));
}

#[test]
fn every_shape_matches_its_formula() {
    use std::f64::consts::PI;
    type Formula = Box<dyn Fn(f64) -> f64>;
    let cases: Vec<(Shape, Formula)> = vec![
        (Shape::Linear, Box::new(|x| x)),
        (Shape::Exponential, Box::new(|x| (2f64.powf(4.0 * x) - 1.0) / 15.0)),
        (Shape::Logarithmic, Box::new(|x| 1.0 - (2f64.powf(4.0 * (1.0 - x)) - 1.0) / 15.0)),
        (Shape::SCurve, Box::new(|x| (1.0 - (PI * x).cos()) / 2.0)),
        (Shape::Bezier(0.0), Box::new(|x| x)),
        (Shape::Bezier(1.0), Box::new(|x| 1.0 - (1.0 - x).powi(3))),
        (Shape::Bezier(-1.0), Box::new(|x| x.powi(3))),
        (Shape::Step, Box::new(|x| if x < 1.0 { 0.0 } else { 1.0 })),
    ];
    for (shape, f) in cases {
        let lane = Lane {
            param: fader(1),
            mode: AutoMode::Read,
            points: vec![pt(1000, -30.0, shape), pt(2000, 6.0, Shape::Linear)],
        };
        for t in (900..=2100).step_by(7) {
            let x = ((t as f64 - 1000.0) / 1000.0).clamp(0.0, 1.0);
            let want = -30.0 + 36.0 * f(x);
            let got = lane.value_at(t).unwrap();
            assert!((got - want).abs() < 1e-9, "{shape:?} at {t}: {got} vs {want}");
        }
    }
}

#[test]
fn editing_operations_do_what_they_say() {
    let info = StripParam::Fader.info();
    let mut lane = Lane::new(fader(1));
    for (t, v) in [(100, -10.0), (300, -5.0), (200, -20.0), (400, 0.0)] {
        lane.add_point(pt(t, v, Shape::Linear));
    }
    assert_eq!(lane.points.iter().map(|p| p.time).collect::<Vec<_>>(), [100, 200, 300, 400]);
    let i = lane.move_point(1, 350, -12.0).unwrap();
    assert_eq!((lane.points[i].time, lane.points[i].value), (350, -12.0));
    let sel = lane.select_range(300, 400);
    assert_eq!(sel.len(), 2);
    lane.scale_offset(&sel, 2.0, -3.0, &info);
    assert_eq!(lane.points[1].value, -13.0);
    let clip = lane.copy(100, 360);
    lane.paste(1000, &clip);
    assert_eq!(lane.value_at(1000), lane.value_at(100));
    lane.delete_points(&lane.select_range(1000, 2000));
    assert_eq!(lane.points.len(), 4);
}

#[test]
fn thinning_a_slow_ride_removes_over_90_percent_within_tolerance() {
    // A recorded slow fader ride: one point every 32 samples for 10 s, a sum of
    // slow sines plus the small wobble of a hand on a fader.
    let tol = 0.1;
    let mut lane = Lane::new(fader(1));
    for i in 0..(10 * RATE / 32) {
        let t = (i * 32) as f64 / RATE as f64;
        let v = -12.0 + 4.0 * (0.3 * t).sin() + 1.5 * (1.1 * t + 0.4).sin() + 0.01 * (37.0 * t).sin();
        lane.add_point(pt((i * 32) as u64, v, Shape::Linear));
    }
    let before = lane.clone();
    let removed = lane.thin(tol);
    assert!(removed * 10 >= before.points.len() * 9, "removed {removed} of {}", before.points.len());
    for t in (0..10 * RATE as u64).step_by(5) {
        let (a, b) = (before.value_at(t).unwrap(), lane.value_at(t).unwrap());
        assert!((a - b).abs() <= tol + 1e-9, "at {t}: {a} vs {b}");
    }
}

#[test]
fn a_processor_lane_is_heard_in_the_bounce_and_lanes_save() {
    // A 1 kHz tone through an EQ whose peak band's gain is automated from 0 to +12 dB.
    let dir = tempfile::tempdir().unwrap();
    let x = sine_wave(1000.0, 0.1, 4 * RATE);
    write_wav_f32(&dir.path().join("tone.wav"), RATE as u32, &[x.clone(), x]);
    let mut s = Session::new(RATE as u32);
    s.tracks.push(track(1, "tone.wav", 0, 4 * RATE as u64));
    let eq = ProcessorId(5);
    let mut params = std::collections::BTreeMap::new();
    params.insert("p1_on".to_string(), 1.0);
    params.insert("p1_freq".to_string(), 1000.0);
    s.tracks[0].strip.processors.push(Processor {
        id: eq,
        kind: "eq".into(),
        bypassed: false,
        params,
        sidechain: None,
        sidechain_post_fader: false,
        state: None,
    });
    let gain = s.processor_param(eq, "p1_gain").expect("the EQ has a p1_gain");
    s.automation.push(Lane {
        param: gain,
        mode: AutoMode::Read,
        points: vec![pt(RATE as u64, 0.0, Shape::Linear), pt(3 * RATE as u64, 12.0, Shape::Linear)],
    });
    let path = dir.path().join("song.mixdesk");
    session::save(&s, &path).unwrap();
    let loaded = session::load(&path).unwrap();
    assert_eq!(loaded.automation, s.automation, "lanes round-trip through the file");
    let out = dir.path().join("mix.wav");
    let opts = BounceOptions { report: false, ..BounceOptions::default() };
    bounce(&loaded, dir.path(), &MediaPool::new(), &out, &opts, &mut |_| true).unwrap();
    let (_, ch) = read_wav(&out);
    let level = |from: usize| {
        let w = &ch[0][from..from + 4800];
        db(w.iter().fold(0.0f32, |m, v| m.max(v.abs())) / 0.1)
    };
    // Mono-compatible reading: the tone's level follows the lane (the EQ glides with its own smoothing).
    assert!(level(RATE / 2).abs() < 0.1, "before the lane moves: {}", level(RATE / 2));
    assert!((level(2 * RATE - 2400) - 6.0).abs() < 0.3, "halfway: {}", level(2 * RATE - 2400));
    assert!((level(3 * RATE + 4800) - 12.0).abs() < 0.1, "at the end: {}", level(3 * RATE + 4800));
}
