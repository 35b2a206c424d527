//! The session document: plain serde types saved as RON in `*.mixdesk` files.
//!
//! Tracks, clips, buses, sends, processors and markers carry stable ids, never
//! indices. Media paths are stored relative to the session file. Loading,
//! saving and migration live in [`file`]; structural checks in [`validate`].

pub mod automation;
mod file;
pub mod folders;
pub mod groups;
mod ids;
pub mod media_paths;
mod migrate;
pub mod notes;
mod param;
pub mod pass;
mod processors;
mod rate;
pub mod taper;
pub(crate) mod validate;
pub mod vca;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use crate::units::{Decibels, Pan, SampleTime};
pub use automation::{AutoMode, Lane, Point, Shape};
pub(crate) use file::text_for;
pub use file::{MAX_SESSION_BYTES, SessionError, from_ron_str, load, save, to_ron_string};
pub use folders::Folder;
pub use groups::{Group, Linked, Shares};
pub use ids::{BusId, ClipId, FolderId, GroupId, MarkerId, NoteId, ProcessorId, SendId, TrackId};
pub use migrate::CURRENT_VERSION;
pub use notes::{Note, NoteStatus, Reply};
pub use param::{ParamId, ParamInfo, SendParam, StripParam, StripRef, Unit};
pub use processors::EditError;
pub use validate::{LIMITS, Limits, MAX_ID, ValidationError, max_timeline, validate};
pub use vca::Vca;

/// A whole mix: tracks, buses, the master strip and the timeline's grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// Format version of the file this came from (always [`CURRENT_VERSION`] once loaded).
    pub version: u32,
    /// The session sample rate in Hz; every media file is resampled to it.
    pub sample_rate: u32,
    /// The pan law applied to mono sources.
    #[serde(default)]
    pub pan_law: PanLaw,
    /// Tempo and time signature for the bars:beats grid.
    #[serde(default)]
    pub tempo: Tempo,
    /// Tracks in display order.
    #[serde(default)]
    pub tracks: Vec<Track>,
    /// Buses in display order (routing order is derived from the graph, not from this list).
    #[serde(default)]
    pub buses: Vec<Bus>,
    /// The master strip every track and bus eventually reaches.
    #[serde(default)]
    pub master: Strip,
    /// Named positions on the timeline.
    #[serde(default)]
    pub markers: Vec<Marker>,
    /// The loop range, if one has been set.
    #[serde(default)]
    pub loop_range: Option<LoopRange>,
    /// Automation lanes, at most one per parameter.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub automation: Vec<Lane>,
    /// Delivery presets (empty: the defaults, see `deliver::preset`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delivery: Vec<crate::deliver::preset::DeliveryPreset>,
    /// Review notes, in time order (format 3; see [`notes`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// Groups of tracks and buses that edit together (see [`groups`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Group>,
    /// Folders of tracks (see [`folders`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub folders: Vec<Folder>,
    /// The monitor section's settings (what the engineer hears; never bounced).
    #[serde(default, skip_serializing_if = "crate::monitor::MonitorSettings::is_off")]
    pub monitor: crate::monitor::MonitorSettings,
}

impl Session {
    /// An empty session at `sample_rate` with default settings.
    pub fn new(sample_rate: u32) -> Session {
        Session {
            version: CURRENT_VERSION,
            sample_rate,
            pan_law: PanLaw::default(),
            tempo: Tempo::default(),
            tracks: Vec::new(),
            buses: Vec::new(),
            master: Strip::default(),
            markers: Vec::new(),
            loop_range: None,
            automation: Vec::new(),
            delivery: Vec::new(),
            notes: Vec::new(),
            groups: Vec::new(),
            folders: Vec::new(),
            monitor: crate::monitor::MonitorSettings::default(),
        }
    }

    /// The end of the last clip on any track: the natural length of the mix.
    pub fn content_end(&self) -> SampleTime {
        self.tracks.iter().flat_map(|t| t.clips.iter()).map(Clip::end).max().unwrap_or(SampleTime::ZERO)
    }

