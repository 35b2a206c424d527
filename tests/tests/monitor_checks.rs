//! The monitor section's listening checks and system simulations, through
//! the real live callback (`AudioCore::render`): each system's measured
//! response matches its documented table within 0.5 dB; mono folds exactly
//! to (L + R) / 2 and the other checks are exact too; switching while
//! playing never clicks; the monitor never reaches the bounce; and
//! `mixdesk render --monitor` plays what the live monitor plays.

use std::sync::Arc;

use mixdesk_engine::bounce::{BitDepth, BounceOptions, bounce};
use mixdesk_engine::media::{Media, MediaPool};
use mixdesk_engine::monitor::systems::CURVE_HZ;
use mixdesk_engine::monitor::{Check, MonitorProgram, MonitorSettings, Platform, System};
use mixdesk_engine::realtime::{AudioCore, Engine, EngineHandle};
use mixdesk_engine::session::{self, Session};
use mixdesk_tests::{compile_with, demo_in_tempdir, media, noise, read_wav, render_cli, run_callback, track};

const RATE: usize = 48_000;
const BUFFER: usize = 256;

fn start(session: &Session, sources: &[(&str, Arc<Media>)]) -> (EngineHandle, AudioCore) {
    let (mut h, core) = Engine::manual(RATE as u32, BUFFER as u32);
    h.swap_graph(compile_with(session, sources)).unwrap();
    (h, core)
}

/// Plays `frames` of a one-track session of stereo `media` with the monitor
/// running `program` (sent and faded in before the transport starts).
fn play(l: Vec<f32>, r: Vec<f32>, program: MonitorProgram, frames: usize) -> [Vec<f32>; 2] {
    let mut s = Session::new(RATE as u32);
    s.tracks.push(track(1, "m", 0, l.len() as u64));
    let (mut h, mut core) = start(&s, &[("m", media(vec![l, r]))]);
    assert!(h.set_monitor(program));
    // The switch from pass-through fades over 10 ms, here on silence.
    run_callback(&mut core, 8 * BUFFER, BUFFER);
    h.play();
    let out = run_callback(&mut core, frames, BUFFER);
    assert_eq!(h.counters().alloc_violations, 0);
    out
}

/// Sines at each of the documented frequencies, half a second each.
const SEGMENT: usize = RATE / 2;

fn stepped_sines(amp: f64) -> Vec<f32> {
    CURVE_HZ
        .iter()
        .flat_map(|f| {
            (0..SEGMENT)
                .map(move |i| (amp * (std::f64::consts::TAU * f * i as f64 / RATE as f64).sin()) as f32)
        })
        .collect()
}

/// RMS of each segment over a whole number of periods ending 200 samples
/// before its end (the first 0.2 s, where filters settle, left out).
fn segment_levels_db(x: &[f32], start: usize) -> Vec<f64> {
    CURVE_HZ
        .iter()
        .enumerate()
        .map(|(k, f)| {
            let periods = ((0.3 * f).floor()).max(1.0);
            let n = (periods * RATE as f64 / f).round() as usize;
            // Clear of the next segment's start (its step passes every filter).
            let end = start + (k + 1) * SEGMENT - 200;
            let e: f64 = x[end - n..end].iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / n as f64;
            10.0 * e.max(1e-30).log10()
        })
        .collect()
}

#[test]
fn each_system_measured_through_the_live_callback_matches_its_documented_curve() {
    let sig = stepped_sines(0.25);
    let frames = sig.len() + 2 * BUFFER;
    let dry = play(sig.clone(), sig.clone(), MonitorProgram::IDENTITY, frames);
    // Playback starts after the transport's first callback: find the start.
    let first = dry[0].iter().position(|v| *v != 0.0).unwrap_or(0);
    let reference = segment_levels_db(&dry[0], first);
    let mut worst = 0.0f64;
    for system in System::ALL {
        let settings = MonitorSettings { system: Some(system), ..MonitorSettings::default() };
        let out = play(sig.clone(), sig.clone(), settings.program(RATE as u32, None), frames);
        for c in 0..2 {
            let got = segment_levels_db(&out[c], first);
            for (k, want) in system.documented_db().iter().enumerate() {
                let measured = got[k] - reference[k];
                let err = (measured - want).abs();
                worst = worst.max(err);
                assert!(
                    err <= 0.5,
                    "{system:?} at {} Hz: measured {measured:.2} dB, documented {want} dB",
                    CURVE_HZ[k]
                );
            }
        }
    }
    eprintln!("systems: worst distance from the documented tables {worst:.3} dB");
}

