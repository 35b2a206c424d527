//! The report beside every bounce, `mixdesk analyze`, and two-pass
//! normalisation, driven through the `mixdesk` binary on sessions built here.

use std::path::{Path, PathBuf};

use mixdesk_engine::analysis::{Analysis, analyze_file};
use mixdesk_engine::report::preflight::{self, Production, Status};
use mixdesk_engine::session::{self, Processor, ProcessorId, Session};
use mixdesk_tests::{render_cli, run, track, write_wav_f32};
use serde_json::Value;

const RATE: usize = 48_000;

/// A 1 kHz sine of `amp`, `seconds` long, with 50 ms linear fades when `fades`.
fn tone(amp: f64, seconds: f64, fades: bool) -> Vec<f32> {
    let n = (seconds * RATE as f64) as usize;
    let fade = RATE / 20;
    (0..n)
        .map(|i| {
            let env = if fades { (i.min(n - 1 - i) as f64 / fade as f64).min(1.0) } else { 1.0 };
            // Cosine, so an unfaded tone starts at its crest (a cut start).
            (amp * env * (std::f64::consts::TAU * 1000.0 * i as f64 / RATE as f64).cos()) as f32
        })
        .collect()
}

/// A session with one stereo track playing `l`/`r`, saved in `dir`.
fn session_with(dir: &Path, l: Vec<f32>, r: Vec<f32>, edit: impl FnOnce(&mut Session)) -> PathBuf {
    let len = l.len() as u64;
    write_wav_f32(&dir.join("tone.wav"), RATE as u32, &[l, r]);
    let mut s = Session::new(RATE as u32);
    s.tracks.push(track(1, "tone.wav", 0, len));
    edit(&mut s);
    let path = dir.join("song.mixdesk");
    session::save(&s, &path).unwrap();
    path
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .unwrap()
}

fn warned(report: &Value) -> Vec<String> {
    report["preflight"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "warn")
        .map(|c| c["key"].as_str().unwrap().to_owned())
        .collect()
}

fn db(x: f64) -> f64 {
    20.0 * x.log10()
}

#[test]
fn a_clean_mix_passes_every_check_and_its_report_measures_the_written_file() {
    let dir = tempfile::tempdir().unwrap();
    let amp = 0.25;
    let x = tone(amp, 20.0, true);
    let s = session_with(dir.path(), x.clone(), x, |_| {});
    let out = dir.path().join("mix.wav");
    let stdout = render_cli(&s, &out, &[]);
    assert!(stdout.contains("all 7 checks pass"), "{stdout}");
    for ext in ["json", "txt", "png"] {
        assert!(dir.path().join(format!("mix.report.{ext}")).is_file(), "mix.report.{ext} missing");
    }
    let report = read_json(&dir.path().join("mix.report.json"));
    assert!(warned(&report).is_empty(), "{:?}", warned(&report));

    // The report measures exactly what `mixdesk analyze` measures on the file.
    let (ok, analyzed, err) = run(&["analyze", out.to_str().unwrap(), "--json"]);
    assert!(ok, "{err}");
    let analyzed: Value = serde_json::from_str(&analyzed).unwrap();
    assert_eq!(report["analysis"], analyzed);

    // And against closed forms: a stereo sine reads its peak level in LUFS.
    let a: Analysis = serde_json::from_value(analyzed).unwrap();
    let level = db(amp);
    assert!((a.sample_peak_dbfs.unwrap() - level).abs() < 0.01, "{:?}", a.sample_peak_dbfs);
    assert!((a.integrated_lufs.unwrap() - level).abs() < 0.1, "{:?}", a.integrated_lufs);
    assert!((a.rms_dbfs.unwrap() - (level - 3.0103)).abs() < 0.02, "{:?}", a.rms_dbfs);
    let tp = a.true_peak_dbtp.unwrap();
    assert!(tp - level <= 0.2 && level - tp <= 0.4 && tp >= a.sample_peak_dbfs.unwrap());
    assert!(a.loudness_range_lu.unwrap() < 0.5, "a steady tone has no loudness range");
    assert_eq!((a.clipped_samples, a.channels, a.bit_depth, a.sample_rate), (0, 2, Some(24), 48_000));
    assert!((a.correlation.unwrap() - 1.0).abs() < 1e-9);
    assert!(a.dc_offset.iter().all(|d| d.abs() < 1e-4));
    assert_eq!(a.frames, 20 * RATE as u64);

    // The streaming table follows the services' published targets.
    let targets = [
        ("Spotify", -14.0, -1.0, true),
        ("Apple Music", -16.0, -1.0, true),
        ("YouTube", -14.0, -1.0, false),
        ("Amazon Music", -14.0, -2.0, false),
        ("Tidal", -14.0, -1.0, false),
        ("Deezer", -15.0, -1.0, false),
    ];
    let rows = report["platforms"].as_array().unwrap();
    assert_eq!(rows.len(), targets.len());
    let i = a.integrated_lufs.unwrap();
    for (row, (name, target, limit, up)) in rows.iter().zip(targets) {
        let wanted: f64 = target - i;
        let gain = if wanted <= 0.0 {
            wanted
        } else if up {
            wanted.min(limit - tp)
        } else {
            0.0
        };
        assert_eq!(row["service"], name);
        assert!((row["gain_db"].as_f64().unwrap() - gain).abs() < 1e-9, "{name}: {row}");
        assert!((row["played_true_peak_dbtp"].as_f64().unwrap() - (tp + gain)).abs() < 1e-9);
    }

    // The picture: 1200x800 with the loudness curves drawn in their colours
    // (the steady tone's short-term curve lies under the integrated line).
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(dir.path().join("mix.report.png")).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1200, 800));
    let count = |want: [u8; 3]| {
        buf[..info.buffer_size()]
            .chunks_exact(3)
            .filter(|p| p.iter().zip(want).all(|(a, b)| a.abs_diff(b) < 12))
            .count()
    };
    let (short_term, integrated) = (count([240, 176, 64]), count([110, 200, 130]));
    assert!(short_term > 20 && integrated > 800, "curves missing: {short_term} / {integrated} pixels");
    let text = std::fs::read_to_string(dir.path().join("mix.report.txt")).unwrap();
    assert!(text.contains("[PASS] headroom") && text.contains("Spotify"), "{text}");
}

