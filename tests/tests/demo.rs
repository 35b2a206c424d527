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
