//! Adding and deleting tracks and buses in the mixer with real clicks: a new
//! track has a colour no strip has; deleting a strip takes its lanes and
//! everything that names it, as one undo step that undo restores exactly.

use iced_test::selector::id;
use mixdesk_engine::edit::{Edit, SendAt};
use mixdesk_engine::session::{BusId, Lane, Output, ParamId, Send, SendId, StripParam, StripRef};

use super::mixer::strip::control_id;
use super::tests::{KICK, fixture};
use super::tests_safety::{act, assert_engine_follows, run};
use super::{App, Message};

/// Clicks the delete button of strip `r`.
fn delete(app: &mut App, r: StripRef) {
    act(app, |ui| {
        let _ = ui.click(id(control_id("delete", r))).unwrap();
    });
}

#[test]
fn a_new_track_takes_an_unused_colour_and_undo_removes_it() {
    let (_dir, mut app) = fixture();
    act(&mut app, |ui| {
        let _ = ui.click("+ track").unwrap();
    });
    let s = &app.doc.session;
    assert_eq!(s.tracks.len(), 3);
    assert_eq!(s.tracks[2].name, "Track 3");
    assert!(s.tracks[2].clips.is_empty());
    let colours: Vec<_> = mixdesk_engine::stems::strip_colours(s).collect();
    assert!(!colours[..2].contains(&s.tracks[2].colour), "{colours:?}");
    assert!(app.doc.undo_label().is_some_and(|l| l.contains("Track 3")), "{:?}", app.doc.undo_label());
    let _ = app.update(Message::Undo);
    assert_eq!(app.doc.session.tracks.len(), 2);
}

#[test]
fn deleting_a_bus_or_a_track_takes_what_names_it_in_one_undoable_step() {
    let (_dir, mut app) = fixture();
    let task = app.audio.rebuild(&app.doc.session, app.doc.dir()).map(Message::Built);
    run(&mut app, task);
    // The kick sends to the Verb bus and the bass plays into it; the kick's fader is automated.
    let send = Send {
        id: SendId(60),
        target: BusId(10),
        level_db: Default::default(),
        pan: Default::default(),
        pre_fader: false,
    };
    app.doc.apply("s", "send", Edit::Send(send.id, Some(SendAt { strip: KICK, index: 0, send })));
    app.doc.apply(
        "o",
        "output",
        Edit::Output(StripRef::Track(mixdesk_engine::session::TrackId(3)), Output::Bus(BusId(10))),
    );
    let fader = ParamId::Strip(KICK, StripParam::Fader);
    app.doc.apply("l", "lane", Edit::Lane(fader, Some(Lane::new(fader))));
    let before = app.doc.session.clone();
    let steps = app.doc.history().count();

    delete(&mut app, StripRef::Bus(BusId(10)));
    let s = &app.doc.session;
    assert!(s.buses.is_empty());
    assert!(s.tracks[0].strip.sends.is_empty(), "the send to it went");
    assert_eq!(s.tracks[1].output, Output::Master, "the bass plays into the master now");
    assert!(mixdesk_engine::session::validate(s).is_ok());
    assert_eq!(app.doc.history().count(), steps + 1, "one step");

    delete(&mut app, KICK);
    let s = &app.doc.session;
    assert_eq!(s.tracks.len(), 1);
    assert!(s.automation.is_empty(), "its fader lane went with it");
    assert!(mixdesk_engine::session::validate(s).is_ok());

    // Undo brings back everything, exactly, and the engine plays it.
    let _ = app.update(Message::Undo);
    let task = app.update(Message::Undo);
    run(&mut app, task);
    assert_eq!(app.doc.session, before);
    assert_engine_follows(&app);
}
