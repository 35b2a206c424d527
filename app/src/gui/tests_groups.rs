//! Managing strips with real clicks and drags: duplicate, reorder, comment,
//! trim, groups whose faders and mutes move together (and what the bounce
//! then plays, against the closed form), the sidechain key picker and the
//! pan law. Each change is one undo step that undo takes back exactly.

use iced::keyboard::Modifiers;
use iced::{Point, Rectangle};
use iced_test::selector::id;
use mixdesk_engine::session::{BusId, Output, PanLaw, ParamId, StripParam, StripRef, TrackId};

use super::mixer::strip::control_id;
use super::tests::{KICK, fader_cap, fader_db, move_to, press, release, simulator};
use super::tests_safety::{act, assert_engine_follows, run};
use super::{App, Message};

const BASS: StripRef = StripRef::Track(TrackId(3));

pub(super) fn bounds(app: &App, what: &str) -> Rectangle {
    simulator(app).find(id(what.to_owned())).unwrap().bounds()
}

/// Clicks entry `index` of a pick list `list` whose entries are `item` px tall.
pub(super) fn pick(app: &mut App, list: &str, index: usize, item: f32) {
    let b = bounds(app, list);
    act(app, |ui| {
        let _ = ui.click(id(list.to_owned())).unwrap();
        press(ui, Point::new(b.center_x(), b.y + b.height + item * (index as f32 + 0.5)));
        release(ui);
    });
}

/// The first `frames` of the session's bounce (the offline graph, in 512-frame blocks).
pub(super) fn bounced(app: &App, dir: &std::path::Path, frames: usize) -> [Vec<f32>; 2] {
    let pool = mixdesk_engine::media::MediaPool::new();
    let mut graph = mixdesk_engine::bounce::prepare(&app.doc.session, dir, &pool, 512).unwrap();
    let (mut l, mut r) = (vec![0.0f32; frames], vec![0.0f32; frames]);
    for at in (0..frames).step_by(512) {
        let n = 512.min(frames - at);
        graph.process(at as u64, &mut l[at..at + n], &mut r[at..at + n], &mixdesk_engine::graph::Serial);
    }
    [l, r]
}

/// The first `frames` of the fixture's media file `name` (16-bit), as floats.
pub(super) fn media_samples(dir: &std::path::Path, name: &str, frames: usize) -> Vec<f64> {
    hound::WavReader::open(dir.join("media").join(format!("{name}.wav")))
        .unwrap()
        .into_samples::<i16>()
        .take(frames)
        .map(|x| f64::from(x.unwrap()) / 32768.0)
        .collect()
}

/// Height of an entry of a strip's "⋯" menu (text 11 px, padding 1).
pub(super) const MENU_ITEM: f32 = 11.0 * 1.3 + 2.0;

/// Clicks strip `r`'s peak label (selects it, as the modifiers say).
pub(super) fn click_strip(app: &mut App, r: StripRef, modifiers: Modifiers) {
    let _ = app.update(Message::Modifiers(modifiers));
    let peak = bounds(app, &control_id("peak", r));
    act(app, |ui| {
        press(ui, peak.center());
        release(ui);
    });
    let _ = app.update(Message::Modifiers(Modifiers::empty()));
}

#[test]
fn duplicating_a_track_copies_its_clips_and_lanes_under_new_ids_in_one_step() {
    let (_dir, mut app) = fixture_with_lane();
    let before = app.doc.session.clone();
    pick(&mut app, &control_id("menu", KICK), 0, MENU_ITEM);
    let s = &app.doc.session;
    assert_eq!(s.tracks.len(), 3, "{:?}", app.doc.undo_label());
    let (orig, copy) = (&s.tracks[0], &s.tracks[1]);
    assert_eq!(copy.name, "kick copy", "the copy sits right after the original");
    assert_ne!(copy.id, orig.id);
    assert_eq!(copy.clips.len(), 1);
    assert_ne!(copy.clips[0].id, orig.clips[0].id);
    assert_eq!(copy.clips[0].media, orig.clips[0].media);
    assert_eq!(copy.strip.fader_db, orig.strip.fader_db);
    let lane = ParamId::Strip(StripRef::Track(copy.id), StripParam::Fader);
    assert!(s.lane(lane).is_some(), "the fader lane was copied to the new track");
    assert!(mixdesk_engine::session::validate(s).is_ok());
    assert_eq!(app.mixer.selected, Some(StripRef::Track(copy.id)));

    // Without clips: the second entry.
    pick(&mut app, &control_id("menu", KICK), 1, MENU_ITEM);
    assert_eq!(app.doc.session.tracks.len(), 4);
    assert!(app.doc.session.tracks[1].clips.is_empty());

    let _ = app.update(Message::Undo);
    let task = app.update(Message::Undo);
    run(&mut app, task);
    assert_eq!(app.doc.session, before);
    assert_engine_follows(&app);
}

