//! The bundled demo: the committed session file is exactly what the generator
//! describes, and the song renders at a sensible level on every track.

use std::path::Path;

use mixdesk_engine::{demo, session};
use mixdesk_tests::{read_wav, render_cli, run};

#[test]
fn the_committed_demo_session_matches_the_generator() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo").join(demo::SESSION_FILE);
    let text = std::fs::read_to_string(&committed).unwrap();
    assert_eq!(
        text,
        session::to_ron_string(&demo::session()).unwrap(),
        "run `mixdesk demo --out assets/demo` and commit"
    );
    let s = session::load(&committed).unwrap();
    assert!(s.tracks.len() >= 8);
    let secs = s.content_end().to_seconds(s.sample_rate);
    assert!((30.0..=60.0).contains(&secs), "{secs} s");
}

#[test]
fn the_demo_renders_with_headroom_and_every_track_sounds() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(&["demo", "--out", dir.path().to_str().unwrap()]);
    assert!(ok, "{err}");
    let session = dir.path().join(demo::SESSION_FILE);
    let mix = dir.path().join("mix.wav");
    let stems = dir.path().join("stems");
    render_cli(&session, &mix, &["--bits", "32f", "--stems", stems.to_str().unwrap()]);
    let (_, m) = read_wav(&mix);
    let peak = m.iter().flatten().fold(0.0f32, |p, v| p.max(v.abs()));
    let rms =
        (m.iter().flatten().map(|v| f64::from(*v).powi(2)).sum::<f64>() / (2 * m[0].len()) as f64).sqrt();
    let (peak_db, rms_db) = (20.0 * f64::from(peak).log10(), 20.0 * rms.log10());
    assert!((-6.0..=-1.0).contains(&peak_db), "peak {peak_db:.2} dBFS leaves headroom for mastering");
    assert!((-26.0..=-12.0).contains(&rms_db), "rms {rms_db:.2} dBFS");
    for entry in std::fs::read_dir(&stems).unwrap() {
        let path = entry.unwrap().path();
        let (_, s) = read_wav(&path);
        let p = s.iter().flatten().fold(0.0f32, |p, v| p.max(v.abs()));
        assert!(p > 0.01, "{} is audible", path.display());
    }
}

#[test]
fn the_hot_demo_bounces_under_its_master_limiters_ceiling_as_analyze_measures_it() {
    // The master's trim 12 dB up and its fader at 0 dB (after the limiter):
    // the limiter (ceiling -1 dBTP) must hold the delivered file's true peak,
    // as `mixdesk analyze` measures it, at the ceiling. Once the limiter was
    // silently bypassed in the chain and this bounced at +7.7 dBTP.
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(&["demo", "--out", dir.path().to_str().unwrap()]);
    assert!(ok, "{err}");
    let path = dir.path().join(demo::SESSION_FILE);
    let mut s = session::load(&path).unwrap();
    s.master.trim_db = session::Decibels(12.0);
    s.master.fader_db = session::Decibels(0.0);
    session::save(&s, &path).unwrap();
    let mix = dir.path().join("hot.wav");
    render_cli(&path, &mix, &[]);
    let (ok, out, err) = run(&["analyze", mix.to_str().unwrap(), "--json"]);
    assert!(ok, "{err}");
    let a: serde_json::Value = serde_json::from_str(&out).unwrap();
    let tp = a["true_peak_dbtp"].as_f64().unwrap();
    assert!(
        (-1.2..=-0.9).contains(&tp),
        "the hot demo bounced at {tp:.2} dBTP; the limiter's ceiling is -1 dBTP"
    );
    let sample_peak = a["sample_peak_dbfs"].as_f64().unwrap();
    assert!(sample_peak <= tp, "sample peak {sample_peak:.2} over the true peak {tp:.2}");
}