#[test]
fn mono_folds_exactly_and_every_check_is_its_documented_matrix() {
    let n = RATE / 4;
    let (l, r) = (noise(1, n, 0.4), noise(2, n, 0.3));
    let dry = play(l.clone(), r.clone(), MonitorProgram::IDENTITY, n);
    let [dl, dr] = &dry;
    assert!(dl.iter().zip(dr).any(|(a, b)| a != b), "the two channels differ");
    let run = |check: Check| {
        play(l.clone(), r.clone(), MonitorSettings { check, ..Default::default() }.program(48_000, None), n)
    };
    let exact = |name: &str, got: &[Vec<f32>; 2], want: &dyn Fn(f32, f32) -> (f32, f32)| {
        for i in 0..n {
            let (wl, wr) = want(dl[i], dr[i]);
            assert!(
                got[0][i] == wl && got[1][i] == wr,
                "{name} at frame {i}: got ({}, {}), want ({wl}, {wr})",
                got[0][i],
                got[1][i]
            );
        }
    };
    exact("mono", &run(Check::Mono), &|a, b| ((a + b) / 2.0, (a + b) / 2.0));
    exact("side", &run(Check::Side), &|a, b| ((a - b) / 2.0, (a - b) / 2.0));
    exact("left", &run(Check::Left), &|a, _| (a, a));
    exact("right", &run(Check::Right), &|_, b| (b, b));
    exact("swap", &run(Check::Swap), &|a, b| (b, a));
    exact("stereo", &run(Check::Stereo), &|a, b| (a, b));
    let dim = play(
        l.clone(),
        r.clone(),
        MonitorSettings { dim: true, ..Default::default() }.program(48_000, None),
        n,
    );
    for c in 0..2 {
        for i in 0..n {
            let want = dry[c][i] * 0.1;
            assert!((dim[c][i] - want).abs() <= 1e-7, "dim at frame {i}: {} want {want}", dim[c][i]);
        }
    }
    let mute = play(l, r, MonitorSettings { mute: true, ..Default::default() }.program(48_000, None), n);
    assert!(mute.iter().flatten().all(|v| *v == 0.0), "mute is silent");
}

#[test]
fn switching_every_setting_while_playing_never_clicks() {
    let n = 4 * RATE;
    let l: Vec<f32> =
        (0..n).map(|i| (0.5 * (std::f64::consts::TAU * 1000.0 * i as f64 / 48e3).sin()) as f32).collect();
    let r: Vec<f32> =
        (0..n).map(|i| (0.5 * (std::f64::consts::TAU * 1500.0 * i as f64 / 48e3).sin()) as f32).collect();
    let mut s = Session::new(48_000);
    s.tracks.push(track(1, "m", 0, n as u64));
    let (mut h, mut core) = start(&s, &[("m", media(vec![l, r]))]);
    h.play();
    run_callback(&mut core, 4 * BUFFER, BUFFER);
    let mut settings = Vec::new();
    for check in Check::ALL {
        settings.push(MonitorSettings { check, ..Default::default() });
    }
    for system in System::ALL {
        settings.push(MonitorSettings { system: Some(system), ..Default::default() });
    }
    settings.push(MonitorSettings { dim: true, ..Default::default() });
    settings.push(MonitorSettings { mute: true, ..Default::default() });
    settings.push(MonitorSettings::default());
    let mut out: [Vec<f32>; 2] = [Vec::new(), Vec::new()];
    for (i, s) in settings.iter().cycle().take(60).enumerate() {
        assert!(h.set_monitor(s.program(48_000, None)));
        // Switch every 7 callbacks (37 ms), some mid-fade.
        let got = run_callback(&mut core, if i % 3 == 0 { BUFFER } else { 7 * BUFFER }, BUFFER);
        out[0].extend(got[0].iter());
        out[1].extend(got[1].iter());
    }
    // The steepest step a 0.5 sine at 1.5 kHz takes is 0.098; the loudest
    // curve lifts it by under 4 dB. A switch without the crossfade jumps by
    // up to the whole signal (0.5 or more).
    let mut worst = 0.0f32;
    for ch in &out {
        for w in ch.windows(2) {
            worst = worst.max((w[1] - w[0]).abs());
        }
    }
    eprintln!("switching: largest step between samples {worst:.4}");
    assert!(worst < 0.17, "a switch clicked: a step of {worst:.3} between samples");
    assert_eq!(h.counters().alloc_violations, 0);
}

