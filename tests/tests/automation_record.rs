//! Automation writing: Touch, Latch, Write and Trim passes scripted through
//! the engine handle at known sample positions (gestures are applied at the
//! start of the callback that reads them), checked against the values the
//! script implies: the audio heard live sample by sample, the merged lane,
//! the merged lane bounced offline against the live pass, the glide back
//! after a Touch release, the Write fallback to Touch, the Trim offset on top
//! of a moving lane, Latch holding until stop, mute lanes (played and
//! written) on their exact samples, thinning of a recorded ride, undo of a
//! pass, and lanes evaluated at the time their audio is heard on
//! delay-compensated strips.

use std::sync::Arc;

use mixdesk_engine::media::Media;
use mixdesk_engine::realtime::{AudioCore, Engine, EngineHandle};
use mixdesk_engine::session::pass::{
    GUARD, LaneEdit, Pass, Sample, TOUCH_GLIDE_SECONDS, merge_pass, tolerance,
};
use mixdesk_engine::session::{
    self, AutoMode, Bus, BusId, Colour, Lane, Output, ParamId, Point, Processor, ProcessorId, Session, Shape,
    Strip, StripParam, StripRef, TrackId,
};
use mixdesk_tests::{compile_with, media, render, run_callback, track};

const RATE: usize = 48_000;
const BUF: usize = 256;
/// The glide back after a Touch release, in samples.
const GLIDE: u64 = (TOUCH_GLIDE_SECONDS * RATE as f64) as u64;
/// The transport's fade in and out (5 ms).
const FADE: usize = 240;
/// Where the scripts grab, move and let go, and stop (all on buffer boundaries).
const GRAB: u64 = 200 * BUF as u64;
const MOVE: u64 = 300 * BUF as u64;
const LET_GO: u64 = 400 * BUF as u64;
const STOP: u64 = 700 * BUF as u64;
/// The thinning tolerance of a gain, dB.
const TOL: f64 = 0.1;

fn strip(track: u32, p: StripParam) -> ParamId {
    ParamId::Strip(StripRef::Track(TrackId(track)), p)
}

fn fader() -> ParamId {
    strip(1, StripParam::Fader)
}

fn pt(time: u64, value: f64, shape: Shape) -> Point {
    Point { time, value, shape }
}

/// The lane under every pass: a ramp from -20 dB at 0 to -10 dB at 4 s.
fn ramp(t: u64) -> f64 {
    -20.0 + 10.0 * (t.min(4 * RATE as u64)) as f64 / (4 * RATE) as f64
}

