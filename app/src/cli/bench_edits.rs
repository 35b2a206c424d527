//! `mixdesk bench edits --tracks N --points P`: what one fader move costs the
//! window's document on a big session (N tracks, each with an EQ and a
//! compressor and two automation lanes of P points), beside what one copy of
//! that session costs (the old path copied and compared the session 3-5
//! times per mouse move). No audio device and no media are needed.

use std::time::Instant;

use mixdesk_engine::edit::{Edit, ProcessorAt};
use mixdesk_engine::session::{Lane, ParamId, Point, Session, Shape, StripParam, StripRef, Track, TrackId};
use mixdesk_engine::units::SampleTime;

use super::cpu_time::cpu_seconds;
use super::out::{CliError, outln};
use crate::gui::document::Document;

/// A session of `tracks` tracks with inserts and `points`-point lanes.
fn session(tracks: usize, points: usize) -> Session {
    let mut s = Session::new(48_000);
    for i in 0..tracks {
        let id = 1 + 2 * i as u32;
        s.tracks.push(Track::with_one_clip(
            id,
            format!("T{i}"),
            format!("media/t{i}.wav").into(),
            SampleTime(480_000),
        ));
        let r = StripRef::Track(TrackId(id));
        for kind in ["eq", "compressor"] {
            let processor = s.new_processor(kind).expect("a built-in kind");
            let at = ProcessorAt { strip: r, index: usize::MAX, processor };
            Edit::Processor(at.processor.id, Some(at)).apply(&mut s);
        }
        for p in [StripParam::Pan, StripParam::Width] {
            let mut lane = Lane::new(ParamId::Strip(r, p));
            lane.points = (0..points)
                .map(|k| Point { time: 480 * k as u64, value: (k % 7) as f64 / 7.0, shape: Shape::Linear })
                .collect();
            s.automation.push(lane);
        }
    }
    s
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

pub fn run(tracks: usize, points: usize, moves: usize) -> Result<(), CliError> {
    let tracks = tracks.max(1);
    let s = session(tracks, points);
    outln!("session: {tracks} tracks, 2 inserts and 2 lanes of {points} points each");
    let copies: Vec<f64> = (0..20)
        .map(|_| {
            let t = Instant::now();
            let c = s.clone();
            let took = t.elapsed().as_secs_f64();
            drop(std::hint::black_box(c));
            took
        })
        .collect();
    let copy = median(copies);
    outln!("one copy of the session: {:.3} ms (median of 20)", copy * 1e3);

    let mut doc = Document::new(s, None);
    let fader = ParamId::Strip(StripRef::Track(TrackId(1)), StripParam::Fader);
    let (cpu, wall) = (cpu_seconds(), Instant::now());
    let mut each = Vec::with_capacity(moves);
    for k in 0..moves.max(1) {
        let t = Instant::now();
        let v = -40.0 + 40.0 * (k % 1000) as f64 / 1000.0;
        doc.gesture_edits("fader", format!("fader -> {v:.1}"), vec![Edit::Param(fader, v)]);
        std::hint::black_box(doc.take_outbox());
        each.push(t.elapsed().as_secs_f64());
    }
    let (wall, cpu) = (wall.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    outln!(
        "one fader move (edit applied, sent to the outbox): median {:.2} µs, {moves} moves in {:.1} ms wall, {:.1} ms CPU",
        median(each) * 1e6,
        wall * 1e3,
        cpu * 1e3
    );
    let t = Instant::now();
    doc.end_gesture();
    outln!("the drag's undo step (snapshot and words): {:.3} ms", t.elapsed().as_secs_f64() * 1e3);
    let t = Instant::now();
    let mute = mixdesk_engine::edit::Edit::Switch(
        StripRef::Track(TrackId(1)),
        mixdesk_engine::edit::Switch::Mute,
        true,
    );
    doc.apply("mute", "mute", mute);
    outln!("one click (a mute, one undo step): {:.3} ms", t.elapsed().as_secs_f64() * 1e3);
    let t = Instant::now();
    doc.undo();
    outln!("its undo: {:.3} ms", t.elapsed().as_secs_f64() * 1e3);
    outln!(
        "a move costs {:.5} of a session copy (the old path made 3-5 copies and 2 comparisons per move)",
        median_move_ratio(&doc, copy)
    );
    Ok(())
}

/// One more move timed alone, over the cost of a copy.
fn median_move_ratio(doc: &Document, copy: f64) -> f64 {
    let mut d = Document::new(doc.session.clone(), None);
    let fader = ParamId::Strip(StripRef::Track(TrackId(1)), StripParam::Fader);
    let times: Vec<f64> = (0..200)
        .map(|k| {
            let t = Instant::now();
            d.gesture_edits("f", "f", vec![Edit::Param(fader, -f64::from(k % 40))]);
            d.take_outbox();
            t.elapsed().as_secs_f64()
        })
        .collect();
    median(times) / copy
}
