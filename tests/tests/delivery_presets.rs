//! Delivery presets: saved in the session (old sessions load with the
//! defaults), run several at once by `mixdesk deliver`, each file as its
//! preset says, and the delivery sheet lists every file with its true
//! format, loudness and SHA-256.

use std::path::{Path, PathBuf};

use mixdesk_engine::deliver::preset::{self, DeliveryPreset};
use mixdesk_engine::deliver::{Format, WavBits};
use mixdesk_engine::session::{StripRef, from_ron_str, to_ron_string};
use mixdesk_tests::{read_wav, run, sine_wave, write_wav_f32};
use sha2::{Digest, Sha256};

/// A session of one loud sine (peak -1 dBFS) with a limiter on the master.
fn session(dir: &Path) -> PathBuf {
    let stems = dir.join("in");
    std::fs::create_dir_all(&stems).unwrap();
    let x = sine_wave(440.0, 0.89, 96_000);
    write_wav_f32(&stems.join("tone.wav"), 48_000, &[x.clone(), x]);
    let s = dir.join("song.mixdesk");
    let (ok, out, err) = run(&["new", "--from-stems", stems.to_str().unwrap(), "-o", s.to_str().unwrap()]);
    assert!(ok, "{out}{err}");
    let mut session = mixdesk_engine::session::load(&s).unwrap();
    session.add_processor(StripRef::Master, "limiter", 0).unwrap();
    mixdesk_engine::session::save(&session, &s).unwrap();
    s
}

#[test]
fn presets_round_trip_through_the_session_file_and_old_sessions_get_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let s = session(dir.path());
    let loaded = mixdesk_engine::session::load(&s).unwrap();
    assert!(loaded.delivery.is_empty(), "a session without presets saves none");
    assert!(!std::fs::read_to_string(&s).unwrap().contains("delivery"));
    assert_eq!(preset::of_session(&loaded), preset::defaults());

    let (ok, out, err) = run(&["deliver", s.to_str().unwrap(), "--save-presets"]);
    assert!(ok && out.contains("saved 5 delivery presets"), "{out}{err}");
    let mut session = mixdesk_engine::session::load(&s).unwrap();
    assert_eq!(session.delivery, preset::defaults());
    // Edited, saved and loaded back: the same presets.
    session.delivery[0].notes = "Print the vocal rides".into();
    session.delivery[1].normalize_lufs = Some(-16.0);
    session.delivery.push(DeliveryPreset {
        name: "Vinyl".into(),
        format: Format::Wav(WavBits::Int24),
        rate: Some(96_000),
        peak_headroom_dbfs: Some(-3.0),
        ..preset::defaults()[0].clone()
    });
    let text = to_ron_string(&session).unwrap();
    let back = from_ron_str(&text, &s).unwrap();
    assert_eq!(back.delivery, session.delivery);
    mixdesk_engine::session::save(&session, &s).unwrap();
    let (ok, out, _) = run(&["deliver", s.to_str().unwrap(), "--list"]);
    assert!(ok && out.lines().count() == 6 && out.contains("Vinyl") && out.contains("96000 Hz"), "{out}");
}

