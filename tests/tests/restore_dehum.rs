//! De-hum against the targets: a 440 Hz tone with 50 Hz hum and its
//! harmonics 20 dB under it loses the hum by at least 40 dB while the tone
//! stays within 0.2 dB; the same with the hum drifting, and with 60 Hz hum
//! found automatically; and the output does not depend on the block size.

use mixdesk_tests::restore::{RATE, energy, fit_sine, ratio_db, run_kind, sine, tone_amplitude};

const TONE: f64 = 440.0;
const TONE_AMP: f64 = 0.5;
/// Each hum component 20 dB under the tone.
const HUM_AMP: f64 = 0.05;

/// The fundamental and five harmonics above it.
const COMPONENTS: usize = 6;

/// Hum whose fundamental follows `freq(t)` (Hz), with `COMPONENTS` harmonics.
fn hum(n: usize, freq: impl Fn(f64) -> f64) -> Vec<f64> {
    let mut phase = 0.0;
    (0..n)
        .map(|i| {
            let v = (1..=COMPONENTS).map(|k| HUM_AMP * (k as f64 * phase + 0.3 * k as f64).sin()).sum();
            phase += std::f64::consts::TAU * freq(i as f64 / RATE) / RATE;
            v
        })
        .collect()
}

fn mix(a: &[f64], b: &[f64]) -> Vec<f32> {
    a.iter().zip(b).map(|(x, y)| (x + y) as f32).collect()
}

#[test]
fn fifty_hertz_hum_and_five_harmonics_lose_40_db_and_the_tone_stays_within_0_2_db() {
    let n = 4 * RATE as usize;
    let tone = sine(TONE, TONE_AMP, 0.0, n);
    let input = mix(&tone, &hum(n, |_| 50.0));
    let (out, latency) = run_kind("dehum", &[("harmonics", 5.0)], std::slice::from_ref(&input), 512);
    assert_eq!(latency, 0);
    // Two seconds from 2 s: whole cycles of every component.
    let (a, b) = (2 * RATE as usize, 4 * RATE as usize);
    let (x, y) = (&input[a..b], &out[0][a..b]);
    let mut worst = f64::INFINITY;
    for k in 1..=COMPONENTS {
        let f = 50.0 * k as f64;
        let cut = 20.0 * (tone_amplitude(x, f) / tone_amplitude(y, f)).log10();
        eprintln!("{f} Hz: hum lowered by {cut:.1} dB");
        worst = worst.min(cut);
    }
    let tone_change = 20.0 * (tone_amplitude(y, TONE) / tone_amplitude(x, TONE)).log10();
    eprintln!("440 Hz: {tone_change:+.3} dB");
    assert!(worst >= 40.0, "the hum is lowered by only {worst:.1} dB at its weakest harmonic");
    assert!(tone_change.abs() <= 0.2, "the tone moved by {tone_change:+.3} dB");
}

#[test]
fn drifting_hum_is_followed_and_still_loses_40_db() {
    // 50.3 Hz wandering by 0.1 Hz over 8 s: the tracker must follow it.
    let n = 10 * RATE as usize;
    let drift = |t: f64| 50.3 + 0.1 * (std::f64::consts::TAU * t / 8.0).sin();
    let tone = sine(TONE, TONE_AMP, 0.0, n);
    let h = hum(n, drift);
    let input = mix(&tone, &h);
    let (out, _) = run_kind("dehum", &[("harmonics", 5.0), ("mains", 1.0)], &[input], 512);
    let (a, b) = (3 * RATE as usize, n);
    // What is left once the tone is fitted away, against the hum put in.
    let (amp, residual) = fit_sine(&out[0][a..b], TONE);
    let left: f64 = residual.iter().map(|r| r * r).sum();
    let put: f64 = h[a..b].iter().map(|v| v * v).sum();
    let cut = ratio_db(put, left);
    let tone_change = 20.0 * (amp / TONE_AMP).log10();
    eprintln!("drifting hum lowered by {cut:.1} dB, tone {tone_change:+.3} dB");
    assert!(cut >= 40.0, "the drifting hum is lowered by only {cut:.1} dB");
    assert!(tone_change.abs() <= 0.2, "the tone moved by {tone_change:+.3} dB");

    // Without tracking the same hum is lowered far less: the tracker is what does it.
    let input = mix(&tone, &h);
    let (fixed, _) = run_kind("dehum", &[("harmonics", 5.0), ("mains", 1.0), ("track", 0.0)], &[input], 512);
    let (_, residual) = fit_sine(&fixed[0][a..b], TONE);
    let untracked = ratio_db(put, residual.iter().map(|r| r * r).sum());
    eprintln!("without tracking: {untracked:.1} dB");
    assert!(untracked < cut - 10.0, "tracking gains only {:.1} dB", cut - untracked);
}

#[test]
fn sixty_hertz_hum_is_found_automatically() {
    let n = 4 * RATE as usize;
    let tone = sine(TONE, TONE_AMP, 0.0, n);
    let h = hum(n, |_| 60.0);
    let input = mix(&tone, &h);
    let (out, _) = run_kind("dehum", &[("harmonics", 5.0)], &[input.clone(), input], 512);
    let (a, b) = (2 * RATE as usize, n);
    for c in 0..2 {
        let (_, residual) = fit_sine(&out[c][a..b], TONE);
        let put: f64 = h[a..b].iter().map(|v| v * v).sum();
        let cut = ratio_db(put, residual.iter().map(|r| r * r).sum());
        eprintln!("channel {c}: 60 Hz hum lowered by {cut:.1} dB");
        assert!(cut >= 40.0, "60 Hz hum lowered by only {cut:.1} dB");
    }
}

#[test]
fn depth_sets_how_far_the_hum_goes_down() {
    let n = 3 * RATE as usize;
    let h: Vec<f32> = hum(n, |_| 50.0).iter().map(|v| *v as f32).collect();
    let (out, _) = run_kind(
        "dehum",
        &[("harmonics", 5.0), ("mains", 1.0), ("track", 0.0), ("depth", -20.0)],
        std::slice::from_ref(&h),
        512,
    );
    let (a, b) = (RATE as usize, n);
    let cut = ratio_db(energy(&h[a..b]), energy(&out[0][a..b]));
    assert!((cut - 20.0).abs() < 0.3, "depth -20 dB lowered the hum by {cut:.2} dB");
}

#[test]
fn the_output_does_not_depend_on_the_block_size() {
    let n = 2 * RATE as usize;
    let tone = sine(TONE, TONE_AMP, 0.0, n);
    let input = mix(&tone, &hum(n, |t| 50.2 + 0.05 * t));
    let (reference, _) = run_kind("dehum", &[], std::slice::from_ref(&input), 4096);
    for block in [1, 37, 250] {
        let (out, _) = run_kind("dehum", &[], std::slice::from_ref(&input), block);
        assert!(out == reference, "blocks of {block} differ from blocks of 4096");
    }
}
