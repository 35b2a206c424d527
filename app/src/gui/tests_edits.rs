//! Simulator tests for typed edits and the control plane as the window uses
//! them: a drag is edits applied to the session and written into the
//! engine's parameter slots as they happen (no session copies, no rebuilds),
//! undo replays the inverse the same way, and a value moved while a new graph
//! compiles is not lost when the graph arrives.

use iced::Point;
use mixdesk_engine::edit::Edit;
use mixdesk_engine::session::{ParamId, StripParam};

use super::document::Outbox;
use super::tests::{KICK, fader_cap, fader_db, fixture, move_to, press, release};
use super::tests_safety::{act, assert_engine_follows, run};
use super::{App, Message, mixer};

const FADER: ParamId = ParamId::Strip(KICK, StripParam::Fader);

/// The fixture with its first graph compiled and installed.
fn booted() -> (tempfile::TempDir, App) {
    let (dir, mut app) = fixture();
    let task = app.audio.rebuild(&app.doc.session, app.doc.dir()).map(Message::Built);
    run(&mut app, task);
    assert_engine_follows(&app);
    (dir, app)
}

#[test]
fn a_fader_drag_is_typed_edits_heard_at_once_and_undo_replays_the_inverse() {
    let (_dir, mut app) = booted();
    let builds = app.audio.builds();
    let (cap, b) = fader_cap(&app, KICK);
    // A long drag: every move is one edit, heard by the engine as it happens.
    act(&mut app, |ui| {
        press(ui, cap);
        for k in 1..=60 {
            move_to(ui, Point::new(cap.x, cap.y - (b.height - 20.0) * 0.2 * k as f32 / 60.0));
        }
        release(ui);
    });
    let dragged = fader_db(&app, KICK);
    assert!(dragged > -6.0 + 5.0, "dragged up: {dragged}");
    assert_eq!(app.audio.heard(FADER), Some(dragged), "the engine's slot holds the newest value");
    assert_eq!(app.audio.builds(), builds, "no graph was compiled for a value");
    assert_eq!(app.doc.take_outbox(), Outbox::default(), "everything was handed on");
    assert_eq!(app.doc.history().count(), 1, "one drag, one step");
    // Undo is the step's inverse, sent the same way: no rebuild either.
    let _ = app.update(Message::Undo);
    assert_eq!(fader_db(&app, KICK), -6.0);
    assert_eq!(app.audio.heard(FADER), Some(-6.0));
    let _ = app.update(Message::Redo);
    assert_eq!(app.audio.heard(FADER), Some(dragged));
    assert_eq!(app.audio.builds(), builds);
    assert_engine_follows(&app);
}

#[test]
fn a_move_is_one_edit_and_a_rename_reaches_nothing_but_the_document() {
    let (_dir, mut app) = booted();
    let builds = app.audio.builds();
    app.doc.gesture_edits("k", "kick fader", vec![Edit::Param(FADER, -3.0)]);
    let out = app.doc.take_outbox();
    assert_eq!(out, Outbox { edits: vec![Edit::Param(FADER, -3.0)], untyped: false, rebuild: false });
    app.doc.end_gesture();
    let _ = app.update(Message::Mixer(mixer::Message::Renamed(KICK, "Kick In".into())));
    assert_eq!(app.doc.session.tracks[0].name, "Kick In");
    assert_eq!(app.audio.builds(), builds, "a name is not heard");
    let _ = app.update(Message::Mixer(mixer::Message::InsertAdded(
        KICK,
        mixer::Kind(mixdesk_engine::dsp::kind("eq").unwrap()),
    )));
    assert_eq!(app.audio.builds(), builds + 1, "an insert changes the graph's shape");
}

#[test]
fn a_fader_moved_while_the_graph_compiles_is_not_lost() {
    let (_dir, mut app) = booted();
    // Add an insert: a graph build starts (its task not run yet) from the session as it is now.
    let eq = mixer::Kind(mixdesk_engine::dsp::kind("eq").unwrap());
    let build = app.update(Message::Mixer(mixer::Message::InsertAdded(KICK, eq)));
    // The fader moves while it compiles; the old graph hears it.
    let _ =
        app.update(Message::Mixer(mixer::Message::Fader(KICK, super::widget::ControlEvent::Moved(-20.0))));
    let _ = app.update(Message::Mixer(mixer::Message::Fader(KICK, super::widget::ControlEvent::Released)));
    assert_eq!(fader_db(&app, KICK), -20.0);
    // The graph compiled before the move arrives: it must play -20 dB, not -6 dB.
    run(&mut app, build);
    assert_eq!(app.audio.heard(FADER), Some(-20.0), "the new graph plays the value moved while it compiled");
    assert_engine_follows(&app);
    assert_eq!(app.doc.session.tracks[0].strip.processors.len(), 1);
}