    /// The track with this id.
    pub fn track(&self, id: TrackId) -> Option<&Track> {
        self.tracks.iter().find(|t| t.id == id)
    }

    /// The bus with this id.
    pub fn bus(&self, id: BusId) -> Option<&Bus> {
        self.buses.iter().find(|b| b.id == id)
    }

    /// A fresh id for a new object: one past the largest id of any kind in use.
    ///
    /// Ids share one number space so that an id found in a log or a file is unambiguous.
    pub fn next_id(&self) -> u32 {
        let mut max = 0;
        for t in &self.tracks {
            max = max.max(t.id.0);
            for c in &t.clips {
                max = max.max(c.id.0);
            }
            max = max.max(t.strip.max_id());
        }
        for b in &self.buses {
            max = max.max(b.id.0).max(b.strip.max_id());
        }
        for m in &self.markers {
            max = max.max(m.id.0);
        }
        for n in &self.notes {
            max = max.max(n.id.0);
        }
        for g in &self.groups {
            max = max.max(g.id.0);
        }
        for f in &self.folders {
            max = max.max(f.id.0);
        }
        max.max(self.master.max_id()) + 1
    }
}

/// How a mono source is spread over the two output channels as it is panned.
///
/// The value names the level of each channel at the centre position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum PanLaw {
    /// 0 dB at centre: linear balance, each side at unity until the other is favoured.
    ZeroDb,
    /// -3 dB at centre: equal power (sin/cos), constant loudness while panning.
    #[default]
    Minus3Db,
    /// -4.5 dB at centre: the geometric mean of the -3 dB and -6 dB laws.
    Minus4_5Db,
    /// -6 dB at centre: linear, the two sides always sum to unity.
    Minus6Db,
}

/// Tempo and time signature, for the grid only (time itself is in samples).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tempo {
    /// Beats per minute.
    pub bpm: f64,
    /// Beats in a bar (the time signature's numerator).
    pub beats_per_bar: u32,
    /// The note value of one beat (the time signature's denominator).
    pub beat_unit: u32,
}

impl Default for Tempo {
    fn default() -> Tempo {
        Tempo { bpm: 120.0, beats_per_bar: 4, beat_unit: 4 }
    }
}

/// An RGB colour for a track or bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Colour(pub u8, pub u8, pub u8);

impl Default for Colour {
    fn default() -> Colour {
        Colour(0x6a, 0x8c, 0xaf)
    }
}

/// Where a strip's output goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Output {
    /// The master strip.
    #[default]
    Master,
    /// A bus.
    Bus(BusId),
}

/// A track: clips on the timeline feeding a channel strip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Track {
    /// Stable id.
    pub id: TrackId,
    /// Display name.
    pub name: String,
    /// Colour in the mixer and timeline.
    #[serde(default)]
    pub colour: Colour,
    /// A free-text note.
    #[serde(default)]
    pub comment: String,
    /// Clips, in any order (they may overlap; overlapping clips sum).
    #[serde(default)]
    pub clips: Vec<Clip>,
    /// The channel strip.
    #[serde(default)]
    pub strip: Strip,
    /// Where the strip's output goes.
    #[serde(default)]
    pub output: Output,
    /// Mono, stereo, or as its clips are (the default).
    #[serde(default, skip_serializing_if = "Layout::is_auto")]
    pub layout: Layout,
}

/// A track's channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Layout {
    /// Stereo if any of its clips is, else mono.
    #[default]
    Auto,
    /// Mono: a stereo clip plays as `(L + R) / 2`, and pan places it.
    Mono,
    /// Stereo: a mono clip plays on both channels, and pan is a balance.
    Stereo,
}

impl Layout {
    /// Whether this is the default (as the clips are).
    pub fn is_auto(&self) -> bool {
        *self == Layout::Auto
    }
}

