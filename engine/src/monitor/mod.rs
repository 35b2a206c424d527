//! The monitor section: what the engineer hears after the master, never
//! bounced. Listening checks (mono, side, one side, swap, dim, mute), speaker
//! and system simulations ([`systems`]) and platform preview ([`platforms`]).
//!
//! Where it sits: the live callback ([`crate::realtime::AudioCore`]) renders
//! the graph's master, feeds the analysis taps (meters and analysis read the
//! mix itself), then runs the [`MonitorStage`] and interleaves for the
//! device. The bounce renders the graph and never reaches it.
//!
//! [`MonitorSettings`] are saved in the session; [`MonitorSettings::program`]
//! turns them, off the audio thread, into a [`MonitorProgram`] (a `Copy`
//! value: a 2x2 matrix, filter coefficients and a gain) that the handle sends
//! to the stage. The stage crossfades from the old program to the new one
//! over [`FADE_SECONDS`], so a switch never clicks and never jumps in level
//! beyond what the new setting itself implies.

pub mod codec;
pub mod compare;
pub mod ir;
pub mod platforms;
mod profile;
pub mod reference;
mod stage;
pub mod systems;

use serde::{Deserialize, Serialize};

pub use compare::Matching;
pub use ir::{IrConvolver, IrError};
pub use platforms::{Measured, Platform};
pub use reference::{ReferenceError, load_reference, reference_graph};
pub use stage::{FADE_SECONDS, MonitorStage, MonitorVoice, PROGRAM_CAPACITY};
pub use systems::System;

use crate::dsp::biquad::Coeffs;
use systems::MAX_SECTIONS;

/// Dim attenuates by this much, dB.
pub const DIM_DB: f64 = -20.0;

/// How the two channels reach the speakers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Check {
    /// Left to left, right to right.
    #[default]
    Stereo,
    /// Both speakers play `(L + R) / 2` (the -6 dB sum: a centred mono
    /// source keeps its level; a hard-panned one drops 6 dB).
    Mono,
    /// Both speakers play the side signal `(L - R) / 2`.
    Side,
    /// Both speakers play the left channel.
    Left,
    /// Both speakers play the right channel.
    Right,
    /// Left and right swapped.
    Swap,
}

impl Check {
    /// Every check, in the order the window lists them.
    pub const ALL: [Check; 6] =
        [Check::Stereo, Check::Mono, Check::Side, Check::Left, Check::Right, Check::Swap];

    /// The output matrix: `out[c] = m[c][0] * L + m[c][1] * R`.
    pub fn matrix(self) -> [[f32; 2]; 2] {
        match self {
            Check::Stereo => [[1.0, 0.0], [0.0, 1.0]],
            Check::Mono => [[0.5, 0.5], [0.5, 0.5]],
            Check::Side => [[0.5, -0.5], [0.5, -0.5]],
            Check::Left => [[1.0, 0.0], [1.0, 0.0]],
            Check::Right => [[0.0, 1.0], [0.0, 1.0]],
            Check::Swap => [[0.0, 1.0], [1.0, 0.0]],
        }
    }

    /// The word for it in a `--monitor` profile (and the button's label).
    pub fn key(self) -> &'static str {
        match self {
            Check::Stereo => "stereo",
            Check::Mono => "mono",
            Check::Side => "side",
            Check::Left => "left",
            Check::Right => "right",
            Check::Swap => "swap",
        }
    }
}

/// A reference track in one of the session's reference slots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceSlot {
    /// The file (relative to the session's folder when saved there).
    pub path: std::path::PathBuf,
    /// Its integrated loudness, LUFS, measured when it was loaded.
    #[serde(default)]
    pub integrated_lufs: Option<f64>,
    /// Its loudest short-term (3 s) loudness, LUFS.
    #[serde(default)]
    pub max_short_term_lufs: Option<f64>,
}

impl ReferenceSlot {
    /// Measures the file (any format Mixdesk imports) and fills a slot with it.
    pub fn measure(path: &std::path::Path) -> Result<ReferenceSlot, crate::analysis::file::AnalyzeError> {
        let (a, _) = crate::analysis::analyze_file(path)?;
        Ok(ReferenceSlot {
            path: path.to_owned(),
            integrated_lufs: a.integrated_lufs,
            max_short_term_lufs: a.max_short_term_lufs,
        })
    }

    fn loudness(&self, m: compare::Matching) -> Option<f64> {
        match m {
            compare::Matching::Integrated => self.integrated_lufs,
            compare::Matching::ShortTerm => self.max_short_term_lufs,
        }
    }
}

/// What the engineer hears: the mix or a reference track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Listen {
    /// The mix.
    #[default]
    Mix,
    /// The reference track the engine was sent (the slot chosen).
    Reference,
}