/// The fixture with a lane on the kick's fader.
fn fixture_with_lane() -> (tempfile::TempDir, App) {
    let (dir, mut app) = super::tests::fixture();
    let fader = ParamId::Strip(KICK, StripParam::Fader);
    let mut lane = mixdesk_engine::session::Lane::new(fader);
    lane.points.push(mixdesk_engine::session::Point { time: 0, value: -6.0, shape: Default::default() });
    app.doc.apply("l", "lane", mixdesk_engine::edit::Edit::Lane(fader, Some(lane)));
    let task = app.audio.rebuild(&app.doc.session, app.doc.dir()).map(Message::Built);
    run(&mut app, task);
    (dir, app)
}

#[test]
fn dragging_a_strip_by_its_colour_bar_reorders_the_tracks_in_one_step() {
    let (_dir, mut app) = super::tests::fixture();
    let before = app.doc.session.clone();
    let from = bounds(&app, &control_id("handle", KICK));
    let to = bounds(&app, &control_id("handle", BASS));
    act(&mut app, |ui| {
        press(ui, from.center());
        move_to(ui, Point::new(from.center_x() + 10.0, from.center_y() + 200.0));
        move_to(ui, Point::new(to.center_x(), to.center_y() + 200.0));
        release(ui);
    });
    let ids: Vec<_> = app.doc.session.tracks.iter().map(|t| t.id).collect();
    assert_eq!(ids, [TrackId(3), TrackId(1)], "the kick now comes after the bass");
    assert_eq!(app.mixer.grabbed_strip, None, "the drop ends the drag");
    assert!(app.doc.undo_label().is_some_and(|l| l.contains("Track order")), "{:?}", app.doc.undo_label());
    let _ = app.update(Message::Undo);
    assert_eq!(app.doc.session, before);
}

#[test]
fn a_comment_is_written_under_the_name_and_the_trim_knob_trims() {
    let (_dir, mut app) = super::tests::fixture();
    pick(&mut app, &control_id("menu", KICK), 2, MENU_ITEM);
    assert_eq!(app.mixer.commenting, Some(KICK));
    act(&mut app, |ui| {
        let _ = ui.click(id(control_id("comment", KICK))).unwrap();
        let _ = ui.typewrite("retake at 1:20");
    });
    assert_eq!(app.doc.session.tracks[0].comment, "retake at 1:20");
    let steps = app.doc.history().count();

    let knob = bounds(&app, &control_id("trim", KICK));
    act(&mut app, |ui| {
        press(ui, knob.center());
        // 150 px of travel spans the whole range (-24..24 dB): 25 px up is +8 dB.
        move_to(ui, Point::new(knob.center_x(), knob.center_y() - 25.0));
        release(ui);
    });
    let trim = app.doc.session.tracks[0].strip.trim_db.0;
    assert!((trim - 8.0).abs() < 0.5, "trim {trim}");
    assert_eq!(app.doc.history().count(), steps + 1, "the drag is one step");
    assert_engine_follows(&app);
}

/// Selects the kick and the bass and groups them from the kick's menu.
fn group_kick_and_bass(app: &mut App) {
    click_strip(app, KICK, Modifiers::empty());
    click_strip(app, BASS, Modifiers::CTRL);
    assert!(app.mixer.is_selected(KICK) && app.mixer.is_selected(BASS), "{:?}", app.mixer.selection);
    // Duplicate, Duplicate without clips, Comment, Group the selected strips.
    pick(app, &control_id("menu", KICK), 3, MENU_ITEM);
    let g = &app.doc.session.groups;
    assert_eq!(g.len(), 1, "{:?}", app.doc.undo_label());
    assert_eq!(g[0].members, [KICK, BASS]);
}

