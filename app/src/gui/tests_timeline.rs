//! Simulator tests of the timeline: real mouse events on the rows canvas, at
//! coordinates computed from the zoom set here (100 samples per pixel, no
//! scroll) and the lane layout constants, so every expected time and value
//! is a closed form of where the mouse went.

use iced::{Event, Point, keyboard};
use iced_test::selector::id;
use mixdesk_engine::session::{ClipId, ParamId, StripParam, StripRef, TrackId};

use super::tests::{fixture, interact, move_to, press, release, simulator};
use super::timeline::geometry::{HEADER_WIDTH, LANE_PAD, Span};
use super::timeline::{Message as T, ParamChoice, Tool};
use super::{App, Message, Page};

const KICK: TrackId = TrackId(1);
const BASS: TrackId = TrackId(3);
const KICK_CLIP: ClipId = ClipId(2);
/// Samples per pixel in these tests.
const SPP: f64 = 100.0;
/// Track and lane rows are 72 px tall; lanes draw values within LANE_PAD of their edges.
const ROW: f32 = 72.0;

fn timeline_app() -> (tempfile::TempDir, App) {
    let (dir, mut app) = fixture();
    app.page = Page::Timeline;
    app.timeline.span = Span { spp: SPP, scroll: 0.0 };
    app.timeline.track_height = ROW;
    (dir, app)
}

/// The top-left corner of the rows canvas on screen.
fn origin(app: &App) -> Point {
    let mut ui = simulator(app);
    let b = ui.find(id("timeline-rows")).unwrap().bounds();
    Point::new(b.x + HEADER_WIDTH, b.y)
}

/// Opens one lane under `track` showing `param`.
fn open_lane(app: &mut App, track: TrackId, param: StripParam) {
    let _ = app.update(Message::Timeline(T::LanesToggled(track)));
    let p = ParamId::Strip(StripRef::Track(track), param);
    let _ = app.update(Message::Timeline(T::LaneParamChosen(
        track,
        0,
        ParamChoice { param: p, name: String::new() },
    )));
    assert_eq!(app.timeline.lanes_of(track), vec![p]);
}

fn click(app: &mut App, at: Point) {
    interact(app, |ui| {
        press(ui, at);
        release(ui);
    });
}

fn drag(app: &mut App, from: Point, to: Point, steps: usize) {
    interact(app, |ui| {
        press(ui, from);
        for k in 1..=steps {
            let f = k as f32 / steps as f32;
            move_to(ui, Point::new(from.x + (to.x - from.x) * f, from.y + (to.y - from.y) * f));
        }
        release(ui);
    });
}

fn points(app: &App, param: ParamId) -> Vec<(u64, f64)> {
    app.doc
        .session
        .lane(param)
        .map(|l| l.points.iter().map(|p| (p.time, p.value)).collect())
        .unwrap_or_default()
}

fn close(a: &[(u64, f64)], b: &[(u64, f64)]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.0 == y.0 && (x.1 - y.1).abs() < 1e-6)
}

#[test]
fn three_clicks_on_an_empty_lane_make_three_points_where_the_mouse_was_and_a_drag_moves_one() {
    let (_dir, mut app) = timeline_app();
    open_lane(&mut app, KICK, StripParam::Pan);
    let pan = ParamId::Strip(StripRef::Track(KICK), StripParam::Pan);
    let o = origin(&app);
    // The lane is the second row: y from 72 to 144; pan is linear from -1
    // (bottom, y = 144 - 6) to +1 (top, y = 72 + 6) over 60 px.
    let lane_top = o.y + ROW;
    click(&mut app, Point::new(o.x + 100.0, lane_top + LANE_PAD)); // 10,000 samples, R100
    click(&mut app, Point::new(o.x + 250.0, lane_top + 36.0)); // 25,000, centre
    click(&mut app, Point::new(o.x + 400.0, lane_top + 51.0)); // 40,000, a quarter up: -0.5
    let want = [(10_000, 1.0), (25_000, 0.0), (40_000, -0.5)];
    assert!(close(&points(&app, pan), &want), "{:?}", points(&app, pan));
    assert_eq!(app.doc.history().count(), 3, "one undo step per click");

    // Drag the middle point 96 px right and 12 px up: +9,600 samples, +0.4.
    drag(&mut app, Point::new(o.x + 250.0, lane_top + 36.0), Point::new(o.x + 346.0, lane_top + 24.0), 6);
    let moved = [(10_000, 1.0), (34_600, 0.4), (40_000, -0.5)];
    assert!(close(&points(&app, pan), &moved), "{:?}", points(&app, pan));
    assert_eq!(app.doc.history().count(), 4, "the whole drag is one step");
    let _ = app.update(Message::Undo);
    assert!(close(&points(&app, pan), &want));
    for _ in 0..3 {
        let _ = app.update(Message::Undo);
    }
    assert!(points(&app, pan).is_empty(), "undo removes the clicked points");
}

