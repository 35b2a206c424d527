//! Simulator tests of what floats over the window and what stays put: notes
//! and errors never move a control, expire or close; the context menu opens at
//! the pointer; an open processor editor leaves the master strip in view and
//! usable; and where no file dialog can open, a typed path does the job.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use iced::mouse::{self, Button};
use iced::{Event, Point, Rectangle, Task, keyboard};
use iced_test::selector::id;
use mixdesk_engine::session::{FadeShape, StripRef, Track};

use super::mixer::strip::control_id;
use super::path_prompt::{self, Ask};
use super::tests::{KICK, fader_db, fixture, interact, move_to, press, release, simulator};
use super::tests_safety::{act, run, shows};
use super::timeline::geometry::{HEADER_WIDTH, Span};
use super::{App, Message, Modal, Page, files, notices};

fn bounds(app: &App, widget: &str) -> Rectangle {
    simulator(app).find(id(widget.to_owned())).unwrap().bounds()
}

#[test]
fn a_note_and_an_error_appear_without_moving_a_control_then_expire_or_close() {
    let (_dir, mut app) = fixture();
    let fader = control_id("fader", KICK);
    let before = bounds(&app, &fader);
    let _ = app.update(Message::Mixer(super::mixer::Message::MuteToggled(KICK)));
    let _ = app.update(Message::Undo);
    assert_eq!(app.note.text(), Some("Undid: kick mute off -> on"));
    app.errors.push("cannot open /nowhere/song.mixdesk: no such file".into());
    assert!(
        shows(&app, "Undid: kick mute off -> on")
            && shows(&app, "cannot open /nowhere/song.mixdesk: no such file")
    );
    let with_messages = bounds(&app, &fader);
    assert_eq!(with_messages, before, "the fader stayed where it was");
    // The timeline's rows too.
    app.page = Page::Timeline;
    let rows_with = bounds(&app, "timeline-rows");
    let (note, errors) = (app.note.text().map(str::to_owned), std::mem::take(&mut app.errors));
    let rows_without = bounds(&app, "timeline-rows");
    assert_eq!(rows_with, rows_without, "the timeline's rows stayed where they were");
    app.errors = errors;
    app.page = Page::Mixer;
    // A click on the fader under the messages' layer still reaches it.
    let c = before.center();
    interact(&mut app, |ui| {
        press(ui, Point::new(c.x, c.y));
        move_to(ui, Point::new(c.x, c.y - 40.0));
        release(ui);
    });
    assert!(fader_db(&app, KICK) > -6.0, "the drag moved the fader: {}", fader_db(&app, KICK));
    assert_eq!(note.as_deref(), Some("Undid: kick mute off -> on"));
    // The error card closes with its ×; the note goes by itself.
    let n = interact(&mut app, |ui| {
        let _ = ui.click("×").unwrap();
    });
    assert_eq!(n, 1);
    assert!(app.errors.is_empty());
    app.note.set("Saved song.mixdesk");
    app.note.expire(Instant::now() + notices::NOTE_LIFETIME - Duration::from_secs(1));
    assert!(shows(&app, "Saved song.mixdesk"), "still shown before its time");
    app.note.expire(Instant::now() + notices::NOTE_LIFETIME + Duration::from_millis(10));
    assert!(!shows(&app, "Saved song.mixdesk"), "gone after its time");
    // ... or closes at once with its ×.
    app.note.set("Saved song.mixdesk");
    interact(&mut app, |ui| {
        let _ = ui.click("×").unwrap();
    });
    assert_eq!(app.note.text(), None);
}

#[test]
fn the_fade_shape_menu_opens_at_the_pointer_and_moves_nothing() {
    let (_dir, mut app) = fixture();
    app.page = Page::Timeline;
    app.timeline.span = Span { spp: 100.0, scroll: 0.0 };
    let rows = bounds(&app, "timeline-rows");
    // The kick clip's left half (it starts at 0 and is 480 px long): its fade-in.
    let at = Point::new(rows.x + HEADER_WIDTH + 100.0, rows.y + 40.0);
    interact(&mut app, |ui| {
        ui.point_at(at);
        let _ = ui.simulate([
            Event::Mouse(mouse::Event::CursorMoved { position: at }),
            Event::Mouse(mouse::Event::ButtonPressed(Button::Right)),
            Event::Mouse(mouse::Event::ButtonReleased(Button::Right)),
        ]);
    });
    assert!(app.timeline.menu.is_some(), "the menu opened");
    assert_eq!(bounds(&app, "timeline-rows"), rows, "the rows did not move");
    let item = simulator(&app).find("Equal power").unwrap().bounds();
    assert!(
        item.x >= at.x && item.x < at.x + 20.0 && item.y >= at.y && item.y < at.y + 80.0,
        "the menu is at the pointer {at:?}: {item:?}"
    );
    interact(&mut app, |ui| {
        let _ = ui.click("Equal power").unwrap();
    });
    assert_eq!(app.doc.session.tracks[0].clips[0].fade_in.shape, FadeShape::EqualPower);
    assert!(app.timeline.menu.is_none(), "choosing closes it");
}