#[test]
fn a_group_fader_drag_moves_every_member_by_the_same_db_and_the_bounce_plays_it() {
    let (dir, mut app) = super::tests::fixture();
    app.doc.apply("o", "bass to master", mixdesk_engine::edit::Edit::Output(BASS, Output::Master));
    group_kick_and_bass(&mut app);
    // Select only the kick again: the group, not the selection, links the bass.
    click_strip(&mut app, KICK, Modifiers::empty());
    let _ = app.update(Message::Modifiers(Modifiers::empty()));
    app.mixer.selection.clear();
    let bass_before = fader_db(&app, BASS);
    let steps = app.doc.history().count();
    let (cap, b) = fader_cap(&app, KICK);
    act(&mut app, |ui| {
        press(ui, cap);
        move_to(ui, Point::new(cap.x, cap.y - (b.height - 20.0) * 0.05));
        move_to(ui, Point::new(cap.x, cap.y - (b.height - 20.0) * 0.1));
        release(ui);
    });
    let (kick, bass) = (fader_db(&app, KICK), fader_db(&app, BASS));
    let moved = kick - -6.0;
    assert!(moved > 1.0, "the kick moved up: {kick}");
    assert!(((bass - bass_before) - moved).abs() < 1e-9, "the bass moved by the same {moved} dB: {bass}");
    assert_eq!(app.doc.history().count(), steps + 1, "one step for both");
    assert_engine_follows(&app);

    // The bounce plays exactly the members' gains: closed form per sample.
    let frames = 4096;
    let [l, r] = bounced(&app, dir.path(), frames);
    let (k, ba) = (media_samples(dir.path(), "kick", frames), media_samples(dir.path(), "bass", frames));
    let centre = std::f64::consts::FRAC_1_SQRT_2; // -3 dB law, mono source in the middle
    let g = |db: f64| 10f64.powf(db / 20.0) * centre;
    let mut worst = 0.0f64;
    for n in 0..frames {
        let want = g(kick) * k[n] + g(bass) * ba[n];
        worst = worst.max((f64::from(l[n]) - want).abs()).max((f64::from(r[n]) - want).abs());
    }
    assert!(worst < 1e-6, "the bounce differs from the closed form by {worst}");

    // Suspended, the group leaves the bass alone.
    let gid = app.doc.session.groups[0].id;
    let _ = app.update(Message::SessionPanel(super::session_panel::Message::Suspended(gid, true)));
    let (cap, b) = fader_cap(&app, KICK);
    act(&mut app, |ui| {
        press(ui, cap);
        move_to(ui, Point::new(cap.x, cap.y + (b.height - 20.0) * 0.1));
        release(ui);
    });
    assert!(fader_db(&app, KICK) < kick - 1.0);
    assert_eq!(fader_db(&app, BASS), bass, "a suspended group does not link");

    // Undo the solo move, the suspension and the linked drag: both back, one step each.
    for _ in 0..3 {
        let _ = app.update(Message::Undo);
    }
    assert_eq!(fader_db(&app, KICK), -6.0);
    assert_eq!(fader_db(&app, BASS), bass_before);
}

#[test]
fn a_group_mutes_together_and_deleting_a_member_leaves_the_group() {
    let (_dir, mut app) = super::tests::fixture();
    group_kick_and_bass(&mut app);
    app.mixer.selection.clear();
    let _ = app.update(Message::Mixer(super::mixer::Message::MuteToggled(KICK)));
    assert!(app.doc.session.tracks.iter().all(|t| t.strip.mute), "both muted");
    let _ = app.update(Message::Undo);
    assert!(app.doc.session.tracks.iter().all(|t| !t.strip.mute), "one step");
    act(&mut app, |ui| {
        let _ = ui.click(id(control_id("delete", BASS))).unwrap();
    });
    assert!(app.doc.session.groups.is_empty(), "a group of one is dissolved");
    assert!(mixdesk_engine::session::validate(&app.doc.session).is_ok());
    let _ = app.update(Message::Undo);
    assert_eq!(app.doc.session.groups.len(), 1);
}

