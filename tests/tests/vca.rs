//! VCA faders through the whole product: the bounce (files on disk) and the
//! live callback. A VCA adds its dB to its members' faders and its lane
//! multiplies theirs: the result must equal the members' faders moved by the
//! VCA's dB, as closed forms and as the same session with the VCA's dB
//! written into the members' own lanes.

use std::path::Path;

use mixdesk_engine::bounce::{BitDepth, BounceOptions, bounce};
use mixdesk_engine::media::MediaPool;
use mixdesk_engine::realtime::Engine;
use mixdesk_engine::session::{
    Bus, BusId, Lane, ParamId, Point, Session, Shape, StripParam, StripRef, TrackId, Vca, validate,
};
use mixdesk_engine::units::{Decibels, SampleTime};
use mixdesk_tests::{compile_with, media, read_wav, run_callback, sine_wave, track, write_wav_f32};

const N: usize = 48_000;
const VCA: BusId = BusId(50);
const FADERS: [f64; 2] = [-3.0, 2.5];

fn signals() -> [Vec<f32>; 2] {
    [sine_wave(440.0, 0.25, N), sine_wave(1000.0, 0.2, N)]
}

/// Two mono tracks centred (-3 dB law: cos(pi/4) each side) at their own
/// faders, both answering to a VCA at `vca_db`.
fn session(vca_db: f64) -> Session {
    let mut s = Session::new(48_000);
    for (i, f) in FADERS.iter().enumerate() {
        let mut t = track(i as u32 + 1, &format!("t{i}.wav"), 0, N as u64);
        t.strip.fader_db = Decibels(*f);
        s.tracks.push(t);
    }
    let mut v = Bus::new(VCA, "Drums VCA");
    v.strip.fader_db = Decibels(vca_db);
    v.vca = Some(Vca { members: vec![StripRef::Track(TrackId(1)), StripRef::Track(TrackId(2))] });
    s.buses.push(v);
    validate(&s).expect("the VCA session validates");
    s
}

fn lane(param: ParamId, points: &[(u64, f64)]) -> Lane {
    let mut l = Lane::new(param);
    l.points = points.iter().map(|&(time, value)| Point { time, value, shape: Shape::Linear }).collect();
    l
}

/// Bounces `s` to a 32-bit float WAV through `bounce::bounce` with the
/// signals on disk.
fn bounced(s: &Session) -> [Vec<f32>; 2] {
    let dir = tempfile::tempdir().unwrap();
    for (i, x) in signals().iter().enumerate() {
        write_wav_f32(&dir.path().join(format!("t{i}.wav")), 48_000, std::slice::from_ref(x));
    }
    let out = dir.path().join("mix.wav");
    let opts = BounceOptions {
        depth: BitDepth::Float32,
        report: false,
        end: Some(SampleTime(N as u64)),
        ..BounceOptions::default()
    };
    bounce(s, dir.path(), &MediaPool::new(), &out, &opts, &mut |_| true)
        .unwrap_or_else(|e| panic!("bounce: {e}"));
    stereo(&out)
}

fn stereo(path: &Path) -> [Vec<f32>; 2] {
    let (_, mut ch) = read_wav(path);
    let r = ch.pop().unwrap();
    [ch.pop().unwrap(), r]
}

/// Sum of each track at `gain_db[i]`, centred with the -3 dB law.
fn closed_form(gain_db: impl Fn(usize, usize) -> f64) -> Vec<f64> {
    let x = signals();
    let c = std::f64::consts::FRAC_PI_4.cos();
    (0..N).map(|n| (0..2).map(|i| 10f64.powf(gain_db(i, n) / 20.0) * c * f64::from(x[i][n])).sum()).collect()
}

fn worst(got: &[f32], want: &[f64], from: usize) -> f64 {
    got[from..].iter().zip(&want[from..]).map(|(g, w)| (f64::from(*g) - w).abs()).fold(0.0, f64::max)
}

#[test]
fn a_vca_moves_its_members_faders_by_its_db_in_the_bounce() {
    let got = bounced(&session(-7.5));
    let want = closed_form(|i, _| FADERS[i] - 7.5);
    for (c, ch) in got.iter().enumerate() {
        let w = worst(ch, &want, 0);
        assert!(w < 1e-6, "channel {c}: the bounce differs from faders + VCA dB by {w}");
    }
    // And not by the members' faders alone (the VCA is heard).
    let alone = closed_form(|i, _| FADERS[i]);
    assert!(worst(&got[0], &alone, 0) > 0.01, "the VCA changed nothing");
}

