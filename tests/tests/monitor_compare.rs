//! `mixdesk compare MIX REF` against closed forms (a reference that is the
//! mix 6.02 dB down matches at +6.02 dB with no tonal or width difference;
//! one with its side signal doubled is 6.02 dB wider in every band), and the
//! bounce report's per-system section (a mono mix loses nothing in the mono
//! sum, an out-of-phase one loses everything; a phone loses the low end).

use mixdesk_tests::{demo_in_tempdir, noise, render_cli, run, write_wav_f32};

const RATE: u32 = 48_000;

fn compare_json(mix: &std::path::Path, reference: &std::path::Path) -> serde_json::Value {
    let (ok, out, err) = run(&["compare", mix.to_str().unwrap(), reference.to_str().unwrap(), "--json"]);
    assert!(ok, "mixdesk compare: {err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn compare_matches_loudness_and_reads_tonal_and_width_differences_per_band() {
    let dir = tempfile::tempdir().unwrap();
    let n = 10 * RATE as usize;
    let (l, r) = (noise(3, n, 0.3), noise(4, n, 0.3));
    // Partly correlated: mid and side both hold signal in every band.
    let (ml, mr): (Vec<f32>, Vec<f32>) = l.iter().zip(&r).map(|(a, b)| (a + 0.5 * b, b + 0.5 * a)).unzip();
    let mix = dir.path().join("mix.wav");
    write_wav_f32(&mix, RATE, &[ml.clone(), mr.clone()]);

    let quieter = dir.path().join("quieter.wav");
    let half = |x: &[f32]| x.iter().map(|v| v * 0.5).collect::<Vec<f32>>();
    write_wav_f32(&quieter, RATE, &[half(&ml), half(&mr)]);
    let c = compare_json(&mix, &quieter);
    let gain = c["gain_db"].as_f64().unwrap();
    assert!((gain - 6.0206).abs() < 0.02, "gain {gain}");
    for b in c["bands"].as_array().unwrap() {
        let (t, w) = (b["tonal_db"].as_f64().unwrap(), b["width_diff_db"].as_f64().unwrap());
        assert!(t.abs() < 0.05 && w.abs() < 0.01, "band {}: tonal {t}, width {w}", b["hz"]);
    }

    // The side signal doubled: L' = M + 2S, R' = M - 2S.
    let wider = dir.path().join("wider.wav");
    let (wl, wr): (Vec<f32>, Vec<f32>) = ml
        .iter()
        .zip(&mr)
        .map(|(a, b)| {
            let (m, s) = ((a + b) / 2.0, (a - b) / 2.0);
            (m + 2.0 * s, m - 2.0 * s)
        })
        .unzip();
    write_wav_f32(&wider, RATE, &[wl, wr]);
    let c = compare_json(&mix, &wider);
    for b in c["bands"].as_array().unwrap() {
        let w = b["width_diff_db"].as_f64().unwrap();
        assert!(
            (w + 6.0206).abs() < 0.05,
            "band {}: width difference {w}, want -6.02 (the mix is narrower)",
            b["hz"]
        );
    }
    // Tonal balance at equal level: two tones, the reference's 2 kHz one 6 dB
    // down. Against each programme's total: the mix's 250 Hz band reads
    // -3.01 dB, the reference's -0.97; the mix's 2 kHz -3.01, the reference's -6.99.
    let tone = |f: f64, a: f64| -> Vec<f32> {
        (0..n).map(|i| (a * (std::f64::consts::TAU * f * i as f64 / 48e3).sin()) as f32).collect()
    };
    let two =
        |b: f64| -> Vec<f32> { tone(250.0, 0.3).iter().zip(tone(2000.0, b)).map(|(x, y)| x + y).collect() };
    let (tm, tr) = (dir.path().join("tones.wav"), dir.path().join("tones-ref.wav"));
    write_wav_f32(&tm, RATE, &[two(0.3), two(0.3)]);
    write_wav_f32(&tr, RATE, &[two(0.15), two(0.15)]);
    let c = compare_json(&tm, &tr);
    let tonal = |hz: f64| {
        c["bands"].as_array().unwrap().iter().find(|b| b["hz"] == hz).unwrap()["tonal_db"].as_f64().unwrap()
    };
    let want = |a: f64, b: f64| 10.0 * (a / b).log10();
    assert!((tonal(250.0) - want(0.5, 1.0 / 1.25)).abs() < 0.05, "250 Hz: {}", tonal(250.0));
    assert!((tonal(2000.0) - want(0.5, 0.25 / 1.25)).abs() < 0.05, "2 kHz: {}", tonal(2000.0));

    // The text form names the gain.
    let (ok, out, _) = run(&["compare", mix.to_str().unwrap(), quieter.to_str().unwrap()]);
    assert!(ok && out.contains("the reference plays at +6.0 dB"), "{out}");
    let (ok, _, err) = run(&["compare", mix.to_str().unwrap(), "/nonexistent/ref.wav"]);
    assert!(!ok && err.contains("/nonexistent/ref.wav") && err.contains("no such file"), "{err}");
}

fn report_systems(l: Vec<f32>, r: Vec<f32>) -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().unwrap();
    let media = dir.path().join("m.wav");
    write_wav_f32(&media, RATE, &[l.clone(), r]);
    let mut s = mixdesk_engine::session::Session::new(RATE);
    s.tracks.push(mixdesk_tests::track(1, "m.wav", 0, l.len() as u64));
    let path = dir.path().join("s.mixdesk");
    mixdesk_engine::session::save(&s, &path).unwrap();
    let out = dir.path().join("out.wav");
    render_cli(&path, &out, &[]);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.report.json")).unwrap()).unwrap();
    report["systems"].as_array().unwrap().clone()
}

fn row<'a>(rows: &'a [serde_json::Value], name: &str) -> &'a serde_json::Value {
    rows.iter().find(|r| r["system"] == name).unwrap_or_else(|| panic!("no row {name}"))
}

#[test]
fn the_report_says_what_mono_and_each_system_keep() {
    let n = 4 * RATE as usize;
    let x = noise(5, n, 0.3);
    // A mono mix: the mono sum keeps everything.
    let rows = report_systems(x.clone(), x.clone());
    assert_eq!(rows.len(), 7, "the mono sum and six systems");
    let mono = row(&rows, "Mono sum")["overall_db"].as_f64().unwrap();
    assert!(mono.abs() < 0.01, "a mono mix loses {mono} dB in mono");
    // White noise holds little energy below 180 Hz, and a phone keeps almost none of it.
    let phone = row(&rows, "Phone speaker");
    assert!(phone["low_end_db"].as_f64().unwrap() < -20.0, "{phone}");
    // An out-of-phase mix vanishes in mono.
    let inverted: Vec<f32> = x.iter().map(|v| -v).collect();
    let rows = report_systems(x, inverted);
    let mono = row(&rows, "Mono sum")["overall_db"].as_f64().unwrap();
    assert!(mono < -60.0, "an out-of-phase mix keeps {mono} dB in mono");
}

#[test]
fn the_demos_report_has_the_per_system_section() {
    let (dir, path) = demo_in_tempdir();
    let out = dir.path().join("demo.wav");
    render_cli(&path, &out, &["--end", "20"]);
    let text = std::fs::read_to_string(dir.path().join("demo.report.txt")).unwrap();
    assert!(
        text.contains("On other systems") && text.contains("Phone speaker") && text.contains("Mono sum"),
        "{text}"
    );
}
