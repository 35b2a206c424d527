//! The EQ and the compressor against closed forms computed here, independently
//! of the engine's own designs.

use std::f64::consts::PI;

use mixdesk_engine::dsp::{Dsp, DspContext, eq, kind};

const RATES: [u32; 3] = [44_100, 48_000, 96_000];

fn build(name: &str, rate: u32, set: &[(&str, f64)]) -> (Box<dyn Dsp>, Vec<f64>) {
    let spec = kind(name).unwrap();
    let mut values: Vec<f64> = spec.params.iter().map(|p| p.default).collect();
    for (k, v) in set {
        values[spec.param_index(k).unwrap_or_else(|| panic!("{name} has {k}"))] = *v;
    }
    let ctx = DspContext { sample_rate: rate, max_block: 1024, bpm: 120.0 };
    ((spec.build)(&ctx, &values), values)
}

fn run_mono(dsp: &mut dyn Dsp, x: &[f32]) -> Vec<f32> {
    let mut y = x.to_vec();
    for chunk in y.chunks_mut(1024) {
        dsp.process(&mut [chunk], None);
    }
    y
}

// ---- Closed-form reference filters (RBJ Audio EQ Cookbook, bilinear transform) ----

/// `(b, a)` with a0 = 1.
type Biquad = ([f64; 3], [f64; 3]);

fn normalise(b: [f64; 3], a: [f64; 3]) -> Biquad {
    ([b[0] / a[0], b[1] / a[0], b[2] / a[0]], [1.0, a[1] / a[0], a[2] / a[0]])
}

fn rbj(kind: &str, f0: f64, rate: f64, gain_db: f64, q: f64) -> Biquad {
    let w0 = 2.0 * PI * f0 / rate;
    let (c, s) = (w0.cos(), w0.sin());
    let alpha = s / (2.0 * q);
    let a = 10f64.powf(gain_db / 40.0);
    match kind {
        "lp" => normalise([(1.0 - c) / 2.0, 1.0 - c, (1.0 - c) / 2.0], [1.0 + alpha, -2.0 * c, 1.0 - alpha]),
        "hp" => {
            normalise([(1.0 + c) / 2.0, -(1.0 + c), (1.0 + c) / 2.0], [1.0 + alpha, -2.0 * c, 1.0 - alpha])
        }
        "peak" => normalise(
            [1.0 + alpha * a, -2.0 * c, 1.0 - alpha * a],
            [1.0 + alpha / a, -2.0 * c, 1.0 - alpha / a],
        ),
        "lowshelf" => {
            let k = 2.0 * a.sqrt() * alpha;
            normalise(
                [
                    a * ((a + 1.0) - (a - 1.0) * c + k),
                    2.0 * a * ((a - 1.0) - (a + 1.0) * c),
                    a * ((a + 1.0) - (a - 1.0) * c - k),
                ],
                [
                    (a + 1.0) + (a - 1.0) * c + k,
                    -2.0 * ((a - 1.0) + (a + 1.0) * c),
                    (a + 1.0) + (a - 1.0) * c - k,
                ],
            )
        }
        "highshelf" => {
            let k = 2.0 * a.sqrt() * alpha;
            normalise(
                [
                    a * ((a + 1.0) + (a - 1.0) * c + k),
                    -2.0 * a * ((a - 1.0) + (a + 1.0) * c),
                    a * ((a + 1.0) + (a - 1.0) * c - k),
                ],
                [
                    (a + 1.0) - (a - 1.0) * c + k,
                    2.0 * ((a - 1.0) - (a + 1.0) * c),
                    (a + 1.0) - (a - 1.0) * c - k,
                ],
            )
        }
        // First order by the bilinear transform of 1/(s+1) and s/(s+1), prewarped.
        "lp1" | "hp1" => {
            let k = (PI * f0 / rate).tan();
            if kind == "lp1" {
                normalise([k, k, 0.0], [1.0 + k, k - 1.0, 0.0])
            } else {
                normalise([1.0, -1.0, 0.0], [1.0 + k, k - 1.0, 0.0])
            }
        }
        _ => unreachable!(),
    }
}

