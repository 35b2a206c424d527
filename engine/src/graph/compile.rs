//! Compiling a session into a [`Graph`]: resolve media, order buses so every
//! bus comes after everything feeding it, fold gains into matrices, and work
//! out solo-in-place. Runs off the audio thread.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use thiserror::Error;

use super::clip::ClipPlayer;
use super::pan::strip_matrix;
use super::{BusNode, Graph, Matrix32, SendNode, Slot, TrackNode};
use crate::media::AudioSource;
use crate::session::{BusId, Clip, Output, PanLaw, Session, Strip, validate};

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
    let audible = Audibility::new(session);
    let law = session.pan_law;

    let tracks = session
        .tracks
        .iter()
        .map(|t| {
            let clips: Vec<ClipPlayer> = t.clips.iter().map(|c| ClipPlayer::new(c, source(c))).collect();
            let channels = if clips.iter().any(|c| c.source.as_ref().is_some_and(|s| s.channel_count() > 1)) {
                2
            } else {
                1
            };
            let on = audible.track(t.id.0);
            TrackNode {
                id: t.id,
                clips,
                channels,
                input: [vec![0.0; max_block], vec![0.0; max_block]],
                out: [vec![0.0; max_block], vec![0.0; max_block]],
                scratch: vec![0.0; max_block],
                main: main_matrix(law, channels, &t.strip, on),
                dest: slot(t.output),
                sends: sends(law, channels, &t.strip, on, &slot_of),
            }
        })
        .collect();

    let buses = order
        .iter()
        .map(|id| {
            let b = session.bus(*id).expect("bus order lists only existing buses");
            let on = audible.bus(b.id);
            BusNode {
                id: b.id,
                input: [vec![0.0; max_block], vec![0.0; max_block]],
                out: [vec![0.0; max_block], vec![0.0; max_block]],
                main: main_matrix(law, 2, &b.strip, on),
                dest: slot(b.output),
                sends: sends(law, 2, &b.strip, on, &slot_of),
            }
        })
        .collect();

    let slots = 1 + order.len();
    Ok(Graph {
        sample_rate: session.sample_rate,
        max_block,
        tracks,
        buses,
        master: main_matrix(law, 2, &session.master, true),
        sums: [vec![vec![0.0; max_block]; slots], vec![vec![0.0; max_block]; slots]],
        non_finite_samples: 0,
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

/// Input gain (trim and polarity) times fader, pan and width; zero when not audible.
fn main_matrix(law: PanLaw, channels: usize, strip: &Strip, audible: bool) -> Matrix32 {
    let gain = if audible && !strip.mute { input_gain(strip) * strip.fader_db.to_gain().0 } else { 0.0 };
    to_f32(strip_matrix(law, channels, strip.pan.0, strip.width, gain))
}

fn input_gain(strip: &Strip) -> f64 {
    let sign = if strip.polarity_inverted { -1.0 } else { 1.0 };
    sign * strip.trim_db.to_gain().0
}

fn sends(
    law: PanLaw,
    channels: usize,
    strip: &Strip,
    audible: bool,
    slots: &HashMap<BusId, Slot>,
) -> Vec<SendNode> {
    strip
        .sends
        .iter()
        .map(|s| {
            let gain = if !audible {
                0.0
            } else if s.pre_fader {
                input_gain(strip) * s.level_db.to_gain().0
            } else if strip.mute {
                0.0
            } else {
                input_gain(strip) * strip.fader_db.to_gain().0 * s.level_db.to_gain().0
            };
            SendNode {
                slot: slots[&s.target],
                matrix: to_f32(strip_matrix(law, channels, s.pan.0, 1.0, gain)),
            }
        })
        .collect()
}

fn to_f32(m: [[f64; 2]; 2]) -> Matrix32 {
    [[m[0][0] as f32, m[0][1] as f32], [m[1][0] as f32, m[1][1] as f32]]
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

/// Solo-in-place: with anything soloed, a strip stays audible only if it is
/// soloed or solo-safe, feeds a soloed strip, or (for buses) is fed by one.
struct Audibility {
    any_solo: bool,
    tracks: HashSet<u32>,
    buses: HashSet<BusId>,
}

impl Audibility {
    fn new(s: &Session) -> Audibility {
        let any_solo = s.tracks.iter().any(|t| t.strip.solo) || s.buses.iter().any(|b| b.strip.solo);
        let mut tracks = HashSet::new();
        let mut buses = HashSet::new();
        if !any_solo {
            return Audibility { any_solo, tracks, buses };
        }
        // Downstream of every soloed strip.
        let bus_targets = |strip: &Strip, out: Output| -> Vec<BusId> {
            let mut v: Vec<BusId> = strip.sends.iter().map(|x| x.target).collect();
            if let Output::Bus(b) = out {
                v.push(b);
            }
            v
        };
        let mut stack: Vec<BusId> = Vec::new();
        for t in s.tracks.iter().filter(|t| t.strip.solo) {
            stack.extend(bus_targets(&t.strip, t.output));
        }
        for b in s.buses.iter().filter(|b| b.strip.solo) {
            stack.push(b.id);
        }
        while let Some(b) = stack.pop() {
            if buses.insert(b)
                && let Some(bus) = s.bus(b)
            {
                stack.extend(bus_targets(&bus.strip, bus.output));
            }
        }
        // Upstream of every soloed strip: whatever feeds a soloed bus.
        let soloed_buses: HashSet<BusId> = s.buses.iter().filter(|b| b.strip.solo).map(|b| b.id).collect();
        let mut feeding: HashSet<BusId> = soloed_buses.clone();
        loop {
            let before = feeding.len();
            for b in &s.buses {
                if bus_targets(&b.strip, b.output).iter().any(|x| feeding.contains(x)) {
                    feeding.insert(b.id);
                }
            }
            if feeding.len() == before {
                break;
            }
        }
        buses.extend(feeding.iter().copied());
        for b in s.buses.iter().filter(|b| b.strip.solo_safe) {
            buses.insert(b.id);
        }
        for t in &s.tracks {
            if t.strip.solo
                || t.strip.solo_safe
                || bus_targets(&t.strip, t.output).iter().any(|x| feeding.contains(x))
            {
                tracks.insert(t.id.0);
            }
        }
        Audibility { any_solo, tracks, buses }
    }

    fn track(&self, id: u32) -> bool {
        !self.any_solo || self.tracks.contains(&id)
    }

    fn bus(&self, id: BusId) -> bool {
        !self.any_solo || self.buses.contains(&id)
    }
}
