//! A real CLAP plugin's own GUI through the real path: ZAM's EQ2 (Debian's
//! zam-plugins ships CLAP builds, with DPF GUIs) inserted on the kick,
//! "Plugin window" clicked, the GUI's HF boost knob dragged with xdotool on
//! an Xvfb display of the test's own: the drag becomes one undoable edit of
//! the insert's parameter; a value set in the generic editor redraws the
//! GUI; the window manager's close request ends the child. Before the child
//! offered host timers the GUI refused to open ("hostTimer != nullptr"), and
//! before it ran the instance's `process` the drag never reached the app.

use std::time::Duration;

use mixdesk_engine::session::ParamId;

use super::tests::{
    close_like_a_window_manager, find_window, mixdesk_binary, open_window, pixels, tick_until, ticks_for,
    xdotool, xvfb,
};
use crate::gui::mixer::{self, Kind};
use crate::gui::tests::{KICK, fixture};
use crate::gui::tests_safety::run;
use crate::gui::{Message, editor};

const ZAM_EQ2: &str = "clap:com.zamaudio.ZamEQ2";

#[test]
fn zam_eq2s_clap_gui_opens_and_both_ways_of_its_controls_reach_the_other_side() {
    let Some(x) = xvfb() else { return };
    let display = x.1.clone();
    let (_dir, mut app) = fixture();
    let spec =
        mixdesk_engine::plugins::spec(ZAM_EQ2).expect("zam-plugins is installed (packaging/setup.sh --test)");
    let task = app.update(Message::Mixer(mixer::Message::InsertAdded(KICK, Kind(spec))));
    run(&mut app, task);
    let pid = app.doc.session.tracks[0].strip.processors[0].id;
    app.plugin_windows.windows.exe = Some(mixdesk_binary());
    app.plugin_windows.windows.display = Some(display.clone());
    // CLAP parameters are keyed by their ids: 8 is "Boost/Cut H", 0 "Boost/Cut 1".
    let id = |key: &str| ParamId::Processor(pid, spec.param_index(key).expect("ZamEQ2's parameter") as u16);
    let (high, low) = (id("8"), id("0"));

    open_window(&mut app, pid);
    let title = "ZamEQ2 on kick - Mixdesk";
    let window = find_window(&display, title).expect("the window exists, titled with the plugin and track");

    // Drag the HF boost knob up (the window sits at the origin: no window manager).
    assert_eq!(app.doc.session.param_value(high), Some(0.0));
    xdotool(&display, &["mousemove", "587", "73", "mousedown", "1"]);
    for y in ["68", "60", "50", "40", "30"] {
        xdotool(&display, &["mousemove", "587", y]);
        std::thread::sleep(Duration::from_millis(60));
    }
    xdotool(&display, &["mouseup", "1"]);
    tick_until(&mut app, "the GUI's boost reaches the session", |a| {
        a.doc.session.param_value(high).is_some_and(|v| v > 10.0)
    });
    ticks_for(&mut app, super::GESTURE_GAP * 2);
    let boosted = app.doc.session.param_value(high).unwrap();
    assert!(boosted <= 20.0, "within the knob's range: {boosted}");
    assert_eq!(app.audio.heard(high), Some(boosted), "the engine's slot holds the GUI's value");
    let _ = app.update(Message::Undo);
    assert_eq!(app.doc.session.param_value(high), Some(0.0), "one undo takes the whole drag back");
    let _ = app.update(Message::Redo);

    // A value set in the generic editor redraws the GUI (its curve and knob).
    ticks_for(&mut app, Duration::from_millis(500));
    let before = pixels(&display, 640, 230);
    ticks_for(&mut app, Duration::from_millis(300));
    assert!(pixels(&display, 640, 230) == before, "the window is still when nothing changes");
    let _ = app.update(Message::Editor(editor::Message::ParamChanged(low, -12.0)));
    let _ = app.update(Message::Editor(editor::Message::ParamReleased));
    ticks_for(&mut app, Duration::from_millis(500));
    assert!(pixels(&display, 640, 230) != before, "the GUI shows the editor's -12 dB");
    assert_eq!(app.doc.session.param_value(low), Some(-12.0), "and does not send it back changed");

    close_like_a_window_manager(&display, window);
    tick_until(&mut app, "the window closes", |a| !a.plugin_windows.any());
    assert!(app.errors.is_empty(), "a clean close is no error: {:?}", app.errors);
}
