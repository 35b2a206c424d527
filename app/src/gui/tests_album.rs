//! The album view, driven by clicks and typing in the simulator: songs
//! added by typed path, reordered, a gap and a crossfade typed, saved and
//! opened again; the transition and the album-normalised album played
//! through the engine (the preview graph rendered here and compared with
//! the closed-form placement); the album exported with its loudness table.

use std::path::{Path, PathBuf};

use iced_test::selector::id;
use mixdesk_engine::deliver::album;
use mixdesk_engine::graph::Serial;

use super::album_view::{ADD_FIELD, FILE_FIELD, Field, OUT_FIELD, TRANSITION_SECONDS};
use super::tests::{RATE, fixture, interact};
use super::tests_safety::{act, shows};
use super::{App, Message, Modal};

/// Seconds per song.
const SONG: f64 = 5.0;

/// Song `k`'s amplitude and frequency.
fn tone(k: usize) -> (f64, f64) {
    [(0.5, 440.0), (0.25, 660.0), (0.125, 880.0)][k]
}

/// Song `k`'s sample at frame `n` of itself.
fn song_sample(k: usize, n: u64) -> f64 {
    let (a, f) = tone(k);
    a * (std::f64::consts::TAU * f * n as f64 / f64::from(RATE)).sin()
}

/// Three stereo float WAVs of `SONG` seconds, one tone each.
fn songs(dir: &Path) -> Vec<PathBuf> {
    (0..3)
        .map(|k| {
            let path = dir.join(format!("song{}.wav", k + 1));
            let spec = hound::WavSpec {
                channels: 2,
                sample_rate: RATE,
                bits_per_sample: 32,
                sample_format: hound::SampleFormat::Float,
            };
            let mut w = hound::WavWriter::create(&path, spec).unwrap();
            for n in 0..(SONG * f64::from(RATE)) as u64 {
                let x = song_sample(k, n) as f32;
                w.write_sample(x).unwrap();
                w.write_sample(x).unwrap();
            }
            w.finalize().unwrap();
            path
        })
        .collect()
}

/// Opens the album view with a click on the toolbar and adds `paths` by typing each.
fn open_and_add(app: &mut App, paths: &[PathBuf]) {
    interact(app, |ui| {
        let _ = ui.click("Album").unwrap();
    });
    assert!(matches!(app.modal, Some(Modal::Album)), "the toolbar's Album opens the view");
    for p in paths {
        interact(app, |ui| {
            let _ = ui.click(id(ADD_FIELD)).unwrap();
            let _ = ui.typewrite(&p.display().to_string());
            let _ = ui.click("Add").unwrap();
        });
    }
}

fn type_into(app: &mut App, field: iced::widget::Id, text: &str) {
    interact(app, |ui| {
        let _ = ui.click(id(field)).unwrap();
        let _ = ui.typewrite(text);
    });
}

