//! Session files: the fixture of every released format version (1, 2, 3, 4) loads, saving
//! round-trips, bad files are refused with the file, line and column, and a
//! failed save leaves the previous file intact.

use std::path::{Path, PathBuf};

use mixdesk_engine::session::{
    self, BusId, CURRENT_VERSION, FadeShape, Fingerprint, Output, PanLaw, SessionError, ValidationError,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sessions").join(name)
}

#[test]
fn the_version_1_fixture_loads_with_every_field() {
    let s = session::load(&fixture("v1.mixdesk")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.version, CURRENT_VERSION);
    assert_eq!(s.sample_rate, 44_100);
    assert_eq!(s.pan_law, PanLaw::Minus4_5Db);
    assert_eq!((s.tempo.bpm, s.tempo.beats_per_bar, s.tempo.beat_unit), (96.5, 6, 8));
    let kick = &s.tracks[0];
    assert_eq!(kick.name, "Kick \"In\"");
    assert_eq!(kick.comment, "57 inside the shell");
    assert_eq!(kick.output, Output::Bus(BusId(11)));
    assert_eq!(kick.clips[0].media, Path::new("audio/kick in.wav"));
    assert_eq!(
        (kick.clips[0].start.0, kick.clips[0].source_offset.0, kick.clips[0].length.0),
        (44_100, 100, 88_200)
    );
    assert_eq!(kick.clips[0].gain_db.0, -1.5);
    assert_eq!((kick.clips[0].fade_out.length.0, kick.clips[0].fade_out.shape), (882, FadeShape::SCurve));
    assert_eq!(kick.clips[1].fade_in.length.0, 0, "omitted fields take their defaults");
    assert!(kick.strip.polarity_inverted && kick.strip.solo);
    assert_eq!((kick.strip.trim_db.0, kick.strip.fader_db.0, kick.strip.pan.0), (2.0, -4.25, -0.5));
    assert_eq!(kick.strip.sends[0].target, BusId(10));
    assert!(kick.strip.sends[0].pre_fader);
    let room = &s.tracks[1];
    assert_eq!(room.strip.width, 1.5);
    assert!(room.strip.mute && room.strip.solo_safe);
    assert_eq!(room.output, Output::Master);
    assert_eq!(s.buses.len(), 2);
    assert_eq!(s.buses[0].strip.fader_db.0, -3.0);
    assert_eq!(s.master.fader_db.0, -0.5);
    assert_eq!(s.markers[0].position.0, 1_323_000);
    let l = s.loop_range.unwrap();
    assert_eq!((l.start.0, l.end.0, l.enabled), (441_000, 882_000, true));
}

#[test]
fn the_version_2_fixture_loads_with_fingerprints_and_version_1_still_has_none() {
    let s = session::load(&fixture("v2.mixdesk")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.version, CURRENT_VERSION);
    let kick = &s.tracks[0];
    assert_eq!(
        kick.clips[0].fingerprint,
        Some(Fingerprint { bytes: 192_044, xxh64: 16_045_690_984_503_098_046 })
    );
    assert_eq!(kick.clips[1].fingerprint, None, "a clip without one");
    let bass = &s.tracks[1];
    assert_eq!(bass.clips[0].fingerprint.map(|f| f.xxh64), Some(1));
    assert_eq!(bass.strip.processors.len(), 2);
    assert!(bass.strip.processors[1].bypassed);
    assert_eq!(s.automation[0].points.len(), 2);
    // Saved again, the fingerprint is written; absent ones are not.
    let text = session::to_ron_string(&s).unwrap();
    assert_eq!(text.matches("fingerprint").count(), 2);
    let v1 = session::load(&fixture("v1.mixdesk")).unwrap();
    assert!(v1.tracks.iter().flat_map(|t| &t.clips).all(|c| c.fingerprint.is_none()));
    assert!(!session::to_ron_string(&v1).unwrap().contains("fingerprint"));
}