#[test]
fn an_open_editor_leaves_the_master_strip_in_view_and_usable() {
    let (_dir, mut app) = fixture();
    // Twelve more tracks: more strips than fit beside the editor.
    for k in 0..12 {
        let mut t: Track = app.doc.session.tracks[0].clone();
        t.id = mixdesk_engine::session::TrackId(100 + k);
        t.name = format!("t{k}");
        t.clips.clear();
        app.doc.session.tracks.push(t);
    }
    let kind = super::mixer::Kind(mixdesk_engine::dsp::kind("eq").unwrap());
    let _ = app.update(Message::Mixer(super::mixer::Message::InsertAdded(KICK, kind)));
    assert!(app.mixer.editor.is_some(), "the editor is open");
    let master = bounds(&app, &control_id("fader", StripRef::Master));
    let editor = simulator(&app).find("Active").unwrap().bounds();
    assert!(master.x + master.width <= 1600.0, "the master fader is inside the window: {master:?}");
    assert!(master.x > editor.x + editor.width, "the master is beside the editor, not under it: {master:?}");
    let before = fader_db(&app, StripRef::Master);
    let c = master.center();
    interact(&mut app, |ui| {
        press(ui, c);
        move_to(ui, Point::new(c.x, c.y + 60.0));
        release(ui);
    });
    assert!(fader_db(&app, StripRef::Master) < before - 1.0, "the master fader moved down");
}

/// Types over the typed-path field and presses Enter.
pub(super) fn type_path(app: &mut App, path: &str) {
    act(app, |ui| {
        let _ = ui.click(id(path_prompt::FIELD)).unwrap();
        let _ = ui.simulate([Event::Keyboard(keyboard::Event::ModifiersChanged(keyboard::Modifiers::CTRL))]);
        let _ = ui.tap_key(keyboard::Key::Character("a".into()));
        let _ =
            ui.simulate([Event::Keyboard(keyboard::Event::ModifiersChanged(keyboard::Modifiers::empty()))]);
        let _ = ui.typewrite(path);
        let _ = ui.tap_key(keyboard::key::Named::Enter);
    });
}

#[test]
fn with_no_file_dialog_open_save_as_and_import_take_a_typed_path() {
    let (dir, mut app) = fixture();
    app.dialogs = false;
    // Save As: the prompt says why, and the typed path is where it saves.
    let task = app.update(Message::SaveAs);
    run(&mut app, task);
    assert!(matches!(&app.modal, Some(Modal::Path(p)) if p.ask == Ask::SaveAs));
    assert!(shows(&app, path_prompt::NO_DIALOG));
    let copy = dir.path().join("copy.mixdesk");
    type_path(&mut app, &copy.display().to_string());
    assert!(app.modal.is_none(), "{:?}", app.modal);
    assert!(copy.is_file(), "saved where typed");
    assert_eq!(app.doc.path.as_deref(), Some(copy.as_path()));
    // Saved into another folder, the media, reference and impulse-response
    // paths still name the same files.
    app.doc.session.monitor.references = vec![mixdesk_engine::monitor::ReferenceSlot {
        path: "refs/ref.wav".into(),
        integrated_lufs: None,
        max_short_term_lufs: None,
    }];
    app.doc.session.monitor.ir = Some("irs/room.wav".into());
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let _ = app.update(Message::SaveAs);
    type_path(&mut app, &elsewhere.join("moved.mixdesk").display().to_string());
    let s = mixdesk_engine::session::load(&elsewhere.join("moved.mixdesk")).unwrap();
    let m = &s.monitor;
    assert_eq!(m.references[0].path, PathBuf::from("../refs/ref.wav"), "the reference");
    assert_eq!(m.ir, Some(PathBuf::from("../irs/room.wav")), "the impulse response");
    assert_eq!(s.tracks[0].clips[0].media, PathBuf::from("../media/kick.wav"), "the media");
    let _ = app.update(Message::SaveAs);
    type_path(&mut app, &copy.display().to_string());
    // A path that does not exist is refused in words, and the prompt stays.
    let _ = app.update(Message::Open);
    type_path(&mut app, "/nowhere/song.mixdesk");
    assert!(shows(&app, "/nowhere/song.mixdesk is not a file: type the path of a .mixdesk session"));
    // Open: the typed session opens.
    type_path(&mut app, &dir.path().join("song.mixdesk").display().to_string());
    assert!(app.modal.is_none());
    assert_eq!(app.doc.path.as_deref(), Some(dir.path().join("song.mixdesk").as_path()));
    // Import: a typed folder imports every audio file in it, each track in
    // a colour no strip has (here the user had coloured the two tracks with
    // the palette's third and fourth colours, which an import used to reuse).
    app.doc.session.tracks[0].colour = mixdesk_engine::stems::palette(2);
    app.doc.session.tracks[1].colour = mixdesk_engine::stems::palette(3);
    let tracks = app.doc.session.tracks.len();
    let task = app.update(Message::Import);
    run(&mut app, task);
    type_path(&mut app, &dir.path().join("media").display().to_string());
    assert_eq!(app.doc.session.tracks.len(), tracks + 2, "bass.wav and kick.wav became tracks");
    let colours: Vec<_> = mixdesk_engine::stems::strip_colours(&app.doc.session).collect();
    let mut distinct = colours.clone();
    distinct.sort_by_key(|c| (c.0, c.1, c.2));
    distinct.dedup();
    assert_eq!(distinct.len(), colours.len(), "every strip its own colour: {colours:?}");
    // The export's Choose… and the relink's Browse… say it beside their own fields.
    let _ = app.update(Message::ExportOpened);
    let _ = app.update(Message::Export(super::export::Message::Browse));
    assert!(app.export.as_ref().unwrap().no_dialog);
    assert!(shows(&app, &format!("{} {}", path_prompt::NO_DIALOG, path_prompt::INSTALL_HINT)));
    let _ = app.update(Message::RelinkOpened);
    let task = app.update(Message::Relink(super::relink_dialog::Message::Browse));
    run(&mut app, task);
    assert!(matches!(&app.modal, Some(Modal::Relink(d)) if d.no_dialog));
}

