//! Masking hints (`analysis::masking`, `mixdesk masking`): two tracks built
//! to collide in a band are flagged there and nowhere else; two that sit in
//! different bands, or in the same band 20 dB apart, are not flagged.

use std::path::Path;

use mixdesk_engine::analysis::masking::session_masking;
use mixdesk_engine::session::{self, Session, Track, TrackId};
use mixdesk_engine::units::SampleTime;
use mixdesk_tests::{run, sine_wave, write_wav_f32};

const RATE: u32 = 48_000;
const SECONDS: usize = 4;

/// A track of the sum of `tones` (Hz, amplitude), in both channels.
fn tones(dir: &Path, name: &str, tones: &[(f64, f64)]) {
    let n = SECONDS * RATE as usize;
    let mut x = vec![0.0f32; n];
    for (hz, amp) in tones {
        for (o, v) in x.iter_mut().zip(sine_wave(*hz, *amp, n)) {
            *o += v;
        }
    }
    write_wav_f32(&dir.join(format!("{name}.wav")), RATE, &[x.clone(), x]);
}

/// A session of tracks "a" (id 1) and "b" (id 3) from `a.wav` and `b.wav`.
fn session(dir: &Path) -> std::path::PathBuf {
    let mut s = Session::new(RATE);
    for (id, name) in [(1, "a"), (3, "b")] {
        let len = SampleTime((SECONDS * RATE as usize) as u64);
        s.tracks.push(Track::with_one_clip(id, name, format!("{name}.wav").into(), len));
    }
    let path = dir.join("song.mixdesk");
    session::save(&s, &path).unwrap();
    path
}

fn flagged(a: &[(f64, f64)], b: &[(f64, f64)]) -> Vec<f64> {
    let dir = tempfile::tempdir().unwrap();
    tones(dir.path(), "a", a);
    tones(dir.path(), "b", b);
    let path = session(dir.path());
    let s = session::load(&path).unwrap();
    let hints = session_masking(&s, dir.path(), TrackId(1), TrackId(3)).unwrap();
    println!("{a:?} against {b:?}: {hints:?}");
    hints.iter().map(|h| h.hz).collect()
}

#[test]
fn tracks_built_to_collide_are_flagged_in_that_band_only() {
    // Both carry 1 kHz within 2 dB; each also has a band of its own.
    let hits = flagged(&[(100.0, 0.3), (1000.0, 0.3)], &[(1000.0, 0.25), (5000.0, 0.3)]);
    assert_eq!(hits, [1000.0]);
}

#[test]
fn tracks_in_different_bands_or_far_apart_are_not_flagged() {
    assert_eq!(flagged(&[(100.0, 0.3)], &[(5000.0, 0.3)]), Vec::<f64>::new());
    // The same band, one 20 dB under the other: not within CLOSE_DB.
    assert_eq!(flagged(&[(1000.0, 0.3)], &[(1000.0, 0.03)]), Vec::<f64>::new());
    // The same band and level, but 20 dB under the other track's own loudest band: not strong there.
    assert_eq!(flagged(&[(1000.0, 0.03)], &[(1000.0, 0.03), (4000.0, 0.3)]), Vec::<f64>::new());
}

#[test]
fn the_cli_names_the_band_and_refuses_an_unknown_track() {
    let dir = tempfile::tempdir().unwrap();
    tones(dir.path(), "a", &[(250.0, 0.3)]);
    tones(dir.path(), "b", &[(250.0, 0.3)]);
    let path = session(dir.path());
    let p = path.to_str().unwrap();
    let (ok, out, err) = run(&["masking", p, "a", "b"]);
    println!("{out}{err}");
    assert!(ok, "{err}");
    assert!(out.contains("250 Hz"), "{out}");
    let (ok, out, _) = run(&["masking", p, "a", "b", "--json"]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["bands"][0]["hz"], 250.0, "{v}");
    let (ok, _, err) = run(&["masking", p, "a", "drums"]);
    println!("{err}");
    assert!(!ok && err.contains("drums") && err.contains("a, b"), "{err}");
}

#[test]
fn the_live_overlay_flags_the_same_band_from_live_spectra() {
    use mixdesk_engine::analysis::masking::{THIRD_OCTAVE_HZ, band_levels, collisions};
    use mixdesk_engine::analysis::{Averaging, Spectrum};
    let n = 2 * RATE as usize;
    let live = |tones: &[(f64, f64)]| {
        let mut x = vec![0.0f32; n];
        for (hz, amp) in tones {
            x.iter_mut().zip(sine_wave(*hz, *amp, n)).for_each(|(o, v)| *o += v);
        }
        // As the window's live analysis sees a strip (8192 points, 0.3 s, 1/6 octave).
        let mut s = Spectrum::new(RATE, 8192, Averaging::Exponential(0.3), 6);
        s.add(&x, &x);
        band_levels(s.points().iter().map(|p| (p.hz, p.db)), -100.0)
    };
    let flagged = |a: &[(f64, f64)], b: &[(f64, f64)]| -> Vec<f64> {
        let hits = collisions(&live(a), &live(b));
        THIRD_OCTAVE_HZ.iter().zip(hits).filter(|(_, h)| *h).map(|(hz, _)| *hz).collect()
    };
    let hits = flagged(&[(100.0, 0.3), (1000.0, 0.3)], &[(1000.0, 0.25), (5000.0, 0.3)]);
    println!("live: {hits:?}");
    assert_eq!(hits, [1000.0]);
    assert_eq!(flagged(&[(100.0, 0.3)], &[(5000.0, 0.3)]), Vec::<f64>::new());
}
