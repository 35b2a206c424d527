//! Sample-rate conversion on export (`mixdesk render --rate`), measured on
//! the delivered file: a 1 kHz sine from 48 kHz to 44.1 kHz has every spur
//! under -120 dBFS, and a comb of tones from 20 Hz to 20 kHz comes out flat
//! within 0.01 dB. The analysis window is one second at 44.1 kHz, so every
//! tone at a whole number of hertz sits exactly on a bin (no window, no
//! leakage: what is not the tone is the converter's).

use std::f64::consts::TAU;
use std::path::Path;

use mixdesk_tests::{read_wav, render_cli, run, write_wav_f32};
use realfft::RealFftPlanner;

const FROM: u32 = 48_000;
const TO: usize = 44_100;

/// Renders a one-track session of `signal` (at 48 kHz) to a float WAV at 44.1 kHz.
fn delivered(dir: &Path, signal: &[f32]) -> Vec<f32> {
    let stems = dir.join("in");
    std::fs::create_dir_all(&stems).unwrap();
    write_wav_f32(&stems.join("tone.wav"), FROM, &[signal.to_vec(), signal.to_vec()]);
    let s = dir.join("tone.mixdesk");
    let (ok, out, err) = run(&["new", "--from-stems", stems.to_str().unwrap(), "-o", s.to_str().unwrap()]);
    assert!(ok, "{out}{err}");
    let out = dir.join("tone44.wav");
    let printed = render_cli(&s, &out, &["--rate", "44100", "--bits", "32f"]);
    assert!(printed.contains("44100 Hz"), "{printed}");
    let (spec, ch) = read_wav(&out);
    assert_eq!(spec.sample_rate, 44_100);
    assert_eq!(
        ch[0].len(),
        (signal.len() as u64 * 44_100).div_ceil(48_000) as usize,
        "exact converted length"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("tone44.report.json")).unwrap()).unwrap();
    assert_eq!(report["analysis"]["sample_rate"], 44_100, "the report is measured on the delivered file");
    ch[0].clone()
}

/// The level of each bin of one second from the middle of `x`, in dBFS (a
/// full-scale sine on a bin reads 0).
fn spectrum_db(x: &[f32]) -> Vec<f64> {
    let at = (x.len() - TO) / 2;
    let mut buf: Vec<f64> = x[at..at + TO].iter().map(|v| f64::from(*v)).collect();
    let fft = RealFftPlanner::<f64>::new().plan_fft_forward(TO);
    let mut spec = fft.make_output_vec();
    fft.process(&mut buf, &mut spec).unwrap();
    spec.iter().map(|c| 20.0 * (c.norm() / (TO as f64 / 2.0)).max(1e-20).log10()).collect()
}

fn tones(freqs: &[(f64, f64)], seconds: f64) -> Vec<f32> {
    let n = (seconds * f64::from(FROM)) as usize;
    (0..n)
        .map(|i| {
            let t = i as f64 / f64::from(FROM);
            freqs.iter().map(|(f, a)| a * (TAU * f * t).sin()).sum::<f64>() as f32
        })
        .collect()
}

#[test]
fn a_1k_sine_48k_to_44k1_has_every_spur_below_minus_120_dbfs() {
    let dir = tempfile::tempdir().unwrap();
    let out = delivered(dir.path(), &tones(&[(1000.0, 0.5)], 3.0));
    let db = spectrum_db(&out);
    assert!((db[1000] - 20.0 * 0.5f64.log10()).abs() < 0.001, "the tone reads {:.4} dBFS", db[1000]);
    let (worst_bin, worst) = db
        .iter()
        .enumerate()
        .filter(|(k, _)| *k != 1000)
        .map(|(k, v)| (k, *v))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap();
    eprintln!("worst spur {worst:.1} dBFS at {worst_bin} Hz");
    assert!(worst < -120.0, "a spur at {worst_bin} Hz reads {worst:.1} dBFS");
}

#[test]
fn the_passband_is_flat_within_a_hundredth_of_a_db_to_20k() {
    let dir = tempfile::tempdir().unwrap();
    let freqs: Vec<(f64, f64)> =
        [20.0, 50.0, 100.0, 440.0, 1000.0, 3000.0, 6000.0, 10_000.0, 14_000.0, 17_000.0, 19_000.0, 20_000.0]
            .into_iter()
            .map(|f| (f, 0.05))
            .collect();
    let out = delivered(dir.path(), &tones(&freqs, 3.0));
    let db = spectrum_db(&out);
    let want = 20.0 * 0.05f64.log10();
    let mut worst = (0.0f64, 0.0f64);
    for (f, _) in &freqs {
        let dev = db[*f as usize] - want;
        if dev.abs() > worst.1.abs() {
            worst = (*f, dev);
        }
    }
    eprintln!("largest deviation {:+.5} dB at {} Hz", worst.1, worst.0);
    assert!(worst.1.abs() < 0.01, "{:+.4} dB at {} Hz", worst.1, worst.0);
}
