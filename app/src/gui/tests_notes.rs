//! Simulator tests of the Notes tab: real clicks on the toolbar, the filter,
//! a note's time and "Mark done", fed back into `App::update`.

use mixdesk_engine::session::{self, Note, NoteId, NoteStatus, SampleTime, TrackId};

use super::tests::{RATE, fixture, interact};
use super::tests_safety::{boot, shows};
use super::{App, Message};

/// The fixture's session with three notes: open at 0.5 s on the kick, done
/// 0.2-0.7 s, open at 0.9 s.
fn with_notes() -> (tempfile::TempDir, App) {
    let (dir, _) = fixture();
    let path = dir.path().join("song.mixdesk");
    let mut s = session::load(&path).unwrap();
    let mut kick = Note::new(NoteId(100), SampleTime(u64::from(RATE) / 2), "Ann", "kick too boomy");
    kick.track = Some(TrackId(1));
    let mut bass = Note::new(NoteId(101), SampleTime(u64::from(RATE) / 5), "Bo", "bass too loud");
    bass.end = Some(SampleTime(u64::from(RATE) * 7 / 10));
    bass.status = NoteStatus::Done;
    let end = Note::new(NoteId(102), SampleTime(u64::from(RATE) * 9 / 10), "Ann", "ending abrupt");
    for n in [kick, bass, end] {
        s.add_note(n);
    }
    session::save(&s, &path).unwrap();
    let app = boot(&path);
    (dir, app)
}

#[test]
fn the_notes_tab_lists_filters_jumps_and_marks_done_as_one_undo_step() {
    let (_dir, mut app) = with_notes();
    assert!(!shows(&app, "kick too boomy"));
    interact(&mut app, |ui| {
        let _ = ui.click("Notes").unwrap();
    });
    for text in ["kick too boomy", "bass too loud", "ending abrupt", "0:00.2-0:00.7", "kick · Ann · open"] {
        assert!(shows(&app, text), "the list shows {text:?}");
    }

    interact(&mut app, |ui| {
        let _ = ui.click("Open (2)").unwrap();
    });
    assert!(shows(&app, "kick too boomy") && shows(&app, "ending abrupt"));
    assert!(!shows(&app, "bass too loud"), "a done note is not listed under Open");

    interact(&mut app, |ui| {
        let _ = ui.click("0:00.9").unwrap();
    });
    assert_eq!(app.playhead(), u64::from(RATE) * 9 / 10, "a note's time moves the playhead there");

    interact(&mut app, |ui| {
        let _ = ui.click("Mark done").unwrap();
    });
    let note = |app: &App, id| app.doc.session.note(NoteId(id)).unwrap().status;
    assert_eq!(note(&app, 100), NoteStatus::Done, "the first open note in the list");
    assert_eq!(note(&app, 102), NoteStatus::Open);
    assert!(!shows(&app, "kick too boomy"), "it leaves the Open list");
    assert_eq!(
        app.doc.steps().last().map(String::as_str),
        Some("Note \"kick too boomy\" status open -> done")
    );

    interact(&mut app, |ui| {
        let _ = ui.click("Done (2)").unwrap();
    });
    assert!(shows(&app, "kick too boomy") && shows(&app, "bass too loud") && !shows(&app, "ending abrupt"));
    let _ = app.update(Message::Undo);
    assert_eq!(note(&app, 100), NoteStatus::Open, "undo reopens it");
    assert!(shows(&app, "Done (1)"));
}

#[test]
fn importing_a_notes_file_typed_into_the_tab_adds_its_notes_as_one_undo_step() {
    use iced_test::selector::id;
    let (dir, mut app) = with_notes();
    std::fs::write(
        dir.path().join("feedback.txt"),
        "0:00.3 kick clicks\n0:00.6-0:00.8 bass muddy\nthanks!\n",
    )
    .unwrap();
    interact(&mut app, |ui| {
        let _ = ui.click("Notes").unwrap();
    });
    let before = app.doc.history().count();
    interact(&mut app, |ui| {
        let _ = ui.click(id(super::notes_panel::PATH_FIELD)).unwrap();
        let _ = ui.typewrite("feedback.txt");
        let _ = ui.click("Import notes").unwrap();
    });
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    let added: Vec<(u64, Option<u64>, &str, Option<TrackId>)> = app
        .doc
        .session
        .notes
        .iter()
        .filter(|n| n.id.0 > 102)
        .map(|n| (n.at.0, n.end.map(|e| e.0), n.text.as_str(), n.track))
        .collect();
    assert_eq!(
        added,
        [
            (14_400, None, "kick clicks", Some(TrackId(1))),
            (28_800, Some(38_400), "bass muddy", Some(TrackId(3)))
        ]
    );
    assert!(shows(&app, "kick clicks") && shows(&app, "bass muddy"), "listed at once");
    assert_eq!(app.doc.history().count(), before + 1, "one undo step");
    let _ = app.update(Message::Undo);
    assert_eq!(app.doc.session.notes.len(), 3, "undo takes the whole import back");
}