#[test]
fn the_monitor_never_reaches_the_bounce() {
    let (dir, path) = demo_in_tempdir();
    let plain = dir.path().join("plain.wav");
    let checked = dir.path().join("checked.wav");
    let opts = BounceOptions {
        end: Some(mixdesk_engine::units::SampleTime(4 * RATE as u64)),
        depth: BitDepth::Float32,
        report: false,
        ..BounceOptions::default()
    };
    let s = session::load(&path).unwrap();
    bounce(&s, dir.path(), &MediaPool::new(), &plain, &opts, &mut |_| true).unwrap();
    // Every check engaged, saved in the session and loaded back.
    let mut engaged = s.clone();
    engaged.monitor = MonitorSettings {
        check: Check::Side,
        dim: true,
        mute: true,
        system: Some(System::Phone),
        platform: Some(Platform::Spotify),
        references: vec![mixdesk_engine::monitor::ReferenceSlot {
            path: "ref.wav".into(),
            integrated_lufs: Some(-12.0),
            max_short_term_lufs: None,
        }],
        reference: Some(0),
        free_running: true,
        ..MonitorSettings::default()
    };
    session::save(&engaged, &path).unwrap();
    let engaged = session::load(&path).unwrap();
    assert!(!engaged.monitor.is_off(), "the settings are saved in the session");
    bounce(&engaged, dir.path(), &MediaPool::new(), &checked, &opts, &mut |_| true).unwrap();
    let (_, a) = read_wav(&plain);
    let (_, b) = read_wav(&checked);
    assert!(a[0].iter().any(|v| *v != 0.0));
    assert_eq!(a, b, "a bounce with every monitor check engaged differs from one with none");
}

#[test]
fn render_with_a_monitor_profile_plays_what_the_live_monitor_plays() {
    let (dir, path) = demo_in_tempdir();
    let plain = dir.path().join("plain.wav");
    let mono = dir.path().join("mono.wav");
    let phone = dir.path().join("phone.wav");
    let range = ["--start", "10", "--end", "12"];
    render_cli(&path, &plain, &[&range[..], &["--bits", "32f"]].concat());
    render_cli(&path, &mono, &[&range[..], &["--monitor", "mono"]].concat());
    let out = render_cli(&path, &phone, &[&range[..], &["--monitor", "phone,side"]].concat());
    assert!(out.contains("as the monitor plays it: side,phone"), "{out}");
    let (_, p) = read_wav(&plain);
    let (_, m) = read_wav(&mono);
    for i in 0..p[0].len() {
        let want = (p[0][i] + p[1][i]) / 2.0;
        assert!(m[0][i] == want && m[1][i] == want, "frame {i}: mono ({}, {}) want {want}", m[0][i], m[1][i]);
    }
    // The same program offline as live: the phone's side signal.
    let (_, got) = read_wav(&phone);
    let program = MonitorSettings::from_profile("phone,side").unwrap().program(48_000, None);
    let mut voice = mixdesk_engine::monitor::MonitorVoice::new(program);
    let (mut l, mut r) = (p[0].clone(), p[1].clone());
    voice.process(&mut l, &mut r);
    assert_eq!(got, vec![l, r]);
    assert!(!dir.path().join("phone.monitor-mix.wav").exists(), "the temporary mix is removed");

    let (ok, _, err) = mixdesk_tests::run(&[
        "render",
        path.to_str().unwrap(),
        "-o",
        dir.path().join("x.wav").to_str().unwrap(),
        "--monitor",
        "mono,loud",
    ]);
    assert!(!ok && err.contains("'loud'") && err.contains("phone"), "{err}");
}
