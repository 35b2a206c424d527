//! Sidechain keys are delay-compensated: a keyed compressor hears its key at
//! the timeline time of its own input, whatever latency sits on either path.
//!
//! Each case keys a compressor with a very fast attack from a step that
//! starts at timeline sample `T` and feeds it a steady level, bounces the
//! session with stems, and checks that the gain reduction starts at exactly
//! `T` (within `TOLERANCE`, far tighter than the 5 ms lookahead that used to
//! move it), that the key's own strip still steps at `T`, and that the mix is
//! the sum of the stems (every strip lines up with the others). Without
//! compensation the reduction started `LOOKAHEAD` samples late in the first
//! two cases and `LOOKAHEAD` samples early in the third.

use std::path::{Path, PathBuf};

use mixdesk_engine::bounce::{BitDepth, BounceOptions, bounce};
use mixdesk_engine::graph::Serial;
use mixdesk_engine::media::MediaPool;
use mixdesk_engine::session::{
    AutoMode, Bus, BusId, Decibels, Lane, Output, ParamId, Point, ProcessorId, Session, Shape, StripParam,
    StripRef, TrackId,
};
use mixdesk_tests::{compile_with, media, read_wav, track, write_wav_f32};

const RATE: u32 = 48_000;
/// Frames in every clip and in the bounce.
const N: usize = 24_000;
/// Where the key steps up, in timeline samples.
const T: usize = 12_003;
/// The limiters' lookahead: 5 ms.
const LOOKAHEAD: usize = 240;
/// How far the reduction's onset may be from `T`.
const TOLERANCE: usize = 2;
const _: () = assert!(TOLERANCE * 10 < LOOKAHEAD, "the tolerance must tell compensated from not");
/// The key after its step (-6 dBFS, far over the threshold, under every ceiling).
const KEY: f32 = 0.5;
/// The steady level the compressor works on.
const LEVEL: f32 = 0.25;
/// A mono source at centre under the default -3 dB pan law.
const CENTRE: f32 = std::f32::consts::FRAC_1_SQRT_2;

fn bus(id: u32, name: &str, output: Output) -> Bus {
    Bus { output, ..Bus::new(BusId(id), name) }
}

fn set(s: &mut Session, id: ProcessorId, params: &[(&str, f64)]) {
    let p = s.processor_mut(id).unwrap();
    for (k, v) in params {
        p.params.insert((*k).to_owned(), *v);
    }
}

/// A 5 ms lookahead limiter at the end of `strip`; far under its ceiling, it only delays.
fn limiter(s: &mut Session, strip: StripRef) {
    let id = s.add_processor(strip, "limiter", usize::MAX).unwrap();
    set(s, id, &[("ceiling", 0.0), ("lookahead", 5.0)]);
}

/// A hard compressor with the shortest attack at the end of `strip`, keyed by `key`:
/// the step to `KEY` (34 dB over) asks for 32.3 dB of reduction, and a third of it
/// arrives on the step's first sample.
fn keyed_compressor(s: &mut Session, strip: StripRef, key: StripRef) {
    let id = s.add_processor(strip, "compressor", usize::MAX).unwrap();
    set(s, id, &[("threshold", -40.0), ("ratio", 20.0), ("knee", 0.0), ("attack", 0.05), ("release", 5.0)]);
    s.set_sidechain(id, Some(key)).unwrap();
}

/// Track 1 holds the key (silent, then `KEY` from `T`), track 2 a steady `LEVEL`.
fn session() -> Session {
    let mut s = Session::new(RATE);
    s.tracks.push(track(1, "key.wav", 0, N as u64));
    s.tracks.push(track(2, "level.wav", 0, N as u64));
    s
}

/// Case 1: track 2 is [compressor keyed by track 1, limiter]. It reads its
/// clips 5 ms early, so its key must be 5 ms early too.
fn before_a_limiter() -> Session {
    let mut s = session();
    let (key, keyed) = (StripRef::Track(TrackId(1)), StripRef::Track(TrackId(2)));
    keyed_compressor(&mut s, keyed, key);
    limiter(&mut s, keyed);
    s
}

