//! VCA faders: a bus that carries no audio and instead controls the gain and
//! mute of its member strips.
//!
//! A VCA's fader adds its dB to every member's fader, and its mute mutes them,
//! in the graph itself (each member's gain is `fader + vca` in dB), so the
//! VCA's automation lane multiplies the members' own lanes sample for sample.
//! A VCA bus has no inputs, inserts, sends or output of its own: nothing can
//! be routed into it, and it is not compiled as an audio bus.

use serde::{Deserialize, Serialize};

use super::validate::ValidationError;
use super::{Bus, BusId, Session, StripRef};

/// What makes a bus a VCA: the strips its fader and mute control.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vca {
    /// Tracks and (audio) buses, in the order they were assigned. A strip
    /// answers to one VCA at most.
    #[serde(default)]
    pub members: Vec<StripRef>,
}

impl Bus {
    /// Whether this bus is a VCA (no audio; controls its members' gain).
    pub fn is_vca(&self) -> bool {
        self.vca.is_some()
    }
}

impl Session {
    /// The VCA that controls `r`, if any.
    pub fn vca_of(&self, r: StripRef) -> Option<&Bus> {
        self.buses.iter().find(|b| b.vca.as_ref().is_some_and(|v| v.members.contains(&r)))
    }

    /// Whether `id` names a VCA bus.
    pub fn is_vca(&self, id: BusId) -> bool {
        self.bus(id).is_some_and(Bus::is_vca)
    }
}

/// Checks that every VCA's members exist and are tracks or audio buses, each
/// under one VCA at most, and that a VCA carries no audio: no inserts, no
/// sends, and nothing routed, sent or keyed into it.
pub(crate) fn check(s: &Session) -> Result<(), ValidationError> {
    let bad = |what: String| Err(ValidationError::Impossible { what });
    let mut seen = std::collections::HashSet::new();
    for b in s.buses.iter().filter(|b| b.is_vca()) {
        let vca = b.vca.as_ref().expect("filtered");
        for m in &vca.members {
            let ok = match m {
                StripRef::Track(id) => s.track(*id).is_some(),
                StripRef::Bus(id) => s.bus(*id).is_some_and(|b| !b.is_vca()),
                StripRef::Master => false,
            };
            if !ok {
                return bad(format!(
                    "VCA '{}' names {m}, which is not a track or audio bus of the session",
                    b.name
                ));
            }
            if !seen.insert(*m) {
                return bad(format!("{m} answers to two VCAs; a strip can answer to one at most"));
            }
        }
        if !b.strip.processors.is_empty() || !b.strip.sends.is_empty() {
            return bad(format!("VCA '{}' has inserts or sends; a VCA carries no audio", b.name));
        }
    }
    let strips = s
        .tracks
        .iter()
        .map(|t| (format!("track '{}'", t.name), &t.strip, Some(t.output)))
        .chain(s.buses.iter().map(|b| (format!("bus '{}'", b.name), &b.strip, Some(b.output))))
        .chain([("the master".to_owned(), &s.master, None)]);
    for (who, strip, output) in strips {
        let into = |id: BusId| s.is_vca(id);
        if let Some(super::Output::Bus(id)) = output
            && into(id)
        {
            return bad(format!("{who} is routed to a VCA; a VCA carries no audio, route it to a bus"));
        }
        if strip.sends.iter().any(|x| into(x.target)) {
            return bad(format!("{who} sends to a VCA; a VCA carries no audio, send to a bus"));
        }
        if strip.processors.iter().any(|p| matches!(p.sidechain, Some(StripRef::Bus(id)) if into(id))) {
            return bad(format!("{who} is keyed from a VCA; a VCA carries no audio"));
        }
    }
    Ok(())
}
