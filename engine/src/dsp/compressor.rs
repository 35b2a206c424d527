//! placeholder
use super::{Dsp, DspContext, KindSpec};
use crate::session::{ParamInfo, Unit};
const PARAMS: &[ParamInfo] = &[ParamInfo::new("gain", "Gain", Unit::Decibels, -24.0, 24.0, 0.0)];
/// The compressor's registry entry.
pub const SPEC: KindSpec = KindSpec {
    kind: "compressor",
    name: "Compressor",
    description: "",
    params: PARAMS,
    sidechain: true,
    structural: &[],
    build,
};
fn build(_ctx: &DspContext, _values: &[f64]) -> Box<dyn Dsp> {
    Box::new(Stub)
}
#[derive(Debug)]
struct Stub;
impl Dsp for Stub {
    fn set_param(&mut self, _index: usize, _value: f64) {}
    fn process(&mut self, _io: &mut [&mut [f32]], _key: Option<[&[f32]; 2]>) {}
    fn reset(&mut self) {}
}
