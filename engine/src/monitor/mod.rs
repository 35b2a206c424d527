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

pub mod compare;
pub mod platforms;
mod profile;
mod stage;
pub mod systems;

use serde::{Deserialize, Serialize};

pub use platforms::{Measured, Platform};
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

/// What the monitor does, saved in the session (all off by default; a
/// session without them loads as all off).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
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
}

impl MonitorSettings {
    /// Whether every check is off (the monitor passes the mix through).
    pub fn is_off(&self) -> bool {
        *self == MonitorSettings::default()
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
}

impl MonitorProgram {
    /// Passes the mix through untouched.
    pub const IDENTITY: MonitorProgram = MonitorProgram {
        matrix: [[1.0, 0.0], [0.0, 1.0]],
        sections: [Coeffs::IDENTITY; MAX_SECTIONS],
        len: 0,
        gain: 1.0,
    };

    /// The sections that run.
    pub fn active_sections(&self) -> &[Coeffs] {
        &self.sections[..self.len]
    }

    /// Whether it passes the mix through untouched.
    pub fn is_identity(&self) -> bool {
        self.matrix == MonitorProgram::IDENTITY.matrix && self.len == 0 && self.gain == 1.0
    }
}
