//! The effect inserts (reverb, delay, chorus / flanger; the utility's own
//! closed forms are in `dsp_utility.rs`) against closed forms computed here:
//! decay times from the Schroeder integral, echo offsets and gains,
//! modulated delay ranges recovered from a ramp.
//! Expected values come from the formulas, never from the code under test.
//!
//! This file is its own test binary, so it installs `assert_no_alloc`'s
//! counting allocator to check that `process` and `set_param` never allocate.

use std::f64::consts::{PI, TAU};

use mixdesk_engine::denormal::without_denormals;
use mixdesk_engine::dsp;
use mixdesk_tests::effects_harness::*;
use mixdesk_tests::{noise, sine_wave};

#[global_allocator]
static ALLOCATOR: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

// ---------------------------------------------------------------- reverb

#[test]
fn reverb_t30_is_within_15_percent_of_the_decay_setting() {
    let mut worst: f64 = 0.0;
    for damping in [40.0, 0.0, 100.0] {
        for decay in [0.5, 1.5, 4.0] {
            for size in [0.0, 50.0, 100.0] {
                let mut d = build(
                    "reverb",
                    &[("decay", decay), ("damping", damping), ("size", size), ("mix", 100.0)],
                );
                let m = reverb_t30(d.as_mut(), decay, RATE);
                let err = m / decay - 1.0;
                eprintln!(
                    "damping {damping:>3} %, size {size:>3} %: set {decay} s, T30 {m:.3} s ({:+.1} %)",
                    err * 100.0
                );
                assert!(err.abs() < 0.15, "damping {damping}, size {size}: T30 {m} s for {decay} s");
                worst = worst.max(err.abs());
            }
        }
    }
    eprintln!("worst T30 error {:.1} %", worst * 100.0);
}

#[test]
fn reverb_t30_holds_at_other_sample_rates() {
    for rate in [44_100, 96_000] {
        for (decay, damping) in [(1.5, 40.0), (0.8, 0.0), (3.0, 80.0)] {
            let mut d = build_with(
                &ctx_at(rate, 120.0),
                "reverb",
                &[("decay", decay), ("damping", damping), ("mix", 100.0)],
            );
            let m = reverb_t30(d.as_mut(), decay, rate);
            eprintln!("{rate} Hz, damping {damping} %: set {decay} s, T30 {m:.3} s");
            assert!((m / decay - 1.0).abs() < 0.15, "{rate} Hz: T30 {m} s for {decay} s");
        }
    }
}

#[test]
fn reverb_decay_and_size_changes_take_effect_live() {
    let mut d = build("reverb", &[("decay", 0.5), ("size", 20.0), ("mix", 100.0)]);
    d.set_param(index("reverb", "decay"), 3.0);
    d.set_param(index("reverb", "size"), 90.0);
    // Let the glides finish (size moves the lines over 0.2 s).
    let silence = vec![0.0; RATE as usize];
    stereo(d.as_mut(), &silence, &silence, BLOCK);
    let m = reverb_t30(d.as_mut(), 3.0, RATE);
    eprintln!("after the change: T30 {m:.3} s for 3 s");
    assert!((m / 3.0 - 1.0).abs() < 0.15, "T30 {m}");
}

#[test]
fn reverb_tail_falls_to_exact_silence_and_stays_there() {
    for ftz in [false, true] {
        let mut d = build("reverb", &[("decay", 0.4), ("mix", 60.0)]);
        let mut run = || {
            let mut first_silent = None;
            for b in 0..(6 * RATE as usize / BLOCK) {
                let (mut l, mut r) = (vec![0.0; BLOCK], vec![0.0; BLOCK]);
                if b == 0 {
                    l[0] = 1.0;
                    r[3] = -1.0;
                }
                d.process(&mut [&mut l, &mut r], None);
                assert!(
                    l.iter().chain(&r).all(|x| *x == 0.0 || x.is_normal()),
                    "subnormal output (ftz {ftz})"
                );
                let silent = l.iter().chain(&r).all(|x| *x == 0.0);
                match (silent, first_silent) {
                    (true, None) => first_silent = Some(b),
                    (false, Some(_)) => panic!("the tail came back after silence (ftz {ftz})"),
                    _ => {}
                }
            }
            first_silent.expect("the output falls silent")
        };
        let b = if ftz { without_denormals(run) } else { run() };
        let secs = (b * BLOCK) as f64 / FS;
        eprintln!("output exactly 0 from {secs:.2} s (decay 0.4 s, FTZ {ftz})");
        assert!(secs < 4.0);
    }
}

