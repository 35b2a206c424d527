//! A plugin's own window through the real path: "Plugin window" clicked in
//! x42 dpl's editor starts the `mixdesk plugin-ui` child on an Xvfb display
//! this test starts itself; a control turned in the plugin's UI (the mouse
//! wheel over its Input Gain knob, with xdotool) becomes an undoable edit
//! that the bounce hears; a value set in the generic editor redraws the
//! UI's knob; the window manager's close request and removing the insert
//! each end the child. Needs `x42-plugins`, `xvfb`, `xdotool` and Mesa's
//! GLX (packaging/setup.sh --test) and the built `mixdesk` binary beside
//! the test (`cargo build -p mixdesk`).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mixdesk_engine::session::{ParamId, ProcessorId};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ClientMessageEvent, ConnectionExt as _, EventMask, ImageFormat};

use crate::gui::mixer::{self, Kind};
use crate::gui::tests::{KICK, fixture, interact};
use crate::gui::tests_groups::bounced;
use crate::gui::tests_safety::run;
use crate::gui::{App, Message, editor};

const DPL: &str = "lv2:http://gareus.org/oss/lv2/dpl#mono";

/// An X server of the test's own, on the first free display.
pub(super) struct Xvfb(Child, pub(super) String);

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(super) fn xvfb() -> Option<Xvfb> {
    let started = Command::new("Xvfb")
        .args(["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = started else {
        eprintln!("SKIPPED: Xvfb is not installed (packaging/setup.sh --test installs it)");
        return None;
    };
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let display = format!(":{}", line.trim());
    assert!(line.trim().parse::<u32>().is_ok(), "Xvfb said which display: {line:?}");
    Some(Xvfb(child, display))
}

/// The `mixdesk` binary beside this test (target/<profile>/mixdesk).
pub(super) fn mixdesk_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().and_then(std::path::Path::parent).unwrap().join("mixdesk");
    assert!(bin.is_file(), "{} is not built: run `cargo build -p mixdesk` first", bin.display());
    bin
}

/// Ticks the app (as its subscription does) until `done` or 30 s.
pub(super) fn tick_until(app: &mut App, what: &str, mut done: impl FnMut(&App) -> bool) {
    let start = Instant::now();
    while !done(app) {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting: {what}; errors {:?}",
            app.errors
        );
        let _ = app.update(Message::Tick);
        std::thread::sleep(Duration::from_millis(40));
    }
}

pub(super) fn ticks_for(app: &mut App, d: Duration) {
    let start = Instant::now();
    while start.elapsed() < d {
        let _ = app.update(Message::Tick);
        std::thread::sleep(Duration::from_millis(40));
    }
}

