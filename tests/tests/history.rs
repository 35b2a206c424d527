//! Undo history: a gesture is one step named in words, undo and redo restore
//! exactly, changes made around the history are not lost, and memory stays
//! within the step and byte bounds while unchanged parts are shared.

use std::path::PathBuf;
use std::time::Duration;

use mixdesk_engine::history::{History, HistoryLimits, UNTRACKED_LABEL};
use mixdesk_engine::session::{
    Decibels, Lane, ParamId, Point, SampleTime, Session, StripParam, StripRef, Track, TrackId,
};

fn mix() -> Session {
    let mut s = Session::new(48_000);
    s.tracks.push(Track::with_one_clip(1, "Bass", PathBuf::from("media/bass.wav"), SampleTime(48_000)));
    s.tracks.push(Track::with_one_clip(3, "Drums", PathBuf::from("media/drums.wav"), SampleTime(48_000)));
    s.tracks[0].strip.fader_db = Decibels(-3.0);
    s
}

const BASS: StripRef = StripRef::Track(TrackId(1));
const DRUMS: StripRef = StripRef::Track(TrackId(3));

fn descriptions(h: &History) -> Vec<String> {
    h.steps().map(|s| s.description()).collect()
}

#[test]
fn a_fader_drag_is_one_step_in_words_and_undo_redo_restore_exactly() {
    let original = mix();
    let mut s = original.clone();
    let mut h = History::new(&s);
    let fader = ParamId::Strip(BASS, StripParam::Fader);
    h.begin(&s, "Move fader");
    for i in 1..=30 {
        s.set_param(fader, -3.0 - f64::from(i) * 0.07);
    }
    s.set_param(fader, -4.5);
    h.commit(&s);
    assert_eq!(descriptions(&h), ["Bass fader -3.0 dB -> -4.5 dB"]);
    assert_eq!(h.position(), 1);
    let edited = s.clone();
    assert_eq!(h.undo(&mut s).map(|st| st.description()), Some("Bass fader -3.0 dB -> -4.5 dB".into()));
    assert_eq!(s, original);
    assert!(h.undo(&mut s).is_none(), "nothing more to undo");
    h.redo(&mut s);
    assert_eq!(s, edited);
    assert_eq!(h.redo_description(), None);
    assert_eq!(h.undo_description().as_deref(), Some("Bass fader -3.0 dB -> -4.5 dB"));
}

#[test]
fn a_freehand_stroke_is_one_step() {
    let mut s = mix();
    let mut h = History::new(&s);
    let param = ParamId::Strip(DRUMS, StripParam::Fader);
    h.begin(&s, "Draw automation");
    s.automation.push(Lane::new(param));
    for i in 0..40u64 {
        s.automation[0].add_point(Point {
            time: i * 100,
            value: -(i as f64) * 0.5,
            shape: Default::default(),
        });
    }
    h.commit(&s);
    assert_eq!(descriptions(&h), ["Drums fader automation added (40 points)"]);
    h.undo(&mut s);
    assert!(s.automation.is_empty());
}

#[test]
fn cancel_restores_nested_gestures_join_and_several_changes_read_as_the_label() {
    let original = mix();
    let mut s = original.clone();
    let mut h = History::new(&s);
    h.begin(&s, "Drag");
    s.tracks[0].strip.fader_db = Decibels(-10.0);
    h.cancel(&mut s);
    assert_eq!(s, original);
    assert_eq!(h.position(), 0);

    h.begin(&s, "Reset strip");
    h.begin(&s, "inner");
    s.tracks[0].strip.pan.0 = 0.5;
    assert!(h.commit(&s).is_none(), "the inner commit only closes the nesting");
    s.tracks[0].strip.mute = true;
    let step = h.commit(&s).expect("the outer commit records");
    assert_eq!(step.description(), "Reset strip (2 changes)");
    let words: Vec<String> = step.changes().iter().map(ToString::to_string).collect();
    assert_eq!(words, ["Bass pan C -> R50", "Bass mute off -> on"]);
    h.begin(&s, "Nothing");
    assert!(h.commit(&s).is_none(), "a gesture that changes nothing is no step");
    assert_eq!(h.position(), 1);
}