/// Case 2: track 1 -> bus "Key" [limiter] -> master; track 2 is [compressor
/// keyed by the bus]. The bus's key is 5 ms late, so track 2 waits for it and
/// plays late too.
fn keyed_by_a_late_bus() -> Session {
    let mut s = session();
    s.buses.push(bus(10, "Key", Output::Master));
    s.tracks[0].output = Output::Bus(BusId(10));
    limiter(&mut s, StripRef::Bus(BusId(10)));
    keyed_compressor(&mut s, StripRef::Track(TrackId(2)), StripRef::Bus(BusId(10)));
    s
}

/// Case 3: track 2 -> bus "Late" [limiter] -> bus "Keyed" [compressor keyed
/// by track 1] -> master; track 1 -> master. "Keyed" hears its input 5 ms
/// late, so the track's key is delayed by as much.
fn on_a_late_bus() -> Session {
    let mut s = session();
    s.buses.push(bus(10, "Late", Output::Bus(BusId(11))));
    s.buses.push(bus(11, "Keyed", Output::Master));
    s.tracks[1].output = Output::Bus(BusId(10));
    limiter(&mut s, StripRef::Bus(BusId(10)));
    keyed_compressor(&mut s, StripRef::Bus(BusId(11)), StripRef::Track(TrackId(1)));
    s
}

fn sources() -> Vec<(&'static str, Vec<f32>)> {
    let key = (0..N).map(|i| if i < T { 0.0 } else { KEY }).collect();
    vec![("key.wav", key), ("level.wav", vec![LEVEL; N])]
}

/// A bounce's mix and stems (left channels), by stem file name.
struct Bounced {
    mix: Vec<f32>,
    stems: Vec<(String, Vec<f32>)>,
}

impl Bounced {
    fn stem(&self, suffix: &str) -> &[f32] {
        let found = self.stems.iter().find(|(name, _)| name.ends_with(suffix));
        &found.unwrap_or_else(|| panic!("no stem *{suffix} among {:?}", self.names())).1
    }

    fn names(&self) -> Vec<&str> {
        self.stems.iter().map(|(n, _)| n.as_str()).collect()
    }
}

fn bounce_with_stems(s: &Session) -> Bounced {
    let dir = tempfile::tempdir().unwrap();
    for (name, x) in sources() {
        write_wav_f32(&dir.path().join(name), RATE, &[x]);
    }
    let stems_dir = dir.path().join("stems");
    let out = dir.path().join("mix.wav");
    let opts = BounceOptions {
        depth: BitDepth::Float32,
        stems_dir: Some(stems_dir.clone()),
        ..BounceOptions::default()
    };
    let summary = bounce(s, dir.path(), &MediaPool::new(), &out, &opts, &mut |_| true).unwrap();
    assert_eq!(summary.frames, N as u64);
    let left = |p: &Path| read_wav(p).1.swap_remove(0);
    let stems = summary
        .stems
        .iter()
        .map(|p: &PathBuf| (p.file_name().unwrap().to_string_lossy().into_owned(), left(p)))
        .collect();
    Bounced { mix: left(&out), stems }
}

/// How a key arrives: a track's key is its signal before pan (`KEY`), a
/// bus's is its input, which its tracks reach panned (`KEY * CENTRE`).
#[derive(Clone, Copy)]
enum KeyFrom {
    Track,
    Bus,
}

/// The first sample where `x` has fallen under half its level at `T / 2`
/// (6 dB of reduction), after checking it is steady up to there and settles
/// where the static curve says under the key.
fn reduction_onset(x: &[f32], from: KeyFrom) -> usize {
    let key = match from {
        KeyFrom::Track => KEY,
        KeyFrom::Bus => KEY * CENTRE,
    };
    reduction_onset_under(x, key)
}