#[test]
fn the_version_3_fixture_loads_with_its_notes_and_older_versions_have_none() {
    use session::{NoteId, NoteStatus, Reply, TrackId};
    let s = session::load(&fixture("v3.mixdesk")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.version, CURRENT_VERSION);
    assert_eq!(s.notes.len(), 3);
    let vocal = &s.notes[0];
    assert_eq!(
        (vocal.id, vocal.at.0, vocal.end, vocal.track),
        (NoteId(4), 3_984_000, None, Some(TrackId(1)))
    );
    assert_eq!((vocal.author.as_str(), vocal.text.as_str()), ("Ann", "vocal too quiet"));
    assert_eq!(vocal.status, NoteStatus::Open, "status defaults to open");
    let guitar = &s.notes[1];
    assert_eq!(
        (guitar.at.0, guitar.end.map(|e| e.0), guitar.status),
        (6_000_000, Some(6_720_000), NoteStatus::Done)
    );
    assert_eq!(
        guitar.replies,
        [
            Reply { author: "Sam".into(), text: "-2 dB on the guitar bus".into() },
            Reply { author: String::new(), text: "thanks".into() }
        ]
    );
    assert_eq!((s.notes[2].status, s.notes[2].author.as_str()), (NoteStatus::WontDo, ""));
    assert_eq!(s.next_id(), 7, "note ids share the session's id space");
    for old in ["v1.mixdesk", "v2.mixdesk"] {
        let s = session::load(&fixture(old)).unwrap();
        assert!(s.notes.is_empty(), "{old}");
        assert!(!session::to_ron_string(&s).unwrap().contains("notes"), "{old}: no empty notes list written");
    }
}

#[test]
fn the_version_5_fixture_loads_with_its_vca_and_folders_and_older_versions_have_none() {
    use session::{BusId, ParamId, StripParam, StripRef, TrackId};
    let s = session::load(&fixture("v5.mixdesk")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.version, CURRENT_VERSION);
    let vca = s.bus(BusId(8)).expect("the VCA bus");
    assert!(vca.is_vca() && !s.bus(BusId(7)).unwrap().is_vca());
    assert_eq!(vca.vca.as_ref().unwrap().members, [StripRef::Track(TrackId(1)), StripRef::Track(TrackId(3))]);
    assert_eq!(vca.strip.fader_db.0, -4.5);
    assert_eq!(s.vca_of(StripRef::Track(TrackId(3))).map(|b| b.id), Some(BusId(8)));
    assert_eq!(s.vca_of(StripRef::Track(TrackId(5))).map(|b| b.id), None);
    assert_eq!(s.automation[0].param, ParamId::Strip(StripRef::Bus(BusId(8)), StripParam::Fader));
    let drums = &s.folders[0];
    assert_eq!((drums.name.as_str(), &drums.tracks[..]), ("Drums", &[TrackId(1), TrackId(3)][..]));
    assert_eq!((drums.collapsed, drums.bus), (true, Some(BusId(7))));
    assert_eq!((s.folders[1].collapsed, s.folders[1].bus), (false, None), "open and not summing by default");
    assert!(s.folded(TrackId(3)) && !s.folded(TrackId(5)));
    assert_eq!(s.track(TrackId(5)).unwrap().layout, session::Layout::Mono);
    assert_eq!(s.track(TrackId(1)).unwrap().layout, session::Layout::Auto, "as its clips are by default");
    assert_eq!(s.next_id(), 11, "folder ids share the session's id space");
    // Saved again, it is the same session; a plain bus writes no `vca`.
    let text = session::to_ron_string(&s).unwrap();
    assert_eq!(text.matches("vca:").count(), 1, "{text}");
    assert_eq!(session::from_ron_str(&text, Path::new("again")).unwrap(), s);
    // Routing audio into a VCA is refused with what is wrong.
    let text = std::fs::read_to_string(fixture("v5.mixdesk"))
        .unwrap()
        .replace("(id: 7, name: \"Drum bus\")", "(id: 7, name: \"Drum bus\", output: Bus(8))");
    let e = session::from_ron_str(&text, Path::new("v5.mixdesk")).unwrap_err().to_string();
    assert!(e.contains("routed to a VCA"), "{e}");
    // A track in two folders is refused with what is wrong.
    let text =
        std::fs::read_to_string(fixture("v5.mixdesk")).unwrap().replace("tracks: [5]", "tracks: [5, 1]");
    let e = session::from_ron_str(&text, Path::new("v5.mixdesk")).unwrap_err().to_string();
    assert!(e.contains("two folders"), "{e}");
    for old in ["v1.mixdesk", "v2.mixdesk", "v3.mixdesk", "v4.mixdesk"] {
        let s = session::load(&fixture(old)).unwrap();
        assert!(s.buses.iter().all(|b| !b.is_vca()) && s.folders.is_empty(), "{old}");
    }
}

