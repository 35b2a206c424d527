//! De-click against the targets: 100 clicks injected into a sine,
//! at least 98 found (heard in the "clicks only" listen mode) and the
//! repaired sine's THD+N within 3 dB of the clean sine's; music-like
//! material without clicks is left alone; the output does not depend on the
//! block size.

use mixdesk_tests::noise;
use mixdesk_tests::restore::{RATE, realign, run_kind, thd_n_db};

const FREQ: f64 = 997.0;
const SECONDS: usize = 10;

/// One injected click: where, how long, and what was added.
struct Click {
    at: usize,
    added: Vec<f32>,
}

/// A small deterministic generator (xorshift), uniform in [0, 1).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// 100 clicks, one in each tenth of a second slot (random place in it):
/// impulses, short pulses and ringing bursts from 1 to 24 samples, peaks
/// from 0.05 to 0.6 either way.
fn clicks(n: usize) -> Vec<Click> {
    let mut rng = Rng(0x5eed_c11c);
    let slot = n / 100;
    (0..100)
        .map(|k| {
            let at = k * slot + (slot / 10) + (rng.next() * (slot as f64 * 0.8)) as usize;
            let len = 1 + (rng.next() * 24.0) as usize;
            let peak = (0.05 + 0.55 * rng.next()) * if rng.next() < 0.5 { -1.0 } else { 1.0 };
            let shape = k % 3;
            let added = (0..len)
                .map(|i| {
                    let t = i as f64;
                    (match shape {
                        0 => peak * (-t / 2.0).exp(),
                        1 => peak,
                        _ => peak * (-t / 6.0).exp() * (t * 1.9).cos(),
                    }) as f32
                })
                .collect();
            Click { at, added }
        })
        .collect()
}

fn with_clicks(clean: &[f32], clicks: &[Click]) -> Vec<f32> {
    let mut x = clean.to_vec();
    for c in clicks {
        for (i, v) in c.added.iter().enumerate() {
            x[c.at + i] += v;
        }
    }
    x
}

/// A sine at -6 dBFS, quantised to 16 bits with TPDF dither (a stem as
/// recorded): its THD+N is the dither's, about -92 dB.
fn sixteen_bit_sine(n: usize) -> Vec<f32> {
    let (d1, d2) = (noise(3, n, 1.0), noise(4, n, 1.0));
    let lsb = 1.0 / 32768.0;
    (0..n)
        .map(|i| {
            let v = 0.5 * (std::f64::consts::TAU * FREQ * i as f64 / RATE).sin();
            let dither = 0.5 * f64::from(d1[i] + d2[i]);
            ((v / lsb + dither).round() * lsb) as f32
        })
        .collect()
}

/// How many clicks the "clicks only" output carries (at least half the
/// energy that was added over the click), and the energy it carries away
/// from every click, relative to the clicks' energy (dB).
fn heard(removed: &[f32], clicks: &[Click]) -> (usize, f64) {
    let mut found = 0;
    let mut inside = vec![false; removed.len()];
    for c in clicks {
        let span = c.at.saturating_sub(8)..c.at + c.added.len() + 8;
        let put: f64 = c.added.iter().map(|v| f64::from(*v).powi(2)).sum();
        let got: f64 = removed[span.clone()].iter().map(|v| f64::from(*v).powi(2)).sum();
        if got >= 0.5 * put {
            found += 1;
        }
        inside[span].iter_mut().for_each(|b| *b = true);
    }
    let total: f64 = clicks.iter().flat_map(|c| &c.added).map(|v| f64::from(*v).powi(2)).sum();
    let elsewhere: f64 =
        removed.iter().zip(&inside).filter(|(_, i)| !**i).map(|(v, _)| f64::from(*v).powi(2)).sum();
    (found, 10.0 * (elsewhere / total).log10())
}

/// Runs the de-click over the clean signal with the clicks added; returns
/// how many clicks the listen mode carries, the stray energy it carries
/// elsewhere, and the THD+N of the clean, clicked and repaired signals.
fn declick(clean: &[f32]) -> (usize, f64, [f64; 3]) {
    let n = clean.len();
    let cl = clicks(n);
    let x = with_clicks(clean, &cl);
    let (out, latency) = run_kind("declick", &[], std::slice::from_ref(&x), 512);
    assert_eq!(latency, 1024);
    let y = realign(&out[0], latency);
    let (listen, _) = run_kind("declick", &[("listen", 1.0)], std::slice::from_ref(&x), 512);
    let removed = realign(&listen[0], latency);
    let (found, stray) = heard(&removed, &cl);
    // THD+N over the whole signal but its last round (the latency's tail).
    let body = 0..n - 2048;
    let thd =
        [thd_n_db(&clean[body.clone()], FREQ), thd_n_db(&x[body.clone()], FREQ), thd_n_db(&y[body], FREQ)];
    (found, stray, thd)
}