#[test]
fn a_freehand_stroke_becomes_a_thinned_lane_through_what_was_drawn() {
    let (_dir, mut app) = timeline_app();
    open_lane(&mut app, BASS, StripParam::Pan);
    let pan = ParamId::Strip(StripRef::Track(BASS), StripParam::Pan);
    interact(&mut app, |ui| {
        ui.click("Pencil").unwrap();
    });
    assert_eq!(app.timeline.tool, Tool::Pencil);
    let o = origin(&app);
    // Rows: kick, bass, bass's lane (y 144..216). A straight line from the
    // bottom (pan -1) at x = 50 to the top (+1) at x = 450, 80 mouse moves.
    let lane_top = o.y + 2.0 * ROW;
    let y_of = |v: f32| lane_top + LANE_PAD + 60.0 * (1.0 - (v + 1.0) / 2.0);
    let drawn: Vec<(f32, f32)> =
        (0..=80).map(|k| (50.0 + 5.0 * k as f32, -1.0 + 2.0 * k as f32 / 80.0)).collect();
    interact(&mut app, |ui| {
        press(ui, Point::new(o.x + drawn[0].0, y_of(drawn[0].1)));
        for &(x, v) in &drawn[1..] {
            move_to(ui, Point::new(o.x + x, y_of(v)));
        }
        release(ui);
    });
    let lane = app.doc.session.lane(pan).expect("the stroke made a lane").clone();
    assert!(lane.points.len() <= 3, "a straight stroke thins to its ends: {:?}", lane.points);
    assert_eq!(lane.points.first().map(|p| p.time), Some(5_000));
    assert_eq!(lane.points.last().map(|p| p.time), Some(45_000));
    for &(x, v) in &drawn {
        let t = (f64::from(x) * SPP) as u64;
        let got = lane.value_at(t).unwrap();
        assert!((got - f64::from(v)).abs() < 0.003, "at {t}: {got} vs {v}");
    }
    assert_eq!(app.doc.history().count(), 1, "the stroke is one step");

    // A wavy stroke keeps its shape with far fewer points than were drawn.
    let _ = app.update(Message::Undo);
    assert!(points(&app, pan).is_empty());
    // Undo shows a note under the transport, which moves the rows down.
    let o = origin(&app);
    let lane_top = o.y + 2.0 * ROW;
    let y_of = |v: f32| lane_top + LANE_PAD + 60.0 * (1.0 - (v + 1.0) / 2.0);
    let wave: Vec<(f32, f32)> = (0..=120)
        .map(|k| (50.0 + 3.0 * k as f32, 0.8 * (k as f32 / 120.0 * std::f32::consts::TAU).sin()))
        .collect();
    interact(&mut app, |ui| {
        press(ui, Point::new(o.x + wave[0].0, y_of(wave[0].1)));
        for &(x, v) in &wave[1..] {
            move_to(ui, Point::new(o.x + x, y_of(v)));
        }
        release(ui);
    });
    let lane = app.doc.session.lane(pan).unwrap().clone();
    assert!(lane.points.len() < 60 && lane.points.len() >= 5, "{} points", lane.points.len());
    for &(x, v) in &wave {
        let got = lane.value_at((f64::from(x) * SPP) as u64).unwrap();
        assert!((got - f64::from(v)).abs() < 0.003, "{got} vs {v}");
    }
}

#[test]
fn dragging_the_fade_in_handle_sets_the_fade_and_undo_restores() {
    let (_dir, mut app) = timeline_app();
    let o = origin(&app);
    // The kick clip starts at 0 and has no fade: its fade-in handle is in the
    // clip's title bar at x = 0. Drag it 48 px right: 4,800 samples (100 ms).
    drag(&mut app, Point::new(o.x + 0.5, o.y + 6.0), Point::new(o.x + 48.5, o.y + 6.0), 4);
    let clip = &app.doc.session.tracks[0].clips[0];
    assert_eq!(clip.fade_in.length.0, 4_800);
    assert_eq!(clip.fade_out.length.0, 0);
    assert_eq!(app.doc.history().count(), 1);
    let _ = app.update(Message::Undo);
    assert_eq!(app.doc.session.tracks[0].clips[0].fade_in.length.0, 0);
}