#[test]
fn the_version_6_fixture_loads_with_a_post_fader_key_and_older_keys_are_pre_fader() {
    use session::{ProcessorId, StripRef, TrackId};
    let s = session::load(&fixture("v6.mixdesk")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.version, CURRENT_VERSION);
    let comp = s.processor(ProcessorId(4)).unwrap();
    assert_eq!((comp.sidechain, comp.sidechain_post_fader), (Some(StripRef::Track(TrackId(1))), true));
    let gate = s.processor(ProcessorId(5)).unwrap();
    assert_eq!((gate.sidechain, gate.sidechain_post_fader), (Some(StripRef::Track(TrackId(1))), false));
    // Saved again, only the post-fader key names its tap.
    let text = session::to_ron_string(&s).unwrap();
    assert_eq!(text.matches("sidechain_post_fader").count(), 1, "{text}");
    assert_eq!(session::from_ron_str(&text, Path::new("again")).unwrap(), s);
    for old in ["v1.mixdesk", "v2.mixdesk", "v3.mixdesk", "v4.mixdesk", "v5.mixdesk"] {
        let s = session::load(&fixture(old)).unwrap();
        let strips = s.tracks.iter().map(|t| &t.strip).chain(s.buses.iter().map(|b| &b.strip));
        assert!(strips.flat_map(|st| &st.processors).all(|p| !p.sidechain_post_fader), "{old}");
    }
}

#[test]
fn the_version_4_fixture_loads_with_its_groups_comments_and_monitor_and_older_versions_have_none() {
    use mixdesk_engine::monitor::{Check, System};
    use session::{BusId, GroupId, Shares, StripRef, TrackId};
    let s = session::load(&fixture("v4.mixdesk")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.version, CURRENT_VERSION);
    assert_eq!(s.tracks[0].comment, "replace the sample at 1:20");
    assert_eq!(s.groups.len(), 2);
    let drums = &s.groups[0];
    assert_eq!((drums.id, drums.name.as_str()), (GroupId(8), "Drums"));
    assert_eq!(
        drums.members,
        [StripRef::Track(TrackId(1)), StripRef::Track(TrackId(3)), StripRef::Bus(BusId(7))]
    );
    assert_eq!(drums.shares, Shares::default(), "a group links everything unless it says otherwise");
    assert!(!drums.suspended);
    let low = &s.groups[1];
    assert_eq!(
        low.shares,
        Shares { gain: true, mute: false, solo: false, selection: true, automation: false }
    );
    assert!(low.suspended);
    assert_eq!(s.next_id(), 10, "group ids share the session's id space");
    assert_eq!(s.group_of(StripRef::Track(TrackId(3))).map(|g| g.id), Some(GroupId(8)));
    let m = &s.monitor;
    assert_eq!((m.check, m.system, m.reference), (Check::Mono, Some(System::Phone), Some(0)));
    assert_eq!(m.references[0].path, Path::new("refs/reference.flac"));
    assert_eq!(m.references[0].integrated_lufs, Some(-9.5));
    // A strip in two groups is refused with what is wrong.
    let text =
        std::fs::read_to_string(fixture("v4.mixdesk")).unwrap().replace("[Track(5)]", "[Track(5), Track(1)]");
    let e = session::from_ron_str(&text, Path::new("v4.mixdesk")).unwrap_err().to_string();
    assert!(e.contains("two groups"), "{e}");
    for old in ["v1.mixdesk", "v2.mixdesk", "v3.mixdesk"] {
        let s = session::load(&fixture(old)).unwrap();
        assert!(s.groups.is_empty() && s.monitor.is_off(), "{old}");
        assert!(
            !session::to_ron_string(&s).unwrap().contains("groups"),
            "{old}: no empty group list written"
        );
    }
}

#[test]
fn saving_and_loading_round_trips_and_keeps_the_previous_file_as_bak() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("song.mixdesk");
    let original = session::load(&fixture("v1.mixdesk")).unwrap();
    session::save(&original, &p).unwrap();
    assert_eq!(session::load(&p).unwrap(), original);
    let mut edited = original.clone();
    edited.tracks[0].strip.fader_db.0 = -9.0;
    session::save(&edited, &p).unwrap();
    assert_eq!(session::load(&p).unwrap(), edited);
    assert_eq!(session::load(&dir.path().join("song.mixdesk.bak")).unwrap(), original);
}

fn load_text(text: &str) -> Result<session::Session, SessionError> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.mixdesk");
    std::fs::write(&p, text).unwrap();
    session::load(&p)
}

#[test]
fn a_syntax_error_names_the_file_line_and_column() {
    let text = std::fs::read_to_string(fixture("v1.mixdesk"))
        .unwrap()
        .replace("fader_db: -4.25,", "fader_db: -4.25 oops,");
    let err = load_text(&text).unwrap_err();
    let SessionError::Parse { line, column, ref message, .. } = err else { panic!("{err}") };
    let want_line = text.lines().position(|l| l.contains("oops")).unwrap() + 1;
    assert_eq!(line, want_line);
    assert!(column > 10, "column {column}");
    let shown = err.to_string();
    assert!(shown.contains(&format!("bad.mixdesk:{line}:{column}")), "{shown}");
    assert!(!message.is_empty());
}

