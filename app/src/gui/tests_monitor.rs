//! Simulator tests of the Monitor tab: real clicks on the toolbar and the
//! tab's buttons change what the engine plays (the settings saved in the
//! session), the platform preview says what it needs, and reference slots
//! are added (typed path, saved version), chosen, matched and removed.

use iced_test::selector::id;
use mixdesk_engine::monitor::{Check, Listen, Matching, Platform, System};

use super::tests::{fixture, interact};
use super::tests_safety::{act, boot, shows};
use super::{App, monitor_refs};

fn booted() -> (tempfile::TempDir, App) {
    let (dir, _) = fixture();
    let app = boot(&dir.path().join("song.mixdesk"));
    (dir, app)
}

#[test]
fn the_monitor_tab_switches_checks_systems_and_platforms_with_clicks() {
    let (_dir, mut app) = booted();
    assert!(!shows(&app, "Listening check"));
    interact(&mut app, |ui| {
        let _ = ui.click("Monitor").unwrap();
    });
    assert!(shows(&app, "Listening check") && shows(&app, "Phone speaker"), "the tab opens");
    assert!(shows(&app, "Correlation –"), "the master's correlation, nothing played yet");

    interact(&mut app, |ui| {
        let _ = ui.click("Mono").unwrap();
    });
    assert_eq!(app.doc.session.monitor.check, Check::Mono);
    assert_eq!(app.audio.monitor_program().matrix, Check::Mono.matrix(), "the engine was sent mono");

    interact(&mut app, |ui| {
        let _ = ui.click("Phone speaker").unwrap();
    });
    assert_eq!(app.doc.session.monitor.system, Some(System::Phone));
    assert!(shows(&app, "31.5: -78.3"), "the phone's documented curve is shown");

    interact(&mut app, |ui| {
        let _ = ui.click("Dim -20 dB").unwrap();
    });
    assert!(app.doc.session.monitor.dim);
    let p = app.audio.monitor_program();
    assert_eq!((p.len, p.gain), (System::Phone.sections().len(), 0.1), "the phone's sections, dimmed");

    interact(&mut app, |ui| {
        let _ = ui.click("Spotify").unwrap();
    });
    assert_eq!(app.doc.session.monitor.platform, Some(Platform::Spotify));
    assert!(
        shows(&app, "Spotify: play the mix to measure its loudness"),
        "no gain before the mix is measured"
    );

    interact(&mut app, |ui| {
        let _ = ui.click("Stereo").unwrap();
        let _ = ui.click("Speakers as they are").unwrap();
    });
    assert_eq!(app.doc.session.monitor.check, Check::Stereo);
    assert_eq!(app.doc.session.monitor.system, None);
}

/// A stereo 1 kHz sine at amplitude 0.1 in the session's folder: -20.0 LUFS
/// (BS.1770: -3.01 LUFS per full-scale channel, two channels).
fn sine_file(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 48_000,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(&path, spec).unwrap();
    for n in 0..2 * 48_000 {
        let x = 0.1 * (std::f64::consts::TAU * 1000.0 * f64::from(n) / 48_000.0).sin() as f32;
        w.write_sample(x).unwrap();
        w.write_sample(x).unwrap();
    }
    w.finalize().unwrap();
    path
}

fn type_reference(app: &mut App, path: &str) {
    act(app, |ui| {
        let _ = ui.click(id(monitor_refs::FIELD)).unwrap();
        let _ = ui.tap_key(iced::keyboard::key::Named::End);
        for _ in 0..200 {
            let _ = ui.tap_key(iced::keyboard::key::Named::Backspace);
        }
        let _ = ui.typewrite(path);
        let _ = ui.click("Add").unwrap();
    });
}