/// One stereo track of constant 1.0 (the output is the strip's gain) with a
/// fader lane following [`ramp`] in `mode`.
fn dc_session(mode: AutoMode) -> (Session, Vec<(&'static str, Arc<Media>)>) {
    let frames = 12 * RATE;
    let mut s = Session::new(RATE as u32);
    s.tracks.push(track(1, "dc", 0, frames as u64));
    s.automation.push(Lane {
        param: fader(),
        mode,
        points: vec![pt(0, -20.0, Shape::Linear), pt(4 * RATE as u64, -10.0, Shape::Linear)],
    });
    (s, vec![("dc", media(vec![vec![1.0; frames], vec![1.0; frames]]))])
}

fn db(x: f32) -> f64 {
    20.0 * f64::from(x).log10()
}

/// A manual engine playing a session, its output kept; output sample `i` is
/// timeline sample `i` (playback starts at 0).
struct Rig {
    h: EngineHandle,
    core: AudioCore,
    out: [Vec<f32>; 2],
}

impl Rig {
    fn new(s: &Session, sources: &[(&str, Arc<Media>)]) -> Rig {
        let (mut h, core) = Engine::manual(RATE as u32, BUF as u32);
        h.swap_graph(compile_with(s, sources)).unwrap();
        Rig { h, core, out: [Vec::new(), Vec::new()] }
    }

    /// Renders until `t` samples have been played (a multiple of the buffer).
    fn run_to(&mut self, t: u64) {
        while (self.out[0].len() as u64) < t {
            let [l, r] = run_callback(&mut self.core, BUF, BUF);
            self.out[0].extend(l);
            self.out[1].extend(r);
            self.h.poll(|_| {});
        }
    }

    /// Stops at `t`, plays out the fade and returns the passes.
    fn stop_at(&mut self, t: u64) -> Vec<Pass> {
        self.run_to(t);
        self.h.stop();
        self.run_to(t + 2 * BUF as u64);
        self.h.take_passes()
    }
}

/// The fader's gain heard at output sample `t`, in dB.
fn heard(rig: &Rig, t: u64) -> f64 {
    db(rig.out[0][t as usize])
}

/// Checks the live output against `want(t)` (dB) for every sample in
/// `range`, except the 16 samples after each of `jumps` (where a gesture's
/// jump is ramped over one chunk).
fn check_live(rig: &Rig, range: std::ops::Range<u64>, jumps: &[u64], want: impl Fn(u64) -> f64, what: &str) {
    let mut worst = 0.0f64;
    for t in range.filter(|t| !jumps.iter().any(|j| (*j..j + 16).contains(t))) {
        let err = (heard(rig, t) - want(t)).abs();
        worst = worst.max(err);
        assert!(err < 1e-3, "{what}: live sample {t} is {:.5} dB, want {:.5}", heard(rig, t), want(t));
    }
    eprintln!("{what}: live worst error {worst:.2e} dB");
}

/// Checks a merged lane against `want(t)` within the thinning tolerance.
fn check_lane(
    lane: &Lane,
    range: std::ops::Range<u64>,
    jumps: &[u64],
    want: impl Fn(u64) -> f64,
    what: &str,
) {
    let mut worst = 0.0f64;
    for t in range.filter(|t| !jumps.iter().any(|j| (j.saturating_sub(16)..j + 16).contains(t))) {
        let got = lane.value_at(t).unwrap();
        worst = worst.max((got - want(t)).abs());
        assert!((got - want(t)).abs() <= TOL + 1e-6, "{what}: lane at {t} is {got:.4}, want {:.4}", want(t));
    }
    eprintln!("{what}: lane worst error {worst:.4} dB with {} points", lane.points.len());
}

/// Renders `session` offline and checks it against the live pass within the
/// thinning tolerance between the fades. Inside the 16-sample ramp after
/// each of `jumps` both glide monotonically between the same two values (live
/// linearly in gain over one chunk, the bounce over the chunks its
/// breakpoints cut); there only the ends are checked.
fn check_bounce(
    session: &Session,
    sources: &[(&str, Arc<Media>)],
    rig: &Rig,
    end: u64,
    jumps: &[u64],
    what: &str,
) {
    let offline = render(session, sources, end as usize, 4096);
    let mut worst = 0.0f64;
    for t in (FADE as u64..end).filter(|t| !jumps.iter().any(|j| (*j..j + 15).contains(t))) {
        let err = (db(offline[0][t as usize]) - heard(rig, t)).abs();
        worst = worst.max(err);
        assert!(
            err <= TOL + 1e-3,
            "{what}: bounce at {t} is {:.4} dB, live was {:.4}",
            db(offline[0][t as usize]),
            heard(rig, t)
        );
    }
    for &j in jumps {
        let (a, b) = (heard(rig, j - 1), heard(rig, j + 15));
        let (lo, hi) = (a.min(b) - 1e-4, a.max(b) + 1e-4);
        for t in j..j + 15 {
            let v = db(offline[0][t as usize]);
            assert!(
                (lo..=hi).contains(&v),
                "{what}: bounce ramp at {t} is {v:.4} dB, outside {a:.4}..{b:.4}"
            );
        }
    }
    eprintln!("{what}: bounce vs live worst {worst:.4} dB");
}

/// The one edit a pass makes on `session`, applied (and checked to revert exactly).
fn merged(session: &mut Session, passes: &[Pass]) -> LaneEdit {
    assert_eq!(passes.len(), 1, "one parameter wrote one pass: {passes:?}");
    let pass = &passes[0];
    let edit = merge_pass(session.lane(pass.param).unwrap(), pass, &session.param_info(pass.param).unwrap());
    let original = session.clone();
    assert!(edit.apply(session));
    assert_eq!(session.lane(pass.param), Some(&edit.after));
    let mut undone = session.clone();
    assert!(edit.revert(&mut undone));
    assert_eq!(undone, original, "reverting the edit restores the session exactly");
    edit
}

#[test]
fn touch_writes_while_held_and_glides_back_to_the_lane() {
    let (mut s, src) = dc_session(AutoMode::Touch);
    let mut rig = Rig::new(&s, &src);
    rig.h.play();
    rig.run_to(GRAB);
    rig.h.touch_begin(fader(), -6.0);
    rig.run_to(MOVE);
    rig.h.touch_value(fader(), -3.0);
    rig.run_to(LET_GO);
    rig.h.touch_end(fader());
    let passes = rig.stop_at(STOP);

    // What the script implies: the lane, the held values, then a linear glide
    // (in dB) from -3 dB to the moving lane, arriving GLIDE samples after release.
    let want = |t: u64| -> f64 {
        match t {
            t if t < GRAB => ramp(t),
            t if t < MOVE => -6.0,
            t if t < LET_GO => -3.0,
            t => {
                let x = ((t + 1 - LET_GO) as f64 / GLIDE as f64).min(1.0);
                -3.0 + (ramp(t) + 3.0) * x
            }
        }
    };
    check_live(&rig, FADE as u64..STOP, &[GRAB, MOVE], want, "touch");
    // The glide is audible and lands on the lane exactly after the glide time.
    let half = LET_GO - 1 + GLIDE / 2;
    assert!((heard(&rig, half) - (-3.0 + (ramp(half) + 3.0) / 2.0)).abs() < 1e-3);
    let arrived = LET_GO - 1 + GLIDE;
    assert!((heard(&rig, arrived) - ramp(arrived)).abs() < 1e-4, "glide arrives at {arrived}");
    assert!(
        (heard(&rig, LET_GO + 480) - ramp(LET_GO + 480)).abs() > 5.0,
        "still gliding 10 ms after release"
    );

    let edit = merged(&mut s, &passes);
    assert_eq!(edit.after.mode, AutoMode::Touch);
    check_lane(&edit.after, 0..STOP + 4 * RATE as u64, &[GRAB, MOVE], want, "touch");
    // Outside the written range (and its guard ramps) the lane is the old one exactly.
    for t in (0..GRAB - GUARD - 16).chain(arrived + GUARD..6 * RATE as u64).step_by(97) {
        assert!((edit.after.value_at(t).unwrap() - ramp(t)).abs() < 1e-9, "untouched at {t}");
    }
    check_bounce(&s, &src, &rig, STOP, &[GRAB, MOVE], "touch");
}

#[test]
fn latch_keeps_writing_the_last_value_until_stop() {
    let (mut s, src) = dc_session(AutoMode::Latch);
    let mut rig = Rig::new(&s, &src);
    rig.h.play();
    rig.run_to(GRAB);
    rig.h.touch_begin(fader(), -6.0);
    rig.run_to(MOVE);
    rig.h.touch_value(fader(), -3.0);
    rig.run_to(LET_GO);
    rig.h.touch_end(fader());
    let passes = rig.stop_at(STOP);
    let want = |t: u64| match t {
        t if t < GRAB => ramp(t),
        t if t < MOVE => -6.0,
        _ => -3.0,
    };
    check_live(&rig, FADE as u64..STOP, &[GRAB, MOVE], want, "latch");
    let edit = merged(&mut s, &passes);
    assert_eq!(edit.after.mode, AutoMode::Latch);
    // Written through the stop's fade-out, then joined to the old lane.
    let end = STOP + FADE as u64 - 1;
    check_lane(&edit.after, 0..end + 1, &[GRAB, MOVE], want, "latch");
    for t in end + GUARD..6 * RATE as u64 {
        assert!((edit.after.value_at(t).unwrap() - ramp(t)).abs() < 1e-9, "old lane after the pass at {t}");
    }
    check_bounce(&s, &src, &rig, STOP, &[GRAB, MOVE], "latch");
}

#[test]
fn write_overwrites_the_whole_pass_and_falls_back_to_touch() {
    let (mut s, src) = dc_session(AutoMode::Write);
    let mut rig = Rig::new(&s, &src);
    rig.h.play();
    rig.run_to(GRAB);
    rig.h.touch_begin(fader(), -8.0);
    rig.run_to(MOVE);
    rig.h.touch_value(fader(), -4.0);
    rig.run_to(LET_GO);
    rig.h.touch_end(fader());
    let passes = rig.stop_at(STOP);
    // Until touched, the control stays where the lane had it at the first
    // evaluation (the end of the first 16-sample chunk); released, it stays put.
    let first = ramp(15);
    let want = |t: u64| match t {
        t if t < GRAB => first,
        t if t < MOVE => -8.0,
        _ => -4.0,
    };
    check_live(&rig, FADE as u64..STOP, &[GRAB, MOVE], want, "write");
    let edit = merged(&mut s, &passes);
    assert_eq!(edit.before.mode, AutoMode::Write);
    assert_eq!(edit.after.mode, AutoMode::Touch, "a Write pass falls back to Touch");
    check_lane(&edit.after, 0..STOP, &[GRAB, MOVE], want, "write");
    check_bounce(&s, &src, &rig, STOP, &[GRAB, MOVE], "write");

    // The engine fell back too: playing again on the same graph without a
    // gesture writes nothing and plays the (old) lane.
    let start = rig.out[0].len() as u64;
    rig.h.seek(0);
    rig.h.play();
    rig.run_to(start + 2 * RATE as u64);
    let again = rig.stop_at(start + 2 * RATE as u64);
    assert!(again.is_empty(), "Touch without a touch writes nothing: {again:?}");
    assert!((heard(&rig, start + RATE as u64) - ramp(RATE as u64)).abs() < 1e-3);

    // With the edit applied and the graph recompiled, the written values play.
    rig.h.swap_graph(compile_with(&s, &src)).unwrap();
    let start = rig.out[0].len() as u64;
    rig.h.seek(0);
    rig.h.play();
    rig.run_to(start + LET_GO);
    let third = rig.stop_at(start + LET_GO);
    assert!(third.is_empty());
    assert!((heard(&rig, start + MOVE + 100) - -4.0).abs() <= TOL, "{}", heard(&rig, start + MOVE + 100));
}

#[test]
fn trim_adds_its_offset_to_the_moving_lane() {
    let (mut s, src) = dc_session(AutoMode::Trim);
    let mut rig = Rig::new(&s, &src);
    rig.h.play();
    rig.run_to(GRAB);
    rig.h.touch_begin(fader(), 0.0);
    rig.run_to(MOVE);
    rig.h.touch_value(fader(), 4.0);
    rig.run_to(LET_GO);
    rig.h.touch_end(fader());
    let passes = rig.stop_at(STOP);
    let offset = |t: u64| match t {
        t if t < MOVE => 0.0,
        t if t < LET_GO => 4.0,
        t => 4.0 * (1.0 - ((t + 1 - LET_GO) as f64 / GLIDE as f64).min(1.0)),
    };
    let want = |t: u64| ramp(t) + offset(t);
    check_live(&rig, FADE as u64..STOP, &[MOVE], want, "trim");
    assert_eq!(passes[0].mode, AutoMode::Trim);
    let edit = merged(&mut s, &passes);
    assert_eq!(edit.after.mode, AutoMode::Trim);
    check_lane(&edit.after, 0..STOP, &[MOVE], want, "trim");
    // Under the held offset the lane keeps its slope: +4 dB on the old ramp.
    for t in [MOVE + 1000, (MOVE + LET_GO) / 2, LET_GO - 100] {
        assert!((edit.after.value_at(t).unwrap() - (ramp(t) + 4.0)).abs() < 1e-6, "at {t}");
    }
    check_bounce(&s, &src, &rig, STOP, &[MOVE], "trim");
}

/// A session whose only lane is a mute lane on the DC track.
fn mute_session(mode: AutoMode, points: Vec<Point>) -> (Session, Vec<(&'static str, Arc<Media>)>) {
    let (mut s, src) = dc_session(AutoMode::Read);
    s.automation = vec![Lane { param: strip(1, StripParam::Mute), mode, points }];
    s.tracks[0].strip.fader_db.0 = 0.0;
    (s, src)
}

/// The declick of a mute step at `s`: sample `s - 1` is untouched, sample
/// `s + k` has moved `(k + 1)/16` of the way, `s + 15` has arrived.
fn check_mute_steps(out: &[f32], steps: &[(u64, bool)], what: &str) {
    for &(s, mute) in steps {
        let s = s as usize;
        let (from, to) = if mute { (1.0, 0.0) } else { (0.0, 1.0) };
        assert_eq!(out[s - 1], from, "{what}: the sample before {s} is untouched");
        for k in 0..16 {
            let want = from + (to - from) * (k + 1) as f32 / 16.0;
            assert!((out[s + k] - want).abs() < 1e-6, "{what}: {s}+{k} is {}, want {want}", out[s + k]);
        }
        assert!(out[s + 15..s + 200].iter().all(|&x| x == to), "{what}: arrived at {s}+15");
    }
}

#[test]
fn a_mute_lane_switches_on_its_exact_samples_live_and_offline_and_saves() {
    let (on, off) = (20_003u64, 30_011u64); // off the 16-sample grid
    let points = vec![pt(0, 0.0, Shape::Step), pt(on, 1.0, Shape::Step), pt(off, 0.0, Shape::Step)];
    let (s, src) = mute_session(AutoMode::Read, points);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mute.mixdesk");
    session::save(&s, &path).unwrap();
    assert_eq!(session::load(&path).unwrap().automation, s.automation, "a mute lane validates and saves");

    let offline = render(&s, &src, RATE, 512);
    check_mute_steps(&offline[0], &[(on, true), (off, false)], "offline");
    let mut rig = Rig::new(&s, &src);
    rig.h.play();
    rig.run_to(RATE as u64);
    check_mute_steps(&rig.out[0], &[(on, true), (off, false)], "live");
}

#[test]
fn a_touched_mute_is_written_as_steps_where_it_was_heard() {
    // An empty lane in Touch mode: it stands for the strip's own (unmuted) state.
    let (mut s, src) = mute_session(AutoMode::Touch, Vec::new());
    let mute = strip(1, StripParam::Mute);
    let mut rig = Rig::new(&s, &src);
    rig.h.play();
    rig.run_to(GRAB);
    rig.h.touch_begin(mute, 1.0);
    rig.run_to(LET_GO);
    rig.h.touch_end(mute); // a switch returns at once, no glide
    let passes = rig.stop_at(STOP);
    check_mute_steps(&rig.out[0], &[(GRAB, true), (LET_GO, false)], "live");
    let edit = merged(&mut s, &passes);
    let values: Vec<(u64, f64, Shape)> =
        edit.after.points.iter().map(|p| (p.time, p.value, p.shape)).collect();
    assert_eq!(
        values,
        [(GRAB - 16, 0.0, Shape::Step), (GRAB, 1.0, Shape::Step), (LET_GO, 0.0, Shape::Step)],
        "one step point per change, at the first sample it was heard"
    );
    let offline = render(&s, &src, STOP as usize, 4096);
    check_mute_steps(&offline[0], &[(GRAB, true), (LET_GO, false)], "bounced");
    assert_eq!(
        offline[0][FADE..STOP as usize],
        rig.out[0][FADE..STOP as usize],
        "the bounce is the live pass"
    );
}

#[test]
fn thinning_a_recorded_slow_ride_removes_over_90_percent_within_tolerance() {
    let (s, src) = dc_session(AutoMode::Touch);
    let mut rig = Rig::new(&s, &src);
    // A hand riding the fader for 10 s: a new value every buffer (5.3 ms).
    let ride = |t: u64| {
        let x = t as f64 / RATE as f64;
        -12.0 + 4.0 * (0.3 * x).sin() + 1.5 * (1.1 * x + 0.4).sin() + 0.01 * (37.0 * x).sin()
    };
    let (from, to) = (BUF as u64 * 20, BUF as u64 * 20 + 10 * RATE as u64);
    rig.h.play();
    rig.run_to(from);
    rig.h.touch_begin(fader(), ride(from));
    let mut t = from;
    while t < to {
        rig.h.touch_value(fader(), ride(t));
        t += BUF as u64;
        rig.run_to(t);
    }
    rig.h.touch_end(fader());
    let end = to + GLIDE + 2 * BUF as u64;
    let passes = rig.stop_at(end);
    assert_eq!(passes.len(), 1);
    let recorded = passes[0].len();
    let info = s.param_info(fader()).unwrap();
    assert_eq!(tolerance(&info), TOL);
    let edit = merge_pass(s.lane(fader()).unwrap(), &passes[0], &info);
    let kept = edit.after.points.len();
    eprintln!("recorded {recorded} samples, kept {kept} points");
    assert!(kept * 10 <= recorded, "kept {kept} of {recorded}");
    // The thinned lane, bounced, is the ride heard live within the tolerance.
    let mut merged = s.clone();
    edit.apply(&mut merged);
    check_bounce(&merged, &src, &rig, end, &[from], "ride");
}

#[test]
fn runs_merge_in_order_and_leave_the_lane_outside_untouched() {
    // Pure merging, against closed forms: two runs over a lane with a curved
    // segment; the second overlaps the first and wins.
    let info = StripParam::Fader.info();
    let lane = Lane {
        param: fader(),
        mode: AutoMode::Touch,
        points: vec![
            pt(0, -30.0, Shape::SCurve),
            pt(10_000, 0.0, Shape::Step),
            pt(20_000, -10.0, Shape::Linear),
        ],
    };
    let run = |a: u64, b: u64, v: f64| -> Vec<Sample> {
        (a..=b).step_by(16).map(|t| Sample { time: t, value: v, offset: 0.0 }).collect()
    };
    let pass = Pass {
        param: fader(),
        mode: AutoMode::Touch,
        runs: vec![run(3000, 6000, -6.0), run(5000, 7000, -3.0)],
    };
    let after = merge_pass(&lane, &pass, &info).after;
    let v = |t| after.value_at(t).unwrap();
    assert!((v(4000) - -6.0).abs() < 1e-9 && (v(5500) - -3.0).abs() < 1e-9 && (v(6990) - -3.0).abs() < 1e-9);
    // The S-curve cut at both ends is followed within the tolerance; the step
    // and everything after stay exact.
    for t in (0..3000 - GUARD).chain(7000 + GUARD..10_000) {
        assert!(
            (v(t) - lane.value_at(t).unwrap()).abs() <= TOL,
            "curve at {t}: {} vs {}",
            v(t),
            lane.value_at(t).unwrap()
        );
    }
    for t in 10_000..25_000 {
        assert_eq!(v(t), lane.value_at(t).unwrap(), "exact after the cut at {t}");
    }
    // Trim over a step: the offset rides on both sides and the step stays on its sample.
    let stepped = Lane {
        param: fader(),
        mode: AutoMode::Trim,
        points: vec![pt(0, -10.0, Shape::Step), pt(5000, -20.0, Shape::Linear)],
    };
    let offsets: Vec<Sample> =
        (3000..=7000).step_by(16).map(|t| Sample { time: t, value: 0.0, offset: 2.0 }).collect();
    let trim = Pass { param: fader(), mode: AutoMode::Trim, runs: vec![offsets] };
    let after = merge_pass(&stepped, &trim, &info).after;
    let v = |t| after.value_at(t).unwrap();
    assert_eq!(
        (v(2000), v(4000), v(4999), v(5000), v(6999), v(9000)),
        (-10.0, -8.0, -8.0, -18.0, -18.0, -20.0)
    );
    assert!(after.points.len() <= 8, "a held offset needs no points of its own: {:?}", after.points);

    // On an empty lane the first run is the lane (its ends hold); the second
    // run replaces its own range only.
    let empty = Lane::new(fader());
    let fresh = merge_pass(&empty, &pass, &info).after;
    let f = |t| fresh.value_at(t).unwrap();
    assert_eq!((f(0), f(4000), f(6500), f(100_000)), (-6.0, -6.0, -3.0, -6.0));
}

/// A 0.25 DC track whose inserts are a utility and a limiter with 10 ms of
/// lookahead (480 samples of latency the track reads ahead to cancel).
fn latent_session() -> (Session, Vec<(&'static str, Arc<Media>)>) {
    let frames = 2 * RATE;
    let mut s = Session::new(RATE as u32);
    s.tracks.push(track(1, "dc", 0, frames as u64));
    let mut lim = std::collections::BTreeMap::new();
    lim.insert("lookahead".to_string(), 10.0);
    lim.insert("ceiling".to_string(), 0.0);
    let strip = &mut s.tracks[0].strip;
    for (id, kind, params) in [(50, "utility", Default::default()), (51, "limiter", lim)] {
        strip.processors.push(Processor {
            id: ProcessorId(id),
            kind: kind.into(),
            bypassed: false,
            params,
            sidechain: None,
            sidechain_post_fader: false,
            state: None,
        });
    }
    (s, vec![("dc", media(vec![vec![0.25; frames], vec![0.25; frames]]))])
}

#[test]
fn trim_and_insert_lanes_on_a_delay_compensated_track_play_when_heard() {
    let step = 40_003u64;
    let (mut s, src) = latent_session();
    s.automation.push(Lane {
        param: strip(1, StripParam::Trim),
        mode: AutoMode::Read,
        points: vec![pt(0, 0.0, Shape::Step), pt(step, -6.0, Shape::Linear)],
    });
    let g = compile_with(&s, &src);
    assert_eq!(g.latency(), 0, "the track reads ahead");
    let out = render(&s, &src, RATE, 512);
    let (a, b) = (0.25f32, 0.25 * 10f32.powf(-6.0 / 20.0));
    let x = &out[0];
    let s_at = step as usize;
    assert!((x[s_at - 1] - a).abs() < 1e-6, "the trim has not moved before {step}: {}", x[s_at - 1]);
    assert!(x[s_at] < a - 1e-4, "and moves on its own sample");
    assert!((x[s_at + 15] - b).abs() < 1e-6, "arrived 15 samples later: {}", x[s_at + 15]);

    // The utility's gain, stepped from 0 to -12 dB: heard from the 32-sample
    // stretch holding the step, gliding with the utility's 5 ms smoothing
    // (without compensation it would move 480 samples early).
    let (mut s, src) = latent_session();
    let gain = s.processor_param(ProcessorId(50), "gain").unwrap();
    s.automation.push(Lane {
        param: gain,
        mode: AutoMode::Read,
        points: vec![pt(0, 0.0, Shape::Step), pt(step, -12.0, Shape::Linear)],
    });
    let out = render(&s, &src, RATE, 512);
    let half = 0.25 * 10f32.powf(-6.0 / 20.0);
    // (The first 480 output samples are the limiter's empty lookahead: skip them.)
    let crossing = 1000 + out[0][1000..].iter().position(|&v| v < half).unwrap() as u64;
    assert!(
        (step - 32..step + 240).contains(&crossing),
        "the utility's gain is halfway (in dB) at {crossing}"
    );
}

#[test]
fn a_bus_fader_lane_behind_a_latent_bus_plays_when_heard() {
    let step = 40_003u64;
    let frames = 2 * RATE;
    let mut s = Session::new(RATE as u32);
    s.tracks.push(track(1, "dc", 0, frames as u64));
    s.tracks[0].output = Output::Bus(BusId(10));
    let mut bus = Bus {
        id: BusId(10),
        name: "bus".into(),
        colour: Colour::default(),
        comment: String::new(),
        strip: Strip::default(),
        output: Output::Master,
        vca: None,
    };
    let mut lim = std::collections::BTreeMap::new();
    lim.insert("lookahead".to_string(), 10.0);
    lim.insert("ceiling".to_string(), 0.0);
    bus.strip.processors.push(Processor {
        id: ProcessorId(60),
        kind: "limiter".into(),
        bypassed: false,
        params: lim,
        sidechain: None,
        sidechain_post_fader: false,
        state: None,
    });
    s.buses.push(bus);
    s.automation.push(Lane {
        param: ParamId::Strip(StripRef::Bus(BusId(10)), StripParam::Fader),
        mode: AutoMode::Read,
        points: vec![pt(0, 0.0, Shape::Step), pt(step, -6.0, Shape::Linear)],
    });
    let src = vec![("dc", media(vec![vec![0.25; frames], vec![0.25; frames]]))];
    let latency = compile_with(&s, &src).latency() as u64;
    assert_eq!(latency, 480);
    let out = render(&s, &src, RATE, 512);
    // Output sample `t + latency` holds timeline sample `t`.
    let at = (step + latency) as usize;
    let (a, b) = (0.25f32, 0.25 * 10f32.powf(-6.0 / 20.0));
    assert!((out[0][at - 1] - a).abs() < 1e-6 && out[0][at] < a - 1e-4 && (out[0][at + 15] - b).abs() < 1e-6);
}
