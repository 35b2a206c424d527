//! Folders with real clicks: the selected tracks put in a folder from the ⋯
//! menu (gathered together), collapsed and opened from the mixer's tab and
//! the timeline's folder row, a summing folder that routes its tracks into
//! a new bus (and bounces as before), dissolving, and a deleted track
//! leaving its folder. Each is one undo step.

use iced::keyboard::Modifiers;
use iced_test::selector::id;
use mixdesk_engine::session::{Output, StripRef, TrackId};

use super::mixer::folders::folder_id;
use super::mixer::strip::control_id;
use super::tests::{KICK, simulator};
use super::tests_groups::{MENU_ITEM, click_strip, pick};
use super::tests_safety::{act, assert_engine_follows, run};
use super::timeline::geometry::RowKind;
use super::{App, Message, Page};

const BASS: StripRef = StripRef::Track(TrackId(3));

fn visible(app: &App, what: &str) -> bool {
    simulator(app).find(id(what.to_owned())).is_ok()
}

/// Selects the kick and the bass and picks entry `entry` of the kick's menu
/// (4: a folder, 5: a summing folder).
fn fold_kick_and_bass(app: &mut App, entry: usize) {
    click_strip(app, KICK, Modifiers::empty());
    click_strip(app, BASS, Modifiers::CTRL);
    pick(app, &control_id("menu", KICK), entry, MENU_ITEM);
    assert_eq!(app.doc.session.folders.len(), 1, "{:?}", app.doc.undo_label());
}

fn bounce(app: &App, dir: &std::path::Path) -> [Vec<f32>; 2] {
    super::tests_groups::bounced(app, dir, 8192)
}

#[test]
fn a_folder_gathers_the_selected_tracks_and_collapses_in_the_mixer_and_the_timeline() {
    let (_dir, mut app) = super::tests::fixture();
    let before = app.doc.session.clone();
    let steps = app.doc.history().count();
    fold_kick_and_bass(&mut app, 4);
    let f = app.doc.session.folders[0].clone();
    assert_eq!(f.tracks, [TrackId(1), TrackId(3)]);
    assert_eq!((f.collapsed, f.bus), (false, None));
    assert_eq!(app.doc.history().count(), steps + 1, "one step");
    assert!(visible(&app, &folder_id("toggle", f.id)), "the folder's tab shows in the mixer");

    // Collapse from the mixer's tab: the tracks' strips and rows go.
    act(&mut app, |ui| {
        let _ = ui.click(id(folder_id("toggle", f.id))).unwrap();
    });
    assert!(app.doc.session.folders[0].collapsed);
    assert!(!visible(&app, &control_id("fader", KICK)) && !visible(&app, &control_id("fader", BASS)));
    assert!(visible(&app, &control_id("fader", StripRef::Bus(mixdesk_engine::session::BusId(10)))));
    let rows = app.timeline.rows(&app.doc.session);
    assert_eq!(
        rows.iter().map(|r| r.kind).collect::<Vec<_>>(),
        [RowKind::Folder(0)],
        "the timeline shows the folder alone"
    );

    // Open it again from the timeline's folder row.
    app.page = Page::Timeline;
    act(&mut app, |ui| {
        let _ = ui.click(id(folder_id("toggle", f.id))).unwrap();
    });
    assert!(!app.doc.session.folders[0].collapsed);
    let kinds: Vec<RowKind> = app.timeline.rows(&app.doc.session).iter().map(|r| r.kind).collect();
    assert_eq!(kinds[..3], [RowKind::Folder(0), RowKind::Track(0), RowKind::Track(1)]);
    app.page = Page::Mixer;

    // A deleted track leaves its folder in the same step.
    act(&mut app, |ui| {
        let _ = ui.click(id(control_id("delete", BASS))).unwrap();
    });
    assert_eq!(app.doc.session.folders[0].tracks, [TrackId(1)]);
    assert!(mixdesk_engine::session::validate(&app.doc.session).is_ok());

    for _ in 0..3 {
        let _ = app.update(Message::Undo);
    }
    let task = app.update(Message::Undo);
    run(&mut app, task);
    assert_eq!(app.doc.session, before, "undo takes it all back");
}