#[test]
fn references_are_added_by_typed_path_chosen_matched_and_removed_with_clicks() {
    let (dir, mut app) = booted();
    let file = sine_file(dir.path(), "ref.wav");
    act(&mut app, |ui| {
        let _ = ui.click("Monitor").unwrap();
    });
    type_reference(&mut app, &file.display().to_string());
    let m = &app.doc.session.monitor;
    assert_eq!(m.references.len(), 1, "{:?}", app.monitor.status);
    let slot = &m.references[0];
    let lufs = slot.integrated_lufs.unwrap();
    println!("the slot measured {lufs:.3} LUFS (closed form -20.0)");
    assert!((lufs + 20.0).abs() < 0.1, "measured as the graph plays it: {lufs}");
    assert_eq!(slot.path, std::path::Path::new("ref.wav"), "kept relative to the session's folder");
    assert_eq!(m.reference, Some(0), "the new slot is heard");
    assert_eq!(app.audio.reference(), Some(file.as_path()), "the engine holds its graph");
    assert_eq!(app.audio.monitor_program().listen, Listen::Reference);
    assert!(shows(&app, "Ref 1: ref.wav") && shows(&app, "-20.0 LUFS"));

    act(&mut app, |ui| {
        let _ = ui.click("Mix").unwrap();
    });
    assert_eq!((app.doc.session.monitor.reference, app.audio.monitor_program().listen), (None, Listen::Mix));
    act(&mut app, |ui| {
        let _ = ui.click("Ref 1: ref.wav").unwrap();
        let _ = ui.click("Short-term").unwrap();
        let _ = ui.click("Free-running").unwrap();
    });
    let m = &app.doc.session.monitor;
    assert_eq!((m.reference, m.matching, m.free_running), (Some(0), Matching::ShortTerm, true));
    assert!(app.audio.monitor_program().free_running, "the engine was told to run it free");

    // Hostile paths: an error naming the file, the slots untouched.
    let damaged = dir.path().join("damaged.wav");
    std::fs::write(&damaged, b"RIFF\x10\x00\x00\x00WAVEjunk").unwrap();
    for bad in [dir.path().join("gone.wav"), damaged] {
        type_reference(&mut app, &bad.display().to_string());
        let status = app.monitor.status.clone().unwrap_or_default();
        println!("{status}");
        assert!(status.contains(&format!("{}:", bad.display())), "names the file: {status}");
        assert!(shows(&app, &status), "the tab says it");
        assert_eq!(app.doc.session.monitor.references.len(), 1);
    }

    // A saved mix version as a second slot.
    let song = dir.path().join("song.mixdesk");
    mixdesk_engine::versions::save(&song, &app.doc.session, "rough mix").unwrap();
    app.versions.refresh(Some(&song));
    act(&mut app, |ui| {
        let _ = ui.click("A/B rough mix").unwrap();
    });
    let m = &app.doc.session.monitor;
    assert_eq!((m.references.len(), m.reference), (2, Some(1)), "{:?}", app.monitor.status);
    let version_lufs = m.references[1].integrated_lufs.unwrap();
    println!("the version measured {version_lufs:.2} LUFS");
    assert!(app.audio.reference().is_some_and(|p| p.extension().is_some_and(|e| e == "mixdesk")));

    // Removing the first slot keeps the second chosen, now first.
    act(&mut app, |ui| {
        let _ = ui.click("Remove").unwrap();
    });
    let m = &app.doc.session.monitor;
    assert_eq!((m.references.len(), m.reference), (1, Some(0)));
    assert_eq!(m.references[0].integrated_lufs, Some(version_lufs));
}

