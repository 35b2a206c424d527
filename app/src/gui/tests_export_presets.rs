//! Delivery presets in the export dialog: presets ticked with clicks, one
//! edited by typing (and a format from its list, sent as the pick list's
//! message: iced_test cannot reach a pick list's menu), notes for the
//! mastering engineer typed; one export runs the ticked presets and writes
//! the delivery sheet; the edit is one undo step and is saved in the session.

use iced::keyboard::key::Named as Key;
use iced_test::selector::id;
use mixdesk_engine::session;

use super::export_presets::{self, NOTES_FIELD, Named, Number};
use super::tests::{fixture, interact};
use super::tests_safety::{act, shows};
use super::{Message, export};

fn presets(m: export_presets::Message) -> Message {
    Message::Presets(m)
}

#[test]
fn ticked_presets_run_in_one_export_with_an_edited_target_and_the_notes_on_the_sheet() {
    let (dir, mut app) = fixture();
    interact(&mut app, |ui| {
        let _ = ui.click("Export").unwrap();
    });
    for name in ["Mastering", "Streaming master", "CD", "Stems pack", "Artist preview MP3 320"] {
        assert!(shows(&app, name), "the dialog lists {name}");
    }
    interact(&mut app, |ui| {
        let _ = ui.click("Stems pack").unwrap();
    });
    interact(&mut app, |ui| {
        let _ = ui.click("Mastering").unwrap();
    });
    assert_eq!(app.presets.as_ref().unwrap().ticked, [false, true, true, false, true]);

    // Streaming master to -16 LUFS: the field holds "-14"; delete it and type.
    let _ = app.update(presets(export_presets::Message::Chosen(Named(1, "Streaming master".into()))));
    let steps = app.doc.history().count();
    interact(&mut app, |ui| {
        let _ = ui.click(id(Number::Lufs.id())).unwrap();
        for _ in 0..3 {
            let _ = ui.tap_key(Key::Backspace);
        }
        let _ = ui.typewrite("-16");
    });
    let of = |app: &super::App| mixdesk_engine::deliver::preset::of_session(&app.doc.session);
    assert_eq!(of(&app)[1].normalize_lufs, Some(-16.0));
    assert_eq!(app.doc.history().count(), steps + 1, "typing the value is one undo step");
    // The CD as FLAC.
    let _ = app.update(presets(export_presets::Message::Chosen(Named(2, "CD".into()))));
    let _ = app.update(presets(export_presets::Message::FormatChosen(export::Depth::ALL[3])));
    assert_eq!(of(&app)[2].format.extension(), "flac");

    interact(&mut app, |ui| {
        let _ = ui.click(id(NOTES_FIELD)).unwrap();
        let _ = ui.typewrite("Fade is intended; please keep the tail.");
    });
    let note =
        session::Note::new(session::NoteId(7), session::SampleTime(100), "Ann", "more air on the vocal");
    app.doc.session.add_note(note);
    act(&mut app, |ui| {
        let _ = ui.click("Export presets").unwrap();
    });
    let lines = app.presets.as_ref().unwrap().result.clone().unwrap().unwrap();
    assert_eq!(lines.len(), 5, "the sheet, three files and the review page: {lines:?}");
    assert!(lines[4].starts_with("Review page with 1 open notes:"), "{lines:?}");
    assert!(lines[1].starts_with("Streaming master: song - Streaming master.wav"), "{lines:?}");
    assert!(lines[1].contains("44100 Hz, -16.0 LUFS"), "the edited target is what was delivered: {lines:?}");
    assert!(lines[2].starts_with("CD: song - CD.flac (FLAC 16-bit, 44100 Hz"), "{lines:?}");
    assert!(lines[3].starts_with("Artist preview MP3 320: song - Artist preview MP3 320.mp3"), "{lines:?}");
    assert!(shows(&app, &lines[1]));
    let out = dir.path().join("exports").join("delivery");
    let sheet = std::fs::read_to_string(out.join("delivery-sheet.txt")).unwrap();
    assert!(sheet.contains("Fade is intended; please keep the tail."), "{sheet}");
    assert!(sheet.contains("Ann: more air on the vocal"), "the open review notes too: {sheet}");
    assert!(!out.join("song - Mastering.wav").exists(), "an unticked preset is not run");

    // Saved with the session; undo takes the edit back.
    let _ = app.update(Message::Save);
    let saved = session::load(&dir.path().join("song.mixdesk")).unwrap();
    assert_eq!(saved.delivery.len(), 5);
    assert_eq!(
        (saved.delivery[1].normalize_lufs, saved.delivery[2].format.extension()),
        (Some(-16.0), "flac")
    );
    let _ = app.update(Message::Undo);
    let _ = app.update(Message::Undo);
    assert_eq!(of(&app)[1].normalize_lufs, Some(-14.0), "undone");
    let _ = app.update(presets(export_presets::Message::Chosen(Named(1, "Streaming master".into()))));
    assert!(shows(&app, "-14"), "the field shows the value undone to");
}

#[test]
fn a_target_out_of_range_is_not_used_and_says_why() {
    let (_dir, mut app) = fixture();
    let _ = app.update(Message::ExportOpened);
    let _ = app.update(presets(export_presets::Message::Chosen(Named(1, "Streaming master".into()))));
    let steps = app.doc.history().count();
    interact(&mut app, |ui| {
        let _ = ui.click(id(Number::Ceiling.id())).unwrap();
        let _ = ui.typewrite("x");
    });
    assert_eq!(
        mixdesk_engine::deliver::preset::of_session(&app.doc.session)[1].true_peak_ceiling,
        Some(-1.0)
    );
    assert_eq!(app.doc.history().count(), steps, "nothing was changed");
    assert!(shows(
        &app,
        "The true-peak ceiling \"-1x\" is not used: type a number from -70 to 0, or nothing"
    ));
}