#[test]
fn a_summing_folder_routes_its_tracks_into_a_new_bus_and_the_mix_is_unchanged() {
    let (dir, mut app) = super::tests::fixture();
    app.doc.apply("o", "bass to master", mixdesk_engine::edit::Edit::Output(BASS, Output::Master));
    let task = app.audio.rebuild(&app.doc.session, app.doc.dir()).map(Message::Built);
    run(&mut app, task);
    let dry = bounce(&app, dir.path());
    fold_kick_and_bass(&mut app, 5);
    let s = &app.doc.session;
    let f = &s.folders[0];
    let bus = f.bus.expect("a summing folder has a bus");
    assert_eq!(s.bus(bus).map(|b| b.name.as_str()), Some("Folder 1"));
    for t in [TrackId(1), TrackId(3)] {
        assert_eq!(s.track(t).unwrap().output, Output::Bus(bus), "track {t} plays into the folder's bus");
    }
    let fid = f.id;
    // The output and send lists name the folder's bus as the folder's.
    let b = app.doc.session.bus(bus).unwrap();
    assert_eq!(super::mixer::folders::routing_name(&app.doc.session, b), "Folder 1 (folder)");
    assert_engine_follows(&app);
    // Through a bus at unity the mix is what it was.
    let summed = bounce(&app, dir.path());
    let worst =
        (0..2).flat_map(|c| dry[c].iter().zip(&summed[c]).map(|(a, b)| (a - b).abs())).fold(0.0f32, f32::max);
    let peak = dry[0].iter().fold(0.0f32, |m, x| m.max(x.abs()));
    assert!(peak > 0.01 && worst < 1e-6, "through the folder's bus the mix moved by {worst} (peak {peak})");

    // Dissolving keeps the tracks and their routing.
    act(&mut app, |ui| {
        let _ = ui.click(id(folder_id("dissolve", fid))).unwrap();
    });
    assert!(app.doc.session.folders.is_empty());
    assert_eq!(app.doc.session.track(TrackId(1)).unwrap().output, Output::Bus(bus));
}

#[test]
fn the_tracks_of_a_new_folder_are_gathered_after_the_first_of_them() {
    let (_dir, mut app) = super::tests::fixture();
    let _ = app.update(Message::Mixer(super::mixer::Message::TrackAdded));
    let added = StripRef::Track(app.doc.session.tracks[2].id);
    click_strip(&mut app, KICK, Modifiers::empty());
    click_strip(&mut app, added, Modifiers::CTRL);
    pick(&mut app, &control_id("menu", KICK), 4, MENU_ITEM);
    let order: Vec<StripRef> = app.doc.session.tracks.iter().map(|t| StripRef::Track(t.id)).collect();
    assert_eq!(order, [KICK, added, BASS], "{:?}", app.doc.undo_label());
    let _ = app.update(Message::Undo);
    let order: Vec<StripRef> = app.doc.session.tracks.iter().map(|t| StripRef::Track(t.id)).collect();
    assert_eq!(order, [KICK, BASS, added], "one undo puts them back");
}

#[test]
fn a_session_template_keeps_the_setup_and_a_new_session_starts_from_it() {
    let (dir, mut app) = super::tests::fixture();
    fold_kick_and_bass(&mut app, 4);
    let templates = dir.path().join("config").join("session-templates");
    app.templates = super::session_panel::Templates::in_dir(Some(templates.clone()));
    let _ = app.update(Message::PanelToggled(super::side::Tab::Session));
    act(&mut app, |ui| {
        let _ = ui.click(id(super::session_panel::SAVE_TEMPLATE)).unwrap();
    });
    let file = templates.join("song.mixdesk");
    assert!(file.is_file(), "{:?} {:?}", app.errors, std::fs::read_dir(dir.path()).map(|d| d.count()));
    assert_eq!(app.templates.list.len(), 1);
    assert!(visible(&app, super::session_panel::NEW_FROM), "the New-from-template list shows");

    // "New session from template" (its only entry), then where to create it.
    let _ = app
        .update(Message::SessionPanel(super::session_panel::Message::NewFrom(app.templates.list[0].clone())));
    let path = dir.path().join("second.mixdesk");
    let task = app.update(Message::NewChosen(Some(path.clone())));
    run(&mut app, task);
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    let s = &app.doc.session;
    assert_eq!(app.doc.path.as_deref(), Some(path.as_path()));
    assert_eq!(s.tracks.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["kick", "bass"]);
    assert!(s.tracks.iter().all(|t| t.clips.is_empty()), "a template has no recordings");
    assert_eq!((s.buses.len(), s.folders.len()), (1, 1), "buses and folders come along");
    // A plain New afterwards starts empty again.
    let task = app.update(Message::NewChosen(Some(dir.path().join("third.mixdesk"))));
    run(&mut app, task);
    assert!(app.doc.session.tracks.is_empty());
}

#[test]
fn mono_adds_a_mono_track_in_one_step() {
    let (_dir, mut app) = super::tests::fixture();
    let before = app.doc.session.clone();
    act(&mut app, |ui| {
        let _ = ui.click(id(super::mixer::strip::MONO_ADD_ID)).unwrap();
    });
    let t = app.doc.session.tracks.last().unwrap();
    assert_eq!(t.layout, mixdesk_engine::session::Layout::Mono, "{:?}", app.doc.undo_label());
    let _ = app.update(Message::Undo);
    assert_eq!(app.doc.session, before);
}
