//! Compiling a session into a [`Graph`]: resolve media, build insert chains,
//! order strips so each runs after everything feeding it (see `schedule`),
//! compensate latency (sidechain keys included), fold gains into matrices,
//! and work out solo-in-place.
//! Runs off the audio thread.

use std::collections::HashMap;
use std::sync::Arc;

use thiserror::Error;

use super::chain::{Chain, Insert};
use super::clip::ClipPlayer;
use super::delay::Delay;
use super::gains::StripGains;
use super::meter::StripMeter;
use super::schedule::{Source, Stage, StripTiming, Timed, compensate, plan};
use super::solo::{SoloScratch, update_audibility};
use super::{BusNode, Graph, Slot, SlotDelay, TrackNode};
use crate::dsp::{self, DspContext};
use crate::media::AudioSource;
use crate::session::{BusId, Clip, Output, Session, Strip, StripRef, validate};
use crate::smooth::{DECLICK_SECONDS, Declick, ramp_samples};

/// Why a session cannot be turned into a render graph.
#[derive(Debug, Error)]
pub enum GraphError {
    /// The session is structurally invalid.
    #[error(transparent)]
    Invalid(#[from] crate::session::ValidationError),
    /// A processor kind this build does not have.
    #[error(
        "{strip} uses a '{kind}' processor, which this version of Mixdesk does not have; remove \
         it or open the session with the Mixdesk that made it"
    )]
    UnknownProcessor {
        /// The strip, in words.
        strip: String,
        /// The processor kind.
        kind: String,
    },
    /// A hosted plugin that is installed but would not start.
    #[error("{strip}: {error}")]
    Plugin {
        /// The strip, in words.
        strip: String,
        /// What the plugin said, naming it.
        error: crate::plugins::PluginError,
    },
}

