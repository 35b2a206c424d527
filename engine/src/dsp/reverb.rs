//! Algorithmic stereo reverb: pre-delay, input diffusion, and an 8-line
//! feedback delay network whose loop gains give the set decay time (RT60).

use super::{Dsp, DspContext, KindSpec};
use crate::session::{ParamInfo, Unit};

/// Parameter indices.
pub mod p {
    pub const PREDELAY: usize = 0;
    pub const DECAY: usize = 1;
    pub const SIZE: usize = 2;
    pub const DAMPING: usize = 3;
    pub const DIFFUSION: usize = 4;
    pub const WIDTH: usize = 5;
    pub const MIX: usize = 6;
}

const PARAMS: &[ParamInfo] = &[
    ParamInfo::new("predelay", "Pre-delay", Unit::Milliseconds, 0.0, 250.0, 20.0),
    ParamInfo::new("decay", "Decay time (RT60)", Unit::Seconds, 0.1, 20.0, 2.0),
    ParamInfo::new("size", "Size", Unit::Percent, 0.0, 100.0, 50.0),
    ParamInfo::new("damping", "Damping", Unit::Percent, 0.0, 100.0, 40.0),
    ParamInfo::new("diffusion", "Diffusion", Unit::Percent, 0.0, 100.0, 70.0),
    ParamInfo::new("width", "Width", Unit::Percent, 0.0, 100.0, 100.0),
    ParamInfo::new("mix", "Mix", Unit::Percent, 0.0, 100.0, 30.0),
];

/// The reverb's registry entry.
pub const SPEC: KindSpec = KindSpec {
    kind: "reverb",
    name: "Reverb",
    description: "Stereo feedback-delay-network reverb with pre-delay, decay time, damping and width",
    params: PARAMS,
    sidechain: false,
    structural: &[],
    build,
};

/// Builds a reverb (placeholder until the DSP lands).
fn build(_ctx: &DspContext, values: &[f64]) -> Box<dyn Dsp> {
    Box::new(Reverb { values: values.to_vec() })
}

/// The running reverb.
#[derive(Debug)]
pub struct Reverb {
    values: Vec<f64>,
}

impl Dsp for Reverb {
    fn set_param(&mut self, index: usize, value: f64) {
        self.values[index] = value;
    }

    fn process(&mut self, _io: &mut [&mut [f32]], _key: Option<[&[f32]; 2]>) {}

    fn reset(&mut self) {}
}
