//! Reference tracks on the monitor path, through the live callback: the
//! reference plays loudness-matched to the mix (within 0.2 LU), aligned to
//! the playhead sample for sample or free-running from its start, and
//! switching between mix and reference is declicked.

use std::sync::Arc;

use mixdesk_engine::analysis::LoudnessMeter;
use mixdesk_engine::media::Media;
use mixdesk_engine::monitor::{Matching, Measured, MonitorSettings, ReferenceSlot};
use mixdesk_engine::realtime::{AudioCore, Engine, EngineHandle};
use mixdesk_engine::session::Session;
use mixdesk_tests::{compile_with, media, noise, run_callback, track};

const RATE: usize = 48_000;
const BUFFER: usize = 256;

fn one_track(l: Vec<f32>, r: Vec<f32>) -> (Session, Arc<Media>) {
    let mut s = Session::new(RATE as u32);
    s.tracks.push(track(1, "m", 0, l.len() as u64));
    (s, media(vec![l, r]))
}

fn lufs(l: &[f32], r: &[f32]) -> (f64, f64) {
    let mut m = LoudnessMeter::new(RATE as u32);
    m.add(l, r);
    let r = m.reading();
    (r.integrated.unwrap(), r.max_short_term.unwrap())
}

fn scaled(seed: u64, n: usize, target: f64) -> (Vec<f32>, Vec<f32>) {
    let (l, r) = (noise(seed, n, 0.5), noise(seed + 1, n, 0.5));
    let g = 10f64.powf((target - lufs(&l, &r).0) / 20.0) as f32;
    (l.iter().map(|x| x * g).collect(), r.iter().map(|x| x * g).collect())
}

/// An engine playing `mix`, holding `reference` as its reference graph.
fn engine(mix: (Vec<f32>, Vec<f32>), reference: (Vec<f32>, Vec<f32>)) -> (EngineHandle, AudioCore) {
    let (s, m) = one_track(mix.0, mix.1);
    let (rs, rm) = one_track(reference.0, reference.1);
    let (mut h, core) = Engine::manual(RATE as u32, BUFFER as u32);
    h.swap_graph(compile_with(&s, &[("m", m)])).unwrap();
    h.set_reference(Some(compile_with(&rs, &[("m", rm)]))).unwrap();
    (h, core)
}

fn slot(l: &[f32], r: &[f32]) -> ReferenceSlot {
    let (i, st) = lufs(l, r);
    ReferenceSlot { path: "ref.wav".into(), integrated_lufs: Some(i), max_short_term_lufs: Some(st) }
}

#[test]
fn the_reference_plays_at_the_mixs_loudness_integrated_or_short_term() {
    let n = 8 * RATE;
    let mix = scaled(1, n, -10.0);
    let reference = scaled(5, n, -21.0);
    let slot = slot(&reference.0, &reference.1);
    let (mut h, mut core) = engine(mix, reference);
    h.play();
    // Polled as the window would: the analysis taps hold about a second.
    for _ in 0..n / (RATE / 10) {
        run_callback(&mut core, RATE / 10, BUFFER);
        h.poll(|_| {});
    }
    let measured = Measured::from_reading(&h.analysis().loudness().reading()).unwrap();
    for matching in [Matching::Integrated, Matching::ShortTerm] {
        let settings = MonitorSettings {
            references: vec![slot.clone()],
            reference: Some(0),
            matching,
            ..Default::default()
        };
        assert!(h.set_monitor(settings.program(RATE as u32, Some(measured))));
        h.seek(0);
        let out = run_callback(&mut core, n, BUFFER);
        let skip = RATE / 10;
        let (i, st) = lufs(&out[0][skip..], &out[1][skip..]);
        let (got, want) = match matching {
            Matching::Integrated => (i, measured.integrated_lufs),
            Matching::ShortTerm => (st, measured.max_short_term_lufs.unwrap()),
        };
        eprintln!("{matching:?}: the reference plays at {got:.2}, the mix at {want:.2}");
        assert!((got - want).abs() <= 0.2, "{matching:?}: reference at {got:.2}, mix at {want:.2}");
    }
    assert_eq!(h.counters().alloc_violations, 0);
}

#[test]
fn the_reference_follows_the_playhead_sample_for_sample_or_runs_free() {
    let n = 4 * RATE;
    let mix = (noise(1, n, 0.2), noise(2, n, 0.2));
    let reference = (noise(3, n, 0.2), noise(4, n, 0.2));
    let at = 2 * RATE;
    for free_running in [false, true] {
        let (mut h, mut core) = engine(mix.clone(), reference.clone());
        let settings = MonitorSettings {
            references: vec![slot(&reference.0, &reference.1)],
            reference: Some(0),
            free_running,
            ..Default::default()
        };
        // Unmatched (no mix measured yet): the reference plays at unity.
        assert!(h.set_monitor(settings.program(RATE as u32, None)));
        h.seek(at as u64);
        run_callback(&mut core, 8 * BUFFER, BUFFER);
        h.play();
        let out = run_callback(&mut core, RATE / 2, BUFFER);
        let first = out[0].iter().position(|v| *v != 0.0).unwrap();
        let start = if free_running { 0 } else { at };
        // After the transport's 5 ms fade-in.
        for i in first + 240..RATE / 2 {
            let k = start + i - first;
            assert!(
                (out[0][i] - reference.0[k]).abs() < 1e-6 && (out[1][i] - reference.1[k]).abs() < 1e-6,
                "free running {free_running}: frame {i} plays {} where the reference at {k} is {}",
                out[0][i],
                reference.0[k]
            );
        }
    }
}

#[test]
fn switching_between_mix_and_reference_is_declicked() {
    let n = 4 * RATE;
    let tone = |f: f64, a: f64| -> Vec<f32> {
        (0..n).map(|i| (a * (std::f64::consts::TAU * f * i as f64 / 48e3).sin()) as f32).collect()
    };
    let mix = (tone(1000.0, 0.5), tone(1000.0, 0.5));
    let reference = (tone(1500.0, 0.5), tone(700.0, 0.5));
    let (mut h, mut core) = engine(mix, reference.clone());
    h.play();
    run_callback(&mut core, 4 * BUFFER, BUFFER);
    let with = MonitorSettings { references: vec![slot(&reference.0, &reference.1)], ..Default::default() };
    let mut worst = 0.0f32;
    let mut last: Option<f32> = None;
    for i in 0..40 {
        let s = MonitorSettings { reference: (i % 2 == 0).then_some(0), ..with.clone() };
        assert!(h.set_monitor(s.program(RATE as u32, None)));
        let out = run_callback(&mut core, if i % 3 == 0 { BUFFER } else { 6 * BUFFER }, BUFFER);
        for x in &out[0] {
            if let Some(p) = last {
                worst = worst.max((x - p).abs());
            }
            last = Some(*x);
        }
    }
    eprintln!("mix/reference switching: largest step between samples {worst:.4}");
    // A 0.5 sine at 1.5 kHz steps at most 0.098; a cut from one tone to the
    // other jumps by up to 1.0.
    assert!(worst < 0.12, "a switch clicked: a step of {worst:.3}");
    assert_eq!(h.counters().alloc_violations, 0);
}
