//! Mix versions: saved beside the session, listed by name, loaded back equal,
//! rendered on their own, switched to as one undoable step, and compared by
//! `mixdesk diff` in words. The expected lines are written by hand from the
//! scripted edits.

use std::path::{Path, PathBuf};

use mixdesk_engine::history::History;
use mixdesk_engine::session::{
    self, Bus, BusId, Decibels, Lane, Marker, MarkerId, ParamId, Point, ProcessorId, SampleTime, Send,
    SendId, Session, StripParam, StripRef, Track, TrackId,
};
use mixdesk_engine::versions;
use mixdesk_tests::{run, write_wav_f32};

fn bus(id: u32, name: &str) -> Bus {
    Bus {
        id: BusId(id),
        name: name.into(),
        colour: Default::default(),
        comment: String::new(),
        strip: Default::default(),
        output: Default::default(),
        vca: None,
    }
}

/// The "rough mix": Kick, Bass (-3 dB, a send to Reverb at -12 dB, an EQ),
/// Vox (a compressor), buses Reverb and Delay, a marker at 10 s.
fn rough_mix() -> Session {
    let mut s = Session::new(48_000);
    for (id, name) in [(1, "Kick"), (3, "Bass"), (5, "Vox")] {
        let media = PathBuf::from(format!("media/{}.wav", name.to_lowercase()));
        s.tracks.push(Track::with_one_clip(id, name, media, SampleTime(4_800)));
    }
    s.buses.push(bus(10, "Reverb"));
    s.buses.push(bus(11, "Delay"));
    let bass = &mut s.tracks[1].strip;
    bass.fader_db = Decibels(-3.0);
    bass.sends.push(Send {
        id: SendId(20),
        target: BusId(10),
        level_db: Decibels(-12.0),
        pan: Default::default(),
        pre_fader: false,
    });
    let eq = s.add_processor(StripRef::Track(TrackId(3)), "eq", usize::MAX).unwrap();
    assert_eq!(eq, ProcessorId(21));
    s.add_processor(StripRef::Track(TrackId(5)), "compressor", usize::MAX).unwrap();
    s.markers.push(Marker { id: MarkerId(40), name: "Chorus".into(), position: SampleTime(480_000) });
    s
}

/// The scripted edits from the rough mix to "louder bass".
fn louder_bass(mut s: Session) -> Session {
    let bass = StripRef::Track(TrackId(3));
    s.set_param(ParamId::Strip(bass, StripParam::Fader), -4.5);
    s.set_param(ParamId::Strip(bass, StripParam::Pan), -0.3);
    s.tracks[1].strip.sends[0].level_db = Decibels(-9.0);
    let hp = s.processor_param(ProcessorId(21), "hp_freq").unwrap();
    s.set_param(hp, 120.0);
    let threshold = s.processor_param(ProcessorId(22), "threshold").unwrap();
    s.set_param(threshold, -24.0);
    s.tracks.remove(0);
    s.tracks.push(Track::with_one_clip(30, "Gtr", PathBuf::from("media/gtr.wav"), SampleTime(4_800)));
    s.tracks[1].strip.mute = true;
    let mut lane = Lane::new(ParamId::Strip(StripRef::Track(TrackId(5)), StripParam::Fader));
    for (time, value) in [(0, -10.0), (48_000, -5.0), (96_000, -10.0)] {
        lane.add_point(Point { time, value, shape: Default::default() });
    }
    s.automation.push(lane);
    s.markers[0].position = SampleTime(576_000);
    s
}

const EXPECTED: [&str; 10] = [
    "Track \"Kick\" removed",
    "Bass fader -3.0 dB -> -4.5 dB",
    "Bass pan C -> L30",
    "Bass send to Reverb -12.0 dB -> -9.0 dB",
    "Bass EQ high-pass frequency 80 Hz -> 120 Hz",
    "Vox mute off -> on",
    "Vox Compressor threshold -18.0 dB -> -24.0 dB",
    "Track \"Gtr\" added",
    "Marker \"Chorus\" moved 10.000 s -> 12.000 s",
    "Vox fader automation added (3 points)",
];