/// Renders a session made by `make` and returns the report's warning keys.
fn warnings_of(
    l: Vec<f32>,
    r: Vec<f32>,
    edit: impl FnOnce(&mut Session),
    extra: &[&str],
) -> (Vec<String>, Value) {
    let dir = tempfile::tempdir().unwrap();
    let s = session_with(dir.path(), l, r, edit);
    let out = dir.path().join("mix.wav");
    let stdout = render_cli(&s, &out, extra);
    let report = read_json(&dir.path().join("mix.report.json"));
    let w = warned(&report);
    for key in &w {
        assert!(stdout.contains(&format!("preflight warning: {key}")), "{stdout}");
    }
    (w, report)
}

#[test]
fn each_preflight_problem_warns_on_its_own_line() {
    let clean = || tone(0.25, 6.0, true);
    // Headroom: a -1.9 dBFS peak.
    let (w, _) = warnings_of(tone(0.8, 6.0, true), tone(0.8, 6.0, true), |_| {}, &[]);
    assert_eq!(w, ["headroom"]);
    // A limiter on the master, even one doing nothing.
    let (w, _) = warnings_of(
        clean(),
        clean(),
        |s| {
            s.master.processors.push(Processor {
                id: ProcessorId(1),
                kind: "limiter".into(),
                bypassed: false,
                params: Default::default(),
                sidechain: None,
                sidechain_post_fader: false,
                state: None,
            })
        },
        &[],
    );
    assert_eq!(w, ["master-limiter"]);
    // Dither at 24 bit.
    let (w, _) = warnings_of(clean(), clean(), |_| {}, &["--dither", "tpdf"]);
    assert_eq!(w, ["dither"]);
    // No fades: the tone starts at its crest and stops mid-cycle.
    let (w, _) = warnings_of(tone(0.25, 6.0, false), tone(0.25, 6.0, false), |_| {}, &[]);
    assert_eq!(w, ["edges"]);
    // One channel inverted: correlation -1 throughout.
    let inverted: Vec<f32> = clean().iter().map(|v| -v).collect();
    let (w, report) = warnings_of(clean(), inverted, |_| {}, &[]);
    assert_eq!(w, ["correlation"]);
    assert!((report["analysis"]["worst_correlation"]["correlation"].as_f64().unwrap() + 1.0).abs() < 1e-6);
}

