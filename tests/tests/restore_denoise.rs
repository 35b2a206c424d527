//! De-noise against the target: pink noise at -40 dBFS under
//! speech-like material, with the profile learned from a second of the noise
//! alone, comes out with its floor at least 15 dB lower in the pauses while
//! the speech band's energy stays within 1 dB; and the adaptive mode, the
//! listen mode, an empty profile and block-size independence.

use mixdesk_engine::dsp::denoise::profile::{NoiseProfile, learn};
use mixdesk_tests::restore::{RATE, band_energy, realign, run_kind};

const SECONDS: f64 = 6.0;

/// Where the "speech" is (seconds); the rest is pause.
const PHRASES: [(f64, f64); 3] = [(1.0, 2.2), (2.8, 4.2), (4.8, 5.6)];

/// Speech-like material: voiced syllables (four a second) on a gliding
/// 110-160 Hz fundamental with harmonics to 4 kHz shaped by two moving
/// formants, in three phrases with pauses between; RMS about -20 dBFS.
fn speech() -> Vec<f32> {
    let n = (SECONDS * RATE) as usize;
    let mut phase = 0.0f64;
    (0..n)
        .map(|i| {
            let t = i as f64 / RATE;
            let Some(&(a, b)) = PHRASES.iter().find(|(a, b)| t >= *a && t < *b) else {
                return 0.0;
            };
            let f0 = 110.0 + 50.0 * (0.5 + 0.5 * (t * 1.7).sin());
            phase += std::f64::consts::TAU * f0 / RATE;
            let syllable = (std::f64::consts::PI * (t - a) * 4.0).sin().abs();
            let edge = ((t - a).min(b - t) / 0.02).min(1.0);
            let (f1, f2) = (500.0 + 200.0 * (t * 5.0).sin(), 1500.0 + 500.0 * (t * 3.1).cos());
            let mut v = 0.0;
            let mut h = 1.0;
            while h * f0 < 4000.0 {
                let f = h * f0;
                let formant =
                    1.0 / (1.0 + ((f - f1) / 150.0).powi(2)) + 0.5 / (1.0 + ((f - f2) / 250.0).powi(2));
                v += (0.02 + formant) / h.sqrt() * (h * phase).sin();
                h += 1.0;
            }
            (0.12 * v * syllable * edge) as f32
        })
        .collect()
}

/// Pink noise (Paul Kellet's filter on white noise) at `rms` RMS.
fn pink(n: usize, rms: f64) -> Vec<f32> {
    let white = mixdesk_tests::noise(21, n, 1.0);
    let mut b = [0.0f64; 7];
    let raw: Vec<f64> = white
        .iter()
        .map(|w| {
            let w = f64::from(*w);
            b[0] = 0.99886 * b[0] + w * 0.0555179;
            b[1] = 0.99332 * b[1] + w * 0.0750759;
            b[2] = 0.96900 * b[2] + w * 0.1538520;
            b[3] = 0.86650 * b[3] + w * 0.3104856;
            b[4] = 0.55000 * b[4] + w * 0.5329522;
            b[5] = -0.7616 * b[5] - w * 0.0168980;
            let v = b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + w * 0.5362;
            b[6] = w * 0.115926;
            v
        })
        .collect();
    let now = (raw.iter().map(|v| v * v).sum::<f64>() / n as f64).sqrt();
    raw.iter().map(|v| (v * rms / now) as f32).collect()
}

fn db(x: f64) -> f64 {
    10.0 * x.log10()
}

fn energy(x: &[f32]) -> f64 {
    x.iter().map(|v| f64::from(*v).powi(2)).sum()
}

fn seconds(a: f64, b: f64) -> std::ops::Range<usize> {
    (a * RATE) as usize..(b * RATE) as usize
}

/// The settings of a learned profile.
fn profile_settings(p: &NoiseProfile) -> Vec<(String, f64)> {
    p.0.iter().enumerate().map(|(i, v)| (format!("noise_{:02}", i + 1), *v)).collect()
}

fn run(input: &[f32], settings: &[(String, f64)]) -> Vec<f32> {
    let s: Vec<(&str, f64)> = settings.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let (out, latency) = run_kind("denoise", &s, &[input.to_vec()], 512);
    assert_eq!(latency, 2048);
    realign(&out[0], latency)
}

/// Pauses, away from the phrases' edges by 150 ms.
const PAUSES: [(f64, f64); 3] = [(0.2, 0.85), (2.35, 2.65), (4.35, 4.65)];