#[test]
fn reverb_predelay_sets_the_onset_of_the_wet_signal() {
    for predelay in [0.0, 20.0, 137.5] {
        let mut d = build("reverb", &[("predelay", predelay), ("mix", 100.0)]);
        let x = impulse(24_000, 0, 1.0);
        let (l, r) = stereo(d.as_mut(), &x, &x, BLOCK);
        let onset = (predelay * FS / 1000.0).round() as usize;
        assert!(l[..onset].iter().chain(&r[..onset]).all(|v| *v == 0.0), "wet before {onset}");
        assert!(l[onset] != 0.0 && r[onset] != 0.0, "no wet at {onset} (predelay {predelay} ms)");
    }
}

#[test]
fn reverb_mix_width_and_mono_tracks_follow_their_closed_forms() {
    let x = noise(11, 3 * RATE as usize, 0.5);
    let y = noise(12, 3 * RATE as usize, 0.5);
    // Full wet, full width: decorrelated sides.
    let (wl, wr) = stereo(build("reverb", &[("mix", 100.0)]).as_mut(), &x, &y, BLOCK);
    let c = correlation(&wl[RATE as usize..], &wr[RATE as usize..]);
    eprintln!("wet L/R correlation at width 100 %: {c:.3}");
    assert!(c.abs() < 0.2);
    // Width 0: the wet mid in both channels; width w: S scaled by w.
    let (ml, mr) = stereo(build("reverb", &[("mix", 100.0), ("width", 0.0)]).as_mut(), &x, &y, BLOCK);
    let (hl, hr) = stereo(build("reverb", &[("mix", 100.0), ("width", 35.0)]).as_mut(), &x, &y, BLOCK);
    for i in 0..x.len() {
        let (m, s) =
            ((f64::from(wl[i]) + f64::from(wr[i])) / 2.0, (f64::from(wl[i]) - f64::from(wr[i])) / 2.0);
        assert!((f64::from(ml[i]) - m).abs() < 1e-5 && (f64::from(mr[i]) - m).abs() < 1e-5, "width 0 at {i}");
        assert!((f64::from(hl[i]) - (m + 0.35 * s)).abs() < 1e-5, "width 35 at {i}");
        assert!((f64::from(hr[i]) - (m - 0.35 * s)).abs() < 1e-5, "width 35 at {i}");
    }
    // Mix m: dry (1 - m) + wet m.
    let (ol, or) = stereo(build("reverb", &[("mix", 30.0)]).as_mut(), &x, &y, BLOCK);
    let want_l: Vec<f64> = (0..x.len()).map(|i| 0.7 * f64::from(x[i]) + 0.3 * f64::from(wl[i])).collect();
    let want_r: Vec<f64> = (0..x.len()).map(|i| 0.7 * f64::from(y[i]) + 0.3 * f64::from(wr[i])).collect();
    assert_close(&ol, &want_l, 1e-5, "mix 30 % left");
    assert_close(&or, &want_r, 1e-5, "mix 30 % right");
    // A mono track: the stereo wet for the signal in both channels, folded to mono.
    let (sl, sr) = stereo(build("reverb", &[("mix", 45.0)]).as_mut(), &x, &x, BLOCK);
    let m = mono(build("reverb", &[("mix", 45.0)]).as_mut(), &x, BLOCK);
    let want: Vec<f64> = sl.iter().zip(&sr).map(|(a, b)| (f64::from(*a) + f64::from(*b)) / 2.0).collect();
    assert_close(&m, &want, 1e-6, "mono fold");
}

// ----------------------------------------------------------------- delay

/// The expected output of the delay for an impulse of `amp` at 0: the dry
/// impulse scaled by `1 - mix`, then echo k at `k * d` of `mix * fb^(k-1)`.
fn echoes(n: usize, d: usize, amp: f64, fb: f64, mix: f64) -> Vec<f64> {
    let mut want = vec![0.0; n];
    want[0] = amp * (1.0 - mix);
    let mut k = 1;
    while k * d < n {
        want[k * d] = amp * mix * fb.powi(k as i32 - 1);
        k += 1;
    }
    want
}

