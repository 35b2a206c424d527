//! VCA faders with real clicks and drags: "+ VCA" over the selection, a VCA
//! drag that moves what the members play but not their own faders (and what
//! the bounce then plays, against the closed form), spilling a VCA,
//! assigning to it and leaving it, deleting a member, and the VCA's solo. Each change is
//! one undo step that undo takes back exactly.

use iced::Point;
use iced::keyboard::Modifiers;
use iced_test::selector::id;
use mixdesk_engine::session::{Output, ParamId, StripParam, StripRef, TrackId};

use super::mixer::strip::{VCA_ADD_ID, control_id};
use super::tests::{KICK, fader_cap, fader_db, move_to, press, release, simulator};
use super::tests_groups::{MENU_ITEM, bounced, click_strip, media_samples, pick};
use super::tests_safety::{act, assert_engine_follows, run};
use super::{App, Message};

const BASS: StripRef = StripRef::Track(TrackId(3));

/// Clicks "+ VCA" and returns the new VCA.
fn add_vca(app: &mut App) -> StripRef {
    act(app, |ui| {
        let _ = ui.click(id(VCA_ADD_ID)).unwrap();
    });
    let b = app.doc.session.buses.last().expect("a bus was added");
    assert!(b.is_vca(), "{:?}", app.doc.undo_label());
    StripRef::Bus(b.id)
}

fn members(app: &App, vca: StripRef) -> Vec<StripRef> {
    let StripRef::Bus(id) = vca else { unreachable!() };
    app.doc.session.bus(id).unwrap().vca.clone().unwrap().members
}

fn visible(app: &App, r: StripRef) -> bool {
    simulator(app).find(id(control_id("fader", r))).is_ok()
}

#[test]
fn a_vca_over_the_selection_moves_what_its_members_play_and_the_bounce_plays_it() {
    let (dir, mut app) = super::tests::fixture();
    app.doc.apply("o", "bass to master", mixdesk_engine::edit::Edit::Output(BASS, Output::Master));
    let before = app.doc.session.clone();
    click_strip(&mut app, KICK, Modifiers::empty());
    click_strip(&mut app, BASS, Modifiers::CTRL);
    let steps = app.doc.history().count();
    let vca = add_vca(&mut app);
    assert_eq!(members(&app, vca), [KICK, BASS]);
    assert_eq!(app.doc.history().count(), steps + 1, "one step");
    assert!(
        app.doc.undo_label().is_some_and(|l| l.contains("VCA \"VCA 1\" added")),
        "{:?}",
        app.doc.undo_label()
    );
    assert_eq!(app.mixer.selected, Some(vca), "the new VCA is selected");

    // Drag the VCA's fader down: the members' own faders stay where they are.
    let (cap, b) = fader_cap(&app, vca);
    act(&mut app, |ui| {
        press(ui, cap);
        move_to(ui, Point::new(cap.x, cap.y + (b.height - 20.0) * 0.05));
        move_to(ui, Point::new(cap.x, cap.y + (b.height - 20.0) * 0.1));
        release(ui);
    });
    let v = fader_db(&app, vca);
    assert!(v < -1.0, "the VCA moved down: {v}");
    assert_eq!((fader_db(&app, KICK), fader_db(&app, BASS)), (-6.0, -6.0), "members keep their faders");
    assert_eq!(app.doc.history().count(), steps + 2, "the drag is one step");
    assert_eq!(app.audio.heard(ParamId::Strip(vca, StripParam::Fader)), Some(v), "the engine heard the VCA");
    assert_engine_follows(&app);

    // The bounce plays each member at its fader plus the VCA's dB.
    let frames = 4096;
    let [l, r] = bounced(&app, dir.path(), frames);
    let (k, ba) = (media_samples(dir.path(), "kick", frames), media_samples(dir.path(), "bass", frames));
    let g = 10f64.powf((-6.0 + v) / 20.0) * std::f64::consts::FRAC_1_SQRT_2;
    let worst = (0..frames)
        .map(|n| {
            (f64::from(l[n]) - g * (k[n] + ba[n])).abs().max((f64::from(r[n]) - g * (k[n] + ba[n])).abs())
        })
        .fold(0.0, f64::max);
    assert!(worst < 1e-6, "the bounce differs from faders + VCA dB by {worst}");

    // Muting the VCA mutes its members (in the session the engine follows).
    act(&mut app, |ui| {
        let _ = ui.click(id(control_id("peak", vca))).unwrap();
    });
    let _ = app.update(Message::Mixer(super::mixer::Message::MuteToggled(vca)));
    assert!(app.doc.session.strip(vca).unwrap().mute);

    for _ in 0..2 {
        let _ = app.update(Message::Undo);
    }
    let task = app.update(Message::Undo);
    run(&mut app, task);
    assert_eq!(app.doc.session, before, "undo takes the VCA back exactly");
    assert_engine_follows(&app);
}