#[test]
fn a_newer_version_is_refused_with_its_number() {
    let err = load_text("(version: 7, sample_rate: 48000, some_future_field: [1, 2])").unwrap_err();
    assert!(matches!(err, SessionError::FutureVersion { found: 7, .. }), "{err}");
    assert!(err.to_string().contains("version 7"), "{err}");
}

#[test]
fn structural_problems_are_refused_not_guessed() {
    type Expect = fn(&ValidationError) -> bool;
    let cases: [(&str, Expect); 5] = [
        ("(version: 1, sample_rate: 48000, tracks: [(id: 1, name: \"a\"), (id: 1, name: \"b\")])", |e| {
            matches!(e, ValidationError::DuplicateId { kind: "track", id: 1 })
        }),
        ("(version: 1, sample_rate: 48000, tracks: [(id: 1, name: \"a\", output: Bus(9))])", |e| {
            matches!(e, ValidationError::UnknownBus { .. })
        }),
        (
            "(version: 1, sample_rate: 48000, buses: [(id: 1, name: \"A\", output: Bus(2)), (id: 2, name: \"B\", output: Bus(1))])",
            |e| matches!(e, ValidationError::RoutingLoop { .. }),
        ),
        ("(version: 1, sample_rate: 48000, master: (fader_db: NaN))", |e| {
            matches!(e, ValidationError::OutOfRange { .. })
        }),
        (
            "(version: 1, sample_rate: 48000, tracks: [(id: 1, name: \"a\", clips: [(id: 2, media: \"x.wav\", start: 0, length: 0)])])",
            |e| matches!(e, ValidationError::Impossible { .. }),
        ),
    ];
    for (text, is_expected) in cases {
        match load_text(text) {
            Err(SessionError::Invalid { source, .. }) => assert!(is_expected(&source), "{text}: {source}"),
            other => panic!("{text}: {other:?}"),
        }
    }
}

#[test]
fn an_unknown_field_is_refused() {
    let err = load_text("(version: 1, sample_rate: 48000, trakcs: [])").unwrap_err();
    assert!(matches!(err, SessionError::Parse { .. }), "{err}");
    assert!(err.to_string().contains("trakcs"), "{err}");
}

#[test]
fn a_failed_save_leaves_the_previous_file_intact() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("song.mixdesk");
    let original = session::load(&fixture("v1.mixdesk")).unwrap();
    session::save(&original, &p).unwrap();
    let before = std::fs::read(&p).unwrap();
    let mut edited = original.clone();
    edited.tracks.clear();
    // The previous version cannot be kept: a directory sits where the .bak
    // goes. This fails for root too, unlike a read-only folder.
    let blocker = mixdesk_engine::atomic::backup_path(&p);
    let _ = std::fs::remove_file(&blocker);
    std::fs::create_dir(&blocker).unwrap();
    let err = session::save(&edited, &p).unwrap_err().to_string();
    assert!(err.contains("song.mixdesk.bak") && err.contains("directory"), "{err}");
    assert_eq!(std::fs::read(&p).unwrap(), before);
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "no temporary left: {names:?}");
    std::fs::remove_dir(&blocker).unwrap();
    // And a read-only folder, where the file system enforces it (not for root).
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    let q = ro.join("song.mixdesk");
    session::save(&original, &q).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    let enforced = std::fs::File::create(ro.join("probe")).is_err();
    let result = session::save(&edited, &q);
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    if enforced {
        let e = result.expect_err("saving into a read-only folder fails");
        assert!(e.to_string().contains("song.mixdesk"), "{e}");
        assert_eq!(std::fs::read(&q).unwrap(), before);
    }
}

#[test]
fn the_readme_session_example_is_a_valid_session_at_the_current_version() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md")).unwrap();
    let start = readme.find("```ron\n").expect("the README shows a session") + "```ron\n".len();
    let text = &readme[start..start + readme[start..].find("```").unwrap()];
    assert!(
        text.contains(&format!("version: {CURRENT_VERSION},")),
        "the README's example should be written at version {CURRENT_VERSION}"
    );
    let s = session::from_ron_str(text, Path::new("README.md")).unwrap_or_else(|e| panic!("{e}"));
    session::validate(&s).unwrap_or_else(|e| panic!("the README's example: {e}"));
    assert_eq!(s.tracks.len(), 2);
}
