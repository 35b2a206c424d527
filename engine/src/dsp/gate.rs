//! Gate / downward expander: removes background noise between phrases.
//!
//! Below the threshold the gain falls by `ratio` (an expander; a large ratio is
//! a gate) down to at most `range` dB; the gate opens when the key rises above
//! the threshold and closes only when it falls below threshold minus
//! hysteresis and the hold time has passed. Attack is how fast it opens,
//! release how fast it closes. The key is the input, or the external sidechain,
//! through an optional high-pass.

use super::{Dsp, DspContext, KindSpec};
use crate::session::{ParamInfo, Unit};

/// Parameter indices.
pub mod p {
    pub const THRESHOLD: usize = 0;
    pub const HYSTERESIS: usize = 1;
    pub const RANGE: usize = 2;
    pub const RATIO: usize = 3;
    pub const ATTACK: usize = 4;
    pub const HOLD: usize = 5;
    pub const RELEASE: usize = 6;
    pub const SC_HPF_ON: usize = 7;
    pub const SC_HPF_FREQ: usize = 8;
}

const PARAMS: &[ParamInfo] = &[
    ParamInfo::new("threshold", "Threshold", Unit::Decibels, -80.0, 0.0, -40.0),
    ParamInfo::new("hysteresis", "Hysteresis", Unit::Decibels, 0.0, 20.0, 3.0),
    ParamInfo::new("range", "Range", Unit::Decibels, -80.0, 0.0, -80.0),
    ParamInfo::new("ratio", "Ratio", Unit::CompressionRatio, 1.0, 50.0, 50.0),
    ParamInfo::new("attack", "Attack", Unit::Milliseconds, 0.01, 100.0, 1.0),
    ParamInfo::new("hold", "Hold", Unit::Milliseconds, 0.0, 2000.0, 50.0),
    ParamInfo::new("release", "Release", Unit::Milliseconds, 5.0, 4000.0, 200.0),
    ParamInfo::toggle("sc_hpf_on", "Sidechain high-pass", false),
    ParamInfo::new("sc_hpf_freq", "Sidechain high-pass frequency", Unit::Hertz, 20.0, 1000.0, 100.0),
];

/// The gate's registry entry.
pub const SPEC: KindSpec = KindSpec {
    kind: "gate",
    name: "Gate / Expander",
    description: "Downward expander and gate with hysteresis and hold, keyable from any strip",
    params: PARAMS,
    sidechain: true,
    structural: &[],
    build,
};

/// Builds a gate (placeholder until the DSP lands).
fn build(_ctx: &DspContext, values: &[f64]) -> Box<dyn Dsp> {
    Box::new(Gate { values: values.to_vec() })
}

/// The running gate.
#[derive(Debug)]
pub struct Gate {
    values: Vec<f64>,
}

impl Dsp for Gate {
    fn set_param(&mut self, index: usize, value: f64) {
        self.values[index] = value;
    }

    fn process(&mut self, _io: &mut [&mut [f32]], _key: Option<[&[f32]; 2]>) {}

    fn reset(&mut self) {}
}