#[test]
fn the_analyzer_overlays_chosen_tracks_and_names_their_masking() {
    use super::Page;
    use super::timeline::analyzer::{live_hints, overlay_id};
    use mixdesk_engine::analysis::{Averaging, Spectrum};
    use mixdesk_engine::session::{StripRef, TrackId};
    let (_dir, mut app) = booted();
    app.page = Page::Timeline;
    interact(&mut app, |ui| {
        let _ = ui.click("Analyzer").unwrap();
    });
    interact(&mut app, |ui| {
        let _ = ui.click(id(overlay_id(TrackId(1)))).unwrap();
        let _ = ui.click(id(overlay_id(TrackId(3)))).unwrap();
    });
    assert_eq!(app.timeline.overlay, [TrackId(1), TrackId(3)]);
    let _ = app.update(super::Message::Tick);
    let tapped: Vec<StripRef> = app.audio.analysis().unwrap().strip_spectra().map(|(_, r, _)| r).collect();
    assert_eq!(tapped, [StripRef::Track(TrackId(1)), StripRef::Track(TrackId(3))], "the engine taps both");
    assert!(shows(&app, "Masking: none now (two overlaid tracks strong in the same band within 6 dB)"));
    interact(&mut app, |ui| {
        let _ = ui.click(id(overlay_id(TrackId(1)))).unwrap();
    });
    assert_eq!(app.timeline.overlay, [TrackId(3)], "a second click takes it off");

    // The hint the panel shows, from live spectra of two tracks sharing 1 kHz.
    let live = |tones: &[(f64, f32)]| {
        let n = 96_000;
        let x: Vec<f32> = (0..n)
            .map(|i| {
                tones
                    .iter()
                    .map(|(hz, a)| a * (std::f64::consts::TAU * hz * i as f64 / 48_000.0).sin() as f32)
                    .sum()
            })
            .collect();
        let mut s = Spectrum::new(48_000, 8192, Averaging::Exponential(0.3), 6);
        s.add(&x, &x);
        s.points()
    };
    let strips = vec![
        ("kick".to_owned(), live(&[(100.0, 0.3), (1000.0, 0.3)])),
        ("bass".to_owned(), live(&[(1000.0, 0.25), (5000.0, 0.3)])),
    ];
    let hints: Vec<String> = live_hints(&strips).into_iter().map(|h| h.2).collect();
    assert_eq!(hints, ["kick × bass at 1 kHz"]);
}

#[test]
fn an_mp3_preview_is_rendered_and_played_as_a_reference() {
    let (dir, mut app) = booted();
    act(&mut app, |ui| {
        let _ = ui.click("Monitor").unwrap();
    });
    act(&mut app, |ui| {
        let _ = ui.click("128k").unwrap();
    });
    let m = &app.doc.session.monitor;
    assert_eq!((m.references.len(), m.reference), (1, Some(0)), "{:?}", app.monitor.status);
    let file = dir.path().join("previews").join("song 128k.mp3");
    assert!(file.is_file(), "written beside the session");
    assert_eq!(m.references[0].path, std::path::Path::new("previews/song 128k.mp3"));
    assert_eq!(app.audio.reference(), Some(file.as_path()), "the engine plays it");
    assert!(shows(&app, "Ref 1: song 128k.mp3"));
}

#[test]
fn an_impulse_response_is_loaded_by_typed_path_and_switched_off() {
    let (dir, mut app) = booted();
    let ir = dir.path().join("phone ir.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(&ir, spec).unwrap();
    for x in [0.5f32, 0.5] {
        w.write_sample(x).unwrap();
    }
    w.finalize().unwrap();
    act(&mut app, |ui| {
        let _ = ui.click("Monitor").unwrap();
    });
    act(&mut app, |ui| {
        let _ = ui.click(id(monitor_refs::IR_FIELD)).unwrap();
        let _ = ui.typewrite(&ir.display().to_string());
        let _ = ui.click("Load IR").unwrap();
    });
    assert_eq!(app.doc.session.monitor.ir.as_deref(), Some(std::path::Path::new("phone ir.wav")));
    assert_eq!(app.audio.ir(), Some(ir.as_path()), "the engine holds it");
    assert!(app.audio.monitor_program().ir, "and hears it");
    act(&mut app, |ui| {
        let _ = ui.click("IR off").unwrap();
    });
    assert_eq!(app.doc.session.monitor.ir, None);
    assert!(!app.audio.monitor_program().ir);
    // A file that is not there: an error naming it, nothing heard.
    act(&mut app, |ui| {
        let _ = ui.click(id(monitor_refs::IR_FIELD)).unwrap();
        let _ = ui.tap_key(iced::keyboard::key::Named::End);
        let _ = ui.typewrite("x");
        let _ = ui.click("Load IR").unwrap();
    });
    let status = app.monitor.status.clone().unwrap_or_default();
    println!("{status}");
    assert!(status.contains("phone ir.wavx"), "{status}");
    assert_eq!(app.doc.session.monitor.ir, None);
}
