//! The gate and expander against closed forms: its range, unity when open,
//! hysteresis, hold, expansion ratio, external key and side-chain filter.
//! Expected values are computed here, never taken from the processors.

use std::f64::consts::PI;

use mixdesk_tests::dsp_harness::*;

// ---------------------------------------------------------------- gate

/// The gain (dB) from `x` to `y` over `range`, by RMS.
fn gain_db(x: &[f32], y: &[f32], range: std::ops::Range<usize>) -> f64 {
    to_db(rms(&y[range.clone()]) / rms(&x[range]))
}

fn ms(rate: u32, ms: f64) -> usize {
    (ms * 0.001 * f64::from(rate)).round() as usize
}

#[test]
fn gate_removes_noise_between_phrases_and_passes_the_phrases_at_unity() {
    let rate = 48_000;
    // Noise at -60 dBFS RMS throughout, phrases of a 1 kHz tone peaking at
    // -10 dBFS: 400 ms gap, 300 ms phrase, 400 ms gap, 300 ms phrase, 400 ms gap.
    let (gap, phrase) = (ms(rate, 400.0), ms(rate, 300.0));
    let n = 3 * gap + 2 * phrase;
    let phrases = [gap..gap + phrase, 2 * gap + phrase..2 * gap + 2 * phrase];
    let mut g = Noise(5);
    let tone = sine(n, rate, 1000.0, db(-10.0), 0.0);
    let chans: Vec<Vec<f32>> = (0..2)
        .map(|_| {
            (0..n)
                .map(|i| {
                    let t = if phrases.iter().any(|p| p.contains(&i)) { tone[i] } else { 0.0 };
                    t + (db(-60.0) * g.gauss()) as f32
                })
                .collect()
        })
        .collect();
    let release = 20.0;
    let mut gate = build("gate", rate, &[("threshold", -40.0), ("range", -80.0), ("release", release)]);
    let (out, gr) = run(gate.as_mut(), &chans, None, 256);
    // Gaps: once hold (50 ms) and 10 release times have passed, the noise is down by the range.
    let settle = ms(rate, 50.0 + 10.0 * release);
    let gaps = [0..gap, phrases[0].end + settle..phrases[1].start, phrases[1].end + settle..n];
    for c in 0..2 {
        for r in &gaps {
            let g = gain_db(&chans[c], &out[c], r.clone());
            println!("gate: channel {c}, gap {r:?}: noise {g:+.2} dB");
            assert!((g + 80.0).abs() < 0.5, "gap {r:?}: {g} dB");
        }
        // Phrases: after 10 attack times (10 ms), unity.
        for p in &phrases {
            let r = p.start + ms(rate, 10.0)..p.end;
            let g = gain_db(&chans[c], &out[c], r.clone());
            println!("gate: channel {c}, phrase {r:?}: {g:+.4} dB");
            assert!(g.abs() < 0.1, "phrase {r:?}: {g} dB");
        }
    }
    // Metering: 80 dB of reduction in a gap, none in a phrase.
    let block_at = |i: usize| gr[i / 256];
    assert!((f64::from(block_at(gap / 2)) - 80.0).abs() < 0.1);
    assert_eq!(block_at(phrases[0].end - 1000), 0.0);
}

#[test]
fn gate_hysteresis_keeps_an_open_gate_open_and_a_closed_gate_closed() {
    let rate = 48_000;
    // Opens above -30 dB, closes below -40 dB.
    let set = [("threshold", -30.0), ("hysteresis", 10.0), ("hold", 10.0), ("release", 20.0)];
    let n = ms(rate, 1500.0);
    let level = |db_at: &dyn Fn(usize) -> f64| -> Vec<f32> {
        (0..n).map(|i| (db(db_at(i)) * (2.0 * PI * 1000.0 * i as f64 / 48_000.0).sin()) as f32).collect()
    };
    // A closed gate: the key sits at -35 dB, between the two thresholds.
    let x = level(&|_| -35.0);
    let mut gate = build("gate", rate, &set);
    let (out, _) = run(gate.as_mut(), std::slice::from_ref(&x), None, 128);
    let closed = gain_db(&x, &out[0], 0..n);
    println!("hysteresis: closed gate, key at -35 dB: {closed:+.2} dB");
    assert!((closed + 80.0).abs() < 0.5, "{closed}");
    // An open gate: -20 dB for 200 ms opens it, then -35 dB for 800 ms keeps it
    // open (far longer than hold and release), then -45 dB closes it.
    let (open_end, mid_end) = (ms(rate, 200.0), ms(rate, 1000.0));
    let x = level(&|i| {
        if i < open_end {
            -20.0
        } else if i < mid_end {
            -35.0
        } else {
            -45.0
        }
    });
    let mut gate = build("gate", rate, &set);
    let (out, _) = run(gate.as_mut(), std::slice::from_ref(&x), None, 128);
    let held_open = gain_db(&x, &out[0], open_end..mid_end);
    let max_dev = (open_end..mid_end).map(|i| (out[0][i] - x[i]).abs()).fold(0f32, f32::max);
    println!("hysteresis: open gate, key at -35 dB for 800 ms: {held_open:+.5} dB");
    assert!(held_open.abs() < 0.01 && max_dev == 0.0, "{held_open} dB, {max_dev}");
    let after = gain_db(&x, &out[0], mid_end + ms(rate, 10.0 + 200.0)..n);
    println!("hysteresis: key at -45 dB, under the close threshold: {after:+.2} dB");
    assert!((after + 80.0).abs() < 0.5, "{after}");
}