#[test]
fn moving_a_clip_snaps_to_the_grid_or_moves_freely_with_alt() {
    let (_dir, mut app) = timeline_app();
    let o = origin(&app);
    let body = Point::new(o.x + 240.0, o.y + 40.0);
    // 130 px = 13,000 samples; at 120 bpm and 48 kHz the grid at this zoom is
    // a sixteenth (6,000 samples = 60 px), so the clip lands on 12,000.
    drag(&mut app, body, Point::new(body.x + 130.0, body.y), 5);
    assert!(app.timeline.selected.contains(&KICK_CLIP), "clicking a clip selects it");
    assert_eq!(app.doc.session.tracks[0].clips[0].start.0, 12_000);
    assert_eq!(app.doc.history().count(), 1);
    let _ = app.update(Message::Undo);
    assert_eq!(app.doc.session.tracks[0].clips[0].start.0, 0);

    // With Alt held the move is exactly what was dragged.
    interact(&mut app, |ui| {
        let _ = ui.simulate([Event::Keyboard(keyboard::Event::ModifiersChanged(keyboard::Modifiers::ALT))]);
        press(ui, body);
        for k in 1..=5 {
            move_to(ui, Point::new(body.x + 26.0 * k as f32, body.y));
        }
        release(ui);
    });
    assert_eq!(app.doc.session.tracks[0].clips[0].start.0, 13_000);
    let _ = app.update(Message::Undo);
    assert_eq!(app.doc.session.tracks[0].clips[0].start.0, 0);
}

#[test]
fn clicking_the_ruler_seeks_and_dragging_its_loop_strip_sets_the_loop() {
    let (_dir, mut app) = timeline_app();
    let o = origin(&app);
    let ruler_y = o.y - super::timeline::geometry::RULER_HEIGHT;
    click(&mut app, Point::new(o.x + 300.0, ruler_y + 5.0));
    assert_eq!(app.playhead(), 30_000);
    let strip = ruler_y + super::timeline::ruler::LOOP_STRIP + 5.0;
    drag(&mut app, Point::new(o.x + 100.0, strip), Point::new(o.x + 400.0, strip), 5);
    let l = app.doc.session.loop_range.expect("a loop range");
    assert_eq!((l.start.0, l.end.0, l.enabled), (10_000, 40_000, true));
    let _ = app.update(Message::Undo);
    assert_eq!(app.doc.session.loop_range, None);
}

#[test]
fn split_duplicate_and_delete_edit_the_selected_clip() {
    let (_dir, mut app) = timeline_app();
    let _ = app.update(Message::Timeline(T::ClipPressed(KICK_CLIP, false)));
    let _ = app.update(Message::Timeline(T::Seek(18_000)));
    let _ = app.update(Message::Timeline(T::Split));
    let clips = &app.doc.session.tracks[0].clips;
    assert_eq!(clips.len(), 2);
    assert_eq!((clips[0].start.0, clips[0].length.0), (0, 18_000));
    assert_eq!((clips[1].start.0, clips[1].length.0, clips[1].source_offset.0), (18_000, 30_000, 18_000));
    let _ = app.update(Message::Timeline(T::ClipPressed(clips[1].id, false)));
    let _ = app.update(Message::Timeline(T::Duplicate));
    let clips = &app.doc.session.tracks[0].clips;
    assert_eq!(clips.len(), 3);
    assert_eq!((clips[2].start.0, clips[2].length.0, clips[2].source_offset.0), (48_000, 30_000, 18_000));
    let _ = app.update(Message::Timeline(T::Delete));
    assert_eq!(app.doc.session.tracks[0].clips.len(), 2);
    for _ in 0..3 {
        let _ = app.update(Message::Undo);
    }
    let clips = &app.doc.session.tracks[0].clips;
    assert_eq!((clips.len(), clips[0].length.0), (1, 48_000));
}