/// As [`reduction_onset`], for a key that steps to `key`.
fn reduction_onset_under(x: &[f32], key: f32) -> usize {
    let steady = x[T / 2];
    assert!((steady - LEVEL * CENTRE).abs() < 1e-4, "steady level {steady}");
    let onset =
        x.iter().skip(T / 2).position(|v| *v < steady / 2.0).expect("the compressor never reduced") + T / 2;
    // 20:1 above -40 dBFS with a hard knee: 95 % of the excess comes off.
    let want = steady * 10f32.powf(-(20.0 * key.log10() + 40.0) * 0.95 / 20.0);
    let settled = x[T + 2000];
    assert!((settled / want - 1.0).abs() < 1e-3, "settled at {settled}, expected {want}");
    onset
}

/// The first sample of a key's step in its own stem.
fn step_at(x: &[f32]) -> usize {
    let at = x.iter().position(|v| v.abs() > 0.01).expect("the key's stem is silent");
    assert!((x[at] - KEY * CENTRE).abs() < 1e-4, "the key's stem steps to {}", x[at]);
    at
}

fn assert_onset(what: &str, onset: usize) {
    assert!(
        onset.abs_diff(T) <= TOLERANCE,
        "{what}: the reduction starts at {onset}, {} samples from the key's step at {T}",
        onset as i64 - T as i64
    );
}

/// The mix is the sum of the stems, sample for sample: every strip lines up.
fn assert_stems_sum_to_the_mix(b: &Bounced, stems: &[&str]) {
    for (i, m) in b.mix.iter().enumerate() {
        let sum: f32 = stems.iter().map(|s| b.stem(s)[i]).sum();
        assert!((m - sum).abs() < 1e-5, "sample {i}: mix {m}, stems {sum} ({:?})", b.names());
    }
}

/// The same session on the live path (serial, 256-sample blocks, no
/// priming) with `mute` muted, which leaves its key playing: output sample
/// `t + latency` holds timeline sample `t`.
fn live_onset(s: &Session, mute: StripRef, from: KeyFrom) -> usize {
    let mut s = s.clone();
    s.strip_mut(mute).unwrap().mute = true;
    reduction_onset(&live_left(&s), from)
}

/// The left channel of `s` played on the live path (serial, 256-sample
/// blocks, no priming), its latency trimmed off.
fn live_left(s: &Session) -> Vec<f32> {
    let src: Vec<_> = sources().into_iter().map(|(n, x)| (n, media(vec![x]))).collect();
    let mut g = compile_with(s, &src);
    let latency = g.latency();
    let frames = N + latency;
    let (mut l, mut r) = (vec![0.0; frames], vec![0.0; frames]);
    for pos in (0..frames).step_by(256) {
        let end = (pos + 256).min(frames);
        g.process(pos as u64, &mut l[pos..end], &mut r[pos..end], &Serial);
    }
    l.split_off(latency)
}

#[test]
fn a_keyed_compressor_before_a_lookahead_limiter_hears_its_key_in_time() {
    let s = before_a_limiter();
    let src: Vec<_> = sources().into_iter().map(|(n, x)| (n, media(vec![x]))).collect();
    assert_eq!(compile_with(&s, &src).latency(), 0, "the key track reads ahead: no latency is added");
    let b = bounce_with_stems(&s);
    assert_onset("keyed track", reduction_onset(b.stem(" T2.wav"), KeyFrom::Track));
    assert_eq!(step_at(b.stem(" T1.wav")), T, "the key track itself stays on the timeline");
    assert_stems_sum_to_the_mix(&b, &[" T1.wav", " T2.wav"]);
    assert_onset("live", live_onset(&s, StripRef::Track(TrackId(1)), KeyFrom::Track));
}