#[test]
fn one_export_runs_several_presets_and_writes_the_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let s = session(dir.path());
    let out = dir.path().join("delivery");
    let (ok, printed, err) = run(&[
        "deliver",
        s.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--preset",
        "mastering",
        "--preset",
        "CD",
        "--preset",
        "Artist preview MP3 320",
        "--notes",
        "Vocal rides are printed",
    ]);
    assert!(ok, "{printed}{err}");

    // Mastering: 24-bit at the session rate, the limiter bypassed, peaks at -6 dBFS.
    let (spec, m) = read_wav(&out.join("song - Mastering.wav"));
    assert_eq!((spec.sample_rate, spec.bits_per_sample), (48_000, 24));
    let peak = m.iter().flatten().fold(0.0f32, |p, x| p.max(x.abs()));
    let peak_db = 20.0 * f64::from(peak).log10();
    assert!((peak_db + 6.0).abs() < 0.01, "mastering peak {peak_db:.3} dBFS");
    // CD: 16-bit 44.1 kHz.
    let (spec, cd) = read_wav(&out.join("song - CD.wav"));
    assert_eq!((spec.sample_rate, spec.bits_per_sample), (44_100, 16));
    assert_eq!(cd[0].len(), (96_000u64 * 441).div_ceil(480) as usize);
    assert!(out.join("song - Artist preview MP3 320.mp3").is_file());

    let sheet = std::fs::read_to_string(out.join("delivery-sheet.txt")).unwrap();
    let html = std::fs::read_to_string(out.join("delivery-sheet.html")).unwrap();
    assert!(sheet.contains("Vocal rides are printed") && html.contains("Vocal rides are printed"));
    for (file, format) in [
        ("song - Mastering.wav", "WAV 24-bit, 48000 Hz"),
        ("song - CD.wav", "WAV 16-bit, 44100 Hz"),
        ("song - Artist preview MP3 320.mp3", "MP3 320 kbit/s CBR, 44100 Hz"),
    ] {
        let sha: String = Sha256::digest(std::fs::read(out.join(file)).unwrap())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let block =
            sheet.split("\n\n").find(|b| b.starts_with(file)).unwrap_or_else(|| panic!("{file}: {sheet}"));
        assert!(block.contains(format), "{block}");
        assert!(block.contains(&sha), "{file}: the sheet's checksum is not the file's\n{block}");
        assert!(html.contains(&sha), "{file} in the HTML");
    }
    let mastering = sheet.split("\n\n").find(|b| b.starts_with("song - Mastering.wav")).unwrap();
    assert!(!mastering.contains("master-limiter"), "the mastering render bypassed the limiter: {mastering}");
    assert!(mastering.contains("-6.0 dBFS"), "{mastering}");
    let cd = sheet.split("\n\n").find(|b| b.starts_with("song - CD.wav")).unwrap();
    assert!(cd.contains("master-limiter"), "the CD render keeps the limiter: {cd}");

    let (ok, _, err) =
        run(&["deliver", s.to_str().unwrap(), "--out", out.to_str().unwrap(), "--preset", "Tape"]);
    assert!(!ok && err.contains("no delivery preset \"Tape\"") && err.contains("Mastering"), "{err}");
}

#[test]
fn the_sheet_carries_the_open_review_notes_and_the_share_page_is_written_beside_it() {
    use mixdesk_engine::session::{Note, NoteId, NoteStatus, SampleTime};
    let dir = tempfile::tempdir().unwrap();
    let s = session(dir.path());
    let mut session = mixdesk_engine::session::load(&s).unwrap();
    session.add_note(Note::new(NoteId(1), SampleTime(24_000), "Ann", "vocal too quiet in the chorus"));
    let mut done = Note::new(NoteId(2), SampleTime(48_000), "Bo", "kick boomy");
    done.status = NoteStatus::Done;
    session.add_note(done);
    mixdesk_engine::session::save(&session, &s).unwrap();
    let out = dir.path().join("out");
    let (ok, stdout, err) = run(&[
        "deliver",
        s.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--preset",
        "Artist preview MP3 320",
        "--preset",
        "CD",
    ]);
    assert!(ok, "{stdout}{err}");
    let page = out.join("song - CD.review.html");
    assert!(
        stdout.contains(&format!("review page with 1 open notes: {}", page.display())),
        "the page goes beside the first WAV delivered: {stdout}"
    );
    let sheet = std::fs::read_to_string(out.join("delivery-sheet.txt")).unwrap();
    assert!(sheet.contains("Open review notes (1; times on the session's timeline):"), "{sheet}");
    assert!(sheet.contains("0:00.5") && sheet.contains("Ann: vocal too quiet in the chorus"), "{sheet}");
    assert!(!sheet.contains("kick boomy"), "a done note is not for the mastering engineer: {sheet}");
    let html = std::fs::read_to_string(out.join("delivery-sheet.html")).unwrap();
    assert!(html.contains("<h2>Open review notes</h2>") && html.contains("vocal too quiet in the chorus"));
    let page = std::fs::read_to_string(&page).unwrap();
    assert!(page.contains("vocal too quiet in the chorus") && !page.contains("kick boomy"));

    // Only an MP3: the sheet still lists the notes; no page can play it, and it says so.
    let mp3 = dir.path().join("mp3");
    let (ok, stdout, err) = run(&[
        "deliver",
        s.to_str().unwrap(),
        "--out",
        mp3.to_str().unwrap(),
        "--preset",
        "Artist preview MP3 320",
    ]);
    assert!(ok, "{stdout}{err}");
    assert!(err.contains("no WAV was delivered, so there is no review page"), "{err}");
    assert!(std::fs::read_to_string(mp3.join("delivery-sheet.txt")).unwrap().contains("vocal too quiet"));
}