#[test]
fn the_key_picker_keys_a_compressor_and_refuses_a_loop() {
    let (_dir, mut app) = super::tests::fixture();
    let comp = app.doc.session.new_processor("compressor").unwrap();
    let pid = comp.id;
    let at = mixdesk_engine::edit::ProcessorAt { strip: BASS, index: 0, processor: comp };
    app.doc.apply("c", "comp", mixdesk_engine::edit::Edit::Processor(pid, Some(at)));
    let _ = app.update(Message::Mixer(super::mixer::Message::InsertOpened(pid)));
    // Entries: none, kick, Verb (text 12 px, padding 4).
    let item = 12.0 * 1.3 + 8.0;
    pick(&mut app, super::editor::sidechain::PICKER, 1, item);
    assert_eq!(app.doc.session.processor(pid).unwrap().sidechain, Some(KICK));
    // The bass plays into the Verb bus; keying the bass's compressor from the Verb is a loop.
    app.doc.apply("o", "bass to verb", mixdesk_engine::edit::Edit::Output(BASS, Output::Bus(BusId(10))));
    pick(&mut app, super::editor::sidechain::PICKER, 2, item);
    assert_eq!(app.doc.session.processor(pid).unwrap().sidechain, Some(KICK), "refused");
    assert!(app.errors.iter().any(|e| e.contains("loop")), "{:?}", app.errors);
    // The key is taken pre-fader until switched; the switch is one step.
    act(&mut app, |ui| {
        let _ = ui.click("pre-fader").unwrap();
    });
    assert!(app.doc.session.processor(pid).unwrap().sidechain_post_fader, "switched post-fader");
    act(&mut app, |ui| {
        let _ = ui.find("post-fader").unwrap();
    });
    let _ = app.update(Message::Undo);
    assert!(!app.doc.session.processor(pid).unwrap().sidechain_post_fader);
    let _ = app.update(Message::Undo);
    let _ = app.update(Message::Undo);
    assert_eq!(app.doc.session.processor(pid).unwrap().sidechain, None);
}

/// A hosted plugin with sidechain inputs (LSP's sidechain compressor) gets
/// the same key picker as the built-in compressor, and the key it picks
/// reaches the plugin: the bass comes down in the bounce while the kick plays.
#[test]
fn the_key_picker_keys_a_hosted_sidechain_plugin() {
    const SC: &str = "lv2:http://lsp-plug.in/plugins/lv2/sc_compressor_mono";
    assert!(mixdesk_engine::plugins::hosted(SC).is_some(), "{SC}: run packaging/setup.sh --test");
    let (dir, mut app) = super::tests::fixture();
    // Only the bass is heard (a muted kick still keys: the key is pre-fader).
    for t in &mut app.doc.session.tracks {
        t.strip.mute = StripRef::Track(t.id) != BASS;
    }
    let frames = 48_000;
    let dry = bounced(&app, dir.path(), frames);
    let mut comp = app.doc.session.new_processor(SC).unwrap();
    // External sidechain (choice 2), threshold -40 dB, ratio 20, hard knee.
    for (k, v) in [("sct", 2.0), ("al", 0.01), ("cr", 20.0), ("kn", 1.0)] {
        comp.params.insert(k.to_owned(), v);
    }
    let pid = comp.id;
    let at = mixdesk_engine::edit::ProcessorAt { strip: BASS, index: 0, processor: comp };
    app.doc.apply("c", "sc comp", mixdesk_engine::edit::Edit::Processor(pid, Some(at)));
    let _ = app.update(Message::Mixer(super::mixer::Message::InsertOpened(pid)));
    let unkeyed = bounced(&app, dir.path(), frames);
    pick(&mut app, super::editor::sidechain::PICKER, 1, 12.0 * 1.3 + 8.0);
    assert_eq!(app.doc.session.processor(pid).unwrap().sidechain, Some(KICK));
    let keyed = bounced(&app, dir.path(), frames);
    let energy = |x: &[Vec<f32>; 2]| x[0].iter().map(|v| f64::from(*v).powi(2)).sum::<f64>();
    let (d, u, k) = (energy(&dry), energy(&unkeyed), energy(&keyed));
    assert!((u / d - 1.0).abs() < 1e-3, "unkeyed, the plugin hears a silent key: {u} vs {d}");
    assert!(k < 0.7 * d, "keyed by the kick, the bass comes down: {k} vs {d}");
    let _ = app.update(Message::Undo);
    assert_eq!(app.doc.session.processor(pid).unwrap().sidechain, None, "one undo step");
}

