//! Delivery formats end to end through `mixdesk render`: FLAC decodes back
//! (with symphonia, Mixdesk's own decoder, and with the reference `flac`
//! tool where it is installed) bit for bit to the WAV of the same render,
//! dither included; stems follow the mix's format; MP3 decodes back to the
//! render within the codec's precision; the report is measured on the
//! delivered file; bad formats and rates are refused naming the file.

use std::path::{Path, PathBuf};
use std::process::Command;

use mixdesk_engine::media::decode_file;
use mixdesk_tests::{noise, read_wav, render_cli, run, write_wav_f32};

const N: usize = 48_000;

fn session(dir: &Path) -> PathBuf {
    session_of(dir, true)
}

/// A session of two tracks (noise, and a chord of sines) from float stems,
/// or of the chord alone (for the lossy codec, which by design does not keep
/// the waveform of noise).
fn session_of(dir: &Path, with_noise: bool) -> PathBuf {
    let stems = dir.join("in");
    std::fs::create_dir_all(&stems).unwrap();
    if with_noise {
        write_wav_f32(&stems.join("a_noise.wav"), 48_000, &[noise(1, N, 0.2), noise(2, N, 0.2)]);
    }
    let chord: Vec<f32> = (0..N)
        .map(|i| {
            let t = i as f64 / 48_000.0;
            (0.2 * (std::f64::consts::TAU * 220.0 * t).sin()
                + 0.15 * (std::f64::consts::TAU * 1330.0 * t).sin()) as f32
        })
        .collect();
    write_wav_f32(&stems.join("b_chord.wav"), 48_000, &[chord.clone(), chord]);
    let s = dir.join("song.mixdesk");
    let (ok, out, err) = run(&["new", "--from-stems", stems.to_str().unwrap(), "-o", s.to_str().unwrap()]);
    assert!(ok, "{out}{err}");
    s
}

fn decoded(path: &Path) -> Vec<Vec<f32>> {
    decode_file(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).channels
}

fn flac_tool() -> bool {
    Command::new("flac").arg("--version").output().is_ok_and(|o| o.status.success())
}

#[test]
fn flac_is_bit_exact_to_the_wav_of_the_same_render_at_16_and_24_bit() {
    let dir = tempfile::tempdir().unwrap();
    let s = session(dir.path());
    for bits in ["16", "24"] {
        let wav = dir.path().join(format!("mix{bits}.wav"));
        let flac = dir.path().join(format!("mix{bits}.flac"));
        render_cli(&s, &wav, &["--bits", bits]);
        let out = render_cli(&s, &flac, &["--bits", bits]);
        assert!(out.contains(&format!("FLAC {bits}-bit")), "{out}");
        let (_, want) = read_wav(&wav);
        let got = decoded(&flac);
        assert_eq!(got[0].len(), N);
        assert!(got == want, "{bits}-bit FLAC differs from the WAV (dither {})", bits == "16");
        if flac_tool() {
            let t = Command::new("flac").args(["-t", "-s"]).arg(&flac).output().unwrap();
            assert!(t.status.success(), "flac -t {}: {}", flac.display(), String::from_utf8_lossy(&t.stderr));
            let back = dir.path().join(format!("back{bits}.wav"));
            let d = Command::new("flac").args(["-d", "-s", "-o"]).arg(&back).arg(&flac).output().unwrap();
            assert!(d.status.success(), "{}", String::from_utf8_lossy(&d.stderr));
            assert!(read_wav(&back).1 == want, "the reference decoder reads other samples");
        }
    }
}

#[test]
fn stems_are_written_in_the_mix_format_bit_exact() {
    let dir = tempfile::tempdir().unwrap();
    let s = session(dir.path());
    let (wav_stems, flac_stems) = (dir.path().join("sw"), dir.path().join("sf"));
    render_cli(&s, &dir.path().join("m.wav"), &["--stems", wav_stems.to_str().unwrap()]);
    let out = render_cli(&s, &dir.path().join("m.flac"), &["--stems", flac_stems.to_str().unwrap()]);
    assert!(out.contains("wrote 2 stems (FLAC 24-bit)"), "{out}");
    let mut names: Vec<String> = std::fs::read_dir(&flac_stems)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["01 a_noise.flac", "02 b_chord.flac"]);
    for name in names {
        let wav = wav_stems.join(Path::new(&name).with_extension("wav"));
        assert!(decoded(&flac_stems.join(&name)) == read_wav(&wav).1, "{name}");
    }
}