/// Builds the graph for `session`. `source` supplies each clip's audio (`None`
/// plays the clip as silence, e.g. when its media is missing). Blocks passed to
/// [`Graph::process`] may be up to `max_block` frames.
pub fn compile(
    session: &Session,
    source: &dyn Fn(&Clip) -> Option<Arc<dyn AudioSource>>,
    max_block: usize,
) -> Result<Graph, GraphError> {
    validate(session)?;
    check_processors(session)?;
    let plan = plan(session);
    let bus_slot: HashMap<BusId, Slot> =
        plan.buses.iter().enumerate().map(|(i, &b)| (session.buses[b].id, 1 + i)).collect();
    let mut slots = 1 + plan.buses.len();
    // One key slot per strip and tap (pre- or post-fader) that keys a sidechain.
    let mut key_slot: HashMap<(StripRef, bool), Slot> = HashMap::new();
    let all_strips = session
        .tracks
        .iter()
        .map(|t| &t.strip)
        .chain(session.buses.iter().map(|b| &b.strip))
        .chain([&session.master]);
    for p in all_strips.flat_map(|s| s.processors.iter()) {
        if let Some(src) = p.sidechain {
            key_slot.entry((src, p.sidechain_post_fader)).or_insert_with(|| {
                slots += 1;
                slots - 1
            });
        }
    }
    let slot = |o: Output| match o {
        Output::Master => 0,
        Output::Bus(b) => bus_slot[&b],
    };
    let targets = |strip: &Strip, out: Output| -> Vec<Slot> {
        std::iter::once(slot(out)).chain(strip.sends.iter().map(|s| bus_slot[&s.target])).collect()
    };
    let law = session.pan_law;
    let rate = session.sample_rate;
    let ctx = DspContext { sample_rate: rate, max_block, bpm: session.tempo.bpm };
    let declick = ramp_samples(DECLICK_SECONDS, rate);
    let chain_of = |strip: &Strip| -> Result<Chain, crate::plugins::PluginError> {
        let inserts = strip
            .processors
            .iter()
            .map(|p| {
                let kind = dsp::kind_or_missing(&p.kind).expect("checked by check_processors");
                let values = kind.values(p);
                let dsp = if std::ptr::eq(kind, &crate::plugins::MISSING) {
                    Box::new(crate::plugins::PassThrough)
                } else {
                    kind.instantiate(&ctx, p)?
                };
                let key = p.sidechain.map(|s| key_slot[&(s, p.sidechain_post_fader)]);
                Ok(Insert::new(p.id, kind, dsp, values, Declick::new(!p.bypassed, declick), key))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Chain::new(inserts, max_block))
    };
    let plugin_error = |strip: String| move |error| GraphError::Plugin { strip, error };
    let key_inputs = |strip: &Strip| -> Vec<Slot> {
        let buses = strip.processors.iter().filter_map(|p| match p.sidechain {
            Some(StripRef::Bus(b)) => Some(bus_slot[&b]),
            _ => None,
        });
        let mut v: Vec<Slot> = buses.collect();
        v.dedup();
        v
    };
    let key_out = |r: StripRef| [key_slot.get(&(r, false)).copied(), key_slot.get(&(r, true)).copied()];
    let gains = |channels: usize, strip: &Strip, split: bool, keys: [Option<Slot>; 2]| {
        let mut g = StripGains::new(law, channels, strip, rate, max_block, split, |s| bus_slot[&s.target]);
        g.give_keys(keys.map(|k| k.is_some()));
        g
    };

    let mut tracks: Vec<TrackNode> = plan
        .tracks
        .iter()
        .map(|&i| {
            let t = &session.tracks[i];
            let clips: Vec<ClipPlayer> = t.clips.iter().map(|c| ClipPlayer::new(c, source(c))).collect();
            let channels = match t.layout {
                crate::session::Layout::Mono => 1,
                crate::session::Layout::Stereo => 2,
                crate::session::Layout::Auto
                    if clips.iter().any(|c| c.source.as_ref().is_some_and(|s| s.channel_count() > 1)) =>
                {
                    2
                }
                crate::session::Layout::Auto => 1,
            };
            let chain = chain_of(&t.strip).map_err(plugin_error(format!("track '{}'", t.name)))?;
            Ok(TrackNode {
                id: t.id,
                clips,
                channels,
                input: [vec![0.0; max_block], vec![0.0; max_block]],
                out: [vec![0.0; max_block], vec![0.0; max_block]],
                // Two blocks: a mono track folds a stereo clip from both channels.
                scratch: vec![0.0; 2 * max_block],
                gains: gains(channels, &t.strip, !chain.is_empty(), key_out(StripRef::Track(t.id))),
                read_ahead: 0,
                early: Delay::new(0),
                key: [Vec::new(), Vec::new()],
                latency: 0,
                chain,
                dest: slot(t.output),
                targets: targets(&t.strip, t.output),
                key_out: key_out(StripRef::Track(t.id)),
                key_inputs: key_inputs(&t.strip),
                meter: StripMeter::new(t.strip.meter, false),
                bad: 0,
                out_written: false,
            })
        })
        .collect::<Result<_, GraphError>>()?;

    let mut buses: Vec<BusNode> = plan
        .buses
        .iter()
        .map(|&i| {
            let b = &session.buses[i];
            let chain = chain_of(&b.strip).map_err(plugin_error(format!("bus '{}'", b.name)))?;
            Ok(BusNode {
                id: b.id,
                input: [vec![0.0; max_block], vec![0.0; max_block]],
                out: [vec![0.0; max_block], vec![0.0; max_block]],
                gains: gains(2, &b.strip, !chain.is_empty(), key_out(StripRef::Bus(b.id))),
                chain,
                dest: slot(b.output),
                targets: targets(&b.strip, b.output),
                key_out: key_out(StripRef::Bus(b.id)),
                key_inputs: key_inputs(&b.strip),
                meter: StripMeter::new(b.strip.meter, false),
                latency: 0,
            })
        })
        .collect::<Result<_, GraphError>>()?;

    // Members start at their VCA's values.
    for b in session.buses.iter().filter(|b| b.is_vca()) {
        for m in &b.vca.as_ref().expect("a VCA").members {
            let g = match m {
                StripRef::Track(id) => tracks.iter_mut().find(|t| t.id == *id).map(|t| &mut t.gains),
                StripRef::Bus(id) => buses.iter_mut().find(|x| x.id == *id).map(|x| &mut x.gains),
                StripRef::Master => None,
            };
            if let Some(g) = g {
                g.start_vca(b.strip.fader_db.0, b.strip.mute);
            }
        }
    }
    let mut solo = SoloScratch::new(slots);
    update_audibility(&mut tracks, &mut buses, &mut solo);
    tracks.iter_mut().for_each(|t| t.gains.settle_now());
    buses.iter_mut().for_each(|b| b.gains.settle_now());
    let mut master_chain = chain_of(&session.master).map_err(plugin_error("the master".to_owned()))?;
    let master = StripGains::new(law, 2, &session.master, rate, max_block, !master_chain.is_empty(), |_| 0);

    // Delay compensation: every input of a slot arrives aligned, every key in
    // time with the insert it keys. Sources are numbered in processing order.
    let order: Vec<(StripRef, &Strip)> = plan
        .stages
        .iter()
        .flat_map(|stage| match stage {
            Stage::Tracks(r) => r
                .clone()
                .map(|i| {
                    let t = &session.tracks[plan.tracks[i]];
                    (StripRef::Track(t.id), &t.strip)
                })
                .collect::<Vec<_>>(),
            Stage::Bus(i) => {
                let b = &session.buses[plan.buses[*i]];
                vec![(StripRef::Bus(b.id), &b.strip)]
            }
        })
        .collect();
    let source_of: HashMap<StripRef, usize> = order.iter().enumerate().map(|(k, (r, _))| (*r, k)).collect();
    let timed = |strip: &Strip, chain: &Chain| -> Vec<Timed> {
        let keys = strip.processors.iter().map(|p| p.sidechain.map(|s| source_of[&s]));
        chain.inserts.iter().zip(keys).map(|(ins, key)| Timed { latency: ins.latency, key }).collect()
    };
    let sources: Vec<Source> = plan
        .stages
        .iter()
        .flat_map(|stage| match stage {
            Stage::Tracks(r) => {
                r.clone().map(|i| (&tracks[i].chain, &tracks[i].targets, None)).collect::<Vec<_>>()
            }
            Stage::Bus(i) => vec![(&buses[*i].chain, &buses[*i].targets, Some(1 + i))],
        })
        .zip(&order)
        .map(|((chain, targets, input), (_, strip))| Source {
            input,
            inserts: timed(strip, chain),
            targets: targets.clone(),
        })
        .collect();
    let timing = compensate(slots, &sources, &timed(&session.master, &master_chain));
    let mut virtual_slot: HashMap<(Slot, usize), Slot> = HashMap::new();
    let mut delays: Vec<SlotDelay> = Vec::new();
    let mut retarget = |to: Slot, delay: usize| -> Slot {
        if delay == 0 {
            return to;
        }
        *virtual_slot.entry((to, delay)).or_insert_with(|| {
            delays.push(SlotDelay::new(slots, to, delay));
            slots += 1;
            slots - 1
        })
    };
    let mut place = |dest: &mut Slot, gains: &mut StripGains, chain: &mut Chain, st: &StripTiming| {
        chain.set_timing(&st.chain, max_block);
        *dest = retarget(*dest, st.delays[0]);
        for (s, delay) in gains.sends.iter_mut().zip(&st.delays[1..]) {
            s.slot = retarget(s.slot, *delay);
        }
    };
    let mut timings = timing.strips.iter();
    for stage in &plan.stages {
        match stage {
            Stage::Tracks(r) => {
                for t in &mut tracks[r.clone()] {
                    let st = timings.next().expect("one timing per source");
                    t.read_ahead = st.read_ahead as u64;
                    t.latency = st.arrival;
                    if st.early > 0 {
                        t.early = Delay::new(st.early);
                        t.key = [vec![0.0; max_block], vec![0.0; max_block]];
                    }
                    place(&mut t.dest, &mut t.gains, &mut t.chain, st);
                }
            }
            Stage::Bus(i) => {
                let b = &mut buses[*i];
                let st = timings.next().expect("one timing per source");
                b.latency = st.arrival;
                place(&mut b.dest, &mut b.gains, &mut b.chain, st);
            }
        }
    }
    master_chain.set_timing(&timing.master, max_block);
    delays.sort_by_key(|d| d.to);
    let latency = timing.latency;
    let mut graph = Graph {
        sample_rate: session.sample_rate,
        max_block,
        tracks,
        buses,
        stages: plan.stages,
        delays,
        master,
        master_chain,
        master_in: [vec![0.0; max_block], vec![0.0; max_block]],
        master_meter: StripMeter::new(session.master.meter, true),
        sums: [vec![vec![0.0; max_block]; slots], vec![vec![0.0; max_block]; slots]],
        solo,
        metering: false,
        track_outputs: true,
        non_finite_samples: 0,
        bad_strip: None,
        latency,
        slots: Vec::new(),
        params: crate::control::ParamMap::new(&[]),
        vcas: Vec::new(),
    };
    graph.attach_vcas(session);
    graph.attach_automation(session);
    graph.assign_slots(session);
    Ok(graph)
}

fn check_processors(session: &Session) -> Result<(), GraphError> {
    let strips = session
        .tracks
        .iter()
        .map(|t| (format!("track '{}'", t.name), &t.strip))
        .chain(session.buses.iter().map(|b| (format!("bus '{}'", b.name), &b.strip)))
        .chain([("the master".to_owned(), &session.master)]);
    for (name, strip) in strips {
        if let Some(p) = strip.processors.iter().find(|p| dsp::kind_or_missing(&p.kind).is_none()) {
            return Err(GraphError::UnknownProcessor { strip: name, kind: p.kind.clone() });
        }
    }
    Ok(())
}
