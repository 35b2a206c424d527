//! The parameter control plane through the live callback: a value is written
//! into its parameter's slot and the audio thread applies the newest one at
//! its next callback, so a fast drag never fills the command queue, never
//! lags, and never crowds out the commands that follow it; and on a
//! many-track session every slot reaches its own parameter.

use std::sync::Arc;

use mixdesk_engine::media::Media;
use mixdesk_engine::realtime::{AudioCore, Engine, EngineHandle};
use mixdesk_engine::session::{PanLaw, ParamId, Session, StripParam, StripRef, TrackId};
use mixdesk_tests::{compile_with, media, run_callback, sine_wave, track};

const BUFFER: usize = 256;
const RATE: usize = 48_000;

fn start(session: &Session, sources: &[(&str, Arc<Media>)]) -> (EngineHandle, AudioCore) {
    let (mut handle, core) = Engine::manual(48_000, BUFFER as u32);
    handle.swap_graph(compile_with(session, sources)).unwrap();
    (handle, core)
}

fn db(x: f64) -> f64 {
    10f64.powf(x / 20.0)
}

#[test]
fn a_fast_drag_never_fills_the_queue_and_the_newest_value_plays() {
    let mut s = Session::new(48_000);
    s.pan_law = PanLaw::ZeroDb;
    s.tracks.push(track(1, "dc", 0, 4 * RATE as u64));
    let (mut h, mut core) = start(&s, &[("dc", media(vec![vec![0.5; 4 * RATE]]))]);
    h.play();
    run_callback(&mut core, 8 * BUFFER, BUFFER);
    // 100 000 moves between two callbacks (a drag far faster than any
    // screen), ending at -12 dB.
    let fader = ParamId::Strip(StripRef::Track(TrackId(1)), StripParam::Fader);
    for i in 0..100_000 {
        let _ = h.set_param(fader, -40.0 + 30.0 * f64::from(i % 1000) / 1000.0);
    }
    let _ = h.set_param(fader, -12.0);
    // Commands after the drag still get through: a mute on and off (the
    // level after them is the fader's), and a seek.
    h.set_mute(StripRef::Track(TrackId(1)), true);
    h.set_mute(StripRef::Track(TrackId(1)), false);
    h.seek(RATE as u64);
    let out = run_callback(&mut core, 20 * BUFFER, BUFFER)[0].clone();
    let want = (0.5 * db(-12.0)) as f32;
    let settled = &out[12 * BUFFER..];
    assert!(
        settled.iter().all(|x| (x - want).abs() < 1e-6),
        "the last value of the drag plays: {} .. {}, want {want}",
        settled[0],
        settled[settled.len() - 1]
    );
}

/// Every strip parameter and every processor parameter of a 96-track session
/// with inserts, moved through its slot, ends where a graph compiled with
/// those values plays (so no slot reaches another parameter).
#[test]
fn on_a_96_track_session_every_slot_reaches_its_own_parameter() {
    let tracks = 96u32;
    let len = 2 * RATE;
    let mut s = Session::new(48_000);
    let mut sources = Vec::new();
    let names: Vec<&'static str> =
        (0..tracks).map(|i| &*Box::leak(format!("t{i}").into_boxed_str())).collect();
    let mut inserts = Vec::new();
    for i in 0..tracks {
        s.tracks.push(track(i + 1, names[i as usize], 0, len as u64));
        let r = StripRef::Track(TrackId(i + 1));
        let eq = s.add_processor(r, "eq", usize::MAX).unwrap();
        let comp = s.add_processor(r, "compressor", usize::MAX).unwrap();
        inserts.push((eq, comp));
        let f = 100.0 + 37.0 * f64::from(i);
        sources.push((names[i as usize], media(vec![sine_wave(f, 0.2, len)])));
    }
    // Target values: every fader, pan and every EQ gain and compressor
    // threshold a different number.
    let mut moved = s.clone();
    let mut changes = Vec::new();
    for i in 0..tracks {
        let r = StripRef::Track(TrackId(i + 1));
        changes.push((ParamId::Strip(r, StripParam::Fader), -20.0 + f64::from(i % 17)));
        changes.push((ParamId::Strip(r, StripParam::Pan), -0.9 + 0.02 * f64::from(i % 90)));
        let (eq, comp) = inserts[i as usize];
        let spec = mixdesk_engine::dsp::kind("eq").unwrap();
        for (idx, p) in spec.params.iter().enumerate() {
            if p.key.ends_with("gain") && !spec.structural.contains(&idx) {
                changes.push((ParamId::Processor(eq, idx as u16), -6.0 + f64::from((i + idx as u32) % 12)));
            }
        }
        let spec = mixdesk_engine::dsp::kind("compressor").unwrap();
        let th = spec.params.iter().position(|p| p.key == "threshold").unwrap();
        changes.push((ParamId::Processor(comp, th as u16), -30.0 + f64::from(i % 20)));
    }
    for (id, v) in &changes {
        assert!(moved.set_param(*id, *v), "{id:?}");
    }
    let (mut h, mut live) = start(&s, &sources);
    assert!(h.params().len() >= changes.len());
    h.play();
    run_callback(&mut live, 4 * BUFFER, BUFFER);
    for (id, v) in &changes {
        assert!(h.set_param(*id, *v), "{id:?} has a slot");
    }
    // The reference plays the moved values from the start; both play on
    // to the same point and must agree once the glides and envelopes settle.
    let (mut r, mut reference) = start(&moved, &sources);
    r.play();
    run_callback(&mut reference, 4 * BUFFER, BUFFER);
    let a = run_callback(&mut live, RATE, BUFFER);
    let b = run_callback(&mut reference, RATE, BUFFER);
    let tail = RATE / 2;
    let mut worst = 0.0f32;
    for c in 0..2 {
        for (x, y) in a[c][tail..].iter().zip(&b[c][tail..]) {
            worst = worst.max((x - y).abs());
        }
    }
    let peak = b[0][tail..].iter().fold(0.0f32, |m, x| m.max(x.abs()));
    assert!(peak > 0.1, "the mix plays: peak {peak}");
    assert!(
        worst < 1e-3 * peak,
        "moved live vs compiled with the values: worst difference {worst} (peak {peak})"
    );
}