fn mag(f: &Biquad, freq: f64, rate: f64) -> f64 {
    // |H| = |B(e^jw)| / |A(e^jw)| by complex arithmetic on the polynomials.
    let w = 2.0 * PI * freq / rate;
    let eval = |p: &[f64; 3]| {
        let (mut re, mut im) = (0.0, 0.0);
        for (k, c) in p.iter().enumerate() {
            re += c * (w * k as f64).cos();
            im -= c * (w * k as f64).sin();
        }
        (re * re + im * im).sqrt()
    };
    eval(&f.0) / eval(&f.1)
}

/// Butterworth of order `n` at `f0` as cascaded sections: the poles of the
/// analogue prototype are at angles (2k + n - 1) pi / 2n.
fn butterworth(hp: bool, n: usize, f0: f64, rate: f64) -> Vec<Biquad> {
    let mut v = Vec::new();
    if n % 2 == 1 {
        v.push(rbj(if hp { "hp1" } else { "lp1" }, f0, rate, 0.0, 1.0));
    }
    for k in 1..=n / 2 {
        let theta = (2 * k + n - 1) as f64 * PI / (2 * n) as f64;
        let q = -1.0 / (2.0 * theta.cos());
        v.push(rbj(if hp { "hp" } else { "lp" }, f0, rate, 0.0, q));
    }
    v
}

/// The amplitude of the steady-state sinusoid at `freq` in `y`, by least squares
/// on its sine and cosine components (exact for a pure sinusoid of any length).
fn amplitude(y: &[f32], freq: f64, rate: f64, from: usize) -> f64 {
    let (mut ss, mut sc, mut cc, mut ys, mut yc) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, &v) in y.iter().enumerate().skip(from) {
        let ph = 2.0 * PI * freq * i as f64 / rate;
        let (s, c) = ph.sin_cos();
        ss += s * s;
        sc += s * c;
        cc += c * c;
        ys += f64::from(v) * s;
        yc += f64::from(v) * c;
    }
    let det = ss * cc - sc * sc;
    let a = (ys * cc - yc * sc) / det;
    let b = (yc * ss - ys * sc) / det;
    (a * a + b * b).sqrt()
}

fn db(x: f64) -> f64 {
    20.0 * x.log10()
}

/// 1/3-octave frequencies from 20 Hz to 20 kHz.
fn third_octaves() -> Vec<f64> {
    (0..=30).map(|k| 20.0 * 2f64.powf(k as f64 / 3.0)).filter(|f| *f <= 20_000.0).collect()
}

/// Runs each EQ setting at each rate: sine measurements, the closed form and
/// the engine's curve function agree.
fn check_eq(label: &str, set: &[(&str, f64)], reference: impl Fn(f64) -> Vec<Biquad>) {
    for rate in RATES {
        let r = f64::from(rate);
        let sections = reference(r);
        let (_, values) = build("eq", rate, set);
        let mut measured_points = 0;
        for f in third_octaves() {
            let expected = db(sections.iter().map(|s| mag(s, f, r)).product::<f64>());
            let curve = eq::magnitude_db(&values, r, f);
            assert!(
                (curve - expected).abs() < 0.01,
                "{label} at {rate} Hz, {f:.0} Hz: curve {curve:.3} dB vs closed form {expected:.3} dB"
            );
            if expected < -80.0 {
                continue; // below what a float signal path can measure to 0.1 dB
            }
            let (mut dsp, _) = build("eq", rate, set);
            let settle = (0.3 * r) as usize + (20.0 * r / f) as usize;
            let measure = (0.05 * r) as usize + (10.0 * r / f) as usize;
            let x: Vec<f32> =
                (0..settle + measure).map(|i| (0.5 * (2.0 * PI * f * i as f64 / r).sin()) as f32).collect();
            let y = run_mono(dsp.as_mut(), &x);
            let measured = db(amplitude(&y, f, r, settle) / 0.5);
            assert!(
                (measured - expected).abs() < 0.1,
                "{label} at {rate} Hz, {f:.0} Hz: measured {measured:.3} dB vs closed form {expected:.3} dB"
            );
            measured_points += 1;
        }
        assert!(measured_points >= 12, "{label}: only {measured_points} frequencies measurable");
    }
}