impl Track {
    /// A track named `name` with one clip of `media` from the timeline's start,
    /// `length` long, at unity gain and centred. The clip's id is `id + 1`.
    pub fn with_one_clip(id: u32, name: impl Into<String>, media: PathBuf, length: SampleTime) -> Track {
        Track {
            id: TrackId(id),
            name: name.into(),
            colour: Colour::default(),
            comment: String::new(),
            clips: vec![Clip {
                id: ClipId(id + 1),
                media,
                start: SampleTime::ZERO,
                source_offset: SampleTime::ZERO,
                length,
                gain_db: Decibels::ZERO,
                fade_in: Fade::default(),
                fade_out: Fade::default(),
                fingerprint: None,
            }],
            strip: Strip::default(),
            output: Output::Master,
            layout: Default::default(),
        }
    }
}

/// A region of a media file placed on the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clip {
    /// Stable id.
    pub id: ClipId,
    /// The media file, relative to the session file's folder. Saved as a
    /// string, or as a byte string (`b"bass\xff.wav"`) when the name is not
    /// UTF-8, so every name the file system allows is kept exactly.
    #[serde(with = "media_paths::lossless")]
    pub media: PathBuf,
    /// Where the clip starts on the timeline.
    pub start: SampleTime,
    /// Where in the media (at the session rate) the clip starts reading.
    #[serde(default)]
    pub source_offset: SampleTime,
    /// How long the clip is on the timeline.
    pub length: SampleTime,
    /// Clip gain.
    #[serde(default)]
    pub gain_db: Decibels,
    /// The fade at the clip's start.
    #[serde(default)]
    pub fade_in: Fade,
    /// The fade at the clip's end.
    #[serde(default)]
    pub fade_out: Fade,
    /// The media file's size and content hash when it was imported or last
    /// relinked, so a relink can find it again after it was renamed (format 2;
    /// absent in older files and for media never fingerprinted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<Fingerprint>,
}

/// What a media file was, byte for byte: its size and the XXH64 hash (seed 0)
/// of its bytes. Computed by [`crate::media::fingerprint`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fingerprint {
    /// File size in bytes.
    pub bytes: u64,
    /// XXH64 of the whole file, seed 0.
    pub xxh64: u64,
}

impl Clip {
    /// The first sample after the clip.
    pub fn end(&self) -> SampleTime {
        self.start + self.length
    }
}

/// A fade at a clip boundary.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Fade {
    /// Length in samples (0: no fade).
    pub length: SampleTime,
    /// The curve.
    #[serde(default)]
    pub shape: FadeShape,
}

/// The curve of a fade; formulas in `graph::fade`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum FadeShape {
    /// Straight line in amplitude.
    Linear,
    /// Quarter sine: constant power across a crossfade.
    #[default]
    EqualPower,
    /// Exponential rise (slow start, fast finish in amplitude; near-linear in dB).
    Exponential,
    /// Raised cosine: gentle at both ends.
    SCurve,
}

/// A channel strip: trim, polarity, inserts, fader, pan, width, mute/solo, sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Strip {
    /// Input trim before everything else.
    #[serde(default)]
    pub trim_db: Decibels,
    /// Fader level.
    #[serde(default)]
    pub fader_db: Decibels,
    /// Pan for mono sources, balance for stereo ones.
    #[serde(default)]
    pub pan: Pan,
    /// Stereo width for stereo sources: 1 is as recorded, 0 is mono, 2 is doubled side.
    #[serde(default = "one")]
    pub width: f64,
    /// Invert the polarity of every channel.
    #[serde(default)]
    pub polarity_inverted: bool,
    /// Muted.
    #[serde(default)]
    pub mute: bool,
    /// Soloed (solo-in-place).
    #[serde(default)]
    pub solo: bool,
    /// Never implicitly muted by another strip's solo.
    #[serde(default)]
    pub solo_safe: bool,
    /// The insert chain, in processing order.
    #[serde(default)]
    pub processors: Vec<Processor>,
    /// Sends to buses.
    #[serde(default)]
    pub sends: Vec<Send>,
    /// Where the strip's meter measures and whether it reads true peak.
    #[serde(default, skip_serializing_if = "MeterOptions::is_default")]
    pub meter: MeterOptions,
}

/// Where a strip meter measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum MeterPoint {
    /// After trim, polarity and the inserts, before the fader and pan.
    PreFader,
    /// The strip's output (after fader, mute and pan).
    #[default]
    PostFader,
}