#[test]
fn a_fader_moved_while_playing_on_a_touch_lane_is_recorded_and_appears_when_the_transport_stops() {
    use super::mixer::Message as M;
    use super::widget::ControlEvent;
    use mixdesk_engine::session::AutoMode;
    // Boot with the graph built (the other tests never run the build tasks).
    let (dir, app) = fixture();
    drop(app);
    let mut app = super::tests_safety::boot(&dir.path().join("song.mixdesk"));
    let fader = ParamId::Strip(StripRef::Track(KICK), StripParam::Fader);
    let task = app.update(Message::Timeline(T::LaneModeChosen(fader, AutoMode::Touch)));
    super::tests_safety::run(&mut app, task);
    let steps = app.doc.history().count();
    let _ = app.update(Message::PlayToggled);
    let wait = |ms| std::thread::sleep(std::time::Duration::from_millis(ms));
    wait(150);
    // The hand on the fader: -6 dB (the fixture's level) down to -12 dB and held.
    for db in [-8.0, -10.0, -12.0] {
        let _ = app.update(Message::Mixer(M::Fader(StripRef::Track(KICK), ControlEvent::Moved(db))));
        wait(60);
    }
    wait(200);
    let _ = app.update(Message::Mixer(M::Fader(StripRef::Track(KICK), ControlEvent::Released)));
    assert_eq!(
        app.doc.session.tracks[0].strip.fader_db.0, -6.0,
        "a recorded gesture leaves the fixed level alone"
    );
    wait(100);
    let _ = app.update(Message::PlayToggled);
    wait(200);
    let task = app.update(Message::Tick);
    super::tests_safety::run(&mut app, task);
    let lane = app.doc.session.lane(fader).expect("the pass wrote the lane").clone();
    assert!(lane.points.len() >= 2, "{:?}", lane.points);
    assert!(
        lane.points.iter().any(|p| (p.value + 12.0).abs() < 0.05),
        "the held value is on the lane: {:?}",
        lane.points
    );
    assert_eq!(app.doc.history().count(), steps + 1, "the pass is one undo step");
    let _ = app.update(Message::Undo);
    assert!(app.doc.session.lane(fader).is_none_or(|l| l.points.is_empty()));
}

#[test]
fn with_the_analyzer_open_a_clicked_clip_overlays_its_strips_spectrum() {
    let (dir, app) = fixture();
    drop(app);
    let mut app = super::tests_safety::boot(&dir.path().join("song.mixdesk"));
    let _ = app.update(Message::Timeline(T::AnalyzerToggled));
    let _ = app.update(Message::Timeline(T::ClipPressed(KICK_CLIP, false)));
    let _ = app.update(Message::Tick);
    let tapped: Vec<StripRef> = app.audio.analysis().unwrap().strip_spectra().map(|(_, r, _)| r).collect();
    assert_eq!(tapped, vec![StripRef::Track(KICK)]);
    let _ = app.update(Message::Timeline(T::AnalyzerToggled));
    let _ = app.update(Message::Tick);
    assert_eq!(
        app.audio.analysis().unwrap().strip_spectra().count(),
        0,
        "closing the analyzer stops the tap"
    );
}

#[test]
fn dragging_a_clip_down_a_row_moves_it_to_the_next_track_and_undo_brings_it_back() {
    let (_dir, mut app) = timeline_app();
    let o = origin(&app);
    let body = Point::new(o.x + 240.0, o.y + 40.0);
    // One row down (72 px) and 60 px (one sixteenth, 6,000 samples) right.
    drag(&mut app, body, Point::new(body.x + 60.0, body.y + ROW), 6);
    let tracks = &app.doc.session.tracks;
    assert!(tracks[0].clips.is_empty(), "the kick track gave up its clip");
    let moved = tracks[1].clips.iter().find(|c| c.id == KICK_CLIP).expect("the clip is on the bass track");
    assert_eq!(moved.start.0, 6_000);
    // It overlaps the bass clip (0..48,000) from 6,000: both fade over the overlap.
    let bass = tracks[1].clips.iter().find(|c| c.id != KICK_CLIP).unwrap();
    assert_eq!((bass.fade_out.length.0, moved.fade_in.length.0), (42_000, 42_000));
    assert_eq!(app.doc.history().count(), 1);
    let _ = app.update(Message::Undo);
    assert_eq!(app.doc.session.tracks[0].clips.len(), 1);
    assert_eq!(app.doc.session.tracks[0].clips[0].start.0, 0);
    assert_eq!(app.doc.session.tracks[1].clips.len(), 1);
}