pub(super) fn xdotool(display: &str, args: &[&str]) -> String {
    let out = Command::new("xdotool").args(args).env("DISPLAY", display).output().expect("xdotool runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(super) fn find_window(display: &str, name: &str) -> Option<u32> {
    xdotool(display, &["search", "--name", name]).split_whitespace().next().and_then(|w| w.parse().ok())
}

/// The screen's pixels in a rectangle (the window sits at the origin: no window manager).
pub(super) fn pixels(display: &str, w: u16, h: u16) -> Vec<u8> {
    let (conn, screen) = x11rb::connect(Some(display)).unwrap();
    let root = conn.setup().roots[screen].root;
    conn.get_image(ImageFormat::Z_PIXMAP, root, 0, 0, w, h, !0).unwrap().reply().unwrap().data
}

/// What a window manager does when the window's close button is clicked.
pub(super) fn close_like_a_window_manager(display: &str, window: u32) {
    let (conn, _) = x11rb::connect(Some(display)).unwrap();
    let atom = |n: &[u8]| conn.intern_atom(false, n).unwrap().reply().unwrap().atom;
    let (protocols, delete) = (atom(b"WM_PROTOCOLS"), atom(b"WM_DELETE_WINDOW"));
    let event = ClientMessageEvent::new(32, window, protocols, [delete, 0, 0, 0, 0]);
    conn.send_event(false, window, EventMask::NO_EVENT, event).unwrap();
    conn.flush().unwrap();
}

fn peak(x: &[f32]) -> f32 {
    x.iter().fold(0.0f32, |m, v| m.max(v.abs()))
}

pub(super) fn open_window(app: &mut App, pid: ProcessorId) {
    let clicked = interact(app, |ui| {
        let _ = ui.click("Plugin window").expect("the editor offers the plugin's window");
    });
    assert_eq!(clicked, 1, "one click, one message");
    tick_until(app, "the plugin window is shown", |a| a.plugin_windows.windows.is_ready(pid));
}

#[test]
fn dpl_window_opens_and_both_ways_of_its_controls_reach_the_other_side() {
    let Some(x) = xvfb() else { return };
    let display = x.1.clone();
    let (dir, mut app) = fixture();
    // The kick alone in the mix, so the bounce's peak is the plugin's doing.
    app.doc.session.tracks[1].strip.mute = true;
    let spec =
        mixdesk_engine::plugins::spec(DPL).expect("x42-plugins is installed (packaging/setup.sh --test)");
    let task = app.update(Message::Mixer(mixer::Message::InsertAdded(KICK, Kind(spec))));
    run(&mut app, task);
    let pid = app.doc.session.tracks[0].strip.processors[0].id;
    assert_eq!(app.mixer.editor, Some(pid), "its editor opens");
    app.plugin_windows.windows.exe = Some(mixdesk_binary());
    app.plugin_windows.windows.display = Some(display.clone());
    // dpl's Input Gain (-10..30 dB), by its port symbol.
    let index = spec.params.iter().position(|p| p.key == "gain").expect("dpl has a gain port");
    let gain = ParamId::Processor(pid, index as u16);
    let frames = 48_000;
    let dry = peak(&bounced(&app, dir.path(), frames)[0][36_000..]);

    open_window(&mut app, pid);
    let title = "Digital Peak Limiter Mono on kick - Mixdesk";
    let window = find_window(&display, title).expect("the window exists, titled with the plugin and track");

    // The UI turns a knob: three wheel steps up on Input Gain, +1 dB each.
    assert_eq!(app.doc.session.param_value(gain), Some(0.0));
    xdotool(&display, &["mousemove", "--window", &window.to_string(), "35", "31"]);
    for _ in 0..3 {
        xdotool(&display, &["click", "4"]);
    }
    tick_until(&mut app, "the UI's gain reaches the session", |a| {
        a.doc.session.param_value(gain) == Some(3.0)
    });
    ticks_for(&mut app, super::GESTURE_GAP * 2);
    assert_eq!(app.audio.heard(gain), Some(3.0), "the engine's slot holds the UI's value");
    // Heard in the bounce: +3 dB below dpl's -1 dBFS threshold is a plain gain.
    let wet = peak(&bounced(&app, dir.path(), frames)[0][36_000..]);
    let want = 10f32.powf(3.0 / 20.0);
    assert!((wet / dry - want).abs() < 0.01 * want, "bounce peak ratio {} (want {want})", wet / dry);
    // One undo step for the three wheel steps.
    let _ = app.update(Message::Undo);
    assert_eq!(app.doc.session.param_value(gain), Some(0.0), "one undo takes the UI's turn back");
    let _ = app.update(Message::Redo);
    assert_eq!(app.doc.session.param_value(gain), Some(3.0));

    // A value set in the generic editor reaches the UI: its knob redraws.
    ticks_for(&mut app, Duration::from_millis(500));
    let knobs = |d: &str| pixels(d, 220, 80);
    let before = knobs(&display);
    ticks_for(&mut app, Duration::from_millis(300));
    assert!(knobs(&display) == before, "the window is still when nothing changes");
    let _ = app.update(Message::Editor(editor::Message::ParamChanged(gain, 20.0)));
    let _ = app.update(Message::Editor(editor::Message::ParamReleased));
    ticks_for(&mut app, Duration::from_millis(500));
    assert!(knobs(&display) != before, "the UI's Input Gain knob moved to +20 dB");

    // "Plugin window" again raises the open window, no second one.
    let _ = interact(&mut app, |ui| {
        let _ = ui.click("Plugin window").unwrap();
    });
    ticks_for(&mut app, Duration::from_millis(300));
    let found = xdotool(&display, &["search", "--name", title]);
    assert_eq!(found.split_whitespace().count(), 1, "one window: {found}");

    // The window manager's close button ends the child.
    close_like_a_window_manager(&display, window);
    tick_until(&mut app, "the window closes", |a| !a.plugin_windows.any());
    assert!(find_window(&display, title).is_none(), "the window is gone");
    assert!(app.errors.is_empty(), "a clean close is no error: {:?}", app.errors);

    // Removing the insert closes its window.
    open_window(&mut app, pid);
    let _ = app.update(Message::Mixer(mixer::Message::InsertRemoved(pid)));
    tick_until(&mut app, "removing the insert closes its window", |a| !a.plugin_windows.any());
    ticks_for(&mut app, Duration::from_millis(200));
    assert!(find_window(&display, title).is_none(), "the window is gone with its insert");
}

#[test]
fn a_knob_turned_in_the_plugin_window_while_playing_is_recorded_on_a_touch_lane() {
    use crate::gui::timeline::Message as T;
    use mixdesk_engine::session::AutoMode;
    let Some(x) = xvfb() else { return };
    let (dir, app) = fixture();
    drop(app);
    // Booted with the graph built, so the transport plays.
    let mut app = crate::gui::tests_safety::boot(&dir.path().join("song.mixdesk"));
    let spec =
        mixdesk_engine::plugins::spec(DPL).expect("x42-plugins is installed (packaging/setup.sh --test)");
    let task = app.update(Message::Mixer(mixer::Message::InsertAdded(KICK, Kind(spec))));
    run(&mut app, task);
    let pid = app.doc.session.tracks[0].strip.processors[0].id;
    let index = spec.params.iter().position(|p| p.key == "gain").unwrap();
    let gain = ParamId::Processor(pid, index as u16);
    let task = app.update(Message::Timeline(T::LaneModeChosen(gain, AutoMode::Touch)));
    run(&mut app, task);
    app.plugin_windows.windows.exe = Some(mixdesk_binary());
    app.plugin_windows.windows.display = Some(x.1.clone());
    open_window(&mut app, pid);
    let window = find_window(&x.1, "Digital Peak Limiter Mono on kick").expect("the window exists");
    let steps = app.doc.history().count();

    let _ = app.update(Message::PlayToggled);
    ticks_for(&mut app, Duration::from_millis(150));
    xdotool(&x.1, &["mousemove", "--window", &window.to_string(), "35", "31"]);
    for _ in 0..4 {
        xdotool(&x.1, &["click", "4"]);
        ticks_for(&mut app, Duration::from_millis(60));
    }
    // The hand rests: the gesture ends, the lane records on a little, the transport stops.
    ticks_for(&mut app, super::GESTURE_GAP * 2);
    let _ = app.update(Message::PlayToggled);
    ticks_for(&mut app, Duration::from_millis(200));
    let task = app.update(Message::Tick);
    run(&mut app, task);
    assert_eq!(
        app.doc.session.param_value(gain),
        Some(0.0),
        "a recorded gesture leaves the fixed value alone"
    );
    let lane = app.doc.session.lane(gain).expect("the pass wrote the lane").clone();
    assert!(
        lane.points.iter().any(|p| (p.value - 4.0).abs() < 1e-6),
        "the UI's +4 dB is on the lane: {:?}",
        lane.points
    );
    assert_eq!(app.doc.history().count(), steps + 1, "the pass is one undo step");

    // Another session replaces this one: the window closes with it.
    assert!(app.plugin_windows.any());
    let _ = app.update(Message::NewChosen(Some(dir.path().join("other.mixdesk"))));
    assert!(!app.plugin_windows.any(), "a new session closes the old one's windows");
    ticks_for(&mut app, Duration::from_millis(200));
    assert!(find_window(&x.1, "Digital Peak Limiter Mono on kick").is_none(), "the window is gone");
}