/// The lag of `b` against `a` that correlates best, within `max`.
fn best_lag(a: &[f32], b: &[f32], max: usize) -> usize {
    (0..max)
        .max_by(|&x, &y| {
            let c = |lag: usize| -> f64 {
                a.iter().zip(&b[lag..]).take(20_000).map(|(p, q)| f64::from(*p) * f64::from(*q)).sum()
            };
            c(x).total_cmp(&c(y))
        })
        .unwrap()
}

#[test]
fn mp3_decodes_back_to_the_render_within_the_codec_precision() {
    let dir = tempfile::tempdir().unwrap();
    let s = session_of(dir.path(), false);
    let wav = dir.path().join("ref.wav");
    render_cli(&s, &wav, &["--bits", "32f"]);
    let (_, want) = read_wav(&wav);
    for (name, extra) in [("cbr.mp3", vec![]), ("vbr.mp3", vec!["--format", "mp3-v0"])] {
        let mp3 = dir.path().join(name);
        let out = render_cli(&s, &mp3, &extra);
        let got = decoded(&mp3);
        // Gapless decoders trim LAME's delay; others keep it. Align by correlation.
        let lag = best_lag(&want[0], &got[0], 3000);
        assert!(
            got[0].len() >= N - 1152 + lag && got[0].len() <= N + 3000,
            "{name}: {} frames",
            got[0].len()
        );
        let (mut err, mut sig) = (0.0f64, 0.0f64);
        for c in 0..2 {
            for i in 2000..N - 4000 {
                let e = f64::from(got[c][i + lag]) - f64::from(want[c][i]);
                err += e * e;
                sig += f64::from(want[c][i]).powi(2);
            }
        }
        let snr = 10.0 * (sig / err).log10();
        eprintln!("{name}: lag {lag}, SNR {snr:.1} dB ({out})");
        assert!(snr > 40.0, "{name}: SNR {snr:.1} dB");
    }
}

#[test]
fn the_report_is_measured_on_the_delivered_file() {
    let dir = tempfile::tempdir().unwrap();
    let s = session(dir.path());
    for name in ["m.flac", "m16.flac", "m.mp3"] {
        let out = dir.path().join(name);
        let extra: &[&str] = if name == "m16.flac" { &["--bits", "16"] } else { &[] };
        render_cli(&s, &out, extra);
        let report: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(
                out.with_file_name(format!("{}.report.json", out.file_stem().unwrap().to_string_lossy())),
            )
            .unwrap(),
        )
        .unwrap();
        let (ok, analyzed, err) = run(&["analyze", out.to_str().unwrap(), "--json"]);
        assert!(ok, "{err}");
        let analyzed: serde_json::Value = serde_json::from_str(&analyzed).unwrap();
        for key in ["integrated_lufs", "true_peak_dbtp", "sample_peak_dbfs", "loudness_range_lu", "frames"] {
            assert_eq!(report["analysis"][key], analyzed[key], "{name}: {key}");
        }
    }
}

#[test]
fn bad_formats_and_rates_are_refused_naming_the_file_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let s = session(dir.path());
    let s = s.to_str().unwrap();
    let o = |n: &str| dir.path().join(n).to_str().unwrap().to_owned();
    let cases: [(Vec<String>, &str); 5] = [
        (vec![o("x.wav"), "--format".into(), "flac".into()], "ends in .wav but --format is flac"),
        (vec![o("x.ogg"), "--format".into(), "ogg".into()], "unknown format \"ogg\""),
        (vec![o("x.flac"), "--rate".into(), "12345".into()], "cannot deliver at 12345 Hz"),
        (vec![o("x.mp3"), "--rate".into(), "96000".into()], "MP3 holds at most 48 kHz"),
        (vec![o("x.flac"), "--bits".into(), "32f".into()], "FLAC stores integers only"),
    ];
    for (args, want) in cases {
        let mut all = vec!["render", s, "-o"];
        all.extend(args.iter().map(String::as_str));
        let (ok, out, err) = run(&all);
        assert!(!ok && err.contains(want), "{all:?}: {out}{err}");
    }
    // An input as the output: refused before rendering, the input untouched.
    let media = dir.path().join("in/a_noise.wav");
    let before = std::fs::read(&media).unwrap();
    let (ok, out, err) = run(&["render", s, "-o", media.to_str().unwrap(), "--format", "wav16"]);
    assert!(!ok && err.contains("refusing to write") && err.contains("a_noise.wav"), "{out}{err}");
    assert!(std::fs::read(&media).unwrap() == before, "the input was not touched");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('x') || n.starts_with(".mixdesk-deliver"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
