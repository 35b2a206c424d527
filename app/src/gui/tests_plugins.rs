//! Hosted plugins in the window, with real clicks: the "+ insert" list
//! offers the installed LV2 plugins by category, choosing one adds it and
//! opens its generic editor, and moving its control is an edit the engine
//! hears. Needs `lv2-examples` (packaging/setup.sh --test).

use iced::Point;
use mixdesk_engine::session::ParamId;

use super::mixer::strip::control_id;
use super::tests::{KICK, fixture, interact, press, release, simulator};
use super::tests_safety::{assert_engine_follows, run};
use super::{App, Message};

const EG_AMP: &str = "lv2:http://lv2plug.in/plugins/eg-amp";

fn booted() -> (tempfile::TempDir, App) {
    let (dir, mut app) = fixture();
    let task = app.audio.rebuild(&app.doc.session, app.doc.dir()).map(Message::Built);
    run(&mut app, task);
    (dir, app)
}

#[test]
fn the_insert_list_offers_installed_plugins_and_their_editor_drives_the_engine() {
    let listed = super::mixer::plugins::wait();
    assert!(listed.iter().any(|k| k.kind == EG_AMP), "eg-amp is installed (packaging/setup.sh --test)");
    let (_dir, mut app) = booted();
    // The list: the built-ins, then the plugins by category and name.
    let kinds: Vec<String> = mixdesk_engine::dsp::kinds()
        .iter()
        .chain(listed.iter().copied())
        .map(super::mixer::plugins::label)
        .collect();
    let index = kinds.iter().position(|k| k == "Amplifier: Simple Amplifier").expect("listed by category");
    interact(&mut app, |ui| {
        let list = ui.click(iced_test::selector::id(control_id("insert-add", KICK))).unwrap().bounds();
        // The menu opens under the list, one entry per line (11 px text, 2 px padding).
        let entry = 11.0 * 1.3 + 4.0;
        let at = Point::new(list.center_x(), list.y + list.height + entry * (index as f32 + 0.5));
        press(ui, at);
        release(ui);
    });
    let strip = &app.doc.session.tracks[0].strip;
    assert_eq!(strip.processors.len(), 1, "one insert added");
    assert_eq!(strip.processors[0].kind, EG_AMP);
    let pid = strip.processors[0].id;
    assert_eq!(app.mixer.editor, Some(pid), "its editor opens");
    let task = app.audio.rebuild(&app.doc.session, app.doc.dir()).map(Message::Built);
    run(&mut app, task);
    // The generic editor shows the plugin's one control, by its port name.
    assert!(simulator(&app).find("Gain").is_ok(), "the editor shows the Gain control");
    // Drag along its slider: the session and the engine follow.
    let gain = ParamId::Processor(pid, 0);
    let before = app.doc.session.param_value(gain).unwrap();
    let label = simulator(&app).find("Gain").unwrap().bounds();
    let at = Point::new(label.x + 190.0 + 8.0 + 40.0, label.center_y());
    interact(&mut app, |ui| {
        press(ui, at);
        release(ui);
    });
    let after = app.doc.session.param_value(gain).unwrap();
    assert!(after != before, "the slider moved the gain: {before} -> {after}");
    assert_eq!(app.audio.heard(gain), Some(after), "the engine's slot holds the new value");
    assert_engine_follows(&app);
    // Its parameter is offered to the track's automation lanes like a built-in's.
    let track = app.doc.session.tracks[0].id;
    let lanes = super::timeline::geometry::automatable(&app.doc.session, track);
    assert!(
        lanes.iter().any(|(p, name)| *p == gain && name == "Simple Amplifier: Gain"),
        "the lane menu offers the plugin's gain: {lanes:?}"
    );
}