#[test]
fn gate_stays_open_for_the_hold_time_after_the_key_drops() {
    let rate = 48_000;
    for hold in [100.0, 500.0] {
        // A steady input, so the gain can be read sample by sample; the
        // external key is a 1 kHz tone at -10 dB for 200 ms, then silence.
        let n = ms(rate, 200.0 + hold + 300.0);
        let x = vec![0.5f32; n];
        let mut key = sine(ms(rate, 200.0), rate, 1000.0, db(-10.0), 0.0);
        key.resize(n, 0.0);
        // The last key sample above the close threshold (-40 - 3 dB).
        let last = key.iter().rposition(|v| f64::from(v.abs()) > db(-43.0)).unwrap();
        let mut gate = build("gate", rate, &[("threshold", -40.0), ("hold", hold), ("release", 50.0)]);
        let (out, _) = run(gate.as_mut(), std::slice::from_ref(&x), Some(&[key.clone(), key.clone()]), 64);
        let gain = |i: usize| to_db(f64::from(out[0][i]) / 0.5);
        let open_from = (0..n).find(|&i| gain(i) > -0.1).unwrap();
        let closing = (last..n).find(|&i| gain(i) < -0.1).unwrap();
        let expected = last + ms(rate, hold);
        println!(
            "hold {hold} ms: opened within {:.2} ms, began closing {:+.2} ms from the last key sample + hold",
            open_from as f64 / 48.0,
            (closing as f64 - expected as f64) / 48.0
        );
        assert!(open_from < ms(rate, 10.0));
        assert!((open_from..closing).all(|i| out[0][i] == 0.5) || open_from + ms(rate, 10.0) < closing);
        assert!(closing.abs_diff(expected) <= ms(rate, 1.0), "closing at {closing}, expected {expected}");
        assert!(gain(n - 1) < -79.0);
    }
}

#[test]
fn expander_moves_a_steady_level_below_threshold_down_by_ratio_minus_one_times_the_distance() {
    let rate = 48_000;
    let n = ms(rate, 1000.0);
    for (ratio, under) in [(2.0, 10.0), (2.0, 25.0), (4.0, 5.0), (1.5, 30.0)] {
        let threshold = -30.0;
        let x = sine(n, rate, 1000.0, db(threshold - under), 0.0);
        let mut gate = build(
            "gate",
            rate,
            &[("threshold", threshold), ("ratio", ratio), ("range", -80.0), ("hysteresis", 0.0)],
        );
        let (out, gr) = run(gate.as_mut(), std::slice::from_ref(&x), None, 480);
        let want = -(ratio - 1.0) * under;
        let got = gain_db(&x, &out[0], n / 2..n);
        let out_peak = to_db(f64::from(out[0][n / 2..].iter().fold(0f32, |m, v| m.max(v.abs()))));
        println!(
            "expander ratio {ratio}: level {} dB -> gain {got:+.3} dB (expected {want:+.1}), output peak {out_peak:.2} dBFS",
            threshold - under
        );
        assert!((got - want).abs() < 0.1, "ratio {ratio}, {under} dB under: {got} dB, expected {want}");
        assert!((out_peak - (threshold - ratio * under)).abs() < 0.1);
        assert!((f64::from(*gr.last().unwrap()) + want).abs() < 0.1);
    }
}

