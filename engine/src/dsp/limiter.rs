//! True-peak limiter: keeps the output's inter-sample peaks under the ceiling.
//!
//! Peaks are detected on a 4x oversampled copy of the signal (as BS.1770 measures
//! true peak); a lookahead delay lets the gain come down smoothly before a peak
//! arrives, so the processor reports `lookahead` as its latency and the graph
//! compensates it.

use super::{Dsp, DspContext, KindSpec};
use crate::session::{ParamInfo, Unit};

/// Parameter indices.
pub mod p {
    pub const CEILING: usize = 0;
    pub const GAIN: usize = 1;
    pub const RELEASE: usize = 2;
    pub const LOOKAHEAD: usize = 3;
}

const PARAMS: &[ParamInfo] = &[
    ParamInfo::new("ceiling", "Ceiling (dBTP)", Unit::Decibels, -20.0, 0.0, -1.0),
    ParamInfo::new("gain", "Input gain", Unit::Decibels, 0.0, 24.0, 0.0),
    ParamInfo::new("release", "Release", Unit::Milliseconds, 1.0, 1000.0, 50.0),
    ParamInfo::new("lookahead", "Lookahead", Unit::Milliseconds, 0.5, 10.0, 5.0),
];

/// The limiter's registry entry.
pub const SPEC: KindSpec = KindSpec {
    kind: "limiter",
    name: "Limiter",
    description: "True-peak (4x oversampled) lookahead limiter with a ceiling in dBTP",
    params: PARAMS,
    sidechain: false,
    structural: &[p::LOOKAHEAD],
    build,
};

/// Builds a limiter (placeholder until the DSP lands).
fn build(_ctx: &DspContext, values: &[f64]) -> Box<dyn Dsp> {
    Box::new(Limiter { values: values.to_vec() })
}

/// The running limiter.
#[derive(Debug)]
pub struct Limiter {
    values: Vec<f64>,
}

impl Dsp for Limiter {
    fn set_param(&mut self, index: usize, value: f64) {
        self.values[index] = value;
    }

    fn process(&mut self, _io: &mut [&mut [f32]], _key: Option<[&[f32]; 2]>) {}

    fn reset(&mut self) {}
}