#[test]
fn a_hundred_clicks_in_a_sixteen_bit_sine_are_found_and_repaired_to_within_3_db_thd_n() {
    let (found, stray, [clean, clicked, repaired]) = declick(&sixteen_bit_sine(SECONDS * RATE as usize));
    eprintln!(
        "16-bit sine: {found}/100 clicks found, removed elsewhere {stray:.1} dB; THD+N clean {clean:.1} dB, \
         with clicks {clicked:.1} dB, repaired {repaired:.1} dB"
    );
    assert!(found >= 98, "only {found} of 100 clicks found");
    assert!(stray < -60.0, "the listen output carries {stray:.1} dB away from the clicks");
    assert!(repaired <= clean + 3.0, "repaired THD+N {repaired:.1} dB, the clean sine's is {clean:.1} dB");
}

#[test]
fn a_hundred_clicks_in_a_float_sine_are_found_and_repaired_to_under_90_db() {
    // A sine computed in floating point has a THD+N of about -154 dB (its
    // rounding): no recording is that clean, and the repair is judged
    // against a fixed floor here instead (the 16-bit case above holds the
    // 3 dB target).
    let clean: Vec<f32> = mixdesk_tests::sine_wave(FREQ, 0.5, SECONDS * RATE as usize);
    let (found, stray, [clean, clicked, repaired]) = declick(&clean);
    eprintln!(
        "float sine: {found}/100 clicks found, removed elsewhere {stray:.1} dB; THD+N clean {clean:.1} dB, \
         with clicks {clicked:.1} dB, repaired {repaired:.1} dB"
    );
    assert!(found >= 98, "only {found} of 100 clicks found");
    assert!(repaired <= -90.0, "repaired THD+N {repaired:.1} dB");
}

/// Two seconds of a "piano": notes with sharp attacks and decaying
/// harmonics, chords overlapping, over a -70 dB noise floor.
fn notes() -> Vec<f32> {
    let n = 2 * RATE as usize;
    let hiss = noise(9, n, 0.0005);
    let mut x: Vec<f64> = hiss.iter().map(|v| f64::from(*v)).collect();
    for (k, f) in [220.0, 277.2, 329.6, 440.0, 554.4, 659.3, 880.0].iter().enumerate() {
        let start = k * n / 8;
        for (i, v) in x[start..].iter_mut().enumerate() {
            let t = i as f64 / RATE;
            let env = (1.0 - (-t * 400.0).exp()) * (-t * 2.5).exp();
            let tone: f64 =
                (1..=6).map(|h| (std::f64::consts::TAU * f * h as f64 * t).sin() / (h * h) as f64).sum();
            *v += 0.15 * env * tone;
        }
    }
    x.iter().map(|v| *v as f32).collect()
}

#[test]
fn notes_without_clicks_are_left_alone() {
    let x = notes();
    let (listen, latency) = run_kind("declick", &[("listen", 1.0)], std::slice::from_ref(&x), 512);
    let removed = realign(&listen[0], latency);
    let taken: f64 = removed.iter().map(|v| f64::from(*v).powi(2)).sum();
    let all: f64 = x.iter().map(|v| f64::from(*v).powi(2)).sum();
    let db = 10.0 * (taken / all).log10();
    eprintln!("notes: {db:.1} dB taken away");
    assert!(db < -80.0, "the de-click took away {db:.1} dB of notes that have no clicks");
}

#[test]
fn the_output_does_not_depend_on_the_block_size() {
    let clean = sixteen_bit_sine(RATE as usize);
    let x = with_clicks(&clean, &clicks(clean.len()));
    let (reference, _) = run_kind("declick", &[], &[x.clone(), clean.clone()], 4096);
    for block in [1, 37, 250] {
        let (out, _) = run_kind("declick", &[], &[x.clone(), clean.clone()], block);
        assert!(out == reference, "blocks of {block} differ from blocks of 4096");
    }
}