#[test]
fn delay_echoes_land_on_the_exact_samples_with_feedback_gains() {
    let (fb, mix) = (0.6, 0.4);
    for time_ms in [10.0, 7.3, 250.0] {
        let mut d = build("delay", &[("time", time_ms), ("feedback", fb * 100.0), ("mix", mix * 100.0)]);
        let delay = (time_ms * FS / 1000.0).round() as usize;
        let n = delay * 8 + 100;
        let (l, r) = stereo(d.as_mut(), &impulse(n, 0, 1.0), &impulse(n, 0, -0.5), 333);
        assert_close(&l, &echoes(n, delay, 1.0, fb, mix), 1e-6, "left");
        assert_close(&r, &echoes(n, delay, -0.5, fb, mix), 1e-6, "right");
    }
}

#[test]
fn delay_synced_times_are_note_lengths_at_the_session_tempo() {
    // (sync index, bpm, seconds): 1/8 dotted at 120 = 0.375 s, 1/4 triplet at
    // 120 = 1/3 s, 1/16 at 90 = 1/6 s, 1/2 at 100 = 1.2 s.
    for (sync, bpm, secs) in
        [(7.0, 120.0, 0.375), (8.0, 120.0, 1.0 / 3.0), (5.0, 90.0, 1.0 / 6.0), (2.0, 100.0, 1.2)]
    {
        let spec = dsp::kind("delay").unwrap();
        let name = spec.params[index("delay", "sync")].choices[sync as usize];
        let mut d = build_with(
            &ctx_at(RATE, bpm),
            "delay",
            &[("time", 100.0), ("sync", sync), ("feedback", 50.0), ("mix", 100.0)],
        );
        let delay = (secs * FS).round() as usize;
        let n = 3 * delay + 10;
        let x = impulse(n, 0, 1.0);
        let (l, _) = stereo(d.as_mut(), &x, &x, BLOCK);
        eprintln!("{name} at {bpm} BPM: echo every {delay} samples");
        assert_close(&l, &echoes(n, delay, 1.0, 0.5, 1.0), 1e-6, name);
    }
}

#[test]
fn delay_ping_pong_alternates_sides_from_the_mono_sum() {
    let (fb, mix, delay) = (0.7, 0.5, 4_800);
    let n = 6 * delay + 10;
    for (inl, inr) in [(1.0, 0.0), (0.0, 1.0), (0.8, 0.4)] {
        let mut d = build(
            "delay",
            &[("time", 100.0), ("feedback", fb * 100.0), ("ping_pong", 1.0), ("mix", mix * 100.0)],
        );
        let (l, r) = stereo(d.as_mut(), &impulse(n, 0, inl), &impulse(n, 0, inr), BLOCK);
        let sum = (f64::from(inl) + f64::from(inr)) / 2.0;
        let (mut want_l, mut want_r) = (vec![0.0; n], vec![0.0; n]);
        want_l[0] = f64::from(inl) * (1.0 - mix);
        want_r[0] = f64::from(inr) * (1.0 - mix);
        for k in 1..=6 {
            let side = if k % 2 == 1 { &mut want_l } else { &mut want_r };
            side[k * delay] = sum * mix * fb.powi(k as i32 - 1);
        }
        assert_close(&l, &want_l, 1e-6, "ping-pong left");
        assert_close(&r, &want_r, 1e-6, "ping-pong right");
    }
}

#[test]
fn delay_on_a_mono_track_folds_the_stereo_echoes() {
    let (fb, mix, delay) = (0.5, 0.5, 960);
    let n = 5 * delay + 10;
    let plain =
        mono(build("delay", &[("time", 20.0), ("feedback", 50.0)]).as_mut(), &impulse(n, 0, 1.0), 100);
    let mut want = echoes(n, delay, 1.0, fb, 0.3);
    assert_close(&plain, &want, 1e-6, "mono");
    let mut d = build("delay", &[("time", 20.0), ("feedback", 50.0), ("ping_pong", 1.0), ("mix", 50.0)]);
    let pp = mono(d.as_mut(), &impulse(n, 0, 1.0), 100);
    want = echoes(n, delay, 1.0, fb, mix);
    want.iter_mut().skip(1).for_each(|v| *v /= 2.0);
    assert_close(&pp, &want, 1e-6, "mono ping-pong");
}