#[test]
fn pink_noise_at_minus_40_under_speech_loses_15_db_and_the_speech_band_stays_within_1_db() {
    let (clean, hiss) = (speech(), pink((SECONDS * RATE) as usize, 0.01));
    let noisy: Vec<f32> = clean.iter().zip(&hiss).map(|(a, b)| a + b).collect();
    let speech_rms = (energy(&clean) / PHRASES.iter().map(|(a, b)| (b - a) * RATE).sum::<f64>()).sqrt();
    eprintln!("speech RMS {:.1} dBFS, noise RMS -40.0 dBFS", 20.0 * speech_rms.log10());
    // Learn from the first second: noise alone.
    let profile = learn(&[&noisy[seconds(0.0, 1.0)]], RATE as u32).expect("a profile");
    let mut settings = profile_settings(&profile);
    settings.push(("reduction".into(), 24.0));
    let out = run(&noisy, &settings);
    let mut worst_floor = f64::INFINITY;
    for (a, b) in PAUSES {
        let r = seconds(a, b);
        let cut = db(energy(&noisy[r.clone()]) / energy(&out[r]));
        eprintln!("pause {a}-{b} s: noise floor lowered {cut:.1} dB");
        worst_floor = worst_floor.min(cut);
    }
    let mut worst_band = 0.0f64;
    for (a, b) in PHRASES {
        let r = seconds(a + 0.05, b - 0.05);
        let change = db(band_energy(&out[r.clone()], 80.0, 8000.0) / band_energy(&clean[r], 80.0, 8000.0));
        eprintln!("phrase {a}-{b} s: speech band {change:+.2} dB");
        if change.abs() > worst_band.abs() {
            worst_band = change;
        }
    }
    assert!(worst_floor >= 15.0, "the noise floor is lowered by only {worst_floor:.1} dB in a pause");
    assert!(worst_band.abs() <= 1.0, "the speech band moved by {worst_band:+.2} dB");
}

#[test]
fn the_adaptive_mode_finds_the_floor_without_a_profile() {
    let (clean, hiss) = (speech(), pink((SECONDS * RATE) as usize, 0.01));
    let noisy: Vec<f32> = clean.iter().zip(&hiss).map(|(a, b)| a + b).collect();
    let out = run(&noisy, &[("adaptive".into(), 1.0), ("reduction".into(), 24.0)]);
    // After its 1.5 s of memory has filled: the later pauses.
    for (a, b) in &PAUSES[1..] {
        let r = seconds(*a, *b);
        let cut = db(energy(&noisy[r.clone()]) / energy(&out[r]));
        eprintln!("adaptive, pause {a}-{b} s: floor lowered {cut:.1} dB");
        assert!(cut >= 10.0, "adaptive: the floor is lowered by only {cut:.1} dB");
    }
}

#[test]
fn with_nothing_learned_the_output_is_the_input_and_listen_hears_the_noise() {
    let (clean, hiss) = (speech(), pink((SECONDS * RATE) as usize, 0.01));
    let noisy: Vec<f32> = clean.iter().zip(&hiss).map(|(a, b)| a + b).collect();
    let out = run(&noisy, &[]);
    let body = seconds(0.1, SECONDS - 0.1);
    let worst =
        noisy[body.clone()].iter().zip(&out[body.clone()]).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
    assert!(worst < 1e-6, "nothing learned: the output is off the input by {worst:e}");
    // Listening to what is taken away: in a pause, nearly all the noise.
    let profile = learn(&[&noisy[seconds(0.0, 1.0)]], RATE as u32).expect("a profile");
    let mut settings = profile_settings(&profile);
    settings.push(("listen".into(), 1.0));
    let removed = run(&noisy, &settings);
    let r = seconds(2.35, 2.65);
    // At the default 12 dB of reduction the gate keeps a quarter of the
    // noise: it takes away (1 - 10^(-12/20))^2 of its power, -2.5 dB.
    let share = db(energy(&removed[r.clone()]) / energy(&noisy[r]));
    let want = 20.0 * (1.0 - 10f64.powf(-12.0 / 20.0)).log10();
    assert!(
        (share - want).abs() < 0.5,
        "listen: the noise taken away is {share:.1} dB of it, want {want:.1} dB"
    );
}

#[test]
fn the_output_does_not_depend_on_the_block_size() {
    let (clean, hiss) = (speech(), pink((2.0 * RATE) as usize, 0.01));
    let noisy: Vec<f32> = clean.iter().zip(&hiss).map(|(a, b)| a + b).collect();
    let profile = learn(&[&noisy[seconds(0.0, 1.0)]], RATE as u32).expect("a profile");
    let settings = profile_settings(&profile);
    let s: Vec<(&str, f64)> = settings.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let (reference, _) = run_kind("denoise", &s, &[noisy.clone(), clean[..noisy.len()].to_vec()], 4096);
    for block in [1, 37, 250] {
        let (out, _) = run_kind("denoise", &s, &[noisy.clone(), clean[..noisy.len()].to_vec()], block);
        assert!(out == reference, "blocks of {block} differ from blocks of 4096");
    }
}