#[test]
fn a_dialog_that_answers_nothing_at_once_did_not_open_and_brings_the_typed_path() {
    let (_dir, mut app) = fixture();
    assert!(app.modal.is_none());
    // What rfd does with no portal and no zenity: "nothing chosen" at once.
    let task = files::ask(async { None::<PathBuf> }, Message::OpenChosen, Message::NoDialog(Ask::Open));
    run(&mut app, task);
    assert!(matches!(&app.modal, Some(Modal::Path(p)) if p.ask == Ask::Open), "{:?}", app.modal);
    assert!(!app.dialogs, "later commands go straight to the typed path");
    // A dialog the user cancelled took longer: nothing happens.
    app.modal = None;
    let slow = async {
        std::thread::sleep(files::FAILED_FAST + Duration::from_millis(50));
        None::<PathBuf>
    };
    let task: Task<Message> = files::ask(slow, Message::OpenChosen, Message::NoDialog(Ask::Open));
    run(&mut app, task);
    assert!(app.modal.is_none());
}

#[test]
fn the_engine_is_told_to_stop_at_the_session_end_and_play_from_there_starts_over() {
    let (_dir, mut app) = fixture();
    assert_eq!(app.audio.rate, 48_000);
    // Both fixture clips are one second long from 0.
    assert_eq!(app.audio.end(), Some(48_000));
    // Moving a clip later moves the end with it.
    let bass = app.doc.session.tracks[1].clips[0].id;
    app.timeline.span = Span { spp: 100.0, scroll: 0.0 };
    let _ = app.update(Message::Timeline(super::timeline::Message::ClipDragged(
        super::timeline::rows::Grab::Move,
        bass,
        24_000.0,
        0.0,
        true,
    )));
    let _ = app.update(Message::Timeline(super::timeline::Message::DragEnded));
    assert_eq!(app.doc.session.tracks[1].clips[0].start.0, 24_000);
    assert_eq!(app.audio.end(), Some(72_000));
    // Stopped at the end, Play starts from the top.
    app.audio.seek(72_000);
    let _ = app.update(Message::PlayToggled);
    assert_eq!(app.audio.position, 0);
    let _ = app.update(Message::PlayToggled);
    // The preference: its checkbox in the dialog, and off means no end.
    let _ = app.update(Message::PreferencesOpened);
    interact(&mut app, |ui| {
        let _ = ui.click("Stop at the session's end (unless looping)").unwrap();
    });
    assert!(matches!(&app.modal, Some(Modal::Preferences(d)) if !d.prefs.stop_at_end));
    app.modal = None;
    app.prefs.stop_at_end = false;
    app.audio.set_end(&app.doc.session, app.prefs.stop_at_end);
    assert_eq!(app.audio.end(), None);
}