#[test]
fn a_key_from_a_bus_with_a_lookahead_limiter_is_heard_in_time() {
    let s = keyed_by_a_late_bus();
    let src: Vec<_> = sources().into_iter().map(|(n, x)| (n, media(vec![x]))).collect();
    let g = compile_with(&s, &src);
    assert_eq!((g.latency(), g.track_latency(1)), (LOOKAHEAD, LOOKAHEAD), "track 2 plays as late as the bus");
    let b = bounce_with_stems(&s);
    assert_onset("track keyed by the bus", reduction_onset(b.stem(" T2.wav"), KeyFrom::Bus));
    assert_eq!(step_at(b.stem(" Key.wav")), T, "the bus's stem is trimmed of its latency");
    assert_eq!(step_at(b.stem(" T1.wav")), T);
    assert_stems_sum_to_the_mix(&b, &[" Key.wav", " T2.wav"]);
    assert_onset("live", live_onset(&s, StripRef::Bus(BusId(10)), KeyFrom::Bus));
}

#[test]
fn a_keyed_compressor_on_a_late_bus_hears_a_track_key_in_time() {
    let s = on_a_late_bus();
    let b = bounce_with_stems(&s);
    assert_onset("bus keyed by a track", reduction_onset(b.stem(" Keyed.wav"), KeyFrom::Track));
    assert_eq!(step_at(b.stem(" T1.wav")), T);
    assert_stems_sum_to_the_mix(&b, &[" T1.wav", " Keyed.wav"]);
    assert_onset("live", live_onset(&s, StripRef::Track(TrackId(1)), KeyFrom::Track));
}

fn fader_step(s: &mut Session, strip: StripRef, param: StripParam, at: u64) {
    s.automation.push(Lane {
        param: ParamId::Strip(strip, param),
        mode: AutoMode::Read,
        points: vec![
            Point { time: 0, value: 0.0, shape: Shape::Step },
            Point { time: at, value: -6.0, shape: Shape::Linear },
        ],
    });
}

/// `x` holds `before` up to `at - 1` and `before` -6 dB from `at + 15` (the
/// 16-sample declick of a step).
fn assert_steps_at(what: &str, x: &[f32], at: usize, before: f32) {
    let after = before * 10f32.powf(-6.0 / 20.0);
    assert!(
        (x[at - 1] - before).abs() < 1e-5 && x[at] < before - 1e-4 && (x[at + 15] - after).abs() < 1e-5,
        "{what}: {} {} {} around {at}, expected {before} then {after}",
        x[at - 1],
        x[at],
        x[at + 15]
    );
}

#[test]
fn lanes_on_tracks_moved_for_their_keys_play_when_heard() {
    // The key track of the first case reads ahead and delays its output back in
    // line: its fader and trim (no inserts: applied with the fader) still step
    // when heard.
    let mut s = before_a_limiter();
    let key = StripRef::Track(TrackId(1));
    fader_step(&mut s, key, StripParam::Fader, 16_001);
    fader_step(&mut s, key, StripParam::Trim, 20_011);
    let b = bounce_with_stems(&s);
    let x = b.stem(" T1.wav");
    assert_steps_at("fader of the key track", x, 16_001, KEY * CENTRE);
    assert_steps_at("trim of the key track", x, 20_011, KEY * CENTRE * 10f32.powf(-6.0 / 20.0));

    // The track keyed by a late bus plays late: its fader and its insert's
    // input gain (a utility after the compressor) still step when heard.
    let mut s = keyed_by_a_late_bus();
    let late = StripRef::Track(TrackId(2));
    let utility = s.add_processor(late, "utility", usize::MAX).unwrap();
    fader_step(&mut s, late, StripParam::Fader, 3_001);
    s.automation.push(Lane {
        param: s.processor_param(utility, "gain").unwrap(),
        mode: AutoMode::Read,
        points: vec![
            Point { time: 0, value: 0.0, shape: Shape::Step },
            Point { time: 6_016, value: -12.0, shape: Shape::Linear },
        ],
    });
    let b = bounce_with_stems(&s);
    let x = b.stem(" T2.wav");
    let open = LEVEL * CENTRE;
    assert_steps_at("fader of the late track", x, 3_001, open);
    // The utility's gain is set per 32-sample stretch and glides over its 5 ms:
    // halfway (-6 dB) within that of the step, not 5 ms early.
    let half = open * 10f32.powf(-12.0 / 20.0);
    let crossing = 4_000 + x[4_000..].iter().position(|&v| v < half).unwrap();
    assert!((6_016..6_016 + 240).contains(&crossing), "the utility's gain is halfway at {crossing}");
}

