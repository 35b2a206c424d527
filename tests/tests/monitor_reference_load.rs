//! Loading references for the monitor's A/B (`monitor::load_reference`): an
//! audio file is measured as its graph plays it (closed form: a 1 kHz sine
//! on both channels at amplitude A reads 20 log10(A) LUFS, BS.1770's -3.01
//! LUFS per channel doubled) and plays
//! sample for sample; a saved mix version is measured as its mix; a missing,
//! damaged or empty file is an error naming it, never a panic.

use mixdesk_engine::graph::Serial;
use mixdesk_engine::monitor::{load_reference, reference_graph};
use mixdesk_engine::session::{self, Session, Track};
use mixdesk_engine::units::{Decibels, SampleTime};
use mixdesk_tests::{sine_wave, write_wav_f32};

const RATE: u32 = 48_000;

fn sine_file(dir: &std::path::Path, amp: f64) -> (std::path::PathBuf, Vec<f32>) {
    let x = sine_wave(1000.0, amp, 6 * RATE as usize);
    let path = dir.join("ref.wav");
    write_wav_f32(&path, RATE, &[x.clone(), x.clone()]);
    (path, x)
}

#[test]
fn an_audio_file_is_measured_as_played_and_plays_sample_for_sample() {
    let dir = tempfile::tempdir().unwrap();
    let (path, x) = sine_file(dir.path(), 0.1);
    let (slot, mut graph) = load_reference(&path, RATE).unwrap();
    let want = 20.0 * 0.1f64.log10();
    let got = slot.integrated_lufs.unwrap();
    println!("integrated {got:.3} LUFS (closed form {want:.3}), short-term {:?}", slot.max_short_term_lufs);
    assert!((got - want).abs() < 0.1, "integrated {got} vs {want}");
    assert!((slot.max_short_term_lufs.unwrap() - want).abs() < 0.1);
    assert_eq!(slot.path, path);

    let (mut l, mut r) = (vec![0.0; 4096], vec![0.0; 4096]);
    let mut worst = 0.0f32;
    for block in 0..10 {
        let pos = block * 4096;
        graph.process(pos as u64, &mut l, &mut r, &Serial);
        for i in 0..4096 {
            worst = worst.max((l[i] - x[pos + i]).abs()).max((r[i] - x[pos + i]).abs());
        }
    }
    println!("largest difference from the file: {worst:e}");
    assert!(worst < 1e-6, "the reference plays the file as it is: {worst}");
}

#[test]
fn a_saved_mix_version_is_measured_as_its_mix() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _) = sine_file(dir.path(), 0.1);
    let mut s = Session::new(RATE);
    let mut t = Track::with_one_clip(1, "sine", "ref.wav".into(), SampleTime(6 * u64::from(RATE)));
    t.strip.fader_db = Decibels(-6.0);
    s.tracks.push(t);
    let version = dir.path().join("rough mix.mixdesk");
    session::save(&s, &version).unwrap();
    let (slot, _) = load_reference(&version, RATE).unwrap();
    let want = 20.0 * 0.1f64.log10() - 6.0;
    let got = slot.integrated_lufs.unwrap();
    println!("version integrated {got:.3} LUFS (closed form {want:.3})");
    assert!((got - want).abs() < 0.1, "integrated {got} vs {want}");
    // At another engine rate the version is resampled, not refused.
    assert_eq!(reference_graph(&version, 44_100).unwrap().sample_rate(), 44_100);
}

#[test]
fn missing_damaged_and_empty_references_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("gone.wav");
    let damaged = dir.path().join("damaged.wav");
    std::fs::write(&damaged, b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk").unwrap();
    let garbage = dir.path().join("garbage.mixdesk");
    std::fs::write(&garbage, b"not a session (").unwrap();
    let empty = dir.path().join("empty.mixdesk");
    session::save(&Session::new(RATE), &empty).unwrap();
    for path in [missing, damaged, garbage, empty] {
        let Err(e) = load_reference(&path, RATE) else { panic!("{} was accepted", path.display()) };
        let e = e.to_string();
        println!("{e}");
        assert!(e.contains(&path.display().to_string()), "names the file: {e}");
    }
}