#[test]
fn gate_follows_the_external_key_not_the_input() {
    let rate = 48_000;
    let half = ms(rate, 500.0);
    let n = 2 * half;
    // The input: a loud tone, then quiet noise. The key: silence, then a loud tone.
    let mut g = Noise(9);
    let loud = sine(n, rate, 440.0, db(-10.0), 0.0);
    let x: Vec<f32> =
        (0..n).map(|i| if i < half { loud[i] } else { (db(-60.0) * g.gauss()) as f32 }).collect();
    let tone = sine(n, rate, 2000.0, db(-6.0), 0.0);
    let key_r: Vec<f32> = (0..n).map(|i| if i < half { 0.0 } else { tone[i] }).collect();
    // Mono input keyed by a stereo key whose right channel only carries the tone.
    let key = [vec![0.0; n], key_r];
    let mut gate = build("gate", rate, &[]);
    let (out, _) = run(gate.as_mut(), std::slice::from_ref(&x), Some(&key), 512);
    let closed = gain_db(&x, &out[0], 0..half);
    let open = gain_db(&x, &out[0], half + ms(rate, 10.0)..n);
    println!("external key: loud input, silent key {closed:+.2} dB; quiet input, loud key {open:+.4} dB");
    assert!((closed + 80.0).abs() < 0.5, "{closed}");
    assert!(open.abs() < 0.01, "{open}");
    // Without the key, the same input opens the gate for its loud half.
    let mut gate = build("gate", rate, &[]);
    let (out, _) = run(gate.as_mut(), std::slice::from_ref(&x), None, 512);
    assert!(gain_db(&x, &out[0], ms(rate, 10.0)..half).abs() < 0.01);
}

#[test]
fn gate_side_chain_high_pass_removes_low_key_content() {
    let rate = 48_000;
    let n = ms(rate, 500.0);
    let x = sine(n, rate, 3000.0, db(-20.0), 0.0);
    // The key: a 50 Hz tone at -20 dB. A 12 dB/octave Butterworth high-pass at
    // 1 kHz passes (f/fc)^2 / sqrt(1 + (f/fc)^4) of it: -52 dB, leaving -72 dB,
    // far under the -43 dB close threshold.
    let key = sine(n, rate, 50.0, db(-20.0), 0.0);
    let r = 50.0f64 / 1000.0;
    let through = -20.0 + to_db(r * r / (1.0 + r.powi(4)).sqrt());
    assert!(through < -43.0 - 20.0);
    let keys = [key.clone(), key];
    let mut open = build("gate", rate, &[("sc_hpf_on", 0.0), ("sc_hpf_freq", 1000.0)]);
    let (out, _) = run(open.as_mut(), std::slice::from_ref(&x), Some(&keys), 256);
    assert!(
        gain_db(&x, &out[0], ms(rate, 50.0)..n).abs() < 0.01,
        "without the high-pass the key opens the gate"
    );
    let mut filtered = build("gate", rate, &[("sc_hpf_on", 1.0), ("sc_hpf_freq", 1000.0)]);
    let (out, _) = run(filtered.as_mut(), std::slice::from_ref(&x), Some(&keys), 256);
    let g = gain_db(&x, &out[0], ms(rate, 50.0)..n);
    println!(
        "side-chain high-pass at 1 kHz, 50 Hz key at -20 dB (through the filter {through:.1} dB): {g:+.2} dB"
    );
    assert!((g + 80.0).abs() < 0.5, "{g}");
}

#[test]
fn gate_range_changes_glide_instead_of_jumping() {
    let rate = 48_000;
    let n = 9600;
    let x = vec![0.5f32; n];
    let silent = vec![0f32; n];
    let mut gate = build("gate", rate, &[("range", -80.0), ("attack", 0.01)]);
    let mut out = x.clone();
    gate.process(&mut [&mut out[..4800]], Some([&silent[..4800], &silent[..4800]]));
    gate.set_param(index("gate", "range"), -20.0);
    gate.process(&mut [&mut out[4800..]], Some([&silent[4800..], &silent[4800..]]));
    // Closed (silent key): from -80 dB to -20 dB in equal dB steps over 5 ms
    // (240 samples), not in one jump, even with the fastest attack.
    let gains: Vec<f64> = out.iter().map(|v| to_db(f64::from(*v) / 0.5)).collect();
    assert!((gains[4799] + 80.0).abs() < 0.01 && (gains[n - 1] + 20.0).abs() < 0.01);
    let step = gains.windows(2).map(|w| (w[1] - w[0]).abs()).fold(0f64, f64::max);
    println!(
        "range -80 -> -20 dB: largest step {step:.3} dB per sample, halfway {:.2} dB",
        gains[4800 + 120]
    );
    assert!(step < 60.0 / 240.0 + 0.01, "largest step {step} dB");
    assert!((gains[4800 + 120] + 50.0).abs() < 1.0);
}
