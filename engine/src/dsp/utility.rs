//! Utility: gain, mid/side width, mono, channel swap and per-channel polarity.

use super::{Dsp, DspContext, KindSpec};
use crate::session::{ParamInfo, Unit};

/// Parameter indices.
pub mod p {
    pub const GAIN: usize = 0;
    pub const WIDTH: usize = 1;
    pub const MONO: usize = 2;
    pub const SWAP: usize = 3;
    pub const INVERT_LEFT: usize = 4;
    pub const INVERT_RIGHT: usize = 5;
}

const PARAMS: &[ParamInfo] = &[
    ParamInfo::new("gain", "Gain", Unit::Decibels, -96.0, 24.0, 0.0),
    ParamInfo::new("width", "Width (M/S)", Unit::Percent, 0.0, 200.0, 100.0),
    ParamInfo::toggle("mono", "Mono", false),
    ParamInfo::toggle("swap", "Swap channels", false),
    ParamInfo::toggle("invert_left", "Invert left polarity", false),
    ParamInfo::toggle("invert_right", "Invert right polarity", false),
];

/// The utility's registry entry.
pub const SPEC: KindSpec = KindSpec {
    kind: "utility",
    name: "Utility",
    description: "Gain, mid/side width, mono, channel swap and polarity",
    params: PARAMS,
    sidechain: false,
    structural: &[],
    build,
};

/// Builds a utility (placeholder until the DSP lands).
fn build(_ctx: &DspContext, values: &[f64]) -> Box<dyn Dsp> {
    Box::new(Utility { values: values.to_vec() })
}

/// The running utility.
#[derive(Debug)]
pub struct Utility {
    values: Vec<f64>,
}

impl Dsp for Utility {
    fn set_param(&mut self, index: usize, value: f64) {
        self.values[index] = value;
    }

    fn process(&mut self, _io: &mut [&mut [f32]], _key: Option<[&[f32]; 2]>) {}

    fn reset(&mut self) {}
}
