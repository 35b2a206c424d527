//! The scripted edits of the crash test: a session and a deterministic edit
//! for every number, so the state after any number of edits is known and a
//! recovered file can be checked exactly.

use std::path::PathBuf;

use mixdesk_engine::session::{
    AutoMode, Lane, Marker, MarkerId, ParamId, Point, SampleTime, Session, StripParam, StripRef, Track,
};

/// Tracks in the scripted session.
pub const TRACKS: u32 = 16;

/// The id of the marker whose position counts the edits applied.
pub const COUNTER: MarkerId = MarkerId(1000);

/// The session before any edit: 16 tracks, a long fader automation lane (so
/// a save takes a moment), and the edit counter at 0.
pub fn initial() -> Session {
    let mut s = Session::new(48_000);
    for i in 0..TRACKS {
        let id = 1 + 2 * i;
        s.tracks.push(Track::with_one_clip(
            id,
            format!("Track {}", i + 1),
            PathBuf::from(format!("media/t{i}.wav")),
            SampleTime(480_000),
        ));
    }
    let points = (0..20_000u64)
        .map(|i| Point { time: i * 480, value: -((i % 60) as f64), shape: Default::default() })
        .collect();
    s.automation.push(Lane {
        param: ParamId::Strip(StripRef::Track(mixdesk_engine::session::TrackId(1)), StripParam::Fader),
        mode: AutoMode::Read,
        points,
    });
    s.markers.push(Marker { id: COUNTER, name: "edits".into(), position: SampleTime(0) });
    s
}

/// How many scripted edits `s` holds.
pub fn count(s: &Session) -> u64 {
    s.markers.iter().find(|m| m.id == COUNTER).map_or(0, |m| m.position.0)
}

/// Applies edit number `k` (1, 2, ...) to the state after edit `k - 1`.
pub fn apply(s: &mut Session, k: u64) {
    let track = (k % u64::from(TRACKS)) as usize;
    s.tracks[track].strip.fader_db.0 = -((k % 97) as f64) * 0.5;
    if k.is_multiple_of(7) {
        s.tracks[track].strip.pan.0 = ((k % 21) as f64 - 10.0) / 10.0;
    }
    if k.is_multiple_of(50) {
        let lane = &mut s.automation[0];
        lane.points.push(Point {
            time: 10_000_000 + k,
            value: -((k % 30) as f64),
            shape: Default::default(),
        });
    }
    if let Some(m) = s.markers.iter_mut().find(|m| m.id == COUNTER) {
        m.position = SampleTime(k);
    }
}

/// The session after edits 1 to `k`.
pub fn state_after(k: u64) -> Session {
    let mut s = initial();
    for i in 1..=k {
        apply(&mut s, i);
    }
    s
}