#[test]
fn high_pass_at_every_slope_matches_its_closed_form() {
    for (slope, order) in [1usize, 2, 3, 4, 6, 8].into_iter().enumerate() {
        check_eq(
            &format!("high-pass order {order}"),
            &[("hp_on", 1.0), ("hp_freq", 500.0), ("hp_slope", slope as f64)],
            |r| butterworth(true, order, 500.0, r),
        );
    }
}

#[test]
fn low_pass_at_every_slope_matches_its_closed_form() {
    for (slope, order) in [1usize, 2, 3, 4, 6, 8].into_iter().enumerate() {
        check_eq(
            &format!("low-pass order {order}"),
            &[("lp_on", 1.0), ("lp_freq", 4000.0), ("lp_slope", slope as f64)],
            |r| butterworth(false, order, 4000.0, r),
        );
    }
}

#[test]
fn shelves_and_peaks_match_their_closed_forms() {
    check_eq("low shelf", &[("low_freq", 200.0), ("low_gain", 9.0), ("low_q", 0.7)], |r| {
        vec![rbj("lowshelf", 200.0, r, 9.0, 0.7)]
    });
    check_eq("high shelf", &[("high_freq", 4000.0), ("high_gain", -7.0), ("high_q", 1.0)], |r| {
        vec![rbj("highshelf", 4000.0, r, -7.0, 1.0)]
    });
    check_eq("band 1 peak", &[("p1_freq", 300.0), ("p1_gain", 12.0), ("p1_q", 2.0)], |r| {
        vec![rbj("peak", 300.0, r, 12.0, 2.0)]
    });
    check_eq("band 4 dip", &[("p4_freq", 8000.0), ("p4_gain", -10.0), ("p4_q", 0.5)], |r| {
        vec![rbj("peak", 8000.0, r, -10.0, 0.5)]
    });
    // Every band at once, in the processing order.
    let all = [
        ("hp_on", 1.0),
        ("hp_freq", 40.0),
        ("hp_slope", 3.0),
        ("low_gain", 3.0),
        ("p2_gain", -4.0),
        ("p2_q", 3.0),
        ("p3_gain", 5.0),
        ("high_gain", 2.0),
        ("lp_on", 1.0),
        ("lp_freq", 15000.0),
    ];
    check_eq("all bands", &all, |r| {
        let mut v = butterworth(true, 4, 40.0, r);
        v.extend(butterworth(false, 2, 15000.0, r));
        v.push(rbj("lowshelf", 100.0, r, 3.0, 0.707));
        v.push(rbj("peak", 800.0, r, -4.0, 3.0));
        v.push(rbj("peak", 2500.0, r, 5.0, 1.0));
        v.push(rbj("highshelf", 10000.0, r, 2.0, 0.707));
        v
    });
}

#[test]
fn eq_sweeps_glide_without_steps() {
    // A peak swept by automation: the output of a steady sine never jumps by more
    // than the sine itself can move between two samples plus a small margin.
    let rate = 48_000.0;
    let (mut dsp, values) = build("eq", 48_000, &[("p2_gain", 12.0)]);
    let spec = kind("eq").unwrap();
    let freq_i = spec.param_index("p2_freq").unwrap();
    let f = 1000.0;
    let x: Vec<f32> = (0..48_000).map(|i| (0.25 * (2.0 * PI * f * i as f64 / rate).sin()) as f32).collect();
    let mut y = x.clone();
    for (k, chunk) in y.chunks_mut(256).enumerate() {
        // Jump the band's frequency every block, as coarse automation would.
        dsp.set_param(freq_i, if k % 2 == 0 { 400.0 } else { 2500.0 });
        dsp.process(&mut [chunk], None);
    }
    let max_step_in = 0.25 * 4.0 * 2.0 * PI * f / rate; // |d/dt| bound of the boosted sine
    let worst = y.windows(2).map(|w| (w[1] - w[0]).abs()).fold(0.0f32, f32::max);
    assert!(f64::from(worst) < 2.0 * max_step_in, "largest step {worst} (a zipper or click)");
    assert!(values.len() == spec.params.len());
}

