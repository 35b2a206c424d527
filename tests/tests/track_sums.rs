//! A bounce without stems sums each track straight from its inserts' output
//! through its fader and pan, without writing the track's output buffer
//! (`Graph::set_track_outputs(false)`). The mix must be bit-identical to the
//! one made by writing the outputs and adding them, for every kind of gain the
//! strips apply: mono pan, stereo width and balance (a full matrix), and fader
//! and pan automation gliding within blocks.

use mixdesk_engine::graph::{Graph, Serial};
use mixdesk_engine::session::{
    AutoMode, Decibels, Lane, Pan, ParamId, Point, Session, Shape, StripParam, StripRef, TrackId,
};
use mixdesk_tests::{compile_with, media, noise, track};

fn session(frames: u64) -> Session {
    let mut s = Session::new(48_000);
    let mut mono = track(1, "mono", 0, frames);
    mono.strip.pan = Pan(-0.3);
    mono.strip.fader_db = Decibels(-4.0);
    s.tracks.push(mono);
    let mut wide = track(2, "stereo", 100, frames - 100);
    wide.strip.width = 0.5;
    wide.strip.pan = Pan(0.4);
    s.tracks.push(wide);
    s.tracks.push(track(3, "stereo", 0, frames));
    let lane = |track: u32, p: StripParam, points: Vec<(u64, f64)>| Lane {
        param: ParamId::Strip(StripRef::Track(TrackId(track)), p),
        mode: AutoMode::Read,
        points: points.into_iter().map(|(time, value)| Point { time, value, shape: Shape::Linear }).collect(),
    };
    s.automation.push(lane(3, StripParam::Fader, vec![(0, -20.0), (30_000, 0.0), (50_000, -6.0)]));
    s.automation.push(lane(1, StripParam::Pan, vec![(5_000, -1.0), (40_000, 1.0)]));
    s.automation.push(lane(2, StripParam::Width, vec![(0, 0.0), (60_000, 1.0)]));
    s
}

fn mix(graph: &mut Graph, frames: usize, block: usize) -> [Vec<f32>; 2] {
    let (mut l, mut r) = (vec![0.0; frames], vec![0.0; frames]);
    let mut pos = 0;
    while pos < frames {
        let n = block.min(frames - pos);
        graph.process(pos as u64, &mut l[pos..pos + n], &mut r[pos..pos + n], &Serial);
        pos += n;
    }
    [l, r]
}

#[test]
fn summing_without_track_outputs_is_bit_identical() {
    let frames = 70_000;
    let s = session(frames as u64);
    let sources = [
        ("mono", media(vec![noise(1, frames, 0.5)])),
        ("stereo", media(vec![noise(2, frames, 0.5), noise(3, frames, 0.3)])),
    ];
    let mut written = compile_with(&s, &sources);
    let mut summed = compile_with(&s, &sources);
    summed.set_track_outputs(false);
    for block in [4096, 333] {
        let a = mix(&mut written, frames, block);
        let b = mix(&mut summed, frames, block);
        assert!(a[0].iter().any(|x| x.abs() > 0.1), "the mix is not silent");
        let differ = a
            .iter()
            .zip(&b)
            .map(|(x, y)| x.iter().zip(y).filter(|(p, q)| p.to_bits() != q.to_bits()).count());
        assert_eq!(differ.sum::<usize>(), 0, "block {block}");
    }
}
