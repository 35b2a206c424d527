//! Narrow strips with real clicks and a drag: the switch on the tab bar
//! narrows every track and bus strip (not the master), a narrow fader still
//! drags as one undo step, a click still selects, and the switch goes back.

use iced::Point;
use iced::keyboard::Modifiers;
use iced_test::selector::id;
use mixdesk_engine::session::StripRef;

use super::mixer::strip::{NARROW_ID, control_id};
use super::tests::{KICK, fader_cap, fader_db, interact, move_to, press, release, simulator};
use super::tests_groups::click_strip;
use super::tests_safety::act;
use super::{App, Message};

fn width(app: &App, r: StripRef) -> f32 {
    simulator(app).find(id(control_id("fader", r))).unwrap().bounds().width
}

fn switch(app: &mut App) {
    act(app, |ui| {
        let _ = ui.click(id(NARROW_ID)).unwrap();
    });
}

#[test]
fn narrow_strips_keep_the_fader_selection_and_undo_working() {
    let (_dir, mut app) = super::tests::fixture();
    let (wide, master) = (width(&app, KICK), width(&app, StripRef::Master));
    switch(&mut app);
    assert!(app.mixer.narrow);
    let narrow = width(&app, KICK);
    assert!(narrow < wide * 0.6, "the kick's fader is {narrow} wide, {wide} before");
    assert_eq!(width(&app, StripRef::Master), master, "the master keeps its wide strip");

    // Drag the narrow fader up by a tenth of its travel: +4 dB from -6 dB.
    let (cap, b) = fader_cap(&app, KICK);
    let before = fader_db(&app, KICK);
    interact(&mut app, |ui| {
        press(ui, cap);
        move_to(ui, Point::new(cap.x, cap.y - (b.height - 20.0) * 0.1));
        release(ui);
    });
    assert!((fader_db(&app, KICK) - (before + 4.0)).abs() < 0.3, "{} after the drag", fader_db(&app, KICK));
    let _ = app.update(Message::Undo);
    assert_eq!(fader_db(&app, KICK), before, "one step");

    click_strip(&mut app, KICK, Modifiers::empty());
    assert!(app.mixer.is_selected(KICK), "a click on a narrow strip selects it");
    switch(&mut app);
    assert!(!app.mixer.narrow && width(&app, KICK) == wide, "wide again");
}