// ---- Compressor ----

/// The static curve in dB (Giannoulis et al. 2012, eq. 4), coded here from the paper.
fn expected_out_db(x: f64, t: f64, ratio: f64, w: f64) -> f64 {
    if 2.0 * (x - t) < -w {
        x
    } else if w > 0.0 && 2.0 * (x - t).abs() <= w {
        x + (1.0 / ratio - 1.0) * (x - t + w / 2.0).powi(2) / (2.0 * w)
    } else {
        t + (x - t) / ratio
    }
}

/// A square wave of amplitude `amp`: constant |x| for peak and RMS detection alike.
fn square(amp: f64, n: usize, period: usize) -> Vec<f32> {
    (0..n).map(|i| if (i / (period / 2)).is_multiple_of(2) { amp as f32 } else { -amp as f32 }).collect()
}

#[test]
fn compressor_static_curve_matches_the_formula_hard_and_soft_knee() {
    for detection in [0.0, 1.0] {
        for knee in [0.0, 12.0] {
            for step in 0..=25 {
                let level = -50.0 + 2.0 * f64::from(step);
                let (mut dsp, _) = build(
                    "compressor",
                    48_000,
                    &[
                        ("threshold", -20.0),
                        ("ratio", 4.0),
                        ("knee", knee),
                        ("attack", 1.0),
                        ("release", 40.0),
                        ("makeup", 3.0),
                        ("detection", detection),
                    ],
                );
                let amp = 10f64.powf(level / 20.0);
                let y = run_mono(dsp.as_mut(), &square(amp, 48_000, 96));
                let tail = &y[40_000..];
                let out = tail.iter().map(|v| f64::from(v.abs())).sum::<f64>() / tail.len() as f64;
                let expected = expected_out_db(level, -20.0, 4.0, knee) + 3.0;
                assert!(
                    (db(out) - expected).abs() < 0.1,
                    "detection {detection} knee {knee} in {level} dB: out {:.3} dB, formula {expected:.3} dB",
                    db(out)
                );
            }
        }
    }
}

/// Gain reduction in dB per sample of a DC step through the compressor.
fn reduction_trace(attack: f64, release: f64, from_db: f64, to_db: f64) -> (Vec<f64>, usize) {
    let (mut dsp, _) = build(
        "compressor",
        48_000,
        &[("threshold", -30.0), ("ratio", 10.0), ("knee", 0.0), ("attack", attack), ("release", release)],
    );
    let step = 96_000;
    let x: Vec<f32> = (0..step + 192_000)
        .map(|i| 10f64.powf(if i < step { from_db } else { to_db } / 20.0) as f32)
        .collect();
    let y = run_mono(dsp.as_mut(), &x);
    (x.iter().zip(&y).map(|(a, b)| db(f64::from(*a)) - db(f64::from(*b))).collect(), step)
}

#[test]
fn compressor_attack_and_release_follow_their_time_constants() {
    let rate = 48_000.0;
    for (attack, release) in [(5.0, 50.0), (20.0, 300.0), (1.0, 1000.0)] {
        // Attack: from below threshold to 30 dB over it; reduction settles at 27 dB.
        let (gr, step) = reduction_trace(attack, release, -50.0, 0.0);
        let full = gr[gr.len() - 1];
        assert!((full - 27.0).abs() < 0.05, "steady reduction {full}");
        let t63 = gr[step..].iter().position(|g| *g >= full * (1.0 - (-1.0f64).exp())).unwrap();
        let measured = t63 as f64 / rate * 1000.0;
        assert!((measured / attack - 1.0).abs() < 0.1, "attack {attack} ms measured {measured:.2} ms");
        // Release: from 30 dB over to below threshold; reduction falls to 1/e.
        let (gr, step) = reduction_trace(attack, release, 0.0, -50.0);
        let start = gr[step - 1];
        let t37 = gr[step..].iter().position(|g| *g <= start * (-1.0f64).exp()).unwrap();
        let measured = t37 as f64 / rate * 1000.0;
        assert!((measured / release - 1.0).abs() < 0.1, "release {release} ms measured {measured:.2} ms");
    }
}