#[test]
fn swapping_in_an_equal_graph_carries_the_key_delays_on() {
    // A render with a swap every 5 blocks equals one without: the early key's
    // delay, the delay before a compressor waiting for a late key and the
    // delay on an early key keep their audio across swaps. (Track 1 of the
    // third case is muted: the delay lining its output up with the late bus
    // is a delay-compensation slot, which starts empty after a swap.)
    let src: Vec<_> = sources().into_iter().map(|(n, x)| (n, media(vec![x]))).collect();
    let mut third = on_a_late_bus();
    third.tracks[0].strip.mute = true;
    for (case, s) in [before_a_limiter(), keyed_by_a_late_bus(), third].into_iter().enumerate() {
        let mut plain = compile_with(&s, &src);
        let mut swapped = compile_with(&s, &src);
        let (mut worst, mut heard) = (0.0f32, false);
        for (k, pos) in (0..N).step_by(512).enumerate() {
            if k % 5 == 4 {
                let mut next = compile_with(&s, &src);
                next.inherit(&mut swapped);
                swapped = next;
            }
            let m = 512.min(N - pos);
            let (mut al, mut ar, mut bl, mut br) = (vec![0.0; m], vec![0.0; m], vec![0.0; m], vec![0.0; m]);
            plain.process(pos as u64, &mut al, &mut ar, &Serial);
            swapped.process(pos as u64, &mut bl, &mut br, &Serial);
            for (x, y) in al.iter().chain(&ar).zip(bl.iter().chain(&br)) {
                worst = worst.max((x - y).abs());
            }
            heard |= al.iter().any(|v| v.abs() > 0.1);
        }
        assert!(heard, "case {}: the mix is silent", case + 1);
        assert!(worst < 1e-6, "case {}: swaps changed the output by up to {worst}", case + 1);
    }
}

/// The three cases keyed post-fader, each with its key strip's fader at
/// `key_db`: (name, session, key strip, keyed strip, keyed stem, the key's
/// level before its fader).
fn post_fader_cases(key_db: f64) -> Vec<(&'static str, Session, StripRef, StripRef, &'static str, f32)> {
    let (t1, t2) = (StripRef::Track(TrackId(1)), StripRef::Track(TrackId(2)));
    let (key_bus, keyed_bus) = (StripRef::Bus(BusId(10)), StripRef::Bus(BusId(11)));
    let cases = [
        ("before a limiter", before_a_limiter(), t1, t2, " T2.wav", KEY * CENTRE),
        ("keyed by a late bus", keyed_by_a_late_bus(), key_bus, t2, " T2.wav", KEY * CENTRE),
        ("on a late bus", on_a_late_bus(), t1, keyed_bus, " Keyed.wav", KEY * CENTRE),
    ];
    cases
        .into_iter()
        .map(|(what, mut s, key, keyed, stem, level)| {
            let id = s.strip(keyed).unwrap().processors.iter().find(|p| p.sidechain.is_some()).unwrap().id;
            s.set_sidechain_post_fader(id, true).unwrap();
            s.strip_mut(key).unwrap().fader_db = Decibels(key_db);
            (what, s, key, keyed, stem, level)
        })
        .collect()
}