#[test]
fn a_change_made_around_the_history_becomes_its_own_step() {
    let original = mix();
    let mut s = original.clone();
    let mut h = History::new(&s);
    s.tracks[1].strip.mute = true;
    h.edit(&mut s, "Pan", |s| s.tracks[0].strip.pan.0 = -0.3);
    assert_eq!(descriptions(&h), ["Drums mute off -> on", "Bass pan C -> L30"]);
    assert_eq!(h.steps().next().unwrap().label(), UNTRACKED_LABEL);
    h.undo(&mut s);
    h.undo(&mut s);
    assert_eq!(s, original);
    // And before an undo: the unrecorded change is kept as a step, then undone.
    s.tracks[0].strip.solo = true;
    h.undo(&mut s);
    assert_eq!(s, original);
    assert_eq!(h.redo_description().as_deref(), Some("Bass solo off -> on"));
}

#[test]
fn the_oldest_steps_go_beyond_the_step_limit() {
    let mut s = mix();
    let mut h = History::with_limits(&s, HistoryLimits { max_steps: 10, max_bytes: usize::MAX });
    for i in 1..=25 {
        h.edit(&mut s, "Fader", |s| s.tracks[0].strip.fader_db = Decibels(-f64::from(i)));
    }
    assert_eq!((h.position(), h.dropped_steps()), (10, 15));
    while h.undo(&mut s).is_some() {}
    assert_eq!(s.tracks[0].strip.fader_db, Decibels(-15.0), "back to the state after the 15th edit");
    h.go_to(&mut s, 10);
    assert_eq!(s.tracks[0].strip.fader_db, Decibels(-25.0));
}

fn with_long_lane(points: u64) -> Session {
    let mut s = mix();
    let mut lane = Lane::new(ParamId::Strip(DRUMS, StripParam::Fader));
    lane.points = (0..points)
        .map(|i| Point { time: i * 10, value: -((i % 50) as f64), shape: Default::default() })
        .collect();
    s.automation.push(lane);
    s
}

#[test]
fn unchanged_parts_are_shared_and_the_byte_bound_drops_old_steps() {
    // 50 000 points are about 1.6 MB; 200 fader moves must not copy them.
    let mut s = with_long_lane(50_000);
    let mut h = History::new(&s);
    let start = h.memory_bytes();
    assert!(start > 1_500_000, "{start}");
    for i in 0..200 {
        h.edit(&mut s, "Fader", |s| s.tracks[0].strip.fader_db = Decibels(-0.1 * f64::from(i + 1)));
    }
    assert_eq!(h.position(), 200);
    let per_step = (h.memory_bytes() - start) / 200;
    assert!(per_step < 2_000, "a fader step costs one track's copy, not the lane: {per_step} bytes");

    // Each edit of the lane copies it: 8 MiB hold only a few of them.
    let limit = 8 << 20;
    let mut s = with_long_lane(50_000);
    let mut h = History::with_limits(&s, HistoryLimits { max_steps: 500, max_bytes: limit });
    for i in 0..40u64 {
        h.edit(&mut s, "Draw", |s| {
            s.automation[0].add_point(Point { time: 1_000_000 + i, value: 0.0, shape: Default::default() });
        });
        assert!(h.memory_bytes() <= limit, "edit {i}: {} bytes", h.memory_bytes());
    }
    assert!(h.dropped_steps() > 0 && h.position() >= 1, "dropped {}", h.dropped_steps());
    let before = s.automation[0].points.len();
    h.undo(&mut s);
    assert_eq!(s.automation[0].points.len(), before - 1, "the newest step is always kept");
}