#[test]
fn the_sidechain_not_the_input_drives_the_gain() {
    let set = [("threshold", -30.0), ("ratio", 4.0), ("knee", 0.0), ("attack", 1.0), ("release", 50.0)];
    let n = 48_000;
    let quiet = square(10f64.powf(-40.0 / 20.0), n, 96); // under the threshold
    let loud = square(1.0, n, 96); // 30 dB over it
    let silent = vec![0.0f32; n];
    let run_keyed = |input: &[f32], key: &[f32]| {
        let (mut dsp, _) = build("compressor", 48_000, &set);
        let mut y = input.to_vec();
        for (k, chunk) in y.chunks_mut(1024).enumerate() {
            let key = &key[k * 1024..k * 1024 + chunk.len()];
            dsp.process(&mut [chunk], Some([key, key]));
        }
        let tail = &y[40_000..];
        (
            db(tail.iter().map(|v| f64::from(v.abs())).sum::<f64>() / tail.len() as f64),
            dsp.gain_reduction_db().unwrap(),
        )
    };
    // A loud key ducks a quiet input by the reduction the key's level asks for.
    let (out, gr) = run_keyed(&quiet, &loud);
    let expected_gr = 30.0 - 30.0 / 4.0;
    assert!((out - (-40.0 - expected_gr)).abs() < 0.1, "ducked to {out:.2} dB");
    assert!((f64::from(gr) - expected_gr).abs() < 0.1, "reported reduction {gr}");
    // A silent key leaves a loud input untouched.
    let (out, gr) = run_keyed(&loud, &silent);
    assert!(out.abs() < 0.01 && gr < 0.01, "loud input with a silent key came out at {out:.3} dB");
}

#[test]
fn compressor_sidechain_high_pass_ignores_low_frequencies() {
    // A 40 Hz key at 0 dBFS compresses hard without the filter and hardly at all
    // through a 400 Hz high-pass (12 dB/oct: -40 dB at 40 Hz, i.e. under threshold).
    let rate = 48_000.0;
    let key: Vec<f32> = (0..96_000).map(|i| (2.0 * PI * 40.0 * i as f64 / rate).sin() as f32).collect();
    let tone = square(0.01, 96_000, 96);
    for (hpf, expect_gr) in [(0.0, true), (1.0, false)] {
        let (mut dsp, _) = build(
            "compressor",
            48_000,
            &[("threshold", -30.0), ("ratio", 8.0), ("sc_hpf_on", hpf), ("sc_hpf_freq", 400.0)],
        );
        let mut y = tone.clone();
        for (k, chunk) in y.chunks_mut(1024).enumerate() {
            let key = &key[k * 1024..k * 1024 + chunk.len()];
            dsp.process(&mut [chunk], Some([key, key]));
        }
        let gr = dsp.gain_reduction_db().unwrap();
        assert_eq!(gr > 10.0, expect_gr, "high-pass {hpf}: reduction {gr} dB");
    }
}

// ---- Gate ----