#[test]
fn the_pan_law_is_chosen_in_the_session_tab() {
    let (_dir, mut app) = super::tests::fixture();
    act(&mut app, |ui| {
        let _ = ui.click("Session").unwrap();
    });
    // Entries: 0 dB, -3 dB, -4.5 dB, -6 dB (text 12 px, default padding 5).
    pick(&mut app, super::session_panel::PAN_LAW, 3, 12.0 * 1.3 + 10.0);
    assert_eq!(app.doc.session.pan_law, PanLaw::Minus6Db);
    let _ = app.update(Message::Undo);
    assert_eq!(app.doc.session.pan_law, PanLaw::Minus3Db);
}

#[test]
fn arrow_keys_walk_the_strips_and_ctrl_arrows_nudge_the_selected_clip_by_the_grid() {
    use iced::keyboard::{Key, key::Named};
    let (_dir, mut app) = super::tests::fixture();
    let key = |app: &mut App, k: Named, m: Modifiers| {
        let msg = super::keys::shortcut(&Key::Named(k), m).expect("a shortcut");
        let task = app.update(msg);
        run(app, task);
    };
    key(&mut app, Named::ArrowRight, Modifiers::empty());
    assert_eq!(app.mixer.selected, Some(KICK), "the first strip");
    key(&mut app, Named::ArrowDown, Modifiers::empty());
    assert_eq!(app.mixer.selected, Some(BASS));
    key(&mut app, Named::ArrowRight, Modifiers::empty());
    assert_eq!(app.mixer.selected, Some(StripRef::Bus(BusId(10))));
    key(&mut app, Named::ArrowLeft, Modifiers::empty());
    assert_eq!(app.mixer.selected, Some(BASS));

    let clip = app.doc.session.tracks[0].clips[0].id;
    app.timeline.selected = [clip].into();
    app.timeline.span.spp = 100.0;
    let s = &app.doc.session;
    let step = super::timeline::geometry::grid_step(s.tempo, s.sample_rate, 100.0, 12.0);
    key(&mut app, Named::ArrowRight, Modifiers::CTRL);
    assert_eq!(app.doc.session.tracks[0].clips[0].start.0 as f64, step, "one grid step later");
    key(&mut app, Named::ArrowLeft, Modifiers::CTRL | Modifiers::SHIFT);
    assert_eq!(app.doc.session.tracks[0].clips[0].start.0 as f64, step - step / 10.0, "a tenth back");
    key(&mut app, Named::ArrowLeft, Modifiers::CTRL);
    assert_eq!(app.doc.session.tracks[0].clips[0].start.0, 0, "never before zero");
    let _ = app.update(Message::Undo);
    let _ = app.update(Message::Undo);
    assert_eq!(app.doc.session.tracks[0].clips[0].start.0 as f64, step, "each nudge is one step");
}

#[test]
fn the_markers_list_renames_jumps_and_deletes() {
    use mixdesk_engine::session::{Marker, MarkerId, SampleTime};
    let (_dir, mut app) = super::tests::fixture();
    for (id, name, at) in [(40, "Chorus", 24_000u64), (41, "Verse", 4_800)] {
        let m = Marker { id: MarkerId(id), name: name.into(), position: SampleTime(at) };
        app.doc.apply("m", "marker", mixdesk_engine::edit::Edit::Marker(m.id, Some(m)));
    }
    act(&mut app, |ui| {
        let _ = ui.click("Session").unwrap();
    });
    // Listed in time order: the verse first.
    act(&mut app, |ui| {
        let _ = ui.click("Verse").unwrap();
        let _ = ui.typewrite(" 1");
    });
    assert_eq!(app.doc.session.markers.iter().find(|m| m.id == MarkerId(41)).unwrap().name, "Verse 1");
    act(&mut app, |ui| {
        let _ = ui.click("0:00.500").unwrap();
    });
    assert_eq!(app.audio.position, 24_000, "the chorus's time moves the playhead there");
    act(&mut app, |ui| {
        let _ = ui.click("×").unwrap();
    });
    assert_eq!(app.doc.session.markers.len(), 1, "the first × deletes the verse");
    assert_eq!(app.doc.session.markers[0].name, "Chorus");
    let _ = app.update(Message::Undo);
    assert_eq!(app.doc.session.markers.len(), 2);
}