#[test]
fn nudges_within_the_merge_window_join_one_step() {
    let mut s = mix();
    let mut h = History::new(&s);
    h.set_merge_window(Duration::from_secs(60));
    for db in [-3.5, -4.0, -4.5] {
        h.edit(&mut s, "Nudge Bass fader", |s| s.tracks[0].strip.fader_db = Decibels(db));
    }
    h.edit(&mut s, "Nudge Bass pan", |s| s.tracks[0].strip.pan.0 = 0.2);
    assert_eq!(descriptions(&h), ["Bass fader -3.0 dB -> -4.5 dB", "Bass pan C -> R20"]);
    // Nudged back to where it started, the merged step disappears.
    let mut h = History::new(&s);
    h.set_merge_window(Duration::from_secs(60));
    h.edit(&mut s, "Nudge", |s| s.tracks[0].strip.width = 1.5);
    h.edit(&mut s, "Nudge", |s| s.tracks[0].strip.width = 1.0);
    assert_eq!(h.position(), 0);
    // Without a window every nudge is a step.
    let mut h = History::new(&s);
    for db in [-5.0, -6.0] {
        h.edit(&mut s, "Nudge Bass fader", |s| s.tracks[0].strip.fader_db = Decibels(db));
    }
    assert_eq!(h.position(), 2);
}

#[test]
fn a_new_edit_clears_redo_and_modified_follows_the_saved_state() {
    let mut s = mix();
    let mut h = History::new(&s);
    assert!(!h.is_modified(&s));
    h.edit(&mut s, "A", |s| s.tracks[0].strip.mute = true);
    assert!(h.is_modified(&s));
    h.undo(&mut s);
    assert!(!h.is_modified(&s), "undone back to the saved state");
    h.edit(&mut s, "B", |s| s.tracks[0].strip.solo = true);
    assert_eq!(h.redo_description(), None, "a new edit clears redo");
    h.mark_saved(&s);
    assert!(!h.is_modified(&s));
    let r = h.revision();
    h.undo(&mut s);
    assert!(h.is_modified(&s) && h.revision() > r);
}

/// A document that makes every change through typed edits trusts its
/// history: undo and redo then patch only the parts a step changed, and must
/// still land exactly on every earlier state (clips moved across tracks,
/// lanes added, a track removed, the head changed, a whole session replaced).
#[test]
fn a_trusted_history_of_typed_edits_undoes_and_redoes_every_state_exactly() {
    use mixdesk_engine::edit::{ClipAt, Edit};
    let mut s = mix();
    let mut h = History::new(&s);
    h.set_trusted(true);
    let clip = s.tracks[0].clips[0].clone();
    let fader = ParamId::Strip(DRUMS, StripParam::Fader);
    let mut lane = Lane::new(fader);
    lane.points = (0..500)
        .map(|k| Point { time: 100 * k, value: -(k as f64 % 20.0), shape: Default::default() })
        .collect();
    let mut moved = s.clone();
    moved.tempo.bpm = 90.0;
    let steps = vec![
        Edit::Param(fader, -7.0),
        Edit::Lane(fader, Some(lane.clone())),
        Edit::Clip(clip.id, Some(ClipAt { track: TrackId(3), index: 0, clip: clip.clone() })),
        Edit::Track(TrackId(1), None),
        Edit::Loop(Some(mixdesk_engine::session::LoopRange {
            start: SampleTime(0),
            end: SampleTime(10),
            enabled: true,
        })),
        Edit::Session(Box::new(moved)),
        Edit::Lane(fader, Some(lane)),
    ];
    let mut states = vec![s.clone()];
    for e in &steps {
        h.begin(&s, "edit");
        assert!(e.apply(&mut s).is_some(), "{e:?} changed something");
        h.commit(&s);
        states.push(s.clone());
    }
    assert!(h.is_modified(&s));
    for want in states.iter().rev().skip(1) {
        h.undo(&mut s).unwrap();
        assert_eq!(&s, want);
    }
    assert!(!h.is_modified(&s), "back at the saved state");
    for want in states.iter().skip(1) {
        h.redo(&mut s).unwrap();
        assert_eq!(&s, want);
    }
}
