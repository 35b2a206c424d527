//! Delay: echoes at a time in ms or a note value at the session tempo, with
//! feedback through a high-pass and a low-pass, optional ping-pong.

use super::{Dsp, DspContext, KindSpec};
use crate::session::{ParamInfo, Unit};

/// Parameter indices.
pub mod p {
    pub const TIME: usize = 0;
    pub const SYNC: usize = 1;
    pub const FEEDBACK: usize = 2;
    pub const PING_PONG: usize = 3;
    pub const HPF: usize = 4;
    pub const LPF: usize = 5;
    pub const MIX: usize = 6;
}

/// Note values for tempo sync, with their length in quarter notes (index 0 is "off").
pub const SYNC_NOTES: [(&str, f64); 10] = [
    ("Off (ms)", 0.0),
    ("1/1", 4.0),
    ("1/2", 2.0),
    ("1/4", 1.0),
    ("1/8", 0.5),
    ("1/16", 0.25),
    ("1/4 dotted", 1.5),
    ("1/8 dotted", 0.75),
    ("1/4 triplet", 2.0 / 3.0),
    ("1/8 triplet", 1.0 / 3.0),
];

const SYNC_NAMES: [&str; 10] = [
    SYNC_NOTES[0].0,
    SYNC_NOTES[1].0,
    SYNC_NOTES[2].0,
    SYNC_NOTES[3].0,
    SYNC_NOTES[4].0,
    SYNC_NOTES[5].0,
    SYNC_NOTES[6].0,
    SYNC_NOTES[7].0,
    SYNC_NOTES[8].0,
    SYNC_NOTES[9].0,
];

const PARAMS: &[ParamInfo] = &[
    ParamInfo::new("time", "Time", Unit::Milliseconds, 1.0, 2000.0, 375.0),
    ParamInfo::choice("sync", "Tempo sync", &SYNC_NAMES, 0),
    ParamInfo::new("feedback", "Feedback", Unit::Percent, 0.0, 95.0, 35.0),
    ParamInfo::toggle("ping_pong", "Ping-pong", false),
    ParamInfo::new("hpf", "Feedback high-pass", Unit::Hertz, 20.0, 2000.0, 20.0),
    ParamInfo::new("lpf", "Feedback low-pass", Unit::Hertz, 500.0, 20000.0, 20000.0),
    ParamInfo::new("mix", "Mix", Unit::Percent, 0.0, 100.0, 30.0),
];

/// The delay's registry entry.
pub const SPEC: KindSpec = KindSpec {
    kind: "delay",
    name: "Delay",
    description: "Stereo delay in ms or tempo-synced note values, with ping-pong and filtered feedback",
    params: PARAMS,
    sidechain: false,
    structural: &[],
    build,
};

/// Builds a delay (placeholder until the DSP lands).
fn build(_ctx: &DspContext, values: &[f64]) -> Box<dyn Dsp> {
    Box::new(Delay { values: values.to_vec() })
}

/// The running delay.
#[derive(Debug)]
pub struct Delay {
    values: Vec<f64>,
}

impl Dsp for Delay {
    fn set_param(&mut self, index: usize, value: f64) {
        self.values[index] = value;
    }

    fn process(&mut self, _io: &mut [&mut [f32]], _key: Option<[&[f32]; 2]>) {}

    fn reset(&mut self) {}
}