#[test]
fn the_timeline_headers_reorder_duplicate_and_delete_tracks_like_the_mixer() {
    let (_dir, mut app) = super::tests::fixture();
    app.page = super::Page::Timeline;
    let before = app.doc.session.clone();
    let from = bounds(&app, &control_id("header-handle", KICK));
    let to = bounds(&app, &control_id("header-handle", BASS));
    act(&mut app, |ui| {
        press(ui, from.center());
        move_to(ui, Point::new(to.center_x() + 40.0, to.center_y()));
        release(ui);
    });
    let ids: Vec<_> = app.doc.session.tracks.iter().map(|t| t.id).collect();
    assert_eq!(ids, [TrackId(3), TrackId(1)], "the kick's row now comes after the bass's");
    pick(&mut app, &control_id("menu", KICK), 0, MENU_ITEM);
    assert_eq!(app.doc.session.tracks.len(), 3, "duplicated from the header's menu");
    assert_eq!(app.doc.session.tracks[2].name, "kick copy");
    act(&mut app, |ui| {
        let _ = ui.click(id(control_id("header-delete", BASS))).unwrap();
    });
    assert_eq!(app.doc.session.tracks.len(), 2);
    assert!(app.doc.session.track(TrackId(3)).is_none(), "the bass is gone");
    for _ in 0..3 {
        let _ = app.update(Message::Undo);
    }
    assert_eq!(app.doc.session, before);
}

#[test]
fn a_strip_saved_as_a_template_starts_a_new_track_with_its_inserts_and_sends() {
    use mixdesk_engine::edit::{Edit, ProcessorAt, SendAt};
    use mixdesk_engine::session::{Send, SendId};
    let (dir, mut app) = super::tests::fixture();
    let templates = dir.path().join("templates");
    app.mixer.templates_dir = Some(templates.clone());
    let eq = app.doc.session.new_processor("eq").unwrap();
    app.doc.apply(
        "p",
        "eq",
        Edit::Processor(eq.id, Some(ProcessorAt { strip: KICK, index: 0, processor: eq.clone() })),
    );
    let send = Send {
        id: SendId(70),
        target: BusId(10),
        level_db: Default::default(),
        pan: Default::default(),
        pre_fader: true,
    };
    app.doc.apply("s", "send", Edit::Send(send.id, Some(SendAt { strip: KICK, index: 0, send })));
    // Duplicate, Duplicate without clips, Comment, Save as track template.
    pick(&mut app, &control_id("menu", KICK), 3, MENU_ITEM);
    assert!(templates.join("kick.ron").is_file(), "{:?}", app.note);
    assert_eq!(app.mixer.templates.len(), 1);

    pick(&mut app, super::mixer::strip::TEMPLATES_ID, 0, 11.0 * 1.3 + 6.0);
    let s = &app.doc.session;
    assert_eq!(s.tracks.len(), 3, "a new track from the template");
    let t = &s.tracks[2];
    assert!(t.clips.is_empty());
    assert_eq!(t.strip.processors.len(), 1);
    assert_eq!(t.strip.processors[0].kind, "eq");
    assert_ne!(t.strip.processors[0].id, eq.id, "fresh ids");
    assert_eq!(t.strip.sends.len(), 1);
    assert_eq!((t.strip.sends[0].target, t.strip.sends[0].pre_fader), (BusId(10), true));
    assert!(mixdesk_engine::session::validate(s).is_ok());

    // A damaged file in the folder is reported, the good one still listed.
    std::fs::write(templates.join("broken.ron"), "(name: ").unwrap();
    let (ok, bad) = mixdesk_engine::templates::load_all(&templates);
    assert_eq!(ok.len(), 1);
    assert!(bad[0].to_string().contains("broken.ron"), "{}", bad[0]);
    // A folder that cannot be made is an error naming it, not a panic.
    std::fs::write(dir.path().join("file"), "").unwrap();
    app.mixer.templates_dir = Some(dir.path().join("file").join("templates"));
    pick(&mut app, &control_id("menu", KICK), 3, MENU_ITEM);
    assert!(
        app.errors.iter().any(|e| e.contains("template was not saved") && e.contains("file")),
        "{:?}",
        app.errors
    );
}

