//! Simulator tests: the real view, real mouse and keyboard events (iced_test),
//! the messages they produce fed back into `App::update`, and the resulting
//! document, engine traffic and undo history checked.

use std::path::PathBuf;

use iced::mouse::{self, Button};
use iced::{Event, Point, Settings, keyboard};
use iced_test::Simulator;
use iced_test::selector::id;
use mixdesk_engine::session::{
    self, Bus, BusId, Output, ParamId, Session, Strip, StripParam, StripRef, Track, TrackId,
};
use mixdesk_engine::units::{Decibels, SampleTime};

use super::mixer::strip::control_id;
use super::prefs::Preferences;
use super::widget::fader;
use super::{App, Launch, Message, theme};

pub(super) const RATE: u32 = 48_000;
pub(super) const KICK: StripRef = StripRef::Track(TrackId(1));

/// A session folder with two short tracks and a bus, and the app booted on it
/// with a silent engine, showing the mixer.
pub(super) fn fixture() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("media")).unwrap();
    let mut s = Session::new(RATE);
    for (i, name) in ["kick", "bass"].iter().enumerate() {
        let path = dir.path().join("media").join(format!("{name}.wav"));
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&path, spec).unwrap();
        for n in 0..RATE {
            w.write_sample(((n as f32 * 0.05 * (i + 1) as f32).sin() * 8000.0) as i16).unwrap();
        }
        w.finalize().unwrap();
        let mut t = Track::with_one_clip(
            1 + 2 * i as u32,
            *name,
            PathBuf::from(format!("media/{name}.wav")),
            SampleTime(u64::from(RATE)),
        );
        t.strip.fader_db = Decibels(-6.0);
        s.tracks.push(t);
    }
    s.buses.push(Bus {
        id: BusId(10),
        name: "Verb".into(),
        colour: Default::default(),
        comment: String::new(),
        strip: Strip::default(),
        output: Output::Master,
        vca: None,
    });
    let path = dir.path().join("song.mixdesk");
    session::save(&s, &path).unwrap();
    let (mut app, _task) =
        App::boot(Launch { session: Some(path), null_output: true, prefs: Some(Preferences::default()) });
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    // These tests are about the mixer; the timeline's are in tests_timeline.rs.
    app.page = super::Page::Mixer;
    (dir, app)
}

pub(super) fn simulator(app: &App) -> Simulator<'_, Message> {
    let settings =
        Settings { fonts: vec![theme::FONT_BYTES.into()], default_font: theme::FONT, ..Settings::default() };
    Simulator::with_size(settings, (1600.0, 1000.0), app.view())
}

