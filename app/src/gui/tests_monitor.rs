//! Simulator tests of the Monitor tab: real clicks on the toolbar and the
//! tab's buttons change what the engine plays (the settings saved in the
//! session), and the platform preview says what it needs.

use mixdesk_engine::monitor::{Check, Platform, System};

use super::App;
use super::tests::{fixture, interact};
use super::tests_safety::{boot, shows};

fn booted() -> (tempfile::TempDir, App) {
    let (dir, _) = fixture();
    let app = boot(&dir.path().join("song.mixdesk"));
    (dir, app)
}

#[test]
fn the_monitor_tab_switches_checks_systems_and_platforms_with_clicks() {
    let (_dir, mut app) = booted();
    assert!(!shows(&app, "Listening check"));
    interact(&mut app, |ui| {
        let _ = ui.click("Monitor").unwrap();
    });
    assert!(shows(&app, "Listening check") && shows(&app, "Phone speaker"), "the tab opens");

    interact(&mut app, |ui| {
        let _ = ui.click("Mono").unwrap();
    });
    assert_eq!(app.doc.session.monitor.check, Check::Mono);
    assert_eq!(app.audio.monitor_program().matrix, Check::Mono.matrix(), "the engine was sent mono");

    interact(&mut app, |ui| {
        let _ = ui.click("Phone speaker").unwrap();
    });
    assert_eq!(app.doc.session.monitor.system, Some(System::Phone));
    assert!(shows(&app, "31.5: -78.3"), "the phone's documented curve is shown");

    interact(&mut app, |ui| {
        let _ = ui.click("Dim -20 dB").unwrap();
    });
    assert!(app.doc.session.monitor.dim);
    let p = app.audio.monitor_program();
    assert_eq!((p.len, p.gain), (System::Phone.sections().len(), 0.1), "the phone's sections, dimmed");

    interact(&mut app, |ui| {
        let _ = ui.click("Spotify").unwrap();
    });
    assert_eq!(app.doc.session.monitor.platform, Some(Platform::Spotify));
    assert!(
        shows(&app, "Spotify: play the mix to measure its loudness"),
        "no gain before the mix is measured"
    );

    interact(&mut app, |ui| {
        let _ = ui.click("Stereo").unwrap();
        let _ = ui.click("Speakers as they are").unwrap();
    });
    assert_eq!(app.doc.session.monitor.check, Check::Stereo);
    assert_eq!(app.doc.session.monitor.system, None);
}