#[test]
fn clip_gain_and_a_point_value_are_typed_in_the_timeline_toolbar() {
    use super::timeline::{Message as T, numeric};
    let (_dir, mut app) = fixture_with_lane();
    app.page = super::Page::Timeline;
    let clip = app.doc.session.tracks[0].clips[0].id;
    let _ = app.update(Message::Timeline(T::ClipPressed(clip, false)));
    act(&mut app, |ui| {
        let _ = ui.click(id(numeric::CLIP_GAIN)).unwrap();
        let _ = ui.tap_key(iced::keyboard::key::Named::End);
        for _ in 0..6 {
            let _ = ui.tap_key(iced::keyboard::key::Named::Backspace);
        }
        let _ = ui.typewrite("-4.5");
        let _ = ui.tap_key(iced::keyboard::key::Named::Enter);
    });
    assert_eq!(app.doc.session.tracks[0].clips[0].gain_db.0, -4.5);
    assert!(
        app.doc.undo_label().is_some_and(|l| l.contains("gain +0.0 dB -> -4.5 dB")),
        "{:?}",
        app.doc.undo_label()
    );
    act(&mut app, |ui| {
        let _ = ui.click(id(numeric::CLIP_GAIN)).unwrap();
        let _ = ui.typewrite("loud");
        let _ = ui.tap_key(iced::keyboard::key::Named::Enter);
    });
    assert!(
        app.errors.iter().any(|e| e.contains("loud\" is not a number; type a gain in dB")),
        "{:?}",
        app.errors
    );
    assert_eq!(app.doc.session.tracks[0].clips[0].gain_db.0, -4.5, "unchanged");

    // One point of the kick's fader lane, selected with a band around it.
    let fader = ParamId::Strip(KICK, StripParam::Fader);
    let _ = app.update(Message::Timeline(T::PointsBanded(fader, 0, 10)));
    act(&mut app, |ui| {
        let _ = ui.click(id(numeric::POINT_VALUE)).unwrap();
        let _ = ui.tap_key(iced::keyboard::key::Named::End);
        for _ in 0..8 {
            let _ = ui.tap_key(iced::keyboard::key::Named::Backspace);
        }
        let _ = ui.typewrite("-12");
        let _ = ui.tap_key(iced::keyboard::key::Named::Enter);
    });
    assert_eq!(app.doc.session.lane(fader).unwrap().points[0].value, -12.0);
    let _ = app.update(Message::Undo);
    assert_eq!(app.doc.session.lane(fader).unwrap().points[0].value, -6.0);
}

#[test]
fn arming_a_lane_arms_the_same_lane_of_every_member_when_the_group_links_automation() {
    use super::timeline::Message as T;
    use mixdesk_engine::session::{AutoMode, Shares};
    let (_dir, mut app) = super::tests::fixture();
    group_kick_and_bass(&mut app);
    let (kick, bass) = (ParamId::Strip(KICK, StripParam::Fader), ParamId::Strip(BASS, StripParam::Fader));
    let before = app.doc.session.clone();
    let steps = app.doc.history().count();
    let _ = app.update(Message::Timeline(T::LaneModeChosen(kick, AutoMode::Touch)));
    let mode = |app: &App, p| app.doc.session.lane(p).map(|l| l.mode);
    assert_eq!((mode(&app, kick), mode(&app, bass)), (Some(AutoMode::Touch), Some(AutoMode::Touch)));
    assert_eq!(app.doc.history().count(), steps + 1, "one step for both");
    let _ = app.update(Message::Undo);
    assert_eq!(app.doc.session, before);

    // A group that does not link automation arms the lane alone.
    let gid = app.doc.session.groups[0].id;
    let shares = Shares { automation: false, ..Shares::default() };
    let _ = app.update(Message::SessionPanel(super::session_panel::Message::Shares(gid, shares)));
    let _ = app.update(Message::Timeline(T::LaneModeChosen(kick, AutoMode::Latch)));
    assert_eq!((mode(&app, kick), mode(&app, bass)), (Some(AutoMode::Latch), None));
}