#[test]
fn a_post_fader_key_is_heard_through_its_strips_fader_and_pan_but_not_solo() {
    // With the key strip's fader at -10 dB, a post-fader key steps to the
    // key strip's output (a mono track panned centre, or the bus's input
    // through its centred balance) 10 dB down, in the bounce and live.
    // Live, the keyed strip is soloed: a post-fader key ignores solo, so the
    // compressor still ducks while the engineer listens to it alone.
    let down = 10f32.powf(-10.0 / 20.0);
    for (what, s, _, keyed, stem, level) in post_fader_cases(-10.0) {
        let b = bounce_with_stems(&s);
        assert_onset(what, reduction_onset_under(b.stem(stem), level * down));
        let mut soloed = s.clone();
        soloed.strip_mut(keyed).unwrap().solo = true;
        assert_onset(
            &format!("{what}, live and soloed"),
            reduction_onset_under(&live_left(&soloed), level * down),
        );
    }
}

#[test]
fn a_post_fader_key_from_a_muted_strip_keys_nothing() {
    // Muted, the key strip gives a silent post-fader key: the keyed strip
    // plays its steady level throughout. Pre-fader, the same mute leaves
    // the key (the existing cases mute it to hear the keyed strip alone).
    for (what, mut s, key, _, stem, _) in post_fader_cases(0.0) {
        s.strip_mut(key).unwrap().mute = true;
        let b = bounce_with_stems(&s);
        let x = b.stem(stem);
        let worst = x[T / 2..].iter().map(|v| (v - LEVEL * CENTRE).abs()).fold(0.0f32, f32::max);
        assert!(worst < 1e-5, "{what}: the keyed strip moved by {worst} under a muted post-fader key");
    }
}

#[test]
fn a_post_fader_key_follows_its_strips_fader_automation_when_heard() {
    // The key track's fader opens from -100 dB to 0 dB at `OPEN`, well after
    // the key's step at `T`: a post-fader key starts the reduction there
    // (within the fader step's 16-sample declick), a pre-fader one at `T`.
    const OPEN: u64 = T as u64 + 4_000;
    let keyed_by_track = |post: bool| {
        let mut s = on_a_late_bus();
        let id = s.strip(StripRef::Bus(BusId(11))).unwrap().processors[0].id;
        s.set_sidechain_post_fader(id, post).unwrap();
        s.automation.push(Lane {
            param: ParamId::Strip(StripRef::Track(TrackId(1)), StripParam::Fader),
            mode: AutoMode::Read,
            points: vec![
                Point { time: 0, value: -100.0, shape: Shape::Step },
                Point { time: OPEN, value: 0.0, shape: Shape::Step },
            ],
        });
        s
    };
    let onset = |x: &[f32]| {
        let steady = x[T / 2];
        x.iter().skip(T / 2).position(|v| *v < steady / 2.0).expect("the compressor never reduced") + T / 2
    };
    let post = onset(bounce_with_stems(&keyed_by_track(true)).stem(" Keyed.wav"));
    assert!(
        (OPEN as usize..OPEN as usize + 16 + TOLERANCE).contains(&post),
        "post-fader: the reduction starts at {post}, the fader opens at {OPEN}"
    );
    let pre = onset(bounce_with_stems(&keyed_by_track(false)).stem(" Keyed.wav"));
    assert_onset("pre-fader", pre);
}

#[test]
fn a_pre_fader_key_follows_its_strips_trim_with_or_without_inserts() {
    // The key track has no inserts (its trim is folded into its fader), then
    // one (its trim is a stage before them): either way its pre-fader key is
    // trimmed, 10 dB down here.
    let down = 10f32.powf(-10.0 / 20.0);
    for inserts in [false, true] {
        let mut s = before_a_limiter();
        let key = StripRef::Track(TrackId(1));
        s.strip_mut(key).unwrap().trim_db = Decibels(-10.0);
        if inserts {
            s.add_processor(key, "utility", usize::MAX).unwrap();
        }
        let b = bounce_with_stems(&s);
        assert_onset(&format!("inserts: {inserts}"), reduction_onset_under(b.stem(" T2.wav"), KEY * down));
    }
}