fn session_with_media(dir: &Path) -> PathBuf {
    let media = dir.join("media");
    std::fs::create_dir_all(&media).unwrap();
    for name in ["kick", "bass", "vox", "gtr"] {
        write_wav_f32(&media.join(format!("{name}.wav")), 48_000, &[vec![0.1; 4_800]]);
    }
    let path = dir.join("song.mixdesk");
    session::save(&rough_mix(), &path).unwrap();
    path
}

#[test]
fn mixdesk_diff_of_two_versions_prints_exactly_the_scripted_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = session_with_media(dir.path());
    let v1 = versions::save(&path, &rough_mix(), "rough mix").unwrap();
    let v2 = versions::save(&path, &louder_bass(rough_mix()), "louder bass").unwrap();
    assert_eq!(v1.path, dir.path().join("song.versions/001-rough-mix.mixdesk"));
    assert_eq!(v2.path, dir.path().join("song.versions/002-louder-bass.mixdesk"));

    let (ok, stdout, stderr) = run(&["diff", v1.path.to_str().unwrap(), v2.path.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    assert_eq!(stdout.lines().collect::<Vec<_>>(), EXPECTED);
    // The engine's diff says the same; the session file against version 1 differs in nothing.
    let words: Vec<String> = mixdesk_engine::diff::diff(&rough_mix(), &louder_bass(rough_mix()))
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(words, EXPECTED);
    let (ok, stdout, stderr) = run(&["diff", path.to_str().unwrap(), v1.path.to_str().unwrap()]);
    assert!(ok && stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("no differences"), "{stderr}");
}

#[test]
fn versions_list_load_back_equal_render_alone_and_switching_is_one_undoable_step() {
    let dir = tempfile::tempdir().unwrap();
    let path = session_with_media(dir.path());
    assert!(versions::list(&path).unwrap().is_empty());
    versions::save(&path, &rough_mix(), "rough mix").unwrap();
    versions::save(&path, &louder_bass(rough_mix()), "  louder\n bass / v2 ").unwrap();
    assert!(matches!(versions::save(&path, &rough_mix(), " \n"), Err(versions::VersionError::NoName)));
    let list = versions::list(&path).unwrap();
    let names: Vec<(u32, &str)> = list.iter().map(|v| (v.number, v.name.as_str())).collect();
    assert_eq!(names, [(1, "rough mix"), (2, "louder bass / v2")]);
    assert!(list.iter().all(|v| v.saved_at.is_some()));
    assert_eq!(versions::load(&path, &list[0]).unwrap(), rough_mix(), "media paths come back as they were");

    // A version file is a session of its own: its media paths point from its folder.
    let mix = dir.path().join("v1.wav");
    let (ok, _, stderr) =
        run(&["render", list[0].path.to_str().unwrap(), "-o", mix.to_str().unwrap(), "--no-report"]);
    assert!(ok, "{stderr}");

    let mut s = louder_bass(rough_mix());
    let mut history = History::new(&s);
    versions::switch_to(&path, &list[0], &mut s, &mut history).unwrap();
    assert_eq!(s, rough_mix());
    assert_eq!(history.position(), 1);
    assert_eq!(history.undo_description().as_deref(), Some("Switch to version \"rough mix\" (10 changes)"));
    history.undo(&mut s);
    assert_eq!(s, louder_bass(rough_mix()));
}

#[test]
fn a_bad_input_to_diff_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = session_with_media(dir.path());
    let bad = dir.path().join("broken.mixdesk");
    std::fs::write(&bad, "(version: 2, sample_rate: 48000,, )").unwrap();
    for args in
        [[good.to_str().unwrap(), bad.to_str().unwrap()], [bad.to_str().unwrap(), good.to_str().unwrap()]]
    {
        let (ok, stdout, stderr) = run(&["diff", args[0], args[1]]);
        assert!(!ok && stdout.is_empty());
        assert!(stderr.contains("broken.mixdesk:1:") && stderr.contains("fix the file"), "{stderr}");
    }
    let (ok, _, stderr) = run(&["diff", good.to_str().unwrap(), "nowhere.mixdesk"]);
    assert!(
        !ok && stderr.contains("nowhere.mixdesk") && stderr.contains("Check that the file exists"),
        "{stderr}"
    );
}