#[test]
fn delay_filters_colour_each_repeat_by_their_bilinear_one_pole_response() {
    // A 1 kHz burst shorter than the delay; echo k is the burst through the
    // high-pass and low-pass k times, times fb^(k-1), times mix.
    let (fb, mix, hpf, lpf, f) = (0.8, 1.0, 400.0, 2_500.0, 1_000.0);
    let delay = 4_800;
    let mut d = build(
        "delay",
        &[("time", 100.0), ("feedback", fb * 100.0), ("hpf", hpf), ("lpf", lpf), ("mix", mix * 100.0)],
    );
    let mut x = sine_wave(f, 0.5, 2_400);
    x.resize(5 * delay, 0.0);
    let (l, _) = stereo(d.as_mut(), &x, &x, BLOCK);
    let t = |hz: f64| (PI * hz / FS).tan();
    let lp = 1.0 / (1.0 + (t(f) / t(lpf)).powi(2)).sqrt();
    let hp = (t(f) / t(hpf)) / (1.0 + (t(f) / t(hpf)).powi(2)).sqrt();
    for k in 1..=4 {
        let start = k * delay + 960;
        let got = amplitude(&l[start..start + 1_200], f);
        let want = 0.5 * mix * fb.powi(k as i32 - 1) * (hp * lp).powi(k as i32);
        eprintln!("echo {k}: amplitude {got:.6}, closed form {want:.6}");
        assert!((got / want - 1.0).abs() < 2e-3, "echo {k}: {got} vs {want}");
    }
}

#[test]
fn delay_time_changes_crossfade_without_a_click() {
    let (f, amp, mix) = (440.0, 0.5, 0.5);
    let mut d = build("delay", &[("time", 100.0), ("feedback", 0.0), ("mix", mix * 100.0)]);
    let x = sine_wave(f, amp, 3 * RATE as usize);
    let mut out = x.clone();
    for (b, chunk) in out.chunks_mut(256).enumerate() {
        if b == 300 {
            d.set_param(index("delay", "time"), 150.0);
        }
        if b == 330 {
            d.set_param(index("delay", "time"), 37.0);
        }
        d.process(&mut [chunk], None);
    }
    // A sine's largest step between samples: dry and wet each move at most amp * w.
    let w = TAU * f / FS;
    let bound = amp * w * ((1.0 - mix) + mix) * 1.05;
    let worst = out.windows(2).skip(5_000).map(|p| f64::from((p[1] - p[0]).abs())).fold(0.0, f64::max);
    eprintln!("largest step {worst:.5} (a sine's largest is {:.5})", amp * w);
    assert!(worst <= bound, "step {worst} > {bound}");
    // Settled at 37 ms: a new impulse echoes at exactly that delay.
    d.reset();
    let n = 3 * 1_776 + 5;
    let got = mono(d.as_mut(), &impulse(n, 0, 1.0), 256);
    assert_close(&got, &echoes(n, 1_776, 1.0, 0.0, mix), 1e-6, "after the change");
}

// ---------------------------------------------------------------- chorus

/// The instantaneous delay in samples recovered from the wet output for the
/// input ramp `x[n] = n`: linear interpolation of a ramp is exact, so
/// `wet[n] = n - d(n)`.
fn ramp_delays(wet: &[f32], from: usize) -> Vec<f64> {
    wet.iter().enumerate().skip(from).map(|(n, y)| n as f64 - f64::from(*y)).collect()
}

fn ramp(n: usize) -> Vec<f32> {
    (0..n).map(|i| i as f32).collect()
}

#[test]
fn chorus_without_depth_is_the_dry_mix_plus_the_input_at_the_base_delay() {
    let (l, r) = (noise(1, 20_000, 0.9), noise(2, 20_000, 0.9));
    for (delay_ms, mix) in [(5.0, 0.3), (0.5, 1.0), (30.0, 0.5)] {
        let delay = (delay_ms * FS / 1000.0).round() as usize;
        let mut d =
            build("chorus", &[("depth", 0.0), ("voices", 0.0), ("delay", delay_ms), ("mix", mix * 100.0)]);
        let (ol, or) = stereo(d.as_mut(), &l, &r, BLOCK);
        let want = |x: &[f32]| -> Vec<f64> {
            (0..x.len())
                .map(|n| {
                    let delayed = if n >= delay { f64::from(x[n - delay]) } else { 0.0 };
                    f64::from(x[n]) * (1.0 - mix) + mix * delayed
                })
                .collect()
        };
        assert_close(&ol, &want(&l), 1e-6, "left");
        assert_close(&or, &want(&r), 1e-6, "right");
    }
}

