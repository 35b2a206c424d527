//! Compiling a session into a [`Graph`]: resolve media, order buses so every
//! bus comes after everything feeding it, fold gains into matrices, and work
//! out solo-in-place. Runs off the audio thread.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use thiserror::Error;

use super::clip::ClipPlayer;
use super::gains::StripGains;
use super::solo::{SoloScratch, update_audibility};
use super::{BusNode, Graph, Meter, Slot, TrackNode};
use crate::media::AudioSource;
use crate::session::{BusId, Clip, Output, Session, Strip, validate};

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
    let order = bus_order(session);
    let slot_of: HashMap<BusId, Slot> = order.iter().enumerate().map(|(i, id)| (*id, 1 + i)).collect();
    let slot = |o: Output| match o {
        Output::Master => 0,
        Output::Bus(b) => slot_of[&b],
    };
    let targets = |strip: &Strip, out: Output| -> Vec<Slot> {
        std::iter::once(slot(out)).chain(strip.sends.iter().map(|s| slot_of[&s.target])).collect()
    };
    let law = session.pan_law;
    let rate = session.sample_rate;
    let gains = |channels: usize, strip: &Strip| {
        StripGains::new(law, channels, strip, rate, max_block, |s| slot_of[&s.target])
    };

    let mut tracks: Vec<TrackNode> = session
        .tracks
        .iter()
        .map(|t| {
            let clips: Vec<ClipPlayer> = t.clips.iter().map(|c| ClipPlayer::new(c, source(c))).collect();
            let channels = if clips.iter().any(|c| c.source.as_ref().is_some_and(|s| s.channel_count() > 1)) {
                2
            } else {
                1
            };
            TrackNode {
                id: t.id,
                clips,
                channels,
                input: [vec![0.0; max_block], vec![0.0; max_block]],
                out: [vec![0.0; max_block], vec![0.0; max_block]],
                scratch: vec![0.0; max_block],
                gains: gains(channels, &t.strip),
                dest: slot(t.output),
                targets: targets(&t.strip, t.output),
                meter: Meter::default(),
                bad: 0,
            }
        })
        .collect();

    let mut buses: Vec<BusNode> = order
        .iter()
        .map(|id| {
            let b = session.bus(*id).expect("bus order lists only existing buses");
            BusNode {
                id: b.id,
                input: [vec![0.0; max_block], vec![0.0; max_block]],
                out: [vec![0.0; max_block], vec![0.0; max_block]],
                gains: gains(2, &b.strip),
                dest: slot(b.output),
                targets: targets(&b.strip, b.output),
                meter: Meter::default(),
            }
        })
        .collect();

    let slots = 1 + order.len();
    let mut solo = SoloScratch::new(slots);
    update_audibility(&mut tracks, &mut buses, &mut solo);
    tracks.iter_mut().for_each(|t| t.gains.settle_now());
    buses.iter_mut().for_each(|b| b.gains.settle_now());
    let master = StripGains::new(law, 2, &session.master, rate, max_block, |_| 0);
    Ok(Graph {
        sample_rate: session.sample_rate,
        max_block,
        tracks,
        buses,
        master,
        master_meter: Meter::default(),
        sums: [vec![vec![0.0; max_block]; slots], vec![vec![0.0; max_block]; slots]],
        solo,
        metering: false,
        non_finite_samples: 0,
        bad_strip: None,
    })
}

fn check_processors(session: &Session) -> Result<(), GraphError> {
    let strips = session
        .tracks
        .iter()
        .map(|t| (format!("track '{}'", t.name), &t.strip))
        .chain(session.buses.iter().map(|b| (format!("bus '{}'", b.name), &b.strip)))
        .chain([("the master".to_owned(), &session.master)]);
    for (name, strip) in strips {
        if let Some(p) = strip.processors.first() {
            return Err(GraphError::UnknownProcessor { strip: name, kind: p.kind.clone() });
        }
    }
    Ok(())
}

/// Buses ordered so that every bus comes after all buses that feed it (Kahn's
/// algorithm; validation has already refused loops). Ties keep session order.
fn bus_order(session: &Session) -> Vec<BusId> {
    let feeds = |b: &crate::session::Bus| -> Vec<BusId> {
        let mut v: Vec<BusId> = b.strip.sends.iter().map(|s| s.target).collect();
        if let Output::Bus(o) = b.output {
            v.push(o);
        }
        v
    };
    let mut indegree: HashMap<BusId, usize> = session.buses.iter().map(|b| (b.id, 0)).collect();
    for b in &session.buses {
        for t in feeds(b) {
            *indegree.entry(t).or_default() += 1;
        }
    }
    let mut order = Vec::with_capacity(session.buses.len());
    let mut placed = HashSet::new();
    while order.len() < session.buses.len() {
        let next = session
            .buses
            .iter()
            .find(|b| !placed.contains(&b.id) && indegree[&b.id] == 0)
            .expect("validated sessions have no routing loops");
        placed.insert(next.id);
        order.push(next.id);
        for t in feeds(next) {
            *indegree.get_mut(&t).expect("validated targets exist") -= 1;
        }
    }
    order
}
