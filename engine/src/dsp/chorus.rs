//! Chorus / flanger: modulated short delays. Long base delays and no feedback
//! give a chorus; short base delays with feedback give a flanger.

use super::{Dsp, DspContext, KindSpec};
use crate::session::{ParamInfo, Unit};

/// Parameter indices.
pub mod p {
    pub const RATE: usize = 0;
    pub const DEPTH: usize = 1;
    pub const DELAY: usize = 2;
    pub const VOICES: usize = 3;
    pub const FEEDBACK: usize = 4;
    pub const MIX: usize = 5;
}

const PARAMS: &[ParamInfo] = &[
    ParamInfo::new("rate", "Rate", Unit::Hertz, 0.01, 10.0, 0.8),
    ParamInfo::new("depth", "Depth", Unit::Milliseconds, 0.0, 10.0, 2.0),
    ParamInfo::new("delay", "Base delay", Unit::Milliseconds, 0.5, 30.0, 7.0),
    ParamInfo::choice("voices", "Voices", &["1", "2", "3", "4"], 1),
    ParamInfo::new("feedback", "Feedback", Unit::Percent, -95.0, 95.0, 0.0),
    ParamInfo::new("mix", "Mix", Unit::Percent, 0.0, 100.0, 50.0),
];

/// The chorus's registry entry.
pub const SPEC: KindSpec = KindSpec {
    kind: "chorus",
    name: "Chorus / Flanger",
    description: "Modulated delay voices; short delay plus feedback makes it a flanger",
    params: PARAMS,
    sidechain: false,
    structural: &[],
    build,
};

/// Builds a chorus (placeholder until the DSP lands).
fn build(_ctx: &DspContext, values: &[f64]) -> Box<dyn Dsp> {
    Box::new(Chorus { values: values.to_vec() })
}

/// The running chorus.
#[derive(Debug)]
pub struct Chorus {
    values: Vec<f64>,
}

impl Dsp for Chorus {
    fn set_param(&mut self, index: usize, value: f64) {
        self.values[index] = value;
    }

    fn process(&mut self, _io: &mut [&mut [f32]], _key: Option<[&[f32]; 2]>) {}

    fn reset(&mut self) {}
}
