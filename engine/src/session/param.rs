//! Stable addresses for every continuous parameter: what automation lanes, the
//! GUI and engine commands use to name "this fader" or "that send's pan".
//!
//! A [`ParamId`] is built from stable object ids, never from indices, so it stays
//! valid when tracks are reordered or the graph is recompiled.

use serde::{Deserialize, Serialize};

use super::{BusId, ProcessorId, SendId, Session, Strip, TrackId};

/// A channel strip: a track's, a bus's or the master's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum StripRef {
    /// The strip of a track.
    Track(TrackId),
    /// The strip of a bus.
    Bus(BusId),
    /// The master strip.
    Master,
}

impl std::fmt::Display for StripRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StripRef::Track(id) => write!(f, "track {id}"),
            StripRef::Bus(id) => write!(f, "bus {id}"),
            StripRef::Master => f.write_str("the master"),
        }
    }
}

/// The continuous controls of every strip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum StripParam {
    /// Input trim, dB.
    Trim,
    /// Fader, dB.
    Fader,
    /// Pan (mono sources) or balance (stereo), -1 to 1.
    Pan,
    /// Stereo width, 0 to 2.
    Width,
}

/// The continuous controls of a send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum SendParam {
    /// Send level, dB.
    Level,
    /// Pan of the send into its bus, -1 to 1.
    Pan,
}

/// A stable address of one continuous parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ParamId {
    /// A strip control.
    Strip(StripRef, StripParam),
    /// A send control.
    Send(SendId, SendParam),
    /// Parameter `index` of an insert processor (indices are fixed per processor kind).
    Processor(ProcessorId, u16),
}

/// The unit a parameter is shown and automated in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    /// Decibels; smoothed in dB.
    Decibels,
    /// A position from -1 (left) to 1 (right).
    Pan,
    /// A plain factor.
    Ratio,
}

/// What the GUI and automation need to know about a parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamInfo {
    /// Display name.
    pub name: &'static str,
    /// Unit.
    pub unit: Unit,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Value of a fresh strip or send.
    pub default: f64,
}

impl ParamInfo {
    /// The value clamped to the range (NaN becomes the default).
    pub fn clamp(&self, v: f64) -> f64 {
        if v.is_nan() { self.default } else { v.clamp(self.min, self.max) }
    }
}

impl StripParam {
    /// Name, unit, range and default.
    pub fn info(self) -> ParamInfo {
        match self {
            StripParam::Trim => {
                ParamInfo { name: "Trim", unit: Unit::Decibels, min: -24.0, max: 24.0, default: 0.0 }
            }
            StripParam::Fader => {
                ParamInfo { name: "Fader", unit: Unit::Decibels, min: -144.0, max: 12.0, default: 0.0 }
            }
            StripParam::Pan => ParamInfo { name: "Pan", unit: Unit::Pan, min: -1.0, max: 1.0, default: 0.0 },
            StripParam::Width => {
                ParamInfo { name: "Width", unit: Unit::Ratio, min: 0.0, max: 2.0, default: 1.0 }
            }
        }
    }

    /// The parameter's value on `strip`.
    pub fn get(self, strip: &Strip) -> f64 {
        match self {
            StripParam::Trim => strip.trim_db.0,
            StripParam::Fader => strip.fader_db.0,
            StripParam::Pan => strip.pan.0,
            StripParam::Width => strip.width,
        }
    }

    /// Sets the parameter on `strip` (clamped to its range).
    pub fn set(self, strip: &mut Strip, v: f64) {
        let v = self.info().clamp(v);
        match self {
            StripParam::Trim => strip.trim_db.0 = v,
            StripParam::Fader => strip.fader_db.0 = v,
            StripParam::Pan => strip.pan.0 = v,
            StripParam::Width => strip.width = v,
        }
    }
}

impl SendParam {
    /// Name, unit, range and default.
    pub fn info(self) -> ParamInfo {
        match self {
            SendParam::Level => {
                ParamInfo { name: "Send level", unit: Unit::Decibels, min: -144.0, max: 12.0, default: 0.0 }
            }
            SendParam::Pan => {
                ParamInfo { name: "Send pan", unit: Unit::Pan, min: -1.0, max: 1.0, default: 0.0 }
            }
        }
    }
}

impl Session {
    /// The strip `r` refers to.
    pub fn strip(&self, r: StripRef) -> Option<&Strip> {
        match r {
            StripRef::Track(id) => self.track(id).map(|t| &t.strip),
            StripRef::Bus(id) => self.bus(id).map(|b| &b.strip),
            StripRef::Master => Some(&self.master),
        }
    }

    /// The strip `r` refers to, for editing.
    pub fn strip_mut(&mut self, r: StripRef) -> Option<&mut Strip> {
        match r {
            StripRef::Track(id) => self.tracks.iter_mut().find(|t| t.id == id).map(|t| &mut t.strip),
            StripRef::Bus(id) => self.buses.iter_mut().find(|b| b.id == id).map(|b| &mut b.strip),
            StripRef::Master => Some(&mut self.master),
        }
    }

    /// Sets a strip or send parameter in the document (clamped to its range).
    /// Returns false when the parameter's owner does not exist.
    pub fn set_param(&mut self, id: ParamId, v: f64) -> bool {
        match id {
            ParamId::Strip(r, p) => self.strip_mut(r).map(|s| p.set(s, v)).is_some(),
            ParamId::Send(send, p) => {
                let strips = self
                    .tracks
                    .iter_mut()
                    .map(|t| &mut t.strip)
                    .chain(self.buses.iter_mut().map(|b| &mut b.strip))
                    .chain([&mut self.master]);
                for strip in strips {
                    if let Some(s) = strip.sends.iter_mut().find(|s| s.id == send) {
                        let v = p.info().clamp(v);
                        match p {
                            SendParam::Level => s.level_db.0 = v,
                            SendParam::Pan => s.pan.0 = v,
                        }
                        return true;
                    }
                }
                false
            }
            ParamId::Processor(..) => false,
        }
    }
}
