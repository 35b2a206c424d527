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
    /// Mute, 0 (playing) or 1 (muted); a switch, so its lanes step (declicked).
    Mute,
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
    /// Frequency in hertz (shown and dragged on a log scale).
    Hertz,
    /// Time in milliseconds.
    Milliseconds,
    /// Time in seconds.
    Seconds,
    /// A percentage, 0 to 100 (or signed).
    Percent,
    /// A compression ratio `n:1`.
    CompressionRatio,
    /// One of a list of named choices; the value is the index.
    Choice,
    /// Off (0) or on (1).
    Toggle,
}

/// What the GUI and automation need to know about a parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamInfo {
    /// Stable key, used in session files (`"hp_freq"`).
    pub key: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Unit.
    pub unit: Unit,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Value of a fresh strip, send or processor.
    pub default: f64,
    /// The names of the choices of a [`Unit::Choice`] parameter (index = value).
    pub choices: &'static [&'static str],
    /// Data the processor learned rather than a control (a de-noiser's noise
    /// profile): saved, undone and compared like any parameter, but not shown
    /// as a control, not offered for automation, and summed up as one change.
    pub hidden: bool,
}

impl ParamInfo {
    /// A continuous parameter.
    pub const fn new(
        key: &'static str,
        name: &'static str,
        unit: Unit,
        min: f64,
        max: f64,
        default: f64,
    ) -> ParamInfo {
        ParamInfo { key, name, unit, min, max, default, choices: &[], hidden: false }
    }

    /// An on/off switch.
    pub const fn toggle(key: &'static str, name: &'static str, default: bool) -> ParamInfo {
        ParamInfo::new(key, name, Unit::Toggle, 0.0, 1.0, if default { 1.0 } else { 0.0 })
    }

    /// A choice among `choices`, stored as the index.
    pub const fn choice(
        key: &'static str,
        name: &'static str,
        choices: &'static [&'static str],
        default: usize,
    ) -> ParamInfo {
        ParamInfo {
            key,
            name,
            unit: Unit::Choice,
            min: 0.0,
            max: (choices.len() - 1) as f64,
            default: default as f64,
            choices,
            hidden: false,
        }
    }

    /// The same parameter marked as learned data (see [`ParamInfo::hidden`]).
    pub const fn learned(self) -> ParamInfo {
        ParamInfo { hidden: true, ..self }
    }

    /// The value clamped to the range (NaN becomes the default); switches and
    /// choices are rounded to whole steps.
    pub fn clamp(&self, v: f64) -> f64 {
        if v.is_nan() {
            return self.default;
        }
        let v = v.clamp(self.min, self.max);
        if self.is_stepped() { v.round() } else { v }
    }

    /// Whether the value moves in whole steps (switches and choices).
    pub fn is_stepped(&self) -> bool {
        matches!(self.unit, Unit::Choice | Unit::Toggle)
    }

    /// Whether a control should map this parameter logarithmically (frequencies,
    /// and times whose range spans more than a decade).
    pub fn is_log_scale(&self) -> bool {
        match self.unit {
            Unit::Hertz => true,
            Unit::Milliseconds | Unit::Seconds | Unit::CompressionRatio => {
                self.min > 0.0 && self.max / self.min >= 10.0
            }
            _ => false,
        }
    }

    /// The value as a user reads it: `"-3.0 dB"`, `"1.20 kHz"`, `"4.0:1"`, `"L30"`.
    pub fn format(&self, v: f64) -> String {
        match self.unit {
            Unit::Decibels if v <= crate::units::Decibels::SILENCE.0 => "-inf dB".to_owned(),
            Unit::Decibels => format!("{v:+.1} dB"),
            Unit::Pan => {
                let pct = (v * 100.0).round();
                if pct == 0.0 {
                    "C".to_owned()
                } else if pct < 0.0 {
                    format!("L{}", -pct)
                } else {
                    format!("R{pct}")
                }
            }
            Unit::Ratio => format!("{v:.2}"),
            Unit::Hertz if v >= 1000.0 => format!("{:.2} kHz", v / 1000.0),
            Unit::Hertz => format!("{v:.0} Hz"),
            Unit::Milliseconds if v < 10.0 => format!("{v:.2} ms"),
            Unit::Milliseconds => format!("{v:.1} ms"),
            Unit::Seconds => format!("{v:.2} s"),
            Unit::Percent => format!("{v:.0} %"),
            Unit::CompressionRatio => format!("{v:.1}:1"),
            Unit::Choice => {
                let i = self.clamp(v) as usize;
                self.choices.get(i).copied().unwrap_or("?").to_owned()
            }
            Unit::Toggle => if v >= 0.5 { "On" } else { "Off" }.to_owned(),
        }
    }
}

impl StripParam {
    /// Name, unit, range and default.
    pub fn info(self) -> ParamInfo {
        match self {
            StripParam::Trim => ParamInfo::new("trim", "Trim", Unit::Decibels, -24.0, 24.0, 0.0),
            StripParam::Fader => ParamInfo::new("fader", "Fader", Unit::Decibels, -144.0, 12.0, 0.0),
            StripParam::Pan => ParamInfo::new("pan", "Pan", Unit::Pan, -1.0, 1.0, 0.0),
            StripParam::Width => ParamInfo::new("width", "Width", Unit::Ratio, 0.0, 2.0, 1.0),
            StripParam::Mute => ParamInfo::toggle("mute", "Mute", false),
        }
    }

    /// The parameter's value on `strip`.
    pub fn get(self, strip: &Strip) -> f64 {
        match self {
            StripParam::Trim => strip.trim_db.0,
            StripParam::Fader => strip.fader_db.0,
            StripParam::Pan => strip.pan.0,
            StripParam::Width => strip.width,
            StripParam::Mute => f64::from(u8::from(strip.mute)),
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
            StripParam::Mute => strip.mute = v >= 0.5,
        }
    }
}

impl SendParam {
    /// Name, unit, range and default.
    pub fn info(self) -> ParamInfo {
        match self {
            SendParam::Level => ParamInfo::new("level", "Send level", Unit::Decibels, -144.0, 12.0, 0.0),
            SendParam::Pan => ParamInfo::new("pan", "Send pan", Unit::Pan, -1.0, 1.0, 0.0),
        }
    }
}

impl Session {
    /// Every strip with its reference: tracks, buses, then the master.
    pub fn strips(&self) -> impl Iterator<Item = (StripRef, &Strip)> {
        self.tracks
            .iter()
            .map(|t| (StripRef::Track(t.id), &t.strip))
            .chain(self.buses.iter().map(|b| (StripRef::Bus(b.id), &b.strip)))
            .chain([(StripRef::Master, &self.master)])
    }

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

    /// Sets a strip, send or processor parameter in the document (clamped to its range).
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
            ParamId::Processor(p, index) => self.set_processor_param(p, index, v),
        }
    }
}