/// Runs `gesture` on a simulator of the app's current view, then feeds the messages back.
pub(super) fn interact(app: &mut App, gesture: impl FnOnce(&mut Simulator<'_, Message>)) -> usize {
    let messages: Vec<Message> = {
        let mut ui = simulator(app);
        gesture(&mut ui);
        ui.into_messages().collect()
    };
    let n = messages.len();
    for m in messages {
        let _ = app.update(m);
    }
    n
}

pub(super) fn press(ui: &mut Simulator<'_, Message>, at: Point) {
    ui.point_at(at);
    let _ = ui.simulate([
        Event::Mouse(mouse::Event::CursorMoved { position: at }),
        Event::Mouse(mouse::Event::ButtonPressed(Button::Left)),
    ]);
}

pub(super) fn move_to(ui: &mut Simulator<'_, Message>, at: Point) {
    ui.point_at(at);
    let _ = ui.simulate([Event::Mouse(mouse::Event::CursorMoved { position: at })]);
}

pub(super) fn release(ui: &mut Simulator<'_, Message>) {
    let _ = ui.simulate([Event::Mouse(mouse::Event::ButtonReleased(Button::Left))]);
}

pub(super) fn fader_db(app: &App, r: StripRef) -> f64 {
    app.doc.session.param_value(ParamId::Strip(r, StripParam::Fader)).unwrap()
}

/// Where the fader cap of `r` is on screen, and the fader's bounds.
pub(super) fn fader_cap(app: &App, r: StripRef) -> (Point, iced::Rectangle) {
    let mut ui = simulator(app);
    let b = ui.find(id(control_id("fader", r))).unwrap().bounds();
    let travel = b.height - 20.0;
    let y = b.y + 10.0 + travel * (1.0 - fader::position(fader_db(app, r)) as f32);
    (Point::new(b.x + b.width * 0.62, y), b)
}

#[test]
fn dragging_a_fader_moves_the_gain_sends_it_and_is_one_undo_step() {
    let (_dir, mut app) = fixture();
    let (cap, b) = fader_cap(&app, KICK);
    let sent = app.audio.commands_sent;
    let travel = f64::from(b.height - 20.0);
    // Drag up by a tenth of the travel, in three moves.
    interact(&mut app, |ui| {
        press(ui, cap);
        for k in 1..=3 {
            move_to(ui, Point::new(cap.x, cap.y - (b.height - 20.0) * 0.1 * k as f32 / 3.0));
        }
        release(ui);
    });
    // -6 dB sits on the taper's -10..0 dB segment (0.55..0.8 of the travel, 40 dB per unit):
    // a tenth of the travel up is +4 dB.
    let expected = -6.0 + 0.1 * 40.0;
    assert!(
        (fader_db(&app, KICK) - expected).abs() < 0.05 * 40.0 / travel + 1e-6 + 0.02,
        "{}",
        fader_db(&app, KICK)
    );
    assert!(app.audio.commands_sent >= sent + 3, "each move is sent to the engine");
    assert_eq!(app.doc.history().count(), 1, "one drag, one step");
    assert!(app.doc.undo_label().unwrap().starts_with("kick fader -6.0 dB ->"), "{:?}", app.doc.undo_label());
    assert!(app.title().starts_with('*'), "unsaved mark: {}", app.title());
    let _ = app.update(Message::Undo);
    assert_eq!(fader_db(&app, KICK), -6.0);
    let _ = app.update(Message::Redo);
    assert!((fader_db(&app, KICK) - expected).abs() < 0.1);
}

#[test]
fn shift_drag_is_ten_times_finer_and_double_click_resets_to_unity() {
    let (_dir, mut app) = fixture();
    let (cap, b) = fader_cap(&app, KICK);
    interact(&mut app, |ui| {
        let _ = ui.simulate([Event::Keyboard(keyboard::Event::ModifiersChanged(keyboard::Modifiers::SHIFT))]);
        press(ui, cap);
        move_to(ui, Point::new(cap.x, cap.y - (b.height - 20.0) * 0.1));
        release(ui);
    });
    // A tenth of the travel with Shift is a hundredth: 0.4 dB on this segment.
    assert!((fader_db(&app, KICK) - (-5.6)).abs() < 0.05, "{}", fader_db(&app, KICK));
    let (cap, _) = fader_cap(&app, KICK);
    interact(&mut app, |ui| {
        press(ui, cap);
        release(ui);
        press(ui, cap);
        release(ui);
    });
    assert_eq!(fader_db(&app, KICK), 0.0);
}

#[test]
fn typing_a_fader_value_sets_it_in_one_step() {
    let (_dir, mut app) = fixture();
    interact(&mut app, |ui| {
        let _ = ui.click(id(control_id("fader-value", KICK))).unwrap();
        // Select what is there and type over it.
        let _ = ui.simulate([Event::Keyboard(keyboard::Event::ModifiersChanged(keyboard::Modifiers::CTRL))]);
        let _ = ui.tap_key(keyboard::Key::Character("a".into()));
        let _ =
            ui.simulate([Event::Keyboard(keyboard::Event::ModifiersChanged(keyboard::Modifiers::empty()))]);
        let _ = ui.typewrite("-4.5");
        let _ = ui.tap_key(keyboard::key::Named::Enter);
    });
    assert_eq!(fader_db(&app, KICK), -4.5);
    assert_eq!(app.doc.history().count(), 1);
}

#[test]
fn mute_and_solo_buttons_toggle_the_first_strip_and_undo_restores() {
    let (_dir, mut app) = fixture();
    interact(&mut app, |ui| {
        let _ = ui.click("M").unwrap();
    });
    assert!(app.doc.session.tracks[0].strip.mute);
    interact(&mut app, |ui| {
        let _ = ui.click("S").unwrap();
    });
    assert!(app.doc.session.tracks[0].strip.solo);
    // The engine's history names each step from what changed, both states included.
    assert_eq!(app.doc.history().collect::<Vec<_>>(), ["kick mute off -> on", "kick solo off -> on"]);
    let _ = app.update(Message::Undo);
    let _ = app.update(Message::Undo);
    assert!(!app.doc.session.tracks[0].strip.mute && !app.doc.session.tracks[0].strip.solo);
    // Keyboard: select the strip, then M.
    let _ = app.update(Message::Mixer(super::mixer::Message::Selected(KICK)));
    interact(&mut app, |ui| {
        let _ = ui.tap_key(keyboard::Key::Character("m".into()));
    });
    // Keys reach the app through its subscription, not the view: route the shortcut as it would.
    let m =
        super::keys::shortcut(&keyboard::Key::Character("m".into()), keyboard::Modifiers::empty()).unwrap();
    let _ = app.update(m);
    assert!(app.doc.session.tracks[0].strip.mute);
}

#[test]
fn adding_an_eq_and_dragging_a_band_handle_shapes_the_curve() {
    let (_dir, mut app) = fixture();
    interact(&mut app, |ui| {
        let list = ui.click(id(control_id("insert-add", KICK))).unwrap().bounds();
        // The menu opens under the list; EQ is its first entry.
        let first = Point::new(list.center_x(), list.y + list.height + 6.0);
        press(ui, first);
        release(ui);
    });
    let strip = &app.doc.session.tracks[0].strip;
    assert_eq!(strip.processors.len(), 1, "one EQ added");
    assert_eq!(strip.processors[0].kind, "eq");
    let pid = strip.processors[0].id;
    assert_eq!(app.mixer.editor, Some(pid), "its editor opens");
    let spec = mixdesk_engine::dsp::kind("eq").unwrap();
    let values = spec.values(&strip.processors[0]);
    let band = super::editor::Band::Peak(1);
    let base = band.base();
    let (f0, g0) = (values[base + 1], values[base + 2]);
    // Where the band's handle is, from the chart's bounds.
    let chart = simulator(&app).find(id("eq-curve")).unwrap().bounds();
    let local = super::editor::eq::handle_position(&values, band, chart.size());
    let area = super::editor::eq::plot_area(chart.size());
    let start = Point::new(chart.x + local.x, chart.y + local.y);
    let (dx, dy) = (area.width / 6.0, -area.height / 8.0);
    interact(&mut app, |ui| {
        press(ui, start);
        move_to(ui, Point::new(start.x + dx, start.y + dy));
        release(ui);
    });
    let values = spec.values(app.doc.session.processor(pid).unwrap());
    // The x axis spans three decades: a sixth of its width is half a decade.
    let f_expected = f0 * 10f64.powf(0.5);
    // The y axis spans 48 dB: an eighth of its height up is +6 dB.
    let g_expected = g0 + 6.0;
    assert!((values[base + 1] / f_expected - 1.0).abs() < 0.01, "{} vs {f_expected}", values[base + 1]);
    assert!((values[base + 2] - g_expected).abs() < 0.2, "{} vs {g_expected}", values[base + 2]);
    let history: Vec<_> = app.doc.history().collect();
    assert_eq!(history.len(), 2, "add and drag: {history:?}");
    // The curve the editor draws is the processor's: +6 dB band 2 peaks near its frequency.
    let peak = mixdesk_engine::dsp::eq::magnitude_db(&values, f64::from(RATE), values[base + 1]);
    assert!((peak - values[base + 2]).abs() < 0.5, "{peak}");
    let _ = app.update(Message::Undo);
    let values = spec.values(app.doc.session.processor(pid).unwrap());
    assert_eq!((values[base + 1], values[base + 2]), (f0, g0));
}

#[test]
fn a_routing_loop_is_refused_with_a_message_and_nothing_changes() {
    let (_dir, mut app) = fixture();
    let verb = StripRef::Bus(BusId(10));
    // Send the kick to the bus, then try to route the bus into ... itself via the kick: not
    // possible from the list, so make the bus send to a second bus that outputs to the first.
    let _ = app.update(Message::Mixer(super::mixer::Message::BusAdded));
    let second = app.doc.session.buses[1].id;
    let _ = app.update(Message::Mixer(super::mixer::Message::OutputChosen(
        verb,
        super::mixer::OutputChoice { output: Output::Bus(second), name: "Bus 2".into() },
    )));
    assert_eq!(app.doc.session.buses[0].output, Output::Bus(second));
    let before = app.doc.session.clone();
    let _ = app.update(Message::Mixer(super::mixer::Message::OutputChosen(
        StripRef::Bus(second),
        super::mixer::OutputChoice { output: Output::Bus(BusId(10)), name: "Verb".into() },
    )));
    assert_eq!(app.doc.session, before, "the loop was not made");
    assert!(app.errors.iter().any(|e| e.contains("loop")), "{:?}", app.errors);
}

#[test]
fn closing_with_unsaved_changes_asks_first() {
    let (_dir, mut app) = fixture();
    let _ = app.update(Message::Mixer(super::mixer::Message::MuteToggled(KICK)));
    let _ = app.update(Message::CloseRequested(iced::window::Id::unique()));
    assert!(matches!(app.modal, Some(super::Modal::Unsaved(super::After::Close(_)))));
    let n = interact(&mut app, |ui| {
        let _ = ui.click("Cancel").unwrap();
    });
    assert_eq!(n, 1);
    assert!(app.modal.is_none());
    let _ = app.update(Message::Save);
    assert!(!app.doc.is_dirty());
    let saved = session::load(app.doc.path.as_ref().unwrap()).unwrap();
    assert!(saved.tracks[0].strip.mute, "the save holds the edit");
}

#[test]
fn dragging_the_pan_knob_pans_by_the_dragged_fraction_of_its_travel() {
    let (_dir, mut app) = fixture();
    let knob = simulator(&app).find(id(control_id("pan", KICK))).unwrap().bounds();
    let c = knob.center();
    interact(&mut app, |ui| {
        press(ui, c);
        // 150 px of travel spans the whole range (-1..1): 30 px up is +0.4 (R40).
        move_to(ui, Point::new(c.x, c.y - 30.0));
        release(ui);
    });
    let pan = app.doc.session.param_value(ParamId::Strip(KICK, StripParam::Pan)).unwrap();
    assert!((pan - 0.4).abs() < 1e-6, "{pan}");
    assert_eq!(app.doc.undo_label(), Some("kick pan C -> R40"));
}

#[test]
fn the_window_id_is_the_installed_desktop_entrys_name() {
    assert_eq!(super::window_settings().platform_specific.application_id, super::APP_ID);
    let entry = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../packaging/linux")
        .join(format!("{}.desktop", super::APP_ID));
    let text = std::fs::read_to_string(&entry).unwrap_or_else(|e| panic!("{}: {e}", entry.display()));
    let wm_class = format!("StartupWMClass={}", super::APP_ID);
    assert!(text.lines().any(|l| l == wm_class), "{} lacks {wm_class}", entry.display());
}