#[test]
fn spilling_assigning_leaving_and_deleting_members_keep_the_vca_true() {
    let (_dir, mut app) = super::tests::fixture();
    click_strip(&mut app, KICK, Modifiers::empty());
    let vca = add_vca(&mut app);
    assert_eq!(members(&app, vca), [KICK]);

    // Spill: only the VCA and its members are shown, then all again.
    act(&mut app, |ui| {
        let _ = ui.click(id(control_id("spill", vca))).unwrap();
    });
    assert!(visible(&app, KICK) && visible(&app, vca) && !visible(&app, BASS), "spilled: the bass is hidden");
    act(&mut app, |ui| {
        let _ = ui.click(id(control_id("spill", vca))).unwrap();
    });
    assert!(visible(&app, BASS), "shown all again");

    // Select the bass, then the VCA's menu: Duplicate, Comment, Assign the selected strips.
    click_strip(&mut app, BASS, Modifiers::empty());
    pick(&mut app, &control_id("menu", vca), 2, MENU_ITEM);
    assert_eq!(members(&app, vca), [KICK, BASS], "{:?}", app.doc.undo_label());

    // The kick's menu: Duplicate, Duplicate without clips, Comment, Leave the VCA.
    click_strip(&mut app, KICK, Modifiers::empty());
    pick(&mut app, &control_id("menu", KICK), 3, MENU_ITEM);
    assert_eq!(members(&app, vca), [BASS], "{:?}", app.doc.undo_label());

    // Deleting the bass takes it out of the VCA in the same step.
    let before = app.doc.session.clone();
    act(&mut app, |ui| {
        let _ = ui.click(id(control_id("delete", BASS))).unwrap();
    });
    assert!(app.doc.session.track(TrackId(3)).is_none());
    assert!(members(&app, vca).is_empty());
    assert!(mixdesk_engine::session::validate(&app.doc.session).is_ok());
    let _ = app.update(Message::Undo);
    assert_eq!(app.doc.session, before);

    // The VCA's lanes are offered under its member tracks in the timeline.
    let StripRef::Bus(v) = vca else { unreachable!() };
    let lanes = super::timeline::geometry::automatable(&app.doc.session, TrackId(3));
    assert!(
        lanes.iter().any(|(p, _)| *p == ParamId::Strip(StripRef::Bus(v), StripParam::Fader)),
        "{lanes:?}"
    );
    assert_engine_follows(&app);
}

#[test]
fn a_vcas_solo_solos_its_members_as_one_step() {
    let (_dir, mut app) = super::tests::fixture();
    click_strip(&mut app, KICK, Modifiers::empty());
    click_strip(&mut app, BASS, Modifiers::CTRL);
    let vca = add_vca(&mut app);
    let soloed = |app: &App| [KICK, BASS].map(|r| app.doc.session.strip(r).unwrap().solo);
    let click_solo = |app: &mut App| {
        act(app, |ui| {
            let _ = ui.click(id(control_id("solo", vca))).unwrap();
        })
    };
    click_solo(&mut app);
    assert_eq!(soloed(&app), [true, true], "{:?}", app.doc.undo_label());
    assert!(!app.doc.session.strip(vca).unwrap().solo, "the VCA itself has no audio to solo");
    assert_engine_follows(&app);
    click_solo(&mut app);
    assert_eq!(soloed(&app), [false, false], "all soloed: the S unsolos them");
    let _ = app.update(Message::Undo);
    assert_eq!(soloed(&app), [true, true]);
    let _ = app.update(Message::Undo);
    assert_eq!(soloed(&app), [false, false], "one step each");
}
