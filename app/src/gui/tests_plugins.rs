//! Hosted plugins in the window, with real clicks: the "+ insert" list
//! offers the installed LV2 plugins by category, choosing one adds it and
//! opens its generic editor, and moving its control is an edit the engine
//! hears; a plugin whose latency follows a parameter moved in its editor is
//! compensated by a graph compiled at the next tick. Needs `lv2-examples`
//! and `x42-plugins` (packaging/setup.sh --test).

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

const NODELAY: &str = "lv2:http://gareus.org/oss/lv2/nodelay";

/// Polls the engine for up to two seconds until it reports a changed latency.
fn wait_for_latency_report(app: &mut App) -> bool {
    for _ in 0..200 {
        app.audio.poll();
        if app.audio.latency_changed {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    false
}

/// The fixture with x42's nodelay on the kick at 64 samples, reporting them
/// as its latency.
fn with_nodelay() -> (tempfile::TempDir, App, mixdesk_engine::session::ProcessorId) {
    assert!(mixdesk_engine::plugins::hosted(NODELAY).is_some(), "{NODELAY}: packaging/setup.sh --test");
    let (dir, mut app) = fixture();
    let id = app.doc.session.add_processor(KICK, NODELAY, usize::MAX).unwrap();
    let p = app.doc.session.processor_mut(id).unwrap();
    p.params.insert("delay".into(), 64.0);
    p.params.insert("report_latency".into(), 1.0);
    (dir, app, id)
}

#[test]
fn a_plugin_latency_moved_in_its_editor_is_compensated_by_a_new_graph() {
    let (_dir, mut app, id) = with_nodelay();
    let task = app.audio.rebuild(&app.doc.session, app.doc.dir()).map(Message::Built);
    run(&mut app, task);
    assert!(!wait_for_latency_report(&mut app), "a graph built at 64 samples compensates them");
    let delay = app.doc.session.processor_param(id, "delay").unwrap();
    // Twice: the engine reports once per graph, so the second report shows
    // that the first tick installed a new graph.
    for samples in [1000.0, 500.0] {
        // The editor moves the delay: a plugin parameter, heard live, no rebuild asked.
        for m in [super::editor::Message::ParamChanged(delay, samples), super::editor::Message::ParamReleased]
        {
            let task = app.update(Message::Editor(m));
            run(&mut app, task);
        }
        assert_eq!(app.doc.session.param_value(delay), Some(samples));
        assert!(wait_for_latency_report(&mut app), "{samples}: the engine reports the plugin's new latency");
        // The next tick compiles a graph that compensates it: no further report.
        let task = app.update(Message::Tick);
        run(&mut app, task);
        assert!(!app.audio.latency_changed, "{samples}: the tick took the report");
        assert!(!wait_for_latency_report(&mut app), "{samples}: the new graph compensates the new latency");
        assert_engine_follows(&app);
    }
}

#[test]
fn an_automated_latency_is_answered_with_one_graph_not_one_per_tick() {
    let (_dir, mut app, id) = with_nodelay();
    // A lane holds the delay at 1000 samples: playing moves the plugin's
    // latency away from the session's value, which a graph cannot follow.
    let delay = app.doc.session.processor_param(id, "delay").unwrap();
    let mut lane = mixdesk_engine::session::Lane::new(delay);
    lane.points.push(mixdesk_engine::session::Point { time: 0, value: 1000.0, shape: Default::default() });
    app.doc.apply("l", "lane", mixdesk_engine::edit::Edit::Lane(delay, Some(lane)));
    let task = app.audio.rebuild(&app.doc.session, app.doc.dir()).map(Message::Built);
    run(&mut app, task);
    app.audio.play();
    let mut rebuilds = 0;
    for _ in 0..60 {
        std::thread::sleep(std::time::Duration::from_millis(25));
        app.audio.poll();
        rebuilds += usize::from(app.audio.latency_changed);
        let task = app.update(Message::Tick);
        run(&mut app, task);
    }
    app.audio.stop();
    assert_eq!(rebuilds, 1, "one graph for the first report, none for the automation's repeats");
}