/// What the monitor does, saved in the session (all off by default; a
/// session without them loads as all off).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitorSettings {
    /// The listening check.
    #[serde(default)]
    pub check: Check,
    /// Attenuate by [`DIM_DB`].
    #[serde(default)]
    pub dim: bool,
    /// Silence the monitor (the mix still runs, meters still move).
    #[serde(default)]
    pub mute: bool,
    /// The system simulated, if any.
    #[serde(default)]
    pub system: Option<System>,
    /// The streaming service previewed, if any.
    #[serde(default)]
    pub platform: Option<Platform>,
    /// Reference tracks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<ReferenceSlot>,
    /// The reference slot listened to instead of the mix, if any.
    #[serde(default)]
    pub reference: Option<usize>,
    /// How the reference is matched to the mix's loudness.
    #[serde(default)]
    pub matching: compare::Matching,
    /// The reference plays on from where it is (free-running) instead of at
    /// the playhead.
    #[serde(default)]
    pub free_running: bool,
    /// A user impulse response applied as a system (the file; the engine is
    /// sent it with `EngineHandle::set_monitor_ir`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ir: Option<std::path::PathBuf>,
}

impl MonitorSettings {
    /// Whether every check is off (the monitor passes the mix through).
    pub fn is_off(&self) -> bool {
        *self == MonitorSettings::default()
    }

    /// The gain that matches the chosen reference to the mix's loudness, dB
    /// (none until both are measured).
    pub fn reference_gain_db(&self, measured: Option<Measured>) -> Option<f64> {
        let slot = self.references.get(self.reference?)?;
        let mix = match self.matching {
            compare::Matching::Integrated => measured?.integrated_lufs,
            compare::Matching::ShortTerm => measured?.max_short_term_lufs?,
        };
        Some(mix - slot.loudness(self.matching)?)
    }

    /// The gain the platform preview applies, dB, when a platform is chosen
    /// and the mix has been measured.
    pub fn platform_gain_db(&self, measured: Option<Measured>) -> Option<f64> {
        Some(self.platform?.gain_db(measured?))
    }

    /// The program the stage runs at `rate` Hz, with the platform gain from
    /// `measured` (none until the mix is measured). Not realtime: call it
    /// off the audio thread and send the result.
    pub fn program(&self, rate: u32, measured: Option<Measured>) -> MonitorProgram {
        let mut p = MonitorProgram::IDENTITY;
        if self.reference.is_some() {
            p.listen = Listen::Reference;
            p.reference_gain = 10f64.powf(self.reference_gain_db(measured).unwrap_or(0.0) / 20.0) as f32;
        }
        p.free_running = self.free_running;
        p.ir = self.ir.is_some();
        p.matrix = self.check.matrix();
        if let Some(system) = self.system {
            for (slot, c) in p.sections.iter_mut().zip(system.coeffs(rate)) {
                *slot = c;
                p.len += 1;
            }
        }
        let db = self.platform_gain_db(measured).unwrap_or(0.0) + if self.dim { DIM_DB } else { 0.0 };
        p.gain = if self.mute { 0.0 } else { 10f64.powf(db / 20.0) as f32 };
        p
    }
}

/// What the stage runs: the check's matrix, then the system's sections, then
/// one gain (dim, mute, platform). `Copy`, so it crosses to the audio thread
/// with nothing to free there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonitorProgram {
    /// `out[c] = matrix[c][0] * L + matrix[c][1] * R`.
    pub matrix: [[f32; 2]; 2],
    /// Filter sections; the first `len` run.
    pub sections: [Coeffs; MAX_SECTIONS],
    /// How many sections run.
    pub len: usize,
    /// Linear gain at the end.
    pub gain: f32,
    /// The mix or the reference.
    pub listen: Listen,
    /// Gain on the reference (loudness matching), linear.
    pub reference_gain: f32,
    /// The reference runs on its own clock, not the playhead.
    pub free_running: bool,
    /// The user impulse response the engine holds is applied (after the
    /// system's sections).
    pub ir: bool,
}

impl MonitorProgram {
    /// Passes the mix through untouched.
    pub const IDENTITY: MonitorProgram = MonitorProgram {
        matrix: [[1.0, 0.0], [0.0, 1.0]],
        sections: [Coeffs::IDENTITY; MAX_SECTIONS],
        len: 0,
        gain: 1.0,
        listen: Listen::Mix,
        reference_gain: 1.0,
        free_running: false,
        ir: false,
    };

    /// The sections that run.
    pub fn active_sections(&self) -> &[Coeffs] {
        &self.sections[..self.len]
    }

    /// Whether it passes the mix through untouched.
    pub fn is_identity(&self) -> bool {
        self.matrix == MonitorProgram::IDENTITY.matrix
            && self.len == 0
            && self.gain == 1.0
            && self.listen == Listen::Mix
            && !self.ir
    }
}
