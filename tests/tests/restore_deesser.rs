//! De-esser: sibilance bursts are turned down while a voice's body between
//! them is left alone; the listen modes play the band and exactly what was
//! taken away; wideband turns everything down; the output does not depend on
//! the block size.

use mixdesk_tests::restore::{RATE, run_kind, tone_amplitude};

/// A 200 Hz "voice" at 0.3 throughout, with a 100 ms 8 kHz burst at 0.3 every half second.
fn voice_with_sibilance(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| {
            let t = i as f64 / RATE;
            let burst = (t % 0.5) < 0.1;
            let s = if burst { 0.3 * (std::f64::consts::TAU * 8000.0 * t).sin() } else { 0.0 };
            (0.3 * (std::f64::consts::TAU * 200.0 * t).sin() + s) as f32
        })
        .collect()
}

fn db(x: f64) -> f64 {
    20.0 * x.log10()
}

const SETTINGS: &[(&str, f64)] = &[("frequency", 5000.0), ("threshold", -30.0), ("range", 12.0)];

#[test]
fn bursts_are_turned_down_and_the_voice_between_them_is_not() {
    let n = 2 * RATE as usize;
    let x = voice_with_sibilance(n);
    let (out, latency) = run_kind("deesser", SETTINGS, std::slice::from_ref(&x), 512);
    assert_eq!(latency, 0);
    let y = &out[0];
    // Inside the second burst, after the attack: 50 ms at 8 kHz.
    let burst = (RATE * 0.52) as usize..(RATE * 0.57) as usize;
    let cut = db(tone_amplitude(&x[burst.clone()], 8000.0) / tone_amplitude(&y[burst.clone()], 8000.0));
    // Between bursts, 300 ms after one: 100 ms of the voice alone.
    let between = (RATE * 0.9) as usize..(RATE * 1.0) as usize;
    let voice = db(tone_amplitude(&y[between.clone()], 200.0) / tone_amplitude(&x[between], 200.0));
    let body = db(tone_amplitude(&y[burst.clone()], 200.0) / tone_amplitude(&x[burst], 200.0));
    eprintln!("burst lowered {cut:.1} dB; the voice {body:+.3} dB during it, {voice:+.4} dB between");
    assert!(cut > 8.0, "the burst is lowered by only {cut:.1} dB");
    assert!(body.abs() < 0.1, "split band: the voice moved {body:+.3} dB during the burst");
    assert!(voice.abs() < 0.01, "the voice between bursts moved {voice:+.4} dB");
}

#[test]
fn listening_to_what_was_removed_adds_back_up_to_the_input() {
    let n = RATE as usize;
    let x = voice_with_sibilance(n);
    let (cleaned, _) = run_kind("deesser", SETTINGS, std::slice::from_ref(&x), 512);
    let mut with = SETTINGS.to_vec();
    with.push(("listen", 2.0));
    let (removed, _) = run_kind("deesser", &with, std::slice::from_ref(&x), 512);
    let worst = x
        .iter()
        .zip(cleaned[0].iter().zip(&removed[0]))
        .map(|(a, (c, r))| (a - c - r).abs())
        .fold(0.0f32, f32::max);
    assert!(worst < 1e-6, "cleaned + removed is off the input by {worst:e}");
    let burst = (RATE * 0.02) as usize..(RATE * 0.08) as usize;
    assert!(tone_amplitude(&removed[0][burst], 8000.0) > 0.1, "the removed sibilance is heard");
    // The band: the 8 kHz burst comes through, the 200 Hz voice is far down.
    with.pop();
    with.push(("listen", 1.0));
    let (band, _) = run_kind("deesser", &with, &[x], 512);
    let quiet = (RATE * 0.2) as usize..(RATE * 0.5) as usize;
    let voice = db(tone_amplitude(&band[0][quiet], 200.0) / 0.3);
    assert!(voice < -25.0, "the band still carries the voice at {voice:.1} dB");
}

#[test]
fn wideband_turns_the_whole_signal_down_while_the_band_is_loud() {
    let n = RATE as usize;
    let x = voice_with_sibilance(n);
    let mut with = SETTINGS.to_vec();
    with.push(("mode", 1.0));
    let (out, _) = run_kind("deesser", &with, std::slice::from_ref(&x), 512);
    let burst = (RATE * 0.02) as usize..(RATE * 0.08) as usize;
    let body = db(tone_amplitude(&out[0][burst.clone()], 200.0) / tone_amplitude(&x[burst.clone()], 200.0));
    let sib = db(tone_amplitude(&out[0][burst.clone()], 8000.0) / tone_amplitude(&x[burst], 8000.0));
    eprintln!("wideband: voice {body:+.2} dB, sibilance {sib:+.2} dB");
    assert!(body < -8.0 && (body - sib).abs() < 0.1, "wideband: voice {body:+.2} dB, sibilance {sib:+.2} dB");
}

#[test]
fn the_output_does_not_depend_on_the_block_size() {
    let x = voice_with_sibilance(RATE as usize);
    let (reference, _) = run_kind("deesser", SETTINGS, &[x.clone(), x.clone()], 4096);
    for block in [1, 37, 250] {
        let (out, _) = run_kind("deesser", SETTINGS, &[x.clone(), x.clone()], block);
        assert!(out == reference, "blocks of {block} differ from blocks of 4096");
    }
}