#[test]
fn a_vca_lane_multiplies_the_members_lanes_exactly() {
    // The VCA ramps -20 -> +6 dB and back; track 1 has a lane of its own.
    let vca_pts = [(0, -20.0), (12_000, 6.0), (30_000, -4.0), (N as u64, 0.0)];
    let own_pts = [(0, -3.0), (12_000, -9.0), (30_000, 0.0), (N as u64, -1.0)];
    let mut with_vca = session(0.0);
    with_vca.automation.push(lane(ParamId::Strip(StripRef::Bus(VCA), StripParam::Fader), &vca_pts));
    with_vca.automation.push(lane(ParamId::Strip(StripRef::Track(TrackId(1)), StripParam::Fader), &own_pts));
    validate(&with_vca).unwrap();

    // The same mix written without a VCA: the VCA's dB added to each member's lane.
    let mut by_hand = session(0.0);
    by_hand.buses.clear();
    let sum = |a: &[(u64, f64)], b: &[(u64, f64)]| -> Vec<(u64, f64)> {
        a.iter().zip(b).map(|(&(t, x), &(_, y))| (t, x + y)).collect()
    };
    let plain = [(0, FADERS[1]), (12_000, FADERS[1]), (30_000, FADERS[1]), (N as u64, FADERS[1])];
    by_hand
        .automation
        .push(lane(ParamId::Strip(StripRef::Track(TrackId(1)), StripParam::Fader), &sum(&own_pts, &vca_pts)));
    by_hand
        .automation
        .push(lane(ParamId::Strip(StripRef::Track(TrackId(2)), StripParam::Fader), &sum(&plain, &vca_pts)));

    let (a, b) = (bounced(&with_vca), bounced(&by_hand));
    for c in 0..2 {
        let w = a[c].iter().zip(&b[c]).map(|(x, y)| (x - y).abs()).fold(0.0f32, f32::max);
        assert!(w < 1e-6, "channel {c}: VCA lane vs the members' summed lanes differ by {w}");
    }
    // At the lane's 6 dB peak (sample 12 000) the members play faders + 6 dB.
    let want = closed_form(|i, _| if i == 0 { -9.0 + 6.0 } else { FADERS[1] + 6.0 });
    let at = 12_000;
    assert!((f64::from(a[0][at]) - want[at]).abs() < 1e-4, "at the peak: {} vs {}", a[0][at], want[at]);
}

#[test]
fn a_muted_vca_mutes_its_members_and_a_member_leaving_is_heard_again() {
    let mut s = session(0.0);
    s.buses.iter_mut().find(|b| b.id == VCA).unwrap().strip.mute = true;
    let got = bounced(&s);
    let peak = got[0].iter().fold(0.0f32, |m, x| m.max(x.abs()));
    assert!(peak == 0.0, "a muted VCA let its members through: peak {peak}");
    s.buses
        .iter_mut()
        .find(|b| b.id == VCA)
        .unwrap()
        .vca
        .as_mut()
        .unwrap()
        .members
        .retain(|m| *m != StripRef::Track(TrackId(2)));
    let got = bounced(&s);
    let want = closed_form(|i, _| if i == 0 { f64::NEG_INFINITY } else { FADERS[1] });
    let w = worst(&got[0], &want, 0);
    assert!(w < 1e-6, "track 2 left the muted VCA but is not heard at its own fader: {w}");
}

#[test]
fn moving_a_vca_live_moves_its_members_in_the_callback() {
    let s = session(0.0);
    let x = signals();
    let sources = [("t0.wav", media(vec![x[0].clone()])), ("t1.wav", media(vec![x[1].clone()]))];
    let graph = compile_with(&s, &sources);
    let (mut handle, mut core) = Engine::manual(48_000, 4096);
    handle.swap_graph(graph).expect("the graph is accepted");
    handle.play();
    let first = run_callback(&mut core, 12_000, 256);
    assert!(
        handle.set_param(ParamId::Strip(StripRef::Bus(VCA), StripParam::Fader), -12.0),
        "the VCA has a slot"
    );
    let second = run_callback(&mut core, 30_000, 256);
    let before = closed_form(|i, _| FADERS[i]);
    let after = closed_form(|i, _| FADERS[i] - 12.0);
    // Past the 5 ms fade-in, and past the 5 ms smoothing after the move.
    let w1 = worst(&first[0], &before[..12_000], 480);
    let w2 = first[0].len() + 2_000;
    let w2 = worst(&second[0], &after[12_000..42_000], w2 - 12_000);
    assert!(w1 < 1e-5, "before the move the live mix is off by {w1}");
    assert!(w2 < 1e-5, "after the VCA moved -12 dB the live mix is off by {w2}");
    // The VCA's mute switch (what the window's M button sends) silences them.
    handle.set_mute(StripRef::Bus(VCA), true);
    let muted = run_callback(&mut core, 4_800, 256); // still inside the media
    let peak = muted[0][480..].iter().fold(0.0f32, |m, x| m.max(x.abs()));
    assert!(peak == 0.0, "the muted VCA still lets its members through live: peak {peak}");
}

#[test]
fn nothing_can_be_routed_into_a_vca_and_a_strip_answers_to_one_vca() {
    let mut s = session(0.0);
    s.tracks[0].output = mixdesk_engine::session::Output::Bus(VCA);
    let e = validate(&s).unwrap_err().to_string();
    assert!(e.contains("routed to a VCA"), "{e}");
    let mut s = session(0.0);
    let mut other = Bus::new(BusId(51), "Other VCA");
    other.vca = Some(Vca { members: vec![StripRef::Track(TrackId(1))] });
    s.buses.push(other);
    let e = validate(&s).unwrap_err().to_string();
    assert!(e.contains("two VCAs"), "{e}");
}
