//! `mixdesk bench realtime --tracks N`: DSP load of the live engine, i.e. the
//! audio callback's time over the buffer's duration, at 48 kHz and 256-frame
//! buffers, on a synthetic session of N stereo tracks held in memory.
//!
//! The callbacks run back to back on this thread through the engine's real
//! callback path (`AudioCore::render`, the function the cpal callback calls),
//! each timing itself as it does live.

use std::sync::Arc;

use mixdesk_engine::dsp::KindSpec;
use mixdesk_engine::graph::{Graph, compile};
use mixdesk_engine::media::{AudioSource, Media, SourceFormat};
use mixdesk_engine::realtime::{Engine, EngineEvent};
use mixdesk_engine::session::{Bus, BusId, Decibels, Pan, Send, SendId, Session, StripRef, Track, TrackId};
use mixdesk_engine::units::SampleTime;

use super::out::{CliError, outln};

const RATE: u32 = 48_000;

/// The load a session must stay under to count as playable.
const LIMIT: f64 = 0.70;

/// Load figures for one track count.
#[derive(Debug, Clone, Copy)]
struct Load {
    median: f64,
    p99: f64,
    max: f64,
}

/// What to run: tracks, sends per track, seconds per run, buffer frames,
/// whether every track has the chain bench's inserts, and a hosted plugin
/// every track also has.
#[derive(Debug, Clone, Copy)]
pub struct Setup {
    pub tracks: usize,
    pub sends: usize,
    pub seconds: f64,
    pub buffer: u32,
    pub chain: bool,
    pub plugin: Option<&'static KindSpec>,
}

pub fn run(setup: Setup, find: bool) -> Result<(), CliError> {
    let Setup { tracks, sends, seconds, buffer, chain, plugin } = setup;
    let mut inserts = if chain { "HPF + 3 EQ bands + compressor, ".to_owned() } else { String::new() };
    if let Some(p) = plugin {
        inserts += &format!("{}, ", p.name);
    }
    outln!(
        "bench realtime: stereo tracks with {inserts}gain/pan and {sends} post-fader sends each (to {sends} buses), \
         {RATE} Hz, {buffer}-frame buffers, {seconds} s per run"
    );
    outln!("  {:>6}  {:>8}  {:>8}  {:>8}", "tracks", "median", "p99", "max");
    let measure = |n: usize| -> Result<Load, CliError> {
        let l = load(Setup { tracks: n, ..setup })?;
        outln!("  {n:>6}  {:>7.1}%  {:>7.1}%  {:>7.1}%", 100.0 * l.median, 100.0 * l.p99, 100.0 * l.max);
        Ok(l)
    };
    if !find {
        measure(tracks)?;
        return Ok(());
    }
    // Double until the 99th percentile passes the limit, then bisect.
    let (mut ok, mut bad) = (0usize, tracks.max(1));
    while measure(bad)?.p99 < LIMIT {
        ok = bad;
        bad *= 2;
    }
    while bad - ok > (ok / 20).max(1) {
        let mid = (ok + bad) / 2;
        if measure(mid)?.p99 < LIMIT { ok = mid } else { bad = mid }
    }
    outln!("  largest track count with the 99th percentile under {:.0} %: {ok}", 100.0 * LIMIT);
    Ok(())
}

fn load(Setup { tracks, sends, seconds, buffer, chain, plugin }: Setup) -> Result<Load, String> {
    let frames = (seconds * f64::from(RATE)) as usize;
    let graph = graph_with(tracks, sends, chain, plugin, frames)?;
    let (mut handle, mut core) = Engine::manual(RATE, buffer);
    handle.swap_graph(graph).expect("rates match");
    handle.play();
    let mut buf = vec![0.0f32; buffer as usize * 2];
    let mut loads = Vec::with_capacity(frames / buffer as usize);
    for _ in 0..frames / buffer as usize {
        core.render(&mut buf, 2);
        handle.poll(|e| {
            if let EngineEvent::Tick { load, .. } = e {
                loads.push(f64::from(load));
            }
        });
    }
    // Leave out the first callbacks (graph swap, cold caches).
    let mut v: Vec<f64> = loads.into_iter().skip(20).collect();
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q) as usize];
    Ok(Load { median: at(0.5), p99: at(0.99), max: at(1.0) })
}

/// The synthetic session of `tracks` stereo tracks of `frames` each, compiled.
pub(super) fn graph(tracks: usize, sends: usize, chain: bool, frames: usize) -> Result<Graph, String> {
    graph_with(tracks, sends, chain, None, frames)
}

/// [`graph`] with hosted plugin `plugin` on every track too.
fn graph_with(
    tracks: usize,
    sends: usize,
    chain: bool,
    plugin: Option<&'static KindSpec>,
    frames: usize,
) -> Result<Graph, String> {
    let media: Vec<Arc<dyn AudioSource>> = (0..tracks).map(|i| synthetic(i, frames)).collect();
    let mut session = Session::new(RATE);
    for i in 0..tracks {
        let id = 1 + 2 * i as u32;
        let mut t =
            Track::with_one_clip(id, format!("T{i}"), format!("{i}").into(), SampleTime(frames as u64));
        t.strip.pan.0 = (i % 9) as f64 / 4.0 - 1.0;
        for k in 0..sends {
            t.strip.sends.push(Send {
                id: SendId(1_000_000 + (i * sends + k) as u32),
                target: BusId(900_000 + k as u32),
                level_db: Decibels(-12.0),
                pan: Pan::CENTRE,
                pre_fader: false,
            });
        }
        session.tracks.push(t);
        if chain {
            super::bench_chain::add_track_inserts(&mut session, StripRef::Track(TrackId(id)))?;
        }
        if let Some(p) = plugin {
            session
                .add_processor(StripRef::Track(TrackId(id)), p.kind, usize::MAX)
                .map_err(|e| e.to_string())?;
        }
    }
    for k in 0..sends {
        session.buses.push(Bus::new(BusId(900_000 + k as u32), format!("Bus {k}")));
    }
    let source = |c: &mixdesk_engine::session::Clip| {
        c.media.to_str().and_then(|s| s.parse::<usize>().ok()).map(|i| media[i].clone())
    };
    compile(&session, &source, 4096).map_err(|e| e.to_string())
}

/// A stereo source of two detuned sines, distinct per track.
fn synthetic(i: usize, frames: usize) -> Arc<dyn AudioSource> {
    let step = std::f64::consts::TAU * 110.0 * (1.0 + i as f64 * 0.07) / f64::from(RATE);
    let ch =
        |k: f64| (0..frames).map(|n| (0.06 * (n as f64 * step * k).sin()) as f32).collect::<Box<[f32]>>();
    Arc::new(Media {
        channels: vec![ch(1.0), ch(1.01)],
        sample_rate: RATE,
        original: SourceFormat {
            sample_rate: RATE,
            channels: 2,
            bits_per_sample: None,
            codec: "synthetic".into(),
        },
    })
}