#[test]
fn chorus_feedback_makes_the_closed_form_comb() {
    let x = noise(3, 10_000, 0.9);
    for fb in [0.5, -0.95] {
        let mut d = build(
            "chorus",
            &[("depth", 0.0), ("voices", 0.0), ("delay", 2.0), ("feedback", fb * 100.0), ("mix", 50.0)],
        );
        let got = mono(d.as_mut(), &x, BLOCK);
        // v[n] = x[n] + fb v[n-D], wet[n] = v[n-D].
        let delay = 96;
        let mut v = vec![0.0; x.len()];
        let mut want = vec![0.0; x.len()];
        for n in 0..x.len() {
            let wet = if n >= delay { v[n - delay] } else { 0.0 };
            v[n] = f64::from(x[n]) + fb * wet;
            want[n] = 0.5 * f64::from(x[n]) + 0.5 * wet;
        }
        assert_close(&got, &want, 1e-4, "comb");
    }
}

#[test]
fn chorus_delay_sweeps_sinusoidally_within_base_plus_minus_depth() {
    let (base, depth, rate) = (10.0, 3.0, 2.0);
    let (b, dp) = (base * FS / 1000.0, depth * FS / 1000.0);
    let mut c = build(
        "chorus",
        &[("rate", rate), ("depth", depth), ("delay", base), ("voices", 0.0), ("mix", 100.0)],
    );
    let x = ramp(RATE as usize);
    let (wet, _) = stereo(c.as_mut(), &x, &x, BLOCK);
    let d = ramp_delays(&wet, 1_000);
    let (lo, hi) = d.iter().fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    eprintln!("delay swept {lo:.3}..{hi:.3} samples, closed form {:.3}..{:.3}", b - dp, b + dp);
    assert!(lo >= b - dp - 0.02 && hi <= b + dp + 0.02);
    assert!(lo < b - dp + 0.05 && hi > b + dp - 0.05);
    // d(n) - base is depth * sin(2 pi rate n / fs + phase) for one phase.
    let w = TAU * rate / FS;
    let whole = (d.len() / 24_000) * 24_000;
    let (mut s, mut co) = (0.0, 0.0);
    for (i, v) in d[..whole].iter().enumerate() {
        let (si, ci) = (w * (i + 1_000) as f64).sin_cos();
        s += (v - b) * si;
        co += (v - b) * ci;
    }
    let (s, co) = (2.0 * s / whole as f64, 2.0 * co / whole as f64);
    let fit = (s * s + co * co).sqrt();
    let residual = d
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let ph = w * (i + 1_000) as f64;
            (v - b - s * ph.sin() - co * ph.cos()).abs()
        })
        .fold(0.0, f64::max);
    eprintln!("fitted depth {fit:.4} samples (set {dp}), largest residual {residual:.4}");
    assert!((fit - dp).abs() < 0.05 && residual < 0.05);
}

#[test]
fn chorus_voices_are_spread_evenly_and_alternate_sides() {
    let (base, depth) = (12.0, 4.0);
    let (b, dp) = (base * FS / 1000.0, depth * FS / 1000.0);
    let x = ramp(RATE as usize);
    let delays = |voices: f64| {
        let mut c = build(
            "chorus",
            &[("rate", 1.3), ("depth", depth), ("delay", base), ("voices", voices), ("mix", 100.0)],
        );
        let (l, r) = stereo(c.as_mut(), &x, &x, BLOCK);
        (ramp_delays(&l, 2_000), ramp_delays(&r, 2_000))
    };
    // Two voices half a cycle apart, one per side: dL + dR = 2 base.
    let (dl, dr) = delays(1.0);
    assert!(dl.iter().zip(&dr).all(|(p, q)| (p + q - 2.0 * b).abs() < 0.02));
    assert!(dl.iter().fold(0.0f64, |m, v| m.max((v - b).abs())) > dp - 0.1);
    // Three voices at 0, 1/3, 2/3 of a cycle: left averages voices 0 and 2,
    // so dL - base = -(dR - base) / 2.
    let (dl, dr) = delays(2.0);
    assert!(dl.iter().zip(&dr).all(|(p, q)| (p - b + (q - b) / 2.0).abs() < 0.02));
    assert!(dr.iter().fold(0.0f64, |m, v| m.max((v - b).abs())) > dp - 0.1);
    // Four voices at quarter cycles: each side averages two opposite voices,
    // whose modulations cancel on a ramp.
    let (dl, dr) = delays(3.0);
    assert!(dl.iter().chain(&dr).all(|v| (v - b).abs() < 0.02));
}