/// A strip meter's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeterOptions {
    /// Where it measures.
    #[serde(default)]
    pub point: MeterPoint,
    /// Whether it also reads true peak (4x oversampled; costs 48 multiply-adds
    /// per sample and channel). The master always does.
    #[serde(default)]
    pub true_peak: bool,
}

impl MeterOptions {
    /// Whether these are the defaults (post-fader, sample peak only).
    pub fn is_default(&self) -> bool {
        *self == MeterOptions::default()
    }
}

fn one() -> f64 {
    1.0
}

impl Default for Strip {
    fn default() -> Strip {
        Strip {
            trim_db: Decibels::ZERO,
            fader_db: Decibels::ZERO,
            pan: Pan::CENTRE,
            width: 1.0,
            polarity_inverted: false,
            mute: false,
            solo: false,
            solo_safe: false,
            processors: Vec::new(),
            sends: Vec::new(),
            meter: MeterOptions::default(),
        }
    }
}

impl Strip {
    fn max_id(&self) -> u32 {
        let p = self.processors.iter().map(|p| p.id.0).max().unwrap_or(0);
        let s = self.sends.iter().map(|s| s.id.0).max().unwrap_or(0);
        p.max(s)
    }
}

/// One insert processor. Kinds and their parameters are defined by the engine's
/// processor registry; a kind this version does not know is refused when the graph
/// is built.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Processor {
    /// Stable id.
    pub id: ProcessorId,
    /// The processor kind's stable name, e.g. `"eq"`.
    pub kind: String,
    /// Bypassed processors pass audio through unchanged.
    #[serde(default)]
    pub bypassed: bool,
    /// Parameter values by stable parameter name, in the parameter's unit
    /// (parameters not listed are at their defaults).
    #[serde(default)]
    pub params: BTreeMap<String, f64>,
    /// The strip whose signal keys this processor, for kinds that take an
    /// external sidechain: after its trim and inserts, before its fader.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sidechain: Option<StripRef>,
    /// Take the key after the source's fader instead: trim, inserts, fader,
    /// mute, VCA and pan, what the source sends to its output (its solo
    /// state aside, so soloing the keyed strip still plays it keyed).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sidechain_post_fader: bool,
    /// A hosted plugin's full saved state (LV2 state as Turtle, see
    /// `plugins`), restored when it is instantiated; kept untouched while the
    /// plugin is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// A send from a strip to a bus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Send {
    /// Stable id.
    pub id: SendId,
    /// The bus it feeds.
    pub target: BusId,
    /// Send level.
    #[serde(default)]
    pub level_db: Decibels,
    /// Pan (or balance) of the send into the bus.
    #[serde(default)]
    pub pan: Pan,
    /// Taken before the fader (and mute) instead of after.
    #[serde(default)]
    pub pre_fader: bool,
}

/// A bus: a strip without clips, fed by track outputs and sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bus {
    /// Stable id.
    pub id: BusId,
    /// Display name.
    pub name: String,
    /// Colour in the mixer.
    #[serde(default)]
    pub colour: Colour,
    /// A free-text note.
    #[serde(default)]
    pub comment: String,
    /// The channel strip.
    #[serde(default)]
    pub strip: Strip,
    /// Where the bus goes.
    #[serde(default)]
    pub output: Output,
    /// Set for a VCA: a bus without audio that controls its members' gain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vca: Option<Vca>,
}

impl Bus {
    /// A bus with a default strip and colour, going to the master.
    pub fn new(id: BusId, name: impl Into<String>) -> Bus {
        Bus {
            id,
            name: name.into(),
            colour: Colour::default(),
            comment: String::new(),
            strip: Strip::default(),
            output: Output::Master,
            vca: None,
        }
    }
}

/// A named position on the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Marker {
    /// Stable id.
    pub id: MarkerId,
    /// Label.
    pub name: String,
    /// Position.
    pub position: SampleTime,
}

/// The loop range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoopRange {
    /// First sample of the loop.
    pub start: SampleTime,
    /// First sample after the loop.
    pub end: SampleTime,
    /// Whether playback loops.
    #[serde(default)]
    pub enabled: bool,
}