#[test]
fn clipped_samples_are_counted_as_the_24_bit_file_holds_them() {
    let x = tone(1.3, 3.0, true);
    // A 24-bit file clips at its largest and smallest codes.
    let expected = x
        .iter()
        .map(|v| (f64::from(*v) * 8_388_608.0).round().clamp(-8_388_608.0, 8_388_607.0))
        .filter(|q| *q == 8_388_607.0 || *q == -8_388_608.0)
        .count() as u64
        * 2;
    assert!(expected > 1000);
    let (w, report) = warnings_of(x.clone(), x, |_| {}, &[]);
    assert_eq!(w, ["headroom", "clipping"]);
    assert_eq!(report["analysis"]["clipped_samples"].as_u64().unwrap(), expected);
}

#[test]
fn a_file_at_another_rate_than_the_session_warns() {
    let (a, _) = {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.wav");
        let x = tone(0.25, 2.0, true);
        write_wav_f32(&p, 48_000, &[x.clone(), x]);
        analyze_file(&p).unwrap()
    };
    let production = |rate| Production { session_rate: rate, bits: Some(24), ..Production::default() };
    let status =
        |rate| preflight::run(&a, &production(rate)).into_iter().find(|c| c.key == "sample-rate").unwrap();
    assert_eq!(status(48_000).status, Status::Pass);
    let c = status(44_100);
    assert_eq!(c.status, Status::Warn);
    assert!(c.detail.contains("48000") && c.detail.contains("44100"), "{}", c.detail);
}

#[test]
fn normalize_renders_twice_and_lands_on_the_target_or_the_ceiling() {
    let dir = tempfile::tempdir().unwrap();
    let x = tone(0.25, 10.0, true);
    let s = session_with(dir.path(), x.clone(), x, |_| {});
    let out = dir.path().join("ref.wav");
    let stdout = render_cli(&s, &out, &["--normalize-lufs", "-16"]);
    assert!(stdout.contains("normalized in two passes"), "{stdout}");
    let (a, _) = analyze_file(&out).unwrap();
    assert!((a.integrated_lufs.unwrap() + 16.0).abs() < 0.1, "{:?}", a.integrated_lufs);
    let report = read_json(&dir.path().join("ref.report.json"));
    let measured = report["normalization"]["measured_lufs"].as_f64().unwrap();
    assert!((report["normalization"]["gain_db"].as_f64().unwrap() - (-16.0 - measured)).abs() < 1e-9);

    // 0 LUFS would need +12 dB; a -1 dBTP ceiling holds the gain back.
    let out = dir.path().join("loud.wav");
    let stdout = render_cli(&s, &out, &["--normalize-lufs", "0", "--true-peak-ceiling", "-1"]);
    assert!(stdout.contains("the ceiling held the gain"), "{stdout}");
    let (a, _) = analyze_file(&out).unwrap();
    let tp = a.true_peak_dbtp.unwrap();
    assert!(tp <= -1.0 + 0.05 && tp > -1.3, "true peak {tp}");
    assert!(a.integrated_lufs.unwrap() < -0.5, "{:?}", a.integrated_lufs);
    assert_eq!(read_json(&dir.path().join("loud.report.json"))["normalization"]["limited_by_ceiling"], true);

    // A silent mix cannot be normalized, and says so.
    let silent = session_with(dir.path(), vec![0.0; RATE], vec![0.0; RATE], |_| {});
    let (ok, _, err) = run(&[
        "render",
        silent.to_str().unwrap(),
        "-o",
        dir.path().join("s.wav").to_str().unwrap(),
        "--normalize-lufs",
        "-14",
    ]);
    assert!(!ok && err.contains("silent"), "{err}");
    assert!(!dir.path().join("s.wav").exists(), "a failed bounce left its file");
}

#[test]
fn analyze_names_the_file_when_it_cannot_read_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.wav");
    let (ok, _, err) = run(&["analyze", missing.to_str().unwrap()]);
    assert!(!ok && err.contains("nope.wav") && err.contains("no such file"), "{err}");
    let bad = dir.path().join("bad.wav");
    std::fs::write(&bad, b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk").unwrap();
    let (ok, _, err) = run(&["analyze", bad.to_str().unwrap()]);
    assert!(!ok && err.contains("bad.wav"), "{err}");
    let (ok, text, _) = run(&[
        "analyze",
        {
            let p = dir.path().join("ok.wav");
            let x = tone(0.5, 1.0, true);
            write_wav_f32(&p, 48_000, &[x.clone(), x]);
            p
        }
        .to_str()
        .unwrap(),
    ]);
    assert!(ok && text.contains("Integrated loudness") && text.contains("32-bit float"), "{text}");
}