#[test]
fn chorus_on_a_mono_track_folds_the_stereo_wet() {
    let x = noise(5, 30_000, 0.8);
    let params = [("voices", 2.0), ("feedback", 40.0), ("mix", 70.0)];
    let (l, r) = stereo(build("chorus", &params).as_mut(), &x, &x, BLOCK);
    let m = mono(build("chorus", &params).as_mut(), &x, BLOCK);
    let want: Vec<f64> = l.iter().zip(&r).map(|(a, b)| (f64::from(*a) + f64::from(*b)) / 2.0).collect();
    assert_close(&m, &want, 1e-5, "mono fold");
}

#[test]
fn chorus_survives_extreme_feedback_on_full_scale_noise() {
    let (l, r) = (noise(8, 3 * RATE as usize, 1.0), noise(9, 3 * RATE as usize, 1.0));
    for fb in [95.0, -95.0] {
        for (delay, depth, voices) in [(0.5, 10.0, 0.0), (30.0, 10.0, 3.0), (1.0, 0.5, 1.0)] {
            let mut c = build(
                "chorus",
                &[
                    ("rate", 10.0),
                    ("delay", delay),
                    ("depth", depth),
                    ("voices", voices),
                    ("feedback", fb),
                    ("mix", 100.0),
                ],
            );
            let (ol, or) = stereo(c.as_mut(), &l, &r, BLOCK);
            // |wet| <= max|x| / (1 - |fb|) = 20.
            assert!(finite_and_bounded(&ol, 20.0) && finite_and_bounded(&or, 20.0), "fb {fb}, delay {delay}");
        }
    }
}

// -------------------------------------------------------------- all four

/// (kind, parameter, from, to, other parameters, allowed step over `w * peak`).
type ClickCase = (&'static str, &'static str, f64, f64, &'static [(&'static str, f64)], f64);

#[test]
fn moving_a_parameter_does_not_click() {
    // A 200 Hz sine through each effect; halfway through, one parameter jumps
    // across its range. A step between samples larger than a sine of the
    // output's peak can make (w * peak, with a margin for the crossfades and
    // the pitch bend of a gliding delay) would be a click.
    let f = 200.0;
    let w = TAU * f / FS;
    let cases: [ClickCase; 14] = [
        ("reverb", "mix", 0.0, 100.0, &[("decay", 0.5)], 1.5),
        ("reverb", "predelay", 0.0, 250.0, &[("decay", 0.5), ("mix", 100.0)], 1.5),
        ("reverb", "width", 100.0, 0.0, &[("decay", 0.5), ("mix", 100.0)], 1.5),
        ("reverb", "size", 0.0, 100.0, &[("decay", 0.5), ("mix", 100.0)], 2.0),
        ("delay", "mix", 100.0, 0.0, &[("feedback", 80.0)], 1.5),
        ("delay", "time", 1.0, 2_000.0, &[("mix", 100.0)], 1.5),
        ("delay", "sync", 0.0, 7.0, &[("mix", 100.0)], 1.5),
        ("delay", "ping_pong", 0.0, 1.0, &[("mix", 100.0), ("feedback", 60.0)], 1.5),
        ("delay", "lpf", 20_000.0, 500.0, &[("mix", 100.0), ("feedback", 60.0)], 1.5),
        ("chorus", "mix", 0.0, 100.0, &[], 1.5),
        ("chorus", "delay", 0.5, 30.0, &[("mix", 100.0)], 2.0),
        ("chorus", "depth", 0.0, 10.0, &[("mix", 100.0)], 2.0),
        ("chorus", "voices", 3.0, 0.0, &[("mix", 100.0), ("depth", 5.0)], 2.0),
        ("utility", "gain", 24.0, -96.0, &[], 1.5),
    ];
    for (kind, key, from, to, params, margin) in cases {
        let mut all = params.to_vec();
        all.push((key, from));
        let mut d = build(kind, &all);
        let x = sine_wave(f, 0.5, 3 * RATE as usize);
        let (mut l, mut r) = (x.clone(), x.clone());
        for (b, (bl, br)) in l.chunks_mut(256).zip(r.chunks_mut(256)).enumerate() {
            if b * 256 == 2 * RATE as usize {
                d.set_param(index(kind, key), to);
            }
            d.process(&mut [bl, br], None);
        }
        for y in [&l, &r] {
            let window = &y[RATE as usize..];
            let peak = window.iter().fold(0.0f64, |m, v| m.max(f64::from(v.abs())));
            let step = window.windows(2).fold(0.0f64, |m, p| m.max(f64::from((p[1] - p[0]).abs())));
            assert!(step <= margin * w * peak, "{kind}.{key} {from} -> {to}: step {step} for peak {peak}");
        }
    }
}