#[test]
fn the_gate_removes_noise_between_phrases_and_passes_the_phrases() {
    // Bursts of a -10 dBFS tone separated by -60 dBFS noise; threshold -40 dB,
    // range -80 dB: the gaps drop by about the range, the bursts pass at unity.
    let rate = 48_000.0;
    let n = 96_000;
    let phrase = |i: usize| (i / 24_000).is_multiple_of(2);
    let mut seed = 1u32;
    let x: Vec<f32> = (0..n)
        .map(|i| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            if phrase(i) {
                (10f64.powf(-10.0 / 20.0) * (2.0 * PI * 440.0 * i as f64 / rate).sin()) as f32
            } else {
                (10f64.powf(-60.0 / 20.0) * 1.7 * (f64::from(seed) / f64::from(u32::MAX) - 0.5)) as f32
            }
        })
        .collect();
    let (mut dsp, _) = build(
        "gate",
        48_000,
        &[("threshold", -40.0), ("range", -80.0), ("attack", 0.5), ("hold", 20.0), ("release", 50.0)],
    );
    let y = run_mono(dsp.as_mut(), &x);
    let rms = |v: &[f32]| (v.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / v.len() as f64).sqrt();
    // Burst 2 (48000..72000) after the attack: unity.
    let pass = db(rms(&y[49_000..72_000]) / rms(&x[49_000..72_000]));
    assert!(pass.abs() < 0.1, "phrase changed by {pass:.3} dB");
    // Gap (24000..48000) after hold + release have passed: down by most of the range.
    let gap = db(rms(&y[40_000..48_000]) / rms(&x[40_000..48_000]));
    assert!(gap < -60.0, "noise between phrases only down {gap:.1} dB");
}

#[test]
fn the_expander_follows_its_ratio_and_the_key_drives_it() {
    // Ratio 2, no range limit: a steady level 10 dB under the threshold comes out
    // 20 dB under it.
    let (mut dsp, _) =
        build("gate", 48_000, &[("threshold", -30.0), ("ratio", 2.0), ("range", -80.0), ("hysteresis", 0.0)]);
    let x = square(10f64.powf(-40.0 / 20.0), 48_000, 96);
    let y = run_mono(dsp.as_mut(), &x);
    let out = db(f64::from(y[47_000].abs()));
    assert!((out - -50.0).abs() < 0.1, "expanded to {out:.3} dB");
    // A loud key holds the gate open over a quiet input.
    let (mut dsp, _) = build("gate", 48_000, &[("threshold", -30.0), ("range", -80.0)]);
    let key = vec![0.5f32; 48_000];
    let mut y = x.clone();
    for (k, chunk) in y.chunks_mut(1024).enumerate() {
        let key = &key[k * 1024..k * 1024 + chunk.len()];
        dsp.process(&mut [chunk], Some([key, key]));
    }
    assert!((f64::from(y[47_000].abs()) - 0.01).abs() < 1e-4, "keyed open: {}", y[47_000]);
}

#[test]
fn gate_hysteresis_and_hold_decide_when_it_closes() {
    // Key steps from -20 dB to -42 dB (between threshold -40 and -40 - 5): an open
    // gate stays open; then to -60 dB: it closes only after the 100 ms hold.
    let set = [
        ("threshold", -40.0),
        ("hysteresis", 5.0),
        ("hold", 100.0),
        ("attack", 0.1),
        ("release", 5.0),
        ("range", -80.0),
    ];
    let (mut dsp, _) = build("gate", 48_000, &set);
    let level = |db_: f64| 10f64.powf(db_ / 20.0) as f32;
    let x: Vec<f32> = (0..96_000)
        .map(|i| {
            if i < 24_000 {
                level(-20.0)
            } else if i < 48_000 {
                level(-42.0)
            } else {
                level(-60.0)
            }
        })
        .collect();
    let y = run_mono(dsp.as_mut(), &x);
    assert!((y[47_000] / x[47_000] - 1.0).abs() < 1e-3, "hysteresis: closed at -42 dB");
    // DC key: the 20 ms detector release makes the -60 dB step visible about 17 ms later,
    // then the 100 ms hold; the gate is still open at +80 ms and closed by +160 ms.
    let r = |i: usize| y[i] / x[i];
    assert!((r(48_000 + 3_840) - 1.0).abs() < 1e-3, "closed before the hold ran out: {}", r(48_000 + 3_840));
    assert!(y[48_000 + 7_700] / x[48_000 + 7_700] < 0.01, "still open after hold and release");
}