fn names(app: &App) -> Vec<String> {
    app.album
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .map(|r| r.source.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn songs_added_reordered_and_edited_by_clicks_save_and_open_again() {
    let (dir, mut app) = fixture();
    let files = songs(dir.path());
    open_and_add(&mut app, &files);
    assert_eq!(names(&app), ["song1.wav", "song2.wav", "song3.wav"]);
    assert!(shows(&app, "song3.wav"), "the list shows the files");

    interact(&mut app, |ui| {
        let _ = ui.click("Down 1").unwrap();
    });
    assert_eq!(names(&app), ["song2.wav", "song1.wav", "song3.wav"], "Down 1 moves the first song down");
    interact(&mut app, |ui| {
        let _ = ui.click("Up 2").unwrap();
    });
    assert_eq!(names(&app), ["song1.wav", "song2.wav", "song3.wav"], "Up 2 moves it back");

    type_into(&mut app, Field::Gap.id(1), "2");
    type_into(&mut app, Field::Crossfade.id(2), "1");
    type_into(&mut app, Field::Gain.id(2), "-1.5");
    type_into(&mut app, Field::Title.id(0), "Opener");
    type_into(&mut app, Field::Isrc.id(0), "GBAYE2400001");
    // The album file is beside the session by default.
    let file = dir.path().join("song.album.ron");
    assert_eq!(app.album.as_ref().unwrap().path(), file);
    interact(&mut app, |ui| {
        let _ = ui.click("Save album").unwrap();
    });
    let saved = album::load(&file).unwrap_or_else(|e| panic!("{e}: {:?}", app.album.as_ref().unwrap().said));
    let song = |source: &str, title: Option<&str>, gap, crossfade, gain_db, isrc: Option<&str>| album::Song {
        source: source.into(),
        title: title.map(Into::into),
        gap,
        crossfade,
        gain_db,
        isrc: isrc.map(Into::into),
    };
    assert_eq!(
        saved.songs,
        [
            song("song1.wav", Some("Opener"), 0.0, 0.0, 0.0, Some("GBAYE2400001")),
            song("song2.wav", None, 2.0, 0.0, 0.0, None),
            song("song3.wav", None, 0.0, 1.0, -1.5, None),
        ],
        "saved in order, sources relative to the album file"
    );

    interact(&mut app, |ui| {
        let _ = ui.click("Remove 2").unwrap();
    });
    assert_eq!(names(&app).len(), 2);
    interact(&mut app, |ui| {
        let _ = ui.click("Open album").unwrap();
    });
    assert_eq!(names(&app), ["song1.wav", "song2.wav", "song3.wav"], "opening the file brings the song back");
    let rows = &app.album.as_ref().unwrap().rows;
    assert_eq!((rows[1].gap.as_str(), rows[2].crossfade.as_str(), rows[2].gain.as_str()), ("2", "1", "-1.5"));
    assert_eq!(rows[0].source, files[0], "sources are absolute again while open");
}

#[test]
fn a_bad_number_or_an_unwritable_file_is_refused_with_the_song_and_the_file_named() {
    let (dir, mut app) = fixture();
    let files = songs(dir.path());
    open_and_add(&mut app, &files[..2]);
    type_into(&mut app, Field::Gap.id(1), "two");
    let file = dir.path().join("no-such-folder").join("ep.album.ron");
    app.album.as_mut().unwrap().file.clear();
    type_into(&mut app, FILE_FIELD.into(), &file.display().to_string());
    interact(&mut app, |ui| {
        let _ = ui.click("Save album").unwrap();
    });
    let said = app.album.as_ref().unwrap().said.clone();
    let e = said.unwrap().unwrap_err();
    assert!(e.contains("ep.album.ron") && e.contains("song 2") && e.contains("\"two\""), "{e}");
    assert!(shows(&app, &e), "the error is shown");
    app.album.as_mut().unwrap().rows[1].gap = "2".into();
    interact(&mut app, |ui| {
        let _ = ui.click("Save album").unwrap();
    });
    let e = app.album.as_ref().unwrap().said.clone().unwrap().unwrap_err();
    assert!(e.contains(&file.display().to_string()), "the unwritable file is named: {e}");
    assert!(!file.exists());
}

/// Renders `frames` of a preview graph from its start.
fn render_graph(heard: &super::album_play::Heard) -> Vec<f32> {
    let mut g = heard.graph.lock().unwrap().take().expect("the graph is there");
    let mut out = Vec::new();
    let mut at = 0;
    while at < heard.frames {
        let n = 512.min(heard.frames - at) as usize;
        let (mut l, mut r) = (vec![0.0f32; n], vec![0.0f32; n]);
        g.process(at, &mut l, &mut r, &Serial);
        out.extend_from_slice(&l);
        at += n as u64;
    }
    out
}

#[test]
fn the_transitions_play_through_the_engine_with_samples_at_the_closed_form_places() {
    let (dir, mut app) = fixture();
    let files = songs(dir.path());
    open_and_add(&mut app, &files);
    type_into(&mut app, Field::Gap.id(1), "2");
    type_into(&mut app, Field::Crossfade.id(2), "1");
    act(&mut app, |ui| {
        let _ = ui.click("Play 1-2").unwrap();
    });
    let said = app.album.as_ref().unwrap().said.clone();
    assert_eq!(said, Some(Ok("Transition 1 → 2 (8.0 s)".into())));
    let rate = u64::from(RATE);
    let p = app.audio.previewing().expect("the transition plays");
    assert_eq!(p.frames, 8 * rate, "4 s either side of song 2's start");
    assert!(shows(&app, "Stop preview"));
    interact(&mut app, |ui| {
        let _ = ui.click("Stop preview").unwrap();
    });
    assert!(app.audio.previewing().is_none(), "Stop ends it");
    assert_eq!(app.audio.position, p.from, "and the playhead goes back to where it was");

    // The same previews, rendered as the engine plays them.
    let a = app.album.as_ref().unwrap().album().unwrap();
    let file = dir.path().join("song.album.ron");
    let s = (SONG * f64::from(RATE)) as u64;
    let half = (TRANSITION_SECONDS * f64::from(RATE)) as u64;
    let gap = super::album_play::heard(a.clone(), &file, super::album_play::Which::Transition(1), None, RATE)
        .unwrap();
    let got = render_graph(&gap);
    // Song 2 starts at s + 2 s; the preview starts `half` before it.
    let start2 = s + 2 * rate;
    let expected = |k: u64| -> f64 {
        let t = start2 - half + k;
        if t < s {
            song_sample(0, t)
        } else if t < start2 {
            0.0
        } else {
            song_sample(1, t - start2)
        }
    };
    let worst = (0..got.len()).map(|k| (f64::from(got[k]) - expected(k as u64)).abs()).fold(0.0, f64::max);
    assert!(worst < 1e-6, "gap transition: worst error {worst}");

    let xf = super::album_play::heard(a, &file, super::album_play::Which::Transition(2), None, RATE).unwrap();
    let got = render_graph(&xf);
    let start3 = start2 + s - rate;
    let expected = |k: u64| -> f64 {
        let t = start3 - half + k;
        let x = rate as f64;
        let mut v = 0.0;
        if t < start2 + s {
            let j = t as f64 - start3 as f64;
            let g = if j >= 0.0 { (std::f64::consts::FRAC_PI_2 * j / x).cos() } else { 1.0 };
            v += song_sample(1, t - start2) * g;
        }
        if t >= start3 {
            let j = (t - start3) as f64;
            let g = if j < x { (std::f64::consts::FRAC_PI_2 * j / x).sin() } else { 1.0 };
            v += song_sample(2, t - start3) * g;
        }
        v
    };
    let worst = (0..got.len()).map(|k| (f64::from(got[k]) - expected(k as u64)).abs()).fold(0.0, f64::max);
    assert!(worst < 1e-6, "crossfade transition: worst error {worst}");
}

#[test]
fn the_album_preview_plays_every_song_at_one_gain_that_brings_the_album_to_the_level_asked() {
    let (dir, mut app) = fixture();
    let files = songs(dir.path());
    open_and_add(&mut app, &files);
    app.album.as_mut().unwrap().lufs.clear();
    type_into(&mut app, "album-lufs".into(), "-20");
    act(&mut app, |ui| {
        let _ = ui.click("Play album").unwrap();
    });
    let said = app.album.as_ref().unwrap().said.clone().unwrap().unwrap();
    assert!(said.starts_with("The album at -20 LUFS"), "{said}");
    let total = 3 * (SONG * f64::from(RATE)) as u64;
    assert_eq!(app.audio.previewing().map(|p| p.frames), Some(total), "the whole album plays");

    let a = app.album.as_ref().unwrap().album().unwrap();
    let file = dir.path().join("song.album.ron");
    let heard =
        super::album_play::heard(a, &file, super::album_play::Which::Album(-20.0), None, RATE).unwrap();
    let assembled = &heard.assembled.as_ref().unwrap().1;
    let gain = 10f64.powf(assembled.album_gain(-20.0, Some(-1.0)).unwrap().gain_db / 20.0);
    let got = render_graph(&heard);
    // One gain for all: each song keeps its level relative to the others.
    let s = (SONG * f64::from(RATE)) as u64;
    let worst = (0..total)
        .map(|t| (f64::from(got[t as usize]) - gain * song_sample((t / s) as usize, t % s)).abs())
        .fold(0.0, f64::max);
    assert!(worst < 1e-6, "worst error {worst}");
    use mixdesk_engine::analysis::{ClipLevels, MixAnalyzer};
    let mut meter = MixAnalyzer::new(RATE, 2, ClipLevels::for_format(None, true));
    meter.add(&got, &got);
    let lufs = meter.finish().0.integrated_lufs.unwrap();
    assert!((lufs + 20.0).abs() < 0.05, "the preview reads {lufs} LUFS");
}

#[test]
fn export_album_runs_in_the_background_and_shows_the_files_and_the_loudness_table() {
    let (dir, mut app) = fixture();
    let files = songs(dir.path());
    open_and_add(&mut app, &files);
    type_into(&mut app, Field::Gap.id(1), "2");
    type_into(&mut app, Field::Title.id(0), "Opener");
    let out = dir.path().join("delivered");
    app.album.as_mut().unwrap().out.clear();
    type_into(&mut app, OUT_FIELD.into(), &out.display().to_string());
    act(&mut app, |ui| {
        let _ = ui.click("Export album").unwrap();
    });
    let view = app.album.as_ref().unwrap();
    assert!(!view.is_running());
    let lines = view.result.clone().unwrap().unwrap();
    assert!(lines[1].starts_with("Track 01 at 0.000 s") && lines[1].ends_with("01 Opener.wav"), "{lines:?}");
    assert!(lines[2].starts_with("Track 02 at 7.000 s"), "5 s song and a 2 s gap: {lines:?}");
    assert!(lines.iter().any(|l| l.contains("whole album")), "the loudness table: {lines:?}");
    assert!(shows(&app, &lines[2]));
    for name in ["01 Opener.wav", "02 song2.wav", "03 song3.wav", "album-sheet.txt"] {
        assert!(out.join(name).is_file(), "{name} written");
    }
    let _ = app.update(Message::Album(super::album_view::Message::Closed));
    assert!(app.modal.is_none());
}