/// A small deterministic generator for parameter automation.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Runs `f` with allocation counted (in debug and release builds).
fn no_alloc(f: impl FnOnce()) {
    assert_no_alloc::assert_no_alloc(f);
}

#[test]
fn automating_every_parameter_never_allocates_nor_emits_nan_and_reset_silences() {
    let before = {
        // The counter (per thread) does see an allocation.
        let before = assert_no_alloc::violation_count();
        assert_no_alloc::assert_no_alloc(|| drop(std::hint::black_box(Vec::<u8>::with_capacity(64))));
        assert!(assert_no_alloc::violation_count() > before, "assert_no_alloc is not counting");
        assert_no_alloc::violation_count()
    };
    let mut rng = Lcg(42);
    for (kind, rate, channels) in ["reverb", "delay", "chorus", "utility"]
        .into_iter()
        .flat_map(|k| [(k, RATE, 1), (k, RATE, 2), (k, 8_000, 2), (k, 192_000, 2)])
    {
        let spec = dsp::kind(kind).unwrap();
        let mut d = build_with(&ctx_at(rate, 120.0), kind, &[]);
        let (l, r) = (noise(20, 2 * rate as usize, 1.0), noise(21, 2 * rate as usize, 1.0));
        let (mut ol, mut or) = (l.clone(), r.clone());
        let mut pos = 0;
        while pos < l.len() {
            let n = (1 + (rng.next() * BLOCK as f64) as usize).min(l.len() - pos);
            let p = (rng.next() * spec.params.len() as f64) as usize;
            let info = &spec.params[p];
            let v = info.clamp(info.min + rng.next() * (info.max - info.min));
            let (bl, br) = (&mut ol[pos..pos + n], &mut or[pos..pos + n]);
            no_alloc(|| {
                d.set_param(p, v);
                if channels == 1 {
                    d.process(&mut [bl], None);
                } else {
                    d.process(&mut [bl, br], None);
                }
            });
            pos += n;
        }
        // Utility: +24 dB on full-scale noise at width 200 % reaches 15.85 * (3 + 1) / 2 = 31.7.
        let bound = if kind == "utility" { 50.0 } else { 100.0 };
        assert!(finite_and_bounded(&ol, bound), "{kind} {channels} ch at {rate} Hz");
        assert!(finite_and_bounded(&or, bound), "{kind} {channels} ch at {rate} Hz");
        d.reset();
        let mut zl = vec![0.0; BLOCK];
        let mut zr = vec![0.0; BLOCK];
        d.process(&mut [&mut zl, &mut zr], None);
        assert!(zl.iter().chain(&zr).all(|v| *v == 0.0), "{kind}: reset leaves signal");
    }
    assert_eq!(assert_no_alloc::violation_count(), before, "an effect allocated on the audio path");
}

#[test]
fn settled_effects_do_not_depend_on_the_block_size() {
    let (l, r) = (noise(30, 30_000, 0.8), noise(31, 30_000, 0.8));
    for kind in ["reverb", "delay", "chorus", "utility"] {
        let params = [("mix", 60.0), ("voices", 3.0), ("feedback", 40.0), ("gain", 3.0), ("width", 150.0)];
        let spec = dsp::kind(kind).unwrap();
        let params: Vec<_> = params.into_iter().filter(|(k, _)| spec.param_index(k).is_some()).collect();
        let (al, ar) = stereo(build(kind, &params).as_mut(), &l, &r, BLOCK);
        let (bl, br) = stereo(build(kind, &params).as_mut(), &l, &r, 37);
        let want: Vec<f64> = al.iter().chain(&ar).map(|v| f64::from(*v)).collect();
        let got: Vec<f32> = bl.iter().chain(&br).copied().collect();
        assert_close(&got, &want, 1e-5, kind);
    }
}
